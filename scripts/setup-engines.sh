#!/usr/bin/env bash
# Installs the container engines the engine-integration tests (test/engines/)
# drive, from Debian 12 (as root). Safe to run again. Nothing is started or
# enabled here: the tests start private daemons themselves.
set -euo pipefail

APT_PACKAGES=(
  containerd                        # containerd, ctr, containerd-shim-runc-v2
  docker.io                         # dockerd, docker (Debian's, at /usr/bin/docker)
  podman conmon catatonit           # podman and its monitor / init
  containernetworking-plugins       # CNI plugins (podman, containerd CRI)
  umoci skopeo                      # build the test image offline (test/engines/build-image.sh)
  busybox-static                    # the test image's rootfs
  util-linux bsdutils               # setpriv --pdeathsig; script(1) for ctr -t
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # apt may be locked by another job on a shared machine: retry a while.
  for attempt in 1 2 3 4 5 6; do
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      exit 0
    fi
    echo "setup-engines.sh: apt-get failed (attempt $attempt), retrying in 20 s" >&2
    sleep 20
  done
  echo "setup-engines.sh: could not install: ${missing[*]}" >&2
  exit 1
fi
