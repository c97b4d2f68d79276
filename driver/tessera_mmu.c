// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: device address spaces.
 *
 * Every open file gets a context: an ASID, 4-level page tables in host
 * memory that the device walks, and a VA allocator.  The device's context
 * table (one 16-byte entry per ASID) points at each context's root table;
 * ASID 0 is the kernel's bypass context and has no tables.
 *
 * Nothing the card may still reach is freed: a range is unmapped, then the
 * TLB flushed, and the flush waits until no engine still runs a
 * descriptor that could use the old translations.  That can take as long
 * as a descriptor may run (the watchdog's limit); a flush that does not
 * complete by then means the engine did not stop, and the card is reset
 * before the caller may free the pages.  If even that fails, the pages are
 * never freed.  Page tables and the context table are touched only while
 * the device is present (drm_dev_enter()); at unplug every context's
 * tables are freed at once, while the DMA API still knows the device.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "tessera_drv.h"
#include "tessera_pgtable.h"
#include "tessera_vm.h"

/* VA space handed out to buffers: above 1 MiB, below 2^47. */
#define TESSERA_VA_START	SZ_1M
#define TESSERA_VA_END		BIT_ULL(47)

/* How long one invalidation request is polled before it is issued again. */
#define TESSERA_TLB_INV_SLICE_US	5000

/*
 * Invalidate (@op, @asid) and wait until the card reports it complete, at
 * most as long as a descriptor may legitimately run.  The request is
 * polled in slices and issued again for each, with mmu_lock dropped in
 * between, so that one context's slow flush does not hold up another's.
 * Card awake.
 *
 * Return: 0, or -ETIMEDOUT if the card kept using the old translations.
 */
static int tessera_mmu_invalidate(struct tessera_device *tdev, u32 op, u32 asid)
{
	ktime_t deadline = ktime_add_ms(ktime_get(), tessera_hw_descriptor_max_ms());
	u32 status;
	int ret;

	do {
		mutex_lock(&tdev->mmu_lock);
		tessera_write(tdev, TESSERA_REG_MMU_TLB_INV_ASID, asid);
		tessera_write(tdev, TESSERA_REG_MMU_TLB_INV, op);
		ret = readl_poll_timeout(tdev->regs + TESSERA_REG_MMU_TLB_INV_STATUS, status,
					 !(status & TESSERA_TLB_INV_BUSY) || status == U32_MAX,
					 20, TESSERA_TLB_INV_SLICE_US);
		mutex_unlock(&tdev->mmu_lock);
		if (!ret)
			return 0;
	} while (ktime_before(ktime_get(), deadline));
	return -ETIMEDOUT;
}

/**
 * tessera_mmu_flush - invalidate a context's TLB entries and wait
 * @tdev: the device
 * @asid: the context
 *
 * Waits until no engine still runs a descriptor that may use the context's
 * old translations.  If the card does not get there in time, it is reset.
 * May sleep for as long as a descriptor may run; never call it on a
 * fence-signalling path.
 *
 * Return: true when the card cannot reach what was unmapped before the
 * call; false when it might (the card did not come back from a reset).
 */
static bool tessera_mmu_flush(struct tessera_device *tdev, u32 asid)
{
	bool done = true;
	int idx;

	/* Unplugged: the card was stopped at remove. */
	if (!drm_dev_enter(&tdev->drm, &idx))
		return true;
	/* A sleeping card's TLB was emptied before it went to sleep. */
	if (tessera_pm_get_if_awake(tdev)) {
		if (tessera_mmu_invalidate(tdev, TESSERA_TLB_INV_ASID, asid)) {
			drm_err(&tdev->drm,
				"TLB flush of context %u did not complete in %u ms: resetting the card\n",
				asid, tessera_hw_descriptor_max_ms());
			done = tessera_reset_device_sync(tdev);
		}
		tessera_pm_put(tdev);
	}
	drm_dev_exit(idx);
	return done;
}

/**
 * tessera_mmu_flush_asid - invalidate an address space's TLB entries and wait
 * @tdev: the device
 * @asid: the ASID
 *
 * As tessera_mmu_flush(): may sleep as long as a descriptor may run.
 *
 * Return: true when the card cannot reach what was unmapped before.
 */
bool tessera_mmu_flush_asid(struct tessera_device *tdev, u32 asid)
{
	return tessera_mmu_flush(tdev, asid);
}

/**
 * tessera_mmu_invalidate_start - drop an ASID's TLB entries, without waiting
 * @tdev: the device
 * @asid: the ASID
 *
 * Descriptors that start from now on use fresh translations.  Takes only
 * mmu_lock (a register sequence), never waits for the card.
 */
void tessera_mmu_invalidate_start(struct tessera_device *tdev, u32 asid)
{
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	if (tessera_pm_get_if_awake(tdev)) {
		mutex_lock(&tdev->mmu_lock);
		tessera_write(tdev, TESSERA_REG_MMU_TLB_INV_ASID, asid);
		tessera_write(tdev, TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ASID);
		mutex_unlock(&tdev->mmu_lock);
		tessera_pm_put(tdev);
	}
	drm_dev_exit(idx);
}

/**
 * tessera_mmu_flush_all - empty the TLB of every context
 * @tdev: the device, awake and idle, inside drm_dev_enter()
 */
void tessera_mmu_flush_all(struct tessera_device *tdev)
{
	if (tessera_mmu_invalidate(tdev, TESSERA_TLB_INV_ALL, 0))
		drm_err(&tdev->drm, "TLB flush of an idle card did not complete\n");
}

/*
 * Lock a context's page tables while the device is present (they are
 * freed at unplug).  Return: false, without the lock, after unplug.
 */
static bool tessera_vm_lock(struct tessera_vm *vm, int *idx)
{
	if (!drm_dev_enter(&vm->tdev->drm, idx))
		return false;
	mutex_lock(&vm->lock);
	if (vm->pgt.root)
		return true;
	mutex_unlock(&vm->lock);
	drm_dev_exit(*idx);
	return false;
}

static void tessera_vm_unlock(struct tessera_vm *vm, int idx)
{
	mutex_unlock(&vm->lock);
	drm_dev_exit(idx);
}

/*
 * Clear [@va, @va + @size) and queue the tables that became empty on
 * vm->zombies, to be freed after the next completed TLB flush.  The range
 * holds whole mappings only (no 2 MiB page is split): no pool is needed.
 */
static void tessera_vm_clear(struct tessera_vm *vm, u64 va, u64 size)
{
	struct tessera_pt_pool none;

	lockdep_assert_held(&vm->lock);
	tessera_pt_pool_init(&none);
	tessera_pgtable_unmap(&vm->pgt, &none, va, size, &vm->zombies);
}

/* Map one chunk, or undo the whole map of [@start, @va) and fail. */
static int tessera_vm_map_chunks_failed(struct tessera_vm *vm, u64 start, u64 va, int ret)
{
	LIST_HEAD(freed);

	/* The VA was never handed out: nothing used the tables. */
	if (va > start) {
		struct tessera_pt_pool none;

		tessera_pt_pool_init(&none);
		tessera_pgtable_unmap(&vm->pgt, &none, start, va - start, &freed);
	}
	tessera_pt_free_list(vm->tdev, &freed);
	return ret;
}

/**
 * tessera_vm_map_sgt - map DMA-mapped pages at a device VA
 * @vm: the context
 * @va: where, 4 KiB aligned
 * @size: bytes to map from the start of @sgt, 4 KiB aligned
 * @sgt: the pages, DMA-mapped for the device
 * @prot: TESSERA_PTE_READ and/or TESSERA_PTE_WRITE
 *
 * Maps each DMA segment as one chunk, in 4 KiB device pages whatever the
 * CPU's page size, with 2 MiB pages where a segment allows.
 *
 * Return: 0, -ENOMEM or -ENODEV (nothing is left mapped).
 */
int tessera_vm_map_sgt(struct tessera_vm *vm, u64 va, u64 size, struct sg_table *sgt, u64 prot)
{
	struct tessera_pt_pool pool;
	struct scatterlist *sg;
	u64 start = va, left = size;
	int ret = 0, idx;
	unsigned int i;

	tessera_pt_pool_init(&pool);
	ret = tessera_pt_pool_reserve(vm->tdev, &pool, va, size);
	if (ret)
		goto out;
	if (!tessera_vm_lock(vm, &idx)) {
		ret = -ENODEV;
		goto out;
	}
	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 len = min_t(u64, sg_dma_len(sg), left);

		if (!len)
			break;
		if (!IS_ALIGNED(sg_dma_address(sg) | len, SZ_4K)) {
			ret = -EINVAL;
			break;
		}
		ret = tessera_pgtable_map(&vm->pgt, &pool, va, sg_dma_address(sg), len, prot);
		if (ret)
			break;
		va += len;
		left -= len;
	}
	if (!ret && left)
		ret = -EINVAL;
	if (ret)
		ret = tessera_vm_map_chunks_failed(vm, start, va, ret);
	tessera_vm_unlock(vm, idx);
out:
	tessera_pt_pool_fini(vm->tdev, &pool);
	return ret;
}

