// Checks of a schema-valid config.json that JSON Schema cannot express:
// platform rules for Linux, cross-field rules, and the namespace files named by
// path. Each rule cites the spec (config.md, config-linux.md) or, where the
// spec is silent, runc's behaviour. The first error throws a ConfigError;
// warnings (things the spec says to log, not fail) are returned.

import { ConfigError, pointer } from './errors.js';
import { IPC_SYSCTLS, NAMESPACE_PROC_NAMES, TIME_NAMESPACE_CLOCKS } from './linux-names.js';
import { probeNamespacePath } from './nspath.js';
import { CheckContext, checkProcess, isAbsolute, isCpuList } from './semantic-process.js';
import type { HookName, Linux, Mount, NamespaceType, Process, Spec, State } from './types.js';

export { CheckContext, checkProcess, isCpuList } from './semantic-process.js';

export interface SemanticOptions {
  /** Open every linux.namespaces[].path and check its namespace type (default true). */
  checkNamespacePaths?: boolean;
  /** The document name used in messages (default config.json). */
  file?: string;
  /** Refuse unknown capability names instead of warning (default false, as config.md and runc). */
  strictCapabilities?: boolean;
}

export interface SemanticResult {
  warnings: string[];
}

const HOOK_NAMES: readonly HookName[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

// SemVer 2.0.0 (semver.org), as config.md requires of ociVersion.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Checks a schema-valid Linux config; throws ConfigError on the first problem. */
export function checkConfig(spec: Spec, opts: SemanticOptions = {}): SemanticResult {
  const ctx: CheckContext = new CheckContext(opts.file ?? 'config.json', opts.strictCapabilities ?? false);
  const m = SEMVER.exec(spec.ociVersion);
  if (!m) ctx.fail('/ociVersion', 'must be a SemVer 2.0.0 version such as 1.3.0');
  if (m[1] !== '1') ctx.fail('/ociVersion', `major version ${m[1]} is not supported (tsrunc implements runtime-spec 1.x)`);

  // config.md "Root": REQUIRED on every platform but Windows.
  if (spec.root === undefined) ctx.fail('/root', 'is required');
  if (spec.root.path === '') ctx.fail('/root/path', 'must not be empty');

  if (spec.process !== undefined) checkProcess(spec.process, '/process', ctx);
  (spec.mounts ?? []).forEach((mnt, i) => checkMount(mnt, i, spec, ctx));

  // Only the hooks the spec names: unknown properties are ignored (config.md "Extensibility").
  for (const name of HOOK_NAMES) {
    (spec.hooks?.[name] ?? []).forEach((hook, i) => {
      // config.md: "path MUST be absolute".
      if (!isAbsolute(hook.path)) ctx.fail(pointer('hooks', name, i, 'path'), 'must be an absolute path');
    });
  }

  const linux = spec.linux ?? {};
  const namespaces = checkNamespaces(linux, ctx, opts.checkNamespacePaths ?? true);
  // runc: a hostname or domainname needs a UTS namespace of the container's own.
  if (spec.hostname && !namespaces.has('uts')) ctx.fail('/hostname', 'requires a uts namespace in /linux/namespaces');
  if (spec.domainname && !namespaces.has('uts')) ctx.fail('/domainname', 'requires a uts namespace in /linux/namespaces');
  checkLinux(linux, namespaces, ctx, joinsHostNetwork(namespaces, opts.checkNamespacePaths ?? true));
  return { warnings: ctx.warnings };
}

/** runtime.md "State": SemVer ociVersion, an absolute bundle, a real pid. Throws ConfigError. */
export function checkState(state: State, file = 'state.json'): void {
  const ctx: CheckContext = new CheckContext(file);
  if (!SEMVER.test(state.ociVersion)) ctx.fail('/ociVersion', 'must be a SemVer 2.0.0 version such as 1.3.0');
  if (!isAbsolute(state.bundle)) ctx.fail('/bundle', 'must be an absolute path');
  if ((state.status === 'created' || state.status === 'running') && state.pid === 0) {
    ctx.fail('/pid', `must be a process id (not 0) when the status is ${state.status}`);
  }
}

/**
 * runtime.md "start": the process is REQUIRED to start a container. Call before
 * `create` (runc refuses a config without process there too).
 */
export function checkStartable(spec: Spec, file = 'config.json'): asserts spec is Spec & { process: Process } {
  if (spec.process === undefined) throw new ConfigError('/process', 'is required to start a container', file);
}

/** True when the network namespace to join by path is tsrunc's own (the host's, for net sysctls). */
function joinsHostNetwork(ns: Map<NamespaceType, string | undefined>, probePaths: boolean): boolean {
  const path = ns.get('network');
  if (path === undefined || !probePaths) return false;
  const joined = probeNamespacePath(path);
  const own = probeNamespacePath('/proc/self/ns/net');
  return joined.ok && own.ok && joined.inode === own.inode;
}

function hasUserNamespace(spec: Spec): boolean {
  return (spec.linux?.namespaces ?? []).some((ns) => ns.type === 'user');
}

function checkMount(mnt: Mount, i: number, spec: Spec, ctx: CheckContext): void {
  const at = (...t: (string | number)[]): string => pointer('mounts', i, ...t);
  if (mnt.destination === '') ctx.fail(at('destination'), 'must not be empty');
  // config.md (Linux): SHOULD be absolute; a relative one is deprecated and taken relative to "/".
  if (!isAbsolute(mnt.destination)) {
    ctx.warn(at('destination'), `relative destination "${mnt.destination}" is deprecated; it is taken relative to /`);
  }
  const options = mnt.options ?? [];
  const idmap = options.includes('idmap');
  const ridmap = options.includes('ridmap');
  if (idmap && ridmap) ctx.fail(at('options'), 'must not contain both idmap and ridmap');
  const mapped = idmap || ridmap || mnt.uidMappings !== undefined;
  if (!mapped) return;
  // runc: id-mapped mounts are made with mount_setattr on a detached bind mount.
  if (!options.includes('bind') && !options.includes('rbind')) {
    ctx.fail(at('options'), 'an id-mapped mount must be a bind mount (add bind or rbind)');
  }
  // config.md idmap/ridmap: without mappings of its own the mount uses the
  // container's user namespace, and without one "an error MUST be returned".
  if (mnt.uidMappings === undefined && !hasUserNamespace(spec)) {
    ctx.fail(at('uidMappings'), 'is required for an id-mapped mount when the container has no user namespace');
  }
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    const list = mnt[key];
    if (list !== undefined && list.length === 0) ctx.fail(at(key), 'must be a non-empty array');
    (list ?? []).forEach((m, j) => {
      if (m.size === 0) ctx.fail(at(key, j, 'size'), 'must be greater than 0');
    });
  }
}

