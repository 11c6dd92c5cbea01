// Shared steps of the clause tests: make a bundle, create a container whose
// stdout/stderr are files, read what it printed.
import fs from "node:fs";
import path from "node:path";
import type { Test } from "tap";
import type { Spec } from "../../src/spec/types.js";
import { Bundle, makeBundle } from "./bundle.js";
import { readIf, RunResult, Runtime, sleepMs } from "./runtime.js";

export interface Prepared {
  id: string;
  bundle: Bundle;
  io: string; // dir holding the container's stdout and stderr files
}

export function prepare(rt: Runtime, args: string[], edit?: (s: Spec) => void): Prepared {
  const bundle = makeBundle(rt.dir("bundle"), args, edit);
  const io = rt.dir("io");
  return { id: rt.newId(), bundle, io };
}

export function create(rt: Runtime, p: Prepared): RunResult {
  return rt.create(p.id, p.bundle.dir, { io: p.io });
}

/** prepare + create, asserting create succeeded. */
export function created(t: Test, rt: Runtime, args: string[], edit?: (s: Spec) => void): Prepared {
  const p = prepare(rt, args, edit);
  const r = create(rt, p);
  t.equal(r.code, 0, `create succeeds (${r.stderr.trim()})`);
  return p;
}

export function output(p: Prepared): string {
  return readIf(path.join(p.io, "stdout"));
}

/** A file inside the container's rootfs, seen from the host. */
export function inRootfs(p: Prepared, rel: string): string {
  return path.join(p.bundle.rootfs, rel);
}

/** Waits for the container to report `text` on its stdout. */
export function waitOutput(p: Prepared, text: string, timeoutMs = 5000): boolean {
  const end = Date.now() + timeoutMs;
  while (!output(p).includes(text)) {
    if (Date.now() > end) return false;
    sleepMs(50);
  }
  return true;
}

/** Lines a set of hooks appended to a shared file, in order. */
export function lines(file: string): string[] {
  return readIf(file).split("\n").filter(Boolean);
}

export function exists(file: string): boolean {
  return fs.existsSync(file);
}

// A shell that waits: the container stays running until killed.
export const LONG_RUNNING = ["sh", "-c", "echo up; while :; do sleep 1; done"];
