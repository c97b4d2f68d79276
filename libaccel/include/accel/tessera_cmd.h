/* SPDX-License-Identifier: MIT */
/*
 * Tessera T1 command encoding, shared by libaccel and the emulated card.
 *
 * This is not kernel ABI: the kernel never reads command buffers (the
 * card checks every command itself), so the encoding lives here, beside
 * libaccel's encoders, and the emulator (tools/emu) decodes the same
 * definitions.  Documentation/hw/programming-guide.rst is normative for
 * every command; this header must match it.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef _ACCEL_TESSERA_CMD_H_
#define _ACCEL_TESSERA_CMD_H_

#include <stdint.h>

/*
 * Command stream.
 *
 * A command buffer is a sequence of commands, each a whole number of 32-bit
 * little-endian dwords.  The first dword of every command is its header:
 *
 *   bits  7:0   opcode (TESSERA_CMD_OP_*)
 *   bits 15:8   flags, per opcode
 *   bits 31:16  length of the command in dwords, header included (>= 1)
 *
 * Documentation/hw/programming-guide.rst defines each command exactly.
 */
#define TESSERA_CMD_HEADER(op, flags, len) \
	((uint32_t)(op) | ((uint32_t)(flags) << 8) | ((uint32_t)(len) << 16))
#define TESSERA_CMD_OPCODE(hdr)		((hdr) & 0xff)
#define TESSERA_CMD_FLAGS(hdr)		(((hdr) >> 8) & 0xff)
#define TESSERA_CMD_LEN(hdr)		(((hdr) >> 16) & 0xffff)

/* NOP: any length >= 1; the dwords after the header are ignored. */
#define TESSERA_CMD_OP_NOP		0x00
/*
 * FENCE: 4 dwords: header, reserved (0), value low, value high.  Writes the
 * 64-bit value to the ring's fence address and raises the ring's interrupt
 * when TESSERA_CMD_FENCE_IRQ is set.  The fence address belongs to the
 * kernel: in any context but 0 the card rejects FENCE as an invalid
 * command, which fails the job and makes its context guilty.
 */
#define TESSERA_CMD_OP_FENCE		0x01
#define   TESSERA_CMD_FENCE_IRQ		0x01
#define   TESSERA_CMD_FENCE_LEN		4

/*
 * Every address below is a 64-bit device virtual address in the context of
 * the descriptor (for context 0: a bus address, or TESSERA_BYPASS_HBM_BASE
 * plus an HBM offset), given as two dwords, low first.  Element types are
 * TESSERA_DTYPE_*; leading dimensions and counts are in elements.
 */
#define TESSERA_DTYPE_FP32		0
#define TESSERA_DTYPE_FP16		1	/* IEEE binary16 */
#define TESSERA_DTYPE_BF16		2	/* bfloat16 */
#define TESSERA_DTYPE_INT8		3
#define TESSERA_DTYPE_INT32		4

/* Bytes per element of a TESSERA_DTYPE_*, 0 for an unknown type. */
static inline unsigned int tessera_dtype_size(uint32_t dtype)
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

/**
 * DOC: TESSERA_CMD_OP_COPY
 *
 * COPY: 6 dwords: header, src low, src high, dst low, dst high, size in
 * bytes.  Copies size bytes; any alignment.  Overlapping source and
 * destination ranges are an invalid command.
 */
#define TESSERA_CMD_OP_COPY		0x02
#define   TESSERA_CMD_COPY_LEN		6

/**
 * DOC: TESSERA_CMD_OP_FILL
 *
 * FILL: 5 dwords: header, dst low, dst high, size in bytes (multiple of 4),
 * 32-bit pattern.  dst must be 4-byte aligned.
 */
#define TESSERA_CMD_OP_FILL		0x03
#define   TESSERA_CMD_FILL_LEN		5

/**
 * DOC: TESSERA_CMD_OP_TIMESTAMP
 *
 * TIMESTAMP: 4 dwords: header, reserved (0), addr low, addr high.  Writes
 * the 64-bit device time in ns (TESSERA_REG_TIMESTAMP) to addr, 8-aligned,
 * once every earlier command of the buffer has completed.
 */
#define TESSERA_CMD_OP_TIMESTAMP	0x04
#define   TESSERA_CMD_TIMESTAMP_LEN	4

