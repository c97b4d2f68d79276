#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Host side of the guest tests: boot the VM with the emulated card(s), run
# a guest script (default tests/guest/kselftests.sh) in it, then judge the
# guest's dmesg (and kmemleak's findings, when the kernel has kmemleak).
# Prints the guest's KTAP plus one line per host check.
#   tests/vm-kselftests.sh [--cards N] [--surprise-removal] [--name NAME]
#                          [--require-kmemleak] [--fuzz-seed S] [--keep-log FILE]
#                          [--next-kernel]
#                          [--script SCRIPT [--args A,B,...]] [RUN.SH OPTIONS]
# --surprise-removal runs tests/guest/surprise-removal.sh, during which the
# host makes card 0 fall off the bus (tools/vm/run.sh --vanish-emu-on).
# RUN.SH OPTIONS (--kernel, --initrd, --modules, --memory, --append,
# --module, --time-scale) go
# to tools/vm/run.sh: the debug tier (tests/run-check-debug.sh) boots its
# own kernel with them.  --require-kmemleak fails the run when the guest
# printed no kmemleak scan; --name prefixes the check names (default vm);
# --keep-log saves the guest's whole console (dmesg included) to FILE.
# --fuzz-seed gives the seed of the kselftests' fuzzer slice; --script runs
# another guest script (with --args, comma-separated) under the same judge.
# --next-kernel boots the Debian 13 root's kernel (trixie-backports', see
# root_kver in tools/vm/common.sh) with its own module tree and the
# tessera.ko tools/vm/root-module.sh built for it, and runs the kselftests
# only (kselftests.sh --quick).
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/vm/common.sh
cards=1 script=tests/guest/kselftests.sh extra=() run_opts=() name= need_kmemleak=0 args=
keep=
surprise=0
while [ $# -gt 0 ]; do
	case $1 in
	--cards) cards=$2; shift 2 ;;
	--surprise-removal)
		script=tests/guest/surprise-removal.sh surprise=1
		extra=(--vanish-emu-on '### remove the card now')
		shift ;;
	--name) name=$2; shift 2 ;;
	--require-kmemleak) need_kmemleak=1; shift ;;
	--fuzz-seed|--args) args=$2; shift 2 ;;
	--script) script=$2; shift 2 ;;
	--keep-log) keep=$2; shift 2 ;;
	--next-kernel)
		k=$(root_kver) || { echo "not ok - vm-next: no kernel in $QEMU_ROOT (make setup)"; exit 1; }
		name=vm-$k args=--quick
		run_opts+=(--kernel "$QEMU_ROOT/boot/vmlinuz-$k" --initrd "$(initramfs_path "$k")"
			   --modules "$QEMU_ROOT/lib/modules/$k" --module "build/kernel-$k/tessera.ko")
		[ -r "build/kernel-$k/tessera.ko" ] ||
			{ echo "not ok - $name: no build/kernel-$k/tessera.ko (tools/vm/root-module.sh)"; exit 1; }
		shift ;;
	--kernel|--initrd|--modules|--memory|--append|--module|--time-scale|--timeout)
		run_opts+=("$1" "$2"); shift 2 ;;
	*) echo "usage: $0 [--cards N] [--surprise-removal] [--name NAME] [--require-kmemleak] [run.sh options]" >&2
	   exit 2 ;;
	esac
done
[ -n "$name" ] || name=vm
[ $surprise = 1 ] && name=$name-surprise

log=$(mktemp /tmp/tessera-console.XXXXXX)
trap 'rm -f "$log"' EXIT

tools/vm/run.sh --cards "$cards" --log "$log" "${extra[@]}" "${run_opts[@]}" "$script" ${args:+"$args"}
status=$?
[ -n "$keep" ] && tr -d '\r' <"$log" >"$keep"
tr -d '\r' <"$log" | sed -n '/^### tessera-guest: up/,/^### \(dma-api\|kmemleak\|dmesg\)/p' | grep -v '^###'

# Every report a kernel prints, stock or debug (WARN/BUG/oops, KASAN,
# UBSAN, lockdep, ODEBUG, DMA-API, corruption, lockups, hangs, stalls,
# atomic sleep, kmemleak), and the lines that look like one but are not:
# tests/dmesg-bad.ere and tests/dmesg-benign.ere, which tessera-fuzz reads
# too.
ere() { sed '/^#/d;/^$/d' "$1" | paste -sd'|'; }
report_re=$(ere tests/dmesg-bad.ere)
benign_re=$(ere tests/dmesg-benign.ere)

# A report's first line without what differs between two of the same kind:
# timestamp, CPU and PID, addresses, sizes in brackets ([len=131072]).
norm_awk='
function norm(h) {
	sub(/^\[[ 0-9.]*\] /, "", h)
	gsub(/CPU: [0-9]+ PID: [0-9]+/, "CPU: N PID: N", h)
	gsub(/0x[0-9a-f]+/, "0x...", h)
	gsub(/\[[a-z_]+=[0-9a-fx.]+\]/, "[N]", h)
	return h
}'

