// SPDX-License-Identifier: MIT
/*
 * accel-bench: job latency and throughput of a Tessera card, seen from
 * userspace through libaccel, each beside a floor or reference measured in
 * the same run.
 *
 *   accel-bench [--json] [--quick] [--only SECTIONS] [CARD]
 *
 * Sections (all by default; --only takes a comma-separated list):
 *   latency  NOP round trip p50/p99, next to the driver's raw ring floor
 *   queue    jobs/s with deep queues on 1 and 4 engines (NOP, FILL 16 MiB)
 *   bo       buffer create+bind+map+unbind+close cycles/s, host and device
 *            memory: through the default VM (accel_bo_alloc binds, the
 *            last accel_bo_free unbinds without waiting), and with a
 *            second bind into a VM of its own, unbound synchronously
 *   dma      COPY GB/s host<->device on a DMA and a compute engine, next to
 *            CPU memcpy in this (guest) CPU
 *   pages    a 64 MiB device-memory COPY in a VM of its own, bound at
 *            2 MiB-aligned VAs (2 MiB pages) and at VAs 4 KiB off (4 KiB
 *            pages only), GB/s of each and their ratio
 *   gemm     GEMM GFLOP/s per dtype and size, next to CPU BLAS (fp32)
 *
 * Prints numbers and ratios; it judges nothing.  The floor comes from the
 * driver's debugfs "ping" (root, debugfs mounted): one-NOP descriptors
 * posted straight to ring 0 with no scheduler, doorbell to interrupt.
 * OpenBLAS (the GEMM reference) is loaded only when that section needs it,
 * after the card's numbers: its idle worker threads spin on sched_yield()
 * for a while after they start, which under TCG steals a vCPU from every
 * measurement that runs beside them.
 * --json prints one JSON object holding every result with its unit and
 * its reference and ratio (null where there is none).  --quick runs few
 * iterations, for smoke tests.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dlfcn.h>

#include <cblas.h>
#include <xf86drm.h>

#include "accel/accel.h"
#include "../common/timing.h"

#define LATENCY_JOBS	500
#define DEEP_JOBS	2000
#define MAX_ENGINES	16
#define MAX_RESULTS	128

/* Set from the command line. */
static int latency_jobs = LATENCY_JOBS;
static int deep_jobs = DEEP_JOBS;
static bool quick, json;

/* Text output only: --json prints the collected results at the end. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/*
 * One result: a value with its unit, and optionally the reference it is
 * compared with (measured in the same run) and the ratio value / reference.
 */
struct result {
	const char *section;
	char name[64];
	double value;
	const char *unit;
	char ref_name[64];
	double ref;		/* NAN: no reference */
	const char *ref_unit;
	double ratio;		/* NAN: no ratio */
};

static struct result results[MAX_RESULTS];
static int num_results;

static void record(const char *section, const char *name, double value, const char *unit,
		   const char *ref_name, double ref, const char *ref_unit, double ratio)
{
	struct result *r;

	if (num_results == MAX_RESULTS)
		return;
	r = &results[num_results++];
	r->section = section;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->value = value;
	r->unit = unit;
	snprintf(r->ref_name, sizeof(r->ref_name), "%s", ref_name ? ref_name : "");
	r->ref = ref_name ? ref : NAN;
	r->ref_unit = ref_unit ? ref_unit : "";
	r->ratio = ratio;
}

static void json_num(double v)
{
	if (isfinite(v))
		printf("%.6g", v);
	else
		printf("null");
}

static void json_print(unsigned int card, const struct accel_device_info *info,
		       const char *sections)
{
	int i;

	printf("{\"tool\":\"accel-bench\",\"card\":%u,\"pci_slot\":\"%s\","
	       "\"compute_engines\":%u,\"dma_engines\":%u,\"quick\":%s,"
	       "\"sections\":\"%s\",\"results\":[",
	       card, info->pci_slot, info->num_compute_engines, info->num_dma_engines,
	       quick ? "true" : "false", sections);
	for (i = 0; i < num_results; i++) {
		const struct result *r = &results[i];

		printf("%s\n {\"section\":\"%s\",\"name\":\"%s\",\"value\":", i ? "," : "",
		       r->section, r->name);
		json_num(r->value);
		printf(",\"unit\":\"%s\",\"reference\":", r->unit);
		if (r->ref_name[0]) {
			printf("{\"name\":\"%s\",\"value\":", r->ref_name);
			json_num(r->ref);
			printf(",\"unit\":\"%s\"}", r->ref_unit);
		} else {
			printf("null");
		}
		printf(",\"ratio\":");
		json_num(r->ratio);
		printf("}");
	}
	printf("\n]}\n");
}

static void die(const char *what, int err) __attribute__((noreturn));
static void die(const char *what, int err)
{
	fprintf(stderr, "accel-bench: %s: %s\n", what, accel_strerror(err));
	exit(1);
}

