// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: the uAPI 2 VM ioctls (VM_CREATE, VM_DESTROY,
 * VM_BIND) on the VM core of tessera_vm.c.
 *
 * Every input is checked before anything is allocated or applied, and
 * every rejection says why at drm.debug level.
 *
 * TRANSITIONAL: the driver still serves uAPI 1, whose ioctl numbers these
 * share, so they sit at staging numbers (DRM_IOCTL_TESSERA_STAGING_*,
 * tessera_vm.h) until the switch; this file includes the uAPI 2 header by
 * its path in the tree (NOTES-vm-bind.md).
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/capability.h>
#include <linux/dma-fence-chain.h>
#include <linux/seq_file.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include "../uapi/drm/tessera_accel.h"
#include "tessera_drv.h"
#include "tessera_job.h"
#include "tessera_vm.h"

/* First-version sizes of the uAPI 2 array elements. */
#define TESSERA_BIND_OP_SIZE_V1	40
#define TESSERA_SYNC_SIZE_V1	16

static_assert(sizeof(struct drm_tessera_vm_bind_op) == TESSERA_BIND_OP_SIZE_V1);
static_assert(DRM_IOCTL_TESSERA_STAGING_VM_CREATE ==
	      DRM_IOWR(DRM_COMMAND_BASE + TESSERA_STAGING_NR_VM_CREATE,
		       struct drm_tessera_vm_create));
static_assert(DRM_IOCTL_TESSERA_STAGING_VM_DESTROY ==
	      DRM_IOW(DRM_COMMAND_BASE + TESSERA_STAGING_NR_VM_DESTROY,
		      struct drm_tessera_vm_destroy));
static_assert(DRM_IOCTL_TESSERA_STAGING_VM_BIND ==
	      DRM_IOWR(DRM_COMMAND_BASE + TESSERA_STAGING_NR_VM_BIND, struct drm_tessera_vm_bind));
static_assert(DRM_IOCTL_TESSERA_STAGING_QUEUE_CREATE ==
	      DRM_IOWR(DRM_COMMAND_BASE + TESSERA_STAGING_NR_QUEUE_CREATE,
		       struct drm_tessera_queue_create));
static_assert(DRM_IOCTL_TESSERA_STAGING_SUBMIT ==
	      DRM_IOWR(DRM_COMMAND_BASE + TESSERA_STAGING_NR_SUBMIT, struct drm_tessera_submit));
static_assert(DRM_IOCTL_TESSERA_STAGING_VM_STATUS ==
	      DRM_IOWR(DRM_COMMAND_BASE + TESSERA_STAGING_NR_VM_STATUS,
		       struct drm_tessera_vm_status));
static_assert(sizeof(struct drm_tessera_sync) == TESSERA_SYNC_SIZE_V1);

#define TESSERA_VM_QUEUES_MAX	1023

/**
 * struct tessera_vm_queue - a uAPI 2 submission queue, created on a VM
 */
struct tessera_vm_queue {
	/** @ref: held by the file's xarray and by submits using the queue */
	struct kref ref;
	/** @entity: the scheduler entity */
	struct drm_sched_entity entity;
	/** @scheds: the rings the queue may use; @entity points here */
	struct drm_gpu_scheduler *scheds[TESSERA_MAX_RINGS];
	/** @vm: the VM its jobs run in (a reference) */
	struct tessera_gpuvm *vm;
	/** @submit_lock: held from arm to push of each of its jobs */
	struct mutex submit_lock;
	/** @destroy_work: destroys the entity in the background */
	struct work_struct destroy_work;
};

static void tessera_vm_queue_destroy_work(struct work_struct *work)
{
	struct tessera_vm_queue *q = container_of(work, struct tessera_vm_queue, destroy_work);

	/* Lets the queued jobs run, then drops the VM (which holds the device). */
	drm_sched_entity_destroy(&q->entity);
	mutex_destroy(&q->submit_lock);
	tessera_gpuvm_put(q->vm);
	kfree(q);
}

