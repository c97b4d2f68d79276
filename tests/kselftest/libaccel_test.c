// SPDX-License-Identifier: GPL-2.0-only
/*
 * libaccel 2 against a real (emulated) card, on uAPI 2: the device's
 * query and struct size rules, VMs with binds at chosen VAs (results,
 * permissions, faults confined to their VM), the VA allocator and its
 * 2 MiB alignment, import deduplication through the handle table, no CPU
 * mapping unless asked, the command-buffer reuse contract (reset waits
 * for the card), frees that never wait and never hand out a VA still
 * bound, command buffers used in several VMs; and, carried over from
 * libaccel 1: placement, queues with timeline dependencies across engine
 * classes, waits on any/all points, sync_files, CPU-signaled points,
 * dma-buf sharing between two devices, and GEMM/ELEMENTWISE/SOFTMAX
 * checked on the CPU.
 *
 * Self-contained (no tessera_test.h): it needs only libaccel, and the
 * uAPI header for one check of a GEM handle's lifetime.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "accel/accel.h"
#include "kselftest_harness.h"
#include "tessera_accel.h"

#define CB_SIZE		4096
#define SZ_2M		(2ull << 20)

/* $TESSERA_TIME_SCALE: the VM harness's slowdown factor (1, or more under debug kernels). */
static unsigned int time_scale(void)
{
	const char *s = getenv("TESSERA_TIME_SCALE");
	int v = s ? atoi(s) : 1;

	return v > 0 ? (unsigned int)v : 1;
}

#define WAIT_NS		(30ull * 1000 * 1000 * 1000 * time_scale())

static void scaled_usleep(unsigned int us)
{
	usleep(us * time_scale());
}

/* Scale the harness's per-test timeouts once every test has registered. */
static void __attribute__((constructor(KSELFTEST_PRIO_XFAIL + 1))) scale_timeouts(void)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= time_scale();
}

static void card_path(char *path, size_t len)
{
	const char *card = getenv("TESSERA_CARD");

	snprintf(path, len, "/dev/accel/accel%s", card && *card ? card : "0");
}

static int open_card(struct accel_device **dev)
{
	char path[64];

	card_path(path, sizeof(path));
	return accel_device_open_path(path, dev);
}

/* CPU mappings of the device node in this process (/proc/self/maps lines). */
static int node_mappings(void)
{
	char path[64], line[512];
	int n = 0;
	FILE *f;

	card_path(path, sizeof(path));
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, path))
			n++;
	fclose(f);
	return n;
}

/* BO_INFO on a raw handle: 0 while the device fd has it, -ENOENT after it is closed. */
static int handle_alive(struct accel_device *dev, uint32_t handle)
{
	struct drm_tessera_bo_info info = { .handle = handle };

	return ioctl(accel_device_fd(dev), DRM_IOCTL_TESSERA_BO_INFO, &info) ? -errno : 0;
}

FIXTURE(lib) {
	struct accel_device *dev;
	struct accel_device_info info;
	struct accel_queue *compute, *dma;
};

FIXTURE_SETUP(lib)
{
	self->info = (struct accel_device_info){ .size = sizeof(self->info) };
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
	scaled_usleep(300 * 1000);	/* the submit waits by now */
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
			.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_BIAS,
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
			.size = sizeof(e), .op = ACCEL_EW_ADD, .count = COUNT, .a = va, .b = va + 4096 * 4,
			.d = va + 8192 * 4,
		};
		struct accel_rowwise r = {
			.size = sizeof(r), .dtype = ACCEL_DTYPE_FP32, .rows = ROWS, .cols = COLS,
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
			.size = sizeof(args), .engine = i % self->info.num_engines, .signal = f,
		};

		ASSERT_EQ(0, accel_cmdbuf_reset(cb));
		/* Big enough that the job is still queued when we go on. */
		ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(bo) + i * 65536, 65536, 0x1000 + i));
		ASSERT_EQ(0, accel_submit(cb, &args, NULL));
	}
	/* Waits for every job submitted from the buffer, on every engine. */
	ASSERT_EQ(0, accel_cmdbuf_reset(cb));
	EXPECT_EQ(0, accel_cmdbuf_wait_idle(cb, 0));
	for (i = 0; i < rounds; i++) {
		EXPECT_EQ(0x1000 + i, p[i * 16384]) TH_LOG("round %d", i);
		EXPECT_EQ(0x1000 + i, p[i * 16384 + 16383]) TH_LOG("round %d", i);
	}
	accel_bo_free(bo);
	accel_fence_destroy(f);
	accel_cmdbuf_destroy(cb);
}

