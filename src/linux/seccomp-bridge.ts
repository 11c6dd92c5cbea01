// Compiles the config's seccomp profile (if any) for the init helper. The
// interface the lifecycle uses (create, exec, features); the work is in
// seccomp.ts. (Replaces main's placeholder of the same name on merge.)
import type { Spec } from '../spec/types.js';
import { compileSeccomp, seccompFeatures as features, seccompRequested, type CompiledSeccomp } from './seccomp.js';

export type SeccompProgram = CompiledSeccomp;

export interface SeccompBridgeOptions {
  /** Where compiled programs are remembered (e.g. <root>/.seccomp-cache). */
  cacheDir?: string;
  /** runc logs skipped syscall names at debug level. */
  debug?: (msg: string) => void;
}

export function compileSeccompFor(spec: Spec, opts: SeccompBridgeOptions = {}): SeccompProgram | undefined {
  const s = spec.linux?.seccomp;
  if (!seccompRequested(s)) return undefined;
  const program = compileSeccomp(s, { cacheDir: opts.cacheDir });
  for (const name of program.unknownSyscalls) opts.debug?.(`unknown seccomp syscall "${name}" ignored`);
  return program;
}

/** The `linux.seccomp` part of `tsrunc features`. */
export function seccompFeatures(): Record<string, unknown> {
  return { ...features() };
}
