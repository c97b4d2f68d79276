// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: VMs on drm_gpuvm.
 *
 * A VM is a drm_gpuvm: its tree of bindings (struct tessera_vma, a
 * drm_gpuva with permissions), its reservation object (the fence of every
 * job on the VM), and the hardware page tables (tessera_pgtable.c) that
 * mirror the tree.  VM_BIND ops go through three phases:
 *
 * 1. tessera_bind_add() checks nothing (the ioctl did) but allocates
 *    everything an op may need: the new binding, the two pieces of
 *    bindings it may split, the drm_gpuvm_bo, and every page table.
 * 2. tessera_bind_apply() runs the ops through drm_gpuvm_sm_map() and
 *    drm_gpuvm_sm_unmap(), whose steps write and clear page-table entries
 *    and update the tree, then starts a TLB invalidation.  It allocates
 *    nothing, sleeps only on the VM's and the buffers' gpuva locks (never
 *    held across an allocation) and waits for nothing, so that a bind job
 *    can run it on its fence-signalling path.  Bindings it removed stay
 *    linked to their buffers: the memory cannot go yet.
 * 3. tessera_bind_finish(), in process context, waits until the card
 *    cannot use the old translations any more (tessera_mmu_flush_asid()),
 *    and only then unlinks the removed bindings (dropping their buffer
 *    references) and frees the page tables that became empty.
 *
 * Unbinds are ordered behind every job of the VM: a synchronous bind that
 * changes existing bindings waits for the fences in the VM's reservation
 * object first; an asynchronous one (the bind queue, not written yet)
 * will depend on them.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/capability.h>
#include <linux/dma-resv.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "tessera_drv.h"
#include "tessera_vm.h"

static struct tessera_gpuvm *to_gpuvm(struct drm_gpuvm *base)
{
	return container_of(base, struct tessera_gpuvm, base);
}

static struct tessera_vma *to_vma(struct drm_gpuva *va)
{
	return container_of(va, struct tessera_vma, base);
}

/**
 * tessera_copy_array - copy a uAPI array of structs from userspace
 * @drm: the device, for the debug messages
 * @what: the array's name, for the debug messages
 * @dst: @count elements of @elem bytes
 * @elem: the kernel's element size
 * @min_stride: the element's size in its first version
 * @max: most elements allowed
 * @stride: the caller's element size
 * @count: elements
 * @ptr: user address of the first
 *
 * Shorter elements are zero-extended; longer ones must be zero beyond
 * @elem (a newer caller's fields this kernel does not know).
 *
 * Return: 0, -EINVAL (bad count, stride or non-zero unknown fields) or
 * -EFAULT.
 */
int tessera_copy_array(struct drm_device *drm, const char *what, void *dst, size_t elem,
		       size_t min_stride, u32 max, u32 stride, u32 count, u64 ptr)
{
	u32 i;
	int ret;

	if (count > max) {
		drm_dbg(drm, "%s: %u elements, at most %u\n", what, count, max);
		return -EINVAL;
	}
	if (!count)
		return 0;
	if (stride < min_stride || stride > SZ_4K) {
		drm_dbg(drm, "%s: stride %u not in %zu..4096\n", what, stride, min_stride);
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		ret = copy_struct_from_user(dst + i * elem, elem,
					    u64_to_user_ptr(ptr + (u64)i * stride), stride);
		if (ret == -E2BIG) {
			drm_dbg(drm, "%s[%u]: non-zero fields this kernel does not know\n",
				what, i);
			return -EINVAL;
		}
		if (ret) {
			drm_dbg(drm, "%s[%u]: unreadable\n", what, i);
			return ret;
		}
	}
	return 0;
}

/* What the steps of one op work with. */
struct tessera_bind_step {
	struct tessera_bind *bind;
	struct tessera_bind_op *op;
};

static int tessera_vma_unmap_range(struct tessera_bind *bind, u64 va, u64 size)
{
	struct tessera_gpuvm *vm = bind->vm;

	if (!vm->pgt.root)
		return 0;	/* unplugged: the tables are gone */
	return tessera_pgtable_unmap(&vm->pgt, &bind->pool, va, size, &bind->freed);
}

