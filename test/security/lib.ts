// Shared pieces of the attack tests: a private runtime + busybox bundle per
// test (removed on teardown), polling, file hashes, host-side markers.
import type { Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBundle, type Bundle } from '../lib/bundle.js';
import { Runtime } from '../lib/runtime.js';
import type { Spec } from '../../src/spec/types.js';

export { TSRUNC } from '../lib/runtime.js';

export function setup(t: Test, args: string[], edit?: (spec: Spec) => void): { rt: Runtime; bundle: Bundle } {
  const rt = new Runtime();
  const bundle = makeBundle(args, edit);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  return { rt, bundle };
}

/** A host temp dir the container must never reach; removed on teardown. */
export function hostDir(t: Test, prefix = 'tsrunc-victim-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => {
    // never follow into a mount a failed defence may have left there
    spawnSync('umount', ['-R', '-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function waitFor(cond: () => boolean, ms = 10_000): boolean {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    sleep(20);
  }
  return cond();
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Mount points at or below `dir` in the host's mount table. */
export function hostMountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((mp) => mp === dir || mp.startsWith(dir + '/'));
}

/** Starts a host process we own; killed (by its pid) on teardown. */
export function hostProcess(t: Test, cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** The five capability sets of a /proc/<pid>/status text, as bigints. */
export function capSets(status: string): Record<'CapInh' | 'CapPrm' | 'CapEff' | 'CapBnd' | 'CapAmb', bigint> {
  const get = (k: string): bigint => {
    const m = new RegExp(`^${k}:\\s*([0-9a-f]+)$`, 'm').exec(status);
    if (!m) throw new Error(`no ${k} in status: ${status}`);
    return BigInt('0x' + m[1]);
  };
  return { CapInh: get('CapInh'), CapPrm: get('CapPrm'), CapEff: get('CapEff'), CapBnd: get('CapBnd'), CapAmb: get('CapAmb') };
}

import { LINUX_CAPABILITIES as CAPABILITY_NAMES } from '../../src/spec/linux-names.js';

/** Every capability this (test) process may hand out: a "privileged" set. */
export function allCaps(): string[] {
  const bnd = capSets(readFileSync('/proc/self/status', 'utf8')).CapBnd;
  return CAPABILITY_NAMES.filter((_, bit) => (bnd >> BigInt(bit)) & 1n);
}

export function privileged(spec: Spec): void {
  const caps = allCaps();
  spec.process!.capabilities = { bounding: caps, effective: caps, permitted: caps };
}

import { closeSync, openSync, constants as fsc } from 'node:fs';

/** Runs tsrunc with extra inherited fds: extra[n] becomes fd n (an fd we
 *  opened on a host path). stdout/stderr are files, like Runtime.run. */
export function runWithFds(root: string, args: string[], extra: Record<number, string>): { code: number; stdout: string; stderr: string } {
  const out = join(root, `.fdout-${process.pid}`);
  const err = join(root, `.fderr-${process.pid}`);
  const o = openSync(out, 'w+');
  const e = openSync(err, 'w+');
  const opened: number[] = [];
  const max = Math.max(2, ...Object.keys(extra).map(Number));
  const stdio: (number | 'ignore' | 'pipe')[] = ['pipe', o, e];
  for (let fd = 3; fd <= max; fd++) {
    const path = extra[fd];
    if (path === undefined) {
      stdio.push('ignore');
      continue;
    }
    const h = openSync(path, fsc.O_RDONLY | fsc.O_DIRECTORY);
    opened.push(h);
    stdio.push(h);
  }
  try {
    const r = spawnSync(TSRUNC_BIN, ['--root', root, ...args], { stdio, input: '', timeout: 60_000 });
    return { code: r.status ?? 137, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
  } finally {
    for (const h of [o, e, ...opened]) closeSync(h);
    rmSync(out, { force: true });
    rmSync(err, { force: true });
  }
}
import { TSRUNC as TSRUNC_BIN } from '../lib/runtime.js';
