// SPDX-License-Identifier: GPL-2.0-only
/*
 * tessera-fuzz: the actions.  Each picks objects from its process's pools
 * (so most calls are valid and reach deep code), sometimes makes a call
 * hostile on purpose (bad or foreign handles, non-zero pads and flags,
 * huge counts, overflowing offsets, misaligned sizes, NULL and unmapped
 * pointers), and says what the uAPI promises for it: success, failure, or
 * either, always with one of the errnos documented for that ioctl.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "fuzz.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		4096ull
#define HOST_BUDGET	(32ull << 20)	/* per process, in pooled buffers */
#define DEV_BUDGET	(40ull << 20)
#define MAP_BUDGET	(32ull << 20)	/* per process, in CPU mappings */
#define RING_SIZE	(64 * 1024)	/* a thread's command buffer per file */
#define SCRATCH		4096		/* at its end: semaphores and data */
#define MAX_QUEUES_FILE	12
#define MAX_FILES_OPEN	4

static const int e_nomem[] = { ENOMEM, 0 };

static void lock(struct proc *p)
{
	pthread_mutex_lock(&p->lock);
}

static void unlock(struct proc *p)
{
	pthread_mutex_unlock(&p->lock);
}

static uint64_t page_align(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

static uint64_t abs_ns(double seconds)
{
	return now_ns() + (uint64_t)(seconds * 1e9);
}

/* ------------------------------------------------------------------ */
/* Files and pools */

static bool get_file(struct fz_thread *t, struct fref *fr)
{
	struct proc *p = t->p;
	int f;

	lock(p);
	f = file_pick(t);
	if (f >= 0) {
		fr->f = f;
		fr->gen = p->files[f].gen;
		fr->fd = p->files[f].fd;
		fr->card = p->files[f].card;
		fr->handle_seq = p->files[f].handle_seq;
	}
	unlock(p);
	return f >= 0;
}

static void put_file(struct fz_thread *t, const struct fref *fr)
{
	lock(t->p);
	file_put(t, fr->f);
	unlock(t->p);
}

/* The file is still the one @fr took, and nothing broke its pools. */
static bool file_sane(struct proc *p, const struct fref *fr)
{
	return file_current(p, fr->f, fr->gen) && !p->files[fr->f].chaos;
}

static void set_chaos(struct fz_thread *t, const struct fref *fr)
{
	lock(t->p);
	if (file_current(t->p, fr->f, fr->gen)) {
		t->p->files[fr->f].chaos = true;
		t->p->files[fr->f].tainted = true;
	}
	unlock(t->p);
}

/* EXP_OK on a file whose pools are sane, else EXP_ANY. */
static enum expect ok_if_sane(struct fz_thread *t, const struct fref *fr)
{
	enum expect e;

	lock(t->p);
	e = file_sane(t->p, fr) ? EXP_OK : EXP_ANY;
	unlock(t->p);
	return e;
}

static int xioctl(struct fz_thread *t, enum op op, const struct fref *fr, unsigned long req,
		  void *arg, unsigned int extra_ms)
{
	call_begin(t, op, fr, extra_ms);
	return call_end(t, ioctl(fr->fd, req, arg));
}

/* A pointer the kernel must refuse for an argument of @size bytes. */
static void *bad_ptr(struct fz_thread *t, size_t size)
{
	static const uintptr_t kernel[] = { 0, 1, 0xffff888000000000ull, (uintptr_t)-4096 };

	t->bad_ptr = true;
	switch (below(&t->rng, 4)) {
	case 0:
		return t->p->bad_page;
	case 1:
		if (size > 8)
			return t->p->edge;	/* readable start, unreadable rest */
		/* fall through */
	default:
		return (void *)kernel[below(&t->rng, ARRAY_SIZE(kernel))];
	}
}

static uint64_t bad_ptr_u64(struct fz_thread *t, size_t size)
{
	return (uint64_t)(uintptr_t)bad_ptr(t, size);
}

static int pick_bo(struct proc *p, struct rng *r, const struct fref *fr, bool need_va,
		   bool need_host)
{
	int idx[MAX_BOS], n = 0;

	for (int i = 0; i < MAX_BOS; i++) {
		const struct bo *b = &p->bos[i];

		if (b->live && b->file == fr->f && b->gen == fr->gen && (!need_va || b->va) &&
		    (!need_host || !(b->flags & DRM_TESSERA_BO_DEVICE_MEM)))
			idx[n++] = i;
	}
	return n ? idx[below(r, n)] : -1;
}

/* A buffer of another file (perhaps on another card). */
static int pick_bo_foreign(struct proc *p, struct rng *r, const struct fref *fr)
{
	int idx[MAX_BOS], n = 0;

	for (int i = 0; i < MAX_BOS; i++)
		if (p->bos[i].live && (p->bos[i].file != fr->f || p->bos[i].gen != fr->gen))
			idx[n++] = i;
	return n ? idx[below(r, n)] : -1;
}

static int add_bo(struct proc *p, const struct fref *fr, uint32_t handle, uint64_t size,
		  uint64_t va, uint32_t flags, bool imported)
{
	int i;

	if (!file_current(p, fr->f, fr->gen))
		return -1;
	for (i = 0; i < MAX_BOS; i++) {
		struct bo *b = &p->bos[i];

		/* A dma-buf imported twice into one file gives the same handle. */
		if (b->live && b->file == fr->f && b->gen == fr->gen && b->handle == handle)
			return i;
	}
	i = slot_free(p->bos, sizeof(p->bos[0]), MAX_BOS);
	if (i < 0)
		return -1;
	p->bos[i] = (struct bo){
		.live = true, .file = fr->f, .gen = fr->gen, .handle = handle, .flags = flags,
		.imported = imported, .serial = ++p->serial, .size = size, .va = va,
	};
	return i;
}

static uint64_t pool_bytes(struct proc *p, bool dev)
{
	uint64_t sum = 0;

	for (int i = 0; i < MAX_BOS; i++)
		if (p->bos[i].live && !p->bos[i].imported &&
		    !!(p->bos[i].flags & DRM_TESSERA_BO_DEVICE_MEM) == dev)
			sum += p->bos[i].size;
	return sum;
}

/* Remove from the pool the BO entries of @fr's file with @handle. */
static void forget_handle(struct proc *p, const struct fref *fr, uint32_t handle)
{
	p->files[fr->f].handle_seq++;
	for (int i = 0; i < MAX_BOS; i++)
		if (p->bos[i].live && p->bos[i].file == fr->f && p->bos[i].gen == fr->gen &&
		    p->bos[i].handle == handle)
			p->bos[i].live = false;
}

static int pick_sobj(struct proc *p, struct rng *r, const struct fref *fr)
{
	int idx[MAX_SOBJS], n = 0;

	for (int i = 0; i < MAX_SOBJS; i++)
		if (p->sobjs[i].live && p->sobjs[i].file == fr->f && p->sobjs[i].gen == fr->gen)
			idx[n++] = i;
	return n ? idx[below(r, n)] : -1;
}

/* The pooled syncobjs of @fr's file with these handles now have a fence. */
static void mark_fenced(struct proc *p, const struct fref *fr, const uint32_t *h, uint32_t n)
{
	lock(p);
	for (uint32_t k = 0; k < n; k++)
		for (int i = 0; i < MAX_SOBJS; i++)
			if (p->sobjs[i].live && p->sobjs[i].file == fr->f &&
			    p->sobjs[i].gen == fr->gen && p->sobjs[i].handle == h[k])
				p->sobjs[i].fenced = true;
	unlock(p);
}

static int add_sobj(struct proc *p, const struct fref *fr, uint32_t handle, bool fenced)
{
	int i;

	if (!file_current(p, fr->f, fr->gen))
		return -1;
	for (i = 0; i < MAX_SOBJS; i++)
		if (p->sobjs[i].live && p->sobjs[i].file == fr->f && p->sobjs[i].gen == fr->gen &&
		    p->sobjs[i].handle == handle)
			return i;
	i = slot_free(p->sobjs, sizeof(p->sobjs[0]), MAX_SOBJS);
	if (i < 0)
		return -1;
	p->sobjs[i] = (struct sobj){
		.live = true, .file = fr->f, .gen = fr->gen, .handle = handle, .fenced = fenced,
	};
	return i;
}

static int pick_queue(struct proc *p, struct rng *r, const struct fref *fr)
{
	int idx[MAX_QUEUES], n = 0;

	for (int i = 0; i < MAX_QUEUES; i++)
		if (p->queues[i].live && p->queues[i].file == fr->f && p->queues[i].gen == fr->gen)
			idx[n++] = i;
	return n ? idx[below(r, n)] : -1;
}

static void add_xfd(struct proc *p, int fd, enum xfd_kind kind, int card)
{
	int i;

	lock(p);
	i = slot_free(p->xfds, sizeof(p->xfds[0]), MAX_XFDS);
	if (i >= 0)
		p->xfds[i] = (struct xfd){ .live = true, .fd = fd, .kind = kind, .card = card };
	unlock(p);
	if (i < 0)
		close(fd);
}

/* An exported fd of @kind, held (users++) until put_xfd(); -1 if none. */
static int take_xfd(struct proc *p, struct rng *r, enum xfd_kind kind)
{
	int idx[MAX_XFDS], n = 0, i;

	lock(p);
	for (i = 0; i < MAX_XFDS; i++)
		if (p->xfds[i].live && p->xfds[i].kind == kind)
			idx[n++] = i;
	i = n ? idx[below(r, n)] : -1;
	if (i >= 0)
		p->xfds[i].users++;
	unlock(p);
	return i;
}

static void put_xfd(struct proc *p, int i, bool drop)
{
	int fd = -1;

	lock(p);
	p->xfds[i].users--;
	if (drop && !p->xfds[i].users) {
		fd = p->xfds[i].fd;
		p->xfds[i].live = false;
	}
	unlock(p);
	if (fd >= 0)
		close(fd);
}

/* ------------------------------------------------------------------ */
/* Hostile values */

static uint32_t hostile_u32(struct rng *r)
{
	static const uint32_t v[] = { 0, 1, 2, 0x7fffffff, 0x80000000u, 0xfffffffeu,
				      0xffffffffu, 0x10000, 1023, 1024, 1025, 64, 65 };

	return chance(r, 70) ? v[below(r, ARRAY_SIZE(v))] : (uint32_t)rnd(r);
}

static uint32_t random_handle(struct rng *r)
{
	return chance(r, 70) ? (uint32_t)range(r, 1, 80) : hostile_u32(r);
}

/* ------------------------------------------------------------------ */
/* GET_PARAM */

static void a_get_param(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct drm_tessera_get_param gp = { .param = below(r, 10) };
	const struct card *c;
	enum expect exp = EXP_OK;
	void *arg = &gp;
	struct fref fr;
	int err;

	if (!get_file(t, &fr))
		return;
	c = &cfg.cards[fr.card];
	switch (below(r, 10)) {
	case 0:
		gp.param = 10 + (uint32_t)below(r, 0xfffffff0u);
		exp = EXP_FAIL;
		break;
	case 1:
		gp.pad = (uint32_t)range(r, 1, 0xffffffffu);
		exp = EXP_FAIL;
		break;
	case 2:
		arg = bad_ptr(t, sizeof(gp));
		exp = EXP_FAIL;
		break;
	}
	describe(t, "GET_PARAM(file %d, param %u, pad %u%s)", fr.f, gp.param, gp.pad,
		 arg == &gp ? "" : ", bad pointer");
	err = xioctl(t, OP_GET_PARAM, &fr, DRM_IOCTL_TESSERA_GET_PARAM, arg, 0);
	expect(t, OP_GET_PARAM, err, exp, NULL);
	if (!err && arg == &gp && gp.param < 10 && gp.value != c->param[gp.param])
		finding(t, "GET_PARAM %u returned %#llx, %#llx at start", gp.param,
			(unsigned long long)gp.value, (unsigned long long)c->param[gp.param]);
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/* BO_CREATE, BO_INFO, GEM_CLOSE */

static uint64_t bo_size(struct rng *r)
{
	unsigned int w = below(r, 100);

	if (w < 25)
		return range(r, 1, 2 * PAGE);
	if (w < 60)
		return PAGE * range(r, 1, 16);
	if (w < 85)
		return PAGE * range(r, 16, 256);
	if (w < 95)
		return PAGE * range(r, 256, 1024);
	return (2ull << 20) * range(r, 1, 3) + (chance(r, 50) ? 0 : range(r, 1, PAGE));
}

/* Create a pooled buffer in @fr's file; returns its pool index or -1. */
static int bo_create(struct fz_thread *t, const struct fref *fr, uint64_t size, uint32_t flags)
{
	struct proc *p = t->p;
	struct drm_tessera_bo_create bc = { .size = size, .flags = flags };
	const struct card *c = &cfg.cards[fr->card];
	bool dev = flags & DRM_TESSERA_BO_DEVICE_MEM;
	int err, i = -1;

	describe(t, "BO_CREATE(file %d, size %#llx, flags %#x)", fr->f,
		 (unsigned long long)size, flags);
	err = xioctl(t, OP_BO_CREATE, fr, DRM_IOCTL_TESSERA_BO_CREATE, &bc, 0);
	if (dev && !c->devmem) {
		expect(t, OP_BO_CREATE, err, EXP_FAIL, NULL);
		return -1;
	}
	expect(t, OP_BO_CREATE, err, EXP_OK, e_nomem);
	if (err)
		return -1;
	if (bc.size != page_align(size) || !bc.handle || !bc.va || bc.va % PAGE ||
	    bc.va + bc.size > (1ull << 48) || (bc.size >= (2u << 20) && bc.va % (2u << 20)))
		finding(t, "BO_CREATE returned size %#llx handle %u va %#llx for size %#llx",
			(unsigned long long)bc.size, bc.handle, (unsigned long long)bc.va,
			(unsigned long long)size);
	lock(p);
	i = add_bo(p, fr, bc.handle, bc.size, bc.va, flags, false);
	unlock(p);
	if (i < 0) {
		struct drm_gem_close gc = { .handle = bc.handle };

		describe(t, "GEM_CLOSE(file %d, handle %u) of a buffer the pool has no room for",
			 fr->f, bc.handle);
		err = xioctl(t, OP_GEM_CLOSE, fr, DRM_IOCTL_GEM_CLOSE, &gc, 0);
		expect(t, OP_GEM_CLOSE, err, ok_if_sane(t, fr), NULL);
	}
	return i;
}

static void a_bo_create(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_bo_create bc = { 0 };
	const struct card *c;
	const int *only = NULL;
	static const int e_only_nomem[] = { ENOMEM, 0 };
	enum expect exp = EXP_FAIL;
	void *arg = &bc;
	struct fref fr;
	bool fits;
	int err;

	if (!get_file(t, &fr))
		return;
	c = &cfg.cards[fr.card];
	if (chance(r, 82)) {
		uint32_t flags = chance(r, 60) ? 0 : chance(r, 50) ? DRM_TESSERA_BO_WC :
			DRM_TESSERA_BO_DEVICE_MEM | (chance(r, 20) ? DRM_TESSERA_BO_WC : 0);
		uint64_t size = bo_size(r);

		lock(p);
		fits = pool_bytes(p, flags & DRM_TESSERA_BO_DEVICE_MEM) + size <=
			(flags & DRM_TESSERA_BO_DEVICE_MEM ? DEV_BUDGET : HOST_BUDGET);
		unlock(p);
		if (fits) {
			bo_create(t, &fr, size, flags);
			put_file(t, &fr);
			return;
		}
	}

	/* Hostile: every one of these must fail. */
	bc.size = range(r, 1, 65536);
	bc.flags = below(r, 4);
	switch (below(r, 7)) {
	case 0:
		bc.flags |= 1u << range(r, 2, 31);
		break;
	case 1:
		bc.size = 0;
		break;
	case 2: {
		static const uint64_t big[] = { (4ull << 30) + 1, (4ull << 30) + PAGE, 1ull << 40,
						1ull << 63, ~0ull, ~0ull - PAGE + 1 };

		bc.size = big[below(r, ARRAY_SIZE(big))];
		bc.flags &= ~DRM_TESSERA_BO_DEVICE_MEM;	/* host memory: never allocate it */
		break;
	}
	case 3:
	case 4:
		/* More device memory than the card has: -ENOMEM, as when it is full. */
		if (!c->devmem || c->devmem >= (4ull << 30)) {
			bc.size = 0;
			break;
		}
		bc.flags = DRM_TESSERA_BO_DEVICE_MEM;
		bc.size = chance(r, 30) ? 4ull << 30 : c->devmem + range(r, 1, (4ull << 30) - c->devmem);
		only = e_only_nomem;
		break;
	case 5:
		arg = bad_ptr(t, sizeof(bc));
		break;
	default:
		bc.flags = DRM_TESSERA_BO_DEVICE_MEM | (1u << range(r, 2, 31));
		break;
	}
	describe(t, "BO_CREATE(file %d, size %#llx, flags %#x%s)", fr.f,
		 (unsigned long long)bc.size, bc.flags, arg == &bc ? "" : ", bad pointer");
	err = xioctl(t, OP_BO_CREATE, &fr, DRM_IOCTL_TESSERA_BO_CREATE, arg, 0);
	if (only) {
		/* must fail, and only with the listed errnos */
		if (!err)
			expect(t, OP_BO_CREATE, err, EXP_FAIL, NULL);
		else
			expect(t, OP_BO_CREATE, err, EXP_OK, only);
	} else {
		expect(t, OP_BO_CREATE, err, exp, NULL);
	}
	if (!err && arg == &bc) {
		struct drm_gem_close gc = { .handle = bc.handle };

		describe(t, "GEM_CLOSE(file %d, handle %u) of a buffer that should not exist",
			 fr.f, bc.handle);
		err = xioctl(t, OP_GEM_CLOSE, &fr, DRM_IOCTL_GEM_CLOSE, &gc, 0);
		expect(t, OP_GEM_CLOSE, err, EXP_ANY, NULL);
	}
	put_file(t, &fr);
}

/* BO_INFO of pool entry @i (in @fr's file); fills in an imported one's VA. */
static int bo_info(struct fz_thread *t, const struct fref *fr, int i, struct drm_tessera_bo_info *bi)
{
	struct proc *p = t->p;
	struct bo b;
	enum expect exp;
	int err;

	lock(p);
	b = p->bos[i];
	exp = file_sane(p, fr) ? EXP_OK : EXP_ANY;
	unlock(p);
	memset(bi, 0, sizeof(*bi));
	bi->handle = b.handle;
	describe(t, "BO_INFO(file %d, handle %u)", fr->f, b.handle);
	err = xioctl(t, OP_BO_INFO, fr, DRM_IOCTL_TESSERA_BO_INFO, bi, 0);
	expect(t, OP_BO_INFO, err, exp, e_nomem);
	if (err)
		return err;
	lock(p);
	/* Checked only if nothing closed the handle meanwhile. */
	if (p->bos[i].live && p->bos[i].serial == b.serial && file_sane(p, fr)) {
		struct bo *pb = &p->bos[i];
		uint32_t want = pb->flags & DRM_TESSERA_BO_DEVICE_MEM ? DRM_TESSERA_BO_DEVICE_MEM :
				pb->flags & DRM_TESSERA_BO_WC ? DRM_TESSERA_BO_WC : 0;
		bool bad = bi->size != pb->size || (pb->va && bi->va != pb->va) || !bi->va ||
			   bi->mmap_offset % PAGE || !bi->mmap_offset ||
			   (!pb->imported && bi->flags != want) ||
			   (pb->mmap_offset && bi->mmap_offset != pb->mmap_offset);

		if (bad) {
			unlock(p);
			finding(t, "BO_INFO of handle %u: size %#llx va %#llx flags %#x offset %#llx; "
				"expected size %#llx va %#llx flags %#x", b.handle,
				(unsigned long long)bi->size, (unsigned long long)bi->va, bi->flags,
				(unsigned long long)bi->mmap_offset, (unsigned long long)pb->size,
				(unsigned long long)pb->va, want);
			return 0;
		}
		pb->va = bi->va;
		pb->mmap_offset = bi->mmap_offset;
		if (pb->imported)
			pb->flags = bi->flags;
	}
	unlock(p);
	return 0;
}

static void a_bo_info(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_bo_info bi = { 0 };
	enum expect exp = EXP_ANY;
	void *arg = &bi;
	struct fref fr;
	int i, err;

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_bo(p, r, &fr, false, false);
	unlock(p);
	if (i >= 0 && chance(r, 75)) {
		bo_info(t, &fr, i, &bi);
		put_file(t, &fr);
		return;
	}
	switch (below(r, 5)) {
	case 0:
		bi.handle = 0;
		exp = EXP_FAIL;
		break;
	case 1:
		bi.handle = 0x80000000u | (uint32_t)rnd(r);
		exp = EXP_FAIL;
		break;
	case 2:
		arg = bad_ptr(t, sizeof(bi));
		exp = EXP_FAIL;
		break;
	case 3:
		lock(p);
		i = pick_bo_foreign(p, r, &fr);
		bi.handle = i >= 0 ? p->bos[i].handle : random_handle(r);
		unlock(p);
		break;
	default:
		bi.handle = random_handle(r);
		break;
	}
	describe(t, "BO_INFO(file %d, handle %u%s)", fr.f, bi.handle,
		 arg == &bi ? "" : ", bad pointer");
	err = xioctl(t, OP_BO_INFO, &fr, DRM_IOCTL_TESSERA_BO_INFO, arg, 0);
	expect(t, OP_BO_INFO, err, exp, NULL);
	put_file(t, &fr);
}

static void a_gem_close(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_gem_close gc = { 0 };
	enum expect exp = EXP_ANY;
	struct fref fr;
	int i, err, kind = below(r, 100);

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_bo(p, r, &fr, false, false);
	if (i >= 0 && kind < 85) {
		/* Out of the pool first: no other thread starts using it. */
		gc.handle = p->bos[i].handle;
		p->bos[i].live = false;
		p->files[fr.f].handle_seq++;
		exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	} else if (kind < 92) {
		gc.handle = random_handle(r);
		if (gc.handle)
			forget_handle(p, &fr, gc.handle);
		if (file_current(p, fr.f, fr.gen))
			p->files[fr.f].chaos = p->files[fr.f].tainted = true;
		exp = gc.handle ? EXP_ANY : EXP_FAIL;
	} else {
		gc.handle = 0x80000000u | (uint32_t)rnd(r);
		exp = EXP_FAIL;
	}
	unlock(p);
	describe(t, "GEM_CLOSE(file %d, handle %u)", fr.f, gc.handle);
	err = xioctl(t, OP_GEM_CLOSE, &fr, DRM_IOCTL_GEM_CLOSE, &gc, 0);
	expect(t, OP_GEM_CLOSE, err, exp, NULL);
	if (!err && exp == EXP_OK && chance(r, 10)) {
		/* Closing it again must fail, unless another thread got the number. */
		set_chaos(t, &fr);
		describe(t, "GEM_CLOSE(file %d, handle %u) again", fr.f, gc.handle);
		err = xioctl(t, OP_GEM_CLOSE, &fr, DRM_IOCTL_GEM_CLOSE, &gc, 0);
		expect(t, OP_GEM_CLOSE, err, EXP_ANY, NULL);
	}
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/* mmap, touching the mapping, munmap */

static void add_map(struct proc *p, void *addr, size_t len, bool devmem, bool writable)
{
	int i;

	lock(p);
	i = slot_free(p->maps, sizeof(p->maps[0]), MAX_MAPS);
	if (i >= 0)
		p->maps[i] = (struct map){ .live = true, .addr = addr, .len = len,
					   .devmem = devmem, .writable = writable };
	unlock(p);
	if (i < 0)
		munmap(addr, len);
}

static void a_mmap(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_bo_info bi;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED, i, err;
	uint64_t off, len, size, pgoff = 0, mapped = 0;
	enum expect exp;
	struct fref fr;
	bool devmem;
	void *m;

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_bo(p, r, &fr, false, false);
	for (int k = 0; k < MAX_MAPS; k++)
		mapped += p->maps[k].live ? p->maps[k].len : 0;
	unlock(p);
	if (i < 0 || mapped > MAP_BUDGET || bo_info(t, &fr, i, &bi)) {
		put_file(t, &fr);
		return;
	}
	size = bi.size;
	off = bi.mmap_offset;
	len = size;
	devmem = bi.flags & DRM_TESSERA_BO_DEVICE_MEM;
	exp = ok_if_sane(t, &fr);
	switch (below(r, 20)) {
	case 0:
	case 1:
		prot = PROT_READ;
		break;
	case 2:
	case 3:
		len = PAGE * range(r, 1, size / PAGE);
		break;
	case 4:
		/* Starting inside the buffer: shmem allows it, device memory not. */
		pgoff = below(r, size / PAGE);
		len = PAGE * range(r, 1, size / PAGE - pgoff);
		exp = EXP_ANY;
		break;
	case 5:
		flags = MAP_PRIVATE;
		exp = EXP_ANY;
		break;
	case 6:
		len = size + PAGE * range(r, 1, 4);
		exp = EXP_FAIL;
		break;
	case 7:
		off = PAGE * below(r, 1ull << 32);
		exp = EXP_ANY;
		break;
	case 8:
		off += range(r, 1, PAGE - 1);
		exp = EXP_FAIL;
		break;
	}
	describe(t, "mmap(file %d, handle %u (%s), offset %#llx + %llu pages, len %#llx, prot %d, %s)",
		 fr.f, bi.handle, devmem ? "device memory" : bi.flags ? "wc" : "cached",
		 (unsigned long long)off, (unsigned long long)pgoff,
		 (unsigned long long)len, prot, flags == MAP_SHARED ? "shared" : "private");
	call_begin(t, OP_MMAP, &fr, 0);
	m = mmap(NULL, len, prot, flags, fr.fd, off + pgoff * PAGE);
	err = call_end(t, m == MAP_FAILED ? -1 : 0);
	expect(t, OP_MMAP, err, exp, e_nomem);
	if (!err) {
		if (exp == EXP_FAIL || len > size - pgoff * PAGE)
			munmap(m, len);	/* never touch what it should not have mapped */
		else
			add_map(p, m, len, devmem, prot & PROT_WRITE);
	}
	put_file(t, &fr);
}

static void a_touch(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	int idx[MAX_MAPS], n = 0, i;
	struct map m;

	lock(p);
	for (i = 0; i < MAX_MAPS; i++)
		if (p->maps[i].live)
			idx[n++] = i;
	i = n ? idx[below(r, n)] : -1;
	if (i >= 0) {
		p->maps[i].users++;
		m = p->maps[i];
	}
	unlock(p);
	if (i < 0)
		return;
	describe(t, "touch(%p, %zu bytes%s%s)", (void *)m.addr, m.len, m.devmem ? ", device" : "",
		 m.writable ? "" : ", read-only");
	for (int k = 0, nk = m.devmem ? 2 : range(r, 1, 8); k < nk; k++) {
		volatile uint32_t *w = (volatile uint32_t *)(m.addr + 4 * below(r, m.len / 4));

		if (m.writable && chance(r, 60))
			*w = (uint32_t)rnd(r);
		else
			(void)*w;
	}
	lock(p);
	p->maps[i].users--;
	unlock(p);
}

static void a_munmap(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	int idx[MAX_MAPS], n = 0, i, err, kind = below(r, 100);
	struct map m;

	lock(p);
	for (i = 0; i < MAX_MAPS; i++)
		if (p->maps[i].live && !p->maps[i].users)
			idx[n++] = i;
	i = n ? idx[below(r, n)] : -1;
	if (i >= 0) {
		m = p->maps[i];
		if (kind < 95)
			p->maps[i].live = false;
	}
	unlock(p);
	if (i < 0)
		return;
	if (kind >= 95) {
		describe(t, "munmap(%p + 1, %zu): unaligned", (void *)m.addr, m.len);
		call_begin(t, OP_MUNMAP, NULL, 0);
		err = call_end(t, munmap(m.addr + 1, m.len));
		expect(t, OP_MUNMAP, err, EXP_FAIL, NULL);
		return;
	}
	if (kind < 20 && m.len >= 3 * PAGE) {
		/* A hole in the middle splits the mapping in two. */
		size_t hole = PAGE * range(r, 1, m.len / PAGE - 2);

		describe(t, "munmap(%p + %#zx, one page): split", (void *)m.addr, hole);
		call_begin(t, OP_MUNMAP, NULL, 0);
		err = call_end(t, munmap(m.addr + hole, PAGE));
		expect(t, OP_MUNMAP, err, EXP_OK, NULL);
		add_map(p, m.addr, hole, m.devmem, m.writable);
		add_map(p, m.addr + hole + PAGE, m.len - hole - PAGE, m.devmem, m.writable);
		return;
	}
	describe(t, "munmap(%p, %zu)", (void *)m.addr, m.len);
	call_begin(t, OP_MUNMAP, NULL, 0);
	err = call_end(t, munmap(m.addr, m.len));
	expect(t, OP_MUNMAP, err, EXP_OK, NULL);
}

/* ------------------------------------------------------------------ */
/* Queues */

static void a_queue_create(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_queue_create qc = { 0 };
	const struct card *c;
	enum expect exp = EXP_FAIL;
	const int *extra = NULL;
	static const int e_acces[] = { EACCES, 0 };
	void *arg = &qc;
	struct fref fr;
	bool room;
	int err, i;

	if (!get_file(t, &fr))
		return;
	c = &cfg.cards[fr.card];
	lock(p);
	room = p->files[fr.f].nqueues < MAX_QUEUES_FILE;
	unlock(p);
	qc.engine_class = below(r, 2);
	qc.priority = below(r, 3);
	if (room && chance(r, 80)) {
		bool have = qc.engine_class ? c->num_dma : c->num_compute;

		if (!have)
			exp = EXP_FAIL;
		else if (qc.priority == DRM_TESSERA_QUEUE_PRIORITY_HIGH && geteuid())
			exp = EXP_OK, extra = e_acces;
		else
			exp = EXP_OK, extra = e_nomem;
	} else {
		switch (below(r, 4)) {
		case 0:
			qc.flags = (uint32_t)range(r, 1, 0xffffffff);
			break;
		case 1:
			qc.priority = 3 + (uint32_t)below(r, 0xfffffff0u);
			break;
		case 2:
			qc.engine_class = 2 + (uint32_t)below(r, 0xfffffff0u);
			break;
		default:
			arg = bad_ptr(t, sizeof(qc));
			break;
		}
	}
	describe(t, "QUEUE_CREATE(file %d, class %u, priority %u, flags %#x%s)", fr.f,
		 qc.engine_class, qc.priority, qc.flags, arg == &qc ? "" : ", bad pointer");
	err = xioctl(t, OP_QUEUE_CREATE, &fr, DRM_IOCTL_TESSERA_QUEUE_CREATE, arg, 0);
	expect(t, OP_QUEUE_CREATE, err, exp, extra);
	if (!err && arg == &qc) {
		if (!qc.queue_id)
			finding(t, "QUEUE_CREATE returned queue id 0");
		lock(p);
		i = slot_free(p->queues, sizeof(p->queues[0]), MAX_QUEUES);
		if (file_current(p, fr.f, fr.gen)) {
			p->files[fr.f].nqueues++;
			if (i >= 0)
				p->queues[i] = (struct queue){ .live = true, .file = fr.f, .gen = fr.gen,
							       .id = qc.queue_id,
							       .engine_class = qc.engine_class,
							       .serial = ++p->serial };
		}
		unlock(p);
	}
	put_file(t, &fr);
}

static void a_queue_destroy(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_queue_destroy qd = { 0 };
	enum expect exp = EXP_ANY;
	void *arg = &qd;
	struct fref fr;
	int i, err, kind = below(r, 100);

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_queue(p, r, &fr);
	if (i >= 0 && kind < 75) {
		qd.queue_id = p->queues[i].id;
		p->queues[i].live = false;
		p->files[fr.f].handle_seq++;
		p->files[fr.f].nqueues--;
		exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	} else if (kind < 82) {
		qd.queue_id = 0;
		exp = EXP_FAIL;
	} else if (kind < 88) {
		qd.queue_id = i >= 0 ? p->queues[i].id : 1;
		qd.pad = (uint32_t)range(r, 1, 0xffffffff);
		exp = EXP_FAIL;
	} else if (kind < 94) {
		qd.queue_id = random_handle(r);
		p->files[fr.f].chaos = p->files[fr.f].tainted = true;
		p->files[fr.f].handle_seq++;
		for (int q = 0; q < MAX_QUEUES; q++)
			if (p->queues[q].live && p->queues[q].file == fr.f &&
			    p->queues[q].id == qd.queue_id)
				p->queues[q].live = false;
	} else {
		arg = bad_ptr(t, sizeof(qd));
		exp = EXP_FAIL;
	}
	unlock(p);
	describe(t, "QUEUE_DESTROY(file %d, queue %u, pad %u%s)", fr.f, qd.queue_id, qd.pad,
		 arg == &qd ? "" : ", bad pointer");
	err = xioctl(t, OP_QUEUE_DESTROY, &fr, DRM_IOCTL_TESSERA_QUEUE_DESTROY, arg, 0);
	expect(t, OP_QUEUE_DESTROY, err, exp, NULL);
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/* CONTEXT_STATUS */

static void a_context_status(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_context_status cs = { 0 };
	const struct card *c;
	enum expect exp = EXP_OK;
	void *arg = &cs;
	struct fref fr;
	int err;

	if (!get_file(t, &fr))
		return;
	c = &cfg.cards[fr.card];
	switch (below(r, 12)) {
	case 0:
		cs.pad = (uint32_t)range(r, 1, 0xffffffff);
		exp = EXP_FAIL;
		break;
	case 1:
		arg = bad_ptr(t, sizeof(cs));
		exp = EXP_FAIL;
		break;
	}
	describe(t, "CONTEXT_STATUS(file %d, pad %u%s)", fr.f, cs.pad,
		 arg == &cs ? "" : ", bad pointer");
	err = xioctl(t, OP_CONTEXT_STATUS, &fr, DRM_IOCTL_TESSERA_CONTEXT_STATUS, arg, 0);
	expect(t, OP_CONTEXT_STATUS, err, exp, NULL);
	if (err || arg != &cs) {
		put_file(t, &fr);
		return;
	}
	/* Guilty: it faulted, or was banned for hangs (banned is guilty too). */
	if (!!(cs.flags & DRM_TESSERA_CONTEXT_GUILTY) !=
	    (cs.fault_count || (cs.flags & DRM_TESSERA_CONTEXT_BANNED)) ||
	    (cs.flags & ~(DRM_TESSERA_CONTEXT_GUILTY | DRM_TESSERA_CONTEXT_BANNED)) ||
	    /* code 0: the driver lost the syndrome to an overflow */
	    (cs.fault_count && (cs.fault_code > 10 || cs.fault_access > 2 ||
				cs.fault_engine >= c->num_engines)))
		finding(t, "CONTEXT_STATUS: flags %#x faults %u code %u access %u va %#llx engine %u",
			cs.flags, cs.fault_count, cs.fault_code, cs.fault_access,
			(unsigned long long)cs.fault_va, cs.fault_engine);
	lock(p);
	if ((cs.flags & DRM_TESSERA_CONTEXT_GUILTY) && file_current(p, fr.f, fr.gen)) {
		struct dfile *df = &p->files[fr.f];
		bool clean = !df->tainted && !df->in_progress;

		df->guilty = true;
		unlock(p);
		if (clean)
			finding(t, "context guilty%s (code %u, %s at va %#llx, engine %u) though "
				"every job of the file was valid",
				cs.flags & DRM_TESSERA_CONTEXT_BANNED ? " and banned" : "", cs.fault_code,
				cs.fault_access == 2 ? "fetch" : cs.fault_access ? "write" : "read",
				(unsigned long long)cs.fault_va, cs.fault_engine);
	} else {
		unlock(p);
	}
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/* Submit */

/* Status of a signalled fence, as FENCE_WAIT reports it: 0 or the job's -errno. */
/*
 * Documentation/uapi.rst: -EFAULT/-EIO a fault, -ECANCELED a guilty or
 * banned context (or a card reset), -ETIMEDOUT a hang, -ENODEV the card
 * went away, -ESRCH a job still waiting for a dependency when its queue
 * (or file) went away.
 */
static bool status_ok(int status)
{
	return status == 0 || status == -EFAULT || status == -EIO || status == -ECANCELED ||
	       status == -ETIMEDOUT || status == -ENODEV || status == -ESRCH;
}

static void count_status(int status)
{
	static const int slot[] = { 0, -EFAULT, -EIO, -ECANCELED, -ETIMEDOUT, -ENODEV, -ESRCH };

	for (size_t i = 0; i < ARRAY_SIZE(slot); i++)
		if (slot[i] == status) {
			atomic_fetch_add(&shm->job_status[i], 1);
			return;
		}
	atomic_fetch_add(&shm->job_status[7], 1);
}

static void ring_release(struct cmdring *c)
{
	if (c->cpu)
		munmap(c->cpu, c->size);
	memset(c, 0, sizeof(*c));
}

/* This thread's command buffer in @fr's file, made on first use. */
static struct cmdring *ring_get(struct fz_thread *t, const struct fref *fr)
{
	struct rng *r = &t->rng;
	struct cmdring *c = &t->cmd[fr->f];
	const struct card *card = &cfg.cards[fr->card];
	struct drm_tessera_bo_create bc = { .size = RING_SIZE };
	struct drm_tessera_bo_info bi = { 0 };
	void *m;
	int err;

	if (c->cpu && c->gen == fr->gen)
		return c;
	ring_release(c);
	if (card->devmem && chance(r, 15))
		bc.flags = DRM_TESSERA_BO_DEVICE_MEM;
	else if (chance(r, 15))
		bc.flags = DRM_TESSERA_BO_WC;
	describe(t, "BO_CREATE(file %d, size %#x, flags %#x): command buffer", fr->f, RING_SIZE,
		 bc.flags);
	err = xioctl(t, OP_BO_CREATE, fr, DRM_IOCTL_TESSERA_BO_CREATE, &bc, 0);
	if (!expect(t, OP_BO_CREATE, err, EXP_OK, e_nomem) || err)
		return NULL;
	bi.handle = bc.handle;
	describe(t, "BO_INFO(file %d, handle %u): command buffer", fr->f, bc.handle);
	err = xioctl(t, OP_BO_INFO, fr, DRM_IOCTL_TESSERA_BO_INFO, &bi, 0);
	expect(t, OP_BO_INFO, err, ok_if_sane(t, fr), e_nomem);
	if (err)
		return NULL;
	describe(t, "mmap(file %d, handle %u): command buffer", fr->f, bc.handle);
	call_begin(t, OP_MMAP, fr, 0);
	m = mmap(NULL, RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fr->fd, bi.mmap_offset);
	err = call_end(t, m == MAP_FAILED ? -1 : 0);
	expect(t, OP_MMAP, err, ok_if_sane(t, fr), e_nomem);
	if (err)
		return NULL;
	c->cpu = m;
	c->size = RING_SIZE;
	c->file = fr->f;
	c->gen = fr->gen;
	c->handle = bc.handle;
	c->va = bc.va;
	c->devmem = bc.flags & DRM_TESSERA_BO_DEVICE_MEM;
	describe(t, "SYNCOBJ_CREATE(file %d): the thread's own", fr->f);
	call_begin(t, OP_SYNCOBJ_CREATE, fr, 0);
	err = call_end(t, drmSyncobjCreate(fr->fd, 0, &c->sync));
	expect(t, OP_SYNCOBJ_CREATE, err, ok_if_sane(t, fr), e_nomem);
	if (err) {
		ring_release(c);
		return NULL;
	}
	return c;
}

/* A full command buffer is closed (waiting for its jobs) and replaced. */
static void ring_retire(struct fz_thread *t, const struct fref *fr, struct cmdring *c)
{
	struct drm_gem_close gc = { .handle = c->handle };
	uint32_t sync = c->sync;
	int err;

	ring_release(c);
	describe(t, "GEM_CLOSE(file %d, handle %u): a full command buffer, jobs may run",
		 fr->f, gc.handle);
	err = xioctl(t, OP_GEM_CLOSE, fr, DRM_IOCTL_GEM_CLOSE, &gc, 0);
	expect(t, OP_GEM_CLOSE, err, ok_if_sane(t, fr), NULL);
	describe(t, "SYNCOBJ_DESTROY(file %d, %u): the thread's own", fr->f, sync);
	call_begin(t, OP_SYNCOBJ_DESTROY, fr, 0);
	err = call_end(t, drmSyncobjDestroy(fr->fd, sync));
	expect(t, OP_SYNCOBJ_DESTROY, err, ok_if_sane(t, fr), NULL);
}

/* Check that seqnos of one queue grow, as this thread sees them. */
static void check_seqno(struct fz_thread *t, const struct fref *fr, uint64_t queue,
			uint32_t engine, uint64_t seqno)
{
	struct seqkey *k, *free_k = NULL;

	for (k = t->seq; k < t->seq + ARRAY_SIZE(t->seq); k++) {
		if (!k->used) {
			free_k = free_k ? free_k : k;
			continue;
		}
		if (k->f == fr->f && k->gen == fr->gen && k->queue == queue && k->engine == engine) {
			if (seqno <= k->last)
				finding(t, "SUBMIT seqno %llu after %llu on the same queue (%s)",
					(unsigned long long)seqno, (unsigned long long)k->last,
					queue ? "a created queue" : "a default queue");
			k->last = seqno;
			return;
		}
	}
	k = free_k ? free_k : &t->seq[below(&t->rng, ARRAY_SIZE(t->seq))];
	*k = (struct seqkey){ .used = true, .f = fr->f, .gen = fr->gen, .queue = queue,
			      .engine = engine, .last = seqno };
}

/*
 * Make the submit's arguments bad in one way.  Returns EXP_FAIL when the
 * uAPI says it must then fail, EXP_ANY when it may still be valid.
 */
static enum expect corrupt_submit(struct fz_thread *t, struct drm_tessera_submit *sb,
				  struct drm_tessera_sync *syncs, struct drm_tessera_bo_ref *refs,
				  const struct card *c, char *what, size_t wlen)
{
	struct rng *r = &t->rng;

	switch (below(r, 24)) {
	case 0:
		sb->flags = (uint32_t)range(r, 1, 0xffffffff);
		snprintf(what, wlen, "flags");
		return EXP_FAIL;
	case 1:
		sb->pad = (uint32_t)range(r, 1, 0xffffffff);
		snprintf(what, wlen, "pad");
		return EXP_FAIL;
	case 2:
		sb->queue_id = 0;
		sb->engine = c->num_engines + (uint32_t)below(r, 0xffffff00u);
		snprintf(what, wlen, "engine");
		return EXP_FAIL;
	case 3:
		if (!sb->queue_id)
			sb->queue_id = random_handle(r);
		sb->queue_id |= !sb->queue_id;
		sb->engine = (uint32_t)range(r, 1, c->num_engines);
		snprintf(what, wlen, "engine with a queue");
		return EXP_FAIL;
	case 4:
		sb->engine = 0;
		sb->queue_id = random_handle(r);
		snprintf(what, wlen, "queue");
		return EXP_ANY;
	case 5:
		sb->cmd_size = 0;
		snprintf(what, wlen, "size 0");
		return EXP_FAIL;
	case 6:
		sb->cmd_size |= range(r, 1, 3);
		snprintf(what, wlen, "size unaligned");
		return EXP_FAIL;
	case 7:
		sb->cmd_size = chance(r, 50) ? (uint32_t)c->cmd_size_max + 4 : 0xfffffffcu;
		snprintf(what, wlen, "size too big");
		return EXP_FAIL;
	case 8:
		sb->cmd_offset |= range(r, 1, 3);
		snprintf(what, wlen, "offset unaligned");
		return EXP_FAIL;
	case 9:
		sb->cmd_offset = chance(r, 50) ? ~0ull - 3 : RING_SIZE - sb->cmd_size + 4 * range(r, 1, 64);
		snprintf(what, wlen, "offset out of the buffer");
		return EXP_FAIL;
	case 10:
		sb->cmd_offset += 4 * range(r, 0, sb->cmd_size / 4);
		snprintf(what, wlen, "range into the commands");
		return EXP_ANY;
	case 11:
		sb->num_syncs = DRM_TESSERA_MAX_SYNCS + 1 + (uint32_t)below(r, 0xffffff00u);
		snprintf(what, wlen, "too many syncs");
		return EXP_FAIL;
	case 12:
		sb->num_syncs = range(r, 1, 64);
		sb->syncs = bad_ptr_u64(t, sb->num_syncs * sizeof(*syncs));
		snprintf(what, wlen, "syncs pointer");
		return EXP_FAIL;
	case 13: {
		static const uint32_t bad[] = {
			0, DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_SIGNAL,
			DRM_TESSERA_SYNC_SIGNAL | DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT,
			DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT, 0x8, 0x80000001u,
		};

		if (!sb->num_syncs)
			sb->num_syncs = 1;
		syncs[below(r, sb->num_syncs)].flags = bad[below(r, ARRAY_SIZE(bad))];
		snprintf(what, wlen, "sync flags");
		return EXP_FAIL;
	}
	case 14:
		if (!sb->num_syncs)
			sb->num_syncs = 1;
		syncs[below(r, sb->num_syncs)].handle = random_handle(r);
		snprintf(what, wlen, "sync handle");
		return EXP_ANY;
	case 15:
		sb->num_bos = DRM_TESSERA_MAX_BO_REFS + 1 + (uint32_t)below(r, 0xffff0000u);
		snprintf(what, wlen, "too many buffers");
		return EXP_FAIL;
	case 16:
		sb->num_bos = range(r, 1, 1024);
		sb->bos = bad_ptr_u64(t, sb->num_bos * sizeof(*refs));
		snprintf(what, wlen, "bos pointer");
		return EXP_FAIL;
	case 17:
		if (!sb->num_bos) {
			refs[0].handle = sb->cmd_handle;
			sb->num_bos = 1;
		}
		refs[below(r, sb->num_bos)].flags |= 1u << range(r, 1, 31);
		snprintf(what, wlen, "bo flags");
		return EXP_FAIL;
	case 18:
		if (!sb->num_bos) {
			refs[0].handle = sb->cmd_handle;
			sb->num_bos = 1;
		}
		refs[sb->num_bos] = refs[below(r, sb->num_bos)];
		sb->num_bos++;
		snprintf(what, wlen, "buffer listed twice");
		return EXP_FAIL;
	case 19:
		if (!sb->num_bos)
			sb->num_bos = 1;
		refs[below(r, sb->num_bos)].handle = random_handle(r);
		snprintf(what, wlen, "bo handle");
		return EXP_ANY;
	case 20:
		sb->cmd_handle = chance(r, 30) ? 0 : random_handle(r);
		snprintf(what, wlen, "command handle");
		return sb->cmd_handle ? EXP_ANY : EXP_FAIL;
	case 21:
		sb->in_syncobj = random_handle(r);
		snprintf(what, wlen, "in_syncobj");
		return EXP_ANY;
	case 22:
		sb->out_syncobj = random_handle(r);
		snprintf(what, wlen, "out_syncobj");
		return EXP_ANY;
	default:
		sb->num_bos = range(r, 1, 1024);
		for (uint32_t i = 0; i < sb->num_bos; i++)
			refs[i] = (struct drm_tessera_bo_ref){ .handle = random_handle(r),
							      .flags = below(r, 2) };
		snprintf(what, wlen, "many random buffers");
		return EXP_ANY;
	}
}

static void submit(struct fz_thread *t, bool hang)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	static _Thread_local uint32_t dw[16384];
	static _Thread_local struct drm_tessera_bo_ref refs[DRM_TESSERA_MAX_BO_REFS + 2];
	struct drm_tessera_sync syncs[DRM_TESSERA_MAX_SYNCS + 2];
	struct drm_tessera_submit sb = { 0 };
	struct stream s = { .dw = dw, .max = 1024 };
	const struct card *c;
	struct cmdring *ring;
	bool hostile, unlisted, bad_args, strict, longnop;
	unsigned int wfs = 0;
	uint32_t nsync = 0, nref = 0, bytes, qclass = 0;
	uint64_t qserial = 0;
	bool chaos;
	enum expect exp = EXP_ANY;
	char what[48] = "";
	struct fref fr;
	int err, qi;

	if (!get_file(t, &fr))
		return;
	c = &cfg.cards[fr.card];
	ring = ring_get(t, &fr);
	if (!ring)
		goto out;
	if (ring->off + 4 * s.max > ring->size - SCRATCH) {
		ring_retire(t, &fr, ring);
		ring = ring_get(t, &fr);
		if (!ring)
			goto out;
	}
	hostile = !hang && chance(r, 10);
	unlisted = !hang && chance(r, 6);
	bad_args = !hang && chance(r, 8);
	longnop = !hostile && !hang && chance(r, 3) && ring->off == 0;

	lock(p);
	qi = chance(r, 40) ? pick_queue(p, r, &fr) : -1;
	if (qi >= 0) {
		sb.queue_id = p->queues[qi].id;
		qclass = p->queues[qi].engine_class;
		qserial = p->queues[qi].serial;
	}
	/* Operands: the scratch area of the command buffer, and pooled buffers. */
	s.ops[0] = (struct operand){ .va = ring->va + ring->size - SCRATCH + 256,
				     .size = SCRATCH - 256, .bo = -1 };
	s.nops = 1;
	for (int k = range(r, 0, MAX_OPERANDS - 1); k > 0; k--) {
		int i = pick_bo(p, r, &fr, true, false);

		if (i < 0)
			break;
		s.ops[s.nops++] = (struct operand){ .va = p->bos[i].va, .size = p->bos[i].size,
						    .bo = i, .serial = p->bos[i].serial,
						    .handle = p->bos[i].handle };
	}
	for (int k = 0; k < 2; k++) {
		int i = pick_bo_foreign(p, r, &fr);

		if (i >= 0 && p->bos[i].va)
			s.foreign_va[s.nforeign++] = p->bos[i].va + 4 * below(r, p->bos[i].size / 4);
	}
	if (file_current(p, fr.f, fr.gen)) {
		p->files[fr.f].in_progress++;
		if (hostile || unlisted || bad_args || hang)
			p->files[fr.f].tainted = true;
	}
	unlock(p);

	if (!sb.queue_id)
		sb.engine = below(r, c->num_engines);
	s.compute = sb.queue_id ? qclass == DRM_TESSERA_ENGINE_CLASS_COMPUTE :
				  sb.engine < c->num_compute;
	s.hostile = hostile;
	s.hang = hang;
	s.sem_va = ring->va + ring->size - SCRATCH;
	s.sem_seq = &t->sem_seq;
	if (longnop) {
		/* One NOP as long as the buffer allows: a big fetch. */
		uint32_t n = (uint32_t)range(r, 16, (ring->size - SCRATCH) / 4);

		n = n > 0xffff ? 0xffff : n;
		dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, n);
		for (uint32_t i = 1; i < n; i++)
			dw[i] = (uint32_t)rnd(r);
		s.ndw = n;
		snprintf(s.summary, sizeof(s.summary), "NOP*%u", n);
	} else {
		gen_stream(r, &s);
	}
	bytes = 4 * s.ndw;
	memcpy((uint8_t *)ring->cpu + ring->off, dw, bytes);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* write-combined mappings too */
	sb.cmd_handle = ring->handle;
	sb.cmd_offset = ring->off;
	sb.cmd_size = bytes;
	ring->off = (ring->off + bytes + 63) & ~63ull;

	/* Syncs: the thread's own syncobj, and pooled ones to wait on or signal. */
	syncs[nsync++] = (struct drm_tessera_sync){ .handle = ring->sync,
						    .flags = DRM_TESSERA_SYNC_SIGNAL };
	lock(p);
	for (int k = range(r, 0, 3); k > 0; k--) {
		int i = pick_sobj(p, r, &fr);
		struct sobj *so;

		if (i < 0)
			break;
		so = &p->sobjs[i];
		if (chance(r, 50)) {
			struct drm_tessera_sync w = { .handle = so->handle,
						      .flags = DRM_TESSERA_SYNC_WAIT };

			if (so->point && chance(r, 60))
				w.point = range(r, 1, so->point);
			if (chance(r, 4)) {
				w.flags |= DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT;
				w.point = so->point + below(r, 2);
				wfs++;
			}
			syncs[nsync++] = w;
		} else {
			syncs[nsync++] = (struct drm_tessera_sync){
				.handle = so->handle, .flags = DRM_TESSERA_SYNC_SIGNAL,
				.point = chance(r, 50) ? ++so->point : 0,
			};
		}
	}
	if (chance(r, 15)) {
		int i = pick_sobj(p, r, &fr);

		if (i >= 0 && p->sobjs[i].fenced)
			sb.in_syncobj = p->sobjs[i].handle;
	}
	if (chance(r, 30)) {
		int i = pick_sobj(p, r, &fr);

		if (i >= 0)
			sb.out_syncobj = p->sobjs[i].handle;
	}
	unlock(p);

	/* Buffers: the operands the job uses, unless it leaves them unlisted. */
	for (int o = 1; o < s.nops && !unlisted; o++) {
		bool dup = false;

		for (uint32_t k = 0; k < nref; k++)
			if (refs[k].handle == s.ops[o].handle) {
				refs[k].flags |= s.ops[o].written ? DRM_TESSERA_BO_REF_WRITE : 0;
				dup = true;
			}
		if (!dup)
			refs[nref++] = (struct drm_tessera_bo_ref){
				.handle = s.ops[o].handle,
				.flags = s.ops[o].written || chance(r, 10) ? DRM_TESSERA_BO_REF_WRITE : 0,
			};
	}
	if (chance(r, 20)) {
		bool dup = false;

		for (uint32_t k = 0; k < nref; k++)
			dup |= refs[k].handle == ring->handle;
		if (!dup)
			refs[nref++] = (struct drm_tessera_bo_ref){ .handle = ring->handle };
	}
	sb.num_syncs = nsync;
	sb.syncs = (uintptr_t)syncs;
	sb.num_bos = nref;
	sb.bos = (uintptr_t)refs;
	if (bad_args)
		exp = corrupt_submit(t, &sb, syncs, refs, c, what, sizeof(what));

	describe(t, "SUBMIT(file %d, %s %u, %u dw at %#llx [%s], syncs %u%s, bos %u, in %u out %u%s%s)",
		 fr.f, sb.queue_id ? "queue" : "engine", sb.queue_id ? sb.queue_id : sb.engine,
		 sb.cmd_size / 4, (unsigned long long)sb.cmd_offset, s.summary, sb.num_syncs,
		 wfs ? " with wait-for-submit" : "", sb.num_bos, sb.in_syncobj, sb.out_syncobj,
		 bad_args ? ", bad " : "", what);
	/* Each WAIT_FOR_SUBMIT point may wait its own 10 s. */
	err = xioctl(t, OP_SUBMIT, &fr, DRM_IOCTL_TESSERA_SUBMIT, &sb, 10000 * wfs);
	expect(t, OP_SUBMIT, err, exp, NULL);

	lock(p);
	if (file_current(p, fr.f, fr.gen)) {
		struct dfile *df = &p->files[fr.f];

		/* An operand closed while the submit ran may have been unmapped under it. */
		for (int o = 1; o < s.nops; o++)
			if (!p->bos[s.ops[o].bo].live || p->bos[s.ops[o].bo].serial != s.ops[o].serial)
				df->tainted = true;
		if (err == ECANCELED)
			df->guilty = true;
		if (!err)
			for (uint32_t k = 0; k < nsync; k++)
				if (syncs[k].flags == DRM_TESSERA_SYNC_SIGNAL)
					for (int i = 0; i < MAX_SOBJS; i++)
						if (p->sobjs[i].live && p->sobjs[i].file == fr.f &&
						    p->sobjs[i].handle == syncs[k].handle)
							p->sobjs[i].fenced = true;
		df->in_progress--;
	}
	strict = !hostile && !unlisted && !bad_args && !hang && !s.bad && file_current(p, fr.f, fr.gen) &&
		 !p->files[fr.f].tainted;
	chaos = !file_sane(p, &fr);
	unlock(p);
	if (err == ECANCELED && chance(r, 60)) {
		/* A guilty context stays guilty: make a fresh one. */
		file_close(t, fr.f);
		put_file(t, &fr);
		file_open(t, fr.card);
		return;
	}
	if (err)
		goto out;
	atomic_fetch_add(&shm->jobs, 1);
	if (!chaos && !bad_args)
		check_seqno(t, &fr, qserial, sb.queue_id ? 0 : sb.engine, sb.seqno);

	if (chance(r, strict ? 50 : 25) || hang) {
		double secs = 30 * cfg.time_scale;
		struct drm_tessera_fence_wait fw = { .handle = ring->sync,
						     .timeout_ns = (int64_t)abs_ns(secs) };

		describe(t, "FENCE_WAIT(file %d, own syncobj %u) for that job%s", fr.f, ring->sync,
			 strict ? " (valid)" : "");
		err = xioctl(t, OP_FENCE_WAIT, &fr, DRM_IOCTL_TESSERA_FENCE_WAIT, &fw,
			     (unsigned int)(secs * 1000));
		expect(t, OP_FENCE_WAIT, err, EXP_ANY, NULL);
		if (err)
			goto out;
		count_status(fw.status);
		if (!status_ok(fw.status))
			finding(t, "FENCE_WAIT status %d is not one the uAPI lists", fw.status);
		lock(p);
		strict = strict && file_current(p, fr.f, fr.gen) && !p->files[fr.f].tainted &&
			 !p->files[fr.f].in_progress;
		/*
		 * A fork shares the command buffers with a child that has the
		 * same ring offsets: either may overwrite the other's commands.
		 */
		chaos = chaos || !file_sane(p, &fr);
		unlock(p);
		if (hang && !chaos && fw.status != -ETIMEDOUT && fw.status != -ECANCELED)
			finding(t, "a job that waits forever ended with status %d, not -ETIMEDOUT",
				fw.status);
		/* A valid job of a clean context can only hang on a disturbed semaphore. */
		if (strict && fw.status && fw.status != -ETIMEDOUT)
			finding(t, "a valid job of a context without a bad job ended with %d%s",
				fw.status, fw.status == -ECANCELED ?
				" (a device reset caused by another file?)" : "");
	}
out:
	put_file(t, &fr);
}

static void a_submit(struct fz_thread *t)
{
	submit(t, false);
}

static void a_hang(struct fz_thread *t)
{
	struct proc *p = t->p;
	bool go;

	lock(p);
	go = p->hangs_left > 0;
	if (go)
		p->hangs_left--;
	unlock(p);
	if (go)
		submit(t, true);
}

/* ------------------------------------------------------------------ */
/* FENCE_WAIT */

static void a_fence_wait(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_fence_wait fw = { 0 };
	enum expect exp = EXP_ANY;
	void *arg = &fw;
	double wait = 0;
	struct fref fr;
	int i, err;

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_sobj(p, r, &fr);
	if (i >= 0) {
		fw.handle = p->sobjs[i].handle;
		if (p->sobjs[i].point && chance(r, 60))
			fw.point = range(r, 0, p->sobjs[i].point + 1);
	} else if (t->cmd[fr.f].cpu && t->cmd[fr.f].gen == fr.gen) {
		fw.handle = t->cmd[fr.f].sync;
	} else {
		fw.handle = random_handle(r);
	}
	unlock(p);
	switch (below(r, 10)) {
	case 0:
	case 1:
	case 2:
		fw.timeout_ns = 0;
		break;
	case 3:
		fw.timeout_ns = (int64_t)abs_ns(-1);
		break;
	case 4:
		wait = 1;
		fw.timeout_ns = (int64_t)abs_ns(wait);
		break;
	default:
		wait = below(r, 300) / 1000.0;
		fw.timeout_ns = (int64_t)abs_ns(wait);
		break;
	}
	switch (below(r, 14)) {
	case 0:
		fw.flags = (uint32_t)range(r, 1, 0xffffffff);
		exp = EXP_FAIL;
		break;
	case 1:
		fw.pad = (uint32_t)range(r, 1, 0xffffffff);
		exp = EXP_FAIL;
		break;
	case 2:
		fw.handle = 0;
		exp = EXP_FAIL;
		break;
	case 3:
		arg = bad_ptr(t, sizeof(fw));
		exp = EXP_FAIL;
		break;
	case 4:
		fw.handle = random_handle(r);
		break;
	}
	describe(t, "FENCE_WAIT(file %d, syncobj %u, point %llu, timeout %+.3f s, flags %#x pad %u%s)",
		 fr.f, fw.handle, (unsigned long long)fw.point,
		 fw.timeout_ns ? ((double)fw.timeout_ns - (double)now_ns()) / 1e9 : 0.0, fw.flags,
		 fw.pad, arg == &fw ? "" : ", bad pointer");
	err = xioctl(t, OP_FENCE_WAIT, &fr, DRM_IOCTL_TESSERA_FENCE_WAIT, arg,
		     (unsigned int)(wait * 1000));
	expect(t, OP_FENCE_WAIT, err, exp, NULL);
	if (!err && arg == &fw) {
		count_status(fw.status);
		if (!status_ok(fw.status))
			finding(t, "FENCE_WAIT status %d is not one the uAPI lists", fw.status);
	}
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/* Syncobjs */

static void a_syncobj_create(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	uint32_t flags = chance(r, 30) ? DRM_SYNCOBJ_CREATE_SIGNALED : 0, h = 0;
	enum expect exp = EXP_OK;
	struct fref fr;
	int err;

	if (!get_file(t, &fr))
		return;
	if (chance(r, 8)) {
		flags |= 1u << range(r, 1, 31);
		exp = EXP_FAIL;
	}
	describe(t, "SYNCOBJ_CREATE(file %d, flags %#x)", fr.f, flags);
	call_begin(t, OP_SYNCOBJ_CREATE, &fr, 0);
	err = call_end(t, drmSyncobjCreate(fr.fd, flags, &h));
	expect(t, OP_SYNCOBJ_CREATE, err, exp, exp == EXP_OK ? e_nomem : NULL);
	if (!err && exp == EXP_OK) {
		bool added;

		lock(p);
		added = add_sobj(p, &fr, h, flags & DRM_SYNCOBJ_CREATE_SIGNALED) >= 0;
		unlock(p);
		if (!added) {
			describe(t, "SYNCOBJ_DESTROY(file %d, %u): no room in the pool", fr.f, h);
			call_begin(t, OP_SYNCOBJ_DESTROY, &fr, 0);
			err = call_end(t, drmSyncobjDestroy(fr.fd, h));
			expect(t, OP_SYNCOBJ_DESTROY, err, ok_if_sane(t, &fr), NULL);
		}
	}
	put_file(t, &fr);
}

static void a_syncobj_destroy(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	enum expect exp = EXP_ANY;
	struct fref fr;
	uint32_t h;
	int i, err;

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_sobj(p, r, &fr);
	if (i >= 0 && chance(r, 85)) {
		h = p->sobjs[i].handle;
		p->sobjs[i].live = false;
		p->files[fr.f].handle_seq++;
		exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	} else if (chance(r, 50)) {
		h = 0;
		exp = EXP_FAIL;
	} else {
		h = random_handle(r);
		p->files[fr.f].chaos = p->files[fr.f].tainted = true;
		p->files[fr.f].handle_seq++;
		for (int k = 0; k < MAX_SOBJS; k++)
			if (p->sobjs[k].live && p->sobjs[k].file == fr.f && p->sobjs[k].handle == h)
				p->sobjs[k].live = false;
	}
	unlock(p);
	describe(t, "SYNCOBJ_DESTROY(file %d, %u)", fr.f, h);
	call_begin(t, OP_SYNCOBJ_DESTROY, &fr, 0);
	err = call_end(t, drmSyncobjDestroy(fr.fd, h));
	expect(t, OP_SYNCOBJ_DESTROY, err, exp, NULL);
	put_file(t, &fr);
}

/* SIGNAL, TIMELINE_SIGNAL, RESET, QUERY, TRANSFER on pooled syncobjs. */
static void a_syncobj_misc(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	uint32_t h[3] = { 0 }, n = 0;
	uint64_t pts[3] = { 0 };
	struct fref fr;
	int err, kind = below(r, 5);

	if (!get_file(t, &fr))
		return;
	lock(p);
	for (int k = range(r, 1, 3); k > 0; k--) {
		int i = pick_sobj(p, r, &fr);

		if (i < 0)
			break;
		h[n] = p->sobjs[i].handle;
		if (kind == 1 || kind == 4) {
			pts[n] = ++p->sobjs[i].point;
		} else if (kind == 2) {
			/* Fenceless from now on, even for a thread that picked it. */
			p->sobjs[i].fenced = false;
			p->files[fr.f].handle_seq++;
		}
		n++;
	}
	unlock(p);
	if (!n || chance(r, 8))
		h[n ? 0 : n++] = random_handle(r);
	switch (kind) {
	case 0:
		describe(t, "SYNCOBJ_SIGNAL(file %d, %u handles, first %u)", fr.f, n, h[0]);
		call_begin(t, OP_SYNCOBJ_SIGNAL, &fr, 0);
		err = call_end(t, drmSyncobjSignal(fr.fd, h, n));
		expect(t, OP_SYNCOBJ_SIGNAL, err, EXP_ANY, NULL);
		break;
	case 1:
		describe(t, "SYNCOBJ_TIMELINE_SIGNAL(file %d, %u handles, first %u point %llu)",
			 fr.f, n, h[0], (unsigned long long)pts[0]);
		call_begin(t, OP_SYNCOBJ_SIGNAL, &fr, 0);
		err = call_end(t, drmSyncobjTimelineSignal(fr.fd, h, pts, n));
		expect(t, OP_SYNCOBJ_SIGNAL, err, EXP_ANY, NULL);
		break;
	case 2:
		describe(t, "SYNCOBJ_RESET(file %d, %u handles, first %u)", fr.f, n, h[0]);
		call_begin(t, OP_SYNCOBJ_RESET, &fr, 0);
		err = call_end(t, drmSyncobjReset(fr.fd, h, n));
		expect(t, OP_SYNCOBJ_RESET, err, EXP_ANY, NULL);
		break;
	case 3:
		describe(t, "SYNCOBJ_QUERY(file %d, %u handles, first %u)", fr.f, n, h[0]);
		call_begin(t, OP_SYNCOBJ_QUERY, &fr, 0);
		err = call_end(t, drmSyncobjQuery2(fr.fd, h, pts, n,
						   chance(r, 50) ? DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED :
						   chance(r, 90) ? 0 : 1u << range(r, 1, 31)));
		expect(t, OP_SYNCOBJ_QUERY, err, EXP_ANY, NULL);
		break;
	default: {
		uint32_t flags = chance(r, 30) ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT : 0;
		uint32_t src = n > 1 ? h[1] : h[0];
		uint64_t src_point = below(r, 3);

		/* Move a point (or the binary fence) from one syncobj to another. */
		describe(t, "SYNCOBJ_TRANSFER(file %d, %u point %llu <- %u point %llu, flags %#x)",
			 fr.f, h[0], (unsigned long long)pts[0], src, (unsigned long long)src_point,
			 flags);
		/* WAIT_FOR_SUBMIT: the core waits up to 10 s for the source point. */
		call_begin(t, OP_SYNCOBJ_TRANSFER, &fr, flags ? 10000 : 0);
		err = call_end(t, drmSyncobjTransfer(fr.fd, h[0], chance(r, 50) ? pts[0] : 0, src,
						     src_point, flags));
		expect(t, OP_SYNCOBJ_TRANSFER, err, EXP_ANY, NULL);
		n = 1;	/* only the destination got a fence */
		break;
	}
	}
	/* A fence only once the call that gave one succeeded. */
	if (!err && kind != 2 && kind != 3)
		mark_fenced(p, &fr, h, n);
	put_file(t, &fr);
}

static void a_syncobj_wait(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	uint32_t h[4] = { 0 }, n = 0, flags = 0, first = 0;
	uint64_t pts[4] = { 0 };
	double wait = chance(r, 40) ? 0 : below(r, 250) / 1000.0;
	enum expect exp = EXP_ANY;
	bool timeline = chance(r, 50);
	struct fref fr;
	int err;

	if (!get_file(t, &fr))
		return;
	lock(p);
	for (int k = range(r, 1, 4); k > 0; k--) {
		int i = pick_sobj(p, r, &fr);

		if (i < 0)
			break;
		h[n] = p->sobjs[i].handle;
		pts[n] = p->sobjs[i].point ? range(r, 0, p->sobjs[i].point + 1) : 0;
		n++;
	}
	unlock(p);
	if (!n)
		h[n++] = random_handle(r);
	if (chance(r, 50))
		flags |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
	if (chance(r, 25))
		flags |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	if (timeline && chance(r, 20))
		flags |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
	switch (below(r, 14)) {
	case 0:
		/* bit 3 is WAIT_DEADLINE since Linux 6.4 */
		flags |= 1u << range(r, 4, 31);
		exp = EXP_FAIL;
		break;
	case 1:
		n = 0;	/* the core returns at once */
		break;
	}
	describe(t, "SYNCOBJ_%sWAIT(file %d, %u handles, first %u point %llu, flags %#x, %.3f s)",
		 timeline ? "TIMELINE_" : "", fr.f, n, h[0], (unsigned long long)pts[0], flags, wait);
	call_begin(t, OP_SYNCOBJ_WAIT, &fr, (unsigned int)(wait * 1000));
	if (timeline)
		err = call_end(t, drmSyncobjTimelineWait(fr.fd, h, pts, n, (int64_t)abs_ns(wait),
							 flags, &first));
	else
		err = call_end(t, drmSyncobjWait(fr.fd, h, n, (int64_t)abs_ns(wait), flags, &first));
	expect(t, OP_SYNCOBJ_WAIT, err, exp, NULL);
	if (!err && n && first >= n && !(flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL))
		finding(t, "SYNCOBJ_WAIT: first signaled %u of %u", first, n);
	put_file(t, &fr);
}

/* Export a syncobj as an fd and import it, into this or another file, maybe on another card. */
static void a_syncobj_share(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct fref a, b;
	uint32_t h, nh = 0;
	int i, fd = -1, err, x;

	if (!get_file(t, &a))
		return;
	x = chance(r, 30) ? take_xfd(p, r, XFD_SYNCOBJ) : -1;
	if (x >= 0) {
		/* An fd exported earlier, perhaps from a file since closed. */
		fd = p->xfds[x].fd;
	} else {
		lock(p);
		i = pick_sobj(p, r, &a);
		h = i >= 0 ? p->sobjs[i].handle : random_handle(r);
		unlock(p);
		describe(t, "SYNCOBJ_HANDLE_TO_FD(file %d, %u)", a.f, h);
		call_begin(t, OP_SYNCOBJ_EXPORT, &a, 0);
		err = call_end(t, drmSyncobjHandleToFD(a.fd, h, &fd));
		expect(t, OP_SYNCOBJ_EXPORT, err, i >= 0 ? ok_if_sane(t, &a) : EXP_ANY, NULL);
		if (err) {
			put_file(t, &a);
			return;
		}
	}
	if (get_file(t, &b)) {
		describe(t, "SYNCOBJ_FD_TO_HANDLE(file %d, fd %d)", b.f, fd);
		call_begin(t, OP_SYNCOBJ_IMPORT, &b, 0);
		err = call_end(t, drmSyncobjFDToHandle(b.fd, fd, &nh));
		expect(t, OP_SYNCOBJ_IMPORT, err, EXP_OK, e_nomem);
		if (!err) {
			lock(p);
			if (add_sobj(p, &b, nh, true) < 0)
				nh = 0;
			else
				nh = ~0u;
			unlock(p);
			if (nh != ~0u) {
				describe(t, "SYNCOBJ_DESTROY(file %d, %u): no room in the pool", b.f, nh);
				call_begin(t, OP_SYNCOBJ_DESTROY, &b, 0);
				err = call_end(t, drmSyncobjDestroy(b.fd, nh));
				expect(t, OP_SYNCOBJ_DESTROY, err, ok_if_sane(t, &b), NULL);
			}
		}
		put_file(t, &b);
	}
	if (x >= 0)
		put_xfd(p, x, chance(r, 30));
	else if (chance(r, 50))
		add_xfd(p, fd, XFD_SYNCOBJ, a.card);
	else
		close(fd);
	put_file(t, &a);
}

/* A syncobj's fence as a sync_file: its status, and into another syncobj. */
static void a_sync_file(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct sync_fence_info fences[4];
	struct sync_file_info info;
	struct fref a, b;
	uint32_t h;
	int i, fd = -1, err, x;

	if (!get_file(t, &a))
		return;
	x = chance(r, 30) ? take_xfd(p, r, XFD_SYNC_FILE) : -1;
	if (x >= 0) {
		fd = p->xfds[x].fd;
	} else {
		lock(p);
		i = pick_sobj(p, r, &a);
		h = i >= 0 ? p->sobjs[i].handle : random_handle(r);
		unlock(p);
		describe(t, "SYNCOBJ_EXPORT_SYNC_FILE(file %d, %u)", a.f, h);
		call_begin(t, OP_SYNC_FILE_EXPORT, &a, 0);
		err = call_end(t, drmSyncobjExportSyncFile(a.fd, h, &fd));
		expect(t, OP_SYNC_FILE_EXPORT, err, EXP_ANY, NULL);
		if (err) {
			put_file(t, &a);
			return;
		}
	}

	memset(&info, 0, sizeof(info));
	memset(fences, 0, sizeof(fences));
	if (chance(r, 50)) {
		info.num_fences = range(r, 1, 4);
		info.sync_fence_info = chance(r, 10) ? bad_ptr_u64(t, sizeof(fences)) :
				       (uintptr_t)fences;
	}
	if (chance(r, 5))
		info.flags = 1;
	describe(t, "SYNC_IOC_FILE_INFO(fd %d, %u fences, flags %u)", fd, info.num_fences,
		 info.flags);
	call_begin(t, OP_SYNC_FILE_INFO, NULL, 0);
	err = call_end(t, ioctl(fd, SYNC_IOC_FILE_INFO, &info));
	expect(t, OP_SYNC_FILE_INFO, err, info.flags ? EXP_FAIL : EXP_ANY, NULL);
	if (!err && info.status != 1 && info.status != 0 && !status_ok(info.status))
		finding(t, "sync_file status %d is not one the uAPI lists", info.status);

	if (get_file(t, &b)) {
		lock(p);
		i = pick_sobj(p, r, &b);
		h = i >= 0 ? p->sobjs[i].handle : random_handle(r);
		unlock(p);
		if (chance(r, 5)) {
			/* Not a sync_file. */
			describe(t, "SYNCOBJ_IMPORT_SYNC_FILE(file %d, %u, /dev/null)", b.f, h);
			call_begin(t, OP_SYNC_FILE_IMPORT, &b, 0);
			err = call_end(t, drmSyncobjImportSyncFile(b.fd, h, p->devnull));
			expect(t, OP_SYNC_FILE_IMPORT, err, EXP_FAIL, NULL);
		} else {
			describe(t, "SYNCOBJ_IMPORT_SYNC_FILE(file %d, %u, fd %d)", b.f, h, fd);
			call_begin(t, OP_SYNC_FILE_IMPORT, &b, 0);
			err = call_end(t, drmSyncobjImportSyncFile(b.fd, h, fd));
			expect(t, OP_SYNC_FILE_IMPORT, err, EXP_ANY, NULL);
			if (!err)
				mark_fenced(p, &b, &h, 1);
		}
		put_file(t, &b);
	}
	if (x >= 0)
		put_xfd(p, x, chance(r, 30));
	else if (chance(r, 40))
		add_xfd(p, fd, XFD_SYNC_FILE, a.card);
	else
		close(fd);
	put_file(t, &a);
}

/* ------------------------------------------------------------------ */
/* PRIME and flink */

static void a_prime_export(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	uint32_t flags = DRM_CLOEXEC | (chance(r, 80) ? DRM_RDWR : 0), h;
	static const int e_notsupp[] = { EOPNOTSUPP, 0 };
	enum expect exp = EXP_ANY;
	const int *extra = NULL;
	struct fref fr;
	bool dev = false;
	int i, fd = -1, err;

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_bo(p, r, &fr, false, false);
	if (i >= 0) {
		h = p->bos[i].handle;
		dev = p->bos[i].flags & DRM_TESSERA_BO_DEVICE_MEM;
		/* An imported buffer's placement is known after its BO_INFO. */
		exp = file_sane(p, &fr) && (!p->bos[i].imported || p->bos[i].va) ? EXP_OK : EXP_ANY;
		extra = dev ? e_notsupp : e_nomem;
		if (dev && exp == EXP_OK)
			exp = EXP_FAIL;	/* not exportable yet */
	} else {
		h = random_handle(r);
	}
	unlock(p);
	if (chance(r, 5)) {
		flags |= 1u << range(r, 3, 18);	/* neither O_RDWR nor O_CLOEXEC */
		exp = EXP_FAIL;
		extra = NULL;
	}
	describe(t, "PRIME_HANDLE_TO_FD(file %d, handle %u%s, flags %#x)", fr.f, h,
		 dev ? " (device memory)" : "", flags);
	call_begin(t, OP_PRIME_EXPORT, &fr, 0);
	err = call_end(t, drmPrimeHandleToFD(fr.fd, h, flags, &fd));
	if (exp == EXP_FAIL && extra && err)
		expect(t, OP_PRIME_EXPORT, err, EXP_OK, extra);	/* only -EOPNOTSUPP */
	else
		expect(t, OP_PRIME_EXPORT, err, exp, extra);
	if (!err) {
		if (chance(r, 20)) {
			/* The dma-buf's own mmap. */
			off_t size = lseek(fd, 0, SEEK_END);
			void *m;

			if (size > 0) {
				describe(t, "mmap(dma-buf fd %d, %lld bytes)", fd, (long long)size);
				call_begin(t, OP_MMAP, NULL, 0);
				m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
				err = call_end(t, m == MAP_FAILED ? -1 : 0);
				expect(t, OP_MMAP, err, EXP_ANY, NULL);
				if (!err)
					add_map(p, m, size, false, true);
			}
		}
		add_xfd(p, fd, XFD_DMABUF, fr.card);
	}
	put_file(t, &fr);
}

static void a_prime_import(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	enum expect exp = EXP_OK;
	struct fref fr;
	uint32_t h = 0;
	int x, fd, err, i;
	off_t size = 0;

	if (!get_file(t, &fr))
		return;
	x = take_xfd(p, r, XFD_DMABUF);
	if (x >= 0 && chance(r, 92)) {
		fd = p->xfds[x].fd;
		size = lseek(fd, 0, SEEK_END);
	} else {
		/* Not a dma-buf. */
		if (x >= 0)
			put_xfd(p, x, false);
		x = -1;
		fd = chance(r, 30) ? -1 : chance(r, 50) ? p->devnull : fr.fd;
		exp = EXP_FAIL;
	}
	describe(t, "PRIME_FD_TO_HANDLE(file %d, fd %d, %lld bytes)", fr.f, fd, (long long)size);
	call_begin(t, OP_PRIME_IMPORT, &fr, 0);
	err = call_end(t, drmPrimeFDToHandle(fr.fd, fd, &h));
	expect(t, OP_PRIME_IMPORT, err, exp == EXP_OK ? ok_if_sane(t, &fr) : exp, e_nomem);
	if (!err && exp == EXP_OK) {
		lock(p);
		i = add_bo(p, &fr, h, size, 0, 0, true);
		unlock(p);
		(void)i;
	}
	if (x >= 0)
		put_xfd(p, x, chance(r, 20));
	put_file(t, &fr);
}

static void a_flink(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_gem_flink fl = { 0 };
	struct drm_gem_open go = { 0 };
	struct fref a, b;
	int i, err;

	if (!get_file(t, &a))
		return;
	lock(p);
	i = pick_bo(p, r, &a, false, false);
	fl.handle = i >= 0 ? p->bos[i].handle : random_handle(r);
	unlock(p);
	describe(t, "GEM_FLINK(file %d, handle %u)", a.f, fl.handle);
	err = xioctl(t, OP_GEM_FLINK, &a, DRM_IOCTL_GEM_FLINK, &fl, 0);
	expect(t, OP_GEM_FLINK, err, EXP_ANY, NULL);
	go.name = err ? (uint32_t)range(r, 1, 200) : fl.name;
	if (get_file(t, &b)) {
		bool same_card = b.card == a.card && !err;

		describe(t, "GEM_OPEN(file %d, name %u)", b.f, go.name);
		err = xioctl(t, OP_GEM_OPEN, &b, DRM_IOCTL_GEM_OPEN, &go, 0);
		expect(t, OP_GEM_OPEN, err, EXP_ANY, NULL);
		if (!err) {
			int k = -1;

			lock(p);
			/* Only our own buffers join the pool: a guessed name is anybody's. */
			if (same_card && chance(r, 70))
				k = add_bo(p, &b, go.handle, go.size, 0, 0, true);
			unlock(p);
			if (k < 0) {
				struct drm_gem_close gc = { .handle = go.handle };

				describe(t, "GEM_CLOSE(file %d, handle %u) from GEM_OPEN", b.f, go.handle);
				err = xioctl(t, OP_GEM_CLOSE, &b, DRM_IOCTL_GEM_CLOSE, &gc, 0);
				expect(t, OP_GEM_CLOSE, err, ok_if_sane(t, &b), NULL);
			}
		}
		put_file(t, &b);
	}
	put_file(t, &a);
}

/* ------------------------------------------------------------------ */
/* Files, processes, signals */

static void a_open(struct fz_thread *t)
{
	struct proc *p = t->p;
	int live = 0;

	lock(p);
	for (int f = 0; f < MAX_FILES; f++)
		live += p->files[f].live && !p->files[f].dead;
	unlock(p);
	if (live < MAX_FILES_OPEN)
		file_open(t, below(&t->rng, cfg.ncards));
}

static void a_close(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct fref fr;
	int guilty = -1;

	lock(p);
	for (int f = 0; f < MAX_FILES; f++)
		if (p->files[f].live && !p->files[f].dead && p->files[f].guilty)
			guilty = f;
	unlock(p);
	if (!get_file(t, &fr))
		return;
	if (guilty >= 0 && guilty != fr.f && chance(r, 70)) {
		/* Rather replace a guilty context. */
		put_file(t, &fr);
		lock(p);
		if (!file_current(p, guilty, p->files[guilty].gen)) {
			unlock(p);
			return;
		}
		p->files[guilty].users++;
		fr = (struct fref){ .f = guilty, .gen = p->files[guilty].gen,
				    .fd = p->files[guilty].fd, .card = p->files[guilty].card };
		unlock(p);
	}
	file_close(t, fr.f);
	put_file(t, &fr);
	if (chance(r, 70))
		file_open(t, fr.card);
}

static void a_fork(struct fz_thread *t)
{
	struct proc *p = t->p;
	int slot = -1, n = range(&t->rng, 1, 40);
	pid_t pid;

	if (t->in_child)
		return;
	lock(p);
	if (p->forks_left > 0)
		for (int i = 0; i < MAX_CHILDREN; i++)
			if (!p->children[i]) {
				slot = i;
				break;
			}
	if (slot < 0) {
		unlock(p);
		return;
	}
	p->forks_left--;
	/* The child shares the files: its closes are behind the pools' back. */
	for (int f = 0; f < MAX_FILES; f++)
		if (p->files[f].live)
			p->files[f].chaos = p->files[f].tainted = true;
	describe(t, "fork() with %d actions in the child", n);
	call_begin(t, OP_FORK, NULL, 0);
	pid = fork();
	if (pid == 0) {
		/* The child: this thread alone, holding the lock it inherited. */
		pthread_mutex_init(&p->lock, NULL);
		_exit(run_forked_child(t, n));
	}
	unlock(p);
	call_end(t, pid < 0 ? -1 : 0);
	if (pid > 0) {
		lock(p);
		p->children[slot] = pid;
		unlock(p);
	}
}

static void a_signal(struct fz_thread *t)
{
	struct proc *p = t->p;
	struct fz_thread *o;

	if (t->in_child || !atomic_load(&p->started) || p->nthreads < 2)
		return;
	o = &p->threads[below(&t->rng, p->nthreads)];
	if (o == t)
		return;
	describe(t, "pthread_kill(thread %d, SIGUSR1)", o->id);
	for (int k = range(&t->rng, 1, 3); k > 0; k--) {
		pthread_kill(o->pt, SIGUSR1);
		usleep(below(&t->rng, 2000));
	}
}

/* ------------------------------------------------------------------ */
/* DRM core ioctls, resized and raw ioctls */

static void a_drm_core(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	char name[64], date[64], desc[128];
	struct fref fr;
	int err;

	if (!get_file(t, &fr))
		return;
	switch (below(r, 3)) {
	case 0: {
		struct drm_version v = { .name_len = below(r, sizeof(name)), .name = name,
					 .date_len = below(r, sizeof(date)), .date = date,
					 .desc_len = below(r, sizeof(desc)), .desc = desc };
		size_t asked = v.name_len;
		bool bad = chance(r, 10);

		if (bad) {
			/* NULL is "do not copy"; the others must fault. */
			v.name = chance(r, 50) ? t->p->bad_page : (char *)0xffff888000000000ull;
			t->bad_ptr = true;
			v.name_len = 64;
		}
		describe(t, "VERSION(file %d, name_len %zu%s)", fr.f, v.name_len,
			 bad ? ", bad pointer" : "");
		err = xioctl(t, OP_DRM_CORE, &fr, DRM_IOCTL_VERSION, &v, 0);
		expect(t, OP_DRM_CORE, err, bad ? EXP_FAIL : EXP_OK, NULL);
		if (!err && !bad && asked >= 7 && strncmp(name, "tessera", 7))
			finding(t, "VERSION name is not tessera");
		break;
	}
	case 1: {
		struct drm_get_cap gc = { .capability = chance(r, 50) ? below(r, 0x20) : rnd(r) };

		describe(t, "GET_CAP(file %d, %#llx)", fr.f, (unsigned long long)gc.capability);
		err = xioctl(t, OP_DRM_CORE, &fr, DRM_IOCTL_GET_CAP, &gc, 0);
		expect(t, OP_DRM_CORE, err, EXP_ANY, NULL);
		break;
	}
	case 2: {
		struct drm_set_client_cap sc = { .capability = below(r, 8), .value = below(r, 3) };

		describe(t, "SET_CLIENT_CAP(file %d, %llu = %llu)", fr.f,
			 (unsigned long long)sc.capability, (unsigned long long)sc.value);
		err = xioctl(t, OP_DRM_CORE, &fr, DRM_IOCTL_SET_CLIENT_CAP, &sc, 0);
		expect(t, OP_DRM_CORE, err, EXP_ANY, NULL);
		break;
	}
	}
	put_file(t, &fr);
}

/*
 * GET_UNIQUE on an accel node: Linux 6.12's drm_getunique() dereferences
 * the file's DRM master, which accel files do not have (a NULL pointer
 * oops in the DRM core, holding master_mutex: every later GET_UNIQUE on
 * the device hangs).  Not Tessera's to fix, so weight 0 by default.
 */
static void a_get_unique(struct fz_thread *t)
{
	char name[64];
	struct drm_unique u = { .unique_len = below(&t->rng, sizeof(name)), .unique = name };
	struct fref fr;
	int err;

	if (!get_file(t, &fr))
		return;
	describe(t, "GET_UNIQUE(file %d, len %zu)", fr.f, u.unique_len);
	err = xioctl(t, OP_DRM_CORE, &fr, DRM_IOCTL_GET_UNIQUE, &u, 0);
	expect(t, OP_DRM_CORE, err, EXP_ANY, NULL);
	put_file(t, &fr);
}

/*
 * A Tessera ioctl with an older (shorter) or newer (longer) struct: the
 * DRM core zero-fills what a caller did not pass and drops the rest.
 */
static void a_resized(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	uint8_t buf[128];
	unsigned long req;
	size_t size, full;
	enum expect exp = EXP_ANY;
	struct fref fr;
	int err, nr;

	if (!get_file(t, &fr))
		return;
	memset(buf, 0, sizeof(buf));
	switch (below(r, 4)) {
	case 0: {
		struct drm_tessera_get_param *gp = (void *)buf;

		nr = DRM_TESSERA_GET_PARAM;
		full = sizeof(*gp);
		gp->param = below(r, 10);
		exp = EXP_OK;
		break;
	}
	case 1:
		nr = DRM_TESSERA_CONTEXT_STATUS;
		full = sizeof(struct drm_tessera_context_status);
		exp = EXP_OK;
		break;
	case 2: {
		struct drm_tessera_fence_wait *fw = (void *)buf;

		nr = DRM_TESSERA_FENCE_WAIT;
		full = sizeof(*fw);
		fw->handle = random_handle(r);
		break;
	}
	default: {
		struct drm_tessera_bo_info *bi = (void *)buf;

		nr = DRM_TESSERA_BO_INFO;
		full = sizeof(*bi);
		bi->handle = random_handle(r);
		break;
	}
	}
	/* Shorter, but keeping the input fields; or longer, with junk after the end. */
	if (chance(r, 50)) {
		size = nr == DRM_TESSERA_GET_PARAM ? 8 : nr == DRM_TESSERA_CONTEXT_STATUS ?
		       4 * range(r, 0, 5) : nr == DRM_TESSERA_FENCE_WAIT ? 24 : 8;
	} else {
		size = full + 8 * range(r, 1, 8);
		for (size_t i = full; i < size; i++)
			buf[i] = (uint8_t)rnd(r);
	}
	req = DRM_IOC(DRM_IOC_READWRITE, DRM_IOCTL_BASE, DRM_COMMAND_BASE + nr, size);
	describe(t, "ioctl(file %d, tessera nr %d with a %zu-byte struct of %zu)", fr.f, nr, size,
		 full);
	err = xioctl(t, OP_RAW_IOCTL, &fr, req, buf, 0);
	expect(t, OP_RAW_IOCTL, err, exp, NULL);
	put_file(t, &fr);
}

/* Random bytes to a Tessera ioctl number, existing or not. */
static void a_raw(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	uint64_t buf[32];
	int nr = below(r, 16), dir;
	size_t size = chance(r, 60) ? 8 * range(r, 1, 10) : below(r, sizeof(buf) + 1);
	unsigned long req;
	struct fref fr;
	int err;

	if (!get_file(t, &fr))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(buf); i++)
		buf[i] = chance(r, 60) ? 0 : chance(r, 50) ? rnd(r) & 0xff : rnd(r);
	if (nr == DRM_TESSERA_BO_CREATE && buf[0] >= (64u << 20) && buf[0] <= (4ull << 30))
		buf[0] |= 1ull << 40;	/* never a huge host buffer */
	if (nr == DRM_TESSERA_QUEUE_DESTROY || nr == DRM_TESSERA_QUEUE_CREATE)
		set_chaos(t, &fr);
	if (nr == DRM_TESSERA_SUBMIT)
		set_chaos(t, &fr);	/* it may run garbage from any buffer */
	dir = (int)below(r, 4);
	req = DRM_IOC(dir, DRM_IOCTL_BASE, DRM_COMMAND_BASE + nr, size);
	describe(t, "ioctl(file %d, tessera nr %d, dir %d, %zu random bytes)", fr.f, nr, dir, size);
	err = xioctl(t, OP_RAW_IOCTL, &fr, req, buf, 2000);
	expect(t, OP_RAW_IOCTL, err, EXP_ANY, NULL);
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */

const struct action actions[] = {
	{ "get_param",		3,	a_get_param },
	{ "bo_create",		9,	a_bo_create },
	{ "bo_info",		4,	a_bo_info },
	{ "gem_close",		4,	a_gem_close },
	{ "mmap",		4,	a_mmap },
	{ "touch",		4,	a_touch },
	{ "munmap",		3,	a_munmap },
	{ "queue_create",	3,	a_queue_create },
	{ "queue_destroy",	2,	a_queue_destroy },
	{ "context_status",	3,	a_context_status },
	{ "submit",		26,	a_submit },
	{ "hang",		1,	a_hang },
	{ "fence_wait",		6,	a_fence_wait },
	{ "syncobj_create",	4,	a_syncobj_create },
	{ "syncobj_destroy",	2,	a_syncobj_destroy },
	{ "syncobj_misc",	4,	a_syncobj_misc },
	{ "syncobj_wait",	4,	a_syncobj_wait },
	{ "syncobj_share",	2,	a_syncobj_share },
	{ "sync_file",		3,	a_sync_file },
	{ "prime_export",	3,	a_prime_export },
	{ "prime_import",	3,	a_prime_import },
	{ "flink",		1,	a_flink },
	{ "open",		2,	a_open },
	{ "close",		1,	a_close },
	{ "fork",		1,	a_fork },
	{ "signal",		1,	a_signal },
	{ "drm_core",		1,	a_drm_core },
	{ "get_unique",		0,	a_get_unique },
	{ "resized",		1,	a_resized },
	{ "raw",		1,	a_raw },
};

const unsigned int n_actions = ARRAY_SIZE(actions);

int action_by_name(const char *name)
{
	for (unsigned int i = 0; i < n_actions; i++)
		if (!strcmp(actions[i].name, name))
			return (int)i;
	return -1;
}

void run_one_action(struct fz_thread *t)
{
	unsigned int total = 0, pick, i;
	bool nofile = true;

	lock(t->p);
	for (i = 0; i < MAX_FILES; i++)
		nofile &= !t->p->files[i].live || t->p->files[i].dead;
	unlock(t->p);
	if (nofile) {
		a_open(t);
		return;
	}

	for (i = 0; i < n_actions; i++)
		total += cfg.weights[i];
	if (!total)
		return;
	pick = below(&t->rng, total);
	for (i = 0; i < n_actions; i++) {
		if (pick < cfg.weights[i])
			break;
		pick -= cfg.weights[i];
	}
	t->bad_ptr = false;
	actions[i].fn(t);
}
