// Hooks: all six kinds run at their lifecycle point with the state on stdin,
// in order; args/env/timeout honoured; failure behaviour as runtime.md says.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../lib/bundle.js';
import { Runtime } from '../lib/runtime.js';
import type { Hook, Hooks } from '../../src/spec/types.js';

interface Logged {
  hook: string;
  argv: string[];
  env: string;
  state: { id: string; status: string; pid?: number; bundle: string };
}

/** A host script that appends one JSON line per call to `log`. */
function recorder(dir: string, log: string): string {
  const path = join(dir, 'record-hook.sh');
  writeFileSync(
    path,
    `#!/bin/sh
state=$(cat)
printf '{"hook":"%s","argv":"%s","env":"%s","state":%s}\\n' "$1" "$*" "$HOOKVAR" "$state" >> ${log}
`,
  );
  chmodSync(path, 0o755);
  return path;
}

function parseLog(path: string): Logged[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const o = JSON.parse(l) as { hook: string; argv: string; env: string; state: Logged['state'] };
      return { hook: o.hook, argv: o.argv.split(' '), env: o.env, state: o.state };
    });
}

t.test('all six hooks run in lifecycle order with the state on stdin', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['sleep', '1000']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  const log = join(bundle.dir, 'hooks.log');
  const script = recorder(bundle.dir, log);
  // In-container hooks resolve paths in the container: give it the script
  // and a log in the rootfs (createContainer runs before pivot_root and
  // resolves in the runtime namespace, startContainer in the container).
  const inLog = join(bundle.rootfs, 'hooks.log');
  writeFileSync(join(bundle.rootfs, 'record-hook.sh'), readFileSync(script, 'utf8').replace(log, '/hooks.log'));
  chmodSync(join(bundle.rootfs, 'record-hook.sh'), 0o755);
  const hook = (name: string, path = script): Hook => ({ path, args: ['record-hook.sh', name], env: ['HOOKVAR=v-' + name] });
  const hooks: Hooks = {
    prestart: [hook('prestart')],
    createRuntime: [hook('createRuntime')],
    createContainer: [hook('createContainer')],
    startContainer: [hook('startContainer', '/record-hook.sh')],
    poststart: [hook('poststart')],
    poststop: [hook('poststop')],
  };
  bundle.spec.hooks = hooks;
  bundle.save();

  rt.ok(['create', '--bundle', bundle.dir, 'h1']);
  const pid = rt.state('h1').pid;
  let calls = parseLog(log);
  t.same(calls.map((c) => c.hook), ['prestart', 'createRuntime', 'createContainer'], 'create runs the create-time hooks only');
  for (const c of calls) {
    t.equal(c.state.id, 'h1');
    t.equal(c.state.status, 'created', `${c.hook} sees status created (after step 2)`);
    t.equal(c.state.pid, pid, `${c.hook} sees the init pid`);
    t.equal(c.state.bundle, bundle.dir);
    t.equal(c.env, `v-${c.hook}`, `${c.hook} gets its env`);
    t.same(c.argv, [c.hook], `${c.hook} gets its args after argv[0]`);
  }
  t.same(parseLog(inLog), [], 'startContainer has not run at create');

  rt.ok(['start', 'h1']);
  calls = parseLog(log);
  t.same(calls.map((c) => c.hook), ['prestart', 'createRuntime', 'createContainer', 'poststart'], 'poststart after start');
  t.equal(calls[3]!.state.status, 'running');
  const inside = parseLog(inLog);
  t.same(inside.map((c) => c.hook), ['startContainer'], 'startContainer ran inside the container');

  rt.ok(['kill', 'h1', 'KILL']);
  for (let i = 0; i < 100 && rt.state('h1').status !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  rt.ok(['delete', 'h1']);
  calls = parseLog(log);
  t.equal(calls[calls.length - 1]!.hook, 'poststop');
  t.equal(calls[calls.length - 1]!.state.status, 'stopped');
});

t.test('a failing prestart hook fails create and leaves nothing behind', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['true']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  bundle.spec.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'echo boom >&2; exit 3'] }] };
  bundle.save();
  const r = rt.run(['create', '--bundle', bundle.dir, 'h2']);
  t.equal(r.code, 1);
  t.match(r.stderr, /prestart hook #0 \(\/bin\/sh\): exit status 3: boom/);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one error line');
  t.notOk(existsSync(join(rt.root, 'h2')), 'no state dir');
});

t.test('a hook that outlives its timeout is killed and fails create', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['true']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  bundle.spec.hooks = { createRuntime: [{ path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }] };
  bundle.save();
  const started = Date.now();
  const r = rt.run(['create', '--bundle', bundle.dir, 'h3']);
  t.equal(r.code, 1);
  t.match(r.stderr, /timed out after 1s/);
  t.ok(Date.now() - started < 20_000, 'did not wait for the hook');
  t.notOk(existsSync(join(rt.root, 'h3')));
});

t.test('failing poststart and poststop hooks only warn', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['true']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  const fail = { path: '/bin/false', args: ['false'] };
  bundle.spec.hooks = { poststart: [fail], poststop: [fail] };
  bundle.save();
  const r = rt.run(['run', '--bundle', bundle.dir, 'h4']);
  t.equal(r.code, 0, 'run succeeds');
  t.match(r.stderr, /level=warning.*poststart hook #0/);
  t.match(r.stderr, /level=warning.*poststop hook #0/);
});
