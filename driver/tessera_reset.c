// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: hang recovery.
 *
 * A job that runs too long is caught by the device's watchdog (which makes
 * the scheduler's timeout handler run at once, for every engine that
 * tripped it) or by the scheduler's job timeout.  The handler resets only
 * the hung engine's ring: the hung job fails with -ETIMEDOUT and the jobs
 * queued behind it, which never started, are posted again and complete
 * normally.  A context whose jobs hang the card TESSERA_BAN_HANGS times is
 * banned: it becomes guilty (submits fail with -ECANCELED), its
 * context-table entry goes, so the card aborts its remaining descriptors
 * without running them, and its jobs fail with -ECANCELED.  Other
 * contexts lose nothing.  Only when a ring reset fails is the whole device
 * reset: every job on the hardware fails with -ECANCELED and the device is
 * brought back up.  Timeout handlers of all rings run on one ordered
 * workqueue, so at most one recovery runs at a time.  They are
 * fence-signalling paths: nothing here allocates or takes a lock that is
 * held across an allocation, and every register wait is bounded by the
 * hardware's reset time.
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

/* Hangs after which a context is banned. */
#define TESSERA_BAN_HANGS	3
/* Longest the card takes to abort a descriptor it was told to give up. */
#define TESSERA_ABORT_MAX_MS	100
/* The longest a descriptor may run when the watchdog is off. */
#define TESSERA_NO_WATCHDOG_MS	30000

/**
 * tessera_hw_descriptor_max_ms - the longest a descriptor may occupy an engine
 *
 * The watchdog stops a descriptor after watchdog_ms and the card then
 * gives it up within TESSERA_ABORT_MAX_MS.  Waits for the engines to let
 * go of something (TLB flushes) are bounded by this.
 *
 * Return: milliseconds.
 */
unsigned int tessera_hw_descriptor_max_ms(void)
{
	return (tessera_watchdog_ms ?: TESSERA_NO_WATCHDOG_MS) + TESSERA_ABORT_MAX_MS;
}

/** tessera_hw_watchdog_init - program the device watchdog */
void tessera_hw_watchdog_init(struct tessera_device *tdev)
{
	tessera_write(tdev, TESSERA_REG_WATCHDOG_MS, tessera_watchdog_ms);
}

/*
 * Reset one ring under its hung job @hung_seqno.  Only once the reset has
 * completed has the engine let go of the job's descriptor: then the job
 * fails with -ETIMEDOUT (its buffers may be reused from then on) and the
 * jobs after it are posted again.
 */
static int tessera_ring_reset(struct tessera_ring *ring, u64 hung_seqno)
{
	unsigned long flags;
	u32 status;

	if (tessera_hw_ring_start(ring, hung_seqno))
		return -ETIMEDOUT;
	status = tessera_ring_read(ring, TESSERA_RING_STATUS);
	if (status == U32_MAX || (status & TESSERA_RING_STATUS_RESET_FAILED))
		return -EIO;
	spin_lock_irqsave(&ring->fence_lock, flags);
	tessera_ring_retire_upto(ring, hung_seqno, -ETIMEDOUT);
	spin_unlock_irqrestore(&ring->fence_lock, flags);
	atomic_inc(&ring->tdev->engine_resets);
	trace_tessera_ring_reset(ring->id, hung_seqno);
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
					10, TESSERA_RESET_BOUND_US))
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
			tessera_hw_ring_start(ring, tessera_ring_last_seqno(ring));
		}
		tessera_irq_enable(tdev);
	}
	atomic_inc(&tdev->device_resets);

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

