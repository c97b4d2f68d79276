// SPDX-License-Identifier: MIT
/*
 * The llama model on the card (dev_model.h): the steps of ref_forward.c
 * and ref_backward.c as hardware 1.5 commands.  Attention runs as BGEMMs
 * over [B, T, H, hd] views of q, k and v ([B*T][D] row-major, heads are
 * column blocks), the scores [B][H][T][T] go through a causal SOFTMAX in
 * place, and the backward pass uses SOFTMAX_BWD on them.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev_model.h"

#define TRY(x)                          \
	do {                            \
		int r_ = (x);           \
		if (r_ < 0)             \
			return r_;      \
	} while (0)

struct dev_layer {
	size_t x, rstd1, h1, q, k, v, p, att, xmid, rstd2, h2, a, b, s;
};

struct llm_dev {
	struct accel_device *dev;
	struct llm_model m;
	uint32_t B, T, N, H, hd;
	struct accel_bo *params, *grads, *mom, *var, *acts, *io;
	int acts_on_card;
	/* element offsets into acts */
	struct dev_layer l[LLM_MAX_LAYERS];
	size_t xf, rstdf, hf, logits, lossrow;
	size_t dlogits, dx, dh, datt, ds, dp;
	/* io (host memory): tokens[N], targets[N], then the scalars */
	int32_t *tokens, *targets;
	float *loss_sum, *sumsq;
	/* in io too: the semaphore word the engines share, the test gate */
	uint32_t *sem, *gate;
	uint64_t va_tokens, va_targets, va_loss, va_sumsq, va_sem, va_gate;
	/* fwdbwd: the forward and the backward's data gradients; dw: the
	 * weight gradients with overlap (else empty) */
	struct accel_cmdbuf *fwd, *fwdbwd, *dw, *opt;
	uint32_t recorded_valid;	/* the dlogits scale fwdbwd was recorded with */
	/*
	 * opt as recorded (if opt_ok): the hyperparameters it has, the rate
	 * apart, and where its ADAMWs are; each step patches step and rate
	 */
	int opt_ok;
	struct llm_adamw opt_h;
	float opt_max_norm;
	size_t adamw_at[3 + 9 * LLM_MAX_LAYERS];
	int overlap;			/* LLM_DEV_OVERLAP_* they were recorded with */
	uint32_t dw_engine;		/* 0: the card has one compute engine */
	uint32_t groups;		/* of gradients the dw job waits for */
	/* of the last job: the optimizer's (or fwdbwd's), fwdbwd's, dw's */
	struct accel_fence *fence, *fence_main, *fence_dw;
};

static uint64_t A(const struct llm_dev *d, size_t off)
{
	return accel_bo_va(d->acts) + off * 4;
}

static uint64_t P(const struct llm_dev *d, size_t off)
{
	return accel_bo_va(d->params) + off * 4;
}

static uint64_t G(const struct llm_dev *d, size_t off)
{
	return accel_bo_va(d->grads) + off * 4;
}

/* y[N][out] = x[N][in] W[out][in]^T + beta * y */
static int linear(struct accel_cmdbuf *cb, uint32_t N, uint32_t out, uint32_t in, uint64_t x,
		  uint64_t W, uint64_t y, float beta)
{
	struct accel_gemm g = {
		.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_TRANS_B,
		.m = N, .n = out, .k = in, .a = x, .b = W, .c = y,
		.lda = in, .ldb = in, .ldc = out, .alpha = 1, .beta = beta,
	};

	return accel_cmdbuf_gemm(cb, &g);
}

/* dx[N][in] = dy[N][out] W[out][in] + beta * dx */
static int linear_dx(struct accel_cmdbuf *cb, uint32_t N, uint32_t out, uint32_t in,
		     uint64_t dy, uint64_t W, uint64_t dx, float beta)
{
	struct accel_gemm g = {
		.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32,
		.m = N, .n = in, .k = out, .a = dy, .b = W, .c = dx,
		.lda = out, .ldb = in, .ldc = in, .alpha = 1, .beta = beta,
	};

	return accel_cmdbuf_gemm(cb, &g);
}

/* dW[out][in] += dy[N][out]^T x[N][in] */
static int linear_dw(struct accel_cmdbuf *cb, uint32_t N, uint32_t out, uint32_t in,
		     uint64_t dy, uint64_t x, uint64_t dW)
{
	struct accel_gemm g = {
		.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_TRANS_A,
		.m = out, .n = in, .k = N, .a = dy, .b = x, .c = dW,
		.lda = out, .ldb = in, .ldc = in, .alpha = 1, .beta = 1,
	};

	return accel_cmdbuf_gemm(cb, &g);
}

/*
 * B x H GEMMs over per-head views.  A "head view" operand (hv) is a
 * [T][hd] block of a [B*T][D] matrix: ld D, strides {T*D, hd}; a "score"
 * operand is a [T][T] block of [B][H][T][T]: ld T, strides {H*T*T, T*T}.
 */
struct view {
	uint64_t va;
	uint32_t ld, s0, s1;
};

static struct view hv(const struct llm_dev *d, size_t off)
{
	size_t D = d->m.cfg.d_model;

	return (struct view){ A(d, off), (uint32_t)D, (uint32_t)(d->T * D), d->hd };
}

static struct view sv(const struct llm_dev *d, size_t off)
{
	return (struct view){ A(d, off), d->T, d->H * d->T * d->T, d->T * d->T };
}

