// `tsrunc update <id>`: change a running container's resources. The update
// (runc's flags, or a LinuxResources JSON from --resources FILE or "-" for
// stdin, as containerd sends it) is merged into the resources stored with
// the container, applied to its cgroup, and stored back, so the next update
// merges on top of this one (as runc keeps them in its state).
import { readFileSync } from 'node:fs';
import { RuntimeError, withContext } from '../errors.js';
import { openCgroupForState } from '../linux/cgroups/index.js';
import { mergeUpdate, resourcesFromJson, resourcesFromUpdateFlags, type UpdateFlags } from '../linux/cgroups/update.js';
import { containerStatus } from './status.js';
import type { StateStore } from './state-store.js';
import type { Resources } from '../spec/types.js';

export interface UpdateOptions {
  id: string;
  /** "-" for stdin, else a file holding a LinuxResources JSON. */
  resources?: string;
  flags: UpdateFlags;
  /** Intel RDT schemata: tsrunc has no resctrl support. */
  l3CacheSchema?: string;
  memBwSchema?: string;
}

function readResources(source: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    throw withContext(`update: reading --resources ${source === '-' ? 'from stdin' : source}`, err);
  }
}

export function updateContainer(store: StateStore, o: UpdateOptions): void {
  if (o.l3CacheSchema || o.memBwSchema) throw new RuntimeError('update: Intel RDT (--l3-cache-schema, --mem-bw-schema) is not supported by tsrunc');
  const st = store.read(o.id);
  const status = containerStatus(store, st);
  if (status === 'stopped') throw new RuntimeError(`cannot update container ${o.id}: it is stopped`);
  let change;
  try {
    change = o.resources !== undefined ? resourcesFromJson(readResources(o.resources)) : resourcesFromUpdateFlags(o.flags);
  } catch (err) {
    throw err instanceof RuntimeError ? err : new RuntimeError((err as Error).message);
  }
  const spec = store.readConfig(o.id);
  const current = spec.linux?.resources ?? {};
  const merged = mergeUpdate(current, change);
  // Only what update may change is written: re-writing the device rules
  // would briefly deny every device in a running v1 container.
  const apply: Resources = { memory: merged.memory, cpu: merged.cpu, blockIO: merged.blockIO, pids: merged.pids };
  // runc forgets a pids limit an update does not name; keep it stored.
  if (merged.pids?.limit === undefined && current.pids) merged.pids = current.pids;
  try {
    openCgroupForState(st).update(apply);
  } catch (err) {
    throw withContext(`update ${o.id}`, err);
  }
  spec.linux = { ...(spec.linux ?? {}), resources: merged };
  store.write(st, spec);
}