/* How nop_latency() waits for each job's fence. */
enum nop_wait {
	/*
	 * accel_fence_wait(), as applications wait: the wait and libaccel's
	 * check of the job's status (the driver's FENCE_WAIT, or a sync_file
	 * query on older drivers).
	 */
	NOP_WAIT_ACCEL_FENCE,
	/*
	 * drmSyncobjWait() on the fence's syncobj: the core's wait only,
	 * without libaccel's status check, to split the library's share of
	 * the round trip from the driver's.
	 */
	NOP_WAIT_SYNCOBJ,
};

/* p50 and p99 of NOP job round trips on engine 0, in ns, each waited for by @wait. */
static void nop_latency(struct accel_device *dev, enum nop_wait wait, uint64_t *p50,
			uint64_t *p99)
{
	uint64_t *lat = calloc((size_t)latency_jobs, sizeof(*lat));
	struct accel_submit_args args = { .size = sizeof(args) };
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	uint32_t syncobj;
	int i, ret;

	if (!lat)
		die("setup", -ENOMEM);
	if ((ret = accel_cmdbuf_create(dev, 4096, &cb)) || (ret = accel_fence_create(dev, &f)) ||
	    (ret = accel_cmdbuf_nop(cb, 1)))
		die("setup", ret);
	args.signal = f;
	syncobj = accel_fence_syncobj(f);
	for (i = 0; i < latency_jobs; i++) {
		uint64_t t0 = now_ns();

		ret = accel_submit(cb, &args, NULL);
		if (ret)
			die("nop job", ret);
		if (wait == NOP_WAIT_ACCEL_FENCE)
			ret = accel_fence_wait(f, 30000000000ull);
		else
			ret = drmSyncobjWait(accel_device_fd(dev), &syncobj, 1, INT64_MAX, 0, NULL);
		if (ret)
			die("nop job", ret);
		lat[i] = now_ns() - t0;
	}
	qsort(lat, (size_t)latency_jobs, sizeof(lat[0]), cmp_u64);
	*p50 = lat[latency_jobs / 2];
	*p99 = lat[latency_jobs * 99 / 100];
	free(lat);
	accel_fence_destroy(f);
	accel_cmdbuf_destroy(cb);
}

/*
 * Jobs per second with @jobs jobs queued round-robin on @engines
 * engines; @fill_bytes 0 means NOP jobs, otherwise each job FILLs that
 * many bytes of its engine's own buffer.
 */