TEST_F(lib, device_speaks_uapi_2_and_honours_struct_sizes)
{
	struct {
		struct accel_device_info info;
		unsigned char newer[64];
	} big;
	struct accel_device_info small = { .size = 8 };
	int i;

	EXPECT_STREQ("tessera", self->info.driver_name);
	EXPECT_EQ(2, self->info.driver_version_major);
	EXPECT_LT(0, self->info.va_start);
	EXPECT_LT(self->info.va_start, self->info.va_end);
	EXPECT_TRUE(self->info.page_sizes & ACCEL_PAGE_SIZE);
	EXPECT_TRUE(self->info.page_sizes & ACCEL_HUGE_PAGE_SIZE);
	EXPECT_LT(0, self->info.vms_per_file_max);
	EXPECT_LT(0, self->info.num_asids);
	EXPECT_EQ(!!self->info.device_memory_size,
		  !!(self->info.capabilities & ACCEL_CAP_DEVICE_MEM));
	EXPECT_EQ(-EINVAL, accel_device_query(self->dev, &small));
	/* A newer caller's longer struct: its fields beyond ours stay as they were. */
	memset(&big, 0xa5, sizeof(big));
	big.info.size = sizeof(big);
	ASSERT_EQ(0, accel_device_query(self->dev, &big.info));
	EXPECT_EQ(sizeof(big), big.info.size);
	EXPECT_EQ(self->info.serial, big.info.serial);
	EXPECT_EQ(self->info.va_end, big.info.va_end);
	for (i = 0; i < 64; i++)
		if (big.newer[i] != 0xa5)
			break;
	EXPECT_EQ(64, i);
}

/*
 * A VM of our own: a buffer bound at a VA of its allocator, a queue on
 * it, a job's results where they belong; unbound, a later job faults with
 * the VA and access in the VM's status, and only that VM is affected.
 */
