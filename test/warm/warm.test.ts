// Warm mode (docs/warm-mode.md): the C front forwards calls to a warm server
// of the state root, spawns the container's processes itself, and falls back
// to the cold path whenever the server cannot take a call. Real containers,
// as root; every server a test starts is stopped by the pid it wrote.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, symlinkSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as addon from '../../src/linux/addon.js';
import { makeBundle } from '../lib/bundle.js';
import { Runtime } from '../lib/runtime.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const FRONT = join(REPO, 'build/Release/tsrunc-front');
const COLD_ENTRY = join(REPO, 'bin/tsrunc');
const skip = existsSync(FRONT) ? false : 'build/Release/tsrunc-front is not built';

const WARM_ENV: NodeJS.ProcessEnv = { ...process.env, TSRUNC_WARM: '1', TSRUNC_WARM_IDLE: '30' };
delete WARM_ENV.TSRUNC_CONFIG;

interface Out {
  status: number | null;
  stdout: string;
  stderr: string;
}

let calls = 0;

/** Runs the front. Output goes to files, not pipes: a container inherits the
 *  front's stdio and would hold a pipe open after the front exits. */
function front(rt: Runtime, args: string[], env: NodeJS.ProcessEnv = WARM_ENV, extra: number[] = []): Out {
  const base = join(tmpdir(), `tsrunc-warm-${process.pid}-${calls++}`);
  const out = openSync(`${base}.out`, 'w+');
  const err = openSync(`${base}.err`, 'w+');
  try {
    const r = spawnSync(FRONT, ['--root', rt.root, ...args], { env, timeout: 60_000, stdio: ['ignore', out, err, ...extra] });
    return { status: r.status, stdout: readFileSync(`${base}.out`, 'utf8'), stderr: readFileSync(`${base}.err`, 'utf8') };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(`${base}.out`);
    rmSync(`${base}.err`);
  }
}

