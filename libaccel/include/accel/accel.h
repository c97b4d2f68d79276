/* SPDX-License-Identifier: MIT */
/*
 * libaccel 2: the userspace runtime for Tessera accelerators
 * (libaccel.so.2, symbol versions LIBACCEL_2.0, LIBACCEL_2.1 and
 * LIBACCEL_2.2, on the kernel's uAPI 2).  2.1 adds the encoders of the
 * training commands of hardware 1.5 (ACCEL_CAP_TRAIN); 2.2 patching of a
 * recorded ADAMW (accel_cmdbuf_patch_adamw()).
 *
 * Conventions, for every call:
 *  - returns 0 (or a non-negative count) on success and a negative errno on
 *    failure; accel_strerror() turns it into text;
 *  - output pointers and structs are written only on success;
 *  - objects are opaque; the destroy, free and close calls accept NULL;
 *  - every object must be released before the device it came from is
 *    closed.
 *
 * Structs the caller allocates and passes by pointer (struct
 * accel_device_info, accel_submit_args, accel_vm_status, accel_gemm,
 * accel_elementwise, accel_rowwise and the 2.1 structs of the training
 * commands) start with a member `size` the caller
 * sets to sizeof(the struct) as its header declares it.  The library
 * reads (for inputs) or writes (for outputs) only min(size, its own
 * sizeof) bytes: a program built against an older libaccel 2 header keeps
 * working with a newer library (the fields it does not know are taken as
 * zero on input and left alone on output), and a program built against a
 * newer header works with this library as long as it does not need the
 * newer fields.  A size below the struct's size in libaccel 2.0 (for a
 * struct added in 2.1: its size in 2.1) is -EINVAL.  Array elements (struct accel_sync, accel_bo_use) have no size
 * field: their layout is fixed for libaccel 2.
 *
 * Memory model.  The card sees buffers through VMs (device address
 * spaces, struct accel_vm): a buffer is visible to jobs of a VM at the
 * device virtual addresses (VAs) it is bound at, with the permissions of
 * that binding (READ, WRITE, EXEC = command fetch).  Each accel_device
 * has a default VM: accel_bo_alloc*() and accel_bo_import() bind every
 * buffer READ | WRITE into it at a VA the library allocates (accel_bo_va()),
 * command buffers READ | EXEC, and accel_submit() and accel_queue_create()
 * run jobs in it, so simple programs need not know about VMs.  More VMs
 * (accel_vm_create()) are independent contexts: a fault in one does not
 * affect the others.  Buffers are mapped for the CPU only by
 * accel_bo_map() (a CPU mapping of device memory keeps the card out of
 * runtime suspend; drop it with accel_bo_unmap()).
 *
 * Thread safety, per object:
 *  - accel_device, accel_vm (including its VA allocator), accel_bo,
 *    accel_fence, accel_queue: any number of threads at once; the
 *    contents of buffers are the caller's to order;
 *  - accel_cmdbuf: one thread at a time;
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

#define ACCEL_VERSION_MAJOR 2
#define ACCEL_VERSION_MINOR 2

struct accel_device;
struct accel_vm;
struct accel_bo;
struct accel_fence;
struct accel_cmdbuf;
struct accel_queue;

/** Wait forever, for the timeouts below. */
#define ACCEL_TIMEOUT_INFINITE UINT64_MAX

/**
 * accel_strerror() - describe an error code returned by libaccel
 * @err: a negative errno (a positive one is accepted too)
 *
 * Returns a static string; never NULL.  Thread-safe.
 */
const char *accel_strerror(int err);

/* ------------------------------------------------------------------ */
/* Devices                                                             */
/* ------------------------------------------------------------------ */

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
 * Returns 0, -ENODEV if there is no such device, or an error of
 * accel_device_open_path().
 */
int accel_device_open(unsigned int index, struct accel_device **out);

/**
 * accel_device_open_path() - open a device node, e.g. "/dev/accel/accel0"
 * @path: device node
 * @out: the new device handle, with its default VM
 *
 * Returns 0, -ENODEV if the node is not a Tessera device, -EPROTO if it
 * is one whose driver speaks another uAPI than 2 (DRM_IOCTL_VERSION major
 * other than 2: update the driver or use the matching libaccel), -EINVAL
 * for a NULL or overlong path, or the error of open(2) or of creating the
 * default VM.
 */
int accel_device_open_path(const char *path, struct accel_device **out);

/**
 * accel_device_close() - close a device; NULL is ignored
 *
 * Every buffer, command buffer, fence, queue and VM of the device must be
 * released first.  Jobs still running finish on the card.
 */
void accel_device_close(struct accel_device *dev);

/** accel_device_fd() - the device's file descriptor, owned by libaccel. */
int accel_device_fd(const struct accel_device *dev);

/* accel_device_info.capabilities: what this card and driver support. */
#define ACCEL_CAP_DEVICE_MEM	0x01ull	/**< ACCEL_BO_DEVICE_MEM works */
#define ACCEL_CAP_EXEC_PERM	0x02ull	/**< command fetch needs ACCEL_BIND_EXEC */
#define ACCEL_CAP_HUGE_PAGES	0x04ull	/**< 2 MiB pages where VA and memory allow */
#define ACCEL_CAP_SPARSE	0x08ull	/**< the kernel has sparse ranges */
#define ACCEL_CAP_FAULT_INJECT	0x10ull	/**< a QA card with fault injection */
#define ACCEL_CAP_TRAIN		0x20ull	/**< the training commands (hardware 1.5) */

/**
 * struct accel_device_info - what accel_device_query() reports
 */
