// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Host tests of the hardware 1.5 training commands (BGEMM, causal
 * SOFTMAX, SOFTMAX_BWD, EMBEDDING, RMSNORM and RMSNORM_BWD, ROPE, the
 * SiLU/SwiGLU and backward ops of ELEMENTWISE and its long form,
 * CROSS_ENTROPY, REDUCE, ADAMW) on the device model.
 *
 * Every result is checked against a reference written here in plain C
 * in double precision (it calls nothing of the emulator's math), from the
 * inputs as rounded to the command's type; the gradient commands also
 * against central finite differences of the reference forward pass.
 * Strided operands have guard bytes between their rows that must survive.
 * Bad arguments must fail the command with ERR_INVALID_CMD and a log line
 * that names it, and long commands must stop promptly on a reset.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/mman.h>

#include "t1.h"
#include "t1_fx.h"
#include "t1_priv.h"
#include "tap.h"
#include "accel/tessera_cmd.h"
#include "tessera_regs.h"
#include "vfu.h"

#define MEM_SIZE	(96u << 20)
#define GUARD		0xa5u		/* bytes between rows */

static bool fx_init(struct fx *fx)
{
	const struct fx_opts o = {
		.name = "t1-train", .mem_size = MEM_SIZE, .hbm_size = HBM_SIZE, .wait_s = 60,
	};

	return fx_open(fx, &o);
}

/* Queue @ndw dwords at @va (the caller copied them there) and move the tail. */
static void queue(struct fx *fx, unsigned int n, uint32_t asid, uint64_t va,
		  unsigned int ndw)
{
	fx_desc(fx, n, asid, va, ndw, TESSERA_DESC_FLAG_FENCE);
	rwr(fx, n, TESSERA_RING_TAIL, fx->tail[n]);
}

/* Run @ndw dwords in context @asid (command buffer at @va) on ring @n. */
static uint32_t run_at(struct fx *fx, unsigned int n, uint32_t asid, uint64_t va,
		       const uint32_t *dw, unsigned int ndw)
{
	uint64_t before = done_count(fx, n);

	memcpy(fx->mem + CMD_OFF(n), dw, ndw * 4);
	queue(fx, n, asid, va, ndw);
	if (!wait_count(fx, n, before + 1))
		return 0xdead;
	return fault_code(fx, n);
}

static uint32_t run(struct fx *fx, unsigned int n, const uint32_t *dw,
		    unsigned int ndw)
{
	return run_at(fx, n, 0, HOST(CMD_OFF(n)), dw, ndw);
}

#define HDR(op, fl, len)	TESSERA_CMD_HEADER(op, fl, len)
#define LO(x)			((uint32_t)(uint64_t)(x))
#define HI(x)			((uint32_t)((uint64_t)(x) >> 32))
#define VA(x)			LO(x), HI(x)

static uint32_t fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static float bitsf(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

/* Uniform in [-1, 1). */
static double drand(unsigned int *seed)
{
	return (double)rand_r(seed) / ((double)RAND_MAX + 1) * 2.0 - 1.0;
}

/* ---- numbers, independent of the emulator's conversions ---- */

static uint16_t to_bf16(float f)
{
	uint32_t u = fbits(f);

	if ((u & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((u >> 16) | 0x40);
	u += 0x7fffu + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

static float from_bf16(uint16_t h)
{
	return bitsf((uint32_t)h << 16);
}

static size_t esize(uint32_t dt)
{
	return dt == TESSERA_DTYPE_FP32 || dt == TESSERA_DTYPE_INT32 ? 4 : 2;
}

/* @v rounded to @dt, as stored. */
static double round_to(uint32_t dt, double v)
{
	switch (dt) {
	case TESSERA_DTYPE_BF16:	return from_bf16(to_bf16((float)v));
	case TESSERA_DTYPE_FP16:	return (float)(_Float16)(float)v;
	default:			return (float)v;
	}
}

static void store(uint8_t *p, uint32_t dt, double v)
{
	uint16_t h;
	float f = (float)v;

	if (dt == TESSERA_DTYPE_FP32) {
		memcpy(p, &f, 4);
		return;
	}
	if (dt == TESSERA_DTYPE_BF16) {
		h = to_bf16(f);
	} else {
		_Float16 x = (_Float16)f;

		memcpy(&h, &x, 2);
	}
	memcpy(p, &h, 2);
}

static double load(const uint8_t *p, uint32_t dt)
{
	uint16_t h;
	float f;

	if (dt == TESSERA_DTYPE_FP32) {
		memcpy(&f, p, 4);
		return f;
	}
	memcpy(&h, p, 2);
	if (dt == TESSERA_DTYPE_BF16)
		return from_bf16(h);
	{
		_Float16 x;

		memcpy(&x, &h, 2);
		return (float)x;
	}
}

/* One ulp of @dt relative (FP32: a few ulps), for tolerances. */
static double type_eps(uint32_t dt)
{
	return dt == TESSERA_DTYPE_BF16 ? 1.0 / 128 :
	       dt == TESSERA_DTYPE_FP16 ? 1.0 / 1024 : 4e-7;
}

/* ---- matrices in the card's memory ---- */

/* A rows x cols matrix of dt, leading dimension ld, in host memory. */
struct mat {
	uint64_t off;
	uint32_t dt, rows, cols, ld;
};

static uint64_t alloc(struct fx *fx, uint64_t bytes)
{
	uint64_t off = fx->data_next;

	fx->data_next = (off + bytes + 4095) & ~4095ull;
	if (fx->data_next > MEM_SIZE) {
		printf("# test data does not fit\n");
		abort();
	}
	memset(fx->mem + off, GUARD, bytes);
	return off;
}

static struct mat mat_new(struct fx *fx, uint32_t dt, uint32_t rows, uint32_t cols,
			  uint32_t ld)
{
	struct mat m = { .dt = dt, .rows = rows, .cols = cols, .ld = ld };

	m.off = alloc(fx, ((uint64_t)(rows - 1) * ld + cols) * esize(dt));
	return m;
}

static uint8_t *at(struct fx *fx, const struct mat *m, uint32_t r, uint32_t c)
{
	return fx->mem + m->off + ((uint64_t)r * m->ld + c) * esize(m->dt);
}

static uint64_t va(const struct mat *m)
{
	return HOST(m->off);
}

/* Store @v (rows x cols, dense), rounded to the type: @v becomes that. */
static void mat_put(struct fx *fx, const struct mat *m, double *v)
{
	for (uint32_t r = 0; r < m->rows; r++) {
		for (uint32_t c = 0; c < m->cols; c++) {
			double *x = &v[(size_t)r * m->cols + c];

			*x = round_to(m->dt, *x);
			store(at(fx, m, r, c), m->dt, *x);
		}
	}
}

static double mat_get(struct fx *fx, const struct mat *m, uint32_t r, uint32_t c)
{
	return load(at(fx, m, r, c), m->dt);
}

/* Random values in [-scale, scale), stored; the rounded values in @v. */
static void mat_rand(struct fx *fx, const struct mat *m, double *v, double scale,
		     unsigned int *seed)
{
	for (size_t i = 0; i < (size_t)m->rows * m->cols; i++)
		v[i] = drand(seed) * scale;
	mat_put(fx, m, v);
}

/* The guard bytes between the rows of @m are intact. */
static bool gaps_ok(struct fx *fx, const struct mat *m)
{
	size_t es = esize(m->dt);

	for (uint32_t r = 0; r + 1 < m->rows; r++)
		for (size_t b = m->cols * es; b < m->ld * es; b++)
			if (at(fx, m, r, 0)[b] != GUARD)
				return false;
	return true;
}

/*
 * Compare @m with @want (dense): |got - want| <= abs + rel * |want|.
 * Returns the number of mismatches (the first few are printed).
 */
static unsigned int mat_cmp(const char *what, struct fx *fx, const struct mat *m,
			    const double *want, double abs_tol, double rel_tol)
{
	unsigned int bad = 0;

	for (uint32_t r = 0; r < m->rows; r++) {
		for (uint32_t c = 0; c < m->cols; c++) {
			double w = want[(size_t)r * m->cols + c], g = mat_get(fx, m, r, c);

			if (fabs(g - w) <= abs_tol + rel_tol * fabs(w) || (isnan(w) && isnan(g)))
				continue;
			if (bad++ < 4)
				printf("# %s [%u][%u]: got %.9g want %.9g\n", what, r, c, g, w);
		}
	}
	if (!gaps_ok(fx, m)) {
		printf("# %s: guard bytes between rows overwritten\n", what);
		bad++;
	}
	return bad;
}

static double *dalloc(size_t n)
{
	double *p = calloc(n ? n : 1, sizeof(double));

	if (!p)
		abort();
	return p;
}

static const char *dt_name(uint32_t dt)
{
	return dt == TESSERA_DTYPE_BF16 ? "bf16" : dt == TESSERA_DTYPE_FP16 ? "fp16" : "fp32";
}

/* ------------------------------------------------------------------ */
/* BGEMM */

struct bg {
	uint32_t dt, m, n, k, lda, ldb, ldc, b0, b1;
	bool ta, tb;
	uint32_t sa[2], sb[2], sc[2];
	float alpha, beta;
	uint32_t row_step;	/* check every row_step-th row of C (0: all) */
};

static uint64_t bspan(uint32_t rows, uint32_t cols, uint32_t ld, const struct bg *g,
		      const uint32_t *s)
{
	return (uint64_t)(g->b0 - 1) * s[0] + (uint64_t)(g->b1 - 1) * s[1] +
	       (uint64_t)(rows - 1) * ld + cols;
}

static unsigned int bgemm_cmd(uint32_t *dw, const struct bg *g, uint64_t a, uint64_t b,
			      uint64_t c)
{
	uint32_t fl = (g->ta ? TESSERA_GEMM_TRANS_A : 0) | (g->tb ? TESSERA_GEMM_TRANS_B : 0);
	uint32_t v[TESSERA_CMD_BGEMM_LEN] = {
		HDR(TESSERA_CMD_OP_BGEMM, fl, TESSERA_CMD_BGEMM_LEN), g->dt,
		g->m, g->n, g->k, VA(a), g->lda, VA(b), g->ldb, VA(c), g->ldc,
		fbits(g->alpha), fbits(g->beta), g->b0, g->b1,
		g->sa[0], g->sa[1], g->sb[0], g->sb[1], g->sc[0], g->sc[1],
	};

	memcpy(dw, v, sizeof(v));
	return TESSERA_CMD_BGEMM_LEN;
}

/*
 * Run @g on random operands and check the matrices (i0, i1) that @pick
 * selects (all when NULL) against the double reference; elements of C's
 * span outside every matrix keep their bytes.
 */
static unsigned int bgemm_case(struct fx *fx, const struct bg *g,
			       bool (*pick)(uint32_t, uint32_t), unsigned int seed)
{
	uint32_t ar = g->ta ? g->k : g->m, ac = g->ta ? g->m : g->k;
	uint32_t br = g->tb ? g->n : g->k, bc = g->tb ? g->k : g->n;
	uint64_t na = bspan(ar, ac, g->lda, g, g->sa), nbs = bspan(br, bc, g->ldb, g, g->sb);
	uint64_t nc = bspan(g->m, g->n, g->ldc, g, g->sc);
	size_t es = esize(g->dt);
	struct mat A = { .dt = g->dt, .rows = 1, .cols = (uint32_t)na, .ld = (uint32_t)na };
	struct mat B = { .dt = g->dt, .rows = 1, .cols = (uint32_t)nbs, .ld = (uint32_t)nbs };
	struct mat C = { .dt = g->dt, .rows = 1, .cols = (uint32_t)nc, .ld = (uint32_t)nc };
	double *va_ = dalloc(na), *vb = dalloc(nbs), *vc = dalloc(nc);
	uint8_t *written = calloc(nc, 1), *c0 = malloc(nc * es);
	uint32_t cmd[TESSERA_CMD_BGEMM_LEN];
	unsigned int bad = 0;
	uint32_t code;

	A.off = alloc(fx, na * es);
	B.off = alloc(fx, nbs * es);
	C.off = alloc(fx, nc * es);
	mat_rand(fx, &A, va_, 1.0, &seed);
	mat_rand(fx, &B, vb, 1.0, &seed);
	mat_rand(fx, &C, vc, 1.0, &seed);
	memcpy(c0, fx->mem + C.off, nc * es);
	code = run(fx, 0, cmd, bgemm_cmd(cmd, g, va(&A), va(&B), va(&C)));
	if (code) {
		printf("# BGEMM failed: %#x\n", code);
		bad++;
		goto out;
	}
	for (uint32_t i0 = 0; i0 < g->b0; i0++) {
		for (uint32_t i1 = 0; i1 < g->b1; i1++) {
			uint64_t oa = (uint64_t)i0 * g->sa[0] + (uint64_t)i1 * g->sa[1];
			uint64_t ob = (uint64_t)i0 * g->sb[0] + (uint64_t)i1 * g->sb[1];
			uint64_t oc = (uint64_t)i0 * g->sc[0] + (uint64_t)i1 * g->sc[1];
			bool check = !pick || pick(i0, i1);

			for (uint32_t i = 0; i < g->m; i++) {
				for (uint32_t j = 0; j < g->n; j++) {
					uint64_t e = oc + (uint64_t)i * g->ldc + j;
					double s = 0, w, got;

					written[e] = 1;
					if (!check || (g->row_step && i % g->row_step))
						continue;
					for (uint32_t p = 0; p < g->k; p++)
						s += va_[oa + (g->ta ? (uint64_t)p * g->lda + i :
								   (uint64_t)i * g->lda + p)] *
						     vb[ob + (g->tb ? (uint64_t)j * g->ldb + p :
								  (uint64_t)p * g->ldb + j)];
					w = g->alpha * s + g->beta * vc[e];
					got = load(fx->mem + C.off + e * es, g->dt);
					if (fabs(got - w) > (g->dt == TESSERA_DTYPE_BF16 ? 3e-2 : 1e-4) *
							    (1 + fabs(w)) && bad++ < 4)
						printf("# BGEMM %s [%u][%u] (%u,%u): got %.8g want %.8g\n",
						       dt_name(g->dt), i0, i1, i, j, got, w);
				}
			}
		}
	}
	for (uint64_t e = 0; e < nc; e++)
		if (!written[e] && memcmp(fx->mem + C.off + e * es, c0 + e * es, es) &&
		    bad++ < 8)
			printf("# BGEMM wrote element %llu outside every matrix\n",
			       (unsigned long long)e);
out:
	free(va_);
	free(vb);
	free(vc);
	free(written);
	free(c0);
	fx->data_next = A.off;
	return bad;
}

static bool pick_edges(uint32_t i0, uint32_t i1)
{
	return (i0 == 0 && (i1 == 0 || i1 == 15 || i1 == 16)) || (i0 == 1 && i1 == 17);
}

static void test_bgemm(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_BF16 };
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 2; d++) {
		uint32_t dt = dts[d];
		/*
		 * Attention on [B=2, T=24, H=3, hd=8] views of a QKV buffer
		 * (ld 72) and a dense P [B, H, T, T]: S = Q K^T, O = P V,
		 * dV = P^T dO, dP = dO V^T, and both transposed.
		 */
		const uint32_t T = 24, H = 3, hd = 8, ld3 = 72, pad = 3;
		const uint32_t sq[2] = { T * ld3, hd }, sp[2] = { H * T * (T + pad), T * (T + pad) };
		struct bg cases[] = {
			{ .m = T, .n = T, .k = hd, .tb = true, .lda = ld3, .ldb = ld3,
			  .ldc = T + pad, .sa = { sq[0], sq[1] }, .sb = { sq[0], sq[1] },
			  .sc = { sp[0], sp[1] } },
			{ .m = T, .n = hd, .k = T, .lda = T + pad, .ldb = ld3, .ldc = ld3,
			  .sa = { sp[0], sp[1] }, .sb = { sq[0], sq[1] }, .sc = { sq[0], sq[1] } },
			{ .m = T, .n = hd, .k = T, .ta = true, .lda = T + pad, .ldb = ld3,
			  .ldc = ld3, .sa = { sp[0], sp[1] }, .sb = { sq[0], sq[1] },
			  .sc = { sq[0], sq[1] } },
			{ .m = hd, .n = T, .k = T, .ta = true, .tb = true, .lda = ld3,
			  .ldb = T + pad, .ldc = T, .sa = { sq[0], sq[1] },
			  .sb = { sp[0], sp[1] }, .sc = { H * hd * T, hd * T } },
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
			cases[i].dt = dt;
			cases[i].b0 = 2;
			cases[i].b1 = H;
			cases[i].alpha = 0.125f;
			CHECK_EQ(t, bgemm_case(&fx, &cases[i], NULL, 10 + i), 0);
		}
		/* beta 1 and alpha, with leading-dimension gaps everywhere */
		{
			struct bg g = {
				.dt = dt, .m = 5, .n = 7, .k = 9, .lda = 11, .ldb = 8,
				.ldc = 9, .b0 = 3, .b1 = 2, .alpha = -1.5f, .beta = 1.0f,
				.sa = { 200, 60 }, .sb = { 150, 75 }, .sc = { 120, 50 },
			};

			CHECK_EQ(t, bgemm_case(&fx, &g, NULL, 99), 0);
			/* A broadcast over batch0, B over batch1 */
			g.sa[0] = 0;
			g.sb[1] = 0;
			CHECK_EQ(t, bgemm_case(&fx, &g, NULL, 98), 0);
			/* both over batch1: one matrix at a time there */
			g.sa[0] = 200;
			g.sa[1] = 0;
			CHECK_EQ(t, bgemm_case(&fx, &g, NULL, 97), 0);
			g.beta = 0.5f;
			g.sa[1] = 60;
			g.sb[1] = 75;
			CHECK_EQ(t, bgemm_case(&fx, &g, NULL, 96), 0);
		}
		/* 2^24 MACs a matrix, 2 x 18 of them: blocks of several calls */
		{
			struct bg g = {
				.dt = dt, .m = 128, .n = 128, .k = 1024, .lda = 1024,
				.ldb = 128, .ldc = 128, .b0 = 2, .b1 = 18,
				.alpha = 1.0f, .beta = 0.0f,
				.sa = { 18 * 128 * 1024, 128 * 1024 }, .sb = { 0, 0 },
				.sc = { 18 * 128 * 128, 128 * 128 },
			};

			CHECK_EQ(t, bgemm_case(&fx, &g, pick_edges, 5), 0);
		}
		/* matrices above a GEMM tile: one at a time on the GEMM's tiles */
		{
			struct bg g = {
				.dt = dt, .m = 512, .n = 130, .k = 8192, .lda = 8192,
				.ldb = 130, .ldc = 131, .b0 = 1, .b1 = 2,
				.alpha = 1.0f, .beta = 0.0f, .row_step = 61,
				.sa = { 0, 0 }, .sb = { 0, 8192 * 130 }, .sc = { 0, 512 * 131 },
			};

			CHECK_EQ(t, bgemm_case(&fx, &g, NULL, 6), 0);
		}
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* SOFTMAX, causal form, and SOFTMAX_BWD */

/* y = softmax(x[0..keep)), zeros after. */
static void ref_softmax(const double *x, uint32_t cols, uint32_t keep, double *y)
{
	double mx = -INFINITY, sum = 0;

	for (uint32_t j = 0; j < keep; j++)
		mx = x[j] > mx ? x[j] : mx;
	for (uint32_t j = 0; j < keep; j++)
		sum += exp(x[j] - mx);
	for (uint32_t j = 0; j < cols; j++)
		y[j] = j < keep ? exp(x[j] - mx) / sum : 0.0;
}

static unsigned int causal_cmd(uint32_t *dw, uint32_t dt, uint32_t rows, uint32_t cols,
			       uint64_t src, uint32_t lds, uint64_t dst, uint32_t ldd,
			       uint32_t period, uint32_t offset)
{
	uint32_t v[TESSERA_CMD_SOFTMAX_CAUSAL_LEN] = {
		HDR(TESSERA_CMD_OP_SOFTMAX, TESSERA_SOFTMAX_CAUSAL,
		    TESSERA_CMD_SOFTMAX_CAUSAL_LEN),
		dt, rows, cols, VA(src), lds, VA(dst), ldd, period, offset,
	};

	memcpy(dw, v, sizeof(v));
	return TESSERA_CMD_SOFTMAX_CAUSAL_LEN;
}

static unsigned int causal_case(struct fx *fx, uint32_t dt, uint32_t rows, uint32_t cols,
				uint32_t period, uint32_t offset, bool in_place)
{
	struct mat X = mat_new(fx, dt, rows, cols, cols + 3);
	struct mat Y = in_place ? X : mat_new(fx, dt, rows, cols, cols + 5);
	double *x = dalloc((size_t)rows * cols), *y = dalloc((size_t)rows * cols);
	uint32_t cmd[TESSERA_CMD_SOFTMAX_CAUSAL_LEN];
	unsigned int seed = rows * 7 + cols + dt, bad = 0;
	uint64_t first = X.off;

	mat_rand(fx, &X, x, 4.0, &seed);
	for (uint32_t r = 0; r < rows; r++) {
		uint64_t keep = (uint64_t)(r % period) + offset + 1;

		keep = keep < cols ? keep : cols;
		/* masked inputs are never read: NaN there changes nothing */
		for (uint32_t c = (uint32_t)keep; c < cols; c++)
			store(at(fx, &X, r, c), dt, NAN);
		ref_softmax(&x[(size_t)r * cols], cols, (uint32_t)keep, &y[(size_t)r * cols]);
	}
	if (run(fx, 0, cmd, causal_cmd(cmd, dt, rows, cols, va(&X), X.ld, va(&Y), Y.ld,
					period, offset))) {
		printf("# causal SOFTMAX failed\n");
		bad++;
	}
	bad += mat_cmp("causal SOFTMAX", fx, &Y, y, 1e-6, 1e-5 + type_eps(dt));
	/* masked outputs are exactly +0 */
	for (uint32_t r = 0; r < rows; r++)
		for (uint32_t c = 0; c < cols; c++)
			if (y[(size_t)r * cols + c] == 0.0 &&
			    (at(fx, &Y, r, c)[0] || at(fx, &Y, r, c)[1]) && bad++ < 4)
				printf("# masked [%u][%u] not 0\n", r, c);
	free(x);
	free(y);
	fx->data_next = first;
	return bad;
}

static void test_softmax_causal(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_FP16, TESSERA_DTYPE_BF16 };
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 3; d++) {
		uint32_t dt = dts[d];

		/* training: B x H blocks of T x T scores */
		CHECK_EQ(t, causal_case(&fx, dt, 48, 24, 24, 0, false), 0);
		/* decoding with a KV cache: query rows at positions 17.. */
		CHECK_EQ(t, causal_case(&fx, dt, 5, 40, 5, 17, false), 0);
		CHECK_EQ(t, causal_case(&fx, dt, 4, 40, 1, 17, true), 0);
		/* offset past the end: nothing masked */
		CHECK_EQ(t, causal_case(&fx, dt, 6, 10, 3, 20, false), 0);
		/* many rows: several units of work */
		CHECK_EQ(t, causal_case(&fx, dt, 3000, 128, 128, 0, true), 0);
		/* rows longer than a unit */
		CHECK_EQ(t, causal_case(&fx, dt, 3, 65536, 2, 65000, false), 0);
	}
	fx_fini(&fx);
}

static unsigned int sm_bwd_cmd(uint32_t *dw, uint32_t dt, uint32_t rows, uint32_t cols,
			       const struct mat *y, const struct mat *dy,
			       const struct mat *dx)
{
	uint32_t v[TESSERA_CMD_SOFTMAX_BWD_LEN] = {
		HDR(TESSERA_CMD_OP_SOFTMAX_BWD, 0, TESSERA_CMD_SOFTMAX_BWD_LEN),
		dt, rows, cols, VA(va(y)), y->ld, VA(va(dy)), dy->ld, VA(va(dx)), dx->ld,
	};

	memcpy(dw, v, sizeof(v));
	return TESSERA_CMD_SOFTMAX_BWD_LEN;
}

static void test_softmax_bwd(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_BF16 };
	const uint32_t shapes[][2] = { { 7, 13 }, { 600, 200 }, { 2, 65536 } };
	uint32_t cmd[TESSERA_CMD_SOFTMAX_BWD_LEN];
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 2; d++) {
		for (unsigned int s = 0; s < ARRAY_SIZE(shapes); s++) {
			uint32_t dt = dts[d], rows = shapes[s][0], cols = shapes[s][1];
			size_t n = (size_t)rows * cols;
			struct mat Y = mat_new(&fx, dt, rows, cols, cols + 1);
			struct mat DY = mat_new(&fx, dt, rows, cols, cols + 2);
			struct mat DX = mat_new(&fx, dt, rows, cols, cols + 3);
			double *x = dalloc(n), *y = dalloc(n), *dy = dalloc(n), *dx = dalloc(n);
			unsigned int seed = 3 + s;
			uint64_t first = Y.off;

			for (size_t i = 0; i < n; i++)
				x[i] = drand(&seed) * 3;
			for (uint32_t r = 0; r < rows; r++)
				ref_softmax(&x[(size_t)r * cols], cols, cols, &y[(size_t)r * cols]);
			mat_put(&fx, &Y, y);
			mat_rand(&fx, &DY, dy, 1.0, &seed);
			for (uint32_t r = 0; r < rows; r++) {
				const double *yr = &y[(size_t)r * cols], *g = &dy[(size_t)r * cols];
				double dot = 0;

				for (uint32_t j = 0; j < cols; j++)
					dot += yr[j] * g[j];
				for (uint32_t j = 0; j < cols; j++)
					dx[(size_t)r * cols + j] = yr[j] * (g[j] - dot);
			}
			CHECK_EQ(t, run(&fx, 0, cmd, sm_bwd_cmd(cmd, dt, rows, cols, &Y, &DY, &DX)), 0);
			CHECK_EQ(t, mat_cmp("SOFTMAX_BWD", &fx, &DX, dx, 1e-6, 1e-4 + 2 * type_eps(dt)), 0);
			/* in place on dY */
			CHECK_EQ(t, run(&fx, 0, cmd, sm_bwd_cmd(cmd, dt, rows, cols, &Y, &DY, &DY)), 0);
			CHECK_EQ(t, mat_cmp("SOFTMAX_BWD in place", &fx, &DY, dx, 1e-6,
					    1e-4 + 2 * type_eps(dt)), 0);
			/* the gradient of sum(g * softmax(x)), by finite differences */
			if (s == 0 && dt == TESSERA_DTYPE_FP32) {
				const double h = 1e-5;
				double yp[13], ym[13], xs[13];
				unsigned int bad = 0;

				mat_put(&fx, &DY, dy);
				CHECK_EQ(t, run(&fx, 0, cmd, sm_bwd_cmd(cmd, dt, rows, cols, &Y, &DY,
									 &DX)), 0);
				for (uint32_t r = 0; r < rows; r++) {
					for (uint32_t j = 0; j < cols; j++) {
						double lp = 0, lm = 0, fd;

						memcpy(xs, &x[(size_t)r * cols], sizeof(xs));
						xs[j] += h;
						ref_softmax(xs, cols, cols, yp);
						xs[j] -= 2 * h;
						ref_softmax(xs, cols, cols, ym);
						for (uint32_t k = 0; k < cols; k++) {
							lp += dy[(size_t)r * cols + k] * yp[k];
							lm += dy[(size_t)r * cols + k] * ym[k];
						}
						fd = (lp - lm) / (2 * h);
						if (fabs(mat_get(&fx, &DX, r, j) - fd) > 1e-5)
							bad++;
					}
				}
				CHECK_EQ(t, bad, 0);
			}
			free(x);
			free(y);
			free(dy);
			free(dx);
			fx.data_next = first;
		}
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* EMBEDDING */

static unsigned int emb_cmd(uint32_t *dw, bool scatter, uint32_t dt, uint32_t count,
			    uint32_t cols, uint64_t idx, const struct mat *tab,
			    const struct mat *x)
{
	uint32_t v[TESSERA_CMD_EMBEDDING_LEN] = {
		HDR(TESSERA_CMD_OP_EMBEDDING, scatter ? TESSERA_EMB_SCATTER_ADD : 0,
		    TESSERA_CMD_EMBEDDING_LEN),
		dt, count, cols, VA(idx), VA(va(tab)), tab->rows, tab->ld, VA(va(x)), x->ld,
	};

	memcpy(dw, v, sizeof(v));
	return TESSERA_CMD_EMBEDDING_LEN;
}

static void test_embedding(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_FP16, TESSERA_DTYPE_BF16 };
	const uint32_t vocab = 257, cols = 48, count = 3000;
	uint32_t cmd[TESSERA_CMD_EMBEDDING_LEN];
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 3; d++) {
		uint32_t dt = dts[d];
		struct mat T = mat_new(&fx, dt, vocab, cols, cols + 4);
		struct mat X = mat_new(&fx, dt, count, cols, cols + 1);
		uint64_t io = alloc(&fx, count * 4), first = T.off;
		int32_t *idx = (int32_t *)(fx.mem + io);
		double *tab = dalloc((size_t)vocab * cols), *x = dalloc((size_t)count * cols);
		unsigned int seed = 77 + d, bad = 0;
		uint8_t *before = malloc((size_t)count * (cols + 1) * 4);

		mat_rand(&fx, &T, tab, 2.0, &seed);
		for (uint32_t i = 0; i < count; i++)
			idx[i] = (int32_t)(rand_r(&seed) % vocab);
		idx[5] = 0;
		idx[6] = (int32_t)vocab - 1;
		/* gather: exact copies */
		CHECK_EQ(t, run(&fx, 0, cmd, emb_cmd(cmd, false, dt, count, cols, HOST(io), &T, &X)),
			 0);
		for (uint32_t i = 0; i < count; i++)
			bad += !!memcmp(at(&fx, &X, i, 0), at(&fx, &T, (uint32_t)idx[i], 0),
					cols * esize(dt));
		CHECK_EQ(t, bad, 0);
		CHECK(t, gaps_ok(&fx, &X));
		/* an index out of range: nothing written */
		for (int k = 0; k < 2; k++) {
			memset(fx.mem + X.off, GUARD, (size_t)(count - 1) * X.ld * esize(dt) +
			       cols * esize(dt));
			memcpy(before, fx.mem + X.off, (size_t)count * X.ld * esize(dt) -
			       (X.ld - cols) * esize(dt));
			idx[count - 1] = k ? -1 : (int32_t)vocab;
			CHECK_EQ(t, run(&fx, 0, cmd, emb_cmd(cmd, false, dt, count, cols, HOST(io),
							      &T, &X)),
				 TESSERA_ERR_INVALID_CMD);
			CHECK(t, logged(&fx, "EMBEDDING", k ? "index -1" : "index 257"));
			CHECK(t, !memcmp(before, fx.mem + X.off, (size_t)count * X.ld * esize(dt) -
					 (X.ld - cols) * esize(dt)));
			idx[count - 1] = 3;
		}
		/* scatter-add, FP32 and BF16: T[idx[i]] += X[i], in index order */
		if (dt != TESSERA_DTYPE_FP16) {
			double *xs = dalloc((size_t)count * cols);

			mat_rand(&fx, &X, x, 1.0, &seed);
			memcpy(xs, tab, (size_t)vocab * cols * sizeof(double));
			for (uint32_t i = 0; i < count; i++)
				for (uint32_t j = 0; j < cols; j++) {
					double *e = &xs[(size_t)idx[i] * cols + j];

					/* one fp32 add, rounded to the type, per index */
					*e = round_to(dt, (float)((float)*e + (float)x[(size_t)i * cols + j]));
				}
			CHECK_EQ(t, run(&fx, 0, cmd, emb_cmd(cmd, true, dt, count, cols, HOST(io),
							      &T, &X)), 0);
			CHECK_EQ(t, mat_cmp("EMBEDDING scatter-add", &fx, &T, xs, 0, 0), 0);
			free(xs);
		} else {
			CHECK_EQ(t, run(&fx, 0, cmd, emb_cmd(cmd, true, dt, count, cols, HOST(io),
							      &T, &X)), TESSERA_ERR_INVALID_CMD);
		}
		free(tab);
		free(x);
		free(before);
		fx.data_next = first;
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* RMSNORM and RMSNORM_BWD */

/* y = x * rstd * g over one row; returns rstd. */
static double ref_rms(const double *x, const double *g, uint32_t n, double eps, double *y)
{
	double ss = 0, rs;

	for (uint32_t j = 0; j < n; j++)
		ss += x[j] * x[j];
	rs = 1.0 / sqrt(ss / n + eps);
	for (uint32_t j = 0; y && j < n; j++)
		y[j] = x[j] * rs * (g ? g[j] : 1.0);
	return rs;
}

struct rms_ops {
	uint32_t flags, dt, rows, cols;
	const struct mat *x, *y, *dy;
	uint64_t gamma, dgamma, rstd;
	float eps;
};

static unsigned int rms_cmd(uint32_t *dw, const struct rms_ops *o, bool bwd)
{
	if (!bwd) {
		uint32_t v[TESSERA_CMD_RMSNORM_LEN] = {
			HDR(TESSERA_CMD_OP_RMSNORM, o->flags, TESSERA_CMD_RMSNORM_LEN),
			o->dt, o->rows, o->cols, VA(va(o->x)), o->x->ld, VA(va(o->y)), o->y->ld,
			VA(o->gamma), VA(o->rstd), fbits(o->eps),
		};

		memcpy(dw, v, sizeof(v));
		return TESSERA_CMD_RMSNORM_LEN;
	} else {
		uint32_t v[TESSERA_CMD_RMSNORM_BWD_LEN] = {
			HDR(TESSERA_CMD_OP_RMSNORM_BWD, o->flags, TESSERA_CMD_RMSNORM_BWD_LEN),
			o->dt, o->rows, o->cols, VA(va(o->x)), o->x->ld, VA(va(o->dy)),
			o->dy->ld, VA(va(o->y)), o->y->ld, VA(o->gamma), VA(o->dgamma),
			VA(o->rstd), fbits(o->eps),
		};

		memcpy(dw, v, sizeof(v));
		return TESSERA_CMD_RMSNORM_BWD_LEN;
	}
}

static void test_rmsnorm(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_BF16 };
	const uint32_t shapes[][2] = { { 9, 37 }, { 300, 256 }, { 2, 65536 } };
	uint32_t cmd[TESSERA_CMD_RMSNORM_BWD_LEN];
	const float eps = 1e-5f;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 2; d++) {
		for (unsigned int s = 0; s < ARRAY_SIZE(shapes); s++) {
			uint32_t dt = dts[d], rows = shapes[s][0], cols = shapes[s][1];
			size_t n = (size_t)rows * cols;
			struct mat X = mat_new(&fx, dt, rows, cols, cols + 2);
			struct mat Y = mat_new(&fx, dt, rows, cols, cols + 1);
			struct mat DY = mat_new(&fx, dt, rows, cols, cols + 3);
			struct mat G = mat_new(&fx, TESSERA_DTYPE_FP32, 1, cols, cols);
			struct mat DG = mat_new(&fx, TESSERA_DTYPE_FP32, 1, cols, cols);
			struct mat R = mat_new(&fx, TESSERA_DTYPE_FP32, 1, rows, rows);
			double *x = dalloc(n), *y = dalloc(n), *dy = dalloc(n), *dx = dalloc(n);
			double *g = dalloc(cols), *dg = dalloc(cols), *dg0 = dalloc(cols);
			double *rs = dalloc(rows), *old = dalloc(n);
			double tol = 2e-5 + 2 * type_eps(dt);
			unsigned int seed = 5 + s + 10 * d;
			uint64_t first = X.off;
			struct rms_ops o = {
				.dt = dt, .rows = rows, .cols = cols, .x = &X, .y = &Y, .dy = &DY,
				.gamma = va(&G), .rstd = va(&R), .eps = eps,
				.flags = TESSERA_RMS_GAMMA | TESSERA_RMS_RSTD,
			};

			mat_rand(&fx, &X, x, 2.0, &seed);
			mat_rand(&fx, &G, g, 1.5, &seed);
			for (uint32_t r = 0; r < rows; r++)
				rs[r] = ref_rms(&x[(size_t)r * cols], g, cols, eps, &y[(size_t)r * cols]);
			CHECK_EQ(t, run(&fx, 0, cmd, rms_cmd(cmd, &o, false)), 0);
			CHECK_EQ(t, mat_cmp("RMSNORM", &fx, &Y, y, 1e-5, tol), 0);
			CHECK_EQ(t, mat_cmp("RMSNORM rstd", &fx, &R, rs, 0, 1e-5), 0);
			/* without gamma, in place, no rstd */
			o.flags = 0;
			o.gamma = o.rstd = 0;
			o.y = &X;
			for (uint32_t r = 0; r < rows; r++)
				ref_rms(&x[(size_t)r * cols], NULL, cols, eps, &y[(size_t)r * cols]);
			CHECK_EQ(t, run(&fx, 0, cmd, rms_cmd(cmd, &o, false)), 0);
			CHECK_EQ(t, mat_cmp("RMSNORM in place", &fx, &X, y, 1e-5, tol), 0);
			mat_put(&fx, &X, x);

			/* backward: dx (accumulated onto old dx) and dgamma += */
			mat_rand(&fx, &DY, dy, 1.0, &seed);
			mat_rand(&fx, &Y, old, 0.5, &seed);
			mat_rand(&fx, &DG, dg0, 0.5, &seed);
			for (uint32_t j = 0; j < cols; j++)
				dg[j] = dg0[j];
			for (uint32_t r = 0; r < rows; r++) {
				const double *xr = &x[(size_t)r * cols], *gr = &dy[(size_t)r * cols];
				double r_ = rs[r], dot = 0;

				for (uint32_t j = 0; j < cols; j++)
					dot += gr[j] * g[j] * xr[j];
				for (uint32_t j = 0; j < cols; j++) {
					dx[(size_t)r * cols + j] = old[(size_t)r * cols + j] +
						r_ * g[j] * gr[j] - xr[j] * r_ * r_ * r_ * dot / cols;
					dg[j] += gr[j] * xr[j] * r_;
				}
			}
			o.y = &Y;
			o.gamma = va(&G);
			o.dgamma = va(&DG);
			o.flags = TESSERA_RMS_GAMMA | TESSERA_RMS_ACCUM | TESSERA_RMS_DGAMMA;
			CHECK_EQ(t, run(&fx, 0, cmd, rms_cmd(cmd, &o, true)), 0);
			CHECK_EQ(t, mat_cmp("RMSNORM_BWD dx", &fx, &Y, dx, 1e-4, tol), 0);
			CHECK_EQ(t, mat_cmp("RMSNORM_BWD dgamma", &fx, &DG, dg, 1e-3,
					    1e-4 + (dt == TESSERA_DTYPE_BF16 ? 0 : 0)), 0);
			/* the same with rstd given, dx not accumulated, in place on dy */
			for (size_t i = 0; i < n; i++)
				dx[i] -= old[i];
			o.rstd = va(&R);
			o.dgamma = 0;
			o.y = &DY;
			o.flags = TESSERA_RMS_GAMMA | TESSERA_RMS_RSTD;
			{
				struct mat R32 = R;

				for (uint32_t r = 0; r < rows; r++)
					store(at(&fx, &R32, 0, r), TESSERA_DTYPE_FP32, rs[r]);
			}
			CHECK_EQ(t, run(&fx, 0, cmd, rms_cmd(cmd, &o, true)), 0);
			CHECK_EQ(t, mat_cmp("RMSNORM_BWD given rstd, in place", &fx, &DY, dx, 1e-4,
					    tol), 0);
			/* finite differences of sum(dy * rmsnorm(x)) in x and gamma */
			if (s == 0 && dt == TESSERA_DTYPE_FP32) {
				const double h = 1e-6;
				double yp[37], xs[37], gs[37];
				unsigned int bad = 0;

				mat_put(&fx, &DY, dy);
				o.y = &Y;
				o.rstd = 0;
				o.dgamma = va(&DG);
				o.flags = TESSERA_RMS_GAMMA | TESSERA_RMS_DGAMMA;
				memset(fx.mem + DG.off, 0, cols * 4);
				CHECK_EQ(t, run(&fx, 0, cmd, rms_cmd(cmd, &o, true)), 0);
				for (uint32_t j = 0; j < cols; j++)
					dg[j] = 0;
				for (uint32_t r = 0; r < rows; r++) {
					const double *gr = &dy[(size_t)r * cols];

					for (uint32_t j = 0; j < cols; j++) {
						double lp = 0, lm = 0;

						memcpy(xs, &x[(size_t)r * cols], sizeof(xs));
						xs[j] += h;
						ref_rms(xs, g, cols, eps, yp);
						for (uint32_t k = 0; k < cols; k++)
							lp += gr[k] * yp[k];
						xs[j] -= 2 * h;
						ref_rms(xs, g, cols, eps, yp);
						for (uint32_t k = 0; k < cols; k++)
							lm += gr[k] * yp[k];
						if (fabs(mat_get(&fx, &Y, r, j) - (lp - lm) / (2 * h)) > 1e-4)
							bad++;
						/* d/dgamma_j summed over rows */
						memcpy(gs, g, sizeof(gs));
						gs[j] += h;
						ref_rms(&x[(size_t)r * cols], gs, cols, eps, yp);
						lp = gr[j] * yp[j];
						gs[j] -= 2 * h;
						ref_rms(&x[(size_t)r * cols], gs, cols, eps, yp);
						lm = gr[j] * yp[j];
						dg[j] += (lp - lm) / (2 * h);
					}
				}
				CHECK_EQ(t, bad, 0);
				CHECK_EQ(t, mat_cmp("RMSNORM_BWD dgamma by differences", &fx, &DG, dg,
						    1e-4, 1e-4), 0);
			}
			free(x);
			free(y);
			free(dy);
			free(dx);
			free(g);
			free(dg);
			free(dg0);
			free(rs);
			free(old);
			fx.data_next = first;
		}
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* ROPE */

struct rope_args {
	uint32_t dt, rows, heads, hd, n_rot, pos0, period;
	float theta;
	bool bwd;
};

static unsigned int rope_cmd(uint32_t *dw, const struct rope_args *a, const struct mat *x,
			     const struct mat *y)
{
	uint32_t v[TESSERA_CMD_ROPE_LEN] = {
		HDR(TESSERA_CMD_OP_ROPE, a->bwd ? TESSERA_ROPE_BWD : 0, TESSERA_CMD_ROPE_LEN),
		a->dt, a->rows, a->heads, a->hd, VA(va(x)), x->ld, VA(va(y)), y->ld,
		a->pos0, a->period, fbits(a->theta), a->n_rot,
	};

	memcpy(dw, v, sizeof(v));
	return TESSERA_CMD_ROPE_LEN;
}

/* llama.cpp "normal" RoPE of one row, by the angle's sign @sgn. */
static void ref_rope(const struct rope_args *a, uint32_t r, const double *x, double *y,
		     double sgn)
{
	double p = (double)a->pos0 + r % a->period;

	for (uint32_t h = 0; h < a->heads; h++) {
		const double *xh = x + (size_t)h * a->hd;
		double *yh = y + (size_t)h * a->hd;

		for (uint32_t i = 0; i < a->hd; i++)
			yh[i] = xh[i];
		for (uint32_t i = 0; i < a->n_rot / 2; i++) {
			double ang = sgn * p * pow(a->theta, -2.0 * i / a->n_rot);

			yh[2 * i] = xh[2 * i] * cos(ang) - xh[2 * i + 1] * sin(ang);
			yh[2 * i + 1] = xh[2 * i] * sin(ang) + xh[2 * i + 1] * cos(ang);
		}
	}
}

static void test_rope(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_BF16 };
	const struct rope_args shapes[] = {
		{ .rows = 48, .heads = 4, .hd = 16, .n_rot = 16, .period = 24, .theta = 10000 },
		{ .rows = 3, .heads = 2, .hd = 12, .n_rot = 8, .pos0 = 1000, .period = 1,
		  .theta = 500000 },
		{ .rows = 5000, .heads = 8, .hd = 64, .n_rot = 64, .period = 128,
		  .theta = 10000 },
		{ .rows = 4, .heads = 1, .hd = 65536, .n_rot = 65536, .pos0 = 7, .period = 3,
		  .theta = 10000 },
	};
	uint32_t cmd[TESSERA_CMD_ROPE_LEN];
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 2; d++) {
		for (unsigned int s = 0; s < ARRAY_SIZE(shapes); s++) {
			struct rope_args a = shapes[s];
			uint32_t cols = a.heads * a.hd;
			size_t n = (size_t)a.rows * cols;
			struct mat X, Y;
			double *x = dalloc(n), *y = dalloc(n), *z = dalloc(n);
			double tol = 2e-6 + 2 * type_eps(dts[d]);
			unsigned int seed = 11 + s;
			uint64_t first;
			double dot1 = 0, dot2 = 0;

			a.dt = dts[d];
			X = mat_new(&fx, a.dt, a.rows, cols, cols + 2);
			Y = mat_new(&fx, a.dt, a.rows, cols, cols * 2);
			first = X.off;
			mat_rand(&fx, &X, x, 1.0, &seed);
			for (uint32_t r = 0; r < a.rows; r++)
				ref_rope(&a, r, &x[(size_t)r * cols], &y[(size_t)r * cols], 1);
			CHECK_EQ(t, run(&fx, 0, cmd, rope_cmd(cmd, &a, &X, &Y)), 0);
			CHECK_EQ(t, mat_cmp("ROPE", &fx, &Y, y, 1e-6, tol), 0);
			/* backward = by minus the angle = the transpose: <R x, z> = <x, R^T z> */
			a.bwd = true;
			mat_rand(&fx, &Y, z, 1.0, &seed);
			for (uint32_t r = 0; r < a.rows; r++)
				ref_rope(&a, r, &z[(size_t)r * cols], &y[(size_t)r * cols], -1);
			CHECK_EQ(t, run(&fx, 0, cmd, rope_cmd(cmd, &a, &Y, &Y)), 0);
			CHECK_EQ(t, mat_cmp("ROPE backward, in place", &fx, &Y, y, 1e-6, tol), 0);
			if (a.rows * (size_t)cols < 100000) {
				double *rx = dalloc(n);

				for (uint32_t r = 0; r < a.rows; r++)
					ref_rope(&a, r, &x[(size_t)r * cols], &rx[(size_t)r * cols], 1);
				for (size_t i = 0; i < n; i++) {
					dot1 += rx[i] * z[i];
					dot2 += x[i] * mat_get(&fx, &Y, (uint32_t)(i / cols),
							       (uint32_t)(i % cols));
				}
				CHECK(t, fabs(dot1 - dot2) <= 1e-4 * (1 + fabs(dot1)) +
					 (a.dt == TESSERA_DTYPE_BF16 ? 0.05 * sqrt((double)n) / 16 : 0));
				free(rx);
			}
			free(x);
			free(y);
			free(z);
			fx.data_next = first;
		}
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* ELEMENTWISE: SiLU, SwiGLU, activation backward; the long form */

static double sigm(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

static double silu(double x)
{
	return x * sigm(x);
}

static double gelu(double x)
{
	return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
}

/* f'(x) by the formula. */
static double dsilu(double x)
{
	return sigm(x) * (1.0 + x * (1.0 - sigm(x)));
}

static double dgelu(double x)
{
	return 0.5 * (1.0 + erf(x / sqrt(2.0))) + x * exp(-x * x / 2) / sqrt(2 * M_PI);
}

/* Outputs D (and E) of op on inputs a, b, c. */
static void ref_ew(uint32_t op, double a, double b, double c, double *d, double *e)
{
	switch (op) {
	case TESSERA_EW_SILU:		*d = silu(a); break;
	case TESSERA_EW_SWIGLU:		*d = silu(a) * b; break;
	case TESSERA_EW_RELU_BWD:	*d = a > 0 ? b : 0; break;
	case TESSERA_EW_GELU_BWD:	*d = b * dgelu(a); break;
	case TESSERA_EW_SILU_BWD:	*d = b * dsilu(a); break;
	case TESSERA_EW_SWIGLU_BWD:
		*d = c * b * dsilu(a);
		*e = c * silu(a);
		break;
	case TESSERA_EW_ADD:		*d = a + b; break;
	case TESSERA_EW_MUL:		*d = a * b; break;
	}
}

static unsigned int ew2_cmd(uint32_t *dw, uint32_t op, uint32_t dt, const struct mat *a,
			    const struct mat *b, const struct mat *c, const struct mat *d,
			    const struct mat *e)
{
	uint32_t v[TESSERA_CMD_EW2_LEN] = {
		HDR(TESSERA_CMD_OP_ELEMENTWISE, op, TESSERA_CMD_EW2_LEN),
		dt | dt << 8, d->rows, d->cols, VA(va(a)), a->ld,
		VA(b ? va(b) : 0), b ? b->ld : 0, VA(c ? va(c) : 0), c ? c->ld : 0,
		VA(va(d)), d->ld, VA(e ? va(e) : 0), e ? e->ld : 0, 0,
	};

	memcpy(dw, v, sizeof(v));
	return TESSERA_CMD_EW2_LEN;
}

static void test_activations(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_FP16, TESSERA_DTYPE_BF16 };
	const uint32_t ops[] = {
		TESSERA_EW_SILU, TESSERA_EW_SWIGLU, TESSERA_EW_RELU_BWD, TESSERA_EW_GELU_BWD,
		TESSERA_EW_SILU_BWD, TESSERA_EW_SWIGLU_BWD, TESSERA_EW_ADD, TESSERA_EW_MUL,
	};
	const uint32_t rows = 700, cols = 230;	/* several units, strided */
	uint32_t cmd[TESSERA_CMD_EW2_LEN];
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 3; d++) {
		for (unsigned int o = 0; o < ARRAY_SIZE(ops); o++) {
			uint32_t dt = dts[d], op = ops[o];
			size_t n = (size_t)rows * cols;
			/* SwiGLU's gate and up halves of one [rows, 2 * cols] GEMM output */
			struct mat GU = mat_new(&fx, dt, rows, 2 * cols, 2 * cols + 1);
			struct mat A = GU, B = GU;
			struct mat C = mat_new(&fx, dt, rows, cols, cols);
			struct mat D = mat_new(&fx, dt, rows, cols, cols + 7);
			struct mat E = mat_new(&fx, dt, rows, cols, cols + 2);
			double *gu = dalloc(2 * n), *a = dalloc(n), *b = dalloc(n), *c = dalloc(n);
			double *dd = dalloc(n), *ee = dalloc(n);
			bool swb = op == TESSERA_EW_SWIGLU_BWD, unary = op == TESSERA_EW_SILU;
			double tol = 1e-5 + 2 * type_eps(dt);
			unsigned int seed = 31 + o;
			uint64_t first = GU.off;
			char what[64];

			mat_rand(&fx, &GU, gu, 6.0, &seed);
			A.cols = B.cols = cols;
			B.off += cols * esize(dt);
			mat_rand(&fx, &C, c, 1.0, &seed);
			for (size_t i = 0; i < n; i++) {
				a[i] = gu[(i / cols) * 2 * cols + i % cols];
				b[i] = gu[(i / cols) * 2 * cols + cols + i % cols];
				ref_ew(op, a[i], b[i], c[i], &dd[i], &ee[i]);
			}
			snprintf(what, sizeof(what), "ELEMENTWISE op %u %s", op, dt_name(dt));
			CHECK_EQ(t, run(&fx, 0, cmd, ew2_cmd(cmd, op, dt, &A, unary ? NULL : &B,
							       swb ? &C : NULL, &D,
							       swb ? &E : NULL)), 0);
			if (mat_cmp(what, &fx, &D, dd, 1e-5, tol)) {
				CHECK(t, false);
			}
			if (swb)
				CHECK_EQ(t, mat_cmp(what, &fx, &E, ee, 1e-5, tol), 0);
			/* the short form on one row: the same values (not SWIGLU_BWD) */
			if (!swb && op >= TESSERA_EW_SILU) {
				struct mat D1 = mat_new(&fx, dt, 1, cols, cols);
				uint32_t v[TESSERA_CMD_EW_LEN] = {
					HDR(TESSERA_CMD_OP_ELEMENTWISE, op, TESSERA_CMD_EW_LEN),
					dt | dt << 8, cols, VA(va(&A)), VA(unary ? 0 : va(&B)),
					VA(va(&D1)), 0,
				};

				CHECK_EQ(t, run(&fx, 0, v, TESSERA_CMD_EW_LEN), 0);
				CHECK(t, !memcmp(at(&fx, &D1, 0, 0), at(&fx, &D, 0, 0),
						 cols * esize(dt)));
			}
			/* gradients by finite differences of the reference forward */
			if (op >= TESSERA_EW_GELU_BWD && op <= TESSERA_EW_SWIGLU_BWD &&
			    dt == TESSERA_DTYPE_FP32) {
				unsigned int bad = 0;

				for (size_t i = 0; i < n; i += 97) {
					const double h = 1e-6;
					double fd, fde = 0, u = swb ? c[i] : b[i];

					if (op == TESSERA_EW_GELU_BWD)
						fd = u * (gelu(a[i] + h) - gelu(a[i] - h)) / (2 * h);
					else if (op == TESSERA_EW_SILU_BWD)
						fd = u * (silu(a[i] + h) - silu(a[i] - h)) / (2 * h);
					else {
						fd = u * b[i] * (silu(a[i] + h) - silu(a[i] - h)) / (2 * h);
						fde = u * (silu(a[i]) * (b[i] + h) -
							   silu(a[i]) * (b[i] - h)) / (2 * h);
						if (fabs(mat_get(&fx, &E, (uint32_t)(i / cols),
								 (uint32_t)(i % cols)) - fde) > 1e-5)
							bad++;
					}
					if (fabs(mat_get(&fx, &D, (uint32_t)(i / cols),
							 (uint32_t)(i % cols)) - fd) > 1e-5)
						bad++;
				}
				CHECK_EQ(t, bad, 0);
			}
			free(gu);
			free(a);
			free(b);
			free(c);
			free(dd);
			free(ee);
			fx.data_next = first;
		}
	}
	/* the long form of the 1.0 ops: CAST between strided matrices */
	{
		struct mat A = mat_new(&fx, TESSERA_DTYPE_FP32, 300, 250, 260);
		struct mat D = mat_new(&fx, TESSERA_DTYPE_BF16, 300, 250, 251);
		double *a = dalloc(300 * 250);
		unsigned int seed = 1;
		uint32_t v[TESSERA_CMD_EW2_LEN] = {
			HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_CAST, TESSERA_CMD_EW2_LEN),
			TESSERA_DTYPE_FP32 | TESSERA_DTYPE_BF16 << 8, 300, 250, VA(va(&A)), 260,
			0, 0, 0, 0, 0, 0, VA(va(&D)), 251, 0, 0, 0, 0,
		};

		mat_rand(&fx, &A, a, 100.0, &seed);
		for (size_t i = 0; i < 300 * 250; i++)
			a[i] = round_to(TESSERA_DTYPE_BF16, a[i]);
		CHECK_EQ(t, run(&fx, 0, v, TESSERA_CMD_EW2_LEN), 0);
		CHECK_EQ(t, mat_cmp("ELEMENTWISE CAST long form", &fx, &D, a, 0, 0), 0);
		/* SCALE in place, dense: 75000 elements, more than the short form allows */
		v[0] = HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SCALE, TESSERA_CMD_EW2_LEN);
		v[1] = TESSERA_DTYPE_BF16 | TESSERA_DTYPE_BF16 << 8;
		v[3] = 251;
		v[4] = LO(va(&D));
		v[5] = HI(va(&D));
		v[6] = 251;
		v[19] = fbits(-0.5f);
		for (size_t i = 0; i < 300 * 250; i++)
			a[i] = round_to(TESSERA_DTYPE_BF16, a[i] * -0.5);
		D.cols = 251;
		{
			double *full = dalloc(300 * 251);

			for (uint32_t r = 0; r < 300; r++)
				for (uint32_t cc = 0; cc < 251; cc++)
					full[r * 251 + cc] = cc < 250 ? a[r * 250 + cc] :
							     round_to(TESSERA_DTYPE_BF16,
								      -0.5 * load(at(&fx, &D, r, cc),
										  TESSERA_DTYPE_BF16));
			CHECK_EQ(t, run(&fx, 0, v, TESSERA_CMD_EW2_LEN), 0);
			CHECK_EQ(t, mat_cmp("ELEMENTWISE SCALE long form", &fx, &D, full, 0, 0),
				 0);
			free(full);
		}
		free(a);
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* CROSS_ENTROPY */

static unsigned int ce_cmd(uint32_t *dw, uint32_t flags, uint32_t dt, const struct mat *l,
			   uint64_t tgt, uint64_t loss, const struct mat *dx, float scale,
			   int32_t ignore)
{
	uint32_t v[TESSERA_CMD_CE_LEN] = {
		HDR(TESSERA_CMD_OP_CROSS_ENTROPY, flags, TESSERA_CMD_CE_LEN),
		dt, l->rows, l->cols, VA(va(l)), l->ld, VA(tgt), VA(loss),
		VA(dx ? va(dx) : 0), dx ? dx->ld : 0, dx ? fbits(scale) : 0, (uint32_t)ignore,
	};

	memcpy(dw, v, sizeof(v));
	return TESSERA_CMD_CE_LEN;
}

/* loss of one row: logsumexp(x) - x[t] */
static double ref_ce(const double *x, uint32_t n, int32_t t)
{
	double mx = -INFINITY, s = 0;

	for (uint32_t j = 0; j < n; j++)
		mx = x[j] > mx ? x[j] : mx;
	for (uint32_t j = 0; j < n; j++)
		s += exp(x[j] - mx);
	return log(s) + mx - x[t];
}

static void test_cross_entropy(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_BF16 };
	const uint32_t shapes[][2] = { { 10, 7 }, { 2048, 256 }, { 3, 65536 } };
	uint32_t cmd[TESSERA_CMD_CE_LEN];
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 2; d++) {
		for (unsigned int s = 0; s < ARRAY_SIZE(shapes); s++) {
			uint32_t dt = dts[d], rows = shapes[s][0], cls = shapes[s][1];
			size_t n = (size_t)rows * cls;
			struct mat L = mat_new(&fx, dt, rows, cls, cls + 1);
			struct mat DX = mat_new(&fx, dt, rows, cls, cls + 3);
			struct mat LOSS = mat_new(&fx, TESSERA_DTYPE_FP32, 1, rows, rows);
			uint64_t to = alloc(&fx, rows * 4), first = L.off;
			int32_t *tg = (int32_t *)(fx.mem + to);
			double *x = dalloc(n), *loss = dalloc(rows), *dx = dalloc(n);
			double tol = 1e-5 + 2 * type_eps(dt);
			const float scale = 1.0f / rows;
			unsigned int seed = 41 + s;

			mat_rand(&fx, &L, x, 8.0, &seed);
			/* a far-off logit: its probability underflows, its loss must not */
			x[1] = round_to(dt, -120.0);
			store(at(&fx, &L, 0, 1), dt, x[1]);
			for (uint32_t r = 0; r < rows; r++)
				tg[r] = (int32_t)(rand_r(&seed) % cls);
			tg[0] = 1;
			tg[rows - 1] = -100;	/* ignored */
			for (uint32_t r = 0; r < rows; r++) {
				const double *xr = &x[(size_t)r * cls];

				if (tg[r] == -100) {
					loss[r] = 0;
					for (uint32_t j = 0; j < cls; j++)
						dx[(size_t)r * cls + j] = 0;
					continue;
				}
				loss[r] = ref_ce(xr, cls, tg[r]);
				{
					double mx = -INFINITY, sum = 0;

					for (uint32_t j = 0; j < cls; j++)
						mx = xr[j] > mx ? xr[j] : mx;
					for (uint32_t j = 0; j < cls; j++)
						sum += exp(xr[j] - mx);
					for (uint32_t j = 0; j < cls; j++)
						dx[(size_t)r * cls + j] =
							(exp(xr[j] - mx) / sum - (j == (uint32_t)tg[r])) *
							scale;
				}
			}
			CHECK_EQ(t, run(&fx, 0, cmd, ce_cmd(cmd, TESSERA_CE_LOSS | TESSERA_CE_DLOGITS,
							     dt, &L, HOST(to), va(&LOSS), &DX, scale,
							     -100)), 0);
			CHECK_EQ(t, mat_cmp("CROSS_ENTROPY loss", &fx, &LOSS, loss, 1e-5, 1e-5), 0);
			CHECK_EQ(t, mat_cmp("CROSS_ENTROPY dlogits", &fx, &DX, dx, 1e-6 * scale,
					    tol), 0);
			/* in place: dlogits over the logits */
			CHECK_EQ(t, run(&fx, 0, cmd, ce_cmd(cmd, TESSERA_CE_DLOGITS, dt, &L, HOST(to),
							     0, &L, scale, -100)), 0);
			CHECK_EQ(t, mat_cmp("CROSS_ENTROPY in place", &fx, &L, dx, 1e-6 * scale, tol),
				 0);
			/* dlogits = d(scale * sum of losses) / dx, by differences */
			if (s == 0 && dt == TESSERA_DTYPE_FP32) {
				unsigned int bad = 0;

				for (uint32_t r = 0; r + 1 < rows; r++) {
					for (uint32_t j = 0; j < cls; j++) {
						double xs[7], h = 1e-6, fd;

						memcpy(xs, &x[(size_t)r * cls], sizeof(xs));
						xs[j] += h;
						fd = ref_ce(xs, cls, tg[r]);
						xs[j] -= 2 * h;
						fd = (fd - ref_ce(xs, cls, tg[r])) / (2 * h) * scale;
						if (fabs(mat_get(&fx, &L, r, j) - fd) > 1e-6)
							bad++;
					}
				}
				CHECK_EQ(t, bad, 0);
			}
			/* a target out of range: invalid, the loss untouched */
			tg[rows / 2] = (int32_t)cls;
			memset(fx.mem + LOSS.off, GUARD, rows * 4);
			CHECK_EQ(t, run(&fx, 0, cmd, ce_cmd(cmd, TESSERA_CE_LOSS, dt, &L, HOST(to),
							     va(&LOSS), NULL, 0, -100)),
				 TESSERA_ERR_INVALID_CMD);
			CHECK(t, logged(&fx, "CROSS_ENTROPY", "target"));
			CHECK_EQ(t, fx.mem[LOSS.off], GUARD);
			free(x);
			free(loss);
			free(dx);
			fx.data_next = first;
		}
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* REDUCE */

static void test_reduce(struct tap *t)
{
	const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_BF16 };
	const uint32_t shapes[][2] = { { 1, 1 }, { 33, 17 }, { 2048, 256 }, { 3, 65536 } };
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (unsigned int d = 0; d < 2; d++) {
		for (unsigned int s = 0; s < ARRAY_SIZE(shapes); s++) {
			for (uint32_t fl = 0; fl < 16; fl++) {
				uint32_t dt = dts[d], rows = shapes[s][0], cols = shapes[s][1];
				uint32_t axis = fl & TESSERA_RED_AXIS_MASK;
				bool accum = fl & TESSERA_RED_ACCUM, sq = fl & TESSERA_RED_SQUARE;
				uint32_t nd = axis == TESSERA_RED_ROWS ? rows :
					      axis == TESSERA_RED_COLS ? cols : 1;
				struct mat X = mat_new(&fx, dt, rows, cols, cols + 5);
				struct mat D = mat_new(&fx, TESSERA_DTYPE_FP32, 1, nd, nd);
				double *x = dalloc((size_t)rows * cols), *dst = dalloc(nd);
				double *want = dalloc(nd), *mag = dalloc(nd);
				unsigned int seed = fl + 100 * s, bad = 0;
				uint64_t first = X.off;
				const float scale = 0.75f;
				uint32_t v[TESSERA_CMD_REDUCE_LEN] = {
					HDR(TESSERA_CMD_OP_REDUCE, fl, TESSERA_CMD_REDUCE_LEN),
					dt, rows, cols, VA(va(&X)), X.ld, VA(va(&D)), fbits(scale),
				};

				if (axis == 3) {
					fx.data_next = first;
					free(x);
					free(dst);
					free(want);
					free(mag);
					continue;
				}
				mat_rand(&fx, &X, x, 1.0, &seed);
				mat_rand(&fx, &D, dst, 10.0, &seed);
				for (uint32_t i = 0; i < nd; i++)
					want[i] = accum ? dst[i] : 0;
				for (uint32_t r = 0; r < rows; r++) {
					for (uint32_t c = 0; c < cols; c++) {
						double e = x[(size_t)r * cols + c];

						uint32_t o = axis == TESSERA_RED_ROWS ? r :
							     axis == TESSERA_RED_COLS ? c : 0;

						e = sq ? e * e : e;
						mag[o] += fabs(e);
						want[o] += scale * e;
					}
				}
				CHECK_EQ(t, run(&fx, 0, v, TESSERA_CMD_REDUCE_LEN), 0);
				/* fp32 sums: within 1e-6 of the sum of magnitudes */
				for (uint32_t i = 0; i < nd; i++) {
					double g = mat_get(&fx, &D, 0, i);

					if (fabs(g - want[i]) > 1e-6 * (mag[i] + fabs(dst[i])) + 1e-7 &&
					    bad++ < 4)
						printf("# REDUCE [%u]: got %.9g want %.9g\n", i, g,
						       want[i]);
				}
				if (bad) {
					printf("# REDUCE flags %#x %s %ux%u\n", fl, dt_name(dt), rows,
					       cols);
					CHECK(t, false);
				}
				free(x);
				free(dst);
				free(want);
				free(mag);
				fx.data_next = first;
			}
		}
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* ADAMW */

struct adamw_hp {
	float lr, b1, b2, eps, wd, gs, max_norm;
	uint32_t step, flags;
};

static unsigned int adamw_cmd(uint32_t *dw, const struct adamw_hp *h, uint32_t count,
			      uint64_t p, uint64_t g, uint64_t m, uint64_t v, uint64_t ss)
{
	uint32_t x[TESSERA_CMD_ADAMW_LEN] = {
		HDR(TESSERA_CMD_OP_ADAMW, h->flags, TESSERA_CMD_ADAMW_LEN),
		count, VA(p), VA(g), VA(m), VA(v), fbits(h->lr), fbits(h->b1), fbits(h->b2),
		fbits(h->eps), fbits(h->wd), h->step, fbits(h->gs),
		VA(h->flags & TESSERA_ADAMW_CLIP ? ss : 0),
		h->flags & TESSERA_ADAMW_CLIP ? fbits(h->max_norm) : 0,
	};

	memcpy(dw, x, sizeof(x));
	return TESSERA_CMD_ADAMW_LEN;
}

static void test_adamw(struct tap *t)
{
	const uint32_t count = 200003;	/* several units, not a multiple of one */
	uint32_t cmd[TESSERA_CMD_ADAMW_LEN];
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (int variant = 0; variant < 3; variant++) {
		struct mat P = mat_new(&fx, TESSERA_DTYPE_FP32, 1, count, count);
		struct mat G = mat_new(&fx, TESSERA_DTYPE_FP32, 1, count, count);
		struct mat M = mat_new(&fx, TESSERA_DTYPE_FP32, 1, count, count);
		struct mat V = mat_new(&fx, TESSERA_DTYPE_FP32, 1, count, count);
		struct mat S = mat_new(&fx, TESSERA_DTYPE_FP32, 1, 1, 1);
		double *p = dalloc(count), *g = dalloc(count), *m = dalloc(count);
		double *v = dalloc(count), ss = 0;
		unsigned int seed = 9 + variant;
		struct adamw_hp h = {
			.lr = 3e-3f, .b1 = 0.9f, .b2 = 0.95f, .eps = 1e-8f, .wd = 0.1f,
			.gs = 0.5f, .max_norm = 1.0f,
			.flags = variant == 1 ? TESSERA_ADAMW_CLIP :
				 variant == 2 ? TESSERA_ADAMW_ZERO_GRAD : 0,
		};
		uint64_t first = P.off;

		mat_rand(&fx, &P, p, 1.0, &seed);
		for (uint32_t i = 0; i < count; i++)
			m[i] = v[i] = 0;
		mat_put(&fx, &M, m);
		mat_put(&fx, &V, v);
		for (h.step = 1; h.step <= 4; h.step++) {
			double bc1 = 1 - pow(h.b1, h.step), bc2 = 1 - pow(h.b2, h.step), scale = h.gs;

			mat_rand(&fx, &G, g, 0.01, &seed);
			if (variant == 1) {
				/* clip to a global norm of 1: this one is about 1.3 */
				double norm;

				ss = 0;
				for (uint32_t i = 0; i < count; i++)
					ss += g[i] * g[i];
				store(at(&fx, &S, 0, 0), TESSERA_DTYPE_FP32, ss);
				ss = mat_get(&fx, &S, 0, 0);
				norm = sqrt(ss) * h.gs;
				CHECK(t, norm > 1.1);
				if (h.max_norm / (norm + 1e-6) < 1)
					scale *= h.max_norm / (norm + 1e-6);
			}
			for (uint32_t i = 0; i < count; i++) {
				double gi = g[i] * scale;

				m[i] = h.b1 * m[i] + (1 - h.b1) * gi;
				v[i] = h.b2 * v[i] + (1 - h.b2) * gi * gi;
				p[i] = p[i] * (1 - (double)h.lr * h.wd) -
				       h.lr / bc1 * m[i] / (sqrt(v[i]) / sqrt(bc2) + h.eps);
			}
			CHECK_EQ(t, run(&fx, 0, cmd, adamw_cmd(cmd, &h, count, va(&P), va(&G), va(&M),
							       va(&V), va(&S))), 0);
			if (variant == 2)
				for (uint32_t i = 0; i < count; i++)
					g[i] = 0;
			CHECK_EQ(t, mat_cmp("ADAMW param", &fx, &P, p, 1e-6, 1e-5), 0);
			CHECK_EQ(t, mat_cmp("ADAMW m", &fx, &M, m, 1e-9, 1e-5), 0);
			CHECK_EQ(t, mat_cmp("ADAMW v", &fx, &V, v, 1e-12, 1e-5), 0);
			CHECK_EQ(t, mat_cmp("ADAMW grad", &fx, &G, g, 0, 0), 0);
		}
		/* bad hyperparameters */
		{
			struct adamw_hp bad[] = { h, h, h, h, h, h };

			bad[0].b1 = 1.0f;
			bad[1].eps = 0.0f;
			bad[2].lr = NAN;
			bad[3].step = 0;
			bad[4].wd = -1.0f;
			bad[5].flags |= TESSERA_ADAMW_CLIP;
			bad[5].max_norm = 0.0f;
			for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
				CHECK_EQ(t, run(&fx, 0, cmd, adamw_cmd(cmd, &bad[i], count, va(&P),
								       va(&G), va(&M), va(&V),
								       va(&S))),
					 TESSERA_ERR_INVALID_CMD);
				CHECK(t, logged(&fx, "ADAMW", NULL));
			}
			CHECK_EQ(t, mat_cmp("ADAMW param after bad commands", &fx, &P, p, 1e-6,
					    1e-5), 0);
		}
		free(p);
		free(g);
		free(m);
		free(v);
		fx.data_next = first;
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* Bad arguments */

struct mutation {
	unsigned int dw;
	uint32_t value;
	const char *what;
	unsigned int dw2;	/* a second dword to change, if not 0 */
	uint32_t value2;
};

/*
 * A valid command (checked to run), then each mutation of it: the
 * command fails with ERR_INVALID_CMD and a log line naming @name; and
 * the valid one on the DMA engine fails the same way.
 */
static void bad_cases(struct tap *t, struct fx *fx, const char *name, const uint32_t *good,
		      unsigned int len, const struct mutation *m, unsigned int nm)
{
	uint64_t ns = t1_now_ns(fx->t1);
	uint32_t cmd[32];

	if (!CHECK_EQ(t, run(fx, 0, good, len), 0)) {
		printf("# the valid %s failed: %s\n", name, fx->log_last);
		return;
	}
	/*
	 * The log takes T1_LOG_BURST lines a second of device time: start in
	 * a fresh second, and look at the lines that fit into it.
	 */
	usleep((useconds_t)((1000000000 - ns % 1000000000) / 1000 + 2000));
	CHECK_EQ(t, run(fx, 2, good, len), TESSERA_ERR_INVALID_CMD);
	CHECK(t, logged(fx, name, NULL));
	for (unsigned int i = 0; i < nm; i++) {
		unsigned int n = len;

		memcpy(cmd, good, len * 4);
		if (m[i].dw == 32) {
			/* one dword longer */
			cmd[len] = 0;
			n = len + 1;
			cmd[0] = HDR(TESSERA_CMD_OPCODE(good[0]), TESSERA_CMD_FLAGS(good[0]), n);
		} else {
			cmd[m[i].dw] = m[i].value;
		}
		if (m[i].dw2)
			cmd[m[i].dw2] = m[i].value2;
		if (!CHECK_EQ(t, run(fx, 0, cmd, n), TESSERA_ERR_INVALID_CMD) ||
		    (i + 2 < T1_LOG_BURST && !CHECK(t, logged(fx, name, NULL))))
			printf("# %s: %s accepted\n", name, m[i].what);
	}
}

#define LONGER	32	/* mutation: one dword more than the command's length */

static void test_bad_arguments(struct tap *t)
{
	struct fx fx;
	uint64_t base, b;
	float half = 0.5f;

	if (!CHECK(t, fx_init(&fx)))
		return;
	/* 1 MiB of small floats (and int32 zeros for indices) */
	base = alloc(&fx, 1 << 20);
	for (uint32_t i = 0; i < (1 << 18); i++)
		memcpy(fx.mem + base + 4 * i, i < 4096 ? &(int32_t){ 0 } : (void *)&half, 4);
	b = HOST(base);
#define OP(k)	VA(b + 16384 + (k) * 65536)
	{
		const uint32_t g[TESSERA_CMD_BGEMM_LEN] = {
			HDR(TESSERA_CMD_OP_BGEMM, 0, TESSERA_CMD_BGEMM_LEN), TESSERA_DTYPE_FP32,
			4, 5, 6, OP(0), 6, OP(1), 5, OP(2), 5, fbits(1), fbits(0),
			2, 3, 100, 24, 0, 30, 200, 20,
		};
		const struct mutation m[] = {
			{ .dw = LONGER, .value = 0, .what = "length 25" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_BGEMM, TESSERA_GEMM_BIAS, 24), .what = "BIAS flag" },
			{ .dw = 1, .value = TESSERA_DTYPE_FP16, .what = "fp16" }, { .dw = 1, .value = TESSERA_DTYPE_INT8, .what = "int8" },
			{ .dw = 1, .value = TESSERA_DTYPE_FP32 | TESSERA_ACT_RELU << 8, .what = "activation" },
			{ .dw = 2, .value = 0, .what = "M 0" }, { .dw = 4, .value = 65537, .what = "K too big" }, { .dw = 16, .value = 0, .what = "batch0 0" },
			{ .dw = 17, .value = 65537, .what = "batch1 too big" }, { .dw = 22, .value = 0, .what = "C stride 0 with 2 matrices" },
			{ .dw = 18, .value = 0x10000000, .what = "A's batch span over 256 MiB" },
			{ .dw = 7, .value = 5, .what = "lda < K" }, { .dw = 14, .value = fbits(NAN), .what = "alpha NaN" },
			{ .dw = 5, .value = LO(b + 16384 + 2), .what = "A misaligned" },
			{ .dw = 11, .value = 0xfffffff0, .what = "C wraps", .dw2 = 12, .value2 = 0xffffffff },
		};

		bad_cases(t, &fx, "BGEMM", g, TESSERA_CMD_BGEMM_LEN, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_SOFTMAX_CAUSAL_LEN] = {
			HDR(TESSERA_CMD_OP_SOFTMAX, TESSERA_SOFTMAX_CAUSAL, 12),
			TESSERA_DTYPE_FP32, 8, 8, OP(0), 8, OP(1), 8, 8, 0,
		};
		const struct mutation m[] = {
			{ .dw = LONGER, .value = 0, .what = "length 13" }, { .dw = 10, .value = 0, .what = "period 0" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_SOFTMAX, 3, 12), .what = "flag 2" },
			{ .dw = 1, .value = TESSERA_DTYPE_INT8, .what = "int8" }, { .dw = 6, .value = 7, .what = "ld < cols" },
		};

		bad_cases(t, &fx, "SOFTMAX", g, 12, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_SOFTMAX_BWD_LEN] = {
			HDR(TESSERA_CMD_OP_SOFTMAX_BWD, 0, 13), TESSERA_DTYPE_BF16, 8, 8,
			OP(0), 8, OP(1), 8, OP(2), 9,
		};
		const struct mutation m[] = {
			{ .dw = 1, .value = TESSERA_DTYPE_FP16, .what = "fp16" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_SOFTMAX_BWD, 1, 13), .what = "flags" },
			{ .dw = 3, .value = 0, .what = "cols 0" }, { .dw = 12, .value = 7, .what = "ld < cols" }, { .dw = LONGER, .value = 0, .what = "length 14" },
		};

		bad_cases(t, &fx, "SOFTMAX_BWD", g, 13, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_EMBEDDING_LEN] = {
			HDR(TESSERA_CMD_OP_EMBEDDING, TESSERA_EMB_SCATTER_ADD, 13),
			TESSERA_DTYPE_FP32, 16, 8, VA(b), OP(0), 10, 8, OP(1), 8,
		};
		const struct mutation m[] = {
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_EMBEDDING, 2, 13), .what = "flag 2" },
			{ .dw = 1, .value = TESSERA_DTYPE_FP16, .what = "fp16 scatter-add" }, { .dw = 2, .value = 0, .what = "count 0" },
			{ .dw = 8, .value = 0, .what = "no table rows" }, { .dw = 9, .value = 7, .what = "table ld < cols" },
			{ .dw = 4, .value = LO(b + 2), .what = "indices misaligned" }, { .dw = 2, .value = 65537, .what = "count too big" },
		};

		bad_cases(t, &fx, "EMBEDDING", g, 13, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_RMSNORM_LEN] = {
			HDR(TESSERA_CMD_OP_RMSNORM, TESSERA_RMS_GAMMA | TESSERA_RMS_RSTD, 15),
			TESSERA_DTYPE_FP32, 4, 8, OP(0), 8, OP(1), 8, OP(2), OP(3), fbits(1e-5f),
		};
		const struct mutation m[] = {
			{ .dw = 10, .value = 0, .what = "gamma 0 with GAMMA", .dw2 = 11, .value2 = 0 },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_RMSNORM, TESSERA_RMS_RSTD, 15), .what = "gamma without GAMMA" },
			{ .dw = 14, .value = fbits(-1), .what = "eps < 0" }, { .dw = 14, .value = fbits(INFINITY), .what = "eps inf" },
			{ .dw = 12, .value = LO(b + 16384 + 3 * 65536 + 2), .what = "rstd misaligned" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_RMSNORM, 7, 15), .what = "flag 4" },
			{ .dw = 1, .value = TESSERA_DTYPE_INT32, .what = "int32" },
		};

		bad_cases(t, &fx, "RMSNORM", g, 15, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_RMSNORM_BWD_LEN] = {
			HDR(TESSERA_CMD_OP_RMSNORM_BWD, 0xf, 20), TESSERA_DTYPE_BF16, 4, 8,
			OP(0), 8, OP(1), 8, OP(2), 8, OP(3), OP(4), OP(5), fbits(1e-5f),
		};
		const struct mutation m[] = {
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_RMSNORM_BWD, 0x1f, 20), .what = "flag 0x10" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_RMSNORM_BWD, 0x7, 20), .what = "dgamma without DGAMMA" },
			{ .dw = 1, .value = TESSERA_DTYPE_FP16, .what = "fp16" }, { .dw = 9, .value = 0, .what = "ld 0" },
			{ .dw = 19, .value = fbits(NAN), .what = "eps NaN" },
		};

		bad_cases(t, &fx, "RMSNORM_BWD", g, 20, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_ROPE_LEN] = {
			HDR(TESSERA_CMD_OP_ROPE, 0, 15), TESSERA_DTYPE_FP32, 4, 2, 8,
			OP(0), 16, OP(1), 16, 3, 4, fbits(10000), 8,
		};
		const struct mutation m[] = {
			{ .dw = 4, .value = 7, .what = "odd head_dim" }, { .dw = 14, .value = 0, .what = "n_rot 0" }, { .dw = 14, .value = 10, .what = "n_rot > head_dim" },
			{ .dw = 14, .value = 5, .what = "odd n_rot" }, { .dw = 3, .value = 65536, .what = "heads x head_dim = 2^32", .dw2 = 4, .value2 = 65536 },
			{ .dw = 3, .value = 65536, .what = "heads x head_dim too big" },
			{ .dw = 13, .value = fbits(0), .what = "theta 0" }, { .dw = 13, .value = fbits(NAN), .what = "theta NaN" },
			{ .dw = 12, .value = 0, .what = "period 0" }, { .dw = 0, .value = HDR(TESSERA_CMD_OP_ROPE, 2, 15), .what = "flag 2" },
			{ .dw = 3, .value = 0, .what = "no heads" },
		};

		bad_cases(t, &fx, "ROPE", g, 15, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_CE_LEN] = {
			HDR(TESSERA_CMD_OP_CROSS_ENTROPY, 3, 16), TESSERA_DTYPE_FP32, 4, 8,
			OP(0), 8, VA(b), OP(1), OP(2), 8, fbits(0.25f), (uint32_t)-1,
		};
		const struct mutation m[] = {
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_CROSS_ENTROPY, 0, 16), .what = "no output" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_CROSS_ENTROPY, 7, 16), .what = "flag 4" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_CROSS_ENTROPY, 1, 16), .what = "dlogits without DLOGITS" },
			{ .dw = 14, .value = fbits(INFINITY), .what = "scale inf" }, { .dw = 1, .value = TESSERA_DTYPE_FP16, .what = "fp16" },
			{ .dw = 3, .value = 0, .what = "no classes" }, { .dw = 9, .value = 0, .what = "loss 0 with LOSS", .dw2 = 10, .value2 = 0 },
		};

		bad_cases(t, &fx, "CROSS_ENTROPY", g, 16, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_REDUCE_LEN] = {
			HDR(TESSERA_CMD_OP_REDUCE, TESSERA_RED_COLS | TESSERA_RED_ACCUM, 10),
			TESSERA_DTYPE_FP32, 4, 8, OP(0), 8, OP(1), fbits(1),
		};
		const struct mutation m[] = {
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_REDUCE, 3, 10), .what = "axis 3" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_REDUCE, 0x10, 10), .what = "flag 0x10" },
			{ .dw = 1, .value = TESSERA_DTYPE_INT32, .what = "int32" }, { .dw = 9, .value = fbits(NAN), .what = "scale NaN" },
			{ .dw = 7, .value = 0, .what = "no destination", .dw2 = 8, .value2 = 0 }, { .dw = LONGER, .value = 0, .what = "length 11" },
		};

		bad_cases(t, &fx, "REDUCE", g, 10, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_ADAMW_LEN] = {
			HDR(TESSERA_CMD_OP_ADAMW, TESSERA_ADAMW_CLIP, 20), 1000, OP(0), OP(1),
			OP(2), OP(3), fbits(1e-3f), fbits(0.9f), fbits(0.999f), fbits(1e-8f),
			fbits(0.01f), 1, fbits(1), OP(4), fbits(1),
		};
		const struct mutation m[] = {
			{ .dw = 1, .value = 0, .what = "count 0" }, { .dw = 1, .value = (1u << 26) + 1, .what = "count over 256 MiB" },
			{ .dw = 2, .value = LO(b + 16384 + 1), .what = "param misaligned" }, { .dw = 11, .value = fbits(1), .what = "beta1 1" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_ADAMW, 5, 20), .what = "flag 4" }, { .dw = 15, .value = 0, .what = "step 0" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_ADAMW, 0, 20), .what = "sumsq without CLIP" },
			{ .dw = 19, .value = fbits(-1), .what = "max_norm < 0" }, { .dw = 16, .value = fbits(INFINITY), .what = "grad scale inf" },
		};

		bad_cases(t, &fx, "ADAMW", g, 20, m, ARRAY_SIZE(m));
	}
	{
		const uint32_t g[TESSERA_CMD_EW2_LEN] = {
			HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SWIGLU_BWD, 20),
			TESSERA_DTYPE_FP32 | TESSERA_DTYPE_FP32 << 8, 4, 8, OP(0), 8, OP(1), 8,
			OP(2), 8, OP(3), 8, OP(4), 8, 0,
		};
		const uint32_t s[TESSERA_CMD_EW_LEN] = {
			HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SILU, 10),
			TESSERA_DTYPE_BF16 | TESSERA_DTYPE_BF16 << 8, 100, OP(0), 0, 0, OP(1), 0,
		};
		const struct mutation m[] = {
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_ELEMENTWISE, 13, 20), .what = "op 13" },
			{ .dw = 16, .value = 0, .what = "no E", .dw2 = 17, .value2 = 0 }, { .dw = 15, .value = 7, .what = "ldd < cols" },
			{ .dw = 1, .value = TESSERA_DTYPE_FP32 | TESSERA_DTYPE_BF16 << 8, .what = "types differ" },
			{ .dw = 1, .value = TESSERA_DTYPE_INT8 | TESSERA_DTYPE_INT8 << 8, .what = "int8" },
			{ .dw = 19, .value = fbits(1), .what = "scalar" }, { .dw = 1, .value = 1 << 16, .what = "reserved bits" },
		};
		const struct mutation ms[] = {
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SWIGLU_BWD, 10), .what = "SWIGLU_BWD short" },
			{ .dw = 5, .value = LO(b), .what = "B with SILU" }, { .dw = 9, .value = fbits(2), .what = "scalar with SILU" },
			{ .dw = 2, .value = 65537, .what = "count too big" },
			{ .dw = 0, .value = HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SWIGLU, 10), .what = "no B" },
		};

		bad_cases(t, &fx, "ELEMENTWISE", g, 20, m, ARRAY_SIZE(m));
		bad_cases(t, &fx, "ELEMENTWISE", s, 10, ms, ARRAY_SIZE(ms));
	}
