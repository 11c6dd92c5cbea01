// A small parser for the calls engines make on every container (create, run,
// start, state, kill, delete, with runc's global flags), so those never load
// yargs (~60 ms of start-up, more on a busy host). It accepts only the exact
// grammar below and returns null for anything else (help, unknown or
// negated flags, combined short flags, a wrong number of arguments, a bad
// number): yargs then parses the call, with its messages and usage.
import type { CommandCall, GlobalOptions } from './commands.js';

interface FlagSpec {
  /** long name → takes a value */
  long: Record<string, boolean>;
  /** short alias → long name */
  short: Record<string, string>;
  /** allowed positional counts */
  positionals: [number, number];
}

const GLOBAL: FlagSpec = {
  long: { root: true, log: true, 'log-format': true, criu: true, rootless: true, debug: false, 'systemd-cgroup': false },
  short: {},
  positionals: [0, 0],
};

const CREATE_LONG = { bundle: true, 'console-socket': true, 'pid-file': true, 'preserve-fds': true, 'no-pivot': false, 'no-new-keyring': false };

const COMMANDS: Record<string, FlagSpec> = {
  create: { long: CREATE_LONG, short: { b: 'bundle' }, positionals: [1, 1] },
  run: { long: { ...CREATE_LONG, detach: false, keep: false }, short: { b: 'bundle', d: 'detach' }, positionals: [1, 1] },
  start: { long: {}, short: {}, positionals: [1, 1] },
  state: { long: {}, short: {}, positionals: [1, 1] },
  kill: { long: { all: false }, short: { a: 'all' }, positionals: [1, 2] },
  delete: { long: { force: false }, short: { f: 'force' }, positionals: [1, 1] },
};

type Values = Map<string, string | boolean>;

/** Parses `args` (after --trace is removed); null: let yargs do it. */
export function parseFast(args: readonly string[]): CommandCall | null {
  const globals: Values = new Map();
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const used = takeFlag(args, i, GLOBAL, globals);
    if (used < 0) return null;
    i += used;
  }
  const name = args[i++];
  const spec = name === undefined ? undefined : COMMANDS[name];
  if (!spec) return null;
  const flags: Values = new Map();
  const pos: string[] = [];
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      pos.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      // yargs takes global flags anywhere on the line.
      let used = takeFlag(args, i, spec, flags);
      if (used < 0) used = takeFlag(args, i, GLOBAL, globals);
      if (used < 0) return null;
      i += used;
    } else {
      pos.push(a);
    }
  }
  if (pos.length < spec.positionals[0] || pos.length > spec.positionals[1]) return null;
  return toCall(name!, pos, flags, globalOptions(globals));
}

/** Reads the flag at args[i] into `out`; returns how many extra args it
 *  consumed (0 or 1), or -1 when it is not one of `spec`'s flags. */
function takeFlag(args: readonly string[], i: number, spec: FlagSpec, out: Values): number {
  const a = args[i]!;
  let name: string | undefined;
  let inline: string | undefined;
  if (a.startsWith('--')) {
    const eq = a.indexOf('=');
    name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (eq >= 0) inline = a.slice(eq + 1);
  } else if (a.length === 2) {
    name = spec.short[a[1]!];
  }
  if (name === undefined || !(name in spec.long) || out.has(name)) return -1;
  if (spec.long[name]) {
    if (inline !== undefined) {
      out.set(name, inline);
      return 0;
    }
    const v = args[i + 1];
    if (v === undefined || v.startsWith('-')) return -1;
    out.set(name, v);
    return 1;
  }
  if (inline === undefined) out.set(name, true);
  else if (inline === 'true' || inline === 'false') out.set(name, inline === 'true');
  else return -1;
  return 0;
}

function str(v: Values, k: string): string | undefined {
  const x = v.get(k);
  return typeof x === 'string' ? x : undefined;
}

function bool(v: Values, k: string): boolean {
  return v.get(k) === true;
}

function globalOptions(v: Values): GlobalOptions {
  return {
    root: str(v, 'root'),
    log: str(v, 'log'),
    logFormat: str(v, 'log-format') ?? 'text',
    debug: bool(v, 'debug'),
    rootless: str(v, 'rootless'),
  };
}

function toCall(name: string, pos: string[], f: Values, g: GlobalOptions): CommandCall | null {
  const id = pos[0]!;
  switch (name) {
    case 'create':
    case 'run': {
      const fds = str(f, 'preserve-fds') ?? '0';
      if (!/^\d+$/.test(fds)) return null;
      const opts = {
        id,
        bundle: str(f, 'bundle') ?? '.',
        consoleSocket: str(f, 'console-socket'),
        pidFile: str(f, 'pid-file'),
        noPivot: bool(f, 'no-pivot'),
        noNewKeyring: bool(f, 'no-new-keyring'),
        preserveFds: Number(fds),
      };
      return name === 'create' ? { name, global: g, opts } : { name, global: g, opts: { ...opts, detach: bool(f, 'detach') } };
    }
    case 'start':
    case 'state':
      return { name, global: g, id };
    case 'kill':
      return { name, global: g, id, signal: pos[1], all: bool(f, 'all') };
    case 'delete':
      return { name, global: g, id, force: bool(f, 'force') };
    default:
      return null;
  }
}
