/* cgroup v2 device access control: load a BPF_PROG_TYPE_CGROUP_DEVICE
 * program and attach it to a cgroup, replacing the ones attached before. */
#ifndef TSRUNC_BPF_DEVICES_H
#define TSRUNC_BPF_DEVICES_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Loads the program (n_insns struct bpf_insn), attaches it to the cgroup
 * directory with BPF_F_ALLOW_MULTI, then detaches every device program that
 * was attached there before (so there is never a moment without a filter).
 * Returns 0, or -errno with a message in err. */
int tsr_bpf_devices_apply(const char *cgroup_dir, const void *insns, size_t n_insns,
                          char *err, size_t err_size);

/* The ids of the device programs attached directly to the cgroup directory.
 * *count is the capacity in, the number attached out. 0 or -errno. */
int tsr_bpf_devices_query(const char *cgroup_dir, uint32_t *ids, uint32_t *count);

#ifdef __cplusplus
}
#endif
#endif
