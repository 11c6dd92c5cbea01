// The conversions runc applies to the spec's cgroup v1 style values when the
// host runs cgroup v2 (opencontainers/cgroups utils.go). Kept identical so a
// config gives the same limits under tsrunc and runc.

/** cpu.shares (2..262144, default 1024) → cpu.weight (1..10000, default 100).
 *  A quadratic in log2(shares) through (2,1), (1024,100), (262144,10000);
 *  0 means unset. */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return Math.ceil(Math.pow(10, exponent));
}

/** blkio.weight (10..1000) → io.weight (1..10000), linear; 0 means unset. */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/** v1 memory.memsw (memory+swap) → v2 memory.swap.max (swap only).
 *  -1 is "max", 0 is "unset". Throws on combinations v2 cannot express. */
export function memorySwapToV2(swap: number, memory: number): number {
  if (memory === -1 && swap === 0) return -1; // unlimited memory and unset swap: both unlimited
  if (swap === -1 || swap === 0) return swap;
  if (memory === -1) return swap;
  if (memory === 0) throw new Error('unable to set swap limit without memory limit');
  if (memory < 0) throw new Error(`invalid memory value: ${memory}`);
  if (swap < memory) throw new Error('memory+swap limit should be >= memory limit');
  return swap - memory;
}

/** v2 value text: -1 is "max", 0 is "" (do not write). */
export function v2NumberText(value: number): string {
  if (value === 0) return '';
  if (value === -1) return 'max';
  return String(value);
}
