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
#define   TESSERA_CAP_MMU		BIT(0)	/* device MMU, contexts >= 1 */
#define   TESSERA_CAP_HBM		BIT(1)	/* BAR2 device memory */
#define   TESSERA_CAP_FAULT_INJECT	BIT(2)	/* debug block at 0x0300 present */
#define   TESSERA_CAP_TELEMETRY2	BIT(3)	/* 0x0120-0x0130 present */
#define   TESSERA_CAP_MMU_EXEC		BIT(4)	/* 1.4: TESSERA_CTX_EXEC_PERM, TESSERA_PTE_EXEC */
#define   TESSERA_CAP_TRAIN		BIT(5)	/* 1.5: the training commands */
#define TESSERA_REG_ENGINES		0x000c	/* RO: engine counts */
#define   TESSERA_ENGINES_COMPUTE(v)	((v) & 0xff)
#define   TESSERA_ENGINES_DMA(v)	(((v) >> 8) & 0xff)
#define TESSERA_REG_HBM_SIZE_LO		0x0010	/* RO: device memory, bytes */
#define TESSERA_REG_HBM_SIZE_HI		0x0014
#define TESSERA_REG_SCRATCH		0x0018	/* RW: no side effects */
#define TESSERA_REG_SERIAL		0x001c	/* RO: board serial number */

#define TESSERA_REG_RESET		0x0020	/* WO 1: whole-device reset */
#define   TESSERA_RESET_MAGIC		0x00000001
/*
 * 1.3: a ring reset (RING_STATUS.RESETTING clear), device reset or
 * function reset (STATUS.READY set) completes within this many us of
 * its write; software polls for it, sleeping.
 */
#define TESSERA_RESET_BOUND_US		50000
#define TESSERA_REG_STATUS		0x0024	/* RO */
#define   TESSERA_STATUS_READY		BIT(0)
#define   TESSERA_STATUS_ERROR		BIT(1)
#define   TESSERA_STATUS_RESET_FAILED	BIT(2)	/* last device reset failed */

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
#define   TESSERA_ERR_MMU_FAULT		5	/* no valid translation */
#define   TESSERA_ERR_MMU_PERM		6	/* access not permitted by the PTE */
#define   TESSERA_ERR_CTX_INVALID	7	/* bad ASID or context-table entry */
#define   TESSERA_ERR_WATCHDOG		8	/* engine hung: descriptor ran too long */
#define   TESSERA_ERR_ECC		9	/* uncorrectable device-memory error */
#define   TESSERA_ERR_RESET_FAILED	10	/* engine or device reset failed */
#define TESSERA_REG_ERR_RING		0x0044	/* RO: ring that failed */
#define TESSERA_REG_ERR_ADDR_LO		0x0048	/* RO: faulting bus address */
#define TESSERA_REG_ERR_ADDR_HI		0x004c
#define TESSERA_REG_ERR_ACK		0x0050	/* WO: any value clears ERR_* */

#define TESSERA_REG_TIMESTAMP_LO	0x0060	/* RO: ns since reset; LO latches HI */
#define TESSERA_REG_TIMESTAMP_HI	0x0064
#define TESSERA_REG_WATCHDOG_MS		0x0068	/* RW: descriptor time limit, 0 = off */

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
/* CAPS.TELEMETRY2: thermal limits, average power and an energy counter. */
#define TESSERA_REG_TEMP_MAX_MC		0x0120	/* RO: throttle temperature, m°C */
#define TESSERA_REG_TEMP_EMERG_MC	0x0124	/* RO: thermal trip, m°C */
#define TESSERA_REG_POWER_AVG_MW	0x0128	/* RO: board power, 1 s average, mW */
#define TESSERA_REG_ENERGY_UJ_LO	0x012c	/* RO: energy since power-on, µJ; */
#define TESSERA_REG_ENERGY_UJ_HI	0x0130	/* reading _LO latches _HI */

/*
 * Device MMU.  Context (ASID) 0 bypasses translation; contexts >= 1 are
 * translated through the page tables their context-table entry points to.
 */
