/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef __TESSERA_VM_H__
#define __TESSERA_VM_H__

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <drm/drm_gpuvm.h>
#include <drm/gpu_scheduler.h>

#include "tessera_drv.h"
#include "tessera_pgtable.h"

/* The bindable range; below it is reserved (DRM_TESSERA_PARAM_VA_*). */
#define TESSERA_GPUVM_VA_START	SZ_2M
#define TESSERA_GPUVM_VA_END	BIT_ULL(47)
/* VMs one open file may hold (DRM_TESSERA_PARAM_VMS_PER_FILE_MAX). */
#define TESSERA_VMS_PER_FILE_MAX	1024

struct drm_file;
struct seq_file;
struct tessera_device;

/**
 * struct tessera_gpuvm - a device address space (a VM)
 *
 * Referenced (drm_gpuvm_get/put) by the file's VM id, by each queue
 * created on it, by each job and bind, and by each of its bindings'
 * drm_gpuvm_bo; the last reference frees it (tessera_gpuvm_free()).
 */
struct tessera_gpuvm {
	/** @base: the VA space; its resv holds the fence of every job on the VM */
	struct drm_gpuvm base;
	/** @tdev: the device */
	struct tessera_device *tdev;
	/**
	 * @lock: protects @pgt, @zombies and the drm_gpuvm tree.  Nothing
	 * is allocated under it (tables come from pools filled before), so
	 * bind jobs take it on their fence-signalling path.
	 */
	struct mutex lock;
	/** @pgt: the hardware page tables */
	struct tessera_pgtable pgt;
	/**
	 * @zombies: page tables unlinked from @pgt, freed after the next
	 * TLB flush issued after they were unlinked has completed
	 */
	struct list_head zombies;
	/**
	 * @asid: the hardware address space the VM's work runs under, or 0
	 * while it has none; set and cleared under tessera_device.asid_lock
	 * (tessera_asid.c), read locklessly (READ_ONCE)
	 */
	u32 asid;
	/**
	 * @active_jobs: jobs of the VM counted by tessera_asid_get() and
	 * not yet freed; the VM keeps its ASID while non-zero
	 */
	atomic_t active_jobs;
	/** @asid_link: in tessera_device.asid_lru while @asid is set */
	struct list_head asid_link;
	/** @uid: the user who created the VM, whose ASID count it is in */
	kuid_t uid;
	/** @uid_exempt: created with CAP_SYS_ADMIN: not counted, not capped */
	bool uid_exempt;
	/**
	 * @fault: faults of the VM's jobs under ASIDs it no longer holds
	 * (merged in when an ASID is taken back); under
	 * tessera_device.fault_lock.  See tessera_gpuvm_fault().
	 */
	struct tessera_ctx_fault fault;
	/** @exec_perm: the card checks TESSERA_PTE_EXEC on fetch (hw 1.4) */
	bool exec_perm;
	/**
	 * @dying: the teardown began (under @lock): binds that raced it,
	 * looked up before the last user went, map nothing any more
	 */
	bool dying;
	/**
	 * @users: holders that may still submit to the VM: the file's VM id
	 * and each queue created on it.  When the last goes, the VM is torn
	 * down (tessera_gpuvm_user_put()); jobs and binds hold it only by
	 * @base's reference count.
	 */
	atomic_t users;
	/** @destroy_work: tears the VM's bindings down once its jobs are done */
	struct work_struct destroy_work;
	/** @link: in tessera_device.gpuvms, under tessera_device.vms_lock */
	struct list_head link;
	/** @bind_entity: the VM's bind queue, on tessera_device.bind_sched */
	struct drm_sched_entity bind_entity;
	/** @bind_ready: @bind_entity was initialized and must be destroyed */
	bool bind_ready;
	/**
	 * @binds_unfinished: bind-queue jobs created and not yet finished
	 * (tessera_bind_finish() run on the worker); waited for by
	 * tessera_gpuvm_wait_binds_finished()
	 */
	atomic_t binds_unfinished;
	/** @last_bind: fence of the latest bind pushed, under @bind_lock */
	struct dma_fence *last_bind;
	/**
	 * @bind_lock: held from drm_sched_job_arm() to
	 * drm_sched_entity_push_job() of a bind job, so that binds reach
	 * @bind_entity in the order of their fences, and across a bind job
	 * applied in the ioctl (tessera_bind_job_run_now()), so that none is
	 * pushed meanwhile
	 */
	struct mutex bind_lock;
};

/**
 * struct tessera_vma - one binding: a range of a buffer at a VA
 */
struct tessera_vma {
	/** @base: the drm_gpuva (VA range, buffer and offset) */
	struct drm_gpuva base;
	/** @prot: the PTE permission bits it was bound with */
	u64 prot;
	/** @release: in a bind's list of bindings to drop after the TLB flush */
	struct list_head release;
};

/**
 * struct tessera_bind_op - one checked map or unmap, with what it needs
 *
 * Everything the op may need is allocated when it is checked, so that
 * applying it allocates nothing.
 */
