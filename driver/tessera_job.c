// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: jobs, scheduling and fences.
 *
 * Each ring has a drm_sched instance; each queue (tessera_submit.c) is an
 * entity over its rings.  run_job posts (tessera_ring.c) a descriptor
 * pointing at the job's commands in its VM, with the job's seqno as TAG.
 * The device writes that seqno to the ring's fence writeback and raises
 * the ring's MSI-X vector; the interrupt handler signals every hardware
 * fence up to it (a faulted job with its error, tessera_fault.c), and
 * drm_sched propagates that to the job's finished fence and the user's
 * syncobj.
 *
 * Fence lifetime: every job gets a hardware fence, allocated at submit,
 * that becomes its scheduler fences' parent even when the job never
 * reaches the ring (its dependencies failed, its queue was destroyed, the
 * card is gone).  The scheduler fences, which userspace holds through
 * syncobjs and sync_files, keep their parent until they are released; the
 * parent holds the device (whose schedulers the scheduler fences name)
 * and the module (whose ops it uses).  So no fence outlives what its name
 * and ops point to, unbind or not, and rmmod waits for the last one.
 *
 * run_job, the timeout handler, free_job and the interrupt handlers are
 * fence-signalling paths (dma_fence_begin_signalling()): they allocate
 * nothing and take no lock that is held across an allocation; free_job
 * hands the job to process context (tessera_defer_job()).
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
#include "tessera_vm.h"

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

static void tessera_fence_release(struct dma_fence *f)
{
	/* Any context: the device and module references go in process context. */
	tessera_defer_fence(to_tessera_fence(f));
}

static const struct dma_fence_ops tessera_fence_ops = {
	.get_driver_name = tessera_fence_driver_name,
	.get_timeline_name = tessera_fence_timeline_name,
	.release = tessera_fence_release,
};

/**
 * tessera_fence_alloc - a job's hardware fence, not yet initialized
 * @tdev: the device
 *
 * The fence holds @tdev and the module until tessera_fence_free().
 *
 * Return: the fence or NULL.
 */
struct tessera_fence *tessera_fence_alloc(struct tessera_device *tdev)
{
	struct tessera_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);

	if (!fence)
		return NULL;
	fence->tdev = tdev;
	drm_dev_get(&tdev->drm);
	__module_get(THIS_MODULE);
	return fence;
}

/**
 * tessera_fence_free - free a hardware fence and drop what it holds
 * @fence: the fence: never initialized, or its reference count zero
 *
 * Process context (it may drop the last device reference).
 */
void tessera_fence_free(struct tessera_fence *fence)
{
	struct tessera_device *tdev = fence->tdev;

	if (fence->base.ops)
		dma_fence_free(&fence->base);
	else
		kfree(fence);
	drm_dev_put(&tdev->drm);
	/* tessera_defer_fini() drains this work before the module goes. */
	module_put(THIS_MODULE);
}

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
	if (fence->asid && ring->abort_from[fence->asid].seqno &&
	    fence->base.seqno >= ring->abort_from[fence->asid].seqno && !error)
		error = fence->base.seqno == ring->abort_from[fence->asid].seqno ?
			ring->abort_from[fence->asid].error : -ECANCELED;
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
 * tessera_ring_signal - signal the hardware fences the device completed
 * @ring: the ring
 *
 * Called from the ring's and the error interrupt.  A job the device
 * aborted has its TAG written like a completed one; the context-error
 * count in the fence writeback, written before that TAG, tells whether a
 * syndrome must be read first (hardware 1.2; before it, FAULT_STATUS is
 * read every time).  The common case reads only memory.
 */
void tessera_ring_signal(struct tessera_ring *ring)
{
	struct tessera_fence *fence, *tmp;
	unsigned long flags;
	ktime_t now;
	u64 done, faults;

	spin_lock_irqsave(&ring->fence_lock, flags);
	done = READ_ONCE(ring->fence_wb[0]);
	if (tessera_hw_1_2(ring->tdev)) {
		/* The count was written before the seqno: read it after. */
		dma_rmb();
		faults = READ_ONCE(ring->fence_wb[1]);
		if (faults != ring->faults_seen) {
			ring->faults_seen = faults;
			tessera_ring_check_fault_locked(ring);
		}
	} else {
		tessera_ring_check_fault_locked(ring);
	}
	now = ktime_get();
	list_for_each_entry_safe(fence, tmp, &ring->pending, link) {
		if (fence->base.seqno > done)
			break;
		tessera_fence_retire(ring, fence, now, 0);
	}
	spin_unlock_irqrestore(&ring->fence_lock, flags);
}

