// Compiling linux.seccomp: the BPF libseccomp produces, flags, errors with
// config paths, unknown names, features. Enforcement: enforce.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  compileSeccomp,
  libseccompVersion,
  seccompFeatureAnnotations,
  seccompFeatures,
  seccompRecordPayload,
  seccompRequested,
} from '../../src/linux/seccomp.js';
import type { Seccomp, SeccompSyscall } from '../../src/spec/types.js';
import { podmanSeccomp } from './podman-profile.js';

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

function decode(bpf: Buffer): Insn[] {
  const out: Insn[] = [];
  for (let o = 0; o < bpf.length; o += 8) {
    out.push({ code: bpf.readUInt16LE(o), jt: bpf.readUInt8(o + 2), jf: bpf.readUInt8(o + 3), k: bpf.readUInt32LE(o + 4) });
  }
  return out;
}

const BPF_RET_K = 0x06;
const BPF_JEQ_K = 0x15;
const retValues = (bpf: Buffer): Set<number> =>
  new Set(decode(bpf).filter((i) => i.code === BPF_RET_K).map((i) => i.k));
const jeqValues = (bpf: Buffer): Set<number> =>
  new Set(decode(bpf).filter((i) => i.code === BPF_JEQ_K).map((i) => i.k));

const AUDIT_ARCH_X86_64 = 0xc000003e;
const AUDIT_ARCH_I386 = 0x40000003;
const AUDIT_ARCH_AARCH64 = 0xc00000b7;

function compileError(s: Seccomp): string {
  try {
    compileSeccomp(s);
  } catch (e) {
    return (e as Error).message;
  }
  return '(compiled without error)';
}

t.test('libseccomp version is the one pkg-config reports', async (t) => {
  const v = execFileSync('pkg-config', ['--modversion', 'libseccomp'], { encoding: 'utf8' }).trim();
  t.equal(libseccompVersion(), v);
  t.match(libseccompVersion(), /^\d+\.\d+\.\d+$/);
});

t.test('every action compiles to its SECCOMP_RET value', async (t) => {
  const cases: [string, number | undefined, number][] = [
    ['SCMP_ACT_KILL', undefined, 0x00000000],
    ['SCMP_ACT_KILL_THREAD', undefined, 0x00000000],
    ['SCMP_ACT_KILL_PROCESS', undefined, 0x80000000],
    ['SCMP_ACT_TRAP', undefined, 0x00030000],
    ['SCMP_ACT_ERRNO', undefined, 0x00050001], // EPERM when no errnoRet
    ['SCMP_ACT_ERRNO', 13, 0x0005000d],
    ['SCMP_ACT_TRACE', undefined, 0x7ff00001], // runc: EPERM here too
    ['SCMP_ACT_TRACE', 7, 0x7ff00007],
    ['SCMP_ACT_LOG', undefined, 0x7ffc0000],
    ['SCMP_ACT_NOTIFY', undefined, 0x7fc00000],
  ];
  for (const [action, errnoRet, ret] of cases) {
    const c = compileSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/run/unused.sock',
      syscalls: [{ names: ['getppid'], action, ...(errnoRet !== undefined ? { errnoRet } : {}) }],
    });
    t.ok(retValues(c.bpf).has(ret), `${action}/${errnoRet}: RET 0x${ret.toString(16)}`);
    t.ok(retValues(c.bpf).has(0x7fff0000), `${action}: default ALLOW present`);
    t.equal(c.notify, action === 'SCMP_ACT_NOTIFY');
  }
  const allowAll = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' });
  t.notOk(retValues(allowAll.bpf).has(0x00050001), 'no rule: no ERRNO in the program');
  const def = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 });
  t.ok(retValues(def.bpf).has(0x00050026), 'defaultErrnoRet 38 is the default RET');
});

t.test('every operator compiles and changes the program', async (t) => {
  const seen = new Set<string>();
  for (const op of ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']) {
    const c = compileSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['getppid'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0x30, valueTwo: 0x10, op }] }],
    });
    seen.add(c.bpf.toString('hex'));
  }
  t.equal(seen.size, 7, 'seven distinct programs');
});

t.test('multi-arch: each listed architecture is checked, native always', async (t) => {
  const native = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
  t.ok(jeqValues(native.bpf).has(AUDIT_ARCH_X86_64));
  t.notOk(jeqValues(native.bpf).has(AUDIT_ARCH_I386));
  const multi = compileSeccomp({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64'],
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }],
  });
  const archs = jeqValues(multi.bpf);
  t.ok(archs.has(AUDIT_ARCH_X86_64), 'native x86_64 added without being listed');
  t.ok(archs.has(AUDIT_ARCH_I386), 'x86');
  t.ok(archs.has(AUDIT_ARCH_AARCH64), 'aarch64');
  t.ok(multi.bpf.length > native.bpf.length);
  const again = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'] });
  t.ok(jeqValues(again.bpf).has(AUDIT_ARCH_X86_64), 'listing the native arch is fine');
});

