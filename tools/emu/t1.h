/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * T1 device model: PCI config space, BAR0 registers and one command
 * processor thread per ring.  Documentation/hw/programming-guide.rst is
 * the specification this model implements.
 *
 * The model knows nothing about vfio-user: it reaches host memory and
 * raises MSI-X vectors through struct t1_host_ops, so that tests can run
 * it against a fake DMA space.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_T1_H
#define TESSERA_T1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define T1_MAX_RINGS		4
#define T1_CFG_SIZE		4096	/* PCI Express extended config space */

/* Config space layout (offsets of the capabilities). */
#define T1_CAP_EXP		0x40
#define T1_CAP_MSIX		0x80

struct t1_host_ops {
	/* Bus-master DMA; 0 or a negative errno (the model reports a fault). */
	int (*dma_read)(void *opaque, uint64_t addr, void *buf, size_t len);
	int (*dma_write)(void *opaque, uint64_t addr, const void *buf,
			 size_t len);
	/* Send MSI-X message @vector.  Called with the model's lock held. */
	void (*irq)(void *opaque, unsigned int vector);
	void *opaque;
};

struct t1_config {
	unsigned int nrings;	/* 1..T1_MAX_RINGS compute engines */
	uint32_t serial;
};

struct t1;

struct t1 *t1_create(const struct t1_config *cfg,
		     const struct t1_host_ops *ops);
void t1_destroy(struct t1 *t1);

/* MSI-X vectors the device has: one per ring plus the error vector. */
unsigned int t1_msix_count(const struct t1 *t1);

/*
 * Region accesses, as a vfio-user server forwards them.  Config space
 * takes any size and alignment inside its 4 KiB.  BAR0 takes naturally
 * aligned 4-byte accesses, and 8-byte accesses that it splits into two
 * 4-byte ones, low address first; anything else is -EINVAL.
 */
int t1_cfg_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		  bool write);
int t1_bar0_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		   bool write);

/* Convenience 32-bit register accessors (tests). */
uint32_t t1_reg_read(struct t1 *t1, uint32_t off);
void t1_reg_write(struct t1 *t1, uint32_t off, uint32_t val);

/*
 * Function-level reset: stop the engines, return every BAR0 register and
 * the config space to their reset values.  (TESSERA_REG_RESET resets the
 * registers but leaves config space alone.)
 */
void t1_reset(struct t1 *t1);

/* Config space contents, kept apart from the register model. */
struct t1_cfg {
	uint8_t b[T1_CFG_SIZE];
	uint8_t wmask[T1_CFG_SIZE];	/* 1 bits are writable */
};

void t1_cfg_init(struct t1_cfg *c, unsigned int msix_vectors);
void t1_cfg_read(const struct t1_cfg *c, uint32_t off, void *buf,
		 uint32_t len);
void t1_cfg_write(struct t1_cfg *c, uint32_t off, const void *buf,
		  uint32_t len);

#endif /* TESSERA_T1_H */
