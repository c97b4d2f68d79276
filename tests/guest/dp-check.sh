#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM (tests/guest/kselftests.sh), with two cards:
# accel-train --dp-check under Open MPI, one rank per card: a step with the
# global batch split over the two cards against the same step on card 0
# alone (Documentation/llm.rst, "Data parallel training").  Exits 0 if
# they agree.
set -u
cd "$TESSERA_DIR" || exit 1
# Open MPI's launcher talks to its ranks over TCP on loopback, its
# shared-memory transport wants /dev/shm, and it names nodes by host name:
# the guest has none of them yet.
ip link set lo up || exit 1
[ "$(hostname)" != "(none)" ] || hostname tessera-guest || exit 1
if ! mountpoint -q /dev/shm; then
	mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm || exit 1
fi
exec mpirun --allow-run-as-root --oversubscribe -np 2 --mca btl self,vader \
	./tools/llm/accel-train --dp-check --d-model 64 --layers 2 --heads 2 --ffn 128 \
	--ctx 32 --batch 8
