// SPDX-License-Identifier: MIT
/*
 * transformer: a small decoder-only transformer running on a Tessera card.
 *
 * Model (weights from a fixed-seed generator, nothing downloaded):
 *   vocab 256 (bytes), d_model 128, 2 layers, 4 heads of 32, MLP 4x with
 *   GELU, pre-layernorm, learned positions, final layernorm + LM head,
 *   context up to 32 tokens.
 *
 * Everything runs through libaccel, one job per decoding step:
 *   COPY       token-embedding gather into the residual stream
 *   ELEMENTWISE position embedding add, causal mask add, residual adds
 *   LAYERNORM  pre-attention, pre-MLP and final layernorms
 *   GEMM       Q/K/V projections (K and V written straight into the KV
 *              cache), per-head scores (Q K^T / sqrt(hd)), per-head
 *              context (P V), output projection, MLP (bias + GELU
 *              epilogue), LM head
 *   SOFTMAX    attention rows
 *   TIMESTAMP  after every command, to tell where the time went
 * The prompt is processed in one prefill job (with an additive causal mask
 * of -1e30 above the diagonal), then each new token in one job that reads
 * the KV cache.  Decoding is greedy.
 *
 * A plain CPU implementation in this file recomputes the whole sequence
 * (no cache, double accumulation) and every logit the card produced is
 * compared with it; the program prints the max abs error and the
 * tolerance and exits 1 if the tolerance is exceeded, 2 on an error.
 *
 * Usage: transformer [card-index]
 */
#include <accel/accel.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VOCAB 256
#define DM 128
#define LAYERS 2
#define HEADS 4
#define HD (DM / HEADS)
#define FF (4 * DM)
#define CTX 32
#define GEN 8
#define TOLERANCE 1e-3
#define LN_EPS 1e-5f
#define TIMEOUT_NS (60ull * 1000000000ull)
#define MAX_CMDS 160

static const char prompt[] = "Tessera!";

/* ---- weights ---------------------------------------------------------- */

struct layer_off {
	size_t ln1_g, ln1_b, wq, wk, wv, bq, bk, bv, wo, bo;
	size_t ln2_g, ln2_b, w1, b1, w2, b2;
};

struct model_off {
	size_t tok, pos, lnf_g, lnf_b, lm;
	struct layer_off l[LAYERS];
	size_t total;			/* floats */
};

static size_t take(size_t *at, size_t n)
{
	size_t r = *at;

	*at += (n + 63) & ~(size_t)63;	/* 256-byte aligned tensors */
	return r;
}

static void layout(struct model_off *m)
{
	size_t at = 0;
	int i;

	m->tok = take(&at, VOCAB * DM);
	m->pos = take(&at, CTX * DM);
	for (i = 0; i < LAYERS; i++) {
		struct layer_off *l = &m->l[i];

		l->ln1_g = take(&at, DM);
		l->ln1_b = take(&at, DM);
		l->wq = take(&at, DM * DM);
		l->wk = take(&at, DM * DM);
		l->wv = take(&at, DM * DM);
		l->bq = take(&at, DM);
		l->bk = take(&at, DM);
		l->bv = take(&at, DM);
		l->wo = take(&at, DM * DM);
		l->bo = take(&at, DM);
		l->ln2_g = take(&at, DM);
		l->ln2_b = take(&at, DM);
		l->w1 = take(&at, DM * FF);
		l->b1 = take(&at, FF);
		l->w2 = take(&at, FF * DM);
		l->b2 = take(&at, DM);
	}
	m->lnf_g = take(&at, DM);
	m->lnf_b = take(&at, DM);
	m->lm = take(&at, DM * VOCAB);
	m->total = at;
}

/* xorshift32, uniform in [-1, 1) */
static float rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (float)(*s >> 8) / (float)(1u << 23) - 1.0f;
}

static void init(float *w, size_t n, float scale, float offset, uint32_t *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		w[i] = offset + scale * rnd(s);
}

