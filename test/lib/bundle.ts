// Real OCI bundles for tests: a busybox-static rootfs (Debian's
// busybox-static) and runc's default config (`runc spec`), in a temp dir.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Spec } from '../../src/spec/types.js';

export const BUSYBOX = '/bin/busybox';

let applets: string[] | undefined;

function busyboxApplets(): string[] {
  applets ??= execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return applets;
}

/** Makes a busybox rootfs at `dir`: /bin/busybox, a symlink per applet,
 *  the usual empty dirs, /etc/passwd and /etc/group. */
export function makeRootfs(dir: string): void {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'var', 'run', 'mnt']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of busyboxApplets()) {
    if (applet === 'bin/busybox') continue;
    const target = join(dir, applet);
    mkdirSync(dirname(target), { recursive: true });
    try {
      symlinkSync('/bin/busybox', target);
    } catch {
      // listed twice
    }
  }
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
}

const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

/** runc's `runc spec` config (terminal off, root writable, for tests). */
export function defaultTestSpec(args: string[] = ['true']): Spec {
  return {
    ociVersion: '1.3.0',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: [...DEFAULT_CAPS], effective: [...DEFAULT_CAPS], permitted: [...DEFAULT_CAPS] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'tsrunc',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

export interface Bundle {
  dir: string;
  rootfs: string;
  spec: Spec;
  /** Writes `spec` (after any edits) to config.json. */
  save(): void;
  cleanup(): void;
}

/** A bundle whose config runs `args` without a terminal; `edit` may change
 *  the spec before it is saved. */
export function makeBundle(args: string[] = ['true'], edit?: (spec: Spec) => void): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'tsrunc-bundle-'));
  const rootfs = join(dir, 'rootfs');
  makeRootfs(rootfs);
  const spec = defaultTestSpec(args);
  edit?.(spec);
  const bundle: Bundle = {
    dir,
    rootfs,
    spec,
    save: () => writeFileSync(join(dir, 'config.json'), JSON.stringify(bundle.spec, null, 2)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  bundle.save();
  return bundle;
}
