/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef __TESSERA_DRV_H__
#define __TESSERA_DRV_H__

#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_mm.h>
#include <drm/gpu_scheduler.h>

#include "tessera_compat.h"
#include "tessera_regs.h"

#define DRIVER_NAME	"tessera"
#define DRIVER_DESC	"Tessera T1 accelerator"

/* Descriptors per hardware ring. */
#define TESSERA_RING_ENTRIES		256
/* Largest command buffer a submit accepts; the driver appends a FENCE. */
#define TESSERA_CMD_SIZE_MAX		(256 * 1024)

/* Contexts (ASIDs) the driver uses, including the kernel's 0. */
#define TESSERA_NUM_CONTEXTS		256

/* debugfs fault-injection files */
#define TESSERA_NUM_INJECTS		4

/* tessera_device.flags bits */
#define TESSERA_FLAG_LOST		0

struct seq_file;
struct sg_table;
struct tessera_device;
struct tessera_pt;

/**
 * struct tessera_desc - ring descriptor as the device reads it
 */
struct tessera_desc {
	/** @cmd_addr: bus address of the command buffer */
	__le64 cmd_addr;
	/** @cmd_size: bytes of commands */
	__le32 cmd_size;
	/** @flags: zero */
	__le32 flags;
	/** @context: context id, zero */
	__le32 context;
	/** @rsvd: zero */
	__le32 rsvd;
	/** @tag: opaque; the driver stores the job's seqno */
	__le64 tag;
};

static_assert(sizeof(struct tessera_desc) == TESSERA_DESC_SIZE);
static_assert(offsetof(struct tessera_desc, cmd_size) == TESSERA_DESC_CMD_SIZE);
static_assert(offsetof(struct tessera_desc, tag) == TESSERA_DESC_TAG);

/**
 * struct tessera_ring - one hardware ring and the engine behind it
 */
struct tessera_ring {
	/** @tdev: owning device */
	struct tessera_device *tdev;
	/** @id: ring (engine) index */
	u32 id;
	/** @regs: this ring's register block in BAR0 */
	void __iomem *regs;
	/** @name: timeline name, "tessera-<pci>-ring<id>" */
	char name[40];

	/** @desc: descriptor array, TESSERA_RING_ENTRIES entries */
	struct tessera_desc *desc;
	/** @desc_dma: bus address of @desc */
	dma_addr_t desc_dma;
	/**
	 * @fence_wb: the ring's fence writeback, TESSERA_FENCE_WB_SIZE bytes:
	 * [0] the seqno the device writes on FENCE, [1] its context-error
	 * count (hardware 1.2), written before the aborted job's seqno
	 */
	u64 *fence_wb;
	/** @fence_wb_dma: bus address of @fence_wb */
	dma_addr_t fence_wb_dma;

	/**
	 * @tail: next descriptor index to fill.  Only touched from run_job,
	 * which drm_sched serializes per scheduler (its run work item never
	 * runs concurrently with itself), and from reset, which runs with the
	 * scheduler stopped.
	 */
	u32 tail;
	/** @next_seqno: seqno of the next job; same serialization as @tail */
	u64 next_seqno;
	/** @fence_context: dma_fence context of the hardware fences */
	u64 fence_context;

	/**
	 * @fence_lock: protects @pending and is the lock of every hardware
	 * fence of this ring.
	 */
	spinlock_t fence_lock;
	/** @pending: hardware fences of jobs on the ring, oldest first */
	struct list_head pending;
	/** @ping_wq: woken by the ring interrupt, for the debugfs ping */
	wait_queue_head_t ping_wq;

	/** @sched: the ring's scheduler */
	struct drm_gpu_scheduler sched;
	/** @sched_ready: @sched was initialized and must be torn down */
	bool sched_ready;

