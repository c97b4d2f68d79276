// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: buffer objects.
 *
 * Host-memory buffers are shmem GEM objects, CPU-mapped write-back cached.
 * Each is pinned and mapped at creation into its file's device address
 * space, at a VA reported to userspace.  A buffer shared by dma-buf is
 * mapped into each importing file's context too, on first use; a
 * file's mapping goes when it closes its handle (after the jobs using the
 * buffer are done), and every mapping is removed, with the device's TLB
 * flushed, before the pages are released.  Buffers from other devices are
 * imported through their exporter's scatter-gather table.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/dma-resv.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pm_runtime.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/tessera_accel.h>

#include "tessera_drv.h"

#define TESSERA_BO_SIZE_MAX	SZ_4G

/**
 * struct tessera_bo_mapping - a buffer's mapping in one context
 */
struct tessera_bo_mapping {
	/** @link: in the buffer's mapping list */
	struct list_head link;
	/** @vm: the context (referenced) */
	struct tessera_vm *vm;
	/** @bo: the buffer */
	struct tessera_bo *bo;
	/** @va: the range in @vm */
	struct drm_mm_node va;
};

/**
 * struct tessera_bo - a buffer object
 */
struct tessera_bo {
	/** @base: the shmem object */
	struct drm_gem_shmem_object base;
	/** @lock: protects @mappings */
	struct mutex lock;
	/**
	 * @mappings: the contexts the buffer is mapped in: its creator's,
	 * and those of files that imported it
	 */
	struct list_head mappings;
	/** @devmem: the buffer is in device memory; @base's shmem is unused */
	bool devmem;
	/** @blocks: with @devmem, its device memory (buddy blocks) */
	struct list_head blocks;
};

static struct tessera_bo *to_tessera_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct tessera_bo, base);
}

/* Unmap, flushing the context's TLB, so the device is done with the pages. */
static void tessera_bo_unmap(struct tessera_bo_mapping *m)
{
	if (drm_mm_node_allocated(&m->va))
		tessera_vm_unmap(m->vm, m->va.start, m->va.size);
	tessera_vm_free_va(m->vm, &m->va);
	tessera_vm_put(m->vm);
	kfree(m);
}

static void tessera_bo_free(struct drm_gem_object *obj)
{
	struct tessera_bo *bo = to_tessera_bo(obj);
	struct tessera_bo_mapping *m, *tmp;

	list_for_each_entry_safe(m, tmp, &bo->mappings, link)
		tessera_bo_unmap(m);
	mutex_destroy(&bo->lock);
	if (bo->devmem) {
		struct tessera_device *tdev = to_tessera(obj->dev);

		mutex_lock(&tdev->hbm_lock);
		tessera_buddy_free_list(&tdev->hbm_mm, &bo->blocks, 0);
		mutex_unlock(&tdev->hbm_lock);
		drm_gem_object_release(obj);
		kfree(bo);
		return;
	}
	drm_gem_shmem_free(&bo->base);
}

/*
 * A file closes its handle: its context stops seeing the buffer once the
 * jobs that declared the buffer (or run from it) are done.
 */
static void tessera_bo_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct tessera_bo *bo = to_tessera_bo(obj);
	struct tessera_bo_mapping *m, *found = NULL;

	dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, false, 30 * HZ);
	mutex_lock(&bo->lock);
	list_for_each_entry(m, &bo->mappings, link) {
		if (m->vm == tfile->vm) {
			list_del(&m->link);
			found = m;
			break;
		}
	}
	mutex_unlock(&bo->lock);
	if (found)
		tessera_bo_unmap(found);
}

/* The pages as the device sees them: ours, or an importer's mapping. */
static struct sg_table *tessera_bo_sgt(struct tessera_bo *bo)
{
	if (bo->base.base.import_attach)
		return bo->base.sgt;
	return drm_gem_shmem_get_pages_sgt(&bo->base);
}

