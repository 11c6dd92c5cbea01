// runtime.md "Create", "Start", "Kill", "Delete" and "Errors": one test per MUST.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { clause } from "./lib/clause.js";
import { create, created, exists, inRootfs, LONG_RUNNING, output, prepare, waitOutput } from "./lib/fixtures.js";
import { pidAlive, sleepMs, startTime, waitFile } from "./lib/runtime.js";

// The cgroup v1 "pids"/"memory"/... or v2 path of a live process, per hierarchy.
function cgroupDirs(pid: number): string[] {
  const dirs: string[] = [];
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
    const [, ctrls, p] = line.split(":");
    if (!p || p === "/") continue;
    const name = ctrls === "" ? "unified" : ctrls.replace(/^name=/, "");
    const dir = path.join("/sys/fs/cgroup", name, p);
    if (fs.existsSync(dir)) dirs.push(dir);
  }
  return dirs;
}

// ---- create ----

clause("runtime.md#create", "create MUST generate an error if it is not provided the container ID", (t, rt) => {
  const p = prepare(rt, LONG_RUNNING);
  const r = rt.run(["create", "--bundle", p.bundle.dir]);
  t.not(r.code, 0, "create without an id fails");
  t.equal(rt.run(["list", "-q"]).stdout.trim(), "", "and nothing was created");
});

clause("runtime.md#create", "a non-unique ID MUST generate an error and a new container MUST NOT be created", (t, rt) => {
  const a = created(t, rt, LONG_RUNNING);
  const pidBefore = rt.state(a.id).pid;
  const b = prepare(rt, ["sh", "-c", "echo second > /tmp/second"]);
  t.not(rt.create(a.id, b.bundle.dir, { io: b.io }).code, 0, "duplicate id rejected");
  const s = rt.state(a.id);
  t.equal(s.pid, pidBefore, "the existing container is untouched");
  t.equal(rt.run(["list", "-q"]).stdout.trim().split("\n").length, 1, "still exactly one container");
});

clause("runtime.md#create", "an ID that is not valid MUST generate an error and no container is created", (t, rt) => {
  const p = prepare(rt, LONG_RUNNING);
  for (const bad of ["../escape", "a/b", ".."]) {
    const r = rt.create(bad, p.bundle.dir, { io: p.io });
    t.not(r.code, 0, `id ${JSON.stringify(bad)} rejected`);
  }
  t.notOk(exists(path.join(path.dirname(rt.root), "escape")), "nothing written outside the state root");
  t.equal(rt.run(["list", "-q"]).stdout.trim(), "", "no container created");
});

clause("runtime.md#create", "this operation MUST create a new container", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING);
  const s = rt.state(p.id);
  t.equal(s.status, "created");
  t.ok(s.pid !== undefined && pidAlive(s.pid), "its process exists");
  t.ok(rt.run(["list", "-q"]).stdout.split("\n").includes(p.id), "list shows it");
});

clause("runtime.md#create", "all properties in config.json except process MUST be applied by create", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING, (s) => { s.hostname = "applied-at-create"; });
  const pid = rt.state(p.id).pid ?? 0;
  const r = spawnSync("nsenter", ["-t", String(pid), "-u", "hostname"], { encoding: "utf8" });
  t.equal(r.stdout.trim(), "applied-at-create", "hostname is set before start");
  const own = fs.readlinkSync("/proc/self/ns/mnt");
  t.not(fs.readlinkSync(`/proc/${pid}/ns/mnt`), own, "the mount namespace exists before start");
});

clause("runtime.md#create", "process.args MUST NOT be applied until triggered by the start operation", (t, rt) => {
  const p = created(t, rt, ["sh", "-c", "echo ran > /tmp/ran; echo up; sleep 100"]);
  sleepMs(300);
  t.notOk(exists(inRootfs(p, "tmp/ran")), "not run by create");
  const pid = rt.state(p.id).pid ?? 0;
  const exe = fs.readlinkSync(`/proc/${pid}/exe`);
  t.not(exe, path.join(p.bundle.rootfs, "bin/busybox"), "the created process is not the user program");
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitFile(inRootfs(p, "tmp/ran")), "run by start");
});

clause("runtime.md#create", "a property the runtime cannot apply (unknown capability) MUST generate an error, no container created", (t, rt) => {
  const p = prepare(rt, LONG_RUNNING, (s) => { s.process?.capabilities?.bounding?.push("CAP_NO_SUCH_THING"); });
  const r = create(rt, p);
  t.not(r.code, 0, "create fails");
  t.not(rt.stateRaw(p.id).code, 0, "no container exists");
}, { deviates: { runc: "ignores unknown capabilities", "crun-hybrid": "ignores unknown capabilities" } });

