#!/usr/bin/env node
// `npm run bench`: tsrunc beside runc and crun on one busybox bundle (issue 7).
// Not part of the test suite. Needs root, hyperfine, runc, crun (through
// ../shared/bin/crun-hybrid on this hybrid-cgroup host: crun's figures include
// that wrapper's unshare + sh). Prints a Markdown table of medians and ratios
// against runc and writes bench/results/<time>.json and bench/results/latest.json.
//
// Environment: TSRUNC_BIN (default bin/tsrunc), RUNC, CRUN (default
// ../shared/bin/crun-hybrid beside the repository), BENCH_RUNS (default 15),
// BENCH_ROUNDS (default 5: the runs of a timed item are split into rounds
// that take every command in turn), BENCH_ONLY (comma list of item numbers:
// 1-7 as in issue 7, 8 = tsrunc's --trace phases), BENCH_RUNTIMES.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir, totalmem, release, hostname, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBundle } from './bundle.mjs';
import { lifecycles } from './parallel.mjs';
import { smallestMemoryLimit } from './memory.mjs';
import { tracePhases } from './trace.mjs';
import { withContainerd } from './containerd.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// Each hyperfine item runs in this many interleaved rounds (BENCH_ROUNDS).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ONLY = process.env.BENCH_ONLY?.split(',').map(Number);
const want = (n) => !ONLY || ONLY.includes(n);
delete process.env.NODE_EXTRA_CA_CERTS; // adds ~80 ms to every Node start

const work = mkdtempSync(join(tmpdir(), 'tsrunc-bench-'));

// tsrunc in each mode that is built: cold (bin/tsrunc, Node 20), the
// standalone binary (dist/binary/tsrunc: the front, cold, then the Node 24
// SEA), and warm (the front called as tsrunc-warm: docs/warm-mode.md).
const FRONT = join(REPO, 'build/Release/tsrunc-front');
const BINARY = join(REPO, 'dist/binary/tsrunc');
const warmLink = join(work, 'tsrunc-warm');
if (existsSync(FRONT)) symlinkSync(FRONT, warmLink);
const runtimes = [
  { name: 'runc', bin: process.env.RUNC ?? '/usr/sbin/runc' },
  { name: 'crun', bin: process.env.CRUN ?? resolve(REPO, '../shared/bin/crun-hybrid'), note: 'through crun-hybrid' },
  { name: 'tsrunc', bin: process.env.TSRUNC_BIN ?? join(REPO, 'bin/tsrunc') },
  ...(existsSync(BINARY) ? [{ name: 'tsrunc-bin', bin: BINARY }] : []),
  ...(existsSync(FRONT) ? [{ name: 'tsrunc-warm', bin: warmLink, warm: true }] : []),
].filter((rt) => !process.env.BENCH_RUNTIMES || process.env.BENCH_RUNTIMES.split(',').includes(rt.name));
for (const rt of runtimes) {
  if (existsSync(rt.bin)) continue;
  rmSync(work, { recursive: true, force: true });
  throw new Error(`bench: ${rt.name} not found at ${rt.bin}`);
}

const seq = join(REPO, 'bench/seq.sh');
const results = { machine: machine(), started: new Date().toISOString(), runs: RUNS, items: {} };

function machine() {
  const v = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0].trim();
    } catch {
      return '?';
    }
  };
  return {
    host: hostname(),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    kernel: release(),
    node: process.version,
    runc: v('runc', ['--version']),
    crun: v('crun', ['--version']),
    loadavg: loadavg().map((x) => +x.toFixed(2)),
  };
}

/** hyperfine over `cmds` ({name, argv, prepare?}); returns per name {median,
 *  mean, min, cpu} in ms. The runs are split into rounds, each running every
 *  command in turn, so that a machine whose speed drifts (a shared host)
 *  shifts every command alike and the ratios hold. */
