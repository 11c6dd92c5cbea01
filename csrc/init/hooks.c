/*
 * createContainer / startContainer hooks, run by the helper inside the
 * container's namespaces: state JSON on stdin, output captured for the error
 * message, killed when the timeout passes. A failing hook is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include "init.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *kind_name(uint32_t kind)
{
	return kind == TSR_HOOK_CREATE_CONTAINER ? "createContainer" : "startContainer";
}

static void run_hook(const struct hook_rec *h, const char *state, uint32_t state_len)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		die_errno("%s hook %s: pipe", kind_name(h->h.kind), h->path);
	pid_t pid = fork();
	if (pid < 0)
		die_errno("%s hook %s: fork", kind_name(h->h.kind), h->path);
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(127);
		syscall(SYS_close_range, 3, ~0U, 0);
		reset_signals();
		umask(022); /* the helper's own umask is 0 during setup */
		const char *fallback[] = { h->path, NULL };
		execve(h->path, (char *const *)(h->h.nargs ? h->args : fallback), (char *const *)h->env);
		dprintf(2, "exec %s: %s", h->path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* the state is small (< pipe buffer); a hook that ignores stdin is fine */
	if (write(in[1], state, state_len) < 0 && errno != EPIPE)
		die_errno("%s hook %s: writing the state", kind_name(h->h.kind), h->path);
	close(in[1]);

	char output[512];
	size_t used = 0;
	long long deadline = h->h.timeout ? now_ms() + (long long)h->h.timeout * 1000 : -1;
	int status = 0, timed_out = 0, eof = 0;
	for (;;) {
		int wait_ms = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && wait_ms <= 0) {
			timed_out = 1;
			break;
		}
		if (eof) {
			/* output closed; poll the child for exit */
			pid_t r = waitpid(pid, &status, WNOHANG);
			if (r == pid)
				break;
			if (deadline < 0) {
				if (waitpid(pid, &status, 0) == pid)
					break;
				continue;
			}
			usleep(10000);
			continue;
		}
		struct pollfd p = { .fd = out[0], .events = POLLIN };
		int n = poll(&p, 1, wait_ms);
		if (n < 0 && errno != EINTR)
			die_errno("%s hook %s: poll", kind_name(h->h.kind), h->path);
		if (n > 0) {
			char buf[512];
			ssize_t got = read(out[0], buf, sizeof buf);
			if (got <= 0) {
				eof = 1;
				continue;
			}
			/* keep the last bytes: that is where errors usually are */
			size_t cap = sizeof output - 1, n = (size_t)got;
			if (n >= cap) {
				memcpy(output, buf + n - cap, cap);
				used = cap;
			} else {
				if (used + n > cap) {
					size_t drop = used + n - cap;
					memmove(output, output + drop, used - drop);
					used -= drop;
				}
				memcpy(output + used, buf, n);
				used += n;
			}
		}
	}
	close(out[0]);
	if (timed_out) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		die("%s hook %s: timed out after %u s", kind_name(h->h.kind), h->path, h->h.timeout);
	}
	output[used] = '\0';
	for (size_t i = 0; i < used; i++)
		if (output[i] == '\n')
			output[i] = ' ';
	if (WIFSIGNALED(status))
		die("%s hook %s: killed by signal %d%s%s", kind_name(h->h.kind), h->path, WTERMSIG(status),
		    used ? ": " : "", output);
	if (WEXITSTATUS(status) != 0)
		die("%s hook %s: exit status %d%s%s", kind_name(h->h.kind), h->path, WEXITSTATUS(status),
		    used ? ": " : "", output);
}

void run_hooks(uint32_t kind, const char *state, uint32_t state_len)
{
	for (int i = 0; i < cfg.nhooks; i++)
		if (cfg.hooks[i].h.kind == kind)
			run_hook(&cfg.hooks[i], state, state_len);
}
