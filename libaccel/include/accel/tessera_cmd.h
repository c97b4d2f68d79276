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

/**
 * DOC: TESSERA_CMD_OP_SOFTMAX
 *
 * SOFTMAX: 10 dwords: header, dw1 dtype (FP32, FP16 or BF16), dw2 rows,
 * dw3 cols, dw4-5 src, dw6 src leading dimension, dw7-8 dst, dw9 dst
 * leading dimension.  Row-wise, max-subtracted, fp32 arithmetic.
 */
#define TESSERA_CMD_OP_SOFTMAX		0x12
#define   TESSERA_CMD_SOFTMAX_LEN	10

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

#endif /* _ACCEL_TESSERA_CMD_H_ */
