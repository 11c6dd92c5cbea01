// CVE-2022-29162 and capabilities: after exec the five sets in
// /proc/self/status equal the config; inheritable stays empty unless set;
// `exec --cap` adds to bounding/effective/permitted only; no_new_privs is
// set when asked; a setuid-root binary cannot regain dropped capabilities.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capSets, hostDir, setup } from './lib.js';
import { capabilityBit } from '../../src/linux/capabilities.js';

const SRC = resolve(fileURLToPath(import.meta.url), '../../../../test/security/capdump.c');

function mask(names: string[]): bigint {
  return names.reduce((m, n) => m | (1n << BigInt(capabilityBit(n)!)), 0n);
}

// Root's execve raises effective to permitted (and, without no_new_privs,
// permitted to bounding): the kernel's rule for uid 0, as with runc. The
// configs below are ones the kernel keeps as they are.
t.test('the five sets equal the config; inheritable empty unless configured', async (t) => {
  const caps = {
    bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID', 'CAP_SETGID', 'CAP_NET_BIND_SERVICE'],
    effective: ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID'],
    permitted: ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID'],
  };
  const { rt, bundle } = setup(t, ['cat', '/proc/self/status'], (s) => {
    s.process!.capabilities = caps;
    s.process!.noNewPrivileges = true;
  });
  const out = rt.ok(['run', '--bundle', bundle.dir, 'caps1']);
  const c = capSets(out);
  t.equal(c.CapBnd, mask(caps.bounding), 'bounding');
  t.equal(c.CapEff, mask(caps.effective), 'effective');
  t.equal(c.CapPrm, mask(caps.permitted), 'permitted');
  t.equal(c.CapInh, 0n, 'inheritable empty (not in the config)');
  t.equal(c.CapAmb, 0n, 'ambient empty');
  t.match(out, /NoNewPrivs:\s+1/, 'no_new_privs set');

  const three = ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID'];
  const withInh = { bounding: three, effective: three, permitted: three, inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] };
  bundle.spec.process!.capabilities = withInh;
  bundle.spec.process!.noNewPrivileges = false;
  bundle.save();
  const out2 = rt.ok(['run', '--bundle', bundle.dir, 'caps2']);
  const c2 = capSets(out2);
  t.equal(c2.CapInh, mask(['CAP_KILL']), 'inheritable as configured');
  t.equal(c2.CapAmb, mask(['CAP_KILL']), 'ambient as configured');
  t.equal(c2.CapEff, mask(three), 'effective');
  t.equal(c2.CapPrm, mask(three), 'permitted');
  t.equal(c2.CapBnd, mask(three), 'bounding');
  t.match(out2, /NoNewPrivs:\s+0/, 'no_new_privs not set when not asked');
});

t.test('exec --cap adds to bounding, effective and permitted, never inheritable', async (t) => {
  const { rt, bundle } = setup(t, ['sleep', '1000']);
  rt.ok(['run', '--detach', '--bundle', bundle.dir, 'capx']);
  const base = capSets(rt.ok(['exec', 'capx', '--', 'cat', '/proc/self/status']));
  const out = rt.ok(['exec', '--cap', 'CAP_SYS_ADMIN', '--cap', 'CAP_NET_ADMIN', 'capx', '--', 'cat', '/proc/self/status']);
  const c = capSets(out);
  const added = mask(['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']);
  t.equal(c.CapInh, 0n, 'inheritable stays empty');
  t.equal(c.CapAmb, 0n, 'ambient stays empty');
  t.equal(c.CapBnd, base.CapBnd | added, 'bounding gained exactly the caps');
  t.equal(c.CapEff, base.CapEff | added, 'effective gained exactly the caps');
  t.equal(c.CapPrm, base.CapPrm | added, 'permitted gained exactly the caps');
});

t.test('a setuid-root binary cannot regain dropped capabilities', async (t) => {
  const build = hostDir(t, 'tsrunc-capdump-');
  const bin = join(build, 'capdump');
  execFileSync('gcc', ['-static', '-O2', '-o', bin, SRC]);
  for (const nnp of [false, true]) {
    const { rt, bundle } = setup(t, ['/bin/capdump'], (s) => {
      s.process!.user = { uid: 1000, gid: 1000 };
      s.process!.capabilities = { bounding: ['CAP_KILL'], effective: [], permitted: [] };
      s.process!.noNewPrivileges = nnp;
    });
    const dst = join(bundle.rootfs, 'bin/capdump');
    execFileSync('cp', [bin, dst]);
    chownSync(dst, 0, 0);
    chmodSync(dst, 0o4755);
    const out = rt.ok(['run', '--bundle', bundle.dir, `suid${nnp}`]);
    const c = capSets(out);
    if (nnp) {
      t.match(out, /euid=1000/, 'no_new_privs: the setuid bit is ignored');
      t.equal(c.CapEff | c.CapPrm, 0n, 'no_new_privs: no capability at all');
    } else {
      t.match(out, /euid=0/, 'control: the setuid bit works (euid 0)');
      t.equal((c.CapEff | c.CapPrm | c.CapInh | c.CapAmb) & ~mask(['CAP_KILL']), 0n, `only the bounding set can come back (${out.trim()})`);
      t.equal(c.CapBnd, mask(['CAP_KILL']), 'bounding stays as configured');
    }
  }
});
