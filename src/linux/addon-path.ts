// Where build/Release/tsrunc.node is: the nearest ancestor of this module with
// a package.json (dist/src/linux/, dist/bundle/ or src/linux/ under ts-node).
// TSRUNC_ADDON overrides it (an install that places the addon elsewhere). In
// the standalone binary it is beside the executable (src/standalone.ts).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { standalone } from '../standalone.js';

let cached: string | undefined;
let exportsOf: object | undefined;

/** The addon's exports, loaded once. process.dlopen rather than require():
 *  no module resolution, which would look for package.json files above the
 *  caller (in the standalone binary: above the executable). */
export function loadAddon(): object {
  if (!exportsOf) {
    const mod = { exports: {} };
    process.dlopen(mod, addonPath());
    exportsOf = mod.exports;
  }
  return exportsOf;
}

export function addonPath(): string {
  if (cached) return cached;
  const override = process.env.TSRUNC_ADDON;
  if (override) return (cached = override);
  const install = standalone();
  if (install) return (cached = join(install.dir, 'tsrunc.node'));
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('tsrunc: cannot find the package root (build/Release/tsrunc.node)');
    dir = up;
  }
  return (cached = join(dir, 'build', 'Release', 'tsrunc.node'));
}
