// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: jobs, scheduling and fences.
 *
 * Each ring has a drm_sched instance; each open file has one entity per
 * ring.  A submit copies and validates the user's command buffer into a
 * DMA-coherent buffer owned by the job, with room for a FENCE command that
 * run_job fills in with the job's seqno.  The device writes that seqno to
 * the ring's fence writeback and raises the ring's MSI-X vector; the
 * interrupt handler signals every hardware fence up to it, and drm_sched
 * propagates that to the job's finished fence and the user's syncobj.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/tessera_accel.h>

#include "tessera_job.h"

#define CREATE_TRACE_POINTS
#include "tessera_trace.h"

static unsigned int tessera_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, tessera_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms, "Time a job may run before its ring is reset (ms, default 10000)");

static struct tessera_fence *to_tessera_fence(struct dma_fence *f)
{
	return container_of(f, struct tessera_fence, base);
}

static struct tessera_job *to_tessera_job(struct drm_sched_job *job)
{
	return container_of(job, struct tessera_job, base);
}

static const char *tessera_fence_driver_name(struct dma_fence *f)
{
	return DRIVER_NAME;
}

static const char *tessera_fence_timeline_name(struct dma_fence *f)
{
	return to_tessera_fence(f)->ring->name;
}

static const struct dma_fence_ops tessera_fence_ops = {
	.get_driver_name = tessera_fence_driver_name,
	.get_timeline_name = tessera_fence_timeline_name,
};

struct tessera_client_stats *tessera_client_stats_alloc(void)
{
	struct tessera_client_stats *stats = kzalloc(sizeof(*stats), GFP_KERNEL);

	if (stats)
		kref_init(&stats->ref);
	return stats;
}

static void tessera_client_stats_release(struct kref *ref)
{
	kfree(container_of(ref, struct tessera_client_stats, ref));
}

void tessera_client_stats_put(struct tessera_client_stats *stats)
{
	if (stats)
		kref_put(&stats->ref, tessera_client_stats_release);
}

/*
 * Retire one hardware fence: account the time its job kept the ring busy
 * (from when it was queued or the previous job finished, whichever is
 * later) and signal it.
 */
static void tessera_fence_retire(struct tessera_ring *ring, struct tessera_fence *fence,
				 ktime_t now, int error)
{
	ktime_t from = ktime_after(fence->start, ring->last_done) ? fence->start : ring->last_done;

	lockdep_assert_held(&ring->fence_lock);
	if (ktime_after(now, from))
		atomic64_add(ktime_to_ns(ktime_sub(now, from)), &fence->stats->busy_ns[ring->id]);
	ring->last_done = now;

	list_del_init(&fence->link);
	if (error && !fence->base.error)
		dma_fence_set_error(&fence->base, error);
	trace_tessera_job_complete(ring->id, fence->base.seqno, fence->base.error);
	dma_fence_signal_locked(&fence->base);
	dma_fence_put(&fence->base);
}

/**
 * tessera_ring_signal - signal the hardware fences the device completed
 * @ring: the ring
 *
 * Called from the ring's interrupt handler.
 */
void tessera_ring_signal(struct tessera_ring *ring)
{
	struct tessera_fence *fence, *tmp;
	ktime_t now = ktime_get();
	unsigned long flags;
	u64 done;

	done = READ_ONCE(*ring->fence_wb);

	spin_lock_irqsave(&ring->fence_lock, flags);
	list_for_each_entry_safe(fence, tmp, &ring->pending, link) {
		if (fence->base.seqno > done)
			break;
		tessera_fence_retire(ring, fence, now, 0);
	}
	spin_unlock_irqrestore(&ring->fence_lock, flags);
}

/**
 * tessera_ring_fail_pending - complete every fence on the ring with an error
 * @ring: the ring, stopped (by a reset or because the device is gone)
 * @error: negative errno to set on each fence
 */
