// Engines start the runtime with almost no environment (Podman: no PATH, no
// HOME) and sometimes with stdio closed or /dev/null: tsrunc must still work.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle } from '../lib/bundle.js';
import { Runtime, TSRUNC } from '../lib/runtime.js';

t.test('an empty environment and closed stdio', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['sh', '-c', 'echo ran > /ran; ls -l /proc/self/fd/ > /fds 2>&1']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  // /bin/sh closes 0-2 and execs tsrunc with `env -i`: no PATH, no HOME.
  const run = (args: string): number =>
    spawnSync('/bin/sh', ['-c', `exec env -i ${TSRUNC} --root ${rt.root} ${args} <&- >&- 2>&-`], { stdio: 'ignore' }).status ?? -1;
  t.equal(run(`create --bundle ${bundle.dir} envless`), 0, 'create');
  t.equal(run('start envless'), 0, 'start');
  for (let i = 0; i < 200 && !existsSync(join(bundle.rootfs, 'ran')); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  t.equal(readFileSync(join(bundle.rootfs, 'ran'), 'utf8'), 'ran\n', 'the container ran');
  t.match(readFileSync(join(bundle.rootfs, 'fds'), 'utf8'), /0 -> \/dev\/null/, 'its stdin is /dev/null');
  for (let i = 0; i < 200 && rt.state('envless').status !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  t.equal(run('kill envless KILL'), 1, 'kill of a stopped container fails, also without an environment');
  t.equal(run('delete envless'), 0, 'delete');
  t.notOk(existsSync(join(rt.root, 'envless')));
  const version = spawnSync('env', ['-i', TSRUNC, '--version'], { encoding: 'utf8' });
  t.match(version.stdout, /^tsrunc version /, '--version with no environment');
});

t.test('kill --all of a stopped container succeeds (the CRI plugin sends it)', async (t) => {
  const rt = new Runtime();
  const bundle = makeBundle(['true']);
  t.teardown(() => {
    rt.cleanup();
    bundle.cleanup();
  });
  rt.ok(['run', '--detach', '--bundle', bundle.dir, 'killall']);
  for (let i = 0; i < 200 && rt.state('killall').status !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  t.equal(rt.state('killall').status, 'stopped');
  t.equal(rt.run(['kill', '--all', 'killall', '9']).code, 0, 'kill --all');
  t.equal(rt.run(['kill', 'killall', '9']).code, 1, 'plain kill still fails: container not running');
});
