// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 device model: BAR0 registers, interrupts, errors, resets and the
 * command processors (one host thread per ring).
 *
 * Locking: one mutex, t1->lock, protects all device state.  Engine
 * threads drop it while they do DMA and take it again to update
 * registers; the socket thread takes it for every register and config
 * access.  Interrupts are sent with t1->lock held (lock order: t1->lock,
 * then whatever the host's irq callback takes).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "t1.h"
#include "tessera_regs.h"
#include "tessera_accel.h"

#define RING_REGS_SIZE		0x100

struct t1_ring {
	struct t1 *t1;
	unsigned int idx;
	pthread_t thread;
	pthread_cond_t kick;	/* waits on t1->lock: doorbell, reset, stop */
	uint32_t *cmdbuf;	/* engine thread only: the fetched commands */

	/* Registers and engine state, protected by t1->lock. */
	uint64_t desc_base;
	uint32_t size;
	uint32_t head;
	uint32_t tail;
	uint32_t ctrl;		/* TESSERA_RING_CTRL_ENABLE only */
	uint32_t completed;
	uint64_t fence_addr;
	uint64_t fence_seqno;
	bool error;
	bool kicked;		/* doorbell rung since the engine last idled */
	bool busy;		/* engine is executing a descriptor */
	/*
	 * Written with t1->lock held; the engine also polls it without the
	 * lock between commands to give up a descriptor quickly on reset.
	 */
	atomic_bool abort;
};

struct t1 {
	/* Immutable after t1_create(). */
	struct t1_host_ops ops;
	unsigned int nrings;
	uint32_t serial;

	/*
	 * lock protects everything below and the register state in each
	 * ring.  idle is signalled (on lock) when an engine stops being
	 * busy, for resets that wait for the engines.
	 */
	pthread_mutex_t lock;
	pthread_cond_t idle;
	bool stop;		/* t1_destroy(): engine threads exit */

	uint32_t scratch;
	uint32_t int_status;
	uint32_t int_mask;
	uint32_t err_code;
	uint32_t err_ring;
	uint64_t err_addr;
	struct timespec ts_base;
	uint32_t ts_hi_latch;
	struct t1_cfg cfg;

	struct t1_ring ring[T1_MAX_RINGS];
};

/* A descriptor, decoded. */
struct t1_desc {
	uint64_t cmd_addr;
	uint32_t cmd_size;
	uint32_t flags;
	uint32_t context;
	uint32_t rsvd0;
};

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* ---------------------------------------------------------------------
 * Interrupts and errors (t1->lock held)
 */

static void raise_irq(struct t1 *t1, uint32_t bit, unsigned int vector)
{
	t1->int_status |= bit;
	if (!(t1->int_mask & bit))
		t1->ops.irq(t1->ops.opaque, vector);
}

/* Send the vector of every pending source that has just been unmasked. */
static void irq_unmasked(struct t1 *t1, uint32_t unmasked)
{
	const struct t1_host_ops *ops = &t1->ops;
	uint32_t pending = t1->int_status & unmasked;

	for (unsigned int n = 0; n < t1->nrings; n++)
		if (pending & TESSERA_INT_RING(n))
			ops->irq(ops->opaque, TESSERA_MSIX_RING_VECTOR(n));
	if (pending & TESSERA_INT_ERROR)
		ops->irq(ops->opaque, TESSERA_MSIX_ERR_VECTOR(t1->nrings));
}

/* Stop ring @r with error @code; the first error is latched until ERR_ACK. */
static void ring_fail(struct t1_ring *r, uint32_t code, uint64_t addr)
{
	struct t1 *t1 = r->t1;

	r->error = true;
	if (t1->err_code == TESSERA_ERR_NONE) {
		t1->err_code = code;
		t1->err_ring = r->idx;
		t1->err_addr = addr;
	}
	raise_irq(t1, TESSERA_INT_ERROR, TESSERA_MSIX_ERR_VECTOR(t1->nrings));
}

/* ---------------------------------------------------------------------
 * Ring state (t1->lock held)
 */

static bool ring_can_run(const struct t1_ring *r)
{
	return (r->ctrl & TESSERA_RING_CTRL_ENABLE) && !r->error &&
	       r->head != r->tail && !atomic_load(&r->abort);
}

static bool ring_idle(const struct t1_ring *r)
{
	return !r->busy && !(r->kicked && ring_can_run(r));
}

static bool ring_config_ok(const struct t1_ring *r)
{
	return !(r->desc_base & 0xfff) && is_pow2(r->size) &&
	       r->size >= TESSERA_RING_SIZE_MIN &&
	       r->size <= TESSERA_RING_SIZE_MAX &&
	       r->head < r->size && r->tail < r->size;
}

/* Make the engine of @r give up its descriptor and wait until it has. */
static void ring_quiesce(struct t1_ring *r)
{
	struct t1 *t1 = r->t1;

	atomic_store(&r->abort, true);
	r->ctrl = 0;
	r->kicked = false;
	pthread_cond_signal(&r->kick);
	while (r->busy)
		pthread_cond_wait(&t1->idle, &t1->lock);
}

/* Ring reset: keeps DESC_BASE, SIZE and FENCE_ADDR. */
static void ring_reset_state(struct t1_ring *r)
{
	r->ctrl = 0;
	r->head = 0;
	r->tail = 0;
	r->completed = 0;
	r->fence_seqno = 0;
	r->error = false;
	r->kicked = false;
	atomic_store(&r->abort, false);
}

static void ring_reset(struct t1_ring *r)
{
	ring_quiesce(r);
	ring_reset_state(r);
}

/* Every register back to its reset value; engines must be quiescent. */
static void regs_reset(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		ring_reset_state(r);
		r->desc_base = 0;
		r->size = 0;
		r->fence_addr = 0;
	}
	t1->scratch = 0;
	t1->int_status = 0;
	t1->int_mask = 0xffffffff;
	t1->err_code = TESSERA_ERR_NONE;
	t1->err_ring = 0;
	t1->err_addr = 0;
	t1->ts_hi_latch = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1->ts_base);
}