struct accel_device_info {
	uint32_t size;			/**< in: sizeof(struct accel_device_info) */
	uint16_t pci_vendor_id;		/**< 0x1234 */
	uint16_t pci_device_id;		/**< 0x7e51 for T1 */
	uint8_t pci_revision;		/**< PCI revision id */
	char pci_slot[32];		/**< e.g. "0000:00:03.0" */
	uint32_t hw_version_major;	/**< hardware version */
	uint32_t hw_version_minor;
	uint32_t num_engines;		/**< engines a job can target; compute first */
	uint32_t num_compute_engines;
	uint32_t num_dma_engines;
	uint64_t device_memory_size;	/**< bytes of on-card memory */
	uint64_t serial;		/**< board serial number */
	uint64_t cmd_size_max;		/**< largest command buffer, bytes */
	char driver_name[16];		/**< "tessera" */
	int driver_version_major;	/**< 2 */
	int driver_version_minor;
	uint64_t capabilities;		/**< ACCEL_CAP_* */
	uint64_t va_start;		/**< lowest bindable device VA */
	uint64_t va_end;		/**< end (exclusive) of the bindable range */
	uint64_t page_sizes;		/**< bit n set: 2^n-byte pages (4 KiB, 2 MiB) */
	uint32_t vms_per_file_max;	/**< most VMs one device handle may have */
	uint32_t num_asids;		/**< hardware address spaces shared by VMs */
};

/**
 * accel_device_query() - describe a device
 * @dev: the device
 * @info: filled on success (min(info->size, sizeof) bytes)
 *
 * Returns 0, -EINVAL (NULL argument, size too small) or the error of a
 * query ioctl.  Thread-safe.
 */
int accel_device_query(struct accel_device *dev, struct accel_device_info *info);

/* ------------------------------------------------------------------ */
/* VMs: device address spaces                                          */
/* ------------------------------------------------------------------ */

/**
 * accel_device_default_vm() - the VM accel_bo_alloc*(), accel_submit() and
 * accel_queue_create() use
 *
 * Owned by the device: it lives until accel_device_close(), and
 * accel_vm_destroy() ignores it.  Never NULL for an open device.
 */
struct accel_vm *accel_device_default_vm(struct accel_device *dev);

/**
 * accel_vm_create() - create a VM: an empty device address space, its own
 * context with its own fault state
 * @dev: the device
 * @out: the new VM
 *
 * Returns 0, -EMFILE (accel_device_info.vms_per_file_max reached),
 * -ENOMEM.  Thread-safe.
 */
int accel_vm_create(struct accel_device *dev, struct accel_vm **out);

/**
 * accel_vm_destroy() - drop a VM; NULL and the default VM are ignored
 *
 * Never waits.  Queues created on the VM and command buffers submitted in
 * it keep it alive until they go; jobs already submitted still run.  The
 * kernel removes the VM's bindings when the card can no longer reach
 * them.
 */
void accel_vm_destroy(struct accel_vm *vm);

/** accel_vm_device() - the device a VM belongs to. */
struct accel_device *accel_vm_device(const struct accel_vm *vm);

/** accel_vm_id() - the kernel's id of the VM on the device fd. */
uint32_t accel_vm_id(const struct accel_vm *vm);

/* Binding permissions. */
#define ACCEL_BIND_READ		0x1u	/**< the card may read */
#define ACCEL_BIND_WRITE	0x2u	/**< the card may write */
#define ACCEL_BIND_EXEC		0x4u	/**< the card may fetch commands (needs READ) */

/** Smallest page of the card: VAs, offsets and sizes of binds are multiples of it. */
#define ACCEL_PAGE_SIZE		4096ull
/** The card's large page: 2 MiB-aligned ranges of 2 MiB-aligned memory use it. */
#define ACCEL_HUGE_PAGE_SIZE	(2ull << 20)

/**
 * accel_vm_bind() - map part of a buffer into a VM
 * @vm: the VM
 * @bo: a buffer of @vm's device
 * @offset: first byte of @bo to map, a multiple of ACCEL_PAGE_SIZE
 * @va: device VA, a multiple of ACCEL_PAGE_SIZE, with [@va, @va + @size)
 *      inside [va_start, va_end) of accel_device_info (accel_vm_va_alloc()
 *      finds one)
 * @size: bytes, a non-zero multiple of ACCEL_PAGE_SIZE, @offset + @size
 *        at most accel_bo_size(@bo)
 * @flags: ACCEL_BIND_READ, _WRITE, _EXEC; at least READ or WRITE, EXEC
 *         only with READ
 *
 * Synchronous: jobs submitted after the call see the mapping.  A bind
 * replaces whatever was mapped in the range (after the jobs using the old
 * mapping).  With a 2 MiB-aligned @va and @offset the kernel uses 2 MiB
 * pages where the memory allows.  The binding holds the buffer: it stays
 * valid after accel_bo_free() until it is unbound or the VM goes.
 *
 * Returns 0, -EINVAL (alignment, range, permissions, a buffer of another
 * device), -ENOMEM, -ENODEV.  Thread-safe.
 */
int accel_vm_bind(struct accel_vm *vm, struct accel_bo *bo, uint64_t offset, uint64_t va,
		  uint64_t size, uint32_t flags);

/**
 * accel_vm_unbind() - remove every mapping in [@va, @va + @size) of a VM
 * @vm: the VM
 * @va: a multiple of ACCEL_PAGE_SIZE
 * @size: a non-zero multiple of ACCEL_PAGE_SIZE
 *
 * Synchronous: returns once every job submitted on @vm before the call
 * has finished and the range is unmapped (no job sees a mapping vanish
 * under it); later jobs fault on the range.  A range with nothing mapped
 * is fine.  Unbind only what you bound: the ranges the library bound
 * itself (accel_bo_va() of a buffer, command buffers) are its own and go
 * with their objects.  Returns 0, -EINVAL, -ENODEV.  Thread-safe.
 */
int accel_vm_unbind(struct accel_vm *vm, uint64_t va, uint64_t size);

/**
 * accel_vm_va_alloc() - reserve a free VA range of @vm (a VA allocator)
 * @vm: the VM
 * @size: bytes, rounded up to ACCEL_PAGE_SIZE
 * @align: a power of two, or 0: ACCEL_HUGE_PAGE_SIZE for sizes of at least
 *         2 MiB (so that binds there use 2 MiB pages), else ACCEL_PAGE_SIZE
 * @va: the range's first address, never 0
 *
 * The allocator only keeps track of addresses: bind and unbind the range
 * yourself, and return it with accel_vm_va_free() once unbound.  The
 * library allocates its own VAs in every VM (the default VM's buffers,
 * command buffers submitted there) from the same allocator, so bind only
 * at VAs from it in a VM the library also uses.
 *
 * Returns 0, -EINVAL (size 0, @align not a power of two), -ENOSPC (no
 * free range that large), -ENOMEM.  Thread-safe.
 */
