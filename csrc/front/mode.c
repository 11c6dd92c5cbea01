/*
 * Which path a call takes: warm when `--warm`, else TSRUNC_WARM, else the
 * config file says so (off by default); and where the cold entry is.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "front/front.h"

#define DEFAULT_CONFIG "/etc/tsrunc/tsrunc.conf"
#define DEFAULT_IDLE 60

/* runc's global flags that take a value (as separate argument) */
static const char *const value_flags[] = { "--root", "--log", "--log-format", "--criu", "--rootless", NULL };

static bool takes_value(const char *arg)
{
	for (int i = 0; value_flags[i]; i++)
		if (strcmp(arg, value_flags[i]) == 0)
			return true;
	return false;
}

/* 1 true, 0 false, -1 neither */
static int parse_bool(const char *v)
{
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
		return 1;
	if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
		return 0;
	return -1;
}

static _Noreturn void bad_setting(const char *where, const char *rule)
{
	fprintf(stderr, "tsrunc: %s: %s\n", where, rule);
	exit(1);
}

#define BOOL_RULE "expected true or false (also 1/0, yes/no, on/off)"
#define IDLE_RULE "expected a positive whole number of seconds"

/* a positive int, or -1 */
static int parse_seconds(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);
	return *v && !*end && n > 0 && n <= 86400 * 365 ? (int)n : -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* `key = value` lines; # comments. Sets *warm (-1 unset) and *idle; a bad
   line is an error naming the file, the line and the key. */
static void read_config(int *warm, int *idle)
{
	const char *path = getenv("TSRUNC_CONFIG");
	if (!path)
		path = DEFAULT_CONFIG;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[512], where[600];
	for (int n = 1; fgets(line, sizeof line, f); n++) {
		char *s = trim(line), *eq = strchr(s, '=');
		if (*s == '#' || *s == '\0')
			continue;
		snprintf(where, sizeof where, "%s:%d", path, n);
		if (!eq)
			bad_setting(where, "expected key = value");
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		snprintf(where, sizeof where, "%s:%d: %s", path, n, key);
		if (!strcmp(key, "warm")) {
			if ((*warm = parse_bool(val)) < 0)
				bad_setting(where, BOOL_RULE);
		} else if (!strcmp(key, "warm-idle-seconds")) {
			if ((*idle = parse_seconds(val)) < 0)
				bad_setting(where, IDLE_RULE);
		} else {
			bad_setting(where, "unknown key (known: warm, warm-idle-seconds)");
		}
	}
	fclose(f);
}

static void find_cold_entry(struct front_call *call)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		fprintf(stderr, "tsrunc: cannot find its own executable: %s\n", strerror(errno));
		exit(1);
	}
	self[n] = '\0';
	char *dir = dirname(self);
	/* the standalone install: tsrunc-node beside us; else the repository's
	   build/Release/ -> bin/tsrunc */
	snprintf(call->cold, sizeof call->cold, "%s/tsrunc-node", dir);
	if (access(call->cold, X_OK) != 0)
		snprintf(call->cold, sizeof call->cold, "%s/../../bin/tsrunc", dir);
}

/* Called as `tsrunc-warm` (a link to the front): warm, for engines that take
   only a runtime path (containerd's BinaryName, ctr --runc-binary). */
static int warm_by_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	return strcmp(base ? base + 1 : argv0, "tsrunc-warm") == 0 ? 1 : -1;
}

void front_parse(int argc, char **argv, struct front_call *call)
{
	int flag = argc > 0 ? warm_by_name(argv[0]) : -1, env = -1, conf = -1, idle = DEFAULT_IDLE;
	call->argv = calloc((size_t)argc + 1, sizeof *call->argv);
	if (!call->argv)
		exit(1);
	call->argc = 0;
	call->root = NULL;
	bool globals = true;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (i > 0 && globals) {
			if (!strcmp(a, "--warm")) {
				flag = 1;
				continue;
			}
			if (!strncmp(a, "--warm=", 7)) {
				if ((flag = parse_bool(a + 7)) < 0)
					bad_setting(a, BOOL_RULE);
				continue;
			}
			if (a[0] != '-') {
				globals = false; /* the command: flags after it are its own */
			} else if (!strcmp(a, "--root") && i + 1 < argc) {
				call->root = argv[i + 1];
			} else if (!strncmp(a, "--root=", 7)) {
				call->root = a + 7;
			}
			if (takes_value(a) && i + 1 < argc) {
				call->argv[call->argc++] = argv[i++];
				a = argv[i];
			}
		}
		call->argv[call->argc++] = (char *)a;
	}
	const char *e = getenv("TSRUNC_WARM");
	if (e && *e && (env = parse_bool(e)) < 0)
		bad_setting("TSRUNC_WARM", BOOL_RULE);
	read_config(&conf, &idle);
	const char *ie = getenv("TSRUNC_WARM_IDLE");
	if (ie && *ie && (idle = parse_seconds(ie)) < 0)
		bad_setting("TSRUNC_WARM_IDLE", IDLE_RULE);
	call->warm = flag >= 0 ? flag == 1 : env >= 0 ? env == 1 : conf == 1;
	call->idle_seconds = idle;
	if (!call->root)
		call->root = "/run/tsrunc";
	find_cold_entry(call);
}

_Noreturn void front_exec_cold(const struct front_call *call)
{
	call->argv[0] = (char *)call->cold;
	execv(call->cold, call->argv);
	fprintf(stderr, "tsrunc: running %s: %s\n", call->cold, strerror(errno));
	exit(1);
}