static int tessera_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct tessera_bind_step *step = priv;
	struct tessera_bind_op *bop = step->op;
	struct tessera_gpuvm *vm = step->bind->vm;
	struct drm_gem_object *obj = op->map.gem.obj;
	struct tessera_vma *vma = bop->vma;
	struct drm_gpuvm_bo *vm_bo;
	struct mutex *lock = tessera_bo_gpuva_lock(obj);
	int ret = 0;

	if (WARN_ON_ONCE(!vma || !bop->vm_bo))
		return -EINVAL;
	if (vm->pgt.root) {
		ret = tessera_bo_map_range(obj, &vm->pgt, &step->bind->pool, op->map.va.addr,
					   op->map.gem.offset, op->map.va.range, bop->prot);
		if (ret) {
			tessera_vma_unmap_range(step->bind, op->map.va.addr, op->map.va.range);
			return ret;
		}
	}
	bop->vma = NULL;
	vma->prot = bop->prot;
	drm_gpuva_map(&vm->base, &vma->base, &op->map);
	vm_bo = tessera_gpuvm_bo_obtain_prealloc(bop->vm_bo, lock);
	bop->vm_bo = NULL;
	drm_gpuva_link(&vma->base, vm_bo);
	/* The link holds the drm_gpuvm_bo now; a discarded spare is freed. */
	drm_gpuvm_bo_put(vm_bo);
	mutex_unlock(lock);
	return 0;
}

static int tessera_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct tessera_bind_step *step = priv;
	struct tessera_bind_op *bop = step->op;
	struct drm_gpuva *old = op->remap.unmap->va;
	struct tessera_vma *ovma = to_vma(old);
	struct tessera_vma *prev = NULL, *next = NULL;
	u64 start = old->va.addr, end = old->va.addr + old->va.range;
	struct mutex *lock;	/* the buffer's gpuva lock */
	int ret;

	if (op->remap.prev) {
		prev = bop->prev;
		start = op->remap.prev->va.addr + op->remap.prev->va.range;
	}
	if (op->remap.next) {
		next = bop->next;
		end = op->remap.next->va.addr;
	}
	if (WARN_ON_ONCE((op->remap.prev && !prev) || (op->remap.next && !next)))
		return -EINVAL;
	/* Only the hole: the pieces that stay keep their entries. */
	ret = tessera_vma_unmap_range(step->bind, start, end - start);
	if (ret)
		return ret;
	if (prev) {
		bop->prev = NULL;
		prev->prot = ovma->prot;
	}
	if (next) {
		bop->next = NULL;
		next->prot = ovma->prot;
	}
	drm_gpuva_remap(prev ? &prev->base : NULL, next ? &next->base : NULL, &op->remap);
	lock = tessera_bo_gpuva_lock(old->gem.obj);
	mutex_lock(lock);
	if (prev)
		drm_gpuva_link(&prev->base, old->vm_bo);
	if (next)
		drm_gpuva_link(&next->base, old->vm_bo);
	mutex_unlock(lock);
	/* Still linked to its buffer until the card cannot reach the hole. */
	list_add_tail(&ovma->release, &step->bind->released);
	return 0;
}

static int tessera_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct tessera_bind_step *step = priv;
	struct drm_gpuva *old = op->unmap.va;
	int ret;

	ret = tessera_vma_unmap_range(step->bind, old->va.addr, old->va.range);
	if (ret)
		return ret;
	drm_gpuva_unmap(&op->unmap);
	list_add_tail(&to_vma(old)->release, &step->bind->released);
	return 0;
}

static void tessera_gpuvm_free(struct drm_gpuvm *base)
{
	struct tessera_gpuvm *vm = to_gpuvm(base);
	int idx;

	/*
	 * Every bind job held the VM: none is queued, the entity leaves its
	 * run queue without waiting.  Every VM goes this way, torn down by
	 * VM_DESTROY or not.
	 */
	if (vm->bind_ready)
		drm_sched_entity_destroy(&vm->bind_entity);
	dma_fence_put(vm->last_bind);
	tessera_asid_release(vm);
	mutex_lock(&vm->tdev->vms_lock);
	list_del(&vm->link);
	mutex_unlock(&vm->tdev->vms_lock);
	/*
	 * No binding is left: every one holds the VM.  After unplug,
	 * tessera_gpuvm_unplug() freed the tables already.
	 */
	if (drm_dev_enter(&vm->tdev->drm, &idx)) {
		tessera_pgtable_fini(&vm->pgt);
		tessera_pt_free_list(vm->tdev, &vm->zombies);
		drm_dev_exit(idx);
	}
	mutex_destroy(&vm->bind_lock);
	mutex_destroy(&vm->lock);
	drm_dev_put(&vm->tdev->drm);
	kfree(vm);
	/* tessera_defer_fini() drains the work this may return into. */
	module_put(THIS_MODULE);
}