int accel_vm_va_alloc(struct accel_vm *vm, uint64_t size, uint64_t align, uint64_t *va);

/**
 * accel_vm_va_free() - give back a range from accel_vm_va_alloc()
 * @vm: the VM
 * @va: what accel_vm_va_alloc() returned
 * @size: the size given to accel_vm_va_alloc()
 *
 * Returns 0, or -EINVAL when the range is not allocated.  Thread-safe.
 */
int accel_vm_va_free(struct accel_vm *vm, uint64_t va, uint64_t size);

/** accel_access values: what the faulting access did. */
enum accel_access {
	ACCEL_ACCESS_READ = 0,
	ACCEL_ACCESS_WRITE = 1,
	ACCEL_ACCESS_FETCH = 2,		/**< a command fetch */
};

/* accel_vm_status.flags */
#define ACCEL_VM_GUILTY		0x1u	/**< a job faulted: submits fail with -ECANCELED */
#define ACCEL_VM_BANNED		0x2u	/**< its jobs hung the card three times */

/**
 * struct accel_vm_status - fault state of a VM
 */
struct accel_vm_status {
	uint32_t size;			/**< in: sizeof(struct accel_vm_status) */
	uint32_t flags;			/**< ACCEL_VM_GUILTY, ACCEL_VM_BANNED */
	uint32_t fault_count;		/**< faults recorded */
	uint32_t fault_code;		/**< first fault's hardware code (5 no translation, 6 permission) */
	uint32_t fault_access;		/**< enum accel_access of the first fault */
	uint32_t fault_engine;		/**< engine of the first fault */
	uint64_t fault_va;		/**< device VA of the first fault */
};

/**
 * accel_vm_status() - has a VM faulted?
 * @vm: the VM (accel_device_default_vm() for the simple path)
 * @st: filled on success (min(st->size, sizeof) bytes)
 *
 * A guilty VM stays guilty: create a new VM (or open the device again,
 * for a new default VM) to start afresh; other VMs are not affected.
 * Returns 0, -EINVAL or -ENODEV.  Thread-safe.
 */
int accel_vm_status(struct accel_vm *vm, struct accel_vm_status *st);

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

/** Buffer placement flags for accel_bo_alloc_flags(). */
#define ACCEL_BO_DEVICE_MEM	0x1u	/**< on-card memory, CPU-mapped WC */
#define ACCEL_BO_WC		0x2u	/**< host memory, CPU-mapped WC */

/**
 * accel_bo_alloc_flags() - allocate a zero-filled buffer with a placement
 * @dev: the device
 * @size: bytes, rounded up to the page size, 1 .. 4 GiB
 * @flags: 0 (cached host memory), ACCEL_BO_WC, ACCEL_BO_DEVICE_MEM
 * @out: the new buffer, bound READ | WRITE in the default VM at
 *       accel_bo_va() (2 MiB-aligned for sizes of 2 MiB and more), not
 *       mapped for the CPU
 *
 * Returns 0, -EINVAL (bad size or unknown flag, or device memory on a
 * card without any), -ENOMEM (host or device memory exhausted), -ENOSPC
 * (the default VM's address space is full).  Thread-safe.
 */
int accel_bo_alloc_flags(struct accel_device *dev, uint64_t size, uint32_t flags,
			 struct accel_bo **out);

/** accel_bo_alloc() - accel_bo_alloc_flags() with flags 0 (cached host memory). */
int accel_bo_alloc(struct accel_device *dev, uint64_t size, struct accel_bo **out);

/**
 * accel_bo_free() - drop a reference to a buffer; NULL is ignored
 *
 * The buffer has one reference per accel_bo_alloc*() and per
 * accel_bo_import() that returned it.  The last one unmaps it for the CPU,
 * unbinds it from the default VM and closes its handle, without waiting
 * for the card: jobs already submitted still see it, and its default-VM
 * VA is reused only once the unbind has completed after them.  Bindings
 * made with accel_vm_bind() in other VMs stay until unbound.
 */
void accel_bo_free(struct accel_bo *bo);

/** accel_bo_size() - the buffer's size in bytes. */
uint64_t accel_bo_size(const struct accel_bo *bo);

/**
 * accel_bo_va() - the buffer's device VA in its device's default VM
 *
 * Bound READ | WRITE there until the buffer's last reference goes.
 */
uint64_t accel_bo_va(const struct accel_bo *bo);

/** accel_bo_handle() - the buffer's GEM handle on the device fd. */
uint32_t accel_bo_handle(const struct accel_bo *bo);

/** accel_bo_flags() - the buffer's placement: ACCEL_BO_* bits, 0 for cached host. */
uint32_t accel_bo_flags(const struct accel_bo *bo);

/**
 * accel_bo_map() - map the buffer for the CPU
 * @bo: the buffer
 * @ptr: the CPU address of its first byte
 *
 * Buffers are mapped only by this call: the first call mmaps the whole
 * buffer, later ones return the same mapping, valid until accel_bo_unmap()
 * or the last accel_bo_free().  A mapping of device memory keeps the card
 * out of runtime suspend while it exists.  Returns 0, -EINVAL,
 * -EOPNOTSUPP (an imported buffer the card cannot map for the CPU), or
 * mmap(2)'s error.  Thread-safe.
 */
int accel_bo_map(struct accel_bo *bo, void **ptr);

/**
 * accel_bo_unmap() - drop the buffer's CPU mapping, if any
 *
 * Pointers from accel_bo_map() become invalid; the next accel_bo_map()
 * maps again.  No thread may use the mapping during or after the call.
 */
void accel_bo_unmap(struct accel_bo *bo);

/**
 * accel_bo_is_mapped() - 1 if the buffer has a CPU mapping, else 0
 */
int accel_bo_is_mapped(const struct accel_bo *bo);

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
 * @dev: the importing device
 * @fd: a dma-buf; libaccel does not take it over (close it when you like)
 * @out: the buffer, bound READ | WRITE in @dev's default VM, not mapped
 *
 * Imports are deduplicated through the device's handle table: importing a
 * buffer @dev exported itself, or a dma-buf @dev already imported, returns
 * the accel_bo @dev already has, with one more reference (free it once per
 * import).  Returns 0, -EINVAL, -EBADF, or another negative errno.
 * Thread-safe.
 */
