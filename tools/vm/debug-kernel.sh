#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Build (once) the debug tier's guest kernel: Debian's linux-source-6.12,
# x86_64 defconfig + kvm_guest.config + tools/vm/debug-kernel.config (KASAN,
# lockdep, kmemleak, DMA-API debug, ...), with everything the guest and
# tessera.ko need built in.  The tree lives in
#   $TESSERA_CACHE/debug-kernel-KEY/src
# where KEY hashes the config fragment, the Kconfig addition, the source
# package's version and the compiler, so a second run returns at once and a
# changed fragment builds a new kernel.  Prints that directory on stdout;
# the build's log is its build.log.  About 13-17 minutes on 2 cores.
#
#   tools/vm/debug-kernel.sh [--key]    (--key: print KEY only, build nothing)
set -euo pipefail
. "$(dirname "$0")/common.sh"

tarball=/usr/src/linux-source-6.12.tar.xz
frag=$TOP/tools/vm/debug-kernel.config
kconfig_add=$TOP/tools/vm/debug-kernel.Kconfig
# Packages only a kernel build needs, so plain `make setup` (and CI's
# `make check`) does not install them.
BUILD_PACKAGES="flex bison libelf-dev bc libssl-dev cpio"

[ -r "$tarball" ] || die "no $tarball: apt-get install linux-source-6.12"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %Y "$tarball")
key=$( (cat "$frag" "$kconfig_add"; echo "$srcver"; gcc --version | head -n 1) |
	sha1sum | cut -c1-12)
if [ "${1:-}" = --key ]; then
	echo "$key"
	exit 0
fi
dir=$TESSERA_CACHE/debug-kernel-$key
if [ -e "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

missing=
for p in $BUILD_PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] ||
		die "a kernel build needs:$missing; run: apt-get install -y --no-install-recommends$missing"
	msg "debug-kernel: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

mkdir -p "$TESSERA_CACHE"
exec 9>"$dir.lock"
flock 9
if [ -e "$dir/.done" ]; then	# built by whoever held the lock
	echo "$dir"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir/src"
log=$dir/build.log
msg "debug-kernel: building $dir (13-17 minutes; log: $log)"
start=$(date +%s)
tar -C "$dir/src" --strip-components=1 -xf "$tarball"
cd "$dir/src"
cat "$kconfig_add" >>drivers/gpu/drm/Kconfig

mk() { nice -n 19 make -j2 "$@" >>"$log" 2>&1 || die "make $* failed; see $log"; }
mk x86_64_defconfig
scripts/kconfig/merge_config.sh -m -O . .config kernel/configs/kvm_guest.config "$frag" \
	>>"$log" 2>&1 || die "merge_config failed; see $log"
mk olddefconfig

# Every line of the fragment must have survived olddefconfig: an option
# that a dependency silently turned off would make the tier weaker than
# it says.
bad=
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	sym=${want#\# }
	sym=${sym%%[= ]*}
	have=$(grep -E "^($sym=|# $sym is not set)" .config || echo "# $sym is not set")
	[ "$have" = "$want" ] || bad="$bad
  want '$want', have '$have'"
done <"$frag"
[ -z "$bad" ] || die "the debug config lost options:$bad"

mk all
make -s kernelrelease >"$dir/kernelrelease"
echo "$(($(date +%s) - start))" >"$dir/build-seconds"
touch "$dir/.done"
msg "debug-kernel: built $(cat "$dir/kernelrelease") in $(cat "$dir/build-seconds")s"
echo "$dir"
