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
#define ACCEL_VERSION_MINOR 0

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

/** accel_cmdbuf_reset() - empty the command buffer for reuse. */
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
 * @cb: the commands (copied by the kernel: @cb may be reset at once)
 * @args: engine and fences
 * @seqno: if not NULL, the job's sequence number
 *
 * Returns 0, -EINVAL (empty buffer, bad engine, bad commands), -ENOENT
 * (a fence of another device), -ENODEV (device gone).
 */
int accel_submit(struct accel_cmdbuf *cb, const struct accel_submit_args *args,
		 uint64_t *seqno);

#ifdef __cplusplus
}
#endif

#endif /* ACCEL_ACCEL_H */