t.test('flags', async (t) => {
  const base: Seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] };
  t.equal(compileSeccomp(base).flags, 4, 'absent: SPEC_ALLOW, as runc');
  t.equal(compileSeccomp({ ...base, flags: [] }).flags, 0, 'empty: none');
  t.equal(compileSeccomp({ ...base, flags: ['SECCOMP_FILTER_FLAG_TSYNC'] }).flags, 0, 'TSYNC accepted, no-op');
  t.equal(compileSeccomp({ ...base, flags: ['SECCOMP_FILTER_FLAG_LOG'] }).flags, 2);
  t.equal(compileSeccomp({ ...base, flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] }).flags, 6);
  const notify: Seccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath: '/run/l.sock',
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
  };
  t.equal(compileSeccomp({ ...notify, flags: [] }).flags, 8, 'notify: NEW_LISTENER');
  t.equal(compileSeccomp({ ...notify, flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }).flags, 8 | 32);
});

t.test('unknown syscall names are skipped and reported', async (t) => {
  const c = compileSeccomp({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['mkdir', 'no_such_syscall_x'], action: 'SCMP_ACT_ERRNO' },
      { names: ['no_such_syscall_x', 'another_unknown'], action: 'SCMP_ACT_KILL' },
    ],
  });
  t.same(c.unknownSyscalls, ['no_such_syscall_x', 'another_unknown']);
  t.ok(retValues(c.bpf).has(0x00050001), 'the known name still has its rule');
});

t.test('a rule with the default action is skipped, not an error', async (t) => {
  const c = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] });
  t.same([...retValues(c.bpf.subarray(c.enosysStub * 8))].filter((k) => k !== 0 /* bad-arch kill */), [0x00050001]);
});

