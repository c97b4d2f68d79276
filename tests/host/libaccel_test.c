// SPDX-License-Identifier: MIT
/*
 * Host unit tests of libaccel 2: command encoders and the size fields of
 * their structs, errors, device lookup without a device, and the
 * library's exported ABI.  The VA allocator has its own test (va_test.c).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "tessera_accel.h"
#include "accel/tessera_cmd.h"
#include "tap.h"

/* The table-driven cases below override fields of a valid initializer. */
#pragma GCC diagnostic ignored "-Woverride-init"


static void test_encode_nop(void)
{
	uint32_t buf[70000];
	int i, ok = 1;

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_nop(buf, 70000, 1) == 1 && buf[0] == 0x00010000 &&
	      buf[1] == 0xa5a5a5a5, "nop of one dword is a bare header");

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_nop(buf, 70000, 8) == 8 &&
	      TESSERA_CMD_OPCODE(buf[0]) == TESSERA_CMD_OP_NOP &&
	      TESSERA_CMD_LEN(buf[0]) == 8 && TESSERA_CMD_FLAGS(buf[0]) == 0 &&
	      buf[8] == 0xa5a5a5a5, "nop of 8 dwords: header, 7 zero dwords, nothing more");
	for (i = 1; i < 8; i++)
		ok &= buf[i] == 0;
	TAP_OK(ok, "nop payload is zeroed");

	TAP_OK(accel_encode_nop(buf, 70000, 0xffff) == 0xffff &&
	      TESSERA_CMD_LEN(buf[0]) == 0xffff, "longest nop");
	TAP_OK(accel_encode_nop(buf, 70000, 0) == -EINVAL, "nop of 0 dwords is EINVAL");
	TAP_OK(accel_encode_nop(buf, 70000, 0x10000) == -EINVAL, "nop over 65535 dwords is EINVAL");
	TAP_OK(accel_encode_nop(buf, 3, 4) == -ENOSPC, "nop larger than the space is ENOSPC");
	TAP_OK(accel_encode_nop(NULL, 3, 1) == -EINVAL, "nop into NULL is EINVAL");
}

static void test_encode_fill_copy(void)
{
	uint32_t buf[8];

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_fill(buf, 8, 0x123456789000ull, 4096, 0xdeadbeef) == 5 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, 5) &&
	      buf[1] == 0x56789000 && buf[2] == 0x1234 && buf[3] == 4096 &&
	      buf[4] == 0xdeadbeef && buf[5] == 0xa5a5a5a5, "fill encoding");
	TAP_OK(accel_encode_fill(buf, 8, 0x1002, 4096, 0) == -EINVAL, "fill to unaligned VA");
	TAP_OK(accel_encode_fill(buf, 8, 0x1000, 6, 0) == -EINVAL, "fill of unaligned size");
	TAP_OK(accel_encode_fill(buf, 8, 0x1000, 0, 0) == -EINVAL, "fill of nothing");
	TAP_OK(accel_encode_fill(buf, 4, 0x1000, 4, 0) == -ENOSPC, "fill without room");

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_copy(buf, 8, 0x1000, 0x200000000ull, 100) == 6 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, 6) &&
	      buf[1] == 0x1000 && buf[2] == 0 && buf[3] == 0 && buf[4] == 2 &&
	      buf[5] == 100 && buf[6] == 0xa5a5a5a5, "copy encoding");
	TAP_OK(accel_encode_copy(buf, 8, 0x1000, 0x1010, 32) == -EINVAL, "overlapping copy");
	TAP_OK(accel_encode_copy(buf, 8, UINT64_MAX - 8, 0x1000, 32) == -EINVAL,
	      "copy source wrapping around");
	TAP_OK(accel_encode_copy(buf, 8, 0x1000, 0x2000, 0) == -EINVAL, "copy of nothing");
	TAP_OK(accel_encode_copy(buf, 5, 0x1000, 0x2000, 4) == -ENOSPC, "copy without room");
}

static void test_encode_timestamp_semaphore(void)
{
	uint32_t buf[8];

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_timestamp(buf, 8, 0x123400000008ull) == 4 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_TIMESTAMP, 0, 4) && buf[1] == 0 &&
	      buf[2] == 8 && buf[3] == 0x1234 && buf[4] == 0xa5a5a5a5, "timestamp encoding");
	TAP_OK(accel_encode_timestamp(buf, 8, 0x1004) == -EINVAL, "timestamp to a 4-aligned VA");
	TAP_OK(accel_encode_timestamp(buf, 8, UINT64_MAX - 7) == -EINVAL, "timestamp wrapping");
	TAP_OK(accel_encode_timestamp(buf, 3, 0x1000) == -ENOSPC, "timestamp without room");
	TAP_OK(accel_encode_timestamp(NULL, 8, 0x1000) == -EINVAL, "timestamp into NULL");

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_semaphore(buf, 8, ACCEL_SEM_ADD, 0x500000004ull, 7) == 5 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_ADD, 5) &&
	      buf[1] == 4 && buf[2] == 5 && buf[3] == 7 && buf[4] == 0 &&
	      buf[5] == 0xa5a5a5a5, "semaphore add encoding");
	TAP_OK(accel_encode_semaphore(buf, 8, ACCEL_SEM_WAIT, 0x1000, 1) == 5 &&
	      TESSERA_CMD_FLAGS(buf[0]) == TESSERA_SEM_WAIT, "semaphore wait flags");
	TAP_OK(accel_encode_semaphore(buf, 8, ACCEL_SEM_SIGNAL, 0x1000, 1) == 5 &&
	      TESSERA_CMD_FLAGS(buf[0]) == TESSERA_SEM_SIGNAL, "semaphore signal flags");
	TAP_OK(accel_encode_semaphore(buf, 8, (enum accel_sem_op)3, 0x1000, 1) == -EINVAL,
	      "semaphore with an unknown op");
	TAP_OK(accel_encode_semaphore(buf, 8, ACCEL_SEM_WAIT, 0x1002, 1) == -EINVAL,
	      "semaphore on an unaligned VA");
	TAP_OK(accel_encode_semaphore(buf, 8, ACCEL_SEM_WAIT, UINT64_MAX - 3, 1) == -EINVAL,
	      "semaphore wrapping");
	TAP_OK(accel_encode_semaphore(buf, 4, ACCEL_SEM_WAIT, 0x1000, 1) == -ENOSPC,
	      "semaphore without room");
}

static uint32_t fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static struct accel_gemm good_gemm(void)
{
	struct accel_gemm g = {
		.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .activation = ACCEL_ACT_RELU,
		.flags = ACCEL_GEMM_TRANS_B | ACCEL_GEMM_BIAS,
		.m = 64, .n = 32, .k = 16,
		.a = 0x100000000ull, .lda = 16,
		.b = 0x200000000ull, .ldb = 20,
		.c = 0x300000010ull, .ldc = 40,
		.bias = 0x400000000ull, .alpha = 2.0f, .beta = 0.5f,
	};
	return g;
}

