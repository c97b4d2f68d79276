// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: submission queues and the submit ioctl.
 *
 * A queue is a drm_sched entity over every ring of one engine class, with a
 * priority.  Each file also has one default normal-priority entity per
 * ring, used when a submit names no queue.  A job's commands stay in the
 * user's buffer: the device reads and checks them through the file's
 * context, so the driver neither copies nor parses them.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/capability.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>
#include <drm/tessera_accel.h>

#include "tessera_job.h"
#include "tessera_trace.h"

#define TESSERA_MAX_QUEUES	1023

/**
 * struct tessera_queue - a submission queue of one file
 */
struct tessera_queue {
	/** @ref: held by the file's xarray and by submits using the queue */
	struct kref ref;
	/** @entity: the scheduler entity */
	struct drm_sched_entity entity;
	/** @scheds: the rings of the queue's class; @entity points here */
	struct drm_gpu_scheduler *scheds[TESSERA_MAX_RINGS];
};

static void tessera_queue_release(struct kref *ref)
{
	struct tessera_queue *q = container_of(ref, struct tessera_queue, ref);

	drm_sched_entity_destroy(&q->entity);
	kfree(q);
}

static void tessera_queue_put(struct tessera_queue *q)
{
	kref_put(&q->ref, tessera_queue_release);
}

void tessera_queues_init(struct tessera_file *tfile)
{
	xa_init_flags(&tfile->queues, XA_FLAGS_ALLOC1);
}

void tessera_queues_fini(struct tessera_file *tfile)
{
	struct tessera_queue *q;
	unsigned long id;

	xa_for_each(&tfile->queues, id, q) {
		xa_erase(&tfile->queues, id);
		tessera_queue_put(q);
	}
	xa_destroy(&tfile->queues);
}

static const enum drm_sched_priority tessera_sched_priority[] = {
	[DRM_TESSERA_QUEUE_PRIORITY_LOW] = DRM_SCHED_PRIORITY_LOW,
	[DRM_TESSERA_QUEUE_PRIORITY_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_TESSERA_QUEUE_PRIORITY_HIGH] = DRM_SCHED_PRIORITY_HIGH,
};

int tessera_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_device *tdev = to_tessera(drm);
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_queue_create *args = data;
	struct tessera_queue *q;
	u32 i, n = 0, id;
	int ret;

	if (args->flags || args->priority >= ARRAY_SIZE(tessera_sched_priority) ||
	    args->engine_class > DRM_TESSERA_ENGINE_CLASS_DMA)
		return -EINVAL;
	if (args->priority == DRM_TESSERA_QUEUE_PRIORITY_HIGH && !capable(CAP_SYS_NICE))
		return -EACCES;

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return -ENOMEM;
	kref_init(&q->ref);
	for (i = 0; i < tdev->num_rings; i++)
		if (tdev->rings[i].engine_class == args->engine_class)
			q->scheds[n++] = &tdev->rings[i].sched;
	if (!n) {
		ret = -EINVAL;
		goto err_free;
	}

	ret = drm_sched_entity_init(&q->entity, tessera_sched_priority[args->priority],
				    q->scheds, n, NULL);
	if (ret)
		goto err_free;

	ret = xa_alloc(&tfile->queues, &id, q, XA_LIMIT(1, TESSERA_MAX_QUEUES), GFP_KERNEL);
	if (ret) {
		tessera_queue_put(q);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	args->queue_id = id;
	return 0;

err_free:
	kfree(q);
	return ret;
}

int tessera_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_queue_destroy *args = data;
	struct tessera_queue *q;

	if (args->pad)
		return -EINVAL;
	q = xa_erase(&tfile->queues, args->queue_id);
	if (!q)
		return -ENOENT;
	tessera_queue_put(q);
	return 0;
}

static struct tessera_queue *tessera_queue_get(struct tessera_file *tfile, u32 id)
{
	struct tessera_queue *q;

	xa_lock(&tfile->queues);
	q = xa_load(&tfile->queues, id);
	if (q && !kref_get_unless_zero(&q->ref))
		q = NULL;
	xa_unlock(&tfile->queues);
	return q;
}

