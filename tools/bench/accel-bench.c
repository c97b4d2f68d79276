// SPDX-License-Identifier: MIT
/*
 * accel-bench: job latency and throughput of a Tessera card, seen from
 * userspace through libaccel, next to the driver's raw ring floor.
 *
 *   accel-bench [CARD]
 *
 * Prints numbers and ratios; it judges nothing.  The floor comes from the
 * driver's debugfs "ping" (root, debugfs mounted): one-NOP descriptors
 * posted straight to ring 0 with no scheduler, doorbell to interrupt.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "accel/accel.h"

#define LATENCY_JOBS	500
#define DEEP_JOBS	2000
#define MAX_ENGINES	16

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void die(const char *what, int err)
{
	fprintf(stderr, "accel-bench: %s: %s\n", what, accel_strerror(err));
	exit(1);
}

/*
 * The same round trip without libaccel's error check on the fence (which
 * costs a sync_file export, an ioctl and a close): submit ioctl and
 * syncobj wait only, to split the library's share from the driver's.
 */
static void nop_latency_raw(struct accel_device *dev, uint64_t *p50)
{
	static uint64_t lat[LATENCY_JOBS];
	struct accel_submit_args args = { 0 };
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	uint32_t syncobj;
	int i, ret;

	if ((ret = accel_cmdbuf_create(dev, 4096, &cb)) || (ret = accel_fence_create(dev, &f)) ||
	    (ret = accel_cmdbuf_nop(cb, 1)))
		die("setup", ret);
	args.signal = f;
	syncobj = accel_fence_syncobj(f);
	for (i = 0; i < LATENCY_JOBS; i++) {
		uint64_t t0 = now_ns();

		ret = accel_submit(cb, &args, NULL);
		if (!ret)
			ret = drmSyncobjWait(accel_device_fd(dev), &syncobj, 1, INT64_MAX, 0, NULL);
		if (ret)
			die("nop job", ret);
		lat[i] = now_ns() - t0;
	}
	qsort(lat, LATENCY_JOBS, sizeof(lat[0]), cmp_u64);
	*p50 = lat[LATENCY_JOBS / 2];
	accel_fence_destroy(f);
	accel_cmdbuf_destroy(cb);
}

/* p50 and p99 of NOP job round trips on engine 0, in ns. */
static void nop_latency(struct accel_device *dev, uint64_t *p50, uint64_t *p99)
{
	static uint64_t lat[LATENCY_JOBS];
	struct accel_submit_args args = { 0 };
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	int i, ret;

	if ((ret = accel_cmdbuf_create(dev, 4096, &cb)) || (ret = accel_fence_create(dev, &f)) ||
	    (ret = accel_cmdbuf_nop(cb, 1)))
		die("setup", ret);
	args.signal = f;
	for (i = 0; i < LATENCY_JOBS; i++) {
		uint64_t t0 = now_ns();

		ret = accel_submit(cb, &args, NULL);
		if (!ret)
			ret = accel_fence_wait(f, 30000000000ull);
		if (ret)
			die("nop job", ret);
		lat[i] = now_ns() - t0;
	}
	qsort(lat, LATENCY_JOBS, sizeof(lat[0]), cmp_u64);
	*p50 = lat[LATENCY_JOBS / 2];
	*p99 = lat[LATENCY_JOBS * 99 / 100];
	accel_fence_destroy(f);
	accel_cmdbuf_destroy(cb);
}

/*
 * Jobs per second with DEEP_JOBS jobs queued round-robin on @engines
 * engines; @fill_bytes 0 means NOP jobs, otherwise each job FILLs that
 * many bytes of its engine's own buffer.
 */
