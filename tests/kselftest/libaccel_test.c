// SPDX-License-Identifier: GPL-2.0-only
/*
 * libaccel against a real (emulated) card: placement, queues with timeline
 * dependencies across engine classes, waits on any/all points, sync_files,
 * CPU-signaled points, dma-buf sharing between two contexts, the context
 * status after a fault, and GEMM/ELEMENTWISE/SOFTMAX checked on the CPU.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <math.h>
#include <pthread.h>

#include "accel/accel.h"
#include "kselftest_harness.h"
#include "tessera_test.h"

#define WAIT_NS		TESSERA_WAIT_NS
#define CB_SIZE		4096

static int open_card(struct accel_device **dev)
{
	const char *card = getenv("TESSERA_CARD");
	char path[64];

	snprintf(path, sizeof(path), "/dev/accel/accel%s", card ? card : "0");
	return accel_device_open_path(path, dev);
}

FIXTURE(lib) {
	struct accel_device *dev;
	struct accel_device_info info;
	struct accel_queue *compute, *dma;
};

FIXTURE_SETUP(lib)
{
	ASSERT_EQ(0, open_card(&self->dev));
	ASSERT_EQ(0, accel_device_query(self->dev, &self->info));
	ASSERT_EQ(0, accel_queue_create(self->dev, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL,
					&self->compute));
	self->dma = NULL;
	if (self->info.num_dma_engines)
		ASSERT_EQ(0, accel_queue_create(self->dev, ACCEL_ENGINE_DMA, ACCEL_PRIORITY_LOW,
						&self->dma));
}

FIXTURE_TEARDOWN(lib)
{
	accel_queue_destroy(self->dma);
	accel_queue_destroy(self->compute);
	accel_device_close(self->dev);
}

/* Run @cb on @q, signaling binary @f, and wait for it. */
static int lrun(struct accel_queue *q, struct accel_cmdbuf *cb, struct accel_fence *f)
{
	struct accel_sync sig = { .fence = f };
	int ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);

	return ret ? ret : accel_fence_wait_point(f, 0, WAIT_NS);
}

TEST_F(lib, device_memory_and_wc_buffers)
{
	struct accel_bo *wc, *hbm, *host;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	uint32_t *pw, *ph;
	int i;

	ASSERT_EQ(0, accel_bo_alloc_flags(self->dev, 65536, ACCEL_BO_WC, &wc));
	EXPECT_EQ(ACCEL_BO_WC, accel_bo_flags(wc));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 65536, &host));
	EXPECT_EQ(0, accel_bo_flags(host));
	EXPECT_EQ(-EINVAL, accel_bo_alloc_flags(self->dev, 4096, 0x80, &hbm));
	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_bo_map(wc, (void **)&pw));
	ASSERT_EQ(0, accel_bo_map(host, (void **)&ph));
	for (i = 0; i < 16384; i++)
		pw[i] = i * 3;

	if (self->info.device_memory_size) {
		int ex;

		ASSERT_EQ(0, accel_bo_alloc_flags(self->dev, 65536, ACCEL_BO_DEVICE_MEM, &hbm));
		EXPECT_EQ(ACCEL_BO_DEVICE_MEM, accel_bo_flags(hbm) & ACCEL_BO_DEVICE_MEM);
		EXPECT_NE(0, accel_bo_va(hbm));
		EXPECT_EQ(-EINVAL, accel_bo_export(hbm, &ex));
		/* WC host -> device memory -> cached host, all on the card. */
		ASSERT_EQ(0, accel_cmdbuf_copy(cb, accel_bo_va(wc), accel_bo_va(hbm), 65536));
		ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(hbm) + 4096, 64, 0xfeedf00d));
		ASSERT_EQ(0, accel_cmdbuf_copy(cb, accel_bo_va(hbm), accel_bo_va(host), 65536));
		ASSERT_EQ(0, lrun(self->compute, cb, f));
		for (i = 0; i < 16384; i++)
			if (ph[i] != (i >= 1024 && i < 1040 ? 0xfeedf00du : (uint32_t)i * 3))
				break;
		EXPECT_EQ(16384, i);
		accel_bo_free(hbm);
	} else {
		ASSERT_EQ(0, accel_cmdbuf_copy(cb, accel_bo_va(wc), accel_bo_va(host), 65536));
		ASSERT_EQ(0, lrun(self->compute, cb, f));
		EXPECT_EQ(0, memcmp(pw, ph, 65536));
	}
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_bo_free(host);
	accel_bo_free(wc);
}

