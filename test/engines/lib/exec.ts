// Runs engine CLIs with a hard timeout so a stuck engine fails the test with a
// clear message instead of hanging CI.
import { spawn } from 'node:child_process';

/**
 * Shared by one engine's calls: after one call times out (a hung runtime),
 * later calls fail at once with that reason instead of each waiting out its
 * own timeout, so a hung runtime fails the suite in seconds, not the CI budget.
 */
export interface Breaker {
  tripped?: string;
}

export interface RunOptions {
  timeoutMs?: number;
  breaker?: Breaker;
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
}

export interface RunResult {
  cmd: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

function describe(file: string, args: readonly string[]): string {
  const shown = [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a)));
  const text = shown.join(' ');
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

function tail(text: string, max = 2000): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed;
}

/** Runs a command to completion; rejects only on timeout or spawn failure. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cmd = describe(file, args);
  const started = Date.now();
  if (opts.breaker?.tripped !== undefined) {
    return Promise.reject(new Error(`not run (${cmd}): an earlier engine call timed out: ${opts.breaker.tripped}`));
  }
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout can kill the client and anything it forked.
    const child = spawn(file, [...args], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      if (timedOut) {
        if (opts.breaker) opts.breaker.tripped = `${cmd} (after ${timeoutMs} ms)`;
        reject(
          new Error(
            `timed out after ${timeoutMs} ms (killed): ${cmd}\n` +
              `stdout: ${tail(stdout) || '(empty)'}\nstderr: ${tail(stderr) || '(empty)'}`,
          ),
        );
        return;
      }
      resolve({ cmd, code, signal, stdout, stderr, ms });
    });
  });
}

/** Explains a finished command for an assertion or error message. */
export function explain(r: RunResult): string {
  const how = r.signal !== null ? `signal ${r.signal}` : `exit ${r.code}`;
  return `${r.cmd} → ${how}\nstdout: ${tail(r.stdout) || '(empty)'}\nstderr: ${tail(r.stderr) || '(empty)'}`;
}

/** Runs a command that must exit 0; the error says what ran and what it printed. */
export async function mustRun(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(file, args, opts);
  if (r.code !== 0) throw new Error(`command failed: ${explain(r)}`);
  return r;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown by a waitFor check to stop waiting at once (e.g. the daemon exited). */
export class GiveUp extends Error {}

/** Polls until check() returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
    }
    await sleep(200);
  }
}
