/*
 * The helper's side of the sync socket: framed messages, errors reported as
 * one TSR_C_ERROR line, fd passing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "init.h"

static int ready; /* C_READY sent: the parent no longer listens */

void set_ready(void) { ready = 1; }

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1); /* parent gone: nothing sensible left to do */
		p += n;
		len -= (size_t)n;
	}
}

void send_msg(uint32_t type, const void *payload, uint32_t len)
{
	struct tsr_hdr h = { .type = type, .len = len };
	write_all(fds.sync, &h, sizeof h);
	if (len)
		write_all(fds.sync, payload, len);
}

void send_u32(uint32_t type, uint32_t value) { send_msg(type, &value, sizeof value); }

static void vreport(const char *fmt, va_list ap, int err)
{
	char msg[1024];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof msg)
		n = sizeof msg - 1;
	if (err && (size_t)n < sizeof msg - 2) {
		/* Go's (runc's) errno texts are lower case: engines match them */
		int start = n + 2;
		n += snprintf(msg + n, sizeof msg - n, ": %s", strerror(err));
		if ((size_t)start < sizeof msg && msg[start] >= 'A' && msg[start] <= 'Z' &&
		    !(msg[start + 1] >= 'A' && msg[start + 1] <= 'Z'))
			msg[start] = (char)(msg[start] - 'A' + 'a');
	}
	if ((size_t)n >= sizeof msg)
		n = sizeof msg - 1;
	if (!ready && fds.sync >= 0) {
		send_msg(TSR_C_ERROR, msg, (uint32_t)n + 1);
	} else {
		/* after READY the only audience is the container's stderr */
		dprintf(2, "tsrunc-init: %s\n", msg);
	}
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, 0);
	va_end(ap);
	_exit(ready ? 127 : 1);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, err);
	va_end(ap);
	_exit(ready ? 127 : 1);
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

char *recv_msg(uint32_t want, uint32_t *len)
{
	struct tsr_hdr h;
	if (read_all(fds.sync, &h, sizeof h) < 0)
		_exit(1); /* parent closed the socket: it has given up */
	if (h.type == TSR_P_ABORT)
		_exit(1);
	if (h.len > TSR_MAX_PACKET)
		die("sync: message of %u bytes is too large", h.len);
	char *buf = malloc(h.len + 1);
	if (!buf)
		die("sync: out of memory");
	if (read_all(fds.sync, buf, h.len) < 0)
		_exit(1);
	buf[h.len] = '\0';
	if (h.type != want)
		die("sync: expected message %u, got %u", want, h.type);
	if (len)
		*len = h.len;
	return buf;
}

void send_fd(int sock, int fd, const char *data)
{
	static const char zero[1];
	struct iovec iov = { .iov_base = (void *)(data ? data : zero), .iov_len = data ? strlen(data) : 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof u.buf,
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die_errno("sending fd %d", fd);
}
