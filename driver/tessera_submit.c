// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: submission queues and the submit ioctl.
 *
 * A queue is a drm_sched entity over the rings of one engine class (or
 * one ring), with a priority, created on a VM: its jobs run in that VM.
 * A job's commands stay in the user's memory: the card fetches and checks
 * them through the VM, so the driver neither copies nor parses them.  A
 * job holds its VM, and through the VM's bindings every buffer it may
 * touch, until it is freed; GEM_CLOSE, munmap and closing the file never
 * wait for it.
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

/* First-version size of struct drm_tessera_bo_ref in SUBMIT's array. */
#define TESSERA_BO_REF_SIZE_V1	8

static_assert(sizeof(struct drm_tessera_sync) == TESSERA_SYNC_SIZE_V1);
static_assert(sizeof(struct drm_tessera_bo_ref) == TESSERA_BO_REF_SIZE_V1);

/**
 * struct tessera_queue - a submission queue of one file, on one VM
 */
struct tessera_queue {
	/** @ref: held by the file's xarray and by submits using the queue */
	struct kref ref;
	/** @entity: the scheduler entity */
	struct drm_sched_entity entity;
	/** @scheds: the rings the queue may use; @entity points here */
	struct drm_gpu_scheduler *scheds[TESSERA_MAX_RINGS];
	/** @vm: the VM its jobs run in (a reference) */
	struct tessera_gpuvm *vm;
	/**
	 * @submit_lock: held from drm_sched_job_arm() to
	 * drm_sched_entity_push_job() of each of its jobs, so that jobs reach
	 * the entity in seqno order even when several threads submit at once
	 */
	struct mutex submit_lock;
	/** @destroy_work: destroys the entity in the background */
	struct work_struct destroy_work;
};

