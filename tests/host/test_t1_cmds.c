// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Host tests of the T1 command set, MMU, context errors, fault injection
 * and telemetry, each command checked against a plain C reference.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/mman.h>

#include <linux/pci_regs.h>

#include "t1.h"
#include "t1_dnnl.h"
#include "t1_math.h"
#include "t1_fx.h"
#include "t1_priv.h"
#include "tap.h"
#include "accel/tessera_cmd.h"
#include "tessera_regs.h"
#include "vfu.h"

#define MEM_SIZE	(64u << 20)
#define BYP(off)	(TESSERA_BYPASS_HBM_BASE + (off))

static bool fx_init_hbm(struct fx *fx, bool fi, uint64_t hbm_size)
{
	const struct fx_opts o = {
		.name = "t1-cmds", .mem_size = MEM_SIZE, .hbm_size = hbm_size,
		.fault_injection = fi, .wait_s = 10,
	};

	return fx_open(fx, &o);
}

static bool fx_init(struct fx *fx, bool fi)
{
	return fx_init_hbm(fx, fi, HBM_SIZE);
}

/* Queue @ndw dwords at @va (the caller copied them there). */
static void queue(struct fx *fx, unsigned int n, uint32_t asid, uint64_t va,
		  const uint32_t *dw, unsigned int ndw, uint32_t flags)
{
	(void)dw;
	fx_desc(fx, n, asid, va, ndw, flags);
}

static void kick(struct fx *fx, unsigned int n)
{
	rwr(fx, n, TESSERA_RING_TAIL, fx->tail[n]);
	rwr(fx, n, TESSERA_RING_DOORBELL, 1);
}

/* Run commands in context 0 on ring @n and wait; returns the fault code. */
static uint32_t run(struct fx *fx, unsigned int n, const uint32_t *dw,
		    unsigned int ndw)
{
	uint64_t before = done_count(fx, n);

	memcpy(fx->mem + CMD_OFF(n), dw, ndw * 4);
	queue(fx, n, 0, HOST(CMD_OFF(n)), dw, ndw, TESSERA_DESC_FLAG_FENCE);
	kick(fx, n);
	if (!wait_count(fx, n, before + 1))
		return 0xdead;
	return fault_code(fx, n);
}

#define HDR(op, fl, len)	TESSERA_CMD_HEADER(op, fl, len)
#define LO(x)			((uint32_t)(uint64_t)(x))
#define HI(x)			((uint32_t)((uint64_t)(x) >> 32))

static uint32_t fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static float frand(unsigned int *seed)
{
	return (float)rand_r(seed) / RAND_MAX * 2.0f - 1.0f;
}

/* ------------------------------------------------------------------ */

static void test_copy_fill_timestamp(struct tap *t)
{
	struct fx fx;
	uint64_t ts[2];

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	for (unsigned int i = 0; i < 100000; i++)
		fx.mem[DATA_OFF + i] = (uint8_t)(i * 7);
	{
		uint32_t cmds[] = {
			/* host -> HBM -> host, odd sizes and offsets */
			HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(HOST(DATA_OFF)),
			HI(HOST(DATA_OFF)), LO(BYP(3)), HI(BYP(3)), 99999,
			HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(BYP(3)), HI(BYP(3)),
			LO(HOST(DATA_OFF + 0x100001)), HI(HOST(DATA_OFF + 0x100001)), 99999,
			HDR(TESSERA_CMD_OP_FILL, 0, 5), LO(BYP(0x200000)),
			HI(BYP(0x200000)), 4096, 0xa5a5a5a5,
			HDR(TESSERA_CMD_OP_TIMESTAMP, 0, 4), 0, LO(HOST(DATA_OFF + 0x300000)),
			HI(HOST(DATA_OFF + 0x300000)),
			HDR(TESSERA_CMD_OP_TIMESTAMP, 0, 4), 0, LO(HOST(DATA_OFF + 0x300008)),
			HI(HOST(DATA_OFF + 0x300008)),
		};

		CHECK_EQ(t, run(&fx, 2, cmds, ARRAY_SIZE(cmds)), 0);
	}
	CHECK(t, !memcmp(fx.hbm + 3, fx.mem + DATA_OFF, 99999));
	CHECK(t, !memcmp(fx.mem + DATA_OFF + 0x100001, fx.mem + DATA_OFF, 99999));
	CHECK_EQ(t, fx.hbm[0x200000], 0xa5);
	CHECK_EQ(t, fx.hbm[0x200fff], 0xa5);
	CHECK_EQ(t, fx.hbm[0x201000], 0);
	memcpy(ts, fx.mem + DATA_OFF + 0x300000, 16);
	CHECK(t, ts[0] && ts[1] >= ts[0]);
	/* descriptor fence: TAG written to the fence address */
	CHECK_EQ(t, *(uint64_t *)(fx.mem + FENCE_OFF(2)), fx.tag);
	{
		/* malformed: overlap, misaligned fill, bad opcode, GEMM on DMA */
		uint32_t ov[] = { HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(BYP(0)),
				  HI(BYP(0)), LO(BYP(8)), HI(BYP(8)), 16 };
		uint32_t mis[] = { HDR(TESSERA_CMD_OP_FILL, 0, 5), LO(BYP(2)),
				   HI(BYP(2)), 8, 0 };
		uint32_t bad[] = { HDR(0x7e, 0, 1) };
		uint32_t oob[] = { HDR(TESSERA_CMD_OP_FILL, 0, 5), LO(BYP(HBM_SIZE - 4)),
				   HI(BYP(HBM_SIZE - 4)), 8, 0 };
		uint32_t gemm[TESSERA_CMD_GEMM_LEN] = {
			HDR(TESSERA_CMD_OP_GEMM, 0, TESSERA_CMD_GEMM_LEN) };

		CHECK_EQ(t, run(&fx, 2, ov, 6), TESSERA_ERR_INVALID_CMD);
		CHECK_EQ(t, run(&fx, 2, mis, 5), TESSERA_ERR_INVALID_CMD);
		CHECK_EQ(t, run(&fx, 2, bad, 1), TESSERA_ERR_INVALID_CMD);
		CHECK_EQ(t, run(&fx, 2, oob, 5), TESSERA_ERR_DMA_FAULT);
		CHECK_EQ(t, run(&fx, 2, gemm, TESSERA_CMD_GEMM_LEN),
			 TESSERA_ERR_INVALID_CMD);
	}
	/* the ring is still running */
	CHECK(t, !(rrd(&fx, 2, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_ERROR));
	fx_fini(&fx);
}

static void test_semaphore_cross_engine(struct tap *t)
{
	struct fx fx;
	uint32_t wait[] = { HDR(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT, 5),
			    LO(BYP(0x1000)), HI(BYP(0x1000)), 2, 0,
			    HDR(TESSERA_CMD_OP_FILL, 0, 5), LO(BYP(0x2000)),
			    HI(BYP(0x2000)), 4, 0x5a5a5a5a };
	uint32_t sig[] = { HDR(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_ADD, 5),
			   LO(BYP(0x1000)), HI(BYP(0x1000)), 1, 0 };
	uint64_t before;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	memcpy(fx.mem + CMD_OFF(1), wait, sizeof(wait));
	before = done_count(&fx, 1);
	queue(&fx, 1, 0, HOST(CMD_OFF(1)), wait, ARRAY_SIZE(wait), 0);
	kick(&fx, 1);
	usleep(20000);
	CHECK_EQ(t, done_count(&fx, 1), before);	/* still waiting */
	CHECK(t, !(rrd(&fx, 1, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_IDLE));
	CHECK_EQ(t, run(&fx, 0, sig, 5), 0);
	usleep(10000);
	CHECK_EQ(t, done_count(&fx, 1), before);	/* 1 < 2 */
	CHECK_EQ(t, run(&fx, 0, sig, 5), 0);
	CHECK(t, wait_count(&fx, 1, before + 1));
	CHECK_EQ(t, *(uint32_t *)(fx.hbm + 0x2000), 0x5a5a5a5a);
	CHECK(t, rrd(&fx, 1, TESSERA_RING_BUSY_CYCLES_LO) > 10000000);

	/*
	 * A WAIT for the CPU's write sleeps between polls: 200 ms of it cost
	 * the engine thread 56 ms of CPU time polling every 20 us; it must
	 * stay under 10 ms.  Then another engine's ADD ends the next WAIT.
	 */
	{
		struct timespec c0, c1;
		clockid_t cpu;
		double ms;

		*(uint32_t *)(fx.hbm + 0x1000) = 0;
		before = done_count(&fx, 1);
		queue(&fx, 1, 0, HOST(CMD_OFF(1)), wait, ARRAY_SIZE(wait), 0);
		kick(&fx, 1);
		CHECK_EQ(t, pthread_getcpuclockid(fx.t1->ring[1].thread, &cpu), 0);
		usleep(20000);
		clock_gettime(cpu, &c0);
		usleep(200000);
		clock_gettime(cpu, &c1);
		ms = (c1.tv_sec - c0.tv_sec) * 1e3 + (c1.tv_nsec - c0.tv_nsec) / 1e6;
		printf("# a 200 ms SEMAPHORE wait took %.2f ms of the engine's CPU time\n", ms);
		CHECK(t, ms < 10.0);
		CHECK_EQ(t, done_count(&fx, 1), before);
		*(uint32_t *)(fx.hbm + 0x1000) = 1;	/* the CPU's write */
		CHECK_EQ(t, run(&fx, 0, sig, 5), 0);	/* and an engine's ADD */
		CHECK(t, wait_count(&fx, 1, before + 1));
	}
	fx_fini(&fx);
}

/* ---------------------------------------------------------------------
 * Operands in scattered pages (not contiguous in host memory)
 */

#define RW		(TESSERA_PTE_READ | TESSERA_PTE_WRITE)
#define VA_CMD		0x400000000ull
#define VA_DATA		0x7f0000000000ull
#define SCAT_OFF	(32u << 20)	/* fx_scatter(): HBM of the view */
#define SCAT_LEN	(32u << 20)

static uint64_t ctx_create(struct fx *fx, uint32_t asid);

/* Where VA_DATA + @off lands: pages of @page bytes swapped in pairs. */
static uint64_t scat_at(uint64_t off, uint64_t page)
{
	return off ^ page;
}

/*
 * ASID 1: the commands at VA_CMD, and VA_DATA.. over @len bytes of HBM
 * from @base in pages of 4 KiB (or 2 MiB with @huge), each pair swapped:
 * no two neighbouring pages are contiguous in host memory.
 */
static void map_scattered(struct fx *fx, uint64_t base, uint64_t len,
			  bool huge)
{
	uint64_t root = ctx_create(fx, 1), page = huge ? 2u << 20 : 4096;

	map_page(fx, root, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_READ, false);
	for (uint64_t off = 0; off < len; off += page)
		map_page(fx, root, VA_DATA + off,
			 (base + scat_at(off, page)) | TESSERA_PTE_DEVMEM, RW,
			 huge);
}

/* A 64 MiB device whose second half is VA_DATA.. in scattered pages. */
static bool fx_scatter(struct fx *fx)
{
	if (!fx_init_hbm(fx, false, 64u << 20))
		return false;
	map_scattered(fx, SCAT_OFF, SCAT_LEN, false);
	fx->scatter = true;
	return true;
}

/* HBM [0, len) into the scattered view: then VA_DATA + x holds it. */
static void scatter_copy(struct fx *fx, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += 4096)
		memcpy(fx->hbm + SCAT_OFF + scat_at(off, 4096), fx->hbm + off,
		       4096);
}

/* The view's bytes at VA_DATA + [off, off + len). */
static void gather_copy(struct fx *fx, void *dst, uint64_t off, uint64_t len)
{
	for (uint64_t x = off; x < off + len;) {
		uint64_t n = 4096 - x % 4096;

		if (n > off + len - x)
			n = off + len - x;
		memcpy((uint8_t *)dst + (x - off),
		       fx->hbm + SCAT_OFF + scat_at(x, 4096), n);
		x += n;
	}
}

/* Run commands in ASID 1 on ring 0 and wait; returns the fault code. */
static uint32_t run_asid1(struct fx *fx, const uint32_t *dw, unsigned int ndw)
{
	uint64_t before = done_count(fx, 0);
	uint32_t code;

	memcpy(fx->mem + CMD_OFF(0), dw, ndw * 4);
	queue(fx, 0, 1, VA_CMD, dw, ndw, TESSERA_DESC_FLAG_FENCE);
	kick(fx, 0);
	if (!wait_count(fx, 0, before + 1))
		return 0xdead;
	code = rrd(fx, 0, TESSERA_RING_FAULT_STATUS) ?
	       rrd(fx, 0, TESSERA_RING_FAULT_CODE) : 0;
	rwr(fx, 0, TESSERA_RING_FAULT_ACK, 1);
	rwr(fx, 0, TESSERA_RING_CTX_RESUME, TESSERA_CTX_ALL);
	return code;
}

/* Point dwords @i, @i + 1 of @cmd (a BYP() address) at the view instead. */
static void to_view(uint32_t *cmd, unsigned int i)
{
	uint64_t va = (cmd[i] | (uint64_t)cmd[i + 1] << 32) -
		      TESSERA_BYPASS_HBM_BASE + VA_DATA;

	cmd[i] = LO(va);
	cmd[i + 1] = HI(va);
}

/* Plain reference GEMM on fp32 values. */
static void ref_gemm(const float *a, const float *b, float *c, int m, int n,
		     int k, bool ta, bool tb, int lda, int ldb, int ldc,
		     float alpha, float beta, const float *bias, int act)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double s = 0;

			for (int p = 0; p < k; p++)
				s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) *
				     (tb ? b[j * ldb + p] : b[p * ldb + j]);
			s = alpha * s + (beta != 0 ? beta * c[i * ldc + j] : 0);
			if (bias)
				s += bias[j];
			if (act == TESSERA_ACT_RELU && s < 0)
				s = 0;
			if (act == TESSERA_ACT_GELU)
				s = 0.5 * s * (1 + erf(s / sqrt(2)));
			c[i * ldc + j] = (float)s;
		}
}

/* 4 KiB-aligned HBM offset just past @off + @len. */
static uint64_t next_off(uint64_t off, uint64_t len)
{
	return (off + len + 4095) & ~4095ull;
}