/**
 * DOC: TESSERA_CMD_OP_SEMAPHORE
 *
 * SEMAPHORE: 5 dwords: header, addr low, addr high, value, reserved (0).
 * addr is 4-aligned and holds a u32.  The flags select the operation:
 * WAIT blocks the engine until (s32)(mem - value) >= 0; SIGNAL stores
 * value; ADD atomically adds value.
 */
#define TESSERA_CMD_OP_SEMAPHORE	0x05
#define   TESSERA_CMD_SEM_LEN		5
#define   TESSERA_SEM_WAIT		0x00
#define   TESSERA_SEM_SIGNAL		0x01
#define   TESSERA_SEM_ADD		0x02

/**
 * DOC: TESSERA_CMD_OP_GEMM
 *
 * GEMM: 18 dwords, row-major matrices:
 * C = act(alpha * op(A) * op(B) + beta * C + bias), op(A) M x K, op(B)
 * K x N, C M x N.
 *
 *   dw1   dtype (bits 7:0), activation TESSERA_ACT_* (bits 15:8)
 *   dw2-4 M, N, K
 *   dw5-6 A, dw7 lda;  dw8-9 B, dw10 ldb;  dw11-12 C, dw13 ldc
 *   dw14  alpha (fp32 bits), dw15 beta (fp32 bits)
 *   dw16-17 bias: N elements of C's type, used with TESSERA_GEMM_BIAS
 *
 * Header flags: TESSERA_GEMM_TRANS_A, TESSERA_GEMM_TRANS_B,
 * TESSERA_GEMM_BIAS.  For TESSERA_DTYPE_INT8, A and B are int8, C and
 * bias int32, alpha must be 1.0, beta 0.0 or 1.0, and the result
 * saturates to int32.
 */
#define TESSERA_CMD_OP_GEMM		0x10
#define   TESSERA_CMD_GEMM_LEN		18
#define   TESSERA_GEMM_TRANS_A		0x01
#define   TESSERA_GEMM_TRANS_B		0x02
#define   TESSERA_GEMM_BIAS		0x04
#define   TESSERA_ACT_NONE		0
#define   TESSERA_ACT_RELU		1
#define   TESSERA_ACT_GELU		2	/* x * Phi(x), erf form */

/**
 * DOC: TESSERA_CMD_OP_ELEMENTWISE
 *
 * ELEMENTWISE: 10 dwords: header (flags: TESSERA_EW_*), dw1 source dtype
 * (bits 7:0) and destination dtype (bits 15:8, equal to the source unless
 * CAST), dw2 count, dw3-4 A, dw5-6 B (ADD and MUL only, else 0), dw7-8 D,
 * dw9 scalar (fp32 bits, SCALE only, else 0).  D[i] = op(A[i], B[i]).
 */
#define TESSERA_CMD_OP_ELEMENTWISE	0x11
#define   TESSERA_CMD_EW_LEN		10
#define   TESSERA_EW_ADD		0
#define   TESSERA_EW_MUL		1
#define   TESSERA_EW_SCALE		2
#define   TESSERA_EW_RELU		3
#define   TESSERA_EW_GELU		4
#define   TESSERA_EW_EXP		5
#define   TESSERA_EW_CAST		6
/*
 * Added in hardware 1.5 (TESSERA_CAP_TRAIN), FP32/FP16/BF16, source type
 * equal to the destination's.  The backward ops take the forward input in
 * A and the output gradient in B: D = B * f'(A).
 */
#define   TESSERA_EW_SILU		7	/* D = A * sigmoid(A) */
#define   TESSERA_EW_SWIGLU		8	/* D = silu(A) * B */
#define   TESSERA_EW_RELU_BWD		9	/* D = A > 0 ? B : 0 */
#define   TESSERA_EW_GELU_BWD		10	/* D = B * gelu'(A), erf form */
#define   TESSERA_EW_SILU_BWD		11	/* D = B * silu'(A) */
/*
 * SWIGLU_BWD (long form only): A the gate input, B the up input, C the
 * gradient of silu(A) * B: D = C * B * silu'(A), E = C * silu(A).
 */
#define   TESSERA_EW_SWIGLU_BWD		12

