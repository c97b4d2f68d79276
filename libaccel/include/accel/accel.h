/* SPDX-License-Identifier: MIT */
/*
 * libaccel: the userspace runtime for Tessera accelerators.
 *
 * Conventions, for every call:
 *  - returns 0 (or a non-negative count) on success and a negative errno on
 *    failure; accel_strerror() turns it into text;
 *  - output pointers are written only on success;
 *  - objects are opaque.  An accel_device may be used from several threads
 *    at once; an accel_bo and an accel_fence may too (their calls do not
 *    change them); an accel_cmdbuf belongs to one thread at a time.
 *  - objects must be destroyed before the device they came from is closed.
 *
 * Thread safety, per object (1.1 adds queues):
 *  - accel_device: any number of threads at once;
 *  - accel_bo: any number of threads at once (map/export/va do not change
 *    it); the buffer's contents are the caller's to order;
 *  - accel_fence: any number of threads at once; waits, queries, signals
 *    and sync_file import/export go straight to the kernel's syncobj;
 *  - accel_queue: any number of threads may submit to one queue at once;
 *    jobs run in the order the kernel received them;
 *  - accel_cmdbuf: one thread at a time, until it is submitted;
 *  - accel_encode_*(): pure functions of their arguments.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ACCEL_VERSION_MAJOR 1
#define ACCEL_VERSION_MINOR 1

struct accel_device;
struct accel_bo;
struct accel_fence;
struct accel_cmdbuf;

/** Wait forever, for the timeouts below. */
#define ACCEL_TIMEOUT_INFINITE UINT64_MAX

/**
 * accel_strerror() - describe an error code returned by libaccel
 * @err: a negative errno (a positive one is accepted too)
 *
 * Returns a static string; never NULL.  Thread-safe.
 */
const char *accel_strerror(int err);

/**
 * accel_device_count() - number of Tessera devices in the system
 *
 * Counts /sys/class/accel/accel* nodes bound to the tessera driver.
 * Returns the count, or a negative errno.
 */
int accel_device_count(void);

/**
 * accel_device_open() - open the @index-th Tessera device
 * @index: 0-based, in /dev/accel/accelN order among Tessera devices
 * @out: the new device handle
 *
 * Returns 0, -ENODEV if there is no such device, or another negative errno.
 */
int accel_device_open(unsigned int index, struct accel_device **out);

/**
 * accel_device_open_path() - open a device node, e.g. "/dev/accel/accel0"
 * @path: device node
 * @out: the new device handle
 *
 * Returns 0, or -ENODEV if the node is not a Tessera device.
 */
int accel_device_open_path(const char *path, struct accel_device **out);

/** accel_device_close() - close a device; NULL is ignored. */
void accel_device_close(struct accel_device *dev);

/** accel_device_fd() - the device's file descriptor, owned by libaccel. */
int accel_device_fd(const struct accel_device *dev);

/**
 * struct accel_device_info - what accel_device_query() reports
 */
struct accel_device_info {
	uint16_t pci_vendor_id;		/**< 0x1234 */
	uint16_t pci_device_id;		/**< 0x7e51 for T1 */
	uint8_t pci_revision;		/**< PCI revision id */
	char pci_slot[32];		/**< e.g. "0000:00:03.0" */
	uint32_t hw_version_major;	/**< hardware version */
	uint32_t hw_version_minor;
	uint32_t num_engines;		/**< engines a job can target */
	uint32_t num_compute_engines;
	uint32_t num_dma_engines;
	uint64_t device_memory_size;	/**< bytes of on-card memory */
	uint64_t serial;		/**< board serial number */
	uint64_t cmd_size_max;		/**< largest command buffer, bytes */
	char driver_name[16];		/**< "tessera" */
	int driver_version_major;
	int driver_version_minor;
};

/**
 * accel_device_query() - describe a device
 * @dev: the device
 * @info: filled on success
 */
int accel_device_query(struct accel_device *dev, struct accel_device_info *info);

/**
 * accel_bo_alloc() - allocate a zero-filled buffer in host memory
 * @dev: the device
 * @size: bytes, rounded up to the page size
 * @out: the new buffer
 *
 * Returns 0, -EINVAL for a size of 0 or above 4 GiB, -ENOMEM.
 */
