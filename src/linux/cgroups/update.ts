// `tsrunc update`: runc's flags (or a LinuxResources JSON from --resources,
// as containerd sends on stdin) turned into a resources update, and that
// update merged into the container's current resources the way runc's
// update.go does. Only memory, cpu, blockIO and pids are updatable (as in
// runc); the merged result is what gets applied and stored.
import type { BlockIoResources, Resources, ThrottleDevice, WeightDevice } from '../../spec/types.js';

export interface UpdateFlags {
  'blkio-weight'?: string;
  'cpu-period'?: string;
  'cpu-quota'?: string;
  'cpu-burst'?: string;
  'cpu-share'?: string;
  'cpu-rt-period'?: string;
  'cpu-rt-runtime'?: string;
  'cpuset-cpus'?: string;
  'cpuset-mems'?: string;
  'cpu-idle'?: string;
  memory?: string;
  'memory-reservation'?: string;
  'memory-swap'?: string;
  'kernel-memory'?: string;
  'kernel-memory-tcp'?: string;
  'pids-limit'?: string;
}

/** Sizes as docker/go-units RAMInBytes reads them: "512", "64m", "1.5GiB", "2 g" (binary units). */
export function ramInBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!m) throw new Error(`invalid size: '${text}'`);
  const mult: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.trunc(Number(m[1]) * (m[2] ? mult[m[2].toLowerCase()] ?? 1 : 1));
}

function integer(flag: string, text: string, unsigned: boolean): number {
  if (!(unsigned ? /^\d+$/ : /^-?\d+$/).test(text)) throw new Error(`invalid value for ${flag}: "${text}"`);
  return Number(text);
}

/** runc's update flags → the update (fields not given stay undefined). */
export function resourcesFromUpdateFlags(f: UpdateFlags): Resources {
  const r: Resources = { memory: {}, cpu: {}, blockIO: {}, pids: {} };
  const cpu = r.cpu!;
  const mem = r.memory!;
  if (f['blkio-weight'] !== undefined && f['blkio-weight'] !== '0') r.blockIO!.weight = integer('blkio-weight', f['blkio-weight'], true);
  if (f['cpuset-cpus']) cpu.cpus = f['cpuset-cpus'];
  if (f['cpuset-mems']) cpu.mems = f['cpuset-mems'];
  if (f['cpu-idle']) cpu.idle = integer('cpu-idle', f['cpu-idle'], false);
  if (f['cpu-burst']) cpu.burst = integer('cpu-burst', f['cpu-burst'], true);
  if (f['cpu-period']) cpu.period = integer('cpu-period', f['cpu-period'], true);
  if (f['cpu-rt-period']) cpu.realtimePeriod = integer('cpu-rt-period', f['cpu-rt-period'], true);
  if (f['cpu-share']) cpu.shares = integer('cpu-share', f['cpu-share'], true);
  if (f['cpu-quota']) cpu.quota = integer('cpu-quota', f['cpu-quota'], false);
  if (f['cpu-rt-runtime']) cpu.realtimeRuntime = integer('cpu-rt-runtime', f['cpu-rt-runtime'], false);
  const size = (flag: keyof UpdateFlags): number | undefined => {
    const v = f[flag];
    if (!v) return undefined;
    if (v === '-1') return -1;
    try {
      return ramInBytes(v);
    } catch (e) {
      throw new Error(`invalid value for ${flag}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  mem.limit = size('memory');
  mem.swap = size('memory-swap');
  mem.kernel = size('kernel-memory');
  mem.kernelTCP = size('kernel-memory-tcp');
  mem.reservation = size('memory-reservation');
  if (f['pids-limit'] !== undefined) r.pids!.limit = integer('pids-limit', f['pids-limit'], false);
  return r;
}

/** --resources JSON (a runtime-spec LinuxResources). */
export function resourcesFromJson(text: string): Resources {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`update --resources: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('update --resources: expected a JSON object');
  return parsed as Resources;
}

const sameDevice = (a: { major: number; minor: number }, b: { major: number; minor: number }): boolean => a.major === b.major && a.minor === b.minor;

function upsert<T extends { major: number; minor: number }>(list: T[] | undefined, item: T, merge: (old: T, next: T) => T): T[] {
  const out = [...(list ?? [])];
  const i = out.findIndex((d) => sameDevice(d, item));
  if (i >= 0) out[i] = merge(out[i]!, item);
  else out.push(item);
  return out;
}

/** The container's resources after an update, as runc computes them. */
export function mergeUpdate(current: Resources, u: Resources): Resources {
  const next: Resources = structuredClone(current);
  const um = u.memory ?? {};
  const uc = u.cpu ?? {};
  // Unlimited memory with swap not given: swap "unset", i.e. unlimited too.
  const swap = um.limit === -1 && um.swap === undefined ? 0 : um.swap;
  const shares = uc.idle !== undefined && uc.shares === undefined ? 0 : uc.shares;

  const b: BlockIoResources = next.blockIO ?? {};
  const ub = u.blockIO ?? {};
  if (ub.weight !== undefined) b.weight = ub.weight;
  if (ub.leafWeight !== undefined) b.leafWeight = ub.leafWeight;
  for (const wd of ub.weightDevice ?? []) {
    b.weightDevice = upsert<WeightDevice>(b.weightDevice, wd, (old, n) => ({
      ...old,
      ...(n.weight !== undefined ? { weight: n.weight } : {}),
      ...(n.leafWeight !== undefined ? { leafWeight: n.leafWeight } : {}),
    }));
  }
  const throttles = ['throttleReadBpsDevice', 'throttleWriteBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteIOPSDevice'] as const;
  for (const key of throttles) {
    for (const td of ub[key] ?? []) b[key] = upsert<ThrottleDevice>(b[key], td, (_old, n) => n);
  }
  if (Object.keys(b).length > 0) next.blockIO = b;

  const cpu = { ...(next.cpu ?? {}) };
  // Period and quota go together when both or neither are given; a lone one
  // changes only itself.
  const p = uc.period ?? 0;
  const q = uc.quota ?? 0;
  if ((p === 0 && q === 0) || (p !== 0 && q !== 0)) {
    cpu.period = p;
    cpu.quota = q;
  } else if (p !== 0) {
    cpu.period = p;
  } else {
    cpu.quota = q;
  }
  cpu.burst = uc.burst;
  if (shares !== undefined) cpu.shares = shares;
  if (uc.realtimePeriod !== undefined) cpu.realtimePeriod = uc.realtimePeriod;
  if (uc.realtimeRuntime !== undefined) cpu.realtimeRuntime = uc.realtimeRuntime;
  cpu.cpus = uc.cpus;
  cpu.mems = uc.mems;
  cpu.idle = uc.idle;
  next.cpu = dropUndefined(cpu);

  const mem = { ...(next.memory ?? {}) };
  if (um.limit !== undefined) mem.limit = um.limit;
  if (um.reservation !== undefined) mem.reservation = um.reservation;
  if (swap !== undefined) mem.swap = swap;
  // runc's update never checks unless asked in the JSON.
  mem.checkBeforeUpdate = um.checkBeforeUpdate ?? false;
  next.memory = dropUndefined(mem);

  next.pids = u.pids?.limit !== undefined ? { limit: u.pids.limit } : {};
  return next;
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
