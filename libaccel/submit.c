// SPDX-License-Identifier: MIT
/*
 * libaccel: queues and submission.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdlib.h>

#include "accel_priv.h"

_Static_assert((int)ACCEL_ENGINE_COMPUTE == (int)DRM_TESSERA_ENGINE_CLASS_COMPUTE &&
	       (int)ACCEL_ENGINE_DMA == (int)DRM_TESSERA_ENGINE_CLASS_DMA, "engine classes");
_Static_assert((int)ACCEL_PRIORITY_LOW == (int)DRM_TESSERA_QUEUE_PRIORITY_LOW &&
	       (int)ACCEL_PRIORITY_NORMAL == (int)DRM_TESSERA_QUEUE_PRIORITY_NORMAL &&
	       (int)ACCEL_PRIORITY_HIGH == (int)DRM_TESSERA_QUEUE_PRIORITY_HIGH, "priorities");
_Static_assert(ACCEL_ENGINE_ANY == DRM_TESSERA_ENGINE_ANY, "any engine");
/* One sync of each submit is the command buffer's own (accel_cmdbuf_busy_sync). */
_Static_assert(ACCEL_MAX_SYNCS + 1 == DRM_TESSERA_MAX_SYNCS &&
	       ACCEL_MAX_BO_USES == DRM_TESSERA_MAX_BO_REFS, "limits");

int accel_queue_new(struct accel_vm *vm, uint32_t engine_class, uint32_t engine,
		    uint32_t priority, struct accel_queue **out)
{
	struct drm_tessera_queue_create qc = {
		.vm_id = vm->id, .engine_class = engine_class, .engine = engine,
		.priority = priority,
	};
	struct accel_queue *q;
	int ret;

	if (engine_class > ACCEL_ENGINE_DMA || priority > ACCEL_PRIORITY_HIGH)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	ret = accel_ioctl(vm->dev->fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc);
	if (ret) {
		free(q);
		return ret;
	}
	accel_vm_get(vm);
	q->dev = vm->dev;
	q->vm = vm;
	q->id = qc.queue_id;
	*out = q;
	return 0;
}

ACCEL_EXPORT int accel_queue_create(struct accel_device *dev, enum accel_engine_class engine_class,
				    enum accel_priority priority, struct accel_queue **out)
{
	if (!dev || !out)
		return -EINVAL;
	return accel_queue_new(dev->default_vm, engine_class, ACCEL_ENGINE_ANY, priority, out);
}

ACCEL_EXPORT int accel_vm_queue_create(struct accel_vm *vm, enum accel_engine_class engine_class,
				       uint32_t engine, enum accel_priority priority,
				       struct accel_queue **out)
{
	if (!vm || !out)
		return -EINVAL;
	return accel_queue_new(vm, engine_class, engine, priority, out);
}

ACCEL_EXPORT void accel_queue_destroy(struct accel_queue *q)
{
	struct drm_tessera_queue_destroy qd = { 0 };

	if (!q)
		return;
	qd.queue_id = q->id;
	accel_ioctl(q->dev->fd, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &qd);
	accel_vm_put(q->vm);
	free(q);
}

ACCEL_EXPORT struct accel_vm *accel_queue_vm(const struct accel_queue *q)
{
	return q->vm;
}

/*
 * SUBMIT @cb on @q with @n syncs (room for one more, the buffer's own) and
 * @nbos buffer references.
 */
static int accel_job_submit(struct accel_queue *q, struct accel_cmdbuf *cb,
			    struct drm_tessera_sync *syncs, uint32_t n,
			    const struct drm_tessera_bo_ref *refs, uint32_t nbos, uint64_t *seqno)
{
	struct drm_tessera_submit submit = { 0 };
	uint64_t va;
	int ret;

	ret = accel_cmdbuf_va(cb, q->vm, &va);
	if (ret)
		return ret;
	syncs[n++] = accel_cmdbuf_busy_sync(cb);
	submit.queue_id = q->id;
	submit.cmd_va = va;
	submit.cmd_size = (uint32_t)(cb->used_dw * sizeof(uint32_t));
	submit.syncs = (struct drm_tessera_obj_array){
		.stride = sizeof(*syncs), .count = n, .ptr = (uintptr_t)syncs,
	};
	if (nbos)
		submit.bos = (struct drm_tessera_obj_array){
			.stride = sizeof(*refs), .count = nbos, .ptr = (uintptr_t)refs,
		};
	ret = accel_ioctl(q->dev->fd, DRM_IOCTL_TESSERA_SUBMIT, &submit);
	if (ret)
		return ret;
	accel_cmdbuf_submitted(cb);
	if (seqno)
		*seqno = submit.seqno;
	return 0;
}

