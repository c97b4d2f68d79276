#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Build tessera.ko (W=1) for the Debian 13 root's newest kernel (see
# root_kver in common.sh) with that root's gcc-14, from a copy of Kbuild,
# driver/ and uapi/ (what DKMS builds from), into build/kernel-KVER/.
# Prints the compiler's output; exits with make's status.
#   tools/vm/root-module.sh [KVER]
set -uo pipefail
. "$(dirname "$0")/common.sh"

kver=${1:-$(root_kver)} || die "no kernel in $QEMU_ROOT: run make setup"
[ "$(id -u)" = 0 ] || die "building in $QEMU_ROOT needs root (chroot)"
out=$TOP/build/kernel-$kver
src=$(mktemp -d "$QEMU_ROOT/tmp/tessera-module.XXXXXX")
trap 'rm -rf "$src"' EXIT
copy_module_src "$src"
in_root nice -n 19 make -C "/lib/modules/$kver/build" M="${src#"$QEMU_ROOT"}" W=1 modules
status=$?
if [ $status = 0 ]; then
	mkdir -p "$out"
	cp "$src/tessera.ko" "$out/tessera.ko"
fi
exit $status