int accel_bo_import(struct accel_device *dev, int fd, struct accel_bo **out);

/* ------------------------------------------------------------------ */
/* Fences                                                              */
/* ------------------------------------------------------------------ */

/*
 * Fences are DRM syncobjs and work as binary fences (point 0) or as
 * timeline semaphores (points 1, 2, ... signaled in increasing order, by
 * jobs or by the CPU).
 */

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
 * -ETIME on timeout, or the job's error (-EFAULT, -EIO, -ECANCELED,
 * -ETIMEDOUT, -ENODEV) if it failed.
 */
int accel_fence_wait(struct accel_fence *fence, uint64_t timeout_ns);

/**
 * accel_fence_is_signaled() - 1 if signaled, 0 if not, or a negative errno
 */
int accel_fence_is_signaled(struct accel_fence *fence);

/** accel_fence_syncobj() - the DRM syncobj handle behind the fence. */
uint32_t accel_fence_syncobj(const struct accel_fence *fence);

/**
 * accel_fence_wait_point() - wait for a timeline point to signal
 * @fence: the fence
 * @point: the point; 0 waits for the fence's latest job, like
 *         accel_fence_wait()
 * @timeout_ns: relative timeout, or ACCEL_TIMEOUT_INFINITE
 *
 * Also waits for the point to get a fence.  Returns 0 once signaled,
 * -ETIME on timeout, or the job's error if the job behind the point
 * failed.  Thread-safe.
 */
int accel_fence_wait_point(struct accel_fence *fence, uint64_t point, uint64_t timeout_ns);

/** accel_fence_wait_many() flags: wait for every point (default: any one). */
#define ACCEL_WAIT_ALL		0x1u

/** Most waits + signals of one job. */
#define ACCEL_MAX_SYNCS		63	/* the kernel's 64, less the command buffer's own */
/** Most buffers of one job. */
#define ACCEL_MAX_BO_USES	1024

/**
 * accel_fence_wait_many() - wait for any or all of several fence points
 * @fences: @count fences, all of one device
 * @points: @count points, or NULL for 0 (latest fence) everywhere
 * @count: 1 .. ACCEL_MAX_SYNCS + 1
 * @flags: ACCEL_WAIT_ALL, or 0 for any
 * @timeout_ns: relative timeout, or ACCEL_TIMEOUT_INFINITE
 * @first: if not NULL, the index of a signaled point (with ACCEL_WAIT_ALL:
 *         0)
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

/* ------------------------------------------------------------------ */
/* Command buffers                                                     */
/* ------------------------------------------------------------------ */

/**
 * accel_cmdbuf_create() - a command buffer builder backed by a buffer object
 * @dev: the device
 * @capacity: bytes of commands it can hold (4 .. the device's cmd_size_max)
 * @out: the new command buffer, empty
 *
 * The commands live in a write-combined host buffer that the CPU writes
 * and the card only reads: it is bound READ | EXEC (never WRITE) in the
 * default VM, and in each other VM the first time it is submitted there.
 */
int accel_cmdbuf_create(struct accel_device *dev, size_t capacity, struct accel_cmdbuf **out);

/**
 * accel_cmdbuf_destroy() - release a command buffer; NULL is ignored
 *
 * Never waits: jobs already submitted from it still read their commands
 * (the kernel keeps the memory until they are done).
 */
void accel_cmdbuf_destroy(struct accel_cmdbuf *cb);

/**
 * accel_cmdbuf_reset() - empty the command buffer for reuse, once the card
 * is done with it
 *
 * The card reads a job's commands when the job runs, so rewriting them
 * earlier would change the job.  The library tracks every submission of
 * @cb (each signals the next point of a timeline that belongs to @cb), and
 * this call waits until the last one, and so every earlier one, has
 * finished or failed; only then is @cb emptied.  Recording and submitting
 * again right after a submit is therefore safe.  Appending to a buffer
 * without resetting it never disturbs earlier jobs (they read only the
 * commands they were given).
 *
 * Returns 0 (@cb is empty and no job reads it), or the wait's negative
 * errno, with @cb unchanged.
 */
int accel_cmdbuf_reset(struct accel_cmdbuf *cb);

/**
 * accel_cmdbuf_wait_idle() - wait until no job submitted from @cb may
 * still read it
 * @cb: the command buffer
 * @timeout_ns: relative timeout, 0 to poll, or ACCEL_TIMEOUT_INFINITE
 *
 * Returns 0 when idle (also when never submitted), -ETIME when a job may
 * still read it after @timeout_ns, or another negative errno.
 */
int accel_cmdbuf_wait_idle(struct accel_cmdbuf *cb, uint64_t timeout_ns);

/**
 * accel_cmdbuf_size() - bytes of commands recorded so far
 *
 * Also the byte offset in @cb of the next command recorded, which
 * accel_cmdbuf_patch_adamw() takes.
 */
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
 * accel_encode_nop() - encode a NOP into caller memory
 * @buf: destination
 * @capacity: dwords available at @buf
 * @dwords: length of the NOP, 1..65535
 *
 * Returns the dwords written, -EINVAL or -ENOSPC.  Needs no device.
 */
int accel_encode_nop(uint32_t *buf, size_t capacity, uint32_t dwords);

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

/* ------------------------------------------------------------------ */
/* Queues and submission                                               */
/* ------------------------------------------------------------------ */

/**
 * struct accel_submit_args - one job of accel_submit()
 */
struct accel_submit_args {
	uint32_t size;			/**< sizeof(struct accel_submit_args) */
	uint32_t engine;		/**< engine index, < num_engines */
	struct accel_fence *wait;	/**< run after this fence, or NULL */
	struct accel_fence *signal;	/**< receives the job's fence, or NULL */
};

/**
 * accel_submit() - run a command buffer's commands on one engine, in the
 * default VM
 * @cb: the commands, read by the device when the job runs (not copied);
 *      accel_cmdbuf_reset() waits for the job before @cb is reused
 * @args: engine and fences
 * @seqno: if not NULL, the job's sequence number in the engine's queue
 *
 * Jobs go to a queue of the default VM feeding that one engine, created
 * on the first submit to it; jobs of one engine run in submission order.
 * Returns 0, -EINVAL (empty buffer, bad size or engine), -ENOENT (a fence
 * of another device), -ECANCELED (the default VM is guilty, see
 * accel_vm_status()), -ENODEV (device gone).  Thread-safe for the device;
 * @cb belongs to the caller's thread.
 */
