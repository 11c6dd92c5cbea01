// Pure functions: runc's v1→v2 conversions, device rule semantics and the
// eBPF program (run through an interpreter of its instruction subset),
// cgroup path cleaning and systemd slice expansion.
import t from 'tap';
import { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2 } from '../../src/linux/cgroups/convert.js';
import { containerDeviceRules, deviceFilterProgram, emulateDeviceRules, evaluateDeviceProgram, ruleFromSpec, v1DeviceWrites } from '../../src/linux/cgroups/devices.js';
import { cleanCgroupPath, expandSlice, systemdInnerPath } from '../../src/linux/cgroups/paths.js';
import { parseOwnCgroups, detectHierarchies } from '../../src/linux/cgroups/hierarchy.js';

t.test('cpu shares → weight (runc 1.3 formula)', async (t) => {
  t.equal(cpuSharesToWeight(0), 0, 'unset');
  t.equal(cpuSharesToWeight(2), 1, 'min');
  t.equal(cpuSharesToWeight(1024), 100, 'default maps to default');
  t.equal(cpuSharesToWeight(262144), 10000, 'max');
  t.equal(cpuSharesToWeight(512), 59);
  t.equal(cpuSharesToWeight(3), 2, 'just above the minimum');
  t.equal(cpuSharesToWeight(262143), 10000, 'just below the maximum');
  t.equal(cpuSharesToWeight(1), 1, 'below the minimum');
  t.equal(cpuSharesToWeight(1 << 20), 10000, 'clamped');
});

t.test('blkio weight → io.weight', async (t) => {
  t.equal(blkioWeightToIoWeight(0), 0);
  t.equal(blkioWeightToIoWeight(10), 1);
  t.equal(blkioWeightToIoWeight(500), 4950);
  t.equal(blkioWeightToIoWeight(1000), 10000);
});

t.test('memory+swap → swap.max', async (t) => {
  t.equal(memorySwapToV2(0, -1), -1, 'unlimited memory, unset swap: unlimited');
  t.equal(memorySwapToV2(-1, 100), -1);
  t.equal(memorySwapToV2(0, 100), 0);
  t.equal(memorySwapToV2(300, 100), 200);
  t.equal(memorySwapToV2(100, 100), 0, 'no swap');
  t.equal(memorySwapToV2(300, -1), 300);
  t.throws(() => memorySwapToV2(300, 0), /without memory limit/);
  t.throws(() => memorySwapToV2(50, 100), /should be >= memory limit/);
});

t.test('device rules: config order, runc defaults, v1 text', async (t) => {
  const rules = containerDeviceRules([{ allow: false, access: 'rwm' }, { allow: true, type: 'b', major: 8, access: 'r' }], [{ path: '/dev/null', type: 'c', major: 1, minor: 3 }]);
  const writes = v1DeviceWrites(rules);
  t.same(writes.slice(0, 3), [['devices.deny', 'a *:* rwm'], ['devices.deny', 'a *:* rwm'], ['devices.allow', 'b 8:* r']]);
  t.notOk(writes.some(([, l]) => l === 'c 1:3 rwm'), '/dev/null default dropped: linux.devices redefines it');
  t.ok(writes.some(([, l]) => l === 'c 136:* rwm'), 'pts default kept');
  t.throws(() => ruleFromSpec({ allow: true, access: '' }, 0), /access cannot be empty/);
  t.throws(() => ruleFromSpec({ allow: true, type: 'x', access: 'r' }, 2), /devices\[2\]: invalid device type/);
  t.throws(() => ruleFromSpec({ allow: true, access: 'rx' }, 0), /invalid device access/);
});

