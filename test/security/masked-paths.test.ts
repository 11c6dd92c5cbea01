// CVE-2025-31133: maskedPaths are masked with the container's /dev/null; if
// that is a regular file or a symlink (to a host file, or to a procfs file
// like core_pattern) the "mask" would expose it. tsrunc checks that the
// /dev/null it binds is the 1:3 char device. Also: masked paths are
// unreadable, read-only paths unwritable, /sys/fs/cgroup read-only.
import t from 'tap';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostDir, setup } from './lib.js';

// /dev bound from a host dir: tsrunc does not set /dev up, the dir's own
// "null" is what the masks would use.
function devFrom(dir: string) {
  return (s: import('../../src/spec/types.js').Spec): void => {
    s.mounts = s.mounts!.filter((m) => !m.destination.startsWith('/dev'));
    s.mounts.push({ destination: '/dev', type: 'bind', source: dir, options: ['rbind'] });
  };
}

t.test('/dev/null a regular file: masking is refused', async (t) => {
  const dev = hostDir(t, 'tsrunc-dev-');
  writeFileSync(join(dev, 'null'), 'HOST-FILE');
  const { rt, bundle } = setup(t, ['true'], devFrom(dev));
  const r = rt.run(['run', '--bundle', bundle.dir, 'nullfile']);
  t.not(r.code, 0, 'create fails');
  t.match(r.stderr, /not the null device/, r.stderr.trim());
  t.equal(readFileSync(join(dev, 'null'), 'utf8'), 'HOST-FILE');
});

t.test('/dev/null a symlink to core_pattern: masking is refused', async (t) => {
  const dev = hostDir(t, 'tsrunc-dev-');
  symlinkSync('/proc/sys/kernel/core_pattern', join(dev, 'null'));
  const before = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
  const { rt, bundle } = setup(t, ['true'], devFrom(dev));
  const r = rt.run(['run', '--bundle', bundle.dir, 'nulllink']);
  t.not(r.code, 0, 'create fails');
  t.match(r.stderr, /not the null device/, r.stderr.trim());
  t.equal(readFileSync('/proc/sys/kernel/core_pattern', 'utf8'), before);
});

t.test('/dev/null swapped for a symlink after the devices were made', async (t) => {
  const victim = hostDir(t);
  writeFileSync(join(victim, 'file'), 'HOST-FILE');
  const before = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
  const { rt, bundle } = setup(t, ['true']);
  // createContainer runs after the devices, before the masks: the swap a
  // racing process would do, made deterministic
  const swap = `rm -f ${bundle.rootfs}/dev/null && ln -s /proc/sys/kernel/core_pattern ${bundle.rootfs}/dev/null && ln -s ${victim}/file ${bundle.rootfs}/dev/zero2`;
  bundle.spec.hooks = { createContainer: [{ path: '/bin/sh', args: ['sh', '-c', swap] }] };
  bundle.save();
  const r = rt.run(['run', '--bundle', bundle.dir, 'swap']);
  t.not(r.code, 0, 'create fails');
  t.match(r.stderr, /not the null device/, r.stderr.trim());
  t.equal(readFileSync(join(victim, 'file'), 'utf8'), 'HOST-FILE');
  t.equal(readFileSync('/proc/sys/kernel/core_pattern', 'utf8'), before);
});

const PROBE = `
r() { if "$@" 2>/dev/null; then echo "ALLOWED: $*"; else echo "denied: $*"; fi; }
echo pwned > /etc/secret
echo "kcore=$(head -c 16 /proc/kcore | wc -c) secret=$(cat /etc/secret) dir=$(ls -A /secretdir | wc -l) firmware=$(ls -A /sys/firmware | wc -l)"
r touch /data/x
r sh -c 'echo pwned > /proc/sys/kernel/hostname'
r touch /sys/fs/cgroup/x
for d in /sys/fs/cgroup/*/; do r mkdir $d/tsrunc-escape; done
r touch /tmp/control
`;

t.test('masked paths unreadable, read-only paths unwritable, /sys/fs/cgroup read-only', async (t) => {
  const { rt, bundle } = setup(t, ['sh', '-c', PROBE], (s) => {
    s.linux!.maskedPaths!.push('/etc/secret', '/secretdir');
    s.linux!.readonlyPaths!.push('/data');
    s.process!.capabilities = undefined; // every capability: only the mounts stop it
  });
  writeFileSync(join(bundle.rootfs, 'etc/secret'), 'SECRET');
  mkdirSync(join(bundle.rootfs, 'secretdir'));
  writeFileSync(join(bundle.rootfs, 'secretdir/f'), 'SECRET');
  mkdirSync(join(bundle.rootfs, 'data'));
  const r = rt.run(['run', '--bundle', bundle.dir, 'paths']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /kcore=0 secret= dir=0 firmware=0/, 'masked files read empty, masked dirs list empty');
  t.match(r.stdout, /ALLOWED: touch \/tmp\/control/, 'control: the probe can write where allowed');
  const allowed = r.stdout.split('\n').filter((l) => l.startsWith('ALLOWED') && !l.includes('/tmp/control'));
  t.same(allowed, [], 'every other write was denied');
  t.ok((r.stdout.match(/denied: mkdir/g) ?? []).length >= 1, 'cgroup hierarchies were tried');
  t.equal(readFileSync(join(bundle.rootfs, 'etc/secret'), 'utf8'), 'SECRET', 'the masked file is unchanged');
});
