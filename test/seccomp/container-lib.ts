// Real containers for the seccomp tests, through the tsrunc CLI as engines
// drive it, with a private --root. Self-contained (busybox rootfs, config
// from `tsrunc spec`) so it depends on nothing but the built runtime.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Test } from 'tap';
import type { Spec } from '../../src/spec/types.js';
import { repoRoot } from './helpers.js';

export const TSRUNC = process.env.TSRUNC_BIN ?? join(repoRoot(), 'bin/tsrunc');
export const BUSYBOX = '/bin/busybox';

/** The runtime's CLI is built (it is not on branches with only the compiler). */
export function runtimeAvailable(): boolean {
  return existsSync(TSRUNC) && existsSync(join(repoRoot(), 'dist/src/cli.js'));
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export class Runtime {
  readonly root: string;
  private readonly ids = new Set<string>();

  constructor(t: Test) {
    this.root = mkdtempSync(join(tmpdir(), 'tsrunc-seccomp-root-'));
    t.teardown(() => this.cleanup());
  }

  run(args: string[], cwd?: string, input = ''): Result {
    const r = spawnSync(TSRUNC, ['--root', this.root, ...args], { encoding: 'utf8', input, cwd, timeout: 60_000 });
    if (r.error) throw r.error;
    return { code: r.status ?? 128 + 9, stdout: r.stdout, stderr: r.stderr };
  }

  /** For create: the container inherits stdio, so no pipes to wait on. */
  runQuiet(args: string[], cwd?: string): number {
    const r = spawnSync(TSRUNC, ['--root', this.root, ...args], { stdio: 'ignore', cwd, timeout: 60_000 });
    if (r.error) throw r.error;
    return r.status ?? 128 + 9;
  }

  /** `tsrunc run ID` in the bundle; the container is deleted at teardown. */
  runContainer(id: string, bundle: string): Result {
    this.ids.add(id);
    return this.run(['run', id], bundle);
  }

  track(id: string): void {
    this.ids.add(id);
  }

  private cleanup(): void {
    for (const id of this.ids) this.run(['delete', '--force', id]);
    rmSync(this.root, { recursive: true, force: true });
  }
}

let applets: string[] | undefined;

function makeRootfs(dir: string): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'mnt']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  applets ??= execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    const target = join(dir, applet);
    if (existsSync(target)) continue;
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync('/bin/busybox', target);
  }
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nuser:x:1000:\n');
}

export interface Bundle {
  dir: string;
  rootfs: string;
}

/** A bundle running `args` (no terminal) with `edit` applied to runc's default config. */
export function makeBundle(t: Test, args: string[], edit: (spec: Spec) => void): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-seccomp-bundle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const rootfs = join(dir, 'rootfs');
  makeRootfs(rootfs);
  execFileSync(TSRUNC, ['spec', '--bundle', dir]);
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Spec;
  if (!spec.process) throw new Error('tsrunc spec wrote no process');
  spec.process.terminal = false;
  spec.process.args = args;
  spec.root = { path: 'rootfs', readonly: false };
  edit(spec);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2));
  return { dir, rootfs };
}

/** Builds test/seccomp/raw-syscall.c statically, once, into a temp dir. */
export function buildRawSyscall(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-seccomp-raw-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const exe = join(dir, 'raw-syscall');
  execFileSync('gcc', ['-O2', '-static', '-o', exe, join(repoRoot(), 'test/seccomp/raw-syscall.c')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return exe;
}

/** Puts raw-syscall into the bundle's rootfs as /bin/raw-syscall. */
export function addRawSyscall(b: Bundle, exe: string): void {
  copyFileSync(exe, join(b.rootfs, 'bin/raw-syscall'));
  chmodSync(join(b.rootfs, 'bin/raw-syscall'), 0o755);
}

/** Every "ret=R errno=E" line of raw-syscall, in order. */
export function rawResults(stdout: string): { ret: number; errno: number }[] {
  return [...stdout.matchAll(/ret=(-?\d+) errno=(\d+)/g)].map((m) => ({ ret: Number(m[1]), errno: Number(m[2]) }));
}