/**
 * DOC: ELEMENTWISE long form
 *
 * (Hardware 1.5, TESSERA_CAP_TRAIN.)  ELEMENTWISE of 20 dwords: every op
 * on rows x cols matrices with leading dimensions.  Header flags: the
 * TESSERA_EW_* op, as in the short form.
 *
 *   dw1   source dtype (bits 7:0), destination dtype (bits 15:8)
 *   dw2-3 rows, cols
 *   dw4-5 A, dw6 lda;  dw7-8 B, dw9 ldb (binary and backward ops, else 0)
 *   dw10-11 C, dw12 ldc (SWIGLU_BWD only, else 0)
 *   dw13-14 D, dw15 ldd
 *   dw16-17 E, dw18 lde (SWIGLU_BWD only, else 0)
 *   dw19  scalar (fp32 bits, SCALE only, else 0)
 */
#define   TESSERA_CMD_EW2_LEN		20

/**
 * DOC: TESSERA_CMD_OP_SOFTMAX
 *
 * SOFTMAX: 10 dwords: header, dw1 dtype (FP32, FP16 or BF16), dw2 rows,
 * dw3 cols, dw4-5 src, dw6 src leading dimension, dw7-8 dst, dw9 dst
 * leading dimension.  Row-wise, max-subtracted, fp32 arithmetic.
 */
#define TESSERA_CMD_OP_SOFTMAX		0x12
#define   TESSERA_CMD_SOFTMAX_LEN	10
/*
 * Causal form (hardware 1.5, TESSERA_CAP_TRAIN): header flag
 * TESSERA_SOFTMAX_CAUSAL and 12 dwords: dw10 period (>= 1), dw11 offset.
 * Row r keeps columns c <= (r % period) + offset; the others are -inf
 * before the max and exactly 0 in the result.
 */
#define   TESSERA_SOFTMAX_CAUSAL	0x01
#define   TESSERA_CMD_SOFTMAX_CAUSAL_LEN 12

/**
 * DOC: TESSERA_CMD_OP_LAYERNORM
 *
 * LAYERNORM: 15 dwords: header (flags: TESSERA_LN_*), dw1 dtype (FP32,
 * FP16 or BF16), dw2 rows, dw3 cols, dw4-5 src, dw6 src leading dimension,
 * dw7-8 dst, dw9 dst leading dimension, dw10-11 gamma, dw12-13 beta (cols
 * elements of dtype each, read only with the matching flag, else 0),
 * dw14 epsilon (fp32 bits).  Row-wise (x - mean) / sqrt(var + eps) *
 * gamma + beta with the biased variance, fp32 arithmetic.
 */
#define TESSERA_CMD_OP_LAYERNORM	0x13
#define   TESSERA_CMD_LN_LEN		15
#define   TESSERA_LN_GAMMA		0x01
#define   TESSERA_LN_BETA		0x02

/*
 * Hardware 1.5: the training commands (TESSERA_CAP_TRAIN), compute engines
 * only.  Unless a command says otherwise: dtype is FP32 or BF16 for every
 * data operand of the command (one type for all of them), arithmetic is
 * fp32, results are rounded once to their type; fp32-only operands
 * (statistics, gradients of fp32 weights, losses) say so.  Matrices are
 * row-major with a leading dimension in elements (>= their columns).
 */

/**
 * DOC: TESSERA_CMD_OP_BGEMM
 *
 * BGEMM: 24 dwords: batch0 x batch1 GEMMs, C[i][j] = alpha * op(A[i][j]) *
 * op(B[i][j]) + beta * C[i][j], matrix (i, j) of X at X + (i * Xs0 + j *
 * Xs1) elements.  Header flags: TESSERA_GEMM_TRANS_A, TESSERA_GEMM_TRANS_B.
 *
 *   dw1   dtype (FP32 or BF16; bits 31:8 must be 0)
 *   dw2-4 M, N, K
 *   dw5-6 A, dw7 lda;  dw8-9 B, dw10 ldb;  dw11-12 C, dw13 ldc
 *   dw14  alpha (fp32 bits), dw15 beta (fp32 bits)
 *   dw16  batch0, dw17 batch1 (>= 1 each)
 *   dw18-19 A's strides for batch0 and batch1 (elements; 0 broadcasts)
 *   dw20-21 B's strides, dw22-23 C's strides
 */
#define TESSERA_CMD_OP_BGEMM		0x14
#define   TESSERA_CMD_BGEMM_LEN		24

