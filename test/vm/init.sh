#!/bin/busybox sh
# /init of the test VM's initramfs (busybox). Builds the guest root: the host
# root over virtio-9p (read-only) under a tmpfs overlay, the work tree over
# virtio-9p read-write at its host path, the control share (command + exit
# status) at /tsrunc-vm-ctl; then switch_root (so pivot_root works in
# containers) into stage 2, which mounts cgroup2 alone and runs the command.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() { echo "tsrunc-vm init: $*"; echo o > /proc/sysrq-trigger; sleep 60; }
for m in $(cat /modules/order); do insmod "/modules/$m" || fail "insmod $m"; done

work=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in tsrunc.work=*) work="${arg#tsrunc.work=}" ;; esac
done
[ -n "$work" ] || fail "no tsrunc.work= on the kernel command line"

opts=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$opts,ro,cache=loose" hostroot /lower || fail "mount host root"
mount -t tmpfs -o mode=755 tmpfs /upper || fail "mount tmpfs"
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot \
  || fail "mount overlay"
mkdir -p "/newroot$work" /newroot/tsrunc-vm-ctl
mount -t 9p -o "$opts,cache=none" worktree "/newroot$work" || fail "mount work tree"
mount -t 9p -o "$opts,cache=none" ctl /newroot/tsrunc-vm-ctl || fail "mount ctl"
cp /stage2.sh /newroot/tsrunc-vm-stage2 || fail "copy stage 2"

umount /proc /sys /dev 2>/dev/null
exec switch_root /newroot /bin/sh /tsrunc-vm-stage2
