// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: hardware address spaces (ASIDs) as a cache.
 *
 * The card has TESSERA_NUM_CONTEXTS - 1 ASIDs for software (0 is the
 * kernel's bypass context); a VM needs one only while it has work on the
 * card.  tessera_asid_get(), at submit, gives the VM an ASID if it has
 * none (a free one, or the least recently used one of a VM that has no
 * job in flight, taken back with its context-table entry cleared and its
 * TLB entries flushed) and counts the job; tessera_asid_put(), when the
 * job is freed, uncounts it.  So the number of VMs is bounded by memory,
 * not by the ASIDs (the way amdgpu shares its VMIDs).  When every ASID
 * belongs to a VM with work, the submit waits, interruptibly, for one to
 * go idle.
 *
 * One user's VMs hold at most asids_per_user ASIDs at once (CAP_SYS_ADMIN
 * exempt): past that, a VM of that user gets one only by taking it back
 * from another idle VM of the same user, or waits.  So one user, however
 * many VMs it keeps busy, cannot lock the others out of the card.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/moduleparam.h>
#include <linux/wait.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "tessera_drv.h"
#include "tessera_vm.h"

static unsigned int tessera_asids_per_user = 64;
module_param_named(asids_per_user, tessera_asids_per_user, uint, 0644);
MODULE_PARM_DESC(asids_per_user,
		 "ASIDs one user's VMs may hold at once, CAP_SYS_ADMIN exempt (default 64, 0: no limit)");

/* ASIDs @vm's user holds; asid_lock held. */
static unsigned long tessera_asid_user_count(struct tessera_device *tdev,
					     const struct tessera_gpuvm *vm)
{
	lockdep_assert_held(&tdev->asid_lock);
	return xa_to_value(xa_load(&tdev->asid_users, from_kuid(&init_user_ns, vm->uid)));
}

/* @vm got (+1) or lost (-1) an ASID: count it against its user; asid_lock held. */
static void tessera_asid_user_add(struct tessera_device *tdev, const struct tessera_gpuvm *vm,
				  long delta)
{
	unsigned long uid = from_kuid(&init_user_ns, vm->uid);
	unsigned long n;

	if (vm->uid_exempt)
		return;
	n = tessera_asid_user_count(tdev, vm) + delta;
	if (n)
		/* Fails only without memory: the user is then undercounted. */
		xa_store(&tdev->asid_users, uid, xa_mk_value(n), GFP_KERNEL);
	else
		xa_erase(&tdev->asid_users, uid);
}

/* May @vm's user take one more ASID; asid_lock held. */
static bool tessera_asid_user_capped(struct tessera_device *tdev, const struct tessera_gpuvm *vm)
{
	unsigned int limit = READ_ONCE(tessera_asids_per_user);

	return !vm->uid_exempt && limit && tessera_asid_user_count(tdev, vm) >= limit;
}

/* Add @from's faults to @to's: the first fault's syndrome stays the first. */
static void tessera_fault_merge(struct tessera_ctx_fault *to, const struct tessera_ctx_fault *from)
{
	if (!to->count && from->count) {
		to->code = from->code;
		to->access = from->access;
		to->ring = from->ring;
		to->va = from->va;
	}
	to->count += from->count;
	to->hangs += from->hangs;
	to->banned |= from->banned;
}

/**
 * tessera_gpuvm_fault - what went wrong in a VM's jobs
 * @vm: the VM
 * @f: receives its faults: under earlier ASIDs and under its current one
 */
void tessera_gpuvm_fault(struct tessera_gpuvm *vm, struct tessera_ctx_fault *f)
{
	struct tessera_device *tdev = vm->tdev;
	unsigned long flags;
	u32 asid;

	mutex_lock(&tdev->asid_lock);
	asid = vm->asid;
	spin_lock_irqsave(&tdev->fault_lock, flags);
	*f = vm->fault;
	if (asid)
		tessera_fault_merge(f, &tdev->faults[asid]);
	spin_unlock_irqrestore(&tdev->fault_lock, flags);
	mutex_unlock(&tdev->asid_lock);
}

/* Point @vm's new ASID's context-table entry at its page tables. */
static void tessera_asid_install(struct tessera_gpuvm *vm, u32 asid)
{
	struct tessera_device *tdev = vm->tdev;
	int idx;

	tessera_fault_reset(tdev, asid);
	tessera_fault_resume(tdev, asid);
	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	if (vm->pgt.root)
		tessera_ctx_entry_set(tdev, asid,
				      tessera_pgtable_root_dma(&vm->pgt) | TESSERA_PTE_VALID,
				      vm->exec_perm ? TESSERA_CTX_EXEC_PERM : 0);
	drm_dev_exit(idx);
}

/*
 * Take @vm's ASID away: no job of @vm is in flight (active_jobs is 0
 * under asid_lock), so no descriptor of it runs; clear the entry and
 * flush what the TLB kept.  Return: the ASID, or 0 if the card might
 * still use the old translations (the ASID is then never reused).
 */
