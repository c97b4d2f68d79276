#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM (tools/vm/run.sh): loads tessera.ko and runs
# ONNX's node tests on card 0 (tests/onnx/onnx-conform), printing KTAP.
# kselftests.sh runs the same tool in the full suite; this script runs it
# alone:  flock /tmp/tessera-vm.lock tools/vm/run.sh tests/guest/onnx-conform.sh
set -u
cd "$TESSERA_DIR" || exit 1
. tests/guest/lib.sh
load_deps && insmod "$TESSERA_MODULE" || { echo "not ok 1 tessera.ko loads"; exit 1; }
for ((t = 0; t < 100; t++)); do
	[ -e /dev/accel/accel0 ] && break
	sleep 0.1
done
./tests/onnx/onnx-conform -c 0 "$@"
status=$?
rmmod tessera
exit $status
