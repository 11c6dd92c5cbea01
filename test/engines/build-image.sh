#!/usr/bin/env bash
# Builds the engine tests' images offline (no registry is reachable):
#   busybox-static rootfs → OCI layout (umoci) → docker-archive tars (skopeo)
# Usage: build-image.sh OUTDIR
# Writes OUTDIR/busybox.tar (localhost/tsrunc-test/busybox:latest, cmd sh)
# and OUTDIR/pause.tar (localhost/tsrunc-test/pause:latest, a sleeper used as
# the CRI sandbox image), plus OUTDIR/oci (the layout both came from).
set -euo pipefail
out=${1:?usage: build-image.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for tool in umoci skopeo; do
  command -v "$tool" >/dev/null || { echo "build-image.sh: $tool not installed" >&2; exit 1; }
done
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
  { echo "build-image.sh: $busybox is not busybox-static" >&2; exit 1; }

rootfs="$out/rootfs"
rm -rf "$rootfs" "$out/oci" "$out/busybox.tar" "$out/pause.tar"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home/tsr,var/tmp,work}
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# One symlink per applet, at the path busybox itself reports (bin/sh, usr/bin/id, ...).
"$busybox" --list-full | while read -r applet; do
  [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$rootfs/$applet"
done
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tsr:x:1000:1000:tsrunc test user:/home/tsr:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
tsr:x:1000:
nogroup:x:65534:
EOF
chown 1000:1000 "$rootfs/home/tsr"
: >"$rootfs/etc/hosts"
: >"$rootfs/etc/resolv.conf"
echo tsrunc-test >"$rootfs/etc/hostname"

layout="$out/oci"
umoci init --layout "$layout"
umoci new --image "$layout:busybox"
umoci insert --image "$layout:busybox" "$rootfs" /
umoci config --image "$layout:busybox" --config.cmd /bin/sh \
  --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.workingdir /
# Same layer, another config: a process that idles until killed (CRI sandbox).
umoci config --image "$layout:busybox" --tag pause --clear=config.cmd \
  --config.entrypoint /bin/sleep --config.entrypoint 2147483647
umoci gc --layout "$layout"

skopeo copy --quiet "oci:$layout:busybox" \
  "docker-archive:$out/busybox.tar:localhost/tsrunc-test/busybox:latest"
skopeo copy --quiet "oci:$layout:pause" \
  "docker-archive:$out/pause.tar:localhost/tsrunc-test/pause:latest"
rm -rf "$rootfs"
echo "$out/busybox.tar $out/pause.tar"
