/*
 * Test-only, built statically by the tests into a container's rootfs (never
 * committed as a binary): makes one raw syscall and prints the result, so
 * filters can be checked inside real containers.
 *
 *   raw-syscall NR [ARG...] [, NR [ARG...]]...   x86_64 ABI
 *   raw-syscall --int80 NR [ARG...]              i386 ABI (int $0x80)
 *
 * Prints "ret=R errno=E" per syscall; exits 0. Several syscalls in one run
 * (separated by ",") check many rules without a shell in between.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long int80(long nr, const long *a)
{
	long ret;

	__asm__ volatile("int $0x80"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]),
	                   "D"(a[4])
	                 : "memory");
	return ret;
}

/* One syscall from argv[*i] on; leaves *i after its arguments. */
static void one(int argc, char **argv, int *i, int compat)
{
	long a[6] = {0}, nr, ret, err;

	nr = strtol(argv[(*i)++], NULL, 0);
	for (int j = 0; j < 6 && *i < argc && strcmp(argv[*i], ",") != 0; j++)
		a[j] = (long)strtoull(argv[(*i)++], NULL, 0);
	if (compat) {
		ret = int80(nr, a);
		err = ret < 0 && ret > -4096 ? -ret : 0;
		if (err)
			ret = -1;
	} else {
		ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		err = ret < 0 ? errno : 0;
	}
	printf("ret=%ld errno=%ld\n", ret, err);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int i = 1, compat = 0;

	if (i < argc && strcmp(argv[i], "--int80") == 0) {
		compat = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: raw-syscall [--int80] NR [ARG...] [, NR [ARG...]]...\n");
		return 2;
	}
	while (i < argc) {
		one(argc, argv, &i, compat);
		if (i < argc && strcmp(argv[i], ",") == 0)
			i++;
	}
	return 0;
}