static const struct drm_gpuvm_ops tessera_gpuvm_ops = {
	.vm_free = tessera_gpuvm_free,
	.sm_step_map = tessera_step_map,
	.sm_step_remap = tessera_step_remap,
	.sm_step_unmap = tessera_step_unmap,
};

static void tessera_gpuvm_destroy_work(struct work_struct *work);

static struct tessera_bind_job *to_bind_job(struct drm_sched_job *job)
{
	return container_of(job, struct tessera_bind_job, base);
}

/*
 * Fence-signalling path: the ops were checked and their memory allocated
 * at submit; applying them allocates nothing and waits for nothing.
 */
static struct dma_fence *tessera_bind_run_job(struct drm_sched_job *sched_job)
{
	struct tessera_bind_job *job = to_bind_job(sched_job);
	bool cookie = dma_fence_begin_signalling();
	int ret = 0;

	/* A bind behind a failed dependency applies nothing. */
	if (!sched_job->s_fence->finished.error)
		ret = tessera_bind_apply(job->bind);
	dma_fence_end_signalling(cookie);
	/* Done already: no hardware fence to wait for. */
	return ret ? ERR_PTR(ret) : NULL;
}

static enum drm_gpu_sched_stat tessera_bind_timedout_job(struct drm_sched_job *sched_job)
{
	/* run_job completes every bind at once: never reached. */
	return TESSERA_SCHED_STAT_RESET;
}

/* A bind job is done with: its bind finished, the job freed. */
static void tessera_bind_job_free(struct tessera_bind_job *job)
{
	struct tessera_gpuvm *vm = job->bind->vm;

	/* The bind's reference on the VM goes with it: keep the VM for the wake-up. */
	drm_gpuvm_get(&vm->base);
	tessera_bind_finish(job->bind);
	kfree(job);
	if (atomic_dec_and_test(&vm->binds_unfinished))
		wake_up_var(&vm->binds_unfinished);
	drm_gpuvm_put(&vm->base);
}

static void tessera_bind_finish_work(struct work_struct *work)
{
	tessera_bind_job_free(container_of(work, struct tessera_bind_job, finish_work));
}

/**
 * tessera_gpuvm_wait_binds_finished - wait for the bind queue's releases
 * @vm: the VM, referenced by the caller
 * @timeout: in jiffies
 *
 * A bind job's fence signals once its ops are applied; what it unbound is
 * released afterwards, on a worker, once the card's TLB lets go of it
 * (tessera_bind_finish()).  This waits for that, for every bind job
 * created on @vm so far.  Process context.
 *
 * Return: true if they all finished, false on timeout.
 */
bool tessera_gpuvm_wait_binds_finished(struct tessera_gpuvm *vm, long timeout)
{
	return wait_var_event_timeout(&vm->binds_unfinished,
				      !atomic_read(&vm->binds_unfinished), timeout) > 0;
}

/* Signalling path too: the flush wait and the frees go to a worker. */
static void tessera_bind_free_job(struct drm_sched_job *sched_job)
{
	struct tessera_bind_job *job = to_bind_job(sched_job);
	bool cookie = dma_fence_begin_signalling();

	drm_sched_job_cleanup(sched_job);
	tessera_defer_work(&job->finish_work);
	dma_fence_end_signalling(cookie);
}

static const struct drm_sched_backend_ops tessera_bind_sched_ops = {
	.run_job = tessera_bind_run_job,
	.timedout_job = tessera_bind_timedout_job,
	.free_job = tessera_bind_free_job,
};

/**
 * tessera_bind_sched_init - the scheduler of every VM's bind queue
 * @tdev: the device, after tessera_sched_init()
 *
 * Return: 0 or a negative errno.
 */
int tessera_bind_sched_init(struct tessera_device *tdev)
{
	struct drm_sched_init_args args = {
		.ops = &tessera_bind_sched_ops,
		.submit_wq = tdev->sched_wq,
		/* Entities get DRM_SCHED_PRIORITY_NORMAL: every run queue. */
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = 64,
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.timeout_wq = tdev->reset_wq,
		.name = tdev->bind_sched_name,
		.dev = tdev->drm.dev,
	};
	int ret;

	snprintf(tdev->bind_sched_name, sizeof(tdev->bind_sched_name), "%s-bind",
		 pci_name(tdev->pdev));
	ret = tessera_drm_sched_init(&tdev->bind_sched, &args);
	if (ret)
		return ret;
	tdev->bind_sched_ready = true;
	return 0;
}

