// SPDX-License-Identifier: GPL-2.0-only
/*
 * The training commands of hardware 1.5 through the driver: each one
 * encoded by libaccel 2.1, run on the card in a VM and checked against a
 * plain C reference here; a bad argument (an index out of range) fails
 * the job of its VM only, while another VM on the same engine computes
 * on; and a few steps of a small softmax classifier trained entirely on
 * the card (GEMM, CROSS_ENTROPY, REDUCE, ADAMW in one command buffer per
 * step) lower its loss.
 *
 * Self-contained like libaccel_test.c: it needs only libaccel.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "kselftest_harness.h"

#define CB_SIZE		65536

static unsigned int time_scale(void)
{
	const char *s = getenv("TESSERA_TIME_SCALE");
	int v = s ? atoi(s) : 1;

	return v > 0 ? (unsigned int)v : 1;
}

#define WAIT_NS		(30ull * 1000 * 1000 * 1000 * time_scale())

static void __attribute__((constructor(KSELFTEST_PRIO_XFAIL + 1))) scale_timeouts(void)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= time_scale();
}

static int open_card(struct accel_device **dev)
{
	const char *card = getenv("TESSERA_CARD");
	char path[64];

	snprintf(path, sizeof(path), "/dev/accel/accel%s", card && *card ? card : "0");
	return accel_device_open_path(path, dev);
}

/* Deterministic values in [-1, 1). */
static float rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(*s >> 8) / (float)(1u << 23) - 1.0f;
}

static uint16_t to_bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	u += 0x7fffu + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

static float from_bf16(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

FIXTURE(train) {
	struct accel_device *dev;
	struct accel_queue *q;
	struct accel_fence *f;
	struct accel_cmdbuf *cb;
	struct accel_bo *bo;
	float *p;	/* the buffer, 16 MiB, as floats */
	uint64_t va;
};

#define BO_SIZE		(16u << 20)
/* Offsets into the buffer, in floats. */
#define AT(mib)		((size_t)(mib) * 262144)

FIXTURE_SETUP(train)
{
	struct accel_device_info info = { .size = sizeof(info) };

	ASSERT_EQ(0, open_card(&self->dev));
	ASSERT_EQ(0, accel_device_query(self->dev, &info));
	if (!(info.capabilities & ACCEL_CAP_TRAIN))
		SKIP(return, "the card has no training commands (hardware %u.%u)",
		     info.hw_version_major, info.hw_version_minor);
	ASSERT_EQ(0, accel_queue_create(self->dev, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL,
					&self->q));
	ASSERT_EQ(0, accel_fence_create(self->dev, &self->f));
	ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &self->cb));
	ASSERT_EQ(0, accel_bo_alloc(self->dev, BO_SIZE, &self->bo));
	ASSERT_EQ(0, accel_bo_map(self->bo, (void **)&self->p));
	self->va = accel_bo_va(self->bo);
}

FIXTURE_TEARDOWN(train)
{
	accel_bo_free(self->bo);
	accel_cmdbuf_destroy(self->cb);
	accel_fence_destroy(self->f);
	accel_queue_destroy(self->q);
	accel_device_close(self->dev);
}

/* Run the recorded commands and wait; the command buffer is reset. */
static int run_cb(struct accel_queue *q, struct accel_cmdbuf *cb, struct accel_fence *f)
{
	struct accel_sync sig = { .fence = f };
	int ret = accel_queue_submit(q, cb, NULL, 0, &sig, 1, NULL, 0);

	if (!ret)
		ret = accel_fence_wait_point(f, 0, WAIT_NS);
	if (!ret)
		ret = accel_cmdbuf_reset(cb);
	return ret;
}

/* The card's address of float @i of the buffer. */
static uint64_t fva(FIXTURE_DATA(train) *self, size_t i)
{
	return self->va + 4 * i;
}

/* Elements of @got (n) not within abs + rel * |want| of @want. */
static int mismatches(const float *got, const double *want, size_t n, double abs_tol,
		      double rel_tol, const char *what)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (fabs(got[i] - want[i]) <= abs_tol + rel_tol * fabs(want[i]))
			continue;
		if (bad++ < 3)
			fprintf(stderr, "# %s[%zu]: got %.8g want %.8g\n", what, i, got[i], want[i]);
	}
	return bad;
}