/* An M x N x K GEMM in HBM against ref_gemm(). */
static void gemm_check(struct tap *t, struct fx *fx, uint32_t dt, bool ta,
		       bool tb, int m, int n, int k, float alpha, float beta,
		       bool bias, int act)
{
	const int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 5;
	unsigned int es = t1_dtype_size(dt), seed = 42 + dt * 7 + ta + 2 * tb;
	size_t asz = (size_t)(ta ? k : m) * lda, bsz = (size_t)(tb ? n : k) * ldb;
	float *a = calloc(asz, 4), *b = calloc(bsz, 4);
	float *c = calloc((size_t)m * ldc, 4), *bv = calloc(n, 4);
	void *sc = NULL;
	uint64_t A = 0, B = next_off(A, asz * es), C = next_off(B, bsz * es);
	uint64_t BI = next_off(C, (size_t)m * ldc * es);
	uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
		HDR(TESSERA_CMD_OP_GEMM, (ta ? TESSERA_GEMM_TRANS_A : 0) |
		    (tb ? TESSERA_GEMM_TRANS_B : 0) | (bias ? TESSERA_GEMM_BIAS : 0),
		    TESSERA_CMD_GEMM_LEN),
		dt | act << 8, m, n, k, LO(BYP(A)), HI(BYP(A)), lda,
		LO(BYP(B)), HI(BYP(B)), ldb, LO(BYP(C)), HI(BYP(C)), ldc,
		fbits(alpha), fbits(beta), bias ? LO(BYP(BI)) : 0,
		bias ? HI(BYP(BI)) : 0,
	};
	float tol = dt == TESSERA_DTYPE_FP32 ? 1e-4f :
		    dt == TESSERA_DTYPE_FP16 ? 4e-3f : 3e-2f;
	bool ok = true;

	/* Round the inputs to the type so both sides see the same values. */
	for (size_t i = 0; i < asz; i++) {
		t1_store(fx->hbm + A, dt, i, frand(&seed));
		a[i] = t1_load(fx->hbm + A, dt, i);
	}
	for (size_t i = 0; i < bsz; i++) {
		t1_store(fx->hbm + B, dt, i, frand(&seed));
		b[i] = t1_load(fx->hbm + B, dt, i);
	}
	for (int i = 0; i < m * ldc; i++) {
		t1_store(fx->hbm + C, dt, i, frand(&seed));
		c[i] = t1_load(fx->hbm + C, dt, i);
	}
	for (int i = 0; i < n; i++) {
		t1_store(fx->hbm + BI, dt, i, frand(&seed));
		bv[i] = t1_load(fx->hbm + BI, dt, i);
	}
	ref_gemm(a, b, c, m, n, k, ta, tb, lda, ldb, ldc, alpha, beta,
		 bias ? bv : NULL, act);
	if (fx->scatter) {
		uint32_t vcmd[TESSERA_CMD_GEMM_LEN];

		memcpy(vcmd, cmd, sizeof(cmd));
		to_view(vcmd, 5);
		to_view(vcmd, 8);
		to_view(vcmd, 11);
		if (bias)
			to_view(vcmd, 16);
		scatter_copy(fx, BI + (uint64_t)n * es);
		CHECK_EQ(t, run_asid1(fx, vcmd, TESSERA_CMD_GEMM_LEN), 0);
		sc = malloc((size_t)m * ldc * es);
		gather_copy(fx, sc, C, (size_t)m * ldc * es);
	}
	CHECK_EQ(t, run(fx, 0, cmd, TESSERA_CMD_GEMM_LEN), 0);
	for (int i = 0; i < m && ok; i++)
		for (int j = 0; j < n && ok; j++) {
			float got = t1_load(fx->hbm + C, dt, i * ldc + j);
			float want = c[i * ldc + j];
			float sgot = sc ? t1_load(sc, dt, i * ldc + j) : want;

			if (fabsf(got - want) > tol * (1 + fabsf(want)) ||
			    fabsf(sgot - want) > tol * (1 + fabsf(want))) {
				printf("# dt %u ta %d tb %d [%d,%d]: %g (scattered %g) != %g\n",
				       dt, ta, tb, i, j, got, sgot, want);
				ok = false;
			}
		}
	CHECK(t, ok);
	/*
	 * In scattered pages (in blocks): the padding between C's rows
	 * untouched, and the same bits where oneDNN's kernels do not sum K
	 * by the block's shape (AVX-512 and up, Documentation/hw/
	 * programming-guide.rst "Determinism"; its AVX2 sgemm does).
	 */
	for (int i = 0; sc && i < m; i++)
		CHECK(t, !memcmp((uint8_t *)sc + ((size_t)i * ldc + n) * es,
				 fx->hbm + C + ((size_t)i * ldc + n) * es,
				 (size_t)(ldc - n) * es));
	if (sc && t1_mm_bf16() &&
	    !CHECK(t, !memcmp(sc, fx->hbm + C, (size_t)m * ldc * es)))
		printf("# dt %u ta %d tb %d %dx%dx%d: scattered != contiguous\n",
		       dt, ta, tb, m, n, k);
	free(sc);
	free(a);
	free(b);
	free(c);
	free(bv);
}

static void gemm_case(struct tap *t, struct fx *fx, uint32_t dt, bool ta,
		      bool tb, float alpha, float beta, bool bias, int act)
{
	gemm_check(t, fx, dt, ta, tb, 37, 29, 53, alpha, beta, bias, act);
}

static void test_gemm_float(struct tap *t)
{
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	for (uint32_t dt = TESSERA_DTYPE_FP32; dt <= TESSERA_DTYPE_BF16; dt++)
		for (int tr = 0; tr < 4; tr++)
			gemm_case(t, &fx, dt, tr & 1, tr & 2, 1.0f, 0.0f, false,
				  TESSERA_ACT_NONE);
	gemm_case(t, &fx, TESSERA_DTYPE_FP32, false, true, 0.5f, 2.0f, true,
		  TESSERA_ACT_RELU);
	gemm_case(t, &fx, TESSERA_DTYPE_FP16, true, false, -1.5f, 1.0f, true,
		  TESSERA_ACT_GELU);
	gemm_case(t, &fx, TESSERA_DTYPE_BF16, false, false, 1.0f, 0.5f, true,
		  TESSERA_ACT_RELU);
	fx_fini(&fx);
}

static void test_gemm_int8(struct tap *t)
{
	struct fx fx;
	const int m = 3, n = 4, k = 4096;
	int8_t *a, *b;
	int32_t *c, bias[4] = { 0, 5, INT32_MAX - 10, INT32_MIN + 10 };
	uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
		HDR(TESSERA_CMD_OP_GEMM, TESSERA_GEMM_BIAS, TESSERA_CMD_GEMM_LEN),
		TESSERA_DTYPE_INT8, m, n, k, LO(BYP(0)), HI(BYP(0)), k,
		LO(BYP(0x100000)), HI(BYP(0x100000)), n, LO(BYP(0x200000)),
		HI(BYP(0x200000)), n, fbits(1.0f), fbits(1.0f),
		LO(BYP(0x300000)), HI(BYP(0x300000)),
	};

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	a = (int8_t *)fx.hbm;
	b = (int8_t *)fx.hbm + 0x100000;
	c = (int32_t *)(fx.hbm + 0x200000);
	for (int i = 0; i < m * k; i++)
		a[i] = (int8_t)(i % 3 == 0 ? -128 : 127 - i % 5);
	for (int i = 0; i < k * n; i++)
		b[i] = (int8_t)(i % 2 ? -128 : 127);
	for (int i = 0; i < m * n; i++)
		c[i] = 1000 * i;
	memcpy(fx.hbm + 0x300000, bias, sizeof(bias));
	{
		int64_t want[12];

		for (int i = 0; i < m; i++)
			for (int j = 0; j < n; j++) {
				int64_t s = c[i * n + j] + (int64_t)bias[j];

				for (int p = 0; p < k; p++)
					s += (int64_t)a[i * k + p] * b[p * n + j];
				want[i * n + j] = s > INT32_MAX ? INT32_MAX :
						  s < INT32_MIN ? INT32_MIN : s;
			}
		CHECK_EQ(t, run(&fx, 0, cmd, TESSERA_CMD_GEMM_LEN), 0);
		for (int i = 0; i < m * n; i++)
			CHECK_EQ(t, (int64_t)c[i], want[i]);
		/* the saturating cases really saturated */
		CHECK(t, want[2] == INT32_MAX || want[6] == INT32_MAX ||
			 want[10] == INT32_MAX);
	}
	/* int8 with alpha != 1 or GELU is malformed */
	cmd[14] = fbits(2.0f);
	CHECK_EQ(t, run(&fx, 0, cmd, TESSERA_CMD_GEMM_LEN), TESSERA_ERR_INVALID_CMD);
	fx_fini(&fx);
}

/*
 * The row converters (F16C on hosts that have it) give exactly the
 * scalar conversions' bits: every fp16 value, and fp32 bit patterns
 * from random, special and rounding-boundary values.
 */
static void test_row_conversions(struct tap *t)
{
	enum { NF = 1 << 20 };
	uint16_t *h = malloc(65536 * 2), *h2 = malloc(NF * 2);
	float *f = malloc(65536 * 4), *g = malloc(NF * 4);
	unsigned int bad = 0, seed = 3;

	for (uint32_t i = 0; i < 65536; i++)
		h[i] = (uint16_t)i;
	t1_row_to_f32(f, h, TESSERA_DTYPE_FP16, 65536);
	for (uint32_t i = 0; i < 65536; i++) {
		float w = t1_f16_to_f32((uint16_t)i);

		bad += memcmp(&w, &f[i], 4) != 0;
	}
	CHECK_EQ(t, bad, 0);
	for (uint32_t i = 0; i < NF; i++) {
		uint32_t u = (uint32_t)rand_r(&seed) << 16 ^ (uint32_t)rand_r(&seed);

		/* a quarter near fp16's range, ties included (low bits 0x1000) */
		if (i % 4 == 0)
			u = (u & 0x80000000u) | (0x33000000u + (u & 0x0fffffffu) % 0x0c800000u);
		if (i % 8 == 1)
			u = (u & ~0x1fffu) | 0x1000u;
		memcpy(&g[i], &u, 4);
	}
	g[0] = 65520.0f;
	g[1] = -0.0f;
	g[2] = INFINITY;
	g[3] = NAN;
	t1_row_from_f32(h2, TESSERA_DTYPE_FP16, g, NF);
	bad = 0;
	for (uint32_t i = 0; i < NF; i++)
		bad += h2[i] != t1_f32_to_f16(g[i]);
	CHECK_EQ(t, bad, 0);
	free(h);
	free(h2);
	free(f);
	free(g);
}

/* One fp32 GEMM of M x N x K = 256 x 384 x 2048 into C at 0x800000. */
static void det_gemm(struct tap *t, struct fx *fx, float *out)
{
	const uint32_t m = 256, n = 384, k = 2048;
	uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
		HDR(TESSERA_CMD_OP_GEMM, 0, TESSERA_CMD_GEMM_LEN),
		TESSERA_DTYPE_FP32, m, n, k, LO(BYP(0)), HI(BYP(0)), k,
		LO(BYP(0x400000)), HI(BYP(0x400000)), n, LO(BYP(0x800000)),
		HI(BYP(0x800000)), n, fbits(1.0f), fbits(0.0f), 0, 0,
	};

	CHECK_EQ(t, run(fx, 0, cmd, TESSERA_CMD_GEMM_LEN), 0);
	memcpy(out, fx->hbm + 0x800000, (size_t)m * n * 4);
}

/*
 * The engines' share of the math threads, and results that do not
 * change from run to run (nor, for this dense shape, with the share).
 */
static void test_math_threads(struct tap *t)
{
	const size_t cn = 256 * 384;
	float *c1 = malloc(cn * 4), *c2 = malloc(cn * 4), *c3 = malloc(cn * 4);
	unsigned int seed = 11;
	struct fx fx;

	t1_mm_set_threads(4);
	CHECK_EQ(t, t1_mm_share(), 4);
	t1_mm_busy(1);
	CHECK_EQ(t, t1_mm_share(), 4);
	t1_mm_busy(1);
	CHECK_EQ(t, t1_mm_share(), 2);
	t1_mm_busy(3);
	CHECK_EQ(t, t1_mm_share(), 1);		/* 5 engines: at least one */
	t1_mm_busy(-5);
	t1_mm_set_threads(0);
	CHECK(t, t1_mm_threads() == (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));

	if (!CHECK(t, fx_init_hbm(&fx, false, 16u << 20)))
		goto out;
	for (size_t i = 0; i < 0x800000 / 4; i++) {
		float v = frand(&seed);

		memcpy(fx.hbm + 4 * i, &v, 4);
	}
	t1_mm_set_threads(2);
	det_gemm(t, &fx, c1);
	det_gemm(t, &fx, c2);
	t1_mm_set_threads(1);
	det_gemm(t, &fx, c3);
	CHECK(t, !memcmp(c1, c2, cn * 4));
	CHECK(t, !memcmp(c1, c3, cn * 4));
	t1_mm_set_threads(0);
	fx_fini(&fx);
out:
	free(c1);
	free(c2);
	free(c3);
}

/*
 * Determinism (programming guide, "Numerics"): the same command on the
 * same operands, at the same thread count, gives the same bits, on
 * either compute engine.  Every GEMM type with bias and GELU (RELU for
 * int8) in a shape that runs in several tiles (and K slices for int8),
 * ELEMENTWISE GELU and EXP, SOFTMAX and LAYERNORM in every float type.
 * Operands: 8 MiB of random data at 0; results at 0x800000 (8 MiB).
 */
static bool same_twice(struct tap *t, struct fx *fx, const uint32_t *cmd,
		       unsigned int len, size_t out_bytes, const char *what)
{
	uint8_t *r[3];
	bool ok = true;

	for (unsigned int i = 0; i < 3; i++) {
		r[i] = malloc(out_bytes);
		memset(fx->hbm + 0x800000, 0xa5, out_bytes);
		/* runs 0 and 1 on engine 0, run 2 on engine 1 */
		CHECK_EQ(t, run(fx, i == 2, cmd, len), 0);
		if (r[i])
			memcpy(r[i], fx->hbm + 0x800000, out_bytes);
	}
	for (unsigned int i = 1; i < 3; i++)
		if (!r[0] || !r[i] || memcmp(r[0], r[i], out_bytes)) {
			printf("# %s: run %u differs from run 0\n", what, i);
			ok = false;
		}
	for (unsigned int i = 0; i < 3; i++)
		free(r[i]);
	return ok;
}

static void test_determinism(struct tap *t)
{
	static const char *const names[] = { "fp32", "fp16", "bf16", "int8" };
	unsigned int seed = 5;
	char what[64];
	struct fx fx;

	if (!CHECK(t, fx_init_hbm(&fx, false, 16u << 20)))
		return;
	for (size_t i = 0; i < 0x800000 / 4; i++) {
		float v = frand(&seed);

		memcpy(fx.hbm + 4 * i, &v, 4);
	}
	t1_mm_set_threads(2);
	for (uint32_t dt = 0; dt <= TESSERA_DTYPE_INT8; dt++) {
		bool i8 = dt == TESSERA_DTYPE_INT8;
		/* fp32: 512 x 512 x 2048 = 2^29 MACs, two tiles of 2^28 */
		uint32_t m = 512, n = 512, k = i8 ? 3000 : 2048;
		uint32_t ces = i8 ? 4 : t1_dtype_size(dt);
		uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
			HDR(TESSERA_CMD_OP_GEMM, TESSERA_GEMM_BIAS,
			    TESSERA_CMD_GEMM_LEN),
			dt | (i8 ? TESSERA_ACT_RELU : TESSERA_ACT_GELU) << 8,
			m, n, k, LO(BYP(0)), HI(BYP(0)), k,
			LO(BYP(0x400000)), HI(BYP(0x400000)), n,
			LO(BYP(0x800000)), HI(BYP(0x800000)), n,
			fbits(i8 ? 1.0f : 0.5f), fbits(0.0f),
			LO(BYP(0x7f0000)), HI(BYP(0x7f0000)),
		};

		snprintf(what, sizeof(what), "GEMM %s", names[dt]);
		CHECK(t, same_twice(t, &fx, cmd, TESSERA_CMD_GEMM_LEN,
				    (size_t)m * n * ces, what));
	}
	for (uint32_t dt = 0; dt <= TESSERA_DTYPE_BF16; dt++) {
		uint32_t es = t1_dtype_size(dt);
		uint32_t ew[TESSERA_CMD_EW_LEN] = {
			HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_GELU, 10),
			dt | dt << 8, 65536, LO(BYP(0)), HI(BYP(0)), 0, 0,
			LO(BYP(0x800000)), HI(BYP(0x800000)), 0,
		};
		uint32_t sm[TESSERA_CMD_SOFTMAX_LEN] = {
			HDR(TESSERA_CMD_OP_SOFTMAX, 0, 10), dt, 300, 1000,
			LO(BYP(0)), HI(BYP(0)), 1000, LO(BYP(0x800000)),
			HI(BYP(0x800000)), 1000,
		};
		uint32_t ln[TESSERA_CMD_LN_LEN] = {
			HDR(TESSERA_CMD_OP_LAYERNORM,
			    TESSERA_LN_GAMMA | TESSERA_LN_BETA, 15), dt, 300, 1000,
			LO(BYP(0)), HI(BYP(0)), 1000, LO(BYP(0x800000)),
			HI(BYP(0x800000)), 1000, LO(BYP(0x700000)),
			HI(BYP(0x700000)), LO(BYP(0x710000)), HI(BYP(0x710000)),
			fbits(1e-5f),
		};

		snprintf(what, sizeof(what), "ELEMENTWISE GELU %s", names[dt]);
		CHECK(t, same_twice(t, &fx, ew, 10, 65536 * es, what));
		ew[0] = HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_EXP, 10);
		snprintf(what, sizeof(what), "ELEMENTWISE EXP %s", names[dt]);
		CHECK(t, same_twice(t, &fx, ew, 10, 65536 * es, what));
		snprintf(what, sizeof(what), "SOFTMAX %s", names[dt]);
		CHECK(t, same_twice(t, &fx, sm, 10, 300 * 1000 * es, what));
		snprintf(what, sizeof(what), "LAYERNORM %s", names[dt]);
		CHECK(t, same_twice(t, &fx, ln, 15, 300 * 1000 * es, what));
	}
	t1_mm_set_threads(0);
	fx_fini(&fx);
}

