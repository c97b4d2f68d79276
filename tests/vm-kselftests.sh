#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Host side of the guest tests: boot the VM with the emulated card(s), run
# tests/guest/kselftests.sh in it, then judge the guest's dmesg.  Prints the
# guest's KTAP plus one line per host-side check.
#   tests/vm-kselftests.sh [--cards N]
set -uo pipefail
cd "$(dirname "$0")/.."
cards=1
[ "${1:-}" = --cards ] && cards=$2

log=$(mktemp /tmp/tessera-console.XXXXXX)
trap 'rm -f "$log"' EXIT

tools/vm/run.sh --cards "$cards" --log "$log" tests/guest/kselftests.sh
status=$?
tr -d '\r' <"$log" | sed -n '/^### tessera-guest: up/,/^### dmesg begin/p' | grep -v '^###'

# The guest's dmesg, or the whole console if it never got that far.
dmesg_text=$(tr -d '\r' <"$log" | sed -n '/^### dmesg begin/,/^### dmesg end/p')
[ -n "$dmesg_text" ] || dmesg_text=$(tr -d '\r' <"$log")
bad=$(echo "$dmesg_text" | grep -E 'WARNING:|BUG:|Oops|kernel BUG|general protection|Call Trace:|UBSAN:|KASAN:|refcount_t:|possible circular locking|INFO: task .* blocked|list_del corruption|Kernel panic' || true)
if [ -z "$bad" ] && [ -n "$(echo "$dmesg_text" | grep -F '### dmesg begin')" ]; then
	echo "ok - vm: guest dmesg has no WARN, BUG, oops or lockdep splat"
else
	echo "not ok - vm: guest dmesg has no WARN, BUG, oops or lockdep splat"
	echo "$bad" | head -n 40 | sed 's/^/# /'
fi
if [ $status = 0 ]; then
	echo "ok - vm: guest run exited cleanly"
else
	echo "not ok - vm: guest run exited cleanly (status $status)"
	tr -d '\r' <"$log" | tail -n 40 | sed 's/^/# /'
fi
