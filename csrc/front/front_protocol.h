/*
 * Warm mode: the front (csrc/front/) <-> worker (src/server/worker.ts)
 * messages, framed like the sync protocol (struct tsr_hdr + payload, an fd
 * riding as SCM_RIGHTS). Integers are host-endian. docs/warm-mode.md tells
 * the whole exchange; src/server/front-protocol.ts mirrors these numbers.
 */
#ifndef TSR_FRONT_PROTOCOL_H
#define TSR_FRONT_PROTOCOL_H

#define TSR_FRONT_PROTO 1

/* under the state root */
#define TSR_WARM_DIR ".warm"
#define TSR_WARM_SOCK ".warm/sock"

enum tsr_front_msg {
	/* front -> worker */
	TSR_F_HELLO = 1,   /* u32 proto, u32 umask, u32 argc, u32 envc; then NUL-ended
	                      strings: build id, cwd, argv[argc], env[envc] */
	TSR_F_STDIO = 2,   /* u32 target fd (0..2), with the fd */
	TSR_F_GO = 3,      /* after W_ACCEPT: do the call */
	TSR_F_SPAWNED = 4, /* i32 pid, or -errno */
	TSR_F_WAITED = 5,  /* i32 pid (0: still running; <0: -errno), i32 exit code
	                      (-1: none), i32 signal (-1: none) */
	TSR_F_OK = 6,      /* i32 0 or -errno */

	/* worker -> front */
	TSR_W_ACCEPT = 20,    /* the call is taken (the front answers F_GO) */
	TSR_W_FALLBACK = 21,  /* not taken: the front runs the cold path */
	TSR_W_EXIT = 22,      /* u32 exit code: the call is over */
	TSR_W_PASS_FD = 23,   /* an fd for the next W_SPAWN */
	TSR_W_SPAWN = 24,     /* u32 nfds, i32 map[nfds], then NUL-ended argv; map:
	                         k >= 0 the front's fd k, -1 closed, -2-j the j-th
	                         passed fd; the last passed fd is the sealed memfd */
	TSR_W_WAIT = 25,      /* i32 pid, u32 nohang, u32 signal mask lo, u32 hi
	                         (bit n: forward signal n to pid while waiting) */
	TSR_W_SUBREAPER = 26, /* PR_SET_CHILD_SUBREAPER on the front */
};

#define TSR_FRONT_MAX_PASSED 16

#endif
