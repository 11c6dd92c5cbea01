#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli.js and what it imports, yargs
// included) with esbuild into dist/bundle/: a few files instead of ~60
// modules to resolve and load on every call. Code splitting keeps the lazy
// imports lazy (yargs and each command load only when used). bin/tsrunc runs
// the bundle when it is newer than dist/src/cli.js (a later `tsc` makes it
// stale, and then the plain modules run). Paths the code derives from
// import.meta.url still hold: dist/bundle/ sits where dist/src/ did for
// ../build-info.json, the addon is found by walking up to package.json, and
// the generated validators are copied beside the chunks.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { cli: join(root, 'dist', 'src', 'cli.js') },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(root, 'dist', 'src', 'spec', 'validators.generated.js'), join(out, 'validators.generated.js'));
console.log('bundle: wrote dist/bundle/');
