// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host test of the fuzzer's oracle (model.c): if the model of a VM's
 * mappings drifts from what uapi/drm/tessera_accel.h says VM_BIND does,
 * the fuzzer reports valid jobs as driver bugs, or misses real ones.
 * KTAP output; run by `make -C tests/fuzz check`.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

#define VA(mb)	(DATA_BASE + (uint64_t)(mb) * (1ull << 20))
#define K4	4096ull
#define M1	(1ull << 20)
#define RW	(DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE)

static int failures, tests;

static void ok(int good, const char *what)
{
	tests++;
	if (!good)
		failures++;
	printf("%sok %d %s\n", good ? "" : "not ", tests, what);
}

static struct drm_tessera_vm_bind_op map(uint32_t h, uint64_t off, uint64_t va, uint64_t size)
{
	return (struct drm_tessera_vm_bind_op){ .op = DRM_TESSERA_BIND_OP_MAP, .flags = RW,
						.handle = h, .bo_offset = off, .va = va, .size = size };
}

static struct drm_tessera_vm_bind_op unmap(uint64_t va, uint64_t size)
{
	return (struct drm_tessera_vm_bind_op){ .op = DRM_TESSERA_BIND_OP_UNMAP, .va = va,
						.size = size };
}

/* The mapping at @va is of handle @h at BO offset @off and ends at @end. */
static int at(const struct vm *v, uint64_t va, uint32_t h, uint64_t off, uint64_t end)
{
	const struct vmap *m = model_find(v, va);

	return m && m->owner != -2 && m->handle == h && m->bo_offset + (va - m->va) == off &&
	       m->va + m->size == end;
}

static uint64_t mapped_bytes(const struct vm *v)
{
	uint64_t sum = 0;

	for (int i = 0; i < v->nmaps; i++)
		sum += v->maps[i].owner == -2 ? 0 : v->maps[i].size;
	return sum;
}

static void apply(struct vm *v, struct drm_tessera_vm_bind_op op)
{
	struct ticket tk;

	bind_begin(v, true, &tk, &op, 1);
	bind_end(v, &tk, 0, &op, 1, -1, false);
}

