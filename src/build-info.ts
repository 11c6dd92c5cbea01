// Version and commit, for --version. The commit is stamped into
// dist/build-info.json at build time (scripts/stamp-build.mjs); the
// standalone binary carries its own copy (src/standalone.ts).
import { readFileSync } from 'node:fs';
import { standalone } from './standalone.js';

export interface BuildInfo {
  version: string;
  commit: string;
}

export function buildInfo(): BuildInfo {
  const embedded = standalone()?.buildInfo;
  if (embedded) return embedded;
  try {
    return JSON.parse(readFileSync(new URL('../build-info.json', import.meta.url), 'utf8')) as BuildInfo;
  } catch {
    return { version: '0.0.0', commit: 'unknown' };
  }
}