static int bgemm(const struct llm_dev *d, struct accel_cmdbuf *cb, uint32_t flags, uint32_t m,
		 uint32_t n, uint32_t k, struct view a, struct view b, struct view c, float alpha)
{
	struct accel_bgemm g = {
		.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .flags = flags,
		.m = m, .n = n, .k = k, .a = a.va, .b = b.va, .c = c.va,
		.lda = a.ld, .ldb = b.ld, .ldc = c.ld, .alpha = alpha, .beta = 0,
		.batch = { d->B, d->H },
		.stride_a = { a.s0, a.s1 }, .stride_b = { b.s0, b.s1 }, .stride_c = { c.s0, c.s1 },
	};

	return accel_cmdbuf_bgemm(cb, &g);
}

static int rmsnorm(const struct llm_dev *d, struct accel_cmdbuf *cb, size_t x, size_t gamma,
		   size_t y, size_t rstd)
{
	uint32_t D = d->m.cfg.d_model;
	struct accel_rmsnorm r = {
		.size = sizeof(r), .dtype = ACCEL_DTYPE_FP32,
		.flags = ACCEL_RMS_GAMMA | ACCEL_RMS_RSTD, .rows = d->N, .cols = D,
		.x = A(d, x), .y = A(d, y), .x_ld = D, .y_ld = D,
		.gamma = P(d, gamma), .rstd = A(d, rstd), .epsilon = d->m.cfg.norm_eps,
	};

	return accel_cmdbuf_rmsnorm(cb, &r);
}

/* dx (+)= d/dx, dgamma += d/dgamma, given dy */
static int rmsnorm_bwd(const struct llm_dev *d, struct accel_cmdbuf *cb, size_t x, size_t gamma,
		       size_t rstd, size_t dy, size_t dx, int accum)
{
	uint32_t D = d->m.cfg.d_model;
	struct accel_rmsnorm r = {
		.size = sizeof(r), .dtype = ACCEL_DTYPE_FP32,
		.flags = ACCEL_RMS_GAMMA | ACCEL_RMS_RSTD | ACCEL_RMS_DGAMMA |
			 (accum ? ACCEL_RMS_ACCUM : 0),
		.rows = d->N, .cols = D, .x = A(d, x), .dy = A(d, dy), .dx = A(d, dx),
		.x_ld = D, .dy_ld = D, .dx_ld = D, .gamma = P(d, gamma), .dgamma = G(d, gamma),
		.rstd = A(d, rstd), .epsilon = d->m.cfg.norm_eps,
	};

	return accel_cmdbuf_rmsnorm_bwd(cb, &r);
}

static int rope(const struct llm_dev *d, struct accel_cmdbuf *cb, size_t x, uint32_t flags)
{
	uint32_t D = d->m.cfg.d_model;
	struct accel_rope r = {
		.size = sizeof(r), .dtype = ACCEL_DTYPE_FP32, .flags = flags, .rows = d->N,
		.heads = d->H, .head_dim = d->hd, .n_rot = d->hd, .x = A(d, x), .y = A(d, x),
		.x_ld = D, .y_ld = D, .pos0 = 0, .period = d->T, .theta = d->m.cfg.rope_theta,
	};

	return accel_cmdbuf_rope(cb, &r);
}

static int copy(const struct llm_dev *d, struct accel_cmdbuf *cb, size_t src, size_t dst,
		size_t n)
{
	return accel_cmdbuf_copy(cb, A(d, src), A(d, dst), (uint32_t)(n * 4));
}

