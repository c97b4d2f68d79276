#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs inside the VM for `make demo` (tools/vm/run.sh --out build/demo):
# load the driver, run accel-demo, the transformer demo (greedy decoding,
# every logit checked against the CPU), then the llama model trained on
# the card writing fortunes: `make train`'s checkpoint if there is one,
# otherwise a small model trained here for under a minute and kept in
# build/demo for the next run.
set -eu
cd "$TESSERA_DIR"
modprobe -a drm drm_shmem_helper gpu-sched drm_gpuvm && { modprobe -q drm_buddy || true; }
insmod ./tessera.ko
for ((t = 0; t < 50; t++)); do [ -e /dev/accel/accel0 ] && break; sleep 0.1; done
dmesg | grep -E 'tessera .*T1' || true
./tools/demo/accel-demo
echo "demo: a 2-layer transformer on the card, checked against the CPU..."
./tools/demo/transformer

out=/run/tessera-out
mkdir -p $out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 tesseraout $out
model=build/train/tessera-fortunes.gguf
if [ -s "$model" ]; then
	echo "demo: the model make train left in $model"
else
	model=$out/demo-fortunes.gguf
	if [ -s "$model" ]; then
		echo "demo: the small model an earlier make demo trained (build/demo; make train for the full one)"
	else
		echo "demo: no make train checkpoint: training a small model on the card for under a minute..."
		./tools/llm/accel-train --d-model 128 --layers 2 --heads 4 --ffn 344 --ctx 64 \
			--batch 16 --steps 900 --warmup 50 --lr 3e-3 --eval-every 900 \
			--eval-windows 64 --log-every 50 --out "$model.tmp"
		mv "$model.tmp" "$model"
	fi
fi
echo "demo: fortunes from the card (accel-generate, temperature 0.8, top-k 40; logits checked against the CPU)"
./tools/llm/accel-generate --model "$model" --prompt "" --tokens 400 --temperature 0.8 \
	--top-k 40 --seed 3 --check 4
rmmod tessera
