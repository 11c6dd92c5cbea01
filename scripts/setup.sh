#!/usr/bin/env bash
# Installs everything tsrunc and its tests need on a fresh Debian 12 machine
# (as root), then builds the addon, the init helper, the TypeScript and the
# schema validators. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential python3 pkg-config   # node-gyp toolchain
  libseccomp-dev                       # seccomp filters compiled with libseccomp
  busybox-static                       # rootfs of the example and test bundles
  qemu-system-x86 cpio                 # the cgroup v2 test VM (test/vm/)
  golang-github-containers-common      # Podman's seccomp.json, used by the seccomp tests
  uidmap                               # newuidmap/newgidmap: rootless multi-range maps (test/userns)
  strace                               # test/binary: which files the standalone binary opens
)
bash scripts/apt-install.sh "${APT_PACKAGES[@]}"

bash scripts/setup-engines.sh   # containerd, docker, podman, ... for test/engines/

npm ci --no-audit --no-fund
npm run build
