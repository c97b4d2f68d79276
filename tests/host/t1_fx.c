// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The device-model fixture of test_t1_cmds and test_t1_train (t1_fx.h).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "t1_fx.h"
#include "tessera_regs.h"
#include "vfu.h"

static void h_hold(void *o) { vfu_dma_hold(((struct fx *)o)->vfu); }
static void h_release(void *o) { vfu_dma_release(((struct fx *)o)->vfu); }
static void *h_ptr(void *o, uint64_t a, uint64_t *l, bool w)
{
	return vfu_dma_ptr(((struct fx *)o)->vfu, a, l, w);
}
static void h_irq(void *o, unsigned int v) { (void)o; (void)v; }
static void h_log(void *o, const char *line)
{
	struct fx *fx = o;

	pthread_mutex_lock(&fx->log_lock);
	fx->log_lines++;
	snprintf(fx->log_last, sizeof(fx->log_last), "%s", line);
	if (strstr(line, "not logged"))
		fx->log_dropped = true;
	pthread_mutex_unlock(&fx->log_lock);
}

uint32_t rrd(struct fx *fx, unsigned int n, uint32_t r)
{
	return rd(fx, TESSERA_RING_BASE(n) + r);
}

void rwr(struct fx *fx, unsigned int n, uint32_t r, uint32_t v)
{
	wr(fx, TESSERA_RING_BASE(n) + r, v);
}

void ring_setup(struct fx *fx, unsigned int n)
{
	rwr(fx, n, TESSERA_RING_DESC_BASE_LO, (uint32_t)HOST(RING_OFF(n)));
	rwr(fx, n, TESSERA_RING_DESC_BASE_HI, HOST(RING_OFF(n)) >> 32);
	rwr(fx, n, TESSERA_RING_SIZE, RSIZE);
	rwr(fx, n, TESSERA_RING_FENCE_ADDR_LO, (uint32_t)HOST(FENCE_OFF(n)));
	rwr(fx, n, TESSERA_RING_FENCE_ADDR_HI, HOST(FENCE_OFF(n)) >> 32);
	rwr(fx, n, TESSERA_RING_CTRL, TESSERA_RING_CTRL_ENABLE);
	fx->tail[n] = 0;
}

bool fx_open(struct fx *fx, const struct fx_opts *o)
{
	struct t1_config cfg = {
		.ncompute = 2, .ndma = 1, .hbm_size = o->hbm_size,
		.fault_injection = o->fault_injection,
	};
	struct t1_host_ops ops = {
		.dma_hold = h_hold, .dma_release = h_release,
		.dma_ptr = h_ptr, .irq = h_irq, .log = h_log, .opaque = fx,
	};
	int fd;

	memset(fx, 0, sizeof(*fx));
	pthread_mutex_init(&fx->log_lock, NULL);
	fx->mem_size = o->mem_size;
	fx->wait_s = o->wait_s;
	fx->vfu = vfu_create();
	fd = memfd_create(o->name, MFD_CLOEXEC);
	if (!fx->vfu || fd < 0 || ftruncate(fd, (off_t)o->mem_size))
		return false;
	fx->mem = mmap(NULL, o->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fx->mem == MAP_FAILED ||
	    vfu_dma_map(fx->vfu, MEM_IOVA, o->mem_size, fd, 0, VFU_DMA_READ | VFU_DMA_WRITE))
		return false;
	close(fd);
	fx->t1 = t1_create(&cfg, &ops);
	if (!fx->t1)
		return false;
	fx->hbm = t1_hbm(fx->t1);
	for (unsigned int n = 0; n < NRINGS; n++)
		ring_setup(fx, n);
	fx->data_next = DATA_OFF;
	fx->pt_next = PT_OFF;
	return true;
}

void fx_fini(struct fx *fx)
{
	t1_destroy(fx->t1);
	vfu_destroy(fx->vfu);
	munmap(fx->mem, fx->mem_size);
}

