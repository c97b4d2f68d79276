// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: the hardware page tables of an address space.
 *
 * Four levels of 512 little-endian 64-bit entries in coherent host memory
 * (Documentation/hw/programming-guide.rst, "Device MMU").  Ranges are
 * mapped by physically contiguous chunks, in device pages of 4 KiB
 * whatever the CPU's page size; a level-2 entry maps a whole 2 MiB page
 * (TESSERA_PTE_HUGE) wherever the VA, the physical address and the
 * chunk's length allow.  Unmapping part of a 2 MiB page first splits it
 * into a level-1 table that maps the same memory, published with one
 * 64-bit store, so the rest of the page never loses its translation.
 * Tables that become empty are unlinked and handed back to the caller,
 * who frees them only once a TLB invalidation has completed: the card's
 * walker may still be reading them until then.
 *
 * Nothing here allocates but tessera_pt_pool_reserve() and
 * tessera_pgtable_init(): maps and unmaps take their tables from a pool
 * filled beforehand, so that a bind job (a fence-signalling path) can run
 * them.  Nothing here sleeps or locks; the caller serializes.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/dma-mapping.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <drm/drm_print.h>

#include "tessera_drv.h"
#include "tessera_pgtable.h"

#define TESSERA_PT_ENTRIES	512
#define TESSERA_DEV_PAGE	SZ_4K

/**
 * struct tessera_pt - one page table (512 entries)
 */
struct tessera_pt {
	/** @cpu: the entries, as the device reads them */
	__le64 *cpu;
	/** @dma: bus address of @cpu */
	dma_addr_t dma;
	/** @children: next-level tables, by index; NULL at level 1 */
	struct tessera_pt **children;
	/** @live: valid entries (leaves and table pointers) */
	u32 live;
	/** @level: 1..TESSERA_PT_LEVELS */
	u32 level;
	/** @link: in a pool or a list of tables to free */
	struct list_head link;
};

/* log2 of the bytes one entry of a level-@level table maps. */
static unsigned int tessera_pt_shift(int level)
{
	return 12 + 9 * (level - 1);
}

static u32 tessera_pt_index(u64 va, int level)
{
	return (va >> tessera_pt_shift(level)) & (TESSERA_PT_ENTRIES - 1);
}

static struct tessera_pt *tessera_pt_alloc(struct tessera_device *tdev, int level)
{
	struct tessera_pt_cache *cache = &tdev->pt_cache;
	struct tessera_pt *pt;

	mutex_lock(&cache->lock);
	pt = list_first_entry_or_null(&cache->free[level], struct tessera_pt, link);
	if (pt) {
		list_del_init(&pt->link);
		cache->count[level]--;
	}
	mutex_unlock(&cache->lock);
	if (pt)
		return pt;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL_ACCOUNT);

	if (!pt)
		return NULL;
	pt->level = level;
	INIT_LIST_HEAD(&pt->link);
	/* Zeroed: every entry invalid. */
	pt->cpu = dma_alloc_coherent(&tdev->pdev->dev, SZ_4K, &pt->dma, GFP_KERNEL);
	if (!pt->cpu)
		goto err;
	if (level > 1) {
		pt->children = kcalloc(TESSERA_PT_ENTRIES, sizeof(*pt->children),
				       GFP_KERNEL_ACCOUNT);
		if (!pt->children)
			goto err_free;
	}
	return pt;

err_free:
	dma_free_coherent(&tdev->pdev->dev, SZ_4K, pt->cpu, pt->dma);
err:
	kfree(pt);
	return NULL;
}

static void tessera_pt_destroy(struct tessera_device *tdev, struct tessera_pt *pt)
{
	kfree(pt->children);
	dma_free_coherent(&tdev->pdev->dev, SZ_4K, pt->cpu, pt->dma);
	kfree(pt);
}

/* Free a table and everything below it: into the cache while it has room. */
static void tessera_pt_free(struct tessera_device *tdev, struct tessera_pt *pt)
{
	struct tessera_pt_cache *cache = &tdev->pt_cache;
	u32 i;

	if (!pt)
		return;
	if (pt->children) {
		for (i = 0; i < TESSERA_PT_ENTRIES; i++)
			tessera_pt_free(tdev, pt->children[i]);
		memset(pt->children, 0, TESSERA_PT_ENTRIES * sizeof(*pt->children));
	}
	/* Every entry invalid again, as a new table's. */
	memset(pt->cpu, 0, SZ_4K);
	pt->live = 0;
	mutex_lock(&cache->lock);
	if (cache->count[pt->level] < TESSERA_PT_CACHE_MAX) {
		list_add(&pt->link, &cache->free[pt->level]);
		cache->count[pt->level]++;
		pt = NULL;
	}
	mutex_unlock(&cache->lock);
	if (pt)
		tessera_pt_destroy(tdev, pt);
}

