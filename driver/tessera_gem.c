// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: buffer objects.
 *
 * Host-memory buffers are shmem GEM objects, CPU-mapped write-back cached
 * (or write-combined on request); device-memory buffers are blocks of the
 * card's memory, CPU-mapped through BAR2.  A buffer is not visible to the
 * card until it is bound into a VM (tessera_vm.c): the first bind (or an
 * export) pins a host buffer's pages and DMA-maps them, and
 * each binding holds the buffer, so GEM_CLOSE never waits for the card.
 * Buffers from other devices are imported through their exporter's
 * scatter-gather table.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>
#include <drm/tessera_accel.h>

#include "tessera_drv.h"

#define TESSERA_BO_SIZE_MAX	SZ_4G

static unsigned int tessera_host_mem_percent = 50;
module_param_named(host_mem_percent, tessera_host_mem_percent, uint, 0644);
MODULE_PARM_DESC(host_mem_percent,
		 "Host memory all cards together may pin for buffers, in % of RAM (default 50)");

/*
 * Host memory pinned by buffers of every card, in pages.  Pinned pages
 * can be neither reclaimed nor swapped and show in no process's size, so
 * without a limit the OOM killer would pick some other process.  Pages are
 * also charged to the creator's memory cgroup (shmem does that at
 * allocation, and the mapping's __GFP_RETRY_MAYFAIL makes a cgroup at its
 * limit fail the allocation instead of killing a task).
 */
static atomic_long_t tessera_host_pinned;

/* Reserve @size bytes of the pin limit.  Return: 0 or -ENOMEM. */
static int tessera_host_pin(struct drm_device *drm, size_t size)
{
	unsigned long pages = size >> PAGE_SHIFT;
	unsigned long limit = totalram_pages() / 100 * READ_ONCE(tessera_host_mem_percent);

	if (atomic_long_add_return(pages, &tessera_host_pinned) > limit) {
		atomic_long_sub(pages, &tessera_host_pinned);
		drm_dbg(drm, "BO_CREATE: %zu more bytes would pin over %u%% of RAM\n", size,
			tessera_host_mem_percent);
		return -ENOMEM;
	}
	return 0;
}

static void tessera_host_unpin(size_t size)
{
	atomic_long_sub(size >> PAGE_SHIFT, &tessera_host_pinned);
}

/**
 * struct tessera_bo - a buffer object
 */
struct tessera_bo {
	/** @base: the shmem object */
	struct drm_gem_shmem_object base;
	/** @devmem: the buffer is in device memory; @base's shmem is unused */
	bool devmem;
	/** @pin_counted: a host buffer counted against the pin limit */
	bool pin_counted;
	/** @blocks: with @devmem, its device memory (buddy blocks) */
	struct list_head blocks;
	/**
	 * @dma_link: in tessera_device.dma_bos once the buffer's pages are
	 * DMA-mapped for the card (empty before), under dma_bos_lock
	 */
	struct list_head dma_link;
#ifdef TESSERA_HAVE_GEM_GPUVA_SET_LOCK
	/**
	 * @gpuva_lock: protects the buffer's drm_gpuvm_bo list (its
	 * bindings in VMs); never held across an allocation, so that bind
	 * jobs may take it on their fence-signalling path.  Since 7.x the
	 * GEM object's own gpuva.lock plays this part.
	 */
	struct mutex gpuva_lock;
#endif
};

static struct tessera_bo *to_tessera_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct tessera_bo, base);
}

/*
 * The gpuva lock is taken by bind jobs on their fence-signalling path:
 * tell lockdep that nothing may allocate under it.
 */
