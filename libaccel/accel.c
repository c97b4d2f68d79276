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
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <stdbool.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "accel/accel.h"
#include "tessera_accel.h"
#include "accel/tessera_cmd.h"

#define ACCEL_EXPORT __attribute__((visibility("default")))
#define ACCEL_DRIVER "tessera"
#define ACCEL_MAX_DEVICES 64

/* Immutable after accel_device_open_path(): safe to share between threads. */
struct accel_device {
	int fd;
	char path[64];
	/* the driver has DRM_IOCTL_TESSERA_FENCE_WAIT (wait + job status) */
	bool has_fence_wait;
};

struct accel_bo {
	struct accel_device *dev;
	uint32_t handle;
	uint64_t size;
	uint64_t va;
	uint32_t flags;
	void *map;
};

struct accel_queue {
	struct accel_device *dev;
	uint32_t id;
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
	/*
	 * A timeline whose point busy_point is the fence of the last job
	 * submitted from this buffer: the card reads the commands when the
	 * job runs, so accel_cmdbuf_reset() waits for that point (timeline
	 * points signal in order: all earlier jobs are done too) before the
	 * buffer is recorded again.
	 */
	uint32_t busy;
	uint64_t busy_point;
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
	{
		struct drm_tessera_get_param gp = { .param = DRM_TESSERA_PARAM_CAPABILITIES };

		dev->has_fence_wait = !drmIoctl(fd, DRM_IOCTL_TESSERA_GET_PARAM, &gp) &&
				      (gp.value & DRM_TESSERA_CAP_FENCE_WAIT);
	}
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

/* Describe and map the GEM buffer @handle of @dev; closes it on failure. */
static int accel_bo_wrap(struct accel_device *dev, uint32_t handle, struct accel_bo **out)
{
	struct drm_tessera_bo_info info = { .handle = handle };
	struct drm_gem_close close_args = { .handle = handle };
	struct accel_bo *bo;
	int ret;

	bo = calloc(1, sizeof(*bo));
	if (!bo) {
		ret = -ENOMEM;
		goto err_close;
	}
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_BO_INFO, &info);
	if (ret)
		goto err_free;
	bo->map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
		       (off_t)info.mmap_offset);
	if (bo->map == MAP_FAILED) {
		ret = -errno;
		goto err_free;
	}
	bo->dev = dev;
	bo->handle = handle;
	bo->size = info.size;
	bo->va = info.va;
	bo->flags = info.flags;
	*out = bo;
	return 0;

err_free:
	free(bo);
err_close:
	accel_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
	return ret;
}

ACCEL_EXPORT int accel_bo_alloc_flags(struct accel_device *dev, uint64_t size, uint32_t flags,
				      struct accel_bo **out)
{
	struct drm_tessera_bo_create create = { .size = size };
	int ret;

	if (!dev || !out || !size || size > (4ull << 30) || (flags & ~DRM_TESSERA_BO_FLAGS_VALID))
		return -EINVAL;
	create.flags = flags;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_BO_CREATE, &create);
	if (ret)
		return ret;
	return accel_bo_wrap(dev, create.handle, out);
}

ACCEL_EXPORT int accel_bo_alloc(struct accel_device *dev, uint64_t size, struct accel_bo **out)
{
	return accel_bo_alloc_flags(dev, size, 0, out);
}

