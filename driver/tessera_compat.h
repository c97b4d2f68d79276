/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernels tessera.ko builds for, in one place.
 *
 * Kbuild finds each difference in the kernel's own headers and defines
 * TESSERA_HAVE_<feature> when the newer form is there; this header maps
 * both forms onto one name the driver uses.  Supported: Debian's Linux
 * 6.12 (6.12.95 on) through 7.3.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef __TESSERA_COMPAT_H__
#define __TESSERA_COMPAT_H__

#include <drm/drm_gpuvm.h>
#include <drm/gpu_scheduler.h>

/*
 * Some 6.12 stable kernels (Debian's 6.12.107 on among them) carry the
 * buddy allocator as the built-in gpu_buddy; mainline 6.12 has it as the
 * drm_buddy module.  Same API, different names.
 */
#ifdef TESSERA_HAVE_GPU_BUDDY
#include <linux/gpu_buddy.h>
#define tessera_buddy			gpu_buddy
#define tessera_buddy_block		gpu_buddy_block
#define tessera_buddy_init		gpu_buddy_init
#define tessera_buddy_fini		gpu_buddy_fini
#define tessera_buddy_alloc_blocks	gpu_buddy_alloc_blocks
#define tessera_buddy_free_list		gpu_buddy_free_list
#define tessera_buddy_block_offset	gpu_buddy_block_offset
#define tessera_buddy_block_size	gpu_buddy_block_size
#define TESSERA_BUDDY_CONTIGUOUS	GPU_BUDDY_CONTIGUOUS_ALLOCATION
#else
#include <drm/drm_buddy.h>
#define tessera_buddy			drm_buddy
#define tessera_buddy_block		drm_buddy_block
#define tessera_buddy_init		drm_buddy_init
#define tessera_buddy_fini		drm_buddy_fini
#define tessera_buddy_alloc_blocks	drm_buddy_alloc_blocks
#define tessera_buddy_free_list		drm_buddy_free_list
#define tessera_buddy_block_offset	drm_buddy_block_offset
#define tessera_buddy_block_size	drm_buddy_block_size
#define TESSERA_BUDDY_CONTIGUOUS	DRM_BUDDY_CONTIGUOUS_ALLOCATION
#endif

/*
 * drm_sched_init() takes its arguments in a struct since 6.15 (Debian
 * 6.12.115 on); before that, as eleven parameters.  Older kernels get the
 * struct, with the fields of the one upstream, from here.
 */
#ifndef TESSERA_HAVE_SCHED_INIT_ARGS
/**
 * struct drm_sched_init_args - drm_sched_init()'s arguments, as in 6.15
 * @ops: the backend operations
 * @submit_wq: workqueue for run and free work, NULL for the scheduler's own
 * @timeout_wq: workqueue for timeout work, NULL for system_wq
 * @num_rqs: number of run queues (priorities)
 * @credit_limit: credits the hardware ring holds
 * @hang_limit: resubmissions of a hanging job before it is dropped
 * @timeout: job timeout in jiffies
 * @score: optional score shared between schedulers
 * @name: name for messages
 * @dev: the device, for messages
 */
struct drm_sched_init_args {
	const struct drm_sched_backend_ops *ops;
	struct workqueue_struct *submit_wq;
	struct workqueue_struct *timeout_wq;
	u32 num_rqs;
	u32 credit_limit;
	unsigned int hang_limit;
	long timeout;
	atomic_t *score;
	const char *name;
	struct device *dev;
};
#endif

static inline int tessera_drm_sched_init(struct drm_gpu_scheduler *sched,
					 const struct drm_sched_init_args *args)
{
#ifdef TESSERA_HAVE_SCHED_INIT_ARGS
	return drm_sched_init(sched, args);
#else
	return drm_sched_init(sched, args->ops, args->submit_wq, args->num_rqs,
			      args->credit_limit, args->hang_limit, args->timeout,
			      args->timeout_wq, args->score, args->name, args->dev);
#endif
}

/*
 * drm_sched_start() takes the error its cancelled jobs end with since
 * 6.13; 0 keeps the old behaviour.
 */
static inline void tessera_drm_sched_start(struct drm_gpu_scheduler *sched)
{
#ifdef TESSERA_HAVE_SCHED_START_ERRNO
	drm_sched_start(sched, 0);
#else
	drm_sched_start(sched);
#endif
}

