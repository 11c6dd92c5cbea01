#!/bin/sh
# Stage 2 of the test VM's init, run by the guest root's /bin/sh as PID 1:
# the usual pseudo filesystems, cgroup2 alone at /sys/fs/cgroup with every
# controller enabled for children, then /tsrunc-vm-ctl/cmd; its exit status
# goes to /tsrunc-vm-ctl/status and the VM powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
  echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control
done
mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
ip link set lo up 2>/dev/null || true
stty -F /dev/console -onlcr 2>/dev/null || true
hostname tsrunc-vm

sh /tsrunc-vm-ctl/cmd
echo $? > /tsrunc-vm-ctl/status
sync
echo o > /proc/sysrq-trigger
sleep 60