static void device_reset(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++)
		ring_quiesce(&t1->ring[n]);
	regs_reset(t1);
}

/* ---------------------------------------------------------------------
 * Register reads and writes (t1->lock held)
 */

static uint64_t timestamp_ns(const struct t1 *t1)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - t1->ts_base.tv_sec) * 1000000000ull +
	       now.tv_nsec - t1->ts_base.tv_nsec;
}

static uint32_t ring_status(const struct t1_ring *r)
{
	uint32_t s = 0;

	if (ring_idle(r))
		s |= TESSERA_RING_STATUS_IDLE;
	if (r->error)
		s |= TESSERA_RING_STATUS_ERROR;
	if (r->ctrl & TESSERA_RING_CTRL_ENABLE)
		s |= TESSERA_RING_STATUS_ENABLED;
	return s;
}

static uint32_t ring_read(const struct t1_ring *r, uint32_t reg)
{
	switch (reg) {
	case TESSERA_RING_DESC_BASE_LO:	return r->desc_base;
	case TESSERA_RING_DESC_BASE_HI:	return r->desc_base >> 32;
	case TESSERA_RING_SIZE:		return r->size;
	case TESSERA_RING_HEAD:		return r->head;
	case TESSERA_RING_TAIL:		return r->tail;
	case TESSERA_RING_CTRL:		return r->ctrl;
	case TESSERA_RING_STATUS:	return ring_status(r);
	case TESSERA_RING_FENCE_ADDR_LO: return r->fence_addr;
	case TESSERA_RING_FENCE_ADDR_HI: return r->fence_addr >> 32;
	case TESSERA_RING_FENCE_SEQNO_LO: return r->fence_seqno;
	case TESSERA_RING_FENCE_SEQNO_HI: return r->fence_seqno >> 32;
	case TESSERA_RING_MSIX_VECTOR:	return TESSERA_MSIX_RING_VECTOR(r->idx);
	case TESSERA_RING_COMPLETED:	return r->completed;
	default:			return 0;
	}
}

