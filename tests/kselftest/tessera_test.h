/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the Tessera kselftests.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_TEST_H
#define TESSERA_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>
#include "tessera_accel.h"

/* The card under test: /dev/accel/accel$TESSERA_CARD, default 0. */
static inline int tessera_open(void)
{
	const char *card = getenv("TESSERA_CARD");
	char path[64];

	snprintf(path, sizeof(path), "/dev/accel/accel%s", card ? card : "0");
	return open(path, O_RDWR | O_CLOEXEC);
}

/* ioctl() that returns 0 or -errno, retrying on EINTR/EAGAIN. */
static inline int tessera_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static inline int tessera_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_tessera_get_param gp = { .param = param };
	int ret = tessera_ioctl(fd, DRM_IOCTL_TESSERA_GET_PARAM, &gp);

	if (!ret)
		*value = gp.value;
	return ret;
}

static inline int tessera_bo_create(int fd, uint64_t size, uint32_t *handle)
{
	struct drm_tessera_bo_create bc = { .size = size };
	int ret = tessera_ioctl(fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc);

	if (!ret)
		*handle = bc.handle;
	return ret;
}

static inline int tessera_bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close gc = { .handle = handle };

	return tessera_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
}

/* Map a whole BO; returns NULL on failure. */
static inline void *tessera_bo_map(int fd, uint32_t handle, uint64_t *size)
{
	struct drm_tessera_bo_info bi = { .handle = handle };
	void *p;

	if (tessera_ioctl(fd, DRM_IOCTL_TESSERA_BO_INFO, &bi))
		return NULL;
	p = mmap(NULL, bi.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, bi.mmap_offset);
	if (p == MAP_FAILED)
		return NULL;
	*size = bi.size;
	return p;
}

/* Fill @ndw dwords at @p with NOPs of at most 8 dwords each. */
static inline void tessera_fill_nops(uint32_t *p, uint32_t ndw)
{
	while (ndw) {
		uint32_t len = ndw < 8 ? ndw : 8;

		p[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, len);
		memset(&p[1], 0, (len - 1) * sizeof(uint32_t));
		p += len;
		ndw -= len;
	}
}

#define TESSERA_WAIT_NS	(30ull * 1000 * 1000 * 1000)	/* TCG is slow */

/* 1 if the syncobj's fence signaled fine, 0 if pending, or its -errno. */
static inline int tessera_fence_status(int fd, uint32_t syncobj)
{
	struct sync_file_info info = { 0 };
	int sync_fd, ret;

	if (drmSyncobjExportSyncFile(fd, syncobj, &sync_fd))
		return -1000;
	ret = ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info) ? -1000 : info.status;
	close(sync_fd);
	return ret;
}

/* Create a BO and return its device VA. */
static inline int tessera_bo_create_va(int fd, uint64_t size, uint32_t *handle, uint64_t *va)
{
	struct drm_tessera_bo_create bc = { .size = size };
	int ret = tessera_ioctl(fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc);

	if (!ret) {
		*handle = bc.handle;
		*va = bc.va;
	}
	return ret;
}

static inline int64_t tessera_abs_timeout(uint64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec + ns;
}

#endif /* TESSERA_TEST_H */
