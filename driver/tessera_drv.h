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
#include <linux/llist.h>
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
#include "tessera_pgtable.h"
#include "tessera_regs.h"

/**
 * DOC: Locking
 *
 * Each lock's comment says what it protects.  The order, outermost first;
 * a lock not named under another is never taken while holding it:
 *
 * - BO reservations and the VM's reservation object (ww_mutex, all of a
 *   job's at once) -> tessera_queue.submit_lock (arm and push of a job)
 * - tessera_gpuvm.bind_lock (arm and push of a bind job, or applying one
 *   in the ioctl) -> tessera_gpuvm.lock
 * - tessera_device.vms_lock -> tessera_gpuvm.lock (unplug frees every
 *   VM's page tables)
 * - tessera_device.asid_lock -> tessera_device.fault_lock,
 *   tessera_device.mmu_lock (taking an idle VM's ASID back records its
 *   faults and flushes its TLB entries)
 * - tessera_gpuvm.lock -> the buffer's gpuva lock (tessera_bo.gpuva_lock,
 *   or drm_gem_object.gpuva.lock since 7.x: bind ops link and unlink
 *   bindings); neither is held across an allocation, so bind jobs take
 *   them on their fence-signalling path
 * - tessera_ring.fence_lock (irq-safe) -> tessera_device.fault_lock,
 *   tessera_ring.post_lock (irq-safe; a replay posts the pending jobs)
 * - leaves: tessera_bo.lock (released before any unmap),
 *   tessera_device.mmu_lock (register sequence only; dropped between
 *   polls), hbm_lock, tessera_file.wfs_lock, tessera_pt_cache.lock
 *   (taken under tessera_gpuvm.lock when unplug frees tables),
 *   dma_bos_lock (a buffer may be freed under another's reservation)
 * - tessera_device.pci_reset_lock (rwsem) is taken for reading around
 *   register accesses outside the job path, never on a signalling path
 *
 * Fence-signalling paths (run_job, free_job, the timeout handler, the
 * interrupt handlers, device and PCI reset) are annotated with
 * dma_fence_begin_signalling(); they take only the spinlocks above,
 * allocate nothing, and hand teardown to tessera_defer.c.  Register waits
 * on them are bounded by the hardware's reset times.
 */

