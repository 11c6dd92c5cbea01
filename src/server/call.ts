// What a warm worker does around one call so that it runs as the cold path
// would in the front's place: the caller's env, cwd, umask and stdio in, and
// all of it out again afterwards (the next call starts clean).
import { openSync, readlinkSync } from 'node:fs';
import tty from 'node:tty';
import * as addon from '../linux/addon.js';
import { commandIndex } from '../global-flags.js';
import type { PeerCred } from '../linux/addon.js';
import type { Hello } from './front-protocol.js';

const NAMESPACES = ['mnt', 'pid', 'net', 'user', 'ipc', 'uts', 'cgroup'];

/** Not served warm: long-running streams, and the server's own commands. */
const COLD_ONLY = new Set(['events', '__warm-server', '__warm-worker']);

/** After these a worker may serve another call (nothing of theirs lives on). */
const REUSABLE = new Set(['state', 'create', 'start', 'kill', 'delete', 'list', 'pause', 'resume', 'ps', 'features', 'update', 'spec']);

/** The command word of a runc command line (after the global flags). */
export function commandOf(args: string[]): string {
  return args[commandIndex(args)] ?? '';
}

export function reusableAfter(args: string[]): boolean {
  const cmd = commandOf(args);
  // no command: only `--version` prints and is done (help and usage are
  // yargs', which keeps state: a fresh worker after those)
  if (cmd === '') return args.includes('--version') || args.includes('-v');
  if (cmd === 'run' || cmd === 'exec') return args.includes('-d') || args.includes('--detach');
  return REUSABLE.has(cmd);
}

/** Why the call must go cold, or undefined. */
export function fallbackReason(hello: Hello, peer: PeerCred, build: string): string | undefined {
  if (peer.uid !== process.geteuid?.()) return `caller uid ${peer.uid} is not the server's`;
  if (hello.build !== build) return `other build ${hello.build}`;
  for (const ns of NAMESPACES) {
    try {
      if (readlinkSync(`/proc/${peer.pid}/ns/${ns}`) !== readlinkSync(`/proc/self/ns/${ns}`)) return `caller in another ${ns} namespace`;
    } catch {
      return `cannot read the caller's ${ns} namespace`;
    }
  }
  const cmd = commandOf(hello.argv.slice(1));
  if (COLD_ONLY.has(cmd)) return `${cmd} is served cold`;
  return undefined;
}

const devNull = openSync('/dev/null', 'r+');

/** Takes on the caller's process state; stdio = its fds 0, 1, 2. */
export function enterCall(hello: Hello, stdio: number[]): void {
  process.chdir(hello.cwd);
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, hello.env);
  process.umask(hello.umask);
  stdio.forEach((fd, i) => {
    addon.dup2(fd, i);
    addon.close(fd);
  });
  process.exitCode = undefined;
}

/** A call that may wire a terminal gets a real tty stream on fd 1 (resize
 *  events come as SIGWINCH, forwarded by the front). Such a worker is not
 *  reused: process.stdout is then bound to this caller. */
export function bindTtyStdout(): void {
  if (tty.isatty(1)) Object.defineProperty(process, 'stdout', { value: new tty.WriteStream(1), configurable: true });
}

/** Lets go of the caller: /dev/null on 0-2, so no pipe of its stays open. */
export function leaveCall(): void {
  for (let fd = 0; fd < 3; fd++) addon.dup2(devNull, fd);
  process.chdir('/');
  process.exitCode = undefined;
}
