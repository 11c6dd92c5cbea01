// listenerPath: the notify fd of a loaded filter, copied out of the process
// that made it (pidfd_getfd) and sent with the container process state to a
// seccomp agent of our own (test/seccomp/listener.c), which then answers
// the notified syscall. The same path the runtime takes in create.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { compileSeccomp } from '../../src/linux/seccomp.js';
import { copyFdFromProcess, sendToSeccompListener } from '../../src/linux/seccomp-listener.js';
import type { Seccomp, State } from '../../src/spec/types.js';
import { buildHarness, NR } from './helpers.js';

const h = buildHarness(t);

interface Proc {
  child: ChildProcess;
  out: string;
  exited: Promise<number | null>;
}

/** Spawns a program we built; killed at teardown if still running. */
function start(t: Test, file: string, args: string[]): Proc {
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const p: Proc = { child, out: '', exited: new Promise((res) => child.on('exit', (code) => res(code))) };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (p.out += d));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return p;
}

async function waitFor(p: Proc, re: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 200; i++) {
    const m = re.exec(p.out);
    if (m) return m;
    if (p.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${re} in output ${JSON.stringify(p.out)}`);
}

async function notifiedThroughListener(t: Test, value: number): Promise<{ out: string; state: unknown; listenerOut: string }> {
  const socket = join(h.dir, `agent-${value}.sock`);
  const stateOut = join(h.dir, `state-${value}.json`);
  const seccomp: Seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath: socket,
    listenerMetadata: 'MKNOD=/dev/null;test',
    syscalls: [{ names: ['getppid'], action: 'SCMP_ACT_NOTIFY' }],
  };
  const c = compileSeccomp(seccomp);
  const bpf = join(h.dir, `notify-${value}.bpf`);
  writeFileSync(bpf, c.bpf);

  const agent = start(t, h.listener, [socket, stateOut, String(value)]);
  await waitFor(agent, /ready/);
  const target = start(t, h.exe, [bpf, String(c.flags), '--notify-wait', String(NR.getppid)]);
  const m = await waitFor(target, /listener fd=(\d+) pid=(\d+)/);
  const pid = Number(m[2]);
  const state: State = { ociVersion: '1.3.0', id: 'seccomp-test', status: 'creating', pid, bundle: h.dir };
  const fd = copyFdFromProcess(pid, Number(m[1]));
  try {
    sendToSeccompListener(seccomp, state, pid, fd);
  } finally {
    closeSync(fd);
  }
  target.child.stdin?.end('go');
  t.equal(await target.exited, 0, 'the notified process finished');
  t.equal(await agent.exited, 0, 'the agent saw the filter go away');
  return { out: target.out, state: JSON.parse(readFileSync(stateOut, 'utf8')) as unknown, listenerOut: agent.out };
}

t.test('the agent gets the state and the fd, and answers with a value', async (t) => {
  const r = await notifiedThroughListener(t, 4242);
  t.match(r.out, 'ret=4242 errno=0');
  t.match(r.listenerOut, `notified nr=${NR.getppid}`);
  t.match(r.state, {
    ociVersion: '1.3.0',
    fds: ['seccompFd'],
    metadata: 'MKNOD=/dev/null;test',
    state: { id: 'seccomp-test', status: 'creating', bundle: h.dir },
  });
  const s = r.state as { pid: number; state: { pid: number } };
  t.equal(s.pid, s.state.pid, 'pid of the process is in both');
});

t.test('the agent answers with an error', async (t) => {
  const r = await notifiedThroughListener(t, -13);
  t.match(r.out, 'ret=-1 errno=13');
});

t.test('no agent at listenerPath: a clear error', async (t) => {
  const seccomp: Seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: join(h.dir, 'nobody.sock') };
  const state: State = { ociVersion: '1.3.0', id: 'x', status: 'creating', bundle: h.dir };
  t.throws(() => sendToSeccompListener(seccomp, state, process.pid, 0), /connecting to the seccomp listener .*nobody\.sock: No such file or directory/);
});
