// SPDX-License-Identifier: MIT
/*
 * libaccel: the command encoders, pure functions of their arguments
 * (<accel/tessera_cmd.h> has the encoding, the programming guide the
 * rules each one checks).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <math.h>

#include "accel_priv.h"

_Static_assert(ACCEL_DTYPE_FP32 == TESSERA_DTYPE_FP32 && ACCEL_DTYPE_FP16 == TESSERA_DTYPE_FP16 &&
	       ACCEL_DTYPE_BF16 == TESSERA_DTYPE_BF16 && ACCEL_DTYPE_INT8 == TESSERA_DTYPE_INT8 &&
	       ACCEL_DTYPE_INT32 == TESSERA_DTYPE_INT32, "dtypes");
_Static_assert(ACCEL_GEMM_TRANS_A == TESSERA_GEMM_TRANS_A &&
	       ACCEL_GEMM_TRANS_B == TESSERA_GEMM_TRANS_B &&
	       ACCEL_GEMM_BIAS == TESSERA_GEMM_BIAS, "GEMM flags");
_Static_assert(ACCEL_ACT_GELU == TESSERA_ACT_GELU && ACCEL_ACT_RELU == TESSERA_ACT_RELU,
	       "activations");
_Static_assert(ACCEL_EW_ADD == TESSERA_EW_ADD && ACCEL_EW_MUL == TESSERA_EW_MUL &&
	       ACCEL_EW_SCALE == TESSERA_EW_SCALE && ACCEL_EW_CAST == TESSERA_EW_CAST,
	       "elementwise ops");
_Static_assert(ACCEL_LN_GAMMA == TESSERA_LN_GAMMA && ACCEL_LN_BETA == TESSERA_LN_BETA,
	       "layernorm flags");
_Static_assert(ACCEL_SEM_WAIT == TESSERA_SEM_WAIT && ACCEL_SEM_SIGNAL == TESSERA_SEM_SIGNAL &&
	       ACCEL_SEM_ADD == TESSERA_SEM_ADD, "semaphore ops");
_Static_assert(ACCEL_EW_SILU == TESSERA_EW_SILU && ACCEL_EW_SWIGLU == TESSERA_EW_SWIGLU &&
	       ACCEL_EW_RELU_BWD == TESSERA_EW_RELU_BWD &&
	       ACCEL_EW_GELU_BWD == TESSERA_EW_GELU_BWD &&
	       ACCEL_EW_SILU_BWD == TESSERA_EW_SILU_BWD &&
	       ACCEL_EW_SWIGLU_BWD == TESSERA_EW_SWIGLU_BWD, "training elementwise ops");
_Static_assert(ACCEL_SOFTMAX_CAUSAL == TESSERA_SOFTMAX_CAUSAL &&
	       ACCEL_EMB_SCATTER_ADD == TESSERA_EMB_SCATTER_ADD &&
	       ACCEL_RMS_GAMMA == TESSERA_RMS_GAMMA && ACCEL_RMS_RSTD == TESSERA_RMS_RSTD &&
	       ACCEL_RMS_ACCUM == TESSERA_RMS_ACCUM && ACCEL_RMS_DGAMMA == TESSERA_RMS_DGAMMA &&
	       ACCEL_ROPE_BWD == TESSERA_ROPE_BWD && ACCEL_CE_LOSS == TESSERA_CE_LOSS &&
	       ACCEL_CE_DLOGITS == TESSERA_CE_DLOGITS && ACCEL_RED_ROWS == TESSERA_RED_ROWS &&
	       ACCEL_RED_COLS == TESSERA_RED_COLS && ACCEL_RED_ALL == TESSERA_RED_ALL &&
	       ACCEL_RED_ACCUM == TESSERA_RED_ACCUM && ACCEL_RED_SQUARE == TESSERA_RED_SQUARE &&
	       ACCEL_ADAMW_CLIP == TESSERA_ADAMW_CLIP &&
	       ACCEL_ADAMW_ZERO_GRAD == TESSERA_ADAMW_ZERO_GRAD, "training command flags");


ACCEL_EXPORT int accel_encode_nop(uint32_t *buf, size_t capacity, uint32_t dwords)
{
	if (!buf || dwords == 0 || dwords > 0xffff)
		return -EINVAL;
	if (dwords > capacity)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, dwords);
	memset(&buf[1], 0, (dwords - 1) * sizeof(uint32_t));
	return (int)dwords;
}

ACCEL_EXPORT int accel_encode_fill(uint32_t *buf, size_t capacity, uint64_t dst_va,
				   uint32_t size, uint32_t pattern)
{
	if (!buf || (dst_va & 3) || (size & 3) || !size)
		return -EINVAL;
	if (capacity < TESSERA_CMD_FILL_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
	buf[1] = (uint32_t)dst_va;
	buf[2] = (uint32_t)(dst_va >> 32);
	buf[3] = size;
	buf[4] = pattern;
	return TESSERA_CMD_FILL_LEN;
}

ACCEL_EXPORT int accel_encode_copy(uint32_t *buf, size_t capacity, uint64_t src_va,
				   uint64_t dst_va, uint32_t size)
{
	if (!buf || !size || src_va > UINT64_MAX - size || dst_va > UINT64_MAX - size)
		return -EINVAL;
	if (src_va < dst_va + size && dst_va < src_va + size)
		return -EINVAL;
	if (capacity < TESSERA_CMD_COPY_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN);
	buf[1] = (uint32_t)src_va;
	buf[2] = (uint32_t)(src_va >> 32);
	buf[3] = (uint32_t)dst_va;
	buf[4] = (uint32_t)(dst_va >> 32);
	buf[5] = size;
	return TESSERA_CMD_COPY_LEN;
}

/*
 * A rows x cols operand with leading dimension ld at @va: as the device
 * checks it, and at a non-zero VA (0 marks unused operands and never holds
 * a buffer).
 */
