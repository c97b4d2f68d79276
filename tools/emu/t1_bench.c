// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * t1-bench: emulator speed against the host, in one run.
 *
 *   GEMM per type (fp32, fp16, bf16, int8) at 1024^3 and 2048^3 and two
 *   transformer shapes through the card, beside the same GEMM on oneDNN
 *   called directly (fp16: oneDNN fp32, which is what the card's fp16
 *   runs on) and OpenBLAS sgemm;
 *   the same GEMM, per type, on 1 and on 2 compute engines at once;
 *   COPY 64 MiB host memory -> device memory vs memcpy;
 *   COPY 64 MiB device memory -> device memory in a context (ASID 1)
 *   mapped with 2 MiB pages and with 4 KiB pages: time and page-table
 *   walks (RING_PT_WALKS, hardware 1.4);
 *   the training commands (hardware 1.5) at the shapes of issue 14's
 *   default model (d 256, 4 heads of 64, FFN 688, context 128, batch 16,
 *   vocabulary 256; 3.5 M parameters), fp32, each alone: time and rate,
 *   and BGEMM against the same matrices as one GEMM command each.
 *   "t1-bench train" runs only those.
 *
 * Not a test: it prints the ratios (targets: emulator >= 0.90x oneDNN
 * direct; 2 engines at once >= 0.90x one engine; COPY >= 0.80x memcpy).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <cblas.h>
#include <dnnl.h>
#include <omp.h>

#include "t1.h"
#include "accel/tessera_cmd.h"
#include "t1_dnnl.h"
#include "tessera_regs.h"
#include "vfu.h"

#define MEM_IOVA	0x100000000ull
#define MEM_SIZE	(80u << 20)
#define RING_OFF(r)	((r) * 0x1000u)		/* 64 descriptors each */
#define CMD_OFF(r)	(0x10000u + (r) * 0x1000u)
#define FENCE_OFF(r)	(0x20000u + (r) * 8u)
#define SRC_OFF		(16u << 20)
#define COPY_SIZE	(64u << 20)
#define HBM_SIZE	(256ull << 20)
#define A_OFF		0ull
#define B_OFF		(64ull << 20)
#define C_OFF(r)	((128ull + 64 * (r)) << 20)
#define NRINGS		2
/* Context test: context table, then a page-table pool, in host memory. */
#define CTX_OFF		0x30000u
#define PT_OFF		0x40000u
#define PT_END		SRC_OFF
#define VA_SRC		0x40000000ull
#define VA_DST		0x80000000ull

struct bench {
	struct vfu_ctx *vfu;
	struct t1 *t1;
	uint8_t *mem, *hbm;
	uint32_t tail[NRINGS];
	uint64_t tag[NRINGS];	/* of the last descriptor submitted */
	sem_t irq;		/* posted by every MSI-X message */
	dnnl_engine_t eng;
	dnnl_stream_t stream;
};

