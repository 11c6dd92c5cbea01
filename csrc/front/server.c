/*
 * Starting the warm server of a state root: the cold entry's hidden
 * `__warm-server` command, detached from the caller (its own session,
 * stdio on /dev/null), so it is always of the same build as this front.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "front/front.h"

void front_start_server(const struct front_call *call)
{
	pid_t pid = fork();
	if (pid < 0)
		return; /* the call goes cold; the next one tries again */
	if (pid > 0) {
		waitpid(pid, NULL, 0);
		return;
	}
	/* child: detach, then fork again so the server is nobody's child here */
	setsid();
	if (fork() != 0)
		_exit(0);
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	closefrom(3);
	char idle[16];
	snprintf(idle, sizeof idle, "%d", call->idle_seconds);
	setenv("TSRUNC_WARM_IDLE", idle, 1);
	setenv("TSRUNC_WARM_ENTRY", call->cold, 1);
	unsetenv("TSRUNC_WARM");
	unsetenv("NODE_OPTIONS"); /* the caller's, not the server's */
	execl(call->cold, call->cold, "--root", call->root, "__warm-server", (char *)NULL);
	_exit(127);
}