#undef OP
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */
/* Aborts, determinism, strided destinations that bounce */

#include "t1_train.h"

/*
 * With the abort flag already set, each command's math stops before its
 * first unit of work and writes nothing.
 */
static void test_math_cancel(struct tap *t)
{
	atomic_bool stop = true;
	float x[64], y[64], g[8] = { 1, 1, 1, 1, 1, 1, 1, 1 }, w[64], r[8];
	int32_t idx[8] = { 0 };

	for (int i = 0; i < 64; i++) {
		x[i] = w[i] = 0.25f * i;
		y[i] = -7.0f;
	}
	{
		struct t1_bgemm b = {
			.dt = TESSERA_DTYPE_FP32, .m = 2, .n = 2, .k = 2, .lda = 2, .ldb = 2,
			.ldc = 2, .alpha = 1, .batch = { 2, 2 }, .sa = { 8, 4 }, .sb = { 8, 4 },
			.sc = { 8, 4 }, .a = x, .b = w, .c = y, .cancel = &stop,
		};

		CHECK_EQ(t, t1_bgemm_run(&b), -ECANCELED);
		b.m = b.n = b.k = 1024;	/* the per-matrix path */
		b.batch[0] = b.batch[1] = 1;
		CHECK_EQ(t, t1_bgemm_run(&b), -ECANCELED);
	}
	{
		struct t1_rows2 p = {
			.dt = TESSERA_DTYPE_FP32, .rows = 8, .cols = 8, .x = x, .w = w, .y = y,
			.ldx = 8, .ldw = 8, .ldy = 8, .gamma = g, .dgamma = r, .eps = 1e-5f,
			.cancel = &stop,
		};

		CHECK_EQ(t, t1_softmax_causal(&p, 8, 0), -ECANCELED);
		CHECK_EQ(t, t1_softmax_bwd(&p), -ECANCELED);
		CHECK_EQ(t, t1_rmsnorm(&p), -ECANCELED);
		CHECK_EQ(t, t1_rmsnorm_bwd(&p), -ECANCELED);
	}
	{
		struct t1_embed e = {
			.dt = TESSERA_DTYPE_FP32, .count = 8, .cols = 8, .ldt = 8, .ldx = 8,
			.idx = idx, .table = x, .x = y, .cancel = &stop,
		};
		struct t1_rope p = {
			.dt = TESSERA_DTYPE_FP32, .rows = 8, .heads = 2, .head_dim = 4, .n_rot = 4,
			.ldx = 8, .ldy = 8, .period = 8, .theta = 10000, .x = x, .y = y,
			.cancel = &stop,
		};
		struct t1_xent c = {
			.dt = TESSERA_DTYPE_FP32, .rows = 8, .classes = 8, .ldl = 8, .ldd = 8,
			.logits = x, .tgt = idx, .ignore = -1, .dx = y, .scale = 1,
			.cancel = &stop,
		};
		struct t1_reduce rd = {
			.dt = TESSERA_DTYPE_FP32, .rows = 8, .cols = 8, .ldx = 8,
			.axis = TESSERA_RED_COLS, .scale = 1, .x = x, .dst = y, .cancel = &stop,
		};
		struct t1_adamw a = {
			.count = 64, .step = 1, .lr = 1, .beta1 = 0.9f, .beta2 = 0.9f,
			.eps = 1, .grad_scale = 1, .param = y, .grad = x, .m = w, .v = w,
			.cancel = &stop,
		};
		struct t1_ew2 ew = {
			.op = TESSERA_EW_SILU_BWD, .sdt = TESSERA_DTYPE_FP32,
			.ddt = TESSERA_DTYPE_FP32, .rows = 8, .cols = 8, .a = x, .b = w, .d = y,
			.lda = 8, .ldb = 8, .ldd = 8, .cancel = &stop,
		};

		CHECK_EQ(t, t1_embedding(&e), -ECANCELED);
		CHECK_EQ(t, t1_rope_run(&p), -ECANCELED);
		CHECK_EQ(t, t1_cross_entropy(&c), -ECANCELED);
		CHECK_EQ(t, t1_reduce_run(&rd), -ECANCELED);
		CHECK_EQ(t, t1_adamw_run(&a), -ECANCELED);
		CHECK_EQ(t, t1_elementwise2(&ew), -ECANCELED);
		ew.op = TESSERA_EW_ADD;
		CHECK_EQ(t, t1_elementwise2(&ew), -ECANCELED);
	}
	for (int i = 0; i < 64; i++)
		CHECK_EQ(t, fbits(y[i]), fbits(-7.0f));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * A ring reset while a long BGEMM runs (one block per call, or each
 * matrix on the GEMM's tiles) is complete within TESSERA_RESET_BOUND_US,
 * best of five tries (the host is shared).
 */
static void test_reset_during_bgemm(struct tap *t)
{
	struct fx fx;

	if (!CHECK(t, fx_init(&fx)))
		return;
	for (int path = 0; path < 2; path++) {
		uint32_t k = path ? 2048 : 1024;
		struct bg g = {
			.dt = TESSERA_DTYPE_FP32, .m = 512, .n = 512, .k = k, .lda = k,
			.ldb = 512, .ldc = 512, .b0 = 1, .b1 = 4096, .alpha = 1,
			.sa = { 0, 0 }, .sb = { 0, 0 }, .sc = { 0, 1 },
		};
		uint64_t a = alloc(&fx, 512ull * k * 4), b = alloc(&fx, (uint64_t)k * 512 * 4);
		uint64_t c = alloc(&fx, 512ull * 512 * 4 + 4096 * 4);
		uint32_t cmd[TESSERA_CMD_BGEMM_LEN];
		double best = 1e9;

		memset(fx.mem + a, 0, 512ull * k * 4);
		memset(fx.mem + b, 0, 512ull * k * 4);
		bgemm_cmd(cmd, &g, HOST(a), HOST(b), HOST(c));
		for (int i = 0; i < 5 && best > TESSERA_RESET_BOUND_US / 1000.0; i++) {
			uint64_t before = done_count(&fx, 0);
			double t0;
			bool running;

			memcpy(fx.mem + CMD_OFF(0), cmd, sizeof(cmd));
			queue(&fx, 0, 0, HOST(CMD_OFF(0)), TESSERA_CMD_BGEMM_LEN);
			usleep(100000);
			running = done_count(&fx, 0) == before;
			t0 = now_ms();
			rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET);
			while ((rrd(&fx, 0, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_RESETTING) &&
			       now_ms() - t0 < 5000)
				usleep(50);
			if (running && now_ms() - t0 < best)
				best = now_ms() - t0;
			CHECK(t, running);
			ring_setup(&fx, 0);
		}
		printf("# BGEMM (%s), ring reset done after %.2f ms\n",
		       path ? "per matrix" : "blocks", best);
		CHECK(t, best <= TESSERA_RESET_BOUND_US / 1000.0);
		fx.data_next = DATA_OFF;
	}
	fx_fini(&fx);
}

/* Same bits twice, and on the other compute engine. */
static void test_determinism(struct tap *t)
{
	struct fx fx;
	unsigned int seed = 1;

	if (!CHECK(t, fx_init(&fx)))
		return;
	{
		struct mat X = mat_new(&fx, TESSERA_DTYPE_FP32, 512, 256, 256);
		struct mat W = mat_new(&fx, TESSERA_DTYPE_FP32, 512, 256, 256);
		struct mat Y = mat_new(&fx, TESSERA_DTYPE_FP32, 512, 256, 256);
		struct mat G = mat_new(&fx, TESSERA_DTYPE_FP32, 1, 512, 512);
		struct mat S = mat_new(&fx, TESSERA_DTYPE_FP32, 1, 256, 256);
		uint64_t to = alloc(&fx, 512 * 4);
		double *v = dalloc(512 * 256);
		uint32_t cmds[8][TESSERA_CMD_BGEMM_LEN];
		unsigned int lens[8], nc = 0;
		uint8_t *ref = malloc(512 * 256 * 4 + 2048 + 1024);

		mat_rand(&fx, &X, v, 2, &seed);
		mat_rand(&fx, &W, v, 2, &seed);
		memset(fx.mem + to, 0, 512 * 4);
		{
			struct bg g = {
				.dt = TESSERA_DTYPE_FP32, .m = 64, .n = 64, .k = 256, .lda = 256,
				.ldb = 256, .ldc = 64, .b0 = 2, .b1 = 4, .tb = true, .alpha = 0.3f,
				.sa = { 4 * 64 * 256, 64 * 256 }, .sb = { 4 * 64 * 256, 64 * 256 },
				.sc = { 4 * 64 * 64, 64 * 64 },
			};

			lens[nc] = bgemm_cmd(cmds[nc], &g, va(&X), va(&W), va(&Y));
			nc++;
		}
		lens[nc] = causal_cmd(cmds[nc], TESSERA_DTYPE_FP32, 512, 256, va(&X), 256,
				      va(&Y), 256, 128, 3);
		nc++;
		lens[nc] = sm_bwd_cmd(cmds[nc], TESSERA_DTYPE_FP32, 512, 256, &X, &W, &Y);
		nc++;
		{
			struct rms_ops o = {
				.dt = TESSERA_DTYPE_FP32, .rows = 512, .cols = 256, .x = &X, .y = &Y,
				.dy = &W, .gamma = va(&S), .dgamma = va(&S), .eps = 1e-5f,
				.flags = TESSERA_RMS_GAMMA | TESSERA_RMS_DGAMMA,
			};

			lens[nc] = rms_cmd(cmds[nc], &o, true);
			nc++;
		}
		lens[nc] = ce_cmd(cmds[nc], 3, TESSERA_DTYPE_FP32, &X, HOST(to), va(&G), &Y, 0.01f,
				  -1);
		nc++;
		{
			uint32_t r[TESSERA_CMD_REDUCE_LEN] = {
				HDR(TESSERA_CMD_OP_REDUCE, TESSERA_RED_ALL | TESSERA_RED_SQUARE, 10),
				TESSERA_DTYPE_FP32, 512, 256, VA(va(&X)), 256, VA(va(&G)), fbits(1),
			};

			memcpy(cmds[nc], r, sizeof(r));
			lens[nc++] = TESSERA_CMD_REDUCE_LEN;
		}
		{
			/* D and E: the two halves of Y */
			struct mat D = Y, E = Y;

			D.rows = E.rows = 256;
			E.off += 256 * 256 * 4;
			lens[nc] = ew2_cmd(cmds[nc], TESSERA_EW_SWIGLU_BWD, TESSERA_DTYPE_FP32, &X,
					   &W, &X, &D, &E);
			nc++;
		}
		for (unsigned int i = 0; i < nc; i++) {
			size_t ylen = 512 * 256 * 4;

			memset(fx.mem + Y.off, 0, ylen);
			memset(fx.mem + S.off, 0, 256 * 4);
			CHECK_EQ(t, run(&fx, 0, cmds[i], lens[i]), 0);
			memcpy(ref, fx.mem + Y.off, ylen);
			memcpy(ref + ylen, fx.mem + G.off, 2048);
			memcpy(ref + ylen + 2048, fx.mem + S.off, 1024);
			for (unsigned int ring = 0; ring < 2; ring++) {
				memset(fx.mem + Y.off, 0, ylen);
				memset(fx.mem + S.off, 0, 256 * 4);
				CHECK_EQ(t, run(&fx, ring, cmds[i], lens[i]), 0);
				if (!CHECK(t, !memcmp(ref, fx.mem + Y.off, ylen) &&
					      !memcmp(ref + ylen, fx.mem + G.off, 2048) &&
					      !memcmp(ref + ylen + 2048, fx.mem + S.off, 1024)))
					printf("# command %u (opcode %#x) differs\n", i,
					       TESSERA_CMD_OPCODE(cmds[i][0]));
			}
		}
		free(v);
		free(ref);
	}
	fx_fini(&fx);
}

#define RW	(TESSERA_PTE_READ | TESSERA_PTE_WRITE)
#define VA_CMD	0x400000000ull
#define VA_DATA	0x7f0000000000ull

/*
 * Strided destinations whose pages are not contiguous in host memory are
 * computed in a bounce buffer: only the rows the command writes go back,
 * so the bytes between them (another tensor's, say) are kept.  Write-only
 * mappings suffice.  GEMM, SOFTMAX and LAYERNORM as well as the 1.5
 * commands.
 */
static void test_bounced_gaps(struct tap *t)
{
	const uint32_t rows = 64, cols = 200, ld = 300, pages = 64;
	struct fx fx;
	uint64_t root, src_off, dst_off;
	unsigned int seed = 3;

	if (!CHECK(t, fx_init(&fx)))
		return;
	root = fx_ctx(&fx, 1, 4);
	map_page(&fx, root, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_READ, false);
	/* source: contiguous; destination: its pages in reverse order, write only */
	src_off = alloc(&fx, pages * 4096);
	dst_off = alloc(&fx, pages * 4096);
	for (uint32_t i = 0; i < pages; i++) {
		map_page(&fx, root, VA_DATA + i * 4096ull, HOST(src_off + i * 4096ull), RW, false);
		map_page(&fx, root, VA_DATA + (pages + i) * 4096ull,
			 HOST(dst_off + (pages - 1 - i) * 4096ull), TESSERA_PTE_WRITE, false);
	}
	for (uint32_t i = 0; i < pages * 1024; i++) {
		float f = (float)drand(&seed);

		memcpy(fx.mem + src_off + 4 * i, &f, 4);
	}
	{
		uint64_t s = VA_DATA, d = VA_DATA + pages * 4096ull;
		const uint32_t cmds[][TESSERA_CMD_RMSNORM_BWD_LEN] = {
			{ HDR(TESSERA_CMD_OP_RMSNORM, 0, 15), TESSERA_DTYPE_FP32, rows, cols,
			  VA(s), cols, VA(d), ld, 0, 0, 0, 0, fbits(1e-5f) },
			{ HDR(TESSERA_CMD_OP_GEMM, 0, 18), TESSERA_DTYPE_FP32, rows, cols, 8,
			  VA(s), 8, VA(s), cols, VA(d), ld, fbits(1), 0, 0, 0 },
			{ HDR(TESSERA_CMD_OP_SOFTMAX, 0, 10), TESSERA_DTYPE_FP32, rows, cols,
			  VA(s), cols, VA(d), ld },
			{ HDR(TESSERA_CMD_OP_LAYERNORM, 0, 15), TESSERA_DTYPE_FP32, rows, cols,
			  VA(s), cols, VA(d), ld, 0, 0, 0, 0, fbits(1e-5f) },
			{ HDR(TESSERA_CMD_OP_ROPE, 0, 15), TESSERA_DTYPE_FP32, rows, 25, 8,
			  VA(s), cols, VA(d), ld, 0, 64, fbits(10000), 8 },
			{ HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SILU, 20),
			  TESSERA_DTYPE_FP32 * 0x101, rows, cols, VA(s), cols, 0, 0, 0, 0, 0, 0,
			  VA(d), ld, 0, 0, 0, 0 },
			{ HDR(TESSERA_CMD_OP_EMBEDDING, 0, 13), TESSERA_DTYPE_FP32, rows, cols,
			  VA(s + 200000), VA(s), 100, cols, VA(d), ld },
		};
		const char *const names[] = { "RMSNORM", "GEMM", "SOFTMAX", "LAYERNORM", "ROPE",
					      "ELEMENTWISE SILU", "EMBEDDING" };

		/* embedding indices: small ints at s + 200000 */
		for (uint32_t i = 0; i < rows; i++)
			memcpy(fx.mem + src_off + 200000 + 4 * i, &(int32_t){ (int32_t)(i % 100) }, 4);
		for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++) {
			unsigned int len = TESSERA_CMD_LEN(cmds[i][0]), bad = 0;

			memset(fx.mem + dst_off, GUARD, pages * 4096);
			if (!CHECK_EQ(t, run_at(&fx, 0, 1, VA_CMD, cmds[i], len), 0))
				printf("# %s: %s\n", names[i], fx.log_last);
			/* element (r, c) of the destination, through the reversed pages */
			for (uint32_t r = 0; r < rows; r++) {
				for (uint32_t c = 0; c < ld && r * ld + c < pages * 1024u; c++) {
					uint64_t e = ((uint64_t)r * ld + c) * 4;
					uint8_t *p = fx.mem + dst_off +
						     (pages - 1 - e / 4096) * 4096ull + e % 4096;
					bool guard = p[0] == GUARD && p[1] == GUARD &&
						     p[2] == GUARD && p[3] == GUARD;

					if (c < cols ? guard : !guard)
						bad++;
				}
			}
			if (!CHECK_EQ(t, bad, 0))
				printf("# %s: %u elements wrong\n", names[i], bad);
		}
	}
	fx_fini(&fx);
}

