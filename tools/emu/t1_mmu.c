// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 device MMU: context table, 4-level page-table walk (4 KiB and 2 MiB
 * pages, READ/WRITE/EXEC permissions), a small per-engine TLB that holds
 * 2 MiB translations whole, and the operand helpers built on top.
 *
 * Everything here runs on an engine thread, between dma_hold() and
 * dma_release(), without t1->lock: the TLB is the engine's own, the MMU
 * registers it needs were copied into struct t1_as at descriptor start,
 * and invalidations reach it through the atomic t1->tlb_epoch.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <stdlib.h>

#include "t1_math.h"
#include "t1_priv.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ull << PAGE_SHIFT)
#define HUGE_SIZE	(1ull << 21)
#define VA_LIMIT	(1ull << TESSERA_VA_BITS)

static uint8_t *fault(struct t1_as *as, uint32_t code, uint64_t va,
		      unsigned int acc)
{
	as->fault->code = code;
	as->fault->va = va;
	as->fault->access = acc & T1_ACC_X ? TESSERA_ACCESS_FETCH :
			    acc & T1_ACC_W ? TESSERA_ACCESS_WRITE :
					     TESSERA_ACCESS_READ;
	return NULL;
}

/*
 * Physical access: bus address (host memory) or HBM offset.  Returns the
 * host address, *len trimmed to the contiguous bytes, or NULL.
 */
static uint8_t *phys_ptr(struct t1_as *as, uint64_t pa, bool devmem,
			 uint64_t *len, bool write, uint32_t *code)
{
	struct t1 *t1 = as->t1;

	if (devmem) {
		if (pa >= t1->hbm_size) {
			*code = TESSERA_ERR_DMA_FAULT;
			return NULL;
		}
		if (atomic_load_explicit(&t1->fi_ecc, memory_order_relaxed) &&
		    atomic_exchange(&t1->fi_ecc, false)) {
			*code = TESSERA_ERR_ECC;
			pthread_mutex_lock(&t1->lock);
			t1->ecc_uncorrected++;
			pthread_mutex_unlock(&t1->lock);
			return NULL;
		}
		if (*len > t1->hbm_size - pa)
			*len = t1->hbm_size - pa;
		return t1->hbm + pa;
	}
	*code = TESSERA_ERR_DMA_FAULT;
	return t1->ops.dma_ptr(t1->ops.opaque, pa, len, write);
}

static bool read_pte(struct t1_as *as, uint64_t table, bool devmem,
		     unsigned int idx, uint64_t *pte)
{
	uint64_t len = 8;
	uint32_t code;
	uint8_t *p = phys_ptr(as, table + idx * 8ull, devmem, &len, false,
			      &code);

	if (!p || len < 8)
		return false;
	/* The driver may update tables concurrently: one atomic load. */
	*pte = le64toh(__atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE));
	return true;
}

/*
 * Walk the tables for @va; fill @e (a 4 KiB or a 2 MiB translation) or
 * return a code.
 */
static uint32_t walk(struct t1_as *as, uint64_t va, struct t1_tlb_entry *e)
{
	uint64_t entry = as->root;

	for (int level = 4; level >= 1; level--) {
		unsigned int shift = PAGE_SHIFT + 9 * (level - 1);
		uint64_t pte;

		if (!(entry & TESSERA_PTE_VALID))
			return TESSERA_ERR_MMU_FAULT;
		if (!read_pte(as, entry & TESSERA_PTE_ADDR_MASK,
			      entry & TESSERA_PTE_DEVMEM,
			      (va >> shift) & 511, &pte))
			return TESSERA_ERR_MMU_FAULT;
		if (!(pte & TESSERA_PTE_VALID))
			return TESSERA_ERR_MMU_FAULT;
		if (level == 1 || (level == 2 && (pte & TESSERA_PTE_HUGE))) {
			uint64_t base = pte & TESSERA_PTE_ADDR_MASK;
			bool x = as->exec_perm ? pte & TESSERA_PTE_EXEC :
						 pte & TESSERA_PTE_READ;

			e->huge = level == 2;
			if (e->huge)
				base &= ~(HUGE_SIZE - 1);
			e->pa = base;
			e->devmem = pte & TESSERA_PTE_DEVMEM;
			e->perm = (pte & TESSERA_PTE_READ ? T1_ACC_R : 0) |
				  (pte & TESSERA_PTE_WRITE ? T1_ACC_W : 0) |
				  (x ? T1_ACC_X : 0);
			return 0;
		}
		entry = pte;
	}
	return TESSERA_ERR_MMU_FAULT;
}