TEST_F(lib, timeline_chain_across_compute_and_dma_queues)
{
	struct accel_cmdbuf *cb[4];
	struct accel_bo *bo;
	struct accel_fence *tl;
	struct accel_sync w, s;
	uint64_t va, point = 99;
	uint32_t *p;
	int i;

	if (!self->dma)
		SKIP(return, "no DMA engine");
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 4 * 4096, &bo));
	ASSERT_EQ(0, accel_bo_map(bo, (void **)&p));
	ASSERT_EQ(0, accel_fence_create(self->dev, &tl));
	va = accel_bo_va(bo);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb[i]));
	/* compute: fill page 0; dma: page 0 -> 1; compute: 1 -> 2; dma: 2 -> 3. */
	ASSERT_EQ(0, accel_cmdbuf_fill(cb[0], va, 4096, 0xc0ffee));
	for (i = 1; i < 4; i++)
		ASSERT_EQ(0, accel_cmdbuf_copy(cb[i], va + (i - 1) * 4096, va + i * 4096, 4096));
	for (i = 0; i < 4; i++) {
		w = (struct accel_sync){ .fence = tl, .point = (uint64_t)i };
		s = (struct accel_sync){ .fence = tl, .point = (uint64_t)i + 1 };
		ASSERT_EQ(0, accel_queue_submit(i % 2 ? self->dma : self->compute, cb[i],
						&w, i ? 1 : 0, &s, 1, NULL, 0)) TH_LOG("job %d", i);
	}
	ASSERT_EQ(0, accel_fence_wait_point(tl, 4, WAIT_NS));
	ASSERT_EQ(0, accel_fence_query(tl, &point));
	EXPECT_EQ(4, point);
	for (i = 0; i < 4096; i++)
		if (p[3 * 1024 + i % 1024] != 0xc0ffee)
			break;
	EXPECT_EQ(4096, i);
	for (i = 0; i < 4; i++)
		accel_cmdbuf_destroy(cb[i]);
	accel_fence_destroy(tl);
	accel_bo_free(bo);
}

TEST_F(lib, wait_any_and_all)
{
	struct accel_fence *f[2];
	struct accel_cmdbuf *cb;
	struct accel_sync s;
	uint64_t points[2] = { 0, 1 };
	uint32_t first = 9;

	ASSERT_EQ(0, accel_fence_create(self->dev, &f[0]));
	ASSERT_EQ(0, accel_fence_create(self->dev, &f[1]));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_nop(cb, 16));
	s = (struct accel_sync){ .fence = f[0] };
	ASSERT_EQ(0, accel_queue_submit(self->compute, cb, NULL, 0, &s, 1, NULL, 0));
	/* f[1] point 1 has nothing yet: any is the job, all times out. */
	EXPECT_EQ(0, accel_fence_wait_many(f, points, 2, 0, WAIT_NS, &first));
	EXPECT_EQ(0, first);
	EXPECT_EQ(-ETIME, accel_fence_wait_many(f, points, 2, ACCEL_WAIT_ALL, 100000000ull,
						&first));
	ASSERT_EQ(0, accel_fence_signal_point(f[1], 1));
	EXPECT_EQ(0, accel_fence_wait_many(f, points, 2, ACCEL_WAIT_ALL, WAIT_NS, NULL));
	EXPECT_EQ(-EINVAL, accel_fence_wait_many(f, points, 0, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, accel_fence_wait_many(f, points, 2, 0x10, 0, NULL));
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f[0]);
	accel_fence_destroy(f[1]);
}

