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
secs=${1:-600}
seed=${2:--}
shift 2 2>/dev/null || shift $#
failed=0
n=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

wait_cards() {
	local want=$1 t
	for ((t = 0; t < 100; t++)); do
		[ "$(ls /dev/accel 2>/dev/null | wc -l)" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

cards=$(grep -l '^0x7e51$' /sys/bus/pci/devices/*/device 2>/dev/null | wc -l)
echo "# guest: kernel $(uname -r), $cards Tessera card(s), fuzzing for $secs s"
check "dependencies load" modprobe -a drm drm_shmem_helper gpu-sched && { modprobe -q drm_buddy || true; }
check "tessera.ko loads" insmod ./tessera.ko watchdog_ms=1000 job_timeout_ms=5000
check "every card probes" wait_cards "$cards"

phases=$((secs / 60))
[ "$phases" -ge 1 ] || phases=1
args=(--seconds "$secs" --phases "$phases")
[ "$seed" != - ] && args+=(--seed "$seed")
start=$(date +%s)
./tests/fuzz/tessera-fuzz "${args[@]}" "$@" || failed=1
echo "# fuzz: $(( $(date +%s) - start )) s of guest time"

# rmmod fails while fences of the module are alive; the last ones go a few
# milliseconds after their holders exit.
rmmod_retry() {
	local t
	for ((t = 0; t < 50; t++)); do
		rmmod tessera 2>/dev/null && return 0
		sleep 0.1
	done
	rmmod tessera
}
check "rmmod after fuzzing" rmmod_retry
echo "### dmesg begin"
dmesg
echo "### dmesg end"
exit $failed
