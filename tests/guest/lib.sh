# SPDX-License-Identifier: GPL-2.0-only
#
# Shared by the guest scripts (source it after cd "$TESSERA_DIR").  The VM
# harness (tools/vm/guest-init) sets:
#   TESSERA_TIME_SCALE  how many times slower than the stock kernel this
#                       guest runs (1; 5 on the debug tier): every wait
#                       and timeout below, in the module parameters and in
#                       the kselftests (tessera_test.h) is multiplied by it
#   TESSERA_MODULE      the tessera.ko to load, relative to the repository
#                       (the debug tier's is built against its own kernel)

TESSERA_TIME_SCALE=${TESSERA_TIME_SCALE:-1}
TESSERA_MODULE=${TESSERA_MODULE:-tessera.ko}
export TESSERA_TIME_SCALE TESSERA_MODULE

# $1 (seconds or milliseconds, may be fractional) times the time scale.
scaled() { awk -v t="$1" -v f="$TESSERA_TIME_SCALE" 'BEGIN { print t * f }'; }

# The DRM helpers tessera.ko links against: modules on Debian's kernel;
# built in on a kernel that has no modules tree (the debug tier's), where
# modprobe would fail for want of /lib/modules/$(uname -r).
load_deps() {
	local s
	if [ -d "/lib/modules/$(uname -r)" ]; then
		modprobe -a drm drm_shmem_helper gpu-sched drm_gpuvm && { modprobe -q drm_buddy || true; }
		return
	fi
	for s in drm_dev_register drm_gem_shmem_create drm_sched_init drm_gpuvm_init; do
		grep -q " $s\$" /proc/kallsyms && continue
		echo "# $s is not built into $(uname -r), which has no modules tree"
		return 1
	done
}

# Load $TESSERA_MODULE with modprobe, the way an installed module loads,
# from a throwaway module tree: modprobe also hands the module every
# "tessera.NAME=" word of the kernel command line, which insmod does not.
modprobe_module() {
	local k=$(uname -r) root=/tmp/tessera-modtree
	rm -rf $root
	mkdir -p $root/lib/modules/$k/extra
	cp "$TESSERA_MODULE" $root/lib/modules/$k/extra/tessera.ko &&
		depmod -b $root "$k" 2>/dev/null &&
		modprobe -d $root tessera "$@"
}

# Before the run, on a kernel with the debug facilities (the debug tier's):
# kmemleak forgets what boot leaked, so that the final scan reports only
# what this run leaked; DMA-API debug prints its first 20 errors in full,
# not only the first one (the judge also checks its error count).
debug_start() {
	local f=/sys/kernel/debug/kmemleak d=/sys/kernel/debug/dma-api
	[ -w $d/num_errors ] && echo 20 >$d/num_errors
	[ -w $f ] || return 0
	echo scan >$f && echo clear >$f
}

# The end of every guest script: DMA-API debug's error count and kmemleak's
# findings, if the kernel has them, then dmesg, between markers
# tests/vm-kselftests.sh judges.  kmemleak skips objects younger than 5 s
# and objects that changed since its last scan, so it scans twice, 5 s
# apart.
guest_report() {
	local f=/sys/kernel/debug/kmemleak d=/sys/kernel/debug/dma-api
	[ -r $d/error_count ] && echo "### dma-api errors: $(cat $d/error_count)"
	if [ -w $f ]; then
		sleep 6
		echo scan >$f
		sleep 5
		echo scan >$f
		echo "### kmemleak begin"
		cat $f
		echo "### kmemleak end"
	fi
	echo "### dmesg begin"
	dmesg
	echo "### dmesg end"
}

# Wait (10 s, scaled) until at least $1 accel nodes exist.
wait_cards() {
	local want=$1 t
	for ((t = 0; t < 100 * TESSERA_TIME_SCALE; t++)); do
		[ "$(ls /dev/accel 2>/dev/null | wc -l)" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

# rmmod fails while fences of the module are alive; the last ones go a few
# milliseconds after their holders exit (driver/tessera_defer.c).
rmmod_retry() {
	local t
	for ((t = 0; t < 50 * TESSERA_TIME_SCALE; t++)); do
		rmmod tessera 2>/dev/null && return 0
		sleep 0.1
	done
	rmmod tessera
}
