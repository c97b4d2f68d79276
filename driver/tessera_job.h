/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tessera T1 accelerator: jobs and their hardware fences.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef __TESSERA_JOB_H__
#define __TESSERA_JOB_H__

#include <linux/dma-fence.h>
#include <linux/llist.h>
#include <drm/gpu_scheduler.h>

#include "tessera_drv.h"

/* First-version size of struct drm_tessera_sync in the uAPI's arrays. */
#define TESSERA_SYNC_SIZE_V1	16

struct dma_fence_chain;
struct drm_file;
struct drm_syncobj;
struct drm_tessera_sync;
struct tessera_gpuvm;
/**
 * struct tessera_fence - hardware fence of one job on one ring
 */
struct tessera_fence {
	/** @base: the fence; its lock is the ring's fence_lock */
	struct dma_fence base;
	/**
	 * @tdev: the device, referenced, as is the module, from allocation
	 * until the fence is freed: the fence's name and ops stay valid as
	 * long as anyone holds it
	 */
	struct tessera_device *tdev;
	/** @defer: in the deferred-free list once unreferenced */
	struct llist_node defer;
	/** @ring: the ring the job runs on */
	struct tessera_ring *ring;
	/** @link: entry in the ring's pending list, under fence_lock */
	struct list_head link;
	/** @stats: the submitting client's statistics (the job holds a ref) */
	struct tessera_client_stats *stats;
	/** @start: when the job was written to the ring */
	ktime_t start;
	/** @asid: the job's context */
	u32 asid;
	/** @desc: the job's descriptor, to post it again after a ring reset */
	struct tessera_desc desc;
};

/**
 * struct tessera_signal - a syncobj point a job's or bind's fence goes to
 */
struct tessera_signal {
	/** @syncobj: the syncobj (referenced) */
	struct drm_syncobj *syncobj;
	/** @chain: preallocated for a timeline point, else NULL */
	struct dma_fence_chain *chain;
	/** @point: timeline point, 0 for binary */
	u64 point;
};

/**
 * struct tessera_job - one submitted command buffer
 */
struct tessera_job {
	/** @base: scheduler job */
	struct drm_sched_job base;
	/** @tdev: the device */
	struct tessera_device *tdev;
	/** @cmd_va: device VA of the commands in the job's VM */
	u64 cmd_va;
	/** @cmd_size: bytes of commands */
	u32 cmd_size;
	/**
	 * @gvm: the job's VM (referenced); the job holds it, and through
	 * its bindings every buffer it may touch
	 */
	struct tessera_gpuvm *gvm;
	/** @gvm_asid: the job is counted by tessera_asid_get() on @gvm */
	bool gvm_asid;
	/**
	 * @fence: allocated at submit so that run_job, on the fence
	 * signaling path, does not allocate; initialized by run_job
	 */
	struct tessera_fence *fence;
	/** @hw_fence: &fence->base once run_job initialized it */
	struct dma_fence *hw_fence;
	/**
	 * @bos: the buffers the submit listed for implicit sync and the VM's
	 * reservation object, referenced until the job is freed
	 */
	struct drm_gem_object **bos;
	/** @num_bos: entries in @bos */
	u32 num_bos;
	/** @defer: in the deferred-free list after free_job */
	struct llist_node defer;
	/** @pm_ref: the job keeps the card awake (runtime PM) until freed */
	bool pm_ref;
};

static inline struct tessera_ring *tessera_job_ring(struct tessera_job *job)
{
	return container_of(job->base.sched, struct tessera_ring, sched);
}

void tessera_job_free(struct tessera_job *job);
struct tessera_job *tessera_gpuvm_job_create(struct tessera_gpuvm *vm,
					     struct drm_sched_entity *entity,
					     struct tessera_client_stats *stats, u64 owner,
					     u64 cmd_va, u32 cmd_size);
int tessera_gpuvm_job_get_asid(struct tessera_job *job);
void tessera_gpuvm_job_abort(struct tessera_job *job);
struct dma_fence *tessera_gpuvm_job_push(struct tessera_job *job, struct mutex *submit_lock,
					 u64 *seqno);
int tessera_syncs_add(struct drm_device *drm, struct drm_file *file, struct drm_sched_job *job,
		      const struct drm_tessera_sync *syncs, u32 count, bool wfs,
		      struct tessera_signal *sig, u32 *nsig);
void tessera_signals_install(struct tessera_signal *sig, u32 nsig, struct dma_fence *fence);
void tessera_signals_put(struct tessera_signal *sig, u32 nsig);
struct tessera_fence *tessera_fence_alloc(struct tessera_device *tdev);
void tessera_fence_free(struct tessera_fence *fence);
void tessera_ring_retire_upto(struct tessera_ring *ring, u64 seqno, int error);
void tessera_recover(struct tessera_ring *ring, struct tessera_fence *fence);
void tessera_sched_restart(struct tessera_ring *ring);

#endif /* __TESSERA_JOB_H__ */