ACCEL_EXPORT uint32_t accel_bo_flags(const struct accel_bo *bo)
{
	return bo->flags;
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

ACCEL_EXPORT int accel_bo_import(struct accel_device *dev, int fd, struct accel_bo **out)
{
	uint32_t handle;

	if (!dev || !out || fd < 0)
		return -EINVAL;
	if (drmPrimeFDToHandle(dev->fd, fd, &handle))
		return -errno;
	return accel_bo_wrap(dev, handle, out);
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

ACCEL_EXPORT int accel_fence_wait(struct accel_fence *fence, uint64_t timeout_ns)
{
	/* A binary syncobj is point 0 of the timeline calls. */
	return accel_fence_wait_point(fence, 0, timeout_ns);
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
	if (drmSyncobjCreate(dev->fd, 0, &cb->busy)) {
		ret = -errno;
		accel_bo_free(cb->bo);
		free(cb);
		return ret;
	}
	cb->cmds = cb->bo->map;
	cb->capacity_dw = capacity / sizeof(uint32_t);
	*out = cb;
	return 0;
}

/* Wait until no job submitted from @cb may still read its commands. */
static void accel_cmdbuf_idle(struct accel_cmdbuf *cb)
{
	/* A failed job's fence signals too, and a lost device fails all. */
	if (cb->busy_point)
		drmSyncobjTimelineWait(cb->bo->dev->fd, &cb->busy, &cb->busy_point, 1, INT64_MAX,
				       0, NULL);
}

/* The submit's sync entry that marks @cb busy until the job is done. */
static struct drm_tessera_sync accel_cmdbuf_busy_sync(struct accel_cmdbuf *cb)
{
	return (struct drm_tessera_sync){
		.handle = cb->busy, .flags = DRM_TESSERA_SYNC_SIGNAL, .point = cb->busy_point + 1,
	};
}

ACCEL_EXPORT void accel_cmdbuf_destroy(struct accel_cmdbuf *cb)
{
	if (!cb)
		return;
	/* The job holds the buffer object; the syncobj may go at once. */
	drmSyncobjDestroy(cb->bo->dev->fd, cb->busy);
	accel_bo_free(cb->bo);
	free(cb);
}

ACCEL_EXPORT void accel_cmdbuf_reset(struct accel_cmdbuf *cb)
{
	accel_cmdbuf_idle(cb);
	cb->used_dw = 0;
}

ACCEL_EXPORT size_t accel_cmdbuf_size(const struct accel_cmdbuf *cb)
{
	return cb->used_dw * sizeof(uint32_t);
}

/*
 * Each accel_cmdbuf_<command>() is its accel_encode_<command>() aimed at the
 * free space at the end of the command buffer, ACCEL_CMDBUF_FREE_SPACE(cb)
 * (the buf and capacity arguments, in dwords), followed by
 * accel_cmdbuf_commit() with what the encoder returned.
 */
#define ACCEL_CMDBUF_FREE_SPACE(cb) (cb)->cmds + (cb)->used_dw, (cb)->capacity_dw - (cb)->used_dw

/*
 * accel_cmdbuf_commit() - keep a command just encoded into @cb's free space
 * @encoded: the encoder's return: the command's length in dwords, or -errno
 *           (-EINVAL, or -ENOSPC when it does not fit), which leaves @cb as it was
 *
 * Returns 0 or that -errno.
 */
static int accel_cmdbuf_commit(struct accel_cmdbuf *cb, int encoded)
{
	if (encoded < 0)
		return encoded;
	cb->used_dw += (size_t)encoded;
	return 0;
}

ACCEL_EXPORT int accel_cmdbuf_nop(struct accel_cmdbuf *cb, uint32_t dwords)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_nop(ACCEL_CMDBUF_FREE_SPACE(cb), dwords));
}

ACCEL_EXPORT int accel_cmdbuf_fill(struct accel_cmdbuf *cb, uint64_t dst_va, uint32_t size,
				   uint32_t pattern)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_fill(ACCEL_CMDBUF_FREE_SPACE(cb),
							 dst_va, size, pattern));
}

ACCEL_EXPORT int accel_cmdbuf_copy(struct accel_cmdbuf *cb, uint64_t src_va, uint64_t dst_va,
				   uint32_t size)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_copy(ACCEL_CMDBUF_FREE_SPACE(cb),
							 src_va, dst_va, size));
}

ACCEL_EXPORT int accel_submit(struct accel_cmdbuf *cb, const struct accel_submit_args *args,
			      uint64_t *seqno)
{
	struct drm_tessera_submit submit = { 0 };
	struct drm_tessera_sync sync;
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
	sync = accel_cmdbuf_busy_sync(cb);
	submit.num_syncs = 1;
	submit.syncs = (uintptr_t)&sync;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_SUBMIT, &submit);
	if (!ret)
		cb->busy_point++;
	if (!ret && seqno)
		*seqno = submit.seqno;
	return ret;
}

