/*
 * C shared by the addon (csrc/addon/) and the warm-mode front (csrc/front/):
 * framed messages on unix sockets, and starting tsrunc-init from its sealed
 * memfd. Functions return -1 with errno set on failure.
 */
#ifndef TSR_COMMON_H
#define TSR_COMMON_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* sync_io.c */
int tsr_socketpair(int out[2]);
int tsr_send_message(int fd, uint32_t type, const void *payload, uint32_t len);
/* the same, passing `passfd` (>= 0) with it as SCM_RIGHTS */
int tsr_send_message_fd(int fd, uint32_t type, const void *payload, uint32_t len, int passfd);
/* 0: message read (payload malloc'd, *rfd = passed fd or -1); 1: EOF before
   a header; -1: error (ETIMEDOUT on timeout) */
int tsr_recv_message(int fd, int timeout_ms, uint32_t *type, char **payload, uint32_t *len, int *rfd);
int tsr_recv_fd(int fd, int timeout_ms);
int tsr_unix_connect(const char *path);
/* non-blocking listener: use tsr_accept */
int tsr_unix_listen(const char *path);
int tsr_accept(int fd, int timeout_ms);

/* spawn_memfd.c: posix_spawn of the sealed memfd `mfd`; child_fds[i] is the
   fd of ours that becomes the child's fd i (-1: closed), every other fd is
   closed; empty environment, default signal dispositions, nothing blocked. */
int tsr_spawn_memfd(int mfd, const int *child_fds, int nfds, char *const argv[], pid_t *pid);

#ifdef __cplusplus
}
#endif
#endif