static double deep_queue(struct accel_device *dev, unsigned int engines, uint32_t fill_bytes,
			 int jobs)
{
	struct accel_cmdbuf *cb[MAX_ENGINES];
	struct accel_fence *f[MAX_ENGINES];
	struct accel_bo *bo[MAX_ENGINES];
	struct accel_submit_args args = { .size = sizeof(args) };
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

/*
 * p50 of one cheap system call on the device (a syncobj query): what each
 * of the round trip's system calls and context switches costs at least.
 */
static uint64_t syscall_p50(struct accel_device *dev)
{
	uint64_t lat[200], point;
	struct accel_fence *f;
	uint32_t syncobj;
	int i, ret;

	if ((ret = accel_fence_create(dev, &f)))
		die("setup", ret);
	syncobj = accel_fence_syncobj(f);
	for (i = 0; i < 200; i++) {
		uint64_t t0 = now_ns();

		if (drmSyncobjQuery(accel_device_fd(dev), &syncobj, &point, 1))
			die("syncobj query", -errno);
		lat[i] = now_ns() - t0;
	}
	accel_fence_destroy(f);
	qsort(lat, 200, sizeof(lat[0]), cmp_u64);
	return lat[100];
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

/* ------------------------------------------------------------------ */
/* latency and queue: the original measurements                        */
/* ------------------------------------------------------------------ */

static void bench_latency(struct accel_device *dev, const struct accel_device_info *info)
{
	uint64_t p50, p99, raw50, raw99, sys50, f50 = 0, f99 = 0;
	int ret;

	nop_latency(dev, NOP_WAIT_ACCEL_FENCE, &p50, &p99);
	say("NOP job round trip (submit to fence seen by userspace): p50 %.1f us, p99 %.1f us (%d jobs)\n",
	    p50 / 1e3, p99 / 1e3, latency_jobs);
	nop_latency(dev, NOP_WAIT_SYNCOBJ, &raw50, &raw99);
	say("  of which without libaccel's fence status check: p50 %.1f us\n", raw50 / 1e3);
	ret = ring_floor(info->pci_slot, &f50, &f99);
	if (ret) {
		say("raw ring floor: unavailable (%s; needs root and debugfs)\n",
		    accel_strerror(ret));
		record("latency", "nop_round_trip_p50", p50 / 1e3, "us", NULL, 0, NULL, NAN);
		record("latency", "nop_round_trip_p99", p99 / 1e3, "us", NULL, 0, NULL, NAN);
	} else {
		say("raw ring floor (debugfs ping, no scheduler): p50 %.1f us, p99 %.1f us\n",
		    f50 / 1e3, f99 / 1e3);
		say("ratio: job round trip / floor at p50 = %.2fx (target <= 1.25x)\n",
		    (double)p50 / f50);
		/*
		 * The floor has no system call; a job needs two (submit,
		 * wait) and a scheduler work item, each a context switch.
		 */
		sys50 = syscall_p50(dev);
		say("  round trip above the floor: %.1f us = %.1f x one system call on the device "
		    "(syncobj query, p50 %.1f us)\n", (p50 - (double)f50) / 1e3,
		    (p50 - (double)f50) / sys50, sys50 / 1e3);
		record("latency", "syscall_p50", sys50 / 1e3, "us", NULL, 0, NULL, NAN);
		record("latency", "nop_round_trip_p50", p50 / 1e3, "us", "debugfs_ping_p50",
		       f50 / 1e3, "us", (double)p50 / f50);
		record("latency", "nop_round_trip_p99", p99 / 1e3, "us", "debugfs_ping_p99",
		       f99 / 1e3, "us", (double)p99 / f99);
	}
	record("latency", "nop_round_trip_no_status_check_p50", raw50 / 1e3, "us",
	       "nop_round_trip_p50", p50 / 1e3, "us", (double)raw50 / p50);
}

static void bench_queue(struct accel_device *dev, const struct accel_device_info *info)
{
	double one, four;
	int jobs;

	if (info->num_compute_engines < 4) {
		say("deep queues: skipped, the card has fewer than 4 compute engines\n");
		return;
	}
	one = deep_queue(dev, 1, 0, deep_jobs);
	four = deep_queue(dev, 4, 0, deep_jobs);
	say("NOP jobs/s, %d queued: 1 engine %.0f, 4 engines %.0f, scaling %.2fx\n",
	    deep_jobs, one, four, four / one);
	record("queue", "nop_jobs_per_s_1_engine", one, "jobs/s", NULL, 0, NULL, NAN);
	record("queue", "nop_jobs_per_s_4_engines", four, "jobs/s", "nop_jobs_per_s_1_engine",
	       one, "jobs/s", four / one);
	jobs = deep_jobs / 10 < 4 ? 4 : deep_jobs / 10;
	one = deep_queue(dev, 1, 16 << 20, jobs);
	four = deep_queue(dev, 4, 16 << 20, jobs);
	say("FILL 16 MiB jobs/s, %d queued: 1 engine %.0f, 4 engines %.0f, scaling %.2fx (target >= 3x; host has %ld cores)\n",
	    jobs, one, four, four / one, sysconf(_SC_NPROCESSORS_ONLN));
	record("queue", "fill16m_jobs_per_s_1_engine", one, "jobs/s", NULL, 0, NULL, NAN);
	record("queue", "fill16m_jobs_per_s_4_engines", four, "jobs/s",
	       "fill16m_jobs_per_s_1_engine", one, "jobs/s", four / one);
}

/* ------------------------------------------------------------------ */
/* bo: create + bind + map + first touch + unbind + close              */
/* ------------------------------------------------------------------ */

/*
 * One cycle: accel_bo_alloc_flags() (BO_CREATE and a VM_BIND into the
 * default VM), accel_bo_map() (mmap) and a first touch, then the last
 * accel_bo_free() (munmap, GEM_CLOSE and an asynchronous unbind).  With
 * @vm, the buffer is also bound READ | WRITE at a VA of @vm's allocator
 * and unbound synchronously (which waits for @vm's jobs: it has none)
 * before the free.
 */
static int bo_cycle(struct accel_device *dev, struct accel_vm *vm, uint64_t size,
		    uint32_t flags)
{
	struct accel_bo *bo;
	uint64_t va = 0;
	void *p;
	int ret;

	ret = accel_bo_alloc_flags(dev, size, flags, &bo);
	if (ret)
		return ret;
	if (vm) {
		ret = accel_vm_va_alloc(vm, accel_bo_size(bo), 0, &va);
		if (!ret) {
			ret = accel_vm_bind(vm, bo, 0, va, accel_bo_size(bo),
					    ACCEL_BIND_READ | ACCEL_BIND_WRITE);
			if (ret)
				accel_vm_va_free(vm, va, accel_bo_size(bo));
		}
		if (ret)
			goto out;
	}
	ret = accel_bo_map(bo, &p);
	if (!ret)
		*(volatile uint32_t *)p = 1;	/* fault the first page in */
	if (vm) {
		int err = accel_vm_unbind(vm, va, accel_bo_size(bo));

		accel_vm_va_free(vm, va, accel_bo_size(bo));
		ret = ret ? ret : err;
	}
out:
	accel_bo_free(bo);
	return ret;
}

/* Cycles per second, run for about @budget_ns (at least @min cycles). */
static int bo_rate(struct accel_device *dev, struct accel_vm *vm, uint64_t size, uint32_t flags,
		   uint64_t budget_ns, int min, double *rate)
{
	uint64_t t0 = now_ns(), ns;
	int n = 0, ret;

	do {
		ret = bo_cycle(dev, vm, size, flags);
		if (ret)
			return ret;
		n++;
		ns = now_ns() - t0;
	} while (n < min || ns < budget_ns);
	*rate = n / (ns / 1e9);
	return 0;
}

static void bench_bo(struct accel_device *dev, const struct accel_device_info *info)
{
	static const struct { uint64_t size; const char *name; } sizes[] = {
		{ 4096, "4k" }, { 1 << 20, "1m" }, { 16 << 20, "16m" },
	};
	static const struct { uint32_t flags; bool vm; const char *name; } places[] = {
		{ 0, false, "host" }, { ACCEL_BO_WC, false, "host_wc" },
		{ ACCEL_BO_DEVICE_MEM, false, "device" },
		{ 0, true, "host_vm" }, { ACCEL_BO_DEVICE_MEM, true, "device_vm" },
	};
	uint64_t budget = quick ? 20000000ull : 300000000ull;
	struct accel_vm *vm;
	unsigned int s, p;
	int ret;

	ret = accel_vm_create(dev, &vm);
	if (ret)
		die("VM", ret);
	say("\nBO create+bind+map+touch+unbind+close, cycles/s (*_vm: and a bind + synchronous\n"
	    "unbind in a second VM):\n  %-10s %12s %12s %12s\n", "placement",
	    "4 KiB", "1 MiB", "16 MiB");
	for (p = 0; p < sizeof(places) / sizeof(places[0]); p++) {
		say("  %-10s", places[p].name);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			char name[64];
			double rate;

			if ((places[p].flags & ACCEL_BO_DEVICE_MEM) &&
			    info->device_memory_size < sizes[s].size) {
				say(" %12s", "n/a");
				continue;
			}
			ret = bo_rate(dev, places[p].vm ? vm : NULL, sizes[s].size, places[p].flags,
				      budget, 3, &rate);
			if (ret) {
				say(" %12s", accel_strerror(ret));
				continue;
			}
			say(" %12.0f", rate);
			snprintf(name, sizeof(name), "bo_cycle_%s_%s", places[p].name, sizes[s].name);
			record("bo", name, rate, "ops/s", NULL, 0, NULL, NAN);
		}
		say("\n");
	}
	accel_vm_destroy(vm);
}

/* ------------------------------------------------------------------ */
/* dma: COPY jobs between host and device memory                       */
/* ------------------------------------------------------------------ */

/* GB/s of @jobs COPY jobs of @size bytes from @src to @dst on @q. */
static int copy_rate(struct accel_device *dev, struct accel_queue *q, struct accel_bo *src,
		     struct accel_bo *dst, uint32_t size, int jobs, double *gbs)
{
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_sync sig = { 0 };
	uint64_t t0, ns;
	int i, ret;

	ret = accel_cmdbuf_create(dev, 4096, &cb);
	if (ret)
		return ret;
	ret = accel_fence_create(dev, &f);
	if (ret)
		goto out_cb;
	ret = accel_cmdbuf_copy(cb, accel_bo_va(src), accel_bo_va(dst), size);
	if (ret)
		goto out;
	sig.fence = f;
	/* one untimed job first: first-touch costs are not bandwidth */
	ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);
	if (!ret)
		ret = accel_fence_wait(f, 120000000000ull);
	if (ret)
		goto out;
	t0 = now_ns();
	for (i = 0; i < jobs && !ret; i++)
		ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);
	if (!ret)
		ret = accel_fence_wait(f, 120000000000ull);
	ns = now_ns() - t0;
	if (!ret)
		*gbs = (double)size * jobs / ns;