TEST_F(train, bgemm_attention_scores_on_qkv_views)
{
	enum { B = 2, T = 16, H = 2, HD = 8, D = H * HD, LD3 = 3 * D };
	float *qkv = self->p, *s = self->p + AT(1);
	uint16_t *qkv16 = (uint16_t *)(self->p + AT(2)), *s16 = (uint16_t *)(self->p + AT(3));
	double *want = calloc(B * H * T * T, sizeof(double));
	uint32_t seed = 5;
	int dt;

	ASSERT_NE(NULL, want);
	for (int i = 0; i < B * T * LD3; i++) {
		qkv[i] = rnd(&seed);
		qkv16[i] = to_bf16(qkv[i]);
	}
	for (int b = 0; b < B; b++)
		for (int h = 0; h < H; h++)
			for (int i = 0; i < T; i++)
				for (int j = 0; j < T; j++) {
					double acc = 0;

					for (int k = 0; k < HD; k++)
						acc += (double)qkv[(b * T + i) * LD3 + h * HD + k] *
						       qkv[(b * T + j) * LD3 + D + h * HD + k];
					want[((b * H + h) * T + i) * T + j] = acc / sqrt(HD);
				}
	for (dt = 0; dt < 2; dt++) {
		bool bf = dt == 1;
		uint64_t base = bf ? fva(self, AT(2)) : fva(self, 0);
		struct accel_bgemm g = {
			.size = sizeof(g), .dtype = bf ? ACCEL_DTYPE_BF16 : ACCEL_DTYPE_FP32,
			.flags = ACCEL_GEMM_TRANS_B, .m = T, .n = T, .k = HD,
			.a = base, .lda = LD3, .b = base + (uint64_t)D * (bf ? 2 : 4), .ldb = LD3,
			.c = bf ? fva(self, AT(3)) : fva(self, AT(1)), .ldc = T,
			.alpha = 1.0f / sqrtf(HD), .batch = { B, H },
			.stride_a = { T * LD3, HD }, .stride_b = { T * LD3, HD },
			.stride_c = { H * T * T, T * T },
		};
		float got[B * H * T * T];

		ASSERT_EQ(0, accel_cmdbuf_bgemm(self->cb, &g));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
		for (int i = 0; i < B * H * T * T; i++)
			got[i] = bf ? from_bf16(s16[i]) : s[i];
		EXPECT_EQ(0, mismatches(got, want, B * H * T * T, bf ? 2e-2 : 1e-5,
					bf ? 2e-2 : 1e-5, bf ? "bgemm bf16" : "bgemm"));
	}
	free(want);
}

TEST_F(train, causal_softmax_and_its_backward)
{
	enum { ROWS = 24, T = 12 };
	float *x = self->p, *y = self->p + AT(1), *dy = self->p + AT(2), *dx = self->p + AT(3);
	double want[ROWS * T], wdx[ROWS * T];
	uint32_t seed = 9;

	for (int i = 0; i < ROWS * T; i++) {
		x[i] = rnd(&seed) * 5;
		dy[i] = rnd(&seed);
	}
	for (int r = 0; r < ROWS; r++) {
		int keep = r % T + 1;
		double m = -INFINITY, sum = 0, dot = 0;

		for (int j = 0; j < keep; j++)
			m = fmax(m, x[r * T + j]);
		for (int j = 0; j < keep; j++)
			sum += exp(x[r * T + j] - m);
		for (int j = 0; j < T; j++)
			want[r * T + j] = j < keep ? exp(x[r * T + j] - m) / sum : 0;
		for (int j = 0; j < T; j++)
			dot += want[r * T + j] * dy[r * T + j];
		for (int j = 0; j < T; j++)
			wdx[r * T + j] = want[r * T + j] * (dy[r * T + j] - dot);
	}
	{
		struct accel_rowwise sm = {
			.size = sizeof(sm), .dtype = ACCEL_DTYPE_FP32, .rows = ROWS, .cols = T,
			.src = fva(self, 0), .src_ld = T, .dst = fva(self, AT(1)), .dst_ld = T,
			.flags = ACCEL_SOFTMAX_CAUSAL, .period = T, .offset = 0,
		};
		struct accel_softmax_bwd sb = {
			.size = sizeof(sb), .dtype = ACCEL_DTYPE_FP32, .rows = ROWS, .cols = T,
			.y = fva(self, AT(1)), .y_ld = T, .dy = fva(self, AT(2)), .dy_ld = T,
			.dx = fva(self, AT(3)), .dx_ld = T,
		};

		ASSERT_EQ(0, accel_cmdbuf_softmax(self->cb, &sm));
		ASSERT_EQ(0, accel_cmdbuf_softmax_bwd(self->cb, &sb));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
	}
	EXPECT_EQ(0, mismatches(y, want, ROWS * T, 1e-6, 1e-5, "causal softmax"));
	for (int r = 0; r < ROWS; r++)
		for (int j = r % T + 1; j < T; j++)
			EXPECT_EQ(0, y[r * T + j]);
	EXPECT_EQ(0, mismatches(dx, wdx, ROWS * T, 1e-6, 1e-4, "softmax_bwd"));
}