static int accel_operand_ok(uint64_t va, uint32_t rows, uint32_t cols, uint32_t ld,
			    unsigned int es)
{
	uint64_t span;

	if (!va || !es || !rows || !cols || rows > ACCEL_MAX_DIM || cols > ACCEL_MAX_DIM ||
	    ld < cols || va % es)
		return 0;
	span = ((uint64_t)(rows - 1) * ld + cols) * es;
	return span <= ACCEL_MAX_OPERAND && va + span > va;
}

/*
 * The encoders write a command front to back: each accel_put_*() writes
 * its dwords at @dw and returns where the next field starts.
 */
static uint32_t *accel_put_va(uint32_t *dw, uint64_t va)
{
	dw[0] = (uint32_t)va;
	dw[1] = (uint32_t)(va >> 32);
	return dw + 2;
}

/* A matrix operand: its VA, then its leading dimension. */
static uint32_t *accel_put_mat(uint32_t *dw, uint64_t va, uint32_t ld)
{
	dw = accel_put_va(dw, va);
	dw[0] = ld;
	return dw + 1;
}

/*
 * The header, then the dtype dword and the two sizes (rows, cols or M, N)
 * that most compute commands start with.
 */
static uint32_t *accel_put_head(uint32_t *buf, uint32_t op, uint32_t flags, uint32_t len,
				uint32_t dtype, uint32_t rows, uint32_t cols)
{
	buf[0] = TESSERA_CMD_HEADER(op, flags, len);
	buf[1] = dtype;
	buf[2] = rows;
	buf[3] = cols;
	return buf + 4;
}

ACCEL_EXPORT int accel_encode_timestamp(uint32_t *buf, size_t capacity, uint64_t addr)
{
	if (!buf || (addr & 7) || addr > UINT64_MAX - 8)
		return -EINVAL;
	if (capacity < TESSERA_CMD_TIMESTAMP_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_TIMESTAMP, 0, TESSERA_CMD_TIMESTAMP_LEN);
	buf[1] = 0;
	accel_put_va(&buf[2], addr);
	return TESSERA_CMD_TIMESTAMP_LEN;
}

ACCEL_EXPORT int accel_encode_semaphore(uint32_t *buf, size_t capacity, enum accel_sem_op op,
					uint64_t addr, uint32_t value)
{
	if (!buf || (unsigned int)op > ACCEL_SEM_ADD || (addr & 3) || addr > UINT64_MAX - 4)
		return -EINVAL;
	if (capacity < TESSERA_CMD_SEM_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, op, TESSERA_CMD_SEM_LEN);
	accel_put_va(&buf[1], addr);
	buf[3] = value;
	buf[4] = 0;
	return TESSERA_CMD_SEM_LEN;
}

/*
 * What GEMM and BGEMM share after the head (which ends with M, N): K, A,
 * B, C, alpha, beta.  ACCEL_GEMM_KABC() lists them from either struct.
 */
#define ACCEL_GEMM_KABC(g) \
	(g)->k, (g)->a, (g)->lda, (g)->b, (g)->ldb, (g)->c, (g)->ldc, (g)->alpha, (g)->beta

static uint32_t *accel_put_kabc(uint32_t *w, uint32_t k, uint64_t a, uint32_t lda, uint64_t b,
				uint32_t ldb, uint64_t c, uint32_t ldc, float alpha, float beta)
{
	*w++ = k;
	w = accel_put_mat(w, a, lda);
	w = accel_put_mat(w, b, ldb);
	w = accel_put_mat(w, c, ldc);
	*w++ = accel_f32_bits(alpha);
	*w++ = accel_f32_bits(beta);
	return w;
}

