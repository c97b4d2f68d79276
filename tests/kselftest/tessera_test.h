/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the Tessera kselftests.  Include it after
 * kselftest_harness.h, so that the harness's per-test timeouts scale with
 * the tier too (see tessera_time_scale()).
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
#include "accel/tessera_cmd.h"

/* The card under test: $TESSERA_CARD, default 0. */
static inline const char *tessera_card(void)
{
	const char *card = getenv("TESSERA_CARD");

	return card ? card : "0";
}

/* Open /dev/accel/accel<tessera_card()>. */
static inline int tessera_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/accel/accel%s", tessera_card());
	return open(path, O_RDWR | O_CLOEXEC);
}

/* The card's PCI address ("0000:01:00.0"), from its sysfs device link. */
static inline void tessera_pci_slot(char *slot, size_t len)
{
	char link[128], target[256] = "";
	const char *name;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/accel/accel%s/device", tessera_card());
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	name = strrchr(target, '/');
	snprintf(slot, len, "%s", name ? name + 1 : target);
}

/* Read a small text file into @buf (NUL-terminated); 0 or -errno. */
static inline int tessera_read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The card's /sys/class/accel/accelN/device/tessera/@name, or -1. */
static inline long long tessera_sysfs_counter(const char *name)
{
	char path[160], buf[32];

	snprintf(path, sizeof(path), "/sys/class/accel/accel%s/device/tessera/%s",
		 tessera_card(), name);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

/* ioctl() that returns 0 or -errno, retrying on EINTR/EAGAIN. */
/*
 * Jobs the driver has put on ring @ring (debugfs "rings" lists them under
 * the ring's line), or -1 when debugfs is not there.
 */
static inline int tessera_jobs_on_ring(unsigned int ring)
{
	char slot[64], path[384], line[256];
	int n = 0, in = 0;
	FILE *f;

	tessera_pci_slot(slot, sizeof(slot));
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/rings", slot);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int id;

		if (sscanf(line, "ring %u", &id) == 1)
			in = id == ring;
		else if (in && strstr(line, "on the ring"))
			n++;
	}
	fclose(f);
	return n;
}

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

/*
 * How many times slower than the stock kernel this guest runs:
 * $TESSERA_TIME_SCALE, a whole number set by the VM harness (1; 5 on the
 * debug tier, whose KASAN and lockdep kernel is 3-10x slower).  Every
 * bounded wait for something that should happen scales with it; waits that
 * expect nothing to happen (a fence still pending after 50 ms) do not.
 */
static inline unsigned int tessera_time_scale(void)
{
	const char *s = getenv("TESSERA_TIME_SCALE");
	unsigned long f = s ? strtoul(s, NULL, 10) : 1;

	return f >= 1 && f <= 1000 ? f : 1;
}

static inline uint64_t tessera_scaled_ns(uint64_t ns)
{
	return ns * tessera_time_scale();
}

static inline int tessera_scaled_ms(int ms)
{
	return ms * (int)tessera_time_scale();
}

/* usleep(@us) times the time scale. */
static inline void tessera_scaled_usleep(unsigned int us)
{
	usleep(us * tessera_time_scale());
}

/* The longest a test waits for a job (TCG is slow). */
#define TESSERA_WAIT_NS	tessera_scaled_ns(30ull * 1000 * 1000 * 1000)

#ifdef __KSELFTEST_HARNESS_H
/*
 * The harness kills a test after its timeout (TEST_TIMEOUT_DEFAULT, 30 s):
 * scale every registered test's, once all of them have registered (their
 * constructors run at KSELFTEST_PRIO_TEST and _XFAIL).
 */
static void __attribute__((constructor(KSELFTEST_PRIO_XFAIL + 1)))
tessera_scale_harness_timeouts(void)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= tessera_time_scale();
}
#endif

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

