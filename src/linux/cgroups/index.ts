// Entry point the lifecycle uses for cgroups. A minimal placement-only
// manager until the full v1/v2 manager (manager.ts) lands.
import { mkdirSync, writeFileSync, readFileSync, rmdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredState } from '../../lifecycle/state-store.js';

export interface CgroupHandle {
  paths(): Record<string, string>;
  createdDirs(): string[];
  create(): void;
  apply(pid: number): void;
  isFrozen(): boolean;
  freeze(): void;
  thaw(): void;
  pids(): number[];
  destroy(): void;
}

const ROOT = '/sys/fs/cgroup';

function hierarchies(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    if (sep < 0) continue;
    const fstype = parts[sep + 1];
    const mnt = parts[4] ?? '';
    if (fstype === 'cgroup2') out['unified'] = mnt;
    if (fstype === 'cgroup') {
      const opts = (parts[sep + 3] ?? '').split(',');
      const ctrls = opts.filter((o) => !['rw', 'ro', 'relatime', 'noexec', 'nosuid', 'nodev'].includes(o));
      for (const c of ctrls) out[c.replace(/^name=/, '')] = mnt;
    }
  }
  return out;
}

class SimpleCgroup implements CgroupHandle {
  private made: string[];
  constructor(
    private readonly dirs: Record<string, string>,
    made: string[],
  ) {
    this.made = made;
  }
  paths(): Record<string, string> {
    return this.dirs;
  }
  createdDirs(): string[] {
    return this.made;
  }
  create(): void {
    for (const dir of new Set(Object.values(this.dirs))) {
      const missing: string[] = [];
      let d = dir;
      while (!existsSync(d)) {
        missing.unshift(d);
        d = join(d, '..');
      }
      mkdirSync(dir, { recursive: true });
      this.made.push(...missing);
    }
  }
  apply(pid: number): void {
    for (const dir of new Set(Object.values(this.dirs))) writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  }
  isFrozen(): boolean {
    const f = this.dirs['freezer'];
    if (f) return readFileSync(join(f, 'freezer.state'), 'utf8').trim() !== 'THAWED';
    const u = this.dirs['unified'];
    if (u && existsSync(join(u, 'cgroup.freeze'))) return readFileSync(join(u, 'cgroup.freeze'), 'utf8').trim() === '1';
    return false;
  }
  freeze(): void {
    const f = this.dirs['freezer'];
    if (f) writeFileSync(join(f, 'freezer.state'), 'FROZEN');
    else if (this.dirs['unified']) writeFileSync(join(this.dirs['unified'], 'cgroup.freeze'), '1');
  }
  thaw(): void {
    const f = this.dirs['freezer'];
    if (f) writeFileSync(join(f, 'freezer.state'), 'THAWED');
    else if (this.dirs['unified']) writeFileSync(join(this.dirs['unified'], 'cgroup.freeze'), '0');
  }
  pids(): number[] {
    const any = this.dirs['pids'] ?? this.dirs['memory'] ?? Object.values(this.dirs)[0];
    if (!any) return [];
    return readFileSync(join(any, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  }
  destroy(): void {
    // Deepest first; only what we created.
    for (const dir of [...this.made].sort((a, b) => b.length - a.length)) {
      try {
        for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmdirSync(join(dir, e.name));
        rmdirSync(dir);
      } catch {
        // already gone, or busy: leave it rather than touch what isn't ours
      }
    }
    this.made = [];
  }
}

export function openCgroupForCreate(opts: { id: string; cgroupsPath?: string }): CgroupHandle {
  const rel = opts.cgroupsPath && opts.cgroupsPath.startsWith('/') ? opts.cgroupsPath : `/${opts.cgroupsPath ?? opts.id}`;
  const dirs: Record<string, string> = {};
  for (const [ctrl, mnt] of Object.entries(hierarchies())) {
    if (!mnt.startsWith(ROOT)) continue;
    if (ctrl === 'unified') continue; // hybrid: v2 holds only hugetlb here; v1 placement suffices for now
    dirs[ctrl] = join(mnt, rel);
  }
  return new SimpleCgroup(dirs, []);
}

export function openCgroupForState(st: StoredState): CgroupHandle {
  return new SimpleCgroup(st.cgroup.paths, [...st.cgroup.createdDirs]);
}
