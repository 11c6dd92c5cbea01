// `npm install -g` of the packed package (the repository's package.json
// "files": bin/, dist/ without dist/binary, the addon and the init helper) gives a
// working tsrunc: --version, and a real container.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBundle } from '../lib/bundle.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const built = ['build/Release/tsrunc.node', 'build/Release/tsrunc-init', 'dist/bundle/cli.cjs'].every((p) => existsSync(join(REPO, p)));
const skip = built ? false : 'the package is not built (npm run build)';

function npm(args: string[], cwd: string): string {
  // --ignore-scripts: the suite runs after `npm run build`, so the package's
  // prepack (a full rebuild, for a fresh clone) would only redo that work
  // under the running tests.
  const r = spawnSync('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

t.test('npm install -g of the packed package runs containers', { skip }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'tsrunc-npm-install-'));
  const prefix = join(work, 'prefix');
  const root = join(work, 'root');
  const bundle = makeBundle(['true']);
  const id = `npm-install-${process.pid}-${Date.now()}`;
  const tsrunc = join(prefix, 'bin', 'tsrunc');
  t.teardown(() => {
    if (existsSync(tsrunc)) spawnSync(tsrunc, ['--root', root, 'delete', '--force', id], { stdio: 'ignore' });
    bundle.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], REPO)) as { filename: string; files: { path: string }[] }[];
  const files = packed[0].files.map((f) => f.path);
  for (const needed of ['bin/tsrunc', 'build/Release/tsrunc.node', 'build/Release/tsrunc-init', 'dist/bundle/cli.cjs', 'dist/build-info.json']) {
    t.ok(files.includes(needed), `the package holds ${needed}`);
  }
  t.notOk(files.some((f) => f.startsWith('dist/binary')), 'the package leaves out the standalone binary');

  // --prefer-offline: the dependencies come from the npm cache that `npm ci` filled.
  npm(['install', '-g', '--prefer-offline', '--prefix', prefix, join(work, packed[0].filename)], work);
  const version = spawnSync(tsrunc, ['--version'], { encoding: 'utf8' });
  const info = JSON.parse(readFileSync(join(REPO, 'dist', 'build-info.json'), 'utf8')) as { version: string; commit: string };
  t.equal(version.status, 0, `--version exits 0 (stderr: ${version.stderr})`);
  t.match(version.stdout, `tsrunc version ${info.version}\ncommit: ${info.commit}\n`, '--version shows version and commit');

  const run = spawnSync(tsrunc, ['--root', root, 'run', '--bundle', bundle.dir, id], { encoding: 'utf8', timeout: 60_000 });
  t.equal(run.status, 0, `run of busybox true exits 0 (stderr: ${run.stderr.trim()})`);
  t.notOk(existsSync(join(root, id)), 'run removed the container');
});
