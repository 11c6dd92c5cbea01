/* The -ENOSYS stub prepended to libseccomp's program (seccomp_enosys.c). */
#ifndef TSRUNC_SECCOMP_ENOSYS_H
#define TSRUNC_SECCOMP_ENOSYS_H

#include <linux/filter.h>
#include <stddef.h>

#include "seccomp_compile.h"

/* Writes the stub for `spec` into out[0..cap) and returns its length in
   instructions; 0 when no stub is needed (permissive default action,
   default ERRNO(ENOSYS), no rule names a known syscall). */
size_t tsr_seccomp_enosys_stub(const struct tsr_scmp_spec *spec,
                               struct sock_filter *out, size_t cap);

#endif
