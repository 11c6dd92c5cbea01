/*
 * Stage 0's namespace work: join by path (user first, the order sent),
 * create a user namespace and let the parent map it, unshare the rest but
 * the cgroup namespace (stage 1's), time namespace offsets.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "init.h"

static const char *ns_name(uint32_t type)
{
	switch (type) {
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWNS: return "mount";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWNET: return "network";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWCGROUP: return "cgroup";
	case CLONE_NEWTIME: return "time";
	default: return "unknown";
	}
}

void join_namespaces(void)
{
	/* open all first: after joining the mount namespace the paths would
	   resolve in the container's view */
	int nsfd[16];
	for (int i = 0; i < cfg.njoins; i++) {
		nsfd[i] = open(cfg.joins[i].path, O_RDONLY | O_CLOEXEC);
		if (nsfd[i] < 0)
			die_errno("joining %s namespace: open %s", ns_name(cfg.joins[i].type), cfg.joins[i].path);
	}
	for (int i = 0; i < cfg.njoins; i++) {
		if (setns(nsfd[i], (int)cfg.joins[i].type) < 0)
			die_errno("joining %s namespace %s", ns_name(cfg.joins[i].type), cfg.joins[i].path);
		close(nsfd[i]);
		if (cfg.joins[i].type == CLONE_NEWUSER) {
			/* become root of the joined namespace, as runc does; a
			   namespace without a mapping for 0 keeps our ids */
			if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
				die_errno("setresgid(0) in the joined user namespace");
			if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
				die_errno("setresuid(0) in the joined user namespace");
		}
	}
}

/* All new namespaces but the cgroup one: stage 1 makes that itself, once
   it is in the container's cgroups (it is born in the cgroup2 one). */
void unshare_namespaces(void)
{
	uint32_t rest = cfg.ns_new & ~(uint32_t)CLONE_NEWCGROUP;
	if (rest & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			die_errno("creating the user namespace");
		/* the parent writes uid_map/gid_map for us (it holds the privilege
		   in the parent namespace) */
		send_u32(TSR_C_USERMAP_REQ, (uint32_t)getpid());
		free(recv_msg(TSR_P_USERMAP_DONE, NULL));
		if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
			die_errno("setresgid(0) in the new user namespace");
		if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
			die_errno("setresuid(0) in the new user namespace");
		rest &= ~(uint32_t)CLONE_NEWUSER;
	}
	if (rest && unshare((int)rest) < 0)
		die_errno("creating namespaces (flags 0x%x)", rest);
}

void unshare_cgroup_namespace(void)
{
	if ((cfg.ns_new & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		die_errno("creating the cgroup namespace");
}

void write_timens_offsets(void)
{
	if (!cfg.timens_offsets || !*cfg.timens_offsets)
		return;
	int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("opening /proc/self/timens_offsets");
	size_t len = strlen(cfg.timens_offsets);
	if (write(fd, cfg.timens_offsets, len) != (ssize_t)len)
		die_errno("writing time namespace offsets");
	close(fd);
}
