// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Host tests for the T1 device model (tools/emu/t1.c): registers, config
 * space, the command processor and its error paths, interrupts and
 * resets.  The model runs against a DMA space built with the vfu map API
 * on a memfd, exactly as the vfio-user server builds it.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/pci_regs.h>

#include "t1.h"
#include "vfu.h"
#include "tessera_regs.h"
#include "accel/tessera_cmd.h"
#include "tap.h"

#define MEM_IOVA	0x10000000ull	/* the memfd, read-write */
#define MEM_SIZE	(4u << 20)
#define NOFD_IOVA	0x20000000ull	/* recorded map without an fd */
#define RO_IOVA		0x30000000ull	/* read-only map */
#define UNMAPPED	0x40000000ull

/* Layout inside MEM. */
#define RING_OFF(n)	(0x1000u * (n))		/* rings 0..3 */
#define CMD_OFF		0x10000u		/* command buffers */
#define CMD_SLOT	0x100u
#define FENCE_OFF(n)	(0x8000u + 0x40u * (n))
#define BIG_OFF		0x100000u		/* a 1 MiB command buffer */

struct fx {
	struct vfu_ctx *vfu;
	struct t1 *t1;
	uint8_t *mem;		/* our view of the memfd */
	unsigned int nrings;
	unsigned int ring_size[T1_MAX_RINGS];
	unsigned int tail[T1_MAX_RINGS];

	/* irq_lock protects irqs[]; irq_cond signals a change. */
	pthread_mutex_t irq_lock;
	pthread_cond_t irq_cond;
	unsigned int irqs[T1_MAX_RINGS + 1];
};

static void fx_dma_hold(void *opaque)
{
	struct fx *fx = opaque;

	vfu_dma_hold(fx->vfu);
}

static void fx_dma_release(void *opaque)
{
	struct fx *fx = opaque;

	vfu_dma_release(fx->vfu);
}

static void *fx_dma_ptr(void *opaque, uint64_t addr, uint64_t *len,
			bool write)
{
	struct fx *fx = opaque;

	return vfu_dma_ptr(fx->vfu, addr, len, write);
}

static void fx_irq(void *opaque, unsigned int vector)
{
	struct fx *fx = opaque;

	pthread_mutex_lock(&fx->irq_lock);
	fx->irqs[vector]++;
	pthread_cond_broadcast(&fx->irq_cond);
	pthread_mutex_unlock(&fx->irq_lock);
}

static bool fx_init(struct fx *fx, unsigned int nrings)
{
	struct t1_config cfg = {
		.ncompute = nrings, .serial = 0xc0ffee, .hbm_size = 1u << 20,
	};
	struct t1_host_ops ops = {
		.dma_hold = fx_dma_hold,
		.dma_release = fx_dma_release,
		.dma_ptr = fx_dma_ptr,
		.irq = fx_irq,
		.opaque = fx,
	};
	int fd, fd2;

	memset(fx, 0, sizeof(*fx));
	pthread_mutex_init(&fx->irq_lock, NULL);
	pthread_cond_init(&fx->irq_cond, NULL);
	fx->nrings = nrings;
	fx->vfu = vfu_create();
	fd = memfd_create("t1-test", MFD_CLOEXEC);
	if (!fx->vfu || fd < 0 || ftruncate(fd, MEM_SIZE))
		return false;
	fx->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	fd2 = dup(fd);
	if (fx->mem == MAP_FAILED || fd2 < 0)
		return false;
	if (vfu_dma_map(fx->vfu, MEM_IOVA, MEM_SIZE, fd, 0,
			VFU_DMA_READ | VFU_DMA_WRITE) ||
	    vfu_dma_map(fx->vfu, NOFD_IOVA, 0x10000, -1, 0,
			VFU_DMA_READ | VFU_DMA_WRITE) ||
	    vfu_dma_map(fx->vfu, RO_IOVA, 0x10000, fd2, 0, VFU_DMA_READ))
		return false;
	fx->t1 = t1_create(&cfg, &ops);
	return fx->t1;
}

static void fx_fini(struct fx *fx)
{
	t1_destroy(fx->t1);
	vfu_destroy(fx->vfu);
	munmap(fx->mem, MEM_SIZE);
	pthread_cond_destroy(&fx->irq_cond);
	pthread_mutex_destroy(&fx->irq_lock);
}

static unsigned int irq_count(struct fx *fx, unsigned int v)
{
	unsigned int n;

	pthread_mutex_lock(&fx->irq_lock);
	n = fx->irqs[v];
	pthread_mutex_unlock(&fx->irq_lock);
	return n;
}

static bool wait_irq(struct fx *fx, unsigned int v, unsigned int count)
{
	struct timespec dl;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 5;
	pthread_mutex_lock(&fx->irq_lock);
	while (fx->irqs[v] < count && ok)
		ok = !pthread_cond_timedwait(&fx->irq_cond, &fx->irq_lock, &dl);
	ok = fx->irqs[v] >= count;
	pthread_mutex_unlock(&fx->irq_lock);
	return ok;
}

static uint32_t rd(struct fx *fx, uint32_t off)
{
	return t1_reg_read(fx->t1, off);
}

static void wr(struct fx *fx, uint32_t off, uint32_t v)
{
	t1_reg_write(fx->t1, off, v);
}

static uint32_t rrd(struct fx *fx, unsigned int n, uint32_t reg)
{
	return rd(fx, TESSERA_RING_BASE(n) + reg);
}

static void rwr(struct fx *fx, unsigned int n, uint32_t reg, uint32_t v)
{
	wr(fx, TESSERA_RING_BASE(n) + reg, v);
}

