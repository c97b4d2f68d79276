/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Tessera T1 hardware interface: PCI identity, BAR0 register map, ring
 * descriptors and interrupt layout.
 *
 * Documentation/hw/programming-guide.rst is the normative description of
 * every field below.  This header is shared, unchanged, by the kernel driver
 * and by the emulated card (tools/emu), so it uses only preprocessor
 * constants: no kernel or libc types.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_REGS_H
#define TESSERA_REGS_H

#ifdef __KERNEL__
#include <linux/bits.h>
#elif !defined(BIT)
#define BIT(n)				(1u << (n))
#endif

/* PCI identity */
#define TESSERA_PCI_VENDOR_ID		0x1234
#define TESSERA_PCI_DEVICE_ID		0x7e51
#define TESSERA_PCI_CLASS		0x120000	/* processing accelerator */
#define TESSERA_PCI_REVISION		0x01
#define TESSERA_PCI_SUBSYS_VENDOR_ID	0x1234
#define TESSERA_PCI_SUBSYS_ID		0x0001

#define TESSERA_BAR_REGS		0		/* BAR0: registers */
#define TESSERA_BAR0_SIZE		0x10000		/* 64 KiB */
#define TESSERA_MSIX_TABLE_OFFSET	0xc000		/* in BAR0 */
#define TESSERA_MSIX_PBA_OFFSET		0xd000		/* in BAR0 */

/* Identity register values */
#define TESSERA_ID_MAGIC		0x54455331	/* "TES1" */
#define TESSERA_HW_VERSION(maj, min)	(((maj) << 16) | (min))
#define TESSERA_HW_VERSION_MAJOR(v)	(((v) >> 16) & 0xffff)
#define TESSERA_HW_VERSION_MINOR(v)	((v) & 0xffff)

/*
 * Global registers.  All registers are 32 bits wide and must be accessed
 * with naturally aligned 32-bit loads and stores.  64-bit quantities are
 * split into _LO/_HI pairs.
 */
#define TESSERA_REG_ID			0x0000	/* RO: TESSERA_ID_MAGIC */
#define TESSERA_REG_VERSION		0x0004	/* RO: hardware version */
#define TESSERA_REG_CAPS		0x0008	/* RO: TESSERA_CAP_* */
#define TESSERA_REG_ENGINES		0x000c	/* RO: engine counts */
#define   TESSERA_ENGINES_COMPUTE(v)	((v) & 0xff)
#define   TESSERA_ENGINES_DMA(v)	(((v) >> 8) & 0xff)
#define TESSERA_REG_HBM_SIZE_LO		0x0010	/* RO: device memory, bytes */
#define TESSERA_REG_HBM_SIZE_HI		0x0014
#define TESSERA_REG_SCRATCH		0x0018	/* RW: no side effects */
#define TESSERA_REG_SERIAL		0x001c	/* RO: board serial number */

#define TESSERA_REG_RESET		0x0020	/* WO 1: whole-device reset */
#define   TESSERA_RESET_MAGIC		0x00000001
#define TESSERA_REG_STATUS		0x0024	/* RO */
#define   TESSERA_STATUS_READY		BIT(0)
#define   TESSERA_STATUS_ERROR		BIT(1)

#define TESSERA_REG_INT_STATUS		0x0030	/* RW1C */
#define TESSERA_REG_INT_MASK		0x0034	/* RW: 1 = masked */
#define   TESSERA_INT_RING(n)		BIT(n)
#define   TESSERA_INT_ERROR		BIT(31)

#define TESSERA_REG_ERR_CODE		0x0040	/* RO, cleared by ERR_ACK */
#define   TESSERA_ERR_NONE		0
#define   TESSERA_ERR_INVALID_CMD	1	/* bad opcode or length */
#define   TESSERA_ERR_DMA_FAULT		2	/* address outside host memory */
#define   TESSERA_ERR_INVALID_DESC	3	/* bad ring descriptor */
#define   TESSERA_ERR_RING_CONFIG	4	/* bad ring base or size */
#define TESSERA_REG_ERR_RING		0x0044	/* RO: ring that failed */
#define TESSERA_REG_ERR_ADDR_LO		0x0048	/* RO: faulting bus address */
#define TESSERA_REG_ERR_ADDR_HI		0x004c
#define TESSERA_REG_ERR_ACK		0x0050	/* WO: any value clears ERR_* */

#define TESSERA_REG_TIMESTAMP_LO	0x0060	/* RO: ns since reset; LO latches HI */
#define TESSERA_REG_TIMESTAMP_HI	0x0064

