// SPDX-License-Identifier: MIT
/*
 * The reference model's kernels (ref_ops.h): plain loops, and BLAS for
 * the matrix products.  Built in fp32 and fp64 (ref_real.h).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "ref_ops.h"

void REF(linear)(size_t N, size_t out, size_t in, const real *x, const real *W, real *y,
		 bool accumulate)
{
	GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, N, out, in, 1, x, in, W, in,
	     accumulate ? 1 : 0, y, out);
}

void REF(linear_dx)(size_t N, size_t out, size_t in, const real *dy, const real *W, real *dx,
		    bool accumulate)
{
	GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, in, out, 1, dy, out, W, in,
	     accumulate ? 1 : 0, dx, in);
}

void REF(linear_dw)(size_t N, size_t out, size_t in, const real *dy, const real *x, real *dW)
{
	GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, N, 1, dy, out, x, in, 1, dW, in);
}

void REF(rmsnorm)(size_t N, size_t D, const real *x, const real *g, real eps, real *y,
		  real *rstd)
{
	for (size_t n = 0; n < N; n++) {
		const real *xr = x + n * D;
		real *yr = y + n * D;
		double ss = 0;

		for (size_t j = 0; j < D; j++)
			ss += (double)xr[j] * xr[j];
		real r = (real)(1.0 / sqrt(ss / D + eps));

		rstd[n] = r;
		for (size_t j = 0; j < D; j++)
			yr[j] = xr[j] * r * g[j];
	}
}

/*
 * y_j = x_j r g_j with r = (mean(x^2) + eps)^(-1/2), dr/dx_j = -r^3 x_j / D:
 * dx_j = r g_j dy_j - x_j r^3 / D * sum_k g_k dy_k x_k, dg_j = sum_n dy_j x_j r.
 */
void REF(rmsnorm_bwd)(size_t N, size_t D, const real *x, const real *g, const real *rstd,
		      const real *dy, real *dx, real *dg)
{
	for (size_t n = 0; n < N; n++) {
		const real *xr = x + n * D, *dyr = dy + n * D;
		real *dxr = dx + n * D;
		real r = rstd[n];
		double dot = 0;

		for (size_t j = 0; j < D; j++)
			dot += (double)g[j] * dyr[j] * xr[j];
		real c = (real)(dot * r * r * r / D);

		for (size_t j = 0; j < D; j++) {
			dxr[j] += r * g[j] * dyr[j] - xr[j] * c;
			dg[j] += dyr[j] * xr[j] * r;
		}
	}
}

void REF(rope)(size_t N, uint32_t period, uint32_t pos0, uint32_t H, uint32_t hd,
	       double theta, int sign, real *x)
{
	size_t D = (size_t)H * hd;

	for (size_t r = 0; r < N; r++) {
		double pos = pos0 + r % period;

		for (uint32_t i = 0; i < hd / 2; i++) {
			double a = sign * pos * pow(theta, -2.0 * i / hd);
			real c = (real)cos(a), s = (real)sin(a);

			for (uint32_t h = 0; h < H; h++) {
				real *p = x + r * D + (size_t)h * hd + 2 * i;
				real x0 = p[0], x1 = p[1];

				p[0] = x0 * c - x1 * s;
				p[1] = x0 * s + x1 * c;
			}
		}
	}
}

void REF(attention)(uint32_t B, uint32_t T, uint32_t H, uint32_t hd, const real *q,
		    const real *k, const real *v, real *p, real *out)
{
	size_t D = (size_t)H * hd;
	real scale = (real)(1.0 / sqrt(hd));

	for (uint32_t b = 0; b < B; b++) {
		for (uint32_t h = 0; h < H; h++) {
			size_t at = (size_t)b * T * D + (size_t)h * hd;
			real *pp = p + ((size_t)b * H + h) * T * T;

			/* scores: scale * q k^T, then a causal softmax per row */
			GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hd, scale, q + at, D,
			     k + at, D, 0, pp, T);
			for (uint32_t t = 0; t < T; t++) {
				real *row = pp + (size_t)t * T, mx = row[0];
				double sum = 0;

				for (uint32_t u = 1; u <= t; u++)
					mx = row[u] > mx ? row[u] : mx;
				for (uint32_t u = 0; u <= t; u++) {
					row[u] = EXP(row[u] - mx);
					sum += row[u];
				}
				for (uint32_t u = 0; u <= t; u++)
					row[u] = (real)(row[u] / sum);
				for (uint32_t u = t + 1; u < T; u++)
					row[u] = 0;
			}
			GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hd, T, 1, pp, T, v + at,
			     D, 0, out + at, D);
		}
	}
}