static bool wait_idle(struct fx *fx, unsigned int n)
{
	for (int i = 0; i < 20000; i++) {
		if (rrd(fx, n, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_IDLE)
			return true;
		usleep(1000);
	}
	return false;
}

/*
 * Wait for a device reset to complete (STATUS.READY), for at most 5 s:
 * correctness only, tests/host/test_t1_cmds.c times it.
 */
static bool wait_ready(struct fx *fx)
{
	for (int i = 0; i < 5000; i++) {
		if (rd(fx, TESSERA_REG_STATUS) & TESSERA_STATUS_READY)
			return true;
		usleep(1000);
	}
	return false;
}

static void put32(struct fx *fx, uint32_t off, uint32_t v)
{
	memcpy(fx->mem + off, &v, 4);
}

static void put64(struct fx *fx, uint32_t off, uint64_t v)
{
	memcpy(fx->mem + off, &v, 8);
}

static uint64_t get64(struct fx *fx, uint32_t off)
{
	uint64_t v;

	memcpy(&v, fx->mem + off, 8);
	return v;
}

/* Program ring @n (size @size) and unmask all interrupts. */
static void ring_setup(struct fx *fx, unsigned int n, unsigned int size)
{
	uint64_t base = MEM_IOVA + RING_OFF(n);
	uint64_t fence = MEM_IOVA + FENCE_OFF(n);

	rwr(fx, n, TESSERA_RING_DESC_BASE_LO, base);
	rwr(fx, n, TESSERA_RING_DESC_BASE_HI, base >> 32);
	rwr(fx, n, TESSERA_RING_SIZE, size);
	rwr(fx, n, TESSERA_RING_FENCE_ADDR_LO, fence);
	rwr(fx, n, TESSERA_RING_FENCE_ADDR_HI, fence >> 32);
	rwr(fx, n, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	wr(fx, TESSERA_REG_INT_MASK, 0);
	fx->ring_size[n] = size;
	fx->tail[n] = 0;
}

/* Write a descriptor at the ring's tail and advance our tail copy. */
static void push_desc(struct fx *fx, unsigned int n, uint64_t cmd_addr,
		      uint32_t size, uint32_t flags, uint32_t ctx)
{
	uint32_t off = RING_OFF(n) + fx->tail[n] * TESSERA_DESC_SIZE;

	memset(fx->mem + off, 0, TESSERA_DESC_SIZE);
	put64(fx, off + TESSERA_DESC_CMD_ADDR, cmd_addr);
	put32(fx, off + TESSERA_DESC_CMD_SIZE, size);
	put32(fx, off + TESSERA_DESC_FLAGS, flags);
	put32(fx, off + TESSERA_DESC_CONTEXT, ctx);
	put64(fx, off + TESSERA_DESC_TAG, 0xdeadbeef);
	fx->tail[n] = (fx->tail[n] + 1) % fx->ring_size[n];
}

/* Copy commands into command slot @slot and queue them on ring @n. */
static uint64_t push_cmds(struct fx *fx, unsigned int n, unsigned int slot,
			  const uint32_t *dw, unsigned int ndw)
{
	uint32_t off = CMD_OFF + slot * CMD_SLOT;

	memcpy(fx->mem + off, dw, ndw * 4);
	push_desc(fx, n, MEM_IOVA + off, ndw * 4, 0, 0);
	return MEM_IOVA + off;
}

static void kick(struct fx *fx, unsigned int n)
{
	rwr(fx, n, TESSERA_RING_TAIL, fx->tail[n]);
	rwr(fx, n, TESSERA_RING_DOORBELL, 1);
}

/* A FENCE command. */
struct fence_cmd {
	uint32_t dw[TESSERA_CMD_FENCE_LEN];
};

static struct fence_cmd fence_cmd(uint32_t flags, uint64_t val)
{
	struct fence_cmd f = { {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, flags,
				   TESSERA_CMD_FENCE_LEN),
		0, (uint32_t)val, (uint32_t)(val >> 32),
	} };

	return f;
}

/* Submit @dw on ring 0 of a fresh fixture; expect error @code at @addr. */
static void expect_cmd_error(struct tap *t, const uint32_t *dw,
			     unsigned int ndw, uint32_t code)
{
	struct fx fx;
	uint64_t addr;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 16);
	addr = push_cmds(&fx, 0, 0, dw, ndw);
	kick(&fx, 0);
	CHECK(t, wait_irq(&fx, 1, 1));
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), code);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_RING), 0);
	CHECK(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO) >= (uint32_t)addr);
	CHECK(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO) < (uint32_t)addr + ndw * 4);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_ADDR_HI), addr >> 32);
	CHECK(t, rd(&fx, TESSERA_REG_STATUS) & TESSERA_STATUS_ERROR);
	CHECK(t, rd(&fx, TESSERA_REG_INT_STATUS) & TESSERA_INT_ERROR);
	/* A context error: the descriptor is aborted, the ring goes on. */
	CHECK(t, !(rrd(&fx, 0, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_ERROR));
	CHECK(t, rrd(&fx, 0, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_FAULT);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_CODE), code);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ASID), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_TAG_LO), 0xdeadbeef);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HEAD), 1);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_ABORTED), 1);
	fx_fini(&fx);
}

/* Queue a descriptor on ring 0; expect error @code with ERR_ADDR @addr. */
static void expect_desc_error(struct tap *t, uint64_t cmd_addr, uint32_t size,
			      uint32_t flags, uint32_t ctx, uint32_t code,
			      bool addr_is_desc)
{
	struct fx fx;
	uint64_t want = addr_is_desc ? MEM_IOVA + RING_OFF(0) : cmd_addr;
	uint32_t nop = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1);

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 16);
	memcpy(fx.mem + CMD_OFF, &nop, 4);
	push_desc(&fx, 0, cmd_addr, size, flags, ctx);
	kick(&fx, 0);
	CHECK(t, wait_irq(&fx, 1, 1));
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), code);
	if (addr_is_desc) {
		CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO), (uint32_t)want);
		CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_ADDR_HI), want >> 32);
	} else {	/* the first byte that faulted */
		CHECK(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO) >= (uint32_t)want);
		CHECK(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO) <= (uint32_t)want + size);
	}
	if (addr_is_desc) {
		CHECK(t, rrd(&fx, 0, TESSERA_RING_STATUS) &
			 TESSERA_RING_STATUS_ERROR);
		CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HEAD), 0);
	} else {	/* command fetch: a context error */
		CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FAULT_ACCESS),
			 TESSERA_ACCESS_FETCH);
		CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HEAD), 1);
		CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_ABORTED), 1);
	}
	fx_fini(&fx);
}

/* ------------------------------------------------------------------ */

static void test_identity(struct tap *t)
{
	struct fx fx;
	uint64_t v = 0;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ID), TESSERA_ID_MAGIC);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_VERSION), TESSERA_HW_VERSION(1, 5));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_CAPS),
		 TESSERA_CAP_MMU | TESSERA_CAP_HBM | TESSERA_CAP_TELEMETRY2 |
		 TESSERA_CAP_MMU_EXEC | TESSERA_CAP_TRAIN);
	CHECK_EQ(t, TESSERA_ENGINES_COMPUTE(rd(&fx, TESSERA_REG_ENGINES)), 1);
	CHECK_EQ(t, TESSERA_ENGINES_DMA(rd(&fx, TESSERA_REG_ENGINES)), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_HBM_SIZE_LO), 1u << 20);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_HBM_SIZE_HI), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SERIAL), 0xc0ffee);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_STATUS), TESSERA_STATUS_READY);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_MASK), 0xffffffff);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_NONE);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ENGINE_RESETS), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_STATUS),
		 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_FRESH);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_MSIX_VECTOR), 0);
	/* read-only registers ignore writes, holes read 0 */
	wr(&fx, TESSERA_REG_ID, 0);
	wr(&fx, TESSERA_REG_SERIAL, 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ID), TESSERA_ID_MAGIC);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SERIAL), 0xc0ffee);
	wr(&fx, 0x800, 0x12345678);
	CHECK_EQ(t, rd(&fx, 0x800), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_RING_BASE(1)), 0);	/* ring 1 absent */
	CHECK_EQ(t, rd(&fx, TESSERA_MSIX_PBA_OFFSET), 0);
	/* SCRATCH */
	wr(&fx, TESSERA_REG_SCRATCH, 0xa5a55a5a);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SCRATCH), 0xa5a55a5a);
	/* 8-byte accesses split low then high */
	CHECK_EQ(t, t1_bar0_access(fx.t1, TESSERA_REG_ID, &v, 8, false), 0);
	CHECK_EQ(t, v, TESSERA_ID_MAGIC | (uint64_t)TESSERA_HW_VERSION(1, 5) << 32);
	fx_fini(&fx);
}