static void test_encode_gemm(void)
{
	uint32_t buf[20];
	struct accel_gemm g = good_gemm();
	int i;

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_gemm(buf, 20, &g) == 18 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM,
					   TESSERA_GEMM_TRANS_B | TESSERA_GEMM_BIAS, 18) &&
	      buf[1] == (TESSERA_DTYPE_FP32 | TESSERA_ACT_RELU << 8) &&
	      buf[2] == 64 && buf[3] == 32 && buf[4] == 16 &&
	      buf[5] == 0 && buf[6] == 1 && buf[7] == 16 &&
	      buf[8] == 0 && buf[9] == 2 && buf[10] == 20 &&
	      buf[11] == 0x10 && buf[12] == 3 && buf[13] == 40 &&
	      buf[14] == fbits(2.0f) && buf[15] == fbits(0.5f) &&
	      buf[16] == 0 && buf[17] == 4 && buf[18] == 0xa5a5a5a5, "gemm encoding");

	g.dtype = ACCEL_DTYPE_INT8; g.alpha = 1.0f; g.beta = 1.0f; g.flags = 0; g.bias = 0;
	g.a = 0x1001; g.b = 0x2003; g.ldb = 32;
	TAP_OK(accel_encode_gemm(buf, 20, &g) == 18 && (buf[1] & 0xff) == TESSERA_DTYPE_INT8,
	      "int8 gemm with byte-aligned A and B");

	for (i = 0; i < 17; i++) {
		static const char *const what[] = {
			"gemm of int32", "gemm of an unknown dtype", "gemm with an unknown activation",
			"gemm with an unknown flag", "gemm with m = 0", "gemm with k over 65536",
			"gemm with lda < k", "gemm with ldb < k (transposed B)", "gemm with ldc < n",
			"gemm with a misaligned C", "gemm with bias but no flag",
			"gemm with a NaN alpha", "gemm with an infinite beta", "int8 gemm with alpha 2",
			"int8 gemm with beta 0.5", "int8 gemm with GELU", "gemm of A over 256 MiB",
		};
		g = good_gemm();
		switch (i) {
		case 0: g.dtype = ACCEL_DTYPE_INT32; break;
		case 1: g.dtype = 9; break;
		case 2: g.activation = 3; break;
		case 3: g.flags |= 0x8; break;
		case 4: g.m = 0; break;
		case 5: g.k = 65537; g.lda = 65537; g.ldb = 65537; break;
		case 6: g.lda = 15; break;
		case 7: g.ldb = 15; break;
		case 8: g.ldc = 31; break;
		case 9: g.c += 2; break;
		case 10: g.flags &= ~ACCEL_GEMM_BIAS; break;
		case 11: g.alpha = __builtin_nanf(""); break;
		case 12: g.beta = __builtin_inff(); break;
		case 13: g.dtype = ACCEL_DTYPE_INT8; g.alpha = 2.0f; g.beta = 0.0f; break;
		case 14: g.dtype = ACCEL_DTYPE_INT8; g.alpha = 1.0f; g.beta = 0.5f; break;
		case 15: g.dtype = ACCEL_DTYPE_INT8; g.alpha = 1.0f; g.beta = 0.0f;
			g.activation = ACCEL_ACT_GELU; break;
		case 16: g.m = 65536; g.k = 1024; g.lda = 1024; break;
		}
		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_gemm(buf, 20, &g) == -EINVAL && buf[0] == 0xa5a5a5a5, what[i]);
	}
	g = good_gemm();
	TAP_OK(accel_encode_gemm(buf, 17, &g) == -ENOSPC, "gemm without room");
	TAP_OK(accel_encode_gemm(buf, 20, NULL) == -EINVAL, "gemm without arguments");
}

static void test_encode_elementwise(void)
{
	struct accel_elementwise e = {
		.size = sizeof(e), .op = ACCEL_EW_SCALE, .src_dtype = ACCEL_DTYPE_FP16, .dst_dtype = ACCEL_DTYPE_FP16,
		.count = 1000, .a = 0x700000002ull, .d = 0x800000000ull, .scalar = 0.25f,
	};
	uint32_t buf[12];

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_elementwise(buf, 12, &e) == 10 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SCALE, 10) &&
	      buf[1] == (TESSERA_DTYPE_FP16 | TESSERA_DTYPE_FP16 << 8) && buf[2] == 1000 &&
	      buf[3] == 2 && buf[4] == 7 && buf[5] == 0 && buf[6] == 0 &&
	      buf[7] == 0 && buf[8] == 8 && buf[9] == fbits(0.25f) && buf[10] == 0xa5a5a5a5,
	      "elementwise scale encoding");
	e = (struct accel_elementwise){ .size = sizeof(e), .op = ACCEL_EW_ADD, .count = 4, .a = 0x1000,
					.b = 0x2000, .d = 0x1000 };
	TAP_OK(accel_encode_elementwise(buf, 12, &e) == 10 && buf[5] == 0x2000 && buf[7] == 0x1000,
	      "in-place elementwise add");
	e = (struct accel_elementwise){ .size = sizeof(e), .op = ACCEL_EW_CAST, .src_dtype = ACCEL_DTYPE_INT32,
					.dst_dtype = ACCEL_DTYPE_INT8, .count = 3,
					.a = 0x1000, .d = 0x2001 };
	TAP_OK(accel_encode_elementwise(buf, 12, &e) == 10 &&
	      buf[1] == (TESSERA_DTYPE_INT32 | TESSERA_DTYPE_INT8 << 8) &&
	      TESSERA_CMD_FLAGS(buf[0]) == TESSERA_EW_CAST, "cast int32 to int8");

#define EW_BAD(name, ...) do {							\
		struct accel_elementwise x = { .size = sizeof(x), .op = ACCEL_EW_ADD, .count = 4,	\
					       .a = 0x1000, .b = 0x2000,	\
					       .d = 0x3000, __VA_ARGS__ };	\
		memset(buf, 0xa5, sizeof(buf));					\
		TAP_OK(accel_encode_elementwise(buf, 12, &x) == -EINVAL &&	\
		      buf[0] == 0xa5a5a5a5, name);				\
	} while (0)
	EW_BAD("elementwise with an unknown op", .op = 13);
	EW_BAD("elementwise SWIGLU_BWD in the short form", .op = ACCEL_EW_SWIGLU_BWD);
	EW_BAD("elementwise SILU with B", .op = ACCEL_EW_SILU);
	EW_BAD("elementwise SILU_BWD without B", .op = ACCEL_EW_SILU_BWD, .b = 0);
	EW_BAD("elementwise add of int8", .src_dtype = ACCEL_DTYPE_INT8, .dst_dtype = ACCEL_DTYPE_INT8);
	EW_BAD("elementwise add changing type", .dst_dtype = ACCEL_DTYPE_BF16);
	EW_BAD("elementwise cast to an unknown type", .op = ACCEL_EW_CAST, .b = 0, .dst_dtype = 5);
	EW_BAD("elementwise of 0 elements", .count = 0);
	EW_BAD("elementwise over 65536 elements", .count = 65537);
	EW_BAD("elementwise add without B", .b = 0);
	EW_BAD("elementwise relu with B", .op = ACCEL_EW_RELU);
	EW_BAD("elementwise add with a scalar", .scalar = 1.0f);
	EW_BAD("elementwise with a misaligned A", .a = 0x1002);
	EW_BAD("elementwise with D wrapping", .d = UINT64_MAX - 7);
