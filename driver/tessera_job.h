/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tessera T1 accelerator: jobs and their hardware fences.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef __TESSERA_JOB_H__
#define __TESSERA_JOB_H__

#include <linux/dma-fence.h>
#include <drm/gpu_scheduler.h>

#include "tessera_drv.h"

/**
 * struct tessera_fence - hardware fence of one job on one ring
 */
struct tessera_fence {
	/** @base: the fence; its lock is the ring's fence_lock */
	struct dma_fence base;
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
 * struct tessera_job - one submitted command buffer
 */
struct tessera_job {
	/** @base: scheduler job */
	struct drm_sched_job base;
	/** @tdev: the device */
	struct tessera_device *tdev;
	/** @cmd_bo: the buffer holding the commands (referenced) */
	struct drm_gem_object *cmd_bo;
	/** @cmd_va: device VA of the commands in the job's context */
	u64 cmd_va;
	/** @cmd_size: bytes of commands */
	u32 cmd_size;
	/** @vm: the job's context (referenced) */
	struct tessera_vm *vm;
	/**
	 * @fence: allocated at submit so that run_job, on the fence
	 * signaling path, does not allocate; initialized by run_job
	 */
	struct tessera_fence *fence;
	/** @hw_fence: &fence->base once run_job initialized it */
	struct dma_fence *hw_fence;
	/** @bos: buffer objects the job holds until it is freed */
	struct drm_gem_object **bos;
	/** @num_bos: entries in @bos */
	u32 num_bos;
	/** @pm_ref: the job keeps the card awake (runtime PM) until freed */
	bool pm_ref;
};

static inline struct tessera_ring *tessera_job_ring(struct tessera_job *job)
{
	return container_of(job->base.sched, struct tessera_ring, sched);
}

void tessera_job_free(struct tessera_job *job);
void tessera_ring_retire_upto(struct tessera_ring *ring, u64 seqno, int error);
void tessera_recover(struct tessera_ring *ring, struct tessera_fence *fence);
void tessera_sched_restart(struct tessera_ring *ring);

#endif /* __TESSERA_JOB_H__ */