#define DRIVER_NAME	"tessera"
#define DRIVER_DESC	"Tessera T1 accelerator"
/* The driver version DRM reports; MODULE_VERSION and dkms.conf say the same. */
#define DRIVER_MAJOR	2
#define DRIVER_MINOR	0

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
	 * @post_lock: protects @tail, @next_seqno and the descriptors
	 * between them; taken only in tessera_ring.c, the one place that
	 * posts descriptors (run_job, reset replay, the debugfs ping)
	 */
	spinlock_t post_lock;
	/** @tail: next descriptor index to fill */
	u32 tail;
	/** @next_seqno: seqno of the next descriptor posted */
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
	/** @hw_caps: CAPS register (TESSERA_CAP_*), read at probe */
	u32 hw_caps;
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
	/** @dead_fence_context: fence context of jobs that never reach a ring */
	u64 dead_fence_context;
	/** @dead_fence_seqno: last seqno used on @dead_fence_context */
	atomic64_t dead_fence_seqno;
	/**
	 * @flags: TESSERA_FLAG_*, atomic bit operations; LOST is set once,
	 * when the card stops answering, and never cleared.
	 */
	unsigned long flags;

	/**
	 * @mmu_lock: serializes the TLB invalidation register sequence and
	 * the wait for its completion (the status register reports only the
	 * latest request).  Never held across an allocation.
	 */
	struct mutex mmu_lock;
	/**
	 * @tlb_inv_asid: what MMU_TLB_INV_ASID holds (the last value written),
	 * U32_MAX when unknown (after a reset); under @mmu_lock.  Writing it
	 * only when it changes saves a register write per invalidation.
	 */
	u32 tlb_inv_asid;
	/** @pt_cache: empty page tables kept for reuse (tessera_pgtable.c) */
	struct tessera_pt_cache pt_cache;
	/** @dma_bos_lock: protects @dma_bos */
	struct mutex dma_bos_lock;
	/**
	 * @dma_bos: host-memory buffers DMA-mapped for the card
	 * (tessera_bo.dma_link), whose mappings unplug releases
	 */
	struct list_head dma_bos;
	/** @vms_lock: protects @vms */
	struct mutex vms_lock;
	/** @gpuvms: every live VM (tessera_gpuvm.link), for unplug */
	struct list_head gpuvms;
	/** @asid_ida: allocator of context ids 1..TESSERA_NUM_CONTEXTS-1 */
	struct ida asid_ida;
	/**
	 * @asid_lock: protects @asid_lru and which VM holds which
	 * ASID (tessera_asid.c); held across the TLB flush that takes an
	 * idle VM's ASID back, never on a fence-signalling path
	 */
	struct mutex asid_lock;
	/** @asid_lru: VMs holding an ASID, least recently used first */
	struct list_head asid_lru;
	/** @asid_wq: submits waiting for an ASID */
	wait_queue_head_t asid_wq;
	/** @asid_idle_events: a VM went idle since the waiters last looked */
	atomic_t asid_idle_events;
	/**
	 * @asid_users: ASIDs held by each user's VMs (uid -> xa_mk_value
	 * count), under @asid_lock; CAP_SYS_ADMIN's VMs are not counted
	 */
	struct xarray asid_users;
	/** @ctx_table: the device's context table, one entry per ASID */
	__le64 *ctx_table;
	/** @ctx_table_dma: bus address of @ctx_table */
	dma_addr_t ctx_table_dma;

	/** @fault_lock: protects @faults; taken from interrupt handlers */
	spinlock_t fault_lock;
	/** @faults: what went wrong under each ASID (VM_STATUS merges it per VM) */
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
		/** @faults.hangs: jobs of the context that hung the card */
		u32 hangs;
		/** @faults.banned: the context hung the card too often */
		bool banned;
	} faults[TESSERA_NUM_CONTEXTS];

	/** @injects: debugfs fault-injection files, for QA */
	struct tessera_inject_file {
		/** @injects.tdev: the device */
		struct tessera_device *tdev;
		/** @injects.reg: the fault-injection register the file writes */
		u32 reg;
	} injects[TESSERA_NUM_INJECTS];

	/** @bind_sched: runs every VM's asynchronous binds (tessera_vm.c) */
	struct drm_gpu_scheduler bind_sched;
	/** @bind_sched_ready: @bind_sched was initialized */
	bool bind_sched_ready;
	/** @bind_sched_name: @bind_sched's name, "<pci>-bind" */
	char bind_sched_name[40];

	/** @rings: the rings */
	struct tessera_ring rings[TESSERA_MAX_RINGS];
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
	/**
	 * @wfs_lock: protects @wfs, the deadlines of WAIT_FOR_SUBMIT waits
	 * interrupted by a signal, so that a restarted submit does not start
	 * its wait afresh
	 */
	struct mutex wfs_lock;
	/** @wfs: one slot per interrupted waiter */
	struct tessera_wfs_deadline {
		/** @wfs.pid: the waiting thread, 0 for a free slot */
		pid_t pid;
		/** @wfs.handle: the syncobj it waits on */
		u32 handle;
		/** @wfs.point: the point */
		u64 point;
		/** @wfs.deadline: when its wait ends, ktime */
		ktime_t deadline;
		/** @wfs.interrupted: when the signal interrupted it, ktime */
		ktime_t interrupted;
	} wfs[8];
	/** @stats: usage statistics */
	struct tessera_client_stats *stats;
	/**
	 * @queues: submission queues by id (struct tessera_queue); the
	 * xarray's lock protects it
	 */
	struct xarray queues;
	/**
	 * @vms: VMs by id (struct tessera_gpuvm, one reference each); the
	 * xarray's lock protects it
	 */
	struct xarray vms;
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

/* tessera_defer.c */
struct tessera_job;
struct tessera_fence;
int tessera_defer_init(void);
void tessera_defer_fini(void);
void tessera_defer_job(struct tessera_job *job);
void tessera_defer_fence(struct tessera_fence *fence);
bool tessera_defer_work(struct work_struct *work);

/* tessera_hw.c */
int tessera_hw_init(struct tessera_device *tdev);
void tessera_hw_fini(struct tessera_device *tdev);
int tessera_hw_ring_start(struct tessera_ring *ring, u64 done_seqno);
bool tessera_hw_lost(struct tessera_device *tdev);

