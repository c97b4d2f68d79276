// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The hardware 1.5 training commands (TESSERA_CAP_TRAIN): decoding,
 * argument checks and operands; the math is in t1_train_math.c.
 *
 * Every command is checked completely before it touches memory (length,
 * flags, reserved fields, types, counts, leading dimensions, alignment,
 * operand spans and their overflow); indices and targets are copied out
 * of guest memory before they are checked, so that the guest cannot change
 * them between the check and the use.  A bad command is
 * TESSERA_ERR_INVALID_CMD for its context, with a guest-error line that
 * names the command and the reason.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "t1_cmd.h"
#include "t1_math.h"
#include "t1_train.h"

static bool train_type(uint32_t dt)
{
	return dt == TESSERA_DTYPE_FP32 || dt == TESSERA_DTYPE_BF16;
}

static bool float_type(uint32_t dt)
{
	return dt <= TESSERA_DTYPE_BF16;
}

/*
 * An operand the command uses: as mat_ok(), and not at 0 (0 marks the
 * operands a command does not use).
 */
static bool op_ok(uint64_t va, uint32_t rows, uint32_t cols, uint32_t ld,
		  unsigned int es)
{
	return va && mat_ok(va, rows, cols, ld, es);
}

/* A vector of n fp32 (or int32) values at @va. */
static bool vec_ok(uint64_t va, uint32_t n)
{
	return op_ok(va, 1, n, n, 4);
}

/* An optional operand: checked with its flag, else 0. */
static bool opt_vec_ok(bool used, uint64_t va, uint32_t n)
{
	return used ? vec_ok(va, n) : !va;
}

/* The math's result: a host failure is the command's failure. */
static int math_ret(const struct cmd *c, int ret)
{
	if (ret == -ENOMEM || ret == -EINVAL)
		return t1_cmd_invalid(c, "the card cannot do this work");
	return ret;
}

/* Acquire a rows x cols destination with leading dimension ld. */
static int get_rows(const struct cmd *c, struct t1_buf *b, uint64_t va,
		    uint32_t rows, uint32_t cols, uint32_t ld, unsigned int es,
		    unsigned int acc)
{
	int ret = t1_buf_get(c->as, b, va, span(rows, cols, ld, es), acc);

	if (!ret)
		t1_buf_rows(b, rows, (uint64_t)ld * es, (uint64_t)cols * es, 1, 0,
			    1, 0);
	return ret;
}

static int get_src(const struct cmd *c, struct t1_buf *b, uint64_t va,
		   uint32_t rows, uint32_t cols, uint32_t ld, unsigned int es)
{
	return t1_buf_get(c->as, b, va, span(rows, cols, ld, es), T1_ACC_R);
}

/*
 * Copy @n int32 values from @va (acquired as @b) so that checking them and
 * using them see the same values.  NULL on allocation failure.
 */
static int32_t *copy_i32(const struct t1_buf *b, uint32_t n)
{
	int32_t *v = malloc((size_t)n * sizeof(*v));

	if (v)
		memcpy(v, b->p, (size_t)n * sizeof(*v));
	return v;
}

/* ---- BGEMM ---- */

/* Elements a batch of matrices spans, or 0 past T1_MAX_OPERAND. */
static uint64_t batch_elems(uint32_t rows, uint32_t cols, uint32_t ld,
			    const uint32_t *n, const uint32_t *s, unsigned int es)
{
	uint64_t e = (uint64_t)(n[0] - 1) * s[0] + (uint64_t)(n[1] - 1) * s[1] +
		     span(rows, cols, ld, 1);

	return e * es <= T1_MAX_OPERAND ? e : 0;
}

static bool batch_ok(uint64_t va, uint32_t rows, uint32_t cols, uint32_t ld,
		     const uint32_t *n, const uint32_t *s, unsigned int es)
{
	uint64_t e;

	if (!op_ok(va, rows, cols, ld, es))
		return false;
	e = batch_elems(rows, cols, ld, n, s, es);
	return e && va + e * es > va;
}

