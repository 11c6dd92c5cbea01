// The steps that make a config's `cgroup` mount inside the container, as
// runc does them (libcontainer/rootfs_linux.go mountCgroupV1/V2). TypeScript
// computes them; the init helper performs them relative to the rootfs, with
// the flags of the mount entry (read-only when its options say "ro", as the
// default config does).
//   v1 / hybrid: a tmpfs at the destination, then per v1 hierarchy either a
//     fresh v1 mount of that hierarchy (new cgroup namespace: it shows the
//     container's cgroup as its root) or a bind of the container's cgroup
//     directory; co-mounted controllers ("cpu,cpuacct") get symlinks "cpu"
//     and "cpuacct". The cgroup2 mount of a hybrid host is not shown.
//   v2: a fresh cgroup2 mount; where the kernel refuses it (EPERM/EBUSY, e.g.
//     in a user namespace without a cgroup namespace) a bind instead: of the
//     container's cgroup with a cgroup namespace, else of the whole tree.
import { posix } from 'node:path';
import type { Hierarchies } from './hierarchy.js';

export type CgroupMountStep =
  | { kind: 'tmpfs'; destination: string; data: string }
  | { kind: 'cgroup'; source: string; destination: string; data: string }
  | { kind: 'bind'; source: string; destination: string; recursive: boolean }
  | { kind: 'cgroup2'; destination: string; fallbackBindSource: string }
  | { kind: 'symlink'; target: string; path: string };

/** paths: the manager's paths() (controller → directory, "" → cgroup2 directory). */
export function cgroupMountSteps(h: Hierarchies, paths: Record<string, string>, destination: string, cgroupns: boolean): CgroupMountStep[] {
  if (h.mode === 'v2') {
    const mount = h.unified?.mountPoint ?? '/sys/fs/cgroup';
    const own = paths[''];
    return [{ kind: 'cgroup2', destination, fallbackBindSource: cgroupns && own ? own : mount }];
  }
  const steps: CgroupMountStep[] = [{ kind: 'tmpfs', destination, data: 'mode=755' }];
  const links: CgroupMountStep[] = [];
  const seen = new Set<string>();
  for (const [controller, hier] of h.v1) {
    if (seen.has(hier.mountPoint)) continue;
    seen.add(hier.mountPoint);
    const name = posix.basename(hier.mountPoint);
    const target = posix.join(destination, name);
    const source = paths[controller];
    if (!source) continue;
    if (cgroupns) {
      const named = name === 'systemd' || hier.controllers.every((c) => c.startsWith('name='));
      const data = named ? hier.controllers.find((c) => c.startsWith('name=')) ?? `name=${name}` : hier.controllers.join(',');
      steps.push({ kind: 'cgroup', source: named ? name : 'cgroup', destination: target, data });
    } else {
      steps.push({ kind: 'bind', source, destination: target, recursive: true });
    }
    if (name.includes(',')) {
      for (const part of name.split(',')) links.push({ kind: 'symlink', target: name, path: posix.join(destination, part) });
    }
  }
  return [...steps, ...links];
}
