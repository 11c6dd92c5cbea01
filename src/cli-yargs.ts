// tsrunc's full command line with yargs: runc's global flags and every
// subcommand, help and usage. The hot commands usually never get here: the
// fast parser (fast-args.ts) takes engines' exact calls; whatever it does not
// recognise is parsed here. Both end in commands.ts for the hot commands.
import { commandIndex } from './global-flags.js';
import yargs, { type Argv, type ArgumentsCamelCase } from 'yargs';
import { RuntimeError } from './errors.js';
import { configureLog } from './log.js';
import { mark } from './trace.js';
import { writeStdout } from './output.js';
import { setRootlessFlag } from './lifecycle/root.js';
import { runCommand, storeFor, type CreateCallOptions, type GlobalOptions } from './commands.js';

interface GlobalArgs {
  root?: string;
  log?: string;
  logFormat?: string;
  debug?: boolean;
  systemdCgroup?: boolean;
  rootless?: string;
}

type Args<T> = ArgumentsCamelCase<GlobalArgs & T>;

let exitCode = 0;

function store(argv: GlobalArgs) {
  return storeFor(argv);
}

function globals(a: GlobalArgs): GlobalOptions {
  return { root: a.root, log: a.log, logFormat: a.logFormat, debug: a.debug };
}

function createFlags<T>(y: Argv<T>) {
  return y
    .option('bundle', { alias: 'b', type: 'string', default: '.', describe: 'path to the bundle directory' })
    .option('console-socket', { type: 'string', describe: 'unix socket that receives the pty master' })
    .option('pid-file', { type: 'string', describe: 'file to write the init pid to' })
    .option('no-pivot', { type: 'boolean', default: false, describe: 'use MS_MOVE + chroot instead of pivot_root' })
    .option('no-new-keyring', { type: 'boolean', default: false, describe: 'do not create a new session keyring' })
    .option('preserve-fds', { type: 'number', default: 0, describe: 'pass fds 3..3+N-1 to the container' });
}

interface CreateArgs {
  id: string;
  bundle: string;
  consoleSocket?: string;
  pidFile?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
}

function createOpts(a: Args<CreateArgs>): CreateCallOptions {
  return {
    id: a.id,
    bundle: a.bundle,
    pidFile: a.pidFile,
    consoleSocket: a.consoleSocket,
    noPivot: a.noPivot,
    noNewKeyring: a.noNewKeyring,
    preserveFds: a.preserveFds,
  };
}

// runc's `update` flags, all given as text (sizes like "64m", "-1").
const UPDATE_FLAGS = [
  'blkio-weight', 'cpu-period', 'cpu-quota', 'cpu-burst', 'cpu-rt-period', 'cpu-rt-runtime', 'cpu-share', 'cpu-idle',
  'cpuset-cpus', 'cpuset-mems', 'kernel-memory', 'kernel-memory-tcp', 'memory', 'memory-reservation', 'memory-swap', 'pids-limit',
] as const;

function updateFlags<T>(y: Argv<T>) {
  let out = y
    .option('resources', { alias: 'r', type: 'string', describe: 'LinuxResources JSON file, "-" for stdin' })
    .option('l3-cache-schema', { type: 'string', describe: 'Intel RDT L3 schema (not supported)' })
    .option('mem-bw-schema', { type: 'string', describe: 'Intel RDT memory bandwidth schema (not supported)' });
  for (const name of UPDATE_FLAGS) out = out.option(name, { type: 'string' }) as typeof out;
  return out;
}

