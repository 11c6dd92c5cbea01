// `--trace` / TSRUNC_TRACE=1: where a call's time goes, phase by phase,
// printed to stderr at exit. Each mark ends the phase named by it. Marks are
// taken with process.hrtime (perf_hooks costs every call ~1 ms to load); they
// are turned into ms since the process started only when printed.
import { writeStderr } from './output.js';

const marks: { phase: string; at: bigint }[] = [];
let enabled = process.env.TSRUNC_TRACE === '1';

/** Set by a warm worker: its call's times count from then. */
let base: bigint | undefined;
let servedBy = '';

/** A warm worker's new call: no marks, times counted from now; the trace
 *  names the worker. */
export function resetTrace(worker: string): void {
  marks.length = 0;
  base = process.hrtime.bigint();
  servedBy = worker;
  enabled = process.env.TSRUNC_TRACE === '1';
}

export function enableTrace(): void {
  enabled = true;
}

/** Ends phase `phase` now (ms since the process started). */
export function mark(phase: string): void {
  marks.push({ phase, at: process.hrtime.bigint() });
}

export function traceEnabled(): boolean {
  return enabled;
}

export function printTrace(): void {
  if (!enabled || marks.length === 0) return;
  const now = process.hrtime.bigint();
  // The process start in hrtime terms: now minus performance.now().
  const origin = base ?? now - BigInt(Math.round(globalThis.performance.now() * 1e6));
  let prev = 0;
  const lines = marks.map((m) => {
    const phase = m.phase;
    const at = Number(m.at - origin) / 1e6;
    const line = `${phase.padEnd(28)} ${(at - prev).toFixed(1).padStart(7)} ms  (at ${at.toFixed(1)} ms)`;
    prev = at;
    return line;
  });
  writeStderr(`tsrunc trace${servedBy ? ` (${servedBy})` : ''}:\n  ${lines.join('\n  ')}\n`);
}
