/*
 * Seccomp profile -> classic BPF, with libseccomp (never hand-written BPF).
 * Runs in the parent before any fork; the BPF goes to the helper in the
 * TSR_R_SECCOMP record and is loaded there just before execve.
 *
 * Follows runc where the runtime-spec is silent:
 *  - the native architecture is always in the filter (seccomp_init adds it);
 *    listing it again is not an error;
 *  - a rule whose action equals the default action is skipped (libseccomp
 *    refuses it, and it changes nothing);
 *  - syscall names libseccomp does not know are skipped and reported back,
 *    so the caller can log them at debug level;
 *  - when two conditions of one rule name the same argument, each condition
 *    becomes a rule of its own (libseccomp cannot AND two tests of one
 *    argument), which is runc's "old behaviour";
 *  - more than 32 rules: binary-tree optimisation, as runc does;
 *  - the -ENOSYS stub goes in front (seccomp_enosys.c).
 * Filter flags (LOG, SPEC_ALLOW, ...) are not libseccomp attributes here:
 * they only matter at load time, and the helper passes them to seccomp(2).
 */
#include "seccomp_compile.h"
#include "seccomp_enosys.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_SYSCALL_ARGS 6
#define STUB_CAP 256

/* "what: strerror(rc)"; rc is an errno or a negative libseccomp return. */
static void set_err(char *err, size_t errlen, const char *what, int rc)
{
	snprintf(err, errlen, "%s: %s", what, strerror(rc < 0 ? -rc : rc));
}