int accel_submit(struct accel_cmdbuf *cb, const struct accel_submit_args *args,
		 uint64_t *seqno);

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

/** accel_vm_queue_create() engine: any engine of the class. */
#define ACCEL_ENGINE_ANY	0xffffffffu

/**
 * accel_queue_create() - create a submission queue on the default VM
 * @dev: the device
 * @engine_class: ACCEL_ENGINE_COMPUTE or ACCEL_ENGINE_DMA
 * @priority: ACCEL_PRIORITY_LOW, _NORMAL or _HIGH
 * @out: the new queue
 *
 * accel_vm_queue_create() on accel_device_default_vm() with
 * ACCEL_ENGINE_ANY.
 */
int accel_queue_create(struct accel_device *dev, enum accel_engine_class engine_class,
		       enum accel_priority priority, struct accel_queue **out);

/**
 * accel_vm_queue_create() - create a submission queue whose jobs run in @vm
 * @vm: the VM
 * @engine_class: ACCEL_ENGINE_COMPUTE or ACCEL_ENGINE_DMA
 * @engine: an engine index of the class (compute engines are numbered
 *          first), or ACCEL_ENGINE_ANY for the least busy one each time
 *          the queue is idle
 * @priority: ACCEL_PRIORITY_LOW, _NORMAL or _HIGH
 * @out: the new queue; it holds @vm
 *
 * A queue runs its jobs in submission order.  Returns 0, -EINVAL (bad
 * class, engine or priority, or a class the card has no engine of),
 * -EACCES (HIGH without CAP_SYS_NICE), -EMFILE (too many queues).
 * Thread-safe.
 */
int accel_vm_queue_create(struct accel_vm *vm, enum accel_engine_class engine_class,
			  uint32_t engine, enum accel_priority priority,
			  struct accel_queue **out);

/**
 * accel_queue_destroy() - destroy a queue; NULL is ignored
 *
 * Jobs already submitted still run and signal their fences.  No other
 * thread may use @q during or after the call.
 */
void accel_queue_destroy(struct accel_queue *q);

/** accel_queue_vm() - the VM a queue's jobs run in. */
struct accel_vm *accel_queue_vm(const struct accel_queue *q);

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
 * Listing is not needed for the job to use the buffer: the job holds its
 * VM and the VM every buffer bound in it.
 */
struct accel_bo_use {
	struct accel_bo *bo;		/**< of the queue's device */
	uint32_t flags;			/**< ACCEL_BO_USE_WRITE if written */
};

/**
 * accel_queue_submit() - run a command buffer on a queue, with dependencies
 * @q: the queue
 * @cb: the commands (of @q's device); the device reads them when the job
 *      runs, and accel_cmdbuf_reset() waits for that before @cb is
 *      recorded again.  In a VM other than the default one, @cb is bound
 *      READ | EXEC there on its first submit to it.
 * @waits: @num_waits fence points the job runs after (each must already
 *         have a fence unless ACCEL_SYNC_WAIT_FOR_SUBMIT)
 * @signals: @num_signals fence points that receive the job's fence; flags
 *           must be 0
 * @bos: @num_bos buffers the job uses (may be NULL/0)
 *
 * Returns 0, -EINVAL (empty @cb, more than ACCEL_MAX_SYNCS syncs or
 * ACCEL_MAX_BO_USES buffers, bad flags, a wait point without a fence),
 * -ENOENT (a fence, buffer or command buffer of another device), -ETIME
 * (a WAIT_FOR_SUBMIT point stayed empty), -ECANCELED (the queue's VM is
 * guilty, see accel_vm_status()), -ENODEV.  Thread-safe for @q; @cb
 * belongs to the caller's thread.
 */
int accel_queue_submit(struct accel_queue *q, struct accel_cmdbuf *cb,
		       const struct accel_sync *waits, uint32_t num_waits,
		       const struct accel_sync *signals, uint32_t num_signals,
		       const struct accel_bo_use *bos, uint32_t num_bos);

/* ------------------------------------------------------------------ */
/* Encoders of the compute commands                                    */
/* ------------------------------------------------------------------ */

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
 * non-zero addresses (0 marks an unused operand and never holds a
 * buffer).  A struct argument's size below its libaccel 2.0 size is
 * -EINVAL.  Each accel_cmdbuf_X() appends the same command to a command
 * buffer and returns 0, -EINVAL or -ENOSPC.
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
	uint32_t size;			/**< sizeof(struct accel_gemm) */
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
	/* 2.1, hardware 1.5 (ACCEL_CAP_TRAIN): b is the output gradient */
	ACCEL_EW_SILU = 7,	/**< d = a * sigmoid(a) */
	ACCEL_EW_SWIGLU = 8,	/**< d = silu(a) * b */
	ACCEL_EW_RELU_BWD = 9,	/**< d = a > 0 ? b : 0 */
	ACCEL_EW_GELU_BWD = 10,	/**< d = b * gelu'(a), erf form */
	ACCEL_EW_SILU_BWD = 11,	/**< d = b * silu'(a) */
	/** long form only: d = c * b * silu'(a), e = c * silu(a) */
	ACCEL_EW_SWIGLU_BWD = 12,
};

/**
 * struct accel_elementwise - D[i] = op(A[i], B[i]) for i < count
 *
 * Computed in fp32.  Except for CAST, src_dtype == dst_dtype and is FP32,
 * FP16 or BF16; CAST converts between any two types.  b is used (and
 * non-zero) only by ADD, MUL, SWIGLU and the _BWD ops, else 0; scalar only
 * by SCALE, else 0.  d may equal a (in place), or b for the ops that use
 * it.  SWIGLU_BWD needs struct accel_elementwise2.  The ops from SILU on
 * need ACCEL_CAP_TRAIN.
 */
