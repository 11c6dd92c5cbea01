/*
 * The config's mounts, each destination resolved inside the rootfs and the
 * mount attached to that resolved fd (never to a path string the container
 * could redirect): binds with open_tree + move_mount, filesystems with
 * mount(2) onto /proc/self/fd/N of the host's verified procfs.
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
#include <sys/wait.h>
#include "init.h"

/* MS_* flags of one mount as mount_setattr attributes (top mount only). */
static struct mount_attr flags_to_attr(uint32_t flags)
{
	struct mount_attr a = { 0 };
	if (flags & MS_RDONLY) a.attr_set |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID) a.attr_set |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV) a.attr_set |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC) a.attr_set |= MOUNT_ATTR_NOEXEC;
	if (flags & MS_NODIRATIME) a.attr_set |= MOUNT_ATTR_NODIRATIME;
	if (flags & MS_NOSYMFOLLOW) a.attr_set |= MOUNT_ATTR_NOSYMFOLLOW;
	/* atime is one 3-valued field: only touched when asked for */
	if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
		a.attr_clr |= MOUNT_ATTR__ATIME;
		if (flags & MS_NOATIME) a.attr_set |= MOUNT_ATTR_NOATIME;
		else if (flags & MS_STRICTATIME) a.attr_set |= MOUNT_ATTR_STRICTATIME;
		else a.attr_set |= MOUNT_ATTR_RELATIME;
	}
	return a;
}

static void setattr(int fd, unsigned int at, struct mount_attr *a, const char *dst, const char *what)
{
	if (!a->attr_set && !a->attr_clr && !a->propagation)
		return;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | at, a, sizeof *a) < 0)
		die_errno("mount %s: %s", dst, what);
}

/* Bind `srcpath` (or `srcfd` when srcpath is NULL) onto the resolved dstfd;
   returns the attached mount's fd. */
int bind_fd_onto(int srcfd, const char *srcpath, int dstfd, int recursive)
{
	unsigned int fl = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
	int tree = srcpath ? open_tree(AT_FDCWD, srcpath, fl) : open_tree(srcfd, "", fl | AT_EMPTY_PATH);
	if (tree < 0)
		return -1;
	if (move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		int e = errno;
		close(tree);
		errno = e;
		return -1;
	}
	return tree;
}

static void apply_after(int mnt, const struct mount_rec *m)
{
	struct mount_attr rec = { .attr_set = m->m.attr_set, .attr_clr = m->m.attr_clr };
	setattr(mnt, AT_RECURSIVE, &rec, m->dst, "recursive attributes");
	if (m->m.propagation) {
		struct mount_attr p = { .propagation = m->m.propagation & ~(uint32_t)MS_REC };
		setattr(mnt, (m->m.propagation & MS_REC) ? AT_RECURSIVE : 0, &p, m->dst, "propagation");
	}
}

/* proc/sysfs mounts, and anything mounted at /proc or /sys (a rootless
   bind of the host's /sys, say) */
static int is_proc_like(const struct mount_rec *m)
{
	if (!strcmp(m->fstype, "proc") || !strcmp(m->fstype, "sysfs"))
		return 1;
	const char *d = m->dst;
	while (d[0] == '/' && d[1] == '/')
		d++;
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		n--;
	return (n == 5 && !strncmp(d, "/proc", 5)) || (n == 4 && !strncmp(d, "/sys", 4));
}

static int open_dest(int rootfd, const struct mount_rec *m, int create)
{
	int fd = resolve_in_root(rootfd, m->dst, create);
	if (fd < 0)
		die_errno("mount %s: destination", m->dst);
	if (is_proc_like(m)) {
		/* procfs/sysfs on a symlink would let the rootfs pick where the
		   host's view of the kernel lands: refuse any symlink */
		struct open_how how = { .flags = O_PATH | O_CLOEXEC,
					.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS };
		int strict = (int)syscall(SYS_openat2, rootfd, m->dst, &how, sizeof how);
		if (strict < 0)
			die_errno("mount %s: the destination must not be or contain a symlink", m->dst);
		close(fd);
		fd = strict;
	}
	return fd;
}

static int mount_fs_at(int dstfd, const char *src, const char *fstype, uint32_t flags, const char *data, const char *dst)
{
	char target[64];
	proc_fd_path(target, sizeof target, dstfd);
	if (mount(src, target, fstype, flags, *data ? data : NULL) < 0)
		die_errno("mount %s (%s)", dst, fstype);
	return 0;
}

/* The detached copy of a bind source with the mount's flags (and idmap)
   set: it is never visible writable or unmapped. Idmapped ones are made by
   stage 0, while it still holds CAP_SYS_ADMIN in the runtime's namespaces
   (the detached copy belongs to them); the attach happens in stage 1. */
