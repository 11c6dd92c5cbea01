#!/usr/bin/env bash
# Usage: test/vm/run-in-vm.sh CMD [ARGS...]
# Boots the test VM (QEMU under TCG: KVM is not available on these machines)
# and runs CMD inside it, in the current directory, which must be inside the
# work tree; exits with CMD's status. The guest sees the host root read-only
# with a tmpfs overlay, the work tree (the git top level) read-write at its
# host path, and a pure cgroup v2 hierarchy at /sys/fs/cgroup.
# Environment: TSRUNC_VM_CACHE (kernel + initramfs, see prepare.sh),
# TSRUNC_VM_MEM (MiB, default 3072), TSRUNC_VM_CPUS (default 2),
# TSRUNC_VM_TIMEOUT (seconds, default 3600), TSRUNC_VM_CGROUP (v2, the
# default; v1 or hybrid for those layouts).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TSRUNC_VM_CACHE:-/var/cache/tsrunc-vm}"
work="$(git -C "$here" rev-parse --show-toplevel)"
case "$PWD/" in "$work"/*) ;; *) echo "run-in-vm: run from inside $work" >&2; exit 2 ;; esac

if [ ! -f "$cache/vmlinuz" ] || [ ! -f "$cache/initramfs.gz" ] \
   || [ "$here/init.sh" -nt "$cache/initramfs.gz" ] || [ "$here/stage2.sh" -nt "$cache/initramfs.gz" ] \
   || [ "$here/prepare.sh" -nt "$cache/initramfs.gz" ]; then
  bash "$here/prepare.sh" >&2
fi

ctl="$(mktemp -d /tmp/tsrunc-vm-ctl.XXXXXX)"
trap 'rm -rf "$ctl"' EXIT
{
  printf 'cd %q || exit 125\n' "$PWD"
  # Carry the variables tests and tools look at; nothing else leaks in.
  for v in CI TAP TAP_TIMEOUT TSRUNC_VM_TEST_TIMEOUT_SCALE NODE_OPTIONS; do
    [ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
  done
  printf 'export TSRUNC_IN_VM=1\n'
  printf '%q ' "$@"; printf '\n'
} > "$ctl/cmd"

# A small scratch disk, so block I/O limits have a real device (/dev/vda).
truncate -s 16M "$ctl/disk.img"

fsdev() { # id path extra-options
  printf 'local,id=%s,path=%s,security_model=passthrough,multidevs=remap%s' "$1" "$2" "$3"
}
status=0
timeout --foreground "${TSRUNC_VM_TIMEOUT:-3600}" \
  qemu-system-x86_64 -nographic -no-reboot -accel tcg,thread=multi -cpu max \
    -smp "${TSRUNC_VM_CPUS:-2}" -m "${TSRUNC_VM_MEM:-3072}" \
    -kernel "$cache/vmlinuz" -initrd "$cache/initramfs.gz" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 tsrunc.work=$work tsrunc.cgroup=${TSRUNC_VM_CGROUP:-v2}" \
    -fsdev "$(fsdev hostroot / ,readonly=on)" -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    -fsdev "$(fsdev worktree "$work" '')" -device virtio-9p-pci,fsdev=worktree,mount_tag=worktree \
    -fsdev "$(fsdev ctl "$ctl" '')" -device virtio-9p-pci,fsdev=ctl,mount_tag=ctl \
    -drive file="$ctl/disk.img",if=virtio,format=raw \
    -nic none -serial mon:stdio -display none </dev/null || status=$?
if [ -s "$ctl/status" ]; then
  exit "$(cat "$ctl/status")"
fi
echo "run-in-vm: the VM ended without an exit status (qemu status $status)" >&2
exit 124