clause("runtime.md#create", "a property the runtime cannot apply (unknown rlimit) MUST generate an error, no container created", (t, rt) => {
  const p = prepare(rt, LONG_RUNNING, (s) => { s.process?.rlimits?.push({ type: "RLIMIT_NO_SUCH_THING", soft: 1, hard: 1 }); });
  t.not(create(rt, p).code, 0, "create fails");
  t.not(rt.stateRaw(p.id).code, 0, "no container exists");
});

// ---- start ----

clause("runtime.md#start", "start MUST generate an error if it is not provided the container ID", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING);
  t.not(rt.run(["start"]).code, 0, "start without an id fails");
  t.equal(rt.state(p.id).status, "created", "the container was not started");
});

clause("runtime.md#start", "start of a container that is not created MUST have no effect and MUST generate an error", (t, rt) => {
  t.not(rt.start("conformance-no-such-container").code, 0, "unknown id");
  const p = created(t, rt, ["sh", "-c", "echo run >> /tmp/runs; echo up; sleep 100"]);
  t.equal(rt.start(p.id).code, 0, "first start");
  t.ok(waitOutput(p, "up"));
  const pid = rt.state(p.id).pid;
  t.not(rt.start(p.id).code, 0, "start of a running container fails");
  const s = rt.state(p.id);
  t.equal(s.status, "running", "still running");
  t.equal(s.pid, pid, "same process");
  t.equal(fs.readFileSync(inRootfs(p, "tmp/runs"), "utf8"), "run\n", "program ran once");
  rt.kill(p.id, "KILL");
  t.equal(rt.waitStatus(p.id, "stopped"), "stopped");
  t.not(rt.start(p.id).code, 0, "start of a stopped container fails");
  t.equal(rt.state(p.id).status, "stopped", "still stopped");
});

clause("runtime.md#start", "start MUST run the user-specified program as specified by process", (t, rt) => {
  const p = created(t, rt, ["sh", "-c", "echo \"args=$0 $1 cwd=$(pwd) env=$GREETING\"", "x", "y"], (s) => {
    if (s.process) { s.process.cwd = "/tmp"; s.process.env?.push("GREETING=hello"); }
  });
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitOutput(p, "args="), "program printed");
  t.equal(output(p).trim(), "args=x y cwd=/tmp env=hello", "args, cwd and env as configured");
});

clause("runtime.md#start", "start MUST generate an error if process was not set", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING, (s) => { delete s.process; });
  t.not(rt.start(p.id).code, 0, "start fails");
}, { deviates: { runc: "create already fails without process", "crun-hybrid": "create already fails without process" } });

// ---- kill ----

clause("runtime.md#kill", "kill MUST generate an error if it is not provided the container ID", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING);
  t.not(rt.run(["kill"]).code, 0, "kill without an id fails");
  t.equal(rt.state(p.id).status, "created", "container untouched");
});

clause("runtime.md#kill", "signalling a container that is neither created nor running MUST have no effect and MUST generate an error", (t, rt) => {
  t.not(rt.kill("conformance-no-such-container", "KILL").code, 0, "unknown id");
  const p = created(t, rt, ["true"]);
  t.equal(rt.start(p.id).code, 0, "start");
  t.equal(rt.waitStatus(p.id, "stopped"), "stopped", "program exited");
  t.not(rt.kill(p.id, "TERM").code, 0, "kill of a stopped container fails");
  t.equal(rt.state(p.id).status, "stopped", "still stopped");
  t.equal(rt.delete(p.id).code, 0, "and still deletable");
});

clause("runtime.md#kill", "kill MUST send the specified signal to the container process", (t, rt) => {
  const p = created(t, rt, ["sh", "-c", "trap 'echo got-USR1; exit 0' USR1; echo up; while :; do sleep 0.1; done"]);
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitOutput(p, "up"), "trap installed");
  t.equal(rt.kill(p.id, "USR1").code, 0, "kill USR1");
  t.ok(waitOutput(p, "got-USR1"), "the process got SIGUSR1");
  t.equal(rt.waitStatus(p.id, "stopped"), "stopped", "and exited from its handler");
  const q = created(t, rt, LONG_RUNNING);
  t.equal(rt.kill(q.id, "KILL").code, 0, "kill KILL of a created container");
  t.equal(rt.waitStatus(q.id, "stopped"), "stopped", "the created container's process died");
});

// ---- delete ----

clause("runtime.md#delete", "delete MUST generate an error if it is not provided the container ID", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING);
  t.not(rt.run(["delete"]).code, 0, "delete without an id fails");
  t.equal(rt.state(p.id).status, "created", "container untouched");
});

