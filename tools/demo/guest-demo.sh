#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs inside the VM for `make demo`: load the driver, run accel-demo, then
# the transformer demo (greedy decoding, every logit checked against the CPU).
set -eu
cd "$TESSERA_DIR"
modprobe -a drm drm_shmem_helper gpu-sched drm_gpuvm && { modprobe -q drm_buddy || true; }
insmod ./tessera.ko
for ((t = 0; t < 50; t++)); do [ -e /dev/accel/accel0 ] && break; sleep 0.1; done
dmesg | grep -E 'tessera .*T1' || true
./tools/demo/accel-demo
echo "demo: a 2-layer transformer on the card, checked against the CPU..."
./tools/demo/transformer
rmmod tessera