/** tessera_bind_sched_fini - tear the bind scheduler down (remove) */
void tessera_bind_sched_fini(struct tessera_device *tdev)
{
	if (tdev->bind_sched_ready)
		drm_sched_fini(&tdev->bind_sched);
	tdev->bind_sched_ready = false;
}

/**
 * tessera_bind_job_create - wrap a bind into a job of its VM's bind queue
 * @bind: the bind, all its ops added successfully; the job owns it
 * @owner: the submitting client's id, for the scheduler's accounting
 *
 * Unbinds are ordered behind every job already on the VM: the job depends
 * on every fence of the VM's reservation object.
 *
 * Return: the job, or an ERR_PTR (then @bind is finished).
 */
struct tessera_bind_job *tessera_bind_job_create(struct tessera_bind *bind, u64 owner)
{
	struct tessera_gpuvm *vm = bind->vm;
	struct dma_resv *resv = drm_gpuvm_resv(&vm->base);
	struct tessera_bind_job *job;
	int ret;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		ret = -ENOMEM;
		goto err;
	}
	job->bind = bind;
	atomic_inc(&vm->binds_unfinished);
	INIT_WORK(&job->finish_work, tessera_bind_finish_work);
	ret = tessera_drm_sched_job_init(&job->base, &vm->bind_entity, 1, NULL, owner);
	if (ret)
		goto err_free;
	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		goto err_cleanup;
	ret = drm_sched_job_add_resv_dependencies(&job->base, resv, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(resv);
	if (ret)
		goto err_cleanup;
	return job;

err_cleanup:
	drm_sched_job_cleanup(&job->base);
err_free:
	tessera_bind_job_free(job);
	return ERR_PTR(ret);
err:
	tessera_bind_finish(bind);
	return ERR_PTR(ret);
}

/**
 * tessera_bind_job_add_dep - make a bind job wait for a fence
 * @job: the job, not pushed yet
 * @fence: the fence; the job takes the reference
 *
 * Return: 0 or -ENOMEM.
 */
int tessera_bind_job_add_dep(struct tessera_bind_job *job, struct dma_fence *fence)
{
	return drm_sched_job_add_dependency(&job->base, fence);
}

/**
 * tessera_bind_job_abort - drop a bind job that was never pushed
 * @job: the job
 */
void tessera_bind_job_abort(struct tessera_bind_job *job)
{
	drm_sched_job_cleanup(&job->base);
	tessera_bind_job_free(job);
}

/**
 * tessera_bind_job_push - queue a bind job
 * @job: the job; the queue owns it from now on
 *
 * Return: its finished fence, referenced (signalled once the ops are
 * applied: jobs that wait for it see the new bindings).
 */
struct dma_fence *tessera_bind_job_push(struct tessera_bind_job *job)
{
	struct tessera_gpuvm *vm = job->bind->vm;
	struct dma_fence *fence;

	mutex_lock(&vm->bind_lock);
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	dma_fence_put(vm->last_bind);
	vm->last_bind = dma_fence_get(fence);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&vm->bind_lock);
	return fence;
}

/**
 * tessera_bind_job_run_now - apply a bind job at once if nothing is ahead of it
 * @job: the job, its dependencies added, not pushed
 * @ret: receives tessera_bind_apply()'s result when the job ran
 * @done: receives the number of ops applied when the job ran
 *
 * A bind job whose dependencies have all signalled without error, on a VM
 * whose bind queue is idle, would run as soon as the bind scheduler got
 * to it.  It is applied here instead, which saves the scheduler's and the
 * release worker's round trips: most of what creating, binding, freeing
 * and unbinding a small buffer costs.  Ordering is as if queued: every
 * bind pushed before has been applied (its fence signalled after that),
 * and one pushed after waits for @bind_lock.  What the bind unbound is
 * released on a worker, as after a queued job.  Process context.
 *
 * Return: true if the job ran (and was consumed), false if it must be
 * pushed.
 */
