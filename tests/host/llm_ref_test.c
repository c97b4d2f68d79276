// SPDX-License-Identifier: MIT
/*
 * The CPU reference llama model (tools/llm/ref_*.c, adamw.c,
 * generate.c): every parameter's gradient against central finite
 * differences (in fp64, the same source as the fp32 code), the fp32
 * gradients against the fp64 ones, AdamW steps that make the loss fall,
 * decoding with a KV cache against the full forward pass, sampling, and
 * the checks on configurations and inputs.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "llm.h"
#include "rng.h"
#include "tap.h"

/* vocab, d_model, layers, heads (head_dim 4), d_ff, ctx */
static const struct llm_config tiny = {
	.vocab = 13, .d_model = 8, .n_layers = 2, .n_heads = 2, .d_ff = 12, .ctx = 8,
	.rope_theta = 10000.0f, .norm_eps = 1e-5f,
};

/* Weights far enough from the init that every path carries gradient. */
static void rough_weights(const struct llm_model *m, uint64_t seed, float *w)
{
	struct llm_rng r;

	llm_rng_seed(&r, seed);
	for (uint32_t i = 0; i < m->n_tensors; i++) {
		struct llm_tensor t;

		llm_tensor_info(m, i, &t);
		for (size_t j = 0; j < t.n; j++) {
			double z = llm_rng_normal(&r);

			w[t.offset + j] = (float)(t.n_dims == 1 ? 1 + 0.3 * z : 0.4 * z);
		}
	}
}

static void batch(const struct llm_model *m, uint64_t seed, size_t N, int32_t *tok,
		  int32_t *tgt)
{
	struct llm_rng r;

	llm_rng_seed(&r, seed);
	for (size_t n = 0; n < N; n++) {
		tok[n] = (int32_t)llm_rng_below(&r, m->cfg.vocab);
		tgt[n] = (int32_t)llm_rng_below(&r, m->cfg.vocab);
	}
	tgt[1] = -1;	/* a skipped position */
}

static void test_gradcheck(struct tap *t)
{
	const uint32_t B = 2, T = 6;
	size_t N = B * T;
	struct llm_model m;
	int32_t tok[12], tgt[12];
	double *w64, *g64, loss64 = 0, loss32 = 0, worst = 0;
	float *w, *g32;
	struct llm_acts *a64, *a32;

	if (!CHECK(t, !llm_model_init(&m, &tiny, NULL)))
		return;
	w = calloc(m.n_params, sizeof(float));
	g32 = calloc(m.n_params, sizeof(float));
	w64 = calloc(m.n_params, sizeof(double));
	g64 = calloc(m.n_params, sizeof(double));
	a64 = llm_acts_new(&m, B, T, true);
	a32 = llm_acts_new(&m, B, T, false);
	if (!CHECK(t, w && g32 && w64 && g64 && a64 && a32))
		goto out;
	rough_weights(&m, 1, w);
	for (size_t i = 0; i < m.n_params; i++)
		w64[i] = w[i];
	batch(&m, 2, N, tok, tgt);
	CHECK(t, !llm_ref64_forward(&m, w64, tok, tgt, a64, &loss64));
	CHECK(t, !llm_ref64_backward(&m, w64, tok, tgt, a64, g64));
	printf("# tiny model: %zu parameters, %u tensors, loss %.6f\n", m.n_params, m.n_tensors,
	       loss64);

	/* every parameter, central differences */
	for (uint32_t ti = 0; ti < m.n_tensors; ti++) {
		struct llm_tensor tt;
		double tworst = 0, gmax = 0;

		llm_tensor_info(&m, ti, &tt);
		for (size_t j = 0; j < tt.n; j++) {
			size_t i = tt.offset + j;
			double keep = w64[i], h = 1e-5 * fmax(1.0, fabs(keep)), lp, lm, fd, err;

			w64[i] = keep + h;
			llm_ref64_forward(&m, w64, tok, tgt, a64, &lp);
			w64[i] = keep - h;
			llm_ref64_forward(&m, w64, tok, tgt, a64, &lm);
			w64[i] = keep;
			fd = (lp - lm) / (2 * h);
			err = fabs(fd - g64[i]) / fmax(fmax(fabs(fd), fabs(g64[i])), 1e-6);
			tworst = fmax(tworst, err);
			gmax = fmax(gmax, fabs(g64[i]));
		}
		if (tworst > 1e-3 || gmax == 0)
			printf("# %s: max relative error %.3g, max |grad| %.3g\n", tt.name, tworst,
			       gmax);
		CHECK(t, tworst <= 1e-3);
		CHECK(t, gmax > 1e-4);	/* the gradient reaches every tensor */
		worst = fmax(worst, tworst);
	}
	printf("# fp64 vs finite differences: max relative error %.3g over every parameter\n",
	       worst);

	/* fp32 against fp64, tensor by tensor */
	CHECK(t, !llm_ref_forward(&m, w, tok, tgt, a32, &loss32));
	CHECK(t, !llm_ref_backward(&m, w, tok, tgt, a32, g32));
	CHECK(t, fabs(loss32 - loss64) <= 1e-5 * loss64);
	worst = 0;
	for (uint32_t ti = 0; ti < m.n_tensors; ti++) {
		struct llm_tensor tt;
		double num = 0, den = 0;

		llm_tensor_info(&m, ti, &tt);
		for (size_t j = 0; j < tt.n; j++) {
			double d = g32[tt.offset + j] - g64[tt.offset + j];

			num += d * d;
			den += g64[tt.offset + j] * g64[tt.offset + j];
		}
		worst = fmax(worst, sqrt(num / den));
	}
	printf("# fp32 vs fp64 gradients: max relative error (per tensor, L2) %.3g\n", worst);
	CHECK(t, worst <= 1e-4);
out:
	llm_acts_free(a64);
	llm_acts_free(a32);
	free(w);
	free(g32);
	free(w64);
	free(g64);
}