/* tessera_mmu.c */
int tessera_mmu_init(struct tessera_device *tdev);
void tessera_mmu_hw_init(struct tessera_device *tdev);
void tessera_mmu_flush_all(struct tessera_device *tdev);
bool tessera_mmu_flush_asid(struct tessera_device *tdev, u32 asid);
bool tessera_mmu_flush_started(struct tessera_device *tdev, u32 asid);
void tessera_ctx_entry_set(struct tessera_device *tdev, u32 asid, u64 root, u64 flags);
void tessera_mmu_invalidate_start(struct tessera_device *tdev, u32 asid);
void tessera_mmu_ctx_disable(struct tessera_device *tdev, u32 asid);

/* tessera_fault.c */
void tessera_ring_check_fault_locked(struct tessera_ring *ring);
void tessera_ring_check_fault(struct tessera_ring *ring);
void tessera_fault_reset(struct tessera_device *tdev, u32 asid);
void tessera_fault_resume(struct tessera_device *tdev, u32 asid);

/* tessera_ring.c */
void tessera_ring_state_init(struct tessera_ring *ring);
u64 tessera_ring_post(struct tessera_ring *ring, struct tessera_desc *desc);
u64 tessera_ring_seqno_next(struct tessera_ring *ring);
u64 tessera_ring_last_seqno(struct tessera_ring *ring);
void tessera_ring_rewind(struct tessera_ring *ring);
void tessera_ring_replay(struct tessera_ring *ring);

/* tessera_irq.c */
int tessera_irq_init(struct tessera_device *tdev);
void tessera_irq_enable(struct tessera_device *tdev);
void tessera_irq_disable(struct tessera_device *tdev);

/* tessera_reset.c */
extern const struct pci_error_handlers tessera_pci_err_handlers;
void tessera_reset_init(struct tessera_device *tdev);
void tessera_hw_watchdog_init(struct tessera_device *tdev);
bool tessera_hw_enter(struct tessera_device *tdev, int *idx);
unsigned int tessera_hw_descriptor_max_ms(void);
bool tessera_reset_device_sync(struct tessera_device *tdev);
void tessera_hw_exit(struct tessera_device *tdev, int idx);

/* tessera_pm.c */
extern const struct dev_pm_ops tessera_pm_ops;
int tessera_pm_get(struct tessera_device *tdev);
void tessera_pm_put(struct tessera_device *tdev);
bool tessera_pm_get_if_awake(struct tessera_device *tdev);
void tessera_pm_init(struct tessera_device *tdev);
void tessera_pm_fini(struct tessera_device *tdev);

/* tessera_devmem.c */
int tessera_devmem_init(struct tessera_device *tdev);
int tessera_devmem_alloc(struct tessera_device *tdev, u64 size, struct list_head *blocks);
void tessera_devmem_free(struct tessera_device *tdev, struct list_head *blocks);

/* tessera_gem.c */
void tessera_show_memory_stats(struct drm_printer *p, struct drm_file *file);
struct drm_gem_object *tessera_gem_create_object(struct drm_device *drm, size_t size);
int tessera_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_bo_info(struct drm_device *drm, void *data, struct drm_file *file);
void tessera_gem_unplug(struct tessera_device *tdev);
void tessera_bo_describe(struct seq_file *m, struct drm_gem_object *obj);
struct mutex *tessera_bo_gpuva_lock(struct drm_gem_object *obj);
struct drm_gem_object *tessera_bo_create_kernel(struct tessera_device *tdev, u64 size,
						bool devmem);
int tessera_bo_bind_prepare(struct drm_gem_object *obj);
int tessera_bo_map_range(struct drm_gem_object *obj, struct tessera_pgtable *pgt,
			 struct tessera_pt_pool *pool, u64 va, u64 offset, u64 size, u64 prot);

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
void tessera_ring_signal(struct tessera_ring *ring);
void tessera_ring_fail_pending(struct tessera_ring *ring, int error);
void tessera_ring_show_pending(struct seq_file *m, struct tessera_ring *ring);

/* tessera_submit.c */
void tessera_queues_init(struct tessera_file *tfile);
void tessera_queues_fini(struct tessera_file *tfile);
int tessera_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);
int tessera_ioctl_fence_wait(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __TESSERA_DRV_H__ */