static u32 tessera_asid_revoke(struct tessera_gpuvm *vm)
{
	struct tessera_device *tdev = vm->tdev;
	u32 asid = vm->asid;
	unsigned long flags;
	int idx;

	lockdep_assert_held(&tdev->asid_lock);
	/* The VM keeps what its jobs did under this ASID. */
	spin_lock_irqsave(&tdev->fault_lock, flags);
	tessera_fault_merge(&vm->fault, &tdev->faults[asid]);
	spin_unlock_irqrestore(&tdev->fault_lock, flags);
	WRITE_ONCE(vm->asid, 0);
	list_del_init(&vm->asid_link);
	tessera_asid_user_add(tdev, vm, -1);
	if (drm_dev_enter(&tdev->drm, &idx)) {
		tessera_ctx_entry_set(tdev, asid, 0, 0);
		drm_dev_exit(idx);
	}
	if (!tessera_mmu_flush_asid(tdev, asid)) {
		drm_err(&tdev->drm, "ASID %u did not flush: never reusing it\n", asid);
		return 0;
	}
	return asid;
}

/*
 * An ASID for @vm: a free one, or one taken back from an idle VM (of
 * @vm's own user once that user holds its limit); asid_lock held.
 */
static int tessera_asid_find(struct tessera_device *tdev, struct tessera_gpuvm *vm)
{
	bool capped = tessera_asid_user_capped(tdev, vm);
	struct tessera_gpuvm *victim;
	int asid;

	lockdep_assert_held(&tdev->asid_lock);
	if (!capped) {
		asid = ida_alloc_range(&tdev->asid_ida, 1, TESSERA_NUM_CONTEXTS - 1,
				       GFP_KERNEL);
		if (asid != -ENOSPC)
			return asid;
	}
	/* Least recently used first. */
	list_for_each_entry(victim, &tdev->asid_lru, asid_link) {
		if (atomic_read(&victim->active_jobs))
			continue;
		if (capped && !uid_eq(victim->uid, vm->uid))
			continue;
		asid = tessera_asid_revoke(victim);
		if (asid)
			return asid;
		/* Lost to a flush that did not complete: try another. */
		return -EAGAIN;
	}
	return -ENOSPC;
}

/**
 * tessera_asid_get - make sure a VM has an ASID and count a job of it
 * @vm: the VM, about to get a job on the card
 *
 * Process context (the submit ioctl); may sleep until an ASID is free.
 * Each successful call is matched by tessera_asid_put() when the job is
 * freed; the VM keeps its ASID while any such job exists.
 *
 * Return: the ASID, or -ERESTARTSYS (a signal), -ENOMEM.
 */
int tessera_asid_get(struct tessera_gpuvm *vm)
{
	struct tessera_device *tdev = vm->tdev;
	int asid, ret;

	for (;;) {
		mutex_lock(&tdev->asid_lock);
		asid = vm->asid;
		if (!asid) {
			asid = tessera_asid_find(tdev, vm);
			if (asid > 0) {
				WRITE_ONCE(vm->asid, asid);
				tessera_asid_user_add(tdev, vm, 1);
				tessera_asid_install(vm, asid);
			}
		}
		if (asid > 0) {
			atomic_inc(&vm->active_jobs);
			list_move_tail(&vm->asid_link, &tdev->asid_lru);
			mutex_unlock(&tdev->asid_lock);
			return asid;
		}
		mutex_unlock(&tdev->asid_lock);
		if (asid != -ENOSPC && asid != -EAGAIN)
			return asid;
		/* Every ASID (or every one the user may have) has work: wait. */
		ret = wait_event_interruptible(tdev->asid_wq,
					       atomic_read(&tdev->asid_idle_events) != 0);
		if (ret)
			return ret;
		atomic_set(&tdev->asid_idle_events, 0);
	}
}

/**
 * tessera_asid_put - a job counted by tessera_asid_get() was freed
 * @vm: its VM
 *
 * Fence-signalling paths may call it: atomics and a wake-up only.
 */
void tessera_asid_put(struct tessera_gpuvm *vm)
{
	struct tessera_device *tdev = vm->tdev;

	if (atomic_dec_and_test(&vm->active_jobs)) {
		atomic_inc(&tdev->asid_idle_events);
		wake_up_all(&tdev->asid_wq);
	}
}

/**
 * tessera_asid_release - a VM goes away: give its ASID back
 * @vm: the VM, with no job left
 */
void tessera_asid_release(struct tessera_gpuvm *vm)
{
	struct tessera_device *tdev = vm->tdev;
	u32 asid;

	mutex_lock(&tdev->asid_lock);
	if (vm->asid) {
		asid = tessera_asid_revoke(vm);
		if (asid) {
			/* Un-halt it for the next owner. */
			tessera_fault_resume(tdev, asid);
			ida_free(&tdev->asid_ida, asid);
		}
	}
	list_del_init(&vm->asid_link);
	mutex_unlock(&tdev->asid_lock);
	atomic_inc(&tdev->asid_idle_events);
	wake_up_all(&tdev->asid_wq);
}

/**
 * tessera_asid_fini - free the ASID cache's bookkeeping (last device reference)
 * @tdev: the device, with no VM left
 */
void tessera_asid_fini(struct tessera_device *tdev)
{
	xa_destroy(&tdev->asid_users);
	ida_destroy(&tdev->asid_ida);
}

/**
 * tessera_asid_init - the ASID cache of a device
 * @tdev: the device, before any VM
 */
void tessera_asid_init(struct tessera_device *tdev)
{
	mutex_init(&tdev->asid_lock);
	INIT_LIST_HEAD(&tdev->asid_lru);
	init_waitqueue_head(&tdev->asid_wq);
	xa_init(&tdev->asid_users);
	atomic_set(&tdev->asid_idle_events, 0);
}
