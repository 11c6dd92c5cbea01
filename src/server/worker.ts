// A warm worker (docs/warm-mode.md): a booted tsrunc that takes calls from
// fronts on the state root's socket, one at a time, and runs each through
// the same main() as the cold path. The supervisor reads our status bytes:
// B (busy), I (idle), S (stale: the build changed, shut the server down).
import { realpathSync, statSync, writeSync } from 'node:fs';
import * as addon from '../linux/addon.js';
import { setFrontLink } from '../linux/front-link.js';
import { addonPath } from '../linux/addon-path.js';
import { resetTrace } from '../trace.js';
import { setRootlessFlag } from '../lifecycle/root.js';
import { F, FRONT_PROTO, W, parseHello, type Hello } from './front-protocol.js';
import { FrontClient } from './front-client.js';
import { bindTtyStdout, enterCall, fallbackReason, leaveCall, reusableAfter } from './call.js';

const STATUS_FD = 3;
const LISTEN_FD = 4;
const HELLO_TIMEOUT_MS = 5_000;

type Main = (args: string[]) => Promise<void>;

/** The files this build is made of, with their mtimes at start. */
function buildFiles(entry: string): Map<string, number> {
  const files = new Map<string, number>();
  for (const f of [entry, process.execPath, addonPath(), ...(process.argv[1] ? [process.argv[1]] : [])]) {
    files.set(f, statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1);
  }
  return files;
}

function stale(files: Map<string, number>): boolean {
  for (const [f, m] of files) if ((statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1) !== m) return true;
  return false;
}

function status(b: 'B' | 'I' | 'S'): void {
  writeSync(STATUS_FD, b);
}

function recvStdio(conn: number): number[] {
  const fds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const m = addon.recvMessage(conn, HELLO_TIMEOUT_MS);
    if (m === null || m.type !== F.STDIO || m.fd === undefined) {
      for (const fd of fds) addon.close(fd);
      throw new Error('the front did not send its stdio');
    }
    fds.push(m.fd);
  }
  return fds;
}

/** One call; true when this worker may take another. */
async function serve(conn: number, main: Main, build: string, files: Map<string, number>): Promise<boolean> {
  const peer = addon.peerCred(conn);
  const msg = addon.recvMessage(conn, HELLO_TIMEOUT_MS);
  if (msg === null || msg.type !== F.HELLO) return true;
  const hello: Hello = parseHello(msg.payload);
  const stdio = recvStdio(conn);
  let reason = hello.proto !== FRONT_PROTO ? `protocol ${hello.proto}` : fallbackReason(hello, peer, build);
  const isStale = reason === undefined && stale(files);
  if (isStale) reason = 'the build changed';
  if (reason === undefined) {
    try {
      process.chdir(hello.cwd);
    } catch {
      reason = `cannot enter ${hello.cwd}`;
    }
  }
  if (reason !== undefined) {
    for (const fd of stdio) addon.close(fd);
    addon.sendMessage(conn, W.FALLBACK, Buffer.from(reason));
    if (isStale || reason.startsWith('other build')) status('S');
    return !isStale;
  }
  addon.sendMessage(conn, W.ACCEPT, Buffer.alloc(0));
  const go = addon.recvMessage(conn, HELLO_TIMEOUT_MS);
  if (go === null || go.type !== F.GO) {
    for (const fd of stdio) addon.close(fd); // the front went cold meanwhile
    return true;
  }
  const args = hello.argv.slice(1);
  const reusable = reusableAfter(args);
  enterCall(hello, stdio);
  if (!reusable) bindTtyStdout();
  resetTrace(`warm worker ${process.pid}`);
  setRootlessFlag(undefined);
  setFrontLink(new FrontClient(conn, peer.pid));
  let code = 1;
  try {
    await main(args);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } finally {
    setFrontLink(undefined);
    leaveCall();
  }
  const exit = Buffer.alloc(4);
  exit.writeUInt32LE(code, 0);
  try {
    addon.sendMessage(conn, W.EXIT, exit);
  } catch {
    // the front is gone (killed): nothing to tell
  }
  // anything of the call's still pending (a timer, a child): start afresh
  return reusable && process.getActiveResourcesInfo().length <= baseline;
}

let baseline = 0;

/** The next call; exits when the supervisor is gone (we were reparented). */
function acceptOrOrphaned(supervisor: number): number {
  for (;;) {
    try {
      return addon.accept(LISTEN_FD, 1_000);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw err;
    }
    if (process.ppid !== supervisor) process.exit(0);
  }
}

export async function runWorker(main: Main): Promise<void> {
  const entry = process.env.TSRUNC_WARM_ENTRY;
  if (!entry) throw new Error('__warm-worker: TSRUNC_WARM_ENTRY is not set (workers are started by the warm server)');
  const build = realpathSync(entry);
  const files = buildFiles(build);
  // Load every command's code now, not during a call.
  await Promise.all([
    import('../lifecycle/create.js'),
    import('../lifecycle/start.js'),
    import('../lifecycle/state.js'),
    import('../lifecycle/kill.js'),
    import('../lifecycle/delete.js'),
    import('../lifecycle/run.js'),
    import('../cli-yargs.js'),
  ]);
  void process.stdout; // a SyncWriteStream on fd 1, whatever fd 1 is later
  void process.stderr;
  baseline = process.getActiveResourcesInfo().length;
  const supervisor = process.ppid;
  for (;;) {
    const conn = acceptOrOrphaned(supervisor);
    status('B');
    let again = false;
    try {
      again = await serve(conn, main, build, files);
    } finally {
      addon.close(conn);
    }
    if (!again) process.exit(0); // the supervisor starts a fresh worker
    status('I');
  }
}
