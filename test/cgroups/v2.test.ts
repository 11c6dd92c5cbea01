// The cgroup manager on a pure cgroup v2 hierarchy, with real processes.
// Runs in the test VM (npm run test:v2 → test/vm/run-in-vm.sh); skipped on
// hosts that are not pure v2, such as the hybrid development machines.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectHierarchies } from '../../src/linux/cgroups/hierarchy.js';
import { openCgroupManager } from '../../src/linux/cgroups/manager.js';
import { cgroupAddon } from '../../src/linux/cgroups/addon.js';
import { collect, delay, gatedShell, read, testManager, uniqueId, waitUntil, DEVICE_PROBE } from './helpers.js';

// Run directly by node in the test VM (TCG: 15-25x slower): tap's 30 s default is too short.
if (process.env.TSRUNC_IN_VM) t.setTimeout(30 * 60 * 1000);

const h = detectHierarchies();
const skip = process.getuid?.() !== 0 ? 'needs root' : h.mode !== 'v2' ? `host cgroups are ${h.mode}, not pure v2 (run: npm run test:v2)` : false;
// Everything is 15-25x slower under TCG.
const slow = process.env.TSRUNC_IN_VM ? 20 : 1;

t.test('pure v2: one directory, default path under the parent of our cgroup', { skip }, async (t) => {
  const root = h.unified!.mountPoint;
  const own = h.own.get('') ?? '/';
  const parent = own === '/' ? '/' : own.slice(0, own.lastIndexOf('/')) || '/';
  t.same(openCgroupManager({ id: 'ctr' }).paths(), { '': join(root, parent, 'ctr') });
  t.same(openCgroupManager({ id: 'ctr', cgroupsPath: '/a/b' }).paths(), { '': join(root, 'a/b') });
  for (const c of ['cpu', 'memory', 'pids', 'io', 'cpuset', 'hugetlb']) t.ok(h.unified!.controllers.includes(c), `${c} available`);
});

function blockDevice(): string | undefined {
  for (const d of ['vda', 'vdb', 'sda']) if (existsSync(`/sys/block/${d}/dev`)) return readFileSync(`/sys/block/${d}/dev`, 'utf8').trim();
  return undefined;
}

