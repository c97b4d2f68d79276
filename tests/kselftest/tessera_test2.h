/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the kselftests built against uAPI 2 (uapi/drm/tessera_accel.h).
 *
 * TRANSITIONAL: until the driver switches to uAPI 2, its VM ioctls sit at
 * staging numbers (driver/tessera_vm.h) and BO_INFO and FENCE_WAIT are
 * reached at their uAPI 1 numbers (same leading fields); the macros below
 * follow that, and go with the switch.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_TEST2_H
#define TESSERA_TEST2_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <xf86drm.h>

#include "tessera_accel.h"
#include "accel/tessera_cmd.h"

#define STAGING_VM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + 0x20, struct drm_tessera_vm_create)
#define STAGING_VM_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + 0x21, struct drm_tessera_vm_destroy)
#define STAGING_VM_BIND \
	DRM_IOWR(DRM_COMMAND_BASE + 0x22, struct drm_tessera_vm_bind)
#define STAGING_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + 0x23, struct drm_tessera_queue_create)
#define STAGING_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + 0x24, struct drm_tessera_submit)
#define STAGING_VM_STATUS \
	DRM_IOWR(DRM_COMMAND_BASE + 0x25, struct drm_tessera_vm_status)
#define V1_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + 0x02, struct drm_tessera_bo_info)
#define V1_FENCE_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + 0x07, struct drm_tessera_fence_wait)

#define VA_START	(2ull << 20)
#define VA_END		(1ull << 47)
#define SZ_4K		4096ull
#define SZ_2M		(2ull << 20)
#define GB		(1ull << 30)
#define RW		(DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE)
#define RX		(DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_EXEC)

static inline const char *t2_card(void)
{
	const char *c = getenv("TESSERA_CARD");

	return c && *c ? c : "0";
}

static inline unsigned int t2_time_scale(void)
{
	const char *s = getenv("TESSERA_TIME_SCALE");
	int v = s ? atoi(s) : 1;

	return v > 0 ? v : 1;
}

static inline int t2_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/accel/accel%s", t2_card());
	return open(path, O_RDWR | O_CLOEXEC);
}

static inline int t2_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static inline uint32_t t2_vm_create(int fd)
{
	struct drm_tessera_vm_create c = { 0 };

	return t2_ioctl(fd, STAGING_VM_CREATE, &c) ? 0 : c.vm_id;
}

static inline int t2_vm_destroy(int fd, uint32_t id)
{
	struct drm_tessera_vm_destroy d = { .vm_id = id };

	return t2_ioctl(fd, STAGING_VM_DESTROY, &d);
}

static inline int t2_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_tessera_bo_create c = { .size = size, .flags = flags };
	int ret = t2_ioctl(fd, DRM_IOCTL_TESSERA_BO_CREATE, &c);

	*handle = c.handle;
	return ret;
}

static inline int t2_bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return t2_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* CPU mapping of a whole buffer, or NULL. */
static inline void *t2_bo_map(int fd, uint32_t handle, uint64_t size)
{
	struct drm_tessera_bo_info i = { .handle = handle };
	void *p;

	if (t2_ioctl(fd, V1_BO_INFO, &i))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, i.mmap_offset);
	return p == MAP_FAILED ? NULL : p;
}

static inline struct drm_tessera_vm_bind_op t2_map_op(uint32_t handle, uint64_t off,
						      uint64_t va, uint64_t size,
						      uint32_t flags)
{
	return (struct drm_tessera_vm_bind_op){
		.op = DRM_TESSERA_BIND_OP_MAP, .flags = flags, .handle = handle,
		.bo_offset = off, .va = va, .size = size,
	};
}

static inline struct drm_tessera_vm_bind_op t2_unmap_op(uint64_t va, uint64_t size)
{
	return (struct drm_tessera_vm_bind_op){
		.op = DRM_TESSERA_BIND_OP_UNMAP, .va = va, .size = size,
	};
}

