// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The math of the hardware 1.5 training commands (t1_train.h).
 *
 * Where oneDNN 2.6 has the primitive (batched matmul, softmax and
 * log-softmax, softmax backward, eltwise forward and backward) the work
 * runs on it, one cached primitive per shape (t1_prim_run()); the rest is
 * plain C over rows, written so that the compiler vectorises the inner
 * loops (no calls per element; sums over blocks of SUM_BLOCK elements in
 * NACC interleaved fp32 partial sums combined pairwise, the block sums in
 * order: the order the programming guide gives, so results are
 * deterministic and the error grows slowly with the length).  Rows of FP16/BF16 are widened into fp32 work buffers
 * (t1_scratch()) and rounded once on the way out; FP32 rows are used in
 * place.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#if defined(__GNUC__) && !defined(__clang__)
/* -O2's "very cheap" vectoriser leaves loops of unknown count scalar */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-math-errno", \
		     "fp-contract=off")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "t1_dnnl.h"
#include "t1_math.h"
#include "t1_train.h"
#include "accel/tessera_cmd.h"

#define NACC		16	/* interleaved partial sums */

/* Work buffers (t1_scratch() slots). */
enum { S_X, S_W, S_Y, S_Z, S_V, S_T };

static bool cancelled(const atomic_bool *c)
{
	return c && atomic_load_explicit(c, memory_order_relaxed);
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Rows per unit of work: T1_CHUNK_ELEMS elements, at least one row. */
static uint32_t chunk_rows(uint32_t cols)
{
	return cols >= T1_CHUNK_ELEMS ? 1 : T1_CHUNK_ELEMS / cols;
}

static size_t esz(uint32_t dt)
{
	return t1_dtype_size(dt);
}

static const void *row_c(const void *base, uint32_t dt, uint32_t ld, size_t r)
{
	return (const uint8_t *)base + r * ld * esz(dt);
}

static void *row_w(void *base, uint32_t dt, uint32_t ld, size_t r)
{
	return (uint8_t *)base + r * ld * esz(dt);
}

/* Row @src as fp32: itself when it is FP32, else widened into @tmp. */
static const float *row_in(float *tmp, const void *src, uint32_t dt,
			   uint32_t cols)
{
	if (dt == TESSERA_DTYPE_FP32)
		return src;
	t1_row_to_f32(tmp, src, dt, cols);
	return tmp;
}

/* Where to compute an output row: the row itself when FP32, else @tmp. */
static float *row_out(float *tmp, void *dst, uint32_t dt)
{
	return dt == TESSERA_DTYPE_FP32 ? dst : tmp;
}

/* Store the row computed by row_out() (rounding once). */
static void row_done(void *dst, uint32_t dt, const float *v, uint32_t cols)
{
	if (dt != TESSERA_DTYPE_FP32)
		t1_row_from_f32(dst, dt, v, cols);
}

static float acc_fold(float *acc)
{
	for (unsigned int w = NACC / 2; w; w /= 2)
		for (unsigned int j = 0; j < w; j++)
			acc[j] += acc[j + w];
	return acc[0];
}

/* Sum of a block of n <= SUM_BLOCK: element i in partial sum i % NACC. */
static float block_sum(const float *x, uint32_t n, bool square)
{
	float acc[NACC] = { 0 };
	uint32_t i = 0;

	if (square) {
		for (; i + NACC <= n; i += NACC)
			for (unsigned int j = 0; j < NACC; j++)
				acc[j] += x[i + j] * x[i + j];
		for (; i < n; i++)
			acc[i % NACC] += x[i] * x[i];
	} else {
		for (; i + NACC <= n; i += NACC)
			for (unsigned int j = 0; j < NACC; j++)
				acc[j] += x[i + j];
		for (; i < n; i++)
			acc[i % NACC] += x[i];
	}
	return acc_fold(acc);
}

/*
 * Sum of x[i] (or of x[i]^2): blocks of SUM_BLOCK elements summed as
 * above, the block sums added in order.  Rounding error grows with
 * SUM_BLOCK / NACC + n / SUM_BLOCK terms rather than with n.
 */
#define SUM_BLOCK	1024u
static float sum_f32(const float *x, uint32_t n, bool square)
{
	float s = 0.0f;

	for (uint32_t i = 0; i < n; i += SUM_BLOCK)
		s += block_sum(x + i, min32(SUM_BLOCK, n - i), square);
	return s;
}

/* Sum of x[i] * y[i] (* z[i] unless z is NULL) over a block, as block_sum(). */
static float block_dot(const float *x, const float *y, const float *z, uint32_t n)
{
	float acc[NACC] = { 0 };
	uint32_t i = 0;

	if (z) {
		for (; i + NACC <= n; i += NACC)
			for (unsigned int j = 0; j < NACC; j++)
				acc[j] += x[i + j] * y[i + j] * z[i + j];
		for (; i < n; i++)
			acc[i % NACC] += x[i] * y[i] * z[i];
	} else {
		for (; i + NACC <= n; i += NACC)
			for (unsigned int j = 0; j < NACC; j++)
				acc[j] += x[i + j] * y[i + j];
		for (; i < n; i++)
			acc[i % NACC] += x[i] * y[i];
	}
	return acc_fold(acc);
}

/* The same products summed in sum_f32()'s order. */
static float dot3_f32(const float *x, const float *y, const float *z, uint32_t n)
{
	float s = 0.0f;

	for (uint32_t i = 0; i < n; i += SUM_BLOCK)
		s += block_dot(x + i, y + i, z ? z + i : NULL, min32(SUM_BLOCK, n - i));
	return s;
}

static uint32_t mm_t(uint32_t dt)
{
	return dt == TESSERA_DTYPE_BF16 ? T1_MM_BF16 : T1_MM_F32;
}

/* A 2-D md: rows x cols with leading dimension ld. */
static void md2(struct t1_md *m, uint32_t type, uint32_t rows, uint32_t cols,
		uint32_t ld)
{
	m->type = type;
	m->ndims = 2;
	m->dims[0] = rows;
	m->dims[1] = cols;
	m->strides[0] = ld;
	m->strides[1] = 1;
}

static void md1(struct t1_md *m, uint32_t type, uint64_t n)
{
	m->type = type;
	m->ndims = 1;
	m->dims[0] = (int64_t)n;
	m->strides[0] = 1;
}

/* ---- BGEMM ---- */

/* Element offset of matrix (i0, i1) of an operand with strides @s. */
static size_t boff(const uint32_t *s, uint64_t i0, uint64_t i1)
{
	return i0 * s[0] + i1 * s[1];
}

/* One matrix at a time, on the GEMM's tiles (large matrices). */
static int bgemm_each(const struct t1_bgemm *g)
{
	size_t es = esz(g->dt);

	for (uint64_t i0 = 0; i0 < g->batch[0]; i0++) {
		for (uint64_t i1 = 0; i1 < g->batch[1]; i1++) {
			struct t1_gemm m = {
				.dtype = g->dt, .act = TESSERA_ACT_NONE,
				.trans_a = g->trans_a, .trans_b = g->trans_b,
				.m = g->m, .n = g->n, .k = g->k,
				.lda = g->lda, .ldb = g->ldb, .ldc = g->ldc,
				.alpha = g->alpha, .beta = g->beta,
				.a = (const uint8_t *)g->a + boff(g->sa, i0, i1) * es,
				.b = (const uint8_t *)g->b + boff(g->sb, i0, i1) * es,
				.c = (uint8_t *)g->c + boff(g->sc, i0, i1) * es,
				.cancel = g->cancel,
			};
			int ret;

			if (cancelled(g->cancel))
				return -ECANCELED;
			ret = t1_gemm_run(&m);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * A 4-D md of a block of n0 x n1 matrices rows x cols (stored transposed
 * with @trans); a batch level with stride 0 is one matrix that oneDNN
 * broadcasts.
 */
static void md4(struct t1_md *m, uint32_t type, uint32_t n0, uint32_t n1,
		const uint32_t *s, uint32_t rows, uint32_t cols, uint32_t ld,
		bool trans)
{
	int64_t mat = (int64_t)(trans ? cols : rows) * ld;

	m->type = type;
	m->ndims = 4;
	m->dims[0] = s[0] ? n0 : 1;
	m->dims[1] = s[1] ? n1 : 1;
	m->dims[2] = rows;
	m->dims[3] = cols;
	/* a broadcast level's stride is never used: any valid value */
	m->strides[0] = s[0] ? s[0] : mat;
	m->strides[1] = s[1] ? s[1] : mat;
	m->strides[2] = trans ? 1 : ld;
	m->strides[3] = trans ? ld : 1;
}

int t1_bgemm_run(const struct t1_bgemm *g)
{
	uint64_t macs = (uint64_t)g->m * g->n * g->k, area = (uint64_t)g->m * g->n;
	uint64_t tile = t1_gemm_tile_macs(g->dt), nb;
	size_t es = esz(g->dt);
	uint32_t c0, c1;
	int ret = 0;

	if (macs > tile || area > T1_TILE_AREA)
		return bgemm_each(g);
	/*
	 * Blocks of c0 x c1 matrices, each one library call of at most a
	 * GEMM tile's work.  A level that A and B both broadcast goes one
	 * matrix at a time (oneDNN broadcasts into C only what A or B has).
	 */
	nb = tile / macs;
	if (nb > T1_TILE_AREA / area)
		nb = T1_TILE_AREA / area;
	c1 = (!g->sa[1] && !g->sb[1]) ? 1 : (uint32_t)(nb < g->batch[1] ? nb : g->batch[1]);
	c0 = (!g->sa[0] && !g->sb[0]) ? 1 :
	     (uint32_t)(nb / c1 < g->batch[0] ? nb / c1 : g->batch[0]);
	if (!c0)
		c0 = 1;
	t1_mm_busy(1);
	for (uint32_t i0 = 0; !ret && i0 < g->batch[0]; i0 += c0) {
		for (uint32_t i1 = 0; !ret && i1 < g->batch[1]; i1 += c1) {
			uint32_t n0 = min32(c0, g->batch[0] - i0);
			uint32_t n1 = min32(c1, g->batch[1] - i1);
			struct t1_prim p;
			void *mem[T1_PRIM_MEMS];

			if (cancelled(g->cancel)) {
				ret = -ECANCELED;
				break;
			}
			memset(&p, 0, sizeof(p));
			p.kind = T1_PK_MATMUL;
			p.alpha = g->alpha;
			p.beta = g->beta;
			md4(&p.md[0], mm_t(g->dt), n0, n1, g->sa, g->m, g->k, g->lda,
			    g->trans_a);
			md4(&p.md[1], mm_t(g->dt), n0, n1, g->sb, g->k, g->n, g->ldb,
			    g->trans_b);
			md4(&p.md[2], mm_t(g->dt), n0, n1, g->sc, g->m, g->n, g->ldc,
			    false);
			/* C's stride is 0 only with one matrix at that level */
			p.md[2].dims[0] = n0;
			p.md[2].dims[1] = n1;
			mem[0] = (uint8_t *)g->a + boff(g->sa, i0, i1) * es;
			mem[1] = (uint8_t *)g->b + boff(g->sb, i0, i1) * es;
			mem[2] = (uint8_t *)g->c + boff(g->sc, i0, i1) * es;
			ret = t1_prim_run(&p, mem);
		}
	}
	t1_mm_busy(-1);
	return ret;
}

/* ---- SOFTMAX (causal) and SOFTMAX_BWD ---- */

/* First masked column of row @r, or cols. */
static uint32_t causal_end(uint64_t r, uint32_t period, uint32_t offset,
			   uint32_t cols)
{
	uint64_t keep = r % period + offset;

	return keep + 1 < cols ? (uint32_t)(keep + 1) : cols;
}

/* Store @v to elements [from, to) of a row of type @dt. */
static void row_set(void *row, uint32_t dt, uint32_t from, uint32_t to,
		    uint32_t v32, uint16_t v16)
{
	if (dt == TESSERA_DTYPE_FP32) {
		uint32_t *p = row;

		for (uint32_t j = from; j < to; j++)
			p[j] = v32;
	} else {
		uint16_t *p = row;

		for (uint32_t j = from; j < to; j++)
			p[j] = v16;
	}
}

#define NEG_INF32	0xff800000u
#define NEG_INF_BF16	0xff80u

int t1_softmax_causal(const struct t1_rows2 *p, uint32_t period,
		      uint32_t offset)
{
	uint32_t step = chunk_rows(p->cols), cols = p->cols;
	bool f16 = p->dt == TESSERA_DTYPE_FP16;
	size_t es = esz(p->dt);
	float *tmp = NULL;
	int ret = 0;

	if (f16 && !(tmp = t1_scratch(S_T, (size_t)step * cols * sizeof(float))))
		return -ENOMEM;
	t1_mm_busy(1);
	for (uint32_t r0 = 0; !ret && r0 < p->rows; r0 += step) {
		uint32_t n = min32(step, p->rows - r0);
		struct t1_rw rw = {
			.type = p->dt == TESSERA_DTYPE_BF16 ? T1_MM_BF16 : T1_MM_F32,
			.rows = n, .cols = cols, .lds = p->ldy, .ldd = p->ldy,
		};
		void *d = row_w(p->y, p->dt, p->ldy, r0);

		if (cancelled(p->cancel)) {
			ret = -ECANCELED;
			break;
		}
		/*
		 * Masked inputs become -inf (never read), the rows run through
		 * the plain softmax in place, and masked outputs are set to 0.
		 */
		for (uint32_t i = 0; i < n; i++) {
			const void *s = row_c(p->x, p->dt, p->ldx, r0 + i);
			uint32_t end = causal_end(r0 + i, period, offset, cols);

			if (f16) {
				t1_row_to_f32(tmp + (size_t)i * cols, s, p->dt, end);
				row_set(tmp + (size_t)i * cols, TESSERA_DTYPE_FP32, end,
					cols, NEG_INF32, 0);
			} else {
				void *dr = row_w(p->y, p->dt, p->ldy, r0 + i);

				if (dr != s)
					memmove(dr, s, end * es);
				row_set(dr, p->dt, end, cols, NEG_INF32, NEG_INF_BF16);
			}
		}
		if (f16) {
			rw.lds = rw.ldd = cols;
			ret = t1_rw_run(&rw, tmp, tmp, NULL, NULL);
		} else {
			ret = t1_rw_run(&rw, d, d, NULL, NULL);
		}
		for (uint32_t i = 0; !ret && i < n; i++) {
			void *dr = row_w(p->y, p->dt, p->ldy, r0 + i);
			uint32_t end = causal_end(r0 + i, period, offset, cols);

			if (f16)
				t1_row_from_f32(dr, p->dt, tmp + (size_t)i * cols, end);
			row_set(dr, p->dt, end, cols, 0, 0);
		}
	}
	t1_mm_busy(-1);
	return ret;
}

int t1_softmax_bwd(const struct t1_rows2 *p)
{
	uint32_t step = chunk_rows(p->cols);
	int ret = 0;

	t1_mm_busy(1);
	for (uint32_t r0 = 0; !ret && r0 < p->rows; r0 += step) {
		uint32_t n = min32(step, p->rows - r0);
		struct t1_prim pr;
		void *mem[T1_PRIM_MEMS] = {
			(void *)row_c(p->x, p->dt, p->ldx, r0),
			(void *)row_c(p->w, p->dt, p->ldw, r0),
			row_w(p->y, p->dt, p->ldy, r0),
		};

		if (cancelled(p->cancel)) {
			ret = -ECANCELED;
			break;
		}
		memset(&pr, 0, sizeof(pr));
		pr.kind = T1_PK_SOFTMAX_BWD;
		md2(&pr.md[0], mm_t(p->dt), n, p->cols, p->ldx);
		md2(&pr.md[1], mm_t(p->dt), n, p->cols, p->ldw);
		md2(&pr.md[2], mm_t(p->dt), n, p->cols, p->ldy);
		ret = t1_prim_run(&pr, mem);
	}
	t1_mm_busy(-1);
	return ret;
}

/* ---- RMSNORM ---- */

/* rstd of a row with sum of squares @ss: 1 / sqrt(ss / cols + eps). */
static float rms_rstd(float ss, uint32_t cols, float eps)
{
	return 1.0f / sqrtf(ss / (float)cols + eps);
}

int t1_rmsnorm(const struct t1_rows2 *p)
{
	uint32_t cols = p->cols, step = chunk_rows(cols);
	float *xt = t1_scratch(S_X, cols * sizeof(float));
	float *yt = t1_scratch(S_Y, cols * sizeof(float));

	if (!xt || !yt)
		return -ENOMEM;
	for (uint32_t r = 0; r < p->rows; r++) {
		void *yr = row_w(p->y, p->dt, p->ldy, r);
		const float *x;
		float *y, rs;

		if (!(r % step) && cancelled(p->cancel))
			return -ECANCELED;
		x = row_in(xt, row_c(p->x, p->dt, p->ldx, r), p->dt, cols);
		y = row_out(yt, yr, p->dt);
		rs = rms_rstd(sum_f32(x, cols, true), cols, p->eps);
		if (p->gamma) {
			for (uint32_t j = 0; j < cols; j++)
				y[j] = x[j] * rs * p->gamma[j];
		} else {
			for (uint32_t j = 0; j < cols; j++)
				y[j] = x[j] * rs;
		}
		row_done(yr, p->dt, y, cols);
		if (p->rstd_out)
			p->rstd_out[r] = rs;
	}
	return 0;
}

int t1_rmsnorm_bwd(const struct t1_rows2 *p)
{
	uint32_t cols = p->cols, step = chunk_rows(cols);
	float *xt = t1_scratch(S_X, cols * sizeof(float));
	float *wt = t1_scratch(S_W, cols * sizeof(float));
	float *yt = t1_scratch(S_Y, cols * sizeof(float));
	float *dg = p->dgamma ? t1_scratch(S_Z, cols * sizeof(float)) : NULL;

	if (!xt || !wt || !yt || (p->dgamma && !dg))
		return -ENOMEM;
	if (dg)
		memset(dg, 0, cols * sizeof(float));
	for (uint32_t r = 0; r < p->rows; r++) {
		void *yr = row_w(p->y, p->dt, p->ldy, r);
		const float *x, *dy;
		float *dx, rs, c;

		if (!(r % step) && cancelled(p->cancel))
			return -ECANCELED;
		x = row_in(xt, row_c(p->x, p->dt, p->ldx, r), p->dt, cols);
		dy = row_in(wt, row_c(p->w, p->dt, p->ldw, r), p->dt, cols);
		rs = p->rstd_in ? p->rstd_in[r] :
		     rms_rstd(sum_f32(x, cols, true), cols, p->eps);
		/* dx = rs * g * dy - x * rs^3 * mean(g * dy * x) */
		c = rs * rs * rs * (dot3_f32(dy, x, p->gamma, cols) / (float)cols);
		if (p->accum) {
			dx = yt;
			t1_row_to_f32(yt, yr, p->dt, cols);
		} else {
			dx = row_out(yt, yr, p->dt);
		}
		/* before dx: dx may be dy */
		if (dg)
			for (uint32_t j = 0; j < cols; j++)
				dg[j] += dy[j] * x[j] * rs;
		if (p->gamma && p->accum) {
			for (uint32_t j = 0; j < cols; j++)
				dx[j] += rs * (p->gamma[j] * dy[j]) - c * x[j];
		} else if (p->gamma) {
			for (uint32_t j = 0; j < cols; j++)
				dx[j] = rs * (p->gamma[j] * dy[j]) - c * x[j];
		} else if (p->accum) {
			for (uint32_t j = 0; j < cols; j++)
				dx[j] += rs * dy[j] - c * x[j];
		} else {
			for (uint32_t j = 0; j < cols; j++)
				dx[j] = rs * dy[j] - c * x[j];
		}
		if (p->accum && p->dt == TESSERA_DTYPE_FP32)
			memcpy(yr, yt, cols * sizeof(float));
		else if (p->accum)
			t1_row_from_f32(yr, p->dt, yt, cols);
		else
			row_done(yr, p->dt, dx, cols);
	}
	for (uint32_t j = 0; dg && j < cols; j++)
		p->dgamma[j] += dg[j];
	return 0;
}

/* ---- EMBEDDING ---- */

int t1_embedding(const struct t1_embed *p)
{
	uint32_t cols = p->cols, step = chunk_rows(cols);
	size_t es = esz(p->dt);
	float *tt = NULL, *st = NULL;

	if (p->scatter_add && p->dt != TESSERA_DTYPE_FP32) {
		tt = t1_scratch(S_Y, cols * sizeof(float));
		st = t1_scratch(S_X, cols * sizeof(float));
		if (!tt || !st)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->count; i++) {
		void *t = row_w(p->table, p->dt, p->ldt, (uint32_t)p->idx[i]);
		void *x = row_w(p->x, p->dt, p->ldx, i);

		if (!(i % step) && cancelled(p->cancel))
			return -ECANCELED;
		if (!p->scatter_add) {
			memcpy(x, t, cols * es);
		} else if (p->dt == TESSERA_DTYPE_FP32) {
			float *td = t;
			const float *xs = x;

			for (uint32_t j = 0; j < cols; j++)
				td[j] += xs[j];
		} else {
			t1_row_to_f32(tt, t, p->dt, cols);
			t1_row_to_f32(st, x, p->dt, cols);
			for (uint32_t j = 0; j < cols; j++)
				tt[j] += st[j];
			t1_row_from_f32(t, p->dt, tt, cols);
		}
	}
	return 0;
}

/* ---- ROPE ---- */

/* Largest cos/sin table ROPE precomputes (floats); else per row. */
#define ROPE_TABLE_MAX	(1u << 20)

/* cos and sin of position @pos for the @npairs frequencies, as fp32 pairs. */
static void rope_angles(float *cs, uint64_t pos, const double *freq,
			uint32_t npairs)
{
	for (uint32_t i = 0; i < npairs; i++) {
		double a = (double)pos * freq[i];

		cs[2 * i] = (float)cos(a);
		cs[2 * i + 1] = (float)sin(a);
	}
}

int t1_rope_run(const struct t1_rope *p)
{
	uint32_t cols = p->heads * p->head_dim, npairs = p->n_rot / 2;
	uint32_t step = chunk_rows(cols);
	uint32_t npos = min32(p->period, p->rows);
	bool table = (uint64_t)npos * npairs * 2 <= ROPE_TABLE_MAX;
	float *xt = t1_scratch(S_X, cols * sizeof(float));
	float *yt = t1_scratch(S_Y, cols * sizeof(float));
	double *freq = t1_scratch(S_V, npairs * sizeof(double));
	float *cs = t1_scratch(S_T, (table ? npos : 1) * (size_t)npairs * 2 *
				    sizeof(float));
	float sgn = p->bwd ? -1.0f : 1.0f;

	if (!xt || !yt || !freq || !cs)
		return -ENOMEM;
	/* theta^(-2i / n_rot), in double */
	for (uint32_t i = 0; i < npairs; i++)
		freq[i] = pow((double)p->theta, -2.0 * i / p->n_rot);
	for (uint32_t q = 0; table && q < npos; q++) {
		if (!(q % step) && cancelled(p->cancel))
			return -ECANCELED;
		rope_angles(cs + (size_t)q * npairs * 2, (uint64_t)p->pos0 + q, freq,
			    npairs);
	}
	for (uint32_t r = 0; r < p->rows; r++) {
		void *yr = row_w(p->y, p->dt, p->ldy, r);
		uint32_t q = r % p->period;
		const float *x, *a;
		float *y;

		if (!(r % step) && cancelled(p->cancel))
			return -ECANCELED;
		if (table) {
			a = cs + (size_t)q * npairs * 2;
		} else {
			rope_angles(cs, (uint64_t)p->pos0 + q, freq, npairs);
			a = cs;
		}
		x = row_in(xt, row_c(p->x, p->dt, p->ldx, r), p->dt, cols);
		y = row_out(yt, yr, p->dt);
		for (uint32_t h = 0; h < p->heads; h++) {
			const float *xh = x + (size_t)h * p->head_dim;
			float *yh = y + (size_t)h * p->head_dim;

			for (uint32_t i = 0; i < npairs; i++) {
				float x0 = xh[2 * i], x1 = xh[2 * i + 1];
				float c = a[2 * i], s = sgn * a[2 * i + 1];

				yh[2 * i] = x0 * c - x1 * s;
				yh[2 * i + 1] = x0 * s + x1 * c;
			}
			if (yh != xh)
				memmove(yh + p->n_rot, xh + p->n_rot,
					(p->head_dim - p->n_rot) * sizeof(float));
		}
		row_done(yr, p->dt, y, cols);
	}
	return 0;
}

/* ---- CROSS_ENTROPY ---- */

int t1_cross_entropy(const struct t1_xent *p)
{
	uint32_t cls = p->classes, step = chunk_rows(cls);
	size_t chunk = (size_t)step * cls * sizeof(float);
	float *ls = p->loss ? t1_scratch(S_X, chunk) : NULL;
	float *pr = p->dx ? t1_scratch(S_Y, chunk) : NULL;
	int ret = 0;

	if ((p->loss && !ls) || (p->dx && !pr))
		return -ENOMEM;
	t1_mm_busy(1);
	for (uint32_t r0 = 0; !ret && r0 < p->rows; r0 += step) {
		uint32_t n = min32(step, p->rows - r0);
		struct t1_prim sm;
		void *mem[T1_PRIM_MEMS] = {
			(void *)row_c(p->logits, p->dt, p->ldl, r0),
		};

		if (cancelled(p->cancel)) {
			ret = -ECANCELED;
			break;
		}
		memset(&sm, 0, sizeof(sm));
		sm.kind = T1_PK_SOFTMAX;
		md2(&sm.md[0], mm_t(p->dt), n, cls, p->ldl);
		md2(&sm.md[1], T1_MM_F32, n, cls, cls);
		/* loss = -log_softmax(x)[t]: no cancellation in log(p) */
		if (ls) {
			sm.alg = 1;
			mem[1] = ls;
			ret = t1_prim_run(&sm, mem);
			for (uint32_t i = 0; !ret && i < n; i++) {
				int32_t t = p->tgt[r0 + i];

				p->loss[r0 + i] = t == p->ignore ? 0.0f :
						  -ls[(size_t)i * cls + (uint32_t)t];
			}
		}
		if (pr && !ret) {
			sm.alg = 0;
			mem[1] = pr;
			ret = t1_prim_run(&sm, mem);
		}
		for (uint32_t i = 0; pr && !ret && i < n; i++) {
			void *dr = row_w(p->dx, p->dt, p->ldd, r0 + i);
			float *d = pr + (size_t)i * cls;
			int32_t t = p->tgt[r0 + i];

			if (t == p->ignore) {
				memset(d, 0, cls * sizeof(float));
			} else {
				d[t] -= 1.0f;
				for (uint32_t j = 0; j < cls; j++)
					d[j] *= p->scale;
			}
			t1_row_from_f32(dr, p->dt, d, cls);
		}
	}
	t1_mm_busy(-1);
	return ret;
}

/* ---- REDUCE ---- */

/* Column sums go through a partial sum of this many rows at a time. */
#define COL_BLOCK	64u

int t1_reduce_run(const struct t1_reduce *p)
{
	uint32_t cols = p->cols, step = chunk_rows(cols);
	float *xt = t1_scratch(S_X, cols * sizeof(float));
	float *acc = NULL, *part = NULL;

	if (!xt)
		return -ENOMEM;
	if (p->axis == TESSERA_RED_COLS) {
		acc = t1_scratch(S_Y, cols * sizeof(float));
		part = t1_scratch(S_Z, cols * sizeof(float));
		if (!part)
			return -ENOMEM;
	} else if (p->axis == TESSERA_RED_ALL) {
		acc = t1_scratch(S_Y, p->rows * sizeof(float));
	}
	if (p->axis != TESSERA_RED_ROWS && !acc)
		return -ENOMEM;
	if (p->axis == TESSERA_RED_COLS) {
		memset(acc, 0, cols * sizeof(float));
		memset(part, 0, cols * sizeof(float));
	}
	for (uint32_t r = 0; r < p->rows; r++) {
		const float *x;
		float s;

		if (!(r % step) && cancelled(p->cancel))
			return -ECANCELED;
		x = row_in(xt, row_c(p->x, p->dt, p->ldx, r), p->dt, cols);
		if (p->axis == TESSERA_RED_COLS) {
			/* each column in row order, COL_BLOCK rows at a time */
			if (p->square)
				for (uint32_t j = 0; j < cols; j++)
					part[j] += x[j] * x[j];
			else
				for (uint32_t j = 0; j < cols; j++)
					part[j] += x[j];
			if ((r + 1) % COL_BLOCK == 0 || r + 1 == p->rows) {
				for (uint32_t j = 0; j < cols; j++) {
					acc[j] += part[j];
					part[j] = 0.0f;
				}
			}
			continue;
		}
		s = sum_f32(x, cols, p->square);
		if (p->axis == TESSERA_RED_ALL)
			acc[r] = s;
		else
			p->dst[r] = p->accum ? p->dst[r] + p->scale * s : p->scale * s;
	}
	if (p->axis == TESSERA_RED_COLS) {
		for (uint32_t j = 0; j < cols; j++)
			p->dst[j] = p->accum ? p->dst[j] + p->scale * acc[j] :
				    p->scale * acc[j];
	} else if (p->axis == TESSERA_RED_ALL) {
		/* the row sums, summed like a row */
		float s = sum_f32(acc, p->rows, false);

		p->dst[0] = p->accum ? p->dst[0] + p->scale * s : p->scale * s;
	}
	return 0;
}

/* ---- ADAMW ---- */

float t1_adamw_clip(float sumsq, float grad_scale, float max_norm)
{
	float norm = sqrtf(sumsq) * fabsf(grad_scale);
	float coef = max_norm / (norm + 1e-6f);

	return coef < 1.0f ? coef : 1.0f;
}

int t1_adamw_run(const struct t1_adamw *p)
{
	/* bias corrections in double, then fp32 like everything else */
	double bc1 = 1.0 - pow(p->beta1, p->step);
	double bc2 = 1.0 - pow(p->beta2, p->step);
	float step_size = (float)(p->lr / bc1), bc2_sqrt = (float)sqrt(bc2);
	float decay = 1.0f - p->lr * p->wd;
	float b1 = p->beta1, b2 = p->beta2, ob1 = 1.0f - b1, ob2 = 1.0f - b2;
	float gs = p->grad_scale, eps = p->eps;

	for (uint32_t i0 = 0; i0 < p->count; i0 += T1_CHUNK_ELEMS) {
		uint32_t n = min32(T1_CHUNK_ELEMS, p->count - i0);
		float *w = p->param + i0, *g = p->grad + i0, *m = p->m + i0;
		float *v = p->v + i0;

		if (cancelled(p->cancel))
			return -ECANCELED;
		for (uint32_t i = 0; i < n; i++) {
			float gi = g[i] * gs;
			float mi = b1 * m[i] + ob1 * gi;
			float vi = b2 * v[i] + ob2 * (gi * gi);

			m[i] = mi;
			v[i] = vi;
			w[i] = w[i] * decay - step_size * (mi / (sqrtf(vi) / bc2_sqrt + eps));
		}
		if (p->zero_grad)
			memset(g, 0, n * sizeof(float));
	}
	return 0;
}

/* ---- ELEMENTWISE ---- */

/* The classic ops, on t1_elementwise() per dense run or per row. */
static int ew2_classic(const struct t1_ew2 *p)
{
	size_t ses = esz(p->sdt), des = esz(p->ddt);
	bool bin = p->op == TESSERA_EW_ADD || p->op == TESSERA_EW_MUL;
	bool dense = p->lda == p->cols && p->ldd == p->cols &&
		     (!bin || p->ldb == p->cols);
	uint64_t total = (uint64_t)p->rows * p->cols;

	if (dense) {
		for (uint64_t i = 0; i < total; i += T1_CHUNK_ELEMS) {
			size_t n = total - i < T1_CHUNK_ELEMS ? total - i : T1_CHUNK_ELEMS;
			int ret;

			if (cancelled(p->cancel))
				return -ECANCELED;
			ret = t1_elementwise(p->op, p->sdt, p->ddt, n,
					     (const uint8_t *)p->a + i * ses,
					     bin ? (const uint8_t *)p->b + i * ses : NULL,
					     (uint8_t *)p->d + i * des, p->scalar);
			if (ret)
				return ret;
		}
		return 0;
	}
	for (uint32_t r = 0; r < p->rows; r++) {
		int ret;

		if (!(r % chunk_rows(p->cols)) && cancelled(p->cancel))
			return -ECANCELED;
		ret = t1_elementwise(p->op, p->sdt, p->ddt, p->cols,
				     row_c(p->a, p->sdt, p->lda, r),
				     bin ? row_c(p->b, p->sdt, p->ldb, r) : NULL,
				     row_w(p->d, p->ddt, p->ldd, r), p->scalar);
		if (ret)
			return ret;
	}
	return 0;
}

/* An eltwise primitive over @n dense fp32 elements. */
static int elt(uint32_t kind, uint32_t alg, uint64_t n, const float *src,
	       const float *dd, float *out)
{
	struct t1_prim pr;
	void *mem[T1_PRIM_MEMS] = { (void *)src, (void *)dd, out };

	memset(&pr, 0, sizeof(pr));
	pr.kind = kind;
	pr.alg = alg;
	pr.alpha = alg == T1_ELT_SWISH ? 1.0f : 0.0f;	/* silu: x * sigmoid(1 * x) */
	md1(&pr.md[0], T1_MM_F32, n);
	md1(&pr.md[1], T1_MM_F32, n);
	if (kind == T1_PK_ELT_BWD)
		md1(&pr.md[2], T1_MM_F32, n);
	else
		mem[1] = out;
	return t1_prim_run(&pr, mem);
}

/* Rows [r0, r0 + n) of operand @src (type dt, ld) into dense fp32 @dst. */
static void gather_rows(float *dst, const void *src, uint32_t dt, uint32_t ld,
			uint32_t r0, uint32_t n, uint32_t cols)
{
	for (uint32_t i = 0; i < n; i++)
		t1_row_to_f32(dst + (size_t)i * cols, row_c(src, dt, ld, r0 + i), dt,
			      cols);
}

static void scatter_rows(void *dst, uint32_t dt, uint32_t ld, const float *src,
			 uint32_t r0, uint32_t n, uint32_t cols)
{
	for (uint32_t i = 0; i < n; i++)
		t1_row_from_f32(row_w(dst, dt, ld, r0 + i), dt,
				src + (size_t)i * cols, cols);
}

/* The 1.5 ops: rows widened to fp32, computed densely, rounded once. */
static int ew2_train(const struct t1_ew2 *p)
{
	uint32_t cols = p->cols, step = chunk_rows(cols);
	size_t chunk = (size_t)step * cols * sizeof(float);
	float *a = t1_scratch(S_X, chunk), *b = t1_scratch(S_W, chunk);
	float *c = t1_scratch(S_V, chunk), *d = t1_scratch(S_Y, chunk);
	float *e = t1_scratch(S_Z, chunk), *t = t1_scratch(S_T, chunk);
	int ret = 0;

	if (!a || !b || !c || !d || !e || !t)
		return -ENOMEM;
	t1_mm_busy(1);
	for (uint32_t r0 = 0; !ret && r0 < p->rows; r0 += step) {
		uint32_t n = min32(step, p->rows - r0);
		uint64_t m = (uint64_t)n * cols;

		if (cancelled(p->cancel)) {
			ret = -ECANCELED;
			break;
		}
		gather_rows(a, p->a, p->sdt, p->lda, r0, n, cols);
		if (p->b)
			gather_rows(b, p->b, p->sdt, p->ldb, r0, n, cols);
		if (p->c)
			gather_rows(c, p->c, p->sdt, p->ldc, r0, n, cols);
		switch (p->op) {
		case TESSERA_EW_SILU:
			ret = elt(T1_PK_ELT_FWD, T1_ELT_SWISH, m, a, NULL, d);
			break;
		case TESSERA_EW_SWIGLU:
			ret = elt(T1_PK_ELT_FWD, T1_ELT_SWISH, m, a, NULL, d);
			for (uint64_t i = 0; !ret && i < m; i++)
				d[i] *= b[i];
			break;
		case TESSERA_EW_RELU_BWD:
			for (uint64_t i = 0; i < m; i++)
				d[i] = a[i] > 0.0f ? b[i] : 0.0f;
			break;
		case TESSERA_EW_GELU_BWD:
			ret = elt(T1_PK_ELT_BWD, T1_ELT_GELU_ERF, m, a, b, d);
			break;
		case TESSERA_EW_SILU_BWD:
			ret = elt(T1_PK_ELT_BWD, T1_ELT_SWISH, m, a, b, d);
			break;
		case TESSERA_EW_SWIGLU_BWD:
			/*
			 * s = sigmoid(A): dA = C * B * s * (1 + A * (1 - s)),
			 * dB = C * (A * s).  One library call for the sigmoid
			 * instead of swish forward and backward (half the time).
			 */
			ret = elt(T1_PK_ELT_FWD, T1_ELT_LOGISTIC, m, a, NULL, t);
			for (uint64_t i = 0; !ret && i < m; i++) {
				float s = t[i], x = a[i];

				d[i] = c[i] * b[i] * (s * (1.0f + x * (1.0f - s)));
				e[i] = c[i] * (x * s);
			}
			break;
		default:
			ret = -EINVAL;
		}
		if (ret)
			break;
		scatter_rows(p->d, p->ddt, p->ldd, d, r0, n, cols);
		if (p->e)
			scatter_rows(p->e, p->ddt, p->lde, e, r0, n, cols);
	}
	t1_mm_busy(-1);
	return ret;
}

int t1_elementwise2(const struct t1_ew2 *p)
{
	return p->op <= TESSERA_EW_CAST ? ew2_classic(p) : ew2_train(p);
}
