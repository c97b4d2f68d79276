/* SPDX-License-Identifier: ((GPL-2.0-only WITH Linux-syscall-note) OR MIT) */
/*
 * Tessera T1 accelerator: userspace ABI, version 2.
 *
 * DRM_IOCTL_VERSION reports driver major 2 for this ABI.  Major 0 (the
 * first ABI, where the kernel chose device addresses and every open file
 * was one context) had no users outside the Tessera repository and is
 * gone: nothing below is compatible with it.
 *
 * Documentation/uapi.rst describes the rules every ioctl follows.  In
 * short: every struct is extensible by appending fields, every pad or
 * reserved field must be zero, unknown flags are rejected with -EINVAL,
 * arrays carry their element size (struct drm_tessera_obj_array), and new
 * ioctls are only ever appended.
 *
 * The card's command encoding is not part of this ABI: the kernel never
 * reads command buffers.  It lives in libaccel's <accel/tessera_cmd.h>,
 * which the emulator shares.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef _UAPI_DRM_TESSERA_ACCEL_H_
#define _UAPI_DRM_TESSERA_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/** DRM_TESSERA_ABI_MAJOR: DRM_IOCTL_VERSION's version_major for this header. */
#define DRM_TESSERA_ABI_MAJOR		2

#define DRM_TESSERA_GET_PARAM		0x00
#define DRM_TESSERA_BO_CREATE		0x01
#define DRM_TESSERA_BO_INFO		0x02
#define DRM_TESSERA_VM_CREATE		0x03
#define DRM_TESSERA_VM_DESTROY		0x04
#define DRM_TESSERA_VM_BIND		0x05
#define DRM_TESSERA_VM_STATUS		0x06
#define DRM_TESSERA_QUEUE_CREATE	0x07
#define DRM_TESSERA_QUEUE_DESTROY	0x08
#define DRM_TESSERA_SUBMIT		0x09
#define DRM_TESSERA_FENCE_WAIT		0x0a

#define DRM_IOCTL_TESSERA_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_GET_PARAM, struct drm_tessera_get_param)
#define DRM_IOCTL_TESSERA_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_BO_CREATE, struct drm_tessera_bo_create)
#define DRM_IOCTL_TESSERA_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_BO_INFO, struct drm_tessera_bo_info)
#define DRM_IOCTL_TESSERA_VM_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_VM_CREATE, struct drm_tessera_vm_create)
#define DRM_IOCTL_TESSERA_VM_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_TESSERA_VM_DESTROY, struct drm_tessera_vm_destroy)
#define DRM_IOCTL_TESSERA_VM_BIND \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_VM_BIND, struct drm_tessera_vm_bind)
#define DRM_IOCTL_TESSERA_VM_STATUS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_VM_STATUS, struct drm_tessera_vm_status)
#define DRM_IOCTL_TESSERA_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_QUEUE_CREATE, struct drm_tessera_queue_create)
#define DRM_IOCTL_TESSERA_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_TESSERA_QUEUE_DESTROY, struct drm_tessera_queue_destroy)
#define DRM_IOCTL_TESSERA_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_SUBMIT, struct drm_tessera_submit)
#define DRM_IOCTL_TESSERA_FENCE_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_FENCE_WAIT, struct drm_tessera_fence_wait)

/**
 * struct drm_tessera_obj_array - an array of structs in user memory
 *
 * Every array an ioctl takes is described this way, so that its element
 * struct can grow: the kernel reads min(@stride, its own element size)
 * bytes of each element, treats missing trailing fields as zero, and
 * rejects with -EINVAL an element whose bytes beyond its own size are not
 * zero (a newer caller asking for something this kernel cannot do).
 */
struct drm_tessera_obj_array {
	/**
	 * @stride: in, bytes from one element to the next; at least the
	 * element's size in this header's first version (given with each
	 * use), at most 4096; -EINVAL otherwise.  Ignored when @count is 0.
	 */
	__u32 stride;
	/** @count: in, number of elements; the limit is given with each use. */
	__u32 count;
	/** @ptr: in, user address of the first element. */
	__u64 ptr;
};