static void test_number_formats(struct tap *t)
{
	/* fp16: ties to even, overflow, subnormals, NaN */
	CHECK_EQ(t, t1_f32_to_f16(1.0f), 0x3c00);
	CHECK_EQ(t, t1_f32_to_f16(1.0f + 0x1p-11f), 0x3c00);	/* tie, even */
	CHECK_EQ(t, t1_f32_to_f16(1.0f + 0x3p-11f), 0x3c02);	/* tie, up */
	CHECK_EQ(t, t1_f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
	CHECK_EQ(t, t1_f32_to_f16(65504.0f), 0x7bff);
	CHECK_EQ(t, t1_f32_to_f16(65520.0f), 0x7c00);		/* rounds to inf */
	CHECK_EQ(t, t1_f32_to_f16(-0x1p-24f), 0x8001);		/* min subnormal */
	CHECK_EQ(t, t1_f32_to_f16(0x1p-25f), 0x0000);		/* tie to 0 */
	CHECK_EQ(t, t1_f32_to_f16(0x3p-26f), 0x0001);
	CHECK_EQ(t, t1_f32_to_f16(NAN) & 0x7e00, 0x7e00);
	CHECK(t, t1_f16_to_f32(0x0001) == 0x1p-24f);
	CHECK(t, t1_f16_to_f32(0xc000) == -2.0f);
	CHECK(t, isinf(t1_f16_to_f32(0x7c00)));
	/* every fp16 survives a round trip */
	for (uint32_t h = 0; h < 0x10000; h++)
		if ((h & 0x7c00) != 0x7c00 &&
		    t1_f32_to_f16(t1_f16_to_f32(h)) != h) {
			CHECK_EQ(t, t1_f32_to_f16(t1_f16_to_f32(h)), h);
			break;
		}
	/* bf16 */
	CHECK_EQ(t, t1_f32_to_bf16(1.0f), 0x3f80);
	CHECK_EQ(t, t1_f32_to_bf16(1.0f + 0x1p-8f), 0x3f80);	/* tie, even */
	CHECK_EQ(t, t1_f32_to_bf16(1.0f + 0x3p-8f), 0x3f82);
	CHECK_EQ(t, t1_f32_to_bf16(-3.0f), 0xc040);
	CHECK_EQ(t, t1_f32_to_bf16(NAN) & 0x7fc0, 0x7fc0);
	/* int8: RNE and saturation */
	CHECK_EQ(t, (uint8_t)t1_f32_to_i8(2.5f), 2);
	CHECK_EQ(t, (uint8_t)t1_f32_to_i8(-3.5f), (uint8_t)-4);
	CHECK_EQ(t, (uint8_t)t1_f32_to_i8(300.0f), 127);
	CHECK_EQ(t, (uint8_t)t1_f32_to_i8(-1e9f), (uint8_t)-128);
	CHECK_EQ(t, (uint8_t)t1_f32_to_i8(NAN), 0);
	CHECK_EQ(t, (uint32_t)t1_f32_to_i32(3e9f), INT32_MAX);
}

static float ref_ew(uint32_t op, float a, float b, float s)
{
	switch (op) {
	case TESSERA_EW_ADD: return a + b;
	case TESSERA_EW_MUL: return a * b;
	case TESSERA_EW_SCALE: return a * s;
	case TESSERA_EW_RELU: return a > 0 ? a : 0;
	case TESSERA_EW_GELU: return (float)(0.5 * a * (1 + erf(a / sqrt(2))));
	case TESSERA_EW_EXP: return (float)exp(a);
	default: return a;
	}
}

static void test_elementwise(struct tap *t)
{
	const uint32_t cnt = 1001;
	unsigned int seed = 7;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	for (uint32_t dt = 0; dt <= TESSERA_DTYPE_BF16; dt++)
		for (uint32_t op = 0; op < TESSERA_EW_CAST; op++) {
			bool bin = op <= TESSERA_EW_MUL, ok = true;
			uint32_t cmd[] = {
				HDR(TESSERA_CMD_OP_ELEMENTWISE, op, 10),
				dt | dt << 8, cnt, LO(BYP(0)), HI(BYP(0)),
				bin ? LO(BYP(0x10000)) : 0,
				bin ? HI(BYP(0x10000)) : 0,
				LO(BYP(0x20000)), HI(BYP(0x20000)),
				op == TESSERA_EW_SCALE ? fbits(0.75f) : 0,
			};

			for (uint32_t i = 0; i < cnt; i++) {
				t1_store(fx.hbm, dt, i, 3 * frand(&seed));
				t1_store(fx.hbm + 0x10000, dt, i, frand(&seed));
			}
			CHECK_EQ(t, run(&fx, 1, cmd, 10), 0);
			for (uint32_t i = 0; i < cnt && ok; i++) {
				float a = t1_load(fx.hbm, dt, i);
				float b = t1_load(fx.hbm + 0x10000, dt, i);
				float w = ref_ew(op, a, b, 0.75f), g;
				uint8_t want[4];

				/* round the reference once, like the card */
				t1_store(want, dt, 0, w);
				w = t1_load(want, dt, 0);
				g = t1_load(fx.hbm + 0x20000, dt, i);
				if (fabsf(g - w) > 1e-6f * (1 + fabsf(w)) &&
				    !(dt && fabsf(g - w) <= 0.01f * fabsf(w))) {
					printf("# ew op %u dt %u [%u]: %g != %g\n",
					       op, dt, i, g, w);
					ok = false;
				}
			}
			CHECK(t, ok);
		}
	{
		/* cast fp32 -> int8 saturates, int8 -> fp16 exact */
		float in[6] = { 1.5f, 2.5f, -200.0f, 300.0f, NAN, -0.5f };
		int8_t want[6] = { 2, 2, -128, 127, 0, 0 };
		uint32_t c1[] = { HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_CAST, 10),
				  TESSERA_DTYPE_FP32 | TESSERA_DTYPE_INT8 << 8, 6,
				  LO(BYP(0)), HI(BYP(0)), 0, 0, LO(BYP(0x100)),
				  HI(BYP(0x100)), 0 };
		uint32_t c2[] = { HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_CAST, 10),
				  TESSERA_DTYPE_INT8 | TESSERA_DTYPE_FP16 << 8, 6,
				  LO(BYP(0x100)), HI(BYP(0x100)), 0, 0,
				  LO(BYP(0x200)), HI(BYP(0x200)), 0 };
		uint32_t bad[] = { HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_RELU, 10),
				   0, 6, LO(BYP(0)), HI(BYP(0)), 4, 0, LO(BYP(0x100)),
				   HI(BYP(0x100)), 0 };	/* RELU with a B */

		memcpy(fx.hbm, in, sizeof(in));
		CHECK_EQ(t, run(&fx, 1, c1, 10), 0);
		CHECK(t, !memcmp(fx.hbm + 0x100, want, 6));
		CHECK_EQ(t, run(&fx, 1, c2, 10), 0);
		CHECK(t, t1_load(fx.hbm + 0x200, TESSERA_DTYPE_FP16, 2) == -128.0f);
		CHECK_EQ(t, run(&fx, 1, bad, 10), TESSERA_ERR_INVALID_CMD);
	}
	fx_fini(&fx);
}

/* The reference CAST: the card's conversions, int8 <-> int32 exact. */
static void ref_cast(uint32_t sdt, uint32_t ddt, const void *a, size_t i,
		     void *want)
{
	int32_t v;

	if (sdt == TESSERA_DTYPE_INT32 &&
	    (ddt == TESSERA_DTYPE_INT8 || ddt == TESSERA_DTYPE_INT32)) {
		memcpy(&v, (const uint8_t *)a + 4 * i, 4);
		if (ddt == TESSERA_DTYPE_INT8)
			*(int8_t *)want = v > 127 ? 127 : v < -128 ? -128 : v;
		else
			memcpy(want, &v, 4);
		return;
	}
	if (sdt == TESSERA_DTYPE_INT8 && ddt == TESSERA_DTYPE_INT32) {
		v = ((const int8_t *)a)[i];
		memcpy(want, &v, 4);
		return;
	}
	t1_store(want, ddt, 0, t1_load(a, sdt, i));
}

static bool same_value(uint32_t dt, const void *g, const void *w)
{
	unsigned int es = t1_dtype_size(dt);
	float fg, fw;

	if (dt > TESSERA_DTYPE_BF16 || !memcmp(g, w, es))
		return !memcmp(g, w, es);
	fg = t1_load(g, dt, 0);
	fw = t1_load(w, dt, 0);
	return isnan(fg) && isnan(fw);	/* any NaN for a NaN */
}

/*
 * ELEMENTWISE's edges: CAST between every pair of types on values that
 * round, tie, saturate, overflow and are NaN or infinite, bit for bit
 * against the card's scalar conversions; EXP keeps NaN (oneDNN's exp
 * alone gives +inf); RELU of NaN is 0; in place (D == A) in every type.
 */
static void test_elementwise_edges(struct tap *t)
{
	static const float vals[] = {
		0.0f, -0.0f, 1.0f, -1.0f, 2.5f, -3.5f, 0.5f, -0.5f, 127.5f,
		-128.5f, 300.0f, -300.0f, 65504.0f, 65520.0f, 1.0f + 0x1p-8f,
		1.0f + 0x3p-8f, 1.0f + 0x1p-11f, 0x1p-25f, 3e9f, -3e9f,
		16777217.0f, 2147483520.0f, 1e-40f, INFINITY, -INFINITY, NAN,
		-NAN, 123456.789f, -7.25f, 0.1f, 1e10f, 42.0f,
	};
	const uint32_t n = ARRAY_SIZE(vals);
	uint8_t src[ARRAY_SIZE(vals) * 4];
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	for (uint32_t sdt = 0; sdt <= TESSERA_DTYPE_INT32; sdt++) {
		/* integer sources: the values rounded and saturated */
		for (uint32_t i = 0; i < n; i++)
			t1_store(src, sdt, i, vals[i]);
		if (sdt == TESSERA_DTYPE_INT32) {
			int32_t big[4] = { INT32_MAX, INT32_MIN, 16777217, -129 };

			memcpy(src, big, sizeof(big));
		}
		for (uint32_t ddt = 0; ddt <= TESSERA_DTYPE_INT32; ddt++) {
			uint32_t cmd[] = {
				HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_CAST, 10),
				sdt | ddt << 8, n, LO(BYP(0)), HI(BYP(0)), 0, 0,
				LO(BYP(0x1000)), HI(BYP(0x1000)), 0,
			};
			unsigned int des = t1_dtype_size(ddt);
			bool ok = true;

			memcpy(fx.hbm, src, sizeof(src));
			CHECK_EQ(t, run(&fx, 0, cmd, 10), 0);
			for (uint32_t i = 0; i < n && ok; i++) {
				uint8_t want[4];

				ref_cast(sdt, ddt, src, i, want);
				if (!same_value(ddt, fx.hbm + 0x1000 + i * des, want)) {
					printf("# cast %u -> %u [%u] (%g) wrong\n",
					       sdt, ddt, i, t1_load(src, sdt, i));
					ok = false;
				}
			}
			CHECK(t, ok);
		}
	}
	for (uint32_t dt = 0; dt <= TESSERA_DTYPE_BF16; dt++) {
		/* EXP and RELU of NaN, in place */
		for (uint32_t op = TESSERA_EW_RELU; op <= TESSERA_EW_EXP; op++) {
			uint32_t cmd[] = {
				HDR(TESSERA_CMD_OP_ELEMENTWISE, op, 10),
				dt | dt << 8, n, LO(BYP(0)), HI(BYP(0)), 0, 0,
				LO(BYP(0)), HI(BYP(0)), 0,
			};
			bool ok = true;

			for (uint32_t i = 0; i < n; i++)
				t1_store(fx.hbm, dt, i, vals[i]);
			CHECK_EQ(t, run(&fx, 1, cmd, 10), 0);
			for (uint32_t i = 0; i < n && ok; i++) {
				float g = t1_load(fx.hbm, dt, i);
				uint8_t w[4];

				t1_store(w, dt, 0, vals[i]);
				if (isnan(t1_load(w, dt, 0))) {
					ok = op == TESSERA_EW_RELU ? g == 0.0f : isnan(g);
					if (!ok)
						printf("# ew op %u dt %u of NaN: %g\n",
						       op, dt, g);
				}
			}
			CHECK(t, ok);
		}
		{
			/* ADD in place: D == A == B doubles */
			uint32_t cmd[] = {
				HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_ADD, 10),
				dt | dt << 8, 16, LO(BYP(0)), HI(BYP(0)),
				LO(BYP(0)), HI(BYP(0)), LO(BYP(0)), HI(BYP(0)), 0,
			};
			bool ok = true;

			for (uint32_t i = 0; i < 16; i++)
				t1_store(fx.hbm, dt, i, (float)i - 8.0f);
			CHECK_EQ(t, run(&fx, 1, cmd, 10), 0);
			for (uint32_t i = 0; i < 16; i++)
				ok &= t1_load(fx.hbm, dt, i) == 2.0f * ((float)i - 8.0f);
			CHECK(t, ok);
		}
	}
	fx_fini(&fx);
}

/*
 * SOFTMAX and LAYERNORM in every type against an fp64 reference on the
 * same (type-rounded) inputs; source and destination strides differ.
 * Tolerance: the fp32 arithmetic's error (1e-5 for SOFTMAX, 1e-4 for
 * LAYERNORM, absolute) plus one ulp of the type (2^-7 relative for bf16,
 * 2^-10 for fp16): the programming guide allows one ulp, since oneDNN's
 * bf16 softmax is not always correctly rounded (seen: 1 ulp off).
 */
static void softmax_layernorm_case(struct tap *t, struct fx *fx, uint32_t dt,
				   uint32_t rows, uint32_t cols, uint32_t ld)
{
	unsigned int seed = 3 + dt;
	double *x = calloc(cols, sizeof(*x));

	{
		double rel = dt == TESSERA_DTYPE_BF16 ? 0x1p-7 :
			     dt == TESSERA_DTYPE_FP16 ? 0x1p-10 : 0;
		const uint64_t G = 0x400000, BE = 0x401000, SM = 0x500000,
			       LN = 0x800000;
		uint32_t sm[] = { HDR(TESSERA_CMD_OP_SOFTMAX, 0, 10), dt, rows, cols,
				  LO(BYP(0)), HI(BYP(0)), ld, LO(BYP(SM)),
				  HI(BYP(SM)), cols };
		uint32_t ln[] = { HDR(TESSERA_CMD_OP_LAYERNORM,
				      TESSERA_LN_GAMMA | TESSERA_LN_BETA, 15),
				  dt, rows, cols, LO(BYP(0)), HI(BYP(0)), ld,
				  LO(BYP(LN)), HI(BYP(LN)), cols,
				  LO(BYP(G)), HI(BYP(G)),
				  LO(BYP(BE)), HI(BYP(BE)), fbits(1e-5f) };
		unsigned int bad = 0;

		for (uint32_t i = 0; i < rows * ld; i++)
			t1_store(fx->hbm, dt, i, 8 * frand(&seed));
		for (uint32_t i = 0; i < cols; i++) {
			t1_store(fx->hbm + G, dt, i, frand(&seed));
			t1_store(fx->hbm + BE, dt, i, frand(&seed));
		}
		size_t out = (size_t)rows * cols * t1_dtype_size(dt);
		uint8_t *vs = NULL, *vl = NULL;

		if (fx->scatter) {
			uint32_t vsm[10], vln[15];

			memcpy(vsm, sm, sizeof(sm));
			memcpy(vln, ln, sizeof(ln));
			to_view(vsm, 4);
			to_view(vsm, 7);
			to_view(vln, 4);
			to_view(vln, 7);
			to_view(vln, 10);
			to_view(vln, 12);
			scatter_copy(fx, LN + out);
			CHECK_EQ(t, run_asid1(fx, vsm, 10), 0);
			CHECK_EQ(t, run_asid1(fx, vln, 15), 0);
			vs = malloc(out);
			vl = malloc(out);
			gather_copy(fx, vs, SM, out);
			gather_copy(fx, vl, LN, out);
		}
		CHECK_EQ(t, run(fx, 0, sm, 10), 0);
		CHECK_EQ(t, run(fx, 0, ln, 15), 0);
		/* in scattered pages (in blocks): the same bits */
		if (vs) {
			CHECK(t, !memcmp(vs, fx->hbm + SM, out));
			CHECK(t, !memcmp(vl, fx->hbm + LN, out));
		}
		free(vs);
		free(vl);
		for (uint32_t r = 0; r < rows; r++) {
			double mx = -1e30, sum = 0, mean = 0, var = 0;

			for (uint32_t j = 0; j < cols; j++) {
				x[j] = t1_load(fx->hbm, dt, r * ld + j);
				mx = x[j] > mx ? x[j] : mx;
			}
			for (uint32_t j = 0; j < cols; j++) {
				sum += exp(x[j] - mx);
				mean += x[j];
			}
			mean /= cols;
			for (uint32_t j = 0; j < cols; j++)
				var += (x[j] - mean) * (x[j] - mean);
			var /= cols;
			for (uint32_t j = 0; j < cols; j++) {
				double s = exp(x[j] - mx) / sum;
				double l = (x[j] - mean) / sqrt(var + 1e-5) *
					   t1_load(fx->hbm + G, dt, j) +
					   t1_load(fx->hbm + BE, dt, j);
				double gs = t1_load(fx->hbm + SM, dt, r * cols + j);
				double gl = t1_load(fx->hbm + LN, dt, r * cols + j);

				if (fabs(gs - s) > 1e-5 + rel * fabs(s) ||
				    fabs(gl - l) > 1e-4 + rel * fabs(l)) {
					if (!bad++)
						printf("# dt %u %ux%u [%u,%u]: softmax %g vs %g, layernorm %g vs %g\n",
						       dt, rows, cols, r, j, gs, s, gl, l);
				}
			}
		}
		CHECK_EQ(t, bad, 0);
	}
	free(x);
}

