// tsrunc-init end to end: real containers from a busybox bundle, driven by
// the minimal parent in test/lib/init-session.ts.
import t, { type Test } from 'tap';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildMsg } from '../src/linux/protocol.js';
import { createContainer, waitpidSync } from './lib/init-session.js';
import { makeBundle, type Bundle } from './lib/bundle.js';
import type { Spec } from '../src/spec/types.js';

async function runIn(t: Test, args: string[], edit?: (spec: Spec) => void, prepare?: (b: Bundle) => void) {
  const bundle = makeBundle(args, edit);
  t.teardown(() => bundle.cleanup());
  prepare?.(bundle);
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  if (run.error) throw new Error(`create failed: ${run.error}`);
  return run.start();
}

t.test('echo through a pipe, exit 0', async (t) => {
  const r = await runIn(t, ['echo', 'hi']);
  t.equal(r.stdout, 'hi\n');
  t.equal(r.exit.exitCode, 0);
});

t.test('exit codes pass through', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'exit 3']);
  t.equal(r.exit.exitCode, 3);
  t.equal(r.exit.signal, null);
});

t.test('a signal from the host ends the container', async (t) => {
  const bundle = makeBundle(['sleep', '30']);
  t.teardown(() => bundle.cleanup());
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  t.notOk(run.error);
  const pid = run.pid;
  const done = run.start();
  setTimeout(() => process.kill(pid, 'SIGKILL'), 200);
  const r = await done;
  t.equal(r.exit.exitCode, null);
  t.equal(r.exit.signal, 9);
});

t.test('SIGTERM ends an init still waiting for start', async (t) => {
  const bundle = makeBundle(['true']);
  t.teardown(() => bundle.cleanup());
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  t.notOk(run.error);
  process.kill(run.pid, 'SIGTERM');
  const r = waitpidSync(run.pid, 5000);
  run.pid = 0;
  t.equal(r.exitCode, 128 + 15, 'exited from its handler, not the 5 s SIGKILL fallback');
});

t.test('hostname and domainname in a new uts namespace', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'hostname; cat /proc/sys/kernel/domainname'], (s) => {
    s.hostname = 'box-one';
    s.domainname = 'example.test';
  });
  t.equal(r.stdout, 'box-one\nexample.test\n');
});

t.test('runs as pid 1 with env, cwd and HOME', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'echo $$ $FOO $HOME; pwd'], (s) => {
    s.process!.env!.push('FOO=bar');
    s.process!.cwd = '/tmp/made/by/init';
  });
  t.equal(r.stdout, '1 bar /root\n/tmp/made/by/init\n', 'a missing cwd is created, like runc');
});

t.test('a tmpfs mount with options', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'grep " /mnt/scratch " /proc/mounts; touch /mnt/scratch/f && echo ok'], (s) => {
    s.mounts!.push({ destination: '/mnt/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1m', 'mode=700'] });
  });
  t.match(r.stdout, /^tmpfs \/mnt\/scratch tmpfs rw,nosuid,nodev,relatime,size=1024k,mode=700/);
  t.match(r.stdout, /\nok\n$/);
});

t.test('read-only root', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'touch /newfile; echo rc=$?; touch /tmp/x 2>&1 || true; touch /dev/shm/ok && echo shm-ok'], (s) => {
    s.root!.readonly = true;
  });
  t.match(r.stdout, /rc=1/);
  t.match(r.stderr, /Read-only file system/);
  t.match(r.stdout, /shm-ok/, 'separate mounts stay writable');
});

t.test('masked and read-only paths', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'stat -c "%t:%T %s" /proc/keys; ls /sys/firmware | wc -l; echo 1 > /proc/sys/kernel/ns_last_pid; echo rc=$?']);
  t.match(r.stdout, /^1:3 0\n0\nrc=1\n$/);
});