/**
 * tessera_vm_map_devmem - map device memory at a device VA
 * @vm: the context
 * @va: where, 4 KiB aligned
 * @size: bytes to map, the blocks' total
 * @blocks: the memory, as buddy blocks, in order
 * @prot: TESSERA_PTE_READ and/or TESSERA_PTE_WRITE
 *
 * Each block is one chunk: blocks of 2 MiB or more at 2 MiB-aligned VAs
 * get 2 MiB pages.
 *
 * Return: 0, -ENOMEM or -ENODEV (nothing is left mapped).
 */
int tessera_vm_map_devmem(struct tessera_vm *vm, u64 va, u64 size, struct list_head *blocks,
			  u64 prot)
{
	struct tessera_buddy_block *block;
	struct tessera_pt_pool pool;
	u64 start = va;
	int ret, idx;

	tessera_pt_pool_init(&pool);
	ret = tessera_pt_pool_reserve(vm->tdev, &pool, va, size);
	if (ret)
		goto out;
	if (!tessera_vm_lock(vm, &idx)) {
		ret = -ENODEV;
		goto out;
	}
	list_for_each_entry(block, blocks, link) {
		u64 off = tessera_buddy_block_offset(block);
		u64 len = tessera_buddy_block_size(&vm->tdev->hbm_mm, block);

		ret = tessera_pgtable_map(&vm->pgt, &pool, va, off, len,
					  prot | TESSERA_PTE_DEVMEM);
		if (ret) {
			ret = tessera_vm_map_chunks_failed(vm, start, va, ret);
			break;
		}
		va += len;
	}
	tessera_vm_unlock(vm, idx);
out:
	tessera_pt_pool_fini(vm->tdev, &pool);
	return ret;
}

