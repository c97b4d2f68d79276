/* SPDX-License-Identifier: MIT */
/*
 * libaccel internals shared by its source files (not installed).
 *
 * Files, by concern (as libdrm_amdgpu splits its own):
 *   device.c  enumeration, open/close, queries, errors
 *   vm.c      VMs, binds, the library's own bindings and their VA reuse
 *   va.c      the VA allocator (one per VM)
 *   bo.c      buffers, CPU mappings, the handle table (import dedup)
 *   fence.c   fences (syncobjs), waits, sync_file
 *   cmdbuf.c  command buffers: recording, per-VM bindings, reuse tracking
 *   submit.c  queues and submission
 *   encode.c  the command encoders (pure functions)
 *
 * Locks (never two at once except in the order given):
 *   accel_device.lock   -> accel_vm.lock -> accel_va.lock
 *   accel_device.bo_lock -> accel_vm.lock -> accel_va.lock
 *   accel_device.bo_lock -> accel_bo.map_lock
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef ACCEL_PRIV_H
#define ACCEL_PRIV_H

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <xf86drm.h>

#include "accel/accel.h"
#include "accel/tessera_cmd.h"
#include "tessera_accel.h"

#define ACCEL_EXPORT __attribute__((visibility("default")))
#define ACCEL_DRIVER "tessera"
#define ACCEL_BO_BUCKETS 256

/* End of member @m of @type: the size of a struct version ending at @m. */
#define ACCEL_END(type, m) (offsetof(type, m) + sizeof(((type *)0)->m))

/* Sizes of the caller-allocated structs in libaccel 2.0: the least accepted. */
#define ACCEL_DEVICE_INFO_SIZE_2_0	ACCEL_END(struct accel_device_info, num_asids)
#define ACCEL_SUBMIT_ARGS_SIZE_2_0	ACCEL_END(struct accel_submit_args, signal)
#define ACCEL_VM_STATUS_SIZE_2_0	ACCEL_END(struct accel_vm_status, fault_va)
#define ACCEL_GEMM_SIZE_2_0		ACCEL_END(struct accel_gemm, beta)
#define ACCEL_ELEMENTWISE_SIZE_2_0	ACCEL_END(struct accel_elementwise, scalar)
#define ACCEL_ROWWISE_SIZE_2_0		ACCEL_END(struct accel_rowwise, epsilon)
/* ... and of those added in libaccel 2.1 */
#define ACCEL_BGEMM_SIZE_2_1		ACCEL_END(struct accel_bgemm, stride_c)
#define ACCEL_SOFTMAX_BWD_SIZE_2_1	ACCEL_END(struct accel_softmax_bwd, dx_ld)
#define ACCEL_EMBEDDING_SIZE_2_1	ACCEL_END(struct accel_embedding, x_ld)
#define ACCEL_RMSNORM_SIZE_2_1		ACCEL_END(struct accel_rmsnorm, epsilon)
#define ACCEL_ROPE_SIZE_2_1		ACCEL_END(struct accel_rope, theta)
#define ACCEL_ELEMENTWISE2_SIZE_2_1	ACCEL_END(struct accel_elementwise2, scalar)
#define ACCEL_CROSS_ENTROPY_SIZE_2_1	ACCEL_END(struct accel_cross_entropy, ignore_index)
#define ACCEL_REDUCE_SIZE_2_1		ACCEL_END(struct accel_reduce, scale)
#define ACCEL_ADAMW_SIZE_2_1		ACCEL_END(struct accel_adamw, max_norm)

/*
 * accel_struct_in() - read a caller's struct that starts with a u32 size
 * @dst: the library's copy, @own bytes, zeroed beyond what the caller gave
 * @src: the caller's struct
 * @min: its size in libaccel 2.0
 *
 * Reads min(size, @own) bytes.  Returns 0 or -EINVAL (NULL, size < @min).
 */
static inline int accel_struct_in(void *dst, size_t own, const void *src, size_t min)
{
	uint32_t size;

	if (!src)
		return -EINVAL;
	memcpy(&size, src, sizeof(size));
	if (size < min)
		return -EINVAL;
	memset(dst, 0, own);
	memcpy(dst, src, size < own ? size : own);
	return 0;
}

/*
 * accel_struct_out() - write the library's @src (@own bytes) to a caller's
 * struct that starts with a u32 size, min(size, @own) bytes of it; the
 * caller's size field stays as it was.
 */
static inline int accel_struct_out(void *dst, const void *src, size_t own, size_t min)
{
	uint32_t size;

	if (!dst)
		return -EINVAL;
	memcpy(&size, dst, sizeof(size));
	if (size < min)
		return -EINVAL;
	size = size < own ? size : (uint32_t)own;
	memcpy((char *)dst + sizeof(size), (const char *)src + sizeof(size),
	       size - sizeof(size));
	return 0;
}

/* The bits of an fp32 immediate of a command. */
static inline uint32_t accel_f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* An fp32 argument that must be finite and >= 0 (e.g. a learning rate). */
static inline int accel_finite_ge0(float f)
{
	return f >= 0.0f && isfinite(f);
}

static inline int accel_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

/* va.c: a free-range allocator of device VAs, thread-safe. */
struct accel_va_range {
	uint64_t start, end;
};

