// runc's global flags come before the command word; these take a value as
// the next argument. One place for everyone who looks for the command word.
const GLOBAL_WITH_VALUE = new Set(['--root', '--log', '--log-format', '--criu', '--rootless']);

/** Index of the command word (the first argument that is neither a global
 *  flag nor a global flag's value), or args.length when there is none. */
export function commandIndex(args: string[]): number {
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) i += GLOBAL_WITH_VALUE.has(args[i]!) ? 2 : 1;
  return Math.min(i, args.length);
}
