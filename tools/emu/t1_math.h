/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * T1 numeric kernels: number formats and the math behind GEMM,
 * ELEMENTWISE, SOFTMAX and LAYERNORM.  Pure functions on host buffers.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_T1_MATH_H
#define TESSERA_T1_MATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

float t1_f16_to_f32(uint16_t h);
uint16_t t1_f32_to_f16(float f);	/* round to nearest even */
float t1_bf16_to_f32(uint16_t h);
uint16_t t1_f32_to_bf16(float f);	/* round to nearest even */
int8_t t1_f32_to_i8(float f);		/* RNE, saturating, NaN -> 0 */
int32_t t1_f32_to_i32(float f);		/* RNE, saturating, NaN -> 0 */
float t1_gelu(float x);

/* Bytes per element of TESSERA_DTYPE_* @dt, 0 if unknown. */
unsigned int t1_dtype_size(uint32_t dt);
/* Element @i of an array of type @dt, as fp32 / stored from fp32. */
float t1_load(const void *p, uint32_t dt, size_t i);
void t1_store(void *p, uint32_t dt, size_t i, float v);

struct t1_gemm {
	uint32_t dtype, act;
	bool trans_a, trans_b, bias;
	uint32_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
	const void *a, *b, *biasp;
	void *c;
};
/* 0, or -ENOMEM. */
int t1_gemm_run(const struct t1_gemm *g);

/* ELEMENTWISE over @count elements; 0 or -ENOMEM. */
int t1_elementwise(uint32_t op, uint32_t sdt, uint32_t ddt, size_t count,
		   const void *a, const void *b, void *d, float scalar);
void t1_softmax_row(const void *src, void *dst, uint32_t dt, size_t cols,
		    float *tmp);
void t1_layernorm_row(const void *src, void *dst, uint32_t dt, size_t cols,
		      const void *gamma, const void *beta, float eps,
		      float *tmp);

#endif /* TESSERA_T1_MATH_H */
