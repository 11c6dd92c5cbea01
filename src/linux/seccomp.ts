// linux.seccomp (config-linux.md "Seccomp") -> a BPF program compiled by
// libseccomp in the parent, before any fork. The init helper only loads it,
// as late as possible (just before execve), with `flags` passed to seccomp(2).
//
// Where the runtime-spec is silent this follows runc:
//  - SCMP_ACT_ERRNO / SCMP_ACT_TRACE without errnoRet return EPERM;
//  - `flags` absent: SECCOMP_FILTER_FLAG_SPEC_ALLOW if the kernel has it;
//    `flags: []`: none. SECCOMP_FILTER_FLAG_TSYNC is accepted and ignored
//    (the helper is single-threaded, there is nothing to synchronise);
//  - unknown syscall names are skipped (reported for a debug log);
//  - a rule whose action is the default action is skipped;
//  - SCMP_ACT_NOTIFY cannot be the default action nor apply to `write`.
//
//  - like runc's patchbpf, a stub in front of libseccomp's program returns
//    ENOSYS for syscalls above every one the profile names (newer than the
//    profile) when the default action denies (csrc/addon/seccomp_enosys.c).
import type { Seccomp, SeccompArg, SeccompSyscall } from '../spec/types.js';
import {
  seccompAddon,
  type NativeSeccompArg,
  type NativeSeccompError,
  type NativeSeccompRule,
} from './seccomp-addon.js';
import { compileNativeCached, type NativeCompiled } from './seccomp-cache.js';

export interface CompiledSeccomp {
  /** SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER), complete:
   *  SECCOMP_FILTER_FLAG_NEW_LISTENER is in it when `notify` is true. */
  flags: number;
  /** struct sock_filter[] in host byte order (8 bytes per instruction). */
  bpf: Buffer;
  /** Some rule uses SCMP_ACT_NOTIFY: the helper sends the listener fd. */
  notify: boolean;
  /** Syscall names libseccomp does not know, skipped (log at debug). */
  unknownSyscalls: string[];
  /** Length of the leading -ENOSYS stub in instructions (0: none). */
  enosysStub: number;
}

const EPERM = 1;
const SPEC_PATH = 'config.json: /linux/seccomp';

// Action values of seccomp.h (SECCOMP_RET_* as libseccomp spells them).
const ACT_KILL_THREAD = 0x00000000;
const ACT_KILL_PROCESS = 0x80000000;
const ACT_TRAP = 0x00030000;
const ACT_ERRNO = 0x00050000;
const ACT_TRACE = 0x7ff00000;
const ACT_LOG = 0x7ffc0000;
const ACT_ALLOW = 0x7fff0000;
const ACT_NOTIFY = 0x7fc00000;

const ACTIONS: Readonly<Record<string, number>> = {
  SCMP_ACT_KILL: ACT_KILL_THREAD,
  SCMP_ACT_KILL_THREAD: ACT_KILL_THREAD,
  SCMP_ACT_KILL_PROCESS: ACT_KILL_PROCESS,
  SCMP_ACT_TRAP: ACT_TRAP,
  SCMP_ACT_ERRNO: ACT_ERRNO,
  SCMP_ACT_TRACE: ACT_TRACE,
  SCMP_ACT_ALLOW: ACT_ALLOW,
  SCMP_ACT_LOG: ACT_LOG,
  SCMP_ACT_NOTIFY: ACT_NOTIFY,
};

// enum scmp_compare of seccomp.h.
const OPERATORS: Readonly<Record<string, number>> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

// runtime-spec architecture -> libseccomp's name for it. Whether the linked
// libseccomp knows it is checked when compiling (2.5.4 lacks the last four).
const ARCHES: Readonly<Record<string, string>> = {
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64',
  SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_PARISC: 'parisc',
  SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_RISCV64: 'riscv64',
  SCMP_ARCH_LOONGARCH64: 'loongarch64',
  SCMP_ARCH_M68K: 'm68k',
  SCMP_ARCH_SH: 'sh',
  SCMP_ARCH_SHEB: 'sheb',
};

// SECCOMP_FILTER_FLAG_* of linux/seccomp.h.
export const FILTER_FLAG_TSYNC = 1;
export const FILTER_FLAG_LOG = 2;
export const FILTER_FLAG_SPEC_ALLOW = 4;
export const FILTER_FLAG_NEW_LISTENER = 8;
export const FILTER_FLAG_WAIT_KILLABLE_RECV = 32;