int accel_bo_alloc(struct accel_device *dev, uint64_t size, struct accel_bo **out);

/** accel_bo_free() - unmap and release a buffer; NULL is ignored. */
void accel_bo_free(struct accel_bo *bo);

/** accel_bo_size() - the buffer's size in bytes. */
uint64_t accel_bo_size(const struct accel_bo *bo);

/**
 * accel_bo_va() - the buffer's device virtual address
 *
 * Commands address the buffer at this address; it is valid in the device
 * (context) the buffer was allocated on, until accel_bo_free().
 */
uint64_t accel_bo_va(const struct accel_bo *bo);

/** accel_bo_handle() - the buffer's GEM handle on the device fd. */
uint32_t accel_bo_handle(const struct accel_bo *bo);

/**
 * accel_bo_map() - CPU address of the buffer
 * @bo: the buffer
 * @ptr: the mapping, valid until accel_bo_free()
 *
 * The mapping is created on first use and shared by later calls.
 */
int accel_bo_map(struct accel_bo *bo, void **ptr);

/**
 * accel_fence_create() - create an unsignaled fence (a DRM syncobj)
 * @dev: the device
 * @out: the new fence
 */
int accel_fence_create(struct accel_device *dev, struct accel_fence **out);

/** accel_fence_destroy() - destroy a fence; NULL is ignored. */
void accel_fence_destroy(struct accel_fence *fence);

/**
 * accel_fence_wait() - wait for a fence's job to finish
 * @fence: the fence
 * @timeout_ns: relative timeout, or ACCEL_TIMEOUT_INFINITE
 *
 * Waits for a job to be submitted too.  Returns 0 once signaled,
 * -ETIME on timeout, or the job's error (e.g. -EIO, -ENODEV) if it failed.
 */
int accel_fence_wait(struct accel_fence *fence, uint64_t timeout_ns);

/**
 * accel_fence_is_signaled() - 1 if signaled, 0 if not, or a negative errno
 */
int accel_fence_is_signaled(struct accel_fence *fence);

/** accel_fence_syncobj() - the DRM syncobj handle behind the fence. */
uint32_t accel_fence_syncobj(const struct accel_fence *fence);

/**
 * accel_cmdbuf_create() - a command buffer builder backed by a buffer object
 * @dev: the device
 * @capacity: bytes of commands it can hold (at most the device's
 *            cmd_size_max)
 * @out: the new command buffer, empty
 */
int accel_cmdbuf_create(struct accel_device *dev, size_t capacity, struct accel_cmdbuf **out);

/** accel_cmdbuf_destroy() - release a command buffer; NULL is ignored. */
void accel_cmdbuf_destroy(struct accel_cmdbuf *cb);

/**
 * accel_cmdbuf_reset() - empty the command buffer for reuse
 *
 * The card reads a job's commands from the buffer when the job runs, so
 * this first waits until every job submitted from @cb has finished (or
 * failed): recording and submitting again right after a submit is safe.
 * Appending to a buffer without resetting it never disturbs earlier jobs.
 */
void accel_cmdbuf_reset(struct accel_cmdbuf *cb);

/** accel_cmdbuf_size() - bytes of commands recorded so far. */
size_t accel_cmdbuf_size(const struct accel_cmdbuf *cb);

/**
 * accel_cmdbuf_nop() - record a NOP of @dwords dwords (1..65535)
 *
 * Returns 0, -EINVAL for a bad length, -ENOSPC when the buffer is full.
 */
int accel_cmdbuf_nop(struct accel_cmdbuf *cb, uint32_t dwords);

/**
 * accel_cmdbuf_fill() - record a FILL: @size bytes at @dst_va := @pattern
 * @cb: the command buffer
 * @dst_va: device VA, 4-byte aligned
 * @size: bytes, a multiple of 4 (up to 4 GiB - 4)
 * @pattern: the 32-bit value repeated
 *
 * Returns 0, -EINVAL for bad alignment or size, -ENOSPC when full.
 */
int accel_cmdbuf_fill(struct accel_cmdbuf *cb, uint64_t dst_va, uint32_t size,
		      uint32_t pattern);

/**
 * accel_cmdbuf_copy() - record a COPY of @size bytes from @src_va to @dst_va
 *
 * Any alignment; the ranges must not overlap.  Returns 0, -EINVAL (zero
 * size or overlap), -ENOSPC when full.
 */
