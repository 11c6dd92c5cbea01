// What kind of namespace a `linux.namespaces[].path` refers to.
//
// /proc/<pid>/ns/<type> files are magic symlinks whose text is `<type>:[<inode>]`,
// so readlink answers directly. A namespace file bind-mounted elsewhere (e.g.
// /var/run/netns/cni-…, made by `ip netns` or CNI) is not a symlink: statfs
// tells it is on nsfs (NSFS_MAGIC), and /proc/self/mountinfo shows the mount's
// root as `<type>:[<inode>]`. The kernel checks the type again when the helper
// calls setns(fd, CLONE_NEW…), so this is for a clear early error.
import { readFileSync, readlinkSync, realpathSync, statfsSync } from 'node:fs';

const NSFS_MAGIC = 0x6e736673;
const NS_LINK = /^([a-z_]+):\[(\d+)\]$/;

export type NamespaceProbe =
  | { ok: true; kind: string; inode: string }
  | { ok: false; problem: string };

function errnoCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : String(err);
}

/** Decodes the octal escapes (\040 etc.) of a mountinfo path field. */
function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The nsfs root (`net:[4026532281]`) of the mount at `mountPoint`, if any. */
function nsfsRootOfMount(mountPoint: string): string | null {
  let found: string | null = null;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const fstype = line.slice(sep + 3).split(' ')[0];
    if (fstype === 'nsfs' && left[4] !== undefined && unescapeMountinfo(left[4]) === mountPoint) {
      found = unescapeMountinfo(left[3] ?? ''); // the last (topmost) mount wins
    }
  }
  return found;
}

/** Finds the namespace kind ('net', 'mnt', ...) behind a namespace file path. */
export function probeNamespacePath(path: string): NamespaceProbe {
  try {
    const target = readlinkSync(path);
    const m = NS_LINK.exec(target);
    if (m) return { ok: true, kind: m[1]!, inode: m[2]! };
    // A symlink to something else, e.g. /var/run/netns/x -> /run/netns/x.
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return { ok: false, problem: 'does not exist' };
    if (code !== 'EINVAL') return { ok: false, problem: `cannot be read (${code})` };
  }
  let real: string;
  try {
    real = realpathSync(path);
    if (statfsSync(real).type !== NSFS_MAGIC) return { ok: false, problem: 'is not a namespace file (not on nsfs)' };
  } catch (err) {
    const code = errnoCode(err);
    return { ok: false, problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})` };
  }
  const root = nsfsRootOfMount(real);
  const m = root === null ? null : NS_LINK.exec(root);
  if (!m) return { ok: false, problem: 'is on nsfs but its namespace type cannot be determined' };
  return { ok: true, kind: m[1]!, inode: m[2]! };
}
