// The addon functions the cgroup code uses (csrc/addon/addon.cc, section
// "cgroup device BPF"). Loaded lazily so hosts that never need the v2 device
// program do not need the addon just to compute paths or write files.
import { loadAddon } from '../addon-path.js';

export interface CgroupAddon {
  /** Load + attach a BPF_PROG_TYPE_CGROUP_DEVICE program, detach the old ones. */
  bpfDevicesApply(cgroupDir: string, insns: Buffer): void;
  /** Ids of the device programs attached to the cgroup directory. */
  bpfDevicesQuery(cgroupDir: string): number[];
}

let loaded: CgroupAddon | undefined;

export function cgroupAddon(): CgroupAddon {
  if (!loaded) {
    loaded = loadAddon() as CgroupAddon;
  }
  return loaded;
}
