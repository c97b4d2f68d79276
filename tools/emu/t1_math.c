// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 numeric kernels.  GEMM goes through OpenBLAS (CBLAS): fp32 directly,
 * fp16/bf16 converted to fp32 (fp16 by a lookup table) and rounded once at
 * the end, int8 through dgemm, which is exact for every K the command
 * allows.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "t1_math.h"
#include "tessera_accel.h"

static uint32_t f2u(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static float u2f(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

float t1_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff;

	if (exp == 0x1f)
		return u2f(sign | 0x7f800000 | man << 13 | (man ? 0x400000 : 0));
	if (exp == 0) {
		float v = ldexpf((float)man, -24);

		return sign ? -v : v;
	}
	return u2f(sign | (exp + 112) << 23 | man << 13);
}

uint16_t t1_f32_to_f16(float f)
{
	uint32_t u = f2u(f);
	uint16_t sign = (u >> 16) & 0x8000;
	uint32_t exp = (u >> 23) & 0xff, man = u & 0x7fffff;
	int e;

	if (exp == 0xff)
		return sign | 0x7c00 | (man ? 0x200 | (man >> 13) : 0);
	e = (int)exp - 127 + 15;
	if (e >= 0x1f)
		return sign | 0x7c00;
	if (e <= 0) {
		/* Subnormal (or zero): shift the full significand. */
		uint32_t full = man | 0x800000, shift = 14 - e;
		uint32_t v, rem, half;

		if (shift > 24)
			return sign;
		v = full >> shift;
		rem = full & ((1u << shift) - 1);
		half = 1u << (shift - 1);
		if (rem > half || (rem == half && (v & 1)))
			v++;
		return sign | v;	/* may carry into the smallest normal */
	}
	{
		uint32_t v = (uint32_t)e << 10 | man >> 13;
		uint32_t rem = man & 0x1fff;

		if (rem > 0x1000 || (rem == 0x1000 && (v & 1)))
			v++;		/* may carry into infinity: correct */
		return sign | v;
	}
}

float t1_bf16_to_f32(uint16_t h)
{
	return u2f((uint32_t)h << 16);
}

uint16_t t1_f32_to_bf16(float f)
{
	uint32_t u = f2u(f);

	if ((u & 0x7f800000) == 0x7f800000 && (u & 0x7fffff))
		return (u >> 16) | 0x40;	/* quiet NaN */
	u += 0x7fff + ((u >> 16) & 1);
	return u >> 16;
}

int8_t t1_f32_to_i8(float f)
{
	if (isnan(f))
		return 0;
	f = nearbyintf(f);
	return f >= 127.0f ? 127 : f <= -128.0f ? -128 : (int8_t)f;
}

int32_t t1_f32_to_i32(float f)
{
	if (isnan(f))
		return 0;
	f = nearbyintf(f);
	if (f >= 2147483648.0f)
		return INT32_MAX;
	if (f <= -2147483648.0f)
		return INT32_MIN;
	return (int32_t)f;
}

float t1_gelu(float x)
{
	return 0.5f * x * (1.0f + erff(x * (float)M_SQRT1_2));
}

unsigned int t1_dtype_size(uint32_t dt)
{
	switch (dt) {
	case TESSERA_DTYPE_FP32:
	case TESSERA_DTYPE_INT32:	return 4;
	case TESSERA_DTYPE_FP16:
	case TESSERA_DTYPE_BF16:	return 2;
	case TESSERA_DTYPE_INT8:	return 1;
	default:			return 0;
	}
}

float t1_load(const void *p, uint32_t dt, size_t i)
{
	uint16_t h;
	int32_t v;
	float f;

	switch (dt) {
	case TESSERA_DTYPE_FP32:
		memcpy(&f, (const uint8_t *)p + 4 * i, 4);
		return f;
	case TESSERA_DTYPE_FP16:
		memcpy(&h, (const uint8_t *)p + 2 * i, 2);
		return t1_f16_to_f32(h);
	case TESSERA_DTYPE_BF16:
		memcpy(&h, (const uint8_t *)p + 2 * i, 2);
		return t1_bf16_to_f32(h);
	case TESSERA_DTYPE_INT8:
		return ((const int8_t *)p)[i];
	default:
		memcpy(&v, (const uint8_t *)p + 4 * i, 4);
		return (float)v;
	}
}

void t1_store(void *p, uint32_t dt, size_t i, float v)
{
	uint16_t h;
	int32_t n;

	switch (dt) {
	case TESSERA_DTYPE_FP32:
		memcpy((uint8_t *)p + 4 * i, &v, 4);
		break;
	case TESSERA_DTYPE_FP16:
		h = t1_f32_to_f16(v);
		memcpy((uint8_t *)p + 2 * i, &h, 2);
		break;
	case TESSERA_DTYPE_BF16:
		h = t1_f32_to_bf16(v);
		memcpy((uint8_t *)p + 2 * i, &h, 2);
		break;
	case TESSERA_DTYPE_INT8:
		((int8_t *)p)[i] = t1_f32_to_i8(v);
		break;
	default:
		n = t1_f32_to_i32(v);
		memcpy((uint8_t *)p + 4 * i, &n, 4);
		break;
	}
}

static float act(uint32_t a, float x)
{
	if (a == TESSERA_ACT_RELU)
		return x > 0.0f ? x : 0.0f;	/* NaN -> 0 */
	if (a == TESSERA_ACT_GELU)
		return t1_gelu(x);
	return x;
}

/* Every fp16 value as fp32: conversion by lookup, built once. */
static float f16_lut[65536];
static pthread_once_t f16_lut_once = PTHREAD_ONCE_INIT;

static void f16_lut_init(void)
{
	for (uint32_t h = 0; h < 65536; h++)
		f16_lut[h] = t1_f16_to_f32((uint16_t)h);
}

/* Convert @count elements of @dt at @src (16-bit types) to fp32 at @dst. */
static void row_to_f32(float *dst, const void *src, uint32_t dt, size_t count)
{
	const uint8_t *p = src;
	uint16_t h;

	if (dt == TESSERA_DTYPE_FP16) {
		for (size_t i = 0; i < count; i++) {
			memcpy(&h, p + 2 * i, 2);
			dst[i] = f16_lut[h];
		}
	} else if (dt == TESSERA_DTYPE_BF16) {
		for (size_t i = 0; i < count; i++) {
			memcpy(&h, p + 2 * i, 2);
			dst[i] = u2f((uint32_t)h << 16);
		}
	} else {
		for (size_t i = 0; i < count; i++)
			dst[i] = t1_load(src, dt, i);
	}
}

/* Store @count fp32 values at @src into @dt at @dst, rounding once. */
static void row_from_f32(void *dst, uint32_t dt, const float *src, size_t count)
{
	uint8_t *p = dst;
	uint16_t h;

	if (dt == TESSERA_DTYPE_FP16) {
		for (size_t i = 0; i < count; i++) {
			h = t1_f32_to_f16(src[i]);
			memcpy(p + 2 * i, &h, 2);
		}
	} else if (dt == TESSERA_DTYPE_BF16) {
		for (size_t i = 0; i < count; i++) {
			h = t1_f32_to_bf16(src[i]);
			memcpy(p + 2 * i, &h, 2);
		}
	} else {
		for (size_t i = 0; i < count; i++)
			t1_store(dst, dt, i, src[i]);
	}
}

/*
 * Work buffers of the fp16/bf16 (fp32) and int8 (fp64) GEMMs, kept per
 * thread between commands: a fresh multi-MiB allocation costs a page fault
 * per 4 KiB on every command, which made those GEMMs 4-5x slower than
 * fp32.  Buffers up to SCRATCH_KEEP bytes are kept; larger ones are freed
 * after use.
 */
#define SCRATCH_BUFS	4
#define SCRATCH_KEEP	(64u << 20)

struct gemm_scratch {
	void *buf[SCRATCH_BUFS];
	size_t cap[SCRATCH_BUFS];	/* bytes */
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_destroy(void *p)
{
	struct gemm_scratch *s = p;

	for (unsigned int i = 0; i < SCRATCH_BUFS; i++)
		free(s->buf[i]);
	free(s);
}

static void scratch_key_init(void)
{
	if (pthread_key_create(&scratch_key, scratch_destroy))
		abort();
}

/* Buffer @i of this thread with room for @bytes, or NULL. */
static void *scratch_get(unsigned int i, size_t bytes)
{
	struct gemm_scratch *s;
	void *p;

	pthread_once(&scratch_once, scratch_key_init);
	s = pthread_getspecific(scratch_key);
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s || pthread_setspecific(scratch_key, s)) {
			free(s);
			return NULL;
		}
	}
	if (s->cap[i] >= bytes)
		return s->buf[i];
	p = malloc(bytes);
	if (!p)
		return NULL;
	free(s->buf[i]);
	s->buf[i] = p;
	s->cap[i] = bytes;
	return p;
}

