// Records V8 code caches for the bundle's parts (scripts/bundle.mjs) with a
// given Node executable: the machine's Node for dist/bundle/, the embedded
// Node 24 for the standalone binary (scripts/build-binary.mjs; a cache is
// only good for the V8 that made it). bin/tsrunc writes each part's cache
// into TSRUNC_WRITE_CODE_CACHE at exit, starting from the one the previous
// call left there, so the calls add up. None of them creates anything:
// `create` of an id whose state directory is already there stops when it
// would reserve it, after the config is validated, its seccomp profile
// compiled and the helper's config encoded; `list` goes through yargs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSpec } from '../dist/src/lifecycle/spec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the hot calls with `node` on bin/tsrunc; caches land in `outDir`. */
export function trainCodeCache(node, outDir) {
  const work = mkdtempSync(join(tmpdir(), 'tsrunc-train-'));
  try {
    const bundle = join(work, 'bundle');
    mkdirSync(join(bundle, 'rootfs'), { recursive: true });
    mkdirSync(join(work, 'root', 'none'), { recursive: true });
    const spec = defaultSpec();
    spec.process.terminal = false;
    spec.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ names: ['keyctl', 'add_key'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    };
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
    const calls = [
      ['create', '--bundle', bundle, 'none'],
      ['state', 'none'],
      ['kill', 'none', 'KILL'],
      ['start', 'none'],
      ['delete', 'none'],
      ['list'],
    ];
    for (const args of calls) {
      const env = { ...process.env, TSRUNC_WRITE_CODE_CACHE: outDir };
      spawnSync(node, [join(root, 'bin', 'tsrunc'), '--root', join(work, 'root'), ...args], { env, stdio: 'ignore' });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