int main(void)
{
	static struct vm v;
	struct drm_tessera_vm_bind_op a, b;
	struct ticket ta, tb;
	struct operand o;
	struct rng r;
	uint32_t seq;
	uint64_t hole;
	int n;

	printf("TAP version 13\n");

	/* A MAP in the middle of another splits it in three. */
	memset(&v, 0, sizeof(v));
	apply(&v, map(1, 0, VA(0), 2 * M1));
	apply(&v, map(2, 8 * K4, VA(1), K4));
	ok(v.nmaps == 3 && at(&v, VA(0), 1, 0, VA(1)) && at(&v, VA(1), 2, 8 * K4, VA(1) + K4) &&
	   at(&v, VA(1) + K4, 1, M1 + K4, VA(2)) && mapped_bytes(&v) == 2 * M1,
	   "a MAP inside another splits it, the tail keeps its BO offset");

	/* An UNMAP across the edges of two mappings trims both. */
	apply(&v, unmap(VA(1) - K4, 2 * K4 + K4));
	ok(at(&v, VA(0), 1, 0, VA(1) - K4) && !model_find(&v, VA(1) - K4) &&
	   !model_find(&v, VA(1)) && !model_find(&v, VA(1) + K4) &&
	   at(&v, VA(1) + 2 * K4, 1, M1 + 2 * K4, VA(2)) && mapped_bytes(&v) == 2 * M1 - 3 * K4,
	   "an UNMAP across two mappings trims one and removes the other");

	/* Unmapping nothing changes nothing. */
	n = v.nmaps;
	apply(&v, unmap(VA(100), M1));
	ok(v.nmaps == n && mapped_bytes(&v) == 2 * M1 - 3 * K4, "an UNMAP of nothing changes nothing");

	/* A MAP over everything replaces it with one mapping. */
	apply(&v, map(3, 4 * K4, VA(0), 4 * M1));
	ok(v.nmaps == 1 && at(&v, VA(0), 3, 4 * K4, VA(4)) && at(&v, VA(3), 3, 4 * K4 + 3 * M1, VA(4)),
	   "a MAP over several mappings replaces them all");
	ok(!v.uncertain, "nothing so far made the model unsure");

	/* Splitting with the table full: the model says it lost track. */
	memset(&v, 0, sizeof(v));
	for (int i = 0; i < MAX_VMAPS; i++)
		apply(&v, map(1, 0, VA(4 * i), 2 * M1));
	apply(&v, unmap(VA(0) + K4, K4));
	ok(v.uncertain, "a split with no room left marks the VM unsure");

	/* A hole is a page with nothing mapped. */
	memset(&v, 0, sizeof(v));
	apply(&v, map(1, 0, DATA_BASE, DATA_SLOTS * SZ_2M - SZ_2M));
	rng_init(&r, 42);
	hole = 0;
	for (int k = 0; k < 64 && !hole; k++)
		hole = model_hole(&r, &v);
	ok(hole >= DATA_BASE + DATA_SLOTS * SZ_2M - SZ_2M && hole < DATA_BASE + DATA_SLOTS * SZ_2M &&
	   !model_find(&v, hole), "model_hole() finds only unmapped pages");

	/* A job's operands and the binds around its submit. */
	memset(&v, 0, sizeof(v));
	apply(&v, map(1, 0, VA(0), M1));
	o = (struct operand){ .va = VA(0), .size = M1, .r = true, .w = true, .used = true };
	seq = v.map_seq;
	ok(!hist_raced(&v, &o, seq), "a bind done before the job chose its operands is no race");
	a = unmap(VA(0) + K4, K4);
	bind_begin(&v, true, &ta, &a, 1);
	ok(hist_raced(&v, &o, seq), "a bind in flight over an operand is a race");
	bind_end(&v, &ta, 0, &a, 1, -1, false);
	ok(hist_raced(&v, &o, seq), "a bind that ended after the choice is a race");
	ok(!hist_raced(&v, &o, v.map_seq), "... and no race for a job that chose after it");
	o.va = VA(2);
	ok(!hist_raced(&v, &o, seq), "a bind elsewhere is no race");
	seq = v.map_seq;
	for (int i = 0; i < VM_HIST + 1; i++) {
		b = unmap(VA(50), K4);
		bind_begin(&v, true, &tb, &b, 1);
		bind_end(&v, &tb, 0, &b, 1, -1, false);
	}
	ok(hist_raced(&v, &o, seq), "binds forgotten since the choice count as a race");

	/* Two binds in flight at once over one range: that range is unknown. */
	memset(&v, 0, sizeof(v));
	a = map(1, 0, VA(0), M1);
	b = unmap(VA(0), 2 * K4);
	bind_begin(&v, true, &ta, &a, 1);
	bind_begin(&v, true, &tb, &b, 1);
	bind_end(&v, &tb, 0, &b, 1, -1, false);
	bind_end(&v, &ta, 0, &a, 1, -1, false);
	ok(model_find(&v, VA(0)) && model_find(&v, VA(0))->owner == -2 &&
	   model_find(&v, VA(0) + M1 - K4) && model_find(&v, VA(0) + M1 - K4)->owner == -2 &&
	   mapped_bytes(&v) == 0, "binds that overlap in time leave their ranges unknown");

	/* An async bind stays in flight until seen done. */
	memset(&v, 0, sizeof(v));
	a = map(1, 0, VA(0), M1);
	bind_begin(&v, true, &ta, &a, 1);
	bind_end(&v, &ta, 0, &a, 1, -1, true);
	o = (struct operand){ .va = VA(0), .size = K4, .r = true, .w = true, .used = true };
	ok(v.binding == 1 && hist_raced(&v, &o, v.map_seq) && at(&v, VA(0), 1, 0, VA(1)),
	   "an async bind is modelled, and in flight, until seen done");
	bind_done(&v, &ta, 0, &a, 1);
	ok(v.binding == 0 && !hist_raced(&v, &o, v.map_seq) && at(&v, VA(0), 1, 0, VA(1)) &&
	   !v.uncertain, "... and settled once seen done");
	a = map(2, 0, VA(0), M1);
	bind_begin(&v, true, &ta, &a, 1);
	bind_end(&v, &ta, 0, &a, 1, -1, true);
	bind_done(&v, &ta, 1, &a, 1);
	ok(v.uncertain, "an async bind never seen done leaves the VM unsure");

	/* A failed bind changes nothing. */
	memset(&v, 0, sizeof(v));
	a = map(1, 0, VA(0), M1);
	bind_begin(&v, true, &ta, &a, 1);
	bind_end(&v, &ta, 22 /* EINVAL */, &a, 1, -1, false);
	ok(v.nmaps == 0 && !v.uncertain && v.binding == 0, "a bind refused with -EINVAL changes nothing");
	bind_begin(&v, true, &ta, &a, 1);
	bind_end(&v, &ta, 12 /* ENOMEM */, &a, 1, -1, false);
	ok(v.uncertain, "a bind failed part way (-ENOMEM) leaves the VM unsure");

	printf("1..%d\n# model_test: %d passed, %d failed\n", tests, tests - failures, failures);
	return failures != 0;
}
