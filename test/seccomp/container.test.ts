// Seccomp through real containers: `tsrunc run` with linux.seccomp, the
// filter compiled in the parent and loaded by the init helper. Skipped only
// where the runtime itself is not built (a branch with just the compiler).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Seccomp, Spec } from '../../src/spec/types.js';
import {
  addRawSyscall,
  buildRawSyscall,
  makeBundle,
  rawResults,
  Runtime,
  runtimeAvailable,
  TSRUNC,
  type Bundle,
} from './container-lib.js';
import { buildHarness, ENOSYS, EPERM, NR, NR_I386 } from './helpers.js';
import { PODMAN_DEFAULT_CAPS, PODMAN_PROFILE, podmanSeccomp } from './podman-profile.js';

const skip = runtimeAvailable() ? false : 'the tsrunc runtime (bin/tsrunc, dist/src/cli.js) is not built here';
const SIGSYS_STATUS = 128 + 31;
// Syscalls that ignore their arguments and that nothing else in the
// container calls: their rules only ever see what raw-syscall passes.
const NR_SCHED_YIELD = 24;
const NR_GETPGRP = 111;
const NR_GETTID = 186;
const NR_GETUID = 102;
const NR_GETGID = 104;
const NR_GETEUID = 107;
const NR_KEYCTL = 250;

let raw: string | undefined;
const rootTest: Test = t;

function bundle(t: Test, args: string[], seccomp: Seccomp | undefined, edit?: (s: Spec) => void): Bundle {
  const b = makeBundle(t, args, (spec) => {
    if (!spec.linux) spec.linux = {};
    spec.linux.seccomp = seccomp;
    edit?.(spec);
  });
  raw ??= buildRawSyscall(rootTest); // once per file, removed at its end
  addRawSyscall(b, raw);
  return b;
}

// sched_yield: busybox sh itself never calls it (it does call getppid).
const onYield = (action: string, extra: { errnoRet?: number } = {}): Seccomp => ({
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['sched_yield'], action, ...extra }],
});

t.test('every action, in a container', { skip }, async (t) => {
  const rt = new Runtime(t);
  const script = `raw-syscall ${NR_SCHED_YIELD}; echo status=$?`;
  const cases: [string, Seccomp, (out: string) => void][] = [
    ['errno', onYield('SCMP_ACT_ERRNO', { errnoRet: 42 }), (o) => t.same(rawResults(o), [{ ret: -1, errno: 42 }])],
    ['errno-eperm', onYield('SCMP_ACT_ERRNO'), (o) => t.same(rawResults(o), [{ ret: -1, errno: EPERM }])],
    ['kill-process', onYield('SCMP_ACT_KILL_PROCESS'), (o) => t.match(o, `status=${SIGSYS_STATUS}`)],
    ['kill-thread', onYield('SCMP_ACT_KILL_THREAD'), (o) => t.match(o, `status=${SIGSYS_STATUS}`)],
    ['kill', onYield('SCMP_ACT_KILL'), (o) => t.match(o, `status=${SIGSYS_STATUS}`)],
    ['trap', onYield('SCMP_ACT_TRAP'), (o) => t.match(o, `status=${SIGSYS_STATUS}`)],
    ['trace', onYield('SCMP_ACT_TRACE'), (o) => t.same(rawResults(o), [{ ret: -1, errno: ENOSYS }])],
    ['log', onYield('SCMP_ACT_LOG'), (o) => t.ok((rawResults(o)[0]?.ret ?? -1) >= 0, 'allowed')],
    ['allow-control', onYield('SCMP_ACT_ALLOW'), (o) => t.ok((rawResults(o)[0]?.ret ?? -1) >= 0, 'allowed')],
  ];
  for (const [name, seccomp, check] of cases) {
    const b = bundle(t, ['sh', '-c', script], seccomp);
    const r = rt.runContainer(`sc-action-${name}`, b.dir);
    t.equal(r.code, 0, `${name}: container ran (${r.stderr.trim()})`);
    check(r.stdout);
  }
});

