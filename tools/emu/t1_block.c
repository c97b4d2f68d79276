// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * GEMM, SOFTMAX and LAYERNORM on a context's memory, in bounded host
 * memory.
 *
 * The math (t1_math.c) works on plain host matrices.  An operand in
 * device memory, or in host pages that happen to be contiguous, is used
 * in place; host buffers are scattered pages, so their operands are
 * usually copied ("bounced").  When a command's bounced operands fit the
 * engine's bounce limit (T1_BOUNCE_BYTES, 64 MiB) together, each is
 * copied whole, as they always were.  Otherwise the command runs in
 * blocks, and only one block of each operand is copied at a time:
 *
 * - GEMM in blocks of C: a panel of nb columns of op(B) (K x nb, in at
 *   most half the limit), for each panel mb rows of op(A) (mb x K, at
 *   most a quarter) and the mb x nb block of C (a quarter), the bias
 *   (at most 256 KiB) whole.  Each block is one GEMM over the whole of
 *   K, so every element of C is computed as it is without blocks.
 * - SOFTMAX and LAYERNORM in blocks of whole rows (source and
 *   destination within the limit, copied with their strides), gamma and
 *   beta whole.
 *
 * Only the operands' elements are read and written back, never the
 * padding between rows.
 *
 * Every operand's pages are checked before any work, so a fault still
 * stops a command before it writes anything.  Between blocks (and every
 * 4 MiB of a copy) the engine checks for an abort.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>

#include "t1_math.h"
#include "t1_priv.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * Items of @unit bytes per block of @n within @budget: equal blocks, at
 * least one item (then over a tiny test limit t1_mat_get() refuses it).
 */
static uint32_t block(uint32_t n, uint64_t unit, uint64_t budget)
{
	uint64_t cap = budget / unit;

	if (cap >= n)
		return n;
	if (!cap)
		cap = 1;
	return (uint32_t)div_up(n, div_up(n, cap));
}

/* Give @b back (written back if @ret is 0); the first error wins. */
static int put(struct t1_as *as, struct t1_buf *b, int ret)
{
	int r = t1_buf_put(as, b, !ret);

	return ret ? ret : r;
}

static uint64_t limit_of(struct t1_as *as)
{
	return atomic_load_explicit(&as->t1->bounce_limit,
				    memory_order_relaxed);
}

int t1_gemm_cmd(struct t1_as *as, const struct t1_gemm *g0, uint64_t a,
		uint64_t b, uint64_t c, uint64_t bias)
{
	struct t1_gemm g = *g0;
	uint64_t es = t1_dtype_size(g.dtype);
	uint64_t ces = g.dtype == TESSERA_DTYPE_INT8 ? 4 : es;
	/* A and B as stored: rows x cols */
	uint32_t ar = g.trans_a ? g.k : g.m, ac = g.trans_a ? g.m : g.k;
	uint32_t br = g.trans_b ? g.n : g.k, bc = g.trans_b ? g.k : g.n;
	unsigned int cacc = g.beta != 0.0f ? T1_ACC_R | T1_ACC_W : T1_ACC_W;
	bool ca, cb, cc, cbias = true;
	uint64_t lda = g.lda * es, ldb = g.ldb * es, ldc = g.ldc * ces;
	uint64_t limit = limit_of(as), whole, biasb = g.n * ces, left;
	uint32_t mb = g.m, nb = g.n;
	struct t1_buf bb = { 0 }, bi = { 0 };
	int ret;

	ret = t1_mat_check(as, a, ar, ac * es, lda, T1_ACC_R, &ca);
	if (!ret)
		ret = t1_mat_check(as, b, br, bc * es, ldb, T1_ACC_R, &cb);
	if (!ret)
		ret = t1_mat_check(as, c, g.m, g.n * ces, ldc, cacc, &cc);
	if (!ret && g.bias)
		ret = t1_mat_check(as, bias, 1, biasb, biasb, T1_ACC_R, &cbias);
	if (ret)
		return ret;
	whole = (ca ? 0 : (uint64_t)ar * ac * es) +
		(cb ? 0 : (uint64_t)br * bc * es) +
		(cc ? 0 : (uint64_t)g.m * g.n * ces) + (cbias ? 0 : biasb);
	if (whole > limit) {
		left = limit - (cbias || biasb > limit ? 0 : biasb);
		if (!cb)
			nb = block(g.n, g.k * es, left / 2);
		if (!ca)
			mb = block(g.m, g.k * es, left / 4);
		if (!cc)
			mb = min_u32(mb, block(g.m, nb * ces, left / 4));
	}
	g.cancel = &as->r->abort;
	if (g.bias)
		ret = t1_mat_get(as, &bi, bias, 1, biasb, biasb, T1_ACC_R,
				 false);
	for (uint32_t j0 = 0; !ret && j0 < g.n; j0 += nb) {
		uint32_t nn = min_u32(nb, g.n - j0);

		/* op(B)'s columns j0..: columns of B, or rows of the stored B^T */
		if (g.trans_b)
			ret = t1_mat_get(as, &bb, b + j0 * ldb, nn, g.k * es, ldb,
					 T1_ACC_R, false);
		else
			ret = t1_mat_get(as, &bb, b + j0 * es, g.k, nn * es, ldb,
					 T1_ACC_R, false);
		for (uint32_t i0 = 0; !ret && i0 < g.m; i0 += mb) {
			uint32_t mm = min_u32(mb, g.m - i0);
			uint64_t cva = c + i0 * ldc + j0 * ces;
			struct t1_buf ab = { 0 }, cbuf = { 0 };
			struct t1_gemm s = g;

			if (t1_aborted(as->r))
				ret = -ECANCELED;
			else if (g.trans_a)
				ret = t1_mat_get(as, &ab, a + i0 * es, g.k, mm * es,
						 lda, T1_ACC_R, false);
			else
				ret = t1_mat_get(as, &ab, a + i0 * lda, mm, g.k * es,
						 lda, T1_ACC_R, false);
			if (!ret)
				ret = t1_mat_get(as, &cbuf, cva, mm, nn * ces, ldc,
						 cacc, false);
			if (!ret) {
				s.m = mm;
				s.n = nn;
				s.a = ab.p;
				s.lda = (uint32_t)(ab.pitch / es);
				s.b = bb.p;
				s.ldb = (uint32_t)(bb.pitch / es);
				s.c = cbuf.p;
				s.ldc = (uint32_t)(cbuf.pitch / ces);
				s.biasp = g.bias ? bi.p + j0 * ces : NULL;
				ret = t1_gemm_run(&s);
			}
			ret = put(as, &cbuf, ret);
			ret = put(as, &ab, ret);
		}
		ret = put(as, &bb, ret);
	}
	return put(as, &bi, ret);
}