static void init_weights(const struct model_off *m, float *w)
{
	uint32_t s = 0x7e51u;
	float sd = 1.0f / sqrtf(DM) * 1.7f, sf = 1.0f / sqrtf(FF) * 1.7f;
	int i;

	init(w + m->tok, VOCAB * DM, 1.0f, 0, &s);
	init(w + m->pos, CTX * DM, 0.3f, 0, &s);
	for (i = 0; i < LAYERS; i++) {
		const struct layer_off *l = &m->l[i];

		init(w + l->ln1_g, DM, 0.1f, 1.0f, &s);
		init(w + l->ln1_b, DM, 0.05f, 0, &s);
		init(w + l->wq, DM * DM, sd, 0, &s);
		init(w + l->wk, DM * DM, sd, 0, &s);
		init(w + l->wv, DM * DM, sd, 0, &s);
		init(w + l->bq, DM, 0.02f, 0, &s);
		init(w + l->bk, DM, 0.02f, 0, &s);
		init(w + l->bv, DM, 0.02f, 0, &s);
		init(w + l->wo, DM * DM, sd, 0, &s);
		init(w + l->bo, DM, 0.02f, 0, &s);
		init(w + l->ln2_g, DM, 0.1f, 1.0f, &s);
		init(w + l->ln2_b, DM, 0.05f, 0, &s);
		init(w + l->w1, DM * FF, sd, 0, &s);
		init(w + l->b1, FF, 0.02f, 0, &s);
		init(w + l->w2, FF * DM, sf, 0, &s);
		init(w + l->b2, DM, 0.02f, 0, &s);
	}
	init(w + m->lnf_g, DM, 0.1f, 1.0f, &s);
	init(w + m->lnf_b, DM, 0.05f, 0, &s);
	init(w + m->lm, DM * VOCAB, sd * 2, 0, &s);
}

/* ---- CPU reference ---------------------------------------------------- */

static void cpu_layernorm(const float *x, float *y, const float *g, const float *b, int n)
{
	double mean = 0, var = 0;
	int i;

	for (i = 0; i < n; i++)
		mean += x[i];
	mean /= n;
	for (i = 0; i < n; i++)
		var += (x[i] - mean) * (x[i] - mean);
	var /= n;
	for (i = 0; i < n; i++)
		y[i] = (float)((x[i] - mean) / sqrt(var + LN_EPS) * g[i] + b[i]);
}

/* y[n] = x[k] * W[k x n] + b[n] */
static void cpu_linear(const float *x, const float *w, const float *b, float *y, int k, int n)
{
	int i, j;

	for (j = 0; j < n; j++) {
		double acc = b ? b[j] : 0;

		for (i = 0; i < k; i++)
			acc += (double)x[i] * w[(size_t)i * n + j];
		y[j] = (float)acc;
	}
}

/* Logits of every position of tokens[0..n), into logits[n][VOCAB]. */
static int cpu_forward(const struct model_off *m, const float *w, const int *tokens, int n,
		       float *logits)
{
	float *x = calloc((size_t)n * DM, sizeof(float));
	float *q = calloc((size_t)n * DM, sizeof(float));
	float *k = calloc((size_t)n * DM, sizeof(float));
	float *v = calloc((size_t)n * DM, sizeof(float));
	float t[FF], u[FF], ctx[DM];
	double p[CTX];
	int ret = -ENOMEM, l, i, j, h, c;

	if (!x || !q || !k || !v)
		goto out;
	for (i = 0; i < n; i++)
		for (c = 0; c < DM; c++)
			x[i * DM + c] = w[m->tok + tokens[i] * DM + c] + w[m->pos + i * DM + c];
	for (l = 0; l < LAYERS; l++) {
		const struct layer_off *o = &m->l[l];

		for (i = 0; i < n; i++) {
			cpu_layernorm(x + i * DM, t, w + o->ln1_g, w + o->ln1_b, DM);
			cpu_linear(t, w + o->wq, w + o->bq, q + i * DM, DM, DM);
			cpu_linear(t, w + o->wk, w + o->bk, k + i * DM, DM, DM);
			cpu_linear(t, w + o->wv, w + o->bv, v + i * DM, DM, DM);
		}
		for (i = 0; i < n; i++) {
			for (h = 0; h < HEADS; h++) {
				double mx = -INFINITY, sum = 0;

				for (j = 0; j <= i; j++) {
					double s = 0;

					for (c = 0; c < HD; c++)
						s += (double)q[i * DM + h * HD + c] * k[j * DM + h * HD + c];
					p[j] = s / sqrt(HD);
					mx = fmax(mx, p[j]);
				}
				for (j = 0; j <= i; j++) {
					p[j] = exp(p[j] - mx);
					sum += p[j];
				}
				for (c = 0; c < HD; c++) {
					double acc = 0;

					for (j = 0; j <= i; j++)
						acc += p[j] / sum * v[j * DM + h * HD + c];
					ctx[h * HD + c] = (float)acc;
				}
			}
			cpu_linear(ctx, w + o->wo, w + o->bo, t, DM, DM);
			/* K and V of every row are already computed: update x in place */
			for (c = 0; c < DM; c++)
				x[i * DM + c] += t[c];
		}
		for (i = 0; i < n; i++) {
			cpu_layernorm(x + i * DM, t, w + o->ln2_g, w + o->ln2_b, DM);
			cpu_linear(t, w + o->w1, w + o->b1, u, DM, FF);
			for (c = 0; c < FF; c++)
				u[c] = (float)(u[c] * 0.5 * (1.0 + erf(u[c] / sqrt(2.0))));
			cpu_linear(u, w + o->w2, w + o->b2, t, FF, DM);
			for (c = 0; c < DM; c++)
				x[i * DM + c] += t[c];
		}
	}
	for (i = 0; i < n; i++) {
		cpu_layernorm(x + i * DM, t, w + m->lnf_g, w + m->lnf_b, DM);
		cpu_linear(t, w + m->lm, NULL, logits + (size_t)i * VOCAB, DM, VOCAB);
	}
	ret = 0;
out:
	free(x);
	free(q);
	free(k);
	free(v);
	return ret;
}

