/*
 * The process's own setup after `start`: rlimits, oom_score_adj,
 * personality, scheduler, I/O priority, session keyring, user and the five
 * capability sets, no_new_privs, umask, cwd; then execve.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "init.h"

extern int host_proc; /* main.c */

static const char *env_value(const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < cfg.nenv; i++)
		if (!strncmp(cfg.env[i], name, n) && cfg.env[i][n] == '=')
			return cfg.env[i] + n + 1;
	return NULL;
}

/* Go's exec.LookPath rules (what runc uses); errno says why not. */
static int is_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return 0;
	}
	if (!(st.st_mode & 0111)) {
		errno = EACCES;
		return 0;
	}
	return 1;
}

/* runc resolves args[0] before the container starts, with the container's
   PATH, so a missing binary is a create-time error. */
const char *lookup_exec(void)
{
	static char found[PATH_MAX];
	const char *arg0 = cfg.args[0];
	if (strchr(arg0, '/')) {
		if (!is_executable(arg0)) {
			/* runc's wording, which engines match to pick 126 or 127 */
			if (errno == ENOENT)
				die("exec: \"%s\": stat %s: no such file or directory", arg0, arg0);
			die("exec: \"%s\": %s", arg0, errno == EISDIR ? "is a directory" : "permission denied");
		}
		return arg0;
	}
	const char *path = env_value("PATH");
	while (path && *path) {
		size_t len = strcspn(path, ":");
		int n = len ? snprintf(found, sizeof found, "%.*s/%s", (int)len, path, arg0)
			    : snprintf(found, sizeof found, "./%s", arg0);
		if (n > 0 && n < (int)sizeof found && is_executable(found))
			return found;
		path += len;
		if (*path == ':')
			path++;
	}
	die("exec: \"%s\": executable file not found in $PATH", arg0);
}

static void write_oom_score_adj(void)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d", cfg.oom_score_adj);
	int fd = host_proc < 0 ? -1 : openat(host_proc, "self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		die_errno("writing oom_score_adj %d", cfg.oom_score_adj);
	close(fd);
}

