// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: hang recovery.
 *
 * A job that runs too long is caught by the device's watchdog (which makes
 * the scheduler's timeout handler run at once) or by the scheduler's job
 * timeout.  The handler resets only the hung engine's ring: the hung job
 * fails with -ETIMEDOUT and the jobs queued behind it, which never
 * started, are posted again and complete normally.  When a ring reset
 * fails, or resets come too often, the whole device is reset: every job on
 * the hardware fails with -ECANCELED and the device is brought back up.
 * Timeout handlers of all rings run on one ordered workqueue, so at most
 * one recovery runs at a time.
 *
 * A PCI function reset from outside the driver (the sysfs reset file, a
 * bus reset) is handled the same way, split across the PCI core's
 * reset_prepare and reset_done callbacks and run on the same workqueue:
 * prepare stops the schedulers and interrupts, stops the card and fails
 * the jobs on the hardware with -ECANCELED; done brings the card back up
 * and restarts the schedulers, which then run the jobs still queued.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "tessera_job.h"
#include "tessera_trace.h"

static unsigned int tessera_watchdog_ms = 5000;
module_param_named(watchdog_ms, tessera_watchdog_ms, uint, 0444);
MODULE_PARM_DESC(watchdog_ms, "Device watchdog: longest a job may run on an engine (ms, 0 = off, default 5000)");

/* More ring resets than this within TESSERA_RESET_WINDOW: reset the device. */
#define TESSERA_RESET_BURST	3
#define TESSERA_RESET_WINDOW	(10 * HZ)

/** tessera_hw_watchdog_init - program the device watchdog */
void tessera_hw_watchdog_init(struct tessera_device *tdev)
{
	tessera_write(tdev, TESSERA_REG_WATCHDOG_MS, tessera_watchdog_ms);
}

/* Post the jobs still pending on @ring again, from slot 0, in order. */
static void tessera_ring_replay(struct tessera_ring *ring)
{
	struct tessera_fence *fence;
	unsigned long flags;

	spin_lock_irqsave(&ring->fence_lock, flags);
	list_for_each_entry(fence, &ring->pending, link) {
		ring->desc[ring->tail] = fence->desc;
		ring->tail = (ring->tail + 1) % TESSERA_RING_ENTRIES;
	}
	spin_unlock_irqrestore(&ring->fence_lock, flags);
	if (!ring->tail)
		return;
	dma_wmb();
	tessera_ring_kick(ring);
}

/* Reset one ring; the jobs after @done_seqno are posted again. */
static int tessera_ring_reset(struct tessera_ring *ring, u64 done_seqno)
{
	u32 status;

	tessera_hw_ring_start(ring, done_seqno);
	status = tessera_ring_read(ring, TESSERA_RING_STATUS);
	if (status == U32_MAX || (status & TESSERA_RING_STATUS_RESET_FAILED))
		return -EIO;
	atomic_inc(&ring->tdev->engine_resets);
	trace_tessera_ring_reset(ring->id, done_seqno);
	tessera_ring_replay(ring);
	return 0;
}

static int tessera_device_reset_hw(struct tessera_device *tdev)
{
	u32 status;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		tessera_write(tdev, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
		if (!readl_poll_timeout(tdev->regs + TESSERA_REG_STATUS, status,
					status != U32_MAX && (status & TESSERA_STATUS_READY),
					10, 100 * 1000))
			return 0;
	}
	return -EIO;
}

/*
 * Stop every ring's scheduler but @cur's (stopped by the caller, or NULL),
 * then the interrupts.  Runs on reset_wq.
 */
static void tessera_device_quiesce(struct tessera_device *tdev, struct tessera_ring *cur)
{
	u32 i;

	for (i = 0; i < tdev->num_rings; i++)
		if (&tdev->rings[i] != cur)
			drm_sched_stop(&tdev->rings[i].sched, NULL);
	tessera_irq_disable(tdev);
}

/*
 * Reset a quiesced device and bring it back up: every job still on the
 * hardware fails, the rings, the MMU context table and the interrupts are
 * set up again, and the schedulers but @cur's are restarted.  Runs on
 * reset_wq.
 */