/* ------------------------------------------------------------------ */
/* LIBACCEL_1.1                                                        */
/* ------------------------------------------------------------------ */

_Static_assert(ACCEL_BO_DEVICE_MEM == DRM_TESSERA_BO_DEVICE_MEM &&
	       ACCEL_BO_WC == DRM_TESSERA_BO_WC, "BO flags follow the uapi");
_Static_assert((int)ACCEL_ENGINE_COMPUTE == (int)DRM_TESSERA_ENGINE_CLASS_COMPUTE &&
	       (int)ACCEL_ENGINE_DMA == (int)DRM_TESSERA_ENGINE_CLASS_DMA, "engine classes");
_Static_assert((int)ACCEL_PRIORITY_LOW == (int)DRM_TESSERA_QUEUE_PRIORITY_LOW &&
	       (int)ACCEL_PRIORITY_HIGH == (int)DRM_TESSERA_QUEUE_PRIORITY_HIGH, "priorities");
/* One sync of each submit is the command buffer's own (accel_cmdbuf_busy_sync). */
_Static_assert(ACCEL_MAX_SYNCS + 1 == DRM_TESSERA_MAX_SYNCS &&
	       ACCEL_MAX_BO_USES == DRM_TESSERA_MAX_BO_REFS, "limits");
_Static_assert(ACCEL_DTYPE_FP32 == TESSERA_DTYPE_FP32 && ACCEL_DTYPE_FP16 == TESSERA_DTYPE_FP16 &&
	       ACCEL_DTYPE_BF16 == TESSERA_DTYPE_BF16 && ACCEL_DTYPE_INT8 == TESSERA_DTYPE_INT8 &&
	       ACCEL_DTYPE_INT32 == TESSERA_DTYPE_INT32, "dtypes");
_Static_assert(ACCEL_GEMM_TRANS_A == TESSERA_GEMM_TRANS_A &&
	       ACCEL_GEMM_TRANS_B == TESSERA_GEMM_TRANS_B &&
	       ACCEL_GEMM_BIAS == TESSERA_GEMM_BIAS, "GEMM flags");
_Static_assert(ACCEL_ACT_GELU == TESSERA_ACT_GELU && ACCEL_ACT_RELU == TESSERA_ACT_RELU,
	       "activations");
_Static_assert(ACCEL_EW_ADD == TESSERA_EW_ADD && ACCEL_EW_MUL == TESSERA_EW_MUL &&
	       ACCEL_EW_SCALE == TESSERA_EW_SCALE && ACCEL_EW_CAST == TESSERA_EW_CAST,
	       "elementwise ops");
_Static_assert(ACCEL_LN_GAMMA == TESSERA_LN_GAMMA && ACCEL_LN_BETA == TESSERA_LN_BETA,
	       "layernorm flags");
_Static_assert(ACCEL_SEM_WAIT == TESSERA_SEM_WAIT && ACCEL_SEM_SIGNAL == TESSERA_SEM_SIGNAL &&
	       ACCEL_SEM_ADD == TESSERA_SEM_ADD, "semaphore ops");

ACCEL_EXPORT int accel_queue_create(struct accel_device *dev, enum accel_engine_class engine_class,
				    enum accel_priority priority, struct accel_queue **out)
{
	struct drm_tessera_queue_create qc = { 0 };
	struct drm_tessera_queue_destroy qd = { 0 };
	struct accel_queue *q;
	int ret;

	if (!dev || !out || (unsigned int)engine_class > ACCEL_ENGINE_DMA ||
	    (unsigned int)priority > ACCEL_PRIORITY_HIGH)
		return -EINVAL;
	qc.engine_class = engine_class;
	qc.priority = priority;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &qc);
	if (ret)
		return ret;
	q = calloc(1, sizeof(*q));
	if (!q) {
		qd.queue_id = qc.queue_id;
		accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &qd);
		return -ENOMEM;
	}
	q->dev = dev;
	q->id = qc.queue_id;
	*out = q;
	return 0;
}

