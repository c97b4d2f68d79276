#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# Smoke test of tessera-emu behind a real QEMU (>= 10.1, vfio-user-pci),
# without a guest: QEMU runs stopped (-S) and the test drives config
# cycles, MMIO and guest RAM through QEMU's qtest protocol.  Prints TAP.
#
#   qemu_smoke.py TESSERA_EMU [QEMU_COMMAND...]
#
# QEMU_COMMAND defaults to qemu-system-x86_64 (or $QEMU, split on spaces).
# The test is skipped when QEMU has no vfio-user-pci device.

import os
import shutil
import subprocess
import sys
import tempfile
import time

BAR0 = 0xfe000000
RING0 = 0x1000
DEVFN_CFG = 0x80000800          # bus 0, device 1, function 0 on q35


class QTest:
    def __init__(self, qemu, sock):
        dev = '{"driver":"vfio-user-pci","socket":{"path":"%s","type":"unix"}}'
        self.p = subprocess.Popen(
            qemu + ["-machine", "q35,memory-backend=mem",
                    "-object", "memory-backend-memfd,id=mem,size=256M,share=on",
                    "-accel", "tcg", "-S", "-qtest", "stdio", "-nodefaults",
                    "-vga", "none", "-nic", "none", "-display", "none",
                    "-device", dev % sock],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        while True:
            reply = self.p.stdout.readline()
            if not reply:
                raise RuntimeError("QEMU exited")
            if reply.split()[0] in ("OK", "FAIL", "ERR"):
                return reply.split()

    def cfg_read(self, reg):
        self.cmd("outl 0xcf8 0x%x" % (DEVFN_CFG | reg))
        return int(self.cmd("inl 0xcfc")[1], 16)

    def cfg_write(self, reg, val):
        self.cmd("outl 0xcf8 0x%x" % (DEVFN_CFG | reg))
        self.cmd("outl 0xcfc 0x%x" % val)

    def rd(self, off):
        return int(self.cmd("readl 0x%x" % (BAR0 + off))[1], 16)

    def wr(self, off, val):
        self.cmd("writel 0x%x 0x%x" % (BAR0 + off, val))

    def close(self):
        self.p.kill()
        self.p.wait()


def put_fence_desc(q, slot, value):
    """Descriptor @slot of a ring at 1 MiB: FENCE(IRQ, value) at 0x101000+."""
    cmd = 0x101000 + slot * 16
    q.cmd("writeq 0x%x 0x%x" % (cmd, 0x00040101))      # FENCE, IRQ, 4 dwords
    q.cmd("writeq 0x%x 0x%x" % (cmd + 8, value))
    d = 0x100000 + slot * 32
    q.cmd("writeq 0x%x 0x%x" % (d, cmd))
    q.cmd("writeq 0x%x 0x10" % (d + 8))                 # size 16, flags 0
    q.cmd("writeq 0x%x 0" % (d + 16))
    q.cmd("writeq 0x%x 0" % (d + 24))


def wait_completed(q, n):
    for _ in range(200):
        if q.rd(RING0 + 0x34) >= n:
            break
        time.sleep(0.01)
    return q.rd(RING0 + 0x34)


def run(q):
    yield "vendor/device", q.cfg_read(0), 0x7e511234
    q.cfg_write(0x10, 0xffffffff)
    yield "BAR0 sizing", q.cfg_read(0x10), 0xffff0000
    q.cfg_write(0x10, BAR0)
    q.cfg_write(0x04, 0x6)                              # memory + bus master
    yield "ID register", q.rd(0x0), 0x54455331
    yield "ENGINES", q.rd(0xc), 2
    q.wr(0x18, 0xcafef00d)
    yield "SCRATCH", q.rd(0x18), 0xcafef00d

    put_fence_desc(q, 0, 0x1122334455667788)
    for off, val in ((0x00, 0x100000), (0x04, 0), (0x08, 8),
                     (0x20, 0x102000), (0x24, 0), (0x18, 1),
                     (0x10, 1), (0x14, 1)):
        q.wr(RING0 + off, val)
    yield "descriptor completed", wait_completed(q, 1), 1
    yield "fence in guest RAM", int(q.cmd("readq 0x102000")[1], 16), \
        0x1122334455667788
    yield "INT_STATUS", q.rd(0x30), 1

    # MSI-X on: QEMU hands the server an eventfd for vector 0.
    q.cfg_write(0x80, q.cfg_read(0x80) | 0x80000000)
    for off, val in ((0xc000, 0xfee00000), (0xc004, 0), (0xc008, 0x31),
                     (0xc00c, 0)):
        q.cmd("writel 0x%x 0x%x" % (BAR0 + off, val))
    q.wr(0x34, 0)                                       # unmask all
    put_fence_desc(q, 1, 0x99)
    q.wr(RING0 + 0x10, 2)
    q.wr(RING0 + 0x14, 1)
    yield "second descriptor with MSI-X", wait_completed(q, 2), 2
    yield "ERR_CODE", q.rd(0x40), 0


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: qemu_smoke.py TESSERA_EMU [QEMU_COMMAND...]")
    emu = sys.argv[1]
    qemu = sys.argv[2:] or os.environ.get("QEMU", "qemu-system-x86_64").split()
    print("TAP version 13")
    try:
        devs = subprocess.run(qemu + ["-device", "help"], capture_output=True,
                              text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        devs = ""
    if "vfio-user-pci" not in devs:
        print("1..0 # SKIP no QEMU with vfio-user-pci")
        return 0

    tmp = tempfile.mkdtemp(prefix="tessera-smoke-")
    sock = os.path.join(tmp, "t1.sock")
    srv = subprocess.Popen([emu, "--socket", sock, "--rings", "2"],
                           stdout=subprocess.PIPE, text=True)
    fails = 0
    q = None
    try:
        if srv.stdout.readline() != "tessera-emu: listening on %s\n" % sock:
            raise RuntimeError("no ready line from tessera-emu")
        q = QTest(qemu, sock)
        results = list(run(q))
        print("1..%d" % len(results))
        for i, (name, got, want) in enumerate(results, 1):
            ok = got == want
            fails += not ok
            print("%sok %d - %s" % ("" if ok else "not ", i, name))
            if not ok:
                print("# got 0x%x, want 0x%x" % (got, want))
    except RuntimeError as e:
        print("1..1\nnot ok 1 - setup # %s" % e)
        fails = 1
    finally:
        if q:
            q.close()
        srv.terminate()
        fails += srv.wait(timeout=10) != 0
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