	/**
	 * @abort_from: per context, the seqno of the job whose fault halted
	 * the context on this ring (0: not halted) and the error for it;
	 * later jobs of the context are cancelled.  Protected by @fence_lock.
	 */
	struct {
		u64 seqno;
		int error;
	} abort_from[TESSERA_NUM_CONTEXTS];
	/**
	 * @faults_seen: the context-error count of @fence_wb when the
	 * syndrome was last consumed.  Protected by @fence_lock.
	 */
	u64 faults_seen;

	/** @engine_class: TESSERA_ENGINE_CLASS_* */
	u32 engine_class;
	/**
	 * @last_done: when the last job on this ring completed; busy time
	 * of a job starts no earlier.  Protected by @fence_lock.
	 */
	ktime_t last_done;
};

/**
 * struct tessera_device - one Tessera card
 */
struct tessera_device {
	/** @drm: DRM device, embedded; owns this struct's lifetime */
	struct drm_device drm;
	/** @pdev: the PCI function */
	struct pci_dev *pdev;
	/** @regs: BAR0 */
	void __iomem *regs;

	/** @hw_version: VERSION register */
	u32 hw_version;
	/** @num_compute: compute engines */
	u32 num_compute;
	/** @num_dma: DMA engines */
	u32 num_dma;
	/** @serial: board serial number */
	u32 serial;
	/** @hbm_size: device memory in bytes */
	u64 hbm_size;
	/** @hbm_bar: bus address of BAR2, the CPU's window on device memory */
	resource_size_t hbm_bar;
	/** @hbm_map: BAR2 mapped write-combined, for clearing new buffers */
	void __iomem *hbm_map;
	/** @hbm_lock: protects @hbm_mm */
	struct mutex hbm_lock;
	/** @hbm_mm: allocator of device memory */
	struct tessera_buddy hbm_mm;
	/** @hbm_ready: @hbm_mm is initialized */
	bool hbm_ready;

	/** @num_rings: rings in use, one per engine */
	u32 num_rings;
	/** @clock_mhz: engine clock, for cycle counts; 0 if unknown */
	u32 clock_mhz;
	/** @engine_resets: engine resets done by the driver */
	atomic_t engine_resets;
	/** @device_resets: whole-device resets done by the driver */
	atomic_t device_resets;
	/**
	 * @reset_wq: ordered; runs every ring's timeout handler and both
	 * halves of a PCI function reset
	 */
	struct workqueue_struct *reset_wq;
	/** @sched_wq: per-CPU, high priority; every ring's run and free work */
	struct workqueue_struct *sched_wq;
	/**
	 * @pci_reset_lock: held for writing from the PCI core's
	 * reset_prepare to its reset_done, while the card does not answer;
	 * held for reading by register accesses outside the job path
	 * (tessera_hw_enter())
	 */
	struct rw_semaphore pci_reset_lock;
	/** @pci_reset_prepare_work: stops the card for a PCI reset, on reset_wq */
	struct work_struct pci_reset_prepare_work;
	/** @pci_reset_done_work: restarts the card after a PCI reset, on reset_wq */
	struct work_struct pci_reset_done_work;
	/** @reset_burst: ring resets since @reset_burst_start (reset_wq only) */
	u32 reset_burst;
	/** @reset_burst_start: start of the current burst window, jiffies */
	unsigned long reset_burst_start;
	/**
	 * @flags: TESSERA_FLAG_*, atomic bit operations; LOST is set once,
	 * when the card stops answering, and never cleared.
	 */
	unsigned long flags;

	/** @mmu_lock: serializes the TLB invalidation register sequence */
	struct mutex mmu_lock;
	/** @asid_ida: allocator of context ids 1..TESSERA_NUM_CONTEXTS-1 */
	struct ida asid_ida;
	/** @ctx_table: the device's context table, one entry per ASID */
	__le64 *ctx_table;
	/** @ctx_table_dma: bus address of @ctx_table */
	dma_addr_t ctx_table_dma;

