// SPDX-License-Identifier: MIT
/*
 * Host unit test of libaccel's VA allocator (libaccel/va.c, built in):
 * alignment (2 MiB for sizes of 2 MiB and more, so that binds there can
 * use 2 MiB pages), never address 0, exhaustion, reuse and merging of
 * freed ranges, rejected frees, and many threads allocating and freeing
 * at once without ever handing out one address twice.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "accel_priv.h"
#include "tap.h"


#define SZ_4K	4096ull
#define SZ_2M	(2ull << 20)
#define START	SZ_2M
#define END	(1ull << 47)

static void test_alignment(void)
{
	struct accel_va va;
	uint64_t a = 0, b = 0, c = 0, d = 0;
	int ret;

	TAP_OK(accel_va_init(&va, START, END) == 0, "init over [2 MiB, 128 TiB)");
	TAP_OK(accel_va_alloc(&va, 100, 0, &a) == 0 && a == START, "a small range at the start");
	TAP_OK(accel_va_alloc(&va, SZ_2M, 0, &b) == 0 && b % SZ_2M == 0 && b >= a + SZ_4K,
	      "2 MiB is 2 MiB-aligned");
	TAP_OK(accel_va_alloc(&va, 5 * SZ_2M + 4096, 0, &c) == 0 && c % SZ_2M == 0 &&
	      c >= b + SZ_2M, "larger sizes are 2 MiB-aligned too");
	TAP_OK(accel_va_alloc(&va, SZ_4K, 0, &d) == 0 && d == a + SZ_4K,
	      "small ranges fill the gap left by alignment");
	TAP_OK(accel_va_alloc(&va, SZ_4K, 1ull << 30, &d) == 0 && d % (1ull << 30) == 0,
	      "an explicit alignment");
	ret = accel_va_alloc(&va, SZ_4K, 3 * SZ_4K, &d);
	TAP_OK(ret == -EINVAL, "an alignment that is not a power of two is EINVAL");
	TAP_OK(accel_va_alloc(&va, 0, 0, &d) == -EINVAL, "size 0 is EINVAL");
	accel_va_fini(&va);

	TAP_OK(accel_va_init(&va, 0, 16 * SZ_4K) == 0 && accel_va_alloc(&va, 1, 0, &a) == 0 &&
	      a == SZ_4K, "address 0 is never handed out");
	accel_va_fini(&va);
}

static void test_exhaustion_and_reuse(void)
{
	uint64_t a[8], x;
	struct accel_va va;
	int i, ok = 1;

	accel_va_init(&va, SZ_4K, 9 * SZ_4K);
	for (i = 0; i < 8; i++)
		ok &= accel_va_alloc(&va, SZ_4K, 0, &a[i]) == 0 && a[i] == SZ_4K * (i + 1);
	TAP_OK(ok, "eight pages in order");
	TAP_OK(accel_va_alloc(&va, SZ_4K, 0, &x) == -ENOSPC, "a full space is ENOSPC");
	TAP_OK(accel_va_free_bytes(&va) == 0, "nothing free");
	TAP_OK(accel_va_free(&va, a[3], SZ_4K) == 0 && accel_va_free(&va, a[5], SZ_4K) == 0,
	      "free two pages with a hole between");
	TAP_OK(accel_va_alloc(&va, 2 * SZ_4K, 0, &x) == -ENOSPC,
	      "two non-adjacent free pages give no two-page range");
	TAP_OK(accel_va_free(&va, a[4], SZ_4K) == 0 && accel_va_free_bytes(&va) == 3 * SZ_4K,
	      "free the page between");
	TAP_OK(accel_va_alloc(&va, 3 * SZ_4K, 0, &x) == 0 && x == a[3],
	      "the three freed pages merged into one range");
	TAP_OK(accel_va_free(&va, x, 3 * SZ_4K) == 0, "and back");
	TAP_OK(accel_va_free(&va, a[4], SZ_4K) == -EINVAL, "a double free is EINVAL");
	TAP_OK(accel_va_free(&va, 20 * SZ_4K, SZ_4K) == -EINVAL, "a free outside the space");
	TAP_OK(accel_va_free(&va, a[0] + 8, SZ_4K) == -EINVAL, "an unaligned free");
	for (i = 0; i < 8; i++)
		if (i < 3 || i > 5)
			accel_va_free(&va, a[i], SZ_4K);
	TAP_OK(accel_va_free_bytes(&va) == 8 * SZ_4K && va.nfree == 1,
	      "everything free is one range again");
	accel_va_fini(&va);
}

#define THREADS 4
#define ROUNDS 4000
#define SLOTS 64

struct worker {
	struct accel_va *va;
	unsigned int seed;
	int bad;
	/* per-page owner map of the whole space: 0 free, else thread + 1 */
	unsigned char *owner;
	int id;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	uint64_t va[SLOTS] = { 0 }, size[SLOTS] = { 0 }, p;
	int i, s;

	for (i = 0; i < ROUNDS; i++) {
		s = rand_r(&w->seed) % SLOTS;
		if (va[s]) {
			for (p = va[s]; p < va[s] + size[s]; p += SZ_4K) {
				if (__atomic_load_n(&w->owner[p / SZ_4K], __ATOMIC_RELAXED) != w->id)
					w->bad++;
				__atomic_store_n(&w->owner[p / SZ_4K], 0, __ATOMIC_RELAXED);
			}
			if (accel_va_free(w->va, va[s], size[s]))
				w->bad++;
			va[s] = 0;
			continue;
		}
		size[s] = (rand_r(&w->seed) % 3 == 0 ? SZ_2M : 0) +
			  SZ_4K * (1 + rand_r(&w->seed) % 16);
		if (accel_va_alloc(w->va, size[s], 0, &va[s])) {
			va[s] = 0;
			continue;
		}
		if (size[s] >= SZ_2M && va[s] % SZ_2M)
			w->bad++;
		for (p = va[s]; p < va[s] + size[s]; p += SZ_4K)
			if (__atomic_exchange_n(&w->owner[p / SZ_4K], w->id, __ATOMIC_RELAXED))
				w->bad++;	/* someone else holds it */
	}
	for (s = 0; s < SLOTS; s++) {
		if (!va[s])
			continue;
		for (p = va[s]; p < va[s] + size[s]; p += SZ_4K)
			__atomic_store_n(&w->owner[p / SZ_4K], 0, __ATOMIC_RELAXED);
		if (accel_va_free(w->va, va[s], size[s]))
			w->bad++;
	}
	return NULL;
}

static void test_threads(void)
{
	const uint64_t end = 512 * SZ_2M;	/* small enough to run out now and then */
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct accel_va va;
	unsigned char *owner;
	int i, bad = 0;

	owner = calloc(end / SZ_4K, 1);
	accel_va_init(&va, SZ_2M, end);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .va = &va, .seed = 17 + i, .owner = owner, .id = i + 1 };
		pthread_create(&t[i], NULL, worker, &w[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		bad += w[i].bad;
	}
	TAP_OK(owner && bad == 0, "4 threads, 16000 allocs and frees: no address handed out twice");
	TAP_OK(accel_va_free_bytes(&va) == end - SZ_2M && va.nfree == 1,
	      "all freed at the end: one range");
	accel_va_fini(&va);
	free(owner);
}

int main(void)
{
	printf("TAP version 13\n");
	test_alignment();
	test_exhaustion_and_reuse();
	test_threads();
	return tap_lines_end("va");
}
