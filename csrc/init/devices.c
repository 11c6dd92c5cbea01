/*
 * Device nodes and /dev symlinks, made inside the rootfs through resolved
 * parent directories. In a user namespace mknod is not allowed: the host's
 * node is bound instead (TSR_R_DEVICE bind = 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "init.h"

/* Splits `path` into its resolved (created) parent dir and the last name. */
static int open_parent(int rootfd, const char *path, char *name, size_t namesz)
{
	char parent[PATH_MAX];
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len >= sizeof parent)
		die("%s: path too long", path);
	memcpy(parent, path, len);
	parent[len] = '\0';
	char *slash = strrchr(parent, '/');
	if (!slash || !slash[1] || !strcmp(slash + 1, ".") || !strcmp(slash + 1, ".."))
		die("%s: not a usable path", path);
	snprintf(name, namesz, "%s", slash + 1);
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	int fd = resolve_in_root(rootfd, parent, 'd');
	if (fd < 0)
		die_errno("%s: parent directory", path);
	return fd;
}

static void make_node(int rootfd, const struct device_rec *d)
{
	if (d->d.bind) {
		int dst = resolve_in_root(rootfd, d->path, 'f');
		if (dst < 0)
			die_errno("device %s", d->path);
		int tree = bind_fd_onto(-1, d->path, dst, 0);
		if (tree < 0)
			die_errno("device %s: binding the host node", d->path);
		close(tree);
		close(dst);
		return;
	}
	mode_t type;
	switch (d->d.type) {
	case 'c': case 'u': type = S_IFCHR; break;
	case 'b': type = S_IFBLK; break;
	case 'p': type = S_IFIFO; break;
	default: die("device %s: unknown type '%c'", d->path, (char)d->d.type);
	}
	char name[NAME_MAX + 1];
	int parent = open_parent(rootfd, d->path, name, sizeof name);
	dev_t dev = makedev(d->d.major, d->d.minor);
	mode_t mode = type | (d->d.mode & 07777);
	if (mknodat(parent, name, mode, dev) < 0) {
		if (errno != EEXIST || unlinkat(parent, name, 0) < 0 || mknodat(parent, name, mode, dev) < 0)
			die_errno("device %s: mknod", d->path);
	}
	if (fchownat(parent, name, d->d.uid, d->d.gid, AT_SYMLINK_NOFOLLOW) < 0)
		die_errno("device %s: chown", d->path);
	close(parent);
}

void setup_devices(int rootfd)
{
	for (int i = 0; i < cfg.ndevices; i++)
		make_node(rootfd, &cfg.devices[i]);
}

void setup_symlinks(int rootfd)
{
	for (int i = 0; i < cfg.nsymlinks; i++) {
		const struct symlink_rec *s = &cfg.symlinks[i];
		char name[NAME_MAX + 1];
		int parent = open_parent(rootfd, s->link, name, sizeof name);
		if (symlinkat(s->target, parent, name) < 0) {
			struct stat st;
			/* replace a file or node (e.g. a ptmx node), never a dir */
			if (errno != EEXIST || fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    S_ISDIR(st.st_mode) || unlinkat(parent, name, 0) < 0 ||
			    symlinkat(s->target, parent, name) < 0)
				die_errno("symlink %s -> %s", s->link, s->target);
		}
		close(parent);
	}
}
