#!/bin/sh
# Stage 2 of the test VM's init, run by the guest root's /bin/sh as PID 1:
# the usual pseudo filesystems, cgroup2 alone at /sys/fs/cgroup with every
# controller enabled for children (or a v1 / hybrid layout), then /tsrunc-vm-ctl/cmd; its exit status
# goes to /tsrunc-vm-ctl/status and the VM powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
# tsrunc.cgroup= on the kernel command line: v2 (default), v1 or hybrid;
# tsrunc.work=: where the work tree is mounted.
layout=v2
work=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    tsrunc.cgroup=*) layout="${arg#tsrunc.cgroup=}" ;;
    tsrunc.work=*) work="${arg#tsrunc.work=}" ;;
  esac
done
# A fresh /run and /tmp, unless the work tree (a CI clone in /tmp, say) is
# below one: a tmpfs there would hide it.
for d in /run /tmp; do
  case "$work/" in "$d"/*) ;; *) mount -t tmpfs tmpfs "$d" ;; esac
done
if [ "$layout" = v2 ]; then
  mount -t cgroup2 cgroup2 /sys/fs/cgroup
  for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
    echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control
  done
else
  # Like systemd's legacy/hybrid layouts: one v1 hierarchy per controller
  # group; hybrid leaves hugetlb to a cgroup2 mount at unified/.
  mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup
  groups="cpu,cpuacct cpuset memory devices freezer net_cls,net_prio blkio pids perf_event rdma misc"
  [ "$layout" = v1 ] && groups="$groups hugetlb"
  for g in $groups; do
    mkdir -p "/sys/fs/cgroup/$g"
    mount -t cgroup -o "$g" cgroup "/sys/fs/cgroup/$g" || rmdir "/sys/fs/cgroup/$g"
  done
  mkdir -p /sys/fs/cgroup/systemd
  mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
  if [ "$layout" = hybrid ]; then
    mkdir -p /sys/fs/cgroup/unified
    mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
  fi
fi
mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
ip link set lo up 2>/dev/null || true
stty -F /dev/console -onlcr 2>/dev/null || true
hostname tsrunc-vm

sh /tsrunc-vm-ctl/cmd
echo $? > /tsrunc-vm-ctl/status
sync
echo o > /proc/sysrq-trigger
sleep 60