t.test('every operator, in a container', { skip }, async (t) => {
  const rt = new Runtime(t);
  const rule = (nr: string, op: string, value: number, valueTwo?: number) => ({
    names: [nr],
    action: 'SCMP_ACT_ERRNO',
    errnoRet: 99,
    args: [{ index: 1, value, op, ...(valueTwo !== undefined ? { valueTwo } : {}) }],
  });
  const seccomp: Seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      rule('sched_yield', 'SCMP_CMP_NE', 10),
      rule('getpgrp', 'SCMP_CMP_LT', 10),
      rule('gettid', 'SCMP_CMP_LE', 10),
      rule('getuid', 'SCMP_CMP_EQ', 10),
      rule('getgid', 'SCMP_CMP_GE', 10),
      rule('geteuid', 'SCMP_CMP_GT', 10),
      rule('getppid', 'SCMP_CMP_MASKED_EQ', 0xf0, 0x10),
    ],
  };
  const calls: [string, number, number[], boolean[]][] = [
    ['NE', NR_SCHED_YIELD, [9, 10, 11], [true, false, true]],
    ['LT', NR_GETPGRP, [9, 10, 11], [true, false, false]],
    ['LE', NR_GETTID, [9, 10, 11], [true, true, false]],
    ['EQ', NR_GETUID, [9, 10, 11], [false, true, false]],
    ['GE', NR_GETGID, [9, 10, 11], [false, true, true]],
    ['GT', NR_GETEUID, [9, 10, 11], [false, false, true]],
    ['MASKED_EQ', NR.getppid, [0x13, 0x23, 0x1f], [true, false, true]],
  ];
  const argv = ['/bin/raw-syscall'];
  for (const [, nr, values] of calls) for (const v of values) argv.push(String(nr), '0', String(v), ',');
  argv.pop();
  const b = bundle(t, argv, seccomp);
  const r = rt.runContainer('sc-operators', b.dir);
  t.equal(r.code, 0, r.stderr);
  const results = rawResults(r.stdout);
  let k = 0;
  for (const [op, , values, denied] of calls) {
    values.forEach((v, i) => {
      t.equal(results[k]?.errno === 99, denied[i], `${op}: arg ${v} ${denied[i] ? 'denied' : 'allowed'}`);
      k++;
    });
  }
});

t.test('multi-arch profile, in a container', { skip }, async (t) => {
  const rt = new Runtime(t);
  const rules: Seccomp['syscalls'] = [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 77 }];
  const script = `raw-syscall --int80 ${NR_I386.mkdir} 0; raw-syscall ${NR.mkdir} 0; echo status=$?`;
  const multi = bundle(t, ['sh', '-c', script], { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], syscalls: rules });
  const r = rt.runContainer('sc-multiarch', multi.dir);
  t.equal(r.code, 0, r.stderr);
  t.same(rawResults(r.stdout), [{ ret: -1, errno: 77 }, { ret: -1, errno: 77 }], 'mkdir denied through both ABIs');
  const native = bundle(t, ['sh', '-c', `raw-syscall --int80 ${NR_I386.getpid}; echo status=$?`], { defaultAction: 'SCMP_ACT_ALLOW', syscalls: rules });
  const n = rt.runContainer('sc-nativeonly', native.dir);
  t.match(n.stdout, `status=${SIGSYS_STATUS}`, 'an architecture not in the profile is killed');
});

t.test("Podman's default profile with Podman's capabilities: a shell runs, the rest is denied", { skip: skip || (!podmanAvailable() && `${PODMAN_PROFILE} missing`) }, async (t) => {
  const rt = new Runtime(t);
  const profile = JSON.parse(readFileSync(PODMAN_PROFILE, 'utf8')) as { syscalls: { names: string[]; action: string; includes?: object; excludes?: object }[] };
  const keyctlAllowed = profile.syscalls.some(
    (s) => s.names.includes('keyctl') && s.action === 'SCMP_ACT_ALLOW' && Object.keys(s.includes ?? {}).length === 0,
  );
  const script = [
    'echo hello',
    'unshare -m true 2>/dev/null; echo unshare=$?',
    'mount -t tmpfs none /mnt 2>/dev/null; echo mount=$?',
    `raw-syscall ${NR_KEYCTL} 0 0xfffffffd`, // KEYCTL_GET_KEYRING_ID(KEY_SPEC_SESSION_KEYRING)
    `raw-syscall ${NR.add_key}`,
    `raw-syscall ${NR.bpf}`,
    'grep Seccomp: /proc/self/status',
  ].join('; ');
  const b = bundle(t, ['sh', '-c', script], podmanSeccomp(), (spec) => {
    if (spec.process) {
      spec.process.capabilities = { bounding: PODMAN_DEFAULT_CAPS, effective: PODMAN_DEFAULT_CAPS, permitted: PODMAN_DEFAULT_CAPS };
    }
  });
  const r = rt.runContainer('sc-podman', b.dir);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^hello\n/, 'the shell runs');
  t.match(r.stdout, /unshare=[1-9]/, 'unshare denied');
  t.match(r.stdout, /mount=[1-9]/, 'mount denied');
  const [keyctl, addKey, bpf] = rawResults(r.stdout);
  if (keyctlAllowed) t.ok((keyctl?.ret ?? -1) >= 0, `keyctl: this profile version allows it (${JSON.stringify(keyctl)})`);
  else t.equal(keyctl?.errno, ENOSYS, 'keyctl denied');
  t.same(addKey, { ret: -1, errno: ENOSYS }, 'add_key: not in the profile, ENOSYS');
  t.same(bpf, { ret: -1, errno: EPERM }, 'bpf: EPERM without CAP_SYS_ADMIN');
  t.match(r.stdout, /Seccomp:\s+2/);
});