int accel_cmdbuf_copy(struct accel_cmdbuf *cb, uint64_t src_va, uint64_t dst_va,
		      uint32_t size);

/**
 * accel_encode_fill() - encode a FILL into caller memory; see
 * accel_cmdbuf_fill().  Returns the dwords written or a negative errno.
 */
int accel_encode_fill(uint32_t *buf, size_t capacity, uint64_t dst_va, uint32_t size,
		      uint32_t pattern);

/**
 * accel_encode_copy() - encode a COPY into caller memory; see
 * accel_cmdbuf_copy().  Returns the dwords written or a negative errno.
 */
int accel_encode_copy(uint32_t *buf, size_t capacity, uint64_t src_va, uint64_t dst_va,
		      uint32_t size);

/**
 * accel_encode_nop() - encode a NOP into caller memory
 * @buf: destination
 * @capacity: dwords available at @buf
 * @dwords: length of the NOP, 1..65535
 *
 * Returns the dwords written, -EINVAL or -ENOSPC.  Needs no device.
 */
int accel_encode_nop(uint32_t *buf, size_t capacity, uint32_t dwords);

/**
 * struct accel_submit_args - one job
 */
struct accel_submit_args {
	uint32_t engine;		/**< engine index, < num_engines */
	struct accel_fence *wait;	/**< run after this fence, or NULL */
	struct accel_fence *signal;	/**< receives the job's fence, or NULL */
};

/**
 * accel_submit() - run a command buffer's commands on an engine
 * @cb: the commands, read by the device when the job runs (not copied);
 *      accel_cmdbuf_reset() waits for the job before @cb is reused
 * @args: engine and fences
 * @seqno: if not NULL, the job's sequence number
 *
 * Returns 0, -EINVAL (empty buffer, bad engine, bad commands), -ENOENT
 * (a fence of another device), -ENODEV (device gone).
 */
int accel_submit(struct accel_cmdbuf *cb, const struct accel_submit_args *args,
		 uint64_t *seqno);

/* ------------------------------------------------------------------ */
/* Version 1.1 (symbol version LIBACCEL_1.1)                           */
/* ------------------------------------------------------------------ */

struct accel_queue;

/** Buffer placement flags for accel_bo_alloc_flags(). */
#define ACCEL_BO_DEVICE_MEM	0x1u	/**< on-card memory, CPU-mapped WC */
#define ACCEL_BO_WC		0x2u	/**< host memory, CPU-mapped WC */

/**
 * accel_bo_alloc_flags() - allocate a zero-filled buffer with a placement
 * @dev: the device
 * @size: bytes, rounded up to the page size, 1 .. 4 GiB
 * @flags: 0 (cached host memory, as accel_bo_alloc()), ACCEL_BO_WC,
 *         ACCEL_BO_DEVICE_MEM, or both
 * @out: the new buffer, mapped and with its device VA
 *
 * Returns 0, -EINVAL (bad size or unknown flag, or device memory on a card
 * without any), -ENOMEM (host or device memory exhausted).
 * Thread-safe (the device may be shared).
 */
int accel_bo_alloc_flags(struct accel_device *dev, uint64_t size, uint32_t flags,
			 struct accel_bo **out);

/** accel_bo_flags() - the buffer's placement: ACCEL_BO_* bits, 0 for cached host. */
uint32_t accel_bo_flags(const struct accel_bo *bo);

/**
 * accel_bo_export() - export a buffer as a dma-buf
 * @bo: a host-memory buffer (device-memory buffers cannot be exported)
 * @fd: a new dma-buf file descriptor (O_CLOEXEC, read-write), the caller's
 *      to close
 *
 * Returns 0, -EINVAL (device memory, NULL argument) or another negative
 * errno.  Thread-safe.
 */
int accel_bo_export(struct accel_bo *bo, int *fd);

/**
 * accel_bo_import() - import a dma-buf as a buffer of @dev
 * @dev: the importing device (another open of the same card, or another
 *       card)
 * @fd: a dma-buf; libaccel does not take it over (close it when you like)
 * @out: the new buffer, mapped and with a device VA in @dev's context
 *
 * Importing a buffer @dev exported itself gives a second accel_bo for the
 * same GEM handle: free only one of them.  Returns 0, -EINVAL, -EBADF,
 * or another negative errno.  Thread-safe.
 */