/* VM_BIND of @n ops; with @signal (a syncobj) asynchronous, signalling it. */
static inline int t2_bind(int fd, uint32_t vm, const struct drm_tessera_vm_bind_op *ops,
			  uint32_t n, uint32_t signal)
{
	struct drm_tessera_sync sync = { .handle = signal, .flags = DRM_TESSERA_SYNC_SIGNAL };
	struct drm_tessera_vm_bind b = {
		.vm_id = vm, .flags = signal ? DRM_TESSERA_VM_BIND_ASYNC : 0,
		.ops = { .stride = sizeof(*ops), .count = n, .ptr = (uintptr_t)ops },
		.syncs = { .stride = sizeof(sync), .count = signal ? 1 : 0,
			   .ptr = (uintptr_t)&sync },
	};

	return t2_ioctl(fd, STAGING_VM_BIND, &b);
}

static inline int t2_map(int fd, uint32_t vm, uint32_t handle, uint64_t off, uint64_t va,
			 uint64_t size, uint32_t flags)
{
	struct drm_tessera_vm_bind_op op = t2_map_op(handle, off, va, size, flags);

	return t2_bind(fd, vm, &op, 1, 0);
}

static inline uint32_t t2_queue_create(int fd, uint32_t vm, uint32_t class)
{
	struct drm_tessera_queue_create q = {
		.vm_id = vm, .engine_class = class, .engine = DRM_TESSERA_ENGINE_ANY,
		.priority = DRM_TESSERA_QUEUE_PRIORITY_NORMAL,
	};

	return t2_ioctl(fd, STAGING_QUEUE_CREATE, &q) ? 0 : q.queue_id;
}

/* SUBMIT @size bytes at @va on @queue, signalling syncobj @signal. */
static inline int t2_submit(int fd, uint32_t queue, uint64_t va, uint32_t size,
			    uint32_t signal)
{
	struct drm_tessera_sync sync = { .handle = signal, .flags = DRM_TESSERA_SYNC_SIGNAL };
	struct drm_tessera_submit s = {
		.queue_id = queue, .cmd_va = va, .cmd_size = size,
		.syncs = { .stride = sizeof(sync), .count = signal ? 1 : 0,
			   .ptr = (uintptr_t)&sync },
	};

	return t2_ioctl(fd, STAGING_SUBMIT, &s);
}

/* Wait for @syncobj's job: its status (0 or -errno), or the wait's error. */
static inline int t2_wait(int fd, uint32_t syncobj, int64_t timeout_ns)
{
	struct timespec ts;
	struct drm_tessera_fence_wait w = { .handle = syncobj };
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_ns = ts.tv_sec * 1000000000ll + ts.tv_nsec + timeout_ns * t2_time_scale();
	ret = t2_ioctl(fd, V1_FENCE_WAIT, &w);
	return ret ? ret : w.status;
}

static inline struct drm_tessera_vm_status t2_vm_status(int fd, uint32_t vm)
{
	struct drm_tessera_vm_status s = { .vm_id = vm };

	t2_ioctl(fd, STAGING_VM_STATUS, &s);
	return s;
}

/* Commands, little endian, into @p; return the dwords written. */
static inline uint32_t t2_fill(uint32_t *p, uint64_t dst, uint32_t size, uint32_t pattern)
{
	p[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
	p[1] = (uint32_t)dst;
	p[2] = (uint32_t)(dst >> 32);
	p[3] = size;
	p[4] = pattern;
	return TESSERA_CMD_FILL_LEN;
}

static inline uint32_t t2_copy(uint32_t *p, uint64_t src, uint64_t dst, uint32_t size)
{
	p[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN);
	p[1] = (uint32_t)src;
	p[2] = (uint32_t)(src >> 32);
	p[3] = (uint32_t)dst;
	p[4] = (uint32_t)(dst >> 32);
	p[5] = size;
	return TESSERA_CMD_COPY_LEN;
}

/* Wait until the u32 at @addr is >= @value. */
static inline uint32_t t2_sem_wait(uint32_t *p, uint64_t addr, uint32_t value)
{
	p[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT, TESSERA_CMD_SEM_LEN);
	p[1] = (uint32_t)addr;
	p[2] = (uint32_t)(addr >> 32);
	p[3] = value;
	p[4] = 0;
	return TESSERA_CMD_SEM_LEN;
}

/* Is @syncobj's fence signalled yet (without waiting)? */
static inline int t2_signalled(int fd, uint32_t syncobj)
{
	return drmSyncobjWait(fd, &syncobj, 1, 0, 0, NULL) == 0;
}

#endif /* TESSERA_TEST2_H */