struct sched_attr_v1 {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static void set_scheduler(void)
{
	struct sched_attr_v1 a = {
		.size = sizeof a, .policy = cfg.sched.policy, .flags = cfg.sched.flags,
		.nice = cfg.sched.nice, .priority = cfg.sched.priority,
		.runtime = cfg.sched.runtime, .deadline = cfg.sched.deadline, .period = cfg.sched.period,
	};
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		die_errno("setting the scheduler (policy %u)", cfg.sched.policy);
}

static int last_cap(void)
{
	int c = 0;
	while (prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0)
		c++;
	return c;
}

static void drop_bounding(int last)
{
	for (int c = 0; c <= last; c++)
		if (!(cfg.caps.bounding & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			die_errno("dropping capability %d from the bounding set", c);
}

static void set_caps(int last)
{
	uint64_t mask = last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
	uint64_t eff = cfg.caps.effective & mask, prm = cfg.caps.permitted & mask;
	uint64_t inh = cfg.caps.inheritable & mask;
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = (uint32_t)eff, .permitted = (uint32_t)prm, .inheritable = (uint32_t)inh },
		{ .effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(prm >> 32), .inheritable = (uint32_t)(inh >> 32) },
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		die_errno("setting capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		die_errno("clearing ambient capabilities");
	for (int c = 0; c <= last; c++) {
		/* like runc: an ambient cap not also permitted+inheritable is skipped */
		if ((cfg.caps.ambient & (1ULL << c)) && (prm & inh & (1ULL << c)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			die_errno("raising ambient capability %d", c);
	}
}

static void set_user(void)
{
	if (!cfg.has_user)
		return;
	if (cfg.user.ngids > 0) {
		gid_t *g = calloc(cfg.user.ngids, sizeof *g);
		if (!g)
			die("out of memory");
		for (uint32_t i = 0; i < cfg.user.ngids; i++)
			g[i] = cfg.gids[i];
		if (setgroups(cfg.user.ngids, g) < 0)
			die_errno("setgroups");
		free(g);
	} else if (setgroups(0, NULL) < 0 && !(cfg.in_userns && errno == EPERM)) {
		/* a user namespace with setgroups denied keeps its groups */
		die_errno("setgroups");
	}
	if (setresgid(cfg.user.gid, cfg.user.gid, cfg.user.gid) < 0)
		die_errno("setresgid %u", cfg.user.gid);
	if (setresuid(cfg.user.uid, cfg.user.uid, cfg.user.uid) < 0)
		die_errno("setresuid %u", cfg.user.uid);
}

/* A fresh session keyring named like runc's ("_ses.<id>"), made
   searchable by its possessor's user as runc does. Kernels or LSMs without
   keyrings are not an error. */
static void join_session_keyring(void)
{
	char name[300];
	snprintf(name, sizeof name, "_ses.%s", cfg.id ? cfg.id : "");
	long key = syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name);
	if (key < 0) {
		if (errno == ENOSYS || errno == EACCES || errno == EPERM)
			return;
		die_errno("joining a new session keyring");
	}
	char desc[512];
	long n = syscall(SYS_keyctl, 6 /* KEYCTL_DESCRIBE */, key, desc, sizeof desc - 1);
	if (n < 0 || n >= (long)sizeof desc)
		die_errno("describing the session keyring");
	desc[n] = '\0';
	/* "type;uid;gid;perm;description", perm in hex */
	char *p = desc;
	for (int i = 0; i < 3 && p; i++) {
		p = strchr(p, ';');
		if (p)
			p++;
	}
	if (!p)
		die("session keyring: unexpected description %s", desc);
	unsigned long perm = strtoul(p, NULL, 16) | 0x080000 /* KEY_USR_SEARCH */;
	if (syscall(SYS_keyctl, 5 /* KEYCTL_SETPERM */, key, perm) < 0)
		die_errno("setting the session keyring's permissions");
}

/* Like runc's aa_change_onexec: the profile takes effect at execve. */
static void apply_apparmor(void)
{
	if (!cfg.apparmor_enabled)
		die("apparmor: profile %s requested but AppArmor is not enabled", cfg.apparmor);
	char value[512];
	int n = snprintf(value, sizeof value, "exec %s", cfg.apparmor);
	if (n < 0 || n >= (int)sizeof value)
		die("apparmor: profile name too long");
	int fd = host_proc < 0 ? -1 : openat(host_proc, "thread-self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0 && host_proc >= 0)
		fd = openat(host_proc, "thread-self/attr/exec", O_WRONLY | O_CLOEXEC); /* before LSM stacking */
	if (fd < 0 || write(fd, value, (size_t)n) != n)
		die_errno("apparmor: applying profile %s", cfg.apparmor);
	close(fd);
}

void setup_process(void)
{
	for (int i = 0; i < cfg.nrlimits; i++) {
		struct rlimit64 rl = { .rlim_cur = cfg.rlimits[i].soft, .rlim_max = cfg.rlimits[i].hard };
		if (prlimit64(0, (enum __rlimit_resource)cfg.rlimits[i].resource, &rl, NULL) < 0)
			die_errno("setting rlimit %u", cfg.rlimits[i].resource);
	}
	if (cfg.has_oom)
		write_oom_score_adj();
	if (cfg.has_personality && personality(cfg.personality) < 0)
		die_errno("personality 0x%x", cfg.personality);
	if (cfg.has_sched)
		set_scheduler();
	if (cfg.has_ioprio && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, cfg.ioprio) < 0)
		die_errno("setting the I/O priority");
	if (cfg.new_keyring)
		join_session_keyring();
	if (cfg.apparmor)
		apply_apparmor();
	if (cfg.has_seccomp && !cfg.no_new_privs)
		load_seccomp(); /* still privileged: the load needs CAP_SYS_ADMIN */

	int last = last_cap();
	if (cfg.has_caps) {
		drop_bounding(last); /* needs CAP_SETPCAP: before the uid change */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			die_errno("PR_SET_KEEPCAPS");
	}
	set_user();
	if (cfg.has_caps) {
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
			die_errno("PR_SET_KEEPCAPS");
		set_caps(last);
	}
	if (cfg.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno("setting no_new_privs");
	umask(cfg.has_user && cfg.user.umask != TSR_UNSET ? cfg.user.umask : 022);
	if (cfg.cwd && chdir(cfg.cwd) < 0)
		die_errno("chdir to the process cwd %s", cfg.cwd);
	/* a cwd reached through a leaked fd lies outside our root: getcwd
	   fails (ENOENT, "(unreachable)") there. CVE-2024-21626 */
	char here[PATH_MAX];
	if (!getcwd(here, sizeof here) && errno != ENAMETOOLONG)
		die_errno("the process cwd %s is outside the container", cfg.cwd ? cfg.cwd : "");
}

/* Like runc: HOME from the container's /etc/passwd when the env lacks it. */
void ensure_home_env(void)
{
	if (env_value("HOME") || cfg.nenv >= MAX_STRV - 2)
		return;
	static char home[PATH_MAX + 8];
	const char *dir = "/";
	uint32_t uid = cfg.has_user ? cfg.user.uid : 0;
	FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	while (f && fgets(line, sizeof line, f)) {
		/* name:pw:uid:gid:gecos:home:shell */
		char *field[7] = { 0 };
		char *p = line;
		int n = 0;
		while (n < 7 && p) {
			field[n++] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (n >= 6 && field[2][0] && strtoul(field[2], NULL, 10) == uid) {
			dir = field[5];
			break;
		}
	}
	snprintf(home, sizeof home, "HOME=%s", dir);
	if (f)
		fclose(f);
	cfg.env[cfg.nenv++] = home;
	cfg.env[cfg.nenv] = NULL;
}

void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL); /* SIGKILL/SIGSTOP and RT internals just fail */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void set_initial_affinity(void)
{
	if (cfg.cpu_initial && syscall(SYS_sched_setaffinity, 0, cfg.cpu_initial_len, cfg.cpu_initial) < 0)
		die_errno("/process/execCPUAffinity/initial: setting the CPU affinity (is a CPU of the list online?)");
}

void exec_process(const char *path)
{
	/* only stdio and the preserved fds reach the process */
	syscall(SYS_close_range, 3 + cfg.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	if (cfg.cpu_mask && syscall(SYS_sched_setaffinity, 0, cfg.cpu_mask_len, cfg.cpu_mask) < 0)
		die_errno("/process/execCPUAffinity/final: setting the CPU affinity (is a CPU of the list online?)");
	if (!cfg.cpu_mask && cfg.cpu_initial) {
		/* no final set: back to every CPU the cgroup allows (the kernel
		   narrows an all-ones mask to the cpuset) */
		uint64_t all[16];
		memset(all, 0xff, sizeof all);
		if (syscall(SYS_sched_setaffinity, 0, sizeof all, all) < 0)
			die_errno("resetting the CPU affinity after execCPUAffinity.initial");
	}
	reset_signals();
	if (cfg.has_seccomp && cfg.no_new_privs)
		load_seccomp(); /* last: the filter applies to the process alone */
	if (cfg.mode == TSR_MODE_EXEC) {
		/* the pid is known from C_PID; this only says setup succeeded */
		send_msg(TSR_C_EXEC_READY, NULL, 0);
		set_ready();
	}
	execve(path, (char *const *)cfg.args, (char *const *)cfg.env);
	die_errno("exec %s", path);
}