static int record_forward(struct llm_dev *d, struct accel_cmdbuf *cb, int backward)
{
	const struct llm_config *c = &d->m.cfg;
	uint32_t N = d->N, D = c->d_model, F = c->d_ff, V = c->vocab, T = d->T, hd = d->hd;
	float scale = (float)(1.0 / sqrt(hd));
	struct accel_embedding e = {
		.size = sizeof(e), .dtype = ACCEL_DTYPE_FP32, .count = N, .cols = D,
		.idx = d->va_tokens, .table = P(d, d->m.tok_embd), .table_rows = V, .table_ld = D,
		.x = A(d, d->l[0].x), .x_ld = D,
	};

	TRY(accel_cmdbuf_embedding(cb, &e));
	for (uint32_t l = 0; l < c->n_layers; l++) {
		const struct dev_layer *L = &d->l[l];
		const size_t *W = d->m.layer[l];
		size_t xnext = l + 1 < c->n_layers ? d->l[l + 1].x : d->xf;
		struct accel_rowwise sm = {
			.size = sizeof(sm), .dtype = ACCEL_DTYPE_FP32, .rows = d->B * d->H * T,
			.cols = T, .src = A(d, L->p), .dst = A(d, L->p), .src_ld = T, .dst_ld = T,
			.flags = ACCEL_SOFTMAX_CAUSAL, .period = T, .offset = 0,
		};
		struct accel_elementwise2 sw = {
			.size = sizeof(sw), .op = ACCEL_EW_SWIGLU, .src_dtype = ACCEL_DTYPE_FP32,
			.dst_dtype = ACCEL_DTYPE_FP32, .rows = N, .cols = F, .a = A(d, L->a),
			.b = A(d, L->b), .d = A(d, L->s), .a_ld = F, .b_ld = F, .d_ld = F,
		};

		TRY(rmsnorm(d, cb, L->x, W[LLM_ATTN_NORM], L->h1, L->rstd1));
		TRY(linear(cb, N, D, D, A(d, L->h1), P(d, W[LLM_WQ]), A(d, L->q), 0));
		TRY(linear(cb, N, D, D, A(d, L->h1), P(d, W[LLM_WK]), A(d, L->k), 0));
		TRY(linear(cb, N, D, D, A(d, L->h1), P(d, W[LLM_WV]), A(d, L->v), 0));
		TRY(rope(d, cb, L->q, 0));
		TRY(rope(d, cb, L->k, 0));
		/* S = scale Q K^T per (b, h), then P = causal softmax(S) */
		TRY(bgemm(d, cb, ACCEL_GEMM_TRANS_B, T, T, hd, hv(d, L->q), hv(d, L->k),
			  sv(d, L->p), scale));
		TRY(accel_cmdbuf_softmax(cb, &sm));
		/* att = P V */
		TRY(bgemm(d, cb, 0, T, hd, T, sv(d, L->p), hv(d, L->v), hv(d, L->att), 1));
		TRY(copy(d, cb, L->x, L->xmid, (size_t)N * D));
		TRY(linear(cb, N, D, D, A(d, L->att), P(d, W[LLM_WO]), A(d, L->xmid), 1));
		TRY(rmsnorm(d, cb, L->xmid, W[LLM_FFN_NORM], L->h2, L->rstd2));
		TRY(linear(cb, N, F, D, A(d, L->h2), P(d, W[LLM_W_GATE]), A(d, L->a), 0));
		TRY(linear(cb, N, F, D, A(d, L->h2), P(d, W[LLM_W_UP]), A(d, L->b), 0));
		TRY(accel_cmdbuf_elementwise2(cb, &sw));
		TRY(copy(d, cb, L->xmid, xnext, (size_t)N * D));
		TRY(linear(cb, N, D, F, A(d, L->s), P(d, W[LLM_W_DOWN]), A(d, xnext), 1));
	}
	TRY(rmsnorm(d, cb, d->xf, d->m.out_norm, d->hf, d->rstdf));
	TRY(linear(cb, N, V, D, A(d, d->hf), P(d, d->m.out), A(d, d->logits), 0));

	struct accel_cross_entropy ce = {
		.size = sizeof(ce), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_CE_LOSS, .rows = N,
		.classes = V, .logits = A(d, d->logits), .targets = d->va_targets,
		.loss = A(d, d->lossrow), .logits_ld = V, .ignore_index = -1,
	};
	if (backward) {
		ce.flags |= ACCEL_CE_DLOGITS;
		ce.dlogits = A(d, d->dlogits);
		ce.dlogits_ld = V;
		ce.scale = d->recorded_valid ? 1.0f / d->recorded_valid : 0;
	}
	TRY(accel_cmdbuf_cross_entropy(cb, &ce));

	struct accel_reduce red = {
		.size = sizeof(red), .dtype = ACCEL_DTYPE_FP32, .axis = ACCEL_RED_ALL, .rows = 1,
		.cols = N, .x = A(d, d->lossrow), .dst = d->va_loss, .x_ld = N, .scale = 1,
	};
	TRY(accel_cmdbuf_reduce(cb, &red));
	return 0;
}

/*
 * The backward pass, with the weight gradients (dW = dY^T X, which
 * nothing else in the pass reads) optionally on a second engine.
 *
 * @cb gets the data-gradient chain; @dw (NULL: no overlap) gets every
 * linear_dw().  publish() ends a group of gradients that the dW GEMMs
 * recorded after it read: @cb stores the group's number to the semaphore
 * word (SEMAPHORE SIGNAL: the card makes every earlier command's writes
 * visible first), @dw waits until the word reaches it.  So no dW reads a
 * dY before it is written (read after write).  The other way round
 * (write after read) there is nothing to wait for: every dY and X that a
 * dW GEMM reads is in a buffer that nothing writes again in the step:
 *
 *  - da, db: SWIGLU_BWD writes them over the layer's own a and b;
 *  - dV goes over the layer's v (after dP = dAtt V^T read it), dK over
 *    its k (after dQ read it), dQ over its xmid (which the FFN norm's
 *    backward read before);
 *  - the residual stream's gradient, which the two norms of each layer
 *    add to in turn, with overlap moves to a fresh buffer each time (COPY,
 *    then RMSNORM_BWD with ACCUM): after the FFN norm into the x of the
 *    layer above (xf for the top layer), after the attention norm into
 *    the layer's own q, both dead by then; without overlap it stays in
 *    dx;
 *  - the forward activations (h1, att, h2, s, hf) and dlogits are not
 *    written in the backward at all.
 *
 * Both engines run the same commands on the same operands as one engine
 * would, so the gradients are the same bits with and without overlap
 * (the card is deterministic for a given thread count, and the COPY adds
 * nothing).  The next step's forward overwrites the activations: it runs
 * only after both jobs, and the optimizer that waits for both, are done.
 */
struct bwd {
	struct llm_dev *d;
	struct accel_cmdbuf *main, *dw;
	uint32_t groups;	/* gradient groups published so far */
	int pace;		/* LLM_DEV_OVERLAP_HOLD_MAIN */
};

/* Where the dW GEMMs go: the second engine's buffer, or in line. */
static struct accel_cmdbuf *dw_cb(const struct bwd *r)
{
	return r->dw ? r->dw : r->main;
}

static int publish(struct bwd *r)
{
	if (!r->dw)
		return 0;
	r->groups++;
	TRY(accel_cmdbuf_semaphore(r->main, ACCEL_SEM_SIGNAL, r->d->va_sem, r->groups));
	/* the test hold: stop before computing the next group */
	if (r->pace)
		TRY(accel_cmdbuf_semaphore(r->main, ACCEL_SEM_WAIT, r->d->va_gate, r->groups + 1));
	return accel_cmdbuf_semaphore(r->dw, ACCEL_SEM_WAIT, r->d->va_sem, r->groups);
}