#define TESSERA_REG_MMU_CTX_BASE_LO	0x0200	/* RW: context table bus address, 4 KiB aligned */
#define TESSERA_REG_MMU_CTX_BASE_HI	0x0204
#define TESSERA_REG_MMU_CTX_COUNT	0x0208	/* RW: entries, 0..TESSERA_MAX_ASIDS */
#define TESSERA_REG_MMU_TLB_INV_ASID	0x020c	/* RW: ASID for TESSERA_TLB_INV_ASID */
#define TESSERA_REG_MMU_TLB_INV		0x0210	/* WO: TESSERA_TLB_INV_* */
#define   TESSERA_TLB_INV_ALL		1
#define   TESSERA_TLB_INV_ASID		2
#define TESSERA_REG_MMU_TLB_INV_STATUS	0x0214	/* RO */
#define   TESSERA_TLB_INV_BUSY		BIT(0)
#define TESSERA_MAX_ASIDS		4096

/* Context-table entry: 16 bytes, little endian. */
#define TESSERA_CTX_ENTRY_SIZE		16
#define TESSERA_CTX_ROOT		0x00	/* u64: root table pointer, PTE format */
#define TESSERA_CTX_FLAGS		0x08	/* u64: TESSERA_CTX_*, else must be 0 */
/* 1.4: command fetches need TESSERA_PTE_EXEC (before: READ) */
#define   TESSERA_CTX_EXEC_PERM	0x1ull

/*
 * Page-table entry (and table pointer): 64 bits, little endian.  4 levels
 * of 512 entries (VA bits 47:39, 38:30, 29:21, 20:12); a level-2 entry
 * with TESSERA_PTE_HUGE maps a 2 MiB page.  Use the ull constants: they do
 * not fit the 32-bit BIT().
 */
#define TESSERA_PTE_VALID		0x1ull
#define TESSERA_PTE_READ		0x2ull	/* leaf: reads allowed */
#define TESSERA_PTE_WRITE		0x4ull	/* leaf: writes allowed */
#define TESSERA_PTE_DEVMEM		0x8ull	/* address is a BAR2 (HBM) offset */
#define TESSERA_PTE_EXEC		0x10ull	/* leaf, 1.4: command fetch allowed */
#define TESSERA_PTE_HUGE		0x80ull	/* level 2 only: 2 MiB page */
#define TESSERA_PTE_ADDR_MASK		0x000ffffffffff000ull
#define TESSERA_VA_BITS			48
/* Context 0: addresses at or above this are HBM offsets plus this base. */
#define TESSERA_BYPASS_HBM_BASE		0x8000000000000000ull

/*
 * Fault injection (debug) block.  Present, and writable, only when
 * TESSERA_CAP_FAULT_INJECT is set; otherwise it reads as zero.
 */
#define TESSERA_REG_FI_HANG		0x0300	/* WO: ring index: hang at its next descriptor */
#define TESSERA_REG_FI_FAULT		0x0304	/* WO: ring index: fault its next memory access */
#define TESSERA_REG_FI_ECC		0x0308	/* WO: TESSERA_FI_ECC_* */
#define   TESSERA_FI_ECC_CORRECTED	1
#define   TESSERA_FI_ECC_UNCORRECTED	2	/* on the next HBM access */
#define TESSERA_REG_FI_RESET_FAIL	0x030c	/* WO: ring index, or TESSERA_FI_DEVICE */
#define   TESSERA_FI_DEVICE		0xffff
#define TESSERA_REG_FI_ARMED		0x0310	/* RO: injections not yet triggered */

