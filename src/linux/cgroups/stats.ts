// Resource usage in runc's `events --stats` shape (runc types/events.go),
// read from v1 or v2 interface files. Fields a hierarchy lacks stay zero.
import { cgroupFileExists, readCgroupFile, readCgroupNumber, readKeyValues } from './files.js';

export interface MemoryEntry { limit: number; usage?: number; max?: number; failcnt: number }
export interface BlkioEntry { major?: number; minor?: number; op?: string; value?: number }
export interface Stats {
  cpu: {
    usage: { total?: number; percpu?: number[]; percpu_kernel?: number[]; percpu_user?: number[]; kernel: number; user: number };
    throttling: { periods?: number; throttledPeriods?: number; throttledTime?: number };
  };
  cpuset: { cpus?: number[]; mems?: number[] };
  memory: { cache?: number; usage: MemoryEntry; swap: MemoryEntry; kernel: MemoryEntry; kernelTCP: MemoryEntry; raw?: Record<string, number> };
  pids: { current?: number; limit?: number };
  blkio: { ioServiceBytesRecursive?: BlkioEntry[]; ioServicedRecursive?: BlkioEntry[] };
  hugetlb: Record<string, { usage?: number; max?: number; failcnt: number }>;
  intel_rdt: Record<string, never>;
  network_interfaces: null;
}

export function emptyStats(): Stats {
  const entry = (): MemoryEntry => ({ limit: 0, failcnt: 0 });
  return {
    cpu: { usage: { kernel: 0, user: 0 }, throttling: {} },
    cpuset: {},
    memory: { usage: entry(), swap: entry(), kernel: entry(), kernelTCP: entry() },
    pids: {},
    blkio: {},
    hugetlb: {},
    intel_rdt: {},
    network_interfaces: null,
  };
}

const NO_LIMIT = Number.MAX_SAFE_INTEGER;
// 2^64-1 as runc reports "max"; JSON numbers lose the low bits either way.
const UNLIMITED = 18446744073709551615;

function num(dir: string, file: string): number {
  return cgroupFileExists(dir, file) ? readCgroupNumber(dir, file) : 0;
}
const limitOf = (n: number): number => (n >= NO_LIMIT ? UNLIMITED : n);

/** "0-3,5" → [0,1,2,3,5] */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

export function hugetlbSizeNames(dirNames: string[]): string[] {
  return dirNames
    .map((d) => /^hugepages-(\d+)kB$/.exec(d)?.[1])
    .filter((k): k is string => k !== undefined)
    .map((kb) => {
      let n = Number(kb);
      for (const unit of ['KB', 'MB', 'GB', 'TB']) {
        if (n < 1024 || n % 1024 !== 0) return `${n}${unit}`;
        n /= 1024;
      }
      return `${n}PB`;
    });
}

// ---- v1 ----
export function cpuStatsV1(stats: Stats, cpuDir: string | undefined, cpuacctDir: string | undefined): void {
  if (cpuDir && cgroupFileExists(cpuDir, 'cpu.stat')) {
    const s = readKeyValues(cpuDir, 'cpu.stat');
    stats.cpu.throttling = { periods: s.get('nr_periods') ?? 0, throttledPeriods: s.get('nr_throttled') ?? 0, throttledTime: s.get('throttled_time') ?? 0 };
  }
  if (cpuacctDir) {
    stats.cpu.usage.total = num(cpuacctDir, 'cpuacct.usage');
    const list = (f: string): number[] => (cgroupFileExists(cpuacctDir, f) ? readCgroupFile(cpuacctDir, f).trim().split(/\s+/).map(Number) : []);
    stats.cpu.usage.percpu = list('cpuacct.usage_percpu');
    stats.cpu.usage.percpu_kernel = list('cpuacct.usage_percpu_sys');
    stats.cpu.usage.percpu_user = list('cpuacct.usage_percpu_user');
    stats.cpu.usage.kernel = num(cpuacctDir, 'cpuacct.usage_sys');
    stats.cpu.usage.user = num(cpuacctDir, 'cpuacct.usage_user');
  }
}

export function memoryStatsV1(stats: Stats, dir: string): void {
  const raw = readKeyValues(dir, 'memory.stat');
  stats.memory.raw = Object.fromEntries(raw);
  stats.memory.cache = raw.get('total_cache') ?? raw.get('cache') ?? 0;
  const entry = (prefix: string): MemoryEntry => ({
    usage: num(dir, `${prefix}.usage_in_bytes`),
    max: num(dir, `${prefix}.max_usage_in_bytes`),
    failcnt: num(dir, `${prefix}.failcnt`),
    limit: limitOf(num(dir, `${prefix}.limit_in_bytes`)),
  });
  stats.memory.usage = entry('memory');
  if (cgroupFileExists(dir, 'memory.memsw.usage_in_bytes')) stats.memory.swap = entry('memory.memsw');
  if (cgroupFileExists(dir, 'memory.kmem.usage_in_bytes')) stats.memory.kernel = entry('memory.kmem');
  if (cgroupFileExists(dir, 'memory.kmem.tcp.usage_in_bytes')) stats.memory.kernelTCP = entry('memory.kmem.tcp');
}

