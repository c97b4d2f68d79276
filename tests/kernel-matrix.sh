#!/bin/bash
# SPDX-License-Identifier: MIT
#
# `make check-kernels`: build tessera.ko (W=1) against every Debian amd64
# kernel header package from Linux 6.12 on, plus the newest 6.1 (which
# must be refused with one clear line), and print a kernel x result table.
#
#   tests/kernel-matrix.sh [--list] [KVER...]
#
# Bookworm's headers (bookworm-backports, bookworm-security) build on the
# host with its gcc-12; trixie's (trixie, trixie-security,
# trixie-backports) in the Debian 13 root of the VM harness with gcc-14.
# Packages are unpacked with dpkg -x under $TESSERA_CACHE/kernels (and
# /opt/tessera-kernels in the root), never installed, so /lib/modules
# stays as it is.  Each unpacked tree is cached; the first run downloads
# about 15 MB per kernel.  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/vm/common.sh

list_only=0
if [ "${1:-}" = --list ]; then
	list_only=1
	shift
fi

[ "$(id -u)" = 0 ] || die "kernel-matrix.sh unpacks packages into $TESSERA_CACHE: run as root"
[ -x "$QEMU_ROOT/usr/bin/apt-get" ] || die "no Debian 13 root at $QEMU_ROOT: run make setup"
mirror=$(sed -n 's/^deb \(http[^ ]*\) trixie main.*/\1/p' "$QEMU_ROOT/etc/apt/sources.list" | head -n 1)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
security=${mirror%/debian}/debian-security

# One private apt state per distribution, so that neither the host's nor
# the root's own apt configuration changes.
host_apt=$TESSERA_CACHE/kernels/apt-bookworm
root_apt=/opt/tessera-kernels/apt-trixie
apt_opts() {
	local d=$1
	echo "-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=$d/none" \
		"-o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache" \
		"-o Dir::Cache::Archives=$d/archives -o APT::Get::List-Cleanup=0" \
		"-o APT::Sandbox::User=root"
}
setup_apt() {	# $1: dir as seen by apt, $2: dir on the host, $3: suites
	local s
	mkdir -p "$2"/{lists/partial,cache,archives/partial,none}
	: >"$2/sources.list.tmp"
	for s in $3; do
		case $s in
		*-security) echo "deb $security $s main" ;;
		*) echo "deb $mirror $s main" ;;
		esac >>"$2/sources.list.tmp"
	done
	mv "$2/sources.list.tmp" "$2/sources.list"
	# Refresh the indexes once a day at most.
	if [ -z "$(find "$2/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
		if [ "$2" = "$1" ]; then
			# shellcheck disable=SC2046
			apt-get -q $(apt_opts "$1") update >/dev/null
		else
			# shellcheck disable=SC2046
			chroot "$QEMU_ROOT" apt-get -q $(apt_opts "$1") update >/dev/null
		fi || die "apt-get update failed for $3"
	fi
}
setup_apt "$host_apt" "$host_apt" "bookworm bookworm-backports bookworm-security"
setup_apt "$root_apt" "$QEMU_ROOT$root_apt" "trixie trixie-security trixie-backports"

# shellcheck disable=SC2046
host_list() { apt-cache $(apt_opts "$host_apt") search --names-only "$1" | awk '{print $1}'; }
# shellcheck disable=SC2046
root_list() { chroot "$QEMU_ROOT" apt-cache $(apt_opts "$root_apt") search --names-only "$1" | awk '{print $1}'; }