static void tessera_queue_destroy_work(struct work_struct *work)
{
	struct tessera_queue *q = container_of(work, struct tessera_queue, destroy_work);

	/* Lets the queued jobs run, then drops the VM (which holds the device). */
	drm_sched_entity_destroy(&q->entity);
	mutex_destroy(&q->submit_lock);
	tessera_gpuvm_user_put(q->vm);
	tessera_gpuvm_put(q->vm);
	kfree(q);
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

/**
 * tessera_queues_init - the file's queue ids, none yet
 * @tfile: the file
 */
void tessera_queues_init(struct tessera_file *tfile)
{
	xa_init_flags(&tfile->queues, XA_FLAGS_ALLOC1);
}

/**
 * tessera_queues_fini - drop every queue id of a closing file
 * @tfile: the file
 *
 * Never waits: each queue's jobs still run.
 */
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
	if (args->engine != DRM_TESSERA_ENGINE_ANY &&
	    (args->engine >= tdev->num_rings ||
	     tdev->rings[args->engine].engine_class != args->engine_class)) {
		drm_dbg(drm, "QUEUE_CREATE: engine %u is not one of class %u\n", args->engine,
			args->engine_class);
		return -EINVAL;
	}
	if (args->priority == DRM_TESSERA_QUEUE_PRIORITY_HIGH && !capable(CAP_SYS_NICE)) {
		drm_dbg(drm, "QUEUE_CREATE: high priority needs CAP_SYS_NICE\n");
		return -EACCES;
	}
	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return -ENOMEM;
	q->vm = tessera_file_vm_get_user(tfile, args->vm_id);
	if (!q->vm) {
		drm_dbg(drm, "QUEUE_CREATE: no VM %u\n", args->vm_id);
		kfree(q);
		return -ENOENT;
	}
	kref_init(&q->ref);
	mutex_init(&q->submit_lock);
	INIT_WORK(&q->destroy_work, tessera_queue_destroy_work);
	for (i = 0; i < tdev->num_rings; i++)
		if (tdev->rings[i].engine_class == args->engine_class &&
		    (args->engine == DRM_TESSERA_ENGINE_ANY || args->engine == i))
			q->scheds[n++] = &tdev->rings[i].sched;
	ret = -EINVAL;
	if (!n)
		drm_dbg(drm, "QUEUE_CREATE: no engine of class %u\n", args->engine_class);
	else
		ret = drm_sched_entity_init(&q->entity, tessera_sched_priority[args->priority],
					    q->scheds, n, NULL);
	if (ret) {
		mutex_destroy(&q->submit_lock);
		tessera_gpuvm_user_put(q->vm);
		tessera_gpuvm_put(q->vm);
		kfree(q);
		return ret;
	}
	ret = xa_alloc(&tfile->queues, &id, q, XA_LIMIT(1, TESSERA_MAX_QUEUES), GFP_KERNEL);
	if (ret) {
		tessera_queue_put(q);
		if (ret == -EBUSY)
			drm_dbg(drm, "QUEUE_CREATE: the file has %u queues\n", TESSERA_MAX_QUEUES);
		return ret == -EBUSY ? -EMFILE : ret;
	}
	args->queue_id = id;
	return 0;
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
 * tessera_syncs_add - turn a job's or bind's syncs into dependencies and signals
 * @drm: the device, for the debug messages
 * @file: the caller, whose syncobjs the handles are
 * @job: the scheduler job, initialized; waits become its dependencies
 * @syncs: the checked-for-size array
 * @count: entries in @syncs
 * @wfs: WAIT_FOR_SUBMIT is allowed (SUBMIT; not VM_BIND)
 * @sig: room for @count signals; filled with the SIGNAL entries
 * @nsig: receives the entries of @sig used, also on error
 *
 * Return: 0 or a negative errno (each rejection logged).
 */
int tessera_syncs_add(struct drm_device *drm, struct drm_file *file, struct drm_sched_job *job,
		      const struct drm_tessera_sync *syncs, u32 count, bool wfs,
		      struct tessera_signal *sig, u32 *nsig)
{
	u32 i;
	int ret = 0;

	*nsig = 0;
	for (i = 0; i < count && !ret; i++) {
		const struct drm_tessera_sync *s = &syncs[i];
		struct dma_fence *fence;

		switch (s->flags) {
		case DRM_TESSERA_SYNC_WAIT:
			ret = drm_syncobj_find_fence(file, s->handle, s->point, 0, &fence);
			if (ret) {
				drm_dbg(drm, "sync %u: no fence at syncobj %u point %llu: %d\n",
					i, s->handle, s->point, ret);
				break;
			}
			ret = drm_sched_job_add_dependency(job, fence);
			break;
		case DRM_TESSERA_SYNC_WAIT | DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT:
			if (!wfs) {
				drm_dbg(drm, "sync %u: WAIT_FOR_SUBMIT is for SUBMIT only\n", i);
				ret = -EINVAL;
				break;
			}
			ret = tessera_wait_for_submit(file, s->handle, s->point, &fence);
			if (!ret)
				ret = drm_sched_job_add_dependency(job, fence);
			else if (ret == -ENOENT)
				drm_dbg(drm, "sync %u: no syncobj %u\n", i, s->handle);
			break;
		case DRM_TESSERA_SYNC_SIGNAL:
			sig[*nsig].syncobj = drm_syncobj_find(file, s->handle);
			if (!sig[*nsig].syncobj) {
				drm_dbg(drm, "sync %u: no syncobj %u\n", i, s->handle);
				ret = -ENOENT;
				break;
			}
			sig[*nsig].point = s->point;
			sig[*nsig].chain = NULL;
			(*nsig)++;
			if (s->point) {
				sig[*nsig - 1].chain = dma_fence_chain_alloc();
				if (!sig[*nsig - 1].chain)
					ret = -ENOMEM;
			}
			break;
		default:
			drm_dbg(drm, "sync %u: flags %#x\n", i, s->flags);
			ret = -EINVAL;
		}
	}
	return ret;
}

/**
 * tessera_signals_install - install a fence at every signal point
 * @sig: from tessera_syncs_add()
 * @nsig: entries
 * @fence: the job's or bind's finished fence
 *
 * Cannot fail: the timeline chains were allocated beforehand.
 */
void tessera_signals_install(struct tessera_signal *sig, u32 nsig, struct dma_fence *fence)
{
	u32 i;

	for (i = 0; i < nsig; i++) {
		if (sig[i].point) {
			drm_syncobj_add_point(sig[i].syncobj, sig[i].chain, fence, sig[i].point);
			sig[i].chain = NULL;
		} else {
			drm_syncobj_replace_fence(sig[i].syncobj, fence);
		}
	}
}

/**
 * tessera_signals_put - drop what tessera_syncs_add() took
 * @sig: the signals
 * @nsig: entries
 */
void tessera_signals_put(struct tessera_signal *sig, u32 nsig)
{
	u32 i;

	for (i = 0; i < nsig; i++) {
		dma_fence_chain_free(sig[i].chain);
		drm_syncobj_put(sig[i].syncobj);
	}
}

/**
 * struct tessera_submit - state of one submit ioctl
 */
struct tessera_submit {
	/** @syncs: the caller's syncs */
	struct drm_tessera_sync *syncs;
	/** @sig: the syncobjs to signal */
	struct tessera_signal *sig;
	/** @nsig: entries used in @sig */
	u32 nsig;
	/** @refs: the caller's BO list */
	struct drm_tessera_bo_ref *refs;
	/**
	 * @objs: the listed BOs (referenced; handed to the job) and, last,
	 * the VM's reservation object, for drm_gem_lock_reservations()
	 */
	struct drm_gem_object **objs;
	/** @nobjs: entries of @objs */
	u32 nobjs;
	/** @ticket: for locking the reservations */
	struct ww_acquire_ctx ticket;
	/** @locked: the reservations are locked */
	bool locked;
};

/*
 * The listed BOs: the job waits for their earlier users and will publish
 * its fence in them (implicit sync with dma-buf sharers).  The VM's
 * reservation object is locked with them: the job's fence goes there too,
 * as BOOKKEEP, so that unbinds are ordered behind it.
 */
static int tessera_submit_bos(struct tessera_job *job, struct tessera_submit *sub,
			      struct drm_file *file, u32 count)
{
	struct drm_device *drm = file->minor->dev;
	u32 i;
	int ret;

	sub->objs = kvcalloc(count + 1, sizeof(*sub->objs), GFP_KERNEL_ACCOUNT);
	if (!sub->objs)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		if (sub->refs[i].flags & ~DRM_TESSERA_BO_REF_WRITE) {
			drm_dbg(drm, "SUBMIT: BO %u has flags %#x\n", i, sub->refs[i].flags);
			return -EINVAL;
		}
		sub->objs[i] = drm_gem_object_lookup(file, sub->refs[i].handle);
		if (!sub->objs[i]) {
			drm_dbg(drm, "SUBMIT: BO %u: no handle %u\n", i, sub->refs[i].handle);
			return -ENOENT;
		}
		sub->nobjs++;
	}
	sub->objs[count] = drm_gpuvm_resv_obj(&job->gvm->base);
	drm_gem_object_get(sub->objs[count]);
	sub->nobjs++;

	ret = drm_gem_lock_reservations(sub->objs, sub->nobjs, &sub->ticket);
	if (ret == -EALREADY) {
		drm_dbg(drm, "SUBMIT: a BO is listed twice\n");
		return -EINVAL;
	}
	if (ret)
		return ret;
	sub->locked = true;
	for (i = 0; i < sub->nobjs; i++) {
		ret = dma_resv_reserve_fences(sub->objs[i]->resv, 1);
		if (ret)
			return ret;
	}
	for (i = 0; i < count; i++) {
		ret = drm_sched_job_add_implicit_dependencies(&job->base, sub->objs[i],
							      sub->refs[i].flags &
							      DRM_TESSERA_BO_REF_WRITE);
		if (ret)
			return ret;
	}
	return 0;
}

