// Typed access to the native addon (build/Release/tsrunc.node, csrc/addon/).
// Every function throws an Error "what: strerror" with `code` ('ENOENT', ...)
// on failure.
import { loadAddon } from './addon-path.js';
import { frontLink } from './front-link.js';

export interface Message {
  type: number;
  payload: Buffer;
  /** An fd passed with the message (SCM_RIGHTS), e.g. TSR_C_SECCOMP_FD. */
  fd?: number;
}

export interface WaitResult {
  pid: number;
  exitCode: number | null;
  signal: number | null;
}

export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

interface Native {
  socketpair(): [number, number];
  spawnHelper(childFds: number[], argv: string[]): number;
  helperPath(): string;
  sendMessage(fd: number, type: number, payload: Buffer): void;
  sendMessageFd(fd: number, type: number, payload: Buffer, passFd: number): void;
  recvMessageAsync(fd: number): Promise<Message | null>;
  dup2(fd: number, target: number): void;
  peerCred(fd: number): PeerCred;
  helperMemfd(): number;
  recvMessage(fd: number, timeoutMs: number): Message | null;
  recvFd(fd: number, timeoutMs: number): number;
  unixConnect(path: string): number;
  unixListen(path: string): number;
  accept(fd: number, timeoutMs: number): number;
  openPath(path: string): number;
  close(fd: number): void;
  mkfifo(path: string, mode: number): void;
  fifoRelease(path: string, timeoutMs: number): boolean;
  fifoStart(path: string, timeoutMs: number): string | null;
  waitpid(pid: number, noHang: boolean): WaitResult | null;
  waitpidAsync(pid: number): Promise<WaitResult>;
  setChildSubreaper(): void;
  setWinsize(fd: number, rows: number, cols: number): void;
  writeProcFile(pid: number, name: string, data: string): void;
  moveNetDevice(name: string, pid: number, newName?: string): void;
}

const native = loadAddon() as Native;

/** AF_UNIX SOCK_STREAM pair, both ends O_CLOEXEC. */
export const socketpair = (): [number, number] => native.socketpair();
/** Starts tsrunc-init from a sealed memfd copy (made once per process).
 *  childFds[i] is the fd of ours that becomes the helper's fd i (-1: closed);
 *  every other fd is closed. Empty environment, default signal dispositions,
 *  nothing blocked. Returns the pid (the caller reaps it). */
export function spawnHelper(childFds: number[], argv: string[], callerFds = 0): number {
  const link = frontLink();
  return link ? link.spawnHelper(childFds, argv, callerFds) : native.spawnHelper(childFds, argv);
}
/** The sealed memfd copy of the helper (warm mode passes it to the front). */
export const helperMemfd = (): number => native.helperMemfd();
/** Where build/Release/tsrunc-init is (next to the .node file). */
export const helperPath = (): string => native.helperPath();
/** Blocking write of one framed message (tsr_hdr + payload). */
export const sendMessage = (fd: number, type: number, payload: Buffer): void => native.sendMessage(fd, type, payload);
/** sendMessage with `passFd` riding along (SCM_RIGHTS). */
export const sendMessageFd = (fd: number, type: number, payload: Buffer, passFd: number): void =>
  native.sendMessageFd(fd, type, payload, passFd);
/** recvMessage without a timeout, on a worker thread. */
export const recvMessageAsync = (fd: number): Promise<Message | null> => native.recvMessageAsync(fd);
export const dup2 = (fd: number, target: number): void => native.dup2(fd, target);
/** SO_PEERCRED of a connected unix socket. */
export const peerCred = (fd: number): PeerCred => native.peerCred(fd);
/** One framed message; null on EOF before a header; throws code
 *  'ETIMEDOUT' ("timeout ...") when nothing complete arrives in time. */
export const recvMessage = (fd: number, timeoutMs: number): Message | null => native.recvMessage(fd, timeoutMs);
/** One fd passed by SCM_RIGHTS (the body, e.g. a pty name, is dropped). */
export const recvFd = (fd: number, timeoutMs: number): number => native.recvFd(fd, timeoutMs);
/** Connected SOCK_STREAM fd, O_CLOEXEC. */
export const unixConnect = (path: string): number => native.unixConnect(path);
/** Bound, listening SOCK_STREAM fd, O_CLOEXEC. */
export const unixListen = (path: string): number => native.unixListen(path);
export const accept = (fd: number, timeoutMs: number): number => native.accept(fd, timeoutMs);
/** O_PATH|O_CLOEXEC fd (e.g. the exec FIFO for the helper). */
export const openPath = (path: string): number => native.openPath(path);
export const close = (fd: number): void => native.close(fd);
/** mkfifo with exactly `mode` (umask does not apply). */
export const mkfifo = (path: string, mode: number): void => native.mkfifo(path, mode);
/** `start`: opens the FIFO for reading and waits for the helper's byte;
 *  true once read, false on timeout or when the writer left without one. */
export const fifoRelease = (path: string, timeoutMs: number): boolean => native.fifoRelease(path, timeoutMs);
/** `start`: releases the helper, then waits until it execs the process (the
 *  FIFO closes) or fails. null: it never took the release; otherwise its
 *  start-time error text, '' when the process was exec'd. */
export const fifoStart = (path: string, timeoutMs: number): string | null => native.fifoStart(path, timeoutMs);
/** null when noHang and the child still runs. */
export function waitpid(pid: number, noHang: boolean): WaitResult | null {
  const link = frontLink();
  return link ? link.waitpid(pid, noHang) : native.waitpid(pid, noHang);
}
/** waitpid on a worker thread (for `run`). In warm mode the front waits and
 *  forwards the `forward` signals it gets to pid, as our own handlers do. */
export function waitpidAsync(pid: number, forward: NodeJS.Signals[] = []): Promise<WaitResult> {
  const link = frontLink();
  return link ? link.waitpidAsync(pid, forward) : native.waitpidAsync(pid);
}
export function setChildSubreaper(): void {
  const link = frontLink();
  if (link) link.setChildSubreaper();
  else native.setChildSubreaper();
}
export const setWinsize = (fd: number, rows: number, cols: number): void => native.setWinsize(fd, rows, cols);
/** One write(2) of `data` to /proc/<pid>/<name> (name without '/'), after
 *  checking /proc is procfs: uid_map, gid_map, setgroups. */
export const writeProcFile = (pid: number, name: string, data: string): void => native.writeProcFile(pid, name, data);
/** linux.netDevices: moves host interface `name` into the network namespace
 *  of `pid` (the container init, after C_PID), named `newName` there. */
export const moveNetDevice = (name: string, pid: number, newName?: string): void => native.moveNetDevice(name, pid, newName);
