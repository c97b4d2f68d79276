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
#include "common.h"
#include <string.h>

#define BATCH 32
#define IN 64
#define HID 256
#define OUT 48
#define TOLERANCE 1e-4f
#define TIMEOUT_NS (60ull * 1000000000ull)

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
	enum accel_activation act = relu ? ACCEL_ACT_RELU : ACCEL_ACT_GELU;
	static float h_want[BATCH * HID], y_want[BATCH * OUT];
	struct accel_gemm l1, l2;
	struct example ex;
	uint32_t seed = 11;
	uint64_t va;
	int ret, i;
	float *p;

	if (example_open(&ex, "mlp", card))
		return 2;
	ret = example_alloc_floats(&ex, TOTAL, &p, &va);
	if (ret)
		return example_close(&ex, example_fail(&ex, "setup", ret));
	for (i = 0; i < BATCH * IN; i++)
		p[OFF_X + i] = example_random(&seed);
	for (i = 0; i < IN * HID; i++)
		p[OFF_W1 + i] = example_random(&seed) * 0.125f;	/* ~1/sqrt(IN) */
	for (i = 0; i < HID; i++)
		p[OFF_B1 + i] = example_random(&seed) * 0.1f;
	for (i = 0; i < HID * OUT; i++)
		p[OFF_W2 + i] = example_random(&seed) * 0.0625f;	/* ~1/sqrt(HID) */
	for (i = 0; i < OUT; i++)
		p[OFF_B2 + i] = example_random(&seed) * 0.1f;

	/* Device addresses are bytes: a tensor at float offset OFF is at va + OFF * 4. */
	l1 = example_gemm_fp32(BATCH, HID, IN, va + OFF_X * 4, va + OFF_W1 * 4, va + OFF_H * 4,
			       va + OFF_B1 * 4, act);
	l2 = example_gemm_fp32(BATCH, OUT, HID, va + OFF_H * 4, va + OFF_W2 * 4, va + OFF_Y * 4,
			       va + OFF_B2 * 4, ACCEL_ACT_NONE);
	ret = accel_cmdbuf_gemm(ex.cb, &l1);
	if (!ret)
		ret = accel_cmdbuf_gemm(ex.cb, &l2);
	if (!ret)
		ret = example_run(&ex, TIMEOUT_NS);
	if (ret)
		return example_close(&ex, example_fail(&ex, "run", ret));

	/* CPU reference, in double, from the same inputs. */
	example_gemm_cpu(BATCH, HID, IN, &p[OFF_X], &p[OFF_W1], &p[OFF_B1], act, h_want);
	example_gemm_cpu(BATCH, OUT, HID, h_want, &p[OFF_W2], &p[OFF_B2], ACCEL_ACT_NONE, y_want);
	return example_close(&ex, example_check(&ex, &p[OFF_Y], y_want, BATCH * OUT, TOLERANCE,
						"%dx%d -> %d (%s) -> %d", BATCH, IN, HID,
						relu ? "relu" : "gelu", OUT));
}
