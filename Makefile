# SPDX-License-Identifier: MIT
#
# Tessera: the one entry point.
#
#   make            set up (once) and build everything
#   make check      build, then run host tests, lint and the VM kselftests
#   make check-kernels  build tessera.ko against every Debian 6.12..7.x kernel
#   make demo       boot the emulated card and run a job on it
#   make bench      emulator and driver benchmarks (numbers and ratios)
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

build: module emu libaccel tools kselftests examples

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

check: all
	@tests/run-check.sh

# tessera.ko against every Debian kernel from 6.12 on (downloads headers).
check-kernels:
	@tests/kernel-matrix.sh

demo: all
	@tools/vm/run.sh --timeout 300 tools/demo/guest-demo.sh

# Benchmarks print numbers and ratios; nothing here fails on a number.
bench: all
	$(MAKE) -C tools/emu bench
	@tools/vm/run.sh --timeout 900 tools/bench/guest-bench.sh

install: build
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	$(MAKE) -C libaccel install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 0644 uapi/drm/tessera_accel.h $(DESTDIR)$(PREFIX)/include/drm/tessera_accel.h

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/emu clean
	$(MAKE) -C libaccel clean
	$(MAKE) -C tools clean
	$(MAKE) -C tests/kselftest clean
	$(MAKE) -C examples clean
	rm -rf build

.PHONY: all build setup module emu libaccel tools kselftests examples check check-kernels demo bench install clean