int t1_cmd_bgemm(const struct cmd *c)
{
	uint32_t flags = TESSERA_CMD_FLAGS(c->hdr);
	struct t1_bgemm g = {
		.dt = dw(c, 1),
		.trans_a = flags & TESSERA_GEMM_TRANS_A,
		.trans_b = flags & TESSERA_GEMM_TRANS_B,
		.m = dw(c, 2), .n = dw(c, 3), .k = dw(c, 4),
		.lda = dw(c, 7), .ldb = dw(c, 10), .ldc = dw(c, 13),
		.alpha = fw(c, 14), .beta = fw(c, 15),
		.batch = { dw(c, 16), dw(c, 17) },
		.sa = { dw(c, 18), dw(c, 19) }, .sb = { dw(c, 20), dw(c, 21) },
		.sc = { dw(c, 22), dw(c, 23) },
		.cancel = &c->as->r->abort,
	};
	uint64_t a = qw(c, 5), b = qw(c, 8), cc = qw(c, 11);
	uint32_t ar = g.trans_a ? g.k : g.m, ac = g.trans_a ? g.m : g.k;
	uint32_t br = g.trans_b ? g.n : g.k, bc = g.trans_b ? g.k : g.n;
	unsigned int es = t1_dtype_size(g.dt);
	struct t1_buf buf[3];
	int ret;

	if (c->len != TESSERA_CMD_BGEMM_LEN || !compute_engine(c) ||
	    (flags & ~(TESSERA_GEMM_TRANS_A | TESSERA_GEMM_TRANS_B)) ||
	    !train_type(g.dt))
		return invalid(c);
	if (!g.batch[0] || !g.batch[1] || g.batch[0] > T1_MAX_DIM ||
	    g.batch[1] > T1_MAX_DIM ||
	    (g.batch[0] > 1 && !g.sc[0]) || (g.batch[1] > 1 && !g.sc[1]))
		return t1_cmd_invalid(c, "bad batch counts or C strides");
	if (!batch_ok(a, ar, ac, g.lda, g.batch, g.sa, es) ||
	    !batch_ok(b, br, bc, g.ldb, g.batch, g.sb, es) ||
	    !batch_ok(cc, g.m, g.n, g.ldc, g.batch, g.sc, es))
		return t1_cmd_invalid(c, "bad operand dimensions or spans");
	if (!isfinite(g.alpha) || !isfinite(g.beta))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = t1_buf_get(c->as, &buf[0], a,
			 batch_elems(ar, ac, g.lda, g.batch, g.sa, es) * es, T1_ACC_R);
	if (!ret)
		ret = t1_buf_get(c->as, &buf[1], b,
				 batch_elems(br, bc, g.ldb, g.batch, g.sb, es) * es,
				 T1_ACC_R);
	if (!ret)
		ret = t1_buf_get(c->as, &buf[2], cc,
				 batch_elems(g.m, g.n, g.ldc, g.batch, g.sc, es) * es,
				 g.beta != 0.0f ? T1_ACC_R | T1_ACC_W : T1_ACC_W);
	if (!ret) {
		t1_buf_rows(&buf[2], g.m, (uint64_t)g.ldc * es, (uint64_t)g.n * es,
			    g.batch[0], (uint64_t)g.sc[0] * es, g.batch[1],
			    (uint64_t)g.sc[1] * es);
		g.a = buf[0].p;
		g.b = buf[1].p;
		g.c = buf[2].p;
		ret = math_ret(c, t1_bgemm_run(&g));
	}
	return put_all(c->as, buf, 3, ret);
}

/* ---- SOFTMAX (causal form) and SOFTMAX_BWD ---- */