/* Small rows, and rows in several chunks of work with a short last one. */
static void test_softmax_layernorm(struct tap *t)
{
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	for (uint32_t dt = TESSERA_DTYPE_FP32; dt <= TESSERA_DTYPE_BF16; dt++) {
		softmax_layernorm_case(t, &fx, dt, 5, 67, 70);
		softmax_layernorm_case(t, &fx, dt, 1000, 300, 301);
	}
	fx_fini(&fx);
}

/* ---------------------------------------------------------------------
 * MMU
 */

static uint64_t ctx_create(struct fx *fx, uint32_t asid)
{
	return fx_ctx(fx, asid, 16);
}

static void test_mmu(struct tap *t)
{
	struct fx fx;
	uint64_t r1, r2, before;
	uint32_t cmd[] = {
		/* copy 8 KiB across two 4 KiB pages into a 2 MiB HBM page */
		HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(VA_DATA + 0x800),
		HI(VA_DATA + 0x800), LO(VA_DATA + 0x200000 + 0x1000),
		HI(VA_DATA + 0x200000 + 0x1000), 0x1800,
	};

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	r1 = ctx_create(&fx, 1);
	r2 = ctx_create(&fx, 2);
	/* ASID 1: commands RO, data 2 x 4 KiB host pages (not contiguous) */
	map_page(&fx, r1, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_READ, false);
	map_page(&fx, r1, VA_DATA, HOST(DATA_OFF + 0x5000), RW, false);
	map_page(&fx, r1, VA_DATA + 0x1000, HOST(DATA_OFF + 0x2000), RW, false);
	map_page(&fx, r1, VA_DATA + 0x200000, 0x400000 | TESSERA_PTE_DEVMEM, RW,
		 true);
	for (int i = 0; i < 0x1000; i++) {
		fx.mem[DATA_OFF + 0x5000 + i] = (uint8_t)i;
		fx.mem[DATA_OFF + 0x2000 + i] = (uint8_t)(i ^ 0x55);
	}
	memcpy(fx.mem + CMD_OFF(0), cmd, sizeof(cmd));
	before = done_count(&fx, 0);
	queue(&fx, 0, 1, VA_CMD, cmd, 6, TESSERA_DESC_FLAG_FENCE);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, before + 1));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_STATUS), 0);
	CHECK(t, !memcmp(fx.hbm + 0x401000, fx.mem + DATA_OFF + 0x5800, 0x800));
	CHECK(t, !memcmp(fx.hbm + 0x401800, fx.mem + DATA_OFF + 0x2000, 0x1000));

	/* write to a read-only page: MMU_PERM with the syndrome */
	cmd[3] = LO(VA_CMD + 0x10);
	cmd[4] = HI(VA_CMD + 0x10);
	cmd[5] = 4;
	memcpy(fx.mem + CMD_OFF(0), cmd, sizeof(cmd));
	queue(&fx, 0, 1, VA_CMD, cmd, 6, TESSERA_DESC_FLAG_FENCE_ON_ABORT);
	/* a second ASID 1 descriptor is skipped; ASID 2 still runs */
	queue(&fx, 0, 1, VA_CMD, cmd, 6, TESSERA_DESC_FLAG_FENCE_ON_ABORT);
	memcpy(fx.mem + CMD_OFF(1), (uint32_t[]){ HDR(TESSERA_CMD_OP_NOP, 0, 1) }, 4);
	map_page(&fx, r2, VA_CMD, HOST(CMD_OFF(1)), TESSERA_PTE_READ, false);
	queue(&fx, 0, 2, VA_CMD, cmd, 1, TESSERA_DESC_FLAG_FENCE);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, before + 4));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_STATUS), TESSERA_FAULT_VALID);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_CODE), TESSERA_ERR_MMU_PERM);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ASID), 1);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_VA_LO), (uint32_t)(VA_CMD + 0x10));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_VA_HI), HI(VA_CMD));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ACCESS), TESSERA_ACCESS_WRITE);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_TAG_LO), fx.tag - 2);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_ABORTED), 2);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 2);
	CHECK_EQ(t, *(uint64_t *)(fx.mem + FENCE_OFF(0)), fx.tag);
	/* one context error (the halted context's skip is not one), in memory too */
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_COUNT), 1);
	CHECK_EQ(t, *(uint64_t *)(fx.mem + FENCE_OFF(0) + TESSERA_FENCE_WB_FAULTS), 1);
	rwr(&fx, 0, TESSERA_RING_HALT_QUERY, 1);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HALT_RESULT), 1);
	rwr(&fx, 0, TESSERA_RING_HALT_QUERY, 2);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HALT_RESULT), 0);
	/* ASID 1 on another engine is not halted */
	memcpy(fx.mem + CMD_OFF(0), (uint32_t[]){ HDR(TESSERA_CMD_OP_NOP, 0, 1) }, 4);
	before = done_count(&fx, 1);
	queue(&fx, 1, 1, VA_CMD, cmd, 1, 0);
	kick(&fx, 1);
	CHECK(t, wait_count(&fx, 1, before + 1));
	CHECK_EQ(t, rrd(&fx, 1, TESSERA_RING_COMPLETED), 1);
	/* resume ASID 1 on ring 0 */
	rwr(&fx, 0, TESSERA_RING_FAULT_ACK, 1);
	rwr(&fx, 0, TESSERA_RING_CTX_RESUME, 1);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_STATUS), 0);
	queue(&fx, 0, 1, VA_CMD, cmd, 1, 0);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, 5));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 3);

	/* unmapped VA, bad ASID */
	before = done_count(&fx, 0);
	queue(&fx, 0, 1, VA_CMD + 0x100000, cmd, 1, 0);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, before + 1));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_CODE), TESSERA_ERR_MMU_FAULT);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ACCESS), TESSERA_ACCESS_FETCH);
	rwr(&fx, 0, TESSERA_RING_FAULT_ACK, 1);
	queue(&fx, 0, 9, VA_CMD, cmd, 1, 0);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, before + 2));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_CODE), TESSERA_ERR_CTX_INVALID);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ASID), 9);
	/* every context error counts, latched or overflowed */
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_COUNT), 3);
	CHECK_EQ(t, *(uint64_t *)(fx.mem + FENCE_OFF(0) + TESSERA_FENCE_WB_FAULTS), 3);
	/* a device reset starts the count again */
	wr(&fx, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_COUNT), 0);
	fx_fini(&fx);
}

/*
 * Hardware 1.4: a context whose entry sets TESSERA_CTX_EXEC_PERM fetches
 * commands only from EXEC pages (READ no longer implies it), with an
 * MMU_PERM fault of access FETCH otherwise; other context flags are
 * CTX_INVALID.  Contexts without the flag behave as before (test_mmu).
 */
static void test_mmu_exec(struct tap *t)
{
	const uint32_t nop = HDR(TESSERA_CMD_OP_NOP, 0, 1);
	uint64_t r1, r2, before, *e;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	CHECK(t, rd(&fx, TESSERA_REG_CAPS) & TESSERA_CAP_MMU_EXEC);
	r1 = ctx_create(&fx, 1);
	r2 = ctx_create(&fx, 2);
	e = (uint64_t *)(fx.mem + CTX_OFF);
	e[2 * 1 + 1] = TESSERA_CTX_EXEC_PERM;
	e[2 * 2 + 1] = TESSERA_CTX_EXEC_PERM;
	memcpy(fx.mem + CMD_OFF(0), &nop, 4);
	memcpy(fx.mem + CMD_OFF(1), &nop, 4);
	/* ASID 1: commands READ only; ASID 2: READ | EXEC */
	map_page(&fx, r1, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_READ, false);
	map_page(&fx, r2, VA_CMD, HOST(CMD_OFF(1)),
		 TESSERA_PTE_READ | TESSERA_PTE_EXEC, false);

	before = done_count(&fx, 0);
	queue(&fx, 0, 1, VA_CMD, &nop, 1, TESSERA_DESC_FLAG_FENCE_ON_ABORT);
	queue(&fx, 0, 2, VA_CMD, &nop, 1, TESSERA_DESC_FLAG_FENCE);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, before + 2));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_STATUS), TESSERA_FAULT_VALID);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_CODE), TESSERA_ERR_MMU_PERM);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ASID), 1);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ACCESS), TESSERA_ACCESS_FETCH);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_VA_LO), (uint32_t)VA_CMD);
	/* ASID 2's fetch from its EXEC page ran */
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 1);
	rwr(&fx, 0, TESSERA_RING_FAULT_ACK, 1);
	rwr(&fx, 0, TESSERA_RING_CTX_RESUME, 1);

	/* an EXEC-only page: fetch allowed, data reads are not */
	map_page(&fx, r1, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_EXEC, false);
	wr(&fx, TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ALL);
	queue(&fx, 0, 1, VA_CMD, &nop, 1, TESSERA_DESC_FLAG_FENCE);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, before + 3));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_STATUS), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 2);

	/* an undefined context flag is a bad entry */
	e[2 * 2 + 1] = TESSERA_CTX_EXEC_PERM << 1;
	queue(&fx, 0, 2, VA_CMD, &nop, 1, TESSERA_DESC_FLAG_FENCE_ON_ABORT);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, before + 4));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_CODE), TESSERA_ERR_CTX_INVALID);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ASID), 2);
	fx_fini(&fx);
}

/*
 * Hardware 1.4 counts page-table walks per ring (RING_PT_WALKS) and keeps
 * a 2 MiB translation in one TLB entry: a 4 MiB COPY between 2 MiB pages
 * walks a handful of times, the same COPY over 4 KiB pages once per page.
 */
static void test_mmu_huge_walks(struct tap *t)
{
	const uint64_t len = 4u << 20, src = VA_DATA, dst = VA_DATA + (8u << 20);
	const uint32_t cmd[] = {
		HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(src), HI(src), LO(dst), HI(dst),
		(uint32_t)len,
	};
	uint32_t walks[2];
	struct fx fx;

	for (int huge = 1; huge >= 0; huge--) {
		uint64_t r1, before;
		uint32_t w0;

		if (!CHECK(t, fx_init(&fx, false)))
			return;
		r1 = ctx_create(&fx, 1);
		map_page(&fx, r1, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_READ, false);
		for (uint64_t off = 0; off < len; off += huge ? 0x200000 : 0x1000) {
			map_page(&fx, r1, src + off, off | TESSERA_PTE_DEVMEM,
				 TESSERA_PTE_READ, huge);
			map_page(&fx, r1, dst + off, (len + off) | TESSERA_PTE_DEVMEM,
				 RW, huge);
		}
		for (uint64_t i = 0; i < len; i++)
			fx.hbm[i] = (uint8_t)(i * 7 + (i >> 12));
		memcpy(fx.mem + CMD_OFF(0), cmd, sizeof(cmd));
		w0 = rrd(&fx, 0, TESSERA_RING_PT_WALKS);
		before = done_count(&fx, 0);
		queue(&fx, 0, 1, VA_CMD, cmd, 6, TESSERA_DESC_FLAG_FENCE);
		kick(&fx, 0);
		CHECK(t, wait_count(&fx, 0, before + 1));
		CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_STATUS), 0);
		CHECK(t, !memcmp(fx.hbm, fx.hbm + len, len));
		walks[huge] = rrd(&fx, 0, TESSERA_RING_PT_WALKS) - w0;
		fx_fini(&fx);
	}
	printf("# 4 MiB COPY: %u page walks with 2 MiB pages, %u with 4 KiB pages\n",
	       walks[1], walks[0]);
	/* the command page, then 2 + 2 huge pages */
	CHECK(t, walks[1] >= 5 && walks[1] <= 8);
	CHECK(t, walks[0] >= 2 * (len >> 12));
}

/*
 * Run COPY @src -> @dst of @len bytes in ASID 1 on ring 0; return the
 * page translations it took, or UINT64_MAX if it did not complete cleanly.
 */
static uint64_t copy_translations(struct fx *fx, uint64_t src, uint64_t dst, uint32_t len)
{
	const uint32_t cmd[] = {
		HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(src), HI(src), LO(dst), HI(dst), len,
	};
	struct t1_ring *ring = &fx->t1->ring[0];
	uint64_t before = done_count(fx, 0), walks = ring->xlate_pages;

	memcpy(fx->mem + CMD_OFF(0), cmd, sizeof(cmd));
	queue(fx, 0, 1, VA_CMD, cmd, 6, TESSERA_DESC_FLAG_FENCE);
	kick(fx, 0);
	if (!wait_count(fx, 0, before + 1) || rrd(fx, 0, TESSERA_RING_FAULT_STATUS))
		return UINT64_MAX;
	return ring->xlate_pages - walks;
}

/*
 * COPY between 2 MiB of contiguous HBM and 2 MiB of host pages mapped in
 * reverse order, both ways: data right, and each page translated a bounded
 * number of times (a copy that re-translated the contiguous side at every
 * host page was quadratic: 0.04 GB/s device-to-host on the card).
 */
static void test_copy_scattered(struct tap *t)
{
	const unsigned int pages = 512;
	const uint64_t len = pages * 4096ull, va_host = VA_DATA,
		       va_hbm = VA_DATA + 0x400000, hbm_off = 0x400000;
	unsigned int i, bad = 0;
	struct fx fx;
	uint64_t r1;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	r1 = ctx_create(&fx, 1);
	map_page(&fx, r1, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_READ, false);
	for (i = 0; i < pages; i++)
		map_page(&fx, r1, va_host + i * 4096ull,
			 HOST(DATA_OFF + (pages - 1 - i) * 4096ull), RW, false);
	map_page(&fx, r1, va_hbm, hbm_off | TESSERA_PTE_DEVMEM, RW, true);

	for (int dir = 0; dir < 2; dir++) {
		/* dir 0: device -> host; dir 1: host -> device */
		for (i = 0; i < len; i++) {
			fx.hbm[hbm_off + i] = dir ? 0 : (uint8_t)(i * 7 + i / 4096);
			fx.mem[DATA_OFF + i] = dir ? (uint8_t)(i * 13 + 5) : 0;
		}
		CHECK(t, copy_translations(&fx, dir ? va_host : va_hbm, dir ? va_hbm : va_host,
					   (uint32_t)len) <= 4 * pages + 8);
		for (i = 0, bad = 0; i < pages; i++)
			bad += !!memcmp(fx.mem + DATA_OFF + (pages - 1 - i) * 4096ull,
					fx.hbm + hbm_off + i * 4096ull, 4096);
		CHECK_EQ(t, bad, 0);
	}
	fx_fini(&fx);
}

