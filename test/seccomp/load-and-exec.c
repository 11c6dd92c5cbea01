/*
 * Test-only: loads a BPF program compiled by tsrunc (a raw struct
 * sock_filter[] file) the way the init helper does, then either execs a
 * command or makes one raw syscall and prints its result. Built by the tests
 * with gcc at test time; never committed as a binary.
 *
 *   load-and-exec [--no-nnp] [--catch-sigsys] BPF FLAGS -- CMD [ARG...]
 *   load-and-exec [...] BPF FLAGS --syscall NR [ARG...]   (x86_64 ABI)
 *   load-and-exec [...] BPF FLAGS --int80 NR [ARG...]     (i386 ABI)
 *   load-and-exec [...] BPF FLAGS --notify-self NR VALUE [ARG...]
 *   load-and-exec [...] BPF FLAGS --notify-wait NR [ARG...]
 *
 * --syscall/--int80 print "ret=R errno=E". --catch-sigsys reports a SIGSYS
 * (SECCOMP_RET_TRAP) as "sigsys syscall=N" and exits 77. --notify-self
 * forks: the child loads the filter with NEW_LISTENER in FLAGS, passes the
 * listener fd to the parent, makes syscall NR; the parent answers the
 * notification with return value VALUE and prints "notified nr=N".
 * --notify-wait loads the filter (NEW_LISTENER in FLAGS), prints
 * "listener fd=F pid=P", keeps the fd open, waits for a byte on stdin (the
 * test hands the fd to a listener meanwhile), then makes syscall NR.
 * After the load only write, exit_group, sendmsg and the syscall under test
 * run (plus execve for CMD), so strict profiles need allow only those.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* printf with a single write(2): stdio may need syscalls a filter denies. */
static void say(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (write(1, buf, (size_t)n) < 0)
		syscall(SYS_exit_group, 3);
}

static void die(const char *what)
{
	fprintf(stderr, "load-and-exec: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	say("sigsys syscall=%d\n", si->si_syscall);
	syscall(SYS_exit_group, 77);
}

static struct sock_fprog read_bpf(const char *path)
{
	struct sock_fprog prog;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *buf;

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	if (st.st_size == 0 || st.st_size % sizeof(struct sock_filter) != 0) {
		fprintf(stderr, "load-and-exec: %s: not a sock_filter array\n", path);
		exit(2);
	}
	buf = malloc((size_t)st.st_size);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size)
		die("read bpf");
	close(fd);
	prog.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	prog.filter = buf;
	return prog;
}

static long load(struct sock_fprog *prog, unsigned long flags, int nnp)
{
	long fd;

	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS");
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
	if (fd < 0)
		die("seccomp(SECCOMP_SET_MODE_FILTER)");
	return fd;
}

static long raw_int80(long nr, const long *a)
{
	long ret;

	/* The i386 entry: seccomp sees AUDIT_ARCH_I386 and i386 numbers. */
	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]),
	                   "D"(a[4])
	                 : "memory");
	return ret;
}

static void parse_args(char **argv, int argc, long *a)
{
	int i;

	for (i = 0; i < 6; i++)
		a[i] = i < argc ? (long)strtoull(argv[i], NULL, 0) : 0;
}

static void send_fd(int sock, int fd)
{
	char data = 'f';
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
	                     .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		syscall(SYS_exit_group, 4);
}

static int recv_fd(int sock)
{
	char data;
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
	                     .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		die("recvmsg");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		die("no fd received");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Parent answers one notification with `value`; the child reports it. */
static int notify_self(struct sock_fprog *prog, unsigned long flags, int nnp,
                       long nr, long value, const long *a)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	int sv[2], lfd, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		long fd = load(prog, flags, nnp), ret;

		send_fd(sv[1], (int)fd);
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		say("ret=%ld errno=%ld\n", ret, ret < 0 ? errno : 0);
		syscall(SYS_exit_group, 0);
	}
	lfd = recv_fd(sv[0]);
	memset(&req, 0, sizeof(req));
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		die("SECCOMP_IOCTL_NOTIF_RECV");
	say("notified nr=%d\n", req.data.nr);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.val = value;
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		die("SECCOMP_IOCTL_NOTIF_SEND");
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	int i = 1, nnp = 1;
	struct sock_fprog prog;
	unsigned long flags;
	long a[6], nr, ret;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--no-nnp") == 0) {
			nnp = 0;
		} else if (strcmp(argv[i], "--catch-sigsys") == 0) {
			struct sigaction sa = {.sa_sigaction = on_sigsys,
			                       .sa_flags = SA_SIGINFO};
			sigaction(SIGSYS, &sa, NULL);
		} else {
			break;
		}
	}
	if (argc - i < 4) {
		fprintf(stderr, "usage: see the top of load-and-exec.c\n");
		return 2;
	}
	prog = read_bpf(argv[i]);
	flags = strtoul(argv[i + 1], NULL, 0);
	i += 2;
	if (strcmp(argv[i], "--notify-self") == 0 && argc - i >= 3) {
		parse_args(argv + i + 3, argc - i - 3, a);
		return notify_self(&prog, flags, nnp, strtol(argv[i + 1], NULL, 0),
		                   strtol(argv[i + 2], NULL, 0), a);
	}
	if (strcmp(argv[i], "--") == 0) {
		load(&prog, flags, nnp);
		execvp(argv[i + 1], argv + i + 1);
		die(argv[i + 1]);
	}
	nr = strtol(argv[i + 1], NULL, 0);
	parse_args(argv + i + 2, argc - i - 2, a);
	if (strcmp(argv[i], "--notify-wait") == 0) {
		long fd = load(&prog, flags, nnp);
		char byte;

		say("listener fd=%ld pid=%ld\n", fd, (long)getpid());
		if (read(0, &byte, 1) != 1)
			syscall(SYS_exit_group, 5);
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		say("ret=%ld errno=%ld\n", ret, ret < 0 ? errno : 0);
	} else if (strcmp(argv[i], "--syscall") == 0) {
		load(&prog, flags, nnp);
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		say("ret=%ld errno=%ld\n", ret, ret < 0 ? errno : 0);
	} else if (strcmp(argv[i], "--int80") == 0) {
		load(&prog, flags, nnp);
		ret = raw_int80(nr, a);
		say("ret=%ld errno=%ld\n", ret < 0 && ret > -4096 ? -1 : ret,
		    ret < 0 && ret > -4096 ? -ret : 0);
	} else {
		fprintf(stderr, "load-and-exec: unknown mode %s\n", argv[i]);
		return 2;
	}
	syscall(SYS_exit_group, 0);
	return 0;
}
