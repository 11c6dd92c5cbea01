/*
 * Test-only seccomp agent (built by the tests with gcc; never committed as
 * a binary): listens on an AF_UNIX socket, takes one connection carrying
 * the container process state JSON and the notify fd (SCM_RIGHTS), writes
 * the JSON to STATE_OUT, then answers every notification: VALUE >= 0 as the
 * syscall's return value, VALUE < 0 as the error -VALUE. Prints "ready" once
 * listening and "notified nr=N" per notification; exits when the filter's
 * last user is gone.
 *
 *   listener SOCKET_PATH STATE_OUT VALUE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "listener: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Reads the state until EOF; the fd rides with the first bytes. */
static int receive(int conn, int out)
{
	char buf[65536];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1,
	                    .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	struct cmsghdr *c;
	ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	int fd = -1;

	if (n <= 0)
		die("recvmsg");
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd < 0) {
		errno = EBADMSG;
		die("no fd with the state");
	}
	do {
		if (write(out, buf, (size_t)n) != n)
			die("write state");
		n = read(conn, buf, sizeof(buf));
	} while (n > 0);
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	long value;
	int s, conn, out, fd;

	if (argc != 4) {
		fprintf(stderr, "usage: listener SOCKET_PATH STATE_OUT VALUE\n");
		return 2;
	}
	value = strtol(argv[3], NULL, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(s, 1) < 0)
		die(argv[1]);
	printf("ready\n");
	fflush(stdout);
	conn = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		die(argv[2]);
	fd = receive(conn, out);
	close(out);
	close(conn);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (!(p.revents & POLLIN))
			return 0; /* POLLHUP: no task uses the filter any more */
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue; /* interrupted, or the caller died meanwhile */
			die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		printf("notified nr=%d\n", req.data.nr);
		fflush(stdout);
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (value >= 0)
			resp.val = value;
		else
			resp.error = (int)value;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
			die("SECCOMP_IOCTL_NOTIF_SEND");
	}
}
