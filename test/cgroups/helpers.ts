// Shared test helpers: unique cgroup names, processes the test starts (and
// kills by pid in teardown), managers destroyed in teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCgroupManager, type CgroupManager, type CgroupManagerOptions } from '../../src/linux/cgroups/manager.js';

type Tap = { teardown(fn: () => void | Promise<void>): void };

let counter = 0;
export function uniqueId(tag: string): string {
  return `tsrunc-test-${tag}-${process.pid}-${++counter}`;
}

/** A manager on an absolute path /<id> unless given; destroyed (and its
 *  processes killed) in teardown. */
export function testManager(t: Tap, tag: string, extra: Partial<CgroupManagerOptions> = {}): CgroupManager {
  const id = uniqueId(tag);
  const m = openCgroupManager({ id, cgroupsPath: `/${id}`, ...extra });
  t.teardown(async () => {
    try {
      if (m.isFrozen()) m.thaw();
    } catch {
      // not created
    }
    for (const pid of safePids(m)) killQuiet(pid);
    await waitUntil(() => safePids(m).length === 0, 5000);
    m.destroy();
  });
  return m;
}

function safePids(m: CgroupManager): number[] {
  try {
    return m.pids();
  } catch {
    return [];
  }
}

export function killQuiet(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls without blocking the event loop (child output keeps flowing). */
export async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A busybox sh that waits for one line on stdin before running script, so
 *  it can be put into a cgroup first. Killed in teardown. */
export function gatedShell(
  t: Tap,
  script: string,
): {
  child: ChildProcess;
  pid: number;
  go(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Exited and its stdout/stderr read to the end ('exit' can come before the
   *  last output is read): wait for this before reading collect()'s output. */
  closed: Promise<void>;
} {
  const child = spawn('/bin/busybox', ['sh', '-c', `read _go; ${script}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('spawn busybox failed');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  t.teardown(() => killQuiet(pid));
  return { child, pid, go: () => child.stdin?.write('go\n'), exited, closed };
}

export function collect(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

export function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8').trim();
}

export { existsSync };

/** Opens /dev/null and /dev/kmsg (c 1:11, not in runc's default rules) and
 *  reports: "null-ok", dd's error if any, "kmsg-rc=<status>". */
export const DEVICE_PROBE =
  'dd if=/dev/null of=/dev/null count=0 2>/dev/null && echo null-ok; dd if=/dev/kmsg of=/dev/null count=0 2>&1; echo kmsg-rc=$?';