struct accel_elementwise {
	uint32_t size;			/**< sizeof(struct accel_elementwise) */
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
	uint32_t size;			/**< sizeof(struct accel_rowwise) */
	uint32_t dtype;
	uint32_t rows, cols;		/**< 1 .. ACCEL_MAX_DIM */
	uint64_t src, dst;		/**< device VAs, aligned to the element */
	uint32_t src_ld, dst_ld;
	uint32_t flags;			/**< ACCEL_LN_* */
	uint64_t gamma, beta;
	float epsilon;
	/* 2.1: SOFTMAX with ACCEL_SOFTMAX_CAUSAL (ACCEL_CAP_TRAIN) */
	uint32_t period;		/**< >= 1 */
	uint32_t offset;
};

#define ACCEL_LN_GAMMA		0x1u
#define ACCEL_LN_BETA		0x2u
/**
 * ACCEL_SOFTMAX_CAUSAL - flag of SOFTMAX (2.1, ACCEL_CAP_TRAIN): row r
 * keeps the columns c <= r % period + offset; the others do not take part
 * and their results are 0.
 */
#define ACCEL_SOFTMAX_CAUSAL	0x1u

/** accel_encode_softmax() - row-wise SOFTMAX (compute engines only). */
int accel_encode_softmax(uint32_t *buf, size_t capacity, const struct accel_rowwise *r);
/** accel_cmdbuf_softmax() - append a SOFTMAX. */
int accel_cmdbuf_softmax(struct accel_cmdbuf *cb, const struct accel_rowwise *r);
/** accel_encode_layernorm() - row-wise LAYERNORM (compute engines only). */
int accel_encode_layernorm(uint32_t *buf, size_t capacity, const struct accel_rowwise *r);
/** accel_cmdbuf_layernorm() - append a LAYERNORM. */
int accel_cmdbuf_layernorm(struct accel_cmdbuf *cb, const struct accel_rowwise *r);

/* ------------------------------------------------------------------ */
/* Encoders of the training commands (libaccel 2.1, hardware 1.5)      */
/* ------------------------------------------------------------------ */

/*
 * These commands run on cards with ACCEL_CAP_TRAIN, on compute engines;
 * Documentation/hw/programming-guide.rst ("Training commands") defines
 * them and their numerics.  Unless a struct says otherwise: dtype is FP32
 * or BF16 and is the type of every data operand, the arithmetic is fp32,
 * matrices are row-major rows x cols with a leading dimension (_ld, in
 * elements) >= cols, operands are aligned to their element and span at
 * most ACCEL_MAX_OPERAND bytes, dimensions are 1 .. ACCEL_MAX_DIM, and
 * the operands a command does not use are 0 (with their _ld).  The
 * encoders check what the card checks and return -EINVAL where it would
 * reject the command, except what depends on memory contents (an index
 * or target out of range is an error of the job).
 */

/**
 * struct accel_bgemm - batch[0] x batch[1] GEMMs C = alpha * op(A) *
 * op(B) + beta * C
 *
 * Matrix (i, j) of X starts stride_x[0] * i + stride_x[1] * j elements
 * after x; each is as in struct accel_gemm (TRANS_A/TRANS_B flags, lda,
 * ldb, ldc).  A stride of A or B may be 0 (the same matrix for the whole
 * batch level); C's strides are non-zero where its batch count is above 1.
 * No bias, no activation.  The span of an operand ((batch - 1) * stride
 * summed over both levels, plus one matrix) is at most ACCEL_MAX_OPERAND.
 */
struct accel_bgemm {
	uint32_t size;			/**< sizeof(struct accel_bgemm) */
	uint32_t dtype;			/**< ACCEL_DTYPE_FP32 or _BF16 */
	uint32_t flags;			/**< ACCEL_GEMM_TRANS_A | ACCEL_GEMM_TRANS_B */
	uint32_t m, n, k;
	uint64_t a, b, c;
	uint32_t lda, ldb, ldc;
	float alpha, beta;		/**< finite */
	uint32_t batch[2];		/**< 1 .. ACCEL_MAX_DIM each */
	uint32_t stride_a[2], stride_b[2], stride_c[2];	/**< elements */
};

/** accel_encode_bgemm() - BGEMM; see struct accel_bgemm. */
int accel_encode_bgemm(uint32_t *buf, size_t capacity, const struct accel_bgemm *g);
/** accel_cmdbuf_bgemm() - append a BGEMM. */
int accel_cmdbuf_bgemm(struct accel_cmdbuf *cb, const struct accel_bgemm *g);

/**
 * struct accel_softmax_bwd - dx = y * (dy - sum_row(dy * y)), row-wise
 *
 * y is SOFTMAX's output; dx may be dy (same address and ld).
 */
struct accel_softmax_bwd {
	uint32_t size;			/**< sizeof(struct accel_softmax_bwd) */
	uint32_t dtype;
	uint32_t rows, cols;
	uint64_t y, dy, dx;
	uint32_t y_ld, dy_ld, dx_ld;
};

/** accel_encode_softmax_bwd() - SOFTMAX_BWD; see struct accel_softmax_bwd. */
int accel_encode_softmax_bwd(uint32_t *buf, size_t capacity, const struct accel_softmax_bwd *s);
/** accel_cmdbuf_softmax_bwd() - append a SOFTMAX_BWD. */
int accel_cmdbuf_softmax_bwd(struct accel_cmdbuf *cb, const struct accel_softmax_bwd *s);

/** accel_embedding.flags: table[idx[i]] += x[i] instead of x[i] = table[idx[i]]. */
#define ACCEL_EMB_SCATTER_ADD	0x1u

/**
 * struct accel_embedding - gather rows of a table, or scatter-add into it
 *
 * idx holds count int32 row numbers, each below table_rows (else the job
 * fails).  Gather: x[i][:] = table[idx[i]][:] (dtype FP32, FP16 or BF16,
 * exact copies).  ACCEL_EMB_SCATTER_ADD: table[idx[i]][:] += x[i][:] for
 * i = 0, 1, ... in order (FP32 or BF16), so repeated indices accumulate
 * deterministically.
 */
struct accel_embedding {
	uint32_t size;			/**< sizeof(struct accel_embedding) */
	uint32_t dtype;
	uint32_t flags;			/**< ACCEL_EMB_* */
	uint32_t count, cols;
	uint64_t idx;			/**< count int32, 4-aligned */
	uint64_t table;
	uint32_t table_rows, table_ld;
	uint64_t x;
	uint32_t x_ld;
};

