// Version and commit, for --version. The commit is stamped into
// dist/build-info.json at build time (scripts/stamp-build.mjs); the
// standalone binary carries its own copy (src/standalone.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { standalone } from './standalone.js';

export interface BuildInfo {
  version: string;
  commit: string;
}

export function buildInfo(): BuildInfo {
  const embedded = standalone()?.buildInfo;
  if (embedded) return embedded;
  try {
    return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'build-info.json'), 'utf8')) as BuildInfo;
  } catch {
    return { version: '0.0.0', commit: 'unknown' };
  }
}
