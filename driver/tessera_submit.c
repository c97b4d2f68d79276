// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: submission queues and the submit ioctl.
 *
 * A queue is a drm_sched entity over every ring of one engine class, with a
 * priority.  Each file also has one default normal-priority entity per
 * ring, used when a submit names no queue.  A job's commands stay in the
 * user's buffer: the device reads and checks them through the file's
 * context, so the driver neither copies nor parses them.  A job holds its
 * context, the buffers it lists and the one its commands are in, and their
 * mappings, until it is freed.
 *
 * Destroying a queue never waits: the entity is torn down in the
 * background, where the jobs already queued get up to a second to become
 * ready before the scheduler cancels them (-ESRCH).
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
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>
#include <drm/tessera_accel.h>

#include "tessera_job.h"
#include "tessera_vm.h"
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
	/** @drm: the device, referenced until the entity is destroyed */
	struct drm_device *drm;
	/** @destroy_work: destroys the entity in the background */
	struct work_struct destroy_work;
};

static void tessera_queue_destroy_work(struct work_struct *work)
{
	struct tessera_queue *q = container_of(work, struct tessera_queue, destroy_work);
	struct drm_device *drm = q->drm;

	drm_sched_entity_destroy(&q->entity);
	kfree(q);
	drm_dev_put(drm);
}

static void tessera_queue_release(struct kref *ref)
{
	struct tessera_queue *q = container_of(ref, struct tessera_queue, ref);

	tessera_defer_work(&q->destroy_work);
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
	    args->engine_class > DRM_TESSERA_ENGINE_CLASS_DMA) {
		drm_dbg(drm, "QUEUE_CREATE: flags %#x, priority %u, class %u\n", args->flags,
			args->priority, args->engine_class);
		return -EINVAL;
	}
	if (args->priority == DRM_TESSERA_QUEUE_PRIORITY_HIGH && !capable(CAP_SYS_NICE)) {
		drm_dbg(drm, "QUEUE_CREATE: high priority needs CAP_SYS_NICE\n");
		return -EACCES;
	}

	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return -ENOMEM;
	kref_init(&q->ref);
	INIT_WORK(&q->destroy_work, tessera_queue_destroy_work);
	for (i = 0; i < tdev->num_rings; i++)
		if (tdev->rings[i].engine_class == args->engine_class)
			q->scheds[n++] = &tdev->rings[i].sched;
	if (!n) {
		drm_dbg(drm, "QUEUE_CREATE: no engine of class %u\n", args->engine_class);
		ret = -EINVAL;
		goto err_free;
	}

	ret = drm_sched_entity_init(&q->entity, tessera_sched_priority[args->priority],
				    q->scheds, n, NULL);
	if (ret)
		goto err_free;
	q->drm = drm;
	drm_dev_get(drm);

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

	if (args->pad) {
		drm_dbg(drm, "QUEUE_DESTROY: pad not zero\n");
		return -EINVAL;
	}
	q = xa_erase(&tfile->queues, args->queue_id);
	if (!q) {
		drm_dbg(drm, "QUEUE_DESTROY: no queue %u\n", args->queue_id);
		return -ENOENT;
	}
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
	u64 end;

	obj = drm_gem_object_lookup(file, args->cmd_handle);
	if (!obj) {
		drm_dbg(file->minor->dev, "SUBMIT: no command buffer handle %u\n",
			args->cmd_handle);
		return -ENOENT;
	}
	job->cmd_bo = obj;

	if (check_add_overflow(args->cmd_offset, (u64)args->cmd_size, &end) ||
	    end > obj->size) {
		drm_dbg(file->minor->dev, "SUBMIT: commands %llu+%u outside a %zu-byte buffer\n",
			args->cmd_offset, args->cmd_size, obj->size);
		return -EINVAL;
	}
	job->cmd_map = tessera_bo_mapping_get(obj, tfile->vm);
	if (!job->cmd_map) {
		drm_dbg(file->minor->dev, "SUBMIT: command buffer closed meanwhile\n");
		return -ENOENT;
	}
	job->cmd_va = tessera_bo_mapping_va(job->cmd_map) + args->cmd_offset;
	job->cmd_size = args->cmd_size;
	return 0;
}

/* How long a WAIT_FOR_SUBMIT waits for its point to get a fence, in all. */
#define TESSERA_WFS_TIMEOUT_MS	10000
/* Longest sleep between two looks at the syncobj. */
#define TESSERA_WFS_POLL_MAX_US	2000

/*
 * A restart follows its interruption at once (the signal handler runs in
 * between); an older entry is a submit that userspace did not retry.
 */
#define TESSERA_WFS_RESTART_MS	1000