TEST_F(train, embedding_gather_and_scatter_add)
{
	enum { V = 64, C = 32, N = 200 };
	float *tab = self->p, *x = self->p + AT(1), *g = self->p + AT(2), *gt = self->p + AT(3);
	int32_t *idx = (int32_t *)(self->p + AT(4));
	double want[V * C];
	uint32_t seed = 3;

	for (int i = 0; i < V * C; i++) {
		tab[i] = rnd(&seed);
		gt[i] = 0;
		want[i] = 0;
	}
	for (int i = 0; i < N; i++) {
		idx[i] = (int32_t)((seed = seed * 1664525u + 1013904223u) >> 8) % V;
		for (int j = 0; j < C; j++)
			g[i * C + j] = rnd(&seed);
	}
	for (int i = 0; i < N; i++)
		for (int j = 0; j < C; j++)
			want[idx[i] * C + j] = (float)((float)want[idx[i] * C + j] + g[i * C + j]);
	{
		struct accel_embedding e = {
			.size = sizeof(e), .dtype = ACCEL_DTYPE_FP32, .count = N, .cols = C,
			.idx = fva(self, AT(4)), .table = fva(self, 0), .table_rows = V,
			.table_ld = C, .x = fva(self, AT(1)), .x_ld = C,
		};

		ASSERT_EQ(0, accel_cmdbuf_embedding(self->cb, &e));
		e.flags = ACCEL_EMB_SCATTER_ADD;
		e.table = fva(self, AT(3));
		e.x = fva(self, AT(2));
		ASSERT_EQ(0, accel_cmdbuf_embedding(self->cb, &e));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
	}
	for (int i = 0; i < N; i++)
		EXPECT_EQ(0, memcmp(&x[i * C], &tab[idx[i] * C], C * 4));
	/* in index order, one fp32 add each: bit for bit */
	EXPECT_EQ(0, mismatches(gt, want, V * C, 0, 0, "scatter-add"));
}

TEST_F(train, rmsnorm_forward_and_backward)
{
	enum { R = 16, C = 48 };
	float *x = self->p, *y = self->p + AT(1), *gam = self->p + AT(2);
	float *dy = self->p + AT(4), *dx = self->p + AT(5), *dg = self->p + AT(6);
	double wy[R * C], wdx[R * C], wdg[C] = { 0 };
	const float eps = 1e-5f;
	uint32_t seed = 17;

	for (int i = 0; i < R * C; i++) {
		x[i] = rnd(&seed) * 2;
		dy[i] = rnd(&seed);
	}
	for (int j = 0; j < C; j++) {
		gam[j] = 1 + rnd(&seed) / 2;
		dg[j] = 0;
	}
	for (int r = 0; r < R; r++) {
		double ss = 0, rstd, dot = 0;

		for (int j = 0; j < C; j++)
			ss += (double)x[r * C + j] * x[r * C + j];
		rstd = 1 / sqrt(ss / C + eps);
		for (int j = 0; j < C; j++) {
			wy[r * C + j] = x[r * C + j] * rstd * gam[j];
			dot += (double)dy[r * C + j] * gam[j] * x[r * C + j];
		}
		for (int j = 0; j < C; j++) {
			wdx[r * C + j] = rstd * gam[j] * dy[r * C + j] -
					 x[r * C + j] * rstd * rstd * rstd * dot / C;
			wdg[j] += dy[r * C + j] * x[r * C + j] * rstd;
		}
	}
	{
		struct accel_rmsnorm f = {
			.size = sizeof(f), .dtype = ACCEL_DTYPE_FP32,
			.flags = ACCEL_RMS_GAMMA | ACCEL_RMS_RSTD, .rows = R, .cols = C,
			.x = fva(self, 0), .x_ld = C, .y = fva(self, AT(1)), .y_ld = C,
			.gamma = fva(self, AT(2)), .rstd = fva(self, AT(3)), .epsilon = eps,
		};
		struct accel_rmsnorm b = {
			.size = sizeof(b), .dtype = ACCEL_DTYPE_FP32,
			.flags = ACCEL_RMS_GAMMA | ACCEL_RMS_RSTD | ACCEL_RMS_DGAMMA, .rows = R,
			.cols = C, .x = fva(self, 0), .x_ld = C, .dy = fva(self, AT(4)), .dy_ld = C,
			.dx = fva(self, AT(5)), .dx_ld = C, .gamma = fva(self, AT(2)),
			.dgamma = fva(self, AT(6)), .rstd = fva(self, AT(3)), .epsilon = eps,
		};

		ASSERT_EQ(0, accel_cmdbuf_rmsnorm(self->cb, &f));
		ASSERT_EQ(0, accel_cmdbuf_rmsnorm_bwd(self->cb, &b));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
	}
	EXPECT_EQ(0, mismatches(y, wy, R * C, 1e-5, 1e-5, "rmsnorm"));
	EXPECT_EQ(0, mismatches(dx, wdx, R * C, 1e-5, 1e-4, "rmsnorm dx"));
	EXPECT_EQ(0, mismatches(dg, wdg, C, 1e-4, 1e-4, "rmsnorm dgamma"));
}

