// Item 5: `count` lifecycles (seq.sh: create, start, state, kill, delete),
// `jobs` at a time; wall time, failed lifecycles, and what is left behind
// (state dirs, cgroup dirs, container processes).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export async function lifecycles(rt, { root, bundle, seq, count, jobs }) {
  const ids = Array.from({ length: count }, (_, i) => `par-${rt.name}-${process.pid}-${i}`);
  const errors = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const r = await runSeq(seq, [rt.bin, root, bundle, id]);
      if (r.code !== 0) errors.push(`${id}: ${r.stderr.trim().split('\n').pop()}`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  const wallMs = performance.now() - t0;
  return { wallMs, failures: errors.length, errors: errors.slice(0, 5), leftovers: leftovers(root, ids) };
}

function runSeq(seq, args) {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', [seq, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function leftovers(root, ids) {
  const found = [];
  const names = new Set(ids);
  for (const e of safeList(root)) if (names.has(e)) found.push(`state dir ${e}`);
  for (const ctrl of ['memory', 'pids', 'cpu,cpuacct', 'devices', 'freezer']) {
    for (const e of safeList(join('/sys/fs/cgroup', ctrl))) if (names.has(e)) found.push(`cgroup ${ctrl}/${e}`);
  }
  // The sleep containers run `/bin/sleep 3601`: any still alive is a leftover.
  for (const p of safeList('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    let cmd = '';
    try {
      cmd = readFileSync(join('/proc', p, 'cmdline'), 'latin1');
    } catch {
      continue;
    }
    if (cmd === '/bin/sleep\u00003601\u0000') found.push(`process ${p}`);
  }
  return found;
}

function safeList(dir) {
  try {
    return existsSync(dir) ? readdirSync(dir) : [];
  } catch {
    return [];
  }
}
