// Warm mode (docs/warm-mode.md): during a call served by a warm worker, the
// processes that must outlive the call are spawned and waited for by the C
// front the engine started, not by this process. addon.ts routes those calls
// here when a link is set; the cold path never sets one.
import type { WaitResult } from './addon.js';

export interface FrontLink {
  /** The front's pid: the process the engine started (LISTEN_PID names it). */
  readonly callerPid: number;
  /** childFds[i] for i < callerFds that equal i are the front's own fds. */
  spawnHelper(childFds: number[], argv: string[], callerFds: number): number;
  waitpid(pid: number, noHang: boolean): WaitResult | null;
  waitpidAsync(pid: number, forward: NodeJS.Signals[]): Promise<WaitResult>;
  setChildSubreaper(): void;
}

let active: FrontLink | undefined;

export function setFrontLink(link: FrontLink | undefined): void {
  active = link;
}

export function frontLink(): FrontLink | undefined {
  return active;
}

/** The pid the caller knows us by: the front's in warm mode, else ours. */
export function callerPid(): number {
  return active?.callerPid ?? process.pid;
}
