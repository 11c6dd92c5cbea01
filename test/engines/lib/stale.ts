// Residue of earlier runs of this harness whose test process was killed before
// its teardown (e.g. by the tap timeout): daemons die with the test process
// (pdeathsig) but containerd shims, conmon, containers, mounts and cgroups stay.
// Each run's things carry its engine and PID in their names, so a dead PID
// identifies them exactly.
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killLeftovers, removeCgroups, removeDir, unmountUnder } from './cleanup.js';

interface StaleRun {
  engine: string;
  pid: number;
  dirs: string[];
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

function staleRuns(): StaleRun[] {
  const runs = new Map<string, StaleRun>();
  const add = (engine: string, pid: number, dir: string): void => {
    if (alive(pid)) return;
    const key = `${engine}-${pid}`;
    const run = runs.get(key) ?? { engine, pid, dirs: [] };
    run.dirs.push(dir);
    runs.set(key, run);
  };
  for (const name of readdirSync('/run')) {
    const m = /^tsrunc-test-([a-z]+)-(\d+)$/.exec(name);
    if (m) add(m[1]!, Number(m[2]), join('/run', name));
  }
  for (const name of readdirSync(tmpdir())) {
    const m = /^tsrunc-engines-([a-z]+)-(\d+)-\w+$/.exec(name);
    if (m) add(m[1]!, Number(m[2]), join(tmpdir(), name));
  }
  return [...runs.values()];
}

/**
 * In CI (the machine is CI's own) removes what dead earlier runs left; elsewhere
 * only reports it, since those runs may belong to someone else.
 * Returns one line per stale run, for a test comment.
 */
export async function handleStaleRuns(): Promise<string[]> {
  const notes: string[] = [];
  for (const run of staleRuns()) {
    if (!process.env.CI) {
      notes.push(`left by a dead run (pid ${run.pid}, not removed outside CI): ${run.dirs.join(' ')}`);
      continue;
    }
    for (const dir of run.dirs) await killLeftovers(dir);
    const problems = await unmountUnder(run.dirs);
    problems.push(...(await removeCgroups(`/tsrunc-test-${run.engine}-${run.pid}`)));
    for (const dir of run.dirs) problems.push(...removeDir(dir));
    notes.push(`removed what a dead run (pid ${run.pid}) left: ${run.dirs.join(' ')}${problems.length ? ` (problems: ${problems.join('; ')})` : ''}`);
  }
  return notes;
}
