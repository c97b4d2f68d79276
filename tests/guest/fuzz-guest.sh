#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM for `make fuzz-guest` (see tools/vm/run.sh):
# loads tessera.ko, runs tests/fuzz/tessera-fuzz against every card for
# SECONDS (in phases of about a minute), unloads the module and dumps dmesg
# between markers for the host to scan.  Prints KTAP; exits non-zero on
# any finding.
#   tests/guest/fuzz-guest.sh [SECONDS [SEED [FUZZER-OPTION...]]]
# An empty or "-" SEED lets the fuzzer pick one (it prints it).
set -u
cd "$TESSERA_DIR" || exit 1
. tests/guest/lib.sh
secs=${1:-600}
seed=${2:--}
shift 2 2>/dev/null || shift $#
failed=0
n=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

cards=$(grep -l '^0x7e51$' /sys/bus/pci/devices/*/device 2>/dev/null | wc -l)
echo "# guest: kernel $(uname -r), $cards Tessera card(s), $TESSERA_MODULE, time scale $TESSERA_TIME_SCALE, fuzzing for $secs s"
debug_start
check "dependencies load" load_deps
check "tessera.ko loads" insmod "$TESSERA_MODULE" watchdog_ms=$((1000 * TESSERA_TIME_SCALE)) \
	job_timeout_ms=$((5000 * TESSERA_TIME_SCALE))
check "every card probes" wait_cards "$cards"

phases=$((secs / 60))
[ "$phases" -ge 1 ] || phases=1
args=(--seconds "$secs" --phases "$phases")
[ "$seed" != - ] && args+=(--seed "$seed")
start=$(date +%s)
./tests/fuzz/tessera-fuzz "${args[@]}" "$@" || failed=1
echo "# fuzz: $(( $(date +%s) - start )) s of guest time"
if [ "$failed" != 0 ]; then
	# What the cards still hold once every fuzzing process is gone.
	for d in /sys/kernel/debug/accel/*/; do
		for f in rings contexts; do
			[ -r "$d$f" ] && sed "s|^|# $d$f: |" "$d$f" | head -40
		done
	done
	echo "# lsmod: $(grep '^tessera ' /proc/modules)"
fi

check "rmmod after fuzzing" rmmod_retry
guest_report
exit $failed