# The kernels: every 6.12 and newer, and the newest 6.1.
at_least_612() { awk -F'[.+-]' '$1 > 6 || ($1 == 6 && $2 >= 12)'; }
pat='^linux-headers-[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+-amd64$'
declare -A dist
for p in $(host_list '^linux-headers-6\.1\.0-[0-9]*-amd64$' | sort -V | tail -n 1); do
	dist[${p#linux-headers-}]=bookworm
done
for k in $(host_list "$pat" | sed 's/^linux-headers-//' | at_least_612); do
	dist[$k]=bookworm
done
for k in $(root_list "$pat" | sed 's/^linux-headers-//' | at_least_612); do
	dist[$k]=trixie
done
if [ $# -gt 0 ]; then
	kvers=("$@")
else
	mapfile -t kvers < <(printf '%s\n' "${!dist[@]}" | sort -V)
fi
if [ $list_only = 1 ]; then
	for k in "${kvers[@]}"; do echo "$k ${dist[$k]:-?}"; done
	exit 0
fi

# Unpack linux-headers-KVER with its -common and linux-kbuild packages
# into $2 (a path on the host) and print the build tree's path there.
unpack() {	# $1: kver, $2: host dir, $3: dir as seen by the builder, $4: bookworm|trixie
	local k=$1 dir=$2 seen=$3 d=$4 deps p run
	if [ ! -e "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/debs"
		if [ "$d" = bookworm ]; then
			# shellcheck disable=SC2046
			deps=$(apt-cache $(apt_opts "$host_apt") depends "linux-headers-$k")
		else
			# shellcheck disable=SC2046
			deps=$(chroot "$QEMU_ROOT" apt-cache $(apt_opts "$root_apt") depends "linux-headers-$k")
		fi
		deps=$(echo "$deps" | sed -n 's/^ *|\{0,1\}Depends: \(linux-\(headers\|kbuild\)-.*\)$/\1/p')
		for p in "linux-headers-$k" $deps; do
			if [ "$d" = bookworm ]; then
				# shellcheck disable=SC2046
				(cd "$dir/debs" && apt-get -q $(apt_opts "$host_apt") download "$p") >/dev/null
			else
				# shellcheck disable=SC2046
				chroot "$QEMU_ROOT" sh -c "cd '$seen/debs' && apt-get -q $(apt_opts "$root_apt") download '$p'" >/dev/null
			fi || { msg "kernel-matrix: cannot download $p"; return 1; }
		done
		for p in "$dir"/debs/*.deb; do dpkg -x "$p" "$dir/root" || return 1; done
		rm -rf "$dir/debs"
		# Point the absolute /usr/src paths of Debian's wrapper Makefile
		# at the unpacked copy.
		sed -i "s|/usr/src/|$seen/root/usr/src/|g" "$dir/root/usr/src/linux-headers-$k/Makefile"
		touch "$dir/.done"
	fi
	echo "$seen/root/usr/src/linux-headers-$k"
}

echo "TAP version 13"
printf '# %-22s %-9s %-7s %s\n' kernel headers gcc result
table=()
n=0 failed=0
for k in "${kvers[@]}"; do
	d=${dist[$k]:-}
	n=$((n + 1))
	if [ -z "$d" ]; then
		echo "not ok $n - $k: no such linux-headers package"
		failed=1
		continue
	fi
	if [ "$d" = bookworm ]; then
		hostdir=$TESSERA_CACHE/kernels/$k
		seen=$hostdir
		run=(nice -n 19)
		gcc=gcc-12
	else
		hostdir=$QEMU_ROOT/opt/tessera-kernels/$k
		seen=/opt/tessera-kernels/$k
		run=(in_root nice -n 19)
		gcc=gcc-14
	fi
	kdir=$(unpack "$k" "$hostdir" "$seen" "$d") || {
		echo "not ok $n - $k: headers could not be unpacked"
		failed=1
		continue
	}
	# A private copy of the module's sources (Kbuild, driver/, uapi/:
	# what DKMS builds from) where the builder can see it.
	src=$(mktemp -d "$QEMU_ROOT/tmp/tessera-kmatrix.XXXXXX")
	copy_module_src "$src"
	srcseen=$src
	[ "$d" = trixie ] && srcseen=${src#"$QEMU_ROOT"}
	out=$("${run[@]}" make -C "$kdir" M="$srcseen" W=1 modules 2>&1)
	status=$?
	rm -rf "$src"
	warn=$(echo "$out" | grep -E 'warning:|error:|\*\*\*' | grep -v '^make' || true)
	if [[ $k == 6.1.* ]]; then
		# No DRM accel core: the build must stop with our one line.
		if [ $status != 0 ] && echo "$out" | grep -q 'tessera needs the DRM accel core'; then
			result="refused: $(echo "$out" | grep -o 'tessera needs the DRM accel core.*' | head -n 1)"
			echo "ok $n - $k: refused with one clear line"
		else
			result="NOT REFUSED CLEANLY"
			echo "not ok $n - $k: refused with one clear line"
			failed=1
		fi
	elif [ $status = 0 ] && [ -z "$warn" ]; then
		result="builds, no warnings"
		echo "ok $n - $k: tessera.ko builds with W=1, no warnings"
	else
		result="FAILS ($(echo "$warn" | grep -c .) diagnostics)"
		echo "not ok $n - $k: tessera.ko builds with W=1, no warnings"
		echo "$warn" | head -n 20 | sed 's/^/# /'
		failed=1
	fi
	table+=("$(printf '%-22s %-9s %-7s %s' "$k" "$d" "$gcc" "$result")")
done
echo "1..$n"
printf '# %s\n' "${table[@]}"
exit $failed
