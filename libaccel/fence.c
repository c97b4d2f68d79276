// SPDX-License-Identifier: MIT
/*
 * libaccel: fences (DRM syncobjs, binary or timeline), waits with the
 * job's status, CPU signalling, sync_file import and export.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "accel_priv.h"

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

int64_t accel_abs_timeout(uint64_t timeout_ns)
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
	int ret, status = 0;

	ret = accel_point_wait_status(fence, point, 0, &status);
	return ret ? ret : status;
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
	ret = accel_point_wait_status(fence, point, deadline, &status);
	if (ret != -ESRCH)
		return ret ? ret : status;
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
