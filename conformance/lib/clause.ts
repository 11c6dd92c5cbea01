// One tap test per spec clause. The name is "<document>#<section>: <the MUST
// sentence>", so a failure says which clause is broken. `deviates` lists the
// runtimes (by binary name) known to break the clause; run against one of
// them the test still runs, and is reported as TODO instead of failing.
import t, { Test } from "tap";
import path from "node:path";
import { Runtime, runtimeBin } from "./runtime.js";

export interface ClauseOpts {
  deviates?: Record<string, string>; // binary basename -> what it does instead
}

export function clause(
  ref: string,
  text: string,
  fn: (t: Test, rt: Runtime) => void | Promise<void>,
  opts: ClauseOpts = {},
): void {
  const bin = path.basename(runtimeBin());
  // CONFORMANCE_STRICT=1 ignores `deviates` (to see the deviation fail for real).
  const dev = process.env.CONFORMANCE_STRICT === "1" ? undefined : opts.deviates?.[bin];
  const testOpts = dev ? { todo: `known ${bin} deviation: ${dev}` } : {};
  t.test(`${ref}: ${text}`, testOpts, async (tt) => {
    const rt = new Runtime(ref.replace(/[^a-z0-9]+/gi, "-").slice(0, 40));
    tt.teardown(() => rt.cleanup());
    await fn(tt, rt);
  });
}