# The first report of each kind with the 30 lines after it (its call
# chain), at most 400 lines.
reports() {
	awk -v pat="$report_re" -v ok="$benign_re" "$norm_awk"'
	$0 ~ pat && $0 !~ ok && !seen[norm($0)]++ { left = 30 }
	left > 0 { print; left-- }' | head -n 400
}
# One line per distinct report: its first line, then "<-" and the top five
# frames of the call trace that follows it (the reporting machinery's own
# frames and the unreliable "?" ones left out).
first_lines() {
	awk -v pat="$report_re" -v ok="$benign_re" "$norm_awk"'
	function out(   i, f) {
		f = frames != "" ? "  <- " frames : ""
		for (i = 0; i < np; i++)
			if (!seen[norm(pend[i]) f]++)
				print pend[i] f
		np = 0; frames = ""; nf = 0; trace = 0
	}
	{ sub(/^\[[ 0-9.]*\] /, "") }
	trace && (/^ *<\/?(TASK|IRQ|NMI|SOFTIRQ)>/ || / \? /) { next }
	trace && /^ +[A-Za-z_.][A-Za-z0-9_.]*\+0x/ {
		f = $1
		sub(/\+0x.*/, "", f)
		if (f ~ /^(dump_stack|print_report|kasan_report|__asan_|__kasan|kasan_|__warn|warn_|report_bug|handle_bug|exc_invalid_op|asm_exc_|lockdep_|__lock_acquire|lock_acquire|validate_chain|check_|print_|__might_|___might_sleep|__ubsan_|ubsan_|err_printk|debug_dma_|kmemleak_|debug_object|debug_print_object)/)
			next
		frames = frames (nf++ ? " " : "") f
		if (nf == 5)
			out()
		next
	}
	trace { out() }
	/^Call Trace:/ { if (np) trace = 1; next }
	# one-line reports, with no call trace of their own
	/Disabling lock debugging|suspected memory leak|unknown parameter/ {
		out()
		if (!seen[norm($0)]++)
			print
		next
	}
	$0 ~ pat && $0 !~ ok {
		if (np < 8) pend[np++] = $0
		age = 0
		next
	}
	np && ++age > 200 { out() }
	END { out() }' | head -n 40
}

# The guest's dmesg, or the whole console if it never got that far.
dmesg_text=$(tr -d '\r' <"$log" | sed -n '/^### dmesg begin/,/^### dmesg end/p')
[ -n "$dmesg_text" ] || dmesg_text=$(tr -d '\r' <"$log")
bad=$(echo "$dmesg_text" | grep -E "$report_re" | grep -vE "$benign_re" || true)
what="guest dmesg has no kernel report (WARN, BUG, oops, KASAN, UBSAN, lockdep, ODEBUG, DMA-API, lockup, hang)"
if [ -z "$bad" ] && [ -n "$(echo "$dmesg_text" | grep -F '### dmesg begin')" ]; then
	echo "ok - $name: $what"
else
	echo "not ok - $name: $what"
	echo "$dmesg_text" | first_lines | sed 's/^/# report: /'
	echo "$dmesg_text" | reports | sed 's/^/# /'
fi

# The log buffer (log_buf_len= in tools/vm/run.sh) must not have wrapped:
# a report printed early would be gone.
if [ -n "$(echo "$dmesg_text" | grep -F '### dmesg begin')" ]; then
	if echo "$dmesg_text" | grep -q '\] Linux version '; then
		echo "ok - $name: guest dmesg is complete, from boot on"
	else
		echo "not ok - $name: guest dmesg is complete, from boot on (the log buffer wrapped)"
	fi
fi

# DMA-API debug counts every error, printed or not.
dma_errors=$(tr -d '\r' <"$log" | sed -n 's/^### dma-api errors: \([0-9]*\)$/\1/p' | tail -n 1)
if [ -n "$dma_errors" ]; then
	if [ "$dma_errors" = 0 ]; then
		echo "ok - $name: DMA-API debug counts no error"
	else
		echo "not ok - $name: DMA-API debug counts no error ($dma_errors errors," \
			"$(echo "$dmesg_text" | grep -c 'DMA-API: .*: ') printed)"
	fi
fi

kmemleak=$(tr -d '\r' <"$log" | sed -n '/^### kmemleak begin/,/^### kmemleak end/p')
if [ -n "$kmemleak" ] || [ $need_kmemleak = 1 ]; then
	leaks=$(echo "$kmemleak" | grep -c '^unreferenced object' || true)
	if [ -n "$kmemleak" ] && [ "$leaks" = 0 ]; then
		echo "ok - $name: kmemleak finds no leak after the run"
	elif [ -z "$kmemleak" ]; then
		echo "not ok - $name: kmemleak finds no leak after the run (the guest ran no scan)"
	else
		echo "not ok - $name: kmemleak finds no leak after the run ($leaks unreferenced objects)"
		echo "$kmemleak" | grep -v '^###' | head -n 300 | sed 's/^/# /'
	fi
fi

if [ $status = 0 ]; then
	echo "ok - $name: guest run exited cleanly"
else
	echo "not ok - $name: guest run exited cleanly (status $status)"
	tr -d '\r' <"$log" | tail -n 40 | sed 's/^/# console: /'
fi
