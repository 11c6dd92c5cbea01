// Filters compiled by compileSeccomp, loaded into real processes by
// test/seccomp/load-and-exec.c (built here with gcc) the way the init helper
// loads them: every action, every operator, multi-arch, Podman's profile.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { compileSeccomp } from '../../src/linux/seccomp.js';
import type { Seccomp, SeccompArg } from '../../src/spec/types.js';
import {
  buildHarness,
  ENOSYS,
  EPERM,
  NR,
  NR_I386,
  parseRet,
  runFiltered,
  syscallUnder,
} from './helpers.js';
import { PODMAN_DEFAULT_CAPS, PODMAN_PROFILE, podmanSeccomp } from './podman-profile.js';

const BUSYBOX = '/bin/busybox';
const h = buildHarness(t);

/** default ALLOW, one rule on getppid (never called by the harness itself). */
function onGetppid(action: string, extra: { errnoRet?: number; args?: SeccompArg[] } = {}): Seccomp {
  return { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getppid'], action, ...extra }] };
}

t.test('control: without a matching rule getppid works', async (t) => {
  const r = parseRet(syscallUnder(h, onGetppid('SCMP_ACT_ERRNO', { args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }), NR.getppid, [0]));
  t.ok(r.ret > 0, `getppid() = ${r.ret}`);
});

t.test('SCMP_ACT_ERRNO: EPERM by default, errnoRet otherwise; mkdir denied', async (t) => {
  t.same(parseRet(syscallUnder(h, onGetppid('SCMP_ACT_ERRNO'), NR.getppid)), { ret: -1, errno: EPERM });
  t.same(parseRet(syscallUnder(h, onGetppid('SCMP_ACT_ERRNO', { errnoRet: 42 }), NR.getppid)), { ret: -1, errno: 42 });
  const c = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] });
  const r = runFiltered(h, c, ['--', BUSYBOX, 'mkdir', join(h.dir, 'made')]);
  t.not(r.status, 0);
  t.match(r.stderr, /Operation not permitted/);
  t.notOk(existsSync(join(h.dir, 'made')), 'the directory was not created');
  const ok = runFiltered(h, c, ['--', BUSYBOX, 'sh', '-c', 'echo still-runs']);
  t.equal(ok.stdout.trim(), 'still-runs');
});

t.test('SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL: killed by SIGSYS, not catchable', async (t) => {
  for (const action of ['SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_KILL']) {
    const r = syscallUnder(h, onGetppid(action), NR.getppid, [], ['--catch-sigsys']);
    t.equal(r.signal, 'SIGSYS', `${action}: SIGSYS`);
    t.equal(r.stdout, '', `${action}: the syscall never returned`);
  }
});

t.test('SCMP_ACT_TRAP: a catchable SIGSYS naming the syscall', async (t) => {
  const caught = syscallUnder(h, onGetppid('SCMP_ACT_TRAP'), NR.getppid, [], ['--catch-sigsys']);
  t.equal(caught.status, 77);
  t.match(caught.stdout, `sigsys syscall=${NR.getppid}`);
  const uncaught = syscallUnder(h, onGetppid('SCMP_ACT_TRAP'), NR.getppid);
  t.equal(uncaught.signal, 'SIGSYS');
});

t.test('SCMP_ACT_TRACE without a tracer: ENOSYS', async (t) => {
  t.same(parseRet(syscallUnder(h, onGetppid('SCMP_ACT_TRACE'), NR.getppid)), { ret: -1, errno: ENOSYS });
  t.same(parseRet(syscallUnder(h, onGetppid('SCMP_ACT_TRACE', { errnoRet: 5 }), NR.getppid)), { ret: -1, errno: ENOSYS });
});

// A deny-by-default profile that lets the harness finish (write, exit_group).
function denyBut(rules: Seccomp['syscalls']): Seccomp {
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{ names: ['write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }, ...(rules ?? [])],
  };
}

t.test('SCMP_ACT_ALLOW and SCMP_ACT_LOG let the syscall through a deny-by-default filter', async (t) => {
  t.same(parseRet(syscallUnder(h, denyBut([]), NR.getppid)), { ret: -1, errno: EPERM }, 'control: denied');
  for (const action of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']) {
    const r = parseRet(syscallUnder(h, denyBut([{ names: ['getppid'], action }]), NR.getppid));
    t.ok(r.ret > 0, `${action}: getppid() = ${r.ret}`);
    t.same(parseRet(syscallUnder(h, denyBut([{ names: ['getppid'], action }]), NR.getpid)), { ret: -1, errno: EPERM }, `${action}: others still denied`);
  }
  const log = compileSeccomp({ defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] });
  const sh = runFiltered(h, log, ['--', BUSYBOX, 'sh', '-c', `echo logged; mkdir ${join(h.dir, 'x')}`]);
  t.match(sh.stdout, 'logged', 'default SCMP_ACT_LOG runs a shell');
  t.match(sh.stderr, /Operation not permitted/);
});

