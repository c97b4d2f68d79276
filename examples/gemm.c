// SPDX-License-Identifier: MIT
/*
 * gemm: an fp32 matrix multiply on the card, checked against the CPU.
 *
 * C (M x N) = A (M x K) * B (K x N), all row-major fp32, with the inputs
 * from a fixed-seed generator.  One GEMM command (see example_gemm_fp32()
 * in common.h for how struct accel_gemm describes it); the CPU reference
 * sums in double, so the error printed is the card's fp32 rounding.
 *
 * Usage: gemm [card-index]   (default 0)
 * Prints the max abs error and the tolerance; exits 0 within it, 1 on a
 * mismatch, 2 on error.
 */
#include "common.h"

#define M 96
#define N 80
#define K 128
#define TOLERANCE 1e-4f
#define TIMEOUT_NS (60ull * 1000000000ull)

int main(int argc, char **argv)
{
	unsigned int card = argc > 1 ? (unsigned int)atoi(argv[1]) : 0;
	static float want[M * N];
	struct example ex;
	struct accel_gemm g = { .size = sizeof(g) };
	uint64_t a_va, b_va, c_va;
	float *a, *b, *c;
	uint32_t seed = 2026;
	int ret, i;

	if (example_open(&ex, "gemm", card))
		return 2;
	ret = example_alloc_floats(&ex, M * K, &a, &a_va);
	if (!ret)
		ret = example_alloc_floats(&ex, K * N, &b, &b_va);
	if (!ret)
		ret = example_alloc_floats(&ex, M * N, &c, &c_va);
	if (ret)
		return example_close(&ex, example_fail(&ex, "setup", ret));
	for (i = 0; i < M * K; i++)
		a[i] = example_random(&seed);
	for (i = 0; i < K * N; i++)
		b[i] = example_random(&seed);

	g = example_gemm_fp32(M, N, K, a_va, b_va, c_va, 0, ACCEL_ACT_NONE);
	ret = accel_cmdbuf_gemm(ex.cb, &g);
	if (!ret)
		ret = example_run(&ex, TIMEOUT_NS);
	if (ret)
		return example_close(&ex, example_fail(&ex, "run", ret));

	example_gemm_cpu(M, N, K, a, b, NULL, ACCEL_ACT_NONE, want);
	return example_close(&ex, example_check(&ex, c, want, M * N, TOLERANCE,
						"fp32 %dx%dx%d", M, N, K));
}
