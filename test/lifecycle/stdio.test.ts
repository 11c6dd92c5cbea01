// Stdio and descriptors: only 0-2 reach the container unless --preserve-fds
// or socket activation (LISTEN_FDS) pass more; terminals via --console-socket.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as addon from '../../src/linux/addon.js';
import { makeBundle } from '../lib/bundle.js';
import { Runtime, TSRUNC } from '../lib/runtime.js';

function fdList(out: string): string[] {
  return out.trim().split(/\s+/).filter((f) => f !== '').sort();
}

t.test('an inherited fd 3 does not reach the container; --preserve-fds passes it', async (t) => {
  const rt = new Runtime();
  // The fds of PID 1 (the shell), listed by a child so its own don't count.
  // No pipeline: the shell's own ends of a pipe would show while it sets it
  // up (a race). `; true` keeps the shell from exec'ing ls as PID 1.
  const bundle = makeBundle(['sh', '-c', 'ls /proc/1/fd; true']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  const extra = openSync('/etc/hostname', 'r');
  t.teardown(() => closeSync(extra));
  const plain = spawnSync(TSRUNC, ['--root', rt.root, 'run', '--bundle', bundle.dir, 'fd1'], { stdio: ['ignore', 'pipe', 'pipe', extra] });
  t.equal(plain.status, 0, plain.stderr.toString());
  t.same(fdList(plain.stdout.toString()), ['0', '1', '2'], 'only stdio without --preserve-fds');
  const kept = spawnSync(TSRUNC, ['--root', rt.root, 'run', '--preserve-fds', '1', '--bundle', bundle.dir, 'fd2'], {
    stdio: ['ignore', 'pipe', 'pipe', extra],
  });
  t.equal(kept.status, 0, kept.stderr.toString());
  t.same(fdList(kept.stdout.toString()), ['0', '1', '2', '3'], 'fd 3 passed with --preserve-fds 1');
});

t.test('socket activation: LISTEN_FDS fds pass and LISTEN_FDS/LISTEN_PID are set', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['sh', '-c', 'ls /proc/1/fd; echo "vars $LISTEN_FDS $LISTEN_PID"']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  const extra = openSync('/etc/hostname', 'r');
  t.teardown(() => closeSync(extra));
  const r = spawnSync(TSRUNC, ['--root', rt.root, 'run', '--bundle', bundle.dir, 'sa'], {
    stdio: ['ignore', 'pipe', 'pipe', extra],
    env: { ...process.env, LISTEN_FDS: '1' },
  });
  t.equal(r.status, 0, r.stderr.toString());
  const lines = r.stdout.toString().trim().split('\n');
  t.same(fdList(lines.filter((l) => !l.startsWith('vars ')).join(' ')), ['0', '1', '2', '3']);
  t.equal(lines.find((l) => l.startsWith('vars ')), 'vars 1 1');
});

t.test('terminal: the pty master goes to --console-socket', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['sh', '-c', 'tty; echo term-ok'], (s) => {
    s.process!.terminal = true;
  });
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-console-'));
  const sock = join(dir, 'console.sock');
  const listener = addon.unixListen(sock);
  t.teardown(() => {
    addon.close(listener);
    rt.cleanup();
    bundle.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const create = spawn(TSRUNC, ['--root', rt.root, 'create', '--console-socket', sock, '--bundle', bundle.dir, 'tty1'], { stdio: 'ignore' });
  const conn = addon.accept(listener, 30_000);
  const master = addon.recvFd(conn, 30_000);
  addon.close(conn);
  const code = await new Promise<number>((res) => create.on('exit', (c) => res(c ?? 1)));
  t.equal(code, 0, 'create succeeded');
  rt.ok(['start', 'tty1']);
  let out = '';
  const buf = Buffer.alloc(4096);
  for (;;) {
    let n = 0;
    try {
      n = readSync(master, buf, 0, buf.length, null);
    } catch {
      break; // EIO: the container side closed
    }
    if (n === 0) break;
    out += buf.subarray(0, n).toString();
  }
  addon.close(master);
  t.match(out, /\/dev\/(pts\/\d+|console)\r?\n/, 'stdio is a terminal');
  t.match(out, /term-ok/);
});

t.test('a terminal without a console socket is refused for create', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['true'], (s) => (s.process!.terminal = true));
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  const r = rt.run(['create', '--bundle', bundle.dir, 'tty2']);
  t.equal(r.code, 1);
  t.match(r.stderr, /console socket/);
});

t.test('--no-pivot runs the container with MS_MOVE + chroot', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['sh', '-c', 'ls /; echo ok']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  const r = rt.run(['run', '--no-pivot', '--bundle', bundle.dir, 'np']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /bin\n[\s\S]*ok\n$/);
  t.notMatch(r.stdout, /work\n/, 'the host root is not visible');
  t.ok(readFileSync('/proc/self/mountinfo', 'utf8').length > 0);
});