out:
	accel_fence_destroy(f);
out_cb:
	accel_cmdbuf_destroy(cb);
	return ret;
}

/* ------------------------------------------------------------------ */
/* pages: the same COPY through 2 MiB and through 4 KiB page mappings   */
/* ------------------------------------------------------------------ */

/*
 * GB/s of @jobs COPYs of @size bytes from @src to @dst, both bound in @vm
 * @skew bytes above 2 MiB-aligned VAs (0: 2 MiB pages; 4096: the VA and
 * the memory's 2 MiB blocks never line up, so only 4 KiB pages).
 */
static int pages_rate(struct accel_device *dev, struct accel_vm *vm, struct accel_queue *q,
		      struct accel_bo *src, struct accel_bo *dst, uint32_t size, uint64_t skew,
		      int jobs, double *gbs)
{
	const uint64_t span = size + (2ull << 20);
	const uint32_t rw = ACCEL_BIND_READ | ACCEL_BIND_WRITE;
	uint64_t sva = 0, dva = 0;
	int ret;

	ret = accel_vm_va_alloc(vm, span, 2ull << 20, &sva);
	if (ret)
		return ret;
	ret = accel_vm_va_alloc(vm, span, 2ull << 20, &dva);
	if (ret)
		goto out_sva;
	ret = accel_vm_bind(vm, src, 0, sva + skew, size, rw);
	if (ret)
		goto out_dva;
	ret = accel_vm_bind(vm, dst, 0, dva + skew, size, rw);
	if (ret)
		goto out_src;
	{
		struct accel_cmdbuf *cb;
		struct accel_fence *f;
		struct accel_sync sig = { 0 };
		uint64_t t0, ns;
		int i;

		ret = accel_cmdbuf_create(dev, 4096, &cb);
		if (ret)
			goto out_dst;
		ret = accel_fence_create(dev, &f);
		if (!ret) {
			sig.fence = f;
			ret = accel_cmdbuf_copy(cb, sva + skew, dva + skew, size);
			/* one untimed job first: the TLB and the page tables warm */
			if (!ret)
				ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);
			if (!ret)
				ret = accel_fence_wait(f, 120000000000ull);
			t0 = now_ns();
			for (i = 0; i < jobs && !ret; i++)
				ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);
			if (!ret)
				ret = accel_fence_wait(f, 120000000000ull);
			ns = now_ns() - t0;
			if (!ret)
				*gbs = (double)size * jobs / ns;
			accel_fence_destroy(f);
		}
		accel_cmdbuf_destroy(cb);
	}