static void tessera_vm_queue_release(struct kref *ref)
{
	struct tessera_vm_queue *q = container_of(ref, struct tessera_vm_queue, ref);

	tessera_defer_work(&q->destroy_work);
}

static void tessera_vm_queue_put(struct tessera_vm_queue *q)
{
	kref_put(&q->ref, tessera_vm_queue_release);
}

/**
 * tessera_file_vms_init - the file's VM ids, none yet
 * @tfile: the file
 */
void tessera_file_vms_init(struct tessera_file *tfile)
{
	xa_init_flags(&tfile->vms, XA_FLAGS_ALLOC1);
	xa_init_flags(&tfile->vm_queues, XA_FLAGS_ALLOC1);
}

static void tessera_vm_queue_put(struct tessera_vm_queue *q);

/**
 * tessera_file_vms_fini - drop every VM id of a closing file
 * @tfile: the file
 *
 * Never waits: each VM is torn down once its jobs are done.
 */
void tessera_file_vms_fini(struct tessera_file *tfile)
{
	struct tessera_vm_queue *q;
	struct tessera_gpuvm *vm;
	unsigned long id;

	xa_for_each(&tfile->vm_queues, id, q) {
		xa_erase(&tfile->vm_queues, id);
		tessera_vm_queue_put(q);
	}
	xa_destroy(&tfile->vm_queues);
	xa_for_each(&tfile->vms, id, vm) {
		xa_erase(&tfile->vms, id);
		tessera_gpuvm_destroy(vm);
	}
	xa_destroy(&tfile->vms);
}

/**
 * tessera_file_vm_get - look a VM id up
 * @tfile: the file
 * @id: the VM id
 *
 * Return: the VM with a reference, or NULL.
 */
struct tessera_gpuvm *tessera_file_vm_get(struct tessera_file *tfile, u32 id)
{
	struct tessera_gpuvm *vm;

	xa_lock(&tfile->vms);
	vm = xa_load(&tfile->vms, id);
	if (vm)
		drm_gpuvm_get(&vm->base);
	xa_unlock(&tfile->vms);
	return vm;
}

/**
 * tessera_file_vms_show - list a file's VMs and their bindings, for debugfs
 * @m: output
 * @tfile: the file
 *
 * One line per VM ("vm ID asid N pages 4k N 2m N tables N"), then one per
 * binding ("  bind VA size SIZE offset OFF prot rwx").
 */
void tessera_file_vms_show(struct seq_file *m, struct tessera_file *tfile)
{
	unsigned long id = 0;

	for (;; id++) {
		struct tessera_gpuvm *vm;
		struct drm_gpuva *va;

		/* Referenced: a VM_DESTROY meanwhile does not free it under us. */
		xa_lock(&tfile->vms);
		vm = xa_find(&tfile->vms, &id, ULONG_MAX, XA_PRESENT);
		if (vm)
			drm_gpuvm_get(&vm->base);
		xa_unlock(&tfile->vms);
		if (!vm)
			break;
		mutex_lock(&vm->lock);
		seq_printf(m, "vm %lu asid %u pages 4k %llu 2m %llu tables %llu\n", id,
			   READ_ONCE(vm->asid), vm->pgt.pages_4k, vm->pgt.pages_2m,
			   vm->pgt.tables);
		drm_gpuvm_for_each_va(va, &vm->base) {
			u64 prot = container_of(va, struct tessera_vma, base)->prot;

			seq_printf(m, "  bind %#014llx size %#llx offset %#llx prot %c%c%c\n",
				   va->va.addr, va->va.range, va->gem.offset,
				   prot & TESSERA_PTE_READ ? 'r' : '-',
				   prot & TESSERA_PTE_WRITE ? 'w' : '-',
				   prot & TESSERA_PTE_EXEC ? 'x' : '-');
		}
		mutex_unlock(&vm->lock);
		tessera_gpuvm_put(vm);
	}
}