bool tessera_bind_job_run_now(struct tessera_bind_job *job, int *ret, u32 *done)
{
	struct tessera_gpuvm *vm = job->bind->vm;
	struct dma_fence *f;
	unsigned long i;

	mutex_lock(&vm->bind_lock);
	if (vm->last_bind && !dma_fence_is_signaled(vm->last_bind))
		goto queue;
	xa_for_each(&job->base.dependencies, i, f)
		if (!dma_fence_is_signaled(f) || f->error)
			goto queue;
	*ret = tessera_bind_apply(job->bind);
	*done = job->bind->done;
	mutex_unlock(&vm->bind_lock);
	/*
	 * What it unbound goes once the TLB let go, on the worker as for a
	 * queued job: the flush may wait for other VMs' descriptors.
	 */
	drm_sched_job_cleanup(&job->base);
	tessera_defer_work(&job->finish_work);
	return true;

queue:
	mutex_unlock(&vm->bind_lock);
	return false;
}

/**
 * tessera_gpuvm_create - a new, empty VM
 * @tdev: the device
 *
 * Return: the VM (one reference), or an ERR_PTR.
 */
struct tessera_gpuvm *tessera_gpuvm_create(struct tessera_device *tdev)
{
	struct drm_gem_object *r_obj;
	struct tessera_gpuvm *vm;
	int ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	vm->tdev = tdev;
	mutex_init(&vm->lock);
	INIT_LIST_HEAD(&vm->zombies);
	mutex_init(&vm->bind_lock);
	/* Bind jobs take it on a signalling path: nothing may allocate under it. */
	if (IS_ENABLED(CONFIG_LOCKDEP)) {
		fs_reclaim_acquire(GFP_KERNEL);
		might_lock(&vm->lock);
		fs_reclaim_release(GFP_KERNEL);
	}
	INIT_LIST_HEAD(&vm->asid_link);
	atomic_set(&vm->active_jobs, 0);
	atomic_set(&vm->binds_unfinished, 0);
	vm->uid = current_euid();
	vm->uid_exempt = capable(CAP_SYS_ADMIN);
	INIT_WORK(&vm->destroy_work, tessera_gpuvm_destroy_work);
	/* The creator's: the file's id, or the kernel's own use. */
	atomic_set(&vm->users, 1);
	vm->exec_perm = tdev->hw_caps & TESSERA_CAP_MMU_EXEC;
	ret = tessera_pgtable_init(&vm->pgt, tdev);
	if (ret)
		goto err;
	if (tdev->bind_sched_ready) {
		struct drm_gpu_scheduler *sched = &tdev->bind_sched;

		ret = drm_sched_entity_init(&vm->bind_entity, DRM_SCHED_PRIORITY_NORMAL,
					    &sched, 1, NULL);
		if (ret)
			goto err_pgt;
		vm->bind_ready = true;
	}
	r_obj = drm_gpuvm_resv_object_alloc(&tdev->drm);
	if (!r_obj) {
		ret = -ENOMEM;
		goto err_entity;
	}
	drm_gpuvm_init(&vm->base, "tessera", TESSERA_GPUVM_FLAGS, &tdev->drm, r_obj,
		       TESSERA_GPUVM_VA_START, TESSERA_GPUVM_VA_END - TESSERA_GPUVM_VA_START, 0, 0,
		       &tessera_gpuvm_ops);
	/* The VM holds its own reference. */
	drm_gem_object_put(r_obj);
	/*
	 * And the device, whose bind scheduler outlives every bind entity,
	 * and the module, whose code the VM's deferred work runs.
	 */
	drm_dev_get(&tdev->drm);
	__module_get(THIS_MODULE);
	mutex_lock(&tdev->vms_lock);
	list_add_tail(&vm->link, &tdev->gpuvms);
	mutex_unlock(&tdev->vms_lock);
	return vm;

err_entity:
	if (vm->bind_ready)
		drm_sched_entity_destroy(&vm->bind_entity);
err_pgt:
	tessera_pgtable_fini(&vm->pgt);
err:
	mutex_destroy(&vm->bind_lock);
	mutex_destroy(&vm->lock);
	kfree(vm);
	return ERR_PTR(ret);
}

/**
 * tessera_gpuvm_unplug - free every VM's page tables (remove)
 * @tdev: the device, unplugged and stopped (no DMA any more)
 *
 * While the DMA API still knows the device.  The VMs live on until their
 * holders let go; their
 * binds then find no tables and only update the tree.
 */
void tessera_gpuvm_unplug(struct tessera_device *tdev)
{
	struct tessera_gpuvm *vm;

	mutex_lock(&tdev->vms_lock);
	list_for_each_entry(vm, &tdev->gpuvms, link) {
		mutex_lock(&vm->lock);
		tessera_pgtable_fini(&vm->pgt);
		tessera_pt_free_list(tdev, &vm->zombies);
		mutex_unlock(&vm->lock);
	}
	mutex_unlock(&tdev->vms_lock);
}

