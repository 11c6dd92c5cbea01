// Real OCI bundles for tests: a busybox-static rootfs (Debian's
// busybox-static) and a runc-like default config, in a temp dir.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultSpec } from '../../src/lifecycle/spec.js';
import type { Spec } from '../../src/spec/types.js';

export const BUSYBOX = '/bin/busybox';

let applets: string[] | undefined;

function busyboxApplets(): string[] {
  applets ??= execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return applets;
}

/** Makes a busybox rootfs at `dir`. */
export function makeRootfs(dir: string): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'var', 'run', 'mnt']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of busyboxApplets()) {
    if (applet === 'bin/busybox') continue;
    const target = join(dir, applet);
    mkdirSync(dirname(target), { recursive: true });
    try {
      symlinkSync('/bin/busybox', target);
    } catch {
      // listed twice
    }
  }
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
}

export interface Bundle {
  dir: string;
  rootfs: string;
  spec: Spec;
  /** Writes `spec` (after any edits) to config.json. */
  save(): void;
  cleanup(): void;
}

/** A bundle whose config runs `args` without a terminal. */
export function makeBundle(args: string[] = ['true'], edit?: (spec: Spec) => void): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-bundle-'));
  const rootfs = join(dir, 'rootfs');
  makeRootfs(rootfs);
  const spec = defaultSpec();
  spec.process!.terminal = false;
  spec.process!.args = args;
  spec.root = { path: 'rootfs', readonly: false };
  edit?.(spec);
  const bundle: Bundle = {
    dir,
    rootfs,
    spec,
    save: () => writeFileSync(join(dir, 'config.json'), JSON.stringify(bundle.spec, null, 2)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  bundle.save();
  return bundle;
}
