/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The math of the hardware 1.5 training commands: pure functions on host
 * buffers whose operands t1_train.c has checked and acquired.  Each works
 * in units of at most T1_CHUNK_ELEMS elements (or one row, when rows are
 * longer) or one GEMM tile, polls @cancel between units, and returns 0,
 * -ECANCELED, or -ENOMEM / -EINVAL when the host cannot do the work (the
 * command then fails as invalid).  Element types are TESSERA_DTYPE_*;
 * leading dimensions and strides are in elements.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_T1_TRAIN_H
#define TESSERA_T1_TRAIN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* BGEMM: batch0 x batch1 GEMMs C = alpha * op(A) * op(B) + beta * C. */
struct t1_bgemm {
	uint32_t dt;
	bool trans_a, trans_b;
	uint32_t m, n, k, lda, ldb, ldc;
	float alpha, beta;
	uint32_t batch[2];
	uint32_t sa[2], sb[2], sc[2];
	const void *a, *b;
	void *c;
	const atomic_bool *cancel;
};
int t1_bgemm_run(const struct t1_bgemm *g);

/*
 * Row-wise operands of one type: X (rows x cols, ldx), a second input W
 * (ldw), an output Y (ldy), fp32 vectors.  Each command says which it
 * uses.
 */
struct t1_rows2 {
	uint32_t dt, rows, cols;
	const void *x, *w;
	void *y;
	uint32_t ldx, ldw, ldy;
	const float *gamma, *rstd_in;
	float *dgamma, *rstd_out;
	float eps;
	bool accum;
	const atomic_bool *cancel;
};

/* SOFTMAX causal: X -> Y; row r keeps c <= (r % period) + offset. */
int t1_softmax_causal(const struct t1_rows2 *p, uint32_t period,
		      uint32_t offset);
/* SOFTMAX_BWD: x = Y, w = dY, y = dX. */
int t1_softmax_bwd(const struct t1_rows2 *p);
/* RMSNORM: x = X, y = Y; gamma and rstd_out may be NULL. */
int t1_rmsnorm(const struct t1_rows2 *p);
/*
 * RMSNORM_BWD: x = X, w = dY, y = dX (+= with accum); gamma, rstd_in
 * (else recomputed with eps) and dgamma (+=) may be NULL.
 */
int t1_rmsnorm_bwd(const struct t1_rows2 *p);

/* EMBEDDING: idx has been copied and checked against the table. */
struct t1_embed {
	uint32_t dt, count, cols, ldt, ldx;
	bool scatter_add;
	const int32_t *idx;
	void *table;		/* read only when gathering */
	void *x;		/* read only when scattering */
	const atomic_bool *cancel;
};
int t1_embedding(const struct t1_embed *p);

/* ROPE over rows x (heads x head_dim), X -> Y. */
struct t1_rope {
	uint32_t dt, rows, heads, head_dim, n_rot, ldx, ldy;
	uint32_t pos0, period;
	float theta;
	bool bwd;
	const void *x;
	void *y;
	const atomic_bool *cancel;
};
int t1_rope_run(const struct t1_rope *p);

/*
 * CROSS_ENTROPY: tgt has been copied and checked (each is ignore or a
 * class); loss and dx may be NULL (not both).
 */
struct t1_xent {
	uint32_t dt, rows, classes, ldl, ldd;
	const void *logits;
	const int32_t *tgt;
	int32_t ignore;
	float *loss;
	void *dx;
	float scale;
	const atomic_bool *cancel;
};
int t1_cross_entropy(const struct t1_xent *p);

/* REDUCE: axis TESSERA_RED_ROWS/COLS/ALL into fp32 dst. */
struct t1_reduce {
	uint32_t dt, rows, cols, ldx, axis;
	bool accum, square;
	float scale;
	const void *x;
	float *dst;
	const atomic_bool *cancel;
};
int t1_reduce_run(const struct t1_reduce *p);

/* ADAMW over count fp32 elements; grad_scale already includes clipping. */
struct t1_adamw {
	uint32_t count, step;
	float lr, beta1, beta2, eps, wd, grad_scale;
	bool zero_grad;
	float *param, *grad, *m, *v;
	const atomic_bool *cancel;
};
int t1_adamw_run(const struct t1_adamw *p);
/* The clip factor ADAMW applies for a sum of squares and max_norm. */
float t1_adamw_clip(float sumsq, float grad_scale, float max_norm);

/*
 * ELEMENTWISE (any TESSERA_EW_* op) on rows x cols operands: A, B, C
 * inputs, D and E outputs (unused ones NULL), of type sdt (inputs) and
 * ddt (outputs; equal to sdt but for CAST).
 */
struct t1_ew2 {
	uint32_t op, sdt, ddt, rows, cols;
	const void *a, *b, *c;
	void *d, *e;
	uint32_t lda, ldb, ldc, ldd, lde;
	float scalar;
	const atomic_bool *cancel;
};
int t1_elementwise2(const struct t1_ew2 *p);

#endif /* TESSERA_T1_TRAIN_H */