static void tessera_device_restart(struct tessera_device *tdev, struct tessera_ring *cur)
{
	u32 i;

	if (tessera_device_reset_hw(tdev)) {
		drm_err(&tdev->drm, "device reset failed, giving the card up\n");
		set_bit(TESSERA_FLAG_LOST, &tdev->flags);
		for (i = 0; i < tdev->num_rings; i++)
			tessera_ring_fail_pending(&tdev->rings[i], -ENODEV);
	} else {
		tessera_mmu_hw_init(tdev);
		tessera_hw_watchdog_init(tdev);
		for (i = 0; i < tdev->num_rings; i++) {
			struct tessera_ring *ring = &tdev->rings[i];

			tessera_ring_fail_pending(ring, -ECANCELED);
			tessera_hw_ring_start(ring, ring->next_seqno - 1);
		}
		tessera_irq_enable(tdev);
	}
	atomic_inc(&tdev->device_resets);
	tdev->reset_burst = 0;

	for (i = 0; i < tdev->num_rings; i++)
		if (&tdev->rings[i] != cur)
			tessera_sched_restart(&tdev->rings[i]);
}

/*
 * Reset the whole device.  @cur's scheduler is stopped by the caller; the
 * others are stopped and restarted here.  Every job on the hardware fails.
 */
static void tessera_device_reset(struct tessera_device *tdev, struct tessera_ring *cur)
{
	drm_err(&tdev->drm, "resetting the device\n");
	tessera_device_quiesce(tdev, cur);
	tessera_device_restart(tdev, cur);
}

/* Too many ring resets lately? */
static bool tessera_reset_burst(struct tessera_device *tdev)
{
	if (time_after(jiffies, tdev->reset_burst_start + TESSERA_RESET_WINDOW)) {
		tdev->reset_burst_start = jiffies;
		tdev->reset_burst = 0;
	}
	return ++tdev->reset_burst > TESSERA_RESET_BURST;
}

/**
 * tessera_recover - the scheduler's timeout handler for one job
 * @ring: the job's ring, its scheduler stopped
 * @fence: the job's hardware fence, or NULL if it never reached the ring
 */
void tessera_recover(struct tessera_ring *ring, struct tessera_fence *fence)
{
	struct tessera_device *tdev = ring->tdev;
	unsigned long flags;
	u64 seqno;
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx)) {
		tessera_ring_fail_pending(ring, -ENODEV);
		return;
	}
	if (tessera_hw_lost(tdev) || !fence || dma_fence_is_signaled(&fence->base))
		goto out;

	seqno = fence->base.seqno;
	trace_tessera_job_timeout(ring->id, seqno, -ETIMEDOUT);
	drm_err(&tdev->drm, "%s: job %llu hung, resetting the engine\n", ring->name, seqno);

	/* The hung job fails; everything before it on the ring has completed. */
	spin_lock_irqsave(&ring->fence_lock, flags);
	tessera_ring_retire_upto(ring, seqno, -ETIMEDOUT);
	spin_unlock_irqrestore(&ring->fence_lock, flags);

	if (tessera_reset_burst(tdev) || tessera_ring_reset(ring, seqno))
		tessera_device_reset(tdev, ring);
out:
	drm_dev_exit(idx);
}

/**
 * tessera_hw_enter - start touching the hardware outside the job path
 * @tdev: the device
 * @idx: for tessera_hw_exit()
 *
 * For register accesses that neither the schedulers nor the interrupt
 * handlers make (sysfs, hwmon, debugfs, clearing new device memory): waits
 * while a PCI function reset is in progress, since the card does not
 * answer then.  Must not be used on a path that a reset waits for (job
 * freeing, timeout handlers).
 *
 * Also keeps the card awake (runtime PM) until tessera_hw_exit().
 *
 * Return: true if the card is present; then call tessera_hw_exit().
 */
