// Rootless: tsrunc run by an unprivileged user this test creates (useradd,
// with /etc/subuid and /etc/subgid ranges), on a busybox bundle it owns.
// Covers `spec --rootless`, a self mapping (setgroups deny), several ranges
// through newuidmap/newgidmap, state under $XDG_RUNTIME_DIR, cgroups skipped,
// bound device nodes, and the errors for what cannot be done unprivileged.
import t, { type Test } from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRootfs } from '../lib/bundle.js';
import { TSRUNC } from '../lib/runtime.js';
import { rootlessSpec } from '../../src/lifecycle/spec.js';
import type { Spec } from '../../src/spec/types.js';

const SUB_START = 600000 + (process.pid % 100) * 65536;
const user = `tsrl${process.pid}`;
const subLine = `${user}:${SUB_START}:65536\n`;

function removeLine(file: string, line: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  if (text.includes(line)) writeFileSync(file, text.split(line).join(''));
}

execFileSync('useradd', ['-M', '-s', '/bin/false', user]);
t.teardown(() => {
  spawnSync('userdel', [user]);
  removeLine('/etc/subuid', subLine);
  removeLine('/etc/subgid', subLine);
});
for (const f of ['/etc/subuid', '/etc/subgid']) writeFileSync(f, subLine, { flag: 'a' });
const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));

const home = mkdtempSync(join(tmpdir(), 'tsrunc-rootless-'));
t.teardown(() => rmSync(home, { recursive: true, force: true }));
chmodSync(home, 0o755);
const runtimeDir = join(home, 'xdg');
execFileSync('mkdir', ['-m', '700', runtimeDir]);
execFileSync('chown', [`${uid}:${gid}`, runtimeDir]);

let calls = 0;

interface Res {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/tsrunc as the unprivileged user, no --root: the default applies. */
function asUser(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Res {
  // output goes to files: a detached container keeps inherited pipes open
  const out = join(home, `out-${calls}`);
  const err = join(home, `err-${calls++}`);
  const fdOut = openSync(out, 'w');
  const fdErr = openSync(err, 'w');
  let r: ReturnType<typeof spawnSync>;
  try {
    r = spawnSync('setpriv', ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--', TSRUNC, ...args], {
      cwd,
      stdio: ['ignore', fdOut, fdErr],
      timeout: 60_000,
      env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', XDG_RUNTIME_DIR: runtimeDir, HOME: home, ...extraEnv },
    });
  } finally {
    closeSync(fdOut);
    closeSync(fdErr);
  }
  const res = { code: r.status ?? 137, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
  rmSync(out);
  rmSync(err);
  if (r.error) throw new Error(`tsrunc ${args.join(' ')}: ${r.error.message}; ${res.stderr}`);
  return res;
}

let n = 0;

/** A bundle owned by the user with runc's rootless config running `args`. */
function bundle(t: Test, id: string, args: string[], edit?: (s: Spec) => void): string {
  const dir = join(home, `b${n++}`);
  makeRootfs(join(dir, 'rootfs'));
  const s = rootlessSpec(uid, gid);
  s.process!.terminal = false;
  s.process!.args = args;
  s.root = { path: 'rootfs', readonly: false };
  edit?.(s);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(s));
  execFileSync('chown', ['-R', '-h', `${uid}:${gid}`, dir]);
  t.teardown(() => {
    asUser(['delete', '--force', id], dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

t.test('spec --rootless writes runc\'s rootless config for the caller', async (t) => {
  const dir = join(home, 'spec');
  execFileSync('mkdir', [dir]);
  execFileSync('chown', [`${uid}:${gid}`, dir]);
  const r = asUser(['spec', '--rootless'], dir);
  t.equal(r.code, 0, r.stderr);
  const s = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Spec;
  t.ok(s.linux!.namespaces!.some((ns) => ns.type === 'user'));
  t.notOk(s.linux!.namespaces!.some((ns) => ns.type === 'network'), 'no network namespace');
  t.same(s.linux!.uidMappings, [{ containerID: 0, hostID: uid, size: 1 }]);
  t.same(s.linux!.gidMappings, [{ containerID: 0, hostID: gid, size: 1 }]);
  t.notOk(s.linux!.resources, 'no resources');
  t.notOk(JSON.stringify(s.mounts).includes('gid=5'), 'no gid= option');
});

t.test('a rootless busybox container: id, writes to its rootfs, bound devices', async (t) => {
  const dir = bundle(t, 'rl-self', [
    'sh',
    '-c',
    'id; cat /proc/self/uid_map /proc/self/setgroups; echo hi > /written && cat /written; stat -c %t:%T /dev/zero; echo x > /dev/null && echo null-ok',
  ]);
  const r = asUser(['run', 'rl-self'], dir);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^uid=0\(root\) gid=0\(root\)\n\s+0\s+(\d+)\s+1\ndeny\nhi\n1:5\nnull-ok\n$/);
  t.match(r.stdout, new RegExp(`\\s0\\s+${uid}\\s+1\\n`), 'the caller is root inside');
  const st = statSync(join(dir, 'rootfs/written'));
  t.same([st.uid, st.gid], [uid, gid], 'owned by the user on the host');
});

t.test('rootless state lives in $XDG_RUNTIME_DIR/tsrunc; cgroups skipped; exec', async (t) => {
  const dir = bundle(t, 'rl-state', ['sleep', '60']);
  const c = asUser(['create', 'rl-state'], dir);
  t.equal(c.code, 0, c.stderr);
  t.ok(existsSync(join(runtimeDir, 'tsrunc/rl-state/state.json')), 'state under XDG_RUNTIME_DIR');
  const st = JSON.parse(asUser(['state', 'rl-state'], dir).stdout) as { status: string; pid: number };
  t.equal(st.status, 'created');
  t.equal(statSync(`/proc/${st.pid}`).uid, uid, 'init runs as the user on the host');
  t.equal(asUser(['start', 'rl-state'], dir).code, 0);
  const e = asUser(['exec', 'rl-state', 'sh', '-c', 'id -u; cat /proc/self/uid_map'], dir);
  t.equal(e.code, 0, e.stderr);
  t.match(e.stdout, new RegExp(`^0\\n\\s+0\\s+${uid}\\s+1\\n$`), 'exec joins the user namespace');
  const d = asUser(['delete', '--force', 'rl-state'], dir);
  t.equal(d.code, 0, d.stderr);
  t.notOk(existsSync(join(runtimeDir, 'tsrunc/rl-state')), 'state removed');
});

t.test('several ranges through newuidmap/newgidmap (subuid/subgid)', async (t) => {
  const dir = bundle(t, 'rl-ranges', ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; touch /f && chown 1:2 /f && echo chowned'], (s) => {
    s.linux!.uidMappings = [
      { containerID: 0, hostID: uid, size: 1 },
      { containerID: 1, hostID: SUB_START, size: 65536 },
    ];
    s.linux!.gidMappings = [
      { containerID: 0, hostID: gid, size: 1 },
      { containerID: 1, hostID: SUB_START, size: 65536 },
    ];
    const caps = s.process!.capabilities!;
    for (const set of [caps.bounding!, caps.effective!, caps.permitted!]) set.push('CAP_CHOWN');
  });
  const r = asUser(['run', 'rl-ranges'], dir);
  t.equal(r.code, 0, r.stderr);
  const maps = `\\s+0\\s+X\\s+1\\n\\s+1\\s+${SUB_START}\\s+65536\\n`;
  t.match(r.stdout, new RegExp(`^${maps.replace('X', String(uid))}${maps.replace('X', String(gid))}allow\\nchowned\\n$`));
  const st = statSync(join(dir, 'rootfs/f'));
  t.same([st.uid, st.gid], [SUB_START, SUB_START + 1], 'container 1:2 is the first subordinate ids');
});

t.test('without newuidmap/newgidmap the maps fall back to a single self-mapping', async (t) => {
  const dir = bundle(t, 'rl-fallback', ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id -u'], (s) => {
    s.linux!.uidMappings = [
      { containerID: 0, hostID: uid, size: 1 },
      { containerID: 1, hostID: SUB_START, size: 65536 },
    ];
    s.linux!.gidMappings = [
      { containerID: 0, hostID: gid, size: 1 },
      { containerID: 1, hostID: SUB_START, size: 65536 },
    ];
  });
  const r = asUser(['run', 'rl-fallback'], dir, { TSRUNC_MAP_HELPER_DIRS: '/nonexistent' });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`^\\s+0\\s+${uid}\\s+1\\n\\s+0\\s+${gid}\\s+1\\n0\\n$`), 'one range each: container 0 is the caller');
  t.match(r.stderr, /newuidmap not found/, 'a warning says the maps were reduced');
});