/** accel_encode_embedding() - EMBEDDING; see struct accel_embedding. */
int accel_encode_embedding(uint32_t *buf, size_t capacity, const struct accel_embedding *e);
/** accel_cmdbuf_embedding() - append an EMBEDDING. */
int accel_cmdbuf_embedding(struct accel_cmdbuf *cb, const struct accel_embedding *e);

/* accel_rmsnorm.flags */
#define ACCEL_RMS_GAMMA		0x1u	/**< multiply by gamma (else by 1) */
#define ACCEL_RMS_RSTD		0x2u	/**< forward: write rstd; backward: read it */
#define ACCEL_RMS_ACCUM		0x4u	/**< backward: dx += (else dx =) */
#define ACCEL_RMS_DGAMMA	0x8u	/**< backward: dgamma += sum_rows(dy * x * rstd) */

/**
 * struct accel_rmsnorm - RMSNORM (y = x * rstd * gamma, rstd = 1 /
 * sqrt(mean(x^2) + epsilon) per row) and RMSNORM_BWD (dx, dgamma)
 *
 * Forward: x, y (may be x), optional gamma and rstd; dy and dx 0.
 * Backward: x, dy, dx (may be dy), optional gamma, dgamma and rstd (read;
 * else recomputed from x and epsilon); y 0.  gamma and dgamma are cols
 * fp32, rstd is rows fp32, whatever dtype is.
 */
struct accel_rmsnorm {
	uint32_t size;			/**< sizeof(struct accel_rmsnorm) */
	uint32_t dtype;
	uint32_t flags;			/**< ACCEL_RMS_* */
	uint32_t rows, cols;
	uint64_t x, y, dy, dx;
	uint32_t x_ld, y_ld, dy_ld, dx_ld;
	uint64_t gamma, dgamma, rstd;
	float epsilon;			/**< finite, >= 0 */
};

/** accel_encode_rmsnorm() - RMSNORM; see struct accel_rmsnorm. */
int accel_encode_rmsnorm(uint32_t *buf, size_t capacity, const struct accel_rmsnorm *r);
/** accel_cmdbuf_rmsnorm() - append an RMSNORM. */
int accel_cmdbuf_rmsnorm(struct accel_cmdbuf *cb, const struct accel_rmsnorm *r);
/** accel_encode_rmsnorm_bwd() - RMSNORM_BWD; see struct accel_rmsnorm. */
int accel_encode_rmsnorm_bwd(uint32_t *buf, size_t capacity, const struct accel_rmsnorm *r);
/** accel_cmdbuf_rmsnorm_bwd() - append an RMSNORM_BWD. */
int accel_cmdbuf_rmsnorm_bwd(struct accel_cmdbuf *cb, const struct accel_rmsnorm *r);

/** accel_rope.flags: rotate by minus the angle (the backward pass). */
#define ACCEL_ROPE_BWD		0x1u

/**
 * struct accel_rope - rotary position embedding, GGUF/llama.cpp "normal"
 * (adjacent pairs) convention
 *
 * Each of rows rows holds heads x head_dim elements; row r is at position
 * pos0 + r % period.  In every head, the pairs (2i, 2i + 1) with i <
 * n_rot / 2 are rotated by position * theta^(-2i / n_rot); the rest is
 * copied.  head_dim and n_rot are even, 2 <= n_rot <= head_dim, heads *
 * head_dim <= ACCEL_MAX_DIM.  y may be x.
 */
struct accel_rope {
	uint32_t size;			/**< sizeof(struct accel_rope) */
	uint32_t dtype;
	uint32_t flags;			/**< ACCEL_ROPE_* */
	uint32_t rows, heads, head_dim, n_rot;
	uint64_t x, y;
	uint32_t x_ld, y_ld;
	uint32_t pos0, period;		/**< period >= 1 */
	float theta;			/**< finite, > 0 (e.g. 10000) */
};

/** accel_encode_rope() - ROPE; see struct accel_rope. */
int accel_encode_rope(uint32_t *buf, size_t capacity, const struct accel_rope *r);
/** accel_cmdbuf_rope() - append a ROPE. */
int accel_cmdbuf_rope(struct accel_cmdbuf *cb, const struct accel_rope *r);

/**
 * struct accel_elementwise2 - ELEMENTWISE long form: any enum accel_ew_op
 * on rows x cols matrices with leading dimensions
 *
 * Types as in struct accel_elementwise.  b is used by ADD, MUL, SWIGLU
 * and the _BWD ops; c and e only by SWIGLU_BWD (a the gate input, b the
 * up input, c the output gradient; d gets the gate's gradient, e the
 * up's).  An output may be an input (same address and ld); d and e do not
 * overlap.
 */
struct accel_elementwise2 {
	uint32_t size;			/**< sizeof(struct accel_elementwise2) */
	uint32_t op;			/**< enum accel_ew_op */
	uint32_t src_dtype, dst_dtype;
	uint32_t rows, cols;
	uint64_t a, b, c, d, e;
	uint32_t a_ld, b_ld, c_ld, d_ld, e_ld;
	float scalar;			/**< SCALE only, else 0 */
};

/** accel_encode_elementwise2() - ELEMENTWISE, long form (ACCEL_CAP_TRAIN). */
int accel_encode_elementwise2(uint32_t *buf, size_t capacity,
			      const struct accel_elementwise2 *e);
/** accel_cmdbuf_elementwise2() - append a long-form ELEMENTWISE. */
int accel_cmdbuf_elementwise2(struct accel_cmdbuf *cb, const struct accel_elementwise2 *e);

/* accel_cross_entropy.flags: at least one */
#define ACCEL_CE_LOSS		0x1u	/**< write loss[r] */
#define ACCEL_CE_DLOGITS	0x2u	/**< write dlogits */

/**
 * struct accel_cross_entropy - softmax cross-entropy and its gradient
 *
 * For each row r with target t = targets[r] (int32): loss[r] =
 * logsumexp(logits[r]) - logits[r][t] (fp32) and dlogits[r][:] =
 * (softmax(logits[r]) - onehot(t)) * scale.  A row whose target is
 * ignore_index gives 0 for both; any other target must be below classes
 * (else the job fails).  dlogits may be logits (same address and ld).
 */