static void test_tlb_invalidate(struct tap *t)
{
	struct fx fx;
	uint64_t r1, *pte;
	uint32_t cmd[] = { HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(VA_DATA), HI(VA_DATA),
			   LO(BYP(0x1000)), HI(BYP(0x1000)), 4 };
	uint32_t v;

	(void)cmd;
	if (!CHECK(t, fx_init(&fx, false)))
		return;
	r1 = ctx_create(&fx, 1);
	map_page(&fx, r1, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_READ, false);
	/* data page in HBM at 0x10000, later remapped to 0x20000 */
	map_page(&fx, r1, VA_DATA, 0x10000 | TESSERA_PTE_DEVMEM, RW, false);
	*(uint32_t *)(fx.hbm + 0x10000) = 111;
	*(uint32_t *)(fx.hbm + 0x20000) = 222;
	{
		uint32_t c[] = { HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(VA_DATA), HI(VA_DATA),
				 LO(VA_DATA + 8), HI(VA_DATA + 8), 4 };

		memcpy(fx.mem + CMD_OFF(0), c, sizeof(c));
	}
	queue(&fx, 0, 1, VA_CMD, NULL, 6, 0);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, 1));
	CHECK_EQ(t, *(uint32_t *)(fx.hbm + 0x10008), 111);
	/* find the leaf PTE: it is the last page allocated */
	pte = (uint64_t *)(fx.mem + fx.pt_next - 4096) + ((VA_DATA >> 12) & 511);
	CHECK_EQ(t, *pte & TESSERA_PTE_ADDR_MASK, 0x10000);
	*pte = 0x20000 | TESSERA_PTE_DEVMEM | RW | TESSERA_PTE_VALID;
	/* without invalidation either page may be used: not checked */
	queue(&fx, 0, 1, VA_CMD, NULL, 6, 0);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, 2));
	*(uint32_t *)(fx.hbm + 0x20008) = 0;
	/* invalidate by ASID, wait for completion: the new page is used */
	wr(&fx, TESSERA_REG_MMU_TLB_INV_ASID, 1);
	wr(&fx, TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ASID);
	for (int i = 0; i < 1000 && (v = rd(&fx, TESSERA_REG_MMU_TLB_INV_STATUS)); i++)
		usleep(1000);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_MMU_TLB_INV_STATUS), 0);
	queue(&fx, 0, 1, VA_CMD, NULL, 6, 0);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, 3));
	CHECK_EQ(t, *(uint32_t *)(fx.hbm + 0x20008), 222);
	/* invalidate all after making the page invalid: MMU fault */
	*pte = 0;
	wr(&fx, TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ALL);
	queue(&fx, 0, 1, VA_CMD, NULL, 6, 0);
	kick(&fx, 0);
	CHECK(t, wait_count(&fx, 0, 4));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_CODE), TESSERA_ERR_MMU_FAULT);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ACCESS), TESSERA_ACCESS_READ);
	fx_fini(&fx);
}

/* ---------------------------------------------------------------------
 * Reliability: watchdog, resets, ECC, fault injection, telemetry
 */

static bool wait_status(struct fx *fx, unsigned int n, uint32_t bit)
{
	for (int i = 0; i < 4000; i++) {
		if (rrd(fx, n, TESSERA_RING_STATUS) & bit)
			return true;
		usleep(1000);
	}
	return false;
}

static void test_fault_injection(struct tap *t)
{
	uint32_t nop[] = { HDR(TESSERA_CMD_OP_NOP, 0, 1) };
	uint32_t fill[] = { HDR(TESSERA_CMD_OP_FILL, 0, 5), LO(BYP(0)), HI(BYP(0)),
			    4, 1 };
	struct fx fx;

	/* absent without the option */
	if (!CHECK(t, fx_init(&fx, false)))
		return;
	CHECK(t, !(rd(&fx, TESSERA_REG_CAPS) & TESSERA_CAP_FAULT_INJECT));
	wr(&fx, TESSERA_REG_FI_HANG, 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_FI_ARMED), 0);
	CHECK_EQ(t, run(&fx, 0, nop, 1), 0);
	fx_fini(&fx);

	if (!CHECK(t, fx_init(&fx, true)))
		return;
	CHECK(t, rd(&fx, TESSERA_REG_CAPS) & TESSERA_CAP_FAULT_INJECT);
	/* hang + watchdog: ring 1 hung, ring 0 unaffected */
	wr(&fx, TESSERA_REG_WATCHDOG_MS, 50);
	wr(&fx, TESSERA_REG_FI_HANG, 1);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_FI_ARMED), 2);
	memcpy(fx.mem + CMD_OFF(1), nop, 4);
	queue(&fx, 1, 0, HOST(CMD_OFF(1)), nop, 1, 0);
	kick(&fx, 1);
	CHECK(t, wait_status(&fx, 1, TESSERA_RING_STATUS_HUNG));
	CHECK(t, rrd(&fx, 1, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_ERROR);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_WATCHDOG);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_RING), 1);
	CHECK_EQ(t, run(&fx, 0, nop, 1), 0);
	/* engine reset recovers it */
	rwr(&fx, 1, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ENGINE_RESETS), 1);
	CHECK(t, !(rrd(&fx, 1, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_HUNG));
	ring_setup(&fx, 1);
	CHECK_EQ(t, run(&fx, 1, nop, 1), 0);

	/* fault on next access (context 0 too) */
	wr(&fx, TESSERA_REG_FI_FAULT, 0);
	CHECK_EQ(t, run(&fx, 0, fill, 5), TESSERA_ERR_MMU_FAULT);
	CHECK_EQ(t, run(&fx, 0, fill, 5), 0);

	/* ECC: corrected counts, uncorrected faults the next HBM access */
	wr(&fx, TESSERA_REG_FI_ECC, TESSERA_FI_ECC_CORRECTED);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ECC_CORRECTED), 1);
	wr(&fx, TESSERA_REG_FI_ECC, TESSERA_FI_ECC_UNCORRECTED);
	CHECK_EQ(t, run(&fx, 0, fill, 5), TESSERA_ERR_ECC);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ECC_UNCORRECTED), 1);
	CHECK_EQ(t, run(&fx, 0, fill, 5), 0);

	/* failing engine reset: only a device reset recovers */
	wr(&fx, TESSERA_REG_FI_RESET_FAIL, 2);
	rwr(&fx, 2, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET);
	CHECK(t, rrd(&fx, 2, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_RESET_FAILED);
	rwr(&fx, 2, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET);
	CHECK(t, rrd(&fx, 2, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_RESET_FAILED);
	/* failing device reset: READY clear until the next one */
	wr(&fx, TESSERA_REG_FI_RESET_FAIL, TESSERA_FI_DEVICE);
	wr(&fx, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_STATUS) & (TESSERA_STATUS_READY |
		     TESSERA_STATUS_RESET_FAILED), TESSERA_STATUS_RESET_FAILED);
	wr(&fx, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_STATUS), TESSERA_STATUS_READY);
	CHECK_EQ(t, rrd(&fx, 2, TESSERA_RING_STATUS),
		 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_FRESH);
	for (unsigned int n = 0; n < NRINGS; n++)
		ring_setup(&fx, n);
	CHECK_EQ(t, run(&fx, 2, nop, 1), 0);
	fx_fini(&fx);
}

static void test_telemetry(struct tap *t)
{
	uint32_t wait[] = { HDR(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT, 5),
			    LO(BYP(0)), HI(BYP(0)), 1, 0 };
	uint32_t sig[] = { HDR(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_SIGNAL, 5),
			   LO(BYP(0)), HI(BYP(0)), 1, 0 };
	uint32_t p0, t0;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_ENGINE_CLASS), TESSERA_ENGINE_CLASS_COMPUTE);
	CHECK_EQ(t, rrd(&fx, 2, TESSERA_RING_ENGINE_CLASS), TESSERA_ENGINE_CLASS_DMA);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ENGINES), 2 | 1 << 8);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_CLOCK_MHZ), 1000);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_TEMP_CRIT_MC), 95000);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_POWER_CAP_MW), 300000);
	p0 = rd(&fx, TESSERA_REG_POWER_MW);
	t0 = rd(&fx, TESSERA_REG_TEMP_MC);
	CHECK(t, p0 >= 24000 && p0 <= 26000);
	CHECK(t, t0 >= 39000 && t0 <= 41000);
	/* keep two engines busy for 300 ms */
	for (unsigned int n = 0; n < 2; n++) {
		memcpy(fx.mem + CMD_OFF(n), wait, sizeof(wait));
		queue(&fx, n, 0, HOST(CMD_OFF(n)), wait, 5, 0);
		kick(&fx, n);
	}
	usleep(300000);
	CHECK(t, rd(&fx, TESSERA_REG_POWER_MW) > p0 + 50000);
	CHECK(t, rd(&fx, TESSERA_REG_TEMP_MC) > t0 + 1000);
	CHECK(t, rrd(&fx, 0, TESSERA_RING_BUSY_CYCLES_LO) > 200000000);
	CHECK_EQ(t, rrd(&fx, 2, TESSERA_RING_BUSY_CYCLES_HI), 0);
	CHECK_EQ(t, run(&fx, 2, sig, 5), 0);
	CHECK(t, wait_count(&fx, 0, 1) && wait_count(&fx, 1, 1));
	fx_fini(&fx);
}

/* ---------------------------------------------------------------------
 * Long commands and resets: no register access waits for an engine, an
 * engine lets go of an abandoned descriptor within TESSERA_RESET_BOUND_US,
 * tiled commands compute what they did in one piece, and by-ASID TLB
 * invalidations wait only for their own context.
 */

#define BIG_HBM		(512ull << 20)
#define BIG_USED	(264ull << 20)	/* what the long commands touch */
#define WRITE_BOUND_MS	100.0	/* a register write during a long command */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* GEMM C = A * A^T of an M x K matrix at HBM 0, C (M x M) after it. */
static unsigned int gemm_square(uint32_t *cmd, uint32_t dt, uint32_t m,
				uint32_t k)
{
	uint64_t c = BYP((uint64_t)m * k * t1_dtype_size(dt));
	uint32_t dw[TESSERA_CMD_GEMM_LEN] = {
		HDR(TESSERA_CMD_OP_GEMM, TESSERA_GEMM_TRANS_B, TESSERA_CMD_GEMM_LEN),
		dt, m, m, k, LO(BYP(0)), HI(BYP(0)), k, LO(BYP(0)), HI(BYP(0)), k,
		LO(c), HI(c), m, fbits(1.0f), fbits(0.0f), 0, 0,
	};

	memcpy(cmd, dw, sizeof(dw));
	return TESSERA_CMD_GEMM_LEN;
}

/* SOFTMAX or LAYERNORM of a rows x cols fp32 matrix at HBM 0, D after it. */
static unsigned int rowwise_cmd(uint32_t *cmd, bool ln, uint32_t rows,
				uint32_t cols)
{
	uint64_t d = BYP((uint64_t)rows * cols * 4);
	uint32_t dw[TESSERA_CMD_LN_LEN] = {
		HDR(ln ? TESSERA_CMD_OP_LAYERNORM : TESSERA_CMD_OP_SOFTMAX, 0,
		    ln ? TESSERA_CMD_LN_LEN : TESSERA_CMD_SOFTMAX_LEN),
		TESSERA_DTYPE_FP32, rows, cols, LO(BYP(0)), HI(BYP(0)), cols,
		LO(d), HI(d), cols, 0, 0, 0, 0, fbits(1e-5f),
	};

	memcpy(cmd, dw, sizeof(dw));
	return ln ? TESSERA_CMD_LN_LEN : TESSERA_CMD_SOFTMAX_LEN;
}

enum reset_kind { RESET_RING, RESET_DEVICE, RESET_FLR, RESET_FUNCTION };
static const char *const reset_name[] = { "ring", "device", "FLR", "function" };