int t1_cmd_softmax_causal(const struct cmd *c)
{
	uint32_t dt = dw(c, 1), rows = dw(c, 2), cols = dw(c, 3);
	uint32_t lds = dw(c, 6), ldd = dw(c, 9), period = dw(c, 10);
	uint64_t src = qw(c, 4), dst = qw(c, 7);
	unsigned int es = t1_dtype_size(dt);
	struct t1_buf buf[2];
	int ret;

	if (c->len != TESSERA_CMD_SOFTMAX_CAUSAL_LEN || !compute_engine(c) ||
	    TESSERA_CMD_FLAGS(c->hdr) != TESSERA_SOFTMAX_CAUSAL ||
	    !float_type(dt) || !op_ok(src, rows, cols, lds, es) ||
	    !op_ok(dst, rows, cols, ldd, es) || !period)
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = get_src(c, &buf[0], src, rows, cols, lds, es);
	if (!ret)
		ret = get_rows(c, &buf[1], dst, rows, cols, ldd, es, T1_ACC_W);
	if (!ret) {
		struct t1_rows2 p = {
			.dt = dt, .rows = rows, .cols = cols,
			.x = buf[0].p, .ldx = lds, .y = buf[1].p, .ldy = ldd,
			.cancel = &c->as->r->abort,
		};

		ret = math_ret(c, t1_softmax_causal(&p, period, dw(c, 11)));
	}
	return put_all(c->as, buf, 2, ret);
}

int t1_cmd_softmax_bwd(const struct cmd *c)
{
	uint32_t dt = dw(c, 1), rows = dw(c, 2), cols = dw(c, 3);
	uint32_t ldy = dw(c, 6), lddy = dw(c, 9), lddx = dw(c, 12);
	uint64_t y = qw(c, 4), dy = qw(c, 7), dx = qw(c, 10);
	unsigned int es = t1_dtype_size(dt);
	struct t1_buf buf[3];
	int ret;

	if (c->len != TESSERA_CMD_SOFTMAX_BWD_LEN || !compute_engine(c) ||
	    TESSERA_CMD_FLAGS(c->hdr) || !train_type(dt) ||
	    !op_ok(y, rows, cols, ldy, es) || !op_ok(dy, rows, cols, lddy, es) ||
	    !op_ok(dx, rows, cols, lddx, es))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = get_src(c, &buf[0], y, rows, cols, ldy, es);
	if (!ret)
		ret = get_src(c, &buf[1], dy, rows, cols, lddy, es);
	if (!ret)
		ret = get_rows(c, &buf[2], dx, rows, cols, lddx, es, T1_ACC_W);
	if (!ret) {
		struct t1_rows2 p = {
			.dt = dt, .rows = rows, .cols = cols,
			.x = buf[0].p, .ldx = ldy, .w = buf[1].p, .ldw = lddy,
			.y = buf[2].p, .ldy = lddx, .cancel = &c->as->r->abort,
		};

		ret = math_ret(c, t1_softmax_bwd(&p));
	}
	return put_all(c->as, buf, 3, ret);
}

/* ---- EMBEDDING ---- */

int t1_cmd_embedding(const struct cmd *c)
{
	bool scatter = TESSERA_CMD_FLAGS(c->hdr) & TESSERA_EMB_SCATTER_ADD;
	uint32_t dt = dw(c, 1), count = dw(c, 2), cols = dw(c, 3);
	uint32_t trows = dw(c, 8), ldt = dw(c, 9), ldx = dw(c, 12);
	uint64_t idx = qw(c, 4), table = qw(c, 6), x = qw(c, 10);
	unsigned int es = t1_dtype_size(dt);
	struct t1_buf buf[3];
	int32_t *iv = NULL;
	char why[96];
	int ret;

	if (c->len != TESSERA_CMD_EMBEDDING_LEN || !compute_engine(c) ||
	    (TESSERA_CMD_FLAGS(c->hdr) & ~TESSERA_EMB_SCATTER_ADD) ||
	    !(scatter ? train_type(dt) : float_type(dt)) || !vec_ok(idx, count) ||
	    !op_ok(table, trows, cols, ldt, es) || !op_ok(x, count, cols, ldx, es))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = t1_buf_get(c->as, &buf[0], idx, (uint64_t)count * 4, T1_ACC_R);
	if (!ret && !(iv = copy_i32(&buf[0], count)))
		ret = t1_cmd_invalid(c, "the card cannot do this work");
	for (uint32_t i = 0; !ret && i < count; i++) {
		if (iv[i] < 0 || (uint32_t)iv[i] >= trows) {
			snprintf(why, sizeof(why), "index %d at %u not below %u rows",
				 iv[i], i, trows);
			ret = t1_cmd_invalid(c, why);
		}
	}
	if (!ret)
		ret = t1_buf_get(c->as, &buf[1], table, span(trows, cols, ldt, es),
				 scatter ? T1_ACC_R | T1_ACC_W : T1_ACC_R);
	if (!ret && scatter)
		t1_buf_rows(&buf[1], trows, (uint64_t)ldt * es, (uint64_t)cols * es,
			    1, 0, 1, 0);
	if (!ret)
		ret = scatter ? get_src(c, &buf[2], x, count, cols, ldx, es) :
				get_rows(c, &buf[2], x, count, cols, ldx, es, T1_ACC_W);
	if (!ret) {
		struct t1_embed p = {
			.dt = dt, .count = count, .cols = cols, .ldt = ldt,
			.ldx = ldx, .scatter_add = scatter, .idx = iv,
			.table = buf[1].p, .x = buf[2].p,
			.cancel = &c->as->r->abort,
		};

		ret = math_ret(c, t1_embedding(&p));
	}
	free(iv);
	return put_all(c->as, buf, 3, ret);
}

