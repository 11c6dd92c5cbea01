// tsrunc-init: exec mode, terminal, user namespace, seccomp, preserved fds.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as addon from '../src/linux/addon.js';
import { cpuMask } from '../src/linux/cpus.js';
import { ChildMsg } from '../src/linux/protocol.js';
import type { Spec } from '../src/spec/types.js';
import { makeBundle, type Bundle } from './lib/bundle.js';
import { createContainer, execIn, type InitRun } from './lib/init-session.js';

function bundleFor(t: Test, args: string[], edit?: (spec: Spec) => void): Bundle {
  const b = makeBundle(args, edit);
  t.teardown(() => b.cleanup());
  return b;
}

function created(t: Test, b: Bundle, ...rest: Parameters<typeof createContainer> extends [Bundle, ...infer R] ? R : never): InitRun {
  const run = createContainer(b, ...rest);
  t.teardown(() => run.cleanup());
  if (run.error) throw new Error(`create failed: ${run.error}`);
  return run;
}

t.test('exec joins the namespaces of a running container', async (t) => {
  const b = bundleFor(t, ['sleep', '30'], (s) => {
    s.hostname = 'exec-target';
  });
  const run = created(t, b);
  const done = run.start(30_000);
  t.teardown(() => {
    try {
      process.kill(run.lastPid, 'SIGKILL');
    } catch {
      // gone
    }
    return done.catch(() => undefined);
  });
  const spec = structuredClone(b.spec);
  spec.process!.args = ['sh', '-c', 'echo $$ $(hostname) $(cat /proc/1/comm); ls /proc | grep -c "^[0-9]"; pwd'];
  spec.process!.cwd = '/tmp';
  const r = await execIn(b, run.lastPid, spec);
  t.notOk(r.error);
  t.same(r.messages, [ChildMsg.PID, ChildMsg.EXEC_READY]);
  t.equal(r.exit?.exitCode, 0);
  const [first, count, cwd] = r.stdout.trim().split('\n');
  t.match(first, /^\d+ exec-target sleep$/, 'same uts and pid namespace as the init');
  t.equal(Number(first!.split(' ')[0]) > 1, true);
  t.ok(Number(count) >= 2 && Number(count) <= 4, 'only the container processes are visible');
  t.equal(cwd, '/tmp');
  // a notify filter's listener comes back over the sync socket
  const notify = Buffer.alloc(16);
  notify.writeUInt16LE(0x20, 0); // ld [nr]
  notify.writeUInt32LE(0, 4);
  notify.writeUInt16LE(0x06, 8); // ret ALLOW: nothing is ever notified
  notify.writeUInt32LE(0x7fff0000, 12);
  const withListener = await execIn(b, run.lastPid, spec, { flags: 1 << 3 /* NEW_LISTENER */, bpf: notify, notify: true });
  t.notOk(withListener.error);
  t.same(withListener.messages, [ChildMsg.PID, ChildMsg.SECCOMP_FD, ChildMsg.EXEC_READY]);
  t.equal(withListener.seccompFdLink, 'anon_inode:seccomp notify');
  t.equal(withListener.exit?.exitCode, 0);
  const missing = structuredClone(spec);
  missing.process!.args = ['nope'];
  const bad = await execIn(b, run.lastPid, missing);
  t.equal(bad.error, 'exec: "nope": executable file not found in $PATH');
});

t.test('terminal: pty from the container, master over the console socket', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-console-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sockPath = join(dir, 'console.sock');
  const listener = addon.unixListen(sockPath);
  const client = addon.unixConnect(sockPath);
  const server = addon.accept(listener, 2000);
  t.teardown(() => {
    for (const fd of [listener, client, server]) addon.close(fd);
  });
  const b = bundleFor(t, ['sh', '-c', 'tty; stty size; readlink /proc/self/fd/1; ls -l /dev/console | cut -c1'], (s) => {
    s.process!.terminal = true;
    s.process!.consoleSize = { height: 30, width: 100 };
  });
  const run = created(t, b, {}, '{}', { console: client });
  const master = addon.recvFd(server, 2000);
  t.teardown(() => closeSync(master));
  const done = run.start();
  let out = '';
  const buf = Buffer.alloc(4096);
  for (;;) {
    let n = 0;
    try {
      n = readSync(master, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EIO') break; // the pty's last user left
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw err;
    }
    if (n === 0) break;
    out += buf.toString('utf8', 0, n);
  }
  const r = await done;
  t.equal(r.exit.exitCode, 0);
  t.equal(out, '/dev/pts/0\r\n30 100\r\n/dev/pts/0\r\nc\r\n');
});

