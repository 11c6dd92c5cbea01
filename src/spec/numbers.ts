// JSON numbers are IEEE doubles: a uint64 such as 18446744073709551615
// (RLIM_INFINITY, "unlimited") is parsed as 2^64, one past the largest uint64.
// Values that must reach the kernel as 64-bit integers go through these.

const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const INT64_MAX = 0x7fff_ffff_ffff_ffffn;
const INT64_MIN = -0x8000_0000_0000_0000n;

/** A schema-checked uint64 as a bigint, with 2^64 (a rounded 2^64-1) clamped to 2^64-1. */
export function toUint64(n: number): bigint {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${n} is not a uint64`);
  const v = BigInt(n);
  return v > UINT64_MAX ? UINT64_MAX : v;
}

/** A schema-checked int64 as a bigint, clamped to the int64 range after rounding. */
export function toInt64(n: number): bigint {
  if (!Number.isInteger(n)) throw new RangeError(`${n} is not an int64`);
  const v = BigInt(n);
  return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
}