static uint64_t energy_uj(struct fx *fx)
{
	uint32_t lo = rd(fx, TESSERA_REG_ENERGY_UJ_LO);

	return (uint64_t)rd(fx, TESSERA_REG_ENERGY_UJ_HI) << 32 | lo;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * CAPS.TELEMETRY2: fixed thermal limits in order, an average power between
 * standby and the cap, and an energy counter that grows by about the idle
 * board power times the time that passed (the model integrates power over
 * its own clock, so scheduling delays do not lose energy).
 */
static void test_telemetry2(struct tap *t)
{
	uint64_t e0, e1;
	double t0, t1, joules, watts;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	CHECK_EQ(t, rd(&fx, TESSERA_REG_TEMP_MAX_MC), 90000);
	CHECK(t, rd(&fx, TESSERA_REG_TEMP_EMERG_MC) > rd(&fx, TESSERA_REG_TEMP_CRIT_MC));
	CHECK(t, rd(&fx, TESSERA_REG_TEMP_CRIT_MC) > rd(&fx, TESSERA_REG_TEMP_MAX_MC));
	watts = rd(&fx, TESSERA_REG_POWER_AVG_MW) / 1000.0;
	CHECK(t, watts >= 3.0 && watts <= rd(&fx, TESSERA_REG_POWER_CAP_MW) / 1000.0);
	e0 = energy_uj(&fx);
	t0 = wall_s();
	usleep(300000);
	e1 = energy_uj(&fx);
	t1 = wall_s();
	CHECK(t, e1 > e0);
	/* Idle, the board draws about 25 W; allow a monitor tick either way. */
	joules = (double)(e1 - e0) / 1e6;
	CHECK(t, joules > 25.0 * (t1 - t0 - 0.05) * 0.8 && joules < 25.0 * (t1 - t0 + 0.05) * 1.2);
	/* The high word is latched by the low read. */
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ENERGY_UJ_HI), (uint32_t)(e1 >> 32));
	fx_fini(&fx);
}

static void test_bar0_access_rules(struct tap *t)
{
	struct fx fx;
	uint32_t v = 0;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	CHECK_EQ(t, t1_bar0_access(fx.t1, 0, &v, 2, false), -EINVAL);
	CHECK_EQ(t, t1_bar0_access(fx.t1, 0, &v, 1, true), -EINVAL);
	CHECK_EQ(t, t1_bar0_access(fx.t1, 2, &v, 4, false), -EINVAL);
	CHECK_EQ(t, t1_bar0_access(fx.t1, 4, &v, 8, false), -EINVAL);
	CHECK_EQ(t, t1_bar0_access(fx.t1, TESSERA_BAR0_SIZE, &v, 4, false),
		 -EINVAL);
	CHECK_EQ(t, t1_bar0_access(fx.t1, TESSERA_BAR0_SIZE - 4, &v, 4, false),
		 0);
	fx_fini(&fx);
}

/* Config space accesses of @len (1, 2 or 4) bytes, little endian. */
static uint32_t cfg_rd(struct fx *fx, uint32_t off, uint32_t len)
{
	uint32_t v = 0;

	t1_cfg_access(fx->t1, off, &v, len, false);
	return le32toh(v);
}

static void cfg_wr(struct fx *fx, uint32_t off, uint32_t len, uint32_t v)
{
	v = htole32(v);
	t1_cfg_access(fx->t1, off, &v, len, true);
}

#define cfg32(fx, off)		cfg_rd(fx, off, 4)
#define cfg16(fx, off)		cfg_rd(fx, off, 2)
#define cfg_wr32(fx, off, v)	cfg_wr(fx, off, 4, v)
#define cfg_wr16(fx, off, v)	cfg_wr(fx, off, 2, v)

static void test_config_identity(struct tap *t)
{
	struct fx fx;
	uint8_t all[T1_CFG_SIZE];

	if (!CHECK(t, fx_init(&fx, 3)))
		return;
	CHECK_EQ(t, cfg32(&fx, PCI_VENDOR_ID), 0x7e511234);
	CHECK_EQ(t, cfg32(&fx, PCI_CLASS_REVISION), 0x12000001);
	CHECK_EQ(t, cfg32(&fx, PCI_SUBSYSTEM_VENDOR_ID), 0x00011234);
	CHECK_EQ(t, (cfg32(&fx, PCI_CACHE_LINE_SIZE) >> 16) & 0x7f,
		 PCI_HEADER_TYPE_NORMAL);
	CHECK(t, (cfg32(&fx, PCI_COMMAND) >> 16) & PCI_STATUS_CAP_LIST);
	CHECK_EQ(t, cfg32(&fx, PCI_BASE_ADDRESS_0), 0);
	CHECK_EQ(t, (cfg32(&fx, PCI_INTERRUPT_LINE) >> 8) & 0xff, 0);
	CHECK_EQ(t, cfg32(&fx, 0x100), 0);		/* no extended caps */
	/* whole-space read, and out-of-range accesses */
	CHECK_EQ(t, t1_cfg_access(fx.t1, 0, all, sizeof(all), false), 0);
	CHECK_EQ(t, all[0], 0x34);
	CHECK_EQ(t, t1_cfg_access(fx.t1, 4095, all, 2, false), -EINVAL);
	CHECK_EQ(t, t1_cfg_access(fx.t1, 4096, all, 1, false), -EINVAL);
	fx_fini(&fx);
}

static void test_config_caps(struct tap *t)
{
	struct fx fx;
	unsigned int pos, seen_exp = 0, seen_msix = 0, seen_pm = 0, hops = 0;

	if (!CHECK(t, fx_init(&fx, 3)))
		return;
	pos = cfg32(&fx, PCI_CAPABILITY_LIST) & 0xfc;
	while (pos && hops++ < 48) {
		uint32_t hdr = cfg32(&fx, pos);

		if ((hdr & 0xff) == PCI_CAP_ID_EXP) {
			seen_exp = pos;
			CHECK_EQ(t, (hdr >> 16) & PCI_EXP_FLAGS_VERS, 2);
			CHECK_EQ(t, (hdr >> 20) & 0xf, PCI_EXP_TYPE_ENDPOINT);
		} else if ((hdr & 0xff) == PCI_CAP_ID_MSIX) {
			seen_msix = pos;
			/* 3 rings + error vector: table size field 3 */
			CHECK_EQ(t, (hdr >> 16) & PCI_MSIX_FLAGS_QSIZE, 3);
			CHECK_EQ(t, cfg32(&fx, pos + PCI_MSIX_TABLE), 0xc000);
			CHECK_EQ(t, cfg32(&fx, pos + PCI_MSIX_PBA), 0xd000);
		} else if ((hdr & 0xff) == PCI_CAP_ID_PM) {
			seen_pm = pos;
			/* version 3, no PME, no D1/D2; D0 with No_Soft_Reset */
			CHECK_EQ(t, hdr >> 16, 3);
			CHECK_EQ(t, cfg32(&fx, pos + PCI_PM_CTRL) & 0xffff,
				 PCI_PM_CTRL_NO_SOFT_RESET);
		}
		pos = (hdr >> 8) & 0xfc;
	}
	CHECK(t, hops < 48);
	CHECK(t, seen_exp);
	CHECK(t, seen_msix);
	CHECK(t, seen_pm);
	/* MSI-X enable and function mask are writable, the size is not */
	cfg_wr32(&fx, seen_msix, 0xffffffff);
	CHECK_EQ(t, cfg32(&fx, seen_msix) >> 16,
		 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | 3);
	fx_fini(&fx);
}

