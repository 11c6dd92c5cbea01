// Item 6: the smallest memory limit (linux.resources.memory.limit) under which
// `run /bin/true` exits 0 in every one of TRIES runs, from a ladder of sizes
// (one try may pass where another is OOM-killed: page cache charged to the
// container's cgroup depends on what is already resident).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from './bundle.mjs';

const LADDER_KIB = [256, 512, 1024, 2048, 4096, 8192, 16384];
const TRIES = 3;

export function smallestMemoryLimit(rt, { root, dir }) {
  const outcomes = {};
  let smallestKiB;
  for (const kib of LADDER_KIB) {
    const bundle = join(dir, String(kib));
    mkdirSync(bundle, { recursive: true });
    makeBundle(bundle, ['/bin/true'], (c) => {
      c.linux.resources.memory = { limit: kib * 1024 };
    });
    const fails = [];
    for (let i = 0; i < TRIES; i++) {
      const id = `mem-${rt.name}-${kib}-${i}`;
      const r = spawnSync(rt.bin, ['--root', root, 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 30_000 });
      spawnSync(rt.bin, ['--root', root, 'delete', '--force', id], { stdio: 'ignore' });
      if (r.status !== 0) fails.push(`exit ${r.status ?? r.signal}: ${(r.stderr || '').trim().split('\n').pop()}`);
    }
    outcomes[kib] = fails.length === 0 ? 'ok' : `${TRIES - fails.length}/${TRIES} ok; ${fails[0]}`;
    if (fails.length === 0 && smallestKiB === undefined) smallestKiB = kib;
  }
  return { smallestKiB, tried: LADDER_KIB, outcomes };
}