/* ---- the card --------------------------------------------------------- */

enum op_class { OP_COPY, OP_GEMM, OP_SOFTMAX, OP_LAYERNORM, OP_ELEMENTWISE, OP_CLASSES };
static const char *const op_name[OP_CLASSES] = {
	"COPY", "GEMM", "SOFTMAX", "LAYERNORM", "ELEMENTWISE",
};

/* Activations, offsets in floats inside one buffer. */
enum {
	A_X = 0,				/* residual stream, rows x DM */
	A_T = A_X + CTX * DM,			/* layernorm output */
	A_Q = A_T + CTX * DM,
	A_CTX = A_Q + CTX * DM,
	A_TMP = A_CTX + CTX * DM,
	A_H = A_TMP + CTX * DM,			/* MLP hidden, rows x FF */
	A_S = A_H + CTX * FF,			/* scores, HEADS x rows x L */
	A_MASK = A_S + HEADS * CTX * CTX,
	A_LOGITS = A_MASK + HEADS * CTX * CTX,
	A_KV = A_LOGITS + CTX * VOCAB,		/* LAYERS x {K, V} x CTX x DM */
	A_TS = A_KV + LAYERS * 2 * CTX * DM,	/* timestamps, u64 */
	A_TOTAL = A_TS + 2 * (MAX_CMDS + 1),
};

struct card {
	struct accel_device *dev;
	struct accel_queue *q;
	struct accel_cmdbuf *cb;
	struct accel_fence *done;
	struct accel_bo *wbo, *abo;
	float *w, *a;
	uint64_t wva, ava;
	const struct model_off *m;
	/* per job: the class of the command before each timestamp */
	int ncmds;
	enum op_class cls[MAX_CMDS];
	double dev_ns[OP_CLASSES];
	int count[OP_CLASSES];
};

static uint64_t W(const struct card *c, size_t off) { return c->wva + off * 4; }
static uint64_t A(const struct card *c, size_t off) { return c->ava + off * 4; }

/* Every recorded command is followed by a TIMESTAMP. */
static int stamp(struct card *c, enum op_class cls, int ret)
{
	if (ret)
		return ret;
	if (c->ncmds >= MAX_CMDS)
		return -ENOSPC;
	c->cls[c->ncmds++] = cls;
	return accel_cmdbuf_timestamp(c->cb, A(c, A_TS) + 8 * c->ncmds);
}

static int gemm(struct card *c, uint32_t m, uint32_t n, uint32_t k,
		uint64_t a, uint32_t lda, uint64_t b, uint32_t ldb, uint32_t flags,
		uint64_t out, uint32_t ldc, uint64_t bias, uint32_t act, float alpha)
{
	struct accel_gemm g = {
		.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .activation = act,
		.flags = flags | (bias ? ACCEL_GEMM_BIAS : 0),
		.m = m, .n = n, .k = k, .a = a, .lda = lda, .b = b, .ldb = ldb,
		.c = out, .ldc = ldc, .bias = bias, .alpha = alpha, .beta = 0,
	};

	return stamp(c, OP_GEMM, accel_cmdbuf_gemm(c->cb, &g));
}