int tessera_ioctl_vm_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_vm_create *args = data;
	struct tessera_gpuvm *vm;
	u32 id;
	int ret;

	if (args->flags) {
		drm_dbg(drm, "VM_CREATE: unknown flags %#x\n", args->flags);
		return -EINVAL;
	}
	vm = tessera_gpuvm_create(to_tessera(drm));
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = xa_alloc(&tfile->vms, &id, vm, XA_LIMIT(1, TESSERA_VMS_PER_FILE_MAX), GFP_KERNEL);
	if (ret) {
		if (ret == -EBUSY) {
			drm_dbg(drm, "VM_CREATE: the file has %u VMs\n", TESSERA_VMS_PER_FILE_MAX);
			ret = -EMFILE;
		}
		tessera_gpuvm_put(vm);
		return ret;
	}
	args->vm_id = id;
	return 0;
}

int tessera_ioctl_vm_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_vm_destroy *args = data;
	struct tessera_gpuvm *vm;

	if (args->pad) {
		drm_dbg(drm, "VM_DESTROY: non-zero pad\n");
		return -EINVAL;
	}
	vm = xa_erase(&tfile->vms, args->vm_id);
	if (!vm) {
		drm_dbg(drm, "VM_DESTROY: no VM %u\n", args->vm_id);
		return -ENOENT;
	}
	tessera_gpuvm_destroy(vm);
	return 0;
}

/* Check one op on its own; look its buffer up (a reference in *objp). */
static int tessera_bind_op_check(struct drm_device *drm, struct drm_file *file, u32 i,
				 const struct drm_tessera_vm_bind_op *op,
				 struct drm_gem_object **objp)
{
	struct drm_gem_object *obj;
	u64 end;

	*objp = NULL;
	if (op->pad) {
		drm_dbg(drm, "VM_BIND op %u: non-zero pad\n", i);
		return -EINVAL;
	}
	if (!op->size || !IS_ALIGNED(op->va | op->size | op->bo_offset, SZ_4K)) {
		drm_dbg(drm, "VM_BIND op %u: va %#llx size %#llx offset %#llx not 4 KiB multiples or size 0\n",
			i, op->va, op->size, op->bo_offset);
		return -EINVAL;
	}
	if (check_add_overflow(op->va, op->size, &end) || op->va < TESSERA_GPUVM_VA_START ||
	    end > TESSERA_GPUVM_VA_END) {
		drm_dbg(drm, "VM_BIND op %u: [%#llx, +%#llx) outside [%#llx, %#llx)\n", i,
			op->va, op->size, (u64)TESSERA_GPUVM_VA_START, TESSERA_GPUVM_VA_END);
		return -EINVAL;
	}
	switch (op->op) {
	case DRM_TESSERA_BIND_OP_MAP:
		if (op->flags & ~DRM_TESSERA_BIND_FLAGS_VALID ||
		    !(op->flags & (DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE)) ||
		    (op->flags & DRM_TESSERA_BIND_EXEC && !(op->flags & DRM_TESSERA_BIND_READ))) {
			drm_dbg(drm, "VM_BIND op %u: bad permissions %#x\n", i, op->flags);
			return -EINVAL;
		}
		obj = drm_gem_object_lookup(file, op->handle);
		if (!obj) {
			drm_dbg(drm, "VM_BIND op %u: no handle %u\n", i, op->handle);
			return -ENOENT;
		}
		if (check_add_overflow(op->bo_offset, op->size, &end) || end > obj->size) {
			drm_dbg(drm, "VM_BIND op %u: [%#llx, +%#llx) outside the %zu-byte buffer\n",
				i, op->bo_offset, op->size, obj->size);
			drm_gem_object_put(obj);
			return -EINVAL;
		}
		*objp = obj;
		return 0;
	case DRM_TESSERA_BIND_OP_UNMAP:
		if (op->flags || op->handle || op->bo_offset) {
			drm_dbg(drm, "VM_BIND op %u: UNMAP with flags, handle or offset\n", i);
			return -EINVAL;
		}
		return 0;
	default:
		/* MAP_SPARSE too: DRM_TESSERA_CAP_SPARSE is not set. */
		drm_dbg(drm, "VM_BIND op %u: unknown op %u\n", i, op->op);
		return -EINVAL;
	}
}

