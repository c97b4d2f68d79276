#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs inside the VM for make train (tools/vm/run.sh --out DIR): loads
# tessera.ko, trains on card 0 with tools/llm/accel-train (its options are
# this script's arguments: run.sh's comma-separated ARGS), and leaves the
# checkpoint, the loss curve as CSV and its PNG in DIR (the 9p share
# tesseraout).
set -u
cd "$TESSERA_DIR" || exit 1
. tests/guest/lib.sh
out=/run/tessera-out
mkdir -p $out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 tesseraout $out ||
	{ echo "guest-train: no output directory (run.sh --out DIR)"; exit 1; }
load_deps
insmod "$TESSERA_MODULE" || exit 1
wait_cards 1 || exit 1
./tools/llm/accel-train --out "$out/tessera-fortunes.gguf" --csv "$out/loss.csv" \
	--png "$out/loss.png" "$@"
status=$?
rmmod_retry
exit $status