/*
 * Telemetry.  Values move with load; the emulator models them from the
 * engines' busy time.
 */
#define TESSERA_REG_TEMP_MC		0x0100	/* RO: die temperature, m°C */
#define TESSERA_REG_POWER_MW		0x0104	/* RO: board power, mW */
#define TESSERA_REG_CLOCK_MHZ		0x0108	/* RO: engine clock, MHz */
#define TESSERA_REG_TEMP_CRIT_MC	0x010c	/* RO: critical temperature, m°C */
#define TESSERA_REG_POWER_CAP_MW	0x0110	/* RO: board power limit, mW */
#define TESSERA_REG_ECC_CORRECTED	0x0114	/* RO: corrected ECC errors */
#define TESSERA_REG_ECC_UNCORRECTED	0x0118	/* RO: uncorrected ECC errors */
#define TESSERA_REG_ENGINE_RESETS	0x011c	/* RO: engine resets since power-on */

/* Rings: one block of registers per ring, ring n at TESSERA_RING_BASE(n). */
#define TESSERA_MAX_RINGS		16
#define TESSERA_RING_BASE(n)		(0x1000 + (n) * 0x100)
#define TESSERA_RING_DESC_BASE_LO	0x00	/* RW: bus address, 4 KiB aligned */
#define TESSERA_RING_DESC_BASE_HI	0x04
#define TESSERA_RING_SIZE		0x08	/* RW: descriptors, power of 2 */
#define   TESSERA_RING_SIZE_MIN		2
#define   TESSERA_RING_SIZE_MAX		4096
#define TESSERA_RING_HEAD		0x0c	/* RO: next descriptor to fetch */
#define TESSERA_RING_TAIL		0x10	/* RW: one past the last valid */
#define TESSERA_RING_DOORBELL		0x14	/* WO: any value kicks the ring */
#define TESSERA_RING_CTRL		0x18	/* RW */
#define   TESSERA_RING_CTRL_ENABLE	BIT(0)
#define   TESSERA_RING_CTRL_RESET	BIT(1)	/* self-clearing */
#define TESSERA_RING_STATUS		0x1c	/* RO */
#define   TESSERA_RING_STATUS_IDLE	BIT(0)
#define   TESSERA_RING_STATUS_ERROR	BIT(1)
#define   TESSERA_RING_STATUS_ENABLED	BIT(2)
#define TESSERA_RING_FENCE_ADDR_LO	0x20	/* RW: seqno writeback, 8 B aligned */
#define TESSERA_RING_FENCE_ADDR_HI	0x24
#define TESSERA_RING_FENCE_SEQNO_LO	0x28	/* RO: last seqno written */
#define TESSERA_RING_FENCE_SEQNO_HI	0x2c
#define TESSERA_RING_MSIX_VECTOR	0x30	/* RO: this ring's vector */
#define TESSERA_RING_COMPLETED		0x34	/* RO: descriptors completed */
#define TESSERA_RING_BUSY_CYCLES_LO	0x38	/* RO: cycles spent executing; LO latches HI */
#define TESSERA_RING_BUSY_CYCLES_HI	0x3c
#define TESSERA_RING_ENGINE_CLASS	0x40	/* RO: TESSERA_ENGINE_CLASS_* */
#define   TESSERA_ENGINE_CLASS_COMPUTE	0
#define   TESSERA_ENGINE_CLASS_DMA	1

/*
 * Ring descriptor: 32 bytes, little endian, in host memory at
 * DESC_BASE + index * TESSERA_DESC_SIZE.
 */
#define TESSERA_DESC_SIZE		32
#define TESSERA_DESC_CMD_ADDR		0x00	/* u64: command buffer bus address */
#define TESSERA_DESC_CMD_SIZE		0x08	/* u32: bytes, multiple of 4 */
#define TESSERA_DESC_FLAGS		0x0c	/* u32: must be 0 */
#define TESSERA_DESC_CONTEXT		0x10	/* u32: context id, 0 for now */
#define TESSERA_DESC_RSVD0		0x14	/* u32: must be 0 */
#define TESSERA_DESC_TAG		0x18	/* u64: opaque, ignored by HW */
#define TESSERA_DESC_CMD_SIZE_MAX	BIT(20)

/* MSI-X vectors: one per ring, then one for errors and events. */
#define TESSERA_MSIX_RING_VECTOR(n)	(n)
#define TESSERA_MSIX_ERR_VECTOR(nrings)	(nrings)

#endif /* TESSERA_REGS_H */