/* After arming: publish the job's fence.  Cannot fail. */
static void tessera_submit_publish(struct tessera_job *job, struct tessera_submit *sub)
{
	struct dma_fence *fence = &job->base.s_fence->finished;
	u32 i, count = sub->nobjs - 1;

	for (i = 0; i < count; i++)
		dma_resv_add_fence(sub->objs[i]->resv, fence,
				   sub->refs[i].flags & DRM_TESSERA_BO_REF_WRITE ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
	dma_resv_add_fence(sub->objs[count]->resv, fence, DMA_RESV_USAGE_BOOKKEEP);
	tessera_signals_install(sub->sig, sub->nsig, fence);
}

static void tessera_submit_fini(struct tessera_submit *sub)
{
	u32 i;

	if (sub->locked)
		drm_gem_unlock_reservations(sub->objs, sub->nobjs, &sub->ticket);
	for (i = 0; i < sub->nobjs; i++)
		drm_gem_object_put(sub->objs[i]);
	kvfree(sub->objs);
	tessera_signals_put(sub->sig, sub->nsig);
	kvfree(sub->sig);
	kvfree(sub->syncs);
	kvfree(sub->refs);
}

static int tessera_submit_check(struct drm_device *drm, const struct drm_tessera_submit *args)
{
	if (args->flags || args->pad) {
		drm_dbg(drm, "SUBMIT: flags %#x, pad %#x\n", args->flags, args->pad);
		return -EINVAL;
	}
	if (!args->cmd_size || args->cmd_size % 4 || args->cmd_size > TESSERA_CMD_SIZE_MAX ||
	    args->cmd_va % 4) {
		drm_dbg(drm, "SUBMIT: %u bytes of commands at %#llx\n", args->cmd_size,
			args->cmd_va);
		return -EINVAL;
	}
	if (args->syncs.count > DRM_TESSERA_MAX_SYNCS ||
	    args->bos.count > DRM_TESSERA_MAX_BO_REFS) {
		drm_dbg(drm, "SUBMIT: %u syncs, %u BOs\n", args->syncs.count, args->bos.count);
		return -EINVAL;
	}
	return 0;
}

int tessera_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_device *tdev = to_tessera(drm);
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_submit *args = data;
	u32 nsyncs = args->syncs.count, nbos = args->bos.count;
	struct tessera_submit sub = { };
	struct tessera_ctx_fault f;
	struct tessera_queue *q;
	struct tessera_job *job;
	int ret;

	ret = tessera_submit_check(drm, args);
	if (ret)
		return ret;
	if (test_bit(TESSERA_FLAG_LOST, &tdev->flags))
		return -ENODEV;
	q = tessera_queue_get(tfile, args->queue_id);
	if (!q) {
		drm_dbg(drm, "SUBMIT: no queue %u\n", args->queue_id);
		return -ENOENT;
	}
	tessera_gpuvm_fault(q->vm, &f);
	if (f.count || f.banned) {
		drm_dbg(drm, "SUBMIT: the queue's VM is guilty\n");
		ret = -ECANCELED;
		goto out_queue;
	}

	ret = -ENOMEM;
	sub.syncs = kvcalloc(nsyncs, sizeof(*sub.syncs), GFP_KERNEL);
	sub.sig = kvcalloc(nsyncs, sizeof(*sub.sig), GFP_KERNEL);
	sub.refs = kvcalloc(nbos, sizeof(*sub.refs), GFP_KERNEL);
	if ((nsyncs && (!sub.syncs || !sub.sig)) || (nbos && !sub.refs))
		goto out;
	ret = tessera_copy_array(drm, "SUBMIT syncs", sub.syncs, sizeof(*sub.syncs),
				 TESSERA_SYNC_SIZE_V1, DRM_TESSERA_MAX_SYNCS,
				 args->syncs.stride, nsyncs, args->syncs.ptr);
	if (ret)
		goto out;
	ret = tessera_copy_array(drm, "SUBMIT bos", sub.refs, sizeof(*sub.refs),
				 TESSERA_BO_REF_SIZE_V1, DRM_TESSERA_MAX_BO_REFS,
				 args->bos.stride, nbos, args->bos.ptr);
	if (ret)
		goto out;

	job = tessera_gpuvm_job_create(q->vm, &q->entity, tfile->stats, file->client_id,
				       args->cmd_va, args->cmd_size);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto out;
	}
	ret = tessera_syncs_add(drm, file, &job->base, sub.syncs, nsyncs, true, sub.sig,
				&sub.nsig);
	if (!ret)
		ret = tessera_gpuvm_job_get_asid(job);
	if (!ret)
		ret = tessera_submit_bos(job, &sub, file, nbos);
	if (ret) {
		tessera_gpuvm_job_abort(job);
		goto out;
	}

	/*
	 * Arm and push under one lock: the entity is shared by the file's
	 * threads, and the scheduler relies on jobs reaching an entity in
	 * the order of their seqnos (a job waiting on an earlier job of the
	 * same entity is not held back otherwise).
	 */
	mutex_lock(&q->submit_lock);
	drm_sched_job_arm(&job->base);
	args->seqno = job->base.s_fence->finished.seqno;
	trace_tessera_job_submit(tessera_job_ring(job)->id, file->client_id,
				 job->base.s_fence->finished.context, args->seqno);
	tessera_submit_publish(job, &sub);
	/* The listed BOs go to the job, which holds them until freed. */
	job->bos = sub.objs;
	job->num_bos = sub.nobjs;
	if (sub.locked)
		drm_gem_unlock_reservations(sub.objs, sub.nobjs, &sub.ticket);
	sub.locked = false;
	sub.objs = NULL;
	sub.nobjs = 0;
	/* The job may run and be freed as soon as it is pushed. */
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&q->submit_lock);
	ret = 0;