/**
 * tessera_vm_unmap_start - remove a range without waiting for the card
 * @vm: the context
 * @va: start, 4 KiB aligned
 * @size: bytes, 4 KiB aligned
 *
 * Clears the entries and drops the TLB's copies: descriptors that start
 * from now on fault on the range.  Descriptors already running may still
 * reach it until tessera_vm_unmap() of the same range returns true.
 */
void tessera_vm_unmap_start(struct tessera_vm *vm, u64 va, u64 size)
{
	struct tessera_device *tdev = vm->tdev;
	int idx;

	if (!tessera_vm_lock(vm, &idx))
		return;
	tessera_vm_clear(vm, va, size);
	tessera_vm_unlock(vm, idx);
	tessera_mmu_invalidate_start(tdev, vm->asid);
}

/**
 * tessera_vm_unmap - remove a range and wait until the device stopped using it
 * @vm: the context
 * @va: start, 4 KiB aligned
 * @size: bytes, 4 KiB aligned
 *
 * May sleep as long as a descriptor may run (tessera_mmu_flush()).
 *
 * Return: true when the pages behind the range may be freed.
 */
bool tessera_vm_unmap(struct tessera_vm *vm, u64 va, u64 size)
{
	int idx;

	LIST_HEAD(freed);
	bool done;

	if (!tessera_vm_lock(vm, &idx))
		return true;	/* unplugged: tables gone, card stopped */
	tessera_vm_clear(vm, va, size);
	/* Unlinked before the flush below is issued: safe to free after it. */
	list_splice_init(&vm->zombies, &freed);
	tessera_vm_unlock(vm, idx);
	done = tessera_mmu_flush(vm->tdev, vm->asid);
	if (done)
		tessera_pt_free_list(vm->tdev, &freed);
	else
		drm_err(&vm->tdev->drm, "context %u: leaking %zu page tables the card may reach\n",
			vm->asid, list_count_nodes(&freed));
	return done;
}

