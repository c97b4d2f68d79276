// SPDX-License-Identifier: MIT
/*
 * Normal deviates for weight initialisation (Box-Muller).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <math.h>

#include "rng.h"

double llm_rng_normal(struct llm_rng *r)
{
	/* u1 in (0, 1], so the log is finite */
	double u1 = 1.0 - llm_rng_uniform(r), u2 = llm_rng_uniform(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
