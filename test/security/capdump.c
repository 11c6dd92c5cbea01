/* Prints the ids and capability lines of /proc/self/status. Installed
   setuid-root in a container rootfs by caps.test.ts to check that a setuid
   binary cannot regain capabilities the config dropped. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	printf("euid=%d\n", (int)geteuid());
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10))
			fputs(line, stdout);
	return 0;
}