TEST_F(train, rope_forward_then_backward_is_the_identity)
{
	enum { R = 20, H = 3, HD = 16, LD = H * HD + 4 };
	float *x = self->p, *y = self->p + AT(1);
	double wy[R * LD];
	float x0[R * LD];
	uint32_t seed = 23;

	for (int i = 0; i < R * LD; i++)
		x0[i] = x[i] = rnd(&seed);
	for (int r = 0; r < R; r++) {
		double pos = 100 + r % 10;

		for (int h = 0; h < H; h++)
			for (int i = 0; i < HD / 2; i++) {
				double a = pos * pow(10000.0, -2.0 * i / HD);
				double u = x[r * LD + h * HD + 2 * i], v = x[r * LD + h * HD + 2 * i + 1];

				wy[r * LD + h * HD + 2 * i] = u * cos(a) - v * sin(a);
				wy[r * LD + h * HD + 2 * i + 1] = u * sin(a) + v * cos(a);
			}
	}
	{
		struct accel_rope ro = {
			.size = sizeof(ro), .dtype = ACCEL_DTYPE_FP32, .rows = R, .heads = H,
			.head_dim = HD, .n_rot = HD, .x = fva(self, 0), .x_ld = LD,
			.y = fva(self, AT(1)), .y_ld = LD, .pos0 = 100, .period = 10,
			.theta = 10000.0f,
		};

		ASSERT_EQ(0, accel_cmdbuf_rope(self->cb, &ro));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
		for (int r = 0; r < R; r++) {
			float g[H * HD];
			double w[H * HD];

			for (int j = 0; j < H * HD; j++) {
				g[j] = y[r * LD + j];
				w[j] = wy[r * LD + j];
			}
			EXPECT_EQ(0, mismatches(g, w, H * HD, 1e-5, 1e-5, "rope"));
		}
		/* backward, in place on y: back to x */
		ro.flags = ACCEL_ROPE_BWD;
		ro.x = ro.y;
		ASSERT_EQ(0, accel_cmdbuf_rope(self->cb, &ro));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
		for (int r = 0; r < R; r++) {
			float g[H * HD];
			double w[H * HD];

			for (int j = 0; j < H * HD; j++) {
				g[j] = y[r * LD + j];
				w[j] = x0[r * LD + j];
			}
			EXPECT_EQ(0, mismatches(g, w, H * HD, 1e-5, 1e-5, "rope backward"));
		}
	}
}

static double silu(double x)
{
	return x / (1 + exp(-x));
}

static double dsilu(double x)
{
	double s = 1 / (1 + exp(-x));

	return s * (1 + x * (1 - s));
}

