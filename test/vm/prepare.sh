#!/usr/bin/env bash
# Prepares the v2 test VM's kernel and initramfs in a cache dir outside the
# repository (default /var/cache/tsrunc-vm, override with TSRUNC_VM_CACHE).
# The kernel is Debian's linux-image-amd64 (its real image package, found
# through the metapackage's dependency), fetched with `apt-get download` and
# unpacked with dpkg-deb -x: nothing is installed into /boot. The initramfs is
# busybox-static, the few modules needed for virtio-9p and overlayfs, and
# test/vm/init.sh. Safe to run again: it only rebuilds what is missing or stale.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TSRUNC_VM_CACHE:-/var/cache/tsrunc-vm}"
mkdir -p "$cache"
cd "$cache"

# linux-image-amd64 is a metapackage; its Depends names the image package.
image_pkg="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')"
[ -n "$image_pkg" ] || { echo "prepare: cannot resolve linux-image-amd64's image package" >&2; exit 1; }

if [ ! -f "$cache/$image_pkg.stamp" ]; then
  rm -rf kernel-root ./*.deb
  tries=0
  until apt-get download "$image_pkg"; do
    tries=$((tries + 1)); [ $tries -lt 5 ] || exit 1
    apt-get update -qq || true; sleep 5   # apt may be locked by another user
  done
  dpkg-deb -x ./"$image_pkg"_*.deb kernel-root
  rm -f ./*.deb
  touch "$cache/$image_pkg.stamp"
fi

kver="${image_pkg#linux-image-}"
cp "kernel-root/boot/vmlinuz-$kver" vmlinuz
moddir="kernel-root/lib/modules/$kver"

# Modules for: virtio PCI transport, virtio disks, 9p over virtio, overlayfs. The package
# has no modules.dep (depmod runs at install time), so dependencies are read
# from each module's own modinfo "depends=" string; built-ins are skipped.
want=(virtio_pci virtio_blk 9pnet_virtio 9p overlay)
declare -A seen=()
order=()
add_module() {
  local name="$1" rel dep
  rel="$(awk -v n="$name" '{ f=$0; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f); gsub(/-/, "_", f); if (f == n) { print; exit } }' "$moddir/modules.order")"
  if [ -z "$rel" ]; then
    grep -qE "/${name//_/[-_]}\.ko" "$moddir/modules.builtin" && return 0
    echo "prepare: module $name not found" >&2; exit 1
  fi
  [ -n "${seen[$rel]:-}" ] && return 0
  seen[$rel]=1
  for dep in $(tr '\0' '\n' < "$moddir/$rel" | sed -n 's/^depends=//p' | tr ',' ' '); do
    add_module "${dep//-/_}"
  done
  order+=("$rel")
}
for m in "${want[@]}"; do add_module "$m"; done

rm -rf initramfs-root
mkdir -p initramfs-root/{bin,dev,proc,sys,modules,newroot,lower,upper}
cp /bin/busybox initramfs-root/bin/busybox
for rel in "${order[@]}"; do
  base="${rel##*/}"
  case "$base" in
    *.ko.xz) xz -dc "$moddir/$rel" > "initramfs-root/modules/${base%.xz}" ;;
    *.ko.zst) zstd -qdc "$moddir/$rel" > "initramfs-root/modules/${base%.zst}" ;;
    *.ko.gz) gzip -dc "$moddir/$rel" > "initramfs-root/modules/${base%.gz}" ;;
    *) cp "$moddir/$rel" "initramfs-root/modules/$base" ;;
  esac
  echo "${base%%.ko*}.ko" >> initramfs-root/modules/order
done
cp "$here/init.sh" initramfs-root/init
cp "$here/stage2.sh" initramfs-root/stage2.sh
chmod 755 initramfs-root/init
(cd initramfs-root && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > initramfs.gz.tmp
mv initramfs.gz.tmp initramfs.gz
echo "$kver" > kernel-version
echo "prepare: kernel $kver, modules: ${order[*]}"