/* Gradients accumulate: backward twice gives twice the gradient. */
static void test_accumulate(struct tap *t)
{
	struct llm_model m;
	int32_t tok[8], tgt[8];
	float *w, *g1, *g2;
	struct llm_acts *a;
	double loss, worst = 0;

	if (!CHECK(t, !llm_model_init(&m, &tiny, NULL)))
		return;
	w = calloc(m.n_params, sizeof(float));
	g1 = calloc(m.n_params, sizeof(float));
	g2 = calloc(m.n_params, sizeof(float));
	a = llm_acts_new(&m, 1, 8, false);
	if (!CHECK(t, w && g1 && g2 && a))
		goto out;
	rough_weights(&m, 3, w);
	batch(&m, 4, 8, tok, tgt);
	CHECK(t, !llm_ref_forward(&m, w, tok, tgt, a, &loss));
	CHECK(t, !llm_ref_backward(&m, w, tok, tgt, a, g1));
	CHECK(t, !llm_ref_backward(&m, w, tok, tgt, a, g2));
	CHECK(t, !llm_ref_backward(&m, w, tok, tgt, a, g2));
	for (size_t i = 0; i < m.n_params; i++)
		worst = fmax(worst, fabs(g2[i] - 2 * g1[i]));
	CHECK(t, worst <= 1e-6);
out:
	llm_acts_free(a);
	free(w);
	free(g1);
	free(g2);
}

