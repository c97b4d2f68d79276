// SPDX-License-Identifier: MIT
/*
 * Generation with the reference model (llm.h): one token at a time
 * against a KV cache, the forward pass of ref_forward.c for one row at
 * position kv->pos, attending to the cached positions 0..pos.  Then
 * sampling: greedy, or temperature and top-k with a seeded generator.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "llm.h"
#include "ref_ops.h"
#include "rng.h"

int llm_kv_init(struct llm_kv *kv, const struct llm_model *m)
{
	size_t D = m->cfg.d_model, n = (size_t)m->cfg.n_layers * m->cfg.ctx * D;
	/* x, h, q, att, a, b, scores */
	size_t scratch = 5 * D + 2 * (size_t)m->cfg.d_ff + m->cfg.ctx;

	memset(kv, 0, sizeof(*kv));
	kv->ctx = m->cfg.ctx;
	kv->k = calloc(n, sizeof(float));
	kv->v = calloc(n, sizeof(float));
	kv->scratch = calloc(scratch, sizeof(float));
	if (!kv->k || !kv->v || !kv->scratch) {
		llm_kv_free(kv);
		return -ENOMEM;
	}
	return 0;
}

void llm_kv_free(struct llm_kv *kv)
{
	free(kv->k);
	free(kv->v);
	free(kv->scratch);
	memset(kv, 0, sizeof(*kv));
}

int llm_ref_decode(const struct llm_model *m, const float *w, struct llm_kv *kv, int32_t tok,
		   float *logits)
{
	const struct llm_config *c = &m->cfg;
	size_t D = c->d_model, F = c->d_ff, hd = m->head_dim;
	uint32_t pos = kv->pos;
	float *x = kv->scratch, *h = x + D, *q = h + D, *att = q + D, *rstd = att + D;
	float *ga = rstd + D, *gb = ga + F, *sc = gb + F;
	float scale = (float)(1.0 / sqrt((double)hd));

	if (tok < 0 || (uint32_t)tok >= c->vocab)
		return -EINVAL;
	if (pos >= kv->ctx || kv->ctx != c->ctx)
		return -ENOSPC;
	memcpy(x, w + m->tok_embd + (size_t)tok * D, D * sizeof(float));
	for (uint32_t l = 0; l < c->n_layers; l++) {
		const size_t *W = m->layer[l];
		float *kc = kv->k + (size_t)l * kv->ctx * D, *vc = kv->v + (size_t)l * kv->ctx * D;

		llm_ref_rmsnorm(1, D, x, w + W[LLM_ATTN_NORM], c->norm_eps, h, rstd);
		llm_ref_linear(1, D, D, h, w + W[LLM_WQ], q, false);
		llm_ref_linear(1, D, D, h, w + W[LLM_WK], kc + pos * D, false);
		llm_ref_linear(1, D, D, h, w + W[LLM_WV], vc + pos * D, false);
		llm_ref_rope(1, 1, pos, c->n_heads, hd, c->rope_theta, 1, q);
		llm_ref_rope(1, 1, pos, c->n_heads, hd, c->rope_theta, 1, kc + pos * D);
		for (uint32_t hh = 0; hh < c->n_heads; hh++) {
			const float *qh = q + hh * hd;
			float mx = -INFINITY;
			double sum = 0;

			for (uint32_t u = 0; u <= pos; u++) {
				const float *ku = kc + u * D + hh * hd;
				float s = 0;

				for (size_t j = 0; j < hd; j++)
					s += qh[j] * ku[j];
				sc[u] = s * scale;
				mx = sc[u] > mx ? sc[u] : mx;
			}
			for (uint32_t u = 0; u <= pos; u++) {
				sc[u] = expf(sc[u] - mx);
				sum += sc[u];
			}
			float *oh = att + hh * hd;

			memset(oh, 0, hd * sizeof(float));
			for (uint32_t u = 0; u <= pos; u++) {
				const float *vu = vc + u * D + hh * hd;
				float p = (float)(sc[u] / sum);

				for (size_t j = 0; j < hd; j++)
					oh[j] += p * vu[j];
			}
		}
		llm_ref_linear(1, D, D, att, w + W[LLM_WO], x, true);
		llm_ref_rmsnorm(1, D, x, w + W[LLM_FFN_NORM], c->norm_eps, h, rstd);
		llm_ref_linear(1, F, D, h, w + W[LLM_W_GATE], ga, false);
		llm_ref_linear(1, F, D, h, w + W[LLM_W_UP], gb, false);
		llm_ref_swiglu(F, ga, gb, ga);
		llm_ref_linear(1, D, F, ga, w + W[LLM_W_DOWN], x, true);
	}
	llm_ref_rmsnorm(1, D, x, w + m->out_norm, c->norm_eps, h, rstd);
	llm_ref_linear(1, c->vocab, D, h, w + m->out, logits, false);
	kv->pos++;
	return 0;
}

int32_t llm_sample(const float *logits, uint32_t vocab, float temperature, uint32_t top_k,
		   struct llm_rng *rng)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < vocab; i++)
		best = logits[i] > logits[best] ? i : best;
	if (!(temperature > 0) || top_k == 1)
		return best;
	if (!top_k || top_k > vocab)
		top_k = vocab;

	/* the k-th largest logit is the cut: keep those above it, and as
	 * many equal to it as fit, lowest index first */
	double *p = malloc(vocab * sizeof(double));
	float cut;
	uint32_t above = 0, room;
	double sum = 0, u, acc = 0;

	if (!p)
		return best;
	{
		float *sorted = malloc(vocab * sizeof(float));

		if (!sorted) {
			free(p);
			return best;
		}
		memcpy(sorted, logits, vocab * sizeof(float));
		/* partial selection sort: top_k is small in practice */
		for (uint32_t i = 0; i < top_k; i++) {
			uint32_t mi = i;

			for (uint32_t j = i + 1; j < vocab; j++)
				mi = sorted[j] > sorted[mi] ? j : mi;
			float t = sorted[i];

			sorted[i] = sorted[mi];
			sorted[mi] = t;
		}
		cut = sorted[top_k - 1];
		free(sorted);
	}
	for (uint32_t i = 0; i < vocab; i++)
		above += logits[i] > cut;
	room = top_k - above;
	for (uint32_t i = 0; i < vocab; i++) {
		bool keep = logits[i] > cut || (logits[i] == cut && room && room--);

		p[i] = keep ? exp(((double)logits[i] - logits[best]) / temperature) : 0;
		sum += p[i];
	}
	u = llm_rng_uniform(rng) * sum;
	int32_t pick = best;

	for (uint32_t i = 0; i < vocab; i++) {
		if (p[i] == 0)
			continue;
		acc += p[i];
		pick = i;
		if (u < acc)
			break;
	}
	free(p);
	return pick;
}
