// CRI: containerd's CRI plugin with a runtime handler `tsrunc` (runc.v2 shim,
// BinaryName = the runtime), driven over gRPC like the kubelet would.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Containerd, CONTAINERD_BIN, CTR_BIN, SHIM_BIN } from './lib/containerd.js';
import { CriClient, ContainerConfig, ContainerState, parseCriLog, PodSandboxConfig } from './lib/cri.js';
import { maybeRecordingWrapper, runDir, runtimeUnderTest, skipReason, suiteTempDir } from './lib/env.js';
import { waitFor } from './lib/exec.js';
import { buildImages, BUSYBOX_REF, PAUSE_REF } from './lib/image.js';
import { removeDir } from './lib/cleanup.js';
import { cleanupStep, runSuite } from './lib/suite.js';
import { BROKEN_MESSAGE, writeBrokenRuntime } from './lib/broken.js';

const reason = skipReason('CRI (containerd)', [CONTAINERD_BIN, CTR_BIN, SHIM_BIN]);
if (reason !== undefined) {
  t.plan(0, reason);
} else {
  await runSuite(t, 'cri', main);
}

async function main(): Promise<void> {
  const dir = suiteTempDir('cri');
  const rdir = runDir('cri');
  const cgParent = `/tsrunc-test-cri-${process.pid}`;
  const runtime = maybeRecordingWrapper(runtimeUnderTest(), 'cri', dir);
  const broken = writeBrokenRuntime(dir);
  const logDir = join(dir, 'pod-logs');
  let ctrd: Containerd | undefined;
  let cri: CriClient | undefined;
  t.teardown(async () => {
    const problems: string[] = [];
    if (cri) {
      // A pod that cannot be stopped is a problem to report, not a reason to stop cleaning.
      cri.breaker.tripped = undefined;
      const pods = await cri.listPodSandbox().catch(() => ({ items: [] }));
      for (const pod of pods.items) {
        await cri.stopPodSandbox(pod.id).catch((err: Error) => problems.push(err.message));
        await cri.removePodSandbox(pod.id).catch((err: Error) => problems.push(err.message));
      }
      cri.close();
    }
    const containerd = ctrd;
    if (containerd) {
      await cleanupStep(problems, 'clear namespace', () => containerd.clearNamespace('k8s.io'));
      await cleanupStep(problems, 'stop containerd', () => containerd.stop([cgParent]));
    }
    await cleanupStep(problems, 'remove temp dir', () => removeDir(dir));
    if (problems.length > 0) throw new Error(`CRI suite cleanup: ${problems.join('; ')}`);
  });

  const images = await buildImages(join(dir, 'image'));
  ctrd = await Containerd.start({
    dir: join(dir, 'containerd'),
    runDir: rdir,
    criRuntimes: { tsrunc: runtime, 'tsrunc-broken': broken },
    sandboxImage: PAUSE_REF,
  });
  const ctr = ctrd;
  // The CRI plugin serves images of the k8s.io namespace.
  await ctr.importImage('k8s.io', images.busybox);
  await ctr.importImage('k8s.io', images.pause);
  const c = new CriClient(ctr.socket, () => `containerd log tail:\n${ctr.logTail(2500)}`);
  cri = c;

  const sandboxConfig = (name: string): PodSandboxConfig => ({
    metadata: { name, uid: `${name}-uid`, namespace: 'tsrunc-test' },
    hostname: '',
    log_directory: join(logDir, name),
    linux: {
      cgroup_parent: `${cgParent}/${name}`,
      // Host network: no CNI plugin config is needed (nothing to reach anyway).
      security_context: { namespace_options: { network: 'NODE', pid: 'POD', ipc: 'POD' } },
    },
  });
  const containerConfig = (name: string, cmd: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    metadata: { name },
    image: { image: BUSYBOX_REF },
    command: cmd,
    log_path: `${name}.log`,
    ...extra,
    linux: {
      ...extra.linux,
      security_context: { namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' }, ...extra.linux?.security_context },
    },
  });
  const waitState = (id: string, state: ContainerState) =>
    waitFor(`container ${id} ${state}`, 20_000, async () => {
      const s = await c.containerStatus(id);
      return s.status?.state === state ? s : undefined;
    });
  // A failed ExecSync is reported as exit -1 with the error, so the rest of the
  // scenario (stats, stop, remove) still runs and reports.
  const execSync = (id: string, cmd: string[]) =>
    c.execSync(id, cmd).catch((err: Error) => ({ stdout: Buffer.from(''), stderr: Buffer.from(err.message), exit_code: -1 }));
  const logOf = (pod: string, name: string) => parseCriLog(readFileSync(join(logDir, pod, `${name}.log`), 'utf8'));

  await t.test('runtime and images are there', async (t) => {
    const v = await c.version();
    t.equal(v.runtime_name, 'containerd');
    t.equal(v.runtime_api_version, 'v1');
    for (const ref of [BUSYBOX_REF, PAUSE_REF]) {
      const img = await waitFor(`CRI sees image ${ref}`, 10_000, async () => (await c.imageStatus(ref)).image ?? undefined);
      t.ok(img.repo_tags.includes(ref), `${ref} in ${img.repo_tags}`);
    }
  });

  const podName = 'pod1';
  const podConfig = sandboxConfig(podName);
  // Created inside the first pod subtest: tap ends the root test once it is
  // idle between subtests, so no awaiting at top level from here on.
  let podId = '';
  const runToExit = async (name: string, cmd: string[], extra: Partial<ContainerConfig> = {}) => {
    const id = await c.createContainer(podId, containerConfig(name, cmd, extra), podConfig);
    await c.startContainer(id);
    const status = await waitState(id, 'CONTAINER_EXITED');
    const log = logOf(podName, name);
    await c.removeContainer(id);
    return { id, status: status.status, log };
  };

  await t.test('pod sandbox runs with the tsrunc handler', async (t) => {
    podId = await c.runPodSandbox(podConfig, 'tsrunc');
    const s = await c.podSandboxStatus(podId);
    t.equal(s.status?.state, 'SANDBOX_READY');
    t.equal(s.status?.runtime_handler, 'tsrunc');
  });

  await t.test('output, exit code and logs', async (t) => {
    const r = await runToExit('once', ['sh', '-c', 'echo hello from cri; echo to-stderr >&2; exit 7']);
    t.equal(r.status?.exit_code, 7, JSON.stringify(r.status));
    t.equal(r.log.stdout, 'hello from cri\n');
    t.equal(r.log.stderr, 'to-stderr\n');
  });

  await t.test('env, user, workdir', async (t) => {
    const r = await runToExit('envuser', ['sh', '-c', 'echo "$FOO"; id -u; id -g; pwd'], {
      envs: [{ key: 'FOO', value: 'bar baz' }],
      working_dir: '/home/tsr',
      linux: { security_context: { run_as_user: { value: 1000 }, run_as_group: { value: 1000 } } },
    });
    t.equal(r.status?.exit_code, 0, JSON.stringify(r.status));
    t.equal(r.log.stdout, 'bar baz\n1000\n1000\n/home/tsr\n');
  });

  await t.test('long-running container: exec, memory limit, stats, stop, remove', async (t) => {
    const id = await c.createContainer(
      podId,
      containerConfig('long', ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'], {
        linux: { resources: { memory_limit_in_bytes: 64 * 1024 * 1024 } },
      }),
      podConfig,
    );
    await c.startContainer(id);
    await waitState(id, 'CONTAINER_RUNNING');

    const ex = await execSync(id, ['sh', '-c', 'echo in-exec; id -u']);
    t.equal(ex.exit_code, 0, ex.stderr.toString());
    t.equal(ex.stdout.toString(), 'in-exec\n0\n');
    const exit3 = await execSync(id, ['sh', '-c', 'exit 3']);
    t.equal(exit3.exit_code, 3, `exec exit code: ${exit3.stderr.toString()}`);
    const limit = await execSync(id, ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']);
    t.equal(limit.stdout.toString().trim(), String(64 * 1024 * 1024), `limit seen inside: ${limit.stderr.toString()}`);
    t.equal(
      readFileSync(`/sys/fs/cgroup/memory${cgParent}/${podName}/${id}/memory.limit_in_bytes`, 'utf8').trim(),
      String(64 * 1024 * 1024),
    );

    const stats = await c.containerStats(id);
    t.ok(Number(stats.stats?.memory?.working_set_bytes?.value ?? 0) > 0, `memory stats: ${JSON.stringify(stats.stats?.memory)}`);
    t.ok(Number(stats.stats?.cpu?.usage_core_nano_seconds?.value ?? 0) > 0, `cpu stats: ${JSON.stringify(stats.stats?.cpu)}`);

    const listed = await c.listContainers(podId);
    t.ok(listed.containers.some((x) => x.id === id && x.state === 'CONTAINER_RUNNING'), 'listed as running');

    await c.stopContainer(id, 10);
    const s = await waitState(id, 'CONTAINER_EXITED');
    t.equal(s.status?.exit_code, 0, 'SIGTERM reached the trap');
    await c.removeContainer(id);
    const after = await c.listContainers(podId);
    t.notOk(after.containers.some((x) => x.id === id), 'removed');
    t.notOk(existsSync(`/sys/fs/cgroup/memory${cgParent}/${podName}/${id}`), 'cgroup removed');
  });

  await t.test('tty', async (t) => {
    const r = await runToExit('tty', ['sh', '-c', 'tty; [ -t 1 ] && echo is-a-tty'], { tty: true });
    t.equal(r.status?.exit_code, 0, JSON.stringify(r.status));
    t.match(r.log.stdout, /^\/dev\/pts\/\d+\r?\nis-a-tty\r?\n$/, JSON.stringify(r.log));
  });

  await t.test('read-only rootfs', async (t) => {
    const r = await runToExit('ro', ['sh', '-c', 'touch /x 2>&1; echo rc=$?'], {
      linux: { security_context: { readonly_rootfs: true } },
    });
    t.match(r.log.stdout, /Read-only file system\nrc=1\n/, JSON.stringify(r.log));
  });

  await t.test('stopping and removing the pod leaves nothing behind', async (t) => {
    await c.stopPodSandbox(podId);
    await c.removePodSandbox(podId);
    const pods = await c.listPodSandbox();
    t.notOk(pods.items.some((p) => p.id === podId), 'pod gone');
    const tasks = await ctr.ctr('k8s.io', ['tasks', 'ls', '-q']);
    t.equal(tasks.stdout.trim(), '', 'no containerd tasks');
    const containers = await ctr.ctr('k8s.io', ['containers', 'ls', '-q']);
    t.equal(containers.stdout.trim(), '', 'no containerd containers');
    const stateDir = join(rdir, 'runtime-root-cri', 'k8s.io');
    // (.warm: the warm server of that root in warm mode, not container state)
        t.same(existsSync(stateDir) ? readdirSync(stateDir).filter((e) => e !== '.warm') : [], [], 'no runtime state left');
    const podCgroup = `/sys/fs/cgroup/memory${cgParent}/${podName}`;
    t.same(existsSync(podCgroup) ? readdirSync(podCgroup, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [], [], 'no container cgroups left');
  });

  await t.test('a broken runtime handler fails promptly with its message', async (t) => {
    const started = Date.now();
    const err = await c.runPodSandbox(sandboxConfig('broken'), 'tsrunc-broken').then(
      () => undefined,
      (e: Error) => e,
    );
    t.ok(err, 'RunPodSandbox fails');
    t.match(err?.message ?? '', BROKEN_MESSAGE);
    t.ok(Date.now() - started < 30_000, 'fails within 30 s');
  });
}
