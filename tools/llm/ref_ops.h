/* SPDX-License-Identifier: MIT */
/*
 * The reference model's kernels, in the precision of ref_real.h.  Every
 * matrix is row-major with the leading dimension given.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_REF_OPS_H
#define TESSERA_LLM_REF_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ref_real.h"

/* y[N][out] (+)= x[N][in] W[out][in]^T: a linear layer. */
void REF(linear)(size_t N, size_t out, size_t in, const real *x, const real *W, real *y,
		 bool accumulate);
/* dx[N][in] (+)= dy[N][out] W[out][in]. */
void REF(linear_dx)(size_t N, size_t out, size_t in, const real *dy, const real *W, real *dx,
		    bool accumulate);
/* dW[out][in] += dy[N][out]^T x[N][in]. */
void REF(linear_dw)(size_t N, size_t out, size_t in, const real *dy, const real *x, real *dW);

/* y = x * rstd * g per row, rstd = 1 / sqrt(mean(x^2) + eps). */
void REF(rmsnorm)(size_t N, size_t D, const real *x, const real *g, real eps, real *y,
		  real *rstd);
/* dx += d/dx, dg += d/dg of the above, given dy. */
void REF(rmsnorm_bwd)(size_t N, size_t D, const real *x, const real *g, const real *rstd,
		      const real *dy, real *dx, real *dg);

/* RoPE in place on x[N][H * hd]: row r at position pos0 + r % period;
 * pairs (2i, 2i+1) of each head rotate by sign * pos * theta^(-2i/hd)
 * (sign -1: the backward pass, the transpose of the rotation). */
void REF(rope)(size_t N, uint32_t period, uint32_t pos0, uint32_t H, uint32_t hd,
	       double theta, int sign, real *x);

/* Causal attention of B sequences of T tokens, H heads of hd: q, k, v,
 * out [B*T][H*hd]; p [B][H][T][T] the probabilities (0 above the
 * diagonal), scale 1/sqrt(hd). */
void REF(attention)(uint32_t B, uint32_t T, uint32_t H, uint32_t hd, const real *q,
		    const real *k, const real *v, real *p, real *out);
/* dq, dk, dv (overwritten) from dout; @scratch holds T*T. */
void REF(attention_bwd)(uint32_t B, uint32_t T, uint32_t H, uint32_t hd, const real *q,
			const real *k, const real *v, const real *p, const real *dout,
			real *dq, real *dk, real *dv, real *scratch);

/* s = silu(a) * b, n elements. */
void REF(swiglu)(size_t n, const real *a, const real *b, real *s);
/* da = ds * b * silu'(a), db = ds * silu(a). */
void REF(swiglu_bwd)(size_t n, const real *a, const real *b, const real *ds, real *da,
		     real *db);

/* Sum over rows with target >= 0 of logsumexp(row) - row[target]. */
double REF(cross_entropy)(size_t N, size_t V, const real *logits, const int32_t *targets);
/* dlogits = (softmax(row) - onehot(target)) * scale; 0 where target < 0. */
void REF(cross_entropy_bwd)(size_t N, size_t V, const real *logits, const int32_t *targets,
			    real scale, real *dlogits);

#endif /* TESSERA_LLM_REF_OPS_H */
