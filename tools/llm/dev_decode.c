// SPDX-License-Identifier: MIT
/*
 * Generation on the card (dev_decode.h): the steps of llm_ref_decode()
 * (generate.c) for n rows at once, as hardware 1.5 commands.
 *
 * Device memory: the parameters; the KV cache, K then V, each
 * [n_layers][ctx][d_model] (K after RoPE), the layout of struct llm_kv;
 * and the activations of up to ctx rows: x (the residual stream), h, q,
 * att ([ctx][d_model]), the gate and up projections ([ctx][d_ff]) and
 * the scores ([heads][ctx][ctx]).  Host memory: the tokens (ctx int32),
 * the logits (vocab fp32) and the timestamps.
 *
 * A job of n rows at position p, per layer:
 *   RMSNORM x -> h;  GEMM q = h Wq^T;  GEMM K[p..p+n) = h Wk^T and
 *   V[p..p+n) = h Wv^T straight into the cache;  ROPE q and K[p..p+n)
 *   (pos0 p, period n);  BGEMM over the heads S = q K[0..p+n)^T / sqrt(hd)
 *   into [H][n][p+n];  causal SOFTMAX (period n, offset p: row r keeps
 *   the keys up to p + r);  BGEMM att = P V[0..p+n);  GEMM x += att Wo^T
 *   (beta 1);  RMSNORM x -> h;  GEMMs a = h Wgate^T, b = h Wup^T;
 *   SWIGLU a = silu(a) b;  GEMM x += a Wdown^T;
 * then RMSNORM and the output GEMM of the last row only, into the host's
 * logits.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dev_decode.h"

#define TRY(x)                          \
	do {                            \
		int r_ = (x);           \
		if (r_ < 0)             \
			return r_;      \
	} while (0)

/* commands of one job: 15 per layer, the embedding, the final norm and GEMM */
#define CMDS(L) (15 * (L) + 3)

/* A recorded job: its buffer and the class of each of its commands. */
struct dec_job {
	struct accel_cmdbuf *cb;
	uint32_t n;		/* commands */
	uint32_t p, rows;	/* what it was recorded for */
	uint8_t *cls;
};

struct llm_dec {
	struct accel_device *dev;
	struct llm_model m;
	uint32_t D, F, V, H, hd, L, ctx;
	bool timing;
	size_t cb_cap;
	struct accel_bo *params, *kv, *acts, *io;
	/* element offsets into acts */
	size_t x, h, q, att, a, b, s;
	/* host buffer: tokens[ctx], logits[vocab], stamps[CMDS + 1] */
	int32_t *tokens;
	float *logits;
	uint64_t *stamps;
	uint64_t va_tokens, va_logits, va_stamps;
	struct dec_job *step;		/* [ctx], decode buffers by position */
	struct dec_job prefill;
	uint32_t recorded;
	size_t step_bytes;		/* of the last decode buffer recorded */
	struct accel_fence *fence;
	uint32_t pos;
	struct llm_prof prof;
};

/* The recorder: each command then (timing) a TIMESTAMP, its class noted. */
struct rec {
	struct llm_dec *d;
	struct dec_job *j;
};

static int emit(struct rec *r, uint8_t cls, int ret)
{
	struct dec_job *j = r->j;

	TRY(ret);
	if (j->n >= CMDS(r->d->L))
		return -E2BIG;
	j->cls[j->n++] = cls;
	if (r->d->timing)
		TRY(accel_cmdbuf_timestamp(j->cb, r->d->va_stamps + 8ull * j->n));
	return 0;
}

static uint64_t A(const struct llm_dec *d, size_t off)
{
	return accel_bo_va(d->acts) + off * 4;
}

static uint64_t P(const struct llm_dec *d, size_t off)
{
	return accel_bo_va(d->params) + off * 4;
}

/* K (v = 0) or V (v = 1) of layer @l, cache row @row */
static uint64_t KV(const struct llm_dec *d, int v, uint32_t l, uint32_t row)
{
	size_t per = (size_t)d->ctx * d->D;

	return accel_bo_va(d->kv) + (((size_t)v * d->L + l) * per + (size_t)row * d->D) * 4;
}

/* y[n][out] = x[n][in] W[out][in]^T + beta y */
static int linear(struct rec *r, uint32_t n, uint32_t out, uint32_t in, uint64_t x,
		  uint64_t W, uint64_t y, float beta)
{
	struct accel_gemm g = {
		.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_TRANS_B,
		.m = n, .n = out, .k = in, .a = x, .b = W, .c = y,
		.lda = in, .ldb = in, .ldc = out, .alpha = 1, .beta = beta,
	};

	return emit(r, LLM_CLS_MATMUL, accel_cmdbuf_gemm(r->j->cb, &g));
}

