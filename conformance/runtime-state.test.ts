// runtime.md "Scope of a Container", "State" and "Query State": one test per MUST.
import fs from "node:fs";
import path from "node:path";
import { clause } from "./lib/clause.js";
import { create, created, LONG_RUNNING, prepare, waitOutput } from "./lib/fixtures.js";
import { pidAlive, StateDoc } from "./lib/runtime.js";

const STATUSES = ["creating", "created", "running", "stopped"];

clause("runtime.md#scope-of-a-container",
  "the entity that created a container MUST be able to use the operations against that same container", (t, rt) => {
    const p = created(t, rt, LONG_RUNNING);
    t.equal(rt.stateRaw(p.id).code, 0, "state works");
    t.equal(rt.start(p.id).code, 0, "start works");
    t.equal(rt.kill(p.id, "KILL").code, 0, "kill works");
    t.equal(rt.waitStatus(p.id, "stopped"), "stopped");
    t.equal(rt.delete(p.id).code, 0, "delete works");
  });

clause("runtime.md#state", "id MUST be unique across all containers on this host", (t, rt) => {
  const a = created(t, rt, LONG_RUNNING);
  const b = prepare(rt, LONG_RUNNING);
  const r = rt.create(a.id, b.bundle.dir, { io: b.io });
  t.not(r.code, 0, "a second create with the same id fails");
  t.equal(rt.state(a.id).bundle, fs.realpathSync(a.bundle.dir), "the id still names the first container");
});

clause("runtime.md#state", "status is created, running, stopped along the lifecycle (additional values MUST only mean new states)", (t, rt) => {
  const p = created(t, rt, ["sh", "-c", "echo up; sleep 1"]);
  t.equal(rt.state(p.id).status, "created", "after create");
  t.equal(rt.start(p.id).code, 0, "start");
  const s = rt.state(p.id).status;
  t.ok(s === "running" || s === "stopped", `after start: ${s}`);
  t.ok(waitOutput(p, "up"), "the program ran");
  t.equal(rt.waitStatus(p.id, "stopped"), "stopped", "after the process exits");
});

clause("runtime.md#state", "pid is REQUIRED when status is created or running on Linux (the container process)", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING);
  const c = rt.state(p.id);
  t.type(c.pid, "number", "created: pid present");
  t.ok(c.pid !== undefined && pidAlive(c.pid), "created: pid is a live process");
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitOutput(p, "up"), "the program ran");
  const r = rt.state(p.id);
  t.equal(r.status, "running");
  t.equal(r.pid, c.pid, "running: same pid (the container process)");
  const cmdline = r.pid === undefined ? "" : fs.readFileSync(`/proc/${r.pid}/cmdline`, "utf8");
  t.equal(cmdline.split("\0")[0], "sh", "running: the pid runs the user program");
});

clause("runtime.md#state", "bundle is the absolute path to the container's bundle directory", (t, rt) => {
  const p = prepare(rt, LONG_RUNNING);
  const parent = path.dirname(p.bundle.dir);
  const r = rt.create(p.id, path.basename(p.bundle.dir), { cwd: parent });
  t.equal(r.code, 0, `create with a relative --bundle (${r.stderr.trim()})`);
  const b = rt.state(p.id).bundle;
  t.ok(path.isAbsolute(b), `absolute: ${b}`);
  t.equal(fs.realpathSync(b), fs.realpathSync(p.bundle.dir), "the bundle directory");
});

clause("runtime.md#state", "when serialized in JSON, the state MUST adhere to state-schema.json", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING, (s) => { s.annotations = { "org.example.key": "value" }; });
  const raw = rt.stateRaw(p.id);
  t.equal(raw.code, 0);
  const doc = JSON.parse(raw.stdout) as StateDoc;
  // state-schema.json: required ociVersion, id, status, bundle; pid integer >= 0;
  // annotations a map of strings; status one of the four (or a new state).
  t.match(doc.ociVersion, /^\d+\.\d+\.\d+/, "ociVersion is a semver string");
  t.equal(doc.id, p.id, "id");
  t.ok(STATUSES.includes(doc.status), `status ${doc.status}`);
  t.ok(Number.isInteger(doc.pid) && (doc.pid ?? -1) >= 0, "pid is a non-negative integer");
  t.type(doc.bundle, "string", "bundle");
  if (doc.annotations !== undefined) {
    t.same(doc.annotations, { "org.example.key": "value" }, "annotations are the config's");
  }
});

clause("runtime.md#query-state", "state MUST generate an error if it is not provided the ID of a container", (t, rt) => {
  const r = rt.run(["state"]);
  t.not(r.code, 0, "state without an id fails");
});

clause("runtime.md#query-state", "querying a container that does not exist MUST generate an error", (t, rt) => {
  const r = rt.stateRaw("conformance-no-such-container");
  t.not(r.code, 0, "state of an unknown id fails");
  t.equal(r.stdout.trim(), "", "and prints no state");
});

clause("runtime.md#query-state", "state MUST return the state of the container", (t, rt) => {
  const p = prepare(rt, LONG_RUNNING);
  t.equal(create(rt, p).code, 0, "create");
  const s = rt.state(p.id);
  t.equal(s.id, p.id);
  t.equal(s.status, "created");
  t.equal(fs.realpathSync(s.bundle), fs.realpathSync(p.bundle.dir));
});