interface Agent {
  socket: string;
  stateOut: string;
  exited: Promise<number | null>;
  out(): string;
}

/** Starts test/seccomp/listener.c answering `value` for `count` notify fds;
 *  killed at teardown. */
async function startAgent(t: Test, exe: string, dir: string, value: number, count = 1): Promise<Agent> {
  const socket = join(dir, `agent-${value}.sock`);
  const stateOut = join(dir, `state-${value}.json`);
  const agent = spawn(exe, [socket, stateOut, String(value), String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
  });
  let out = '';
  agent.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((res) => agent.on('exit', (code) => res(code)));
  for (let i = 0; i < 200 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 25));
  if (!out.includes('ready')) throw new Error('the test seccomp agent did not start');
  return { socket, stateOut, exited, out: () => out };
}

/** `p`, or a rejection after `ms` (a hung container must fail the test, not stall it). */
async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function podmanAvailable(): boolean {
  try {
    readFileSync(PODMAN_PROFILE);
    return true;
  } catch {
    return false;
  }
}

t.test('noNewPrivileges false with a non-root user: the filter still loads', { skip }, async (t) => {
  const rt = new Runtime(t);
  const b = bundle(t, ['sh', '-c', 'id -u; mkdir /tmp/x; echo rc=$?'], { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }, (spec) => {
    if (spec.process) {
      spec.process.user = { uid: 1000, gid: 1000 };
      spec.process.noNewPrivileges = false;
      spec.process.capabilities = { bounding: [], effective: [], permitted: [] };
    }
  });
  const r = rt.runContainer('sc-nnp-false', b.dir);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^1000\nrc=1\n/);
  t.match(r.stderr, /Operation not permitted/);
});

t.test('exec: the container profile applies to exec processes', { skip }, async (t) => {
  const rt = new Runtime(t);
  const b = bundle(t, ['sleep', '60'], { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] });
  rt.track('sc-exec');
  t.equal(rt.runQuiet(['create', 'sc-exec'], b.dir), 0, 'created');
  t.equal(rt.run(['start', 'sc-exec']).code, 0);
  const r = rt.run(['exec', 'sc-exec', 'sh', '-c', 'mkdir /tmp/y; echo rc=$?']);
  t.match(r.stdout, 'rc=1');
  t.match(r.stderr, /Permission denied/);
  rt.run(['kill', 'sc-exec', 'KILL']);
});