static void test_config_bar_sizing(struct tap *t)
{
	struct fx fx;
	uint16_t cmd = 0xffff;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	cfg_wr32(&fx, PCI_BASE_ADDRESS_0, 0xffffffff);
	CHECK_EQ(t, cfg32(&fx, PCI_BASE_ADDRESS_0),
		 ~(uint32_t)(TESSERA_BAR0_SIZE - 1));
	cfg_wr32(&fx, PCI_BASE_ADDRESS_0, 0xfebc1234);
	CHECK_EQ(t, cfg32(&fx, PCI_BASE_ADDRESS_0), 0xfebc0000);
	for (int bar = 1; bar < 6; bar++) {
		cfg_wr32(&fx, PCI_BASE_ADDRESS_0 + 4 * bar, 0xffffffff);
		CHECK_EQ(t, cfg32(&fx, PCI_BASE_ADDRESS_0 + 4 * bar),
			 bar == 2 ? 0xfff0000c : bar == 3 ? 0xffffffff : 0);
	}
	cfg_wr32(&fx, PCI_ROM_ADDRESS, 0xffffffff);
	CHECK_EQ(t, cfg32(&fx, PCI_ROM_ADDRESS), 0);
	/* read-only identity, writable command bits */
	cfg_wr32(&fx, PCI_VENDOR_ID, 0);
	CHECK_EQ(t, cfg32(&fx, PCI_VENDOR_ID), 0x7e511234);
	t1_cfg_access(fx.t1, PCI_COMMAND, &cmd, 2, true);
	CHECK_EQ(t, cfg32(&fx, PCI_COMMAND) & 0xffff,
		 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	/* the register reset keeps config space, a function reset does not */
	wr(&fx, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
	CHECK_EQ(t, cfg32(&fx, PCI_BASE_ADDRESS_0), 0xfebc0000);
	t1_reset(fx.t1);
	CHECK_EQ(t, cfg32(&fx, PCI_BASE_ADDRESS_0), 0);
	CHECK_EQ(t, cfg32(&fx, PCI_COMMAND) & 0xffff, 0);
	fx_fini(&fx);
}

static void test_nop_fence(struct tap *t)
{
	const uint32_t nop[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 3),
				 0xffffffff, 0x12345678 };
	const struct fence_cmd fence =
		fence_cmd(TESSERA_CMD_FENCE_IRQ, 0x1122334455667788ull);
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 16);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_STATUS),
		 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_ENABLED);
	push_cmds(&fx, 0, 0, nop, 3);
	push_cmds(&fx, 0, 1, fence.dw, 4);
	kick(&fx, 0);
	CHECK(t, wait_irq(&fx, 0, 1));
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HEAD), 2);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 2);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FENCE_SEQNO_LO), 0x55667788);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FENCE_SEQNO_HI), 0x11223344);
	CHECK_EQ(t, get64(&fx, FENCE_OFF(0)), 0x1122334455667788ull);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), TESSERA_INT_RING(0));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), 0);
	CHECK_EQ(t, irq_count(&fx, 1), 0);
	/* RW1C */
	wr(&fx, TESSERA_REG_INT_STATUS, TESSERA_INT_RING(0));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), 0);
	fx_fini(&fx);
}

static void test_fence_no_irq_and_wrap(struct tap *t)
{
	const struct fence_cmd f7 = fence_cmd(0, 7), f8 = fence_cmd(0, 8);
	uint32_t cmds[12];
	struct fx fx;

	/* NOP, FENCE 7, NOP (2 dwords), FENCE 8 */
	cmds[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1);
	memcpy(&cmds[1], f7.dw, sizeof(f7.dw));
	cmds[5] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 2);
	cmds[6] = 0;
	memcpy(&cmds[7], f8.dw, sizeof(f8.dw));

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 4);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 3; i++)
			push_cmds(&fx, 0, i, cmds, 11);
		kick(&fx, 0);
		CHECK(t, wait_idle(&fx, 0));
	}
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 9);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HEAD), 9 % 4);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FENCE_SEQNO_LO), 8);
	CHECK_EQ(t, get64(&fx, FENCE_OFF(0)), 8);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), 0);
	CHECK_EQ(t, irq_count(&fx, 0), 0);
	fx_fini(&fx);
}

/* 1.2: a TAIL write starts the engine; neither it nor DOORBELL does while disabled. */
static void test_tail_is_doorbell(struct tap *t)
{
	const struct fence_cmd fence = fence_cmd(0, 5), fence2 = fence_cmd(0, 6);
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 8);
	rwr(&fx, 0, TESSERA_RING_CTRL, 0);
	push_cmds(&fx, 0, 0, fence.dw, 4);
	rwr(&fx, 0, TESSERA_RING_TAIL, fx.tail[0]);	/* disabled: dropped */
	rwr(&fx, 0, TESSERA_RING_DOORBELL, 1);		/* dropped too */
	usleep(20000);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_STATUS), TESSERA_RING_STATUS_IDLE);
	/* enabling alone starts nothing: it takes a TAIL write or a doorbell */
	rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	usleep(20000);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 0);
	rwr(&fx, 0, TESSERA_RING_TAIL, fx.tail[0]);	/* no doorbell */
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 1);
	CHECK_EQ(t, get64(&fx, FENCE_OFF(0)), 5);
	/* DOORBELL still works on its own */
	push_cmds(&fx, 0, 1, fence2.dw, 4);
	rwr(&fx, 0, TESSERA_RING_CTRL, 0);
	rwr(&fx, 0, TESSERA_RING_TAIL, fx.tail[0]);
	rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	rwr(&fx, 0, TESSERA_RING_DOORBELL, 1);
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 2);
	CHECK_EQ(t, get64(&fx, FENCE_OFF(0)), 6);
	fx_fini(&fx);
}

static void test_mask_pending_unmask(struct tap *t)
{
	const struct fence_cmd fence = fence_cmd(TESSERA_CMD_FENCE_IRQ, 42);
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 8);
	wr(&fx, TESSERA_REG_INT_MASK, TESSERA_INT_RING(0));
	push_cmds(&fx, 0, 0, fence.dw, 4);
	kick(&fx, 0);
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), TESSERA_INT_RING(0));
	CHECK_EQ(t, irq_count(&fx, 0), 0);
	/* unmasking a pending source sends its vector */
	wr(&fx, TESSERA_REG_INT_MASK, 0);
	CHECK_EQ(t, irq_count(&fx, 0), 1);
	/* masking and unmasking again re-sends while still pending */
	wr(&fx, TESSERA_REG_INT_MASK, 0xffffffff);
	wr(&fx, TESSERA_REG_INT_MASK, 0);
	CHECK_EQ(t, irq_count(&fx, 0), 2);
	/* cleared sources are not re-sent */
	wr(&fx, TESSERA_REG_INT_STATUS, 0xffffffff);
	wr(&fx, TESSERA_REG_INT_MASK, 0xffffffff);
	wr(&fx, TESSERA_REG_INT_MASK, 0);
	CHECK_EQ(t, irq_count(&fx, 0), 2);
	CHECK_EQ(t, irq_count(&fx, 1), 0);
	fx_fini(&fx);
}

static void test_bad_opcode(struct tap *t)
{
	const uint32_t dw[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1),
				TESSERA_CMD_HEADER(0x7f, 0, 1) };

	expect_cmd_error(t, dw, 2, TESSERA_ERR_INVALID_CMD);
}

static void test_zero_length_cmd(struct tap *t)
{
	const uint32_t dw[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 0) };

	expect_cmd_error(t, dw, 1, TESSERA_ERR_INVALID_CMD);
}

static void test_cmd_past_end(struct tap *t)
{
	const uint32_t dw[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 3), 0 };

	expect_cmd_error(t, dw, 2, TESSERA_ERR_INVALID_CMD);
}

static void test_nop_flags(struct tap *t)
{
	const uint32_t dw[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 1, 1) };

	expect_cmd_error(t, dw, 1, TESSERA_ERR_INVALID_CMD);
}