out:
	tessera_submit_fini(&sub);
out_queue:
	tessera_queue_put(q);
	return ret;
}

/**
 * tessera_gpuvm_job_create - a job running commands at a VA of a VM
 * @vm: the VM the job runs in; the job references it
 * @entity: the queue's scheduler entity
 * @stats: the client's statistics; the job references them
 * @owner: the client's id, for the scheduler
 * @cmd_va: device address of the commands in @vm (bound READ | EXEC)
 * @cmd_size: bytes of commands, a multiple of 4
 *
 * The core of SUBMIT (the ioctl adds the dependencies, then
 * tessera_gpuvm_job_get_asid()): the job holds its VM and so every buffer
 * bound there.  Process context.
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
 * tessera_gpuvm_job_get_asid - give a job's VM an ASID for the job's lifetime
 * @job: from tessera_gpuvm_job_create()
 *
 * Last before the job is pushed, after any wait for a dependency to be
 * submitted: an ASID is held only by jobs about to reach the scheduler.
 * May sleep until one is free (tessera_asid_get()).
 *
 * Return: 0, or -ERESTARTSYS (a signal), -ENOMEM.
 */
int tessera_gpuvm_job_get_asid(struct tessera_job *job)
{
	int ret = tessera_asid_get(job->gvm);

	if (ret < 0)
		return ret;
	job->gvm_asid = true;
	return 0;
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
 * tessera_gpuvm_job_push - queue a job of a VM (the VM self-test's path)
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

	ret = tessera_gpuvm_job_get_asid(job);
	if (ret)
		goto err;
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
