// OCI mount entries → TSR_R_MOUNT records, with runc's option parsing:
// mount(2) flags, propagation, recursive mount_setattr attributes (r*), the
// rest as filesystem data.
import { isAbsolute, resolve } from 'node:path';
import type { IdMapping, Mount } from '../spec/types.js';
import { MountKind } from './protocol.js';

export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  SYNCHRONOUS: 0x10,
  REMOUNT: 0x20,
  MANDLOCK: 0x40,
  DIRSYNC: 0x80,
  NOSYMFOLLOW: 0x100,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  REC: 0x4000,
  SILENT: 0x8000,
  UNBINDABLE: 0x20000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  I_VERSION: 0x800000,
  STRICTATIME: 0x1000000,
  LAZYTIME: 0x2000000,
} as const;

export const MOUNT_ATTR = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  ATIME_MASK: 0x70,
  RELATIME: 0x0,
  NOATIME: 0x10,
  STRICTATIME: 0x20,
  NODIRATIME: 0x80,
  NOSYMFOLLOW: 0x200000,
} as const;

/** [clear?, flag] as in runc's specconv. */
const FLAG_OPTIONS: Record<string, [boolean, number]> = {
  async: [true, MS.SYNCHRONOUS],
  atime: [true, MS.NOATIME],
  bind: [false, MS.BIND],
  defaults: [false, 0],
  dev: [true, MS.NODEV],
  diratime: [true, MS.NODIRATIME],
  dirsync: [false, MS.DIRSYNC],
  exec: [true, MS.NOEXEC],
  iversion: [false, MS.I_VERSION],
  lazytime: [false, MS.LAZYTIME],
  loud: [true, MS.SILENT],
  mand: [false, MS.MANDLOCK],
  noatime: [false, MS.NOATIME],
  nodev: [false, MS.NODEV],
  nodiratime: [false, MS.NODIRATIME],
  noexec: [false, MS.NOEXEC],
  noiversion: [true, MS.I_VERSION],
  nolazytime: [true, MS.LAZYTIME],
  nomand: [true, MS.MANDLOCK],
  norelatime: [true, MS.RELATIME],
  nostrictatime: [true, MS.STRICTATIME],
  nosuid: [false, MS.NOSUID],
  nosymfollow: [false, MS.NOSYMFOLLOW],
  rbind: [false, MS.BIND | MS.REC],
  relatime: [false, MS.RELATIME],
  remount: [false, MS.REMOUNT],
  ro: [false, MS.RDONLY],
  rw: [true, MS.RDONLY],
  silent: [false, MS.SILENT],
  strictatime: [false, MS.STRICTATIME],
  suid: [true, MS.NOSUID],
  symfollow: [true, MS.NOSYMFOLLOW],
  sync: [false, MS.SYNCHRONOUS],
};

export const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

/** Recursive attributes (mount_setattr AT_RECURSIVE): [clear?, attr]; the
 *  atime ones also clear the whole atime field. */
const REC_ATTR_OPTIONS: Record<string, [boolean, number]> = {
  rro: [false, MOUNT_ATTR.RDONLY],
  rrw: [true, MOUNT_ATTR.RDONLY],
  rnosuid: [false, MOUNT_ATTR.NOSUID],
  rsuid: [true, MOUNT_ATTR.NOSUID],
  rnodev: [false, MOUNT_ATTR.NODEV],
  rdev: [true, MOUNT_ATTR.NODEV],
  rnoexec: [false, MOUNT_ATTR.NOEXEC],
  rexec: [true, MOUNT_ATTR.NOEXEC],
  rnodiratime: [false, MOUNT_ATTR.NODIRATIME],
  rdiratime: [true, MOUNT_ATTR.NODIRATIME],
  rrelatime: [false, MOUNT_ATTR.RELATIME],
  rnorelatime: [true, MOUNT_ATTR.RELATIME],
  rnoatime: [false, MOUNT_ATTR.NOATIME],
  ratime: [true, MOUNT_ATTR.NOATIME],
  rstrictatime: [false, MOUNT_ATTR.STRICTATIME],
  rnostrictatime: [true, MOUNT_ATTR.STRICTATIME],
  rnosymfollow: [false, MOUNT_ATTR.NOSYMFOLLOW],
  rsymfollow: [true, MOUNT_ATTR.NOSYMFOLLOW],
};
const ATIME_OPTIONS = new Set(['rrelatime', 'rnoatime', 'rstrictatime']);