/* Is the reset of @kind (of ring 0) still in progress? */
static bool resetting(struct fx *fx, enum reset_kind kind)
{
	if (kind == RESET_RING)
		return rrd(fx, 0, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_RESETTING;
	return !(rd(fx, TESSERA_REG_STATUS) & TESSERA_STATUS_READY);
}

/*
 * Start @ndw dwords on ring 0 (with a fence that must never be written),
 * let them run for 100 ms, reset (@kind), and measure how long the reset
 * access took and when the reset was complete.  False if the commands
 * were not still running at the reset (too short for this host) or the
 * reset never completed.
 */
static bool reset_during(struct tap *t, struct fx *fx, const uint32_t *cmd,
			 unsigned int ndw, enum reset_kind kind,
			 double *write_ms, double *done_ms)
{
	const uint64_t tag = 0xabad1dea;
	uint8_t *d = fx->mem + RING_OFF(0) + fx->tail[0] * TESSERA_DESC_SIZE;
	uint16_t flr = PCI_EXP_DEVCTL_BCR_FLR;
	uint32_t size = ndw * 4, flags = TESSERA_DESC_FLAG_FENCE;
	uint64_t va = HOST(CMD_OFF(0)), fence = 0, before = done_count(fx, 0);
	double t0, t1w, t2;
	bool running;

	memcpy(fx->mem + FENCE_OFF(0), &fence, 8);
	memcpy(fx->mem + CMD_OFF(0), cmd, size);
	memset(d, 0, TESSERA_DESC_SIZE);
	memcpy(d + TESSERA_DESC_CMD_ADDR, &va, 8);
	memcpy(d + TESSERA_DESC_CMD_SIZE, &size, 4);
	memcpy(d + TESSERA_DESC_FLAGS, &flags, 4);
	memcpy(d + TESSERA_DESC_TAG, &tag, 8);
	fx->tail[0] = (fx->tail[0] + 1) % RSIZE;
	kick(fx, 0);
	usleep(100000);
	running = !(rrd(fx, 0, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_IDLE) &&
		  done_count(fx, 0) == before;

	t0 = now_ms();
	switch (kind) {
	case RESET_RING:
		rwr(fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET);
		break;
	case RESET_DEVICE:
		wr(fx, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
		break;
	case RESET_FLR:
		t1_cfg_access(fx->t1, T1_CAP_EXP + PCI_EXP_DEVCTL, &flr, 2, true);
		break;
	case RESET_FUNCTION:
		t1_reset(fx->t1);
		break;
	}
	t1w = now_ms();
	*write_ms = t1w - t0;
	/* The registers are reset before the write returns. */
	CHECK_EQ(t, rrd(fx, 0, TESSERA_RING_CTRL), 0);
	CHECK_EQ(t, rrd(fx, 0, TESSERA_RING_HEAD), 0);
	while (resetting(fx, kind) && now_ms() - t0 < 5000)
		usleep(50);
	t2 = now_ms();
	*done_ms = t2 - t0;
	CHECK(t, running);
	/* Stopped for good: no fence, no completion, the ring is fresh. */
	usleep(20000);
	memcpy(&fence, fx->mem + FENCE_OFF(0), 8);
	CHECK(t, fence != tag);
	CHECK_EQ(t, done_count(fx, 0), 0);
	CHECK_EQ(t, rrd(fx, 0, TESSERA_RING_STATUS),
		 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_FRESH);
	if (kind != RESET_RING)
		CHECK_EQ(t, rd(fx, TESSERA_REG_STATUS), TESSERA_STATUS_READY);
	for (unsigned int n = 0; n < NRINGS; n++)
		if (kind != RESET_RING || !n)
			ring_setup(fx, n);
	return running && !resetting(fx, kind);
}

/*
 * Reset (@kind) while @cmd runs: the access returns within
 * WRITE_BOUND_MS, the reset completes within TESSERA_RESET_BOUND_US, and
 * the ring computes again.  The engine's units of work take a few ms, but
 * on a shared host the engine thread may wait for a CPU for longer than
 * the bound: the best of up to five tries counts.
 */
static void long_cmd_case(struct tap *t, struct fx *fx, const char *what,
			  const uint32_t *cmd, unsigned int ndw,
			  enum reset_kind kind)
{
	double write_ms, done_ms, best = 1e6, worst_write = 0;
	uint32_t fill[] = { HDR(TESSERA_CMD_OP_FILL, 0, 5), LO(BYP(0x1000)),
			    HI(BYP(0x1000)), 8, 0x600dcafe };

	for (int i = 0; i < 5 && best > TESSERA_RESET_BOUND_US / 1000.0; i++) {
		bool ok = reset_during(t, fx, cmd, ndw, kind, &write_ms, &done_ms);

		if (write_ms > worst_write)
			worst_write = write_ms;
		if (!CHECK(t, ok) || !CHECK(t, write_ms < WRITE_BOUND_MS))
			break;
		if (done_ms < best)
			best = done_ms;
	}
	printf("# %s, %s reset: access %.3f ms, reset done after %.2f ms\n",
	       what, reset_name[kind], worst_write, best);
	CHECK(t, best <= TESSERA_RESET_BOUND_US / 1000.0);
	CHECK_EQ(t, run(fx, 0, fill, 5), 0);
	CHECK_EQ(t, *(uint32_t *)(fx->hbm + 0x1004), 0x600dcafe);
}

/*
 * A device with BIG_HBM of device memory, the part the long commands use
 * populated: device memory a guest uses has been written (the driver
 * clears new buffers), and first-touch page faults of the emulator's
 * memfd would add tens of ms to the first tiles.
 */
static bool fx_init_big(struct fx *fx)
{
	if (!fx_init_hbm(fx, false, BIG_HBM))
		return false;
	memset(fx->hbm, 0, BIG_USED);
	return true;
}

/* The reviewer's case: an int8 2048 x 2048 x 65536 GEMM, every reset. */
static void test_reset_during_long_gemm(struct tap *t)
{
	uint32_t cmd[TESSERA_CMD_GEMM_LEN];
	unsigned int ndw = gemm_square(cmd, TESSERA_DTYPE_INT8, 2048, 65536);
	struct fx fx;

	if (!CHECK(t, fx_init_big(&fx)))
		return;
	for (int kind = RESET_RING; kind <= RESET_FUNCTION; kind++)
		long_cmd_case(t, &fx, "GEMM int8 2048x2048x65536", cmd, ndw, kind);
	/* and the card still computes right */
	gemm_case(t, &fx, TESSERA_DTYPE_FP32, false, true, 0.5f, 2.0f, true,
		  TESSERA_ACT_RELU);
	fx_fini(&fx);
}

/* Every other kind of long command gives up its work as quickly. */
static void test_abort_every_long_command(struct tap *t)
{
	static const struct { const char *what; uint32_t dt, m, k; } gemms[] = {
		{ "GEMM fp32 2048x2048x16384", TESSERA_DTYPE_FP32, 2048, 16384 },
		{ "GEMM fp16 2048x2048x8192", TESSERA_DTYPE_FP16, 2048, 8192 },
		/* bf16 on AMX: 2048x2048x8192 is done in under 100 ms */
		{ "GEMM bf16 2048x2048x32768", TESSERA_DTYPE_BF16, 2048, 32768 },
		{ "GEMM fp32 1024x1024x65536", TESSERA_DTYPE_FP32, 1024, 65536 },
	};
	uint32_t cmd[TESSERA_CMD_GEMM_LEN];
	unsigned int ndw;
	struct fx fx;

	if (!CHECK(t, fx_init_big(&fx)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(gemms); i++) {
		ndw = gemm_square(cmd, gemms[i].dt, gemms[i].m, gemms[i].k);
		long_cmd_case(t, &fx, gemms[i].what, cmd, ndw, RESET_RING);
	}
	{
		/* 8 commands each: one runs for well under 100 ms on oneDNN */
		uint32_t rw[8 * TESSERA_CMD_LN_LEN];

		for (bool ln = false;; ln = true) {
			ndw = 0;
			for (int i = 0; i < 8; i++)
				ndw += rowwise_cmd(rw + ndw, ln, 4096, 8192);
			long_cmd_case(t, &fx, ln ? "8 x LAYERNORM fp32 4096x8192" :
				      "8 x SOFTMAX fp32 4096x8192", rw, ndw,
				      ln ? RESET_DEVICE : RESET_RING);
			if (ln)
				break;
		}
	}
	{
		/* 16 commands of 128 MiB each, so the descriptor is long. */
		uint32_t fill[16 * TESSERA_CMD_FILL_LEN], copy[16 * TESSERA_CMD_COPY_LEN];

		for (int i = 0; i < 16; i++) {
			uint32_t f[] = { HDR(TESSERA_CMD_OP_FILL, 0, 5), LO(BYP(0)),
					 HI(BYP(0)), 128u << 20, 0x01020304 };
			uint32_t c[] = { HDR(TESSERA_CMD_OP_COPY, 0, 6), LO(BYP(0)),
					 HI(BYP(0)), LO(BYP(128u << 20)),
					 HI(BYP(128u << 20)), 128u << 20 };

			memcpy(fill + i * 5, f, sizeof(f));
			memcpy(copy + i * 6, c, sizeof(c));
		}
		long_cmd_case(t, &fx, "16 x FILL 128 MiB", fill, ARRAY_SIZE(fill),
			      RESET_RING);
		long_cmd_case(t, &fx, "16 x COPY 128 MiB", copy, ARRAY_SIZE(copy),
			      RESET_FLR);
	}
	fx_fini(&fx);
}

/* The tile grid: within budget, covering C, no slivers. */
static void test_gemm_tile_grid(struct tap *t)
{
	static const uint32_t shapes[][3] = {
		{ 1, 1, 1 }, { 37, 29, 53 }, { 1024, 1024, 1024 },
		{ 2048, 2048, 65536 }, { 1, 65536, 4096 }, { 65536, 1, 4096 },
		{ 8192, 8192, 1 }, { 2100, 2100, 3 }, { 3001, 2999, 997 },
		{ 65536, 65536, 65536 }, { 33, 65536, 65536 },
	};
	unsigned int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
		uint32_t m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
		uint64_t macs = (uint64_t)m * n * k, area = T1_TILE_MACS / k;
		uint32_t mt, nt, tm, tn;
		unsigned int was = bad;

		if (area > T1_TILE_AREA)
			area = T1_TILE_AREA;
		t1_gemm_tiles(m, n, k, T1_TILE_MACS, &mt, &nt);
		tm = (m + mt - 1) / mt;
		tn = (n + nt - 1) / nt;
		/* One tile exactly when the whole GEMM is within budget. */
		bad += (tm * tn == 1) !=
		       (macs <= T1_TILE_MACS && (uint64_t)m * n <= T1_TILE_AREA);
		bad += tm * tn > 1 && (uint64_t)mt * nt > area;
		/* the last tile of a row or column is not a sliver */
		bad += tm > 1 && m - (tm - 1) * mt < mt / 2;
		bad += tn > 1 && n - (tn - 1) * nt < nt / 2;
		/* split tiles are big enough to run efficiently */
		bad += tm * tn > 1 && (uint64_t)mt * nt * 4 < area;
		if (bad != was)
			printf("# %ux%ux%u: tiles %ux%u\n", m, n, k, mt, nt);
	}
	CHECK_EQ(t, bad, 0);
}

/*
 * GEMMs big enough to run in several tiles (and, for int8, K slices)
 * against the plain reference: tiling is invisible in the results.
 */
static void test_gemm_tiled(struct tap *t)
{
	static const struct {
		uint32_t dt; bool ta, tb; int m, n, k; float alpha, beta;
		bool bias; int act;
	} cases[] = {
		{ TESSERA_DTYPE_FP32, true, false, 1100, 1000, 300, 0.5f, 2.0f,
		  true, TESSERA_ACT_RELU },
		{ TESSERA_DTYPE_FP32, false, true, 2100, 2050, 2, 1.0f, 0.0f,
		  false, TESSERA_ACT_NONE },
		{ TESSERA_DTYPE_FP16, false, true, 2100, 2050, 4, -1.5f, 1.0f,
		  true, TESSERA_ACT_GELU },
		/* over 2^30 MACs: more than one tile on AMX hosts too */
		{ TESSERA_DTYPE_BF16, true, true, 1100, 1000, 1000, 1.0f, 0.5f,
		  true, TESSERA_ACT_RELU },
	};
	const int m = 760, n = 760, k = 1500;
	int8_t *a, *b;
	int32_t *c, *bias;
	int64_t *want;
	uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
		HDR(TESSERA_CMD_OP_GEMM, TESSERA_GEMM_BIAS | TESSERA_GEMM_TRANS_A,
		    TESSERA_CMD_GEMM_LEN),
		TESSERA_DTYPE_INT8 | TESSERA_ACT_RELU << 8, m, n, k,
		LO(BYP(0)), HI(BYP(0)), m, LO(BYP(0x200000)), HI(BYP(0x200000)),
		n, LO(BYP(0x400000)), HI(BYP(0x400000)), n, fbits(1.0f),
		fbits(1.0f), LO(BYP(0x700000)), HI(BYP(0x700000)),
	};
	unsigned int seed = 7, bad = 0;
	uint32_t mt, nt;
	struct fx fx;

	if (!CHECK(t, fx_init_hbm(&fx, false, 64u << 20)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		t1_gemm_tiles(cases[i].m, cases[i].n, cases[i].k,
			      t1_gemm_tile_macs(cases[i].dt), &mt, &nt);
		CHECK(t, mt < (uint32_t)cases[i].m || nt < (uint32_t)cases[i].n);
		gemm_check(t, &fx, cases[i].dt, cases[i].ta, cases[i].tb,
			   cases[i].m, cases[i].n, cases[i].k, cases[i].alpha,
			   cases[i].beta, cases[i].bias, cases[i].act);
	}

	/* int8: two K slices, two tiles, C and bias added, RELU, saturation */
	t1_gemm_tiles(m, n, T1_INT8_K_SLICE, T1_INT8_TILE_MACS, &mt, &nt);
	CHECK(t, k > (int)T1_INT8_K_SLICE && (mt < m || nt < n));
	a = (int8_t *)fx.hbm;			/* K x M: transposed */
	b = (int8_t *)fx.hbm + 0x200000;	/* K x N */
	c = (int32_t *)(fx.hbm + 0x400000);
	bias = (int32_t *)(fx.hbm + 0x700000);
	want = calloc((size_t)m * n, sizeof(*want));
	for (int i = 0; i < m * k; i++)
		a[i] = (int8_t)(rand_r(&seed) & 0xff);
	for (int i = 0; i < k * n; i++)
		b[i] = (int8_t)(rand_r(&seed) & 0xff);
	for (int i = 0; i < m * n; i++)
		c[i] = i % n == 1 ? INT32_MAX / 2 : i % n == 2 ? INT32_MIN / 2 :
		       (int32_t)(rand_r(&seed) % 2000001) - 1000000;
	for (int j = 0; j < n; j++)
		bias[j] = j == 1 ? INT32_MAX - 5 : j == 2 ? INT32_MIN + 5 :
			  (int32_t)(rand_r(&seed) % 20001) - 10000;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			int64_t s = (int64_t)c[i * n + j] + bias[j];

			for (int p = 0; p < k; p++)
				s += (int64_t)a[p * m + i] * b[p * n + j];
			s = s < 0 ? 0 : s;
			want[i * n + j] = s > INT32_MAX ? INT32_MAX : s;
		}
	CHECK_EQ(t, run(&fx, 0, cmd, TESSERA_CMD_GEMM_LEN), 0);
	for (int i = 0; i < m * n; i++)
		bad += c[i] != want[i];
	CHECK_EQ(t, bad, 0);
	/* column 1 saturates, column 2 goes below INT32_MIN: RELU gives 0 */
	CHECK(t, want[1] == INT32_MAX && want[2 * n + 2] == 0);
	free(want);
	fx_fini(&fx);
}

/*
 * fp16 and bf16 GEMMs in several row tiles (B packed once per column, on
 * AVX-512 hosts widened straight into oneDNN's packed layout, with N and
 * K not multiples of its 64 x 16 blocks) give exactly the fp32 GEMM of
 * their widened operands, rounded once: the programming guide's FP16
 * semantics, bit for bit (bf16 where the host widens it, AVX2).
 */
static void test_gemm_widened_exact(struct tap *t)
{
	const uint32_t m = 700, n = 1000, k = 801;
	const uint64_t A = 0, B = 0x200000, C = 0x400000, FA = 0x800000,
		       FB = 0xc00000, FC = 0x1000000;
	unsigned int seed = 21, bad = 0;
	uint32_t mt, nt;
	struct fx fx;

	if (!CHECK(t, fx_init_hbm(&fx, false, 64u << 20)))
		return;
	t1_gemm_tiles(m, n, k, t1_gemm_tile_macs(TESSERA_DTYPE_FP16), &mt, &nt);
	CHECK(t, mt < m);
	for (uint32_t dt = TESSERA_DTYPE_FP16; dt <= TESSERA_DTYPE_BF16; dt++) {
		uint32_t h[TESSERA_CMD_GEMM_LEN] = {
			HDR(TESSERA_CMD_OP_GEMM, 0, TESSERA_CMD_GEMM_LEN),
			dt, m, n, k, LO(BYP(A)), HI(BYP(A)), k, LO(BYP(B)),
			HI(BYP(B)), n, LO(BYP(C)), HI(BYP(C)), n, fbits(1.0f),
			fbits(0.0f), 0, 0,
		};
		uint32_t f[TESSERA_CMD_GEMM_LEN];
		unsigned int was = bad;

		memcpy(f, h, sizeof(f));
		f[1] = TESSERA_DTYPE_FP32;
		f[5] = LO(BYP(FA));
		f[6] = HI(BYP(FA));
		f[8] = LO(BYP(FB));
		f[9] = HI(BYP(FB));
		f[11] = LO(BYP(FC));
		f[12] = HI(BYP(FC));
		for (uint32_t i = 0; i < m * k; i++) {
			t1_store(fx.hbm + A, dt, i, frand(&seed));
			t1_store(fx.hbm + FA, TESSERA_DTYPE_FP32, i,
				 t1_load(fx.hbm + A, dt, i));
		}
		for (uint32_t i = 0; i < k * n; i++) {
			t1_store(fx.hbm + B, dt, i, frand(&seed));
			t1_store(fx.hbm + FB, TESSERA_DTYPE_FP32, i,
				 t1_load(fx.hbm + B, dt, i));
		}
		CHECK_EQ(t, run(&fx, 0, h, TESSERA_CMD_GEMM_LEN), 0);
		CHECK_EQ(t, run(&fx, 0, f, TESSERA_CMD_GEMM_LEN), 0);
		for (uint32_t i = 0; i < m * n; i++) {
			uint16_t got, want;
			float v = t1_load(fx.hbm + FC, TESSERA_DTYPE_FP32, i);

			memcpy(&got, fx.hbm + C + 2 * i, 2);
			want = dt == TESSERA_DTYPE_FP16 ? t1_f32_to_f16(v) :
							  t1_f32_to_bf16(v);
			bad += got != want &&
			       (dt == TESSERA_DTYPE_FP16 || !t1_mm_bf16());
		}
		if (bad != was)
			printf("# dt %u: %u of %u not the rounded fp32 GEMM\n", dt,
			       bad - was, m * n);
	}
	CHECK_EQ(t, bad, 0);
	fx_fini(&fx);
}

/*
 * int8 straight into C (beta 0, no bias) over a K whose sums pass 2^24
 * (where oneDNN's VNNI and plain kernels round through fp32: the
 * emulator sums in slices there and in one call on AMX), in several row
 * tiles sharing one packed B, B transposed, with and without RELU, C
 * dense and strided: every element exact against the reference.
 */
static void test_gemm_int8_big_k(struct tap *t)
{
	/* 2.2e9 MACs: two row tiles also at AMX hosts' 2^31 per tile */
	const int m = 2000, n = 1000, k = 1100;
	unsigned int seed = 11, bad = 0, big = 0;
	int8_t *a, *b;
	int32_t *c;
	int64_t *sum;
	uint32_t mt, nt;
	struct fx fx;

	if (!CHECK(t, fx_init_hbm(&fx, false, 64u << 20)))
		return;
	t1_gemm_tiles(m, n, k, t1_gemm_tile_macs(TESSERA_DTYPE_INT8), &mt, &nt);
	CHECK(t, mt < (uint32_t)m && k > (int)T1_INT8_K_SLICE);
	a = (int8_t *)fx.hbm;			/* M x K */
	b = (int8_t *)fx.hbm + 0x400000;	/* N x K: transposed */
	c = (int32_t *)(fx.hbm + 0x600000);
	sum = calloc((size_t)m * n, sizeof(*sum));
	/* near +-127 with some noise: sums beyond +-2^24, odd ones too */
	for (int i = 0; i < m * k; i++)
		a[i] = (int8_t)(127 - rand_r(&seed) % 2);
	for (int j = 0; j < n; j++)
		for (int p = 0; p < k; p++)
			b[j * k + p] = (int8_t)(j % 2 ? 127 - rand_r(&seed) % 2 :
						-128 + rand_r(&seed) % 2);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			const int8_t *ar = a + (size_t)i * k, *br = b + (size_t)j * k;
			int64_t v = 0;

			for (int p = 0; p < k; p++)
				v += ar[p] * br[p];
			sum[i * n + j] = v;
			big += v > (1 << 24) || v < -(1 << 24);
		}
	CHECK(t, big > (unsigned int)(m * n) / 2);
	for (int v = 0; v < 4; v++) {
		int act = v & 1 ? TESSERA_ACT_RELU : TESSERA_ACT_NONE;
		int ldc = v & 2 ? n + 3 : n;
		uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
			HDR(TESSERA_CMD_OP_GEMM, TESSERA_GEMM_TRANS_B,
			    TESSERA_CMD_GEMM_LEN),
			TESSERA_DTYPE_INT8 | act << 8, m, n, k, LO(BYP(0)),
			HI(BYP(0)), k, LO(BYP(0x400000)), HI(BYP(0x400000)), k,
			LO(BYP(0x600000)), HI(BYP(0x600000)), ldc, fbits(1.0f),
			fbits(0.0f), 0, 0,
		};
		unsigned int was = bad;

		memset(c, 0x5a, (size_t)m * ldc * 4);
		CHECK_EQ(t, run(&fx, 0, cmd, TESSERA_CMD_GEMM_LEN), 0);
		for (int i = 0; i < m; i++)
			for (int j = 0; j < n; j++) {
				int64_t w = sum[i * n + j];

				if (act == TESSERA_ACT_RELU && w < 0)
					w = 0;
				if (c[i * ldc + j] != w && bad - was < 3)
					printf("# [%d,%d] %d != %lld\n", i, j,
					       c[i * ldc + j], (long long)w);
				bad += c[i * ldc + j] != w;
			}
		if (bad != was)
			printf("# act %d ldc %d: %u wrong\n", act, ldc, bad - was);
	}
	CHECK_EQ(t, bad, 0);
	free(sum);
	fx_fini(&fx);
}