t.test('every v2 resource lands in its file, converted as runc does', { skip }, async (t) => {
  const m = testManager(t, 'files');
  m.create();
  const dir = m.paths()['']!;
  const sh = gatedShell(t, 'sleep 1000');
  m.apply(sh.pid);
  t.ok(read(dir, 'cgroup.procs').split('\n').includes(String(sh.pid)), 'pid in the cgroup');
  sh.go(); // exec sleep: its pages are charged here
  m.set({
    memory: { limit: 64 << 20, reservation: 32 << 20, swap: 96 << 20, swappiness: 30, disableOOMKiller: true },
    cpu: { shares: 512, quota: 20000, period: 50000, burst: 1000, cpus: '0', mems: '0', idle: 0 },
    pids: { limit: 42 },
    hugepageLimits: [{ pageSize: '2MB', limit: 4 << 20 }],
    unified: { 'memory.high': '50331648' },
  });
  t.equal(read(dir, 'memory.max'), String(64 << 20));
  t.equal(read(dir, 'memory.low'), String(32 << 20));
  if (existsSync(join(dir, 'memory.swap.max'))) t.equal(read(dir, 'memory.swap.max'), String(32 << 20), 'swap.max = memsw - memory');
  t.equal(read(dir, 'cpu.weight'), '59', 'shares 512 → weight 59');
  t.equal(read(dir, 'cpu.max'), '20000 50000');
  if (existsSync(join(dir, 'cpu.max.burst'))) t.equal(read(dir, 'cpu.max.burst'), '1000');
  t.equal(read(dir, 'cpu.idle'), '0');
  t.equal(read(dir, 'cpuset.cpus'), '0');
  t.equal(read(dir, 'cpuset.mems'), '0');
  t.equal(read(dir, 'pids.max'), '42');
  t.equal(read(dir, 'hugetlb.2MB.max'), String(4 << 20));
  if (existsSync(join(dir, 'hugetlb.2MB.rsvd.max'))) t.equal(read(dir, 'hugetlb.2MB.rsvd.max'), String(4 << 20));
  t.equal(read(dir, 'memory.high'), '50331648', 'unified key written as given');
  t.equal(cgroupAddon().bpfDevicesQuery(dir).length, 1, 'device program attached');

  m.update({ memory: { limit: -1 } });
  t.equal(read(dir, 'memory.max'), 'max');
  if (existsSync(join(dir, 'memory.swap.max'))) t.equal(read(dir, 'memory.swap.max'), 'max', 'unlimited memory, unset swap → both max');
  m.update({ cpu: { quota: -1 } });
  t.equal(read(dir, 'cpu.max'), 'max 100000');
  m.update({ pids: { limit: 0 } });
  t.equal(read(dir, 'pids.max'), '1', '0 becomes 1 as in runc');
  t.throws(() => m.update({ cpu: { realtimeRuntime: 1000 } }), /not supported on cgroup v2/);
  t.throws(() => m.update({ network: { classID: 1 } }), /net_cls/);
  t.throws(() => m.update({ unified: { 'nosuch.file': '1' } }), /controller "nosuch" not available/);
  t.throws(() => m.update({ memory: { limit: 4096, checkBeforeUpdate: true } }), /lower than the current usage/);

  const dev = blockDevice();
  if (dev) {
    const [major, minor] = dev.split(':').map(Number) as [number, number];
    m.update({
      blockIO: {
        throttleReadBpsDevice: [{ major, minor, rate: 1048576 }],
        throttleWriteBpsDevice: [{ major, minor, rate: 2097152 }],
        throttleReadIOPSDevice: [{ major, minor, rate: 100 }],
        throttleWriteIOPSDevice: [{ major, minor, rate: 200 }],
      },
    });
    t.match(read(dir, 'io.max'), new RegExp(`^${dev} rbps=1048576 wbps=2097152 riops=100 wiops=200$`, 'm'));
    if (existsSync(join(dir, 'io.bfq.weight'))) {
      m.update({ blockIO: { weight: 500 } });
      t.match(read(dir, 'io.bfq.weight'), /default 500/, 'BFQ takes the v1 weight as is');
    } else if (existsSync(join(dir, 'io.weight'))) {
      m.update({ blockIO: { weight: 500 } });
      t.match(read(dir, 'io.weight'), /default 4950/, 'io.weight gets the converted weight');
    } else {
      t.throws(() => m.update({ blockIO: { weight: 500 } }), /io.weight/);
    }
  } else {
    t.comment('no block device in this VM: io.max not tested');
  }

  const st = m.stats();
  t.equal(st.pids.current, 1);
  t.equal(st.pids.limit, 1);
  t.ok((st.memory.usage.usage ?? 0) > 0, 'memory usage');
  t.ok((st.cpu.usage.total ?? -1) >= 0, 'cpu usage');
  t.same(m.pids(), [sh.pid]);
});

t.test('rdma limits: written or refused by the kernel with the file named', { skip: skip || (!h.unified?.controllers.includes('rdma') && 'no rdma controller') }, async (t) => {
  const m = testManager(t, 'rdma');
  m.create();
  t.throws(() => m.set({ rdma: { nosuchhca: { hcaHandles: 2, hcaObjects: 10 } } }), /rdma\.max/, 'no such HCA here');
});

t.test('memory.max is enforced: OOM kill', { skip }, async (t) => {
  const m = testManager(t, 'oom');
  m.create();
  m.set({ memory: { limit: 32 << 20, swap: 32 << 20 } });
  const sh = gatedShell(t, "exec python3 -c 'b = bytearray(256 << 20); b[::4096] = b\"x\" * len(b[::4096]); print(\"survived\")'");
  const out = collect(sh.child);
  m.apply(sh.pid);
  sh.go();
  const r = await sh.exited;
  t.equal(r.signal, 'SIGKILL', `OOM-killed (output: ${out()})`);
  t.ok(await waitUntil(() => m.oomKillCount() >= 1, 2000 * slow), 'memory.events oom_kill');
});

t.test('pids.max is enforced: a fork bomb stops at the limit', { skip }, async (t) => {
  const m = testManager(t, 'pids');
  m.create();
  m.set({ pids: { limit: 10 } });
  const sh = gatedShell(t, 'i=0; while [ $i -lt 200 ]; do sleep 1000 & i=$((i+1)); done; echo done; sleep 1000');
  const out = collect(sh.child);
  m.apply(sh.pid);
  sh.go();
  t.ok(await waitUntil(() => out().includes('done') || out().includes("can't fork"), 20000 * slow), 'the loop ran');
  await delay(200 * slow);
  const n = m.pids().length;
  t.ok(n <= 10 && n >= 5, `tasks capped at pids.max (${n})`);
  t.match(read(m.paths()['']!, 'pids.events'), /^max [1-9]/m, 'pids.events max counted');
  m.killAll('SIGKILL');
  t.ok(await waitUntil(() => m.pids().length === 0, 5000 * slow), 'cgroup.kill empties the cgroup');
});