static int rmsnorm(struct rec *r, uint32_t rows, uint64_t x, size_t gamma, uint64_t y)
{
	struct llm_dec *d = r->d;
	struct accel_rmsnorm n = {
		.size = sizeof(n), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_RMS_GAMMA,
		.rows = rows, .cols = d->D, .x = x, .y = y, .x_ld = d->D, .y_ld = d->D,
		.gamma = P(d, gamma), .epsilon = d->m.cfg.norm_eps,
	};

	return emit(r, LLM_CLS_NORM, accel_cmdbuf_rmsnorm(r->j->cb, &n));
}

static int rope(struct rec *r, uint32_t rows, uint64_t x, uint32_t pos0)
{
	struct llm_dec *d = r->d;
	struct accel_rope p = {
		.size = sizeof(p), .dtype = ACCEL_DTYPE_FP32, .rows = rows, .heads = d->H,
		.head_dim = d->hd, .n_rot = d->hd, .x = x, .y = x, .x_ld = d->D, .y_ld = d->D,
		.pos0 = pos0, .period = rows, .theta = d->m.cfg.rope_theta,
	};

	return emit(r, LLM_CLS_ELEMENTWISE, accel_cmdbuf_rope(r->j->cb, &p));
}

/* H GEMMs, one per head: C_h = alpha op(A_h) op(B_h); head h of an operand
 * is @stride elements after head h - 1 */
static int heads(struct rec *r, uint32_t flags, uint32_t m, uint32_t n, uint32_t k,
		 uint64_t a, uint32_t lda, uint32_t sa, uint64_t b, uint32_t ldb, uint32_t sb,
		 uint64_t c, uint32_t ldc, uint32_t sc, float alpha)
{
	struct accel_bgemm g = {
		.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .flags = flags,
		.m = m, .n = n, .k = k, .a = a, .b = b, .c = c,
		.lda = lda, .ldb = ldb, .ldc = ldc, .alpha = alpha, .beta = 0,
		.batch = { r->d->H, 1 },
		.stride_a = { sa, 0 }, .stride_b = { sb, 0 }, .stride_c = { sc, 0 },
	};

	return emit(r, LLM_CLS_ATTN_MATMUL, accel_cmdbuf_bgemm(r->j->cb, &g));
}