uint64_t done_count(struct fx *fx, unsigned int n)
{
	return rrd(fx, n, TESSERA_RING_COMPLETED) + rrd(fx, n, TESSERA_RING_ABORTED);
}

bool wait_count(struct fx *fx, unsigned int n, uint64_t want)
{
	for (unsigned int i = 0; i < fx->wait_s * 2000; i++) {
		if (done_count(fx, n) >= want)
			return true;
		usleep(500);
	}
	return false;
}

void fx_desc(struct fx *fx, unsigned int n, uint32_t asid, uint64_t va, unsigned int ndw,
	     uint32_t flags)
{
	uint8_t *d = fx->mem + RING_OFF(n) + fx->tail[n] * TESSERA_DESC_SIZE;
	uint32_t size = ndw * 4;
	uint64_t tag = ++fx->tag;

	memset(d, 0, TESSERA_DESC_SIZE);
	memcpy(d + TESSERA_DESC_CMD_ADDR, &va, 8);
	memcpy(d + TESSERA_DESC_CMD_SIZE, &size, 4);
	memcpy(d + TESSERA_DESC_FLAGS, &flags, 4);
	memcpy(d + TESSERA_DESC_CONTEXT, &asid, 4);
	memcpy(d + TESSERA_DESC_TAG, &tag, 8);
	fx->tail[n] = (fx->tail[n] + 1) % RSIZE;
}

uint32_t fault_code(struct fx *fx, unsigned int n)
{
	uint32_t code = rrd(fx, n, TESSERA_RING_FAULT_STATUS) ?
			rrd(fx, n, TESSERA_RING_FAULT_CODE) : 0;

	rwr(fx, n, TESSERA_RING_FAULT_ACK, 1);
	rwr(fx, n, TESSERA_RING_CTX_RESUME, TESSERA_CTX_ALL);
	return code;
}

bool logged(struct fx *fx, const char *a, const char *b)
{
	bool ok;

	pthread_mutex_lock(&fx->log_lock);
	ok = strstr(fx->log_last, a) && (!b || strstr(fx->log_last, b));
	if (!ok)
		printf("# last log line: %s\n", fx->log_last);
	pthread_mutex_unlock(&fx->log_lock);
	return ok;
}

uint64_t pt_alloc(struct fx *fx)
{
	uint64_t off = fx->pt_next;

	fx->pt_next += 4096;
	memset(fx->mem + off, 0, 4096);
	return off;
}

void map_page(struct fx *fx, uint64_t root, uint64_t va, uint64_t pa, uint64_t flags,
	      bool huge)
{
	uint64_t table = root;

	for (int level = 4; level > (huge ? 2 : 1); level--) {
		uint64_t *e = (uint64_t *)(fx->mem + table) +
			      ((va >> (12 + 9 * (level - 1))) & 511);

		if (!(*e & TESSERA_PTE_VALID))
			*e = HOST(pt_alloc(fx)) | TESSERA_PTE_VALID;
		table = (*e & TESSERA_PTE_ADDR_MASK) - MEM_IOVA;
	}
	((uint64_t *)(fx->mem + table))[(va >> (huge ? 21 : 12)) & 511] =
		pa | flags | TESSERA_PTE_VALID | (huge ? TESSERA_PTE_HUGE : 0);
}

uint64_t fx_ctx(struct fx *fx, uint32_t asid, uint32_t count)
{
	uint64_t root = pt_alloc(fx);
	uint64_t *e = (uint64_t *)(fx->mem + CTX_OFF) + 2 * asid;

	e[0] = HOST(root) | TESSERA_PTE_VALID;
	e[1] = 0;
	wr(fx, TESSERA_REG_MMU_CTX_BASE_LO, (uint32_t)HOST(CTX_OFF));
	wr(fx, TESSERA_REG_MMU_CTX_BASE_HI, HOST(CTX_OFF) >> 32);
	wr(fx, TESSERA_REG_MMU_CTX_COUNT, count);
	return root;
}