t.test('unknown syscall names are skipped; bad profiles fail create with the config path', { skip }, async (t) => {
  const rt = new Runtime(t);
  const ok = bundle(t, ['sh', '-c', 'mkdir /tmp/x; echo rc=$?'], {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['no_such_syscall_tsrunc', 'mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
  });
  const r = rt.runContainer('sc-unknown-name', ok.dir);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, 'rc=1');
  const bad = bundle(t, ['true'], { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_FOO' }] });
  const e = rt.runContainer('sc-bad-action', bad.dir);
  t.not(e.code, 0);
  // The schema or the compiler may catch it first: either names the path.
  t.match(e.stderr, 'config.json: /linux/seccomp/syscalls/0/action: ');
  t.not(rt.run(['state', 'sc-bad-action']).code, 0, 'nothing was left behind');
  const arch = bundle(t, ['true'], { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_S390X'] });
  const a = rt.runContainer('sc-bad-arch', arch.dir);
  t.not(a.code, 0);
  t.match(a.stderr, 'config.json: /linux/seccomp/architectures/1: architecture "s390x" has another byte order than the native one');
  t.not(rt.run(['state', 'sc-bad-arch']).code, 0, 'nothing was left behind');
});

t.test('SCMP_ACT_NOTIFY: listenerPath gets the state and the fd, our agent answers', { skip }, async (t) => {
  const rt = new Runtime(t);
  const h = buildHarness(t);
  const agent = await startAgent(t, h.listener, h.dir, 4242);
  const { socket, stateOut } = agent;

  const b = bundle(t, ['sh', '-c', `raw-syscall ${NR_SCHED_YIELD}; echo done`], {
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath: socket,
    listenerMetadata: 'tsrunc-test-metadata',
    syscalls: [{ names: ['sched_yield'], action: 'SCMP_ACT_NOTIFY' }],
  });
  const r = await withTimeout(new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    rt.track('sc-notify');
    const run = spawn(TSRUNC, ['--root', rt.root, 'run', 'sc-notify'], { cwd: b.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => {
      if (run.exitCode === null && run.signalCode === null) run.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    run.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    run.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    run.on('close', (code) => res({ code, stdout, stderr }));
  }), 60_000, 'tsrunc run');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, 'ret=4242 errno=0', "the agent's answer is the syscall's result");
  t.match(r.stdout, 'done');
  t.equal(await withTimeout(agent.exited, 10_000, 'agent'), 0, 'the agent saw the container go');
  t.match(agent.out(), `notified nr=${NR_SCHED_YIELD}`);
  const state = JSON.parse(readFileSync(stateOut, 'utf8')) as { fds: string[]; pid: number; metadata: string; state: { id: string; status: string; pid: number; bundle: string } };
  t.same(state.fds, ['seccompFd']);
  t.equal(state.metadata, 'tsrunc-test-metadata');
  t.match(state.state, { id: 'sc-notify', status: 'creating', bundle: b.dir });
  t.ok(state.pid > 0 && state.pid === state.state.pid, 'the container pid');
});

t.test('SCMP_ACT_NOTIFY with create, then start: the agent gets the fd at create', { skip }, async (t) => {
  const rt = new Runtime(t);
  const h = buildHarness(t);
  const agent = await startAgent(t, h.listener, h.dir, 7);
  const b = bundle(t, ['sh', '-c', `raw-syscall ${NR_SCHED_YIELD} > /result`], {
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath: agent.socket,
    syscalls: [{ names: ['sched_yield'], action: 'SCMP_ACT_NOTIFY' }],
  });
  rt.track('sc-notify-cs');
  t.equal(rt.runQuiet(['create', 'sc-notify-cs'], b.dir), 0, 'created');
  const state = JSON.parse(readFileSync(agent.stateOut, 'utf8')) as { state: { status: string } };
  t.equal(state.state.status, 'creating', 'sent during create');
  t.equal(rt.run(['start', 'sc-notify-cs']).code, 0, 'started');
  t.equal(await withTimeout(agent.exited, 20_000, 'agent'), 0, 'the container ran to its end');
  t.match(readFileSync(join(b.rootfs, 'result'), 'utf8'), 'ret=7 errno=0');
});

t.test('SCMP_ACT_NOTIFY with exec: a second fd, state running, pid of the exec process', { skip }, async (t) => {
  const rt = new Runtime(t);
  const h = buildHarness(t);
  const agent = await startAgent(t, h.listener, h.dir, 5, 2);
  const b = bundle(t, ['sleep', '60'], {
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath: agent.socket,
    syscalls: [{ names: ['sched_yield'], action: 'SCMP_ACT_NOTIFY' }],
  });
  rt.track('sc-notify-exec');
  t.equal(rt.runQuiet(['create', 'sc-notify-exec'], b.dir), 0, 'created');
  t.equal(rt.run(['start', 'sc-notify-exec']).code, 0, 'started');
  const r = rt.run(['exec', 'sc-notify-exec', '/bin/raw-syscall', String(NR_SCHED_YIELD)]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, 'ret=5 errno=0', "the exec'd process was answered by the agent");
  t.equal(rt.run(['kill', 'sc-notify-exec', 'KILL']).code, 0);
  t.equal(await withTimeout(agent.exited, 20_000, 'agent'), 0, 'both filters went away');
  const states = readFileSync(agent.stateOut, 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { pid: number; state: { status: string; pid: number } });
  t.equal(states.length, 2);
  t.equal(states[0]?.state.status, 'creating');
  t.equal(states[1]?.state.status, 'running');
  t.equal(states[1]?.state.pid, states[0]?.state.pid, 'the container init in both');
  t.not(states[1]?.pid, states[1]?.state.pid, 'the exec process is not the init');
});
