#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `make check`: host unit tests, kernel lint, then the kselftests in a VM
# against the emulated card.  Each stage writes TAP to build/results/; the
# last line printed is "N passed, N failed" over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/vm/common.sh
res=build/results
rm -rf "$res"
mkdir -p "$res"

kver=$(guest_kver) || die "no guest kernel; run make setup"
next=$(root_kver) || die "no trixie-backports kernel in $QEMU_ROOT; run make setup"
kdir=/lib/modules/$kver/build
ksrc=$TESSERA_CACHE/linux-source

stage() { printf '== %s\n' "$*"; }

# TAP lines for one named check whose output is in a file.
tap_check() {
	local file=$1 name=$2 status=$3
	if [ "$status" = 0 ]; then
		echo "ok - $name" >>"$file"
	else
		echo "not ok - $name" >>"$file"
	fi
}

stage "host: emulator unit tests (ASan/UBSan)"
make -s -C tools/emu check 2>&1 | tee "$res/host-emu.log" | grep -E '^(not )?ok |^#.*(FAIL|fail)' | grep -v '^ok ' || true

stage "host: libaccel unit tests"
make -s -C libaccel check 2>&1 | tee "$res/host-libaccel.log" | grep -E '^not ok ' || true

stage "host: the ioctl fuzzer's oracle (its model of VM mappings)"
make -s -C tests/fuzz check 2>&1 | tee "$res/host-fuzz-model.log" | grep -E '^not ok ' || true

stage "host: the model library and its CPU reference (ASan/UBSan)"
make -s -C tools/llm check 2>&1 | tee "$res/host-llm.log" | grep -E '^not ok ' || true

stage "host: versions, docs and licenses agree"
tests/host/consistency_test.sh 2>&1 | tee "$res/host-consistency.log" | grep -E '^not ok ' || true

stage "packages: make deb (debhelper, dh-dkms), lintian --pedantic"
pkg=$res/packages-build.log
: >"$pkg"
tools/deb/build.sh >"$res/deb.out" 2>&1
status=$?
grep -E '^[EWIPXO]: ' "$res/deb.out"
debs=$(ls build/deb/*.deb 2>/dev/null | grep -vc dbgsym)
[ "$debs" = 5 ]
tap_check "$pkg" "make deb builds tessera-dkms, libaccel2, libaccel-dev, tessera-tools, tessera-emu ($debs)" $?
[ $status = 0 ] && ! grep -qE '^[EW]: ' "$res/deb.out"
tap_check "$pkg" "lintian --pedantic: no error or warning, no override" $?
cat "$pkg"

stage "kernel: W=1, sparse (C=1), checkpatch --strict"
lint=$res/lint.log
: >"$lint"
make -C "$kdir" M="$PWD" clean >/dev/null 2>&1
out=$(make -C "$kdir" M="$PWD" W=1 C=1 modules 2>&1)
status=$?
warn=$(echo "$out" | grep -E 'warning:|error:' || true)
[ -n "$warn" ] && echo "$warn"
[ $status = 0 ] && [ -z "$warn" ]
tap_check "$lint" "tessera.ko builds with W=1 and sparse (C=1), no warnings" $?
# The newest trixie-backports kernel, built in the Debian 13 root (gcc-14).
out=$(tools/vm/root-module.sh "$next" 2>&1)
status=$?
warn=$(echo "$out" | grep -E 'warning:|error:' || true)
[ -n "$warn" ] && echo "$warn"
[ $status = 0 ] && [ -z "$warn" ]
tap_check "$lint" "tessera.ko builds with W=1 against $next (gcc-14), no warnings" $?
out=$(perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet --terse \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f driver/*.[ch] uapi/drm/*.h Kbuild 2>&1)
findings=$(echo "$out" | grep -E '(ERROR|WARNING|CHECK):' || true)
[ -n "$findings" ] && echo "$findings"
[ -z "$findings" ]
tap_check "$lint" "checkpatch --strict clean on driver/ and uapi/" $?
out=$(perl "$ksrc/scripts/kernel-doc" -none -Wall uapi/drm/tessera_accel.h driver/*.h driver/*.c 2>&1)
[ -n "$out" ] && echo "$out"
[ -z "$out" ]
tap_check "$lint" "kernel-doc documents every uAPI and driver structure field" $?
cat "$lint"

# The kselftests' fuzzer slice explores a new seed per commit and day, and
# any failure replays from the seed it prints (FUZZ_SEED=S make check).
fuzz_seed=${FUZZ_SEED:-0x$(printf '%s %s' "$(git rev-parse HEAD 2>/dev/null)" "$(date -u +%F)" |
	sha256sum | cut -c1-15)}
stage "guest: kselftests and a fuzzer slice (seed $fuzz_seed) in QEMU/TCG against tessera-emu"
tests/vm-kselftests.sh --cards 2 --fuzz-seed "$fuzz_seed" --keep-log "$res/vm-console.txt" 2>&1 | tee "$res/vm.log" | grep -E '^(not )?ok |^# (card|guest|fuzz|FINDING|report|console)|^#   (call|replay):|^run.sh|^vm:' || true

stage "guest: surprise removal (the card falls off the bus mid-run)"
tests/vm-kselftests.sh --surprise-removal --keep-log "$res/vm-surprise-console.txt" 2>&1 | tee "$res/vm-surprise.log" | grep -E '^(not )?ok |^# (report|console)|^run.sh' || true

stage "guest: the packages installed with apt into Debian 12, booted with a card"
tests/packages-test.sh 2>&1 | tee "$res/packages.log" | grep -E '^(not )?ok |^# (dkms|guest|report|console)' || true

stage "guest: kselftests on Linux $next (one card)"
tests/vm-kselftests.sh --next-kernel --keep-log "$res/vm-next-console.txt" 2>&1 | tee "$res/vm-next.log" | grep -E '^(not )?ok |^# (card|guest|report|console)|^run.sh|^vm:' || true

tap_totals "$res"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
