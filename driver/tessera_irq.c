// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: MSI-X interrupts.
 *
 * Vector n serves ring n; vector num_rings serves errors and events.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/dma-fence.h>
#include <linux/interrupt.h>
#include <linux/pci.h>
#include <drm/drm_print.h>

#include "tessera_drv.h"

static irqreturn_t tessera_ring_irq(int irq, void *arg)
{
	struct tessera_ring *ring = arg;
	bool cookie = dma_fence_begin_signalling();

	/*
	 * Nothing to acknowledge: the device sends a message for every fence
	 * whether or not INT_STATUS was cleared, and the handler reads the
	 * fence writeback in memory, so a fence written while it runs raises
	 * the vector again.  INT_STATUS is left for polling; no MMIO here.
	 */
	tessera_ring_signal(ring);
	if (wq_has_sleeper(&ring->ping_wq))
		wake_up(&ring->ping_wq);
	dma_fence_end_signalling(cookie);
	return IRQ_HANDLED;
}

/*
 * The error registers latch one event; when several engines stop at once
 * (say, each tripping the watchdog) the others show only in their ring's
 * status.  Recover every stopped ring now rather than at its job timeout.
 */
static void tessera_error_irq_rings(struct tessera_device *tdev)
{
	u32 i, status;

	for (i = 0; i < tdev->num_rings; i++) {
		status = tessera_ring_read(&tdev->rings[i], TESSERA_RING_STATUS);
		if (status != U32_MAX &&
		    (status & (TESSERA_RING_STATUS_HUNG | TESSERA_RING_STATUS_ERROR)))
			drm_sched_fault(&tdev->rings[i].sched);
	}
}

static irqreturn_t tessera_error_irq(int irq, void *arg)
{
	struct tessera_device *tdev = arg;
	u32 code, ring, i;
	bool cookie;
	u64 addr;

	code = tessera_read(tdev, TESSERA_REG_ERR_CODE);
	if (code == U32_MAX)	/* surprise removal: all ones */
		return IRQ_NONE;
	cookie = dma_fence_begin_signalling();
	ring = tessera_read(tdev, TESSERA_REG_ERR_RING);
	addr = tessera_read(tdev, TESSERA_REG_ERR_ADDR_LO) |
	       (u64)tessera_read(tdev, TESSERA_REG_ERR_ADDR_HI) << 32;
	tessera_write(tdev, TESSERA_REG_ERR_ACK, 1);
	tessera_write(tdev, TESSERA_REG_INT_STATUS, TESSERA_INT_ERROR);

	/*
	 * Context errors: fail the faulting context's jobs; the ring goes
	 * on.  A ring stopped by a descriptor error stays stopped: its job
	 * times out and the timeout handler resets the ring.
	 */
	for (i = 0; i < tdev->num_rings; i++) {
		tessera_ring_check_fault(&tdev->rings[i]);
		tessera_ring_signal(&tdev->rings[i]);
	}
	switch (code) {
	case TESSERA_ERR_INVALID_DESC:
	case TESSERA_ERR_RING_CONFIG:
	case TESSERA_ERR_WATCHDOG:
	case TESSERA_ERR_RESET_FAILED:
		drm_err_ratelimited(&tdev->drm, "ring %u stopped: device error %u at %#llx\n",
				    ring, code, addr);
		/* Recover now rather than when the job times out. */
		tessera_error_irq_rings(tdev);
		break;
	default:
		/* A user's bad job: reported to that user, not to the log. */
		drm_dbg_driver(&tdev->drm, "ring %u: context error %u at %#llx\n", ring, code,
			       addr);
	}
	dma_fence_end_signalling(cookie);
	return IRQ_HANDLED;
}

/**
 * tessera_irq_init - allocate MSI-X vectors, install handlers, unmask
 * @tdev: the device, with its rings started
 *
 * Return: 0 or a negative errno.
 */
int tessera_irq_init(struct tessera_device *tdev)
{
	struct pci_dev *pdev = tdev->pdev;
	u32 nvec = tdev->num_rings + 1, i;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, nvec, nvec, PCI_IRQ_MSIX);
	if (ret < 0) {
		drm_err(&tdev->drm, "cannot allocate %u MSI-X vectors: %d\n", nvec, ret);
		return ret;
	}

	for (i = 0; i < tdev->num_rings; i++) {
		int irq = pci_irq_vector(pdev, TESSERA_MSIX_RING_VECTOR(i));

		ret = devm_request_irq(&pdev->dev, irq, tessera_ring_irq, 0, DRIVER_NAME,
				       &tdev->rings[i]);
		if (ret)
			return ret;
	}
	ret = devm_request_irq(&pdev->dev,
			       pci_irq_vector(pdev, TESSERA_MSIX_ERR_VECTOR(tdev->num_rings)),
			       tessera_error_irq, 0, DRIVER_NAME, tdev);
	if (ret)
		return ret;

	tessera_irq_enable(tdev);
	return 0;
}

/**
 * tessera_irq_enable - clear and unmask the device's interrupts
 * @tdev: the device, handlers installed
 */
void tessera_irq_enable(struct tessera_device *tdev)
{
	u32 mask = TESSERA_INT_ERROR, i;

	for (i = 0; i < tdev->num_rings; i++)
		mask |= TESSERA_INT_RING(i);
	tessera_write(tdev, TESSERA_REG_INT_STATUS, mask);
	tessera_write(tdev, TESSERA_REG_INT_MASK, ~mask);
}

/**
 * tessera_irq_disable - mask interrupts and wait for running handlers
 * @tdev: the device
 */
void tessera_irq_disable(struct tessera_device *tdev)
{
	u32 i;

	tessera_write(tdev, TESSERA_REG_INT_MASK, U32_MAX);
	for (i = 0; i <= tdev->num_rings; i++)
		synchronize_irq(pci_irq_vector(tdev->pdev, i));
}
