// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: buffer objects.
 *
 * Host-memory buffers are shmem GEM objects, CPU-mapped write-back cached.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/sizes.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/tessera_accel.h>

#include "tessera_drv.h"

#define TESSERA_BO_SIZE_MAX	SZ_4G

/* For fdinfo's drm-resident-*: pages are held while mapped or pinned. */
static enum drm_gem_object_status tessera_gem_status(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return READ_ONCE(shmem->pages) ? DRM_GEM_OBJECT_RESIDENT : 0;
}

static const struct drm_gem_object_funcs tessera_gem_funcs = {
	.free = drm_gem_shmem_object_free,
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
	struct drm_gem_shmem_object *shmem;

	shmem = kzalloc(sizeof(*shmem), GFP_KERNEL);
	if (!shmem)
		return ERR_PTR(-ENOMEM);
	shmem->base.funcs = &tessera_gem_funcs;
	return &shmem->base;
}

int tessera_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_tessera_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
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

	ret = drm_gem_handle_create(file, &shmem->base, &handle);
	/* The handle, if any, holds the reference from now on. */
	drm_gem_object_put(&shmem->base);
	if (ret)
		return ret;

	args->size = size;
	args->handle = handle;
	return 0;
}

int tessera_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file)
{
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
	}
	drm_gem_object_put(obj);
	return ret;
}