t.test('user, groups and the five capability sets', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'grep -E "^(Uid|Gid|Groups|Cap...|NoNewPrivs):" /proc/self/status'], (s) => {
    s.process!.user = { uid: 1000, gid: 1001, additionalGids: [5, 7] };
    s.process!.capabilities = {
      bounding: ['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_CHOWN'],
      effective: ['CAP_KILL', 'CAP_CHOWN'],
      permitted: ['CAP_KILL', 'CAP_CHOWN'],
      inheritable: ['CAP_KILL'],
      ambient: ['CAP_KILL'],
    };
  });
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(r.stdout)?.[1]?.trim();
  t.equal(field('Uid'), '1000\t1000\t1000\t1000');
  t.equal(field('Gid'), '1001\t1001\t1001\t1001');
  t.equal(field('Groups'), '5 7');
  // after execve a non-root process keeps only its ambient capabilities
  t.equal(field('CapInh'), '0000000000000020');
  t.equal(field('CapPrm'), '0000000000000020');
  t.equal(field('CapEff'), '0000000000000020');
  t.equal(field('CapBnd'), '0000000000000421');
  t.equal(field('CapAmb'), '0000000000000020');
  t.equal(field('NoNewPrivs'), '1');
});

t.test('root keeps exactly its bounding set', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'grep -E "^Cap(Eff|Bnd|Inh):" /proc/self/status']);
  t.match(r.stdout, /CapInh:\s+0000000000000000/);
  t.match(r.stdout, /CapEff:\s+0000000020000420/);
  t.match(r.stdout, /CapBnd:\s+0000000020000420/);
});

t.test('rlimits, umask and oom_score_adj', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'ulimit -n; ulimit -Hn; umask; cat /proc/self/oom_score_adj'], (s) => {
    s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 768 }];
    s.process!.user.umask = 0o27;
    s.process!.oomScoreAdj = 500;
  });
  t.equal(r.stdout, '512\n768\n0027\n500\n');
});

t.test('devices and /dev links', async (t) => {
  const r = await runIn(t, ['sh', '-c', 'stat -c "%n %F %t:%T %a" /dev/null /dev/zero /dev/tty /dev/mydev; readlink /dev/fd; readlink /dev/ptmx'], (s) => {
    s.linux!.devices = [{ type: 'c', path: '/dev/mydev', major: 1, minor: 7, fileMode: 0o640, uid: 0, gid: 0 }];
  });
  t.equal(
    r.stdout,
    [
      '/dev/null character special file 1:3 666',
      '/dev/zero character special file 1:5 666',
      '/dev/tty character special file 5:0 666',
      '/dev/mydev character special file 1:7 640',
      '/proc/self/fd',
      'pts/ptmx',
      '',
    ].join('\n'),
  );
});

t.test('a symlink in the rootfs cannot move a mount or a mkdir to the host', async (t) => {
  const hostDir = mkdtempSync(join(tmpdir(), 'tsrunc-host-'));
  const source = mkdtempSync(join(tmpdir(), 'tsrunc-src-'));
  t.teardown(() => {
    rmSync(hostDir, { recursive: true, force: true });
    rmSync(source, { recursive: true, force: true });
  });
  writeFileSync(join(source, 'marker'), 'inside\n');
  const r = await runIn(
    t,
    ['sh', '-c', `cat /evil/sub/marker; test -f ${hostDir}/sub/marker && echo clamped; ls /evil-rel/x >/dev/null && echo rel-ok`],
    (s) => {
      s.mounts!.push({ destination: '/evil/sub', type: 'bind', source, options: ['rbind', 'ro'] });
      s.mounts!.push({ destination: '/evil-rel/x', type: 'tmpfs', source: 'tmpfs' });
    },
    (b) => {
      symlinkSync(hostDir, join(b.rootfs, 'evil')); // absolute: means rootfs + hostDir
      symlinkSync('../../../../../../..' + hostDir, join(b.rootfs, 'evil-rel'));
    },
  );
  t.equal(r.stdout, 'inside\nclamped\nrel-ok\n');
  t.same(readdirSync(hostDir), [], 'nothing was created in the host directory');
});

