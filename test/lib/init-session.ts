// A minimal parent side of the helper protocol for tests of tsrunc-init
// alone (the real one is src/lifecycle): spawn, config, answer requests,
// release the exec FIFO, wait.
import { closeSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as addon from '../../src/linux/addon.js';
import { buildInitConfig, type InitConfigOptions } from '../../src/linux/init-config.js';
import { ChildMsg, ParentMsg } from '../../src/linux/protocol.js';
import type { Bundle } from './bundle.js';
import type { Spec } from '../../src/spec/types.js';

export interface InitRun {
  /** Host pid of the container init (0 once reaped or if never reported). */
  pid: number;
  /** The init's pid as reported, kept after it is reaped. */
  lastPid: number;
  /** Where a seccomp notify listener fd pointed (closed here). */
  seccompFdLink?: string;
  /** TSR_C_ERROR text, if the helper failed before READY. */
  error?: string;
  /** Messages seen, in order (types). */
  messages: number[];
  /** Releases the FIFO and waits for the exit; collects output. */
  start(timeoutMs?: number): Promise<{ exit: addon.WaitResult; stdout: string; stderr: string }>;
  /** Kills what is left and removes the temp files. */
  cleanup(): void;
}

function mapText(maps: { containerID: number; hostID: number; size: number }[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/** Runs create steps 1–8 of ARCHITECTURE.md against a bundle. */
export interface SessionFds {
  /** fds of ours passed as 3..3+N-1 (--preserve-fds). */
  preserve?: number[];
  /** A connected console socket (process.terminal). */
  console?: number;
}

export function createContainer(
  bundle: Bundle,
  extra: Partial<InitConfigOptions> = {},
  stateJson = '{}',
  fds: SessionFds = {},
): InitRun {
  const tmp = mkdtempSync(join(tmpdir(), 'tsrunc-state-'));
  const fifo = join(tmp, 'exec.fifo');
  addon.mkfifo(fifo, 0o622);
  const outPath = join(tmp, 'stdout');
  const errPath = join(tmp, 'stderr');
  const stdin = openSync('/dev/null', 'r');
  const stdout = openSync(outPath, 'w');
  const stderr = openSync(errPath, 'w');
  const fifoFd = addon.openPath(fifo);
  const [parentEnd, childEnd] = addon.socketpair();
  const run: InitRun = {
    pid: 0,
    lastPid: 0,
    messages: [],
    start: async (timeoutMs = 10_000) => {
      if (!addon.fifoRelease(fifo, timeoutMs)) throw new Error('the container was not waiting on the exec fifo');
      const exit = await waitWithTimeout(run.pid, timeoutMs);
      run.pid = 0;
      return { exit, stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
    },
    cleanup: () => {
      if (run.pid > 0) {
        try {
          process.kill(run.pid, 'SIGKILL');
          addon.waitpid(run.pid, false);
        } catch {
          // already gone
        }
        run.pid = 0;
      }
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  let stage0 = 0;
  let childOpen = true;
  try {
    const config = buildInitConfig(bundle.spec, {
      mode: 'create',
      rootfs: bundle.rootfs,
      id: 'test',
      noPivot: false,
      noNewKeyring: false,
      preserveFds: fds.preserve?.length ?? 0,
      consoleSocket: fds.console !== undefined,
      bundle: bundle.dir,
      ...extra,
    });
    const childFds = [stdin, stdout, stderr, ...(fds.preserve ?? []), childEnd, fifoFd];
    if (fds.console !== undefined) childFds.push(fds.console);
    const n = childFds.length;
    const consoleAt = fds.console !== undefined ? String(n - 1) : '-1';
    const syncAt = fds.console !== undefined ? n - 3 : n - 2;
    stage0 = addon.spawnHelper(childFds, ['tsrunc-init', String(syncAt), String(syncAt + 1), consoleAt]);
    // only the helper may hold its end: its death must read as EOF here
    addon.close(childEnd);
    childOpen = false;
    addon.sendMessage(parentEnd, ParentMsg.CONFIG, config);
    for (;;) {
      const msg = addon.recvMessage(parentEnd, 20_000);
      if (msg === null) {
        run.error ??= 'helper closed the sync socket';
        break;
      }
      run.messages.push(msg.type);
      if (msg.type === ChildMsg.USERMAP_REQ) {
        const pid = msg.payload.readUInt32LE(0);
        const linux = bundle.spec.linux ?? {};
        addon.writeProcFile(pid, 'uid_map', mapText(linux.uidMappings ?? []));
        addon.writeProcFile(pid, 'gid_map', mapText(linux.gidMappings ?? []));
        addon.sendMessage(parentEnd, ParentMsg.USERMAP_DONE, Buffer.alloc(0));
      } else if (msg.type === ChildMsg.PID) {
        run.pid = msg.payload.readUInt32LE(0);
        run.lastPid = run.pid;
        addon.waitpid(stage0, false);
        stage0 = 0;
      } else if (msg.type === ChildMsg.HOOKS_REQ) {
        addon.sendMessage(parentEnd, ParentMsg.HOOKS_DONE, Buffer.from(stateJson + '\0'));
      } else if (msg.type === ChildMsg.SECCOMP_FD && msg.fd !== undefined) {
        run.seccompFdLink = readlinkSync(`/proc/self/fd/${msg.fd}`);
        addon.close(msg.fd);
      } else if (msg.type === ChildMsg.READY) {
        break;
      } else if (msg.type === ChildMsg.ERROR) {
        run.error = msg.payload.toString('utf8').replace(/\0+$/, '');
        break;
      } else {
        run.error = `unexpected message ${msg.type}`;
        break;
      }
    }
    if (run.error && run.pid > 0) {
      // the helper exits after an error: reap it
      waitpidSync(run.pid, 5000);
      run.pid = 0;
    }
  } finally {
    if (stage0 > 0) {
      try {
        process.kill(stage0, 'SIGKILL');
      } catch {
        // gone
      }
      addon.waitpid(stage0, false);
    }
    for (const fd of [stdin, stdout, stderr]) closeSync(fd);
    for (const fd of [fifoFd, parentEnd]) addon.close(fd);
    if (childOpen) addon.close(childEnd);
  }
  return run;
}

/** Reaps `pid`, polling; SIGKILL after the timeout. */
export function waitpidSync(pid: number, timeoutMs: number): addon.WaitResult {
  const deadline = Date.now() + timeoutMs;
  const sab = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const r = addon.waitpid(pid, true);
    if (r) return r;
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    Atomics.wait(sab, 0, 0, 5);
  }
}

async function waitWithTimeout(pid: number, timeoutMs: number): Promise<addon.WaitResult> {
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }, timeoutMs);
  try {
    return await addon.waitpidAsync(pid);
  } finally {
    clearTimeout(timer);
  }
}

export interface ExecResult {
  pid: number;
  /** Where the seccomp notify listener fd pointed (it is closed here). */
  seccompFdLink?: string;
  error?: string;
  messages: number[];
  exit?: addon.WaitResult;
  stdout: string;
  stderr: string;
}

/** `tsrunc exec` in miniature: a new process in the namespaces of `initPid`. */
export async function execIn(
  bundle: Bundle,
  initPid: number,
  spec: Spec,
  seccompBpf?: InitConfigOptions['seccompBpf'],
): Promise<ExecResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'tsrunc-exec-'));
  const outPath = join(tmp, 'stdout');
  const errPath = join(tmp, 'stderr');
  const stdin = openSync('/dev/null', 'r');
  const stdout = openSync(outPath, 'w');
  const stderr = openSync(errPath, 'w');
  const [parentEnd, childEnd] = addon.socketpair();
  const result: ExecResult = { pid: 0, messages: [], stdout: '', stderr: '' };
  let stage0 = 0;
  try {
    const config = buildInitConfig(spec, {
      mode: 'exec',
      rootfs: bundle.rootfs,
      id: 'test',
      noPivot: false,
      noNewKeyring: true,
      preserveFds: 0,
      consoleSocket: false,
      joinPid: initPid,
      seccompBpf,
    });
    stage0 = addon.spawnHelper([stdin, stdout, stderr, childEnd], ['tsrunc-init', '3', '-1', '-1']);
    addon.close(childEnd);
    addon.sendMessage(parentEnd, ParentMsg.CONFIG, config);
    for (;;) {
      const msg = addon.recvMessage(parentEnd, 20_000);
      if (msg === null) {
        result.error ??= 'helper closed the sync socket';
        break;
      }
      result.messages.push(msg.type);
      if (msg.type === ChildMsg.PID) {
        result.pid = msg.payload.readUInt32LE(0);
        addon.waitpid(stage0, false);
        stage0 = 0;
      } else if (msg.type === ChildMsg.SECCOMP_FD && msg.fd !== undefined) {
        result.seccompFdLink = readlinkSync(`/proc/self/fd/${msg.fd}`);
        addon.close(msg.fd);
      } else if (msg.type === ChildMsg.EXEC_READY) {
        break;
      } else {
        result.error = msg.type === ChildMsg.ERROR ? msg.payload.toString('utf8').replace(/\0+$/, '') : `unexpected ${msg.type}`;
        break;
      }
    }
    if (result.pid > 0) result.exit = await waitWithTimeout(result.pid, 10_000);
    result.stdout = readFileSync(outPath, 'utf8');
    result.stderr = readFileSync(errPath, 'utf8');
  } finally {
    if (stage0 > 0) {
      try {
        process.kill(stage0, 'SIGKILL');
      } catch {
        // gone
      }
      addon.waitpid(stage0, false);
    }
    for (const fd of [stdin, stdout, stderr]) closeSync(fd);
    addon.close(parentEnd);
    rmSync(tmp, { recursive: true, force: true });
  }
  return result;
}