/**
 * tessera_vm_alloc_va - reserve a VA range
 * @vm: the context
 * @node: receives the range
 * @size: bytes, 4 KiB aligned
 *
 * Return: 0 or -ENOSPC.
 */
int tessera_vm_alloc_va(struct tessera_vm *vm, struct drm_mm_node *node, u64 size)
{
	u64 align = size >= SZ_2M ? SZ_2M : SZ_4K;
	int ret;

	mutex_lock(&vm->lock);
	ret = drm_mm_insert_node_generic(&vm->mm, node, size, align, 0, DRM_MM_INSERT_BEST);
	mutex_unlock(&vm->lock);
	return ret;
}

/** tessera_vm_free_va - release a VA range from tessera_vm_alloc_va() */
void tessera_vm_free_va(struct tessera_vm *vm, struct drm_mm_node *node)
{
	mutex_lock(&vm->lock);
	if (drm_mm_node_allocated(node))
		drm_mm_remove_node(node);
	mutex_unlock(&vm->lock);
}

/**
 * tessera_ctx_entry_set - point an ASID's context-table entry at a root
 * @tdev: the device, inside drm_dev_enter()
 * @asid: the ASID
 * @root: root table pointer in PTE format, or 0 to disable the ASID
 * @flags: TESSERA_CTX_* (hardware 1.4), 0 before
 *
 * Context-table entries are not cached: the next descriptor of @asid
 * reads the new one.
 */
void tessera_ctx_entry_set(struct tessera_device *tdev, u32 asid, u64 root, u64 flags)
{
	__le64 *entry = tdev->ctx_table + asid * (TESSERA_CTX_ENTRY_SIZE / sizeof(__le64));

	WRITE_ONCE(entry[0], 0);
	dma_wmb();
	WRITE_ONCE(entry[1], cpu_to_le64(flags));
	dma_wmb();
	WRITE_ONCE(entry[0], cpu_to_le64(root));
}

static void tessera_ctx_entry_write(struct tessera_device *tdev, u32 asid, u64 root)
{
	tessera_ctx_entry_set(tdev, asid, root, 0);
}

/**
 * tessera_vm_create - a new context with an empty address space
 * @tdev: the device
 *
 * Return: the context, or an ERR_PTR (-ENOSPC when all ASIDs are in use).
 */
struct tessera_vm *tessera_vm_create(struct tessera_device *tdev)
{
	struct tessera_vm *vm;
	int asid, ret, idx;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	kref_init(&vm->ref);
	vm->tdev = tdev;
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->zombies);
	atomic_set(&vm->active_jobs, 0);
	drm_mm_init(&vm->mm, TESSERA_VA_START, TESSERA_VA_END - TESSERA_VA_START);

	if (!drm_dev_enter(&tdev->drm, &idx)) {
		ret = -ENODEV;
		goto err;
	}
	ret = tessera_pgtable_init(&vm->pgt, tdev);
	if (ret)
		goto err_exit;
	asid = tessera_asid_alloc_fixed(tdev);
	if (asid < 0) {
		ret = asid;
		goto err_exit;
	}
	vm->asid = asid;
	tessera_fault_reset(tdev, asid);
	mutex_lock(&tdev->vms_lock);
	list_add_tail(&vm->link, &tdev->vms);
	mutex_unlock(&tdev->vms_lock);
	tessera_ctx_entry_write(tdev, asid,
				tessera_pgtable_root_dma(&vm->pgt) | TESSERA_PTE_VALID);
	drm_dev_exit(idx);
	return vm;

err_exit:
	tessera_pgtable_fini(&vm->pgt);
	drm_dev_exit(idx);
err:
	drm_mm_takedown(&vm->mm);
	kfree(vm);
	return ERR_PTR(ret);
}