static const struct tap_test tests[] = {
	{ "BGEMM: batched views, transposes, broadcast, alpha/beta, fp32 and bf16", test_bgemm },
	{ "causal SOFTMAX: masks, offsets, KV-cache rows, fp32/fp16/bf16", test_softmax_causal },
	{ "SOFTMAX_BWD against the formula and finite differences", test_softmax_bwd },
	{ "EMBEDDING gather exact, scatter-add in order, bad index", test_embedding },
	{ "RMSNORM and RMSNORM_BWD, against the formula and differences", test_rmsnorm },
	{ "ROPE forward and backward (its transpose), partial, positions", test_rope },
	{ "ELEMENTWISE SiLU/SwiGLU and backward ops, long form", test_activations },
	{ "CROSS_ENTROPY loss and dlogits, ignore, in place, bad target", test_cross_entropy },
	{ "REDUCE rows/cols/all, squares, accumulate", test_reduce },
	{ "ADAMW steps against the formula, clipping, zeroing", test_adamw },
	{ "every 1.5 command rejects bad arguments, names itself", test_bad_arguments },
	{ "the 1.5 math stops at once when aborted", test_math_cancel },
	{ "ring reset during a long BGEMM completes within the bound", test_reset_during_bgemm },
	{ "1.5 commands: same bits twice and on another engine", test_determinism },
	{ "bounced strided destinations keep the bytes between rows", test_bounced_gaps },
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