ACCEL_EXPORT int accel_encode_gemm(uint32_t *buf, size_t capacity, const struct accel_gemm *arg)
{
	struct accel_gemm gemm, *g = &gemm;
	unsigned int es, ces;
	uint32_t *w;
	int ta, tb;

	if (!buf || accel_struct_in(g, sizeof(*g), arg, ACCEL_GEMM_SIZE_2_0))
		return -EINVAL;
	if (g->dtype == TESSERA_DTYPE_INT32 || g->activation > TESSERA_ACT_GELU ||
	    (g->flags & ~(ACCEL_GEMM_TRANS_A | ACCEL_GEMM_TRANS_B | ACCEL_GEMM_BIAS)))
		return -EINVAL;
	es = tessera_dtype_size(g->dtype);
	ces = g->dtype == TESSERA_DTYPE_INT8 ? 4 : es;
	ta = !!(g->flags & ACCEL_GEMM_TRANS_A);
	tb = !!(g->flags & ACCEL_GEMM_TRANS_B);
	if (!es || !accel_operand_ok(g->a, ta ? g->k : g->m, ta ? g->m : g->k, g->lda, es) ||
	    !accel_operand_ok(g->b, tb ? g->n : g->k, tb ? g->k : g->n, g->ldb, es) ||
	    !accel_operand_ok(g->c, g->m, g->n, g->ldc, ces) ||
	    ((g->flags & ACCEL_GEMM_BIAS) ? !accel_operand_ok(g->bias, 1, g->n, g->n, ces) :
					     g->bias != 0) ||
	    !isfinite(g->alpha) || !isfinite(g->beta))
		return -EINVAL;
	if (g->dtype == TESSERA_DTYPE_INT8 &&
	    (g->alpha != 1.0f || (g->beta != 0.0f && g->beta != 1.0f) ||
	     g->activation == TESSERA_ACT_GELU))
		return -EINVAL;
	if (capacity < TESSERA_CMD_GEMM_LEN)
		return -ENOSPC;
	w = accel_put_head(buf, TESSERA_CMD_OP_GEMM, g->flags, TESSERA_CMD_GEMM_LEN,
			   g->dtype | (g->activation << 8), g->m, g->n);
	w = accel_put_kabc(w, ACCEL_GEMM_KABC(g));
	accel_put_va(w, g->bias);
	return TESSERA_CMD_GEMM_LEN;
}

/* ADD, MUL, SWIGLU and the backward ops read B. */
static int accel_ew_uses_b(uint32_t op)
{
	return op == ACCEL_EW_ADD || op == ACCEL_EW_MUL || op >= ACCEL_EW_SWIGLU;
}

/*
 * ELEMENTWISE's types (both forms): CAST converts between any two, the
 * other ops keep one of FP32, FP16 and BF16.  Sets the element sizes.
 */
static int accel_ew_types_ok(uint32_t op, uint32_t src_dtype, uint32_t dst_dtype,
			     unsigned int *ses, unsigned int *des)
{
	*ses = tessera_dtype_size(src_dtype);
	*des = tessera_dtype_size(dst_dtype);
	return *ses && *des &&
	       (op == ACCEL_EW_CAST || (src_dtype == dst_dtype && src_dtype <= TESSERA_DTYPE_BF16));
}

ACCEL_EXPORT int accel_encode_elementwise(uint32_t *buf, size_t capacity,
					  const struct accel_elementwise *arg)
{
	struct accel_elementwise ew, *e = &ew;
	unsigned int ses, des;
	uint32_t *w;
	int binary;

	/* SWIGLU_BWD has two outputs: the long form only */
	if (!buf || accel_struct_in(e, sizeof(*e), arg, ACCEL_ELEMENTWISE_SIZE_2_0) ||
	    e->op > ACCEL_EW_SILU_BWD ||
	    !accel_ew_types_ok(e->op, e->src_dtype, e->dst_dtype, &ses, &des))
		return -EINVAL;
	binary = accel_ew_uses_b(e->op);
	if (!accel_operand_ok(e->a, 1, e->count, e->count, ses) ||
	    !accel_operand_ok(e->d, 1, e->count, e->count, des) ||
	    (binary ? !accel_operand_ok(e->b, 1, e->count, e->count, ses) : e->b != 0) ||
	    (e->op != ACCEL_EW_SCALE && accel_f32_bits(e->scalar) != 0))
		return -EINVAL;
	if (capacity < TESSERA_CMD_EW_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_ELEMENTWISE, e->op, TESSERA_CMD_EW_LEN);
	buf[1] = e->src_dtype | (e->dst_dtype << 8);
	buf[2] = e->count;
	w = accel_put_va(&buf[3], e->a);
	w = accel_put_va(w, e->b);
	w = accel_put_va(w, e->d);
	*w = accel_f32_bits(e->scalar);
	return TESSERA_CMD_EW_LEN;
}