#undef EW_BAD
	e = (struct accel_elementwise){ .size = sizeof(e), .op = ACCEL_EW_EXP, .count = 4, .a = 0x1000, .d = 0x2000 };
	TAP_OK(accel_encode_elementwise(buf, 9, &e) == -ENOSPC, "elementwise without room");
	e = (struct accel_elementwise){ .size = sizeof(e), .op = ACCEL_EW_SWIGLU,
					.src_dtype = ACCEL_DTYPE_BF16, .dst_dtype = ACCEL_DTYPE_BF16,
					.count = 688, .a = 0x1000, .b = 0x3000, .d = 0x1000 };
	TAP_OK(accel_encode_elementwise(buf, 12, &e) == 10 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SWIGLU, 10) &&
	      buf[5] == 0x3000 && buf[7] == 0x1000, "elementwise SWIGLU (2.1) in the short form");
}

static void test_encode_rowwise(void)
{
	struct accel_rowwise r = {
		.size = sizeof(r), .dtype = ACCEL_DTYPE_BF16, .rows = 8, .cols = 100,
		.src = 0x100000000ull, .src_ld = 128, .dst = 0x200000002ull, .dst_ld = 100,
	};
	uint32_t buf[16];

	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_softmax(buf, 16, &r) == 10 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_SOFTMAX, 0, 10) &&
	      buf[1] == TESSERA_DTYPE_BF16 && buf[2] == 8 && buf[3] == 100 &&
	      buf[4] == 0 && buf[5] == 1 && buf[6] == 128 && buf[7] == 2 && buf[8] == 2 &&
	      buf[9] == 100 && buf[10] == 0xa5a5a5a5, "softmax encoding");
	r.flags = ACCEL_LN_GAMMA | ACCEL_LN_BETA;
	r.gamma = 0x300000000ull;
	r.beta = 0x400000000ull;
	r.epsilon = 1e-5f;
	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_layernorm(buf, 16, &r) == 15 &&
	      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_LAYERNORM,
					   TESSERA_LN_GAMMA | TESSERA_LN_BETA, 15) &&
	      buf[1] == TESSERA_DTYPE_BF16 && buf[2] == 8 && buf[3] == 100 &&
	      buf[6] == 128 && buf[9] == 100 && buf[10] == 0 && buf[11] == 3 &&
	      buf[12] == 0 && buf[13] == 4 && buf[14] == fbits(1e-5f) && buf[15] == 0xa5a5a5a5,
	      "layernorm encoding");
	r.flags = ACCEL_LN_BETA;
	r.gamma = 0;
	TAP_OK(accel_encode_layernorm(buf, 16, &r) == 15 &&
	      TESSERA_CMD_FLAGS(buf[0]) == TESSERA_LN_BETA && buf[10] == 0 && buf[11] == 0,
	      "layernorm with beta only");
	TAP_OK(accel_encode_layernorm(buf, 14, &r) == -ENOSPC, "layernorm without room");
	TAP_OK(accel_encode_softmax(buf, 9, &r) == -EINVAL, "softmax with layernorm fields");

#define RW_BAD(fn, name, ...) do {						\
		struct accel_rowwise x = { .size = sizeof(x), .dtype = ACCEL_DTYPE_FP32, .rows = 4,	\
					   .cols = 16, .src = 0x1000, .src_ld = 16,	\
					   .dst = 0x2000, .dst_ld = 16, __VA_ARGS__ }; \
		memset(buf, 0xa5, sizeof(buf));					\
		TAP_OK(fn(buf, 16, &x) == -EINVAL && buf[0] == 0xa5a5a5a5, name); \
	} while (0)
	RW_BAD(accel_encode_softmax, "softmax of int8", .dtype = ACCEL_DTYPE_INT8);
	RW_BAD(accel_encode_softmax, "softmax of 0 rows", .rows = 0);
	RW_BAD(accel_encode_softmax, "softmax of 0 cols", .cols = 0);
	RW_BAD(accel_encode_softmax, "softmax with src_ld < cols", .src_ld = 15);
	RW_BAD(accel_encode_softmax, "softmax with dst_ld < cols", .dst_ld = 8);
	RW_BAD(accel_encode_softmax, "softmax with a misaligned dst", .dst = 0x2002);
	RW_BAD(accel_encode_softmax, "softmax with flags", .flags = ACCEL_LN_GAMMA, .gamma = 0x3000);
	RW_BAD(accel_encode_softmax, "softmax over 256 MiB", .rows = 65536, .cols = 2048,
	       .src_ld = 2048, .dst_ld = 2048);
	RW_BAD(accel_encode_layernorm, "layernorm with gamma but no flag", .gamma = 0x3000);
	RW_BAD(accel_encode_layernorm, "layernorm with the flag but no gamma",
	       .flags = ACCEL_LN_GAMMA);
	RW_BAD(accel_encode_layernorm, "layernorm with an unknown flag", .flags = 0x4);
	RW_BAD(accel_encode_layernorm, "layernorm with a negative epsilon", .epsilon = -1.0f);
	RW_BAD(accel_encode_layernorm, "layernorm with a NaN epsilon",
	       .epsilon = __builtin_nanf(""));
	RW_BAD(accel_encode_layernorm, "layernorm with an infinite epsilon",
	       .epsilon = __builtin_inff());
	RW_BAD(accel_encode_layernorm, "layernorm of fp16 with misaligned beta",
	       .dtype = ACCEL_DTYPE_FP16, .flags = ACCEL_LN_BETA, .beta = 0x3001);
	RW_BAD(accel_encode_softmax, "causal softmax with period 0", .flags = ACCEL_SOFTMAX_CAUSAL);
	RW_BAD(accel_encode_softmax, "softmax with an offset but no causal flag", .offset = 3);
	RW_BAD(accel_encode_softmax, "causal softmax with gamma", .flags = ACCEL_SOFTMAX_CAUSAL,
	       .period = 4, .gamma = 0x3000);
	RW_BAD(accel_encode_layernorm, "layernorm with a period", .period = 4);
