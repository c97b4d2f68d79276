#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `make check-debug`: the debug-kernel tier.  Builds (once, cached) a Linux
# 6.12 with KASAN, lockdep, kmemleak, DMA-API debug, DEBUG_OBJECTS, UBSAN
# and the lockup/hang detectors (tools/vm/debug-kernel.sh), builds
# tessera.ko against it into build/debug-module/ (the tree's own tessera.ko,
# for the stock kernel, stays as it is), then runs the whole guest suite
# and the surprise-removal run on it in a 2 GiB guest, with every timeout
# scaled by TESSERA_TIME_SCALE (default 5 here).  Fails on any kernel
# report, including leaks found by a kmemleak scan at the end of each run.
# TAP goes to build/results-debug/; the last line is "N passed, N failed".
# Not part of `make check`: about 13 minutes to build the kernel the first
# time, then about 16 minutes a run.  Documentation/qa.rst has the details.
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/vm/common.sh
res=build/results-debug
rm -rf "$res"
mkdir -p "$res"
export TESSERA_TIME_SCALE=${TESSERA_TIME_SCALE:-5}

stage() { printf '== %s\n' "$*"; }
tap_check() {
	if [ "$3" = 0 ]; then echo "ok - $2" >>"$1"; else echo "not ok - $2" >>"$1"; fi
}

stage "debug kernel: build or find it in $TESSERA_CACHE"
t0=$(date +%s)
kdir=$(tools/vm/debug-kernel.sh) || die "the debug kernel did not build"
krel=$(cat "$kdir/kernelrelease")
kimg=$kdir/src/arch/x86/boot/bzImage
echo "   $krel in $kdir ($(($(date +%s) - t0)) s here; built in $(cat "$kdir/build-seconds") s)"
tools/vm/mkinitramfs.sh --builtin-9p "$krel" || die "no initramfs for $krel"
initrd=$(initramfs_path "$krel")

stage "debug kernel: tessera.ko against $krel"
mod=build/debug-module
lint=$res/debug-module.log
rm -rf "$mod"
mkdir -p "$mod"
cp -r Kbuild driver uapi "$mod/"
out=$(make -C "$kdir/src" M="$PWD/$mod" W=1 modules 2>&1)
status=$?
warn=$(echo "$out" | grep -E 'warning:|error:' || true)
[ -n "$warn" ] && echo "$warn"
[ $status = 0 ] && [ -z "$warn" ] && [ -r "$mod/tessera.ko" ]
tap_check "$lint" "tessera.ko builds against the debug kernel $krel with W=1, no warnings" $?
cat "$lint"
[ -r "$mod/tessera.ko" ] || die "no $mod/tessera.ko"

# no5lvl: with 5-level paging (QEMU's -cpu max has LA57), an interrupt
# that lands while identify_cpu() has cleared the boot CPU's feature bits
# makes KASAN see pgtable_l5_enabled() false and report a
# "wild-memory-access in do_raw_spin_lock" from handle_edge_irq at boot
# (seen once in three boots); the report taints the kernel, which turns
# lockdep off for the whole run.
vm_opts=(--kernel "$kimg" --initrd "$initrd" --memory 2G --append no5lvl
	 --module "$mod/tessera.ko" --time-scale "$TESSERA_TIME_SCALE"
	 --name debug --require-kmemleak)

stage "debug kernel: kselftests in QEMU/TCG against tessera-emu (time scale $TESSERA_TIME_SCALE)"
t0=$(date +%s)
tests/vm-kselftests.sh --cards 2 "${vm_opts[@]}" --keep-log "$res/vm-console.txt" 2>&1 |
	tee "$res/vm.log" |
	grep -E '^(not )?ok |^# (card|guest|report)|^run.sh|^vm:' || true
echo "   $(($(date +%s) - t0)) s"

stage "debug kernel: surprise removal"
t0=$(date +%s)
tests/vm-kselftests.sh --surprise-removal "${vm_opts[@]}" --keep-log "$res/vm-surprise-console.txt" 2>&1 |
	tee "$res/vm-surprise.log" |
	grep -E '^(not )?ok |^# report|^run.sh' || true
echo "   $(($(date +%s) - t0)) s"

tap_totals "$res"
if [ $fail != 0 ]; then
	echo "kernel reports (in $res/vm*.log; whole consoles in $res/*-console.txt):"
	cat "$res"/vm*.log | grep '^# report: ' | awk '!seen[$0]++' | sed 's/^# report: /   /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