/*
 * The status a timedout_job handler returns after resetting the hardware:
 * DRM_GPU_SCHED_STAT_NOMINAL until 6.17 renamed it.
 */
#ifdef TESSERA_HAVE_SCHED_STAT_RESET
#define TESSERA_SCHED_STAT_RESET	DRM_GPU_SCHED_STAT_RESET
#else
#define TESSERA_SCHED_STAT_RESET	DRM_GPU_SCHED_STAT_NOMINAL
#endif

/*
 * drm_sched_job_init() takes the submitting client's id (for its trace
 * points) since 6.16 (Debian 6.12.107 on).
 */
static inline int tessera_drm_sched_job_init(struct drm_sched_job *job,
					     struct drm_sched_entity *entity,
					     u32 credits, void *owner, u64 client_id)
{
#ifdef TESSERA_HAVE_SCHED_JOB_CLIENT_ID
	return drm_sched_job_init(job, entity, credits, owner, client_id);
#else
	return drm_sched_job_init(job, entity, credits, owner);
#endif
}

/*
 * Workqueues are per-CPU unless WQ_UNBOUND; 6.17 added WQ_PERCPU to say
 * so, and 7.x warns about a workqueue that says neither.
 */
#ifdef TESSERA_HAVE_WQ_PERCPU
#define TESSERA_WQ_PERCPU	WQ_PERCPU
#else
#define TESSERA_WQ_PERCPU	0
#endif

/*
 * drm_gpuvm: before 7.x the driver names the lock of a GEM object's gpuva
 * list (drm_gem_gpuva_set_lock(), DRIVER_GEM_GPUVA); since, the object has
 * its own mutex for it, used in DRM_GPUVM_IMMEDIATE_MODE, and
 * drm_gpuvm_bo_obtain_prealloc() takes it itself.
 */
#ifdef TESSERA_HAVE_DRIVER_GEM_GPUVA
#define TESSERA_DRIVER_GEM_GPUVA	DRIVER_GEM_GPUVA
#else
#define TESSERA_DRIVER_GEM_GPUVA	0
#endif

#ifdef TESSERA_HAVE_GEM_GPUVA_SET_LOCK
#define TESSERA_GPUVM_FLAGS		0
#else
#define TESSERA_GPUVM_FLAGS		DRM_GPUVM_IMMEDIATE_MODE
#endif

/*
 * tessera_gpuvm_bo_obtain_prealloc - drm_gpuvm_bo_obtain_prealloc() that
 * returns with @lock (the object's gpuva lock) held.
 */
static inline struct drm_gpuvm_bo *
tessera_gpuvm_bo_obtain_prealloc(struct drm_gpuvm_bo *vm_bo, struct mutex *lock)
{
#ifdef TESSERA_HAVE_GPUVM_BO_OBTAIN_LOCKED
	vm_bo = drm_gpuvm_bo_obtain_prealloc(vm_bo);
	mutex_lock(lock);
#else
	mutex_lock(lock);
	vm_bo = drm_gpuvm_bo_obtain_prealloc(vm_bo);
#endif
	return vm_bo;
}

static inline int tessera_gpuvm_sm_map(struct drm_gpuvm *gpuvm, void *priv, u64 addr,
				       u64 range, struct drm_gem_object *obj, u64 offset)
{
#ifdef TESSERA_HAVE_GPUVM_MAP_REQ
	const struct drm_gpuvm_map_req req = {
		.map.va.addr = addr,
		.map.va.range = range,
		.map.gem.obj = obj,
		.map.gem.offset = offset,
	};

	return drm_gpuvm_sm_map(gpuvm, priv, &req);
#else
	return drm_gpuvm_sm_map(gpuvm, priv, addr, range, obj, offset);
#endif
}

/* A kernel mapping of a GEM object, taking its reservation lock. */
#ifdef TESSERA_HAVE_GEM_VMAP_UNLOCKED
#define tessera_gem_vmap		drm_gem_vmap_unlocked
#define tessera_gem_vunmap		drm_gem_vunmap_unlocked
#else
#define tessera_gem_vmap		drm_gem_vmap
#define tessera_gem_vunmap		drm_gem_vunmap
#endif

#endif /* __TESSERA_COMPAT_H__ */
