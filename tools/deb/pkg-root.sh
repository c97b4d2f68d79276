#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Debian 12 root that tests/packages-test.sh installs the packages
# into and boots as the guest's root: debootstrap minbase with udev, DKMS,
# the VM's Linux 6.12 (image, modules and headers, the same version the
# harness boots), a compiler for DKMS and the libaccel-dev check, and two
# users: tessera-render (in group render) and tessera-other (not).  Built
# once (about two minutes, 1.2 GB), then cached in $PKG_ROOT; prints its
# path.
set -euo pipefail
. "$(dirname "$0")/../vm/common.sh"

kver=$(guest_kver) || die "no Linux 6.12 with headers on the host: run make setup"
# What the packages and the test need, so that installing them later
# downloads nothing: DKMS with the kernel, udev for the modalias and the
# node's permissions, the libraries the packages link, gcc and pkg-config
# for building against libaccel-dev.
pkgs="dkms linux-image-$kver linux-headers-$kver udev kmod procps libdrm-dev libpci3
	libopenblas0 libdnnl2 libgomp1 libmicrohttpd12 gcc libc6-dev make pkgconf"
stamp=$PKG_ROOT/.tessera-pkg-root-$kver
sum=$(echo $pkgs | sha1sum | cut -c1-12)
if [ -e "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
	echo "$PKG_ROOT"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "building $PKG_ROOT needs root"
if [ -e "$stamp" ]; then
	# The same kernel, more packages: add them.
	in_chroot "$PKG_ROOT" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $(echo $pkgs) && apt-get clean" \
		>"$TESSERA_CACHE/pkg-root-install.log" 2>&1 ||
		die "package install failed, see $TESSERA_CACHE/pkg-root-install.log"
	echo "$sum" >"$stamp"
	echo "$PKG_ROOT"
	exit 0
fi
mirror=$(sed -n 's/^deb \(http[^ ]*\) trixie main.*/\1/p' "$QEMU_ROOT/etc/apt/sources.list" | head -n 1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
msg "packages: building the Debian 12 package-test root in $PKG_ROOT (about two minutes)"
tmp=$PKG_ROOT.tmp
rm -rf "$tmp"
debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$TESSERA_CACHE/pkg-root-debootstrap.log" 2>&1 ||
	die "debootstrap failed, see $TESSERA_CACHE/pkg-root-debootstrap.log"
cat >"$tmp/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SRC
in_chroot "$tmp" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends $(echo $pkgs) && apt-get clean" \
	>"$TESSERA_CACHE/pkg-root-install.log" 2>&1 ||
	die "package install failed, see $TESSERA_CACHE/pkg-root-install.log"
in_chroot "$tmp" sh -c 'getent group render >/dev/null || groupadd --system render
	useradd --create-home --groups render tessera-render &&
	useradd --create-home tessera-other'
rm -rf "$PKG_ROOT"
mv "$tmp" "$PKG_ROOT"
echo "$sum" >"$stamp"
echo "$PKG_ROOT"
