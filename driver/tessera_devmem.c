// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: device memory (BAR2, "HBM").
 *
 * A buddy allocator hands out device memory to buffers.  A buffer gets
 * one contiguous range when there is one free: the buddy allocator
 * rounds the request up to a power of two, which is naturally aligned
 * (2 MiB-aligned from 2 MiB up, so binds can use 2 MiB entries), and
 * gives back the tail.  One range also means an operand never straddles
 * two pieces of the buffer, which the emulated card would otherwise have
 * to copy to compute on (Documentation/emulator.rst, "Operands").  When
 * device memory is too fragmented for that, buffers of 2 MiB or more get
 * 2 MiB-aligned blocks of at least 2 MiB for all but their last partial
 * 2 MiB, and only when that fails too 4 KiB blocks.  New memory is
 * cleared through the write-combined BAR mapping before anyone can see
 * it.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/io.h>
#include <linux/sizes.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "tessera_drv.h"

static void tessera_devmem_fini(struct drm_device *drm, void *unused)
{
	struct tessera_device *tdev = to_tessera(drm);

	tessera_buddy_fini(&tdev->hbm_mm);
	mutex_destroy(&tdev->hbm_lock);
}

/**
 * tessera_devmem_init - set up the device-memory allocator and BAR2
 * @tdev: the device; a card without device memory is fine
 *
 * Return: 0 or a negative errno.
 */
int tessera_devmem_init(struct tessera_device *tdev)
{
	struct pci_dev *pdev = tdev->pdev;
	int ret;

	if (!tdev->hbm_size || !(tdev->hw_caps & TESSERA_CAP_HBM))
		return 0;
	if (pci_resource_len(pdev, TESSERA_BAR_HBM) < tdev->hbm_size) {
		drm_err(&tdev->drm, "BAR2 smaller than device memory\n");
		return -ENODEV;
	}
	tdev->hbm_bar = pci_resource_start(pdev, TESSERA_BAR_HBM);
	tdev->hbm_map = devm_ioremap_wc(&pdev->dev, tdev->hbm_bar, tdev->hbm_size);
	if (!tdev->hbm_map)
		return -ENOMEM;
	mutex_init(&tdev->hbm_lock);
	ret = tessera_buddy_init(&tdev->hbm_mm, tdev->hbm_size, SZ_4K);
	if (ret)
		return ret;
	tdev->hbm_ready = true;
	return drmm_add_action_or_reset(&tdev->drm, tessera_devmem_fini, NULL);
}

/* @size bytes in blocks of at least @min_block; hbm_lock held. */
static int tessera_devmem_alloc_blocks(struct tessera_device *tdev, u64 size, u64 min_block,
				       struct list_head *blocks, unsigned long flags)
{
	lockdep_assert_held(&tdev->hbm_lock);
	return tessera_buddy_alloc_blocks(&tdev->hbm_mm, 0, tdev->hbm_size, size, min_block,
					  blocks, flags);
}

/**
 * tessera_devmem_alloc - allocate and clear device memory
 * @tdev: the device, with device memory
 * @size: bytes, a multiple of 4 KiB
 * @blocks: receives the buddy blocks, in order
 *
 * Return: 0, -ENOMEM when device memory is short, -ENODEV when the card
 * is gone or in a PCI reset (BAR2 does not decode then: the clear would
 * be lost).
 */
int tessera_devmem_alloc(struct tessera_device *tdev, u64 size, struct list_head *blocks)
{
	u64 huge = round_down(size, SZ_2M);
	struct tessera_buddy_block *block;
	int ret = -ENOMEM, idx;

	mutex_lock(&tdev->hbm_lock);
	if (size <= tdev->hbm_size)
		ret = tessera_devmem_alloc_blocks(tdev, size, SZ_4K, blocks,
						  TESSERA_BUDDY_CONTIGUOUS);
	if (ret && huge) {
		ret = tessera_devmem_alloc_blocks(tdev, huge, SZ_2M, blocks, 0);
		if (!ret && size > huge) {
			ret = tessera_devmem_alloc_blocks(tdev, size - huge, SZ_4K, blocks, 0);
			if (ret)
				tessera_buddy_free_list(&tdev->hbm_mm, blocks, 0);
		}
	}
	/* No 2 MiB blocks (fragmented, or a small buffer): 4 KiB ones. */
	if (ret)
		ret = tessera_devmem_alloc_blocks(tdev, size, SZ_4K, blocks, 0);
	mutex_unlock(&tdev->hbm_lock);
	if (ret) {
		drm_dbg(&tdev->drm, "no %llu bytes of device memory free: %d\n", size, ret);
		return -ENOMEM;
	}

	if (!tessera_hw_enter(tdev, &idx)) {
		tessera_devmem_free(tdev, blocks);
		return -ENODEV;
	}
	list_for_each_entry(block, blocks, link)
		memset_io(tdev->hbm_map + tessera_buddy_block_offset(block), 0,
			  tessera_buddy_block_size(&tdev->hbm_mm, block));
	tessera_hw_exit(tdev, idx);
	return 0;
}

/**
 * tessera_devmem_free - give device memory back
 * @tdev: the device
 * @blocks: from tessera_devmem_alloc(); the card can no longer reach them
 */
void tessera_devmem_free(struct tessera_device *tdev, struct list_head *blocks)
{
	mutex_lock(&tdev->hbm_lock);
	tessera_buddy_free_list(&tdev->hbm_mm, blocks, 0);
	mutex_unlock(&tdev->hbm_lock);
}