/** Namespace rules; returns the namespace types the container has (new or joined). */
function checkNamespaces(linux: Linux, ctx: CheckContext, probePaths: boolean): Map<NamespaceType, string | undefined> {
  const types = new Map<NamespaceType, string | undefined>();
  const index = new Map<NamespaceType, number>();
  (linux.namespaces ?? []).forEach((ns, i) => {
    const first = index.get(ns.type);
    // config-linux.md: duplicated namespaces with the same type MUST generate an error.
    if (first !== undefined) {
      ctx.fail(pointer('linux', 'namespaces', i, 'type'), `duplicates the ${ns.type} namespace of /linux/namespaces/${first}`);
    }
    index.set(ns.type, i);
    types.set(ns.type, ns.path);
    if (ns.path === undefined) return;
    const at = pointer('linux', 'namespaces', i, 'path');
    // config-linux.md: path MUST be an absolute path in the runtime mount namespace.
    if (!isAbsolute(ns.path)) ctx.fail(at, 'must be an absolute path');
    if (!probePaths) return;
    // config-linux.md: error if path is not associated with a namespace of type `type`.
    const probe = probeNamespacePath(ns.path);
    if (!probe.ok) ctx.fail(at, `${ns.path} ${probe.problem}`);
    const want = NAMESPACE_PROC_NAMES[ns.type];
    if (probe.kind !== want) {
      ctx.fail(at, `${ns.path} must be a namespace of type ${ns.type} (it is ${probe.kind}:[${probe.inode}])`);
    }
  });

  const user = index.get('user');
  const mapped = linux.uidMappings !== undefined || linux.gidMappings !== undefined;
  // runc: mappings without a user namespace are a mistake, and a new user
  // namespace without mappings leaves every id unmapped.
  if (mapped && user === undefined) {
    ctx.fail(linux.uidMappings !== undefined ? '/linux/uidMappings' : '/linux/gidMappings', 'requires a user namespace in /linux/namespaces');
  }
  if (user !== undefined && types.get('user') === undefined) {
    if (!linux.uidMappings?.length) ctx.fail('/linux/uidMappings', 'is required for a new user namespace');
    if (!linux.gidMappings?.length) ctx.fail('/linux/gidMappings', 'is required for a new user namespace');
  }
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    (linux[key] ?? []).forEach((m, j) => {
      if (m.size === 0) ctx.fail(pointer('linux', key, j, 'size'), 'must be greater than 0');
    });
  }
  return types;
}