TEST_F(lib, sync_file_round_trip)
{
	struct accel_fence *tl, *bin, *tl2;
	struct accel_cmdbuf *cb, *cb2;
	struct accel_sync s, w;
	uint64_t point = 0;
	int fd = -1;

	ASSERT_EQ(0, accel_fence_create(self->dev, &tl));
	ASSERT_EQ(0, accel_fence_create(self->dev, &bin));
	ASSERT_EQ(0, accel_fence_create(self->dev, &tl2));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb2));
	ASSERT_EQ(0, accel_cmdbuf_nop(cb, 64));
	ASSERT_EQ(0, accel_cmdbuf_nop(cb2, 4));
	s = (struct accel_sync){ .fence = tl, .point = 5 };
	ASSERT_EQ(0, accel_queue_submit(self->compute, cb, NULL, 0, &s, 1, NULL, 0));
	ASSERT_EQ(0, accel_fence_export_sync_file(tl, 5, &fd));
	ASSERT_LE(0, fd);
	/* Into a binary fence, and into point 2 of another timeline. */
	ASSERT_EQ(0, accel_fence_import_sync_file(bin, 0, fd));
	ASSERT_EQ(0, accel_fence_import_sync_file(tl2, 2, fd));
	close(fd);
	w = (struct accel_sync){ .fence = bin };
	s = (struct accel_sync){ .fence = tl2, .point = 3 };
	ASSERT_EQ(0, accel_queue_submit(self->compute, cb2, &w, 1, &s, 1, NULL, 0));
	EXPECT_EQ(0, accel_fence_wait_point(tl2, 3, WAIT_NS));
	EXPECT_EQ(0, accel_fence_wait_point(bin, 0, WAIT_NS));
	EXPECT_EQ(0, accel_fence_wait_point(tl2, 2, WAIT_NS));
	EXPECT_EQ(0, accel_fence_query(tl2, &point));
	EXPECT_EQ(3, point);
	/* A point without a fence cannot be exported. */
	EXPECT_GT(0, accel_fence_export_sync_file(tl, 9, &fd));
	accel_cmdbuf_destroy(cb);
	accel_cmdbuf_destroy(cb2);
	accel_fence_destroy(tl);
	accel_fence_destroy(bin);
	accel_fence_destroy(tl2);
}

struct held_submit {
	struct accel_queue *q;
	struct accel_cmdbuf *cb;
	struct accel_fence *host, *out;
	int ret;
};

static void *submit_held(void *arg)
{
	struct held_submit *h = arg;
	struct accel_sync w = { .fence = h->host, .point = 1, .flags = ACCEL_SYNC_WAIT_FOR_SUBMIT };
	struct accel_sync s = { .fence = h->out, .point = 1 };

	h->ret = accel_queue_submit(h->q, h->cb, &w, 1, &s, 1, NULL, 0);
	return NULL;
}

