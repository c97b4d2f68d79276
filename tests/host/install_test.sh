#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Install test, as on a fresh machine: from a copy of the tracked files
# (no build products) and with no test cache (TESSERA_CACHE points
# nowhere, so no kselftest_harness.h), `make install DESTDIR PREFIX=/usr`
# must build and install the module (for the newest 6.12 here, as
# INSTALL_KVER), the udev rule, libaccel, the uAPI header once, the tools
# without a build-tree RUNPATH and the man pages, and nothing else (no
# tessera-emu, which only `make install-emu` installs); the libaccel
# examples must then build with pkg-config alone; `make uninstall` must
# remove every file again.
# Prints TAP.  Run by `make -C libaccel check`.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tools/vm/common.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
t() { local what=$1; shift; if "$@" >>"$tmp/log" 2>&1; then ok "$what"; else not_ok "$what"; sed 's/^/# /' "$tmp/log" | tail -n 40; fi; : >"$tmp/log"; }

kver=$(guest_kver) || kver=none
multiarch=$(cc -print-multiarch)
version=$(cat "$here/VERSION")
root=$tmp/root
src=$tmp/src
mkdir -p "$src"
git -C "$here" ls-files -z | (cd "$here" && tar --null -T - -cf -) | tar -x -C "$src"
vars=(DESTDIR="$root" PREFIX=/usr INSTALL_KVER="$kver" TESSERA_CACHE="$tmp/no-cache")

echo "1..19"
t "make install from a fresh tree, no test cache (module for $kver)" \
	make -s -C "$src" install "${vars[@]}"
t "no kselftest was built for it" test -z "$(find "$src/tests/kselftest" -name '*_test' -type f -perm -u+x)"
t "libaccel in the multiarch directory /usr/lib/$multiarch" test -e "$root/usr/lib/$multiarch/libaccel.so.1" -a \
	-e "$root/usr/lib/$multiarch/libaccel.so" -a -e "$root/usr/lib/$multiarch/pkgconfig/libaccel.pc" -a \
	! -e "$root/usr/lib/libaccel.so.1"
t "the uAPI header is installed once, as <drm/tessera_accel.h>" \
	test "$(cd "$root" && find . -name tessera_accel.h)" = ./usr/include/drm/tessera_accel.h
t "module in /lib/modules/$kver/updates, version $version, for $kver" bash -c "
	m=\$(ls '$root/lib/modules/$kver/updates/'tessera.ko*) &&
	test \"\$(modinfo -F version \$m)\" = '$version' &&
	modinfo -F vermagic \$m | grep -q '^$kver '"
t "udev rule in /usr/lib/udev/rules.d" test -s "$root/usr/lib/udev/rules.d/70-tessera.rules"
t "accel-smi, accel-bench and accel-exporter in /usr/bin, no tessera-emu" test -x "$root/usr/bin/accel-smi" -a \
	-x "$root/usr/bin/accel-bench" -a -x "$root/usr/bin/accel-exporter" -a ! -e "$root/usr/bin/tessera-emu"
t "no RUNPATH or RPATH in any installed binary" bash -c "
	for f in '$root'/usr/bin/* '$root'/usr/lib/$multiarch/libaccel.so.1; do
		readelf -d \"\$f\" | grep -E 'R(UN)?PATH' && exit 1
	done; exit 0"
t "man pages accel-smi(1), accel-bench(1), accel-exporter(1), libaccel(3), tessera(4)" test -s "$root/usr/share/man/man1/accel-smi.1" -a \
	-s "$root/usr/share/man/man1/accel-exporter.1" -a \
	-s "$root/usr/share/man/man1/accel-bench.1" -a -s "$root/usr/share/man/man3/libaccel.3" -a \
	-s "$root/usr/share/man/man4/tessera.4"
t "the installed tools say version $version" bash -c "
	LD_LIBRARY_PATH='$root/usr/lib/$multiarch' '$root/usr/bin/accel-bench' --version | grep -q '^accel-bench $version ' &&
	'$root/usr/bin/accel-smi' --version | grep -q '^accel-smi $version\$' &&
	'$root/usr/bin/accel-exporter' --version | grep -q '^accel-exporter $version\$'"

# Build outside the tree, from a copy, so no relative include can leak in;
# libaccel.pc's prefix moved to DESTDIR (its libdir and includedir follow),
# libdrm's own left alone.
mkdir -p "$tmp/pc"
sed "s|^prefix=/usr\$|prefix=$root/usr|" "$root/usr/lib/$multiarch/pkgconfig/libaccel.pc" >"$tmp/pc/libaccel.pc"
cflags=$(PKG_CONFIG_PATH=$tmp/pc pkg-config --cflags libaccel)
libs=$(PKG_CONFIG_PATH=$tmp/pc pkg-config --libs libaccel)
echo "# pkg-config: $cflags $libs"
case "$cflags $libs" in
*"$here/"*|*"$src/"*) not_ok "pkg-config flags point only into DESTDIR and libdrm" ;;
*"$root/usr/include"*"$root/usr/lib/$multiarch"*) ok "pkg-config flags point only into DESTDIR and libdrm" ;;
*) not_ok "pkg-config flags point only into DESTDIR and libdrm" ;;
esac
cp "$here/examples/gemm.c" "$here/examples/common.h" "$tmp/"
# shellcheck disable=SC2086
t "examples/gemm.c builds with pkg-config --cflags --libs libaccel only" \
	${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$tmp/gemm" "$tmp/gemm.c" $cflags $libs -lm
t "the binary needs libaccel.so.1" bash -c "readelf -d '$tmp/gemm' | grep -q 'NEEDED.*\[libaccel.so.1\]'"
t "it resolves to the installed library" bash -c \
	"LD_LIBRARY_PATH='$root/usr/lib/$multiarch' ldd '$tmp/gemm' | grep -q 'libaccel.so.1 => $root/usr/lib/$multiarch/libaccel.so.1'"
printf '#include <drm/tessera_accel.h>\nint main(void) { return sizeof(struct drm_tessera_bo_create) == 0; }\n' >"$tmp/uapi.c"
# shellcheck disable=SC2086
t "<drm/tessera_accel.h> compiles with libaccel's pkg-config flags" \
	${CC:-cc} -std=c11 -Wall -Wextra -Werror -o "$tmp/uapi" "$tmp/uapi.c" $cflags
printf '#include <accel/tessera_cmd.h>\nint main(void) { return TESSERA_CMD_OPCODE(TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1)); }\n' >"$tmp/cmd.c"
# shellcheck disable=SC2086
t "<accel/tessera_cmd.h> (the command encoding) compiles with libaccel's pkg-config flags" \
	${CC:-cc} -std=c11 -Wall -Wextra -Werror -o "$tmp/cmd" "$tmp/cmd.c" $cflags

t "make install-emu installs tessera-emu and its man page" make -s -C "$src" install-emu "${vars[@]}"
test -x "$root/usr/bin/tessera-emu" -a -s "$root/usr/share/man/man1/tessera-emu.1" &&
	"$root/usr/bin/tessera-emu" --version | grep -q "^tessera-emu $version\$"
if [ $? = 0 ]; then ok "tessera-emu $version is in /usr/bin"; else not_ok "tessera-emu $version is in /usr/bin"; fi
t "make uninstall" make -s -C "$src" uninstall "${vars[@]}"
left=$(cd "$root" && find . ! -type d)
[ -n "$left" ] && echo "$left" | sed 's/^/# left: /'
if [ -z "$left" ]; then ok "make uninstall removes every installed file"; else not_ok "make uninstall removes every installed file"; fi
exit $failed
