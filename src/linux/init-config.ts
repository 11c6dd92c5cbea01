// The OCI config → the TSR_P_CONFIG packet tsrunc-init applies (records in
// csrc/protocol.h). Everything is decided here; the helper only executes.
import type { Hook, NamespaceType, Spec } from '../spec/types.js';
import { capabilitySets } from './capabilities.js';
import { cpuMask } from './cpus.js';
import { containerDevices, devSymlinks, needsDevSetup } from './devices.js';
import { mountRecord, PROPAGATION } from './mounts.js';
import { CgroupKind, HookKind, Mode, Rec, RecordWriter, UNSET, type Field } from './protocol.js';
import { rlimitResource, rlimitValue } from './rlimits.js';

export interface InitConfigOptions {
  mode: 'create' | 'exec';
  /** Absolute rootfs path, resolved from the bundle. */
  rootfs: string;
  id: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  /** --preserve-fds N: fds 3..3+N-1 pass to the process. */
  preserveFds: number;
  /** A console socket is connected (needed by process.terminal). */
  consoleSocket: boolean;
  seccompBpf?: { flags: number; bpf: Buffer; notify: boolean };
  /** Anchor of relative bind-mount sources (default: the current dir,
   *  runc runs from the bundle). */
  bundle?: string;
  /** exec mode: the container init's host pid, whose namespaces are joined. */
  joinPid?: number;
  /** The container's cgroup directories, which the helper joins itself. */
  cgroups?: CgroupJoin;
}

/** What a cgroup manager's joinDirs() gives, and whether failures to join
 *  for want of permission are skipped (rootless, as runc). */
export interface CgroupJoin {
  v1: string[];
  v2?: string;
  optional: boolean;
}

export const CLONE_FLAGS: Record<NamespaceType, number> = {
  mount: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
  time: 0x00000080,
};

/** /proc/<pid>/ns/<file> of each namespace type. */
export const NS_FILES: Record<NamespaceType, string> = {
  mount: 'mnt',
  cgroup: 'cgroup',
  uts: 'uts',
  ipc: 'ipc',
  user: 'user',
  pid: 'pid',
  network: 'net',
  time: 'time',
};

const SCHED_POLICIES: Record<string, number> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};
const SCHED_FLAGS: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};
const IOPRIO_CLASSES: Record<string, number> = {
  IOPRIO_CLASS_RT: 1,
  IOPRIO_CLASS_BE: 2,
  IOPRIO_CLASS_IDLE: 3,
};
const PERSONALITY_DOMAINS: Record<string, number> = { LINUX: 0x0000, LINUX32: 0x0008 };

function lookup(table: Record<string, number>, name: string, what: string): number {
  const v = table[name];
  if (v === undefined) throw new Error(`unknown ${what} ${JSON.stringify(name)}`);
  return v;
}

function namespaceRecords(w: RecordWriter, spec: Spec, opts: InitConfigOptions): boolean {
  const namespaces = spec.linux?.namespaces ?? [];
  const seen = new Set<NamespaceType>();
  for (const ns of namespaces) {
    if (!(ns.type in CLONE_FLAGS)) throw new Error(`unknown namespace type ${JSON.stringify(ns.type)}`);
    if (seen.has(ns.type)) throw new Error(`namespace ${ns.type} is listed twice`);
    seen.add(ns.type);
  }
  const userFirst = [...namespaces].sort((a, b) => Number(b.type === 'user') - Number(a.type === 'user'));
  if (opts.mode === 'exec') {
    if (!opts.joinPid) throw new Error('exec: the container pid whose namespaces to join is missing');
    for (const ns of userFirst) w.record(Rec.NS_JOIN, CLONE_FLAGS[ns.type], `/proc/${opts.joinPid}/ns/${NS_FILES[ns.type]}`);
    return seen.has('user');
  }
  let fresh = 0;
  for (const ns of userFirst) {
    if (ns.path) w.record(Rec.NS_JOIN, CLONE_FLAGS[ns.type], ns.path);
    else fresh |= CLONE_FLAGS[ns.type];
  }
  w.u32(Rec.NS_NEW, fresh >>> 0);
  const offsets = spec.linux?.timeOffsets;
  if (offsets && Object.keys(offsets).length > 0) {
    const text = Object.entries(offsets)
      .map(([clock, o]) => `${clock} ${o.secs ?? 0} ${o.nanosecs ?? 0}\n`)
      .join('');
    w.str(Rec.TIMENS_OFFSETS, text);
  }
  return seen.has('user');
}