#undef RW_BAD
	{
		struct accel_rowwise c = {
			.size = sizeof(c), .dtype = ACCEL_DTYPE_FP16, .rows = 64, .cols = 16,
			.src = 0x1000, .src_ld = 16, .dst = 0x5000, .dst_ld = 20,
			.flags = ACCEL_SOFTMAX_CAUSAL, .period = 16, .offset = 7,
		};

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_softmax(buf, 16, &c) == 12 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_SOFTMAX, TESSERA_SOFTMAX_CAUSAL,
						   12) &&
		      buf[1] == TESSERA_DTYPE_FP16 && buf[2] == 64 && buf[3] == 16 &&
		      buf[4] == 0x1000 && buf[6] == 16 && buf[7] == 0x5000 && buf[9] == 20 &&
		      buf[10] == 16 && buf[11] == 7 && buf[12] == 0xa5a5a5a5,
		      "causal softmax (2.1) encoding");
		TAP_OK(accel_encode_softmax(buf, 11, &c) == -ENOSPC, "causal softmax without room");
		c.size = offsetof(struct accel_rowwise, period);
		TAP_OK(accel_encode_softmax(buf, 16, &c) == -EINVAL,
		      "a 2.0-sized rowwise cannot ask for the causal form (period reads 0)");
	}
}

/*
 * The 2.1 encoders of the training commands: each valid struct gives the
 * exact dwords of <accel/tessera_cmd.h>, and each argument the card would
 * reject is -EINVAL with the buffer untouched.
 */
#define TRAIN_BAD(fn, type, good, name, ...) do {				\
		type x = good;							\
		__VA_ARGS__;							\
		memset(buf, 0xa5, sizeof(buf));					\
		TAP_OK(fn(buf, 32, &x) == -EINVAL && buf[0] == 0xa5a5a5a5, name); \
	} while (0)