/*
 * The residual stream's gradient, now at @cur, before a norm's backward
 * adds to it: *@out is where the sum goes, @fresh (a copy of @cur) with
 * overlap, else @cur itself.
 */
static int residual(const struct bwd *r, size_t cur, size_t fresh, size_t *out)
{
	const struct llm_dev *d = r->d;

	*out = cur;
	if (!r->dw)
		return 0;
	*out = fresh;
	return copy(d, r->main, cur, fresh, (size_t)d->N * d->m.cfg.d_model);
}

static int record_backward(struct llm_dev *d, struct accel_cmdbuf *cb, struct accel_cmdbuf *dw,
			   int overlap)
{
	const struct llm_config *c = &d->m.cfg;
	uint32_t N = d->N, D = c->d_model, F = c->d_ff, V = c->vocab, T = d->T, hd = d->hd;
	float scale = (float)(1.0 / sqrt(hd));
	struct bwd r = {
		.d = d, .main = cb, .dw = dw, .pace = overlap & LLM_DEV_OVERLAP_HOLD_MAIN,
	};
	size_t cur = d->dx;

	/* the forward wrote hf and dlogits (CROSS_ENTROPY) */
	TRY(publish(&r));
	TRY(linear_dw(dw_cb(&r), N, V, D, A(d, d->dlogits), A(d, d->hf), G(d, d->m.out)));
	TRY(linear_dx(cb, N, V, D, A(d, d->dlogits), P(d, d->m.out), A(d, d->dh), 0));
	TRY(rmsnorm_bwd(d, cb, d->xf, d->m.out_norm, d->rstdf, d->dh, cur, 0));
	TRY(publish(&r));
	for (uint32_t l = c->n_layers; l-- > 0;) {
		const struct dev_layer *L = &d->l[l];
		const size_t *W = d->m.layer[l];
		size_t above = l + 1 < c->n_layers ? d->l[l + 1].x : d->xf;
		/* dq, dk, dv over the layer's xmid, k, v */
		size_t dq = L->xmid, dk = L->k, dv = L->v;
		struct accel_elementwise2 sw = {
			.size = sizeof(sw), .op = ACCEL_EW_SWIGLU_BWD,
			.src_dtype = ACCEL_DTYPE_FP32, .dst_dtype = ACCEL_DTYPE_FP32, .rows = N,
			.cols = F, .a = A(d, L->a), .b = A(d, L->b), .c = A(d, d->ds),
			.d = A(d, L->a), .e = A(d, L->b), .a_ld = F, .b_ld = F, .c_ld = F,
			.d_ld = F, .e_ld = F,
		};
		struct accel_softmax_bwd sb = {
			.size = sizeof(sb), .dtype = ACCEL_DTYPE_FP32, .rows = d->B * d->H * T,
			.cols = T, .y = A(d, L->p), .dy = A(d, d->dp), .dx = A(d, d->dp),
			.y_ld = T, .dy_ld = T, .dx_ld = T,
		};

		/* x' = xmid + s Wdown^T (cur was published) */
		TRY(linear_dx(cb, N, D, F, A(d, cur), P(d, W[LLM_W_DOWN]), A(d, d->ds), 0));
		TRY(linear_dw(dw_cb(&r), N, D, F, A(d, cur), A(d, L->s), G(d, W[LLM_W_DOWN])));
		/* da, db over a, b */
		TRY(accel_cmdbuf_elementwise2(cb, &sw));
		TRY(publish(&r));
		TRY(linear_dw(dw_cb(&r), N, F, D, A(d, L->a), A(d, L->h2), G(d, W[LLM_W_GATE])));
		TRY(linear_dw(dw_cb(&r), N, F, D, A(d, L->b), A(d, L->h2), G(d, W[LLM_W_UP])));
		TRY(linear_dx(cb, N, F, D, A(d, L->a), P(d, W[LLM_W_GATE]), A(d, d->dh), 0));
		TRY(linear_dx(cb, N, F, D, A(d, L->b), P(d, W[LLM_W_UP]), A(d, d->dh), 1));
		/* the layer above's x is dead: its attention norm's backward read it */
		TRY(residual(&r, cur, above, &cur));
		TRY(rmsnorm_bwd(d, cb, L->xmid, W[LLM_FFN_NORM], L->rstd2, d->dh, cur, 1));
		TRY(publish(&r));
		/* xmid = x + att Wo^T */
		TRY(linear_dw(dw_cb(&r), N, D, D, A(d, cur), A(d, L->att), G(d, W[LLM_WO])));
		TRY(linear_dx(cb, N, D, D, A(d, cur), P(d, W[LLM_WO]), A(d, d->datt), 0));
		/* dP = dAtt V^T, dV = P^T dAtt, dS = softmax_bwd, dQ = s dS K, dK = s dS^T Q */
		TRY(bgemm(d, cb, ACCEL_GEMM_TRANS_B, T, T, hd, hv(d, d->datt), hv(d, L->v),
			  sv(d, d->dp), 1));
		TRY(bgemm(d, cb, ACCEL_GEMM_TRANS_A, T, hd, T, sv(d, L->p), hv(d, d->datt),
			  hv(d, dv), 1));
		TRY(accel_cmdbuf_softmax_bwd(cb, &sb));
		TRY(bgemm(d, cb, 0, T, hd, T, sv(d, d->dp), hv(d, L->k), hv(d, dq), scale));
		TRY(bgemm(d, cb, ACCEL_GEMM_TRANS_A, T, hd, T, sv(d, d->dp), hv(d, L->q),
			  hv(d, dk), scale));
		TRY(rope(d, cb, dq, ACCEL_ROPE_BWD));
		TRY(rope(d, cb, dk, ACCEL_ROPE_BWD));
		TRY(publish(&r));
		TRY(linear_dw(dw_cb(&r), N, D, D, A(d, dq), A(d, L->h1), G(d, W[LLM_WQ])));
		TRY(linear_dw(dw_cb(&r), N, D, D, A(d, dk), A(d, L->h1), G(d, W[LLM_WK])));
		TRY(linear_dw(dw_cb(&r), N, D, D, A(d, dv), A(d, L->h1), G(d, W[LLM_WV])));
		TRY(linear_dx(cb, N, D, D, A(d, dq), P(d, W[LLM_WQ]), A(d, d->dh), 0));
		TRY(linear_dx(cb, N, D, D, A(d, dk), P(d, W[LLM_WK]), A(d, d->dh), 1));
		TRY(linear_dx(cb, N, D, D, A(d, dv), P(d, W[LLM_WV]), A(d, d->dh), 1));
		/* the layer's q is dead: dK was its last reader */
		TRY(residual(&r, cur, L->q, &cur));
		TRY(rmsnorm_bwd(d, cb, L->x, W[LLM_ATTN_NORM], L->rstd1, d->dh, cur, 1));
		/* below layer 0 only the embedding's SCATTER_ADD reads it */
		if (l)
			TRY(publish(&r));
	}

	struct accel_embedding e = {
		.size = sizeof(e), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_EMB_SCATTER_ADD,
		.count = N, .cols = D, .idx = d->va_tokens, .table = G(d, d->m.tok_embd),
		.table_rows = V, .table_ld = D, .x = A(d, cur), .x_ld = D,
	};
	TRY(accel_cmdbuf_embedding(cb, &e));
	d->groups = r.groups;
	return 0;
}

