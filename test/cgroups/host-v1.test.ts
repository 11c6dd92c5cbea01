// The cgroup manager on this host's v1 or hybrid hierarchy, with real
// processes: values land in the right files and memory, pids and the
// freezer are enforced. Skipped on pure cgroup v2 hosts (see v2.test.ts).
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectHierarchies } from '../../src/linux/cgroups/hierarchy.js';
import { openCgroupManager } from '../../src/linux/cgroups/manager.js';
import { cgroupAddon } from '../../src/linux/cgroups/addon.js';
import { setDevicesV2 } from '../../src/linux/cgroups/v2.js';
import { containerDeviceRules } from '../../src/linux/cgroups/devices.js';
import { collect, delay, gatedShell, read, testManager, uniqueId, waitUntil, DEVICE_PROBE } from './helpers.js';

// Run directly by node in the test VM (TCG: 15-25x slower): tap's 30 s default is too short.
if (process.env.TSRUNC_IN_VM) t.setTimeout(30 * 60 * 1000);

const h = detectHierarchies();
const skip = process.getuid?.() !== 0 ? 'needs root' : h.mode === 'v2' ? 'host is pure cgroup v2 (v2.test.ts covers it)' : false;

t.test('detects the hierarchy layout', { skip }, async (t) => {
  t.ok(h.v1.has('memory'), 'memory is a v1 controller here');
  if (h.mode === 'hybrid') {
    t.ok(h.unified, 'hybrid has a cgroup2 mount');
    t.notOk(h.unified?.controllers.includes('memory'), 'memory is not offered by the cgroup2 mount');
  }
});

t.test('paths: absolute, relative, default like runc', { skip }, async (t) => {
  const mem = h.v1.get('memory');
  t.ok(mem);
  if (!mem) return;
  const own = [...h.own.entries()].find(([k]) => k.split(',').includes('memory'))?.[1] ?? '/';
  const abs = openCgroupManager({ id: 'x', cgroupsPath: '/a/b' }).paths();
  t.equal(abs.memory, join(mem.mountPoint, 'a/b'));
  const rel = openCgroupManager({ id: 'x', cgroupsPath: '../../a/../b' }).paths();
  t.equal(rel.memory, join(mem.mountPoint, own, 'b'), 'relative to the runtime cgroup, never above it');
  const dflt = openCgroupManager({ id: 'ctr-1' }).paths();
  t.equal(dflt.memory, join(mem.mountPoint, own, 'ctr-1'), 'default: <own cgroup>/<id>');
  if (h.unified) t.equal(dflt[''], join(h.unified.mountPoint, h.own.get('') ?? '/', 'ctr-1'), 'unified dir in hybrid');
  const sd = openCgroupManager({ id: 'x', systemd: true, cgroupsPath: 'machine-a.slice:tsrunc:x' }).paths();
  t.equal(sd.memory, join(mem.mountPoint, '/machine.slice/machine-a.slice/tsrunc-x.scope'));
});

