// cgroup v1 interface files, one function per controller. Each takes the
// controller's cgroup directory and the config's values, and writes them the
// way runc's fs driver does (same files, same order, same special cases).
import type { BlockIoResources, CpuResources, MemoryResources, Resources } from '../../spec/types.js';
import { type DeviceRule, v1DeviceWrites } from './devices.js';
import { cgroupFileExists, isErrno, readCgroupFile, readCgroupNumber, writeCgroupFile } from './files.js';

export function setMemoryV1(dir: string, m: MemoryResources): void {
  let limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  // Unlimited memory with swap unset means unlimited memory+swap too.
  if (limit === -1 && swap === 0 && cgroupFileExists(dir, 'memory.memsw.limit_in_bytes')) swap = -1;
  if (m.checkBeforeUpdate && limit > 0) checkUsageBelow(dir, 'memory.usage_in_bytes', limit);
  const writeLimit = (): void => {
    if (limit === 0) return;
    try {
      writeCgroupFile(dir, 'memory.limit_in_bytes', String(limit));
    } catch (e) {
      if (!isErrno(e, 'EBUSY')) throw e;
      const usage = readCgroupNumber(dir, 'memory.usage_in_bytes');
      const peak = readCgroupNumber(dir, 'memory.max_usage_in_bytes');
      throw new Error(`cgroups: unable to set memory limit to ${limit} (current usage: ${usage}, peak usage: ${peak})`);
    }
  };
  const writeSwap = (): void => {
    if (swap !== 0) writeCgroupFile(dir, 'memory.memsw.limit_in_bytes', String(swap));
  };
  // memsw must stay >= the memory limit at every step: raise it first when
  // growing, lower it last when shrinking.
  if (limit !== 0 && swap !== 0) {
    const current = readCgroupNumber(dir, 'memory.limit_in_bytes');
    if (swap === -1 || current < swap) {
      writeSwap();
      writeLimit();
      limit = 0;
      swap = 0;
    }
  }
  writeLimit();
  writeSwap();
  if (m.reservation) writeCgroupFile(dir, 'memory.soft_limit_in_bytes', String(m.reservation));
  // kernel memory limits are ignored, as runc does; TCP buffers only where
  // the kernel still has the file.
  if (m.kernelTCP && cgroupFileExists(dir, 'memory.kmem.tcp.limit_in_bytes')) {
    writeCgroupFile(dir, 'memory.kmem.tcp.limit_in_bytes', String(m.kernelTCP));
  }
  if (m.disableOOMKiller) writeCgroupFile(dir, 'memory.oom_control', '1');
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    if (m.swappiness < 0 || m.swappiness > 100) {
      throw new Error(`cgroups: invalid memory swappiness value: ${m.swappiness} (valid range is 0-100)`);
    }
    writeCgroupFile(dir, 'memory.swappiness', String(m.swappiness));
  }
}

/** checkBeforeUpdate: refuse a limit under the current usage instead of
 *  letting the kernel reclaim or OOM-kill. */
export function checkUsageBelow(dir: string, usageFile: string, limit: number): void {
  const usage = readCgroupNumber(dir, usageFile);
  if (usage >= limit) {
    throw new Error(`cgroups: rejecting memory limit ${limit}: lower than the current usage ${usage} (checkBeforeUpdate)`);
  }
}

export function setCpuV1(dir: string, c: CpuResources): void {
  if (c.shares) {
    writeCgroupFile(dir, 'cpu.shares', String(c.shares));
    const got = readCgroupNumber(dir, 'cpu.shares');
    if (c.shares > got) throw new Error(`cgroups: the maximum allowed cpu-shares is ${got}`);
    if (c.shares < got) throw new Error(`cgroups: the minimum allowed cpu-shares is ${got}`);
  }
  const quota = c.quota ?? 0;
  // A period can be refused (EINVAL) until the quota fits it: retry after.
  let period = '';
  if (c.period) {
    try {
      writeCgroupFile(dir, 'cpu.cfs_period_us', String(c.period));
    } catch (e) {
      if (!isErrno(e, 'EINVAL') || quota === 0) throw e;
      period = String(c.period);
    }
  }
  let burst = '';
  if (c.burst !== undefined) {
    if (cgroupFileExists(dir, 'cpu.cfs_burst_us')) {
      try {
        writeCgroupFile(dir, 'cpu.cfs_burst_us', String(c.burst));
      } catch (e) {
        if (!isErrno(e, 'EINVAL') || quota === 0) throw e;
        burst = String(c.burst);
      }
    }
  }
  if (quota !== 0) {
    writeCgroupFile(dir, 'cpu.cfs_quota_us', String(quota));
    if (period) writeCgroupFile(dir, 'cpu.cfs_period_us', period);
    if (burst) writeCgroupFile(dir, 'cpu.cfs_burst_us', burst);
  }
  if (c.idle !== undefined) writeCgroupFile(dir, 'cpu.idle', String(c.idle));
  setRealtimeV1(dir, c);
}

