// Docker: `dockerd --add-runtime tsrunc=PATH` + `docker run --runtime tsrunc`.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Containerd, CONTAINERD_BIN, SHIM_BIN } from './lib/containerd.js';
import { Dockerd, DOCKERD_BIN, DOCKER_BIN } from './lib/dockerd.js';
import { maybeRecordingWrapper, runDir, runtimeUnderTest, skipReason, suiteTempDir } from './lib/env.js';
import { explain, run, waitFor } from './lib/exec.js';
import { buildImages, BUSYBOX_REF } from './lib/image.js';
import { removeDir } from './lib/cleanup.js';
import { cleanupStep, runSuite } from './lib/suite.js';
import { BROKEN_MESSAGE, writeBrokenRuntime } from './lib/broken.js';

const reason = skipReason('docker', [DOCKERD_BIN, DOCKER_BIN, CONTAINERD_BIN, SHIM_BIN]);
if (reason !== undefined) {
  t.plan(0, reason);
} else {
  await runSuite(t, 'docker', main);
}

async function main(): Promise<void> {
  const dir = suiteTempDir('docker');
  const rdir = runDir('docker');
  const name = `tsrunc-test-docker-${process.pid}`;
  const realRuntime = runtimeUnderTest();
  const runtime = maybeRecordingWrapper(realRuntime, 'docker', dir);
  const broken = writeBrokenRuntime(dir);
  let ctrd: Containerd | undefined;
  let dockerd: Dockerd | undefined;
  t.teardown(async () => {
    const problems: string[] = [];
    const [docker, containerd] = [dockerd, ctrd];
    if (docker) await cleanupStep(problems, 'stop dockerd', () => docker.stop());
    if (containerd) {
      await cleanupStep(problems, 'clear namespace', () => containerd.clearNamespace(name));
      await cleanupStep(problems, 'stop containerd', () => containerd.stop([`/${name}`]));
    }
    await cleanupStep(problems, 'remove temp dir', () => removeDir(dir));
    if (problems.length > 0) throw new Error(`docker suite cleanup: ${problems.join('; ')}`);
  });

  const images = await buildImages(join(dir, 'image'));
  ctrd = await Containerd.start({ dir: join(dir, 'containerd'), runDir: rdir });
  dockerd = await Dockerd.start({
    dir: join(dir, 'docker'),
    runDir: rdir,
    containerdSocket: ctrd.socket,
    name,
    runtimes: { tsrunc: runtime, 'tsrunc-broken': broken },
  });
  const d = dockerd;
  await d.mustDocker(['load', '-i', images.busybox], { timeoutMs: 120_000 });

  const docker = (args: string[], timeoutMs = 30_000) => d.docker(args, { timeoutMs });
  const dockerRun = (opts: string[], cmd: string[], timeoutMs = 30_000) =>
    docker(['run', '--runtime', 'tsrunc', '--network', 'none', ...opts, BUSYBOX_REF, ...cmd], timeoutMs);
  const inspect = async (id: string, format: string): Promise<string> =>
    (await d.mustDocker(['inspect', '--format', format, id], { timeoutMs: 15_000 })).stdout.trim();
  const cgroupDir = (ctrl: string, fullId: string) => `/sys/fs/cgroup/${ctrl}/${name}/${fullId}`;

  await t.test('the runtime is registered', async (t) => {
    const r = await docker(['info', '--format', '{{json .Runtimes}}']);
    t.equal(r.code, 0, explain(r));
    t.match(r.stdout, /"tsrunc"/, explain(r));
  });

  await t.test('run captures output', async (t) => {
    const r = await dockerRun(['--rm'], ['echo', 'hello from docker']);
    t.equal(r.code, 0, explain(r));
    t.equal(r.stdout, 'hello from docker\n', explain(r));
  });

  await t.test('exit code is passed through', async (t) => {
    const r = await dockerRun(['--rm'], ['sh', '-c', 'exit 7']);
    t.equal(r.code, 7, explain(r));
  });

  await t.test('env, user, workdir', async (t) => {
    const r = await dockerRun(['--rm', '-e', 'FOO=bar baz', '-u', '1000:1000', '-w', '/home/tsr'], [
      'sh',
      '-c',
      'echo "$FOO"; id -u; id -g; pwd',
    ]);
    t.equal(r.code, 0, explain(r));
    t.equal(r.stdout, 'bar baz\n1000\n1000\n/home/tsr\n', explain(r));
  });

  await t.test('detached run, exec, limits, top, stats, pause/unpause, stop, rm', async (t) => {
    const r = await dockerRun(['-d', '--name', 'det', '--memory', '64m', '--pids-limit', '50'], [
      'sh',
      '-c',
      'trap "exit 0" TERM; while :; do sleep 1; done',
    ]);
    t.equal(r.code, 0, explain(r));
    const id = r.stdout.trim();
    t.equal(await inspect('det', '{{.State.Status}}'), 'running');
    t.equal(await inspect('det', '{{.HostConfig.Runtime}}'), 'tsrunc');

    const ex = await docker(['exec', 'det', 'sh', '-c', 'echo in-exec; id -u']);
    t.equal(ex.code, 0, explain(ex));
    t.equal(ex.stdout, 'in-exec\n0\n', explain(ex));
    const user = await docker(['exec', '-u', '1000', '-w', '/tmp', '-e', 'X=y', 'det', 'sh', '-c', 'id -u; pwd; echo $X']);
    t.equal(user.stdout, '1000\n/tmp\ny\n', explain(user));
    const exit3 = await docker(['exec', 'det', 'sh', '-c', 'exit 3']);
    t.equal(exit3.code, 3, `exec exit code: ${explain(exit3)}`);
    const tty = await docker(['exec', '-t', 'det', 'sh', '-c', '[ -t 1 ] && echo exec-tty']);
    t.match(tty.stdout, /exec-tty\r\n/, explain(tty));

    const limits = await docker(['exec', 'det', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max']);
    t.equal(limits.stdout, `${64 * 1024 * 1024}\n50\n`, `limits seen inside: ${explain(limits)}`);
    t.equal(readFileSync(join(cgroupDir('memory', id), 'memory.limit_in_bytes'), 'utf8').trim(), String(64 * 1024 * 1024));
    t.equal(readFileSync(join(cgroupDir('pids', id), 'pids.max'), 'utf8').trim(), '50');

    const top = await docker(['top', 'det']);
    t.equal(top.code, 0, explain(top));
    t.match(top.stdout, /while :; do sleep 1; done/, explain(top));

    const stats = await docker(['stats', '--no-stream', '--format', '{{.MemUsage}}|{{.PIDs}}', 'det']);
    t.equal(stats.code, 0, explain(stats));
    t.match(stats.stdout, /^[\d.]+[KMG]?i?B \/ 64MiB\|[1-9]\d*\n$/, explain(stats));

    const pause = await docker(['pause', 'det']);
    t.equal(pause.code, 0, explain(pause));
    t.equal(await inspect('det', '{{.State.Status}}'), 'paused');
    t.equal(readFileSync(join(cgroupDir('freezer', id), 'freezer.state'), 'utf8').trim(), 'FROZEN');
    const unpause = await docker(['unpause', 'det']);
    t.equal(unpause.code, 0, explain(unpause));
    t.equal(await inspect('det', '{{.State.Status}}'), 'running');
    const after = await docker(['exec', 'det', 'echo', 'alive']);
    t.equal(after.stdout, 'alive\n', explain(after));

    const stop = await docker(['stop', '-t', '10', 'det']);
    t.equal(stop.code, 0, explain(stop));
    t.equal(await inspect('det', '{{.State.Status}}'), 'exited');
    t.equal(await inspect('det', '{{.State.ExitCode}}'), '0', 'SIGTERM reached the trap');
    const rm = await docker(['rm', 'det']);
    t.equal(rm.code, 0, explain(rm));
    t.notOk(existsSync(cgroupDir('memory', id)), 'cgroup removed');
  });

  await t.test('tty', async (t) => {
    const r = await dockerRun(['--rm', '-t'], ['sh', '-c', 'tty; [ -t 1 ] && echo is-a-tty']);
    t.equal(r.code, 0, explain(r));
    t.match(r.stdout, /^\/dev\/pts\/\d+\r\nis-a-tty\r\n$/, explain(r));
  });

  await t.test('read-only rootfs', async (t) => {
    const r = await dockerRun(['--rm', '--read-only'], ['sh', '-c', 'touch /x 2>&1; echo rc=$?']);
    t.equal(r.code, 0, explain(r));
    t.match(r.stdout, /Read-only file system\nrc=1\n/, explain(r));
  });

  await t.test('logs', async (t) => {
    const r = await dockerRun(['-d', '--name', 'logs'], ['sh', '-c', 'echo to-stdout; echo to-stderr >&2']);
    t.equal(r.code, 0, explain(r));
    const wait = await docker(['wait', 'logs']);
    t.equal(wait.stdout.trim(), '0', explain(wait));
    const logs = await docker(['logs', 'logs']);
    t.equal(logs.stdout, 'to-stdout\n', explain(logs));
    t.equal(logs.stderr, 'to-stderr\n', explain(logs));
    await docker(['rm', 'logs']);
  });

  await t.test('--rm leaves nothing behind', async (t) => {
    const r = await dockerRun(['--rm', '--name', 'rmcheck'], ['true']);
    t.equal(r.code, 0, explain(r));
    const left = await waitFor('rmcheck removed', 10_000, async () => {
      const ps = await docker(['ps', '-aq', '--filter', 'name=rmcheck']);
      return ps.stdout.trim() === '' ? ps : undefined;
    }).catch((err: Error) => err.message);
    t.type(left, 'object', `container gone: ${String(left)}`);
    const tasks = await ctrd!.ctr(name, ['tasks', 'ls', '-q']);
    t.equal(tasks.stdout.trim(), '', `no containerd tasks left: ${explain(tasks)}`);
    const containers = await ctrd!.ctr(name, ['containers', 'ls', '-q']);
    t.equal(containers.stdout.trim(), '', `no containerd containers left: ${explain(containers)}`);
    // dockerd has the shim pass --root <exec-root>/runtime-runc/<namespace>.
    const list = await run(realRuntime, ['--root', join(rdir, 'exec', 'runtime-runc', name), 'list', '-q'], { timeoutMs: 15_000 });
    t.equal(list.code, 0, explain(list));
    t.equal(list.stdout.trim(), '', `runtime lists no containers: ${explain(list)}`);
  });

  await t.test('a broken runtime fails promptly with its message', async (t) => {
    const started = Date.now();
    const r = await docker(['run', '--rm', '--runtime', 'tsrunc-broken', '--network', 'none', BUSYBOX_REF, 'true']);
    t.not(r.code, 0, explain(r));
    t.match(r.stderr, BROKEN_MESSAGE, explain(r));
    t.ok(Date.now() - started < 20_000, 'fails within 20 s');
  });
}
