// Capability names → bit numbers (linux/capability.h), strict: an unknown
// name is an error here too, not only in the semantic checker.
import type { Capabilities } from '../spec/types.js';
import { LINUX_CAPABILITIES } from '../spec/linux-names.js';

/** The one list of capability names, in bit order (src/spec/linux-names.ts). */
export const CAPABILITIES: readonly string[] = LINUX_CAPABILITIES;

export function capabilityBit(name: string): number {
  const bit = CAPABILITIES.indexOf(name);
  if (bit < 0) throw new Error(`unknown capability ${JSON.stringify(name)}`);
  return bit;
}

export function capabilityMask(names: readonly string[] = []): bigint {
  let mask = 0n;
  for (const n of names) mask |= 1n << BigInt(capabilityBit(n));
  return mask;
}

export interface CapSets {
  bounding: bigint;
  effective: bigint;
  inheritable: bigint;
  permitted: bigint;
  ambient: bigint;
}

export function capabilitySets(caps: Capabilities): CapSets {
  return {
    bounding: capabilityMask(caps.bounding),
    effective: capabilityMask(caps.effective),
    inheritable: capabilityMask(caps.inheritable),
    permitted: capabilityMask(caps.permitted),
    ambient: capabilityMask(caps.ambient),
  };
}