static double deep_queue(struct accel_device *dev, unsigned int engines, uint32_t fill_bytes,
			 int jobs)
{
	struct accel_cmdbuf *cb[MAX_ENGINES];
	struct accel_fence *f[MAX_ENGINES];
	struct accel_bo *bo[MAX_ENGINES];
	struct accel_submit_args args = { 0 };
	uint64_t t0, ns;
	unsigned int e;
	int i, ret;

	for (e = 0; e < engines; e++) {
		if ((ret = accel_cmdbuf_create(dev, 4096, &cb[e])) ||
		    (ret = accel_fence_create(dev, &f[e])) ||
		    (ret = accel_bo_alloc(dev, fill_bytes ? fill_bytes : 4096, &bo[e])))
			die("setup", ret);
		ret = fill_bytes ? accel_cmdbuf_fill(cb[e], accel_bo_va(bo[e]), fill_bytes, e) :
				   accel_cmdbuf_nop(cb[e], 1);
		if (ret)
			die("encode", ret);
	}
	t0 = now_ns();
	for (i = 0; i < jobs; i++) {
		e = (unsigned int)i % engines;
		args.engine = e;
		args.signal = f[e];
		ret = accel_submit(cb[e], &args, NULL);
		if (ret)
			die("submit", ret);
	}
	for (e = 0; e < engines; e++) {
		ret = accel_fence_wait(f[e], 120000000000ull);
		if (ret)
			die("wait", ret);
	}
	ns = now_ns() - t0;
	for (e = 0; e < engines; e++) {
		accel_bo_free(bo[e]);
		accel_fence_destroy(f[e]);
		accel_cmdbuf_destroy(cb[e]);
	}
	return jobs / (ns / 1e9);
}

/* The driver's raw floor from debugfs; 0 if unavailable. */
static int ring_floor(const char *slot, uint64_t *p50, uint64_t *p99)
{
	unsigned long long min, a, b;
	char path[PATH_MAX], line[256];
	unsigned int n;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/ping", slot);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	ok = fgets(line, sizeof(line), f) &&
	     sscanf(line, "ring 0: %u pings, min %llu ns, p50 %llu ns, p99 %llu ns",
		    &n, &min, &a, &b) == 4;
	fclose(f);
	if (!ok)
		return -EIO;
	*p50 = a;
	*p99 = b;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int card = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 0;
	uint64_t p50, p99, f50 = 0, f99 = 0;
	struct accel_device_info info;
	struct accel_device *dev;
	double one, four;
	int ret;

	ret = accel_device_open(card, &dev);
	if (ret)
		die("open", ret);
	ret = accel_device_query(dev, &info);
	if (ret)
		die("query", ret);
	printf("accel-bench: card %u (%s), %u compute + %u DMA engines\n", card, info.pci_slot,
	       info.num_compute_engines, info.num_dma_engines);

	nop_latency(dev, &p50, &p99);
	printf("NOP job round trip (submit to fence seen by userspace): p50 %.1f us, p99 %.1f us (%d jobs)\n",
	       p50 / 1e3, p99 / 1e3, LATENCY_JOBS);
	{
		uint64_t raw50;

		nop_latency_raw(dev, &raw50);
		printf("  of which without libaccel's fence status check: p50 %.1f us\n",
		       raw50 / 1e3);
	}
	ret = ring_floor(info.pci_slot, &f50, &f99);
	if (ret) {
		printf("raw ring floor: unavailable (%s; needs root and debugfs)\n",
		       accel_strerror(ret));
	} else {
		printf("raw ring floor (debugfs ping, no scheduler): p50 %.1f us, p99 %.1f us\n",
		       f50 / 1e3, f99 / 1e3);
		printf("ratio: job round trip / floor at p50 = %.2fx (target <= 1.25x)\n",
		       (double)p50 / f50);
	}

	if (info.num_compute_engines >= 4) {
		one = deep_queue(dev, 1, 0, DEEP_JOBS);
		four = deep_queue(dev, 4, 0, DEEP_JOBS);
		printf("NOP jobs/s, %d queued: 1 engine %.0f, 4 engines %.0f, scaling %.2fx\n",
		       DEEP_JOBS, one, four, four / one);
		one = deep_queue(dev, 1, 16 << 20, DEEP_JOBS / 10);
		four = deep_queue(dev, 4, 16 << 20, DEEP_JOBS / 10);
		printf("FILL 16 MiB jobs/s, %d queued: 1 engine %.0f, 4 engines %.0f, scaling %.2fx (target >= 3x; host has %ld cores)\n",
		       DEEP_JOBS / 10, one, four, four / one, sysconf(_SC_NPROCESSORS_ONLN));
	}
	accel_device_close(dev);
	return 0;
}
