// Reading and writing cgroup interface files with errors that say which
// value went to which file, e.g.
//   cgroups: write "9999999" to /sys/fs/cgroup/x/cpu.weight: EINVAL (invalid argument)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class CgroupFileError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'CgroupFileError';
  }
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

function describe(e: unknown): string {
  const code = errnoOf(e);
  const msg = e instanceof Error ? e.message : String(e);
  const why = msg.replace(/^[A-Z]+: /, '').replace(/, (write|open|read) '.*'$/, '');
  return code ? `${code} (${why})` : why;
}

export function writeCgroupFile(dir: string, file: string, value: string): void {
  const path = join(dir, file);
  try {
    // One write(2) per value: cgroup files act on each write separately.
    writeFileSync(path, value, { flag: 'w' });
  } catch (e) {
    throw new CgroupFileError(`cgroups: write "${value}" to ${path}: ${describe(e)}`, errnoOf(e));
  }
}

export function readCgroupFile(dir: string, file: string): string {
  const path = join(dir, file);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CgroupFileError(`cgroups: read ${path}: ${describe(e)}`, errnoOf(e));
  }
}

export function readCgroupNumber(dir: string, file: string): number {
  const text = readCgroupFile(dir, file).trim();
  if (text === 'max') return Number.MAX_SAFE_INTEGER;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`cgroups: ${join(dir, file)}: not a number: "${text}"`);
  return n;
}

export function cgroupFileExists(dir: string, file: string): boolean {
  return existsSync(join(dir, file));
}

/** "key value" lines (memory.stat, cpu.stat, ...) → map. */
export function readKeyValues(dir: string, file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readCgroupFile(dir, file).split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

export function isErrno(e: unknown, code: string): boolean {
  return errnoOf(e) === code;
}
