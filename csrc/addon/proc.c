/*
 * Process and file helpers of the parent: waitpid, subreaper, the exec FIFO,
 * pty window size, O_PATH opens, /proc/<pid>/ files (id maps).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include "tsr_addon.h"

int tsr_waitpid(pid_t pid, int nohang, struct tsr_wait *out)
{
	int status;
	pid_t r;
	do
		r = waitpid(pid, &status, nohang ? WNOHANG : 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0)
		return 1;
	out->pid = r;
	out->exited = WIFEXITED(status);
	out->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	out->signal = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
	return 0;
}

int tsr_set_child_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int tsr_mkfifo(const char *path, unsigned mode)
{
	if (mkfifo(path, mode) < 0)
		return -1;
	return chmod(path, mode); /* exact mode, whatever the umask */
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Waits until fd is readable or timeout_ms (from t0) passes: 1 ready, 0 timeout. */
static int wait_readable(int fd, const struct timespec *t0, int timeout_ms)
{
	for (;;) {
		int left = timeout_ms < 0 ? -1 : (int)(timeout_ms - ms_since(t0));
		if (timeout_ms >= 0 && left <= 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		return n > 0;
	}
}

int tsr_fifo_release(const char *path, int timeout_ms, char *report, size_t report_len)
{
	/* a non-blocking reader open succeeds at once and unblocks the helper's
	   O_WRONLY open; its byte then says it really was waiting */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int result = 0;
	size_t used = 0;
	if (report && report_len)
		report[0] = '\0';
	for (;;) {
		int w = wait_readable(fd, &t0, timeout_ms);
		if (w <= 0) {
			if (w < 0)
				result = -1;
			break;
		}
		char buf[512];
		ssize_t got = read(fd, buf, result ? sizeof buf : 1);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0)
			break; /* EOF: the writer exec'd (CLOEXEC) or exited */
		if (!result) {
			result = 1;
			if (!report)
				break;
			continue;
		}
		/* after the byte: the helper's error text, if start-time setup failed */
		size_t take = (size_t)got;
		if (used + take >= report_len)
			take = report_len - used - 1;
		memcpy(report + used, buf, take);
		used += take;
		report[used] = '\0';
	}
	int e = errno;
	close(fd);
	errno = e;
	return result;
}

int tsr_set_winsize(int fd, unsigned rows, unsigned cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
	return ioctl(fd, TIOCSWINSZ, &ws);
}

int tsr_open_path(const char *path)
{
	return open(path, O_PATH | O_CLOEXEC);
}

int tsr_write_proc_file(pid_t pid, const char *name, const char *data, size_t len)
{
	if (strchr(name, '/')) {
		errno = EINVAL;
		return -1;
	}
	/* only the root of a real procfs (not a bind of anything over /proc) */
	int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sfs;
	struct stat st;
	if (proc < 0)
		return -1;
	if (fstatfs(proc, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC || fstat(proc, &st) < 0 || st.st_ino != 1) {
		close(proc);
		errno = EXDEV;
		return -1;
	}
	char rel[64];
	snprintf(rel, sizeof rel, "%d/%s", (int)pid, name);
	int fd = openat(proc, rel, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	close(proc);
	if (fd < 0)
		return -1;
	/* id maps must be written in one write(2) */
	ssize_t n = write(fd, data, len);
	int e = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n < 0 ? e : EIO;
		return -1;
	}
	return 0;
}
