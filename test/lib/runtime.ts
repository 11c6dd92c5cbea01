// Drives the tsrunc CLI (or TSRUNC_BIN) as engines do, with a private --root.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
export const TSRUNC = process.env.TSRUNC_BIN ?? join(REPO, 'bin/tsrunc');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export class Runtime {
  readonly root: string;
  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'tsrunc-root-'));
  }

  run(args: string[], opts: { input?: string; cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Result {
    const res: SpawnSyncReturns<string> = spawnSync(TSRUNC, ['--root', this.root, ...args], {
      encoding: 'utf8',
      input: opts.input ?? '',
      cwd: opts.cwd,
      timeout: opts.timeoutMs ?? 60_000,
      env: opts.env ?? process.env,
    });
    if (res.error) throw res.error;
    return { code: res.status ?? 128 + 9, stdout: res.stdout, stderr: res.stderr };
  }

  /** Like run, but throws with stderr when the command fails. */
  ok(args: string[], opts: { input?: string; cwd?: string; timeoutMs?: number } = {}): string {
    const r = this.run(args, opts);
    if (r.code !== 0) throw new Error(`tsrunc ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  state(id: string): { status: string; pid: number; [k: string]: unknown } {
    return JSON.parse(this.ok(['state', id])) as { status: string; pid: number };
  }

  /** Force-deletes every container left under our root, then removes it. */
  cleanup(): void {
    if (existsSync(this.root)) {
      for (const id of readdirSync(this.root)) this.run(['delete', '--force', id]);
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Reads a file a container wrote into the bundle, for assertions. */
export function readOut(path: string): string {
  return readFileSync(path, 'utf8');
}
