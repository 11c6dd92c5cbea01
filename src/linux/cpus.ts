// CPU lists ("0-3,7", as in cpuset and process.execCPUAffinity) → the
// bitmask sched_setaffinity takes: u64 words, cpu N = bit N%64 of word N/64.

export function parseCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid CPU list ${JSON.stringify(list)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || to > 8191) throw new Error(`invalid CPU range ${part} in ${JSON.stringify(list)}`);
    for (let c = from; c <= to; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

export function cpuMask(list: string): Buffer {
  const cpus = parseCpuList(list);
  const words = Math.floor(Math.max(...cpus) / 64) + 1;
  const mask = Buffer.alloc(words * 8);
  for (const c of cpus) mask[c >> 3] = mask[c >> 3]! | (1 << (c & 7));
  return mask;
}
