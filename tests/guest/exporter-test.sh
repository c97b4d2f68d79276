#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs inside the test VM from tests/guest/kselftests.sh with tessera.ko
# loaded: scrapes accel-exporter over HTTP while a client holds buffers in
# host and device memory on card 0, and checks the text format (every
# sample parses and has a TYPE), the card values against sysfs and the
# client's against its fdinfo, that the energy counter grows between
# scrapes, that the textfile mode writes the same metrics, 404 for other
# paths and a clean exit on SIGTERM.
# Prints its own numbered ok/not ok lines; exits non-zero on any failure.
set -u
cd "$TESSERA_DIR" || exit 1
exp=./tools/smi/accel-exporter
port=9776
failed=0 n=0
ok() { n=$((n + 1)); echo "ok $n exporter: $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n exporter: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

cards=$(grep -l '^0x7e51$' /sys/bus/pci/devices/*/device 2>/dev/null | wc -l)
# The guest's init brings up no network interface, not even loopback.
ip link set lo up
check "loopback is up" bash -c "ip -o link show lo | grep -q UP"
coproc HOLD { TESSERA_CARD=0 exec ./tests/kselftest/hold_sync_file --keep-open; }
read -r -t 60 line <&"${HOLD[0]}"
check "a client holds buffers on card 0" test "$line" = holding
holder=$HOLD_PID

$exp --listen 127.0.0.1:$port 2>/tmp/exporter.log &
epid=$!
for ((t = 0; t < 50; t++)); do
	grep -q listening /tmp/exporter.log && break
	sleep 0.1
done
check "accel-exporter listens on 127.0.0.1:$port" grep -q "listening on 127.0.0.1:$port" /tmp/exporter.log

TESSERA_CARDS=$cards HOLDER=$holder PORT=$port python3 - <<'PY'
import os, re, glob, time, urllib.request, urllib.error

n = 0
failed = False
def check(what, cond):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok"), "%d exporter-scrape: %s" % (n, what))
    failed |= not cond

def scrape(url='http://127.0.0.1:%s/metrics' % os.environ['PORT']):
    r = urllib.request.urlopen(url, timeout=30)
    return r.headers.get('Content-Type'), r.read().decode()

line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')
def parse(text):
    types, samples, bad = {}, [], []
    for l in text.splitlines():
        if l.startswith('# TYPE '):
            _, _, name, kind = l.split(' ', 3)
            types[name] = kind
        elif l.startswith('#') or not l:
            continue
        else:
            m = line_re.match(l)
            if not m or m.group(1) not in types:
                bad.append(l)
                continue
            labels = dict(label_re.findall(m.group(2) or ''))
            samples.append((m.group(1), labels, float(m.group(3))))
    return types, samples, bad

def get(samples, name, **labels):
    v = [s[2] for s in samples if s[0] == name and all(s[1].get(k) == w for k, w in labels.items())]
    return v[0] if len(v) == 1 else None

ctype, text = scrape()
types, samples, bad = parse(text)
check("Content-Type is the text format 0.0.4", ctype.startswith('text/plain; version=0.0.4'))
check("every sample line parses and has a TYPE (%d samples, bad: %s)" % (len(samples), bad[:3]),
      not bad and len(samples) > 20)
cards = int(os.environ['TESSERA_CARDS'])
check("tessera_cards is %d" % cards, get(samples, 'tessera_cards') == cards)
dev = '/sys/class/accel/accel0/device'
sysfs = lambda f: open(os.path.join(dev, 'tessera', f)).read().strip()
info = [s for s in samples if s[0] == 'tessera_info' and s[1].get('card') == '0']
check("tessera_info of card 0 has its serial, PCI address and driver version",
      len(info) == 1 and info[0][1]['serial'] == sysfs('serial_number') and
      info[0][1]['pci'] == os.path.basename(os.readlink(dev)) and
      info[0][1]['driver_version'] == open('/sys/module/tessera/version').read().strip())
check("device memory total matches sysfs",
      get(samples, 'tessera_device_memory_bytes', card='0') == int(sysfs('device_memory_bytes')))
check("driver engine resets match sysfs",
      get(samples, 'tessera_engine_resets_total', card='0', by='driver') == int(sysfs('driver_engine_resets')))
check("context faults match sysfs",
      get(samples, 'tessera_context_faults_total', card='0') == int(sysfs('context_faults')))
check("counters are counters, gauges gauges",
      types.get('tessera_energy_joules_total') == 'counter' and types.get('tessera_power_watts') == 'gauge')

# The holder's fdinfo: its accel file's drm-total-* keys.
holder = os.environ['HOLDER']
want = {}
for fd in glob.glob('/proc/%s/fd/*' % holder):
    try:
        if not os.readlink(fd).startswith('/dev/accel/accel0'):
            continue
    except OSError:
        continue
    for l in open('/proc/%s/fdinfo/%s' % (holder, os.path.basename(fd))):
        m = re.match(r'drm-total-(system|hbm):\s+(\d+)(?: (KiB|MiB|GiB))?', l)
        if m:
            want[m.group(1)] = int(m.group(2)) << {None: 0, 'KiB': 10, 'MiB': 20, 'GiB': 30}[m.group(3)]
got = {r: get(samples, 'tessera_process_memory_bytes', card='0', pid=holder, region=r) for r in want}
check("the holder's memory per region matches its fdinfo (%s vs %s)" % (got, want),
      len(want) == 2 and want['hbm'] >= 1 << 20 and all(got[r] == want[r] for r in want))
check("the holder's engine time is exported",
      get(samples, 'tessera_process_engine_seconds_total', card='0', pid=holder, **{'class': 'compute'}) is not None)

e0 = get(samples, 'tessera_energy_joules_total', card='0')
time.sleep(1.0)
_, text2 = scrape()
e1 = get(parse(text2)[1], 'tessera_energy_joules_total', card='0')
check("the energy counter grows between scrapes (%s -> %s J)" % (e0, e1),
      e0 is not None and e1 is not None and e1 > e0)
try:
    scrape('http://127.0.0.1:%s/nope' % os.environ['PORT'])
    check("another path is 404", False)
except urllib.error.HTTPError as e:
    check("another path is 404", e.code == 404)
open('/tmp/exporter-names.txt', 'w').write('\n'.join(sorted(set(s[0] for s in samples))) + '\n')
exit(1 if failed else 0)
PY
check "the scrape checks ran to the end" test $? = 0

mkdir -p /tmp/textfile
check "--textfile --once writes the file" $exp --textfile /tmp/textfile/tessera.prom --once
check "no temporary file is left" test "$(ls /tmp/textfile)" = tessera.prom
names=$(grep -v '^#' /tmp/textfile/tessera.prom | sed 's/[{ ].*//' | sort -u)
check "the textfile has the HTTP scrape's metrics" test "$names" = "$(cat /tmp/exporter-names.txt)"

kill -TERM $epid
wait $epid
check "SIGTERM stops it, exit 0" test $? = 0
echo go >&"${HOLD[1]}"
wait "$holder"
err=$($exp --bogus 2>&1 >/dev/null); rc=$?
check "bad usage: one error line, exit 1" test $rc = 1 -a "$(echo "$err" | wc -l)" = 1
exit $failed
