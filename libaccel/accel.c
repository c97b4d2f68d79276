// SPDX-License-Identifier: MIT
/*
 * libaccel: devices, buffers, fences, command buffers and submission.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "accel/accel.h"
#include "tessera_accel.h"

#define ACCEL_EXPORT __attribute__((visibility("default")))
#define ACCEL_DRIVER "tessera"
#define ACCEL_MAX_DEVICES 64

struct accel_device {
	int fd;
	char path[64];
};

struct accel_bo {
	struct accel_device *dev;
	uint32_t handle;
	uint64_t size;
	uint64_t va;
	void *map;
};

struct accel_fence {
	struct accel_device *dev;
	uint32_t syncobj;
};

struct accel_cmdbuf {
	struct accel_bo *bo;
	uint32_t *cmds;
	size_t capacity_dw;
	size_t used_dw;
};

static int accel_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

ACCEL_EXPORT const char *accel_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case ENODEV:
		return "no such accelerator, or it is gone";
	case ETIME:
		return "timed out waiting for the accelerator";
	case EIO:
		return "the job failed on the accelerator";
	case ENOSPC:
		return "command buffer is full";
	case ECANCELED:
		return "the job was cancelled by an engine reset";
	default:
		return strerror(err);
	}
}

/* Is /sys/class/accel/@name bound to the tessera driver? */
static int accel_sysfs_is_tessera(const char *name)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/accel/%s/device/driver", name);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	base = strrchr(target, '/');
	return strcmp(base ? base + 1 : target, ACCEL_DRIVER) == 0;
}

static int accel_minor_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Minor numbers of the tessera accel nodes, sorted; returns the count. */
static int accel_list_minors(int *minors, int max)
{
	struct dirent *de;
	int count = 0;
	DIR *dir;

	dir = opendir("/sys/class/accel");
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		unsigned int minor;
		char tail;

		if (sscanf(de->d_name, "accel%u%c", &minor, &tail) != 1)
			continue;
		if (!accel_sysfs_is_tessera(de->d_name) || count == max)
			continue;
		minors[count++] = (int)minor;
	}
	closedir(dir);
	qsort(minors, count, sizeof(*minors), accel_minor_cmp);
	return count;
}

ACCEL_EXPORT int accel_device_count(void)
{
	int minors[ACCEL_MAX_DEVICES];

	return accel_list_minors(minors, ACCEL_MAX_DEVICES);
}

ACCEL_EXPORT int accel_device_open(unsigned int index, struct accel_device **out)
{
	int minors[ACCEL_MAX_DEVICES];
	char path[64];
	int count;

	count = accel_list_minors(minors, ACCEL_MAX_DEVICES);
	if (count < 0)
		return count;
	if (index >= (unsigned int)count)
		return -ENODEV;
	snprintf(path, sizeof(path), "/dev/accel/accel%d", minors[index]);
	return accel_device_open_path(path, out);
}

ACCEL_EXPORT int accel_device_open_path(const char *path, struct accel_device **out)
{
	struct accel_device *dev;
	drmVersionPtr ver;
	int fd, ret;

	if (!path || !out || strlen(path) >= sizeof(dev->path))
		return -EINVAL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	ver = drmGetVersion(fd);
	if (!ver) {
		ret = -ENODEV;
		goto err_close;
	}
	ret = strcmp(ver->name, ACCEL_DRIVER) ? -ENODEV : 0;
	drmFreeVersion(ver);
	if (ret)
		goto err_close;

	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		ret = -ENOMEM;
		goto err_close;
	}
	dev->fd = fd;
	snprintf(dev->path, sizeof(dev->path), "%s", path);
	*out = dev;
	return 0;

err_close:
	close(fd);
	return ret;
}

ACCEL_EXPORT void accel_device_close(struct accel_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

ACCEL_EXPORT int accel_device_fd(const struct accel_device *dev)
{
	return dev->fd;
}

static int accel_param(struct accel_device *dev, uint32_t param, uint64_t *value)
{
	struct drm_tessera_get_param gp = { .param = param };
	int ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_GET_PARAM, &gp);

	if (!ret)
		*value = gp.value;
	return ret;
}

