// Every semantic check, each with a config it accepts and one it rejects, and
// the exact message of the rejection.
import t from 'tap';
import { ConfigError } from '../../src/spec/errors.js';
import { checkConfig, checkStartable, checkState, isCpuList, sysctlDotted } from '../../src/spec/semantic.js';
import type { Spec } from '../../src/spec/types.js';

function base(): Spec {
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    process: {
      cwd: '/',
      args: ['sh'],
      user: { uid: 0, gid: 0 },
      env: ['PATH=/bin'],
    },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'ipc' }, { type: 'network' }] },
  };
}

type Mutate = (s: Spec) => void;
interface Case {
  name: string;
  good: Mutate;
  bad: Mutate;
  message: string;
}

// Shorthands for the parts the cases change (they always exist in base()).
const P = (s: Spec) => s.process!;
const L = (s: Spec) => s.linux!;

const cases: Case[] = [
  {
    name: 'ociVersion is SemVer',
    good: (s) => { s.ociVersion = '1.0.2-dev+build.5'; },
    bad: (s) => { s.ociVersion = '1.0'; },
    message: 'config.json: /ociVersion: must be a SemVer 2.0.0 version such as 1.3.0',
  },
  {
    name: 'ociVersion major is 1',
    good: (s) => { s.ociVersion = '1.99.0'; },
    bad: (s) => { s.ociVersion = '2.0.0'; },
    message: 'config.json: /ociVersion: major version 2 is not supported (tsrunc implements runtime-spec 1.x)',
  },
  {
    name: 'root is required on Linux',
    good: (s) => { s.root = { path: '/abs/rootfs', readonly: true }; },
    bad: (s) => { delete s.root; },
    message: 'config.json: /root: is required',
  },
  {
    name: 'root.path is not empty',
    good: (s) => { s.root = { path: '.' }; },
    bad: (s) => { s.root = { path: '' }; },
    message: 'config.json: /root/path: must not be empty',
  },
  {
    name: 'process.args is required',
    good: (s) => { P(s).args = ['/bin/true']; },
    bad: (s) => { delete P(s).args; },
    message: 'config.json: /process/args: is required',
  },
  {
    name: 'process.args is non-empty',
    good: (s) => { P(s).args = ['true', '']; },
    bad: (s) => { P(s).args = []; },
    message: 'config.json: /process/args: must be a non-empty array',
  },
  {
    name: 'process.args[0] is not empty',
    good: (s) => { P(s).args = ['x']; },
    bad: (s) => { P(s).args = ['']; },
    message: 'config.json: /process/args/0: must not be empty (it is the program to run)',
  },
  {
    name: 'process.cwd is absolute',
    good: (s) => { P(s).cwd = '/home/app'; },
    bad: (s) => { P(s).cwd = 'home/app'; },
    message: 'config.json: /process/cwd: must be an absolute path',
  },
  {
    name: 'process.user is required',
    good: (s) => { P(s).user = { uid: 1000, gid: 1000, additionalGids: [10] }; },
    bad: (s) => { delete (P(s) as { user?: unknown }).user; },
    message: 'config.json: /process/user: is required',
  },
  {
    name: 'process.user.uid is required',
    good: (s) => { P(s).user = { uid: 1, gid: 1 }; },
    bad: (s) => { P(s).user = { gid: 1 } as never; },
    message: 'config.json: /process/user/uid: is required',
  },
  {
    name: 'process.user.gid is required',
    good: (s) => { P(s).user = { uid: 1, gid: 0 }; },
    bad: (s) => { P(s).user = { uid: 1 } as never; },
    message: 'config.json: /process/user/gid: is required',
  },
  {
    name: 'umask is at most 0777',
    good: (s) => { P(s).user.umask = 0o777; },
    bad: (s) => { P(s).user.umask = 0o1000; },
    message: 'config.json: /process/user/umask: must be at most 511 (0777)',
  },
  {
    name: 'env entries are KEY=value',
    good: (s) => { P(s).env = ['A=', 'B=c=d']; },
    bad: (s) => { P(s).env = ['A=1', 'NOEQUALS']; },
    message: 'config.json: /process/env/1: must have the form KEY=value',
  },
  {
    name: 'env names are not empty',
    good: (s) => { P(s).env = ['X=1']; },
    bad: (s) => { P(s).env = ['=1']; },
    message: 'config.json: /process/env/0: must have a non-empty name before "="',
  },
  {
    name: 'rlimit names are known',
    good: (s) => { P(s).rlimits = [{ type: 'RLIMIT_RTTIME', soft: 1, hard: 2 }, { type: 'RLIMIT_MSGQUEUE', soft: 0, hard: 0 }]; },
    bad: (s) => { P(s).rlimits = [{ type: 'RLIMIT_FOO', soft: 1, hard: 1 }]; },
    message:
      'config.json: /process/rlimits/0/type: unknown resource limit "RLIMIT_FOO" (known: RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK)',
  },
  {
    name: 'rlimit types are not duplicated',
    good: (s) => { P(s).rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NPROC', soft: 1, hard: 1 }]; },
    bad: (s) => { P(s).rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 }]; },
    message: 'config.json: /process/rlimits/1/type: duplicates RLIMIT_NOFILE of /process/rlimits/0',
  },
  {
    name: 'rlimit soft does not exceed hard',
    good: (s) => { P(s).rlimits = [{ type: 'RLIMIT_CORE', soft: 5, hard: 5 }]; },
    bad: (s) => { P(s).rlimits = [{ type: 'RLIMIT_CORE', soft: 6, hard: 5 }]; },
    message: 'config.json: /process/rlimits/0/soft: must not exceed the hard limit',
  },
  {
    name: 'oomScoreAdj range',
    good: (s) => { P(s).oomScoreAdj = -1000; },
    bad: (s) => { P(s).oomScoreAdj = 1001; },
    message: 'config.json: /process/oomScoreAdj: must be between -1000 and 1000',
  },
  {
    name: 'scheduler nice range',
    good: (s) => { P(s).scheduler = { policy: 'SCHED_BATCH', nice: 19 }; },
    bad: (s) => { P(s).scheduler = { policy: 'SCHED_OTHER', nice: 20 }; },
    message: 'config.json: /process/scheduler/nice: must be between -20 and 19',
  },
  {
    name: 'real-time priority range',
    good: (s) => { P(s).scheduler = { policy: 'SCHED_RR', priority: 99 }; },
    bad: (s) => { P(s).scheduler = { policy: 'SCHED_FIFO' }; },
    message: 'config.json: /process/scheduler/priority: must be between 1 and 99 for SCHED_FIFO',
  },
  {
    name: 'non-real-time priority is 0',
    good: (s) => { P(s).scheduler = { policy: 'SCHED_IDLE', priority: 0 }; },
    bad: (s) => { P(s).scheduler = { policy: 'SCHED_OTHER', priority: 5 }; },
    message: 'config.json: /process/scheduler/priority: must be 0 for SCHED_OTHER',
  },
  {
    name: 'deadline runtime is set',
    good: (s) => { P(s).scheduler = { policy: 'SCHED_DEADLINE', runtime: 10, deadline: 20, period: 30 }; },
    bad: (s) => { P(s).scheduler = { policy: 'SCHED_DEADLINE', deadline: 20 }; },
    message: 'config.json: /process/scheduler/runtime: must be set (> 0) for SCHED_DEADLINE',
  },
  {
    name: 'deadline runtime <= deadline',
    good: (s) => { P(s).scheduler = { policy: 'SCHED_DEADLINE', runtime: 20, deadline: 20 }; },
    bad: (s) => { P(s).scheduler = { policy: 'SCHED_DEADLINE', runtime: 21, deadline: 20 }; },
    message: 'config.json: /process/scheduler/runtime: must not exceed the deadline',
  },
  {
    name: 'deadline <= period',
    good: (s) => { P(s).scheduler = { policy: 'SCHED_DEADLINE', runtime: 1, deadline: 30, period: 30 }; },
    bad: (s) => { P(s).scheduler = { policy: 'SCHED_DEADLINE', runtime: 1, deadline: 31, period: 30 }; },
    message: 'config.json: /process/scheduler/deadline: must not exceed the period',
  },
  {
    name: 'deadline parameters only with SCHED_DEADLINE',
    good: (s) => { P(s).scheduler = { policy: 'SCHED_OTHER', runtime: 0 }; },
    bad: (s) => { P(s).scheduler = { policy: 'SCHED_OTHER', period: 100 }; },
    message: 'config.json: /process/scheduler/period: is only valid with SCHED_DEADLINE',
  },
  {
    name: 'ioPriority priority range',
    good: (s) => { P(s).ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 7 }; },
    bad: (s) => { P(s).ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 8 }; },
    message: 'config.json: /process/ioPriority/priority: must be between 0 (highest) and 7 (lowest)',
  },
  {
    name: 'execCPUAffinity is a CPU list',
    good: (s) => { P(s).execCPUAffinity = { initial: '0-3,7', final: '' }; },
    bad: (s) => { P(s).execCPUAffinity = { final: '3-1' }; },
    message: 'config.json: /process/execCPUAffinity/final: must be a CPU list such as "0-3,7"',
  },
  {
    name: 'hook paths are absolute',
    good: (s) => { s.hooks = { createRuntime: [{ path: '/usr/bin/hook' }] }; },
    bad: (s) => { s.hooks = { poststop: [{ path: '/ok' }, { path: 'relative/hook' }] }; },
    message: 'config.json: /hooks/poststop/1/path: must be an absolute path',
  },
  {
    name: 'mount destination is not empty',
    good: (s) => { s.mounts = [{ destination: '/tmp', type: 'tmpfs', source: 'tmpfs' }]; },
    bad: (s) => { s.mounts = [{ destination: '', type: 'tmpfs' }]; },
    message: 'config.json: /mounts/0/destination: must not be empty',
  },
  {
    name: 'idmap and ridmap are exclusive',
    good: (s) => { s.mounts = [{ destination: '/d', source: '/s', options: ['rbind', 'ridmap'], uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] }]; },
    bad: (s) => { s.mounts = [{ destination: '/d', source: '/s', options: ['rbind', 'idmap', 'ridmap'] }]; },
    message: 'config.json: /mounts/0/options: must not contain both idmap and ridmap',
  },
  {
    name: 'id-mapped mounts are bind mounts',
    good: (s) => { s.mounts = [{ destination: '/d', source: '/s', options: ['bind', 'idmap'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }]; },
    bad: (s) => { s.mounts = [{ destination: '/d', type: 'tmpfs', source: 'tmpfs', options: ['idmap'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }]; },
    message: 'config.json: /mounts/0/options: an id-mapped mount must be a bind mount (add bind or rbind)',
  },
  {
    name: 'idmap without mappings needs a user namespace',
    good: (s) => {
      s.mounts = [{ destination: '/d', source: '/s', options: ['rbind', 'idmap'] }];
      L(s).namespaces!.push({ type: 'user' });
      L(s).uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      L(s).gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    },
    bad: (s) => { s.mounts = [{ destination: '/d', source: '/s', options: ['rbind', 'idmap'] }]; },
    message: 'config.json: /mounts/0/uidMappings: is required for an id-mapped mount when the container has no user namespace',
  },
  {
    name: 'mount mapping sizes are positive',
    good: (s) => { s.mounts = [{ destination: '/d', source: '/s', options: ['rbind', 'idmap'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }]; },
    bad: (s) => { s.mounts = [{ destination: '/d', source: '/s', options: ['rbind', 'idmap'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1, size: 0 }] }]; },
    message: 'config.json: /mounts/0/gidMappings/0/size: must be greater than 0',
  },
  {
    name: 'namespaces are listed once',
    good: (s) => { L(s).namespaces = [{ type: 'pid' }, { type: 'network' }]; },
    bad: (s) => { L(s).namespaces = [{ type: 'pid' }, { type: 'network' }, { type: 'pid', path: '/proc/1/ns/pid' }]; },
    message: 'config.json: /linux/namespaces/2/type: duplicates the pid namespace of /linux/namespaces/0',
  },
  {
    name: 'namespace paths are absolute',
    good: (s) => { L(s).namespaces![4] = { type: 'network', path: '/proc/self/ns/net' }; },
    bad: (s) => { L(s).namespaces![4] = { type: 'network', path: 'proc/self/ns/net' }; },
    message: 'config.json: /linux/namespaces/4/path: must be an absolute path',
  },
  {
    name: 'namespace path is of the right type',
    good: (s) => { L(s).namespaces![1] = { type: 'mount', path: '/proc/self/ns/mnt' }; },
    bad: (s) => { L(s).namespaces![1] = { type: 'mount', path: '/proc/self/ns/net' }; },
    message: 'config.json: /linux/namespaces/1/path: /proc/self/ns/net must be a namespace of type mount (it is net:[',
  },
  {
    name: 'namespace path exists',
    good: (s) => { L(s).namespaces![0] = { type: 'pid', path: '/proc/self/ns/pid' }; },
    bad: (s) => { L(s).namespaces![0] = { type: 'pid', path: '/nonexistent/ns/pid' }; },
    message: 'config.json: /linux/namespaces/0/path: /nonexistent/ns/pid does not exist',
  },
  {
    name: 'namespace path is a namespace file',
    good: (s) => { L(s).namespaces![3] = { type: 'ipc', path: '/proc/self/ns/ipc' }; },
    bad: (s) => { L(s).namespaces![3] = { type: 'ipc', path: '/etc/hostname' }; },
    message: 'config.json: /linux/namespaces/3/path: /etc/hostname is not a namespace file (not on nsfs)',
  },
  {
    name: 'uid mappings need a user namespace',
    good: (s) => {
      L(s).namespaces!.push({ type: 'user' });
      L(s).uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      L(s).gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    },
    bad: (s) => {
      L(s).uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      L(s).gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    },
    message: 'config.json: /linux/uidMappings: requires a user namespace in /linux/namespaces',
  },
  {
    name: 'a new user namespace needs mappings',
    good: (s) => { L(s).namespaces!.push({ type: 'user', path: '/proc/self/ns/user' }); },
    bad: (s) => { L(s).namespaces!.push({ type: 'user' }); },
    message: 'config.json: /linux/uidMappings: is required for a new user namespace',
  },
  {
    name: 'user namespace mapping sizes are positive',
    good: (s) => {
      L(s).namespaces!.push({ type: 'user' });
      L(s).uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      L(s).gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    },
    bad: (s) => {
      L(s).namespaces!.push({ type: 'user' });
      L(s).uidMappings = [{ containerID: 0, hostID: 1000, size: 0 }];
      L(s).gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    },
    message: 'config.json: /linux/uidMappings/0/size: must be greater than 0',
  },
  {
    name: 'hostname needs a uts namespace',
    good: (s) => { s.hostname = 'box'; },
    bad: (s) => { s.hostname = 'box'; L(s).namespaces = [{ type: 'mount' }]; },
    message: 'config.json: /hostname: requires a uts namespace in /linux/namespaces',
  },
  {
    name: 'domainname needs a uts namespace',
    good: (s) => { s.domainname = 'example.test'; },
    bad: (s) => { s.domainname = 'example.test'; L(s).namespaces = [{ type: 'pid' }]; },
    message: 'config.json: /domainname: requires a uts namespace in /linux/namespaces',
  },
  {
    name: 'timeOffsets need a time namespace',
    good: (s) => { L(s).namespaces!.push({ type: 'time' }); L(s).timeOffsets = { monotonic: { secs: 10 } }; },
    bad: (s) => { L(s).timeOffsets = { monotonic: { secs: 10 } }; },
    message: 'config.json: /linux/timeOffsets: requires a time namespace in /linux/namespaces',
  },
  {
    name: 'timeOffsets need a new time namespace',
    good: (s) => { L(s).namespaces!.push({ type: 'time' }); L(s).timeOffsets = { boottime: { secs: -5, nanosecs: 1 } }; },
    bad: (s) => { L(s).namespaces!.push({ type: 'time', path: '/proc/self/ns/time' }); L(s).timeOffsets = { boottime: { secs: 1 } }; },
    message: 'config.json: /linux/timeOffsets: cannot be set when joining an existing time namespace (path)',
  },
  {
    name: 'timeOffsets clocks are known',
    good: (s) => { L(s).namespaces!.push({ type: 'time' }); L(s).timeOffsets = { monotonic: {}, boottime: {} }; },
    bad: (s) => { L(s).namespaces!.push({ type: 'time' }); L(s).timeOffsets = { realtime: { secs: 1 } }; },
    message: 'config.json: /linux/timeOffsets/realtime: must be one of the clocks monotonic, boottime',
  },
  {
    name: 'timeOffsets nanosecs below one second',
    good: (s) => { L(s).namespaces!.push({ type: 'time' }); L(s).timeOffsets = { monotonic: { nanosecs: 999999999 } }; },
    bad: (s) => { L(s).namespaces!.push({ type: 'time' }); L(s).timeOffsets = { monotonic: { nanosecs: 1000000000 } }; },
    message: 'config.json: /linux/timeOffsets/monotonic/nanosecs: must be less than 1000000000',
  },
  {
    name: 'device paths are absolute',
    good: (s) => { L(s).devices = [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229 }]; },
    bad: (s) => { L(s).devices = [{ type: 'c', path: 'dev/fuse', major: 10, minor: 229 }]; },
    message: 'config.json: /linux/devices/0/path: must be an absolute path',
  },
  {
    name: 'device fileMode is permission bits',
    good: (s) => { L(s).devices = [{ type: 'c', path: '/dev/x', major: 1, minor: 3, fileMode: 0o7777 }]; },
    bad: (s) => { L(s).devices = [{ type: 'c', path: '/dev/x', major: 1, minor: 3, fileMode: 0o20666 }]; },
    message: 'config.json: /linux/devices/0/fileMode: must be at most 4095 (07777): permission bits only',
  },
  {
    name: 'maskedPaths are absolute',
    good: (s) => { L(s).maskedPaths = ['/proc/kcore']; },
    bad: (s) => { L(s).maskedPaths = ['/proc/kcore', 'proc/keys']; },
    message: 'config.json: /linux/maskedPaths/1: must be an absolute path',
  },
  {
    name: 'readonlyPaths are absolute',
    good: (s) => { L(s).readonlyPaths = ['/proc/sys']; },
    bad: (s) => { L(s).readonlyPaths = ['sys']; },
    message: 'config.json: /linux/readonlyPaths/0: must be an absolute path',
  },
  {
    name: 'device cgroup rule type',
    good: (s) => { L(s).resources = { devices: [{ allow: false, type: 'a', access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }] }; },
    bad: (s) => { L(s).resources = { devices: [{ allow: true, type: 'u' }] }; },
    message: 'config.json: /linux/resources/devices/0/type: must be one of "a", "b", "c"',
  },
  {
    name: 'device cgroup rule access',
    good: (s) => { L(s).resources = { devices: [{ allow: true, access: 'm' }] }; },
    bad: (s) => { L(s).resources = { devices: [{ allow: true, access: 'rwx' }] }; },
    message: 'config.json: /linux/resources/devices/0/access: must be a combination of r, w and m',
  },
  {
    name: 'cpuset cpus syntax',
    good: (s) => { L(s).resources = { cpu: { cpus: '0-1,3', mems: '0' } }; },
    bad: (s) => { L(s).resources = { cpu: { cpus: '0,,1' } }; },
    message: 'config.json: /linux/resources/cpu/cpus: must be a list such as "0-3,7"',
  },
  {
    name: 'cpu burst within quota',
    good: (s) => { L(s).resources = { cpu: { quota: 50000, burst: 50000, period: 100000 } }; },
    bad: (s) => { L(s).resources = { cpu: { quota: 50000, burst: 50001 } }; },
    message: 'config.json: /linux/resources/cpu/burst: must not exceed a positive quota',
  },
  {
    name: 'memory values are -1 or bytes',
    good: (s) => { L(s).resources = { memory: { limit: -1, reservation: 0 } }; },
    bad: (s) => { L(s).resources = { memory: { reservation: -2 } }; },
    message: 'config.json: /linux/resources/memory/reservation: must be -1 (unlimited) or a number of bytes',
  },
  {
    name: 'memory swap covers the limit',
    good: (s) => { L(s).resources = { memory: { limit: 100, swap: 100 } }; },
    bad: (s) => { L(s).resources = { memory: { limit: 200, swap: 100 } }; },
    message: 'config.json: /linux/resources/memory/swap: must not be less than the memory limit (it limits memory+swap)',
  },
  {
    name: 'swappiness range',
    good: (s) => { L(s).resources = { memory: { swappiness: 100 } }; },
    bad: (s) => { L(s).resources = { memory: { swappiness: 101 } }; },
    message: 'config.json: /linux/resources/memory/swappiness: must be between 0 and 100',
  },
  {
    name: 'pids limit',
    good: (s) => { L(s).resources = { pids: { limit: 0 } }; },
    bad: (s) => { L(s).resources = { pids: { limit: -2 } }; },
    message: 'config.json: /linux/resources/pids/limit: must be -1 (unlimited) or at least 0',
  },
  {
    name: 'unified keys are cgroup files',
    good: (s) => { L(s).resources = { unified: { 'memory.max': '1G', 'cpu.max': 'max 100000' } }; },
    bad: (s) => { L(s).resources = { unified: { '../memory.max': '1' } }; },
    message: 'config.json: /linux/resources/unified/..~1memory.max: must name a cgroup file such as memory.max',
  },
  {
    name: 'net sysctls need a network namespace',
    good: (s) => { L(s).sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '10' }; },
    bad: (s) => { L(s).sysctl = { 'net.ipv4.ip_forward': '1' }; L(s).namespaces = [{ type: 'mount' }]; },
    message: 'config.json: /linux/sysctl/net.ipv4.ip_forward: requires a network namespace in /linux/namespaces',
  },
  {
    name: 'host-wide sysctls are refused',
    good: (s) => { L(s).sysctl = { 'kernel.domainname': 'x' }; },
    bad: (s) => { L(s).sysctl = { 'vm.swappiness': '10' }; },
    message: 'config.json: /linux/sysctl/vm.swappiness: is not namespaced: setting it would change the host',
  },
  {
    name: 'ipc sysctls need an ipc namespace',
    good: (s) => { L(s).sysctl = { 'kernel.msgmax': '8192', 'fs/mqueue/queues_max': '10' }; },
    bad: (s) => { L(s).sysctl = { 'fs.mqueue.queues_max': '10' }; L(s).namespaces = [{ type: 'mount' }]; },
    message: 'config.json: /linux/sysctl/fs.mqueue.queues_max: requires an ipc namespace in /linux/namespaces',
  },
  {
    name: 'kernel.hostname conflicts with hostname',
    good: (s) => { s.hostname = 'h'; },
    bad: (s) => { L(s).sysctl = { 'kernel.hostname': 'h' }; },
    message: 'config.json: /linux/sysctl/kernel.hostname: conflicts with /hostname: set the hostname there',
  },
  {
    name: 'user sysctls need a user namespace',
    good: (s) => {
      L(s).sysctl = { 'user.max_user_namespaces': '0' };
      L(s).namespaces!.push({ type: 'user', path: '/proc/self/ns/user' });
    },
    bad: (s) => { L(s).sysctl = { 'user.max_user_namespaces': '0' }; },
    message: 'config.json: /linux/sysctl/user.max_user_namespaces: requires a user namespace in /linux/namespaces',
  },
  {
    name: 'sysctl names stay under /proc/sys',
    good: (s) => { L(s).sysctl = { 'net/ipv4/conf/eth0.100/rp_filter': '1' }; },
    bad: (s) => { L(s).sysctl = { 'net/../../etc': '1' }; },
    message: 'config.json: /linux/sysctl/net~1..~1..~1etc: must be a sysctl name such as net.ipv4.ip_forward',
  },
  {
    name: 'net sysctls are refused in the host network namespace',
    good: (s) => { L(s).sysctl = { 'net.ipv4.ip_forward': '1' }; },
    bad: (s) => { L(s).sysctl = { 'net.ipv4.ip_forward': '1' }; L(s).namespaces![4] = { type: 'network', path: '/proc/self/ns/net' }; },
    message: 'config.json: /linux/sysctl/net.ipv4.ip_forward: is not allowed in the host network namespace',
  },
  {
    name: 'seccomp defaultErrnoRet only with an errno action',
    good: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }; },
    bad: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 1 }; },
    message: 'config.json: /linux/seccomp/defaultErrnoRet: is not supported with SCMP_ACT_ALLOW (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE)',
  },
  {
    name: 'seccomp errnoRet only with an errno action',
    good: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_TRACE', errnoRet: 1 }] }; },
    bad: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_KILL', errnoRet: 1 }] }; },
    message: 'config.json: /linux/seccomp/syscalls/0/errnoRet: is not supported with SCMP_ACT_KILL (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE)',
  },
  {
    name: 'seccomp notify is not the default',
    good: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_LOG' }; },
    bad: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/run/agent.sock' }; },
    message: 'config.json: /linux/seccomp/defaultAction: must not be SCMP_ACT_NOTIFY',
  },
  {
    name: 'seccomp notify needs a listener',
    good: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_NOTIFY' }] }; },
    bad: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_NOTIFY' }] }; },
    message: 'config.json: /linux/seccomp/listenerPath: is required when SCMP_ACT_NOTIFY is used',
  },
  {
    name: 'seccomp listenerPath is absolute',
    good: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/a.sock' }; },
    bad: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: 'a.sock' }; },
    message: 'config.json: /linux/seccomp/listenerPath: must be an absolute path',
  },
  {
    name: 'seccomp argument index',
    good: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mmap'], action: 'SCMP_ACT_ERRNO', args: [{ index: 5, value: 0, op: 'SCMP_CMP_EQ' }] }] }; },
    bad: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mmap'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }] }] }; },
    message: 'config.json: /linux/seccomp/syscalls/0/args/0/index: must be between 0 and 5',
  },
  {
    name: 'seccomp syscall names are not empty',
    good: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_LOG' }] }; },
    bad: (s) => { L(s).seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read', ''], action: 'SCMP_ACT_LOG' }] }; },
    message: 'config.json: /linux/seccomp/syscalls/0/names/1: must not be empty',
  },
  {
    name: 'personality flags are not supported',
    good: (s) => { L(s).personality = { domain: 'LINUX', flags: [] }; },
    bad: (s) => { L(s).personality = { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] }; },
    message: 'config.json: /linux/personality/flags: must be empty: no personality flags are supported',
  },
  {
    name: 'memory policy nodes syntax',
    good: (s) => { L(s).memoryPolicy = { mode: 'MPOL_PREFERRED', nodes: '1' }; },
    bad: (s) => { L(s).memoryPolicy = { mode: 'MPOL_PREFERRED', nodes: 'x' }; },
    message: 'config.json: /linux/memoryPolicy/nodes: must be a list such as "0-3,7"',
  },
  {
    name: 'memory policy default takes no nodes',
    good: (s) => { L(s).memoryPolicy = { mode: 'MPOL_LOCAL' }; },
    bad: (s) => { L(s).memoryPolicy = { mode: 'MPOL_DEFAULT', nodes: '0' }; },
    message: 'config.json: /linux/memoryPolicy/nodes: must be empty with MPOL_DEFAULT',
  },
  {
    name: 'memory policy bind needs nodes',
    good: (s) => { L(s).memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' }; },
    bad: (s) => { L(s).memoryPolicy = { mode: 'MPOL_BIND' }; },
    message: 'config.json: /linux/memoryPolicy/nodes: is required with MPOL_BIND',
  },
  {
    name: 'memory policy static and relative flags are exclusive',
    good: (s) => { L(s).memoryPolicy = { mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_RELATIVE_NODES'] }; },
    bad: (s) => { L(s).memoryPolicy = { mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'] }; },
    message: 'config.json: /linux/memoryPolicy/flags: must not contain both MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES',
  },
  {
    name: 'intelRdt closID is a directory name',
    good: (s) => { L(s).intelRdt = { closID: '/' }; },
    bad: (s) => { L(s).intelRdt = { closID: 'a/b' }; },
    message: 'config.json: /linux/intelRdt/closID: must be "/" or a single directory name',
  },
  {
    name: 'intelRdt l3CacheSchema has no newline',
    good: (s) => { L(s).intelRdt = { l3CacheSchema: 'L3:0=7f' }; },
    bad: (s) => { L(s).intelRdt = { l3CacheSchema: 'L3:0=7f\nMB:0=1' }; },
    message: 'config.json: /linux/intelRdt/l3CacheSchema: must not contain a newline',
  },
  {
    name: 'netDevices names are interface names',
    good: (s) => { L(s).netDevices = { eth1: { name: 'net%d' } }; },
    bad: (s) => { L(s).netDevices = { eth1: { name: 'a-name-that-is-too-long' } }; },
    message: 'config.json: /linux/netDevices/eth1/name: is not a valid network interface name',
  },
  {
    name: 'netDevices need a network namespace',
    good: (s) => { L(s).netDevices = { eth1: {} }; },
    bad: (s) => { L(s).netDevices = { eth1: {} }; L(s).namespaces = [{ type: 'mount' }]; },
    message: 'config.json: /linux/netDevices/eth1: requires a network namespace in /linux/namespaces',
  },
];

t.test('the base config passes', async (t) => {
  t.same(checkConfig(base()), { warnings: [] });
});

for (const c of cases) {
  t.test(c.name, async (t) => {
    const good = base();
    c.good(good);
    t.doesNotThrow(() => checkConfig(good), 'accepts the valid variant');
    const bad = base();
    c.bad(bad);
    let caught: unknown;
    try {
      checkConfig(bad);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof ConfigError, 'throws a ConfigError');
    const msg = caught instanceof Error ? caught.message : '';
    if (c.message.endsWith('[')) t.ok(msg.startsWith(c.message), msg);
    else t.equal(msg, c.message);
  });
}

t.test('unknown capabilities are warnings, not errors (config.md)', async (t) => {
  const s = base();
  s.process!.capabilities = {
    bounding: ['CAP_CHOWN', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE'],
    ambient: ['CAP_NOT_A_THING'],
  };
  t.same(checkConfig(s).warnings, ['config.json: /process/capabilities/ambient/0: unknown capability "CAP_NOT_A_THING" is ignored']);
  t.throws(() => checkConfig(s, { strictCapabilities: true }), {
    message: 'config.json: /process/capabilities/ambient/0: unknown capability "CAP_NOT_A_THING"',
  }, 'strictCapabilities refuses them');
  s.process!.capabilities = { permitted: ['CAP_AUDIT_READ', 'CAP_SYS_ADMIN'] };
  t.same(checkConfig(s).warnings, []);
  t.same(checkConfig(s, { strictCapabilities: true }).warnings, []);
});

t.test('relative mount destinations are deprecated: a warning', async (t) => {
  const s = base();
  s.mounts = [{ destination: 'data', source: '/srv', options: ['bind'] }];
  t.same(checkConfig(s).warnings, ['config.json: /mounts/0/destination: relative destination "data" is deprecated; it is taken relative to /']);
});

t.test('namespace paths are not opened with checkNamespacePaths: false', async (t) => {
  const s = base();
  s.linux!.namespaces![4] = { type: 'network', path: '/nonexistent/net' };
  t.doesNotThrow(() => checkConfig(s, { checkNamespacePaths: false }));
  t.throws(() => checkConfig(s), { message: 'config.json: /linux/namespaces/4/path: /nonexistent/net does not exist' });
});

t.test('unknown properties are ignored, not checked', async (t) => {
  const s = base() as Spec & { hooks: Record<string, unknown> };
  s.hooks = { futureHook: 5, poststop: [{ path: '/bin/true' }] };
  t.doesNotThrow(() => checkConfig(s));
});

t.test('checkStartable requires process', async (t) => {
  const s = base();
  t.doesNotThrow(() => checkStartable(s));
  delete s.process;
  t.doesNotThrow(() => checkConfig(s), 'a config without process is valid for create');
  t.throws(() => checkStartable(s), { message: 'config.json: /process: is required to start a container' });
});

t.test('the file name appears in messages', async (t) => {
  const s = base();
  s.process!.cwd = 'x';
  t.throws(() => checkConfig(s, { file: 'bundle/config.json' }), { message: 'bundle/config.json: /process/cwd: must be an absolute path' });
});

t.test('sysctlDotted', async (t) => {
  t.equal(sysctlDotted('net.ipv4.ip_forward'), 'net.ipv4.ip_forward');
  t.equal(sysctlDotted('net/ipv4/conf/eno2.100/rp_filter'), 'net.ipv4.conf.eno2/100.rp_filter');
});

t.test('isCpuList', async (t) => {
  for (const ok of ['', '0', '0-3', '0-3,7', '1, 2', '0-0']) t.ok(isCpuList(ok), ok);
  for (const bad of ['-1', '3-1', 'a', '1,', ',1', '1--2', '1-2-3']) t.notOk(isCpuList(bad), bad);
});

t.test('checkState', async (t) => {
  const state = { ociVersion: '1.3.0', id: 'c1', status: 'running' as const, pid: 42, bundle: '/b' };
  t.doesNotThrow(() => checkState(state));
  t.doesNotThrow(() => checkState({ ...state, status: 'stopped', pid: 0 }));
  t.throws(() => checkState({ ...state, bundle: 'b' }), { message: 'state.json: /bundle: must be an absolute path' });
  t.throws(() => checkState({ ...state, ociVersion: 'v1' }), { message: 'state.json: /ociVersion: must be a SemVer 2.0.0 version such as 1.3.0' });
  t.throws(() => checkState({ ...state, pid: 0 }), { message: 'state.json: /pid: must be a process id (not 0) when the status is running' });
});