static void test_fence_bad_length(struct tap *t)
{
	const uint32_t dw3[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, 0, 3),
				 0, 1 };
	const uint32_t dw5[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, 0, 5),
				 0, 1, 0, 0 };

	expect_cmd_error(t, dw3, 3, TESSERA_ERR_INVALID_CMD);
	expect_cmd_error(t, dw5, 5, TESSERA_ERR_INVALID_CMD);
}

static void test_fence_reserved(struct tap *t)
{
	const uint32_t rsvd[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, 0, 4),
				  1, 1, 0 };
	const uint32_t flags[] = { TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, 2, 4),
				   0, 1, 0 };

	expect_cmd_error(t, rsvd, 4, TESSERA_ERR_INVALID_CMD);
	expect_cmd_error(t, flags, 4, TESSERA_ERR_INVALID_CMD);
}

static void test_bad_descriptors(struct tap *t)
{
	uint64_t cmd = MEM_IOVA + CMD_OFF;

	expect_desc_error(t, cmd, 4, 8, 0, TESSERA_ERR_INVALID_DESC, true);
	expect_desc_error(t, cmd, 0, 0, 0, TESSERA_ERR_INVALID_DESC, true);
	expect_desc_error(t, cmd, 6, 0, 0, TESSERA_ERR_INVALID_DESC, true);
	expect_desc_error(t, cmd, TESSERA_DESC_CMD_SIZE_MAX + 4, 0, 0,
			  TESSERA_ERR_INVALID_DESC, true);
	expect_desc_error(t, cmd, 4, 0, TESSERA_MAX_ASIDS,
			  TESSERA_ERR_INVALID_DESC, true);
	expect_desc_error(t, cmd + 2, 4, 0, 0, TESSERA_ERR_INVALID_DESC, true);
}

static void test_dma_fault_cmd(struct tap *t)
{
	expect_desc_error(t, UNMAPPED, 4, 0, 0, TESSERA_ERR_DMA_FAULT, false);
	expect_desc_error(t, NOFD_IOVA, 4, 0, 0, TESSERA_ERR_DMA_FAULT, false);
	/* a buffer running off the end of the map */
	expect_desc_error(t, MEM_IOVA + MEM_SIZE - 8, 16, 0, 0,
			  TESSERA_ERR_DMA_FAULT, false);
}

static void fence_fault_case(struct tap *t, uint64_t fence_addr)
{
	const struct fence_cmd fence = fence_cmd(TESSERA_CMD_FENCE_IRQ, 9);
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 8);
	rwr(&fx, 0, TESSERA_RING_FENCE_ADDR_LO, fence_addr);
	rwr(&fx, 0, TESSERA_RING_FENCE_ADDR_HI, fence_addr >> 32);
	push_cmds(&fx, 0, 0, fence.dw, 4);
	kick(&fx, 0);
	CHECK(t, wait_irq(&fx, 1, 1));
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_DMA_FAULT);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO), (uint32_t)fence_addr);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FENCE_SEQNO_LO), 0);
	CHECK_EQ(t, irq_count(&fx, 0), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), TESSERA_INT_ERROR);
	fx_fini(&fx);
}

static void test_dma_fault_fence(struct tap *t)
{
	fence_fault_case(t, UNMAPPED);
	fence_fault_case(t, NOFD_IOVA + 8);
	fence_fault_case(t, RO_IOVA + 8);		/* not writable */
}

static void test_dma_fault_ring(struct tap *t)
{
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	rwr(&fx, 0, TESSERA_RING_DESC_BASE_LO, (uint32_t)UNMAPPED);
	rwr(&fx, 0, TESSERA_RING_SIZE, 8);
	rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	rwr(&fx, 0, TESSERA_RING_TAIL, 1);
	rwr(&fx, 0, TESSERA_RING_DOORBELL, 1);
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_DMA_FAULT);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO), (uint32_t)UNMAPPED);
	/* masked: status only, no vector */
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), TESSERA_INT_ERROR);
	CHECK_EQ(t, irq_count(&fx, 1), 0);
	fx_fini(&fx);
}

static void ring_config_case(struct tap *t, uint64_t base, uint32_t size,
			     uint32_t tail_before)
{
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	rwr(&fx, 0, TESSERA_RING_DESC_BASE_LO, base);
	rwr(&fx, 0, TESSERA_RING_SIZE, size);
	rwr(&fx, 0, TESSERA_RING_TAIL, tail_before);
	wr(&fx, TESSERA_REG_INT_MASK, 0);
	rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_RING_CONFIG);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO), (uint32_t)base);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_STATUS),
		 TESSERA_RING_STATUS_ERROR | TESSERA_RING_STATUS_ENABLED |
		 TESSERA_RING_STATUS_IDLE);
	CHECK_EQ(t, irq_count(&fx, 1), 1);
	fx_fini(&fx);
}

static void test_bad_ring_config(struct tap *t)
{
	struct fx fx;

	ring_config_case(t, MEM_IOVA + 0x800, 16, 0);	/* unaligned base */
	ring_config_case(t, MEM_IOVA, 3, 0);		/* not a power of 2 */
	ring_config_case(t, MEM_IOVA, 1, 0);		/* too small */
	ring_config_case(t, MEM_IOVA, 8192, 0);		/* too large */
	ring_config_case(t, MEM_IOVA, 0, 0);
	ring_config_case(t, MEM_IOVA, 8, 8);		/* tail out of range */

	/* TAIL out of range on an enabled ring */
	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 8);
	rwr(&fx, 0, TESSERA_RING_TAIL, 8);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_RING_CONFIG);
	CHECK(t, rrd(&fx, 0, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_ERROR);
	/* DESC_BASE and SIZE are locked while enabled */
	rwr(&fx, 0, TESSERA_RING_SIZE, 64);
	rwr(&fx, 0, TESSERA_RING_DESC_BASE_LO, 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_SIZE), 8);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_DESC_BASE_LO), (uint32_t)MEM_IOVA);
	fx_fini(&fx);
}

static void test_first_error_wins_and_ack(struct tap *t)
{
	const uint32_t bad[] = { TESSERA_CMD_HEADER(0x55, 0, 1) };
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 2)))
		return;
	ring_setup(&fx, 0, 8);
	ring_setup(&fx, 1, 8);
	push_desc(&fx, 0, UNMAPPED, 4, 0, 0);
	kick(&fx, 0);
	CHECK(t, wait_irq(&fx, 2, 1));
	push_cmds(&fx, 1, 0, bad, 1);
	kick(&fx, 1);
	CHECK(t, wait_irq(&fx, 2, 2));
	CHECK(t, wait_idle(&fx, 1));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_DMA_FAULT);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_RING), 0);
	CHECK(t, rrd(&fx, 1, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_FAULT);

	wr(&fx, TESSERA_REG_ERR_ACK, 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_NONE);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_ADDR_LO), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_STATUS), TESSERA_STATUS_READY);
	/* ERR_ACK leaves INT_STATUS and the rings' syndromes alone */
	CHECK(t, rd(&fx, TESSERA_REG_INT_STATUS) & TESSERA_INT_ERROR);
	CHECK(t, rrd(&fx, 0, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_FAULT);
	/* a stopped ring ignores doorbells */
	rwr(&fx, 0, TESSERA_RING_DOORBELL, 1);
	usleep(10000);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_NONE);
	fx_fini(&fx);
}

