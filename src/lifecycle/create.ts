// `tsrunc create`: set the container up to the point where only the user
// process's execve remains, then leave its init waiting on the exec FIFO.
import { resolve } from 'node:path';
import * as addon from '../linux/addon.js';
import { callerPid } from '../linux/front-link.js';
import { ChildMsg } from '../linux/protocol.js';
import { buildInitConfig } from '../linux/init-config.js';
import { compileSeccompFor } from '../linux/seccomp-bridge.js';
import { sendToSeccompListener } from '../linux/seccomp-listener.js';
import { openCgroupForCreate } from '../linux/cgroups/index.js';
import { procStat, waitGone } from '../linux/proc.js';
import { loadConfig } from '../spec/load.js';
import { ConfigError } from '../spec/errors.js';
import { RuntimeError, withContext } from '../errors.js';
import { log } from '../log.js';
import { mark } from '../trace.js';
import type { Spec } from '../spec/types.js';
import { HelperSession } from './helper-session.js';
import { isRootless } from './root.js';
import { checkUnprivileged } from './rootless.js';
import { runHooks, runHooksWarnOnly } from './hooks.js';
import { hookState } from './status.js';
import { StateStore, validateId, writeAtomic, type StoredState } from './state-store.js';

import { OCI_VERSION } from '../spec/version.js';

export interface CreateOptions {
  id: string;
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  /** `run` without --console-socket: a socket of our own receives the pty. */
  ownConsole?: number;
}

export interface Created {
  state: StoredState;
  spec: Spec;
}

export function createContainer(store: StateStore, opts: CreateOptions): Created {
  const bundle = resolve(opts.bundle);
  const { spec, rootfs, warnings } = loadConfig(bundle, { strictCapabilities: true });
  mark('config load + validation');
  for (const w of warnings) log.warn(w);
  if (spec.process?.terminal && !opts.consoleSocket && opts.ownConsole === undefined) {
    throw new RuntimeError('cannot allocate tty if tsrunc will detach without setting console socket');
  }
  if (!spec.process?.terminal && opts.consoleSocket) {
    throw new RuntimeError('cannot use console socket if tsrunc will not detach or allocate tty');
  }
  const listenFds = socketActivationFds();
  const passFds = listenFds + opts.preserveFds;
  if (listenFds > 0 && spec.process) {
    // Socket activation, as runc: our LISTEN_FDS fds go first, then --preserve-fds.
    spec.process.env = [...(spec.process.env ?? []), `LISTEN_FDS=${listenFds}`, 'LISTEN_PID=1'];
  }
  // Compile seccomp before anything exists: a bad profile leaves nothing behind.
  const seccomp = compileSeccompFor(spec, { debug: (m) => log.debug(m) });
  mark('seccomp compile');
  const rootless = isRootless();
  checkUnprivileged(spec, rootless);
  // Encoded before anything exists too: what it refuses leaves nothing behind.
  validateId(opts.id);
  const cg = openCgroupForCreate({ id: opts.id, spec, rootless });
  const config = buildInitConfig(spec, {
    mode: 'create',
    rootfs,
    id: opts.id,
    noPivot: opts.noPivot,
    noNewKeyring: opts.noNewKeyring,
    preserveFds: passFds,
    consoleSocket: Boolean(opts.consoleSocket) || opts.ownConsole !== undefined,
    seccompBpf: seccomp,
    bundle,
    cgroups: { ...cg.joinDirs(), optional: rootless },
  });
  mark('init config encoding');
  store.reserve(opts.id);
  const cleanups: (() => void)[] = [() => store.remove(opts.id)];
  const session = new HelperSession();
  // runtime.md steps 3-5: a failing create-time hook stops the container and
  // continues at step 12, so poststop hooks run too.
  let hooksStarted = false;
  const base: StoredState = {
    ociVersion: OCI_VERSION,
    id: opts.id,
    pid: 0,
    pidStartTime: '',
    bundle,
    rootfs,
    created: new Date().toISOString(),
    owner: '',
    annotations: spec.annotations,
    cgroup: { paths: {}, createdDirs: [] },
    rootless,
  };
  try {
    const fifo = store.fifoPath(opts.id);
    addon.mkfifo(fifo, 0o622);
    cg.create();
    cleanups.push(() => cg.destroy());
    cg.set(spec.linux?.resources ?? {}); // runc's default device rules even without resources
    mark('state dir, fifo, cgroup');
    const fifoFd = addon.openPath(fifo);
    const consoleFd = opts.consoleSocket ? connectConsole(opts.consoleSocket) : (opts.ownConsole ?? -1);
    try {
      session.run(
        config,
        { preserveFds: passFds, fifoFd, consoleFd },
        {
          onPid: (pid) => {
            base.pid = pid;
            base.pidStartTime = procStat(pid)?.startTime ?? '';
          },
          onHooks: () => {
            hooksStarted = true;
            mark('helper: mounts, devices');
            // These hooks come after lifecycle step 2 ("create"), so they see
            // `created` with the pid (as crun does, and hooks_stdin wants).
            const state = hookState(base, 'created');
            runHooks('prestart', spec.hooks?.prestart, state);
            runHooks('createRuntime', spec.hooks?.createRuntime, state);
            mark('hooks: prestart, createRuntime');
            return JSON.stringify(state);
          },
          onSeccompFd: (fd, pid) => sendToSeccompListener(spec.linux!.seccomp!, hookState(base, 'creating'), pid, fd),
          uidMappings: spec.linux?.uidMappings,
          gidMappings: spec.linux?.gidMappings,
        },
        ChildMsg.READY,
      );
    } finally {
      addon.close(fifoFd);
      if (opts.consoleSocket && consoleFd >= 0) addon.close(consoleFd);
    }
    mark(spec.hooks?.prestart || spec.hooks?.createRuntime || spec.hooks?.createContainer ? 'helper: createContainer hooks, pivot_root, finish' : 'helper: pivot_root, masks, finish');
    base.cgroup = { paths: cg.paths(), createdDirs: cg.createdDirs() };
    store.write(base, spec);
    if (opts.pidFile) writeAtomic(resolve(opts.pidFile), String(base.pid), 0o644);
    mark('state write');
    session.close();
    log.debug(`container ${opts.id} created, init pid ${base.pid}`);
    return { state: base, spec };
  } catch (err) {
    session.abort();
    if (session.pid > 0) waitGone(session.pid, procStat(session.pid)?.startTime ?? '', 2000);
    for (const undo of cleanups.reverse()) {
      try {
        undo();
      } catch (e) {
        log.debug(`cleanup after failed create: ${(e as Error).message}`);
      }
    }
    if (hooksStarted) runHooksWarnOnly('poststop', spec.hooks?.poststop, hookState(base, 'stopped'));
    throw err instanceof RuntimeError || err instanceof ConfigError ? err : withContext('create', err);
  }
}

/** fds 3.. handed to us by socket activation (LISTEN_FDS, for our pid). */
function socketActivationFds(): number {
  const n = Number(process.env.LISTEN_FDS ?? '');
  const forPid = process.env.LISTEN_PID;
  if (!Number.isInteger(n) || n <= 0) return 0;
  if (forPid !== undefined && forPid !== '' && Number(forPid) !== callerPid()) return 0;
  return n;
}

function connectConsole(path: string): number {
  try {
    return addon.unixConnect(resolve(path));
  } catch (err) {
    throw withContext(`connecting to console socket ${path}`, err);
  }
}