TEST_F(lib, vm_bind_run_unbind_then_fault_in_that_vm_only)
{
	struct accel_vm_status st = { .size = sizeof(st) };
	struct accel_sync sig;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_queue *q;
	struct accel_bo *bo;
	struct accel_vm *vm;
	uint32_t *p;
	uint64_t va;
	int i;

	ASSERT_EQ(0, accel_vm_create(self->dev, &vm));
	EXPECT_NE(accel_device_default_vm(self->dev), vm);
	EXPECT_EQ(self->dev, accel_vm_device(vm));
	EXPECT_NE(accel_vm_id(accel_device_default_vm(self->dev)), accel_vm_id(vm));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 65536, &bo));
	ASSERT_EQ(0, accel_vm_va_alloc(vm, 65536, 0, &va));
	EXPECT_LE(self->info.va_start, va);
	EXPECT_GE(self->info.va_end, va + 65536);
	/* Bad binds change nothing. */
	EXPECT_EQ(-EINVAL, accel_vm_bind(vm, bo, 0, va + 8, 4096, ACCEL_BIND_READ));
	EXPECT_EQ(-EINVAL, accel_vm_bind(vm, bo, 0, va, 4096, 0));
	EXPECT_EQ(-EINVAL, accel_vm_bind(vm, bo, 0, va, 4096, ACCEL_BIND_EXEC));
	EXPECT_EQ(-EINVAL, accel_vm_bind(vm, bo, 4096, va, 65536, ACCEL_BIND_READ));
	EXPECT_EQ(-EINVAL, accel_vm_bind(vm, bo, 0, self->info.va_end, 4096, ACCEL_BIND_READ));
	ASSERT_EQ(0, accel_vm_bind(vm, bo, 0, va, 65536, ACCEL_BIND_READ | ACCEL_BIND_WRITE));
	ASSERT_EQ(0, accel_vm_queue_create(vm, ACCEL_ENGINE_COMPUTE, 0, ACCEL_PRIORITY_NORMAL, &q));
	EXPECT_EQ(vm, accel_queue_vm(q));
	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, va + 4096, 8192, 0x7e57ab1e));
	ASSERT_EQ(0, lrun(q, cb, f));
	ASSERT_EQ(0, accel_bo_map(bo, (void **)&p));
	for (i = 0; i < 16384; i++)
		if (p[i] != (i >= 1024 && i < 3072 ? 0x7e57ab1eu : 0))
			break;
	EXPECT_EQ(16384, i);

	ASSERT_EQ(0, accel_vm_unbind(vm, va, 65536));
	ASSERT_EQ(0, accel_cmdbuf_reset(cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, va, 4096, 1));
	EXPECT_EQ(-EFAULT, lrun(q, cb, f));
	ASSERT_EQ(0, accel_vm_status(vm, &st));
	EXPECT_TRUE(st.flags & ACCEL_VM_GUILTY);
	EXPECT_EQ(1, st.fault_count);
	EXPECT_EQ(5, st.fault_code);	/* no translation */
	EXPECT_EQ(ACCEL_ACCESS_WRITE, st.fault_access);
	EXPECT_EQ(va, st.fault_va);
	EXPECT_EQ(0, p[0]);
	sig = (struct accel_sync){ .fence = f };
	EXPECT_EQ(-ECANCELED, accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0));

	/* The default VM is not guilty and still runs jobs on the same buffer. */
	st = (struct accel_vm_status){ .size = sizeof(st) };
	ASSERT_EQ(0, accel_vm_status(accel_device_default_vm(self->dev), &st));
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, st.fault_count);
	ASSERT_EQ(0, accel_cmdbuf_reset(cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(bo), 4, 0x600d));
	EXPECT_EQ(0, lrun(self->compute, cb, f));
	EXPECT_EQ(0x600d, p[0]);

	EXPECT_EQ(0, accel_vm_va_free(vm, va, 65536));
	EXPECT_EQ(-EINVAL, accel_vm_va_free(vm, va, 65536));
	accel_queue_destroy(q);
	/* The command buffer still holds the VM it was bound in. */
	accel_vm_destroy(vm);
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_bo_free(bo);
}

/*
 * A READ-only binding: the card reads through it (a COPY out of it
 * works) and a write through it faults with a permission error.
 */
TEST_F(lib, read_only_binding_reads_and_faults_on_write)
{
	struct accel_vm_status st = { .size = sizeof(st) };
	struct accel_bo *src, *dst;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_queue *q;
	struct accel_vm *vm;
	uint64_t ro, rw;
	uint32_t *ps, *pd;

	ASSERT_EQ(0, accel_vm_create(self->dev, &vm));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 4096, &src));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 4096, &dst));
	ASSERT_EQ(0, accel_bo_map(src, (void **)&ps));
	ASSERT_EQ(0, accel_bo_map(dst, (void **)&pd));
	ps[0] = 0x5eed;
	ps[1023] = 0xd00d;
	ASSERT_EQ(0, accel_vm_va_alloc(vm, 4096, 0, &ro));
	ASSERT_EQ(0, accel_vm_va_alloc(vm, 4096, 0, &rw));
	ASSERT_EQ(0, accel_vm_bind(vm, src, 0, ro, 4096, ACCEL_BIND_READ));
	ASSERT_EQ(0, accel_vm_bind(vm, dst, 0, rw, 4096, ACCEL_BIND_READ | ACCEL_BIND_WRITE));
	ASSERT_EQ(0, accel_vm_queue_create(vm, ACCEL_ENGINE_COMPUTE, ACCEL_ENGINE_ANY,
					   ACCEL_PRIORITY_NORMAL, &q));
	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_copy(cb, ro, rw, 4096));
	ASSERT_EQ(0, lrun(q, cb, f));
	EXPECT_EQ(0x5eed, pd[0]);
	EXPECT_EQ(0xd00d, pd[1023]);
	ASSERT_EQ(0, accel_cmdbuf_reset(cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, ro, 4096, 0xbad));
	EXPECT_EQ(-EFAULT, lrun(q, cb, f));
	ASSERT_EQ(0, accel_vm_status(vm, &st));
	EXPECT_TRUE(st.flags & ACCEL_VM_GUILTY);
	EXPECT_EQ(6, st.fault_code);	/* permission */
	EXPECT_EQ(ACCEL_ACCESS_WRITE, st.fault_access);
	EXPECT_EQ(ro, st.fault_va);
	EXPECT_EQ(0x5eed, ps[0]);
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_queue_destroy(q);
	accel_vm_destroy(vm);
	accel_bo_free(dst);
	accel_bo_free(src);
}

