// SPDX-License-Identifier: MIT
/*
 * libaccel: the VA allocator, a sorted list of free ranges with first fit.
 *
 * Every VM has one.  Allocation reserves room in the free list for the
 * ranges later frees may add (one per live allocation), so that a free of
 * a whole allocation never needs memory; a free of part of one may, and
 * if that fails the part stays reserved (address space, never memory, is
 * lost).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdlib.h>

#include "accel_priv.h"

int accel_va_init(struct accel_va *va, uint64_t start, uint64_t end)
{
	/* 0 never holds a buffer (encoders take it for "no operand"). */
	if (start < ACCEL_PAGE_SIZE)
		start = ACCEL_PAGE_SIZE;
	start = (start + ACCEL_PAGE_SIZE - 1) & ~(ACCEL_PAGE_SIZE - 1);
	end &= ~(ACCEL_PAGE_SIZE - 1);
	if (end <= start)
		return -EINVAL;
	memset(va, 0, sizeof(*va));
	va->free = malloc(4 * sizeof(*va->free));
	if (!va->free)
		return -ENOMEM;
	if (pthread_mutex_init(&va->lock, NULL)) {
		free(va->free);
		return -ENOMEM;
	}
	va->cap = 4;
	va->start = start;
	va->end = end;
	va->free[0] = (struct accel_va_range){ start, end };
	va->nfree = 1;
	return 0;
}

void accel_va_fini(struct accel_va *va)
{
	pthread_mutex_destroy(&va->lock);
	free(va->free);
	va->free = NULL;
}

/* Room for @n free ranges; called with the lock held. */
static int accel_va_reserve(struct accel_va *va, size_t n)
{
	struct accel_va_range *r;
	size_t cap;

	if (n <= va->cap)
		return 0;
	cap = va->cap * 2 > n ? va->cap * 2 : n;
	r = realloc(va->free, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	va->free = r;
	va->cap = cap;
	return 0;
}

int accel_va_alloc(struct accel_va *va, uint64_t size, uint64_t align, uint64_t *out)
{
	size_t i;
	int ret;

	if (!size || size > UINT64_MAX - ACCEL_HUGE_PAGE_SIZE || (align & (align - 1)))
		return -EINVAL;
	size = (size + ACCEL_PAGE_SIZE - 1) & ~(ACCEL_PAGE_SIZE - 1);
	if (!align)
		align = size >= ACCEL_HUGE_PAGE_SIZE ? ACCEL_HUGE_PAGE_SIZE : ACCEL_PAGE_SIZE;
	if (align < ACCEL_PAGE_SIZE)
		align = ACCEL_PAGE_SIZE;

	pthread_mutex_lock(&va->lock);
	/* One more for a split now, one per live allocation for frees. */
	ret = accel_va_reserve(va, va->nalloc + 3);
	if (ret)
		goto out;
	ret = -ENOSPC;
	for (i = 0; i < va->nfree; i++) {
		struct accel_va_range *r = &va->free[i];
		uint64_t a = (r->start + align - 1) & ~(align - 1);

		if (a < r->start || a >= r->end || r->end - a < size)
			continue;
		if (a > r->start && a + size < r->end) {
			/* Split: [start, a) stays, [a + size, end) is new. */
			memmove(&va->free[i + 2], &va->free[i + 1],
				(va->nfree - i - 1) * sizeof(*r));
			va->free[i + 1] = (struct accel_va_range){ a + size, r->end };
			r->end = a;
			va->nfree++;
		} else if (a > r->start) {
			r->end = a;
		} else if (a + size < r->end) {
			r->start = a + size;
		} else {
			memmove(r, r + 1, (va->nfree - i - 1) * sizeof(*r));
			va->nfree--;
		}
		va->nalloc++;
		*out = a;
		ret = 0;
		break;
	}
out:
	pthread_mutex_unlock(&va->lock);
	return ret;
}

int accel_va_free(struct accel_va *va, uint64_t addr, uint64_t size)
{
	uint64_t end;
	size_t i;
	int ret = 0;

	size = (size + ACCEL_PAGE_SIZE - 1) & ~(ACCEL_PAGE_SIZE - 1);
	if (!size || (addr & (ACCEL_PAGE_SIZE - 1)) || addr > UINT64_MAX - size)
		return -EINVAL;
	end = addr + size;
	pthread_mutex_lock(&va->lock);
	if (addr < va->start || end > va->end) {
		ret = -EINVAL;
		goto out;
	}
	/* i: the first free range that ends after @addr. */
	for (i = 0; i < va->nfree && va->free[i].end <= addr; i++)
		;
	if (i < va->nfree && va->free[i].start < end) {
		ret = -EINVAL;	/* overlaps free space: not allocated */
		goto out;
	}
	if (i > 0 && va->free[i - 1].end == addr) {
		va->free[i - 1].end = end;
		if (i < va->nfree && va->free[i].start == end) {
			va->free[i - 1].end = va->free[i].end;
			memmove(&va->free[i], &va->free[i + 1],
				(va->nfree - i - 1) * sizeof(va->free[0]));
			va->nfree--;
		}
	} else if (i < va->nfree && va->free[i].start == end) {
		va->free[i].start = addr;
	} else {
		if (va->nfree == va->cap && accel_va_reserve(va, va->nfree + 1))
			goto out;	/* a partial free without memory: keep it reserved */
		memmove(&va->free[i + 1], &va->free[i], (va->nfree - i) * sizeof(va->free[0]));
		va->free[i] = (struct accel_va_range){ addr, end };
		va->nfree++;
	}
	if (va->nalloc)
		va->nalloc--;
out:
	pthread_mutex_unlock(&va->lock);
	return ret;
}

uint64_t accel_va_free_bytes(struct accel_va *va)
{
	uint64_t sum = 0;
	size_t i;

	pthread_mutex_lock(&va->lock);
	for (i = 0; i < va->nfree; i++)
		sum += va->free[i].end - va->free[i].start;
	pthread_mutex_unlock(&va->lock);
	return sum;
}