/** tessera_pt_cache_init - an empty cache of tables (probe) */
void tessera_pt_cache_init(struct tessera_device *tdev)
{
	struct tessera_pt_cache *cache = &tdev->pt_cache;
	int level;

	mutex_init(&cache->lock);
	for (level = 0; level <= TESSERA_PT_LEVELS; level++) {
		INIT_LIST_HEAD(&cache->free[level]);
		cache->count[level] = 0;
	}
}

/**
 * tessera_pt_cache_fini - free the cached tables (remove, or a failed probe)
 * @tdev: the device, still bound: its DMA API frees them
 *
 * Nothing reserves or frees tables any more: every VM's went with
 * tessera_gpuvm_unplug(), and unplugged binds leak theirs.
 */
void tessera_pt_cache_fini(struct tessera_device *tdev)
{
	struct tessera_pt_cache *cache = &tdev->pt_cache;
	struct tessera_pt *pt, *next;
	int level;

	mutex_lock(&cache->lock);
	for (level = 0; level <= TESSERA_PT_LEVELS; level++) {
		list_for_each_entry_safe(pt, next, &cache->free[level], link) {
			list_del(&pt->link);
			tessera_pt_destroy(tdev, pt);
		}
		cache->count[level] = 0;
	}
	mutex_unlock(&cache->lock);
}

/**
 * tessera_pt_free_list - free tables unlinked by tessera_pgtable_unmap()
 * @tdev: the device
 * @tables: the list; emptied
 *
 * Only once the card cannot reach them any more (a TLB invalidation
 * issued after they were unlinked has completed).  Coherent memory goes
 * back through the DMA API: only while the device is bound (inside
 * drm_dev_enter(), or from the unplug path before unbind completes).
 * Process context.
 */
void tessera_pt_free_list(struct tessera_device *tdev, struct list_head *tables)
{
	struct tessera_pt *pt, *next;

	list_for_each_entry_safe(pt, next, tables, link) {
		list_del(&pt->link);
		tessera_pt_free(tdev, pt);
	}
}

/** tessera_pt_pool_init - an empty pool */
void tessera_pt_pool_init(struct tessera_pt_pool *pool)
{
	int level;

	for (level = 0; level < TESSERA_PT_LEVELS; level++) {
		INIT_LIST_HEAD(&pool->free[level]);
		pool->count[level] = 0;
	}
}

/**
 * tessera_pt_pool_reserve - allocate every table one map or unmap may need
 * @tdev: the device
 * @pool: the pool, added to
 * @va: start of the range, 4 KiB aligned
 * @size: bytes, 4 KiB aligned, non-zero
 *
 * Enough for mapping [@va, @va + @size) into an empty range with 4 KiB
 * pages, or for unmapping it (which needs at most one level-1 table at
 * each end to split a 2 MiB page).  Process context.
 *
 * Return: 0 or -ENOMEM (the pool keeps what was allocated).
 */
int tessera_pt_pool_reserve(struct tessera_device *tdev, struct tessera_pt_pool *pool,
			    u64 va, u64 size)
{
	u64 last = va + size - 1;
	int level;

	for (level = 1; level < TESSERA_PT_LEVELS; level++) {
		/* Tables of @level covering the range, each one entry above. */
		unsigned int shift = tessera_pt_shift(level + 1);
		u64 n = (last >> shift) - (va >> shift) + 1;

		if (level == 1)
			n += 2;
		while (n--) {
			struct tessera_pt *pt = tessera_pt_alloc(tdev, level);

			if (!pt)
				return -ENOMEM;
			list_add(&pt->link, &pool->free[level]);
			pool->count[level]++;
		}
	}
	return 0;
}

/**
 * tessera_pt_pool_reserve_split - allocate the tables an unmap may need
 * @tdev: the device
 * @pool: the pool, added to
 *
 * An unmap needs a level-1 table for each end of its range that cuts a
 * 2 MiB page.  Process context.
 *
 * Return: 0 or -ENOMEM.
 */
int tessera_pt_pool_reserve_split(struct tessera_device *tdev, struct tessera_pt_pool *pool)
{
	int n;

	for (n = 0; n < 2; n++) {
		struct tessera_pt *pt = tessera_pt_alloc(tdev, 1);

		if (!pt)
			return -ENOMEM;
		list_add(&pt->link, &pool->free[1]);
		pool->count[1]++;
	}
	return 0;
}

