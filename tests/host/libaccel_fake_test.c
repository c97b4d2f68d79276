// SPDX-License-Identifier: MIT
/*
 * Host test of libaccel 2's logic against a fake uAPI 2 driver, no card
 * needed: this program defines ioctl(), which libdrm and libaccel call,
 * and answers the ioctls of one fake device file (a memfd, so that mmap
 * of a buffer's offset maps real memory) the way
 * uapi/drm/tessera_accel.h says the driver does, recording what the
 * library asked for.  Jobs complete at once, or, while the fake holds
 * them, stay pending with their VM's asynchronous unbinds queued behind
 * them, as the kernel orders them.
 *
 * It checks what the guest test cannot see from outside: the uAPI major
 * check at open, the permissions of every bind the library makes (data
 * READ|WRITE, command buffers READ|EXEC and never WRITE), that no buffer
 * is mmapped unless asked, that a freed buffer is unbound without waiting
 * and its VA not reused before that unbind signalled, import
 * deduplication down to the GEM_CLOSE count, per-engine default queues,
 * command-buffer bindings in other VMs, the reuse tracking of command
 * buffers, and the size rules of caller-allocated structs.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <xf86drm.h>

#include "accel/accel.h"
#include "accel/tessera_cmd.h"
#include "tessera_accel.h"
#include "tap.h"


/* ------------------------------------------------------------------ */
/* The fake driver                                                     */
/* ------------------------------------------------------------------ */

#define MAXOBJ		256
#define VA_START	(2ull << 20)
#define VA_END		(1ull << 47)
#define NUM_ENGINES	4
#define NUM_COMPUTE	2

struct fbo { int live; uint64_t size, off; uint32_t flags; };
struct fmap { int used; uint32_t vm, handle, flags; uint64_t va, size; };
struct fsync { int live; uint64_t signaled, submitted; };
struct fqueue { int live; uint32_t vm, cls, engine; };
/* a signal that happens when the held jobs complete */
struct fpending { int used; uint32_t sync; uint64_t point; int unmap; uint32_t vm;
		  uint64_t va, size; };

static struct {
	int memfd;
	ino_t ino;
	int major;
	const char *name;
	uint64_t mem_end;
	struct fbo bo[MAXOBJ];
	int vm[MAXOBJ];
	struct fsync sync[MAXOBJ];
	struct fqueue queue[MAXOBJ];
	struct fmap map[4 * MAXOBJ];
	struct fpending pending[4 * MAXOBJ];
	/* exported dma-bufs: eventfd inode -> handle */
	struct { ino_t ino; uint32_t handle; } export[MAXOBJ];
	int hold;		/* jobs submitted now stay pending */
	int errors;		/* requests the real driver would reject */
	int gem_closes, queue_creates, submits, async_unmaps, waits;
	struct drm_tessera_queue_create last_qc;
	uint64_t last_cmd_va;
	uint32_t last_cmd_queue, last_cmd_bind_flags;
} F;

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static struct fmap *fake_find_map(uint32_t vm, uint64_t va)
{
	int i;

	for (i = 0; i < 4 * MAXOBJ; i++)
		if (F.map[i].used && F.map[i].vm == vm && va >= F.map[i].va &&
		    va < F.map[i].va + F.map[i].size)
			return &F.map[i];
	return NULL;
}

static void fake_unmap(uint32_t vm, uint64_t va, uint64_t size)
{
	int i;

	for (i = 0; i < 4 * MAXOBJ; i++) {
		struct fmap *m = &F.map[i];

		if (!m->used || m->vm != vm || m->va + m->size <= va || va + size <= m->va)
			continue;
		if (m->va < va || m->va + m->size > va + size)
			F.errors++;	/* the library never splits a mapping */
		m->used = 0;
	}
}

static void fake_signal(uint32_t h, uint64_t point)
{
	if (h >= MAXOBJ || !F.sync[h].live) {
		F.errors++;
		return;
	}
	if (point > F.sync[h].signaled)
		F.sync[h].signaled = point;
	if (point > F.sync[h].submitted)
		F.sync[h].submitted = point;
}

/* A signal at @h/@point, now or when the held jobs complete. */
static void fake_signal_later(uint32_t h, uint64_t point, int unmap, uint32_t vm, uint64_t va,
			      uint64_t size)
{
	int i;

	/* A binary syncobj (point 0): its next fence. */
	if (!point && h && h < MAXOBJ)
		point = F.sync[h].submitted + 1;
	if (!F.hold) {
		if (unmap)
			fake_unmap(vm, va, size);
		if (h)
			fake_signal(h, point);
		return;
	}
	if (h < MAXOBJ && point > F.sync[h].submitted)
		F.sync[h].submitted = point;
	for (i = 0; i < 4 * MAXOBJ; i++)
		if (!F.pending[i].used) {
			F.pending[i] = (struct fpending){ 1, h, point, unmap, vm, va, size };
			return;
		}
	F.errors++;
}

/* The held jobs complete; the unbinds queued behind them run. */
static void fake_release(void)
{
	int i;

	F.hold = 0;
	for (i = 0; i < 4 * MAXOBJ; i++) {
		struct fpending *p = &F.pending[i];

		if (!p->used)
			continue;
		if (p->unmap)
			fake_unmap(p->vm, p->va, p->size);
		if (p->sync)
			fake_signal(p->sync, p->point);
		p->used = 0;
	}
}

