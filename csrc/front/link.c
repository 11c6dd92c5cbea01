/*
 * One call over the warm server's socket: HELLO with our stdio, the
 * worker's ACCEPT (or FALLBACK), then its requests until EXIT.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/common.h"
#include "front/front.h"
#include "front/front_protocol.h"

extern char **environ;

/* How long a worker may take to answer HELLO before we go cold: long enough
   for the supervisor to start a worker when all are busy. */
#define ACCEPT_TIMEOUT_MS 5000

struct buf {
	char *data;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			exit(1);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u32(struct buf *b, uint32_t v)
{
	put(b, &v, sizeof v);
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s) + 1);
}

static int send_hello(const struct front_call *call, int conn)
{
	struct buf b = { 0 };
	char cwd[4096], build[4096];
	if (!getcwd(cwd, sizeof cwd))
		return -1;
	/* the build: the cold entry the server must have been started from */
	if (!realpath(call->cold, build))
		return -1;
	mode_t mask = umask(0);
	umask(mask);
	uint32_t envc = 0;
	for (char **e = environ; *e; e++)
		envc++;
	put_u32(&b, TSR_FRONT_PROTO);
	put_u32(&b, (uint32_t)mask);
	put_u32(&b, (uint32_t)call->argc);
	put_u32(&b, envc);
	put_str(&b, build);
	put_str(&b, cwd);
	for (int i = 0; i < call->argc; i++)
		put_str(&b, call->argv[i]);
	for (char **e = environ; *e; e++)
		put_str(&b, *e);
	int r = tsr_send_message(conn, TSR_F_HELLO, b.data, (uint32_t)b.len);
	free(b.data);
	for (uint32_t fd = 0; r == 0 && fd < 3; fd++)
		r = tsr_send_message_fd(conn, TSR_F_STDIO, &fd, sizeof fd, (int)fd);
	return r;
}

static _Noreturn void worker_lost(void)
{
	fprintf(stderr, "tsrunc: the warm server's worker exited during the call\n");
	exit(1);
}

/* Serves the worker's requests until EXIT; never returns. */
static _Noreturn void serve(int conn)
{
	struct ucred peer = { 0 };
	socklen_t plen = sizeof peer;
	getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &plen);
	for (;;) {
		uint32_t type, len;
		char *payload;
		int fd, r = tsr_recv_message(conn, -1, &type, &payload, &len, &fd);
		if (r != 0)
			worker_lost();
		switch (type) {
		case TSR_W_EXIT: {
			uint32_t code = 1;
			if (len >= sizeof code)
				memcpy(&code, payload, sizeof code);
			exit((int)(code & 0xff));
		}
		case TSR_W_PASS_FD:
			r = front_rpc_pass_fd(fd);
			break;
		case TSR_W_SPAWN:
			r = front_rpc_spawn(conn, payload, len);
			break;
		case TSR_W_WAIT:
			r = front_rpc_wait(conn, payload, len, peer.pid);
			break;
		case TSR_W_SUBREAPER:
			r = front_rpc_subreaper(conn);
			break;
		default:
			fprintf(stderr, "tsrunc: unexpected message %u from the warm server\n", type);
			r = -1;
		}
		if (fd >= 0 && type != TSR_W_PASS_FD)
			close(fd);
		free(payload);
		if (r < 0)
			worker_lost();
	}
}

int front_forward(const struct front_call *call, int conn)
{
	if (send_hello(call, conn) < 0)
		return -1;
	uint32_t type, len;
	char *payload;
	int fd;
	if (tsr_recv_message(conn, ACCEPT_TIMEOUT_MS, &type, &payload, &len, &fd) != 0)
		return -1;
	free(payload);
	if (fd >= 0)
		close(fd);
	if (type != TSR_W_ACCEPT)
		return -1; /* W_FALLBACK */
	/* after GO the call is the worker's: no way back to the cold path */
	if (tsr_send_message(conn, TSR_F_GO, "", 0) < 0)
		return -1;
	serve(conn);
}