out_dst:
	accel_vm_unbind(vm, dva + skew, size);
out_src:
	accel_vm_unbind(vm, sva + skew, size);
out_dva:
	accel_vm_va_free(vm, dva, span);
out_sva:
	accel_vm_va_free(vm, sva, span);
	return ret;
}

static void bench_pages(struct accel_device *dev, const struct accel_device_info *info)
{
	uint32_t size = quick ? 8 << 20 : 64 << 20;
	int jobs = quick ? 2 : 8;
	struct accel_bo *src, *dst;
	struct accel_queue *q;
	struct accel_vm *vm;
	double huge = 0, small = 0;
	int ret;

	if (info->device_memory_size < 2ull * size + (8 << 20)) {
		say("\npages: skipped, the card has too little device memory\n");
		return;
	}
	if ((ret = accel_vm_create(dev, &vm)) ||
	    (ret = accel_vm_queue_create(vm, ACCEL_ENGINE_COMPUTE, ACCEL_ENGINE_ANY,
					 ACCEL_PRIORITY_NORMAL, &q)))
		die("pages VM", ret);
	if ((ret = accel_bo_alloc_flags(dev, size, ACCEL_BO_DEVICE_MEM, &src)) ||
	    (ret = accel_bo_alloc_flags(dev, size, ACCEL_BO_DEVICE_MEM, &dst)))
		die("pages buffers", ret);
	ret = pages_rate(dev, vm, q, src, dst, size, 0, jobs, &huge);
	if (!ret)
		ret = pages_rate(dev, vm, q, src, dst, size, 4096, jobs, &small);
	if (ret) {
		say("\npages: %s\n", accel_strerror(ret));
	} else {
		say("\nCOPY %u MiB device memory x %d jobs, GB/s: 2 MiB pages %.2f, 4 KiB pages %.2f, "
		    "ratio %.2fx\n", size >> 20, jobs, huge, small, huge / small);
		record("pages", "copy_2m_pages", huge, "GB/s", "copy_4k_pages", small, "GB/s",
		       huge / small);
		record("pages", "copy_4k_pages", small, "GB/s", NULL, 0, NULL, NAN);
	}
	accel_bo_free(dst);
	accel_bo_free(src);
	accel_queue_destroy(q);
	accel_vm_destroy(vm);
}

/* GB/s of CPU memcpy (read + write of @size bytes counted once). */
static double memcpy_rate(size_t size, int reps)
{
	char *a = malloc(size), *b = malloc(size);
	uint64_t t0, ns;
	double gbs;
	int i;

	if (!a || !b)
		die("memcpy buffers", -ENOMEM);
	memset(a, 1, size);
	memset(b, 2, size);
	memcpy(b, a, size);
	t0 = now_ns();
	for (i = 0; i < reps; i++) {
		a[i] = (char)i;	/* keep the copies from being merged */
		memcpy(b, a, size);
	}
	ns = now_ns() - t0;
	gbs = (double)size * reps / ns;
	if (b[0] == 42)	/* use the result */
		fprintf(stderr, " ");
	free(a);
	free(b);
	return gbs;
}

