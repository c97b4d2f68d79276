# SPDX-License-Identifier: MIT
#
# Tessera: the one entry point.
#
#   make            set up (once) and build everything
#   make check      build, then run host tests, lint and the VM kselftests
#   make check-debug
#                   the guest suite on a debug kernel (KASAN, lockdep,
#                   kmemleak, DMA-API debug...), built once and cached;
#                   not part of make check (15 min build, 16 min run)
#   make demo       boot the emulated card and run a job on it
#   make bench      emulator and driver benchmarks (numbers and ratios)
#   make fuzz-guest SECONDS=N [SEED=S]
#                   the ioctl fuzzer in a VM with two cards for N seconds
#   make install    install module, library, headers and tools
#   make clean
#
# Kbuild (beside this file) describes tessera.ko to the kernel's build
# system, which this Makefile calls with M=$(CURDIR).

SHELL := /bin/bash
TESSERA_CACHE ?= /var/cache/tessera
export TESSERA_CACHE
KVER ?= $(shell bash -c '. tools/vm/common.sh && guest_kver' 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
DESTDIR ?=

all: setup
	$(MAKE) build

build: module emu libaccel tools kselftests examples fuzz

setup:
	@tools/vm/setup.sh

module:
	@test -d "$(KDIR)" || { echo "no kernel build tree $(KDIR): run make setup"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

emu:
	$(MAKE) -C tools/emu

libaccel:
	$(MAKE) -C libaccel

tools: libaccel
	$(MAKE) -C tools

kselftests: libaccel
	$(MAKE) -C tests/kselftest

examples: libaccel
	$(MAKE) -C examples

fuzz:
	$(MAKE) -C tests/fuzz

check: all
	@tests/run-check.sh

check-debug: all
	@tests/run-check-debug.sh

demo: all
	@tools/vm/run.sh --timeout 300 tools/demo/guest-demo.sh

# Benchmarks print numbers and ratios; nothing here fails on a number.
bench: all
	$(MAKE) -C tools/emu bench
	@tools/vm/run.sh --timeout 900 tools/bench/guest-bench.sh

# The ioctl fuzzer for SECONDS (default 600) with seed SEED (default: from
# the clock; it is printed), then the same dmesg judge as make check.
SECONDS ?= 600
SEED ?= -
fuzz-guest: all
	@tests/vm-kselftests.sh --cards 2 --script tests/guest/fuzz-guest.sh \
		--args "$(SECONDS),$(SEED)" --name vm-fuzz --timeout $$(( $(SECONDS) * 3 / 2 + 900 ))

install: build
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	$(MAKE) -C libaccel install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 0644 uapi/v1/drm/tessera_accel.h $(DESTDIR)$(PREFIX)/include/drm/tessera_accel.h

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/emu clean
	$(MAKE) -C libaccel clean
	$(MAKE) -C tools clean
	$(MAKE) -C tests/kselftest clean
	$(MAKE) -C examples clean
	$(MAKE) -C tests/fuzz clean
	rm -rf build

.PHONY: all build setup module emu libaccel tools kselftests examples fuzz check check-debug demo \
	bench fuzz-guest install clean
