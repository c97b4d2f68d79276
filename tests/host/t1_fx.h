/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The device-model fixture test_t1_cmds and test_t1_train share: a T1
 * (tools/emu) with 2 compute rings and 1 DMA ring over a memfd the card
 * sees at MEM_IOVA through a vfio-user DMA map, ring helpers, page tables
 * and the model's last log line.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef T1_FX_H
#define T1_FX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "t1.h"

#define MEM_IOVA	0x100000000ull	/* host memory seen by the card */
#define HBM_SIZE	(16u << 20)
#define RING_OFF(n)	(0x1000u * (n))
#define FENCE_OFF(n)	(0x20000u + 0x40u * (n))
#define CMD_OFF(n)	(0x30000u + 0x10000u * (n))
#define CTX_OFF		0x1f0000u	/* context table */
#define PT_OFF		0x200000u	/* page-table pool */
#define DATA_OFF	0x1000000u	/* 16 MiB.. : data buffers */
#define HOST(off)	(MEM_IOVA + (off))
#define NRINGS		3		/* 2 compute + 1 DMA */
#define RSIZE		64

struct fx {
	struct vfu_ctx *vfu;
	struct t1 *t1;
	uint8_t *mem, *hbm;
	size_t mem_size;
	unsigned int wait_s;	/* how long wait_count() waits */
	unsigned int tail[NRINGS];
	uint64_t tag;
	uint64_t data_next;	/* next free data offset (test_t1_train) */
	uint32_t pt_next;	/* next free page-table page */
	/*
	 * test_t1_cmds: gemm_check() and softmax_layernorm_case() also run
	 * their commands in ASID 1 on a copy of their data in scattered
	 * pages (fx_scatter()), and compare the bits with the contiguous run.
	 */
	bool scatter;
	/* Guest-error lines the model logged (h_log). */
	pthread_mutex_t log_lock;
	unsigned int log_lines;
	char log_last[256];
	bool log_dropped;	/* a "not logged" line came */
};

struct fx_opts {
	const char *name;	/* of the memfd */
	size_t mem_size;
	uint64_t hbm_size;
	bool fault_injection;
	unsigned int wait_s;
};

bool fx_open(struct fx *fx, const struct fx_opts *o);
void fx_fini(struct fx *fx);

static inline uint32_t rd(struct fx *fx, uint32_t off) { return t1_reg_read(fx->t1, off); }
static inline void wr(struct fx *fx, uint32_t off, uint32_t v) { t1_reg_write(fx->t1, off, v); }
uint32_t rrd(struct fx *fx, unsigned int n, uint32_t r);
void rwr(struct fx *fx, unsigned int n, uint32_t r, uint32_t v);
/* Ring @n at its place in host memory, enabled, empty. */
void ring_setup(struct fx *fx, unsigned int n);

/* Descriptors completed or aborted on ring @n. */
uint64_t done_count(struct fx *fx, unsigned int n);
/* Until done_count() reaches @want, for at most fx->wait_s; false then. */
bool wait_count(struct fx *fx, unsigned int n, uint64_t want);
/* Write a descriptor for @ndw dwords at @va to ring @n and advance the tail (no MMIO). */
void fx_desc(struct fx *fx, unsigned int n, uint32_t asid, uint64_t va, unsigned int ndw,
	     uint32_t flags);
/* Fault code of the last context error on ring @n (0: none); clears it. */
uint32_t fault_code(struct fx *fx, unsigned int n);
/* The last log line holds @a and, unless NULL, @b; prints it if not. */
bool logged(struct fx *fx, const char *a, const char *b);

/* A zeroed page-table page from the pool. */
uint64_t pt_alloc(struct fx *fx);
/* Map @va -> @pa (host bus address or HBM offset) in the tree at @root. */
void map_page(struct fx *fx, uint64_t root, uint64_t va, uint64_t pa, uint64_t flags,
	      bool huge);
/* Context @asid with a fresh root in a table of @count; returns the root. */
uint64_t fx_ctx(struct fx *fx, uint32_t asid, uint32_t count);

#endif
