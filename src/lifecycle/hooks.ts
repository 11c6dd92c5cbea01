// Runs the hooks the parent is responsible for (prestart, createRuntime,
// poststart, poststop) with the state on stdin, as runtime.md says.
// createContainer and startContainer run inside the container (init helper).
import { childProcess } from '../lazy-builtins.js';
import { RuntimeError } from '../errors.js';
import { log } from '../log.js';
import type { Hook, HookName, State } from '../spec/types.js';

export function runHook(name: HookName, index: number, hook: Hook, state: State): void {
  const args = hook.args && hook.args.length > 0 ? hook.args : [hook.path];
  const env: NodeJS.ProcessEnv = {};
  for (const kv of hook.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const res = childProcess().spawnSync(hook.path, args.slice(1), {
    argv0: args[0],
    input: JSON.stringify(state),
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: hook.timeout ? hook.timeout * 1000 : undefined,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 20,
  });
  const where = `${name} hook #${index} (${hook.path})`;
  // EPIPE: the hook exited without reading the state; its status decides.
  if (res.error && (res.error as NodeJS.ErrnoException).code !== 'EPIPE') {
    const code = (res.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') throw new RuntimeError(`${where}: timed out after ${hook.timeout}s`);
    throw new RuntimeError(`${where}: ${res.error.message}`);
  }
  if (res.status !== 0) {
    const why = res.signal ? `killed by ${res.signal}` : `exit status ${res.status}`;
    const out = `${res.stdout?.toString() ?? ''}${res.stderr?.toString() ?? ''}`.trim();
    throw new RuntimeError(`${where}: ${why}${out ? `: ${out.split('\n').join(' ')}` : ''}`);
  }
}

/** Runs each hook in order; the first failure is thrown. */
export function runHooks(name: HookName, hooks: Hook[] | undefined, state: State): void {
  (hooks ?? []).forEach((hook, i) => runHook(name, i, hook, state));
}

/** For poststart and poststop: a failing hook is a warning, the rest still run. */
export function runHooksWarnOnly(name: HookName, hooks: Hook[] | undefined, state: State): void {
  (hooks ?? []).forEach((hook, i) => {
    try {
      runHook(name, i, hook, state);
    } catch (err) {
      log.warn(err instanceof Error ? err.message : String(err));
    }
  });
}