t.test('errors name the config path', async (t) => {
  const rule = (over: Partial<SeccompSyscall>): Seccomp => ({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }, { names: ['getpid'], action: 'SCMP_ACT_ERRNO', ...over }],
  });
  t.equal(compileError({ defaultAction: 'SCMP_ACT_FOO' }), 'config.json: /linux/seccomp/defaultAction: unknown action "SCMP_ACT_FOO"');
  t.equal(compileError(rule({ action: 'SCMP_ACT_FOO' })), 'config.json: /linux/seccomp/syscalls/1/action: unknown action "SCMP_ACT_FOO"');
  t.equal(
    compileError(rule({ args: [{ index: 0, value: 1, op: 'SCMP_CMP_FOO' }] })),
    'config.json: /linux/seccomp/syscalls/1/args/0/op: unknown operator "SCMP_CMP_FOO"',
  );
  t.match(compileError(rule({ args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] })), /syscalls\/1\/args\/0\/index: argument index 6/);
  t.match(compileError(rule({ action: 'SCMP_ACT_ALLOW', errnoRet: 5 })), /syscalls\/1\/errnoRet: SCMP_ACT_ALLOW takes no errno/);
  t.match(compileError(rule({ errnoRet: 70000 })), /syscalls\/1\/errnoRet: errno 70000/);
  t.match(compileError(rule({ names: [''] })), /syscalls\/1\/names\/0: empty syscall name/);
  t.match(compileError({ defaultAction: 'SCMP_ACT_KILL', defaultErrnoRet: 1 }), /\/defaultErrnoRet: SCMP_ACT_KILL takes no errno/);
  t.match(compileError({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_VAX'] }), /\/architectures\/1: unknown architecture "SCMP_ARCH_VAX"/);
  t.match(
    compileError({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_S390X'] }),
    /\/architectures\/0: architecture "s390x" has another byte order/,
  );
  if (libseccompVersion().startsWith('2.5.')) {
    t.match(
      compileError({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_LOONGARCH64'] }),
      /\/architectures\/0: architecture "loongarch64" is not supported by libseccomp 2\.5\./,
    );
  }
  t.match(compileError({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_FOO'] }), /\/flags\/0: unknown flag "SECCOMP_FILTER_FLAG_FOO"/);
  t.match(
    compileError({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }),
    /\/flags\/0: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a seccomp listener/,
  );
  t.match(compileError({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/x' }), /\/defaultAction: SCMP_ACT_NOTIFY cannot be the default action/);
  t.match(
    compileError({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/x', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_NOTIFY' }] }),
    /syscalls\/0\/names\/1: SCMP_ACT_NOTIFY cannot be used for the write syscall/,
  );
  t.match(compileError(rule({ action: 'SCMP_ACT_NOTIFY' })), /\/listenerPath: SCMP_ACT_NOTIFY is used but listenerPath is not set/);
});

t.test('seccompRequested: runc treats an empty section as no seccomp', async (t) => {
  t.notOk(seccompRequested(undefined));
  t.notOk(seccompRequested({ defaultAction: '' }));
  t.ok(seccompRequested({ defaultAction: 'SCMP_ACT_ALLOW' }));
  t.ok(seccompRequested({ defaultAction: '', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }));
});

t.test("Podman's default profile compiles", async (t) => {
  const c = compileSeccomp(podmanSeccomp());
  t.ok(c.bpf.length / 8 > 100, `${c.bpf.length / 8} instructions`);
  t.ok(c.bpf.length / 8 <= 4096, 'within BPF_MAXINSNS');
  t.ok(jeqValues(c.bpf).has(AUDIT_ARCH_I386), 'x86 sub-architecture from archMap');
  t.ok(retValues(c.bpf).has(0x00050026), 'default ERRNO(ENOSYS)');
  t.ok(retValues(c.bpf).has(0x00050001), 'EPERM rules');
});

t.test('-ENOSYS stub: only when the default action denies', async (t) => {
  const rules: Seccomp['syscalls'] = [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }];
  const deny = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: rules });
  t.ok(deny.enosysStub > 0, `stub of ${deny.enosysStub} instructions`);
  t.ok(retValues(deny.bpf.subarray(0, deny.enosysStub * 8)).has(0x00050026), 'the stub returns ERRNO(ENOSYS)');
  const multi = compileSeccomp({ defaultAction: 'SCMP_ACT_KILL_PROCESS', architectures: ['SCMP_ARCH_X86'], syscalls: rules });
  t.ok(multi.enosysStub > deny.enosysStub, 'one more block for x86');
  for (const defaultAction of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE']) {
    t.equal(compileSeccomp({ defaultAction, syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }).enosysStub, 0, defaultAction);
  }
  t.equal(compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: rules }).enosysStub, 0, 'ERRNO(ENOSYS)');
  t.equal(compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO' }).enosysStub, 0, 'no syscall named: nothing to compare with');
});

t.test('features', async (t) => {
  const f = seccompFeatures();
  t.equal(f.enabled, true);
  t.equal(f.actions.length, 9);
  t.equal(f.operators.length, 7);
  t.ok(f.archs.includes('SCMP_ARCH_X86_64') && f.archs.includes('SCMP_ARCH_S390X'));
  t.ok(f.knownFlags.includes('SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'));
  t.ok(f.supportedFlags.includes('SECCOMP_FILTER_FLAG_LOG'));
  t.same(seccompFeatureAnnotations(), { 'io.github.seccomp.libseccomp.version': libseccompVersion() });
});

t.test('TSR_R_SECCOMP payload: struct tsr_seccomp then the program', async (t) => {
  const c = compileSeccomp({
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath: '/run/x.sock',
    flags: ['SECCOMP_FILTER_FLAG_LOG'],
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
  });
  const p = seccompRecordPayload(c);
  t.equal(p.readUInt32LE(0), 2 | 8, 'flags: LOG | NEW_LISTENER');
  t.equal(p.readUInt32LE(4), c.bpf.length / 8, 'ninstr');
  t.equal(p.readUInt32LE(8), 1, 'notify');
  t.equal(p.readUInt32LE(12), 0, 'reserved');
  t.ok(p.subarray(16).equals(c.bpf));
});

t.test('cache: same program, reused, corrupt entries recompiled', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-seccomp-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cacheDir = join(dir, 'cache');
  const s = podmanSeccomp();
  const plain = compileSeccomp(s);
  const first = compileSeccomp(s, { cacheDir });
  t.ok(first.bpf.equals(plain.bpf), 'first compile: same program');
  const files = readdirSync(cacheDir);
  t.equal(files.length, 1, 'one entry written');
  const t0 = process.hrtime.bigint();
  const second = compileSeccomp(s, { cacheDir });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  t.ok(second.bpf.equals(plain.bpf), `cached program identical (${ms.toFixed(1)} ms)`);
  t.same(second.unknownSyscalls, plain.unknownSyscalls);
  t.equal(second.enosysStub, plain.enosysStub);
  const other = compileSeccomp({ ...s, defaultErrnoRet: 1 }, { cacheDir });
  t.notOk(other.bpf.equals(plain.bpf), 'another profile: another program');
  t.equal(readdirSync(cacheDir).length, 2);
  writeFileSync(join(cacheDir, files[0] ?? 'x'), '{"bpf":"AAA", "unknown": 3}');
  t.ok(compileSeccomp(s, { cacheDir }).bpf.equals(plain.bpf), 'corrupt entry: recompiled');
  t.throws(() => compileSeccomp({ defaultAction: 'SCMP_ACT_FOO' }, { cacheDir }), /unknown action/);
});