static void tessera_bo_gpuva_lock_init(struct tessera_bo *bo)
{
#ifdef TESSERA_HAVE_GEM_GPUVA_SET_LOCK
	mutex_init(&bo->gpuva_lock);
	drm_gem_gpuva_set_lock(&bo->base.base, &bo->gpuva_lock);
	if (IS_ENABLED(CONFIG_LOCKDEP)) {
		fs_reclaim_acquire(GFP_KERNEL);
		might_lock(&bo->gpuva_lock);
		fs_reclaim_release(GFP_KERNEL);
	}
#endif
	/* 7.x: drm_gem_private_object_init() sets up the object's own lock. */
}

static void tessera_bo_free(struct drm_gem_object *obj)
{
	struct tessera_bo *bo = to_tessera_bo(obj);

#ifdef TESSERA_HAVE_GEM_GPUVA_SET_LOCK
	mutex_destroy(&bo->gpuva_lock);
#endif
	if (bo->devmem) {
		struct tessera_device *tdev = to_tessera(obj->dev);

		tessera_devmem_free(tdev, &bo->blocks);
		drm_gem_object_release(obj);
		kfree(bo);
		return;
	}
	if (bo->pin_counted)
		tessera_host_unpin(obj->size);
	if (!list_empty_careful(&bo->dma_link)) {
		struct tessera_device *tdev = to_tessera(obj->dev);

		mutex_lock(&tdev->dma_bos_lock);
		list_del_init(&bo->dma_link);
		mutex_unlock(&tdev->dma_bos_lock);
	}
	drm_gem_shmem_free(&bo->base);
}

/* The pages as the device sees them: ours, or an importer's mapping. */
static struct sg_table *tessera_bo_sgt(struct tessera_bo *bo)
{
	struct tessera_device *tdev = to_tessera(bo->base.base.dev);
	struct sg_table *sgt;

	if (bo->base.base.import_attach)
		sgt = bo->base.sgt;
	else
		sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (!IS_ERR_OR_NULL(sgt)) {
		mutex_lock(&tdev->dma_bos_lock);
		if (list_empty(&bo->dma_link))
			list_add(&bo->dma_link, &tdev->dma_bos);
		mutex_unlock(&tdev->dma_bos_lock);
	}
	return sgt;
}

/**
 * tessera_gem_unplug - release every buffer's DMA mapping (remove)
 * @tdev: the device, unplugged and stopped (no DMA any more)
 *
 * Buffers outlive an unbound card while files hold them; their DMA
 * mappings must not (the DMA API tears the device's state down when the
 * driver lets go).  Everything that maps a buffer for the card (a bind,
 * an export) does so inside drm_dev_enter(), and drm_dev_unplug() has
 * waited for those to leave, so nothing maps one again; freeing a buffer
 * later finds no mapping to undo.
 */
void tessera_gem_unplug(struct tessera_device *tdev)
{
	struct tessera_bo *bo, *tmp;
	LIST_HEAD(held);

	/* A reference on each, so that none is freed meanwhile. */
	mutex_lock(&tdev->dma_bos_lock);
	list_for_each_entry_safe(bo, tmp, &tdev->dma_bos, dma_link)
		if (kref_get_unless_zero(&bo->base.base.refcount))
			list_move(&bo->dma_link, &held);
	mutex_unlock(&tdev->dma_bos_lock);

	list_for_each_entry_safe(bo, tmp, &held, dma_link) {
		struct drm_gem_shmem_object *shmem = &bo->base;
		struct dma_buf_attachment *attach = shmem->base.import_attach;

		mutex_lock(&tdev->dma_bos_lock);
		list_del_init(&bo->dma_link);
		mutex_unlock(&tdev->dma_bos_lock);
		if (attach) {
			/* The exporter's mapping, for this device. */
			if (shmem->sgt)
				dma_buf_unmap_attachment_unlocked(attach, shmem->sgt,
								  DMA_BIDIRECTIONAL);
			shmem->sgt = NULL;
		} else {
			dma_resv_lock(shmem->base.resv, NULL);
			if (shmem->sgt) {
				dma_unmap_sgtable(tdev->drm.dev, shmem->sgt, DMA_BIDIRECTIONAL, 0);
				sg_free_table(shmem->sgt);
				kfree(shmem->sgt);
				shmem->sgt = NULL;
			}
			dma_resv_unlock(shmem->base.resv);
		}
		drm_gem_object_put(&shmem->base);
	}
}