ACCEL_EXPORT void accel_queue_destroy(struct accel_queue *q)
{
	struct drm_tessera_queue_destroy qd = { 0 };

	if (!q)
		return;
	qd.queue_id = q->id;
	accel_ioctl(q->dev->fd, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &qd);
	free(q);
}

ACCEL_EXPORT int accel_queue_submit(struct accel_queue *q, struct accel_cmdbuf *cb,
				    const struct accel_sync *waits, uint32_t num_waits,
				    const struct accel_sync *signals, uint32_t num_signals,
				    const struct accel_bo_use *bos, uint32_t num_bos)
{
	struct drm_tessera_sync syncs[DRM_TESSERA_MAX_SYNCS];
	struct drm_tessera_submit submit = { 0 };
	struct drm_tessera_bo_ref *refs = NULL;
	uint32_t i, n = 0;
	int ret;

	if (!q || !cb || !cb->used_dw || (num_waits && !waits) || (num_signals && !signals) ||
	    (num_bos && !bos) || num_waits > ACCEL_MAX_SYNCS ||
	    num_signals > ACCEL_MAX_SYNCS - num_waits || num_bos > DRM_TESSERA_MAX_BO_REFS)
		return -EINVAL;
	if (cb->bo->dev != q->dev)
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
	submit.cmd_handle = cb->bo->handle;
	submit.cmd_size = (uint32_t)(cb->used_dw * sizeof(uint32_t));
	syncs[n++] = accel_cmdbuf_busy_sync(cb);
	submit.queue_id = q->id;
	submit.num_syncs = n;
	submit.syncs = (uintptr_t)syncs;
	submit.num_bos = num_bos;
	submit.bos = (uintptr_t)refs;
	ret = accel_ioctl(q->dev->fd, DRM_IOCTL_TESSERA_SUBMIT, &submit);
	if (!ret)
		cb->busy_point++;
	free(refs);
	return ret;
}

static int64_t accel_abs_timeout(uint64_t timeout_ns)
{
	struct timespec now;

	if (timeout_ns == ACCEL_TIMEOUT_INFINITE || timeout_ns > INT64_MAX / 2)
		return INT64_MAX;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec + (int64_t)timeout_ns;
}

/* A sync_file of @point of @fence (0: its latest fence). */
static int accel_point_sync_file(struct accel_fence *fence, uint64_t point, int *sync_fd)
{
	int fd = fence->dev->fd, ret = 0;
	uint32_t tmp;

	if (!point)
		return drmSyncobjExportSyncFile(fd, fence->syncobj, sync_fd) ? -errno : 0;
	if (drmSyncobjCreate(fd, 0, &tmp))
		return -errno;
	if (drmSyncobjTransfer(fd, tmp, 0, fence->syncobj, point, 0) ||
	    drmSyncobjExportSyncFile(fd, tmp, sync_fd))
		ret = -errno;
	drmSyncobjDestroy(fd, tmp);
	return ret;
}

/*
 * Wait for @point with the driver's FENCE_WAIT until @abs_ns (0: poll) and
 * store the job's status in @status.  -ESRCH: nothing submitted for the
 * point yet.
 */
static int accel_point_wait_status(struct accel_fence *fence, uint64_t point, int64_t abs_ns,
				   int *status)
{
	struct drm_tessera_fence_wait w = {
		.handle = fence->syncobj, .point = point, .timeout_ns = abs_ns,
	};

	if (drmIoctl(fence->dev->fd, DRM_IOCTL_TESSERA_FENCE_WAIT, &w))
		return -errno;
	*status = w.status;
	return 0;
}