TEST_F(lib, cpu_signaled_point_releases_a_job)
{
	struct held_submit h = { .q = self->compute };
	struct accel_bo *bo;
	uint64_t point = 7;
	uint32_t *p;
	pthread_t t;

	ASSERT_EQ(0, accel_fence_create(self->dev, &h.host));
	ASSERT_EQ(0, accel_fence_create(self->dev, &h.out));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 4096, &bo));
	ASSERT_EQ(0, accel_bo_map(bo, (void **)&p));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &h.cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(h.cb, accel_bo_va(bo), 4, 0x5106a1));
	/* Without WAIT_FOR_SUBMIT, a point nobody signaled yet is refused. */
	{
		struct accel_sync w = { .fence = h.host, .point = 1 };

		EXPECT_EQ(-EINVAL, accel_queue_submit(self->compute, h.cb, &w, 1, NULL, 0,
						      NULL, 0));
	}
	ASSERT_EQ(0, pthread_create(&t, NULL, submit_held, &h));
	tessera_scaled_usleep(300 * 1000);	/* the submit waits by now */
	EXPECT_EQ(-ETIME, accel_fence_wait_point(h.out, 1, 0));
	EXPECT_EQ(0, p[0]);
	ASSERT_EQ(0, accel_fence_query(h.host, &point));
	EXPECT_EQ(0, point);
	ASSERT_EQ(0, accel_fence_signal_point(h.host, 1));
	pthread_join(t, NULL);
	ASSERT_EQ(0, h.ret);
	ASSERT_EQ(0, accel_fence_wait_point(h.out, 1, WAIT_NS));
	EXPECT_EQ(0x5106a1, p[0]);
	ASSERT_EQ(0, accel_fence_query(h.host, &point));
	EXPECT_EQ(1, point);
	accel_cmdbuf_destroy(h.cb);
	accel_bo_free(bo);
	accel_fence_destroy(h.host);
	accel_fence_destroy(h.out);
}

TEST_F(lib, dma_buf_between_two_devices_of_one_card)
{
	struct accel_device *other;
	struct accel_bo *a, *b;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_queue *q;
	struct accel_bo_use use;
	struct accel_sync s;
	uint32_t *pa, *pb;
	int fd = -1;

	ASSERT_EQ(0, open_card(&other));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 65536, &a));
	ASSERT_EQ(0, accel_bo_map(a, (void **)&pa));
	pa[0] = 0xabcd;
	ASSERT_EQ(0, accel_bo_export(a, &fd));
	ASSERT_EQ(0, accel_bo_import(other, fd, &b));
	close(fd);
	EXPECT_EQ(accel_bo_size(a), accel_bo_size(b));
	EXPECT_NE(0, accel_bo_va(b));
	ASSERT_EQ(0, accel_bo_map(b, (void **)&pb));
	EXPECT_EQ(0xabcd, pb[0]);
	EXPECT_EQ(-EBADF, accel_bo_import(other, 1000, &b));

	/* The importer's job writes it at its own VA; the exporter sees it. */
	ASSERT_EQ(0, accel_queue_create(other, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL, &q));
	ASSERT_EQ(0, accel_fence_create(other, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(other, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(b) + 4, 4092, 0x1badd00d));
	use = (struct accel_bo_use){ .bo = b, .flags = ACCEL_BO_USE_WRITE };
	s = (struct accel_sync){ .fence = f };
	ASSERT_EQ(0, accel_queue_submit(q, cb, NULL, 0, &s, 1, &use, 1));
	ASSERT_EQ(0, accel_fence_wait(f, WAIT_NS));
	EXPECT_EQ(0xabcd, pa[0]);
	EXPECT_EQ(0x1badd00d, pa[1]);
	EXPECT_EQ(0x1badd00d, pa[1023]);
	/* Objects of one device are refused by the other. */
	use.bo = a;
	EXPECT_EQ(-ENOENT, accel_queue_submit(q, cb, NULL, 0, &s, 1, &use, 1));
	EXPECT_EQ(-ENOENT, accel_queue_submit(self->compute, cb, NULL, 0, NULL, 0, NULL, 0));

	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_queue_destroy(q);
	accel_bo_free(b);
	accel_bo_free(a);
	accel_device_close(other);
}

