// Interim loader (replaced by the schema-validating one).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Process, Spec } from './types.js';

export function loadConfig(bundle: string): { spec: Spec; rootfs: string } {
  const spec = JSON.parse(readFileSync(resolve(bundle, 'config.json'), 'utf8')) as Spec;
  return { spec, rootfs: resolve(bundle, spec.root?.path ?? 'rootfs') };
}

export function loadProcess(file: string): Process {
  return JSON.parse(readFileSync(file, 'utf8')) as Process;
}