/* The commands: a range of one of the file's buffers, read by the device. */
static int tessera_job_lookup_cmds(struct tessera_job *job, struct drm_file *file,
				   const struct drm_tessera_submit *args)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_gem_object *obj;
	u64 end, va;
	int ret;

	obj = drm_gem_object_lookup(file, args->cmd_handle);
	if (!obj)
		return -ENOENT;
	job->cmd_bo = obj;

	if (check_add_overflow(args->cmd_offset, (u64)args->cmd_size, &end) ||
	    end > obj->size)
		return -EINVAL;
	ret = tessera_bo_va(obj, tfile->vm, &va);
	if (ret)
		return ret;
	job->cmd_va = va + args->cmd_offset;
	job->cmd_size = args->cmd_size;
	return 0;
}

/**
 * struct tessera_signal - a syncobj the job's fence goes to
 */
struct tessera_signal {
	/** @syncobj: the syncobj (referenced) */
	struct drm_syncobj *syncobj;
	/** @chain: preallocated for a timeline point, else NULL */
	struct dma_fence_chain *chain;
	/** @point: timeline point, 0 for binary */
	u64 point;
};

/**
 * struct tessera_submit - state of one submit ioctl
 */
struct tessera_submit {
	/** @signals: syncobjs to signal */
	struct tessera_signal *signals;
	/** @num_signals: entries used in @signals */
	u32 num_signals;
	/** @refs: BO flags, indexed like job->bos */
	struct drm_tessera_bo_ref *refs;
	/** @ticket: for locking the BOs' reservations */
	struct ww_acquire_ctx ticket;
	/** @locked: the BOs' reservations are locked */
	bool locked;
};

static int tessera_submit_add_signal(struct tessera_submit *sub, struct drm_file *file,
				     u32 handle, u64 point)
{
	struct tessera_signal *sig = &sub->signals[sub->num_signals];

	sig->syncobj = drm_syncobj_find(file, handle);
	if (!sig->syncobj)
		return -ENOENT;
	sub->num_signals++;
	sig->point = point;
	if (point) {
		sig->chain = dma_fence_chain_alloc();
		if (!sig->chain)
			return -ENOMEM;
	}
	return 0;
}

static int tessera_submit_syncs(struct tessera_job *job, struct tessera_submit *sub,
				struct drm_file *file, const struct drm_tessera_submit *args)
{
	struct drm_tessera_sync *syncs;
	u32 i;
	int ret = 0;

	/* +1 for the legacy out_syncobj */
	sub->signals = kcalloc(args->num_syncs + 1, sizeof(*sub->signals), GFP_KERNEL);
	if (!sub->signals)
		return -ENOMEM;

	if (args->in_syncobj) {
		ret = drm_sched_job_add_syncobj_dependency(&job->base, file, args->in_syncobj, 0);
		if (ret)
			return ret;
	}
	if (args->out_syncobj) {
		ret = tessera_submit_add_signal(sub, file, args->out_syncobj, 0);
		if (ret)
			return ret;
	}
	if (!args->num_syncs)
		return 0;

	syncs = memdup_array_user(u64_to_user_ptr(args->syncs), args->num_syncs,
				  sizeof(*syncs));
	if (IS_ERR(syncs))
		return PTR_ERR(syncs);

	for (i = 0; i < args->num_syncs && !ret; i++) {
		const struct drm_tessera_sync *s = &syncs[i];
		struct dma_fence *fence;

		switch (s->flags) {
		case DRM_TESSERA_SYNC_WAIT:
			ret = drm_sched_job_add_syncobj_dependency(&job->base, file, s->handle,
								   s->point);
			break;
		case DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT:
			ret = drm_syncobj_find_fence(file, s->handle, s->point,
						     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
						     &fence);
			if (!ret)
				ret = drm_sched_job_add_dependency(&job->base, fence);
			break;
		case DRM_TESSERA_SYNC_SIGNAL:
			ret = tessera_submit_add_signal(sub, file, s->handle, s->point);
			break;
		default:
			ret = -EINVAL;
		}
	}
	kfree(syncs);
	return ret;
}