int accel_bo_import(struct accel_device *dev, int fd, struct accel_bo **out);

/** Engine classes for accel_queue_create(). */
enum accel_engine_class {
	ACCEL_ENGINE_COMPUTE = 0,	/**< compute engines (every command) */
	ACCEL_ENGINE_DMA = 1,		/**< DMA engines: NOP, COPY, FILL, TIMESTAMP, SEMAPHORE */
};

/** Queue priorities for accel_queue_create(). */
enum accel_priority {
	ACCEL_PRIORITY_LOW = 0,
	ACCEL_PRIORITY_NORMAL = 1,
	ACCEL_PRIORITY_HIGH = 2,	/**< needs CAP_SYS_NICE */
};

/**
 * accel_queue_create() - create a submission queue
 * @dev: the device
 * @engine_class: ACCEL_ENGINE_COMPUTE or ACCEL_ENGINE_DMA
 * @priority: ACCEL_PRIORITY_LOW, _NORMAL or _HIGH
 * @out: the new queue
 *
 * A queue runs its jobs in submission order on the least busy engine of
 * its class.  Returns 0, -EINVAL (bad class or priority, or a class the
 * card has no engine of), -EACCES (HIGH without CAP_SYS_NICE), -ENOSPC
 * (too many queues).  Thread-safe.
 */
int accel_queue_create(struct accel_device *dev, enum accel_engine_class engine_class,
		       enum accel_priority priority, struct accel_queue **out);

/**
 * accel_queue_destroy() - destroy a queue; NULL is ignored
 *
 * Jobs already submitted still run and signal their fences.  No other
 * thread may use @q during or after the call.
 */
void accel_queue_destroy(struct accel_queue *q);

/** accel_sync.flags: block the submit until the point has a fence (<= 10 s). */
#define ACCEL_SYNC_WAIT_FOR_SUBMIT	0x1u

/**
 * struct accel_sync - a fence point a job waits on or signals
 */
struct accel_sync {
	struct accel_fence *fence;	/**< of the queue's device */
	uint64_t point;			/**< timeline point; 0 for a binary fence */
	uint32_t flags;			/**< ACCEL_SYNC_WAIT_FOR_SUBMIT (waits only) */
};

/** accel_bo_use.flags: the job writes the buffer. */
#define ACCEL_BO_USE_WRITE	0x1u

/**
 * struct accel_bo_use - a buffer a job uses, for implicit synchronization
 *
 * The job waits for the buffer's earlier writers (and readers, if it
 * writes) and publishes its fence in the buffer's dma-buf reservation.
 */
struct accel_bo_use {
	struct accel_bo *bo;		/**< of the queue's device */
	uint32_t flags;			/**< ACCEL_BO_USE_WRITE if written */
};

/** Most waits + signals of one job. */
#define ACCEL_MAX_SYNCS		63	/* the kernel's 64, less the command buffer's own */
/** Most buffers of one job. */
#define ACCEL_MAX_BO_USES	1024

/**
 * accel_queue_submit() - run a command buffer on a queue, with dependencies
 * @q: the queue
 * @cb: the commands; the device reads them when the job runs, and
 *      accel_cmdbuf_reset() waits for that before @cb is recorded again
 * @waits: @num_waits fence points the job runs after (each must already
 *         have a fence unless ACCEL_SYNC_WAIT_FOR_SUBMIT)
 * @signals: @num_signals fence points that receive the job's fence; flags
 *           must be 0
 * @bos: @num_bos buffers the job uses (may be NULL/0)
 *
 * Returns 0, -EINVAL (empty @cb, more than ACCEL_MAX_SYNCS syncs or
 * ACCEL_MAX_BO_USES buffers, bad flags, a wait point without a fence),
 * -ENOENT (a fence, buffer or queue of another device), -ETIME (a
 * WAIT_FOR_SUBMIT point stayed empty), -ECANCELED (the context is guilty,
 * see accel_context_status()), -ENODEV.  Thread-safe for @q; @cb belongs
 * to the caller's thread.
 */
