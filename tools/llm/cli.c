// SPDX-License-Identifier: MIT
/*
 * Strict number parsing for command lines (cli.h).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"

int llm_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	for (const char *c = s; *c; c++)
		if (!isdigit((unsigned char)*c))
			return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x < min || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

int llm_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t x;
	int ret = llm_parse_u64(s, min, max, &x);

	if (!ret)
		*v = (uint32_t)x;
	return ret;
}

int llm_parse_double(const char *s, double min, double max, double *v)
{
	char *end;
	double x;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	x = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(x) || x < min || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

int llm_parse_float(const char *s, float min, float max, float *v)
{
	double x;
	int ret = llm_parse_double(s, min, max, &x);

	if (!ret)
		*v = (float)x;
	return ret;
}
