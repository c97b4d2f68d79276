/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * T1 device model: PCI config space, BAR0 registers, BAR2 device memory
 * and one command processor thread per engine.
 * Documentation/hw/programming-guide.rst is the specification this model
 * implements.
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

#define T1_MAX_RINGS		16
#define T1_CFG_SIZE		4096	/* PCI Express extended config space */
#define T1_DEFAULT_COMPUTE	4
#define T1_DEFAULT_DMA		2
#define T1_DEFAULT_HBM		(256ull << 20)
#define T1_MIN_HBM		(1ull << 20)
#define T1_MAX_HBM		(64ull << 30)

/* Config space layout (offsets of the capabilities). */
#define T1_CAP_EXP		0x40
#define T1_CAP_MSIX		0x80
#define T1_CAP_PM		0x90

struct t1_host_ops {
	/*
	 * Zero-copy bus-master DMA.  An engine brackets its accesses with
	 * dma_hold()/dma_release() (never nested); in between, dma_ptr()
	 * returns the host address of bus address @addr and trims *len to
	 * the bytes contiguous from there, or NULL if @addr is not mapped
	 * with the access asked for.
	 */
	void (*dma_hold)(void *opaque);
	void (*dma_release)(void *opaque);
	void *(*dma_ptr)(void *opaque, uint64_t addr, uint64_t *len,
			 bool write);
	/* Send MSI-X message @vector.  Called with the model's lock held. */
	void (*irq)(void *opaque, unsigned int vector);
	/*
	 * Optional: one line (no newline) about a guest-caused error, rate
	 * limited; NULL logs to stderr.  Called with any of the model's locks
	 * held: must not call into the model.
	 */
	void (*log)(void *opaque, const char *line);
	void *opaque;
};

struct t1_config {
	unsigned int ncompute;	/* compute engines */
	unsigned int ndma;	/* DMA engines; 1 <= total <= T1_MAX_RINGS */
	uint64_t hbm_size;	/* power of 2, T1_MIN_HBM..T1_MAX_HBM */
	uint32_t serial;
	bool fault_injection;	/* expose the debug registers */
};

struct t1;

/* NULL on a bad configuration or when resources run out. */
struct t1 *t1_create(const struct t1_config *cfg,
		     const struct t1_host_ops *ops);
void t1_destroy(struct t1 *t1);

/* MSI-X vectors the device has: one per ring plus the error vector. */
unsigned int t1_msix_count(const struct t1 *t1);
/* Device memory: a shared memfd, mapped at t1_hbm(). */
int t1_hbm_fd(const struct t1 *t1);
void *t1_hbm(const struct t1 *t1);
uint64_t t1_hbm_size(const struct t1 *t1);

/*
 * Region accesses, as a vfio-user server forwards them.  Config space
 * takes any size and alignment inside its 4 KiB.  BAR0 takes naturally
 * aligned 4-byte accesses, and 8-byte accesses that it splits into two
 * 4-byte ones, low address first; anything else is -EINVAL.  BAR2 takes
 * any access inside the device memory.
 */
int t1_cfg_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		  bool write);
int t1_bar0_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		   bool write);
int t1_bar2_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		   bool write);

/* Convenience 32-bit register accessors (tests). */
uint32_t t1_reg_read(struct t1 *t1, uint32_t off);
void t1_reg_write(struct t1 *t1, uint32_t off, uint32_t val);

/*
 * Function-level reset: return every BAR0 register and the config space
 * to their reset values and make the engines abandon their descriptors.
 * It does not wait for them: STATUS.READY reads 0 until they have (within
 * TESSERA_RESET_BOUND_US).  (TESSERA_REG_RESET resets the registers but
 * leaves config space alone.)  Device memory is kept.  The vfio-user
 * DEVICE_RESET message does this, and so does a config write that sets
 * Initiate Function Level Reset in PCI Express Device Control.
 */
void t1_reset(struct t1 *t1);
/* Number of function-level resets since t1_create() (tests, logging). */
unsigned int t1_function_resets(struct t1 *t1);
/* Is the function in D3hot (PCI power management)? */
bool t1_in_d3hot(struct t1 *t1);

/* Config space contents, kept apart from the register model. */
struct t1_cfg {
	uint8_t b[T1_CFG_SIZE];
	uint8_t wmask[T1_CFG_SIZE];	/* 1 bits are writable */
};

void t1_cfg_init(struct t1_cfg *c, unsigned int msix_vectors,
		 uint64_t hbm_size);
void t1_cfg_read(const struct t1_cfg *c, uint32_t off, void *buf,
		 uint32_t len);
void t1_cfg_write(struct t1_cfg *c, uint32_t off, const void *buf,
		  uint32_t len);
/* Does a write of @len bytes at @off set Initiate Function Level Reset? */
bool t1_cfg_is_flr(uint32_t off, const void *buf, uint32_t len);
/* PMCSR PowerState: 0 = D0, 3 = D3hot. */
unsigned int t1_cfg_power_state(const struct t1_cfg *c);
void t1_cfg_set_power_state(struct t1_cfg *c, unsigned int state);

#endif /* TESSERA_T1_H */