static void test_adamw_loss_falls(struct tap *t)
{
	static const struct llm_config small = {
		.vocab = 256, .d_model = 32, .n_layers = 2, .n_heads = 2, .d_ff = 64,
		.ctx = 32, .rope_theta = 10000.0f, .norm_eps = 1e-5f,
	};
	static const char text[] = "The quick brown fox jumps over the lazy dog. "
				   "Pack my box with five dozen liquor jugs!";
	const struct llm_adamw hp = { 3e-3f, 0.9f, 0.95f, 1e-8f, 0.1f };
	const uint32_t B = 2, T = 32;
	struct llm_model m;
	int32_t tok[64], tgt[64];
	float *w, *g, *mo, *va;
	struct llm_acts *a;
	double first = 0, loss = 0, prev = 1e9;
	unsigned int rises = 0;

	if (!CHECK(t, !llm_model_init(&m, &small, NULL)))
		return;
	w = calloc(m.n_params, sizeof(float));
	g = calloc(m.n_params, sizeof(float));
	mo = calloc(m.n_params, sizeof(float));
	va = calloc(m.n_params, sizeof(float));
	a = llm_acts_new(&m, B, T, false);
	if (!CHECK(t, w && g && mo && va && a))
		goto out;
	llm_init_weights(&m, 7, w);
	for (uint32_t n = 0; n < B * T; n++) {
		tok[n] = (unsigned char)text[n];
		tgt[n] = (unsigned char)text[n + 1];
	}
	for (uint64_t step = 1; step <= 30; step++) {
		CHECK(t, !llm_ref_forward(&m, w, tok, tgt, a, &loss));
		if (step == 1)
			first = loss;
		rises += loss > prev;
		prev = loss;
		for (size_t i = 0; i < m.n_params; i++)
			g[i] = 0;
		CHECK(t, !llm_ref_backward(&m, w, tok, tgt, a, g));
		llm_ref_adamw(&m, &hp, step, 1.0f, w, g, mo, va);
	}
	CHECK(t, !llm_ref_forward(&m, w, tok, tgt, a, &loss));
	printf("# one batch, 30 AdamW steps: loss %.3f -> %.3f (%u rises)\n", first, loss, rises);
	CHECK(t, fabs(first - log(256.0)) < 0.1);	/* init: about uniform */
	CHECK(t, loss < first - 2.0);
	CHECK(t, rises <= 3);
out:
	llm_acts_free(a);
	free(w);
	free(g);
	free(mo);
	free(va);
}

/* The formula of llm.h on one element, against values done by hand. */
static void test_adamw_formula(struct tap *t)
{
	const struct llm_adamw hp = { 0.1f, 0.9f, 0.99f, 1e-8f, 0.5f };
	float w = 2.0f, g = 4.0f, mo = 0, va = 0;

	/* step 1, scale 0.5: g' = 2, m = 0.2, v = 0.04, mhat = 2, vhat = 4:
	 * w = 2 - 0.1 * (2 / 2 + 0.5 * 2) = 1.8 */
	llm_ref_adamw_tensor(1, &hp, hp.weight_decay, 1, 0.5f, &w, &g, &mo, &va);
	CHECK(t, fabsf(mo - 0.2f) < 1e-6f && fabsf(va - 0.04f) < 1e-6f);
	CHECK(t, fabsf(w - 1.8f) < 1e-6f);
	/* step 2, g' = 2 again: mhat = vhat^(1/2) ratio 1 again */
	llm_ref_adamw_tensor(1, &hp, 0, 2, 0.5f, &w, &g, &mo, &va);
	CHECK(t, fabsf(w - 1.7f) < 1e-5f);
}

static void test_decode_matches_forward(struct tap *t)
{
	static const struct llm_config c = {
		.vocab = 256, .d_model = 32, .n_layers = 2, .n_heads = 4, .d_ff = 48,
		.ctx = 16, .rope_theta = 10000.0f, .norm_eps = 1e-5f,
	};
	struct llm_model m;
	struct llm_kv kv = { 0 };
	struct llm_acts *a;
	int32_t tok[16];
	float *w, logits[256];
	double worst = 0, mag = 0;

	if (!CHECK(t, !llm_model_init(&m, &c, NULL)))
		return;
	w = calloc(m.n_params, sizeof(float));
	a = llm_acts_new(&m, 1, 16, false);
	if (!CHECK(t, w && a && !llm_kv_init(&kv, &m)))
		goto out;
	rough_weights(&m, 5, w);
	for (int i = 0; i < 16; i++)
		tok[i] = (i * 37 + 11) % 256;
	CHECK(t, !llm_ref_forward(&m, w, tok, NULL, a, NULL));
	const float *full = llm_acts_logits(a);

	for (uint32_t p = 0; p < 16; p++) {
		CHECK(t, !llm_ref_decode(&m, w, &kv, tok[p], logits));
		for (int j = 0; j < 256; j++) {
			worst = fmax(worst, fabs(logits[j] - full[p * 256 + j]));
			mag = fmax(mag, fabs(full[p * 256 + j]));
		}
	}
	printf("# decode vs forward: max |difference| %.3g (logits up to %.3g)\n", worst, mag);
	CHECK(t, worst <= 1e-4 * mag);
	CHECK(t, mag > 1);
	CHECK_EQ(t, kv.pos, 16);
	CHECK_EQ(t, llm_ref_decode(&m, w, &kv, 1, logits), -ENOSPC);
	kv.pos = 0;
	CHECK_EQ(t, llm_ref_decode(&m, w, &kv, 256, logits), -EINVAL);
	CHECK_EQ(t, llm_ref_decode(&m, w, &kv, -1, logits), -EINVAL);
out:
	llm_kv_free(&kv);
	llm_acts_free(a);
	free(w);
}