/*
 * The deadline of the calling thread's WAIT_FOR_SUBMIT on (@handle,
 * @point): the one an earlier attempt of the same submit started if a
 * signal interrupted it just now (the system call is restarted from
 * scratch), even if it has passed meanwhile; else TESSERA_WFS_TIMEOUT_MS
 * from now.
 */
static ktime_t tessera_wfs_take(struct tessera_file *tfile, u32 handle, u64 point)
{
	struct tessera_wfs_deadline *w;
	pid_t pid = task_pid_nr(current);
	ktime_t now = ktime_get(), deadline = ktime_add_ms(now, TESSERA_WFS_TIMEOUT_MS);

	mutex_lock(&tfile->wfs_lock);
	for (w = tfile->wfs; w < tfile->wfs + ARRAY_SIZE(tfile->wfs); w++) {
		if (w->pid != pid || w->handle != handle || w->point != point)
			continue;
		w->pid = 0;
		if (ktime_ms_delta(now, w->interrupted) < TESSERA_WFS_RESTART_MS)
			deadline = w->deadline;
		break;
	}
	mutex_unlock(&tfile->wfs_lock);
	return deadline;
}

/* Keep a deadline for the restart of an interrupted WAIT_FOR_SUBMIT. */
static void tessera_wfs_keep(struct tessera_file *tfile, u32 handle, u64 point, ktime_t deadline)
{
	struct tessera_wfs_deadline *w, *slot = tfile->wfs;
	ktime_t now = ktime_get();

	mutex_lock(&tfile->wfs_lock);
	/* A free or stale slot, else the oldest. */
	for (w = tfile->wfs; w < tfile->wfs + ARRAY_SIZE(tfile->wfs); w++) {
		if (!w->pid || ktime_ms_delta(now, w->interrupted) >= TESSERA_WFS_RESTART_MS) {
			slot = w;
			break;
		}
		if (ktime_before(w->interrupted, slot->interrupted))
			slot = w;
	}
	slot->pid = task_pid_nr(current);
	slot->handle = handle;
	slot->point = point;
	slot->deadline = deadline;
	slot->interrupted = now;
	mutex_unlock(&tfile->wfs_lock);
}

/*
 * Wait until (@handle, @point) has a fence.  The syncobj core offers no
 * wait with a caller's deadline, so it is looked at with a growing sleep
 * (at most TESSERA_WFS_POLL_MAX_US) in between.
 */
static int tessera_wait_for_submit(struct drm_file *file, u32 handle, u64 point,
				   struct dma_fence **fence)
{
	struct tessera_file *tfile = file->driver_priv;
	ktime_t deadline = tessera_wfs_take(tfile, handle, point);
	u64 delay_us = 10;
	int ret;

	for (;;) {
		ret = drm_syncobj_find_fence(file, handle, point, 0, fence);
		if (ret != -EINVAL)	/* a fence, or no such syncobj */
			return ret;
		if (!ktime_before(ktime_get(), deadline)) {
			drm_dbg(file->minor->dev, "SUBMIT: syncobj %u point %llu got no fence\n",
				handle, point);
			return -ETIME;
		}
		if (signal_pending(current)) {
			drm_dbg(file->minor->dev, "SUBMIT: wait for submit interrupted, %lld ms left\n",
				ktime_ms_delta(deadline, ktime_get()));
			tessera_wfs_keep(tfile, handle, point, deadline);
			return -ERESTARTSYS;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		schedule_hrtimeout_range(&(ktime_t){ ns_to_ktime(delay_us * NSEC_PER_USEC) },
					 delay_us * NSEC_PER_USEC / 4, HRTIMER_MODE_REL);
		delay_us = min_t(u64, delay_us * 2, TESSERA_WFS_POLL_MAX_US);
	}
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
			ret = tessera_wait_for_submit(file, s->handle, s->point, &fence);
			if (!ret)
				ret = drm_sched_job_add_dependency(&job->base, fence);
			break;
		case DRM_TESSERA_SYNC_SIGNAL:
			ret = tessera_submit_add_signal(sub, file, s->handle, s->point);
			break;
		default:
			drm_dbg(file->minor->dev, "SUBMIT: sync %u has flags %#x\n", i, s->flags);
			ret = -EINVAL;
		}
		if (ret == -ENOENT)
			drm_dbg(file->minor->dev, "SUBMIT: sync %u: no syncobj %u\n", i, s->handle);
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

	struct tessera_file *tfile = file->driver_priv;
	struct drm_device *drm = file->minor->dev;