static int fake_param(struct drm_tessera_get_param *gp)
{
	switch (gp->param) {
	case DRM_TESSERA_PARAM_DEVICE_ID: gp->value = 0x7e51; break;
	case DRM_TESSERA_PARAM_NUM_ENGINES: gp->value = NUM_ENGINES; break;
	case DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES: gp->value = NUM_COMPUTE; break;
	case DRM_TESSERA_PARAM_NUM_DMA_ENGINES: gp->value = NUM_ENGINES - NUM_COMPUTE; break;
	case DRM_TESSERA_PARAM_CMD_SIZE_MAX: gp->value = 1 << 20; break;
	case DRM_TESSERA_PARAM_CAPABILITIES:
		gp->value = DRM_TESSERA_CAP_EXEC_PERM | DRM_TESSERA_CAP_HUGE_PAGES;
		break;
	case DRM_TESSERA_PARAM_VA_START: gp->value = VA_START; break;
	case DRM_TESSERA_PARAM_VA_END: gp->value = VA_END; break;
	case DRM_TESSERA_PARAM_PAGE_SIZES: gp->value = 4096 | (2 << 20); break;
	case DRM_TESSERA_PARAM_VMS_PER_FILE_MAX: gp->value = 1024; break;
	case DRM_TESSERA_PARAM_NUM_ASIDS: gp->value = 255; break;
	case DRM_TESSERA_PARAM_SERIAL: gp->value = 0x5e71a1; break;
	default: gp->value = 0; break;
	}
	return 0;
}

static int fake_bind(struct drm_tessera_vm_bind *b)
{
	const char *ops = (const char *)(uintptr_t)b->ops.ptr;
	uint32_t i;

	if (b->vm_id >= MAXOBJ || !F.vm[b->vm_id])
		return -ENOENT;
	if (b->ops.stride < sizeof(struct drm_tessera_vm_bind_op) ||
	    (!(b->flags & DRM_TESSERA_VM_BIND_ASYNC) && b->syncs.count))
		return -EINVAL;
	for (i = 0; i < b->ops.count; i++) {
		struct drm_tessera_vm_bind_op op;
		int j;

		memcpy(&op, ops + (size_t)i * b->ops.stride, sizeof(op));
		if ((op.va | op.size | op.bo_offset) & 4095 || !op.size || op.va < VA_START ||
		    op.va + op.size > VA_END)
			return -EINVAL;
		if (op.op == DRM_TESSERA_BIND_OP_MAP) {
			if (op.handle >= MAXOBJ || !F.bo[op.handle].live)
				return -ENOENT;
			if (op.bo_offset + op.size > F.bo[op.handle].size ||
			    (op.flags & ~DRM_TESSERA_BIND_FLAGS_VALID) ||
			    !(op.flags & (DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE)))
				return -EINVAL;
			/* The library binds only over nothing. */
			if (fake_find_map(b->vm_id, op.va) ||
			    fake_find_map(b->vm_id, op.va + op.size - 1))
				F.errors++;
			for (j = 0; j < 4 * MAXOBJ && F.map[j].used; j++)
				;
			if (j == 4 * MAXOBJ)
				return -ENOMEM;
			F.map[j] = (struct fmap){ 1, b->vm_id, op.handle, op.flags, op.va, op.size };
			if (b->flags & DRM_TESSERA_VM_BIND_ASYNC)
				F.errors++;	/* the library maps synchronously */
		} else if (op.op == DRM_TESSERA_BIND_OP_UNMAP) {
			if (b->flags & DRM_TESSERA_VM_BIND_ASYNC) {
				const struct drm_tessera_sync *s =
					(const void *)(uintptr_t)b->syncs.ptr;

				F.async_unmaps++;
				if (b->syncs.count != 1 || s->flags != DRM_TESSERA_SYNC_SIGNAL)
					F.errors++;
				fake_signal_later(b->syncs.count ? s->handle : 0,
						  b->syncs.count ? s->point : 0, 1, b->vm_id,
						  op.va, op.size);
			} else {
				if (F.hold)
					return -EDEADLK;	/* would wait for held jobs */
				fake_unmap(b->vm_id, op.va, op.size);
			}
		} else {
			return -EINVAL;
		}
	}
	b->ops_done = b->ops.count;
	return 0;
}

static int fake_submit(struct drm_tessera_submit *s)
{
	const char *syncs = (const char *)(uintptr_t)s->syncs.ptr;
	struct fmap *m;
	uint32_t i;

	if (s->queue_id >= MAXOBJ || !F.queue[s->queue_id].live)
		return -ENOENT;
	if (!s->cmd_size || s->cmd_size & 3 || s->cmd_va & 3 ||
	    (s->syncs.count && s->syncs.stride < sizeof(struct drm_tessera_sync)))
		return -EINVAL;
	m = fake_find_map(F.queue[s->queue_id].vm, s->cmd_va);
	if (!m || s->cmd_va + s->cmd_size > m->va + m->size)
		return -EINVAL;	/* would fault; the library must not do that */
	F.last_cmd_va = s->cmd_va;
	F.last_cmd_queue = s->queue_id;
	F.last_cmd_bind_flags = m->flags;
	for (i = 0; i < s->syncs.count; i++) {
		struct drm_tessera_sync sy;

		memcpy(&sy, syncs + (size_t)i * s->syncs.stride, sizeof(sy));
		if (sy.handle >= MAXOBJ || !F.sync[sy.handle].live)
			return -ENOENT;
		if (sy.flags & DRM_TESSERA_SYNC_WAIT &&
		    sy.point > F.sync[sy.handle].submitted &&
		    !(sy.flags & DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT))
			return -EINVAL;
	}
	for (i = 0; i < s->syncs.count; i++) {
		struct drm_tessera_sync sy;

		memcpy(&sy, syncs + (size_t)i * s->syncs.stride, sizeof(sy));
		if (sy.flags & DRM_TESSERA_SYNC_SIGNAL)
			fake_signal_later(sy.handle, sy.point, 0, 0, 0, 0);
	}
	s->seqno = ++F.submits;
	return 0;
}