/*
 * A file gets a handle to the buffer: it can mmap() it from now on, so the
 * offset exists before BO_CREATE or BO_INFO report it (BO_INFO has no side
 * effect).  Nothing is mapped for the card: that is what VM_BIND does.
 */
static int tessera_bo_open(struct drm_gem_object *obj, struct drm_file *file)
{
	return drm_gem_create_mmap_offset(obj);
}

/*
 * Sharing a host buffer maps its pages for this card first.  An importer
 * (another card) maps the same pages for itself when it attaches, and the
 * DMA API allows overlapping mappings of one page only if the later ones
 * skip the CPU cache sync, as an attachment's mapping does but our own
 * (drm_gem_shmem_get_pages_sgt()) cannot: the owner's mapping must come
 * first.  Export pins the pages, as every importer's attachment would.
 */
static struct dma_buf *tessera_bo_export(struct drm_gem_object *obj, int flags)
{
	struct sg_table *sgt;
	int idx;

	/*
	 * Not once unplugged: tessera_gem_unplug() has let every mapping for
	 * the card go, and one made after it would outlive the device.  The
	 * ioctl's own unplugged check is not enough, as removal may start
	 * between it and here.
	 */
	if (!drm_dev_enter(obj->dev, &idx)) {
		drm_dbg(obj->dev, "export: the card is gone\n");
		return ERR_PTR(-ENODEV);
	}
	sgt = tessera_bo_sgt(to_tessera_bo(obj));
	drm_dev_exit(idx);
	if (IS_ERR(sgt)) {
		drm_dbg(obj->dev, "export: the buffer's pages cannot be mapped: %pe\n", sgt);
		return ERR_CAST(sgt);
	}
	return drm_gem_prime_export(obj, flags);
}

/* For fdinfo's drm-resident-*: pages are held while mapped or pinned. */
static enum drm_gem_object_status tessera_gem_status(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return READ_ONCE(shmem->pages) ? DRM_GEM_OBJECT_RESIDENT : 0;
}

static const struct drm_gem_object_funcs tessera_gem_funcs = {
	.free = tessera_bo_free,
	.open = tessera_bo_open,
	.export = tessera_bo_export,
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

/* Pages mapped around a faulting one, within its block: fewer faults. */
#define TESSERA_HBM_PREFAULT	16

/*
 * CPU mappings of device memory go through BAR2, write-combined (BAR2 is
 * ioremapped write-combined at probe, which sets its memory type).  Pages
 * are inserted at fault time rather than remapped at mmap: a range remapped
 * whole is tracked whole by x86 PAT, and a partial munmap then untracks a
 * range that was never reserved ("freeing invalid memtype").
 */
static int tessera_hbm_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct tessera_device *tdev = to_tessera(obj->dev);
	int ret, idx;

	vma->vm_pgoff -= drm_vma_node_start(&obj->vma_node);
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > obj->size) {
		drm_dbg(obj->dev, "mmap: device memory maps whole, from its start\n");
		return -EINVAL;
	}
	/* Copy-on-write (private and maybe writable) needs struct pages. */
	if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE) {
		drm_dbg(obj->dev, "mmap: device memory maps MAP_SHARED only\n");
		return -EINVAL;
	}
	/*
	 * Not after unplug: BAR2 may belong to another device by then.
	 * Mappings made before are zapped by drm_dev_unplug(), and their
	 * faults fail from then on.
	 */
	if (!drm_dev_enter(obj->dev, &idx))
		return -ENODEV;
	/* BAR2 does not decode in D3hot: the card stays awake while mapped. */
	ret = tessera_pm_get(tdev);
	drm_dev_exit(idx);
	if (ret)
		return ret;
	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = pgprot_writecombine(vm_get_page_prot(vma->vm_flags));
	return 0;
}