t.test('procfs onto a symlink is refused', async (t) => {
  const bundle = makeBundle(['true']);
  t.teardown(() => bundle.cleanup());
  rmSync(join(bundle.rootfs, 'proc'), { recursive: true });
  symlinkSync('/tmp', join(bundle.rootfs, 'proc'));
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  t.match(run.error, /^mount \/proc: the destination must not be or contain a symlink: /);
  // the same for a bind mount onto /sys
  const sys = makeBundle(['true'], (s) => {
    s.mounts = s.mounts!.map((m) => (m.destination === '/sys' ? { destination: '/sys/', type: 'bind', source: '/sys', options: ['rbind', 'ro'] } : m));
  });
  t.teardown(() => sys.cleanup());
  rmSync(join(sys.rootfs, 'sys'), { recursive: true });
  symlinkSync('tmp', join(sys.rootfs, 'sys'));
  const run2 = createContainer(sys);
  t.teardown(() => run2.cleanup());
  t.match(run2.error, /^mount \/sys\/: the destination must not be or contain a symlink: /);
});

t.test('a read-only bind mount', async (t) => {
  const source = mkdtempSync(join(tmpdir(), 'tsrunc-src-'));
  t.teardown(() => rmSync(source, { recursive: true, force: true }));
  writeFileSync(join(source, 'f'), 'data\n');
  const r = await runIn(t, ['sh', '-c', 'cat /data/f; echo x > /data/f; echo rc=$?'], (s) => {
    s.mounts!.push({ destination: '/data', type: 'bind', source, options: ['bind', 'ro', 'nosuid'] });
  });
  t.equal(r.stdout, 'data\nrc=1\n');
  t.equal(readFileSync(join(source, 'f'), 'utf8'), 'data\n');
});

t.test('sysctl in the container network namespace', async (t) => {
  const r = await runIn(t, ['cat', '/proc/sys/net/ipv4/ip_forward'], (s) => {
    s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
  });
  t.equal(r.stdout, '1\n');
});

t.test('no-pivot mode', async (t) => {
  const bundle = makeBundle(['sh', '-c', 'ls /; cat /etc/passwd | head -1']);
  t.teardown(() => bundle.cleanup());
  const run = createContainer(bundle, { noPivot: true });
  t.teardown(() => run.cleanup());
  t.notOk(run.error);
  const r = await run.start();
  t.match(r.stdout, /\nroot:x:0:0:root:\/root:\/bin\/sh\n$/);
  t.match(r.stdout, /^bin\n/);
});