/* The ring whose register block holds BAR0 offset @off, or NULL. */
static struct t1_ring *ring_at(struct t1 *t1, uint32_t off)
{
	if (off < TESSERA_RING_BASE(0) || off >= TESSERA_RING_BASE(t1->nrings))
		return NULL;
	return &t1->ring[(off - TESSERA_RING_BASE(0)) / RING_REGS_SIZE];
}

static uint32_t reg_read(struct t1 *t1, uint32_t off)
{
	struct t1_ring *r = ring_at(t1, off);
	uint64_t ts;

	if (r)
		return ring_read(r, off % RING_REGS_SIZE);

	switch (off) {
	case TESSERA_REG_ID:		return TESSERA_ID_MAGIC;
	case TESSERA_REG_VERSION:	return TESSERA_HW_VERSION(1, 0);
	case TESSERA_REG_ENGINES:	return t1->nrings;	/* no DMA */
	case TESSERA_REG_SCRATCH:	return t1->scratch;
	case TESSERA_REG_SERIAL:	return t1->serial;
	case TESSERA_REG_STATUS:
		return TESSERA_STATUS_READY |
		       (t1->err_code ? TESSERA_STATUS_ERROR : 0);
	case TESSERA_REG_INT_STATUS:	return t1->int_status;
	case TESSERA_REG_INT_MASK:	return t1->int_mask;
	case TESSERA_REG_ERR_CODE:	return t1->err_code;
	case TESSERA_REG_ERR_RING:	return t1->err_ring;
	case TESSERA_REG_ERR_ADDR_LO:	return t1->err_addr;
	case TESSERA_REG_ERR_ADDR_HI:	return t1->err_addr >> 32;
	case TESSERA_REG_TIMESTAMP_LO:
		ts = timestamp_ns(t1);
		t1->ts_hi_latch = ts >> 32;
		return ts;
	case TESSERA_REG_TIMESTAMP_HI:	return t1->ts_hi_latch;
	default:			return 0;	/* CAPS, HBM, holes */
	}
}

static void set_lo(uint64_t *reg, uint32_t v)
{
	*reg = (*reg & ~0xffffffffull) | v;
}

static void set_hi(uint64_t *reg, uint32_t v)
{
	*reg = (*reg & 0xffffffffull) | (uint64_t)v << 32;
}

static void ring_write_ctrl(struct t1_ring *r, uint32_t val)
{
	if (val & TESSERA_RING_CTRL_RESET) {
		ring_reset(r);
		return;
	}
	if (!(val & TESSERA_RING_CTRL_ENABLE)) {
		r->ctrl = 0;
		r->kicked = false;
		return;
	}
	if (r->ctrl & TESSERA_RING_CTRL_ENABLE)
		return;
	r->ctrl = TESSERA_RING_CTRL_ENABLE;
	if (!r->error && !ring_config_ok(r))
		ring_fail(r, TESSERA_ERR_RING_CONFIG, r->desc_base);
}

static void ring_write(struct t1_ring *r, uint32_t reg, uint32_t val)
{
	bool enabled = r->ctrl & TESSERA_RING_CTRL_ENABLE;

	switch (reg) {
	case TESSERA_RING_DESC_BASE_LO:
		if (!enabled)
			set_lo(&r->desc_base, val);
		break;
	case TESSERA_RING_DESC_BASE_HI:
		if (!enabled)
			set_hi(&r->desc_base, val);
		break;
	case TESSERA_RING_SIZE:
		if (!enabled)
			r->size = val;
		break;
	case TESSERA_RING_TAIL:
		r->tail = val;
		if (enabled && !r->error && val >= r->size)
			ring_fail(r, TESSERA_ERR_RING_CONFIG, r->desc_base);
		break;
	case TESSERA_RING_DOORBELL:
		if (enabled && !r->error) {
			r->kicked = true;
			pthread_cond_signal(&r->kick);
		}
		break;
	case TESSERA_RING_CTRL:
		ring_write_ctrl(r, val);
		break;
	case TESSERA_RING_FENCE_ADDR_LO:
		set_lo(&r->fence_addr, val & ~7u);
		break;
	case TESSERA_RING_FENCE_ADDR_HI:
		set_hi(&r->fence_addr, val);
		break;
	default:
		break;		/* read-only or undefined */
	}
}

