/*
 * Plain C side of the addon, one file per concern. Functions return -1 with
 * errno set on failure; addon.cc turns that into a JavaScript Error with
 * context. Only addon.cc includes N-API.
 */
#ifndef TSR_ADDON_H
#define TSR_ADDON_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* spawn.c */
int tsr_spawn_helper(const char *helper, const int *child_fds, int nfds, char *const argv[], pid_t *pid);

/* sync_io.c */
int tsr_socketpair(int out[2]);
int tsr_send_message(int fd, uint32_t type, const void *payload, uint32_t len);
/* 0: message read (payload malloc'd, *rfd = passed fd or -1); 1: EOF before
   a header; -1: error (ETIMEDOUT on timeout) */
int tsr_recv_message(int fd, int timeout_ms, uint32_t *type, char **payload, uint32_t *len, int *rfd);
int tsr_recv_fd(int fd, int timeout_ms);
int tsr_unix_connect(const char *path);
int tsr_unix_listen(const char *path);
int tsr_accept(int fd, int timeout_ms);

/* proc.c */
struct tsr_wait { pid_t pid; int exited; int code; int signal; };
/* 0: *out filled; 1: WNOHANG and still running; -1: error */
int tsr_waitpid(pid_t pid, int nohang, struct tsr_wait *out);
int tsr_set_child_subreaper(void);
int tsr_mkfifo(const char *path, unsigned mode);
/* 1: the byte was read; 0: timeout or no writer; -1: error */
int tsr_fifo_release(const char *path, int timeout_ms);
int tsr_set_winsize(int fd, unsigned rows, unsigned cols);
int tsr_open_path(const char *path);
int tsr_write_proc_file(pid_t pid, const char *name, const char *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
