// Item 8: where tsrunc's time goes, per call of the five-call sequence:
// TSRUNC_TRACE=1 on each call, median of each phase over `runs` sequences.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function tracePhases(bin, { root, bundle, runs }) {
  const phases = {}; // command → phase → [ms]
  for (let i = 0; i < runs; i++) {
    const id = `trace-${process.pid}-${i}`;
    const calls = [
      ['create', ['create', '--bundle', bundle, id]],
      ['start', ['start', id]],
      ['state', ['state', id]],
      ['kill', ['kill', id, 'KILL']],
      ['delete', ['delete', '--force', id]],
    ];
    for (const [name, args] of calls) {
      // stderr to a file, not a pipe: the created init inherits it and would
      // hold a pipe open until it exits.
      const errFile = join(root, `.trace-${name}`);
      const fd = openSync(errFile, 'w+');
      spawnSync(bin, ['--root', root, ...args], { env: { ...process.env, TSRUNC_TRACE: '1' }, stdio: ['ignore', 'ignore', fd] });
      closeSync(fd);
      const stderr = readFileSync(errFile, 'utf8');
      for (const m of stderr.matchAll(/^\s+(.+?)\s+([\d.]+) ms\s+\(at/gm)) {
        ((phases[name] ??= {})[m[1]] ??= []).push(Number(m[2]));
      }
    }
  }
  const out = {};
  for (const [cmd, ps] of Object.entries(phases)) {
    out[cmd] = {};
    for (const [p, xs] of Object.entries(ps)) out[cmd][p] = +median(xs).toFixed(1);
  }
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