static int accel_rowwise_ok(const struct accel_rowwise *r, int ln)
{
	unsigned int es = tessera_dtype_size(r->dtype);

	if (!ln)
		return r->dtype <= TESSERA_DTYPE_BF16 && !(r->flags & ~ACCEL_SOFTMAX_CAUSAL) &&
		       accel_operand_ok(r->src, r->rows, r->cols, r->src_ld, es) &&
		       accel_operand_ok(r->dst, r->rows, r->cols, r->dst_ld, es) &&
		       !r->gamma && !r->beta &&
		       ((r->flags & ACCEL_SOFTMAX_CAUSAL) ? r->period >= 1 :
							    !r->period && !r->offset);
	return r->dtype <= TESSERA_DTYPE_BF16 && !(r->flags & ~(ACCEL_LN_GAMMA | ACCEL_LN_BETA)) &&
	       accel_operand_ok(r->src, r->rows, r->cols, r->src_ld, es) &&
	       accel_operand_ok(r->dst, r->rows, r->cols, r->dst_ld, es) &&
	       ((r->flags & ACCEL_LN_GAMMA) ? accel_operand_ok(r->gamma, 1, r->cols, r->cols, es) :
					      r->gamma == 0) &&
	       ((r->flags & ACCEL_LN_BETA) ? accel_operand_ok(r->beta, 1, r->cols, r->cols, es) :
					     r->beta == 0) &&
	       !r->period && !r->offset;
}

/* SOFTMAX's and LAYERNORM's common front: head, src, dst. */
static uint32_t *accel_put_rowwise(uint32_t *buf, uint32_t op, uint32_t len,
				   const struct accel_rowwise *r)
{
	uint32_t *w = accel_put_head(buf, op, r->flags, len, r->dtype, r->rows, r->cols);

	w = accel_put_mat(w, r->src, r->src_ld);
	return accel_put_mat(w, r->dst, r->dst_ld);
}

ACCEL_EXPORT int accel_encode_softmax(uint32_t *buf, size_t capacity,
				      const struct accel_rowwise *arg)
{
	struct accel_rowwise rw, *r = &rw;
	uint32_t len, *w;

	if (!buf || accel_struct_in(r, sizeof(*r), arg, ACCEL_ROWWISE_SIZE_2_0) ||
	    !accel_rowwise_ok(r, 0) || accel_f32_bits(r->epsilon) != 0)
		return -EINVAL;
	len = (r->flags & ACCEL_SOFTMAX_CAUSAL) ? TESSERA_CMD_SOFTMAX_CAUSAL_LEN :
						  TESSERA_CMD_SOFTMAX_LEN;
	if (capacity < len)
		return -ENOSPC;
	w = accel_put_rowwise(buf, TESSERA_CMD_OP_SOFTMAX, len, r);
	if (r->flags & ACCEL_SOFTMAX_CAUSAL) {
		w[0] = r->period;
		w[1] = r->offset;
	}
	return (int)len;
}

ACCEL_EXPORT int accel_encode_layernorm(uint32_t *buf, size_t capacity,
					const struct accel_rowwise *arg)
{
	struct accel_rowwise rw, *r = &rw;
	uint32_t *w;

	if (!buf || accel_struct_in(r, sizeof(*r), arg, ACCEL_ROWWISE_SIZE_2_0) ||
	    !accel_rowwise_ok(r, 1) ||
	    !(r->epsilon >= 0.0f) || !isfinite(r->epsilon))
		return -EINVAL;
	if (capacity < TESSERA_CMD_LN_LEN)
		return -ENOSPC;
	w = accel_put_rowwise(buf, TESSERA_CMD_OP_LAYERNORM, TESSERA_CMD_LN_LEN, r);
	w = accel_put_va(w, r->gamma);
	w = accel_put_va(w, r->beta);
	*w = accel_f32_bits(r->epsilon);
	return TESSERA_CMD_LN_LEN;
}

/* ---- libaccel 2.1: the training commands of hardware 1.5 ---- */

static int accel_train_type(uint32_t dtype)
{
	return dtype == TESSERA_DTYPE_FP32 || dtype == TESSERA_DTYPE_BF16;
}

/* An operand the command does not use: 0, and its leading dimension 0. */
static int accel_unused(uint64_t va, uint32_t ld)
{
	return !va && !ld;
}

/* A batch of rows x cols matrices: one as accel_operand_ok(), the span too. */
static int accel_batch_ok(uint64_t va, uint32_t rows, uint32_t cols, uint32_t ld,
			  const uint32_t *n, const uint32_t *stride, unsigned int es)
{
	uint64_t e;

	if (!accel_operand_ok(va, rows, cols, ld, es))
		return 0;
	e = (uint64_t)(n[0] - 1) * stride[0] + (uint64_t)(n[1] - 1) * stride[1] +
	    (uint64_t)(rows - 1) * ld + cols;
	return e * es <= ACCEL_MAX_OPERAND && va + e * es > va;
}

static uint32_t *accel_put_pair(uint32_t *dw, const uint32_t v[2])
{
	dw[0] = v[0];
	dw[1] = v[1];
	return dw + 2;
}