static void test_ring_reset(struct tap *t)
{
	const struct fence_cmd fence = fence_cmd(TESSERA_CMD_FENCE_IRQ, 77);
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 8);
	push_cmds(&fx, 0, 0, fence.dw, 4);
	push_desc(&fx, 0, UNMAPPED, 4, 0, 0);
	kick(&fx, 0);
	CHECK(t, wait_irq(&fx, 1, 1));
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HEAD), 2);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 1);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_ABORTED), 1);

	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_STATUS) &
		 (TESSERA_RING_STATUS_FRESH | TESSERA_RING_STATUS_RESETTING),
		 0);
	rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET |
					 TESSERA_RING_CTRL_ENABLE);
	/* an idle ring's reset is complete at once: no RESETTING */
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_STATUS),
		 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_FRESH);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ENGINE_RESETS), 1);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_CTRL), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_HEAD), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_TAIL), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FENCE_SEQNO_LO), 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_SIZE), 8);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_DESC_BASE_LO), (uint32_t)MEM_IOVA);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FENCE_ADDR_LO),
		 (uint32_t)(MEM_IOVA + FENCE_OFF(0)));

	/* the ring works again; enabling it ends FRESH */
	wr(&fx, TESSERA_REG_ERR_ACK, 1);
	fx.tail[0] = 0;
	rwr(&fx, 0, TESSERA_RING_TAIL, 0);
	CHECK(t, rrd(&fx, 0, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_FRESH);
	rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_STATUS),
		 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_ENABLED);
	rwr(&fx, 0, TESSERA_RING_CTRL, 0);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_STATUS), TESSERA_RING_STATUS_IDLE);
	rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	push_cmds(&fx, 0, 0, fence.dw, 4);
	kick(&fx, 0);
	CHECK(t, wait_irq(&fx, 0, 2));
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_COMPLETED), 1);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_NONE);
	fx_fini(&fx);
}

static void test_device_reset(struct tap *t)
{
	const struct fence_cmd fence = fence_cmd(TESSERA_CMD_FENCE_IRQ, 3);
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 2)))
		return;
	ring_setup(&fx, 0, 8);
	ring_setup(&fx, 1, 8);
	wr(&fx, TESSERA_REG_SCRATCH, 0x1234);
	push_cmds(&fx, 0, 0, fence.dw, 4);
	kick(&fx, 0);
	push_desc(&fx, 1, UNMAPPED, 4, 0, 0);
	kick(&fx, 1);
	CHECK(t, wait_irq(&fx, 2, 1));
	CHECK(t, wait_idle(&fx, 0));

	wr(&fx, TESSERA_REG_RESET, 2);		/* not the magic: ignored */
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SCRATCH), 0x1234);
	rwr(&fx, 0, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET);
	rwr(&fx, 1, TESSERA_RING_CTRL, TESSERA_RING_CTRL_RESET);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ENGINE_RESETS), 2);
	wr(&fx, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
	/* with the engines idle, the reset is complete at once */
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ENGINE_RESETS), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SCRATCH), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_STATUS), TESSERA_STATUS_READY);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_MASK), 0xffffffff);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_RESET), 0);
	for (unsigned int n = 0; n < 2; n++) {
		static const uint32_t regs[] = {
			TESSERA_RING_DESC_BASE_LO, TESSERA_RING_DESC_BASE_HI,
			TESSERA_RING_SIZE, TESSERA_RING_HEAD, TESSERA_RING_TAIL,
			TESSERA_RING_CTRL, TESSERA_RING_FENCE_ADDR_LO,
			TESSERA_RING_FENCE_ADDR_HI, TESSERA_RING_FENCE_SEQNO_LO,
			TESSERA_RING_FENCE_SEQNO_HI, TESSERA_RING_COMPLETED,
		};

		for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
			CHECK_EQ(t, rrd(&fx, n, regs[i]), 0);
		CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_STATUS),
			 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_FRESH);
		CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_MSIX_VECTOR), n);
	}
	fx_fini(&fx);
}

static void test_reset_while_busy(struct tap *t)
{
	const struct fence_cmd fence = fence_cmd(TESSERA_CMD_FENCE_IRQ, 1234);
	uint32_t nop = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1);
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 2)))
		return;
	for (uint32_t i = 0; i < TESSERA_DESC_CMD_SIZE_MAX; i += 4)
		memcpy(fx.mem + BIG_OFF + i, &nop, 4);
	for (int round = 0; round < 4; round++) {
		for (unsigned int n = 0; n < 2; n++) {
			ring_setup(&fx, n, 64);
			for (int i = 0; i < 63; i++)
				push_desc(&fx, n, MEM_IOVA + BIG_OFF,
					  TESSERA_DESC_CMD_SIZE_MAX, 0, 0);
			kick(&fx, n);
		}
		usleep(round * 3000);
		if (round & 1)
			t1_reset(fx.t1);
		else
			wr(&fx, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
		/* registers are reset at once, the engines follow */
		for (unsigned int n = 0; n < 2; n++) {
			CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_CTRL), 0);
			CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_HEAD), 0);
		}
		CHECK(t, wait_ready(&fx));
		for (unsigned int n = 0; n < 2; n++) {
			CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_STATUS),
				 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_FRESH);
			CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_HEAD), 0);
			CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_COMPLETED), 0);
		}
	}
	/* the device still works afterwards */
	ring_setup(&fx, 0, 8);
	push_cmds(&fx, 0, 0, fence.dw, 4);
	kick(&fx, 0);
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FENCE_SEQNO_LO), 1234);
	fx_fini(&fx);
}

/* Fill rings 0 and 1 with 63 descriptors of 1 MiB of NOPs each and go. */
static void flood_rings(struct fx *fx)
{
	for (unsigned int n = 0; n < 2; n++) {
		ring_setup(fx, n, 64);
		for (int i = 0; i < 63; i++)
			push_desc(fx, n, MEM_IOVA + BIG_OFF,
				  TESSERA_DESC_CMD_SIZE_MAX,
				  TESSERA_DESC_FLAG_FENCE |
				  TESSERA_DESC_FLAG_FENCE_ON_ABORT |
				  TESSERA_DESC_FLAG_IRQ, 0);
		kick(fx, n);
	}
}

/*
 * PCI power management: D3hot answers only config requests, runs nothing
 * and sends no interrupt; D0 again keeps every register (No_Soft_Reset)
 * and runs what was queued.  D1/D2 writes change nothing; FLR gives D0.
 */
/* PMCSR PowerState values */
enum { PM_D0 = 0, PM_D1 = 1, PM_D2 = 2, PM_D3HOT = 3 };

