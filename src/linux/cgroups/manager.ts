// The cgroup manager: one interface over cgroup v1, hybrid and v2 hosts.
// Each resource goes to the hierarchy that has its controller: on a hybrid
// host the v1 hierarchies first, then the cgroup2 mount (where e.g. hugetlb
// lives); on pure v2, everything is in one directory. The file formats are
// in v1.ts and v2.ts; v1-style config values are converted for v2 as runc
// does (convert.ts).
import { mkdirSync, readdirSync, rmdirSync, existsSync } from 'node:fs';
import { posix } from 'node:path';
import type { Device, Resources } from '../../spec/types.js';
import { type CgroupMode, type Hierarchies, detectHierarchies } from './hierarchy.js';
import { type ContainerDirs, containerDirs, innerPath } from './paths.js';
import { containerDeviceRules } from './devices.js';
import { cgroupFileExists, isErrno, readCgroupFile, readKeyValues, writeCgroupFile } from './files.js';
import * as v1 from './v1.js';
import * as v2 from './v2.js';
import * as st from './stats.js';
import type { Stats } from './stats.js';

export type { Stats } from './stats.js';
export type { CgroupMode } from './hierarchy.js';

export interface CgroupManager {
  /** v1, hybrid or v2. */
  readonly mode: CgroupMode;
  /** Controller → directory (v1 names, "name=systemd"; "" for the cgroup2 directory), like runc's state. */
  paths(): Record<string, string>;
  /** Directories this manager created, parents first (persist them for delete). */
  createdDirs(): string[];
  /** mkdir what is missing (remembering what it created); enables v2 controllers, seeds v1 cpusets. */
  create(): void;
  /** Moves pid into the container's cgroup in every hierarchy. */
  apply(pid: number): void;
  /** The distinct directories a process of the container is in: one per v1
   *  hierarchy, and the cgroup2 one (for tsrunc-init, which joins them
   *  itself: csrc/init/cgroups.c). */
  joinDirs(): { v1: string[]; v2?: string };
  /** Applies the config's resources, device rules included (runc's defaults appended). */
  set(resources: Resources): void;
  /** Applies only the fields given (tsrunc update); devices only if given. */
  update(resources: Resources): void;
  freeze(): void;
  thaw(): void;
  isFrozen(): boolean;
  /** Every pid in the container's cgroup and its descendants. */
  pids(): number[];
  stats(): Stats;
  /** OOM kills counted by the memory controller (for events), 0 if none. */
  oomKillCount(): number;
  /** Removes the directories this manager created (children first); kills nothing. */
  destroy(): void;
  /** Signals every process in the cgroup (frozen meanwhile, so none escapes by forking). */
  killAll(signal: NodeJS.Signals | number): void;
}

export interface CgroupManagerOptions {
  cgroupsPath?: string;
  id: string;
  systemd?: boolean;
  rootless?: boolean;
  /** From the state of an existing container: what its create() made. */
  createdDirs?: string[];
  /** linux.devices: their paths drop runc's matching default device rules. */
  linuxDevices?: Device[];
  /** The directories recorded in a container's state (paths()); when given
   *  they are used as they are, not recomputed from the caller's cgroup. */
  paths?: Record<string, string>;
  /** For tests: hierarchies to use instead of the host's. */
  hierarchies?: Hierarchies;
}

type Target = { kind: 'v1' | 'v2'; dir: string };

// v1 hierarchies a pid list is read from, most reliable first.
const PROCS_ORDER = ['pids', 'memory', 'cpu', 'devices', 'freezer', 'name=systemd'];

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function hugepageSizes(): string[] {
  try {
    return st.hugetlbSizeNames(readdirSync('/sys/kernel/mm/hugepages'));
  } catch {
    return [];
  }
}

class FsCgroupManager implements CgroupManager {
  readonly mode: CgroupMode;
  private readonly dirs: ContainerDirs;
  private readonly created: string[];
  private hierarchies: Hierarchies | undefined;
  private unifiedList: string[] | undefined;