export function blkioStatsV1(stats: Stats, dir: string): void {
  const read = (file: string): BlkioEntry[] | undefined => {
    if (!cgroupFileExists(dir, file)) return undefined;
    const out: BlkioEntry[] = [];
    for (const line of readCgroupFile(dir, file).split('\n')) {
      const m = /^(\d+):(\d+) (\S+) (\d+)$/.exec(line.trim());
      if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3], value: Number(m[4]) });
    }
    return out;
  };
  stats.blkio.ioServiceBytesRecursive = read('blkio.throttle.io_service_bytes_recursive') ?? read('blkio.io_service_bytes_recursive');
  stats.blkio.ioServicedRecursive = read('blkio.throttle.io_serviced_recursive') ?? read('blkio.io_serviced_recursive');
}

// ---- v2 ----
export function cpuStatsV2(stats: Stats, dir: string): void {
  const s = readKeyValues(dir, 'cpu.stat');
  stats.cpu.usage.total = (s.get('usage_usec') ?? 0) * 1000;
  stats.cpu.usage.user = (s.get('user_usec') ?? 0) * 1000;
  stats.cpu.usage.kernel = (s.get('system_usec') ?? 0) * 1000;
  if (s.has('nr_periods')) {
    stats.cpu.throttling = { periods: s.get('nr_periods') ?? 0, throttledPeriods: s.get('nr_throttled') ?? 0, throttledTime: (s.get('throttled_usec') ?? 0) * 1000 };
  }
}

export function memoryStatsV2(stats: Stats, dir: string): void {
  const raw = readKeyValues(dir, 'memory.stat');
  stats.memory.raw = Object.fromEntries(raw);
  stats.memory.cache = raw.get('file') ?? 0;
  const events = cgroupFileExists(dir, 'memory.events') ? readKeyValues(dir, 'memory.events') : new Map<string, number>();
  stats.memory.usage = {
    usage: num(dir, 'memory.current'),
    max: num(dir, 'memory.peak'),
    limit: limitOf(num(dir, 'memory.max')),
    failcnt: events.get('max') ?? 0,
  };
  if (cgroupFileExists(dir, 'memory.swap.current')) {
    // runc reports swap as memory+swap, like v1's memsw.
    const swapLimit = readCgroupNumber(dir, 'memory.swap.max');
    stats.memory.swap = {
      usage: num(dir, 'memory.swap.current') + (stats.memory.usage.usage ?? 0),
      limit: swapLimit >= NO_LIMIT ? UNLIMITED : swapLimit + stats.memory.usage.limit,
      failcnt: 0,
    };
  }
}

export function ioStatsV2(stats: Stats, dir: string): void {
  if (!cgroupFileExists(dir, 'io.stat')) return;
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of readCgroupFile(dir, 'io.stat').split('\n')) {
    const [dev, ...kv] = line.trim().split(/\s+/);
    const m = dev ? /^(\d+):(\d+)$/.exec(dev) : null;
    if (!m) continue;
    const major = Number(m[1]);
    const minor = Number(m[2]);
    for (const pair of kv) {
      const [k, v] = pair.split('=');
      const value = Number(v);
      if (k === 'rbytes') bytes.push({ major, minor, op: 'Read', value });
      if (k === 'wbytes') bytes.push({ major, minor, op: 'Write', value });
      if (k === 'rios') ios.push({ major, minor, op: 'Read', value });
      if (k === 'wios') ios.push({ major, minor, op: 'Write', value });
    }
  }
  stats.blkio.ioServiceBytesRecursive = bytes;
  stats.blkio.ioServicedRecursive = ios;
}

// ---- both ----
export function pidsStats(stats: Stats, dir: string): void {
  stats.pids.current = num(dir, 'pids.current');
  const max = readCgroupFile(dir, 'pids.max').trim();
  stats.pids.limit = max === 'max' ? 0 : Number(max);
}

export function cpusetStats(stats: Stats, dir: string): void {
  const f = (name: string): number[] => (cgroupFileExists(dir, name) ? parseCpuList(readCgroupFile(dir, name)) : []);
  stats.cpuset.cpus = f('cpuset.effective_cpus');
  stats.cpuset.mems = f('cpuset.effective_mems');
}

export function hugetlbStats(stats: Stats, dir: string, sizes: string[], v2: boolean): void {
  for (const size of sizes) {
    if (v2) {
      const events = cgroupFileExists(dir, `hugetlb.${size}.events`) ? readKeyValues(dir, `hugetlb.${size}.events`) : new Map<string, number>();
      stats.hugetlb[size] = { usage: num(dir, `hugetlb.${size}.current`), failcnt: events.get('max') ?? 0 };
    } else {
      stats.hugetlb[size] = {
        usage: num(dir, `hugetlb.${size}.usage_in_bytes`),
        max: num(dir, `hugetlb.${size}.max_usage_in_bytes`),
        failcnt: num(dir, `hugetlb.${size}.failcnt`),
      };
    }
  }
}
