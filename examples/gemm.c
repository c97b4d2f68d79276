// SPDX-License-Identifier: MIT
/*
 * gemm: an fp32 matrix multiply on the card, checked against the CPU.
 *
 * C (M x N) = A (M x K) * B (K x N), all row-major fp32, with the inputs
 * from a fixed-seed generator.  One GEMM command; the CPU reference sums
 * in double, so the error printed is the card's fp32 rounding.
 *
 * Usage: gemm [card-index]   (default 0)
 * Prints the max abs error and the tolerance; exits 0 within it, 1 on a
 * mismatch, 2 on error.
 */
#include <accel/accel.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define M 96
#define N 80
#define K 128
#define TOLERANCE 1e-4f
#define TIMEOUT_NS (60ull * 1000000000ull)

/* Uniform in [-1, 1), from a 32-bit LCG: the same numbers on every run. */
static float rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(*s >> 8) / (float)(1u << 23) - 1.0f;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "gemm: %s: %s\n", what, accel_strerror(err));
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int card = argc > 1 ? (unsigned int)atoi(argv[1]) : 0;
	struct accel_device *dev = NULL;
	struct accel_queue *q = NULL;
	struct accel_cmdbuf *cb = NULL;
	struct accel_fence *done = NULL;
	struct accel_bo *abo = NULL, *bbo = NULL, *cbo = NULL;
	float *a, *b, *c, maxerr = 0;
	uint32_t seed = 2026;
	int ret, status = 2, i, j, k;

	ret = accel_device_open(card, &dev);
	if (ret)
		return fail("open", ret);
	ret = accel_bo_alloc(dev, M * K * sizeof(float), &abo);
	if (!ret)
		ret = accel_bo_alloc(dev, K * N * sizeof(float), &bbo);
	if (!ret)
		ret = accel_bo_alloc(dev, M * N * sizeof(float), &cbo);
	if (!ret)
		ret = accel_bo_map(abo, (void **)&a);
	if (!ret)
		ret = accel_bo_map(bbo, (void **)&b);
	if (!ret)
		ret = accel_bo_map(cbo, (void **)&c);
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
	for (i = 0; i < M * K; i++)
		a[i] = rnd(&seed);
	for (i = 0; i < K * N; i++)
		b[i] = rnd(&seed);

	{
		struct accel_gemm g = {
			.dtype = ACCEL_DTYPE_FP32, .activation = ACCEL_ACT_NONE,
			.m = M, .n = N, .k = K,
			.a = accel_bo_va(abo), .lda = K,
			.b = accel_bo_va(bbo), .ldb = N,
			.c = accel_bo_va(cbo), .ldc = N,
			.alpha = 1.0f, .beta = 0.0f,	/* C is not read */
		};
		struct accel_sync sig = { .fence = done };

		ret = accel_cmdbuf_gemm(cb, &g);
		if (!ret)
			ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);
		if (!ret)
			ret = accel_fence_wait(done, TIMEOUT_NS);
		if (ret) {
			status = fail("run", ret);
			goto out;
		}
	}

	for (i = 0; i < M; i++)
		for (j = 0; j < N; j++) {
			double acc = 0;

			for (k = 0; k < K; k++)
				acc += (double)a[i * K + k] * b[k * N + j];
			maxerr = fmaxf(maxerr, fabsf(c[i * N + j] - (float)acc));
		}
	status = maxerr <= TOLERANCE ? 0 : 1;
	printf("gemm: fp32 %dx%dx%d, max abs error %g (tolerance %g): %s\n",
	       M, N, K, maxerr, TOLERANCE, status ? "MISMATCH" : "ok");
out:
	accel_fence_destroy(done);
	accel_cmdbuf_destroy(cb);
	accel_queue_destroy(q);
	accel_bo_free(cbo);
	accel_bo_free(bbo);
	accel_bo_free(abo);
	accel_device_close(dev);
	return status;
}
