/* SPDX-License-Identifier: MIT */
/*
 * common.h: the steps every libaccel example takes, written once, so that
 * each example shows only what is its own: its inputs, its commands and
 * its CPU reference.  Each example runs:
 *
 *   example_open()          open card N; create a compute queue, a command
 *                           buffer and a fence to wait on
 *   example_alloc_floats()  allocate device buffers, mapped so the CPU
 *                           writes the inputs and reads the results in place
 *   accel_cmdbuf_*()        record the commands (in the example itself)
 *   example_run()           submit the command buffer, wait for its fence
 *   example_check()         compare with the CPU's result, print the error
 *   example_close()         free all of it
 *
 * Everything here is static inline, so an example is still built from its
 * .c file and this header alone:
 *
 *   cc -std=c11 gemm.c $(pkg-config --cflags --libs libaccel) -lm
 */
#ifndef TESSERA_EXAMPLES_COMMON_H
#define TESSERA_EXAMPLES_COMMON_H

#include <accel/accel.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define EXAMPLE_CMDBUF_BYTES 4096
#define EXAMPLE_MAX_BUFFERS 4

/* What one example holds; example_open() fills it, example_close() frees it. */
struct example {
	const char *name;		/* the program's name, leads every message */
	struct accel_device *dev;
	struct accel_queue *queue;	/* compute engines, normal priority */
	struct accel_cmdbuf *cb;	/* EXAMPLE_CMDBUF_BYTES of commands */
	struct accel_fence *done;	/* signalled when the submitted job ends */
	struct accel_bo *buffers[EXAMPLE_MAX_BUFFERS];
	unsigned int num_buffers;
};

/* example_fail() - print "<name>: <what>: <error>"; returns 2, the exit status for an error. */
static inline int example_fail(const struct example *ex, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", ex->name, what, accel_strerror(err));
	return 2;
}

/*
 * example_close() - free the fence, command buffer, queue and buffers
 * (newest first), and close the device; what was never created is skipped.
 * Returns @status, so that main() can end with "return example_close(&ex, status);".
 */
static inline int example_close(struct example *ex, int status)
{
	accel_fence_destroy(ex->done);
	accel_cmdbuf_destroy(ex->cb);
	accel_queue_destroy(ex->queue);
	while (ex->num_buffers)
		accel_bo_free(ex->buffers[--ex->num_buffers]);
	accel_device_close(ex->dev);
	*ex = (struct example){ .name = ex->name };
	return status;
}

/*
 * example_open() - open card @card and create the queue, command buffer and
 * fence every example uses.
 *
 * Returns 0, or -errno after printing which step failed ("open" for the
 * device, "setup" for the rest) with nothing left to free.
 */
static inline int example_open(struct example *ex, const char *name, unsigned int card)
{
	int ret;

	*ex = (struct example){ .name = name };
	ret = accel_device_open(card, &ex->dev);
	if (ret) {
		example_fail(ex, "open", ret);
		return ret;
	}
	ret = accel_queue_create(ex->dev, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL,
				 &ex->queue);
	if (!ret)
		ret = accel_cmdbuf_create(ex->dev, EXAMPLE_CMDBUF_BYTES, &ex->cb);
	if (!ret)
		ret = accel_fence_create(ex->dev, &ex->done);
	if (ret) {
		example_fail(ex, "setup", ret);
		example_close(ex, 2);
	}
	return ret;
}

/*
 * example_alloc_floats() - a device buffer of @count floats
 * @cpu: where the CPU reads and writes it (it stays mapped until example_close())
 * @va:  the address that commands use for it
 *
 * Returns 0 or -errno.
 */
static inline int example_alloc_floats(struct example *ex, size_t count, float **cpu,
				       uint64_t *va)
{
	struct accel_bo *bo;
	void *map;
	int ret;

	if (ex->num_buffers == EXAMPLE_MAX_BUFFERS)
		return -ENOMEM;
	ret = accel_bo_alloc(ex->dev, count * sizeof(float), &bo);
	if (ret)
		return ret;
	ex->buffers[ex->num_buffers++] = bo;
	ret = accel_bo_map(bo, &map);
	if (ret)
		return ret;
	*cpu = map;
	*va = accel_bo_va(bo);
	return 0;
}

