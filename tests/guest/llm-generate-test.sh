#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM from tests/guest/kselftests.sh with tessera.ko
# loaded: accel-generate (tools/llm, Documentation/llm.rst "Generation on
# the card") on a small random model written to /tmp: its logits against
# the CPU reference for the first 8 generated positions (--check 8), and
# its text, greedy and sampled, byte for byte the CPU's cpu-generate's for
# the same model, prompt and seed; with prompts and generations longer
# than the context, so the prefill, the decode buffers of every position,
# the prompt that does not fit in one prefill and the sliding context all
# run.  Bad options are refused.
# Prints its own numbered ok/not ok lines; exits non-zero on any failure.
set -u
cd "$TESSERA_DIR" || exit 1
llm=./tools/llm
failed=0 n=0
ok() { n=$((n + 1)); echo "ok $n llm-generate: $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n llm-generate: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

tmp=$(mktemp -d /tmp/llm-generate.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
model=$tmp/random.gguf
check "a random model (ctx 32, 2 layers, 4 heads) is written" \
	$llm/random-model --ctx 32 --d-model 64 --layers 2 --heads 4 --ffn 96 "$model"

# same_text NAME PROMPT TOKENS [SAMPLING...]: card (with --check 8) and CPU
same_text() {
	local name=$1 prompt=$2 tokens=$3 rc
	shift 3
	$llm/accel-generate --model "$model" --prompt "$prompt" --tokens "$tokens" --check 8 \
		"$@" >"$tmp/$name.card" 2>"$tmp/$name.err"
	rc=$?
	sed 's/^/# /' "$tmp/$name.err"
	check "$name: card logits within tolerance of the CPU reference (--check 8)" test $rc = 0
	check "$name: the check ran 8 positions" grep -q 'check: 8 positions against the CPU reference: ok' "$tmp/$name.err"
	$llm/cpu-generate --prompt "$prompt" --tokens "$tokens" --temperature 0 "$@" "$model" \
		>"$tmp/$name.cpu" || return 1
	check "$name: the card's text is the CPU's, byte for byte" cmp "$tmp/$name.card" "$tmp/$name.cpu"
}

# greedy; 12 + 60 bytes slide a 32-byte context twice
same_text greedy "The card is " 60
# a 45-byte prompt: one prefill of 32, the rest stepwise across a slide
same_text long-prompt "Once upon a time there was a very small card." 24
# sampled: the same seed draws the same bytes (cpu-generate's flags win: last)
same_text sampled "Hello" 40 --temperature 0.9 --top-k 20 --seed 5

check "junk numbers are refused (exit 2)" bash -c \
	"$llm/accel-generate --model $model --tokens 10x 2>/dev/null; test \$? = 2"
check "--check beyond --tokens is refused (exit 2)" bash -c \
	"$llm/accel-generate --model $model --tokens 4 --check 5 2>/dev/null; test \$? = 2"
check "a missing checkpoint is an error (exit 1)" bash -c \
	"$llm/accel-generate --model $tmp/none.gguf 2>/dev/null; test \$? = 1"
exit $failed
