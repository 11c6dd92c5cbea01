// User namespaces as root through the CLI: several mapping ranges, file
// ownership seen inside and on the host, /dev ownership, devpts gid=5,
// idmapped bind mounts, joining another container's user + pid namespaces.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBundle, type Bundle } from '../lib/bundle.js';
import { Runtime } from '../lib/runtime.js';
import type { Spec } from '../../src/spec/types.js';

const UID_MAPS = [
  { containerID: 0, hostID: 100000, size: 1000 },
  { containerID: 1000, hostID: 300000, size: 64536 },
];
const GID_MAPS = [
  { containerID: 0, hostID: 100000, size: 1000 },
  { containerID: 1000, hostID: 300000, size: 64536 },
];

function userns(s: Spec): void {
  s.linux!.namespaces!.push({ type: 'user' });
  const caps = s.process!.capabilities!;
  for (const set of [caps.bounding!, caps.effective!, caps.permitted!]) set.push('CAP_CHOWN');
  s.linux!.uidMappings = UID_MAPS;
  s.linux!.gidMappings = GID_MAPS;
}

function setup(t: Test, args: string[], edit?: (s: Spec) => void): { b: Bundle; rt: Runtime } {
  const rt = new Runtime();
  const b = makeBundle(args, (s) => {
    userns(s);
    edit?.(s);
  });
  t.teardown(() => {
    rt.cleanup();
    b.cleanup();
  });
  chmodSync(b.dir, 0o755);
  // the container's root (host 100000) owns its rootfs, as engines arrange
  execFileSync('chown', ['-R', '-h', '100000:100000', b.rootfs]);
  return { b, rt };
}

t.test('several ranges: ids, ownership inside and on the host, /dev', async (t) => {
  const { b, rt } = setup(t, [
    'sh',
    '-c',
    [
      'cat /proc/self/uid_map /proc/self/gid_map',
      'id -u; id -g',
      'echo a > /f0 && echo b > /f1 && chown 1001:1002 /f1',
      'stat -c "%n %u:%g" /f0 /f1 /dev /dev/pts /dev/mqueue /dev/shm /dev/null',
      'grep " /dev/pts " /proc/self/mountinfo',
      'echo x > /dev/null && echo null-ok',
    ].join('; '),
  ]);
  const r = rt.run(['run', 'u1'], { cwd: b.dir });
  t.equal(r.stderr, '', 'no errors');
  t.equal(r.code, 0);
  const lines = r.stdout.split('\n');
  t.match(lines.slice(0, 4).join('\n'), /^\s+0\s+100000\s+1000\n\s+1000\s+300000\s+64536\n\s+0\s+100000\s+1000\n\s+1000\s+300000\s+64536$/);
  t.same(lines.slice(4, 6), ['0', '0'], 'root inside');
  t.match(r.stdout, /^\/f0 0:0$/m);
  t.match(r.stdout, /^\/f1 1001:1002$/m);
  t.match(r.stdout, /^\/dev 0:0$/m, '/dev tmpfs owned by the container root');
  t.match(r.stdout, /^\/dev\/mqueue 0:0$/m);
  t.match(r.stdout, /^\/dev\/shm 0:0$/m);
  t.match(r.stdout, /^\/dev\/null 65534:65534$/m, 'a host node bound in: its host root is unmapped');
  // mountinfo shows the option in the initial namespace: container gid 5 is host 100005
  t.match(r.stdout, /devpts.*gid=100005/, 'devpts gid=5, mapped');
  t.match(r.stdout, /null-ok/);
  const f0 = statSync(join(b.rootfs, 'f0'));
  const f1 = statSync(join(b.rootfs, 'f1'));
  t.same([f0.uid, f0.gid], [100000, 100000], 'root of the container is host 100000');
  t.same([f1.uid, f1.gid], [300001, 300002], 'the second range');
});

t.test('devpts: a new pty gets the mapped tty group', async (t) => {
  // opening /dev/ptmx makes /dev/pts/0, owned by the devpts gid= option
  const { b, rt } = setup(t, ['sh', '-c', 'exec 3<>/dev/ptmx; stat -c "%g %a" /dev/pts/0']);
  const r = rt.run(['run', 'u2'], { cwd: b.dir });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, '5 620\n', 'gid 5 inside (host 100005), mode=0620');
});

