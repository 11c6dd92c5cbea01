// cgroup v2 interface files. The config's values are v1-style (shares,
// blkio weights, memory+swap); they are converted exactly as runc does
// (convert.ts) before being written.
import type { BlockIoResources, CpuResources, MemoryResources, Resources } from '../../spec/types.js';
import { cpuSharesToWeight, blkioWeightToIoWeight, memorySwapToV2, v2NumberText } from './convert.js';
import { cgroupAddon } from './addon.js';
import { type DeviceRule, deviceFilterProgram } from './devices.js';
import { cgroupFileExists, isErrno, readCgroupFile, writeCgroupFile } from './files.js';
import { checkUsageBelow } from './v1.js';

export function setMemoryV2(dir: string, m: MemoryResources): void {
  const limit = m.limit ?? 0;
  const swapIn = m.swap ?? 0;
  const reservation = m.reservation ?? 0;
  if (limit !== 0 || swapIn !== 0 || reservation !== 0) {
    if (m.checkBeforeUpdate && limit > 0) checkUsageBelow(dir, 'memory.current', limit);
    const swap = memorySwapToV2(swapIn, limit);
    let swapText = v2NumberText(swap);
    if (swapText === '' && swap === 0 && swapIn > 0) swapText = '0'; // swap == limit: no swap at all
    if (swapText !== '') {
      try {
        writeCgroupFile(dir, 'memory.swap.max', swapText);
      } catch (e) {
        // Kernels without swap accounting have no file: fine unless a real limit was asked.
        if (!(isErrno(e, 'ENOENT') && (swapText === 'max' || swapText === '0'))) throw e;
      }
    }
    const limitText = v2NumberText(limit);
    if (limitText !== '') writeCgroupFile(dir, 'memory.max', limitText);
    const lowText = v2NumberText(reservation);
    if (lowText !== '') writeCgroupFile(dir, 'memory.low', lowText);
  }
  // v2 has no per-cgroup OOM-killer switch and no memory.swappiness: runc
  // ignores both there, and so does tsrunc. Only an invalid swappiness fails.
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    if (m.swappiness < 0 || m.swappiness > 100) {
      throw new Error(`cgroups: invalid memory swappiness value: ${m.swappiness} (valid range is 0-100)`);
    }
  }
}

export function setCpuV2(dir: string, c: CpuResources): void {
  if (c.realtimeRuntime || c.realtimePeriod) {
    throw new Error('cgroups: cpu.realtimeRuntime/realtimePeriod are not supported on cgroup v2');
  }
  if (c.idle !== undefined) writeCgroupFile(dir, 'cpu.idle', String(c.idle));
  const weight = cpuSharesToWeight(c.shares ?? 0);
  if (weight !== 0) writeCgroupFile(dir, 'cpu.weight', String(weight));
  const quota = c.quota ?? 0;
  const period = c.period ?? 0;
  // A burst above the current quota is refused: then write it after cpu.max.
  let burst = '';
  if (c.burst !== undefined) {
    try {
      writeCgroupFile(dir, 'cpu.max.burst', String(c.burst));
    } catch (e) {
      if (!isErrno(e, 'EINVAL') || quota === 0) throw e;
      burst = String(c.burst);
    }
  }
  if (quota !== 0 || period !== 0) {
    const q = quota > 0 ? String(quota) : 'max';
    writeCgroupFile(dir, 'cpu.max', `${q} ${period || 100000}`);
    if (burst) writeCgroupFile(dir, 'cpu.max.burst', burst);
  }
}

export function setCpusetV2(dir: string, c: CpuResources): void {
  if (c.cpus) writeCgroupFile(dir, 'cpuset.cpus', c.cpus);
  if (c.mems) writeCgroupFile(dir, 'cpuset.mems', c.mems);
}