/*
 * example_run() - submit what was recorded in ex->cb to the compute queue
 * and wait up to @timeout_ns for the job to end.  The job's commands run in
 * order, so one command may read what an earlier one wrote.
 *
 * Returns 0, or -errno from the submission or the wait (the job's own
 * failure, e.g. -EIO, included).
 */
static inline int example_run(struct example *ex, uint64_t timeout_ns)
{
	struct accel_sync signal = { .fence = ex->done };
	int ret;

	ret = accel_queue_submit(ex->queue, ex->cb, NULL, 0, &signal, 1, NULL, 0);
	if (!ret)
		ret = accel_fence_wait(ex->done, timeout_ns);
	return ret;
}

/*
 * example_check() - compare the card's @got with the CPU's @want
 *
 * Prints "<name>: <what>, max abs error E (tolerance T): ok" (or MISMATCH),
 * where <what> is @what_fmt formatted with the arguments that follow.
 * Returns the exit status: 0 when E <= @tolerance, 1 when not.
 */
static inline int example_check(const struct example *ex, const float *got, const float *want,
				size_t count, float tolerance, const char *what_fmt, ...)
	__attribute__((format(printf, 6, 7)));
static inline int example_check(const struct example *ex, const float *got, const float *want,
				size_t count, float tolerance, const char *what_fmt, ...)
{
	float maxerr = 0;
	va_list ap;
	size_t i;
	int status;

	for (i = 0; i < count; i++)
		maxerr = fmaxf(maxerr, fabsf(got[i] - want[i]));
	status = maxerr <= tolerance ? 0 : 1;
	printf("%s: ", ex->name);
	va_start(ap, what_fmt);
	vprintf(what_fmt, ap);
	va_end(ap);
	printf(", max abs error %g (tolerance %g): %s\n", maxerr, tolerance,
	       status ? "MISMATCH" : "ok");
	return status;
}

/* example_random() - uniform in [-1, 1) from a 32-bit LCG: the same numbers on every run. */
static inline float example_random(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return (float)(*seed >> 8) / (float)(1u << 23) - 1.0f;
}

/*
 * example_gemm_fp32() - the GEMM command for C = act(A * B + bias) on fp32
 * matrices stored row-major without padding: A is @m x @k, B @k x @n, C and
 * its result @m x @n, so each leading dimension is its row length.  @a, @b,
 * @c and @bias are device addresses; @bias (@n floats, added to every row)
 * may be 0 for none.  C is written, not read (beta = 0).
 */
static inline struct accel_gemm example_gemm_fp32(uint32_t m, uint32_t n, uint32_t k,
						  uint64_t a, uint64_t b, uint64_t c,
						  uint64_t bias, enum accel_activation act)
{
	return (struct accel_gemm){
		.size = sizeof(struct accel_gemm), .dtype = ACCEL_DTYPE_FP32, .activation = act,
		.flags = bias ? ACCEL_GEMM_BIAS : 0,
		.m = m, .n = n, .k = k,
		.a = a, .lda = k,
		.b = b, .ldb = n,
		.c = c, .ldc = n,
		.bias = bias,
		.alpha = 1.0f, .beta = 0.0f,
	};
}

/*
 * example_gemm_cpu() - the CPU reference for example_gemm_fp32(): the same
 * C = act(A * B + bias) on the CPU, summed in double and rounded to float
 * once per element, so the difference from the card is the card's fp32
 * rounding.  @bias may be NULL; GELU is the exact erf form the card uses.
 */
static inline void example_gemm_cpu(int m, int n, int k, const float *a, const float *b,
				    const float *bias, enum accel_activation act, float *c)
{
	int i, j, l;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			double acc = bias ? bias[j] : 0;

			for (l = 0; l < k; l++)
				acc += (double)a[i * k + l] * b[l * n + j];
			if (act == ACCEL_ACT_RELU)
				acc = acc > 0 ? acc : 0;
			else if (act == ACCEL_ACT_GELU)
				acc = acc * 0.5 * (1.0 + erf(acc / sqrt(2.0)));
			c[i * n + j] = (float)acc;
		}
}

#endif /* TESSERA_EXAMPLES_COMMON_H */