/* CLOCK_MONOTONIC, the clock of syncobj and fence deadlines. */
static inline uint64_t tessera_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline double tessera_now_s(void)
{
	return tessera_now_ns() / 1e9;
}

static inline int64_t tessera_abs_timeout(uint64_t ns)
{
	return (int64_t)(tessera_now_ns() + ns);
}

/* A client: an open file, a command buffer and a syncobj. */
struct client {
	int fd;
	uint32_t cmd_bo, syncobj;
	uint32_t *cmd;
	uint64_t cmd_size, cmd_va;
	uint32_t ndw;
};

static inline int client_open(struct client *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = tessera_open();
	if (c->fd < 0)
		return -errno;
	if (tessera_bo_create_va(c->fd, 65536, &c->cmd_bo, &c->cmd_va))
		return -1;
	c->cmd = tessera_bo_map(c->fd, c->cmd_bo, &c->cmd_size);
	if (!c->cmd)
		return -1;
	return drmSyncobjCreate(c->fd, 0, &c->syncobj) ? -1 : 0;
}

static inline void client_close(struct client *c)
{
	munmap(c->cmd, c->cmd_size);
	close(c->fd);
}

static inline void emit(struct client *c, const uint32_t *dw, uint32_t n)
{
	memcpy(c->cmd + c->ndw, dw, n * sizeof(uint32_t));
	c->ndw += n;
}

static inline void emit_fill(struct client *c, uint64_t dst, uint32_t size, uint32_t pattern)
{
	uint32_t dw[] = {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN),
		(uint32_t)dst, (uint32_t)(dst >> 32), size, pattern,
	};
	emit(c, dw, TESSERA_CMD_FILL_LEN);
}

static inline void emit_copy(struct client *c, uint64_t src, uint64_t dst, uint32_t size)
{
	uint32_t dw[] = {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN),
		(uint32_t)src, (uint32_t)(src >> 32), (uint32_t)dst, (uint32_t)(dst >> 32), size,
	};
	emit(c, dw, TESSERA_CMD_COPY_LEN);
}

/*
 * Submit @ndw dwords at dword @off of @c's command buffer on @engine,
 * signalling @syncobj; no wait.  0 or -errno.
 */
static inline int client_submit_at(struct client *c, uint32_t off, uint32_t ndw,
				   uint32_t engine, uint32_t syncobj)
{
	struct drm_tessera_submit s = {
		.cmd_handle = c->cmd_bo, .cmd_offset = off * 4, .cmd_size = ndw * 4,
		.engine = engine, .out_syncobj = syncobj,
	};

	return tessera_ioctl(c->fd, DRM_IOCTL_TESSERA_SUBMIT, &s);
}

/* Submit what was emitted on @engine, signalling @syncobj; no wait. */
static inline int client_submit(struct client *c, uint32_t engine, uint32_t syncobj)
{
	int ret = client_submit_at(c, 0, c->ndw, engine, syncobj);

	c->ndw = 0;
	return ret;
}

/* Wait for @syncobj's fence: 1 if it signaled fine, its -errno, or -ETIME. */
static inline int tessera_wait_status(int fd, uint32_t syncobj)
{
	if (drmSyncobjWait(fd, &syncobj, 1, tessera_abs_timeout(TESSERA_WAIT_NS), 0, NULL))
		return -ETIME;
	return tessera_fence_status(fd, syncobj);
}

/* Submit what was emitted on @engine and wait; returns the fence status. */
static inline int run(struct client *c, uint32_t engine)
{
	int ret = client_submit(c, engine, c->syncobj);

	return ret ? ret : tessera_wait_status(c->fd, c->syncobj);
}

static inline struct drm_tessera_context_status ctx_status(int fd)
{
	struct drm_tessera_context_status st = { 0 };

	tessera_ioctl(fd, DRM_IOCTL_TESSERA_CONTEXT_STATUS, &st);
	return st;
}

#endif /* TESSERA_TEST_H */