static vm_fault_t tessera_hbm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_gem_object *obj = vma->vm_private_data;
	struct tessera_device *tdev = to_tessera(obj->dev);
	struct tessera_bo *bo = to_tessera_bo(obj);
	struct tessera_buddy_block *block;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	unsigned long addr = vmf->address & PAGE_MASK;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	int idx, i;

	if (!drm_dev_enter(obj->dev, &idx))
		return VM_FAULT_SIGBUS;
	/* The blocks are fixed from BO_CREATE until the buffer is freed. */
	list_for_each_entry(block, &bo->blocks, link) {
		u64 size = tessera_buddy_block_size(&tdev->hbm_mm, block);
		unsigned long pfn;

		if (off >= size) {
			off -= size;
			continue;
		}
		pfn = (tdev->hbm_bar + tessera_buddy_block_offset(block) + off) >> PAGE_SHIFT;
		ret = vmf_insert_pfn(vma, addr, pfn);
		/* Its neighbours in the same block, best effort. */
		for (i = 1; i < TESSERA_HBM_PREFAULT && ret == VM_FAULT_NOPAGE; i++) {
			off += PAGE_SIZE;
			addr += PAGE_SIZE;
			if (off >= size || addr >= vma->vm_end)
				break;
			if (vmf_insert_pfn(vma, addr, ++pfn) != VM_FAULT_NOPAGE)
				break;
		}
		break;
	}
	drm_dev_exit(idx);
	return ret;
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
	.fault = tessera_hbm_fault,
	.open = tessera_hbm_vm_open,
	.close = tessera_hbm_vm_close,
};

static const struct drm_gem_object_funcs tessera_hbm_funcs = {
	.free = tessera_bo_free,
	.open = tessera_bo_open,
	.mmap = tessera_hbm_mmap,
	.export = tessera_hbm_export,
	.status = tessera_hbm_status,
	.vm_ops = &tessera_hbm_vm_ops,
};

/* A zeroed buffer in device memory. */
static struct drm_gem_object *tessera_hbm_create(struct tessera_device *tdev, u64 size)
{
	struct tessera_bo *bo;
	int ret;

	if (!tdev->hbm_ready) {
		drm_dbg(&tdev->drm, "BO_CREATE: the card has no device memory\n");
		return ERR_PTR(-EINVAL);
	}
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->devmem = true;
	tessera_bo_gpuva_lock_init(bo);
	INIT_LIST_HEAD(&bo->blocks);
	INIT_LIST_HEAD(&bo->dma_link);
	bo->base.base.funcs = &tessera_hbm_funcs;
	drm_gem_private_object_init(&tdev->drm, &bo->base.base, size);

	ret = tessera_devmem_alloc(tdev, size, &bo->blocks);
	if (ret) {
		drm_gem_object_put(&bo->base.base);
		return ERR_PTR(ret);
	}
	return &bo->base.base;
}

struct drm_gem_object *tessera_gem_create_object(struct drm_device *drm, size_t size)
{
	struct tessera_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &tessera_gem_funcs;
	tessera_bo_gpuva_lock_init(bo);
	INIT_LIST_HEAD(&bo->dma_link);
	return &bo->base.base;
}

/**
 * tessera_bo_create_kernel - a buffer without a handle, for the kernel
 * @tdev: the device
 * @size: bytes, a multiple of PAGE_SIZE
 * @devmem: in device memory, else host memory
 *
 * Not counted against the pin limit: for the driver's own use (the VM
 * self-test).
 *
 * Return: the buffer (one reference) or an ERR_PTR.
 */
struct drm_gem_object *tessera_bo_create_kernel(struct tessera_device *tdev, u64 size,
						bool devmem)
{
	struct drm_gem_shmem_object *shmem;

	if (devmem)
		return tessera_hbm_create(tdev, size);
	shmem = drm_gem_shmem_create(&tdev->drm, size);
	return IS_ERR(shmem) ? ERR_CAST(shmem) : &shmem->base;
}