/*
 * FILL 1 at @va + 8 (so the test sees the engine run the context), then
 * wait on the u32 at @va until it is signalled: 10 dwords.
 */
static void emit_wait(uint32_t *dw, uint64_t va)
{
	uint32_t w[] = { HDR(TESSERA_CMD_OP_FILL, 0, 5), LO(va + 8), HI(va + 8),
			 4, 1,
			 HDR(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT, 5),
			 LO(va), HI(va), 1, 0 };

	memcpy(dw, w, sizeof(w));
}

/* Wait until the engine running emit_wait() in @asid is in the wait. */
static bool wait_started(struct fx *fx, uint32_t asid)
{
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n((uint32_t *)(fx->hbm + 0x1000 * asid + 8),
				    __ATOMIC_ACQUIRE) == 1)
			return true;
		usleep(1000);
	}
	return false;
}

/* Invalidate; is the invalidation still pending right after the write? */
static uint32_t inv(struct fx *fx, uint32_t op, uint32_t asid)
{
	wr(fx, TESSERA_REG_MMU_TLB_INV_ASID, asid);
	wr(fx, TESSERA_REG_MMU_TLB_INV, op);
	return rd(fx, TESSERA_REG_MMU_TLB_INV_STATUS) & TESSERA_TLB_INV_BUSY;
}

/*
 * A by-ASID invalidation waits for engines running that context's
 * descriptors, never for another context's; INV_ALL waits for all.
 */
static void test_tlb_invalidate_by_asid(struct tap *t)
{
	uint32_t sig[] = { HDR(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_SIGNAL, 5),
			   LO(BYP(0x1000)), HI(BYP(0x1000)), 1, 0 };
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	/* ASIDs 1 and 2 each wait on their own HBM page */
	for (uint32_t asid = 1; asid <= 2; asid++) {
		uint64_t root = ctx_create(&fx, asid);

		map_page(&fx, root, VA_CMD, HOST(CMD_OFF(asid - 1)),
			 TESSERA_PTE_READ, false);
		map_page(&fx, root, VA_DATA, (0x1000 * asid) |
			 TESSERA_PTE_DEVMEM, RW, false);
		memset(fx.hbm + 0x1000 * asid, 0, 12);
		emit_wait((uint32_t *)(fx.mem + CMD_OFF(asid - 1)), VA_DATA);
	}
	CHECK_EQ(t, inv(&fx, TESSERA_TLB_INV_ASID, 1), 0);	/* all idle */

	/* ring 0 runs ASID 1 (until signalled) */
	queue(&fx, 0, 1, VA_CMD, NULL, 10, 0);
	kick(&fx, 0);
	CHECK(t, wait_started(&fx, 1));
	CHECK_EQ(t, inv(&fx, TESSERA_TLB_INV_ASID, 2), 0);	/* not delayed */
	CHECK_EQ(t, inv(&fx, TESSERA_TLB_INV_ASID, 3), 0);
	CHECK(t, inv(&fx, TESSERA_TLB_INV_ASID, 1));		/* its own: waits */
	/* a later invalidation of another context keeps the earlier one */
	CHECK(t, inv(&fx, TESSERA_TLB_INV_ASID, 2));
	usleep(10000);
	CHECK(t, rd(&fx, TESSERA_REG_MMU_TLB_INV_STATUS) & TESSERA_TLB_INV_BUSY);

	/* ring 1 runs ASID 2 as well */
	queue(&fx, 1, 2, VA_CMD, NULL, 10, 0);
	kick(&fx, 1);
	CHECK(t, wait_started(&fx, 2));
	/* ASID 1 done: so is every invalidation written so far ... */
	CHECK_EQ(t, run(&fx, 2, sig, 5), 0);
	CHECK(t, wait_count(&fx, 0, 1));
	usleep(1000);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_MMU_TLB_INV_STATUS), 0);
	/* ... and ASID 1's are done at once, while ASID 2 holds up its own */
	CHECK_EQ(t, inv(&fx, TESSERA_TLB_INV_ASID, 1), 0);
	CHECK(t, inv(&fx, TESSERA_TLB_INV_ASID, 2));
	CHECK(t, inv(&fx, TESSERA_TLB_INV_ALL, 0));
	sig[1] = LO(BYP(0x2000));
	CHECK_EQ(t, run(&fx, 2, sig, 5), 0);
	CHECK(t, wait_count(&fx, 1, 1));
	usleep(1000);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_MMU_TLB_INV_STATUS), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_STATUS), 0);
	CHECK_EQ(t, rrd(&fx, 1, TESSERA_RING_FAULT_STATUS), 0);
	fx_fini(&fx);
}

static unsigned int log_lines(struct fx *fx)
{
	unsigned int n;

	pthread_mutex_lock(&fx->log_lock);
	n = fx->log_lines;
	pthread_mutex_unlock(&fx->log_lock);
	return n;
}

/*
 * Guest-caused errors each give a line naming the register or command,
 * at most T1_LOG_BURST a second (two windows if the loop straddles a
 * second), then a count of the lines dropped.
 */
static void test_guest_error_log(struct tap *t)
{
	uint32_t gemm[18] = { HDR(TESSERA_CMD_OP_GEMM, 0, 18) };	/* M = 0 */
	uint32_t buf = 0;
	unsigned int n0;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	n0 = log_lines(&fx);
	wr(&fx, TESSERA_REG_ID, 1);
	CHECK(t, logged(&fx, "ID (0x0000)", "read-only"));
	rwr(&fx, 1, TESSERA_RING_HEAD, 5);
	CHECK(t, logged(&fx, "RING1_HEAD", "read-only"));
	wr(&fx, TESSERA_REG_FI_HANG, 0);
	CHECK(t, logged(&fx, "FI_HANG", "fault injection"));
	wr(&fx, TESSERA_REG_RESET, 2);
	CHECK(t, logged(&fx, "RESET", "magic"));
	CHECK_EQ(t, t1_bar0_access(fx.t1, 2, &buf, 4, false), -EINVAL);
	CHECK(t, logged(&fx, "BAR0 read of 4 bytes at 0x2", "aligned"));
	CHECK_EQ(t, run(&fx, 0, gemm, 18), TESSERA_ERR_INVALID_CMD);
	CHECK(t, logged(&fx, "invalid GEMM command", "ring 0 ASID 0"));
	CHECK_EQ(t, log_lines(&fx) - n0, 6);
	/* the burst */
	sleep(1);
	n0 = log_lines(&fx);
	for (unsigned int i = 0; i < 1000; i++)
		wr(&fx, 0x0ffc, i);	/* undefined */
	CHECK(t, log_lines(&fx) - n0 <= 2 * T1_LOG_BURST + 1);
	CHECK(t, log_lines(&fx) - n0 >= 1);
	CHECK(t, logged(&fx, "(undefined) (0x0ffc)", "undefined"));
	CHECK(t, !fx.log_dropped);
	usleep(1100 * 1000);
	wr(&fx, 0x0ffc, 1);
	CHECK(t, fx.log_dropped);
	fx_fini(&fx);
}

/* ---------------------------------------------------------------------
 * Bounded host memory for operands in scattered pages
 */

/*
 * GEMM (every type, transposes, epilogues), SOFTMAX and LAYERNORM on
 * operands in scattered 4 KiB pages, with the bounce limit lowered to
 * 1 MiB so that they run in blocks: right against the references, the
 * same bits as on contiguous operands, and the engine never held more
 * than the limit in copies.
 */
static void test_scattered_blocks(struct tap *t)
{
	const int m = 256, n = 600, k = 1500;
	const uint64_t A = 0, B = 0x100000, C = 0x200000, BI = 0x300000;
	unsigned int seed = 5, bad = 0;
	int8_t *a, *b;
	int32_t *c, *bias, *sc;
	int64_t *want;
	struct fx fx;

	if (!CHECK(t, fx_scatter(&fx)))
		return;
	t1_set_bounce_limit(fx.t1, 1u << 20);
	gemm_check(t, &fx, TESSERA_DTYPE_FP32, false, false, 256, 600, 700,
		   1.0f, 0.0f, false, TESSERA_ACT_NONE);
	gemm_check(t, &fx, TESSERA_DTYPE_FP32, true, true, 256, 600, 700,
		   0.5f, 2.0f, true, TESSERA_ACT_RELU);
	gemm_check(t, &fx, TESSERA_DTYPE_FP16, false, true, 256, 600, 700,
		   -1.5f, 1.0f, true, TESSERA_ACT_GELU);
	gemm_check(t, &fx, TESSERA_DTYPE_BF16, true, false, 256, 600, 700,
		   1.0f, 0.5f, true, TESSERA_ACT_RELU);
	for (uint32_t dt = TESSERA_DTYPE_FP32; dt <= TESSERA_DTYPE_BF16; dt++)
		softmax_layernorm_case(t, &fx, dt, 1000, 300, 301);

	/* int8, A transposed, C and bias added, RELU, K in slices: exact */
	a = (int8_t *)fx.hbm + A;	/* K x M */
	b = (int8_t *)fx.hbm + B;	/* K x N */
	c = (int32_t *)(fx.hbm + C);
	bias = (int32_t *)(fx.hbm + BI);
	want = calloc((size_t)m * n, sizeof(*want));
	sc = calloc((size_t)m * n, sizeof(*sc));
	for (int i = 0; i < m * k; i++)
		a[i] = (int8_t)(rand_r(&seed) & 0xff);
	for (int i = 0; i < k * n; i++)
		b[i] = (int8_t)(rand_r(&seed) & 0xff);
	for (int i = 0; i < m * n; i++)
		c[i] = (int32_t)(rand_r(&seed) % 2000001) - 1000000;
	for (int j = 0; j < n; j++)
		bias[j] = (int32_t)(rand_r(&seed) % 20001) - 10000;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			int64_t v = (int64_t)c[i * n + j] + bias[j];

			for (int p = 0; p < k; p++)
				v += (int64_t)a[p * m + i] * b[p * n + j];
			want[i * n + j] = v < 0 ? 0 : v;
		}
	{
		uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
			HDR(TESSERA_CMD_OP_GEMM,
			    TESSERA_GEMM_BIAS | TESSERA_GEMM_TRANS_A,
			    TESSERA_CMD_GEMM_LEN),
			TESSERA_DTYPE_INT8 | TESSERA_ACT_RELU << 8, m, n, k,
			LO(VA_DATA + A), HI(VA_DATA + A), m, LO(VA_DATA + B),
			HI(VA_DATA + B), n, LO(VA_DATA + C), HI(VA_DATA + C), n,
			fbits(1.0f), fbits(1.0f), LO(VA_DATA + BI),
			HI(VA_DATA + BI),
		};

		scatter_copy(&fx, BI + 4 * n);
		CHECK_EQ(t, run_asid1(&fx, cmd, TESSERA_CMD_GEMM_LEN), 0);
		gather_copy(&fx, sc, C, (size_t)m * n * 4);
		for (int i = 0; i < m * n; i++)
			bad += sc[i] != want[i];
		CHECK_EQ(t, bad, 0);
	}
	printf("# bounce peak %llu KiB of the 1024 KiB limit\n",
	       (unsigned long long)fx.t1->ring[0].bounce_peak >> 10);
	CHECK(t, fx.t1->ring[0].bounce_peak > 0);
	CHECK(t, fx.t1->ring[0].bounce_peak <= 1u << 20);
	free(want);
	free(sc);
	fx_fini(&fx);
}

static long proc_status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), " %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* The process's peak RSS back to its current RSS (proc(5), clear_refs). */
static bool peak_rss_reset(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	bool ok = f && fputs("5", f) >= 0;

	return f && !fclose(f) && ok;
}

static float sc_a(uint32_t i, uint32_t p)
{
	return (float)((int)((i * 5 + p * 3) % 13) - 6) * 0.25f;
}

static float sc_b(uint32_t p, uint32_t j)
{
	return (float)((int)((p * 7 + j * 3) % 17) - 8) * 0.125f;
}

/*
 * An fp32 GEMM whose 240 MiB B (the limits allow 256 MiB per operand)
 * and 15 MiB C are in scattered 2 MiB pages: the engine copies them a
 * block at a time, so the emulator's memory grows by less than 128 MiB
 * (it grew by all of B and C before: 255 MiB), within T1_BOUNCE_BYTES of
 * copies, and C is exact (the values are multiples of 1/32 whose sums
 * fp32 holds exactly in any order).
 */
/*
 * The small fp32 paths in C (t1_vec.c).  GEMM: RELU of NaN is 0 (the
 * programming guide), GELU the erf form.  ELEMENTWISE ADD, MUL, SCALE:
 * exactly the one IEEE operation.  SOFTMAX and LAYERNORM: each row gives
 * the same bits run alone as among others, whether it takes the C path or
 * (a row with a NaN or an infinity) oneDNN's, and a -inf input's
 * probability is 0.
 */
