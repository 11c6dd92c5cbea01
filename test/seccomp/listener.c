/*
 * Test-only seccomp agent (built by the tests with gcc; never committed as
 * a binary): listens on an AF_UNIX socket; each connection carries a
 * container process state JSON and a notify fd (SCM_RIGHTS); the JSON goes
 * to STATE_OUT, one line each. Answers every notification: VALUE >= 0 as
 * the syscall's return value, VALUE < 0 as the error -VALUE. Prints "ready"
 * once listening and "notified nr=N" per notification; exits once COUNT
 * (default 1) fds came and every one's filter has no user left.
 *
 *   listener SOCKET_PATH STATE_OUT VALUE [COUNT]
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

#define MAX_FDS 8

static void answer(int fd, long value)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		if (errno == EINTR || errno == ENOENT)
			return; /* interrupted, or the caller died meanwhile */
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

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct pollfd p[MAX_FDS + 1];
	int s, out, received = 0, open_fds = 0, count = 1;
	long value;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: listener SOCKET_PATH STATE_OUT VALUE [COUNT]\n");
		return 2;
	}
	value = strtol(argv[3], NULL, 0);
	if (argc == 5)
		count = atoi(argv[4]);
	if (count < 1 || count > MAX_FDS) {
		fprintf(stderr, "listener: COUNT must be 1..%d\n", MAX_FDS);
		return 2;
	}
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0)
		die(argv[2]);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(s, MAX_FDS) < 0)
		die(argv[1]);
	printf("ready\n");
	fflush(stdout);
	/* p[0]: the socket while fds are still to come; p[1..]: notify fds */
	p[0].fd = s;
	p[0].events = POLLIN;
	for (;;) {
		int i;

		if (received == count && open_fds == 0)
			return 0;
		if (poll(p, (nfds_t)(1 + received), -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p[0].fd >= 0 && (p[0].revents & POLLIN)) {
			int conn = accept4(s, NULL, NULL, SOCK_CLOEXEC);

			if (conn < 0)
				die("accept");
			p[1 + received].fd = receive(conn, out);
			p[1 + received].events = POLLIN;
			p[1 + received].revents = 0;
			received++;
			open_fds++;
			close(conn);
			if (write(out, "\n", 1) != 1)
				die("write state");
			if (received == count)
				p[0].fd = -1; /* poll ignores negative fds */
		}
		for (i = 1; i <= received; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (p[i].revents & POLLIN) {
				answer(p[i].fd, value);
			} else {
				/* POLLHUP: no task uses that filter any more */
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
}
