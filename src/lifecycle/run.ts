// `tsrunc run`: create + start; in the foreground it waits for the container
// (tsrunc is the subreaper of its init), forwards signals, wires a terminal,
// then deletes the container and exits with its status.
import * as addon from '../linux/addon.js';
import { log } from '../log.js';
import { mark } from '../trace.js';
import { createContainer, type CreateOptions } from './create.js';
import { deleteContainer } from './delete.js';
import { startContainer } from './start.js';
import { wireTerminal } from './terminal.js';
import type { StateStore } from './state-store.js';

export interface RunOptions extends CreateOptions {
  detach: boolean;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGCONT'];

export async function runContainer(store: StateStore, opts: RunOptions): Promise<number> {
  if (!opts.detach) addon.setChildSubreaper();
  let consolePair: [number, number] | undefined;
  if (!opts.consoleSocket && !opts.detach) consolePair = addon.socketpair();
  let created;
  try {
    created = createContainer(store, { ...opts, ownConsole: consolePair?.[1] });
  } finally {
    if (consolePair) addon.close(consolePair[1]);
  }
  const { state, spec } = created;
  let master = -1;
  try {
    if (consolePair && spec.process?.terminal) master = addon.recvFd(consolePair[0], 10_000);
    startContainer(store, opts.id);
  } catch (err) {
    if (consolePair) addon.close(consolePair[0]);
    deleteContainer(store, opts.id, true);
    throw err;
  }
  if (consolePair) addon.close(consolePair[0]);
  if (opts.detach) return 0;

  const pid = state.pid;
  const forward = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // exited
    }
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  const restoreTerminal = master >= 0 ? wireTerminal(master) : undefined;
  const res = await addon.waitpidAsync(pid, FORWARDED);
  mark('container ran (waitpid)');
  for (const sig of FORWARDED) process.off(sig, forward);
  restoreTerminal?.();
  try {
    deleteContainer(store, opts.id, true);
  } catch (err) {
    log.warn(`removing container ${opts.id} after it exited: ${(err as Error).message}`);
  }
  mark('delete');
  if (res.signal !== null) return 128 + res.signal;
  return res.exitCode ?? 0;
}