/* The test hold: the engine waits until the host opens the gate. */
static int gate(const struct llm_dev *d, struct accel_cmdbuf *cb, int overlap, int hold)
{
	if (!(overlap & hold))
		return 0;
	return accel_cmdbuf_semaphore(cb, ACCEL_SEM_WAIT, d->va_gate, 1);
}

static int record_fwdbwd_inner(struct llm_dev *d, int overlap)
{
	struct accel_cmdbuf *dw = overlap & LLM_DEV_OVERLAP_ON ? d->dw : NULL;

	TRY(accel_cmdbuf_reset(d->fwdbwd));
	if (d->dw)
		TRY(accel_cmdbuf_reset(d->dw));
	TRY(gate(d, d->fwdbwd, overlap, LLM_DEV_OVERLAP_HOLD_MAIN));
	if (dw)
		TRY(gate(d, dw, overlap, LLM_DEV_OVERLAP_HOLD_DW));
	/* the gradients are overwritten, not accumulated */
	TRY(accel_cmdbuf_fill(d->fwdbwd, accel_bo_va(d->grads), (uint32_t)(d->m.n_params * 4), 0));
	TRY(record_forward(d, d->fwdbwd, 1));
	return record_backward(d, d->fwdbwd, dw, overlap);
}

/* Not a count of valid targets: fwdbwd is recorded again before its next use. */
#define NOT_RECORDED UINT32_MAX

static int record_fwdbwd(struct llm_dev *d, uint32_t valid, int overlap)
{
	int ret;

	/* record_forward() takes the dlogits scale from recorded_valid */
	d->recorded_valid = valid;
	d->overlap = overlap;
	ret = record_fwdbwd_inner(d, overlap);
	if (ret)
		d->recorded_valid = NOT_RECORDED;
	return ret;
}

static int record_opt_inner(struct llm_dev *d, const struct llm_adamw *h, uint32_t step,
			    float max_norm)
{
	struct accel_cmdbuf *cb = d->opt;

	TRY(accel_cmdbuf_reset(cb));
	/* the sum of squares of every gradient (for the norm and clipping) */
	for (uint32_t i = 0; i < d->m.n_tensors; i++) {
		struct llm_tensor t;

		llm_tensor_info(&d->m, i, &t);
		struct accel_reduce r = {
			.size = sizeof(r), .dtype = ACCEL_DTYPE_FP32, .axis = ACCEL_RED_ALL,
			.flags = ACCEL_RED_SQUARE | (i ? ACCEL_RED_ACCUM : 0), .rows = t.rows,
			.cols = t.cols, .x = G(d, t.offset), .dst = d->va_sumsq, .x_ld = t.cols,
			.scale = 1,
		};
		TRY(accel_cmdbuf_reduce(cb, &r));
	}
	for (uint32_t i = 0; i < d->m.n_tensors; i++) {
		struct llm_tensor t;

		llm_tensor_info(&d->m, i, &t);
		struct accel_adamw a = {
			.size = sizeof(a), .flags = max_norm > 0 ? ACCEL_ADAMW_CLIP : 0,
			.count = (uint32_t)t.n, .step = step, .param = P(d, t.offset),
			.grad = G(d, t.offset), .m = accel_bo_va(d->mom) + t.offset * 4,
			.v = accel_bo_va(d->var) + t.offset * 4, .lr = h->lr, .beta1 = h->beta1,
			.beta2 = h->beta2, .eps = h->eps,
			.weight_decay = t.decay ? h->weight_decay : 0, .grad_scale = 1,
			.sumsq = max_norm > 0 ? d->va_sumsq : 0, .max_norm = max_norm > 0 ? max_norm : 0,
		};
		d->adamw_at[i] = accel_cmdbuf_size(cb);
		TRY(accel_cmdbuf_adamw(cb, &a));
	}
	return 0;
}

