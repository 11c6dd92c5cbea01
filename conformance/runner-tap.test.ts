// The runner's TAP verdicts, on outputs shaped like the runtime-tools programs'.
import t from "tap";
import type * as TapModule from "./runner/tap.mjs";

// This file runs from dist/conformance/; the runner stays plain JS in conformance/runner/.
const { parseTap, verdict } = (await import(
  new URL("../../conformance/runner/tap.mjs", import.meta.url).href)) as typeof TapModule;

const ok: TapModule.Exit = { code: 0, signal: null, timedOut: false, stderr: "" };
const judge = (out: string, exit = ok) => verdict(parseTap(out), exit);

t.test("plain pass and fail", async (t) => {
  t.equal(judge("TAP version 13\nok 1 - a\nok 2 - b\n1..2\n").pass, true);
  const v = judge("TAP version 13\nok 1 - a\nnot ok 2 - b broke\n1..2\n");
  t.equal(v.pass, false);
  t.match(v.reason, /b broke/);
});

t.test("hook programs: 1..0 fails only through a YAML block", async (t) => {
  t.equal(judge("TAP version 13\n1..0\n").pass, true, "no YAML: pass");
  const v = judge('TAP version 13\n  ---\n  {\n    "error": "Hooks MUST be called in the listed order\\nRefer to: x"\n  }\n  ...\n1..0\n');
  t.equal(v.pass, false, "YAML: fail");
  t.equal(v.reason, "yaml: Hooks MUST be called in the listed order");
});

t.test("*_fail programs: silence and exit 0 pass; non-zero exit fails", async (t) => {
  t.equal(verdict(parseTap(""), ok, true).pass, true, "a *_fail program may be silent");
  t.equal(judge("").reason, "no TAP output", "any other program may not");
  t.equal(verdict(parseTap(""), { ...ok, code: 1, stderr: "MUST cause an error\n" }, true).pass, false);
  t.equal(judge("TAP version 13\nok 1 - x\n1..1\n", { ...ok, code: 1 }).pass, false, "even with passing TAP");
});

t.test("timeouts and signals fail", async (t) => {
  t.equal(judge("TAP version 13\nok 1\n1..1\n", { ...ok, timedOut: true }).reason, "timeout");
  t.equal(judge("", { ...ok, code: null, signal: "SIGKILL" }).pass, false);
});

t.test("indented 'not ok' inside YAML (nested runtimetest output) is not a test line", async (t) => {
  const out = "TAP version 13\n  ---\n  stdout: |\n    not ok 3 - inner\n  ...\nok 1 - outer\n1..1\n";
  t.equal(judge(out).pass, true);
});

t.test("several TAP documents each need a matching plan", async (t) => {
  t.equal(judge("TAP version 13\nok 1\nok 2\n1..2\nTAP version 13\n1..0\n").pass, true);
  t.equal(judge("TAP version 13\nok 1\nok 2\n1..3\nTAP version 13\n1..0\n").pass, false, "short document");
  t.equal(judge("TAP version 13\nok 1\n").pass, false, "no plan");
});

t.test("SKIP counts as ok, TODO failures do not fail", async (t) => {
  t.equal(judge("TAP version 13\nok 1 # SKIP linux only\n1..1\n").pass, true);
  t.equal(judge("TAP version 13\nnot ok 1 # TODO later\n1..1\n").pass, true);
});
