// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: runtime power management.
 *
 * The card goes to D3hot (about 3 W instead of 25 W idle) once nothing has
 * needed it for autosuspend_ms.  What needs it holds a runtime-PM
 * reference: every job from submit until it is freed, every CPU mapping
 * of device memory (BAR2 does not decode in D3hot), and every register
 * access from sysfs, hwmon and debugfs (tessera_hw_enter()), which wakes
 * a sleeping card for the access.
 *
 * The T1 keeps its registers in D3hot (No_Soft_Reset), so resuming only
 * turns the interrupts back on.  Before it sleeps, the card's TLB is
 * emptied and every context un-halted: page-table changes and context
 * teardown while it sleeps then need no register access, and are skipped
 * (tessera_pm_get_if_awake()).  A guilty context stays refused by the
 * driver whatever the card's halt state.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <drm/drm_drv.h>

#include "tessera_drv.h"

static int tessera_autosuspend_ms = 1000;
module_param_named(autosuspend_ms, tessera_autosuspend_ms, int, 0444);
MODULE_PARM_DESC(autosuspend_ms,
		 "Idle time before the card is put in D3hot (ms, default 1000; negative: never)");

/**
 * tessera_pm_get - wake the card if it sleeps and keep it awake
 * @tdev: the device
 *
 * May sleep.  Balance with tessera_pm_put().
 *
 * Return: 0 or a negative errno.
 */
int tessera_pm_get(struct tessera_device *tdev)
{
	return pm_runtime_resume_and_get(tdev->drm.dev);
}

/**
 * tessera_pm_put - the caller no longer needs the card awake
 * @tdev: the device
 *
 * Any context.  The card sleeps after autosuspend_ms without users.
 */
void tessera_pm_put(struct tessera_device *tdev)
{
	pm_runtime_mark_last_busy(tdev->drm.dev);
	pm_runtime_put_autosuspend(tdev->drm.dev);
}

/**
 * tessera_pm_get_if_awake - keep the card awake if it is, without waking it
 * @tdev: the device
 *
 * For register accesses that a sleeping card does not need (see the
 * header comment).  When this returns true, balance with tessera_pm_put().
 *
 * Return: true if the card is awake (a reference was taken).
 */
bool tessera_pm_get_if_awake(struct tessera_device *tdev)
{
	int ret = pm_runtime_get_if_active(tdev->drm.dev);

	if (ret < 0) {
		/* Runtime PM is disabled (system sleep): the card is on. */
		pm_runtime_get_noresume(tdev->drm.dev);
		return true;
	}
	return ret > 0;
}

static int tessera_runtime_suspend(struct device *dev)
{
	struct tessera_device *tdev = pci_get_drvdata(to_pci_dev(dev));
	u32 i;
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return 0;
	/* No job holds a reference: every engine is idle. */
	tessera_irq_disable(tdev);
	for (i = 0; i < tdev->num_rings; i++)
		tessera_ring_write(&tdev->rings[i], TESSERA_RING_CTX_RESUME, TESSERA_CTX_ALL);
	tessera_mmu_flush_all(tdev);
	drm_dev_exit(idx);
	/* The PCI core saves the config space and enters D3hot. */
	return 0;
}

static int tessera_runtime_resume(struct device *dev)
{
	struct tessera_device *tdev = pci_get_drvdata(to_pci_dev(dev));
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return 0;
	/* A card that is gone fails its work here; callers then see -ENODEV. */
	if (!tessera_hw_lost(tdev))
		tessera_irq_enable(tdev);
	drm_dev_exit(idx);
	return 0;
}

const struct dev_pm_ops tessera_pm_ops = {
	SET_RUNTIME_PM_OPS(tessera_runtime_suspend, tessera_runtime_resume, NULL)
};

/**
 * tessera_pm_init - let the card sleep when idle
 * @tdev: the device, registered and working
 *
 * Drops the reference the PCI core holds during probe.
 */
void tessera_pm_init(struct tessera_device *tdev)
{
	struct device *dev = tdev->drm.dev;

	pm_runtime_set_autosuspend_delay(dev, tessera_autosuspend_ms < 0 ? -1 :
					 tessera_autosuspend_ms);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_mark_last_busy(dev);
	/* PCI devices start with runtime PM forbidden. */
	pm_runtime_allow(dev);
	pm_runtime_put_autosuspend(dev);
}

/**
 * tessera_pm_fini - keep the card awake from now on (remove)
 * @tdev: the device; the PCI core resumed it before calling remove
 */
void tessera_pm_fini(struct tessera_device *tdev)
{
	struct device *dev = tdev->drm.dev;

	pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
	pm_runtime_dont_use_autosuspend(dev);
}
