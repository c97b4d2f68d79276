// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Small commands in vectorised C: the fp32 GEMM epilogue after
 * t1_mm_sgemm() (bias, RELU, GELU), ELEMENTWISE ADD, MUL and SCALE on
 * fp32, and fp32 SOFTMAX rows.
 *
 * A oneDNN primitive costs a few microseconds to run and, for each new
 * shape, tens to hundreds to create; a decoding step's commands are
 * microseconds of work, and its SOFTMAX has a new row length at every
 * position.  These loops have no per-shape state, so the first call
 * costs what the others do.  GCC vectorises them (its full vectoriser,
 * asked for below; the element loops call glibc's vector erff and expf,
 * libmvec, through the simd declarations below) and builds each for
 * AVX-512 and for the baseline, picking one at load time.  The results
 * depend only on the host, the shape and the data, so they are repeatable
 * (the programming guide's *Determinism*).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-math-errno", \
		     "fp-contract=off")
#define T1_VEC_CLONES	__attribute__((target_clones("avx512f", "default")))
#else
#pragma clang fp contract(off)
#define T1_VEC_CLONES
#endif

#include <errno.h>
#include <math.h>

#if defined(__GNUC__) && !defined(__clang__)
/*
 * glibc declares the vector variants only under -ffast-math; they exist
 * anyway.  expf is const here too: the pragma's no-math-errno does not
 * reach a builtin's attributes, and nothing here reads errno.
 */
extern float erff(float x) __attribute__((__simd__("notinbranch")));
extern float expf(float x) __attribute__((__simd__("notinbranch"), __const__));
#endif

#include "t1_math.h"
#include "accel/tessera_cmd.h"

/*
 * The bias, then the activation, in place on @n elements: RELU is
 * exact (max(x, 0); NaN gives 0), GELU the erf form in fp32 (libmvec's
 * erff: at most 2.4e-7 from erf on the development host).
 */
T1_VEC_CLONES
static void epilogue_row(float *c, const float *bias, uint32_t n, uint32_t act)
{
	if (bias)
		for (uint32_t j = 0; j < n; j++)
			c[j] += bias[j];
	if (act == TESSERA_ACT_RELU) {
		for (uint32_t j = 0; j < n; j++)
			c[j] = c[j] > 0.0f ? c[j] : 0.0f;
	} else if (act == TESSERA_ACT_GELU) {
		for (uint32_t j = 0; j < n; j++)
			c[j] = 0.5f * c[j] * (1.0f + erff(c[j] * (float)M_SQRT1_2));
	}
}

void t1_vec_epilogue(float *c, size_t ldc, uint32_t m, uint32_t n, const float *bias,
		     uint32_t act)
{
	if (!bias && act == TESSERA_ACT_NONE)
		return;
	for (uint32_t i = 0; i < m; i++)
		epilogue_row(c + (size_t)i * ldc, bias, n, act);
}

T1_VEC_CLONES
static void ew_add(float *d, const float *a, const float *b, size_t count)
{
	for (size_t i = 0; i < count; i++)
		d[i] = a[i] + b[i];
}

T1_VEC_CLONES
static void ew_mul(float *d, const float *a, const float *b, size_t count)
{
	for (size_t i = 0; i < count; i++)
		d[i] = a[i] * b[i];
}

T1_VEC_CLONES
static void ew_scale(float *d, const float *a, float s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		d[i] = a[i] * s;
}

/*
 * No restrict anywhere here: D may be A or B (in place), and a guest may
 * make any operands overlap; GCC checks for overlap at run time and runs
 * the vector loop when there is none.
 */
int t1_vec_ew(uint32_t op, size_t count, const float *a, const float *b, float *d,
	      float scalar)
{
	switch (op) {
	case TESSERA_EW_ADD:
		ew_add(d, a, b, count);
		return 0;
	case TESSERA_EW_MUL:
		ew_mul(d, a, b, count);
		return 0;
	case TESSERA_EW_SCALE:
		ew_scale(d, a, scalar, count);
		return 0;
	}
	return -EOPNOTSUPP;
}

/* The row's largest element, and whether every element is finite. */
T1_VEC_CLONES
static float row_max(const float *x, uint32_t n, bool *finite)
{
	float m = -INFINITY, z = 0.0f;

	for (uint32_t j = 0; j < n; j++) {
		m = x[j] > m ? x[j] : m;
		z += x[j] * 0.0f;	/* NaN if any element is NaN or infinite */
	}
	*finite = z == 0.0f;
	return m;
}

/*
 * exp(x - max) into @d (may be @x), summed in double in order; then each
 * multiplied by the sum's reciprocal in double and rounded once to fp32.
 */
T1_VEC_CLONES
static void row_softmax(float *d, const float *x, uint32_t n, float m)
{
	double sum = 0.0;
	double inv;

	for (uint32_t j = 0; j < n; j++)
		d[j] = expf(x[j] - m);
	for (uint32_t j = 0; j < n; j++)
		sum += d[j];
	inv = 1.0 / sum;
	for (uint32_t j = 0; j < n; j++)
		d[j] = (float)(d[j] * inv);
}

int t1_vec_softmax_row(uint32_t cols, const float *src, float *dst)
{
	bool finite;
	float m = row_max(src, cols, &finite);

	if (!finite)
		return -EAGAIN;
	row_softmax(dst, src, cols, m);
	return 0;
}

/* Mean and variance of the row in double, in order (no vector reduction). */
static void row_moments(const float *x, uint32_t n, double *mean, double *var)
{
	double s = 0.0, q = 0.0, m;

	for (uint32_t j = 0; j < n; j++)
		s += x[j];
	m = s / n;
	for (uint32_t j = 0; j < n; j++)
		q += (x[j] - m) * (x[j] - m);
	*mean = m;
	*var = q / n;
}

T1_VEC_CLONES
static void row_normalise(float *d, const float *x, uint32_t n, float mean, float rstd,
			  const float *gamma, const float *beta)
{
	for (uint32_t j = 0; j < n; j++)
		d[j] = (x[j] - mean) * rstd;
	if (gamma)
		for (uint32_t j = 0; j < n; j++)
			d[j] *= gamma[j];
	if (beta)
		for (uint32_t j = 0; j < n; j++)
			d[j] += beta[j];
}

int t1_vec_layernorm_row(uint32_t cols, const float *src, float *dst, const float *gamma,
			 const float *beta, float eps)
{
	double mean, var;
	bool finite;

	row_max(src, cols, &finite);
	if (!finite)
		return -EAGAIN;
	row_moments(src, cols, &mean, &var);
	row_normalise(dst, src, cols, (float)mean, (float)(1.0 / sqrt(var + eps)), gamma, beta);
	return 0;
}
