// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera T1 accelerator: debugfs (/sys/kernel/debug/accel/<minor>/).
 *
 *   rings   per ring: registers, seqnos and the jobs on the hardware
 *
 * Copyright (C) 2026 The Tessera authors
 */

#include <linux/seq_file.h>
#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>

#include "tessera_drv.h"

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
		if (drm_dev_enter(&tdev->drm, &idx)) {
			seq_printf(m, " head %u tail %u status %#x completed %u",
				   tessera_ring_read(ring, TESSERA_RING_HEAD),
				   tessera_ring_read(ring, TESSERA_RING_TAIL),
				   tessera_ring_read(ring, TESSERA_RING_STATUS),
				   tessera_ring_read(ring, TESSERA_RING_COMPLETED));
			drm_dev_exit(idx);
		} else {
			seq_puts(m, " device gone");
		}
		seq_printf(m, " seqno %llu\n", READ_ONCE(*ring->fence_wb));
		tessera_ring_show_pending(m, ring);
	}
	return 0;
}

/**
 * tessera_debugfs_init - add the driver's debugfs files
 * @tdev: the device, not yet registered
 */
void tessera_debugfs_init(struct tessera_device *tdev)
{
	drm_debugfs_add_file(&tdev->drm, "rings", tessera_debugfs_rings, NULL);
}