/* The default VM's buffers: 2 MiB-aligned VAs for 2 MiB and more, disjoint ranges. */
TEST_F(lib, va_allocator_aligns_large_buffers_to_2m)
{
	struct accel_vm *dvm = accel_device_default_vm(self->dev);
	struct accel_bo *big, *small, *odd;
	uint64_t a, b, c;

	ASSERT_EQ(0, accel_bo_alloc(self->dev, 4096, &small));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 4 * SZ_2M, &big));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, SZ_2M + 4096, &odd));
	EXPECT_EQ(0, accel_bo_va(big) % SZ_2M);
	EXPECT_EQ(0, accel_bo_va(odd) % SZ_2M);
	EXPECT_EQ(0, accel_bo_va(small) % 4096);
	EXPECT_TRUE(accel_bo_va(big) + 4 * SZ_2M <= accel_bo_va(odd) ||
		    accel_bo_va(odd) + SZ_2M + 4096 <= accel_bo_va(big));
	EXPECT_TRUE(accel_bo_va(small) + 4096 <= accel_bo_va(big) ||
		    accel_bo_va(big) + 4 * SZ_2M <= accel_bo_va(small));
	/* The same allocator, directly. */
	ASSERT_EQ(0, accel_vm_va_alloc(dvm, SZ_2M, 0, &a));
	ASSERT_EQ(0, accel_vm_va_alloc(dvm, 8192, 0, &b));
	ASSERT_EQ(0, accel_vm_va_alloc(dvm, 4096, 1ull << 30, &c));
	EXPECT_EQ(0, a % SZ_2M);
	EXPECT_EQ(0, c % (1ull << 30));
	EXPECT_NE(a, b);
	EXPECT_EQ(-EINVAL, accel_vm_va_alloc(dvm, 4096, 3 * 4096, &c));
	EXPECT_EQ(-ENOSPC, accel_vm_va_alloc(dvm, self->info.va_end, 0, &c));
	EXPECT_EQ(0, accel_vm_va_free(dvm, a, SZ_2M));
	EXPECT_EQ(0, accel_vm_va_free(dvm, b, 8192));
	EXPECT_EQ(0, accel_vm_va_free(dvm, c, 4096));
	accel_bo_free(odd);
	accel_bo_free(big);
	accel_bo_free(small);
}

/*
 * Importing your own export, and one dma-buf twice, gives the accel_bo
 * the device already has, with a reference per import: the GEM handle is
 * closed with the last free only.
 */
TEST_F(lib, import_is_deduplicated_through_the_handle_table)
{
	struct accel_bo *a, *b, *c, *x, *y1, *y2;
	struct accel_device *other;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	uint32_t *pa, ha, hy;
	int fd = -1;

	ASSERT_EQ(0, accel_bo_alloc(self->dev, 65536, &a));
	ha = accel_bo_handle(a);
	ASSERT_EQ(0, accel_bo_export(a, &fd));
	ASSERT_EQ(0, accel_bo_import(self->dev, fd, &b));
	ASSERT_EQ(0, accel_bo_import(self->dev, fd, &c));
	close(fd);
	EXPECT_EQ(a, b);
	EXPECT_EQ(a, c);
	accel_bo_free(b);
	accel_bo_free(c);
	/* Still a's: its handle, its binding and a job on it work. */
	EXPECT_EQ(0, handle_alive(self->dev, ha));
	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(a), 65536, 0xdedede));
	ASSERT_EQ(0, lrun(self->compute, cb, f));
	ASSERT_EQ(0, accel_bo_map(a, (void **)&pa));
	EXPECT_EQ(0xdedede, pa[0]);
	EXPECT_EQ(0xdedede, pa[16383]);
	accel_bo_free(a);
	EXPECT_EQ(-ENOENT, handle_alive(self->dev, ha));

	/* Another device's buffer imported twice. */
	ASSERT_EQ(0, open_card(&other));
	ASSERT_EQ(0, accel_bo_alloc(other, 8192, &x));
	ASSERT_EQ(0, accel_bo_export(x, &fd));
	ASSERT_EQ(0, accel_bo_import(self->dev, fd, &y1));
	ASSERT_EQ(0, accel_bo_import(self->dev, fd, &y2));
	close(fd);
	EXPECT_EQ(y1, y2);
	EXPECT_EQ(8192, accel_bo_size(y1));
	EXPECT_NE(0, accel_bo_va(y1));
	hy = accel_bo_handle(y1);
	accel_bo_free(y1);
	EXPECT_EQ(0, handle_alive(self->dev, hy));
	accel_bo_free(y2);
	EXPECT_EQ(-ENOENT, handle_alive(self->dev, hy));
	accel_bo_free(x);
	accel_device_close(other);
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
}