/* accel_submit()'s queue for @engine: one per engine, created on first use. */
static int accel_engine_queue(struct accel_device *dev, uint32_t engine, struct accel_queue **out)
{
	uint32_t cls = engine < dev->num_compute_engines ? ACCEL_ENGINE_COMPUTE : ACCEL_ENGINE_DMA;
	int ret = 0;

	pthread_mutex_lock(&dev->lock);
	if (!dev->engine_queue[engine])
		ret = accel_queue_new(dev->default_vm, cls, engine, ACCEL_PRIORITY_NORMAL,
				      &dev->engine_queue[engine]);
	*out = dev->engine_queue[engine];
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

ACCEL_EXPORT int accel_submit(struct accel_cmdbuf *cb, const struct accel_submit_args *arg,
			      uint64_t *seqno)
{
	struct drm_tessera_sync syncs[3];
	struct accel_submit_args args;
	struct accel_queue *q;
	struct accel_device *dev;
	uint32_t n = 0;
	int ret;

	if (!cb || !cb->used_dw ||
	    accel_struct_in(&args, sizeof(args), arg, ACCEL_SUBMIT_ARGS_SIZE_2_0))
		return -EINVAL;
	dev = cb->dev;
	if (args.engine >= dev->num_engines)
		return -EINVAL;
	if ((args.wait && args.wait->dev != dev) || (args.signal && args.signal->dev != dev))
		return -ENOENT;
	ret = accel_engine_queue(dev, args.engine, &q);
	if (ret)
		return ret;
	if (args.wait)
		syncs[n++] = (struct drm_tessera_sync){
			.handle = args.wait->syncobj, .flags = DRM_TESSERA_SYNC_WAIT,
		};
	if (args.signal)
		syncs[n++] = (struct drm_tessera_sync){
			.handle = args.signal->syncobj, .flags = DRM_TESSERA_SYNC_SIGNAL,
		};
	return accel_job_submit(q, cb, syncs, n, NULL, 0, seqno);
}

ACCEL_EXPORT int accel_queue_submit(struct accel_queue *q, struct accel_cmdbuf *cb,
				    const struct accel_sync *waits, uint32_t num_waits,
				    const struct accel_sync *signals, uint32_t num_signals,
				    const struct accel_bo_use *bos, uint32_t num_bos)
{
	struct drm_tessera_sync syncs[DRM_TESSERA_MAX_SYNCS];
	struct drm_tessera_bo_ref *refs = NULL;
	uint32_t i, n = 0;
	int ret;

	if (!q || !cb || !cb->used_dw || (num_waits && !waits) || (num_signals && !signals) ||
	    (num_bos && !bos) || num_waits > ACCEL_MAX_SYNCS ||
	    num_signals > ACCEL_MAX_SYNCS - num_waits || num_bos > ACCEL_MAX_BO_USES)
		return -EINVAL;
	if (cb->dev != q->dev)
		return -ENOENT;
	for (i = 0; i < num_waits; i++) {
		if (!waits[i].fence || (waits[i].flags & ~ACCEL_SYNC_WAIT_FOR_SUBMIT))
			return -EINVAL;
		if (waits[i].fence->dev != q->dev)
			return -ENOENT;
		syncs[n++] = (struct drm_tessera_sync){
			.handle = waits[i].fence->syncobj,
			.flags = DRM_TESSERA_SYNC_WAIT |
				 (waits[i].flags & ACCEL_SYNC_WAIT_FOR_SUBMIT ?
				  DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT : 0),
			.point = waits[i].point,
		};
	}
	for (i = 0; i < num_signals; i++) {
		if (!signals[i].fence || signals[i].flags)
			return -EINVAL;
		if (signals[i].fence->dev != q->dev)
			return -ENOENT;
		syncs[n++] = (struct drm_tessera_sync){
			.handle = signals[i].fence->syncobj,
			.flags = DRM_TESSERA_SYNC_SIGNAL,
			.point = signals[i].point,
		};
	}
	if (num_bos) {
		refs = calloc(num_bos, sizeof(*refs));
		if (!refs)
			return -ENOMEM;
		for (i = 0; i < num_bos; i++) {
			if (!bos[i].bo || (bos[i].flags & ~ACCEL_BO_USE_WRITE)) {
				free(refs);
				return -EINVAL;
			}
			if (bos[i].bo->dev != q->dev) {
				free(refs);
				return -ENOENT;
			}
			refs[i].handle = bos[i].bo->handle;
			refs[i].flags = bos[i].flags & ACCEL_BO_USE_WRITE ?
					DRM_TESSERA_BO_REF_WRITE : 0;
		}
	}
	ret = accel_job_submit(q, cb, syncs, n, refs, num_bos, NULL);
	free(refs);
	return ret;
}
