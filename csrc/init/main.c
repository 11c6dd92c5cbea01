/*
 * tsrunc-init: the container-side helper (see ARCHITECTURE.md, "Parent <->
 * helper sync protocol"). Stage 0 joins the cgroups, joins/creates
 * namespaces and forks the container's init (stage 1) as a sibling
 * (CLONE_PARENT: its parent is the tsrunc process, as with runc); stage 1
 * builds the rootfs, reports ready, waits on the exec FIFO and execs the
 * process.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "init.h"

struct init_fds fds = { -1, -1, -1, -1 };
int host_proc = -1;

static int parse_fd(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < -1 || v > 65535)
		return -2;
	return (int)v;
}

/* Only the fds we were given survive; 0-2 are kept open so that nothing we
   open later can land on them. */
static void sanitize_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			_exit(1);
	int max = fds.sync;
	if (fds.fifo > max)
		max = fds.fifo;
	if (fds.console > max)
		max = fds.console;
	syscall(SYS_close_range, (unsigned)max + 1, ~0U, 0);
	int ours[] = { fds.sync, fds.fifo, fds.console };
	for (int i = 0; i < 3; i++)
		if (ours[i] >= 0 && fcntl(ours[i], F_SETFD, FD_CLOEXEC) < 0)
			die_errno("fd %d was not passed", ours[i]);
}

static void on_stop_signal(int sig) { _exit(128 + sig); }

/* PID 1 of a pid namespace ignores signals it has no handler for: while it
   waits for `start`, `tsrunc kill` must still end it. */
static void die_on_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM,
				    SIGVTALRM, SIGPROF, SIGPWR, SIGXCPU, SIGXFSZ, SIGABRT, SIGSYS };
	struct sigaction sa = { .sa_handler = on_stop_signal };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

static void wait_for_start(void)
{
	char rel[32];
	snprintf(rel, sizeof rel, "self/fd/%d", fds.fifo);
	/* reopening the O_PATH fd for writing blocks until `start` reads */
	int fd = openat(host_proc, rel, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("opening the exec fifo");
	if (write(fd, "0", 1) != 1)
		die_errno("writing the exec fifo");
	fds.start_report = fd; /* stays open (CLOEXEC) until execve */
	close(fds.fifo);
	fds.fifo = -1;
}

/* Like runc: a missing process.cwd is created (inside the new root). */
static void make_cwd(void)
{
	if (!cfg.cwd || !*cfg.cwd)
		return;
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = root < 0 ? -1 : resolve_in_root(root, cfg.cwd, 'd');
	if (fd < 0)
		die_errno("creating the process cwd %s", cfg.cwd);
	close(fd);
	close(root);
}

static void container_init(void)
{
	if (setsid() < 0)
		die_errno("setsid");
	umask(0); /* device and directory modes exactly as configured */
	host_proc = open_host_proc();
	int rootfd = prepare_rootfs();
	int mntns = has_mount_ns(); /* without one, mounts would hit the host */
	if (mntns) {
		setup_mounts(rootfd);
		setup_devices(rootfd);
		setup_symlinks(rootfd);
	}

	send_msg(TSR_C_HOOKS_REQ, NULL, 0);
	char *state = recv_msg(TSR_P_HOOKS_DONE, NULL);
	uint32_t state_len = (uint32_t)strlen(state);
	run_hooks(TSR_HOOK_CREATE_CONTAINER, state, state_len);

	switch_root(rootfd);
	close(rootfd);
	make_cwd();
	setup_console();
	set_hostname();
	write_sysctls();
	if (mntns)
		finish_rootfs();
	ensure_home_env();
	if (cfg.cwd && chdir(cfg.cwd) < 0 && errno != ENOENT && errno != EACCES)
		die_errno("chdir %s", cfg.cwd);
	const char *path = cfg.nargs ? lookup_exec() : NULL;
	if (fds.fifo < 0)
		die("create: no exec fifo was given");

	/* A notify listener must reach the parent while it still listens:
	   load the filter now (still privileged) and send the fd before READY,
	   as runc hands it over during create. The filter then also covers the
	   rest of the setup, so it must allow what that needs. */
	if (cfg.has_seccomp && cfg.seccomp.notify)
		load_seccomp();
	die_on_signals();
	send_msg(TSR_C_READY, NULL, 0);
	set_ready();
	close(fds.sync);
	fds.sync = -1;

	wait_for_start();
	if (!path)
		die("the config has no process to start");
	run_hooks(TSR_HOOK_START_CONTAINER, state, state_len);
	setup_process();
	exec_process(path);
}

static void exec_init(void)
{
	if (setsid() < 0)
		die_errno("setsid");
	/* a procfs of the container's pid namespace; only oom_score_adj uses it */
	host_proc = open_host_proc();
	setup_console();
	ensure_home_env();
	if (cfg.cwd && chdir(cfg.cwd) < 0 && errno != ENOENT && errno != EACCES)
		die_errno("chdir %s", cfg.cwd);
	const char *path = lookup_exec();
	setup_process();
	exec_process(path);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		dprintf(2, "tsrunc-init is started by tsrunc, not by hand\n");
		return 1;
	}
	fds.sync = parse_fd(argv[1]);
	fds.fifo = parse_fd(argv[2]);
	fds.console = parse_fd(argv[3]);
	if (fds.sync < 0 || fds.fifo < -1 || fds.console < -1) {
		dprintf(2, "tsrunc-init: bad fd arguments\n");
		return 1;
	}
	sanitize_fds();
	signal(SIGPIPE, SIG_IGN);

	uint32_t len;
	char *packet = recv_msg(TSR_P_CONFIG, &len);
	parse_config(packet, len);
	if (cfg.apparmor) {
		/* the host's view, before any namespace or pivot */
		char c = 0;
		int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
		cfg.apparmor_enabled = fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
		if (fd >= 0)
			close(fd);
		if (!cfg.apparmor_enabled) /* fail the create, not the start */
			die("apparmor: profile %s requested but AppArmor is not enabled", cfg.apparmor);
	}

	/* cgroups first, by host paths: before any namespace, so that what
	   the namespaces cost the kernel is charged to the container */
	set_initial_affinity();
	join_v1_cgroups();
	int cgroup2 = prepare_cgroup2();
	if (cfg.mode == TSR_MODE_CREATE)
		make_idmap_userns();
	join_namespaces();
	unshare_namespaces();
	write_timens_offsets();

	/* stage 1 waits until stage 0 has sent C_PID, so the parent always
	   learns the pid before anything stage 1 says */
	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0)
		die_errno("pipe");
	long pid = clone_container_process(cgroup2);
	if (pid < 0)
		die_errno("forking the container process");
	if (pid > 0) {
		send_u32(TSR_C_PID, (uint32_t)pid);
		_exit(0);
	}
	if (cgroup2 >= 0)
		close(cgroup2);
	close(gate[1]);
	char c;
	while (read(gate[0], &c, 1) < 0 && errno == EINTR)
		;
	close(gate[0]);
	/* stage 1 is in all its cgroups now (the cgroup2 one since it was
	   born): the host's view of them, then a cgroup namespace rooted there */
	if (cfg.mode == TSR_MODE_CREATE)
		save_host_cgroups();
	unshare_cgroup_namespace();

	if (cfg.mode == TSR_MODE_EXEC)
		exec_init();
	else
		container_init();
	return 1;
}
