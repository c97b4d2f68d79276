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
#include <inttypes.h>
#include <pthread.h>
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

/* BO_CREATE with @flags (DRM_TESSERA_BO_*); nothing is bound. */
static inline int tessera_bo_create_flags(int fd, uint64_t size, uint32_t flags,
					  uint32_t *handle)
{
	struct drm_tessera_bo_create bc = { .size = size, .flags = flags };
	int ret = tessera_ioctl(fd, DRM_IOCTL_TESSERA_BO_CREATE, &bc);

	if (!ret)
		*handle = bc.handle;
	return ret;
}

static inline int tessera_bo_create(int fd, uint64_t size, uint32_t *handle)
{
	return tessera_bo_create_flags(fd, size, 0, handle);
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

/* ------------------------------------------------------------------ */
/* Thin uAPI wrappers: 0 or -errno unless said otherwise. */

#define SZ_4K			4096ull
#define SZ_2M			(2ull << 20)
#define GB			(1ull << 30)
#define TESSERA_VA_START	(2ull << 20)	/* DRM_TESSERA_PARAM_VA_START */
#define TESSERA_VA_END		(1ull << 47)	/* DRM_TESSERA_PARAM_VA_END */
#define TESSERA_RW		(DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE)
#define TESSERA_RX		(DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_EXEC)
#define TESSERA_RWX		(TESSERA_RW | DRM_TESSERA_BIND_EXEC)

/* A new VM's id, or 0. */
static inline uint32_t tessera_vm_create(int fd)
{
	struct drm_tessera_vm_create c = { 0 };

	return tessera_ioctl(fd, DRM_IOCTL_TESSERA_VM_CREATE, &c) ? 0 : c.vm_id;
}

static inline int tessera_vm_destroy(int fd, uint32_t id)
{
	struct drm_tessera_vm_destroy d = { .vm_id = id };

	return tessera_ioctl(fd, DRM_IOCTL_TESSERA_VM_DESTROY, &d);
}

static inline struct drm_tessera_vm_bind_op tessera_map_op(uint32_t handle, uint64_t off,
							   uint64_t va, uint64_t size,
							   uint32_t flags)
{
	return (struct drm_tessera_vm_bind_op){
		.op = DRM_TESSERA_BIND_OP_MAP, .flags = flags, .handle = handle,
		.bo_offset = off, .va = va, .size = size,
	};
}

static inline struct drm_tessera_vm_bind_op tessera_unmap_op(uint64_t va, uint64_t size)
{
	return (struct drm_tessera_vm_bind_op){
		.op = DRM_TESSERA_BIND_OP_UNMAP, .va = va, .size = size,
	};
}

/* VM_BIND of @n ops; with @signal (a syncobj) asynchronous, signalling it. */
static inline int tessera_bind(int fd, uint32_t vm, const struct drm_tessera_vm_bind_op *ops,
			       uint32_t n, uint32_t signal)
{
	struct drm_tessera_sync sync = { .handle = signal, .flags = DRM_TESSERA_SYNC_SIGNAL };
	struct drm_tessera_vm_bind b = {
		.vm_id = vm, .flags = signal ? DRM_TESSERA_VM_BIND_ASYNC : 0,
		.ops = { .stride = sizeof(*ops), .count = n, .ptr = (uintptr_t)ops },
		.syncs = { .stride = sizeof(sync), .count = signal ? 1 : 0,
			   .ptr = (uintptr_t)&sync },
	};

	return tessera_ioctl(fd, DRM_IOCTL_TESSERA_VM_BIND, &b);
}

static inline int tessera_map(int fd, uint32_t vm, uint32_t handle, uint64_t off, uint64_t va,
			      uint64_t size, uint32_t flags)
{
	struct drm_tessera_vm_bind_op op = tessera_map_op(handle, off, va, size, flags);

	return tessera_bind(fd, vm, &op, 1, 0);
}

static inline int tessera_unmap(int fd, uint32_t vm, uint64_t va, uint64_t size)
{
	struct drm_tessera_vm_bind_op op = tessera_unmap_op(va, size);

	return tessera_bind(fd, vm, &op, 1, 0);
}

/* A queue on @vm for @engine (DRM_TESSERA_ENGINE_ANY: any of @class); 0 on error. */
static inline uint32_t tessera_queue_create_on(int fd, uint32_t vm, uint32_t class,
					       uint32_t engine, uint32_t priority)
{
	struct drm_tessera_queue_create q = {
		.vm_id = vm, .engine_class = class, .engine = engine, .priority = priority,
	};

	return tessera_ioctl(fd, DRM_IOCTL_TESSERA_QUEUE_CREATE, &q) ? 0 : q.queue_id;
}

static inline uint32_t tessera_queue_create(int fd, uint32_t vm, uint32_t class)
{
	return tessera_queue_create_on(fd, vm, class, DRM_TESSERA_ENGINE_ANY,
				       DRM_TESSERA_QUEUE_PRIORITY_NORMAL);
}

static inline int tessera_queue_destroy(int fd, uint32_t queue)
{
	struct drm_tessera_queue_destroy d = { .queue_id = queue };

	return tessera_ioctl(fd, DRM_IOCTL_TESSERA_QUEUE_DESTROY, &d);
}

/* SUBMIT @size bytes at @va on @queue, signalling binary syncobj @signal (0: none). */
static inline int tessera_submit(int fd, uint32_t queue, uint64_t va, uint32_t size,
				 uint32_t signal)
{
	struct drm_tessera_sync sync = { .handle = signal, .flags = DRM_TESSERA_SYNC_SIGNAL };
	struct drm_tessera_submit s = {
		.queue_id = queue, .cmd_va = va, .cmd_size = size,
		.syncs = { .stride = sizeof(sync), .count = signal ? 1 : 0,
			   .ptr = (uintptr_t)&sync },
	};

	return tessera_ioctl(fd, DRM_IOCTL_TESSERA_SUBMIT, &s);
}

/* Wait up to @timeout_ns (scaled) for @syncobj's job: its status (0 or -errno), or the wait's error. */
static inline int tessera_fence_wait(int fd, uint32_t syncobj, int64_t timeout_ns)
{
	struct drm_tessera_fence_wait w = { .handle = syncobj };
	int ret;

	w.timeout_ns = (int64_t)tessera_now_ns() + timeout_ns * tessera_time_scale();
	ret = tessera_ioctl(fd, DRM_IOCTL_TESSERA_FENCE_WAIT, &w);
	return ret ? ret : w.status;
}

static inline struct drm_tessera_vm_status tessera_vm_status(int fd, uint32_t vm)
{
	struct drm_tessera_vm_status s = { .vm_id = vm };

	tessera_ioctl(fd, DRM_IOCTL_TESSERA_VM_STATUS, &s);
	return s;
}

/* CPU mapping of @size bytes of a buffer, or NULL. */
static inline void *tessera_bo_map_size(int fd, uint32_t handle, uint64_t size)
{
	struct drm_tessera_bo_info i = { .handle = handle };
	void *p;

	if (tessera_ioctl(fd, DRM_IOCTL_TESSERA_BO_INFO, &i))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, i.mmap_offset);
	return p == MAP_FAILED ? NULL : p;
}

