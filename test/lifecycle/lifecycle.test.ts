// The lifecycle through the CLI with real busybox containers:
// create → start → state → kill → delete, run, list, errors.
import t, { type Test } from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { makeBundle } from '../lib/bundle.js';
import { Runtime, TSRUNC } from '../lib/runtime.js';

function setup(t: Test, args: string[], edit?: Parameters<typeof makeBundle>[1]) {
  const rt = new Runtime();
  const bundle = makeBundle(args, edit);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  return { rt, bundle };
}

function waitFor(cond: () => boolean, ms = 5000): boolean {
  const end = Date.now() + ms;
  const sab = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < end) {
    if (cond()) return true;
    Atomics.wait(sab, 0, 0, 20);
  }
  return cond();
}

t.test('create, start, state, kill, delete', async (t) => {
  const { rt, bundle } = setup(t, ['sleep', '1000']);
  const pidFile = join(bundle.dir, 'init.pid');
  rt.ok(['create', '--bundle', bundle.dir, '--pid-file', pidFile, 'c1']);
  let st = rt.state('c1');
  t.equal(st.status, 'created');
  t.ok(st.pid > 0, 'created container has a pid');
  t.equal(readFileSync(pidFile, 'utf8'), String(st.pid), 'pid file holds the init pid');
  t.equal(st.bundle, bundle.dir);
  t.equal(st.ociVersion, '1.3.0');
  t.equal(st.id, 'c1');
  t.match(readFileSync(`/proc/${st.pid}/cmdline`, 'utf8'), /tsrunc-init/, 'init waits in the helper, not in the user process');

  const del = rt.run(['delete', 'c1']);
  t.not(del.code, 0, 'delete of a created container fails without --force');
  t.match(del.stderr, /not stopped/);

  rt.ok(['start', 'c1']);
  st = rt.state('c1');
  t.equal(st.status, 'running');
  t.ok(waitFor(() => readFileSync(`/proc/${st.pid}/cmdline`, 'utf8').startsWith('sleep')), 'user process runs');

  const again = rt.run(['start', 'c1']);
  t.not(again.code, 0, 'a running container cannot be started again');

  rt.ok(['kill', 'c1', 'KILL']);
  t.ok(waitFor(() => rt.state('c1').status === 'stopped'), 'stopped after SIGKILL');
  t.equal(rt.state('c1').pid, 0);
  t.equal(rt.run(['kill', 'c1']).code, 1, 'kill of a stopped container fails');
  rt.ok(['delete', 'c1']);
  t.notOk(existsSync(join(rt.root, 'c1')), 'state dir removed');
  const gone = rt.run(['state', 'c1']);
  t.equal(gone.code, 1);
  t.match(gone.stderr, /container "c1" does not exist/);
});

t.test('kill accepts names and numbers; default is SIGTERM', async (t) => {
  const { rt, bundle } = setup(t, ['sh', '-c', 'trap "echo got-term > /tmp/sig; exit 3" TERM; while true; do sleep 0.1; done']);
  rt.ok(['create', '--bundle', bundle.dir, 'k1']);
  rt.ok(['start', 'k1']);
  t.ok(waitFor(() => existsSync(join(bundle.rootfs, 'proc/1')) || true));
  // Give the shell a moment to install its trap.
  t.ok(waitFor(() => readFileSync(`/proc/${rt.state('k1').pid}/cmdline`, 'utf8').startsWith('sh')));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  rt.ok(['kill', 'k1']);
  t.ok(waitFor(() => rt.state('k1').status === 'stopped'), 'SIGTERM stopped it');
  t.equal(readFileSync(join(bundle.rootfs, 'tmp/sig'), 'utf8').trim(), 'got-term');
  t.not(rt.run(['kill', 'k1', 'NOSUCH']).code, 0, 'unknown signal name is an error');
});

t.test('kill of a created container', async (t) => {
  const { rt, bundle } = setup(t, ['true']);
  rt.ok(['create', '--bundle', bundle.dir, 'k2']);
  rt.ok(['kill', 'k2', 'SIGKILL']);
  t.ok(waitFor(() => rt.state('k2').status === 'stopped'));
  rt.ok(['delete', 'k2']);
});

t.test('run: output, exit status, and removal', async (t) => {
  const { rt, bundle } = setup(t, ['sh', '-c', 'echo hello-from-container; exit 7']);
  const r = rt.run(['run', '--bundle', bundle.dir, 'r1']);
  t.equal(r.code, 7, 'run exits with the container status');
  t.equal(r.stdout, 'hello-from-container\n');
  t.notOk(existsSync(join(rt.root, 'r1')), 'run removes the container');
});

t.test('run: a signal kills the container and run reports 128+n', async (t) => {
  // Without a pid namespace the shell is not PID 1, so it can signal itself.
  const { rt, bundle } = setup(t, ['sh', '-c', 'kill -9 $$'], (s) => {
    s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'pid');
  });
  const r = rt.run(['run', '--bundle', bundle.dir, 'r2']);
  t.equal(r.code, 137);
});