ACCEL_EXPORT int accel_encode_bgemm(uint32_t *buf, size_t capacity, const struct accel_bgemm *arg)
{
	struct accel_bgemm bg, *g = &bg;
	unsigned int es;
	uint32_t *w;
	int ta, tb;

	if (!buf || accel_struct_in(g, sizeof(*g), arg, ACCEL_BGEMM_SIZE_2_1) ||
	    !accel_train_type(g->dtype) ||
	    (g->flags & ~(ACCEL_GEMM_TRANS_A | ACCEL_GEMM_TRANS_B)))
		return -EINVAL;
	for (int i = 0; i < 2; i++)
		if (!g->batch[i] || g->batch[i] > ACCEL_MAX_DIM ||
		    (g->batch[i] > 1 && !g->stride_c[i]))
			return -EINVAL;
	es = tessera_dtype_size(g->dtype);
	ta = !!(g->flags & ACCEL_GEMM_TRANS_A);
	tb = !!(g->flags & ACCEL_GEMM_TRANS_B);
	if (!accel_batch_ok(g->a, ta ? g->k : g->m, ta ? g->m : g->k, g->lda, g->batch,
			    g->stride_a, es) ||
	    !accel_batch_ok(g->b, tb ? g->n : g->k, tb ? g->k : g->n, g->ldb, g->batch,
			    g->stride_b, es) ||
	    !accel_batch_ok(g->c, g->m, g->n, g->ldc, g->batch, g->stride_c, es) ||
	    !isfinite(g->alpha) || !isfinite(g->beta))
		return -EINVAL;
	if (capacity < TESSERA_CMD_BGEMM_LEN)
		return -ENOSPC;
	w = accel_put_head(buf, TESSERA_CMD_OP_BGEMM, g->flags, TESSERA_CMD_BGEMM_LEN, g->dtype,
			   g->m, g->n);
	w = accel_put_kabc(w, ACCEL_GEMM_KABC(g));
	w = accel_put_pair(w, g->batch);
	w = accel_put_pair(w, g->stride_a);
	w = accel_put_pair(w, g->stride_b);
	accel_put_pair(w, g->stride_c);
	return TESSERA_CMD_BGEMM_LEN;
}

ACCEL_EXPORT int accel_encode_softmax_bwd(uint32_t *buf, size_t capacity,
					  const struct accel_softmax_bwd *arg)
{
	struct accel_softmax_bwd sb, *p = &sb;
	unsigned int es;
	uint32_t *w;

	if (!buf || accel_struct_in(p, sizeof(*p), arg, ACCEL_SOFTMAX_BWD_SIZE_2_1) ||
	    !accel_train_type(p->dtype))
		return -EINVAL;
	es = tessera_dtype_size(p->dtype);
	if (!accel_operand_ok(p->y, p->rows, p->cols, p->y_ld, es) ||
	    !accel_operand_ok(p->dy, p->rows, p->cols, p->dy_ld, es) ||
	    !accel_operand_ok(p->dx, p->rows, p->cols, p->dx_ld, es))
		return -EINVAL;
	if (capacity < TESSERA_CMD_SOFTMAX_BWD_LEN)
		return -ENOSPC;
	w = accel_put_head(buf, TESSERA_CMD_OP_SOFTMAX_BWD, 0, TESSERA_CMD_SOFTMAX_BWD_LEN,
			   p->dtype, p->rows, p->cols);
	w = accel_put_mat(w, p->y, p->y_ld);
	w = accel_put_mat(w, p->dy, p->dy_ld);
	accel_put_mat(w, p->dx, p->dx_ld);
	return TESSERA_CMD_SOFTMAX_BWD_LEN;
}

ACCEL_EXPORT int accel_encode_embedding(uint32_t *buf, size_t capacity,
					const struct accel_embedding *arg)
{
	struct accel_embedding em, *e = &em;
	unsigned int es;
	uint32_t *w;
	int scatter;

	if (!buf || accel_struct_in(e, sizeof(*e), arg, ACCEL_EMBEDDING_SIZE_2_1) ||
	    (e->flags & ~ACCEL_EMB_SCATTER_ADD))
		return -EINVAL;
	scatter = !!(e->flags & ACCEL_EMB_SCATTER_ADD);
	es = tessera_dtype_size(e->dtype);
	if (!(scatter ? accel_train_type(e->dtype) : e->dtype <= TESSERA_DTYPE_BF16) ||
	    !accel_operand_ok(e->idx, 1, e->count, e->count, 4) ||
	    !accel_operand_ok(e->table, e->table_rows, e->cols, e->table_ld, es) ||
	    !accel_operand_ok(e->x, e->count, e->cols, e->x_ld, es))
		return -EINVAL;
	if (capacity < TESSERA_CMD_EMBEDDING_LEN)
		return -ENOSPC;
	w = accel_put_head(buf, TESSERA_CMD_OP_EMBEDDING, e->flags, TESSERA_CMD_EMBEDDING_LEN,
			   e->dtype, e->count, e->cols);
	w = accel_put_va(w, e->idx);
	w = accel_put_va(w, e->table);
	*w++ = e->table_rows;
	*w++ = e->table_ld;
	accel_put_mat(w, e->x, e->x_ld);
	return TESSERA_CMD_EMBEDDING_LEN;
}

