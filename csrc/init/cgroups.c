/*
 * Joining the container's cgroups from the helper itself. A pid written
 * into cgroup.procs by the parent takes the kernel's global threadgroup
 * lock for writing, which waits for an RCU grace period: ~10 ms here, the
 * largest single cost of a create (runc pays it too). Two moves never take
 * it: a single-threaded process writing "0" to a v1 hierarchy's `tasks`
 * moves itself, and a child cloned with CLONE_INTO_CGROUP is born in its
 * cgroup2 directory (crun's way on cgroup v2). A container with a user
 * namespace still joins its cgroup2 directory by cgroup.procs (see
 * prepare_cgroup2).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "init.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Rootless: a directory it may not enter, or that was not made, is
   skipped, as runc does. */
static int skippable(const struct cgroup_rec *g, int err)
{
	return g->c.optional && (err == EACCES || err == EPERM || err == ENOENT);
}

/* Writes `text` to `name` in the directory (dirfd, or the path `dir`);
   0 or an errno. */
static int write_cgroup_file(int dirfd, const char *dir, const char *name, const char *text, size_t len)
{
	char path[4096];
	int fd;
	if (dirfd >= 0) {
		fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	} else {
		if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
			return ENAMETOOLONG;
		fd = open(path, O_WRONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return errno;
	int err = write(fd, text, len) == (ssize_t)len ? 0 : errno;
	close(fd);
	return err;
}

void join_v1_cgroups(void)
{
	for (int i = 0; i < cfg.ncgroups; i++) {
		const struct cgroup_rec *g = &cfg.cgroups[i];
		if (g->c.kind != TSR_CGROUP_V1)
			continue;
		int err = write_cgroup_file(-1, g->path, "tasks", "0", 1);
		if (err && !skippable(g, err)) {
			errno = err;
			die_errno("joining cgroup %s", g->path);
		}
	}
}

static const struct cgroup_rec *cgroup2_rec(void)
{
	for (int i = 0; i < cfg.ncgroups; i++)
		if (cfg.cgroups[i].c.kind == TSR_CGROUP_V2)
			return &cfg.cgroups[i];
	return NULL;
}

/* Without clone3 or CLONE_INTO_CGROUP, or when that cannot be used: the
   process writes itself into cgroup.procs (and pays the grace period); its
   child inherits that. */
static void join_cgroup2_by_procs(int dirfd, const struct cgroup_rec *g)
{
	char pid[16];
	int n = snprintf(pid, sizeof pid, "%d", getpid());
	int err = write_cgroup_file(dirfd, NULL, "cgroup.procs", pid, (size_t)n);
	if (err && !skippable(g, err)) {
		errno = err;
		die_errno("joining cgroup %s", g->path);
	}
}

static int enters_user_namespace(void)
{
	if (cfg.ns_new & CLONE_NEWUSER)
		return 1;
	for (int i = 0; i < cfg.njoins; i++)
		if (cfg.joins[i].type == CLONE_NEWUSER)
			return 1;
	return 0;
}

int prepare_cgroup2(void)
{
	const struct cgroup_rec *g = cgroup2_rec();
	if (!g)
		return -1;
	int fd = open(g->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (!skippable(g, errno))
			die_errno("opening cgroup %s", g->path);
		return -1;
	}
	/* In a user namespace of its own the helper no longer has the
	   runtime's credentials, which cloning into a cgroup is checked
	   against: it joins now instead, the slow way. */
	if (enters_user_namespace()) {
		join_cgroup2_by_procs(fd, g);
		close(fd);
		return -1;
	}
	return fd;
}

long clone_container_process(int cgroup2_fd)
{
	if (cgroup2_fd >= 0) {
		const struct cgroup_rec *g = cgroup2_rec();
		/* with CLONE_PARENT, clone3 takes no exit_signal: the child gets
		   ours (SIGCHLD), as clone(CLONE_PARENT | SIGCHLD) does */
		struct clone_args args = {
			.flags = CLONE_PARENT | CLONE_INTO_CGROUP,
			.cgroup = (uint64_t)cgroup2_fd,
		};
		long pid = syscall(SYS_clone3, &args, sizeof args);
		if (pid >= 0)
			return pid;
		if (errno == ENOSYS || errno == E2BIG || errno == EINVAL)
			join_cgroup2_by_procs(cgroup2_fd, g); /* an older kernel */
		else if (!skippable(g, errno))
			die_errno("forking the container process into cgroup %s", g->path);
	}
	return syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
}
