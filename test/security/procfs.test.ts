// CVE-2019-16884, CVE-2023-27561, CVE-2025-52881: /proc and /sys
// destinations that are symlinks, a /proc that is not procfs, and procfs
// writes (sysctl, oom_score_adj) redirected by a mount over the target.
// Every one is refused, and the host file the write aimed at is unchanged.
import t, { type Test } from 'tap';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hostDir, hostMountsUnder, setup } from './lib.js';

for (const dest of ['proc', 'sys']) {
  t.test(`/${dest} a symlink to a host dir is refused`, async (t) => {
    const victim = hostDir(t);
    const { rt, bundle } = setup(t, ['true']);
    rmSync(join(bundle.rootfs, dest), { recursive: true });
    symlinkSync(victim, join(bundle.rootfs, dest));
    const r = rt.run(['run', '--bundle', bundle.dir, `${dest}link`]);
    t.not(r.code, 0, 'create fails');
    t.match(r.stderr, /symlink/, r.stderr.trim());
    t.same(readdirSync(victim), []);
    t.same(hostMountsUnder(victim), []);
  });

  t.test(`/${dest} a symlink inside the rootfs is refused too`, async (t) => {
    const { rt, bundle } = setup(t, ['true']);
    rmSync(join(bundle.rootfs, dest), { recursive: true });
    mkdirSync(join(bundle.rootfs, 'fake'));
    symlinkSync('/fake', join(bundle.rootfs, dest));
    const r = rt.run(['run', '--bundle', bundle.dir, `${dest}inner`]);
    t.not(r.code, 0, 'create fails');
    t.match(r.stderr, /symlink/);
  });
}

// A fake procfs: a host dir laid out like /proc with the files tsrunc writes.
function fakeProc(t: Test): string {
  const fake = hostDir(t, 'tsrunc-fakeproc-');
  mkdirSync(join(fake, 'sys/kernel'), { recursive: true });
  writeFileSync(join(fake, 'sys/kernel/domainname'), 'orig');
  mkdirSync(join(fake, 'self'));
  writeFileSync(join(fake, 'self/oom_score_adj'), 'orig');
  return fake;
}

t.test('a /proc that is not procfs is refused for sysctl writes', async (t) => {
  const fake = fakeProc(t);
  const { rt, bundle } = setup(t, ['true'], (s) => {
    s.mounts = s.mounts!.map((m) => (m.destination === '/proc' ? { destination: '/proc', type: 'bind', source: fake, options: ['rbind'] } : m));
    s.linux!.sysctl = { 'kernel.domainname': 'pwned' };
  });
  const r = rt.run(['run', '--bundle', bundle.dir, 'fakeproc']);
  t.not(r.code, 0, 'create fails');
  t.match(r.stderr, /not the root of a procfs/, r.stderr.trim());
  t.equal(readFileSync(join(fake, 'sys/kernel/domainname'), 'utf8'), 'orig', 'the fake sysctl file is unchanged');
});

t.test('oom_score_adj goes to the real procfs, not to a fake /proc', async (t) => {
  const fake = fakeProc(t);
  const { rt, bundle } = setup(t, ['sleep', '1000'], (s) => {
    s.mounts = s.mounts!.map((m) => (m.destination === '/proc' ? { destination: '/proc', type: 'bind', source: fake, options: ['rbind'] } : m));
    s.linux!.maskedPaths = [];
    s.linux!.readonlyPaths = [];
    s.process!.oomScoreAdj = 321;
  });
  rt.ok(['run', '--detach', '--bundle', bundle.dir, 'oom']);
  const pid = rt.state('oom').pid;
  t.equal(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim(), '321', 'the process got its oom_score_adj');
  t.equal(readFileSync(join(fake, 'self/oom_score_adj'), 'utf8'), 'orig', 'the fake file is unchanged');
  // exec into the same container: its /proc is still the fake one
  rt.ok(['exec', 'oom', '--', 'true']);
  t.equal(readFileSync(join(fake, 'self/oom_score_adj'), 'utf8'), 'orig', 'exec did not write the fake file either');
});

t.test('a sysctl whose file is overmounted by a host file is refused', async (t) => {
  const victim = hostDir(t);
  const target = join(victim, 'domainname');
  writeFileSync(target, 'orig');
  const { rt, bundle } = setup(t, ['true'], (s) => {
    s.mounts!.splice(1, 0, { destination: '/proc/sys/kernel/domainname', type: 'bind', source: target, options: ['bind'] });
    s.linux!.sysctl = { 'kernel.domainname': 'pwned' };
  });
  const r = rt.run(['run', '--bundle', bundle.dir, 'overmount']);
  t.not(r.code, 0, 'create fails');
  t.match(r.stderr, /sysctl kernel.domainname/, r.stderr.trim());
  t.equal(readFileSync(target, 'utf8'), 'orig', 'the host file is unchanged');
});