/* An fp32 vector of n used with @flag, else 0. */
static int accel_opt_vec_ok(uint32_t flag, uint64_t va, uint32_t n)
{
	return flag ? accel_operand_ok(va, 1, n, n, 4) : !va;
}

static int accel_rmsnorm_common(const struct accel_rmsnorm *r, uint32_t valid)
{
	unsigned int es = tessera_dtype_size(r->dtype);

	return accel_train_type(r->dtype) && !(r->flags & ~valid) &&
	       accel_operand_ok(r->x, r->rows, r->cols, r->x_ld, es) &&
	       accel_opt_vec_ok(r->flags & ACCEL_RMS_GAMMA, r->gamma, r->cols) &&
	       accel_opt_vec_ok(r->flags & ACCEL_RMS_DGAMMA, r->dgamma, r->cols) &&
	       accel_opt_vec_ok(r->flags & ACCEL_RMS_RSTD, r->rstd, r->rows) &&
	       accel_finite_ge0(r->epsilon);
}

/* RMSNORM's and RMSNORM_BWD's common front: head, x. */
static uint32_t *accel_put_rms_x(uint32_t *buf, uint32_t op, uint32_t len,
				 const struct accel_rmsnorm *r)
{
	uint32_t *w = accel_put_head(buf, op, r->flags, len, r->dtype, r->rows, r->cols);

	return accel_put_mat(w, r->x, r->x_ld);
}

ACCEL_EXPORT int accel_encode_rmsnorm(uint32_t *buf, size_t capacity,
				      const struct accel_rmsnorm *arg)
{
	struct accel_rmsnorm rn, *r = &rn;
	uint32_t *w;

	if (!buf || accel_struct_in(r, sizeof(*r), arg, ACCEL_RMSNORM_SIZE_2_1) ||
	    !accel_rmsnorm_common(r, ACCEL_RMS_GAMMA | ACCEL_RMS_RSTD) ||
	    !accel_operand_ok(r->y, r->rows, r->cols, r->y_ld, tessera_dtype_size(r->dtype)) ||
	    !accel_unused(r->dy, r->dy_ld) || !accel_unused(r->dx, r->dx_ld))
		return -EINVAL;
	if (capacity < TESSERA_CMD_RMSNORM_LEN)
		return -ENOSPC;
	w = accel_put_rms_x(buf, TESSERA_CMD_OP_RMSNORM, TESSERA_CMD_RMSNORM_LEN, r);
	w = accel_put_mat(w, r->y, r->y_ld);
	w = accel_put_va(w, r->gamma);
	w = accel_put_va(w, r->rstd);
	*w = accel_f32_bits(r->epsilon);
	return TESSERA_CMD_RMSNORM_LEN;
}

ACCEL_EXPORT int accel_encode_rmsnorm_bwd(uint32_t *buf, size_t capacity,
					  const struct accel_rmsnorm *arg)
{
	struct accel_rmsnorm rn, *r = &rn;
	unsigned int es;
	uint32_t *w;

	if (!buf || accel_struct_in(r, sizeof(*r), arg, ACCEL_RMSNORM_SIZE_2_1) ||
	    !accel_rmsnorm_common(r, ACCEL_RMS_GAMMA | ACCEL_RMS_RSTD | ACCEL_RMS_ACCUM |
				     ACCEL_RMS_DGAMMA))
		return -EINVAL;
	es = tessera_dtype_size(r->dtype);
	if (!accel_operand_ok(r->dy, r->rows, r->cols, r->dy_ld, es) ||
	    !accel_operand_ok(r->dx, r->rows, r->cols, r->dx_ld, es) ||
	    !accel_unused(r->y, r->y_ld))
		return -EINVAL;
	if (capacity < TESSERA_CMD_RMSNORM_BWD_LEN)
		return -ENOSPC;
	w = accel_put_rms_x(buf, TESSERA_CMD_OP_RMSNORM_BWD, TESSERA_CMD_RMSNORM_BWD_LEN, r);
	w = accel_put_mat(w, r->dy, r->dy_ld);
	w = accel_put_mat(w, r->dx, r->dx_ld);
	w = accel_put_va(w, r->gamma);
	w = accel_put_va(w, r->dgamma);
	w = accel_put_va(w, r->rstd);
	*w = accel_f32_bits(r->epsilon);
	return TESSERA_CMD_RMSNORM_BWD_LEN;
}