static int detached_bind(struct mount_rec *m)
{
	unsigned int fl = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((m->m.flags & MS_REC) ? AT_RECURSIVE : 0);
	int tree = open_tree(AT_FDCWD, m->src, fl);
	if (tree < 0)
		die_errno("mount %s: bind source %s", m->dst, m->src);
	struct mount_attr top = flags_to_attr(m->m.flags);
	setattr(tree, 0, &top, m->dst, "bind mount flags");
	if (m->idmap) {
		/* only possible while the copy is still detached */
		struct mount_attr id = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)m->userns_fd };
		setattr(tree, m->idmap_recursive ? AT_RECURSIVE : 0, &id, m->dst, "idmapping");
		close(m->userns_fd);
		m->userns_fd = -1;
	}
	return tree;
}

static void mount_bind(int rootfd, struct mount_rec *m)
{
	struct stat st;
	if (stat(m->src, &st) < 0)
		die_errno("mount %s: bind source %s", m->dst, m->src);
	int dst = open_dest(rootfd, m, S_ISDIR(st.st_mode) ? 'd' : 'f');
	int tree = m->tree_fd >= 0 ? m->tree_fd : detached_bind(m);
	m->tree_fd = -1;
	if (move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("mount %s: attaching bind of %s", m->dst, m->src);
	apply_after(tree, m);
	close(tree);
	close(dst);
}

static void mount_fs(int rootfd, const struct mount_rec *m)
{
	int dst = open_dest(rootfd, m, 'd');
	mount_fs_at(dst, m->src, m->fstype, m->m.flags, m->data, m->dst);
	close(dst);
	if (m->m.attr_set || m->m.attr_clr || m->m.propagation) {
		int mnt = resolve_in_root(rootfd, m->dst, 0); /* now the new mount */
		if (mnt < 0)
			die_errno("mount %s: reopening", m->dst);
		apply_after(mnt, m);
		close(mnt);
	}
}

/* ---- cgroup mounts ------------------------------------------------------ */

static void cgroup_sub(int rootfd, const struct mount_rec *m, const char *dir,
		       const char *fstype, const char *opts, const char *hostpath)
{
	char dst[PATH_MAX];
	snprintf(dst, sizeof dst, "%s/%s", m->dst, dir);
	int fd = resolve_in_root(rootfd, dst, 'd');
	if (fd < 0)
		die_errno("mount %s", dst);
	uint32_t flags = m->m.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
	if (!hostpath) {
		mount_fs_at(fd, fstype, fstype, flags, opts, dst);
	} else {
		int tree = bind_fd_onto(-1, hostpath, fd, 1);
		if (tree < 0)
			die_errno("mount %s: bind of %s", dst, hostpath);
		struct mount_attr top = flags_to_attr(flags);
		setattr(tree, AT_RECURSIVE, &top, dst, "cgroup flags");
		close(tree);
	}
	close(fd);
}

char host_cgroups[16384];

void save_host_cgroups(void)
{
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, host_cgroups, sizeof host_cgroups - 1);
	if (n < 0)
		die_errno("reading /proc/self/cgroup");
	host_cgroups[n] = '\0';
	close(fd);
}

/* Like runc: a cgroup2 host gets one cgroup2 mount; a v1/hybrid host gets a
   tmpfs with one mount per hierarchy (mounted fresh inside a cgroup
   namespace, else bound from the host's cgroup of the container). */