bool tessera_hw_enter(struct tessera_device *tdev, int *idx)
{
	down_read(&tdev->pci_reset_lock);
	if (drm_dev_enter(&tdev->drm, idx)) {
		/* Wakes a sleeping card for the access. */
		if (!tessera_pm_get(tdev))
			return true;
		drm_dev_exit(*idx);
	}
	up_read(&tdev->pci_reset_lock);
	return false;
}

/**
 * tessera_hw_exit - end of a tessera_hw_enter() section
 * @tdev: the device
 * @idx: from tessera_hw_enter()
 */
void tessera_hw_exit(struct tessera_device *tdev, int idx)
{
	tessera_pm_put(tdev);
	drm_dev_exit(idx);
	up_read(&tdev->pci_reset_lock);
}

static void tessera_pci_reset_prepare_work(struct work_struct *work)
{
	struct tessera_device *tdev = container_of(work, struct tessera_device,
						   pci_reset_prepare_work);
	u32 i;
	int idx;

	tessera_device_quiesce(tdev, NULL);
	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	/*
	 * Stop the engines before their jobs are reported: a job's buffers
	 * may be reused as soon as its fence signals.  If the card does not
	 * come back here, reset_done notices.
	 */
	tessera_write(tdev, TESSERA_REG_INT_MASK, U32_MAX);
	tessera_device_reset_hw(tdev);
	for (i = 0; i < tdev->num_rings; i++)
		tessera_ring_fail_pending(&tdev->rings[i], -ECANCELED);
	drm_dev_exit(idx);
}

static void tessera_pci_reset_done_work(struct work_struct *work)
{
	struct tessera_device *tdev = container_of(work, struct tessera_device,
						   pci_reset_done_work);
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	tessera_device_restart(tdev, NULL);
	drm_dev_exit(idx);
}

/*
 * The PCI core is about to reset the function (sysfs reset file, bus
 * reset) and calls this with the device locked, so probe and remove do
 * not run until tessera_pci_reset_done().  After it returns the PCI core
 * turns memory decoding off: nothing may touch BAR0 until reset_done.
 */
static void tessera_pci_reset_prepare(struct pci_dev *pdev)
{
	struct tessera_device *tdev = pci_get_drvdata(pdev);

	if (!tdev)
		return;
	drm_info(&tdev->drm, "PCI function reset: stopping the card\n");
	/*
	 * Awake until reset_done.  The sysfs reset file resumes the card
	 * itself; other resets (bus reset from the port) may not.
	 */
	pm_runtime_get_sync(&pdev->dev);
	/* Held until reset_done: waits for, then blocks, other accesses. */
	down_write(&tdev->pci_reset_lock);
	/* On reset_wq: no timeout handler or device reset runs meanwhile. */
	queue_work(tdev->reset_wq, &tdev->pci_reset_prepare_work);
	flush_work(&tdev->pci_reset_prepare_work);
}

/* The function was reset and its config space restored: start again. */
static void tessera_pci_reset_done(struct pci_dev *pdev)
{
	struct tessera_device *tdev = pci_get_drvdata(pdev);

	if (!tdev)
		return;
	queue_work(tdev->reset_wq, &tdev->pci_reset_done_work);
	flush_work(&tdev->pci_reset_done_work);
	up_write(&tdev->pci_reset_lock);
	tessera_pm_put(tdev);
	if (!test_bit(TESSERA_FLAG_LOST, &tdev->flags))
		drm_info(&tdev->drm, "PCI function reset: card re-initialised\n");
}

const struct pci_error_handlers tessera_pci_err_handlers = {
	.reset_prepare = tessera_pci_reset_prepare,
	.reset_done = tessera_pci_reset_done,
};

/**
 * tessera_reset_init - set up PCI function reset handling
 * @tdev: the device, before its schedulers are started
 */
void tessera_reset_init(struct tessera_device *tdev)
{
	init_rwsem(&tdev->pci_reset_lock);
	INIT_WORK(&tdev->pci_reset_prepare_work, tessera_pci_reset_prepare_work);
	INIT_WORK(&tdev->pci_reset_done_work, tessera_pci_reset_done_work);
}
