// The addon's own contract: helper spawn (sealed memfd, exact fds), framed
// messages, timeouts, the exec FIFO, waitpid.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as addon from '../src/linux/addon.js';

function tempDir(t: Test): string {
  const d = mkdtempSync(join(tmpdir(), 'tsrunc-addon-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('helperPath points at the built helper', async (t) => {
  t.ok(addon.helperPath().endsWith('/build/Release/tsrunc-init'));
  t.ok(existsSync(addon.helperPath()));
});

t.test('the helper runs from a sealed memfd with exactly the fds given', async (t) => {
  const [parent, child] = addon.socketpair();
  const devnull = openSync('/dev/null', 'r');
  // fd 1 deliberately closed in the helper
  const pid = addon.spawnHelper([devnull, -1, 2, child], ['tsrunc-init', '3', '-1', '-1']);
  let reaped = false;
  t.teardown(() => {
    if (reaped) return;
    process.kill(pid, 'SIGKILL');
    addon.waitpid(pid, false);
  });
  addon.close(child);
  closeSync(devnull);
  // the helper is blocked reading its config: look at it
  let fds: string[] = [];
  for (let i = 0; i < 200; i++) {
    fds = readdirSync(`/proc/${pid}/fd`).sort();
    // until the helper has closed the memfd copy and filled fd 1
    if (fds.join() === '0,1,2,3') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  t.match(readlinkSync(`/proc/${pid}/exe`), /^\/memfd:tsrunc-init/);
  t.throws(() => openSync(`/proc/${pid}/exe`, 'r+'), 'the memfd cannot be written');
  // fd 1 was closed; the helper opened /dev/null there so nothing lands on it
  t.same(fds, ['0', '1', '2', '3']);
  t.equal(readlinkSync(`/proc/${pid}/fd/1`), '/dev/null');
  // a config that fails parsing comes back as one error message
  addon.sendMessage(parent, 1, Buffer.from([1, 0, 0, 0, 4, 0, 0, 0, 9, 9, 9, 9]));
  const msg = addon.recvMessage(parent, 5000);
  t.equal(msg?.type, 105);
  t.equal(msg?.payload.toString().replace(/\0$/, ''), 'config: missing or bad mode');
  t.equal(addon.recvMessage(parent, 5000), null, 'then EOF');
  addon.close(parent);
  const w = addon.waitpid(pid, false);
  reaped = true;
  t.same(w, { pid, exitCode: 1, signal: null });
});

t.test('recvMessage: timeout, framing', async (t) => {
  const [a, b] = addon.socketpair();
  t.teardown(() => {
    addon.close(a);
    addon.close(b);
  });
  t.throws(() => addon.recvMessage(a, 50), { code: 'ETIMEDOUT', message: /^timeout/ });
  addon.sendMessage(b, 7, Buffer.from('hello'));
  addon.sendMessage(b, 8, Buffer.alloc(0));
  t.same(addon.recvMessage(a, 1000), { type: 7, payload: Buffer.from('hello') });
  t.same(addon.recvMessage(a, 1000), { type: 8, payload: Buffer.alloc(0) });
});

t.test('unix sockets and recvFd', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 's');
  const l = addon.unixListen(path);
  const c = addon.unixConnect(path);
  const s = addon.accept(l, 1000);
  t.teardown(() => [l, c, s].forEach((fd) => addon.close(fd)));
  t.throws(() => addon.accept(l, 20), { code: 'ETIMEDOUT' });
  t.throws(() => addon.recvFd(s, 20), { code: 'ETIMEDOUT' });
  t.throws(() => addon.unixConnect(join(dir, 'nope')), { code: 'ENOENT', message: /^connecting to / });
});

t.test('exec fifo: no waiting writer means false after the timeout', async (t) => {
  const dir = tempDir(t);
  const fifo = join(dir, 'exec.fifo');
  addon.mkfifo(fifo, 0o622);
  t.equal(addon.fifoRelease(fifo, 100), false);
  t.throws(() => addon.fifoRelease(join(dir, 'missing'), 10), { code: 'ENOENT' });
  const fd = addon.openPath(fifo);
  addon.close(fd);
});

t.test('waitpid', async (t) => {
  t.throws(() => addon.waitpid(1, true), { code: 'ECHILD' });
  await t.rejects(addon.waitpidAsync(1), { code: 'ECHILD' });
});
