#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM with tests/vm-kselftests.sh --surprise-removal:
# keeps card 0 busy while the host removes it (its emulator starts reading
# as all ones and stops doing DMA and interrupts), then checks that
# every waiter returned, new work fails with -ENODEV and the module unloads.
set -u
cd "$TESSERA_DIR" || exit 1
failed=0 n=0
check() {
	local what=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n $what"; else echo "not ok $n $what"; failed=1; fi
}

# The module's last fences go a few milliseconds after their holders exit.
rmmod_retry() {
	local t
	for ((t = 0; t < 50; t++)); do
		rmmod tessera 2>/dev/null && return 0
		sleep 0.1
	done
	rmmod tessera
}

check "dependencies load" modprobe -a drm drm_shmem_helper gpu-sched && { modprobe -q drm_buddy || true; }
check "tessera.ko loads with a 2 s job timeout" insmod "${TESSERA_MODULE:-tessera.ko}" job_timeout_ms=2000
for ((t = 0; t < 100; t++)); do [ -e /dev/accel/accel0 ] && break; sleep 0.1; done

./tests/kselftest/lost_test &
pid=$!
sleep 3
echo "### remove the card now"
wait $pid || failed=1
check "the module unloads with the card gone" rmmod_retry

echo "### dmesg begin"
dmesg
echo "### dmesg end"
exit $failed