/* The job of @rows tokens (tokens[0..rows)) at cache position @p. */
static int record(struct llm_dec *d, struct dec_job *j, uint32_t p, uint32_t rows)
{
	uint32_t D = d->D, F = d->F, V = d->V, hd = d->hd, cols = p + rows;
	float scale = (float)(1.0 / sqrt(hd));
	struct rec r = { d, j };
	struct accel_embedding e = {
		.size = sizeof(e), .dtype = ACCEL_DTYPE_FP32, .count = rows, .cols = D,
		.idx = d->va_tokens, .table = P(d, d->m.tok_embd), .table_rows = V,
		.table_ld = D, .x = A(d, d->x), .x_ld = D,
	};
	uint64_t x = A(d, d->x), h = A(d, d->h), q = A(d, d->q), att = A(d, d->att);
	uint64_t ga = A(d, d->a), gb = A(d, d->b), s = A(d, d->s);

	TRY(accel_cmdbuf_reset(j->cb));
	j->n = 0;
	j->rows = 0;	/* recorded for nothing until the end */
	if (d->timing)
		TRY(accel_cmdbuf_timestamp(j->cb, d->va_stamps));
	TRY(emit(&r, LLM_CLS_OTHER, accel_cmdbuf_embedding(j->cb, &e)));
	for (uint32_t l = 0; l < d->L; l++) {
		const size_t *W = d->m.layer[l];
		uint64_t kc = KV(d, 0, l, 0), vc = KV(d, 1, l, 0);
		struct accel_rowwise sm = {
			.size = sizeof(sm), .dtype = ACCEL_DTYPE_FP32, .rows = d->H * rows,
			.cols = cols, .src = s, .dst = s, .src_ld = cols, .dst_ld = cols,
			.flags = ACCEL_SOFTMAX_CAUSAL, .period = rows, .offset = p,
		};
		struct accel_elementwise2 sw = {
			.size = sizeof(sw), .op = ACCEL_EW_SWIGLU, .src_dtype = ACCEL_DTYPE_FP32,
			.dst_dtype = ACCEL_DTYPE_FP32, .rows = rows, .cols = F, .a = ga, .b = gb,
			.d = ga, .a_ld = F, .b_ld = F, .d_ld = F,
		};

		TRY(rmsnorm(&r, rows, x, W[LLM_ATTN_NORM], h));
		TRY(linear(&r, rows, D, D, h, P(d, W[LLM_WQ]), q, 0));
		TRY(linear(&r, rows, D, D, h, P(d, W[LLM_WK]), KV(d, 0, l, p), 0));
		TRY(linear(&r, rows, D, D, h, P(d, W[LLM_WV]), KV(d, 1, l, p), 0));
		TRY(rope(&r, rows, q, p));
		TRY(rope(&r, rows, KV(d, 0, l, p), p));
		/* S_h[rows][cols] = scale q_h K_h^T: head h is hd columns on */
		TRY(heads(&r, ACCEL_GEMM_TRANS_B, rows, cols, hd, q, D, hd, kc, D, hd, s, cols,
			  rows * cols, scale));
		TRY(emit(&r, LLM_CLS_SOFTMAX, accel_cmdbuf_softmax(j->cb, &sm)));
		/* att_h[rows][hd] = P_h V_h */
		TRY(heads(&r, 0, rows, hd, cols, s, cols, rows * cols, vc, D, hd, att, D, hd, 1));
		TRY(linear(&r, rows, D, D, att, P(d, W[LLM_WO]), x, 1));
		TRY(rmsnorm(&r, rows, x, W[LLM_FFN_NORM], h));
		TRY(linear(&r, rows, F, D, h, P(d, W[LLM_W_GATE]), ga, 0));
		TRY(linear(&r, rows, F, D, h, P(d, W[LLM_W_UP]), gb, 0));
		TRY(emit(&r, LLM_CLS_ELEMENTWISE, accel_cmdbuf_elementwise2(j->cb, &sw)));
		TRY(linear(&r, rows, D, F, ga, P(d, W[LLM_W_DOWN]), x, 1));
	}
	/* the last row's logits */
	TRY(rmsnorm(&r, 1, x + (uint64_t)(rows - 1) * D * 4, d->m.out_norm, h));
	TRY(linear(&r, 1, V, D, h, P(d, d->m.out), d->va_logits, 0));
	j->p = p;
	j->rows = rows;
	return 0;
}

static int job_init(struct llm_dec *d, struct dec_job *j)
{
	j->cls = calloc(CMDS(d->L), 1);
	if (!j->cls)
		return -ENOMEM;
	return accel_cmdbuf_create(d->dev, d->cb_cap, &j->cb);
}

static void job_fini(struct dec_job *j)
{
	if (j->cb) {
		accel_cmdbuf_wait_idle(j->cb, ACCEL_TIMEOUT_INFINITE);
		accel_cmdbuf_destroy(j->cb);
	}
	free(j->cls);
	memset(j, 0, sizeof(*j));
}

static int new_inner(struct llm_dec *d, const float *w)
{
	struct accel_device_info info = { .size = sizeof(info) };
	size_t C = d->ctx, D = d->D, F = d->F, o = 0;
	size_t io_bytes;
	void *p;

	TRY(accel_device_query(d->dev, &info));
	if (!(info.capabilities & ACCEL_CAP_TRAIN))
		return -EOPNOTSUPP;
#define TAKE(field, n) do { d->field = o; o += ((size_t)(n) + 15) & ~(size_t)15; } while (0)
	TAKE(x, C * D);
	TAKE(h, C * D);
	TAKE(q, C * D);
	TAKE(att, C * D);
	TAKE(a, C * F);
	TAKE(b, C * F);
	TAKE(s, (size_t)d->H * C * C);
#undef TAKE
	TRY(accel_bo_alloc_flags(d->dev, d->m.n_params * 4, ACCEL_BO_DEVICE_MEM, &d->params));
	TRY(accel_bo_alloc_flags(d->dev, 2 * (size_t)d->L * C * D * 4, ACCEL_BO_DEVICE_MEM,
				 &d->kv));
	TRY(accel_bo_alloc_flags(d->dev, o * 4, ACCEL_BO_DEVICE_MEM, &d->acts));
	TRY(accel_bo_map(d->params, &p));
	memcpy(p, w, d->m.n_params * 4);
	accel_bo_unmap(d->params);

	io_bytes = ((C * 4 + 63) & ~(size_t)63) + ((d->V * 4 + 63) & ~(size_t)63) +
		   (CMDS(d->L) + 1) * 8;
	TRY(accel_bo_alloc(d->dev, io_bytes, &d->io));
	TRY(accel_bo_map(d->io, &p));
	memset(p, 0, io_bytes);
	d->tokens = p;
	d->logits = (float *)((char *)p + ((C * 4 + 63) & ~(size_t)63));
	d->stamps = (uint64_t *)((char *)d->logits + ((d->V * 4 + 63) & ~(size_t)63));
	d->va_tokens = accel_bo_va(d->io);
	d->va_logits = d->va_tokens + ((char *)d->logits - (char *)p);
	d->va_stamps = d->va_tokens + ((char *)d->stamps - (char *)p);

	/* the longest command is BGEMM's 24 dwords; a TIMESTAMP is 4 */
	d->cb_cap = (CMDS(d->L) + 1) * (24 + 4) * 4;
	if (d->cb_cap > info.cmd_size_max)
		return -E2BIG;
	d->step = calloc(C, sizeof(*d->step));
	if (!d->step)
		return -ENOMEM;
	TRY(job_init(d, &d->prefill));
	return accel_fence_create(d->dev, &d->fence);
}