/* PCI slot of the device behind an accel node, from its sysfs link. */
static void accel_pci_slot(const struct accel_device *dev, char *slot, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *name = strrchr(dev->path, '/');
	const char *base;
	ssize_t n;

	slot[0] = '\0';
	snprintf(link, sizeof(link), "/sys/class/accel/%s/device", name ? name + 1 : dev->path);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) < len)
		memcpy(slot, base, strlen(base) + 1);
}

ACCEL_EXPORT int accel_device_query(struct accel_device *dev, struct accel_device_info *info)
{
	struct accel_device_info i = { .pci_vendor_id = 0x1234 };
	uint64_t v;
	drmVersionPtr ver;
	int ret;

	if (!dev || !info)
		return -EINVAL;
#define PARAM(p, field) do {					\
		ret = accel_param(dev, DRM_TESSERA_PARAM_##p, &v);	\
		if (ret)						\
			return ret;					\
		i.field = v;						\
	} while (0)
	PARAM(DEVICE_ID, pci_device_id);
	PARAM(REVISION, pci_revision);
	PARAM(NUM_ENGINES, num_engines);
	PARAM(NUM_COMPUTE_ENGINES, num_compute_engines);
	PARAM(NUM_DMA_ENGINES, num_dma_engines);
	PARAM(DEVICE_MEM_SIZE, device_memory_size);
	PARAM(SERIAL, serial);
	PARAM(CMD_SIZE_MAX, cmd_size_max);
	PARAM(HW_VERSION, hw_version_minor);
#undef PARAM
	i.hw_version_major = i.hw_version_minor >> 16;
	i.hw_version_minor &= 0xffff;
	accel_pci_slot(dev, i.pci_slot, sizeof(i.pci_slot));

	ver = drmGetVersion(dev->fd);
	if (!ver)
		return -errno ? -errno : -ENODEV;
	snprintf(i.driver_name, sizeof(i.driver_name), "%s", ver->name);
	i.driver_version_major = ver->version_major;
	i.driver_version_minor = ver->version_minor;
	drmFreeVersion(ver);

	*info = i;
	return 0;
}

ACCEL_EXPORT int accel_bo_alloc(struct accel_device *dev, uint64_t size, struct accel_bo **out)
{
	struct drm_tessera_bo_create create = { .size = size };
	struct drm_tessera_bo_info info = { 0 };
	struct drm_gem_close close_args = { 0 };
	struct accel_bo *bo;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;

	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_BO_CREATE, &create);
	if (ret)
		goto err_free;
	info.handle = create.handle;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_BO_INFO, &info);
	if (ret)
		goto err_close;
	bo->map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
		       (off_t)info.mmap_offset);
	if (bo->map == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	bo->dev = dev;
	bo->handle = create.handle;
	bo->size = info.size;
	bo->va = info.va;
	*out = bo;
	return 0;

err_close:
	close_args.handle = create.handle;
	accel_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
err_free:
	free(bo);
	return ret;
}