clause("runtime.md#delete", "deleting a running container MUST have no effect and MUST generate an error", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING);
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitOutput(p, "up"));
  const pid = rt.state(p.id).pid;
  t.not(rt.delete(p.id).code, 0, "delete without --force fails");
  const s = rt.state(p.id);
  t.equal(s.status, "running", "still running");
  t.equal(s.pid, pid, "same process");
});

clause("runtime.md#delete", "deleting a created (not stopped) container MUST have no effect and MUST generate an error", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING);
  const pid = rt.state(p.id).pid ?? 0;
  t.not(rt.delete(p.id).code, 0, "delete without --force fails");
  t.equal(rt.stateRaw(p.id).code, 0, "container still exists");
  t.ok(pidAlive(pid), "its process is alive");
}, { deviates: { runc: "deletes a created container without --force", "crun-hybrid": "deletes a created container without --force" } });

clause("runtime.md#delete", "delete MUST delete the resources created during create", (t, rt) => {
  const p = created(t, rt, LONG_RUNNING);
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitOutput(p, "up"));
  const pid = rt.state(p.id).pid ?? 0;
  const cgroups = cgroupDirs(pid).filter((d) => !cgroupDirs(process.pid).includes(d));
  t.ok(cgroups.length > 0, `the container has its own cgroup(s): ${cgroups.join(" ")}`);
  const stateEntries = fs.readdirSync(rt.root);
  t.equal(rt.kill(p.id, "KILL").code, 0, "kill");
  t.equal(rt.waitStatus(p.id, "stopped"), "stopped");
  t.equal(rt.delete(p.id).code, 0, "delete");
  t.not(rt.stateRaw(p.id).code, 0, "state of the deleted id fails");
  t.same(cgroups.filter((d) => fs.existsSync(d)), [], "its cgroups are gone");
  t.same(fs.readdirSync(rt.root).filter((e) => stateEntries.includes(e) && e.includes(p.id)), [], "its state is gone");
  t.notOk(pidAlive(pid), "its process is gone");
});

clause("runtime.md#delete", "resources associated with the container but not created by it MUST NOT be deleted", (t, rt) => {
  // A network namespace the test owns (held by a sleep it started) and a host
  // directory bind-mounted into the container.
  const holder = spawn("unshare", ["--net", "sleep", "300"], { stdio: "ignore" });
  const holderPid = holder.pid ?? 0;
  const holderStart = (() => { sleepMs(200); return startTime(holderPid); })();
  t.teardown(() => { if (startTime(holderPid) === holderStart) holder.kill("SIGKILL"); });
  const shared = rt.dir("shared");
  fs.writeFileSync(path.join(shared, "keep"), "keep me\n");
  const netns = `/proc/${holderPid}/ns/net`;
  const inode = fs.readlinkSync(netns);
  const p = created(t, rt, ["sh", "-c", "cat /shared/keep; echo up"], (s) => {
    s.mounts?.push({ destination: "/shared", type: "bind", source: shared, options: ["rbind", "rw"] });
    s.linux?.namespaces?.forEach((n) => { if (n.type === "network") n.path = netns; });
  });
  t.equal(fs.readlinkSync(`/proc/${rt.state(p.id).pid ?? 0}/ns/net`), inode, "the container joined the namespace");
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitOutput(p, "up"));
  t.equal(rt.waitStatus(p.id, "stopped"), "stopped");
  t.equal(rt.delete(p.id).code, 0, "delete");
  t.ok(pidAlive(holderPid), "the namespace holder is alive");
  t.equal(fs.readlinkSync(netns), inode, "the joined network namespace is intact");
  t.equal(fs.readFileSync(path.join(shared, "keep"), "utf8"), "keep me\n", "the bind-mounted host directory is intact");
});

// ---- errors ----

clause("runtime.md#errors", "an operation that generates an error MUST leave the environment as if it were never attempted", (t, rt) => {
  const p = prepare(rt, LONG_RUNNING, (s) => {
    s.mounts?.push({ destination: "/missing", type: "bind", source: "/nonexistent/conformance/source", options: ["rbind"] });
  });
  // .warm is the warm server's (docs/warm-mode.md), not container state
  const entries = (): string[] => fs.readdirSync(rt.root).filter((e) => e !== ".warm");
  const before = entries();
  t.not(create(rt, p).code, 0, "create with an impossible mount fails");
  t.not(rt.stateRaw(p.id).code, 0, "no container by that id");
  t.same(entries(), before, "the state root is as before");
  t.equal(rt.run(["list", "-q"]).stdout.trim(), "", "list is empty");
  const again = prepare(rt, LONG_RUNNING);
  t.equal(rt.create(p.id, again.bundle.dir, { io: again.io }).code, 0, "the id can be used right away");
});
