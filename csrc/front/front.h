/*
 * The warm-mode front: a small static program that either runs the cold
 * path (execv of the Node entry) or forwards the call to a warm server.
 */
#ifndef TSR_FRONT_H
#define TSR_FRONT_H

#include <stdbool.h>
#include <sys/types.h>

struct front_call {
	int argc;
	char **argv;       /* argv without --warm[=...] */
	const char *root;  /* --root, or the default */
	bool warm;         /* warm mode asked for */
	int idle_seconds;  /* the server's idle timeout */
	char cold[4096];   /* the cold entry: tsrunc-node beside us, or ../../bin/tsrunc */
};

/* mode.c */
void front_parse(int argc, char **argv, struct front_call *call);
_Noreturn void front_exec_cold(const struct front_call *call);

/* server.c: starts the server for call->root in the background */
void front_start_server(const struct front_call *call);

/* link.c: 0 when the worker took the call (then it never returns: the front
   exits with the call's code), -1 when the cold path must run */
int front_forward(const struct front_call *call, int conn);

/* rpc.c: the worker's requests; each answers on conn, -1 on a broken link */
int front_rpc_pass_fd(int fd);
int front_rpc_spawn(int conn, const char *payload, unsigned len);
int front_rpc_wait(int conn, const char *payload, unsigned len, pid_t worker);
int front_rpc_subreaper(int conn);
void front_rpc_close_passed(void);

#endif
