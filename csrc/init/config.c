/*
 * Walks the TSR_P_CONFIG packet (a sequence of tsr_hdr records) into
 * struct config. Strings point into the packet, which lives until execve.
 * Every record is bounds-checked: a malformed packet is an error, not a crash.
 */
#include <string.h>
#include "init.h"

struct config cfg;

struct cursor { const char *p; uint32_t left; uint32_t type; };

static void need(struct cursor *c, uint32_t n)
{
	if (c->left < n)
		die("config: record %u is truncated", c->type);
}

static uint32_t take_u32(struct cursor *c)
{
	uint32_t v;
	need(c, sizeof v);
	memcpy(&v, c->p, sizeof v);
	c->p += sizeof v;
	c->left -= sizeof v;
	return v;
}

static void take_struct(struct cursor *c, void *out, uint32_t size)
{
	need(c, size);
	memcpy(out, c->p, size);
	c->p += size;
	c->left -= size;
}

static const char *take_str(struct cursor *c)
{
	const char *end = memchr(c->p, '\0', c->left);
	if (!end)
		die("config: record %u has an unterminated string", c->type);
	const char *s = c->p;
	uint32_t n = (uint32_t)(end - c->p) + 1;
	c->p += n;
	c->left -= n;
	return s;
}

#define PUSH(arr, count, limit, what)                                  \
	({                                                             \
		if ((count) >= (int)(limit))                           \
			die("config: too many %s", what);              \
		&(arr)[(count)++];                                     \
	})

static const char **take_strs(struct cursor *c, uint32_t n)
{
	if (n > 4096)
		die("config: record %u has too many strings", c->type);
	/* NULL-terminated vector for execve; never freed (lives until exec) */
	static const char *pool[16384];
	static int used;
	if (used + (int)n + 1 > (int)(sizeof pool / sizeof pool[0]))
		die("config: too many hook strings");
	const char **v = &pool[used];
	for (uint32_t i = 0; i < n; i++)
		v[i] = take_str(c);
	v[n] = NULL;
	used += (int)n + 1;
	return v;
}

/* The rest of the record: a CPU bitmask of u64 words. */
static void take_cpu_mask(struct cursor *c, const void **mask, uint32_t *len)
{
	if (c->left == 0 || c->left % 8)
		die("config: cpu affinity mask of %u bytes", c->left);
	*mask = c->p;
	*len = c->left;
	c->p += c->left;
	c->left = 0;
}