static void test_sampling(struct tap *t)
{
	float logits[8] = { 0.5f, 2.0f, -1.0f, 2.0f, 1.0f, 0.0f, -3.0f, 1.5f };
	unsigned int count[8] = { 0 }, bad = 0;
	struct llm_rng r1, r2;

	CHECK_EQ(t, llm_sample(logits, 8, 0, 0, NULL), 1);	/* first of the ties */
	CHECK_EQ(t, llm_sample(logits, 8, 1.0f, 1, NULL), 1);
	llm_rng_seed(&r1, 42);
	llm_rng_seed(&r2, 42);
	for (int i = 0; i < 200; i++)
		bad += llm_sample(logits, 8, 0.8f, 0, &r1) != llm_sample(logits, 8, 0.8f, 0, &r2);
	CHECK_EQ(t, bad, 0);
	/* top 3: indices 1, 3 (2.0) and 7 (1.5) only */
	for (int i = 0; i < 4000; i++)
		count[llm_sample(logits, 8, 1.0f, 3, &r1)]++;
	CHECK_EQ(t, count[0] + count[2] + count[4] + count[5] + count[6], 0);
	/* p(1) = p(3) = 1 / (2 + e^-0.5) = 0.3887, p(7) = 0.2226 */
	CHECK(t, fabs(count[1] / 4000.0 - 0.3887) < 0.03);
	CHECK(t, fabs(count[3] / 4000.0 - 0.3887) < 0.03);
	CHECK(t, fabs(count[7] / 4000.0 - 0.2226) < 0.03);
	/* top 2 with a tie at the cut: both 2.0s, nothing else */
	memset(count, 0, sizeof(count));
	for (int i = 0; i < 1000; i++)
		count[llm_sample(logits, 8, 5.0f, 2, &r1)]++;
	CHECK_EQ(t, count[1] + count[3], 1000);
	/* top 1 of a tie at a temperature: the lowest index */
	CHECK_EQ(t, llm_sample(logits, 8, 1.0f, 1, &r1), 1);
}

static void test_checks(struct tap *t)
{
	struct llm_config c = tiny;
	struct llm_model m;
	char err[LLM_ERR_LEN];
	int32_t tok[4] = { 1, 2, 3, 4 }, tgt[4] = { 1, 2, 3, 4 };
	struct llm_acts *a64, *a32;
	float *w;
	double loss;

	c.n_heads = 3;
	CHECK_EQ(t, llm_model_init(&m, &c, err), -EINVAL);
	printf("# %s\n", err);
	c = tiny;
	c.n_heads = 8;	/* head_dim 1: odd */
	CHECK_EQ(t, llm_config_check(&c, err), -EINVAL);
	c = tiny;
	c.n_layers = 0;
	CHECK_EQ(t, llm_config_check(&c, err), -EINVAL);
	c = tiny;
	c.norm_eps = 0;
	CHECK_EQ(t, llm_config_check(&c, err), -EINVAL);
	c = tiny;
	c.rope_theta = NAN;
	CHECK_EQ(t, llm_config_check(&c, err), -EINVAL);
	c = tiny;
	c.d_model = 65536;
	c.d_ff = 1u << 20;
	c.n_layers = 64;
	CHECK_EQ(t, llm_config_check(&c, err), -EINVAL);
	printf("# %s\n", err);
	if (!CHECK(t, !llm_model_init(&m, &tiny, err)))
		return;
	CHECK(t, !llm_acts_new(&m, 1, tiny.ctx + 1, false));
	CHECK(t, !llm_acts_new(&m, 0, 4, false));
	a64 = llm_acts_new(&m, 1, 4, true);
	a32 = llm_acts_new(&m, 1, 4, false);
	w = calloc(m.n_params, sizeof(float));
	if (!CHECK(t, a64 && a32 && w))
		goto out;
	llm_init_weights(&m, 1, w);
	CHECK_EQ(t, llm_ref_forward(&m, w, tok, tgt, a64, &loss), -EINVAL);
	tok[2] = 13;
	CHECK_EQ(t, llm_ref_forward(&m, w, tok, tgt, a32, &loss), -EINVAL);
	tok[2] = -1;
	CHECK_EQ(t, llm_ref_forward(&m, w, tok, tgt, a32, &loss), -EINVAL);
	tok[2] = 3;
	tgt[3] = 13;
	CHECK_EQ(t, llm_ref_forward(&m, w, tok, tgt, a32, &loss), -EINVAL);
	tgt[3] = -2;
	CHECK_EQ(t, llm_ref_backward(&m, w, tok, tgt, a32, w), -EINVAL);
	tgt[3] = -1;
	CHECK(t, !llm_ref_forward(&m, w, tok, tgt, a32, &loss));
	CHECK(t, fabs(loss - log(13.0)) < 0.05);
out:
	llm_acts_free(a64);
	llm_acts_free(a32);
	free(w);
}

