// cgroups of real containers through the CLI: resources land in the files
// and `update` changes them (merging with earlier updates), pause/resume
// freeze the container, events (--stats, OOM), ps, kill --all, delete
// removes only what create made, a failed create leaves no cgroup, and the
// `cgroup` mount inside the container (cgroup namespace, read-only unless
// "rw"). Works on v1/hybrid hosts and, in the test VM, on pure v2.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../lib/bundle.js';
import { Runtime, TSRUNC } from '../lib/runtime.js';
import { detectHierarchies } from '../../src/linux/cgroups/hierarchy.js';
import type { Spec } from '../../src/spec/types.js';
import { delay, uniqueId, waitUntil } from './helpers.js';

// Run directly by node in the test VM (TCG: much slower), or by tap here.
t.setTimeout((process.env.TSRUNC_IN_VM ? 30 : 5) * 60 * 1000);
const slow = process.env.TSRUNC_IN_VM ? 20 : 1;

const h = detectHierarchies();
const v2 = h.mode === 'v2';
const skip = process.getuid?.() !== 0 ? 'needs root' : false;

function setup(t: Test, args: string[], edit?: (s: Spec) => void) {
  const rt = new Runtime();
  const bundle = makeBundle(args, edit);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  return { rt, bundle };
}

interface Stored {
  cgroup: { paths: Record<string, string>; createdDirs: string[] };
}
const stored = (rt: Runtime, id: string): Stored => JSON.parse(readFileSync(join(rt.root, id, 'state.json'), 'utf8')) as Stored;

/** The container's file for a controller: v1 name on v1/hybrid, v2 name on v2. */
function cgFile(rt: Runtime, id: string, controller: string, v1file: string, v2file: string): string {
  const paths = stored(rt, id).cgroup.paths;
  return v2 ? join(paths['']!, v2file) : join(paths[controller]!, v1file);
}
const readCg = (rt: Runtime, id: string, c: string, f1: string, f2: string): string => readFileSync(cgFile(rt, id, c, f1, f2), 'utf8').trim();

/** Every hierarchy's mount point this host manages (v1 ones, or the v2 one). */
function mountPoints(): string[] {
  const v1 = [...new Set([...h.v1.values()].map((x) => x.mountPoint))];
  return h.unified ? [...v1, h.unified.mountPoint] : v1;
}

