// SPDX-License-Identifier: MIT
/*
 * libaccel: buffers, their CPU mappings and the device's handle table.
 *
 * Every accel_bo of a device is in the device's handle table, keyed by
 * GEM handle, so that importing a dma-buf whose buffer the file already
 * has (its own export, or a dma-buf imported before: the kernel returns
 * the existing handle) yields the existing accel_bo with one more
 * reference, as libdrm_amdgpu does.  The table lock is held across the
 * import ioctl and across the last free's GEM_CLOSE, so an import never
 * finds a handle that is being closed.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "accel_priv.h"

_Static_assert(ACCEL_BO_DEVICE_MEM == DRM_TESSERA_BO_DEVICE_MEM &&
	       ACCEL_BO_WC == DRM_TESSERA_BO_WC, "BO flags follow the uapi");

#define ACCEL_BO_SIZE_MAX	(4ull << 30)

static unsigned int accel_bo_bucket(uint32_t handle)
{
	return (handle * 2654435761u) >> 24 & (ACCEL_BO_BUCKETS - 1);
}

/* Called with dev->bo_lock held. */
static struct accel_bo *accel_bo_lookup(struct accel_device *dev, uint32_t handle)
{
	struct accel_bo *bo;

	for (bo = dev->bo_table[accel_bo_bucket(handle)]; bo; bo = bo->hnext)
		if (bo->handle == handle)
			return bo;
	return NULL;
}

/* Called with dev->bo_lock held. */
static void accel_bo_unlink(struct accel_bo *bo)
{
	struct accel_bo **pp = &bo->dev->bo_table[accel_bo_bucket(bo->handle)];

	while (*pp != bo)
		pp = &(*pp)->hnext;
	*pp = bo->hnext;
}

static void accel_gem_close(struct accel_device *dev, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	accel_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* Called with dev->bo_lock held. */
static void accel_bo_link(struct accel_bo *bo)
{
	struct accel_bo **head = &bo->dev->bo_table[accel_bo_bucket(bo->handle)];

	bo->hnext = *head;
	*head = bo;
}

/*
 * Wrap GEM handle @handle (of size @size, placement @flags) in a new
 * accel_bo bound @bind_flags in the default VM.  Closes nothing on
 * failure; the caller enters it in the handle table.
 */
static int accel_bo_wrap(struct accel_device *dev, uint32_t handle, uint64_t size,
			 uint32_t flags, uint64_t mmap_offset, uint32_t bind_flags,
			 struct accel_bo **out)
{
	struct accel_bo *bo;
	int ret;

	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;
	if (pthread_mutex_init(&bo->map_lock, NULL)) {
		free(bo);
		return -ENOMEM;
	}
	bo->dev = dev;
	bo->handle = handle;
	bo->size = size;
	bo->flags = flags;
	bo->mmap_offset = mmap_offset;
	bo->refs = 1;
	ret = accel_vm_map_lib(dev->default_vm, bo, bind_flags, &bo->range);
	if (ret) {
		pthread_mutex_destroy(&bo->map_lock);
		free(bo);
		return ret;
	}
	*out = bo;
	return 0;
}

int accel_bo_create(struct accel_device *dev, uint64_t size, uint32_t flags,
		    uint32_t bind_flags, struct accel_bo **out)
{
	struct drm_tessera_bo_create c = { .size = size, .flags = flags };
	struct accel_bo *bo;
	int ret;

	if (!dev || !out || !size || size > ACCEL_BO_SIZE_MAX ||
	    (flags & ~DRM_TESSERA_BO_FLAGS_VALID))
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_BO_CREATE, &c);
	if (ret)
		return ret;
	/* A new handle: nobody else can import it before we return. */
	ret = accel_bo_wrap(dev, c.handle, c.size, flags, c.mmap_offset, bind_flags, &bo);
	if (ret) {
		accel_gem_close(dev, c.handle);
		return ret;
	}
	pthread_mutex_lock(&dev->bo_lock);
	accel_bo_link(bo);
	pthread_mutex_unlock(&dev->bo_lock);
	*out = bo;
	return 0;
}

ACCEL_EXPORT int accel_bo_alloc_flags(struct accel_device *dev, uint64_t size, uint32_t flags,
				      struct accel_bo **out)
{
	return accel_bo_create(dev, size, flags, ACCEL_BIND_READ | ACCEL_BIND_WRITE, out);
}