static void test_layout(struct tap *t)
{
	const struct llm_config *c = &llm_config_default;
	uint64_t D = c->d_model, F = c->d_ff, V = c->vocab;
	uint64_t want = 2 * V * D + c->n_layers * (4 * D * D + 3 * D * F + 2 * D) + D;
	struct llm_model m;
	struct llm_tensor tt;
	size_t next = 0;
	bool contiguous = true;

	if (!CHECK(t, !llm_model_init(&m, c, NULL)))
		return;
	printf("# default config: %zu parameters, %u tensors\n", m.n_params, m.n_tensors);
	CHECK_EQ(t, m.n_params, want);
	CHECK_EQ(t, m.n_tensors, 3 + 9 * c->n_layers);
	CHECK_EQ(t, m.head_dim, 64);
	for (uint32_t i = 0; i < m.n_tensors; i++) {
		llm_tensor_info(&m, i, &tt);
		contiguous &= tt.offset == next;
		next = tt.offset + tt.n;
	}
	CHECK(t, contiguous && next == m.n_params);
	llm_tensor_info(&m, 0, &tt);
	CHECK(t, !strcmp(tt.name, "token_embd.weight") && tt.rows == V && tt.cols == D);
	llm_tensor_info(&m, 1, &tt);
	CHECK(t, !strcmp(tt.name, "blk.0.attn_norm.weight") && tt.n_dims == 1 && !tt.decay);
	llm_tensor_info(&m, 7, &tt);
	CHECK(t, !strcmp(tt.name, "blk.0.ffn_gate.weight") && tt.rows == F && tt.cols == D &&
	      tt.decay);
	llm_tensor_info(&m, 9, &tt);
	CHECK(t, !strcmp(tt.name, "blk.0.ffn_down.weight") && tt.rows == D && tt.cols == F);
	llm_tensor_info(&m, 9 * 3 + 5, &tt);
	CHECK(t, !strcmp(tt.name, "blk.3.attn_output.weight"));
	llm_tensor_info(&m, m.n_tensors - 2, &tt);
	CHECK(t, !strcmp(tt.name, "output_norm.weight"));
	llm_tensor_info(&m, m.n_tensors - 1, &tt);
	CHECK(t, !strcmp(tt.name, "output.weight") && tt.offset == m.out && tt.rows == V);
	CHECK(t, m.layer[1][LLM_WQ] == m.layer[0][LLM_W_DOWN] + D * F + D);
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ "llm ref: every parameter's gradient matches finite differences", test_gradcheck },
		{ "llm ref: backward accumulates into the gradient", test_accumulate },
		{ "llm ref: AdamW steps on one batch make the loss fall", test_adamw_loss_falls },
		{ "llm ref: AdamW follows its formula", test_adamw_formula },
		{ "llm ref: decode with a KV cache matches the forward pass", test_decode_matches_forward },
		{ "llm ref: greedy, temperature and top-k sampling", test_sampling },
		{ "llm ref: bad configurations and inputs refused", test_checks },
		{ "llm ref: tensor names, shapes and offsets", test_layout },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
