// Paths and fixture readers shared by the test/spec tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/spec/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The upstream runtime-spec v1.3.0 schema and test documents: `../shared/` beside
 * the clone (as in CI), or $TSRUNC_RUNTIME_SPEC_DIR, or `../../shared/` for a
 * git worktree nested one level deeper.
 */
export function upstreamSpecDir(): string {
  const candidates = [
    process.env.TSRUNC_RUNTIME_SPEC_DIR,
    join(repoRoot, '..', 'shared', 'runtime-spec-v1.3.0'),
    join(repoRoot, '..', '..', 'shared', 'runtime-spec-v1.3.0'),
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  const found = candidates.find((p) => existsSync(join(p, 'config-schema.json')));
  if (!found) throw new Error(`upstream runtime-spec v1.3.0 schema not found; looked in ${candidates.join(', ')}`);
  return found;
}

export interface JsonFile {
  name: string;
  path: string;
  text: string;
}

/** Every *.json file of a directory, sorted by name. */
export function jsonFiles(dir: string): JsonFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => {
      const path = join(dir, name);
      return { name, path, text: readFileSync(path, 'utf8') };
    });
}

export const fixtureDir = join(repoRoot, 'test', 'fixtures', 'configs');
