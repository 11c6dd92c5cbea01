// `tsrunc pause` / `resume`: freeze and thaw the container's cgroup.
import { RuntimeError } from '../errors.js';
import { openCgroupForState } from '../linux/cgroups/index.js';
import { containerStatus } from './status.js';
import type { StateStore } from './state-store.js';

export function pauseContainer(store: StateStore, id: string): void {
  const st = store.read(id);
  const status = containerStatus(store, st);
  if (status !== 'running' && status !== 'created') throw new RuntimeError(`container not running (${status})`);
  openCgroupForState(st).freeze();
}

export function resumeContainer(store: StateStore, id: string): void {
  const st = store.read(id);
  if (containerStatus(store, st) !== 'paused') throw new RuntimeError('container not paused');
  openCgroupForState(st).thaw();
}