function hyperfine(label, cmds, { prepare, runs = RUNS } = {}) {
  const rounds = Math.min(ROUNDS, runs);
  const per = cmds.map(() => ({ times: [], cpu: 0 }));
  for (let round = 0; round < rounds; round++) {
    const n = Math.floor(runs / rounds) + (round < runs % rounds ? 1 : 0);
    const json = join(work, `${label}-${round}.json`);
    const args = ['-N', '--warmup', round === 0 ? '2' : '1', '--runs', String(n), '--export-json', json, '--style', 'none'];
    if (prepare) args.push('--prepare', prepare);
    // or one per command (hyperfine takes them in order)
    for (const c of cmds) if (c.prepare) args.push('--prepare', c.prepare);
    for (const c of cmds) args.push('-n', c.name, c.argv.map(shellQuote).join(' '));
    const r = spawnSync('hyperfine', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      process.stderr.write(r.stdout + r.stderr);
      return { error: `hyperfine failed (${r.status}): ${(r.stderr || '').trim().split('\n').pop()}` };
    }
    JSON.parse(readFileSync(json, 'utf8')).results.forEach((res, i) => {
      per[i].times.push(...res.times);
      per[i].cpu += (res.user + res.system) * res.times.length;
    });
  }
  const out = {};
  cmds.forEach((c, i) => {
    const { times, cpu } = per[i];
    out[c.name] = {
      median: median(times) * 1000,
      mean: (times.reduce((a, b) => a + b, 0) / times.length) * 1000,
      min: Math.min(...times) * 1000,
      cpu: (cpu / times.length) * 1000,
    };
  });
  return out;
}