/**
 * enum drm_tessera_param - parameters readable with DRM_IOCTL_TESSERA_GET_PARAM
 */
enum drm_tessera_param {
	/** @DRM_TESSERA_PARAM_DEVICE_ID: PCI device id (0x7e51 for T1). */
	DRM_TESSERA_PARAM_DEVICE_ID = 0,
	/** @DRM_TESSERA_PARAM_REVISION: PCI revision id. */
	DRM_TESSERA_PARAM_REVISION = 1,
	/**
	 * @DRM_TESSERA_PARAM_HW_VERSION: hardware version, major in bits
	 * 31:16, minor in bits 15:0.
	 */
	DRM_TESSERA_PARAM_HW_VERSION = 2,
	/** @DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES: compute engines. */
	DRM_TESSERA_PARAM_NUM_COMPUTE_ENGINES = 3,
	/** @DRM_TESSERA_PARAM_NUM_DMA_ENGINES: DMA engines. */
	DRM_TESSERA_PARAM_NUM_DMA_ENGINES = 4,
	/**
	 * @DRM_TESSERA_PARAM_NUM_ENGINES: all engines; engine indices run
	 * from 0, compute engines first.
	 */
	DRM_TESSERA_PARAM_NUM_ENGINES = 5,
	/** @DRM_TESSERA_PARAM_DEVICE_MEM_SIZE: device memory in bytes, 0 if none. */
	DRM_TESSERA_PARAM_DEVICE_MEM_SIZE = 6,
	/** @DRM_TESSERA_PARAM_SERIAL: board serial number. */
	DRM_TESSERA_PARAM_SERIAL = 7,
	/**
	 * @DRM_TESSERA_PARAM_CMD_SIZE_MAX: largest command buffer, in bytes,
	 * that DRM_IOCTL_TESSERA_SUBMIT accepts.
	 */
	DRM_TESSERA_PARAM_CMD_SIZE_MAX = 8,
	/**
	 * @DRM_TESSERA_PARAM_CAPABILITIES: bit mask of the
	 * DRM_TESSERA_CAP_* this driver and this card support; bits not
	 * defined read as zero.
	 */
	DRM_TESSERA_PARAM_CAPABILITIES = 9,
	/**
	 * @DRM_TESSERA_PARAM_VA_START: lowest device virtual address a VM
	 * may bind (the range below it is reserved by the kernel).
	 */
	DRM_TESSERA_PARAM_VA_START = 10,
	/** @DRM_TESSERA_PARAM_VA_END: end (exclusive) of the bindable range. */
	DRM_TESSERA_PARAM_VA_END = 11,
	/**
	 * @DRM_TESSERA_PARAM_PAGE_SIZES: bit mask of the card's page sizes
	 * (bit n set: 2^n bytes).  The smallest is the alignment VM_BIND
	 * requires; the driver uses a larger one wherever a range's VA, BO
	 * offset and memory allow.
	 */
	DRM_TESSERA_PARAM_PAGE_SIZES = 12,
	/** @DRM_TESSERA_PARAM_VMS_PER_FILE_MAX: most VMs one open file may hold. */
	DRM_TESSERA_PARAM_VMS_PER_FILE_MAX = 13,
	/** @DRM_TESSERA_PARAM_NUM_ASIDS: hardware address spaces the driver shares among VMs. */
	DRM_TESSERA_PARAM_NUM_ASIDS = 14,
};

/**
 * DRM_TESSERA_CAP_DEVICE_MEM: the card has device memory
 * (DRM_TESSERA_BO_DEVICE_MEM works).
 */
#define DRM_TESSERA_CAP_DEVICE_MEM	0x01ull
/**
 * DRM_TESSERA_CAP_EXEC_PERM: the card checks DRM_TESSERA_BIND_EXEC on
 * command fetch; without it, READ implies EXEC.
 */
