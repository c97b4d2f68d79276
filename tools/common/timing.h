/* SPDX-License-Identifier: MIT */
/*
 * timing.h: the clock and the sort order the tools (accel-demo,
 * accel-bench) measure latencies with.  Header-only, static inline.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_TOOLS_TIMING_H
#define TESSERA_TOOLS_TIMING_H

#include <stdint.h>
#include <time.h>

/* now_ns() - CLOCK_MONOTONIC in nanoseconds, for differences only. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* cmp_u64() - qsort() comparator: uint64_t values in increasing order. */
static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

#endif /* TESSERA_TOOLS_TIMING_H */
