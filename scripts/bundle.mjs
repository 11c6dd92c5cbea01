#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli.js and everything it imports, yargs
// and the generated validators included) with esbuild into one CommonJS file,
// dist/bundle/cli.cjs, then records a V8 code cache for it
// (dist/bundle/cli.cache). bin/tsrunc loads the bundle through vm.Script with
// that cache: no module resolution, no ESM loader, and most functions arrive
// compiled. Lazy imports stay lazy: esbuild turns each `await import()` into a
// deferred module initialiser, so yargs and each command's code run only when
// used. bin/tsrunc uses the bundle only when it is newer than dist/src/cli.js
// (a later `tsc` makes it stale, and then the plain modules run).
//
// import.meta.url has no meaning in CommonJS: it is defined as the bundle's
// own file URL, so paths derived from it (../build-info.json, the addon found
// by walking up to package.json) resolve from dist/bundle/ as from dist/src/.
import { build } from 'esbuild';
import { readFileSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
const validateJs = join(root, 'dist', 'src', 'spec', 'validate.js');
rmSync(out, { recursive: true, force: true });

// validate.ts imports the generated validators by a variable URL with a
// top-level await (so tsc does not resolve a file that only exists after the
// build); in the bundle it becomes a static import.
const staticValidators = {
  name: 'static-validators',
  setup(b) {
    b.onLoad({ filter: /[\\/]spec[\\/]validate\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const start = src.indexOf('const generatedUrl =');
      const end = src.indexOf('})();', start);
      if (start < 0 || end < 0) throw new Error(`bundle: ${args.path} no longer loads its validators as expected; update scripts/bundle.mjs`);
      const contents =
        "import * as generatedModule from './validators.generated.js';\n" +
        src.slice(0, start) +
        'const generated = generatedModule;' +
        src.slice(end + '})();'.length);
      return { contents, loader: 'js' };
    });
  },
};

if (!existsSync(validateJs)) throw new Error('bundle: run tsc and build-validators first');
await build({
  entryPoints: [join(root, 'dist', 'src', 'cli.js')],
  outfile: join(out, 'cli.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { 'import.meta.url': '__tsruncBundleUrl' },
  banner: { js: "const __tsruncBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [staticValidators],
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// Record the code cache: run a few calls that compile the hot paths (the
// loader writes the cache at exit when TSRUNC_WRITE_CODE_CACHE is set). None
// of them creates anything: `create` stops at its missing rootfs, after the
// config is parsed and schema-validated. yargs stays out of the cache: a
// bigger cache costs every call its deserialisation.
const cache = join(out, 'cli.cache');
const tmpRoot = join(out, '.train-root');
const trainBundle = join(out, '.train-bundle');
mkdirSync(trainBundle, { recursive: true });
const { defaultSpec } = await import(pathToFileURL(join(root, 'dist', 'src', 'lifecycle', 'spec.js')).href);
const spec = defaultSpec();
spec.process.terminal = false;
spec.root = { path: 'no-such-rootfs' };
writeFileSync(join(trainBundle, 'config.json'), JSON.stringify(spec));
const calls = [
  ['create', '--bundle', trainBundle, 'none'],
  ['state', 'none'],
  ['kill', 'none', 'KILL'],
  ['start', 'none'],
  ['delete', 'none'],
];
for (const args of calls) {
  spawnSync(process.execPath, [join(root, 'bin', 'tsrunc'), '--root', tmpRoot, ...args], { env: { ...process.env, TSRUNC_WRITE_CODE_CACHE: cache }, stdio: 'ignore' });
}
rmSync(trainBundle, { recursive: true, force: true });
rmSync(tmpRoot, { recursive: true, force: true });
console.log(`bundle: wrote dist/bundle/cli.cjs${existsSync(cache) ? ' and its code cache' : ' (no code cache recorded)'}`);
