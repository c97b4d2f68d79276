/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * T1 numeric kernels: number formats and the math behind GEMM,
 * ELEMENTWISE, SOFTMAX and LAYERNORM.  Pure functions on host buffers.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_T1_MATH_H
#define TESSERA_T1_MATH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Work between two checks of an engine's abort flag (the bounds that
 * Documentation/hw/programming-guide.rst, "Resets", promises): a GEMM
 * runs in tiles of at most T1_TILE_MACS multiply-accumulates (fp32, fp16;
 * T1_BF16_TILE_MACS for bf16, T1_INT8_TILE_MACS per K slice for int8;
 * on AMX hosts T1_BF16_AMX_TILE_MACS and T1_INT8_AMX_TILE_MACS) and
 * T1_TILE_AREA elements of C, each tile one oneDNN call (or one per K
 * slice), the tiles of a column sharing one packed B; row-wise work
 * and type conversions in chunks of T1_CHUNK_ELEMS elements (at least
 * one row), memory transfers in chunks of T1_CHUNK_BYTES.  Each is a few
 * ms of host time at most (2^28 MACs are 1.4 ms at 390 GFLOP/s).
 */
#define T1_TILE_MACS		(1ull << 28)
#define T1_TILE_AREA		(1ull << 22)
#define T1_CHUNK_ELEMS		(1u << 16)
#define T1_CHUNK_BYTES		(4u << 20)
/* A tile is whole rows of C when that gives it at least this many rows. */
#define T1_PANEL_ROWS		64u
/* Largest dense copy of a strided GEMM operand tile (t1_math.c). */
#define T1_PACK_BYTES		(16u << 20)
/*
 * Largest panel of B packed once for a column of GEMM tiles (and fp16's
 * fp32 copy of that panel): one per engine thread.
 */
#define T1_PACKB_BYTES		(32u << 20)
/* bf16 and int8 run 3-7x faster than fp32: bigger tiles, same time. */
#define T1_BF16_TILE_MACS	(1ull << 29)
#define T1_INT8_TILE_MACS	(1ull << 29)
/*
 * And on AMX 2-3x faster again (1024^3 bf16 ~1.5 ms, 2048^3 int8 ~6 ms
 * on two cores): fewer calls, which cost AMX more than their arithmetic.
 */
#define T1_BF16_AMX_TILE_MACS	(1ull << 30)
#define T1_INT8_AMX_TILE_MACS	(1ull << 31)
/*
 * int8 GEMM: K is summed in slices of this many, so that each slice's sum
 * (|sum| <= 2^24) passes exactly through oneDNN's fp32 output stage.
 */
#define T1_INT8_K_SLICE		1024u

float t1_f16_to_f32(uint16_t h);
uint16_t t1_f32_to_f16(float f);	/* round to nearest even */
float t1_bf16_to_f32(uint16_t h);
uint16_t t1_f32_to_bf16(float f);	/* round to nearest even */
int8_t t1_f32_to_i8(float f);		/* RNE, saturating, NaN -> 0 */
int32_t t1_f32_to_i32(float f);		/* RNE, saturating, NaN -> 0 */

/*
 * @count elements of type @dt as fp32 and back (rounding once): the same
 * values as t1_load() / t1_store(), faster (F16C where the host has it).
 */
void t1_row_to_f32(float *dst, const void *src, uint32_t dt, size_t count);
void t1_row_from_f32(void *dst, uint32_t dt, const float *src, size_t count);

/*
 * Per-thread work buffers for the training commands (t1_train.c): buffer
 * @i (< T1_SCRATCH_TRAIN) with room for @bytes, page-aligned, kept
 * between commands, or NULL.  t1_scratch_trim() frees the oversized ones
 * (above 64 MiB) once a command is done.  The GEMM's own buffers are
 * separate, so a command may hold these across t1_gemm_run().
 */
#define T1_SCRATCH_TRAIN	6
void *t1_scratch(unsigned int i, size_t bytes);
void t1_scratch_trim(void);

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
	/* Polled between tiles: once true the GEMM stops.  May be NULL. */
	const atomic_bool *cancel;
};
/*
 * 0, -ENOMEM or -ECANCELED.  A cancelled GEMM may have written part of
 * C.  Each element of C is computed by one library call over the whole
 * of K (fp32/fp16/bf16), or exactly (int8), so tiling does not change a
 * result where the library's kernels sum K the same way whatever the
 * call's shape (AVX-512 and up; its AVX2 sgemm does not).
 */
int t1_gemm_run(const struct t1_gemm *g);

/*
 * The tile grid of an M x N x K GEMM with at most @macs multiply-
 * accumulates and T1_TILE_AREA elements of C per tile: tiles of *mt x *nt
 * (the last row and column of tiles may be smaller), about equal in size.
 * The whole matrix is one tile when it is within both.
 */
void t1_gemm_tiles(uint32_t m, uint32_t n, uint32_t k, uint64_t macs,
		   uint32_t *mt, uint32_t *nt);
/* The multiply-accumulates per GEMM tile of type @dt on this host. */
uint64_t t1_gemm_tile_macs(uint32_t dt);

/*
 * ELEMENTWISE over @count (at most T1_CHUNK_ELEMS: one unit of work)
 * elements, on oneDNN; 0, -ENOMEM or -EINVAL.
 */
int t1_elementwise(uint32_t op, uint32_t sdt, uint32_t ddt, size_t count,
		   const void *a, const void *b, void *d, float scalar);
/*
 * SOFTMAX or LAYERNORM (@ln) of @rows x @cols of type @dt, on oneDNN, in
 * chunks of T1_CHUNK_ELEMS elements (at least one row) with an abort
 * check between them; gamma/beta may be NULL.  0, -ENOMEM, -EINVAL or
 * -ECANCELED.
 */
struct t1_rows {
	bool ln;
	uint32_t dt, rows, cols, lds, ldd;
	const void *src, *gamma, *beta;
	void *dst;
	float eps;
	const atomic_bool *cancel;
};
int t1_rowwise(const struct t1_rows *p);

/*
 * Small commands in vectorised C (t1_vec.c).  t1_vec_epilogue(): the
 * bias (@bias: @n fp32, or NULL), then TESSERA_ACT_@act, in place on the
 * @m x @n fp32 C at @c (@ldc elements apart).  t1_vec_ew(): ELEMENTWISE
 * ADD, MUL or SCALE on fp32 (-EOPNOTSUPP for other ops).
 * t1_vec_softmax_row(): SOFTMAX of one fp32 row of @cols (at most
 * T1_VEC_ROW_COLS) elements; -EAGAIN, nothing written, when it holds
 * a NaN or an infinity (the caller runs oneDNN's on that row, whose
 * handling of those the card's follows).  The path depends only on the
 * row, so rows give the same bits however a command's rows are grouped
 * into chunks and blocks.  t1_vec_layernorm_row(): LAYERNORM of one such
 * row (@gamma, @beta: @cols fp32, or NULL), mean and variance summed in
 * double; the same -EAGAIN.
 */
#define T1_VEC_ROW_COLS		1024u
void t1_vec_epilogue(float *c, size_t ldc, uint32_t m, uint32_t n, const float *bias,
		     uint32_t act);
int t1_vec_ew(uint32_t op, size_t count, const float *a, const float *b, float *d,
	      float scalar);
int t1_vec_softmax_row(uint32_t cols, const float *src, float *dst);
int t1_vec_layernorm_row(uint32_t cols, const float *src, float *dst, const float *gamma,
			 const float *beta, float eps);

#endif /* TESSERA_T1_MATH_H */
