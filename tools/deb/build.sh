#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `make deb`: build the Debian source and binary packages from a copy of
# the tracked files (as a fresh clone has them) in build/deb/, then run
# lintian on them.  Prints lintian's findings (overrides are in
# debian/*.lintian-overrides, each with its reason); exits non-zero when
# the build fails or lintian finds an error or a warning.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
version=$(dpkg-parsechangelog -S Version)
out=$top/build/deb
src=$out/tessera-$version
rm -rf "$out"
mkdir -p "$src"
git ls-files -z | tar --null -T - -cf - | tar -x -C "$src"
(cd "$src" && nice -n 19 dpkg-buildpackage -us -uc --build=full) >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log"; echo "make deb: dpkg-buildpackage failed, see $out/build.log"; exit 1; }
rm -rf "$src"
ls "$out"/*.deb
lintian --info --display-info --pedantic --fail-on error,warning "$out"/tessera_"${version}"_*.changes \
	| tee "$out/lintian.log"
