/*
 * The "-ENOSYS stub" runc prepends to libseccomp's program: a syscall whose
 * number is above every syscall the profile names (for that architecture)
 * is newer than the profile, so it gets ENOSYS instead of the default
 * action. A libc then falls back to an older syscall (clone3 -> clone,
 * faccessat2 -> faccessat, ...) instead of failing with EPERM or dying.
 *
 * Only when the default action denies: ALLOW, LOG and TRACE let new
 * syscalls through anyway, and ERRNO(ENOSYS) already is the answer.
 *
 * Layout, relative jumps only, so libseccomp's program follows unchanged:
 *     ld  [arch]
 *     per architecture:  jeq ARCH ? next : skip block
 *                        ld  [nr]
 *                        (x86_64: jge X32_BIT -> the x32 test)
 *                        jgt MAX -> ENOSYS : END
 *     ja  END
 *     ENOSYS: ret ERRNO(ENOSYS)
 *     END: libseccomp's program
 */
#include "seccomp_enosys.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#define X32_SYSCALL_BIT 0x40000000u
#define NO_LIMIT 0xffffffffu
#define MAX_ARCHES 32

struct arch_max {
	uint32_t audit;     /* AUDIT_ARCH_* the kernel reports */
	uint32_t max;       /* largest referenced syscall number */
	uint32_t max_x32;   /* x86_64 only: the same for x32 (NO_LIMIT: none) */
	int seen;
};

static int denies_new_syscalls(uint32_t def)
{
	uint32_t action = def & SECCOMP_RET_ACTION_FULL;

	if (action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG ||
	    action == SECCOMP_RET_TRACE)
		return 0;
	return def != (uint32_t)SCMP_ACT_ERRNO(ENOSYS);
}

/* Largest number any rule's name has on `token`; 0 with *found = 0. */
static uint32_t largest(const struct tsr_scmp_spec *spec, uint32_t token,
                        int *found)
{
	uint32_t max = 0;
	size_t i;

	*found = 0;
	for (i = 0; i < spec->nrules; i++) {
		int nr = seccomp_syscall_resolve_name_arch(token,
		                                           spec->rules[i].name);

		if (nr < 0)
			continue; /* unknown here, or a pseudo-syscall */
		if (!*found || (uint32_t)nr > max)
			max = (uint32_t)nr;
		*found = 1;
	}
	return max;
}

static struct arch_max *slot(struct arch_max *a, size_t *n, uint32_t audit)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (a[i].audit == audit)
			return &a[i];
	if (*n == MAX_ARCHES)
		return NULL;
	memset(&a[*n], 0, sizeof(a[*n]));
	a[*n].audit = audit;
	a[*n].max = NO_LIMIT;
	a[*n].max_x32 = NO_LIMIT;
	return &a[(*n)++];
}

static void add_arch(const struct tsr_scmp_spec *spec, uint32_t token,
                     struct arch_max *a, size_t *n)
{
	int found;
	uint32_t max = largest(spec, token, &found);
	/* libseccomp's X32 token is not a kernel value: x32 is x86_64 with
	   X32_SYSCALL_BIT in the syscall number. */
	uint32_t audit = token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
	struct arch_max *s;

	if (!found)
		return;
	s = slot(a, n, audit);
	if (!s)
		return;
	s->seen = 1;
	if (token == SCMP_ARCH_X32)
		s->max_x32 = max | X32_SYSCALL_BIT;
	else
		s->max = max;
}

static struct sock_filter stmt(uint16_t code, uint32_t k)
{
	struct sock_filter f = {code, 0, 0, k};
	return f;
}

static struct sock_filter jump(uint16_t code, uint32_t k, uint8_t jt,
                               uint8_t jf)
{
	struct sock_filter f = {code, jt, jf, k};
	return f;
}

size_t tsr_seccomp_enosys_stub(const struct tsr_scmp_spec *spec,
                               struct sock_filter *out, size_t cap)
{
	struct arch_max arches[MAX_ARCHES];
	size_t narch = 0, n = 0, i, end_at, enosys_at;
	/* Each block's jumps to the ENOSYS ret and to END are patched once
	   their positions are known: remember where they are. */
	size_t fix[MAX_ARCHES * 2];
	size_t nfix = 0;

	if (!denies_new_syscalls(spec->default_action) || cap < 8)
		return 0;
	add_arch(spec, seccomp_arch_native(), arches, &narch);
	for (i = 0; i < spec->narches; i++) {
		uint32_t token = seccomp_arch_resolve_name(spec->arches[i]);

		if (token != 0)
			add_arch(spec, token, arches, &narch);
	}
	if (narch == 0)
		return 0;
	/* Worst case 5 per arch + 3: bail out (no stub) if it cannot fit. */
	if (cap < narch * 5 + 3)
		return 0;

	out[n++] = stmt(BPF_LD | BPF_W | BPF_ABS,
	                offsetof(struct seccomp_data, arch));
	for (i = 0; i < narch; i++) {
		const struct arch_max *a = &arches[i];
		int x32_split = a->audit == AUDIT_ARCH_X86_64;
		uint8_t len = x32_split ? 4 : 2;

		out[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, a->audit, 0, len);
		out[n++] = stmt(BPF_LD | BPF_W | BPF_ABS,
		                offsetof(struct seccomp_data, nr));
		if (x32_split) {
			out[n++] = jump(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 1, 0);
			fix[nfix++] = n;
			out[n++] = jump(BPF_JMP | BPF_JGT | BPF_K, a->max, 0, 0);
			fix[nfix++] = n;
			out[n++] = jump(BPF_JMP | BPF_JGT | BPF_K, a->max_x32, 0, 0);
		} else {
			fix[nfix++] = n;
			out[n++] = jump(BPF_JMP | BPF_JGT | BPF_K, a->max, 0, 0);
		}
	}
	out[n++] = stmt(BPF_JMP | BPF_JA, 1);
	enosys_at = n;
	out[n++] = stmt(BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS));
	end_at = n;
	for (i = 0; i < nfix; i++) {
		size_t at = fix[i];

		out[at].jt = (uint8_t)(enosys_at - at - 1);
		out[at].jf = (uint8_t)(end_at - at - 1);
	}
	return n;
}
