// Shared shape of an engine test file: daemons tied to the test process, and
// a suite body whose failure is reported (so t.teardown still cleans up)
// instead of crashing the process past its teardown.
import { spawn, ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { handleStaleRuns } from './stale.js';

interface Failable {
  fail(message: string): unknown;
  comment(...message: unknown[]): unknown;
}

/**
 * Runs the suite body after dealing with what killed earlier runs left; a
 * throw becomes one clear failure, then teardown runs.
 */
export async function runSuite(t: Failable, name: string, body: () => Promise<void>): Promise<void> {
  try {
    for (const note of await handleStaleRuns()) t.comment(note);
    await body();
  } catch (err) {
    t.fail(`${name} suite stopped: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Starts a daemon with its output in logFile. setpriv --pdeathsig makes the
 * kernel SIGKILL it if this test process dies without its teardown (e.g.
 * killed on timeout), so no daemon outlives a crashed test run.
 */
export function spawnDaemon(binary: string, args: readonly string[], logFile: string): ChildProcess {
  const logFd = openSync(logFile, 'a');
  try {
    const child = spawn('/usr/bin/setpriv', ['--pdeathsig', 'SIGKILL', '--', binary, ...args], {
      stdio: ['ignore', logFd, logFd],
    });
    if (child.pid === undefined) throw new Error(`cannot start ${binary}`);
    child.unref();
    return child;
  } finally {
    closeSync(logFd);
  }
}

/**
 * One teardown step: whatever it returns (a list of problems) or throws is
 * collected, and the next steps still run.
 */
export async function cleanupStep(problems: string[], what: string, step: () => Promise<string[] | void> | string[] | void): Promise<void> {
  try {
    const found = await step();
    if (found) problems.push(...found);
  } catch (err) {
    problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
