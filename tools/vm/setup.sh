#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Provision everything the build and the VM tests need, once; later runs
# find it cached and return at once.  As root it installs what is missing;
# as any other user it says exactly what to run instead.
set -euo pipefail
. "$(dirname "$0")/common.sh"

missing_packages() {
	local p out=
	for p in $HOST_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			out="$out $p"
	done
	echo "$out"
}

# The Debian archive this host's apt already uses (not the security one).
debian_mirror() {
	local uri
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v '^[[:space:]]*#' | grep -oE 'https?://[^[:space:]]+/debian/?' |
		head -n 1)
	[ -n "$uri" ] && echo "${uri%/}"
}

need_root() {
	msg "error: $1"
	msg "       run this once as root (or with sudo):"
	msg "         $2"
	exit 1
}

pkgs=$(missing_packages)
if [ -n "$pkgs" ]; then
	if [ "$(id -u)" != 0 ]; then
		need_root "missing Debian packages:$pkgs" \
			"apt-get update && apt-get install -y --no-install-recommends$pkgs"
	fi
	msg "setup: installing$pkgs"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $pkgs >/dev/null
fi

kver=$(guest_kver) || die "no Linux 6.12 image with headers found under /lib/modules"

if ! qemu_cmd >/dev/null; then
	if [ "$(id -u)" != 0 ] || [ ! -w "$(dirname "$TESSERA_CACHE")" ]; then
		need_root "no QEMU with vfio-user-pci (needs QEMU >= 10.1)" \
			"make -C $TOP setup   # builds $QEMU_ROOT"
	fi
	msg "setup: installing QEMU 11 from Debian 13 into $QEMU_ROOT (about a minute)"
	mkdir -p "$TESSERA_CACHE"
	tmp=$QEMU_ROOT.tmp
	rm -rf "$tmp"
	mirror=$(debian_mirror) || die "no Debian mirror in the host's apt sources"
	debootstrap --variant=minbase trixie "$tmp" "$mirror" \
		>"$TESSERA_CACHE/debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $TESSERA_CACHE/debootstrap.log"
	echo "deb $mirror trixie-backports main" \
		>"$tmp/etc/apt/sources.list.d/backports.list"
	chroot "$tmp" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q -t trixie-backports --no-install-recommends \
		qemu-system-x86' >"$TESSERA_CACHE/qemu-install.log" 2>&1 ||
		die "QEMU install failed, see $TESSERA_CACHE/qemu-install.log"
	mv "$tmp" "$QEMU_ROOT"
	qemu_cmd >/dev/null || die "QEMU in $QEMU_ROOT has no vfio-user-pci"
fi

# The next kernel: trixie-backports' newest image and headers, with the
# gcc-14, make and perl its headers build modules with, in the Debian 13
# root (make check builds tessera.ko for it and boots it).
if ! root_kver >/dev/null || [ ! -x "$QEMU_ROOT/usr/bin/gcc-14" ] ||
   [ ! -x "$QEMU_ROOT/usr/bin/perl" ] || [ ! -x "$QEMU_ROOT/usr/bin/make" ]; then
	[ "$(id -u)" = 0 ] || need_root "no trixie-backports kernel in $QEMU_ROOT" "make -C $TOP setup"
	msg "setup: installing trixie-backports' newest kernel and headers into $QEMU_ROOT (about a minute)"
	chroot "$QEMU_ROOT" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q -t trixie-backports --no-install-recommends \
		linux-image-amd64 linux-headers-amd64 gcc-14 make perl' \
		>"$TESSERA_CACHE/kernel-next-install.log" 2>&1 ||
		die "kernel install failed, see $TESSERA_CACHE/kernel-next-install.log"
	root_kver >/dev/null || die "no kernel with headers in $QEMU_ROOT after the install"
fi

# kselftest_harness.h and checkpatch.pl come from Debian's linux-source-6.12.
ksrc=$TESSERA_CACHE/linux-source
if [ ! -e "$ksrc/.done" ]; then
	[ -w "$TESSERA_CACHE" ] || need_root "kernel tools not extracted" "make -C $TOP setup"
	msg "setup: extracting kselftest and checkpatch from linux-source-6.12"
	rm -rf "$ksrc"
	mkdir -p "$ksrc"
	tar -C "$ksrc" --strip-components=1 -xf /usr/src/linux-source-6.12.tar.xz \
		--wildcards 'linux-source-6.12/tools/testing/selftests/kselftest*.h' \
		'linux-source-6.12/scripts/checkpatch.pl' \
		'linux-source-6.12/scripts/spelling.txt' \
		'linux-source-6.12/scripts/const_structs.checkpatch' \
		'linux-source-6.12/scripts/kernel-doc'
	touch "$ksrc/.done"
fi

"$TOP/tools/vm/mkinitramfs.sh" "$kver"
next=$(root_kver)
"$TOP/tools/vm/mkinitramfs.sh" "$next" "$QEMU_ROOT/lib/modules/$next"
# The Debian 12 root the package test installs the .debs into.
if [ "$(id -u)" = 0 ]; then
	"$TOP/tools/deb/pkg-root.sh" >/dev/null
fi