static void tessera_vm_release(struct kref *ref)
{
	struct tessera_vm *vm = container_of(ref, struct tessera_vm, ref);
	struct tessera_device *tdev = vm->tdev;
	int idx;

	mutex_lock(&tdev->vms_lock);
	list_del(&vm->link);
	mutex_unlock(&tdev->vms_lock);
	/*
	 * No job of this context is left (jobs hold it).  While the device
	 * is present, its context-table entry goes and its tables are freed
	 * here; after unplug tessera_mmu_unplug() freed them already.
	 */
	if (drm_dev_enter(&tdev->drm, &idx)) {
		tessera_ctx_entry_write(tdev, vm->asid, 0);
		tessera_mmu_flush(tdev, vm->asid);
		tessera_fault_resume(tdev, vm->asid);
		tessera_pgtable_fini(&vm->pgt);
		tessera_pt_free_list(tdev, &vm->zombies);
		drm_dev_exit(idx);
	}
	ida_free(&tdev->asid_ida, vm->asid);
	drm_mm_takedown(&vm->mm);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

/** tessera_vm_put - drop a context reference; the last one tears it down */
void tessera_vm_put(struct tessera_vm *vm)
{
	if (vm)
		kref_put(&vm->ref, tessera_vm_release);
}

/**
 * tessera_mmu_init - allocate the context table and enable the MMU
 * @tdev: the device, after reset
 *
 * Return: 0 or a negative errno.
 */
int tessera_mmu_init(struct tessera_device *tdev)
{
	size_t size = TESSERA_NUM_CONTEXTS * TESSERA_CTX_ENTRY_SIZE;

	if (!(tessera_read(tdev, TESSERA_REG_CAPS) & TESSERA_CAP_MMU)) {
		drm_err(&tdev->drm, "device has no MMU\n");
		return -ENODEV;
	}
	mutex_init(&tdev->mmu_lock);
	mutex_init(&tdev->vms_lock);
	INIT_LIST_HEAD(&tdev->vms);
	INIT_LIST_HEAD(&tdev->gpuvms);
	ida_init(&tdev->asid_ida);
	tessera_asid_init(tdev);
	tdev->ctx_table = dmam_alloc_coherent(&tdev->pdev->dev, size, &tdev->ctx_table_dma,
					      GFP_KERNEL);
	if (!tdev->ctx_table)
		return -ENOMEM;
	tessera_mmu_hw_init(tdev);
	return 0;
}

/** tessera_mmu_hw_init - point the device at the context table (after a reset) */
void tessera_mmu_hw_init(struct tessera_device *tdev)
{
	tessera_write(tdev, TESSERA_REG_MMU_CTX_BASE_LO, lower_32_bits(tdev->ctx_table_dma));
	tessera_write(tdev, TESSERA_REG_MMU_CTX_BASE_HI, upper_32_bits(tdev->ctx_table_dma));
	tessera_write(tdev, TESSERA_REG_MMU_CTX_COUNT, TESSERA_NUM_CONTEXTS);
}

/**
 * tessera_mmu_unplug - free every context's page tables (remove)
 * @tdev: the device, unplugged and stopped (no DMA any more)
 *
 * Runs while the driver is still bound, so the coherent memory goes back
 * through the DMA API before the device's DMA state is torn down.  The
 * contexts themselves live on until their files and buffers let go.
 */
void tessera_mmu_unplug(struct tessera_device *tdev)
{
	struct tessera_vm *vm;

	mutex_lock(&tdev->vms_lock);
	list_for_each_entry(vm, &tdev->vms, link) {
		mutex_lock(&vm->lock);
		tessera_pgtable_fini(&vm->pgt);
		tessera_pt_free_list(tdev, &vm->zombies);
		mutex_unlock(&vm->lock);
	}
	mutex_unlock(&tdev->vms_lock);
}

/**
 * tessera_mmu_ctx_disable - make the card refuse a context's descriptors
 * @tdev: the device, inside drm_dev_enter()
 * @asid: the context, kept alive by the caller (one of its jobs)
 *
 * Context-table entries are not cached: every later descriptor of the
 * context is aborted (CTX_INVALID) without running.  For banned contexts;
 * memory writes only, so it may be called from the reset path.
 */
void tessera_mmu_ctx_disable(struct tessera_device *tdev, u32 asid)
{
	tessera_ctx_entry_write(tdev, asid, 0);
}
