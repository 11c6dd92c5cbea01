#!/usr/bin/env bash
# apt-install.sh [--no-recommends] PACKAGE...: installs those of the Debian
# packages that are missing (as root). apt may be locked by another job on a
# shared machine: it retries a while. Used by the setup scripts.
set -euo pipefail
opts=()
if [ "${1:-}" = --no-recommends ]; then
  opts+=(--no-install-recommends)
  shift
fi
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
for attempt in 1 2 3 4 5 6; do
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${opts[@]}" "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "apt-install.sh: apt-get failed (attempt $attempt), retrying in 20 s" >&2
  sleep 20
done
echo "apt-install.sh: could not install: ${missing[*]}" >&2
exit 1
