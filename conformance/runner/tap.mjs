// TAP as the runtime-tools programs print it (mndrix/tap-go):
//  - "ok N - desc" / "not ok N - desc" lines, "1..N" plan (printed first, or
//    last by AutoPlan), YAML diagnostics between "  ---" and "  ..." that may
//    precede the test line they belong to (RuntimeInsideValidate does that).
//  - Hook programs print "1..0" and report a failure ONLY as a YAML block
//    ("error: ..."), never as "not ok".
//  - *_fail programs print nothing at all and exit 0 when the runtime did the
//    right thing; they exit non-zero (util.Fatal) otherwise. Only they may be
//    silent (the caller says so with `allowSilence`).
// Indented lines (inside YAML, or a nested runtimetest's output quoted in
// YAML) are never read as test lines.

// Some programs (linux_cgroups_cpus, ...) print several TAP documents one
// after another, each from its own "TAP version 13"; each has its own plan.
export function parseTap(text) {
  const tests = [];
  const yaml = [];
  const streams = [];
  let cur = null;
  let bail = null;
  let inYaml = null;
  const open = () => { cur = { plan: null, count: 0, yaml: [] }; streams.push(cur); };
  for (const line of text.split("\n")) {
    if (inYaml !== null) {
      if (/^\s+\.\.\.\s*$/.test(line)) {
        yaml.push(inYaml.join("\n"));
        if (!cur) open();
        cur.yaml.push(inYaml.join("\n"));
        inYaml = null;
      }
      else inYaml.push(line);
      continue;
    }
    if (/^\s+---\s*$/.test(line)) { inYaml = []; continue; }
    let m;
    if ((m = /^(not ok|ok)\b\s*(\d+)?\s*-?\s*(.*)$/.exec(line))) {
      const directive = /#\s*(SKIP|TODO)\b/i.exec(m[3]);
      tests.push({ ok: m[1] === "ok", desc: m[3], directive: directive ? directive[1].toUpperCase() : null });
      if (!cur) open();
      cur.count++;
    } else if (/^TAP version \d+/.test(line)) {
      open();
    } else if ((m = /^1\.\.(\d+)/.exec(line))) {
      if (!cur || cur.plan !== null) open();
      cur.plan = Number(m[1]);
    } else if ((m = /^Bail out!\s*(.*)$/.exec(line))) {
      bail = m[1] || "bail out";
    }
  }
  if (inYaml !== null) yaml.push(inYaml.join("\n")); // unterminated block still counts
  return { tests, yaml, streams, bail, empty: text.trim() === "" };
}

function firstLine(s) {
  return (s.split("\n").map((l) => l.trim()).find(Boolean) || "").slice(0, 160);
}

// The "error:" line of a YAML diagnostic, else its first line.
// tap-go writes the block as JSON; plain YAML is read too.
function yamlReason(block) {
  try {
    const o = JSON.parse(block);
    if (o && typeof o.error === "string") return firstLine(o.error);
  } catch { /* not JSON */ }
  const m = /^\s*"?error"?:\s*"?(.*?)"?,?$/m.exec(block);
  return firstLine(m ? m[1].replace(/\\n.*$/, "") : block);
}

// pass/fail of one program, and why it failed.
export function verdict(tap, { code, signal, timedOut, stderr }, allowSilence = false) {
  if (timedOut) return { pass: false, reason: "timeout" };
  if (signal) return { pass: false, reason: `killed by ${signal}` };
  if (code !== 0) return { pass: false, reason: `exit ${code}: ${firstLine(stderr) || firstLine(tap.yaml[0] || "")}` };
  if (tap.bail) return { pass: false, reason: `bail out: ${tap.bail}` };
  const failed = tap.tests.filter((t) => !t.ok && t.directive !== "TODO");
  if (failed.length) return { pass: false, reason: `not ok: ${failed.map((t) => t.desc).join(" | ").slice(0, 200)}` };
  // *_fail programs succeed by printing nothing. Any other program printing
  // nothing has not shown a result: RuntimeInsideValidate(g, nil, nil) just
  // copies the container's stdout, so a runtimetest that never ran or died
  // silently leaves it empty (seen: process_capabilities).
  if (tap.empty) return allowSilence ? { pass: true, reason: "" } : { pass: false, reason: "no TAP output" };
  for (const [i, st] of tap.streams.entries()) {
    const which = tap.streams.length > 1 ? ` (document ${i + 1})` : "";
    if (st.plan === null) return { pass: false, reason: `no plan line${which}` };
    if (st.plan !== st.count) return { pass: false, reason: `planned ${st.plan}, ran ${st.count}${which}` };
  }
  // 1..0: hook-style programs fail only through a YAML block.
  const silentFail = tap.streams.find((st) => st.count === 0 && st.yaml.length);
  if (silentFail) return { pass: false, reason: `yaml: ${yamlReason(silentFail.yaml[0])}` };
  if (tap.tests.length === 0) return { pass: true, reason: "" };
  const skipped = tap.tests.filter((t) => t.directive === "SKIP").length;
  return { pass: true, reason: skipped ? `${skipped} skipped` : "" };
}
