/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The emulator's matmul unit: one oneDNN matmul call per GEMM tile, with
 * the primitive for each tile shape created once and kept per engine
 * thread, and oneDNN's threads shared among the engines that compute.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_T1_DNNL_H
#define TESSERA_T1_DNNL_H

#include <stdbool.h>
#include <stdint.h>

/* Element types of one tile call (oneDNN's names, held as plain ints). */
enum t1_mm_type { T1_MM_F32, T1_MM_BF16, T1_MM_S8, T1_MM_S32, T1_MM_F16 };

/*
 * C[m][n] = act(alpha * op(A) * op(B) + beta * C + bias[n]), all row-major
 * with leading dimensions; beta == 0 does not read C; bias is fp32 or
 * NULL; act is TESSERA_ACT_*.  A and B have type @ab, C type @c.
 */
struct t1_mm {
	uint32_t ab, c, act;
	bool trans_a, trans_b, bias;
	/* B is the panel t1_mm_pack_b() packed last on this thread */
	bool packed_b;
	uint32_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
};

/*
 * 0, or -ENOMEM / -EINVAL (the library refused: never for valid tiles);
 * with @p->packed_b, -EAGAIN when this shape's primitive wants B in
 * another layout than the packed one (the caller runs the tile unpacked).
 */
int t1_mm_run(const struct t1_mm *p, const void *a, const void *b, void *c,
	      const float *bias);

/* Have the library generate its sgemm kernels now, once per process. */
void t1_mm_warm(void);

/*
 * A small fp32 GEMM through oneDNN's BLAS call (dnnl_sgemm): row-major
 * C = alpha op(A) op(B) + beta C (beta 0: C is not read), on the calling
 * thread alone.  The matmul primitive copies B into its blocked layout on
 * every call, which costs more than the arithmetic of a small GEMM; this
 * reads the operands in place.  0 or -EINVAL.
 */
int t1_mm_sgemm(bool trans_a, bool trans_b, uint32_t m, uint32_t n, uint32_t k, float alpha,
		const float *a, uint32_t lda, const float *b, uint32_t ldb, float beta, float *c,
		uint32_t ldc);

/*
 * Pack the k x n B at @b (p->ldb, p->trans_b; type p->ab) into this
 * thread's pack buffer, in the layout that the primitive of @p (with
 * packed_b) reads without copying, so that the M tiles of a column of
 * tiles all use one copy of B instead of each packing B again.  The
 * buffer is at most @cap bytes: -E2BIG if the packed panel is larger.
 * 0, -E2BIG, -ENOMEM or -EINVAL.
 */
int t1_mm_pack_b(const struct t1_mm *p, const void *b, size_t cap);

/*
 * t1_mm_pack_b() for an fp32 @p whose B is 16-bit floats (@dt: fp16 or
 * bf16, TESSERA_DTYPE_*, not transposed: p->trans_b false), widened
 * exactly (t1_row_to_f32()) straight into the packed layout, on the
 * calling engine's share of threads: no dense fp32 copy of B first, no
 * reorder.  For the blocked layouts of oneDNN's brgemm (blocks of K
 * rows x N columns, N innermost); -ENOTSUP for others (the caller
 * widens B and packs that).  0, -ENOTSUP, -E2BIG, -ENOMEM or -EINVAL.
 */
int t1_mm_pack_b16(const struct t1_mm *p, const void *b, uint32_t dt,
		   size_t cap);

/*
 * Whether the s8 x s8 -> s32 primitive for @p (no epilogue) keeps its
 * int32 sums exact beyond 2^24: oneDNN 2.6's AMX kernels keep them in
 * int32 tiles up to the store (checked on every value by the host
 * tests); its VNNI and plain GEMM kernels pass them through fp32.
 */
bool t1_mm_exact_s32(const struct t1_mm *p);
/* Whether oneDNN runs with AMX here (else t1_mm_exact_s32() is false). */
bool t1_mm_amx(void);
/*
 * Whether oneDNN has bf16 primitives here: oneDNN 2.6 has them from
 * AVX512_CORE up, none for AVX2 (every bf16 primitive descriptor there
 * fails with dnnl_unimplemented).
 */
bool t1_mm_bf16(void);
/*
 * Whether oneDNN's s8 x s8 -> s32 matmul is exact (but for its fp32
 * output stage) here: with VNNI (AVX512_VNNI or AVX-VNNI) or AMX.
 * Without, its kernels add pairs of u8 x s8 products in saturating int16
 * (VPMADDUBSW), and results are wrong for large values.
 */