// Spec flag -> the bit passed to seccomp(2); TSYNC is 0: see the top.
const FLAGS: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 0,
  SECCOMP_FILTER_FLAG_LOG: FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: FILTER_FLAG_WAIT_KILLABLE_RECV,
};

function fail(path: string, why: string): never {
  throw new Error(`${SPEC_PATH}${path}: ${why}`);
}

/** The action value, errno included; errnoRet only where the action has one. */
function actionValue(name: string, errnoRet: number | undefined, path: string, errPath: string): number {
  const base = ACTIONS[name];
  if (base === undefined) fail(path, `unknown action ${JSON.stringify(name)}`);
  if (base !== ACT_ERRNO && base !== ACT_TRACE) {
    if (errnoRet !== undefined) fail(errPath, `${name} takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)`);
    return base;
  }
  const errno = errnoRet ?? EPERM;
  if (!Number.isInteger(errno) || errno < 0 || errno > 0xffff) fail(errPath, `errno ${errno} is not in 0..65535`);
  return (base | errno) >>> 0;
}

function argValue(v: number | undefined, path: string): bigint {
  if (v === undefined) return 0n;
  if (!Number.isInteger(v) || v < 0) fail(path, `${v} is not an unsigned 64-bit integer`);
  return BigInt(v);
}

function convertArg(a: SeccompArg, path: string): NativeSeccompArg {
  const op = OPERATORS[a.op];
  if (op === undefined) fail(`${path}/op`, `unknown operator ${JSON.stringify(a.op)}`);
  if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) {
    fail(`${path}/index`, `argument index ${a.index} is not in 0..5`);
  }
  return { index: a.index, op, value: argValue(a.value, `${path}/value`), valueTwo: argValue(a.valueTwo, `${path}/valueTwo`) };
}

/** Flag bits; `flags` absent means SPEC_ALLOW where supported (runc). */
function filterFlags(s: Seccomp, notify: boolean): number {
  const { seccompFlagsSupported } = seccompAddon();
  if (s.flags === undefined) {
    return (seccompFlagsSupported(FILTER_FLAG_SPEC_ALLOW) === 0 ? FILTER_FLAG_SPEC_ALLOW : 0) |
      (notify ? FILTER_FLAG_NEW_LISTENER : 0);
  }
  let flags = notify ? FILTER_FLAG_NEW_LISTENER : 0;
  s.flags.forEach((name, i) => {
    const bit = FLAGS[name];
    if (bit === undefined) fail(`/flags/${i}`, `unknown flag ${JSON.stringify(name)}`);
    if (bit === FILTER_FLAG_WAIT_KILLABLE_RECV && !notify) {
      fail(`/flags/${i}`, `${name} needs a seccomp listener: no rule uses SCMP_ACT_NOTIFY`);
    }
    if (bit !== 0) {
      // WAIT_KILLABLE_RECV is only accepted together with NEW_LISTENER.
      const probe = bit === FILTER_FLAG_WAIT_KILLABLE_RECV ? bit | FILTER_FLAG_NEW_LISTENER : bit;
      const errno = seccompFlagsSupported(probe);
      if (errno !== 0) fail(`/flags/${i}`, `${name} is not supported by this kernel (errno ${errno})`);
    }
    flags |= bit;
  });
  return flags;
}

/** runc's rule: no default action and no syscalls means no seccomp at all. */
export function seccompRequested(s: Seccomp | undefined): s is Seccomp {
  return s !== undefined && !(!s.defaultAction && (s.syscalls ?? []).length === 0);
}

export interface CompileOptions {
  /** Remember compiled programs here (e.g. <root>/.seccomp-cache, 0700). */
  cacheDir?: string;
}