struct tessera_bind_op {
	/** @map: a MAP (else an UNMAP) */
	bool map;
	/** @prot: TESSERA_PTE_* permissions of a MAP */
	u64 prot;
	/** @obj: the buffer of a MAP (a reference) */
	struct drm_gem_object *obj;
	/** @bo_offset: first byte of @obj a MAP maps */
	u64 bo_offset;
	/** @va: start of the range */
	u64 va;
	/** @size: bytes */
	u64 size;
	/** @vma: the new binding of a MAP, until used */
	struct tessera_vma *vma;
	/** @prev: for what is left of a binding split before the range */
	struct tessera_vma *prev;
	/** @next: for what is left of a binding split after the range */
	struct tessera_vma *next;
	/** @vm_bo: a preallocated drm_gpuvm_bo of a MAP, until used */
	struct drm_gpuvm_bo *vm_bo;
};

/**
 * struct tessera_bind - a checked VM_BIND: its ops and their tables
 */
struct tessera_bind {
	/** @vm: the VM (a reference) */
	struct tessera_gpuvm *vm;
	/** @ops: the ops, in order */
	struct tessera_bind_op *ops;
	/** @count: entries of @ops */
	u32 count;
	/** @done: ops applied */
	u32 done;
	/** @pool: page tables reserved for every op */
	struct tessera_pt_pool pool;
	/** @released: bindings removed from the VM, dropped after the flush */
	struct list_head released;
	/** @freed: page tables unlinked by the ops, freed after the flush */
	struct list_head freed;
	/**
	 * @inv_asid: the ASID whose TLB invalidation tessera_bind_apply()
	 * started after changing valid entries, 0 if none
	 */
	u32 inv_asid;
};

/**
 * struct tessera_bind_job - an asynchronous bind on a VM's bind queue
 */
struct tessera_bind_job {
	/** @base: the scheduler job; its finished fence is the bind's */
	struct drm_sched_job base;
	/** @bind: the ops, applied by run_job, finished after free_job */
	struct tessera_bind *bind;
	/** @finish_work: runs tessera_bind_finish() off the signalling path */
	struct work_struct finish_work;
};

void tessera_asid_init(struct tessera_device *tdev);
void tessera_asid_fini(struct tessera_device *tdev);
void tessera_asid_show(struct seq_file *m, struct tessera_device *tdev);
int tessera_asid_get(struct tessera_gpuvm *vm);
void tessera_asid_put(struct tessera_gpuvm *vm);
void tessera_asid_release(struct tessera_gpuvm *vm);
void tessera_gpuvm_fault(struct tessera_gpuvm *vm, struct tessera_ctx_fault *f);

int tessera_bind_sched_init(struct tessera_device *tdev);
void tessera_bind_sched_fini(struct tessera_device *tdev);
struct tessera_bind_job *tessera_bind_job_create(struct tessera_bind *bind, u64 owner);
int tessera_bind_job_add_dep(struct tessera_bind_job *job, struct dma_fence *fence);
struct dma_fence *tessera_bind_job_push(struct tessera_bind_job *job);
void tessera_bind_job_abort(struct tessera_bind_job *job);
bool tessera_bind_job_run_now(struct tessera_bind_job *job, int *ret, u32 *done);
bool tessera_gpuvm_wait_binds_finished(struct tessera_gpuvm *vm, long timeout);

struct tessera_gpuvm *tessera_gpuvm_create(struct tessera_device *tdev);
void tessera_gpuvm_destroy(struct tessera_gpuvm *vm);
bool tessera_gpuvm_user_get(struct tessera_gpuvm *vm);
void tessera_gpuvm_user_put(struct tessera_gpuvm *vm);
void tessera_gpuvm_put(struct tessera_gpuvm *vm);
void tessera_gpuvm_unplug(struct tessera_device *tdev);

struct tessera_bind *tessera_bind_alloc(struct tessera_gpuvm *vm, u32 count);
int tessera_bind_add(struct tessera_bind *bind, bool map, struct drm_gem_object *obj,
		     u64 bo_offset, u64 va, u64 size, u64 prot);
int tessera_bind_apply(struct tessera_bind *bind);
void tessera_bind_finish(struct tessera_bind *bind);
int tessera_bind_sync(struct tessera_bind *bind, u32 *done);

struct tessera_file;
void tessera_file_vms_init(struct tessera_file *tfile);
void tessera_file_vms_fini(struct tessera_file *tfile);
struct tessera_gpuvm *tessera_file_vm_get(struct tessera_file *tfile, u32 id);
struct tessera_gpuvm *tessera_file_vm_get_user(struct tessera_file *tfile, u32 id);
int tessera_ioctl_vm_create(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_vm_destroy(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_vm_bind(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_vm_status(struct drm_device *drm, void *data, struct drm_file *file);

void tessera_file_vms_show(struct seq_file *m, struct tessera_file *tfile);

int tessera_vm_selftest(struct tessera_device *tdev, struct seq_file *m);

int tessera_copy_array(struct drm_device *drm, const char *what, void *dst, size_t elem,
		       size_t min_stride, u32 max, u32 stride, u32 count, u64 ptr);

#endif /* __TESSERA_VM_H__ */
