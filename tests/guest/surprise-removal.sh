#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM with tests/vm-kselftests.sh --surprise-removal:
# keeps card 0 busy while the host removes it (its emulator starts reading
# as all ones and stops doing DMA and interrupts), then checks that
# every waiter returned, new work fails with -ENODEV and the module unloads.
set -u
cd "$TESSERA_DIR" || exit 1
. tests/guest/lib.sh
failed=0 n=0
check() {
	local what=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $what"; else echo "not ok $n $what"; failed=1; fi
}

debug_start
check "dependencies load" load_deps
check "tessera.ko loads with a 2 s job timeout (times the time scale)" \
	insmod "$TESSERA_MODULE" job_timeout_ms=$((2000 * TESSERA_TIME_SCALE))
for ((t = 0; t < 100 * TESSERA_TIME_SCALE; t++)); do [ -e /dev/accel/accel0 ] && break; sleep 0.1; done

./tests/kselftest/lost_test &
pid=$!
sleep "$(scaled 3)"
echo "### remove the card now"
wait $pid || failed=1
check "the module unloads with the card gone" rmmod_retry

guest_report
exit $failed
