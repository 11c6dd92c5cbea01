// A private dockerd on our containerd: data/exec roots under temp dirs,
// cgroupfs driver, no iptables and no bridge, the runtime under test added as
// `--add-runtime tsrunc=PATH`; stopped by PID.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killLeftovers, removeCgroups, stopPid, unmountUnder } from './cleanup.js';
import { spawnDaemon } from './suite.js';
import { Breaker, explain, GiveUp, run, RunOptions, RunResult, waitFor } from './exec.js';

export const DOCKERD_BIN = '/usr/sbin/dockerd';
// Debian's client; /usr/local/bin/docker on some machines is another build.
export const DOCKER_BIN = '/usr/bin/docker';

export interface DockerdOptions {
  dir: string;
  runDir: string;
  containerdSocket: string;
  /** containerd namespace for docker's containers (also names the cgroup parent) */
  name: string;
  /** name → binary, each passed as --add-runtime */
  runtimes: Record<string, string>;
}

export class Dockerd {
  readonly socket: string;
  readonly log: string;
  readonly cgroupParent: string;
  readonly env: NodeJS.ProcessEnv;
  /** Trips on the first timed-out docker call; cleanup calls bypass it. */
  readonly breaker: Breaker = {};
  private constructor(
    readonly opts: DockerdOptions,
    readonly pid: number,
  ) {
    this.socket = join(opts.runDir, 'docker.sock');
    this.log = join(opts.dir, 'dockerd.log');
    this.cgroupParent = `/${opts.name}`;
    // Keep the client away from ~/.docker and from any DOCKER_HOST of the caller.
    this.env = { ...process.env, DOCKER_CONFIG: join(opts.dir, 'client'), DOCKER_HOST: `unix://${this.socket}` };
  }

  static async start(opts: DockerdOptions): Promise<Dockerd> {
    mkdirSync(join(opts.dir, 'client'), { recursive: true });
    const configFile = join(opts.dir, 'daemon.json');
    // Not the host's /etc/docker/daemon.json. The key path exists only as a
    // config key in dockerd 20.10; without it dockerd writes /etc/docker/key.json.
    writeFileSync(configFile, `${JSON.stringify({ 'deprecated-key-path': join(opts.dir, 'key.json') })}\n`);
    const args = [
      '--data-root', join(opts.dir, 'data'),
      '--exec-root', join(opts.runDir, 'exec'),
      '--pidfile', join(opts.runDir, 'dockerd.pid'),
      '--host', `unix://${join(opts.runDir, 'docker.sock')}`,
      '--config-file', configFile,
      '--containerd', opts.containerdSocket,
      '--containerd-namespace', opts.name,
      '--containerd-plugins-namespace', `${opts.name}-plugins`,
      '--exec-opt', 'native.cgroupdriver=cgroupfs',
      '--cgroup-parent', `/${opts.name}`,
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--bridge=none',
      '--userland-proxy=false',
      '--storage-driver', 'overlay2',
      '--log-level', 'warn',
      ...Object.entries(opts.runtimes).flatMap(([name, path]) => ['--add-runtime', `${name}=${path}`]),
    ];
    const child = spawnDaemon(DOCKERD_BIN, args, join(opts.dir, 'dockerd.log'));
    const d = new Dockerd(opts, child.pid ?? 0);
    try {
      await waitFor(`dockerd on ${d.socket} (log ${d.log})`, 60_000, async () => {
        if (child.exitCode !== null) throw new GiveUp(`dockerd exited ${child.exitCode}: ${d.logTail()}`);
        const r = await d.docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 5_000 });
        return r.code === 0 ? true : undefined;
      });
    } catch (err) {
      await d.stop();
      throw err;
    }
    return d;
  }

  logTail(max = 3000): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8').slice(-max) : '(no log)';
  }

  docker(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(DOCKER_BIN, ['-H', `unix://${this.socket}`, ...args], { timeoutMs: 60_000, env: this.env, breaker: this.breaker, ...opts });
  }

  async mustDocker(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const r = await this.docker(args, opts);
    if (r.code !== 0) throw new Error(`${explain(r)}\ndockerd log tail:\n${this.logTail(1500)}`);
    return r;
  }

  /** Removes every container (best effort), then stops dockerd by PID and cleans its mounts and cgroups. */
  async stop(): Promise<string[]> {
    // After a hang, skip the graceful removal (it would wait out more timeouts).
    const hung = this.breaker.tripped !== undefined;
    this.breaker.tripped = undefined;
    const ids = hung ? undefined : await this.docker(['ps', '-aq'], { timeoutMs: 15_000 }).catch(() => undefined);
    for (const id of ids?.stdout.split('\n').filter(Boolean) ?? []) {
      await this.docker(['rm', '-f', id], { timeoutMs: 30_000 }).catch(() => undefined);
    }
    await stopPid(this.pid, 15_000);
    await killLeftovers(join(this.opts.runDir, 'exec'));
    const problems = await unmountUnder([this.opts.dir, join(this.opts.runDir, 'exec')]);
    problems.push(...(await removeCgroups(this.cgroupParent)));
    return problems;
  }
}