static void reg_write(struct t1 *t1, uint32_t off, uint32_t val)
{
	struct t1_ring *r = ring_at(t1, off);
	uint32_t old;

	if (r) {
		ring_write(r, off % RING_REGS_SIZE, val);
		return;
	}

	switch (off) {
	case TESSERA_REG_SCRATCH:
		t1->scratch = val;
		break;
	case TESSERA_REG_RESET:
		if (val == TESSERA_RESET_MAGIC)
			device_reset(t1);
		break;
	case TESSERA_REG_INT_STATUS:
		t1->int_status &= ~val;
		break;
	case TESSERA_REG_INT_MASK:
		old = t1->int_mask;
		t1->int_mask = val;
		irq_unmasked(t1, old & ~val);
		break;
	case TESSERA_REG_ERR_ACK:
		t1->err_code = TESSERA_ERR_NONE;
		t1->err_ring = 0;
		t1->err_addr = 0;
		break;
	default:
		break;		/* read-only or undefined */
	}
}

/* ---------------------------------------------------------------------
 * Command processor (engine threads, t1->lock not held unless stated)
 */

static void desc_decode(const uint8_t *raw, struct t1_desc *d)
{
	d->cmd_addr = get_le64(raw + TESSERA_DESC_CMD_ADDR);
	d->cmd_size = get_le32(raw + TESSERA_DESC_CMD_SIZE);
	d->flags = get_le32(raw + TESSERA_DESC_FLAGS);
	d->context = get_le32(raw + TESSERA_DESC_CONTEXT);
	d->rsvd0 = get_le32(raw + TESSERA_DESC_RSVD0);
}

static bool desc_valid(const struct t1_desc *d)
{
	return d->cmd_size && !(d->cmd_size % 4) &&
	       d->cmd_size <= TESSERA_DESC_CMD_SIZE_MAX &&
	       !(d->cmd_addr % 4) && !d->flags && !d->context && !d->rsvd0;
}

/*
 * FENCE: write the value to the ring's fence address, then publish it in
 * FENCE_SEQNO and raise the ring interrupt if asked to.
 */
static int exec_fence(struct t1_ring *r, uint32_t hdr, const uint8_t *cmd,
		      uint32_t len, uint64_t *fault)
{
	struct t1 *t1 = r->t1;
	uint64_t value, addr, le;
	int ret = 0;

	if (len != TESSERA_CMD_FENCE_LEN ||
	    (TESSERA_CMD_FLAGS(hdr) & ~TESSERA_CMD_FENCE_IRQ) ||
	    get_le32(cmd + 4))
		return TESSERA_ERR_INVALID_CMD;
	value = get_le64(cmd + 8);

	pthread_mutex_lock(&t1->lock);
	addr = r->fence_addr;
	pthread_mutex_unlock(&t1->lock);
	if (atomic_load(&r->abort))
		return -ECANCELED;

	le = htole64(value);
	if (t1->ops.dma_write(t1->ops.opaque, addr, &le, sizeof(le))) {
		*fault = addr;
		return TESSERA_ERR_DMA_FAULT;
	}

	pthread_mutex_lock(&t1->lock);
	if (atomic_load(&r->abort)) {
		ret = -ECANCELED;
	} else {
		r->fence_seqno = value;
		if (TESSERA_CMD_FLAGS(hdr) & TESSERA_CMD_FENCE_IRQ)
			raise_irq(t1, TESSERA_INT_RING(r->idx),
				  TESSERA_MSIX_RING_VECTOR(r->idx));
	}
	pthread_mutex_unlock(&t1->lock);
	return ret;
}