t.test('run --detach leaves it running; delete --force removes it', async (t) => {
  const { rt, bundle } = setup(t, ['sleep', '1000']);
  rt.ok(['run', '--detach', '--bundle', bundle.dir, 'd1']);
  t.equal(rt.state('d1').status, 'running');
  const list = JSON.parse(rt.ok(['list', '--format', 'json'])) as { id: string; status: string }[];
  t.same(list.map((c) => [c.id, c.status]), [['d1', 'running']]);
  t.match(rt.ok(['list']), /^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER\nd1\s+\d+\s+running/);
  t.equal(rt.ok(['list', '-q']), 'd1\n');
  const pid = rt.state('d1').pid;
  rt.ok(['delete', '--force', 'd1']);
  t.notOk(existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z', 'init killed');
  t.notOk(existsSync(join(rt.root, 'd1')));
});

t.test('stdio is tsrunc\'s own and stdin reaches the container', async (t) => {
  const { rt, bundle } = setup(t, ['sh', '-c', 'read line; echo "got:$line"; echo err >&2']);
  const r = rt.run(['run', '--bundle', bundle.dir, 's1'], { input: 'abc\n' });
  t.equal(r.code, 0);
  t.equal(r.stdout, 'got:abc\n');
  t.match(r.stderr, /err/);
});

t.test('an existing id is refused, also when two creates race', async (t) => {
  const { rt, bundle } = setup(t, ['sleep', '100']);
  const both = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<number>((resolve) => {
          const p = spawn(TSRUNC, ['--root', rt.root, 'create', '--bundle', bundle.dir, 'same'], { stdio: 'ignore' });
          p.on('exit', (code) => resolve(code ?? 1));
        }),
    ),
  );
  t.same(both.sort(), [0, 1], 'exactly one racing create wins');
  const r = rt.run(['create', '--bundle', bundle.dir, 'same']);
  t.equal(r.code, 1);
  t.match(r.stderr, /container with id exists: same/);
  t.equal(rt.state('same').status, 'created', 'the winner is intact');
});

t.test('invalid ids are refused', async (t) => {
  const { rt, bundle } = setup(t, ['true']);
  for (const id of ['..', 'a/b', 'x y']) {
    const r = rt.run(['create', '--bundle', bundle.dir, id]);
    t.equal(r.code, 1, `id ${JSON.stringify(id)}`);
    t.match(r.stderr, /invalid container id/);
  }
});

t.test('unknown container ids give the error engines match on', async (t) => {
  const rt = new Runtime();
  t.teardown(() => rt.cleanup());
  for (const cmd of [['state', 'nope'], ['start', 'nope'], ['kill', 'nope'], ['delete', 'nope']]) {
    const r = rt.run(cmd);
    t.equal(r.code, 1, cmd.join(' '));
    t.match(r.stderr, /container "nope" does not exist/);
  }
  t.equal(rt.run(['delete', '--force', 'nope']).code, 0, 'delete --force of a missing id succeeds, as runc');
});

t.test('--log-format json writes error lines engines read', async (t) => {
  const rt = new Runtime();
  t.teardown(() => rt.cleanup());
  const logFile = join(rt.root, 'log.json');
  const r = rt.run(['--log', logFile, '--log-format', 'json', 'state', 'nope']);
  t.equal(r.code, 1);
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string; time: string });
  const last = lines[lines.length - 1]!;
  t.equal(last.level, 'error');
  t.match(last.msg, /container "nope" does not exist/);
  t.ok(!Number.isNaN(Date.parse(last.time)));
});

t.test('--version prints the shape engines parse', async (t) => {
  const rt = new Runtime();
  t.teardown(() => rt.cleanup());
  const out = rt.ok(['--version']);
  t.match(out, /^tsrunc version \d+\.\d+\.\d+\ncommit: \S+\nspec: 1\.3\.0\n$/);
});

t.test('spec writes a runc-like default config and refuses to overwrite', async (t) => {
  const rt = new Runtime();
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-spec-'));
  const rl = mkdtempSync(join(tmpdir(), 'tsrunc-spec-rootless-'));
  t.teardown(() => {
    rt.cleanup();
    rmSync(dir, { recursive: true, force: true });
    rmSync(rl, { recursive: true, force: true });
  });
  rt.ok(['spec', '--bundle', dir]);
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { process: { args: string[]; terminal: boolean }; linux: { namespaces: { type: string }[] } };
  t.same(spec.process.args, ['sh']);
  t.equal(spec.process.terminal, true);
  t.same(spec.linux.namespaces.map((n) => n.type).sort(), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
  t.not(rt.run(['spec', '--bundle', dir]).code, 0);
  rt.ok(['spec', '--rootless', '--bundle', rl]);
  const rspec = JSON.parse(readFileSync(join(rl, 'config.json'), 'utf8')) as { linux: { namespaces: { type: string }[]; uidMappings: unknown[] } };
  t.ok(rspec.linux.namespaces.some((n) => n.type === 'user'), 'rootless spec has a user namespace');
  t.equal(rspec.linux.uidMappings.length, 1);
});