/* ---- RMSNORM and RMSNORM_BWD ---- */

static bool eps_ok(float eps)
{
	return eps >= 0.0f && isfinite(eps);
}

int t1_cmd_rmsnorm(const struct cmd *c)
{
	uint32_t flags = TESSERA_CMD_FLAGS(c->hdr);
	uint32_t dt = dw(c, 1), rows = dw(c, 2), cols = dw(c, 3);
	uint32_t ldx = dw(c, 6), ldy = dw(c, 9);
	uint64_t x = qw(c, 4), y = qw(c, 7), gamma = qw(c, 10), rstd = qw(c, 12);
	unsigned int es = t1_dtype_size(dt);
	struct t1_buf buf[4];
	int ret;

	if (c->len != TESSERA_CMD_RMSNORM_LEN || !compute_engine(c) ||
	    (flags & ~(TESSERA_RMS_GAMMA | TESSERA_RMS_RSTD)) || !train_type(dt) ||
	    !op_ok(x, rows, cols, ldx, es) || !op_ok(y, rows, cols, ldy, es) ||
	    !opt_vec_ok(flags & TESSERA_RMS_GAMMA, gamma, cols) ||
	    !opt_vec_ok(flags & TESSERA_RMS_RSTD, rstd, rows) || !eps_ok(fw(c, 14)))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = get_src(c, &buf[0], x, rows, cols, ldx, es);
	if (!ret)
		ret = get_rows(c, &buf[1], y, rows, cols, ldy, es, T1_ACC_W);
	if (!ret && gamma)
		ret = t1_buf_get(c->as, &buf[2], gamma, (uint64_t)cols * 4, T1_ACC_R);
	if (!ret && rstd)
		ret = t1_buf_get(c->as, &buf[3], rstd, (uint64_t)rows * 4, T1_ACC_W);
	if (!ret) {
		struct t1_rows2 p = {
			.dt = dt, .rows = rows, .cols = cols,
			.x = buf[0].p, .ldx = ldx, .y = buf[1].p, .ldy = ldy,
			.gamma = (const float *)buf[2].p,
			.rstd_out = (float *)buf[3].p, .eps = fw(c, 14),
			.cancel = &c->as->r->abort,
		};

		ret = math_ret(c, t1_rmsnorm(&p));
	}
	return put_all(c->as, buf, 4, ret);
}