export function setIoV2(dir: string, b: BlockIoResources): void {
  const bfq = cgroupFileExists(dir, 'io.bfq.weight');
  if (b.weight) {
    if (bfq) writeCgroupFile(dir, 'io.bfq.weight', String(b.weight));
    else writeCgroupFile(dir, 'io.weight', String(blkioWeightToIoWeight(b.weight)));
  }
  for (const d of b.weightDevice ?? []) {
    if (!d.weight) continue;
    if (bfq) writeCgroupFile(dir, 'io.bfq.weight', `${d.major}:${d.minor} ${d.weight}`);
    else writeCgroupFile(dir, 'io.weight', `${d.major}:${d.minor} ${blkioWeightToIoWeight(d.weight)}`);
  }
  const throttles: [keyof BlockIoResources, string][] = [
    ['throttleReadBpsDevice', 'rbps'],
    ['throttleWriteBpsDevice', 'wbps'],
    ['throttleReadIOPSDevice', 'riops'],
    ['throttleWriteIOPSDevice', 'wiops'],
  ];
  for (const [key, name] of throttles) {
    const list = b[key];
    if (!Array.isArray(list)) continue;
    for (const d of list) if ('rate' in d) writeCgroupFile(dir, 'io.max', `${d.major}:${d.minor} ${name}=${d.rate}`);
  }
}

export function setHugetlbV2(dir: string, limits: NonNullable<Resources['hugepageLimits']>): void {
  let rsvd = true;
  for (const l of limits) {
    writeCgroupFile(dir, `hugetlb.${l.pageSize}.max`, String(l.limit));
    if (rsvd && cgroupFileExists(dir, `hugetlb.${l.pageSize}.rsvd.max`)) {
      writeCgroupFile(dir, `hugetlb.${l.pageSize}.rsvd.max`, String(l.limit));
    } else {
      rsvd = false;
    }
  }
}

/** linux.resources.unified: file name → value, written as given. */
export function setUnified(dir: string, unified: Record<string, string>, controllers: string[]): void {
  for (const [key, value] of Object.entries(unified)) {
    if (key.includes('/')) throw new Error(`cgroups: unified resource "${key}" must be a file name (no slashes)`);
    const dot = key.indexOf('.');
    if (dot <= 0) throw new Error(`cgroups: unified resource "${key}" must be in the form CONTROLLER.PARAMETER`);
    const controller = key.slice(0, dot);
    if (controller !== 'cgroup' && !controllers.includes(controller)) {
      throw new Error(`cgroups: unified resource "${key}" can't be set: controller "${controller}" not available`);
    }
    // Multi-line values are written one line at a time (e.g. io.max).
    for (const line of value.split('\n')) if (line !== '') writeCgroupFile(dir, key, line);
  }
}

export function setDevicesV2(dir: string, rules: DeviceRule[]): void {
  cgroupAddon().bpfDevicesApply(dir, deviceFilterProgram(rules));
}

export function freezeV2(dir: string, frozen: boolean): void {
  writeCgroupFile(dir, 'cgroup.freeze', frozen ? '1' : '0');
}

/** "frozen" from cgroup.events: 1 once every task has stopped. */
export function isFrozenV2(dir: string): boolean {
  return /^frozen 1$/m.test(readCgroupFile(dir, 'cgroup.events'));
}

/** Enables every controller the parent offers in each ancestor's
 *  cgroup.subtree_control, from the mount root down to the leaf's parent,
 *  so the leaf gets the interface files. Errors are ignored per controller
 *  (e.g. an ancestor with processes in it cannot enable domain
 *  controllers); a file that is then missing is reported when written. */
export function enableControllers(mountPoint: string, leaf: string): void {
  const rel = leaf.slice(mountPoint.length).split('/').filter((p) => p !== '');
  let current = mountPoint;
  for (let i = 0; i < rel.length; i++) {
    let available: string[] = [];
    try {
      available = readCgroupFile(current, 'cgroup.controllers').split(/\s+/).filter((c) => c !== '');
    } catch {
      available = [];
    }
    const enabled = new Set(readCgroupFile(current, 'cgroup.subtree_control').split(/\s+/));
    for (const c of available) {
      if (enabled.has(c)) continue;
      try {
        writeCgroupFile(current, 'cgroup.subtree_control', `+${c}`);
      } catch {
        // see above
      }
    }
    current = `${current}/${rel[i]}`;
  }
}