function buildParser(args: string[]): Argv<GlobalArgs> {
  return yargs(args)
    .scriptName('tsrunc')
    .usage('tsrunc [global options] <command> [command options] <container-id>')
    .option('root', { type: 'string', describe: 'root directory for container state (default /run/tsrunc)' })
    .option('log', { type: 'string', describe: 'log file (default stderr)' })
    .option('log-format', { type: 'string', default: 'text', describe: 'text or json' })
    .option('debug', { type: 'boolean', default: false })
    .option('systemd-cgroup', { type: 'boolean', default: false, describe: 'accepted for compatibility; cgroupfs is used' })
    .option('rootless', { type: 'string', describe: 'true, false or auto' })
    .option('criu', { type: 'string', hidden: true })
    .middleware((a) => {
      configureLog({ file: a.log, format: a.logFormat, debug: a.debug });
      const rootless: unknown = a.rootless;
      setRootlessFlag(typeof rootless === 'string' ? rootless : undefined);
      mark('argument parsing');
    })
    .command(
      'create <id>',
      'create a container',
      (y) => createFlags(y).positional('id', { type: 'string', demandOption: true }),
      async (a) => {
        exitCode = await runCommand({ name: 'create', global: globals(a), opts: createOpts(a as Args<CreateArgs>) });
      },
    )
    .command(
      'run <id>',
      'create and start a container, wait for it unless --detach',
      (y) =>
        createFlags(y)
          .positional('id', { type: 'string', demandOption: true })
          .option('detach', { alias: 'd', type: 'boolean', default: false })
          .option('keep', { type: 'boolean', default: false, hidden: true }),
      async (a) => {
        exitCode = await runCommand({ name: 'run', global: globals(a), opts: { ...createOpts(a as Args<CreateArgs>), detach: a.detach } });
      },
    )
    .command(
      'start <id>',
      'start a created container',
      (y) => y.positional('id', { type: 'string', demandOption: true }),
      async (a) => {
        exitCode = await runCommand({ name: 'start', global: globals(a), id: a.id });
      },
    )
    .command(
      'state <id>',
      'print the state of a container',
      (y) => y.positional('id', { type: 'string', demandOption: true }),
      async (a) => {
        exitCode = await runCommand({ name: 'state', global: globals(a), id: a.id });
      },
    )
    .command(
      'kill <id> [signal]',
      'send a signal (default SIGTERM) to the container init',
      (y) =>
        y
          .positional('id', { type: 'string', demandOption: true })
          .positional('signal', { type: 'string' })
          .option('all', { alias: 'a', type: 'boolean', default: false }),
      async (a) => {
        exitCode = await runCommand({ name: 'kill', global: globals(a), id: a.id, signal: a.signal, all: a.all });
      },
    )
    .command(
      'delete <id>',
      'delete a stopped container (--force: any)',
      (y) => y.positional('id', { type: 'string', demandOption: true }).option('force', { alias: 'f', type: 'boolean', default: false }),
      async (a) => {
        exitCode = await runCommand({ name: 'delete', global: globals(a), id: a.id, force: a.force });
      },
    )
    .command(
      ['list', 'ps-all'],
      'list containers',
      (y) =>
        y
          .option('format', { alias: 'f', type: 'string', default: 'table', choices: ['table', 'json'] })
          .option('quiet', { alias: 'q', type: 'boolean', default: false }),
      async (a) => {
        const { listContainers, formatTable } = await import('./lifecycle/list.js');
        const states = listContainers(store(a));
        if (a.quiet) writeStdout(states.map((s) => s.id + '\n').join(''));
        else if (a.format === 'json') writeStdout(JSON.stringify(states) + '\n');
        else writeStdout(formatTable(states));
      },
    )
    .command(
      'exec <id> [command..]',
      'run a process in a running container',
      (y) =>
        y
          .positional('id', { type: 'string', demandOption: true })
          .positional('command', { type: 'string', array: true, default: [] as string[] })
          .option('process', { alias: 'p', type: 'string', describe: 'runtime-spec process JSON file' })
          .option('console-socket', { type: 'string' })
          .option('cwd', { type: 'string' })
          .option('env', { alias: 'e', type: 'string', array: true, default: [] as string[] })
          .option('tty', { alias: 't', type: 'boolean', default: false })
          .option('user', { alias: 'u', type: 'string', describe: 'uid[:gid]' })
          .option('additional-gids', { alias: 'g', type: 'number', array: true, default: [] as number[] })
          .option('cap', { alias: 'c', type: 'string', array: true, default: [] as string[] })
          .option('no-new-privs', { type: 'boolean', default: false })
          .option('preserve-fds', { type: 'number', default: 0 })
          .option('detach', { alias: 'd', type: 'boolean', default: false })
          .option('pid-file', { type: 'string' })
          .option('ignore-paused', { type: 'boolean', default: false })
          .option('process-label', { type: 'string', hidden: true })
          .option('apparmor', { type: 'string', hidden: true })
          .option('cgroup', { type: 'string', hidden: true }),
      async (a) => {
        const { execInContainer } = await import('./lifecycle/exec.js');
        exitCode = await execInContainer(store(a), {
          id: a.id,
          processFile: a.process,
          // `exec ID -- cmd -c ...` (haltExecArgs): the command's own options
          // are in '--', never read as ours
          args: [...a.command, ...((a['--'] as unknown[] | undefined) ?? [])].map(String),
          cwd: a.cwd,
          env: a.env.map(String),
          tty: a.tty,
          user: a.user,
          additionalGids: a.additionalGids,
          caps: a.cap.map(String),
          noNewPrivs: a.noNewPrivs,
          preserveFds: a.preserveFds,
          detach: a.detach,
          pidFile: a.pidFile,
          consoleSocket: a.consoleSocket,
          ignorePaused: a.ignorePaused,
        });
      },
    )
    .command(
      'pause <id>',
      'freeze every process of the container',
      (y) => y.positional('id', { type: 'string', demandOption: true }),
      async (a) => {
        const { pauseContainer } = await import('./lifecycle/pause.js');
        pauseContainer(store(a), a.id);
      },
    )
    .command(
      'resume <id>',
      'thaw a paused container',
      (y) => y.positional('id', { type: 'string', demandOption: true }),
      async (a) => {
        const { resumeContainer } = await import('./lifecycle/pause.js');
        resumeContainer(store(a), a.id);
      },
    )
    .command(
      'ps <id> [psArgs..]',
      'list the processes of a container',
      (y) =>
        y
          .positional('id', { type: 'string', demandOption: true })
          .positional('psArgs', { type: 'string', array: true, default: [] as string[] })
          .option('format', { alias: 'f', type: 'string', default: 'table', choices: ['table', 'json'] }),
      async (a) => {
        const { containerPids, psTable } = await import('./lifecycle/ps.js');
        const pids = containerPids(store(a), a.id);
        const psArgs = [...a.psArgs, ...((a['--'] as unknown[] | undefined) ?? [])].map(String);
        if (psArgs[0] === '--') psArgs.shift(); // `ps <id> -- -o pid`
        if (a.format === 'json') writeStdout(JSON.stringify(pids) + '\n');
        else writeStdout(psTable(pids, psArgs));
      },
    )
    .command(
      'update <id>',
      'update the resource limits of a running container',
      (y) => updateFlags(y.positional('id', { type: 'string', demandOption: true })),
      async (a) => {
        const { updateContainer } = await import('./lifecycle/update.js');
        const flags: Record<string, string> = {};
        for (const name of UPDATE_FLAGS) {
          const v: unknown = (a as Record<string, unknown>)[name];
          if (v !== undefined) flags[name] = String(v);
        }
        updateContainer(store(a), { id: a.id, resources: a.resources, flags, l3CacheSchema: a.l3CacheSchema, memBwSchema: a.memBwSchema });
      },
    )
    .command(
      'events <id>',
      'print resource usage (--stats once, else every --interval) and OOM events',
      (y) =>
        y
          .positional('id', { type: 'string', demandOption: true })
          .option('stats', { type: 'boolean', default: false, describe: 'print the stats once and exit' })
          .option('interval', { type: 'string', default: '5s', describe: 'time between stats events' }),
      async (a) => {
        const { containerEvents, parseDuration } = await import('./lifecycle/events.js');
        await containerEvents(store(a), { id: a.id, stats: a.stats, intervalMs: parseDuration(a.interval) });
      },
    )
    .command(
      'features',
      'print the runtime-spec features document',
      (y) => y,
      async () => {
        const { featuresDocument } = await import('./lifecycle/features.js');
        writeStdout(JSON.stringify(featuresDocument(), null, '    ') + '\n');
      },
    )
    .command(
      'spec',
      'write a default config.json',
      (y) => y.option('bundle', { alias: 'b', type: 'string', default: '.' }),
      async (a) => {
        const { writeSpec } = await import('./lifecycle/spec.js');
        // The global --rootless takes a value; `spec --rootless` is a switch.
        const r: unknown = a.rootless;
        writeSpec(a.bundle, r === true || r === '' || r === 'true');
      },
    )
    .version(false)
    .demandCommand(1, 'a command is required (see --help)')
    .strictCommands()
    .parserConfiguration({ 'halt-at-non-option': false, 'greedy-arrays': false, 'populate--': true })
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new RuntimeError(msg);
    })
    .help();
}

