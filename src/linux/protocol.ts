// Mirror of csrc/protocol.h (the single source of truth; test/protocol.test.ts
// checks every constant) and the encoder of the TSR_P_CONFIG packet.

export const PROTOCOL_VERSION = 1;
export const MAX_PACKET = 4 << 20;
export const UNSET = 0xffffffff;

export const ParentMsg = {
  CONFIG: 1,
  USERMAP_DONE: 2,
  HOOKS_DONE: 3,
  ABORT: 4,
} as const;

export const ChildMsg = {
  USERMAP_REQ: 101,
  PID: 102,
  HOOKS_REQ: 103,
  READY: 104,
  ERROR: 105,
  EXEC_READY: 106,
  SECCOMP_FD: 107,
} as const;

export const Rec = {
  MODE: 1,
  NS_JOIN: 2,
  NS_NEW: 3,
  TIMENS_OFFSETS: 4,
  ROOTFS: 5,
  ROOTFS_READONLY: 6,
  ROOTFS_PROPAGATION: 7,
  NO_PIVOT: 8,
  MOUNT: 9,
  DEVICE: 10,
  MASKED_PATH: 11,
  READONLY_PATH: 12,
  HOSTNAME: 13,
  DOMAINNAME: 14,
  SYSCTL: 15,
  HOOK: 16,
  RLIMIT: 17,
  OOM_SCORE_ADJ: 18,
  USER: 19,
  CAPS: 20,
  NO_NEW_PRIVS: 21,
  CWD: 22,
  ENV: 23,
  ARG: 24,
  SECCOMP: 25,
  PERSONALITY: 26,
  SCHEDULER: 27,
  IOPRIO: 28,
  PRESERVE_FDS: 29,
  CONSOLE: 30,
  NEW_KEYRING: 31,
  ID: 32,
  IN_USERNS: 36,
  MOUNT_IDMAP: 37,
  SYMLINK: 38,
} as const;

export const Mode = { CREATE: 1, EXEC: 2 } as const;
export const MountKind = { FS: 0, BIND: 1, CGROUP: 2 } as const;
export const HookKind = { CREATE_CONTAINER: 1, START_CONTAINER: 2 } as const;

/** A field of a C struct payload, in declaration order. */
export type Field = ['u16' | 'u32' | 'i32', number] | ['u64', bigint];

/** Builds a packet of records (tsr_hdr + payload, each padded to 4 bytes). */
export class RecordWriter {
  private chunks: Buffer[] = [];
  private size = 0;

  /** One record from payload parts: strings get their NUL, numbers are u32,
   *  typed fields follow C layout (the caller keeps struct alignment). */
  record(type: number, ...parts: (string | number | Buffer | Field[])[]): this {
    const body: Buffer[] = [];
    for (const p of parts) {
      if (typeof p === 'string') {
        if (p.includes('\0')) throw new Error(`config record ${type}: string contains a NUL byte`);
        body.push(Buffer.from(p + '\0', 'utf8'));
      } else if (typeof p === 'number') {
        body.push(u32(p));
      } else if (Buffer.isBuffer(p)) {
        body.push(p);
      } else {
        body.push(struct(p));
      }
    }
    const payload = Buffer.concat(body);
    const hdr = Buffer.alloc(8);
    hdr.writeUInt32LE(type, 0);
    hdr.writeUInt32LE(payload.length, 4);
    const pad = (4 - (payload.length % 4)) % 4;
    this.chunks.push(hdr, payload, Buffer.alloc(pad));
    this.size += 8 + payload.length + pad;
    if (this.size > MAX_PACKET) throw new Error(`config packet exceeds ${MAX_PACKET} bytes`);
    return this;
  }

  u32(type: number, value: number): this {
    return this.record(type, value);
  }

  str(type: number, value: string): this {
    return this.record(type, value);
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) throw new RangeError(`${v} does not fit 32 bits`);
  if (v < 0) b.writeInt32LE(v, 0);
  else b.writeUInt32LE(v, 0);
  return b;
}

/** Host-endian (x86-64/arm64: little) C struct; u64 fields must already sit
 *  at 8-byte offsets (every tsr_* struct is laid out that way). */
export function struct(fields: Field[]): Buffer {
  const out: Buffer[] = [];
  for (const [kind, value] of fields) {
    if (kind === 'u64') {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(value, 0);
      out.push(b);
    } else if (kind === 'u16') {
      const b = Buffer.alloc(2);
      b.writeUInt16LE(value, 0);
      out.push(b);
    } else if (kind === 'i32') {
      const b = Buffer.alloc(4);
      b.writeInt32LE(value, 0);
      out.push(b);
    } else {
      out.push(u32(value));
    }
  }
  return Buffer.concat(out);
}