static void test_encode_train(void)
{
	uint32_t buf[32];

	{
		const struct accel_bgemm good = {
			.size = sizeof(good), .dtype = ACCEL_DTYPE_BF16, .flags = ACCEL_GEMM_TRANS_B,
			.m = 128, .n = 128, .k = 64, .a = 0x100000000ull, .lda = 768,
			.b = 0x100000080ull, .ldb = 768, .c = 0x300000000ull, .ldc = 128,
			.alpha = 0.125f, .beta = 0.0f, .batch = { 16, 4 },
			.stride_a = { 98304, 64 }, .stride_b = { 98304, 64 },
			.stride_c = { 65536, 16384 },
		};
		struct accel_bgemm g = good;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_bgemm(buf, 32, &g) == 24 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_BGEMM, TESSERA_GEMM_TRANS_B, 24) &&
		      buf[1] == TESSERA_DTYPE_BF16 && buf[2] == 128 && buf[3] == 128 &&
		      buf[4] == 64 && buf[5] == 0 && buf[6] == 1 && buf[7] == 768 &&
		      buf[8] == 0x80 && buf[9] == 1 && buf[10] == 768 && buf[11] == 0 &&
		      buf[12] == 3 && buf[13] == 128 && buf[14] == fbits(0.125f) && buf[15] == 0 &&
		      buf[16] == 16 && buf[17] == 4 && buf[18] == 98304 && buf[19] == 64 &&
		      buf[20] == 98304 && buf[21] == 64 && buf[22] == 65536 && buf[23] == 16384 &&
		      buf[24] == 0xa5a5a5a5, "bgemm encoding");
		TAP_OK(accel_encode_bgemm(buf, 23, &g) == -ENOSPC, "bgemm without room");
		g.stride_a[0] = g.stride_a[1] = 0;
		TAP_OK(accel_encode_bgemm(buf, 32, &g) == 24, "bgemm with A broadcast");
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm of fp16",
			  x.dtype = ACCEL_DTYPE_FP16);
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm with bias",
			  x.flags |= ACCEL_GEMM_BIAS);
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm of no batch",
			  x.batch[1] = 0);
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm batch over 65536",
			  x.batch[0] = 65537);
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm with C stride 0",
			  x.stride_c[0] = 0);
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm with C over 256 MiB",
			  x.stride_c[0] = 1u << 24);
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm with ldb < k",
			  x.ldb = 63);
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm with a NaN beta",
			  x.beta = __builtin_nanf(""));
		TRAIN_BAD(accel_encode_bgemm, struct accel_bgemm, good, "bgemm with a short size",
			  x.size = offsetof(struct accel_bgemm, stride_c));
	}
	{
		const struct accel_softmax_bwd good = {
			.size = sizeof(good), .dtype = ACCEL_DTYPE_FP32, .rows = 2048, .cols = 128,
			.y = 0x1000, .y_ld = 128, .dy = 0x200000, .dy_ld = 130, .dx = 0x200000,
			.dx_ld = 130,
		};
		struct accel_softmax_bwd p = good;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_softmax_bwd(buf, 32, &p) == 13 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_SOFTMAX_BWD, 0, 13) &&
		      buf[1] == 0 && buf[2] == 2048 && buf[3] == 128 && buf[4] == 0x1000 &&
		      buf[6] == 128 && buf[7] == 0x200000 && buf[9] == 130 && buf[10] == 0x200000 &&
		      buf[12] == 130 && buf[13] == 0xa5a5a5a5, "softmax_bwd encoding (in place)");
		TRAIN_BAD(accel_encode_softmax_bwd, struct accel_softmax_bwd, good,
			  "softmax_bwd of fp16", x.dtype = ACCEL_DTYPE_FP16);
		TRAIN_BAD(accel_encode_softmax_bwd, struct accel_softmax_bwd, good,
			  "softmax_bwd without dy", x.dy = 0);
		TRAIN_BAD(accel_encode_softmax_bwd, struct accel_softmax_bwd, good,
			  "softmax_bwd with y_ld < cols", x.y_ld = 100);
	}
	{
		const struct accel_embedding good = {
			.size = sizeof(good), .dtype = ACCEL_DTYPE_FP32,
			.flags = ACCEL_EMB_SCATTER_ADD, .count = 2048, .cols = 256, .idx = 0x4000,
			.table = 0x100000000ull, .table_rows = 256, .table_ld = 256,
			.x = 0x200000000ull, .x_ld = 256,
		};
		struct accel_embedding e = good;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_embedding(buf, 32, &e) == 13 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_EMBEDDING,
						   TESSERA_EMB_SCATTER_ADD, 13) &&
		      buf[1] == 0 && buf[2] == 2048 && buf[3] == 256 && buf[4] == 0x4000 &&
		      buf[5] == 0 && buf[6] == 0 && buf[7] == 1 && buf[8] == 256 && buf[9] == 256 &&
		      buf[10] == 0 && buf[11] == 2 && buf[12] == 256 && buf[13] == 0xa5a5a5a5,
		      "embedding encoding");
		e.flags = 0;
		e.dtype = ACCEL_DTYPE_FP16;
		TAP_OK(accel_encode_embedding(buf, 32, &e) == 13, "fp16 gather");
		TRAIN_BAD(accel_encode_embedding, struct accel_embedding, good,
			  "fp16 scatter-add", x.dtype = ACCEL_DTYPE_FP16);
		TRAIN_BAD(accel_encode_embedding, struct accel_embedding, good,
			  "embedding with misaligned indices", x.idx = 0x4002);
		TRAIN_BAD(accel_encode_embedding, struct accel_embedding, good,
			  "embedding of an empty table", x.table_rows = 0);
		TRAIN_BAD(accel_encode_embedding, struct accel_embedding, good,
			  "embedding with an unknown flag", x.flags = 2);
	}
	{
		const struct accel_rmsnorm fwd = {
			.size = sizeof(fwd), .dtype = ACCEL_DTYPE_FP32,
			.flags = ACCEL_RMS_GAMMA | ACCEL_RMS_RSTD, .rows = 2048, .cols = 256,
			.x = 0x1000, .x_ld = 256, .y = 0x300000, .y_ld = 256, .gamma = 0x800000,
			.rstd = 0x900000, .epsilon = 1e-5f,
		};
		const struct accel_rmsnorm bwd = {
			.size = sizeof(bwd), .dtype = ACCEL_DTYPE_BF16,
			.flags = ACCEL_RMS_GAMMA | ACCEL_RMS_ACCUM | ACCEL_RMS_DGAMMA, .rows = 16,
			.cols = 64, .x = 0x1000, .x_ld = 64, .dy = 0x2000, .dy_ld = 64,
			.dx = 0x3000, .dx_ld = 64, .gamma = 0x4000, .dgamma = 0x5000,
			.epsilon = 1e-6f,
		};
		struct accel_rmsnorm r = fwd;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_rmsnorm(buf, 32, &r) == 15 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_RMSNORM, 3, 15) &&
		      buf[1] == 0 && buf[2] == 2048 && buf[3] == 256 && buf[4] == 0x1000 &&
		      buf[6] == 256 && buf[7] == 0x300000 && buf[9] == 256 && buf[10] == 0x800000 &&
		      buf[12] == 0x900000 && buf[14] == fbits(1e-5f) && buf[15] == 0xa5a5a5a5,
		      "rmsnorm encoding");
		r = bwd;
		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_rmsnorm_bwd(buf, 32, &r) == 20 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_RMSNORM_BWD, 0xd, 20) &&
		      buf[1] == TESSERA_DTYPE_BF16 && buf[2] == 16 && buf[3] == 64 &&
		      buf[4] == 0x1000 && buf[6] == 64 && buf[7] == 0x2000 && buf[9] == 64 &&
		      buf[10] == 0x3000 && buf[12] == 64 && buf[13] == 0x4000 && buf[15] == 0x5000 &&
		      buf[17] == 0 && buf[18] == 0 && buf[19] == fbits(1e-6f) &&
		      buf[20] == 0xa5a5a5a5, "rmsnorm_bwd encoding");
		TAP_OK(accel_encode_rmsnorm(buf, 32, &r) == -EINVAL &&
		      accel_encode_rmsnorm_bwd(buf, 32, &fwd) == -EINVAL,
		      "rmsnorm and rmsnorm_bwd refuse each other's operands");
		TRAIN_BAD(accel_encode_rmsnorm, struct accel_rmsnorm, fwd, "rmsnorm with ACCUM",
			  x.flags |= ACCEL_RMS_ACCUM);
		TRAIN_BAD(accel_encode_rmsnorm, struct accel_rmsnorm, fwd,
			  "rmsnorm with GAMMA but no gamma", x.gamma = 0);
		TRAIN_BAD(accel_encode_rmsnorm, struct accel_rmsnorm, fwd,
			  "rmsnorm with a misaligned rstd", x.rstd = 0x900002);
		TRAIN_BAD(accel_encode_rmsnorm, struct accel_rmsnorm, fwd,
			  "rmsnorm with a negative epsilon", x.epsilon = -1e-5f);
		TRAIN_BAD(accel_encode_rmsnorm_bwd, struct accel_rmsnorm, bwd,
			  "rmsnorm_bwd with dgamma but no DGAMMA", x.flags &= ~ACCEL_RMS_DGAMMA);
		TRAIN_BAD(accel_encode_rmsnorm_bwd, struct accel_rmsnorm, bwd,
			  "rmsnorm_bwd of fp16", x.dtype = ACCEL_DTYPE_FP16);
	}
	{
		const struct accel_rope good = {
			.size = sizeof(good), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_ROPE_BWD,
			.rows = 2048, .heads = 8, .head_dim = 64, .n_rot = 64, .x = 0x1000,
			.x_ld = 768, .y = 0x1000, .y_ld = 768, .pos0 = 5, .period = 128,
			.theta = 10000.0f,
		};
		struct accel_rope r = good;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_rope(buf, 32, &r) == 15 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_ROPE, TESSERA_ROPE_BWD, 15) &&
		      buf[1] == 0 && buf[2] == 2048 && buf[3] == 8 && buf[4] == 64 &&
		      buf[5] == 0x1000 && buf[7] == 768 && buf[8] == 0x1000 && buf[10] == 768 &&
		      buf[11] == 5 && buf[12] == 128 && buf[13] == fbits(10000.0f) &&
		      buf[14] == 64 && buf[15] == 0xa5a5a5a5, "rope encoding (in place)");
		TRAIN_BAD(accel_encode_rope, struct accel_rope, good, "rope with odd head_dim",
			  x.head_dim = 63);
		TRAIN_BAD(accel_encode_rope, struct accel_rope, good, "rope with n_rot > head_dim",
			  x.n_rot = 66);
		TRAIN_BAD(accel_encode_rope, struct accel_rope, good, "rope with heads x head_dim 2^32",
			  x.heads = 65536; x.head_dim = 65536);
		TRAIN_BAD(accel_encode_rope, struct accel_rope, good, "rope with period 0",
			  x.period = 0);
		TRAIN_BAD(accel_encode_rope, struct accel_rope, good, "rope with theta 0",
			  x.theta = 0.0f);
		TRAIN_BAD(accel_encode_rope, struct accel_rope, good, "rope with x_ld < cols",
			  x.x_ld = 511);
	}
	{
		const struct accel_elementwise2 good = {
			.size = sizeof(good), .op = ACCEL_EW_SWIGLU_BWD,
			.src_dtype = ACCEL_DTYPE_FP32, .dst_dtype = ACCEL_DTYPE_FP32,
			.rows = 2048, .cols = 688, .a = 0x100000000ull, .a_ld = 1376,
			.b = 0x100000ac0ull, .b_ld = 1376, .c = 0x200000000ull, .c_ld = 688,
			.d = 0x100000000ull, .d_ld = 1376, .e = 0x100000ac0ull, .e_ld = 1376,
		};
		struct accel_elementwise2 e = good;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_elementwise2(buf, 32, &e) == 20 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_ELEMENTWISE,
						   TESSERA_EW_SWIGLU_BWD, 20) &&
		      buf[1] == 0 && buf[2] == 2048 && buf[3] == 688 && buf[4] == 0 &&
		      buf[5] == 1 && buf[6] == 1376 && buf[7] == 0xac0 && buf[8] == 1 &&
		      buf[9] == 1376 && buf[10] == 0 && buf[11] == 2 && buf[12] == 688 &&
		      buf[13] == 0 && buf[14] == 1 && buf[15] == 1376 && buf[16] == 0xac0 &&
		      buf[17] == 1 && buf[18] == 1376 && buf[19] == 0 && buf[20] == 0xa5a5a5a5,
		      "elementwise2 SWIGLU_BWD encoding (in place on the gate/up halves)");
		e = (struct accel_elementwise2){
			.size = sizeof(e), .op = ACCEL_EW_CAST, .src_dtype = ACCEL_DTYPE_FP32,
			.dst_dtype = ACCEL_DTYPE_BF16, .rows = 300, .cols = 300, .a = 0x1000,
			.a_ld = 512, .d = 0x100000, .d_ld = 300,
		};
		TAP_OK(accel_encode_elementwise2(buf, 32, &e) == 20 &&
		      buf[1] == (TESSERA_DTYPE_FP32 | TESSERA_DTYPE_BF16 << 8),
		      "elementwise2 CAST of a strided matrix");
		TRAIN_BAD(accel_encode_elementwise2, struct accel_elementwise2, good,
			  "elementwise2 SWIGLU_BWD without E", x.e = 0; x.e_ld = 0);
		TRAIN_BAD(accel_encode_elementwise2, struct accel_elementwise2, good,
			  "elementwise2 SILU with C", x.op = ACCEL_EW_SILU; x.b = 0; x.b_ld = 0;
			  x.e = 0; x.e_ld = 0);
		TRAIN_BAD(accel_encode_elementwise2, struct accel_elementwise2, good,
			  "elementwise2 with an unused ld", x.op = ACCEL_EW_SWIGLU; x.c = 0;
			  x.e = 0; x.e_ld = 0);
		TRAIN_BAD(accel_encode_elementwise2, struct accel_elementwise2, good,
			  "elementwise2 of int8", x.src_dtype = x.dst_dtype = ACCEL_DTYPE_INT8);
		TRAIN_BAD(accel_encode_elementwise2, struct accel_elementwise2, good,
			  "elementwise2 with an unknown op", x.op = 13);
		TRAIN_BAD(accel_encode_elementwise2, struct accel_elementwise2, good,
			  "elementwise2 with a scalar", x.scalar = 1.0f);
	}
	{
		const struct accel_cross_entropy good = {
			.size = sizeof(good), .dtype = ACCEL_DTYPE_FP32,
			.flags = ACCEL_CE_LOSS | ACCEL_CE_DLOGITS, .rows = 2048, .classes = 256,
			.logits = 0x100000000ull, .logits_ld = 256, .targets = 0x8000,
			.loss = 0xc000, .dlogits = 0x100000000ull, .dlogits_ld = 256,
			.scale = 1.0f / 2048, .ignore_index = -1,
		};
		struct accel_cross_entropy c = good;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_cross_entropy(buf, 32, &c) == 16 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_CROSS_ENTROPY, 3, 16) &&
		      buf[1] == 0 && buf[2] == 2048 && buf[3] == 256 && buf[4] == 0 &&
		      buf[5] == 1 && buf[6] == 256 && buf[7] == 0x8000 && buf[9] == 0xc000 &&
		      buf[11] == 0 && buf[12] == 1 && buf[13] == 256 &&
		      buf[14] == fbits(1.0f / 2048) && buf[15] == 0xffffffff &&
		      buf[16] == 0xa5a5a5a5, "cross_entropy encoding");
		TRAIN_BAD(accel_encode_cross_entropy, struct accel_cross_entropy, good,
			  "cross_entropy with no output", x.flags = 0);
		TRAIN_BAD(accel_encode_cross_entropy, struct accel_cross_entropy, good,
			  "cross_entropy with a scale but no dlogits", x.flags = ACCEL_CE_LOSS;
			  x.dlogits = 0; x.dlogits_ld = 0);
		TRAIN_BAD(accel_encode_cross_entropy, struct accel_cross_entropy, good,
			  "cross_entropy with misaligned targets", x.targets = 0x8001);
		TRAIN_BAD(accel_encode_cross_entropy, struct accel_cross_entropy, good,
			  "cross_entropy with an infinite scale", x.scale = __builtin_inff());
	}
	{
		const struct accel_reduce good = {
			.size = sizeof(good), .dtype = ACCEL_DTYPE_BF16, .axis = ACCEL_RED_ALL,
			.flags = ACCEL_RED_ACCUM | ACCEL_RED_SQUARE, .rows = 256, .cols = 768,
			.x = 0x1000, .x_ld = 768, .dst = 0x200000, .scale = 1.0f,
		};
		struct accel_reduce r = good;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_reduce(buf, 32, &r) == 10 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_REDUCE,
						   TESSERA_RED_ALL | TESSERA_RED_ACCUM |
						   TESSERA_RED_SQUARE, 10) &&
		      buf[1] == TESSERA_DTYPE_BF16 && buf[2] == 256 && buf[3] == 768 &&
		      buf[4] == 0x1000 && buf[6] == 768 && buf[7] == 0x200000 &&
		      buf[9] == fbits(1.0f) && buf[10] == 0xa5a5a5a5, "reduce encoding");
		TRAIN_BAD(accel_encode_reduce, struct accel_reduce, good, "reduce axis 3",
			  x.axis = 3);
		TRAIN_BAD(accel_encode_reduce, struct accel_reduce, good, "reduce with axis bits in flags",
			  x.flags = ACCEL_RED_COLS);
		TRAIN_BAD(accel_encode_reduce, struct accel_reduce, good, "reduce of int32",
			  x.dtype = ACCEL_DTYPE_INT32);
		TRAIN_BAD(accel_encode_reduce, struct accel_reduce, good, "reduce without dst",
			  x.dst = 0);
	}
	{
		const struct accel_adamw good = {
			.size = sizeof(good), .flags = ACCEL_ADAMW_CLIP | ACCEL_ADAMW_ZERO_GRAD,
			.count = 3500000, .step = 7, .param = 0x100000000ull, .grad = 0x200000000ull,
			.m = 0x300000000ull, .v = 0x400000000ull, .lr = 3e-4f, .beta1 = 0.9f,
			.beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.1f, .grad_scale = 1.0f,
			.sumsq = 0x500000000ull, .max_norm = 1.0f,
		};
		struct accel_adamw a = good;

		memset(buf, 0xa5, sizeof(buf));
		TAP_OK(accel_encode_adamw(buf, 32, &a) == 20 &&
		      buf[0] == TESSERA_CMD_HEADER(TESSERA_CMD_OP_ADAMW, 3, 20) &&
		      buf[1] == 3500000 && buf[2] == 0 && buf[3] == 1 && buf[5] == 2 &&
		      buf[7] == 3 && buf[9] == 4 && buf[10] == fbits(3e-4f) &&
		      buf[11] == fbits(0.9f) && buf[12] == fbits(0.95f) && buf[13] == fbits(1e-8f) &&
		      buf[14] == fbits(0.1f) && buf[15] == 7 && buf[16] == fbits(1.0f) &&
		      buf[17] == 0 && buf[18] == 5 && buf[19] == fbits(1.0f) &&
		      buf[20] == 0xa5a5a5a5, "adamw encoding");
		TRAIN_BAD(accel_encode_adamw, struct accel_adamw, good, "adamw of 0 elements",
			  x.count = 0);
		TRAIN_BAD(accel_encode_adamw, struct accel_adamw, good, "adamw over 256 MiB",
			  x.count = (1u << 26) + 1);
		TRAIN_BAD(accel_encode_adamw, struct accel_adamw, good, "adamw at step 0",
			  x.step = 0);
		TRAIN_BAD(accel_encode_adamw, struct accel_adamw, good, "adamw with beta2 1",
			  x.beta2 = 1.0f);
		TRAIN_BAD(accel_encode_adamw, struct accel_adamw, good, "adamw with eps 0",
			  x.eps = 0.0f);
		TRAIN_BAD(accel_encode_adamw, struct accel_adamw, good, "adamw with sumsq, no CLIP",
			  x.flags = 0);
		TRAIN_BAD(accel_encode_adamw, struct accel_adamw, good, "adamw with m wrapping",
			  x.m = UINT64_MAX - 1023);
	}
}
#undef TRAIN_BAD

