#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The VM stage of make check (two cards, the kselftests and a fuzzer slice),
# N times in a row, each with its own fuzzer seed: a test that is not N/N is
# flaky.  Each run takes the VM lock on its own, so other VM users can go
# in between.  Prints each run's failures, then one line per test that
# failed at least once ("F/N failed: NAME") and "N runs, M clean".
#   tests/vm-repeat.sh [N]   (make check-repeat RUNS=N)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
case $runs in ''|*[!0-9]*|0) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
res=build/results-repeat
rm -rf "$res"
mkdir -p "$res"
base=$(od -An -N6 -tx8 /dev/urandom | tr -d ' ')
clean=0
for ((i = 1; i <= runs; i++)); do
	seed=0x$(printf '%x' $((0x$base + i)))
	log=$res/run$i.log
	flock /tmp/tessera-vm.lock tests/vm-kselftests.sh --cards 2 --fuzz-seed "$seed" \
		--keep-log "$res/run$i-console.txt" >"$log" 2>&1
	fails=$(tr -d '\r' <"$log" | grep -E '^not ok ' || true)
	if [ -z "$fails" ]; then
		clean=$((clean + 1))
		echo "run $i/$runs (fuzz seed $seed): clean, $(grep -cE '^ok ' "$log") passed"
	else
		echo "run $i/$runs (fuzz seed $seed): $(echo "$fails" | wc -l) failed"
		echo "$fails" | sed 's/^/#   /'
		tr -d '\r' <"$log" | grep -E '^# (FINDING|report)' | head -n 5 | sed 's/^/#   /'
	fi
done
# A check's name without its number (kselftest numbering restarts per
# binary; the fuzz phases carry their counts in the name).
cat "$res"/run*.log | tr -d '\r' | grep -E '^not ok ' |
	sed -E 's/^not ok [0-9-]* *//; s/[0-9]+ ioctls.*//' | sort | uniq -c |
	awk -v n="$runs" '{ c = $1; $1 = ""; printf "%d/%d failed:%s\n", c, n, $0 }'
echo "$runs runs, $clean clean"
[ $clean = "$runs" ]
