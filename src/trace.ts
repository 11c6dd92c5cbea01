// `--trace` / TSRUNC_TRACE=1: where a call's time goes, phase by phase,
// printed to stderr at exit. Each mark ends the phase named by it.
import { performance } from 'node:perf_hooks';

const marks: { phase: string; at: number }[] = [];
let enabled = process.env.TSRUNC_TRACE === '1';

let base = 0;
let servedBy = '';

/** A warm worker's new call: no marks, times counted from now; the trace
 *  names the worker. */
export function resetTrace(worker: string): void {
  marks.length = 0;
  base = performance.now();
  servedBy = worker;
  enabled = process.env.TSRUNC_TRACE === '1';
}

export function enableTrace(): void {
  enabled = true;
}

/** Ends phase `phase` now (ms since the process started). */
export function mark(phase: string): void {
  marks.push({ phase, at: performance.now() - base });
}

export function traceEnabled(): boolean {
  return enabled;
}

export function printTrace(): void {
  if (!enabled || marks.length === 0) return;
  let prev = 0;
  const lines = marks.map(({ phase, at }) => {
    const line = `${phase.padEnd(28)} ${(at - prev).toFixed(1).padStart(7)} ms  (at ${at.toFixed(1)} ms)`;
    prev = at;
    return line;
  });
  process.stderr.write(`tsrunc trace${servedBy ? ` (${servedBy})` : ''}:\n  ${lines.join('\n  ')}\n`);
}