TEST_F(train, swiglu_forward_and_backward_bf16)
{
	enum { R = 32, F = 40 };
	/* the gate and up halves of one [R, 2F] projection */
	uint16_t *gu = (uint16_t *)self->p, *h = (uint16_t *)(self->p + AT(1));
	uint16_t *dh = (uint16_t *)(self->p + AT(2));
	double wh[R * F], wda[R * F], wdb[R * F];
	float got[R * F];
	uint32_t seed = 31;

	for (int i = 0; i < R * 2 * F; i++)
		gu[i] = to_bf16(rnd(&seed) * 4);
	for (int i = 0; i < R * F; i++)
		dh[i] = to_bf16(rnd(&seed));
	for (int r = 0; r < R; r++)
		for (int j = 0; j < F; j++) {
			double a = from_bf16(gu[r * 2 * F + j]), b = from_bf16(gu[r * 2 * F + F + j]);
			double c = from_bf16(dh[r * F + j]);

			wh[r * F + j] = silu(a) * b;
			wda[r * F + j] = c * b * dsilu(a);
			wdb[r * F + j] = c * silu(a);
		}
	{
		struct accel_elementwise2 fwd = {
			.size = sizeof(fwd), .op = ACCEL_EW_SWIGLU, .src_dtype = ACCEL_DTYPE_BF16,
			.dst_dtype = ACCEL_DTYPE_BF16, .rows = R, .cols = F,
			.a = self->va, .a_ld = 2 * F, .b = self->va + 2 * F, .b_ld = 2 * F,
			.d = fva(self, AT(1)), .d_ld = F,
		};
		struct accel_elementwise2 bwd = {
			.size = sizeof(bwd), .op = ACCEL_EW_SWIGLU_BWD, .src_dtype = ACCEL_DTYPE_BF16,
			.dst_dtype = ACCEL_DTYPE_BF16, .rows = R, .cols = F,
			.a = self->va, .a_ld = 2 * F, .b = self->va + 2 * F, .b_ld = 2 * F,
			.c = fva(self, AT(2)), .c_ld = F,
			/* the gradients over the gate and up inputs, in place */
			.d = self->va, .d_ld = 2 * F, .e = self->va + 2 * F, .e_ld = 2 * F,
		};

		ASSERT_EQ(0, accel_cmdbuf_elementwise2(self->cb, &fwd));
		ASSERT_EQ(0, accel_cmdbuf_elementwise2(self->cb, &bwd));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
	}
	for (int i = 0; i < R * F; i++)
		got[i] = from_bf16(h[i]);
	EXPECT_EQ(0, mismatches(got, wh, R * F, 1e-4, 1.0 / 128, "swiglu"));
	for (int i = 0; i < R * F; i++)
		got[i] = from_bf16(gu[(i / F) * 2 * F + i % F]);
	EXPECT_EQ(0, mismatches(got, wda, R * F, 1e-4, 1.0 / 128, "swiglu dA"));
	for (int i = 0; i < R * F; i++)
		got[i] = from_bf16(gu[(i / F) * 2 * F + F + i % F]);
	EXPECT_EQ(0, mismatches(got, wdb, R * F, 1e-4, 1.0 / 128, "swiglu dB"));
}

