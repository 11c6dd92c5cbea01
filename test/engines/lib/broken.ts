// A runtime that always fails, to prove each engine reports a broken runtime
// promptly and readably instead of hanging.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BROKEN_MESSAGE = 'tsrunc-test: deliberately broken runtime';

/**
 * Writes `<dir>/tsrunc-broken`: for every command it reports BROKEN_MESSAGE the
 * way runc does (a JSON line in the `--log` file, which containerd's shim and
 * conmon read back) and on stderr, then exits 1.
 */
export function writeBrokenRuntime(dir: string): string {
  const path = join(dir, 'tsrunc-broken');
  const script = [
    '#!/bin/sh',
    'log=',
    'for a in "$@"; do',
    '  case "$prev" in --log) log=$a ;; esac',
    '  case "$a" in --log=*) log=${a#--log=} ;; esac',
    '  prev=$a',
    'done',
    `[ -n "$log" ] && printf '{"level":"error","msg":"%s","time":"%s"}\\n' '${BROKEN_MESSAGE}' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$log"`,
    `echo '${BROKEN_MESSAGE}' >&2`,
    'exit 1',
    '',
  ].join('\n');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}