int t1_rows_cmd(struct t1_as *as, const struct t1_rows *p0, uint64_t src,
		uint64_t dst, uint64_t gamma, uint64_t beta)
{
	struct t1_rows p = *p0;
	uint64_t es = t1_dtype_size(p.dt), row = p.cols * es;
	uint64_t lds = p.lds * es, ldd = p.ldd * es;
	uint64_t limit = limit_of(as), whole, vec, left;
	bool cs, cd, cg = true, cbt = true;
	struct t1_buf gb = { 0 }, bt = { 0 };
	uint32_t rb = p.rows;
	int ret;

	ret = t1_mat_check(as, src, p.rows, row, lds, T1_ACC_R, &cs);
	if (!ret)
		ret = t1_mat_check(as, dst, p.rows, row, ldd, T1_ACC_W, &cd);
	if (!ret && gamma)
		ret = t1_mat_check(as, gamma, 1, row, row, T1_ACC_R, &cg);
	if (!ret && beta)
		ret = t1_mat_check(as, beta, 1, row, row, T1_ACC_R, &cbt);
	if (ret)
		return ret;
	/*
	 * Copies keep the rows' strides: oneDNN's softmax and layer
	 * normalization pick kernels (and so rounding) by them.
	 */
	vec = (cg ? 0 : row) + (cbt ? 0 : row);
	whole = (cs ? 0 : (p.rows - 1) * lds + row) +
		(cd ? 0 : (p.rows - 1) * ldd + row) + vec;
	if (whole > limit && (!cs || !cd)) {
		left = limit - (vec > limit ? 0 : vec);
		rb = block(p.rows, (cs ? 0 : lds) + (cd ? 0 : ldd), left);
	}
	p.cancel = &as->r->abort;
	if (gamma)
		ret = t1_mat_get(as, &gb, gamma, 1, row, row, T1_ACC_R, false);
	if (!ret && beta)
		ret = t1_mat_get(as, &bt, beta, 1, row, row, T1_ACC_R, false);
	for (uint32_t r0 = 0; !ret && r0 < p.rows; r0 += rb) {
		struct t1_buf sb = { 0 }, db = { 0 };
		struct t1_rows q = p;

		q.rows = min_u32(rb, p.rows - r0);
		if (t1_aborted(as->r))
			ret = -ECANCELED;
		else
			ret = t1_mat_get(as, &sb, src + r0 * lds, q.rows, row, lds,
					 T1_ACC_R, true);
		if (!ret)
			ret = t1_mat_get(as, &db, dst + r0 * ldd, q.rows, row, ldd,
					 T1_ACC_W, true);
		if (!ret) {
			q.src = sb.p;
			q.dst = db.p;
			q.gamma = gb.p;
			q.beta = bt.p;
			ret = t1_rowwise(&q);
		}
		ret = put(as, &db, ret);
		ret = put(as, &sb, ret);
	}
	ret = put(as, &bt, ret);
	return put(as, &gb, ret);
}
