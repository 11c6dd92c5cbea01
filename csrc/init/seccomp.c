/*
 * Loads the seccomp filter the parent compiled (TSR_R_SECCOMP). Compiling
 * the OCI profile is the parent's job; this only installs the BPF.
 */
#include <errno.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "init.h"

static int loaded;

void load_seccomp(void)
{
	if (loaded)
		return;
	loaded = 1;
	struct sock_fprog prog = {
		.len = (unsigned short)cfg.seccomp.ninstr,
		.filter = (struct sock_filter *)cfg.seccomp_prog,
	};
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, cfg.seccomp.flags, &prog);
	if (fd < 0)
		die_errno("loading the seccomp filter");
	if (cfg.seccomp.notify) {
		/* create: before C_READY; exec: before C_EXEC_READY */
		if (fds.sync < 0)
			die("seccomp: the parent no longer listens for the notify fd");
		struct tsr_hdr h = { .type = TSR_C_SECCOMP_FD, .len = 1 };
		if (send(fds.sync, &h, sizeof h, MSG_NOSIGNAL) != (ssize_t)sizeof h)
			die_errno("seccomp: sending the listener fd");
		send_fd(fds.sync, (int)fd, NULL); /* the 1-byte payload carries the fd */
		close((int)fd);
	}
}