/* Error status of a signaled point: 0, or the job's negative errno. */
static int accel_point_status(struct accel_fence *fence, uint64_t point)
{
	struct sync_file_info info = { 0 };
	int sync_fd = -1, ret, status = 0;

	if (fence->dev->has_fence_wait &&
	    !accel_point_wait_status(fence, point, 0, &status))
		return status;
	ret = accel_point_sync_file(fence, point, &sync_fd);
	if (ret)
		return ret;
	ret = ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info) ? -errno : 0;
	close(sync_fd);
	if (ret)
		return ret;
	return info.status < 0 ? info.status : 0;
}

ACCEL_EXPORT int accel_fence_wait_point(struct accel_fence *fence, uint64_t point,
					uint64_t timeout_ns)
{
	int64_t deadline;
	int ret, status = 0;

	if (!fence)
		return -EINVAL;
	deadline = accel_abs_timeout(timeout_ns);
	/* One system call when the point's job is already submitted. */
	if (fence->dev->has_fence_wait) {
		ret = accel_point_wait_status(fence, point, deadline, &status);
		if (ret != -ESRCH)
			return ret ? ret : status;
	}
	if (drmSyncobjTimelineWait(fence->dev->fd, &fence->syncobj, &point, 1, deadline,
				   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL))
		return -errno;
	return accel_point_status(fence, point);
}

ACCEL_EXPORT int accel_fence_wait_many(struct accel_fence *const *fences, const uint64_t *points,
				       uint32_t count, uint32_t flags, uint64_t timeout_ns,
				       uint32_t *first)
{
	uint32_t handles[DRM_TESSERA_MAX_SYNCS], idx = 0, i;
	uint64_t pts[DRM_TESSERA_MAX_SYNCS];
	unsigned int wflags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	int ret;

	if (!fences || !count || count > DRM_TESSERA_MAX_SYNCS || (flags & ~ACCEL_WAIT_ALL))
		return -EINVAL;
	for (i = 0; i < count; i++) {
		if (!fences[i] || fences[i]->dev != fences[0]->dev)
			return -EINVAL;
		handles[i] = fences[i]->syncobj;
		pts[i] = points ? points[i] : 0;
	}
	if (flags & ACCEL_WAIT_ALL)
		wflags |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
	if (drmSyncobjTimelineWait(fences[0]->dev->fd, handles, pts, count,
				   accel_abs_timeout(timeout_ns), wflags, &idx))
		return -errno;
	if (flags & ACCEL_WAIT_ALL) {
		idx = 0;
		for (i = 0; i < count; i++) {
			ret = accel_point_status(fences[i], pts[i]);
			if (ret)
				return ret;
		}
	} else {
		if (idx >= count)
			return -EIO;
		ret = accel_point_status(fences[idx], pts[idx]);
		if (ret)
			return ret;
	}
	if (first)
		*first = idx;
	return 0;
}

ACCEL_EXPORT int accel_fence_query(struct accel_fence *fence, uint64_t *point)
{
	uint64_t p = 0;

	if (!fence || !point)
		return -EINVAL;
	if (drmSyncobjQuery(fence->dev->fd, &fence->syncobj, &p, 1))
		return -errno;
	*point = p;
	return 0;
}

ACCEL_EXPORT int accel_fence_signal_point(struct accel_fence *fence, uint64_t point)
{
	int ret;

	if (!fence)
		return -EINVAL;
	if (point)
		ret = drmSyncobjTimelineSignal(fence->dev->fd, &fence->syncobj, &point, 1);
	else
		ret = drmSyncobjSignal(fence->dev->fd, &fence->syncobj, 1);
	return ret ? -errno : 0;
}

ACCEL_EXPORT int accel_fence_export_sync_file(struct accel_fence *fence, uint64_t point,
					      int *sync_fd)
{
	int fd = -1, ret;

	if (!fence || !sync_fd)
		return -EINVAL;
	ret = accel_point_sync_file(fence, point, &fd);
	if (!ret)
		*sync_fd = fd;
	return ret;
}

