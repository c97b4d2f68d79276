// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: buffer objects.
 *
 * Host-memory buffers are shmem GEM objects, CPU-mapped write-back cached.
 * Each is pinned and mapped at creation into its file's device address
 * space, at a VA reported to userspace, and unmapped (with the device's
 * TLB flushed) before its pages are released.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/sizes.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/tessera_accel.h>

#include "tessera_drv.h"

#define TESSERA_BO_SIZE_MAX	SZ_4G

/**
 * struct tessera_bo - a buffer object
 */
struct tessera_bo {
	/** @base: the shmem object */
	struct drm_gem_shmem_object base;
	/** @vm: the context it is mapped in (referenced), or NULL */
	struct tessera_vm *vm;
	/** @va: its range in @vm */
	struct drm_mm_node va;
	/** @mapped: the range is in @vm's page tables */
	bool mapped;
};

static struct tessera_bo *to_tessera_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct tessera_bo, base);
}

static void tessera_bo_free(struct drm_gem_object *obj)
{
	struct tessera_bo *bo = to_tessera_bo(obj);

	if (bo->vm) {
		/* The device stops using the pages before they go away. */
		if (bo->mapped)
			tessera_vm_unmap(bo->vm, bo->va.start, bo->va.size);
		tessera_vm_free_va(bo->vm, &bo->va);
		tessera_vm_put(bo->vm);
	}
	drm_gem_shmem_free(&bo->base);
}

/**
 * tessera_bo_va - device VA of a buffer in a context
 * @obj: the buffer
 * @vm: the context
 *
 * Return: the VA, or 0 if the buffer is not mapped in @vm.
 */
u64 tessera_bo_va(struct drm_gem_object *obj, struct tessera_vm *vm)
{
	struct tessera_bo *bo = to_tessera_bo(obj);

	return bo->vm == vm && bo->mapped ? bo->va.start : 0;
}

/* For fdinfo's drm-resident-*: pages are held while mapped or pinned. */
static enum drm_gem_object_status tessera_gem_status(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return READ_ONCE(shmem->pages) ? DRM_GEM_OBJECT_RESIDENT : 0;
}

static const struct drm_gem_object_funcs tessera_gem_funcs = {
	.free = tessera_bo_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.status = tessera_gem_status,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *tessera_gem_create_object(struct drm_device *drm, size_t size)
{
	struct tessera_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &tessera_gem_funcs;
	return &bo->base.base;
}

/* Pin the pages and map them into @vm. */
static int tessera_bo_map_vm(struct tessera_bo *bo, struct tessera_vm *vm)
{
	struct sg_table *sgt;
	int ret;

	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);

	kref_get(&vm->ref);
	bo->vm = vm;
	ret = tessera_vm_alloc_va(vm, &bo->va, bo->base.base.size);
	if (ret)
		return ret == -ENOSPC ? -ENOMEM : ret;
	ret = tessera_vm_map_sgt(vm, bo->va.start, sgt, TESSERA_PTE_READ | TESSERA_PTE_WRITE);
	if (ret)
		return ret;
	bo->mapped = true;
	return 0;
}

int tessera_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct tessera_bo *bo;
	u32 handle;
	u64 size;
	int ret;

	if (args->flags & ~DRM_TESSERA_BO_FLAGS_VALID)
		return -EINVAL;
	if (!args->size || args->size > TESSERA_BO_SIZE_MAX)
		return -EINVAL;
	size = PAGE_ALIGN(args->size);

	shmem = drm_gem_shmem_create(drm, size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	bo = to_tessera_bo(&shmem->base);

	ret = tessera_bo_map_vm(bo, tfile->vm);
	if (ret) {
		drm_gem_object_put(&shmem->base);
		return ret;
	}

	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	/* The handle, if any, holds the reference from now on. */
	drm_gem_object_put(&shmem->base);
	if (ret)
		return ret;

	args->size = size;
	args->handle = handle;
	args->va = bo->va.start;
	return 0;
}

int tessera_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_bo_info *args = data;
	struct drm_gem_object *obj;
	int ret;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	ret = drm_gem_create_mmap_offset(obj);
	if (!ret) {
		args->flags = 0;
		args->size = obj->size;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
		args->va = tessera_bo_va(obj, tfile->vm);
	}
	drm_gem_object_put(obj);
	return ret;
}