/** tessera_pt_pool_fini - free what a pool has left (process context) */
void tessera_pt_pool_fini(struct tessera_device *tdev, struct tessera_pt_pool *pool)
{
	int level;

	for (level = 1; level < TESSERA_PT_LEVELS; level++) {
		tessera_pt_free_list(tdev, &pool->free[level]);
		pool->count[level] = 0;
	}
}

static struct tessera_pt *tessera_pt_pool_take(struct tessera_pt_pool *pool, int level)
{
	struct tessera_pt *pt;

	pt = list_first_entry_or_null(&pool->free[level], struct tessera_pt, link);
	if (!pt)
		return NULL;
	list_del_init(&pt->link);
	pool->count[level]--;
	return pt;
}

/* Point entry @idx of @pt at @child, after the child's entries are visible. */
static void tessera_pt_link(struct tessera_pgtable *pgt, struct tessera_pt *pt, u32 idx,
			    struct tessera_pt *child)
{
	pt->children[idx] = child;
	dma_wmb();
	WRITE_ONCE(pt->cpu[idx], cpu_to_le64(child->dma | TESSERA_PTE_VALID));
	pgt->tables++;
}

static int tessera_pt_map(struct tessera_pgtable *pgt, struct tessera_pt_pool *pool,
			  struct tessera_pt *pt, u64 va, u64 pa, u64 size, u64 flags)
{
	int level = pt->level;
	u64 span = BIT_ULL(tessera_pt_shift(level));

	while (size) {
		u32 idx = tessera_pt_index(va, level);
		u64 n = min(size, span - (va & (span - 1)));
		u64 old = le64_to_cpu(pt->cpu[idx]);
		struct tessera_pt *child;
		int ret;

		if (level == 1) {
			if (!(old & TESSERA_PTE_VALID)) {
				pt->live++;
				pgt->pages_4k++;
			}
			WRITE_ONCE(pt->cpu[idx],
				   cpu_to_le64((pa & TESSERA_PTE_ADDR_MASK) | flags |
					       TESSERA_PTE_VALID));
			goto next;
		}
		child = pt->children[idx];
		if (level == 2 && n == SZ_2M && !(pa & (SZ_2M - 1)) && !child) {
			if (!(old & TESSERA_PTE_VALID)) {
				pt->live++;
				pgt->pages_2m++;
			}
			WRITE_ONCE(pt->cpu[idx],
				   cpu_to_le64((pa & TESSERA_PTE_ADDR_MASK) | flags |
					       TESSERA_PTE_HUGE | TESSERA_PTE_VALID));
			goto next;
		}
		/* Mapping over a 2 MiB page: the caller unmaps first. */
		if (WARN_ON_ONCE(old & TESSERA_PTE_HUGE))
			return -EINVAL;
		if (!child) {
			child = tessera_pt_pool_take(pool, level - 1);
			if (WARN_ON_ONCE(!child))
				return -ENOMEM;
			tessera_pt_link(pgt, pt, idx, child);
			pt->live++;
		}
		ret = tessera_pt_map(pgt, pool, child, va, pa, n, flags);
		if (ret)
			return ret;
next:
		va += n;
		pa += n;
		size -= n;
	}
	return 0;
}

/* Replace the 2 MiB leaf at @idx of level-2 @pt by a table mapping the same. */
static int tessera_pt_split(struct tessera_pgtable *pgt, struct tessera_pt_pool *pool,
			    struct tessera_pt *pt, u32 idx)
{
	u64 old = le64_to_cpu(pt->cpu[idx]);
	u64 pa = old & TESSERA_PTE_ADDR_MASK & ~(u64)(SZ_2M - 1);
	u64 flags = old & ~TESSERA_PTE_ADDR_MASK & ~TESSERA_PTE_HUGE;
	struct tessera_pt *child = tessera_pt_pool_take(pool, 1);
	u32 i;

	if (WARN_ON_ONCE(!child))
		return -ENOMEM;
	for (i = 0; i < TESSERA_PT_ENTRIES; i++)
		child->cpu[i] = cpu_to_le64((pa + i * (u64)TESSERA_DEV_PAGE) | flags);
	child->live = TESSERA_PT_ENTRIES;
	/* One store: the page's other 4 KiB keep their translation. */
	tessera_pt_link(pgt, pt, idx, child);
	pgt->pages_2m--;
	pgt->pages_4k += TESSERA_PT_ENTRIES;
	return 0;
}

static int tessera_pt_unmap(struct tessera_pgtable *pgt, struct tessera_pt_pool *pool,
			    struct tessera_pt *pt, u64 va, u64 size, struct list_head *freed)
{
	int level = pt->level;
	u64 span = BIT_ULL(tessera_pt_shift(level));

