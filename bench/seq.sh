#!/bin/sh
# One container lifecycle as an engine drives it, one runtime call per step:
# create, start, state, kill, delete. Usage: seq.sh RUNTIME ROOT BUNDLE [ID]
# delete uses --force: the SIGKILLed init may not be reaped yet (an engine's
# shim waits for the exit first; a shell cannot), and the flag costs the same
# for every runtime.
set -e
rt=$1 root=$2 bundle=$3 id=${4:-seq-$$}
"$rt" --root "$root" create --bundle "$bundle" "$id" </dev/null >/dev/null
"$rt" --root "$root" start "$id" >/dev/null
"$rt" --root "$root" state "$id" >/dev/null
"$rt" --root "$root" kill "$id" KILL
"$rt" --root "$root" delete --force "$id"
