// Typed access to the "seccomp compile" section of the addon
// (csrc/addon/addon.cc + csrc/addon/seccomp_compile.c). Kept apart from the
// rest of the addon's bindings so the seccomp code owns its own surface.
import { loadAddon } from './addon-path.js';

export interface NativeSeccompArg {
  index: number;
  op: number;
  value: bigint;
  valueTwo: bigint;
}

export interface NativeSeccompRule {
  name: string;
  action: number;
  args: NativeSeccompArg[];
}

export interface NativeSeccompSpec {
  defaultAction: number;
  arches: string[];
  rules: NativeSeccompRule[];
}

/** Thrown by seccompCompile: where in the input the problem is. */
export interface NativeSeccompError extends Error {
  kind: 'none' | 'default' | 'arch' | 'rule';
  index: number;
}

export interface SeccompAddon {
  seccompCompile(spec: NativeSeccompSpec): { bpf: Buffer; unknown: number[]; stubInstructions: number };
  seccompFlagsSupported(flags: number): number;
  libseccompVersion(): string;
  libseccompApiLevel(): number;
  seccompArchKnown(name: string): boolean;
  seccompSendListener(path: string, stateJson: string, fd: number): void;
  pidfdGetfd(pid: number, fd: number): number;
}

let cached: SeccompAddon | undefined;

/** build/Release/tsrunc.node (addon-path.ts). */
export function seccompAddon(): SeccompAddon {
  cached ??= loadAddon() as SeccompAddon;
  return cached;
}