/*
 * The BOs the job lists, plus the command buffer (read): the job holds them,
 * waits for their earlier users and publishes its fence in them, so that
 * closing a handle waits for the jobs that use the buffer.
 */
static int tessera_submit_bos(struct tessera_job *job, struct tessera_submit *sub,
			      struct drm_file *file, const struct drm_tessera_submit *args)
{
	bool have_cmd = false;
	u32 i;
	int ret;

	sub->refs = kvcalloc(args->num_bos + 1, sizeof(*sub->refs), GFP_KERNEL);
	job->bos = kvcalloc(args->num_bos + 1, sizeof(*job->bos), GFP_KERNEL);
	if (!sub->refs || !job->bos)
		return -ENOMEM;
	if (copy_from_user(sub->refs, u64_to_user_ptr(args->bos),
			   array_size(args->num_bos, sizeof(*sub->refs))))
		return -EFAULT;

	for (i = 0; i < args->num_bos; i++) {
		if (sub->refs[i].flags & ~DRM_TESSERA_BO_REF_WRITE)
			return -EINVAL;
		job->bos[i] = drm_gem_object_lookup(file, sub->refs[i].handle);
		if (!job->bos[i])
			return -ENOENT;
		job->num_bos++;
		have_cmd |= job->bos[i] == job->cmd_bo;
	}
	if (!have_cmd) {
		drm_gem_object_get(job->cmd_bo);
		job->bos[job->num_bos] = job->cmd_bo;
		sub->refs[job->num_bos].flags = 0;
		job->num_bos++;
	}

	ret = drm_gem_lock_reservations(job->bos, job->num_bos, &sub->ticket);
	if (ret)
		return ret == -EALREADY ? -EINVAL : ret;	/* listed twice */
	sub->locked = true;

	for (i = 0; i < job->num_bos; i++) {
		bool write = sub->refs[i].flags & DRM_TESSERA_BO_REF_WRITE;

		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
		if (ret)
			return ret;
		ret = drm_sched_job_add_implicit_dependencies(&job->base, job->bos[i], write);
		if (ret)
			return ret;
	}
	return 0;
}

/* After arming: publish the job's fence.  Cannot fail. */
static void tessera_submit_publish(struct tessera_job *job, struct tessera_submit *sub)
{
	struct dma_fence *fence = &job->base.s_fence->finished;
	u32 i;

	for (i = 0; i < job->num_bos; i++)
		dma_resv_add_fence(job->bos[i]->resv, fence,
				   sub->refs[i].flags & DRM_TESSERA_BO_REF_WRITE ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);

	for (i = 0; i < sub->num_signals; i++) {
		struct tessera_signal *sig = &sub->signals[i];

		if (sig->chain) {
			drm_syncobj_add_point(sig->syncobj, sig->chain, fence, sig->point);
			sig->chain = NULL;
		} else {
			drm_syncobj_replace_fence(sig->syncobj, fence);
		}
	}
}

static void tessera_submit_fini(struct tessera_job *job, struct tessera_submit *sub)
{
	u32 i;

	if (sub->locked)
		drm_gem_unlock_reservations(job->bos, job->num_bos, &sub->ticket);
	for (i = 0; i < sub->num_signals; i++) {
		dma_fence_chain_free(sub->signals[i].chain);
		drm_syncobj_put(sub->signals[i].syncobj);
	}
	kfree(sub->signals);
	kvfree(sub->refs);
}

