// What an unprivileged caller cannot do, refused before anything is made
// with one clear message (runc's wording where it has one).
import { ConfigError } from '../spec/errors.js';
import type { Spec } from '../spec/types.js';

export function checkUnprivileged(spec: Spec, rootless: boolean): void {
  if (!rootless || process.geteuid?.() === 0) return;
  const namespaces = spec.linux?.namespaces ?? [];
  if (!namespaces.some((ns) => ns.type === 'user')) {
    // Every other new namespace (network, mount, ...) needs CAP_SYS_ADMIN
    // over the current user namespace, which only a user namespace gives.
    throw new ConfigError('/linux/namespaces', 'rootless container requires user namespaces');
  }
  (spec.linux?.devices ?? []).forEach((d, i) => {
    // mknod is refused in a user namespace: the host node is bound instead,
    // so it must exist (a fifo cannot be bound into being).
    if (d.type === 'p') throw new ConfigError(`/linux/devices/${i}`, `cannot create fifo ${d.path} unprivileged (mknod needs root)`);
  });
}
