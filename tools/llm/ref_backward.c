// SPDX-License-Identifier: MIT
/*
 * The reference model's backward pass (llm.h): ref_forward.c's steps in
 * reverse.  dx is the gradient of the residual stream; each branch's
 * gradient is added to it (the residual connection), each weight's
 * gradient added to grads.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acts.h"
#include "ref_ops.h"

int REF(check_tokens)(const struct llm_model *m, size_t N, const int32_t *tokens,
		      const int32_t *targets);

int REF(backward)(const struct llm_model *m, const real *w, const int32_t *tokens,
		  const int32_t *targets, const struct llm_acts *a, real *g)
{
	const struct llm_config *c = &m->cfg;
	size_t D = c->d_model, F = c->d_ff, V = c->vocab, N, T, valid = 0;
	real *dlogits, *dx, *dh, *dq, *dk, *dv, *datt, *da, *db, *ds, *dp, *work;
	const real *A;
	int ret;

	if (!llm_acts_match(a, m, REAL_F64) || !targets)
		return -EINVAL;
	N = a->N;
	T = a->T;
	ret = REF(check_tokens)(m, N, tokens, targets);
	if (ret)
		return ret;
	work = malloc((N * V + 6 * N * D + 3 * N * F + T * T) * sizeof(real));
	if (!work)
		return -ENOMEM;
	dlogits = work;
	dx = dlogits + N * V;
	dh = dx + N * D;
	dq = dh + N * D;
	dk = dq + N * D;
	dv = dk + N * D;
	datt = dv + N * D;
	da = datt + N * D;
	db = da + N * F;
	ds = db + N * F;
	dp = ds + N * F;
	A = a->buf;

	for (size_t n = 0; n < N; n++)
		valid += targets[n] >= 0;
	/* the loss is a mean over the valid targets */
	REF(cross_entropy_bwd)(N, V, A + a->logits, targets, valid ? (real)1 / valid : 0,
			       dlogits);
	REF(linear_dw)(N, V, D, dlogits, A + a->hf, g + m->out);
	REF(linear_dx)(N, V, D, dlogits, w + m->out, dh, false);
	memset(dx, 0, N * D * sizeof(real));
	REF(rmsnorm_bwd)(N, D, A + a->xf, w + m->out_norm, A + a->rstdf, dh, dx, g + m->out_norm);

	for (uint32_t l = c->n_layers; l-- > 0;) {
		const struct llm_layer_acts *L = &a->l[l];
		const size_t *W = m->layer[l];

		/* x' = xmid + s Wdown^T */
		REF(linear_dx)(N, D, F, dx, w + W[LLM_W_DOWN], ds, false);
		REF(linear_dw)(N, D, F, dx, A + L->s, g + W[LLM_W_DOWN]);
		/* s = silu(a) * b, a = h2 Wgate^T, b = h2 Wup^T */
		REF(swiglu_bwd)(N * F, A + L->a, A + L->b, ds, da, db);
		REF(linear_dw)(N, F, D, da, A + L->h2, g + W[LLM_W_GATE]);
		REF(linear_dw)(N, F, D, db, A + L->h2, g + W[LLM_W_UP]);
		REF(linear_dx)(N, F, D, da, w + W[LLM_W_GATE], dh, false);
		REF(linear_dx)(N, F, D, db, w + W[LLM_W_UP], dh, true);
		/* h2 = ffn_norm(xmid); dx becomes d xmid */
		REF(rmsnorm_bwd)(N, D, A + L->xmid, w + W[LLM_FFN_NORM], A + L->rstd2, dh, dx,
				 g + W[LLM_FFN_NORM]);
		/* xmid = x + att Wo^T */
		REF(linear_dw)(N, D, D, dx, A + L->att, g + W[LLM_WO]);
		REF(linear_dx)(N, D, D, dx, w + W[LLM_WO], datt, false);
		REF(attention_bwd)(a->B, a->T, c->n_heads, m->head_dim, A + L->q, A + L->k,
				   A + L->v, A + L->p, datt, dq, dk, dv, dp);
		/* the rotation's transpose is the rotation by minus the angle */
		REF(rope)(N, a->T, 0, c->n_heads, m->head_dim, c->rope_theta, -1, dq);
		REF(rope)(N, a->T, 0, c->n_heads, m->head_dim, c->rope_theta, -1, dk);
		REF(linear_dw)(N, D, D, dq, A + L->h1, g + W[LLM_WQ]);
		REF(linear_dw)(N, D, D, dk, A + L->h1, g + W[LLM_WK]);
		REF(linear_dw)(N, D, D, dv, A + L->h1, g + W[LLM_WV]);
		REF(linear_dx)(N, D, D, dq, w + W[LLM_WQ], dh, false);
		REF(linear_dx)(N, D, D, dk, w + W[LLM_WK], dh, true);
		REF(linear_dx)(N, D, D, dv, w + W[LLM_WV], dh, true);
		/* h1 = attn_norm(x); dx becomes d x */
		REF(rmsnorm_bwd)(N, D, A + L->x, w + W[LLM_ATTN_NORM], A + L->rstd1, dh, dx,
				 g + W[LLM_ATTN_NORM]);
	}
	/* the embedding: a scatter-add, in token order */
	for (size_t n = 0; n < N; n++) {
		real *row = g + m->tok_embd + (size_t)tokens[n] * D;

		for (size_t j = 0; j < D; j++)
			row[j] += dx[n * D + j];
	}
	free(work);
	return 0;
}
