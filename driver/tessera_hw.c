// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: hardware bring-up, rings and reset.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <drm/drm_print.h>

#include "tessera_drv.h"

/*
 * Reset the device and wait, sleeping, for the engines to let go of what
 * they were running: since hardware 1.3 STATUS.READY is clear until then.
 */
static int tessera_hw_reset(struct tessera_device *tdev)
{
	u32 status;
	int ret;

	tessera_write(tdev, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
	ret = readl_poll_timeout(tdev->regs + TESSERA_REG_STATUS, status,
				 status != U32_MAX && (status & TESSERA_STATUS_READY),
				 10, TESSERA_RESET_BOUND_US);
	if (ret)
		drm_err(&tdev->drm, "device not ready after reset (status %#x)\n", status);
	return ret;
}

/**
 * tessera_hw_ring_start - reset a ring, program it and enable it
 * @ring: the ring, its scheduler stopped
 * @done_seqno: the last seqno the ring completed
 *
 * Resets the ring's head and tail to zero and its fence writeback to
 * @done_seqno, so that seqnos keep increasing across resets.  A ring
 * that has not run since a device or ring reset (RING_STATUS.FRESH,
 * hardware 1.3) is not reset again, so ENGINE_RESETS counts recoveries
 * only.  The ring reset of a busy engine completes once the engine has
 * let go of its descriptor (RING_STATUS.RESETTING); this waits for it,
 * sleeping, at most TESSERA_RESET_BOUND_US, and only then takes the
 * fence writeback back, so no write of the abandoned descriptor can land
 * after it.  On older hardware neither bit is ever set.
 *
 * Return: 0, or -ETIMEDOUT when the reset did not complete in time (the
 * ring is programmed anyway, but its engine may still hold its old
 * descriptor: the caller escalates).
 */
int tessera_hw_ring_start(struct tessera_ring *ring, u64 done_seqno)
{
	unsigned long flags;
	u32 status;
	int ret;

	status = tessera_ring_read(ring, TESSERA_RING_STATUS);
	if (status == U32_MAX || !(status & TESSERA_RING_STATUS_FRESH))
		tessera_ring_write(ring, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET);
	/*
	 * Past the bound the ring is programmed anyway (it starts when the
	 * reset completes), but the caller learns that the engine may still
	 * hold its old descriptor, and escalates.
	 */
	ret = readl_poll_timeout(ring->regs + TESSERA_RING_STATUS, status,
				 status == U32_MAX || !(status & TESSERA_RING_STATUS_RESETTING),
				 50, TESSERA_RESET_BOUND_US);
	if (ret)
		drm_err(&ring->tdev->drm, "%s: ring reset not complete after %u us\n",
			ring->name, TESSERA_RESET_BOUND_US);
	/*
	 * A device reset restarts the context-error count: forget the old
	 * one so the first new error (count 1) is not taken for it.
	 */
	spin_lock_irqsave(&ring->fence_lock, flags);
	WRITE_ONCE(ring->fence_wb[0], done_seqno);
	WRITE_ONCE(ring->fence_wb[1], 0);
	ring->faults_seen = 0;
	spin_unlock_irqrestore(&ring->fence_lock, flags);
	tessera_ring_rewind(ring);
	tessera_ring_write(ring, TESSERA_RING_DESC_BASE_LO, lower_32_bits(ring->desc_dma));
	tessera_ring_write(ring, TESSERA_RING_DESC_BASE_HI, upper_32_bits(ring->desc_dma));
	tessera_ring_write(ring, TESSERA_RING_SIZE, TESSERA_RING_ENTRIES);
	tessera_ring_write(ring, TESSERA_RING_FENCE_ADDR_LO, lower_32_bits(ring->fence_wb_dma));
	tessera_ring_write(ring, TESSERA_RING_FENCE_ADDR_HI, upper_32_bits(ring->fence_wb_dma));
	tessera_ring_write(ring, TESSERA_RING_TAIL, 0);
	tessera_ring_write(ring, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	return ret;
}

static int tessera_ring_init(struct tessera_device *tdev, u32 id)
{
	struct tessera_ring *ring = &tdev->rings[id];
	struct device *dev = &tdev->pdev->dev;

	ring->tdev = tdev;
	ring->id = id;
	ring->regs = tdev->regs + TESSERA_RING_BASE(id);
	snprintf(ring->name, sizeof(ring->name), "%s-ring%u", pci_name(tdev->pdev), id);
	spin_lock_init(&ring->fence_lock);
	tessera_ring_state_init(ring);
	INIT_LIST_HEAD(&ring->pending);
	init_waitqueue_head(&ring->ping_wq);
	ring->fence_context = dma_fence_context_alloc(1);
	ring->engine_class = tessera_ring_read(ring, TESSERA_RING_ENGINE_CLASS);
	if (ring->engine_class > TESSERA_ENGINE_CLASS_DMA) {
		drm_err(&tdev->drm, "ring %u: unknown engine class %u\n", id, ring->engine_class);
		return -ENODEV;
	}

	/* Coherent allocations are page aligned, as DESC_BASE requires. */
	ring->desc = dmam_alloc_coherent(dev, TESSERA_RING_ENTRIES * TESSERA_DESC_SIZE,
					 &ring->desc_dma, GFP_KERNEL);
	if (!ring->desc)
		return -ENOMEM;
	ring->fence_wb = dmam_alloc_coherent(dev, TESSERA_FENCE_WB_SIZE,
					     &ring->fence_wb_dma, GFP_KERNEL);
	if (!ring->fence_wb)
		return -ENOMEM;

	if (tessera_ring_read(ring, TESSERA_RING_MSIX_VECTOR) != TESSERA_MSIX_RING_VECTOR(id)) {
		drm_err(&tdev->drm, "ring %u: unexpected MSI-X vector\n", id);
		return -ENODEV;
	}
	tessera_hw_ring_start(ring, 0);
	return 0;
}

/**
 * tessera_hw_init - identify the card, reset it and start its rings
 * @tdev: the device, with BAR0 mapped
 *
 * Interrupts stay masked in the device until tessera_irq_init().
 *
 * Return: 0, or -ENODEV if the card is not a usable T1, or -ENOMEM.
 */
int tessera_hw_init(struct tessera_device *tdev)
{
	u32 id, engines, i;
	int ret;

	id = tessera_read(tdev, TESSERA_REG_ID);
	if (id != TESSERA_ID_MAGIC) {
		drm_err(&tdev->drm, "not a Tessera T1 (id %#x)\n", id);
		return -ENODEV;
	}
	tdev->hw_version = tessera_read(tdev, TESSERA_REG_VERSION);
	if (TESSERA_HW_VERSION_MAJOR(tdev->hw_version) != 1) {
		drm_err(&tdev->drm, "unsupported hardware version %#x\n", tdev->hw_version);
		return -ENODEV;
	}
	tdev->hw_caps = tessera_read(tdev, TESSERA_REG_CAPS);

	ret = tessera_hw_reset(tdev);
	if (ret)
		return ret;

	engines = tessera_read(tdev, TESSERA_REG_ENGINES);
	tdev->num_compute = TESSERA_ENGINES_COMPUTE(engines);
	tdev->num_dma = TESSERA_ENGINES_DMA(engines);
	tdev->num_rings = tdev->num_compute + tdev->num_dma;
	if (!tdev->num_rings || tdev->num_rings > TESSERA_MAX_RINGS) {
		drm_err(&tdev->drm, "bad engine counts %#x\n", engines);
		return -ENODEV;
	}
	tdev->serial = tessera_read(tdev, TESSERA_REG_SERIAL);
	tdev->clock_mhz = tessera_read(tdev, TESSERA_REG_CLOCK_MHZ);
	tdev->hbm_size = tessera_read(tdev, TESSERA_REG_HBM_SIZE_LO) |
			 (u64)tessera_read(tdev, TESSERA_REG_HBM_SIZE_HI) << 32;

	tessera_write(tdev, TESSERA_REG_INT_MASK, U32_MAX);
	spin_lock_init(&tdev->fault_lock);
	ret = tessera_mmu_init(tdev);
	if (ret)
		return ret;
	tessera_hw_watchdog_init(tdev);
	for (i = 0; i < tdev->num_rings; i++) {
		ret = tessera_ring_init(tdev, i);
		if (ret) {
			tessera_hw_fini(tdev);
			return ret;
		}
	}
	return 0;
}

/**
 * tessera_hw_lost - has the card stopped answering?
 * @tdev: the device; the caller is inside drm_dev_enter()
 *
 * A card that fell off the bus (or whose emulator died) reads as all ones
 * or not at all.  The first caller to notice fails every job on the
 * hardware with -ENODEV; from then on no job reaches the rings.
 *
 * Return: true if the card is lost.
 */
bool tessera_hw_lost(struct tessera_device *tdev)
{
	u32 i;

	if (test_bit(TESSERA_FLAG_LOST, &tdev->flags))
		return true;
	if (tessera_read(tdev, TESSERA_REG_ID) == TESSERA_ID_MAGIC)
		return false;
	if (test_and_set_bit(TESSERA_FLAG_LOST, &tdev->flags))
		return true;

	drm_err(&tdev->drm, "card stopped responding, failing all its jobs\n");
	for (i = 0; i < tdev->num_rings; i++)
		tessera_ring_fail_pending(&tdev->rings[i], -ENODEV);
	return true;
}

/**
 * tessera_hw_fini - quiesce the card
 * @tdev: the device
 *
 * Masks interrupts and resets the card so that it stops all DMA.  Harmless
 * on a card that is gone.
 */
void tessera_hw_fini(struct tessera_device *tdev)
{
	tessera_write(tdev, TESSERA_REG_INT_MASK, U32_MAX);
	tessera_write(tdev, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
}
