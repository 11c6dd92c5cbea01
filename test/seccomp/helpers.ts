// Shared by the seccomp tests: builds test/seccomp/load-and-exec.c with gcc
// at test time (into a temp dir the test removes) and runs compiled filters
// through it, so enforcement is checked against the real kernel.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { compileSeccomp, type CompiledSeccomp } from '../../src/linux/seccomp.js';
import type { Seccomp } from '../../src/spec/types.js';

/** The repository root, from dist/test/seccomp/ or test/seccomp/. */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${join('dist', 'test')}`) ? '../../..' : '../..';
  return resolve(here, up);
}

export interface Harness {
  dir: string;
  /** load-and-exec: loads a filter, then execs or makes one syscall */
  exe: string;
  /** listener: a seccomp agent for listenerPath */
  listener: string;
}

function gcc(source: string, out: string): void {
  execFileSync('gcc', ['-O2', '-Wall', '-o', out, join(repoRoot(), 'test/seccomp', source)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Builds the test programs into a fresh temp dir, removed at teardown. */
export function buildHarness(t: Test): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-seccomp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const exe = join(dir, 'load-and-exec');
  const listener = join(dir, 'listener');
  gcc('load-and-exec.c', exe);
  gcc('listener.c', listener);
  return { dir, exe, listener };
}

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let counter = 0;

/** Writes the compiled filter and runs load-and-exec with it. */
export function runFiltered(h: Harness, compiled: CompiledSeccomp, mode: string[], opts: string[] = []): RunResult {
  const bpf = join(h.dir, `filter-${counter++}.bpf`);
  writeFileSync(bpf, compiled.bpf);
  const r = spawnSync(h.exe, [...opts, bpf, String(compiled.flags), ...mode], {
    encoding: 'utf8',
    timeout: 20_000,
    cwd: h.dir,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Compiles `s`, then makes one raw x86_64 syscall under it. */
export function syscallUnder(h: Harness, s: Seccomp, nr: number, args: (number | bigint)[] = [], opts: string[] = []): RunResult {
  return runFiltered(h, compileSeccomp(s), ['--syscall', String(nr), ...args.map(String)], opts);
}

/** "ret=R errno=E" of load-and-exec, parsed. */
export function parseRet(r: RunResult): { ret: number; errno: number } {
  const m = /ret=(-?\d+) errno=(\d+)/.exec(r.stdout);
  if (!m) throw new Error(`no result: status ${r.status} signal ${r.signal} stdout ${r.stdout} stderr ${r.stderr}`);
  return { ret: Number(m[1]), errno: Number(m[2]) };
}

/** x86_64 syscall numbers used by the tests. */
export const NR = {
  getpid: 39,
  getppid: 110,
  mkdir: 83,
  io_uring_setup: 425,
  add_key: 248,
  kexec_load: 246,
  bpf: 321,
} as const;

/** i386 numbers, for int $0x80 from a 64-bit process. */
export const NR_I386 = {
  getpid: 20,
  mkdir: 39,
} as const;

export const EPERM = 1;
export const ENOSYS = 38;