t.test('cgroup.freeze stops progress', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-freeze-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = testManager(t, 'freeze');
  m.create();
  const sh = gatedShell(t, `i=0; while :; do i=$((i+1)); echo $i > ${dir}/n.tmp && mv ${dir}/n.tmp ${dir}/n; done`);
  m.apply(sh.pid);
  sh.go();
  const count = (): number => Number(readFileSync(join(dir, 'n'), 'utf8').trim() || '0');
  t.ok(await waitUntil(() => existsSync(join(dir, 'n')) && count() > 10, 10000 * slow), 'running');
  m.freeze();
  t.ok(m.isFrozen(), 'frozen (cgroup.events)');
  const a = count();
  await delay(300 * slow);
  t.equal(count(), a, 'no progress while frozen');
  m.thaw();
  t.notOk(m.isFrozen(), 'thawed');
  t.ok(await waitUntil(() => count() > a, 5000 * slow), 'progress after thaw');
});

t.test('device eBPF program is enforced and replaced', { skip }, async (t) => {
  const m = testManager(t, 'devices');
  m.create();
  m.set({ devices: [{ allow: false, access: 'rwm' }] });
  const dir = m.paths()['']!;
  const first = cgroupAddon().bpfDevicesQuery(dir);
  m.update({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 11, access: 'r' }] });
  const second = cgroupAddon().bpfDevicesQuery(dir);
  t.equal(second.length, 1, 'one program after update');
  t.not(second[0], first[0], 'the new one');
  m.update({ devices: [{ allow: false, access: 'rwm' }] });
  const sh = gatedShell(t, DEVICE_PROBE);
  const out = collect(sh.child);
  m.apply(sh.pid);
  sh.go();
  await sh.closed;
  t.match(out(), /null-ok/, 'runc default allows /dev/null');
  t.match(out(), /kmsg-rc=1/, '/dev/kmsg denied');
  t.match(out(), /kmsg.*not permitted/, 'EPERM');
  // Control: the same probe once a rule allows reading /dev/kmsg.
  m.update({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 11, access: 'r' }] });
  const sh2 = gatedShell(t, DEVICE_PROBE);
  const out2 = collect(sh2.child);
  m.apply(sh2.pid);
  sh2.go();
  await sh2.closed;
  t.match(out2(), /kmsg-rc=0/, 'allowed once a rule says so');
});

t.test('destroy removes only created dirs; failed create leaves nothing', { skip }, async (t) => {
  const id = uniqueId('existing');
  const pre = openCgroupManager({ id, cgroupsPath: `/${id}` });
  pre.create();
  t.teardown(() => pre.destroy());
  const same = openCgroupManager({ id, cgroupsPath: `/${id}` });
  same.create();
  t.same(same.createdDirs(), []);
  same.destroy();
  t.ok(existsSync(pre.paths()['']!), 'pre-existing cgroup kept');
  const child = openCgroupManager({ id: 'c', cgroupsPath: `/${id}/child` });
  child.create();
  t.same(child.createdDirs(), [child.paths()['']]);
  openCgroupManager({ id: 'c', cgroupsPath: `/${id}/child`, createdDirs: child.createdDirs() }).destroy();
  t.notOk(existsSync(child.paths()['']!), 'child removed');
  t.ok(existsSync(pre.paths()['']!), 'parent kept');

  const id2 = uniqueId('fail');
  const parent = join(h.unified!.mountPoint, id2);
  mkdirSync(parent);
  t.teardown(() => rmdirSync(parent));
  writeFileSync(join(parent, 'cgroup.max.descendants'), '0');
  const bad = openCgroupManager({ id: 'x', cgroupsPath: `/${id2}/a/b` });
  t.throws(() => bad.create(), /mkdir/);
  t.notOk(existsSync(join(parent, 'a')), 'nothing left behind');
  t.same(bad.createdDirs(), []);
});