static void bench_dma(struct accel_device *dev, const struct accel_device_info *info)
{
	static const struct { enum accel_engine_class cls; const char *name; } engines[] = {
		{ ACCEL_ENGINE_DMA, "dma" }, { ACCEL_ENGINE_COMPUTE, "compute" },
	};
	uint32_t size = quick ? 1 << 20 : 16 << 20;
	int jobs = quick ? 2 : 8;
	struct accel_bo *host, *devm;
	double cpu;
	unsigned int e, d;
	int ret;

	if (info->device_memory_size < 2ull * size) {
		say("\nDMA: skipped, the card has no device memory\n");
		return;
	}
	cpu = memcpy_rate(size, quick ? 2 : 16);
	ret = accel_bo_alloc_flags(dev, size, 0, &host);
	if (!ret)
		ret = accel_bo_alloc_flags(dev, size, ACCEL_BO_DEVICE_MEM, &devm);
	if (ret)
		die("dma buffers", ret);
	say("\nDMA COPY, %u MiB x %d jobs per queue, GB/s; reference: CPU memcpy in this CPU %.2f GB/s\n",
	    size >> 20, jobs, cpu);
	say("  %-8s %-16s %10s %10s\n", "engine", "direction", "GB/s", "/memcpy");
	record("dma", "cpu_memcpy", cpu, "GB/s", NULL, 0, NULL, NAN);
	for (e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
		struct accel_queue *q;

		if ((engines[e].cls == ACCEL_ENGINE_DMA && !info->num_dma_engines) ||
		    (engines[e].cls == ACCEL_ENGINE_COMPUTE && !info->num_compute_engines))
			continue;
		ret = accel_queue_create(dev, engines[e].cls, ACCEL_PRIORITY_NORMAL, &q);
		if (ret)
			die("queue", ret);
		for (d = 0; d < 2; d++) {
			const char *dir = d ? "device_to_host" : "host_to_device";
			char name[64];
			double gbs = 0;

			ret = d ? copy_rate(dev, q, devm, host, size, jobs, &gbs) :
				  copy_rate(dev, q, host, devm, size, jobs, &gbs);
			if (ret) {
				say("  %-8s %-16s %10s\n", engines[e].name, dir, accel_strerror(ret));
				continue;
			}
			say("  %-8s %-16s %10.2f %9.2fx\n", engines[e].name, dir, gbs, gbs / cpu);
			snprintf(name, sizeof(name), "copy_%s_%s", dir, engines[e].name);
			record("dma", name, gbs, "GB/s", "cpu_memcpy", cpu, "GB/s", gbs / cpu);
		}
		accel_queue_destroy(q);
	}
	accel_bo_free(devm);
	accel_bo_free(host);
}

/* ------------------------------------------------------------------ */
/* gemm: GFLOP/s per dtype, beside CPU BLAS                            */
/* ------------------------------------------------------------------ */

static const struct gemm_type {
	uint32_t dtype;
	const char *name;
	unsigned int in_size, out_size;
	uint32_t one;		/* FILL pattern: 1 in every element */
} gemm_types[] = {
	{ ACCEL_DTYPE_FP32, "fp32", 4, 4, 0x3f800000u },
	{ ACCEL_DTYPE_FP16, "fp16", 2, 2, 0x3c003c00u },
	{ ACCEL_DTYPE_BF16, "bf16", 2, 2, 0x3f803f80u },
	{ ACCEL_DTYPE_INT8, "int8", 1, 4, 0x01010101u },
};

/* Seconds per call of a GEMM of @n x @n x @n on a compute queue. */
static int card_gemm(struct accel_device *dev, struct accel_queue *q, const struct gemm_type *t,
		     uint32_t n, uint32_t placement, double *sec)
{
	uint64_t in = (uint64_t)n * n * t->in_size, out = (uint64_t)n * n * t->out_size;
	struct accel_gemm g = { .size = sizeof(g) };
	struct accel_bo *a, *b, *c;
	struct accel_cmdbuf *cb;
	struct accel_fence *f;
	struct accel_sync sig = { 0 };
	uint64_t t0, ns, budget = quick ? 0 : 500000000ull;
	int reps = 0, ret;

	if ((ret = accel_bo_alloc_flags(dev, in, placement, &a)))
		return ret;
	if ((ret = accel_bo_alloc_flags(dev, in, placement, &b)))
		goto out_a;
	if ((ret = accel_bo_alloc_flags(dev, out, placement, &c)))
		goto out_b;
	if ((ret = accel_cmdbuf_create(dev, 4096, &cb)))
		goto out_c;
	if ((ret = accel_fence_create(dev, &f)))
		goto out_cb;
	sig.fence = f;
	/* operands of ones, written by the card */
	if ((ret = accel_cmdbuf_fill(cb, accel_bo_va(a), (uint32_t)in, t->one)) ||
	    (ret = accel_cmdbuf_fill(cb, accel_bo_va(b), (uint32_t)in, t->one)) ||
	    (ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0)) ||
	    (ret = accel_fence_wait(f, 120000000000ull)))
		goto out;
	if ((ret = accel_cmdbuf_reset(cb)))
		goto out;
	g.dtype = t->dtype;
	g.m = g.n = g.k = n;
	g.a = accel_bo_va(a);
	g.b = accel_bo_va(b);
	g.c = accel_bo_va(c);
	g.lda = g.ldb = g.ldc = n;
	g.alpha = 1.0f;
	if ((ret = accel_cmdbuf_gemm(cb, &g)))
		goto out;
	/* warm-up, then one job at a time until the budget is spent */
	if ((ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0)) ||
	    (ret = accel_fence_wait(f, 120000000000ull)))
		goto out;
	t0 = now_ns();
	do {
		if ((ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0)) ||
		    (ret = accel_fence_wait(f, 120000000000ull)))
			goto out;
		reps++;
		ns = now_ns() - t0;
	} while (ns < budget && reps < 50);
	*sec = ns / 1e9 / reps;
