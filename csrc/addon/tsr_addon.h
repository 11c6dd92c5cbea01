/*
 * Plain C side of the addon, one file per concern. Functions return -1 with
 * errno set on failure; addon.cc turns that into a JavaScript Error with
 * context. Only addon.cc includes N-API.
 */
#ifndef TSR_ADDON_H
#define TSR_ADDON_H

#include <stdint.h>
#include <sys/types.h>
#include "common/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* spawn.c: the sealed memfd copy of the helper (made once per process) */
int tsr_helper_memfd(const char *helper);
int tsr_spawn_helper(const char *helper, const int *child_fds, int nfds, char *const argv[], pid_t *pid);

/* warm.c */
int tsr_dup2(int oldfd, int newfd);
int tsr_peer_cred(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/* proc.c */
struct tsr_wait { pid_t pid; int exited; int code; int signal; };
/* 0: *out filled; 1: WNOHANG and still running; -1: error */
int tsr_waitpid(pid_t pid, int nohang, struct tsr_wait *out);
int tsr_set_child_subreaper(void);
int tsr_mkfifo(const char *path, unsigned mode);
/* 1: the byte was read; 0: timeout or no writer; -1: error */
/* 1 once the helper's byte arrived (then, with report, reads its error text
   until EOF), 0 on timeout or a writer that left without it, -1 errno. */
int tsr_fifo_release(const char *path, int timeout_ms, char *report, size_t report_len);
int tsr_set_winsize(int fd, unsigned rows, unsigned cols);
int tsr_open_path(const char *path);
int tsr_write_proc_file(pid_t pid, const char *name, const char *data, size_t len);

/* netlink.c: move `name` into the network namespace of `pid`, renamed to
   new_name (NULL: keep the name) */
int tsr_move_net_device(const char *name, pid_t pid, const char *new_name);

#ifdef __cplusplus
}
#endif
#endif