#define DRM_TESSERA_CAP_EXEC_PERM	0x02ull
/** DRM_TESSERA_CAP_HUGE_PAGES: the driver maps 2 MiB pages where it can. */
#define DRM_TESSERA_CAP_HUGE_PAGES	0x04ull
/** DRM_TESSERA_CAP_SPARSE: DRM_TESSERA_BIND_OP_MAP_SPARSE is supported. */
#define DRM_TESSERA_CAP_SPARSE		0x08ull
/**
 * DRM_TESSERA_CAP_FAULT_INJECT: the card allows debugfs fault injection
 * (a QA build of the emulator); never set on production cards.
 */
#define DRM_TESSERA_CAP_FAULT_INJECT	0x10ull
/**
 * DRM_TESSERA_CAP_TRAIN: the card runs the training commands of hardware
 * 1.5 (BGEMM, SOFTMAX_BWD, EMBEDDING, RMSNORM, ROPE, CROSS_ENTROPY,
 * REDUCE, ADAMW, ...; see Documentation/hw/programming-guide.rst).  The
 * kernel does not parse commands: this only passes the card's CAPS bit on.
 */
#define DRM_TESSERA_CAP_TRAIN		0x20ull

/**
 * struct drm_tessera_get_param - read one device or driver parameter
 *
 * Errors: -EINVAL for an unknown @param or a non-zero @pad.
 */
struct drm_tessera_get_param {
	/** @param: in, one of enum drm_tessera_param. */
	__u32 param;
	/** @pad: must be zero. */
	__u32 pad;
	/** @value: out, the parameter's value. */
	__u64 value;
};

/**
 * DRM_TESSERA_BO_DEVICE_MEM: place the buffer in the card's device memory,
 * which the CPU maps write-combined through BAR2.
 */
#define DRM_TESSERA_BO_DEVICE_MEM	0x1u
/**
 * DRM_TESSERA_BO_WC: host-memory buffer mapped write-combined by the CPU
 * (for buffers the CPU only writes); device memory is always WC.
 */
#define DRM_TESSERA_BO_WC		0x2u
/** DRM_TESSERA_BO_FLAGS_VALID: every defined BO flag. */
#define DRM_TESSERA_BO_FLAGS_VALID	(DRM_TESSERA_BO_DEVICE_MEM | DRM_TESSERA_BO_WC)

/**
 * struct drm_tessera_bo_create - create a buffer object
 *
 * The buffer is zero-filled and not mapped anywhere: bind it into a VM
 * with DRM_IOCTL_TESSERA_VM_BIND for the card, mmap() it at
 * @mmap_offset for the CPU.  Device memory is allocated in 2 MiB blocks
 * when the size and free memory allow, so that binds can use 2 MiB pages.
 * Release it with DRM_IOCTL_GEM_CLOSE, which never waits: bindings and CPU
 * mappings keep the memory until they go.
 *
 * Errors: -EINVAL for a size of 0 or above 4 GiB, unknown flags, a
 * non-zero @pad, or DEVICE_MEM on a card without device memory; -ENOMEM
 * when memory (device memory, or the host-memory pin limit) is exhausted.
 */
struct drm_tessera_bo_create {
	/**
	 * @size: in, bytes, non-zero and at most 4 GiB; out, the size
	 * rounded up to the CPU page size.
	 */
	__u64 size;
	/** @flags: in, DRM_TESSERA_BO_* placement flags. */
	__u32 flags;
	/** @handle: out, GEM handle of the new buffer. */
	__u32 handle;
	/** @mmap_offset: out, offset to pass to mmap() on the device fd. */
	__u64 mmap_offset;
};

/**
 * struct drm_tessera_bo_info - query a buffer object
 *
 * Has no side effect: it maps nothing, allocates nothing.
 *
 * Errors: -ENOENT for a handle the file does not have.
 */
