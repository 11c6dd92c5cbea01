/*
 * The parent <-> init-helper wire protocol. The single source of truth for
 * record numbers; src/linux/protocol.ts mirrors it (a test checks both agree).
 * ARCHITECTURE.md describes the order of the exchange.
 *
 * Framing: every message on the sync socket (an AF_UNIX SOCK_STREAM pair) is
 * a tsr_hdr followed by exactly `len` payload bytes. The config packet
 * is a sequence of records, each itself a tsr_hdr + payload, so the helper can
 * walk it without any schema. Each record's payload is followed by zero
 * padding up to a multiple of 4 bytes (not counted in its `len`), so struct
 * payloads and u32 arrays inside the packet stay aligned. Integers are host-endian (both ends run on the
 * same machine). Strings are NUL-terminated and the NUL is counted in `len`.
 */
#ifndef TSRUNC_PROTOCOL_H
#define TSRUNC_PROTOCOL_H

#include <stdint.h>

#define TSR_PROTOCOL_VERSION 1
/* Largest packet either side sends (the config, with seccomp BPF). */
#define TSR_MAX_PACKET (4u << 20)

struct tsr_hdr {
	uint32_t type;
	uint32_t len; /* payload bytes after this header */
};

/* ---- sync messages: parent -> helper ---------------------------------- */
enum tsr_parent_msg {
	TSR_P_CONFIG = 1,        /* payload: config records (below) */
	TSR_P_USERMAP_DONE = 2,  /* uid/gid maps written */
	TSR_P_HOOKS_DONE = 3,    /* payload: state JSON for in-container hooks */
	TSR_P_ABORT = 4,         /* parent gives up: helper exits at once */
};

/* ---- sync messages: helper -> parent ---------------------------------- */
enum tsr_child_msg {
	TSR_C_USERMAP_REQ = 101, /* payload: u32 pid whose maps to write */
	TSR_C_PID = 102,         /* payload: u32 host pid of the container init */
	TSR_C_HOOKS_REQ = 103,   /* mounts done, before pivot: run prestart and
	                            createRuntime hooks, answer TSR_P_HOOKS_DONE */
	TSR_C_READY = 104,       /* create finished; waiting on the exec FIFO */
	TSR_C_ERROR = 105,       /* payload: one-line error string */
	TSR_C_EXEC_READY = 106,  /* exec mode: setup done, about to execve */
	TSR_C_SECCOMP_FD = 107,  /* SCM_RIGHTS: seccomp notify fd (listenerPath) */
};

/* ---- config records (inside TSR_P_CONFIG) ------------------------------ */
enum tsr_record {
	/* u32: TSR_MODE_CREATE or TSR_MODE_EXEC */
	TSR_R_MODE = 1,
	/* u32 CLONE_NEW* bit + string path: setns() into that namespace.
	   Sent in the order to join (user namespace first). */
	TSR_R_NS_JOIN = 2,
	/* u32 mask of CLONE_NEW* flags to unshare (new namespaces) */
	TSR_R_NS_NEW = 3,
	/* string: text for /proc/self/timens_offsets */
	TSR_R_TIMENS_OFFSETS = 4,
	/* string: absolute host path of the root filesystem */
	TSR_R_ROOTFS = 5,
	/* u32 0/1 */
	TSR_R_ROOTFS_READONLY = 6,
	/* u32 MS_* propagation for / (MS_PRIVATE etc.; 0 = runc's default:
	   / becomes MS_SLAVE|MS_REC during setup and is left so) */
	TSR_R_ROOTFS_PROPAGATION = 7,
	/* u32 0/1: MS_MOVE + chroot instead of pivot_root */
	TSR_R_NO_PIVOT = 8,
	/* struct tsr_mount + 4 strings: source, destination, fstype, data */
	TSR_R_MOUNT = 9,
	/* struct tsr_device + string path (absolute in the container) */
	TSR_R_DEVICE = 10,
	/* string: path to mask */
	TSR_R_MASKED_PATH = 11,
	/* string: path to make read-only */
	TSR_R_READONLY_PATH = 12,
	TSR_R_HOSTNAME = 13,     /* string */
	TSR_R_DOMAINNAME = 14,   /* string */
	TSR_R_SYSCTL = 15,       /* string key, string value */
	/* struct tsr_hook + strings: path, args[nargs], env[nenv] */
	TSR_R_HOOK = 16,
	/* struct tsr_rlimit */
	TSR_R_RLIMIT = 17,
	/* i32 */
	TSR_R_OOM_SCORE_ADJ = 18,
	/* struct tsr_user + u32 additional gids */
	TSR_R_USER = 19,
	/* struct tsr_caps */
	TSR_R_CAPS = 20,
	/* u32 0/1 */
	TSR_R_NO_NEW_PRIVS = 21,
	TSR_R_CWD = 22,          /* string */
	TSR_R_ENV = 23,          /* string NAME=value, repeated in order */
	TSR_R_ARG = 24,          /* string, repeated in order; args[0] first */
	/* struct tsr_seccomp + sock_filter[] (compiled by the parent) */
	TSR_R_SECCOMP = 25,
	TSR_R_PERSONALITY = 26,  /* u32 persona */
	TSR_R_SCHEDULER = 27,    /* struct tsr_sched */
	TSR_R_IOPRIO = 28,       /* u32 ioprio value (class << 13 | level) */
	/* u32 count N: fds 3..3+N-1 pass to the process; LISTEN_FDS is the
	   caller's business (it is in the env records) */
	TSR_R_PRESERVE_FDS = 29,
	/* struct tsr_console: process.terminal */
	TSR_R_CONSOLE = 30,
	/* u32 0/1: the container gets a new session keyring */
	TSR_R_NEW_KEYRING = 31,
	/* string: the container id (keyring name, errors) */
	TSR_R_ID = 32,
	/* u32 0/1: a user namespace is new or joined (devices become bind
	   mounts of the host nodes, mknod is not allowed there) */
	TSR_R_IN_USERNS = 36,
	/* struct tsr_idmap_mount + uid_map text + gid_map text ("0 1000 1\n"
	   lines, host ids of the runtime's namespace): makes the TSR_R_MOUNT
	   record just before it (a bind) an idmapped mount */
	TSR_R_MOUNT_IDMAP = 37,
	/* string target, string link path (absolute in the container): a
	   symlink made after the devices (/dev/fd, /dev/ptmx, ...) */
	TSR_R_SYMLINK = 38,
	/* cpu bitmask (u64 words, cpu N = bit N%64 of word N/64): the
	   process.execCPUAffinity.final set right before execve */
	TSR_R_CPU_AFFINITY_FINAL = 39,
	/* string: process.apparmorProfile, applied on execve ("exec <name>") */
	TSR_R_APPARMOR = 40,
	/* struct tsr_cgroup + string: a cgroup directory (host path) of the
	   container. The helper joins it itself (csrc/init/cgroups.c): stage 0
	   writes "0" to a v1 directory's `tasks`; stage 1 is cloned into the
	   cgroup2 directory (CLONE_INTO_CGROUP). */
	TSR_R_CGROUP = 41,
	/* cpu bitmask as TSR_R_CPU_AFFINITY_FINAL: execCPUAffinity.initial,
	   set by stage 0 before it joins the cgroups; without a final set the
	   process gets all its cgroup's CPUs back before execve (as runc) */
	TSR_R_CPU_AFFINITY_INITIAL = 42,
};