static void h_hold(void *o) { vfu_dma_hold(((struct bench *)o)->vfu); }
static void h_release(void *o) { vfu_dma_release(((struct bench *)o)->vfu); }
static void *h_ptr(void *o, uint64_t a, uint64_t *l, bool w)
{
	return vfu_dma_ptr(((struct bench *)o)->vfu, a, l, w);
}
static void h_irq(void *o, unsigned int v)
{
	(void)v;
	sem_post(&((struct bench *)o)->irq);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void wreg(struct bench *b, unsigned int r, uint32_t off, uint32_t v)
{
	t1_reg_write(b->t1, TESSERA_RING_BASE(r) + off, v);
}

/* Put @ndw dwords on ring @r as one descriptor and ring its doorbell. */
static void post(struct bench *b, unsigned int r, const uint32_t *dw,
		 uint32_t ndw)
{
	uint8_t *d = b->mem + RING_OFF(r) + b->tail[r] * TESSERA_DESC_SIZE;
	uint64_t va = MEM_IOVA + CMD_OFF(r);
	uint32_t size = ndw * 4;
	uint32_t flags = TESSERA_DESC_FLAG_FENCE | TESSERA_DESC_FLAG_IRQ;
	uint64_t tag = ++b->tag[r];

	memcpy(b->mem + CMD_OFF(r), dw, size);
	memset(d, 0, TESSERA_DESC_SIZE);
	memcpy(d + TESSERA_DESC_CMD_ADDR, &va, 8);
	memcpy(d + TESSERA_DESC_CMD_SIZE, &size, 4);
	memcpy(d + TESSERA_DESC_FLAGS, &flags, 4);
	memcpy(d + TESSERA_DESC_TAG, &tag, 8);
	b->tail[r] = (b->tail[r] + 1) % 64;
	wreg(b, r, TESSERA_RING_TAIL, b->tail[r]);
	wreg(b, r, TESSERA_RING_DOORBELL, 1);
}

/*
 * Sleep until ring @r's last descriptor completed, as a driver does.  Do
 * not poll, not even with usleep(): on a 2-core host the math library
 * runs a thread per core, each wakeup of a poller preempts one of them,
 * and the other then waits for it at the next synchronisation point.
 * The fence (the descriptor's tag) is written before the interrupt.
 */
static void wait_ring(struct bench *b, unsigned int r)
{
	while (__atomic_load_n((uint64_t *)(b->mem + FENCE_OFF(r)),
			       __ATOMIC_ACQUIRE) != b->tag[r])
		sem_wait(&b->irq);
}

static uint32_t pt_next;

static uint64_t pt_alloc(struct bench *b)
{
	uint64_t off = pt_next;

	if (pt_next + 4096 > PT_END)
		abort();
	pt_next += 4096;
	memset(b->mem + off, 0, 4096);
	return off;
}

/* Map @va -> @pa (bus address, or HBM offset with DEVMEM in @flags). */
static void map_page(struct bench *b, uint64_t root, uint64_t va, uint64_t pa,
		     uint64_t flags, bool huge)
{
	uint64_t table = root;

	for (int level = 4; level > (huge ? 2 : 1); level--) {
		uint64_t *e = (uint64_t *)(b->mem + table) +
			      ((va >> (12 + 9 * (level - 1))) & 511);

		if (!(*e & TESSERA_PTE_VALID))
			*e = (MEM_IOVA + pt_alloc(b)) | TESSERA_PTE_VALID;
		table = (*e & TESSERA_PTE_ADDR_MASK) - MEM_IOVA;
	}
	((uint64_t *)(b->mem + table))[(va >> (huge ? 21 : 12)) & 511] =
		pa | flags | TESSERA_PTE_VALID | (huge ? TESSERA_PTE_HUGE : 0);
}

#define LO(x)	((uint32_t)(x))
#define HI(x)	((uint32_t)((uint64_t)(x) >> 32))
#define DEV(o)	(TESSERA_BYPASS_HBM_BASE + (o))

static uint32_t fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static void gemm_cmd(uint32_t *cmd, uint32_t dt, uint32_t m, uint32_t n,
		     uint32_t k, unsigned int r)
{
	uint32_t c[TESSERA_CMD_GEMM_LEN] = {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM, 0, TESSERA_CMD_GEMM_LEN),
		dt, m, n, k, LO(DEV(A_OFF)), HI(DEV(A_OFF)), k,
		LO(DEV(B_OFF)), HI(DEV(B_OFF)), n,
		LO(DEV(C_OFF(r))), HI(DEV(C_OFF(r))), n,
		fbits(1.0f), fbits(0.0f), 0, 0,
	};

	memcpy(cmd, c, sizeof(c));
}

/* A and B in the GEMM's type: finite values, no subnormals. */
static void fill(struct bench *b, uint32_t dt, uint64_t elems)
{
	for (uint64_t i = 0; i < elems; i++) {
		uint8_t *pa = b->hbm + A_OFF, *pb = b->hbm + B_OFF;
		float f = (float)(i % 17) * 0.25f - 2.0f;
		uint16_t h = dt == TESSERA_DTYPE_FP16 ? 0x3c00 : 0x3f80;

		switch (dt) {
		case TESSERA_DTYPE_FP32:
			memcpy(pa + 4 * i, &f, 4);
			memcpy(pb + 4 * i, &f, 4);
			break;
		case TESSERA_DTYPE_INT8:
			pa[i] = pb[i] = (uint8_t)(i % 7);
			break;
		default:
			memcpy(pa + 2 * i, &h, 2);
			memcpy(pb + 2 * i, &h, 2);
			break;
		}
	}
}