/**
 * tessera_bo_va - device VA of a buffer in a context, mapping it if needed
 * @obj: the buffer
 * @vm: the context
 * @va: the VA
 *
 * Return: 0, or a negative errno (-ENOMEM when the VA space or memory for
 * page tables runs out).
 */
int tessera_bo_va(struct drm_gem_object *obj, struct tessera_vm *vm, u64 *va)
{
	struct tessera_bo *bo = to_tessera_bo(obj);
	struct tessera_bo_mapping *m;
	struct sg_table *sgt;
	int ret;

	mutex_lock(&bo->lock);
	list_for_each_entry(m, &bo->mappings, link) {
		if (m->vm == vm) {
			*va = m->va.start;
			mutex_unlock(&bo->lock);
			return 0;
		}
	}

	sgt = bo->devmem ? NULL : tessera_bo_sgt(bo);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto out;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		ret = -ENOMEM;
		goto out;
	}
	kref_get(&vm->ref);
	m->vm = vm;
	m->bo = bo;
	ret = tessera_vm_alloc_va(vm, &m->va, obj->size);
	if (ret) {
		ret = ret == -ENOSPC ? -ENOMEM : ret;
		goto err_map;
	}
	if (bo->devmem)
		ret = tessera_vm_map_devmem(vm, m->va.start, &bo->blocks,
					    TESSERA_PTE_READ | TESSERA_PTE_WRITE);
	else
		ret = tessera_vm_map_sgt(vm, m->va.start, sgt,
					 TESSERA_PTE_READ | TESSERA_PTE_WRITE);
	if (ret) {
		tessera_vm_free_va(vm, &m->va);
		goto err_map;
	}
	list_add_tail(&m->link, &bo->mappings);
	*va = m->va.start;
	mutex_unlock(&bo->lock);
	return 0;

err_map:
	tessera_vm_put(vm);
	kfree(m);
out:
	mutex_unlock(&bo->lock);
	return ret;
}

/* For fdinfo's drm-resident-*: pages are held while mapped or pinned. */
static enum drm_gem_object_status tessera_gem_status(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return READ_ONCE(shmem->pages) ? DRM_GEM_OBJECT_RESIDENT : 0;
}

static const struct drm_gem_object_funcs tessera_gem_funcs = {
	.free = tessera_bo_free,
	.close = tessera_bo_close,
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

/* CPU mappings of device memory go through BAR2, write-combined. */
static int tessera_hbm_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct tessera_device *tdev = to_tessera(obj->dev);
	struct tessera_bo *bo = to_tessera_bo(obj);
	struct tessera_buddy_block *block;
	unsigned long addr = vma->vm_start, pfn;
	int ret;

	vma->vm_pgoff -= drm_vma_node_start(&obj->vma_node);
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > obj->size)
		return -EINVAL;
	/* BAR2 does not decode in D3hot: the card stays awake while mapped. */
	ret = tessera_pm_get(tdev);
	if (ret)
		return ret;
	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));

	list_for_each_entry(block, &bo->blocks, link) {
		u64 size = tessera_buddy_block_size(&tdev->hbm_mm, block);

		size = min_t(u64, size, vma->vm_end - addr);
		if (!size)
			break;
		pfn = (tdev->hbm_bar + tessera_buddy_block_offset(block)) >> PAGE_SHIFT;
		ret = remap_pfn_range(vma, addr, pfn, size, vma->vm_page_prot);
		if (ret) {
			tessera_pm_put(tdev);
			return ret;
		}
		addr += size;
	}
	return 0;
}

/* A copy of a BAR2 mapping (fork, split) keeps the card awake too. */
static void tessera_hbm_vm_open(struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = vma->vm_private_data;

	pm_runtime_get_noresume(obj->dev->dev);
	drm_gem_vm_open(vma);
}

static void tessera_hbm_vm_close(struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = vma->vm_private_data;
	struct tessera_device *tdev = to_tessera(obj->dev);

	drm_gem_vm_close(vma);
	tessera_pm_put(tdev);
}