t.test('resources land in their files; update changes them and merges with earlier updates', { skip }, async (t) => {
  const { rt, bundle } = setup(t, ['sleep', '1000'], (s) => {
    s.linux!.resources = { memory: { limit: 64 << 20 }, pids: { limit: 50 }, cpu: { shares: 512, quota: 20000, period: 100000 } };
  });
  rt.ok(['run', '-d', '--bundle', bundle.dir, 'res']);
  t.equal(readCg(rt, 'res', 'memory', 'memory.limit_in_bytes', 'memory.max'), String(64 << 20));
  t.equal(readCg(rt, 'res', 'pids', 'pids.max', 'pids.max'), '50');
  if (v2) t.equal(readCg(rt, 'res', 'cpu', '', 'cpu.max'), '20000 100000');
  else t.equal(readCg(rt, 'res', 'cpu', 'cpu.cfs_quota_us', ''), '20000');
  t.equal(readCg(rt, 'res', 'cpu', 'cpu.shares', 'cpu.weight'), v2 ? '59' : '512');

  rt.ok(['update', '--memory', '128m', '--pids-limit', '20', '--cpu-share', '1024', 'res']);
  t.equal(readCg(rt, 'res', 'memory', 'memory.limit_in_bytes', 'memory.max'), String(128 << 20), '--memory 128m');
  t.equal(readCg(rt, 'res', 'pids', 'pids.max', 'pids.max'), '20', '--pids-limit');
  t.equal(readCg(rt, 'res', 'cpu', 'cpu.shares', 'cpu.weight'), v2 ? '100' : '1024', '--cpu-share');

  // containerd's way: LinuxResources JSON on stdin.
  rt.ok(['update', '--resources', '-', 'res'], { input: JSON.stringify({ cpu: { quota: 50000, period: 200000 } }) });
  if (v2) t.equal(readCg(rt, 'res', 'cpu', '', 'cpu.max'), '50000 200000', 'quota/period from --resources -');
  else {
    t.equal(readCg(rt, 'res', 'cpu', 'cpu.cfs_quota_us', ''), '50000', 'quota from --resources -');
    t.equal(readCg(rt, 'res', 'cpu', 'cpu.cfs_period_us', ''), '200000', 'period from --resources -');
  }
  // A lone quota changes only the quota; the stored state keeps the rest.
  rt.ok(['update', '--cpu-quota', '30000', 'res']);
  if (v2) t.equal(readCg(rt, 'res', 'cpu', '', 'cpu.max'), '30000 200000', 'lone quota keeps the updated period');
  else t.equal(readCg(rt, 'res', 'cpu', 'cpu.cfs_period_us', ''), '200000', 'lone quota keeps the updated period');
  const cfg = JSON.parse(readFileSync(join(rt.root, 'res', 'config.json'), 'utf8')) as Spec;
  t.match(cfg.linux!.resources, { memory: { limit: 128 << 20 }, pids: { limit: 20 }, cpu: { shares: 1024, quota: 30000, period: 200000 } }, 'merged resources stored');
  t.equal(readCg(rt, 'res', 'memory', 'memory.limit_in_bytes', 'memory.max'), String(128 << 20), 'memory untouched by a cpu update');

  const bad = rt.run(['update', '--memory', 'lots', 'res']);
  t.not(bad.code, 0, 'a bad size fails');
  t.match(bad.stderr, /invalid value for memory/);
  const rdt = rt.run(['update', '--l3-cache-schema', 'L3:0=f', 'res']);
  t.match(rdt.stderr, /Intel RDT/, 'RDT flags are refused with a clear message');
  rt.ok(['kill', 'res', 'KILL']);
  t.ok(await waitUntil(() => rt.state('res').status === 'stopped', 5000 * slow));
  t.match(rt.run(['update', '--memory', '1g', 'res']).stderr, /stopped/, 'a stopped container cannot be updated');
});

t.test('pids.max stops a fork bomb in the container', { skip }, async (t) => {
  // The bomb runs in a subshell: when fork fails, it stops, the init stays.
  const bomb = 'for i in $(seq 1 40); do sleep 1000 & done';
  const { rt, bundle } = setup(t, ['sh', '-c', `(${bomb}) 2>/dev/null; sleep 1000`], (s) => {
    s.linux!.resources = { pids: { limit: 10 } };
  });
  rt.ok(['run', '-d', '--bundle', bundle.dir, 'bomb']);
  t.ok(await waitUntil(() => /max [1-9]/.test(readCg(rt, 'bomb', 'pids', 'pids.events', 'pids.events')), 10_000 * slow), 'forks refused at pids.max (pids.events)');
  await delay(500 * slow);
  const pids = JSON.parse(rt.ok(['ps', '--format', 'json', 'bomb'])) as number[];
  t.ok(pids.length <= 10 && pids.length >= 5, `at most 10 processes (got ${pids.length})`);
  t.equal(readCg(rt, 'bomb', 'pids', 'pids.current', 'pids.current'), String(pids.length));
  t.equal(rt.state('bomb').status, 'running');
});

