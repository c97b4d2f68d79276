// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * libFuzzer target: the T1 command processor behind the device MMU.
 *
 * One device model lives for the whole run, in front of a fake 4 MiB DMA
 * space.  Each input starts from a device reset and a fixed setup: three
 * rings (two compute, one DMA), a context table with two page-table
 * trees (4 KiB and 2 MiB pages, host memory and HBM, read-only and
 * read-write), and patterned data.  The input then picks a few control
 * values and supplies the command buffer; the harness submits it as one
 * descriptor and waits for the engine to finish it.
 *
 * Input layout:
 *   byte 0  ring (mod 3)
 *   byte 1  context: 0 (bus addresses), 1 and 2 (page tables), 3 (past
 *           the context table), anything else taken mod 4
 *   byte 2  descriptor flags, raw (invalid bits included)
 *   byte 3  bit 0: command buffer in HBM instead of host memory,
 *           bit 1: invalidate the TLB first, bit 2: command size is one
 *           byte short (not a whole number of dwords)
 *   rest    command dwords, little endian (at most CMD_MAX bytes)
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t1.h"
#include "accel/tessera_cmd.h"
#include "tessera_regs.h"

#define MEM_IOVA	0x100000000ull	/* 2 MiB aligned, for the huge page */
#define MEM_SIZE	(4u << 20)
#define HBM_SIZE	(1u << 20)
#define NRINGS		3
#define RSIZE		16
#define RING_OFF(n)	(0x1000u * (n))
#define FENCE_OFF	0x4000u
#define CTX_OFF		0x8000u
#define PT_OFF		0x10000u	/* page-table pool, up to CMD_OFF */
#define CMD_OFF		0x40000u
#define CMD_MAX		0x10000u
#define HBM_CMD_OFF	0xf0000u	/* last 64 KiB of HBM */
#define HOST(off)	(MEM_IOVA + (off))
#define BYP(off)	(TESSERA_BYPASS_HBM_BASE + (off))
#define VA_CMD		0x10000000ull
#define VA_DATA		0x20000000ull	/* 1 MiB of host memory, 4 KiB pages */
#define VA_HBM		0x30000000ull	/* HBM, 4 KiB pages */
#define VA_HUGE		0x40000000ull	/* host 2..4 MiB, one 2 MiB page */
#define RW		(TESSERA_PTE_READ | TESSERA_PTE_WRITE)
/* Inputs whose GEMMs need more multiply-adds are skipped (time, not bugs). */
#define GEMM_MAX_MACS	(1ull << 22)

static struct t1 *t1;
static uint8_t *mem, *hbm;
static uint32_t pt_next;
static uint64_t tag;

static void h_hold(void *o) { (void)o; }
static void h_release(void *o) { (void)o; }
static void h_irq(void *o, unsigned int v) { (void)o; (void)v; }
/* Guest-error lines are formatted (and so fuzzed), then dropped. */
static void h_log(void *o, const char *line) { (void)o; (void)line; }

static void *h_ptr(void *o, uint64_t addr, uint64_t *len, bool write)
{
	uint64_t off = addr - MEM_IOVA;

	(void)o;
	(void)write;
	if (addr < MEM_IOVA || off >= MEM_SIZE)
		return NULL;
	if (*len > MEM_SIZE - off)
		*len = MEM_SIZE - off;
	return mem + off;
}

static void wr(uint32_t off, uint32_t v) { t1_reg_write(t1, off, v); }
static uint32_t rrd(unsigned int n, uint32_t r)
{
	return t1_reg_read(t1, TESSERA_RING_BASE(n) + r);
}
static void rwr(unsigned int n, uint32_t r, uint32_t v)
{
	wr(TESSERA_RING_BASE(n) + r, v);
}

static uint64_t pt_alloc(void)
{
	uint64_t off = pt_next;

	pt_next += 4096;
	if (pt_next > CMD_OFF)
		abort();	/* the fixed setup outgrew its pool */
	memset(mem + off, 0, 4096);
	return off;
}