static void test_no_device_args(void)
{
	struct accel_queue *q = (struct accel_queue *)0x1;
	struct accel_bo *bo = (struct accel_bo *)0x1;
	struct accel_vm_status st = { .size = sizeof(st) };
	struct accel_device_info info = { .size = sizeof(info) };
	struct accel_vm *vm = (struct accel_vm *)0x1;
	uint64_t va = 5;
	uint64_t point;
	int fd = 7;

	TAP_OK(accel_queue_create(NULL, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL, &q) == -EINVAL &&
	      q == (struct accel_queue *)0x1, "queue without a device is EINVAL");
	TAP_OK(accel_queue_submit(NULL, NULL, NULL, 0, NULL, 0, NULL, 0) == -EINVAL,
	      "submit without a queue is EINVAL");
	TAP_OK(accel_bo_alloc_flags(NULL, 4096, ACCEL_BO_WC, &bo) == -EINVAL,
	      "placed alloc without a device is EINVAL");
	TAP_OK(accel_bo_export(NULL, &fd) == -EINVAL && fd == 7, "export of NULL is EINVAL");
	TAP_OK(accel_bo_import(NULL, 0, &bo) == -EINVAL, "import without a device is EINVAL");
	TAP_OK(accel_fence_wait_point(NULL, 1, 0) == -EINVAL &&
	      accel_fence_query(NULL, &point) == -EINVAL &&
	      accel_fence_signal_point(NULL, 1) == -EINVAL &&
	      accel_fence_export_sync_file(NULL, 0, &fd) == -EINVAL &&
	      accel_fence_import_sync_file(NULL, 0, 0) == -EINVAL, "fence calls on NULL are EINVAL");
	TAP_OK(accel_fence_wait_many(NULL, NULL, 1, 0, 0, NULL) == -EINVAL,
	      "wait_many without fences is EINVAL");
	TAP_OK(accel_vm_status(NULL, &st) == -EINVAL, "VM status without a VM is EINVAL");
	TAP_OK(accel_vm_create(NULL, &vm) == -EINVAL && vm == (struct accel_vm *)0x1,
	      "VM without a device is EINVAL and leaves the output alone");
	TAP_OK(accel_device_default_vm(NULL) == NULL, "no default VM without a device");
	TAP_OK(accel_vm_bind(NULL, NULL, 0, 0x200000, 4096, ACCEL_BIND_READ) == -EINVAL &&
	      accel_vm_unbind(NULL, 0x200000, 4096) == -EINVAL, "bind and unbind without a VM");
	TAP_OK(accel_vm_va_alloc(NULL, 4096, 0, &va) == -EINVAL && va == 5 &&
	      accel_vm_va_free(NULL, 0x200000, 4096) == -EINVAL, "VA allocator without a VM");
	TAP_OK(accel_vm_queue_create(NULL, ACCEL_ENGINE_COMPUTE, ACCEL_ENGINE_ANY,
				    ACCEL_PRIORITY_NORMAL, &q) == -EINVAL, "queue without a VM");
	TAP_OK(accel_device_query(NULL, &info) == -EINVAL, "query without a device");
	TAP_OK(accel_cmdbuf_reset(NULL) == -EINVAL && accel_cmdbuf_wait_idle(NULL, 0) == -EINVAL,
	      "cmdbuf reset and idle wait on NULL are EINVAL");
	TAP_OK(accel_cmdbuf_patch_adamw(NULL, 0, 1, 1e-3f) == -EINVAL, "patch of NULL is EINVAL");
	TAP_OK(accel_bo_map(NULL, NULL) == -EINVAL && accel_bo_is_mapped(NULL) == 0,
	      "map of NULL is EINVAL, NULL is not mapped");
	accel_bo_unmap(NULL);
	accel_vm_destroy(NULL);
	TAP_OK(accel_cmdbuf_gemm(NULL, NULL) == -EINVAL && accel_cmdbuf_timestamp(NULL, 0) == -EINVAL,
	      "cmdbuf builders on NULL are EINVAL");
}