int llm_dec_new(struct accel_device *dev, const struct llm_model *m, const float *w,
		bool timing, struct llm_dec **out)
{
	struct llm_dec *d;
	int ret;

	if (!dev || !m || !w || !out)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->dev = dev;
	d->m = *m;
	d->D = m->cfg.d_model;
	d->F = m->cfg.d_ff;
	d->V = m->cfg.vocab;
	d->H = m->cfg.n_heads;
	d->hd = m->head_dim;
	d->L = m->cfg.n_layers;
	d->ctx = m->cfg.ctx;
	d->timing = timing;
	ret = new_inner(d, w);
	if (ret) {
		llm_dec_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

void llm_dec_free(struct llm_dec *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; d->step && i < d->ctx; i++)
		job_fini(&d->step[i]);
	free(d->step);
	job_fini(&d->prefill);
	accel_fence_destroy(d->fence);
	accel_bo_free(d->io);
	accel_bo_free(d->acts);
	accel_bo_free(d->kv);
	accel_bo_free(d->params);
	free(d);
}

uint32_t llm_dec_pos(const struct llm_dec *d)
{
	return d->pos;
}

void llm_dec_reset(struct llm_dec *d)
{
	d->pos = 0;
}

const struct llm_prof *llm_dec_prof(const struct llm_dec *d)
{
	return &d->prof;
}

uint32_t llm_dec_recorded(const struct llm_dec *d)
{
	return d->recorded;
}

uint32_t llm_dec_step_cmds(const struct llm_dec *d)
{
	return CMDS(d->L);
}

size_t llm_dec_step_bytes(const struct llm_dec *d)
{
	return d->step_bytes;
}

int llm_dec_run(struct llm_dec *d, const int32_t *tokens, uint32_t n, float *logits)
{
	struct accel_submit_args sa = { .size = sizeof(sa), .engine = 0, .signal = d->fence };
	uint32_t p = d->pos;
	struct dec_job *j;

	if (!n || !tokens || !logits)
		return -EINVAL;
	if (n > d->ctx - p)
		return -ENOSPC;
	for (uint32_t i = 0; i < n; i++)
		if (tokens[i] < 0 || (uint32_t)tokens[i] >= d->V)
			return -EINVAL;
	if (n == 1) {
		j = &d->step[p];
		if (!j->rows) {
			int ret = j->cb ? 0 : job_init(d, j);

			if (!ret)
				ret = record(d, j, p, 1);
			if (ret) {
				job_fini(j);
				return ret;
			}
			d->recorded++;
			d->step_bytes = accel_cmdbuf_size(j->cb);
		}
	} else {
		j = &d->prefill;
		if (j->p != p || j->rows != n)
			TRY(record(d, j, p, n));
	}
	/* every job is waited for below: nothing on the card reads the host buffer */
	memcpy(d->tokens, tokens, n * sizeof(*tokens));
	TRY(accel_submit(j->cb, &sa, NULL));
	TRY(accel_fence_wait(d->fence, ACCEL_TIMEOUT_INFINITE));
	memcpy(logits, (const void *)d->logits, d->V * sizeof(float));
	if (d->timing)
		TRY(llm_prof_add(&d->prof, j->cls, (const uint64_t *)d->stamps, j->n));
	d->pos += n;
	return 0;
}
