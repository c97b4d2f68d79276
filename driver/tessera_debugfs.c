// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: debugfs (/sys/kernel/debug/accel/<PCI address>/).
 *
 *   rings              per ring: registers, seqnos and the jobs on the hardware
 *   contexts           per open file: its context, faults and mapped buffers
 *   vm_selftest        (read) binds and unbinds buffers in a scratch VM
 *                      through the VM core (tessera_vm.c) and checks the
 *                      page tables and references; KTAP-style lines
 *   ping               (read) the raw round trip of ring 0, with no scheduler:
 *                      doorbell to interrupt of a one-NOP descriptor, the
 *                      floor that accel-bench compares jobs against
 *   inject_hang        (write a ring index) that engine hangs at its next job
 *   inject_fault       (write a ring index) its next memory access faults
 *   inject_ecc         (write 1) a corrected, (2) an uncorrectable ECC error
 *   inject_reset_fail  (write a ring index) its next reset fails; 65535:
 *                      the next device reset fails
 *
 * The inject_* files exist only when the card allows fault injection (the
 * emulator's --allow-fault-injection); they are for QA.
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/sort.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>

#include "tessera_drv.h"
#include "tessera_vm.h"
#include <drm/tessera_accel.h>

#define TESSERA_PINGS	200

static int tessera_debugfs_rings(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct tessera_device *tdev = to_tessera(entry->dev);
	u32 i;

	for (i = 0; i < tdev->num_rings; i++) {
		struct tessera_ring *ring = &tdev->rings[i];
		int idx;

		seq_printf(m, "ring %u (%s):", ring->id,
			   ring->engine_class == TESSERA_ENGINE_CLASS_DMA ? "dma" : "compute");
		if (tessera_hw_enter(tdev, &idx)) {
			seq_printf(m, " head %u tail %u status %#x completed %u",
				   tessera_ring_read(ring, TESSERA_RING_HEAD),
				   tessera_ring_read(ring, TESSERA_RING_TAIL),
				   tessera_ring_read(ring, TESSERA_RING_STATUS),
				   tessera_ring_read(ring, TESSERA_RING_COMPLETED));
			tessera_hw_exit(tdev, idx);
		} else {
			seq_puts(m, " device gone");
		}
		seq_printf(m, " seqno %llu\n", READ_ONCE(ring->fence_wb[0]));
		tessera_ring_show_pending(m, ring);
	}
	return 0;
}

static int tessera_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Post one-NOP descriptors in the kernel's context straight to the ring,
 * with the ring's scheduler paused, and time doorbell to interrupt.
 */
static int tessera_debugfs_ring_ping(struct tessera_ring *ring, u64 *lat, u32 count)
{
	struct device *dev = &ring->tdev->pdev->dev;
	dma_addr_t nop_dma;
	__le32 *nop;
	int ret = 0;
	u32 i;

	nop = dma_alloc_coherent(dev, SZ_4K, &nop_dma, GFP_KERNEL);
	if (!nop)
		return -ENOMEM;
	nop[0] = cpu_to_le32(TESSERA_HW_CMD_NOP1);

	drm_sched_wqueue_stop(&ring->sched);
	if (!wait_event_timeout(ring->ping_wq, list_empty_careful(&ring->pending), 10 * HZ)) {
		ret = -EBUSY;
		goto out;
	}
	for (i = 0; i < count; i++) {
		struct tessera_desc desc = {
			.cmd_addr = cpu_to_le64(nop_dma),
			.cmd_size = cpu_to_le32(4),
			.flags = cpu_to_le32(TESSERA_DESC_FLAG_FENCE | TESSERA_DESC_FLAG_IRQ),
		};
		ktime_t t0 = ktime_get();
		u64 seqno = tessera_ring_post(ring, &desc);

		if (!wait_event_timeout(ring->ping_wq, READ_ONCE(ring->fence_wb[0]) >= seqno, HZ)) {
			ret = -ETIMEDOUT;
			break;
		}
		lat[i] = ktime_to_ns(ktime_sub(ktime_get(), t0));
	}
out:
	drm_sched_wqueue_start(&ring->sched);
	dma_free_coherent(dev, SZ_4K, nop, nop_dma);
	return ret;
}

static int tessera_debugfs_ping(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct tessera_device *tdev = to_tessera(entry->dev);
	u64 *lat;
	int ret, idx;

	lat = kcalloc(TESSERA_PINGS, sizeof(*lat), GFP_KERNEL);
	if (!lat)
		return -ENOMEM;
	/* Also keeps a PCI reset from stopping the scheduler under the ping. */
	if (!tessera_hw_enter(tdev, &idx)) {
		kfree(lat);
		return -ENODEV;
	}
	ret = tessera_debugfs_ring_ping(&tdev->rings[0], lat, TESSERA_PINGS);
	tessera_hw_exit(tdev, idx);
	if (!ret) {
		sort(lat, TESSERA_PINGS, sizeof(*lat), tessera_cmp_u64, NULL);
		seq_printf(m, "ring 0: %u pings, min %llu ns, p50 %llu ns, p99 %llu ns\n",
			   TESSERA_PINGS, lat[0], lat[TESSERA_PINGS / 2],
			   lat[TESSERA_PINGS * 99 / 100]);
	}
	kfree(lat);
	return ret;
}

static const struct {
	const char *name;
	u32 reg;
} tessera_injects[TESSERA_NUM_INJECTS] = {
	{ "inject_hang", TESSERA_REG_FI_HANG },
	{ "inject_fault", TESSERA_REG_FI_FAULT },
	{ "inject_ecc", TESSERA_REG_FI_ECC },
	{ "inject_reset_fail", TESSERA_REG_FI_RESET_FAIL },
};

static ssize_t tessera_inject_write(struct file *f, const char __user *buf, size_t len,
				    loff_t *pos)
{
	const struct tessera_inject_file *inj = f->private_data;
	struct tessera_device *tdev = inj->tdev;
	u32 val;
	int ret, idx;

	ret = kstrtou32_from_user(buf, len, 0, &val);
	if (ret)
		return ret;
	if (!tessera_hw_enter(tdev, &idx))
		return -ENODEV;
	tessera_write(tdev, inj->reg, val);
	tessera_hw_exit(tdev, idx);
	return len;
}

static const struct file_operations tessera_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = tessera_inject_write,
	.llseek = noop_llseek,
};