t.test('device emulation follows the v1 kernel semantics', async (t) => {
  const set = emulateDeviceRules([
    { allow: true, type: 'a', major: -1, minor: -1, access: 'rwm' },
    { allow: false, type: 'c', major: 1, minor: 3, access: 'w' },
  ]);
  t.equal(set.defaultAllow, true);
  t.same(set.exceptions, [{ allow: false, type: 'c', major: 1, minor: 3, access: 'w' }]);
  const narrowed = emulateDeviceRules([
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
    { allow: false, type: 'c', major: 1, minor: 3, access: 'w' },
  ]);
  t.same(narrowed.exceptions, [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rm' }], 'deny removes access from the allow');
});

t.test('eBPF device program decides like the rules', async (t) => {
  const rules = containerDeviceRules([{ allow: false, access: 'rwm' }, { allow: true, type: 'b', major: 8, minor: 0, access: 'r' }], undefined);
  const prog = deviceFilterProgram(rules);
  t.equal(prog.length % 8, 0);
  const ev = (type: 'c' | 'b', ma: number, mi: number, acc: string): boolean => evaluateDeviceProgram(prog, type, ma, mi, acc);
  t.ok(ev('c', 1, 3, 'rw'), '/dev/null rw');
  t.ok(ev('c', 136, 4, 'rw'), 'pts any minor');
  t.ok(ev('c', 99, 1, 'm'), 'mknod of any char device');
  t.notOk(ev('c', 99, 1, 'r'), 'but not read');
  t.ok(ev('b', 8, 0, 'r'), 'block 8:0 read');
  t.notOk(ev('b', 8, 0, 'rw'), 'not write');
  t.notOk(ev('b', 8, 1, 'r'), 'other minor');
  t.notOk(ev('c', 1, 11, 'r'), '/dev/kmsg denied');
  const allowAll = deviceFilterProgram(containerDeviceRules([{ allow: true, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 11, access: 'w' }], undefined));
  t.ok(evaluateDeviceProgram(allowAll, 'c', 200, 1, 'rwm'), 'privileged: anything');
  t.notOk(evaluateDeviceProgram(allowAll, 'c', 1, 11, 'w'), 'except the denied write');
  t.ok(evaluateDeviceProgram(allowAll, 'c', 1, 11, 'r'), 'read of it is still allowed');
});

t.test('cgroup paths: cleaned, never above the root', async (t) => {
  t.equal(cleanCgroupPath('/a/../../b/'), '/b');
  t.equal(cleanCgroupPath('../../x/./y'), 'x/y');
  t.equal(cleanCgroupPath(''), '');
  t.equal(expandSlice('-.slice'), '/');
  t.equal(expandSlice('a-b-c.slice'), '/a.slice/a-b.slice/a-b-c.slice');
  t.throws(() => expandSlice('a--b.slice'), /invalid systemd slice/);
  t.equal(systemdInnerPath('system.slice:docker:abc', 'abc', false), '/system.slice/docker-abc.scope');
  t.equal(systemdInnerPath(undefined, 'x', false), '/system.slice/tsrunc-x.scope');
  t.throws(() => systemdInnerPath('a:b', 'x', false), /slice:prefix:name/);
});

t.test('hierarchy detection from mountinfo text', async (t) => {
  const v1Only = '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
  const h = detectHierarchies(v1Only, '4:memory:/docker/abc/inner\n2:cpu,cpuacct:/\n');
  t.equal(h.mode, 'v1');
  t.equal(h.v1.get('cpuacct')?.mountPoint, '/sys/fs/cgroup/cpu,cpuacct');
  t.equal(h.v1.get('memory')?.root, '/docker/abc');
  t.same(parseOwnCgroups('0::/a/b\n'), new Map([['', '/a/b']]));
  const v2 = detectHierarchies('41 23 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', '0::/user.slice\n');
  t.equal(v2.mode, 'v2');
  t.throws(() => detectHierarchies('1 0 0:1 / / rw - ext4 /dev/vda rw\n', ''), /no cgroup hierarchy/);
});

t.test('the container cgroup mount, as runc builds it', async (t) => {
  const { cgroupMountSteps } = await import('../../src/linux/cgroups/mounts.js');
  const v1 = detectHierarchies(
    '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n',
    '0::/\n',
  );
  const paths = { cpu: '/sys/fs/cgroup/cpu,cpuacct/c1', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/c1', memory: '/sys/fs/cgroup/memory/c1', 'name=systemd': '/sys/fs/cgroup/systemd/c1', '': '/sys/fs/cgroup/unified/c1' };
  t.same(cgroupMountSteps(v1, paths, '/sys/fs/cgroup', false), [
    { kind: 'tmpfs', destination: '/sys/fs/cgroup', data: 'mode=755' },
    { kind: 'bind', source: '/sys/fs/cgroup/cpu,cpuacct/c1', destination: '/sys/fs/cgroup/cpu,cpuacct', recursive: true },
    { kind: 'bind', source: '/sys/fs/cgroup/memory/c1', destination: '/sys/fs/cgroup/memory', recursive: true },
    { kind: 'bind', source: '/sys/fs/cgroup/systemd/c1', destination: '/sys/fs/cgroup/systemd', recursive: true },
    { kind: 'symlink', target: 'cpu,cpuacct', path: '/sys/fs/cgroup/cpu' },
    { kind: 'symlink', target: 'cpu,cpuacct', path: '/sys/fs/cgroup/cpuacct' },
  ], 'no cgroupns: binds of the container cgroups, no cgroup2 mount on hybrid');
  const ns = cgroupMountSteps(v1, paths, '/sys/fs/cgroup', true);
  t.same(ns.filter((s) => s.kind === 'cgroup'), [
    { kind: 'cgroup', source: 'cgroup', destination: '/sys/fs/cgroup/cpu,cpuacct', data: 'cpu,cpuacct' },
    { kind: 'cgroup', source: 'cgroup', destination: '/sys/fs/cgroup/memory', data: 'memory' },
    { kind: 'cgroup', source: 'systemd', destination: '/sys/fs/cgroup/systemd', data: 'name=systemd' },
  ], 'cgroupns: fresh mounts');
  const v2 = detectHierarchies('41 23 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', '0::/\n');
  t.same(cgroupMountSteps(v2, { '': '/sys/fs/cgroup/c1' }, '/sys/fs/cgroup', true), [{ kind: 'cgroup2', destination: '/sys/fs/cgroup', fallbackBindSource: '/sys/fs/cgroup/c1' }]);
  t.same(cgroupMountSteps(v2, { '': '/sys/fs/cgroup/c1' }, '/sys/fs/cgroup', false), [{ kind: 'cgroup2', destination: '/sys/fs/cgroup', fallbackBindSource: '/sys/fs/cgroup' }]);
});
