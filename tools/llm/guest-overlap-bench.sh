#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs inside the VM (tools/vm/run.sh): training throughput of accel-train
# on card 0 with the backward's engine overlap off and on
# (Documentation/llm.rst, "Engine overlap"), in one boot so that both
# modes see the same host: one warm-up run (the card's first jobs build
# its caches), then ROUNDS rounds of both modes, in alternating order;
# each run is STEPS steps of the default model (ACCEL-TRAIN-ARGS change
# it).  Prints each run's tokens/s and the mean of each mode.
#   tools/vm/run.sh tools/llm/guest-overlap-bench.sh [ROUNDS,STEPS[,ACCEL-TRAIN-ARGS...]]
set -u
cd "$TESSERA_DIR" || exit 1
. tests/guest/lib.sh
rounds=${1:-3}
steps=${2:-30}
shift 2 2>/dev/null
load_deps
insmod "$TESSERA_MODULE" || exit 1
wait_cards 1 || exit 1
declare -A sum=([off]=0 [on]=0)
status=0
# train MODE STEPS: one run; its tokens/s in $tps ("" on failure)
train() {
	# no validation but the last one (over the whole split)
	out=$(./tools/llm/accel-train --overlap "$1" --steps "$2" --warmup 5 \
		--eval-every 100000 --log-every 100000 "${args[@]}" 2>&1) || status=1
	tps=$(echo "$out" | sed -n 's/^accel-train: .* tokens in .* s of training steps: \([0-9]*\) tokens\/s.*/\1/p')
	[ -n "$tps" ] || { echo "$out" | sed 's/^/# /'; status=1; }
}
args=("$@")
train on 5
echo "$out" | grep '^accel-train: card' | sed 's/^/# /'
echo "overlap-bench: warm-up run (overlap on, 5 steps): ${tps:-?} tokens/s"
for ((r = 1; r <= rounds; r++)); do
	order="off on"
	[ $((r % 2)) = 0 ] && order="on off"
	for mode in $order; do
		train $mode "$steps"
		echo "overlap-bench: round $r, overlap $mode: ${tps:-?} tokens/s"
		sum[$mode]=$((sum[$mode] + ${tps:-0}))
	done
done
echo "overlap-bench: mean of $rounds runs of $steps steps: off $((sum[off] / rounds)) tokens/s," \
	"on $((sum[on] / rounds)) tokens/s"
rmmod_retry
exit $status