/* Best time of @reps runs of the GEMM on ring 0. */
static double emu_gemm(struct bench *b, uint32_t dt, uint32_t m, uint32_t n,
		       uint32_t k, int reps)
{
	uint32_t cmd[TESSERA_CMD_GEMM_LEN];
	double best = 1e9;

	gemm_cmd(cmd, dt, m, n, k, 0);
	for (int i = 0; i < reps; i++) {
		double t0 = now_s(), t;

		post(b, 0, cmd, TESSERA_CMD_GEMM_LEN);
		wait_ring(b, 0);
		t = now_s() - t0;
		best = t < best ? t : best;
	}
	return best;
}

/*
 * The same GEMM on oneDNN called directly, on the same memory: one
 * matmul over the whole problem (fp16: fp32; int8: s8 x s8 -> s32).
 * Made once, run by direct_run(); false if oneDNN refuses.
 */
struct direct {
	dnnl_primitive_t prim;
	dnnl_memory_t ma, mb, mc;
};

static bool direct_init(struct bench *b, struct direct *d, uint32_t dt,
			uint32_t m, uint32_t n, uint32_t k)
{
	dnnl_data_type_t t = dt == TESSERA_DTYPE_BF16 ? dnnl_bf16 :
			     dt == TESSERA_DTYPE_INT8 ? dnnl_s8 : dnnl_f32;
	dnnl_data_type_t ct = dt == TESSERA_DTYPE_INT8 ? dnnl_s32 : t;
	dnnl_dims_t ad = { m, k }, bd = { k, n }, cd = { m, n };
	dnnl_memory_desc_t amd, bmd, cmd;
	dnnl_matmul_desc_t desc;
	dnnl_primitive_desc_t pd = NULL;
	bool ok;

	memset(d, 0, sizeof(*d));
	ok = !dnnl_memory_desc_init_by_tag(&amd, 2, ad, t, dnnl_ab) &&
	     !dnnl_memory_desc_init_by_tag(&bmd, 2, bd, t, dnnl_ab) &&
	     !dnnl_memory_desc_init_by_tag(&cmd, 2, cd, ct, dnnl_ab) &&
	     !dnnl_matmul_desc_init(&desc, &amd, &bmd, NULL, &cmd) &&
	     !dnnl_primitive_desc_create(&pd, &desc, NULL, b->eng, NULL) &&
	     !dnnl_primitive_create(&d->prim, pd) &&
	     !dnnl_memory_create(&d->ma, &amd, b->eng, b->hbm + A_OFF) &&
	     !dnnl_memory_create(&d->mb, &bmd, b->eng, b->hbm + B_OFF) &&
	     !dnnl_memory_create(&d->mc, &cmd, b->eng, b->hbm + C_OFF(0));
	if (pd)
		dnnl_primitive_desc_destroy(pd);
	return ok;
}

/* Seconds of one run. */
static double direct_run(struct bench *b, struct direct *d)
{
	dnnl_exec_arg_t args[] = { { DNNL_ARG_SRC, d->ma },
				   { DNNL_ARG_WEIGHTS, d->mb },
				   { DNNL_ARG_DST, d->mc } };
	double t0 = now_s();

	dnnl_primitive_execute(d->prim, b->stream, 3, args);
	dnnl_stream_wait(b->stream);
	return now_s() - t0;
}

static void direct_fini(struct direct *d)
{
	dnnl_memory_destroy(d->ma);
	dnnl_memory_destroy(d->mb);
	dnnl_memory_destroy(d->mc);
	dnnl_primitive_destroy(d->prim);
}

static double blas_gemm(struct bench *b, uint32_t m, uint32_t n, uint32_t k,
			int reps)
{
	double best = 1e9;

	for (int i = 0; i < reps; i++) {
		double t0 = now_s(), t;

		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k,
			    1.0f, (float *)(b->hbm + A_OFF), k,
			    (float *)(b->hbm + B_OFF), n, 0.0f,
			    (float *)(b->hbm + C_OFF(0)), n);
		t = now_s() - t0;
		best = t < best ? t : best;
	}
	return best;
}

/*
 * Math libraries' worker threads spin for a while after a call and would
 * steal a core from the next phase: pause between phases.
 */
