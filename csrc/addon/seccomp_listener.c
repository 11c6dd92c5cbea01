/*
 * The parent's side of SCMP_ACT_NOTIFY: it gets the listener fd the helper
 * created (passed with SCM_RIGHTS on the sync socket, or copied with
 * pidfd_getfd from the fd number) and sends it, with the container process
 * state, to the seccomp agent listening at listenerPath.
 */
#include "seccomp_listener.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int tsr_seccomp_send_listener(const char *path, const char *msg, size_t len,
                              int fd, char *err, size_t errlen)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
	                    .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	ssize_t n;
	int s;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "seccomp listener %s: path longer than %zu bytes",
		         path, sizeof(addr.sun_path) - 1);
		return -1;
	}
	strcpy(addr.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		snprintf(err, errlen, "seccomp listener socket: %s", strerror(errno));
		return -1;
	}
	if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		snprintf(err, errlen, "connecting to the seccomp listener %s: %s",
		         path, strerror(errno));
		close(s);
		return -1;
	}
	memset(u.buf, 0, sizeof(u.buf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(s, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		snprintf(err, errlen, "sending the seccomp fd to %s: %s", path,
		         n < 0 ? strerror(errno) : "short write");
		close(s);
		return -1;
	}
	close(s);
	return 0;
}

int tsr_pidfd_getfd(int pid, int fd, char *err, size_t errlen)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int copy;

	if (pidfd < 0) {
		snprintf(err, errlen, "pidfd_open(%d): %s", pid, strerror(errno));
		return -1;
	}
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		snprintf(err, errlen, "pidfd_getfd(%d, %d): %s", pid, fd,
		         strerror(errno));
	close(pidfd);
	return copy;
}
