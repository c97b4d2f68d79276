#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Boot a Linux 6.12 guest under QEMU/TCG with one or more emulated Tessera
# cards (each a tessera-emu process) and run SCRIPT (a path relative to the
# repository) inside it, as root, with the host's root file system mounted
# read-only.  The guest's console goes to stdout (or --log FILE).  Exits with
# the script's status, 124 when the guest timed out, 125 on a harness error.
# Every process it starts is gone when it returns.
#
#   tools/vm/run.sh [--cards N] [--timeout SEC] [--log FILE]
#                   [--kill-emu-after SEC | --kill-emu-on LINE |
#                    --vanish-emu-on LINE]
#                   [--kernel BZIMAGE --initrd CPIO [--modules DIR]] [--memory SIZE]
#                   [--append ARGS] [--module PATH] [--time-scale N] [--root DIR]
#                   [--out DIR] SCRIPT [ARG,ARG...]
#
# --kernel and --initrd boot another kernel (the debug tier's, or the
# Debian 13 root's) instead of the newest Debian 6.12 with its initramfs;
# --modules DIR (a host path) is that kernel's module tree, seen in the
# guest as /lib/modules/KVER; --memory sets the guest's RAM (default 1G);
# --append adds kernel arguments.  --module names the tessera.ko the guest
# scripts load ($TESSERA_MODULE in the guest; relative to the repository,
# default tessera.ko).  --time-scale N (default $TESSERA_TIME_SCALE, else
# 1), a whole number, is how many times slower than the stock kernel the
# guest is expected to run: it multiplies --timeout and reaches the guest
# as $TESSERA_TIME_SCALE, which the guest scripts and kselftests apply to
# their own waits.  --root DIR runs SCRIPT in another Debian root DIR (a
# host directory, read only in the guest; the package test's) instead of
# the host's root.  --out DIR (a host directory) is the one place the guest
# can write to the host: a read-write 9p share with mount tag tesseraout,
# which the guest script mounts (e.g. tools/llm/guest-train.sh, for make
# train's checkpoint and plot).
#
# --kill-emu-after and --kill-emu-on kill card 0's emulator (SIGKILL) after
# SEC seconds, or as soon as the guest prints LINE on its console.
# --vanish-emu-on instead makes card 0 fall off the bus (SIGUSR1: reads
# return all ones, no DMA or interrupts) while its process stays up; QEMU
# 11.1.3 sometimes aborts when a vfio-user server dies mid-request, so the
# tests use this form of surprise removal.
set -uo pipefail
. "$(dirname "$0")/common.sh"

cards=1 timeout_s=900 log= kill_after= kill_on= kill_sig=KILL
kernel= initrd= memory=1G module= scale=${TESSERA_TIME_SCALE:-1} extra_append=
moddir= newroot= outdir=
while [ $# -gt 0 ]; do
	case $1 in
	--cards) cards=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--kill-emu-after) kill_after=$2; shift 2 ;;
	--kill-emu-on) kill_on=$2; shift 2 ;;
	--vanish-emu-on) kill_on=$2; kill_sig=USR1; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--modules) moddir=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--append) extra_append=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--time-scale) scale=$2; shift 2 ;;
	--root) newroot=$2; shift 2 ;;
	--out) outdir=$2; shift 2 ;;
	-h|--help) sed -n '3,37p' "$0"; exit 0 ;;
	-*) msg "run.sh: unknown option $1"; exit 125 ;;
	*) break ;;
	esac
done
script=${1:?usage: run.sh [options] SCRIPT [ARGS]}
args=${2:-}

emu=$TOP/tools/emu/tessera-emu
[ -x "$emu" ] || { msg "run.sh: $emu not built (run make)"; exit 125; }
case $scale in
''|*[!0-9]*|0) msg "run.sh: --time-scale wants a whole number >= 1, not '$scale'"; exit 125 ;;
esac
timeout_s=$((timeout_s * scale))
if [ -n "$kernel" ] || [ -n "$initrd" ]; then
	[ -r "$kernel" ] && [ -r "$initrd" ] ||
		{ msg "run.sh: --kernel and --initrd want readable files ('$kernel', '$initrd')"; exit 125; }
else
	kver=$(guest_kver) || { msg "run.sh: no Linux 6.12 guest kernel; run tools/vm/setup.sh"; exit 125; }
	kernel=/boot/vmlinuz-$kver
	initrd=$(initramfs_path "$kver")
	[ -r "$initrd" ] || { msg "run.sh: no $initrd; run tools/vm/setup.sh"; exit 125; }
fi
[ -z "$moddir" ] || [ -d "$moddir" ] || { msg "run.sh: no module tree $moddir"; exit 125; }
[ -z "$newroot" ] || [ -x "$newroot/bin/bash" ] || { msg "run.sh: no root file system at $newroot"; exit 125; }
qemu=$(qemu_cmd) || { msg "run.sh: no QEMU with vfio-user-pci; run tools/vm/setup.sh"; exit 125; }

wd=$(mktemp -d /tmp/tessera-vm.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$wd"
}
trap cleanup EXIT
trap 'exit 125' INT TERM