ACCEL_EXPORT int accel_encode_rope(uint32_t *buf, size_t capacity, const struct accel_rope *arg)
{
	struct accel_rope ro, *r = &ro;
	uint64_t cols;
	unsigned int es;
	uint32_t *w;

	if (!buf || accel_struct_in(r, sizeof(*r), arg, ACCEL_ROPE_SIZE_2_1) ||
	    !accel_train_type(r->dtype) || (r->flags & ~ACCEL_ROPE_BWD))
		return -EINVAL;
	cols = (uint64_t)r->heads * r->head_dim;
	es = tessera_dtype_size(r->dtype);
	if (!cols || cols > ACCEL_MAX_DIM || r->head_dim % 2 || r->n_rot < 2 || r->n_rot % 2 ||
	    r->n_rot > r->head_dim || !r->period || !(r->theta > 0.0f) || !isfinite(r->theta) ||
	    !accel_operand_ok(r->x, r->rows, (uint32_t)cols, r->x_ld, es) ||
	    !accel_operand_ok(r->y, r->rows, (uint32_t)cols, r->y_ld, es))
		return -EINVAL;
	if (capacity < TESSERA_CMD_ROPE_LEN)
		return -ENOSPC;
	w = accel_put_head(buf, TESSERA_CMD_OP_ROPE, r->flags, TESSERA_CMD_ROPE_LEN, r->dtype,
			   r->rows, r->heads);
	*w++ = r->head_dim;
	w = accel_put_mat(w, r->x, r->x_ld);
	w = accel_put_mat(w, r->y, r->y_ld);
	*w++ = r->pos0;
	*w++ = r->period;
	*w++ = accel_f32_bits(r->theta);
	*w = r->n_rot;
	return TESSERA_CMD_ROPE_LEN;
}

ACCEL_EXPORT int accel_encode_elementwise2(uint32_t *buf, size_t capacity,
					   const struct accel_elementwise2 *arg)
{
	struct accel_elementwise2 ew, *e = &ew;
	unsigned int ses, des;
	uint32_t *w;
	int swb;

	if (!buf || accel_struct_in(e, sizeof(*e), arg, ACCEL_ELEMENTWISE2_SIZE_2_1) ||
	    e->op > ACCEL_EW_SWIGLU_BWD ||
	    !accel_ew_types_ok(e->op, e->src_dtype, e->dst_dtype, &ses, &des))
		return -EINVAL;
	swb = e->op == ACCEL_EW_SWIGLU_BWD;
	if (!accel_operand_ok(e->a, e->rows, e->cols, e->a_ld, ses) ||
	    !accel_operand_ok(e->d, e->rows, e->cols, e->d_ld, des) ||
	    (accel_ew_uses_b(e->op) ? !accel_operand_ok(e->b, e->rows, e->cols, e->b_ld, ses) :
				      !accel_unused(e->b, e->b_ld)) ||
	    (swb ? !accel_operand_ok(e->c, e->rows, e->cols, e->c_ld, ses) ||
		   !accel_operand_ok(e->e, e->rows, e->cols, e->e_ld, des) :
		   !accel_unused(e->c, e->c_ld) || !accel_unused(e->e, e->e_ld)) ||
	    (e->op != ACCEL_EW_SCALE && accel_f32_bits(e->scalar) != 0))
		return -EINVAL;
	if (capacity < TESSERA_CMD_EW2_LEN)
		return -ENOSPC;
	w = accel_put_head(buf, TESSERA_CMD_OP_ELEMENTWISE, e->op, TESSERA_CMD_EW2_LEN,
			   e->src_dtype | (e->dst_dtype << 8), e->rows, e->cols);
	w = accel_put_mat(w, e->a, e->a_ld);
	w = accel_put_mat(w, e->b, e->b_ld);
	w = accel_put_mat(w, e->c, e->c_ld);
	w = accel_put_mat(w, e->d, e->d_ld);
	w = accel_put_mat(w, e->e, e->e_ld);
	*w = accel_f32_bits(e->scalar);
	return TESSERA_CMD_EW2_LEN;
}

ACCEL_EXPORT int accel_encode_cross_entropy(uint32_t *buf, size_t capacity,
					    const struct accel_cross_entropy *arg)
{
	struct accel_cross_entropy ce, *c = &ce;
	unsigned int es;
	uint32_t *w;

	if (!buf || accel_struct_in(c, sizeof(*c), arg, ACCEL_CROSS_ENTROPY_SIZE_2_1) ||
	    !accel_train_type(c->dtype) || !c->flags ||
	    (c->flags & ~(ACCEL_CE_LOSS | ACCEL_CE_DLOGITS)))
		return -EINVAL;
	es = tessera_dtype_size(c->dtype);
	if (!accel_operand_ok(c->logits, c->rows, c->classes, c->logits_ld, es) ||
	    !accel_operand_ok(c->targets, 1, c->rows, c->rows, 4) ||
	    !accel_opt_vec_ok(c->flags & ACCEL_CE_LOSS, c->loss, c->rows) ||
	    ((c->flags & ACCEL_CE_DLOGITS) ?
	     !accel_operand_ok(c->dlogits, c->rows, c->classes, c->dlogits_ld, es) ||
	     !isfinite(c->scale) :
	     !accel_unused(c->dlogits, c->dlogits_ld) || accel_f32_bits(c->scale) != 0))
		return -EINVAL;
	if (capacity < TESSERA_CMD_CE_LEN)
		return -ENOSPC;
	w = accel_put_head(buf, TESSERA_CMD_OP_CROSS_ENTROPY, c->flags, TESSERA_CMD_CE_LEN,
			   c->dtype, c->rows, c->classes);
	w = accel_put_mat(w, c->logits, c->logits_ld);
	w = accel_put_va(w, c->targets);
	w = accel_put_va(w, c->loss);
	w = accel_put_mat(w, c->dlogits, c->dlogits_ld);
	*w++ = accel_f32_bits(c->scale);
	*w = (uint32_t)c->ignore_index;
	return TESSERA_CMD_CE_LEN;
}

