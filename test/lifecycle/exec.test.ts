// `tsrunc exec`: a process joins the running container's namespaces and
// cgroup with the container's process settings unless overridden.
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../lib/bundle.js';
import { Runtime } from '../lib/runtime.js';

function running(t: Test, edit?: Parameters<typeof makeBundle>[1]) {
  const rt = new Runtime();
  const bundle = makeBundle(['sleep', '1000'], edit);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  const id = `ex-${process.pid}`;
  rt.ok(['run', '--detach', '--bundle', bundle.dir, id]);
  return { rt, bundle, id };
}

t.test('exec runs in the container namespaces and returns the exit status', async (t) => {
  const { rt, id } = running(t, (s) => (s.hostname = 'exec-host'));
  const r = rt.run(['exec', id, 'sh', '-c', 'hostname; tr "\\000" " " < /proc/1/cmdline; echo; exit 5']);
  t.equal(r.code, 5, 'exit status of the exec process');
  const [host, init] = r.stdout.split('\n');
  t.equal(host, 'exec-host', 'same UTS namespace');
  t.equal(init?.trim(), 'sleep 1000', 'same pid namespace: PID 1 is the container init');
  const initNs = readFileSync(`/proc/${rt.state(id).pid}/cgroup`, 'utf8');
  t.ok(initNs.length > 0);
});

t.test('exec joins the container cgroup and gets its capabilities', async (t) => {
  const { rt, id } = running(t);
  const pid = rt.state(id).pid;
  const initStatus = readFileSync(`/proc/${pid}/status`, 'utf8');
  const capEff = /CapEff:\s+(\w+)/.exec(initStatus)?.[1];
  const out = rt.ok(['exec', id, 'sh', '-c', 'grep -E "^Cap(Eff|Inh|Bnd)" /proc/self/status; cat /proc/self/cgroup']);
  t.match(out, new RegExp(`CapEff:\\s+${capEff}`), 'same effective capabilities as the init');
  t.match(out, /CapInh:\s+0+\n/, 'inheritable empty');
  const initCg = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.includes(':pids:'));
  t.ok(initCg && out.includes(initCg.split(':')[2]!.replace(/^\//, '')) || out.includes(':pids:/\n'), 'in the same pids cgroup');
});

t.test('exec overrides: --env, --cwd, --user, --additional-gids, --cap', async (t) => {
  const { rt, id } = running(t);
  const out = rt.ok([
    'exec', '--env', 'FOO=bar', '--cwd', '/tmp', '--user', '1000:1001', '--additional-gids', '1002',
    id, 'sh', '-c', 'echo $FOO; pwd; id -u; id -g; id -G',
  ]);
  t.same(out.trim().split('\n'), ['bar', '/tmp', '1000', '1001', '1001 1002']);
  const caps = rt.ok(['exec', '--cap', 'CAP_SYS_ADMIN', id, 'sh', '-c', 'grep -E "^Cap(Inh|Bnd)" /proc/self/status']);
  t.match(caps, /CapInh:\s+0+\n/, 'exec --cap does not reach the inheritable set (CVE-2022-29162)');
  const bnd = BigInt('0x' + /CapBnd:\s+(\w+)/.exec(caps)![1]);
  t.ok((bnd >> 21n) & 1n, 'CAP_SYS_ADMIN added to the bounding set');
});

t.test('exec --process with a runtime-spec process file', async (t) => {
  const { rt, bundle, id } = running(t);
  const file = join(bundle.dir, 'process.json');
  writeFileSync(
    file,
    JSON.stringify({ terminal: false, user: { uid: 0, gid: 0 }, args: ['sh', '-c', 'echo from-process-file $X'], env: ['X=1', 'PATH=/bin'], cwd: '/' }),
  );
  t.equal(rt.ok(['exec', '--process', file, id]), 'from-process-file 1\n');
});

t.test('exec --detach --pid-file', async (t) => {
  const { rt, bundle, id } = running(t);
  const pidFile = join(bundle.dir, 'exec.pid');
  rt.ok(['exec', '--detach', '--pid-file', pidFile, id, 'sleep', '300']);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  t.ok(pid > 0);
  t.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /^sleep\x00300/);
  const ps = JSON.parse(rt.ok(['ps', '--format', 'json', id])) as number[];
  t.ok(ps.includes(pid), 'ps lists the exec process');
  t.ok(ps.includes(rt.state(id).pid), 'ps lists the init');
});

t.test('exec into a paused or stopped container fails clearly', async (t) => {
  const { rt, id } = running(t);
  rt.ok(['pause', id]);
  t.equal(rt.state(id).status, 'paused');
  const r = rt.run(['exec', id, 'true']);
  t.equal(r.code, 1);
  t.match(r.stderr, /paused/);
  rt.ok(['resume', id]);
  t.equal(rt.state(id).status, 'running');
  rt.ok(['kill', id, 'KILL']);
  for (let i = 0; i < 100 && rt.state(id).status !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  const s = rt.run(['exec', id, 'true']);
  t.equal(s.code, 1);
  t.match(s.stderr, /container not running/);
  t.equal(rt.run(['exec', 'nope', 'true']).code, 1);
});

t.test('exec of a missing binary fails with a clear message', async (t) => {
  const { rt, id } = running(t);
  const r = rt.run(['exec', id, '/no/such/thing']);
  t.not(r.code, 0);
  t.match(r.stderr, /\/no\/such\/thing/);
});
