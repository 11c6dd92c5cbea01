// process.rlimits names → RLIMIT_* numbers (asm-generic/resource.h).
export const RLIMITS: Record<string, number> = {
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
};

export function rlimitResource(name: string): number {
  const r = RLIMITS[name];
  if (r === undefined) throw new Error(`unknown rlimit ${JSON.stringify(name)}`);
  return r;
}

const U64_MAX = (1n << 64n) - 1n;

/** JSON numbers lose precision near 2^64: anything at or above 2^64-1
 *  (RLIM_INFINITY as JSON writes it) is infinity. */
export function rlimitValue(v: number): bigint {
  if (!Number.isFinite(v) || v < 0) throw new Error(`rlimit value ${v} is not a non-negative integer`);
  const b = BigInt(Math.floor(v));
  return b >= U64_MAX ? U64_MAX : b;
}
