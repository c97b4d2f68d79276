#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs inside the test VM with the package-test root (tools/deb/pkg-root.sh)
# as its root, the Tessera packages installed there by
# tests/packages-test.sh, and one card.  Nothing loads tessera.ko by hand:
# udev must load it by the card's PCI modalias (DKMS built it), and its
# rule must give the node to group render.  Then a user in group render
# runs a job (examples/vector_add, built against libaccel-dev) and a user
# outside it gets EACCES.  Prints numbered ok/not ok lines and dmesg
# between markers; exits non-zero on any failure.
set -u
failed=0 n=0
ok() { n=$((n + 1)); echo "ok $n pkg: $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n pkg: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
# $1 exit status, $2 output, $3 a pattern the output must match.
failed_with() { [ "$1" != 0 ] && grep -q "$3" <<<"$2"; }
succeeded_with() { [ "$1" = 0 ] && grep -q "$3" <<<"$2"; }
matches() { [[ $1 == $2 ]]; }
kver=$(uname -r)
echo "# guest: kernel $kver, root $(. /etc/os-release && echo "$PRETTY_NAME")"

check "tessera is not loaded before udev runs" test ! -d /sys/module/tessera
# guest-init runs this script in a chroot, where udevadm refuses to work
# ("Running in chroot, ignoring request") unless told otherwise.
export SYSTEMD_IGNORE_CHROOT=1
/lib/systemd/systemd-udevd --daemon
udevadm trigger --type=subsystems --action=add
udevadm trigger --type=devices --action=add
udevadm settle --timeout=120
for ((t = 0; t < 100; t++)); do
	[ -e /dev/accel/accel0 ] && break
	sleep 0.1
done
udevadm settle --timeout=60

check "udev loaded tessera by the card's PCI modalias" test -d /sys/module/tessera
path=$(modinfo -n tessera 2>/dev/null)
echo "# modinfo -n tessera: $path"
check "the module is the one DKMS built for $kver" \
	matches "$path" "/lib/modules/$kver/updates/dkms/tessera.ko*"
want=$(dpkg-query -W -f='${Version}' tessera-dkms)
have=$(cat /sys/module/tessera/version 2>/dev/null)
check "the loaded module's version ($have) is tessera-dkms's ($want)" test "$have" = "$want"
check "/dev/accel/accel0 exists" test -c /dev/accel/accel0
perm=$(stat -c '%U:%G %a' /dev/accel/accel0 2>/dev/null)
check "/dev/accel/accel0 is root:render 0660 (is $perm)" test "$perm" = "root:render 660"
tags=$(udevadm info -q property /dev/accel/accel0 2>/dev/null | grep '^TAGS=')
check "/dev/accel/accel0 has the uaccess tag ($tags)" matches "$tags" "*:uaccess:*"

out=$(runuser -u tessera-render -- /opt/tessera-test/vector_add 2>&1); rc=$?
echo "$out" | sed 's/^/# tessera-render: /'
check "a user in group render runs a job" test $rc = 0
out=$(runuser -u tessera-other -- /opt/tessera-test/vector_add 2>&1); rc=$?
echo "$out" | sed 's/^/# tessera-other: /'
check "a user outside group render gets EACCES" failed_with $rc "$out" 'Permission denied'

out=$(runuser -u tessera-render -- accel-smi 2>&1); rc=$?
echo "$out" | sed 's/^/# accel-smi: /'
check "accel-smi from tessera-tools lists the card" succeeded_with $rc "$out" '^Card 0'
# What an operator types next: fields as CSV, and the exporter's textfile.
out=$(runuser -u tessera-render -- accel-smi \
	--query=index,pci.bus_id,serial,driver_version,temperature.current,power.draw,memory.used \
	--format=csv 2>&1); rc=$?
echo "$out" | sed 's/^/# accel-smi --query: /'
check "accel-smi --query --format=csv: a header and one row" \
	test $rc = 0 -a "$(echo "$out" | wc -l)" = 2
out=$(accel-exporter --textfile /tmp/tessera.prom --once 2>&1 && grep -E '^tessera_(info|temperature_celsius|power_watts|energy_joules_total|engine_resets_total)' /tmp/tessera.prom); rc=$?
echo "$out" | sed 's/^/# accel-exporter: /'
check "accel-exporter from tessera-tools writes the textfile" test $rc = 0

echo "### dmesg begin"
dmesg
echo "### dmesg end"
exit $failed