/* Is @syncobj's fence signalled yet (without waiting)? */
static inline int tessera_signalled(int fd, uint32_t syncobj)
{
	return drmSyncobjWait(fd, &syncobj, 1, 0, 0, NULL) == 0;
}

/* Commands, little endian, into @p; return the dwords written. */
static inline uint32_t tessera_cmd_fill(uint32_t *p, uint64_t dst, uint32_t size, uint32_t pattern)
{
	p[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
	p[1] = (uint32_t)dst;
	p[2] = (uint32_t)(dst >> 32);
	p[3] = size;
	p[4] = pattern;
	return TESSERA_CMD_FILL_LEN;
}

static inline uint32_t tessera_cmd_copy(uint32_t *p, uint64_t src, uint64_t dst, uint32_t size)
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
static inline uint32_t tessera_cmd_sem_wait(uint32_t *p, uint64_t addr, uint32_t value)
{
	p[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, TESSERA_SEM_WAIT, TESSERA_CMD_SEM_LEN);
	p[1] = (uint32_t)addr;
	p[2] = (uint32_t)(addr >> 32);
	p[3] = value;
	p[4] = 0;
	return TESSERA_CMD_SEM_LEN;
}

/* ------------------------------------------------------------------ */
/*
 * Each open file's default VM, for tests about something else than VMs:
 * created on first use, with one queue per engine and a VA cursor.  Keyed
 * by the file's DRM client id, so a closed and reopened fd number gets a
 * new one, and a forked child shares its parent's (the same file).
 */

#define TESSERA_CTX_MAX		256
#define TESSERA_MAX_ENGINES	16

struct tessera_ctx {
	int fd;
	uint64_t client;
	uint32_t vm;
	uint32_t num_compute, num_engines;
	uint32_t queue[TESSERA_MAX_ENGINES];
	uint64_t next_va;
};

static struct tessera_ctx tessera_ctxs[TESSERA_CTX_MAX] __attribute__((unused));
static pthread_mutex_t tessera_ctx_lock __attribute__((unused)) = PTHREAD_MUTEX_INITIALIZER;

/* The DRM client id of open file @fd (fdinfo's drm-client-id), or 0. */
static inline uint64_t tessera_client_id(int fd)
{
	char path[64], buf[1024];
	const char *at;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return 0;
	at = strstr(buf, "drm-client-id:");
	return at ? strtoull(at + strlen("drm-client-id:"), NULL, 10) : 0;
}

/* @fd's default VM context, or NULL (errno set) if it cannot be made. */
static inline struct tessera_ctx *tessera_ctx(int fd)
{
	uint64_t client = tessera_client_id(fd), v;
	struct tessera_ctx *c = NULL, *free_slot = NULL;
	int i;

	if (!client) {
		errno = EBADF;
		return NULL;
	}
	pthread_mutex_lock(&tessera_ctx_lock);
	for (i = 0; i < TESSERA_CTX_MAX && !c; i++)
		if (tessera_ctxs[i].vm && tessera_ctxs[i].fd == fd &&
		    tessera_ctxs[i].client == client)
			c = &tessera_ctxs[i];
	/* A new one: in a slot whose file is gone (or has another number now). */
	for (i = 0; i < TESSERA_CTX_MAX && !c && !free_slot; i++)
		if (!tessera_ctxs[i].vm ||
		    tessera_client_id(tessera_ctxs[i].fd) != tessera_ctxs[i].client)
			free_slot = &tessera_ctxs[i];
	if (!c && free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->fd = fd;
		free_slot->client = client;
		free_slot->next_va = 1ull << 32;
		if (!tessera_get_param(fd, DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES, &v))
			free_slot->num_compute = v;
		if (!tessera_get_param(fd, DRM_TESSERA_PARAM_NUM_ENGINES, &v))
			free_slot->num_engines = v < TESSERA_MAX_ENGINES ? v : TESSERA_MAX_ENGINES;
		free_slot->vm = tessera_vm_create(fd);
		if (free_slot->vm)
			c = free_slot;
	}
	pthread_mutex_unlock(&tessera_ctx_lock);
	if (!c && !errno)
		errno = ENOMEM;
	return c;
}

/* @fd's default VM id, or 0. */
static inline uint32_t tessera_default_vm(int fd)
{
	struct tessera_ctx *c = tessera_ctx(fd);

	return c ? c->vm : 0;
}

/* A fresh VA range of @size bytes in @fd's default VM (2 MiB-aligned from 2 MiB up). */
static inline uint64_t tessera_va_alloc(int fd, uint64_t size)
{
	struct tessera_ctx *c = tessera_ctx(fd);
	uint64_t align = size >= (2u << 20) ? 2u << 20 : 64u << 10, va;

	if (!c)
		return 0;
	pthread_mutex_lock(&tessera_ctx_lock);
	va = (c->next_va + align - 1) & ~(align - 1);
	c->next_va = va + ((size + 4095) & ~4095ull) + (64u << 10);	/* a guard gap */
	pthread_mutex_unlock(&tessera_ctx_lock);
	return va;
}

/*
 * Bind all of buffer @handle (@size bytes) read, write and execute into
 * @fd's default VM at a fresh VA.
 */
static inline int tessera_bo_bind_va(int fd, uint32_t handle, uint64_t size, uint64_t *va)
{
	uint32_t vm = tessera_default_vm(fd);

	*va = 0;
	if (!vm)
		return -errno;
	*va = tessera_va_alloc(fd, size);
	return tessera_map(fd, vm, handle, 0, *va, (size + 4095) & ~4095ull, TESSERA_RWX);
}

/* Create a buffer (DRM_TESSERA_BO_* @flags) bound into @fd's default VM; return its VA. */
static inline int tessera_bo_create_flags_va(int fd, uint64_t size, uint32_t flags,
					     uint32_t *handle, uint64_t *va)
{
	int ret = tessera_bo_create_flags(fd, size, flags, handle);

	*va = 0;
	if (!ret) {
		ret = tessera_bo_bind_va(fd, *handle, size, va);
		if (ret)
			tessera_bo_close(fd, *handle);
	}
	return ret;
}

/* Create a host buffer bound into @fd's default VM; return its VA. */
static inline int tessera_bo_create_va(int fd, uint64_t size, uint32_t *handle, uint64_t *va)
{
	return tessera_bo_create_flags_va(fd, size, 0, handle, va);
}

/* The queue of engine @engine in @fd's default VM, or 0. */
static inline uint32_t tessera_engine_queue(int fd, uint32_t engine)
{
	struct tessera_ctx *c = tessera_ctx(fd);
	uint32_t q;

	if (!c || engine >= c->num_engines)
		return 0;
	pthread_mutex_lock(&tessera_ctx_lock);
	q = c->queue[engine];
	pthread_mutex_unlock(&tessera_ctx_lock);
	if (q)
		return q;
	q = tessera_queue_create_on(fd, c->vm,
				    engine < c->num_compute ? DRM_TESSERA_ENGINE_CLASS_COMPUTE :
							      DRM_TESSERA_ENGINE_CLASS_DMA,
				    engine, DRM_TESSERA_QUEUE_PRIORITY_NORMAL);
	pthread_mutex_lock(&tessera_ctx_lock);
	if (!c->queue[engine])
		c->queue[engine] = q;
	else if (q)
		tessera_queue_destroy(fd, q);
	q = c->queue[engine];
	pthread_mutex_unlock(&tessera_ctx_lock);
	return q;
}

/* The fault state of @fd's default VM. */
static inline struct drm_tessera_vm_status ctx_status(int fd)
{
	return tessera_vm_status(fd, tessera_default_vm(fd));
}

/* A VM as debugfs "contexts" shows it. */
struct tessera_vm_stats {
	uint32_t asid, faults;
	uint64_t pages_4k, pages_2m, tables;
	int binds;
};

/* VM @vm of open file @fd in debugfs "contexts": 0, or -1 if not found. */
static inline int tessera_vm_stats(int fd, uint32_t vm, struct tessera_vm_stats *st)
{
	static char buf[1 << 20];
	char path[160], slot[64], want[64];
	const char *at, *end, *next;

	tessera_pci_slot(slot, sizeof(slot));
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/contexts", slot);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return -1;
	snprintf(want, sizeof(want), "client %" PRIu64 " pid ", tessera_client_id(fd));
	at = strstr(buf, want);
	if (!at)
		return -1;
	end = strstr(at + 1, "\nclient ");
	snprintf(want, sizeof(want), "\n  vm %u asid ", vm);
	at = strstr(at, want);
	if (!at || (end && at > end))
		return -1;
	memset(st, 0, sizeof(*st));
	if (sscanf(at, "\n  vm %*u asid %u faults %u pages 4k %" SCNu64 " 2m %" SCNu64
		   " tables %" SCNu64, &st->asid, &st->faults, &st->pages_4k, &st->pages_2m,
		   &st->tables) != 5)
		return -1;
	next = strstr(at + 1, "\n  vm ");
	if (!next || (end && next > end))
		next = end;
	for (at = strstr(at + 1, "\n    bind "); at && (!next || at < next);
	     at = strstr(at + 1, "\n    bind "))
		st->binds++;
	return 0;
}

/*
 * The contiguous ranges of device memory the buffer bound at @va in @fd's
 * VM @vm is made of (debugfs "contexts": "device extents N"); -1 if the
 * bind is not there or not in device memory.
 */
static inline int tessera_bind_extents(int fd, uint32_t vm, uint64_t va)
{
	static char buf[1 << 20];
	char path[160], slot[64], want[64];
	const char *at, *end, *nl;
	unsigned int n;

	tessera_pci_slot(slot, sizeof(slot));
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/contexts", slot);
	if (tessera_read_text(path, buf, sizeof(buf)))
		return -1;
	snprintf(want, sizeof(want), "client %" PRIu64 " pid ", tessera_client_id(fd));
	at = strstr(buf, want);
	if (!at)
		return -1;
	end = strstr(at + 1, "\nclient ");
	snprintf(want, sizeof(want), "\n  vm %u asid ", vm);
	at = strstr(at, want);
	if (!at || (end && at > end))
		return -1;
	snprintf(want, sizeof(want), "\n    bind %#014llx ", (unsigned long long)va);
	at = strstr(at, want);
	if (!at || (end && at > end))
		return -1;
	nl = strchr(at + 1, '\n');
	at = strstr(at, " device extents ");
	if (!at || (nl && at > nl) || sscanf(at, " device extents %u", &n) != 1)
		return -1;
	return (int)n;
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
	uint32_t dw[TESSERA_CMD_FILL_LEN];

	emit(c, dw, tessera_cmd_fill(dw, dst, size, pattern));
}

static inline void emit_copy(struct client *c, uint64_t src, uint64_t dst, uint32_t size)
{
	uint32_t dw[TESSERA_CMD_COPY_LEN];

	emit(c, dw, tessera_cmd_copy(dw, src, dst, size));
}

/*
 * Submit @ndw dwords at dword @off of @c's command buffer on @engine (its
 * default VM's queue), signalling @syncobj; no wait.  0 or -errno.
 */
static inline int client_submit_at(struct client *c, uint32_t off, uint32_t ndw,
				   uint32_t engine, uint32_t syncobj)
{
	uint32_t q = tessera_engine_queue(c->fd, engine);

	if (!q)
		return -EINVAL;
	return tessera_submit(c->fd, q, c->cmd_va + off * 4ull, ndw * 4, syncobj);
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

#endif /* TESSERA_TEST_H */
