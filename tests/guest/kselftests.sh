#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM (see tools/vm/run.sh): loads tessera.ko, runs every
# kselftest against every card, a slice of the ioctl fuzzer on all cards,
# cycles the module, and dumps dmesg between markers for the host to scan.
# Prints KTAP; exits non-zero on any failure.
#   tests/guest/kselftests.sh [--quick] [FUZZ-SEED]
# --quick (another kernel's stage of make check) runs the kselftests on each
# card and unloads, nothing else.  Loads $TESSERA_MODULE (run.sh --module).
set -u
cd "$TESSERA_DIR" || exit 1
. tests/guest/lib.sh
quick=0
if [ "${1:-}" = --quick ]; then
	quick=1
	shift
fi
fuzz_seed=${1:-}
failed=0
n=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

# Hold a finished job's sync_file on card 0 (hold_sync_file $1); the
# holder prints "holding" and waits for a line on its stdin.
hold_start() {
	coproc HOLD { TESSERA_CARD=0 exec ./tests/kselftest/hold_sync_file "$@"; }
	read -r -t 60 hold_line <&"${HOLD[0]}"
	[ "$hold_line" = holding ]
}
hold_finish() {
	local pid=$HOLD_PID
	echo go >&"${HOLD[1]}"
	cat <&"${HOLD[0]}" | sed 's/^/# /'
	wait "$pid"
}

unbind_card0() { echo "$slot0" >/sys/bus/pci/drivers/tessera/unbind; }
bind_card0() { echo "$slot0" >/sys/bus/pci/drivers/tessera/bind && wait_cards "$cards"; }

cards=$(grep -l '^0x7e51$' /sys/bus/pci/devices/*/device 2>/dev/null | wc -l)
echo "# guest: kernel $(uname -r), $cards Tessera card(s), $TESSERA_MODULE, time scale $TESSERA_TIME_SCALE"

debug_start
check "dependencies load" load_deps
check "tessera.ko loads" insmod "$TESSERA_MODULE" watchdog_ms=$((1000 * TESSERA_TIME_SCALE)) \
	job_timeout_ms=$((5000 * TESSERA_TIME_SCALE))
check "every card probes" wait_cards "$cards"

for ((c = 0; c < cards; c++)); do
	for t in device_test bo_test submit_test sched_test memory_test prime_test recovery_test long_job_test reset_test telemetry_test pm_test vm_bind_test vm_job_test libaccel_test train_cmds_test; do
		echo "# card $c: $t"
		TESSERA_CARD=$c ./tests/kselftest/$t || failed=1
	done
done

# The VM core underneath uAPI 2 (driver/tessera_vm_selftest.c), card 0.
vm_selftest() {
	local out
	out=$(cat /sys/kernel/debug/accel/"$(basename "$(readlink /sys/class/accel/accel0/device)")"/vm_selftest) || return 1
	echo "$out" | sed 's/^/# /'
	echo "$out" | grep -q '^# [1-9][0-9]* passed, 0 failed$'
}
check "debugfs vm_selftest: binds, splits, bind queue, jobs in VMs, ASID sharing" vm_selftest

if [ $quick = 1 ]; then
	check "final rmmod" rmmod_retry
	guest_report
	exit $failed
fi

# ONNX's own node tests (libonnx-testdata), an outside oracle: one KTAP
# line per case whose operator the card implements, skips with reasons.
echo "# card 0: onnx conformance"
./tests/onnx/onnx-conform -c 0 || failed=1

check "libaccel: accel-demo enumerates, queries and runs jobs" ./tools/demo/accel-demo 0
check "accel-bench --json smoke" bash -o pipefail -c "./tools/bench/accel-bench --quick --only latency,bo --json 0 | python3 -c 'import json,sys; json.load(sys.stdin)'"
check "example vector_add" ./examples/vector_add
check "example gemm" ./examples/gemm
check "example mlp" ./examples/mlp
check "llm: the llama model on the card against the CPU reference" ./tools/llm/dev-check 0
if [ "$cards" -ge 2 ]; then
	check "llm: a data-parallel step over cards 0 and 1 (mpirun -np 2) equals card 0's step" \
		./tests/guest/dp-check.sh
fi
./tests/guest/llm-generate-test.sh || failed=1
./tests/guest/smi-test.sh || failed=1
./tests/guest/exporter-test.sh || failed=1

# A bounded slice of the ioctl fuzzer (Documentation/qa.rst): about a
# minute of guest time, every card, before the module reload cycles.
echo "# fuzz slice: seed ${fuzz_seed:-from the clock}"
./tests/fuzz/tessera-fuzz ${fuzz_seed:+--seed "$fuzz_seed"} --seconds 36 --phases 3 || failed=1

# What one user can do to the others does not depend on the card: card 0.
echo "# card 0: safety_test"
TESSERA_CARD=0 ./tests/kselftest/safety_test || failed=1

# A job that runs past one second with the watchdog out of its way: a
# buffer it writes without listing it, closed meanwhile, is not handed out.
reload() { rmmod_retry && insmod "$TESSERA_MODULE" "$@" && wait_cards "$cards"; }
check "reload with a 5 s watchdog" reload watchdog_ms=$((5000 * TESSERA_TIME_SCALE)) \
	job_timeout_ms=$((10000 * TESSERA_TIME_SCALE))
TESSERA_CARD=0 ./tests/kselftest/safety_test -t unlisted_buffer_closed_mid_job_is_not_handed_out || failed=1
check "reload with the test watchdog" reload watchdog_ms=$((1000 * TESSERA_TIME_SCALE)) \
	job_timeout_ms=$((5000 * TESSERA_TIME_SCALE))

# Lifetimes: fences and files that outlive their card or the module.
slot0=$(basename "$(readlink /sys/class/accel/accel0/device)")
check "lifetime: a job's sync_file is held" hold_start
check "lifetime: rmmod refuses while a job's sync_file is alive" bash -c '! rmmod tessera 2>/dev/null'
check "lifetime: the sync_file reads fine after the refused rmmod" hold_finish
check "lifetime: a job's sync_file is held across an unbind" hold_start
check "lifetime: unbind with the sync_file alive" unbind_card0
check "lifetime: the sync_file of an unbound card reads fine" hold_finish
check "lifetime: rebind" bind_card0
check "lifetime: a file with buffers is open across an unbind" hold_start --keep-open
check "lifetime: unbind with a file, buffers and mappings open" unbind_card0
check "lifetime: closing them after the unbind" hold_finish
check "lifetime: rebind after closing" bind_card0
check "lifetime: a thread shares buffers in a loop" hold_start --share
check "lifetime: unbind while it exports them" unbind_card0
check "lifetime: its exports fail with -ENODEV once the card is unbound" hold_finish
check "lifetime: rebind after sharing" bind_card0
echo "# card 0 after rebind: device_test"
TESSERA_CARD=0 ./tests/kselftest/device_test || failed=1

for i in 1 2 3; do
	check "rmmod, cycle $i" rmmod_retry
	check "no accel node after rmmod, cycle $i" test ! -e /dev/accel/accel0
	if [ $i = 3 ]; then
		check "modprobe, cycle $i" modprobe_module
	else
		check "insmod, cycle $i" insmod "$TESSERA_MODULE"
	fi
	check "cards back after insmod, cycle $i" wait_cards "$cards"
done
echo "# card 0 after reload: device_test"
./tests/kselftest/device_test || failed=1
check "final rmmod" rmmod_retry

guest_report
exit $failed
