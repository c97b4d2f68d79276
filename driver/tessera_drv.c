// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: PCI probe, DRM accel device, ioctl table.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/stringify.h>
#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/tessera_accel.h>

#include "tessera_drv.h"
#include "tessera_vm.h"

/* DRM_TESSERA_CAP_* of this driver on this card. */
static u64 tessera_capabilities(const struct tessera_device *tdev)
{
	u64 v = DRM_TESSERA_CAP_HUGE_PAGES;

	if (tdev->hbm_ready)
		v |= DRM_TESSERA_CAP_DEVICE_MEM;
	if (tdev->hw_caps & TESSERA_CAP_MMU_EXEC)
		v |= DRM_TESSERA_CAP_EXEC_PERM;
	if (tdev->hw_caps & TESSERA_CAP_FAULT_INJECT)
		v |= DRM_TESSERA_CAP_FAULT_INJECT;
	if (tdev->hw_caps & TESSERA_CAP_TRAIN)
		v |= DRM_TESSERA_CAP_TRAIN;
	return v;
}

static int tessera_ioctl_get_param(struct drm_device *drm, void *data,
				   struct drm_file *file)
{
	struct tessera_device *tdev = to_tessera(drm);
	struct drm_tessera_get_param *args = data;

	if (args->pad) {
		drm_dbg(drm, "GET_PARAM: pad not zero\n");
		return -EINVAL;
	}

	switch (args->param) {
	case DRM_TESSERA_PARAM_DEVICE_ID:
		args->value = tdev->pdev->device;
		break;
	case DRM_TESSERA_PARAM_REVISION:
		args->value = tdev->pdev->revision;
		break;
	case DRM_TESSERA_PARAM_HW_VERSION:
		args->value = tdev->hw_version;
		break;
	case DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES:
		args->value = tdev->num_compute;
		break;
	case DRM_TESSERA_PARAM_NUM_DMA_ENGINES:
		args->value = tdev->num_dma;
		break;
	case DRM_TESSERA_PARAM_NUM_ENGINES:
		args->value = tdev->num_rings;
		break;
	case DRM_TESSERA_PARAM_DEVICE_MEM_SIZE:
		args->value = tdev->hbm_size;
		break;
	case DRM_TESSERA_PARAM_SERIAL:
		args->value = tdev->serial;
		break;
	case DRM_TESSERA_PARAM_CMD_SIZE_MAX:
		args->value = TESSERA_CMD_SIZE_MAX;
		break;
	case DRM_TESSERA_PARAM_CAPABILITIES:
		args->value = tessera_capabilities(tdev);
		break;
	case DRM_TESSERA_PARAM_VA_START:
		args->value = TESSERA_GPUVM_VA_START;
		break;
	case DRM_TESSERA_PARAM_VA_END:
		args->value = TESSERA_GPUVM_VA_END;
		break;
	case DRM_TESSERA_PARAM_PAGE_SIZES:
		args->value = SZ_4K | SZ_2M;
		break;
	case DRM_TESSERA_PARAM_VMS_PER_FILE_MAX:
		args->value = TESSERA_VMS_PER_FILE_MAX;
		break;
	case DRM_TESSERA_PARAM_NUM_ASIDS:
		args->value = TESSERA_NUM_CONTEXTS - 1;
		break;
	default:
		drm_dbg(drm, "GET_PARAM: unknown parameter %u\n", args->param);
		return -EINVAL;
	}
	return 0;
}

static int tessera_open(struct drm_device *drm, struct drm_file *file)
{
	struct tessera_file *tfile;

	tfile = kzalloc(sizeof(*tfile), GFP_KERNEL_ACCOUNT);
	if (!tfile)
		return -ENOMEM;
	tfile->tdev = to_tessera(drm);
	mutex_init(&tfile->wfs_lock);
	tfile->stats = tessera_client_stats_alloc();
	if (!tfile->stats) {
		kfree(tfile);
		return -ENOMEM;
	}
	tessera_queues_init(tfile);
	tessera_file_vms_init(tfile);
	file->driver_priv = tfile;
	return 0;
}

static void tessera_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct tessera_file *tfile = file->driver_priv;

	/* Never waits: queues, VMs and their jobs go once the jobs are done. */
	tessera_queues_fini(tfile);
	tessera_file_vms_fini(tfile);
	tessera_client_stats_put(tfile->stats);
	mutex_destroy(&tfile->wfs_lock);
	kfree(tfile);
}

