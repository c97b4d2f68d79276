// SPDX-License-Identifier: MIT
/*
 * libaccel: VMs (device address spaces), binds, and the bindings the
 * library makes itself.
 *
 * The library binds buffers of the default VM and command buffers at VAs
 * of the VM's allocator.  Releasing such a binding must not wait for the
 * card (accel_bo_free() and accel_cmdbuf_destroy() never do), so it is an
 * asynchronous UNMAP on the VM's bind queue, which the kernel runs after
 * every job already submitted on the VM; the VA returns to the allocator
 * only once that unbind has signalled, so that no later bind at the same
 * VA can be undone by it.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdlib.h>

#include "accel_priv.h"

_Static_assert(ACCEL_BIND_READ == DRM_TESSERA_BIND_READ &&
	       ACCEL_BIND_WRITE == DRM_TESSERA_BIND_WRITE &&
	       ACCEL_BIND_EXEC == DRM_TESSERA_BIND_EXEC, "bind flags follow the uapi");
_Static_assert(ACCEL_VM_GUILTY == DRM_TESSERA_VM_GUILTY &&
	       ACCEL_VM_BANNED == DRM_TESSERA_VM_BANNED, "VM status flags follow the uapi");
_Static_assert(ACCEL_ACCESS_READ == DRM_TESSERA_ACCESS_READ &&
	       ACCEL_ACCESS_WRITE == DRM_TESSERA_ACCESS_WRITE &&
	       ACCEL_ACCESS_FETCH == DRM_TESSERA_ACCESS_FETCH, "access types follow the uapi");

/* One VM_BIND op, synchronous, or asynchronous signalling @signal. */
static int accel_vm_bind_op(struct accel_vm *vm, const struct drm_tessera_vm_bind_op *op,
			    const struct drm_tessera_sync *signal)
{
	struct drm_tessera_vm_bind b = {
		.vm_id = vm->id,
		.flags = signal ? DRM_TESSERA_VM_BIND_ASYNC : 0,
		.ops = { .stride = sizeof(*op), .count = 1, .ptr = (uintptr_t)op },
	};

	if (signal)
		b.syncs = (struct drm_tessera_obj_array){
			.stride = sizeof(*signal), .count = 1, .ptr = (uintptr_t)signal,
		};
	return accel_ioctl(vm->dev->fd, DRM_IOCTL_TESSERA_VM_BIND, &b);
}

int accel_vm_new(struct accel_device *dev, bool is_default, struct accel_vm **out)
{
	struct drm_tessera_vm_create c = { 0 };
	struct accel_vm *vm;
	int ret;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	ret = accel_va_init(&vm->va, dev->va_start, dev->va_end);
	if (ret)
		goto err_free;
	if (pthread_mutex_init(&vm->lock, NULL)) {
		ret = -ENOMEM;
		goto err_va;
	}
	if (drmSyncobjCreate(dev->fd, 0, &vm->bind_tl)) {
		ret = -errno;
		goto err_lock;
	}
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_VM_CREATE, &c);
	if (ret)
		goto err_syncobj;
	vm->dev = dev;
	vm->id = c.vm_id;
	vm->is_default = is_default;
	atomic_init(&vm->refs, 1);
	*out = vm;
	return 0;

err_syncobj:
	drmSyncobjDestroy(dev->fd, vm->bind_tl);
err_lock:
	pthread_mutex_destroy(&vm->lock);
err_va:
	accel_va_fini(&vm->va);
err_free:
	free(vm);
	return ret;
}

void accel_vm_get(struct accel_vm *vm)
{
	atomic_fetch_add(&vm->refs, 1);
}

void accel_vm_put(struct accel_vm *vm)
{
	struct drm_tessera_vm_destroy d = { 0 };
	struct accel_vm_range *r;

	if (atomic_fetch_sub(&vm->refs, 1) != 1)
		return;
	/* The kernel removes the bindings once the card is done with them. */
	d.vm_id = vm->id;
	accel_ioctl(vm->dev->fd, DRM_IOCTL_TESSERA_VM_DESTROY, &d);
	drmSyncobjDestroy(vm->dev->fd, vm->bind_tl);
	while ((r = vm->pending)) {
		vm->pending = r->next;
		free(r);
	}
	pthread_mutex_destroy(&vm->lock);
	accel_va_fini(&vm->va);
	free(vm);
}

