// SCMP_ACT_NOTIFY: the listener fd the helper created goes, with the
// "container process state" (config-linux.md), to the seccomp agent at
// linux.seccomp.listenerPath, in one message with SCM_RIGHTS.
import type { Seccomp, State } from '../spec/types.js';
import { seccompAddon } from './seccomp-addon.js';

/** config-linux.md "The Container Process State". */
export interface ContainerProcessState {
  ociVersion: string;
  /** Names of the fds sent with the message, in order. */
  fds: string[];
  /** The process the filter was loaded into. */
  pid: number;
  metadata?: string;
  state: State;
}

export const SECCOMP_FD_NAME = 'seccompFd';

export function containerProcessState(seccomp: Seccomp, state: State, pid: number): ContainerProcessState {
  return {
    ociVersion: state.ociVersion,
    fds: [SECCOMP_FD_NAME],
    pid,
    ...(seccomp.listenerMetadata !== undefined ? { metadata: seccomp.listenerMetadata } : {}),
    state,
  };
}

/** Sends `fd` (the notify fd, in this process) and the state to the agent. */
export function sendToSeccompListener(seccomp: Seccomp, state: State, pid: number, fd: number): void {
  if (!seccomp.listenerPath) throw new Error('config.json: /linux/seccomp/listenerPath: not set but a notify fd was made');
  const msg = JSON.stringify(containerProcessState(seccomp, state, pid));
  seccompAddon().seccompSendListener(seccomp.listenerPath, msg, fd);
}

/** A close-on-exec copy of fd number `fd` of process `pid` (pidfd_getfd),
 *  for a helper that reports the fd's number rather than passing it. */
export function copyFdFromProcess(pid: number, fd: number): number {
  return seccompAddon().pidfdGetfd(pid, fd);
}
