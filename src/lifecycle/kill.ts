// `tsrunc kill <id> [signal]`: signal the init, or with --all every process
// of the container's cgroup.
import { RuntimeError } from '../errors.js';
import { openCgroupForState } from '../linux/cgroups/index.js';
import { parseSignal } from '../linux/signals.js';
import { containerStatus, initAlive } from './status.js';
import type { StateStore, StoredState } from './state-store.js';

const SIGKILL = 9;

export function killContainer(store: StateStore, id: string, signal: string | undefined, all: boolean): void {
  const sig = parseSignal(signal);
  const st = store.read(id);
  // Only "stopped or not" matters here (the freezer is read for SIGKILL
  // alone), so the common case reads no cgroup at all.
  const alive = initAlive(st);
  // runc: `kill --all` of a stopped container still signals what is left in
  // its cgroup and succeeds (the CRI plugin sends it after the init exited).
  if (!alive && !all) throw new RuntimeError('container not running');
  if (all) {
    try {
      openCgroupForState(st).killAll(sig);
    } catch (err) {
      if (alive) throw err;
    }
  } else {
    try {
      process.kill(st.pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') throw new RuntimeError('container not running');
      throw err;
    }
  }
  // As runc: a frozen process takes SIGKILL only once thawed (cgroup v1's
  // freezer), so a paused container that is killed is thawed to die.
  if (sig === SIGKILL && alive && containerStatus(store, st) === 'paused') thawQuietly(st);
}

function thawQuietly(st: StoredState): void {
  try {
    openCgroupForState(st).thaw();
  } catch {
    // it dies on `resume` or `delete --force` instead
  }
}