void tessera_ring_fail_pending(struct tessera_ring *ring, int error)
{
	struct tessera_fence *fence, *tmp;
	ktime_t now = ktime_get();
	unsigned long flags;

	spin_lock_irqsave(&ring->fence_lock, flags);
	list_for_each_entry_safe(fence, tmp, &ring->pending, link)
		tessera_fence_retire(ring, fence, now, error);
	spin_unlock_irqrestore(&ring->fence_lock, flags);
}

/**
 * tessera_ring_show_pending - list the jobs on the hardware, for debugfs
 * @m: output
 * @ring: the ring
 */
void tessera_ring_show_pending(struct seq_file *m, struct tessera_ring *ring)
{
	struct tessera_fence *fence;
	ktime_t now = ktime_get();
	unsigned long flags;

	spin_lock_irqsave(&ring->fence_lock, flags);
	list_for_each_entry(fence, &ring->pending, link)
		seq_printf(m, "  job seqno %llu on the ring for %lld us\n", fence->base.seqno,
			   ktime_us_delta(now, fence->start));
	spin_unlock_irqrestore(&ring->fence_lock, flags);
}

static struct dma_fence *tessera_run_job(struct drm_sched_job *sched_job)
{
	struct tessera_job *job = to_tessera_job(sched_job);
	struct tessera_ring *ring = tessera_job_ring(job);
	struct tessera_fence *fence = job->fence;
	struct tessera_desc *desc;
	__le32 *f;
	int idx;

	if (unlikely(sched_job->s_fence->finished.error))
		return NULL;

	if (!drm_dev_enter(&ring->tdev->drm, &idx))
		return ERR_PTR(-ENODEV);
	if (test_bit(TESSERA_FLAG_LOST, &ring->tdev->flags)) {
		drm_dev_exit(idx);
		return ERR_PTR(-ENODEV);
	}

	fence->ring = ring;
	dma_fence_init(&fence->base, &tessera_fence_ops, &ring->fence_lock,
		       ring->fence_context, ring->next_seqno++);

	f = job->cmd + (job->cmd_size - TESSERA_FENCE_BYTES) / sizeof(u32);
	f[0] = cpu_to_le32(TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, TESSERA_CMD_FENCE_IRQ,
					      TESSERA_CMD_FENCE_LEN));
	f[1] = 0;
	f[2] = cpu_to_le32(lower_32_bits(fence->base.seqno));
	f[3] = cpu_to_le32(upper_32_bits(fence->base.seqno));

	desc = &ring->desc[ring->tail];
	desc->cmd_addr = cpu_to_le64(job->cmd_dma);
	desc->cmd_size = cpu_to_le32(job->cmd_size);
	desc->flags = 0;
	desc->context = 0;
	desc->rsvd = 0;
	desc->tag = cpu_to_le64(fence->base.seqno);
	ring->tail = (ring->tail + 1) % TESSERA_RING_ENTRIES;

	/* One reference for the pending list, one for the scheduler. */
	dma_fence_get(&fence->base);
	fence->start = ktime_get();
	spin_lock_irq(&ring->fence_lock);
	list_add_tail(&fence->link, &ring->pending);
	spin_unlock_irq(&ring->fence_lock);

	/* Commands and descriptor must be visible before the doorbell. */
	dma_wmb();
	tessera_ring_write(ring, TESSERA_RING_TAIL, ring->tail);
	tessera_ring_write(ring, TESSERA_RING_DOORBELL, 1);
	drm_dev_exit(idx);

	trace_tessera_job_run(ring->id, fence->base.seqno, 0);
	job->hw_fence = dma_fence_get(&fence->base);
	return &fence->base;
}

static enum drm_gpu_sched_stat tessera_timedout_job(struct drm_sched_job *sched_job)
{
	struct tessera_job *job = to_tessera_job(sched_job);
	struct tessera_ring *ring = tessera_job_ring(job);
	struct tessera_device *tdev = ring->tdev;
	int idx;

	drm_sched_stop(&ring->sched, sched_job);
	trace_tessera_job_timeout(ring->id, job->hw_fence ? job->hw_fence->seqno : 0, -ETIMEDOUT);

