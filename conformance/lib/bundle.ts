// A small OCI bundle for the spec-clause tests: a busybox-static rootfs and a
// config.json modelled on `runc spec` (pid/net/ipc/uts/mount namespaces,
// /proc, /dev, /dev/pts, /sys). To be deduplicated with test/lib/bundle.ts
// once that lands.
import fs from "node:fs";
import path from "node:path";
import type { Hook, Spec } from "../../src/spec/types.js";

const BUSYBOX = "/bin/busybox";
// Applets the tests use; linked to /bin/busybox inside the rootfs.
const APPLETS = [
  "sh", "true", "false", "sleep", "cat", "echo", "ls", "touch", "hostname",
  "readlink", "kill", "env", "id", "test", "grep", "wc", "mkdir", "rm", "printf",
];

export const DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

export function defaultSpec(args: string[]): Spec {
  return {
    // crun 1.8.1 rejects "1.3.0"; CONFORMANCE_OCI_VERSION=1.1.0 lets it run these tests.
    ociVersion: process.env.CONFORMANCE_OCI_VERSION ?? "1.3.0",
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ["PATH=/bin", "TERM=xterm"],
      cwd: "/",
      capabilities: {
        bounding: [...DEFAULT_CAPS],
        effective: [...DEFAULT_CAPS],
        permitted: [...DEFAULT_CAPS],
      },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: false },
    hostname: "conformance",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      { destination: "/dev/pts", type: "devpts", source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
    ],
    linux: {
      namespaces: [{ type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }],
      maskedPaths: ["/proc/kcore", "/proc/keys", "/sys/firmware"],
      readonlyPaths: ["/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

export interface Bundle {
  dir: string;
  rootfs: string;
  spec: Spec;
  /** Writes `spec` (after any edits) to config.json. */
  write(): void;
}

// Creates <dir>/rootfs (busybox + applet links, empty /proc /dev /sys /tmp)
// and <dir>/config.json.
export function makeBundle(dir: string, args: string[], edit?: (s: Spec) => void): Bundle {
  const rootfs = path.join(dir, "rootfs");
  for (const d of ["bin", "proc", "dev", "sys", "tmp", "etc"]) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(BUSYBOX, path.join(rootfs, "bin", "busybox"));
  fs.chmodSync(path.join(rootfs, "bin", "busybox"), 0o755);
  for (const a of APPLETS) fs.symlinkSync("busybox", path.join(rootfs, "bin", a));
  const spec = defaultSpec(args);
  if (edit) edit(spec);
  const b: Bundle = {
    dir, rootfs, spec,
    write() { fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(b.spec, null, 2)); },
  };
  b.write();
  return b;
}

// A hook run by the host's /bin/sh (hooks resolve in the runtime namespace).
export function shHook(script: string, timeout?: number): Hook {
  const h: Hook = { path: "/bin/sh", args: ["sh", "-c", script] };
  if (timeout !== undefined) h.timeout = timeout;
  return h;
}