/* -errno or 0: does every point of @handles/@points have signalled? */
static int fake_wait(const uint32_t *handles, const uint64_t *points, uint32_t count,
		     uint32_t flags)
{
	uint32_t i, done = 0;

	for (i = 0; i < count; i++) {
		uint64_t p = points ? points[i] : 0;
		struct fsync *s;

		if (handles[i] >= MAXOBJ || !F.sync[handles[i]].live)
			return -ENOENT;
		s = &F.sync[handles[i]];
		if (!p && !s->submitted && !(flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT))
			return -EINVAL;
		/* point 0: the latest fence */
		if ((p ? p : s->submitted) <= s->signaled && s->submitted)
			done++;
	}
	if (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL ? done == count : done > 0)
		return 0;
	return -ETIME;	/* the fake never blocks */
}

static uint32_t fake_new(int *live_flags, size_t stride, int n)
{
	int i;

	for (i = 1; i < n; i++) {
		int *live = (int *)((char *)live_flags + (size_t)i * stride);

		if (!*live) {
			*live = 1;
			return (uint32_t)i;
		}
	}
	return 0;
}

static int fake_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case DRM_IOCTL_VERSION: {
		struct drm_version *v = arg;
		size_t n = strlen(F.name);

		v->version_major = F.major;
		v->version_minor = 0;
		v->version_patchlevel = 0;
		if (v->name_len && v->name)
			memcpy(v->name, F.name, n < v->name_len ? n : v->name_len);
		v->name_len = n;
		if (v->date_len && v->date)
			v->date[0] = '0';
		if (v->desc_len && v->desc)
			v->desc[0] = 'T';
		v->date_len = 1;
		v->desc_len = 1;
		return 0;
	}
	case DRM_IOCTL_TESSERA_GET_PARAM:
		return fake_param(arg);
	case DRM_IOCTL_TESSERA_VM_CREATE: {
		struct drm_tessera_vm_create *c = arg;

		c->vm_id = fake_new(F.vm, sizeof(F.vm[0]), MAXOBJ);
		return c->vm_id ? 0 : -EMFILE;
	}
	case DRM_IOCTL_TESSERA_VM_DESTROY: {
		struct drm_tessera_vm_destroy *d = arg;
		int i;

		if (d->vm_id >= MAXOBJ || !F.vm[d->vm_id])
			return -ENOENT;
		F.vm[d->vm_id] = 0;
		for (i = 0; i < 4 * MAXOBJ; i++)
			if (F.map[i].vm == d->vm_id)
				F.map[i].used = 0;
		return 0;
	}
	case DRM_IOCTL_TESSERA_VM_BIND:
		return fake_bind(arg);
	case DRM_IOCTL_TESSERA_VM_STATUS: {
		struct drm_tessera_vm_status *s = arg;

		if (s->vm_id >= MAXOBJ || !F.vm[s->vm_id])
			return -ENOENT;
		s->flags = 0;
		s->fault_count = 0;
		s->fault_va = 0x1234000;	/* recognisable */
		return 0;
	}
	case DRM_IOCTL_TESSERA_BO_CREATE: {
		struct drm_tessera_bo_create *c = arg;
		uint32_t h;

		if (!c->size || c->flags & ~DRM_TESSERA_BO_FLAGS_VALID)
			return -EINVAL;
		h = fake_new(&F.bo[0].live, sizeof(F.bo[0]), MAXOBJ);
		if (!h)
			return -ENOMEM;
		c->size = (c->size + 4095) & ~4095ull;
		F.bo[h].size = c->size;
		F.bo[h].flags = c->flags;
		F.bo[h].off = F.mem_end;
		F.mem_end += c->size;
		if (ftruncate(F.memfd, (off_t)F.mem_end))
			return -ENOMEM;
		c->handle = h;
		c->mmap_offset = F.bo[h].off;
		return 0;
	}
	case DRM_IOCTL_TESSERA_BO_INFO: {
		struct drm_tessera_bo_info *i = arg;

		if (i->handle >= MAXOBJ || !F.bo[i->handle].live)
			return -ENOENT;
		i->size = F.bo[i->handle].size;
		i->flags = F.bo[i->handle].flags;
		i->mmap_offset = F.bo[i->handle].off;
		return 0;
	}
	case DRM_IOCTL_GEM_CLOSE: {
		struct drm_gem_close *c = arg;

		if (c->handle >= MAXOBJ || !F.bo[c->handle].live)
			return -EINVAL;
		F.bo[c->handle].live = 0;	/* bindings keep the memory; the fake keeps it all */
		F.gem_closes++;
		return 0;
	}
	case DRM_IOCTL_PRIME_HANDLE_TO_FD: {
		struct drm_prime_handle *p = arg;
		int i, fd;

		if (p->handle >= MAXOBJ || !F.bo[p->handle].live)
			return -ENOENT;
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		for (i = 0; i < MAXOBJ && F.export[i].ino; i++)
			;
		if (i == MAXOBJ)
			return -ENOMEM;
		F.export[i].ino = fd_ino(fd);
		F.export[i].handle = p->handle;
		p->fd = fd;
		return 0;
	}
	case DRM_IOCTL_PRIME_FD_TO_HANDLE: {
		struct drm_prime_handle *p = arg;
		ino_t ino = fd_ino(p->fd);
		int i;

		if (!ino)
			return -EBADF;
		for (i = 0; i < MAXOBJ; i++) {
			if (F.export[i].ino != ino)
				continue;
			if (!F.bo[F.export[i].handle].live) {
				/* as the kernel does: a new handle for the same memory */
				uint32_t h = fake_new(&F.bo[0].live, sizeof(F.bo[0]), MAXOBJ);

				F.bo[h] = F.bo[F.export[i].handle];
				F.bo[h].live = 1;
				F.export[i].handle = h;
			}
			p->handle = F.export[i].handle;
			return 0;
		}
		return -EINVAL;
	}
	case DRM_IOCTL_TESSERA_QUEUE_CREATE: {
		struct drm_tessera_queue_create *q = arg;
		uint32_t id;

		if (q->vm_id >= MAXOBJ || !F.vm[q->vm_id])
			return -ENOENT;
		if (q->engine_class > 1 || q->priority > 2 || q->flags ||
		    (q->engine != DRM_TESSERA_ENGINE_ANY &&
		     (q->engine >= NUM_ENGINES || (q->engine < NUM_COMPUTE) != !q->engine_class)))
			return -EINVAL;
		id = fake_new(&F.queue[0].live, sizeof(F.queue[0]), MAXOBJ);
		F.queue[id].vm = q->vm_id;
		F.queue[id].cls = q->engine_class;
		F.queue[id].engine = q->engine;
		F.queue_creates++;
		F.last_qc = *q;
		q->queue_id = id;
		return 0;
	}
	case DRM_IOCTL_TESSERA_QUEUE_DESTROY: {
		struct drm_tessera_queue_destroy *d = arg;

		if (d->queue_id >= MAXOBJ || !F.queue[d->queue_id].live)
			return -ENOENT;
		F.queue[d->queue_id].live = 0;
		return 0;
	}
	case DRM_IOCTL_TESSERA_SUBMIT:
		return fake_submit(arg);
	case DRM_IOCTL_TESSERA_FENCE_WAIT: {
		struct drm_tessera_fence_wait *w = arg;
		int ret;

		if (w->handle >= MAXOBJ || !F.sync[w->handle].live)
			return -ENOENT;
		if (w->point > F.sync[w->handle].submitted ||
		    (!w->point && !F.sync[w->handle].submitted))
			return -ESRCH;
		{
			uint64_t point = w->point;

			ret = fake_wait(&w->handle, &point, 1, 0);
		}
		w->status = 0;
		return ret;
	}
	case DRM_IOCTL_SYNCOBJ_CREATE: {
		struct drm_syncobj_create *c = arg;

		c->handle = fake_new(&F.sync[0].live, sizeof(F.sync[0]), MAXOBJ);
		F.sync[c->handle].signaled = F.sync[c->handle].submitted = 0;
		return c->handle ? 0 : -ENOMEM;
	}
	case DRM_IOCTL_SYNCOBJ_DESTROY: {
		struct drm_syncobj_destroy *d = arg;

		if (d->handle >= MAXOBJ || !F.sync[d->handle].live)
			return -EINVAL;
		F.sync[d->handle].live = 0;
		return 0;
	}
	case DRM_IOCTL_SYNCOBJ_WAIT: {
		struct drm_syncobj_wait *w = arg;

		return fake_wait((const uint32_t *)(uintptr_t)w->handles, NULL, w->count_handles,
				 w->flags);
	}
	case DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT: {
		struct drm_syncobj_timeline_wait *w = arg;

		F.waits++;
		return fake_wait((const uint32_t *)(uintptr_t)w->handles,
				 (const uint64_t *)(uintptr_t)w->points, w->count_handles,
				 w->flags);
	}
	case DRM_IOCTL_SYNCOBJ_QUERY: {
		struct drm_syncobj_timeline_array *a = arg;
		const uint32_t *h = (const uint32_t *)(uintptr_t)a->handles;
		uint64_t *p = (uint64_t *)(uintptr_t)a->points;
		uint32_t i;

		for (i = 0; i < a->count_handles; i++) {
			if (h[i] >= MAXOBJ || !F.sync[h[i]].live)
				return -EINVAL;
			p[i] = F.sync[h[i]].signaled;
		}
		return 0;
	}
	default:
		F.errors++;
		return -ENOTTY;
	}
}

