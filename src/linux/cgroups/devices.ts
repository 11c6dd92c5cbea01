// Device access rules: the list runc applies (the config's
// linux.resources.devices in order, then runc's default allow list), the v1
// devices.allow/devices.deny lines, and the v2 eBPF program
// (BPF_PROG_TYPE_CGROUP_DEVICE) that enforces the same rules on cgroup2.
import type { Device, DeviceCgroup } from '../../spec/types.js';

export type DeviceType = 'a' | 'c' | 'b';

export interface DeviceRule {
  allow: boolean;
  type: DeviceType;
  major: number; // -1 = any
  minor: number; // -1 = any
  access: string; // subset of "rwm"
}

// runc's AllowedDevices: mknod of any char/block device, the standard
// character devices, /dev/pts/* (136:*), /dev/ptmx (5:2), /dev/net/tun (10:200).
const DEFAULT_ALLOWED: { path?: string; rule: DeviceRule }[] = [
  { rule: { allow: true, type: 'c', major: -1, minor: -1, access: 'm' } },
  { rule: { allow: true, type: 'b', major: -1, minor: -1, access: 'm' } },
  { path: '/dev/null', rule: { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' } },
  { path: '/dev/random', rule: { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' } },
  { path: '/dev/full', rule: { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' } },
  { path: '/dev/tty', rule: { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' } },
  { path: '/dev/zero', rule: { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' } },
  { path: '/dev/urandom', rule: { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' } },
  { rule: { allow: true, type: 'c', major: 136, minor: -1, access: 'rwm' } },
  { rule: { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' } },
  { rule: { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' } },
];

function checkAccess(access: string, where: string): string {
  if (access === '') throw new Error(`${where}: device access cannot be empty`);
  if (!/^[rwm]+$/.test(access)) throw new Error(`${where}: invalid device access "${access}" (want letters of "rwm")`);
  return ['r', 'w', 'm'].filter((c) => access.includes(c)).join('');
}

/** One linux.resources.devices entry as a rule (type "a" and absent numbers mean any). */
export function ruleFromSpec(d: DeviceCgroup, index: number): DeviceRule {
  const type = d.type ?? 'a';
  if (type !== 'a' && type !== 'c' && type !== 'b') {
    throw new Error(`linux.resources.devices[${index}]: invalid device type "${type}"`);
  }
  return {
    allow: d.allow,
    type,
    major: d.major ?? -1,
    minor: d.minor ?? -1,
    access: checkAccess(d.access ?? '', `linux.resources.devices[${index}]`),
  };
}

/** The rules runc applies for a config: its cgroup device rules in order,
 *  then the default allow list minus entries whose path the config's
 *  linux.devices redefines. */
export function containerDeviceRules(resourceRules: DeviceCgroup[] | undefined, linuxDevices: Device[] | undefined): DeviceRule[] {
  const rules = (resourceRules ?? []).map(ruleFromSpec);
  const configured = new Set((linuxDevices ?? []).map((d) => d.path));
  for (const d of DEFAULT_ALLOWED) {
    if (d.path !== undefined && configured.has(d.path)) continue;
    rules.push({ ...d.rule });
  }
  return rules;
}

/** The v1 text for a rule: "c 1:3 rwm", "a" for a wildcard type. */
export function v1RuleText(r: DeviceRule): string {
  if (r.type === 'a') return 'a *:* rwm';
  const n = (x: number): string => (x < 0 ? '*' : String(x));
  return `${r.type} ${n(r.major)}:${n(r.minor)} ${r.access}`;
}

/** The v1 writes: deny everything (runc's starting point, so a config
 *  without a leading wildcard rule still gets only what it allows), then
 *  the rules in config order: [file, line]. */
export function v1DeviceWrites(rules: DeviceRule[]): [string, string][] {
  const writes: [string, string][] = [['devices.deny', 'a *:* rwm']];
  for (const r of rules) writes.push([r.allow ? 'devices.allow' : 'devices.deny', v1RuleText(r)]);
  return writes;
}

/** The effect of a rule list, as the v1 kernel keeps it: a default and
 *  exceptions to it, starting from deny-all as runc does. Same semantics as the kernel's devcgroup (a type "a"
 *  rule resets; a rule agreeing with the default removes access from the
 *  identical exception; otherwise it adds an exception). */
export interface DeviceRuleSet {
  defaultAllow: boolean;
  exceptions: DeviceRule[];
}

export function emulateDeviceRules(rules: DeviceRule[], start: DeviceRuleSet = { defaultAllow: false, exceptions: [] }): DeviceRuleSet {
  let defaultAllow = start.defaultAllow;
  let exceptions = start.exceptions.map((e) => ({ ...e }));
  for (const r of rules) {
    if (r.type === 'a') {
      defaultAllow = r.allow;
      exceptions = [];
      continue;
    }
    const same = exceptions.find((e) => e.type === r.type && e.major === r.major && e.minor === r.minor);
    if (r.allow === defaultAllow) {
      if (same) {
        same.access = [...same.access].filter((c) => !r.access.includes(c)).join('');
        if (same.access === '') exceptions = exceptions.filter((e) => e !== same);
      }
    } else if (same) {
      same.access = ['r', 'w', 'm'].filter((c) => same.access.includes(c) || r.access.includes(c)).join('');
    } else {
      exceptions.push({ ...r, allow: !defaultAllow });
    }
  }
  return { defaultAllow, exceptions };
}

// ---- eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) ----
// The kernel passes struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
// u32 minor; } in r1; access_type = (access << 16) | type. The program
// returns 1 to allow, 0 to deny.
export const BPF_DEVCG_DEV_BLOCK = 1;
export const BPF_DEVCG_DEV_CHAR = 2;
export const BPF_DEVCG_ACC_MKNOD = 1;
export const BPF_DEVCG_ACC_READ = 2;
export const BPF_DEVCG_ACC_WRITE = 4;

// The few instructions the device program needs (opcode = class|op|source).
const OP = {
  ldxMemW: 0x61, //  BPF_LDX | BPF_MEM | BPF_W
  and32Imm: 0x54, // BPF_ALU | BPF_AND | BPF_K
  rsh32Imm: 0x74, // BPF_ALU | BPF_RSH | BPF_K
  mov32Imm: 0xb4, // BPF_ALU | BPF_MOV | BPF_K
  mov32Reg: 0xbc, // BPF_ALU | BPF_MOV | BPF_X
  jneImm: 0x55, //   BPF_JMP | BPF_JNE | BPF_K
  jneReg: 0x5d, //   BPF_JMP | BPF_JNE | BPF_X
  exit: 0x95, //     BPF_JMP | BPF_EXIT
} as const;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** A forward jump to the next rule's block (resolved by the assembler). */
  toNextBlock?: boolean;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

/** The program for a rule list, as raw struct bpf_insn bytes (8 each, host
 *  little-endian). Each exception is a block: on mismatch jump to the next
 *  block, on match return the exception's verdict; the last block returns
 *  the default. */
export function deviceFilterProgram(rules: DeviceRule[]): Buffer {
  const set = emulateDeviceRules(rules);
  const blocks: Insn[][] = [];
  for (const e of set.exceptions) {
    const b: Insn[] = [];
    b.push({ ...insn(OP.jneImm, 2, 0, 0, e.type === 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK), toNextBlock: true });
    let acc = 0;
    if (e.access.includes('r')) acc |= BPF_DEVCG_ACC_READ;
    if (e.access.includes('w')) acc |= BPF_DEVCG_ACC_WRITE;
    if (e.access.includes('m')) acc |= BPF_DEVCG_ACC_MKNOD;
    if (acc !== 7) {
      // Matches only when the requested access is a subset of the rule's.
      b.push(insn(OP.mov32Reg, 1, 3, 0, 0));
      b.push(insn(OP.and32Imm, 1, 0, 0, acc));
      b.push({ ...insn(OP.jneReg, 1, 3, 0, 0), toNextBlock: true });
    }
    if (e.major >= 0) b.push({ ...insn(OP.jneImm, 4, 0, 0, e.major), toNextBlock: true });
    if (e.minor >= 0) b.push({ ...insn(OP.jneImm, 5, 0, 0, e.minor), toNextBlock: true });
    b.push(insn(OP.mov32Imm, 0, 0, 0, e.allow ? 1 : 0));
    b.push(insn(OP.exit, 0, 0, 0, 0));
    blocks.push(b);
  }
  const prologue: Insn[] = [
    insn(OP.ldxMemW, 2, 1, 0, 0), // r2 = type
    insn(OP.and32Imm, 2, 0, 0, 0xffff),
    insn(OP.ldxMemW, 3, 1, 0, 0), // r3 = access
    insn(OP.rsh32Imm, 3, 0, 0, 16),
    insn(OP.ldxMemW, 4, 1, 4, 0), // r4 = major
    insn(OP.ldxMemW, 5, 1, 8, 0), // r5 = minor
  ];
  const epilogue: Insn[] = [insn(OP.mov32Imm, 0, 0, 0, set.defaultAllow ? 1 : 0), insn(OP.exit, 0, 0, 0, 0)];
  const all: Insn[] = [...prologue];
  for (const b of blocks) {
    const base = all.length;
    const end = base + b.length; // index of the next block's first instruction
    b.forEach((x, i) => {
      if (x.toNextBlock) x.off = end - (base + i + 1); // relative to the next instruction
      all.push(x);
    });
  }
  all.push(...epilogue);
  const buf = Buffer.alloc(all.length * 8);
  all.forEach((x, i) => {
    buf.writeUInt8(x.code, i * 8);
    buf.writeUInt8(((x.src & 0xf) << 4) | (x.dst & 0xf), i * 8 + 1);
    buf.writeInt16LE(x.off, i * 8 + 2);
    buf.writeInt32LE(x.imm | 0, i * 8 + 4);
  });
  return buf;
}

/** Runs a program over one request, as the kernel would: for tests and
 *  for checking a program without loading it. */
export function evaluateDeviceProgram(prog: Buffer, type: 'c' | 'b', major: number, minor: number, access: string): boolean {
  let acc = 0;
  if (access.includes('r')) acc |= BPF_DEVCG_ACC_READ;
  if (access.includes('w')) acc |= BPF_DEVCG_ACC_WRITE;
  if (access.includes('m')) acc |= BPF_DEVCG_ACC_MKNOD;
  const ctx = [((acc << 16) | (type === 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK)) >>> 0, major >>> 0, minor >>> 0];
  const r = new Array<number>(11).fill(0);
  for (let pc = 0; pc < prog.length / 8; pc++) {
    const code = prog.readUInt8(pc * 8);
    const regs = prog.readUInt8(pc * 8 + 1);
    const dst = regs & 0xf;
    const src = regs >> 4;
    const off = prog.readInt16LE(pc * 8 + 2);
    const imm = prog.readInt32LE(pc * 8 + 4);
    switch (code) {
      case OP.ldxMemW: r[dst] = ctx[off / 4] ?? 0; break;
      case OP.and32Imm: r[dst] = ((r[dst] ?? 0) & imm) >>> 0; break;
      case OP.rsh32Imm: r[dst] = (r[dst] ?? 0) >>> imm; break;
      case OP.mov32Imm: r[dst] = imm >>> 0; break;
      case OP.mov32Reg: r[dst] = r[src] ?? 0; break;
      case OP.jneImm: if ((r[dst] ?? 0) !== imm >>> 0) pc += off; break;
      case OP.jneReg: if ((r[dst] ?? 0) !== (r[src] ?? 0)) pc += off; break;
      case OP.exit: return r[0] === 1;
      default: throw new Error(`device program: unknown opcode 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('device program: ran off the end');
}