/*
 * The optimizer's buffer for this step.  Recorded once (and again when a
 * hyperparameter other than the rate changes); each step then patches
 * the ADAMWs' step and rate in place (libaccel 2.2), once the card is done
 * with the last step's job: 39 patches of two dwords for the default
 * model instead of 78 commands recorded.
 */
static int record_opt(struct llm_dev *d, const struct llm_adamw *h, uint32_t step,
		      float max_norm)
{
	int ret = 0;

	if (d->opt_ok && h->beta1 == d->opt_h.beta1 && h->beta2 == d->opt_h.beta2 &&
	    h->eps == d->opt_h.eps && h->weight_decay == d->opt_h.weight_decay &&
	    max_norm == d->opt_max_norm) {
		ret = accel_cmdbuf_wait_idle(d->opt, ACCEL_TIMEOUT_INFINITE);
		for (uint32_t i = 0; i < d->m.n_tensors && !ret; i++)
			ret = accel_cmdbuf_patch_adamw(d->opt, d->adamw_at[i], step, h->lr);
	} else {
		ret = record_opt_inner(d, h, step, max_norm);
	}
	/* half patched or half recorded: record it all next time */
	d->opt_ok = !ret;
	d->opt_h = *h;
	d->opt_max_norm = max_norm;
	return ret;
}

/* Element offsets of everything in acts; returns the total. */
static size_t layout(struct llm_dev *d)
{
	size_t N = d->N, D = d->m.cfg.d_model, F = d->m.cfg.d_ff, V = d->m.cfg.vocab;
	size_t S = (size_t)d->B * d->H * d->T * d->T, o = 0;

#define TAKE(field, n) do { (field) = o; o += ((size_t)(n) + 15) & ~(size_t)15; } while (0)
	for (uint32_t l = 0; l < d->m.cfg.n_layers; l++) {
		struct dev_layer *L = &d->l[l];

		TAKE(L->x, N * D);
		TAKE(L->rstd1, N);
		TAKE(L->h1, N * D);
		TAKE(L->q, N * D);
		TAKE(L->k, N * D);
		TAKE(L->v, N * D);
		TAKE(L->p, S);
		TAKE(L->att, N * D);
		TAKE(L->xmid, N * D);
		TAKE(L->rstd2, N);
		TAKE(L->h2, N * D);
		TAKE(L->a, N * F);
		TAKE(L->b, N * F);
		TAKE(L->s, N * F);
	}
	TAKE(d->xf, N * D);
	TAKE(d->rstdf, N);
	TAKE(d->hf, N * D);
	TAKE(d->logits, N * V);
	TAKE(d->lossrow, N);
	TAKE(d->dlogits, N * V);
	TAKE(d->dx, N * D);
	TAKE(d->dh, N * D);
	TAKE(d->datt, N * D);
	TAKE(d->ds, N * F);
	TAKE(d->dp, S);
#undef TAKE
	return o;
}

int llm_dev_acts_on_card(const struct llm_dev *d)
{
	return d->acts_on_card;
}

static int new_inner(struct llm_dev *d)
{
	struct accel_device_info info = { .size = sizeof(info) };
	size_t pbytes = d->m.n_params * 4, abytes = layout(d) * 4;
	size_t cap;
	void *io;
	int ret;

	TRY(accel_device_query(d->dev, &info));
	if (!(info.capabilities & ACCEL_CAP_TRAIN))
		return -EOPNOTSUPP;
	TRY(accel_bo_alloc_flags(d->dev, pbytes, ACCEL_BO_DEVICE_MEM, &d->params));
	TRY(accel_bo_alloc_flags(d->dev, pbytes, ACCEL_BO_DEVICE_MEM, &d->grads));
	TRY(accel_bo_alloc_flags(d->dev, pbytes, ACCEL_BO_DEVICE_MEM, &d->mom));
	TRY(accel_bo_alloc_flags(d->dev, pbytes, ACCEL_BO_DEVICE_MEM, &d->var));
	ret = accel_bo_alloc_flags(d->dev, abytes, ACCEL_BO_DEVICE_MEM, &d->acts);
	d->acts_on_card = !ret;
	if (ret == -ENOMEM)
		ret = accel_bo_alloc(d->dev, abytes, &d->acts);
	TRY(ret);
	/* tokens, targets, then 16 bytes each: loss, sumsq, the semaphore, the gate */
	TRY(accel_bo_alloc(d->dev, (size_t)d->N * 8 + 64, &d->io));
	TRY(accel_bo_map(d->io, &io));
	d->tokens = io;
	d->targets = d->tokens + d->N;
	d->loss_sum = (float *)(d->targets + d->N);
	d->sumsq = d->loss_sum + 4;
	d->va_tokens = accel_bo_va(d->io);
	d->va_targets = d->va_tokens + (uint64_t)d->N * 4;
	d->va_loss = d->va_targets + (uint64_t)d->N * 4;
	d->va_sumsq = d->va_loss + 16;
	d->sem = (uint32_t *)(d->sumsq + 4);
	d->gate = d->sem + 4;
	d->va_sem = d->va_sumsq + 16;
	d->va_gate = d->va_sem + 16;
	cap = info.cmd_size_max < (4u << 20) ? info.cmd_size_max : (4u << 20);
	TRY(accel_cmdbuf_create(d->dev, cap, &d->fwd));
	TRY(accel_cmdbuf_create(d->dev, cap, &d->fwdbwd));
	TRY(accel_cmdbuf_create(d->dev, cap, &d->opt));
	TRY(accel_fence_create(d->dev, &d->fence));
	/* the weight gradients on the second compute engine, if there is one */
	if (info.num_compute_engines >= 2) {
		d->dw_engine = 1;
		TRY(accel_cmdbuf_create(d->dev, cap, &d->dw));
		TRY(accel_fence_create(d->dev, &d->fence_main));
		TRY(accel_fence_create(d->dev, &d->fence_dw));
	}
	TRY(record_forward(d, d->fwd, 0));
	return record_fwdbwd(d, d->N, d->dw_engine ? LLM_DEV_OVERLAP_DEFAULT : LLM_DEV_OVERLAP_OFF);
}