int t1_cmd_rmsnorm_bwd(const struct cmd *c)
{
	uint32_t flags = TESSERA_CMD_FLAGS(c->hdr);
	uint32_t dt = dw(c, 1), rows = dw(c, 2), cols = dw(c, 3);
	uint32_t ldx = dw(c, 6), lddy = dw(c, 9), lddx = dw(c, 12);
	uint64_t x = qw(c, 4), dy = qw(c, 7), dx = qw(c, 10);
	uint64_t gamma = qw(c, 13), dgamma = qw(c, 15), rstd = qw(c, 17);
	bool accum = flags & TESSERA_RMS_ACCUM;
	unsigned int es = t1_dtype_size(dt);
	struct t1_buf buf[6];
	int ret;

	if (c->len != TESSERA_CMD_RMSNORM_BWD_LEN || !compute_engine(c) ||
	    (flags & ~(TESSERA_RMS_GAMMA | TESSERA_RMS_RSTD | TESSERA_RMS_ACCUM |
		       TESSERA_RMS_DGAMMA)) || !train_type(dt) ||
	    !op_ok(x, rows, cols, ldx, es) || !op_ok(dy, rows, cols, lddy, es) ||
	    !op_ok(dx, rows, cols, lddx, es) ||
	    !opt_vec_ok(flags & TESSERA_RMS_GAMMA, gamma, cols) ||
	    !opt_vec_ok(flags & TESSERA_RMS_DGAMMA, dgamma, cols) ||
	    !opt_vec_ok(flags & TESSERA_RMS_RSTD, rstd, rows) || !eps_ok(fw(c, 19)))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = get_src(c, &buf[0], x, rows, cols, ldx, es);
	if (!ret)
		ret = get_src(c, &buf[1], dy, rows, cols, lddy, es);
	if (!ret)
		ret = get_rows(c, &buf[2], dx, rows, cols, lddx, es,
			       accum ? T1_ACC_R | T1_ACC_W : T1_ACC_W);
	if (!ret && gamma)
		ret = t1_buf_get(c->as, &buf[3], gamma, (uint64_t)cols * 4, T1_ACC_R);
	if (!ret && dgamma)
		ret = t1_buf_get(c->as, &buf[4], dgamma, (uint64_t)cols * 4,
				 T1_ACC_R | T1_ACC_W);
	if (!ret && rstd)
		ret = t1_buf_get(c->as, &buf[5], rstd, (uint64_t)rows * 4, T1_ACC_R);
	if (!ret) {
		struct t1_rows2 p = {
			.dt = dt, .rows = rows, .cols = cols,
			.x = buf[0].p, .ldx = ldx, .w = buf[1].p, .ldw = lddy,
			.y = buf[2].p, .ldy = lddx, .gamma = (const float *)buf[3].p,
			.dgamma = (float *)buf[4].p, .rstd_in = (const float *)buf[5].p,
			.eps = fw(c, 19), .accum = accum,
			.cancel = &c->as->r->abort,
		};

		ret = math_ret(c, t1_rmsnorm_bwd(&p));
	}
	return put_all(c->as, buf, 6, ret);
}

/* ---- ROPE ---- */

int t1_cmd_rope(const struct cmd *c)
{
	struct t1_rope p = {
		.dt = dw(c, 1), .rows = dw(c, 2), .heads = dw(c, 3),
		.head_dim = dw(c, 4), .ldx = dw(c, 7), .ldy = dw(c, 10),
		.pos0 = dw(c, 11), .period = dw(c, 12), .theta = fw(c, 13),
		.n_rot = dw(c, 14),
		.bwd = TESSERA_CMD_FLAGS(c->hdr) & TESSERA_ROPE_BWD,
		.cancel = &c->as->r->abort,
	};
	uint64_t x = qw(c, 5), y = qw(c, 8);
	uint64_t cols = (uint64_t)p.heads * p.head_dim;
	unsigned int es = t1_dtype_size(p.dt);
	struct t1_buf buf[2];
	int ret;

	if (c->len != TESSERA_CMD_ROPE_LEN || !compute_engine(c) ||
	    (TESSERA_CMD_FLAGS(c->hdr) & ~TESSERA_ROPE_BWD) || !train_type(p.dt) ||
	    !p.heads || !p.head_dim || cols > T1_MAX_DIM || p.head_dim % 2 ||
	    p.n_rot < 2 || p.n_rot % 2 || p.n_rot > p.head_dim || !p.period ||
	    !(p.theta > 0.0f) || !isfinite(p.theta) ||
	    !op_ok(x, p.rows, (uint32_t)cols, p.ldx, es) ||
	    !op_ok(y, p.rows, (uint32_t)cols, p.ldy, es))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = get_src(c, &buf[0], x, p.rows, (uint32_t)cols, p.ldx, es);
	if (!ret)
		ret = get_rows(c, &buf[1], y, p.rows, (uint32_t)cols, p.ldy, es,
			       T1_ACC_W);
	if (!ret) {
		p.x = buf[0].p;
		p.y = buf[1].p;
		ret = math_ret(c, t1_rope_run(&p));
	}
	return put_all(c->as, buf, 2, ret);
}