function checkLinux(linux: Linux, ns: Map<NamespaceType, string | undefined>, ctx: CheckContext, hostNet: boolean): void {
  checkTimeOffsets(linux, ns, ctx);
  (linux.devices ?? []).forEach((dev, i) => {
    // config-linux.md: "full path to device inside container".
    if (!isAbsolute(dev.path)) ctx.fail(pointer('linux', 'devices', i, 'path'), 'must be an absolute path');
    if (dev.fileMode !== undefined && dev.fileMode > 0o7777) {
      ctx.fail(pointer('linux', 'devices', i, 'fileMode'), 'must be at most 4095 (07777): permission bits only');
    }
  });
  for (const key of ['maskedPaths', 'readonlyPaths'] as const) {
    (linux[key] ?? []).forEach((p, i) => {
      // config-linux.md: the values MUST be absolute paths in the container namespace.
      if (!isAbsolute(p)) ctx.fail(pointer('linux', key, i), 'must be an absolute path');
    });
  }
  checkResources(linux, ctx);
  checkSysctl(linux, ns, ctx, hostNet);
  checkSeccomp(linux, ctx);
  if (linux.personality?.flags?.length) {
    // config-linux.md: "Currently no flag values are supported."
    ctx.fail('/linux/personality/flags', 'must be empty: no personality flags are supported');
  }
  checkMemoryPolicy(linux, ctx);
  checkIntelRdt(linux, ctx);
  for (const [host, dev] of Object.entries(linux.netDevices ?? {})) {
    if (!isInterfaceName(host)) ctx.fail(pointer('linux', 'netDevices', host), 'is not a valid network interface name');
    const name = dev.name;
    if (name !== undefined && name !== '' && !isInterfaceName(name)) {
      ctx.fail(pointer('linux', 'netDevices', host, 'name'), 'is not a valid network interface name');
    }
    // runc: moving a device needs a network namespace of the container's own.
    if (!ns.has('network')) ctx.fail(pointer('linux', 'netDevices', host), 'requires a network namespace in /linux/namespaces');
  }
}

