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
# What the model writes: a sample on the card (its first logits checked
# against the CPU reference), and how much of it is English words.
if [ "$status" = 0 ]; then
	echo "guest-train: a sample from the checkpoint (accel-generate, temperature 0.8, top-k 40)"
	./tools/llm/accel-generate --model "$out/tessera-fortunes.gguf" --prompt "" \
		--tokens 600 --temperature 0.8 --top-k 40 --seed 7 --check 8 \
		>"$out/sample.txt" || status=1
	sed 's/^/  | /' "$out/sample.txt"
	echo "guest-train: words of the sample in /usr/share/dict/words (target 60%):" \
		"$(./tools/llm/words-in-dict.sh < "$out/sample.txt")"
	# The same model decoding on the guest's CPU (the reference, one thread).
	echo "guest-train: the same model on the guest CPU (cpu-generate, greedy):" \
		"$(./tools/llm/cpu-generate --temperature 0 --tokens 100 --stats \
			"$out/tessera-fortunes.gguf" 2>&1 >/dev/null)"
fi
rmmod_retry
exit $status