ACCEL_EXPORT void accel_bo_free(struct accel_bo *bo)
{
	struct drm_gem_close close_args = { 0 };

	if (!bo)
		return;
	munmap(bo->map, bo->size);
	close_args.handle = bo->handle;
	accel_ioctl(bo->dev->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
	free(bo);
}

ACCEL_EXPORT uint64_t accel_bo_size(const struct accel_bo *bo)
{
	return bo->size;
}

ACCEL_EXPORT uint64_t accel_bo_va(const struct accel_bo *bo)
{
	return bo->va;
}

ACCEL_EXPORT uint32_t accel_bo_handle(const struct accel_bo *bo)
{
	return bo->handle;
}

ACCEL_EXPORT int accel_bo_map(struct accel_bo *bo, void **ptr)
{
	if (!bo || !ptr)
		return -EINVAL;
	*ptr = bo->map;
	return 0;
}

ACCEL_EXPORT int accel_fence_create(struct accel_device *dev, struct accel_fence **out)
{
	struct accel_fence *fence;
	int ret;

	if (!dev || !out)
		return -EINVAL;
	fence = calloc(1, sizeof(*fence));
	if (!fence)
		return -ENOMEM;
	if (drmSyncobjCreate(dev->fd, 0, &fence->syncobj)) {
		ret = -errno;
		free(fence);
		return ret;
	}
	fence->dev = dev;
	*out = fence;
	return 0;
}

ACCEL_EXPORT void accel_fence_destroy(struct accel_fence *fence)
{
	if (!fence)
		return;
	drmSyncobjDestroy(fence->dev->fd, fence->syncobj);
	free(fence);
}

ACCEL_EXPORT uint32_t accel_fence_syncobj(const struct accel_fence *fence)
{
	return fence->syncobj;
}

/* Error status of a signaled fence: 0, or the job's negative errno. */
static int accel_fence_status(struct accel_fence *fence)
{
	struct sync_file_info info = { 0 };
	int sync_fd = -1, ret;

	if (drmSyncobjExportSyncFile(fence->dev->fd, fence->syncobj, &sync_fd))
		return -errno;
	ret = ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info) ? -errno : 0;
	close(sync_fd);
	if (ret)
		return ret;
	return info.status < 0 ? info.status : 0;
}

ACCEL_EXPORT int accel_fence_wait(struct accel_fence *fence, uint64_t timeout_ns)
{
	struct timespec now;
	int64_t abs_ns;

	if (!fence)
		return -EINVAL;
	if (timeout_ns == ACCEL_TIMEOUT_INFINITE || timeout_ns > INT64_MAX / 2) {
		abs_ns = INT64_MAX;
	} else {
		clock_gettime(CLOCK_MONOTONIC, &now);
		abs_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + (int64_t)timeout_ns;
	}
	if (drmSyncobjWait(fence->dev->fd, &fence->syncobj, 1, abs_ns,
			   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL))
		return -errno;
	return accel_fence_status(fence);
}

ACCEL_EXPORT int accel_fence_is_signaled(struct accel_fence *fence)
{
	if (!fence)
		return -EINVAL;
	if (drmSyncobjWait(fence->dev->fd, &fence->syncobj, 1, 0, 0, NULL))
		return errno == ETIME || errno == EINVAL ? 0 : -errno;
	return 1;
}

ACCEL_EXPORT int accel_encode_nop(uint32_t *buf, size_t capacity, uint32_t dwords)
{
	if (!buf || dwords == 0 || dwords > 0xffff)
		return -EINVAL;
	if (dwords > capacity)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, dwords);
	memset(&buf[1], 0, (dwords - 1) * sizeof(uint32_t));
	return (int)dwords;
}