static void test_small_fp32_paths(struct tap *t)
{
	const uint32_t m = 3, n = 8, k = 16, rows = 4, cols = 40;
	const uint64_t A = 0, B = 0x1000, C = 0x2000, S = 0x10000, D = 0x20000, E = 0x30000;
	unsigned int seed = 11, bad = 0;
	float *a, *b, *c, *x;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	a = (float *)(fx.hbm + A);
	b = (float *)(fx.hbm + B);
	c = (float *)(fx.hbm + C);
	for (uint32_t act = TESSERA_ACT_RELU; act <= TESSERA_ACT_GELU; act++) {
		uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
			HDR(TESSERA_CMD_OP_GEMM, 0, TESSERA_CMD_GEMM_LEN),
			TESSERA_DTYPE_FP32 | act << 8, m, n, k, LO(BYP(A)), HI(BYP(A)), k,
			LO(BYP(B)), HI(BYP(B)), n, LO(BYP(C)), HI(BYP(C)), n,
			fbits(1.0f), fbits(0.0f), 0, 0,
		};

		for (uint32_t i = 0; i < m * k; i++)
			a[i] = 2 * frand(&seed);
		for (uint32_t i = 0; i < k * n; i++)
			b[i] = frand(&seed);
		a[3] = NAN;	/* row 0 of C is all NaN before the activation */
		CHECK_EQ(t, run(&fx, 0, cmd, TESSERA_CMD_GEMM_LEN), 0);
		for (uint32_t i = 0; i < m; i++)
			for (uint32_t j = 0; j < n; j++) {
				double v = 0, want;

				for (uint32_t p = 0; p < k; p++)
					v += (double)a[i * k + p] * b[p * n + j];
				want = act == TESSERA_ACT_RELU ? (v > 0 ? v : 0) :
				       0.5 * v * (1 + erf(v / sqrt(2.0)));
				if (i == 0 ? (act == TESSERA_ACT_RELU ? c[j] != 0.0f :
								!isnan(c[j])) :
					     fabs(c[i * n + j] - want) > 1e-5 * (1 + fabs(want))) {
					if (!bad++)
						printf("# act %u C[%u,%u] = %g, want %g\n", act, i,
						       j, c[i * n + j], i ? want : 0.0);
				}
			}
	}
	CHECK_EQ(t, bad, 0);

	/* ELEMENTWISE: exact */
	for (uint32_t op = TESSERA_EW_ADD; op <= TESSERA_EW_SCALE; op++) {
		uint32_t cmd[] = {
			HDR(TESSERA_CMD_OP_ELEMENTWISE, op, 10), TESSERA_DTYPE_FP32 * 0x101,
			1000, LO(BYP(S)), HI(BYP(S)), op == TESSERA_EW_SCALE ? 0 : LO(BYP(D)),
			op == TESSERA_EW_SCALE ? 0 : HI(BYP(D)), LO(BYP(E)), HI(BYP(E)),
			op == TESSERA_EW_SCALE ? fbits(0.3f) : 0,
		};
		float *p = (float *)(fx.hbm + S), *q = (float *)(fx.hbm + D),
		      *r = (float *)(fx.hbm + E);

		for (uint32_t i = 0; i < 1000; i++) {
			p[i] = 100 * frand(&seed);
			q[i] = frand(&seed);
		}
		CHECK_EQ(t, run(&fx, 0, cmd, 10), 0);
		for (uint32_t i = 0, wrong = 0; i < 1000 && !wrong; i++) {
			float want = op == TESSERA_EW_ADD ? p[i] + q[i] :
				     op == TESSERA_EW_MUL ? p[i] * q[i] : p[i] * 0.3f;

			wrong = memcmp(&want, &r[i], 4) != 0;
			CHECK(t, !wrong || !printf("# ew op %u [%u]: %a, want %a\n", op, i,
						   r[i], want));
		}
	}

	/* SOFTMAX and LAYERNORM rows: alone or together, the same bits */
	x = (float *)(fx.hbm + S);
	for (uint32_t i = 0; i < rows * cols; i++)
		x[i] = 4 * frand(&seed);
	x[1 * cols + 7] = NAN;
	x[2 * cols + 3] = -INFINITY;
	x[2 * cols + 9] = -INFINITY;
	x[3 * cols + 5] = INFINITY;
	for (int ln = 0; ln < 2; ln++) {
		uint32_t cmd[15] = {
			HDR(ln ? TESSERA_CMD_OP_LAYERNORM : TESSERA_CMD_OP_SOFTMAX, 0, ln ? 15 : 10),
			TESSERA_DTYPE_FP32, rows, cols, LO(BYP(S)), HI(BYP(S)), cols,
			LO(BYP(D)), HI(BYP(D)), cols, 0, 0, 0, 0, fbits(1e-5f),
		};
		float *all = (float *)(fx.hbm + D), one[4][40];

		CHECK_EQ(t, run(&fx, 0, cmd, ln ? 15 : 10), 0);
		memcpy(one, all, sizeof(one));
		for (uint32_t r = 0; r < rows; r++) {
			cmd[2] = 1;
			cmd[4] = LO(BYP(S + r * cols * 4));
			cmd[5] = HI(BYP(S + r * cols * 4));
			memset(all, 0xa5, cols * 4);
			CHECK_EQ(t, run(&fx, 0, cmd, ln ? 15 : 10), 0);
			CHECK(t, !memcmp(all, one[r], cols * 4) ||
				 !printf("# %s row %u differs alone\n", ln ? "LAYERNORM" : "SOFTMAX",
					 r));
		}
		if (!ln) {
			double mx = -INFINITY, sum = 0;

			CHECK(t, one[2][3] == 0.0f && one[2][9] == 0.0f);
			for (uint32_t j = 0; j < cols; j++)
				mx = fmax(mx, x[j]);
			for (uint32_t j = 0; j < cols; j++)
				sum += exp(x[j] - mx);
			for (uint32_t j = 0; j < cols; j++)
				CHECK(t, fabs(one[0][j] - exp(x[j] - mx) / sum) <= 1e-6);
		}
	}
	fx_fini(&fx);
}

/*
 * Translations the engine keeps (struct t1_span): a COPY through 4 KiB
 * pages of device memory translates its pages once; the same COPY in the
 * next descriptor translates none of them again; after a TLB invalidation
 * it translates them all again.  Host memory is translated again in every
 * descriptor (its host pointers live only as long as the descriptor).
 */
static void test_span_cache(struct tap *t)
{
	const uint32_t pages = 256, len = pages * 4096;
	const uint64_t src = VA_DATA, dst = VA_DATA + (8u << 20), hsrc = VA_DATA + (16u << 20),
		       hdst = VA_DATA + (24u << 20);
	uint64_t r1, n[3], h[2];
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, false)))
		return;
	r1 = ctx_create(&fx, 1);
	map_page(&fx, r1, VA_CMD, HOST(CMD_OFF(0)), TESSERA_PTE_READ, false);
	for (uint64_t off = 0; off < len; off += 4096) {
		map_page(&fx, r1, src + off, off | TESSERA_PTE_DEVMEM, TESSERA_PTE_READ, false);
		map_page(&fx, r1, dst + off, (len + off) | TESSERA_PTE_DEVMEM, RW, false);
		map_page(&fx, r1, hsrc + off, HOST(DATA_OFF + off), TESSERA_PTE_READ, false);
		map_page(&fx, r1, hdst + off, HOST(DATA_OFF + len + off), RW, false);
	}
	for (uint32_t i = 0; i < len; i++) {
		fx.hbm[i] = (uint8_t)(i * 7 + (i >> 12));
		fx.mem[DATA_OFF + i] = (uint8_t)(i * 5 + 1);
	}
	n[0] = copy_translations(&fx, src, dst, len);
	n[1] = copy_translations(&fx, src, dst, len);
	wr(&fx, TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ALL);
	for (int i = 0; i < 1000 && rd(&fx, TESSERA_REG_MMU_TLB_INV_STATUS); i++)
		usleep(1000);
	n[2] = copy_translations(&fx, src, dst, len);
	h[0] = copy_translations(&fx, hsrc, hdst, len);
	h[1] = copy_translations(&fx, hsrc, hdst, len);
	printf("# %u-page COPY in device memory: %llu, %llu, after an invalidation %llu "
	       "translations; in host memory %llu, %llu\n", pages, (unsigned long long)n[0],
	       (unsigned long long)n[1], (unsigned long long)n[2], (unsigned long long)h[0],
	       (unsigned long long)h[1]);
	CHECK(t, n[0] >= 2 * pages && n[0] != UINT64_MAX);
	CHECK(t, n[1] <= 2);	/* the command page at most */
	CHECK(t, n[2] >= 2 * pages && n[2] != UINT64_MAX);
	CHECK(t, h[0] >= 2 * pages && h[1] >= 2 * pages && h[1] != UINT64_MAX);
	CHECK(t, !memcmp(fx.hbm, fx.hbm + len, len));
	CHECK(t, !memcmp(fx.mem + DATA_OFF, fx.mem + DATA_OFF + len, len));
	fx_fini(&fx);
}

/*
 * Bounce buffers are kept for the next commands (within T1_BOUNCE_KEEP):
 * the same GEMM on scattered operands twice reuses them, with the same
 * bits.
 */
static void test_bounce_reuse(struct tap *t)
{
	struct t1_ring *r;
	uint64_t reused;
	struct fx fx;

	if (!CHECK(t, fx_scatter(&fx)))
		return;
	r = &fx.t1->ring[0];
	gemm_check(t, &fx, TESSERA_DTYPE_FP32, false, true, 48, 130, 200, 1.0f, 1.0f, true,
		   TESSERA_ACT_GELU);
	reused = r->bounce_reused;
	gemm_check(t, &fx, TESSERA_DTYPE_FP32, false, true, 48, 130, 200, 1.0f, 1.0f, true,
		   TESSERA_ACT_GELU);
	printf("# bounce buffers reused %llu times by the second GEMM, %llu bytes kept\n",
	       (unsigned long long)(r->bounce_reused - reused),
	       (unsigned long long)r->bounce_kept);
	CHECK(t, r->bounce_reused > reused);
	CHECK(t, r->bounce_kept <= T1_BOUNCE_KEEP);
	fx_fini(&fx);
}

static void test_scattered_memory(struct tap *t)
{
	const uint32_t m = 64, k = 1024, n = 61440;
	const uint64_t page = 2u << 20, A = 240u << 20, B = 0, C = 242u << 20;
	uint32_t cmd[TESSERA_CMD_GEMM_LEN] = {
		HDR(TESSERA_CMD_OP_GEMM, 0, TESSERA_CMD_GEMM_LEN),
		TESSERA_DTYPE_FP32, m, n, k, LO(VA_DATA + A), HI(VA_DATA + A),
		k, LO(VA_DATA + B), HI(VA_DATA + B), n, LO(VA_DATA + C),
		HI(VA_DATA + C), n, fbits(1.0f), fbits(0.0f), 0, 0,
	};
	unsigned int bad = 0;
	long base, grew;
	struct fx fx;

	if (!CHECK(t, fx_init_hbm(&fx, false, BIG_HBM)))
		return;
	map_scattered(&fx, 0, BIG_HBM, true);
	for (uint32_t p = 0; p < k; p++)
		for (uint32_t j = 0; j < n; j++) {
			float v = sc_b(p, j);

			memcpy(fx.hbm + scat_at(B + ((uint64_t)p * n + j) * 4, page),
			       &v, 4);
		}
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t p = 0; p < k; p++) {
			float v = sc_a(i, p);

			memcpy(fx.hbm + scat_at(A + ((uint64_t)i * k + p) * 4, page),
			       &v, 4);
		}
	for (uint64_t x = 0; x < (uint64_t)m * n * 4; x += 4096)
		memset(fx.hbm + scat_at(C + x, page), 0xff, 4096);
	/* once to make the math's own (kept) buffers and primitives */
	CHECK_EQ(t, run_asid1(&fx, cmd, TESSERA_CMD_GEMM_LEN), 0);
	if (!CHECK(t, peak_rss_reset()))
		goto out;
	base = proc_status_kb("VmHWM:");
	CHECK_EQ(t, run_asid1(&fx, cmd, TESSERA_CMD_GEMM_LEN), 0);
	grew = proc_status_kb("VmHWM:") - base;
	printf("# 240 MiB B, 15 MiB C scattered: memory grew by %ld MiB, "
	       "copies peaked at %llu MiB\n", grew >> 10,
	       (unsigned long long)fx.t1->ring[0].bounce_peak >> 20);
	CHECK(t, base > 0 && grew < 128 * 1024);
	CHECK(t, fx.t1->ring[0].bounce_peak <= T1_BOUNCE_BYTES);
	for (uint32_t i = 0; i < m; i++)
		for (uint32_t j = 0; j < n; j += 97) {
			double want = 0;
			float got;

			for (uint32_t p = 0; p < k; p++)
				want += (double)sc_a(i, p) * sc_b(p, j);
			memcpy(&got, fx.hbm + scat_at(C + ((uint64_t)i * n + j) * 4,
						      page), 4);
			bad += got != want;
		}
	CHECK_EQ(t, bad, 0);
out:
	fx_fini(&fx);
}

/*
 * An operand that does not split (ELEMENTWISE's) over a lowered limit:
 * ERR_INVALID_CMD with a guest-error line naming it, nothing written;
 * with the limit back, the same command runs.
 */
static void test_bounce_limit_error(struct tap *t)
{
	const uint32_t count = 65536;
	const uint64_t A = 0, B = 0x40000, D = 0x80000;
	uint32_t cmd[] = {
		HDR(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_ADD, 10),
		TESSERA_DTYPE_FP32 | TESSERA_DTYPE_FP32 << 8, count,
		LO(VA_DATA + A), HI(VA_DATA + A), LO(VA_DATA + B),
		HI(VA_DATA + B), LO(VA_DATA + D), HI(VA_DATA + D), 0,
	};
	float *a, *b, *d = calloc(count, sizeof(*d));
	unsigned int bad = 0;
	struct fx fx;

	if (!CHECK(t, fx_scatter(&fx)))
		return;
	a = (float *)(fx.hbm + A);
	b = (float *)(fx.hbm + B);
	for (uint32_t i = 0; i < count; i++) {
		a[i] = (float)i;
		b[i] = 0.5f;
	}
	memset(fx.hbm + D, 0x7f, 4 * count);
	scatter_copy(&fx, D + 4 * count);
	t1_set_bounce_limit(fx.t1, 64u << 10);
	CHECK_EQ(t, run_asid1(&fx, cmd, 10), TESSERA_ERR_INVALID_CMD);
	CHECK(t, logged(&fx, "ASID 1: operand at 0x7f0000000000",
			"not contiguous in host memory"));
	gather_copy(&fx, d, D, 4 * count);
	for (uint32_t i = 0; i < count; i++)
		bad += fbits(d[i]) != 0x7f7f7f7f;
	CHECK_EQ(t, bad, 0);
	CHECK_EQ(t, fx.t1->ring[0].bounced, 0);
	t1_set_bounce_limit(fx.t1, T1_BOUNCE_BYTES);
	CHECK_EQ(t, run_asid1(&fx, cmd, 10), 0);
	gather_copy(&fx, d, D, 4 * count);
	for (uint32_t i = 0; i < count; i++)
		bad += d[i] != (float)i + 0.5f;
	CHECK_EQ(t, bad, 0);
	free(d);
	fx_fini(&fx);
}

static const struct tap_test tests[] = {
	{ "COPY, FILL, TIMESTAMP, malformed commands", test_copy_fill_timestamp },
	{ "SEMAPHORE across engines, busy cycles", test_semaphore_cross_engine },
	{ "GEMM fp32/fp16/bf16, transposes, epilogue", test_gemm_float },
	{ "GEMM int8 -> int32, saturation", test_gemm_int8 },
	{ "fp16 row conversions match the scalar ones", test_row_conversions },
	{ "math threads: shares, deterministic results", test_math_threads },
	{ "every command type: same bits twice and on another engine",
	  test_determinism },
	{ "fp16/bf16/int8 conversions", test_number_formats },
	{ "ELEMENTWISE", test_elementwise },
	{ "ELEMENTWISE: CAST every pair, NaN, in place", test_elementwise_edges },
	{ "SOFTMAX and LAYERNORM", test_softmax_layernorm },
	{ "MMU: 4K/2M pages, permissions, context faults", test_mmu },
	{ "MMU (1.4): EXEC permission on command fetch", test_mmu_exec },
	{ "MMU (1.4): 2 MiB TLB entries, page-walk counter", test_mmu_huge_walks },
	{ "MMU: TLB invalidation", test_tlb_invalidate },
	{ "MMU: COPY between scattered host pages and HBM", test_copy_scattered },
	{ "watchdog, resets, ECC, fault injection", test_fault_injection },
	{ "telemetry moves with load", test_telemetry },
	{ "GEMM tile grid", test_gemm_tile_grid },
	{ "GEMM in tiles and K slices matches the reference", test_gemm_tiled },
	{ "GEMM int8 over 2^24, straight into C, exact", test_gemm_int8_big_k },
	{ "GEMM fp16 (bf16 widened) is the rounded fp32 GEMM, bit for bit",
	  test_gemm_widened_exact },
	{ "MMU: by-ASID invalidation waits only for its context",
	  test_tlb_invalidate_by_asid },
	{ "resets during an int8 2048x2048x65536 GEMM do not wait",
	  test_reset_during_long_gemm },
	{ "every long command gives up its work within the bound",
	  test_abort_every_long_command },
	{ "guest errors: rate-limited lines naming the register or command",
	  test_guest_error_log },
	{ "scattered operands: GEMM, SOFTMAX, LAYERNORM in blocks, same bits",
	  test_scattered_blocks },
	{ "scattered 240 MiB operand: host memory bounded", test_scattered_memory },
	{ "small fp32 GEMM, ELEMENTWISE, SOFTMAX, LAYERNORM in C: NaN, rows alone",
	  test_small_fp32_paths },
	{ "MMU: translations kept across descriptors for device memory only",
	  test_span_cache },
	{ "bounce buffers kept for the next command", test_bounce_reuse },
	{ "operand over the bounce limit: clean error, logged",
	  test_bounce_limit_error },
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
