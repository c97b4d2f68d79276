/* SPDX-License-Identifier: MIT */
/*
 * A small deterministic random number generator (SplitMix64): the same
 * seed gives the same weights, batches and samples on every machine.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_RNG_H
#define TESSERA_LLM_RNG_H

#include <stdint.h>

struct llm_rng {
	uint64_t s;
};

static inline void llm_rng_seed(struct llm_rng *r, uint64_t seed)
{
	r->s = seed;
}

static inline uint64_t llm_rng_u64(struct llm_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1), 53 bits. */
static inline double llm_rng_uniform(struct llm_rng *r)
{
	return (double)(llm_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n), n > 0 (rejection: no modulo bias). */
static inline uint64_t llm_rng_below(struct llm_rng *r, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = llm_rng_u64(r);
	while (x >= lim);
	return x % n;
}

/* Standard normal (Box-Muller, one value per call). */
double llm_rng_normal(struct llm_rng *r);

#endif /* TESSERA_LLM_RNG_H */