int accel_queue_submit(struct accel_queue *q, struct accel_cmdbuf *cb,
		       const struct accel_sync *waits, uint32_t num_waits,
		       const struct accel_sync *signals, uint32_t num_signals,
		       const struct accel_bo_use *bos, uint32_t num_bos);

/*
 * Fences are DRM syncobjs and work as binary fences (point 0) or as
 * timeline semaphores (points 1, 2, ... signaled in increasing order, by
 * jobs or by the CPU).
 */

/**
 * accel_fence_wait_point() - wait for a timeline point to signal
 * @fence: the fence
 * @point: the point; 0 waits for the fence's latest job, like
 *         accel_fence_wait()
 * @timeout_ns: relative timeout, or ACCEL_TIMEOUT_INFINITE
 *
 * Also waits for the point to get a fence.  Returns 0 once signaled,
 * -ETIME on timeout, or the job's error (-EIO, -EFAULT, -ECANCELED,
 * -ENODEV) if the job behind the point failed.  Thread-safe.
 */
int accel_fence_wait_point(struct accel_fence *fence, uint64_t point, uint64_t timeout_ns);

/** accel_fence_wait_many() flags: wait for every point (default: any one). */
#define ACCEL_WAIT_ALL		0x1u

/**
 * accel_fence_wait_many() - wait for any or all of several fence points
 * @fences: @count fences, all of one device
 * @points: @count points, or NULL for 0 (latest fence) everywhere
 * @count: 1 .. ACCEL_MAX_SYNCS
 * @flags: ACCEL_WAIT_ALL, or 0 for any
 * @timeout_ns: relative timeout, or ACCEL_TIMEOUT_INFINITE
 * @first: if not NULL, the index of a signaled point (with ACCEL_WAIT_ALL:
 *         the first to signal is not reported, it is 0)
 *
 * Returns 0, -ETIME, -EINVAL (bad count or flags, fences of different
 * devices), or the error of a failed job among the awaited points (for
 * "any": the one reported in @first).  Thread-safe.
 */
int accel_fence_wait_many(struct accel_fence *const *fences, const uint64_t *points,
			  uint32_t count, uint32_t flags, uint64_t timeout_ns,
			  uint32_t *first);

/**
 * accel_fence_query() - the fence's last signaled timeline point
 * @fence: the fence
 * @point: the highest point signaled so far (0 for a binary fence)
 *
 * Returns 0 or a negative errno.  Thread-safe.
 */
int accel_fence_query(struct accel_fence *fence, uint64_t *point);

/**
 * accel_fence_signal_point() - signal a point from the CPU
 * @fence: the fence
 * @point: the point to signal (above the last one), or 0 to signal a
 *         binary fence
 *
 * Host-side timeline semaphores: jobs waiting on the point are released.
 * Returns 0 or a negative errno.  Thread-safe.
 */
int accel_fence_signal_point(struct accel_fence *fence, uint64_t point);

/**
 * accel_fence_export_sync_file() - export a fence point as a sync_file
 * @fence: the fence
 * @point: a point that has a fence, or 0 for the fence's latest one
 * @sync_fd: a new sync_file descriptor, the caller's to close
 *
 * Returns 0, -EINVAL (no fence at the point yet) or another negative
 * errno.  Thread-safe.
 */
int accel_fence_export_sync_file(struct accel_fence *fence, uint64_t point, int *sync_fd);

/**
 * accel_fence_import_sync_file() - make a sync_file's fence a fence point
 * @fence: the fence
 * @point: the timeline point to install it at, or 0 to replace the
 *         binary fence
 * @sync_fd: a sync_file; libaccel does not take it over
 *
 * Returns 0 or a negative errno.  Thread-safe.
 */
int accel_fence_import_sync_file(struct accel_fence *fence, uint64_t point, int sync_fd);

/** accel_context_status.access values. */
enum accel_access {
	ACCEL_ACCESS_READ = 0,
	ACCEL_ACCESS_WRITE = 1,
	ACCEL_ACCESS_FETCH = 2,
};

/**
 * struct accel_context_status - fault state of a device's context
 */
