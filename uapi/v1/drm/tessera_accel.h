/* SPDX-License-Identifier: ((GPL-2.0-only WITH Linux-syscall-note) OR MIT) */
/*
 * Tessera T1 accelerator: userspace ABI 1 (driver major 0).
 *
 * TRANSITIONAL: the driver, libaccel and the tests still build against
 * this copy while they are ported to uAPI 2 (uapi/drm/tessera_accel.h,
 * see NOTES-vm-bind.md).  It goes when the last user is ported.
 *
 * Documentation/uapi.rst describes the rules every ioctl follows.  In short:
 * every struct is extensible by appending fields, every reserved or padding
 * field must be zero, unknown flags are rejected with -EINVAL, and new ioctls
 * are only ever appended.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef _UAPI_DRM_TESSERA_ACCEL_H_
#define _UAPI_DRM_TESSERA_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_TESSERA_GET_PARAM		0x00
#define DRM_TESSERA_BO_CREATE		0x01
#define DRM_TESSERA_BO_INFO		0x02
#define DRM_TESSERA_SUBMIT		0x03
#define DRM_TESSERA_QUEUE_CREATE	0x04
#define DRM_TESSERA_QUEUE_DESTROY	0x05
#define DRM_TESSERA_CONTEXT_STATUS	0x06
#define DRM_TESSERA_FENCE_WAIT		0x07

#define DRM_IOCTL_TESSERA_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_GET_PARAM, struct drm_tessera_get_param)
#define DRM_IOCTL_TESSERA_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_BO_CREATE, struct drm_tessera_bo_create)
#define DRM_IOCTL_TESSERA_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_BO_INFO, struct drm_tessera_bo_info)
#define DRM_IOCTL_TESSERA_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_SUBMIT, struct drm_tessera_submit)
#define DRM_IOCTL_TESSERA_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_QUEUE_CREATE, struct drm_tessera_queue_create)
#define DRM_IOCTL_TESSERA_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_TESSERA_QUEUE_DESTROY, struct drm_tessera_queue_destroy)
#define DRM_IOCTL_TESSERA_CONTEXT_STATUS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_CONTEXT_STATUS, struct drm_tessera_context_status)
#define DRM_IOCTL_TESSERA_FENCE_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_FENCE_WAIT, struct drm_tessera_fence_wait)

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
	/** @DRM_TESSERA_PARAM_DEVICE_MEM_SIZE: device memory in bytes. */
	DRM_TESSERA_PARAM_DEVICE_MEM_SIZE = 5,
	/** @DRM_TESSERA_PARAM_SERIAL: board serial number. */
	DRM_TESSERA_PARAM_SERIAL = 6,
	/**
	 * @DRM_TESSERA_PARAM_CMD_SIZE_MAX: largest command buffer, in bytes,
	 * that DRM_IOCTL_TESSERA_SUBMIT accepts.
	 */
	DRM_TESSERA_PARAM_CMD_SIZE_MAX = 7,
	/**
	 * @DRM_TESSERA_PARAM_CAPABILITIES: bit mask of
	 * DRM_TESSERA_CAP_* the driver and device support.
	 */
	DRM_TESSERA_PARAM_CAPABILITIES = 8,
	/** @DRM_TESSERA_PARAM_NUM_ENGINES: engines a job can be sent to. */
	DRM_TESSERA_PARAM_NUM_ENGINES = 9,
};

/** DRM_TESSERA_CAP_SYNCOBJ: submit takes in/out syncobjs. */
#define DRM_TESSERA_CAP_SYNCOBJ		0x1ull
/** DRM_TESSERA_CAP_FENCE_WAIT: DRM_IOCTL_TESSERA_FENCE_WAIT exists. */
#define DRM_TESSERA_CAP_FENCE_WAIT	0x2ull

/**
 * struct drm_tessera_get_param - read one device or driver parameter
 */
struct drm_tessera_get_param {
	/** @param: in, one of enum drm_tessera_param. */
	__u32 param;
	/** @pad: must be zero. */
	__u32 pad;
	/** @value: out, the parameter's value. */
	__u64 value;
};

/*
 * BO flags.  Without flags a buffer is in host memory (shmem), mapped
 * write-back cached by the CPU.  DRM_TESSERA_BO_DEVICE_MEM places it in the
 * card's device memory (DRM_TESSERA_PARAM_DEVICE_MEM_SIZE bytes), which the
 * CPU maps write-combined through the card's BAR; it fails with -ENOMEM
 * when device memory is exhausted and -EINVAL on a card without any.
 * Device-memory buffers cannot be exported as dma-bufs yet.
 * DRM_TESSERA_BO_WC maps a host-memory buffer write-combined instead of
 * cached (for buffers the CPU only writes); device memory is always WC.
 */
