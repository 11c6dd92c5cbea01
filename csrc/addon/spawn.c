/*
 * Starts tsrunc-init from a sealed memfd copy of build/Release/tsrunc-init,
 * so /proc/<pid>/exe inside the container is never a writable host binary
 * (CVE-2019-5736). The copy is made once per process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

int tsr_helper_memfd(const char *helper)
{
	return make_memfd(helper);
}

int tsr_spawn_helper(const char *helper, const int *child_fds, int nfds, char *const argv[], pid_t *pid)
{
	int mfd = make_memfd(helper);
	if (mfd < 0)
		return -1;
	return tsr_spawn_memfd(mfd, child_fds, nfds, argv, pid);
}
