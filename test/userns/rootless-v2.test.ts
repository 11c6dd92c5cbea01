// Rootless on a pure cgroup v2 host with a delegated subtree (what systemd
// gives a user): the unprivileged tsrunc creates the container's cgroup in
// it and applies limits, as runc does. Runs in the test VM:
//   test/vm/run-in-vm.sh node dist/test/userns/rootless-v2.test.js
// and is skipped on hosts that are not pure v2 (the hybrid dev machines).
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectHierarchies } from '../../src/linux/cgroups/hierarchy.js';
import { makeRootfs } from '../lib/bundle.js';
import { TSRUNC } from '../lib/runtime.js';
import { rootlessSpec } from '../../src/lifecycle/spec.js';

if (process.env.TSRUNC_IN_VM) t.setTimeout(30 * 60 * 1000);

const h = detectHierarchies();
const skip = process.getuid?.() !== 0 ? 'needs root' : h.mode !== 'v2' ? `host cgroups are ${h.mode}, not pure v2 (run it in test/vm/run-in-vm.sh)` : false;

t.test('rootless with a delegated cgroup v2 subtree: cgroup made, limits applied', { skip }, async (t) => {
  const user = `tsrl2${process.pid}`;
  execFileSync('useradd', ['-M', '-s', '/bin/false', user]);
  const undo: (() => void)[] = [];
  // one teardown, run last-made-first: container, cgroups, files, user
  t.teardown(() => {
    for (const f of undo.reverse()) f();
  });
  undo.push(() => void spawnSync('userdel', [user]));
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));

  const name = `tsrunc-deleg-${process.pid}`;
  const deleg = `/sys/fs/cgroup/${name}`;
  const rootCtl = readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8');
  if (!rootCtl.split(/\s+/).includes('pids')) writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+pids');
  mkdirSync(deleg);
  undo.push(() => {
    for (const d of [`${deleg}/ctr`, `${deleg}/launch`, deleg]) {
      try {
        rmdirSync(d);
      } catch {
        // not there (or still busy: reported by the assertions)
      }
    }
  });
  writeFileSync(`${deleg}/cgroup.subtree_control`, '+pids');
  mkdirSync(`${deleg}/launch`);
  // delegation as systemd does it: the directory and its control files
  execFileSync('chown', ['-R', `${uid}:${gid}`, deleg]);

  const home = mkdtempSync(join(tmpdir(), 'tsrunc-rootless-v2-'));
  undo.push(() => rmSync(home, { recursive: true, force: true }));
  chmodSync(home, 0o755);
  const xdg = join(home, 'xdg');
  const dir = join(home, 'bundle');
  mkdirSync(xdg, { mode: 0o700 });
  makeRootfs(join(dir, 'rootfs'));
  const spec = rootlessSpec(uid, gid);
  spec.process!.terminal = false;
  spec.process!.args = ['sleep', '300'];
  spec.root = { path: 'rootfs', readonly: false };
  spec.linux!.cgroupsPath = `/${name}/ctr`;
  spec.linux!.resources = { pids: { limit: 10 } };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
  execFileSync('chown', ['-R', '-h', `${uid}:${gid}`, home]);

  let calls = 0;
  // tsrunc starts inside the delegated subtree (launch/), as a user's
  // session does: moving its init to ctr/ then needs no privilege
  const asUser = (args: string[]) => {
    const err = join(home, `err-${calls++}`);
    const fd = openSync(err, 'w');
    let r: ReturnType<typeof spawnSync>;
    try {
      r = spawnSync(
        'sh',
        ['-c', 'd=$1 u=$2 g=$3 b=$4; shift 4; echo $$ > "$d/launch/cgroup.procs" && exec setpriv --reuid "$u" --regid "$g" --clear-groups -- "$b" "$@"', 'sh', deleg, String(uid), String(gid), TSRUNC, ...args],
        { cwd: dir, stdio: ['ignore', 'ignore', fd], timeout: 600_000, env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', XDG_RUNTIME_DIR: xdg } },
      );
    } finally {
      closeSync(fd);
    }
    return { code: r.status ?? 137, stderr: readFileSync(err, 'utf8') };
  };
  undo.push(() => void asUser(['delete', '--force', 'deleg']));

  const c = asUser(['create', 'deleg']);
  t.equal(c.code, 0, c.stderr);
  const state = JSON.parse(readFileSync(join(xdg, 'tsrunc/deleg/state.json'), 'utf8')) as { pid: number };
  t.ok(existsSync(`${deleg}/ctr`), 'the container cgroup was made in the delegated subtree');
  t.equal(readFileSync(`${deleg}/ctr/pids.max`, 'utf8').trim(), '10', 'pids limit applied');
  t.match(readFileSync(`${deleg}/ctr/cgroup.procs`, 'utf8'), new RegExp(`^${state.pid}$`, 'm'), 'init is in it');
  const d = asUser(['delete', '--force', 'deleg']);
  t.equal(d.code, 0, d.stderr);
  t.notOk(existsSync(`${deleg}/ctr`), 'removed by delete');
});