ACCEL_EXPORT int accel_encode_fill(uint32_t *buf, size_t capacity, uint64_t dst_va,
				   uint32_t size, uint32_t pattern)
{
	if (!buf || (dst_va & 3) || (size & 3) || !size)
		return -EINVAL;
	if (capacity < TESSERA_CMD_FILL_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
	buf[1] = (uint32_t)dst_va;
	buf[2] = (uint32_t)(dst_va >> 32);
	buf[3] = size;
	buf[4] = pattern;
	return TESSERA_CMD_FILL_LEN;
}

ACCEL_EXPORT int accel_encode_copy(uint32_t *buf, size_t capacity, uint64_t src_va,
				   uint64_t dst_va, uint32_t size)
{
	if (!buf || !size || src_va > UINT64_MAX - size || dst_va > UINT64_MAX - size)
		return -EINVAL;
	if (src_va < dst_va + size && dst_va < src_va + size)
		return -EINVAL;
	if (capacity < TESSERA_CMD_COPY_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN);
	buf[1] = (uint32_t)src_va;
	buf[2] = (uint32_t)(src_va >> 32);
	buf[3] = (uint32_t)dst_va;
	buf[4] = (uint32_t)(dst_va >> 32);
	buf[5] = size;
	return TESSERA_CMD_COPY_LEN;
}

ACCEL_EXPORT int accel_cmdbuf_create(struct accel_device *dev, size_t capacity,
				     struct accel_cmdbuf **out)
{
	struct accel_cmdbuf *cb;
	uint64_t max;
	int ret;

	if (!dev || !out || capacity < sizeof(uint32_t))
		return -EINVAL;
	ret = accel_param(dev, DRM_TESSERA_PARAM_CMD_SIZE_MAX, &max);
	if (ret)
		return ret;
	if (capacity > max)
		return -EINVAL;
	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	ret = accel_bo_alloc(dev, capacity, &cb->bo);
	if (ret) {
		free(cb);
		return ret;
	}
	cb->cmds = cb->bo->map;
	cb->capacity_dw = capacity / sizeof(uint32_t);
	*out = cb;
	return 0;
}

ACCEL_EXPORT void accel_cmdbuf_destroy(struct accel_cmdbuf *cb)
{
	if (!cb)
		return;
	accel_bo_free(cb->bo);
	free(cb);
}

ACCEL_EXPORT void accel_cmdbuf_reset(struct accel_cmdbuf *cb)
{
	cb->used_dw = 0;
}

ACCEL_EXPORT size_t accel_cmdbuf_size(const struct accel_cmdbuf *cb)
{
	return cb->used_dw * sizeof(uint32_t);
}

ACCEL_EXPORT int accel_cmdbuf_nop(struct accel_cmdbuf *cb, uint32_t dwords)
{
	int n;

	if (!cb)
		return -EINVAL;
	n = accel_encode_nop(cb->cmds + cb->used_dw, cb->capacity_dw - cb->used_dw, dwords);
	if (n < 0)
		return n;
	cb->used_dw += (size_t)n;
	return 0;
}

ACCEL_EXPORT int accel_cmdbuf_fill(struct accel_cmdbuf *cb, uint64_t dst_va, uint32_t size,
				   uint32_t pattern)
{
	int n;

	if (!cb)
		return -EINVAL;
	n = accel_encode_fill(cb->cmds + cb->used_dw, cb->capacity_dw - cb->used_dw, dst_va,
			      size, pattern);
	if (n < 0)
		return n;
	cb->used_dw += (size_t)n;
	return 0;
}

ACCEL_EXPORT int accel_cmdbuf_copy(struct accel_cmdbuf *cb, uint64_t src_va, uint64_t dst_va,
				   uint32_t size)
{
	int n;

	if (!cb)
		return -EINVAL;
	n = accel_encode_copy(cb->cmds + cb->used_dw, cb->capacity_dw - cb->used_dw, src_va,
			      dst_va, size);
	if (n < 0)
		return n;
	cb->used_dw += (size_t)n;
	return 0;
}

ACCEL_EXPORT int accel_submit(struct accel_cmdbuf *cb, const struct accel_submit_args *args,
			      uint64_t *seqno)
{
	struct drm_tessera_submit submit = { 0 };
	struct accel_device *dev;
	int ret;

	if (!cb || !args || !cb->used_dw)
		return -EINVAL;
	dev = cb->bo->dev;
	if ((args->wait && args->wait->dev != dev) || (args->signal && args->signal->dev != dev))
		return -ENOENT;

	submit.cmd_handle = cb->bo->handle;
	submit.cmd_size = (uint32_t)(cb->used_dw * sizeof(uint32_t));
	submit.engine = args->engine;
	submit.in_syncobj = args->wait ? args->wait->syncobj : 0;
	submit.out_syncobj = args->signal ? args->signal->syncobj : 0;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_SUBMIT, &submit);
	if (!ret && seqno)
		*seqno = submit.seqno;
	return ret;
}