/* Buffers are mapped for the CPU only by accel_bo_map(); jobs need no mapping. */
TEST_F(lib, no_cpu_mapping_unless_asked)
{
	struct accel_bo *host, *wc, *dmem = NULL, *imp;
	struct accel_device *other;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	uint32_t *p;
	int before, fd = -1;

	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, open_card(&other));
	before = node_mappings();
	ASSERT_LE(1, before);	/* the command buffer's, asked for */
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 65536, &host));
	ASSERT_EQ(0, accel_bo_alloc_flags(self->dev, 65536, ACCEL_BO_WC, &wc));
	if (self->info.device_memory_size)
		ASSERT_EQ(0, accel_bo_alloc_flags(self->dev, 4 * SZ_2M, ACCEL_BO_DEVICE_MEM, &dmem));
	{
		struct accel_bo *x;

		ASSERT_EQ(0, accel_bo_alloc(other, 4096, &x));
		ASSERT_EQ(0, accel_bo_export(x, &fd));
		accel_bo_free(x);
	}
	ASSERT_EQ(0, accel_bo_import(self->dev, fd, &imp));
	close(fd);
	EXPECT_EQ(0, accel_bo_is_mapped(host));
	EXPECT_EQ(0, accel_bo_is_mapped(wc));
	EXPECT_EQ(0, accel_bo_is_mapped(imp));
	if (dmem)
		EXPECT_EQ(0, accel_bo_is_mapped(dmem));
	EXPECT_EQ(before, node_mappings());

	/* Device memory -> WC host -> cached host, none of them mapped. */
	if (dmem) {
		ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(dmem) + SZ_2M, 65536, 0xcafe));
		ASSERT_EQ(0, accel_cmdbuf_copy(cb, accel_bo_va(dmem) + SZ_2M, accel_bo_va(wc),
					       65536));
	} else {
		ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(wc), 65536, 0xcafe));
	}
	ASSERT_EQ(0, accel_cmdbuf_copy(cb, accel_bo_va(wc), accel_bo_va(host), 65536));
	ASSERT_EQ(0, lrun(self->compute, cb, f));
	EXPECT_EQ(before, node_mappings());

	ASSERT_EQ(0, accel_bo_map(host, (void **)&p));
	EXPECT_EQ(1, accel_bo_is_mapped(host));
	EXPECT_EQ(before + 1, node_mappings());
	EXPECT_EQ(0xcafe, p[0]);
	EXPECT_EQ(0xcafe, p[16383]);
	p[1] = 0x1234;
	accel_bo_unmap(host);
	EXPECT_EQ(0, accel_bo_is_mapped(host));
	EXPECT_EQ(before, node_mappings());
	ASSERT_EQ(0, accel_bo_map(host, (void **)&p));
	EXPECT_EQ(0x1234, p[1]);

	accel_bo_free(imp);
	accel_bo_free(dmem);
	accel_bo_free(wc);
	accel_bo_free(host);
	EXPECT_EQ(before, node_mappings());
	accel_device_close(other);
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
}

struct resetter {
	struct accel_cmdbuf *cb;
	int ret, done;
};