static void mount_cgroup(int rootfd, const struct mount_rec *m)
{
	int own_ns = (cfg.ns_new & CLONE_NEWCGROUP) && !cfg.in_userns;
	struct statfs sfs;
	if (statfs("/sys/fs/cgroup", &sfs) < 0)
		die_errno("mount %s: host /sys/fs/cgroup", m->dst);
	/* the host view, read by stage 1 before its cgroup namespace existed */
	FILE *f = fmemopen(host_cgroups, strlen(host_cgroups), "r");
	if (!f)
		die_errno("reading /proc/self/cgroup");
	char line[4096];
	if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
		while (fgets(line, sizeof line, f)) {
			line[strcspn(line, "\n")] = '\0';
			if (strncmp(line, "0::", 3) != 0)
				continue;
			char host[PATH_MAX + 32];
			snprintf(host, sizeof host, "/sys/fs/cgroup%s", line + 3);
			int fd = open_dest(rootfd, m, 'd');
			if (cfg.ns_new & CLONE_NEWCGROUP) {
				mount_fs_at(fd, "cgroup2", "cgroup2", m->m.flags, "", m->dst);
			} else {
				int tree = bind_fd_onto(-1, host, fd, 1);
				if (tree < 0)
					die_errno("mount %s: bind of %s", m->dst, host);
				struct mount_attr top = flags_to_attr(m->m.flags);
				setattr(tree, AT_RECURSIVE, &top, m->dst, "cgroup flags");
				close(tree);
			}
			close(fd);
		}
		fclose(f);
		return;
	}
	int fd = open_dest(rootfd, m, 'd');
	uint32_t tmpfs_flags = m->m.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mount_fs_at(fd, "tmpfs", "tmpfs", tmpfs_flags, "mode=755", m->dst);
	close(fd);
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		char *ctrls = strchr(line, ':');
		char *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!path)
			continue;
		*ctrls++ = '\0';
		*path++ = '\0';
		char dir[256], opts[300], host[PATH_MAX + 512];
		const char *fstype = "cgroup";
		if (!*ctrls) {
			struct statfs u;
			if (statfs("/sys/fs/cgroup/unified", &u) < 0 || u.f_type != CGROUP2_SUPER_MAGIC)
				continue;
			snprintf(dir, sizeof dir, "unified");
			opts[0] = '\0';
			fstype = "cgroup2";
		} else if (!strncmp(ctrls, "name=", 5)) {
			snprintf(dir, sizeof dir, "%s", ctrls + 5);
			snprintf(opts, sizeof opts, "none,%s", ctrls);
		} else {
			snprintf(dir, sizeof dir, "%s", ctrls);
			snprintf(opts, sizeof opts, "%s", ctrls);
		}
		snprintf(host, sizeof host, "/sys/fs/cgroup/%s%s", dir, path);
		cgroup_sub(rootfd, m, dir, fstype, opts, own_ns ? NULL : host);
		/* co-mounted controllers get a link per name, as on the host */
		if (strchr(ctrls, ',') && strncmp(ctrls, "name=", 5)) {
			char *save = NULL;
			for (char *c = strtok_r(ctrls, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
				int parent = resolve_in_root(rootfd, m->dst, 0);
				if (parent < 0 || symlinkat(dir, parent, c) < 0)
					die_errno("mount %s: link %s", m->dst, c);
				close(parent);
			}
		}
	}
	fclose(f);
	if (m->m.flags & MS_RDONLY) {
		int mnt = resolve_in_root(rootfd, m->dst, 0);
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mnt < 0)
			die_errno("mount %s: reopening", m->dst);
		setattr(mnt, 0, &ro, m->dst, "read-only");
		close(mnt);
	}
}

void setup_mounts(int rootfd)
{
	for (int i = 0; i < cfg.nmounts; i++) {
		struct mount_rec *m = &cfg.mounts[i];
		if (m->dst[0] != '/')
			die("mount %s: destination must be absolute", m->dst);
		switch (m->m.kind) {
		case TSR_MOUNT_BIND: mount_bind(rootfd, m); break;
		case TSR_MOUNT_CGROUP: mount_cgroup(rootfd, m); break;
		case TSR_MOUNT_FS: mount_fs(rootfd, m); break;
		default: die("mount %s: unknown kind %u", m->dst, m->m.kind);
		}
	}
}

/* ---- idmapped mounts ---------------------------------------------------- */

static void write_map(pid_t pid, const char *file, const char *text, const char *dst)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		die_errno("mount %s: writing the idmap %s", dst, file);
	close(fd);
}

/* An idmapped mount needs a user namespace carrying the mapping: a child
   unshares one and waits while we (still in the runtime's namespaces, where
   the host ids mean what the config says) write its maps and keep its fd. */
void make_idmap_userns(void)
{
	for (int i = 0; i < cfg.nmounts; i++) {
		struct mount_rec *m = &cfg.mounts[i];
		if (!m->idmap)
			continue;
		int gate[2], ready[2];
		if (pipe2(gate, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
			die_errno("mount %s: pipe", m->dst);
		pid_t pid = fork();
		if (pid < 0)
			die_errno("mount %s: fork", m->dst);
		if (pid == 0) {
			char c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
			close(gate[1]);
			close(ready[0]);
			if (write(ready[1], &c, 1) != 1)
				_exit(1);
			/* stay until the parent has our namespace (EOF) */
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		close(gate[0]);
		close(ready[1]);
		char c = 'n';
		while (read(ready[0], &c, 1) < 0 && errno == EINTR)
			;
		close(ready[0]);
		if (c != 'y')
			die("mount %s: could not create the idmap user namespace", m->dst);
		write_map(pid, "uid_map", m->uid_map, m->dst);
		write_map(pid, "gid_map", m->gid_map, m->dst);
		char nspath[64];
		snprintf(nspath, sizeof nspath, "/proc/%d/ns/user", (int)pid);
		m->userns_fd = open(nspath, O_RDONLY | O_CLOEXEC);
		if (m->userns_fd < 0)
			die_errno("mount %s: opening the idmap user namespace", m->dst);
		close(gate[1]);
		waitpid(pid, NULL, 0);
		m->tree_fd = detached_bind(m);
	}
}
