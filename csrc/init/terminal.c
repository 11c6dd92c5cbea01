/*
 * process.terminal: a pty from the container's own devpts. The peer is taken
 * from the master with TIOCGPTPEER (never opened by a path the container
 * controls), bound onto /dev/console by fd, made the controlling terminal and
 * stdio; the master goes to the console socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <termios.h>
#include "init.h"

/* The mount point for the pty: /dev/console as a plain file in the
   container's /dev. A symlink there (the rootfs's, or one swapped in) is
   removed, never followed: the bind must not land on what it points to
   (a procfs file, say). CVE-2025-52565. */
static int console_target(int root)
{
	int dev = resolve_in_root(root, "/dev", 'd');
	struct stat st;
	if (dev < 0)
		die_errno("terminal: /dev");
	if (fstatat(dev, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISCHR(st.st_mode) && unlinkat(dev, "console", 0) < 0)
		die_errno("terminal: removing /dev/console (not a file)");
	int f = openat(dev, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (f >= 0)
		close(f);
	int dst = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0 || fstat(dst, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)))
		die_errno("terminal: /dev/console is not a file");
	close(dev);
	return dst;
}

void setup_console(void)
{
	if (!cfg.has_console)
		return;
	if (fds.console < 0)
		die("terminal: process.terminal is set but there is no console socket");
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		die_errno("terminal: opening /dev/ptmx");
	struct statfs sfs;
	if (fstatfs(master, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC)
		die("terminal: /dev/ptmx is not on a devpts filesystem");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		die_errno("terminal: unlocking the pty");
	int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		die_errno("terminal: opening the pty peer");
	if (cfg.console.rows || cfg.console.cols) {
		struct winsize ws = { .ws_row = cfg.console.rows, .ws_col = cfg.console.cols };
		if (ioctl(peer, TIOCSWINSZ, &ws) < 0)
			die_errno("terminal: setting the window size");
	}
	if (cfg.mode == TSR_MODE_CREATE) {
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		int dst = root < 0 ? -1 : console_target(root);
		int tree = bind_fd_onto(peer, NULL, dst, 0);
		if (tree < 0)
			die_errno("terminal: binding the pty onto /dev/console");
		close(tree);
		close(dst);
		close(root);
	}
	/* like runc, the message body is the pty's name */
	unsigned int ptn = 0;
	char name[32] = "/dev/ptmx";
	if (ioctl(master, TIOCGPTN, &ptn) == 0)
		snprintf(name, sizeof name, "/dev/pts/%u", ptn);
	send_fd(fds.console, master, name);
	close(master);
	close(fds.console);
	fds.console = -1;
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		die_errno("terminal: making the pty the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(peer, i) < 0)
			die_errno("terminal: dup2");
	if (peer > 2)
		close(peer);
}