	/** @fault_lock: protects @faults; taken from interrupt handlers */
	spinlock_t fault_lock;
	/** @faults: what went wrong in each context, for CONTEXT_STATUS */
	struct tessera_ctx_fault {
		/** @faults.count: faults seen; non-zero makes the context guilty */
		u32 count;
		/** @faults.code: TESSERA_ERR_* of the first fault */
		u32 code;
		/** @faults.access: TESSERA_ACCESS_* of the first fault */
		u32 access;
		/** @faults.ring: ring of the first fault */
		u32 ring;
		/** @faults.va: faulting address of the first fault */
		u64 va;
	} faults[TESSERA_NUM_CONTEXTS];

	/** @injects: debugfs fault-injection files, for QA */
	struct tessera_inject_file {
		/** @injects.tdev: the device */
		struct tessera_device *tdev;
		/** @injects.reg: the fault-injection register the file writes */
		u32 reg;
	} injects[TESSERA_NUM_INJECTS];

	/** @rings: the rings */
	struct tessera_ring rings[TESSERA_MAX_RINGS];
};

/**
 * struct tessera_vm - a context: ASID, page tables and VA space
 */
struct tessera_vm {
	/** @ref: held by the file and by each of its buffers */
	struct kref ref;
	/** @tdev: the device */
	struct tessera_device *tdev;
	/** @asid: context id, 1..TESSERA_NUM_CONTEXTS-1 */
	u32 asid;
	/** @lock: protects the page tables and @mm */
	struct mutex lock;
	/** @mm: VA allocator */
	struct drm_mm mm;
	/** @root: top-level page table */
	struct tessera_pt *root;
};

/**
 * struct tessera_client_stats - per-client usage, for DRM fdinfo
 *
 * Referenced by the file and by each of its jobs, so that jobs still on the
 * hardware after the file is closed can account their time.
 */
struct tessera_client_stats {
	/** @ref: reference count */
	struct kref ref;
	/** @busy_ns: time the client's jobs kept each ring busy */
	atomic64_t busy_ns[TESSERA_MAX_RINGS];
};

/**
 * struct tessera_file - per-open-file state: a context
 */
struct tessera_file {
	/** @tdev: the device */
	struct tessera_device *tdev;
	/** @entity: one scheduler entity per ring */
	struct drm_sched_entity entity[TESSERA_MAX_RINGS];
	/** @num_entities: initialized entries of @entity */
	u32 num_entities;
	/** @stats: usage statistics */
	struct tessera_client_stats *stats;
	/** @queues: submission queues by id; the xarray's lock protects it */
	struct xarray queues;
	/** @vm: the file's context */
	struct tessera_vm *vm;
};

static inline struct tessera_device *to_tessera(struct drm_device *drm)
{
	return container_of(drm, struct tessera_device, drm);
}

static inline u32 tessera_read(struct tessera_device *tdev, u32 reg)
{
	return readl(tdev->regs + reg);
}

static inline void tessera_write(struct tessera_device *tdev, u32 reg, u32 val)
{
	writel(val, tdev->regs + reg);
}

static inline u32 tessera_ring_read(struct tessera_ring *ring, u32 reg)
{
	return readl(ring->regs + reg);
}

static inline void tessera_ring_write(struct tessera_ring *ring, u32 reg, u32 val)
{
	writel(val, ring->regs + reg);
}

/*
 * Hardware 1.2: a TAIL write also rings the doorbell, and the fence
 * writeback carries the ring's context-error count, so completions need
 * no register access (Documentation/hw/programming-guide.rst).
 */
static inline bool tessera_hw_1_2(const struct tessera_device *tdev)
{
	return tdev->hw_version >= TESSERA_HW_VERSION(1, 2);
}

/*
 * Hand the descriptors up to @ring->tail to the engine: one register
 * write on hardware 1.2 (each MMIO write is a round trip to the device
 * under emulation), TAIL then DOORBELL before.  The caller orders its
 * descriptor writes before this (writel implies the barrier).
 */
static inline void tessera_ring_kick(struct tessera_ring *ring)
{
	tessera_ring_write(ring, TESSERA_RING_TAIL, ring->tail);
	if (!tessera_hw_1_2(ring->tdev))
		tessera_ring_write(ring, TESSERA_RING_DOORBELL, 1);
}