/* Best time of @reps runs of @ndw dwords of commands on ring 0. */
static double emu_best(struct bench *b, const uint32_t *dw, uint32_t ndw, int reps)
{
	double best = 1e9;

	for (int i = 0; i < reps; i++) {
		double t0 = now_s(), t;

		post(b, 0, dw, ndw);
		wait_ring(b, 0);
		t = now_s() - t0;
		best = t < best ? t : best;
	}
	return best;
}

#define V2(x)	LO(DEV(x)), HI(DEV(x))
#define MIB(n)	((uint64_t)(n) << 20)

/*
 * The training commands at the default model's shapes (rows = B * T =
 * 2048), fp32, operands in device memory (their contents are whatever
 * is there: the times do not depend on values).  Prints each command's
 * time and rate, and the sum of one training step's share of them.
 */
static void bench_train(struct bench *b)
{
	enum { B = 16, T = 128, D = 256, H = 4, HD = 64, F = 688, V = 256, L = 4 };
	const uint32_t N = B * T, P = 3500000;
	struct {
		const char *what;
		uint32_t dw[TESSERA_CMD_BGEMM_LEN];
		double work;	/* flop, or elements */
		bool flops;
		int per_step;	/* times in one training step */
	} c[] = {
		{ "BGEMM S = Q K^T (16x4 of 128x128x64)",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_BGEMM, TESSERA_GEMM_TRANS_B, 24), 0, T, T,
		    HD, V2(0), 3 * D, V2(4 * D), 3 * D, V2(MIB(8)), T, fbits(0.125f), 0, B, H,
		    T * 3 * D, HD, T * 3 * D, HD, H * T * T, T * T },
		  2.0 * B * H * T * T * HD, true, 3 * L },
		{ "BGEMM O = P V (16x4 of 128x64x128)",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_BGEMM, 0, 24), 0, T, HD, T, V2(MIB(8)), T,
		    V2(8 * D), 3 * D, V2(MIB(16)), D, fbits(1), 0, B, H, H * T * T, T * T,
		    T * 3 * D, HD, T * D, HD },
		  2.0 * B * H * T * T * HD, true, 3 * L },
		{ "causal SOFTMAX 8192x128",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_SOFTMAX, 1, 12), 0, B * H * T, T, V2(MIB(8)),
		    T, V2(MIB(24)), T, T, 0 },
		  (double)B * H * T * T, false, L },
		{ "SOFTMAX_BWD 8192x128",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_SOFTMAX_BWD, 0, 13), 0, B * H * T, T,
		    V2(MIB(24)), T, V2(MIB(8)), T, V2(MIB(32)), T },
		  (double)B * H * T * T, false, L },
		{ "RMSNORM 2048x256",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_RMSNORM, 3, 15), 0, N, D, V2(MIB(40)), D,
		    V2(MIB(44)), D, V2(MIB(48)), V2(MIB(49)), fbits(1e-5f) },
		  (double)N * D, false, 2 * L + 1 },
		{ "RMSNORM_BWD 2048x256 (+dgamma)",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_RMSNORM_BWD, 0xf, 20), 0, N, D, V2(MIB(40)), D,
		    V2(MIB(44)), D, V2(MIB(52)), D, V2(MIB(48)), V2(MIB(50)), V2(MIB(49)),
		    fbits(1e-5f) },
		  (double)N * D, false, 2 * L + 1 },
		{ "ROPE Q and K, 2048 x 8 heads of 64",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_ROPE, 0, 15), 0, N, 2 * H, HD, V2(0), 3 * D,
		    V2(0), 3 * D, 0, T, fbits(10000), HD },
		  (double)N * 2 * D, false, 2 * L },
		{ "SWIGLU 2048x688 (gate/up halves)",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SWIGLU, 20),
		    0, N, F, V2(MIB(56)), 2 * F, V2(MIB(56) + 4 * F), 2 * F, 0, 0, 0,
		    V2(MIB(72)), F, 0, 0, 0, 0 },
		  (double)N * F, false, L },
		{ "SWIGLU_BWD 2048x688, in place",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_ELEMENTWISE, TESSERA_EW_SWIGLU_BWD, 20),
		    0, N, F, V2(MIB(56)), 2 * F, V2(MIB(56) + 4 * F), 2 * F, V2(MIB(72)), F,
		    V2(MIB(56)), 2 * F, V2(MIB(56) + 4 * F), 2 * F, 0 },
		  (double)N * F, false, L },
		{ "CROSS_ENTROPY 2048x256",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_CROSS_ENTROPY, 3, 16), 0, N, V, V2(MIB(80)), V,
		    V2(MIB(84)), V2(MIB(85)), V2(MIB(80)), V, fbits(1.0f / N), (uint32_t)-1 },
		  (double)N * V, false, 1 },
		{ "EMBEDDING gather 2048x256",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_EMBEDDING, 0, 13), 0, N, D, V2(MIB(84)),
		    V2(MIB(88)), V, D, V2(MIB(92)), D },
		  (double)N * D, false, 1 },
		{ "EMBEDDING scatter-add 2048x256",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_EMBEDDING, 1, 13), 0, N, D, V2(MIB(84)),
		    V2(MIB(88)), V, D, V2(MIB(92)), D },
		  (double)N * D, false, 1 },
		{ "REDUCE sum of squares of 3.5 M",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_REDUCE, 0xe, 10), 0, 3500, 1000, V2(MIB(96)),
		    1000, V2(MIB(95)), fbits(1) },
		  (double)P, false, 1 },
		{ "ADAMW 3.5 M parameters",
		  { TESSERA_CMD_HEADER(TESSERA_CMD_OP_ADAMW, 2, 20), P, V2(MIB(96)), V2(MIB(112)),
		    V2(MIB(128)), V2(MIB(144)), fbits(1e-3f), fbits(0.9f), fbits(0.95f),
		    fbits(1e-8f), fbits(0.1f), 1, fbits(1), 0, 0, 0 },
		  (double)P, false, 1 },
	};
	double step = 0;

	/* indices and targets 0 (valid), everything else small numbers */
	memset(b->hbm, 0, MIB(160));
	printf("\nTraining commands, default model shapes, fp32, one engine:\n");
	printf("%-40s %9s %12s %6s\n", "command", "ms", "rate", "/step");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint32_t ndw = TESSERA_CMD_LEN(c[i].dw[0]);
		double t = emu_best(b, c[i].dw, ndw, 20);

		printf("%-40s %9.3f %8.2f %s %6d\n", c[i].what, t * 1e3,
		       c[i].work / t * 1e-9, c[i].flops ? "GF/s" : "G/s ", c[i].per_step);
		step += t * c[i].per_step;
	}
	printf("one training step's share of these: %.1f ms\n", step * 1e3);

	/* BGEMM against 64 GEMM commands on the same views */
	{
		uint32_t g[64][TESSERA_CMD_GEMM_LEN];
		double tb = emu_best(b, c[0].dw, TESSERA_CMD_BGEMM_LEN, 20), tg;

		for (int i = 0; i < B * H; i++) {
			uint64_t q = (uint64_t)(i / H) * T * 3 * D + (i % H) * HD;
			uint64_t s = MIB(8) + (uint64_t)i * T * T * 4;
			uint32_t v[TESSERA_CMD_GEMM_LEN] = {
				TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM, TESSERA_GEMM_TRANS_B, 18), 0,
				T, T, HD, V2(4 * q), 3 * D, V2(4 * (q + D)), 3 * D, V2(s), T,
				fbits(0.125f), 0, 0, 0,
			};

			memcpy(g[i], v, sizeof(v));
		}
		tg = emu_best(b, &g[0][0], 64 * TESSERA_CMD_GEMM_LEN, 20);
		printf("S = Q K^T: one BGEMM %.3f ms, 64 GEMM commands %.3f ms, ratio %.2f\n",
		       tb * 1e3, tg * 1e3, tg / tb);
	}
}

