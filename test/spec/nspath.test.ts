// probeNamespacePath on real namespace files: /proc magic links, and a
// namespace file bind-mounted elsewhere (the `ip netns` / CNI layout).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { probeNamespacePath } from '../../src/spec/nspath.js';
import { checkConfig } from '../../src/spec/semantic.js';

t.test('/proc/self/ns links', async (t) => {
  for (const [file, kind] of [['net', 'net'], ['mnt', 'mnt'], ['pid', 'pid'], ['pid_for_children', 'pid'], ['user', 'user'], ['uts', 'uts'], ['ipc', 'ipc'], ['cgroup', 'cgroup']]) {
    const probe = probeNamespacePath(`/proc/self/ns/${file}`);
    t.match(probe, { ok: true, kind }, file);
  }
});

t.test('not a namespace', async (t) => {
  t.same(probeNamespacePath('/nonexistent/ns'), { ok: false, problem: 'does not exist' });
  t.same(probeNamespacePath('/proc/self/status'), { ok: false, problem: 'is not a namespace file (not on nsfs)' });
  t.same(probeNamespacePath('/proc/self/exe').ok, false, 'a symlink to a non-namespace');
});

t.test('a bind-mounted namespace file', { skip: process.getuid?.() !== 0 ? 'needs root to bind mount' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-nspath-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const target = join(dir, 'netns');
  writeFileSync(target, '');
  execFileSync('mount', ['--bind', `/proc/${process.pid}/ns/uts`, target]);
  t.teardown(() => execFileSync('umount', [target]));
  const link = join(dir, 'link');
  symlinkSync(target, link);

  t.match(probeNamespacePath(target), { ok: true, kind: 'uts' });
  t.match(probeNamespacePath(link), { ok: true, kind: 'uts' }, 'through a symlink');
  const spec = { ociVersion: '1.3.0', root: { path: 'r' }, linux: { namespaces: [{ type: 'uts' as const, path: link }] } };
  t.doesNotThrow(() => checkConfig(spec));
  const wrong = { ...spec, linux: { namespaces: [{ type: 'ipc' as const, path: target }] } };
  t.throws(() => checkConfig(wrong), { message: new RegExp(`^config\\.json: /linux/namespaces/0/path: ${target} must be a namespace of type ipc \\(it is uts:\\[\\d+\\]\\)$`) });
});