/* tessera_hw.c */
int tessera_hw_init(struct tessera_device *tdev);
void tessera_hw_fini(struct tessera_device *tdev);
void tessera_hw_ring_start(struct tessera_ring *ring, u64 done_seqno);
bool tessera_hw_lost(struct tessera_device *tdev);

/* tessera_mmu.c */
int tessera_mmu_init(struct tessera_device *tdev);
void tessera_mmu_hw_init(struct tessera_device *tdev);
void tessera_mmu_flush_all(struct tessera_device *tdev);
struct tessera_vm *tessera_vm_create(struct tessera_device *tdev);
void tessera_vm_put(struct tessera_vm *vm);
int tessera_vm_alloc_va(struct tessera_vm *vm, struct drm_mm_node *node, u64 size);
void tessera_vm_free_va(struct tessera_vm *vm, struct drm_mm_node *node);
int tessera_vm_map_sgt(struct tessera_vm *vm, u64 va, struct sg_table *sgt, u64 prot);
int tessera_vm_map_devmem(struct tessera_vm *vm, u64 va, struct list_head *blocks, u64 prot);
void tessera_vm_unmap(struct tessera_vm *vm, u64 va, u64 size);

/* tessera_irq.c */
int tessera_irq_init(struct tessera_device *tdev);
void tessera_irq_enable(struct tessera_device *tdev);
void tessera_irq_disable(struct tessera_device *tdev);

/* tessera_reset.c */
extern const struct pci_error_handlers tessera_pci_err_handlers;
void tessera_reset_init(struct tessera_device *tdev);
void tessera_hw_watchdog_init(struct tessera_device *tdev);
bool tessera_hw_enter(struct tessera_device *tdev, int *idx);
void tessera_hw_exit(struct tessera_device *tdev, int idx);

/* tessera_pm.c */
extern const struct dev_pm_ops tessera_pm_ops;
int tessera_pm_get(struct tessera_device *tdev);
void tessera_pm_put(struct tessera_device *tdev);
bool tessera_pm_get_if_awake(struct tessera_device *tdev);
void tessera_pm_init(struct tessera_device *tdev);
void tessera_pm_fini(struct tessera_device *tdev);

/* tessera_gem.c */
int tessera_hbm_init(struct tessera_device *tdev);
void tessera_show_memory_stats(struct drm_printer *p, struct drm_file *file);
void tessera_vm_show(struct seq_file *m, struct tessera_vm *vm);
struct drm_gem_object *tessera_gem_create_object(struct drm_device *drm, size_t size);
int tessera_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_bo_va(struct drm_gem_object *obj, struct tessera_vm *vm, u64 *va);

/* tessera_sysfs.c */
int tessera_sysfs_init(struct tessera_device *tdev);

/* tessera_debugfs.c */
void tessera_debugfs_init(struct tessera_device *tdev);
void tessera_debugfs_init_late(struct tessera_device *tdev);

/* tessera_job.c */
struct tessera_client_stats *tessera_client_stats_alloc(void);
void tessera_client_stats_put(struct tessera_client_stats *stats);
int tessera_sched_init(struct tessera_device *tdev);
void tessera_sched_fini(struct tessera_device *tdev);
int tessera_file_sched_init(struct tessera_file *tfile);
void tessera_file_sched_fini(struct tessera_file *tfile);
void tessera_ring_signal(struct tessera_ring *ring);
void tessera_ring_fail_pending(struct tessera_ring *ring, int error);
void tessera_ring_show_pending(struct seq_file *m, struct tessera_ring *ring);
void tessera_ring_check_fault(struct tessera_ring *ring);
void tessera_fault_reset(struct tessera_device *tdev, u32 asid);
void tessera_fault_resume(struct tessera_device *tdev, u32 asid);

/* tessera_submit.c */
void tessera_queues_init(struct tessera_file *tfile);
void tessera_queues_fini(struct tessera_file *tfile);
int tessera_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_fence_wait(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __TESSERA_DRV_H__ */
