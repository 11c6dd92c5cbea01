// Where things are: the runtime under test, the engine binaries, the suite's
// temp dirs, and the optional call-recording wrapper.
import { accessSync, constants, mkdirSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repo root, from dist/test/engines/lib/*.js or test/engines/lib/*.ts alike. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      accessSync(join(dir, 'package.json'));
      accessSync(join(dir, 'test', 'engines'));
      return dir;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error(`cannot find the repo root above ${fileURLToPath(import.meta.url)}`);
})();

export const ENGINE_DIR = join(REPO_ROOT, 'test', 'engines');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The runtime the engines must use: $TSRUNC_BIN, else the repo's bin/tsrunc.
 * Missing is an error (never a skip): the runtime is what these tests prove.
 */
export function runtimeUnderTest(): string {
  const path = resolve(process.env.TSRUNC_BIN ?? join(REPO_ROOT, 'bin', 'tsrunc'));
  if (!isExecutable(path)) {
    throw new Error(`runtime under test ${path} is not an executable file (set TSRUNC_BIN or build bin/tsrunc)`);
  }
  return path;
}

/**
 * Why an engine's tests must be skipped: only when one of its binaries is
 * missing, and never in CI (setup installs them there, so missing is a failure).
 */
export function skipReason(engine: string, binaries: readonly string[]): string | undefined {
  const missing = binaries.filter((b) => !isExecutable(b));
  if (missing.length === 0) return undefined;
  const reason = `${engine} tests need ${missing.join(', ')} (run scripts/setup-engines.sh)`;
  if (process.env.CI) throw new Error(`in CI but ${reason}`);
  return reason;
}

/** A fresh temp dir for one engine's daemons and files, e.g. /tmp/tsrunc-engines-docker-<pid>-XXXX. */
export function suiteTempDir(engine: string): string {
  return mkdtempSync(join(tmpdir(), `tsrunc-engines-${engine}-${process.pid}-`));
}

/** A short dir under /run for sockets (sun_path is 108 bytes), unique to this process. */
export function runDir(engine: string): string {
  const dir = `/run/tsrunc-test-${engine}-${process.pid}`;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * When $TSRUNC_RECORD names a file, engines get a shell wrapper (named like the
 * runtime, since Podman keys behaviour on the file name) that appends every
 * command line it is run with, then execs the real runtime.
 */
export function maybeRecordingWrapper(runtime: string, engine: string, dir: string): string {
  const log = process.env.TSRUNC_RECORD;
  if (!log) return runtime;
  const wrapperDir = join(dir, 'recording');
  mkdirSync(wrapperDir, { recursive: true });
  const wrapper = join(wrapperDir, basename(runtime));
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const saved = `${resolve(log)}.d`;
  mkdirSync(saved, { recursive: true });
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      '# Records the runtime command line an engine issues (and the config.json /',
      '# process.json it hands over), then runs the real runtime.',
      `{ printf '%s' ${q(engine)}; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'; } >> ${q(resolve(log))}`,
      'prev=',
      'for a in "$@"; do',
      '  case "$prev" in',
      `    --bundle) cp "$a/config.json" ${q(saved)}/${q(engine)}-config-$$.json 2>/dev/null ;;`,
      `    --process) cp "$a" ${q(saved)}/${q(engine)}-process-$$.json 2>/dev/null ;;`,
      '  esac',
      '  prev=$a',
      'done',
      `exec ${q(runtime)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}