/* Rings: one block of registers per ring, ring n at TESSERA_RING_BASE(n). */
#define TESSERA_MAX_RINGS		16
#define TESSERA_RING_STRIDE		0x100
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
#define   TESSERA_RING_STATUS_HUNG	BIT(3)	/* watchdog fired */
#define   TESSERA_RING_STATUS_RESET_FAILED BIT(4)
#define   TESSERA_RING_STATUS_FAULT	BIT(5)	/* FAULT_* latch valid */
#define   TESSERA_RING_STATUS_RESETTING	BIT(6)	/* 1.3: reset not complete */
#define   TESSERA_RING_STATUS_FRESH	BIT(7)	/* 1.3: not enabled since reset */
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
/* Context-error syndrome, latched until FAULT_ACK. */
#define TESSERA_RING_FAULT_STATUS	0x44	/* RO */
#define   TESSERA_FAULT_VALID		BIT(0)
#define   TESSERA_FAULT_OVERFLOW	BIT(1)	/* more faults while latched */
#define TESSERA_RING_FAULT_CODE		0x48	/* RO: TESSERA_ERR_* */
#define TESSERA_RING_FAULT_ASID		0x4c	/* RO */
#define TESSERA_RING_FAULT_VA_LO	0x50	/* RO */
#define TESSERA_RING_FAULT_VA_HI	0x54
#define TESSERA_RING_FAULT_ACCESS	0x58	/* RO: TESSERA_ACCESS_* */
#define   TESSERA_ACCESS_READ		0
#define   TESSERA_ACCESS_WRITE		1
#define   TESSERA_ACCESS_FETCH		2	/* command-buffer fetch */
#define TESSERA_RING_FAULT_TAG_LO	0x5c	/* RO: TAG of the faulting descriptor */
#define TESSERA_RING_FAULT_TAG_HI	0x60
#define TESSERA_RING_FAULT_ACK		0x64	/* WO: clears FAULT_* */
#define TESSERA_RING_CTX_RESUME		0x68	/* WO: ASID to un-halt, or TESSERA_CTX_ALL */
#define   TESSERA_CTX_ALL		0xffffffff
#define TESSERA_RING_ABORTED		0x6c	/* RO: descriptors aborted */
#define TESSERA_RING_HALT_QUERY		0x70	/* RW: ASID to query */
#define TESSERA_RING_HALT_RESULT	0x74	/* RO: 1 if HALT_QUERY's ASID is halted */
#define TESSERA_RING_FAULT_COUNT	0x78	/* RO (1.2): context errors, low 32 bits */
#define TESSERA_RING_PT_WALKS		0x7c	/* RO (1.4): page-table walks, low 32 bits */

/*
 * Fence writeback (1.2): FENCE_ADDR + 0 is the last TAG/FENCE value,
 * FENCE_ADDR + 8 the ring's context-error count (u64), written before the
 * TAG of the descriptor that raised it.
 */
#define TESSERA_FENCE_WB_SEQNO		0x00
#define TESSERA_FENCE_WB_FAULTS		0x08
#define TESSERA_FENCE_WB_SIZE		16

/*
 * Ring descriptor: 32 bytes, little endian, in host memory at
 * DESC_BASE + index * TESSERA_DESC_SIZE.
 */
#define TESSERA_DESC_SIZE		32
#define TESSERA_DESC_CMD_ADDR		0x00	/* u64: command buffer bus address */
#define TESSERA_DESC_CMD_SIZE		0x08	/* u32: bytes, multiple of 4 */
#define TESSERA_DESC_FLAGS		0x0c	/* u32: TESSERA_DESC_FLAG_* */
#define   TESSERA_DESC_FLAG_FENCE_ON_ABORT BIT(0)	/* write TAG to the fence if aborted */
#define   TESSERA_DESC_FLAG_FENCE	BIT(1)	/* write TAG to the fence when done */
#define   TESSERA_DESC_FLAG_IRQ		BIT(2)	/* with FENCE: raise the ring vector */
#define   TESSERA_DESC_FLAGS_VALID	(BIT(0) | BIT(1) | BIT(2))
#define TESSERA_DESC_CONTEXT		0x10	/* u32: ASID, below TESSERA_MAX_ASIDS */
#define TESSERA_DESC_RSVD0		0x14	/* u32: must be 0 */
#define TESSERA_DESC_TAG		0x18	/* u64: opaque; reported on faults */
#define TESSERA_DESC_CMD_SIZE_MAX	BIT(20)

/*
 * The one command the kernel writes itself (the debugfs ring ping): a NOP
 * of one dword.  The card's command encoding is not kernel business; it is
 * in libaccel's <accel/tessera_cmd.h>, which the emulator checks this
 * against.
 */
#define TESSERA_HW_CMD_NOP1		0x00010000u

/* BAR2: device memory (HBM), 64-bit prefetchable, size in HBM_SIZE. */
#define TESSERA_BAR_HBM			2

/* MSI-X vectors: one per ring, then one for errors and events. */
#define TESSERA_MSIX_RING_VECTOR(n)	(n)
#define TESSERA_MSIX_ERR_VECTOR(nrings)	(nrings)

#endif /* TESSERA_REGS_H */
