/*
 * tsrunc's warm-mode front (docs/warm-mode.md). Off by default: then it only
 * execs the cold entry. In warm mode it forwards the call to the warm server
 * of the state root, and spawns for it the processes that must outlive the
 * call; whenever the server cannot take the call, the cold path runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "common/common.h"
#include "front/front.h"
#include "front/front_protocol.h"

/* As Node does at start-up: closed stdio becomes /dev/null, so the numbering
   of --preserve-fds is the same on both paths. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

int main(int argc, char **argv)
{
	struct front_call call;
	ensure_std_fds();
	front_parse(argc, argv, &call);
	/* the server is root's: its socket is root-only, and so is warm mode */
	if (!call.warm || geteuid() != 0)
		front_exec_cold(&call);
	char sock[4096];
	snprintf(sock, sizeof sock, "%s/%s", call.root, TSR_WARM_SOCK);
	int conn = tsr_unix_connect(sock);
	if (conn < 0) {
		/* first use (no socket) or a dead server (refused): start one for
		   the next call; this one goes cold at once */
		if (errno == ENOENT || errno == ECONNREFUSED)
			front_start_server(&call);
		front_exec_cold(&call);
	}
	front_forward(&call, conn);
	close(conn);
	front_exec_cold(&call);
}