static int ew_add(struct card *c, uint64_t x, uint64_t y, uint32_t count)
{
	struct accel_elementwise e = {
		.size = sizeof(e), .op = ACCEL_EW_ADD, .src_dtype = ACCEL_DTYPE_FP32,
		.dst_dtype = ACCEL_DTYPE_FP32, .count = count, .a = x, .b = y, .d = x,
	};

	return stamp(c, OP_ELEMENTWISE, accel_cmdbuf_elementwise(c->cb, &e));
}

static int layernorm(struct card *c, uint32_t rows, uint64_t src, uint64_t dst,
		     size_t g, size_t b)
{
	struct accel_rowwise r = {
		.size = sizeof(r), .dtype = ACCEL_DTYPE_FP32, .rows = rows, .cols = DM,
		.src = src, .dst = dst, .src_ld = DM, .dst_ld = DM,
		.flags = ACCEL_LN_GAMMA | ACCEL_LN_BETA,
		.gamma = W(c, g), .beta = W(c, b), .epsilon = LN_EPS,
	};

	return stamp(c, OP_LAYERNORM, accel_cmdbuf_layernorm(c->cb, &r));
}

/*
 * One job: positions [pos, pos + rows) with tokens tok[0..rows), using the
 * KV cache for positions before pos.  Leaves logits[rows][VOCAB] at A_LOGITS.
 */
