# SPDX-License-Identifier: MIT
# Shared settings of the VM harness scripts.  Source it; do not run it.

TESSERA_CACHE=${TESSERA_CACHE:-/var/cache/tessera}
QEMU_ROOT=$TESSERA_CACHE/qemu-root
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Host packages the whole build and test flow needs (Debian 12).
HOST_PACKAGES="gcc make pkg-config kmod cpio xz-utils busybox-static debootstrap
	sparse libdrm-dev libpci-dev linux-source-6.12 libopenblas-dev libdnnl-dev
	libjson-c-dev libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata
	clang libclang-rt-14-dev
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	debhelper dh-dkms lintian scdoc dpkg-dev fakeroot libmicrohttpd-dev
	fortunes wamerican gnuplot-nox openmpi-bin libopenmpi-dev"

msg() { printf '%s\n' "$*" >&2; }

# Per-log and total TAP counts of the stage logs DIR/*.log, one line per
# log; sets pass, fail and skip (fail 1 when no test ran at all).
tap_totals() {
	local f p s n
	pass=0 fail=0 skip=0
	for f in "$1"/*.log; do
		p=$(tr -d '\r' <"$f" | grep -E '^ok [0-9-]' | grep -vc '# SKIP' || true)
		s=$(tr -d '\r' <"$f" | grep -E '^ok [0-9-]' | grep -c '# SKIP' || true)
		n=$(tr -d '\r' <"$f" | grep -cE '^not ok [0-9-]' || true)
		printf '   %-24s %4d passed, %d failed, %d skipped\n' "$(basename "$f" .log)" \
			"$p" "$n" "$s"
		pass=$((pass + p)) fail=$((fail + n)) skip=$((skip + s))
	done
	if [ $((pass + fail)) = 0 ]; then
		echo "no test ran"
		fail=1
	fi
}

# One extended regular expression from a pattern file (tests/dmesg-*.ere:
# one pattern per line, # comments): its patterns joined with |.
ere() { sed '/^#/d;/^$/d' "$1" | paste -sd'|'; }
die() { msg "error: $*"; exit 1; }

# The newest Linux 6.12 with both an image and a build tree.
guest_kver() {
	local k best=
	for k in $(ls /lib/modules 2>/dev/null | grep '^6\.12\.' | sort -V); do
		[ -r "/boot/vmlinuz-$k" ] && [ -d "/lib/modules/$k/build" ] && best=$k
	done
	[ -n "$best" ] || return 1
	echo "$best"
}

# The newest kernel in the Debian 13 root ($QEMU_ROOT, trixie-backports'
# linux-image-amd64 and linux-headers-amd64, installed by setup.sh) with both
# an image and a build tree: the "next kernel" make check builds and boots.
root_kver() {
	local k best=
	for k in $(ls "$QEMU_ROOT/lib/modules" 2>/dev/null | sort -V); do
		[ -r "$QEMU_ROOT/boot/vmlinuz-$k" ] && [ -d "$QEMU_ROOT/lib/modules/$k/build" ] && best=$k
	done
	[ -n "$best" ] || return 1
	echo "$best"
}

# A QEMU that has vfio-user-pci: the system's if it has one, else the one
# that setup.sh installs from Debian 13 into $QEMU_ROOT.
qemu_cmd() {
	if command -v qemu-system-x86_64 >/dev/null &&
	   qemu-system-x86_64 -device help 2>/dev/null | grep -q vfio-user-pci; then
		echo qemu-system-x86_64
		return 0
	fi
	[ -x "$QEMU_ROOT/usr/bin/qemu-system-x86_64" ] || return 1
	echo "$QEMU_ROOT/lib64/ld-linux-x86-64.so.2" \
		"--library-path $QEMU_ROOT/usr/lib/x86_64-linux-gnu:$QEMU_ROOT/lib/x86_64-linux-gnu" \
		"$QEMU_ROOT/usr/bin/qemu-system-x86_64" \
		"-L $QEMU_ROOT/usr/share/qemu -L $QEMU_ROOT/usr/share/seabios"
}

# The initramfs for kernel $1, named after guest-init's contents so that a
# changed init never boots from a stale cache.
initramfs_path() {
	local sum
	sum=$(sha1sum "$TOP/tools/vm/guest-init" | cut -c1-12)
	echo "$TESSERA_CACHE/initramfs-$1-$sum.cpio.gz"
}

# Run a command inside root file system $1 with a /proc of its own, in a
# private mount namespace: nothing stays mounted afterwards.
in_chroot() {
	unshare --mount --propagation private -- sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$@"
}
# The same in the Debian 13 root ($QEMU_ROOT).
in_root() { in_chroot "$QEMU_ROOT" "$@"; }

# The Debian 12 root the package test installs the .debs into and boots
# (tools/deb/pkg-root.sh).
PKG_ROOT=$TESSERA_CACHE/pkg-root

# Copy the module's sources (what DKMS builds from: Kbuild, driver/*.[ch],
# uapi/drm/*.h; no build products) into directory $1.
copy_module_src() {
	mkdir -p "$1/driver" "$1/uapi/drm" &&
	cp "$TOP/Kbuild" "$1/" &&
	cp "$TOP"/driver/*.[ch] "$1/driver/" &&
	cp "$TOP"/uapi/drm/*.h "$1/uapi/drm/"
}