static void map_page(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags,
		     bool huge)
{
	uint64_t table = root;

	for (int level = 4; level > (huge ? 2 : 1); level--) {
		uint64_t *e = (uint64_t *)(mem + table) +
			      ((va >> (12 + 9 * (level - 1))) & 511);

		if (!(*e & TESSERA_PTE_VALID))
			*e = HOST(pt_alloc()) | TESSERA_PTE_VALID;
		table = (*e & TESSERA_PTE_ADDR_MASK) - MEM_IOVA;
	}
	((uint64_t *)(mem + table))[(va >> (huge ? 21 : 12)) & 511] =
		pa | flags | TESSERA_PTE_VALID | (huge ? TESSERA_PTE_HUGE : 0);
}

static void map_range(uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
		      uint64_t flags)
{
	for (uint64_t o = 0; o < size; o += 4096)
		map_page(root, va + o, pa + o, flags, false);
}

/* Context @asid; @rw: data writable. */
static void ctx_create(uint32_t asid, bool rw)
{
	uint64_t root = pt_alloc();
	uint64_t *e = (uint64_t *)(mem + CTX_OFF) + 2 * asid;
	uint64_t data = rw ? RW : TESSERA_PTE_READ;

	e[0] = HOST(root) | TESSERA_PTE_VALID;
	e[1] = 0;
	map_range(root, VA_CMD, HOST(CMD_OFF), CMD_MAX, TESSERA_PTE_READ);
	map_range(root, VA_CMD + CMD_MAX, HBM_CMD_OFF | TESSERA_PTE_DEVMEM,
		  0x10000, TESSERA_PTE_READ);
	/* A hole in the middle of the host data in context 2. */
	map_range(root, VA_DATA, HOST(0x100000), rw ? 0x100000 : 0x80000, data);
	if (!rw)
		map_range(root, VA_DATA + 0x81000, HOST(0x181000), 0x7f000,
			  data);
	map_range(root, VA_HBM, 0 | TESSERA_PTE_DEVMEM, 0x40000, data);
	map_page(root, VA_HUGE, HOST(0x200000), data, true);
}

