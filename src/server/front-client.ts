// The worker's side of the front's requests (FrontLink): spawn tsrunc-init,
// wait for a child of the front, become a subreaper. Synchronous except the
// long wait of `run`/`exec`, which leaves the event loop free (a terminal).
import { constants } from 'node:os';
import { getSystemErrorName } from 'node:util';
import * as addon from '../linux/addon.js';
import type { Message, WaitResult } from '../linux/addon.js';
import type { FrontLink } from '../linux/front-link.js';
import { F, W } from './front-protocol.js';

const REPLY_TIMEOUT_MS = 60_000;

function errnoError(what: string, errno: number): Error {
  const code = getSystemErrorName(-errno);
  return Object.assign(new Error(`${what}: ${code}`), { code });
}

function expect(msg: Message | null, type: number, what: string): Buffer {
  if (msg === null) throw new Error(`${what}: the front went away`);
  if (msg.fd !== undefined) addon.close(msg.fd);
  if (msg.type !== type) throw new Error(`${what}: unexpected reply ${msg.type} from the front`);
  return msg.payload;
}

function waitResult(p: Buffer, pid: number): WaitResult | null {
  const got = p.readInt32LE(0);
  if (got < 0) throw errnoError(`waitpid ${pid} (through the front)`, got);
  if (got === 0) return null;
  const code = p.readInt32LE(4);
  const sig = p.readInt32LE(8);
  return { pid: got, exitCode: code >= 0 ? code : null, signal: sig >= 0 ? sig : null };
}

export class FrontClient implements FrontLink {
  constructor(
    private readonly conn: number,
    readonly callerPid: number,
  ) {}

  spawnHelper(childFds: number[], argv: string[], callerFds: number): number {
    const map: number[] = [];
    let passed = 0;
    childFds.forEach((fd, i) => {
      if (fd < 0) map.push(-1);
      else if (i < callerFds && fd === i) map.push(i); // the front has it already
      else {
        addon.sendMessageFd(this.conn, W.PASS_FD, Buffer.alloc(0), fd);
        map.push(-2 - passed++);
      }
    });
    addon.sendMessageFd(this.conn, W.PASS_FD, Buffer.alloc(0), addon.helperMemfd());
    const head = Buffer.alloc(4 + 4 * map.length);
    head.writeUInt32LE(map.length, 0);
    map.forEach((m, i) => head.writeInt32LE(m, 4 + 4 * i));
    addon.sendMessage(this.conn, W.SPAWN, Buffer.concat([head, Buffer.from(argv.map((a) => `${a}\0`).join(''))]));
    const pid = expect(addon.recvMessage(this.conn, REPLY_TIMEOUT_MS), F.SPAWNED, 'spawning the init helper').readInt32LE(0);
    if (pid < 0) throw errnoError('starting the init helper (through the front)', pid);
    return pid;
  }

  private sendWait(pid: number, noHang: boolean, forward: NodeJS.Signals[]): void {
    const p = Buffer.alloc(16);
    p.writeInt32LE(pid, 0);
    p.writeUInt32LE(noHang ? 1 : 0, 4);
    let mask = 0n;
    for (const s of forward) mask |= 1n << BigInt(constants.signals[s]);
    p.writeBigUInt64LE(mask, 8);
    addon.sendMessage(this.conn, W.WAIT, p);
  }

  waitpid(pid: number, noHang: boolean): WaitResult | null {
    // Only stage 0 is waited for without a timeout here; it exits at once.
    this.sendWait(pid, noHang, []);
    return waitResult(expect(addon.recvMessage(this.conn, -1), F.WAITED, `waitpid ${pid}`), pid);
  }

  async waitpidAsync(pid: number, forward: NodeJS.Signals[]): Promise<WaitResult> {
    this.sendWait(pid, false, forward);
    const res = waitResult(expect(await addon.recvMessageAsync(this.conn), F.WAITED, `waitpid ${pid}`), pid);
    if (res === null) throw new Error(`waitpid ${pid}: the front answered "still running"`);
    return res;
  }

  setChildSubreaper(): void {
    addon.sendMessage(this.conn, W.SUBREAPER, Buffer.alloc(0));
    const r = expect(addon.recvMessage(this.conn, REPLY_TIMEOUT_MS), F.OK, 'PR_SET_CHILD_SUBREAPER').readInt32LE(0);
    if (r < 0) throw errnoError('PR_SET_CHILD_SUBREAPER (through the front)', r);
  }
}
