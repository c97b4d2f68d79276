// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Glue between the vfio-user server (vfu) and the T1 device model.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <string.h>

#include "emu.h"
#include "tessera_regs.h"

static void emu_dma_hold(void *opaque)
{
	struct emu *emu = opaque;

	vfu_dma_hold(emu->vfu);
}

static void emu_dma_release(void *opaque)
{
	struct emu *emu = opaque;

	vfu_dma_release(emu->vfu);
}

static void *emu_dma_ptr(void *opaque, uint64_t addr, uint64_t *len,
			 bool write)
{
	struct emu *emu = opaque;

	if (atomic_load(&emu->gone))
		return NULL;
	return vfu_dma_ptr(emu->vfu, addr, len, write);
}

static void emu_irq(void *opaque, unsigned int vector)
{
	struct emu *emu = opaque;

	/* -ENOENT (no eventfd set) just means the message goes nowhere. */
	if (!atomic_load(&emu->gone))
		vfu_irq_trigger(emu->vfu, vector);
}

static int emu_access(void *opaque, unsigned int region, uint64_t off,
		      void *buf, uint32_t len, bool write)
{
	struct emu *emu = opaque;
	struct t1 *t1 = emu->t1;

	if (atomic_load(&emu->gone)) {
		/* A PCIe read of a missing device completes with all ones. */
		if (!write)
			memset(buf, 0xff, len);
		return 0;
	}

	switch (region) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return t1_cfg_access(t1, off, buf, len, write);
	case VFIO_PCI_BAR0_REGION_INDEX:
		return t1_bar0_access(t1, off, buf, len, write);
	case VFIO_PCI_BAR2_REGION_INDEX:
		return t1_bar2_access(t1, off, buf, len, write);
	default:
		return -EINVAL;
	}
}

static void emu_reset(void *opaque)
{
	struct emu *emu = opaque;

	t1_reset(emu->t1);
}

void emu_vanish(struct emu *emu)
{
	atomic_store(&emu->gone, true);
}

int emu_init(struct emu *emu, const struct t1_config *cfg, bool verbose)
{
	struct vfu_device dev = {
		.region_size = {
			[VFIO_PCI_BAR0_REGION_INDEX] = TESSERA_BAR0_SIZE,
			[VFIO_PCI_CONFIG_REGION_INDEX] = T1_CFG_SIZE,
		},
		.access = emu_access,
		.reset = emu_reset,
	};
	struct t1_host_ops ops = {
		.dma_hold = emu_dma_hold,
		.dma_release = emu_dma_release,
		.dma_ptr = emu_dma_ptr,
		.irq = emu_irq,
	};

	atomic_init(&emu->gone, false);
	emu->vfu = vfu_create();
	if (!emu->vfu)
		return -ENOMEM;
	vfu_set_verbose(emu->vfu, verbose);
	ops.opaque = emu;
	emu->t1 = t1_create(cfg, &ops);
	if (!emu->t1) {
		vfu_destroy(emu->vfu);
		return -EINVAL;
	}
	dev.msix_count = t1_msix_count(emu->t1);
	dev.region_size[VFIO_PCI_BAR2_REGION_INDEX] = t1_hbm_size(emu->t1);
	dev.region_fd1[VFIO_PCI_BAR2_REGION_INDEX] = t1_hbm_fd(emu->t1) + 1;
	dev.opaque = emu;
	vfu_set_device(emu->vfu, &dev);
	return 0;
}

void emu_fini(struct emu *emu)
{
	/* Engines first: they may still be using the DMA space. */
	t1_destroy(emu->t1);
	vfu_destroy(emu->vfu);
	emu->t1 = NULL;
	emu->vfu = NULL;
}