/** tessera_gpuvm_put - drop a VM reference; the last one frees it */
void tessera_gpuvm_put(struct tessera_gpuvm *vm)
{
	if (vm)
		drm_gpuvm_put(&vm->base);
}

/**
 * tessera_bind_alloc - an empty bind of up to @count ops on @vm
 * @vm: the VM, referenced by the bind until tessera_bind_finish()
 * @count: ops
 *
 * Return: the bind or NULL.
 */
struct tessera_bind *tessera_bind_alloc(struct tessera_gpuvm *vm, u32 count)
{
	struct tessera_bind *bind = kzalloc(sizeof(*bind), GFP_KERNEL);

	if (!bind)
		return NULL;
	bind->ops = kvcalloc(count, sizeof(*bind->ops), GFP_KERNEL);
	if (!bind->ops) {
		kfree(bind);
		return NULL;
	}
	drm_gpuvm_get(&vm->base);
	bind->vm = vm;
	tessera_pt_pool_init(&bind->pool);
	INIT_LIST_HEAD(&bind->released);
	INIT_LIST_HEAD(&bind->freed);
	return bind;
}

/*
 * The page tables an op may need, from the DMA API: only while the device
 * is bound.  Once it is unplugged the VM's tables are gone
 * (tessera_gpuvm_unplug()) and ops only update the tree (a VM torn down
 * after unbind): nothing to reserve, and nothing allocated for a device
 * that is going away.
 */
static int tessera_bind_reserve(struct tessera_bind *bind, bool map, u64 va, u64 size)
{
	struct tessera_device *tdev = bind->vm->tdev;
	int idx, ret;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return 0;
	if (map)
		ret = tessera_pt_pool_reserve(tdev, &bind->pool, va, size);
	else
		ret = tessera_pt_pool_reserve_split(tdev, &bind->pool);
	drm_dev_exit(idx);
	return ret;
}

/**
 * tessera_bind_add - append a checked op and allocate what it needs
 * @bind: the bind, with room left
 * @map: a MAP (else an UNMAP)
 * @obj: the buffer of a MAP, referenced by the bind from now on
 * @bo_offset: first byte of @obj to map
 * @va: start, 4 KiB aligned, in the VM's range
 * @size: bytes, 4 KiB aligned
 * @prot: TESSERA_PTE_* permissions of a MAP
 *
 * Process context.
 *
 * Return: 0 or -ENOMEM (the op is added anyway, for tessera_bind_finish()).
 */
int tessera_bind_add(struct tessera_bind *bind, bool map, struct drm_gem_object *obj,
		     u64 bo_offset, u64 va, u64 size, u64 prot)
{
	struct tessera_bind_op *op = &bind->ops[bind->count++];
	int ret;

	op->map = map;
	op->obj = obj;
	op->bo_offset = bo_offset;
	op->va = va;
	op->size = size;
	op->prot = prot;
	op->prev = kzalloc(sizeof(*op->prev), GFP_KERNEL_ACCOUNT);
	op->next = kzalloc(sizeof(*op->next), GFP_KERNEL_ACCOUNT);
	if (!op->prev || !op->next)
		return -ENOMEM;
	if (!map)
		return tessera_bind_reserve(bind, false, va, size);
	ret = tessera_bo_bind_prepare(obj);
	if (ret)
		return ret;
	op->vma = kzalloc(sizeof(*op->vma), GFP_KERNEL_ACCOUNT);
	if (!op->vma)
		return -ENOMEM;
	op->vm_bo = drm_gpuvm_bo_create(&bind->vm->base, obj);
	if (!op->vm_bo)
		return -ENOMEM;
	return tessera_bind_reserve(bind, true, va, size);
}

/**
 * tessera_bind_apply - apply every op of a bind, in order
 * @bind: the bind, all its ops added successfully
 *
 * Allocates nothing and waits for nothing (see the file's comment); the
 * ops' unbinds must be ordered behind the VM's jobs by the caller.
 * @bind->done counts the ops applied.
 *
 * Return: 0, or the error of the op that failed (a caller bug, warned
 * about: the ops before it stay applied).
 */
