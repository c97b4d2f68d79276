/* SPDX-License-Identifier: MIT */
/*
 * Generation on the card (Documentation/llm.rst, "Generation on the
 * card"): the llama model of llm.h for inference, parameters and a KV
 * cache in device memory, a prefill of n prompt tokens as one job of n
 * rows, and decode steps of one token each.
 *
 * Commands carry their operands as immediates (positions, addresses,
 * lengths), and libaccel patches none of these in a recorded
 * accel_cmdbuf (only ADAMW's step and rate), so a decode
 * step is recorded for its position: the buffer for position p writes K
 * and V at cache row p, rotates with ROPE pos0 = p, attends over p + 1
 * cache rows (SOFTMAX causal, period 1, offset p).  Each position's buffer
 * is recorded the first time it is needed and kept, so a generation
 * records at most ctx decode buffers and every later pass over a
 * position (the next prompt, a context that slides back) resubmits it.
 * The only thing a decode buffer reads from the host per step is its
 * token, from a fixed slot of a small host buffer.  A prefill is
 * recorded per (position, length), re-recorded only when that changes.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_DEV_DECODE_H
#define TESSERA_LLM_DEV_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include <accel/accel.h>

#include "gen_prof.h"
#include "llm.h"

struct llm_dec;

/* The model @m with weights @w on @dev (ACCEL_CAP_TRAIN: RMSNORM, ROPE,
 * BGEMM, causal SOFTMAX), KV cache empty.  @timing puts TIMESTAMPs
 * around every command (llm_dec_prof()).  0 or a negative errno. */
int llm_dec_new(struct accel_device *dev, const struct llm_model *m, const float *w,
		bool timing, struct llm_dec **out);
void llm_dec_free(struct llm_dec *d);

/* The next cache position (tokens held so far). */
uint32_t llm_dec_pos(const struct llm_dec *d);
/* Empty the cache (the next token is at position 0). */
void llm_dec_reset(struct llm_dec *d);

/*
 * Run @n tokens at positions pos .. pos + n - 1 (n = 1: a decode step,
 * n > 1: a prefill, one job) and write the [vocab] logits of the last
 * one to @logits; pos advances by n.  -ENOSPC when pos + n > ctx,
 * -EINVAL for a bad token or n = 0, else the job's error.
 */
int llm_dec_run(struct llm_dec *d, const int32_t *tokens, uint32_t n, float *logits);

/* Device time by command class of every job so far (timing on). */
const struct llm_prof *llm_dec_prof(const struct llm_dec *d);
/* Decode buffers recorded so far, commands (not counting TIMESTAMPs)
 * and bytes of a decode buffer. */
uint32_t llm_dec_recorded(const struct llm_dec *d);
uint32_t llm_dec_step_cmds(const struct llm_dec *d);
size_t llm_dec_step_bytes(const struct llm_dec *d);

#endif /* TESSERA_LLM_DEV_DECODE_H */
