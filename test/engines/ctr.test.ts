// containerd via ctr: `ctr run --runtime io.containerd.runc.v2 --runc-binary PATH`.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Containerd, CONTAINERD_BIN, CTR_BIN, SHIM_BIN } from './lib/containerd.js';
import { maybeRecordingWrapper, runDir, runtimeUnderTest, skipReason, suiteTempDir } from './lib/env.js';
import { explain, run, waitFor } from './lib/exec.js';
import { buildImages, BUSYBOX_REF } from './lib/image.js';
import { removeDir } from './lib/cleanup.js';
import { cleanupStep, runSuite } from './lib/suite.js';
import { BROKEN_MESSAGE, writeBrokenRuntime } from './lib/broken.js';

const reason = skipReason('containerd/ctr', [CONTAINERD_BIN, CTR_BIN, SHIM_BIN, '/usr/bin/script']);
if (reason !== undefined) {
  t.plan(0, reason);
} else {
  await runSuite(t, 'ctr', main);
}

async function main(): Promise<void> {
  const dir = suiteTempDir('ctr');
  const rdir = runDir('ctr');
  const ns = `tsrunc-test-ctr-${process.pid}`;
  const cgParent = `/tsrunc-test-ctr-${process.pid}`;
  const runtimeRoot = join(rdir, 'runtime-root');
  const runtime = maybeRecordingWrapper(runtimeUnderTest(), 'ctr', dir);
  let d: Containerd | undefined;
  t.teardown(async () => {
    const problems: string[] = [];
    const ctrd = d;
    if (ctrd) {
      await cleanupStep(problems, 'clear namespace', () => ctrd.clearNamespace(ns));
      await cleanupStep(problems, 'stop containerd', () => ctrd.stop([cgParent]));
    }
    await cleanupStep(problems, 'remove temp dir', () => removeDir(dir));
    if (problems.length > 0) throw new Error(`ctr suite cleanup: ${problems.join('; ')}`);
  });

  const images = await buildImages(join(dir, 'image'));
  d = await Containerd.start({ dir: join(dir, 'containerd'), runDir: rdir });
  const ctrd = d;
  await ctrd.importImage(ns, images.busybox);

  const runFlags = (id: string, rt = runtime): string[] => [
    'run',
    '--runtime',
    'io.containerd.runc.v2',
    '--runc-binary',
    rt,
    '--runc-root',
    runtimeRoot,
    '--cgroup',
    `${cgParent}/${id}`,
  ];
  const ctrRun = (id: string, opts: string[], cmd: string[], timeoutMs = 30_000) =>
    ctrd.ctr(ns, [...runFlags(id), ...opts, BUSYBOX_REF, id, ...cmd], { timeoutMs });
  const taskStatus = async (id: string): Promise<string | undefined> => {
    const r = await ctrd.ctr(ns, ['tasks', 'ls'], { timeoutMs: 15_000 });
    const line = r.stdout.split('\n').find((l) => l.split(/\s+/)[0] === id);
    return line?.trim().split(/\s+/)[2];
  };
  const cgroupDir = (ctrl: string, id: string) => `/sys/fs/cgroup/${ctrl}${cgParent}/${id}`;

  await t.test('run captures output', async (t) => {
    const r = await ctrRun('out', ['--rm'], ['echo', 'hello from ctr']);
    t.equal(r.code, 0, explain(r));
    t.equal(r.stdout, 'hello from ctr\n', explain(r));
  });

  await t.test('exit code is passed through', async (t) => {
    const r = await ctrRun('exit7', ['--rm'], ['sh', '-c', 'exit 7']);
    t.equal(r.code, 7, explain(r));
  });

  await t.test('env and workdir', async (t) => {
    const r = await ctrRun('envcwd', ['--rm', '--env', 'FOO=bar baz', '--cwd', '/home/tsr'], [
      'sh',
      '-c',
      'echo "$FOO"; pwd; id -u',
    ]);
    t.equal(r.code, 0, explain(r));
    t.equal(r.stdout, 'bar baz\n/home/tsr\n0\n', explain(r));
  });

  await t.test('detached run, exec (with user), ps, metrics, pause/resume, kill, rm', async (t) => {
    const id = 'detached';
    const r = await ctrRun(id, ['-d', '--memory-limit', String(64 * 1024 * 1024)], [
      'sh',
      '-c',
      'trap "exit 0" TERM; while :; do sleep 1; done',
    ]);
    t.equal(r.code, 0, explain(r));
    await waitFor(`task ${id} RUNNING`, 15_000, async () => ((await taskStatus(id)) === 'RUNNING' ? true : undefined));

    const ex = await ctrd.ctr(ns, ['tasks', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo in-exec; id -u'], {
      timeoutMs: 20_000,
    });
    t.equal(ex.code, 0, explain(ex));
    t.equal(ex.stdout, 'in-exec\n0\n', explain(ex));
    const user = await ctrd.ctr(ns, ['tasks', 'exec', '--exec-id', 'e2', '--user', '1000', '--cwd', '/tmp', id, 'sh', '-c', 'id -u; id -g; pwd'], {
      timeoutMs: 20_000,
    });
    t.equal(user.code, 0, explain(user));
    t.equal(user.stdout, '1000\n1000\n/tmp\n', explain(user));
    const exit3 = await ctrd.ctr(ns, ['tasks', 'exec', '--exec-id', 'e3', id, 'sh', '-c', 'exit 3'], { timeoutMs: 20_000 });
    t.equal(exit3.code, 3, `exec exit code: ${explain(exit3)}`);

    // ctr's default spec mounts no cgroupfs in the container: the limit is checked
    // on the container's own cgroup, which /proc/self/cgroup inside names.
    const own = await ctrd.ctr(ns, ['tasks', 'exec', '--exec-id', 'e4', id, 'cat', '/proc/self/cgroup'], { timeoutMs: 20_000 });
    t.match(own.stdout, new RegExp(`memory:${cgParent}/${id}\\n`), explain(own));
    t.equal(readFileSync(join(cgroupDir('memory', id), 'memory.limit_in_bytes'), 'utf8').trim(), String(64 * 1024 * 1024));

    const ps = await ctrd.ctr(ns, ['tasks', 'ps', id], { timeoutMs: 15_000 });
    t.equal(ps.code, 0, explain(ps));
    const pids = ps.stdout.split('\n').slice(1).filter(Boolean).map((l) => Number(l.trim().split(/\s+/)[0]));
    t.ok(pids.length >= 1, `ps lists the container's processes: ${explain(ps)}`);
    // The loop forks a new sleep every second, so compare the long-lived init
    // process only: the task's PID must be listed by ps and be in its cgroup.
    const tasks = await ctrd.ctr(ns, ['tasks', 'ls'], { timeoutMs: 15_000 });
    const initPid = Number(tasks.stdout.split('\n').find((l) => l.split(/\s+/)[0] === id)?.trim().split(/\s+/)[1]);
    t.ok(pids.includes(initPid), `ps lists the init pid ${initPid}: ${explain(ps)}`);
    const inCgroup = readFileSync(join(cgroupDir('pids', id), 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    t.ok(inCgroup.includes(initPid), `init pid ${initPid} is in the container cgroup ${inCgroup}`);

    const metrics = await ctrd.ctr(ns, ['tasks', 'metrics', id], { timeoutMs: 15_000 });
    t.equal(metrics.code, 0, explain(metrics));
    t.match(metrics.stdout, /memory\.usage_in_bytes\s+\d+/, `metrics: ${explain(metrics)}`);
    t.match(metrics.stdout, /pids\.current\s+[1-9]/, `metrics: ${explain(metrics)}`);

    const pause = await ctrd.ctr(ns, ['tasks', 'pause', id], { timeoutMs: 15_000 });
    t.equal(pause.code, 0, explain(pause));
    t.equal(await taskStatus(id), 'PAUSED');
    t.equal(readFileSync(join(cgroupDir('freezer', id), 'freezer.state'), 'utf8').trim(), 'FROZEN');
    const resume = await ctrd.ctr(ns, ['tasks', 'resume', id], { timeoutMs: 15_000 });
    t.equal(resume.code, 0, explain(resume));
    t.equal(await taskStatus(id), 'RUNNING');
    t.equal(readFileSync(join(cgroupDir('freezer', id), 'freezer.state'), 'utf8').trim(), 'THAWED');

    const kill = await ctrd.ctr(ns, ['tasks', 'kill', id], { timeoutMs: 15_000 });
    t.equal(kill.code, 0, explain(kill));
    await waitFor(`task ${id} STOPPED after SIGTERM`, 15_000, async () =>
      (await taskStatus(id)) === 'STOPPED' ? true : undefined,
    );
    const rm = await ctrd.ctr(ns, ['tasks', 'rm', id], { timeoutMs: 15_000 });
    t.equal(rm.code, 0, explain(rm));
    const crm = await ctrd.ctr(ns, ['containers', 'rm', id], { timeoutMs: 15_000 });
    t.equal(crm.code, 0, explain(crm));
    t.notOk(existsSync(join(runtimeRoot, ns, id)), 'runtime state removed');
    t.notOk(existsSync(cgroupDir('memory', id)), 'cgroup removed');
  });

  await t.test('tty', async (t) => {
    // ctr -t needs its own stdin to be a terminal: script(1) provides one.
    const cmd = ['/usr/bin/ctr', '-a', ctrd.socket, '-n', ns, ...runFlags('tty'), '--rm', '-t', BUSYBOX_REF, 'tty', 'sh', '-c', 'tty; [ -t 1 ] && echo is-a-tty']
      .map((a) => `'${a}'`)
      .join(' ');
    const r = await run('/usr/bin/script', ['-qec', cmd, '/dev/null'], { timeoutMs: 30_000, breaker: ctrd.breaker });
    t.equal(r.code, 0, explain(r));
    t.match(r.stdout, /\/dev\/pts\/\d+\r*\n/, explain(r));
    t.match(r.stdout, /is-a-tty\r/, `stdout is a terminal inside: ${explain(r)}`);
  });

  await t.test('read-only rootfs', async (t) => {
    const r = await ctrRun('ro', ['--rm', '--read-only'], ['sh', '-c', 'touch /x 2>&1; echo rc=$?; touch /tmp/y 2>&1; echo tmp=$?']);
    t.equal(r.code, 0, explain(r));
    t.match(r.stdout, /Read-only file system/, explain(r));
    t.match(r.stdout, /rc=1\n/, explain(r));
  });

  await t.test('logs to a file via --log-uri', async (t) => {
    const logFile = join(dir, 'ctr-logs.txt');
    const r = await ctrRun('logs', ['--rm', '--log-uri', `file://${logFile}`], ['sh', '-c', 'echo to-log-out; echo to-log-err >&2; sleep 0.5']);
    t.equal(r.code, 0, explain(r));
    // The shim may still be copying when ctr returns; the sleep gives its two
    // copiers time before --rm tears the task down (stderr was lost 1 in ~5 runs).
    const text = await waitFor('both streams in the log file', 5_000, async () => {
      const s = readFileSync(logFile, 'utf8');
      return s.includes('to-log-out') && s.includes('to-log-err') ? s : undefined;
    }).catch((err: Error) => {
      let content: string;
      try {
        content = JSON.stringify(readFileSync(logFile, 'utf8'));
      } catch (e) {
        content = (e as Error).message;
      }
      return `${err.message}; the file has ${content}`;
    });
    t.match(text, /to-log-out/, text);
    t.match(text, /to-log-err/, text);
  });

  await t.test('--rm leaves nothing behind', async (t) => {
    const id = 'rmcheck';
    const r = await ctrRun(id, ['--rm'], ['true']);
    t.equal(r.code, 0, explain(r));
    const containers = await ctrd.ctr(ns, ['containers', 'ls', '-q']);
    t.notOk(containers.stdout.split('\n').includes(id), `no container: ${containers.stdout}`);
    const tasks = await ctrd.ctr(ns, ['tasks', 'ls', '-q']);
    t.notOk(tasks.stdout.split('\n').includes(id), `no task: ${tasks.stdout}`);
    const snaps = await ctrd.ctr(ns, ['snapshots', 'ls']);
    t.notOk(snaps.stdout.split(/\s+/).includes(id), `no snapshot: ${snaps.stdout}`);
    const stateDir = join(runtimeRoot, ns);
    const left = existsSync(stateDir) ? readdirSync(stateDir) : [];
    t.notOk(left.includes(id), `runtime state dir gone: ${left}`);
    for (const ctrl of ['memory', 'pids', 'freezer', 'cpu']) t.notOk(existsSync(cgroupDir(ctrl, id)), `${ctrl} cgroup gone`);
  });

  await t.test('a broken runtime fails promptly with its message', async (t) => {
    const broken = writeBrokenRuntime(dir);
    const started = Date.now();
    const r = await ctrd.ctr(ns, [...runFlags('broken', broken), '--rm', BUSYBOX_REF, 'broken', 'true'], { timeoutMs: 30_000 });
    t.not(r.code, 0, explain(r));
    t.match(r.stderr, BROKEN_MESSAGE, explain(r));
    t.ok(Date.now() - started < 20_000, 'fails within 20 s');
    await ctrd.ctr(ns, ['containers', 'rm', 'broken']);
  });
}