int tessera_bind_apply(struct tessera_bind *bind)
{
	struct tessera_gpuvm *vm = bind->vm;
	bool changed;
	int ret = 0;
	u32 asid;

	mutex_lock(&vm->lock);
	for (; bind->done < bind->count; bind->done++) {
		struct tessera_bind_op *op = &bind->ops[bind->done];
		struct tessera_bind_step step = { .bind = bind, .op = op };

		if (op->map && vm->dying)
			/* A MAP now would outlive the teardown, and the VM with it. */
			ret = -ENOENT;
		else if (op->map)
			ret = tessera_gpuvm_sm_map(&vm->base, &step, op->va, op->size, op->obj,
						   op->bo_offset);
		else
			ret = drm_gpuvm_sm_unmap(&vm->base, &step, op->va, op->size);
		if (ret)
			break;
	}
	/*
	 * Only entries that were valid need a flush: the TLB caches no
	 * invalid one (programming guide, "TLB"), so ops that only filled
	 * empty ranges, the common MAP, skip the two register writes.
	 */
	changed = !list_empty(&bind->released) || !list_empty(&vm->zombies);
	/* Tables unlinked earlier are reachable until this flush completes. */
	list_splice_init(&vm->zombies, &bind->freed);
	mutex_unlock(&vm->lock);
	asid = READ_ONCE(vm->asid);
	if (asid && changed) {
		tessera_mmu_invalidate_start(vm->tdev, asid);
		bind->inv_asid = asid;
	}
	return ret;
}

/**
 * tessera_bind_finish - release what a bind removed, and the bind
 * @bind: the bind, applied or not
 *
 * Waits until the card cannot use the translations the bind removed, then
 * drops the removed bindings (and with them buffer references) and frees
 * page tables.  If the card cannot be made to let go, they are never
 * freed.  Process context, off every fence-signalling path.
 */
void tessera_bind_finish(struct tessera_bind *bind)
{
	struct tessera_gpuvm *vm = bind->vm;
	struct tessera_vma *vma, *tmp;
	bool present;
	u32 i;
	int idx;

	/*
	 * Tables go back through the DMA API only while the device is
	 * bound; after unplug they are leaked, not freed through a device
	 * that is gone (the card is stopped: the bindings may go).
	 */
	present = drm_dev_enter(&vm->tdev->drm, &idx);
	if (!list_empty(&bind->released) || !list_empty(&bind->freed)) {
		u32 asid = READ_ONCE(vm->asid);

		/*
		 * An ASID taken back meanwhile was flushed then; the one the
		 * apply started an invalidation for needs only the wait.
		 */
		if (asid && !(asid == bind->inv_asid ? tessera_mmu_flush_started(vm->tdev, asid) :
			      tessera_mmu_flush_asid(vm->tdev, asid))) {
			drm_err(&vm->tdev->drm,
				"card may still reach unbound memory: never freeing it\n");
			goto free_ops;
		}
		list_for_each_entry_safe(vma, tmp, &bind->released, release) {
			struct drm_gem_object *obj = vma->base.gem.obj;
			struct mutex *lock = tessera_bo_gpuva_lock(obj);

			/* The unlink may drop the last binding's buffer reference. */
			drm_gem_object_get(obj);
			list_del(&vma->release);
			mutex_lock(lock);
			drm_gpuva_unlink(&vma->base);
			mutex_unlock(lock);
			drm_gem_object_put(obj);
			kfree(vma);
		}
		if (present)
			tessera_pt_free_list(vm->tdev, &bind->freed);
	}
free_ops:
	for (i = 0; i < bind->count; i++) {
		struct tessera_bind_op *op = &bind->ops[i];

		if (op->vm_bo) {
			struct mutex *lock = tessera_bo_gpuva_lock(op->obj);

			mutex_lock(lock);
			drm_gpuvm_bo_put(op->vm_bo);
			mutex_unlock(lock);
		}
		kfree(op->vma);
		kfree(op->prev);
		kfree(op->next);
		if (op->obj)
			drm_gem_object_put(op->obj);
	}
	if (present) {
		tessera_pt_pool_fini(vm->tdev, &bind->pool);
		drm_dev_exit(idx);
	}
	kvfree(bind->ops);
	tessera_gpuvm_put(vm);
	kfree(bind);
}

/* Does any op of @bind change existing bindings? */
static bool tessera_bind_touches_bindings(struct tessera_bind *bind)
{
	struct tessera_gpuvm *vm = bind->vm;
	bool touches = false;
	u32 i;

	mutex_lock(&vm->lock);
	for (i = 0; i < bind->count && !touches; i++)
		touches = !drm_gpuvm_interval_empty(&vm->base, bind->ops[i].va,
						    bind->ops[i].size);
	mutex_unlock(&vm->lock);
	return touches;
}

