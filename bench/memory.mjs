// Item 6: the smallest memory limit (linux.resources.memory.limit) under which
// `run /bin/true` still exits 0, from a ladder of sizes.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from './bundle.mjs';

const LADDER_KIB = [256, 512, 1024, 2048, 4096, 8192, 16384];

export function smallestMemoryLimit(rt, { root, dir }) {
  const outcomes = {};
  let smallestKiB;
  for (const kib of LADDER_KIB) {
    const bundle = join(dir, String(kib));
    mkdirSync(bundle, { recursive: true });
    makeBundle(bundle, ['/bin/true'], (c) => {
      c.linux.resources.memory = { limit: kib * 1024 };
    });
    const r = spawnSync(rt.bin, ['--root', root, 'run', '--bundle', bundle, `mem-${kib}`], { encoding: 'utf8', timeout: 30_000 });
    spawnSync(rt.bin, ['--root', root, 'delete', '--force', `mem-${kib}`], { stdio: 'ignore' });
    outcomes[kib] = r.status === 0 ? 'ok' : `exit ${r.status ?? r.signal}: ${(r.stderr || '').trim().split('\n').pop()}`;
    if (r.status === 0 && smallestKiB === undefined) smallestKiB = kib;
  }
  return { smallestKiB, tried: LADDER_KIB, outcomes };
}
