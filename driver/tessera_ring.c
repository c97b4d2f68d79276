// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: a ring's descriptors, tail and seqnos.
 *
 * The one owner of that state.  Descriptors reach an engine only through
 * tessera_ring_post(): the scheduler's run_job, the replay of pending jobs
 * after a ring or device reset, and the debugfs ping.  These may run at
 * the same time (a ping while a reset replays, a reset while run_job is
 * between two posts), so each post takes ring->post_lock, a spinlock:
 * the fence-signalling paths may take it (it is never held across an
 * allocation or a wait).
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/spinlock.h>

#include "tessera_drv.h"
#include "tessera_job.h"

/**
 * tessera_ring_state_init - a ring with nothing posted yet
 * @ring: the ring, before its engine is started
 */
void tessera_ring_state_init(struct tessera_ring *ring)
{
	spin_lock_init(&ring->post_lock);
	ring->tail = 0;
	ring->next_seqno = 1;
}

/**
 * tessera_ring_post - queue one descriptor and ring the doorbell
 * @ring: the ring, started
 * @desc: the descriptor; with @desc->tag 0, the next seqno is assigned
 *
 * Any context.  The descriptor is visible to the engine before the
 * doorbell (tail register) moves.
 *
 * Return: the descriptor's seqno (its fence tag).
 */
u64 tessera_ring_post(struct tessera_ring *ring, struct tessera_desc *desc)
{
	unsigned long flags;
	u64 seqno;

	spin_lock_irqsave(&ring->post_lock, flags);
	if (!desc->tag)
		desc->tag = cpu_to_le64(ring->next_seqno++);
	seqno = le64_to_cpu(desc->tag);
	ring->desc[ring->tail] = *desc;
	ring->tail = (ring->tail + 1) % TESSERA_RING_ENTRIES;
	/*
	 * The descriptor must be visible before the doorbell: one register
	 * write on hardware 1.2 (each MMIO write is a round trip to the
	 * device under emulation), TAIL then DOORBELL before.
	 */
	dma_wmb();
	tessera_ring_write(ring, TESSERA_RING_TAIL, ring->tail);
	if (!tessera_hw_1_2(ring->tdev))
		tessera_ring_write(ring, TESSERA_RING_DOORBELL, 1);
	spin_unlock_irqrestore(&ring->post_lock, flags);
	return seqno;
}

/**
 * tessera_ring_seqno_next - take the next seqno of a ring
 * @ring: the ring
 *
 * For a job whose fence needs its seqno before its descriptor is posted
 * (tessera_ring_post() keeps a non-zero tag).
 *
 * Return: the seqno.
 */
u64 tessera_ring_seqno_next(struct tessera_ring *ring)
{
	unsigned long flags;
	u64 seqno;

	spin_lock_irqsave(&ring->post_lock, flags);
	seqno = ring->next_seqno++;
	spin_unlock_irqrestore(&ring->post_lock, flags);
	return seqno;
}

/**
 * tessera_ring_last_seqno - the seqno most recently handed out
 * @ring: the ring
 *
 * Return: it (0 before the first).
 */
u64 tessera_ring_last_seqno(struct tessera_ring *ring)
{
	unsigned long flags;
	u64 seqno;

	spin_lock_irqsave(&ring->post_lock, flags);
	seqno = ring->next_seqno - 1;
	spin_unlock_irqrestore(&ring->post_lock, flags);
	return seqno;
}

/**
 * tessera_ring_rewind - the engine starts again from descriptor 0
 * @ring: the ring, its engine reset and stopped
 *
 * For tessera_hw_ring_start(), which programs the ring's registers again.
 */
void tessera_ring_rewind(struct tessera_ring *ring)
{
	unsigned long flags;

	spin_lock_irqsave(&ring->post_lock, flags);
	ring->tail = 0;
	spin_unlock_irqrestore(&ring->post_lock, flags);
}

/**
 * tessera_ring_replay - post the jobs still pending on a ring again
 * @ring: the ring, just started again from descriptor 0
 *
 * In order, with their seqnos: after a ring reset the jobs behind the
 * hung one run as if nothing had happened.  Takes fence_lock, then
 * post_lock under it (the lock order).
 */
void tessera_ring_replay(struct tessera_ring *ring)
{
	struct tessera_fence *fence;
	unsigned long flags;

	spin_lock_irqsave(&ring->fence_lock, flags);
	list_for_each_entry(fence, &ring->pending, link)
		tessera_ring_post(ring, &fence->desc);
	spin_unlock_irqrestore(&ring->fence_lock, flags);
}