/**
 * tessera_bind_sync - run a bind now: after the VM's jobs if it unbinds
 * @bind: the bind, all its ops added successfully; consumed
 * @done: receives the number of ops applied
 *
 * Return: 0, -ERESTARTSYS when a signal interrupted the wait for the
 * VM's jobs (nothing applied), or tessera_bind_apply()'s error.
 */
int tessera_bind_sync(struct tessera_bind *bind, u32 *done)
{
	struct dma_resv *resv = drm_gpuvm_resv(&bind->vm->base);
	long wait;
	int ret;

	*done = 0;
	if (tessera_bind_touches_bindings(bind)) {
		wait = dma_resv_wait_timeout(resv, DMA_RESV_USAGE_BOOKKEEP, true,
					     MAX_SCHEDULE_TIMEOUT);
		if (wait < 0) {
			tessera_bind_finish(bind);
			return wait;
		}
	}
	ret = tessera_bind_apply(bind);
	*done = bind->done;
	tessera_bind_finish(bind);
	return ret;
}

static void tessera_gpuvm_destroy_work(struct work_struct *work)
{
	struct tessera_gpuvm *vm = container_of(work, struct tessera_gpuvm, destroy_work);
	struct tessera_bind *bind;
	struct dma_fence *last;

	/*
	 * Queued binds are applied first (the VM has no id left for new
	 * ones): else one could bind after the teardown below.
	 */
	if (vm->bind_ready)
		drm_sched_entity_flush(&vm->bind_entity, MAX_SCHEDULE_TIMEOUT);
	mutex_lock(&vm->bind_lock);
	last = vm->last_bind;
	vm->last_bind = NULL;
	mutex_unlock(&vm->bind_lock);
	if (last) {
		dma_fence_wait(last, false);
		dma_fence_put(last);
	}
	/* Jobs end within the job timeout; nothing waits on this work. */
	dma_resv_wait_timeout(drm_gpuvm_resv(&vm->base), DMA_RESV_USAGE_BOOKKEEP, false,
			      MAX_SCHEDULE_TIMEOUT);
	/*
	 * A bind that looked the VM up before its last user went may still
	 * be on its way: from now on it maps nothing, so the unbind of
	 * everything below is the last word and the VM can be freed.
	 */
	mutex_lock(&vm->lock);
	vm->dying = true;
	mutex_unlock(&vm->lock);
	bind = tessera_bind_alloc(vm, 1);
	if (bind) {
		if (!tessera_bind_add(bind, false, NULL, 0, TESSERA_GPUVM_VA_START,
				      TESSERA_GPUVM_VA_END - TESSERA_GPUVM_VA_START, 0))
			tessera_bind_apply(bind);
		tessera_bind_finish(bind);
	} else {
		drm_err(&vm->tdev->drm, "no memory to tear a VM down: leaking it\n");
		return;
	}
	tessera_gpuvm_put(vm);
}

/**
 * tessera_gpuvm_destroy - tear a VM down, after its bindings
 * @vm: the VM, with no user left (tessera_gpuvm_user_put())
 *
 * Never waits: once every job on the VM has finished, a worker unbinds
 * everything (bindings hold the VM) and drops the creator's reference.
 */
void tessera_gpuvm_destroy(struct tessera_gpuvm *vm)
{
	tessera_defer_work(&vm->destroy_work);
}

/**
 * tessera_gpuvm_user_get - one more holder that may submit to the VM
 * @vm: the VM, referenced by the caller
 *
 * Return: false if the last user already went (the VM is being torn
 * down: treat it as gone).
 */
bool tessera_gpuvm_user_get(struct tessera_gpuvm *vm)
{
	return atomic_inc_not_zero(&vm->users);
}

/**
 * tessera_gpuvm_user_put - a holder that may submit to the VM goes
 * @vm: the VM
 *
 * The file's VM id (VM_DESTROY, file close) and each queue on the VM
 * are users: the VM's bindings stay until the last of them goes, so a
 * queue keeps working after VM_DESTROY.  Never waits.
 */
void tessera_gpuvm_user_put(struct tessera_gpuvm *vm)
{
	if (atomic_dec_and_test(&vm->users))
		tessera_gpuvm_destroy(vm);
}