#define DRM_TESSERA_BO_DEVICE_MEM	0x1u
#define DRM_TESSERA_BO_WC		0x2u
#define DRM_TESSERA_BO_FLAGS_VALID	(DRM_TESSERA_BO_DEVICE_MEM | DRM_TESSERA_BO_WC)

/**
 * struct drm_tessera_bo_create - create a buffer object
 *
 * The buffer is zero-filled.  Release it with DRM_IOCTL_GEM_CLOSE; CPU
 * mappings made through its mmap offset stay valid until unmapped.
 */
struct drm_tessera_bo_create {
	/**
	 * @size: in, bytes, non-zero and at most 4 GiB; out, the size
	 * rounded up to a multiple of the page size.
	 */
	__u64 size;
	/** @flags: in, DRM_TESSERA_BO_* placement flags. */
	__u32 flags;
	/** @handle: out, GEM handle of the new buffer. */
	__u32 handle;
	/**
	 * @va: out, the buffer's device virtual address in the calling
	 * file's context, where commands address it.
	 */
	__u64 va;
};

/**
 * struct drm_tessera_bo_info - query a buffer object
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
	/** @mmap_offset: out, offset to pass to mmap() on the device fd. */
	__u64 mmap_offset;
	/** @va: out, device virtual address in the calling file's context. */
	__u64 va;
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

/**
 * struct drm_tessera_queue_create - create a submission queue
 *
 * A queue feeds the engines of one class.  Its jobs run in submission
 * order; whenever the queue is idle, its next job goes to the least busy
 * engine of the class.  Jobs of higher-priority queues are picked first.
 *
 * Errors: -EINVAL for a bad class, priority or non-zero flags, or a class
 * the card has no engine of; -EACCES for HIGH without CAP_SYS_NICE;
 * -ENOSPC when the file has 1023 queues.
 */
