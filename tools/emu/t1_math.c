// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 numeric kernels.  GEMM goes through oneDNN matmul (t1_dnnl.c), one
 * call per tile: fp32 and bf16 natively, fp16 converted to fp32 (by a
 * lookup table, exactly) and rounded once at the end, int8 as s8 x s8 ->
 * s32 in K slices that keep the sums exact.  ELEMENTWISE, SOFTMAX and
 * LAYERNORM run on oneDNN's eltwise, binary, reorder, softmax and layer
 * normalization primitives; what stays here is the card's number formats
 * and the conversions oneDNN 2.6 does differently (see ew_cast()).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <cpuid.h>
#include <errno.h>
#include <immintrin.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "t1_dnnl.h"
#include "t1_math.h"
#include "accel/tessera_cmd.h"

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

unsigned int t1_dtype_size(uint32_t dt)
{
	return tessera_dtype_size(dt);
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

/* Every fp16 value as fp32: conversion by lookup, built once. */
static float f16_lut[65536];
static pthread_once_t f16_lut_once = PTHREAD_ONCE_INIT;

static void f16_lut_init(void)
{
	for (uint32_t h = 0; h < 65536; h++)
		f16_lut[h] = t1_f16_to_f32((uint16_t)h);
}

/*
 * fp16 <-> fp32 with the host's F16C instructions where it has them:
 * IEEE conversions, round to nearest even (the immediate, not MXCSR),
 * NaN kept and quieted, which is exactly t1_f16_to_f32() / t1_f32_to_f16()
 * (the host tests compare the two on every fp16 value and on random fp32
 * bit patterns).  About 10x the lookup table, which matters because the
 * fp16 GEMM converts A, B and C.
 */
static bool have_f16c(void)
{
	static int have = -1;

	unsigned int a, b, c, d;

	if (have < 0)
		have = __builtin_cpu_supports("avx") &&
		       __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
	return have;
}

__attribute__((target("avx,f16c")))
static size_t f16_to_f32_hw(float *dst, const uint8_t *src, size_t count)
{
	size_t i = 0;

	for (; i + 8 <= count; i += 8)
		_mm256_storeu_ps(dst + i, _mm256_cvtph_ps(
			_mm_loadu_si128((const __m128i *)(src + 2 * i))));
	return i;
}

__attribute__((target("avx,f16c")))
static size_t f32_to_f16_hw(uint8_t *dst, const float *src, size_t count)
{
	size_t i = 0;

	for (; i + 8 <= count; i += 8)
		_mm_storeu_si128((__m128i *)(dst + 2 * i),
				 _mm256_cvtps_ph(_mm256_loadu_ps(src + i),
						 _MM_FROUND_TO_NEAREST_INT |
						 _MM_FROUND_NO_EXC));
	return i;
}

void t1_row_to_f32(float *dst, const void *src, uint32_t dt, size_t count)
{
	const uint8_t *p = src;
	size_t i = 0;
	uint16_t h;

	if (dt == TESSERA_DTYPE_FP16) {
		if (have_f16c())
			i = f16_to_f32_hw(dst, p, count);
		else
			pthread_once(&f16_lut_once, f16_lut_init);
		for (; i < count; i++) {
			memcpy(&h, p + 2 * i, 2);
			dst[i] = have_f16c() ? t1_f16_to_f32(h) : f16_lut[h];
		}
	} else if (dt == TESSERA_DTYPE_BF16) {
		for (; i < count; i++) {
			memcpy(&h, p + 2 * i, 2);
			dst[i] = u2f((uint32_t)h << 16);
		}
	} else if (dt == TESSERA_DTYPE_FP32) {
		memmove(dst, src, count * sizeof(float));
	} else {
		for (; i < count; i++)
			dst[i] = t1_load(src, dt, i);
	}
}

void t1_row_from_f32(void *dst, uint32_t dt, const float *src, size_t count)
{
	uint8_t *p = dst;
	size_t i = 0;
	uint16_t h;

	if (dt == TESSERA_DTYPE_FP16) {
		if (have_f16c())
			i = f32_to_f16_hw(p, src, count);
		for (; i < count; i++) {
			h = t1_f32_to_f16(src[i]);
			memcpy(p + 2 * i, &h, 2);
		}
	} else if (dt == TESSERA_DTYPE_BF16) {
		for (; i < count; i++) {
			h = t1_f32_to_bf16(src[i]);
			memcpy(p + 2 * i, &h, 2);
		}
	} else if (dt == TESSERA_DTYPE_FP32) {
		memmove(dst, src, count * sizeof(float));
	} else {
		for (; i < count; i++)
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
#define SCRATCH_BUFS	(7 + T1_SCRATCH_TRAIN)
/* Scratch buffers 4-6: dense copies of A, B and C tiles. */
#define SCR_A		4
#define SCR_B		5
#define SCR_C		6
/* Buffers 7..: t1_scratch(), for the training commands. */
#define SCR_TRAIN	7
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
	/* page-aligned: the library's kernels read and write these */
	p = aligned_alloc(4096, (bytes + 4095) & ~(size_t)4095);
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
	struct gemm_scratch *s;

	pthread_once(&scratch_once, scratch_key_init);
	s = pthread_getspecific(scratch_key);

	for (unsigned int i = 0; s && i < SCRATCH_BUFS; i++) {
		if (s->cap[i] > SCRATCH_KEEP) {
			free(s->buf[i]);
			s->buf[i] = NULL;
			s->cap[i] = 0;
		}
	}
}

void *t1_scratch(unsigned int i, size_t bytes)
{
	return i < T1_SCRATCH_TRAIN ? scratch_get(SCR_TRAIN + i, bytes) : NULL;
}

void t1_scratch_trim(void)
{
	scratch_trim();
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

uint64_t t1_gemm_tile_macs(uint32_t dt)
{
	bool amx = t1_mm_amx();

	/* hosts without bf16 or exact int8 kernels run those as fp32 */
	switch (dt) {
	case TESSERA_DTYPE_BF16:
		if (!t1_mm_bf16())
			return T1_TILE_MACS;
		return amx ? T1_BF16_AMX_TILE_MACS : T1_BF16_TILE_MACS;
	case TESSERA_DTYPE_INT8:
		if (!t1_mm_s8())
			return T1_TILE_MACS;
		return amx ? T1_INT8_AMX_TILE_MACS : T1_INT8_TILE_MACS;
	default:
		return T1_TILE_MACS;
	}
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
	if ((uint64_t)n * T1_PANEL_ROWS <= area) {
		/*
		 * Panels of whole rows: B and C stay dense, which oneDNN's
		 * fastest (brgemm) kernels need.
		 */
		b = n;
		a = area / n;
	} else if (m <= s) {
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
		t1_row_to_f32(d + r * cols, (const uint8_t *)src + r * ld * es,
			   g->dtype, cols);
	}
	return d;
}

/* A matrix operand of one oneDNN call: rows x cols, maybe transposed. */
struct view {
	const uint8_t *p;
	uint32_t ld;
	bool trans;
};

/* op(A)[i0.., p0..] and op(B)[p0.., j0..] of @g, elements @es bytes. */
static struct view a_view(const struct t1_gemm *g, size_t es, uint32_t i0,
			  uint32_t p0)
{
	size_t off = g->trans_a ? (size_t)p0 * g->lda + i0 :
				  (size_t)i0 * g->lda + p0;

	return (struct view){ (const uint8_t *)g->a + off * es, g->lda,
			      g->trans_a };
}

static struct view b_view(const struct t1_gemm *g, size_t es, uint32_t p0,
			  uint32_t j0)
{
	size_t off = g->trans_b ? (size_t)j0 * g->ldb + p0 :
				  (size_t)p0 * g->ldb + j0;

	return (struct view){ (const uint8_t *)g->b + off * es, g->ldb,
			      g->trans_b };
}

/* Whether densify() copies this view (when it has the memory). */
static bool densify_copies(struct view v, uint32_t rows, uint32_t cols,
			   size_t es)
{
	return !(!v.trans && (v.ld == cols || rows == 1)) &&
	       (size_t)rows * cols * es <= T1_PACK_BYTES;
}

/*
 * oneDNN 2.6 runs its brgemm kernels (AMX/VNNI/bf16) only on dense
 * operands and falls back to a slower GEMM otherwise (measured: bf16 and
 * int8 at half speed or less).  So a strided or transposed tile operand
 * of @rows x @cols elements is copied into dense row-major scratch @idx,
 * when the copy is at most T1_PACK_BYTES; otherwise (or without memory)
 * the view is used as it is.  The copy is O(rows * cols) against the
 * tile's O(rows * cols * other side) arithmetic.
 */
static struct view densify(struct view v, uint32_t rows, uint32_t cols,
			   size_t es, unsigned int idx)
{
	size_t bytes = (size_t)rows * cols * es;
	uint8_t *d;

	if (!densify_copies(v, rows, cols, es))
		return v;
	d = scratch_get(idx, bytes);
	if (!d)
		return v;
	for (size_t r = 0; r < rows; r++) {
		uint8_t *dr = d + r * cols * es;

		if (!v.trans) {
			memcpy(dr, v.p + r * v.ld * es, cols * es);
			continue;
		}
		/* element (r, c) is at c * ld + r */
		switch (es) {
		case 1:
			for (size_t c = 0; c < cols; c++)
				dr[c] = v.p[c * v.ld + r];
			break;
		case 2:
			for (size_t c = 0; c < cols; c++)
				memcpy(dr + 2 * c, v.p + (c * v.ld + r) * 2, 2);
			break;
		default:
			for (size_t c = 0; c < cols; c++)
				memcpy(dr + 4 * c, v.p + (c * v.ld + r) * 4, 4);
			break;
		}
	}
	return (struct view){ d, cols, false };
}

/* A tile is run as it is, on the column's packed B, or packs that B. */
enum { TILE_RUN, TILE_PACKED, TILE_PACK };

/* The oneDNN call of one tile (of mm x nn x kc) on these views. */
static struct t1_mm mm_params(const struct t1_gemm *g, uint32_t ab,
			      uint32_t ct, uint32_t act, struct view a,
			      struct view b, bool packed, uint32_t ldc,
			      bool bias, uint32_t mm, uint32_t nn, uint32_t kc,
			      float beta)
{
	return (struct t1_mm){
		.ab = ab, .c = ct, .act = act,
		.trans_a = a.trans, .trans_b = b.trans, .bias = bias,
		.packed_b = packed,
		.m = mm, .n = nn, .k = kc, .lda = a.ld, .ldb = b.ld, .ldc = ldc,
		.alpha = g->alpha, .beta = beta,
	};
}

/*
 * The columns of tiles in a GEMM of @tm rows of tiles pack their panel
 * of B once (t1_mm_pack_b()) when there are several tiles to share it:
 * otherwise every tile's call would pack (copy) the same B again, which
 * cost bf16 and int8 a third to a half of their speed in row panels.
 */
static bool pack_worth(uint32_t tm)
{
	return tm > 1;
}

/*
 * One fp32 or bf16 tile (@t: T1_MM_F32 or T1_MM_BF16): A densified, C
 * computed in dense scratch when its tile is strided, B the column's
 * packed panel (TILE_PACKED) or densified (TILE_RUN); TILE_PACK packs B
 * for this tile's call instead of running it.  -EAGAIN: TILE_PACKED with
 * a primitive that wants B in another layout (run it with TILE_RUN).
 */
static int float_tile(const struct t1_gemm *g, uint32_t t, const float *bias,
		      uint32_t i0, uint32_t j0, uint32_t mm, uint32_t nn,
		      int mode)
{
	size_t es = t1_dtype_size(g->dtype);
	struct view a = a_view(g, es, i0, 0), b = b_view(g, es, 0, j0);
	uint8_t *c = (uint8_t *)g->c + ((size_t)i0 * g->ldc + j0) * es;
	size_t row = (size_t)nn * es, bytes = row * mm;
	bool dc = g->ldc != nn && mm > 1 && bytes <= T1_PACK_BYTES;
	struct t1_mm p;
	uint8_t *d = NULL;
	int ret;

	if (mode == TILE_PACK) {
		/* the key of the calls that will use it: A as densify() makes it */
		if (densify_copies(a, mm, g->k, es))
			a = (struct view){ NULL, g->k, false };
		p = mm_params(g, t, t, g->act, a, b, true, dc ? nn : g->ldc,
			      bias, mm, nn, g->k, g->beta);
		return t1_mm_pack_b(&p, b.p, T1_PACKB_BYTES);
	}
	a = densify(a, mm, g->k, es, SCR_A);
	if (mode == TILE_RUN)
		b = densify(b, g->k, nn, es, SCR_B);
	if (dc)
		d = scratch_get(SCR_C, bytes);
	if (d && g->beta != 0.0f)
		for (size_t i = 0; i < mm; i++)
			memcpy(d + i * row, c + i * g->ldc * es, row);
	p = mm_params(g, t, t, g->act, a, b, mode == TILE_PACKED,
		      d ? nn : g->ldc, bias, mm, nn, g->k, g->beta);
	ret = t1_mm_run(&p, a.p, b.p, d ? d : c, bias);
	for (size_t i = 0; d && !ret && i < mm; i++)
		memcpy(c + i * g->ldc * es, d + i * row, row);
	return ret;
}

/*
 * fp32 and bf16: each tile is one oneDNN matmul over the whole of K,
 * epilogue included (bf16: fp32 accumulation, one rounding to bf16 at
 * the end).  The bias goes in as fp32.  Column by column of tiles, so
 * that the column's B is packed once for all its tiles.
 */
/*
 * fp32 GEMMs this small go to t1_mm_sgemm(): a decode step's
 * 1 x 688 x 256 takes 7 us there against 77 us through the matmul
 * primitive, which repacks B on every call.  A shape always takes the
 * same path, so results stay deterministic.
 */
#define SMALL_SGEMM_MACS	(1ull << 22)

/*
 * The epilogue after the call, in the matmul's order (sum, bias, then
 * activation), in vectorised C (t1_vec_epilogue()).
 */
static int small_sgemm(const struct t1_gemm *g)
{
	int ret;

	ret = t1_mm_sgemm(g->trans_a, g->trans_b, g->m, g->n, g->k, g->alpha,
			  g->a, g->lda, g->b, g->ldb, g->beta, g->c, g->ldc);
	if (!ret)
		t1_vec_epilogue(g->c, g->ldc, g->m, g->n, g->bias ? g->biasp : NULL, g->act);
	return ret;
}

static int gemm_direct(const struct t1_gemm *g)
{
	uint32_t t = g->dtype == TESSERA_DTYPE_FP32 ? T1_MM_F32 : T1_MM_BF16;
	const float *bias = NULL;
	uint32_t mt, nt, tm;
	int ret = 0;

	if (g->dtype == TESSERA_DTYPE_FP32 &&
	    (uint64_t)g->m * g->n * g->k <= SMALL_SGEMM_MACS)
		return small_sgemm(g);

	if (g->bias && g->dtype == TESSERA_DTYPE_FP32)
		bias = g->biasp;
	else if (g->bias)
		bias = to_f32(g, 3, g->biasp, 1, g->n, g->n, &ret);
	if (ret)
		goto out;
	t1_gemm_tiles(g->m, g->n, g->k, t1_gemm_tile_macs(g->dtype), &mt, &nt);
	tm = (uint32_t)div_up(g->m, mt);
	for (uint32_t j0 = 0; j0 < g->n; j0 += nt) {
		uint32_t nn = min_u32(nt, g->n - j0);
		const float *bj = bias ? bias + j0 : NULL;
		bool packed = false;

		if (pack_worth(tm)) {
			if (cancelled(g)) {
				ret = -ECANCELED;
				goto out;
			}
			packed = !float_tile(g, t, bj, 0, j0, mt, nn, TILE_PACK);
		}
		for (uint32_t i0 = 0; i0 < g->m; i0 += mt) {
			uint32_t mm = min_u32(mt, g->m - i0);

			if (cancelled(g)) {
				ret = -ECANCELED;
				goto out;
			}
			ret = float_tile(g, t, bj, i0, j0, mm, nn,
					 packed ? TILE_PACKED : TILE_RUN);
			if (ret == -EAGAIN)
				ret = float_tile(g, t, bj, i0, j0, mm, nn, TILE_RUN);
			if (ret)
				goto out;
		}
	}
out:
	scratch_trim();
	return ret;
}

/*
 * Convert @rows rows of @cols elements between the GEMM's 16-bit type
 * (fp16, bf16; at @h, leading dimension @hld elements) and dense fp32 (at
 * @f), widening with @widen or rounding: false if cancelled on the way.
 *
 * Split among the threads the engine's matmul calls use (t1_mm_share()),
 * which are idle meanwhile: on one thread these conversions were about
 * a fifth of an fp16 GEMM's time at 1024^3, the other core idle.  One
 * parallel region per call; each thread converts whole rows and checks
 * for an abort every T1_CHUNK_ELEMS elements.  (Builds without OpenMP,
 * the fuzzers', convert on the engine thread.)
 */
static bool rows_convert(const struct t1_gemm *g, bool widen, float *f,
			 uint8_t *h, size_t hld, uint32_t rows, uint32_t cols)
{
	size_t step = chunk_rows(cols);
	int nthr = (size_t)rows * cols >= 2 * (size_t)T1_CHUNK_ELEMS ?
		   (int)t1_mm_share() : 1;
	atomic_bool stop = false;

	(void)nthr;
#ifdef _OPENMP
#pragma omp parallel num_threads(nthr) if (nthr > 1)
#endif
	{
#ifdef _OPENMP
		size_t t = (size_t)omp_get_thread_num();
		size_t n = (size_t)omp_get_num_threads();
#else
		size_t t = 0, n = 1;
#endif
		size_t r0 = rows * t / n, r1 = rows * (t + 1) / n;

		for (size_t r = r0; r < r1; r++) {
			if ((r - r0) % step == 0 && r &&
			    (atomic_load_explicit(&stop, memory_order_relaxed) ||
			     cancelled(g))) {
				atomic_store(&stop, true);
				break;
			}
			if (widen)
				t1_row_to_f32(f + r * cols, h + r * hld * 2,
					      g->dtype, cols);
			else
				t1_row_from_f32(h + r * hld * 2, g->dtype,
						f + r * cols, cols);
		}
	}
	return !atomic_load(&stop);
}

/* Widen @rows rows of @cols of @src (leading dimension @ld) into @d. */
static bool rows_to_f32(const struct t1_gemm *g, float *d, const uint8_t *src,
			uint32_t rows, uint32_t cols, size_t ld)
{
	return rows_convert(g, true, d, (uint8_t *)src, ld, rows, cols);
}

/* op(B)'s columns j0.. (at @bs) dense in fp32 at @bf: rows of B or of B^T. */
static bool widen_b(const struct t1_gemm *g, float *bf, const uint8_t *bs,
		    uint32_t nn)
{
	return g->trans_b ? rows_to_f32(g, bf, bs, nn, g->k, g->ldb) :
			    rows_to_f32(g, bf, bs, g->k, nn, g->ldb);
}

/*
 * fp16 (oneDNN 2.6 has no fp16 matmul on CPU), and bf16 on hosts where
 * it has no bf16 primitives (t1_mm_bf16(): AVX2): fp32 matmul on operands
 * widened exactly, one rounding to the type at the end.  Column by column of
 * tiles: the column's panel of B is converted to fp32 once (and packed
 * for its tiles), each tile converts its rows of A and (if read) its C,
 * runs one fp32 matmul over the whole of K with the epilogue, and rounds
 * its results once to fp16.  The tiles are narrowed so that the fp32
 * panel of B stays within T1_PACKB_BYTES and a tile's A within
 * T1_PACK_BYTES: the work buffers are bounded whatever the operands.
 */
static int gemm_widened(const struct t1_gemm *g)
{
	size_t krow = (size_t)g->k * sizeof(float);
	uint32_t mt, nt, tm, lim;
	float *af, *bf, *cf, *bias = NULL;
	int ret = 0;

	t1_gemm_tiles(g->m, g->n, g->k, t1_gemm_tile_macs(g->dtype), &mt, &nt);
	/* k <= T1_MAX_DIM (65536): at least 128 columns and 64 rows */
	lim = (uint32_t)(T1_PACKB_BYTES / krow);
	if (nt > lim)
		nt = (uint32_t)div_up(g->n, div_up(g->n, lim));
	lim = (uint32_t)(T1_PACK_BYTES / krow);
	if (mt > lim)
		mt = (uint32_t)div_up(g->m, div_up(g->m, lim));
	tm = (uint32_t)div_up(g->m, mt);
	bf = scratch_get(SCR_B, krow * nt);
	af = bf ? scratch_get(SCR_A, krow * mt) : NULL;
	cf = af ? scratch_get(2, (size_t)mt * nt * sizeof(float)) : NULL;
	if (!cf)
		ret = -ENOMEM;
	if (cf && g->bias)
		bias = to_f32(g, 3, g->biasp, 1, g->n, g->n, &ret);
	if (ret)
		goto out;
	for (uint32_t j0 = 0; j0 < g->n; j0 += nt) {
		uint32_t nn = min_u32(nt, g->n - j0);
		const float *bj = bias ? bias + j0 : NULL;
		struct view bv = { (const uint8_t *)bf, g->trans_b ? g->k : nn,
				   g->trans_b };
		const uint8_t *bs = (const uint8_t *)g->b +
			b_off(g->trans_b, g->ldb, j0) * 2;
		bool packed = false, dense = false;
		struct t1_mm p;

		if (cancelled(g)) {
			ret = -ECANCELED;
			goto out;
		}
		/*
		 * The column's B packed for its tiles: widened straight into
		 * the packed layout where it can be (no dense fp32 copy to
		 * write and read again: the conversions are memory-bound),
		 * else widened (bf) and packed from there.
		 */
		if (pack_worth(tm)) {
			struct view av = { NULL, g->trans_a ? mt : g->k, g->trans_a };

			p = mm_params(g, T1_MM_F32, T1_MM_F32, g->act, av, bv, true,
				      nn, bj, mt, nn, g->k, g->beta);
			p.ldb = g->ldb;
			packed = !t1_mm_pack_b16(&p, bs, g->dtype, T1_PACKB_BYTES);
		}
		if (!packed) {
			if (!widen_b(g, bf, bs, nn)) {
				ret = -ECANCELED;
				goto out;
			}
			dense = true;
		}
		if (!packed && pack_worth(tm)) {
			p.ldb = bv.ld;
			packed = !t1_mm_pack_b(&p, bf, T1_PACKB_BYTES);
		}
		for (uint32_t i0 = 0; i0 < g->m; i0 += mt) {
			uint32_t mm = min_u32(mt, g->m - i0);
			uint8_t *ct = (uint8_t *)g->c + ((size_t)i0 * g->ldc + j0) * 2;
			const uint8_t *as = (const uint8_t *)g->a +
				a_off(g->trans_a, g->lda, i0) * 2;
			struct view av = { (const uint8_t *)af,
					   g->trans_a ? mm : g->k, g->trans_a };

			if (cancelled(g)) {
				ret = -ECANCELED;
				goto out;
			}
			if (!(g->trans_a ? rows_to_f32(g, af, as, g->k, mm, g->lda) :
					   rows_to_f32(g, af, as, mm, g->k, g->lda))) {
				ret = -ECANCELED;
				goto out;
			}
			if (g->beta != 0.0f &&
			    !rows_to_f32(g, cf, ct, mm, nn, g->ldc)) {
				ret = -ECANCELED;
				goto out;
			}
			p = mm_params(g, T1_MM_F32, T1_MM_F32, g->act, av, bv,
				      packed, nn, bj, mm, nn, g->k, g->beta);
			ret = t1_mm_run(&p, af, bf, cf, bj);
			if (ret == -EAGAIN) {
				/* this tile's primitive wants B in another layout */
				if (!dense && !widen_b(g, bf, bs, nn)) {
					ret = -ECANCELED;
					goto out;
				}
				dense = true;
				p.packed_b = false;
				ret = t1_mm_run(&p, af, bf, cf, bj);
			}
			if (ret)
				goto out;
			if (!rows_convert(g, false, cf, ct, g->ldc, mm, nn)) {
				ret = -ECANCELED;
				goto out;
			}
		}
	}
out:
	scratch_trim();
	return ret;
}

/* @dst (leading dimension @ldd) += the dense mm x nn tile @src. */
static void add_rows(int32_t *dst, size_t ldd, const int32_t *src,
		     uint32_t mm, uint32_t nn)
{
	for (size_t i = 0; i < mm; i++)
		for (size_t j = 0; j < nn; j++)
			dst[i * ldd + j] += src[i * nn + j];
}

/*
 * One call of an int8 tile over the whole of K into @sum (leading
 * dimension @lds), B packed (TILE_PACKED) or densified (TILE_RUN), or
 * (TILE_PACK) pack B for that call.  -ENOTSUP when K is over one slice
 * and this call's primitive would not keep the sums exact (then K goes
 * in slices); -EAGAIN as for float_tile().
 */
static int int8_whole(const struct t1_gemm *g, uint32_t i0, uint32_t j0,
		      uint32_t mm, uint32_t nn, int mode, int32_t *sum,
		      uint32_t lds, uint32_t act)
{
	struct view a = a_view(g, 1, i0, 0), b = b_view(g, 1, 0, j0);
	struct t1_mm p;

	if (mode == TILE_PACK && densify_copies(a, mm, g->k, 1))
		a = (struct view){ NULL, g->k, false };
	else if (mode != TILE_PACK)
		a = densify(a, mm, g->k, 1, SCR_A);
	if (mode == TILE_RUN)
		b = densify(b, g->k, nn, 1, SCR_B);
	p = mm_params(g, T1_MM_S8, T1_MM_S32, act, a, b, mode != TILE_RUN, lds,
		      false, mm, nn, g->k, 0.0f);
	/* (first: no packing for a call that will not be made) */
	if (g->k > T1_INT8_K_SLICE && !t1_mm_exact_s32(&p))
		return -ENOTSUP;
	if (mode == TILE_PACK)
		return t1_mm_pack_b(&p, b.p, T1_PACKB_BYTES);
	return t1_mm_run(&p, a.p, b.p, sum, NULL);
}

/* The same in K slices of T1_INT8_K_SLICE, added in int32 here. */
static int int8_sliced(const struct t1_gemm *g, uint32_t i0, uint32_t j0,
		       uint32_t mm, uint32_t nn, int32_t *sum, uint32_t lds)
{
	int32_t *part = scratch_get(1, (size_t)mm * nn * sizeof(int32_t));

	if (!part)
		return -ENOMEM;
	for (uint32_t p0 = 0; p0 < g->k; p0 += T1_INT8_K_SLICE) {
		uint32_t kc = min_u32(T1_INT8_K_SLICE, g->k - p0);
		struct view av = densify(a_view(g, 1, i0, p0), mm, kc, 1, SCR_A);
		struct view bv = densify(b_view(g, 1, p0, j0), kc, nn, 1, SCR_B);
		struct t1_mm p = mm_params(g, T1_MM_S8, T1_MM_S32,
					   TESSERA_ACT_NONE, av, bv, false,
					   p0 ? nn : lds, false, mm, nn, kc, 0.0f);
		int ret;

		if (cancelled(g))
			return -ECANCELED;
		ret = t1_mm_run(&p, av.p, bv.p, p0 ? part : sum, NULL);
		if (ret)
			return ret;
		if (p0)
			add_rows(sum, lds, part, mm, nn);
	}
	return 0;
}

/*
 * The int8 @rows x @cols op(@v) as fp32 (exact) at @d, dense in the
 * orientation it is stored in; the fp32 view of it.
 */
static struct view s8_widen(float *d, struct view v, uint32_t rows,
			    uint32_t cols)
{
	uint32_t sr = v.trans ? cols : rows, sc = v.trans ? rows : cols;

	for (size_t r = 0; r < sr; r++) {
		const int8_t *src = (const int8_t *)v.p + r * v.ld;
		float *o = d + r * sc;

		for (size_t c = 0; c < sc; c++)
			o[c] = src[c];
	}
	return (struct view){ (const uint8_t *)d, sc, v.trans };
}

/*
 * int8_sliced() for hosts whose s8 matmul is not exact (!t1_mm_s8():
 * no VNNI): each K slice of A and B widened to fp32 and multiplied by
 * the fp32 matmul.  The products (|p| <= 2^14) and every partial sum of
 * a slice (|s| <= 1024 * 2^14 = 2^24) are integers fp32 holds exactly,
 * so the result is exact in any order; the slices are added in int32.
 * Work buffers: the tile's slices of A and B (gemm_int8() narrows the
 * tiles to T1_PACK_BYTES and T1_PACKB_BYTES of them) and its fp32 sum.
 */
static int int8_sliced_f32(const struct t1_gemm *g, uint32_t i0, uint32_t j0,
			   uint32_t mm, uint32_t nn, int32_t *sum,
			   uint32_t lds)
{
	uint32_t kmax = min_u32(T1_INT8_K_SLICE, g->k);
	float *af = scratch_get(SCR_A, (size_t)mm * kmax * sizeof(float));
	float *bf = af ? scratch_get(SCR_B, (size_t)kmax * nn * sizeof(float)) :
			 NULL;
	float *part = bf ? scratch_get(2, (size_t)mm * nn * sizeof(float)) :
			   NULL;

	if (!part)
		return -ENOMEM;
	for (uint32_t p0 = 0; p0 < g->k; p0 += T1_INT8_K_SLICE) {
		uint32_t kc = min_u32(T1_INT8_K_SLICE, g->k - p0);
		struct view av = s8_widen(af, a_view(g, 1, i0, p0), mm, kc);
		struct view bv = s8_widen(bf, b_view(g, 1, p0, j0), kc, nn);
		struct t1_mm p = mm_params(g, T1_MM_F32, T1_MM_F32,
					   TESSERA_ACT_NONE, av, bv, false, nn,
					   false, mm, nn, kc, 0.0f);
		int ret;

		if (cancelled(g))
			return -ECANCELED;
		ret = t1_mm_run(&p, av.p, bv.p, part, NULL);
		if (ret)
			return ret;
		for (size_t i = 0; i < mm; i++)
			for (size_t j = 0; j < nn; j++) {
				int32_t v = (int32_t)part[i * nn + j];

				if (p0)
					sum[i * lds + j] += v;
				else
					sum[i * lds + j] = v;
			}
	}
	return 0;
}

/*
 * int8 x int8 -> int32 on oneDNN's s8 x s8 -> s32 matmul (VNNI, AMX).
 * The sums must be exact (|sum| <= 65536 * 2^14 = 2^30).  oneDNN's AMX
 * kernels keep them in int32 up to the store (t1_mm_exact_s32()): there
 * each tile is one call over the whole of K, like the float types, on
 * its column's packed B.  Its other kernels pass the sums through fp32,
 * exact only up to 2^24: there, for K over T1_INT8_K_SLICE (1024: |sum|
 * <= 1024 * 2^14 = 2^24), K goes in slices, one call per slice and tile,
 * and the slices are added here in int32 (no overflow).
 *
 * Without C or bias the result is the sum itself (it cannot saturate):
 * it goes straight into C, with RELU as a post-op if K is one slice
 * (RELU of an exact value is exact) and applied here otherwise.  With C
 * or bias the sum collects in a tile buffer, and the epilogue adds C and
 * bias in 64 bits, applies RELU and saturates.  Work buffers: at most
 * two int32 tiles, whatever the GEMM's size.
 */
static int gemm_int8(const struct t1_gemm *g)
{
	bool direct = g->beta == 0.0f && !g->bias;
	bool big = g->k > T1_INT8_K_SLICE, s8 = t1_mm_s8();
	/* RELU on the sums here, not as the library's post-op */
	bool relu_here = big || !s8;
	int32_t *acc = NULL;
	uint32_t mt, nt, tm;
	int ret = -ENOMEM;

	/* per call: the whole of K where it can be exact, else one slice */
	t1_gemm_tiles(g->m, g->n,
		      (big && !t1_mm_amx()) || !s8 ? min_u32(g->k, T1_INT8_K_SLICE) :
						     g->k,
		      t1_gemm_tile_macs(g->dtype), &mt, &nt);
	if (!s8) {
		/* fp32 slices of A and B: bounded like fp16's (gemm_widened()) */
		size_t krow = (size_t)min_u32(g->k, T1_INT8_K_SLICE) * sizeof(float);
		uint32_t lim = (uint32_t)(T1_PACKB_BYTES / krow);

		if (nt > lim)
			nt = (uint32_t)div_up(g->n, div_up(g->n, lim));
		lim = (uint32_t)(T1_PACK_BYTES / krow);
		if (mt > lim)
			mt = (uint32_t)div_up(g->m, div_up(g->m, lim));
	}
	tm = (uint32_t)div_up(g->m, mt);
	for (uint32_t j0 = 0; j0 < g->n; j0 += nt) {
		uint32_t nn = min_u32(nt, g->n - j0);
		bool packed = false;

		for (uint32_t i0 = 0; i0 < g->m; i0 += mt) {
			uint32_t mm = min_u32(mt, g->m - i0);
			int32_t *ct = (int32_t *)g->c + (size_t)i0 * g->ldc + j0;
			/* straight into C only where C's tile is dense */
			bool dtile = direct && (g->ldc == nn || mm == 1);
			uint32_t act = dtile && !relu_here ? g->act :
							     TESSERA_ACT_NONE;
			uint32_t lds = dtile ? g->ldc : nn;
			int32_t *sum;

			if (!dtile && !acc &&
			    !(acc = scratch_get(0, (size_t)mt * nt * sizeof(int32_t))))
				goto out;
			sum = dtile ? ct : acc;
			if (cancelled(g)) {
				ret = -ECANCELED;
				goto out;
			}
			/* the column's first tile packs B for all of them */
			if (s8 && !i0 && pack_worth(tm))
				packed = !int8_whole(g, i0, j0, mm, nn, TILE_PACK,
						     sum, lds, act);
			ret = packed ? int8_whole(g, i0, j0, mm, nn, TILE_PACKED,
						  sum, lds, act) : -EAGAIN;
			if (ret == -EAGAIN && s8)
				ret = int8_whole(g, i0, j0, mm, nn, TILE_RUN, sum,
						 lds, act);
			if (ret == -ENOTSUP)
				ret = int8_sliced(g, i0, j0, mm, nn, sum, lds);
			if (ret == -EAGAIN)
				ret = int8_sliced_f32(g, i0, j0, mm, nn, sum, lds);
			if (ret)
				goto out;
			if (dtile) {
				if (relu_here && g->act == TESSERA_ACT_RELU)
					for (size_t i = 0; i < mm; i++)
						for (size_t j = 0; j < nn; j++)
							if (ct[i * g->ldc + j] < 0)
								ct[i * g->ldc + j] = 0;
				continue;
			}
			for (size_t i = 0; i < mm; i++) {
				int32_t *row = ct + i * g->ldc;
				const int32_t *bias = g->biasp;

				for (size_t j = 0; j < nn; j++) {
					int64_t v = acc[i * nn + j];

					if (g->beta != 0.0f)
						v += row[j];
					if (g->bias)
						v += bias[j0 + j];
					if (g->act == TESSERA_ACT_RELU && v < 0)
						v = 0;
					row[j] = (int32_t)(v > INT32_MAX ? INT32_MAX :
							   v < INT32_MIN ? INT32_MIN : v);
				}
			}
		}
	}
	ret = 0;
out:
	scratch_trim();
	return ret;
}

/*
 * Whether the commands of type @dt run on fp32 (operands widened exactly,
 * results rounded once): fp16 (oneDNN 2.6 has no fp16 primitives), and
 * bf16 where oneDNN has no bf16 primitives (t1_mm_bf16()).
 */
static bool widened(uint32_t dt)
{
	return dt == TESSERA_DTYPE_FP16 ||
	       (dt == TESSERA_DTYPE_BF16 && !t1_mm_bf16());
}

/* oneDNN's type for the arithmetic of @dt: its own or fp32 (widened). */
static uint32_t math_type(uint32_t dt)
{
	return dt == TESSERA_DTYPE_BF16 && !widened(dt) ? T1_MM_BF16 :
							 T1_MM_F32;
}

int t1_gemm_run(const struct t1_gemm *g)
{
	int ret;

	t1_mm_busy(1);
	if (g->dtype == TESSERA_DTYPE_INT8)
		ret = gemm_int8(g);
	else if (widened(g->dtype))
		ret = gemm_widened(g);
	else
		ret = gemm_direct(g);
	t1_mm_busy(-1);
	return ret;
}

static uint32_t mm_type(uint32_t dt)
{
	switch (dt) {
	case TESSERA_DTYPE_FP16:	return T1_MM_F16;
	case TESSERA_DTYPE_BF16:	return T1_MM_BF16;
	case TESSERA_DTYPE_INT8:	return T1_MM_S8;
	case TESSERA_DTYPE_INT32:	return T1_MM_S32;
	default:			return T1_MM_F32;
	}
}

static bool is_int(uint32_t dt)
{
	return dt == TESSERA_DTYPE_INT8 || dt == TESSERA_DTYPE_INT32;
}

/*
 * CAST.  oneDNN's reorders do the conversions that are exact or round
 * from integers (int8 <-> int32 saturating, int8/int32 -> fp32).  Those
 * that round floating point stay on the card's conversions, because
 * oneDNN 2.6's differ from the card's: its fp16 reorders lose the sign
 * of zero, its fp32 -> bf16 (AVX512_BF16's VCVTNEPS2BF16) flushes
 * subnormals to zero, and its float -> integer ones give 127 for an int8
 * NaN and INT32_MIN for an int32 NaN and for 3e9.  int32 -> fp16/bf16
 * goes through fp32 (two roundings, as before oneDNN).
 */
static int ew_cast(uint32_t sdt, uint32_t ddt, size_t count, const void *a,
		   void *d)
{
	struct t1_ew ew = {
		.op = TESSERA_EW_CAST, .count = (uint32_t)count,
		.src = mm_type(sdt), .dst = mm_type(ddt),
	};
	float *tmp;
	int ret;

	if (sdt == ddt) {
		memmove(d, a, count * t1_dtype_size(sdt));
		return 0;
	}
	if (is_int(sdt) && (is_int(ddt) || ddt == TESSERA_DTYPE_FP32))
		return t1_ew_run(&ew, a, NULL, d);
	if (!(tmp = scratch_get(0, count * sizeof(float))))
		return -ENOMEM;
	if (is_int(sdt)) {
		ew.dst = T1_MM_F32;
		ret = t1_ew_run(&ew, a, NULL, tmp);
		if (ret)
			return ret;
	} else {
		t1_row_to_f32(tmp, a, sdt, count);
	}
	t1_row_from_f32(d, ddt, tmp, count);
	return 0;
}

static bool f32_nan(const void *p, size_t i)
{
	uint32_t u;

	memcpy(&u, (const uint8_t *)p + 4 * i, 4);
	return (u & 0x7fffffff) > 0x7f800000;
}

static bool bf16_nan(const void *p, size_t i)
{
	uint16_t h;

	memcpy(&h, (const uint8_t *)p + 2 * i, 2);
	return (h & 0x7fff) > 0x7f80;
}

/*
 * EXP of NaN is NaN on the card, +inf from oneDNN 2.6's exp: give the
 * NaN lanes of @src (type T1_MM_F32 or T1_MM_BF16) back, quieted, in @dst.
 */
static void exp_nans(uint32_t type, const void *src, void *dst, size_t count)
{
	bool bf = type == T1_MM_BF16;

	for (size_t i = 0; i < count; i++) {
		if (bf && bf16_nan(src, i)) {
			uint16_t h;

			memcpy(&h, (const uint8_t *)src + 2 * i, 2);
			h |= 0x40;
			memcpy((uint8_t *)dst + 2 * i, &h, 2);
		} else if (!bf && f32_nan(src, i)) {
			uint32_t u;

			memcpy(&u, (const uint8_t *)src + 4 * i, 4);
			u |= 0x400000;
			memcpy((uint8_t *)dst + 4 * i, &u, 4);
		}
	}
}

static bool any_nan(uint32_t type, const void *src, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (type == T1_MM_BF16 ? bf16_nan(src, i) : f32_nan(src, i))
			return true;
	return false;
}

/* The arithmetic ops on fp32 or bf16 (natively) or through fp32. */
static int ew_math(uint32_t op, uint32_t dt, size_t count, const void *a,
		   const void *b, void *d, float scalar)
{
	bool wide = widened(dt), binary = op <= TESSERA_EW_MUL;
	struct t1_ew ew = { .op = op, .count = (uint32_t)count };
	size_t es = wide ? 4 : t1_dtype_size(dt);
	const void *x = a, *y = op == TESSERA_EW_SCALE ? &scalar : b;
	void *out = d;
	bool nans;
	int ret;

	ew.src = ew.dst = math_type(dt);
	if (wide) {
		float *fx = scratch_get(0, count * sizeof(float));
		float *fy = binary ? scratch_get(1, count * sizeof(float)) : NULL;

		if (!fx || (binary && !fy))
			return -ENOMEM;
		t1_row_to_f32(fx, a, dt, count);
		if (binary)
			t1_row_to_f32(fy, b, dt, count);
		x = fx;
		if (binary)
			y = fy;
	}
	/* EXP with NaNs in A: out of place, so that A is there to fix up */
	nans = op == TESSERA_EW_EXP && any_nan(ew.src, x, count);
	if (wide || nans) {
		out = scratch_get(2, count * es);
		if (!out)
			return -ENOMEM;
	}
	ret = t1_ew_run(&ew, x, y, out);
	if (ret)
		return ret;
	if (nans)
		exp_nans(ew.src, x, out, count);
	if (wide)
		t1_row_from_f32(d, dt, out, count);
	else if (out != d)
		memcpy(d, out, count * es);
	return 0;
}

int t1_elementwise(uint32_t op, uint32_t sdt, uint32_t ddt, size_t count,
		   const void *a, const void *b, void *d, float scalar)
{
	int ret;

	/* exact IEEE operations: the same bits as oneDNN's binary primitive */
	if (sdt == TESSERA_DTYPE_FP32 && !t1_vec_ew(op, count, a, b, d, scalar))
		return 0;
	t1_mm_busy(1);		/* shares the math threads like a GEMM */
	if (op == TESSERA_EW_CAST)
		ret = ew_cast(sdt, ddt, count, a, d);
	else
		ret = ew_math(op, sdt, count, a, b, d, scalar);
	scratch_trim();
	t1_mm_busy(-1);
	return ret;
}

/*
 * fp32 SOFTMAX and LAYERNORM rows of at most T1_VEC_ROW_COLS in C, one
 * oneDNN row each for those with a NaN or an infinity: no primitive per
 * row length (a decoding step's attention rows grow by one every
 * position), and none to create at a shape's first command.
 */
static int rows_vec(const struct t1_rw *rw, const uint8_t *s, uint8_t *d, const float *gamma,
		    const float *beta)
{
	for (uint32_t i = 0; i < rw->rows; i++) {
		const float *x = (const float *)s + (size_t)i * rw->lds;
		float *y = (float *)d + (size_t)i * rw->ldd;
		struct t1_rw one = *rw;
		int ret;

		if (!(rw->ln ? t1_vec_layernorm_row(rw->cols, x, y, gamma, beta, rw->eps) :
			       t1_vec_softmax_row(rw->cols, x, y)))
			continue;
		one.rows = 1;
		/* oneDNN's LAYERNORM runs in place on D */
		if (rw->ln && x != y)
			memmove(y, x, rw->cols * sizeof(float));
		ret = t1_rw_run(&one, rw->ln ? y : x, y, gamma, beta);
		if (ret)
			return ret;
	}
	return 0;
}

int t1_rowwise(const struct t1_rows *p)
{
	size_t es = t1_dtype_size(p->dt);
	uint32_t step = p->cols >= T1_CHUNK_ELEMS ? 1 : T1_CHUNK_ELEMS / p->cols;
	bool wide = widened(p->dt);
	float *gamma = NULL, *beta = NULL, *tmp = NULL;
	int ret = -ENOMEM;

	t1_mm_busy(1);		/* shares the math threads like a GEMM */
	if (p->gamma && !(gamma = scratch_get(0, (size_t)p->cols * sizeof(float))))
		goto out;
	if (p->beta && !(beta = scratch_get(1, (size_t)p->cols * sizeof(float))))
		goto out;
	if (wide && !(tmp = scratch_get(2, (size_t)step * p->cols * sizeof(float))))
		goto out;
	if (gamma)
		t1_row_to_f32(gamma, p->gamma, p->dt, p->cols);
	if (beta)
		t1_row_to_f32(beta, p->beta, p->dt, p->cols);
	for (uint32_t r0 = 0; r0 < p->rows; r0 += step) {
		uint32_t n = min_u32(step, p->rows - r0);
		const uint8_t *s = (const uint8_t *)p->src + (size_t)r0 * p->lds * es;
		uint8_t *d = (uint8_t *)p->dst + (size_t)r0 * p->ldd * es;
		struct t1_rw rw = {
			.type = math_type(p->dt),
			.ln = p->ln, .gamma = gamma, .beta = beta,
			.rows = n, .cols = p->cols, .lds = p->lds, .ldd = p->ldd,
			.eps = p->eps,
		};

		if (p->cancel && atomic_load_explicit(p->cancel,
						      memory_order_relaxed)) {
			ret = -ECANCELED;
			goto out;
		}
		if (wide) {
			/* fp32 in dense scratch, rounded once on the way back */
			for (size_t i = 0; i < n; i++)
				t1_row_to_f32(tmp + i * p->cols, s + i * p->lds * es,
					      p->dt, p->cols);
			rw.lds = rw.ldd = p->cols;
			ret = t1_rw_run(&rw, tmp, tmp, gamma, beta);
			for (size_t i = 0; !ret && i < n; i++)
				t1_row_from_f32(d + i * p->ldd * es, p->dt,
						tmp + i * p->cols, p->cols);
		} else {
			if (p->dt == TESSERA_DTYPE_FP32 && p->cols <= T1_VEC_ROW_COLS) {
				ret = rows_vec(&rw, s, d, gamma, beta);
				if (ret)
					goto out;
				continue;
			}
			/* LAYERNORM runs in place on D: bring the rows there */
			if (p->ln && (s != d || p->lds != p->ldd))
				for (size_t i = 0; i < n; i++)
					memmove(d + i * p->ldd * es,
						s + i * p->lds * es, p->cols * es);
			ret = t1_rw_run(&rw, s, d, gamma, beta);
		}
		if (ret)
			goto out;
	}
	ret = 0;
out:
	scratch_trim();
	t1_mm_busy(-1);
	return ret;
}
