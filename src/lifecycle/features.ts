// `tsrunc features`: the runtime-spec features document (features.md,
// features-linux.md) describing what tsrunc really implements.
import { OCI_VERSION } from '../spec/version.js';
import { LINUX_CAPABILITIES } from '../spec/linux-names.js';
import { seccompFeatures } from '../linux/seccomp-bridge.js';
import { seccompFeatureAnnotations } from '../linux/seccomp.js';

export const MOUNT_OPTIONS = [
  'acl', 'async', 'atime', 'bind', 'defaults', 'dev', 'diratime', 'dirsync', 'exec', 'iversion', 'lazytime',
  'loud', 'mand', 'noacl', 'noatime', 'nodev', 'nodiratime', 'noexec', 'noiversion', 'nolazytime', 'nomand',
  'norelatime', 'nostrictatime', 'nosuid', 'nosymfollow', 'private', 'ratime', 'rbind', 'rdev', 'rdiratime',
  'relatime', 'remount', 'rexec', 'rnoatime', 'rnodev', 'rnodiratime', 'rnoexec', 'rnorelatime', 'rnostrictatime',
  'rnosuid', 'rnosymfollow', 'ro', 'rprivate', 'rrelatime', 'rro', 'rrw', 'rshared', 'rslave', 'rstrictatime',
  'rsuid', 'rsymfollow', 'runbindable', 'rw', 'shared', 'silent', 'slave', 'strictatime', 'suid', 'symfollow',
  'sync', 'tmpcopyup', 'unbindable',
];

export function featuresDocument(): Record<string, unknown> {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    mountOptions: MOUNT_OPTIONS,
    linux: {
      namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts'],
      capabilities: LINUX_CAPABILITIES,
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
      seccomp: seccompFeatures(),
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      // idmapped bind mounts: mount_setattr(MOUNT_ATTR_IDMAP) in tsrunc-init
      mountExtensions: { idmap: { enabled: true } },
    },
    annotations: {
      'io.github.tsrunc.version': '0.1.0',
      'org.opencontainers.runc.version': '1.1.5-tsrunc',
      ...seccompFeatureAnnotations(), // io.github.seccomp.libseccomp.version, as runc
    },
  };
}
