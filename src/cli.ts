// tsrunc's entry: runc's global flags and subcommands. Engines' calls of the
// hot commands are parsed by fast-args.ts and never load yargs; everything
// else (help, usage, the other commands, anything unusual) goes to
// cli-yargs.ts. Each command's module is imported only when that command runs.
import { RuntimeError } from './errors.js';
import { configureLog, closeLog, log, logToFile } from './log.js';
import { enableTrace, mark, printTrace } from './trace.js';
import { writeStderr, writeStdout } from './output.js';
import { parseFast } from './fast-args.js';
import { commandIndex } from './global-flags.js';
import { runCommand } from './commands.js';
import { setRootlessFlag } from './lifecycle/root.js';

async function versionText(): Promise<string> {
  const { buildInfo } = await import('./build-info.js');
  const info = buildInfo();
  return `tsrunc version ${info.version}\ncommit: ${info.commit}\nspec: 1.3.0\n`;
}

function reportError(err: unknown): void {
  const msg = err instanceof Error ? err.message : String(err);
  // With --log the error also goes to the log file, as its last error line.
  if (logToFile()) log.error(msg);
  // With --log the engine reads the file; the person reads stderr either way.
  writeStderr(`tsrunc: ${msg}\n`);
}

/** `--version` / `-v` among the global flags, before any command. */
function wantsVersion(args: string[]): boolean {
  const globals = args.slice(0, commandIndex(args));
  return globals.includes('--version') || globals.includes('-v');
}

/** The warm server's hidden commands (docs/warm-mode.md), or undefined. */
function warmRole(args: string[]): { role: string; root: string } | undefined {
  const role = args.find((a) => a === '__warm-server' || a === '__warm-worker');
  if (!role) return undefined;
  const at = args.indexOf('--root');
  return { role, root: at >= 0 && args[at + 1] ? args[at + 1]! : '/run/tsrunc' };
}

async function runWarmRole(w: { role: string; root: string }): Promise<void> {
  if (w.role === '__warm-server') {
    const { runSupervisor } = await import('./server/supervisor.js');
    await runSupervisor(w.root);
  } else {
    const { runWorker } = await import('./server/worker.js');
    await runWorker(main);
  }
}

export async function main(args: string[]): Promise<void> {
  mark('process start → main');
  const warm = args.length > 0 && args[args.length - 1]!.startsWith('__warm-') ? warmRole(args) : undefined;
  if (warm) return runWarmRole(warm);
  const traceAt = args.indexOf('--trace');
  if (traceAt >= 0) {
    enableTrace();
    args = [...args.slice(0, traceAt), ...args.slice(traceAt + 1)];
  }
  if (wantsVersion(args)) {
    writeStdout(await versionText());
    return;
  }
  let exitCode = 0;
  try {
    const call = parseFast(args);
    if (call) {
      configureLog({ file: call.global.log, format: call.global.logFormat, debug: call.global.debug });
      setRootlessFlag(call.global.rootless);
      mark('argument parsing (fast)');
      exitCode = await runCommand(call);
    } else {
      const { runWithYargs } = await import('./cli-yargs.js');
      exitCode = await runWithYargs(args);
    }
  } catch (err) {
    reportError(err);
    exitCode = err instanceof RuntimeError ? err.exitCode : 1;
  } finally {
    closeLog();
  }
  mark('command');
  printTrace();
  process.exitCode = exitCode;
}