	while (size) {
		u32 idx = tessera_pt_index(va, level);
		u64 n = min(size, span - (va & (span - 1)));
		u64 old = le64_to_cpu(pt->cpu[idx]);
		struct tessera_pt *child;
		int ret;

		if (!(old & TESSERA_PTE_VALID))
			goto next;
		if (level == 1 || (old & TESSERA_PTE_HUGE && n == span)) {
			WRITE_ONCE(pt->cpu[idx], 0);
			pt->live--;
			if (level == 1)
				pgt->pages_4k--;
			else
				pgt->pages_2m--;
			goto next;
		}
		if (old & TESSERA_PTE_HUGE) {
			ret = tessera_pt_split(pgt, pool, pt, idx);
			if (ret)
				return ret;
		}
		child = pt->children[idx];
		ret = tessera_pt_unmap(pgt, pool, child, va, n, freed);
		if (ret)
			return ret;
		if (!child->live) {
			WRITE_ONCE(pt->cpu[idx], 0);
			pt->children[idx] = NULL;
			pt->live--;
			pgt->tables--;
			list_add_tail(&child->link, freed);
		}
next:
		va += n;
		size -= n;
	}
	return 0;
}

/**
 * tessera_pgtable_map - map one physically contiguous chunk
 * @pgt: the page tables
 * @pool: tables to use, reserved for a range containing this one
 * @va: device VA, 4 KiB aligned
 * @pa: bus address, or device-memory offset with TESSERA_PTE_DEVMEM
 * @size: bytes, 4 KiB aligned
 * @pte_flags: TESSERA_PTE_READ, _WRITE, _EXEC, _DEVMEM
 *
 * The range must hold no 2 MiB page (unmap first).  Never allocates.
 *
 * Return: 0, or -EINVAL/-ENOMEM on a caller bug (warned about); what was
 * mapped stays mapped.
 */
int tessera_pgtable_map(struct tessera_pgtable *pgt, struct tessera_pt_pool *pool,
			u64 va, u64 pa, u64 size, u64 pte_flags)
{
	if (WARN_ON_ONCE(!pgt->root || (va | pa | size) & (TESSERA_DEV_PAGE - 1)))
		return -EINVAL;
	return tessera_pt_map(pgt, pool, pgt->root, va, pa, size, pte_flags);
}

/**
 * tessera_pgtable_unmap - clear a range
 * @pgt: the page tables
 * @pool: tables for splitting 2 MiB pages at the range's ends
 * @va: device VA, 4 KiB aligned
 * @size: bytes, 4 KiB aligned
 * @freed: receives the tables that became empty, unlinked
 *
 * The caller invalidates the TLB, waits for it, and only then frees
 * @freed (tessera_pt_free_list()) and the memory that was mapped.
 * Never allocates.
 *
 * Return: 0, or -ENOMEM when a split found @pool empty (a caller bug,
 * warned about; the range is then only partly cleared).
 */
int tessera_pgtable_unmap(struct tessera_pgtable *pgt, struct tessera_pt_pool *pool,
			  u64 va, u64 size, struct list_head *freed)
{
	if (WARN_ON_ONCE(!pgt->root || (va | size) & (TESSERA_DEV_PAGE - 1)))
		return -EINVAL;
	return tessera_pt_unmap(pgt, pool, pgt->root, va, size, freed);
}

/**
 * tessera_pgtable_root_dma - bus address of the root table
 * @pgt: the page tables, initialized
 *
 * Return: the address, for the context-table entry.
 */
dma_addr_t tessera_pgtable_root_dma(const struct tessera_pgtable *pgt)
{
	return pgt->root->dma;
}

/**
 * tessera_pgtable_init - empty page tables
 * @pgt: to initialize
 * @tdev: the device
 *
 * Return: 0 or -ENOMEM.
 */
int tessera_pgtable_init(struct tessera_pgtable *pgt, struct tessera_device *tdev)
{
	pgt->tdev = tdev;
	pgt->pages_4k = 0;
	pgt->pages_2m = 0;
	pgt->root = tessera_pt_alloc(tdev, TESSERA_PT_LEVELS);
	pgt->tables = pgt->root ? 1 : 0;
	return pgt->root ? 0 : -ENOMEM;
}

/**
 * tessera_pgtable_fini - free every table
 * @pgt: the page tables; the card can no longer reach them
 */
void tessera_pgtable_fini(struct tessera_pgtable *pgt)
{
	tessera_pt_free(pgt->tdev, pgt->root);
	pgt->root = NULL;
	pgt->tables = 0;
	pgt->pages_4k = 0;
	pgt->pages_2m = 0;
}