/** Parses and runs `args` with yargs; returns the exit code. */
const EXEC_WITH_VALUE = new Set([
  '--process', '-p', '--console-socket', '--cwd', '--env', '-e', '--user', '-u', '--additional-gids', '-g',
  '--cap', '-c', '--preserve-fds', '--pid-file', '--process-label', '--apparmor', '--cgroup',
]);

const PS_WITH_VALUE = new Set(['--format', '-f']);

/** runc stops reading flags at the container id of `exec` and `ps`:
 *  everything after it is the command (or ps's arguments), even words like
 *  `-c` (`exec ID sh -c x` must not read -c as --cap): a `--` goes after the
 *  id. `update --resources -` becomes `--resources=-`: yargs would not take
 *  "-" as the flag's value. */
export function haltExecArgs(args: string[]): string[] {
  let i = commandIndex(args);
  const command = args[i];
  if (command === 'update') {
    const out = args.slice(0, i + 1);
    for (let j = i + 1; j < args.length; j++) {
      const a = args[j]!;
      if ((a === '--resources' || a === '-r') && args[j + 1] === '-') {
        out.push('--resources=-');
        j++;
      } else {
        out.push(a);
      }
    }
    return out;
  }
  const withValue = command === 'exec' ? EXEC_WITH_VALUE : command === 'ps' ? PS_WITH_VALUE : undefined;
  if (!withValue) return args;
  for (i++; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args;
    if (!a.startsWith('-')) {
      if (i + 1 < args.length && args[i + 1] !== '--') return [...args.slice(0, i + 1), '--', ...args.slice(i + 1)];
      return args;
    }
    if (!a.includes('=') && withValue.has(a)) i++;
  }
  return args;
}

export async function runWithYargs(args: string[]): Promise<number> {
  exitCode = 0;
  await buildParser(haltExecArgs(args)).parseAsync();
  return exitCode;
}
