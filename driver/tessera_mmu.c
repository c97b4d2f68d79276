// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: the device MMU's context table and TLB.
 *
 * The device's context table (one 16-byte entry per ASID) points at the
 * root page table of the VM that holds each ASID (tessera_asid.c lends
 * ASIDs to VMs, tessera_pgtable.c builds the tables, tessera_vm.c the
 * VMs); ASID 0 is the kernel's bypass context and has no tables.
 *
 * Nothing the card may still reach is freed: a range is unmapped, then the
 * TLB flushed, and the flush waits until no engine still runs a
 * descriptor that could use the old translations.  That can take as long
 * as a descriptor may run (the watchdog's limit); a flush that does not
 * complete by then means the engine did not stop, and the card is reset
 * before the caller may free the pages.  If even that fails, the pages are
 * never freed.  Page tables and the context table are touched only while
 * the device is present (drm_dev_enter()); at unplug every VM's tables
 * are freed at once (tessera_gpuvm_unplug()), while the DMA API still
 * knows the device.
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

/* How long one invalidation request is polled before it is issued again. */
#define TESSERA_TLB_INV_SLICE_US	5000

/*
 * Request invalidation @op (of @asid for TESSERA_TLB_INV_ASID); under
 * mmu_lock.  MMU_TLB_INV_ASID keeps its value until a reset, so it is
 * written only when it changes.
 */
static void tessera_mmu_inv_write(struct tessera_device *tdev, u32 op, u32 asid)
{
	lockdep_assert_held(&tdev->mmu_lock);
	if (op == TESSERA_TLB_INV_ASID && tdev->tlb_inv_asid != asid) {
		tessera_write(tdev, TESSERA_REG_MMU_TLB_INV_ASID, asid);
		tdev->tlb_inv_asid = asid;
	}
	tessera_write(tdev, TESSERA_REG_MMU_TLB_INV, op);
}

/*
 * Invalidate (@op, @asid) and wait until the card reports it complete, at
 * most as long as a descriptor may legitimately run.  The request is
 * polled in slices and issued again for each, with mmu_lock dropped in
 * between, so that one context's slow flush does not hold up another's.
 * With @issued, the caller wrote the same request already
 * (tessera_mmu_invalidate_start()): the first slice only waits for it, as
 * BUSY covers every invalidation written so far.  Card awake.
 *
 * Return: 0, or -ETIMEDOUT if the card kept using the old translations.
 */
static int tessera_mmu_invalidate(struct tessera_device *tdev, u32 op, u32 asid, bool issued)
{
	ktime_t deadline = ktime_add_ms(ktime_get(), tessera_hw_descriptor_max_ms());
	u32 status;
	int ret;

	do {
		mutex_lock(&tdev->mmu_lock);
		if (!issued)
			tessera_mmu_inv_write(tdev, op, asid);
		issued = false;
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
 * @started: tessera_mmu_invalidate_start() of @asid was called after the
 *	entries changed: wait for that one first
 *
 * Waits until no engine still runs a descriptor that may use the context's
 * old translations.  If the card does not get there in time, it is reset.
 * May sleep for as long as a descriptor may run; never call it on a
 * fence-signalling path.
 *
 * Return: true when the card cannot reach what was unmapped before the
 * call; false when it might (the card did not come back from a reset).
 */
static bool tessera_mmu_flush(struct tessera_device *tdev, u32 asid, bool started)
{
	bool done = true;
	int idx;

	/* Unplugged: the card was stopped at remove. */
	if (!drm_dev_enter(&tdev->drm, &idx))
		return true;
	/* A sleeping card's TLB was emptied before it went to sleep. */
	if (tessera_pm_get_if_awake(tdev)) {
		if (tessera_mmu_invalidate(tdev, TESSERA_TLB_INV_ASID, asid, started)) {
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
	return tessera_mmu_flush(tdev, asid, false);
}

/**
 * tessera_mmu_flush_started - wait for tessera_mmu_invalidate_start()
 * @tdev: the device
 * @asid: the ASID the invalidation was started for, after its entries changed
 *
 * As tessera_mmu_flush_asid(), but without writing the request again
 * first: two register writes fewer for every unbind.  (A card asleep at
 * the start had its TLB emptied before it went to sleep.)
 *
 * Return: true when the card cannot reach what was unmapped before the
 * start.
 */
bool tessera_mmu_flush_started(struct tessera_device *tdev, u32 asid)
{
	return tessera_mmu_flush(tdev, asid, true);
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
		tessera_mmu_inv_write(tdev, TESSERA_TLB_INV_ASID, asid);
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
	if (tessera_mmu_invalidate(tdev, TESSERA_TLB_INV_ALL, 0, false))
		drm_err(&tdev->drm, "TLB flush of an idle card did not complete\n");
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

/**
 * tessera_mmu_init - allocate the context table and enable the MMU
 * @tdev: the device, after reset
 *
 * Return: 0 or a negative errno.
 */
int tessera_mmu_init(struct tessera_device *tdev)
{
	size_t size = TESSERA_NUM_CONTEXTS * TESSERA_CTX_ENTRY_SIZE;

	if (!(tdev->hw_caps & TESSERA_CAP_MMU)) {
		drm_err(&tdev->drm, "device has no MMU\n");
		return -ENODEV;
	}
	mutex_init(&tdev->mmu_lock);
	mutex_init(&tdev->vms_lock);
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
	/* The reset cleared MMU_TLB_INV_ASID. */
	mutex_lock(&tdev->mmu_lock);
	tdev->tlb_inv_asid = U32_MAX;
	mutex_unlock(&tdev->mmu_lock);
	tessera_write(tdev, TESSERA_REG_MMU_CTX_BASE_LO, lower_32_bits(tdev->ctx_table_dma));
	tessera_write(tdev, TESSERA_REG_MMU_CTX_BASE_HI, upper_32_bits(tdev->ctx_table_dma));
	tessera_write(tdev, TESSERA_REG_MMU_CTX_COUNT, TESSERA_NUM_CONTEXTS);
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
	tessera_ctx_entry_set(tdev, asid, 0, 0);
}