ACCEL_EXPORT int accel_fence_import_sync_file(struct accel_fence *fence, uint64_t point,
					      int sync_fd)
{
	int fd, ret = 0;
	uint32_t tmp;

	if (!fence || sync_fd < 0)
		return -EINVAL;
	fd = fence->dev->fd;
	if (!point)
		return drmSyncobjImportSyncFile(fd, fence->syncobj, sync_fd) ? -errno : 0;
	if (drmSyncobjCreate(fd, 0, &tmp))
		return -errno;
	if (drmSyncobjImportSyncFile(fd, tmp, sync_fd) ||
	    drmSyncobjTransfer(fd, fence->syncobj, point, tmp, 0, 0))
		ret = -errno;
	drmSyncobjDestroy(fd, tmp);
	return ret;
}

ACCEL_EXPORT int accel_context_status(struct accel_device *dev, struct accel_context_status *st)
{
	struct drm_tessera_context_status cs = { 0 };
	int ret;

	if (!dev || !st)
		return -EINVAL;
	ret = accel_ioctl(dev->fd, DRM_IOCTL_TESSERA_CONTEXT_STATUS, &cs);
	if (ret)
		return ret;
	st->guilty = !!(cs.flags & DRM_TESSERA_CONTEXT_GUILTY);
	st->fault_count = cs.fault_count;
	st->fault_code = cs.fault_code;
	st->fault_access = cs.fault_access;
	st->fault_va = cs.fault_va;
	st->fault_engine = cs.fault_engine;
	return 0;
}

/* Encoders. */

static uint32_t accel_f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* Bytes per element of @dtype, 0 if unknown. */
static unsigned int accel_dtype_size(uint32_t dtype)
{
	switch (dtype) {
	case TESSERA_DTYPE_FP32:
	case TESSERA_DTYPE_INT32:
		return 4;
	case TESSERA_DTYPE_FP16:
	case TESSERA_DTYPE_BF16:
		return 2;
	case TESSERA_DTYPE_INT8:
		return 1;
	default:
		return 0;
	}
}

/*
 * A rows x cols operand with leading dimension ld at @va: as the device
 * checks it, and at a non-zero VA (0 marks unused operands and never holds
 * a buffer).
 */
static int accel_operand_ok(uint64_t va, uint32_t rows, uint32_t cols, uint32_t ld,
			    unsigned int es)
{
	uint64_t span;

	if (!va || !es || !rows || !cols || rows > ACCEL_MAX_DIM || cols > ACCEL_MAX_DIM ||
	    ld < cols || va % es)
		return 0;
	span = ((uint64_t)(rows - 1) * ld + cols) * es;
	return span <= ACCEL_MAX_OPERAND && va + span > va;
}

static void accel_put_va(uint32_t *dw, uint64_t va)
{
	dw[0] = (uint32_t)va;
	dw[1] = (uint32_t)(va >> 32);
}

ACCEL_EXPORT int accel_encode_timestamp(uint32_t *buf, size_t capacity, uint64_t addr)
{
	if (!buf || (addr & 7) || addr > UINT64_MAX - 8)
		return -EINVAL;
	if (capacity < TESSERA_CMD_TIMESTAMP_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_TIMESTAMP, 0, TESSERA_CMD_TIMESTAMP_LEN);
	buf[1] = 0;
	accel_put_va(&buf[2], addr);
	return TESSERA_CMD_TIMESTAMP_LEN;
}

ACCEL_EXPORT int accel_encode_semaphore(uint32_t *buf, size_t capacity, enum accel_sem_op op,
					uint64_t addr, uint32_t value)
{
	if (!buf || (unsigned int)op > ACCEL_SEM_ADD || (addr & 3) || addr > UINT64_MAX - 4)
		return -EINVAL;
	if (capacity < TESSERA_CMD_SEM_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, op, TESSERA_CMD_SEM_LEN);
	accel_put_va(&buf[1], addr);
	buf[3] = value;
	buf[4] = 0;
	return TESSERA_CMD_SEM_LEN;
}

