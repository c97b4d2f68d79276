#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM from tests/guest/kselftests.sh with tessera.ko
# loaded: checks accel-smi's table and JSON views against the cards present,
# that the PCIe link (8 GT/s x16) is read, that a process holding a card
# shows up with its pid, that sensors read plausibly, that `reset` refuses a
# busy card, resets an idle one with an FLR while the driver stays bound (the
# card then runs jobs) and, with --force, one in use, and that bad usage
# gives one error line and exit 1.
# Prints its own numbered ok/not ok lines; exits non-zero on any failure.
set -u
cd "$TESSERA_DIR" || exit 1
. tests/guest/lib.sh
smi=./tools/smi/accel-smi
failed=0 n=0
ok() { n=$((n + 1)); echo "ok $n smi: $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n smi: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
pyjson() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

cards=$(grep -l '^0x7e51$' /sys/bus/pci/devices/*/device 2>/dev/null | wc -l)
out=$($smi 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "table view exits 0" test $rc = 0
check "table lists $cards card(s)" test "$(echo "$out" | grep -c '^Card [0-9]')" = "$cards"

json=$($smi --json); rc=$?
echo "# $json"
check "--json exits 0" test $rc = 0
check "--json is valid JSON with $cards card(s)" \
	pyjson "assert len(d['cards']) == $cards, d" <<<"$json"
# A card can be caught between the two states: suspending or resuming.
check "--json: power state is a runtime-PM status" pyjson "
for c in d['cards']:
    assert c['power_state'] in ('active', 'suspended', 'suspending', 'resuming'), c" <<<"$json"
check "table: power state shown" test "$(echo "$out" | grep -c 'Power state  *D[03]')" = "$cards"
# An idle card goes to D3hot after autosuspend_ms; accel-smi reports that
# before its own sensor reads wake the card.
pmdir=/sys/class/accel/accel0/device/power
for ((i = 0; i < 100 * TESSERA_TIME_SCALE; i++)); do
	[ "$(cat $pmdir/runtime_status)" = suspended ] && break
	sleep 0.1
done
check "--json: an idle card reads as suspended" pyjson \
	"assert d['cards'][0]['power_state'] == 'suspended', d['cards'][0]" <<<"$($smi --json -i 0)"
check "--json: PCI ids, engines and memory total present" pyjson "
for c in d['cards']:
    assert c['pci']['vendor_id'] and c['pci']['device_id'] == '7e51', c
    assert c['engines']['compute'] >= 1 and c['memory']['device_total_bytes'] > 0, c" <<<"$json"
# Each card sits behind a PCIe root port in the VM (tools/vm/run.sh), so its
# link registers are visible: the emulated T1 trains at 8 GT/s x16.
check "--json: PCIe link read (8 GT/s x16, not n/a)" pyjson "
for c in d['cards']:
    p = c['pci']
    assert p['link_speed_gts'] == 8.0 and p['link_width'] == 16, p
    assert p['max_link_speed_gts'] == 8.0 and p['max_link_width'] == 16, p" <<<"$json"
check "table: PCIe link is not n/a" bash -c "$smi | grep -E '^  PCIe link' | grep -vq 'n/a' &&
	! $smi | grep -E '^  PCIe link' | grep -q 'n/a'"
check "--json: temperature and power plausible" pyjson "
for c in d['cards']:
    t = c['temperature']; p = c['power']
    assert 0 < t['current_c'] < 150 and t['current_c'] < t['crit_c'], t
    assert 0 < p['current_w'] and (p['cap_w'] is None or p['current_w'] <= p['cap_w'] * 1.5), p" <<<"$json"
check "-i 0 selects one card" pyjson "assert [c['index'] for c in d['cards']] == [0], d" \
	<<<"$($smi --json -i 0)"
# Complete lines only: timeout may cut the last sample short.  8 s leaves
# room for a slow first sample when the host is loaded.
check "--loop: one JSON line per sample" \
	bash -c "timeout $(scaled 8) $smi --json -l 0.5 | python3 -c 'import json,sys; l=[json.loads(x) for x in sys.stdin.read().split(chr(10))[:-1]]; assert len(l) >= 2 and all(len(x[\"cards\"]) == $cards for x in l), l'"

# A process holding card 0.
sleep 600 3<>/dev/accel/accel0 &
holder=$!
sleep "$(scaled 0.3)"
json=$($smi --json -i 0)
check "a process holding card 0 is listed with its pid" \
	pyjson "assert any(p['pid'] == $holder and p['command'] == 'sleep' for p in d['cards'][0]['processes']), d" <<<"$json"
check "table shows the holder" bash -c "$smi -i 0 | grep -qE '^ +$holder +sleep'"
err=$($smi reset -i 0 2>&1 >/dev/null); rc=$?
echo "# $err"
check "reset refuses a card in use (one line, exit 1)" \
	test $rc = 1 -a "$(echo "$err" | wc -l)" = 1 -a -n "$(echo "$err" | grep 'in use')"
kill $holder; wait $holder 2>/dev/null
if command -v setpriv >/dev/null; then
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups $smi reset -i 0 2>&1); rc=$?
	echo "# $err"
	check "reset as non-root: one error line, exit 1" \
		test $rc = 1 -a "$(echo "$err" | wc -l)" = 1 -a -n "$(echo "$err" | grep root)"
fi
dresets() { $smi --json -i 0 | python3 -c "import json,sys; print(json.load(sys.stdin)['cards'][0]['resets']['driver_device'])"; }
before=$(dresets)
out=$($smi reset -i 0 2>&1); rc=$?
echo "# $out"
check "reset of an idle card succeeds" test $rc = 0
check "reset: one line, an FLR with the driver bound" \
	test "$(echo "$out" | wc -l)" = 1 -a -n "$(echo "$out" | grep 'PCI function reset (flr) with the driver bound')"
check "reset: counted in driver_device_resets" test "$(dresets)" = $((before + 1))
# With --force while a process holds the card: its file stays valid.
sleep 600 3<>/dev/accel/accel0 &
holder=$!
sleep "$(scaled 0.3)"
out=$($smi reset -i 0 --force 2>&1); rc=$?
echo "# $out"
check "reset --force of a card in use succeeds with the driver bound" \
	test $rc = 0 -a -n "$(echo "$out" | grep 'with the driver bound')"
check "the holder is still listed after the reset" \
	pyjson "assert any(p['pid'] == $holder for p in d['cards'][0]['processes']), d" <<<"$($smi --json -i 0)"
kill $holder; wait $holder 2>/dev/null
for ((t = 0; t < 100 * TESSERA_TIME_SCALE; t++)); do
	[ "$(ls /dev/accel 2>/dev/null | wc -l)" -ge "$cards" ] && break
	sleep 0.1
done
check "card 0 runs jobs after reset" bash -c "./tools/demo/accel-demo 0 >/dev/null"


# Fleet views: --query with CSV and JSON, dmon, events, topo.
sysfs0=/sys/class/accel/accel0/device
q=index,pci.bus_id,serial,memory.total,temperature.current,power.draw,resets.driver_engine,driver_version
csv=$($smi --query=$q --format=csv); rc=$?
echo "$csv" | sed 's/^/# /'
check "--query --format=csv: a header and one row per card" \
	test $rc = 0 -a "$(echo "$csv" | wc -l)" = $((cards + 1))
check "--query: header names the fields with units" \
	test "$(echo "$csv" | head -n 1)" = "index,pci.bus_id,serial,memory.total [MiB],temperature.current [C],power.draw [W],resets.driver_engine,driver_version"
check "--query: card 0's row matches sysfs" python3 -c "
import csv, sys
rows = list(csv.reader(sys.stdin))[1:]
r = rows[0]
assert r[0] == '0' and r[1] == '$(basename "$(readlink $sysfs0)")', r
assert r[2] == '$(cat $sysfs0/tessera/serial_number)', r
assert abs(float(r[3]) - $(cat $sysfs0/tessera/device_memory_bytes) / 2**20) < 0.001, r
assert 0 < float(r[4]) < 150 and float(r[5]) > 0, r
assert r[6] == '$(cat $sysfs0/tessera/driver_engine_resets)', r
assert r[7] == '$(cat /sys/module/tessera/version)', r" <<<"$csv"
out=$($smi --query=index,memory.total --format=csv,noheader,nounits)
check "--format=csv,noheader,nounits: rows only" test "$(echo "$out" | wc -l)" = "$cards" -a \
	"$(echo "$out" | head -n 1)" = "0,$(( $(cat $sysfs0/tessera/device_memory_bytes) >> 20 )).000"
json=$($smi --query=$q --format=json)
check "--query --format=json: one object per card, numbers and strings" pyjson "
assert len(d['cards']) == $cards and d['timestamp'].endswith('Z'), d
c = d['cards'][0]
assert c['index'] == 0 and isinstance(c['memory.total'], float) and c['serial'] == '$(cat $sysfs0/tessera/serial_number)', c" <<<"$json"
check "--query -l 0.3 -c 3: three samples, one header" \
	test "$($smi --query=index --format=csv -l 0.3 -c 3 | wc -l)" = $((3 * cards + 1))
out=$($smi dmon -d 0.3 -c 2); rc=$?
echo "$out" | sed 's/^/# /'
check "dmon -c 2: two header lines, one line per card per sample" \
	test $rc = 0 -a "$(echo "$out" | grep -c '^#')" = 2 -a "$(echo "$out" | grep -vc '^#')" = $((2 * cards))
check "dmon: 12 columns, card 0's clock is the card's" bash -c "
	echo '$out' | grep -v '^#' | awk '\$2 == 0 { if (NF != 12 || \$5 != $(cat $sysfs0/tessera/clock_mhz)) exit 1; n++ } END { exit n != 2 }'"
check "dmon --format=csv: header and rows" \
	test "$($smi dmon -d 0.3 -c 2 --format=csv | wc -l)" = $((2 * cards + 1))
# events: a corrected ECC error counted by the card and an engine reset by
# the driver each show up once, with a timestamp, while they happen.
dbg=/sys/kernel/debug/accel/$(basename "$(readlink $sysfs0)")
$smi events -i 0 -d 0.2 -c 60 --format=json >/tmp/smi-events.json &
evpid=$!
# Only once it has its first sample (card_present): an error before that
# is part of its baseline, not an event (a fixed 1 s was too short on the
# debug kernel).
for ((t = 0; t < 100 * TESSERA_TIME_SCALE; t++)); do
	grep -q card_present /tmp/smi-events.json 2>/dev/null && break
	sleep 0.1
done
echo 1 >$dbg/inject_ecc
sleep 0.5
TESSERA_CARD=0 ./tests/kselftest/recovery_test -r recovery.a_hang_fails_only_the_hung_job >/dev/null 2>&1
TESSERA_CARD=0 ./tests/kselftest/recovery_test -r recovery.an_injected_fault_fails_only_its_context >/dev/null 2>&1
wait $evpid
sed 's/^/# /' /tmp/smi-events.json
check "events: card present, then ecc_corrected, engine_reset and context_fault +1, timestamped" python3 -c "
import json, sys
ev = [json.loads(l) for l in open('/tmp/smi-events.json')]
kinds = [e['event'] for e in ev]
assert kinds[0] == 'card_present', kinds
assert kinds.count('ecc_corrected') == 1 and kinds.count('engine_reset') == 1, kinds
assert kinds.count('context_fault') == 1, kinds
for e in ev:
    assert e['index'] == 0 and e['timestamp'].endswith('Z'), e
assert [e for e in ev if e['event'] == 'engine_reset'][0]['detail'].endswith('(+1)'), ev"
out=$($smi topo); rc=$?
echo "$out" | sed 's/^/# /'
check "topo: a row per card, X on the diagonal" \
	test $rc = 0 -a "$(echo "$out" | grep -c '^card[0-9]')" = "$cards" -a \
	"$(echo "$out" | grep '^card0' | awk '{print $2}')" = X
# Each card has its own root port on the VM's one host bridge.
if [ "$cards" -ge 2 ]; then
	check "topo: two cards behind their own root ports are PHB apart" \
		test "$(echo "$out" | grep '^card0' | awk '{print $3}')" = PHB
fi
check "topo --json: path and links per card" pyjson "
assert len(d['cards']) == $cards
c = d['cards'][0]
assert c['pcie_path'][-1] == c['pci.bus_id'] and c['links']['0'] == 'X', c" <<<"$($smi topo --json)"

for bad in "-x" "--bogus" "-i" "-i abc" "-l 0" "-l x" "reset" "frobnicate" "-i 99" \
	"--query=bogus" "--format=csv" "--format=xml --query=index" "dmon -l 1" "topo --query=index" \
	"-c 2" "dmon -c 0"; do
	err=$($smi $bad 2>&1 >/dev/null); rc=$?
	check "bad usage '$bad': one error line, exit 1" \
		test $rc = 1 -a "$(echo "$err" | wc -l)" = 1 -a -n "$err"
done
exit $failed