/* Run @ndw dwords of commands fetched from bus address @addr. */
static int exec_cmds(struct t1_ring *r, uint64_t addr, uint32_t ndw,
		     uint64_t *fault)
{
	const uint8_t *buf = (const uint8_t *)r->cmdbuf;
	uint32_t len;
	int ret;

	for (uint32_t i = 0; i < ndw; i += len) {
		uint32_t hdr = get_le32(buf + 4 * i);

		if (atomic_load(&r->abort))
			return -ECANCELED;
		len = TESSERA_CMD_LEN(hdr);
		*fault = addr + 4ull * i;
		if (!len || len > ndw - i)
			return TESSERA_ERR_INVALID_CMD;

		switch (TESSERA_CMD_OPCODE(hdr)) {
		case TESSERA_CMD_OP_NOP:
			if (TESSERA_CMD_FLAGS(hdr))
				return TESSERA_ERR_INVALID_CMD;
			break;
		case TESSERA_CMD_OP_FENCE:
			ret = exec_fence(r, hdr, buf + 4 * i, len, fault);
			if (ret)
				return ret;
			break;
		default:
			return TESSERA_ERR_INVALID_CMD;
		}
	}
	return 0;
}

/*
 * Fetch, check and execute descriptor @head of the ring at @base.
 * Returns 0, a TESSERA_ERR_* code with *fault set, or -ECANCELED.
 */
static int ring_exec(struct t1_ring *r, uint64_t base, uint32_t head,
		     uint64_t *fault)
{
	const struct t1_host_ops *ops = &r->t1->ops;
	uint8_t raw[TESSERA_DESC_SIZE];
	struct t1_desc d;

	*fault = base + (uint64_t)head * TESSERA_DESC_SIZE;
	if (ops->dma_read(ops->opaque, *fault, raw, sizeof(raw)))
		return TESSERA_ERR_DMA_FAULT;
	desc_decode(raw, &d);
	if (!desc_valid(&d))
		return TESSERA_ERR_INVALID_DESC;

	*fault = d.cmd_addr;
	if (ops->dma_read(ops->opaque, d.cmd_addr, r->cmdbuf, d.cmd_size))
		return TESSERA_ERR_DMA_FAULT;
	return exec_cmds(r, d.cmd_addr, d.cmd_size / 4, fault);
}

/* Account for a descriptor the engine has finished.  t1->lock held. */
static void ring_retire(struct t1_ring *r, uint32_t head, uint32_t size,
			int ret, uint64_t fault)
{
	if (atomic_load(&r->abort) || ret == -ECANCELED)
		return;
	if (ret) {
		ring_fail(r, ret, fault);
		return;
	}
	r->head = (head + 1) & (size - 1);
	r->completed++;
}

static void *ring_thread(void *arg)
{
	struct t1_ring *r = arg;
	struct t1 *t1 = r->t1;

	pthread_mutex_lock(&t1->lock);
	while (!t1->stop) {
		uint32_t head, size;
		uint64_t base, fault = 0;
		int ret;

		if (!ring_can_run(r))
			r->kicked = false;
		if (!r->kicked) {
			pthread_cond_wait(&r->kick, &t1->lock);
			continue;
		}
		base = r->desc_base;
		head = r->head;
		size = r->size;
		r->busy = true;
		pthread_mutex_unlock(&t1->lock);

		ret = ring_exec(r, base, head, &fault);

		pthread_mutex_lock(&t1->lock);
		r->busy = false;
		ring_retire(r, head, size, ret, fault);
		pthread_cond_broadcast(&t1->idle);
	}
	pthread_mutex_unlock(&t1->lock);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Public interface
 */

int t1_bar0_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		   bool write)
{
	uint8_t *p = buf;

	if ((len != 4 && len != 8) || off % len || off >= TESSERA_BAR0_SIZE ||
	    len > TESSERA_BAR0_SIZE - off)
		return -EINVAL;

	pthread_mutex_lock(&t1->lock);
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t v;

		if (write) {
			memcpy(&v, p + i, 4);
			reg_write(t1, off + i, le32toh(v));
		} else {
			v = htole32(reg_read(t1, off + i));
			memcpy(p + i, &v, 4);
		}
	}
	pthread_mutex_unlock(&t1->lock);
	return 0;
}