out:
	accel_fence_destroy(f);
out_cb:
	accel_cmdbuf_destroy(cb);
out_c:
	accel_bo_free(c);
out_b:
	accel_bo_free(b);
out_a:
	accel_bo_free(a);
	return ret;
}

typedef void (*cpu_sgemm_fn)(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta,
			     enum CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k, float alpha,
			     const float *a, blasint lda, const float *b, blasint ldb, float beta,
			     float *c, blasint ldc);

/* OpenBLAS's cblas_sgemm, loaded on first use; NULL if it cannot be. */
static cpu_sgemm_fn load_cpu_sgemm(void)
{
	static const char *const names[] = { "libopenblas.so.0", "libcblas.so.3" };
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
		void *sym;

		if (!lib)
			continue;
		sym = dlsym(lib, "cblas_sgemm");
		if (sym) {
			cpu_sgemm_fn fn;

			/* POSIX: a data pointer from dlsym() converts to a function */
			memcpy(&fn, &sym, sizeof(fn));
			return fn;
		}
		dlclose(lib);
	}
	return NULL;
}

/* Seconds per call of CPU sgemm of @n x @n x @n in this CPU. */
static double cpu_sgemm(cpu_sgemm_fn sgemm, int n)
{
	size_t e = (size_t)n * n;
	float *a = malloc(e * sizeof(float)), *b = malloc(e * sizeof(float)),
	      *c = calloc(e, sizeof(float));
	uint64_t t0, ns, budget = quick ? 0 : 300000000ull;
	int reps = 0;
	size_t i;

	if (!a || !b || !c)
		die("sgemm buffers", -ENOMEM);
	for (i = 0; i < e; i++) {
		a[i] = 1.0f;
		b[i] = 1.0f;
	}
	t0 = now_ns();
	do {
		sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f,
		      c, n);
		reps++;
		ns = now_ns() - t0;
	} while (ns < budget && reps < 20);
	if (c[0] != (float)n)
		fprintf(stderr, "accel-bench: warning: CPU sgemm gave %g, not %d\n", c[0], n);
	free(a);
	free(b);
	free(c);
	return ns / 1e9 / reps;
}

#define GEMM_TYPES	(sizeof(gemm_types) / sizeof(gemm_types[0]))