ACCEL_EXPORT int accel_encode_gemm(uint32_t *buf, size_t capacity, const struct accel_gemm *g)
{
	unsigned int es, ces;
	int ta, tb;

	if (!buf || !g || g->dtype == TESSERA_DTYPE_INT32 || g->activation > TESSERA_ACT_GELU ||
	    (g->flags & ~(ACCEL_GEMM_TRANS_A | ACCEL_GEMM_TRANS_B | ACCEL_GEMM_BIAS)))
		return -EINVAL;
	es = accel_dtype_size(g->dtype);
	ces = g->dtype == TESSERA_DTYPE_INT8 ? 4 : es;
	ta = !!(g->flags & ACCEL_GEMM_TRANS_A);
	tb = !!(g->flags & ACCEL_GEMM_TRANS_B);
	if (!es || !accel_operand_ok(g->a, ta ? g->k : g->m, ta ? g->m : g->k, g->lda, es) ||
	    !accel_operand_ok(g->b, tb ? g->n : g->k, tb ? g->k : g->n, g->ldb, es) ||
	    !accel_operand_ok(g->c, g->m, g->n, g->ldc, ces) ||
	    ((g->flags & ACCEL_GEMM_BIAS) ? !accel_operand_ok(g->bias, 1, g->n, g->n, ces) :
					     g->bias != 0) ||
	    !isfinite(g->alpha) || !isfinite(g->beta))
		return -EINVAL;
	if (g->dtype == TESSERA_DTYPE_INT8 &&
	    (g->alpha != 1.0f || (g->beta != 0.0f && g->beta != 1.0f) ||
	     g->activation == TESSERA_ACT_GELU))
		return -EINVAL;
	if (capacity < TESSERA_CMD_GEMM_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_GEMM, g->flags, TESSERA_CMD_GEMM_LEN);
	buf[1] = g->dtype | (g->activation << 8);
	buf[2] = g->m;
	buf[3] = g->n;
	buf[4] = g->k;
	accel_put_va(&buf[5], g->a);
	buf[7] = g->lda;
	accel_put_va(&buf[8], g->b);
	buf[10] = g->ldb;
	accel_put_va(&buf[11], g->c);
	buf[13] = g->ldc;
	buf[14] = accel_f32_bits(g->alpha);
	buf[15] = accel_f32_bits(g->beta);
	accel_put_va(&buf[16], g->bias);
	return TESSERA_CMD_GEMM_LEN;
}

ACCEL_EXPORT int accel_encode_elementwise(uint32_t *buf, size_t capacity,
					  const struct accel_elementwise *e)
{
	unsigned int ses, des;
	int binary;

	if (!buf || !e || e->op > ACCEL_EW_CAST)
		return -EINVAL;
	ses = accel_dtype_size(e->src_dtype);
	des = accel_dtype_size(e->dst_dtype);
	if (!ses || !des)
		return -EINVAL;
	if (e->op != ACCEL_EW_CAST &&
	    (e->src_dtype != e->dst_dtype || e->src_dtype > TESSERA_DTYPE_BF16))
		return -EINVAL;
	binary = e->op == ACCEL_EW_ADD || e->op == ACCEL_EW_MUL;
	if (!accel_operand_ok(e->a, 1, e->count, e->count, ses) ||
	    !accel_operand_ok(e->d, 1, e->count, e->count, des) ||
	    (binary ? !accel_operand_ok(e->b, 1, e->count, e->count, ses) : e->b != 0) ||
	    (e->op != ACCEL_EW_SCALE && accel_f32_bits(e->scalar) != 0))
		return -EINVAL;
	if (capacity < TESSERA_CMD_EW_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_ELEMENTWISE, e->op, TESSERA_CMD_EW_LEN);
	buf[1] = e->src_dtype | (e->dst_dtype << 8);
	buf[2] = e->count;
	accel_put_va(&buf[3], e->a);
	accel_put_va(&buf[5], e->b);
	accel_put_va(&buf[7], e->d);
	buf[9] = accel_f32_bits(e->scalar);
	return TESSERA_CMD_EW_LEN;
}

