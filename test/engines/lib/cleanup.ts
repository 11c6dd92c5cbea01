// Teardown that must work even after a failed test: stop what our daemons left
// (processes, mounts, cgroups), identified only by our own unique paths.
import { existsSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, sleep } from './exec.js';

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function mountPointsUnder(dirs: readonly string[]): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => unescapeMountPath(l.split(' ')[4] ?? ''));
  const under = points.filter((p) => dirs.some((d) => p === d || p.startsWith(`${d}/`)));
  // Deepest first, so parents become unmountable.
  return [...new Set(under)].sort((a, b) => b.split('/').length - a.split('/').length);
}

/** Unmounts everything mounted at or below the given dirs (lazily if busy). */
export async function unmountUnder(dirs: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (let round = 0; round < 3; round++) {
    const points = mountPointsUnder(dirs);
    if (points.length === 0) return problems;
    for (const p of points) {
      const r = await run('umount', [p], { timeoutMs: 15_000 });
      if (r.code !== 0) {
        const lazy = await run('umount', ['-l', p], { timeoutMs: 15_000 });
        if (lazy.code !== 0 && round === 2) problems.push(`umount ${p}: ${lazy.stderr.trim()}`);
      }
    }
  }
  const left = mountPointsUnder(dirs);
  if (left.length > 0) problems.push(`still mounted: ${left.join(', ')}`);
  return problems;
}

function pidsWhoseCmdlineMentions(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) found.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/**
 * SIGKILLs processes our daemons forked that outlived them (containerd shims,
 * conmon), found by a path unique to this test run in their command line.
 */
export async function killLeftovers(marker: string): Promise<number[]> {
  if (marker.length < 12) throw new Error(`marker ${marker} too unspecific to pick processes by`);
  const pids = pidsWhoseCmdlineMentions(marker);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (pids.length > 0) await sleep(300);
  return pids;
}

/** Stops a daemon we started: SIGTERM, then SIGKILL after graceMs. */
export async function stopPid(pid: number, graceMs: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^\d+ \(.*\) Z/.test(stat);
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) {
    process.kill(pid, 'SIGKILL');
    while (alive()) await sleep(50);
  }
}

const CGROUP_ROOT = '/sys/fs/cgroup';

function cgroupHierarchies(): string[] {
  return readdirSync(CGROUP_ROOT)
    .map((n) => join(CGROUP_ROOT, n))
    .filter((p) => {
      try {
        return statSync(p).isDirectory() && existsSync(join(p, 'cgroup.procs'));
      } catch {
        return false;
      }
    });
}

function removeCgroupTree(dir: string): void {
  for (const child of readdirSync(dir, { withFileTypes: true })) {
    if (child.isDirectory()) removeCgroupTree(join(dir, child.name));
  }
  // A test that failed mid-pause leaves the cgroup frozen: SIGKILL waits for a thaw.
  const freezer = join(dir, 'freezer.state');
  if (existsSync(freezer) && readFileSync(freezer, 'utf8').trim() !== 'THAWED') writeFileSync(freezer, 'THAWED');
  const procs = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  for (const pid of procs) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmdirSync(dir);
}

/**
 * Removes the cgroup subtree our engines made under `parent` (e.g.
 * "/tsrunc-test-docker-123") in every hierarchy, killing what is still in it.
 */
export async function removeCgroups(parent: string): Promise<string[]> {
  if (!/^\/tsrunc-test-[\w.-]+$/.test(parent)) throw new Error(`refusing to remove cgroup ${parent}`);
  const problems: string[] = [];
  for (const h of cgroupHierarchies()) {
    const dir = join(h, parent);
    if (!existsSync(dir)) continue;
    let lastError = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        removeCgroupTree(dir);
        lastError = '';
        break;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        await sleep(100);
      }
    }
    if (lastError) problems.push(`cgroup ${dir}: ${lastError}`);
  }
  return problems;
}

export function removeDir(dir: string): string[] {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    return [];
  } catch (err) {
    return [`rm -rf ${dir}: ${err instanceof Error ? err.message : String(err)}`];
  }
}
