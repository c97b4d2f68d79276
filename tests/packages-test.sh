#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Package test: install the .debs of `make deb` (build/deb/) with apt into
# the Debian 12 package-test root (tools/deb/pkg-root.sh, cached), check
# that DKMS built tessera.ko for the kernel the VM boots and that the
# libaccel-dev example builds there, then boot that root with one card
# and run tests/guest/packages.sh in it (modalias autoload, the node's
# owner, group, mode and uaccess tag, a job as a member of group render,
# EACCES for anyone else), and purge the packages again.  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/vm/common.sh
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
log=$(mktemp /tmp/tessera-pkg.XXXXXX)
console=$(mktemp /tmp/tessera-pkg-console.XXXXXX)
t() { local what=$1; shift; if "$@" >"$log" 2>&1; then ok "$what"; else not_ok "$what"; tail -n 30 "$log" | sed 's/^/# /'; fi; }

pkgs="tessera-dkms libaccel2 libaccel-dev tessera-tools tessera-emu"
kver=$(guest_kver) || { echo "not ok 1 - no Linux 6.12 guest kernel (make setup)"; exit 1; }
root=$(tools/deb/pkg-root.sh) || { echo "not ok 1 - the package-test root could not be built"; exit 1; }
purge() { in_chroot "$root" dpkg --purge $pkgs >/dev/null 2>&1; rm -rf "$root/opt/tessera-test" "$root/tmp/tessera-debs"; }
trap 'purge; rm -f "$log" "$console"' EXIT
purge

debs=()
for p in $pkgs; do
	f=$(ls build/deb/${p}_*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || { echo "not ok 1 - no build/deb/${p}_*.deb (make deb)"; exit 1; }
	debs+=("$f")
done
mkdir -p "$root/tmp/tessera-debs"
cp "${debs[@]}" "$root/tmp/tessera-debs/"

t "apt installs $pkgs" in_chroot "$root" sh -c \
	'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/tessera-debs/*.deb'
state=$(in_chroot "$root" dkms status -k "$kver" tessera 2>&1)
echo "# dkms status: $state"
if grep -q "^tessera/[^,]*, $kver, [^:]*: installed" <<<"$state"; then
	ok "DKMS built and installed tessera for $kver"
else
	not_ok "DKMS built and installed tessera for $kver"
fi
t "the module is in /lib/modules/$kver/updates/dkms" bash -c "ls '$root/lib/modules/$kver/updates/dkms/'tessera.ko*"
t "the udev rule is installed" test -s "$root/lib/udev/rules.d/70-tessera.rules"
t "examples/vector_add builds against libaccel-dev with pkg-config" in_chroot "$root" sh -c '
	set -e
	mkdir -p /opt/tessera-test && cd /opt/tessera-test
	ex=/usr/share/doc/libaccel-dev/examples
	for f in vector_add.c common.h; do
		if [ -e $ex/$f.gz ]; then zcat $ex/$f.gz >$f; else cp $ex/$f .; fi
	done
	cc -std=c11 -D_GNU_SOURCE -Wall -Werror -o vector_add vector_add.c $(pkg-config --cflags --libs libaccel) -lm'

tools/vm/run.sh --cards 1 --timeout 600 --log "$console" --root "$root" \
	--kernel "$root/boot/vmlinuz-$kver" --initrd "$(initramfs_path "$kver")" \
	tests/guest/packages.sh
status=$?
tr -d '\r' <"$console" | sed -n '/^### tessera-guest: up/,/^### dmesg begin/p' | grep -v '^###' |
	sed -E 's/^(not )?ok [0-9]+ /\1ok - /' | while IFS= read -r line; do
	case $line in
	"ok - "*|"not ok - "*) echo "$line" ;;
	*) echo "# $line" ;;
	esac
done | tee "$log.guest"
n=$((n + $(grep -c '^ok - \|^not ok - ' "$log.guest")))
grep -q '^not ok - ' "$log.guest" && failed=1
dmesg_text=$(tr -d '\r' <"$console" | sed -n '/^### dmesg begin/,/^### dmesg end/p')
# The VM judge's patterns (tests/vm-kselftests.sh); a grep that fails on
# them (status 2) is a failed check, not a clean log.
bad_re=$(ere tests/dmesg-bad.ere) benign_re=$(ere tests/dmesg-benign.ere)
bad=$(echo "$dmesg_text" | grep -E "$bad_re" | grep -vE "$benign_re")
echo | grep -qE "$bad_re|$benign_re"
[ $? -le 1 ] || bad="grep cannot read the patterns of tests/dmesg-bad.ere or dmesg-benign.ere"
if [ -n "$dmesg_text" ] && [ -z "$bad" ]; then
	ok "guest dmesg has no kernel report (tests/dmesg-bad.ere)"
else
	not_ok "guest dmesg has no kernel report (tests/dmesg-bad.ere)"
	echo "$bad" | head -n 20 | sed 's/^/# /'
fi
if [ $status = 0 ]; then
	ok "guest run exited cleanly"
else
	not_ok "guest run exited cleanly (status $status)"
	tr -d '\r' <"$console" | tail -n 30 | sed 's/^/# /'
fi
rm -f "$log.guest"
echo "1..$n"
exit $failed