TEST_F(train, cross_entropy_and_reduce_of_the_loss)
{
	enum { R = 64, K = 20 };
	float *x = self->p, *loss = self->p + AT(1), *dx = self->p + AT(2), *tot = self->p + AT(3);
	int32_t *t = (int32_t *)(self->p + AT(4));
	double wl[R], wdx[R * K], wtot = 0;
	uint32_t seed = 37;

	for (int i = 0; i < R * K; i++)
		x[i] = rnd(&seed) * 6;
	for (int r = 0; r < R; r++)
		t[r] = r == 5 ? -1 : (int32_t)((seed = seed * 1664525u + 1013904223u) >> 8) % K;
	for (int r = 0; r < R; r++) {
		double m = -INFINITY, s = 0;

		for (int j = 0; j < K; j++)
			m = fmax(m, x[r * K + j]);
		for (int j = 0; j < K; j++)
			s += exp(x[r * K + j] - m);
		wl[r] = t[r] < 0 ? 0 : log(s) + m - x[r * K + t[r]];
		for (int j = 0; j < K; j++)
			wdx[r * K + j] = t[r] < 0 ? 0 : (exp(x[r * K + j] - m) / s - (j == t[r])) / R;
		wtot += wl[r] / R;
	}
	tot[0] = 123.0f;
	{
		struct accel_cross_entropy ce = {
			.size = sizeof(ce), .dtype = ACCEL_DTYPE_FP32,
			.flags = ACCEL_CE_LOSS | ACCEL_CE_DLOGITS, .rows = R, .classes = K,
			.logits = fva(self, 0), .logits_ld = K, .targets = fva(self, AT(4)),
			.loss = fva(self, AT(1)), .dlogits = fva(self, AT(2)), .dlogits_ld = K,
			.scale = 1.0f / R, .ignore_index = -1,
		};
		struct accel_reduce rd = {
			.size = sizeof(rd), .dtype = ACCEL_DTYPE_FP32, .axis = ACCEL_RED_ALL,
			.rows = 1, .cols = R, .x = fva(self, AT(1)), .x_ld = R,
			.dst = fva(self, AT(3)), .scale = 1.0f / R,
		};

		ASSERT_EQ(0, accel_cmdbuf_cross_entropy(self->cb, &ce));
		ASSERT_EQ(0, accel_cmdbuf_reduce(self->cb, &rd));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
	}
	EXPECT_EQ(0, mismatches(loss, wl, R, 1e-5, 1e-5, "loss"));
	EXPECT_EQ(0, mismatches(dx, wdx, R * K, 1e-7, 1e-5, "dlogits"));
	EXPECT_EQ(0, mismatches(tot, &wtot, 1, 1e-6, 1e-5, "mean loss"));
}

TEST_F(train, adamw_step_with_clipping)
{
	enum { N = 5000 };
	float *w = self->p, *g = self->p + AT(1), *m = self->p + AT(2), *v = self->p + AT(3);
	float *ss = self->p + AT(4);
	double ww[N], wm[N], wv[N], sum = 0, scale = 1, norm;
	uint32_t seed = 41;

	for (int i = 0; i < N; i++) {
		w[i] = rnd(&seed);
		g[i] = rnd(&seed) * 0.1f;
		m[i] = v[i] = 0;
		sum += (double)g[i] * g[i];
	}
	ss[0] = 0.0f;
	{
		struct accel_reduce rd = {
			.size = sizeof(rd), .dtype = ACCEL_DTYPE_FP32, .axis = ACCEL_RED_ALL,
			.flags = ACCEL_RED_ACCUM | ACCEL_RED_SQUARE, .rows = 50, .cols = 100,
			.x = fva(self, AT(1)), .x_ld = 100, .dst = fva(self, AT(4)), .scale = 1.0f,
		};
		struct accel_adamw a = {
			.size = sizeof(a), .flags = ACCEL_ADAMW_CLIP | ACCEL_ADAMW_ZERO_GRAD,
			.count = N, .step = 1, .param = fva(self, 0), .grad = fva(self, AT(1)),
			.m = fva(self, AT(2)), .v = fva(self, AT(3)), .lr = 1e-2f, .beta1 = 0.9f,
			.beta2 = 0.99f, .eps = 1e-8f, .weight_decay = 0.1f, .grad_scale = 1.0f,
			.sumsq = fva(self, AT(4)), .max_norm = 1.0f,
		};

		norm = sqrt(sum);
		if (1.0 / (norm + 1e-6) < 1)
			scale = 1.0 / (norm + 1e-6);
		for (int i = 0; i < N; i++) {
			double gi = g[i] * scale;

			wm[i] = 0.1 * gi;
			wv[i] = 0.01 * gi * gi;
			ww[i] = w[i] * (1 - 1e-3) - 1e-2 / 0.1 * wm[i] / (sqrt(wv[i]) / sqrt(0.01) + 1e-8);
		}
		ASSERT_EQ(0, accel_cmdbuf_reduce(self->cb, &rd));
		ASSERT_EQ(0, accel_cmdbuf_adamw(self->cb, &a));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
	}
	TH_LOG("gradient norm %.4f: clipped by %.4f", norm, scale);
	EXPECT_GT(norm, 1.5);
	EXPECT_EQ(0, mismatches(ss, &sum, 1, 0, 1e-5, "sum of squares"));
	EXPECT_EQ(0, mismatches(w, ww, N, 1e-6, 1e-5, "param"));
	EXPECT_EQ(0, mismatches(m, wm, N, 1e-9, 1e-4, "m"));
	/* ZERO_GRAD */
	{
		int nonzero = 0;

		for (int i = 0; i < N; i++)
			nonzero += g[i] != 0.0f;
		EXPECT_EQ(0, nonzero);
	}
}