static void parse_record(struct cursor *c)
{
	switch (c->type) {
	case TSR_R_MODE: cfg.mode = take_u32(c); break;
	case TSR_R_ID: cfg.id = take_str(c); break;
	case TSR_R_NS_JOIN: {
		struct ns_join *j = PUSH(cfg.joins, cfg.njoins, 16, "namespaces");
		j->type = take_u32(c);
		j->path = take_str(c);
		break;
	}
	case TSR_R_NS_NEW: cfg.ns_new = take_u32(c); break;
	case TSR_R_TIMENS_OFFSETS: cfg.timens_offsets = take_str(c); break;
	case TSR_R_ROOTFS: cfg.rootfs = take_str(c); break;
	case TSR_R_ROOTFS_READONLY: cfg.rootfs_readonly = (int)take_u32(c); break;
	case TSR_R_ROOTFS_PROPAGATION: cfg.propagation = take_u32(c); break;
	case TSR_R_NO_PIVOT: cfg.no_pivot = (int)take_u32(c); break;
	case TSR_R_MOUNT: {
		struct mount_rec *m = PUSH(cfg.mounts, cfg.nmounts, MAX_ITEMS, "mounts");
		take_struct(c, &m->m, sizeof m->m);
		m->src = take_str(c);
		m->dst = take_str(c);
		m->fstype = take_str(c);
		m->data = take_str(c);
		m->userns_fd = -1;
		m->tree_fd = -1;
		break;
	}
	case TSR_R_MOUNT_IDMAP: {
		if (cfg.nmounts == 0)
			die("config: idmap record without a mount");
		struct mount_rec *m = &cfg.mounts[cfg.nmounts - 1];
		struct tsr_idmap_mount im;
		take_struct(c, &im, sizeof im);
		m->idmap = 1;
		m->idmap_recursive = (int)im.recursive;
		m->uid_map = take_str(c);
		m->gid_map = take_str(c);
		break;
	}
	case TSR_R_DEVICE: {
		struct device_rec *d = PUSH(cfg.devices, cfg.ndevices, MAX_ITEMS, "devices");
		take_struct(c, &d->d, sizeof d->d);
		d->path = take_str(c);
		break;
	}
	case TSR_R_SYMLINK: {
		struct symlink_rec *s = PUSH(cfg.symlinks, cfg.nsymlinks, MAX_ITEMS, "symlinks");
		s->target = take_str(c);
		s->link = take_str(c);
		break;
	}
	case TSR_R_MASKED_PATH: *PUSH(cfg.masked, cfg.nmasked, MAX_ITEMS, "masked paths") = take_str(c); break;
	case TSR_R_READONLY_PATH: *PUSH(cfg.readonly, cfg.nreadonly, MAX_ITEMS, "readonly paths") = take_str(c); break;
	case TSR_R_HOSTNAME: cfg.hostname = take_str(c); break;
	case TSR_R_DOMAINNAME: cfg.domainname = take_str(c); break;
	case TSR_R_SYSCTL: {
		struct sysctl_rec *s = PUSH(cfg.sysctls, cfg.nsysctls, MAX_ITEMS, "sysctls");
		s->key = take_str(c);
		s->value = take_str(c);
		break;
	}
	case TSR_R_HOOK: {
		struct hook_rec *h = PUSH(cfg.hooks, cfg.nhooks, MAX_ITEMS, "hooks");
		take_struct(c, &h->h, sizeof h->h);
		h->path = take_str(c);
		h->args = take_strs(c, h->h.nargs);
		h->env = take_strs(c, h->h.nenv);
		break;
	}
	case TSR_R_RLIMIT:
		take_struct(c, PUSH(cfg.rlimits, cfg.nrlimits, 32, "rlimits"), sizeof(struct tsr_rlimit));
		break;
	case TSR_R_OOM_SCORE_ADJ: cfg.has_oom = 1; cfg.oom_score_adj = (int32_t)take_u32(c); break;
	case TSR_R_USER:
		cfg.has_user = 1;
		take_struct(c, &cfg.user, sizeof cfg.user);
		if (cfg.user.ngids > 65536)
			die("config: too many additional gids");
		need(c, cfg.user.ngids * 4);
		cfg.gids = (const uint32_t *)c->p; /* records are 4-byte aligned */
		c->p += cfg.user.ngids * 4;
		c->left -= cfg.user.ngids * 4;
		break;
	case TSR_R_CAPS: cfg.has_caps = 1; take_struct(c, &cfg.caps, sizeof cfg.caps); break;
	case TSR_R_NO_NEW_PRIVS: cfg.no_new_privs = (int)take_u32(c); break;
	case TSR_R_CWD: cfg.cwd = take_str(c); break;
	case TSR_R_ENV: *PUSH(cfg.env, cfg.nenv, MAX_STRV - 2, "env entries") = take_str(c); break;
	case TSR_R_ARG: *PUSH(cfg.args, cfg.nargs, MAX_STRV - 1, "args") = take_str(c); break;
	case TSR_R_SECCOMP:
		cfg.has_seccomp = 1;
		take_struct(c, &cfg.seccomp, sizeof cfg.seccomp);
		if (cfg.seccomp.ninstr == 0 || cfg.seccomp.ninstr > 65535)
			die("config: seccomp program has %u instructions", cfg.seccomp.ninstr);
		need(c, cfg.seccomp.ninstr * (uint32_t)sizeof(struct sock_filter));
		cfg.seccomp_prog = (const struct sock_filter *)c->p;
		c->left -= cfg.seccomp.ninstr * (uint32_t)sizeof(struct sock_filter);
		c->p += cfg.seccomp.ninstr * sizeof(struct sock_filter);
		break;
	case TSR_R_PERSONALITY: cfg.has_personality = 1; cfg.personality = take_u32(c); break;
	case TSR_R_SCHEDULER: cfg.has_sched = 1; take_struct(c, &cfg.sched, sizeof cfg.sched); break;
	case TSR_R_IOPRIO: cfg.has_ioprio = 1; cfg.ioprio = take_u32(c); break;
	case TSR_R_PRESERVE_FDS: cfg.preserve_fds = take_u32(c); break;
	case TSR_R_CONSOLE: cfg.has_console = 1; take_struct(c, &cfg.console, sizeof cfg.console); break;
	case TSR_R_NEW_KEYRING: cfg.new_keyring = (int)take_u32(c); break;
	case TSR_R_IN_USERNS: cfg.in_userns = (int)take_u32(c); break;
	case TSR_R_APPARMOR: cfg.apparmor = take_str(c); break;
	case TSR_R_CGROUP: {
		struct cgroup_rec *g = PUSH(cfg.cgroups, cfg.ncgroups, 64, "cgroups");
		take_struct(c, &g->c, sizeof g->c);
		g->path = take_str(c);
		if (g->c.kind != TSR_CGROUP_V1 && g->c.kind != TSR_CGROUP_V2)
			die("config: bad cgroup kind %u", g->c.kind);
		break;
	}
	case TSR_R_CPU_AFFINITY_INITIAL: take_cpu_mask(c, &cfg.cpu_initial, &cfg.cpu_initial_len); break;
	case TSR_R_CPU_AFFINITY_FINAL: take_cpu_mask(c, &cfg.cpu_mask, &cfg.cpu_mask_len); break;
	default:
		/* unknown records are a version mismatch between parent and helper */
		die("config: unknown record type %u", c->type);
	}
}

void parse_config(char *buf, uint32_t len)
{
	const char *p = buf;
	cfg.cwd = "/";
	while (len > 0) {
		struct tsr_hdr h;
		if (len < sizeof h)
			die("config: truncated record header");
		memcpy(&h, p, sizeof h);
		p += sizeof h;
		len -= sizeof h;
		if (h.len > len)
			die("config: record %u is longer than the packet", h.type);
		struct cursor c = { .p = p, .left = h.len, .type = h.type };
		parse_record(&c);
		/* records are padded to 4 bytes so struct payloads stay aligned */
		uint32_t padded = (h.len + 3u) & ~3u;
		if (padded > len)
			padded = len;
		p += padded;
		len -= padded;
	}
	if (cfg.mode != TSR_MODE_CREATE && cfg.mode != TSR_MODE_EXEC)
		die("config: missing or bad mode");
	/* create without process is valid (runtime.md); only start needs one */
	if (cfg.nargs == 0 && cfg.mode == TSR_MODE_EXEC)
		die("config: process.args is empty");
	cfg.args[cfg.nargs] = NULL;
	cfg.env[cfg.nenv] = NULL;
}