/* Adds one rule; splits conditions on a repeated argument (see top). */
static int add_rule(scmp_filter_ctx ctx, int nr, const struct tsr_scmp_rule *r)
{
	struct scmp_arg_cmp cmp[MAX_SYSCALL_ARGS];
	unsigned int seen = 0;
	int repeated = 0;
	uint32_t i;

	if (r->nargs == 0)
		return seccomp_rule_add_array(ctx, r->action, nr, 0, NULL);
	for (i = 0; i < r->nargs; i++) {
		if (r->args[i].index >= MAX_SYSCALL_ARGS)
			return -EINVAL;
		if (seen & (1u << r->args[i].index))
			repeated = 1;
		seen |= 1u << r->args[i].index;
	}
	if (!repeated) {
		for (i = 0; i < r->nargs; i++) {
			cmp[i].arg = r->args[i].index;
			cmp[i].op = (enum scmp_compare)r->args[i].op;
			cmp[i].datum_a = r->args[i].value;
			cmp[i].datum_b = r->args[i].value_two;
		}
		return seccomp_rule_add_array(ctx, r->action, nr, r->nargs, cmp);
	}
	for (i = 0; i < r->nargs; i++) {
		int rc;

		cmp[0].arg = r->args[i].index;
		cmp[0].op = (enum scmp_compare)r->args[i].op;
		cmp[0].datum_a = r->args[i].value;
		cmp[0].datum_b = r->args[i].value_two;
		rc = seccomp_rule_add_array(ctx, r->action, nr, 1, cmp);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* seccomp_export_bpf writes to an fd: a memfd, read back into memory. */
static int export_bpf(scmp_filter_ctx ctx, struct tsr_scmp_result *res,
                      char *err, size_t errlen)
{
	int fd = memfd_create("tsrunc-seccomp-bpf", MFD_CLOEXEC);
	off_t size;
	size_t done = 0;
	int rc;

	if (fd < 0) {
		set_err(err, errlen, "memfd_create", errno);
		return -1;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		set_err(err, errlen, "seccomp_export_bpf", rc);
		goto fail;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0) {
		set_err(err, errlen, "seccomp_export_bpf: empty program",
		        size < 0 ? errno : EINVAL);
		goto fail;
	}
	res->bpf = malloc((size_t)size);
	if (!res->bpf) {
		set_err(err, errlen, "malloc", ENOMEM);
		goto fail;
	}
	while (done < (size_t)size) {
		ssize_t n = pread(fd, res->bpf + done, (size_t)size - done,
		                  (off_t)done);
		if (n <= 0) {
			set_err(err, errlen, "reading the exported BPF",
			        n < 0 ? errno : EIO);
			goto fail;
		}
		done += (size_t)n;
	}
	res->bpf_len = done;
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/* Puts the -ENOSYS stub in front of the program; checks the kernel's size
   limit (BPF_MAXINSNS) so a too-large profile fails here, not at load. */
static int prepend_stub(const struct tsr_scmp_spec *spec,
                        struct tsr_scmp_result *res, char *err, size_t errlen)
{
	struct sock_filter stub[STUB_CAP];
	size_t n = tsr_seccomp_enosys_stub(spec, stub, STUB_CAP);
	size_t total = n + res->bpf_len / sizeof(struct sock_filter);
	unsigned char *buf;

	if (total > BPF_MAXINSNS) {
		snprintf(err, errlen, "the filter has %zu BPF instructions, more "
		         "than the kernel's limit of %d", total, BPF_MAXINSNS);
		return -1;
	}
	res->stub_insns = n;
	if (n == 0)
		return 0;
	buf = malloc(n * sizeof(stub[0]) + res->bpf_len);
	if (!buf) {
		set_err(err, errlen, "malloc", ENOMEM);
		return -1;
	}
	memcpy(buf, stub, n * sizeof(stub[0]));
	memcpy(buf + n * sizeof(stub[0]), res->bpf, res->bpf_len);
	free(res->bpf);
	res->bpf = buf;
	res->bpf_len += n * sizeof(stub[0]);
	return 0;
}

static int push_unknown(struct tsr_scmp_result *res, size_t i)
{
	size_t *u = realloc(res->unknown, (res->nunknown + 1) * sizeof(*u));

	if (!u)
		return -1;
	u[res->nunknown++] = i;
	res->unknown = u;
	return 0;
}

int tsr_seccomp_compile(const struct tsr_scmp_spec *spec,
                        struct tsr_scmp_result *res, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	ctx = seccomp_init(spec->default_action);
	if (!ctx) {
		res->err_kind = TSR_SCMP_ERR_DEFAULT;
		snprintf(err, errlen, "libseccomp rejects default action 0x%x "
		         "(not supported by this kernel?)", spec->default_action);
		return -1;
	}
	for (i = 0; i < spec->narches; i++) {
		uint32_t arch = seccomp_arch_resolve_name(spec->arches[i]);
		const struct scmp_version *v = seccomp_version();

		if (arch == 0) {
			res->err_kind = TSR_SCMP_ERR_ARCH;
			res->err_index = i;
			snprintf(err, errlen, "architecture \"%s\" is not supported "
			         "by libseccomp %u.%u.%u", spec->arches[i],
			         v->major, v->minor, v->micro);
			goto fail;
		}
		rc = seccomp_arch_add(ctx, arch);
		if (rc == -EDOM) {
			res->err_kind = TSR_SCMP_ERR_ARCH;
			res->err_index = i;
			snprintf(err, errlen, "architecture \"%s\" has another byte "
			         "order than the native one: libseccomp cannot mix "
			         "them in one filter", spec->arches[i]);
			goto fail;
		}
		if (rc < 0 && rc != -EEXIST) {
			res->err_kind = TSR_SCMP_ERR_ARCH;
			res->err_index = i;
			snprintf(err, errlen, "adding architecture \"%s\": %s",
			         spec->arches[i], strerror(-rc));
			goto fail;
		}
	}
	if (spec->nrules > 32)
		/* Only an optimisation: older libseccomp lacks it. */
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

	for (i = 0; i < spec->nrules; i++) {
		const struct tsr_scmp_rule *r = &spec->rules[i];
		int nr;

		if (r->action == spec->default_action)
			continue;
		nr = seccomp_syscall_resolve_name(r->name);
		if (nr == __NR_SCMP_ERROR) {
			if (push_unknown(res, i) < 0) {
				res->err_kind = TSR_SCMP_ERR_RULE;
				res->err_index = i;
				set_err(err, errlen, "malloc", ENOMEM);
				goto fail;
			}
			continue;
		}
		rc = add_rule(ctx, nr, r);
		if (rc < 0) {
			res->err_kind = TSR_SCMP_ERR_RULE;
			res->err_index = i;
			snprintf(err, errlen, "libseccomp rejects the rule for "
			         "syscall %s: %s", r->name, strerror(-rc));
			goto fail;
		}
	}
	if (export_bpf(ctx, res, err, errlen) < 0 ||
	    prepend_stub(spec, res, err, errlen) < 0)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	free(res->unknown);
	res->unknown = NULL;
	res->nunknown = 0;
	free(res->bpf);
	res->bpf = NULL;
	return -1;
}

void tsr_seccomp_result_free(struct tsr_scmp_result *res)
{
	free(res->bpf);
	free(res->unknown);
	memset(res, 0, sizeof(*res));
}

int tsr_seccomp_flags_supported(uint32_t flags)
{
	/* A NULL program: a kernel that knows every flag fails copying it
	   (EFAULT); an unknown flag fails first with EINVAL. */
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);

	if (rc == 0)
		return 0; /* cannot happen with a NULL program */
	return errno == EFAULT ? 0 : errno;
}

void tsr_libseccomp_version(char *buf, size_t len)
{
	const struct scmp_version *v = seccomp_version();

	snprintf(buf, len, "%u.%u.%u", v->major, v->minor, v->micro);
}

int tsr_seccomp_arch_known(const char *name)
{
	return seccomp_arch_resolve_name(name) != 0;
}

unsigned int tsr_libseccomp_api_level(void)
{
	return seccomp_api_get();
}
