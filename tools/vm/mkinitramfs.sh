#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Build the test VM's initramfs for kernel KVER: static busybox, the 9p
# modules (decompressed: busybox's insmod does not inflate) and guest-init.
# With --builtin-9p (a kernel with 9p built in, like the debug tier's) it
# carries no modules, and KVER only names it.  MODDIR is the kernel's module
# tree (default /lib/modules/KVER).  Prints nothing; the file is
# $(initramfs_path KVER) (tools/vm/common.sh).
#   tools/vm/mkinitramfs.sh [--builtin-9p] KVER [MODDIR]
set -euo pipefail
. "$(dirname "$0")/common.sh"

builtin_9p=0
[ "${1:-}" = --builtin-9p ] && { builtin_9p=1; shift; }
kver=${1:?usage: mkinitramfs.sh [--builtin-9p] KVER [MODDIR]}
moddir=${2:-/lib/modules/$kver}
out=$(initramfs_path "$kver")
init=$TOP/tools/vm/guest-init
[ -s "$out" ] && exit 0

[ -x /bin/busybox ] || die "no /bin/busybox: apt-get install busybox-static"
if ldd /bin/busybox >/dev/null 2>&1; then
	die "/bin/busybox is not static: apt-get install busybox-static"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,proc,sys,dev}
cp /bin/busybox "$tmp/bin/busybox"
install -m 0755 "$init" "$tmp/init"
[ $builtin_9p = 1 ] || mkdir -p "$tmp/lib/9p"
for m in fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p; do
	[ $builtin_9p = 1 ] && break
	src=$(ls "$moddir"/kernel/$m.ko* 2>/dev/null | head -n 1)
	[ -n "$src" ] || die "module $m missing for $kver"
	case $src in
	*.xz) xz -dc "$src" ;;
	*.zst) zstd -dcq "$src" ;;
	*) cat "$src" ;;
	esac >"$tmp/lib/9p/$(basename "$m").ko"
done
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
msg "setup: built $out"