static void test_power_states(struct tap *t)
{
	const uint32_t pmcsr = T1_CAP_PM + PCI_PM_CTRL;
	const struct fence_cmd fence = fence_cmd(TESSERA_CMD_FENCE_IRQ, 9);
	unsigned int irqs;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	ring_setup(&fx, 0, 8);
	wr(&fx, TESSERA_REG_SCRATCH, 0x5a5a);
	/* D1 and D2 are not supported */
	cfg_wr16(&fx, pmcsr, PM_D1);
	CHECK_EQ(t, cfg16(&fx, pmcsr) & PCI_PM_CTRL_STATE_MASK, PM_D0);
	cfg_wr16(&fx, pmcsr, PM_D2);
	CHECK(t, !t1_in_d3hot(fx.t1));

	/* a job queued, then D3hot before the engine could see a doorbell */
	push_cmds(&fx, 0, 0, fence.dw, 4);
	cfg_wr16(&fx, pmcsr, PM_D3HOT);
	CHECK(t, t1_in_d3hot(fx.t1));
	CHECK_EQ(t, cfg16(&fx, pmcsr), PM_D3HOT | PCI_PM_CTRL_NO_SOFT_RESET);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ID), 0xffffffff);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SCRATCH), 0xffffffff);
	wr(&fx, TESSERA_REG_SCRATCH, 1);			/* dropped */
	irqs = irq_count(&fx, 0);
	rwr(&fx, 0, TESSERA_RING_TAIL, fx.tail[0]);		/* dropped too */
	usleep(20000);
	CHECK_EQ(t, get64(&fx, FENCE_OFF(0)), 0);
	CHECK_EQ(t, irq_count(&fx, 0), irqs);

	/* D0: registers kept, and the doorbell now runs the job */
	cfg_wr16(&fx, pmcsr, PM_D0);
	CHECK(t, !t1_in_d3hot(fx.t1));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SCRATCH), 0x5a5a);
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_CTRL), TESSERA_RING_CTRL_ENABLE);
	kick(&fx, 0);
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, get64(&fx, FENCE_OFF(0)), 9);
	CHECK_EQ(t, irq_count(&fx, 0), irqs + 1);

	/* an FLR in D3hot returns the function to D0, reset */
	cfg_wr16(&fx, pmcsr, PM_D3HOT);
	cfg_wr16(&fx, T1_CAP_EXP + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR);
	CHECK(t, !t1_in_d3hot(fx.t1));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ID), TESSERA_ID_MAGIC);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SCRATCH), 0);
	fx_fini(&fx);
}

static void test_flr_config_write(struct tap *t)
{
	const uint32_t devctl = T1_CAP_EXP + PCI_EXP_DEVCTL;
	const uint32_t msix = T1_CAP_MSIX + PCI_MSIX_FLAGS;
	const struct fence_cmd fence = fence_cmd(TESSERA_CMD_FENCE_IRQ, 77);
	uint32_t nop = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1);
	uint8_t flr_byte = PCI_EXP_DEVCTL_BCR_FLR >> 8;
	unsigned int before;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 2)))
		return;
	for (uint32_t i = 0; i < TESSERA_DESC_CMD_SIZE_MAX; i += 4)
		memcpy(fx.mem + BIG_OFF + i, &nop, 4);

	/* advertised; the initiate bit is not stored */
	CHECK(t, cfg32(&fx, T1_CAP_EXP + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR);
	CHECK_EQ(t, cfg16(&fx, devctl), 0x2810);
	cfg_wr16(&fx, devctl, 0x2f10);			/* no FLR bit */
	CHECK_EQ(t, cfg16(&fx, devctl), 0x2f10);
	CHECK_EQ(t, t1_function_resets(fx.t1), 0);

	/* configure the function, start work, then FLR with it in flight */
	cfg_wr32(&fx, PCI_BASE_ADDRESS_0, 0xfebc0000);
	cfg_wr16(&fx, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_wr16(&fx, msix, PCI_MSIX_FLAGS_ENABLE);
	wr(&fx, TESSERA_REG_SCRATCH, 0x5a5a);
	wr(&fx, TESSERA_REG_WATCHDOG_MS, 1000);
	wr(&fx, TESSERA_REG_MMU_CTX_BASE_LO, 0x1000);
	wr(&fx, TESSERA_REG_MMU_CTX_COUNT, 16);
	flood_rings(&fx);
	usleep(2000);
	cfg_wr16(&fx, devctl, 0x2810 | PCI_EXP_DEVCTL_BCR_FLR);
	/*
	 * Registers and config space are reset when the write returns;
	 * STATUS.READY tells when the engines have let go.
	 */
	CHECK_EQ(t, t1_function_resets(fx.t1), 1);
	CHECK_EQ(t, cfg16(&fx, devctl), 0x2810);
	CHECK_EQ(t, cfg32(&fx, PCI_BASE_ADDRESS_0), 0);
	CHECK_EQ(t, cfg16(&fx, PCI_COMMAND), 0);
	CHECK_EQ(t, cfg16(&fx, msix) & PCI_MSIX_FLAGS_ENABLE, 0);
	CHECK_EQ(t, cfg32(&fx, PCI_VENDOR_ID), 0x7e511234);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_SCRATCH), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_WATCHDOG_MS), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_MMU_CTX_BASE_LO), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_MMU_CTX_COUNT), 0);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_MASK), 0xffffffff);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), 0);
	CHECK(t, wait_ready(&fx));
	CHECK_EQ(t, rd(&fx, TESSERA_REG_STATUS), TESSERA_STATUS_READY);
	for (unsigned int n = 0; n < 2; n++) {
		CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_STATUS),
			 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_FRESH);
		CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_HEAD), 0);
		CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_DESC_BASE_LO), 0);
		CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_COMPLETED), 0);
	}

	/* a byte write of the high half and a dword write both reset */
	before = t1_function_resets(fx.t1);
	t1_cfg_access(fx.t1, devctl + 1, &flr_byte, 1, true);
	cfg_wr32(&fx, devctl, 0x2810 | PCI_EXP_DEVCTL_BCR_FLR);
	CHECK_EQ(t, t1_function_resets(fx.t1), before + 2);
	/* a write next to it, covering only the low byte, does not */
	flr_byte = 0xff;
	t1_cfg_access(fx.t1, devctl, &flr_byte, 1, true);
	cfg_wr32(&fx, T1_CAP_EXP + PCI_EXP_DEVCAP, 0xffffffff);
	CHECK_EQ(t, t1_function_resets(fx.t1), before + 2);

	/* FLR at any moment of busy engines: always idle and reset after */
	for (int round = 0; round < 6; round++) {
		flood_rings(&fx);
		usleep(round * 1500);
		cfg_wr16(&fx, devctl, PCI_EXP_DEVCTL_BCR_FLR);
		CHECK(t, wait_ready(&fx));
		for (unsigned int n = 0; n < 2; n++) {
			CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_STATUS),
				 TESSERA_RING_STATUS_IDLE | TESSERA_RING_STATUS_FRESH);
			CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_TAIL), 0);
		}
	}

	/* the function works afterwards */
	ring_setup(&fx, 0, 8);
	push_cmds(&fx, 0, 0, fence.dw, 4);
	kick(&fx, 0);
	CHECK(t, wait_idle(&fx, 0));
	CHECK_EQ(t, rrd(&fx, 0, TESSERA_RING_FENCE_SEQNO_LO), 77);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_ERR_CODE), TESSERA_ERR_NONE);
	fx_fini(&fx);
}

static void test_unmap_while_busy(struct tap *t)
{
	uint32_t nop = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1);
	uint32_t done, err;
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	for (uint32_t i = 0; i < TESSERA_DESC_CMD_SIZE_MAX; i += 4)
		memcpy(fx.mem + BIG_OFF + i, &nop, 4);
	ring_setup(&fx, 0, 64);
	for (int i = 0; i < 63; i++)
		push_desc(&fx, 0, MEM_IOVA + BIG_OFF, TESSERA_DESC_CMD_SIZE_MAX,
			  0, 0);
	kick(&fx, 0);
	usleep(2000);
	CHECK_EQ(t, vfu_dma_unmap(fx.vfu, MEM_IOVA, MEM_SIZE), 0);
	CHECK(t, wait_idle(&fx, 0));
	done = rrd(&fx, 0, TESSERA_RING_COMPLETED);
	err = rd(&fx, TESSERA_REG_ERR_CODE);
	CHECK(t, done == 63 || err == TESSERA_ERR_DMA_FAULT);
	printf("# %u descriptors completed before the unmap\n", done);
	fx_fini(&fx);
}