function rootfsRecords(w: RecordWriter, spec: Spec, opts: InitConfigOptions, inUserns: boolean): void {
  w.str(Rec.ROOTFS, opts.rootfs);
  w.u32(Rec.ROOTFS_READONLY, spec.root?.readonly ? 1 : 0);
  const prop = spec.linux?.rootfsPropagation;
  if (prop) w.u32(Rec.ROOTFS_PROPAGATION, lookup(PROPAGATION, prop, 'rootfsPropagation'));
  w.u32(Rec.NO_PIVOT, opts.noPivot ? 1 : 0);
  const bundle = opts.bundle ?? process.cwd();
  for (const m of spec.mounts ?? []) {
    const r = mountRecord(m, bundle, { uid: spec.linux?.uidMappings, gid: spec.linux?.gidMappings });
    const head: Field[] = [
      ['u32', r.flags],
      ['u32', r.propagation],
      ['u32', r.attrSet],
      ['u32', r.attrClr],
      ['u32', r.kind],
      ['u32', 0],
    ];
    w.record(Rec.MOUNT, head, r.source, r.destination, r.fstype, r.data);
    if (r.idmap) w.record(Rec.MOUNT_IDMAP, [['u32', r.idmap.recursive ? 1 : 0], ['u32', 0]], r.idmap.uidMap, r.idmap.gidMap);
  }
  if (needsDevSetup(spec)) {
    for (const d of containerDevices(spec)) {
      const dev: Field[] = [
        ['u32', d.type.charCodeAt(0)],
        ['u32', d.major],
        ['u32', d.minor],
        ['u32', d.mode],
        ['u32', d.uid],
        ['u32', d.gid],
        ['u32', inUserns ? 1 : 0],
        ['u32', 0],
      ];
      w.record(Rec.DEVICE, dev, d.path);
    }
    for (const [target, link] of devSymlinks()) w.record(Rec.SYMLINK, target, link);
  }
  for (const p of spec.linux?.maskedPaths ?? []) w.str(Rec.MASKED_PATH, p);
  for (const p of spec.linux?.readonlyPaths ?? []) w.str(Rec.READONLY_PATH, p);
  // without a uts namespace of its own, sethostname would rename the host
  const hasUts = (spec.linux?.namespaces ?? []).some((ns) => ns.type === 'uts');
  if ((spec.hostname || spec.domainname) && !hasUts) throw new Error('unable to set hostname or domainname without a private UTS namespace');
  if (spec.hostname) w.str(Rec.HOSTNAME, spec.hostname);
  if (spec.domainname) w.str(Rec.DOMAINNAME, spec.domainname);
  for (const [key, value] of Object.entries(spec.linux?.sysctl ?? {})) w.record(Rec.SYSCTL, key, value);
}

function hookRecords(w: RecordWriter, kind: number, hooks: Hook[] = []): void {
  for (const h of hooks) {
    const args = h.args ?? [];
    const env = h.env ?? [];
    if (h.timeout !== undefined && (!Number.isInteger(h.timeout) || h.timeout <= 0)) {
      throw new Error(`hook ${h.path}: timeout must be a positive integer`);
    }
    const head: Field[] = [
      ['u32', kind],
      ['u32', h.timeout ?? 0],
      ['u32', args.length],
      ['u32', env.length],
    ];
    w.record(Rec.HOOK, head, h.path, ...args, ...env);
  }
}