bool t1_mm_s8(void);

/*
 * SOFTMAX (src -> dst, strides @lds / @ldd) or LAYERNORM (in place on
 * dst: the caller copies src there first) over @rows rows of @cols, type
 * T1_MM_F32 or T1_MM_BF16; gamma and beta fp32 (or NULL when not used).
 */
struct t1_rw {
	uint32_t type;
	bool ln, gamma, beta;
	uint32_t rows, cols, lds, ldd;
	float eps;
};

int t1_rw_run(const struct t1_rw *p, const void *src, void *dst,
	      const float *gamma, const float *beta);

/*
 * ELEMENTWISE on @count dense elements: an eltwise primitive (RELU, GELU,
 * EXP: A -> D), a binary one (ADD, MUL: A, B -> D; SCALE: A times the one
 * fp32 value at B, broadcast) or a reorder (CAST: A of type @src -> D of
 * type @dst).  @op is TESSERA_EW_*.  Types: T1_MM_F32 or T1_MM_BF16 for
 * the arithmetic ones (@src == @dst); any pair oneDNN reorders directly
 * for CAST.  D may be A.  0, -ENOMEM or -EINVAL.
 */
struct t1_ew {
	uint32_t op, src, dst, count;
};

int t1_ew_run(const struct t1_ew *p, const void *a, const void *b, void *d);

/*
 * A primitive of the training commands (hardware 1.5), on up to
 * T1_PRIM_MEMS memory objects described by plain dims and strides (in
 * elements), made once per shape and kept in the engine thread's cache
 * like the others.  Memories, in order, per kind:
 *
 *   T1_PK_MATMUL       A (src), B (weights), C (dst): C = alpha * A * B +
 *                      beta * C (beta 0: C not read); 2 to 4 dims with
 *                      oneDNN's broadcast of batch dims of size 1
 *   T1_PK_SOFTMAX      src, dst: alg 0 softmax, 1 log-softmax (last dim)
 *   T1_PK_SOFTMAX_BWD  dst (Y), diff_dst (dY), diff_src (dX) (last dim)
 *   T1_PK_ELT_FWD      src, dst: oneDNN eltwise alg (T1_ELT_*) with alpha
 *   T1_PK_ELT_BWD      src (data), diff_dst, diff_src
 *
 * (No reduction: oneDNN 2.6 runs its reference kernel for column sums and
 * sums of squares, 0.01-0.05 G elements/s here; REDUCE sums in C.)
 *
 * Unused md entries must be zero (the key is compared bytewise).
 */
#define T1_PRIM_MEMS	3

enum t1_prim_kind {
	T1_PK_MATMUL = 1, T1_PK_SOFTMAX, T1_PK_SOFTMAX_BWD, T1_PK_ELT_FWD,
	T1_PK_ELT_BWD,
};

/* Eltwise algorithms of T1_PK_ELT_*. */
enum t1_elt_alg { T1_ELT_SWISH = 1, T1_ELT_GELU_ERF, T1_ELT_LOGISTIC };

struct t1_md {
	uint32_t type;		/* T1_MM_* */
	uint32_t ndims;		/* 1..4 */
	int64_t dims[4];
	int64_t strides[4];	/* elements */
};

struct t1_prim {
	uint32_t kind;		/* enum t1_prim_kind */
	uint32_t alg;
	float alpha, beta;
	struct t1_md md[T1_PRIM_MEMS];
};

/* @mem[i] is the data of p->md[i].  0, -ENOMEM or -EINVAL. */
int t1_prim_run(const struct t1_prim *p, void *const *mem);

/*
 * Engines that run matrix work now; each call uses an equal share of
 * t1_mm_threads (at least one) host threads.  Called around a command.
 */
void t1_mm_busy(int delta);
/* Host threads for matrix work in all engines together; 0: nproc (default). */
void t1_mm_set_threads(unsigned int n);
unsigned int t1_mm_threads(void);
/* Threads the next call from this thread would use. */
unsigned int t1_mm_share(void);

/*
 * Call first thing in main(): unless OMP_WAIT_POLICY or GOMP_SPINCOUNT
 * is set, set OMP_WAIT_POLICY=passive and exec the program again with
 * @argv, since libgomp reads it only when it is loaded (before main()).
 * Returns if it did not exec (already set, or exec failed).
 */
void t1_mm_wait_policy(char **argv);

#endif /* TESSERA_T1_DNNL_H */