/* Give back oversized buffers once a command is done. */
static void scratch_trim(void)
{
	struct gemm_scratch *s = pthread_getspecific(scratch_key);

	for (unsigned int i = 0; s && i < SCRATCH_BUFS; i++) {
		if (s->cap[i] > SCRATCH_KEEP) {
			free(s->buf[i]);
			s->buf[i] = NULL;
			s->cap[i] = 0;
		}
	}
}

static bool cancelled(const struct t1_gemm *g)
{
	return g->cancel && atomic_load_explicit(g->cancel, memory_order_relaxed);
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* Rows of @cols elements converted between two cancellation checks. */
static size_t chunk_rows(uint32_t cols)
{
	return cols >= T1_CHUNK_ELEMS ? 1 : T1_CHUNK_ELEMS / cols;
}

void t1_gemm_tiles(uint32_t m, uint32_t n, uint32_t k, uint64_t macs,
		   uint32_t *mt, uint32_t *nt)
{
	/* Elements of C per tile: the MAC budget, and C's own traffic. */
	uint64_t area = macs / k, a, b, s;

	if (area > T1_TILE_AREA)
		area = T1_TILE_AREA;
	if (!area)
		area = 1;
	if ((uint64_t)m * n <= area) {
		*mt = m;
		*nt = n;
		return;
	}
	s = (uint64_t)sqrt((double)area);
	if (m <= s) {
		a = m;
		b = area / m;
	} else if (n <= s) {
		b = n;
		a = area / n;
	} else {
		a = b = s;
	}
	/* Equal tiles: no sliver at the end of a row or column of tiles. */
	*mt = (uint32_t)div_up(m, div_up(m, a));
	*nt = (uint32_t)div_up(n, div_up(n, b));
}

/* Element offset of row @i0 of op(A) in A as stored (leading dim @ld). */
static size_t a_off(bool trans, size_t ld, uint32_t i0)
{
	return trans ? i0 : i0 * ld;
}

/* Element offset of column @j0 of op(B) in B as stored. */
static size_t b_off(bool trans, size_t ld, uint32_t j0)
{
	return trans ? j0 * ld : j0;
}

/*
 * Convert a rows x cols matrix (leading dim @ld) of the GEMM's type into
 * scratch @i; NULL with *err set if out of memory or cancelled.
 */
static float *to_f32(const struct t1_gemm *g, unsigned int i, const void *src,
		     uint32_t rows, uint32_t cols, uint32_t ld, int *err)
{
	float *d = scratch_get(i, (size_t)rows * cols * sizeof(float));
	size_t es = t1_dtype_size(g->dtype), step = chunk_rows(cols);

	if (!d) {
		*err = -ENOMEM;
		return NULL;
	}
	for (size_t r = 0; r < rows; r++) {
		if (r % step == 0 && cancelled(g)) {
			*err = -ECANCELED;
			return NULL;
		}
		row_to_f32(d + r * cols, (const uint8_t *)src + r * ld * es,
			   g->dtype, cols);
	}
	return d;
}

/*
 * fp32: each tile is one sgemm over the whole of K, straight on the
 * operands, then the epilogue of that tile.
 */
static int gemm_fp32(const struct t1_gemm *g)
{
	enum CBLAS_TRANSPOSE ta = g->trans_a ? CblasTrans : CblasNoTrans;
	enum CBLAS_TRANSPOSE tb = g->trans_b ? CblasTrans : CblasNoTrans;
	bool plain = g->act == TESSERA_ACT_NONE && !g->bias;
	const float *a = g->a, *b = g->b;
	uint32_t mt, nt;

	t1_gemm_tiles(g->m, g->n, g->k, T1_TILE_MACS, &mt, &nt);
	for (uint32_t i0 = 0; i0 < g->m; i0 += mt) {
		for (uint32_t j0 = 0; j0 < g->n; j0 += nt) {
			uint32_t mm = min_u32(mt, g->m - i0);
			uint32_t nn = min_u32(nt, g->n - j0);
			float *c = (float *)g->c + (size_t)i0 * g->ldc + j0;

			if (cancelled(g))
				return -ECANCELED;
			cblas_sgemm(CblasRowMajor, ta, tb, mm, nn, g->k, g->alpha,
				    a + a_off(g->trans_a, g->lda, i0), g->lda,
				    b + b_off(g->trans_b, g->ldb, j0), g->ldb,
				    g->beta, c, g->ldc);
			if (plain)
				continue;
			for (size_t i = 0; i < mm; i++) {
				float *row = c + i * g->ldc;

				for (size_t j = 0; j < nn; j++) {
					float v = row[j];

					if (g->bias)
						v += t1_load(g->biasp, g->dtype,
							     j0 + j);
					row[j] = act(g->act, v);
				}
			}
		}
	}
	return 0;
}

/*
 * fp16 / bf16: A and B are converted to fp32 once; each tile converts
 * its part of C (if read), runs one sgemm over the whole of K, and
 * rounds its results once, after the epilogue.
 */
static int gemm_narrow(const struct t1_gemm *g)
{
	enum CBLAS_TRANSPOSE ta = g->trans_a ? CblasTrans : CblasNoTrans;
	enum CBLAS_TRANSPOSE tb = g->trans_b ? CblasTrans : CblasNoTrans;
	uint32_t ar = g->trans_a ? g->k : g->m, ac = g->trans_a ? g->m : g->k;
	uint32_t br = g->trans_b ? g->n : g->k, bc = g->trans_b ? g->k : g->n;
	size_t es = t1_dtype_size(g->dtype);
	float *a, *b, *c, *bias = NULL;
	uint32_t mt, nt;
	int ret = 0;

	pthread_once(&f16_lut_once, f16_lut_init);
	t1_gemm_tiles(g->m, g->n, g->k, T1_TILE_MACS, &mt, &nt);
	a = to_f32(g, 0, g->a, ar, ac, g->lda, &ret);
	b = a ? to_f32(g, 1, g->b, br, bc, g->ldb, &ret) : NULL;
	c = b ? scratch_get(2, (size_t)mt * nt * sizeof(float)) : NULL;
	if (b && !c)
		ret = -ENOMEM;
	if (c && g->bias)
		bias = to_f32(g, 3, g->biasp, 1, g->n, g->n, &ret);
	if (ret)
		goto out;
	for (uint32_t i0 = 0; i0 < g->m; i0 += mt) {
		for (uint32_t j0 = 0; j0 < g->n; j0 += nt) {
			uint32_t mm = min_u32(mt, g->m - i0);
			uint32_t nn = min_u32(nt, g->n - j0);
			uint8_t *ct = (uint8_t *)g->c + ((size_t)i0 * g->ldc + j0) * es;

			if (cancelled(g)) {
				ret = -ECANCELED;
				goto out;
			}
			if (g->beta != 0.0f)
				for (size_t i = 0; i < mm; i++)
					row_to_f32(c + i * nn, ct + i * g->ldc * es,
						   g->dtype, nn);
			cblas_sgemm(CblasRowMajor, ta, tb, mm, nn, g->k, g->alpha,
				    a + a_off(g->trans_a, ac, i0), ac,
				    b + b_off(g->trans_b, bc, j0), bc,
				    g->beta, c, nn);
			for (size_t i = 0; i < mm; i++) {
				float *row = c + i * nn;

				for (size_t j = 0; j < nn; j++)
					row[j] = act(g->act, bias ? row[j] + bias[j0 + j] :
							       row[j]);
				row_from_f32(ct + i * g->ldc * es, g->dtype, row, nn);
			}
		}
	}
out:
	scratch_trim();
	return ret;
}

/*
 * Rows [p0, p0 + kc) of K of an int8 operand as fp64, in the operand's own
 * orientation: @rows x @cols stored with leading dimension @ld, of which
 * either the rows (@k_rows) or the columns are K.  The slice is dense:
 * kc (or @cols) wide.  0, -ENOMEM or -ECANCELED.
 */
static int i8_slice(const struct t1_gemm *g, double *d, const int8_t *src,
		    bool k_rows, uint32_t rows, uint32_t cols, uint32_t ld,
		    uint32_t p0, uint32_t kc)
{
	uint32_t r0 = k_rows ? p0 : 0, nr = k_rows ? kc : rows;
	uint32_t c0 = k_rows ? 0 : p0, nc = k_rows ? cols : kc;
	size_t step = chunk_rows(nc);

	for (size_t r = 0; r < nr; r++) {
		const int8_t *s = src + (r0 + r) * (size_t)ld + c0;

		if (r % step == 0 && cancelled(g))
			return -ECANCELED;
		for (size_t c = 0; c < nc; c++)
			d[r * nc + c] = s[c];
	}
	return 0;
}

/*
 * int8 x int8 -> int32.  Sums are exact in fp64 (|sum| < 2^31 << 2^53),
 * so K is cut into slices of T1_INT8_K_SLICE as well: each slice of A and
 * B is converted once and added into an fp64 C with one dgemm per tile.
 * The epilogue then adds C and bias and saturates, as if in one go.
 */
static int gemm_int8(const struct t1_gemm *g)
{
	enum CBLAS_TRANSPOSE ta = g->trans_a ? CblasTrans : CblasNoTrans;
	enum CBLAS_TRANSPOSE tb = g->trans_b ? CblasTrans : CblasNoTrans;
	uint32_t ar = g->trans_a ? g->k : g->m, ac = g->trans_a ? g->m : g->k;
	uint32_t br = g->trans_b ? g->n : g->k, bc = g->trans_b ? g->k : g->n;
	uint32_t slice = min_u32(g->k, T1_INT8_K_SLICE), mt, nt;
	double *a = scratch_get(0, (size_t)g->m * slice * sizeof(double));
	double *b = scratch_get(1, (size_t)slice * g->n * sizeof(double));
	double *c = scratch_get(2, (size_t)g->m * g->n * sizeof(double));
	size_t step = chunk_rows(g->n);
	int ret = -ENOMEM;

	if (!a || !b || !c)
		goto out;
	t1_gemm_tiles(g->m, g->n, slice, T1_TILE_MACS / 2, &mt, &nt);
	for (uint32_t p0 = 0; p0 < g->k; p0 += slice) {
		uint32_t kc = min_u32(slice, g->k - p0);
		/* Leading dimensions of the dense slices. */
		uint32_t lda = g->trans_a ? g->m : kc, ldb = g->trans_b ? kc : g->n;

		ret = i8_slice(g, a, g->a, g->trans_a, ar, ac, g->lda, p0, kc);
		if (!ret)
			ret = i8_slice(g, b, g->b, !g->trans_b, br, bc, g->ldb, p0, kc);
		if (ret)
			goto out;
		for (uint32_t i0 = 0; i0 < g->m; i0 += mt) {
			for (uint32_t j0 = 0; j0 < g->n; j0 += nt) {
				if (cancelled(g)) {
					ret = -ECANCELED;
					goto out;
				}
				cblas_dgemm(CblasRowMajor, ta, tb,
					    min_u32(mt, g->m - i0),
					    min_u32(nt, g->n - j0), kc, 1.0,
					    a + a_off(g->trans_a, lda, i0), lda,
					    b + b_off(g->trans_b, ldb, j0), ldb,
					    p0 ? 1.0 : 0.0,
					    c + (size_t)i0 * g->n + j0, g->n);
			}
		}
	}
	for (size_t i = 0; i < g->m; i++) {
		int32_t *row = (int32_t *)g->c + i * g->ldc;

		if (i % step == 0 && cancelled(g)) {
			ret = -ECANCELED;
			goto out;
		}
		for (size_t j = 0; j < g->n; j++) {
			int64_t v = (int64_t)c[i * g->n + j];
			int32_t old;

			if (g->beta != 0.0f) {
				memcpy(&old, &row[j], 4);
				v += old;
			}
			if (g->bias) {
				memcpy(&old, (const int32_t *)g->biasp + j, 4);
				v += old;
			}
			if (g->act == TESSERA_ACT_RELU && v < 0)
				v = 0;
			v = v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
			old = (int32_t)v;
			memcpy(&row[j], &old, 4);
		}
	}
	ret = 0;
out:
	scratch_trim();
	return ret;
}

int t1_gemm_run(const struct t1_gemm *g)
{
	static _Thread_local bool blas_threads_set;

	/*
	 * OpenBLAS called from a thread that did not initialise it runs
	 * single-threaded unless that thread asks for its workers.
	 */
	if (!blas_threads_set) {
		openblas_set_num_threads(openblas_get_num_procs());
		blas_threads_set = true;
	}
	if (g->dtype == TESSERA_DTYPE_INT8)
		return gemm_int8(g);
	if (g->dtype == TESSERA_DTYPE_FP32)
		return gemm_fp32(g);
	return gemm_narrow(g);
}

static float ew_op(uint32_t op, float a, float b, float s)
{
	switch (op) {
	case TESSERA_EW_ADD:	return a + b;
	case TESSERA_EW_MUL:	return a * b;
	case TESSERA_EW_SCALE:	return a * s;
	case TESSERA_EW_RELU:	return a > 0.0f ? a : 0.0f;
	case TESSERA_EW_GELU:	return t1_gelu(a);
	case TESSERA_EW_EXP:	return expf(a);
	default:		return a;	/* CAST */
	}
}

int t1_elementwise(uint32_t op, uint32_t sdt, uint32_t ddt, size_t count,
		   const void *a, const void *b, void *d, float scalar)
{
	/* Integer casts go directly, so int32 values stay exact. */
	if (op == TESSERA_EW_CAST && sdt == TESSERA_DTYPE_INT32 &&
	    ddt == TESSERA_DTYPE_INT8) {
		for (size_t i = 0; i < count; i++) {
			int32_t v;

			memcpy(&v, (const int32_t *)a + i, 4);
			((int8_t *)d)[i] = v > 127 ? 127 : v < -128 ? -128 : v;
		}
		return 0;
	}
	if (op == TESSERA_EW_CAST && sdt == ddt) {
		memmove(d, a, count * t1_dtype_size(sdt));
		return 0;
	}
	if (op == TESSERA_EW_CAST && ddt == TESSERA_DTYPE_INT32 &&
	    sdt == TESSERA_DTYPE_INT8) {
		for (size_t i = 0; i < count; i++) {
			int32_t v = ((const int8_t *)a)[i];

			memcpy((int32_t *)d + i, &v, 4);
		}
		return 0;
	}
	for (size_t i = 0; i < count; i++) {
		float x = t1_load(a, sdt, i);
		float y = b ? t1_load(b, sdt, i) : 0.0f;

		t1_store(d, ddt, i, ew_op(op, x, y, scalar));
	}
	return 0;
}

void t1_softmax_row(const void *src, void *dst, uint32_t dt, size_t cols,
		    float *tmp)
{
	float max = -INFINITY, sum = 0.0f;

	for (size_t j = 0; j < cols; j++) {
		tmp[j] = t1_load(src, dt, j);
		if (tmp[j] > max)
			max = tmp[j];
	}
	for (size_t j = 0; j < cols; j++) {
		tmp[j] = expf(tmp[j] - max);
		sum += tmp[j];
	}
	for (size_t j = 0; j < cols; j++)
		t1_store(dst, dt, j, tmp[j] / sum);
}

void t1_layernorm_row(const void *src, void *dst, uint32_t dt, size_t cols,
		      const void *gamma, const void *beta, float eps,
		      float *tmp)
{
	float mean = 0.0f, var = 0.0f, inv;

	for (size_t j = 0; j < cols; j++) {
		tmp[j] = t1_load(src, dt, j);
		mean += tmp[j];
	}
	mean /= (float)cols;
	for (size_t j = 0; j < cols; j++) {
		float d = tmp[j] - mean;

		var += d * d;
	}
	var /= (float)cols;
	inv = 1.0f / sqrtf(var + eps);
	for (size_t j = 0; j < cols; j++) {
		float v = (tmp[j] - mean) * inv;

		if (gamma)
			v *= t1_load(gamma, dt, j);
		if (beta)
			v += t1_load(beta, dt, j);
		t1_store(dst, dt, j, v);
	}
}
