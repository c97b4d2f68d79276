#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Host side of the guest tests: boot the VM with the emulated card(s), run
# a guest script (default tests/guest/kselftests.sh) in it, then judge the
# guest's dmesg.  Prints the guest's KTAP plus one line per host check.
#   tests/vm-kselftests.sh [--cards N] [--surprise-removal] [--fuzz-seed S]
#                          [--script SCRIPT [--args A,B,...] [--name NAME]]
#                          [--timeout SEC]
# --surprise-removal runs tests/guest/surprise-removal.sh, during which the
# host makes card 0 fall off the bus (tools/vm/run.sh --vanish-emu-on).
# --fuzz-seed gives the seed of the kselftests' fuzzer slice.  --script
# runs another guest script (with --args, comma-separated) under the same
# dmesg judge; its host checks are named NAME (default vm).
set -uo pipefail
cd "$(dirname "$0")/.."
cards=1 script=tests/guest/kselftests.sh extra=() name=vm args= timeout=900
while [ $# -gt 0 ]; do
	case $1 in
	--cards) cards=$2; shift 2 ;;
	--surprise-removal)
		script=tests/guest/surprise-removal.sh name=vm-surprise
		extra=(--vanish-emu-on '### remove the card now')
		shift ;;
	--fuzz-seed) args=$2; shift 2 ;;
	--script) script=$2; shift 2 ;;
	--args) args=$2; shift 2 ;;
	--name) name=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) echo "usage: $0 [--cards N] [--surprise-removal] [--fuzz-seed S] [--script SCRIPT [--args A,B] [--name NAME]] [--timeout SEC]" >&2
	   exit 2 ;;
	esac
done

log=$(mktemp /tmp/tessera-console.XXXXXX)
trap 'rm -f "$log"' EXIT

tools/vm/run.sh --cards "$cards" --timeout "$timeout" --log "$log" "${extra[@]}" "$script" ${args:+"$args"}
status=$?
tr -d '\r' <"$log" | sed -n '/^### tessera-guest: up/,/^### dmesg begin/p' | grep -v '^###'

# The guest's dmesg, or the whole console if it never got that far.
dmesg_text=$(tr -d '\r' <"$log" | sed -n '/^### dmesg begin/,/^### dmesg end/p')
[ -n "$dmesg_text" ] || dmesg_text=$(tr -d '\r' <"$log")
# tests/dmesg-bad.ere: the same pattern tessera-fuzz scans the log with.
bad=$(echo "$dmesg_text" | grep -E -f tests/dmesg-bad.ere || true)
if [ -z "$bad" ] && [ -n "$(echo "$dmesg_text" | grep -F '### dmesg begin')" ]; then
	echo "ok - $name: guest dmesg has no WARN, BUG, oops, lockup, stall or lockdep splat"
else
	echo "not ok - $name: guest dmesg has no WARN, BUG, oops, lockup, stall or lockdep splat"
	echo "$bad" | head -n 40 | sed 's/^/# /'
fi
if [ $status = 0 ]; then
	echo "ok - $name: guest run exited cleanly"
else
	echo "not ok - $name: guest run exited cleanly (status $status)"
	tr -d '\r' <"$log" | tail -n 40 | sed 's/^/# /'
fi
