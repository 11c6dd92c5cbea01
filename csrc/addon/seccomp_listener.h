/* Handing a seccomp notify fd to the listener at linux.seccomp.listenerPath
   (config-linux.md "The Container Process State"). */
#ifndef TSRUNC_SECCOMP_LISTENER_H
#define TSRUNC_SECCOMP_LISTENER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Connects to the AF_UNIX stream socket `path` and sends `msg` (the JSON
   container process state) with `fd` attached (SCM_RIGHTS) in one sendmsg.
   0, or -1 with a one-line message in err. */
int tsr_seccomp_send_listener(const char *path, const char *msg, size_t len,
                              int fd, char *err, size_t errlen);

/* A copy of fd `fd` of process `pid` (pidfd_open + pidfd_getfd), close-on-
   exec; -1 with a message in err. */
int tsr_pidfd_getfd(int pid, int fd, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
