#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# Run libFuzzer targets for a bounded time each and print TAP.
#
#   run-fuzz.sh SECONDS BUILD_DIR SEED_DIR TARGET...
#
# Each target is BUILD_DIR/TARGET; it grows BUILD_DIR/corpus/TARGET from
# SEED_DIR/TARGET (read only) and leaves crash inputs and its log in
# BUILD_DIR, never in the source tree.
set -u
secs=$1 dir=$2 seeds=$3
shift 3

echo "TAP version 13"
echo "1..$#"
n=0 fail=0
for t in "$@"; do
	n=$((n + 1))
	mkdir -p "$dir/corpus/$t"
	log=$dir/$t.log
	if "$dir/$t" -max_total_time="$secs" -rss_limit_mb=1536 -timeout=30 \
		-print_final_stats=1 -artifact_prefix="$dir/$t-" \
		"$dir/corpus/$t" "$seeds/$t" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok $n - $t: $secs s, no crash (${execs:-?} execs)"
	else
		fail=1
		echo "not ok $n - $t: crash, see $log"
		grep -E '^(==|SUMMARY|.*ERROR)' "$log" | head -20 | sed 's/^/# /'
	fi
done
exit $fail