/* ---- CROSS_ENTROPY ---- */

int t1_cmd_cross_entropy(const struct cmd *c)
{
	uint32_t flags = TESSERA_CMD_FLAGS(c->hdr);
	bool want_loss = flags & TESSERA_CE_LOSS, want_dx = flags & TESSERA_CE_DLOGITS;
	struct t1_xent p = {
		.dt = dw(c, 1), .rows = dw(c, 2), .classes = dw(c, 3),
		.ldl = dw(c, 6), .ldd = dw(c, 13), .scale = fw(c, 14),
		.ignore = (int32_t)dw(c, 15), .cancel = &c->as->r->abort,
	};
	uint64_t logits = qw(c, 4), tgt = qw(c, 7), loss = qw(c, 9), dx = qw(c, 11);
	unsigned int es = t1_dtype_size(p.dt);
	struct t1_buf buf[4];
	int32_t *tv = NULL;
	char why[96];
	int ret;

	if (c->len != TESSERA_CMD_CE_LEN || !compute_engine(c) || !flags ||
	    (flags & ~(TESSERA_CE_LOSS | TESSERA_CE_DLOGITS)) || !train_type(p.dt) ||
	    !op_ok(logits, p.rows, p.classes, p.ldl, es) || !vec_ok(tgt, p.rows) ||
	    !opt_vec_ok(want_loss, loss, p.rows) ||
	    (want_dx ? !op_ok(dx, p.rows, p.classes, p.ldd, es) || !isfinite(p.scale) :
		       dx || p.ldd || dw(c, 14)))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = t1_buf_get(c->as, &buf[0], tgt, (uint64_t)p.rows * 4, T1_ACC_R);
	if (!ret && !(tv = copy_i32(&buf[0], p.rows)))
		ret = t1_cmd_invalid(c, "the card cannot do this work");
	for (uint32_t i = 0; !ret && i < p.rows; i++) {
		if (tv[i] != p.ignore && (tv[i] < 0 || (uint32_t)tv[i] >= p.classes)) {
			snprintf(why, sizeof(why), "target %d of row %u not below %u classes",
				 tv[i], i, p.classes);
			ret = t1_cmd_invalid(c, why);
		}
	}
	if (!ret)
		ret = get_src(c, &buf[1], logits, p.rows, p.classes, p.ldl, es);
	if (!ret && want_loss)
		ret = t1_buf_get(c->as, &buf[2], loss, (uint64_t)p.rows * 4, T1_ACC_W);
	if (!ret && want_dx)
		ret = get_rows(c, &buf[3], dx, p.rows, p.classes, p.ldd, es, T1_ACC_W);
	if (!ret) {
		p.logits = buf[1].p;
		p.tgt = tv;
		p.loss = (float *)buf[2].p;
		p.dx = buf[3].p;
		ret = math_ret(c, t1_cross_entropy(&p));
	}
	free(tv);
	return put_all(c->as, buf, 4, ret);
}

/* ---- REDUCE ---- */

