#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Host side of the guest tests: boot the VM with the emulated card(s), run
# a guest script (default tests/guest/kselftests.sh) in it, then judge the
# guest's dmesg.  Prints the guest's KTAP plus one line per host check.
#   tests/vm-kselftests.sh [--cards N] [--surprise-removal | --next-kernel]
# --surprise-removal runs tests/guest/surprise-removal.sh, during which the
# host makes card 0 fall off the bus (tools/vm/run.sh --vanish-emu-on).
# --next-kernel boots the Debian 13 root's kernel (trixie-backports', see
# root_kver in tools/vm/common.sh) with its own module tree and the
# tessera.ko tools/vm/root-module.sh built for it, and runs the kselftests
# only (kselftests.sh --quick).
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/vm/common.sh
cards=1 script=tests/guest/kselftests.sh extra=() name=vm args=()
while [ $# -gt 0 ]; do
	case $1 in
	--cards) cards=$2; shift 2 ;;
	--surprise-removal)
		script=tests/guest/surprise-removal.sh name=vm-surprise
		extra=(--vanish-emu-on '### remove the card now')
		shift ;;
	--next-kernel)
		k=$(root_kver) || { echo "not ok - vm-next: no kernel in $QEMU_ROOT (make setup)"; exit 1; }
		name=vm-$k args=(--quick)
		extra=(--kernel "$QEMU_ROOT/boot/vmlinuz-$k" --initrd "$(initramfs_path "$k")"
		       --modules "$QEMU_ROOT/lib/modules/$k" --module "build/kernel-$k/tessera.ko")
		[ -r "build/kernel-$k/tessera.ko" ] ||
			{ echo "not ok - $name: no build/kernel-$k/tessera.ko (tools/vm/root-module.sh)"; exit 1; }
		shift ;;
	*) echo "usage: $0 [--cards N] [--surprise-removal | --next-kernel]" >&2; exit 2 ;;
	esac
done

log=$(mktemp /tmp/tessera-console.XXXXXX)
trap 'rm -f "$log"' EXIT

tools/vm/run.sh --cards "$cards" --log "$log" "${extra[@]}" "$script" "${args[@]}"
status=$?
tr -d '\r' <"$log" | sed -n '/^### tessera-guest: up/,/^### dmesg begin/p' | grep -v '^###'

# The guest's dmesg, or the whole console if it never got that far.
dmesg_text=$(tr -d '\r' <"$log" | sed -n '/^### dmesg begin/,/^### dmesg end/p')
[ -n "$dmesg_text" ] || dmesg_text=$(tr -d '\r' <"$log")
bad=$(echo "$dmesg_text" | grep -E 'WARNING:|BUG:|Oops|kernel BUG|general protection|Call Trace:|UBSAN:|KASAN:|refcount_t:|possible circular locking|INFO: task .* blocked|list_del corruption|Kernel panic' || true)
if [ -z "$bad" ] && [ -n "$(echo "$dmesg_text" | grep -F '### dmesg begin')" ]; then
	echo "ok - $name: guest dmesg has no WARN, BUG, oops or lockdep splat"
else
	echo "not ok - $name: guest dmesg has no WARN, BUG, oops or lockdep splat"
	echo "$bad" | head -n 40 | sed 's/^/# /'
fi
if [ $status = 0 ]; then
	echo "ok - $name: guest run exited cleanly"
else
	echo "not ok - $name: guest run exited cleanly (status $status)"
	tr -d '\r' <"$log" | tail -n 40 | sed 's/^/# /'
fi