t.test('pause freezes the container (state paused, no progress), resume thaws it', { skip }, async (t) => {
  const { rt, bundle } = setup(t, ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; done']);
  rt.ok(['run', '-d', '--bundle', bundle.dir, 'frz']);
  const count = (): number => Number(readFileSync(join(bundle.rootfs, 'tmp/count'), 'utf8').trim() || '0');
  t.ok(await waitUntil(() => existsSync(join(bundle.rootfs, 'tmp/count')) && count() > 0, 5000 * slow), 'counting');
  rt.ok(['pause', 'frz']);
  t.equal(rt.state('frz').status, 'paused');
  t.equal(readCg(rt, 'frz', 'freezer', 'freezer.state', 'cgroup.freeze'), v2 ? '1' : 'FROZEN');
  await delay(100);
  const frozenAt = count();
  await delay(500);
  t.equal(count(), frozenAt, 'no progress while frozen');
  t.match(rt.run(['pause', 'frz']).stderr, /not running \(paused\)/, 'pausing twice is refused');
  rt.ok(['resume', 'frz']);
  t.equal(rt.state('frz').status, 'running');
  t.ok(await waitUntil(() => count() > frozenAt, 5000 * slow), 'progress after resume');
  t.match(rt.run(['resume', 'frz']).stderr, /not paused/);
  // A paused container can be force-deleted.
  rt.ok(['pause', 'frz']);
  rt.ok(['delete', '--force', 'frz']);
  t.equal(rt.run(['state', 'frz']).code, 1);
});

/** Fails unless `pid` is, in every hierarchy, in the directory the
 *  container's state records for it (the host's view of /proc/<pid>/cgroup). */
function checkInContainerCgroups(t: Test, rt: Runtime, id: string, pid: number, who: string): void {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const paths = stored(rt, id).cgroup.paths;
  t.ok(Object.keys(paths).length > 0, 'the state records cgroup paths');
  for (const [controller, dir] of Object.entries(paths)) {
    const line = lines.find((l) => {
      const [num, ctrls] = l.split(':');
      return controller === '' ? num === '0' && ctrls === '' : ctrls!.split(',').includes(controller);
    });
    const inner = line?.split(':').slice(2).join(':');
    t.ok(inner !== undefined && dir.endsWith(inner), `${who} in ${dir} (${line})`);
  }
}

t.test('the init and an exec\'d process are in the container cgroup of every hierarchy (the helper joins them itself)', { skip }, async (t) => {
  const { rt, bundle } = setup(t, ['sleep', '1000']);
  rt.ok(['run', '-d', '--bundle', bundle.dir, 'cgjoin']);
  checkInContainerCgroups(t, rt, 'cgjoin', rt.state('cgjoin').pid, 'the init');
  const pidFile = join(bundle.dir, 'exec.pid');
  rt.ok(['exec', '-d', '--pid-file', pidFile, 'cgjoin', 'sleep', '1000']);
  checkInContainerCgroups(t, rt, 'cgjoin', Number(readFileSync(pidFile, 'utf8')), "the exec'd process");
});

t.test('kill KILL of a paused container stops it (thawed so the signal lands, as runc)', { skip }, async (t) => {
  const { rt, bundle } = setup(t, ['sleep', '1000']);
  rt.ok(['run', '-d', '--bundle', bundle.dir, 'frzkill']);
  rt.ok(['pause', 'frzkill']);
  t.equal(rt.state('frzkill').status, 'paused');
  rt.ok(['kill', 'frzkill', 'KILL']);
  t.ok(await waitUntil(() => rt.state('frzkill').status === 'stopped', 5000 * slow), 'stopped, not left frozen');
  rt.ok(['delete', 'frzkill']);
});

t.test('events --stats prints one stats object; --interval streams until the container stops', { skip }, async (t) => {
  const { rt, bundle } = setup(t, ['sleep', '1000'], (s) => {
    s.linux!.resources = { memory: { limit: 48 << 20 }, pids: { limit: 30 } };
  });
  rt.ok(['run', '-d', '--bundle', bundle.dir, 'ev']);
  const lines = rt.ok(['events', '--stats', 'ev']).trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  const ev = JSON.parse(lines[0]!) as { type: string; id: string; data: { memory: { usage: { limit: number; usage: number } }; pids: { current: number; limit: number }; cpu: { usage: { total: number } } } };
  t.equal(ev.type, 'stats');
  t.equal(ev.id, 'ev');
  t.equal(ev.data.memory.usage.limit, 48 << 20, 'memory limit');
  t.ok(ev.data.memory.usage.usage > 0, 'memory usage');
  t.equal(ev.data.pids.current, 1, 'one process');
  t.equal(ev.data.pids.limit, 30);
  t.ok(ev.data.cpu.usage.total > 0, 'cpu time');

  const child = spawn(TSRUNC, ['--root', rt.root, 'events', '--interval', '200ms', 'ev'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  t.ok(await waitUntil(() => out.split('\n').filter(Boolean).length >= 3, 10_000 * slow), 'a stats event every interval');
  rt.ok(['kill', 'ev', 'KILL']);
  const code = await Promise.race([exited, delay(10_000 * slow).then(() => 'timeout')]);
  t.equal(code, 0, 'events exits when the container stops');
  for (const l of out.trim().split('\n')) t.match(JSON.parse(l), { type: 'stats', id: 'ev' });
  t.not(rt.run(['events', '--stats', 'ev']).code, 0, 'no events from a stopped container');
});

t.test('an allocation over memory.limit is OOM-killed and reported as an oom event', { skip }, async (t) => {
  // The shell survives; `tail /dev/zero` grows without bound.
  const { rt, bundle } = setup(t, ['sh', '-c', 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; echo $? > /tmp/rc; sleep 1000'], (s) => {
    const swapFile = v2 ? '' : join(h.v1.get('memory')?.mountPoint ?? '', 'memory.memsw.limit_in_bytes');
    s.linux!.resources = { memory: { limit: 32 << 20, ...(v2 || existsSync(swapFile) ? { swap: 32 << 20 } : {}) } };
  });
  rt.ok(['create', '--bundle', bundle.dir, 'mem']);
  rt.ok(['start', 'mem']);
  const child = spawn(TSRUNC, ['--root', rt.root, 'events', '--interval', '60s', 'mem'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitUntil(() => out.includes('"stats"'), 10_000 * slow); // events is watching
  writeFileSync(join(bundle.rootfs, 'tmp/go'), ''); // now allocate
  t.ok(await waitUntil(() => out.includes('"type":"oom"'), 30_000 * slow), 'oom event');
  t.same(JSON.parse(out.split('\n').find((l) => l.includes('"type":"oom"'))!), { type: 'oom', id: 'mem' });
  t.ok(await waitUntil(() => existsSync(join(bundle.rootfs, 'tmp/rc')), 10_000 * slow), 'the allocator died');
  t.equal(readFileSync(join(bundle.rootfs, 'tmp/rc'), 'utf8').trim(), '137', 'killed by SIGKILL (the OOM killer)');
  t.equal(rt.state('mem').status, 'running', 'the container (its shell) lives on');
  const ev = JSON.parse(rt.ok(['events', '--stats', 'mem'])) as { data: { memory: { usage: { max: number; limit: number } } } };
  // (v1 peak; this kernel does not count memory.failcnt)
  if (!v2) t.equal(ev.data.memory.usage.max, 32 << 20, 'usage peaked at the limit');
});

t.test('ps lists the container processes (table and json); kill --all signals every one', { skip }, async (t) => {
  const { rt, bundle } = setup(t, ['sh', '-c', 'sleep 1001 & sleep 1002 & wait']);
  rt.ok(['run', '-d', '--bundle', bundle.dir, 'ps1']);
  const init = rt.state('ps1').pid;
  t.ok(await waitUntil(() => (JSON.parse(rt.ok(['ps', '--format', 'json', 'ps1'])) as number[]).length === 3, 5000 * slow));
  const pids = JSON.parse(rt.ok(['ps', '--format', 'json', 'ps1'])) as number[];
  t.ok(pids.includes(init), 'init listed');
  const table = rt.ok(['ps', 'ps1']).trim().split('\n');
  t.match(table[0], /PID/, 'header');
  t.equal(table.length, 4, 'one row per process');
  t.ok(table.some((l) => l.includes('sleep 1001')) && table.some((l) => l.includes('sleep 1002')));
  const custom = rt.ok(['ps', 'ps1', '--', '-o', 'pid,comm']).trim().split('\n');
  t.match(custom[0], /PID\s+COMMAND/, 'ps arguments after --');

  rt.ok(['kill', '--all', 'ps1', 'KILL']);
  t.ok(await waitUntil(() => pids.every((p) => !existsSync(`/proc/${p}`) || readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z')), 5000 * slow), 'every process got the signal');
  t.ok(await waitUntil(() => rt.state('ps1').status === 'stopped', 5000 * slow));
  t.same(JSON.parse(rt.ok(['ps', '--format', 'json', 'ps1'])), [], 'a stopped container lists no process');
});

t.test('delete removes the cgroups create made, and only those', { skip }, async (t) => {
  // Default place: created by create, gone after delete.
  const a = setup(t, ['sleep', '1000']);
  a.rt.ok(['run', '-d', '--bundle', a.bundle.dir, 'own']);
  const dirs = stored(a.rt, 'own').cgroup.createdDirs;
  t.ok(dirs.length > 0 && dirs.every((d) => existsSync(d)), 'created dirs exist');
  a.rt.ok(['delete', '--force', 'own']);
  t.same(dirs.filter((d) => existsSync(d)), [], 'all removed');

  // An existing cgroup (with its parent) given as cgroupsPath survives delete.
  const name = uniqueId('pre');
  const pre = mountPoints().map((m) => join(m, name));
  for (const d of pre) {
    mkdirSync(d);
    // As any usable v1 cpuset: cpus and mems set.
    if (!v2 && existsSync(join(d, 'cpuset.cpus'))) {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(d, f), readFileSync(join(d, '..', f), 'utf8').trim());
    }
  }
  t.teardown(() => {
    for (const d of pre) if (existsSync(d)) rmdirSync(d);
  });
  const b = setup(t, ['sleep', '1000'], (s) => (s.linux!.cgroupsPath = `/${name}`));
  b.rt.ok(['run', '-d', '--bundle', b.bundle.dir, 'pre']);
  t.same(stored(b.rt, 'pre').cgroup.createdDirs, [], 'nothing created');
  const init = b.rt.state('pre').pid;
  const procs = readFileSync(v2 ? join(pre[0]!, 'cgroup.procs') : join(h.v1.get('pids')!.mountPoint, name, 'cgroup.procs'), 'utf8');
  t.ok(procs.split('\n').includes(String(init)), 'the container runs in the existing cgroup');
  b.rt.ok(['delete', '--force', 'pre']);
  t.same(pre.filter((d) => !existsSync(d)), [], 'the existing cgroup survives delete');

  // A nested path under an existing cgroup: only the new child goes.
  const c = setup(t, ['sleep', '1000'], (s) => (s.linux!.cgroupsPath = `/${name}/child`));
  c.rt.ok(['run', '-d', '--bundle', c.bundle.dir, 'nested']);
  t.ok(pre.every((d) => existsSync(join(d, 'child'))), 'child made');
  c.rt.ok(['delete', '--force', 'nested']);
  t.ok(pre.every((d) => existsSync(d) && !existsSync(join(d, 'child'))), 'child removed, parent kept');
});

t.test('a failed create leaves no cgroup directory behind', { skip }, async (t) => {
  const cases: [string, (s: Spec) => void][] = [
    ['missing binary (fails in the init, after the cgroup is made)', (s) => (s.process!.args = ['/no/such/binary'])],
    ['a resource the kernel refuses', (s) => (s.linux!.resources = { cpu: { cpus: '999' } })],
    ['a failing createRuntime hook', (s) => (s.hooks = { createRuntime: [{ path: '/bin/false' }] })],
  ];
  for (const [what, edit] of cases) {
    const name = uniqueId('failed');
    const { rt, bundle } = setup(t, ['true'], (s) => {
      s.linux!.cgroupsPath = `/${name}/inner`;
      edit(s);
    });
    const r = rt.run(['create', '--bundle', bundle.dir, 'f']);
    t.not(r.code, 0, `${what}: create fails`);
    t.same(mountPoints().map((m) => join(m, name)).filter((d) => existsSync(d)), [], `${what}: no cgroup directory left`);
  }
});

function cgroupMountLine(out: string): string {
  return out.split('\n').find((l) => l.split(' ')[4] === '/sys/fs/cgroup') ?? '';
}

t.test('the cgroup mount: own cgroup namespace, the container cgroup as root, read-only unless rw', { skip }, async (t) => {
  const probe = v2 ? '/sys/fs/cgroup/pids.max' : '/sys/fs/cgroup/pids/pids.max';
  const script = `cat /proc/self/mountinfo; echo ---; cat /proc/self/cgroup; echo ---; cat ${probe}; echo ---; mkdir /sys/fs/cgroup/${v2 ? '' : 'pids/'}sub && echo made; true`;
  const ro = setup(t, ['sh', '-c', script], (s) => (s.linux!.resources = { pids: { limit: 77 } }));
  const r1 = ro.rt.run(['run', '--bundle', ro.bundle.dir, 'ro']);
  t.equal(r1.code, 0, `run exits 0 ${r1.stderr.trim()}`);
  const [mi, cg, limit, made] = r1.stdout.split('---\n');
  t.match(cgroupMountLine(mi!), /\sro[,\s]/, 'read-only by default');
  t.equal(limit!.trim(), '77', 'the container sees its own cgroup');
  for (const line of cg!.trim().split('\n')) t.match(line, /:\/$/, `cgroup namespace root: ${line}`);
  t.equal(made!.trim(), '', 'no cgroup can be made in a read-only mount');
  if (!v2) {
    ro.bundle.spec.process!.args = ['ls', '/sys/fs/cgroup'];
    ro.bundle.save();
    const names = ro.rt.ok(['run', '--bundle', ro.bundle.dir, 'ro3']).split(/\s+/);
    for (const c of ['pids', 'memory', 'cpu', 'cpuacct', 'freezer', 'devices']) t.ok(names.includes(c), `${c} in /sys/fs/cgroup`);
  }

  const rw = setup(t, ['sh', '-c', script], (s) => {
    s.linux!.resources = { pids: { limit: 78 } };
    s.mounts = s.mounts!.map((m) => (m.type === 'cgroup' ? { ...m, options: ['nosuid', 'noexec', 'nodev', 'rw'] } : m));
  });
  const r2 = rw.rt.run(['run', '--bundle', rw.bundle.dir, 'rw']);
  t.equal(r2.code, 0, `run exits 0 ${r2.stderr.trim()}`);
  const parts = r2.stdout.split('---\n');
  t.match(cgroupMountLine(parts[0]!), /\srw[,\s]/, 'rw when asked');
  t.equal(parts[3]!.trim(), 'made', 'a child cgroup can be made');

  // Without a cgroup namespace: a bind of the container's cgroup.
  const nons = setup(t, ['sh', '-c', script], (s) => {
    s.linux!.resources = { pids: { limit: 79 } };
    s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'cgroup');
  });
  const r3 = nons.rt.run(['run', '--bundle', nons.bundle.dir, 'nons']);
  t.equal(r3.code, 0, `run exits 0 ${r3.stderr.trim()}`);
  const p3 = r3.stdout.split('---\n');
  t.equal(p3[2]!.trim(), '79', 'the bind shows the container cgroup');
  t.ok(p3[1]!.trim().split('\n').some((l) => !l.endsWith(':/')), 'host cgroup paths without a cgroup namespace');
  t.match(cgroupMountLine(p3[0]!), /\sro[,\s]/, 'read-only');
});
