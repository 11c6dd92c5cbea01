// tsrunc update: runc's flags and --resources JSON, merged into the current
// resources as runc does, then applied to a real cgroup.
import t from 'tap';
import { detectHierarchies } from '../../src/linux/cgroups/hierarchy.js';
import { mergeUpdate, ramInBytes, resourcesFromJson, resourcesFromUpdateFlags } from '../../src/linux/cgroups/update.js';
import { read, testManager } from './helpers.js';

// Run directly by node in the test VM (TCG: 15-25x slower): tap's 30 s default is too short.
if (process.env.TSRUNC_IN_VM) t.setTimeout(30 * 60 * 1000);

t.test('sizes as runc reads them', async (t) => {
  t.equal(ramInBytes('512'), 512);
  t.equal(ramInBytes('64m'), 64 << 20);
  t.equal(ramInBytes('1.5GiB'), 1.5 * 1024 ** 3);
  t.equal(ramInBytes('2 k'), 2048);
  t.throws(() => ramInBytes('12x'), /invalid size/);
});

t.test('flags → update', async (t) => {
  const u = resourcesFromUpdateFlags({ memory: '64m', 'memory-swap': '-1', 'cpu-quota': '-1', 'cpu-share': '512', 'pids-limit': '20', 'cpuset-cpus': '0', 'blkio-weight': '300' });
  t.equal(u.memory?.limit, 64 << 20);
  t.equal(u.memory?.swap, -1);
  t.equal(u.cpu?.quota, -1);
  t.equal(u.cpu?.shares, 512);
  t.equal(u.pids?.limit, 20);
  t.equal(u.cpu?.cpus, '0');
  t.equal(u.blockIO?.weight, 300);
  t.throws(() => resourcesFromUpdateFlags({ 'cpu-share': '-3' }), /invalid value for cpu-share/);
  t.throws(() => resourcesFromUpdateFlags({ memory: 'lots' }), /invalid value for memory/);
  t.throws(() => resourcesFromJson('[1]'), /expected a JSON object/);
  t.same(resourcesFromJson('{"pids":{"limit":5}}'), { pids: { limit: 5 } });
});

t.test('merge like runc', async (t) => {
  const current = {
    memory: { limit: 100, swap: 200 },
    cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '0-1' },
    blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 10 }] },
    pids: { limit: 10 },
  };
  const a = mergeUpdate(current, { memory: { limit: -1 } });
  t.equal(a.memory?.limit, -1);
  t.equal(a.memory?.swap, 0, 'unlimited memory without swap: swap unset (unlimited)');
  t.same(a.pids, {}, 'pids not given: left as is in the kernel');
  t.equal(a.cpu?.cpus, undefined, 'cpuset not given: not rewritten');
  const b = mergeUpdate(current, { cpu: { quota: 20000 } });
  t.equal(b.cpu?.quota, 20000);
  t.equal(b.cpu?.period, 100000, 'a lone quota keeps the period');
  const c = mergeUpdate(current, { cpu: { idle: 1 } });
  t.equal(c.cpu?.shares, 0, 'idle without shares resets shares');
  const d = mergeUpdate(current, { blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 99 }, { major: 8, minor: 16, rate: 5 }] } });
  t.same(d.blockIO?.throttleReadBpsDevice, [{ major: 8, minor: 0, rate: 99 }, { major: 8, minor: 16, rate: 5 }], 'upsert by device');
  t.equal(mergeUpdate(current, {}).memory?.checkBeforeUpdate, false);
});

const h = detectHierarchies();
t.test('an update lands in the cgroup', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async (t) => {
  const m = testManager(t, 'update');
  m.create();
  const current = { memory: { limit: 128 << 20 }, pids: { limit: 100 } };
  m.set(current);
  const merged = mergeUpdate(current, resourcesFromUpdateFlags({ memory: '64m', 'pids-limit': '20', 'cpu-share': '512' }));
  m.update(merged);
  const p = m.paths();
  if (h.mode === 'v2') {
    t.equal(read(p['']!, 'memory.max'), String(64 << 20));
    t.equal(read(p['']!, 'pids.max'), '20');
    t.equal(read(p['']!, 'cpu.weight'), '59');
  } else {
    t.equal(read(p.memory!, 'memory.limit_in_bytes'), String(64 << 20));
    t.equal(read(p.pids!, 'pids.max'), '20');
    t.equal(read(p.cpu!, 'cpu.shares'), '512');
  }
});