/* The size field: least 2.0 size, longer structs of a newer caller, reads of min(size, own). */
static void test_struct_sizes(void)
{
	struct {
		struct accel_gemm g;
		uint32_t newer[4];
	} big;
	struct accel_gemm g = good_gemm(), *heap;
	uint32_t ref[20], buf[20];

	TAP_OK(accel_encode_gemm(ref, 20, &g) == 18, "gemm with size = sizeof");
	g.size = offsetof(struct accel_gemm, beta);
	TAP_OK(accel_encode_gemm(buf, 20, &g) == -EINVAL, "gemm with a size below 2.0's is EINVAL");
	g.size = 0;
	TAP_OK(accel_encode_gemm(buf, 20, &g) == -EINVAL, "gemm with size 0 is EINVAL");
	memset(&big, 0x5a, sizeof(big));
	big.g = good_gemm();
	big.g.size = sizeof(big);
	memset(buf, 0xa5, sizeof(buf));
	TAP_OK(accel_encode_gemm(buf, 20, &big.g) == 18 && memcmp(buf, ref, 18 * 4) == 0,
	      "a newer caller's longer gemm encodes the fields this library knows");
	/*
	 * A gemm at the very end of an allocation, size = sizeof: under ASan
	 * any read past min(size, own) would be caught.
	 */
	heap = malloc(sizeof(*heap));
	if (heap) {
		*heap = good_gemm();
		TAP_OK(accel_encode_gemm(buf, 20, heap) == 18, "gemm read within its size");
		free(heap);
	}
	{
		struct accel_elementwise e = { .size = 8, .op = ACCEL_EW_EXP, .count = 4,
					       .a = 0x1000, .d = 0x2000 };
		struct accel_rowwise r = { .size = 4, .dtype = ACCEL_DTYPE_FP32, .rows = 1,
					   .cols = 4, .src = 0x1000, .src_ld = 4, .dst = 0x2000,
					   .dst_ld = 4 };

		TAP_OK(accel_encode_elementwise(buf, 20, &e) == -EINVAL,
		      "elementwise with a short size is EINVAL");
		TAP_OK(accel_encode_softmax(buf, 20, &r) == -EINVAL &&
		      accel_encode_layernorm(buf, 20, &r) == -EINVAL,
		      "rowwise with a short size is EINVAL");
		e.size = sizeof(e);
		r.size = sizeof(r);
		TAP_OK(accel_encode_elementwise(buf, 20, &e) == 10 &&
		      accel_encode_softmax(buf, 20, &r) == 10, "the same with their full size");
	}
	TAP_OK(offsetof(struct accel_gemm, size) == 0 &&
	      offsetof(struct accel_elementwise, size) == 0 &&
	      offsetof(struct accel_rowwise, size) == 0 &&
	      offsetof(struct accel_device_info, size) == 0 &&
	      offsetof(struct accel_submit_args, size) == 0 &&
	      offsetof(struct accel_vm_status, size) == 0,
	      "every caller-allocated struct starts with its size");
}

