// CVE-2025-52565: runc bound /dev/pts/$n (a path the container could swap)
// onto /dev/console. tsrunc binds the pty peer it holds (TIOCGPTPEER) onto
// /dev/console; a /dev/console symlink (to a procfs file here) is replaced,
// never followed. The container then writes to /dev/console: the bytes must
// reach the pty master, and core_pattern must be untouched.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import * as addon from '../../src/linux/addon.js';
import { setup, TSRUNC, waitFor } from './lib.js';

const PROBE = 'echo "console=$(stat -L -c %t:%T /dev/console) stdin=$(stat -L -c %t:%T /proc/self/fd/0) type=$(stat -c %F /dev/console)" > /tmp/out; echo via-console > /dev/console; sleep 1000';

for (const attack of [false, true]) {
  t.test(`/dev/console is the pty itself${attack ? ' (a symlink to core_pattern was planted)' : ''}`, async (t) => {
    const before = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
    const { rt, bundle } = setup(t, ['sh', '-c', PROBE], (s) => {
      s.process!.terminal = true;
    });
    if (attack) {
      const plant = `ln -sf /proc/sys/kernel/core_pattern ${bundle.rootfs}/dev/console`;
      bundle.spec.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', plant] }] };
      bundle.save();
    }
    const sock = join(rt.root, 'console.sock');
    const listen = addon.unixListen(sock);
    t.teardown(() => addon.close(listen));
    const create = spawn(TSRUNC, ['--root', rt.root, 'create', '--bundle', bundle.dir, '--console-socket', sock, 'con'], { stdio: 'ignore' });
    const conn = addon.accept(listen, 20_000);
    const master = addon.recvFd(conn, 20_000);
    addon.close(conn);
    t.teardown(() => addon.close(master));
    const code = await new Promise<number | null>((res) => create.on('exit', (c) => res(c)));
    t.equal(code, 0, 'create succeeded');
    rt.ok(['start', 'con']);
    const out = join(bundle.rootfs, 'tmp/out');
    t.ok(waitFor(() => { try { return readFileSync(out, 'utf8').length > 0; } catch { return false; } }), 'the probe ran');
    const m = /console=(\w+:\w+) stdin=(\w+:\w+) type=(.*)/.exec(readFileSync(out, 'utf8'));
    t.ok(m, readFileSync(out, 'utf8'));
    t.equal(m?.[1], m?.[2], '/dev/console is the same device as the pty on stdin');
    t.equal(m?.[1]?.split(':')[0], '88', 'a pts device (major 136)');
    t.equal(m?.[3], 'character special file', '/dev/console is the bound pty, not a symlink');
    // the master sees what was written to /dev/console
    const buf = Buffer.alloc(4096);
    let seen = '';
    t.ok(waitFor(() => {
      try {
        const n = readSync(master, buf, 0, buf.length, null);
        seen += buf.subarray(0, n).toString();
      } catch {
        // EAGAIN
      }
      return seen.includes('via-console');
    }, 5000), 'the write to /dev/console reached the pty master');
    t.equal(readFileSync('/proc/sys/kernel/core_pattern', 'utf8'), before, 'core_pattern unchanged');
    rt.ok(['delete', '--force', 'con']);
  });
}