static int accel_rowwise_ok(const struct accel_rowwise *r, uint32_t valid_flags)
{
	unsigned int es = accel_dtype_size(r->dtype);

	return r->dtype <= TESSERA_DTYPE_BF16 && !(r->flags & ~valid_flags) &&
	       accel_operand_ok(r->src, r->rows, r->cols, r->src_ld, es) &&
	       accel_operand_ok(r->dst, r->rows, r->cols, r->dst_ld, es) &&
	       ((r->flags & ACCEL_LN_GAMMA) ? accel_operand_ok(r->gamma, 1, r->cols, r->cols, es) :
					      r->gamma == 0) &&
	       ((r->flags & ACCEL_LN_BETA) ? accel_operand_ok(r->beta, 1, r->cols, r->cols, es) :
					     r->beta == 0);
}

ACCEL_EXPORT int accel_encode_softmax(uint32_t *buf, size_t capacity, const struct accel_rowwise *r)
{
	if (!buf || !r || !accel_rowwise_ok(r, 0) || accel_f32_bits(r->epsilon) != 0)
		return -EINVAL;
	if (capacity < TESSERA_CMD_SOFTMAX_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_SOFTMAX, 0, TESSERA_CMD_SOFTMAX_LEN);
	buf[1] = r->dtype;
	buf[2] = r->rows;
	buf[3] = r->cols;
	accel_put_va(&buf[4], r->src);
	buf[6] = r->src_ld;
	accel_put_va(&buf[7], r->dst);
	buf[9] = r->dst_ld;
	return TESSERA_CMD_SOFTMAX_LEN;
}

ACCEL_EXPORT int accel_encode_layernorm(uint32_t *buf, size_t capacity,
					const struct accel_rowwise *r)
{
	if (!buf || !r || !accel_rowwise_ok(r, ACCEL_LN_GAMMA | ACCEL_LN_BETA) ||
	    !(r->epsilon >= 0.0f) || !isfinite(r->epsilon))
		return -EINVAL;
	if (capacity < TESSERA_CMD_LN_LEN)
		return -ENOSPC;
	buf[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_LAYERNORM, r->flags, TESSERA_CMD_LN_LEN);
	buf[1] = r->dtype;
	buf[2] = r->rows;
	buf[3] = r->cols;
	accel_put_va(&buf[4], r->src);
	buf[6] = r->src_ld;
	accel_put_va(&buf[7], r->dst);
	buf[9] = r->dst_ld;
	accel_put_va(&buf[10], r->gamma);
	accel_put_va(&buf[12], r->beta);
	buf[14] = accel_f32_bits(r->epsilon);
	return TESSERA_CMD_LN_LEN;
}

ACCEL_EXPORT int accel_cmdbuf_timestamp(struct accel_cmdbuf *cb, uint64_t addr)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_timestamp(ACCEL_CMDBUF_FREE_SPACE(cb), addr));
}

ACCEL_EXPORT int accel_cmdbuf_semaphore(struct accel_cmdbuf *cb, enum accel_sem_op op,
					uint64_t addr, uint32_t value)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_semaphore(ACCEL_CMDBUF_FREE_SPACE(cb),
							      op, addr, value));
}

ACCEL_EXPORT int accel_cmdbuf_gemm(struct accel_cmdbuf *cb, const struct accel_gemm *g)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_gemm(ACCEL_CMDBUF_FREE_SPACE(cb), g));
}

ACCEL_EXPORT int accel_cmdbuf_elementwise(struct accel_cmdbuf *cb,
					  const struct accel_elementwise *e)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_elementwise(ACCEL_CMDBUF_FREE_SPACE(cb), e));
}

ACCEL_EXPORT int accel_cmdbuf_softmax(struct accel_cmdbuf *cb, const struct accel_rowwise *r)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_softmax(ACCEL_CMDBUF_FREE_SPACE(cb), r));
}

ACCEL_EXPORT int accel_cmdbuf_layernorm(struct accel_cmdbuf *cb, const struct accel_rowwise *r)
{
	if (!cb)
		return -EINVAL;
	return accel_cmdbuf_commit(cb, accel_encode_layernorm(ACCEL_CMDBUF_FREE_SPACE(cb), r));
}
