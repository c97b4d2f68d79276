// SPDX-License-Identifier: MIT
/*
 * The activations buffer of the reference model (acts.h).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdlib.h>
#include <string.h>

#include "acts.h"

struct llm_acts *llm_acts_new(const struct llm_model *m, uint32_t B, uint32_t T, bool f64)
{
	size_t N = (size_t)B * T, D = m->cfg.d_model, F = m->cfg.d_ff, off = 0;
	size_t H = m->cfg.n_heads;
	struct llm_acts *a;

	if (!B || !T || T > m->cfg.ctx || B > (1u << 20))
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->m = *m;
	a->B = B;
	a->T = T;
	a->N = N;
	a->f64 = f64;
#define TAKE(field, count) do { a->field = off; off += (count); } while (0)
	for (uint32_t l = 0; l < m->cfg.n_layers; l++) {
		TAKE(l[l].x, N * D);
		TAKE(l[l].rstd1, N);
		TAKE(l[l].h1, N * D);
		TAKE(l[l].q, N * D);
		TAKE(l[l].k, N * D);
		TAKE(l[l].v, N * D);
		TAKE(l[l].p, (size_t)B * H * T * T);
		TAKE(l[l].att, N * D);
		TAKE(l[l].xmid, N * D);
		TAKE(l[l].rstd2, N);
		TAKE(l[l].h2, N * D);
		TAKE(l[l].a, N * F);
		TAKE(l[l].b, N * F);
		TAKE(l[l].s, N * F);
	}
	TAKE(xf, N * D);
	TAKE(rstdf, N);
	TAKE(hf, N * D);
	TAKE(logits, N * m->cfg.vocab);
#undef TAKE
	a->n = off;
	a->buf = calloc(off, f64 ? sizeof(double) : sizeof(float));
	if (!a->buf) {
		free(a);
		return NULL;
	}
	return a;
}

void llm_acts_free(struct llm_acts *a)
{
	if (!a)
		return;
	free(a->buf);
	free(a);
}

size_t llm_acts_bytes(const struct llm_acts *a)
{
	return a->n * (a->f64 ? sizeof(double) : sizeof(float));
}

const float *llm_acts_logits(const struct llm_acts *a)
{
	return a->f64 ? NULL : (const float *)a->buf + a->logits;
}

const double *llm_acts_logits64(const struct llm_acts *a)
{
	return a->f64 ? (const double *)a->buf + a->logits : NULL;
}

bool llm_acts_match(const struct llm_acts *a, const struct llm_model *m, bool f64)
{
	return a && a->f64 == f64 && !memcmp(&a->m.cfg, &m->cfg, sizeof(m->cfg));
}
