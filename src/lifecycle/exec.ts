// `tsrunc exec`: run another process in a running container. The init
// helper joins every namespace of the container's init, is placed into its
// cgroup, and applies the process setup (user, caps, rlimits, no_new_privs,
// seccomp) exactly as for the init, then execs.
import { resolve } from 'node:path';
import * as addon from '../linux/addon.js';
import { ChildMsg } from '../linux/protocol.js';
import { buildInitConfig } from '../linux/init-config.js';
import { compileSeccompFor } from '../linux/seccomp-bridge.js';
import { sendToSeccompListener } from '../linux/seccomp-listener.js';
import { openCgroupForState } from '../linux/cgroups/index.js';
import { RuntimeError, withContext } from '../errors.js';
import { log } from '../log.js';
import { loadProcess } from '../spec/load.js';
import type { Process, Spec } from '../spec/types.js';
import { HelperSession } from './helper-session.js';
import { wireTerminal } from './terminal.js';
import { containerStatus, hookState } from './status.js';
import { writeAtomic, type StateStore } from './state-store.js';

export interface ExecOptions {
  id: string;
  processFile?: string;
  args: string[];
  cwd?: string;
  env: string[];
  tty: boolean;
  user?: string;
  additionalGids: number[];
  caps: string[];
  noNewPrivs: boolean;
  preserveFds: number;
  detach: boolean;
  pidFile?: string;
  consoleSocket?: string;
  ignorePaused: boolean;
}

/** The process to exec: --process FILE, or the container's process with the
 *  command-line overrides (runc's rules). */
export function execProcess(base: Process | undefined, o: ExecOptions): Process {
  if (o.processFile) return loadProcess(resolve(o.processFile), { strictCapabilities: true }).process;
  if (o.args.length === 0) throw new RuntimeError('exec: a command to run is required (or --process)');
  const p: Process = structuredClone(base ?? { user: { uid: 0, gid: 0 }, cwd: '/' });
  p.args = o.args;
  p.terminal = o.tty;
  if (o.cwd) p.cwd = o.cwd;
  p.env = [...(p.env ?? []), ...o.env];
  if (o.user) {
    const [uid, gid] = o.user.split(':');
    if (!/^\d+$/.test(uid ?? '') || (gid !== undefined && !/^\d+$/.test(gid))) {
      throw new RuntimeError(`exec: --user must be uid[:gid] (numbers), got "${o.user}"`);
    }
    p.user = { ...p.user, uid: Number(uid), gid: gid === undefined ? 0 : Number(gid) };
  }
  if (o.additionalGids.length > 0) p.user.additionalGids = o.additionalGids;
  if (o.noNewPrivs) p.noNewPrivileges = true;
  if (o.caps.length > 0) {
    // CVE-2022-29162: --cap never reaches the inheritable set.
    const caps = (p.capabilities ??= {});
    for (const set of ['bounding', 'effective', 'permitted'] as const) {
      caps[set] = [...new Set([...(caps[set] ?? []), ...o.caps])];
    }
  }
  return p;
}


export async function execInContainer(store: StateStore, o: ExecOptions): Promise<number> {
  const st = store.read(o.id);
  const status = containerStatus(store, st);
  if (status === 'paused' && !o.ignorePaused) throw new RuntimeError(`cannot exec in a paused container (use resume first)`);
  if (status !== 'running' && status !== 'paused') throw new RuntimeError(`cannot exec in a ${status} container: container not running`);
  const spec: Spec = store.readConfig(o.id);
  const proc = execProcess(spec.process, o);
  if (proc.terminal && !o.consoleSocket && o.detach) {
    throw new RuntimeError('cannot allocate tty if tsrunc will detach without setting console socket');
  }
  // The helper joins every namespace the container has, through its init
  // (those it shares with the host are the host's already).
  const execSpec: Spec = { ...spec, process: proc };
  const seccomp = compileSeccompFor(execSpec, { debug: (m) => log.debug(m) });
  if (!o.detach) addon.setChildSubreaper();
  let consolePair: [number, number] | undefined;
  if (proc.terminal && !o.consoleSocket) consolePair = addon.socketpair();
  const consoleFd = o.consoleSocket ? addon.unixConnect(resolve(o.consoleSocket)) : (consolePair?.[1] ?? -1);
  const config = buildInitConfig(execSpec, {
    mode: 'exec',
    rootfs: st.rootfs,
    id: o.id,
    noPivot: false,
    noNewKeyring: true,
    preserveFds: o.preserveFds,
    consoleSocket: consoleFd >= 0,
    seccompBpf: seccomp,
    joinPid: st.pid,
    cgroups: { ...openCgroupForState(st).joinDirs(), optional: st.rootless },
  });
  const session = new HelperSession();
  let pid: number;
  try {
    pid = session.run(
      config,
      { preserveFds: o.preserveFds, fifoFd: -1, consoleFd },
      {
        onPid: () => undefined,
        onHooks: () => '',
        // runc: the exec'd process's pid, the container's state as running
        onSeccompFd: (fd, p) => sendToSeccompListener(execSpec.linux!.seccomp!, hookState(st, 'running'), p, fd),
      },
      ChildMsg.EXEC_READY,
    );
  } catch (err) {
    session.abort();
    throw err instanceof RuntimeError ? err : withContext('exec', err);
  } finally {
    if (consoleFd >= 0) addon.close(consoleFd);
  }
  session.close();
  if (o.pidFile) writeAtomic(resolve(o.pidFile), String(pid), 0o644);
  let master = -1;
  if (consolePair) {
    master = addon.recvFd(consolePair[0], 10_000);
    addon.close(consolePair[0]);
  }
  if (o.detach) return 0;
  const restore = master >= 0 ? wireTerminal(master) : undefined;
  const forward = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // exited
    }
  };
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  for (const s of sigs) process.on(s, forward);
  const res = await addon.waitpidAsync(pid, sigs);
  for (const s of sigs) process.off(s, forward);
  restore?.();
  if (res.signal !== null) return 128 + res.signal;
  return res.exitCode ?? 0;
}
