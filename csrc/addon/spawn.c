/*
 * Starts tsrunc-init from a sealed memfd copy of build/Release/tsrunc-init,
 * so /proc/<pid>/exe inside the container is never a writable host binary
 * (CVE-2019-5736). The copy is made once per process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include "tsr_addon.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static int sealed_memfd = -1;

static int make_memfd(const char *helper)
{
	if (sealed_memfd >= 0)
		return sealed_memfd;
	int src = open(helper, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -1;
	struct stat st;
	int fd = -1, err;
	if (fstat(src, &st) < 0)
		goto fail;
	fd = memfd_create("tsrunc-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL) /* kernels before 6.3 */
		fd = memfd_create("tsrunc-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		goto fail;
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(fd, src, NULL, (size_t)(st.st_size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail;
		}
		done += n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) < 0)
		goto fail;
	close(src);
	sealed_memfd = fd;
	return fd;
fail:
	err = errno;
	close(src);
	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

int tsr_spawn_helper(const char *helper, const int *child_fds, int nfds, char *const argv[], pid_t *pid)
{
	int mfd = make_memfd(helper);
	if (mfd < 0)
		return -1;
	int *tmp = calloc((size_t)nfds + 1, sizeof *tmp);
	if (!tmp)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	int r = 0, err = 0;
	/* sources are first copied above every target, so no dup2 can clobber
	   a source another dup2 still needs */
	for (int i = 0; i < nfds; i++) {
		tmp[i] = -1;
		if (child_fds[i] >= 0) {
			tmp[i] = fcntl(child_fds[i], F_DUPFD_CLOEXEC, nfds + 1);
			if (tmp[i] < 0) {
				err = errno;
				goto out;
			}
			posix_spawn_file_actions_adddup2(&fa, tmp[i], i);
		} else if (fcntl(i, F_GETFD) >= 0) {
			posix_spawn_file_actions_addclose(&fa, i);
		}
	}
	/* the memfd sits right after the given fds for the exec; the helper
	   closes it (and anything else above its own fds) first thing */
	posix_spawn_file_actions_adddup2(&fa, mfd, nfds);
	posix_spawn_file_actions_addclosefrom_np(&fa, nfds + 1);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char exe[32];
	snprintf(exe, sizeof exe, "/proc/self/fd/%d", nfds);
	char *const envp[] = { NULL };
	r = posix_spawn(pid, exe, &fa, &attr, argv, envp);
	if (r != 0)
		err = r;
out:
	for (int i = 0; i < nfds; i++)
		if (tmp[i] >= 0)
			close(tmp[i]);
	free(tmp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
