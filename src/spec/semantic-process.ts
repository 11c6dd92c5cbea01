// Semantic checks of a process object (config.json's `process` or a standalone
// `exec --process` file) that the schema cannot express.

import { ConfigError, pointer } from './errors.js';
import { LINUX_CAPABILITIES, LINUX_RLIMITS } from './linux-names.js';
import type { Process } from './types.js';

/** Where problems go: errors throw, warnings are collected for the caller to log. */
export class CheckContext {
  readonly warnings: string[] = [];
  /**
   * @param strictCapabilities refuse unknown capability names instead of
   *   warning (config.md asks for a warning; runc warns too).
   */
  constructor(
    readonly file = 'config.json',
    readonly strictCapabilities = false,
  ) {}

  fail(ptr: string, rule: string): never {
    throw new ConfigError(ptr, rule, this.file);
  }

  warn(ptr: string, text: string): void {
    this.warnings.push(`${this.file}: ${ptr === '' ? '/' : ptr}: ${text}`);
  }
}

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

const CPU_LIST = /^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/;

/** Checks a kernel list such as "0-3,7" (cpus, mems, nodes); '' means none. */
export function isCpuList(text: string): boolean {
  if (text === '') return true;
  if (!CPU_LIST.test(text)) return false;
  return text.split(',').every((part) => {
    const [lo, hi] = part.split('-').map((s) => Number(s.trim()));
    return hi === undefined || (lo !== undefined && lo <= hi);
  });
}

const KNOWN_CAPS = new Set(LINUX_CAPABILITIES);
const KNOWN_RLIMITS = new Set(LINUX_RLIMITS);
const CAP_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

/**
 * Checks `proc` found at JSON pointer `base` ('' for a standalone process file,
 * '/process' inside config.json). Linux rules: args non-empty, cwd absolute,
 * user.uid and user.gid present.
 */
export function checkProcess(proc: Process, base: string, ctx: CheckContext): void {
  const at = (...tokens: (string | number)[]): string => base + pointer(...tokens);

  // config.md: args is OPTIONAL only on Windows; elsewhere at least one entry is REQUIRED.
  if (proc.args === undefined) ctx.fail(at('args'), 'is required');
  if (proc.args.length === 0) ctx.fail(at('args'), 'must be a non-empty array');
  if (proc.args[0] === '') ctx.fail(at('args', 0), 'must not be empty (it is the program to run)');
  if (!isAbsolute(proc.cwd)) ctx.fail(at('cwd'), 'must be an absolute path');

  // config.md "POSIX-platform User": uid and gid are REQUIRED.
  if (proc.user === undefined) ctx.fail(at('user'), 'is required');
  if (proc.user.uid === undefined) ctx.fail(at('user', 'uid'), 'is required');
  if (proc.user.gid === undefined) ctx.fail(at('user', 'gid'), 'is required');
  if (proc.user.umask !== undefined && proc.user.umask > 0o777) {
    ctx.fail(at('user', 'umask'), 'must be at most 511 (0777)');
  }

  (proc.env ?? []).forEach((kv, i) => {
    const eq = kv.indexOf('=');
    // runc refuses these too: execve would pass a string no program can parse.
    if (eq < 0) ctx.fail(at('env', i), 'must have the form KEY=value');
    if (eq === 0) ctx.fail(at('env', i), 'must have a non-empty name before "="');
    if (kv.includes('\0')) ctx.fail(at('env', i), 'must not contain a NUL byte');
  });

  const caps = proc.capabilities ?? {};
  for (const set of CAP_SETS) {
    (caps[set] ?? []).forEach((name, i) => {
      // config.md: values that cannot be mapped to a kernel interface MUST be
      // logged as a warning and SHOULD NOT fail the container (runc does the same).
      if (KNOWN_CAPS.has(name)) return;
      if (ctx.strictCapabilities) ctx.fail(at('capabilities', set, i), `unknown capability "${name}"`);
      ctx.warn(at('capabilities', set, i), `unknown capability "${name}" is ignored`);
    });
  }

  checkRlimits(proc, at, ctx);

  if (proc.oomScoreAdj !== undefined && (proc.oomScoreAdj < -1000 || proc.oomScoreAdj > 1000)) {
    ctx.fail(at('oomScoreAdj'), 'must be between -1000 and 1000');
  }
  checkScheduler(proc, at, ctx);
  if (proc.ioPriority?.priority !== undefined && (proc.ioPriority.priority < 0 || proc.ioPriority.priority > 7)) {
    ctx.fail(at('ioPriority', 'priority'), 'must be between 0 (highest) and 7 (lowest)');
  }
  for (const key of ['initial', 'final'] as const) {
    const list = proc.execCPUAffinity?.[key];
    if (list !== undefined && !isCpuList(list)) ctx.fail(at('execCPUAffinity', key), 'must be a CPU list such as "0-3,7"');
  }
}

function checkRlimits(proc: Process, at: (...t: (string | number)[]) => string, ctx: CheckContext): void {
  const seen = new Map<string, number>();
  (proc.rlimits ?? []).forEach((rl, i) => {
    if (!KNOWN_RLIMITS.has(rl.type)) {
      ctx.fail(at('rlimits', i, 'type'), `unknown resource limit "${rl.type}" (known: ${LINUX_RLIMITS.join(', ')})`);
    }
    const first = seen.get(rl.type);
    // config.md: duplicated entries with the same type MUST generate an error.
    if (first !== undefined) ctx.fail(at('rlimits', i, 'type'), `duplicates ${rl.type} of ${at('rlimits', first)}`);
    seen.set(rl.type, i);
    if (rl.soft > rl.hard) ctx.fail(at('rlimits', i, 'soft'), 'must not exceed the hard limit');
  });
}

function checkScheduler(proc: Process, at: (...t: (string | number)[]) => string, ctx: CheckContext): void {
  const s = proc.scheduler;
  if (s === undefined) return;
  if (s.nice !== undefined && (s.nice < -20 || s.nice > 19)) ctx.fail(at('scheduler', 'nice'), 'must be between -20 and 19');
  const realtime = s.policy === 'SCHED_FIFO' || s.policy === 'SCHED_RR';
  const priority = s.priority ?? 0;
  // sched_setattr(2): static priority 1..99 for real-time policies, 0 otherwise.
  if (realtime && (priority < 1 || priority > 99)) {
    ctx.fail(at('scheduler', 'priority'), `must be between 1 and 99 for ${s.policy}`);
  }
  if (!realtime && priority !== 0) ctx.fail(at('scheduler', 'priority'), `must be 0 for ${s.policy}`);
  if (s.policy === 'SCHED_DEADLINE') {
    const runtime = s.runtime ?? 0;
    const deadline = s.deadline ?? 0;
    const period = s.period ?? 0;
    if (runtime === 0) ctx.fail(at('scheduler', 'runtime'), 'must be set (> 0) for SCHED_DEADLINE');
    if (deadline !== 0 && runtime > deadline) ctx.fail(at('scheduler', 'runtime'), 'must not exceed the deadline');
    if (period !== 0 && deadline > period) ctx.fail(at('scheduler', 'deadline'), 'must not exceed the period');
  } else {
    for (const key of ['runtime', 'deadline', 'period'] as const) {
      if ((s[key] ?? 0) !== 0) ctx.fail(at('scheduler', key), 'is only valid with SCHED_DEADLINE');
    }
  }
}