t.test('SCMP_ACT_NOTIFY: a listener answers the notified syscall', async (t) => {
  const s: Seccomp = { ...onGetppid('SCMP_ACT_NOTIFY'), listenerPath: '/unused/in/this/test', flags: [] };
  const c = compileSeccomp(s);
  t.equal(c.notify, true);
  const r = runFiltered(h, c, ['--notify-self', String(NR.getppid), '4242']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, `notified nr=${NR.getppid}`);
  t.match(r.stdout, 'ret=4242 errno=0', "the listener's value is the syscall's result");
  const killable = compileSeccomp({ ...s, flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] });
  const rk = runFiltered(h, killable, ['--notify-self', String(NR.getppid), '7']);
  t.match(rk.stdout, 'ret=7 errno=0', 'WAIT_KILLABLE_RECV loads and works');
});

t.test('loads without no_new_privs when privileged (noNewPrivileges false)', async (t) => {
  const r = syscallUnder(h, onGetppid('SCMP_ACT_ERRNO', { errnoRet: 3 }), NR.getppid, [], ['--no-nnp']);
  t.same(parseRet(r), { ret: -1, errno: 3 });
});

t.test('filter flags load: LOG, SPEC_ALLOW, TSYNC', async (t) => {
  const s: Seccomp = {
    ...onGetppid('SCMP_ACT_ERRNO'),
    flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'],
  };
  t.same(parseRet(syscallUnder(h, s, NR.getppid)), { ret: -1, errno: EPERM });
});

t.test('syscalls newer than the profile get ENOSYS, older unlisted ones the default', async (t) => {
  // The profile names nothing above exit_group (231 on x86_64, 252 on i386).
  const s: Seccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
    syscalls: [{ names: ['write', 'exit_group', 'getppid'], action: 'SCMP_ACT_ALLOW' }],
  };
  const c = compileSeccomp(s);
  t.ok(parseRet(runFiltered(h, c, ['--syscall', String(NR.getppid)])).ret > 0, 'listed: allowed');
  t.same(parseRet(runFiltered(h, c, ['--syscall', String(NR.getpid)])), { ret: -1, errno: EPERM }, 'unlisted, older: EPERM');
  t.same(parseRet(runFiltered(h, c, ['--syscall', String(NR.io_uring_setup)])), { ret: -1, errno: ENOSYS }, 'newer: ENOSYS');
  t.same(parseRet(runFiltered(h, c, ['--int80', String(NR_I386.getpid)])), { ret: -1, errno: EPERM }, 'i386 older: EPERM');
  t.same(parseRet(runFiltered(h, c, ['--int80', '400'])), { ret: -1, errno: ENOSYS }, 'i386 newer: ENOSYS');
  const kill = compileSeccomp({ ...s, defaultAction: 'SCMP_ACT_KILL_PROCESS' });
  t.same(parseRet(runFiltered(h, kill, ['--syscall', String(NR.io_uring_setup)])), { ret: -1, errno: ENOSYS }, 'KILL default: newer still ENOSYS');
  t.equal(runFiltered(h, kill, ['--syscall', String(NR.getpid)]).signal, 'SIGSYS', 'KILL default: older unlisted killed');
});

// Operator, arg value -> denied? (value 10; MASKED_EQ: mask 0xf0 must give 0x10)
const OPERATOR_CASES: [string, number, number | undefined, [number, boolean][]][] = [
  ['SCMP_CMP_NE', 10, undefined, [[9, true], [10, false], [11, true]]],
  ['SCMP_CMP_LT', 10, undefined, [[9, true], [10, false], [11, false]]],
  ['SCMP_CMP_LE', 10, undefined, [[9, true], [10, true], [11, false]]],
  ['SCMP_CMP_EQ', 10, undefined, [[9, false], [10, true], [11, false]]],
  ['SCMP_CMP_GE', 10, undefined, [[9, false], [10, true], [11, true]]],
  ['SCMP_CMP_GT', 10, undefined, [[9, false], [10, false], [11, true]]],
  ['SCMP_CMP_MASKED_EQ', 0xf0, 0x10, [[0x13, true], [0x23, false], [0x1f, true], [0x100, false]]],
];

t.test('every operator, checked against the kernel', async (t) => {
  for (const [op, value, valueTwo, cases] of OPERATOR_CASES) {
    const args: SeccompArg[] = [{ index: 2, value, op, ...(valueTwo !== undefined ? { valueTwo } : {}) }];
    const c = compileSeccomp(onGetppid('SCMP_ACT_ERRNO', { errnoRet: 99, args }));
    for (const [arg, denied] of cases) {
      const r = parseRet(runFiltered(h, c, ['--syscall', String(NR.getppid), '0', '0', String(arg)]));
      t.equal(r.errno === 99, denied, `${op} ${value}${valueTwo !== undefined ? `/${valueTwo}` : ''}: arg ${arg} ${denied ? 'denied' : 'allowed'}`);
    }
  }
});

