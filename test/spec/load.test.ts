// loadConfig and loadProcess on real bundle directories.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../src/spec/errors.js';
import { loadConfig, loadProcess, parseJsonDocument } from '../../src/spec/load.js';

/** The part of a tap test bundle() needs: cleanup on teardown. */
interface Teardown {
  teardown(fn: () => void): void;
}

function bundle(t: Teardown, config: unknown, opts: { rootfs?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-load-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  if (opts.rootfs !== false) mkdirSync(join(dir, 'rootfs'));
  if (config !== undefined) {
    writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  }
  return dir;
}


const good = {
  ociVersion: '1.3.0',
  root: { path: 'rootfs' },
  process: { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 }, capabilities: { bounding: ['CAP_KILL', 'CAP_MADE_UP'] } },
  linux: { namespaces: [{ type: 'mount' }, { type: 'network', path: '/proc/self/ns/net' }] },
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

t.test('loads a valid bundle and resolves a relative rootfs', async (t) => {
  const dir = bundle(t, good);
  const loaded = loadConfig(dir);
  t.equal(loaded.rootfs, join(dir, 'rootfs'));
  t.equal(loaded.bundle, dir);
  t.equal(loaded.spec.process?.args?.[0], 'sh');
  t.same(loaded.warnings, ['config.json: /process/capabilities/bounding/1: unknown capability "CAP_MADE_UP" is ignored']);
});

t.test('an absolute root.path is used as is', async (t) => {
  const other = mkdtempSync(join(tmpdir(), 'tsrunc-rootfs-'));
  t.teardown(() => rmSync(other, { recursive: true, force: true }));
  const dir = bundle(t, { ...good, root: { path: `${other}/` } }, { rootfs: false });
  t.equal(loadConfig(dir).rootfs, other);
});

t.test('a relative bundle path is made absolute', async (t) => {
  const dir = bundle(t, good);
  const cwd = process.cwd();
  process.chdir(join(dir, '..'));
  t.teardown(() => process.chdir(cwd));
  const rel = dir.slice(dir.lastIndexOf('/') + 1);
  t.equal(loadConfig(rel).rootfs, join(dir, 'rootfs'));
});

t.test('missing config.json', async (t) => {
  const dir = bundle(t, undefined);
  const e = errorOf(() => loadConfig(dir));
  t.equal(e.message, `config.json: /: cannot read ${dir}/config.json: no such file`);
});

t.test('invalid JSON reports line and column', async (t) => {
  const dir = bundle(t, '{\n  "ociVersion": "1.3.0",\n  "root": {"path": "rootfs"},,\n}');
  const e = errorOf(() => loadConfig(dir));
  t.equal(e.message, `config.json: /: invalid JSON at line 3, column 30: Expected double-quoted property name`);
  t.equal(e.pointer, '');
});

t.test('truncated JSON', async (t) => {
  const e = errorOf(() => parseJsonDocument('{"a":\n'));
  t.equal(e.message, 'config.json: /: invalid JSON at line 2, column 1: unexpected end of input');
});

t.test('schema errors come first', async (t) => {
  const dir = bundle(t, { ...good, process: { ...good.process, args: 'sh' } });
  t.equal(errorOf(() => loadConfig(dir)).message, 'config.json: /process/args: must be an array');
});

t.test('semantic errors', async (t) => {
  const dir = bundle(t, { ...good, process: { ...good.process, args: [] } });
  t.equal(errorOf(() => loadConfig(dir)).message, 'config.json: /process/args: must be a non-empty array');
});

t.test('namespace paths are checked', async (t) => {
  const dir = bundle(t, { ...good, linux: { namespaces: [{ type: 'network', path: '/proc/self/ns/uts' }] } });
  t.match(errorOf(() => loadConfig(dir)).message, /^config\.json: \/linux\/namespaces\/0\/path: \/proc\/self\/ns\/uts must be a namespace of type network \(it is uts:\[\d+\]\)$/);
  t.doesNotThrow(() => loadConfig(dir, { checkNamespacePaths: false }));
});

t.test('the rootfs must be a directory', async (t) => {
  const dir = bundle(t, good, { rootfs: false });
  t.equal(errorOf(() => loadConfig(dir)).message, `config.json: /root/path: directory ${dir}/rootfs does not exist`);
  writeFileSync(join(dir, 'rootfs'), '');
  t.equal(errorOf(() => loadConfig(dir)).message, `config.json: /root/path: ${dir}/rootfs is not a directory`);
});

t.test('loadProcess', async (t) => {
  const dir = bundle(t, undefined);
  const file = join(dir, 'process.json');
  writeFileSync(file, JSON.stringify({ cwd: '/tmp', args: ['ls'], user: { uid: 1, gid: 1 }, env: ['A=b'] }));
  const loaded = loadProcess(file);
  t.same(loaded.process.args, ['ls']);
  t.same(loaded.warnings, []);

  writeFileSync(file, JSON.stringify({ cwd: 'tmp', args: ['ls'], user: { uid: 1, gid: 1 } }));
  t.equal(errorOf(() => loadProcess(file)).message, 'process.json: /cwd: must be an absolute path');
  writeFileSync(file, JSON.stringify({ args: ['ls'], user: { uid: 1, gid: 1 } }));
  t.equal(errorOf(() => loadProcess(file)).message, 'process.json: /cwd: is required');
  writeFileSync(file, JSON.stringify({ cwd: '/', args: ['ls'], user: { uid: 1, gid: 1 }, rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }] }));
  t.equal(errorOf(() => loadProcess(file)).message, 'process.json: /rlimits/1/type: duplicates RLIMIT_NOFILE of /rlimits/0');
  writeFileSync(file, '[');
  t.equal(errorOf(() => loadProcess(file)).message, 'process.json: /: invalid JSON at line 1, column 2: unexpected end of input');
  t.equal(errorOf(() => loadProcess(join(dir, 'nope.json'))).message, `nope.json: /: cannot read ${dir}/nope.json: no such file`);
});
