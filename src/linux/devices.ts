// Device nodes and /dev symlinks the helper creates: runc's defaults plus
// linux.devices (same path: the config wins).
import { existsSync } from 'node:fs';
import type { Device, Spec } from '../spec/types.js';

export interface DeviceNode {
  type: 'c' | 'b' | 'p';
  path: string;
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
}

export const DEFAULT_DEVICES: readonly DeviceNode[] = [
  { type: 'c', path: '/dev/null', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/zero', major: 1, minor: 5, mode: 0o666, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/full', major: 1, minor: 7, mode: 0o666, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/random', major: 1, minor: 8, mode: 0o666, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/urandom', major: 1, minor: 9, mode: 0o666, uid: 0, gid: 0 },
  { type: 'c', path: '/dev/tty', major: 5, minor: 0, mode: 0o666, uid: 0, gid: 0 },
];

export function deviceNode(d: Device): DeviceNode {
  const type = d.type === 'u' ? 'c' : d.type;
  if (type !== 'c' && type !== 'b' && type !== 'p') throw new Error(`device ${d.path}: unknown type ${JSON.stringify(d.type)}`);
  if (type !== 'p' && (d.major === undefined || d.minor === undefined)) {
    throw new Error(`device ${d.path}: major and minor are required for type ${d.type}`);
  }
  if (!d.path.startsWith('/')) throw new Error(`device ${d.path}: path must be absolute`);
  return {
    type,
    path: d.path,
    major: d.major ?? 0,
    minor: d.minor ?? 0,
    mode: d.fileMode !== undefined ? d.fileMode & 0o7777 : 0o666,
    uid: d.uid ?? 0,
    gid: d.gid ?? 0,
  };
}

/** runc sets /dev up itself unless /dev is bind-mounted from elsewhere. */
export function needsDevSetup(spec: Spec): boolean {
  return !(spec.mounts ?? []).some(
    (m) => m.destination.replace(/\/+$/, '') === '/dev' && (m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind')),
  );
}

export function containerDevices(spec: Spec): DeviceNode[] {
  const configured = (spec.linux?.devices ?? []).map(deviceNode);
  const paths = new Set(configured.map((d) => d.path));
  return [...DEFAULT_DEVICES.filter((d) => !paths.has(d.path)), ...configured];
}

/** [target, link] pairs of runc's /dev setup. */
export function devSymlinks(): [string, string][] {
  const links: [string, string][] = [
    ['/proc/self/fd', '/dev/fd'],
    ['/proc/self/fd/0', '/dev/stdin'],
    ['/proc/self/fd/1', '/dev/stdout'],
    ['/proc/self/fd/2', '/dev/stderr'],
  ];
  if (existsSync('/proc/kcore')) links.push(['/proc/kcore', '/dev/core']);
  links.push(['pts/ptmx', '/dev/ptmx']);
  return links;
}
