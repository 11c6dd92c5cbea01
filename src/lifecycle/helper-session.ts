// The parent's side of the sync protocol with tsrunc-init (ARCHITECTURE.md):
// spawn the helper with its fds, send the config, answer its requests until
// it reports ready. Used by create and exec.
import * as addon from '../linux/addon.js';
import { ParentMsg, ChildMsg } from '../linux/protocol.js';
import { RuntimeError } from '../errors.js';
import { log } from '../log.js';
import { mark } from '../trace.js';
import { writeIdMaps } from '../linux/idmaps.js';
import type { IdMapping } from '../spec/types.js';

export interface SessionFds {
  /** fds 3..3+N-1 of ours that pass to the container (--preserve-fds). */
  preserveFds: number;
  /** O_PATH fd of the exec FIFO (create only). */
  fifoFd: number;
  /** Connected console socket, or -1. */
  consoleFd: number;
}

export interface SessionCallbacks {
  /** Host pid of the container's init (or exec'd process) is known. */
  onPid(pid: number): void;
  /** Before pivot_root: run prestart/createRuntime hooks; return the state
   *  JSON the in-container hooks get. */
  onHooks(): string;
  /** The helper loaded a filter with SCMP_ACT_NOTIFY and sent its listener
   *  fd (closed by the session afterwards); `pid` is the process it is in. */
  onSeccompFd?(fd: number, pid: number): void;
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
}

const HELPER_TIMEOUT_MS = 60_000;

/** Runs the whole exchange; returns the pid of the container process.
 *  Throws with the helper's own message when it fails; `cleanup` gets the pids
 *  that may need killing. */
export class HelperSession {
  private sync = -1;
  stage0 = 0;
  pid = 0;

  run(config: Buffer, fds: SessionFds, cb: SessionCallbacks, readyType: number): number {
    const [parentEnd, childEnd] = addon.socketpair();
    this.sync = parentEnd;
    try {
      const childFds = [0, 1, 2];
      for (let i = 0; i < fds.preserveFds; i++) childFds.push(3 + i);
      const syncAt = childFds.length;
      childFds.push(childEnd);
      const fifoAt = fds.fifoFd >= 0 ? childFds.push(fds.fifoFd) - 1 : -1;
      const consoleAt = fds.consoleFd >= 0 ? childFds.push(fds.consoleFd) - 1 : -1;
      // fds 0..syncAt-1 are the caller's own (stdio, preserved, LISTEN_FDS)
      this.stage0 = addon.spawnHelper(childFds, ['tsrunc-init', String(syncAt), String(fifoAt), String(consoleAt)], syncAt);
    } finally {
      addon.close(childEnd);
    }
    mark('helper spawn');
    log.debug(`init helper started, pid ${this.stage0}`);
    addon.sendMessage(this.sync, ParentMsg.CONFIG, config);
    for (;;) {
      const msg = addon.recvMessage(this.sync, HELPER_TIMEOUT_MS);
      if (msg === null) throw new RuntimeError('container init exited unexpectedly during setup');
      switch (msg.type) {
        case ChildMsg.USERMAP_REQ: {
          const pid = msg.payload.readUInt32LE(0);
          this.writeIdMaps(pid, cb);
          addon.sendMessage(this.sync, ParentMsg.USERMAP_DONE, Buffer.alloc(0));
          break;
        }
        case ChildMsg.PID:
          mark('helper: namespaces, clone');
          this.pid = msg.payload.readUInt32LE(0);
          cb.onPid(this.pid);
          this.reapStage0();
          break;
        case ChildMsg.HOOKS_REQ: {
          const stateJson = cb.onHooks();
          addon.sendMessage(this.sync, ParentMsg.HOOKS_DONE, Buffer.from(stateJson + '\0'));
          break;
        }
        case ChildMsg.SECCOMP_FD: {
          if (msg.fd === undefined) throw new RuntimeError('init helper sent C_SECCOMP_FD without an fd');
          try {
            if (!cb.onSeccompFd) throw new RuntimeError('init helper sent an unexpected seccomp listener fd');
            cb.onSeccompFd(msg.fd, this.pid);
          } finally {
            addon.close(msg.fd);
          }
          break;
        }
        case ChildMsg.ERROR:
          throw new RuntimeError(msg.payload.toString('utf8').replace(/\0+$/, ''));
        default:
          if (msg.type === readyType) return this.pid;
          throw new RuntimeError(`init helper sent an unexpected message ${msg.type}`);
      }
    }
  }

  private writeIdMaps(pid: number, cb: SessionCallbacks): void {
    // Written by the parent: the helper cannot map ids in its own namespace.
    try {
      writeIdMaps({ pid, uid: cb.uidMappings, gid: cb.gidMappings });
    } catch (err) {
      throw new RuntimeError(`writing uid/gid maps of ${pid}: ${(err as Error).message}`);
    }
  }

  private reapStage0(): void {
    if (this.stage0 > 0) {
      addon.waitpid(this.stage0, false);
      this.stage0 = 0;
    }
  }

  /** Abort: kill what was started and reap what we can. */
  abort(): void {
    if (this.sync >= 0) {
      try {
        addon.sendMessage(this.sync, ParentMsg.ABORT, Buffer.alloc(0));
      } catch {
        // helper already gone
      }
    }
    for (const pid of [this.pid, this.stage0]) {
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (this.stage0 > 0) {
      try {
        addon.waitpid(this.stage0, false);
      } catch {
        // not our child anymore
      }
      this.stage0 = 0;
    }
    this.close();
  }

  close(): void {
    if (this.sync >= 0) addon.close(this.sync);
    this.sync = -1;
  }
}