int tessera_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_device *tdev = to_tessera(drm);
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_submit *args = data;
	struct tessera_submit sub = { };
	struct drm_sched_entity *entity;
	struct tessera_queue *q = NULL;
	struct tessera_job *job;
	int ret;

	if (test_bit(TESSERA_FLAG_LOST, &tdev->flags))
		return -ENODEV;
	if (READ_ONCE(tdev->faults[tfile->vm->asid].count))
		return -ECANCELED;
	if (args->flags || args->pad)
		return -EINVAL;
	if (args->num_syncs > DRM_TESSERA_MAX_SYNCS || args->num_bos > DRM_TESSERA_MAX_BO_REFS)
		return -EINVAL;
	if (!args->cmd_size || args->cmd_size > TESSERA_CMD_SIZE_MAX ||
	    !IS_ALIGNED(args->cmd_size, 4) || !IS_ALIGNED(args->cmd_offset, 4))
		return -EINVAL;
	if (args->queue_id) {
		if (args->engine)
			return -EINVAL;
		q = tessera_queue_get(tfile, args->queue_id);
		if (!q)
			return -ENOENT;
		entity = &q->entity;
	} else {
		if (args->engine >= tdev->num_rings)
			return -EINVAL;
		entity = &tfile->entity[args->engine];
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		ret = -ENOMEM;
		goto out_queue;
	}
	job->tdev = tdev;
	job->fence = kzalloc(sizeof(*job->fence), GFP_KERNEL);
	if (!job->fence) {
		ret = -ENOMEM;
		goto err_free;
	}
	kref_get(&tfile->stats->ref);
	job->fence->stats = tfile->stats;

	kref_get(&tfile->vm->ref);
	job->vm = tfile->vm;

	/* The card stays awake while the job exists. */
	ret = tessera_pm_get(tdev);
	if (ret)
		goto err_free;
	job->pm_ref = true;

	ret = tessera_job_lookup_cmds(job, file, args);
	if (ret)
		goto err_free;

	ret = drm_sched_job_init(&job->base, entity, 1, tfile, file->client_id);
	if (ret)
		goto err_free;

	ret = tessera_submit_syncs(job, &sub, file, args);
	if (ret)
		goto err_cleanup;
	ret = tessera_submit_bos(job, &sub, file, args);
	if (ret)
		goto err_cleanup;

	drm_sched_job_arm(&job->base);
	args->seqno = job->base.s_fence->finished.seqno;
	trace_tessera_job_submit(tessera_job_ring(job)->id, file->client_id,
				 job->base.s_fence->finished.context, args->seqno);
	tessera_submit_publish(job, &sub);
	/* The job may run and be freed as soon as it is pushed. */
	tessera_submit_fini(job, &sub);
	drm_sched_entity_push_job(&job->base);
	goto out_queue;

err_cleanup:
	tessera_submit_fini(job, &sub);
	drm_sched_job_cleanup(&job->base);
err_free:
	tessera_job_free(job);
out_queue:
	if (q)
		tessera_queue_put(q);
	return ret;
}

/**
 * tessera_ioctl_fence_wait - wait for a syncobj point, report its job's status
 * @drm: the device
 * @data: struct drm_tessera_fence_wait
 * @file: the caller
 *
 * One call where the generic syncobj wait needs four more (export a
 * sync_file, ask it, close it) to learn whether the job failed.
 *
 * Return: 0 with @data's status set, or a negative errno (see the uAPI).
 */
int tessera_ioctl_fence_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_tessera_fence_wait *args = data;
	struct dma_fence *fence;
	signed long timeout;
	int ret = 0;

	if (args->flags || args->pad)
		return -EINVAL;
	ret = drm_syncobj_find_fence(file, args->handle, args->point, 0, &fence);
	if (ret == -EINVAL)
		return -ESRCH;	/* nothing submitted for this point yet */
	if (ret)
		return ret;

	timeout = drm_timeout_abs_to_jiffies(args->timeout_ns);
	if (!timeout) {
		if (!dma_fence_is_signaled(fence))
			ret = -ETIME;
	} else {
		timeout = dma_fence_wait_timeout(fence, true, timeout);
		if (!timeout)
			ret = -ETIME;
		else if (timeout < 0)
			ret = timeout;
	}
	/* The job's own fence, not the timeline link that carries it. */
	if (!ret)
		args->status = min(dma_fence_get_status(dma_fence_chain_contained(fence)), 0);
	dma_fence_put(fence);
	return ret;
}
