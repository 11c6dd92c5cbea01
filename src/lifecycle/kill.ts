// `tsrunc kill <id> [signal]`: signal the init, or with --all every process
// of the container's cgroup.
import { RuntimeError } from '../errors.js';
import { openCgroupForState } from '../linux/cgroups/index.js';
import { parseSignal } from '../linux/signals.js';
import { containerStatus } from './status.js';
import type { StateStore } from './state-store.js';

export function killContainer(store: StateStore, id: string, signal: string | undefined, all: boolean): void {
  const sig = parseSignal(signal);
  const st = store.read(id);
  const status = containerStatus(store, st);
  // runc: `kill --all` of a stopped container still signals what is left in
  // its cgroup and succeeds (the CRI plugin sends it after the init exited).
  if (status === 'stopped' && !all) throw new RuntimeError('container not running');
  if (all) {
    try {
      openCgroupForState(st).killAll(sig);
    } catch (err) {
      if (status !== 'stopped') throw err;
    }
    return;
  }
  try {
    process.kill(st.pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') throw new RuntimeError('container not running');
    throw err;
  }
}
