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
 * common.h holds the steps every example shares (opening, buffers,
 * submit-and-wait, the comparison); this file shows the command.
 *
 * Usage: vector_add [card-index]   (default 0)
 * Prints the max abs error; exits 0 on a match, 1 on a mismatch, 2 on error.
 */
#include "common.h"

#define N 4096
#define TIMEOUT_NS (30ull * 1000000000ull)

int main(int argc, char **argv)
{
	unsigned int card = argc > 1 ? (unsigned int)atoi(argv[1]) : 0;
	static float want[N];
	struct example ex;
	float *a, *b, *d;
	uint64_t va;
	int ret, i;

	if (example_open(&ex, "vector_add", card))
		return 2;
	/* One buffer holds a, b and d, one after the other. */
	ret = example_alloc_floats(&ex, 3 * N, &a, &va);
	if (ret)
		return example_close(&ex, example_fail(&ex, "setup", ret));
	b = a + N;
	d = b + N;
	for (i = 0; i < N; i++) {
		a[i] = (float)i * 0.5f;
		b[i] = 1.0f / (float)(i + 1);
	}

	{
		struct accel_elementwise add = {
			.size = sizeof(add), .op = ACCEL_EW_ADD,
			.src_dtype = ACCEL_DTYPE_FP32, .dst_dtype = ACCEL_DTYPE_FP32,
			.count = N,
			.a = va, .b = va + N * sizeof(float), .d = va + 2 * N * sizeof(float),
		};

		ret = accel_cmdbuf_elementwise(ex.cb, &add);
		if (!ret)
			ret = example_run(&ex, TIMEOUT_NS);
		if (ret)
			return example_close(&ex, example_fail(&ex, "run", ret));
	}

	for (i = 0; i < N; i++)
		want[i] = a[i] + b[i];
	return example_close(&ex, example_check(&ex, d, want, N, 0.0f, "%d elements", N));
}
