#!/usr/bin/env bash
# Builds the example bundle (busybox-static rootfs + `tsrunc spec` config) in
# a temp dir and runs a real container from it, then cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."
TSRUNC="$PWD/bin/tsrunc"
bundle=$(mktemp -d /tmp/tsrunc-example.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $("$bundle/rootfs/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"
done
"$TSRUNC" spec --bundle "$bundle"
# Non-interactive: no terminal, and a command that shows the isolation.
node -e '
const fs = require("fs"); const p = process.argv[1];
const c = JSON.parse(fs.readFileSync(p, "utf8"));
c.process.terminal = false;
c.process.args = ["sh", "-c", "echo \"hello from $(hostname), pid $$, uid $(id -u)\"; ls /; cat /proc/self/status | grep ^Cap"];
fs.writeFileSync(p, JSON.stringify(c, null, 2));' "$bundle/config.json"
exec_status=0
"$TSRUNC" run --bundle "$bundle" "example-$$" || exec_status=$?
echo "container exited with status $exec_status"
exit "$exec_status"