struct accel_context_status {
	int guilty;			/**< 1 once a job faulted: submits fail with -ECANCELED */
	uint32_t fault_count;		/**< faults recorded */
	uint32_t fault_code;		/**< first fault's hardware code (5 = MMU fault) */
	uint32_t fault_access;		/**< enum accel_access of the first fault */
	uint64_t fault_va;		/**< device VA of the first fault */
	uint32_t fault_engine;		/**< engine of the first fault */
};

/**
 * accel_context_status() - has @dev's context faulted?
 * @dev: the device; each accel_device is its own context
 * @st: filled on success
 *
 * A guilty context stays guilty: close the device and open it again for
 * a fresh one.  Returns 0 or a negative errno.  Thread-safe.
 */
int accel_context_status(struct accel_device *dev, struct accel_context_status *st);

/* Element types of the compute commands. */
#define ACCEL_DTYPE_FP32	0
#define ACCEL_DTYPE_FP16	1
#define ACCEL_DTYPE_BF16	2
#define ACCEL_DTYPE_INT8	3
#define ACCEL_DTYPE_INT32	4

/** Largest matrix dimension (and element count) of a compute command. */
#define ACCEL_MAX_DIM		65536u
/** Most bytes one operand of a compute command may span. */
#define ACCEL_MAX_OPERAND	(256ull << 20)

/*
 * The encoders below write one command into caller memory: @buf has
 * @capacity dwords.  They return the dwords written, -EINVAL for an
 * argument the device would reject (checked here, before anything reaches
 * the kernel) or -ENOSPC when @capacity is too small; @buf is untouched on
 * error.  They need no device.  Operands a command uses must have
 * non-zero addresses (0 marks an unused operand and never holds a buffer).  Each accel_cmdbuf_X() appends the same
 * command to a command buffer and returns 0, -EINVAL or -ENOSPC.
 */

/**
 * accel_encode_timestamp() - TIMESTAMP: write the 64-bit device time (ns)
 * to @addr (8-aligned) once every earlier command has completed.
 */
int accel_encode_timestamp(uint32_t *buf, size_t capacity, uint64_t addr);
/** accel_cmdbuf_timestamp() - append a TIMESTAMP; see accel_encode_timestamp(). */
int accel_cmdbuf_timestamp(struct accel_cmdbuf *cb, uint64_t addr);

/** Semaphore operations. */
enum accel_sem_op {
	ACCEL_SEM_WAIT = 0,	/**< stall until (int32_t)(*addr - value) >= 0 */
	ACCEL_SEM_SIGNAL = 1,	/**< *addr = value */
	ACCEL_SEM_ADD = 2,	/**< *addr += value, atomically */
};

/**
 * accel_encode_semaphore() - SEMAPHORE on the u32 at @addr (4-aligned)
 * @op: enum accel_sem_op
 */
int accel_encode_semaphore(uint32_t *buf, size_t capacity, enum accel_sem_op op,
			   uint64_t addr, uint32_t value);
/** accel_cmdbuf_semaphore() - append a SEMAPHORE; see accel_encode_semaphore(). */
int accel_cmdbuf_semaphore(struct accel_cmdbuf *cb, enum accel_sem_op op, uint64_t addr,
			   uint32_t value);

/* accel_gemm.flags */
#define ACCEL_GEMM_TRANS_A	0x1u	/**< A is stored K x M */
#define ACCEL_GEMM_TRANS_B	0x2u	/**< B is stored N x K */
#define ACCEL_GEMM_BIAS		0x4u	/**< add bias[n] */

/** Activations of GEMM. */
enum accel_activation {
	ACCEL_ACT_NONE = 0,
	ACCEL_ACT_RELU = 1,
	ACCEL_ACT_GELU = 2,	/**< x * Phi(x), erf form; not for INT8 */
};

/**
 * struct accel_gemm - C = act(alpha * op(A) * op(B) + beta * C + bias)
 *
 * Row-major; op(A) is M x K, op(B) K x N, C M x N.  Leading dimensions
 * are in elements and at least the stored matrix's columns.  dtype is
 * FP32, FP16, BF16 (A, B, C and bias all of it) or INT8 (A, B int8; C and
 * bias int32; alpha 1, beta 0 or 1, no GELU).  Addresses are aligned to
 * their element size; bias must be 0 without ACCEL_GEMM_BIAS.
 */
