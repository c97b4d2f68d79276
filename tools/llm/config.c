// SPDX-License-Identifier: MIT
/*
 * The model's configuration, where each parameter tensor lives in the
 * flat parameter array, the tensors' GGUF names, and initial weights.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "llm.h"
#include "rng.h"

int llm_seterr(char *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err, LLM_ERR_LEN, fmt, ap);
		va_end(ap);
	}
	return ret;
}

const struct llm_config llm_config_default = {
	.vocab = 256,
	.d_model = 256,
	.n_layers = 4,
	.n_heads = 4,
	.d_ff = 688,
	.ctx = 128,
	.rope_theta = 10000.0f,
	.norm_eps = 1e-5f,
};

static const char *const layer_names[LLM_LAYER_TENSORS] = {
	[LLM_ATTN_NORM] = "attn_norm",
	[LLM_WQ] = "attn_q",
	[LLM_WK] = "attn_k",
	[LLM_WV] = "attn_v",
	[LLM_WO] = "attn_output",
	[LLM_FFN_NORM] = "ffn_norm",
	[LLM_W_GATE] = "ffn_gate",
	[LLM_W_UP] = "ffn_up",
	[LLM_W_DOWN] = "ffn_down",
};

int llm_config_check(const struct llm_config *c, char *err)
{
	uint64_t per_layer, total;

	if (c->vocab < 1 || c->vocab > (1u << 20))
		return llm_seterr(err, -EINVAL, "vocab %u is not in 1..%u", c->vocab, 1u << 20);
	if (c->d_model < 2 || c->d_model > 65536)
		return llm_seterr(err, -EINVAL, "d_model %u is not in 2..65536", c->d_model);
	if (c->n_layers < 1 || c->n_layers > LLM_MAX_LAYERS)
		return llm_seterr(err, -EINVAL, "n_layers %u is not in 1..%d", c->n_layers, LLM_MAX_LAYERS);
	if (c->n_heads < 1 || c->d_model % c->n_heads || (c->d_model / c->n_heads) % 2)
		return llm_seterr(err, -EINVAL, "n_heads %u does not split d_model %u into heads of even size",
			   c->n_heads, c->d_model);
	if (c->d_ff < 1 || c->d_ff > (1u << 20))
		return llm_seterr(err, -EINVAL, "d_ff %u is not in 1..%u", c->d_ff, 1u << 20);
	if (c->ctx < 1 || c->ctx > (1u << 20))
		return llm_seterr(err, -EINVAL, "ctx %u is not in 1..%u", c->ctx, 1u << 20);
	if (!(c->rope_theta > 1.0f) || !isfinite(c->rope_theta))
		return llm_seterr(err, -EINVAL, "rope_theta %g is not a finite number > 1", c->rope_theta);
	if (!(c->norm_eps > 0.0f) || !isfinite(c->norm_eps))
		return llm_seterr(err, -EINVAL, "norm_eps %g is not a finite positive number", c->norm_eps);
	per_layer = 4ull * c->d_model * c->d_model + 3ull * c->d_model * c->d_ff + 2ull * c->d_model;
	total = per_layer * c->n_layers + 2ull * c->vocab * c->d_model + c->d_model;
	if (total > (1ull << 34))
		return llm_seterr(err, -EINVAL, "%llu parameters is too many", (unsigned long long)total);
	return 0;
}

int llm_model_init(struct llm_model *m, const struct llm_config *c, char *err)
{
	size_t off = 0;
	int ret = llm_config_check(c, err);

	if (ret)
		return ret;
	memset(m, 0, sizeof(*m));
	m->cfg = *c;
	m->head_dim = c->d_model / c->n_heads;
	m->n_tensors = 3 + LLM_LAYER_TENSORS * c->n_layers;
	/* in file order, each tensor right after the one before */
	m->tok_embd = off;
	off += (size_t)c->vocab * c->d_model;
	for (uint32_t l = 0; l < c->n_layers; l++) {
		for (int k = 0; k < LLM_LAYER_TENSORS; k++) {
			struct llm_tensor t;

			m->layer[l][k] = off;
			llm_tensor_info(m, 1 + l * LLM_LAYER_TENSORS + k, &t);
			off += t.n;
		}
	}
	m->out_norm = off;
	off += c->d_model;
	m->out = off;
	off += (size_t)c->vocab * c->d_model;
	m->n_params = off;
	return 0;
}

static void shape(struct llm_tensor *t, uint32_t rows, uint32_t cols, size_t offset)
{
	t->rows = rows;
	t->cols = cols;
	t->n_dims = rows == 1 ? 1 : 2;
	t->n = (size_t)rows * cols;
	t->offset = offset;
	t->decay = t->n_dims == 2;
}

void llm_tensor_info(const struct llm_model *m, uint32_t i, struct llm_tensor *t)
{
	const struct llm_config *c = &m->cfg;
	uint32_t last = 1 + LLM_LAYER_TENSORS * c->n_layers;

	if (i == 0) {
		snprintf(t->name, sizeof(t->name), "token_embd.weight");
		shape(t, c->vocab, c->d_model, m->tok_embd);
		return;
	}
	if (i == last) {
		snprintf(t->name, sizeof(t->name), "output_norm.weight");
		shape(t, 1, c->d_model, m->out_norm);
		return;
	}
	if (i == last + 1) {
		snprintf(t->name, sizeof(t->name), "output.weight");
		shape(t, c->vocab, c->d_model, m->out);
		return;
	}
	uint32_t l = (i - 1) / LLM_LAYER_TENSORS;
	int k = (i - 1) % LLM_LAYER_TENSORS;
	size_t off = m->layer[l][k];

	snprintf(t->name, sizeof(t->name), "blk.%u.%s.weight", l, layer_names[k]);
	switch (k) {
	case LLM_ATTN_NORM:
	case LLM_FFN_NORM:
		shape(t, 1, c->d_model, off);
		break;
	case LLM_W_GATE:
	case LLM_W_UP:
		shape(t, c->d_ff, c->d_model, off);
		break;
	case LLM_W_DOWN:
		shape(t, c->d_model, c->d_ff, off);
		break;
	default:	/* q, k, v, output */
		shape(t, c->d_model, c->d_model, off);
		break;
	}
}

void llm_init_weights(const struct llm_model *m, uint64_t seed, float *w)
{
	double resid = 0.02 / sqrt(2.0 * m->cfg.n_layers);
	struct llm_rng rng;

	llm_rng_seed(&rng, seed);
	for (uint32_t i = 0; i < m->n_tensors; i++) {
		struct llm_tensor t;
		double sd = 0.02;

		llm_tensor_info(m, i, &t);
		if (t.n_dims == 1) {
			for (size_t j = 0; j < t.n; j++)
				w[t.offset + j] = 1.0f;
			continue;
		}
		if (i > 0 && i < m->n_tensors - 2) {
			int k = (i - 1) % LLM_LAYER_TENSORS;

			if (k == LLM_WO || k == LLM_W_DOWN)
				sd = resid;
		}
		for (size_t j = 0; j < t.n; j++)
			w[t.offset + j] = (float)(sd * llm_rng_normal(&rng));
	}
}

double llm_flops_per_token(const struct llm_model *m, uint32_t T)
{
	const struct llm_config *c = &m->cfg;
	double d = c->d_model, f = c->d_ff;
	/* projections, then QK^T and PV over (T+1)/2 keys on average */
	double layer = 2.0 * (4.0 * d * d + 3.0 * d * f) + 2.0 * 2.0 * d * (T + 1) / 2.0;

	return c->n_layers * layer + 2.0 * d * c->vocab;
}