/** dev_valid_name() of the kernel: 1..15 bytes, not . or .., no '/', ':' or whitespace. */
function isInterfaceName(name: string): boolean {
  return Buffer.byteLength(name) >= 1 && Buffer.byteLength(name) < 16 && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

function checkTimeOffsets(linux: Linux, ns: Map<NamespaceType, string | undefined>, ctx: CheckContext): void {
  const offsets = Object.entries(linux.timeOffsets ?? {});
  if (offsets.length === 0) return;
  // Offsets can only be written to a new time namespace before any process enters it.
  if (!ns.has('time')) ctx.fail('/linux/timeOffsets', 'requires a time namespace in /linux/namespaces');
  if (ns.get('time') !== undefined) ctx.fail('/linux/timeOffsets', 'cannot be set when joining an existing time namespace (path)');
  for (const [clock, off] of offsets) {
    if (!TIME_NAMESPACE_CLOCKS.includes(clock)) {
      ctx.fail(pointer('linux', 'timeOffsets', clock), `must be one of the clocks ${TIME_NAMESPACE_CLOCKS.join(', ')}`);
    }
    if ((off.nanosecs ?? 0) >= 1e9) ctx.fail(pointer('linux', 'timeOffsets', clock, 'nanosecs'), 'must be less than 1000000000');
  }
}

function checkResources(linux: Linux, ctx: CheckContext): void {
  const r = linux.resources;
  if (r === undefined) return;
  (r.devices ?? []).forEach((rule, i) => {
    const at = (k: string): string => pointer('linux', 'resources', 'devices', i, k);
    if (rule.type !== undefined && !['a', 'b', 'c'].includes(rule.type)) ctx.fail(at('type'), 'must be one of "a", "b", "c"');
    if (rule.access !== undefined && !/^[rwm]*$/.test(rule.access)) ctx.fail(at('access'), 'must be a combination of r, w and m');
  });
  for (const key of ['cpus', 'mems'] as const) {
    const list = r.cpu?.[key];
    if (list !== undefined && !isCpuList(list)) ctx.fail(pointer('linux', 'resources', 'cpu', key), 'must be a list such as "0-3,7"');
  }
  const quota = r.cpu?.quota;
  const burst = r.cpu?.burst;
  if (quota !== undefined && burst !== undefined && quota > 0 && burst > quota) {
    // config-linux.md: burst MUST be no larger than any positive quota.
    ctx.fail('/linux/resources/cpu/burst', 'must not exceed a positive quota');
  }
  const mem = r.memory ?? {};
  for (const key of ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP'] as const) {
    const v = mem[key];
    if (v !== undefined && v < -1) ctx.fail(pointer('linux', 'resources', 'memory', key), 'must be -1 (unlimited) or a number of bytes');
  }
  if (mem.limit !== undefined && mem.swap !== undefined && mem.limit > 0 && mem.swap > 0 && mem.swap < mem.limit) {
    // swap is memory+swap (config-linux.md), so it cannot be below the memory limit (runc checks the same).
    ctx.fail('/linux/resources/memory/swap', 'must not be less than the memory limit (it limits memory+swap)');
  }
  if (mem.swappiness !== undefined && mem.swappiness > 100) {
    ctx.fail('/linux/resources/memory/swappiness', 'must be between 0 and 100');
  }
  if (r.pids?.limit !== undefined && r.pids.limit < -1) ctx.fail('/linux/resources/pids/limit', 'must be -1 (unlimited) or at least 0');
  for (const key of Object.keys(r.unified ?? {})) {
    // Keys name files of the container's cgroup directory: never a path.
    if (key.includes('/') || !/^[a-z0-9_]+\.[A-Za-z0-9_.]+$/.test(key)) {
      ctx.fail(pointer('linux', 'resources', 'unified', key), 'must name a cgroup file such as memory.max');
    }
  }
}

/**
 * sysctl(8) also accepts '/' as the separator ("net/ipv4/conf/eth0.100/rp_filter"):
 * a '/' anywhere means '/' separates and '.' is part of a name.
 */
export function sysctlDotted(key: string): string {
  if (!key.includes('/')) return key;
  return key.split('/').map((part) => part.replaceAll('.', '/')).join('.');
}

function checkSysctl(linux: Linux, ns: Map<NamespaceType, string | undefined>, ctx: CheckContext, hostNet: boolean): void {
  for (const key of Object.keys(linux.sysctl ?? {})) {
    const at = pointer('linux', 'sysctl', key);
    // Keys become paths under /proc/sys: nothing may climb out of it.
    if (key.startsWith('/') || key.startsWith('.') || key.split(/[./]/).some((p) => p === '' || p === '..')) {
      ctx.fail(at, 'must be a sysctl name such as net.ipv4.ip_forward');
    }
    const name = sysctlDotted(key);
    // As runc: only namespaced sysctls, and only with the namespace they belong to.
    if (IPC_SYSCTLS.includes(name) || name.startsWith('fs.mqueue.')) {
      if (!ns.has('ipc')) ctx.fail(at, 'requires an ipc namespace in /linux/namespaces');
    } else if (name.startsWith('net.')) {
      if (!ns.has('network')) ctx.fail(at, 'requires a network namespace in /linux/namespaces');
      if (hostNet) ctx.fail(at, 'is not allowed in the host network namespace');
    } else if (name === 'kernel.hostname') {
      ctx.fail(at, 'conflicts with /hostname: set the hostname there');
    } else if (name === 'kernel.domainname') {
      if (!ns.has('uts')) ctx.fail(at, 'requires a uts namespace in /linux/namespaces');
    } else if (name.startsWith('user.')) {
      if (!ns.has('user')) ctx.fail(at, 'requires a user namespace in /linux/namespaces');
    } else {
      ctx.fail(at, 'is not namespaced: setting it would change the host');
    }
  }
}

const ERRNO_ACTIONS = new Set(['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']);

function checkSeccomp(linux: Linux, ctx: CheckContext): void {
  const sc = linux.seccomp;
  if (sc === undefined) return;
  // config-linux.md: "When the action doesn't support an errno, the runtime MUST print and error and fail."
  if (sc.defaultErrnoRet !== undefined && !ERRNO_ACTIONS.has(sc.defaultAction)) {
    ctx.fail('/linux/seccomp/defaultErrnoRet', `is not supported with ${sc.defaultAction} (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE)`);
  }
  // runc: a notify default would send every syscall, including the agent's own, to the agent.
  if (sc.defaultAction === 'SCMP_ACT_NOTIFY') ctx.fail('/linux/seccomp/defaultAction', 'must not be SCMP_ACT_NOTIFY');
  let notify = false;
  (sc.syscalls ?? []).forEach((rule, i) => {
    const at = (...t: (string | number)[]): string => pointer('linux', 'seccomp', 'syscalls', i, ...t);
    rule.names.forEach((name, j) => {
      if (name === '') ctx.fail(at('names', j), 'must not be empty');
    });
    if (rule.errnoRet !== undefined && !ERRNO_ACTIONS.has(rule.action)) {
      ctx.fail(at('errnoRet'), `is not supported with ${rule.action} (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE)`);
    }
    if (rule.action === 'SCMP_ACT_NOTIFY') notify = true;
    (rule.args ?? []).forEach((arg, k) => {
      // A syscall has at most six arguments (seccomp_data.args[6]).
      if (arg.index > 5) ctx.fail(at('args', k, 'index'), 'must be between 0 and 5');
    });
  });
  if (notify && !sc.listenerPath) ctx.fail('/linux/seccomp/listenerPath', 'is required when SCMP_ACT_NOTIFY is used');
  if (sc.listenerPath !== undefined && sc.listenerPath !== '' && !isAbsolute(sc.listenerPath)) {
    ctx.fail('/linux/seccomp/listenerPath', 'must be an absolute path');
  }
}

function checkMemoryPolicy(linux: Linux, ctx: CheckContext): void {
  const mp = linux.memoryPolicy as { mode?: string; nodes?: string; flags?: string[] } | undefined;
  if (mp === undefined) return;
  const nodes = mp.nodes ?? '';
  if (!isCpuList(nodes)) ctx.fail('/linux/memoryPolicy/nodes', 'must be a list such as "0-3,7"');
  // set_mempolicy(2): MPOL_DEFAULT and MPOL_LOCAL take no nodes; these need at least one.
  if ((mp.mode === 'MPOL_DEFAULT' || mp.mode === 'MPOL_LOCAL') && nodes !== '') {
    ctx.fail('/linux/memoryPolicy/nodes', `must be empty with ${mp.mode}`);
  }
  if (['MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED_MANY'].includes(mp.mode ?? '') && nodes === '') {
    ctx.fail('/linux/memoryPolicy/nodes', `is required with ${mp.mode ?? ''}`);
  }
  const flags = mp.flags ?? [];
  if (flags.includes('MPOL_F_STATIC_NODES') && flags.includes('MPOL_F_RELATIVE_NODES')) {
    ctx.fail('/linux/memoryPolicy/flags', 'must not contain both MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES');
  }
}

function checkIntelRdt(linux: Linux, ctx: CheckContext): void {
  const rdt = linux.intelRdt as { closID?: string; l3CacheSchema?: string } | undefined;
  if (rdt === undefined) return;
  const clos = rdt.closID;
  // closID names a directory of the resctrl filesystem; "/" is its root (config-linux.md).
  if (clos !== undefined && clos !== '/' && (clos === '' || clos === '.' || clos === '..' || clos.includes('/') || clos.includes('\n'))) {
    ctx.fail('/linux/intelRdt/closID', 'must be "/" or a single directory name');
  }
  if (rdt.l3CacheSchema?.includes('\n')) ctx.fail('/linux/intelRdt/l3CacheSchema', 'must not contain a newline');
}
