/*
 * The container's root: path resolution that never leaves the rootfs,
 * preparing and switching to the rootfs, and the after-pivot finishing
 * (propagation, read-only and masked paths, read-only root), hostname and
 * sysctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "init.h"

static int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int proc_fd_path(char *buf, size_t size, int fd)
{
	return snprintf(buf, size, "/proc/self/fd/%d", fd);
}

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

/* Opens `path` (O_PATH) as if rootfd were "/": absolute symlinks and ".."
   are clamped to rootfd by the kernel. With `create`, missing components are
   made one by one, each relative to its already-resolved parent, so a
   symlink anywhere in the path cannot send the creation outside. */
static int resolve_depth(int rootfd, const char *path, int create, int depth);

int resolve_in_root(int rootfd, const char *path, int create)
{
	return resolve_depth(rootfd, path, create, 0);
}

/* A dangling symlink met while creating: continue at its target (read, not
   followed by the kernel, so it is resolved inside rootfd again). */
static int follow_dangling(int rootfd, int parent, const char *name, const char *dir,
			   const char *rest, int create, int depth)
{
	char target[PATH_MAX], next[PATH_MAX * 3 + 8];
	ssize_t n = readlinkat(parent, name, target, sizeof target - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	if (depth >= 40) {
		errno = ELOOP;
		return -1;
	}
	if (target[0] == '/')
		snprintf(next, sizeof next, "%s/%s", target, rest);
	else
		snprintf(next, sizeof next, "%s/%s/%s", dir, target, rest);
	if (strlen(next) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return resolve_depth(rootfd, next, create, depth + 1);
}

static int resolve_depth(int rootfd, const char *path, int create, int depth)
{
	int fd = sys_openat2(rootfd, path, O_PATH | O_CLOEXEC, IN_ROOT);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd;

	char buf[PATH_MAX];
	if (strlen(path) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	int parent = sys_openat2(rootfd, "/", O_PATH | O_CLOEXEC, IN_ROOT);
	if (parent < 0)
		return -1;
	char *p = buf;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *end = strchr(p, '/');
		char saved = end ? *end : '\0';
		if (end)
			*end = '\0';
		const char *name = p;
		int last = !end || !end[1 + strspn(end + 1, "/")];
		fd = sys_openat2(rootfd, buf, O_PATH | O_CLOEXEC, IN_ROOT);
		if (fd < 0 && errno == ENOENT) {
			int r;
			if (last && create == 'f') {
				r = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (r >= 0)
					close(r);
			} else {
				r = mkdirat(parent, name, 0755);
			}
			if (r < 0 && errno != EEXIST) {
				int e = errno;
				close(parent);
				errno = e;
				return -1;
			}
			fd = sys_openat2(rootfd, buf, O_PATH | O_CLOEXEC, IN_ROOT);
			if (fd < 0 && errno == ENOENT && r < 0) {
				/* EEXIST then ENOENT: `name` is a dangling symlink */
				char dir[PATH_MAX];
				memcpy(dir, buf, (size_t)(name - buf));
				dir[name - buf] = '\0';
				const char *rest = end ? path + (end - buf) + 1 : "";
				fd = follow_dangling(rootfd, parent, name, dir, rest, create, depth);
				close(parent);
				return fd;
			}
		}
		if (fd < 0) {
			int e = errno;
			close(parent);
			errno = e;
			return -1;
		}
		close(parent);
		parent = fd;
		if (end)
			*end = saved;
		p = end ? end : p + strlen(p);
	}
	return parent;
}

/* With shared propagation on / the rootfs's parent mount must not be shared
   or pivot_root fails: make the mount holding the rootfs private. */
static void make_rootfs_parent_private(void)
{
	char real[PATH_MAX];
	if (!realpath(cfg.rootfs, real))
		die_errno("rootfs %s", cfg.rootfs);
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		die_errno("reading /proc/self/mountinfo");
	char line[4096], best[PATH_MAX] = "/";
	size_t bestlen = 1;
	while (fgets(line, sizeof line, f)) {
		char mp[PATH_MAX], raw[PATH_MAX];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", raw) != 1)
			continue;
		/* undo mountinfo's octal escapes (\040 for space ...) */
		size_t j = 0;
		for (size_t i = 0; raw[i] && j < sizeof mp - 1; i++) {
			if (raw[i] == '\\' && raw[i + 1] && raw[i + 2] && raw[i + 3]) {
				mp[j++] = (char)strtol((char[]){ raw[i + 1], raw[i + 2], raw[i + 3], 0 }, NULL, 8);
				i += 3;
			} else {
				mp[j++] = raw[i];
			}
		}
		mp[j] = '\0';
		size_t n = strlen(mp);
		if (n > bestlen && strncmp(real, mp, n) == 0 && (real[n] == '/' || real[n] == '\0')) {
			strcpy(best, mp);
			bestlen = n;
		}
	}
	fclose(f);
	if (mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0)
		die_errno("making %s private", best);
}

int has_mount_ns(void)
{
	int in_mntns = (cfg.ns_new & CLONE_NEWNS) != 0;
	for (int i = 0; i < cfg.njoins; i++)
		in_mntns |= cfg.joins[i].type == CLONE_NEWNS;
	return in_mntns;
}

int prepare_rootfs(void)
{
	if (!cfg.rootfs)
		die("rootfs: no root path given");
	/* Without a mount namespace (allowed, as runc does) every mount would
	   land in the host's namespace: nothing is mounted, the process is only
	   chrooted into the rootfs (switch_root). */
	if (!has_mount_ns()) {
		int fd = open(cfg.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			die_errno("rootfs: opening %s", cfg.rootfs);
		return fd;
	}

	/* never let our mounts propagate back to the host */
	uint32_t prop = cfg.propagation ? cfg.propagation : (MS_SLAVE | MS_REC);
	/* an unbindable rootfs could not be bind mounted onto itself below:
	   private now (unbindable implies it), unbindable after switch_root */
	if (prop & MS_UNBINDABLE)
		prop = (prop & ~(uint32_t)MS_UNBINDABLE) | MS_PRIVATE;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		die_errno("rootfs: setting propagation of /");
	if (prop & MS_SHARED)
		make_rootfs_parent_private();
	/* a mount point of its own, needed by pivot_root */
	if (mount(cfg.rootfs, cfg.rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die_errno("rootfs: bind mounting %s", cfg.rootfs);
	int rootfd = open(cfg.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die_errno("rootfs: opening %s", cfg.rootfs);
	return rootfd;
}

void switch_root(int rootfd)
{
	if (fchdir(rootfd) < 0)
		die_errno("rootfs: chdir");
	if (!has_mount_ns()) {
		if (chroot(".") < 0)
			die_errno("rootfs: chroot");
	} else if (cfg.no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			die_errno("rootfs: moving the rootfs to /");
		if (chroot(".") < 0)
			die_errno("rootfs: chroot");
	} else {
		int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (oldroot < 0)
			die_errno("rootfs: opening the old root");
		/* pivot_root(".", ".") stacks the old root on top of the new one;
		   it is then detached without needing a directory for it */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			die_errno("rootfs: pivot_root");
		if (fchdir(oldroot) < 0)
			die_errno("rootfs: chdir to the old root");
		/* keep the unmount from propagating to the host */
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			die_errno("rootfs: making the old root a slave");
		if (umount2(".", MNT_DETACH) < 0)
			die_errno("rootfs: detaching the old root");
		close(oldroot);
	}
	if (chdir("/") < 0)
		die_errno("rootfs: chdir /");
	if (cfg.propagation && has_mount_ns() && mount(NULL, "/", NULL, cfg.propagation, NULL) < 0)
		die_errno("rootfs: applying rootfsPropagation");
}

static int attach(int tree, int dstfd, const char *what, const char *path)
{
	if (move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("%s %s", what, path);
	close(tree);
	return 0;
}

static void readonly_path(int root, const char *path)
{
	int fd = resolve_in_root(root, path, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		die_errno("readonly path %s", path);
	}
	int tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		die_errno("readonly path %s: bind", path);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
		die_errno("readonly path %s: making it read-only", path);
	attach(tree, fd, "readonly path", path);
	close(fd);
}

/* /dev/null of the container, checked to be the real null device before a
   file is masked with it */
static int open_dev_null(int root)
{
	int fd = resolve_in_root(root, "/dev/null", 0);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		die_errno("masking paths: /dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		die("masking paths: /dev/null is not the null device");
	return fd;
}

static void mask_path(int root, const char *path, int *devnull)
{
	int fd = resolve_in_root(root, path, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		die_errno("masked path %s", path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		die_errno("masked path %s", path);
	int tree;
	if (S_ISDIR(st.st_mode)) {
		/* an empty read-only tmpfs hides the directory */
		int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
		if (fs < 0 || fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
			die_errno("masked path %s: tmpfs", path);
		tree = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
		close(fs);
	} else {
		if (*devnull < 0)
			*devnull = open_dev_null(root);
		tree = open_tree(*devnull, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	}
	if (tree < 0)
		die_errno("masked path %s", path);
	attach(tree, fd, "masked path", path);
	close(fd);
}

void finish_rootfs(void)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		die_errno("opening /");
	for (int i = 0; i < cfg.nreadonly; i++)
		readonly_path(root, cfg.readonly[i]);
	int devnull = -1;
	for (int i = 0; i < cfg.nmasked; i++)
		mask_path(root, cfg.masked[i], &devnull);
	if (devnull >= 0)
		close(devnull);
	if (cfg.rootfs_readonly) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(root, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
			die_errno("making the root read-only");
	}
	close(root);
}

void set_hostname(void)
{
	if (cfg.hostname && sethostname(cfg.hostname, strlen(cfg.hostname)) < 0)
		die_errno("sethostname %s", cfg.hostname);
	if (cfg.domainname && setdomainname(cfg.domainname, strlen(cfg.domainname)) < 0)
		die_errno("setdomainname %s", cfg.domainname);
}

static void check_proc_root(int fd, const char *what);

/* The container's own /proc, refused unless it really is procfs. */
int open_container_proc(void)
{
	int fd = sys_openat2(AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_NO_SYMLINKS);
	check_proc_root(fd, "/proc");
	return fd;
}

void write_sysctls(void)
{
	if (cfg.nsysctls == 0)
		return;
	int proc = open_container_proc();
	for (int i = 0; i < cfg.nsysctls; i++) {
		char rel[PATH_MAX];
		if (snprintf(rel, sizeof rel, "sys/%s", cfg.sysctls[i].key) >= (int)sizeof rel)
			die("sysctl %s: name too long", cfg.sysctls[i].key);
		for (char *p = rel + 4; *p; p++)
			if (*p == '.')
				*p = '/';
		/* NO_XDEV: a file bound over a sysctl (CVE-2025-52881) is refused */
		int fd = sys_openat2(proc, rel, O_WRONLY | O_CLOEXEC,
				     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
		if (fd < 0)
			die_errno("sysctl %s", cfg.sysctls[i].key);
		size_t len = strlen(cfg.sysctls[i].value);
		if (write(fd, cfg.sysctls[i].value, len) != (ssize_t)len)
			die_errno("sysctl %s=%s", cfg.sysctls[i].key, cfg.sysctls[i].value);
		close(fd);
	}
	close(proc);
}

/* A procfs handle is only trusted if it is the root of a procfs: a bind of
   a procfs subdirectory (or of anything else) over /proc is refused. */
static void check_proc_root(int fd, const char *what)
{
	struct statfs sfs;
	struct stat st;
	if (fd < 0 || fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		die_errno("opening %s", what);
	if (sfs.f_type != PROC_SUPER_MAGIC || st.st_ino != 1 /* PROC_ROOT_INO */)
		die("%s is not the root of a procfs", what);
}

/* The helper's own procfs handle (exec FIFO reopen, oom_score_adj): a fresh
   procfs of the container's pid namespace, detached (fsmount, attached
   nowhere). Not the host's /proc: the helper waits in the container's pid
   namespace, where a process with CAP_SYS_PTRACE can reach its fds, and a
   host procfs there leads to every host process's root (CVE-2024-21626).
   Kernels without fsopen, or a user namespace whose /proc is not fully
   visible, fall back to /proc as it is, checked. */
int open_host_proc(void)
{
	int fd = -1;
	int fs = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs >= 0) {
		fsconfig(fs, FSCONFIG_SET_STRING, "subset", "pid", 0); /* optional (5.8+) */
		if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
			fd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
		close(fs);
	}
	if (fd < 0)
		fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	check_proc_root(fd, "the helper's procfs");
	return fd;
}