/**
 * tessera_ring_retire_upto - retire the ring's fences up to a seqno
 * @ring: the ring
 * @seqno: the last fence to retire
 * @error: error for the fence @seqno itself; earlier ones completed
 */
void tessera_ring_retire_upto(struct tessera_ring *ring, u64 seqno, int error)
{
	struct tessera_fence *fence, *tmp;
	ktime_t now = ktime_get();

	lockdep_assert_held(&ring->fence_lock);
	list_for_each_entry_safe(fence, tmp, &ring->pending, link) {
		if (fence->base.seqno > seqno)
			break;
		tessera_fence_retire(ring, fence, now, fence->base.seqno == seqno ? error : 0);
	}
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

/*
 * The hardware fence of a job that does not reach the ring, signaled at
 * once with @error, so that the job's scheduler fences hold the device and
 * the module like every other job's.  It is on no ring's timeline.
 */
static struct dma_fence *tessera_fence_dead(struct tessera_job *job, struct tessera_ring *ring,
					    int error)
{
	struct tessera_device *tdev = ring->tdev;
	struct tessera_fence *fence = job->fence;

	fence->ring = ring;
	INIT_LIST_HEAD(&fence->link);
	dma_fence_init(&fence->base, &tessera_fence_ops, &ring->fence_lock,
		       tdev->dead_fence_context, atomic64_inc_return(&tdev->dead_fence_seqno));
	dma_fence_set_error(&fence->base, error);
	dma_fence_signal(&fence->base);
	job->hw_fence = dma_fence_get(&fence->base);
	return &fence->base;
}

static struct dma_fence *tessera_run_job(struct drm_sched_job *sched_job)
{
	struct tessera_job *job = to_tessera_job(sched_job);
	struct tessera_ring *ring = tessera_job_ring(job);
	struct tessera_fence *fence = job->fence;
	struct dma_fence *ret;
	bool cookie;
	u32 asid;
	int idx;

	cookie = dma_fence_begin_signalling();
	if (unlikely(sched_job->s_fence->finished.error)) {
		ret = tessera_fence_dead(job, ring, sched_job->s_fence->finished.error);
		goto out;
	}
	if (!drm_dev_enter(&ring->tdev->drm, &idx)) {
		ret = tessera_fence_dead(job, ring, -ENODEV);
		goto out;
	}
	if (test_bit(TESSERA_FLAG_LOST, &ring->tdev->flags)) {
		drm_dev_exit(idx);
		ret = tessera_fence_dead(job, ring, -ENODEV);
		goto out;
	}
	/* A VM keeps its ASID while it has jobs (tessera_asid.c). */
	asid = READ_ONCE(job->gvm->asid);
	/* Banned under this ASID, or under one it held before. */
	if (READ_ONCE(ring->tdev->faults[asid].banned) || READ_ONCE(job->gvm->fault.banned)) {
		drm_dev_exit(idx);
		ret = tessera_fence_dead(job, ring, -ECANCELED);
		goto out;
	}

	fence->ring = ring;
	fence->asid = asid;
	dma_fence_init(&fence->base, &tessera_fence_ops, &ring->fence_lock,
		       ring->fence_context, tessera_ring_seqno_next(ring));

	/* The device writes TAG = seqno to the fence address, done or aborted. */
	fence->desc.cmd_addr = cpu_to_le64(job->cmd_va);
	fence->desc.cmd_size = cpu_to_le32(job->cmd_size);
	fence->desc.flags = cpu_to_le32(TESSERA_DESC_FLAG_FENCE | TESSERA_DESC_FLAG_IRQ |
					TESSERA_DESC_FLAG_FENCE_ON_ABORT);
	fence->desc.context = cpu_to_le32(fence->asid);
	fence->desc.rsvd = 0;
	fence->desc.tag = cpu_to_le64(fence->base.seqno);

	/* One reference for the pending list, one for the scheduler. */
	dma_fence_get(&fence->base);
	fence->start = ktime_get();
	spin_lock_irq(&ring->fence_lock);
	list_add_tail(&fence->link, &ring->pending);
	spin_unlock_irq(&ring->fence_lock);
	tessera_ring_post(ring, &fence->desc);
	drm_dev_exit(idx);

	trace_tessera_job_run(ring->id, fence->base.seqno, 0);
	job->hw_fence = dma_fence_get(&fence->base);
	ret = &fence->base;
out:
	dma_fence_end_signalling(cookie);
	return ret;
}

/**
 * tessera_sched_restart - restart a ring's scheduler after recovery
 * @ring: the ring, its scheduler stopped with drm_sched_stop()
 *
 * drm_sched_stop() detached every job from its hardware fence, and
 * drm_sched_start() cancels jobs left without one.  The recovery kept
 * each job's hardware fence meaningful (posted again, or failed with its
 * own error), so reattach them: every job then reports its own outcome.
 */
void tessera_sched_restart(struct tessera_ring *ring)
{
	struct drm_sched_job *s_job;

	/* The scheduler is stopped: nothing else walks or changes the list. */
	list_for_each_entry(s_job, &ring->sched.pending_list, list) {
		struct tessera_job *job = to_tessera_job(s_job);

		if (!s_job->s_fence->parent && job->hw_fence)
			s_job->s_fence->parent = dma_fence_get(job->hw_fence);
	}
	tessera_drm_sched_start(&ring->sched);
}

static enum drm_gpu_sched_stat tessera_timedout_job(struct drm_sched_job *sched_job)
{
	struct tessera_job *job = to_tessera_job(sched_job);
	struct tessera_ring *ring = tessera_job_ring(job);
	bool cookie = dma_fence_begin_signalling();

	drm_sched_stop(&ring->sched, sched_job);
	tessera_recover(ring, job->hw_fence ? job->fence : NULL);
	tessera_sched_restart(ring);
	dma_fence_end_signalling(cookie);
	return TESSERA_SCHED_STAT_RESET;
}

/**
 * tessera_job_free - release a job and everything it holds
 * @job: the job, after drm_sched_job_cleanup() if it was initialized
 *
 * Process context: dropping a mapping or a buffer may sleep.
 */
void tessera_job_free(struct tessera_job *job)
{
	u32 i;

	for (i = 0; i < job->num_bos; i++)
		drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	if (job->gvm) {
		if (job->gvm_asid)
			tessera_asid_put(job->gvm);
		tessera_gpuvm_put(job->gvm);
	}
	if (job->fence)
		tessera_client_stats_put(job->fence->stats);
	if (job->hw_fence)
		dma_fence_put(job->hw_fence);
	else if (job->fence)
		tessera_fence_free(job->fence);
	if (job->pm_ref)
		tessera_pm_put(job->tdev);
	kfree(job);
}

/*
 * On the signalling path: allocates nothing, takes no lock, waits for
 * nothing; the job is released in process context.
 */
static void tessera_free_job(struct drm_sched_job *sched_job)
{
	struct tessera_job *job = to_tessera_job(sched_job);
	struct drm_sched_fence *s_fence = sched_job->s_fence;
	bool cookie = dma_fence_begin_signalling();

	/*
	 * A job killed with its entity never ran: give its scheduler fences
	 * the parent run_job would have, so they hold the device and module
	 * as long as they live (drm_sched puts the parent on release).
	 */
	if (!s_fence->parent) {
		struct dma_fence *parent;

		if (job->hw_fence)	/* detached by a recovery, not attached again */
			parent = dma_fence_get(job->hw_fence);
		else			/* the parent takes the initial reference */
			parent = tessera_fence_dead(job, tessera_job_ring(job),
						    s_fence->finished.error ?: -ECANCELED);
		/* Pairs with the scheduler's reads of the parent (set_deadline). */
		smp_store_release(&s_fence->parent, parent);
	}
	drm_sched_job_cleanup(sched_job);
	tessera_defer_job(job);
	dma_fence_end_signalling(cookie);
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

	tdev->dead_fence_context = dma_fence_context_alloc(1);
	/* One recovery at a time, whichever ring it is for. */
	tdev->reset_wq = alloc_ordered_workqueue("tessera-reset", 0);
	if (!tdev->reset_wq)
		return -ENOMEM;
	args.timeout_wq = tdev->reset_wq;

	/*
	 * Run and free work on a per-CPU high-priority queue: the work runs
	 * on the CPU that queued it, right after the submit ioctl returns,
	 * instead of waking a worker (and often an idle CPU) elsewhere.
	 * drm_sched never runs a work item concurrently with itself, so
	 * run_job stays serialized per ring.
	 */
	tdev->sched_wq = alloc_workqueue("tessera-sched",
					 WQ_HIGHPRI | WQ_MEM_RECLAIM | TESSERA_WQ_PERCPU, 0);
	if (!tdev->sched_wq)
		return -ENOMEM;
	args.submit_wq = tdev->sched_wq;

	for (i = 0; i < tdev->num_rings; i++) {
		struct tessera_ring *ring = &tdev->rings[i];

		args.name = ring->name;
		ret = tessera_drm_sched_init(&ring->sched, &args);
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
	if (tdev->reset_wq)
		destroy_workqueue(tdev->reset_wq);
	tdev->reset_wq = NULL;
	if (tdev->sched_wq)
		destroy_workqueue(tdev->sched_wq);
	tdev->sched_wq = NULL;
}
