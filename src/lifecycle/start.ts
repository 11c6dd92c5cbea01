// `tsrunc start`: release the init waiting on the exec FIFO so it execs the
// user process, then run poststart hooks (failures only warn).
import { rmSync } from 'node:fs';
import * as addon from '../linux/addon.js';
import { RuntimeError } from '../errors.js';
import { checkStartable } from '../spec/semantic.js';
import { runHooksWarnOnly } from './hooks.js';
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
  if (!addon.fifoRelease(fifo, START_TIMEOUT_MS)) {
    throw new RuntimeError(`container ${id}: init did not open the exec fifo (did it die?)`);
  }
  rmSync(fifo, { force: true });
  mark('exec fifo release');
  runHooksWarnOnly('poststart', spec.hooks?.poststart, hookState(st, 'running'));
  mark('poststart hooks');
}