static void setup(void)
{
	/* Patterned data: small floats, ints and bytes all appear. */
	for (uint32_t i = 0x100000; i < MEM_SIZE; i += 4) {
		uint32_t v = (i & 0x3c) ? 0x3f800000u + ((i >> 2) & 0xffff) * 0x80u
					: i;

		memcpy(mem + i, &v, 4);
	}
	memset(mem, 0, 0x100000);
	memset(hbm, 0x3c, HBM_SIZE);

	t1_reset(t1);
	pt_next = PT_OFF;
	ctx_create(1, true);
	ctx_create(2, false);
	wr(TESSERA_REG_MMU_CTX_BASE_LO, (uint32_t)HOST(CTX_OFF));
	wr(TESSERA_REG_MMU_CTX_BASE_HI, HOST(CTX_OFF) >> 32);
	wr(TESSERA_REG_MMU_CTX_COUNT, 3);
	wr(TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ALL);
	/* A SEMAPHORE wait that is never signalled ends here. */
	wr(TESSERA_REG_WATCHDOG_MS, 100);
	for (unsigned int n = 0; n < NRINGS; n++) {
		rwr(n, TESSERA_RING_DESC_BASE_LO, (uint32_t)HOST(RING_OFF(n)));
		rwr(n, TESSERA_RING_DESC_BASE_HI, HOST(RING_OFF(n)) >> 32);
		rwr(n, TESSERA_RING_SIZE, RSIZE);
		rwr(n, TESSERA_RING_FENCE_ADDR_LO,
		    (uint32_t)HOST(FENCE_OFF + 0x40 * n));
		rwr(n, TESSERA_RING_FENCE_ADDR_HI,
		    HOST(FENCE_OFF + 0x40 * n) >> 32);
		rwr(n, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	}
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Would a GEMM or BGEMM in @dw run too long for a fuzzing input? */
static bool too_slow(const uint8_t *dw, size_t ndw)
{
	size_t i = 0;

	while (i < ndw) {
		uint32_t h = le32(dw + 4 * i);
		uint32_t len = TESSERA_CMD_LEN(h);

		if (!len)
			break;
		if (TESSERA_CMD_OPCODE(h) == TESSERA_CMD_OP_GEMM &&
		    i + TESSERA_CMD_GEMM_LEN <= ndw) {
			uint64_t d[3];

			for (int j = 0; j < 3; j++)
				d[j] = le32(dw + 4 * (i + 2 + j));
			if (d[0] * d[1] > GEMM_MAX_MACS ||
			    d[0] * d[1] * d[2] > GEMM_MAX_MACS)
				return true;
		}
		/* BGEMM: batch0 x batch1 of them (broadcasts cost no memory) */
		if (TESSERA_CMD_OPCODE(h) == TESSERA_CMD_OP_BGEMM &&
		    i + TESSERA_CMD_BGEMM_LEN <= ndw) {
			uint64_t m = le32(dw + 4 * (i + 2)), n = le32(dw + 4 * (i + 3));
			uint64_t k = le32(dw + 4 * (i + 4));
			uint64_t b = (uint64_t)le32(dw + 4 * (i + 16)) * le32(dw + 4 * (i + 17));

			if (m * n > GEMM_MAX_MACS || m * n * k > GEMM_MAX_MACS ||
			    b > GEMM_MAX_MACS || b * m * n * k > GEMM_MAX_MACS)
				return true;
		}
		i += len;
	}
	return false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct t1_config cfg = {
		.ncompute = 2, .ndma = 1, .hbm_size = HBM_SIZE,
	};
	struct t1_host_ops ops = {
		.dma_hold = h_hold, .dma_release = h_release,
		.dma_ptr = h_ptr, .irq = h_irq, .log = h_log,
	};

	(void)argc;
	(void)argv;
	mem = malloc(MEM_SIZE);
	t1 = t1_create(&cfg, &ops);
	if (!mem || !t1)
		abort();
	hbm = t1_hbm(t1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int n, tail;
	uint32_t asid, flags, csize;
	uint64_t va, before;
	uint8_t *d;
	bool in_hbm;

	if (size < 4 || size - 4 > CMD_MAX)
		return -1;
	n = data[0] % NRINGS;
	asid = data[1] % 4;
	flags = data[2];
	in_hbm = data[3] & 1;
	csize = (uint32_t)(size - 4);
	if (too_slow(data + 4, csize / 4))
		return -1;
	if ((data[3] & 4) && csize)
		csize--;

	setup();
	memcpy(in_hbm ? hbm + HBM_CMD_OFF : mem + CMD_OFF, data + 4, size - 4);
	if (asid)
		va = in_hbm ? VA_CMD + CMD_MAX : VA_CMD;
	else
		va = in_hbm ? BYP(HBM_CMD_OFF) : HOST(CMD_OFF);
	if (data[3] & 2)
		wr(TESSERA_REG_MMU_TLB_INV, TESSERA_TLB_INV_ALL);

	tail = rrd(n, TESSERA_RING_TAIL) % RSIZE;
	d = mem + RING_OFF(n) + tail * TESSERA_DESC_SIZE;
	memset(d, 0, TESSERA_DESC_SIZE);
	memcpy(d + TESSERA_DESC_CMD_ADDR, &va, 8);
	memcpy(d + TESSERA_DESC_CMD_SIZE, &csize, 4);
	memcpy(d + TESSERA_DESC_FLAGS, &flags, 4);
	memcpy(d + TESSERA_DESC_CONTEXT, &asid, 4);
	++tag;
	memcpy(d + TESSERA_DESC_TAG, &tag, 8);

	before = (uint64_t)rrd(n, TESSERA_RING_COMPLETED) +
		 rrd(n, TESSERA_RING_ABORTED);
	rwr(n, TESSERA_RING_TAIL, (tail + 1) % RSIZE);
	rwr(n, TESSERA_RING_DOORBELL, 1);
	/*
	 * Done when the descriptor completes or aborts, or the ring stops
	 * on a descriptor-level error.  The watchdog bounds every wait.
	 */
	for (unsigned int i = 0; i < 100000; i++) {
		uint64_t done = (uint64_t)rrd(n, TESSERA_RING_COMPLETED) +
				rrd(n, TESSERA_RING_ABORTED);

		if (done > before ||
		    (rrd(n, TESSERA_RING_STATUS) & TESSERA_RING_STATUS_ERROR))
			return 0;
		usleep(i < 100 ? 0 : 100);
	}
	abort();	/* the engine neither finished nor failed in 10 s */
}