struct drm_tessera_bo_info {
	/** @handle: in, GEM handle owned by the calling file. */
	__u32 handle;
	/**
	 * @flags: out, the buffer's placement: DRM_TESSERA_BO_DEVICE_MEM or
	 * DRM_TESSERA_BO_WC, or 0 for cached host memory.
	 */
	__u32 flags;
	/** @size: out, size in bytes. */
	__u64 size;
	/**
	 * @mmap_offset: out, offset to pass to mmap() on the device fd.
	 * Imported buffers the card cannot map for the CPU report 0.
	 */
	__u64 mmap_offset;
};

/**
 * struct drm_tessera_vm_create - create a device address space (VM)
 *
 * A VM is a context of the card: its own page tables, its own fault
 * state.  It starts empty.  The card runs a VM's work under a hardware
 * address-space id (ASID) the driver lends it while it has work on the
 * card, so the number of VMs is bounded by memory and
 * DRM_TESSERA_PARAM_VMS_PER_FILE_MAX, not by the card's ASIDs.
 *
 * Errors: -EINVAL for non-zero @flags or @pad; -EMFILE when the file has
 * DRM_TESSERA_PARAM_VMS_PER_FILE_MAX VMs; -ENOMEM.
 */
struct drm_tessera_vm_create {
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @vm_id: out, the new VM's id in the calling file, never 0. */
	__u32 vm_id;
};

/**
 * struct drm_tessera_vm_destroy - drop the file's VM id
 *
 * Never waits.  The id goes at once; the VM itself lives on while a
 * queue created on it, a job or a bind holds it.  Jobs and binds already
 * submitted still run; when the last holder goes, the VM's mappings are
 * removed and the BOs they hold released, once the card can no longer
 * reach them.
 *
 * Errors: -ENOENT if the file has no such VM; -EINVAL for a non-zero @pad.
 */
