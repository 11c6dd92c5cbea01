/*
 * Compiles a runtime-spec seccomp profile to classic BPF with libseccomp, in
 * the parent, before any fork. The init helper only loads the result (see
 * TSR_R_SECCOMP in protocol.h). TypeScript (src/linux/seccomp.ts) maps the
 * spec's strings to the numbers below and turns errors into config paths.
 */
#ifndef TSRUNC_SECCOMP_COMPILE_H
#define TSRUNC_SECCOMP_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tsr_scmp_arg {
	uint32_t index;     /* syscall argument 0..5 */
	uint32_t op;        /* enum scmp_compare: SCMP_CMP_NE (1) .. SCMP_CMP_MASKED_EQ (7) */
	uint64_t value;     /* MASKED_EQ: the mask */
	uint64_t value_two; /* MASKED_EQ: the value the masked argument must equal */
};

struct tsr_scmp_rule {
	const char *name;   /* one syscall name */
	uint32_t action;    /* SCMP_ACT_* value, errno/trace data included */
	uint32_t nargs;
	const struct tsr_scmp_arg *args;
};

struct tsr_scmp_spec {
	uint32_t default_action;       /* SCMP_ACT_* value */
	size_t narches;
	const char *const *arches;     /* libseccomp names: "x86_64", "x86", ... */
	size_t nrules;
	const struct tsr_scmp_rule *rules;
};

enum tsr_scmp_err_kind {
	TSR_SCMP_ERR_NONE = 0,
	TSR_SCMP_ERR_DEFAULT = 1,      /* the default action */
	TSR_SCMP_ERR_ARCH = 2,         /* err_index: arches[] */
	TSR_SCMP_ERR_RULE = 3,         /* err_index: rules[] */
};

struct tsr_scmp_result {
	unsigned char *bpf;            /* malloc'd struct sock_filter[] */
	size_t bpf_len;                /* bytes */
	size_t stub_insns;             /* leading -ENOSYS stub, instructions */
	size_t *unknown;               /* malloc'd indexes into rules[] whose
	                                  name libseccomp does not know */
	size_t nunknown;
	int err_kind;                  /* enum tsr_scmp_err_kind on failure */
	size_t err_index;
};

/* 0 on success (res filled, free with tsr_seccomp_result_free); -1 with a
   one-line message in err and res->err_kind/err_index saying where. */
int tsr_seccomp_compile(const struct tsr_scmp_spec *spec,
                        struct tsr_scmp_result *res, char *err, size_t errlen);
void tsr_seccomp_result_free(struct tsr_scmp_result *res);

/* 0 if this kernel accepts SECCOMP_FILTER_FLAG_* `flags` for
   seccomp(SECCOMP_SET_MODE_FILTER), else the errno (EINVAL: unknown). */
int tsr_seccomp_flags_supported(uint32_t flags);

/* "2.5.4": the libseccomp linked in. */
void tsr_libseccomp_version(char *buf, size_t len);
/* 1 if libseccomp knows the architecture ("x86_64", "s390x", ...). */
int tsr_seccomp_arch_known(const char *name);
/* libseccomp's API level for this kernel (seccomp_api_get). */
unsigned int tsr_libseccomp_api_level(void);

#ifdef __cplusplus
}
#endif

#endif