t.test('exec with a terminal gets its own pty from the container', async (t) => {
  const b = bundleFor(t, ['sleep', '30']);
  const run = created(t, b);
  const done = run.start(30_000);
  t.teardown(() => {
    try {
      process.kill(run.lastPid, 'SIGKILL');
    } catch {
      // gone
    }
    return done.catch(() => undefined);
  });
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-console-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const listener = addon.unixListen(join(dir, 'c.sock'));
  const client = addon.unixConnect(join(dir, 'c.sock'));
  const server = addon.accept(listener, 2000);
  t.teardown(() => [listener, client, server].forEach((fd) => addon.close(fd)));
  const spec = structuredClone(b.spec);
  spec.process!.terminal = true;
  spec.process!.consoleSize = { height: 24, width: 80 };
  spec.process!.args = ['sh', '-c', 'tty; stty size'];
  const exec = execIn(b, run.lastPid, spec, undefined, client);
  const master = addon.recvFd(server, 5000);
  t.teardown(() => closeSync(master));
  let out = '';
  const buf = Buffer.alloc(4096);
  for (;;) {
    let n = 0;
    try {
      n = readSync(master, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EIO') break;
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw err;
    }
    if (n === 0) break;
    out += buf.toString('utf8', 0, n);
  }
  const r = await exec;
  t.notOk(r.error);
  t.equal(r.exit?.exitCode, 0);
  t.equal(out, '/dev/pts/0\r\n24 80\r\n', 'the first pty of the container devpts');
});

t.test('a new user namespace: mapped root, bound device nodes', async (t) => {
  const b = bundleFor(t, ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id -u; echo x > /dev/null && echo null-ok; stat -c %t:%T /dev/zero'], (s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  });
  chmodSync(b.dir, 0o755); // the mapped root must be able to reach its rootfs
  const run = created(t, b);
  t.ok(run.messages.includes(ChildMsg.USERMAP_REQ));
  const r = await run.start();
  t.equal(r.stderr, '');
  t.match(r.stdout, /^\s+0\s+100000\s+65536\n\s+0\s+100000\s+65536\n0\nnull-ok\n1:5\n$/);
});

// seccomp(2) filter: mkdir and mkdirat fail with EPERM, everything else runs.
function denyMkdirBpf(): Buffer {
  const insns: [number, number, number, number][] = [
    [0x20, 0, 0, 0], // ld [nr]
    [0x15, 2, 0, 83], // jeq mkdir -> errno
    [0x15, 1, 0, 258], // jeq mkdirat -> errno
    [0x06, 0, 0, 0x7fff0000], // ret ALLOW
    [0x06, 0, 0, 0x00050000 | 1], // ret ERRNO(EPERM)
  ];
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach(([code, jt, jf, k], i) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k, i * 8 + 4);
  });
  return buf;
}

for (const nnp of [true, false]) {
  t.test(`seccomp filter is loaded (noNewPrivileges ${nnp})`, async (t) => {
    const b = bundleFor(t, ['sh', '-c', 'mkdir /tmp/d; echo rc=$?; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'], (s) => {
      s.process!.noNewPrivileges = nnp;
      s.process!.user = { uid: 1000, gid: 1000 };
    });
    const run = created(t, b, { seccompBpf: { flags: 0, bpf: denyMkdirBpf(), notify: false } });
    const r = await run.start();
    t.match(r.stderr, /Operation not permitted/);
    t.match(r.stdout, new RegExp(`rc=1\\nNoNewPrivs:\\s+${nnp ? 1 : 0}\\nSeccomp:\\s+2\\n`));
  });
}

t.test('preserved fds reach the process, nothing else does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-fds-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const extra = openSync(join(dir, 'out'), 'w');
  t.teardown(() => closeSync(extra));
  const b = bundleFor(t, ['sh', '-c', 'echo preserved >&3; ls /proc/self/fd | sort -n | tr "\\n" " "']);
  const run = created(t, b, {}, '{}', { preserve: [extra] });
  const r = await run.start();
  t.equal(readFileSync(join(dir, 'out'), 'utf8'), 'preserved\n');
  // 0-2, the preserved 3, and the directory ls itself reads
  t.equal(r.stdout, '0 1 2 3 4 ');
});

t.test('personality, scheduler, I/O priority', async (t) => {
  const b = bundleFor(t, ['sh', '-c', 'uname -m; grep -E "^policy" /proc/self/sched; ionice -p $$'], (s) => {
    s.linux!.personality = { domain: 'LINUX32' };
    s.process!.scheduler = { policy: 'SCHED_BATCH', nice: 5 };
    s.process!.ioPriority = { class: 'IOPRIO_CLASS_IDLE', priority: 0 };
  });
  const r = await created(t, b).start();
  t.equal(r.stderr, '');
  t.match(r.stdout, /^i686\npolicy\s+:\s+3\nidle\n$/);
});