	sub->refs = kvcalloc(args->num_bos + 1, sizeof(*sub->refs), GFP_KERNEL_ACCOUNT);
	job->bos = kvcalloc(args->num_bos + 1, sizeof(*job->bos), GFP_KERNEL_ACCOUNT);
	job->maps = kvcalloc(args->num_bos + 1, sizeof(*job->maps), GFP_KERNEL_ACCOUNT);
	if (!sub->refs || !job->bos || !job->maps)
		return -ENOMEM;
	if (copy_from_user(sub->refs, u64_to_user_ptr(args->bos),
			   array_size(args->num_bos, sizeof(*sub->refs)))) {
		drm_dbg(drm, "SUBMIT: BO array unreadable\n");
		return -EFAULT;
	}

	for (i = 0; i < args->num_bos; i++) {
		struct drm_gem_object *obj;

		if (sub->refs[i].flags & ~DRM_TESSERA_BO_REF_WRITE) {
			drm_dbg(drm, "SUBMIT: BO %u has flags %#x\n", i, sub->refs[i].flags);
			return -EINVAL;
		}
		obj = drm_gem_object_lookup(file, sub->refs[i].handle);
		if (!obj) {
			drm_dbg(drm, "SUBMIT: BO %u: no handle %u\n", i, sub->refs[i].handle);
			return -ENOENT;
		}
		job->bos[i] = obj;
		job->num_bos++;
		job->maps[i] = tessera_bo_mapping_get(obj, tfile->vm);
		if (!job->maps[i]) {
			drm_dbg(drm, "SUBMIT: BO %u closed meanwhile\n", i);
			return -ENOENT;
		}
		have_cmd |= obj == job->cmd_bo;
	}
	if (!have_cmd) {
		drm_gem_object_get(job->cmd_bo);
		job->bos[job->num_bos] = job->cmd_bo;
		sub->refs[job->num_bos].flags = 0;
		job->num_bos++;
	}

	ret = drm_gem_lock_reservations(job->bos, job->num_bos, &sub->ticket);
	if (ret == -EALREADY)
		drm_dbg(drm, "SUBMIT: a BO is listed twice\n");
	if (ret)
		return ret == -EALREADY ? -EINVAL : ret;
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
	if (READ_ONCE(tdev->faults[tfile->vm->asid].count)) {
		drm_dbg(drm, "SUBMIT: context %u is guilty\n", tfile->vm->asid);
		return -ECANCELED;
	}
	if (args->flags || args->pad) {
		drm_dbg(drm, "SUBMIT: flags %#x, pad %#x\n", args->flags, args->pad);
		return -EINVAL;
	}
	if (args->num_syncs > DRM_TESSERA_MAX_SYNCS || args->num_bos > DRM_TESSERA_MAX_BO_REFS) {
		drm_dbg(drm, "SUBMIT: %u syncs, %u BOs\n", args->num_syncs, args->num_bos);
		return -EINVAL;
	}
	if (!args->cmd_size || args->cmd_size > TESSERA_CMD_SIZE_MAX ||
	    !IS_ALIGNED(args->cmd_size, 4) || !IS_ALIGNED(args->cmd_offset, 4)) {
		drm_dbg(drm, "SUBMIT: commands %llu+%u\n", args->cmd_offset, args->cmd_size);
		return -EINVAL;
	}
	if (args->queue_id) {
		if (args->engine) {
			drm_dbg(drm, "SUBMIT: engine %u with queue %u\n", args->engine,
				args->queue_id);
			return -EINVAL;
		}
		q = tessera_queue_get(tfile, args->queue_id);
		if (!q) {
			drm_dbg(drm, "SUBMIT: no queue %u\n", args->queue_id);
			return -ENOENT;
		}
		entity = &q->entity;
	} else {
		if (args->engine >= tdev->num_rings) {
			drm_dbg(drm, "SUBMIT: no engine %u\n", args->engine);
			return -EINVAL;
		}
		entity = &tfile->entity[args->engine];
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job) {
		ret = -ENOMEM;
		goto out_queue;
	}
	job->tdev = tdev;
	/* Allocated now: run_job, on the signalling path, allocates nothing. */
	job->fence = tessera_fence_alloc(tdev);
	if (!job->fence) {
		ret = -ENOMEM;
		goto err_free;
	}
	kref_get(&tfile->stats->ref);
	job->fence->stats = tfile->stats;

	kref_get(&tfile->vm->ref);
	job->vm = tfile->vm;
	atomic_inc(&job->vm->active_jobs);

	/* The card stays awake while the job exists. */
	ret = tessera_pm_get(tdev);
	if (ret)
		goto err_free;
	job->pm_ref = true;

	ret = tessera_job_lookup_cmds(job, file, args);
	if (ret)
		goto err_free;

	ret = tessera_drm_sched_job_init(&job->base, entity, 1, tfile, file->client_id);
	if (ret)
		goto err_free;