ACCEL_EXPORT int accel_encode_reduce(uint32_t *buf, size_t capacity, const struct accel_reduce *arg)
{
	struct accel_reduce rd, *r = &rd;
	uint32_t n, *w;

	if (!buf || accel_struct_in(r, sizeof(*r), arg, ACCEL_REDUCE_SIZE_2_1) ||
	    !accel_train_type(r->dtype) || r->axis > ACCEL_RED_ALL ||
	    (r->flags & ~(ACCEL_RED_ACCUM | ACCEL_RED_SQUARE)))
		return -EINVAL;
	n = r->axis == ACCEL_RED_ROWS ? r->rows : r->axis == ACCEL_RED_COLS ? r->cols : 1;
	if (!accel_operand_ok(r->x, r->rows, r->cols, r->x_ld, tessera_dtype_size(r->dtype)) ||
	    !accel_operand_ok(r->dst, 1, n, n, 4) || !isfinite(r->scale))
		return -EINVAL;
	if (capacity < TESSERA_CMD_REDUCE_LEN)
		return -ENOSPC;
	w = accel_put_head(buf, TESSERA_CMD_OP_REDUCE, r->axis | r->flags, TESSERA_CMD_REDUCE_LEN,
			   r->dtype, r->rows, r->cols);
	w = accel_put_mat(w, r->x, r->x_ld);
	w = accel_put_va(w, r->dst);
	*w = accel_f32_bits(r->scale);
	return TESSERA_CMD_REDUCE_LEN;
}

ACCEL_EXPORT int accel_encode_adamw(uint32_t *buf, size_t capacity, const struct accel_adamw *arg)
{
	struct accel_adamw aw, *a = &aw;
	uint32_t *w;
	uint64_t len;
	int clip;

	if (!buf || accel_struct_in(a, sizeof(*a), arg, ACCEL_ADAMW_SIZE_2_1) ||
	    (a->flags & ~(ACCEL_ADAMW_CLIP | ACCEL_ADAMW_ZERO_GRAD)) || !a->count || !a->step)
		return -EINVAL;
	len = (uint64_t)a->count * 4;
	if (len > ACCEL_MAX_OPERAND || !accel_operand_ok(a->param, 1, 1, 1, 4) ||
	    !accel_operand_ok(a->grad, 1, 1, 1, 4) || !accel_operand_ok(a->m, 1, 1, 1, 4) ||
	    !accel_operand_ok(a->v, 1, 1, 1, 4) || a->param > UINT64_MAX - len ||
	    a->grad > UINT64_MAX - len || a->m > UINT64_MAX - len || a->v > UINT64_MAX - len)
		return -EINVAL;
	clip = !!(a->flags & ACCEL_ADAMW_CLIP);
	if (!accel_finite_ge0(a->lr) || !(a->beta1 >= 0.0f && a->beta1 < 1.0f) ||
	    !(a->beta2 >= 0.0f && a->beta2 < 1.0f) || !(a->eps > 0.0f) || !isfinite(a->eps) ||
	    !accel_finite_ge0(a->weight_decay) || !isfinite(a->grad_scale) ||
	    (clip ? !accel_operand_ok(a->sumsq, 1, 1, 1, 4) || !(a->max_norm > 0.0f) ||
		    !isfinite(a->max_norm) :
		    a->sumsq || accel_f32_bits(a->max_norm) != 0))
		return -EINVAL;
	if (capacity < TESSERA_CMD_ADAMW_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_ADAMW, a->flags, TESSERA_CMD_ADAMW_LEN);
	buf[1] = a->count;
	w = accel_put_va(&buf[2], a->param);
	w = accel_put_va(w, a->grad);
	w = accel_put_va(w, a->m);
	accel_put_va(w, a->v);
	buf[10] = accel_f32_bits(a->lr);
	buf[11] = accel_f32_bits(a->beta1);
	buf[12] = accel_f32_bits(a->beta2);
	buf[13] = accel_f32_bits(a->eps);
	buf[14] = accel_f32_bits(a->weight_decay);
	buf[15] = a->step;
	buf[16] = accel_f32_bits(a->grad_scale);
	accel_put_va(&buf[17], a->sumsq);
	buf[19] = accel_f32_bits(a->max_norm);
	return TESSERA_CMD_ADAMW_LEN;
}
