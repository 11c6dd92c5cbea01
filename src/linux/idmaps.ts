// Writing a new user namespace's uid_map/gid_map (the parent's side of
// C_USERMAP_REQ). As root the files are written directly. Unprivileged, the
// kernel only lets us map our own id (and gid_map only after `setgroups`
// is `deny`), so anything wider goes through the setuid newuidmap/newgidmap
// of shadow's uidmap package, which check /etc/subuid and /etc/subgid — the
// same split runc and crun make.
import { childProcess } from '../lazy-builtins.js';
import { accessSync, constants } from 'node:fs';
import * as addon from './addon.js';
import { RuntimeError } from '../errors.js';
import { log } from '../log.js';
import type { IdMapping } from '../spec/types.js';

export function mapText(maps: readonly IdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

const DEFAULT_HELPER_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];
/** TSRUNC_MAP_HELPER_DIRS (colon-separated) overrides where to look, for
 *  hosts that install them elsewhere (and tests of the fallback). */
const HELPER_DIRS = process.env.TSRUNC_MAP_HELPER_DIRS?.split(':').filter(Boolean) ?? DEFAULT_HELPER_DIRS;

/** Absolute path of newuidmap/newgidmap, or undefined when not installed. */
export function findMapHelper(name: 'newuidmap' | 'newgidmap'): string | undefined {
  for (const dir of HELPER_DIRS) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when `maps` is exactly one range of size 1 onto `id`: the only map an
 *  unprivileged process may write itself. */
export function isSelfMapping(maps: readonly IdMapping[], id: number): boolean {
  return maps.length === 1 && maps[0].size === 1 && maps[0].hostID === id;
}

/** Without newuidmap/newgidmap an unprivileged caller can write one map of
 *  size 1 onto its own id: keep the container id the config gives that host
 *  id (or 0), as the issue asks and runc's rootless fallback does. */
export function selfMappingFrom(maps: readonly IdMapping[], id: number): IdMapping[] {
  const hit = maps.find((m) => id >= m.hostID && id < m.hostID + m.size);
  return [{ containerID: hit ? hit.containerID + (id - hit.hostID) : 0, hostID: id, size: 1 }];
}

function runMapHelper(tool: string, pid: number, maps: readonly IdMapping[]): void {
  const args = [String(pid)];
  for (const m of maps) args.push(String(m.containerID), String(m.hostID), String(m.size));
  const r = childProcess().spawnSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) throw new RuntimeError(`${tool}: ${r.error.message}`);
  if (r.status !== 0) {
    const why = (r.stderr ?? '').trim().split('\n').pop() || `exit status ${r.status ?? 'signal ' + String(r.signal)}`;
    throw new RuntimeError(`${tool} ${args.join(' ')}: ${why}`);
  }
}

export interface IdMapRequest {
  pid: number;
  uid?: readonly IdMapping[];
  gid?: readonly IdMapping[];
}

/** Writes the maps of `pid`'s user namespace, privileged or not. */
export function writeIdMaps(req: IdMapRequest): void {
  const euid = process.geteuid?.() ?? 0;
  const egid = process.getegid?.() ?? 0;
  const { pid } = req;
  if (req.uid?.length) {
    if (euid === 0 || isSelfMapping(req.uid, euid)) {
      addon.writeProcFile(pid, 'uid_map', mapText(req.uid));
    } else {
      const tool = findMapHelper('newuidmap');
      if (tool) runMapHelper(tool, pid, req.uid);
      else {
        const self = selfMappingFrom(req.uid, euid);
        log.warn(`newuidmap not found (package uidmap): uidMappings reduced to the caller's own uid: ${mapText(self).trim()}`);
        addon.writeProcFile(pid, 'uid_map', mapText(self));
      }
    }
  }
  if (req.gid?.length) {
    if (euid === 0) {
      addon.writeProcFile(pid, 'gid_map', mapText(req.gid));
      return;
    }
    const tool = findMapHelper('newgidmap');
    if (tool && !isSelfMapping(req.gid, egid)) {
      runMapHelper(tool, pid, req.gid);
      return;
    }
    let gidMap = req.gid;
    if (!isSelfMapping(req.gid, egid)) {
      gidMap = selfMappingFrom(req.gid, egid);
      log.warn(`newgidmap not found (package uidmap): gidMappings reduced to the caller's own gid: ${mapText(gidMap).trim()}`);
    }
    // The kernel requires setgroups "deny" before an unprivileged gid_map
    // (user_namespaces(7)); setgroups(2) then fails in the container.
    addon.writeProcFile(pid, 'setgroups', 'deny');
    addon.writeProcFile(pid, 'gid_map', mapText(gidMap));
  }
}
