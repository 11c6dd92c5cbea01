/* cgroup v2 device access control with eBPF (see bpf_devices.h). The
 * instructions come from TypeScript (src/linux/cgroups/devices.ts). */
#include "bpf_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_OLD_PROGS 64

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int query_ids(int cgroup_fd, uint32_t *ids, uint32_t *count) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.query.target_fd = (uint32_t)cgroup_fd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
  attr.query.prog_cnt = *count;
  if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) return -errno;
  *count = attr.query.prog_cnt;
  return 0;
}

int tsr_bpf_devices_query(const char *cgroup_dir, uint32_t *ids, uint32_t *count) {
  int fd = open(cgroup_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  int rc = query_ids(fd, ids, count);
  close(fd);
  return rc;
}

static int load_program(const void *insns, size_t n_insns, char *err, size_t err_size) {
  static char log[65536];
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.expected_attach_type = BPF_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.insn_cnt = (uint32_t)n_insns;
  attr.license = (uint64_t)(uintptr_t) "Apache";
  log[0] = '\0';
  attr.log_buf = (uint64_t)(uintptr_t)log;
  attr.log_size = sizeof(log);
  attr.log_level = 1;
  int fd = sys_bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0 && errno == ENOSPC) { /* log too small: load again without it */
    memset(&attr.log_buf, 0, sizeof(attr.log_buf));
    attr.log_size = 0;
    attr.log_level = 0;
    fd = sys_bpf(BPF_PROG_LOAD, &attr);
  }
  if (fd < 0) {
    int e = errno;
    /* The verifier's verdict is at the end of its log. */
    size_t len = strlen(log);
    const char *tail = len > 600 ? log + len - 600 : log;
    snprintf(err, err_size, "bpf(BPF_PROG_LOAD) of the device program: %s%s%s", strerror(e),
             log[0] ? "; verifier: " : "", tail);
    return -e;
  }
  return fd;
}

int tsr_bpf_devices_apply(const char *cgroup_dir, const void *insns, size_t n_insns,
                          char *err, size_t err_size) {
  uint32_t old_ids[MAX_OLD_PROGS];
  uint32_t n_old = MAX_OLD_PROGS;
  int rc = 0;
  int cgroup_fd = open(cgroup_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (cgroup_fd < 0) {
    rc = -errno;
    snprintf(err, err_size, "open %s: %s", cgroup_dir, strerror(-rc));
    return rc;
  }
  rc = query_ids(cgroup_fd, old_ids, &n_old);
  if (rc < 0) {
    snprintf(err, err_size, "bpf(BPF_PROG_QUERY) on %s: %s", cgroup_dir, strerror(-rc));
    close(cgroup_fd);
    return rc;
  }
  int prog_fd = load_program(insns, n_insns, err, err_size);
  if (prog_fd < 0) {
    close(cgroup_fd);
    return prog_fd;
  }

  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.target_fd = (uint32_t)cgroup_fd;
  attr.attach_bpf_fd = (uint32_t)prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0) {
    rc = -errno;
    snprintf(err, err_size, "bpf(BPF_PROG_ATTACH) to %s: %s", cgroup_dir, strerror(-rc));
    goto out;
  }
  /* The new program is in place; now the old ones can go. */
  for (uint32_t i = 0; i < n_old; i++) {
    memset(&attr, 0, sizeof(attr));
    attr.prog_id = old_ids[i];
    int old_fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
    if (old_fd < 0) {
      if (errno == ENOENT) continue; /* already gone */
      rc = -errno;
      snprintf(err, err_size, "bpf(BPF_PROG_GET_FD_BY_ID %u): %s", old_ids[i], strerror(-rc));
      goto out;
    }
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)old_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    int d = sys_bpf(BPF_PROG_DETACH, &attr);
    int e = errno;
    close(old_fd);
    if (d < 0 && e != ENOENT) {
      rc = -e;
      snprintf(err, err_size, "bpf(BPF_PROG_DETACH %u) from %s: %s", old_ids[i], cgroup_dir, strerror(e));
      goto out;
    }
  }
out:
  close(prog_fd);
  close(cgroup_fd);
  return rc;
}