ACCEL_EXPORT int accel_bo_alloc(struct accel_device *dev, uint64_t size, struct accel_bo **out)
{
	return accel_bo_alloc_flags(dev, size, 0, out);
}

ACCEL_EXPORT int accel_bo_import(struct accel_device *dev, int fd, struct accel_bo **out)
{
	struct drm_tessera_bo_info info = { 0 };
	struct accel_bo *bo;
	uint32_t handle;
	int ret;

	if (!dev || !out || fd < 0)
		return -EINVAL;
	pthread_mutex_lock(&dev->bo_lock);
	if (drmPrimeFDToHandle(dev->fd, fd, &handle)) {
		ret = -errno;
		goto out;
	}
	bo = accel_bo_lookup(dev, handle);
	if (bo) {
		bo->refs++;
		*out = bo;
		ret = 0;
		goto out;
	}
	info.handle = handle;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_BO_INFO, &info);
	if (!ret)
		ret = accel_bo_wrap(dev, handle, info.size, info.flags, info.mmap_offset,
				    ACCEL_BIND_READ | ACCEL_BIND_WRITE, &bo);
	if (ret) {
		accel_gem_close(dev, handle);
		goto out;
	}
	accel_bo_link(bo);
	*out = bo;
out:
	pthread_mutex_unlock(&dev->bo_lock);
	return ret;
}

ACCEL_EXPORT int accel_bo_export(struct accel_bo *bo, int *fd)
{
	int out;

	if (!bo || !fd || (bo->flags & DRM_TESSERA_BO_DEVICE_MEM))
		return -EINVAL;
	if (drmPrimeHandleToFD(bo->dev->fd, bo->handle, DRM_CLOEXEC | DRM_RDWR, &out))
		return -errno;
	*fd = out;
	return 0;
}

ACCEL_EXPORT void accel_bo_free(struct accel_bo *bo)
{
	struct accel_device *dev;

	if (!bo)
		return;
	dev = bo->dev;
	pthread_mutex_lock(&dev->bo_lock);
	if (--bo->refs) {
		pthread_mutex_unlock(&dev->bo_lock);
		return;
	}
	accel_bo_unlink(bo);
	/* Under the lock: an import cannot find the handle while it closes. */
	accel_gem_close(dev, bo->handle);
	pthread_mutex_unlock(&dev->bo_lock);
	/* Unbound once the card is done with it; the binding holds the memory. */
	accel_vm_release_lib(dev->default_vm, bo->range);
	accel_bo_unmap(bo);
	pthread_mutex_destroy(&bo->map_lock);
	free(bo);
}

ACCEL_EXPORT uint64_t accel_bo_size(const struct accel_bo *bo)
{
	return bo->size;
}

ACCEL_EXPORT uint64_t accel_bo_va(const struct accel_bo *bo)
{
	return bo->range->va;
}

ACCEL_EXPORT uint32_t accel_bo_handle(const struct accel_bo *bo)
{
	return bo->handle;
}

ACCEL_EXPORT uint32_t accel_bo_flags(const struct accel_bo *bo)
{
	return bo->flags;
}

ACCEL_EXPORT int accel_bo_map(struct accel_bo *bo, void **ptr)
{
	void *map;
	int ret = 0;

	if (!bo || !ptr)
		return -EINVAL;
	pthread_mutex_lock(&bo->map_lock);
	if (!bo->map) {
		if (!bo->mmap_offset) {
			ret = -EOPNOTSUPP;
			goto out;
		}
		map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, bo->dev->fd,
			   (off_t)bo->mmap_offset);
		if (map == MAP_FAILED) {
			ret = -errno;
			goto out;
		}
		bo->map = map;
	}
	*ptr = bo->map;
out:
	pthread_mutex_unlock(&bo->map_lock);
	return ret;
}

ACCEL_EXPORT void accel_bo_unmap(struct accel_bo *bo)
{
	if (!bo)
		return;
	pthread_mutex_lock(&bo->map_lock);
	if (bo->map)
		munmap(bo->map, bo->size);
	bo->map = NULL;
	pthread_mutex_unlock(&bo->map_lock);
}

ACCEL_EXPORT int accel_bo_is_mapped(const struct accel_bo *bo)
{
	struct accel_bo *b = (struct accel_bo *)bo;
	int mapped;

	if (!bo)
		return 0;
	pthread_mutex_lock(&b->map_lock);
	mapped = b->map != NULL;
	pthread_mutex_unlock(&b->map_lock);
	return mapped;
}