static int tessera_bind_op_cmp(const void *a, const void *b)
{
	const struct drm_tessera_vm_bind_op *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/* Do two ops of the call overlap?  Sorts a copy of the table. */
static int tessera_bind_ops_overlap(struct drm_device *drm,
				    const struct drm_tessera_vm_bind_op *ops, u32 count)
{
	struct drm_tessera_vm_bind_op *sorted;
	int ret = 0;
	u32 i;

	if (count < 2)
		return 0;
	sorted = kvmemdup(ops, count * sizeof(*ops), GFP_KERNEL);
	if (!sorted)
		return -ENOMEM;
	sort(sorted, count, sizeof(*sorted), tessera_bind_op_cmp, NULL);
	for (i = 1; i < count; i++) {
		if (sorted[i - 1].va + sorted[i - 1].size > sorted[i].va) {
			drm_dbg(drm, "VM_BIND: ops at %#llx and %#llx overlap\n",
				sorted[i - 1].va, sorted[i].va);
			ret = -EINVAL;
			break;
		}
	}
	kvfree(sorted);
	return ret;
}

/* A syncobj point an asynchronous bind signals, with what it needs. */
struct tessera_bind_signal {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

/*
 * The syncs of an asynchronous bind: waits become dependencies of @job,
 * signals are looked up (and their timeline chains allocated) into @sig.
 */
static int tessera_bind_syncs(struct drm_device *drm, struct drm_file *file,
			      struct drm_sched_job *job, const struct drm_tessera_sync *syncs,
			      u32 count, struct tessera_bind_signal *sig, u32 *nsig)
{
	u32 i;
	int ret;

	*nsig = 0;
	for (i = 0; i < count; i++) {
		const struct drm_tessera_sync *s = &syncs[i];
		struct dma_fence *fence;

		if (s->flags != DRM_TESSERA_SYNC_WAIT && s->flags != DRM_TESSERA_SYNC_SIGNAL) {
			drm_dbg(drm, "VM_BIND sync %u: flags %#x, not WAIT or SIGNAL\n", i,
				s->flags);
			return -EINVAL;
		}
		if (s->flags == DRM_TESSERA_SYNC_WAIT) {
			ret = drm_syncobj_find_fence(file, s->handle, s->point, 0, &fence);
			if (ret) {
				drm_dbg(drm, "VM_BIND sync %u: no fence at syncobj %u point %llu: %d\n",
					i, s->handle, s->point, ret);
				return ret;
			}
			ret = drm_sched_job_add_dependency(job, fence);
			if (ret)
				return ret;
			continue;
		}
		sig[*nsig].syncobj = drm_syncobj_find(file, s->handle);
		if (!sig[*nsig].syncobj) {
			drm_dbg(drm, "VM_BIND sync %u: no syncobj %u\n", i, s->handle);
			return -ENOENT;
		}
		sig[*nsig].point = s->point;
		(*nsig)++;
		if (s->point) {
			sig[*nsig - 1].chain = dma_fence_chain_alloc();
			if (!sig[*nsig - 1].chain)
				return -ENOMEM;
		}
	}
	return 0;
}

static void tessera_signals_install(struct tessera_bind_signal *sig, u32 nsig,
				    struct dma_fence *fence)
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

static void tessera_bind_signals_put(struct tessera_bind_signal *sig, u32 nsig)
{
	u32 i;

	for (i = 0; i < nsig; i++) {
		dma_fence_chain_free(sig[i].chain);
		drm_syncobj_put(sig[i].syncobj);
	}
}

/* Queue @bind with the call's syncs; consumes @bind. */
static int tessera_bind_async(struct drm_device *drm, struct drm_file *file,
			      struct tessera_bind *bind, const struct drm_tessera_vm_bind *args)
{
	struct tessera_bind_signal *sig = NULL;
	struct drm_tessera_sync *syncs = NULL;
	struct tessera_bind_job *job;
	struct dma_fence *fence;
	u32 nsig = 0, count = args->syncs.count;
	int ret;

	job = tessera_bind_job_create(bind, file->client_id);
	if (IS_ERR(job))
		return PTR_ERR(job);
	ret = -ENOMEM;
	syncs = kvcalloc(count, sizeof(*syncs), GFP_KERNEL);
	sig = kvcalloc(count, sizeof(*sig), GFP_KERNEL);
	if (count && (!syncs || !sig))
		goto err;
	ret = tessera_copy_array(drm, "VM_BIND syncs", syncs, sizeof(*syncs),
				 TESSERA_SYNC_SIZE_V1, DRM_TESSERA_MAX_SYNCS,
				 args->syncs.stride, count, args->syncs.ptr);
	if (ret)
		goto err;
	ret = tessera_bind_syncs(drm, file, &job->base, syncs, count, sig, &nsig);
	if (ret)
		goto err;

	fence = tessera_bind_job_push(job);
	tessera_signals_install(sig, nsig, fence);
	dma_fence_put(fence);
	tessera_bind_signals_put(sig, nsig);
	kvfree(sig);
	kvfree(syncs);
	return 0;

err:
	tessera_bind_signals_put(sig, nsig);
	kvfree(sig);
	kvfree(syncs);
	tessera_bind_job_abort(job);
	return ret;
}

static u64 tessera_bind_prot(const struct tessera_gpuvm *vm, u32 flags)
{
	u64 prot = 0;

	if (flags & DRM_TESSERA_BIND_READ)
		prot |= TESSERA_PTE_READ;
	if (flags & DRM_TESSERA_BIND_WRITE)
		prot |= TESSERA_PTE_WRITE;
	/* Without the hardware's EXEC check, READ allows fetch. */
	if (flags & DRM_TESSERA_BIND_EXEC && vm->exec_perm)
		prot |= TESSERA_PTE_EXEC;
	return prot;
}

int tessera_ioctl_vm_bind(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_vm_bind *args = data;
	struct drm_tessera_vm_bind_op *ops = NULL;
	struct drm_gem_object **objs = NULL;
	struct tessera_bind *bind = NULL;
	struct tessera_gpuvm *vm;
	u32 i, count = args->ops.count;
	int ret;

	args->ops_done = 0;
	if (args->pad) {
		drm_dbg(drm, "VM_BIND: non-zero pad\n");
		return -EINVAL;
	}
	if (args->flags & ~DRM_TESSERA_VM_BIND_ASYNC) {
		drm_dbg(drm, "VM_BIND: unknown flags %#x\n", args->flags);
		return -EINVAL;
	}
	if (!(args->flags & DRM_TESSERA_VM_BIND_ASYNC) && args->syncs.count) {
		drm_dbg(drm, "VM_BIND: syncs without DRM_TESSERA_VM_BIND_ASYNC\n");
		return -EINVAL;
	}
	vm = tessera_file_vm_get(tfile, args->vm_id);
	if (!vm) {
		drm_dbg(drm, "VM_BIND: no VM %u\n", args->vm_id);
		return -ENOENT;
	}
	if (!count) {
		ret = 0;
		goto out;
	}
	ret = -ENOMEM;
	ops = kvcalloc(count, sizeof(*ops), GFP_KERNEL);
	objs = kvcalloc(count, sizeof(*objs), GFP_KERNEL);
	if (!ops || !objs)
		goto out;
	ret = tessera_copy_array(drm, "VM_BIND ops", ops, sizeof(*ops),
				 TESSERA_BIND_OP_SIZE_V1, DRM_TESSERA_MAX_BIND_OPS,
				 args->ops.stride, count, args->ops.ptr);
	if (ret)
		goto out;
	for (i = 0; i < count; i++) {
		ret = tessera_bind_op_check(drm, file, i, &ops[i], &objs[i]);
		if (ret)
			goto out;
	}
	ret = tessera_bind_ops_overlap(drm, ops, count);
	if (ret)
		goto out;

	ret = -ENOMEM;
	bind = tessera_bind_alloc(vm, count);
	if (!bind)
		goto out;
	for (i = 0; i < count; i++) {
		bool map = ops[i].op == DRM_TESSERA_BIND_OP_MAP;

		/* The bind owns the buffer reference from here on. */
		ret = tessera_bind_add(bind, map, objs[i], ops[i].bo_offset, ops[i].va,
				       ops[i].size, tessera_bind_prot(vm, ops[i].flags));
		objs[i] = NULL;
		if (ret) {
			tessera_bind_finish(bind);
			goto out;
		}
	}
	if (args->flags & DRM_TESSERA_VM_BIND_ASYNC) {
		ret = tessera_bind_async(drm, file, bind, args);
		if (!ret)
			args->ops_done = count;
	} else {
		ret = tessera_bind_sync(bind, &args->ops_done);
	}
out:
	if (objs) {
		for (i = 0; i < count; i++)
			if (objs[i])
				drm_gem_object_put(objs[i]);
	}
	kvfree(objs);
	kvfree(ops);
	tessera_gpuvm_put(vm);
	return ret;
}

int tessera_ioctl_vm_status(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_tessera_vm_status *args = data;
	struct tessera_gpuvm *vm;
	struct tessera_ctx_fault f;

	vm = tessera_file_vm_get(file->driver_priv, args->vm_id);
	if (!vm) {
		drm_dbg(drm, "VM_STATUS: no VM %u\n", args->vm_id);
		return -ENOENT;
	}
	tessera_gpuvm_fault(vm, &f);
	tessera_gpuvm_put(vm);
	args->flags = (f.count ? DRM_TESSERA_VM_GUILTY : 0) |
		      (f.banned ? DRM_TESSERA_VM_BANNED | DRM_TESSERA_VM_GUILTY : 0);
	args->fault_count = f.count;
	args->fault_code = f.code;
	args->fault_va = f.va;
	args->fault_access = f.access;
	args->fault_engine = f.ring;
	return 0;
}

static const enum drm_sched_priority tessera_vm_queue_priority[] = {
	[DRM_TESSERA_QUEUE_PRIORITY_LOW] = DRM_SCHED_PRIORITY_LOW,
	[DRM_TESSERA_QUEUE_PRIORITY_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_TESSERA_QUEUE_PRIORITY_HIGH] = DRM_SCHED_PRIORITY_HIGH,
};

int tessera_ioctl_queue_create2(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_device *tdev = to_tessera(drm);
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_queue_create *args = data;
	struct tessera_vm_queue *q;
	u32 i, n = 0, id;
	int ret;

	if (args->flags || args->priority >= ARRAY_SIZE(tessera_vm_queue_priority) ||
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
	q->vm = tessera_file_vm_get(tfile, args->vm_id);
	if (!q->vm) {
		drm_dbg(drm, "QUEUE_CREATE: no VM %u\n", args->vm_id);
		kfree(q);
		return -ENOENT;
	}
	kref_init(&q->ref);
	mutex_init(&q->submit_lock);
	INIT_WORK(&q->destroy_work, tessera_vm_queue_destroy_work);
	for (i = 0; i < tdev->num_rings; i++)
		if (tdev->rings[i].engine_class == args->engine_class &&
		    (args->engine == DRM_TESSERA_ENGINE_ANY || args->engine == i))
			q->scheds[n++] = &tdev->rings[i].sched;
	ret = -EINVAL;
	if (!n)
		drm_dbg(drm, "QUEUE_CREATE: no engine of class %u\n", args->engine_class);
	else
		ret = drm_sched_entity_init(&q->entity,
					    tessera_vm_queue_priority[args->priority], q->scheds,
					    n, NULL);
	if (ret) {
		mutex_destroy(&q->submit_lock);
		tessera_gpuvm_put(q->vm);
		kfree(q);
		return ret;
	}
	ret = xa_alloc(&tfile->vm_queues, &id, q, XA_LIMIT(1, TESSERA_VM_QUEUES_MAX),
		       GFP_KERNEL);
	if (ret) {
		tessera_vm_queue_put(q);
		if (ret == -EBUSY)
			drm_dbg(drm, "QUEUE_CREATE: the file has %u queues\n",
				TESSERA_VM_QUEUES_MAX);
		return ret == -EBUSY ? -EMFILE : ret;
	}
	args->queue_id = id;
	return 0;
}

static struct tessera_vm_queue *tessera_vm_queue_get(struct tessera_file *tfile, u32 id)
{
	struct tessera_vm_queue *q;

	xa_lock(&tfile->vm_queues);
	q = xa_load(&tfile->vm_queues, id);
	if (q && !kref_get_unless_zero(&q->ref))
		q = NULL;
	xa_unlock(&tfile->vm_queues);
	return q;
}

int tessera_ioctl_submit2(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_submit *args = data;
	struct tessera_bind_signal *sig = NULL;
	struct drm_tessera_sync *syncs = NULL;
	u32 nsig = 0, count = args->syncs.count;
	struct tessera_vm_queue *q;
	struct tessera_ctx_fault f;
	struct dma_fence *fence;
	struct tessera_job *job;
	int ret;

	if (args->flags || args->pad) {
		drm_dbg(drm, "SUBMIT: flags %#x, pad %u\n", args->flags, args->pad);
		return -EINVAL;
	}
	if (!args->cmd_size || args->cmd_size % 4 || args->cmd_size > TESSERA_CMD_SIZE_MAX ||
	    args->cmd_va % 4) {
		drm_dbg(drm, "SUBMIT: %u bytes of commands at %#llx\n", args->cmd_size,
			args->cmd_va);
		return -EINVAL;
	}
	if (args->bos.count) {
		/* TRANSITIONAL: implicit sync comes with the switch (NOTES-vm-bind.md). */
		drm_dbg(drm, "SUBMIT: implicit-sync buffers are not supported yet\n");
		return -EINVAL;
	}
	q = tessera_vm_queue_get(tfile, args->queue_id);
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
	syncs = kvcalloc(count, sizeof(*syncs), GFP_KERNEL);
	sig = kvcalloc(count, sizeof(*sig), GFP_KERNEL);
	if (count && (!syncs || !sig))
		goto out;
	ret = tessera_copy_array(drm, "SUBMIT syncs", syncs, sizeof(*syncs),
				 TESSERA_SYNC_SIZE_V1, DRM_TESSERA_MAX_SYNCS,
				 args->syncs.stride, count, args->syncs.ptr);
	if (ret)
		goto out;
	job = tessera_gpuvm_job_create(q->vm, &q->entity, tfile->stats, file->client_id,
				       args->cmd_va, args->cmd_size);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto out;
	}
	ret = tessera_bind_syncs(drm, file, &job->base, syncs, count, sig, &nsig);
	if (ret) {
		tessera_gpuvm_job_abort(job);
		goto out;
	}
	fence = tessera_gpuvm_job_push(job, &q->submit_lock, &args->seqno);
	if (IS_ERR(fence)) {
		ret = PTR_ERR(fence);
		goto out;
	}
	tessera_signals_install(sig, nsig, fence);
	dma_fence_put(fence);
	ret = 0;
out:
	tessera_bind_signals_put(sig, nsig);
	kvfree(sig);
	kvfree(syncs);
out_queue:
	tessera_vm_queue_put(q);
	return ret;
}