static void settle(void)
{
	usleep(300000);
}

/* Between two blocks of runs: long enough for the spinning to stop. */
static void pause_run(void)
{
	usleep(100000);
}

#define ROUNDS	3

/*
 * Best times of @reps runs of the GEMM on the card (*emu) and on oneDNN
 * directly (*dn; fp16: fp32 on the same memory) in ROUNDS rounds of
 * back-to-back runs, the card's then oneDNN's, so that the host's other
 * load, which comes and goes, falls on both alike (measured in one block
 * each, the ratio of one build swung from 0.3 to 1.9 on a shared host).
 */
static void both_gemm(struct bench *b, uint32_t dt, uint32_t m, uint32_t n,
		      uint32_t k, int reps, double *emu, double *dn)
{
	struct direct d;
	bool ok = direct_init(b, &d, dt == TESSERA_DTYPE_FP16 ?
			      TESSERA_DTYPE_FP32 : dt, m, n, k);
	int per = (reps + ROUNDS - 1) / ROUNDS;
	double t;

	*emu = *dn = 1e9;
	for (int r = 0; r < ROUNDS; r++) {
		t = emu_gemm(b, dt, m, n, k, per);
		*emu = t < *emu ? t : *emu;
		pause_run();
		for (int i = 0; ok && i < per; i++) {
			t = direct_run(b, &d);
			*dn = t < *dn ? t : *dn;
		}
		pause_run();
	}
	if (ok)
		direct_fini(&d);
	else
		*dn = 1e9;
}