t.test('every v1 resource lands in its file', { skip }, async (t) => {
  const m = testManager(t, 'files');
  m.create();
  const p = m.paths();
  const sh = gatedShell(t, 'sleep 1000');
  m.apply(sh.pid);
  for (const dir of new Set(Object.values(p))) {
    t.ok(readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').includes(String(sh.pid)), `pid in ${dir}`);
  }
  const disk = readFileSync('/sys/block/vda/dev', 'utf8').trim();
  const [maj, min] = disk.split(':').map(Number) as [number, number];
  m.set({
    memory: { limit: 64 << 20, reservation: 32 << 20, swap: 96 << 20, swappiness: 30, disableOOMKiller: false, kernelTCP: 16 << 20 },
    cpu: { shares: 512, quota: 20000, period: 50000, burst: 1000, cpus: '0', mems: '0', idle: 0 },
    pids: { limit: 42 },
    blockIO: {
      throttleReadBpsDevice: [{ major: maj, minor: min, rate: 1048576 }],
      throttleWriteBpsDevice: [{ major: maj, minor: min, rate: 2097152 }],
      throttleReadIOPSDevice: [{ major: maj, minor: min, rate: 100 }],
      throttleWriteIOPSDevice: [{ major: maj, minor: min, rate: 200 }],
    },
    devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 11, access: 'r' }],
  });
  t.equal(read(p.memory!, 'memory.limit_in_bytes'), String(64 << 20));
  t.equal(read(p.memory!, 'memory.soft_limit_in_bytes'), String(32 << 20));
  t.equal(read(p.memory!, 'memory.memsw.limit_in_bytes'), String(96 << 20), 'swap is memory+swap on v1');
  t.equal(read(p.memory!, 'memory.swappiness'), '30');
  t.equal(read(p.memory!, 'memory.kmem.tcp.limit_in_bytes'), String(16 << 20));
  t.equal(read(p.cpu!, 'cpu.shares'), '512');
  t.equal(read(p.cpu!, 'cpu.cfs_quota_us'), '20000');
  t.equal(read(p.cpu!, 'cpu.cfs_period_us'), '50000');
  t.equal(read(p.cpu!, 'cpu.cfs_burst_us'), '1000');
  t.equal(read(p.cpu!, 'cpu.idle'), '0');
  t.equal(read(p.cpuset!, 'cpuset.cpus'), '0');
  t.equal(read(p.cpuset!, 'cpuset.mems'), '0');
  t.equal(read(p.pids!, 'pids.max'), '42');
  t.equal(read(p.blkio!, 'blkio.throttle.read_bps_device'), `${disk} 1048576`);
  t.equal(read(p.blkio!, 'blkio.throttle.write_bps_device'), `${disk} 2097152`);
  t.equal(read(p.blkio!, 'blkio.throttle.read_iops_device'), `${disk} 100`);
  t.equal(read(p.blkio!, 'blkio.throttle.write_iops_device'), `${disk} 200`);
  const list = read(p.devices!, 'devices.list').split('\n').sort();
  t.same(list, ['b *:* m', 'c *:* m', 'c 1:11 r', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 10:200 rwm', 'c 136:* rwm', 'c 5:0 rwm', 'c 5:2 rwm'].sort(), 'deny-all, the config rules, runc defaults');

  // Memory limit lowered under memsw, then raised above it: ordering handled.
  m.update({ memory: { limit: 32 << 20, swap: 32 << 20 } });
  t.equal(read(p.memory!, 'memory.memsw.limit_in_bytes'), String(32 << 20));
  m.update({ memory: { limit: 128 << 20, swap: 256 << 20 } });
  t.equal(read(p.memory!, 'memory.limit_in_bytes'), String(128 << 20));
  t.equal(read(p.memory!, 'memory.memsw.limit_in_bytes'), String(256 << 20));
  m.update({ pids: { limit: -1 } });
  t.equal(read(p.pids!, 'pids.max'), 'max');
  t.equal(read(p.devices!, 'devices.list').split('\n').length, 12, 'update without devices leaves the rules');

  sh.go(); // exec sleep: its pages are charged here
  await delay(100);
  t.throws(() => m.update({ memory: { limit: 4096, checkBeforeUpdate: true } }), /lower than the current usage/);
  t.equal(read(p.memory!, 'memory.limit_in_bytes'), String(128 << 20), 'limit unchanged');
  m.update({ memory: { disableOOMKiller: true } });
  t.match(read(p.memory!, 'memory.oom_control'), /oom_kill_disable 1/);

  const st = m.stats();
  t.equal(st.pids.current, 1, 'stats: one process');
  t.equal(st.pids.limit, 0, 'stats: unlimited pids');
  t.equal(st.memory.usage.limit, 128 << 20, 'stats: memory limit');
  t.same(st.cpuset.cpus, [0]);
  t.same(m.pids(), [sh.pid], 'pids() lists the process');
});

const cpuMount = h.v1.get('cpu')?.mountPoint;
t.test('realtime cpu limits land in their files', { skip: skip || ((!cpuMount || !existsSync(join(cpuMount, 'cpu.rt_runtime_us'))) && 'no RT group scheduling') }, async (t) => {
  const m = testManager(t, 'rt');
  m.create();
  m.set({ cpu: { realtimePeriod: 500000, realtimeRuntime: 1000 } });
  t.equal(read(m.paths().cpu!, 'cpu.rt_period_us'), '500000');
  t.equal(read(m.paths().cpu!, 'cpu.rt_runtime_us'), '1000');
});

t.test('hugetlb: every page size, in whichever hierarchy has it', { skip }, async (t) => {
  const m = testManager(t, 'hugetlb');
  m.create();
  const sizes = readdirSizes();
  m.set({ hugepageLimits: sizes.map((s, i) => ({ pageSize: s, limit: (i + 1) * 2 * 1024 * 1024 * 1024 })) });
  const p = m.paths();
  const dir = p.hugetlb ?? p[''];
  t.ok(dir);
  const v2 = p.hugetlb === undefined;
  sizes.forEach((s, i) => {
    const file = v2 ? `hugetlb.${s}.max` : `hugetlb.${s}.limit_in_bytes`;
    t.equal(read(dir!, file), String((i + 1) * 2 * 1024 * 1024 * 1024), file);
  });
  t.ok(m.stats().hugetlb[sizes[0]!] !== undefined, 'stats list hugetlb sizes');
});

function readdirSizes(): string[] {
  const out: string[] = [];
  for (const d of ['hugepages-2048kB', 'hugepages-1048576kB']) if (existsSync(`/sys/kernel/mm/hugepages/${d}`)) out.push(d === 'hugepages-2048kB' ? '2MB' : '1GB');
  return out;
}

t.test('net_cls / net_prio (v1 only)', { skip: skip || (!h.v1.has('net_cls') && !h.v1.has('net_prio') && 'host mounts neither net_cls nor net_prio') }, async (t) => {
  const m = testManager(t, 'net');
  m.create();
  const p = m.paths();
  if (h.v1.has('net_cls')) {
    m.set({ network: { classID: 0x100001 } });
    t.equal(read(p.net_cls!, 'net_cls.classid'), String(0x100001));
  }
  if (h.v1.has('net_prio')) {
    m.set({ network: { priorities: [{ name: 'lo', priority: 5 }] } });
    t.match(read(p.net_prio!, 'net_prio.ifpriomap'), /^lo 5$/m);
  }
});

t.test('rdma limits reach rdma.max (refused here: no such HCA)', { skip: skip || (!h.v1.has('rdma') && 'no v1 rdma controller') }, async (t) => {
  const m = testManager(t, 'rdma');
  m.create();
  t.throws(() => m.set({ rdma: { nosuchhca: { hcaHandles: 2, hcaObjects: 10 } } }), /rdma\.max/);
});

t.test('resources the host lacks fail with a clear error', { skip }, async (t) => {
  const m = testManager(t, 'missing');
  m.create();
  if (!h.v1.has('net_cls')) t.throws(() => m.set({ network: { classID: 0x100001 } }), /net_cls controller/);
  if (!h.v1.has('rdma') && !h.unified?.controllers.includes('rdma')) t.throws(() => m.set({ rdma: { mlx5_0: { hcaHandles: 3 } } }), /rdma controller/);
  t.throws(() => m.update({ unified: { 'memory.max': '1000000' } }), h.mode === 'v1' ? /needs cgroup v2/ : /cgroup v1 hierarchy/);
  if (h.mode === 'hybrid' && h.unified?.controllers.includes('hugetlb')) {
    m.update({ unified: { 'hugetlb.2MB.max': '4194304' } });
    t.equal(read(m.paths()['']!, 'hugetlb.2MB.max'), '4194304', 'hybrid: unified keys for controllers on the cgroup2 mount');
  }
  t.throws(() => m.update({ memory: { swappiness: 101 } }), /valid range is 0-100/);
});

t.test('memory limit is enforced: an allocation over it is OOM-killed', { skip }, async (t) => {
  const m = testManager(t, 'oom');
  m.create();
  m.set({ memory: { limit: 32 << 20, swap: 32 << 20 } });
  const sh = gatedShell(t, "exec python3 -c 'b = bytearray(256 << 20); b[::4096] = b\"x\" * len(b[::4096]); print(\"survived\")'");
  const out = collect(sh.child);
  m.apply(sh.pid);
  sh.go();
  const r = await sh.exited;
  t.equal(r.signal, 'SIGKILL', `killed by the OOM killer (output: ${out()})`);
  t.ok(await waitUntil(() => m.oomKillCount() >= 1, 2000), 'oom_kill counted');
});

t.test('pids.max is enforced: a fork bomb stops at the limit', { skip }, async (t) => {
  const m = testManager(t, 'pids');
  m.create();
  m.set({ pids: { limit: 10 } });
  // Bounded "bomb": 200 background forks; only 10 tasks may exist.
  const sh = gatedShell(t, 'i=0; while [ $i -lt 200 ]; do sleep 1000 & i=$((i+1)); done; echo done; sleep 1000');
  const out = collect(sh.child);
  m.apply(sh.pid);
  sh.go();
  t.ok(await waitUntil(() => out().includes('done') || out().includes("can't fork"), 20000), 'the loop ran');
  await delay(200);
  const pids = m.pids();
  t.ok(pids.length <= 10 && pids.length >= 5, `tasks capped at pids.max (${pids.length})`);
  t.match(out(), /fork|Resource temporarily unavailable/i, 'fork failed with EAGAIN');
  t.ok(Number(read(m.paths().pids!, 'pids.events').split(' ')[1]) > 0, 'pids.events max > 0');
  m.killAll('SIGKILL');
  t.ok(await waitUntil(() => m.pids().length === 0, 5000), 'killAll empties the cgroup');
});

t.test('freeze stops progress, thaw resumes it', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-freeze-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const m = testManager(t, 'freeze');
  m.create();
  const sh = gatedShell(t, `i=0; while :; do i=$((i+1)); echo $i > ${dir}/n.tmp && mv ${dir}/n.tmp ${dir}/n; done`);
  m.apply(sh.pid);
  sh.go();
  const count = (): number => Number(readFileSync(join(dir, 'n'), 'utf8').trim() || '0');
  t.ok(await waitUntil(() => existsSync(join(dir, 'n')) && count() > 10, 10000), 'running');
  m.freeze();
  t.ok(m.isFrozen(), 'frozen');
  const a = count();
  await delay(500);
  t.equal(count(), a, 'no progress while frozen');
  m.thaw();
  t.notOk(m.isFrozen(), 'thawed');
  t.ok(await waitUntil(() => count() > a, 5000), 'progress after thaw');
});