int llm_dev_new(struct accel_device *dev, const struct llm_model *m, uint32_t B, uint32_t T,
		struct llm_dev **out)
{
	struct llm_dev *d;
	int ret;

	if (!dev || !m || !out || !B || !T || T > m->cfg.ctx)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->dev = dev;
	d->m = *m;
	d->B = B;
	d->T = T;
	d->N = B * T;
	d->H = m->cfg.n_heads;
	d->hd = m->head_dim;
	ret = new_inner(d);
	if (ret) {
		llm_dev_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

void llm_dev_free(struct llm_dev *d)
{
	if (!d)
		return;
	if (d->fwdbwd)
		accel_cmdbuf_wait_idle(d->fwdbwd, ACCEL_TIMEOUT_INFINITE);
	if (d->dw)
		accel_cmdbuf_wait_idle(d->dw, ACCEL_TIMEOUT_INFINITE);
	if (d->opt)
		accel_cmdbuf_wait_idle(d->opt, ACCEL_TIMEOUT_INFINITE);
	if (d->fwd)
		accel_cmdbuf_wait_idle(d->fwd, ACCEL_TIMEOUT_INFINITE);
	accel_fence_destroy(d->fence);
	accel_fence_destroy(d->fence_main);
	accel_fence_destroy(d->fence_dw);
	accel_cmdbuf_destroy(d->fwd);
	accel_cmdbuf_destroy(d->fwdbwd);
	accel_cmdbuf_destroy(d->dw);
	accel_cmdbuf_destroy(d->opt);
	accel_bo_free(d->io);
	accel_bo_free(d->acts);
	accel_bo_free(d->var);
	accel_bo_free(d->mom);
	accel_bo_free(d->grads);
	accel_bo_free(d->params);
	free(d);
}

static int copy_bo(struct accel_bo *bo, void *dst, const void *src, size_t n)
{
	void *p;

	TRY(accel_bo_map(bo, &p));
	if (dst)
		memcpy(dst, p, n);
	else if (src)
		memcpy(p, src, n);
	else
		memset(p, 0, n);
	return 0;
}

int llm_dev_set_params(struct llm_dev *d, const float *w)
{
	size_t n = d->m.n_params * 4;

	TRY(copy_bo(d->params, NULL, w, n));
	TRY(copy_bo(d->mom, NULL, NULL, n));
	return copy_bo(d->var, NULL, NULL, n);
}

int llm_dev_get_params(struct llm_dev *d, float *w)
{
	return copy_bo(d->params, w, NULL, d->m.n_params * 4);
}

int llm_dev_get_grads(struct llm_dev *d, float *g)
{
	return copy_bo(d->grads, g, NULL, d->m.n_params * 4);
}

int llm_dev_set_grads(struct llm_dev *d, const float *g)
{
	return copy_bo(d->grads, NULL, g, d->m.n_params * 4);
}

int llm_dev_get_logits(struct llm_dev *d, float *logits)
{
	void *p;

	TRY(accel_bo_map(d->acts, &p));
	memcpy(logits, (float *)p + d->logits, (size_t)d->N * d->m.cfg.vocab * 4);
	return 0;
}

/* Tokens and targets into the io buffer; the count of valid targets. */
static int load_batch(struct llm_dev *d, const int32_t *tokens, const int32_t *targets,
		      uint32_t *valid)
{
	uint32_t V = d->m.cfg.vocab, n = 0;

	for (uint32_t i = 0; i < d->N; i++) {
		if (tokens[i] < 0 || (uint32_t)tokens[i] >= V)
			return -EINVAL;
		if (targets && (targets[i] < -1 || targets[i] >= (int32_t)V))
			return -EINVAL;
		n += targets && targets[i] >= 0;
	}
	/* the card waits for nothing it may still read: callers wait per step */
	TRY(accel_cmdbuf_wait_idle(d->fwdbwd, ACCEL_TIMEOUT_INFINITE));
	if (d->dw)
		TRY(accel_cmdbuf_wait_idle(d->dw, ACCEL_TIMEOUT_INFINITE));
	TRY(accel_cmdbuf_wait_idle(d->fwd, ACCEL_TIMEOUT_INFINITE));
	memcpy(d->tokens, tokens, (size_t)d->N * 4);
	for (uint32_t i = 0; i < d->N; i++)
		d->targets[i] = targets ? targets[i] : -1;
	*valid = n;
	return 0;
}

static int submit(struct accel_cmdbuf *cb, uint32_t engine, struct accel_fence *wait,
		  struct accel_fence *signal)
{
	struct accel_submit_args a = {
		.size = sizeof(a), .engine = engine, .wait = wait, .signal = signal,
	};

	return accel_submit(cb, &a, NULL);
}

/* How long a test hold keeps an engine waiting: the other runs ahead meanwhile. */
#define HOLD_NS 20000000L

/*
 * Run fwdbwd (with overlap: and dw on the second engine), then with @opt
 * the optimizer, which waits for both; wait for all.  load_batch() made
 * sure that no job of the last step still runs, so the semaphore word
 * starts from 0.
 */
static int run_step(struct llm_dev *d, int opt, uint32_t valid, double *loss)
{
	int ov = d->overlap & LLM_DEV_OVERLAP_ON, ret, r2;

	__atomic_store_n(d->sem, 0, __ATOMIC_RELAXED);
	__atomic_store_n(d->gate, 0, __ATOMIC_RELAXED);
	/* the fwdbwd job is the last one only without overlap or optimizer */
	ret = submit(d->fwdbwd, 0, NULL, ov ? d->fence_main : opt ? NULL : d->fence);
	if (!ret && ov)
		ret = submit(d->dw, d->dw_engine, NULL, opt ? d->fence_dw : d->fence);
	if (!ret && opt)
		ret = submit(d->opt, 0, ov ? d->fence_dw : NULL, d->fence);
	/* the test holds: the gate opens once (dW), or once per gradient group */
	if (d->overlap & (LLM_DEV_OVERLAP_HOLD_MAIN | LLM_DEV_OVERLAP_HOLD_DW)) {
		uint32_t opens = d->overlap & LLM_DEV_OVERLAP_HOLD_MAIN ? d->groups + 1 : 1;

		for (uint32_t k = 1; k <= opens; k++) {
			if (!ret)
				nanosleep(&(struct timespec){ .tv_nsec = HOLD_NS }, NULL);
			__atomic_store_n(d->gate, ret ? INT32_MAX : k, __ATOMIC_RELEASE);
		}
	}
	/* what was submitted runs to its end; load_batch() waits for it */
	TRY(ret);
	if (ov) {
		ret = accel_fence_wait(d->fence_main, ACCEL_TIMEOUT_INFINITE);
		/*
		 * A failed fwdbwd job publishes nothing more: release the dW
		 * job's waits (its results are void) instead of leaving it
		 * to the watchdog.
		 */
		if (ret)
			__atomic_store_n(d->sem, INT32_MAX, __ATOMIC_RELEASE);
		if (opt) {
			r2 = accel_fence_wait(d->fence_dw, ACCEL_TIMEOUT_INFINITE);
			ret = ret ? ret : r2;
		}
	}
	r2 = accel_fence_wait(d->fence, ACCEL_TIMEOUT_INFINITE);
	ret = ret ? ret : r2;
	if (!ret && loss)
		*loss = valid ? *(volatile float *)d->loss_sum / valid : 0;
	return ret;
}

int llm_dev_forward(struct llm_dev *d, const int32_t *tokens, const int32_t *targets,
		    double *loss)
{
	uint32_t valid;

	TRY(load_batch(d, tokens, targets, &valid));
	TRY(submit(d->fwd, 0, NULL, d->fence));
	TRY(accel_fence_wait(d->fence, ACCEL_TIMEOUT_INFINITE));
	if (targets && loss)
		*loss = valid ? *(volatile float *)d->loss_sum / valid : 0;
	return 0;
}

int llm_dev_forward_backward(struct llm_dev *d, const int32_t *tokens, const int32_t *targets,
			     double *loss)
{
	uint32_t valid;

	if (!targets)
		return -EINVAL;
	TRY(load_batch(d, tokens, targets, &valid));
	if (valid != d->recorded_valid)
		TRY(record_fwdbwd(d, valid, d->overlap));
	return run_step(d, 0, valid, loss);
}

int llm_dev_adamw(struct llm_dev *d, const struct llm_adamw *h, uint32_t step, float max_norm,
		  double *grad_norm)
{
	if (!h || !step)
		return -EINVAL;
	TRY(record_opt(d, h, step, max_norm));
	TRY(submit(d->opt, 0, NULL, d->fence));
	TRY(accel_fence_wait(d->fence, ACCEL_TIMEOUT_INFINITE));
	if (grad_norm)
		*grad_norm = sqrt(*(volatile float *)d->sumsq);
	return 0;
}

int llm_dev_train_step(struct llm_dev *d, const int32_t *tokens, const int32_t *targets,
		       const struct llm_adamw *h, uint32_t step, float max_norm, double *loss,
		       double *grad_norm)
{
	uint32_t valid;

	if (!targets || !h || !step)
		return -EINVAL;
	TRY(load_batch(d, tokens, targets, &valid));
	if (valid != d->recorded_valid)
		TRY(record_fwdbwd(d, valid, d->overlap));
	TRY(record_opt(d, h, step, max_norm));
	/*
	 * Engine 0 runs its jobs in order: the optimizer after the
	 * backward; with overlap it also waits for the weight gradients.
	 */
	TRY(run_step(d, 1, valid, loss));
	if (grad_norm)
		*grad_norm = sqrt(*(volatile float *)d->sumsq);
	return 0;
}

int llm_dev_set_overlap(struct llm_dev *d, int overlap)
{
	const int holds = LLM_DEV_OVERLAP_HOLD_MAIN | LLM_DEV_OVERLAP_HOLD_DW;

	if (!d || (overlap & ~(LLM_DEV_OVERLAP_ON | holds)) ||
	    ((overlap & holds) && !(overlap & LLM_DEV_OVERLAP_ON)) || (overlap & holds) == holds)
		return -EINVAL;
	if ((overlap & LLM_DEV_OVERLAP_ON) && !d->dw_engine)
		return -EOPNOTSUPP;
	if (overlap == d->overlap)
		return 0;
	if (d->recorded_valid == NOT_RECORDED) {
		d->overlap = overlap;
		return 0;
	}
	return record_fwdbwd(d, d->recorded_valid, overlap);
}

int llm_dev_overlap(const struct llm_dev *d)
{
	return d->overlap;
}