struct accel_gemm {
	uint32_t dtype;			/**< ACCEL_DTYPE_* except INT32 */
	uint32_t activation;		/**< enum accel_activation */
	uint32_t flags;			/**< ACCEL_GEMM_* */
	uint32_t m, n, k;		/**< 1 .. ACCEL_MAX_DIM */
	uint64_t a, b, c, bias;		/**< device VAs */
	uint32_t lda, ldb, ldc;		/**< leading dimensions, elements */
	float alpha, beta;		/**< finite */
};

/** accel_encode_gemm() - GEMM (compute engines only); see struct accel_gemm. */
int accel_encode_gemm(uint32_t *buf, size_t capacity, const struct accel_gemm *g);
/** accel_cmdbuf_gemm() - append a GEMM; see struct accel_gemm. */
int accel_cmdbuf_gemm(struct accel_cmdbuf *cb, const struct accel_gemm *g);

/** Element-wise operations. */
enum accel_ew_op {
	ACCEL_EW_ADD = 0,	/**< d = a + b */
	ACCEL_EW_MUL = 1,	/**< d = a * b */
	ACCEL_EW_SCALE = 2,	/**< d = a * scalar */
	ACCEL_EW_RELU = 3,
	ACCEL_EW_GELU = 4,
	ACCEL_EW_EXP = 5,
	ACCEL_EW_CAST = 6,	/**< d = (dst_dtype)a */
};

/**
 * struct accel_elementwise - D[i] = op(A[i], B[i]) for i < count
 *
 * Computed in fp32.  Except for CAST, src_dtype == dst_dtype and is FP32,
 * FP16 or BF16; CAST converts between any two types.  b is used (and
 * non-zero) only by ADD and MUL, else 0; scalar only by SCALE, else 0.
 * d may equal a (in place).
 */
struct accel_elementwise {
	uint32_t op;			/**< enum accel_ew_op */
	uint32_t src_dtype, dst_dtype;	/**< ACCEL_DTYPE_* */
	uint32_t count;			/**< 1 .. ACCEL_MAX_DIM */
	uint64_t a, b, d;		/**< device VAs, aligned to the element */
	float scalar;
};

/** accel_encode_elementwise() - ELEMENTWISE (compute engines only). */
int accel_encode_elementwise(uint32_t *buf, size_t capacity, const struct accel_elementwise *e);
/** accel_cmdbuf_elementwise() - append an ELEMENTWISE. */
int accel_cmdbuf_elementwise(struct accel_cmdbuf *cb, const struct accel_elementwise *e);

/**
 * struct accel_rowwise - operands of SOFTMAX and LAYERNORM
 *
 * rows x cols matrices of dtype (FP32, FP16 or BF16), row-major with
 * leading dimensions src_ld, dst_ld >= cols.  gamma, beta, epsilon and
 * flags are LAYERNORM's only (0 for SOFTMAX): gamma/beta are cols
 * elements, used and non-zero only with ACCEL_LN_GAMMA/ACCEL_LN_BETA;
 * epsilon is finite and >= 0.
 */
struct accel_rowwise {
	uint32_t dtype;
	uint32_t rows, cols;		/**< 1 .. ACCEL_MAX_DIM */
	uint64_t src, dst;		/**< device VAs, aligned to the element */
	uint32_t src_ld, dst_ld;
	uint32_t flags;			/**< ACCEL_LN_* */
	uint64_t gamma, beta;
	float epsilon;
};

#define ACCEL_LN_GAMMA		0x1u
#define ACCEL_LN_BETA		0x2u

/** accel_encode_softmax() - row-wise SOFTMAX (compute engines only). */
int accel_encode_softmax(uint32_t *buf, size_t capacity, const struct accel_rowwise *r);
/** accel_cmdbuf_softmax() - append a SOFTMAX. */
int accel_cmdbuf_softmax(struct accel_cmdbuf *cb, const struct accel_rowwise *r);
/** accel_encode_layernorm() - row-wise LAYERNORM (compute engines only). */
int accel_encode_layernorm(uint32_t *buf, size_t capacity, const struct accel_rowwise *r);
/** accel_cmdbuf_layernorm() - append a LAYERNORM. */
int accel_cmdbuf_layernorm(struct accel_cmdbuf *cb, const struct accel_rowwise *r);

#ifdef __cplusplus
}
#endif

#endif /* ACCEL_ACCEL_H */
