// SPDX-License-Identifier: MIT
/*
 * vector_add: the smallest complete libaccel program.
 *
 * Adds two vectors of N floats on the card with one ELEMENTWISE ADD and
 * compares the result with the same sum computed on the CPU.
 *
 *   open the device -> allocate buffers -> fill them from the CPU ->
 *   record a command -> submit to a compute queue -> wait on a fence ->
 *   read the result back.
 *
 * Usage: vector_add [card-index]   (default 0)
 * Prints the max abs error; exits 0 on a match, 1 on a mismatch, 2 on error.
 */
#include <accel/accel.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 4096
#define TIMEOUT_NS (30ull * 1000000000ull)

static int fail(const char *what, int err)
{
	fprintf(stderr, "vector_add: %s: %s\n", what, accel_strerror(err));
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int card = argc > 1 ? (unsigned int)atoi(argv[1]) : 0;
	struct accel_device *dev = NULL;
	struct accel_queue *q = NULL;
	struct accel_cmdbuf *cb = NULL;
	struct accel_fence *done = NULL;
	struct accel_bo *bo = NULL;
	float *a, *b, *d, maxerr = 0;
	int ret, status = 2, i;

	ret = accel_device_open(card, &dev);
	if (ret)
		return fail("open", ret);
	/* One buffer holds a, b and d, one after the other. */
	ret = accel_bo_alloc(dev, 3 * N * sizeof(float), &bo);
	if (!ret)
		ret = accel_bo_map(bo, (void **)&a);
	if (!ret)
		ret = accel_queue_create(dev, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL, &q);
	if (!ret)
		ret = accel_cmdbuf_create(dev, 4096, &cb);
	if (!ret)
		ret = accel_fence_create(dev, &done);
	if (ret) {
		status = fail("setup", ret);
		goto out;
	}
	b = a + N;
	d = b + N;
	for (i = 0; i < N; i++) {
		a[i] = (float)i * 0.5f;
		b[i] = 1.0f / (float)(i + 1);
	}

	{
		uint64_t va = accel_bo_va(bo);
		struct accel_elementwise add = {
			.op = ACCEL_EW_ADD,
			.src_dtype = ACCEL_DTYPE_FP32, .dst_dtype = ACCEL_DTYPE_FP32,
			.count = N,
			.a = va, .b = va + N * sizeof(float), .d = va + 2 * N * sizeof(float),
		};
		struct accel_sync sig = { .fence = done };

		ret = accel_cmdbuf_elementwise(cb, &add);
		if (!ret)
			ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);
		if (!ret)
			ret = accel_fence_wait(done, TIMEOUT_NS);
		if (ret) {
			status = fail("run", ret);
			goto out;
		}
	}

	for (i = 0; i < N; i++)
		maxerr = fmaxf(maxerr, fabsf(d[i] - (a[i] + b[i])));
	status = maxerr <= 0.0f ? 0 : 1;
	printf("vector_add: %d elements, max abs error %g (tolerance 0): %s\n",
	       N, maxerr, status ? "MISMATCH" : "ok");
out:
	accel_fence_destroy(done);
	accel_cmdbuf_destroy(cb);
	accel_queue_destroy(q);
	accel_bo_free(bo);
	accel_device_close(dev);
	return status;
}
