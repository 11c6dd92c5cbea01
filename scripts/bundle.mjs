#!/usr/bin/env node
// Bundles the compiled CLI with esbuild into CommonJS parts in dist/bundle/,
// each with a V8 code cache recorded by running it:
//
//   cli.cjs         dist/src/cli.js and everything it imports: what every
//                   call loads. Each `await import()` stays a deferred module
//                   initialiser, so each command's code runs only when used.
//   validators.cjs  the generated schema validators (190 KB; create, run, exec)
//   yargs.cjs       yargs (180 KB with its helpers; only the yargs path: help,
//                   usage, the non-hot commands)
//
// Every call reads and compiles cli.cjs; the two big leaf libraries are parts
// of their own, loaded on first use through globalThis.__tsruncLoad (set by
// bin/tsrunc, or by the standalone binary's entry), so that `state`, `kill`
// and `start` never read them. Only leaves are parts: a module that holds
// state or classes shared with the rest stays in cli.cjs, so nothing exists
// twice.
//
// import.meta has no meaning in CommonJS: import.meta.dirname is defined as
// the part's __dirname and import.meta.url as its file URL (computed when
// first read), so paths derived from them (../build-info.json, the addon
// found by walking up to package.json) resolve from dist/bundle/ as from
// dist/src/. bin/tsrunc uses the bundle only when it
// is newer than dist/src/cli.js (a later `tsc` makes it stale, and then the
// plain modules run).
import { build } from 'esbuild';
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainCodeCache } from './train-code-cache.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
const validateJs = join(root, 'dist', 'src', 'spec', 'validate.js');
const generatedJs = join(root, 'dist', 'src', 'spec', 'validators.generated.js');
if (!existsSync(validateJs) || !existsSync(generatedJs)) throw new Error('bundle: run tsc and build-validators first');
rmSync(out, { recursive: true, force: true });

/** The module of cli.cjs that stands for part `name`: loaded on first
 *  require. yargs' stands for its default export (cli-yargs.ts imports it so,
 *  and an ES module's default import of CommonJS is module.exports). */
function partStub(name) {
  const exported = name === 'yargs' ? '.default' : '';
  return { contents: `module.exports = globalThis.__tsruncLoad(${JSON.stringify(name)})${exported};`, loader: 'js' };
}

// validate.ts imports the generated validators by a variable URL with a
// top-level await (so tsc does not resolve a file that only exists after the
// build); in the bundle that becomes a require of the validators part.
const parts = {
  name: 'tsrunc-parts',
  setup(b) {
    b.onLoad({ filter: /[\\/]spec[\\/]validate\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const start = src.indexOf('const generatedUrl =');
      const end = src.indexOf('})();', start);
      if (start < 0 || end < 0) throw new Error(`bundle: ${args.path} no longer loads its validators as expected; update scripts/bundle.mjs`);
      const contents = src.slice(0, start) + "const generated = require('tsrunc-part:validators');" + src.slice(end + '})();'.length);
      return { contents, loader: 'js' };
    });
    b.onResolve({ filter: /^tsrunc-part:/ }, (args) => ({ path: args.path.slice('tsrunc-part:'.length), namespace: 'tsrunc-part' }));
    b.onResolve({ filter: /^yargs$/ }, () => ({ path: 'yargs', namespace: 'tsrunc-part' }));
    b.onLoad({ filter: /.*/, namespace: 'tsrunc-part' }, (args) => partStub(args.path));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { 'import.meta.url': '__tsruncMeta.url', 'import.meta.dirname': '__dirname' },
  banner: { js: "const __tsruncMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: [join(root, 'dist', 'src', 'cli.js')], outfile: join(out, 'cli.cjs'), plugins: [parts] });
await build({ ...common, entryPoints: [generatedJs], outfile: join(out, 'validators.cjs') });
await build({
  ...common,
  stdin: { contents: "export { default } from 'yargs';", resolveDir: root, sourcefile: 'yargs-part.js' },
  outfile: join(out, 'yargs.cjs'),
});

// Record the code caches (scripts/train-code-cache.mjs).
trainCodeCache(process.execPath, out);
const cached = ['cli', 'validators', 'yargs'].filter((p) => existsSync(join(out, `${p}.cache`)));
console.log(`bundle: wrote dist/bundle/{cli,validators,yargs}.cjs, code caches for ${cached.join(', ') || 'none'}`);
