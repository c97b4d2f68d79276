// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: the VM ioctls (VM_CREATE, VM_DESTROY, VM_BIND,
 * VM_STATUS) on the VM core of tessera_vm.c.
 *
 * Every input is checked before anything is allocated or applied, and
 * every rejection says why at drm.debug level.
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

#include <drm/tessera_accel.h>
#include "tessera_drv.h"
#include "tessera_job.h"
#include "tessera_vm.h"

/* First-version size of struct drm_tessera_vm_bind_op in VM_BIND's array. */
#define TESSERA_BIND_OP_SIZE_V1	40

static_assert(sizeof(struct drm_tessera_vm_bind_op) == TESSERA_BIND_OP_SIZE_V1);
static_assert(sizeof(struct drm_tessera_sync) == TESSERA_SYNC_SIZE_V1);

/**
 * tessera_file_vms_init - the file's VM ids, none yet
 * @tfile: the file
 */
void tessera_file_vms_init(struct tessera_file *tfile)
{
	xa_init_flags(&tfile->vms, XA_FLAGS_ALLOC1);
}

/**
 * tessera_file_vms_fini - drop every VM id of a closing file
 * @tfile: the file
 *
 * Never waits: each VM is torn down once its jobs are done.
 */
void tessera_file_vms_fini(struct tessera_file *tfile)
{
	struct tessera_gpuvm *vm;
	unsigned long id;

	xa_for_each(&tfile->vms, id, vm) {
		xa_erase(&tfile->vms, id);
		tessera_gpuvm_user_put(vm);
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
 * tessera_file_vm_get_user - look a VM id up for a new user (a queue)
 * @tfile: the file
 * @id: the VM id
 *
 * Return: the VM with a reference and a user count (drop both), or NULL.
 */
struct tessera_gpuvm *tessera_file_vm_get_user(struct tessera_file *tfile, u32 id)
{
	struct tessera_gpuvm *vm;

	xa_lock(&tfile->vms);
	vm = xa_load(&tfile->vms, id);
	/* Listed: the id's user count is there, so it cannot be zero. */
	if (vm && tessera_gpuvm_user_get(vm))
		drm_gpuvm_get(&vm->base);
	else
		vm = NULL;
	xa_unlock(&tfile->vms);
	return vm;
}

/**
 * tessera_file_vms_show - list a file's VMs and their bindings, for debugfs
 * @m: output
 * @tfile: the file
 *
 * One line per VM ("  vm ID asid N faults N pages 4k N 2m N tables N"; asid
 * 0 while it has none), then one per binding ("    bind VA size SIZE
 * offset OFF prot rwx host|device [wc] [imported|exported]").
 */
void tessera_file_vms_show(struct seq_file *m, struct tessera_file *tfile)
{
	unsigned long id = 0;

	for (;; id++) {
		struct tessera_ctx_fault f;
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
		tessera_gpuvm_fault(vm, &f);
		mutex_lock(&vm->lock);
		seq_printf(m, "  vm %lu asid %u faults %u pages 4k %llu 2m %llu tables %llu\n",
			   id, READ_ONCE(vm->asid), f.count, vm->pgt.pages_4k, vm->pgt.pages_2m,
			   vm->pgt.tables);
		drm_gpuvm_for_each_va(va, &vm->base) {
			u64 prot = container_of(va, struct tessera_vma, base)->prot;

			seq_printf(m, "    bind %#014llx size %#llx offset %#llx prot %c%c%c",
				   va->va.addr, va->va.range, va->gem.offset,
				   prot & TESSERA_PTE_READ ? 'r' : '-',
				   prot & TESSERA_PTE_WRITE ? 'w' : '-',
				   prot & TESSERA_PTE_EXEC ? 'x' : '-');
			tessera_bo_describe(m, va->gem.obj);
			seq_putc(m, '\n');
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
	/* The VM lives on while queues created on it do. */
	tessera_gpuvm_user_put(vm);
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

/*
 * Queue @bind with the call's syncs, or apply it now if nothing is ahead
 * of it (@done then says how many ops were applied); consumes @bind.
 */
static int tessera_bind_async(struct drm_device *drm, struct drm_file *file,
			      struct tessera_bind *bind, const struct drm_tessera_vm_bind *args,
			      u32 *done)
{
	struct tessera_signal *sig = NULL;
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
	ret = tessera_syncs_add(drm, file, &job->base, syncs, count, false, sig, &nsig);
	if (ret)
		goto err;

	if (tessera_bind_job_run_now(job, &ret, done)) {
		/* Applied: its signals get a signalled fence; an error is the ioctl's. */
		if (ret)
			drm_dbg(drm, "VM_BIND: op %u failed: %d\n", *done, ret);
		fence = dma_fence_get_stub();
		if (!ret)
			tessera_signals_install(sig, nsig, fence);
		dma_fence_put(fence);
		goto out;
	}
	*done = bind->count;
	fence = tessera_bind_job_push(job);
	tessera_signals_install(sig, nsig, fence);
	dma_fence_put(fence);
out:
	tessera_signals_put(sig, nsig);
	kvfree(sig);
	kvfree(syncs);
	return ret;

err:
	tessera_signals_put(sig, nsig);
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
	/* Before anything is allocated for them. */
	if (count > DRM_TESSERA_MAX_BIND_OPS || args->syncs.count > DRM_TESSERA_MAX_SYNCS) {
		drm_dbg(drm, "VM_BIND: %u ops, %u syncs\n", count, args->syncs.count);
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
	if (args->flags & DRM_TESSERA_VM_BIND_ASYNC)
		ret = tessera_bind_async(drm, file, bind, args, &args->ops_done);
	else
		ret = tessera_bind_sync(bind, &args->ops_done);
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
