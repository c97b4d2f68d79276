// SPDX-License-Identifier: MIT
/*
 * AdamW (llm.h), fp32 state, the bias corrections in fp64.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <math.h>

#include "llm.h"

void llm_ref_adamw_tensor(size_t n, const struct llm_adamw *h, float wd, uint64_t step,
			  float grad_scale, float *w, const float *grad, float *mom, float *var)
{
	float c1 = (float)(1.0 - pow(h->beta1, (double)step));
	float c2 = (float)(1.0 - pow(h->beta2, (double)step));

	for (size_t i = 0; i < n; i++) {
		float g = grad[i] * grad_scale;

		mom[i] = h->beta1 * mom[i] + (1 - h->beta1) * g;
		var[i] = h->beta2 * var[i] + (1 - h->beta2) * g * g;
		float mhat = mom[i] / c1, vhat = var[i] / c2;

		w[i] -= h->lr * (mhat / (sqrtf(vhat) + h->eps) + wd * w[i]);
	}
}

void llm_ref_adamw(const struct llm_model *m, const struct llm_adamw *h, uint64_t step,
		   float grad_scale, float *w, const float *grad, float *mom, float *var)
{
	for (uint32_t i = 0; i < m->n_tensors; i++) {
		struct llm_tensor t;

		llm_tensor_info(m, i, &t);
		llm_ref_adamw_tensor(t.n, h, t.decay ? h->weight_decay : 0, step, grad_scale,
				     w + t.offset, grad + t.offset, mom + t.offset,
				     var + t.offset);
	}
}

double llm_grad_norm(const struct llm_model *m, const float *grad)
{
	double ss = 0;

	for (size_t i = 0; i < m->n_params; i++)
		ss += (double)grad[i] * grad[i];
	return sqrt(ss);
}