/*
 * An EMBEDDING whose index is past the table fails the job of its VM
 * (ERR_INVALID_CMD: -EIO, fault code 1) and writes nothing; another VM's
 * job on the same engine, queued behind it, computes its results, and
 * that VM stays clean.
 */
TEST_F(train, bad_index_fails_its_vm_only)
{
	struct accel_vm_status st = { .size = sizeof(st) };
	struct accel_vm *vm[2];
	struct accel_queue *q[2];
	struct accel_cmdbuf *cb[2];
	struct accel_fence *f[2];
	struct accel_bo *bo[2];
	float *p[2];
	uint64_t va[2];
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, accel_vm_create(self->dev, &vm[i]));
		ASSERT_EQ(0, accel_bo_alloc(self->dev, 1 << 20, &bo[i]));
		ASSERT_EQ(0, accel_bo_map(bo[i], (void **)&p[i]));
		ASSERT_EQ(0, accel_vm_va_alloc(vm[i], 1 << 20, 0, &va[i]));
		ASSERT_EQ(0, accel_vm_bind(vm[i], bo[i], 0, va[i], 1 << 20,
					   ACCEL_BIND_READ | ACCEL_BIND_WRITE));
		ASSERT_EQ(0, accel_vm_queue_create(vm[i], ACCEL_ENGINE_COMPUTE, 0,
						   ACCEL_PRIORITY_NORMAL, &q[i]));
		ASSERT_EQ(0, accel_cmdbuf_create(self->dev, CB_SIZE, &cb[i]));
		ASSERT_EQ(0, accel_fence_create(self->dev, &f[i]));
		for (int j = 0; j < 65536; j++)
			p[i][j] = (float)j;
		memset(p[i] + 65536, 0xa5, 65536 * 4);
		/* indices at float 131072: 0, 1, ..., 7, and one past a 16-row table */
		for (int j = 0; j < 8; j++)
			((int32_t *)(p[i] + 131072))[j] = i == 0 && j == 7 ? 16 : j;
	}
	for (i = 0; i < 2; i++) {
		struct accel_embedding e = {
			.size = sizeof(e), .dtype = ACCEL_DTYPE_FP32, .count = 8, .cols = 32,
			.idx = va[i] + 131072 * 4, .table = va[i], .table_rows = 16, .table_ld = 32,
			.x = va[i] + 65536 * 4, .x_ld = 32,
		};
		struct accel_sync sig = { .fence = f[i] };

		/* the encoder cannot know the index: the card checks it */
		ASSERT_EQ(0, accel_cmdbuf_embedding(cb[i], &e));
		ASSERT_EQ(0, accel_queue_submit(q[i], cb[i], NULL, 0, &sig, 1, NULL, 0));
	}
	EXPECT_EQ(-EIO, accel_fence_wait_point(f[0], 0, WAIT_NS));
	EXPECT_EQ(0, accel_fence_wait_point(f[1], 0, WAIT_NS));
	ASSERT_EQ(0, accel_vm_status(vm[0], &st));
	EXPECT_TRUE(st.flags & ACCEL_VM_GUILTY);
	EXPECT_EQ(1, st.fault_count);
	EXPECT_EQ(1, st.fault_code);	/* ERR_INVALID_CMD */
	{
		int touched = 0, wrong = 0;

		/* nothing written in the guilty VM, everything in the other */
		for (int j = 0; j < 8 * 32; j++) {
			touched += ((uint32_t *)p[0])[65536 + j] != 0xa5a5a5a5u;
			wrong += p[1][65536 + j] != (float)j;
		}
		EXPECT_EQ(0, touched);
		EXPECT_EQ(0, wrong);
	}
	st = (struct accel_vm_status){ .size = sizeof(st) };
	ASSERT_EQ(0, accel_vm_status(vm[1], &st));
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, st.fault_count);
	for (i = 0; i < 2; i++) {
		accel_queue_destroy(q[i]);
		accel_cmdbuf_destroy(cb[i]);
		accel_fence_destroy(f[i]);
		accel_vm_destroy(vm[i]);
		accel_bo_free(bo[i]);
	}
}