int t1_cmd_reduce(const struct cmd *c)
{
	uint32_t flags = TESSERA_CMD_FLAGS(c->hdr);
	struct t1_reduce p = {
		.dt = dw(c, 1), .rows = dw(c, 2), .cols = dw(c, 3), .ldx = dw(c, 6),
		.axis = flags & TESSERA_RED_AXIS_MASK,
		.accum = flags & TESSERA_RED_ACCUM,
		.square = flags & TESSERA_RED_SQUARE,
		.scale = fw(c, 9), .cancel = &c->as->r->abort,
	};
	uint64_t x = qw(c, 4), dst = qw(c, 7);
	unsigned int es = t1_dtype_size(p.dt);
	uint32_t n = p.axis == TESSERA_RED_ROWS ? p.rows :
		     p.axis == TESSERA_RED_COLS ? p.cols : 1;
	struct t1_buf buf[2];
	int ret;

	if (c->len != TESSERA_CMD_REDUCE_LEN || !compute_engine(c) ||
	    (flags & ~(TESSERA_RED_AXIS_MASK | TESSERA_RED_ACCUM | TESSERA_RED_SQUARE)) ||
	    p.axis > TESSERA_RED_ALL || !train_type(p.dt) ||
	    !op_ok(x, p.rows, p.cols, p.ldx, es) || !vec_ok(dst, n) ||
	    !isfinite(p.scale))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = get_src(c, &buf[0], x, p.rows, p.cols, p.ldx, es);
	if (!ret)
		ret = t1_buf_get(c->as, &buf[1], dst, (uint64_t)n * 4,
				 p.accum ? T1_ACC_R | T1_ACC_W : T1_ACC_W);
	if (!ret) {
		p.x = buf[0].p;
		p.dst = (float *)buf[1].p;
		ret = math_ret(c, t1_reduce_run(&p));
	}
	return put_all(c->as, buf, 2, ret);
}

/* ---- ADAMW ---- */

int t1_cmd_adamw(const struct cmd *c)
{
	uint32_t flags = TESSERA_CMD_FLAGS(c->hdr);
	bool clip = flags & TESSERA_ADAMW_CLIP;
	struct t1_adamw p = {
		.count = dw(c, 1), .lr = fw(c, 10), .beta1 = fw(c, 11),
		.beta2 = fw(c, 12), .eps = fw(c, 13), .wd = fw(c, 14),
		.step = dw(c, 15), .grad_scale = fw(c, 16),
		.zero_grad = flags & TESSERA_ADAMW_ZERO_GRAD,
		.cancel = &c->as->r->abort,
	};
	uint64_t va[4] = { qw(c, 2), qw(c, 4), qw(c, 6), qw(c, 8) };
	uint64_t sumsq = qw(c, 17), len = (uint64_t)p.count * 4;
	float max_norm = fw(c, 19), ss;
	struct t1_buf buf[4];
	bool bad = false;
	int ret;

	for (unsigned int i = 0; i < 4; i++)
		bad |= !va[i] || va[i] % 4 || va[i] + len <= va[i];
	if (c->len != TESSERA_CMD_ADAMW_LEN || !compute_engine(c) ||
	    (flags & ~(TESSERA_ADAMW_CLIP | TESSERA_ADAMW_ZERO_GRAD)) || !p.count ||
	    len > T1_MAX_OPERAND || bad || !p.step)
		return invalid(c);
	if (!(p.lr >= 0.0f) || !isfinite(p.lr) || !(p.beta1 >= 0.0f && p.beta1 < 1.0f) ||
	    !(p.beta2 >= 0.0f && p.beta2 < 1.0f) || !(p.eps > 0.0f) || !isfinite(p.eps) ||
	    !(p.wd >= 0.0f) || !isfinite(p.wd) || !isfinite(p.grad_scale) ||
	    (clip ? !vec_ok(sumsq, 1) || !(max_norm > 0.0f) || !isfinite(max_norm) :
		    sumsq || dw(c, 19)))
		return t1_cmd_invalid(c, "bad hyperparameters");

	if (clip) {
		ret = t1_as_read(c->as, sumsq, &ss, 4, T1_ACC_R);
		if (ret)
			return ret;
		p.grad_scale *= t1_adamw_clip(ss, p.grad_scale, max_norm);
	}
	memset(buf, 0, sizeof(buf));
	ret = 0;
	for (unsigned int i = 0; !ret && i < 4; i++)
		ret = t1_buf_get(c->as, &buf[i], va[i], len,
				 i == 1 && !p.zero_grad ? T1_ACC_R : T1_ACC_R | T1_ACC_W);
	if (!ret) {
		p.param = (float *)buf[0].p;
		p.grad = (float *)buf[1].p;
		p.m = (float *)buf[2].p;
		p.v = (float *)buf[3].p;
		ret = math_ret(c, t1_adamw_run(&p));
	}
	return put_all(c->as, buf, 4, ret);
}

