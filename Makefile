# SPDX-License-Identifier: MIT
#
# Tessera: the one entry point.
#
#   make            set up (once) and build everything
#   make check      build, then run host tests, lint and the VM kselftests
#   make check-kernels  build tessera.ko against every Debian 6.12..7.x kernel
#   make check-debug
#                   the guest suite on a debug kernel (KASAN, lockdep,
#                   kmemleak, DMA-API debug...), built once and cached;
#                   not part of make check (15 min build, 16 min run)
#   make demo       boot the emulated card, run jobs on it, and have the model
#                   trained on it write fortunes (make train's, or a small one)
#   make train [TRAIN_ARGS=...] [TRAIN_OUT=DIR]
#                   train the llama model on the card in the VM (about 5
#                   min): the GGUF checkpoint, the loss curve and a sample
#   make bench      emulator and driver benchmarks (numbers and ratios)
#   make fuzz-guest SECONDS=N [SEED=S]
#                   the ioctl fuzzer in a VM with two cards for N seconds
#   make check-repeat [RUNS=N]
#                   make check's VM stage N times (10), each with its own
#                   fuzzer seed: which tests are flaky
#   make install    install module (for the running kernel), udev rule,
#                   library, headers, tools and man pages
#   make install-emu  install the emulated card (pre-silicon and CI only)
#   make uninstall  remove what make install installed
#   make deb        Debian packages (debhelper, dh-dkms) and lintian, in
#                   build/deb/
#   make clean
#
# Kbuild (beside this file) describes tessera.ko to the kernel's build
# system, which this Makefile calls with M=$(CURDIR).

SHELL := /bin/bash
TESSERA_CACHE ?= /var/cache/tessera
export TESSERA_CACHE
# The kernel `make module` builds for: the VM tests' Debian 6.12 where there
# is one, else the running kernel.
KVER ?= $(or $(shell bash -c '. tools/vm/common.sh && guest_kver' 2>/dev/null),$(shell uname -r))
KDIR ?= /lib/modules/$(KVER)/build

# Installation: PREFIX, DESTDIR and these (Debian's multiarch library
# directory by default).  The module goes to the running kernel's tree
# (INSTALL_KVER), built there from a copy of the DKMS sources.
PREFIX ?= /usr/local
DESTDIR ?=
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
INSTALL_KVER ?= $(shell uname -r)
INSTALL_KDIR ?= /lib/modules/$(INSTALL_KVER)/build
INSTALL_MOD_DIR ?= updates
INSTALL_VARS = PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) LIBDIR=$(LIBDIR) \
	INCLUDEDIR=$(INCLUDEDIR) BINDIR=$(BINDIR) MANDIR=$(MANDIR)
modbuild := build/module-$(INSTALL_KVER)

all: setup
	$(MAKE) build

build: module emu libaccel tools kselftests examples fuzz onnx llm

setup:
	@tools/vm/setup.sh

module:
	@test -d "$(KDIR)" || { echo "make module: no kernel build tree $(KDIR): apt-get install" \
		"linux-headers-$(KVER) (Linux 6.12 to 7.3), or set KVER or KDIR"; exit 1; }
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

fuzz: libaccel
	$(MAKE) -C tests/fuzz

onnx: libaccel
	$(MAKE) -C tests/onnx

# The model library and its CPU reference (no card needed).
llm: libaccel
	$(MAKE) -C tools/llm

check: all
	@tests/run-check.sh

# tessera.ko against every Debian kernel from 6.12 on (downloads headers).
check-kernels:
	@tests/kernel-matrix.sh

check-debug: all
	@tests/run-check-debug.sh

demo: all
	@mkdir -p build/demo
	@flock /tmp/tessera-vm.lock tools/vm/run.sh --timeout 600 --memory 2G --out build/demo \
		tools/demo/guest-demo.sh