static enum drm_gem_object_status tessera_hbm_status(struct drm_gem_object *obj)
{
	return DRM_GEM_OBJECT_RESIDENT;
}

static struct dma_buf *tessera_hbm_export(struct drm_gem_object *obj, int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static const struct vm_operations_struct tessera_hbm_vm_ops = {
	.open = tessera_hbm_vm_open,
	.close = tessera_hbm_vm_close,
};

static const struct drm_gem_object_funcs tessera_hbm_funcs = {
	.free = tessera_bo_free,
	.close = tessera_bo_close,
	.mmap = tessera_hbm_mmap,
	.export = tessera_hbm_export,
	.status = tessera_hbm_status,
	.vm_ops = &tessera_hbm_vm_ops,
};

static void tessera_hbm_fini(struct drm_device *drm, void *unused)
{
	struct tessera_device *tdev = to_tessera(drm);

	tessera_buddy_fini(&tdev->hbm_mm);
	mutex_destroy(&tdev->hbm_lock);
}

/**
 * tessera_hbm_init - set up the device-memory allocator and BAR2
 * @tdev: the device; a card without device memory is fine
 *
 * Return: 0 or a negative errno.
 */
int tessera_hbm_init(struct tessera_device *tdev)
{
	struct pci_dev *pdev = tdev->pdev;
	int ret;

	if (!tdev->hbm_size || !(tessera_read(tdev, TESSERA_REG_CAPS) & TESSERA_CAP_HBM))
		return 0;
	if (pci_resource_len(pdev, TESSERA_BAR_HBM) < tdev->hbm_size) {
		drm_err(&tdev->drm, "BAR2 smaller than device memory\n");
		return -ENODEV;
	}
	tdev->hbm_bar = pci_resource_start(pdev, TESSERA_BAR_HBM);
	tdev->hbm_map = devm_ioremap_wc(&pdev->dev, tdev->hbm_bar, tdev->hbm_size);
	if (!tdev->hbm_map)
		return -ENOMEM;
	mutex_init(&tdev->hbm_lock);
	ret = tessera_buddy_init(&tdev->hbm_mm, tdev->hbm_size, SZ_4K);
	if (ret)
		return ret;
	tdev->hbm_ready = true;
	return drmm_add_action_or_reset(&tdev->drm, tessera_hbm_fini, NULL);
}

/* A zeroed buffer in device memory. */
static struct drm_gem_object *tessera_hbm_create(struct tessera_device *tdev, u64 size)
{
	struct tessera_buddy_block *block;
	struct tessera_bo *bo;
	int ret, idx;

	if (!tdev->hbm_ready)
		return ERR_PTR(-EINVAL);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->devmem = true;
	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->mappings);
	INIT_LIST_HEAD(&bo->blocks);
	bo->base.base.funcs = &tessera_hbm_funcs;
	drm_gem_private_object_init(&tdev->drm, &bo->base.base, size);

	mutex_lock(&tdev->hbm_lock);
	ret = tessera_buddy_alloc_blocks(&tdev->hbm_mm, 0, tdev->hbm_size, size, SZ_4K,
					 &bo->blocks, 0);
	mutex_unlock(&tdev->hbm_lock);
	if (ret) {
		drm_gem_object_put(&bo->base.base);
		return ERR_PTR(ret == -ENOSPC ? -ENOMEM : ret);
	}

	/* Not during a PCI reset: BAR2 does not decode, the clear would be lost. */
	if (!tessera_hw_enter(tdev, &idx)) {
		drm_gem_object_put(&bo->base.base);
		return ERR_PTR(-ENODEV);
	}
	list_for_each_entry(block, &bo->blocks, link)
		memset_io(tdev->hbm_map + tessera_buddy_block_offset(block), 0,
			  tessera_buddy_block_size(&tdev->hbm_mm, block));
	tessera_hw_exit(tdev, idx);
	return &bo->base.base;
}

