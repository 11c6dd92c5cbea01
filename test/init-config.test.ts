// buildInitConfig and its helpers: runc's option parsing and the records the
// helper gets, decoded back from the packet.
import t from 'tap';
import { buildInitConfig, CLONE_FLAGS, type InitConfigOptions } from '../src/linux/init-config.js';
import { capabilityMask } from '../src/linux/capabilities.js';
import { MOUNT_ATTR, MS, mountRecord, parseMountOptions } from '../src/linux/mounts.js';
import { MountKind, Rec } from '../src/linux/protocol.js';
import { rlimitValue } from '../src/linux/rlimits.js';
import type { Spec } from '../src/spec/types.js';
import { makeBundle } from './lib/bundle.js';

/** The test bundle's runc-like default config (the bundle itself is not needed). */
function defaultTestSpec(args: string[] = ['true']): Spec {
  const b = makeBundle(args);
  b.cleanup();
  return b.spec;
}

interface RawRecord {
  type: number;
  body: Buffer;
}

function records(packet: Buffer): RawRecord[] {
  const out: RawRecord[] = [];
  let off = 0;
  while (off < packet.length) {
    const type = packet.readUInt32LE(off);
    const len = packet.readUInt32LE(off + 4);
    out.push({ type, body: packet.subarray(off + 8, off + 8 + len) });
    off += 8 + len + ((4 - (len % 4)) % 4);
  }
  t.equal(off, packet.length, 'records tile the packet exactly');
  return out;
}

function strings(body: Buffer, from = 0): string[] {
  return body.subarray(from).toString('utf8').split('\0').slice(0, -1);
}

const opts: InitConfigOptions = {
  mode: 'create',
  rootfs: '/b/rootfs',
  id: 'c1',
  noPivot: false,
  noNewKeyring: false,
  preserveFds: 0,
  consoleSocket: false,
  bundle: '/b',
};

t.test('mount options like runc', async (t) => {
  const p = parseMountOptions(['nosuid', 'nodev', 'ro', 'rw', 'noexec', 'exec', 'strictatime', 'rslave', 'size=1m', 'mode=755']);
  t.equal(p.flags, MS.NOSUID | MS.NODEV | MS.STRICTATIME);
  t.equal(p.propagation, MS.SLAVE | MS.REC);
  t.same(p.data, ['size=1m', 'mode=755']);
  const r = parseMountOptions(['rro', 'rnosuid', 'rnoatime', 'rdev']);
  t.equal(r.attrSet, MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NOATIME);
  t.equal(r.attrClr, MOUNT_ATTR.ATIME_MASK | MOUNT_ATTR.NODEV);
  t.same(parseMountOptions(['tmpcopyup']).data, [], 'tmpcopyup is ignored');
  t.equal(parseMountOptions(['ridmap']).idmap, 'ridmap');
  t.equal(parseMountOptions(['defaults', 'sync', 'async', 'dirsync', 'mand', 'nomand']).flags, MS.DIRSYNC);
});