enum tsr_mode {
	TSR_MODE_CREATE = 1,
	TSR_MODE_EXEC = 2,
};

/* The helper's fds at start: 0-2 stdio, 3..3+N-1 the preserved fds, then
   the sync socket, the exec FIFO (O_PATH) and the console socket. argv names
   their numbers: {"tsrunc-init", SYNC, FIFO, CONSOLE}, -1 when absent. */

struct tsr_mount {
	uint32_t flags;        /* MS_* for mount(2), without propagation */
	uint32_t propagation;  /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE, |MS_REC */
	uint32_t attr_set;     /* MOUNT_ATTR_* set with mount_setattr (recursive) */
	uint32_t attr_clr;     /* MOUNT_ATTR_* cleared with mount_setattr */
	uint32_t kind;         /* enum tsr_mount_kind */
	uint32_t reserved;
};

struct tsr_idmap_mount {
	uint32_t recursive;    /* 1: AT_RECURSIVE (ridmap) */
	uint32_t reserved;
};

enum tsr_mount_kind {
	TSR_MOUNT_FS = 0,      /* mount(source, dest, fstype, flags, data) */
	TSR_MOUNT_BIND = 1,    /* bind (MS_REC in flags for rbind) + remount for flags */
	TSR_MOUNT_CGROUP = 2,  /* cgroup/cgroup2 inside the container */
};

struct tsr_device {
	uint32_t type;         /* 'c', 'b', 'p' (fifo) */
	uint32_t major;
	uint32_t minor;
	uint32_t mode;         /* permission bits (0666 default) */
	uint32_t uid;
	uint32_t gid;
	uint32_t bind;         /* 1: bind the host node instead of mknod */
	uint32_t reserved;
};

enum tsr_hook_kind {
	TSR_HOOK_CREATE_CONTAINER = 1,
	TSR_HOOK_START_CONTAINER = 2,
};

struct tsr_hook {
	uint32_t kind;
	uint32_t timeout;      /* seconds, 0 = none */
	uint32_t nargs;
	uint32_t nenv;
};

struct tsr_rlimit {
	uint32_t resource;     /* RLIMIT_* */
	uint32_t reserved;
	uint64_t soft;
	uint64_t hard;
};

#define TSR_UNSET 0xffffffffu

struct tsr_user {
	uint32_t uid;
	uint32_t gid;
	uint32_t umask;        /* TSR_UNSET: leave as is */
	uint32_t ngids;        /* additional gids follow as u32 */
};

struct tsr_caps {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
	uint32_t set;          /* 0: no process.capabilities, keep all */
	uint32_t reserved;
};

struct tsr_seccomp {
	uint32_t flags;        /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	uint32_t ninstr;       /* struct sock_filter entries that follow */
	uint32_t notify;       /* 1: send the listener fd to the parent */
	uint32_t reserved;
};

struct tsr_sched {
	uint32_t policy;
	int32_t nice;
	uint32_t priority;
	uint32_t flags;
	uint64_t runtime;
	uint64_t deadline;
	uint64_t period;
};

enum tsr_cgroup_kind {
	TSR_CGROUP_V1 = 1,     /* a v1 hierarchy's directory (one per mount) */
	TSR_CGROUP_V2 = 2,     /* the cgroup2 directory (at most one) */
};

struct tsr_cgroup {
	uint32_t kind;         /* enum tsr_cgroup_kind */
	uint32_t optional;     /* 1 (rootless): no permission or no such dir is skipped */
};

struct tsr_console {
	uint16_t rows;
	uint16_t cols;
	uint32_t reserved;
};

#endif
