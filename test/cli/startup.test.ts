// The hot calls' load path stays lean (issue 7): what `state`, `kill`,
// `start`, `delete` and `create` load is what they need. Each call runs
// under a preload that records, at exit, the Node builtins loaded and the
// bundle parts read; a builtin that pulls in streams, net or crypto costs
// every call ~3 ms of start-up, so none of the hot calls may load one. And
// what tsrunc prints goes out whole through a non-blocking stdout (it
// writes with write(2), src/output.ts, waiting out EAGAIN).
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBundle } from '../lib/bundle.js';
import { Runtime, TSRUNC } from '../lib/runtime.js';
import { waitUntil } from '../cgroups/helpers.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const BIN = join(REPO, 'bin/tsrunc');
// The check is about bin/tsrunc's Node start-up; a standalone binary or the
// warm front (TSRUNC_BIN) starts differently.
const skip = process.env.TSRUNC_BIN ? 'TSRUNC_BIN is set: this checks bin/tsrunc' : process.getuid?.() !== 0 ? 'needs root' : false;

// Builtins whose loading costs a call milliseconds (and what they pull in).
const HEAVY = ['child_process', 'crypto', 'net', 'stream', 'tty', 'perf_hooks', 'worker_threads', 'http', 'dgram', 'readline'];

interface Probe {
  builtins: string[];
  parts: string[];
}

function probed(t: Test, rt: Runtime, args: string[]): Probe {
  const out = join(rt.root, '.probe.json');
  const preload = join(rt.root, '.probe.cjs');
  writeFileSync(
    preload,
    `const fs = require('fs'); const read = fs.readFileSync; const parts = new Set();
fs.readFileSync = function (p, ...rest) { const m = /dist\\/bundle\\/(\\w+)\\.cjs$/.exec(String(p)); if (m) parts.add(m[1]); return read.call(this, p, ...rest); };
process.on('exit', () => fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({
  builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)), parts: [...parts] })));`,
  );
  // stderr to a file: a created container holds tsrunc's stdio (a pipe would stay open)
  const errFile = join(rt.root, '.probe.err');
  const err = openSync(errFile, 'w');
  // Without the NODE_OPTIONS that tap's process tracking puts into every
  // child's environment (it loads half of Node): as engines start us.
  const argv = [process.execPath, '--require', preload, BIN, '--root', rt.root, ...args];
  const r = spawnSync('/bin/sh', ['-c', 'unset NODE_OPTIONS; exec "$@"', 'sh', ...argv], { stdio: ['ignore', 'ignore', err] });
  closeSync(err);
  t.equal(r.status, 0, `tsrunc ${args.join(' ')} ${readFileSync(errFile, 'utf8').trim()}`);
  const probe = JSON.parse(readFileSync(out, 'utf8')) as Probe;
  rmSync(out);
  return probe;
}

t.test('the hot calls load no heavy builtin, and only the bundle parts they use', { skip }, async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['sleep', '1000']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  const calls: { args: string[]; parts: string[] }[] = [
    { args: ['create', '--bundle', bundle.dir, 'lean'], parts: ['cli', 'validators'] },
    { args: ['state', 'lean'], parts: ['cli'] },
    { args: ['start', 'lean'], parts: ['cli'] },
    { args: ['kill', 'lean', 'KILL'], parts: ['cli'] },
  ];
  for (const { args, parts } of calls) {
    const p = probed(t, rt, args);
    for (const heavy of HEAVY) t.notOk(p.builtins.includes(heavy), `${args[0]} does not load ${heavy}`);
    t.same(p.parts.sort(), parts, `${args[0]} reads the bundle parts ${parts.join(', ')}`);
  }
  t.ok(await waitUntil(() => rt.state('lean').status === 'stopped', 5000), 'killed');
  const del = probed(t, rt, ['delete', 'lean']);
  for (const heavy of HEAVY) t.notOk(del.builtins.includes(heavy), `delete does not load ${heavy}`);
  t.same(del.parts, ['cli'], 'delete reads only cli.cjs');
  const help = probed(t, rt, ['list']);
  t.same(help.parts.sort(), ['cli', 'yargs'], 'list goes through yargs, its own part');
});

t.test('a large state goes out whole through a non-blocking stdout pipe', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async (t) => {
  const rt = new Runtime();
  // 300 KB of annotations: several pipe buffers, so the writer meets EAGAIN.
  const annotations: Record<string, string> = {};
  for (let i = 0; i < 300; i++) annotations[`org.example/a${i}`] = 'x'.repeat(1000);
  const bundle = makeBundle(['sleep', '1000'], (s) => (s.annotations = annotations));
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  rt.ok(['create', '--bundle', bundle.dir, 'big']);
  // python3 makes the pipe's write end O_NONBLOCK and reads only after a pause.
  const reader = [
    'import fcntl, os, subprocess, sys, time',
    'r, w = os.pipe()',
    'fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)',
    'p = subprocess.Popen(sys.argv[1:], stdout=w)',
    'os.close(w)',
    'time.sleep(0.5)',
    'data = b""',
    'while True:',
    '    b = os.read(r, 65536)',
    '    if not b: break',
    '    data += b',
    'p.wait()',
    'sys.stdout.buffer.write(bytes([p.returncode]) + data)',
  ].join('\n');
  const r = spawnSync('python3', ['-c', reader, TSRUNC, '--root', rt.root, 'state', 'big'], { maxBuffer: 16 << 20 });
  t.equal(r.status, 0, r.stderr.toString());
  t.equal(r.stdout[0], 0, 'state exited 0');
  const printed = JSON.parse(r.stdout.subarray(1).toString('utf8')) as { annotations: Record<string, string> };
  t.same(printed.annotations, annotations, 'every byte of the state arrived');
});