TEST(context_status_after_a_fault)
{
	struct accel_submit_args args = { 0 };
	struct accel_context_status st;
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	const uint64_t bad = 0x7f0000000000ull;

	ASSERT_EQ(0, open_card(&dev));
	ASSERT_EQ(0, accel_context_status(dev, &st));
	EXPECT_EQ(0, st.guilty);
	EXPECT_EQ(0, st.fault_count);
	ASSERT_EQ(0, accel_fence_create(dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, bad, 4096, 0xbad));
	args.signal = f;
	ASSERT_EQ(0, accel_submit(cb, &args, NULL));
	EXPECT_EQ(-EFAULT, accel_fence_wait(f, WAIT_NS));
	ASSERT_EQ(0, accel_context_status(dev, &st));
	EXPECT_EQ(1, st.guilty);
	EXPECT_EQ(1, st.fault_count);
	EXPECT_EQ(5, st.fault_code);	/* MMU fault */
	EXPECT_EQ(ACCEL_ACCESS_WRITE, st.fault_access);
	EXPECT_EQ(bad, st.fault_va);
	EXPECT_EQ(0, st.fault_engine);
	EXPECT_EQ(-ECANCELED, accel_submit(cb, &args, NULL));
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_device_close(dev);
}

/* Deterministic values in [-1, 1). */
static float rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(*s >> 8) / (float)(1u << 23) - 1.0f;
}

TEST_F(lib, gemm_fp32_against_the_cpu)
{
	enum { M = 64, N = 64, K = 64 };
	struct accel_bo *a, *b, *c, *bias;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	float *pa, *pb, *pc, *pbias, maxerr = 0;
	uint32_t seed = 42;
	int i, j, k;

	ASSERT_EQ(0, accel_bo_alloc(self->dev, M * K * 4, &a));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, K * N * 4, &b));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, M * N * 4, &c));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, N * 4, &bias));
	ASSERT_EQ(0, accel_bo_map(a, (void **)&pa));
	ASSERT_EQ(0, accel_bo_map(b, (void **)&pb));
	ASSERT_EQ(0, accel_bo_map(c, (void **)&pc));
	ASSERT_EQ(0, accel_bo_map(bias, (void **)&pbias));
	for (i = 0; i < M * K; i++)
		pa[i] = rnd(&seed);
	for (i = 0; i < K * N; i++)
		pb[i] = rnd(&seed);
	for (i = 0; i < M * N; i++)
		pc[i] = rnd(&seed);
	for (i = 0; i < N; i++)
		pbias[i] = rnd(&seed);

	{
		struct accel_gemm g = {
			.dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_BIAS,
			.m = M, .n = N, .k = K,
			.a = accel_bo_va(a), .lda = K, .b = accel_bo_va(b), .ldb = N,
			.c = accel_bo_va(c), .ldc = N, .bias = accel_bo_va(bias),
			.alpha = 1.5f, .beta = 0.5f,
		};
		float *ref = malloc(sizeof(float) * M * N);

		ASSERT_NE(NULL, ref);
		for (i = 0; i < M; i++)
			for (j = 0; j < N; j++) {
				double acc = 0;

				for (k = 0; k < K; k++)
					acc += (double)pa[i * K + k] * pb[k * N + j];
				ref[i * N + j] = (float)(1.5 * acc + 0.5 * pc[i * N + j] + pbias[j]);
			}
		ASSERT_EQ(0, accel_fence_create(self->dev, &f));
		ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
		ASSERT_EQ(0, accel_cmdbuf_gemm(cb, &g));
		g.ldc = N - 1;
		EXPECT_EQ(-EINVAL, accel_cmdbuf_gemm(cb, &g));
		EXPECT_EQ(18 * 4, accel_cmdbuf_size(cb));
		ASSERT_EQ(0, lrun(self->compute, cb, f));
		for (i = 0; i < M * N; i++)
			maxerr = fmaxf(maxerr, fabsf(pc[i] - ref[i]));
		EXPECT_GT(1e-4f, maxerr) TH_LOG("max error %g", maxerr);
		free(ref);
	}
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_bo_free(a);
	accel_bo_free(b);
	accel_bo_free(c);
	accel_bo_free(bias);
}

