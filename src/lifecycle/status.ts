// A container's status is derived from the live system, never stored:
// stopped if its init is gone (or the PID was reused), created while the exec
// FIFO exists, paused if its cgroup is frozen, else running.
import { existsSync } from 'node:fs';
import { isSameLiveProcess } from '../linux/proc.js';
import type { ContainerStatus, State } from '../spec/types.js';
import type { StateStore, StoredState } from './state-store.js';
import { openCgroupForState } from '../linux/cgroups/index.js';

/** The container's init still runs (stopped is everything else). */
export function initAlive(st: StoredState): boolean {
  return isSameLiveProcess(st.pid, st.pidStartTime);
}

export function containerStatus(store: StateStore, st: StoredState): ContainerStatus {
  if (!initAlive(st)) return 'stopped';
  if (existsSync(store.fifoPath(st.id))) return 'created';
  try {
    if (openCgroupForState(st).isFrozen()) return 'paused';
  } catch {
    // no freezer reachable: cannot be paused by us
  }
  return 'running';
}

/** The state as `tsrunc state` prints it (runc's field set). */
export interface PrintedState extends State {
  rootfs: string;
  created: string;
  owner: string;
}

export function printedState(store: StateStore, st: StoredState): PrintedState {
  const status = containerStatus(store, st);
  const out: PrintedState = {
    ociVersion: st.ociVersion,
    id: st.id,
    pid: status === 'stopped' ? 0 : st.pid,
    status,
    bundle: st.bundle,
    rootfs: st.rootfs,
    created: st.created,
    owner: st.owner,
  };
  if (st.annotations && Object.keys(st.annotations).length > 0) out.annotations = st.annotations;
  return out;
}

/** The spec's state object given to hooks (runtime.md "State"). */
export function hookState(st: StoredState, status: ContainerStatus): State {
  const out: State = {
    ociVersion: st.ociVersion,
    id: st.id,
    status,
    bundle: st.bundle,
  };
  if (status !== 'stopped' || st.pid > 0) out.pid = st.pid;
  if (st.annotations) out.annotations = st.annotations;
  return out;
}
