// A private containerd: root under a temp dir, state and sockets under
// /run/tsrunc-test-<engine>-<pid>, cgroupfs (no systemd here), stopped by PID.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { killLeftovers, removeCgroups, removeDir, stopPid, unmountUnder } from './cleanup.js';
import { spawnDaemon } from './suite.js';
import { Breaker, explain, GiveUp, run, RunOptions, RunResult, waitFor } from './exec.js';

export const CONTAINERD_BIN = '/usr/bin/containerd';
export const CTR_BIN = '/usr/bin/ctr';
export const SHIM_BIN = '/usr/bin/containerd-shim-runc-v2';

export interface ContainerdOptions {
  /** temp dir for root, config and log */
  dir: string;
  /** short dir under /run for state and sockets */
  runDir: string;
  /** CRI runtime handlers, name → binary (BinaryName); CRI is disabled when absent */
  criRuntimes?: Record<string, string>;
  /** CRI sandbox image ref (must be imported into namespace k8s.io) */
  sandboxImage?: string;
}

function toml(s: string): string {
  return JSON.stringify(s);
}

function configToml(o: ContainerdOptions): string {
  const lines = [
    'version = 2',
    `root = ${toml(join(o.dir, 'root'))}`,
    `state = ${toml(join(o.runDir, 'state'))}`,
    'disabled_plugins = [',
    '  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",',
    '  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper",',
    '  "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp",',
    ...(o.criRuntimes ? [] : ['  "io.containerd.grpc.v1.cri",']),
    ']',
    '[grpc]',
    `  address = ${toml(join(o.runDir, 'containerd.sock'))}`,
    '[ttrpc]',
    `  address = ${toml(join(o.runDir, 'containerd.sock.ttrpc'))}`,
    '[debug]',
    '  address = ""',
    '[plugins]',
    '  [plugins."io.containerd.internal.v1.opt"]',
    `    path = ${toml(join(o.dir, 'opt'))}`,
  ];
  if (o.criRuntimes) {
    const cri = 'plugins."io.containerd.grpc.v1.cri"';
    lines.push(
      `  [${cri}]`,
      `    sandbox_image = ${toml(o.sandboxImage ?? '')}`,
      // Random port: several test runs may share the machine.
      '    stream_server_address = "127.0.0.1"',
      '    stream_server_port = "0"',
      '    enable_selinux = false',
      // The sandbox asks for oom_score_adj -998; lowering it needs CAP_SYS_RESOURCE,
      // which this machine does not grant: clamp to containerd's own value.
      '    restrict_oom_score_adj = true',
      `  [${cri}.cni]`,
      '    bin_dir = "/usr/lib/cni"',
      `    conf_dir = ${toml(join(o.dir, 'cni'))}`,
      `  [${cri}.containerd]`,
      '    snapshotter = "overlayfs"',
      '    default_runtime_name = "runc"',
      `  [${cri}.containerd.runtimes.runc]`,
      '    runtime_type = "io.containerd.runc.v2"',
      ...Object.entries(o.criRuntimes).flatMap(([handler, binary]) => [
        `  [${cri}.containerd.runtimes.${toml(handler)}]`,
        '    runtime_type = "io.containerd.runc.v2"',
        `  [${cri}.containerd.runtimes.${toml(handler)}.options]`,
        `    BinaryName = ${toml(binary)}`,
        `    Root = ${toml(join(o.runDir, 'runtime-root-cri'))}`,
        '    SystemdCgroup = false',
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

export class Containerd {
  readonly socket: string;
  readonly log: string;
  /** Trips on the first timed-out ctr call; cleanup calls bypass it. */
  readonly breaker: Breaker = {};
  private constructor(
    readonly opts: ContainerdOptions,
    readonly pid: number,
  ) {
    this.socket = join(opts.runDir, 'containerd.sock');
    this.log = join(opts.dir, 'containerd.log');
  }

  static async start(opts: ContainerdOptions): Promise<Containerd> {
    mkdirSync(opts.dir, { recursive: true });
    mkdirSync(join(opts.dir, 'cni'), { recursive: true });
    const config = join(opts.dir, 'containerd.toml');
    writeFileSync(config, configToml(opts));
    const child = spawnDaemon(CONTAINERD_BIN, ['--config', config, '--log-level', 'info'], join(opts.dir, 'containerd.log'));
    const d = new Containerd(opts, child.pid ?? 0);
    try {
      await waitFor(`containerd on ${d.socket} (log ${d.log})`, 30_000, async () => {
        if (child.exitCode !== null) throw new GiveUp(`containerd exited ${child.exitCode}: ${d.logTail()}`);
        const r = await run(CTR_BIN, ['-a', d.socket, 'version'], { timeoutMs: 5_000 });
        return r.code === 0 ? true : undefined;
      });
    } catch (err) {
      await d.stop();
      throw err;
    }
    return d;
  }

  logTail(max = 3000): string {
    if (!existsSync(this.log)) return '(no log)';
    const text = readFileSync(this.log, 'utf8');
    return text.slice(-max);
  }

  /** ctr against this containerd in a namespace; never throws on exit status. */
  ctr(namespace: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(CTR_BIN, ['-a', this.socket, '-n', namespace, ...args], { timeoutMs: 60_000, breaker: this.breaker, ...opts });
  }

  async mustCtr(namespace: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const r = await this.ctr(namespace, args, opts);
    if (r.code !== 0) throw new Error(`${explain(r)}\ncontainerd log tail:\n${this.logTail(1500)}`);
    return r;
  }

  async importImage(namespace: string, archive: string): Promise<void> {
    await this.mustCtr(namespace, ['images', 'import', archive], { timeoutMs: 120_000 });
  }

  /** Best-effort removal of all tasks and containers of a namespace; never throws. */
  async clearNamespace(namespace: string): Promise<void> {
    // After a hang, asking the runtime again only waits out more timeouts:
    // stop() kills the shims and the cgroups' processes instead.
    const hung = this.breaker.tripped !== undefined;
    this.breaker.tripped = undefined;
    if (hung) return;
    const tryCtr = (args: string[]) => this.ctr(namespace, args, { timeoutMs: 15_000 }).catch(() => undefined);
    const tasks = await tryCtr(['tasks', 'ls', '-q']);
    for (const id of tasks?.stdout.split('\n').filter(Boolean) ?? []) {
      await tryCtr(['tasks', 'kill', '-s', 'SIGKILL', id]);
      await tryCtr(['tasks', 'rm', '-f', id]);
    }
    const containers = await tryCtr(['containers', 'ls', '-q']);
    for (const id of containers?.stdout.split('\n').filter(Boolean) ?? []) {
      await tryCtr(['containers', 'rm', id]);
    }
  }

  /**
   * Stops containerd by PID, kills shims it left (their command line names our
   * socket), unmounts what it mounted under its dirs, removes its cgroups.
   * Returns what could not be cleaned (empty when all is well).
   */
  async stop(cgroupParents: readonly string[] = []): Promise<string[]> {
    const problems: string[] = [];
    await stopPid(this.pid, 10_000);
    await killLeftovers(this.opts.runDir);
    problems.push(...(await unmountUnder([this.opts.dir, this.opts.runDir])));
    for (const p of cgroupParents) problems.push(...(await removeCgroups(p)));
    problems.push(...removeDir(this.opts.runDir));
    return problems;
  }
}