static void test_multi_ring_vectors(struct tap *t)
{
	struct fx fx;

	if (!CHECK(t, fx_init(&fx, 4)))
		return;
	CHECK_EQ(t, TESSERA_ENGINES_COMPUTE(rd(&fx, TESSERA_REG_ENGINES)), 4);
	CHECK_EQ(t, t1_msix_count(fx.t1), 5);
	for (unsigned int n = 0; n < 4; n++) {
		const struct fence_cmd fence =
			fence_cmd(TESSERA_CMD_FENCE_IRQ, n + 100);

		ring_setup(&fx, n, 8);
		push_cmds(&fx, n, n, fence.dw, 4);
		kick(&fx, n);
	}
	for (unsigned int n = 0; n < 4; n++) {
		CHECK(t, wait_irq(&fx, n, 1));
		CHECK(t, wait_idle(&fx, n));
		CHECK_EQ(t, rrd(&fx, n, TESSERA_RING_MSIX_VECTOR), n);
		CHECK_EQ(t, get64(&fx, FENCE_OFF(n)), n + 100);
	}
	CHECK_EQ(t, rd(&fx, TESSERA_REG_INT_STATUS), 0xf);
	CHECK_EQ(t, irq_count(&fx, 4), 0);
	fx_fini(&fx);
}

static void test_timestamp(struct tap *t)
{
	struct fx fx;
	uint64_t a, b, c;

	if (!CHECK(t, fx_init(&fx, 1)))
		return;
	a = rd(&fx, TESSERA_REG_TIMESTAMP_LO);
	a |= (uint64_t)rd(&fx, TESSERA_REG_TIMESTAMP_HI) << 32;
	usleep(30000);
	b = rd(&fx, TESSERA_REG_TIMESTAMP_LO);
	b |= (uint64_t)rd(&fx, TESSERA_REG_TIMESTAMP_HI) << 32;
	CHECK(t, b >= a + 30000000ull);
	CHECK(t, b < a + 5000000000ull);
	/* HI returns the value latched by the last LO read */
	CHECK_EQ(t, rd(&fx, TESSERA_REG_TIMESTAMP_HI), b >> 32);
	wr(&fx, TESSERA_REG_RESET, TESSERA_RESET_MAGIC);
	CHECK_EQ(t, rd(&fx, TESSERA_REG_TIMESTAMP_HI), 0);
	c = rd(&fx, TESSERA_REG_TIMESTAMP_LO);
	CHECK(t, c < 30000000ull);
	fx_fini(&fx);
}

static void test_dma_space(struct tap *t)
{
	struct vfu_ctx *vfu = vfu_create();
	int fd = memfd_create("dma", MFD_CLOEXEC);
	uint8_t buf[64] = { 0 };

	if (!CHECK(t, vfu && fd >= 0 && !ftruncate(fd, 0x3000)))
		return;
	/* two adjacent maps of one file: accesses may span them */
	CHECK_EQ(t, vfu_dma_map(vfu, 0x1000, 0x1000, dup(fd), 0,
				VFU_DMA_READ | VFU_DMA_WRITE), 0);
	CHECK_EQ(t, vfu_dma_map(vfu, 0x2000, 0x1000, dup(fd), 0x1000,
				VFU_DMA_READ | VFU_DMA_WRITE), 0);
	CHECK_EQ(t, vfu_dma_write(vfu, 0x1ff0, "0123456789abcdefghijklmnopqrstu",
				  32), 0);
	CHECK_EQ(t, vfu_dma_read(vfu, 0x1ff0, buf, 32), 0);
	CHECK(t, !memcmp(buf, "0123456789abcdefghijklmnopqrstu", 32));
	CHECK_EQ(t, vfu_dma_read(vfu, 0x2ff0, buf, 32), -EFAULT);
	CHECK_EQ(t, vfu_dma_read(vfu, 0xff0, buf, 32), -EFAULT);
	CHECK_EQ(t, vfu_dma_read(vfu, UINT64_MAX - 4, buf, 32), -EFAULT);
	CHECK_EQ(t, vfu_dma_read(vfu, 0x1000, buf, 0), 0);
	/* overlap, bad sizes, file too small, unknown unmap */
	CHECK_EQ(t, vfu_dma_map(vfu, 0x1800, 0x1000, -1, 0, VFU_DMA_READ),
		 -EEXIST);
	CHECK_EQ(t, vfu_dma_map(vfu, 0x8000, 0, -1, 0, VFU_DMA_READ), -EINVAL);
	CHECK_EQ(t, vfu_dma_map(vfu, UINT64_MAX - 0xfff, 0x2000, -1, 0,
				VFU_DMA_READ), -EINVAL);
	CHECK_EQ(t, vfu_dma_map(vfu, 0x8000, 0x1000, -1, 0, 4), -EINVAL);
	CHECK_EQ(t, vfu_dma_map(vfu, 0x8000, 0x4000, dup(fd), 0, VFU_DMA_READ),
		 -EINVAL);
	CHECK_EQ(t, vfu_dma_unmap(vfu, 0x1000, 0x800), -ENOENT);
	CHECK_EQ(t, vfu_dma_unmap(vfu, 0x1000, 0x1000), 0);
	CHECK_EQ(t, vfu_dma_read(vfu, 0x1ff0, buf, 4), -EFAULT);
	CHECK_EQ(t, vfu_dma_read(vfu, 0x2000, buf, 4), 0);
	close(fd);
	vfu_destroy(vfu);
}

static const struct tap_test tests[] = {
	{ "identity registers", test_identity },
	{ "BAR0 access size and alignment", test_bar0_access_rules },
	{ "extended telemetry: limits, average power, energy", test_telemetry2 },
	{ "config space identity", test_config_identity },
	{ "config capability chain", test_config_caps },
	{ "config BAR sizing and read-only bits", test_config_bar_sizing },
	{ "NOP and FENCE with interrupt", test_nop_fence },
	{ "FENCE without interrupt, ring wrap", test_fence_no_irq_and_wrap },
	{ "a TAIL write (or DOORBELL) starts the engine", test_tail_is_doorbell },
	{ "INT_MASK: pending source fires on unmask", test_mask_pending_unmask },
	{ "bad opcode", test_bad_opcode },
	{ "zero-length command", test_zero_length_cmd },
	{ "command runs past the buffer", test_cmd_past_end },
	{ "NOP with flags", test_nop_flags },
	{ "FENCE with wrong length", test_fence_bad_length },
	{ "FENCE with reserved bits", test_fence_reserved },
	{ "invalid descriptors", test_bad_descriptors },
	{ "DMA fault fetching commands", test_dma_fault_cmd },
	{ "DMA fault writing the fence", test_dma_fault_fence },
	{ "DMA fault fetching a descriptor", test_dma_fault_ring },
	{ "bad ring base, size or tail", test_bad_ring_config },
	{ "first error wins, ERR_ACK", test_first_error_wins_and_ack },
	{ "ring reset", test_ring_reset },
	{ "device reset register", test_device_reset },
	{ "reset while engines are busy", test_reset_while_busy },
	{ "FLR through a Device Control config write", test_flr_config_write },
	{ "PCI power states: D3hot and back to D0", test_power_states },
	{ "DMA unmap while an engine is busy", test_unmap_while_busy },
	{ "four rings, one vector each", test_multi_ring_vectors },
	{ "timestamp", test_timestamp },
	{ "DMA space accessors", test_dma_space },
};

int main(void)
{
	return tap_run(tests, ARRAY_SIZE(tests));
}
