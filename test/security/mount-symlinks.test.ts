// CVE-2021-30465, CVE-2024-45310, CVE-2026-41579: mount destinations, /dev
// and device nodes reached through symlinks in the rootfs (also swapped
// while `create` runs) must never touch a host path, and nothing may be
// created outside the rootfs.
import t, { type Test } from 'tap';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { hostDir, hostMountsUnder, hostProcess, setup } from './lib.js';

function untouched(t: Test, victim: string): void {
  t.same(readdirSync(victim), [], `nothing was created in the host dir ${victim}`);
  t.same(hostMountsUnder(victim), [], 'nothing is mounted on the host dir');
}

t.test('mount destinations through absolute, relative and dangling symlinks', async (t) => {
  const victim = hostDir(t);
  const source = hostDir(t, 'tsrunc-src-');
  const { rt, bundle } = setup(t, ['sh', '-c', 'ls /mnt/abs/t1 /mnt/rel/b1 /mnt/dangling/sub/t2 >/dev/null'], (s) => {
    s.mounts!.push(
      { destination: '/mnt/abs/t1', type: 'tmpfs', source: 'tmpfs' },
      { destination: '/mnt/rel/b1', type: 'bind', source, options: ['bind'] },
      { destination: '/mnt/dangling/sub/t2', type: 'tmpfs', source: 'tmpfs' },
      { destination: '/mnt/abs/file', type: 'bind', source: '/etc/hostname', options: ['bind', 'ro'] },
    );
  });
  symlinkSync(victim, join(bundle.rootfs, 'mnt/abs'));
  symlinkSync('../'.repeat(12) + victim.slice(1), join(bundle.rootfs, 'mnt/rel'));
  symlinkSync(join(victim, 'newdir'), join(bundle.rootfs, 'mnt/dangling'));
  const r = rt.run(['run', '--bundle', bundle.dir, 'links']);
  t.equal(r.code, 0, `the mounts land inside the rootfs (${r.stderr.trim()})`);
  untouched(t, victim);
  t.ok(existsSync(join(bundle.rootfs, victim, 't1')), 'the absolute link was followed inside the rootfs');
  t.ok(existsSync(join(bundle.rootfs, victim, 'newdir/sub/t2')), 'the dangling link was created inside the rootfs');
});

t.test('/dev a symlink to a host dir: the tmpfs, nodes and links stay inside', async (t) => {
  const victim = hostDir(t);
  const { rt, bundle } = setup(t, ['sh', '-c', 'echo x > /dev/null && test -c /dev/zero && test -L /dev/fd']);
  rmSync(join(bundle.rootfs, 'dev'), { recursive: true });
  symlinkSync(victim, join(bundle.rootfs, 'dev'));
  const r = rt.run(['run', '--bundle', bundle.dir, 'devlink']);
  t.equal(r.code, 0, r.stderr);
  untouched(t, victim);
});

t.test('device nodes under a symlinked /dev subdirectory (no /dev tmpfs)', async (t) => {
  const victim = hostDir(t);
  const { rt, bundle } = setup(t, ['sh', '-c', 'test -c /dev/sneaky/zero2'], (s) => {
    s.mounts = s.mounts!.filter((m) => !m.destination.startsWith('/dev'));
    s.linux!.devices = [{ path: '/dev/sneaky/zero2', type: 'c', major: 1, minor: 5 }, { path: '/dev/null', type: 'c', major: 1, minor: 3 }];
  });
  symlinkSync(victim, join(bundle.rootfs, 'dev/sneaky'));
  // /dev/null itself a link to a host file that does not exist yet
  symlinkSync(join(victim, 'null'), join(bundle.rootfs, 'dev/null'));
  const r = rt.run(['run', '--bundle', bundle.dir, 'devnodes']);
  t.equal(r.code, 0, r.stderr);
  untouched(t, victim);
});

t.test('a host process swaps a directory and a symlink while containers are created', async (t) => {
  const victim = hostDir(t);
  const { rt, bundle } = setup(t, ['true'], (s) => {
    s.mounts!.push(
      { destination: '/mnt/race/sub/t', type: 'tmpfs', source: 'tmpfs' },
      { destination: '/mnt/race/b', type: 'bind', source: '/etc', options: ['rbind', 'ro'] },
      { destination: '/mnt/race/p/f', type: 'bind', source: '/etc/hostname', options: ['bind', 'ro'] },
    );
    s.linux!.devices = [{ path: '/dev/race/zero', type: 'c', major: 1, minor: 5 }];
  });
  const race = join(bundle.rootfs, 'mnt/race');
  mkdirSync(race);
  const swap = `while :; do rm -rf ${race}; ln -s ${victim} ${race}; rm -f ${race}; mkdir ${race}; rm -rf ${race}; ln -s ../../../../../../..${victim} ${race}; done`;
  hostProcess(t, '/bin/busybox', ['sh', '-c', swap]);
  let created = 0;
  for (let i = 0; i < 12; i++) {
    const r = rt.run(['run', '--bundle', bundle.dir, `race${i}`]);
    if (r.code === 0) created++;
    rt.run(['delete', '--force', `race${i}`]);
  }
  t.comment(`${created} of 12 containers were created during the race`);
  untouched(t, victim);
});
