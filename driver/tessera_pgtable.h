/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef __TESSERA_PGTABLE_H__
#define __TESSERA_PGTABLE_H__

#include <linux/list.h>
#include <linux/types.h>

struct tessera_device;
struct tessera_pt;

/* Levels of tables: 4 is the root (VA bits 47:39), 1 maps 4 KiB pages. */
#define TESSERA_PT_LEVELS	4

/**
 * struct tessera_pt_pool - page tables allocated ahead of a map or unmap
 *
 * Updating page tables must not allocate on a fence-signalling path (a
 * bind job), so the tables an update may need are allocated before, in
 * the ioctl, per level; what is left over is freed afterwards.
 */
struct tessera_pt_pool {
	/** @free: unused tables, per level (index 0 unused) */
	struct list_head free[TESSERA_PT_LEVELS];
	/** @count: entries of @free, per level */
	u32 count[TESSERA_PT_LEVELS];
};

/* Empty tables a device keeps for reuse, per level. */
#define TESSERA_PT_CACHE_MAX	32

/**
 * struct tessera_pt_cache - a device's empty page tables, kept for reuse
 *
 * Allocating a table (coherent DMA memory, zeroed) and freeing it again
 * is most of what binding and unbinding a small buffer costs; tables
 * freed while the cache has room are kept, zeroed, and reserved again
 * before any new one is allocated.  Emptied when the device goes.
 */
struct tessera_pt_cache {
	/** @lock: protects @free and @count; process context only */
	struct mutex lock;
	/** @free: empty tables, per level (index 0 unused) */
	struct list_head free[TESSERA_PT_LEVELS + 1];
	/** @count: entries of @free, per level */
	u32 count[TESSERA_PT_LEVELS + 1];
};

/**
 * struct tessera_pgtable - the hardware page tables of one address space
 *
 * The caller serializes every call on one pgtable (the VM's lock).
 */
struct tessera_pgtable {
	/** @tdev: the device, whose DMA API owns the tables */
	struct tessera_device *tdev;
	/** @root: the level-4 table; NULL after tessera_pgtable_fini() */
	struct tessera_pt *root;
	/** @pages_4k: valid 4 KiB leaf entries */
	u64 pages_4k;
	/** @pages_2m: valid 2 MiB leaf entries */
	u64 pages_2m;
	/** @tables: tables in the tree, the root included */
	u64 tables;
};

void tessera_pt_cache_init(struct tessera_device *tdev);
void tessera_pt_cache_fini(struct tessera_device *tdev);
void tessera_pt_pool_init(struct tessera_pt_pool *pool);
int tessera_pt_pool_reserve(struct tessera_device *tdev, struct tessera_pt_pool *pool,
			    u64 va, u64 size);
int tessera_pt_pool_reserve_split(struct tessera_device *tdev, struct tessera_pt_pool *pool);
void tessera_pt_pool_fini(struct tessera_device *tdev, struct tessera_pt_pool *pool);
void tessera_pt_free_list(struct tessera_device *tdev, struct list_head *tables);

int tessera_pgtable_init(struct tessera_pgtable *pgt, struct tessera_device *tdev);
void tessera_pgtable_fini(struct tessera_pgtable *pgt);
dma_addr_t tessera_pgtable_root_dma(const struct tessera_pgtable *pgt);
int tessera_pgtable_map(struct tessera_pgtable *pgt, struct tessera_pt_pool *pool,
			u64 va, u64 pa, u64 size, u64 pte_flags);
int tessera_pgtable_unmap(struct tessera_pgtable *pgt, struct tessera_pt_pool *pool,
			  u64 va, u64 size, struct list_head *freed);

#endif /* __TESSERA_PGTABLE_H__ */