t.test('time namespace offsets', async (t) => {
  const b = bundleFor(t, ['cat', '/proc/uptime'], (s) => {
    s.linux!.namespaces!.push({ type: 'time' });
    s.linux!.timeOffsets = { boottime: { secs: 86400 * 400, nanosecs: 0 } };
  });
  const r = await created(t, b).start();
  t.ok(Number(r.stdout.split(' ')[0]) > 86400 * 400, `uptime ${r.stdout.trim()} includes the offset`);
});

t.test('joining namespaces by path', async (t) => {
  const a = bundleFor(t, ['sleep', '30'], (s) => {
    s.hostname = 'owner';
  });
  const runA = created(t, a);
  const doneA = runA.start(30_000);
  t.teardown(() => {
    try {
      process.kill(runA.lastPid, 'SIGKILL');
    } catch {
      // gone
    }
    return doneA.catch(() => undefined);
  });
  const b = bundleFor(t, ['sh', '-c', 'hostname; readlink /proc/self/ns/uts'], (s) => {
    delete s.hostname;
    s.linux!.namespaces = s.linux!.namespaces!.map((ns) => (ns.type === 'uts' ? { type: 'uts', path: `/proc/${runA.lastPid}/ns/uts` } : ns));
  });
  const r = await created(t, b).start();
  const [host, link] = r.stdout.trim().split('\n');
  t.equal(host, 'owner');
  t.equal(link, (await import('node:fs')).readlinkSync(`/proc/${runA.lastPid}/ns/uts`));
});

t.test('rootfsPropagation shared and private', async (t) => {
  for (const [prop, tag] of [
    ['rshared', /shared:\d+/],
    ['rprivate', /^(?!.*(shared|master):)/],
  ] as const) {
    const b = bundleFor(t, ['head', '-n', '1', '/proc/self/mountinfo'], (s) => {
      s.linux!.rootfsPropagation = prop;
    });
    const r = await created(t, b).start();
    t.equal(r.exit.exitCode, 0, prop);
    t.match(r.stdout, tag, prop);
  }
});

t.test('create hands a seccomp notify listener over before READY', async (t) => {
  const allowAll = Buffer.alloc(8);
  allowAll.writeUInt16LE(0x06, 0); // ret ALLOW: nothing is ever notified
  allowAll.writeUInt32LE(0x7fff0000, 4);
  const b = bundleFor(t, ['sh', '-c', 'grep ^Seccomp /proc/self/status']);
  const run = created(t, b, { seccompBpf: { flags: 1 << 3 /* NEW_LISTENER */, bpf: allowAll, notify: true } });
  t.same(run.messages, [ChildMsg.PID, ChildMsg.HOOKS_REQ, ChildMsg.SECCOMP_FD, ChildMsg.READY]);
  t.equal(run.seccompFdLink, 'anon_inode:seccomp notify');
  const r = await run.start();
  t.equal(r.stdout, 'Seccomp:\t2\nSeccomp_filters:\t1\n', 'loaded once, before start');
});

t.test('exec into a container with its own user namespace', async (t) => {
  const b = bundleFor(t, ['sleep', '30'], (s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
  });
  chmodSync(b.dir, 0o755);
  const run = created(t, b);
  const done = run.start(30_000);
  t.teardown(() => {
    try {
      process.kill(run.lastPid, 'SIGKILL');
    } catch {
      // gone
    }
    return done.catch(() => undefined);
  });
  const spec = structuredClone(b.spec);
  spec.process!.args = ['sh', '-c', 'id -u; cat /proc/self/uid_map; grep ^CapEff /proc/self/status'];
  spec.process!.user = { uid: 1000, gid: 1000 };
  const r = await execIn(b, run.lastPid, spec);
  t.notOk(r.error);
  t.equal(r.stderr, '');
  t.match(r.stdout, /^1000\n\s+0\s+200000\s+65536\nCapEff:\s+0000000000000000\n$/);
});

// Prints the description of the process's session keyring.
const KEYRING_PROBE = `#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
  char b[512];
  long k = syscall(SYS_keyctl, 0, -3, 0); /* KEYCTL_GET_KEYRING_ID, session */
  long n = k < 0 ? -1 : syscall(SYS_keyctl, 6, k, b, sizeof b); /* DESCRIBE */
  if (n <= 0) return 1;
  printf("%.*s\\n", (int)n - 1, b);
  return 0;
}
`;

