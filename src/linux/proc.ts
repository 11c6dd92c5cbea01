// Reading /proc about processes tsrunc started.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  state: string;
  startTime: string;
}

/** Fields of /proc/<pid>/stat after the command name, or null if gone. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may contain spaces and parentheses: cut at the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
  return { state: rest[0] ?? '?', startTime: rest[19] ?? '' };
}

/** True if `pid` is the same live (non-zombie) process started at `startTime`. */
export function isSameLiveProcess(pid: number, startTime: string): boolean {
  if (pid <= 0) return false;
  const st = procStat(pid);
  if (!st || st.startTime !== startTime) return false;
  return st.state !== 'Z' && st.state !== 'X';
}

/** Waits (polling) until the process is gone or a zombie, up to timeoutMs. */
export function waitGone(pid: number, startTime: string, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  const sab = new Int32Array(new SharedArrayBuffer(4));
  let delay = 1;
  while (isSameLiveProcess(pid, startTime)) {
    if (Date.now() > deadline) return false;
    Atomics.wait(sab, 0, 0, delay);
    delay = Math.min(delay * 2, 20);
  }
  return true;
}
