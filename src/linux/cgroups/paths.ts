// Where a container's cgroup goes in each hierarchy, as runc computes it:
//  - linux.cgroupsPath absolute: that path under every hierarchy's mount;
//  - relative: under the runtime's own cgroup (on pure v2: its parent,
//    since the runtime's own cgroup has processes and cannot have children
//    with controllers enabled);
//  - absent: the container id, relative as above;
//  - systemd driver ("slice:prefix:name"): the path systemd would use,
//    /<slice path>/<prefix>-<name>.scope (tsrunc does not talk to systemd).
import { posix } from 'node:path';
import { type Hierarchies, ownV1Path, ownV2Path } from './hierarchy.js';

/** Lexically clean, and never above its root: "../../x" → "x", "/a/../../b" → "/b". */
export function cleanCgroupPath(p: string): string {
  if (p === '') return '';
  const abs = p.startsWith('/');
  const cleaned = posix.normalize('/' + p).replace(/\/+$/, '') || '/';
  return abs ? cleaned : cleaned.slice(1);
}

/** "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" → "/". */
export function expandSlice(slice: string): string {
  if (!slice.endsWith('.slice') || slice.includes('/')) throw new Error(`cgroups: invalid systemd slice name "${slice}"`);
  const name = slice.slice(0, -'.slice'.length);
  if (name === '-') return '/';
  let path = '';
  let prefix = '';
  for (const part of name.split('-')) {
    if (part === '') throw new Error(`cgroups: invalid systemd slice name "${slice}"`);
    prefix = prefix ? `${prefix}-${part}` : part;
    path += `/${prefix}.slice`;
  }
  return path;
}

export function systemdInnerPath(cgroupsPath: string | undefined, id: string, rootless: boolean): string {
  if (!cgroupsPath) return `${rootless ? '/user.slice' : '/system.slice'}/tsrunc-${id}.scope`;
  const parts = cgroupsPath.split(':');
  if (parts.length !== 3) {
    throw new Error(`cgroups: expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got "${cgroupsPath}" instead`);
  }
  const [slice, prefix, name] = parts as [string, string, string];
  const parent = expandSlice(slice || 'system.slice');
  const unit = name.endsWith('.slice') ? name : `${prefix ? `${prefix}-` : ''}${name}.scope`;
  return posix.join(parent, unit);
}

/** The inner path (absolute, or relative to the runtime's cgroup). */
export function innerPath(opts: { cgroupsPath?: string; id: string; systemd?: boolean; rootless?: boolean }): string {
  if (opts.systemd) return systemdInnerPath(opts.cgroupsPath, opts.id, opts.rootless ?? false);
  const inner = cleanCgroupPath(opts.cgroupsPath ?? '') || cleanCgroupPath(opts.id);
  if (inner === '' || inner === '/') throw new Error(`cgroups: invalid cgroup path "${opts.cgroupsPath ?? opts.id}"`);
  return inner;
}

export interface ContainerDirs {
  /** v1 controller (and name=...) → directory. */
  v1: Map<string, string>;
  /** The directory in the cgroup2 hierarchy (hybrid or v2). */
  unified?: string;
}

export function containerDirs(h: Hierarchies, inner: string): ContainerDirs {
  const v1 = new Map<string, string>();
  for (const [controller, hier] of h.v1) {
    const base = inner.startsWith('/') ? '/' : ownV1Path(h, hier);
    v1.set(controller, posix.join(hier.mountPoint, base, inner));
  }
  let unified: string | undefined;
  if (h.unified) {
    let base = '/';
    if (!inner.startsWith('/')) base = h.mode === 'v2' ? posix.dirname(ownV2Path(h)) : ownV2Path(h);
    unified = posix.join(h.unified.mountPoint, base, inner);
  }
  return { v1, unified };
}