	ret = tessera_submit_syncs(job, &sub, file, args);
	if (ret)
		goto err_cleanup;
	ret = tessera_submit_bos(job, &sub, file, args);
	if (ret)
		goto err_cleanup;

	/*
	 * Arm and push under one lock: the entity is shared by the file's
	 * threads, and the scheduler relies on jobs reaching an entity in
	 * the order of their seqnos (a job waiting on an earlier job of the
	 * same entity is not held back otherwise).
	 */
	mutex_lock(&tfile->submit_lock);
	drm_sched_job_arm(&job->base);
	args->seqno = job->base.s_fence->finished.seqno;
	trace_tessera_job_submit(tessera_job_ring(job)->id, file->client_id,
				 job->base.s_fence->finished.context, args->seqno);
	tessera_submit_publish(job, &sub);
	tessera_submit_fini(job, &sub);
	/* The job may run and be freed as soon as it is pushed. */
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&tfile->submit_lock);
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
 * tessera_gpuvm_job_create - a job running commands at a VA of a uAPI 2 VM
 * @vm: the VM the job runs in; the job references it
 * @entity: the queue's scheduler entity
 * @stats: the client's statistics; the job references them
 * @owner: the client's id, for the scheduler
 * @cmd_va: device address of the commands in @vm (bound READ | EXEC)
 * @cmd_size: bytes of commands, a multiple of 4
 *
 * The core of uAPI 2's SUBMIT (the ioctl adds the dependencies): the job
 * holds its VM and so every buffer bound there, and gets the VM an ASID
 * (tessera_asid_get(), which may wait) for as long as it exists.
 * Process context.
 *
 * Return: the job, initialized for @entity, or an ERR_PTR.
 */
struct tessera_job *tessera_gpuvm_job_create(struct tessera_gpuvm *vm,
					     struct drm_sched_entity *entity,
					     struct tessera_client_stats *stats, u64 owner,
					     u64 cmd_va, u32 cmd_size)
{
	struct tessera_device *tdev = vm->tdev;
	struct tessera_job *job;
	int ret;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->tdev = tdev;
	job->cmd_va = cmd_va;
	job->cmd_size = cmd_size;
	/* Allocated now: run_job, on the signalling path, allocates nothing. */
	job->fence = tessera_fence_alloc(tdev);
	if (!job->fence) {
		ret = -ENOMEM;
		goto err_free;
	}
	kref_get(&stats->ref);
	job->fence->stats = stats;
	drm_gpuvm_get(&vm->base);
	job->gvm = vm;
	ret = tessera_asid_get(vm);
	if (ret < 0)
		goto err_free;
	job->gvm_asid = true;
	ret = tessera_pm_get(tdev);
	if (ret)
		goto err_free;
	job->pm_ref = true;
	ret = tessera_drm_sched_job_init(&job->base, entity, 1, NULL, owner);
	if (ret)
		goto err_free;
	return job;

err_free:
	tessera_job_free(job);
	return ERR_PTR(ret);
}

/**
 * tessera_gpuvm_job_abort - drop a job from tessera_gpuvm_job_create()
 * @job: the job, not pushed
 */
void tessera_gpuvm_job_abort(struct tessera_job *job)
{
	drm_sched_job_cleanup(&job->base);
	tessera_job_free(job);
}

/**
 * tessera_gpuvm_job_push - queue a job of a uAPI 2 VM
 * @job: from tessera_gpuvm_job_create(), with its dependencies; consumed
 * @submit_lock: held from arm to push on the job's entity
 * @seqno: receives the job's sequence number in its queue, or NULL
 *
 * Publishes the job's fence in the VM's reservation object as BOOKKEEP:
 * unbinds are ordered behind it.
 *
 * Return: the job's finished fence (referenced), or an ERR_PTR (a signal
 * while locking the VM; the job is freed).
 */
struct dma_fence *tessera_gpuvm_job_push(struct tessera_job *job, struct mutex *submit_lock,
					 u64 *seqno)
{
	struct dma_resv *resv = drm_gpuvm_resv(&job->gvm->base);
	struct dma_fence *fence;
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		goto err;
	ret = dma_resv_reserve_fences(resv, 1);
	if (ret) {
		dma_resv_unlock(resv);
		goto err;
	}
	mutex_lock(submit_lock);
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	if (seqno)
		*seqno = fence->seqno;
	dma_resv_add_fence(resv, fence, DMA_RESV_USAGE_BOOKKEEP);
	/* The job may run and be freed as soon as it is pushed. */
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(submit_lock);
	dma_resv_unlock(resv);
	return fence;

err:
	tessera_gpuvm_job_abort(job);
	return ERR_PTR(ret);
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