function processRecords(w: RecordWriter, spec: Spec, opts: InitConfigOptions): void {
  const p = spec.process;
  if (!p) {
    // runtime.md: create may go without a process; `start` refuses it.
    if (opts.mode === 'create') return;
    throw new Error('exec: no process given');
  }
  const args = p.args ?? [];
  if (args.length === 0) throw new Error('process.args must not be empty');
  for (const a of args) w.str(Rec.ARG, a);
  for (const e of p.env ?? []) w.str(Rec.ENV, e);
  w.str(Rec.CWD, p.cwd || '/');
  for (const r of p.rlimits ?? []) {
    const rl: Field[] = [
      ['u32', rlimitResource(r.type)],
      ['u32', 0],
      ['u64', rlimitValue(r.soft)],
      ['u64', rlimitValue(r.hard)],
    ];
    w.record(Rec.RLIMIT, rl);
  }
  if (p.oomScoreAdj !== undefined) w.record(Rec.OOM_SCORE_ADJ, [['i32', p.oomScoreAdj]]);
  const gids = p.user.additionalGids ?? [];
  const user: Field[] = [
    ['u32', p.user.uid],
    ['u32', p.user.gid],
    ['u32', p.user.umask ?? UNSET],
    ['u32', gids.length],
    ...gids.map((g): Field => ['u32', g]),
  ];
  w.record(Rec.USER, user);
  if (p.capabilities) {
    const c = capabilitySets(p.capabilities);
    const caps: Field[] = [
      ['u64', c.bounding],
      ['u64', c.effective],
      ['u64', c.inheritable],
      ['u64', c.permitted],
      ['u64', c.ambient],
      ['u32', 1],
      ['u32', 0],
    ];
    w.record(Rec.CAPS, caps);
  }
  w.u32(Rec.NO_NEW_PRIVS, p.noNewPrivileges ? 1 : 0);
  if (spec.linux?.personality) w.u32(Rec.PERSONALITY, lookup(PERSONALITY_DOMAINS, spec.linux.personality.domain, 'personality domain'));
  if (p.scheduler) {
    const s = p.scheduler;
    let flags = 0;
    for (const f of s.flags ?? []) flags |= lookup(SCHED_FLAGS, f, 'scheduler flag');
    const sched: Field[] = [
      ['u32', lookup(SCHED_POLICIES, s.policy, 'scheduler policy')],
      ['i32', s.nice ?? 0],
      ['u32', s.priority ?? 0],
      ['u32', flags],
      ['u64', BigInt(s.runtime ?? 0)],
      ['u64', BigInt(s.deadline ?? 0)],
      ['u64', BigInt(s.period ?? 0)],
    ];
    w.record(Rec.SCHEDULER, sched);
  }
  if (p.ioPriority) {
    const cls = lookup(IOPRIO_CLASSES, p.ioPriority.class, 'ioPriority class');
    w.u32(Rec.IOPRIO, ((cls << 13) | (p.ioPriority.priority ?? 0)) >>> 0);
  }
  if (opts.preserveFds > 0) w.u32(Rec.PRESERVE_FDS, opts.preserveFds);
  // execCPUAffinity: stage 0 takes the initial set before it joins the
  // cgroups, the process the final one right before execve.
  // selinuxLabel is not applied (no SELinux support yet)
  if (p.apparmorProfile) w.str(Rec.APPARMOR, p.apparmorProfile);
  if (p.execCPUAffinity?.initial) w.record(Rec.CPU_AFFINITY_INITIAL, cpuMask(p.execCPUAffinity.initial));
  if (p.execCPUAffinity?.final) w.record(Rec.CPU_AFFINITY_FINAL, cpuMask(p.execCPUAffinity.final));
  if (p.terminal) {
    if (!opts.consoleSocket) throw new Error('process.terminal is set but no console socket was given');
    const size: Field[] = [
      ['u16', p.consoleSize?.height ?? 0],
      ['u16', p.consoleSize?.width ?? 0],
      ['u32', 0],
    ];
    w.record(Rec.CONSOLE, size);
  }
  if (opts.seccompBpf) {
    const { flags, bpf, notify } = opts.seccompBpf;
    if (bpf.length === 0 || bpf.length % 8 !== 0) throw new Error('seccomp: the BPF program must be whole sock_filter entries');
    const head: Field[] = [
      ['u32', flags],
      ['u32', bpf.length / 8],
      ['u32', notify ? 1 : 0],
      ['u32', 0],
    ];
    w.record(Rec.SECCOMP, head, bpf);
  }
}

/** The TSR_P_CONFIG payload for `create` (or `exec` of a new process). */
export function buildInitConfig(spec: Spec, opts: InitConfigOptions): Buffer {
  const w = new RecordWriter();
  w.u32(Rec.MODE, opts.mode === 'create' ? Mode.CREATE : Mode.EXEC);
  w.str(Rec.ID, opts.id);
  const inUserns = namespaceRecords(w, spec, opts);
  w.u32(Rec.IN_USERNS, inUserns ? 1 : 0);
  if (opts.mode === 'create') {
    rootfsRecords(w, spec, opts, inUserns);
    hookRecords(w, HookKind.CREATE_CONTAINER, spec.hooks?.createContainer);
    hookRecords(w, HookKind.START_CONTAINER, spec.hooks?.startContainer);
    w.u32(Rec.NEW_KEYRING, opts.noNewKeyring ? 0 : 1);
  }
  processRecords(w, spec, opts);
  if (opts.cgroups) cgroupRecords(w, opts.cgroups);
  return w.finish();
}

function cgroupRecords(w: RecordWriter, join: CgroupJoin): void {
  const optional = join.optional ? 1 : 0;
  for (const dir of join.v1) w.record(Rec.CGROUP, [['u32', CgroupKind.V1], ['u32', optional]], dir);
  if (join.v2) w.record(Rec.CGROUP, [['u32', CgroupKind.V2], ['u32', optional]], join.v2);
}
