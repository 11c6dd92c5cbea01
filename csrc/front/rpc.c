/*
 * The worker's requests that need the front: spawning tsrunc-init (so the
 * container's processes are our children, adopted by the engine's subreaper
 * when we exit, as with runc), waiting for them, becoming a subreaper.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/common.h"
#include "front/front.h"
#include "front/front_protocol.h"

static int passed[TSR_FRONT_MAX_PASSED];
static int npassed;

int front_rpc_pass_fd(int fd)
{
	if (fd < 0 || npassed == TSR_FRONT_MAX_PASSED)
		return -1;
	passed[npassed++] = fd;
	return 0;
}

void front_rpc_close_passed(void)
{
	for (int i = 0; i < npassed; i++)
		close(passed[i]);
	npassed = 0;
}

static int reply_i32s(int conn, uint32_t type, const int32_t *v, int n)
{
	return tsr_send_message(conn, type, v, (uint32_t)(n * (int)sizeof *v));
}

/* the child's fds from the map; -EINVAL when the map is malformed */
static int resolve_fds(const int32_t *map, uint32_t nfds, int *out)
{
	for (uint32_t i = 0; i < nfds; i++) {
		int32_t m = map[i];
		if (m >= -1) {
			out[i] = m;
		} else if (-2 - m < npassed - 1) { /* the last passed fd is the memfd */
			out[i] = passed[-2 - m];
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int spawn(const char *payload, unsigned len)
{
	uint32_t nfds;
	if (len < sizeof nfds || npassed < 1)
		return -EINVAL;
	memcpy(&nfds, payload, sizeof nfds);
	size_t maplen = (size_t)nfds * sizeof(int32_t);
	if (nfds > 256 || len < sizeof nfds + maplen || payload[len - 1] != '\0')
		return -EINVAL;
	int32_t map[256];
	int fds[256];
	memcpy(map, payload + sizeof nfds, maplen);
	int r = resolve_fds(map, nfds, fds);
	if (r < 0)
		return r;
	char *argv[64];
	int argc = 0;
	for (const char *s = payload + sizeof nfds + maplen; s < payload + len && argc < 63; s += strlen(s) + 1)
		argv[argc++] = (char *)s;
	argv[argc] = NULL;
	pid_t pid;
	if (tsr_spawn_memfd(passed[npassed - 1], fds, (int)nfds, argv, &pid) < 0)
		return -errno;
	return pid;
}

int front_rpc_spawn(int conn, const char *payload, unsigned len)
{
	int32_t pid = spawn(payload, len);
	front_rpc_close_passed();
	return reply_i32s(conn, TSR_F_SPAWNED, &pid, 1);
}

static int reply_wait(int conn, pid_t r, int status)
{
	int32_t v[3] = { r, -1, -1 };
	if (r < 0)
		v[0] = -errno;
	else if (r > 0 && WIFEXITED(status))
		v[1] = WEXITSTATUS(status);
	else if (r > 0 && WIFSIGNALED(status))
		v[2] = WTERMSIG(status);
	return reply_i32s(conn, TSR_F_WAITED, v, 3);
}

/* Waits for pid, forwarding the signals in `forward` to it (as `run` and
   `exec` do in the cold path) and SIGWINCH to the worker (a terminal it
   wires reads the new size). An EOF from the worker ends the front. */
static pid_t wait_forwarding(int conn, pid_t pid, const sigset_t *forward, pid_t worker, int *status)
{
	sigset_t set = *forward, old;
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, &old);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	pid_t r = -1;
	for (; sfd >= 0;) {
		r = waitpid(pid, status, WNOHANG);
		if (r != 0)
			break;
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = conn, .events = POLLRDHUP } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
			exit(1); /* the worker is gone: nobody to finish the call */
		struct signalfd_siginfo si;
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof si) != sizeof si)
			continue;
		if (si.ssi_signo == SIGWINCH && worker > 0)
			kill(worker, SIGWINCH);
		else if (si.ssi_signo != SIGCHLD && sigismember(forward, (int)si.ssi_signo))
			kill(pid, (int)si.ssi_signo);
	}
	int e = errno;
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

int front_rpc_wait(int conn, const char *payload, unsigned len, pid_t worker)
{
	int32_t pid;
	uint32_t nohang, lo, hi;
	if (len < 16)
		return -1;
	memcpy(&pid, payload, 4);
	memcpy(&nohang, payload + 4, 4);
	memcpy(&lo, payload + 8, 4);
	memcpy(&hi, payload + 12, 4);
	int status = 0;
	pid_t r;
	if (nohang) {
		r = waitpid(pid, &status, WNOHANG);
	} else {
		sigset_t forward;
		sigemptyset(&forward);
		for (int s = 1; s < 64; s++)
			if ((s < 32 ? lo >> s : hi >> (s - 32)) & 1)
				sigaddset(&forward, s);
		r = wait_forwarding(conn, pid, &forward, worker, &status);
	}
	return reply_wait(conn, r, status);
}

/* Only `run` and `exec` in the foreground ask this, before they create the
   process: from now on the signals they forward wait (blocked) until the
   WAIT that forwards them, so none is lost while the container starts. */
int front_rpc_subreaper(int conn)
{
	static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT };
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int32_t r = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? -errno : 0;
	return reply_i32s(conn, TSR_F_OK, &r, 1);
}