/* Interposes libc's: libdrm and libaccel resolve ioctl() to this one. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!F.ino || fd_ino(fd) != F.ino)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	ret = fake_ioctl(req, arg);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

static char fake_path[64];

static void fake_init(void)
{
	F.memfd = memfd_create("tessera-fake", MFD_CLOEXEC);
	F.ino = fd_ino(F.memfd);
	F.major = 2;
	F.name = "tessera";
	F.mem_end = 4096;	/* offset 0 means "not mappable" */
	snprintf(fake_path, sizeof(fake_path), "/proc/self/fd/%d", F.memfd);
}

/* Mappings of the fake device's memory in this process. */
static int fake_mappings(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "memfd:tessera-fake"))
			n++;
	fclose(f);
	return n;
}

/* Bind flags of the fake's mapping at @va of @vm, or -1. */
static int bind_flags_at(struct accel_vm *vm, uint64_t va)
{
	struct fmap *m = fake_find_map(accel_vm_id(vm), va);

	return m ? (int)m->flags : -1;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void test_open(void)
{
	struct accel_device *dev = (struct accel_device *)0x1;
	struct accel_device_info info = { .size = sizeof(info) };

	F.major = 0;
	TAP_OK(accel_device_open_path(fake_path, &dev) == -EPROTO && dev == (void *)0x1,
	      "a tessera driver with uAPI major 0 is refused with EPROTO");
	F.major = 3;
	TAP_OK(accel_device_open_path(fake_path, &dev) == -EPROTO, "and one with major 3");
	F.major = 2;
	F.name = "other";
	TAP_OK(accel_device_open_path(fake_path, &dev) == -ENODEV, "another driver is ENODEV");
	F.name = "tessera";
	TAP_OK(accel_device_open_path(fake_path, &dev) == 0, "major 2 opens");
	TAP_OK(accel_device_query(dev, &info) == 0 && info.driver_version_major == 2 &&
	      info.va_start == VA_START && info.va_end == VA_END && info.num_asids == 255 &&
	      info.serial == 0x5e71a1 && info.capabilities == (ACCEL_CAP_EXEC_PERM |
							       ACCEL_CAP_HUGE_PAGES),
	      "query reports the uAPI 2 parameters");
	TAP_OK(F.vm[accel_vm_id(accel_device_default_vm(dev))], "open created the default VM");
	accel_device_close(dev);
	TAP_OK(!F.vm[1] && F.errors == 0, "close destroyed it; nothing out of contract");
}

static void test_buffers(struct accel_device *dev)
{
	struct accel_vm *dvm = accel_device_default_vm(dev);
	struct accel_bo *a, *big;
	int maps = fake_mappings(), closes;
	uint64_t va;
	void *p;

	TAP_OK(accel_bo_alloc(dev, 100, &a) == 0 && accel_bo_size(a) == 4096 &&
	      bind_flags_at(dvm, accel_bo_va(a)) == (ACCEL_BIND_READ | ACCEL_BIND_WRITE),
	      "a buffer is bound READ|WRITE in the default VM at accel_bo_va");
	TAP_OK(accel_bo_alloc(dev, 3 << 20, &big) == 0 && accel_bo_va(big) % (2 << 20) == 0,
	      "a 3 MiB buffer's VA is 2 MiB-aligned");
	TAP_OK(fake_mappings() == maps && !accel_bo_is_mapped(a),
	      "allocation maps nothing for the CPU");
	TAP_OK(accel_bo_map(a, &p) == 0 && fake_mappings() == maps + 1, "accel_bo_map maps");
	memset(p, 0x5a, 4096);
	accel_bo_unmap(a);
	TAP_OK(fake_mappings() == maps && accel_bo_map(a, &p) == 0 &&
	      ((unsigned char *)p)[4095] == 0x5a, "unmap and map again: same memory");
	va = accel_bo_va(a);
	closes = F.gem_closes;
	accel_bo_free(a);
	TAP_OK(F.gem_closes == closes + 1 && fake_mappings() == maps &&
	      !fake_find_map(accel_vm_id(dvm), va),
	      "free: munmap, GEM_CLOSE, unbound (no job held it)");
	accel_bo_free(big);
	TAP_OK(F.errors == 0, "nothing out of contract");
}

static void test_free_keeps_va_until_unbound(struct accel_device *dev)
{
	struct accel_vm *dvm = accel_device_default_vm(dev);
	struct accel_bo *a, *b, *fill[8];
	uint64_t va;
	int i, unmaps = F.async_unmaps, reused = 0;

	accel_bo_alloc(dev, 4096, &a);
	va = accel_bo_va(a);
	F.hold = 1;	/* a job of the VM is running */
	accel_bo_free(a);
	TAP_OK(F.async_unmaps == unmaps + 1 && fake_find_map(accel_vm_id(dvm), va),
	      "free of a buffer a job may use: an asynchronous unbind, queued behind the job");
	for (i = 0; i < 8; i++) {
		accel_bo_alloc(dev, 4096, &fill[i]);
		reused |= accel_bo_va(fill[i]) == va;
	}
	TAP_OK(!reused, "its VA is not handed out while the unbind waits");
	fake_release();
	TAP_OK(!fake_find_map(accel_vm_id(dvm), va), "the job done, the unbind ran");
	accel_bo_alloc(dev, 4096, &b);
	TAP_OK(accel_bo_va(b) == va, "then the VA is reused (first fit)");
	for (i = 0; i < 8; i++)
		accel_bo_free(fill[i]);
	accel_bo_free(b);
	TAP_OK(F.errors == 0, "nothing out of contract");
}

static void test_import_dedup(struct accel_device *dev)
{
	struct accel_bo *a, *b, *c;
	int fd = -1, fd2 = -1, closes;

	accel_bo_alloc(dev, 8192, &a);
	TAP_OK(accel_bo_export(a, &fd) == 0 && accel_bo_export(a, &fd2) == 0,
	      "export twice");
	TAP_OK(accel_bo_import(dev, fd, &b) == 0 && b == a, "own export imports as the same bo");
	TAP_OK(accel_bo_import(dev, fd2, &c) == 0 && c == a, "and again");
	closes = F.gem_closes;
	accel_bo_free(b);
	accel_bo_free(c);
	TAP_OK(F.gem_closes == closes && F.bo[accel_bo_handle(a)].live,
	      "two frees of three references: the handle stays");
	accel_bo_free(a);
	TAP_OK(F.gem_closes == closes + 1, "the last free closes it, once");
	/* After the last free, an import is a new object of a new handle. */
	TAP_OK(accel_bo_import(dev, fd, &b) == 0 && accel_bo_size(b) == 8192 &&
	      F.bo[accel_bo_handle(b)].live, "a later import wraps the buffer anew");
	accel_bo_free(b);
	close(fd);
	close(fd2);
	TAP_OK(accel_bo_import(dev, 1000, &b) == -EBADF, "a bad fd is EBADF");
	TAP_OK(F.errors == 0, "nothing out of contract");
}

static void test_cmdbufs_and_queues(struct accel_device *dev)
{
	struct accel_vm *dvm = accel_device_default_vm(dev), *vm;
	struct accel_submit_args args = { .size = sizeof(args) };
	struct accel_cmdbuf *cb;
	struct accel_queue *q;
	struct accel_fence *f;
	uint64_t seq = 0, va1;
	int creates, maps = fake_mappings();

	accel_fence_create(dev, &f);
	TAP_OK(accel_cmdbuf_create(dev, 4096, &cb) == 0 && fake_mappings() == maps + 1,
	      "a command buffer is mapped (the CPU writes it)");
	accel_cmdbuf_nop(cb, 4);
	creates = F.queue_creates;
	args.engine = 3;
	args.signal = f;
	TAP_OK(accel_submit(cb, &args, &seq) == 0 && F.queue_creates == creates + 1 &&
	      F.last_qc.engine == 3 && F.last_qc.engine_class == DRM_TESSERA_ENGINE_CLASS_DMA &&
	      F.last_qc.vm_id == accel_vm_id(dvm), "accel_submit creates engine 3's DMA queue");
	TAP_OK(F.last_cmd_bind_flags == (ACCEL_BIND_READ | ACCEL_BIND_EXEC),
	      "the commands are fetched through a READ|EXEC binding, never WRITE");
	va1 = F.last_cmd_va;
	TAP_OK(accel_submit(cb, &args, NULL) == 0 && F.queue_creates == creates + 1,
	      "the next submit to engine 3 reuses its queue");
	args.engine = 0;
	TAP_OK(accel_submit(cb, &args, NULL) == 0 && F.last_qc.engine == 0 &&
	      F.last_qc.engine_class == DRM_TESSERA_ENGINE_CLASS_COMPUTE,
	      "engine 0 gets a compute queue");
	args.engine = NUM_ENGINES;
	TAP_OK(accel_submit(cb, &args, NULL) == -EINVAL, "an engine beyond the card is EINVAL");
	args.engine = 0;
	args.size = 4;
	TAP_OK(accel_submit(cb, &args, NULL) == -EINVAL, "short submit args are EINVAL");
	args.size = sizeof(args);

	TAP_OK(accel_vm_create(dev, &vm) == 0 &&
	      accel_vm_queue_create(vm, ACCEL_ENGINE_COMPUTE, 1, ACCEL_PRIORITY_LOW, &q) == 0 &&
	      F.last_qc.vm_id == accel_vm_id(vm) && F.last_qc.engine == 1,
	      "a queue on a VM of one's own, on engine 1");
	TAP_OK(accel_queue_submit(q, cb, NULL, 0, NULL, 0, NULL, 0) == 0 &&
	      F.last_cmd_bind_flags == (ACCEL_BIND_READ | ACCEL_BIND_EXEC) &&
	      bind_flags_at(vm, F.last_cmd_va) == (ACCEL_BIND_READ | ACCEL_BIND_EXEC),
	      "submitted there, the command buffer got a READ|EXEC binding in that VM");
	accel_queue_destroy(q);
	accel_vm_destroy(vm);
	TAP_OK(F.vm[accel_vm_id(vm)], "the command buffer keeps the destroyed VM alive");
	/* Reuse tracking: a held job keeps the buffer busy. */
	F.hold = 1;
	TAP_OK(accel_submit(cb, &args, NULL) == 0 && F.last_cmd_va == va1,
	      "default VM: the same VA as before");
	TAP_OK(accel_cmdbuf_wait_idle(cb, 0) == -ETIME,
	      "while the card may read it, the command buffer is busy");
	TAP_OK(accel_cmdbuf_reset(cb) == -ETIME && accel_cmdbuf_size(cb) == 16,
	      "and reset (which the fake cannot block) fails, leaving it unchanged");
	fake_release();
	TAP_OK(accel_cmdbuf_wait_idle(cb, 0) == 0 && accel_cmdbuf_reset(cb) == 0 &&
	      accel_cmdbuf_size(cb) == 0, "once the job is done, reset empties it");
	TAP_OK(accel_submit(cb, &args, NULL) == -EINVAL, "an empty buffer is not submitted");
	{
		uint32_t vmid = accel_vm_id(vm);

		accel_cmdbuf_destroy(cb);
		TAP_OK(!F.vm[vmid], "destroying the command buffer drops the last hold on the VM");
	}
	accel_fence_destroy(f);
	TAP_OK(fake_mappings() == maps && F.errors == 0, "nothing left mapped, nothing out of contract");
}

/* @n bytes at @off of the command buffer the last submit ran (default VM). */
static int last_cmd_bytes(struct accel_vm *dvm, size_t off, void *buf, size_t n)
{
	struct fmap *m = fake_find_map(accel_vm_id(dvm), F.last_cmd_va);

	if (!m)
		return -1;
	return pread(F.memfd, buf, n, (off_t)(F.bo[m->handle].off + (F.last_cmd_va - m->va) +
					     off)) == (ssize_t)n ? 0 : -1;
}

/*
 * accel_cmdbuf_patch_adamw(): the bytes it writes are the encoder's for
 * the new step and rate and nothing else changes; an offset that is not
 * where an ADAMW recorded since the last reset starts is refused (also a
 * dword inside another command that reads as an ADAMW header); a busy
 * buffer is refused, unchanged, until its job is done; once seen idle,
 * patching makes no system call.
 */
static void test_cmdbuf_patch(struct accel_device *dev)
{
	struct accel_vm *dvm = accel_device_default_vm(dev);
	struct accel_submit_args args = { .size = sizeof(args) };
	const uint32_t adamw_hdr = TESSERA_CMD_HEADER(TESSERA_CMD_OP_ADAMW, 0, TESSERA_CMD_ADAMW_LEN);
	struct accel_adamw a = {
		.size = sizeof(a), .count = 1000, .step = 3, .param = 0x100000, .grad = 0x200000,
		.m = 0x300000, .v = 0x400000, .lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.95f,
		.eps = 1e-8f, .weight_decay = 0.1f, .grad_scale = 1.0f,
	};
	struct accel_adamw b = a;
	const struct accel_reduce r = {
		.size = sizeof(r), .dtype = ACCEL_DTYPE_FP32, .axis = ACCEL_RED_ALL, .rows = 1,
		.cols = 1000, .x = 0x200000, .x_ld = 1000, .dst = 0x500000, .scale = 1.0f,
	};
	uint32_t want[64] = { 0 }, got[64];
	size_t off_a, off_r, off_b, end, n = 0;
	struct accel_cmdbuf *cb;
	int waits, bad = 0;

	b.flags = ACCEL_ADAMW_CLIP;
	b.sumsq = 0x600000;
	b.max_norm = 1.0f;
	if (accel_cmdbuf_create(dev, 4096, &cb)) {
		TAP_OK(0, "a command buffer for patching");
		return;
	}
	/* a FILL whose pattern is an ADAMW header, at byte 16 */
	accel_cmdbuf_fill(cb, 0x700000, 64, adamw_hdr);
	n += (size_t)accel_encode_fill(want + n, 64 - n, 0x700000, 64, adamw_hdr);
	off_a = accel_cmdbuf_size(cb);
	accel_cmdbuf_adamw(cb, &a);
	n += (size_t)accel_encode_adamw(want + n, 64 - n, &a);
	off_r = accel_cmdbuf_size(cb);
	accel_cmdbuf_reduce(cb, &r);
	n += (size_t)accel_encode_reduce(want + n, 64 - n, &r);
	off_b = accel_cmdbuf_size(cb);
	accel_cmdbuf_adamw(cb, &b);
	n += (size_t)accel_encode_adamw(want + n, 64 - n, &b);
	end = accel_cmdbuf_size(cb);
	TAP_OK(end == n * 4 && off_a == 20 && want[4] == adamw_hdr,
	      "recorded FILL, ADAMW, REDUCE, ADAMW (offsets from accel_cmdbuf_size())");
	TAP_OK(accel_submit(cb, &args, NULL) == 0 && !last_cmd_bytes(dvm, 0, got, end) &&
	      !memcmp(got, want, end), "submitted: the buffer holds the encoders' bytes");

	TAP_OK(accel_cmdbuf_patch_adamw(cb, off_a, 8, 2e-3f) == 0,
	      "the first ADAMW patched to step 8, lr 2e-3 once its job is done");
	a.step = 8;
	a.lr = 2e-3f;
	accel_encode_adamw(want + off_a / 4, 20, &a);
	TAP_OK(!last_cmd_bytes(dvm, 0, got, end) && !memcmp(got, want, end),
	      "its bytes are the encoder's for step 8, lr 2e-3; nothing else changed");

	{
		const size_t offs[] = { off_a + 2, off_a + 4, off_a + 40, 16, 0, off_r, end, 4092,
					4096, SIZE_MAX - 3 };

		for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
			bad += accel_cmdbuf_patch_adamw(cb, offs[i], 9, 1e-4f) != -EINVAL;
	}
	TAP_OK(!bad, "refused (EINVAL): unaligned, inside the ADAMW, the FILL's pattern that reads "
	      "as an ADAMW header, the FILL, the REDUCE, the end, past the capacity");
	bad = accel_cmdbuf_patch_adamw(cb, off_b, 0, 1e-4f) != -EINVAL;
	bad += accel_cmdbuf_patch_adamw(cb, off_b, 9, -1e-4f) != -EINVAL;
	bad += accel_cmdbuf_patch_adamw(cb, off_b, 9, __builtin_nanf("")) != -EINVAL;
	bad += accel_cmdbuf_patch_adamw(cb, off_b, 9, __builtin_inff()) != -EINVAL;
	TAP_OK(!bad && !last_cmd_bytes(dvm, 0, got, end) && !memcmp(got, want, end),
	      "refused (EINVAL): step 0, lr negative, NaN or infinite; the buffer unchanged");

	F.hold = 1;
	TAP_OK(accel_submit(cb, &args, NULL) == 0 &&
	      accel_cmdbuf_patch_adamw(cb, off_b, 9, 1e-4f) == -EBUSY &&
	      !last_cmd_bytes(dvm, 0, got, end) && !memcmp(got, want, end),
	      "while a job may read it: EBUSY, the buffer unchanged");
	fake_release();
	TAP_OK(accel_cmdbuf_patch_adamw(cb, off_b, 9, 1e-4f) == 0,
	      "the job done, the second ADAMW (CLIP) is patched");
	b.step = 9;
	b.lr = 1e-4f;
	accel_encode_adamw(want + off_b / 4, 20, &b);
	TAP_OK(!last_cmd_bytes(dvm, 0, got, end) && !memcmp(got, want, end),
	      "its bytes are the encoder's for step 9, lr 1e-4, flags and sumsq kept");
	waits = F.waits;
	TAP_OK(accel_cmdbuf_patch_adamw(cb, off_a, 10, 0.0f) == 0 &&
	      accel_cmdbuf_patch_adamw(cb, off_b, 10, 0.0f) == 0 &&
	      accel_cmdbuf_wait_idle(cb, 0) == 0 && F.waits == waits,
	      "seen idle, patches (lr 0 is fine) and idle checks make no syscall");

	/* after a reset, the old offsets are no commands */
	TAP_OK(accel_cmdbuf_reset(cb) == 0 && accel_cmdbuf_patch_adamw(cb, off_a, 9, 1e-4f) == -EINVAL,
	      "after reset, an empty buffer has nothing to patch");
	accel_cmdbuf_nop(cb, 1);
	accel_cmdbuf_fill(cb, 0x700000, 64, adamw_hdr);
	TAP_OK(accel_cmdbuf_size(cb) == 24 && accel_cmdbuf_patch_adamw(cb, 20, 9, 1e-4f) == -EINVAL,
	      "nor is the old ADAMW's offset, now a FILL pattern that reads as its header");
	TAP_OK(accel_cmdbuf_adamw(cb, &a) == 0 && accel_cmdbuf_patch_adamw(cb, 24, 11, 5e-4f) == 0,
	      "an ADAMW recorded after the reset is patched at its new offset");
	accel_cmdbuf_destroy(cb);
	TAP_OK(F.errors == 0, "nothing out of contract");
}

static void test_vm_api(struct accel_device *dev)
{
	struct accel_vm_status st;
	struct accel_vm *vm;
	struct accel_bo *bo;
	uint64_t va;

	accel_vm_create(dev, &vm);
	accel_bo_alloc(dev, 1 << 20, &bo);
	TAP_OK(accel_vm_va_alloc(vm, 1 << 20, 0, &va) == 0 && va >= VA_START,
	      "a VA from the VM's allocator");
	TAP_OK(accel_vm_bind(vm, bo, 4096, va, 65536, ACCEL_BIND_READ) == 0 &&
	      bind_flags_at(vm, va) == ACCEL_BIND_READ, "a READ-only bind of part of a buffer");
	TAP_OK(accel_vm_bind(vm, bo, 0, va + 65536, 4096, ACCEL_BIND_WRITE | ACCEL_BIND_EXEC) ==
	      -EINVAL, "EXEC without READ is refused by the library");
	TAP_OK(accel_vm_bind(vm, bo, 0, VA_END - 4096, 8192, ACCEL_BIND_READ) == -EINVAL,
	      "a range past VA_END is refused");
	TAP_OK(accel_vm_unbind(vm, va, 65536) == 0 && bind_flags_at(vm, va) == -1, "unbind");
	F.hold = 1;
	TAP_OK(accel_vm_unbind(vm, va, 65536) == -EDEADLK,
	      "a user's unbind is synchronous (it would wait for the VM's jobs)");
	fake_release();
	TAP_OK(accel_vm_va_free(vm, va, 1 << 20) == 0 && accel_vm_va_free(vm, va, 1 << 20) == -EINVAL,
	      "free the VA; twice is EINVAL");
	memset(&st, 0xa5, sizeof(st));
	st.size = offsetof(struct accel_vm_status, fault_va);
	TAP_OK(accel_vm_status(vm, &st) == -EINVAL, "a VM status shorter than 2.0's is EINVAL");
	st.size = sizeof(st);
	TAP_OK(accel_vm_status(vm, &st) == 0 && st.fault_va == 0x1234000 && st.flags == 0,
	      "VM status");
	accel_bo_free(bo);
	accel_vm_destroy(vm);
	TAP_OK(F.errors == 0, "nothing out of contract");
}

int main(void)
{
	struct accel_device *dev = NULL;

	printf("TAP version 13\n");
	fake_init();
	test_open();
	if (accel_device_open_path(fake_path, &dev)) {
		printf("Bail out! cannot open the fake device\n");
		return 1;
	}
	test_buffers(dev);
	test_free_keeps_va_until_unbound(dev);
	test_import_dedup(dev);
	test_cmdbufs_and_queues(dev);
	test_cmdbuf_patch(dev);
	test_vm_api(dev);
	accel_device_close(dev);
	return tap_lines_end("libaccel fake driver");
}
