// Podman with everything private: --root/--runroot/--tmpdir under temp dirs,
// cgroupfs, file events, file locks (the default SHM lock segment is shared by
// every podman on the machine), its own containers.conf naming `tsrunc` among
// the runtimes that support JSON (Podman knows runtimes by file name).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killLeftovers, removeCgroups, unmountUnder } from './cleanup.js';
import { Breaker, explain, run, RunOptions, RunResult } from './exec.js';

export const PODMAN_BIN = '/usr/bin/podman';
export const CONMON_BIN = '/usr/bin/conmon';
export const CATATONIT_BIN = '/usr/bin/catatonit';

export interface PodmanOptions {
  dir: string;
  runDir: string;
  /** cgroup parent of every container, e.g. /tsrunc-test-podman-123 */
  cgroupParent: string;
  /** runtimes known by name ([engine.runtimes]), for `--runtime NAME` */
  runtimes?: Record<string, string>;
}

/**
 * Podman as root asks for RLIMIT_NOFILE and RLIMIT_NPROC far above ours;
 * without CAP_SYS_RESOURCE (as on this machine) no runtime can raise a hard
 * limit, so ask for the limits we have. Podman 4.3 also runs the runtime with
 * RLIMIT_NPROC lowered to 32768 (observed), hence the cap.
 */
function ownUlimits(): string[] {
  const limits = readFileSync('/proc/self/limits', 'utf8').split('\n');
  const hardOf = (label: string): string => {
    const rest = limits.find((l) => l.startsWith(label))?.slice(label.length).trim().split(/\s+/);
    const hard = rest?.[1];
    if (!hard || !/^(\d+|unlimited)$/.test(hard)) throw new Error(`cannot read "${label}" from /proc/self/limits`);
    return hard === 'unlimited' ? '-1' : hard;
  };
  const nofile = hardOf('Max open files');
  const ownNproc = hardOf('Max processes');
  const nproc = ownNproc === '-1' || Number(ownNproc) > 32768 ? '32768' : ownNproc;
  return [`nofile=${nofile}:${nofile}`, `nproc=${nproc}:${nproc}`];
}

function toml(s: string): string {
  return JSON.stringify(s);
}

export class Podman {
  readonly env: NodeJS.ProcessEnv;
  readonly root: string;
  readonly runRoot: string;
  readonly tmpDir: string;
  /** Trips on the first timed-out podman call; cleanup calls bypass it. */
  readonly breaker: Breaker = {};
  constructor(readonly opts: PodmanOptions) {
    this.root = join(opts.dir, 'root');
    this.runRoot = join(opts.runDir, 'runroot');
    this.tmpDir = join(opts.runDir, 'libpod');
    for (const d of [this.root, this.runRoot, this.tmpDir, join(opts.dir, 'cni')]) mkdirSync(d, { recursive: true });
    const conf = join(opts.dir, 'containers.conf');
    writeFileSync(
      conf,
      [
        '[containers]',
        'netns = "none"',
        'log_driver = "k8s-file"',
        `default_ulimits = [${ownUlimits().map(toml).join(', ')}]`,
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `events_logfile_path = ${toml(join(opts.dir, 'events.log'))}`,
        `tmp_dir = ${toml(this.tmpDir)}`,
        `static_dir = ${toml(join(this.root, 'libpod'))}`,
        `volume_path = ${toml(join(this.root, 'volumes'))}`,
        'lock_type = "file"',
        'runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "tsrunc"]',
        'conmon_path = ["/usr/bin/conmon"]',
        ...(opts.runtimes
          ? ['[engine.runtimes]', ...Object.entries(opts.runtimes).map(([name, path]) => `${toml(name)} = [${toml(path)}]`)]
          : []),
        '[network]',
        'network_backend = "cni"',
        `network_config_dir = ${toml(join(opts.dir, 'cni'))}`,
        '',
      ].join('\n'),
    );
    const storage = join(opts.dir, 'storage.conf');
    writeFileSync(
      storage,
      ['[storage]', 'driver = "overlay"', `graphroot = ${toml(this.root)}`, `runroot = ${toml(this.runRoot)}`, ''].join('\n'),
    );
    // CONTAINERS_CONF alone replaces the system containers.conf files.
    this.env = {
      ...process.env,
      CONTAINERS_CONF: conf,
      CONTAINERS_STORAGE_CONF: storage,
      CONTAINERS_REGISTRIES_CONF: join(opts.dir, 'registries.conf'),
    };
    writeFileSync(join(opts.dir, 'registries.conf'), 'unqualified-search-registries = []\n');
  }

  /** podman with `--runtime PATH` (or a name from `runtimes`) and our private dirs. */
  podman(runtime: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const global = [
      '--runtime', runtime,
      '--root', this.root,
      '--runroot', this.runRoot,
      '--tmpdir', this.tmpDir,
      '--storage-driver', 'overlay',
      '--cgroup-manager', 'cgroupfs',
      '--events-backend', 'file',
    ];
    return run(PODMAN_BIN, [...global, ...args], { timeoutMs: 60_000, env: this.env, breaker: this.breaker, ...opts });
  }

  async mustPodman(runtime: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const r = await this.podman(runtime, args, opts);
    if (r.code !== 0) throw new Error(explain(r));
    return r;
  }

  /** Removes all containers (best effort), kills conmons left behind, unmounts, removes cgroups. */
  async cleanup(runtime: string): Promise<string[]> {
    // After a hang, skip the graceful removal (it would wait out more timeouts).
    const hung = this.breaker.tripped !== undefined;
    this.breaker.tripped = undefined;
    if (!hung) await this.podman(runtime, ['rm', '--all', '--force', '--time', '0'], { timeoutMs: 60_000 }).catch(() => undefined);
    await killLeftovers(this.opts.dir);
    await killLeftovers(this.opts.runDir);
    const problems = await unmountUnder([this.opts.dir, this.opts.runDir]);
    problems.push(...(await removeCgroups(this.opts.cgroupParent)));
    return problems;
  }
}
