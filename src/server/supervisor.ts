// The warm server of one state root (docs/warm-mode.md): binds ROOT/.warm/sock
// and keeps a pool of workers accepting on it. It exits, with its workers,
// after the idle timeout, when the socket is removed or replaced (the root
// was deleted, another server took over) or when a worker finds the build
// changed.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as addon from '../linux/addon.js';

const MIN_IDLE = 2;
const MAX_WORKERS = 16;
const CHECK_MS = 1_000;

interface Worker {
  child: ChildProcess;
  busy: boolean;
}

/** A worker's own environment (each call brings the caller's): nothing that
 *  changes how Node itself runs, such as a caller's NODE_OPTIONS. */
function workerEnv(entry: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', TSRUNC_WARM_ENTRY: entry };
  return env;
}

export async function runSupervisor(root: string): Promise<void> {
  const entry = process.env.TSRUNC_WARM_ENTRY;
  if (!entry) throw new Error('__warm-server: TSRUNC_WARM_ENTRY is not set (the warm front starts the server)');
  const idleMs = Number(process.env.TSRUNC_WARM_IDLE ?? '60') * 1000;
  const dir = join(root, '.warm');
  const sock = join(dir, 'sock');
  const madeRoot = !existsSync(root);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const log = (m: string): void => {
    try {
      appendFileSync(join(dir, 'server.log'), `${new Date().toISOString()} [${process.pid}] ${m}\n`);
    } catch {
      // the root was removed: nothing to log to
    }
  };
  try {
    addon.close(addon.unixConnect(sock));
    return; // a live server has it already
  } catch {
    rmSync(sock, { force: true }); // stale
  }
  const mask = process.umask(0o077);
  const listenFd = addon.unixListen(sock);
  process.umask(mask);
  chmodSync(sock, 0o600);
  const ino = statSync(sock).ino;
  writeFileSync(join(dir, 'server.pid'), `${process.pid}\n`);
  log(`serving ${root} (idle timeout ${idleMs / 1000} s)`);

  const workers = new Map<number, Worker>();
  let lastCall = Date.now();
  let stopping = false;

  const ensureIdle = (): void => {
    let idle = [...workers.values()].filter((w) => !w.busy).length;
    while (!stopping && idle < MIN_IDLE && workers.size < MAX_WORKERS) {
      startWorker();
      idle++;
    }
  };

  const startWorker = (): void => {
    const child = spawn(entry, ['--root', root, '__warm-worker'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', listenFd],
      env: workerEnv(entry),
    });
    if (child.pid === undefined) return;
    const w: Worker = { child, busy: false };
    workers.set(child.pid, w);
    child.stdio[3]?.on('data', (b: Buffer) => {
      for (const c of b.toString()) {
        if (c === 'B') {
          w.busy = true;
          lastCall = Date.now();
          ensureIdle();
        } else if (c === 'I') {
          w.busy = false;
          lastCall = Date.now();
          if (stopping) child.kill('SIGKILL');
        } else if (c === 'S') {
          stop('the build changed');
        }
      }
    });
    child.on('exit', () => {
      workers.delete(child.pid!);
      ensureIdle();
    });
  };

  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    // Leave nothing behind: .warm (and the root, if we made it and no
    // container lives there) — unless another server has taken .warm over.
    const st = statSync(sock, { throwIfNoEntry: false });
    if (!st || st.ino === ino) {
      rmSync(dir, { recursive: true, force: true });
      if (madeRoot) {
        try {
          rmdirSync(root);
        } catch {
          // not empty: containers were created there
        }
      }
    }
    addon.close(listenFd);
    // Idle workers wait in accept: end them. Busy ones finish their call
    // (then exit: the socket is closed) before we go.
    for (const w of workers.values()) if (!w.busy) w.child.kill('SIGKILL');
    const done = setInterval(() => {
      if (workers.size === 0) {
        clearInterval(done);
        process.exit(0);
      }
    }, 100);
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  setInterval(() => {
    const st = statSync(sock, { throwIfNoEntry: false });
    if (!st || st.ino !== ino) stop('the socket was removed or replaced');
    else if (Date.now() - lastCall > idleMs && ![...workers.values()].some((w) => w.busy)) stop('idle');
  }, CHECK_MS);
  ensureIdle();
  await new Promise<never>(() => undefined);
}
