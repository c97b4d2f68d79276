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

#define TESSERA_FENCE_BYTES	(TESSERA_CMD_FENCE_LEN * sizeof(u32))

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
};

/**
 * struct tessera_job - one submitted command buffer
 */
struct tessera_job {
	/** @base: scheduler job */
	struct drm_sched_job base;
	/** @tdev: the device */
	struct tessera_device *tdev;
	/** @cmd: validated copy of the commands, plus the FENCE */
	__le32 *cmd;
	/** @cmd_dma: bus address of @cmd */
	dma_addr_t cmd_dma;
	/** @cmd_size: bytes in @cmd including the FENCE */
	u32 cmd_size;
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
};

static inline struct tessera_ring *tessera_job_ring(struct tessera_job *job)
{
	return container_of(job->base.sched, struct tessera_ring, sched);
}

void tessera_job_free(struct tessera_job *job);

#endif /* __TESSERA_JOB_H__ */