export interface ParsedMountOptions {
  /** 'idmap' / 'ridmap' (recursive) options: an idmapped bind mount. */
  idmap: 'none' | 'idmap' | 'ridmap';
  flags: number;
  propagation: number;
  attrSet: number;
  attrClr: number;
  data: string[];
}

export function parseMountOptions(options: readonly string[] = []): ParsedMountOptions {
  const out: ParsedMountOptions = { idmap: 'none', flags: 0, propagation: 0, attrSet: 0, attrClr: 0, data: [] };
  for (const opt of options) {
    const flag = FLAG_OPTIONS[opt];
    if (flag) {
      if (flag[0]) out.flags &= ~flag[1];
      else out.flags |= flag[1];
      continue;
    }
    const prop = PROPAGATION[opt];
    if (prop !== undefined) {
      out.propagation = prop;
      continue;
    }
    const rec = REC_ATTR_OPTIONS[opt];
    if (rec) {
      if (rec[0]) {
        out.attrClr |= rec[1];
        out.attrSet &= ~rec[1];
      } else {
        out.attrSet |= rec[1];
        out.attrClr &= ~rec[1];
        if (ATIME_OPTIONS.has(opt)) out.attrClr |= MOUNT_ATTR.ATIME_MASK;
      }
      continue;
    }
    // tmpcopyup (copy the covered contents into a new tmpfs) is a runc
    // extension engines rarely rely on; accepted and ignored.
    if (opt === 'tmpcopyup') continue;
    if (opt === 'idmap' || opt === 'ridmap') {
      out.idmap = opt;
      continue;
    }
    out.data.push(opt);
  }
  // keep the u32 unsigned after the bit operations
  out.flags >>>= 0;
  out.attrSet >>>= 0;
  out.attrClr >>>= 0;
  return out;
}

export interface IdmapRecord {
  recursive: boolean;
  uidMap: string;
  gidMap: string;
}

export interface MountRecord {
  /** Set for idmapped bind mounts (TSR_R_MOUNT_IDMAP). */
  idmap?: IdmapRecord;
  kind: number;
  flags: number;
  propagation: number;
  attrSet: number;
  attrClr: number;
  source: string;
  destination: string;
  fstype: string;
  data: string;
}

function mapText(maps: readonly IdMapping[]): string {
  return maps.map((x) => `${x.containerID} ${x.hostID} ${x.size}\n`).join('');
}

/** One OCI mount as the helper wants it. `bundle` anchors relative bind
 *  sources (runc runs from the bundle directory); `containerMaps` are the
 *  container's user namespace mappings, used by idmap/ridmap without
 *  mappings of the mount's own (as runc does). */
export function mountRecord(
  m: Mount,
  bundle: string,
  containerMaps: { uid?: IdMapping[]; gid?: IdMapping[] } = {},
): MountRecord {
  const opts = parseMountOptions(m.options);
  const type = m.type ?? '';
  const bind = type === 'bind' || (opts.flags & MS.BIND) !== 0;
  let kind: number = MountKind.FS;
  if (bind) kind = MountKind.BIND;
  else if (type === 'cgroup') kind = MountKind.CGROUP;
  let source = m.source ?? '';
  if (bind) {
    if (!source) throw new Error(`mount ${m.destination}: a bind mount needs a source`);
    if (!isAbsolute(source)) source = resolve(bundle, source);
    opts.flags |= MS.BIND;
  } else if (!type) {
    throw new Error(`mount ${m.destination}: no type given`);
  }
  const destination = m.destination.startsWith('/') ? m.destination : `/${m.destination}`;
  let idmap: IdmapRecord | undefined;
  if (opts.idmap !== 'none' || m.uidMappings || m.gidMappings) {
    if (!bind) throw new Error(`mount ${m.destination}: idmapped mounts must be bind mounts`);
    const uid = m.uidMappings ?? containerMaps.uid;
    const gid = m.gidMappings ?? containerMaps.gid;
    if (!uid?.length || !gid?.length) throw new Error(`mount ${m.destination}: an idmapped mount needs both uidMappings and gidMappings`);
    idmap = { recursive: opts.idmap === 'ridmap', uidMap: mapText(uid), gidMap: mapText(gid) };
  }
  return {
    idmap,
    kind,
    flags: opts.flags >>> 0,
    propagation: opts.propagation,
    attrSet: opts.attrSet,
    attrClr: opts.attrClr,
    source,
    destination,
    fstype: bind ? '' : type,
    data: opts.data.join(','),
  };
}