static void *reset_thread(void *arg)
{
	struct resetter *r = arg;

	r->ret = accel_cmdbuf_reset(r->cb);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The reuse contract: accel_cmdbuf_reset() returns only once the card is
 * done with every job submitted from the buffer (here one held on a
 * semaphore), and accel_cmdbuf_wait_idle() says -ETIME before.
 */
TEST_F(lib, cmdbuf_reset_waits_until_the_card_is_done)
{
	struct resetter r = { 0 };
	struct accel_bo *sem, *data;
	struct accel_fence *f;
	struct accel_sync sig;
	uint32_t *ps, *pd;
	pthread_t t;
	int i;

	ASSERT_EQ(0, accel_bo_alloc(self->dev, 4096, &sem));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 65536, &data));
	ASSERT_EQ(0, accel_bo_map(sem, (void **)&ps));
	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &r.cb));
	EXPECT_EQ(0, accel_cmdbuf_wait_idle(r.cb, 0));	/* never submitted */
	ASSERT_EQ(0, accel_cmdbuf_semaphore(r.cb, ACCEL_SEM_WAIT, accel_bo_va(sem), 1));
	ASSERT_EQ(0, accel_cmdbuf_fill(r.cb, accel_bo_va(data), 65536, 0xd0d0));
	sig = (struct accel_sync){ .fence = f };
	ASSERT_EQ(0, accel_queue_submit(self->compute, r.cb, NULL, 0, &sig, 1, NULL, 0));
	EXPECT_EQ(-ETIME, accel_cmdbuf_wait_idle(r.cb, 0));
	EXPECT_EQ(-ETIME, accel_cmdbuf_wait_idle(r.cb, 100000000ull));
	ASSERT_EQ(0, pthread_create(&t, NULL, reset_thread, &r));
	scaled_usleep(300 * 1000);
	EXPECT_EQ(0, __atomic_load_n(&r.done, __ATOMIC_ACQUIRE));
	EXPECT_EQ(0, accel_fence_is_signaled(f));
	__atomic_store_n(ps, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	EXPECT_EQ(0, r.ret);
	/* Reset returned: the job had finished, with its results written. */
	EXPECT_EQ(1, accel_fence_is_signaled(f));
	EXPECT_EQ(0, accel_fence_wait(f, 0));
	EXPECT_EQ(0, accel_cmdbuf_size(r.cb));
	EXPECT_EQ(0, accel_cmdbuf_wait_idle(r.cb, 0));
	ASSERT_EQ(0, accel_bo_map(data, (void **)&pd));
	for (i = 0; i < 16384; i++)
		if (pd[i] != 0xd0d0)
			break;
	EXPECT_EQ(16384, i);
	accel_cmdbuf_destroy(r.cb);
	accel_fence_destroy(f);
	accel_bo_free(data);
	accel_bo_free(sem);
}

/*
 * accel_bo_free() and accel_cmdbuf_destroy() of objects a queued job uses
 * return at once (the job is held on a semaphore: a wait would never
 * end), the freed buffer's VA is not handed out again while the job may
 * use it, and the job completes with the right results.
 */
TEST_F(lib, free_never_waits_and_keeps_the_va_until_the_card_is_done)
{
	struct accel_bo *sem, *src, *dst, *next;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_sync sig;
	uint32_t *ps, *psrc, *pd;
	uint64_t src_va;
	int i;

	ASSERT_EQ(0, accel_bo_alloc(self->dev, 4096, &sem));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 8192, &src));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 8192, &dst));
	ASSERT_EQ(0, accel_bo_map(sem, (void **)&ps));
	ASSERT_EQ(0, accel_bo_map(src, (void **)&psrc));
	ASSERT_EQ(0, accel_bo_map(dst, (void **)&pd));
	for (i = 0; i < 2048; i++)
		psrc[i] = 0x51c0000 + i;
	src_va = accel_bo_va(src);
	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_semaphore(cb, ACCEL_SEM_WAIT, accel_bo_va(sem), 1));
	ASSERT_EQ(0, accel_cmdbuf_copy(cb, src_va, accel_bo_va(dst), 8192));
	sig = (struct accel_sync){ .fence = f };
	ASSERT_EQ(0, accel_queue_submit(self->compute, cb, NULL, 0, &sig, 1, NULL, 0));
	accel_bo_free(src);
	accel_cmdbuf_destroy(cb);
	EXPECT_EQ(0, accel_fence_is_signaled(f));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 8192, &next));
	EXPECT_NE(src_va, accel_bo_va(next));
	__atomic_store_n(ps, 1, __ATOMIC_RELEASE);
	EXPECT_EQ(0, accel_fence_wait(f, WAIT_NS));
	for (i = 0; i < 2048; i++)
		if (pd[i] != 0x51c0000u + i)
			break;
	EXPECT_EQ(2048, i);
	accel_bo_free(next);
	accel_fence_destroy(f);
	accel_bo_free(dst);
	accel_bo_free(sem);
}