t.test('idmapped bind mounts: host files keep their owner both ways', async (t) => {
  const shared = mkdtempSync(join(tmpdir(), 'tsrunc-idmap-'));
  t.teardown(() => rmSync(shared, { recursive: true, force: true }));
  chmodSync(shared, 0o755);
  writeFileSync(join(shared, 'host-file'), 'h\n');
  chownSync(join(shared, 'host-file'), 0, 0);
  const { b, rt } = setup(
    t,
    ['sh', '-c', 'stat -c "%n %u:%g" /plain/host-file /idm/host-file /rid/host-file; echo c > /idm/new && echo wrote'],
    (s) => {
      s.mounts!.push({ destination: '/plain', type: 'bind', source: shared, options: ['bind'] });
      // idmap with the container's own mappings (as runc)
      s.mounts!.push({ destination: '/idm', type: 'bind', source: shared, options: ['bind', 'idmap'] });
      // ridmap with mappings of the mount's own
      s.mounts!.push({
        destination: '/rid',
        type: 'bind',
        source: shared,
        options: ['rbind', 'ridmap'],
        uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
        gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      });
    },
  );
  chmodSync(shared, 0o777); // only so the unmapped view could write; ownership is what we check
  const r = rt.run(['run', 'u3'], { cwd: b.dir });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^\/plain\/host-file 65534:65534$/m, 'without idmap: unmapped');
  t.match(r.stdout, /^\/idm\/host-file 0:0$/m, 'idmap: host root is container root');
  t.match(r.stdout, /^\/rid\/host-file 0:0$/m, 'ridmap with own mappings');
  t.match(r.stdout, /wrote/);
  const st = statSync(join(shared, 'new'));
  t.same([st.uid, st.gid], [0, 0], 'written through the idmapped mount as host root');
});

t.test('features: idmapped mounts enabled', async (t) => {
  const rt = new Runtime();
  t.teardown(() => rt.cleanup());
  const f = JSON.parse(rt.ok(['features'])) as { linux: { mountExtensions: { idmap: { enabled: boolean } } } };
  t.equal(f.linux.mountExtensions.idmap.enabled, true);
});

t.test('joining another container\'s user and pid namespaces by path', async (t) => {
  const { b: a, rt } = setup(t, ['sleep', '100']);
  rt.ok(['create', 'owner'], { cwd: a.dir });
  rt.ok(['start', 'owner']);
  const pid = rt.state('owner').pid;
  const b = makeBundle(['sh', '-c', 'cat /proc/self/uid_map; id -u; ps -o pid,comm | grep -c "^ *1 sleep$"; echo > /mine && echo ok'], (s) => {
    // the user namespace is listed last on purpose: it must still be joined first
    s.linux!.namespaces = [
      { type: 'pid', path: `/proc/${pid}/ns/pid` },
      { type: 'mount' },
      { type: 'uts' },
      { type: 'ipc' },
      { type: 'network' },
      { type: 'user', path: `/proc/${pid}/ns/user` },
    ];
  });
  t.teardown(() => b.cleanup());
  chmodSync(b.dir, 0o755);
  execFileSync('chown', ['-R', '-h', '100000:100000', b.rootfs]);
  const r = rt.run(['run', 'joiner'], { cwd: b.dir });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^\s+0\s+100000\s+1000\n\s+1000\s+300000\s+64536\n0\n1\nok\n$/, 'the owner\'s mappings, its pid namespace');
  t.equal(statSync(join(b.rootfs, 'mine')).uid, 100000);
  rt.run(['delete', '--force', 'owner']);
});

t.test('a user namespace without mappings is refused clearly', async (t) => {
  const rt = new Runtime();
  const b = makeBundle(['true'], (s) => {
    s.linux!.namespaces!.push({ type: 'user' });
  });
  t.teardown(() => {
    rt.cleanup();
    b.cleanup();
  });
  const r = rt.run(['run', 'nomap'], { cwd: b.dir });
  t.not(r.code, 0);
  t.match(r.stderr, /uidMappings|mapping/i);
  t.notOk(readFileSync('/proc/self/mountinfo', 'utf8').includes(b.rootfs), 'nothing left mounted');
});