/*
 * A softmax classifier on 8 well separated Gaussian blobs in 16-D, trained
 * on the card alone: each step is one command buffer (logits GEMM,
 * CROSS_ENTROPY, the weight gradient GEMM, the loss REDUCE, ADAMW with
 * ZERO_GRAD); the mean loss falls from log(8) to well below it.
 */
TEST_F(train, softmax_classifier_trains_on_the_card)
{
	enum { N = 256, D = 16, K = 8, STEPS = 40 };
	float *x = self->p, *w = self->p + AT(1), *gw = self->p + AT(4), *m = self->p + AT(5);
	float *v = self->p + AT(6), *mean = self->p + AT(7);
	int32_t *t = (int32_t *)(self->p + AT(8));
	float first = 0, last = 0;
	uint32_t seed = 43;

	for (int i = 0; i < N; i++) {
		t[i] = i % K;
		for (int j = 0; j < D; j++)
			x[i * D + j] = (j % K == t[i] ? 2.0f : 0.0f) + rnd(&seed) * 0.5f;
	}
	for (int i = 0; i < D * K; i++) {
		w[i] = rnd(&seed) * 0.01f;
		gw[i] = m[i] = v[i] = 0;
	}
	for (int step = 1; step <= STEPS; step++) {
		struct accel_gemm fwd = {
			.size = sizeof(fwd), .dtype = ACCEL_DTYPE_FP32, .m = N, .n = K, .k = D,
			.a = fva(self, 0), .lda = D, .b = fva(self, AT(1)), .ldb = K,
			.c = fva(self, AT(2)), .ldc = K, .alpha = 1.0f,
		};
		struct accel_cross_entropy ce = {
			.size = sizeof(ce), .dtype = ACCEL_DTYPE_FP32,
			.flags = ACCEL_CE_LOSS | ACCEL_CE_DLOGITS, .rows = N, .classes = K,
			.logits = fva(self, AT(2)), .logits_ld = K, .targets = fva(self, AT(8)),
			.loss = fva(self, AT(3)), .dlogits = fva(self, AT(2)), .dlogits_ld = K,
			.scale = 1.0f / N, .ignore_index = -1,
		};
		/* dW = X^T dlogits, accumulated into the zeroed gradient */
		struct accel_gemm bwd = {
			.size = sizeof(bwd), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_TRANS_A,
			.m = D, .n = K, .k = N, .a = fva(self, 0), .lda = D,
			.b = fva(self, AT(2)), .ldb = K, .c = fva(self, AT(4)), .ldc = K,
			.alpha = 1.0f, .beta = 1.0f,
		};
		struct accel_reduce rd = {
			.size = sizeof(rd), .dtype = ACCEL_DTYPE_FP32, .axis = ACCEL_RED_ALL,
			.rows = 1, .cols = N, .x = fva(self, AT(3)), .x_ld = N,
			.dst = fva(self, AT(7)), .scale = 1.0f / N,
		};
		struct accel_adamw a = {
			.size = sizeof(a), .flags = ACCEL_ADAMW_ZERO_GRAD, .count = D * K,
			.step = (uint32_t)step, .param = fva(self, AT(1)), .grad = fva(self, AT(4)),
			.m = fva(self, AT(5)), .v = fva(self, AT(6)), .lr = 0.05f, .beta1 = 0.9f,
			.beta2 = 0.99f, .eps = 1e-8f, .weight_decay = 0.0f, .grad_scale = 1.0f,
		};

		ASSERT_EQ(0, accel_cmdbuf_gemm(self->cb, &fwd));
		ASSERT_EQ(0, accel_cmdbuf_cross_entropy(self->cb, &ce));
		ASSERT_EQ(0, accel_cmdbuf_gemm(self->cb, &bwd));
		ASSERT_EQ(0, accel_cmdbuf_reduce(self->cb, &rd));
		ASSERT_EQ(0, accel_cmdbuf_adamw(self->cb, &a));
		ASSERT_EQ(0, run_cb(self->q, self->cb, self->f));
		if (step == 1)
			first = mean[0];
		last = mean[0];
	}
	TH_LOG("mean loss %.4f after one step, %.4f after %d (log 8 = %.4f)", first, last, STEPS,
	       log(8.0));
	EXPECT_GT(first, 2.0f);
	EXPECT_LT(last, 0.2f);
}

TEST_HARNESS_MAIN
