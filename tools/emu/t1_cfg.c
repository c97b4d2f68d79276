// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 PCI configuration space: a type 0 header, a PCI Express endpoint
 * capability (function level reset capable) and an MSI-X capability, in
 * 4 KiB of extended config space with no extended capabilities.  Bits
 * outside the write mask are read-only.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <string.h>

#include <linux/pci_regs.h>

#include "t1.h"
#include "tessera_regs.h"

/* Store @val (little endian) at @off with write mask @wmask. */
static void cfg_set(struct t1_cfg *c, uint32_t off, unsigned int size,
		    uint32_t val, uint32_t wmask)
{
	for (unsigned int i = 0; i < size; i++) {
		c->b[off + i] = val >> (8 * i);
		c->wmask[off + i] = wmask >> (8 * i);
	}
}

static void cfg_init_header(struct t1_cfg *c, uint64_t hbm_size)
{
	cfg_set(c, PCI_VENDOR_ID, 2, TESSERA_PCI_VENDOR_ID, 0);
	cfg_set(c, PCI_DEVICE_ID, 2, TESSERA_PCI_DEVICE_ID, 0);
	cfg_set(c, PCI_COMMAND, 2, 0,
		PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	cfg_set(c, PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0);
	cfg_set(c, PCI_REVISION_ID, 1, TESSERA_PCI_REVISION, 0);
	cfg_set(c, PCI_CLASS_PROG, 3, TESSERA_PCI_CLASS, 0);
	cfg_set(c, PCI_CACHE_LINE_SIZE, 1, 0, 0xff);
	cfg_set(c, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL, 0);
	/* BAR0: 32-bit non-prefetchable memory; low bits of the size read 0. */
	cfg_set(c, PCI_BASE_ADDRESS_0, 4,
		PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_32,
		~(uint32_t)(TESSERA_BAR0_SIZE - 1));
	/* BAR2/3: 64-bit prefetchable memory, the device memory. */
	cfg_set(c, PCI_BASE_ADDRESS_2, 4,
		PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64 |
		PCI_BASE_ADDRESS_MEM_PREFETCH,
		(uint32_t)~(hbm_size - 1) & ~0xfu);
	cfg_set(c, PCI_BASE_ADDRESS_3, 4, 0, (uint32_t)(~(hbm_size - 1) >> 32));
	cfg_set(c, PCI_SUBSYSTEM_VENDOR_ID, 2, TESSERA_PCI_SUBSYS_VENDOR_ID, 0);
	cfg_set(c, PCI_SUBSYSTEM_ID, 2, TESSERA_PCI_SUBSYS_ID, 0);
	cfg_set(c, PCI_CAPABILITY_LIST, 1, T1_CAP_EXP, 0);
	cfg_set(c, PCI_INTERRUPT_LINE, 1, 0, 0xff);
	cfg_set(c, PCI_INTERRUPT_PIN, 1, 0, 0);		/* no INTx */
}

static void cfg_init_pcie(struct t1_cfg *c)
{
	const uint32_t p = T1_CAP_EXP;

	cfg_set(c, p + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP, 0);
	cfg_set(c, p + PCI_CAP_LIST_NEXT, 1, T1_CAP_MSIX, 0);
	cfg_set(c, p + PCI_EXP_FLAGS, 2, 2 | (PCI_EXP_TYPE_ENDPOINT << 4), 0);
	cfg_set(c, p + PCI_EXP_DEVCAP, 4,
		PCI_EXP_DEVCAP_RBER | PCI_EXP_DEVCAP_FLR, 0);
	/*
	 * Relaxed ordering and no-snoop enabled, 512-byte read requests.
	 * Bit 15, Initiate Function Level Reset, is not stored (it reads 0):
	 * t1_cfg_access() acts on a write of it.
	 */
	cfg_set(c, p + PCI_EXP_DEVCTL, 2, 0x2810, 0x7fff);
	/* 8 GT/s x16 */
	cfg_set(c, p + PCI_EXP_LNKCAP, 4, 0x0103, 0);
	cfg_set(c, p + PCI_EXP_LNKCTL, 2, 0,
		PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_RCB |
		PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES);
	cfg_set(c, p + PCI_EXP_LNKSTA, 2, 0x0103, 0);
	cfg_set(c, p + PCI_EXP_LNKCAP2, 4, 0x0e, 0);
	cfg_set(c, p + PCI_EXP_LNKCTL2, 2, 3, 0x000f);
}

static void cfg_init_msix(struct t1_cfg *c, unsigned int vectors)
{
	const uint32_t p = T1_CAP_MSIX;

	cfg_set(c, p + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX, 0);
	cfg_set(c, p + PCI_CAP_LIST_NEXT, 1, T1_CAP_PM, 0);
	cfg_set(c, p + PCI_MSIX_FLAGS, 2, vectors - 1,
		PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	cfg_set(c, p + PCI_MSIX_TABLE, 4,
		TESSERA_MSIX_TABLE_OFFSET | TESSERA_BAR_REGS, 0);
	cfg_set(c, p + PCI_MSIX_PBA, 4,
		TESSERA_MSIX_PBA_OFFSET | TESSERA_BAR_REGS, 0);
}

/*
 * Power management, version 3: D0 and D3hot only, no PME.  No_Soft_Reset
 * is set: D3hot -> D0 keeps every register, so software need not
 * re-initialise the card.  t1_cfg_access() applies PowerState writes.
 */
static void cfg_init_pm(struct t1_cfg *c)
{
	const uint32_t p = T1_CAP_PM;

	cfg_set(c, p + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_PM, 0);
	cfg_set(c, p + PCI_CAP_LIST_NEXT, 1, 0, 0);
	cfg_set(c, p + PCI_PM_PMC, 2, 3, 0);
	cfg_set(c, p + PCI_PM_CTRL, 2, PCI_PM_CTRL_NO_SOFT_RESET,
		PCI_PM_CTRL_STATE_MASK);
}

void t1_cfg_init(struct t1_cfg *c, unsigned int msix_vectors,
		 uint64_t hbm_size)
{
	memset(c, 0, sizeof(*c));
	cfg_init_header(c, hbm_size);
	cfg_init_pcie(c);
	cfg_init_msix(c, msix_vectors);
	cfg_init_pm(c);
}

unsigned int t1_cfg_power_state(const struct t1_cfg *c)
{
	return c->b[T1_CAP_PM + PCI_PM_CTRL] & PCI_PM_CTRL_STATE_MASK;
}

void t1_cfg_set_power_state(struct t1_cfg *c, unsigned int state)
{
	uint8_t *b = &c->b[T1_CAP_PM + PCI_PM_CTRL];

	*b = (*b & ~PCI_PM_CTRL_STATE_MASK) | (state & PCI_PM_CTRL_STATE_MASK);
}

void t1_cfg_read(const struct t1_cfg *c, uint32_t off, void *buf,
		 uint32_t len)
{
	memcpy(buf, &c->b[off], len);
}

void t1_cfg_write(struct t1_cfg *c, uint32_t off, const void *buf,
		  uint32_t len)
{
	const uint8_t *v = buf;

	for (uint32_t i = 0; i < len; i++) {
		uint8_t m = c->wmask[off + i];

		c->b[off + i] = (c->b[off + i] & ~m) | (v[i] & m);
	}
}

bool t1_cfg_is_flr(uint32_t off, const void *buf, uint32_t len)
{
	/* The high byte of Device Control holds Initiate FLR (bit 15). */
	const uint32_t hi = T1_CAP_EXP + PCI_EXP_DEVCTL + 1;

	if (off > hi || len <= hi - off)
		return false;
	return ((const uint8_t *)buf)[hi - off] & (PCI_EXP_DEVCTL_BCR_FLR >> 8);
}