int t1_cfg_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		  bool write)
{
	if (!len || off >= T1_CFG_SIZE || len > T1_CFG_SIZE - off)
		return -EINVAL;

	pthread_mutex_lock(&t1->lock);
	if (write)
		t1_cfg_write(&t1->cfg, off, buf, len);
	else
		t1_cfg_read(&t1->cfg, off, buf, len);
	pthread_mutex_unlock(&t1->lock);
	return 0;
}

uint32_t t1_reg_read(struct t1 *t1, uint32_t off)
{
	uint32_t v = 0;

	if (t1_bar0_access(t1, off, &v, sizeof(v), false))
		return 0xffffffff;
	return le32toh(v);
}

void t1_reg_write(struct t1 *t1, uint32_t off, uint32_t val)
{
	uint32_t v = htole32(val);

	t1_bar0_access(t1, off, &v, sizeof(v), true);
}

void t1_reset(struct t1 *t1)
{
	pthread_mutex_lock(&t1->lock);
	device_reset(t1);
	t1_cfg_init(&t1->cfg, t1->nrings + 1);
	pthread_mutex_unlock(&t1->lock);
}

unsigned int t1_msix_count(const struct t1 *t1)
{
	return t1->nrings + 1;
}

static void t1_stop_engines(struct t1 *t1, unsigned int nthreads)
{
	pthread_mutex_lock(&t1->lock);
	t1->stop = true;
	for (unsigned int n = 0; n < t1->nrings; n++) {
		atomic_store(&t1->ring[n].abort, true);
		pthread_cond_signal(&t1->ring[n].kick);
	}
	pthread_mutex_unlock(&t1->lock);
	for (unsigned int n = 0; n < nthreads; n++)
		pthread_join(t1->ring[n].thread, NULL);
}

static void t1_free(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++) {
		pthread_cond_destroy(&t1->ring[n].kick);
		free(t1->ring[n].cmdbuf);
	}
	pthread_cond_destroy(&t1->idle);
	pthread_mutex_destroy(&t1->lock);
	free(t1);
}

static int t1_start_engines(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++) {
		if (pthread_create(&t1->ring[n].thread, NULL, ring_thread,
				   &t1->ring[n])) {
			t1_stop_engines(t1, n);
			return -EAGAIN;
		}
	}
	return 0;
}

struct t1 *t1_create(const struct t1_config *cfg,
		     const struct t1_host_ops *ops)
{
	struct t1 *t1;

	if (!cfg->nrings || cfg->nrings > T1_MAX_RINGS)
		return NULL;
	t1 = calloc(1, sizeof(*t1));
	if (!t1)
		return NULL;
	t1->ops = *ops;
	t1->nrings = cfg->nrings;
	t1->serial = cfg->serial;
	pthread_mutex_init(&t1->lock, NULL);
	pthread_cond_init(&t1->idle, NULL);
	for (unsigned int n = 0; n < t1->nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		r->t1 = t1;
		r->idx = n;
		pthread_cond_init(&r->kick, NULL);
		atomic_init(&r->abort, false);
		r->cmdbuf = malloc(TESSERA_DESC_CMD_SIZE_MAX);
		if (!r->cmdbuf) {
			t1->nrings = n + 1;
			t1_free(t1);
			return NULL;
		}
	}
	regs_reset(t1);
	t1_cfg_init(&t1->cfg, t1->nrings + 1);
	if (t1_start_engines(t1)) {
		t1_free(t1);
		return NULL;
	}
	return t1;
}

void t1_destroy(struct t1 *t1)
{
	if (!t1)
		return;
	t1_stop_engines(t1, t1->nrings);
	t1_free(t1);
}