TEST_F(lib, elementwise_and_softmax_against_the_cpu)
{
	enum { COUNT = 1000, ROWS = 8, COLS = 37, LD = 40 };
	struct accel_bo *bo;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	float *x, *y, *sum, *sin, *sout, maxerr = 0;
	uint32_t seed = 7;
	uint64_t va;
	int i, j;

	ASSERT_EQ(0, accel_bo_alloc(self->dev, 65536, &bo));
	ASSERT_EQ(0, accel_bo_map(bo, (void **)&x));
	va = accel_bo_va(bo);
	y = x + 4096;
	sum = x + 8192;
	sin = x + 12288;
	sout = sin + ROWS * LD;
	for (i = 0; i < COUNT; i++) {
		x[i] = rnd(&seed) * 4;
		y[i] = rnd(&seed) * 4;
	}
	for (i = 0; i < ROWS * LD; i++)
		sin[i] = rnd(&seed) * 8;

	{
		struct accel_elementwise e = {
			.op = ACCEL_EW_ADD, .count = COUNT, .a = va, .b = va + 4096 * 4,
			.d = va + 8192 * 4,
		};
		struct accel_rowwise r = {
			.dtype = ACCEL_DTYPE_FP32, .rows = ROWS, .cols = COLS,
			.src = va + 12288 * 4, .src_ld = LD,
			.dst = va + (12288 + ROWS * LD) * 4, .dst_ld = LD,
		};

		ASSERT_EQ(0, accel_fence_create(self->dev, &f));
		ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
		ASSERT_EQ(0, accel_cmdbuf_elementwise(cb, &e));
		ASSERT_EQ(0, accel_cmdbuf_softmax(cb, &r));
		e.b = 0;
		EXPECT_EQ(-EINVAL, accel_cmdbuf_elementwise(cb, &e));
		ASSERT_EQ(0, lrun(self->compute, cb, f));
	}
	for (i = 0; i < COUNT; i++)
		maxerr = fmaxf(maxerr, fabsf(sum[i] - (x[i] + y[i])));
	EXPECT_GT(1e-6f, maxerr) TH_LOG("add: max error %g", maxerr);
	maxerr = 0;
	for (i = 0; i < ROWS; i++) {
		double m = -INFINITY, s = 0;

		for (j = 0; j < COLS; j++)
			m = fmax(m, sin[i * LD + j]);
		for (j = 0; j < COLS; j++)
			s += exp(sin[i * LD + j] - m);
		for (j = 0; j < COLS; j++)
			maxerr = fmaxf(maxerr, fabsf(sout[i * LD + j] -
						     (float)(exp(sin[i * LD + j] - m) / s)));
	}
	EXPECT_GT(1e-5f, maxerr) TH_LOG("softmax: max error %g", maxerr);
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_bo_free(bo);
}

/*
 * Review finding 15: a command buffer reset and re-recorded right after
 * accel_submit() must not change the commands of the job still queued
 * (the card reads them when the job runs).
 */
TEST_F(lib, cmdbuf_reuse_right_after_submit)
{
	const int rounds = 64;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_bo *bo;
	uint32_t *p;
	int i;

	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, 4096, &cb));
	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, rounds * 65536, &bo));
	ASSERT_EQ(0, accel_bo_map(bo, (void **)&p));
	for (i = 0; i < rounds; i++) {
		struct accel_submit_args args = {
			.engine = i % self->info.num_engines, .signal = f,
		};

		accel_cmdbuf_reset(cb);
		/* Big enough that the job is still queued when we go on. */
		ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(bo) + i * 65536, 65536, 0x1000 + i));
		ASSERT_EQ(0, accel_submit(cb, &args, NULL));
	}
	/* Waits for every job submitted from the buffer, on every engine. */
	accel_cmdbuf_reset(cb);
	for (i = 0; i < rounds; i++) {
		EXPECT_EQ(0x1000 + i, p[i * 16384]) TH_LOG("round %d", i);
		EXPECT_EQ(0x1000 + i, p[i * 16384 + 16383]) TH_LOG("round %d", i);
	}
	accel_bo_free(bo);
	accel_fence_destroy(f);
	accel_cmdbuf_destroy(cb);
}

TEST_HARNESS_MAIN