/**
 * DOC: TESSERA_CMD_OP_SOFTMAX_BWD
 *
 * SOFTMAX_BWD: 13 dwords: dX = Y * (dY - sum_row(dY * Y)) row-wise.
 *
 *   dw1   dtype, dw2 rows, dw3 cols
 *   dw4-5 Y, dw6 ldy;  dw7-8 dY, dw9 lddy;  dw10-11 dX, dw12 lddx
 */
#define TESSERA_CMD_OP_SOFTMAX_BWD	0x15
#define   TESSERA_CMD_SOFTMAX_BWD_LEN	13

/**
 * DOC: TESSERA_CMD_OP_EMBEDDING
 *
 * EMBEDDING: 13 dwords.  Gather: X[i][:] = T[idx[i]][:]; with
 * TESSERA_EMB_SCATTER_ADD: T[idx[i]][:] += X[i][:] for i = 0, 1, ...
 * in order.  Every index is checked (0 <= idx < table rows) first.
 *
 *   dw1   dtype (gather FP32, FP16 or BF16; scatter-add FP32 or BF16)
 *   dw2   count (indices), dw3 cols (row length)
 *   dw4-5 idx (count int32)
 *   dw6-7 T, dw8 table rows, dw9 table leading dimension
 *   dw10-11 X, dw12 ldx
 */
#define TESSERA_CMD_OP_EMBEDDING	0x16
#define   TESSERA_CMD_EMBEDDING_LEN	13
#define   TESSERA_EMB_SCATTER_ADD	0x01

/**
 * DOC: TESSERA_CMD_OP_RMSNORM
 *
 * RMSNORM: 15 dwords: Y = X * rstd * gamma row-wise, rstd = 1 /
 * sqrt(mean(X^2) + eps).  Flags: TESSERA_RMS_GAMMA (multiply by gamma,
 * else by 1), TESSERA_RMS_RSTD (write rstd).
 *
 *   dw1   dtype, dw2 rows, dw3 cols
 *   dw4-5 X, dw6 ldx;  dw7-8 Y, dw9 ldy
 *   dw10-11 gamma (cols fp32, GAMMA only, else 0)
 *   dw12-13 rstd (rows fp32, RSTD only, else 0)
 *   dw14  eps (fp32 bits, finite, >= 0)
 */
#define TESSERA_CMD_OP_RMSNORM		0x17
#define   TESSERA_CMD_RMSNORM_LEN	15
#define   TESSERA_RMS_GAMMA		0x01
#define   TESSERA_RMS_RSTD		0x02

/**
 * DOC: TESSERA_CMD_OP_RMSNORM_BWD
 *
 * RMSNORM_BWD: 20 dwords: the gradients of RMSNORM given X and dY.
 * Flags: TESSERA_RMS_GAMMA (the forward used gamma), TESSERA_RMS_RSTD
 * (read rstd, else recompute it from X and eps), TESSERA_RMS_ACCUM (dX +=
 * instead of =), TESSERA_RMS_DGAMMA (dgamma += sum over rows of dY * X *
 * rstd).
 *
 *   dw1   dtype, dw2 rows, dw3 cols
 *   dw4-5 X, dw6 ldx;  dw7-8 dY, dw9 lddy;  dw10-11 dX, dw12 lddx
 *   dw13-14 gamma (cols fp32, GAMMA only, else 0)
 *   dw15-16 dgamma (cols fp32, DGAMMA only, else 0)
 *   dw17-18 rstd (rows fp32, RSTD only, else 0)
 *   dw19  eps (fp32 bits, finite, >= 0)
 */
#define TESSERA_CMD_OP_RMSNORM_BWD	0x18
#define   TESSERA_CMD_RMSNORM_BWD_LEN	20
#define   TESSERA_RMS_ACCUM		0x04
#define   TESSERA_RMS_DGAMMA		0x08

/**
 * DOC: TESSERA_CMD_OP_ROPE
 *
 * ROPE: 15 dwords: rotary position embedding, GGUF/llama.cpp "normal"
 * mode.  Row r of X holds heads x head_dim elements; its position is
 * p = pos0 + (r % period); in each head the pairs (2i, 2i + 1), i <
 * n_rot / 2, are rotated by the angle p * theta^(-2i / n_rot) (by minus
 * that angle with TESSERA_ROPE_BWD), the other elements copied.
 *
 *   dw1   dtype, dw2 rows, dw3 heads, dw4 head_dim (even)
 *   dw5-6 X, dw7 ldx;  dw8-9 Y, dw10 ldy
 *   dw11  pos0, dw12 period (>= 1)
 *   dw13  theta (fp32 bits, finite, > 0)
 *   dw14  n_rot (even, 2 .. head_dim)
 */