/*
 * One command buffer submitted in two VMs (bound READ | EXEC in the
 * second on its first submit there), and kept working after that VM's
 * queue and id are gone.
 */
TEST_F(lib, cmdbuf_submitted_in_two_vms)
{
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_queue *q;
	struct accel_bo *bo;
	struct accel_vm *vm;
	uint64_t va;
	uint32_t *p;

	ASSERT_EQ(0, accel_vm_create(self->dev, &vm));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, 8192, &bo));
	ASSERT_EQ(0, accel_bo_map(bo, (void **)&p));
	ASSERT_EQ(0, accel_vm_va_alloc(vm, 8192, 0, &va));
	ASSERT_EQ(0, accel_vm_bind(vm, bo, 0, va, 8192, ACCEL_BIND_READ | ACCEL_BIND_WRITE));
	ASSERT_EQ(0, accel_vm_queue_create(vm, ACCEL_ENGINE_COMPUTE, ACCEL_ENGINE_ANY,
					   ACCEL_PRIORITY_NORMAL, &q));
	ASSERT_EQ(0, accel_fence_create(self->dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, va, 4096, 0x2222));
	ASSERT_EQ(0, lrun(q, cb, f));
	EXPECT_EQ(0x2222, p[0]);
	ASSERT_EQ(0, accel_cmdbuf_reset(cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(bo) + 4096, 4096, 0x1111));
	ASSERT_EQ(0, lrun(self->compute, cb, f));
	EXPECT_EQ(0x1111, p[1024]);
	accel_queue_destroy(q);
	accel_vm_destroy(vm);
	ASSERT_EQ(0, accel_cmdbuf_reset(cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, accel_bo_va(bo), 4, 0x3333));
	ASSERT_EQ(0, lrun(self->compute, cb, f));
	EXPECT_EQ(0x3333, p[0]);
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_bo_free(bo);
}

/* The simple path: a fault in the default VM, seen in its status. */
TEST(default_vm_status_after_a_fault)
{
	struct accel_submit_args args = { .size = sizeof(args) };
	struct accel_vm_status st = { .size = sizeof(st) };
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_vm *vm;
	const uint64_t bad = 0x7f0000000000ull;

	ASSERT_EQ(0, open_card(&dev));
	vm = accel_device_default_vm(dev);
	ASSERT_NE(NULL, vm);
	ASSERT_EQ(0, accel_vm_status(vm, &st));
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, st.fault_count);
	ASSERT_EQ(0, accel_fence_create(dev, &f));
	ASSERT_EQ(0, accel_cmdbuf_create(dev, CB_SIZE, &cb));
	ASSERT_EQ(0, accel_cmdbuf_fill(cb, bad, 4096, 0xbad));
	args.signal = f;
	ASSERT_EQ(0, accel_submit(cb, &args, NULL));
	EXPECT_EQ(-EFAULT, accel_fence_wait(f, WAIT_NS));
	ASSERT_EQ(0, accel_vm_status(vm, &st));
	EXPECT_TRUE(st.flags & ACCEL_VM_GUILTY);
	EXPECT_EQ(1, st.fault_count);
	EXPECT_EQ(5, st.fault_code);	/* no translation */
	EXPECT_EQ(ACCEL_ACCESS_WRITE, st.fault_access);
	EXPECT_EQ(bad, st.fault_va);
	EXPECT_EQ(0, st.fault_engine);
	EXPECT_EQ(-ECANCELED, accel_submit(cb, &args, NULL));
	args.size = 4;
	EXPECT_EQ(-EINVAL, accel_submit(cb, &args, NULL));
	accel_vm_destroy(vm);	/* ignored: the device owns it */
	st.size = 4;
	EXPECT_EQ(-EINVAL, accel_vm_status(vm, &st));
	accel_cmdbuf_destroy(cb);
	accel_fence_destroy(f);
	accel_device_close(dev);
}

TEST_HARNESS_MAIN