/*
 * out = P V, P = softmax(S), S = scale q k^T:
 * dP = dout V^T, dV = P^T dout, dS = P * (dP - rowsum(P * dP)),
 * dq = scale dS k, dk = scale dS^T q.
 */
void REF(attention_bwd)(uint32_t B, uint32_t T, uint32_t H, uint32_t hd, const real *q,
			const real *k, const real *v, const real *p, const real *dout,
			real *dq, real *dk, real *dv, real *scratch)
{
	size_t D = (size_t)H * hd;
	real scale = (real)(1.0 / sqrt(hd));

	for (uint32_t b = 0; b < B; b++) {
		for (uint32_t h = 0; h < H; h++) {
			size_t at = (size_t)b * T * D + (size_t)h * hd;
			const real *pp = p + ((size_t)b * H + h) * T * T;
			real *ds = scratch;

			GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hd, 1, dout + at, D,
			     v + at, D, 0, ds, T);
			GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, T, hd, T, 1, pp, T,
			     dout + at, D, 0, dv + at, D);
			for (uint32_t t = 0; t < T; t++) {
				const real *prow = pp + (size_t)t * T;
				real *row = ds + (size_t)t * T;
				double dot = 0;

				for (uint32_t u = 0; u <= t; u++)
					dot += (double)prow[u] * row[u];
				for (uint32_t u = 0; u <= t; u++)
					row[u] = scale * prow[u] * (row[u] - (real)dot);
				for (uint32_t u = t + 1; u < T; u++)
					row[u] = 0;
			}
			GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hd, T, 1, ds, T, k + at,
			     D, 0, dq + at, D);
			GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, T, hd, T, 1, ds, T, q + at,
			     D, 0, dk + at, D);
		}
	}
}

static real sigmoid(real a)
{
	return 1 / (1 + EXP(-a));
}

void REF(swiglu)(size_t n, const real *a, const real *b, real *s)
{
	for (size_t i = 0; i < n; i++)
		s[i] = a[i] * sigmoid(a[i]) * b[i];
}

/* silu(a) = a sig(a), silu'(a) = sig(a) (1 + a (1 - sig(a))). */
void REF(swiglu_bwd)(size_t n, const real *a, const real *b, const real *ds, real *da,
		     real *db)
{
	for (size_t i = 0; i < n; i++) {
		real sg = sigmoid(a[i]);

		da[i] = ds[i] * b[i] * sg * (1 + a[i] * (1 - sg));
		db[i] = ds[i] * a[i] * sg;
	}
}

static double logsumexp(const real *row, size_t V)
{
	real mx = row[0];
	double sum = 0;

	for (size_t j = 1; j < V; j++)
		mx = row[j] > mx ? row[j] : mx;
	for (size_t j = 0; j < V; j++)
		sum += exp((double)row[j] - mx);
	return mx + log(sum);
}

double REF(cross_entropy)(size_t N, size_t V, const real *logits, const int32_t *targets)
{
	double loss = 0;

	for (size_t n = 0; n < N; n++) {
		if (targets[n] < 0)
			continue;
		loss += logsumexp(logits + n * V, V) - logits[n * V + targets[n]];
	}
	return loss;
}

void REF(cross_entropy_bwd)(size_t N, size_t V, const real *logits, const int32_t *targets,
			    real scale, real *dlogits)
{
	for (size_t n = 0; n < N; n++) {
		const real *row = logits + n * V;
		real *d = dlogits + n * V;

		if (targets[n] < 0) {
			for (size_t j = 0; j < V; j++)
				d[j] = 0;
			continue;
		}
		double lse = logsumexp(row, V);

		for (size_t j = 0; j < V; j++)
			d[j] = (real)(exp((double)row[j] - lse) * scale);
		d[targets[n]] -= scale;
	}
}
