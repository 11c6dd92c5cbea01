// runtime-linux.md "File descriptors" and "Dev symbolic links": one test per MUST.
import { clause } from "./lib/clause.js";
import { created, output, waitOutput } from "./lib/fixtures.js";

clause("runtime-linux.md#file-descriptors", "by default only stdin, stdout and stderr are kept open for the application", (t, rt) => {
  // The container process itself (exec'd ls) lists its fds; the only extra
  // one allowed is ls's own handle on the directory it reads. Nothing of the
  // runtime (sync sockets, exec FIFO, state files, ...) may leak in.
  const p = created(t, rt, ["sh", "-c", "echo start; exec ls -l /proc/self/fd"]);
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitOutput(p, "start"), "program ran");
  t.equal(rt.waitStatus(p.id, "stopped"), "stopped", "program finished");
  const fds = output(p).split("\n").map((l) => / (\d+) -> (.*)$/.exec(l)).filter((m) => m !== null)
    .map((m) => ({ fd: Number(m[1]), target: m[2] }));
  t.same(fds.filter((f) => f.fd <= 2).map((f) => f.fd), [0, 1, 2], "0, 1 and 2 are open");
  const extra = fds.filter((f) => f.fd > 2 && !/^\/proc\/\d+\/fd$/.test(f.target));
  t.same(extra, [], "no other descriptor is open");
});

clause("runtime-linux.md#dev-symbolic-links", "runtimes MUST create /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr symlinks", (t, rt) => {
  const p = created(t, rt, ["sh", "-c", "for l in fd stdin stdout stderr; do echo $l=$(readlink /dev/$l); done; echo done"]);
  t.equal(rt.start(p.id).code, 0, "start");
  t.ok(waitOutput(p, "done"), "program finished");
  t.same(output(p).trim().split("\n"), [
    "fd=/proc/self/fd", "stdin=/proc/self/fd/0", "stdout=/proc/self/fd/1", "stderr=/proc/self/fd/2", "done",
  ], "each link points at its /proc/self/fd source");
});