t.test('v1 device rules are enforced', { skip: skip || (!h.v1.has('devices') && 'no v1 devices controller') }, async (t) => {
  const m = testManager(t, 'devices');
  m.create();
  m.set({ devices: [{ allow: false, access: 'rwm' }] });
  const sh = gatedShell(t, DEVICE_PROBE);
  const out = collect(sh.child);
  m.apply(sh.pid);
  sh.go();
  await sh.closed;
  t.match(out(), /null-ok/, 'default rule allows /dev/null');
  t.match(out(), /kmsg-rc=1/, '/dev/kmsg (1:11) denied');
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

t.test('cgroup2 device eBPF program: load, replace, enforce', { skip: skip || (!h.unified && 'no cgroup2 mount') }, async (t) => {
  const m = testManager(t, 'bpf');
  m.create();
  const dir = m.paths()['']!;
  const rules = containerDeviceRules([{ allow: false, access: 'rwm' }], undefined);
  setDevicesV2(dir, rules);
  const first = cgroupAddon().bpfDevicesQuery(dir);
  t.equal(first.length, 1, 'one program attached');
  setDevicesV2(dir, rules);
  const second = cgroupAddon().bpfDevicesQuery(dir);
  t.equal(second.length, 1, 'still one after replacing');
  t.not(second[0], first[0], 'and it is the new one');
  const sh = gatedShell(t, DEVICE_PROBE);
  const out = collect(sh.child);
  // Only into the cgroup2 directory: the program alone decides.
  writeFileSync(join(dir, 'cgroup.procs'), String(sh.pid));
  sh.go();
  await sh.closed;
  t.match(out(), /null-ok/, 'allowed by the program');
  t.match(out(), /kmsg-rc=1/, 'denied by the program');
  t.match(out(), /kmsg.*not permitted/, 'EPERM');
});

t.test('destroy removes only what create made', { skip }, async (t) => {
  // The container's cgroup exists before (as when placed in a cgroup an engine made).
  const id = uniqueId('existing');
  const pre = openCgroupManager({ id, cgroupsPath: `/${id}` });
  pre.create();
  t.teardown(() => pre.destroy());
  const m = openCgroupManager({ id, cgroupsPath: `/${id}` });
  m.create();
  t.same(m.createdDirs(), [], 'nothing created: it all existed');
  m.destroy();
  for (const d of Object.values(pre.paths())) t.ok(existsSync(d), `${d} kept`);

  // A child under an existing parent: only the child goes; restored from state.
  const child = openCgroupManager({ id: 'c', cgroupsPath: `/${id}/child` });
  child.create();
  const created = child.createdDirs();
  t.equal(created.length, new Set(Object.values(child.paths())).size, 'one dir per hierarchy');
  const fromState = openCgroupManager({ id: 'c', cgroupsPath: `/${id}/child`, createdDirs: created });
  fromState.destroy();
  for (const d of created) t.notOk(existsSync(d), `${d} removed`);
  for (const d of Object.values(pre.paths())) t.ok(existsSync(d), `${d} still there`);
});

t.test('a failed set leaves no cgroup behind after destroy; a failed create cleans itself', { skip }, async (t) => {
  const id = uniqueId('fail');
  const m = openCgroupManager({ id, cgroupsPath: `/${id}/nested` });
  m.create();
  t.throws(() => m.set({ cpu: { shares: 1 << 30 } }), /cpu-shares/);
  m.destroy();
  const mem = h.v1.get('memory')!.mountPoint;
  t.notOk(existsSync(join(mem, id)), 'parent it created is gone too');
  // create() failing half-way: the cgroup2 parent allows no descendants,
  // so its mkdir fails after the v1 directories were made.
  if (h.unified) {
    const id2 = uniqueId('fail2');
    const parent = join(h.unified.mountPoint, id2);
    mkdirSync(parent);
    t.teardown(() => rmdirSync(parent));
    writeFileSync(join(parent, 'cgroup.max.descendants'), '0');
    const m2 = openCgroupManager({ id: id2, cgroupsPath: `/${id2}/c` });
    t.throws(() => m2.create(), /mkdir/);
    t.same(m2.createdDirs(), [], 'nothing recorded');
    for (const [c, d] of Object.entries(m2.paths())) {
      if (c === '') continue;
      t.notOk(existsSync(d), `${d} not left behind`);
      t.notOk(existsSync(join(d, '..')), `${join(d, '..')} not left behind`);
    }
  }
});