function shellQuote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function rootFor(rt, tag) {
  const dir = join(work, `root-${rt.name}-${tag}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    if (rt.warm) warmUp(rt, dir);
  }
  return dir;
}

/** Warm mode: the first call of a root starts its server; wait until a warm
 *  worker answers, so every timed call is a warm one. */
function warmUp(rt, root) {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const r = spawnSync(rt.bin, ['--root', root, '--trace', 'list'], { encoding: 'utf8' });
    if (/warm worker/.test(r.stderr)) return;
    spawnSync('sleep', ['0.2']);
  }
  throw new Error(`bench: no warm server answered for ${root}`);
}

const trueBundle = makeBundle(join(work, 'bundle-true'), ['/bin/true']);
const sleepBundle = makeBundle(join(work, 'bundle-sleep'), ['/bin/sleep', '3601']);

try {
  if (want(3)) {
    const cmds = [{ name: 'node -e 0', argv: ['node', '-e', '0'] }];
    // warm: the root whose server the bench warmed up (another would start one)
    for (const rt of runtimes) cmds.push({ name: `${rt.name} --version`, argv: [rt.bin, ...(rt.warm ? ['--root', rootFor(rt, 'state')] : []), '--version'] });
    results.items.version = hyperfine('version', cmds);
    // `state` of a created container (a sleep container left created).
    const st = [];
    for (const rt of runtimes) {
      const root = rootFor(rt, 'state');
      execFileSync(rt.bin, ['--root', root, 'create', '--bundle', sleepBundle, `st-${rt.name}`], { stdio: ['ignore', 'ignore', 'inherit'] });
      st.push({ rt, root, name: `${rt.name} state`, argv: [rt.bin, '--root', root, 'state', `st-${rt.name}`] });
    }
    try {
      results.items.state = hyperfine('state', [{ name: 'node -e 0', argv: ['node', '-e', '0'] }, ...st]);
    } finally {
      for (const s of st) spawnSync(s.rt.bin, ['--root', s.root, 'delete', '--force', `st-${s.rt.name}`], { stdio: 'ignore' });
    }
    // `start` of a created container and `kill` of a running one: the
    // container is made afresh before each timed call (hyperfine --prepare).
    for (const [item, steps] of [
      ['start', ['create']],
      ['kill', ['create', 'start']],
    ]) {
      const cmds = [{ name: 'node -e 0', argv: ['node', '-e', '0'], prepare: 'true' }];
      for (const rt of runtimes) {
        const root = rootFor(rt, item);
        const id = `${item}-${rt.name}`;
        const q = (args) => [rt.bin, '--root', root, ...args].map(shellQuote).join(' ');
        const prep = [q(['delete', '--force', id]) + ' >/dev/null 2>&1', ...steps.map((s) => q(s === 'create' ? ['create', '--bundle', sleepBundle, id] : [s, id]) + ' </dev/null >/dev/null')];
        cmds.push({ name: `${rt.name} ${item}`, argv: [rt.bin, '--root', root, item, id, ...(item === 'kill' ? ['KILL'] : [])], prepare: `sh -c ${shellQuote(prep.join('; '))}` });
      }
      try {
        results.items[item] = hyperfine(item, cmds);
      } finally {
        for (const rt of runtimes) spawnSync(rt.bin, ['--root', rootFor(rt, item), 'delete', '--force', `${item}-${rt.name}`], { stdio: 'ignore' });
      }
    }
  }
  if (want(1)) {
    results.items.run = hyperfine(
      'run',
      runtimes.map((rt) => ({ name: `${rt.name} run`, argv: [rt.bin, '--root', rootFor(rt, 'run'), 'run', '--bundle', trueBundle, `bench-run-${rt.name}`] })),
    );
  }
  if (want(2)) {
    results.items.sequence = hyperfine(
      'sequence',
      runtimes.map((rt) => ({ name: `${rt.name} sequence`, argv: ['/bin/sh', seq, rt.bin, rootFor(rt, 'seq'), sleepBundle, `bench-seq-${rt.name}`] })),
    );
  }
  if (want(4)) {
    results.items.ctr = await withContainerd(work, join(trueBundle, 'rootfs'), (ctr, image) => {
      // the shim's runtime root gets its warm server on the first call
      for (const rt of runtimes.filter((r) => r.warm)) {
        for (let i = 0; i < 3; i++) {
          spawnSync(ctr[0], [...ctr.slice(1), 'run', '--rm', '--runc-binary', rt.bin, image, `bench-ctr-warmup-${i}`, '/bin/true'], { stdio: 'ignore' });
          spawnSync('sleep', ['1']);
        }
      }
      return hyperfine(
        'ctr',
        runtimes.map((rt) => ({ name: `${rt.name} ctr run --rm`, argv: [...ctr, 'run', '--rm', '--runc-binary', rt.bin, image, `bench-ctr-${rt.name}`, '/bin/true'] })),
      );
    });
  }
  if (want(5)) {
    results.items.parallel = {};
    for (const rt of runtimes) {
      results.items.parallel[rt.name] = await lifecycles(rt, { root: rootFor(rt, 'par'), bundle: sleepBundle, seq, count: 50, jobs: 4 });
    }
  }
  if (want(6)) {
    results.items.memory = {};
    for (const rt of runtimes) {
      results.items.memory[rt.name] = smallestMemoryLimit(rt, { root: rootFor(rt, 'mem'), dir: join(work, `mem-${rt.name}`) });
    }
  }
  if (want(7)) {
    results.items.rss = {};
    for (const rt of runtimes) results.items.rss[rt.name] = peakRss(rt, rootFor(rt, 'rss'));
  }
  if (want(8)) {
    const ts = runtimes.find((r) => r.name === (process.env.BENCH_TRACE ?? 'tsrunc'));
    results.items.trace = tracePhases(ts.bin, { root: rootFor(ts, 'trace'), bundle: sleepBundle, runs: Math.min(RUNS, 10) });
  }
} finally {
  results.finished = new Date().toISOString();
  const dir = join(REPO, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(results, null, 2) + '\n';
  writeFileSync(join(dir, `${results.started.replace(/[:.]/g, '-')}.json`), text);
  writeFileSync(join(dir, 'latest.json'), text);
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(table(results));

/** Peak RSS (KiB, median of 5) of `run /bin/true`: GNU time's %M is the
 *  largest ru_maxrss of the runtime and the children it waited for. */
function peakRss(rt, root) {
  const vals = [];
  for (let i = 0; i < 5; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', rt.bin, '--root', root, 'run', '--bundle', trueBundle, `bench-rss-${rt.name}`], { encoding: 'utf8' });
    if (r.status !== 0) return { error: r.stderr.trim().split('\n').slice(-2).join(' ') };
    vals.push(Number(r.stderr.trim().split('\n').pop()));
  }
  return { kib: median(vals) };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function table(res) {
  const rows = [];
  const ms = (x) => (x === undefined ? '—' : x.toFixed(1));
  const ratio = (x, base) => (x === undefined || !base ? '—' : `${(x / base).toFixed(2)}×`);
  const timed = (label, item, suffix) => {
    if (!item) return;
    if (item.error) {
      rows.push(`| ${label} | ${item.error} | | | | | |`);
      return;
    }
    const base = item[`runc ${suffix}`];
    for (const name of ['node -e 0', ...runtimes.map((r) => `${r.name} ${suffix}`)]) {
      const m = item[name];
      if (!m) continue;
      rows.push(`| ${label} | ${name} | ${ms(m.median)} | ${ratio(m.median, base?.median)} | ${ms(m.cpu)} | ${ratio(m.cpu, base?.cpu)} | ${ms(m.min)} |`);
    }
  };
  const head = [
    `Machine: ${res.machine.cpu}, ${res.machine.memGiB} GiB, Linux ${res.machine.kernel}, Node ${res.machine.node}; ${res.machine.runc}; ${res.machine.crun}.`,
    `Load average at start: ${res.machine.loadavg.join(' ')} (on a shared machine wall times are noisy, CPU times less so). ${res.runs} runs each; crun runs through crun-hybrid (unshare + sh), included in its figures. Item 4's CPU time is ctr's own (the runtime runs under the shim).`,
    '',
    '| item | command | median wall ms | vs runc | mean CPU ms (user+sys) | vs runc | min wall ms |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  timed('1. run /bin/true', res.items.run, 'run');
  timed('2. create,start,state,kill,delete', res.items.sequence, 'sequence');
  timed('3. --version', res.items.version, '--version');
  timed('3. state', res.items.state, 'state');
  timed('3. start (created container)', res.items.start, 'start');
  timed('3. kill (running container)', res.items.kill, 'kill');
  timed('4. ctr run --rm /bin/true', res.items.ctr, 'ctr run --rm');
  const extra = [];
  if (res.items.parallel) {
    extra.push('', '| 5. 50 lifecycles, 4 at a time | wall s | failures | leftovers |', '|---|---:|---:|---|');
    for (const [n, p] of Object.entries(res.items.parallel)) extra.push(`| ${n} | ${(p.wallMs / 1000).toFixed(2)} | ${p.failures} | ${p.leftovers.length ? p.leftovers.join(', ') : 'none'} |`);
  }
  if (res.items.memory || res.items.rss) {
    extra.push('', '| runtime | 6. smallest memory limit for /bin/true | 7. peak RSS of `run` (KiB) |', '|---|---|---:|');
    for (const rt of runtimes) {
      const m = res.items.memory?.[rt.name];
      const r = res.items.rss?.[rt.name];
      const mem = !m ? '—' : m.smallestKiB ? `${m.smallestKiB} KiB` : `none of ${m.tried.join(', ')} KiB`;
      extra.push(`| ${rt.name} | ${mem} | ${r ? (r.kib ?? r.error) : '—'} |`);
    }
  }
  if (res.items.trace) {
    extra.push('', '8. tsrunc --trace, median ms per phase:', '');
    for (const [cmd, ps] of Object.entries(res.items.trace)) {
      extra.push(`- ${cmd}: ${Object.entries(ps).map(([p, v]) => `${p} ${v}`).join('; ')}`);
    }
  }
  return [...head, ...rows, ...extra, ...targets(res), ''].join('\n');
}

/** Issue 7's targets, each met or not, from this run's medians. */
function targets(res) {
  const it = res.items;
  const med = (item, name) => it[item]?.[name]?.median;
  const lines = ['', "Issue 7's targets (median wall times of this run):", '', '| target | mode | figure | met |', '|---|---|---:|---|'];
  const add = (target, mode, value, limit, fmt) => {
    if (value === undefined || limit === undefined) return;
    lines.push(`| ${target} | ${mode} | ${fmt(value, limit)} | ${value <= limit ? 'yes' : 'no'} |`);
  };
  const ratioText = (v, l, base) => `${(v / base).toFixed(2)}× (limit ${(l / base).toFixed(2)}×)`;
  for (const mode of ['tsrunc', 'tsrunc-bin']) {
    for (const cmd of ['state', 'start', 'kill']) {
      const node = med(cmd, 'node -e 0');
      add(`${cmd} ≤ 1.15× node -e 0`, mode, med(cmd, `${mode} ${cmd}`), node && node * 1.15, (v, l) => ratioText(v, l, node));
    }
    const node = med('version', 'node -e 0');
    const crunRun = med('run', 'crun run');
    add('run /bin/true ≤ node -e 0 + crun run', mode, med('run', `${mode} run`), node && crunRun && node + crunRun, (v, l) => `${v.toFixed(1)} ms (limit ${l.toFixed(1)} ms)`);
  }
  add('warm state ≤ 5 ms', 'tsrunc-warm', med('state', 'tsrunc-warm state'), 5, (v) => `${v.toFixed(1)} ms`);
  const seqBase = med('sequence', 'runc sequence');
  add('five-call sequence ≤ 1.0× runc', 'tsrunc-warm', med('sequence', 'tsrunc-warm sequence'), seqBase, (v, l) => ratioText(v, l, seqBase));
  const ctrBase = med('ctr', 'runc ctr run --rm');
  add('ctr run --rm ≤ 1.0× runc', 'tsrunc-warm', med('ctr', 'tsrunc-warm ctr run --rm'), ctrBase, (v, l) => ratioText(v, l, ctrBase));
  return lines;
}
