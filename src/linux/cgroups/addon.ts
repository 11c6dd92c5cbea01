// The addon functions the cgroup code uses (csrc/addon/addon.cc, section
// "cgroup device BPF"). Loaded lazily so hosts that never need the v2 device
// program do not need the addon just to compute paths or write files.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface CgroupAddon {
  /** Load + attach a BPF_PROG_TYPE_CGROUP_DEVICE program, detach the old ones. */
  bpfDevicesApply(cgroupDir: string, insns: Buffer): void;
  /** Ids of the device programs attached to the cgroup directory. */
  bpfDevicesQuery(cgroupDir: string): number[];
}

let loaded: CgroupAddon | undefined;

export function cgroupAddon(): CgroupAddon {
  if (!loaded) {
    // dist/src/linux/cgroups/addon.js → <repo>/build/Release/tsrunc.node
    const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
    const require = createRequire(import.meta.url);
    loaded = require(join(repo, 'build', 'Release', 'tsrunc.node')) as CgroupAddon;
  }
  return loaded;
}