int tessera_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct tessera_device *tdev = to_tessera(drm);
	struct drm_tessera_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	u32 handle;
	u64 size;
	int ret;

	if (args->flags & ~DRM_TESSERA_BO_FLAGS_VALID) {
		drm_dbg(drm, "BO_CREATE: unknown flags %#x\n", args->flags);
		return -EINVAL;
	}
	if (!args->size || args->size > TESSERA_BO_SIZE_MAX) {
		drm_dbg(drm, "BO_CREATE: size %llu not in 1..4 GiB\n", args->size);
		return -EINVAL;
	}
	size = PAGE_ALIGN(args->size);

	if (args->flags & DRM_TESSERA_BO_DEVICE_MEM) {
		if (tdev->hbm_ready && size > tdev->hbm_size) {
			drm_dbg(drm, "BO_CREATE: %llu bytes exceed device memory\n", size);
			return -ENOMEM;
		}
		obj = tessera_hbm_create(tdev, size);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
	} else {
		ret = tessera_host_pin(drm, size);
		if (ret)
			return ret;
		shmem = drm_gem_shmem_create(drm, size);
		if (IS_ERR(shmem)) {
			tessera_host_unpin(size);
			return PTR_ERR(shmem);
		}
		shmem->map_wc = args->flags & DRM_TESSERA_BO_WC;
		to_tessera_bo(&shmem->base)->pin_counted = true;
		obj = &shmem->base;
	}

	/* tessera_bo_open() gives it its mmap offset. */
	ret = drm_gem_handle_create(file, obj, &handle);
	if (!ret) {
		args->size = size;
		args->handle = handle;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
	/* The handle, if any, holds the buffer from now on. */
	drm_gem_object_put(obj);
	return ret;
}

int tessera_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_tessera_bo_info *args = data;
	struct drm_gem_object *obj;
	struct tessera_bo *bo;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj) {
		drm_dbg(drm, "BO_INFO: no handle %u\n", args->handle);
		return -ENOENT;
	}
	bo = to_tessera_bo(obj);
	args->flags = bo->devmem ? DRM_TESSERA_BO_DEVICE_MEM :
		      bo->base.map_wc ? DRM_TESSERA_BO_WC : 0;
	args->size = obj->size;
	/* Made when the handle was (tessera_bo_open()): reading it changes nothing. */
	args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return 0;
}

/**
 * tessera_bo_describe - what a buffer is, for debugfs
 * @m: output
 * @obj: a Tessera buffer
 *
 * Prints " device extents N" (N: the contiguous ranges of device memory
 * it is made of) or " host", then " wc" for a write-combined host buffer
 * and " imported" or " exported" for a shared one.
 */
void tessera_bo_describe(struct seq_file *m, struct drm_gem_object *obj)
{
	struct tessera_bo *bo = to_tessera_bo(obj);

	if (bo->devmem) {
		struct tessera_device *tdev = to_tessera(obj->dev);
		struct tessera_buddy_block *block;
		u64 end = U64_MAX;
		u32 extents = 0;

		/* The blocks are fixed from BO_CREATE until the buffer is freed. */
		list_for_each_entry(block, &bo->blocks, link) {
			u64 start = tessera_buddy_block_offset(block);

			extents += start != end;
			end = start + tessera_buddy_block_size(&tdev->hbm_mm, block);
		}
		seq_printf(m, " device extents %u", extents);
	} else {
		seq_puts(m, " host");
	}
	seq_printf(m, "%s%s", bo->base.map_wc ? " wc" : "",
		   obj->import_attach ? " imported" : obj->dma_buf ? " exported" : "");
}

