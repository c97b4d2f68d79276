#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Install test: install libaccel into a scratch DESTDIR, then build the
# examples/gemm.c example (with the examples/common.h it includes) against
# it with pkg-config only (no -I or -L into the source tree) and check the
# result links to the installed soname.
# Prints TAP.  Run by `make -C libaccel check`.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
t() { local what=$1; shift; if "$@" >>"$tmp/log" 2>&1; then ok "$what"; else not_ok "$what"; sed 's/^/# /' "$tmp/log"; fi; : >"$tmp/log"; }

echo "1..6"
t "make install DESTDIR PREFIX=/usr" make -s -C "$here/libaccel" install DESTDIR="$tmp/root" PREFIX=/usr
t "installed soname, header and libaccel.pc" test -e "$tmp/root/usr/lib/libaccel.so.1" -a \
	-e "$tmp/root/usr/include/accel/accel.h" -a -e "$tmp/root/usr/lib/pkgconfig/libaccel.pc"

export PKG_CONFIG_SYSROOT_DIR="$tmp/root"
export PKG_CONFIG_PATH="$tmp/root/usr/lib/pkgconfig"
cflags=$(pkg-config --cflags libaccel) libs=$(pkg-config --libs libaccel)
echo "# pkg-config: $cflags $libs"
case "$cflags $libs" in
*"$here/"*) not_ok "pkg-config flags point only into DESTDIR" ;;
*"$tmp/root/usr/include"*"$tmp/root/usr/lib"*) ok "pkg-config flags point only into DESTDIR" ;;
*) not_ok "pkg-config flags point only into DESTDIR" ;;
esac

# Build outside the tree, from a copy, so no relative include can leak in.
cp "$here/examples/gemm.c" "$here/examples/common.h" "$tmp/"
# shellcheck disable=SC2086
t "examples/gemm.c builds with pkg-config --cflags --libs libaccel only" \
	${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$tmp/gemm" "$tmp/gemm.c" $cflags $libs -lm
t "the binary needs libaccel.so.1" bash -c "readelf -d '$tmp/gemm' | grep -q 'NEEDED.*\[libaccel.so.1\]'"
t "it resolves to the installed library" bash -c \
	"LD_LIBRARY_PATH='$tmp/root/usr/lib' ldd '$tmp/gemm' | grep -q 'libaccel.so.1 => $tmp/root/usr/lib/libaccel.so.1'"
exit $failed
