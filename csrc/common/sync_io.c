/*
 * Blocking framed I/O on the sync socket (tsr_hdr + payload), fd passing
 * and the AF_UNIX sockets tsrunc uses (console socket, tests).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "protocol.h"
#include "common/common.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for input until the deadline (< 0: forever). */
static int wait_readable(int fd, long long deadline)
{
	for (;;) {
		int left = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && left < 0)
			left = 0;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, left);
		if (n > 0)
			return 0;
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

/* Reads exactly len bytes, keeping the first SCM_RIGHTS fd seen in *rfd.
   Returns 0, 1 on EOF before any byte, -1 on error. */
static int read_exact(int fd, void *buf, size_t len, long long deadline, int *rfd)
{
	size_t got = 0;
	while (got < len) {
		if (wait_readable(fd, deadline) < 0)
			return -1;
		union {
			char buf[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} u;
		struct iovec iov = { .iov_base = (char *)buf + got, .iov_len = len - got };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
		ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && errno == ENOTSOCK)
			n = read(fd, (char *)buf + got, len - got);
		if (n < 0)
			return -1;
		if (n == 0) {
			if (got == 0)
				return 1;
			errno = EPROTO;
			return -1;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			int nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			int *fds = (int *)CMSG_DATA(c);
			for (int i = 0; i < nfd; i++) {
				if (rfd && *rfd < 0)
					*rfd = fds[i];
				else
					close(fds[i]); /* unexpected extra fds are not leaked */
			}
		}
		got += (size_t)n;
	}
	return 0;
}

int tsr_socketpair(int out[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out);
}

int tsr_send_message(int fd, uint32_t type, const void *payload, uint32_t len)
{
	return tsr_send_message_fd(fd, type, payload, len, -1);
}

int tsr_send_message_fd(int fd, uint32_t type, const void *payload, uint32_t len, int passfd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct tsr_hdr h = { .type = type, .len = len };
	struct iovec iov[2] = { { &h, sizeof h }, { (void *)payload, len } };
	size_t total = sizeof h + len, sent = 0;
	while (sent < total) {
		/* advance the iovecs past what is already sent */
		struct iovec v[2];
		int cnt = 0;
		size_t skip = sent;
		for (int i = 0; i < 2; i++) {
			if (skip >= iov[i].iov_len) {
				skip -= iov[i].iov_len;
				continue;
			}
			v[cnt].iov_base = (char *)iov[i].iov_base + skip;
			v[cnt].iov_len = iov[i].iov_len - skip;
			skip = 0;
			cnt++;
		}
		struct msghdr msg = { .msg_iov = v, .msg_iovlen = (size_t)cnt };
		if (passfd >= 0 && sent == 0) {
			/* the fd rides on the first byte of the header */
			memset(&u, 0, sizeof u);
			msg.msg_control = u.buf;
			msg.msg_controllen = sizeof u.buf;
			struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &passfd, sizeof passfd);
		}
		ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		sent += (size_t)n;
	}
	return 0;
}

int tsr_recv_message(int fd, int timeout_ms, uint32_t *type, char **payload, uint32_t *len, int *rfd)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct tsr_hdr h;
	*rfd = -1;
	*payload = NULL;
	int r = read_exact(fd, &h, sizeof h, deadline, rfd);
	char *buf = NULL;
	if (r != 0)
		goto fail;
	r = -1;
	if (h.len > TSR_MAX_PACKET) {
		errno = EMSGSIZE;
		goto fail;
	}
	buf = malloc(h.len ? h.len : 1);
	if (!buf)
		goto fail;
	int got = read_exact(fd, buf, h.len, deadline, rfd);
	if (got != 0) {
		if (got == 1)
			errno = EPROTO; /* EOF inside a message */
		goto fail;
	}
	*type = h.type;
	*payload = buf;
	*len = h.len;
	return 0;
fail:
	/* an fd that came with a message we cannot return is not leaked */
	if (*rfd >= 0) {
		int e = errno;
		close(*rfd);
		*rfd = -1;
		errno = e;
	}
	free(buf);
	return r;
}

int tsr_recv_fd(int fd, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	if (wait_readable(fd, deadline) < 0)
		return -1;
	char data[4096]; /* runc sends the pty's name as the body */
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	ssize_t n;
	do
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
		errno = n == 0 ? ECONNRESET : EPROTO;
		return -1;
	}
	int out;
	memcpy(&out, CMSG_DATA(c), sizeof out);
	return out;
}

static int make_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

int tsr_unix_connect(const char *path)
{
	struct sockaddr_un sa;
	if (make_addr(path, &sa) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int r;
	do
		r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int tsr_unix_listen(const char *path)
{
	struct sockaddr_un sa;
	if (make_addr(path, &sa) < 0)
		return -1;
	/* non-blocking: when processes share the listener (warm workers), the
	   ones that lose the race for a connection go back to poll in
	   tsr_accept instead of blocking in accept4 */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int tsr_accept(int fd, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		if (wait_readable(fd, deadline) < 0)
			return -1;
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0 || (errno != EINTR && errno != EAGAIN))
			return c;
	}
}