/**
 * tessera_bo_gpuva_lock - the lock of a buffer's VM bindings
 * @obj: a Tessera buffer
 *
 * Return: the mutex to hold around drm_gpuva_link()/unlink() and
 * drm_gpuvm_bo_obtain_prealloc() on @obj.
 */
struct mutex *tessera_bo_gpuva_lock(struct drm_gem_object *obj)
{
#ifdef TESSERA_HAVE_GEM_GPUVA_SET_LOCK
	return &to_tessera_bo(obj)->gpuva_lock;
#else
	return &obj->gpuva.lock;
#endif
}

/**
 * tessera_bo_bind_prepare - make a buffer's memory ready to be bound
 * @obj: a Tessera buffer
 *
 * Pins and DMA-maps a host buffer's pages (charged to the caller's memory
 * cgroup); device memory and imports are ready already.  Process
 * context, inside drm_dev_enter() (see tessera_gem_unplug()); afterwards
 * tessera_bo_map_range() allocates nothing.
 *
 * Return: 0 or a negative errno.
 */
int tessera_bo_bind_prepare(struct drm_gem_object *obj)
{
	struct tessera_bo *bo = to_tessera_bo(obj);
	struct sg_table *sgt;

	if (bo->devmem)
		return 0;
	sgt = tessera_bo_sgt(bo);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	return sgt ? 0 : -EINVAL;
}

/**
 * tessera_bo_map_range - write the page-table entries of part of a buffer
 * @obj: the buffer, after tessera_bo_bind_prepare()
 * @pgt: the page tables
 * @pool: tables reserved for [@va, @va + @size)
 * @va: where, 4 KiB aligned
 * @offset: first byte of the buffer to map, 4 KiB aligned
 * @size: bytes, 4 KiB aligned, within the buffer
 * @prot: TESSERA_PTE_READ, _WRITE, _EXEC
 *
 * Maps the buffer's memory chunk by chunk (buddy blocks, DMA segments),
 * so that 2 MiB pages are used wherever they fit.  Allocates nothing and
 * sleeps not: usable on a bind job's fence-signalling path.
 *
 * Return: 0, or -EINVAL on a caller bug (warned about).
 */
int tessera_bo_map_range(struct drm_gem_object *obj, struct tessera_pgtable *pgt,
			 struct tessera_pt_pool *pool, u64 va, u64 offset, u64 size, u64 prot)
{
	struct tessera_bo *bo = to_tessera_bo(obj);
	int ret = 0;

	if (WARN_ON_ONCE(offset > obj->size || size > obj->size - offset))
		return -EINVAL;
	if (bo->devmem) {
		struct tessera_device *tdev = to_tessera(obj->dev);
		struct tessera_buddy_block *block;

		list_for_each_entry(block, &bo->blocks, link) {
			u64 start = tessera_buddy_block_offset(block);
			u64 len = tessera_buddy_block_size(&tdev->hbm_mm, block);

			if (offset >= len) {
				offset -= len;
				continue;
			}
			len = min(len - offset, size);
			ret = tessera_pgtable_map(pgt, pool, va, start + offset, len,
						  prot | TESSERA_PTE_DEVMEM);
			size -= len;
			if (ret || !size)
				break;
			va += len;
			offset = 0;
		}
	} else {
		struct sg_table *sgt = bo->base.sgt;
		struct scatterlist *sg;
		unsigned int i;

		if (WARN_ON_ONCE(!sgt))
			return -EINVAL;
		for_each_sgtable_dma_sg(sgt, sg, i) {
			u64 len = sg_dma_len(sg);

			if (offset >= len) {
				offset -= len;
				continue;
			}
			len = min(len - offset, size);
			ret = tessera_pgtable_map(pgt, pool, va, sg_dma_address(sg) + offset, len,
						  prot);
			size -= len;
			if (ret || !size)
				break;
			va += len;
			offset = 0;
		}
	}
	if (!ret && WARN_ON_ONCE(size))
		ret = -EINVAL;
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
