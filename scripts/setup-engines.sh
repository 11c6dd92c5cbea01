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
bash "$(dirname "$0")/apt-install.sh" --no-recommends "${APT_PACKAGES[@]}"
