// The suite's own test cgroups (fixed names in runtime-tools' cgroups
// package: "/cgrouptest" and "testdir/cgrouptest/container") and id-named
// cgroups of containers this run left behind. A runtime that dies half way
// can leave them; the runner removes one only if it appeared while the
// program ran and is empty (rmdir refuses otherwise), so nothing that
// existed before, or that anyone else made meanwhile at another path, is touched.
import fs from "node:fs";
import path from "node:path";

const FIXED = ["cgrouptest", "testdir/cgrouptest/container", "testdir/cgrouptest", "testdir"];

function hierarchies() {
  const mounts = [];
  for (const line of fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const fstype = line.slice(sep + 3).split(" ")[0];
    if (fstype === "cgroup" || fstype === "cgroup2") mounts.push(line.split(" ")[4]);
  }
  return mounts;
}

function ownPaths() {
  const own = new Set(["/"]);
  for (const line of fs.readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const p = line.split(":").slice(2).join(":");
    if (p) own.add(p);
  }
  return [...own];
}

// Absolute directories where the suite's runtimes may make cgroups.
export function cgroupCandidates(ids) {
  const names = [...FIXED, ...ids];
  const out = new Set();
  for (const m of hierarchies()) {
    for (const base of ownPaths()) {
      for (const n of names) out.add(path.join(m, base, n));
    }
  }
  return [...out];
}

export function existingDirs(dirs) {
  return new Set(dirs.filter((d) => fs.existsSync(d)));
}

export function removeNewCgroups(candidates, before) {
  const fresh = candidates.filter((d) => !before.has(d) && fs.existsSync(d))
    .sort((a, b) => b.length - a.length);
  for (const d of fresh) { try { fs.rmdirSync(d); } catch { /* busy or not empty: leave it */ } }
}