t.test('a range outside /etc/subuid is refused with newuidmap\'s reason', async (t) => {
  const dir = bundle(t, 'rl-bad', ['true'], (s) => {
    s.linux!.uidMappings = [
      { containerID: 0, hostID: uid, size: 1 },
      { containerID: 1, hostID: 100, size: 10 },
    ];
  });
  const r = asUser(['run', 'rl-bad'], dir);
  t.not(r.code, 0);
  t.match(r.stderr, /newuidmap/);
  t.notOk(existsSync(join(runtimeDir, 'tsrunc/rl-bad')), 'nothing left behind');
});

t.test('unprivileged without a user namespace: a clear error', async (t) => {
  const dir = bundle(t, 'rl-nouserns', ['true'], (s) => {
    s.linux!.namespaces = s.linux!.namespaces!.filter((ns) => ns.type !== 'user');
    s.linux!.namespaces.push({ type: 'network' });
    delete s.linux!.uidMappings;
    delete s.linux!.gidMappings;
  });
  const r = asUser(['run', 'rl-nouserns'], dir);
  t.not(r.code, 0);
  t.match(r.stderr, /rootless container requires user namespaces/);
  t.notOk(existsSync(join(runtimeDir, 'tsrunc/rl-nouserns')), 'nothing left behind');
});

t.test('unprivileged: a fifo device cannot be made', async (t) => {
  const dir = bundle(t, 'rl-fifo', ['true'], (s) => {
    s.linux!.devices = [{ path: '/dev/myfifo', type: 'p', major: 0, minor: 0 }];
  });
  const r = asUser(['run', 'rl-fifo'], dir);
  t.not(r.code, 0);
  t.match(r.stderr, /cannot create fifo \/dev\/myfifo unprivileged/);
});
