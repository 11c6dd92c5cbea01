// What cgroup hierarchies this host mounts, read from /proc/self/mountinfo,
// and where the calling process sits in them (/proc/self/cgroup).
//   v2:     cgroup2 alone (at /sys/fs/cgroup on most hosts)
//   hybrid: v1 controller hierarchies plus a cgroup2 mount (e.g. at
//           /sys/fs/cgroup/unified) carrying whatever controllers no v1
//           hierarchy has claimed (hugetlb on this kind of host)
//   v1:     v1 controller hierarchies only
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

export interface V1Hierarchy {
  /** Mount point, e.g. /sys/fs/cgroup/memory (the first one mounted). */
  mountPoint: string;
  /** The cgroup path the mount point shows (mountinfo "root" field). */
  root: string;
  /** Controllers (and name=... options) bound to this hierarchy. */
  controllers: string[];
}

export interface Hierarchies {
  mode: CgroupMode;
  /** v1 controller → its hierarchy (each controller on one hierarchy). */
  v1: Map<string, V1Hierarchy>;
  /** The cgroup2 mount, if any. */
  unified?: { mountPoint: string; root: string; controllers: string[] };
  /** /proc/self/cgroup: hierarchy key ("" for v2, else controllers joined by ",") → path. */
  own: Map<string, string>;
}

// The v1 controllers tsrunc drives; other super options (rw, xattr,
// release_agent=..., clone_children) are not controllers.
const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids',
  'hugetlb', 'net_cls', 'net_prio', 'perf_event', 'rdma', 'misc',
]);

// mountinfo escapes space, tab, newline and backslash as \ooo.
function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseOwnCgroups(text: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    own.set(line.slice(first + 1, second), line.slice(second + 1));
  }
  return own;
}

export function detectHierarchies(
  mountinfo = readFileSync('/proc/self/mountinfo', 'utf8'),
  cgroupFile = readFileSync('/proc/self/cgroup', 'utf8'),
): Hierarchies {
  const v1 = new Map<string, V1Hierarchy>();
  let unified: Hierarchies['unified'];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const fsType = right[0];
    const root = unescapeMountinfo(left[3] ?? '/');
    const mountPoint = unescapeMountinfo(left[4] ?? '');
    if (fsType === 'cgroup2') {
      // The first cgroup2 mount wins (a later bind of it changes nothing).
      if (!unified) unified = { mountPoint, root, controllers: [] };
    } else if (fsType === 'cgroup') {
      const opts = (right[2] ?? '').split(',');
      const controllers = opts.filter((o) => V1_CONTROLLERS.has(o) || o.startsWith('name='));
      const h: V1Hierarchy = { mountPoint, root, controllers };
      for (const c of controllers) if (!v1.has(c)) v1.set(c, h);
    }
  }
  if (unified) {
    try {
      const text = readFileSync(join(unified.mountPoint, 'cgroup.controllers'), 'utf8');
      unified.controllers = text.split(/\s+/).filter((c) => c !== '');
    } catch {
      unified.controllers = [];
    }
  }
  const realV1 = [...v1.keys()].some((c) => !c.startsWith('name='));
  const mode: CgroupMode = !realV1 && unified ? 'v2' : unified ? 'hybrid' : 'v1';
  if (!realV1 && !unified) throw new Error('cgroups: no cgroup hierarchy is mounted (see /proc/self/mountinfo)');
  return { mode, v1, unified, own: parseOwnCgroups(cgroupFile) };
}

/** The calling process's cgroup in a v1 hierarchy, relative to its mount point. */
export function ownV1Path(h: Hierarchies, hierarchy: V1Hierarchy): string {
  const key = [...h.own.keys()].find((k) => k.split(',').some((c) => hierarchy.controllers.includes(c)));
  const path = key === undefined ? '/' : h.own.get(key) ?? '/';
  return stripRoot(path, hierarchy.root);
}

/** The calling process's cgroup in the v2 hierarchy, relative to its mount point. */
export function ownV2Path(h: Hierarchies): string {
  return stripRoot(h.own.get('') ?? '/', h.unified?.root ?? '/');
}

// A mount of a sub-tree shows cgroup paths relative to that sub-tree's root.
function stripRoot(path: string, root: string): string {
  if (root === '/' || root === '') return path;
  if (path === root) return '/';
  if (path.startsWith(root + '/')) return path.slice(root.length);
  return path;
}