struct drm_gem_object *tessera_gem_create_object(struct drm_device *drm, size_t size)
{
	struct tessera_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &tessera_gem_funcs;
	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->mappings);
	return &bo->base.base;
}

/**
 * tessera_vm_show - list a context's mappings, for debugfs
 * @m: output
 * @vm: the context
 */
void tessera_vm_show(struct seq_file *m, struct tessera_vm *vm)
{
	struct drm_mm_node *node;

	mutex_lock(&vm->lock);
	drm_mm_for_each_node(node, &vm->mm) {
		struct tessera_bo_mapping *map = container_of(node, struct tessera_bo_mapping, va);
		struct drm_gem_object *obj = &map->bo->base.base;

		seq_printf(m, "  va %#014llx size %#llx %s%s%s\n", node->start, node->size,
			   map->bo->devmem ? "device" : "host",
			   map->bo->base.map_wc ? " wc" : "",
			   obj->import_attach ? " imported" :
			   obj->dma_buf ? " exported" : "");
	}
	mutex_unlock(&vm->lock);
}

int tessera_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;
	struct drm_tessera_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	u32 handle;
	u64 size, va;
	int ret;

	if (args->flags & ~DRM_TESSERA_BO_FLAGS_VALID)
		return -EINVAL;
	if (!args->size || args->size > TESSERA_BO_SIZE_MAX)
		return -EINVAL;
	size = PAGE_ALIGN(args->size);

	if (args->flags & DRM_TESSERA_BO_DEVICE_MEM) {
		obj = tessera_hbm_create(to_tessera(drm), size);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
	} else {
		shmem = drm_gem_shmem_create(drm, size);
		if (IS_ERR(shmem))
			return PTR_ERR(shmem);
		shmem->map_wc = args->flags & DRM_TESSERA_BO_WC;
		obj = &shmem->base;
	}

	ret = tessera_bo_va(obj, tfile->vm, &va);
	if (ret) {
		drm_gem_object_put(obj);
		return ret;
	}

	ret = drm_gem_handle_create(file, obj, &handle);
	/* The handle, if any, holds the reference from now on. */
	drm_gem_object_put(obj);
	if (ret)
		return ret;

	args->size = size;
	args->handle = handle;
	args->va = va;
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

	/* A buffer imported from another file is mapped on first query. */
	ret = tessera_bo_va(obj, tfile->vm, &args->va);
	if (!ret)
		ret = drm_gem_create_mmap_offset(obj);
	if (!ret) {
		struct tessera_bo *bo = to_tessera_bo(obj);

		args->flags = bo->devmem ? DRM_TESSERA_BO_DEVICE_MEM :
			      bo->base.map_wc ? DRM_TESSERA_BO_WC : 0;
		args->size = obj->size;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
	drm_gem_object_put(obj);
	return ret;
}

/**
 * tessera_show_memory_stats - fdinfo memory keys, per region
 * @p: output
 * @file: the client
 *
 * drm-total-system / drm-resident-system for host memory and drm-total-hbm /
 * drm-resident-hbm for device memory, each with drm-shared-*.
 */
void tessera_show_memory_stats(struct drm_printer *p, struct drm_file *file)
{
	struct drm_memory_stats stats[2] = { };
	struct drm_gem_object *obj;
	int id;

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id) {
		struct drm_memory_stats *s = &stats[to_tessera_bo(obj)->devmem];
		enum drm_gem_object_status status = obj->funcs->status(obj);

		if (obj->handle_count > 1)
			s->shared += obj->size;
		else
			s->private += obj->size;
		if (status & DRM_GEM_OBJECT_RESIDENT)
			s->resident += obj->size;
	}
	spin_unlock(&file->table_lock);

	drm_print_memory_stats(p, &stats[0], DRM_GEM_OBJECT_RESIDENT, "system");
	if (to_tessera(file->minor->dev)->hbm_ready)
		drm_print_memory_stats(p, &stats[1], DRM_GEM_OBJECT_RESIDENT, "hbm");
}
