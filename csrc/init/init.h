/*
 * tsrunc-init internals: the parsed config and the functions each file
 * provides. Single-threaded; every error path ends in die().
 */
#ifndef TSRUNC_INIT_H
#define TSRUNC_INIT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include "protocol.h"

#define MAX_ITEMS 1024
#define MAX_STRV 16384 /* env entries, args */

struct ns_join { uint32_t type; const char *path; };
struct mount_rec {
	struct tsr_mount m;
	const char *src, *dst, *fstype, *data;
	int idmap;              /* has a TSR_R_MOUNT_IDMAP */
	int idmap_recursive;
	const char *uid_map, *gid_map;
	int userns_fd;          /* made by stage 0 */
	int tree_fd;            /* idmapped detached copy made by stage 0, or -1 */
};
struct device_rec { struct tsr_device d; const char *path; };
struct sysctl_rec { const char *key, *value; };
struct symlink_rec { const char *target, *link; };
struct hook_rec { struct tsr_hook h; const char *path; const char **args; const char **env; };
struct cgroup_rec { struct tsr_cgroup c; const char *path; };

struct config {
	uint32_t mode;
	const char *id;
	struct ns_join joins[16];
	int njoins;
	uint32_t ns_new;
	const char *timens_offsets;
	const char *rootfs;
	int rootfs_readonly;
	uint32_t propagation;
	int no_pivot;
	struct mount_rec mounts[MAX_ITEMS];
	int nmounts;
	struct device_rec devices[MAX_ITEMS];
	int ndevices;
	struct symlink_rec symlinks[MAX_ITEMS];
	int nsymlinks;
	const char *masked[MAX_ITEMS];
	int nmasked;
	const char *readonly[MAX_ITEMS];
	int nreadonly;
	const char *hostname, *domainname;
	struct sysctl_rec sysctls[MAX_ITEMS];
	int nsysctls;
	struct hook_rec hooks[MAX_ITEMS];
	int nhooks;
	struct tsr_rlimit rlimits[32];
	int nrlimits;
	int has_oom;
	int32_t oom_score_adj;
	int has_user;
	struct tsr_user user;
	const uint32_t *gids;
	int has_caps;
	struct tsr_caps caps;
	int no_new_privs;
	const char *cwd;
	const char *env[MAX_STRV];
	int nenv;
	const char *args[MAX_STRV];
	int nargs;
	int has_seccomp;
	struct tsr_seccomp seccomp;
	const struct sock_filter *seccomp_prog;
	int has_personality;
	uint32_t personality;
	int has_sched;
	struct tsr_sched sched;
	int has_ioprio;
	uint32_t ioprio;
	uint32_t preserve_fds;
	int has_console;
	struct tsr_console console;
	int new_keyring;
	int in_userns;
	const char *apparmor;  /* profile for the process */
	int apparmor_enabled;  /* read by stage 0 from the host's sysfs */
	const void *cpu_mask; /* execCPUAffinity.final */
	uint32_t cpu_mask_len;
	const void *cpu_initial; /* execCPUAffinity.initial */
	uint32_t cpu_initial_len;
	struct cgroup_rec cgroups[64];
	int ncgroups;
};

/* fds the helper was given (argv), -1 when absent */
/* start_report: the exec FIFO's write end once `start` has opened it; errors
   until execve (O_CLOEXEC closes it) are written there for `start` to report. */
struct init_fds { int sync, fifo, console, start_report; };

extern struct config cfg;
extern struct init_fds fds;

/* sync.c */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void set_ready(void); /* after C_READY errors go to stderr, exit 127 */
void send_msg(uint32_t type, const void *payload, uint32_t len);
void send_u32(uint32_t type, uint32_t value);
/* Reads one message of the expected type (P_ABORT or EOF ends the helper).
   Returns a malloc'd payload (NUL-terminated for convenience). */
char *recv_msg(uint32_t want, uint32_t *len);
/* One fd by SCM_RIGHTS; `data` (e.g. the pty name, like runc) or one zero
   byte is the message body. */
void send_fd(int sock, int fd, const char *data);

/* config.c */
void parse_config(char *buf, uint32_t len);

/* namespaces.c */
void join_namespaces(void);
void unshare_namespaces(void);         /* stage 0: all new ones but cgroup */
void unshare_cgroup_namespace(void);   /* stage 1, once in its cgroups */
void write_timens_offsets(void);

/* cgroups.c */
void join_v1_cgroups(void);            /* stage 0, before any namespace */
int prepare_cgroup2(void);             /* stage 0, before any namespace: fd or -1 */
long clone_container_process(int cgroup2_fd); /* fork-like: 0 in the child */

/* util in rootfs.c: resolve `path` inside rootfd, never leaving it.
   create: 0 = must exist, 'd' = create dirs, 'f' = create dirs + file. */
int resolve_in_root(int rootfd, const char *path, int create);
int proc_fd_path(char *buf, size_t size, int fd);

/* mounts.c */
void setup_mounts(int rootfd);
void save_host_cgroups(void); /* stage 1, before its cgroup namespace */
void make_idmap_userns(void);  /* stage 0, before joining namespaces */
int bind_fd_onto(int srcfd, const char *srcpath, int dstfd, int recursive);

/* devices.c */
void setup_devices(int rootfd);
void setup_symlinks(int rootfd);

/* rootfs.c */
int has_mount_ns(void);               /* new or joined mount namespace */
int prepare_rootfs(void);              /* returns the O_PATH fd of the rootfs */
void switch_root(int rootfd);
void finish_rootfs(void);              /* masked, readonly, root ro, propagation */
void set_hostname(void);
void write_sysctls(void);
int open_container_proc(void);
int open_host_proc(void);

/* terminal.c */
void setup_console(void);

/* hooks.c */
void run_hooks(uint32_t kind, const char *state, uint32_t state_len);

/* process.c */
const char *lookup_exec(void);          /* resolves args[0] with the env PATH */
void setup_process(void);               /* everything from rlimits to caps */
void load_seccomp(void);
void exec_process(const char *path) __attribute__((noreturn));
void set_initial_affinity(void);        /* stage 0, before the cgroups */
void reset_signals(void);
void ensure_home_env(void);

#endif
