// Signal names and numbers as `kill` accepts them (runc: KILL, SIGKILL, 9).
import { constants } from 'node:os';
import { RuntimeError } from '../errors.js';

const SIGNALS: Record<string, number> = constants.signals as unknown as Record<string, number>;

export function parseSignal(raw: string | undefined): number {
  if (raw === undefined || raw === '') return SIGNALS.SIGTERM ?? 15;
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n < 0 || n > 64) throw new RuntimeError(`invalid signal "${raw}"`);
    return n;
  }
  const upper = raw.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const off = Number(rt[1] ?? 0);
    const n = name.startsWith('SIGRTMIN') ? 34 + off : 64 - off;
    if (n >= 34 && n <= 64) return n;
  }
  const n = SIGNALS[name];
  if (n === undefined) throw new RuntimeError(`unknown signal "${raw}"`);
  return n;
}

export function signalName(n: number): string {
  for (const [name, num] of Object.entries(SIGNALS)) if (num === n) return name;
  return String(n);
}