struct accel_va {
	/* protects everything below */
	pthread_mutex_t lock;
	uint64_t start, end;
	/* free ranges, sorted, disjoint, never adjacent */
	struct accel_va_range *free;
	size_t nfree, cap;
	/* live allocations: the free list never needs more than nalloc + 1 */
	size_t nalloc;
};

int accel_va_init(struct accel_va *va, uint64_t start, uint64_t end);
void accel_va_fini(struct accel_va *va);
int accel_va_alloc(struct accel_va *va, uint64_t size, uint64_t align, uint64_t *out);
int accel_va_free(struct accel_va *va, uint64_t addr, uint64_t size);
/* Bytes free in all (for tests and the VM's reuse logic). */
uint64_t accel_va_free_bytes(struct accel_va *va);

/* vm.c */

/*
 * A binding the library made itself at a VA of its allocator (a buffer in
 * the default VM, a command buffer in any VM).  When released it is
 * unbound on the VM's bind queue (never waiting), and its VA goes back to
 * the allocator once that unbind has signalled @point.
 */
struct accel_vm_range {
	struct accel_vm_range *next;
	uint64_t va, size;
	uint64_t point;
};

struct accel_vm {
	struct accel_device *dev;
	uint32_t id;
	bool is_default;
	atomic_int refs;
	struct accel_va va;
	/* protects bind_point and pending, and orders the async unbinds */
	pthread_mutex_t lock;
	/* timeline syncobj signalled by the library's async unbinds */
	uint32_t bind_tl;
	uint64_t bind_point;
	/* released ranges whose unbind may not have completed yet */
	struct accel_vm_range *pending;
};

int accel_vm_new(struct accel_device *dev, bool is_default, struct accel_vm **out);
void accel_vm_get(struct accel_vm *vm);
void accel_vm_put(struct accel_vm *vm);
int accel_vm_map_lib(struct accel_vm *vm, struct accel_bo *bo, uint32_t bind_flags,
		     struct accel_vm_range **out);
void accel_vm_release_lib(struct accel_vm *vm, struct accel_vm_range *range);

/* bo.c */
struct accel_bo {
	struct accel_device *dev;
	/* next in the device's handle table bucket (dev->bo_lock) */
	struct accel_bo *hnext;
	/* references: allocs + imports not yet freed (dev->bo_lock) */
	unsigned int refs;
	uint32_t handle;
	uint32_t flags;
	uint64_t size;
	uint64_t mmap_offset;
	/* the binding in the default VM (immutable after creation) */
	struct accel_vm_range *range;
	/* protects map */
	pthread_mutex_t map_lock;
	void *map;
};

int accel_bo_create(struct accel_device *dev, uint64_t size, uint32_t flags,
		    uint32_t bind_flags, struct accel_bo **out);

/* device.c */
struct accel_device {
	int fd;
	char path[64];
	uint64_t capabilities;
	uint64_t va_start, va_end;
	uint64_t cmd_size_max;
	uint32_t num_engines, num_compute_engines;
	struct accel_vm *default_vm;
	/* protects engine_queue[] */
	pthread_mutex_t lock;
	/* accel_submit()'s queues, one per engine, created on first use */
	struct accel_queue **engine_queue;
	/* protects the handle table and every accel_bo's refs and hnext */
	pthread_mutex_t bo_lock;
	struct accel_bo *bo_table[ACCEL_BO_BUCKETS];
};

int accel_param(struct accel_device *dev, uint32_t param, uint64_t *value);

/* fence.c */
struct accel_fence {
	struct accel_device *dev;
	uint32_t syncobj;
};

int64_t accel_abs_timeout(uint64_t timeout_ns);

/* cmdbuf.c */
struct accel_cmdbuf_binding {
	struct accel_cmdbuf_binding *next;
	struct accel_vm *vm;		/* holds a reference */
	struct accel_vm_range *range;
};

struct accel_cmdbuf {
	struct accel_device *dev;
	struct accel_bo *bo;		/* WC host memory, READ | EXEC in the default VM */
	uint32_t *cmds;
	size_t capacity_dw;
	size_t used_dw;
	/*
	 * A timeline whose point busy_point is the fence of the last job
	 * submitted from this buffer (points signal in order, so every
	 * earlier job is done once it signals).
	 */
	uint32_t busy;
	uint64_t busy_point;
	/* busy_point's value when it was last seen signalled */
	uint64_t idle_point;
	/* bit n set: a command recorded since the last reset starts at dword n */
	uint64_t *starts;
	/* bindings in VMs other than the default one */
	struct accel_cmdbuf_binding *bindings;
};

int accel_cmdbuf_va(struct accel_cmdbuf *cb, struct accel_vm *vm, uint64_t *va);
/* The sync entry of a submit that marks @cb busy until the job is done. */
struct drm_tessera_sync accel_cmdbuf_busy_sync(const struct accel_cmdbuf *cb);
/* The submit carrying accel_cmdbuf_busy_sync() succeeded. */
void accel_cmdbuf_submitted(struct accel_cmdbuf *cb);

/* submit.c */
struct accel_queue {
	struct accel_device *dev;
	struct accel_vm *vm;		/* holds a reference */
	uint32_t id;
};

int accel_queue_new(struct accel_vm *vm, uint32_t engine_class, uint32_t engine,
		    uint32_t priority, struct accel_queue **out);

#endif /* ACCEL_PRIV_H */