static const char * const tessera_engine_class_names[] = {
	[TESSERA_ENGINE_CLASS_COMPUTE] = "compute",
	[TESSERA_ENGINE_CLASS_DMA] = "dma",
};

/*
 * DRM fdinfo (Documentation/gpu/drm-usage-stats.rst): busy time per engine
 * class, with the class's capacity, and memory by region.
 */
static void tessera_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct tessera_device *tdev = to_tessera(file->minor->dev);
	struct tessera_file *tfile = file->driver_priv;
	u32 class, i;

	for (class = 0; class < ARRAY_SIZE(tessera_engine_class_names); class++) {
		const char *name = tessera_engine_class_names[class];
		u64 ns = 0;
		u32 count = 0;

		for (i = 0; i < tdev->num_rings; i++) {
			if (tdev->rings[i].engine_class != class)
				continue;
			ns += atomic64_read(&tfile->stats->busy_ns[i]);
			count++;
		}
		if (!count)
			continue;
		drm_printf(p, "drm-engine-%s:\t%llu ns\n", name, ns);
		if (count > 1)
			drm_printf(p, "drm-engine-capacity-%s:\t%u\n", name, count);
		if (tdev->clock_mhz)
			drm_printf(p, "drm-cycles-%s:\t%llu\n", name,
				   div_u64(ns * tdev->clock_mhz, 1000));
	}
	tessera_show_memory_stats(p, file);
}

static const struct drm_ioctl_desc tessera_ioctls[] = {
	DRM_IOCTL_DEF_DRV(TESSERA_GET_PARAM, tessera_ioctl_get_param, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_BO_CREATE, tessera_ioctl_bo_create, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_BO_INFO, tessera_ioctl_bo_info, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_VM_CREATE, tessera_ioctl_vm_create, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_VM_DESTROY, tessera_ioctl_vm_destroy, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_VM_BIND, tessera_ioctl_vm_bind, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_VM_STATUS, tessera_ioctl_vm_status, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_QUEUE_CREATE, tessera_ioctl_queue_create, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_QUEUE_DESTROY, tessera_ioctl_queue_destroy, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_SUBMIT, tessera_ioctl_submit, 0),
	DRM_IOCTL_DEF_DRV(TESSERA_FENCE_WAIT, tessera_ioctl_fence_wait, 0),
};

static const struct file_operations tessera_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver tessera_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | TESSERA_DRIVER_GEM_GPUVA |
			   DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE,
	.open = tessera_open,
	.postclose = tessera_postclose,
	.show_fdinfo = tessera_show_fdinfo,
	.gem_create_object = tessera_gem_create_object,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.ioctls = tessera_ioctls,
	.num_ioctls = ARRAY_SIZE(tessera_ioctls),
	.fops = &tessera_fops,
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	.major = DRIVER_MAJOR,
	.minor = DRIVER_MINOR,
};

/* Runs at the final drm_dev_put(), after the last file is closed. */
static void tessera_drm_release(struct drm_device *drm, void *unused)
{
	tessera_bind_sched_fini(to_tessera(drm));
	tessera_sched_fini(to_tessera(drm));
	tessera_asid_fini(to_tessera(drm));
}

/*
 * Tell lockdep at once what the fence-signalling paths depend on: memory
 * reclaim may wait for a fence, so the locks those paths take must never
 * be held across an allocation.  Priming records reclaim -> lock, so the
 * first allocation under one of them is reported, not only the deadlock.
 */
static void tessera_lockdep_prime(struct tessera_device *tdev)
{
	u32 i;

	if (!IS_ENABLED(CONFIG_LOCKDEP))
		return;
	fs_reclaim_acquire(GFP_KERNEL);
	/* They are taken in hard interrupts: tell lockdep so with irqs off. */
	local_irq_disable();
	might_lock(&tdev->fault_lock);
	for (i = 0; i < tdev->num_rings; i++)
		might_lock(&tdev->rings[i].fence_lock);
	local_irq_enable();
	fs_reclaim_release(GFP_KERNEL);
}

