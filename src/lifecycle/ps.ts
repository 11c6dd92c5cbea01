// `tsrunc ps <id>`: the container's processes, from its cgroup. JSON is the
// list of pids (containerd reads that); the table is the host's `ps` output
// filtered to those pids, as runc prints it.
import { execFileSync } from 'node:child_process';
import { RuntimeError } from '../errors.js';
import { openCgroupForState } from '../linux/cgroups/index.js';
import { containerStatus } from './status.js';
import type { StateStore } from './state-store.js';

export function containerPids(store: StateStore, id: string): number[] {
  const st = store.read(id);
  if (containerStatus(store, st) === 'stopped') return [];
  return openCgroupForState(st).pids();
}

export function psTable(pids: number[], psArgs: string[]): string {
  const args = psArgs.length > 0 ? psArgs : ['-ef'];
  let out: string;
  try {
    out = execFileSync('ps', args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...process.env } });
  } catch (err) {
    throw new RuntimeError(`running ps ${args.join(' ')}: ${(err as Error).message}`);
  }
  const lines = out.split('\n');
  const header = lines[0] ?? '';
  const pidCol = header.trim().split(/\s+/).indexOf('PID');
  if (pidCol < 0) throw new RuntimeError(`ps ${args.join(' ')}: no PID column in its output`);
  const wanted = new Set(pids);
  const rows = lines.slice(1).filter((l) => wanted.has(Number(l.trim().split(/\s+/)[pidCol])));
  return [header, ...rows].join('\n') + '\n';
}