/**
 * tessera_debugfs_init_late - add the fault-injection files
 * @tdev: the device, registered
 */
void tessera_debugfs_init_late(struct tessera_device *tdev)
{
	struct dentry *root = tdev->drm.debugfs_root;
	u32 i;

	if (!root || !(tdev->hw_caps & TESSERA_CAP_FAULT_INJECT))
		return;
	for (i = 0; i < ARRAY_SIZE(tessera_injects); i++) {
		tdev->injects[i].tdev = tdev;
		tdev->injects[i].reg = tessera_injects[i].reg;
		debugfs_create_file(tessera_injects[i].name, 0200, root, &tdev->injects[i],
				    &tessera_inject_fops);
	}
}

static int tessera_debugfs_contexts(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;
	struct tessera_device *tdev = to_tessera(entry->dev);
	struct drm_file *file;

	mutex_lock(&tdev->drm.filelist_mutex);
	list_for_each_entry(file, &tdev->drm.filelist, lhead) {
		struct tessera_file *tfile = file->driver_priv;
		struct pid *pid;

		if (!tfile)
			continue;
		rcu_read_lock();
		pid = rcu_dereference(file->pid);
		seq_printf(m, "client %llu pid %d\n", file->client_id, pid_vnr(pid));
		rcu_read_unlock();
		tessera_file_vms_show(m, tfile);
	}
	mutex_unlock(&tdev->drm.filelist_mutex);
	return 0;
}

static int tessera_debugfs_vm_selftest(struct seq_file *m, void *unused)
{
	struct drm_debugfs_entry *entry = m->private;

	tessera_vm_selftest(to_tessera(entry->dev), m);
	return 0;
}

/**
 * tessera_debugfs_init - add the driver's debugfs files
 * @tdev: the device, not yet registered
 */
void tessera_debugfs_init(struct tessera_device *tdev)
{
	drm_debugfs_add_file(&tdev->drm, "rings", tessera_debugfs_rings, NULL);
	drm_debugfs_add_file(&tdev->drm, "ping", tessera_debugfs_ping, NULL);
	drm_debugfs_add_file(&tdev->drm, "contexts", tessera_debugfs_contexts, NULL);
	drm_debugfs_add_file(&tdev->drm, "vm_selftest", tessera_debugfs_vm_selftest, NULL);
}