static uint8_t *xlate_page(struct t1_as *as, uint64_t va, uint64_t *len,
			   unsigned int acc)
{
	struct t1_ring *r = as->r;
	uint64_t vpn = va >> PAGE_SHIFT, hpn = va / HUGE_SIZE;
	uint64_t tag = ((uint64_t)as->asid << 36 | vpn) + 1;
	uint64_t htag = ((uint64_t)as->asid << 36 | hpn) + 1;
	uint32_t epoch = atomic_load_explicit(&as->t1->tlb_epoch,
					      memory_order_acquire);
	struct t1_tlb_entry *e = &r->tlb[(vpn ^ as->asid * 31) % T1_TLB_SIZE];
	struct t1_tlb_entry *he = &r->tlb[(hpn * 7 ^ as->asid * 31 ^ 0x5a) %
					  T1_TLB_SIZE];
	unsigned int need = acc & (T1_ACC_R | T1_ACC_W | T1_ACC_X);
	uint64_t size = PAGE_SIZE, off, n;
	uint32_t code;
	uint8_t *p;

	r->xlate_pages++;
	if (he->huge && he->tag == htag && he->epoch == epoch) {
		e = he;
	} else if (e->huge || e->tag != tag || e->epoch != epoch) {
		struct t1_tlb_entry fresh = { .epoch = epoch };

		atomic_fetch_add_explicit(&r->pt_walks, 1,
					  memory_order_relaxed);
		code = walk(as, va, &fresh);
		if (code)
			return fault(as, code, va, acc);
		if (fresh.huge) {
			fresh.tag = htag;
			e = he;
		} else {
			fresh.tag = tag;
		}
		*e = fresh;
	}
	if ((e->perm & need) != need)
		return fault(as, TESSERA_ERR_MMU_PERM, va, acc);
	if (e->huge)
		size = HUGE_SIZE;
	off = va & (size - 1);
	n = size - off;
	if (*len > n)
		*len = n;
	n = *len;
	p = phys_ptr(as, e->pa + off, e->devmem, &n, acc & T1_ACC_W, &code);
	if (!p || n < *len)
		return fault(as, code == TESSERA_ERR_ECC ? code :
			     TESSERA_ERR_DMA_FAULT, va, acc);
	return p;
}

static struct t1_span *span_slot(struct t1_as *as, uint64_t va)
{
	uint64_t h = (va >> 6) ^ (va >> 17) ^ (uint64_t)as->asid * 0x9e37;

	return &as->r->span[h % T1_SPANS];
}

static bool span_devmem(const struct t1 *t1, const uint8_t *p)
{
	return t1->hbm && p >= t1->hbm && p < t1->hbm + t1->hbm_size;
}

/*
 * [va, va + len) for @acc, if the span that starts at @va holds it all.
 * Not while an ECC error waits to be injected: the next device-memory
 * access must see it.
 */
static uint8_t *span_find(struct t1_as *as, uint64_t va, uint64_t len, unsigned int acc,
			  uint32_t epoch)
{
	struct t1_span *s = span_slot(as, va);

	if (s->va != va || !s->len || len > s->len || s->epoch != epoch ||
	    s->asid != as->asid || (acc & ~s->acc))
		return NULL;
	if (s->devmem ? atomic_load_explicit(&as->t1->fi_ecc, memory_order_relaxed) :
			s->seq != as->r->desc_seq)
		return NULL;
	return s->p;
}

/* @epoch: read before the translation, so an invalidation meanwhile voids it. */
static void span_add(struct t1_as *as, uint64_t va, uint64_t len, uint8_t *p,
		     unsigned int acc, uint32_t epoch)
{
	struct t1_span *s = span_slot(as, va);

	s->va = va;
	s->len = len;
	s->p = p;
	s->devmem = span_devmem(as->t1, p);
	s->seq = as->r->desc_seq;
	s->asid = as->asid;
	s->acc = acc & (T1_ACC_R | T1_ACC_W | T1_ACC_X);
	s->epoch = epoch;
}