/** The worker that served a `--trace` call, or undefined for a cold call. */
function servedBy(stderr: string): number | undefined {
  const m = /tsrunc trace \(warm worker (\d+)\)/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

function serverPid(rt: Runtime): number | undefined {
  try {
    return Number(readFileSync(join(rt.root, '.warm/server.pid'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The server's worker processes. */
function workers(rt: Runtime): number[] {
  const server = serverPid(rt);
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === server && readFileSync(`/proc/${e}/cmdline`, 'utf8').includes('__warm-worker')) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out.sort((a, b) => a - b);
}

/** Running (a zombie is not: servers may be reparented to this process
 *  once a test has made it a subreaper, and Node does not reap them). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Calls until a warm worker answers (the first call starts the server). */
async function warmUp(rt: Runtime): Promise<number> {
  let worker: number | undefined;
  await until('a warm worker', () => {
    const r = front(rt, ['--trace', 'list']);
    worker = servedBy(r.stderr);
    return worker !== undefined;
  });
  return worker!;
}

/** Stops the server the test started (by the pid it wrote) and its workers. */
async function stopServer(rt: Runtime): Promise<void> {
  const pid = serverPid(rt);
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  await until(`server ${pid} to exit`, () => !alive(pid), 10_000);
}

function newRuntime(t: Test): Runtime {
  const rt = new Runtime();
  t.teardown(async () => {
    await stopServer(rt);
    rt.cleanup();
  });
  return rt;
}

t.test('first use starts the server; the next calls are served warm, with the same results as cold', { skip }, async (t) => {
  const rt = newRuntime(t);
  const bundle = makeBundle(['sleep', '30']);
  t.teardown(() => bundle.cleanup());
  const first = front(rt, ['--trace', 'list']);
  t.equal(first.status, 0, first.stderr);
  t.equal(servedBy(first.stderr), undefined, 'the first call runs cold');
  const worker = await warmUp(rt);
  t.match(readFileSync(`/proc/${worker}/cmdline`, 'utf8'), /__warm-worker/, 'served by a worker process');
  t.equal(statSync(join(rt.root, '.warm/sock')).mode & 0o777, 0o600, 'the socket is root-only');
  t.equal(statSync(join(rt.root, '.warm')).mode & 0o777, 0o700);

  const created = front(rt, ['--trace', 'create', '--bundle', bundle.dir, 'w-life']);
  t.equal(created.status, 0, created.stderr);
  t.not(servedBy(created.stderr), undefined, 'create was served warm');
  const state = JSON.parse(front(rt, ['state', 'w-life']).stdout) as { status: string; pid: number };
  t.equal(state.status, 'created');
  const cold = JSON.parse(rt.ok(['state', 'w-life'])) as { status: string; pid: number };
  t.same(cold, state, 'warm and cold state agree');
  t.equal(front(rt, ['start', 'w-life']).status, 0);
  t.equal(JSON.parse(front(rt, ['state', 'w-life']).stdout).status, 'running');
  t.equal(front(rt, ['kill', 'w-life', 'KILL']).status, 0);
  await until('the container to stop', () => JSON.parse(front(rt, ['state', 'w-life']).stdout).status === 'stopped');
  t.equal(front(rt, ['delete', 'w-life']).status, 0);
  const gone = front(rt, ['state', 'w-life']);
  t.equal(gone.status, 1);
  t.match(gone.stderr, /container "w-life" does not exist/, 'errors come back as in the cold path');
  t.notMatch(front(rt, ['list', '-q']).stdout, /\.warm/, '.warm is not a container');
  // --version keeps its worker for the next call (a fresh one costs a Node boot)
  const before = workers(rt);
  t.ok(before.length > 0, 'the server has workers');
  for (let i = 0; i < 4; i++) t.match(front(rt, ['--version']).stdout, /^tsrunc version /);
  t.same(workers(rt), before, 'the same workers after --version calls');
});

t.test('--preserve-fds and stdio reach the container from the front', { skip }, async (t) => {
  const rt = newRuntime(t);
  const bundle = makeBundle(['sh', '-c', 'ls /proc/1/fd; cat /proc/1/fd/3']);
  t.teardown(() => bundle.cleanup());
  await warmUp(rt);
  const extra = openSync('/etc/hostname', 'r');
  t.teardown(() => closeSync(extra));
  const r = front(rt, ['--trace', 'run', '--preserve-fds', '1', '--bundle', bundle.dir, 'w-fds'], WARM_ENV, [extra]);
  t.equal(r.status, 0, r.stderr);
  t.not(servedBy(r.stderr), undefined, 'served warm');
  // ls runs as a child of PID 1 (no pipeline: no pipe ends of the shell's)
  const lines = r.stdout.trim().split('\n');
  t.same(lines.slice(0, 4).sort(), ['0', '1', '2', '3'], 'stdio and the preserved fd, nothing of the server');
  t.equal(lines[4], readFileSync('/etc/hostname', 'utf8').trim(), "fd 3 is the caller's file");
});

t.test('run in the foreground: the exit code, and signals forwarded by the front', { skip }, async (t) => {
  const rt = newRuntime(t);
  const bundle = makeBundle(['sh', '-c', 'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done']);
  t.teardown(() => bundle.cleanup());
  await warmUp(rt);
  const exit7 = makeBundle(['sh', '-c', 'exit 7']);
  t.teardown(() => exit7.cleanup());
  t.equal(front(rt, ['run', '--bundle', exit7.dir, 'w-exit']).status, 7, "the container's exit code");
  const child = spawn(FRONT, ['--root', rt.root, 'run', '--bundle', bundle.dir, 'w-sig'], { env: WARM_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await new Promise<void>((res) => child.stdout.once('data', () => res()));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
  t.equal(code, 42, 'SIGTERM reached the container, whose trap exited 42');
  t.notMatch(front(rt, ['list', '-q']).stdout, /w-sig/, 'run deleted the container');
});

t.test('concurrent calls are served safely', { skip }, async (t) => {
  const rt = newRuntime(t);
  const bundle = makeBundle(['sleep', '30']);
  t.teardown(() => bundle.cleanup());
  await warmUp(rt);
  const call = (args: string[]): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((res) => {
      const c = spawn(FRONT, ['--root', rt.root, ...args], { env: WARM_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      // 'exit', not 'close': a detached container keeps the pipes it inherited
      c.on('exit', (code) => setTimeout(() => res({ code, out, err }), 50));
    });
  const ids = [0, 1, 2, 3].map((i) => `w-par${i}`);
  const created = await Promise.all(ids.map((id) => call(['run', '-d', '--bundle', bundle.dir, id])));
  created.forEach((r, i) => t.equal(r.code, 0, `run -d ${ids[i]}: ${r.err}`));
  const states = await Promise.all([...ids, ...ids].map((id) => call(['state', id])));
  states.forEach((r, i) => {
    t.equal(r.code, 0, r.err);
    t.equal((JSON.parse(r.out) as { id: string; status: string }).id, ids[i % 4], 'each caller got its own answer');
  });
  const deleted = await Promise.all(ids.map((id) => call(['delete', '--force', id])));
  deleted.forEach((r) => t.equal(r.code, 0, r.err));
  t.equal(front(rt, ['list', '-q']).stdout.trim(), '', 'nothing left');
});

t.test('fallback to the cold path: killed server, changed build, other namespace, non-root caller', { skip }, async (t) => {
  const rt = newRuntime(t);
  await warmUp(rt);
  // killed: the socket refuses, the call runs cold and a new server starts
  const first = serverPid(rt)!;
  await stopServer(rt);
  const afterKill = front(rt, ['--trace', 'list']);
  t.equal(afterKill.status, 0, afterKill.stderr);
  t.equal(servedBy(afterKill.stderr), undefined, 'cold while the server is down');
  await warmUp(rt);
  t.not(serverPid(rt), first, 'a new server took over');

  // another mount namespace: the worker sends the call back
  const unshared = spawnSync('unshare', ['-m', FRONT, '--root', rt.root, '--trace', 'list'], { env: WARM_ENV, encoding: 'utf8' });
  t.equal(unshared.status, 0, unshared.stderr);
  t.equal(servedBy(unshared.stderr), undefined, 'a caller in another mount namespace is served cold');

  // the build changed under the server: fallback, and the server stops
  const server = serverPid(rt)!;
  const st = statSync(COLD_ENTRY);
  utimesSync(COLD_ENTRY, st.atime, new Date(st.mtimeMs + 2000));
  t.teardown(() => utimesSync(COLD_ENTRY, st.atime, st.mtime));
  const stale = front(rt, ['--trace', 'list']);
  t.equal(stale.status, 0, stale.stderr);
  t.equal(servedBy(stale.stderr), undefined, 'a stale server sends the call back');
  await until('the stale server to stop', () => !alive(server));
  utimesSync(COLD_ENTRY, st.atime, st.mtime);

  // not root: warm mode is root's; the front goes cold without a server
  const nobodyRoot = mkdtempSync(join(tmpdir(), 'tsrunc-warm-nobody-'));
  t.teardown(() => rmSync(nobodyRoot, { recursive: true, force: true }));
  spawnSync('chown', ['65534:65534', nobodyRoot]);
  const nobodyEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, TSRUNC_WARM: '1' };
  const asNobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', FRONT, '--root', nobodyRoot, 'list'], {
    env: nobodyEnv,
    encoding: 'utf8',
  });
  t.equal(asNobody.status, 0, asNobody.stderr);
  t.notOk(existsSync(join(nobodyRoot, '.warm')), 'no server for an unprivileged caller');
});

t.test('the server exits when idle and when its root is removed', { skip }, async (t) => {
  const rt = newRuntime(t);
  const env = { ...WARM_ENV, TSRUNC_WARM_IDLE: '2' };
  front(rt, ['list'], env);
  await until('the server to start', () => serverPid(rt) !== undefined && existsSync(join(rt.root, '.warm/sock')));
  const idle = serverPid(rt)!;
  await until('the idle server to exit', () => !alive(idle), 15_000);
  t.notOk(existsSync(join(rt.root, '.warm')), 'it removed .warm (socket, pid file, log)');

  // a root the server made itself (no container was ever created there)
  const parent = mkdtempSync(join(tmpdir(), 'tsrunc-warm-made-'));
  t.teardown(() => rmSync(parent, { recursive: true, force: true }));
  const made = join(parent, 'root');
  const first = spawnSync(FRONT, ['--root', made, 'list'], { env, encoding: 'utf8' });
  t.equal(first.status, 0, first.stderr);
  await until('the server to start in a new root', () => existsSync(join(made, '.warm/server.pid')));
  const madePid = Number(readFileSync(join(made, '.warm/server.pid'), 'utf8'));
  await until('that server to exit', () => !alive(madePid), 15_000);
  t.notOk(existsSync(made), 'the root it made is gone with it');

  const rt2 = newRuntime(t);
  await warmUp(rt2);
  const pid = serverPid(rt2)!;
  spawnSync('rm', ['-rf', rt2.root]);
  await until('the server of a removed root to exit', () => !alive(pid), 10_000);
  t.pass('gone with its root');
});

t.test('warm mode is off by default; the flag, the name tsrunc-warm and the config file turn it on', { skip }, async (t) => {
  const rt = newRuntime(t);
  const plain = { ...process.env };
  delete plain.TSRUNC_WARM;
  delete plain.TSRUNC_CONFIG;
  const off = front(rt, ['list'], { ...plain, TSRUNC_CONFIG: '/nonexistent' });
  t.equal(off.status, 0, off.stderr);
  t.notOk(existsSync(join(rt.root, '.warm')), 'no server without opting in');
  const flagged = front(rt, ['--warm', 'list'], { ...plain, TSRUNC_CONFIG: '/nonexistent' });
  t.equal(flagged.status, 0, flagged.stderr);
  await until('the flag to start a server', () => existsSync(join(rt.root, '.warm/sock')));
  await stopServer(rt);

  const rt2 = newRuntime(t);
  const conf = join(rt2.root, 'tsrunc.conf');
  spawnSync('sh', ['-c', `printf '# test\\nwarm = true\\nwarm-idle-seconds = 30\\n' > ${conf}`]);
  const viaConf = front(rt2, ['list'], { ...plain, TSRUNC_CONFIG: conf });
  t.equal(viaConf.status, 0, viaConf.stderr);
  await until('the config file to start a server', () => existsSync(join(rt2.root, '.warm/sock')));
  const rt3 = newRuntime(t);
  const link = join(rt3.root, 'tsrunc-warm');
  symlinkSync(FRONT, link);
  const byName = spawnSync(link, ['--root', rt3.root, 'list'], { env: { ...plain, TSRUNC_CONFIG: '/nonexistent' }, encoding: 'utf8' });
  t.equal(byName.status, 0, byName.stderr);
  await until('the name tsrunc-warm to start a server', () => existsSync(join(rt3.root, '.warm/sock')));
  const envOff = new Runtime();
  t.teardown(() => envOff.cleanup());
  t.equal(front(envOff, ['list'], { ...plain, TSRUNC_CONFIG: conf, TSRUNC_WARM: '0' }).status, 0);
  t.notOk(existsSync(join(envOff.root, '.warm')), 'TSRUNC_WARM=0 overrides the config file');
});

// Last: it makes this process a subreaper for the rest of its life.
t.test("the container's init is the front's child: the caller's subreaper adopts it", { skip }, async (t) => {
  const rt = newRuntime(t);
  const bundle = makeBundle(['sleep', '30']);
  t.teardown(() => bundle.cleanup());
  await warmUp(rt);
  addon.setChildSubreaper(); // this test process plays the engine's shim
  const r = front(rt, ['--trace', 'create', '--bundle', bundle.dir, 'w-reap']);
  t.equal(r.status, 0, r.stderr);
  t.not(servedBy(r.stderr), undefined, 'served warm');
  const pid = JSON.parse(front(rt, ['state', 'w-reap']).stdout).pid as number;
  const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  t.equal(ppid, process.pid, 'adopted by the subreaper that started the front, not the server');
  t.equal(front(rt, ['delete', '--force', 'w-reap']).status, 0);
});

t.test('a bad warm-mode setting is an error naming it, and starts nothing', { skip }, async (t) => {
  const rt = newRuntime(t);
  const plain: NodeJS.ProcessEnv = { ...process.env, TSRUNC_CONFIG: '/nonexistent' };
  delete plain.TSRUNC_WARM;
  delete plain.TSRUNC_WARM_IDLE;
  const conf = (text: string): string => {
    const file = join(rt.root, `conf-${calls++}`);
    writeFileSync(file, text);
    return file;
  };
  const bad = conf('# ok\nwarm = perhaps\n');
  const unknown = conf('warm = true\nwarmth = 1\n');
  const noEq = conf('warm\n');
  const idle = conf('warm-idle-seconds = -3\n');
  const cases: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ['--warm=maybe', ['--warm=maybe', 'list'], plain, /^tsrunc: --warm=maybe: expected true or false/],
    ['TSRUNC_WARM=maybe', ['list'], { ...plain, TSRUNC_WARM: 'maybe' }, /^tsrunc: TSRUNC_WARM: expected true or false/],
    ['TSRUNC_WARM_IDLE=soon', ['list'], { ...plain, TSRUNC_WARM_IDLE: 'soon' }, /^tsrunc: TSRUNC_WARM_IDLE: expected a positive whole number/],
    ['a bad value', ['list'], { ...plain, TSRUNC_CONFIG: bad }, new RegExp(`^tsrunc: ${bad}:2: warm: expected true or false`)],
    ['an unknown key', ['list'], { ...plain, TSRUNC_CONFIG: unknown }, new RegExp(`^tsrunc: ${unknown}:2: warmth: unknown key`)],
    ['a line without =', ['list'], { ...plain, TSRUNC_CONFIG: noEq }, new RegExp(`^tsrunc: ${noEq}:1: expected key = value`)],
    ['a bad idle timeout', ['list'], { ...plain, TSRUNC_CONFIG: idle }, new RegExp(`^tsrunc: ${idle}:1: warm-idle-seconds: expected a positive`)],
  ];
  for (const [what, args, env, message] of cases) {
    const r = front(rt, args, env);
    t.equal(r.status, 1, `${what}: exit 1`);
    t.match(r.stderr, message, `${what}: the error names the setting and the rule`);
  }
  t.notOk(existsSync(join(rt.root, '.warm')), 'no server was started');
  t.same(readdirSync(rt.root).filter((e) => !e.startsWith('conf-')), [], 'nothing else was made in the root');
});
