// `tsrunc delete [--force] <id>`: only a stopped container may be deleted
// (runtime.md), unless forced; runs poststop hooks, removes cgroups and state.
import { RuntimeError } from '../errors.js';
import { log } from '../log.js';
import { openCgroupForState } from '../linux/cgroups/index.js';
import { waitGone } from '../linux/proc.js';
import { runHooksWarnOnly } from './hooks.js';
import { containerStatus, hookState } from './status.js';
import type { StateStore } from './state-store.js';
import { NotExistError } from '../errors.js';

export function deleteContainer(store: StateStore, id: string, force: boolean): void {
  let st;
  try {
    st = store.read(id);
  } catch (err) {
    // A create that died before writing state.json leaves only a directory.
    if (err instanceof NotExistError && force) {
      store.remove(id);
      return;
    }
    throw err;
  }
  const status = containerStatus(store, st);
  if (status !== 'stopped') {
    if (!force) throw new RuntimeError(`cannot delete container ${id} that is not stopped: ${status}`);
    const cg = openCgroupForState(st);
    if (status === 'paused') cg.thaw();
    try {
      process.kill(st.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    for (const pid of safePids(() => cg.pids())) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (!waitGone(st.pid, st.pidStartTime, 10_000)) throw new RuntimeError(`container ${id}: init ${st.pid} did not die`);
  }
  destroy(store, id);
}

function safePids(f: () => number[]): number[] {
  try {
    return f();
  } catch {
    return [];
  }
}

/** Removes a stopped container: cgroups it created, state, then poststop. */
function destroy(store: StateStore, id: string): void {
  const st = store.read(id);
  let spec;
  try {
    spec = store.readConfig(id);
  } catch {
    spec = undefined;
  }
  const cg = openCgroupForState(st);
  // Processes of the container that outlived init (no pid namespace) go too.
  for (const pid of safePids(() => cg.pids())) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  try {
    cg.destroy();
  } catch (err) {
    log.warn(`removing cgroups of ${id}: ${(err as Error).message}`);
  }
  store.remove(id);
  runHooksWarnOnly('poststop', spec?.hooks?.poststop, hookState(st, 'stopped'));
}