static int tessera_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct tessera_device *tdev;
	int ret;

	tdev = devm_drm_dev_alloc(&pdev->dev, &tessera_drm_driver,
				  struct tessera_device, drm);
	if (IS_ERR(tdev))
		return PTR_ERR(tdev);
	tdev->pdev = pdev;
	pci_set_drvdata(pdev, tdev);
	tessera_reset_init(tdev);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	/*
	 * The card sees memory through its MMU, page by page: it has no
	 * limit on the length or alignment of a DMA segment.
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	dma_set_seg_boundary(&pdev->dev, ULONG_MAX);
	mutex_init(&tdev->dma_bos_lock);
	INIT_LIST_HEAD(&tdev->dma_bos);

	tdev->regs = pcim_iomap_region(pdev, TESSERA_BAR_REGS, DRIVER_NAME);
	if (IS_ERR(tdev->regs))
		return PTR_ERR(tdev->regs);

	ret = tessera_hw_init(tdev);
	if (ret)
		return ret;
	tessera_lockdep_prime(tdev);

	ret = tessera_devmem_init(tdev);
	if (ret)
		goto err_hw;

	ret = drmm_add_action(&tdev->drm, tessera_drm_release, NULL);
	if (ret)
		goto err_hw;

	ret = tessera_sched_init(tdev);
	if (!ret)
		ret = tessera_bind_sched_init(tdev);
	if (ret)
		goto err_hw;

	ret = tessera_irq_init(tdev);
	if (ret)
		goto err_hw;

	ret = tessera_sysfs_init(tdev);
	if (ret)
		goto err_irq;

	tessera_debugfs_init(tdev);
	ret = drm_dev_register(&tdev->drm, 0);
	if (ret)
		goto err_irq;
	tessera_debugfs_init_late(tdev);

	drm_info(&tdev->drm, "T1 rev %u, hw %u.%u, %u compute + %u DMA engines, serial %u\n",
		 pdev->revision, TESSERA_HW_VERSION_MAJOR(tdev->hw_version),
		 TESSERA_HW_VERSION_MINOR(tdev->hw_version), tdev->num_compute,
		 tdev->num_dma, tdev->serial);
	tessera_pm_init(tdev);
	return 0;

err_irq:
	tessera_irq_disable(tdev);
err_hw:
	tessera_hw_fini(tdev);
	return ret;
}

static void tessera_remove(struct pci_dev *pdev)
{
	struct tessera_device *tdev = pci_get_drvdata(pdev);
	u32 i;

	/* The PCI core woke the card for remove; it stays awake now. */
	tessera_pm_fini(tdev);
	/*
	 * After unplug no ioctl or job reaches the hardware: run_job fails
	 * new jobs with -ENODEV.  Jobs already on the rings will never
	 * complete, so their fences fail now and no waiter hangs.
	 */
	drm_dev_unplug(&tdev->drm);
	tessera_irq_disable(tdev);
	tessera_hw_fini(tdev);
	for (i = 0; i < tdev->num_rings; i++)
		tessera_ring_fail_pending(&tdev->rings[i], -ENODEV);
	/*
	 * The card is stopped: its page tables and the DMA mappings of the
	 * buffers files still hold go while the DMA API knows it.
	 */
	tessera_gpuvm_unplug(tdev);
	tessera_gem_unplug(tdev);
}

static const struct pci_device_id tessera_pci_ids[] = {
	{ PCI_DEVICE(TESSERA_PCI_VENDOR_ID, TESSERA_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, tessera_pci_ids);

static struct pci_driver tessera_pci_driver = {
	.name = DRIVER_NAME,
	.id_table = tessera_pci_ids,
	.probe = tessera_probe,
	.remove = tessera_remove,
	.err_handler = &tessera_pci_err_handlers,
	.driver.pm = &tessera_pm_ops,
};

static int __init tessera_init(void)
{
	int ret = tessera_defer_init();

	if (ret)
		return ret;
	ret = pci_register_driver(&tessera_pci_driver);
	if (ret)
		tessera_defer_fini();
	return ret;
}
module_init(tessera_init);

static void __exit tessera_exit(void)
{
	pci_unregister_driver(&tessera_pci_driver);
	/* After the last device and fence: finishes what is deferred. */
	tessera_defer_fini();
}
module_exit(tessera_exit);

MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_VERSION(__stringify(DRIVER_MAJOR) "." __stringify(DRIVER_MINOR));
MODULE_AUTHOR("The Tessera authors");
MODULE_LICENSE("GPL");
/*
 * dma_buf_unmap_attachment_unlocked() (tessera_gem_unplug()) is in the
 * DMA_BUF namespace.  MODULE_IMPORT_NS() takes a bare word before 6.13 and
 * a string since; the modinfo line it stands for is the same on both.
 */
MODULE_INFO(import_ns, "DMA_BUF");