/** Compiles linux.seccomp; errors name the config path at fault. */
export function compileSeccomp(s: Seccomp, opts: CompileOptions = {}): CompiledSeccomp {
  const defaultAction = actionValue(s.defaultAction, s.defaultErrnoRet, '/defaultAction', '/defaultErrnoRet');
  if (defaultAction === ACT_NOTIFY) fail('/defaultAction', 'SCMP_ACT_NOTIFY cannot be the default action');

  const arches = (s.architectures ?? []).map((a, i) => {
    const name = ARCHES[a];
    if (name === undefined) fail(`/architectures/${i}`, `unknown architecture ${JSON.stringify(a)}`);
    return name;
  });

  // One native rule per syscall name; `origin` maps it back to the config.
  const rules: NativeSeccompRule[] = [];
  const origin: { path: string; name: string }[] = [];
  let notify = false;
  (s.syscalls ?? []).forEach((sc: SeccompSyscall, i) => {
    const path = `/syscalls/${i}`;
    const action = actionValue(sc.action, sc.errnoRet, `${path}/action`, `${path}/errnoRet`);
    const args = (sc.args ?? []).map((a, j) => convertArg(a, `${path}/args/${j}`));
    sc.names.forEach((name, j) => {
      if (name === '') fail(`${path}/names/${j}`, 'empty syscall name');
      if (action === ACT_NOTIFY) {
        // The helper must still write to the parent once the filter is in.
        if (name === 'write') fail(`${path}/names/${j}`, 'SCMP_ACT_NOTIFY cannot be used for the write syscall');
        notify = true;
      }
      rules.push({ name, action, args });
      origin.push({ path: `${path}/names/${j}`, name });
    });
  });
  if (notify && !s.listenerPath) fail('/listenerPath', 'SCMP_ACT_NOTIFY is used but listenerPath is not set');
  const flags = filterFlags(s, notify);

  let out: NativeCompiled;
  try {
    const spec = { defaultAction, arches, rules };
    out = opts.cacheDir ? compileNativeCached(spec, opts.cacheDir) : seccompAddon().seccompCompile(spec);
  } catch (e) {
    const err = e as NativeSeccompError;
    if (err.kind === 'arch') fail(`/architectures/${err.index}`, err.message);
    if (err.kind === 'rule') fail(origin[err.index]?.path ?? '/syscalls', err.message);
    if (err.kind === 'default') fail('/defaultAction', err.message);
    throw new Error(`${SPEC_PATH}: compiling the filter: ${err.message}`);
  }
  const unknownSyscalls = [...new Set(out.unknown.map((i) => origin[i]?.name ?? `#${i}`))];
  return { flags, bpf: out.bpf, notify, unknownSyscalls, enosysStub: out.stubInstructions };
}

/** Payload of the TSR_R_SECCOMP record (csrc/protocol.h): struct
 *  tsr_seccomp {u32 flags, ninstr, notify, reserved} + sock_filter[]. */
export function seccompRecordPayload(c: CompiledSeccomp): Buffer {
  // Host byte order, like the BPF libseccomp exported (both ends are local).
  const head = new Uint32Array([c.flags >>> 0, c.bpf.length / 8, c.notify ? 1 : 0, 0]);
  return Buffer.concat([Buffer.from(head.buffer), c.bpf]);
}

/** "2.5.4": the libseccomp statically linked into the addon. */
export function libseccompVersion(): string {
  return seccompAddon().libseccompVersion();
}

/** `tsrunc features` annotations, as runc reports its libseccomp. */
export function seccompFeatureAnnotations(): Record<string, string> {
  return { 'io.github.seccomp.libseccomp.version': libseccompVersion() };
}

export interface SeccompFeatures {
  enabled: boolean;
  actions: string[];
  operators: string[];
  archs: string[];
  knownFlags: string[];
  supportedFlags: string[];
}

/** The `linux.seccomp` object of `tsrunc features` (features-linux.md). */
export function seccompFeatures(): SeccompFeatures {
  const { seccompFlagsSupported } = seccompAddon();
  // Every architecture libseccomp knows (a filter may still only mix those
  // of the native byte order).
  const archs = Object.keys(ARCHES).filter((a) => seccompAddon().seccompArchKnown(ARCHES[a] ?? ''));
  const knownFlags = Object.keys(FLAGS);
  const supportedFlags = knownFlags.filter((f) => {
    const bit = FLAGS[f] ?? 0;
    const probe = bit === FILTER_FLAG_WAIT_KILLABLE_RECV ? bit | FILTER_FLAG_NEW_LISTENER : bit;
    return probe === 0 || seccompFlagsSupported(probe) === 0;
  });
  return {
    enabled: true,
    actions: Object.keys(ACTIONS).sort(),
    operators: Object.keys(OPERATORS).sort(),
    archs: archs.sort(),
    knownFlags,
    supportedFlags,
  };
}
