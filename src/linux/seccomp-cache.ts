// A cache of compiled seccomp programs. libseccomp takes tens of
// milliseconds for a multi-arch engine profile (Podman's: ~50 ms for
// x86_64+x86+x32), and engines pass the same profile to every container.
// Keyed by everything the program depends on: the native input, the
// libseccomp version, the kernel release and the CPU architecture. Best
// effort: any problem reading or writing means compiling again.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { crypto } from '../lazy-builtins.js';
import type { NativeSeccompSpec } from './seccomp-addon.js';
import { seccompAddon } from './seccomp-addon.js';

export interface NativeCompiled {
  bpf: Buffer;
  unknown: number[];
  stubInstructions: number;
}

interface Entry {
  bpf: string; // base64
  unknown: number[];
  stubInstructions: number;
}

function cacheKey(spec: NativeSeccompSpec): string {
  const json = JSON.stringify(
    { v: 1, lib: seccompAddon().libseccompVersion(), kernel: release(), arch: process.arch, spec },
    (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
  );
  return crypto().createHash('sha256').update(json).digest('hex');
}

function isEntry(x: unknown): x is Entry {
  const e = x as Partial<Entry> | null;
  return (
    typeof e === 'object' && e !== null && typeof e.bpf === 'string' &&
    Array.isArray(e.unknown) && e.unknown.every((n) => typeof n === 'number') &&
    typeof e.stubInstructions === 'number'
  );
}

/** seccompAddon().seccompCompile, remembered in `dir` (root-only). */
export function compileNativeCached(spec: NativeSeccompSpec, dir: string): NativeCompiled {
  const file = join(dir, `${cacheKey(spec)}.json`);
  try {
    const e: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (isEntry(e)) {
      const bpf = Buffer.from(e.bpf, 'base64');
      if (bpf.length > 0 && bpf.length % 8 === 0) return { bpf, unknown: e.unknown, stubInstructions: e.stubInstructions };
    }
  } catch {
    // not cached yet, or unreadable: compile
  }
  const out = seccompAddon().seccompCompile(spec);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    const entry: Entry = { bpf: out.bpf.toString('base64'), unknown: out.unknown, stubInstructions: out.stubInstructions };
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // a cache that cannot be written is only slower
  }
  return out;
}