devices=()
for ((i = 0; i < cards; i++)); do
	sock=$wd/card$i.sock
	: >"$wd/emu$i.log"
	"$emu" --socket "$sock" --serial $((1001 + i)) --allow-fault-injection >"$wd/emu$i.log" 2>&1 &
	pids+=($!)
	for ((t = 0; t < 100; t++)); do
		grep -q 'listening on' "$wd/emu$i.log" && break
		sleep 0.1
	done
	grep -q 'listening on' "$wd/emu$i.log" ||
		{ msg "run.sh: tessera-emu $i did not start:"; cat "$wd/emu$i.log" >&2; exit 125; }
	# Each card behind its own PCIe root port: on the root bus (pcie.0)
	# QEMU turns an endpoint into a root-complex integrated endpoint and
	# hides its link registers.  Card i is then at 0000:0(i+1):00.0.
	devices+=(-device "{\"driver\":\"pcie-root-port\",\"id\":\"rp$i\",\"bus\":\"pcie.0\",\"chassis\":$((i + 1)),\"slot\":$((i + 1))}"
		  -device "{\"driver\":\"vfio-user-pci\",\"bus\":\"rp$i\",\"socket\":{\"path\":\"$sock\",\"type\":\"unix\"}}")
done

# A log buffer large enough that the guest's dmesg still starts at boot
# when the judge reads it (tests/vm-kselftests.sh checks).
append="console=ttyS0 quiet panic=-1 log_buf_len=4M tesseravm.script=$script tesseravm.scale=$scale"
[ -n "$args" ] && append="$append tesseravm.args=$args"
[ -n "$module" ] && append="$append tesseravm.module=$module"
[ -n "$moddir" ] && append="$append tesseravm.moddir=$(realpath "$moddir")"
[ -n "$newroot" ] && append="$append tesseravm.root=$(realpath "$newroot")"
[ -n "$extra_append" ] && append="$append $extra_append"
outshare=()
if [ -n "$outdir" ]; then
	[ -d "$outdir" ] || { msg "run.sh: --out $outdir is not a directory"; exit 125; }
	outshare=(-virtfs "local,path=$(realpath "$outdir"),mount_tag=tesseraout,security_model=none")
fi

# shellcheck disable=SC2086
$qemu -machine q35,memory-backend=mem -accel tcg -cpu max -smp 2 -m "$memory" \
	-object memory-backend-memfd,id=mem,size="$memory",share=on \
	-nodefaults -display none -no-reboot -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on \
	-virtfs local,path="$TOP",mount_tag=tessera,security_model=none,readonly=on \
	"${outshare[@]}" "${devices[@]}" </dev/null >"$wd/console.log" 2>&1 &
qpid=$!
pids+=($qpid)

if [ -n "$kill_after" ]; then
	(sleep "$kill_after"; kill -9 "${pids[0]}" 2>/dev/null) &
	pids+=($!)
fi
if [ -n "$kill_on" ]; then
	(until tr -d '\r' <"$wd/console.log" | grep -qxF -- "$kill_on"; do sleep 0.1; done
	 kill -s "$kill_sig" "${pids[0]}" 2>/dev/null) &
	pids+=($!)
fi

# The console as it comes, unless it goes to a file: that is a copy of
# the whole console once QEMU is gone (never a follower's partial view).
tpid=
if [ -z "$log" ]; then
	tail -n +1 -f "$wd/console.log" --pid=$qpid 2>/dev/null &
	tpid=$!
fi

timed_out=0
for ((t = 0; t < timeout_s * 10; t++)); do
	kill -0 $qpid 2>/dev/null || break
	sleep 0.1
done
if kill -0 $qpid 2>/dev/null; then
	timed_out=1
	kill $qpid
fi
wait $qpid 2>/dev/null
[ -n "$tpid" ] && wait $tpid 2>/dev/null
[ -n "$log" ] && cp "$wd/console.log" "$log"

# An emulator gone before QEMU (not killed on purpose): the card fell off
# the bus under the guest; say how it ended (a signal: 128 + its number).
for ((i = 0; i < cards; i++)); do
	[ $i = 0 ] && [ -n "$kill_after$kill_on" ] && continue
	kill -0 "${pids[i]}" 2>/dev/null && continue
	wait "${pids[i]}" 2>/dev/null
	msg "run.sh: tessera-emu $i exited during the run (status $?); its last lines:"
	tail -n 20 "$wd/emu$i.log" | sed 's/^/run.sh: /' >&2
done
for ((i = 0; i < cards; i++)); do
	# Guest-error lines report what the guest did (a register may be
	# named RING0_ABORTED); the emulator's own failures are the rest.
	if grep -v 'tessera-emu: guest error: ' "$wd/emu$i.log" |
	   grep -qiE 'sanitizer|runtime error|segmentation|abort|assert'; then
		msg "run.sh: tessera-emu $i failed:"
		cat "$wd/emu$i.log" >&2
		exit 125
	fi
done

[ $timed_out = 1 ] && { msg "run.sh: guest timed out after ${timeout_s}s"; exit 124; }
status=$(tr -d '\r' <"$wd/console.log" | sed -n 's/^### tessera-exit: \([0-9]*\)$/\1/p' | tail -n 1)
[ -n "$status" ] || { msg "run.sh: guest ended without an exit status"; exit 125; }
exit "$status"
