// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: context faults.
 *
 * When a job faults, the card latches a syndrome (code, access, VA, the
 * job's tag) on its ring, halts the context there and writes the aborted
 * job's tag.  The interrupt path consumes the syndrome before it signals
 * fences, so the aborted job fails with its own error and the context's
 * later jobs on that ring with -ECANCELED (ring->abort_from), and records
 * the first fault per ASID (tdev->faults), which VM_STATUS reports merged
 * per VM (tessera_asid.c).  A syndrome overflow (several contexts fault at
 * once) is resolved by asking the ring which contexts are halted.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/bitmap.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "tessera_drv.h"
#include "tessera_job.h"

static int tessera_fault_errno(u32 code)
{
	switch (code) {
	case TESSERA_ERR_DMA_FAULT:
	case TESSERA_ERR_MMU_FAULT:
	case TESSERA_ERR_MMU_PERM:
	case TESSERA_ERR_CTX_INVALID:
		return -EFAULT;
	default:
		return -EIO;
	}
}

/* Record a context fault; the first one of a context is kept for status. */
static void tessera_fault_record(struct tessera_ring *ring, u32 asid, u32 code, u32 access,
				 u64 va)
{
	struct tessera_device *tdev = ring->tdev;
	struct tessera_ctx_fault *f = &tdev->faults[asid];
	unsigned long flags;

	spin_lock_irqsave(&tdev->fault_lock, flags);
	if (!f->count++) {
		f->code = code;
		f->access = access;
		f->ring = ring->id;
		f->va = va;
	}
	spin_unlock_irqrestore(&tdev->fault_lock, flags);
}

/*
 * After a syndrome overflow some halted contexts were not reported: ask the
 * ring about each context with jobs on it, once per context (two register
 * accesses in the interrupt handler), and fail those from their oldest
 * pending job.
 */
static void tessera_ring_find_halted(struct tessera_ring *ring)
{
	DECLARE_BITMAP(asked, TESSERA_NUM_CONTEXTS);
	struct tessera_fence *fence;

	lockdep_assert_held(&ring->fence_lock);
	bitmap_zero(asked, TESSERA_NUM_CONTEXTS);
	list_for_each_entry(fence, &ring->pending, link) {
		u32 asid = fence->asid;

		if (!asid || asid >= TESSERA_NUM_CONTEXTS || ring->abort_from[asid].seqno ||
		    __test_and_set_bit(asid, asked))
			continue;
		tessera_ring_write(ring, TESSERA_RING_HALT_QUERY, asid);
		if (tessera_ring_read(ring, TESSERA_RING_HALT_RESULT) == 1) {
			ring->abort_from[asid].seqno = fence->base.seqno;
			ring->abort_from[asid].error = -EIO;
			tessera_fault_record(ring, asid, TESSERA_ERR_NONE, 0, 0);
		}
	}
}

/**
 * tessera_ring_check_fault_locked - consume the ring's context-fault syndrome
 * @ring: the ring, its fence_lock held
 *
 * If one is latched: the faulting context's jobs from the aborted one on
 * are marked to fail (ring->abort_from), and the fault is recorded for
 * VM_STATUS.  Interrupt context.
 */
void tessera_ring_check_fault_locked(struct tessera_ring *ring)
{
	u32 status, asid, code, access;
	u64 va, tag;

	lockdep_assert_held(&ring->fence_lock);
	status = tessera_ring_read(ring, TESSERA_RING_FAULT_STATUS);
	if (status == U32_MAX || !(status & TESSERA_FAULT_VALID))
		return;
	code = tessera_ring_read(ring, TESSERA_RING_FAULT_CODE);
	asid = tessera_ring_read(ring, TESSERA_RING_FAULT_ASID);
	access = tessera_ring_read(ring, TESSERA_RING_FAULT_ACCESS);
	va = tessera_ring_read(ring, TESSERA_RING_FAULT_VA_LO) |
	     (u64)tessera_ring_read(ring, TESSERA_RING_FAULT_VA_HI) << 32;
	tag = tessera_ring_read(ring, TESSERA_RING_FAULT_TAG_LO) |
	      (u64)tessera_ring_read(ring, TESSERA_RING_FAULT_TAG_HI) << 32;
	tessera_ring_write(ring, TESSERA_RING_FAULT_ACK, 1);

	if (asid && asid < TESSERA_NUM_CONTEXTS && !ring->abort_from[asid].seqno) {
		ring->abort_from[asid].seqno = tag;
		/* A banned context's descriptors abort (CTX_INVALID): cancelled. */
		ring->abort_from[asid].error = READ_ONCE(ring->tdev->faults[asid].banned) ?
					       -ECANCELED : tessera_fault_errno(code);
		tessera_fault_record(ring, asid, code, access, va);
	}
	if (status & TESSERA_FAULT_OVERFLOW)
		tessera_ring_find_halted(ring);

	drm_dbg_driver(&ring->tdev->drm, "%s: context %u fault %u (%s) at %#llx, job %llu\n",
		       ring->name, asid, code, access == TESSERA_ACCESS_WRITE ? "write" :
		       access == TESSERA_ACCESS_READ ? "read" : "fetch", va, tag);
}

/**
 * tessera_ring_check_fault - consume the ring's context-fault syndrome
 * @ring: the ring
 *
 * Called from the error interrupt before fences are signaled: the device
 * latches the syndrome before it writes the aborted job's TAG, so the job
 * is failed, not completed.
 */
void tessera_ring_check_fault(struct tessera_ring *ring)
{
	unsigned long flags;

	spin_lock_irqsave(&ring->fence_lock, flags);
	tessera_ring_check_fault_locked(ring);
	spin_unlock_irqrestore(&ring->fence_lock, flags);
}

/**
 * tessera_fault_reset - forget a context's faults (a new context)
 * @tdev: the device
 * @asid: the context
 */
void tessera_fault_reset(struct tessera_device *tdev, u32 asid)
{
	unsigned long flags;

	spin_lock_irqsave(&tdev->fault_lock, flags);
	memset(&tdev->faults[asid], 0, sizeof(tdev->faults[asid]));
	spin_unlock_irqrestore(&tdev->fault_lock, flags);
}

/**
 * tessera_fault_resume - un-halt a context on every ring (it is going away)
 * @tdev: the device
 * @asid: the context, with no job left on the hardware
 */
void tessera_fault_resume(struct tessera_device *tdev, u32 asid)
{
	unsigned long flags;
	u32 i;
	int idx;

	for (i = 0; i < tdev->num_rings; i++) {
		struct tessera_ring *ring = &tdev->rings[i];

		spin_lock_irqsave(&ring->fence_lock, flags);
		ring->abort_from[asid].seqno = 0;
		spin_unlock_irqrestore(&ring->fence_lock, flags);
	}
	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	/* A sleeping card un-halted every context before it went to sleep. */
	if (tessera_pm_get_if_awake(tdev)) {
		for (i = 0; i < tdev->num_rings; i++)
			tessera_ring_write(&tdev->rings[i], TESSERA_RING_CTX_RESUME, asid);
		tessera_pm_put(tdev);
	}
	drm_dev_exit(idx);
}
