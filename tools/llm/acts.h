/* SPDX-License-Identifier: MIT */
/*
 * What a forward pass keeps for the backward pass: element offsets into
 * one buffer of fp32 or fp64 values (internal to the reference model).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_ACTS_H
#define TESSERA_LLM_ACTS_H

#include "llm.h"

struct llm_layer_acts {
	size_t x;	/* [N][D] the block's input (the residual stream) */
	size_t rstd1;	/* [N] */
	size_t h1;	/* [N][D] attn_norm(x) */
	size_t q, k;	/* [N][D] after RoPE */
	size_t v;	/* [N][D] */
	size_t p;	/* [B][H][T][T] attention probabilities */
	size_t att;	/* [N][D] attention output, heads concatenated */
	size_t xmid;	/* [N][D] x + att Wo^T */
	size_t rstd2;	/* [N] */
	size_t h2;	/* [N][D] ffn_norm(xmid) */
	size_t a, b;	/* [N][F] gate and up projections */
	size_t s;	/* [N][F] silu(a) * b */
};

struct llm_acts {
	struct llm_model m;	/* a copy: the layout it was made for */
	uint32_t B, T, N;
	bool f64;
	void *buf;
	size_t n;		/* elements */
	struct llm_layer_acts l[LLM_MAX_LAYERS];
	size_t xf;		/* [N][D] the last block's output */
	size_t rstdf;		/* [N] */
	size_t hf;		/* [N][D] output_norm(xf) */
	size_t logits;		/* [N][V] */
};

/* The acts match @m (same configuration) and the precision. */
bool llm_acts_match(const struct llm_acts *a, const struct llm_model *m, bool f64);

#endif /* TESSERA_LLM_ACTS_H */