static void test_strerror(void)
{
	TAP_OK(strcmp(accel_strerror(0), "success") == 0, "strerror(0)");
	TAP_OK(strstr(accel_strerror(-ETIME), "timed out") != NULL, "strerror(-ETIME)");
	TAP_OK(strcmp(accel_strerror(-ENODEV), accel_strerror(ENODEV)) == 0,
	      "strerror takes either sign");
	TAP_OK(accel_strerror(-123456) != NULL, "strerror of an unknown code is not NULL");
	TAP_OK(strstr(accel_strerror(-EPROTO), "uAPI") != NULL,
	      "strerror(-EPROTO) names the uAPI mismatch accel_device_open reports");
}

static void test_open_without_device(void)
{
	struct accel_device *dev = (struct accel_device *)0x1;
	char longpath[200];

	TAP_OK(accel_device_count() >= 0, "device count works without cards");
	TAP_OK(accel_device_open(4096, &dev) == -ENODEV && dev == (struct accel_device *)0x1,
	      "open of a missing index is ENODEV and leaves the output alone");
	TAP_OK(accel_device_open_path("/dev/null", &dev) == -ENODEV,
	      "open of a non-DRM node is ENODEV");
	TAP_OK(accel_device_open_path("/nonexistent/accel0", &dev) == -ENOENT,
	      "open of a missing path is ENOENT");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	TAP_OK(accel_device_open_path(longpath, &dev) == -EINVAL, "overlong path is EINVAL");
	TAP_OK(accel_device_open_path(NULL, &dev) == -EINVAL, "NULL path is EINVAL");
}

static void test_abi(void)
{
	void *lib = dlopen("libaccel.so.2", RTLD_NOW | RTLD_LOCAL);

	TAP_OK(lib != NULL, "libaccel.so.2 loads by its SONAME");
	if (!lib)
		return;
	TAP_OK(dlsym(lib, "accel_submit") != NULL, "accel_submit is exported");
	TAP_OK(dlvsym(lib, "accel_submit", "LIBACCEL_2.0") != NULL &&
	      dlvsym(lib, "accel_vm_bind", "LIBACCEL_2.0") != NULL &&
	      dlvsym(lib, "accel_vm_va_alloc", "LIBACCEL_2.0") != NULL &&
	      dlvsym(lib, "accel_encode_gemm", "LIBACCEL_2.0") != NULL,
	      "symbols carry the LIBACCEL_2.0 version");
	TAP_OK(dlvsym(lib, "accel_encode_bgemm", "LIBACCEL_2.1") != NULL &&
	      dlvsym(lib, "accel_cmdbuf_adamw", "LIBACCEL_2.1") != NULL &&
	      dlvsym(lib, "accel_encode_elementwise2", "LIBACCEL_2.1") != NULL &&
	      dlvsym(lib, "accel_encode_bgemm", "LIBACCEL_2.0") == NULL,
	      "the training encoders carry LIBACCEL_2.1");
	TAP_OK(dlvsym(lib, "accel_cmdbuf_patch_adamw", "LIBACCEL_2.2") != NULL &&
	      dlvsym(lib, "accel_cmdbuf_patch_adamw", "LIBACCEL_2.1") == NULL,
	      "accel_cmdbuf_patch_adamw carries LIBACCEL_2.2");
	TAP_OK(dlvsym(lib, "accel_submit", "LIBACCEL_1.0") == NULL &&
	      dlvsym(lib, "accel_queue_submit", "LIBACCEL_1.1") == NULL &&
	      dlsym(lib, "accel_context_status") == NULL,
	      "no symbol of libaccel 1 is left (a new SONAME, a new version node)");
	TAP_OK(dlsym(lib, "accel_list_minors") == NULL && dlsym(lib, "accel_va_alloc") == NULL &&
	      dlsym(lib, "accel_vm_map_lib") == NULL && dlsym(lib, "accel_struct_in") == NULL,
	      "internal functions are hidden");
	dlclose(lib);
}

int main(void)
{
	printf("TAP version 13\n");
	test_encode_nop();
	test_encode_fill_copy();
	test_encode_timestamp_semaphore();
	test_encode_gemm();
	test_encode_elementwise();
	test_encode_rowwise();
	test_encode_train();
	test_no_device_args();
	test_struct_sizes();
	test_strerror();
	test_open_without_device();
	test_abi();
	return tap_lines_end("libaccel");
}