t.test('createContainer and startContainer hooks get the state', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tsrunc-hook-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const bundle = makeBundle(['cat', '/tmp/started'], (s) => {
    s.hooks = {
      // runs before pivot_root: the host's paths are still visible
      createContainer: [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${out}/created; echo "$X" >> ${out}/created`], env: ['X=from-env'] }],
      // runs in the container's root
      startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'cat > /tmp/started'] }],
    };
  });
  t.teardown(() => bundle.cleanup());
  const run = createContainer(bundle, {}, '{"status":"creating"}');
  t.teardown(() => run.cleanup());
  t.notOk(run.error);
  t.equal(readFileSync(join(out, 'created'), 'utf8'), '{"status":"creating"}from-env\n');
  t.equal(statSync(join(out, 'created')).mode & 0o777, 0o644, 'hooks run with umask 022');
  const r = await run.start();
  t.equal(r.stdout, '{"status":"creating"}');
});

t.test('a failing hook is one clear error', async (t) => {
  const bundle = makeBundle(['true'], (s) => {
    s.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'echo boom >&2; exit 3'] }] };
  });
  t.teardown(() => bundle.cleanup());
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  t.equal(run.error, 'createContainer hook /bin/sh: exit status 3: boom ');
  // a chatty hook: only the end of its output is kept
  bundle.spec.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" x; echo; echo tail-marker >&2; exit 4'] }] };
  const chatty = createContainer(bundle);
  t.teardown(() => chatty.cleanup());
  t.match(chatty.error, /^createContainer hook \/bin\/sh: exit status 4: x{400,} tail-marker $/);
  t.ok(chatty.error!.length < 700, 'the message stays short');
});

t.test('a hook past its timeout is killed', async (t) => {
  const bundle = makeBundle(['true'], (s) => {
    s.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'sleep 20'], timeout: 1 }] };
  });
  t.teardown(() => bundle.cleanup());
  const started = Date.now();
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  t.equal(run.error, 'createContainer hook /bin/sh: timed out after 1 s');
  t.ok(Date.now() - started < 5000);
});

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

t.test('a missing binary is a create-time error and leaves nothing', async (t) => {
  const bundle = makeBundle(['no-such-binary']);
  t.teardown(() => bundle.cleanup());
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  t.equal(run.error, 'exec: "no-such-binary": executable file not found in $PATH');
  t.same(run.messages, [ChildMsg.PID, ChildMsg.HOOKS_REQ, ChildMsg.ERROR]);
  t.equal(run.pid, 0, 'the init was reaped');
  // runc's wording for paths, which engines map to exit codes 127 / 126
  for (const [arg0, msg] of [
    ['/no/such', 'exec: "/no/such": stat /no/such: no such file or directory'],
    ['/etc', 'exec: "/etc": is a directory'],
    ['/etc/passwd', 'exec: "/etc/passwd": permission denied'],
  ]) {
    bundle.spec.process!.args = [arg0!];
    const r = createContainer(bundle);
    t.teardown(() => r.cleanup());
    t.equal(r.error, msg);
  }
});

t.test('a bad mount is one clear error and leaves nothing', async (t) => {
  const bundle = makeBundle(['true'], (s) => {
    s.mounts!.push({ destination: '/mnt/x', type: 'nosuchfs', source: 'none' });
  });
  t.teardown(() => bundle.cleanup());
  const run = createContainer(bundle);
  t.teardown(() => run.cleanup());
  t.equal(run.error, 'mount /mnt/x (nosuchfs): no such device');
  t.same(run.messages, [ChildMsg.PID, ChildMsg.ERROR]);
  t.ok(run.lastPid > 0 && gone(run.lastPid), 'the init is gone');
});

t.test('failures after start go to the container stderr, exit 127', async (t) => {
  const hook = makeBundle(['true'], (s) => {
    s.hooks = { startContainer: [{ path: '/bin/false' }] };
  });
  t.teardown(() => hook.cleanup());
  const run = createContainer(hook);
  t.teardown(() => run.cleanup());
  t.notOk(run.error, 'startContainer hooks only run after start');
  const r = await run.start();
  t.equal(r.exit.exitCode, 127);
  t.equal(r.stderr, 'tsrunc-init: startContainer hook /bin/false: exit status 1\n');

  const gone = makeBundle(['/bin/vanishing']);
  t.teardown(() => gone.cleanup());
  copyFileSync(join(gone.rootfs, 'bin/busybox'), join(gone.rootfs, 'bin/vanishing'));
  const run2 = createContainer(gone);
  t.teardown(() => run2.cleanup());
  t.notOk(run2.error);
  rmSync(join(gone.rootfs, 'bin/vanishing'));
  const r2 = await run2.start();
  t.equal(r2.exit.exitCode, 127);
  t.equal(r2.stderr, 'tsrunc-init: exec /bin/vanishing: no such file or directory\n');
});

t.test('an idmapped bind mount', async (t) => {
  // an idmap's containerID side is the id on disk, its hostID side what the
  // id becomes: root-owned files show up as 1000:1001 through the mount
  const source = mkdtempSync(join(tmpdir(), 'tsrunc-src-'));
  t.teardown(() => rmSync(source, { recursive: true, force: true }));
  writeFileSync(join(source, 'root-owned'), 'x');
  writeFileSync(join(source, 'user-owned'), 'x');
  chownSync(join(source, 'user-owned'), 1000, 1001);
  chmodSync(source, 0o755); // the container's root has no CAP_DAC_OVERRIDE
  const r = await runIn(t, ['sh', '-c', 'stat -c "%u:%g" /idm/root-owned /idm/user-owned /plain/root-owned'], (s) => {
    const maps = (host: number) => [{ containerID: 0, hostID: host, size: 1 }];
    s.mounts!.push({ destination: '/idm', type: 'bind', source, options: ['rbind'], uidMappings: maps(1000), gidMappings: maps(1001) });
    s.mounts!.push({ destination: '/plain', type: 'bind', source, options: ['rbind'] });
  });
  t.equal(r.stdout, '1000:1001\n65534:65534\n0:0\n');
});
