// Capability names → bit numbers (linux/capability.h), strict: an unknown
// name is an error here too, not only in the semantic checker.
import type { Capabilities } from '../spec/types.js';

export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

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