static void bench_gemm(struct accel_device *dev, const struct accel_device_info *info)
{
	static const uint32_t full_sizes[] = { 256, 512, 1024 }, quick_sizes[] = { 64 };
	const uint32_t *sizes = quick ? quick_sizes : full_sizes;
	unsigned int nsizes = quick ? 1 : 3, s, t;
	uint32_t placement = info->device_memory_size >= (64ull << 20) ? ACCEL_BO_DEVICE_MEM : 0;
	int err[3][GEMM_TYPES] = { { 0 } };
	double sec[3][GEMM_TYPES] = { { 0 } }, cpu[3] = { NAN, NAN, NAN };
	struct accel_queue *q;
	cpu_sgemm_fn sgemm;
	int ret;

	if (!info->num_compute_engines) {
		say("\nGEMM: skipped, the card has no compute engine\n");
		return;
	}
	ret = accel_queue_create(dev, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL, &q);
	if (ret)
		die("queue", ret);
	/* the card first, with no CPU BLAS threads around */
	for (s = 0; s < nsizes; s++)
		for (t = 0; t < GEMM_TYPES; t++)
			err[s][t] = card_gemm(dev, q, &gemm_types[t], sizes[s], placement,
					      &sec[s][t]);
	accel_queue_destroy(q);
	sgemm = load_cpu_sgemm();
	for (s = 0; s < nsizes && sgemm; s++)
		cpu[s] = 2.0 * sizes[s] * sizes[s] * sizes[s] / cpu_sgemm(sgemm, (int)sizes[s]) / 1e9;

	say("\nGEMM C = A * B, N x N x N, operands in %s memory, GFLOP/s (2*N^3 per call);\n"
	    "reference: %s\n", placement ? "device" : "host",
	    sgemm ? "OpenBLAS sgemm in this CPU (fp32 only)" :
		    "none (cannot load libopenblas.so.0)");
	say("  %-6s %-5s %10s %12s %10s\n", "N", "dtype", "GFLOP/s", "CPU GFLOP/s", "/CPU");
	for (s = 0; s < nsizes; s++) {
		double flop = 2.0 * sizes[s] * sizes[s] * sizes[s];

		for (t = 0; t < GEMM_TYPES; t++) {
			const struct gemm_type *ty = &gemm_types[t];
			bool ref = ty->dtype == ACCEL_DTYPE_FP32 && sgemm;
			double gf;
			char name[64];

			if (err[s][t]) {
				say("  %-6u %-5s %10s\n", sizes[s], ty->name, accel_strerror(err[s][t]));
				continue;
			}
			gf = flop / sec[s][t] / 1e9;
			snprintf(name, sizeof(name), "gemm_%s_%u", ty->name, sizes[s]);
			if (ref) {
				say("  %-6u %-5s %10.2f %12.2f %9.2fx\n", sizes[s], ty->name, gf,
				    cpu[s], gf / cpu[s]);
				record("gemm", name, gf, "GFLOP/s", "cpu_openblas_sgemm", cpu[s],
				       "GFLOP/s", gf / cpu[s]);
			} else {
				say("  %-6u %-5s %10.2f %12s %10s\n", sizes[s], ty->name, gf, "-", "-");
				record("gemm", name, gf, "GFLOP/s", NULL, 0, NULL, NAN);
			}
		}
	}
}

/* ------------------------------------------------------------------ */

static const struct section {
	const char *name;
	void (*run)(struct accel_device *dev, const struct accel_device_info *info);
} sections[] = {
	{ "latency", bench_latency },
	{ "queue", bench_queue },
	{ "bo", bench_bo },
	{ "dma", bench_dma },
	{ "pages", bench_pages },
	{ "gemm", bench_gemm },
};
#define NUM_SECTIONS (sizeof(sections) / sizeof(sections[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: accel-bench [--json] [--quick] [--only SECTION[,SECTION...]] [CARD]\n"
		     "       accel-bench --version\n"
		     "sections: latency, queue, bo, dma, pages, gemm (default: all)\n");
}

/* Marks the sections named in @list; -EINVAL for an unknown name. */
static int parse_only(const char *list, bool *want)
{
	char buf[256], *tok, *save;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NUM_SECTIONS; i++)
			if (!strcmp(tok, sections[i].name))
				break;
		if (i == NUM_SECTIONS) {
			fprintf(stderr, "accel-bench: unknown section '%s'\n", tok);
			return -EINVAL;
		}
		want[i] = true;
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool want[NUM_SECTIONS] = { false }, any = false;
	char names[128] = "";
	struct accel_device_info info = { .size = sizeof(info) };
	struct accel_device *dev;
	unsigned int card = 0, i;
	int a, ret;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json")) {
			json = true;
		} else if (!strcmp(argv[a], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[a], "--only") && a + 1 < argc) {
			if (parse_only(argv[++a], want))
				return 2;
		} else if (!strncmp(argv[a], "--only=", 7)) {
			if (parse_only(argv[a] + 7, want))
				return 2;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[a], "-V") || !strcmp(argv[a], "--version")) {
			printf("accel-bench %s (libaccel %d.%d)\n", TESSERA_VERSION,
			       ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR);
			return 0;
		} else if (argv[a][0] != '-') {
			card = (unsigned int)strtoul(argv[a], NULL, 0);
		} else {
			usage(stderr);
			return 2;
		}
	}
	for (i = 0; i < NUM_SECTIONS; i++)
		any |= want[i];
	for (i = 0; i < NUM_SECTIONS; i++) {
		if (!any)
			want[i] = true;
		if (want[i])
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? "," : "", sections[i].name);
	}
	if (quick) {
		latency_jobs = 20;
		deep_jobs = 40;
	}

	ret = accel_device_open(card, &dev);
	if (ret)
		die("open", ret);
	ret = accel_device_query(dev, &info);
	if (ret)
		die("query", ret);
	say("accel-bench: card %u (%s), %u compute + %u DMA engines\n", card, info.pci_slot,
	    info.num_compute_engines, info.num_dma_engines);
	for (i = 0; i < NUM_SECTIONS; i++)
		if (want[i])
			sections[i].run(dev, &info);
	if (json)
		json_print(card, &info, names);
	accel_device_close(dev);
	return 0;
}
