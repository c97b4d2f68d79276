/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * vfu: a small vfio-user server library.
 *
 * Written from the protocol specification (QEMU docs/interop/vfio-user.rst).
 * It serves one PCI device to one client at a time over a UNIX socket:
 * version negotiation, DMA maps (mmap'ed from the fds the client passes),
 * device/region/IRQ info, region reads and writes dispatched to a device
 * callback, MSI-X eventfds, and device reset.
 *
 * Threading: vfu_run() runs on one thread (the "socket thread") and calls
 * the device's callbacks from it.  vfu_dma_read(), vfu_dma_write() and
 * vfu_irq_trigger() may be called from any thread at any time.
 *
 * All functions that can fail return 0 (or a count) on success and a
 * negative errno on failure.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_VFU_H
#define TESSERA_VFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

/* Wire protocol constants (vfio-user specification). */
#define VFU_PROTO_MAJOR			0
#define VFU_PROTO_MINOR			0

#define VFU_CMD_VERSION			1
#define VFU_CMD_DMA_MAP			2
#define VFU_CMD_DMA_UNMAP		3
#define VFU_CMD_DEVICE_GET_INFO		4
#define VFU_CMD_DEVICE_GET_REGION_INFO	5
#define VFU_CMD_DEVICE_GET_REGION_IO_FDS 6
#define VFU_CMD_DEVICE_GET_IRQ_INFO	7
#define VFU_CMD_DEVICE_SET_IRQS		8
#define VFU_CMD_REGION_READ		9
#define VFU_CMD_REGION_WRITE		10
#define VFU_CMD_DMA_READ		11
#define VFU_CMD_DMA_WRITE		12
#define VFU_CMD_DEVICE_RESET		13
#define VFU_CMD_REGION_WRITE_MULTI	15

#define VFU_FLAG_TYPE_MASK		0xf
#define VFU_FLAG_TYPE_COMMAND		0x0
#define VFU_FLAG_TYPE_REPLY		0x1
#define VFU_FLAG_NO_REPLY		(1u << 4)
#define VFU_FLAG_ERROR			(1u << 5)

/* Limits this server advertises in its VERSION reply. */
#define VFU_MAX_MSG_FDS			8
#define VFU_MAX_DATA_XFER		(1u << 20)
#define VFU_PGSIZES			4096u
#define VFU_MAX_DMA_MAPS		1024u
/* Largest message accepted: a REGION_WRITE of VFU_MAX_DATA_XFER bytes. */
#define VFU_MAX_MSG_SIZE		(VFU_MAX_DATA_XFER + 64)

/* Region indices and IRQ types are those of vfio-pci (linux/vfio.h). */
#define VFU_NUM_REGIONS			VFIO_PCI_NUM_REGIONS
/* INTx, MSI and MSI-X: QEMU needs at least MSIX + 1; ERR/REQ not offered. */
#define VFU_NUM_IRQS			(VFIO_PCI_MSIX_IRQ_INDEX + 1)

/* Message header, in host byte order. */
struct vfu_hdr {
	uint16_t msg_id;
	uint16_t cmd;
	uint32_t size;		/* whole message, header included */
	uint32_t flags;
	uint32_t error;		/* errno, in replies with VFU_FLAG_ERROR */
};

/*
 * The emulated device.  @access reads or writes @len bytes at @off in
 * region @region; vfu has checked that the range lies inside the region.
 * @reset is called for VFIO_USER_DEVICE_RESET and when a client goes away.
 * Both run on the socket thread.
 */
struct vfu_device {
	uint64_t region_size[VFU_NUM_REGIONS];	/* 0: region absent */
	/*
	 * A region with an fd >= 0 is also mappable: GET_REGION_INFO
	 * reports VFIO_REGION_INFO_FLAG_MMAP and passes the fd, the whole
	 * region at offset 0 of it.  0 means "no fd" (so a zeroed struct
	 * has none); real fds are stored plus one.
	 */
	int region_fd1[VFU_NUM_REGIONS];
	unsigned int msix_count;		/* MSI-X vectors */
	int (*access)(void *opaque, unsigned int region, uint64_t off,
		      void *buf, uint32_t len, bool write);
	void (*reset)(void *opaque);
	void *opaque;
};

/* DMA map permissions (same bits as VFIO_DMA_MAP_FLAG_READ/WRITE). */
#define VFU_DMA_READ			VFIO_DMA_MAP_FLAG_READ
#define VFU_DMA_WRITE			VFIO_DMA_MAP_FLAG_WRITE

struct vfu_ctx;

struct vfu_ctx *vfu_create(void);
void vfu_destroy(struct vfu_ctx *ctx);
void vfu_set_device(struct vfu_ctx *ctx, const struct vfu_device *dev);
void vfu_set_verbose(struct vfu_ctx *ctx, bool verbose);

/* Bind and listen on @path, replacing a stale socket file. */
int vfu_listen(struct vfu_ctx *ctx, const char *path);
/*
 * Serve clients, one at a time, until @stop_fd (if >= 0) becomes readable
 * or, with @once, until the first client disconnects.  Returns 0 or a
 * negative errno for a failure of the listening socket.
 */
int vfu_run(struct vfu_ctx *ctx, int stop_fd, bool once);

/*
 * Serve the client already connected on @fd (vfu takes it over) until it
 * goes away, as vfu_run() serves each accepted connection, cleanup and
 * device reset included.  For tests and fuzzers that talk to the server
 * over a socketpair.  Returns 0.
 */
int vfu_serve_fd(struct vfu_ctx *ctx, int fd);

/*
 * DMA space.  The socket thread maintains it from DMA_MAP/DMA_UNMAP; the
 * functions are public so that tests can build a DMA space directly.
 * vfu_dma_map() takes ownership of @fd (which may be -1: the range is
 * recorded but inaccessible).
 */
int vfu_dma_map(struct vfu_ctx *ctx, uint64_t iova, uint64_t size, int fd,
		uint64_t offset, uint32_t prot);
int vfu_dma_unmap(struct vfu_ctx *ctx, uint64_t iova, uint64_t size);
void vfu_dma_unmap_all(struct vfu_ctx *ctx);
/* -EFAULT unless [addr, addr + len) is entirely mapped, fd-backed, allowed. */
int vfu_dma_read(struct vfu_ctx *ctx, uint64_t addr, void *buf, size_t len);
int vfu_dma_write(struct vfu_ctx *ctx, uint64_t addr, const void *buf,
		  size_t len);

/*
 * Zero-copy DMA for engines: between vfu_dma_hold() and vfu_dma_release()
 * (a shared hold of the DMA space; never nest holds in one thread), the
 * pointers vfu_dma_ptr() returns stay valid.  vfu_dma_ptr() returns the
 * host address of @addr and sets *len to the bytes mapped contiguously
 * from there (at most *len on entry), or NULL if @addr is not mapped with
 * the permission asked for.
 */
void vfu_dma_hold(struct vfu_ctx *ctx);
void vfu_dma_release(struct vfu_ctx *ctx);
void *vfu_dma_ptr(struct vfu_ctx *ctx, uint64_t addr, uint64_t *len,
		  bool write);

/* Signal MSI-X @vector's eventfd, if the client set one. */
int vfu_irq_trigger(struct vfu_ctx *ctx, unsigned int vector);

#endif /* TESSERA_VFU_H */
