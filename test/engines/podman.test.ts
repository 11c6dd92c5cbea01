// Podman: `podman --runtime PATH`, with `tsrunc` in runtime_supports_json.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Podman, PODMAN_BIN, CONMON_BIN, CATATONIT_BIN } from './lib/podman.js';
import { maybeRecordingWrapper, runDir, runtimeUnderTest, skipReason, suiteTempDir } from './lib/env.js';
import { explain, run } from './lib/exec.js';
import { buildImages, BUSYBOX_REF } from './lib/image.js';
import { removeDir } from './lib/cleanup.js';
import { cleanupStep, runSuite } from './lib/suite.js';
import { BROKEN_MESSAGE, writeBrokenRuntime } from './lib/broken.js';

const reason = skipReason('podman', [PODMAN_BIN, CONMON_BIN, CATATONIT_BIN]);
if (reason !== undefined) {
  t.plan(0, reason);
} else {
  await runSuite(t, 'podman', main);
}

async function main(): Promise<void> {
  const dir = suiteTempDir('podman');
  const rdir = runDir('podman');
  const cgParent = `/tsrunc-test-podman-${process.pid}`;
  const realRuntime = runtimeUnderTest();
  const runtime = maybeRecordingWrapper(realRuntime, 'podman', dir);
  const p = new Podman({ dir: join(dir, 'podman'), runDir: rdir, cgroupParent: cgParent, runtimes: { tsrunc: runtime } });
  t.teardown(async () => {
    const problems: string[] = [];
    await cleanupStep(problems, 'podman cleanup', () => p.cleanup(runtime));
    await cleanupStep(problems, 'remove dirs', () => [...removeDir(dir), ...removeDir(rdir)]);
    if (problems.length > 0) throw new Error(`podman suite cleanup: ${problems.join('; ')}`);
  });

  const images = await buildImages(join(dir, 'image'));
  await p.mustPodman(runtime, ['load', '-q', '-i', images.busybox], { timeoutMs: 120_000 });

  const podman = (args: string[], timeoutMs = 30_000) => p.podman(runtime, args, { timeoutMs });
  const podmanRun = (opts: string[], cmd: string[], timeoutMs = 30_000) =>
    podman(['run', '--network', 'none', '--cgroup-parent', cgParent, ...opts, BUSYBOX_REF, ...cmd], timeoutMs);
  const inspect = async (id: string, format: string): Promise<string> =>
    (await p.mustPodman(runtime, ['inspect', '--format', format, id], { timeoutMs: 15_000 })).stdout.trim();
  const cgroupDir = (ctrl: string, fullId: string) => `/sys/fs/cgroup/${ctrl}${cgParent}/libpod-${fullId}`;

  await t.test('the runtime is used by path', async (t) => {
    const r = await podman(['info', '--format', '{{.Host.OCIRuntime.Path}}']);
    t.equal(r.code, 0, explain(r));
    t.equal(r.stdout.trim(), runtime, explain(r));
  });

  await t.test('the runtime is also known by name ([engine.runtimes])', async (t) => {
    const r = await p.podman('tsrunc', ['run', '--rm', '--network', 'none', '--cgroup-parent', cgParent, BUSYBOX_REF, 'echo', 'by name'], {
      timeoutMs: 30_000,
    });
    t.equal(r.code, 0, explain(r));
    t.equal(r.stdout, 'by name\n', explain(r));
  });

  await t.test('run captures output', async (t) => {
    const r = await podmanRun(['--rm'], ['echo', 'hello from podman']);
    t.equal(r.code, 0, explain(r));
    t.equal(r.stdout, 'hello from podman\n', explain(r));
  });

  await t.test('exit code is passed through', async (t) => {
    const r = await podmanRun(['--rm'], ['sh', '-c', 'exit 7']);
    t.equal(r.code, 7, explain(r));
  });

  await t.test('env, user, workdir', async (t) => {
    const r = await podmanRun(['--rm', '-e', 'FOO=bar baz', '-u', '1000:1000', '-w', '/home/tsr'], [
      'sh',
      '-c',
      'echo "$FOO"; id -u; id -g; pwd',
    ]);
    t.equal(r.code, 0, explain(r));
    t.equal(r.stdout, 'bar baz\n1000\n1000\n/home/tsr\n', explain(r));
  });

  await t.test('detached run, exec, limits, top, stats, pause/unpause, stop, rm', async (t) => {
    const r = await podmanRun(['-d', '--name', 'det', '--memory', '64m', '--pids-limit', '50'], [
      'sh',
      '-c',
      'trap "exit 0" TERM; while :; do sleep 1; done',
    ]);
    t.equal(r.code, 0, explain(r));
    const id = r.stdout.trim();
    t.equal(await inspect('det', '{{.State.Status}}'), 'running');
    t.equal(await inspect('det', '{{.OCIRuntime}}'), runtime);

    const ex = await podman(['exec', 'det', 'sh', '-c', 'echo in-exec; id -u']);
    t.equal(ex.code, 0, explain(ex));
    t.equal(ex.stdout, 'in-exec\n0\n', explain(ex));
    const user = await podman(['exec', '-u', '1000', '-w', '/tmp', '-e', 'X=y', 'det', 'sh', '-c', 'id -u; pwd; echo $X']);
    t.equal(user.stdout, '1000\n/tmp\ny\n', explain(user));
    const exit3 = await podman(['exec', 'det', 'sh', '-c', 'exit 3']);
    t.equal(exit3.code, 3, `exec exit code: ${explain(exit3)}`);
    const tty = await podman(['exec', '-t', 'det', 'sh', '-c', '[ -t 1 ] && echo exec-tty']);
    t.match(tty.stdout, /exec-tty\r\n/, explain(tty));

    const limits = await podman(['exec', 'det', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max']);
    t.equal(limits.stdout, `${64 * 1024 * 1024}\n50\n`, `limits seen inside: ${explain(limits)}`);
    t.equal(readFileSync(join(cgroupDir('memory', id), 'memory.limit_in_bytes'), 'utf8').trim(), String(64 * 1024 * 1024));
    t.equal(readFileSync(join(cgroupDir('pids', id), 'pids.max'), 'utf8').trim(), '50');

    const top = await podman(['top', 'det', 'pid', 'args']);
    t.equal(top.code, 0, explain(top));
    t.match(top.stdout, /while :; do sleep 1; done/, explain(top));

    const stats = await podman(['stats', '--no-stream', '--format', '{{.MemUsage}}|{{.PIDs}}', 'det']);
    t.equal(stats.code, 0, explain(stats));
    t.match(stats.stdout, /^[\d.]+[kKMG]?B \/ 67\.11MB\|[1-9]\d*\n$/, explain(stats));

    const pause = await podman(['pause', 'det']);
    t.equal(pause.code, 0, explain(pause));
    t.equal(await inspect('det', '{{.State.Status}}'), 'paused');
    t.equal(readFileSync(join(cgroupDir('freezer', id), 'freezer.state'), 'utf8').trim(), 'FROZEN');
    const unpause = await podman(['unpause', 'det']);
    t.equal(unpause.code, 0, explain(unpause));
    t.equal(await inspect('det', '{{.State.Status}}'), 'running');
    const after = await podman(['exec', 'det', 'echo', 'alive']);
    t.equal(after.stdout, 'alive\n', explain(after));

    const stop = await podman(['stop', '-t', '10', 'det']);
    t.equal(stop.code, 0, explain(stop));
    t.equal(await inspect('det', '{{.State.Status}}'), 'exited');
    t.equal(await inspect('det', '{{.State.ExitCode}}'), '0', 'SIGTERM reached the trap');
    const rm = await podman(['rm', 'det']);
    t.equal(rm.code, 0, explain(rm));
    t.notOk(existsSync(cgroupDir('memory', id)), 'cgroup removed');
  });

  await t.test('tty', async (t) => {
    const r = await podmanRun(['--rm', '-t'], ['sh', '-c', 'tty; [ -t 1 ] && echo is-a-tty']);
    t.equal(r.code, 0, explain(r));
    t.match(r.stdout, /^\/dev\/pts\/\d+\r\nis-a-tty\r\n$/, explain(r));
  });

  await t.test('read-only rootfs', async (t) => {
    const r = await podmanRun(['--rm', '--read-only', '--read-only-tmpfs=false'], ['sh', '-c', 'touch /x 2>&1; echo rc=$?']);
    t.equal(r.code, 0, explain(r));
    t.match(r.stdout, /Read-only file system\nrc=1\n/, explain(r));
  });

  await t.test('logs', async (t) => {
    const r = await podmanRun(['-d', '--name', 'logs'], ['sh', '-c', 'echo to-stdout; echo to-stderr >&2']);
    t.equal(r.code, 0, explain(r));
    const wait = await podman(['wait', 'logs']);
    t.equal(wait.stdout.trim(), '0', explain(wait));
    const logs = await podman(['logs', 'logs']);
    t.equal(logs.stdout, 'to-stdout\n', explain(logs));
    t.equal(logs.stderr, 'to-stderr\n', explain(logs));
    await podman(['rm', 'logs']);
  });

  await t.test('--rm leaves nothing behind', async (t) => {
    const cidFile = join(dir, 'rmcheck.cid');
    const r = await podmanRun(['--rm', '--name', 'rmcheck', '--cidfile', cidFile], ['true']);
    t.equal(r.code, 0, explain(r));
    const id = readFileSync(cidFile, 'utf8').trim();
    t.match(id, /^[0-9a-f]{64}$/, 'container id recorded');
    const ps = await podman(['ps', '-aq', '--filter', 'name=rmcheck']);
    t.equal(ps.stdout.trim(), '', `container gone: ${explain(ps)}`);
    // Podman passes no --root: the runtime keeps state in its default root.
    const list = await run(realRuntime, ['list', '-q'], { timeoutMs: 15_000 });
    t.equal(list.code, 0, explain(list));
    t.notOk(list.stdout.split('\n').includes(id), `runtime no longer lists ${id}: ${explain(list)}`);
    t.notOk(existsSync(cgroupDir('memory', id)), 'container cgroup gone');
    const cgroups = readdirSync(`/sys/fs/cgroup/memory${cgParent}`).filter((n) => n.startsWith('libpod-'));
    t.same(cgroups, [], 'no container cgroups left');
  });

  await t.test('a broken runtime fails promptly with its message', async (t) => {
    const broken = writeBrokenRuntime(dir);
    const started = Date.now();
    const r = await p.podman(broken, ['run', '--rm', '--network', 'none', '--cgroup-parent', cgParent, BUSYBOX_REF, 'true'], {
      timeoutMs: 30_000,
    });
    t.not(r.code, 0, explain(r));
    t.match(r.stderr, BROKEN_MESSAGE, explain(r));
    t.ok(Date.now() - started < 20_000, 'fails within 20 s');
  });
}