/* ---- ELEMENTWISE: long form, and the 1.5 ops ---- */

/* Which of B, C and E op uses. */
static bool ew_uses_b(uint32_t op)
{
	return op == TESSERA_EW_ADD || op == TESSERA_EW_MUL || op >= TESSERA_EW_SWIGLU;
}

static bool ew_types(uint32_t op, uint32_t s, uint32_t d)
{
	if (op == TESSERA_EW_CAST)
		return t1_dtype_size(s) && t1_dtype_size(d);
	return s == d && float_type(s);
}

int t1_cmd_elementwise2(const struct cmd *c)
{
	uint32_t op = TESSERA_CMD_FLAGS(c->hdr);
	bool lng = c->len == TESSERA_CMD_EW2_LEN, swb = op == TESSERA_EW_SWIGLU_BWD;
	struct t1_ew2 p = {
		.op = op, .sdt = dw(c, 1) & 0xff, .ddt = (dw(c, 1) >> 8) & 0xff,
		.cancel = &c->as->r->abort,
	};
	uint64_t a, b, cc = 0, d, e = 0;
	unsigned int ses, des;
	struct t1_buf buf[5];
	uint32_t sc;
	int ret;

	if (lng) {
		p.rows = dw(c, 2);
		p.cols = dw(c, 3);
		a = qw(c, 4);
		p.lda = dw(c, 6);
		b = qw(c, 7);
		p.ldb = dw(c, 9);
		cc = qw(c, 10);
		p.ldc = dw(c, 12);
		d = qw(c, 13);
		p.ldd = dw(c, 15);
		e = qw(c, 16);
		p.lde = dw(c, 18);
		sc = dw(c, 19);
	} else {
		/* the short form: one row of count elements */
		p.rows = 1;
		p.cols = p.lda = p.ldb = p.ldd = dw(c, 2);
		a = qw(c, 3);
		b = qw(c, 5);
		d = qw(c, 7);
		sc = dw(c, 9);
	}
	memcpy(&p.scalar, &sc, 4);
	ses = t1_dtype_size(p.sdt);
	des = t1_dtype_size(p.ddt);
	if ((c->len != TESSERA_CMD_EW_LEN && !lng) || !compute_engine(c) ||
	    op > TESSERA_EW_SWIGLU_BWD || (swb && !lng) || (dw(c, 1) >> 16) ||
	    !ew_types(op, p.sdt, p.ddt) ||
	    !op_ok(a, p.rows, p.cols, p.lda, ses) ||
	    !op_ok(d, p.rows, p.cols, p.ldd, des) ||
	    (ew_uses_b(op) ? !op_ok(b, p.rows, p.cols, p.ldb, ses) : b || (lng && p.ldb)) ||
	    (swb ? !op_ok(cc, p.rows, p.cols, p.ldc, ses) ||
		   !op_ok(e, p.rows, p.cols, p.lde, des) :
		   cc || p.ldc || e || p.lde) ||
	    (op != TESSERA_EW_SCALE && sc))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = get_src(c, &buf[0], a, p.rows, p.cols, p.lda, ses);
	if (!ret && b)
		ret = get_src(c, &buf[1], b, p.rows, p.cols, p.ldb, ses);
	if (!ret && cc)
		ret = get_src(c, &buf[2], cc, p.rows, p.cols, p.ldc, ses);
	if (!ret)
		ret = get_rows(c, &buf[3], d, p.rows, p.cols, p.ldd, des, T1_ACC_W);
	if (!ret && e)
		ret = get_rows(c, &buf[4], e, p.rows, p.cols, p.lde, des, T1_ACC_W);
	if (!ret) {
		p.a = buf[0].p;
		p.b = buf[1].p;
		p.c = buf[2].p;
		p.d = buf[3].p;
		p.e = buf[4].p;
		ret = math_ret(c, t1_elementwise2(&p));
	}
	return put_all(c->as, buf, 5, ret);
}
