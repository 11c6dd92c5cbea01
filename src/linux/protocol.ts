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
  CPU_AFFINITY_FINAL: 39,
  APPARMOR: 40,
  CGROUP: 41,
  CPU_AFFINITY_INITIAL: 42,
} as const;

export const Mode = { CREATE: 1, EXEC: 2 } as const;
export const MountKind = { FS: 0, BIND: 1, CGROUP: 2 } as const;
export const HookKind = { CREATE_CONTAINER: 1, START_CONTAINER: 2 } as const;
export const CgroupKind = { V1: 1, V2: 2 } as const;

/** A field of a C struct payload, in declaration order. */
export type Field = ['u16' | 'u32' | 'i32', number] | ['u64', bigint];

/** Builds a packet of records (tsr_hdr + payload, each padded to 4 bytes)
 *  straight into one growing buffer: a config is a few hundred fields, and a
 *  Buffer per field made the encoding cost milliseconds. */
export class RecordWriter {
  private buf = Buffer.allocUnsafe(4096);
  private size = 0;

  /** One record from payload parts: strings get their NUL, numbers are u32,
   *  typed fields follow C layout (the caller keeps struct alignment). */
  record(type: number, ...parts: (string | number | Buffer | Field[])[]): this {
    const start = this.size;
    this.reserve(8);
    this.size += 8;
    for (const p of parts) {
      if (typeof p === 'string') this.putString(type, p);
      else if (typeof p === 'number') this.putU32(p);
      else if (Buffer.isBuffer(p)) this.putBytes(p);
      else for (const f of p) this.putField(f);
    }
    const len = this.size - start - 8;
    this.buf.writeUInt32LE(type, start);
    this.buf.writeUInt32LE(len, start + 4);
    const pad = (4 - (len % 4)) % 4;
    this.reserve(pad);
    this.buf.fill(0, this.size, this.size + pad);
    this.size += pad;
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
    return Buffer.from(this.buf.subarray(0, this.size));
  }

  private reserve(n: number): void {
    if (this.size + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.size + n));
    this.buf.copy(next, 0, 0, this.size);
    this.buf = next;
  }

  private putString(type: number, s: string): void {
    if (s.includes('\0')) throw new Error(`config record ${type}: string contains a NUL byte`);
    const n = Buffer.byteLength(s, 'utf8');
    this.reserve(n + 1);
    this.buf.write(s, this.size, 'utf8');
    this.buf[this.size + n] = 0;
    this.size += n + 1;
  }

  private putBytes(b: Buffer): void {
    this.reserve(b.length);
    b.copy(this.buf, this.size);
    this.size += b.length;
  }

  private putU32(v: number): void {
    checkU32(v);
    this.reserve(4);
    if (v < 0) this.buf.writeInt32LE(v, this.size);
    else this.buf.writeUInt32LE(v, this.size);
    this.size += 4;
  }

  /** Host-endian (x86-64/arm64: little) C layout; u64 fields must already
   *  sit at 8-byte offsets (every tsr_* struct is laid out that way). */
  private putField([kind, value]: Field): void {
    if (kind === 'u64') {
      this.reserve(8);
      this.buf.writeBigUInt64LE(value, this.size);
      this.size += 8;
    } else if (kind === 'u16') {
      this.reserve(2);
      this.buf.writeUInt16LE(value, this.size);
      this.size += 2;
    } else if (kind === 'i32') {
      this.reserve(4);
      this.buf.writeInt32LE(value, this.size);
      this.size += 4;
    } else {
      this.putU32(value);
    }
  }
}

function checkU32(v: number): void {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) throw new RangeError(`${v} does not fit 32 bits`);
}