struct accel_cross_entropy {
	uint32_t size;			/**< sizeof(struct accel_cross_entropy) */
	uint32_t dtype;			/**< of logits and dlogits */
	uint32_t flags;			/**< ACCEL_CE_* */
	uint32_t rows, classes;
	uint64_t logits, targets, loss, dlogits;
	uint32_t logits_ld, dlogits_ld;
	float scale;			/**< finite; 0 without DLOGITS */
	int32_t ignore_index;		/**< e.g. -1 */
};

/** accel_encode_cross_entropy() - CROSS_ENTROPY; see struct accel_cross_entropy. */
int accel_encode_cross_entropy(uint32_t *buf, size_t capacity,
			       const struct accel_cross_entropy *c);
/** accel_cmdbuf_cross_entropy() - append a CROSS_ENTROPY. */
int accel_cmdbuf_cross_entropy(struct accel_cmdbuf *cb, const struct accel_cross_entropy *c);

/** What REDUCE sums over. */
enum accel_reduce_axis {
	ACCEL_RED_ROWS = 0,	/**< dst[r] = sum over row r (rows values) */
	ACCEL_RED_COLS = 1,	/**< dst[c] = sum over column c (cols values) */
	ACCEL_RED_ALL = 2,	/**< dst[0] = sum of everything (one value) */
};

/* accel_reduce.flags */
#define ACCEL_RED_ACCUM		0x4u	/**< dst += (else dst =) */
#define ACCEL_RED_SQUARE	0x8u	/**< sum x^2 (else x) */

/**
 * struct accel_reduce - dst = (ACCUM ? dst : 0) + scale * sum of x (or x^2)
 *
 * x has dtype (FP32 or BF16), dst is fp32.
 */
struct accel_reduce {
	uint32_t size;			/**< sizeof(struct accel_reduce) */
	uint32_t dtype;
	uint32_t axis;			/**< enum accel_reduce_axis */
	uint32_t flags;			/**< ACCEL_RED_* */
	uint32_t rows, cols;
	uint64_t x, dst;
	uint32_t x_ld;
	float scale;			/**< finite */
};

/** accel_encode_reduce() - REDUCE; see struct accel_reduce. */
int accel_encode_reduce(uint32_t *buf, size_t capacity, const struct accel_reduce *r);
/** accel_cmdbuf_reduce() - append a REDUCE. */
int accel_cmdbuf_reduce(struct accel_cmdbuf *cb, const struct accel_reduce *r);

/* accel_adamw.flags */
#define ACCEL_ADAMW_CLIP	0x1u	/**< clip to max_norm by the sum of squares at sumsq */
#define ACCEL_ADAMW_ZERO_GRAD	0x2u	/**< store 0 to grad afterwards */

/**
 * struct accel_adamw - one AdamW step over count fp32 elements
 *
 * With g = grad * s (s = grad_scale, times min(1, max_norm / (norm +
 * 1e-6)) with ACCEL_ADAMW_CLIP, norm = sqrt(*sumsq) * |grad_scale|):
 * m = beta1 * m + (1 - beta1) * g; v = beta2 * v + (1 - beta2) * g^2;
 * param = param * (1 - lr * weight_decay) - lr / (1 - beta1^step) * m /
 * (sqrt(v) / sqrt(1 - beta2^step) + eps).  param, grad, m, v: count fp32
 * each, 4-aligned; sumsq: one fp32 (the sum of squares of the unscaled
 * gradients of every parameter, e.g. from REDUCE ALL | SQUARE | ACCUM).
 * 1 <= count, count * 4 <= ACCEL_MAX_OPERAND.
 */
struct accel_adamw {
	uint32_t size;			/**< sizeof(struct accel_adamw) */
	uint32_t flags;			/**< ACCEL_ADAMW_* */
	uint32_t count;
	uint32_t step;			/**< >= 1 */
	uint64_t param, grad, m, v;
	float lr;			/**< finite, >= 0 */
	float beta1, beta2;		/**< in [0, 1) */
	float eps;			/**< finite, > 0 */
	float weight_decay;		/**< finite, >= 0 */
	float grad_scale;		/**< finite */
	uint64_t sumsq;			/**< CLIP only, else 0 */
	float max_norm;			/**< CLIP only (finite, > 0), else 0 */
};

/** accel_encode_adamw() - ADAMW; see struct accel_adamw. */
int accel_encode_adamw(uint32_t *buf, size_t capacity, const struct accel_adamw *a);
/** accel_cmdbuf_adamw() - append an ADAMW. */
int accel_cmdbuf_adamw(struct accel_cmdbuf *cb, const struct accel_adamw *a);

/**
 * accel_cmdbuf_patch_adamw() - change the step and learning rate of an
 * ADAMW already recorded (libaccel 2.2)
 * @cb: the command buffer
 * @offset: the command's byte offset in @cb: accel_cmdbuf_size() just
 *          before accel_cmdbuf_adamw() recorded it
 * @step: the new step, >= 1
 * @lr: the new learning rate, finite, >= 0
 *
 * Rewrites the two fields in place, as if the command had been recorded
 * with them, so that an optimizer's buffer is recorded once and
 * resubmitted with each step's step and rate; the rest of @cb is left
 * alone.  Changing recorded commands is changing what a job reads, so it
 * follows accel_cmdbuf_reset()'s rule: only once no job submitted from @cb
 * may still read it.  This call never waits: while a job may, it refuses.
 * After accel_cmdbuf_wait_idle() (or a wait for the last job's fence)
 * it succeeds; once the library has seen @cb idle, patching makes no
 * system call.
 *
 * Returns 0; -EINVAL, with @cb unchanged, for a NULL @cb, an @offset that
 * is not a multiple of 4 or not where a command recorded since the last
 * reset starts, a command there other than ADAMW, @step 0, or an @lr
 * negative or not finite; -EBUSY (a job may still read @cb), with @cb
 * unchanged; or the error of the idle check.
 */
int accel_cmdbuf_patch_adamw(struct accel_cmdbuf *cb, size_t offset, uint32_t step, float lr);

#ifdef __cplusplus
}
#endif

#endif /* ACCEL_ACCEL_H */