#define TESSERA_CMD_OP_ROPE		0x19
#define   TESSERA_CMD_ROPE_LEN		15
#define   TESSERA_ROPE_BWD		0x01

/**
 * DOC: TESSERA_CMD_OP_CROSS_ENTROPY
 *
 * CROSS_ENTROPY: 16 dwords: per row r of logits x with target t = tgt[r]:
 * loss[r] = logsumexp(x) - x[t] and dX[r][:] = (softmax(x) - onehot(t)) *
 * scale; a row whose target equals ignore gives loss 0 and dX 0.  Flags:
 * TESSERA_CE_LOSS, TESSERA_CE_DLOGITS (at least one).
 *
 *   dw1   dtype (logits and dX), dw2 rows, dw3 classes
 *   dw4-5 logits, dw6 ld
 *   dw7-8 tgt (rows int32)
 *   dw9-10 loss (rows fp32, LOSS only, else 0)
 *   dw11-12 dX, dw13 lddx (DLOGITS only, else 0)
 *   dw14  scale (fp32 bits, finite; 0 without DLOGITS)
 *   dw15  ignore (int32)
 */
#define TESSERA_CMD_OP_CROSS_ENTROPY	0x1a
#define   TESSERA_CMD_CE_LEN		16
#define   TESSERA_CE_LOSS		0x01
#define   TESSERA_CE_DLOGITS		0x02

/**
 * DOC: TESSERA_CMD_OP_REDUCE
 *
 * REDUCE: 10 dwords: dst = (ACCUM ? dst : 0) + scale * sum of X (or of
 * X^2 with TESSERA_RED_SQUARE) over each row (dst: rows fp32), each
 * column (dst: cols fp32) or all of X (dst: one fp32).  Header flags:
 * bits 1:0 the axis TESSERA_RED_*, TESSERA_RED_ACCUM, TESSERA_RED_SQUARE.
 *
 *   dw1   dtype (of X), dw2 rows, dw3 cols
 *   dw4-5 X, dw6 ldx;  dw7-8 dst
 *   dw9   scale (fp32 bits, finite)
 */
#define TESSERA_CMD_OP_REDUCE		0x1b
#define   TESSERA_CMD_REDUCE_LEN	10
#define   TESSERA_RED_ROWS		0x00	/* dst[r] = sum_c X[r][c] */
#define   TESSERA_RED_COLS		0x01	/* dst[c] = sum_r X[r][c] */
#define   TESSERA_RED_ALL		0x02	/* dst[0] = sum X */
#define   TESSERA_RED_AXIS_MASK		0x03
#define   TESSERA_RED_ACCUM		0x04
#define   TESSERA_RED_SQUARE		0x08

/**
 * DOC: TESSERA_CMD_OP_ADAMW
 *
 * ADAMW: 20 dwords: one AdamW step (decoupled weight decay, bias
 * corrections from step) over count fp32 elements of param, grad, m, v.
 * Flags: TESSERA_ADAMW_CLIP (scale the gradient down to a global norm of
 * at most max_norm, from the sum of squares at sumsq),
 * TESSERA_ADAMW_ZERO_GRAD (store 0 to grad afterwards).
 *
 *   dw1   count
 *   dw2-3 param, dw4-5 grad, dw6-7 m, dw8-9 v
 *   dw10  lr, dw11 beta1, dw12 beta2, dw13 eps, dw14 weight decay (fp32)
 *   dw15  step (>= 1)
 *   dw16  grad scale (fp32)
 *   dw17-18 sumsq (one fp32: the sum of squares of the unscaled
 *         gradients; CLIP only, else 0)
 *   dw19  max_norm (fp32, > 0; CLIP only, else 0)
 */
#define TESSERA_CMD_OP_ADAMW		0x1c
#define   TESSERA_CMD_ADAMW_LEN		20
#define   TESSERA_ADAMW_CLIP		0x01
#define   TESSERA_ADAMW_ZERO_GRAD	0x02

#endif /* _ACCEL_TESSERA_CMD_H_ */
