// Item 8: where tsrunc's time goes, per call of the five-call sequence:
// TSRUNC_TRACE=1 on each call, median of each phase over `runs` sequences.
import { spawnSync } from 'node:child_process';

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
      const r = spawnSync(bin, ['--root', root, ...args], { env: { ...process.env, TSRUNC_TRACE: '1' }, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      for (const m of r.stderr.matchAll(/^\s+(.+?)\s+([\d.]+) ms\s+\(at/gm)) {
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
