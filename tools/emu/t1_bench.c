// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * t1-bench: emulator speed against the host, in one run.
 *
 *   GEMM 1024^3 fp32 through the card vs cblas_sgemm called directly,
 *   GEMM 1024^3 fp16, bf16 and int8 through the card vs the same sgemm,
 *   COPY 64 MiB host memory -> device memory vs memcpy.
 *
 * Not a test: it prints the ratios (targets: GEMM >= 0.9, COPY >= 0.8;
 * the narrow types have no target, their ratio shows the conversion cost).
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

#include "t1.h"
#include "tessera_accel.h"
#include "tessera_regs.h"
#include "vfu.h"

#define MEM_IOVA	0x100000000ull
#define MEM_SIZE	(160u << 20)
#define CMD_OFF		0x10000u
#define FENCE_OFF	0x20000u
#define SRC_OFF		(16u << 20)
#define N		1024
#define COPY_SIZE	(64u << 20)
#define REPS		5

struct bench {
	struct vfu_ctx *vfu;
	struct t1 *t1;
	uint8_t *mem, *hbm;
	uint32_t tail;
	uint64_t tag;		/* of the last descriptor submitted */
	sem_t irq;		/* posted by every MSI-X message */
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

static void wreg(struct bench *b, uint32_t off, uint32_t v)
{
	t1_reg_write(b->t1, TESSERA_RING_BASE(0) + off, v);
}

/* Submit @ndw dwords on ring 0 and wait for them; seconds taken. */
static double submit(struct bench *b, const uint32_t *dw, uint32_t ndw)
{
	uint8_t *d = b->mem + b->tail * TESSERA_DESC_SIZE;
	uint64_t va = MEM_IOVA + CMD_OFF;
	uint32_t size = ndw * 4;
	uint32_t flags = TESSERA_DESC_FLAG_FENCE | TESSERA_DESC_FLAG_IRQ;
	uint64_t tag = ++b->tag;
	double t0;

	memcpy(b->mem + CMD_OFF, dw, size);
	memset(d, 0, TESSERA_DESC_SIZE);
	memcpy(d + TESSERA_DESC_CMD_ADDR, &va, 8);
	memcpy(d + TESSERA_DESC_CMD_SIZE, &size, 4);
	memcpy(d + TESSERA_DESC_FLAGS, &flags, 4);
	memcpy(d + TESSERA_DESC_TAG, &tag, 8);
	b->tail = (b->tail + 1) % 64;
	t0 = now_s();
	wreg(b, TESSERA_RING_TAIL, b->tail);
	wreg(b, TESSERA_RING_DOORBELL, 1);
	/*
	 * Sleep until the completion interrupt, as a driver does.  Do not
	 * poll, not even with usleep(): on a 2-core host OpenBLAS runs a
	 * thread per core, each wakeup of a poller preempts one of them,
	 * and the other then waits for it at the next synchronisation
	 * point.  Waking every 20 us halved GEMM throughput.  The fence
	 * (the descriptor's tag) is written before the interrupt is sent.
	 */
	while (__atomic_load_n((uint64_t *)(b->mem + FENCE_OFF),
			       __ATOMIC_ACQUIRE) != tag)
		sem_wait(&b->irq);
	return now_s() - t0;
}

#define LO(x)	((uint32_t)(x))
#define HI(x)	((uint32_t)((uint64_t)(x) >> 32))
#define DEV(o)	(TESSERA_BYPASS_HBM_BASE + (o))

int main(void)
{
	struct t1_config cfg = { .ncompute = 1, .ndma = 1,
				 .hbm_size = 64ull << 20 << 1 };
	struct t1_host_ops ops = { .dma_hold = h_hold, .dma_release = h_release,
				   .dma_ptr = h_ptr, .irq = h_irq };
	struct bench b = { 0 };
	const uint64_t mat = (uint64_t)N * N * 4;
	float one = 1.0f, zero = 0.0f;
	uint32_t ub, uz;
	double best_emu = 1e9, best_blas = 1e9, best_copy = 1e9, best_mc = 1e9;
	static const struct { uint32_t dtype; const char *name; } narrow[] = {
		{ TESSERA_DTYPE_FP16, "fp16" }, { TESSERA_DTYPE_BF16, "bf16" },
		{ TESSERA_DTYPE_INT8, "int8" },
	};
	double best_narrow[3] = { 1e9, 1e9, 1e9 };
	int fd;

	memcpy(&ub, &one, 4);
	memcpy(&uz, &zero, 4);
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
	if (!b.t1)
		return 1;
	b.hbm = t1_hbm(b.t1);
	wreg(&b, TESSERA_RING_DESC_BASE_LO, LO(MEM_IOVA));
	wreg(&b, TESSERA_RING_DESC_BASE_HI, HI(MEM_IOVA));
	wreg(&b, TESSERA_RING_SIZE, 64);
	wreg(&b, TESSERA_RING_FENCE_ADDR_LO, LO(MEM_IOVA + FENCE_OFF));
	wreg(&b, TESSERA_RING_FENCE_ADDR_HI, HI(MEM_IOVA + FENCE_OFF));
	wreg(&b, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	t1_reg_write(b.t1, TESSERA_REG_INT_MASK, ~TESSERA_INT_RING(0));

	for (uint64_t i = 0; i < 2 * (uint64_t)N * N; i++)
		((float *)b.hbm)[i] = (float)(i % 17) * 0.25f - 2.0f;
	memset(b.mem + SRC_OFF, 0x5a, COPY_SIZE);

	{
		uint32_t gemm[TESSERA_CMD_GEMM_LEN] = {
			TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM, 0,
					   TESSERA_CMD_GEMM_LEN),
			TESSERA_DTYPE_FP32, N, N, N,
			LO(DEV(0)), HI(DEV(0)), N, LO(DEV(mat)), HI(DEV(mat)), N,
			LO(DEV(2 * mat)), HI(DEV(2 * mat)), N, ub, uz, 0, 0,
		};
		uint32_t copy[TESSERA_CMD_COPY_LEN] = {
			TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0,
					   TESSERA_CMD_COPY_LEN),
			LO(MEM_IOVA + SRC_OFF), HI(MEM_IOVA + SRC_OFF),
			LO(DEV(3 * mat)), HI(DEV(3 * mat)), COPY_SIZE,
		};
		double t0, t;

		/*
		 * One phase per measurement, with a pause between phases:
		 * OpenBLAS workers spin for a while after a call and would
		 * otherwise steal a core from the next phase.
		 */
		for (int r = 0; r < REPS; r++) {
			t = submit(&b, gemm, TESSERA_CMD_GEMM_LEN);
			best_emu = t < best_emu ? t : best_emu;
		}
		usleep(300000);
		for (int r = 0; r < REPS; r++) {
			t0 = now_s();
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
				    N, N, N, 1.0f, (float *)b.hbm, N,
				    (float *)(b.hbm + mat), N, 0.0f,
				    (float *)(b.hbm + 2 * mat), N);
			t = now_s() - t0;
			best_blas = t < best_blas ? t : best_blas;
		}
		usleep(300000);
		/* fp16 1.0, bf16 1.0, int8 1 in A and B: every value is exact */
		for (unsigned int d = 0; d < 3; d++) {
			for (uint64_t i = 0; i < 2 * (uint64_t)N * N; i++) {
				if (narrow[d].dtype == TESSERA_DTYPE_INT8)
					b.hbm[i] = 1;
				else
					((uint16_t *)b.hbm)[i] =
						narrow[d].dtype == TESSERA_DTYPE_FP16 ?
						0x3c00 : 0x3f80;
			}
			gemm[1] = narrow[d].dtype;
			/* A and B packed back to back in the narrow type */
			gemm[8] = LO(DEV((uint64_t)N * N * (narrow[d].dtype ==
						TESSERA_DTYPE_INT8 ? 1 : 2)));
			gemm[9] = HI(DEV((uint64_t)N * N * (narrow[d].dtype ==
						TESSERA_DTYPE_INT8 ? 1 : 2)));
			for (int r = 0; r < REPS; r++) {
				t = submit(&b, gemm, TESSERA_CMD_GEMM_LEN);
				best_narrow[d] = t < best_narrow[d] ? t : best_narrow[d];
			}
		}
		usleep(300000);
		for (int r = 0; r < REPS; r++) {
			t = submit(&b, copy, TESSERA_CMD_COPY_LEN);
			best_copy = t < best_copy ? t : best_copy;
		}
		for (int r = 0; r < REPS; r++) {
			t0 = now_s();
			memcpy(b.hbm + 3 * mat, b.mem + SRC_OFF, COPY_SIZE);
			t = now_s() - t0;
			best_mc = t < best_mc ? t : best_mc;
		}
	}
	{
		double gf_emu = 2.0 * N * N * N / best_emu * 1e-9;
		double gf_blas = 2.0 * N * N * N / best_blas * 1e-9;
		double gb_copy = COPY_SIZE / best_copy * 1e-9;
		double gb_mc = COPY_SIZE / best_mc * 1e-9;

		printf("GEMM fp32 %dx%dx%d: emulator %.1f GFLOP/s, OpenBLAS %.1f GFLOP/s, ratio %.2f (target >= 0.90)\n",
		       N, N, N, gf_emu, gf_blas, gf_emu / gf_blas);
		for (unsigned int d = 0; d < 3; d++) {
			double gf = 2.0 * N * N * N / best_narrow[d] * 1e-9;

			printf("GEMM %s %dx%dx%d: emulator %.1f GFLOP/s, ratio to fp32 OpenBLAS %.2f\n",
			       narrow[d].name, N, N, N, gf, gf / gf_blas);
		}
		printf("COPY %u MiB host->HBM: emulator %.2f GB/s, memcpy %.2f GB/s, ratio %.2f (target >= 0.80)\n",
		       COPY_SIZE >> 20, gb_copy, gb_mc, gb_copy / gb_mc);
	}
	t1_destroy(b.t1);
	vfu_destroy(b.vfu);
	return 0;
}