struct drm_tessera_vm_destroy {
	/** @vm_id: in, a VM of the calling file. */
	__u32 vm_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/** DRM_TESSERA_BIND_OP_MAP: map @size bytes of a BO at @va. */
#define DRM_TESSERA_BIND_OP_MAP		0
/** DRM_TESSERA_BIND_OP_UNMAP: remove every mapping in [@va, @va + @size). */
#define DRM_TESSERA_BIND_OP_UNMAP	1
/**
 * DRM_TESSERA_BIND_OP_MAP_SPARSE: make [@va, @va + @size) a sparse range:
 * reads return zero and writes are dropped, without a fault
 * (DRM_TESSERA_CAP_SPARSE).
 */
#define DRM_TESSERA_BIND_OP_MAP_SPARSE	2

/** DRM_TESSERA_BIND_READ: the card may read the range. */
#define DRM_TESSERA_BIND_READ		0x1u
/** DRM_TESSERA_BIND_WRITE: the card may write the range. */
#define DRM_TESSERA_BIND_WRITE		0x2u
/**
 * DRM_TESSERA_BIND_EXEC: the card may fetch commands from the range;
 * requires READ.  Bind command buffers READ | EXEC, without WRITE.
 */
#define DRM_TESSERA_BIND_EXEC		0x4u
/** DRM_TESSERA_BIND_FLAGS_VALID: every defined bind flag. */
#define DRM_TESSERA_BIND_FLAGS_VALID \
	(DRM_TESSERA_BIND_READ | DRM_TESSERA_BIND_WRITE | DRM_TESSERA_BIND_EXEC)

/**
 * struct drm_tessera_vm_bind_op - one map or unmap of a VM_BIND
 *
 * @va, @size and @bo_offset are multiples of the card's smallest page
 * (4 KiB, DRM_TESSERA_PARAM_PAGE_SIZES).  A MAP replaces whatever was
 * mapped in its range (the old mappings are split as needed).  An UNMAP
 * of a range with nothing mapped succeeds.
 */
struct drm_tessera_vm_bind_op {
	/** @op: in, DRM_TESSERA_BIND_OP_*. */
	__u32 op;
	/**
	 * @flags: in, for MAP: DRM_TESSERA_BIND_* permissions, at least
	 * READ or WRITE; for UNMAP and MAP_SPARSE: zero.
	 */
	__u32 flags;
	/** @handle: in, for MAP: GEM handle of the calling file; else zero. */
	__u32 handle;
	/** @pad: must be zero. */
	__u32 pad;
	/**
	 * @bo_offset: in, for MAP: byte offset in the BO of the range's
	 * first byte; @bo_offset + @size must not exceed the BO's size.
	 * Else zero.
	 */
	__u64 bo_offset;
	/**
	 * @va: in, device virtual address of the range, in
	 * [DRM_TESSERA_PARAM_VA_START, DRM_TESSERA_PARAM_VA_END).
	 */
	__u64 va;
	/** @size: in, bytes, non-zero; @va + @size at most DRM_TESSERA_PARAM_VA_END. */
	__u64 size;
};

/** Most entries in drm_tessera_vm_bind.ops. */
#define DRM_TESSERA_MAX_BIND_OPS	1024

/**
 * DRM_TESSERA_VM_BIND_ASYNC: run the ops on the VM's bind queue, after
 * the fences in @syncs that are waited on, and signal the others when
 * done; the ioctl returns at once.  Without it the ops are done when the
 * ioctl returns (an UNMAP having waited for the card's jobs on the VM),
 * and @syncs must be empty.
 */
#define DRM_TESSERA_VM_BIND_ASYNC	0x1u

/**
 * struct drm_tessera_vm_bind - change a VM's mappings
 *
 * The ops are checked all before any is applied, and applied in order.
 * Binds are ordered with the VM's jobs through the VM's reservation
 * object: a MAP is usable by every job submitted after the bind
 * completed (synchronous binds: after the ioctl returned; asynchronous
 * ones: jobs that wait on the bind's signalled syncobj); an UNMAP takes
 * effect only after every job already submitted on the VM has finished,
 * so no job sees a mapping vanish under it, and the memory is released
 * only once the card can no longer reach it.  Jobs submitted later fault
 * on the range.
 *
 * Errors (nothing is applied): -EINVAL for unknown flags or ops, non-zero
 * pads, a bad array stride, too many ops or syncs, unaligned or zero
 * sizes, ranges outside [VA_START, VA_END), overflowing @va + @size or
 * @bo_offset + @size, a BO range outside the BO, overlapping ops in one
 * call, bad permissions, syncs without ASYNC; -ENOENT for a VM, BO or
 * syncobj the file does not own; -EFAULT for an unreadable array;
 * -ENOMEM; -ENODEV when the card is gone.  If a synchronous bind fails
 * part way (-ENOMEM, -ENODEV, or -ENOENT for a MAP when another thread's
 * VM_DESTROY removed the VM's last user meanwhile), the ops before the
 * failed one stay applied and @ops_done says how many; an asynchronous
 * bind that loses that race signals its fence with -ENOENT.
 *
 * An asynchronous bind with nothing ahead of it (its waits signalled
 * without error, no earlier asynchronous bind of the VM pending, no job of
 * the VM unfinished) is applied before the ioctl returns, its syncobjs
 * signalled then; if it fails part way, the ioctl fails as a synchronous
 * bind would, and signals nothing.
 */
struct drm_tessera_vm_bind {
	/** @vm_id: in, a VM of the calling file. */
	__u32 vm_id;
	/** @flags: in, DRM_TESSERA_VM_BIND_*. */
	__u32 flags;
	/**
	 * @ops: in, array of struct drm_tessera_vm_bind_op (minimum stride
	 * 40), at most DRM_TESSERA_MAX_BIND_OPS.
	 */
	struct drm_tessera_obj_array ops;
	/**
	 * @syncs: in, with ASYNC: array of struct drm_tessera_sync (minimum
	 * stride 16), at most DRM_TESSERA_MAX_SYNCS; WAIT_FOR_SUBMIT is not
	 * allowed.  Without ASYNC: count 0.
	 */
	struct drm_tessera_obj_array syncs;
	/** @ops_done: out, ops applied (all of them on success). */
	__u32 ops_done;
	/** @pad: must be zero. */
	__u32 pad;
};

/** DRM_TESSERA_VM_GUILTY: a job of the VM faulted. */
#define DRM_TESSERA_VM_GUILTY		0x1u
/**
 * DRM_TESSERA_VM_BANNED: the VM's jobs hung the card three times: it is
 * guilty too, the card no longer runs its work, and its queued jobs fail
 * with -ECANCELED.
 */
#define DRM_TESSERA_VM_BANNED		0x2u

/** DRM_TESSERA_ACCESS_READ: the faulting access was a data read. */
#define DRM_TESSERA_ACCESS_READ		0
/** DRM_TESSERA_ACCESS_WRITE: the faulting access was a data write. */
#define DRM_TESSERA_ACCESS_WRITE	1
/** DRM_TESSERA_ACCESS_FETCH: the faulting access was a command fetch. */
#define DRM_TESSERA_ACCESS_FETCH	2

/**
 * struct drm_tessera_vm_status - has a VM faulted?
 *
 * When a job faults (an access outside its VM's mappings, a write to a
 * mapping without WRITE, a fetch from one without EXEC, a malformed
 * command), its fence completes with -EFAULT (memory faults) or -EIO
 * (other errors), later jobs of the same VM already queued on that
 * engine with -ECANCELED, and the VM becomes guilty: every later submit
 * on it fails with -ECANCELED.  Other VMs, of this file or others, are
 * not affected.  Create a new VM to start afresh.
 *
 * Errors: -ENOENT for a VM the file does not own; -EINVAL for a non-zero
 * @pad.
 */
struct drm_tessera_vm_status {
	/** @vm_id: in, a VM of the calling file. */
	__u32 vm_id;
	/** @flags: out, DRM_TESSERA_VM_GUILTY, DRM_TESSERA_VM_BANNED. */
	__u32 flags;
	/** @fault_count: out, faults recorded for the VM. */
	__u32 fault_count;
	/**
	 * @fault_code: out, the first fault's hardware error code
	 * (Documentation/hw/programming-guide.rst: 5 no translation,
	 * 6 permission).
	 */
	__u32 fault_code;
	/** @fault_va: out, device virtual address of the first fault. */
	__u64 fault_va;
	/** @fault_access: out, DRM_TESSERA_ACCESS_* of the first fault. */
	__u32 fault_access;
	/** @fault_engine: out, engine index of the first fault. */
	__u32 fault_engine;
};

/**
 * enum drm_tessera_engine_class - kinds of engines a queue can feed
 */
enum drm_tessera_engine_class {
	/** @DRM_TESSERA_ENGINE_CLASS_COMPUTE: compute engines. */
	DRM_TESSERA_ENGINE_CLASS_COMPUTE = 0,
	/** @DRM_TESSERA_ENGINE_CLASS_DMA: DMA (copy) engines. */
	DRM_TESSERA_ENGINE_CLASS_DMA = 1,
};

/**
 * enum drm_tessera_queue_priority - scheduling priority of a queue
 */
enum drm_tessera_queue_priority {
	/** @DRM_TESSERA_QUEUE_PRIORITY_LOW: background work. */
	DRM_TESSERA_QUEUE_PRIORITY_LOW = 0,
	/** @DRM_TESSERA_QUEUE_PRIORITY_NORMAL: the default. */
	DRM_TESSERA_QUEUE_PRIORITY_NORMAL = 1,
	/** @DRM_TESSERA_QUEUE_PRIORITY_HIGH: needs CAP_SYS_NICE. */
	DRM_TESSERA_QUEUE_PRIORITY_HIGH = 2,
};

/** DRM_TESSERA_ENGINE_ANY: a queue whose jobs may run on any engine of its class. */
#define DRM_TESSERA_ENGINE_ANY		0xffffffffu

/**
 * struct drm_tessera_queue_create - create a submission queue on a VM
 *
 * A queue feeds engines of one class with jobs that run in the VM
 * @vm_id; it holds the VM (destroying the VM's id does not stop the
 * queue).  Its jobs run in submission order; whenever the queue is idle,
 * its next job goes to @engine, or with DRM_TESSERA_ENGINE_ANY to the
 * least busy engine of the class.  Jobs of higher-priority queues are
 * picked first.
 *
 * Errors: -EINVAL for a bad class, priority, engine (not of the class)
 * or non-zero @flags, or a class the card has no engine of; -ENOENT for
 * a VM the file does not own; -EACCES for HIGH without CAP_SYS_NICE;
 * -EMFILE when the file has 1023 queues.
 */
struct drm_tessera_queue_create {
	/** @vm_id: in, the VM the queue's jobs run in. */
	__u32 vm_id;
	/** @engine_class: in, enum drm_tessera_engine_class. */
	__u32 engine_class;
	/**
	 * @engine: in, an engine index of @engine_class, or
	 * DRM_TESSERA_ENGINE_ANY.
	 */
	__u32 engine;
	/** @priority: in, enum drm_tessera_queue_priority. */
	__u32 priority;
	/** @flags: in, must be 0. */
	__u32 flags;
	/** @queue_id: out, the new queue's id, never 0. */
	__u32 queue_id;
};

/**
 * struct drm_tessera_queue_destroy - destroy a submission queue
 *
 * Never waits: jobs already submitted still run.
 *
 * Errors: -ENOENT if the file has no such queue; -EINVAL for a non-zero
 * @pad.
 */
struct drm_tessera_queue_destroy {
	/** @queue_id: in, a queue of the calling file. */
	__u32 queue_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/** DRM_TESSERA_SYNC_WAIT: the job (or bind) waits for the syncobj point. */
#define DRM_TESSERA_SYNC_WAIT			0x1u
/** DRM_TESSERA_SYNC_SIGNAL: the job's (or bind's) fence is installed at the point. */
#define DRM_TESSERA_SYNC_SIGNAL			0x2u
/**
 * DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT: with WAIT, in a SUBMIT only: block the
 * submit until the point has a fence, for up to 10 s in all (a submit
 * restarted after a signal goes on with the time left), then fail it
 * with -ETIME.
 */
#define DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT	0x4u

/** Most entries in drm_tessera_submit.syncs and drm_tessera_vm_bind.syncs. */
#define DRM_TESSERA_MAX_SYNCS			64

/**
 * struct drm_tessera_sync - a syncobj point to wait on or signal
 */
struct drm_tessera_sync {
	/** @handle: in, syncobj handle of the calling file. */
	__u32 handle;
	/**
	 * @flags: in, exactly one of DRM_TESSERA_SYNC_WAIT and
	 * DRM_TESSERA_SYNC_SIGNAL, and DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT
	 * only with WAIT.
	 */
	__u32 flags;
	/**
	 * @point: in, timeline point; 0 for a binary syncobj (or a
	 * timeline's latest fence when waiting).
	 */
	__u64 point;
};

/** DRM_TESSERA_BO_REF_WRITE: the job writes the buffer. */
#define DRM_TESSERA_BO_REF_WRITE	0x1u

/** Most entries in drm_tessera_submit.bos. */
#define DRM_TESSERA_MAX_BO_REFS		1024

/**
 * struct drm_tessera_bo_ref - a buffer a job synchronizes on implicitly
 *
 * The job waits for the buffer's earlier writers (and, with
 * DRM_TESSERA_BO_REF_WRITE, readers) and publishes its fence in the
 * buffer's reservation object: implicit synchronization with other
 * devices and processes sharing it by dma-buf.  Listing is not needed
 * for the job to use a buffer: the job holds its VM, and the VM holds
 * every buffer bound in it.
 */
struct drm_tessera_bo_ref {
	/** @handle: in, GEM handle of the calling file. */
	__u32 handle;
	/** @flags: in, DRM_TESSERA_BO_REF_WRITE if the job writes it. */
	__u32 flags;
};

/**
 * struct drm_tessera_submit - queue a command buffer
 *
 * The card fetches @cmd_size bytes of commands at device address
 * @cmd_va in the queue's VM when the job runs; the range must be bound
 * READ | EXEC (a fetch from a range bound without EXEC faults with a
 * permission error, access FETCH).  The kernel does not read the
 * commands: the card checks them.  The job holds its VM, and with it
 * every buffer bound there, until it completes: GEM_CLOSE, munmap() and
 * closing the file never wait for it, and an UNMAP of a range the job
 * may use takes effect after the job.  The job runs after every fence it
 * waits on; its fence is installed in every syncobj point it signals.
 *
 * Errors: -EINVAL for non-zero flags or pad, a size that is zero, not a
 * multiple of 4 or larger than DRM_TESSERA_PARAM_CMD_SIZE_MAX, an
 * unaligned @cmd_va, a bad array stride, too many syncs or BOs, a BO
 * listed twice, bad sync or BO flags, or a wait on a point without a
 * fence; -ENOENT for a queue, BO or syncobj the caller does not own;
 * -EFAULT for an unreadable array; -ETIME when a WAIT_FOR_SUBMIT point
 * stays empty; -ECANCELED when the queue's VM is guilty; -ENODEV when
 * the device is gone; -ENOMEM.
 */
struct drm_tessera_submit {
	/** @queue_id: in, queue from DRM_IOCTL_TESSERA_QUEUE_CREATE. */
	__u32 queue_id;
	/** @flags: in, must be 0. */
	__u32 flags;
	/** @cmd_va: in, device address of the commands in the queue's VM, 4-aligned. */
	__u64 cmd_va;
	/** @cmd_size: in, size of the commands in bytes, a multiple of 4. */
	__u32 cmd_size;
	/** @pad: must be zero. */
	__u32 pad;
	/**
	 * @syncs: in, array of struct drm_tessera_sync (minimum stride 16),
	 * at most DRM_TESSERA_MAX_SYNCS.
	 */
	struct drm_tessera_obj_array syncs;
	/**
	 * @bos: in, array of struct drm_tessera_bo_ref (minimum stride 8),
	 * at most DRM_TESSERA_MAX_BO_REFS.
	 */
	struct drm_tessera_obj_array bos;
	/** @seqno: out, the job's sequence number, increasing per queue. */
	__u64 seqno;
};

/**
 * struct drm_tessera_fence_wait - wait for a syncobj point and get its status
 *
 * Waits until the fence of @point of the syncobj @handle signals, then
 * reports how the job (or bind) behind it ended: the generic syncobj
 * wait cannot tell, and learning it through a sync_file takes four more
 * system calls.
 *
 * Returns 0 when the fence signaled (@status says how), -ETIME when
 * @timeout_ns passed first, -ENOENT for a handle the file does not have,
 * -ESRCH when no fence has been submitted for @point yet (wait with
 * DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT and DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
 * for that), -EINVAL for non-zero @flags or @pad, -EINTR/-ERESTARTSYS on a
 * signal.  A timeline point that signaled long ago may have been folded
 * into a later one; its status then reads 0.
 */
struct drm_tessera_fence_wait {
	/** @handle: in, syncobj handle of the calling file. */
	__u32 handle;
	/** @flags: in, must be zero. */
	__u32 flags;
	/** @point: in, timeline point; 0 for a binary syncobj. */
	__u64 point;
	/**
	 * @timeout_ns: in, absolute CLOCK_MONOTONIC deadline in ns, as for
	 * DRM_IOCTL_SYNCOBJ_WAIT; 0 polls.
	 */
	__s64 timeout_ns;
	/**
	 * @status: out, 0 if the job completed, else its negative errno:
	 * -EFAULT/-EIO it faulted, -ECANCELED its VM was guilty or the
	 * device was reset, -ETIMEDOUT it hung, -ENODEV the device is gone;
	 * for an asynchronous bind, -ENOENT when its VM was torn down first.
	 */
	__s32 status;
	/** @pad: must be zero. */
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_TESSERA_ACCEL_H_ */