t.test('64-bit argument values are compared whole', async (t) => {
  const c = compileSeccomp(onGetppid('SCMP_ACT_ERRNO', { errnoRet: 99, args: [{ index: 0, value: 0x100000005, op: 'SCMP_CMP_EQ' }] }));
  t.equal(parseRet(runFiltered(h, c, ['--syscall', String(NR.getppid), '5'])).errno, 0, 'low half alone: allowed');
  t.equal(parseRet(runFiltered(h, c, ['--syscall', String(NR.getppid), String(0x100000005)])).errno, 99, 'denied');
});

t.test('conditions on different arguments AND; on the same argument they become separate rules (runc)', async (t) => {
  const and = compileSeccomp(onGetppid('SCMP_ACT_ERRNO', {
    errnoRet: 99,
    args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 1, value: 2, op: 'SCMP_CMP_EQ' }],
  }));
  const run = (c: ReturnType<typeof compileSeccomp>, a: number[]): number =>
    parseRet(runFiltered(h, c, ['--syscall', String(NR.getppid), ...a.map(String)])).errno;
  t.equal(run(and, [1, 2]), 99);
  t.equal(run(and, [1, 3]), 0);
  t.equal(run(and, [0, 2]), 0);
  const same = compileSeccomp(onGetppid('SCMP_ACT_ERRNO', {
    errnoRet: 99,
    args: [{ index: 0, value: 100, op: 'SCMP_CMP_GT' }, { index: 0, value: 5, op: 'SCMP_CMP_LT' }],
  }));
  t.equal(run(same, [200]), 99, 'GT 100 alone matches');
  t.equal(run(same, [1]), 99, 'LT 5 alone matches');
  t.equal(run(same, [50]), 0, 'neither');
});

t.test('multi-arch: an i386 syscall (int $0x80) follows the listed architectures', async (t) => {
  const rules: Seccomp['syscalls'] = [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 77 }];
  const nativeOnly = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: rules });
  const bad = runFiltered(h, nativeOnly, ['--int80', String(NR_I386.getpid)]);
  t.equal(bad.signal, 'SIGSYS', 'x86 not listed: bad architecture kills');
  const multi = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], syscalls: rules });
  const pid = parseRet(runFiltered(h, multi, ['--int80', String(NR_I386.getpid)]));
  t.ok(pid.ret > 0, `i386 getpid allowed (${pid.ret})`);
  t.same(parseRet(runFiltered(h, multi, ['--int80', String(NR_I386.mkdir), '0'])), { ret: -1, errno: 77 }, 'i386 mkdir (39) denied by name');
  t.ok(parseRet(runFiltered(h, multi, ['--syscall', String(NR.getpid)])).ret > 0, 'x86_64 39 is getpid: allowed');
  t.same(parseRet(runFiltered(h, multi, ['--syscall', String(NR.mkdir), '0'])), { ret: -1, errno: 77 }, 'x86_64 mkdir denied');
});

t.test("Podman's default profile: a shell runs, what it denies is denied", { skip: !existsSync(PODMAN_PROFILE) && `${PODMAN_PROFILE} missing (scripts/setup.sh installs golang-github-containers-common)` }, async (t) => {
  const c = compileSeccomp(podmanSeccomp());
  const script = `echo hello; ls / >/dev/null; mkdir ${join(h.dir, 'p')} && rmdir ${join(h.dir, 'p')}; cat /proc/self/status | grep -q Seccomp; echo done`;
  const sh = runFiltered(h, c, ['--', BUSYBOX, 'sh', '-c', script]);
  t.equal(sh.status, 0, sh.stderr);
  t.equal(sh.stdout, 'hello\ndone\n');
  const mode = runFiltered(h, c, ['--', BUSYBOX, 'grep', '^Seccomp:', '/proc/self/status']);
  t.match(mode.stdout, /Seccomp:\s+2/, 'filter mode is on');
  // Not in the profile: the default, ERRNO(ENOSYS). Controls run unfiltered.
  const allowAll = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' });
  for (const [name, nr, errno] of [
    ['add_key', NR.add_key, ENOSYS],
    ['io_uring_setup', NR.io_uring_setup, ENOSYS],
    ['bpf (no CAP_SYS_ADMIN in the default caps)', NR.bpf, EPERM],
    ['kexec_load', NR.kexec_load, EPERM],
  ] as const) {
    const control = parseRet(runFiltered(h, allowAll, ['--syscall', String(nr)]));
    t.not(control.errno, errno, `${name}: unfiltered errno ${control.errno}`);
    t.same(parseRet(runFiltered(h, c, ['--syscall', String(nr)])), { ret: -1, errno }, `${name}: errno ${errno}`);
  }
});

t.test("Podman's profile follows the capabilities: with CAP_SYS_ADMIN, bpf is allowed", { skip: !existsSync(PODMAN_PROFILE) && `${PODMAN_PROFILE} missing` }, async (t) => {
  const admin = compileSeccomp(podmanSeccomp([...PODMAN_DEFAULT_CAPS, 'CAP_SYS_ADMIN']));
  const r = parseRet(runFiltered(h, admin, ['--syscall', String(NR.bpf)]));
  t.not(r.errno, EPERM, `bpf errno ${r.errno}: the kernel's answer, not the profile's`);
  t.not(r.errno, ENOSYS);
});
