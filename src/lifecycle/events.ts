// `tsrunc events <id>`: runc's event stream on stdout, one JSON object a
// line. `--stats` prints one {"type":"stats","id","data"} and exits; else a
// stats event every --interval and an {"type":"oom","id"} as soon as the
// memory controller counts a new OOM kill, until the container stops.
import { RuntimeError } from '../errors.js';
import { writeStdout } from '../output.js';
import { openCgroupForState } from '../linux/cgroups/index.js';
import { containerStatus } from './status.js';
import type { StateStore } from './state-store.js';

export interface EventsOptions {
  id: string;
  stats: boolean;
  /** Seconds between stats events (runc's default: 5s). */
  intervalMs: number;
}

interface Event {
  type: 'stats' | 'oom';
  id: string;
  data?: unknown;
}

// OOM kills are polled this often (between stats events too).
const OOM_POLL_MS = 100;

function emit(e: Event): void {
  writeStdout(JSON.stringify(e) + '\n');
}

/** "5s", "500ms", "1m", "1.5s" (Go's time.ParseDuration units we need). */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new RuntimeError(`invalid duration "${text}"`);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
  if (ms <= 0) throw new RuntimeError('duration interval must be greater than 0');
  return ms;
}

export async function containerEvents(store: StateStore, o: EventsOptions): Promise<void> {
  const st = store.read(o.id);
  if (containerStatus(store, st) === 'stopped') throw new RuntimeError(`container ${o.id} is not running`);
  const cg = openCgroupForState(st);
  if (o.stats) {
    emit({ type: 'stats', id: o.id, data: cg.stats() });
    return;
  }
  let ooms = cg.oomKillCount();
  let nextStats = Date.now();
  for (;;) {
    // OOM first: a container whose init was OOM-killed has stopped already.
    const count = safeOomCount(() => cg.oomKillCount(), ooms);
    if (count > ooms) emit({ type: 'oom', id: o.id });
    ooms = count;
    if (containerStatus(store, st) === 'stopped') return;
    if (Date.now() >= nextStats) {
      try {
        emit({ type: 'stats', id: o.id, data: cg.stats() });
      } catch (err) {
        // The container may have gone between the check and the read.
        if (containerStatus(store, st) === 'stopped') return;
        throw err;
      }
      nextStats = Date.now() + o.intervalMs;
    }
    await new Promise((r) => setTimeout(r, Math.min(OOM_POLL_MS, Math.max(1, nextStats - Date.now()))));
  }
}

function safeOomCount(f: () => number, previous: number): number {
  try {
    return f();
  } catch {
    return previous; // cgroup removed meanwhile
  }
}