function setRealtimeV1(dir: string, c: CpuResources): void {
  let period = '';
  if (c.realtimePeriod) {
    try {
      writeCgroupFile(dir, 'cpu.rt_period_us', String(c.realtimePeriod));
    } catch (e) {
      if (!isErrno(e, 'EINVAL') || !c.realtimeRuntime) throw e;
      period = String(c.realtimePeriod);
    }
  }
  if (c.realtimeRuntime) {
    writeCgroupFile(dir, 'cpu.rt_runtime_us', String(c.realtimeRuntime));
    if (period) writeCgroupFile(dir, 'cpu.rt_period_us', period);
  }
}

export function setCpusetV1(dir: string, c: CpuResources): void {
  if (c.cpus) writeCgroupFile(dir, 'cpuset.cpus', c.cpus);
  if (c.mems) writeCgroupFile(dir, 'cpuset.mems', c.mems);
}

export function setPidsV1orV2(dir: string, limit: number | undefined): void {
  if (limit === undefined) return;
  // 0 becomes 1 as in runc (systemd cannot express 0); negative is "max".
  writeCgroupFile(dir, 'pids.max', limit > 0 ? String(limit) : limit === 0 ? '1' : 'max');
}

export function setBlkioV1(dir: string, b: BlockIoResources): void {
  // Kernels with BFQ but without CFQ only have the blkio.bfq.* files.
  const bfq = !cgroupFileExists(dir, 'blkio.weight') && cgroupFileExists(dir, 'blkio.bfq.weight');
  const weightFile = bfq ? 'blkio.bfq.weight' : 'blkio.weight';
  const weightDeviceFile = bfq ? 'blkio.bfq.weight_device' : 'blkio.weight_device';
  if (b.weight) writeCgroupFile(dir, weightFile, String(b.weight));
  if (b.leafWeight) writeCgroupFile(dir, 'blkio.leaf_weight', String(b.leafWeight));
  for (const d of b.weightDevice ?? []) {
    if (d.weight) writeCgroupFile(dir, weightDeviceFile, `${d.major}:${d.minor} ${d.weight}`);
    if (d.leafWeight) writeCgroupFile(dir, 'blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`);
  }
  const throttles: [keyof BlockIoResources, string][] = [
    ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
    ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
    ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
    ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
  ];
  for (const [key, file] of throttles) {
    const list = b[key];
    if (!Array.isArray(list)) continue;
    for (const d of list) if ('rate' in d) writeCgroupFile(dir, file, `${d.major}:${d.minor} ${d.rate}`);
  }
}

export function setHugetlbV1(dir: string, limits: NonNullable<Resources['hugepageLimits']>): void {
  let rsvd = true;
  for (const l of limits) {
    writeCgroupFile(dir, `hugetlb.${l.pageSize}.limit_in_bytes`, String(l.limit));
    // Reservations too, where the kernel accounts them (5.7+).
    if (rsvd && cgroupFileExists(dir, `hugetlb.${l.pageSize}.rsvd.limit_in_bytes`)) {
      writeCgroupFile(dir, `hugetlb.${l.pageSize}.rsvd.limit_in_bytes`, String(l.limit));
    } else {
      rsvd = false;
    }
  }
}

export function setNetClsV1(dir: string, classID: number): void {
  writeCgroupFile(dir, 'net_cls.classid', String(classID));
}

export function setNetPrioV1(dir: string, priorities: { name: string; priority: number }[]): void {
  for (const p of priorities) writeCgroupFile(dir, 'net_prio.ifpriomap', `${p.name} ${p.priority}`);
}

/** rdma.max has the same format on v1 and v2. */
export function setRdma(dir: string, rdma: NonNullable<Resources['rdma']>): void {
  for (const [hca, l] of Object.entries(rdma)) {
    const parts = [hca];
    if (l.hcaHandles !== undefined) parts.push(`hca_handle=${l.hcaHandles}`);
    if (l.hcaObjects !== undefined) parts.push(`hca_object=${l.hcaObjects}`);
    if (parts.length > 1) writeCgroupFile(dir, 'rdma.max', parts.join(' '));
  }
}

/** Device rules in config order; a leading wildcard rule resets the list. */
export function setDevicesV1(dir: string, rules: DeviceRule[]): void {
  for (const [file, line] of v1DeviceWrites(rules)) writeCgroupFile(dir, file, line);
}

export function freezeV1(dir: string, frozen: boolean): void {
  writeCgroupFile(dir, 'freezer.state', frozen ? 'FROZEN' : 'THAWED');
}

export function freezerStateV1(dir: string): string {
  return readCgroupFile(dir, 'freezer.state').trim();
}
