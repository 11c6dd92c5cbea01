// A failed create gives one clear error line and leaves nothing behind:
// no state dir, no process, no mount, no cgroup.
import t from 'tap';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle, type Bundle } from '../lib/bundle.js';
import { Runtime } from '../lib/runtime.js';
import type { Spec } from '../../src/spec/types.js';

function cgroupDirsNamed(id: string): string[] {
  const found: string[] = [];
  for (const ctrl of readdirSync('/sys/fs/cgroup')) {
    const p = join('/sys/fs/cgroup', ctrl, id);
    if (existsSync(p)) found.push(p);
  }
  return found;
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(dir));
}

/** Processes whose root or cwd is inside `dir` (a container's init is). */
function processesInside(dir: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readlinkSync(`/proc/${p}/root`).startsWith(dir) || readlinkSync(`/proc/${p}/cwd`).startsWith(dir)) pids.push(Number(p));
    } catch {
      // exited, or not ours to read
    }
  }
  return pids;
}

interface Case {
  name: string;
  edit: (spec: Spec, b: Bundle) => void;
  message: RegExp;
}

const cases: Case[] = [
  { name: 'empty args', edit: (s) => (s.process!.args = []), message: /config\.json: \/process\/args: / },
  { name: 'relative cwd', edit: (s) => (s.process!.cwd = 'tmp'), message: /config\.json: \/process\/cwd: / },
  { name: 'unknown capability', edit: (s) => (s.process!.capabilities!.bounding = ['CAP_NOPE']), message: /\/process\/capabilities\/bounding\/0: .*CAP_NOPE/ },
  { name: 'bad ociVersion', edit: (s) => (s.ociVersion = '2.0.0'), message: /\/ociVersion: / },
  { name: 'duplicate namespace', edit: (s) => s.linux!.namespaces!.push({ type: 'pid' }), message: /\/linux\/namespaces\/\d+: .*more than once|duplicate/ },
  { name: 'missing binary', edit: (s) => (s.process!.args = ['/no/such/binary']), message: /\/no\/such\/binary/ },
  {
    name: 'bad mount',
    edit: (s) => s.mounts!.push({ destination: '/mnt/x', type: 'nosuchfs', source: 'none' }),
    message: /\/mnt\/x/,
  },
  {
    // the CPU list is well formed, but no such CPU is online: the helper's
    // sched_setaffinity refuses it before it joins anything
    name: 'execCPUAffinity.initial on no online CPU',
    edit: (s) => (s.process!.execCPUAffinity = { initial: '1023' }),
    message: /\/process\/execCPUAffinity\/initial: /,
  },
  {
    name: 'failing createContainer hook',
    edit: (s) => (s.hooks = { createContainer: [{ path: '/bin/false' }] }),
    message: /createContainer hook/,
  },
];

for (const c of cases) {
  t.test(`failed create: ${c.name}`, async (t) => {
    const rt = new Runtime();
    const bundle = makeBundle(['sleep', '100']);
    t.teardown(() => {
      rt.cleanup();
      bundle.cleanup();
    });
    const id = `fail-${process.pid}-${cases.indexOf(c)}`;
    c.edit(bundle.spec, bundle);
    bundle.save();
    const r = rt.run(['create', '--bundle', bundle.dir, '--pid-file', join(bundle.dir, 'pid'), id]);
    t.equal(r.code, 1, 'exit status 1');
    t.match(r.stderr, c.message, 'the error says what is wrong');
    t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr.trim()}`);
    t.notOk(existsSync(join(rt.root, id)), 'no state dir');
    t.same(cgroupDirsNamed(id), [], 'no cgroup dir');
    t.same(mountsUnder(bundle.dir), [], 'no mount under the bundle');
    t.same(processesInside(bundle.dir), [], 'no process left');
    t.notOk(existsSync(join(bundle.dir, 'pid')), 'no pid file');
  });
}
