// Message numbers of csrc/front/front_protocol.h (the front <-> worker
// exchange, docs/warm-mode.md). Keep the two in step.
export const FRONT_PROTO = 1;

export const F = { HELLO: 1, STDIO: 2, GO: 3, SPAWNED: 4, WAITED: 5, OK: 6 } as const;
export const W = { ACCEPT: 20, FALLBACK: 21, EXIT: 22, PASS_FD: 23, SPAWN: 24, WAIT: 25, SUBREAPER: 26 } as const;

export interface Hello {
  proto: number;
  umask: number;
  build: string;
  cwd: string;
  argv: string[];
  env: Record<string, string>;
}

/** TSR_F_HELLO: u32 proto, umask, argc, envc; NUL-ended build, cwd, argv, env. */
export function parseHello(p: Buffer): Hello {
  if (p.length < 16) throw new Error('short HELLO');
  const proto = p.readUInt32LE(0);
  const umask = p.readUInt32LE(4);
  const argc = p.readUInt32LE(8);
  const envc = p.readUInt32LE(12);
  const strings = p.subarray(16).toString('utf8').split('\0');
  if (strings.length < 2 + argc + envc) throw new Error('truncated HELLO');
  const env: Record<string, string> = {};
  for (const kv of strings.slice(2 + argc, 2 + argc + envc)) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { proto, umask, build: strings[0]!, cwd: strings[1]!, argv: strings.slice(2, 2 + argc), env };
}
