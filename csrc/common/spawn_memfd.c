/*
 * posix_spawn of tsrunc-init from its sealed memfd (CVE-2019-5736: the
 * container never sees a writable host binary as /proc/<pid>/exe). Used by
 * the addon (cold path) and by the warm-mode front, which spawns for the
 * server so that the container's processes are the front's children.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "common/common.h"

int tsr_spawn_memfd(int mfd, const int *child_fds, int nfds, char *const argv[], pid_t *pid)
{
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