uint8_t *t1_xlate(struct t1_as *as, uint64_t va, uint64_t *len,
		  unsigned int acc)
{
	struct t1_ring *r = as->r;
	uint64_t want = *len;
	uint32_t code, epoch;
	uint8_t *p;

	if (atomic_load_explicit(&r->fi_fault, memory_order_relaxed) &&
	    atomic_exchange(&r->fi_fault, false))
		return fault(as, TESSERA_ERR_MMU_FAULT, va, acc);
	if (!want)
		want = *len = 1;

	if (!as->asid) {
		bool devmem = va >= TESSERA_BYPASS_HBM_BASE;

		p = phys_ptr(as, devmem ? va - TESSERA_BYPASS_HBM_BASE : va,
			     devmem, len, acc & T1_ACC_W, &code);
		return p ? p : fault(as, code, va, acc);
	}

	if (va >= VA_LIMIT)
		return fault(as, TESSERA_ERR_MMU_FAULT, va, acc);
	epoch = atomic_load_explicit(&as->t1->tlb_epoch, memory_order_acquire);
	p = span_find(as, va, want, acc, epoch);
	if (p)
		return p;
	p = xlate_page(as, va, len, acc);
	if (!p)
		return NULL;
	/*
	 * Extend across pages that happen to be contiguous in host memory,
	 * T1_CHUNK_BYTES at a time between checks for an abort (a caller
	 * that needed it all then finds the abort itself).
	 */
	while (*len < want) {
		uint64_t nva = va + *len, n = want - *len;
		uint8_t *q;

		if (nva >= VA_LIMIT)
			break;
		if (!(nva % T1_CHUNK_BYTES) && t1_aborted(r))
			break;
		q = xlate_page(as, nva, &n, acc);
		if (!q) {
			/* Report the fault when the caller gets there. */
			as->fault->code = 0;
			break;
		}
		if (q != p + *len)
			break;
		*len += n;
	}
	if (*len > PAGE_SIZE)
		span_add(as, va, *len, p, acc, epoch);
	return p;
}

/*
 * Copy between a context's memory and @buf, T1_CHUNK_BYTES at a time
 * between checks for an abort: 0, -ECANCELED or an error code.
 */
