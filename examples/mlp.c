// SPDX-License-Identifier: MIT
/*
 * mlp: a two-layer perceptron on the card, checked against the CPU.
 *
 *   H = GELU(X * W1 + b1)      one GEMM with the bias and GELU epilogue
 *   Y = H * W2 + b2            a second GEMM reading H where the first left it
 *
 * X is BATCH x IN, W1 IN x HID, W2 HID x OUT, all fp32 from a fixed seed.
 * Both GEMMs go into one command buffer: commands of a job run in order,
 * so the second sees the first's result without any extra synchronization.
 * Pass "relu" to use ReLU instead of GELU.
 *
 * Usage: mlp [card-index] [gelu|relu]
 * Prints the max abs error and the tolerance; exits 0 within it, 1 on a
 * mismatch, 2 on error.
 */
#include <accel/accel.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 32
#define IN 64
#define HID 256
#define OUT 48
#define TOLERANCE 1e-4f
#define TIMEOUT_NS (60ull * 1000000000ull)

static float rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(*s >> 8) / (float)(1u << 23) - 1.0f;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "mlp: %s: %s\n", what, accel_strerror(err));
	return 2;
}

/* Offsets (in floats) of each tensor inside the one buffer. */
enum {
	OFF_X = 0,
	OFF_W1 = OFF_X + BATCH * IN,
	OFF_B1 = OFF_W1 + IN * HID,
	OFF_H = OFF_B1 + HID,
	OFF_W2 = OFF_H + BATCH * HID,
	OFF_B2 = OFF_W2 + HID * OUT,
	OFF_Y = OFF_B2 + OUT,
	TOTAL = OFF_Y + BATCH * OUT,
};

int main(int argc, char **argv)
{
	unsigned int card = argc > 1 ? (unsigned int)atoi(argv[1]) : 0;
	int relu = argc > 2 && !strcmp(argv[2], "relu");
	struct accel_device *dev = NULL;
	struct accel_queue *q = NULL;
	struct accel_cmdbuf *cb = NULL;
	struct accel_fence *done = NULL;
	struct accel_bo *bo = NULL;
	float *p, *h, maxerr = 0;
	uint32_t seed = 11;
	int ret, status = 2, i, j, k;
	uint64_t va;

	ret = accel_device_open(card, &dev);
	if (ret)
		return fail("open", ret);
	ret = accel_bo_alloc(dev, TOTAL * sizeof(float), &bo);
	if (!ret)
		ret = accel_bo_map(bo, (void **)&p);
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
	for (i = 0; i < BATCH * IN; i++)
		p[OFF_X + i] = rnd(&seed);
	for (i = 0; i < IN * HID; i++)
		p[OFF_W1 + i] = rnd(&seed) * 0.125f;	/* ~1/sqrt(IN) */
	for (i = 0; i < HID; i++)
		p[OFF_B1 + i] = rnd(&seed) * 0.1f;
	for (i = 0; i < HID * OUT; i++)
		p[OFF_W2 + i] = rnd(&seed) * 0.0625f;	/* ~1/sqrt(HID) */
	for (i = 0; i < OUT; i++)
		p[OFF_B2 + i] = rnd(&seed) * 0.1f;

	va = accel_bo_va(bo);
	{
		struct accel_gemm l1 = {
			.dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_BIAS,
			.activation = relu ? ACCEL_ACT_RELU : ACCEL_ACT_GELU,
			.m = BATCH, .n = HID, .k = IN,
			.a = va + OFF_X * 4, .lda = IN,
			.b = va + OFF_W1 * 4, .ldb = HID,
			.c = va + OFF_H * 4, .ldc = HID,
			.bias = va + OFF_B1 * 4,
			.alpha = 1.0f,
		};
		struct accel_gemm l2 = {
			.dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_BIAS,
			.m = BATCH, .n = OUT, .k = HID,
			.a = va + OFF_H * 4, .lda = HID,
			.b = va + OFF_W2 * 4, .ldb = OUT,
			.c = va + OFF_Y * 4, .ldc = OUT,
			.bias = va + OFF_B2 * 4,
			.alpha = 1.0f,
		};
		struct accel_sync sig = { .fence = done };

		ret = accel_cmdbuf_gemm(cb, &l1);
		if (!ret)
			ret = accel_cmdbuf_gemm(cb, &l2);
		if (!ret)
			ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);
		if (!ret)
			ret = accel_fence_wait(done, TIMEOUT_NS);
		if (ret) {
			status = fail("run", ret);
			goto out;
		}
	}

	/* CPU reference, in double, from the same inputs. */
	h = malloc(sizeof(float) * BATCH * HID);
	if (!h) {
		status = fail("malloc", -12);
		goto out;
	}
	for (i = 0; i < BATCH; i++)
		for (j = 0; j < HID; j++) {
			double acc = p[OFF_B1 + j];

			for (k = 0; k < IN; k++)
				acc += (double)p[OFF_X + i * IN + k] * p[OFF_W1 + k * HID + j];
			if (relu)
				acc = acc > 0 ? acc : 0;
			else
				acc = acc * 0.5 * (1.0 + erf(acc / sqrt(2.0)));
			h[i * HID + j] = (float)acc;
		}
	for (i = 0; i < BATCH; i++)
		for (j = 0; j < OUT; j++) {
			double acc = p[OFF_B2 + j];

			for (k = 0; k < HID; k++)
				acc += (double)h[i * HID + k] * p[OFF_W2 + k * OUT + j];
			maxerr = fmaxf(maxerr, fabsf(p[OFF_Y + i * OUT + j] - (float)acc));
		}
	free(h);
	status = maxerr <= TOLERANCE ? 0 : 1;
	printf("mlp: %dx%d -> %d (%s) -> %d, max abs error %g (tolerance %g): %s\n",
	       BATCH, IN, HID, relu ? "relu" : "gelu", OUT, maxerr, TOLERANCE,
	       status ? "MISMATCH" : "ok");
out:
	accel_fence_destroy(done);
	accel_cmdbuf_destroy(cb);
	accel_queue_destroy(q);
	accel_bo_free(bo);
	accel_device_close(dev);
	return status;
}
