// A bundle for the spec-clause tests, built from the shared test helpers
// (test/lib/bundle.ts's busybox rootfs, src's `tsrunc spec` default config)
// in a directory the caller owns, with a writable root and no terminal.
import fs from "node:fs";
import path from "node:path";
import { defaultSpec } from "../../src/lifecycle/spec.js";
import type { Hook, Spec } from "../../src/spec/types.js";
import { makeRootfs } from "../../test/lib/bundle.js";

export interface Bundle {
  dir: string;
  rootfs: string;
  spec: Spec;
  /** Writes `spec` (after any edits) to config.json. */
  write(): void;
}

// Creates <dir>/rootfs and <dir>/config.json running `args`.
export function makeBundle(dir: string, args: string[], edit?: (s: Spec) => void): Bundle {
  const rootfs = path.join(dir, "rootfs");
  makeRootfs(rootfs);
  const spec = defaultSpec();
  // crun 1.8.1 rejects "1.3.0"; CONFORMANCE_OCI_VERSION=1.1.0 lets it run these tests.
  if (process.env.CONFORMANCE_OCI_VERSION) spec.ociVersion = process.env.CONFORMANCE_OCI_VERSION;
  spec.process!.terminal = false;
  spec.process!.args = args;
  spec.root = { path: "rootfs", readonly: false };
  spec.hostname = "conformance";
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
