// `tsrunc start`: release the init waiting on the exec FIFO so it execs the
// user process, then run poststart hooks (failures only warn).
import * as addon from '../linux/addon.js';
import { RuntimeError } from '../errors.js';
import { checkStartable } from '../spec/semantic.js';
import { runHooksWarnOnly } from './hooks.js';
import { killAndDestroy } from './delete.js';
import { containerStatus, hookState } from './status.js';
import type { StateStore } from './state-store.js';
import { mark } from '../trace.js';

const START_TIMEOUT_MS = 30_000;

export function startContainer(store: StateStore, id: string): void {
  const st = store.read(id);
  const status = containerStatus(store, st);
  switch (status) {
    case 'created':
      break;
    case 'stopped':
      throw new RuntimeError('cannot start a container that has stopped');
    case 'running':
    case 'paused':
      throw new RuntimeError(`cannot start an already ${status} container`);
    default:
      throw new RuntimeError(`cannot start a container in the ${status} state`);
  }
  const spec = store.readConfig(id);
  checkStartable(spec);
  mark('state + config read');
  const fifo = store.fifoPath(id);
  const report = addon.fifoStart(fifo, START_TIMEOUT_MS);
  if (report === null) throw new RuntimeError(`container ${id}: init did not open the exec fifo (did it die?)`);
  store.removeFifo(id);
  mark('exec fifo release');
  if (report !== '') {
    // A startContainer hook or the process setup failed: runtime.md step 7,
    // stop the container and continue at step 12 (destroy, poststop).
    killAndDestroy(store, id);
    throw new RuntimeError(report);
  }
  // runtime.md v1.3 step 9 says a failing poststart hook stops the container;
  // tsrunc keeps the earlier rule that it only warns, as the runtime-tools
  // suite checks (poststart_fail) and the project decided.
  runHooksWarnOnly('poststart', spec.hooks?.poststart, hookState(st, 'running'));
  mark('poststart hooks');
}