static int as_copy(struct t1_as *as, uint64_t va, uint8_t *buf,
		   uint64_t len, unsigned int acc, bool write)
{
	while (len) {
		uint64_t n = len < T1_CHUNK_BYTES ? len : T1_CHUNK_BYTES;
		uint8_t *p;

		if (t1_aborted(as->r))
			return -ECANCELED;
		p = t1_xlate(as, va, &n, acc);
		if (!p)
			return as->fault->code;
		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int t1_as_read(struct t1_as *as, uint64_t va, void *buf, uint64_t len,
	       unsigned int acc)
{
	return as_copy(as, va, buf, len, acc, false);
}

int t1_as_write(struct t1_as *as, uint64_t va, const void *buf,
		uint64_t len)
{
	return as_copy(as, va, (uint8_t *)buf, len, T1_ACC_W, true);
}

/* Probe every page of [va, va + len) for @acc without touching memory. */
static int as_probe(struct t1_as *as, uint64_t va, uint64_t len,
		    unsigned int acc)
{
	while (len) {
		uint64_t n = len < T1_CHUNK_BYTES ? len : T1_CHUNK_BYTES;

		if (t1_aborted(as->r))
			return -ECANCELED;
		if (!t1_xlate(as, va, &n, acc))
			return as->fault->code;
		va += n;
		len -= n;
	}
	return 0;
}

/* Bytes from the first to the last byte of a rows x row-byte operand. */
static uint64_t mat_span(uint32_t rows, uint64_t row, uint64_t ld)
{
	return rows && row ? (rows - 1) * ld + row : 0;
}

int t1_mat_check(struct t1_as *as, uint64_t va, uint32_t rows, uint64_t row,
		 uint64_t ld, unsigned int acc, bool *contig)
{
	uint64_t len = mat_span(rows, row, ld), n = len;

	*contig = true;
	if (!len)
		return 0;
	if (va + len < va) {
		as->fault->code = TESSERA_ERR_INVALID_CMD;
		as->fault->va = va;
		return TESSERA_ERR_INVALID_CMD;
	}
	if (!t1_xlate(as, va, &n, acc))
		return as->fault->code;
	*contig = n == len;
	return *contig ? 0 : as_probe(as, va, len, acc);
}

void t1_set_bounce_limit(struct t1 *t1, uint64_t bytes)
{
	atomic_store(&t1->bounce_limit, bytes);
}

/*
 * A buffer for @bytes of copy: the smallest kept one that is big enough,
 * else a new one (page-aligned: the math library's kernels read and write
 * these).
 */
static uint8_t *bounce_alloc(struct t1_ring *r, uint64_t bytes, uint64_t *cap)
{
	struct t1_bounce_slot *best = NULL;
	uint8_t *p;

	for (unsigned int i = 0; i < T1_BOUNCE_SLOTS; i++) {
		struct t1_bounce_slot *s = &r->bounce_keep[i];

		if (s->p && s->cap >= bytes && (!best || s->cap < best->cap))
			best = s;
	}
	if (best) {
		p = best->p;
		*cap = best->cap;
		r->bounce_kept -= best->cap;
		r->bounce_reused++;
		*best = (struct t1_bounce_slot){ 0 };
		return p;
	}
	*cap = (bytes + 4095) & ~4095ull;
	return aligned_alloc(4096, *cap);
}

/* Keep @p for the next copies if there is room, else free it. */
static void bounce_free(struct t1_ring *r, uint8_t *p, uint64_t cap)
{
	if (cap <= T1_BOUNCE_KEEP - r->bounce_kept) {
		for (unsigned int i = 0; i < T1_BOUNCE_SLOTS; i++) {
			struct t1_bounce_slot *s = &r->bounce_keep[i];

			if (!s->p) {
				s->p = p;
				s->cap = cap;
				r->bounce_kept += cap;
				return;
			}
		}
	}
	free(p);
}

void t1_bounce_release(struct t1_ring *r)
{
	for (unsigned int i = 0; i < T1_BOUNCE_SLOTS; i++) {
		free(r->bounce_keep[i].p);
		r->bounce_keep[i] = (struct t1_bounce_slot){ 0 };
	}
	r->bounce_kept = 0;
}

/* A bounced operand would take the engine over its limit: refuse it. */
static int over_limit(struct t1_as *as, uint64_t va, uint64_t bytes,
		      uint64_t limit)
{
	struct t1_ring *r = as->r;

	t1_guest_error(as->t1, "ring %u ASID %u: operand at %#llx: %llu bytes "
		       "not contiguous in host memory, over the %llu the "
		       "engine may copy (%llu held)", r->idx, as->asid,
		       (unsigned long long)va, (unsigned long long)bytes,
		       (unsigned long long)limit,
		       (unsigned long long)r->bounced);
	as->fault->code = TESSERA_ERR_INVALID_CMD;
	as->fault->va = va;
	as->fault->access = TESSERA_ACCESS_READ;
	return TESSERA_ERR_INVALID_CMD;
}

int t1_mat_get(struct t1_as *as, struct t1_buf *b, uint64_t va,
	       uint32_t rows, uint64_t row, uint64_t ld, unsigned int acc,
	       bool keep)
{
	struct t1_ring *r = as->r;
	uint64_t span, n, bytes, limit;
	uint8_t *p;
	int ret;

	memset(b, 0, sizeof(*b));
	b->va = va;
	b->rows = rows;
	b->row = row;
	b->ld = ld;
	b->acc = acc;
	if (!rows || !row)
		return 0;
	/* callers checked the sizes (at most T1_MAX_OPERAND): no overflow */
	span = mat_span(rows, row, ld);
	if (va + span < va) {
		as->fault->code = TESSERA_ERR_INVALID_CMD;
		as->fault->va = va;
		return TESSERA_ERR_INVALID_CMD;
	}
	n = span;
	p = t1_xlate(as, va, &n, acc);
	if (!p)
		return as->fault->code;
	if (n == span) {
		b->p = p;
		b->pitch = ld;
		return 0;
	}
	/* (t1_xlate() stops early on an abort) */
	if (t1_aborted(r))
		return -ECANCELED;
	/* Not contiguous in host memory: a copy, within the limit. */
	b->pitch = keep ? ld : row;
	bytes = mat_span(rows, row, b->pitch);
	limit = atomic_load_explicit(&as->t1->bounce_limit,
				     memory_order_relaxed);
	if (bytes > limit || r->bounced > limit - bytes)
		return over_limit(as, va, bytes, limit);
	b->p = bounce_alloc(r, bytes, &b->cap);
	if (!b->p) {
		as->fault->code = TESSERA_ERR_INVALID_CMD;
		as->fault->va = va;
		return TESSERA_ERR_INVALID_CMD;
	}
	/* zeroed unless read: no host memory ever reaches the guest */
	if (!(acc & T1_ACC_R))
		memset(b->p, 0, bytes);
	b->bounced = true;
	b->bytes = bytes;
	r->bounced += bytes;
	if (r->bounced > r->bounce_peak)
		r->bounce_peak = r->bounced;
	for (uint32_t i = 0; (acc & T1_ACC_R) && i < rows; i++) {
		ret = t1_as_read(as, va + i * ld, b->p + i * b->pitch, row,
				 T1_ACC_R);
		if (ret)
			return ret;
	}
	return 0;
}

int t1_buf_get(struct t1_as *as, struct t1_buf *b, uint64_t va,
	       uint64_t len, unsigned int acc)
{
	bool contig;
	int ret;

	memset(b, 0, sizeof(*b));
	/* every page checked before anything is copied or computed */
	ret = t1_mat_check(as, va, 1, len, len, acc, &contig);
	return ret ? ret : t1_mat_get(as, b, va, 1, len, len, acc, false);
}

void t1_buf_rows(struct t1_buf *b, uint64_t rows, uint64_t ld, uint64_t row,
		 uint64_t n0, uint64_t s0, uint64_t n1, uint64_t s1)
{
	b->wrows = rows;
	b->wld = ld;
	b->wrow = row;
	b->n[0] = n0;
	b->s[0] = s0;
	b->n[1] = n1;
	b->s[1] = s1;
}

/* Write back the rows t1_buf_rows() named (all within the one-row span). */
static int buf_put_rows(struct t1_as *as, struct t1_buf *b)
{
	for (uint64_t i0 = 0; i0 < b->n[0]; i0++) {
		for (uint64_t i1 = 0; i1 < b->n[1]; i1++) {
			uint64_t off = i0 * b->s[0] + i1 * b->s[1];

			for (uint64_t r = 0; r < b->wrows; r++, off += b->wld) {
				int ret = t1_as_write(as, b->va + off, b->p + off,
						      b->wrow);

				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

int t1_buf_put(struct t1_as *as, struct t1_buf *b, bool writeback)
{
	int ret = 0;

	if (b->bounced) {
		bool whole = !b->wrows || (b->wrows * b->wld == b->row &&
					   b->wrow == b->wld && b->n[0] * b->n[1] == 1);

		if (writeback && (b->acc & T1_ACC_W) && !whole)
			ret = buf_put_rows(as, b);
		for (uint32_t i = 0; writeback && (b->acc & T1_ACC_W) && whole &&
		     !ret && i < b->rows; i++)
			ret = t1_as_write(as, b->va + i * b->ld,
					  b->p + i * b->pitch, b->row);
		bounce_free(as->r, b->p, b->cap);
		as->r->bounced -= b->bytes;
	}
	memset(b, 0, sizeof(*b));
	return ret;
}

int t1_as_init(struct t1_as *as, struct t1_ring *r, uint32_t asid)
{
	struct t1 *t1 = r->t1;
	uint64_t base, flags, len = TESSERA_CTX_ENTRY_SIZE;
	uint32_t count;
	uint8_t *p;

	as->t1 = t1;
	as->r = r;
	as->asid = asid;
	as->root = 0;
	as->exec_perm = false;
	if (!asid)
		return 0;
	pthread_mutex_lock(&t1->lock);
	base = t1->ctx_base;
	count = t1->ctx_count;
	pthread_mutex_unlock(&t1->lock);
	as->fault->va = 0;
	as->fault->access = TESSERA_ACCESS_READ;
	if (asid >= count)
		return as->fault->code = TESSERA_ERR_CTX_INVALID;
	p = t1->ops.dma_ptr(t1->ops.opaque,
			    base + (uint64_t)asid * TESSERA_CTX_ENTRY_SIZE,
			    &len, false);
	if (!p || len < TESSERA_CTX_ENTRY_SIZE)
		return as->fault->code = TESSERA_ERR_CTX_INVALID;
	as->root = le64toh(__atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE));
	flags = le64toh(__atomic_load_n((uint64_t *)(p + TESSERA_CTX_FLAGS),
					__ATOMIC_RELAXED));
	if (!(as->root & TESSERA_PTE_VALID) || (flags & ~TESSERA_CTX_EXEC_PERM))
		return as->fault->code = TESSERA_ERR_CTX_INVALID;
	as->exec_perm = flags & TESSERA_CTX_EXEC_PERM;
	return 0;
}