/* Count a hang against @asid; ban it at TESSERA_BAN_HANGS.  Reset path. */
static void tessera_ctx_hung(struct tessera_device *tdev, u32 asid)
{
	struct tessera_ctx_fault *f = &tdev->faults[asid];
	unsigned long flags;
	bool ban = false;

	spin_lock_irqsave(&tdev->fault_lock, flags);
	if (++f->hangs >= TESSERA_BAN_HANGS && !f->banned) {
		ban = true;
		f->banned = true;
		if (!f->count++)
			f->code = TESSERA_ERR_WATCHDOG;
	}
	spin_unlock_irqrestore(&tdev->fault_lock, flags);
	if (!ban)
		return;
	drm_warn(&tdev->drm, "context %u hung the card %u times: banned\n", asid, f->hangs);
	tessera_mmu_ctx_disable(tdev, asid);
}

/**
 * tessera_recover - the scheduler's timeout handler for one job
 * @ring: the job's ring, its scheduler stopped
 * @fence: the job's hardware fence, or NULL if it never reached the ring
 *
 * The hang is counted against the ASID the job ran under (fence->asid),
 * which its context holds while the job exists.
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

	/*
	 * Everything before the hung job on the ring has completed.  The
	 * hung job's fence gets its error now but signals only once the
	 * engine has let go of it (tessera_ring_reset(), or the device
	 * reset it escalates to).
	 */
	spin_lock_irqsave(&ring->fence_lock, flags);
	tessera_ring_retire_upto(ring, seqno - 1, 0);
	if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->base.flags))
		dma_fence_set_error(&fence->base, -ETIMEDOUT);
	spin_unlock_irqrestore(&ring->fence_lock, flags);
	tessera_ctx_hung(tdev, fence->asid);

	/* Before the replay: a banned context's descriptors then abort. */
	if (tessera_ring_reset(ring, seqno))
		tessera_device_reset(tdev, ring);
out:
	drm_dev_exit(idx);
}

struct tessera_reset_request {
	struct work_struct work;
	struct tessera_device *tdev;
};

static void tessera_reset_request_work(struct work_struct *work)
{
	struct tessera_reset_request *req = container_of(work, struct tessera_reset_request, work);
	struct tessera_device *tdev = req->tdev;
	bool cookie;
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	cookie = dma_fence_begin_signalling();
	if (!tessera_hw_lost(tdev))
		tessera_device_reset(tdev, NULL);
	dma_fence_end_signalling(cookie);
	drm_dev_exit(idx);
}

/**
 * tessera_reset_device_sync - reset the whole card from process context
 * @tdev: the device, awake
 *
 * For a card that keeps using memory it was told to let go of: every job
 * on the hardware fails with -ECANCELED, the engines stop and the TLB is
 * emptied.  Runs on reset_wq, after any recovery in progress.
 *
 * Return: true if the card came back (it no longer reaches anything it
 * reached before), false if it is lost.
 */
bool tessera_reset_device_sync(struct tessera_device *tdev)
{
	struct tessera_reset_request req = { .tdev = tdev };

	INIT_WORK_ONSTACK(&req.work, tessera_reset_request_work);
	queue_work(tdev->reset_wq, &req.work);
	flush_work(&req.work);
	destroy_work_on_stack(&req.work);
	return !test_bit(TESSERA_FLAG_LOST, &tdev->flags);
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
	bool cookie;
	u32 i;
	int idx;

	tessera_device_quiesce(tdev, NULL);
	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	cookie = dma_fence_begin_signalling();
	/*
	 * Stop the engines before their jobs are reported: a job's buffers
	 * may be reused as soon as its fence signals.  If the card does not
	 * come back here, reset_done notices.
	 */
	tessera_write(tdev, TESSERA_REG_INT_MASK, U32_MAX);
	tessera_device_reset_hw(tdev);
	for (i = 0; i < tdev->num_rings; i++)
		tessera_ring_fail_pending(&tdev->rings[i], -ECANCELED);
	dma_fence_end_signalling(cookie);
	drm_dev_exit(idx);
}

static void tessera_pci_reset_done_work(struct work_struct *work)
{
	struct tessera_device *tdev = container_of(work, struct tessera_device,
						   pci_reset_done_work);
	bool cookie;
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	cookie = dma_fence_begin_signalling();
	tessera_device_restart(tdev, NULL);
	dma_fence_end_signalling(cookie);
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
