/*
 * What the warm-mode worker (src/server/worker.ts) needs beyond the sync
 * protocol: put a caller's stdio on its own fds 0-2, and who is calling.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tsr_addon.h"

int tsr_dup2(int oldfd, int newfd)
{
	int r;
	do
		r = dup2(oldfd, newfd);
	while (r < 0 && (errno == EINTR || errno == EBUSY));
	return r < 0 ? -1 : 0;
}

int tsr_peer_cred(int fd, pid_t *pid, uid_t *uid, gid_t *gid)
{
	struct ucred c;
	socklen_t len = sizeof c;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) < 0)
		return -1;
	*pid = c.pid;
	*uid = c.uid;
	*gid = c.gid;
	return 0;
}