/* Give back the VAs of released ranges whose unbind has signalled. */
static void accel_vm_reap(struct accel_vm *vm, bool wait)
{
	struct accel_vm_range **pp, *r, *done = NULL;
	uint64_t signaled = 0, newest = 0;

	pthread_mutex_lock(&vm->lock);
	if (!vm->pending) {
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	newest = vm->bind_point;
	pthread_mutex_unlock(&vm->lock);
	/* Unbinds run in order on the bind queue: the newest one is the last. */
	if (wait)
		drmSyncobjTimelineWait(vm->dev->fd, &vm->bind_tl, &newest, 1, INT64_MAX,
				       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
	if (drmSyncobjQuery(vm->dev->fd, &vm->bind_tl, &signaled, 1))
		return;
	pthread_mutex_lock(&vm->lock);
	for (pp = &vm->pending; (r = *pp);) {
		if (r->point <= signaled) {
			*pp = r->next;
			r->next = done;
			done = r;
		} else {
			pp = &r->next;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	while ((r = done)) {
		done = r->next;
		accel_va_free(&vm->va, r->va, r->size);
		free(r);
	}
}

/* A VA from @vm's allocator, waiting for pending unbinds if it is full. */
static int accel_vm_va_get(struct accel_vm *vm, uint64_t size, uint64_t align, uint64_t *va)
{
	int ret;

	accel_vm_reap(vm, false);
	ret = accel_va_alloc(&vm->va, size, align, va);
	if (ret == -ENOSPC) {
		pthread_mutex_lock(&vm->lock);
		ret = vm->pending ? 1 : 0;
		pthread_mutex_unlock(&vm->lock);
		if (!ret)
			return -ENOSPC;
		accel_vm_reap(vm, true);
		ret = accel_va_alloc(&vm->va, size, align, va);
	}
	return ret;
}

int accel_vm_map_lib(struct accel_vm *vm, struct accel_bo *bo, uint32_t bind_flags,
		     struct accel_vm_range **out)
{
	struct drm_tessera_vm_bind_op op = {
		.op = DRM_TESSERA_BIND_OP_MAP, .flags = bind_flags, .handle = bo->handle,
	};
	struct accel_vm_range *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->size = (bo->size + ACCEL_PAGE_SIZE - 1) & ~(ACCEL_PAGE_SIZE - 1);
	ret = accel_vm_va_get(vm, r->size, 0, &r->va);
	if (ret)
		goto err_free;
	op.va = r->va;
	op.size = r->size;
	ret = accel_vm_bind_op(vm, &op, NULL);
	if (ret)
		goto err_va;
	*out = r;
	return 0;

err_va:
	accel_va_free(&vm->va, r->va, r->size);
err_free:
	free(r);
	return ret;
}

void accel_vm_release_lib(struct accel_vm *vm, struct accel_vm_range *r)
{
	struct drm_tessera_vm_bind_op op = {
		.op = DRM_TESSERA_BIND_OP_UNMAP, .va = r->va, .size = r->size,
	};
	struct drm_tessera_sync signal = { .flags = DRM_TESSERA_SYNC_SIGNAL };
	int ret;

	pthread_mutex_lock(&vm->lock);
	/* Points in the order the kernel receives the unbinds. */
	signal.handle = vm->bind_tl;
	signal.point = vm->bind_point + 1;
	ret = accel_vm_bind_op(vm, &op, &signal);
	if (!ret) {
		vm->bind_point++;
		r->point = vm->bind_point;
		r->next = vm->pending;
		vm->pending = r;
	}
	pthread_mutex_unlock(&vm->lock);
	if (ret) {
		/*
		 * The card is gone or the kernel out of memory: nothing more
		 * can be done for the range; a later bind there replaces
		 * whatever is left of it.
		 */
		accel_va_free(&vm->va, r->va, r->size);
		free(r);
	}
}

ACCEL_EXPORT struct accel_vm *accel_device_default_vm(struct accel_device *dev)
{
	return dev ? dev->default_vm : NULL;
}

ACCEL_EXPORT int accel_vm_create(struct accel_device *dev, struct accel_vm **out)
{
	if (!dev || !out)
		return -EINVAL;
	return accel_vm_new(dev, false, out);
}

ACCEL_EXPORT void accel_vm_destroy(struct accel_vm *vm)
{
	if (!vm || vm->is_default)
		return;
	accel_vm_put(vm);
}

ACCEL_EXPORT struct accel_device *accel_vm_device(const struct accel_vm *vm)
{
	return vm->dev;
}

ACCEL_EXPORT uint32_t accel_vm_id(const struct accel_vm *vm)
{
	return vm->id;
}

static bool accel_bind_range_ok(const struct accel_vm *vm, uint64_t va, uint64_t size)
{
	return size && !(va & (ACCEL_PAGE_SIZE - 1)) && !(size & (ACCEL_PAGE_SIZE - 1)) &&
	       va >= vm->dev->va_start && va <= vm->dev->va_end &&
	       size <= vm->dev->va_end - va;
}

ACCEL_EXPORT int accel_vm_bind(struct accel_vm *vm, struct accel_bo *bo, uint64_t offset,
			       uint64_t va, uint64_t size, uint32_t flags)
{
	struct drm_tessera_vm_bind_op op = { .op = DRM_TESSERA_BIND_OP_MAP };

	if (!vm || !bo || bo->dev != vm->dev || !accel_bind_range_ok(vm, va, size) ||
	    (offset & (ACCEL_PAGE_SIZE - 1)) || offset > bo->size || size > bo->size - offset ||
	    (flags & ~(ACCEL_BIND_READ | ACCEL_BIND_WRITE | ACCEL_BIND_EXEC)) ||
	    !(flags & (ACCEL_BIND_READ | ACCEL_BIND_WRITE)) ||
	    ((flags & ACCEL_BIND_EXEC) && !(flags & ACCEL_BIND_READ)))
		return -EINVAL;
	op.flags = flags;
	op.handle = bo->handle;
	op.bo_offset = offset;
	op.va = va;
	op.size = size;
	return accel_vm_bind_op(vm, &op, NULL);
}

ACCEL_EXPORT int accel_vm_unbind(struct accel_vm *vm, uint64_t va, uint64_t size)
{
	struct drm_tessera_vm_bind_op op = { .op = DRM_TESSERA_BIND_OP_UNMAP };

	if (!vm || !accel_bind_range_ok(vm, va, size))
		return -EINVAL;
	op.va = va;
	op.size = size;
	return accel_vm_bind_op(vm, &op, NULL);
}

ACCEL_EXPORT int accel_vm_va_alloc(struct accel_vm *vm, uint64_t size, uint64_t align,
				   uint64_t *va)
{
	uint64_t out;
	int ret;

	if (!vm || !va)
		return -EINVAL;
	ret = accel_vm_va_get(vm, size, align, &out);
	if (!ret)
		*va = out;
	return ret;
}

ACCEL_EXPORT int accel_vm_va_free(struct accel_vm *vm, uint64_t va, uint64_t size)
{
	if (!vm)
		return -EINVAL;
	return accel_va_free(&vm->va, va, size);
}

ACCEL_EXPORT int accel_vm_status(struct accel_vm *vm, struct accel_vm_status *st)
{
	struct drm_tessera_vm_status s = { 0 };
	struct accel_vm_status out = { .size = sizeof(out) };
	int ret;

	if (!vm || !st)
		return -EINVAL;
	s.vm_id = vm->id;
	ret = accel_ioctl(vm->dev->fd, DRM_IOCTL_TESSERA_VM_STATUS, &s);
	if (ret)
		return ret;
	out.flags = s.flags;
	out.fault_count = s.fault_count;
	out.fault_code = s.fault_code;
	out.fault_access = s.fault_access;
	out.fault_engine = s.fault_engine;
	out.fault_va = s.fault_va;
	return accel_struct_out(st, &out, sizeof(out), ACCEL_VM_STATUS_SIZE_2_0);
}
