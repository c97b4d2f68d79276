// SPDX-License-Identifier: MIT
/*
 * accel-demo: print a Tessera card's identity, run NOP jobs on it through
 * libaccel and report the job round trip (submit to fence signaled).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/accel.h"
#include "../common/timing.h"

#define DEMO_JOBS 200

static int fail(const char *what, int err)
{
	fprintf(stderr, "accel-demo: %s: %s\n", what, accel_strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned int index = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 0;
	struct accel_submit_args args = { .size = sizeof(args) };
	static uint64_t rtt[DEMO_JOBS];
	struct accel_device_info info = { .size = sizeof(info) };
	struct accel_device *dev;
	struct accel_cmdbuf *cb;
	struct accel_fence *fence;
	uint64_t seqno = 0, t0;
	int ret, i;

	ret = accel_device_count();
	if (ret < 0)
		return fail("enumerate", ret);
	printf("accel-demo: %d Tessera device(s)\n", ret);

	ret = accel_device_open(index, &dev);
	if (ret)
		return fail("open", ret);
	ret = accel_device_query(dev, &info);
	if (ret)
		return fail("query", ret);
	printf("device %u: %s driver %d.%d, PCI %s [%04x:%04x] rev %u\n", index,
	       info.driver_name, info.driver_version_major, info.driver_version_minor,
	       info.pci_slot, info.pci_vendor_id, info.pci_device_id, info.pci_revision);
	printf("  hardware %u.%u, serial %" PRIu64 ", %u engines (%u compute, %u DMA), %" PRIu64 " MiB device memory\n",
	       info.hw_version_major, info.hw_version_minor, info.serial, info.num_engines,
	       info.num_compute_engines, info.num_dma_engines, info.device_memory_size >> 20);

	ret = accel_cmdbuf_create(dev, 4096, &cb);
	if (ret)
		return fail("command buffer", ret);
	ret = accel_fence_create(dev, &fence);
	if (ret)
		return fail("fence", ret);
	ret = accel_cmdbuf_nop(cb, 16);
	if (ret)
		return fail("encode", ret);
	args.signal = fence;

	for (i = 0; i < DEMO_JOBS; i++) {
		t0 = now_ns();
		ret = accel_submit(cb, &args, &seqno);
		if (ret)
			return fail("submit", ret);
		ret = accel_fence_wait(fence, 30ull * 1000000000u);
		if (ret)
			return fail("wait", ret);
		rtt[i] = now_ns() - t0;
	}
	qsort(rtt, DEMO_JOBS, sizeof(rtt[0]), cmp_u64);
	printf("job: %d NOP jobs on engine 0 completed, last seqno %" PRIu64 ", status: %s\n",
	       DEMO_JOBS, seqno, accel_strerror(0));
	printf("job round trip (submit to fence signaled): min %.1f us, p50 %.1f us, p99 %.1f us\n",
	       rtt[0] / 1e3, rtt[DEMO_JOBS / 2] / 1e3, rtt[DEMO_JOBS * 99 / 100] / 1e3);

	/* A job with a result: FILL a buffer, COPY it, check on the CPU. */
	{
		const uint32_t size = 16u << 20, pattern = 0x7e517e51;
		struct accel_bo *a, *b;
		uint32_t *pb, bad = 0, i;
		double ms;

		ret = accel_bo_alloc(dev, size, &a);
		if (!ret)
			ret = accel_bo_alloc(dev, size, &b);
		if (ret)
			return fail("buffer", ret);
		ret = accel_cmdbuf_reset(cb);
		if (!ret)
			ret = accel_cmdbuf_fill(cb, accel_bo_va(a), size, pattern);
		if (!ret)
			ret = accel_cmdbuf_copy(cb, accel_bo_va(a), accel_bo_va(b), size);
		if (ret)
			return fail("encode", ret);
		t0 = now_ns();
		ret = accel_submit(cb, &args, NULL);
		if (!ret)
			ret = accel_fence_wait(fence, 30ull * 1000000000u);
		if (ret)
			return fail("fill/copy job", ret);
		ms = (now_ns() - t0) / 1e6;
		ret = accel_bo_map(b, (void **)&pb);
		if (ret)
			return fail("map", ret);
		for (i = 0; i < size / 4; i++)
			bad += pb[i] != pattern;
		printf("job: FILL + COPY of %u MiB at VA %#llx -> %#llx: %s (%u wrong words), %.2f ms\n",
		       size >> 20, (unsigned long long)accel_bo_va(a),
		       (unsigned long long)accel_bo_va(b), bad ? "WRONG" : "verified", bad, ms);
		accel_bo_free(a);
		accel_bo_free(b);
		if (bad)
			return 1;
	}

	accel_fence_destroy(fence);
	accel_cmdbuf_destroy(cb);
	accel_device_close(dev);
	return 0;
}
