// Drives a runtime binary through runc's CLI (create --bundle B [--pid-file],
// start, state, kill ID [SIG], delete [--force], list -q) with a private
// --root, and cleans up every container it created, even when a test fails.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface StateDoc {
  ociVersion: string;
  id: string;
  status: string;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
  [extra: string]: unknown;
}

// TSRUNC_BIN, else the repo's bin/tsrunc (this file is dist/conformance/lib/).
export function runtimeBin(): string {
  const env = process.env.TSRUNC_BIN;
  if (env) return env;
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/tsrunc");
}

export function isRunc(): boolean {
  return path.basename(runtimeBin()) === "runc";
}

export class Runtime {
  readonly bin = runtimeBin();
  readonly work: string;
  readonly root: string;
  private readonly ids = new Set<string>();
  // pid -> its start time (field 22 of /proc/PID/stat), so a reused pid is never killed.
  private readonly pids = new Map<number, string>();
  private seq = 0;

  constructor(label: string) {
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), `conf-${label}-`));
    this.root = path.join(this.work, "state");
    fs.mkdirSync(this.root);
  }

  /** A fresh container id, remembered for cleanup. */
  newId(): string {
    const id = `conf-${process.pid}-${++this.seq}`;
    this.ids.add(id);
    return id;
  }

  /** A fresh directory under this runtime's temp dir. */
  dir(name: string): string {
    const d = path.join(this.work, `${name}-${++this.seq}`);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  /**
   * Runs `bin --root ROOT ...args`. stdout/stderr go through files, never
   * pipes: a created container inherits them and would hold a pipe open.
   */
  run(args: string[], timeoutMs = 30000, cwd?: string): RunResult {
    const outPath = path.join(this.work, `cmd-${++this.seq}.out`);
    const errPath = path.join(this.work, `cmd-${this.seq}.err`);
    const out = fs.openSync(outPath, "w+");
    const err = fs.openSync(errPath, "w+");
    try {
      const r = spawnSync(this.bin, ["--root", this.root, ...args], {
        stdio: ["ignore", out, err], timeout: timeoutMs, cwd,
      });
      if (r.error) throw new Error(`${this.bin} ${args.join(" ")}: ${r.error.message}`);
      return { code: r.status, stdout: fs.readFileSync(outPath, "utf8"), stderr: fs.readFileSync(errPath, "utf8") };
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
  }

  /**
   * create; the container's stdio are the files `io`/{stdout,stderr} so the
   * test can read what the container printed.
   */
  create(id: string, bundle: string, opts: { pidFile?: string; io?: string; cwd?: string } = {}): RunResult {
    this.ids.add(id);
    const args = ["create", "--bundle", bundle];
    if (opts.pidFile) args.push("--pid-file", opts.pidFile);
    args.push(id);
    if (!opts.io) return this.remember(id, this.run(args, 30000, opts.cwd));
    const out = fs.openSync(path.join(opts.io, "stdout"), "a");
    const err = fs.openSync(path.join(opts.io, "stderr"), "a");
    try {
      const r = spawnSync(this.bin, ["--root", this.root, ...args], { stdio: ["ignore", out, err], timeout: 30000 });
      if (r.error) throw new Error(`${this.bin} create: ${r.error.message}`);
      const stderr = fs.readFileSync(path.join(opts.io, "stderr"), "utf8");
      return this.remember(id, { code: r.status, stdout: "", stderr });
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
  }

  start(id: string): RunResult { return this.run(["start", id]); }
  kill(id: string, sig?: string): RunResult { return this.run(sig ? ["kill", id, sig] : ["kill", id]); }
  delete(id: string, force = false): RunResult { return this.run(force ? ["delete", "--force", id] : ["delete", id]); }
  stateRaw(id: string): RunResult { return this.run(["state", id]); }

  state(id: string): StateDoc {
    const r = this.stateRaw(id);
    if (r.code !== 0) throw new Error(`state ${id} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as StateDoc;
  }

  /** Polls `state` until status is `want` (or the timeout passes); returns the last status. */
  waitStatus(id: string, want: string, timeoutMs = 10000): string {
    const end = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      const r = this.stateRaw(id);
      last = r.code === 0 ? (JSON.parse(r.stdout) as StateDoc).status : `(state failed: ${r.stderr.trim()})`;
      if (last === want || Date.now() > end) return last;
      sleepMs(100);
    }
  }

  /** Force-deletes every container this object created, kills their pids, removes its temp dir. */
  cleanup(): void {
    for (const id of this.ids) {
      if (this.stateRaw(id).code !== 0) continue;
      this.run(["kill", id, "KILL"]);
      this.run(["delete", "--force", id]);
    }
    for (const [pid, started] of this.pids) {
      if (startTime(pid) !== started) continue; // exited; the pid may belong to someone else now
      try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
    }
    fs.rmSync(this.work, { recursive: true, force: true });
  }

  // Remembers the container's pid so cleanup can kill it even if the
  // runtime cannot (only pids of containers this object created).
  private remember(id: string, r: RunResult): RunResult {
    if (r.code === 0) {
      const s = this.stateRaw(id);
      if (s.code === 0) {
        const pid = (JSON.parse(s.stdout) as StateDoc).pid;
        const started = typeof pid === "number" && pid > 0 ? startTime(pid) : null;
        if (typeof pid === "number" && started !== null) this.pids.set(pid, started);
      }
    }
    return r;
  }
}

export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Waits until `file` exists (the container or a hook wrote it). */
export function waitFile(file: string, timeoutMs = 5000): boolean {
  const end = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > end) return false;
    sleepMs(50);
  }
  return true;
}

export function readIf(file: string): string {
  try { return fs.readFileSync(file, "utf8"); } catch { return ""; }
}

export function pidAlive(pid: number): boolean {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return st.slice(st.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Start time of a live (non-zombie) process, or null. */
export function startTime(pid: number): string | null {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return f[0] === "Z" ? null : (f[19] ?? null);
  } catch {
    return null;
  }
}
