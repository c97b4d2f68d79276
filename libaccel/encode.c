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

static uint32_t accel_f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* Bytes per element of @dtype, 0 if unknown. */
static unsigned int accel_dtype_size(uint32_t dtype)
{
	switch (dtype) {
	case TESSERA_DTYPE_FP32:
	case TESSERA_DTYPE_INT32:
		return 4;
	case TESSERA_DTYPE_FP16:
	case TESSERA_DTYPE_BF16:
		return 2;
	case TESSERA_DTYPE_INT8:
		return 1;
	default:
		return 0;
	}
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

static void accel_put_va(uint32_t *dw, uint64_t va)
{
	dw[0] = (uint32_t)va;
	dw[1] = (uint32_t)(va >> 32);
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

ACCEL_EXPORT int accel_encode_gemm(uint32_t *buf, size_t capacity, const struct accel_gemm *arg)
{
	struct accel_gemm gemm, *g = &gemm;
	unsigned int es, ces;
	int ta, tb;

	if (!buf || accel_struct_in(g, sizeof(*g), arg, ACCEL_GEMM_SIZE_2_0))
		return -EINVAL;
	if (g->dtype == TESSERA_DTYPE_INT32 || g->activation > TESSERA_ACT_GELU ||
	    (g->flags & ~(ACCEL_GEMM_TRANS_A | ACCEL_GEMM_TRANS_B | ACCEL_GEMM_BIAS)))
		return -EINVAL;
	es = accel_dtype_size(g->dtype);
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
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM, g->flags, TESSERA_CMD_GEMM_LEN);
	buf[1] = g->dtype | (g->activation << 8);
	buf[2] = g->m;
	buf[3] = g->n;
	buf[4] = g->k;
	accel_put_va(&buf[5], g->a);
	buf[7] = g->lda;
	accel_put_va(&buf[8], g->b);
	buf[10] = g->ldb;
	accel_put_va(&buf[11], g->c);
	buf[13] = g->ldc;
	buf[14] = accel_f32_bits(g->alpha);
	buf[15] = accel_f32_bits(g->beta);
	accel_put_va(&buf[16], g->bias);
	return TESSERA_CMD_GEMM_LEN;
}

ACCEL_EXPORT int accel_encode_elementwise(uint32_t *buf, size_t capacity,
					  const struct accel_elementwise *arg)
{
	struct accel_elementwise ew, *e = &ew;
	unsigned int ses, des;
	int binary;

	if (!buf || accel_struct_in(e, sizeof(*e), arg, ACCEL_ELEMENTWISE_SIZE_2_0) ||
	    e->op > ACCEL_EW_CAST)
		return -EINVAL;
	ses = accel_dtype_size(e->src_dtype);
	des = accel_dtype_size(e->dst_dtype);
	if (!ses || !des)
		return -EINVAL;
	if (e->op != ACCEL_EW_CAST &&
	    (e->src_dtype != e->dst_dtype || e->src_dtype > TESSERA_DTYPE_BF16))
		return -EINVAL;
	binary = e->op == ACCEL_EW_ADD || e->op == ACCEL_EW_MUL;
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
	accel_put_va(&buf[3], e->a);
	accel_put_va(&buf[5], e->b);
	accel_put_va(&buf[7], e->d);
	buf[9] = accel_f32_bits(e->scalar);
	return TESSERA_CMD_EW_LEN;
}

static int accel_rowwise_ok(const struct accel_rowwise *r, uint32_t valid_flags)
{
	unsigned int es = accel_dtype_size(r->dtype);

	return r->dtype <= TESSERA_DTYPE_BF16 && !(r->flags & ~valid_flags) &&
	       accel_operand_ok(r->src, r->rows, r->cols, r->src_ld, es) &&
	       accel_operand_ok(r->dst, r->rows, r->cols, r->dst_ld, es) &&
	       ((r->flags & ACCEL_LN_GAMMA) ? accel_operand_ok(r->gamma, 1, r->cols, r->cols, es) :
					      r->gamma == 0) &&
	       ((r->flags & ACCEL_LN_BETA) ? accel_operand_ok(r->beta, 1, r->cols, r->cols, es) :
					     r->beta == 0);
}

ACCEL_EXPORT int accel_encode_softmax(uint32_t *buf, size_t capacity,
				      const struct accel_rowwise *arg)
{
	struct accel_rowwise rw, *r = &rw;

	if (!buf || accel_struct_in(r, sizeof(*r), arg, ACCEL_ROWWISE_SIZE_2_0) ||
	    !accel_rowwise_ok(r, 0) || accel_f32_bits(r->epsilon) != 0)
		return -EINVAL;
	if (capacity < TESSERA_CMD_SOFTMAX_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_SOFTMAX, 0, TESSERA_CMD_SOFTMAX_LEN);
	buf[1] = r->dtype;
	buf[2] = r->rows;
	buf[3] = r->cols;
	accel_put_va(&buf[4], r->src);
	buf[6] = r->src_ld;
	accel_put_va(&buf[7], r->dst);
	buf[9] = r->dst_ld;
	return TESSERA_CMD_SOFTMAX_LEN;
}

ACCEL_EXPORT int accel_encode_layernorm(uint32_t *buf, size_t capacity,
					const struct accel_rowwise *arg)
{
	struct accel_rowwise rw, *r = &rw;

	if (!buf || accel_struct_in(r, sizeof(*r), arg, ACCEL_ROWWISE_SIZE_2_0) ||
	    !accel_rowwise_ok(r, ACCEL_LN_GAMMA | ACCEL_LN_BETA) ||
	    !(r->epsilon >= 0.0f) || !isfinite(r->epsilon))
		return -EINVAL;
	if (capacity < TESSERA_CMD_LN_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_LAYERNORM, r->flags, TESSERA_CMD_LN_LEN);
	buf[1] = r->dtype;
	buf[2] = r->rows;
	buf[3] = r->cols;
	accel_put_va(&buf[4], r->src);
	buf[6] = r->src_ld;
	accel_put_va(&buf[7], r->dst);
	buf[9] = r->dst_ld;
	accel_put_va(&buf[10], r->gamma);
	accel_put_va(&buf[12], r->beta);
	buf[14] = accel_f32_bits(r->epsilon);
	return TESSERA_CMD_LN_LEN;
}