/*
 * t1-bench [THREADS]: THREADS host threads for the card's math (as
 * tessera-emu --threads), oneDNN direct and OpenBLAS alike; default all.
 * One thread is the steadier comparison on a host that others share.
 */
int main(int argc, char **argv)
{
	struct t1_config cfg = { .ncompute = NRINGS, .ndma = 1,
				 .hbm_size = HBM_SIZE };
	struct t1_host_ops ops = { .dma_hold = h_hold, .dma_release = h_release,
				   .dma_ptr = h_ptr, .irq = h_irq };
	static const struct { uint32_t dt; const char *name; } types[] = {
		{ TESSERA_DTYPE_FP32, "fp32" }, { TESSERA_DTYPE_FP16, "fp16" },
		{ TESSERA_DTYPE_BF16, "bf16" }, { TESSERA_DTYPE_INT8, "int8" },
	};
	static const uint32_t shapes[][3] = {
		{ 1024, 1024, 1024 }, { 2048, 2048, 2048 },
		{ 1, 4096, 4096 }, { 128, 512, 512 },
	};
	struct bench b = { 0 };
	double best_copy = 1e9, best_mc = 1e9;
	bool train_only = argc > 1 && !strcmp(argv[1], "train");
	int fd;

	/* as tessera-emu runs (passive OpenMP threads) unless told otherwise */
	t1_mm_wait_policy(argv);
	printf("# OMP_WAIT_POLICY=%s GOMP_SPINCOUNT=%s\n",
	       getenv("OMP_WAIT_POLICY") ? getenv("OMP_WAIT_POLICY") : "(unset)",
	       getenv("GOMP_SPINCOUNT") ? getenv("GOMP_SPINCOUNT") : "(unset)");
	if (train_only) {
		argc--;
		argv++;
	}
	if (argc > 1 && atoi(argv[1]) > 0) {
		t1_mm_set_threads((unsigned int)atoi(argv[1]));
		omp_set_num_threads(atoi(argv[1]));
		openblas_set_num_threads(atoi(argv[1]));
	}
	ops.opaque = &b;
	sem_init(&b.irq, 0, 0);
	b.vfu = vfu_create();
	fd = memfd_create("bench", MFD_CLOEXEC);
	if (!b.vfu || fd < 0 || ftruncate(fd, MEM_SIZE))
		return 1;
	b.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b.mem == MAP_FAILED ||
	    vfu_dma_map(b.vfu, MEM_IOVA, MEM_SIZE, fd, 0,
			VFU_DMA_READ | VFU_DMA_WRITE))
		return 1;
	b.t1 = t1_create(&cfg, &ops);
	if (!b.t1 || dnnl_engine_create(&b.eng, dnnl_cpu, 0) ||
	    dnnl_stream_create(&b.stream, b.eng, dnnl_stream_default_flags))
		return 1;
	b.hbm = t1_hbm(b.t1);
	for (unsigned int r = 0; r < NRINGS; r++) {
		wreg(&b, r, TESSERA_RING_DESC_BASE_LO, LO(MEM_IOVA + RING_OFF(r)));
		wreg(&b, r, TESSERA_RING_DESC_BASE_HI, HI(MEM_IOVA + RING_OFF(r)));
		wreg(&b, r, TESSERA_RING_SIZE, 64);
		wreg(&b, r, TESSERA_RING_FENCE_ADDR_LO, LO(MEM_IOVA + FENCE_OFF(r)));
		wreg(&b, r, TESSERA_RING_FENCE_ADDR_HI, HI(MEM_IOVA + FENCE_OFF(r)));
		wreg(&b, r, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	}
	t1_reg_write(b.t1, TESSERA_REG_INT_MASK,
		     ~(TESSERA_INT_RING(0) | TESSERA_INT_RING(1)));
	if (train_only)
		goto train;

	printf("%-18s %-5s %10s %10s %6s %10s %6s\n", "GEMM MxNxK", "type",
	       "emu GF/s", "oneDNN", "ratio", "OpenBLAS", "ratio");
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		uint32_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
		double flop = 2.0 * m * n * k, blas;
		int reps = flop > 4e9 ? 6 : flop > 1e9 ? 9 : 60;
		char shape[32];

		snprintf(shape, sizeof(shape), "%ux%ux%u", m, n, k);
		fill(&b, TESSERA_DTYPE_FP32, (uint64_t)(m > n ? m : n) * k);
		blas = flop / blas_gemm(&b, m, n, k, reps) * 1e-9;
		settle();
		for (size_t d = 0; d < sizeof(types) / sizeof(types[0]); d++) {
			double emu, dn;

			fill(&b, types[d].dt, (uint64_t)(m > n ? m : n) * k);
			/* fp16 runs on fp32 matmul: compare with that */
			both_gemm(&b, types[d].dt, m, n, k, reps, &emu, &dn);
			emu = flop / emu * 1e-9;
			dn = flop / dn * 1e-9;
			settle();
			printf("%-18s %-5s %10.1f %10.1f %6.2f %10.1f %6.2f\n",
			       shape, types[d].name, emu, dn, emu / dn, blas,
			       emu / blas);
		}
	}

	/* 1 vs 2 compute engines, each running the same GEMM, per type. */
	for (size_t d = 0; d < sizeof(types) / sizeof(types[0]); d++) {
		uint32_t cmd[NRINGS][TESSERA_CMD_GEMM_LEN], dt = types[d].dt;
		const uint32_t n = 2048;
		double one = 1e9, two = 1e9, flop = 2.0 * n * n * n;

		fill(&b, dt, (uint64_t)n * n);
		for (unsigned int r = 0; r < NRINGS; r++)
			gemm_cmd(cmd[r], dt, n, n, n, r);
		one = emu_gemm(&b, dt, n, n, n, 3);
		settle();
		for (int i = 0; i < 3; i++) {
			double t0 = now_s(), t;

			for (unsigned int r = 0; r < NRINGS; r++)
				post(&b, r, cmd[r], TESSERA_CMD_GEMM_LEN);
			for (unsigned int r = 0; r < NRINGS; r++)
				wait_ring(&b, r);
			t = now_s() - t0;
			two = t < two ? t : two;
		}
		printf("GEMM %s %ux%ux%u: 1 engine %.1f GFLOP/s, 2 engines at once %.1f GFLOP/s in all, ratio %.2f (target >= 0.90)\n",
		       types[d].name, n, n, n, flop / one * 1e-9,
		       2 * flop / two * 1e-9, (2 * flop / two) / (flop / one));
		settle();
	}

	{
		uint32_t copy[TESSERA_CMD_COPY_LEN] = {
			TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0,
					   TESSERA_CMD_COPY_LEN),
			LO(MEM_IOVA + SRC_OFF), HI(MEM_IOVA + SRC_OFF),
			LO(DEV(A_OFF)), HI(DEV(A_OFF)), COPY_SIZE,
		};
		double t0, t;

		memset(b.mem + SRC_OFF, 0x5a, COPY_SIZE);
		for (int r = 0; r < 5; r++) {
			t0 = now_s();
			post(&b, 0, copy, TESSERA_CMD_COPY_LEN);
			wait_ring(&b, 0);
			t = now_s() - t0;
			best_copy = t < best_copy ? t : best_copy;
		}
		for (int r = 0; r < 5; r++) {
			t0 = now_s();
			memcpy(b.hbm + A_OFF, b.mem + SRC_OFF, COPY_SIZE);
			t = now_s() - t0;
			best_mc = t < best_mc ? t : best_mc;
		}
		printf("COPY %u MiB host->HBM: emulator %.2f GB/s, memcpy %.2f GB/s, ratio %.2f (target >= 0.80)\n",
		       COPY_SIZE >> 20, COPY_SIZE / best_copy * 1e-9,
		       COPY_SIZE / best_mc * 1e-9, best_mc / best_copy);
	}

	/* 64 MiB device -> device COPY through ASID 1, 2 MiB vs 4 KiB pages. */
	for (int huge = 1; huge >= 0; huge--) {
		const uint64_t page = huge ? 2ull << 20 : 4096;
		uint32_t copy[TESSERA_CMD_COPY_LEN] = {
			TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN),
			LO(VA_SRC), HI(VA_SRC), LO(VA_DST), HI(VA_DST), COPY_SIZE,
		};
		uint64_t root, *ctx = (uint64_t *)(b.mem + CTX_OFF);
		uint8_t *d = b.mem + RING_OFF(0) + b.tail[0] * TESSERA_DESC_SIZE;
		uint64_t va = VA_SRC + 0x100000000ull, tag;
		uint32_t size = sizeof(copy), flags = TESSERA_DESC_FLAG_FENCE |
						      TESSERA_DESC_FLAG_IRQ, asid = 1;
		uint32_t w0, walks;
		double t0, t, best = 1e9;

		pt_next = PT_OFF;
		root = pt_alloc(&b);
		for (uint64_t off = 0; off < COPY_SIZE; off += page) {
			map_page(&b, root, VA_SRC + off, A_OFF + off,
				 TESSERA_PTE_READ | TESSERA_PTE_DEVMEM, huge);
			map_page(&b, root, VA_DST + off, B_OFF + off,
				 TESSERA_PTE_READ | TESSERA_PTE_WRITE | TESSERA_PTE_DEVMEM, huge);
		}
		/* The command page, 4 KiB of host memory. */
		map_page(&b, root, va, MEM_IOVA + CMD_OFF(0), TESSERA_PTE_READ, false);
		ctx[2 * asid] = (MEM_IOVA + root) | TESSERA_PTE_VALID;
		ctx[2 * asid + 1] = 0;
		t1_reg_write(b.t1, TESSERA_REG_MMU_CTX_BASE_LO, LO(MEM_IOVA + CTX_OFF));
		t1_reg_write(b.t1, TESSERA_REG_MMU_CTX_BASE_HI, HI(MEM_IOVA + CTX_OFF));
		t1_reg_write(b.t1, TESSERA_REG_MMU_CTX_COUNT, 2);
		t1_reg_write(b.t1, TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ALL);
		memcpy(b.mem + CMD_OFF(0), copy, sizeof(copy));
		w0 = t1_reg_read(b.t1, TESSERA_RING_BASE(0) + TESSERA_RING_PT_WALKS);
		walks = 0;
		for (int r = 0; r < 5; r++) {
			d = b.mem + RING_OFF(0) + b.tail[0] * TESSERA_DESC_SIZE;
			tag = ++b.tag[0];
			memset(d, 0, TESSERA_DESC_SIZE);
			memcpy(d + TESSERA_DESC_CMD_ADDR, &va, 8);
			memcpy(d + TESSERA_DESC_CMD_SIZE, &size, 4);
			memcpy(d + TESSERA_DESC_FLAGS, &flags, 4);
			memcpy(d + TESSERA_DESC_CONTEXT, &asid, 4);
			memcpy(d + TESSERA_DESC_TAG, &tag, 8);
			b.tail[0] = (b.tail[0] + 1) % 64;
			/* A fresh TLB each time: what one COPY costs from cold. */
			t1_reg_write(b.t1, TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ALL);
			t0 = now_s();
			wreg(&b, 0, TESSERA_RING_TAIL, b.tail[0]);
			wreg(&b, 0, TESSERA_RING_DOORBELL, 1);
			wait_ring(&b, 0);
			t = now_s() - t0;
			best = t < best ? t : best;
			if (!r)
				walks = t1_reg_read(b.t1, TESSERA_RING_BASE(0) +
						    TESSERA_RING_PT_WALKS) - w0;
		}
		printf("COPY %u MiB HBM->HBM in a context, %s pages: %.2f GB/s, %u page-table walks\n",
		       COPY_SIZE >> 20, huge ? "2 MiB" : "4 KiB", COPY_SIZE / best * 1e-9,
		       walks);
	}
train:
	bench_train(&b);
	dnnl_stream_destroy(b.stream);
	dnnl_engine_destroy(b.eng);
	t1_destroy(b.t1);
	vfu_destroy(b.vfu);
	return 0;
}