# Train the llama model on the card in the VM (tools/llm/accel-train; its
# options comma-separated in TRAIN_ARGS; by default the 600-step schedule
# that reaches val loss 1.84 on the CPU), under the VM lock; the checkpoint,
# loss.csv and loss.png land in TRAIN_OUT.
TRAIN_OUT ?= build/train
TRAIN_ARGS ?= --steps,600,--eval-every,50
TRAIN_TIMEOUT ?= 14400
train: build
	@mkdir -p $(TRAIN_OUT)
	@flock /tmp/tessera-vm.lock tools/vm/run.sh --timeout $(TRAIN_TIMEOUT) --memory 2G \
		--out $(TRAIN_OUT) tools/llm/guest-train.sh $(TRAIN_ARGS)
	@echo "make train: checkpoint $(TRAIN_OUT)/tessera-fortunes.gguf, loss curve $(TRAIN_OUT)/loss.png ($(TRAIN_OUT)/loss.csv)"

# Benchmarks print numbers and ratios; nothing here fails on a number.
bench: all
	$(MAKE) -C tools/emu bench
	@tools/vm/run.sh --timeout 900 tools/bench/guest-bench.sh

# The ioctl fuzzer for SECONDS (default 600) with seed SEED (default: from
# the clock; it is printed), then the same dmesg judge as make check.
SECONDS ?= 600
SEED ?= -
check-repeat: all
	@tests/vm-repeat.sh $(or $(RUNS),10)

fuzz-guest: all
	@tests/vm-kselftests.sh --cards 2 --script tests/guest/fuzz-guest.sh \
		--args "$(SECONDS),$(SEED)" --name vm-fuzz --timeout $$(( $(SECONDS) * 3 / 2 + 900 ))


install: install-module install-udev install-lib install-tools install-man

install-module:
	@test -d "$(INSTALL_KDIR)" || { echo "make install-module: no kernel build tree $(INSTALL_KDIR);" \
		"apt-get install linux-headers-$(INSTALL_KVER), or set INSTALL_KVER (or use tessera-dkms)"; exit 1; }
	rm -rf $(modbuild)
	bash -c '. tools/vm/common.sh && copy_module_src $(modbuild)'
	$(MAKE) -C $(INSTALL_KDIR) M=$(CURDIR)/$(modbuild) modules
	$(MAKE) -C $(INSTALL_KDIR) M=$(CURDIR)/$(modbuild) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install
	$(if $(DESTDIR),,depmod -a $(INSTALL_KVER))

install-udev:
	install -D -m 0644 udev/70-tessera.rules $(DESTDIR)$(UDEVRULESDIR)/70-tessera.rules

install-lib:
	$(MAKE) -C libaccel install $(INSTALL_VARS)

install-tools: libaccel
	$(MAKE) -C tools install $(INSTALL_VARS)

install-man: man
	$(MAKE) -C Documentation/man install $(INSTALL_VARS)

install-emu:
	$(MAKE) -C tools install-emu $(INSTALL_VARS)
	$(MAKE) -C Documentation/man install-emu $(INSTALL_VARS)

man:
	$(MAKE) -C Documentation/man

uninstall:
	rm -f $(addprefix $(DESTDIR)/lib/modules/$(INSTALL_KVER)/$(INSTALL_MOD_DIR)/tessera.ko,"" .xz .zst .gz)
	$(if $(DESTDIR),,-depmod -a $(INSTALL_KVER))
	rm -f $(DESTDIR)$(UDEVRULESDIR)/70-tessera.rules
	$(MAKE) -C libaccel uninstall $(INSTALL_VARS)
	$(MAKE) -C tools uninstall uninstall-emu $(INSTALL_VARS)
	$(MAKE) -C Documentation/man uninstall $(INSTALL_VARS)

# From a copy of the tracked files, so no build product gets in.
deb:
	@tools/deb/build.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/emu clean
	$(MAKE) -C libaccel clean
	$(MAKE) -C tools clean
	$(MAKE) -C tests/kselftest clean
	$(MAKE) -C examples clean
	$(MAKE) -C tests/fuzz clean
	$(MAKE) -C tests/onnx clean
	$(MAKE) -C tools/llm clean
	$(MAKE) -C Documentation/man clean
	rm -rf build

.PHONY: all build setup module emu libaccel tools kselftests examples fuzz onnx llm train check check-kernels check-repeat \
	check-debug demo bench fuzz-guest install install-module install-udev install-lib \
	install-tools install-man install-emu man uninstall deb clean
