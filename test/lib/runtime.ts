// Drives the tsrunc CLI (or TSRUNC_BIN) as engines do, with a private --root.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, existsSync, readFileSync, openSync, closeSync, statSync } from 'node:fs';
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
  private calls = 0;
  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'tsrunc-root-'));
  }

  /** Runs tsrunc. Its stdout/stderr go to files, not pipes: a detached
   *  container inherits them and would hold a pipe open after tsrunc exits. */
  run(args: string[], opts: { input?: string; cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Result {
    const outPath = join(this.root, `.out-${process.pid}-${this.calls}`);
    const errPath = join(this.root, `.err-${process.pid}-${this.calls++}`);
    const out = openSync(outPath, 'w+');
    const err = openSync(errPath, 'w+');
    let res: SpawnSyncReturns<Buffer>;
    try {
      res = spawnSync(TSRUNC, ['--root', this.root, ...args], {
        input: opts.input ?? '',
        stdio: ['pipe', out, err],
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 60_000,
        env: opts.env ?? process.env,
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const stdout = readFileSync(outPath, 'utf8');
    const stderr = readFileSync(errPath, 'utf8');
    rmSync(outPath);
    rmSync(errPath);
    if (res.error) throw new Error(`tsrunc ${args.join(' ')}: ${res.error.message}; stderr: ${stderr}`);
    return { code: res.status ?? 128 + 9, stdout, stderr };
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
      for (const id of readdirSync(this.root)) {
        // not the warm server's .warm (docs/warm-mode.md): it is no container
        if (id !== '.warm' && statSync(join(this.root, id)).isDirectory()) this.run(['delete', '--force', id]);
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Reads a file a container wrote into the bundle, for assertions. */
export function readOut(path: string): string {
  return readFileSync(path, 'utf8');
}