static int card_step(struct card *c, const int *tok, int pos, int rows)
{
	const struct model_off *m = c->m;
	uint32_t L = (uint32_t)(pos + rows);
	float alpha = 1.0f / sqrtf(HD);
	struct accel_sync sig = { .fence = c->done };
	uint64_t *ts = (uint64_t *)(c->a + A_TS);
	int ret = 0, i, l, h;

	ret = accel_cmdbuf_reset(c->cb);
	c->ncmds = 0;
	if (!ret)
		ret = accel_cmdbuf_timestamp(c->cb, A(c, A_TS));

	/* Embedding: gather token rows, add position rows. */
	for (i = 0; i < rows && !ret; i++)
		ret = stamp(c, OP_COPY, accel_cmdbuf_copy(c->cb, W(c, m->tok + tok[i] * DM),
							  A(c, A_X + i * DM), DM * 4));
	if (!ret)
		ret = ew_add(c, A(c, A_X), W(c, m->pos + pos * DM), rows * DM);

	for (l = 0; l < LAYERS && !ret; l++) {
		const struct layer_off *o = &m->l[l];
		size_t kc = A_KV + (size_t)l * 2 * CTX * DM, vc = kc + CTX * DM;
		struct accel_rowwise sm = {
			.size = sizeof(sm), .dtype = ACCEL_DTYPE_FP32, .rows = HEADS * rows, .cols = L,
			.src = A(c, A_S), .dst = A(c, A_S), .src_ld = L, .dst_ld = L,
		};

		ret = layernorm(c, rows, A(c, A_X), A(c, A_T), o->ln1_g, o->ln1_b);
		if (!ret)
			ret = gemm(c, rows, DM, DM, A(c, A_T), DM, W(c, o->wq), DM, 0,
				   A(c, A_Q), DM, W(c, o->bq), ACCEL_ACT_NONE, 1);
		if (!ret)	/* K and V land in the cache at their positions */
			ret = gemm(c, rows, DM, DM, A(c, A_T), DM, W(c, o->wk), DM, 0,
				   A(c, kc + pos * DM), DM, W(c, o->bk), ACCEL_ACT_NONE, 1);
		if (!ret)
			ret = gemm(c, rows, DM, DM, A(c, A_T), DM, W(c, o->wv), DM, 0,
				   A(c, vc + pos * DM), DM, W(c, o->bv), ACCEL_ACT_NONE, 1);
		/* scores_h = Q_h K_h^T / sqrt(hd): K is stored L x DM, so TRANS_B */
		for (h = 0; h < HEADS && !ret; h++)
			ret = gemm(c, rows, L, HD, A(c, A_Q + h * HD), DM, A(c, kc + h * HD), DM,
				   ACCEL_GEMM_TRANS_B, A(c, A_S + h * rows * L), L, 0,
				   ACCEL_ACT_NONE, alpha);
		if (!ret && rows > 1)	/* causal mask, HEADS x rows x L */
			ret = ew_add(c, A(c, A_S), A(c, A_MASK), HEADS * rows * L);
		if (!ret)
			ret = stamp(c, OP_SOFTMAX, accel_cmdbuf_softmax(c->cb, &sm));
		for (h = 0; h < HEADS && !ret; h++)
			ret = gemm(c, rows, HD, L, A(c, A_S + h * rows * L), L, A(c, vc + h * HD), DM,
				   0, A(c, A_CTX + h * HD), DM, 0, ACCEL_ACT_NONE, 1);
		if (!ret)
			ret = gemm(c, rows, DM, DM, A(c, A_CTX), DM, W(c, o->wo), DM, 0,
				   A(c, A_TMP), DM, W(c, o->bo), ACCEL_ACT_NONE, 1);
		if (!ret)
			ret = ew_add(c, A(c, A_X), A(c, A_TMP), rows * DM);
		if (!ret)
			ret = layernorm(c, rows, A(c, A_X), A(c, A_T), o->ln2_g, o->ln2_b);
		if (!ret)
			ret = gemm(c, rows, FF, DM, A(c, A_T), DM, W(c, o->w1), FF, 0,
				   A(c, A_H), FF, W(c, o->b1), ACCEL_ACT_GELU, 1);
		if (!ret)
			ret = gemm(c, rows, DM, FF, A(c, A_H), FF, W(c, o->w2), DM, 0,
				   A(c, A_TMP), DM, W(c, o->b2), ACCEL_ACT_NONE, 1);
		if (!ret)
			ret = ew_add(c, A(c, A_X), A(c, A_TMP), rows * DM);
	}
	if (!ret)
		ret = layernorm(c, rows, A(c, A_X), A(c, A_T), m->lnf_g, m->lnf_b);
	if (!ret)
		ret = gemm(c, rows, VOCAB, DM, A(c, A_T), DM, W(c, m->lm), VOCAB, 0,
			   A(c, A_LOGITS), VOCAB, 0, ACCEL_ACT_NONE, 1);
	if (!ret)
		ret = accel_queue_submit(c->q, c->cb, NULL, 0, &sig, 1, NULL, 0);
	if (!ret)
		ret = accel_fence_wait(c->done, TIMEOUT_NS);
	if (ret)
		return ret;
	for (i = 0; i < c->ncmds; i++) {
		c->dev_ns[c->cls[i]] += (double)(ts[i + 1] - ts[i]);
		c->count[c->cls[i]]++;
	}
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static int argmax(const float *x, int n)
{
	int i, best = 0;

	for (i = 1; i < n; i++)
		if (x[i] > x[best])
			best = i;
	return best;
}

static int alloc(struct accel_device *dev, size_t bytes, struct accel_bo **bo, float **p)
{
	/* Weights and activations in on-card memory when the card has it. */
	int ret = accel_bo_alloc_flags(dev, bytes, ACCEL_BO_DEVICE_MEM, bo);

	if (ret == -EINVAL || ret == -ENOMEM)
		ret = accel_bo_alloc(dev, bytes, bo);
	if (!ret)
		ret = accel_bo_map(*bo, (void **)p);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int index = argc > 1 ? (unsigned int)atoi(argv[1]) : 0;
	static float card_logits[CTX * VOCAB], ref_logits[CTX * VOCAB];
	struct model_off m;
	struct card c = { .m = &m };
	int tokens[CTX], n = (int)strlen(prompt), ret, status = 2, i, j, h;
	double t0, t_prefill, t_decode = 0, total_ns = 0, maxerr = 0;
	float *host_w;

	layout(&m);
	host_w = malloc(m.total * sizeof(float));
	if (!host_w)
		return 2;
	init_weights(&m, host_w);

	ret = accel_device_open(index, &c.dev);
	if (ret) {
		fprintf(stderr, "transformer: open card %u: %s\n", index, accel_strerror(ret));
		free(host_w);
		return 2;
	}
	ret = alloc(c.dev, m.total * sizeof(float), &c.wbo, &c.w);
	if (!ret)
		ret = alloc(c.dev, A_TOTAL * sizeof(float), &c.abo, &c.a);
	if (!ret)
		ret = accel_queue_create(c.dev, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL, &c.q);
	if (!ret)
		ret = accel_cmdbuf_create(c.dev, 64 * 1024, &c.cb);
	if (!ret)
		ret = accel_fence_create(c.dev, &c.done);
	if (ret) {
		fprintf(stderr, "transformer: setup: %s\n", accel_strerror(ret));
		goto out;
	}
	c.wva = accel_bo_va(c.wbo);
	c.ava = accel_bo_va(c.abo);
	memcpy(c.w, host_w, m.total * sizeof(float));
	for (h = 0; h < HEADS; h++)
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				c.a[A_MASK + (h * n + i) * n + j] = j <= i ? 0.0f : -1e30f;

	printf("transformer: vocab %d, d_model %d, %d layers, %d heads, MLP %d (GELU), %.2f M params in %s memory\n",
	       VOCAB, DM, LAYERS, HEADS, FF, m.total / 1e6,
	       accel_bo_flags(c.wbo) & ACCEL_BO_DEVICE_MEM ? "device" : "host");
	for (i = 0; i < n; i++)
		tokens[i] = (unsigned char)prompt[i];
	printf("transformer: prefill \"%s\" (%d tokens)...\n", prompt, n);
	fflush(stdout);
	t0 = now();
	ret = card_step(&c, tokens, 0, n);
	t_prefill = now() - t0;
	if (ret)
		goto fail;
	memcpy(card_logits, c.a + A_LOGITS, sizeof(float) * n * VOCAB);
	for (i = 0; i < GEN; i++) {
		int pos = n + i - 1, next = argmax(card_logits + pos * VOCAB, VOCAB);

		tokens[n + i] = next;
		printf("transformer: step %d/%d: token %3d '%c'\n", i + 1, GEN, next,
		       next >= 32 && next < 127 ? next : '.');
		fflush(stdout);
		if (i == GEN - 1)
			break;	/* the last token's logits are not needed */
		t0 = now();
		ret = card_step(&c, &tokens[n + i], n + i, 1);
		t_decode += now() - t0;
		if (ret)
			goto fail;
		memcpy(card_logits + (n + i) * VOCAB, c.a + A_LOGITS, sizeof(float) * VOCAB);
	}

	/* Every logit of every position against the CPU. */
	{
		int positions = n + GEN - 1, agree = 1;

		ret = cpu_forward(&m, host_w, tokens, positions, ref_logits);
		if (ret)
			goto fail;
		for (i = 0; i < positions * VOCAB; i++)
			maxerr = fmax(maxerr, fabs((double)card_logits[i] - ref_logits[i]));
		for (i = n - 1; i < positions; i++)
			agree &= argmax(ref_logits + i * VOCAB, VOCAB) == tokens[i + 1];
		printf("transformer: generated \"");
		for (i = n; i < n + GEN; i++)
			putchar(tokens[i] >= 32 && tokens[i] < 127 ? tokens[i] : '.');
		printf("\" tokens");
		for (i = n; i < n + GEN; i++)
			printf(" %d", tokens[i]);
		printf("\ntransformer: %d x %d logits vs CPU: max abs error %.3g (tolerance %.0e): %s; "
		       "CPU greedy tokens %s\n", positions, VOCAB, maxerr, TOLERANCE,
		       maxerr <= TOLERANCE ? "ok" : "EXCEEDED", agree ? "match" : "DIFFER");
		status = maxerr <= TOLERANCE && agree ? 0 : 1;
	}
	printf("transformer: prefill %d tokens in %.1f ms; decode %d tokens in %.1f ms = %.1f tokens/s\n",
	       n, t_prefill * 1e3, GEN - 1, t_decode * 1e3, (GEN - 1) / t_decode);
	for (i = 0; i < OP_CLASSES; i++)
		total_ns += c.dev_ns[i];
	printf("transformer: device time by command class (TIMESTAMP after every command):\n");
	for (i = 0; i < OP_CLASSES; i++)
		printf("  %-12s %5d cmds %9.2f ms %5.1f%%\n", op_name[i], c.count[i],
		       c.dev_ns[i] / 1e6, total_ns > 0 ? 100 * c.dev_ns[i] / total_ns : 0);
	printf("  %-12s            %9.2f ms of %.2f ms wall in jobs (rest: submit, wait, wakeup)\n",
	       "total", total_ns / 1e6, (t_prefill + t_decode) * 1e3);
	goto out;
fail:
	fprintf(stderr, "transformer: %s\n", accel_strerror(ret));
	status = 2;
out:
	accel_fence_destroy(c.done);
	accel_cmdbuf_destroy(c.cb);
	accel_queue_destroy(c.q);
	accel_bo_free(c.abo);
	accel_bo_free(c.wbo);
	accel_device_close(c.dev);
	free(host_w);
	return status;
}