  /** With the paths of a container's state, the host's hierarchies are read
   *  (mountinfo) only by what needs them: kill, pause and delete never do. */
  constructor(private readonly opts: CgroupManagerOptions) {
    this.hierarchies = opts.hierarchies;
    if (opts.paths) {
      this.dirs = dirsFromPaths(opts.paths);
      this.mode = Object.keys(opts.paths).length > 0 ? modeOfPaths(opts.paths) : this.h.mode;
    } else {
      this.dirs = containerDirs(this.h, innerPath(opts));
      this.mode = this.h.mode;
    }
    this.created = [...(opts.createdDirs ?? [])];
  }

  private get h(): Hierarchies {
    return (this.hierarchies ??= detectHierarchies());
  }

  /** On a hybrid host the cgroup2 root lists only what v1 has not claimed. */
  private get unifiedControllers(): string[] {
    const h = this.h;
    return (this.unifiedList ??= (h.unified?.controllers ?? []).filter((c) => !h.v1.has(c)));
  }

  paths(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [c, d] of this.dirs.v1) out[c] = d;
    if (this.dirs.unified) out[''] = this.dirs.unified;
    return out;
  }

  createdDirs(): string[] {
    return [...this.created];
  }

  /** Every distinct directory, v1 first then the cgroup2 one. */
  private allDirs(): string[] {
    const list = [...new Set(this.dirs.v1.values())];
    if (this.dirs.unified) list.push(this.dirs.unified);
    return list;
  }

  private target(controller: string): Target | undefined {
    const d = this.dirs.v1.get(controller);
    if (d) return { kind: 'v1', dir: d };
    if (this.dirs.unified && this.unifiedControllers.includes(controller)) return { kind: 'v2', dir: this.dirs.unified };
    return undefined;
  }

  private need(controller: string, what: string): Target {
    const t = this.target(controller);
    if (!t) throw new Error(`cgroups: ${what} needs the ${controller} controller, which this host does not provide (cgroup ${this.mode})`);
    return t;
  }

  create(): void {
    const before = this.created.length;
    try {
      for (const dir of this.allDirs()) this.mkdirs(dir);
      if (this.dirs.unified && this.h.unified) v2.enableControllers(this.h.unified.mountPoint, this.dirs.unified);
    } catch (e) {
      // A failed create leaves nothing behind.
      const made = this.created.splice(before);
      for (const d of made.reverse()) {
        try {
          rmdirSync(d);
        } catch {
          // best effort; the error below is the one that matters
        }
      }
      throw e;
    }
  }

  private mkdirs(dir: string): void {
    const missing: string[] = [];
    for (let d = dir; !existsSync(d); d = posix.dirname(d)) missing.unshift(d);
    for (const d of missing) {
      try {
        mkdirSync(d);
      } catch (e) {
        if (isErrno(e, 'EEXIST')) continue;
        if (this.opts.rootless && (isErrno(e, 'EACCES') || isErrno(e, 'EPERM') || isErrno(e, 'EROFS'))) return;
        throw new Error(`cgroups: mkdir ${d}: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.created.push(d);
      // A new v1 cpuset has no cpus or mems: tasks could not join it.
      if (this.isV1CpusetDir(d)) {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          if (readCgroupFile(d, f).trim() === '') writeCgroupFile(d, f, readCgroupFile(posix.dirname(d), f).trim());
        }
      }
    }
  }

  private isV1CpusetDir(d: string): boolean {
    const h = this.h.v1.get('cpuset');
    return h !== undefined && d.startsWith(h.mountPoint + '/') && cgroupFileExists(d, 'cpuset.cpus');
  }

  joinDirs(): { v1: string[]; v2?: string } {
    return { v1: [...new Set(this.dirs.v1.values())], v2: this.dirs.unified };
  }

  apply(pid: number): void {
    for (const dir of this.allDirs()) {
      try {
        writeCgroupFile(dir, 'cgroup.procs', String(pid));
      } catch (e) {
        if (this.opts.rootless && (isErrno(e, 'EACCES') || isErrno(e, 'EPERM') || isErrno(e, 'ENOENT'))) continue;
        throw e;
      }
    }
  }

  set(resources: Resources): void {
    this.write(resources, true);
  }

  update(resources: Resources): void {
    this.write(resources, resources.devices !== undefined);
  }

  private write(r: Resources, withDevices: boolean): void {
    if (r.unified && Object.keys(r.unified).length > 0) {
      if (this.mode === 'v1' || !this.dirs.unified) {
        throw new Error('cgroups: linux.resources.unified needs cgroup v2, and this host has cgroup v1 only');
      }
      for (const key of Object.keys(r.unified)) {
        const c = key.slice(0, key.indexOf('.'));
        if (this.mode === 'hybrid' && c !== 'cgroup' && !this.unifiedControllers.includes(c)) {
          throw new Error(`cgroups: linux.resources.unified "${key}": the ${c} controller is on a cgroup v1 hierarchy on this hybrid host`);
        }
      }
    }
    // Same order as runc's v2 driver: pids, memory, io, cpu, devices, cpuset, hugetlb, rdma, v1 extras, unified.
    if (r.pids?.limit !== undefined) v1.setPidsV1orV2(this.need('pids', 'linux.resources.pids').dir, r.pids.limit);
    const memTarget = this.target('memory');
    if (r.memory && memorySet(r, memTarget?.kind ?? 'v1')) {
      const t = this.need('memory', 'linux.resources.memory');
      if (t.kind === 'v1') v1.setMemoryV1(t.dir, r.memory);
      else v2.setMemoryV2(t.dir, r.memory);
    }
    if (r.blockIO && blockIoSet(r)) {
      const t = this.target('blkio') ?? this.target('io') ?? this.need('io', 'linux.resources.blockIO');
      if (t.kind === 'v1') v1.setBlkioV1(t.dir, r.blockIO);
      else v2.setIoV2(t.dir, r.blockIO);
    }
    const cpu = r.cpu;
    if (cpu && (cpu.shares || cpu.quota || cpu.period || cpu.burst !== undefined || cpu.realtimePeriod || cpu.realtimeRuntime || cpu.idle !== undefined)) {
      const t = this.need('cpu', 'linux.resources.cpu');
      if (t.kind === 'v1') v1.setCpuV1(t.dir, cpu);
      else v2.setCpuV2(t.dir, cpu);
    }
    if (withDevices) this.setDevices(r);
    if (cpu && (cpu.cpus || cpu.mems)) {
      const t = this.need('cpuset', 'linux.resources.cpu.cpus/mems');
      if (t.kind === 'v1') v1.setCpusetV1(t.dir, cpu);
      else v2.setCpusetV2(t.dir, cpu);
    }
    if (r.hugepageLimits && r.hugepageLimits.length > 0) {
      const t = this.need('hugetlb', 'linux.resources.hugepageLimits');
      if (t.kind === 'v1') v1.setHugetlbV1(t.dir, r.hugepageLimits);
      else v2.setHugetlbV2(t.dir, r.hugepageLimits);
    }
    if (r.rdma && Object.keys(r.rdma).length > 0) v1.setRdma(this.need('rdma', 'linux.resources.rdma').dir, r.rdma);
    if (r.network?.classID !== undefined) {
      const t = this.need('net_cls', 'linux.resources.network.classID');
      if (t.kind !== 'v1') throw new Error('cgroups: linux.resources.network.classID needs the cgroup v1 net_cls controller');
      v1.setNetClsV1(t.dir, r.network.classID);
    }
    if (r.network?.priorities && r.network.priorities.length > 0) {
      const t = this.need('net_prio', 'linux.resources.network.priorities');
      if (t.kind !== 'v1') throw new Error('cgroups: linux.resources.network.priorities needs the cgroup v1 net_prio controller');
      v1.setNetPrioV1(t.dir, r.network.priorities);
    }
    if (r.unified && this.dirs.unified) v2.setUnified(this.dirs.unified, r.unified, this.unifiedControllers);
  }

  private setDevices(r: Resources): void {
    const rules = containerDeviceRules(r.devices, this.opts.linuxDevices);
    const t = this.target('devices');
    if (t) {
      try {
        v1.setDevicesV1(t.dir, rules);
      } catch (e) {
        // Unprivileged (rootless, user namespace): the kernel refuses; runc skips too.
        if (!this.opts.rootless) throw e;
      }
    } else if (this.dirs.unified) {
      try {
        v2.setDevicesV2(this.dirs.unified, rules);
      } catch (e) {
        if (!this.opts.rootless) throw e;
      }
    } else if (!this.opts.rootless) {
      throw new Error('cgroups: no devices controller and no cgroup2 hierarchy to enforce device rules');
    }
  }

  /** v1's freezer controller, else the cgroup2 directory (freezing is part
   *  of cgroup2's core, never listed in cgroup.controllers). */
  private freezerTarget(): Target {
    const d = this.dirs.v1.get('freezer');
    if (d) return { kind: 'v1', dir: d };
    return this.dirs.unified ? { kind: 'v2', dir: this.dirs.unified } : this.need('freezer', 'pause');
  }

  freeze(): void {
    const t = this.freezerTarget();
    // Freezing completes asynchronously; a task in an uninterruptible wait
    // can hold it back, so wait for it (writing again as v1 may need).
    const deadline = Date.now() + 10_000;
    for (let i = 0; ; i++) {
      if (t.kind === 'v1') v1.freezeV1(t.dir, true);
      else if (i === 0) v2.freezeV2(t.dir, true);
      if (this.isFrozen()) return;
      if (Date.now() > deadline) {
        this.thaw();
        throw new Error(`cgroups: ${t.dir} did not freeze within 10s`);
      }
      sleepMs(Math.min(1 + i * 2, 50));
    }
  }

  thaw(): void {
    const t = this.freezerTarget();
    if (t.kind === 'v1') v1.freezeV1(t.dir, false);
    else v2.freezeV2(t.dir, false);
  }

  isFrozen(): boolean {
    const t = this.freezerTarget();
    if (!existsSync(t.dir)) return false;
    return t.kind === 'v1' ? v1.freezerStateV1(t.dir) === 'FROZEN' : v2.isFrozenV2(t.dir);
  }

  private procsDir(): string | undefined {
    for (const c of PROCS_ORDER) {
      const d = this.dirs.v1.get(c);
      if (d && existsSync(d)) return d;
    }
    if (this.dirs.unified && existsSync(this.dirs.unified)) return this.dirs.unified;
    return [...this.dirs.v1.values()].find((d) => existsSync(d));
  }

  pids(): number[] {
    const dir = this.procsDir();
    if (!dir) return [];
    const out = new Set<number>();
    const walk = (d: string): void => {
      let text = '';
      try {
        text = readCgroupFile(d, 'cgroup.procs');
      } catch (e) {
        if (isErrno(e, 'ENOENT')) return; // removed meanwhile
        throw e;
      }
      for (const line of text.split('\n')) if (line) out.add(Number(line));
      for (const ent of readdirSync(d, { withFileTypes: true })) if (ent.isDirectory()) walk(posix.join(d, ent.name));
    };
    walk(dir);
    return [...out];
  }

  stats(): Stats {
    const s = st.emptyStats();
    const cpu = this.target('cpu');
    if (cpu?.kind === 'v1') st.cpuStatsV1(s, cpu.dir, this.dirs.v1.get('cpuacct'));
    else if (cpu) st.cpuStatsV2(s, cpu.dir);
    const mem = this.target('memory');
    if (mem?.kind === 'v1') st.memoryStatsV1(s, mem.dir);
    else if (mem) st.memoryStatsV2(s, mem.dir);
    const pids = this.target('pids');
    if (pids) st.pidsStats(s, pids.dir);
    const cpuset = this.target('cpuset');
    if (cpuset) st.cpusetStats(s, cpuset.dir);
    const blkio = this.target('blkio');
    if (blkio) st.blkioStatsV1(s, blkio.dir);
    const io = this.target('io');
    if (!blkio && io) st.ioStatsV2(s, io.dir);
    const hugetlb = this.target('hugetlb');
    if (hugetlb) st.hugetlbStats(s, hugetlb.dir, hugepageSizes(), hugetlb.kind === 'v2');
    return s;
  }

  oomKillCount(): number {
    const t = this.target('memory');
    if (!t || !existsSync(t.dir)) return 0;
    const file = t.kind === 'v1' ? 'memory.oom_control' : 'memory.events';
    return readKeyValues(t.dir, file).get('oom_kill') ?? 0;
  }

  destroy(): void {
    const failed: string[] = [];
    // Children first: the deepest created directories go before their parents.
    const order = [...this.created].sort((a, b) => b.split('/').length - a.split('/').length);
    for (const dir of order) {
      try {
        removeCgroupTree(dir);
      } catch (e) {
        failed.push(e instanceof Error ? e.message : String(e));
      }
    }
    this.created.length = 0;
    if (failed.length > 0) throw new Error(`cgroups: could not remove: ${failed.join('; ')}`);
  }

  killAll(signal: NodeJS.Signals | number): void {
    const unified = this.mode === 'v2' ? this.dirs.unified : undefined;
    if (unified && (signal === 'SIGKILL' || signal === 9) && cgroupFileExists(unified, 'cgroup.kill')) {
      writeCgroupFile(unified, 'cgroup.kill', '1');
      return;
    }
    let frozen = false;
    try {
      this.freeze();
      frozen = true;
    } catch {
      // no freezer: signal anyway
    }
    try {
      for (const pid of this.pids()) {
        try {
          process.kill(pid, signal);
        } catch (e) {
          if (!isErrno(e, 'ESRCH')) throw e;
        }
      }
    } finally {
      if (frozen) this.thaw();
    }
  }
}

function memorySet(r: Resources, kind: 'v1' | 'v2'): boolean {
  const m = r.memory;
  if (!m) return false;
  if (m.limit || m.reservation || m.swap || m.kernelTCP) return true;
  // v2 has no swappiness or OOM-killer switch (runc ignores them there).
  if (kind === 'v2') return false;
  return (m.swappiness !== undefined && m.swappiness !== -1) || m.disableOOMKiller === true;
}

function blockIoSet(r: Resources): boolean {
  const b = r.blockIO;
  if (!b) return false;
  return Boolean(
    b.weight || b.leafWeight || b.weightDevice?.length || b.throttleReadBpsDevice?.length || b.throttleWriteBpsDevice?.length ||
      b.throttleReadIOPSDevice?.length || b.throttleWriteIOPSDevice?.length,
  );
}

/** The host's mode as detectHierarchies() tells it, from recorded paths: v1
 *  controllers and a cgroup2 directory make a hybrid host. */
function modeOfPaths(paths: Record<string, string>): CgroupMode {
  const realV1 = Object.keys(paths).some((c) => c !== '' && !c.startsWith('name='));
  const unified = paths[''] !== undefined;
  return !realV1 && unified ? 'v2' : unified ? 'hybrid' : 'v1';
}

function dirsFromPaths(paths: Record<string, string>): ContainerDirs {
  const v1 = new Map(Object.entries(paths).filter(([c]) => c !== ''));
  return { v1, unified: paths[''] };
}

/** rmdir a cgroup and any cgroups created inside it, children first.
 *  Retries briefly on EBUSY (exiting tasks still counted); ENOENT is fine. */
export function removeCgroupTree(dir: string): void {
  // Most have no child cgroups: rmdir at once, and list the directory only
  // when the kernel refuses (EBUSY: children, or tasks still exiting).
  if (rmdirUnlessBusy(dir)) return;
  for (const name of childCgroups(dir)) removeCgroupTree(posix.join(dir, name));
  for (let i = 0; ; i++) {
    if (rmdirUnlessBusy(dir)) return;
    if (i >= 20) throw new Error(`rmdir ${dir}: still busy`);
    sleepMs(10 * (i + 1));
  }
}

/** true once `dir` is gone (removed now, or already); false while EBUSY. */
function rmdirUnlessBusy(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return true;
    if (isErrno(e, 'EBUSY')) return false;
    throw new Error(`rmdir ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function childCgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return [];
    throw e;
  }
}

export function openCgroupManager(opts: CgroupManagerOptions): CgroupManager {
  if (!opts.id) throw new Error('cgroups: a container id is needed');
  return new FsCgroupManager(opts);
}