t.test('bind mounts: relative sources, kinds', async (t) => {
  const b = mountRecord({ destination: 'data', type: 'none', source: 'src', options: ['rbind', 'ro'] }, '/bundle');
  t.equal(b.kind, MountKind.BIND);
  t.equal(b.source, '/bundle/src');
  t.equal(b.destination, '/data');
  t.equal(b.flags, MS.BIND | MS.REC | MS.RDONLY);
  t.equal(b.fstype, '');
  t.equal(mountRecord({ destination: '/x', type: 'bind', source: '/s' }, '/').flags, MS.BIND, 'type bind alone is a non-recursive bind');
  t.equal(mountRecord({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup' }, '/').kind, MountKind.CGROUP);
  t.throws(() => mountRecord({ destination: '/x', options: ['bind'] }, '/'), /needs a source/);
  const maps = [{ containerID: 0, hostID: 1000, size: 10 }];
  t.same(mountRecord({ destination: '/x', type: 'bind', source: '/s', uidMappings: maps, gidMappings: maps }, '/').idmap, {
    recursive: false,
    uidMap: '0 1000 10\n',
    gidMap: '0 1000 10\n',
  });
  t.equal(mountRecord({ destination: '/x', type: 'bind', source: '/s', options: ['ridmap'] }, '/', { uid: maps, gid: maps }).idmap?.recursive, true);
  t.throws(() => mountRecord({ destination: '/x', type: 'bind', source: '/s', options: ['idmap'] }, '/'), /needs both/);
  t.throws(() => mountRecord({ destination: '/x', type: 'tmpfs', uidMappings: maps, gidMappings: maps }, '/'), /must be bind/);
  t.throws(() => mountRecord({ destination: '/x', source: 'foo' }, '/'), /no type/);
});

t.test('capabilities, rlimits: strict names, u64 infinity', async (t) => {
  t.equal(capabilityMask(['CAP_KILL', 'CAP_AUDIT_WRITE', 'CAP_NET_BIND_SERVICE']), 0x20000420n);
  t.equal(capabilityMask(['CAP_CHECKPOINT_RESTORE']), 1n << 40n);
  t.throws(() => capabilityMask(['CAP_NOPE']), /unknown capability "CAP_NOPE"/);
  t.equal(rlimitValue(18446744073709551615), (1n << 64n) - 1n);
  t.equal(rlimitValue(1024), 1024n);
  t.throws(() => rlimitValue(-1));
});

t.test('create config: namespaces user first, devices, links, process', async (t) => {
  const spec = defaultTestSpec(['sh', '-c', 'x']);
  spec.linux!.namespaces = [{ type: 'pid' }, { type: 'network', path: '/proc/1/ns/net' }, { type: 'user', path: '/proc/1/ns/user' }, { type: 'mount' }, { type: 'uts' }];
  spec.linux!.timeOffsets = { monotonic: { secs: 10, nanosecs: 5 } };
  const recs = records(buildInitConfig(spec, opts));
  const joins = recs.filter((r) => r.type === Rec.NS_JOIN).map((r) => [r.body.readUInt32LE(0), strings(r.body, 4)[0]]);
  t.same(joins, [
    [CLONE_FLAGS.user, '/proc/1/ns/user'],
    [CLONE_FLAGS.network, '/proc/1/ns/net'],
  ]);
  t.equal(recs.find((r) => r.type === Rec.NS_NEW)?.body.readUInt32LE(0), CLONE_FLAGS.pid | CLONE_FLAGS.mount | CLONE_FLAGS.uts);
  t.same(strings(recs.find((r) => r.type === Rec.TIMENS_OFFSETS)!.body), ['monotonic 10 5\n']);
  t.equal(recs.find((r) => r.type === Rec.IN_USERNS)?.body.readUInt32LE(0), 1);
  const devices = recs.filter((r) => r.type === Rec.DEVICE);
  t.same(devices.map((r) => strings(r.body, 32)[0]), ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
  t.ok(devices.every((r) => r.body.readUInt32LE(24) === 1), 'bound, not mknod, in a user namespace');
  t.ok(recs.some((r) => r.type === Rec.SYMLINK && strings(r.body).join(' ') === 'pts/ptmx /dev/ptmx'));
  t.same(recs.filter((r) => r.type === Rec.ARG).map((r) => strings(r.body)[0]), ['sh', '-c', 'x']);
  const user = recs.find((r) => r.type === Rec.USER)!.body;
  t.same([user.readUInt32LE(0), user.readUInt32LE(4), user.readUInt32LE(8), user.readUInt32LE(12)], [0, 0, 0xffffffff, 0]);
  const caps = recs.find((r) => r.type === Rec.CAPS)!.body;
  t.equal(caps.length, 48);
  t.equal(caps.readBigUInt64LE(0), 0x20000420n, 'bounding');
  t.equal(caps.readBigUInt64LE(16), 0n, 'inheritable stays empty');
  const rl = recs.find((r) => r.type === Rec.RLIMIT)!.body;
  t.same([rl.readUInt32LE(0), rl.readBigUInt64LE(8), rl.readBigUInt64LE(16)], [7, 1024n, 1024n]);
});

t.test('a /dev bind mount turns device setup off; exec mode joins by pid', async (t) => {
  const spec = defaultTestSpec();
  spec.mounts!.push({ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] });
  const recs = records(buildInitConfig(spec, opts));
  t.notOk(recs.some((r) => r.type === Rec.DEVICE || r.type === Rec.SYMLINK));
  const exec = records(buildInitConfig(defaultTestSpec(), { ...opts, mode: 'exec', joinPid: 42 }));
  t.same(
    exec.filter((r) => r.type === Rec.NS_JOIN).map((r) => strings(r.body, 4)[0]),
    ['pid', 'net', 'ipc', 'uts', 'mnt', 'cgroup'].map((n) => `/proc/42/ns/${n}`),
  );
  t.notOk(exec.some((r) => r.type === Rec.MOUNT || r.type === Rec.NS_NEW || r.type === Rec.NEW_KEYRING));
  t.throws(() => buildInitConfig(defaultTestSpec(), { ...opts, mode: 'exec' }), /pid/);
});

t.test('bad input is refused with the reason', async (t) => {
  const term = defaultTestSpec();
  term.process!.terminal = true;
  t.throws(() => buildInitConfig(term, opts), /console socket/);
  const dup = defaultTestSpec();
  dup.linux!.namespaces!.push({ type: 'pid' });
  t.throws(() => buildInitConfig(dup, opts), /listed twice/);
  const prop = defaultTestSpec();
  prop.linux!.rootfsPropagation = 'sideways';
  t.throws(() => buildInitConfig(prop, opts), /rootfsPropagation "sideways"/);
  const hook = defaultTestSpec();
  hook.hooks = { createContainer: [{ path: '/x', timeout: 0 }] };
  t.throws(() => buildInitConfig(hook, opts), /timeout/);
  const noUts = defaultTestSpec();
  noUts.linux!.namespaces = noUts.linux!.namespaces!.filter((ns) => ns.type !== 'uts');
  t.throws(() => buildInitConfig(noUts, opts), /private UTS namespace/);
  const seccomp = { flags: 0, bpf: Buffer.alloc(12), notify: false };
  t.throws(() => buildInitConfig(defaultTestSpec(), { ...opts, seccompBpf: seccomp }), /sock_filter/);
});
