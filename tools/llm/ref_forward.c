// SPDX-License-Identifier: MIT
/*
 * The reference model's forward pass and loss (llm.h), in the precision
 * of ref_real.h.  Per block, pre-norm:
 *   h1 = rmsnorm(x) * attn_norm;  q, k, v = h1 Wq^T, h1 Wk^T, h1 Wv^T
 *   q, k = rope(q), rope(k);  att = causal_softmax(q k^T / sqrt(hd)) v
 *   xmid = x + att Wo^T
 *   h2 = rmsnorm(xmid) * ffn_norm;  s = silu(h2 Wgate^T) * (h2 Wup^T)
 *   x' = xmid + s Wdown^T
 * then logits = (rmsnorm(x) * output_norm) Wout^T.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <string.h>

#include "acts.h"
#include "ref_ops.h"

/* Tokens and targets in range. */
int REF(check_tokens)(const struct llm_model *m, size_t N, const int32_t *tokens,
		      const int32_t *targets);

int REF(check_tokens)(const struct llm_model *m, size_t N, const int32_t *tokens,
		      const int32_t *targets)
{
	for (size_t n = 0; n < N; n++) {
		if (tokens[n] < 0 || (uint32_t)tokens[n] >= m->cfg.vocab)
			return -EINVAL;
		if (targets && (targets[n] < -1 || targets[n] >= (int32_t)m->cfg.vocab))
			return -EINVAL;
	}
	return 0;
}

int REF(forward)(const struct llm_model *m, const real *w, const int32_t *tokens,
		 const int32_t *targets, struct llm_acts *a, double *loss)
{
	const struct llm_config *c = &m->cfg;
	size_t D = c->d_model, F = c->d_ff, V = c->vocab, N;
	real *A, eps = c->norm_eps;
	int ret;

	if (!llm_acts_match(a, m, REAL_F64))
		return -EINVAL;
	N = a->N;
	ret = REF(check_tokens)(m, N, tokens, targets);
	if (ret)
		return ret;
	A = a->buf;
	/* the token embedding */
	for (size_t n = 0; n < N; n++)
		memcpy(A + a->l[0].x + n * D, w + m->tok_embd + (size_t)tokens[n] * D,
		       D * sizeof(real));
	for (uint32_t l = 0; l < c->n_layers; l++) {
		const struct llm_layer_acts *L = &a->l[l];
		const size_t *W = m->layer[l];
		real *xnext = A + (l + 1 < c->n_layers ? a->l[l + 1].x : a->xf);

		REF(rmsnorm)(N, D, A + L->x, w + W[LLM_ATTN_NORM], eps, A + L->h1, A + L->rstd1);
		REF(linear)(N, D, D, A + L->h1, w + W[LLM_WQ], A + L->q, false);
		REF(linear)(N, D, D, A + L->h1, w + W[LLM_WK], A + L->k, false);
		REF(linear)(N, D, D, A + L->h1, w + W[LLM_WV], A + L->v, false);
		REF(rope)(N, a->T, 0, c->n_heads, m->head_dim, c->rope_theta, 1, A + L->q);
		REF(rope)(N, a->T, 0, c->n_heads, m->head_dim, c->rope_theta, 1, A + L->k);
		REF(attention)(a->B, a->T, c->n_heads, m->head_dim, A + L->q, A + L->k, A + L->v,
			       A + L->p, A + L->att);
		memcpy(A + L->xmid, A + L->x, N * D * sizeof(real));
		REF(linear)(N, D, D, A + L->att, w + W[LLM_WO], A + L->xmid, true);
		REF(rmsnorm)(N, D, A + L->xmid, w + W[LLM_FFN_NORM], eps, A + L->h2,
			     A + L->rstd2);
		REF(linear)(N, F, D, A + L->h2, w + W[LLM_W_GATE], A + L->a, false);
		REF(linear)(N, F, D, A + L->h2, w + W[LLM_W_UP], A + L->b, false);
		REF(swiglu)(N * F, A + L->a, A + L->b, A + L->s);
		memcpy(xnext, A + L->xmid, N * D * sizeof(real));
		REF(linear)(N, D, F, A + L->s, w + W[LLM_W_DOWN], xnext, true);
	}
	REF(rmsnorm)(N, D, A + a->xf, w + m->out_norm, eps, A + a->hf, A + a->rstdf);
	REF(linear)(N, V, D, A + a->hf, w + m->out, A + a->logits, false);
	if (targets && loss) {
		size_t valid = 0;

		for (size_t n = 0; n < N; n++)
			valid += targets[n] >= 0;
		*loss = valid ? REF(cross_entropy)(N, V, A + a->logits, targets) / valid : 0;
	}
	return 0;
}
