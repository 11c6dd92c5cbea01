// The lifecycle's entry to cgroups: a manager for a new container (from its
// config) or for an existing one (from the paths recorded in its state).
import type { StoredState } from '../../lifecycle/state-store.js';
import type { Spec } from '../../spec/types.js';
import { openCgroupManager, type CgroupManager } from './manager.js';

export type CgroupHandle = CgroupManager;

export function openCgroupForCreate(opts: { id: string; spec: Spec; systemd?: boolean; rootless?: boolean }): CgroupManager {
  return openCgroupManager({
    id: opts.id,
    rootless: opts.rootless,
    cgroupsPath: opts.spec.linux?.cgroupsPath,
    systemd: opts.systemd,
    linuxDevices: opts.spec.linux?.devices,
  });
}

export function openCgroupForState(st: StoredState): CgroupManager {
  return openCgroupManager({ id: st.id, paths: st.cgroup.paths, createdDirs: st.cgroup.createdDirs, rootless: st.rootless });
}