struct drm_tessera_queue_create {
	/** @engine_class: in, enum drm_tessera_engine_class. */
	__u32 engine_class;
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
 * Jobs already submitted still run.  -ENOENT if the file has no such queue.
 */
struct drm_tessera_queue_destroy {
	/** @queue_id: in, a queue of the calling file. */
	__u32 queue_id;
	/** @pad: must be zero. */
	__u32 pad;
};

/* drm_tessera_sync.flags */
#define DRM_TESSERA_SYNC_WAIT			0x1
#define DRM_TESSERA_SYNC_SIGNAL			0x2
/*
 * With WAIT: block the submit until the point has a fence, for up to 10 s
 * in all (a submit restarted after a signal goes on with the time left),
 * then fail it with -ETIME.
 */
#define DRM_TESSERA_SYNC_WAIT_FOR_SUBMIT	0x4

/** Most entries in drm_tessera_submit.syncs. */
#define DRM_TESSERA_MAX_SYNCS			64

/**
 * struct drm_tessera_sync - a syncobj a job waits on or signals
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

/* drm_tessera_bo_ref.flags */
#define DRM_TESSERA_BO_REF_WRITE	0x1

/** Most entries in drm_tessera_submit.bos. */
#define DRM_TESSERA_MAX_BO_REFS		1024

/**
 * struct drm_tessera_bo_ref - a buffer object a job uses
 *
 * The job holds the buffer until it completes, waits for the buffer's
 * earlier writers (and, with DRM_TESSERA_BO_REF_WRITE, readers), and
 * publishes its fence in the buffer's reservation object: implicit
 * synchronization with other devices and processes sharing it by dma-buf.
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
 * The command buffer is @cmd_size bytes at @cmd_offset in the buffer object
 * @cmd_handle, which the device reads through the file's context when the
 * job runs: do not change it until the job's fence signals (the job holds
 * the buffer until then).  The job goes to queue @queue_id or, when that
 * is 0, to the file's default normal-priority queue of engine @engine.  It
 * runs after every fence it waits on; its fence is installed in every
 * syncobj it signals.
 *
 * Commands are checked by the device, not by the driver: a bad command or
 * an access outside the file's mappings fails the job and makes the
 * context guilty (see struct drm_tessera_context_status).
 *
 * Errors: -EINVAL for non-zero pads, unknown flags, a bad engine (or a
 * non-zero one with a queue), a size that is zero, unaligned, larger than
 * DRM_TESSERA_PARAM_CMD_SIZE_MAX or outside the buffer, a buffer not
 * mapped in the file's context, too many syncs or BOs, bad sync or BO
 * flags, or a wait on a syncobj point without a fence; -ENOENT for a
 * queue, handle or syncobj that the caller does not own; -EFAULT for an
 * unreadable array; -ETIME when a WAIT_FOR_SUBMIT point stays empty;
 * -ECANCELED when the file's context is guilty; -ENODEV when the device
 * is gone.
 */
struct drm_tessera_submit {
	/** @cmd_handle: in, GEM handle of the buffer holding the commands. */
	__u32 cmd_handle;
	/** @flags: in, must be 0. */
	__u32 flags;
	/** @cmd_offset: in, byte offset of the commands in the buffer, 4-aligned. */
	__u64 cmd_offset;
	/** @cmd_size: in, size of the commands in bytes, a multiple of 4. */
	__u32 cmd_size;
	/**
	 * @engine: in, with @queue_id 0: engine index, below
	 * DRM_TESSERA_PARAM_NUM_ENGINES; otherwise must be 0.
	 */
	__u32 engine;
	/**
	 * @in_syncobj: in, binary syncobj whose fence must signal before the
	 * job runs, or 0 for none.
	 */
	__u32 in_syncobj;
	/**
	 * @out_syncobj: in, binary syncobj that receives the job's fence, or
	 * 0 for none.
	 */
	__u32 out_syncobj;
	/** @seqno: out, the job's sequence number, increasing per queue. */
	__u64 seqno;
	/** @queue_id: in, queue from DRM_IOCTL_TESSERA_QUEUE_CREATE, or 0. */
	__u32 queue_id;
	/** @num_syncs: in, entries in @syncs, at most DRM_TESSERA_MAX_SYNCS. */
	__u32 num_syncs;
	/** @syncs: in, pointer to an array of struct drm_tessera_sync. */
	__u64 syncs;
	/** @num_bos: in, entries in @bos, at most DRM_TESSERA_MAX_BO_REFS. */
	__u32 num_bos;
	/** @pad: must be zero. */
	__u32 pad;
	/** @bos: in, pointer to an array of struct drm_tessera_bo_ref. */
	__u64 bos;
};

/* drm_tessera_context_status.flags */
#define DRM_TESSERA_CONTEXT_GUILTY	0x1
/*
 * The context's jobs hung the card three times: it is guilty too, the card
 * no longer runs its descriptors, and its queued jobs fail with -ECANCELED.
 */
#define DRM_TESSERA_CONTEXT_BANNED	0x2

/* drm_tessera_context_status.access */
#define DRM_TESSERA_ACCESS_READ		0
#define DRM_TESSERA_ACCESS_WRITE	1
#define DRM_TESSERA_ACCESS_FETCH	2

/**
 * struct drm_tessera_context_status - has the file's context faulted?
 *
 * Each open file is a context with its own device address space.  When one
 * of its jobs faults (an access outside its mappings, a write to a
 * read-only mapping, a malformed command), that job's fence completes with
 * -EFAULT (memory faults) or -EIO (other errors), its later jobs already
 * queued on that engine with -ECANCELED, and the context becomes guilty:
 * every later submit fails with -ECANCELED.  Other contexts are not
 * affected.  A job that hangs an engine fails with -ETIMEDOUT and does not
 * make its context guilty, but a context whose jobs hang the card three
 * times is banned (DRM_TESSERA_CONTEXT_BANNED, and guilty).  Close and
 * reopen the device to get a fresh context.
 */
struct drm_tessera_context_status {
	/**
	 * @flags: out, DRM_TESSERA_CONTEXT_GUILTY if a job faulted,
	 * with DRM_TESSERA_CONTEXT_BANNED if the context was banned.
	 */
	__u32 flags;
	/** @fault_count: out, faults recorded for the context. */
	__u32 fault_count;
	/**
	 * @fault_code: out, the first fault's hardware error code
	 * (Documentation/hw/programming-guide.rst, e.g. 5 = MMU fault).
	 */
	__u32 fault_code;
	/** @fault_access: out, DRM_TESSERA_ACCESS_* of the first fault. */
	__u32 fault_access;
	/** @fault_va: out, device virtual address of the first fault. */
	__u64 fault_va;
	/** @fault_engine: out, engine of the first fault. */
	__u32 fault_engine;
	/** @pad: must be zero. */
	__u32 pad;
};

/**
 * struct drm_tessera_fence_wait - wait for a syncobj point and get its status
 *
 * Waits until the fence of @point of the syncobj @handle signals, then
 * reports how the job behind it ended: the generic syncobj wait cannot
 * tell, and learning it through a sync_file takes four more system calls.
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
	 * -EFAULT/-EIO it faulted, -ECANCELED its context was guilty or the
	 * device was reset, -ETIMEDOUT it hung, -ENODEV the device is gone.
	 */
	__s32 status;
	/** @pad: must be zero. */
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_TESSERA_ACCEL_H_ */
