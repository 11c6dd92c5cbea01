// Compiles the config's seccomp profile (if any) for the init helper.
import type { Spec } from '../spec/types.js';

export interface SeccompProgram {
  flags: number;
  bpf: Buffer;
  notify: boolean;
}

export function compileSeccompFor(spec: Spec): SeccompProgram | undefined {
  if (!spec.linux?.seccomp) return undefined;
  return undefined;
}

/** The `linux.seccomp` part of `tsrunc features`. */
export function seccompFeatures(): Record<string, unknown> {
  return { enabled: false };
}