t.test('a new session keyring named like runc, unless noNewKeyring', async (t) => {
  const results: string[] = [];
  for (const noNewKeyring of [false, true]) {
    const b = bundleFor(t, ['/bin/keyring-probe']);
    writeFileSync(join(b.dir, 'probe.c'), KEYRING_PROBE);
    execFileSync('cc', ['-static', '-o', join(b.rootfs, 'bin/keyring-probe'), join(b.dir, 'probe.c')]);
    const r = await created(t, b, { noNewKeyring }).start();
    t.equal(r.exit.exitCode, 0);
    results.push(r.stdout.trim());
  }
  const [own, inherited] = results;
  const fields = own!.split(';');
  t.equal(fields[0], 'keyring');
  t.equal(fields[4], '_ses.test');
  t.ok((parseInt(fields[3]!, 16) & 0x080000) !== 0, 'searchable by its user');
  t.not(inherited!.split(';')[4], '_ses.test', 'noNewKeyring keeps the inherited keyring');
});

t.test('linux.netDevices: a host interface moves in, renamed', async (t) => {
  // a veth pair (this kernel has no dummy driver): one end moves in
  const host = `tsrv${process.pid % 100000}`;
  const peer = `${host}p`;
  execFileSync('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
  t.teardown(() => {
    try {
      execFileSync('ip', ['link', 'del', peer], { stdio: 'ignore' }); // takes both ends
    } catch {
      // already gone with the container's namespace
    }
  });
  const b = bundleFor(t, ['sh', '-c', 'ls /sys/class/net | sort | tr "\\n" " "']);
  const run = created(t, b);
  addon.moveNetDevice(host, run.lastPid, 'eth9');
  t.throws(() => execFileSync('ip', ['link', 'show', host], { stdio: 'ignore' }), 'gone from the host');
  const r = await run.start();
  t.equal(r.stdout, 'eth9 lo ');
  t.throws(() => addon.moveNetDevice('tsr-no-such', process.pid), { code: 'ENODEV', message: /^moving network device tsr-no-such/ });
});

t.test('execCPUAffinity.final: set right before execve', async (t) => {
  const b = bundleFor(t, ['grep', 'Cpus_allowed_list', '/proc/self/status'], (s) => {
    s.process!.execCPUAffinity = { final: '1' };
  });
  const r = await created(t, b).start();
  t.match(r.stdout, /^Cpus_allowed_list:\s+1\n$/);
  t.same([...cpuMask('0-1,65')], [3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]);
  t.throws(() => cpuMask('2-1'), /invalid CPU range/);
});

const allCpus = /Cpus_allowed_list:\s+(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]!;

t.test('execCPUAffinity.initial alone: the helper joins on those CPUs, the process gets every CPU back', { skip: allCpus === '0' ? 'one CPU: initial cannot be told apart' : false }, async (t) => {
  // a createContainer hook is a child of the helper: it shows its affinity
  const seen = join(mkdtempSync(join(tmpdir(), 'tsrunc-affinity-')), 'hook');
  t.teardown(() => rmSync(join(seen, '..'), { recursive: true, force: true }));
  const bi = bundleFor(t, ['grep', 'Cpus_allowed_list', '/proc/self/status'], (s) => {
    s.process!.execCPUAffinity = { initial: '0' };
    s.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `grep Cpus_allowed_list /proc/self/status > ${seen}`] }] };
  });
  const ri = await created(t, bi).start();
  t.match(readFileSync(seen, 'utf8'), /^Cpus_allowed_list:\s+0\n$/, 'the helper ran on the initial CPUs');
  t.equal(/Cpus_allowed_list:\s+(\S+)/.exec(ri.stdout)?.[1], allCpus, 'the process runs on every CPU again');
});

t.test('apparmorProfile on a host without AppArmor is a clear create error', async (t) => {
  const enabled = (() => {
    try {
      return readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').startsWith('Y');
    } catch {
      return false;
    }
  })();
  const b = bundleFor(t, ['cat', '/proc/self/attr/current'], (s) => {
    s.process!.apparmorProfile = 'unconfined';
  });
  const run = createContainer(b);
  t.teardown(() => run.cleanup());
  if (enabled) {
    t.notOk(run.error);
    const r = await run.start();
    t.match(r.stdout, /unconfined/);
  } else {
    t.equal(run.error, 'apparmor: profile unconfined requested but AppArmor is not enabled');
    t.same(run.messages, [ChildMsg.ERROR], 'before any namespace work');
  }
});