	if (!drm_dev_enter(&tdev->drm, &idx)) {
		tessera_ring_fail_pending(ring, -ENODEV);
	} else if (tessera_hw_lost(tdev)) {
		drm_dev_exit(idx);
	} else {
		drm_err(&tdev->drm, "%s: job %llu timed out, resetting the ring\n",
			ring->name, job->hw_fence ? job->hw_fence->seqno : 0);
		/* Jobs behind the hung one are lost with the ring's state. */
		if (job->hw_fence)
			dma_fence_set_error(job->hw_fence, -ETIMEDOUT);
		tessera_ring_fail_pending(ring, -ECANCELED);
		atomic_inc(&tdev->engine_resets);
		trace_tessera_ring_reset(ring->id, ring->next_seqno - 1);
		tessera_hw_ring_start(ring);
		drm_dev_exit(idx);
	}

	drm_sched_start(&ring->sched);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

/**
 * tessera_job_free - release a job and everything it holds
 * @job: the job, after drm_sched_job_cleanup() if it was initialized
 */
void tessera_job_free(struct tessera_job *job)
{
	u32 i;

	for (i = 0; i < job->num_bos; i++)
		drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	if (job->cmd)
		dma_free_coherent(&job->tdev->pdev->dev, job->cmd_size, job->cmd, job->cmd_dma);
	if (job->fence)
		tessera_client_stats_put(job->fence->stats);
	if (job->hw_fence)
		dma_fence_put(job->hw_fence);
	else
		kfree(job->fence);
	kfree(job);
}

static void tessera_free_job(struct drm_sched_job *sched_job)
{
	struct tessera_job *job = to_tessera_job(sched_job);

	drm_sched_job_cleanup(sched_job);
	tessera_job_free(job);
}

static const struct drm_sched_backend_ops tessera_sched_ops = {
	.run_job = tessera_run_job,
	.timedout_job = tessera_timedout_job,
	.free_job = tessera_free_job,
};

int tessera_sched_init(struct tessera_device *tdev)
{
	struct drm_sched_init_args args = {
		.ops = &tessera_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		/* head == tail means empty, so one slot stays free */
		.credit_limit = TESSERA_RING_ENTRIES - 1,
		.timeout = msecs_to_jiffies(tessera_job_timeout_ms),
		.dev = tdev->drm.dev,
	};
	u32 i;
	int ret;

	for (i = 0; i < tdev->num_rings; i++) {
		struct tessera_ring *ring = &tdev->rings[i];

		args.name = ring->name;
		ret = drm_sched_init(&ring->sched, &args);
		if (ret) {
			drm_err(&tdev->drm, "%s: scheduler init failed: %d\n", ring->name, ret);
			return ret;
		}
		ring->sched_ready = true;
	}
	return 0;
}

void tessera_sched_fini(struct tessera_device *tdev)
{
	u32 i;

	for (i = 0; i < tdev->num_rings; i++) {
		struct tessera_ring *ring = &tdev->rings[i];

		if (ring->sched_ready) {
			drm_sched_fini(&ring->sched);
			ring->sched_ready = false;
		}
	}
}

int tessera_file_sched_init(struct tessera_file *tfile)
{
	struct tessera_device *tdev = tfile->tdev;
	u32 i;
	int ret;

	for (i = 0; i < tdev->num_rings; i++) {
		struct drm_gpu_scheduler *sched = &tdev->rings[i].sched;

		ret = drm_sched_entity_init(&tfile->entity[i], DRM_SCHED_PRIORITY_NORMAL,
					    &sched, 1, NULL);
		if (ret) {
			tessera_file_sched_fini(tfile);
			return ret;
		}
		tfile->num_entities = i + 1;
	}
	return 0;
}

void tessera_file_sched_fini(struct tessera_file *tfile)
{
	u32 i;

	for (i = 0; i < tfile->num_entities; i++)
		drm_sched_entity_destroy(&tfile->entity[i]);
	tfile->num_entities = 0;
}

