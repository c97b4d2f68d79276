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
#define MAX_QUEUES_FILE	12
#define MAX_VMS_FILE	4
#define MAX_FILES_OPEN	4
#define BIND_WAIT_MS	30000		/* a bind over used ranges waits for the VM's jobs */

static const int e_nomem[] = { ENOMEM, 0 };
static const int e_nomem_inval[] = { ENOMEM, EINVAL, 0 };

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

static void set_wild(struct fz_thread *t, const struct fref *fr)
{
	lock(t->p);
	if (file_current(t->p, fr->f, fr->gen))
		t->p->files[fr->f].chaos = t->p->files[fr->f].wild = true;
	unlock(t->p);
}

static void set_chaos(struct fz_thread *t, const struct fref *fr)
{
	lock(t->p);
	if (file_current(t->p, fr->f, fr->gen))
		t->p->files[fr->f].chaos = true;
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

static int pick_bo(struct proc *p, struct rng *r, const struct fref *fr, bool need_known)
{
	int idx[MAX_BOS], n = 0;

	for (int i = 0; i < MAX_BOS; i++) {
		const struct bo *b = &p->bos[i];

		if (b->live && b->file == fr->f && b->gen == fr->gen && (!need_known || b->known))
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
		  uint64_t mmap_offset, uint32_t flags, bool imported)
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
		.imported = imported, .known = !imported, .serial = ++p->serial, .size = size,
		.mmap_offset = mmap_offset,
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

/*
 * The pooled syncobjs of @fr's file with these handles now have a fence;
 * @dirty: one that may carry an error (a job's that may fail, or one we
 * cannot tell), which a job waiting on it might inherit.
 */
static void mark_fenced(struct proc *p, const struct fref *fr, const uint32_t *h, uint32_t n,
			bool dirty)
{
	lock(p);
	for (uint32_t k = 0; k < n; k++)
		for (int i = 0; i < MAX_SOBJS; i++)
			if (p->sobjs[i].live && p->sobjs[i].file == fr->f &&
			    p->sobjs[i].gen == fr->gen && p->sobjs[i].handle == h[k]) {
				p->sobjs[i].fenced = true;
				p->sobjs[i].dirty |= dirty;
			}
	unlock(p);
}

static int add_sobj(struct proc *p, const struct fref *fr, uint32_t handle, bool fenced,
		    bool dirty)
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
		.dirty = dirty,
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

/*
 * A call made bad in one way must fail with one of @only, or with an
 * errno that something else of the call may have caused first (@extra:
 * another thread's close, a guilty VM, memory); on a file whose pools
 * are not sane, with any errno its contract documents.
 */
static void expect_only(struct fz_thread *t, enum op op, const struct fref *fr, int err,
			const int *only, const int *extra)
{
	for (const int *l = only; err && *l; l++)
		if (*l == err)
			goto ok;
	for (const int *l = extra; err && l && *l; l++)
		if (*l == err)
			goto ok;
	expect(t, op, err, err ? ok_if_sane(t, fr) : EXP_FAIL, only);
	return;
ok:
	expect(t, op, 0, EXP_ANY, NULL);	/* counts nothing; resets bad_ptr */
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
	struct drm_tessera_get_param gp = { .param = below(r, NPARAMS) };
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
		gp.param = NPARAMS + (uint32_t)below(r, 0xfffffff0u);
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
	if (!err && arg == &gp && gp.param < NPARAMS && gp.value != c->param[gp.param])
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
	if (bc.size != page_align(size) || !bc.handle || !bc.mmap_offset || bc.mmap_offset % PAGE)
		finding(t, "BO_CREATE returned size %#llx handle %u mmap offset %#llx for size %#llx",
			(unsigned long long)bc.size, bc.handle, (unsigned long long)bc.mmap_offset,
			(unsigned long long)size);
	lock(p);
	i = add_bo(p, fr, bc.handle, bc.size, bc.mmap_offset, flags, false);
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
	expect(t, OP_BO_INFO, err, exp, NULL);	/* no side effect: no -ENOMEM either */
	if (err)
		return err;
	lock(p);
	/* Checked only if nothing closed the handle meanwhile. */
	if (p->bos[i].live && p->bos[i].serial == b.serial && file_sane(p, fr)) {
		struct bo *pb = &p->bos[i];
		uint32_t want = pb->flags & DRM_TESSERA_BO_DEVICE_MEM ? DRM_TESSERA_BO_DEVICE_MEM :
				pb->flags & DRM_TESSERA_BO_WC ? DRM_TESSERA_BO_WC : 0;
		/* Imported buffers the card cannot map for the CPU report offset 0. */
		bool bad = bi->size != pb->size || bi->mmap_offset % PAGE ||
			   (!bi->mmap_offset && !pb->imported) ||
			   (pb->known && bi->flags != want) ||
			   (pb->mmap_offset && bi->mmap_offset != pb->mmap_offset);

		if (bad) {
			unlock(p);
			finding(t, "BO_INFO of handle %u: size %#llx flags %#x offset %#llx; "
				"expected size %#llx flags %#x offset %#llx", b.handle,
				(unsigned long long)bi->size, bi->flags,
				(unsigned long long)bi->mmap_offset, (unsigned long long)pb->size,
				want, (unsigned long long)pb->mmap_offset);
			return 0;
		}
		pb->mmap_offset = bi->mmap_offset;
		if (!pb->known)
			pb->flags = bi->flags;
		pb->known = true;
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
	i = pick_bo(p, r, &fr, false);
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
	i = pick_bo(p, r, &fr, false);
	if (i >= 0 && kind < 85) {
		/* Out of the pool first: no other thread starts using it. */
		gc.handle = p->bos[i].handle;
		p->bos[i].live = false;
		p->files[fr.f].handle_seq++;
		exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	} else if (kind < 90) {
		gc.handle = random_handle(r);
		if (gc.handle)
			forget_handle(p, &fr, gc.handle);
		/* Bindings hold their buffers: the VMs' mappings stay as modelled. */
		if (file_current(p, fr.f, fr.gen))
			p->files[fr.f].chaos = true;
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
	i = pick_bo(p, r, &fr, false);
	for (int k = 0; k < MAX_MAPS; k++)
		mapped += p->maps[k].live ? p->maps[k].len : 0;
	unlock(p);
	if (i < 0 || mapped > MAP_BUDGET || bo_info(t, &fr, i, &bi) || !bi.mmap_offset) {
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
/*
 * VMs and the oracle's model of their mappings.
 *
 * Each pooled VM carries the list of mappings VM_BIND made in it, as
 * the header defines them: a MAP replaces whatever was mapped in its
 * range (splitting older mappings at its edges), an UNMAP removes every
 * mapping in its range, a failed call changes nothing.  Jobs take their
 * operands from the model, so a valid job's outcome is known: it
 * completes (status 0) unless something we did on purpose (a bad
 * command, a hang, a bind racing the submit) may have changed that.
 * GEM_CLOSE does not touch the model (a binding holds its buffer), nor
 * does VM_DESTROY (queues and jobs hold the VM).
 *
 * VA layout: pooled buffers are bound in [DATA_BASE, DATA_BASE +
 * DATA_SLOTS * 2 MiB), so binds overlap and replace each other often;
 * each thread's command ring at ring_va(), above; each thread's private
 * VMs (a_fault) put their data at priv_va().
 */

static struct cmdring *ring_get(struct fz_thread *t, const struct fref *fr);
static bool status_ok(int status);
static void count_status(int status);

static uint64_t ring_va(const struct fz_thread *t)
{
	return RING_BASE + ((uint64_t)t->id << 32);
}

static uint64_t scratch_va(const struct fz_thread *t)
{
	return ring_va(t) + RING_SIZE;
}

static uint64_t priv_va(const struct fz_thread *t)
{
	return PRIV_BASE + ((uint64_t)t->id << 32);
}

/* The VM in slot @i is pooled for @fr's file. */
static bool vm_of(struct proc *p, int i, const struct fref *fr)
{
	return i >= 0 && p->vms[i].live && p->vms[i].file == fr->f && p->vms[i].gen == fr->gen;
}

/* A VM of @fr's file whose id is still live; -1 if none. */
static int pick_vm(struct proc *p, struct rng *r, const struct fref *fr)
{
	int idx[MAX_VMS], n = 0;

	for (int i = 0; i < MAX_VMS; i++)
		if (vm_of(p, i, fr) && !p->vms[i].destroyed)
			idx[n++] = i;
	return n ? idx[below(r, n)] : -1;
}

static int vms_in_file(struct proc *p, const struct fref *fr)
{
	int n = 0;

	for (int i = 0; i < MAX_VMS; i++)
		n += vm_of(p, i, fr) && !p->vms[i].destroyed;
	return n;
}

/* Its jobs are held to the oracle: nothing we did may have faulted it. */
static bool vm_clean(struct proc *p, const struct fref *fr, int i)
{
	return vm_of(p, i, fr) && file_current(p, fr->f, fr->gen) && !p->files[fr->f].wild &&
	       !p->vms[i].tainted && !p->vms[i].uncertain && !p->vms[i].guilty;
}

/* Drop a VM slot once neither its id nor a queue holds it. */
static void vm_maybe_free(struct proc *p, int i)
{
	if (p->vms[i].live && p->vms[i].destroyed && p->vms[i].nqueues <= 0)
		p->vms[i].live = false;
}

static void vm_taint(struct proc *p, const struct fref *fr, int i)
{
	if (vm_of(p, i, fr))
		p->vms[i].tainted = true;
}

/* Pack @n elements of @size bytes into @buf at @stride; @junk: a non-zero byte beyond @size. */
static void pack(struct rng *r, uint8_t *buf, uint32_t stride, const void *elems, size_t size,
		 uint32_t n, bool junk)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = buf + (size_t)i * stride;

		memset(e, 0, stride);
		memcpy(e, (const uint8_t *)elems + i * size, size < stride ? size : stride);
		if (junk && stride > size)
			e[size + below(r, stride - size)] = (uint8_t)range(r, 1, 255);
	}
}

/* A valid element stride: mostly the struct's, sometimes longer (zero-padded). */
static uint32_t good_stride(struct rng *r, size_t size)
{
	return chance(r, 85) ? (uint32_t)size : (uint32_t)(size + 8 * range(r, 1, 4));
}

static void bind_describe(struct fz_thread *t, const struct fref *fr, const char *what,
			  const struct drm_tessera_vm_bind *vb, const struct drm_tessera_vm_bind_op *ops,
			  uint32_t nops)
{
	char buf[160] = "";
	size_t off = 0;

	for (uint32_t i = 0; i < nops && i < 3 && off < sizeof(buf) - 48; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s h%u+%#llx @%#llx/%#llx f%#x",
				i ? "; " : "", ops[i].op == DRM_TESSERA_BIND_OP_MAP ? "MAP" :
				ops[i].op == DRM_TESSERA_BIND_OP_UNMAP ? "UNMAP" : "OP?",
				ops[i].handle, (unsigned long long)ops[i].bo_offset,
				(unsigned long long)ops[i].va, (unsigned long long)ops[i].size,
				ops[i].flags);
	describe(t, "VM_BIND(file %d, vm %u, flags %#x, %u ops stride %u [%s%s], %u syncs)%s%s",
		 fr->f, vb->vm_id, vb->flags, vb->ops.count, vb->ops.stride, buf,
		 nops > 3 ? "; ..." : "", vb->syncs.count, what[0] ? ": " : "", what);
}

/*
 * A synchronous VM_BIND of @n ops on pooled VM @vi, applied to the model
 * on success.  @owner: see struct vmap.  Returns the errno.
 */
static int bind_sync(struct fz_thread *t, const struct fref *fr, int vi,
		     const struct drm_tessera_vm_bind_op *ops, uint32_t n, int owner,
		     const char *what)
{
	static _Thread_local uint8_t buf[8 * 72];
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_vm_bind vb = { 0 };
	struct ticket tk;
	enum expect exp;
	int err;

	lock(p);
	if (!vm_of(p, vi, fr) || p->vms[vi].destroyed) {
		unlock(p);
		return ENOENT;
	}
	vb.vm_id = p->vms[vi].id;
	bind_begin(&p->vms[vi], owner < 0, &tk, ops, n);
	exp = file_sane(p, fr) ? EXP_OK : EXP_ANY;
	unlock(p);
	vb.ops.stride = good_stride(r, sizeof(*ops));
	vb.ops.count = n;
	vb.ops.ptr = (uintptr_t)buf;
	pack(r, buf, vb.ops.stride, ops, sizeof(*ops), n, false);
	bind_describe(t, fr, what, &vb, ops, n);
	err = xioctl(t, OP_VM_BIND, fr, DRM_IOCTL_TESSERA_VM_BIND, &vb, BIND_WAIT_MS);
	expect(t, OP_VM_BIND, err, exp, e_nomem);
	if (!err && vb.ops_done != n)
		finding(t, "VM_BIND succeeded with ops_done %u of %u", vb.ops_done, n);
	lock(p);
	if (vm_of(p, vi, fr) && p->vms[vi].serial == tk.serial)
		bind_end(&p->vms[vi], &tk, err, ops, n, owner, false);
	unlock(p);
	return err;
}

/* ------------------------------------------------------------------ */
/* VM_CREATE, VM_DESTROY, VM_STATUS */

/* Create a pooled VM in @fr's file; its slot or -1. */
static int vm_create(struct fz_thread *t, const struct fref *fr)
{
	struct proc *p = t->p;
	struct drm_tessera_vm_create vc = { 0 };
	int err, i = -1;

	describe(t, "VM_CREATE(file %d)", fr->f);
	err = xioctl(t, OP_VM_CREATE, fr, DRM_IOCTL_TESSERA_VM_CREATE, &vc, 0);
	expect(t, OP_VM_CREATE, err, ok_if_sane(t, fr), e_nomem);
	if (err)
		return -1;
	lock(p);
	for (int k = 0; k < MAX_VMS; k++)
		if (vm_of(p, k, fr) && !p->vms[k].destroyed && p->vms[k].id == vc.vm_id &&
		    file_sane(p, fr)) {
			unlock(p);
			finding(t, "VM_CREATE returned vm id %u, which the file already has", vc.vm_id);
			return -1;
		}
	if (!vc.vm_id)
		finding(t, "VM_CREATE returned vm id 0");
	if (file_current(p, fr->f, fr->gen))
		i = slot_free(p->vms, sizeof(p->vms[0]), MAX_VMS);
	if (i >= 0)
		p->vms[i] = (struct vm){ .live = true, .file = fr->f, .gen = fr->gen,
					 .id = vc.vm_id, .serial = ++p->serial };
	unlock(p);
	if (i < 0) {
		struct drm_tessera_vm_destroy vd = { .vm_id = vc.vm_id };

		describe(t, "VM_DESTROY(file %d, vm %u): no room in the pool", fr->f, vc.vm_id);
		err = xioctl(t, OP_VM_DESTROY, fr, DRM_IOCTL_TESSERA_VM_DESTROY, &vd, 0);
		expect(t, OP_VM_DESTROY, err, ok_if_sane(t, fr), NULL);
	}
	return i;
}

static void a_vm_create(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_vm_create vc = { 0 };
	void *arg = &vc;
	struct fref fr;
	bool room;
	int err;

	if (!get_file(t, &fr))
		return;
	lock(p);
	room = vms_in_file(p, &fr) < MAX_VMS_FILE;
	unlock(p);
	if (room && chance(r, 85)) {
		vm_create(t, &fr);
		put_file(t, &fr);
		return;
	}
	if (chance(r, 70))
		vc.flags = (uint32_t)range(r, 1, 0xffffffff);
	else
		arg = bad_ptr(t, sizeof(vc));
	describe(t, "VM_CREATE(file %d, flags %#x%s)", fr.f, vc.flags,
		 arg == &vc ? "" : ", bad pointer");
	err = xioctl(t, OP_VM_CREATE, &fr, DRM_IOCTL_TESSERA_VM_CREATE, arg, 0);
	expect(t, OP_VM_CREATE, err, EXP_FAIL, NULL);
	put_file(t, &fr);
}

/*
 * A fresh file's VMs up to DRM_TESSERA_PARAM_VMS_PER_FILE_MAX: exactly
 * that many succeed, the next fails with -EMFILE, and closing the file
 * frees them all.  Once per process.
 */
static void a_vm_exhaust(struct fz_thread *t)
{
	struct proc *p = t->p;
	int card = below(&t->rng, cfg.ncards), err = 0;
	const struct card *c = &cfg.cards[card];
	static const int e_emfile[] = { EMFILE, 0 }, e_open[] = { ENOMEM, EMFILE, ENFILE, 0 };
	struct fref fr = { .f = -1, .card = card };
	char path[64];
	uint64_t n = 0;

	lock(p);
	if (p->exhausted || !c->vms_max || c->vms_max > 4096) {
		unlock(p);
		return;
	}
	p->exhausted = true;
	unlock(p);
	/* A file of its own, out of the pools: no other thread adds VMs to it. */
	snprintf(path, sizeof(path), "/dev/accel/accel%d", c->index);
	describe(t, "open(%s): a file to fill with VMs", path);
	call_begin(t, OP_OPEN, NULL, 0);
	fr.fd = open(path, O_RDWR | O_CLOEXEC);
	err = call_end(t, fr.fd);
	if (err) {
		expect(t, OP_OPEN, err, EXP_OK, e_open);
		return;
	}
	for (n = 0; n <= c->vms_max; n++) {
		struct drm_tessera_vm_create vc = { 0 };

		describe(t, "VM_CREATE(fd %d): VM %llu of at most %llu", fr.fd,
			 (unsigned long long)n + 1, (unsigned long long)c->vms_max);
		err = xioctl(t, OP_VM_CREATE, &fr, DRM_IOCTL_TESSERA_VM_CREATE, &vc, 0);
		if (err)
			break;
	}
	if (n < c->vms_max)
		expect(t, OP_VM_CREATE, err, EXP_OK, e_nomem);	/* too few: only -ENOMEM is allowed */
	else if (!err)
		finding(t, "VM_CREATE: a file got %llu VMs, VMS_PER_FILE_MAX is %llu",
			(unsigned long long)n, (unsigned long long)c->vms_max);
	else
		expect(t, OP_VM_CREATE, err, EXP_OK, e_emfile);
	describe(t, "close(fd %d) with %llu VMs", fr.fd, (unsigned long long)n);
	call_begin(t, OP_CLOSE, NULL, 0);
	err = call_end(t, close(fr.fd));
	expect(t, OP_CLOSE, err, EXP_OK, NULL);
}

static void a_vm_destroy(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_vm_destroy vd = { 0 };
	static const int e_noent[] = { ENOENT, 0 }, e_inval[] = { EINVAL, 0 };
	const int *only = NULL;
	enum expect exp = EXP_ANY;
	void *arg = &vd;
	struct fref fr;
	int i, err, kind = below(r, 100);

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_vm(p, r, &fr);
	if (i >= 0 && kind < 75) {
		/* Its queues, their jobs and the binds in flight keep the VM. */
		vd.vm_id = p->vms[i].id;
		p->vms[i].destroyed = true;
		p->files[fr.f].handle_seq++;
		vm_maybe_free(p, i);
		exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	} else if (kind < 82) {
		vd.vm_id = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		only = e_noent;
	} else if (kind < 88) {
		vd.vm_id = i >= 0 ? p->vms[i].id : 1;
		vd.pad = (uint32_t)range(r, 1, 0xffffffff);
		only = e_inval;
	} else if (kind < 94) {
		vd.vm_id = random_handle(r);
		p->files[fr.f].chaos = true;
		p->files[fr.f].handle_seq++;
		for (int k = 0; k < MAX_VMS; k++)
			if (vm_of(p, k, &fr) && !p->vms[k].destroyed && p->vms[k].id == vd.vm_id) {
				p->vms[k].destroyed = true;
				vm_maybe_free(p, k);
			}
	} else {
		arg = bad_ptr(t, sizeof(vd));
		exp = EXP_FAIL;
	}
	unlock(p);
	describe(t, "VM_DESTROY(file %d, vm %u, pad %u%s)", fr.f, vd.vm_id, vd.pad,
		 arg == &vd ? "" : ", bad pointer");
	err = xioctl(t, OP_VM_DESTROY, &fr, DRM_IOCTL_TESSERA_VM_DESTROY, arg, 0);
	if (only)
		expect_only(t, OP_VM_DESTROY, &fr, err, only, NULL);
	else
		expect(t, OP_VM_DESTROY, err, exp, NULL);
	put_file(t, &fr);
}

static bool status_sane(const struct drm_tessera_vm_status *st, const struct card *c)
{
	/* Guilty: it faulted, or was banned for hangs (banned is guilty too). */
	return !!(st->flags & DRM_TESSERA_VM_GUILTY) ==
	       (st->fault_count || (st->flags & DRM_TESSERA_VM_BANNED)) &&
	       !(st->flags & ~(DRM_TESSERA_VM_GUILTY | DRM_TESSERA_VM_BANNED)) &&
	       /* code 0: the driver lost the syndrome to an overflow */
	       !(st->fault_count && (st->fault_code > 10 || st->fault_access > 2 ||
				     st->fault_engine >= c->num_engines));
}

static const char *access_name(uint32_t a)
{
	return a == DRM_TESSERA_ACCESS_FETCH ? "fetch" : a == DRM_TESSERA_ACCESS_WRITE ? "write" :
	       a == DRM_TESSERA_ACCESS_READ ? "read" : "?";
}

static int vm_status(struct fz_thread *t, const struct fref *fr, uint32_t id,
		     struct drm_tessera_vm_status *st, enum expect exp)
{
	int err;

	memset(st, 0, sizeof(*st));
	st->vm_id = id;
	describe(t, "VM_STATUS(file %d, vm %u)", fr->f, id);
	err = xioctl(t, OP_VM_STATUS, fr, DRM_IOCTL_TESSERA_VM_STATUS, st, 0);
	expect(t, OP_VM_STATUS, err, exp, NULL);
	if (!err && !status_sane(st, &cfg.cards[fr->card]))
		finding(t, "VM_STATUS: flags %#x faults %u code %u access %u va %#llx engine %u",
			st->flags, st->fault_count, st->fault_code, st->fault_access,
			(unsigned long long)st->fault_va, st->fault_engine);
	return err;
}

/* After a finding about a job of pooled VM @vi: what the VM is and says. */
/*
 * A SUBMIT said -ENOENT although every handle it named was the file's:
 * which syncobj is gone now (none: the queue, which cannot be probed
 * without side effects)?
 */
static void explain_enoent(const struct fref *fr, const struct drm_tessera_sync *syncs,
			   uint32_t n, uint32_t own)
{
	uint32_t gone = 0;

	for (uint32_t k = 0; k < n; k++) {
		uint32_t h = syncs[k].handle;
		uint64_t pt;

		if (!drmSyncobjQuery(fr->fd, &h, &pt, 1))
			continue;
		out_line("#   syncobj %u (%s, sync %u, flags %#x) is gone: -%s\n", h,
			 h == own ? "the thread's own" : "pooled", k, syncs[k].flags,
			 strerrorname_np(errno));
		gone++;
	}
	if (!gone)
		out_line("#   every syncobj it named still exists: the queue is gone\n");
}

static void explain_vm(struct fz_thread *t, const struct fref *fr, int vi)
{
	struct proc *p = t->p;
	struct drm_tessera_vm_status st = { 0 };
	bool destroyed;
	int err, nq;

	lock(p);
	if (!vm_of(p, vi, fr)) {
		unlock(p);
		return;
	}
	st.vm_id = p->vms[vi].id;
	destroyed = p->vms[vi].destroyed;
	nq = p->vms[vi].nqueues;
	unlock(p);
	if (destroyed) {
		out_line("#   its VM (id %u) was destroyed by VM_DESTROY; %d pooled queues hold it\n",
			 st.vm_id, nq);
		return;
	}
	describe(t, "VM_STATUS(file %d, vm %u): after that finding", fr->f, st.vm_id);
	err = xioctl(t, OP_VM_STATUS, fr, DRM_IOCTL_TESSERA_VM_STATUS, &st, 0);
	if (err)
		out_line("#   its VM (id %u): VM_STATUS -%s\n", st.vm_id, strerrorname_np(err));
	else
		out_line("#   its VM (id %u): flags %#x, %u faults, code %u, %s at %#llx, engine %u\n",
			 st.vm_id, st.flags, st.fault_count, st.fault_code,
			 access_name(st.fault_access), (unsigned long long)st.fault_va, st.fault_engine);
}

static void a_vm_status(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_vm_status st = { 0 };
	enum expect exp = EXP_OK;
	uint64_t serial = 0;
	void *arg = &st;
	struct fref fr;
	int i, err;

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_vm(p, r, &fr);
	if (i >= 0) {
		st.vm_id = p->vms[i].id;
		serial = p->vms[i].serial;
		exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	}
	unlock(p);
	if (i < 0 || chance(r, 15)) {
		static const int e_noent[] = { ENOENT, 0 };

		switch (below(r, 4)) {
		case 0:
			st.vm_id = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
			describe(t, "VM_STATUS(file %d, vm %u): no such VM", fr.f, st.vm_id);
			err = xioctl(t, OP_VM_STATUS, &fr, DRM_IOCTL_TESSERA_VM_STATUS, &st, 0);
			if (!err)
				expect(t, OP_VM_STATUS, err, EXP_FAIL, NULL);
			else
				expect(t, OP_VM_STATUS, err, EXP_OK, e_noent);
			break;
		case 1:
			arg = bad_ptr(t, sizeof(st));
			describe(t, "VM_STATUS(file %d, bad pointer)", fr.f);
			err = xioctl(t, OP_VM_STATUS, &fr, DRM_IOCTL_TESSERA_VM_STATUS, arg, 0);
			expect(t, OP_VM_STATUS, err, EXP_FAIL, NULL);
			break;
		default:
			st.vm_id = random_handle(r);
			describe(t, "VM_STATUS(file %d, vm %u): a random id", fr.f, st.vm_id);
			err = xioctl(t, OP_VM_STATUS, &fr, DRM_IOCTL_TESSERA_VM_STATUS, &st, 0);
			expect(t, OP_VM_STATUS, err, EXP_ANY, NULL);
			break;
		}
		put_file(t, &fr);
		return;
	}
	err = vm_status(t, &fr, st.vm_id, &st, exp);
	if (err) {
		put_file(t, &fr);
		return;
	}
	lock(p);
	if ((st.flags & DRM_TESSERA_VM_GUILTY) && vm_of(p, i, &fr) && p->vms[i].serial == serial) {
		struct vm *v = &p->vms[i];
		bool clean = !v->tainted && !v->uncertain && !v->in_progress && file_sane(p, &fr) &&
			     !p->files[fr.f].wild;

		v->guilty = true;
		unlock(p);
		if (clean)
			finding(t, "VM %u guilty%s (code %u, %s at va %#llx, engine %u) though every "
				"job of the VM was valid", st.vm_id,
				st.flags & DRM_TESSERA_VM_BANNED ? " and banned" : "", st.fault_code,
				access_name(st.fault_access), (unsigned long long)st.fault_va,
				st.fault_engine);
	} else {
		unlock(p);
	}
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/* VM_BIND */

/* A range of pooled buffer @b (of @size bytes) to bind: offset and length. */
static void bo_range(struct rng *r, uint64_t size, uint64_t *off, uint64_t *len)
{
	uint64_t pages = size / PAGE;

	*off = chance(r, 60) ? 0 : PAGE * below(r, pages);
	*len = chance(r, 60) ? size - *off : PAGE * range(r, 1, pages - *off / PAGE);
}

static uint32_t data_flags(struct rng *r)
{
	static const uint32_t f[] = {
		DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE,
		DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE,
		DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE,
		DRM_TESSERA_BIND_READ,
		DRM_TESSERA_BIND_WRITE,
		DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_EXEC,
		DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE | DRM_TESSERA_BIND_EXEC,
	};

	return f[below(r, ARRAY_SIZE(f))];
}

static uint64_t data_va(struct rng *r)
{
	return DATA_BASE + SZ_2M * below(r, DATA_SLOTS) +
	       (chance(r, 50) ? 0 : PAGE * below(r, SZ_2M / PAGE));
}

static bool ops_overlap(const struct drm_tessera_vm_bind_op *ops, uint32_t n,
			const struct drm_tessera_vm_bind_op *op)
{
	for (uint32_t i = 0; i < n; i++)
		if (op->va < ops[i].va + ops[i].size && ops[i].va < op->va + op->size)
			return true;
	return false;
}

/*
 * Up to @max valid, non-overlapping ops on VM @vi of @fr's file, from
 * the pooled buffers; the caller holds the lock.  Near the model's
 * capacity, ops unmap whole mappings instead.
 */
static uint32_t good_ops(struct fz_thread *t, const struct fref *fr, int vi,
			 struct drm_tessera_vm_bind_op *ops, uint32_t max)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	const struct vm *v = &p->vms[vi];
	uint32_t n = 0, want = chance(r, 60) ? 1 : range(r, 2, max);

	for (uint32_t k = 0; k < want * 2 && n < want; k++) {
		struct drm_tessera_vm_bind_op op = { 0 };
		bool full = v->nmaps + 3 * (n + 1) > MAX_VMAPS;
		int b;

		if (full || chance(r, 25)) {
			/* unmap: a whole data mapping, a random range, or across several */
			int data[MAX_VMAPS], nd = 0;

			for (int i = 0; i < v->nmaps; i++)
				if (v->maps[i].owner < 0)
					data[nd++] = i;
			op.op = DRM_TESSERA_BIND_OP_UNMAP;
			if (nd && (full || chance(r, 60))) {
				const struct vmap *m = &v->maps[data[below(r, nd)]];

				op.va = m->va;
				op.size = m->size;
			} else if (full) {
				continue;
			} else {
				op.va = data_va(r);
				op.size = PAGE * range(r, 1, chance(r, 70) ? 16 : 2048);
			}
		} else {
			b = pick_bo(p, r, fr, true);
			if (b < 0 || p->bos[b].size < PAGE)
				continue;
			op.op = DRM_TESSERA_BIND_OP_MAP;
			op.handle = p->bos[b].handle;
			op.flags = data_flags(r);
			{
				uint64_t off, len;

				bo_range(r, p->bos[b].size & ~(PAGE - 1), &off, &len);
				op.bo_offset = off;
				op.size = len;
			}
			op.va = data_va(r);
		}
		if (!op.size || op.va + op.size > DATA_BASE + DATA_SLOTS * SZ_2M ||
		    ops_overlap(ops, n, &op))
			continue;
		ops[n++] = op;
	}
	return n;
}

/*
 * Make a bind bad in one way.  Returns the errnos it must fail with (a
 * static list), or NULL when it may still be valid.  @ops has room for
 * one more op.
 */
static const int *corrupt_bind(struct fz_thread *t, const struct fref *fr,
			       struct drm_tessera_vm_bind *vb, struct drm_tessera_vm_bind_op *ops,
			       struct drm_tessera_sync *syncs, bool *junk_ops, bool *junk_syncs,
			       char *what, size_t wlen)
{
	static const int e_inval[] = { EINVAL, 0 }, e_noent[] = { ENOENT, 0 },
			 e_fault[] = { EFAULT, 0 };
	const struct card *c = &cfg.cards[fr->card];
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_vm_bind_op *op = &ops[below(r, vb->ops.count)];
	int b;

	switch (below(r, 26)) {
	case 0:
		op->op = DRM_TESSERA_BIND_OP_MAP_SPARSE + (c->caps & DRM_TESSERA_CAP_SPARSE ? 1 : 0) +
			 (uint32_t)below(r, chance(r, 50) ? 4 : 0xfffffff0u);
		snprintf(what, wlen, "unknown op");
		return e_inval;
	case 1:
		if (op->op == DRM_TESSERA_BIND_OP_MAP)
			op->flags |= 1u << range(r, 3, 31);
		else
			op->flags = (uint32_t)range(r, 1, 0xffffffff);
		snprintf(what, wlen, "op flags");
		return e_inval;
	case 2: {
		static const uint32_t bad[] = { 0, DRM_TESSERA_BIND_EXEC,
						DRM_TESSERA_BIND_WRITE | DRM_TESSERA_BIND_EXEC };

		if (op->op != DRM_TESSERA_BIND_OP_MAP)
			return NULL;
		op->flags = bad[below(r, ARRAY_SIZE(bad))];
		snprintf(what, wlen, "permissions");
		return e_inval;
	}
	case 3:
		if (op->op != DRM_TESSERA_BIND_OP_UNMAP)
			return NULL;
		if (chance(r, 50))
			op->handle = (uint32_t)range(r, 1, 0xffffffff);
		else
			op->bo_offset = PAGE * range(r, 1, 16);
		snprintf(what, wlen, "UNMAP with a handle or offset");
		return e_inval;
	case 4:
		op->pad = (uint32_t)range(r, 1, 0xffffffff);
		snprintf(what, wlen, "op pad");
		return e_inval;
	case 5:
		switch (below(r, 3)) {
		case 0: op->va += range(r, 1, PAGE - 1); break;
		case 1: op->size += range(r, 1, PAGE - 1); break;
		default:
			if (op->op != DRM_TESSERA_BIND_OP_MAP)
				op->va |= 8;
			else
				op->bo_offset += range(r, 1, PAGE - 1);
			break;
		}
		snprintf(what, wlen, "unaligned");
		return e_inval;
	case 6:
		op->size = 0;
		snprintf(what, wlen, "size 0");
		return e_inval;
	case 7:
		switch (below(r, 4)) {
		case 0:
			op->va = c->va_start > PAGE ? PAGE * below(r, c->va_start / PAGE) : ~0ull & ~(PAGE - 1);
			op->size = PAGE;
			break;
		case 1:
			op->va = (c->va_end & ~(PAGE - 1)) - PAGE * below(r, 4);
			op->size = 8 * PAGE;
			break;
		case 2:
			op->va = ~0ull - PAGE * range(r, 1, 16) + 1;
			op->size = 32 * PAGE;	/* wraps */
			break;
		default:
			op->va = (1ull << 48) + PAGE * below(r, 1 << 20);	/* beyond 48 bits */
			break;
		}
		if (op->op == DRM_TESSERA_BIND_OP_MAP && op->bo_offset + op->size > SZ_2M)
			op->bo_offset = 0;
		snprintf(what, wlen, "outside [VA_START, VA_END)");
		return e_inval;	/* the range may also exceed the buffer: -EINVAL too */
	case 8:
		if (op->op != DRM_TESSERA_BIND_OP_MAP)
			return NULL;
		switch (below(r, 3)) {
		case 0: op->bo_offset += PAGE * range(r, 1, 64) + 64 * SZ_2M; break;
		case 1: op->size += PAGE * range(r, 1, 64) + 64 * SZ_2M; break;
		default: op->bo_offset = ~0ull & ~(PAGE - 1); break;	/* overflows */
		}
		snprintf(what, wlen, "beyond the buffer");
		return e_inval;
	case 9:
		/* overlaps another op of the call */
		ops[vb->ops.count] = *op;
		ops[vb->ops.count].va += PAGE * below(r, op->size / PAGE);
		if (ops[vb->ops.count].op == DRM_TESSERA_BIND_OP_MAP)
			ops[vb->ops.count].size = PAGE;
		else
			ops[vb->ops.count].size = op->size;
		vb->ops.count++;
		snprintf(what, wlen, "overlapping ops");
		return e_inval;
	case 10:
		if (op->op != DRM_TESSERA_BIND_OP_MAP)
			return NULL;
		op->handle = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		snprintf(what, wlen, "no such handle");
		return e_noent;
	case 11:
		/* another file's buffer: that number may be one of ours too */
		if (op->op != DRM_TESSERA_BIND_OP_MAP)
			return NULL;
		b = pick_bo_foreign(p, r, fr);
		op->handle = b >= 0 ? p->bos[b].handle : random_handle(r);
		op->bo_offset = 0;
		op->size = PAGE;
		snprintf(what, wlen, "a foreign handle");
		return NULL;
	case 12:
		vb->vm_id = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		snprintf(what, wlen, "no such VM");
		return e_noent;
	case 13:
		if (chance(r, 50))
			vb->flags |= 1u << range(r, 1, 31);
		else
			vb->pad = (uint32_t)range(r, 1, 0xffffffff);
		snprintf(what, wlen, "flags or pad");
		return e_inval;
	case 14:
		vb->syncs.count = range(r, 1, 4);
		vb->syncs.stride = sizeof(*syncs);
		vb->flags &= ~DRM_TESSERA_VM_BIND_ASYNC;
		snprintf(what, wlen, "syncs without ASYNC");
		return e_inval;
	case 15: {
		static const uint32_t bad[] = {
			0, DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_SIGNAL,
			DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT,
			DRM_TESSERA_SYNC_SIGNAL | DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT, 0x8, 0x80000002u,
		};

		vb->flags |= DRM_TESSERA_VM_BIND_ASYNC;
		if (!vb->syncs.count)
			vb->syncs.count = 1;
		syncs[below(r, vb->syncs.count)].flags = bad[below(r, ARRAY_SIZE(bad))];
		snprintf(what, wlen, "sync flags");
		return e_inval;
	}
	case 16:
		vb->flags |= DRM_TESSERA_VM_BIND_ASYNC;
		if (!vb->syncs.count)
			vb->syncs.count = 1;
		syncs[0].handle = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		syncs[0].flags = DRM_TESSERA_SYNC_SIGNAL;
		snprintf(what, wlen, "no such syncobj");
		return e_noent;
	case 17:
		vb->ops.stride = chance(r, 60) ? (uint32_t)below(r, sizeof(*ops)) :
			4097 + (uint32_t)below(r, 0x10000);
		snprintf(what, wlen, "ops stride");
		return e_inval;
	case 18:
		vb->ops.stride = sizeof(*ops) + 8 * range(r, 1, 4);
		*junk_ops = true;
		snprintf(what, wlen, "ops with unknown fields set");
		return e_inval;
	case 19:
		vb->ops.count = DRM_TESSERA_MAX_BIND_OPS + 1 + (uint32_t)below(r, chance(r, 50) ? 8 : 0xfffff000u);
		snprintf(what, wlen, "too many ops");
		return e_inval;
	case 20:
		vb->ops.ptr = bad_ptr_u64(t, (size_t)vb->ops.count * vb->ops.stride);
		snprintf(what, wlen, "ops pointer");
		return e_fault;
	case 21:
		vb->flags |= DRM_TESSERA_VM_BIND_ASYNC;
		if (!vb->syncs.count)
			vb->syncs.count = 1;
		switch (below(r, 4)) {
		case 0:
			vb->syncs.stride = below(r, sizeof(*syncs));
			snprintf(what, wlen, "syncs stride");
			return e_inval;
		case 1:
			vb->syncs.stride = sizeof(*syncs) + 8 * range(r, 1, 2);
			*junk_syncs = true;
			snprintf(what, wlen, "syncs with unknown fields set");
			return e_inval;
		case 2:
			vb->syncs.count = DRM_TESSERA_MAX_SYNCS + 1 + (uint32_t)below(r, 1000);
			snprintf(what, wlen, "too many syncs");
			return e_inval;
		default:
			vb->syncs.ptr = bad_ptr_u64(t, (size_t)vb->syncs.count * vb->syncs.stride);
			snprintf(what, wlen, "syncs pointer");
			return e_fault;
		}
	case 22: {
		/* past VA_END from any VA; above 4 GiB, past any buffer */
		static const uint64_t huge[] = { 1ull << 47, 1ull << 48, 1ull << 63,
						 ~0ull & ~(PAGE - 1), (4ull << 30) + PAGE };

		op->size = huge[below(r, ARRAY_SIZE(huge) - (op->op != DRM_TESSERA_BIND_OP_MAP))];
		snprintf(what, wlen, "huge size");
		return e_inval;
	}
	case 23:
		vb->ops.count = 0;
		snprintf(what, wlen, "no ops");
		return NULL;
	case 24:
		/* wait on a random syncobj point */
		vb->flags |= DRM_TESSERA_VM_BIND_ASYNC;
		syncs[vb->syncs.count++] = (struct drm_tessera_sync){
			.handle = random_handle(r), .flags = DRM_TESSERA_SYNC_WAIT,
			.point = chance(r, 50) ? 0 : range(r, 1, 1000),
		};
		snprintf(what, wlen, "a wait on a random syncobj");
		return NULL;
	default:
		vb->ops.count = 0;
		vb->ops.ptr = bad_ptr_u64(t, 64);
		snprintf(what, wlen, "no ops, bad pointer");
		t->bad_ptr = false;
		return NULL;
	}
}

/* Empty the thread's own syncobj @h, so that a wait on it sees only what comes next. */
static void sync_reset(struct fz_thread *t, const struct fref *fr, uint32_t h)
{
	int err;

	describe(t, "SYNCOBJ_RESET(file %d, %u): the thread's own", fr->f, h);
	call_begin(t, OP_SYNCOBJ_RESET, fr, 0);
	err = call_end(t, drmSyncobjReset(fr->fd, &h, 1));
	expect(t, OP_SYNCOBJ_RESET, err, ok_if_sane(t, fr), NULL);
}

/* Wait for the bind behind @sync (the thread's): its status, or 1 if it did not end. */
static int bind_wait(struct fz_thread *t, const struct fref *fr, uint32_t sync)
{
	double secs = 30 * cfg.time_scale;
	struct drm_tessera_fence_wait fw = { .handle = sync, .timeout_ns = (int64_t)abs_ns(secs) };
	int err;

	describe(t, "FENCE_WAIT(file %d, syncobj %u) for that bind", fr->f, sync);
	err = xioctl(t, OP_FENCE_WAIT, fr, DRM_IOCTL_TESSERA_FENCE_WAIT, &fw,
		     (unsigned int)(secs * 1000));
	expect(t, OP_FENCE_WAIT, err, EXP_ANY, NULL);
	if (err)
		return 1;
	count_status(fw.status);
	/* -ENOENT: a MAP whose VM's last user went while it was queued. */
	if (!status_ok(fw.status) && fw.status != -ENOENT)
		finding(t, "FENCE_WAIT status %d of a bind is not one the uAPI lists", fw.status);
	return fw.status;
}

static void a_vm_bind(struct fz_thread *t)
{
	static _Thread_local uint8_t obuf[(DRM_TESSERA_MAX_BIND_OPS + 2) * 72];
	static _Thread_local uint8_t sbuf[(DRM_TESSERA_MAX_SYNCS + 2) * 64];
	struct drm_tessera_vm_bind_op ops[DRM_TESSERA_MAX_BIND_OPS + 2];
	struct drm_tessera_sync syncs[DRM_TESSERA_MAX_SYNCS + 2];
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_vm_bind vb = { 0 };
	bool hostile = chance(r, 30), async = chance(r, 25), junk_ops = false, junk_syncs = false;
	bool every_vm = !hostile && chance(r, 10), waits = false;
	const int *only = NULL;
	struct cmdring *ring;
	char what[64] = "";
	struct ticket tk;
	enum expect exp;
	uint32_t n;
	struct fref fr;
	int vi, err;

	memset(ops, 0, 8 * sizeof(ops[0]));
	memset(syncs, 0, sizeof(syncs));
	if (!get_file(t, &fr))
		return;
	ring = ring_get(t, &fr);
	lock(p);
	vi = pick_vm(p, r, &fr);
	if (vi < 0 || !ring) {
		unlock(p);
		if (vi < 0)
			vm_create(t, &fr);
		put_file(t, &fr);
		return;
	}
	n = good_ops(t, &fr, vi, ops, 4);
	if (!n) {
		unlock(p);
		put_file(t, &fr);
		return;
	}
	if (every_vm) {
		/* The same ranges of the same buffers in every VM of the file. */
		unlock(p);
		for (int k = 0; k < MAX_VMS; k++) {
			lock(p);
			if (!vm_of(p, k, &fr) || p->vms[k].destroyed ||
			    p->vms[k].nmaps + 3 * n > MAX_VMAPS) {
				unlock(p);
				continue;
			}
			unlock(p);
			bind_sync(t, &fr, k, ops, n, -1, "the same binding in every VM");
		}
		put_file(t, &fr);
		return;
	}
	if (!async && !hostile) {
		unlock(p);
		bind_sync(t, &fr, vi, ops, n, -1, "");
		put_file(t, &fr);
		return;
	}

	vb.vm_id = p->vms[vi].id;
	exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	vb.ops.stride = good_stride(r, sizeof(ops[0]));
	vb.ops.count = n;
	vb.ops.ptr = (uintptr_t)obuf;
	vb.syncs.stride = good_stride(r, sizeof(syncs[0]));
	vb.syncs.ptr = (uintptr_t)sbuf;
	syncs[0] = (struct drm_tessera_sync){ .handle = ring->bind_sync,
					      .flags = DRM_TESSERA_SYNC_SIGNAL };
	if (async) {
		vb.flags = DRM_TESSERA_VM_BIND_ASYNC;
		vb.syncs.count = 1;
		/* after pooled syncobjs' fences, and signalling others */
		for (int k = range(r, 0, 2); k > 0; k--) {
			int si = pick_sobj(p, r, &fr);

			if (si < 0)
				break;
			if (p->sobjs[si].fenced && chance(r, 50)) {
				syncs[vb.syncs.count++] = (struct drm_tessera_sync){
					.handle = p->sobjs[si].handle, .flags = DRM_TESSERA_SYNC_WAIT,
					.point = p->sobjs[si].point && chance(r, 50) ?
						 range(r, 1, p->sobjs[si].point) : 0 };
				waits = true;
			} else {
				syncs[vb.syncs.count++] = (struct drm_tessera_sync){
					.handle = p->sobjs[si].handle, .flags = DRM_TESSERA_SYNC_SIGNAL,
					.point = chance(r, 50) ? ++p->sobjs[si].point : 0 };
			}
		}
	}
	unlock(p);
	if (hostile)
		only = corrupt_bind(t, &fr, &vb, ops, syncs, &junk_ops, &junk_syncs, what, sizeof(what));
	if (vb.ops.ptr == (uintptr_t)obuf && vb.ops.count <= DRM_TESSERA_MAX_BIND_OPS + 1 &&
	    vb.ops.stride >= sizeof(ops[0]) && vb.ops.stride <= 72)
		pack(r, obuf, vb.ops.stride, ops, sizeof(ops[0]),
		     vb.ops.count < n + 1 ? vb.ops.count : n + 1, junk_ops);
	else if (vb.ops.ptr == (uintptr_t)obuf && vb.ops.stride < sizeof(ops[0]))
		pack(r, obuf, sizeof(ops[0]), ops, sizeof(ops[0]), n, false);	/* what a short stride reads */
	if (vb.syncs.ptr == (uintptr_t)sbuf && vb.syncs.count <= DRM_TESSERA_MAX_SYNCS &&
	    vb.syncs.stride >= sizeof(syncs[0]) && vb.syncs.stride <= 64)
		pack(r, sbuf, vb.syncs.stride, syncs, sizeof(syncs[0]), vb.syncs.count, junk_syncs);
	if (!(vb.flags & DRM_TESSERA_VM_BIND_ASYNC) && vb.syncs.count && !only) {
		vb.syncs.count = 0;	/* a valid call without ASYNC has no syncs */
	}

	lock(p);
	if (!vm_of(p, vi, &fr)) {
		unlock(p);
		put_file(t, &fr);
		return;
	}
	bind_begin(&p->vms[vi], true, &tk, hostile ? NULL : ops, vb.ops.count);
	unlock(p);
	if (vb.flags & DRM_TESSERA_VM_BIND_ASYNC)
		sync_reset(t, &fr, ring->bind_sync);
	bind_describe(t, &fr, what, &vb, ops, vb.ops.count < n + 1 ? vb.ops.count : n + 1);
	err = xioctl(t, OP_VM_BIND, &fr, DRM_IOCTL_TESSERA_VM_BIND, &vb, BIND_WAIT_MS);
	if (only)
		/* too many ops or syncs is -EINVAL before anything is allocated */
		expect_only(t, OP_VM_BIND, &fr, err, only,
			    vb.ops.count > DRM_TESSERA_MAX_BIND_OPS ||
			    vb.syncs.count > DRM_TESSERA_MAX_SYNCS ? NULL : e_nomem);
	else
		/* -EINVAL: a point waited on whose submit failed, or that another thread reset */
		expect(t, OP_VM_BIND, err, hostile ? EXP_ANY : exp, waits ? e_nomem_inval : e_nomem);

	lock(p);
	if (vm_of(p, vi, &fr) && p->vms[vi].serial == tk.serial) {
		struct vm *v = &p->vms[vi];

		if (!err && hostile) {
			bind_end(v, &tk, EIO, ops, 0, -1, false);
			if (vb.ops.count)
				v->uncertain = true;	/* it did something; what exactly, the model cannot say */
		} else {
			/* Until an async bind is seen done, the VM's jobs may see either. */
			bind_end(v, &tk, err, ops, vb.ops.count, -1, async);
		}
	}
	for (uint32_t k = 1; !err && k < vb.syncs.count; k++)
		if (syncs[k].flags == DRM_TESSERA_SYNC_SIGNAL)
			for (int i = 0; i < MAX_SOBJS; i++)
				if (p->sobjs[i].live && p->sobjs[i].file == fr.f &&
				    p->sobjs[i].gen == fr.gen && p->sobjs[i].handle == syncs[k].handle) {
					p->sobjs[i].fenced = true;
					p->sobjs[i].dirty |= waits || hostile;
				}
	unlock(p);
	if (!err && !hostile) {
		/* The bind's fence: done with status 0, unless it waited on a failed job. */
		int st = chance(r, 95) ? bind_wait(t, &fr, ring->bind_sync) : 1;
		bool gone, sane;

		lock(p);
		/*
		 * Its VM destroyed meanwhile (and no queue left on it): -ENOENT
		 * is fair.  On a file whose handles another thread named at
		 * random the bind's own syncobj may hold another fence by now.
		 */
		gone = !vm_of(p, vi, &fr) || p->vms[vi].serial != tk.serial;
		sane = file_sane(p, &fr) && !p->files[fr.f].wild;
		unlock(p);
		if (st < 0 && !waits && sane && !(st == -ENOENT && gone))
			finding(t, "an asynchronous bind of valid ops ended with status %d", st);
		lock(p);
		if (vm_of(p, vi, &fr) && p->vms[vi].serial == tk.serial)
			bind_done(&p->vms[vi], &tk, st, ops, vb.ops.count);
		unlock(p);
	}
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/* Queues */

/* Create a pooled queue on pooled VM @vi; its slot or -1. */
static int queue_create(struct fz_thread *t, const struct fref *fr, int vi)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	const struct card *c = &cfg.cards[fr->card];
	struct drm_tessera_queue_create qc = { 0 };
	static const int e_acces[] = { EACCES, ENOMEM, 0 };
	enum expect exp = EXP_OK;
	const int *extra = e_nomem;
	uint64_t vserial;
	int err, i = -1;

	lock(p);
	if (!vm_of(p, vi, fr) || p->vms[vi].destroyed || p->files[fr->f].nqueues >= MAX_QUEUES_FILE) {
		unlock(p);
		return -1;
	}
	qc.vm_id = p->vms[vi].id;
	vserial = p->vms[vi].serial;
	if (!file_sane(p, fr))
		exp = EXP_ANY;
	unlock(p);
	qc.engine_class = c->num_dma && chance(r, 35) ? DRM_TESSERA_ENGINE_CLASS_DMA :
			  DRM_TESSERA_ENGINE_CLASS_COMPUTE;
	if (qc.engine_class == DRM_TESSERA_ENGINE_CLASS_COMPUTE && !c->num_compute)
		qc.engine_class = DRM_TESSERA_ENGINE_CLASS_DMA;
	qc.priority = below(r, 3);
	if (chance(r, 60))
		qc.engine = DRM_TESSERA_ENGINE_ANY;
	else if (qc.engine_class == DRM_TESSERA_ENGINE_CLASS_COMPUTE)
		qc.engine = below(r, c->num_compute);
	else
		qc.engine = c->num_compute + below(r, c->num_dma);
	if (qc.priority == DRM_TESSERA_QUEUE_PRIORITY_HIGH && geteuid())
		extra = e_acces;
	describe(t, "QUEUE_CREATE(file %d, vm %u, class %u, engine %#x, priority %u)", fr->f,
		 qc.vm_id, qc.engine_class, qc.engine, qc.priority);
	err = xioctl(t, OP_QUEUE_CREATE, fr, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc, 0);
	expect(t, OP_QUEUE_CREATE, err, exp, extra);
	if (err)
		return -1;
	if (!qc.queue_id)
		finding(t, "QUEUE_CREATE returned queue id 0");
	lock(p);
	if (file_current(p, fr->f, fr->gen) && vm_of(p, vi, fr) && p->vms[vi].serial == vserial) {
		i = slot_free(p->queues, sizeof(p->queues[0]), MAX_QUEUES);
		p->files[fr->f].nqueues++;
		if (i >= 0) {
			p->queues[i] = (struct queue){ .live = true, .file = fr->f, .gen = fr->gen,
						       .id = qc.queue_id, .engine_class = qc.engine_class,
						       .engine = qc.engine, .vm = vi, .vm_serial = vserial,
						       .serial = ++p->serial };
			p->vms[vi].nqueues++;
		}
	}
	unlock(p);
	return i;
}

static void a_queue_create(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_queue_create qc = { 0 };
	const struct card *c;
	static const int e_inval[] = { EINVAL, 0 }, e_noent[] = { ENOENT, 0 };
	const int *only = NULL;
	enum expect exp = EXP_FAIL;
	void *arg = &qc;
	struct fref fr;
	int err, vi;

	if (!get_file(t, &fr))
		return;
	c = &cfg.cards[fr.card];
	lock(p);
	vi = pick_vm(p, r, &fr);
	if (vi >= 0)
		qc.vm_id = p->vms[vi].id;
	unlock(p);
	if (vi < 0) {
		vm_create(t, &fr);
		put_file(t, &fr);
		return;
	}
	if (chance(r, 80)) {
		queue_create(t, &fr, vi);
		put_file(t, &fr);
		return;
	}
	qc.engine_class = below(r, 2);
	qc.engine = DRM_TESSERA_ENGINE_ANY;
	qc.priority = DRM_TESSERA_QUEUE_PRIORITY_NORMAL;
	switch (below(r, 7)) {
	case 0:
		qc.flags = (uint32_t)range(r, 1, 0xffffffff);
		only = e_inval;
		break;
	case 1:
		qc.priority = 3 + (uint32_t)below(r, 0xfffffff0u);
		only = e_inval;
		break;
	case 2:
		qc.engine_class = 2 + (uint32_t)below(r, 0xfffffff0u);
		only = e_inval;
		break;
	case 3:
		/* an engine of the other class, or none at all */
		if (chance(r, 50))
			qc.engine = qc.engine_class == DRM_TESSERA_ENGINE_CLASS_COMPUTE ?
				    c->num_compute + below(r, c->num_dma + 1) : below(r, c->num_compute);
		else
			qc.engine = c->num_engines + (uint32_t)below(r, 0xffff0000u);
		if (qc.engine == DRM_TESSERA_ENGINE_ANY)
			qc.engine--;
		only = e_inval;
		break;
	case 4:
		qc.vm_id = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		only = e_noent;
		break;
	case 5:
		qc.vm_id = random_handle(r);
		exp = EXP_ANY;
		set_chaos(t, &fr);	/* a queue on a VM the pool may not know */
		break;
	default:
		arg = bad_ptr(t, sizeof(qc));
		break;
	}
	describe(t, "QUEUE_CREATE(file %d, vm %u, class %u, engine %#x, priority %u, flags %#x%s)",
		 fr.f, qc.vm_id, qc.engine_class, qc.engine, qc.priority, qc.flags,
		 arg == &qc ? "" : ", bad pointer");
	err = xioctl(t, OP_QUEUE_CREATE, &fr, DRM_IOCTL_TESSERA_QUEUE_CREATE, arg, 0);
	if (only)
		expect_only(t, OP_QUEUE_CREATE, &fr, err, only, e_nomem);
	else
		expect(t, OP_QUEUE_CREATE, err, exp, NULL);
	if (!err && arg == &qc) {
		/* Not pooled: destroy it again. */
		struct drm_tessera_queue_destroy qd = { .queue_id = qc.queue_id };

		describe(t, "QUEUE_DESTROY(file %d, queue %u) of an unpooled queue", fr.f, qc.queue_id);
		err = xioctl(t, OP_QUEUE_DESTROY, &fr, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &qd, 0);
		expect(t, OP_QUEUE_DESTROY, err, EXP_ANY, NULL);
	}
	put_file(t, &fr);
}

/* Take queue slot @i out of the pool; the caller holds the lock. */
static void queue_forget(struct proc *p, int i)
{
	struct queue *q = &p->queues[i];

	q->live = false;
	p->files[q->file].nqueues--;
	if (p->vms[q->vm].live && p->vms[q->vm].serial == q->vm_serial) {
		p->vms[q->vm].nqueues--;
		vm_maybe_free(p, q->vm);
	}
}

static void a_queue_destroy(struct fz_thread *t)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	struct drm_tessera_queue_destroy qd = { 0 };
	static const int e_inval[] = { EINVAL, 0 }, e_noent[] = { ENOENT, 0 };
	const int *only = NULL;
	enum expect exp = EXP_ANY;
	void *arg = &qd;
	struct fref fr;
	int i, err, kind = below(r, 100);

	if (!get_file(t, &fr))
		return;
	lock(p);
	i = pick_queue(p, r, &fr);
	if (i >= 0 && kind < 75) {
		/* Its jobs still run. */
		qd.queue_id = p->queues[i].id;
		queue_forget(p, i);
		p->files[fr.f].handle_seq++;
		exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	} else if (kind < 82) {
		qd.queue_id = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		only = e_noent;
	} else if (kind < 88) {
		qd.queue_id = i >= 0 ? p->queues[i].id : 1;
		qd.pad = (uint32_t)range(r, 1, 0xffffffff);
		only = e_inval;
	} else if (kind < 94) {
		qd.queue_id = random_handle(r);
		p->files[fr.f].chaos = true;
		p->files[fr.f].handle_seq++;
		for (int q = 0; q < MAX_QUEUES; q++)
			if (p->queues[q].live && p->queues[q].file == fr.f &&
			    p->queues[q].gen == fr.gen && p->queues[q].id == qd.queue_id)
				queue_forget(p, q);
	} else {
		arg = bad_ptr(t, sizeof(qd));
		exp = EXP_FAIL;
	}
	unlock(p);
	describe(t, "QUEUE_DESTROY(file %d, queue %u, pad %u%s)", fr.f, qd.queue_id, qd.pad,
		 arg == &qd ? "" : ", bad pointer");
	err = xioctl(t, OP_QUEUE_DESTROY, &fr, DRM_IOCTL_TESSERA_QUEUE_DESTROY, arg, 0);
	if (only)
		expect_only(t, OP_QUEUE_DESTROY, &fr, err, only, NULL);
	else
		expect(t, OP_QUEUE_DESTROY, err, exp, NULL);
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/* Command rings */

/* Status of a signalled fence, as FENCE_WAIT reports it: 0 or the job's -errno. */
/*
 * Documentation/uapi.rst: -EFAULT/-EIO a fault, -ECANCELED a guilty or
 * banned VM (or a card reset), -ETIMEDOUT a hang, -ENODEV the card
 * went away, -ESRCH a job still waiting for a dependency when its queue
 * (or file) went away, -ENOENT an asynchronous bind whose VM was torn
 * down before it ran (a syncobj may carry a bind's fence as well as a
 * job's).
 */
static bool status_ok(int status)
{
	return status == 0 || status == -EFAULT || status == -EIO || status == -ECANCELED ||
	       status == -ETIMEDOUT || status == -ENODEV || status == -ESRCH || status == -ENOENT;
}

static void count_status(int status)
{
	static const int slot[] = { 0, -EFAULT, -EIO, -ECANCELED, -ETIMEDOUT, -ENODEV, -ESRCH,
				    -ENOENT };

	for (size_t i = 0; i < ARRAY_SIZE(slot); i++)
		if (slot[i] == status) {
			atomic_fetch_add(&shm->job_status[i], 1);
			return;
		}
	atomic_fetch_add(&shm->job_status[ARRAY_SIZE(shm->job_status) - 1], 1);
}

static void ring_release(struct cmdring *c)
{
	if (c->cpu)
		munmap(c->cpu, c->size);
	memset(c, 0, sizeof(*c));
}

/* This thread's command buffer in @fr's file, made on first use (not bound yet). */
static struct cmdring *ring_get(struct fz_thread *t, const struct fref *fr)
{
	struct rng *r = &t->rng;
	struct cmdring *c = &t->cmd[fr->f];
	const struct card *card = &cfg.cards[fr->card];
	struct drm_tessera_bo_create bc = { .size = RING_SIZE };
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
	describe(t, "mmap(file %d, handle %u, offset %#llx): command buffer", fr->f, bc.handle,
		 (unsigned long long)bc.mmap_offset);
	call_begin(t, OP_MMAP, fr, 0);
	m = mmap(NULL, RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fr->fd, bc.mmap_offset);
	err = call_end(t, m == MAP_FAILED ? -1 : 0);
	expect(t, OP_MMAP, err, ok_if_sane(t, fr), e_nomem);
	if (err)
		return NULL;
	c->cpu = m;
	c->size = RING_SIZE;
	c->file = fr->f;
	c->gen = fr->gen;
	c->handle = bc.handle;
	c->devmem = bc.flags & DRM_TESSERA_BO_DEVICE_MEM;
	describe(t, "SYNCOBJ_CREATE(file %d): the thread's own", fr->f);
	call_begin(t, OP_SYNCOBJ_CREATE, fr, 0);
	err = call_end(t, drmSyncobjCreate(fr->fd, 0, &c->sync));
	expect(t, OP_SYNCOBJ_CREATE, err, ok_if_sane(t, fr), e_nomem);
	if (!err) {
		call_begin(t, OP_SYNCOBJ_CREATE, fr, 0);
		err = call_end(t, drmSyncobjCreate(fr->fd, 0, &c->bind_sync));
		expect(t, OP_SYNCOBJ_CREATE, err, ok_if_sane(t, fr), e_nomem);
	}
	if (err) {
		ring_release(c);
		return NULL;
	}
	return c;
}

/* The two ops that bind ring @c at the thread's VAs. */
static void ring_ops(const struct fz_thread *t, const struct cmdring *c,
		     struct drm_tessera_vm_bind_op *ops)
{
	ops[0] = (struct drm_tessera_vm_bind_op){
		.op = DRM_TESSERA_BIND_OP_MAP, .flags = DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_EXEC,
		.handle = c->handle, .va = ring_va(t), .size = CMD_BYTES };
	ops[1] = (struct drm_tessera_vm_bind_op){
		.op = DRM_TESSERA_BIND_OP_MAP, .flags = DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE,
		.handle = c->handle, .bo_offset = CMD_BYTES, .va = scratch_va(t), .size = SCRATCH };
}

/* Ring @c bound in pooled VM @vi (binding it, over an older ring, if need be). */
static bool ring_bind(struct fz_thread *t, const struct fref *fr, struct cmdring *c, int vi)
{
	struct drm_tessera_vm_bind_op ops[2];
	struct proc *p = t->p;
	uint64_t serial;

	lock(p);
	if (!vm_of(p, vi, fr)) {
		unlock(p);
		return false;
	}
	serial = p->vms[vi].serial;
	if (c->bound[vi] == serial) {
		unlock(p);
		return true;
	}
	unlock(p);
	lock(p);
	/*
	 * On a file whose handles may have been closed behind the pools'
	 * back, the ring's handle may name another buffer by now: the VM may
	 * then run whatever that holds.
	 */
	if (!file_sane(p, fr))
		vm_taint(p, fr, vi);
	unlock(p);
	ring_ops(t, c, ops);
	if (bind_sync(t, fr, vi, ops, 2, t->id, "the thread's command buffer"))
		return false;
	c->bound[vi] = serial;
	return true;
}

/*
 * A full command buffer is closed and replaced: its bindings hold it
 * while jobs run from it, until the new one is bound over them.
 */
static void ring_retire(struct fz_thread *t, const struct fref *fr, struct cmdring *c)
{
	struct drm_gem_close gc = { .handle = c->handle };
	uint32_t sync = c->sync, bsync = c->bind_sync;
	int err;

	ring_release(c);
	describe(t, "GEM_CLOSE(file %d, handle %u): a full command buffer, bound, jobs may run",
		 fr->f, gc.handle);
	err = xioctl(t, OP_GEM_CLOSE, fr, DRM_IOCTL_GEM_CLOSE, &gc, 0);
	expect(t, OP_GEM_CLOSE, err, ok_if_sane(t, fr), NULL);
	describe(t, "SYNCOBJ_DESTROY(file %d, %u and %u): the thread's own", fr->f, sync, bsync);
	call_begin(t, OP_SYNCOBJ_DESTROY, fr, 0);
	err = call_end(t, drmSyncobjDestroy(fr->fd, sync));
	expect(t, OP_SYNCOBJ_DESTROY, err, ok_if_sane(t, fr), NULL);
	call_begin(t, OP_SYNCOBJ_DESTROY, fr, 0);
	err = call_end(t, drmSyncobjDestroy(fr->fd, bsync));
	expect(t, OP_SYNCOBJ_DESTROY, err, ok_if_sane(t, fr), NULL);
}

/* Room for @bytes more commands, retiring a full ring; NULL if none. */
static struct cmdring *ring_room(struct fz_thread *t, const struct fref *fr, uint32_t bytes)
{
	struct cmdring *c = ring_get(t, fr);

	if (c && c->off + bytes > CMD_BYTES) {
		ring_retire(t, fr, c);
		c = ring_get(t, fr);
	}
	return c;
}

/* Copy @n dwords into the ring; their VA. */
static uint64_t ring_put(struct fz_thread *t, struct cmdring *c, const uint32_t *dw, uint32_t n)
{
	uint64_t va = ring_va(t) + c->off;

	memcpy((uint8_t *)c->cpu + c->off, dw, 4 * n);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* write-combined mappings too */
	c->off = (c->off + 4 * n + 63) & ~63ull;
	return va;
}

static volatile uint32_t *scratch_cpu(struct cmdring *c, uint64_t off)
{
	return (volatile uint32_t *)((uint8_t *)c->cpu + CMD_BYTES + off);
}

/* Check that seqnos of one queue grow, as this thread sees them. */
static void check_seqno(struct fz_thread *t, const struct fref *fr, uint64_t queue, uint64_t seqno)
{
	struct seqkey *k, *free_k = NULL;

	for (k = t->seq; k < t->seq + ARRAY_SIZE(t->seq); k++) {
		if (!k->used) {
			free_k = free_k ? free_k : k;
			continue;
		}
		if (k->f == fr->f && k->gen == fr->gen && k->queue == queue) {
			if (seqno <= k->last)
				finding(t, "SUBMIT seqno %llu after %llu on the same queue",
					(unsigned long long)seqno, (unsigned long long)k->last);
			k->last = seqno;
			return;
		}
	}
	k = free_k ? free_k : &t->seq[below(&t->rng, ARRAY_SIZE(t->seq))];
	*k = (struct seqkey){ .used = true, .f = fr->f, .gen = fr->gen, .queue = queue,
			      .last = seqno };
}

/* ------------------------------------------------------------------ */
/* Submit */

/* A pooled queue of @fr's file, its VM's slot in *vi; makes a VM or queue if none. */
static int submit_queue(struct fz_thread *t, const struct fref *fr, int *vi, uint64_t *qserial)
{
	struct proc *p = t->p;
	int qi, v;

	lock(p);
	qi = pick_queue(p, &t->rng, fr);
	if (qi >= 0 && p->vms[p->queues[qi].vm].serial != p->queues[qi].vm_serial)
		qi = -1;	/* cannot happen: a queue holds its VM's slot */
	if (qi >= 0) {
		*vi = p->queues[qi].vm;
		*qserial = p->queues[qi].serial;
		unlock(p);
		return qi;
	}
	v = pick_vm(p, &t->rng, fr);
	unlock(p);
	if (v < 0)
		v = vm_create(t, fr);
	if (v >= 0)
		queue_create(t, fr, v);
	return -1;
}

/*
 * Make the submit's arguments bad in one way.  Returns the errnos it must
 * fail with, or NULL when it may still be valid (EXP_ANY).
 */
static const int *corrupt_submit(struct fz_thread *t, struct drm_tessera_submit *sb,
				 struct drm_tessera_sync *syncs, struct drm_tessera_bo_ref *refs,
				 const struct card *c, uint64_t hole, bool *junk_s, bool *junk_b,
				 char *what, size_t wlen)
{
	static const int e_inval[] = { EINVAL, 0 }, e_noent[] = { ENOENT, 0 },
			 e_fault[] = { EFAULT, 0 };
	struct rng *r = &t->rng;

	switch (below(r, 28)) {
	case 0:
		sb->flags = (uint32_t)range(r, 1, 0xffffffff);
		snprintf(what, wlen, "flags");
		return e_inval;
	case 1:
		sb->pad = (uint32_t)range(r, 1, 0xffffffff);
		snprintf(what, wlen, "pad");
		return e_inval;
	case 2:
		sb->queue_id = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		snprintf(what, wlen, "no such queue");
		return e_noent;
	case 3:
		sb->queue_id = random_handle(r);
		snprintf(what, wlen, "queue");
		return NULL;
	case 4:
		sb->cmd_size = 0;
		snprintf(what, wlen, "size 0");
		return e_inval;
	case 5:
		sb->cmd_size |= range(r, 1, 3);
		snprintf(what, wlen, "size unaligned");
		return e_inval;
	case 6:
		sb->cmd_size = chance(r, 50) ? (uint32_t)c->cmd_size_max + 4 : 0xfffffffcu;
		snprintf(what, wlen, "size too big");
		return e_inval;
	case 7:
		sb->cmd_va |= range(r, 1, 3);
		snprintf(what, wlen, "cmd_va unaligned");
		return e_inval;
	case 8:
		/* nothing bound there: the fetch faults */
		sb->cmd_va = hole ? hole : chance(r, 50) ? ~0ull - 3 : 4 * below(r, c->va_start / 4 + 1);
		snprintf(what, wlen, "cmd_va unbound");
		return NULL;
	case 9:
		/* the scratch page: READ | WRITE, not EXEC */
		sb->cmd_va = scratch_va(t) + 4 * below(r, 64);
		sb->cmd_size = 4 * range(r, 1, 64);
		snprintf(what, wlen, "cmd_va not EXEC");
		return NULL;
	case 10:
		sb->cmd_va += 4 * range(r, 0, sb->cmd_size / 4);
		snprintf(what, wlen, "range into the commands");
		return NULL;
	case 11:
		sb->syncs.count = DRM_TESSERA_MAX_SYNCS + 1 + (uint32_t)below(r, 0xffffff00u);
		snprintf(what, wlen, "too many syncs");
		return e_inval;
	case 12:
		sb->syncs.count = range(r, 1, 64);
		sb->syncs.ptr = bad_ptr_u64(t, sb->syncs.count * sb->syncs.stride);
		snprintf(what, wlen, "syncs pointer");
		return e_fault;
	case 13: {
		static const uint32_t bad[] = {
			0, DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_SIGNAL,
			DRM_TESSERA_SYNC_SIGNAL | DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT,
			DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT, 0x8, 0x80000001u,
		};

		if (!sb->syncs.count)
			sb->syncs.count = 1;
		syncs[below(r, sb->syncs.count)].flags = bad[below(r, ARRAY_SIZE(bad))];
		snprintf(what, wlen, "sync flags");
		return e_inval;
	}
	case 14:
		if (!sb->syncs.count)
			sb->syncs.count = 1;
		syncs[below(r, sb->syncs.count)].handle = random_handle(r);
		snprintf(what, wlen, "sync handle");
		return NULL;
	case 15:
		sb->bos.count = DRM_TESSERA_MAX_BO_REFS + 1 + (uint32_t)below(r, 0xffff0000u);
		snprintf(what, wlen, "too many buffers");
		return e_inval;
	case 16:
		sb->bos.count = range(r, 1, 1024);
		sb->bos.ptr = bad_ptr_u64(t, sb->bos.count * sb->bos.stride);
		snprintf(what, wlen, "bos pointer");
		return e_fault;
	case 17:
		if (!sb->bos.count)
			return NULL;
		refs[below(r, sb->bos.count)].flags |= 1u << range(r, 1, 31);
		snprintf(what, wlen, "bo flags");
		return e_inval;
	case 18:
		if (!sb->bos.count)
			return NULL;
		refs[sb->bos.count] = refs[below(r, sb->bos.count)];
		sb->bos.count++;
		snprintf(what, wlen, "buffer listed twice");
		return e_inval;
	case 19:
		if (!sb->bos.count)
			sb->bos.count = 1;
		refs[below(r, sb->bos.count)].handle = random_handle(r);
		snprintf(what, wlen, "bo handle");
		return NULL;
	case 20:
		if (!sb->bos.count)
			sb->bos.count = 1;
		refs[0].handle = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		refs[0].flags = 0;
		snprintf(what, wlen, "no such buffer");
		return e_noent;
	case 21:
		sb->syncs.stride = chance(r, 50) ? below(r, sizeof(*syncs)) : 4097 + below(r, 1 << 20);
		snprintf(what, wlen, "syncs stride");
		return e_inval;
	case 22:
		if (!sb->bos.count)
			sb->bos.count = 1;
		sb->bos.stride = chance(r, 50) ? below(r, sizeof(*refs)) : 4097 + below(r, 1 << 20);
		snprintf(what, wlen, "bos stride");
		return e_inval;
	case 23:
		sb->syncs.stride = sizeof(*syncs) + 8 * range(r, 1, 2);
		*junk_s = true;
		snprintf(what, wlen, "syncs with unknown fields set");
		return e_inval;
	case 24:
		if (!sb->bos.count)
			return NULL;
		sb->bos.stride = sizeof(*refs) + 8 * range(r, 1, 4);
		*junk_b = true;
		snprintf(what, wlen, "bos with unknown fields set");
		return e_inval;
	case 25:
		sb->cmd_va = (1ull << 48) + 4 * below(r, 1 << 20);
		snprintf(what, wlen, "cmd_va beyond 48 bits");
		return NULL;
	case 26:
		if (!sb->syncs.count)
			sb->syncs.count = 1;
		syncs[0].handle = chance(r, 50) ? 0 : 0x80000000u | (uint32_t)rnd(r);
		syncs[0].flags = DRM_TESSERA_SYNC_SIGNAL;
		snprintf(what, wlen, "no such syncobj");
		return e_noent;
	default:
		sb->bos.count = range(r, 1, 1024);
		for (uint32_t i = 0; i < sb->bos.count; i++)
			refs[i] = (struct drm_tessera_bo_ref){ .handle = random_handle(r),
							      .flags = below(r, 2) };
		snprintf(what, wlen, "many random buffers");
		return NULL;
	}
}

/*
 * Operands for a job in VM @vi: the thread's scratch, and pooled data
 * mappings of the VM (perhaps of buffers since closed: the bindings hold
 * them).  The caller holds the lock.
 */
static void pick_operands(struct fz_thread *t, struct stream *s, const struct vm *v)
{
	struct rng *r = &t->rng;

	s->ops[0] = (struct operand){ .va = scratch_va(t) + STREAM_OFF,
				      .size = CHECK_OFF - STREAM_OFF, .r = true, .w = true };
	s->nops = 1;
	for (int k = range(r, 0, MAX_OPERANDS - 1); k > 0 && v->nmaps; k--) {
		const struct vmap *m = &v->maps[below(r, v->nmaps)];

		if (m->owner >= 0)
			continue;
		s->ops[s->nops++] = (struct operand){
			.va = m->va, .size = m->size, .r = m->flags & DRM_TESSERA_BIND_READ,
			.w = m->flags & DRM_TESSERA_BIND_WRITE, .handle = m->handle };
	}
	s->hole_va = model_hole(r, v);
}

static void submit(struct fz_thread *t, bool hang)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	static _Thread_local uint32_t dw[16384];
	static _Thread_local struct drm_tessera_bo_ref refs[DRM_TESSERA_MAX_BO_REFS + 2];
	static _Thread_local uint8_t rbuf[(DRM_TESSERA_MAX_BO_REFS + 2) * 40];
	static _Thread_local uint8_t sbuf[(DRM_TESSERA_MAX_SYNCS + 2) * 64];
	struct drm_tessera_sync syncs[DRM_TESSERA_MAX_SYNCS + 2];
	struct drm_tessera_submit sb = { 0 };
	struct stream s = { .dw = dw, .max = 1024 };
	const int *only = NULL;
	const struct card *c;
	struct cmdring *ring;
	bool hostile, bad_args, strict, longnop, junk_s = false, junk_b = false;
	bool dirty_wait = false, raced = false, insane;
	unsigned int wfs = 0;
	uint32_t nsync = 0, nref = 0, bytes;
	uint64_t qserial, vserial;
	uint32_t map_seq;
	int extra[8] = { ENOMEM }, nextra = 1;
	enum expect exp;
	char what[48] = "";
	struct fref fr;
	int err, qi, vi;

	if (!get_file(t, &fr))
		return;
	c = &cfg.cards[fr.card];
	qi = submit_queue(t, &fr, &vi, &qserial);
	if (qi < 0)
		goto out;
	ring = ring_room(t, &fr, 4 * s.max);
	if (!ring || !ring_bind(t, &fr, ring, vi))
		goto out;
	hostile = !hang && chance(r, 10);
	bad_args = !hang && chance(r, 8);
	longnop = !hostile && !hang && chance(r, 3) && ring->off == 0;

	lock(p);
	if (!p->queues[qi].live || p->queues[qi].serial != qserial || !vm_of(p, vi, &fr)) {
		unlock(p);
		goto out;	/* destroyed meanwhile */
	}
	sb.queue_id = p->queues[qi].id;
	vserial = p->vms[vi].serial;
	s.compute = p->queues[qi].engine_class == DRM_TESSERA_ENGINE_CLASS_COMPUTE;
	pick_operands(t, &s, &p->vms[vi]);
	for (int k = 0; k < 2; k++) {
		/* another VM's mapping: probably nothing (or something else) here */
		int o = (int)below(r, MAX_VMS);

		if (p->vms[o].live && p->vms[o].nmaps && o != vi)
			s.foreign_va[s.nforeign++] = p->vms[o].maps[below(r, p->vms[o].nmaps)].va;
	}
	p->vms[vi].in_progress++;
	if (hostile || bad_args || hang)
		p->vms[vi].tainted = true;
	map_seq = p->vms[vi].map_seq;
	exp = file_sane(p, &fr) ? EXP_OK : EXP_ANY;
	unlock(p);

	s.hostile = hostile;
	s.hang = hang;
	s.sem_va = scratch_va(t);
	s.sem_seq = &t->sem_seq;
	if (longnop) {
		/* One NOP as long as the buffer allows: a big fetch. */
		uint32_t n = (uint32_t)range(r, 16, CMD_BYTES / 4);

		if (n > c->cmd_size_max / 4)
			n = (uint32_t)(c->cmd_size_max / 4);
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
	sb.cmd_va = ring_put(t, ring, dw, s.ndw);
	sb.cmd_size = bytes;

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
			dirty_wait |= so->dirty;
			syncs[nsync++] = w;
		} else {
			syncs[nsync++] = (struct drm_tessera_sync){
				.handle = so->handle, .flags = DRM_TESSERA_SYNC_SIGNAL,
				.point = chance(r, 50) ? ++so->point : 0,
			};
		}
	}
	unlock(p);
	if (nsync > 1) {
		extra[nextra++] = EINVAL;	/* a wait on a point another thread reset */
		extra[nextra++] = ETIME;	/* WAIT_FOR_SUBMIT on a point no one fills */
	}
	extra[nextra++] = ECANCELED;	/* judged below */

	/* Buffers for implicit sync: some operands' (a job need not list what it uses). */
	for (int o = 1; o < s.nops && chance(r, 70); o++) {
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
	if (nref)
		extra[nextra++] = ENOENT;	/* a bound buffer's handle may be closed by now */
	if (chance(r, 20)) {
		bool dup = false;

		for (uint32_t k = 0; k < nref; k++)
			dup |= refs[k].handle == ring->handle;
		if (!dup)
			refs[nref++] = (struct drm_tessera_bo_ref){ .handle = ring->handle };
	}
	extra[nextra] = 0;
	sb.syncs.count = nsync;
	sb.syncs.stride = good_stride(r, sizeof(syncs[0]));
	sb.syncs.ptr = (uintptr_t)sbuf;
	sb.bos.count = nref;
	sb.bos.stride = good_stride(r, sizeof(refs[0]));
	sb.bos.ptr = (uintptr_t)rbuf;
	if (bad_args) {
		uint32_t q = sb.queue_id;

		only = corrupt_submit(t, &sb, syncs, refs, c, s.hole_va, &junk_s, &junk_b, what,
				      sizeof(what));
		if (sb.queue_id != q && !only) {
			/* another queue, perhaps of another VM, runs commands meant for this one */
			lock(p);
			for (int k = 0; k < MAX_VMS; k++)
				vm_taint(p, &fr, k);
			unlock(p);
		}
	}
	if (sb.syncs.ptr == (uintptr_t)sbuf && sb.syncs.count <= DRM_TESSERA_MAX_SYNCS + 1)
		pack(r, sbuf, sb.syncs.stride >= sizeof(syncs[0]) && sb.syncs.stride <= 64 ?
		     sb.syncs.stride : sizeof(syncs[0]), syncs, sizeof(syncs[0]), sb.syncs.count,
		     junk_s);
	if (sb.bos.ptr == (uintptr_t)rbuf && sb.bos.count <= DRM_TESSERA_MAX_BO_REFS + 1)
		pack(r, rbuf, sb.bos.stride >= sizeof(refs[0]) && sb.bos.stride <= 40 ?
		     sb.bos.stride : sizeof(refs[0]), refs, sizeof(refs[0]), sb.bos.count, junk_b);

	describe(t, "SUBMIT(file %d, queue %u (vm slot %d), %u dw at %#llx [%s], syncs %u stride %u%s, "
		 "bos %u stride %u%s%s)", fr.f, sb.queue_id, vi, sb.cmd_size / 4,
		 (unsigned long long)sb.cmd_va, s.summary, sb.syncs.count, sb.syncs.stride,
		 wfs ? " with wait-for-submit" : "", sb.bos.count, sb.bos.stride,
		 bad_args ? ", bad " : "", what);
	/* Each WAIT_FOR_SUBMIT point may wait its own 10 s. */
	err = xioctl(t, OP_SUBMIT, &fr, DRM_IOCTL_TESSERA_SUBMIT, &sb, 10000 * wfs);
	if (only)
		/*
		 * the listed errno; or -ECANCELED if the VM's guilt is checked
		 * first; or what a sync or buffer before the bad one got (a
		 * pooled point without a fence, a WAIT_FOR_SUBMIT that timed
		 * out, a closed handle)
		 */
		expect_only(t, OP_SUBMIT, &fr, err, only, extra);
	else if (!expect(t, OP_SUBMIT, err, bad_args ? EXP_ANY : exp, extra) && err == ENOENT)
		explain_enoent(&fr, syncs, nsync, ring->sync);

	lock(p);
	if (vm_of(p, vi, &fr) && p->vms[vi].serial == vserial) {
		struct vm *v = &p->vms[vi];

		for (int o = 1; o < s.nops; o++)
			raced |= s.ops[o].used && hist_raced(v, &s.ops[o], map_seq);
		/* a bind changed its operands under it: it may fault, and its VM be guilty */
		if (raced && !err)
			v->tainted = true;
		if (err == ECANCELED && !v->tainted && !v->uncertain && !v->guilty &&
		    !p->files[fr.f].wild && file_sane(p, &fr) && !bad_args) {
			unlock(p);
			finding(t, "SUBMIT -ECANCELED on a VM none of whose jobs was bad");
			explain_vm(t, &fr, vi);
			lock(p);
		}
		if (err == ECANCELED)
			v->guilty = true;
		v->in_progress--;
		strict = !hostile && !bad_args && !hang && !s.bad && !raced &&
			 !dirty_wait && vm_clean(p, &fr, vi) && file_sane(p, &fr);
	} else {
		strict = false;
	}
	if (!err)
		for (uint32_t k = 0; k < nsync; k++)
			if (syncs[k].flags == DRM_TESSERA_SYNC_SIGNAL)
				for (int i = 0; i < MAX_SOBJS; i++)
					if (p->sobjs[i].live && p->sobjs[i].file == fr.f &&
					    p->sobjs[i].gen == fr.gen &&
					    p->sobjs[i].handle == syncs[k].handle) {
						p->sobjs[i].fenced = true;
						p->sobjs[i].dirty |= !strict;
					}
	unlock(p);
	if (err)
		goto out;
	atomic_fetch_add(&shm->jobs, 1);
	lock(p);
	insane = !file_sane(p, &fr);	/* a forked child may use a queue id since reused */
	unlock(p);
	if (!bad_args && !insane)
		check_seqno(t, &fr, qserial, sb.seqno);

	if (chance(r, strict ? 50 : 25) || hang) {
		double secs = 30 * cfg.time_scale;
		struct drm_tessera_fence_wait fw = { .handle = ring->sync,
						     .timeout_ns = (int64_t)abs_ns(secs) };
		bool chaos;

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
		/*
		 * A fork shares the command buffers with a child that has the
		 * same ring offsets: either may overwrite the other's commands.
		 */
		chaos = !file_sane(p, &fr) || p->files[fr.f].wild;
		strict = strict && !chaos && vm_of(p, vi, &fr) && p->vms[vi].serial == vserial &&
			 !p->vms[vi].tainted;
		unlock(p);
		if (hang && !chaos && fw.status != -ETIMEDOUT && fw.status != -ECANCELED)
			finding(t, "a job that waits forever ended with status %d, not -ETIMEDOUT",
				fw.status);
		/* A valid job of a clean VM can only hang on a disturbed semaphore. */
		if (strict && fw.status && fw.status != -ETIMEDOUT) {
			finding(t, "a valid job of a VM without a bad job ended with %d%s", fw.status,
				fw.status == -ECANCELED ? " (a reset caused by another VM?)" : "");
			explain_vm(t, &fr, vi);
		}
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
/* Jobs whose results are known exactly */

/* Submit @n dwords at @cmd_va on queue @qid signalling the ring's syncobj; the errno. */
static int submit_simple(struct fz_thread *t, const struct fref *fr, struct cmdring *c,
			 uint32_t qid, uint64_t cmd_va, uint32_t n, enum expect exp,
			 const int *extra, const char *what)
{
	struct drm_tessera_sync sy = { .handle = c->sync, .flags = DRM_TESSERA_SYNC_SIGNAL };
	struct drm_tessera_submit sb = {
		.queue_id = qid, .cmd_va = cmd_va, .cmd_size = 4 * n,
		.syncs = { .stride = sizeof(sy), .count = 1, .ptr = (uintptr_t)&sy },
	};
	int err;

	describe(t, "SUBMIT(file %d, queue %u, %u dw at %#llx): %s", fr->f, qid, n,
		 (unsigned long long)cmd_va, what);
	err = xioctl(t, OP_SUBMIT, fr, DRM_IOCTL_TESSERA_SUBMIT, &sb, 0);
	expect(t, OP_SUBMIT, err, exp, extra);
	if (!err)
		atomic_fetch_add(&shm->jobs, 1);
	return err;
}

/* Wait for the ring's syncobj with @timeout seconds (scaled); status, or 1 if not done. */
static int ring_wait(struct fz_thread *t, const struct fref *fr, struct cmdring *c, double timeout)
{
	double secs = timeout * cfg.time_scale;
	struct drm_tessera_fence_wait fw = { .handle = c->sync,
					     .timeout_ns = timeout ? (int64_t)abs_ns(secs) : 0 };
	int err;

	describe(t, "FENCE_WAIT(file %d, own syncobj %u, %.1f s)", fr->f, c->sync, secs);
	err = xioctl(t, OP_FENCE_WAIT, fr, DRM_IOCTL_TESSERA_FENCE_WAIT, &fw,
		     (unsigned int)(secs * 1000));
	expect(t, OP_FENCE_WAIT, err, EXP_ANY, NULL);
	if (err)
		return 1;
	count_status(fw.status);
	return fw.status;
}

/* The file and VM are still as the oracle knows them: results can be checked. */
static bool can_judge(struct proc *p, const struct fref *fr)
{
	bool ok;

	lock(p);
	ok = file_current(p, fr->f, fr->gen) && !p->files[fr->f].wild && !p->files[fr->f].chaos;
	unlock(p);
	return ok;
}

/*
 * On a clean pooled VM of the file: FILL a pattern into the thread's
 * checking area and COPY it on; the job must succeed and the CPU must see
 * both.  After a_fault, this is "the other VMs keep computing".
 */
static void checked_job(struct fz_thread *t, const struct fref *fr, const char *why)
{
	struct rng *r = &t->rng;
	struct proc *p = t->p;
	uint32_t dw[TESSERA_CMD_FILL_LEN + TESSERA_CMD_COPY_LEN], n = 0, qid = 0;
	uint32_t pattern = (uint32_t)rnd(r) | 1, words = 4 * range(r, 1, 32);
	uint64_t src = scratch_va(t) + CHECK_OFF, dst = src + (SCRATCH - CHECK_OFF) / 2, cmd_va;
	struct cmdring *c;
	uint64_t vserial = 0;
	int qi = -1, vi = -1, st;

	lock(p);
	for (int k = 0; k < 4 && qi < 0; k++) {
		int q = pick_queue(p, r, fr);

		if (q >= 0 && vm_clean(p, fr, p->queues[q].vm) && file_sane(p, fr)) {
			qi = q;
			vi = p->queues[q].vm;
			qid = p->queues[q].id;
			vserial = p->vms[vi].serial;
		}
	}
	unlock(p);
	if (qi < 0)
		return;
	c = ring_room(t, fr, sizeof(dw));
	if (!c || !ring_bind(t, fr, c, vi))
		return;
	for (uint32_t i = 0; i < words; i++) {
		*scratch_cpu(c, CHECK_OFF + 4 * i) = 0;
		*scratch_cpu(c, dst - scratch_va(t) + 4 * i) = 0;
	}
	dw[n++] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
	dw[n++] = (uint32_t)src;
	dw[n++] = (uint32_t)(src >> 32);
	dw[n++] = 4 * words;
	dw[n++] = pattern;
	dw[n++] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN);
	dw[n++] = (uint32_t)src;
	dw[n++] = (uint32_t)(src >> 32);
	dw[n++] = (uint32_t)dst;
	dw[n++] = (uint32_t)(dst >> 32);
	dw[n++] = 4 * words;
	cmd_va = ring_put(t, c, dw, n);
	if (submit_simple(t, fr, c, qid, cmd_va, n, EXP_ANY, NULL, why))
		return;
	st = ring_wait(t, fr, c, 30);
	lock(p);
	/* still clean: nothing made the VM's jobs fail meanwhile */
	if (!vm_of(p, vi, fr) || p->vms[vi].serial != vserial || !vm_clean(p, fr, vi) ||
	    !file_sane(p, fr))
		st = 1;
	unlock(p);
	if (st == 1)
		return;
	if (st && st != -ETIMEDOUT) {
		finding(t, "a FILL + COPY in a clean VM ended with %d (%s)", st, why);
		explain_vm(t, fr, vi);
		return;
	}
	for (uint32_t i = 0; !st && i < words; i++) {
		uint32_t a = *scratch_cpu(c, CHECK_OFF + 4 * i);
		uint32_t b = *scratch_cpu(c, dst - scratch_va(t) + 4 * i);

		if (a != pattern || b != pattern) {
			finding(t, "a FILL + COPY in a clean VM: word %u is %#x and %#x, not %#x (%s)",
				i, a, b, pattern, why);
			break;
		}
	}
}

static void a_checked_job(struct fz_thread *t)
{
	struct fref fr;

	if (!get_file(t, &fr))
		return;
	checked_job(t, &fr, "results checked");
	put_file(t, &fr);
}

/* ------------------------------------------------------------------ */
/*
 * Faults with known syndromes, in a private VM of the thread: a write
 * through a READ-only binding, a fetch from a binding without EXEC, an
 * access to a range unbound while a job ran; and a VM destroyed while its
 * job waits.  Each job must end as the uAPI says, the VM's status must
 * name the fault exactly, the VM then refuses submits, and the file's
 * other VMs keep computing.
 */

struct priv {
	uint32_t vm, queue;
	bool vm_gone, queue_gone;
};

static bool priv_open(struct fz_thread *t, const struct fref *fr, struct cmdring *c,
		      struct priv *pv)
{
	struct drm_tessera_vm_create vc = { 0 };
	struct drm_tessera_queue_create qc = { .engine_class = DRM_TESSERA_ENGINE_CLASS_COMPUTE,
					       .engine = DRM_TESSERA_ENGINE_ANY,
					       .priority = DRM_TESSERA_QUEUE_PRIORITY_NORMAL };
	struct drm_tessera_vm_bind_op ops[2];
	struct drm_tessera_vm_bind vb = { .ops = { .stride = sizeof(ops[0]), .count = 2,
						   .ptr = (uintptr_t)ops } };
	const struct card *card = &cfg.cards[fr->card];
	int err;

	memset(pv, 0, sizeof(*pv));
	pv->vm_gone = pv->queue_gone = true;
	describe(t, "VM_CREATE(file %d): a private VM", fr->f);
	err = xioctl(t, OP_VM_CREATE, fr, DRM_IOCTL_TESSERA_VM_CREATE, &vc, 0);
	expect(t, OP_VM_CREATE, err, ok_if_sane(t, fr), e_nomem);
	if (err)
		return false;
	pv->vm = vc.vm_id;
	pv->vm_gone = false;
	if (!card->num_compute)
		qc.engine_class = DRM_TESSERA_ENGINE_CLASS_DMA;
	qc.vm_id = pv->vm;
	describe(t, "QUEUE_CREATE(file %d, private vm %u, class %u)", fr->f, pv->vm,
		 qc.engine_class);
	err = xioctl(t, OP_QUEUE_CREATE, fr, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc, 0);
	expect(t, OP_QUEUE_CREATE, err, ok_if_sane(t, fr), e_nomem);
	if (err)
		return false;
	pv->queue = qc.queue_id;
	pv->queue_gone = false;
	ring_ops(t, c, ops);
	vb.vm_id = pv->vm;
	describe(t, "VM_BIND(file %d, private vm %u): the thread's command buffer", fr->f, pv->vm);
	err = xioctl(t, OP_VM_BIND, fr, DRM_IOCTL_TESSERA_VM_BIND, &vb, 0);
	expect(t, OP_VM_BIND, err, ok_if_sane(t, fr), e_nomem);
	return !err;
}

static void priv_close(struct fz_thread *t, const struct fref *fr, struct priv *pv)
{
	int err;

	if (!pv->queue_gone) {
		struct drm_tessera_queue_destroy qd = { .queue_id = pv->queue };

		describe(t, "QUEUE_DESTROY(file %d, private queue %u)", fr->f, pv->queue);
		err = xioctl(t, OP_QUEUE_DESTROY, fr, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &qd, 0);
		expect(t, OP_QUEUE_DESTROY, err, ok_if_sane(t, fr), NULL);
		pv->queue_gone = true;
	}
	if (!pv->vm_gone) {
		struct drm_tessera_vm_destroy vd = { .vm_id = pv->vm };

		describe(t, "VM_DESTROY(file %d, private vm %u)", fr->f, pv->vm);
		err = xioctl(t, OP_VM_DESTROY, fr, DRM_IOCTL_TESSERA_VM_DESTROY, &vd, 0);
		expect(t, OP_VM_DESTROY, err, ok_if_sane(t, fr), NULL);
		pv->vm_gone = true;
	}
}

static int priv_bind(struct fz_thread *t, const struct fref *fr, const struct priv *pv,
		     struct drm_tessera_vm_bind_op *op, uint32_t async_sync, const char *what)
{
	struct drm_tessera_sync sy = { .handle = async_sync, .flags = DRM_TESSERA_SYNC_SIGNAL };
	struct drm_tessera_vm_bind vb = {
		.vm_id = pv->vm, .flags = async_sync ? DRM_TESSERA_VM_BIND_ASYNC : 0,
		.ops = { .stride = sizeof(*op), .count = 1, .ptr = (uintptr_t)op },
		.syncs = { .stride = sizeof(sy), .count = async_sync ? 1 : 0, .ptr = (uintptr_t)&sy },
	};
	int err;

	bind_describe(t, fr, what, &vb, op, 1);
	err = xioctl(t, OP_VM_BIND, fr, DRM_IOCTL_TESSERA_VM_BIND, &vb, BIND_WAIT_MS);
	expect(t, OP_VM_BIND, err, ok_if_sane(t, fr), e_nomem);
	return err;
}

/*
 * A job that faults on purpose must end with -EFAULT and its VM's status
 * name the fault exactly (code, access, page).  One exception: if another
 * context's fault on the same ring was still latched, the card keeps no
 * syndrome for this one (FAULT_STATUS.OVERFLOW, programming guide): then
 * the job ends with -EIO and the VM is guilty with code 0.
 */
static void fault_judge(struct fz_thread *t, const struct fref *fr, const struct priv *pv,
			int st, uint32_t code, uint32_t access, uint64_t va, const char *what)
{
	struct drm_tessera_vm_status vs;

	if (st == 1 || !can_judge(t->p, fr))
		return;
	if (st != -EFAULT && st != -EIO) {
		finding(t, "%s: the job ended with %d, not -EFAULT", what, st);
		return;
	}
	if (vm_status(t, fr, pv->vm, &vs, ok_if_sane(t, fr)) || !can_judge(t->p, fr))
		return;
	if (st == -EIO ? vs.flags != DRM_TESSERA_VM_GUILTY || !vs.fault_count || vs.fault_code :
	    vs.flags != DRM_TESSERA_VM_GUILTY || !vs.fault_count || vs.fault_code != code ||
	    vs.fault_access != access || (vs.fault_va & ~(PAGE - 1)) != (va & ~(PAGE - 1)))
		finding(t, "%s: job status %d, VM_STATUS flags %#x, %u faults, code %u, %s at %#llx; "
			"expected guilty, code %u, %s at %#llx (or -EIO and code 0 after an overflow)",
			what, st, vs.flags, vs.fault_count, vs.fault_code, access_name(vs.fault_access),
			(unsigned long long)vs.fault_va, code, access_name(access),
			(unsigned long long)va);
}

static uint32_t put_fill(uint32_t *dw, uint64_t va, uint32_t bytes, uint32_t pattern)
{
	dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
	dw[1] = (uint32_t)va;
	dw[2] = (uint32_t)(va >> 32);
	dw[3] = bytes;
	dw[4] = pattern;
	return TESSERA_CMD_FILL_LEN;
}

static uint32_t put_sem_wait(uint32_t *dw, uint64_t va, uint32_t value)
{
	dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT, TESSERA_CMD_SEM_LEN);
	dw[1] = (uint32_t)va;
	dw[2] = (uint32_t)(va >> 32);
	dw[3] = value;
	dw[4] = 0;
	return TESSERA_CMD_SEM_LEN;
}

/*
 * Hold a job on the CPU-released semaphore, FILL a fresh buffer bound in
 * the private VM, then (@destroy) destroy the VM and its queue and close
 * the buffer, or (else) unbind the range asynchronously: neither may
 * wait for the job or take anything from under it.  Released, the job
 * must complete with its results in the buffer; after the unbind, a job
 * touching the range faults.
 */
static void fault_held(struct fz_thread *t, const struct fref *fr, struct cmdring *c,
		       struct priv *pv, bool destroy)
{
	struct drm_tessera_bo_create bc = { .size = 2 * PAGE };
	struct drm_tessera_vm_bind_op op = { .op = DRM_TESSERA_BIND_OP_MAP,
					     .flags = DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE,
					     .va = priv_va(t), .size = 2 * PAGE };
	uint32_t dw[16], n, rel = ++t->rel_seq, pattern = (uint32_t)rnd(&t->rng) | 1;
	uint64_t cmd_va;
	uint32_t *cpu;
	bool mapped;
	int err, st;

	describe(t, "BO_CREATE(file %d, 8 KiB): a held job's output", fr->f);
	err = xioctl(t, OP_BO_CREATE, fr, DRM_IOCTL_TESSERA_BO_CREATE, &bc, 0);
	expect(t, OP_BO_CREATE, err, EXP_OK, e_nomem);
	if (err)
		return;
	describe(t, "mmap(file %d, handle %u): a held job's output", fr->f, bc.handle);
	call_begin(t, OP_MMAP, fr, 0);
	cpu = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fr->fd, bc.mmap_offset);
	err = call_end(t, cpu == MAP_FAILED ? -1 : 0);
	expect(t, OP_MMAP, err, ok_if_sane(t, fr), e_nomem);
	mapped = !err;
	op.handle = bc.handle;
	if (mapped && !priv_bind(t, fr, pv, &op, 0, "a held job's output")) {
		n = put_sem_wait(dw, scratch_va(t) + 4 * SEM_RELEASE_SLOT, rel);
		n += put_fill(dw + n, priv_va(t), 2 * PAGE, pattern);
		cmd_va = ring_put(t, c, dw, n);
		if (submit_simple(t, fr, c, pv->queue, cmd_va, n, ok_if_sane(t, fr), e_nomem,
				  "held on a semaphore")) {
			__atomic_store_n(scratch_cpu(c, 4 * SEM_RELEASE_SLOT), rel, __ATOMIC_SEQ_CST);
			goto done;
		}
		if (destroy) {
			struct drm_gem_close gc = { .handle = bc.handle };

			priv_close(t, fr, pv);
			describe(t, "GEM_CLOSE(file %d, handle %u): bound, a job waits to fill it",
				 fr->f, bc.handle);
			err = xioctl(t, OP_GEM_CLOSE, fr, DRM_IOCTL_GEM_CLOSE, &gc, 0);
			expect(t, OP_GEM_CLOSE, err, ok_if_sane(t, fr), NULL);
			bc.handle = 0;
		} else {
			struct drm_tessera_vm_bind_op un = { .op = DRM_TESSERA_BIND_OP_UNMAP,
							     .va = priv_va(t), .size = 2 * PAGE };

			sync_reset(t, fr, c->bind_sync);
			if (priv_bind(t, fr, pv, &un, c->bind_sync, "unbind under a held job"))
				destroy = true;	/* no unbind to check */
		}
		usleep((useconds_t)(20000 * cfg.time_scale));
		st = ring_wait(t, fr, c, 0);
		if (st != 1 && can_judge(t->p, fr))
			finding(t, "a job held on a semaphore ended (%d) before its release", st);
		if (!destroy) {
			struct drm_tessera_fence_wait fw = { .handle = c->bind_sync };

			describe(t, "FENCE_WAIT(file %d, %u, poll): the unbind behind a held job",
				 fr->f, c->bind_sync);
			err = xioctl(t, OP_FENCE_WAIT, fr, DRM_IOCTL_TESSERA_FENCE_WAIT, &fw, 0);
			expect(t, OP_FENCE_WAIT, err, EXP_ANY, NULL);
			if (!err && can_judge(t->p, fr))
				finding(t, "an unbind of a range a held job uses completed (%d) "
					"before the job", fw.status);
		}
		__atomic_store_n(scratch_cpu(c, 4 * SEM_RELEASE_SLOT), rel, __ATOMIC_SEQ_CST);
		st = ring_wait(t, fr, c, 30);
		if (st && st != 1 && can_judge(t->p, fr))
			finding(t, "a job held on a semaphore%s ended with %d after its release",
				destroy ? ", its VM destroyed, its buffer closed," :
				", its output unbound,", st);
		for (uint32_t i = 0; !st && i < 2 * PAGE / 4; i++)
			if (cpu[i] != pattern && can_judge(t->p, fr)) {
				finding(t, "a held job%s: word %u of its output is %#x, not %#x",
					destroy ? " whose VM was destroyed" : " whose output was unbound",
					i, cpu[i], pattern);
				break;
			}
		if (!destroy && !st) {
			st = bind_wait(t, fr, c->bind_sync);
			if (st && st != 1 && can_judge(t->p, fr))
				finding(t, "an unbind behind a held job ended with %d", st);
			/* Gone for later jobs: a write there faults, no translation. */
			n = put_fill(dw, priv_va(t) + PAGE, 64, 0xbad);
			cmd_va = ring_put(t, c, dw, n);
			if (!st && !submit_simple(t, fr, c, pv->queue, cmd_va, n, ok_if_sane(t, fr),
						  e_nomem, "a write to the unbound range")) {
				fault_judge(t, fr, pv, ring_wait(t, fr, c, 30), 5,
					    DRM_TESSERA_ACCESS_WRITE, priv_va(t) + PAGE,
					    "a write to an unbound range");
			}
		}
	}
done:
	if (mapped)
		munmap(cpu, 2 * PAGE);
	if (bc.handle) {
		struct drm_gem_close gc = { .handle = bc.handle };

		describe(t, "GEM_CLOSE(file %d, handle %u)", fr->f, bc.handle);
		err = xioctl(t, OP_GEM_CLOSE, fr, DRM_IOCTL_GEM_CLOSE, &gc, 0);
		expect(t, OP_GEM_CLOSE, err, ok_if_sane(t, fr), NULL);
	}
}

static void a_fault(struct fz_thread *t)
{
	static const int e_canceled[] = { ECANCELED, 0 };
	struct rng *r = &t->rng;
	const struct card *card;
	struct cmdring *c;
	struct priv pv;
	uint32_t dw[16], n;
	uint64_t cmd_va, va;
	struct fref fr;
	int kind = below(r, 4), err, st = 1;

	if (!get_file(t, &fr))
		return;
	card = &cfg.cards[fr.card];
	if (kind == 1 && !(card->caps & DRM_TESSERA_CAP_EXEC_PERM))
		kind = 0;	/* READ implies EXEC on this card */
	c = ring_room(t, &fr, 256);
	if (!c || !priv_open(t, &fr, c, &pv))
		goto out;
	switch (kind) {
	case 0: {
		/* the scratch page again, READ only: a FILL through it */
		struct drm_tessera_vm_bind_op op = {
			.op = DRM_TESSERA_BIND_OP_MAP, .flags = DRM_TESSERA_BIND_READ,
			.handle = c->handle, .bo_offset = CMD_BYTES, .va = priv_va(t), .size = PAGE };

		if (priv_bind(t, &fr, &pv, &op, 0, "READ only"))
			break;
		va = priv_va(t) + CHECK_OFF;
		n = put_fill(dw, va, 64, 0x5117);
		cmd_va = ring_put(t, c, dw, n);
		if (submit_simple(t, &fr, c, pv.queue, cmd_va, n, ok_if_sane(t, &fr), e_nomem,
				  "a write through a READ-only binding"))
			break;
		st = ring_wait(t, &fr, c, 30);
		fault_judge(t, &fr, &pv, st, 6, DRM_TESSERA_ACCESS_WRITE, va,
			    "a write through a READ-only binding");
		break;
	}
	case 1: {
		/* the commands again, READ without EXEC: the fetch faults */
		struct drm_tessera_vm_bind_op op = {
			.op = DRM_TESSERA_BIND_OP_MAP, .flags = DRM_TESSERA_BIND_READ,
			.handle = c->handle, .va = priv_va(t), .size = CMD_BYTES };

		if (priv_bind(t, &fr, &pv, &op, 0, "READ, no EXEC"))
			break;
		n = put_fill(dw, scratch_va(t) + CHECK_OFF, 64, 0xf00d);
		cmd_va = ring_put(t, c, dw, n) - ring_va(t) + priv_va(t);
		if (submit_simple(t, &fr, c, pv.queue, cmd_va, n, ok_if_sane(t, &fr), e_nomem,
				  "commands in a binding without EXEC"))
			break;
		st = ring_wait(t, &fr, c, 30);
		fault_judge(t, &fr, &pv, st, 6, DRM_TESSERA_ACCESS_FETCH, cmd_va,
			    "a fetch from a non-EXEC binding");
		break;
	}
	default:
		fault_held(t, &fr, c, &pv, kind == 3);
		break;
	}
	if (!pv.queue_gone && (st == -EFAULT || st == -EIO)) {
		/* A guilty VM takes no more jobs. */
		n = put_fill(dw, scratch_va(t) + CHECK_OFF, 4, 0);
		cmd_va = ring_put(t, c, dw, n);
		err = submit_simple(t, &fr, c, pv.queue, cmd_va, n, EXP_ANY, NULL,
				    "on the VM that faulted");
		if (!err && can_judge(t->p, &fr))
			finding(t, "SUBMIT on a VM that faulted succeeded; the uAPI says -ECANCELED");
		else if (err && err != ENOTTY && err != ENODEV && can_judge(t->p, &fr))
			expect(t, OP_SUBMIT, err, EXP_OK, e_canceled);
	}
	priv_close(t, &fr, &pv);
	/* The file's other VMs keep computing. */
	checked_job(t, &fr, "another VM of the file after a fault");
out:
	put_file(t, &fr);
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
		added = add_sobj(p, &fr, h, flags & DRM_SYNCOBJ_CREATE_SIGNALED, false) >= 0;
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
		p->files[fr.f].chaos = true;
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
	if (!n || chance(r, 8)) {
		h[n ? 0 : n++] = random_handle(r);
		if (kind != 3)
			set_chaos(t, &fr);	/* perhaps a thread's own syncobj */
	}
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
		mark_fenced(p, &fr, h, n, kind == 4);	/* a transfer moves any fence */
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
			bool added;

			lock(p);
			added = add_sobj(p, &b, nh, true, true) >= 0;
			unlock(p);
			if (!added) {
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
		if (i < 0)
			set_chaos(t, &b);	/* perhaps a thread's own syncobj */
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
				mark_fenced(p, &b, &h, 1, true);
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
	i = pick_bo(p, r, &fr, false);
	if (i >= 0) {
		h = p->bos[i].handle;
		dev = p->bos[i].flags & DRM_TESSERA_BO_DEVICE_MEM;
		/* An imported buffer's placement is known after its BO_INFO. */
		exp = file_sane(p, &fr) && p->bos[i].known ? EXP_OK : EXP_ANY;
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
		/*
		 * Importing a dma-buf this file exported returns the exporter's
		 * handle. If a handle of this file was closed since the call
		 * began, that may have been it: the number is then stale (and
		 * may already name a new buffer), so it stays out of the pool.
		 */
		if (p->files[fr.f].handle_seq == fr.handle_seq)
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
	i = pick_bo(p, r, &a, false);
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
	struct fref fr;

	if (!get_file(t, &fr))
		return;
	/* Whatever its VMs and jobs are doing: close never waits for them. */
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
			p->files[f].chaos = p->files[f].wild = true;
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
		gp->param = below(r, NPARAMS);
		exp = EXP_OK;
		break;
	}
	case 1: {
		struct drm_tessera_vm_status *st = (void *)buf;
		int i;

		nr = DRM_TESSERA_VM_STATUS;
		full = sizeof(*st);
		lock(t->p);
		i = pick_vm(t->p, r, &fr);
		st->vm_id = i >= 0 ? t->p->vms[i].id : random_handle(r);
		unlock(t->p);
		break;
	}
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
		size = nr == DRM_TESSERA_GET_PARAM ? 8 : nr == DRM_TESSERA_VM_STATUS ?
		       4 * range(r, 1, 5) : nr == DRM_TESSERA_FENCE_WAIT ? 24 : 8;
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
	/* Binds, destroys and submits of random bytes: the file's VMs are not as modelled. */
	if (nr == DRM_TESSERA_QUEUE_DESTROY || nr == DRM_TESSERA_QUEUE_CREATE ||
	    nr == DRM_TESSERA_VM_DESTROY || nr == DRM_TESSERA_VM_BIND || nr == DRM_TESSERA_SUBMIT)
		set_wild(t, &fr);
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
	{ "vm_create",		3,	a_vm_create },
	{ "vm_destroy",		2,	a_vm_destroy },
	{ "vm_bind",		14,	a_vm_bind },
	{ "vm_status",		3,	a_vm_status },
	{ "vm_exhaust",		1,	a_vm_exhaust },
	{ "queue_create",	3,	a_queue_create },
	{ "queue_destroy",	2,	a_queue_destroy },
	{ "submit",		26,	a_submit },
	{ "checked_job",	4,	a_checked_job },
	{ "fault",		3,	a_fault },
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
