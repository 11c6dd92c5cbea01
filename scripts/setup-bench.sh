#!/usr/bin/env bash
# Installs what `npm run bench` compares tsrunc with and times it by, from
# Debian 12 (as root); on a fresh checkout also sets tsrunc up and builds it
# (scripts/setup.sh), and the standalone binary (the tsrunc-bin column) when
# it is missing. The bench runs what is built: rebuild after a change.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  hyperfine                 # the timing
  runc crun                 # the runtimes beside tsrunc (crun runs through ../shared/bin/crun-hybrid here)
  time                      # GNU time: peak RSS (item 7)
)
bash scripts/apt-install.sh --no-recommends "${APT_PACKAGES[@]}"
[ -d node_modules ] && [ -f dist/bundle/cli.cjs ] || bash scripts/setup.sh
bash scripts/setup-engines.sh     # containerd and ctr, umoci and skopeo (item 4's image)
[ -x dist/binary/tsrunc ] || npm run --silent build:binary
