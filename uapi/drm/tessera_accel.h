/* SPDX-License-Identifier: ((GPL-2.0-only WITH Linux-syscall-note) OR MIT) */
/*
 * Tessera T1 accelerator: userspace ABI.
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

#define DRM_IOCTL_TESSERA_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_GET_PARAM, struct drm_tessera_get_param)
#define DRM_IOCTL_TESSERA_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_BO_CREATE, struct drm_tessera_bo_create)
#define DRM_IOCTL_TESSERA_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_BO_INFO, struct drm_tessera_bo_info)
#define DRM_IOCTL_TESSERA_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TESSERA_SUBMIT, struct drm_tessera_submit)

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
 * BO flags.  Host memory (shmem) placement, mapped write-back cached by the
 * CPU, is the only placement so far; flags select future placements.
 */
#define DRM_TESSERA_BO_FLAGS_VALID	0u

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
	/** @flags: in, DRM_TESSERA_BO_* flags; must be 0 for now. */
	__u32 flags;
	/** @handle: out, GEM handle of the new buffer. */
	__u32 handle;
};

/**
 * struct drm_tessera_bo_info - query a buffer object
 */
struct drm_tessera_bo_info {
	/** @handle: in, GEM handle owned by the calling file. */
	__u32 handle;
	/** @flags: out, the flags the buffer was created with. */
	__u32 flags;
	/** @size: out, size in bytes. */
	__u64 size;
	/** @mmap_offset: out, offset to pass to mmap() on the device fd. */
	__u64 mmap_offset;
};

/**
 * struct drm_tessera_submit - queue a command buffer on an engine
 *
 * The command buffer is @cmd_size bytes at @cmd_offset in the buffer object
 * @cmd_handle.  The driver copies and validates it at submit time, so the
 * buffer may be reused as soon as the ioctl returns.  When the job has run,
 * its fence is installed in @out_syncobj (if non-zero).
 *
 * Errors: -EINVAL for non-zero pads, unknown flags, a bad engine, a size
 * that is zero, unaligned, larger than DRM_TESSERA_PARAM_CMD_SIZE_MAX or
 * outside the buffer, or a command the submit path does not accept;
 * -ENOENT for a handle or syncobj that the caller does not own;
 * -ENODEV when the device is gone.
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
	/** @engine: in, engine index, below DRM_TESSERA_PARAM_NUM_ENGINES. */
	__u32 engine;
	/**
	 * @in_syncobj: in, syncobj whose fence must signal before the job
	 * runs, or 0 for none.
	 */
	__u32 in_syncobj;
	/**
	 * @out_syncobj: in, syncobj that receives the job's fence, or 0 for
	 * none.
	 */
	__u32 out_syncobj;
	/** @seqno: out, the job's sequence number, increasing per file and engine. */
	__u64 seqno;
};

/*
 * Command stream.
 *
 * A command buffer is a sequence of commands, each a whole number of 32-bit
 * little-endian dwords.  The first dword of every command is its header:
 *
 *   bits  7:0   opcode (TESSERA_CMD_OP_*)
 *   bits 15:8   flags, per opcode
 *   bits 31:16  length of the command in dwords, header included (>= 1)
 *
 * Documentation/hw/programming-guide.rst defines each command exactly.
 */
#define TESSERA_CMD_HEADER(op, flags, len) \
	((__u32)(op) | ((__u32)(flags) << 8) | ((__u32)(len) << 16))
#define TESSERA_CMD_OPCODE(hdr)		((hdr) & 0xff)
#define TESSERA_CMD_FLAGS(hdr)		(((hdr) >> 8) & 0xff)
#define TESSERA_CMD_LEN(hdr)		(((hdr) >> 16) & 0xffff)

/* NOP: any length >= 1; the dwords after the header are ignored. */
#define TESSERA_CMD_OP_NOP		0x00
/*
 * FENCE: 4 dwords: header, reserved (0), value low, value high.  Writes the
 * 64-bit value to the ring's fence address and raises the ring's interrupt
 * when TESSERA_CMD_FENCE_IRQ is set.  Only the kernel emits FENCE; the submit
 * ioctl rejects command buffers that contain one.
 */
#define TESSERA_CMD_OP_FENCE		0x01
#define   TESSERA_CMD_FENCE_IRQ		0x01
#define   TESSERA_CMD_FENCE_LEN		4

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_DRM_TESSERA_ACCEL_H_ */
