#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs inside the VM for `make bench`: load the driver, run accel-bench.
set -eu
cd "$TESSERA_DIR"
modprobe -a drm drm_shmem_helper gpu-sched drm_gpuvm && { modprobe -q drm_buddy || true; }
insmod ./tessera.ko
for ((t = 0; t < 50; t++)); do [ -e /dev/accel/accel0 ] && break; sleep 0.1; done
echo "guest: $(nproc) vCPUs under TCG"
./tools/bench/accel-bench 0
rmmod tessera
