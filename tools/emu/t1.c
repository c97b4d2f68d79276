// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 device model: BAR0 registers, BAR2 device memory, interrupts,
 * errors, resets, telemetry, watchdog, fault injection, and the engines
 * (one host thread per ring).  Commands are in t1_cmd.c, translation in
 * t1_mmu.c.
 *
 * Locking: one mutex, t1->lock, protects all register and engine state.
 * Engine threads drop it while they execute a descriptor (holding the
 * host's DMA space instead) and take it again to update registers; the
 * socket thread takes it for every register and config access; the
 * monitor thread takes it every tick.  Interrupts are sent with t1->lock
 * held (lock order: t1->lock, then whatever the host's irq callback
 * takes).  An engine may take t1->lock while it holds the DMA space; the
 * socket thread never holds the DMA space exclusively while it waits for
 * t1->lock, so the order t1->lock -> DMA space is never needed.
 *
 * No register or config access waits for an engine.  A ring, device or
 * function reset sets the register state at once and asks each busy
 * engine to abandon its descriptor (abort); the engine notices within a
 * tile of work (t1_cmd.c, t1_math.c) and completes the reset itself when
 * it lets go (ring_let_go()).  Until then RING_STATUS.RESETTING is set,
 * and for a device reset STATUS.READY is clear.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "t1_priv.h"

#define MON_TICK_NS	10000000ull	/* monitor: 10 ms */
#define TEMP_IDLE_MC	40000.0
#define TEMP_FULL_MC	88000.0
#define TEMP_CRIT_MC	95000
#define POWER_IDLE_MW	25000.0
#define POWER_D3_MW	3000.0		/* D3hot standby */
#define TEMP_D3_MC	32000.0
#define POWER_FULL_MW	280000.0
#define POWER_CAP_MW	300000
#define CLOCK_MHZ	1000
#define CLOCK_THROTTLE_MHZ 800

/* A descriptor, decoded. */
struct t1_desc {
	uint64_t cmd_addr;
	uint32_t cmd_size;
	uint32_t flags;
	uint32_t context;
	uint32_t rsvd0;
	uint64_t tag;
};

/* How a descriptor ended. */
enum desc_result {
	DESC_DONE,		/* completed */
	DESC_ABORTED,		/* context error or halted context: skipped */
	DESC_RING_ERROR,	/* descriptor-level error: the ring stops */
	DESC_CANCELED,		/* reset, watchdog or shutdown */
};

static uint64_t mono_ns(const struct t1 *t1)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - t1->ts_origin.tv_sec) * 1000000000ull +
	       now.tv_nsec - t1->ts_origin.tv_nsec;
}

uint64_t t1_now_ns(const struct t1 *t1)
{
	struct t1 *m = (struct t1 *)t1;
	uint64_t v;

	pthread_mutex_lock(&m->lock);
	v = mono_ns(t1) - t1->ts_base;
	pthread_mutex_unlock(&m->lock);
	return v;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* ---------------------------------------------------------------------
 * Interrupts and errors (t1->lock held)
 */

static void raise_irq(struct t1 *t1, uint32_t bit, unsigned int vector)
{
	t1->int_status |= bit;
	if (!(t1->int_mask & bit) && !t1->d3hot)
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

/* Latch the first error in ERR_* and raise the error vector. */
static void error_event(struct t1_ring *r, uint32_t code, uint64_t addr)
{
	struct t1 *t1 = r->t1;

	if (t1->err_code == TESSERA_ERR_NONE) {
		t1->err_code = code;
		t1->err_ring = r->idx;
		t1->err_addr = addr;
	}
	raise_irq(t1, TESSERA_INT_ERROR, TESSERA_MSIX_ERR_VECTOR(t1->nrings));
}

/* Stop ring @r with error @code. */
static void ring_fail(struct t1_ring *r, uint32_t code, uint64_t addr)
{
	r->error = true;
	r->fresh = false;
	error_event(r, code, addr);
}

static bool asid_halted(const struct t1_ring *r, uint32_t asid)
{
	return r->halted[asid / 64] & (1ull << (asid % 64));
}

/* A context error on @r: latch the syndrome, halt the context. */
static void context_fault(struct t1_ring *r, uint32_t asid, uint64_t tag,
			  const struct t1_fault *f)
{
	if (r->fault_valid) {
		r->fault_overflow = true;
	} else {
		r->fault_valid = true;
		r->fault = *f;
		r->fault_asid = asid;
		r->fault_tag = tag;
	}
	r->fault_count++;
	r->halted[asid / 64] |= 1ull << (asid % 64);
	error_event(r, f->code, f->va);
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

/*
 * Stop ring @r and make its engine abandon the descriptor it is running,
 * if any, without waiting: the engine lets go at its next check of abort
 * (ring_let_go()).  A descriptor abandoned this way retires nothing,
 * writes no fence and raises no interrupt.
 */
static void ring_abandon(struct t1_ring *r)
{
	r->ctrl = 0;
	r->kicked = false;
	if (r->busy) {
		atomic_store(&r->abort, true);
		r->resetting = true;
	} else {
		atomic_store(&r->abort, false);
	}
}

static bool any_ring_resetting(const struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++)
		if (t1->ring[n].resetting)
			return true;
	return false;
}

/*
 * The engine of @r has stopped executing (r->busy just cleared): a reset
 * waiting for it completes.  The ring may run again at once: software may
 * have programmed and kicked it while the reset was in progress.
 */
static void ring_let_go(struct t1_ring *r)
{
	struct t1 *t1 = r->t1;

	if (!r->resetting)
		return;
	r->resetting = false;
	atomic_store(&r->abort, false);
	if (t1->dev_resetting && !any_ring_resetting(t1))
		t1->dev_resetting = false;
}

/*
 * Ring reset values: keeps DESC_BASE, SIZE and FENCE_ADDR.  The engine's
 * abort and resetting state, and TLB invalidations waiting for the
 * descriptor it may still be running, follow the engine (ring_abandon()).
 */
static void ring_reset_state(struct t1_ring *r)
{
	r->ctrl = 0;
	r->head = 0;
	r->tail = 0;
	r->completed = 0;
	r->aborted = 0;
	r->fence_seqno = 0;
	r->error = false;
	r->hung = false;
	r->reset_failed = false;
	r->kicked = false;
	r->fresh = true;
	r->fault_valid = false;
	r->fault_overflow = false;
	memset(&r->fault, 0, sizeof(r->fault));
	r->fault_asid = 0;
	r->fault_tag = 0;
	r->halt_query = 0;
	memset(r->halted, 0, sizeof(r->halted));
	atomic_store(&r->fi_hang, false);
	atomic_store(&r->fi_fault, false);
}

/* RING_CTRL.RESET: the registers now, the engine when it lets go. */
static void ring_reset(struct t1_ring *r)
{
	struct t1 *t1 = r->t1;

	ring_abandon(r);
	t1->engine_resets++;
	if (atomic_exchange(&r->fi_reset_fail, false)) {
		r->reset_failed = true;
		ring_fail(r, TESSERA_ERR_RESET_FAILED, r->idx);
		return;
	}
	if (r->reset_failed)	/* only a device reset recovers */
		return;
	ring_reset_state(r);
	/* The engine's TLB goes with it (all engines', to keep it simple). */
	atomic_fetch_add(&t1->tlb_epoch, 1);
}

/*
 * Every register back to its reset value.  Engines still running an
 * abandoned descriptor (ring_abandon()) cannot change them any more.
 */
static void regs_reset(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		ring_reset_state(r);
		atomic_store(&r->fi_reset_fail, false);
		r->desc_base = 0;
		r->size = 0;
		r->fence_addr = 0;
		r->fault_count = 0;
		atomic_store(&r->pt_walks, 0);
	}
	t1->scratch = 0;
	t1->int_status = 0;
	t1->int_mask = 0xffffffff;
	t1->err_code = TESSERA_ERR_NONE;
	t1->err_ring = 0;
	t1->err_addr = 0;
	t1->ts_hi_latch = 0;
	t1->ts_base = mono_ns(t1);
	t1->watchdog_ms = 0;
	t1->reset_failed = false;
	t1->ctx_base = 0;
	t1->ctx_count = 0;
	t1->inv_asid = 0;
	t1->fi_dev_reset_fail = false;
	t1->engine_resets = 0;
	atomic_store(&t1->fi_ecc, false);
	atomic_fetch_add(&t1->tlb_epoch, 1);
}

/*
 * RESET: registers now; STATUS.READY stays clear until every engine has
 * let go of the descriptor it was running (ring_let_go()).
 */
static void device_reset(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++)
		ring_abandon(&t1->ring[n]);
	t1->dev_resetting = any_ring_resetting(t1);
	if (t1->fi_dev_reset_fail) {
		t1->fi_dev_reset_fail = false;
		t1->reset_failed = true;
		for (unsigned int n = 0; n < t1->nrings; n++)
			ring_fail(&t1->ring[n], TESSERA_ERR_RESET_FAILED,
				  TESSERA_FI_DEVICE);
		return;
	}
	regs_reset(t1);
}

/* ---------------------------------------------------------------------
 * Register reads and writes (t1->lock held)
 */

static uint64_t ring_busy_ns(const struct t1_ring *r, uint64_t now)
{
	return r->busy_ns + (r->busy ? now - r->busy_since : 0);
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
	if (r->hung)
		s |= TESSERA_RING_STATUS_HUNG;
	if (r->reset_failed)
		s |= TESSERA_RING_STATUS_RESET_FAILED;
	if (r->fault_valid)
		s |= TESSERA_RING_STATUS_FAULT;
	if (r->resetting)
		s |= TESSERA_RING_STATUS_RESETTING;
	if (r->fresh)
		s |= TESSERA_RING_STATUS_FRESH;
	return s;
}

static uint32_t ring_read(struct t1_ring *r, uint32_t reg)
{
	uint64_t v;

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
	case TESSERA_RING_BUSY_CYCLES_LO:
		/* Counted at the nominal clock: one cycle per ns. */
		v = ring_busy_ns(r, mono_ns(r->t1)) * (CLOCK_MHZ / 1000);
		r->busy_hi_latch = v >> 32;
		return v;
	case TESSERA_RING_BUSY_CYCLES_HI: return r->busy_hi_latch;
	case TESSERA_RING_ENGINE_CLASS:	return r->cls;
	case TESSERA_RING_FAULT_STATUS:
		return (r->fault_valid ? TESSERA_FAULT_VALID : 0) |
		       (r->fault_overflow ? TESSERA_FAULT_OVERFLOW : 0);
	case TESSERA_RING_FAULT_CODE:	return r->fault.code;
	case TESSERA_RING_FAULT_ASID:	return r->fault_asid;
	case TESSERA_RING_FAULT_VA_LO:	return r->fault.va;
	case TESSERA_RING_FAULT_VA_HI:	return r->fault.va >> 32;
	case TESSERA_RING_FAULT_ACCESS:	return r->fault.access;
	case TESSERA_RING_FAULT_TAG_LO:	return r->fault_tag;
	case TESSERA_RING_FAULT_TAG_HI:	return r->fault_tag >> 32;
	case TESSERA_RING_ABORTED:	return r->aborted;
	case TESSERA_RING_FAULT_COUNT:	return (uint32_t)r->fault_count;
	case TESSERA_RING_PT_WALKS:
		return (uint32_t)atomic_load_explicit(&r->pt_walks,
						      memory_order_relaxed);
	case TESSERA_RING_HALT_QUERY:	return r->halt_query;
	case TESSERA_RING_HALT_RESULT:
		return r->halt_query < TESSERA_MAX_ASIDS &&
		       asid_halted(r, r->halt_query);
	default:			return 0;
	}
}

/* The ring whose register block holds BAR0 offset @off, or NULL. */
static struct t1_ring *ring_at(struct t1 *t1, uint32_t off)
{
	if (off < TESSERA_RING_BASE(0) || off >= TESSERA_RING_BASE(t1->nrings))
		return NULL;
	return &t1->ring[(off - TESSERA_RING_BASE(0)) / TESSERA_RING_STRIDE];
}

static bool tlb_inv_busy(struct t1 *t1)
{
	bool busy = false;

	for (unsigned int n = 0; n < t1->nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		if (r->inv_wait && r->busy && r->desc_seq == r->inv_seq)
			busy = true;
		else
			r->inv_wait = false;
	}
	return busy;
}

static uint32_t fi_armed(struct t1 *t1)
{
	uint32_t v = 0;

	for (unsigned int n = 0; n < t1->nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		if (atomic_load(&r->fi_hang) || atomic_load(&r->fi_fault) ||
		    atomic_load(&r->fi_reset_fail))
			v |= 1u << n;
	}
	if (atomic_load(&t1->fi_ecc))
		v |= 1u << 16;
	if (t1->fi_dev_reset_fail)
		v |= 1u << 17;
	return v;
}

static uint32_t clock_mhz(const struct t1 *t1)
{
	return t1->temp_mc > 90000.0 ? CLOCK_THROTTLE_MHZ : CLOCK_MHZ;
}

static uint32_t reg_read(struct t1 *t1, uint32_t off)
{
	struct t1_ring *r = ring_at(t1, off);
	uint64_t ts;

	if (r)
		return ring_read(r, off % TESSERA_RING_STRIDE);
	if (off >= TESSERA_REG_FI_HANG && off <= TESSERA_REG_FI_ARMED &&
	    !t1->fault_injection)
		return 0;

	switch (off) {
	case TESSERA_REG_ID:		return TESSERA_ID_MAGIC;
	case TESSERA_REG_VERSION:	return TESSERA_HW_VERSION(1, 4);
	case TESSERA_REG_CAPS:
		return TESSERA_CAP_MMU | TESSERA_CAP_HBM | TESSERA_CAP_MMU_EXEC |
		       (t1->fault_injection ? TESSERA_CAP_FAULT_INJECT : 0);
	case TESSERA_REG_ENGINES:	return t1->ncompute | t1->ndma << 8;
	case TESSERA_REG_HBM_SIZE_LO:	return t1->hbm_size;
	case TESSERA_REG_HBM_SIZE_HI:	return t1->hbm_size >> 32;
	case TESSERA_REG_SCRATCH:	return t1->scratch;
	case TESSERA_REG_SERIAL:	return t1->serial;
	case TESSERA_REG_STATUS:
		return (t1->reset_failed ? TESSERA_STATUS_RESET_FAILED :
			t1->dev_resetting ? 0 : TESSERA_STATUS_READY) |
		       (t1->err_code ? TESSERA_STATUS_ERROR : 0);
	case TESSERA_REG_INT_STATUS:	return t1->int_status;
	case TESSERA_REG_INT_MASK:	return t1->int_mask;
	case TESSERA_REG_ERR_CODE:	return t1->err_code;
	case TESSERA_REG_ERR_RING:	return t1->err_ring;
	case TESSERA_REG_ERR_ADDR_LO:	return t1->err_addr;
	case TESSERA_REG_ERR_ADDR_HI:	return t1->err_addr >> 32;
	case TESSERA_REG_TIMESTAMP_LO:
		ts = mono_ns(t1) - t1->ts_base;
		t1->ts_hi_latch = ts >> 32;
		return ts;
	case TESSERA_REG_TIMESTAMP_HI:	return t1->ts_hi_latch;
	case TESSERA_REG_WATCHDOG_MS:	return t1->watchdog_ms;
	case TESSERA_REG_TEMP_MC:	return (uint32_t)t1->temp_mc;
	case TESSERA_REG_POWER_MW:	return (uint32_t)t1->power_mw;
	case TESSERA_REG_CLOCK_MHZ:	return clock_mhz(t1);
	case TESSERA_REG_TEMP_CRIT_MC:	return TEMP_CRIT_MC;
	case TESSERA_REG_POWER_CAP_MW:	return POWER_CAP_MW;
	case TESSERA_REG_ECC_CORRECTED:	return t1->ecc_corrected;
	case TESSERA_REG_ECC_UNCORRECTED: return t1->ecc_uncorrected;
	case TESSERA_REG_ENGINE_RESETS:	return t1->engine_resets;
	case TESSERA_REG_MMU_CTX_BASE_LO: return t1->ctx_base;
	case TESSERA_REG_MMU_CTX_BASE_HI: return t1->ctx_base >> 32;
	case TESSERA_REG_MMU_CTX_COUNT:	return t1->ctx_count;
	case TESSERA_REG_MMU_TLB_INV_ASID: return t1->inv_asid;
	case TESSERA_REG_MMU_TLB_INV_STATUS:
		return tlb_inv_busy(t1) ? TESSERA_TLB_INV_BUSY : 0;
	case TESSERA_REG_FI_ARMED:	return fi_armed(t1);
	default:			return 0;	/* holes */
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
	r->fresh = false;
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
		if (enabled && !r->error && val >= r->size) {
			ring_fail(r, TESSERA_ERR_RING_CONFIG, r->desc_base);
		} else if (enabled && !r->error) {
			/* 1.2: a TAIL write is also a doorbell */
			r->kicked = true;
			pthread_cond_signal(&r->kick);
		}
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
	case TESSERA_RING_FAULT_ACK:
		r->fault_valid = false;
		r->fault_overflow = false;
		memset(&r->fault, 0, sizeof(r->fault));
		r->fault_asid = 0;
		r->fault_tag = 0;
		break;
	case TESSERA_RING_CTX_RESUME:
		if (val == TESSERA_CTX_ALL)
			memset(r->halted, 0, sizeof(r->halted));
		else if (val < TESSERA_MAX_ASIDS)
			r->halted[val / 64] &= ~(1ull << (val % 64));
		if (enabled && !r->error && r->head != r->tail) {
			r->kicked = true;
			pthread_cond_signal(&r->kick);
		}
		break;
	case TESSERA_RING_HALT_QUERY:
		r->halt_query = val;
		break;
	default:
		break;		/* read-only or undefined */
	}
}

static void fi_write(struct t1 *t1, uint32_t off, uint32_t val)
{
	switch (off) {
	case TESSERA_REG_FI_HANG:
		if (val < t1->nrings)
			atomic_store(&t1->ring[val].fi_hang, true);
		break;
	case TESSERA_REG_FI_FAULT:
		if (val < t1->nrings)
			atomic_store(&t1->ring[val].fi_fault, true);
		break;
	case TESSERA_REG_FI_ECC:
		if (val == TESSERA_FI_ECC_CORRECTED)
			t1->ecc_corrected++;
		else if (val == TESSERA_FI_ECC_UNCORRECTED)
			atomic_store(&t1->fi_ecc, true);
		break;
	case TESSERA_REG_FI_RESET_FAIL:
		if (val < t1->nrings)
			atomic_store(&t1->ring[val].fi_reset_fail, true);
		else if (val == TESSERA_FI_DEVICE)
			t1->fi_dev_reset_fail = true;
		break;
	default:
		break;
	}
}

/*
 * MMU_TLB_INV: every engine drops its cached translations (the epoch);
 * the invalidation is pending until every engine running a descriptor
 * that might use translations from before (of any context for @all, of
 * @asid otherwise) has finished it.  An engine that has not yet decoded
 * its descriptor has translated nothing for it.  A wait of an earlier
 * invalidation on the same descriptor stays.
 */
static void tlb_invalidate(struct t1 *t1, bool all, uint32_t asid)
{
	atomic_fetch_add(&t1->tlb_epoch, 1);
	for (unsigned int n = 0; n < t1->nrings; n++) {
		struct t1_ring *r = &t1->ring[n];
		bool wait = r->busy && r->cur_asid != T1_ASID_NONE &&
			    (all || r->cur_asid == asid);

		if (!(r->busy && r->desc_seq == r->inv_seq))
			r->inv_wait = false;
		if (wait) {
			r->inv_wait = true;
			r->inv_seq = r->desc_seq;
		}
	}
}

static void reg_write(struct t1 *t1, uint32_t off, uint32_t val)
{
	struct t1_ring *r = ring_at(t1, off);
	uint32_t old;

	if (r) {
		ring_write(r, off % TESSERA_RING_STRIDE, val);
		return;
	}
	if (off >= TESSERA_REG_FI_HANG && off <= TESSERA_REG_FI_ARMED) {
		if (t1->fault_injection)
			fi_write(t1, off, val);
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
	case TESSERA_REG_WATCHDOG_MS:
		t1->watchdog_ms = val;
		break;
	case TESSERA_REG_MMU_CTX_BASE_LO:
		set_lo(&t1->ctx_base, val & ~0xfffu);
		break;
	case TESSERA_REG_MMU_CTX_BASE_HI:
		set_hi(&t1->ctx_base, val);
		break;
	case TESSERA_REG_MMU_CTX_COUNT:
		t1->ctx_count = val > TESSERA_MAX_ASIDS ? TESSERA_MAX_ASIDS : val;
		break;
	case TESSERA_REG_MMU_TLB_INV_ASID:
		t1->inv_asid = val;
		break;
	case TESSERA_REG_MMU_TLB_INV:
		/* By-ASID invalidation may (and here does) drop more. */
		if (val == TESSERA_TLB_INV_ALL || val == TESSERA_TLB_INV_ASID)
			tlb_invalidate(t1, val == TESSERA_TLB_INV_ALL,
				       t1->inv_asid);
		break;
	default:
		break;		/* read-only or undefined */
	}
}

/* ---------------------------------------------------------------------
 * Engines (engine threads, t1->lock not held unless stated)
 */

static void desc_decode(const uint8_t *raw, struct t1_desc *d)
{
	d->cmd_addr = get_le64(raw + TESSERA_DESC_CMD_ADDR);
	d->cmd_size = get_le32(raw + TESSERA_DESC_CMD_SIZE);
	d->flags = get_le32(raw + TESSERA_DESC_FLAGS);
	d->context = get_le32(raw + TESSERA_DESC_CONTEXT);
	d->rsvd0 = get_le32(raw + TESSERA_DESC_RSVD0);
	d->tag = get_le64(raw + TESSERA_DESC_TAG);
}

static bool desc_valid(const struct t1_desc *d)
{
	return d->cmd_size && !(d->cmd_size % 4) &&
	       d->cmd_size <= TESSERA_DESC_CMD_SIZE_MAX &&
	       !(d->cmd_addr % 4) && !(d->flags & ~TESSERA_DESC_FLAGS_VALID) &&
	       d->context < TESSERA_MAX_ASIDS && !d->rsvd0;
}

/*
 * Host pointer to the 8 bytes at context-0 address @addr (host memory or,
 * at TESSERA_BYPASS_HBM_BASE and above, device memory), or NULL if the
 * host does not allow writing them.  No translation, no injected faults.
 */
static uint8_t *fence_wb_ptr(struct t1 *t1, uint64_t addr)
{
	uint64_t n = 8, off;
	uint8_t *p;

	if (addr >= TESSERA_BYPASS_HBM_BASE) {
		off = addr - TESSERA_BYPASS_HBM_BASE;
		return off < t1->hbm_size && t1->hbm_size - off >= 8 ? t1->hbm + off : NULL;
	}
	p = t1->ops.dma_ptr(t1->ops.opaque, addr, &n, true);
	return n < 8 ? NULL : p;
}

/* Write @value to the ring's fence address (context 0 view). */
int t1_ring_fence(struct t1_ring *r, uint64_t value, bool irq,
		  struct t1_fault *f)
{
	struct t1 *t1 = r->t1;
	uint64_t addr, le = htole64(value);
	uint8_t *p;
	int ret = 0;

	pthread_mutex_lock(&t1->lock);
	addr = r->fence_addr;
	pthread_mutex_unlock(&t1->lock);
	if (atomic_load(&r->abort))
		return -ECANCELED;
	p = fence_wb_ptr(t1, addr);
	if (!p) {
		if (f) {
			f->code = TESSERA_ERR_DMA_FAULT;
			f->va = addr;
			f->access = TESSERA_ACCESS_WRITE;
		}
		return TESSERA_ERR_DMA_FAULT;
	}
	/*
	 * Under the lock, with abort checked: once a reset has abandoned
	 * the descriptor, no fence of it reaches memory.
	 */
	pthread_mutex_lock(&t1->lock);
	if (atomic_load(&r->abort)) {
		ret = -ECANCELED;
	} else {
		__atomic_store_n((uint64_t *)p, le, __ATOMIC_RELEASE);
		r->fence_seqno = value;
		if (irq)
			raise_irq(t1, TESSERA_INT_RING(r->idx),
				  TESSERA_MSIX_RING_VECTOR(r->idx));
	}
	pthread_mutex_unlock(&t1->lock);
	return ret;
}

/*
 * 1.2: write the ring's context-error count to FENCE_ADDR + 8, before the
 * aborted descriptor's TAG, so a driver learns from memory, not from
 * FAULT_STATUS, that a syndrome is waiting.  A write the host does not
 * allow is skipped: the TAG write that follows reports it.
 */
static void fault_count_writeback(struct t1_ring *r)
{
	struct t1 *t1 = r->t1;
	uint64_t addr, count;
	uint8_t *p;

	pthread_mutex_lock(&t1->lock);
	addr = r->fence_addr;
	pthread_mutex_unlock(&t1->lock);
	if (addr + 8 < addr)
		return;
	p = fence_wb_ptr(t1, addr + 8);
	/* As for the fence: nothing of an abandoned descriptor. */
	pthread_mutex_lock(&t1->lock);
	count = r->fault_count;
	if (p && !atomic_load(&r->abort))
		__atomic_store_n((uint64_t *)p, htole64(count), __ATOMIC_RELEASE);
	pthread_mutex_unlock(&t1->lock);
}

/* Hang (fault injection): spin until reset, watchdog or shutdown. */
static void engine_hang(struct t1_ring *r)
{
	while (!atomic_load(&r->abort))
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
}

struct exec_state {
	struct t1_desc d;
	struct t1_fault fault;
	uint32_t ring_code;	/* DESC_RING_ERROR: code ... */
	uint64_t ring_addr;	/* ... and address */
};

/* Run a descriptor of a live context; 0, -ECANCELED or an error code. */
static int run_context(struct t1_ring *r, struct exec_state *s)
{
	struct t1_as as = { .fault = &s->fault };
	int ret;

	ret = t1_as_init(&as, r, s->d.context);
	if (ret)
		return ret;
	ret = t1_as_read(&as, s->d.cmd_addr, r->cmdbuf, s->d.cmd_size,
			 T1_ACC_X);
	if (ret)
		return ret;
	return t1_exec_cmds(&as, r->cmdbuf, s->d.cmd_size / 4, s->d.cmd_addr);
}

static enum desc_result ring_exec(struct t1_ring *r, uint64_t base,
				  uint32_t head, struct exec_state *s)
{
	struct t1 *t1 = r->t1;
	const struct t1_host_ops *ops = &t1->ops;
	uint64_t addr = base + (uint64_t)head * TESSERA_DESC_SIZE;
	uint64_t n = TESSERA_DESC_SIZE;
	enum desc_result res;
	bool halted;
	uint8_t *raw;
	int ret;

	if (atomic_exchange(&r->fi_hang, false)) {
		engine_hang(r);
		return DESC_CANCELED;
	}

	ops->dma_hold(ops->opaque);
	raw = ops->dma_ptr(ops->opaque, addr, &n, false);
	if (!raw || n < TESSERA_DESC_SIZE) {
		s->ring_code = TESSERA_ERR_DMA_FAULT;
		s->ring_addr = addr;
		res = DESC_RING_ERROR;
		goto out;
	}
	desc_decode(raw, &s->d);
	if (!desc_valid(&s->d)) {
		s->ring_code = TESSERA_ERR_INVALID_DESC;
		s->ring_addr = addr;
		res = DESC_RING_ERROR;
		goto out;
	}

	pthread_mutex_lock(&t1->lock);
	halted = asid_halted(r, s->d.context);
	/* From here on TLB invalidations of this context wait for it. */
	r->cur_asid = s->d.context;
	pthread_mutex_unlock(&t1->lock);
	ret = halted ? 0 : run_context(r, s);
	if (ret == -ECANCELED) {
		res = DESC_CANCELED;
		goto out;
	}
	if (halted || ret) {
		if (ret) {
			pthread_mutex_lock(&t1->lock);
			if (atomic_load(&r->abort))
				ret = -ECANCELED;
			else
				context_fault(r, s->d.context, s->d.tag,
					      &s->fault);
			pthread_mutex_unlock(&t1->lock);
			if (ret == -ECANCELED) {
				res = DESC_CANCELED;
				goto out;
			}
			fault_count_writeback(r);
		}
		res = DESC_ABORTED;
		if (s->d.flags & TESSERA_DESC_FLAG_FENCE_ON_ABORT)
			ret = t1_ring_fence(r, s->d.tag, true, NULL);
		else
			ret = 0;
	} else {
		res = DESC_DONE;
		if (s->d.flags & TESSERA_DESC_FLAG_FENCE)
			ret = t1_ring_fence(r, s->d.tag,
					    s->d.flags & TESSERA_DESC_FLAG_IRQ,
					    NULL);
	}
	if (ret == -ECANCELED) {
		res = DESC_CANCELED;
	} else if (ret) {
		/* The descriptor's own fence write failed. */
		s->ring_code = TESSERA_ERR_DMA_FAULT;
		pthread_mutex_lock(&t1->lock);
		s->ring_addr = r->fence_addr;
		pthread_mutex_unlock(&t1->lock);
		res = DESC_RING_ERROR;
	}
out:
	ops->dma_release(ops->opaque);
	return res;
}

/* Account for a descriptor the engine has finished.  t1->lock held. */
static void ring_retire(struct t1_ring *r, uint32_t head, uint32_t size,
			enum desc_result res, const struct exec_state *s)
{
	if (atomic_load(&r->abort) || res == DESC_CANCELED)
		return;
	if (res == DESC_RING_ERROR) {
		ring_fail(r, s->ring_code, s->ring_addr);
		return;
	}
	r->head = (head + 1) & (size - 1);
	if (res == DESC_DONE)
		r->completed++;
	else
		r->aborted++;
}

static void *ring_thread(void *arg)
{
	struct t1_ring *r = arg;
	struct t1 *t1 = r->t1;

	pthread_mutex_lock(&t1->lock);
	while (!t1->stop) {
		struct exec_state s = { 0 };
		enum desc_result res;
		uint32_t head, size;
		uint64_t base, now;

		if (!ring_can_run(r))
			r->kicked = false;
		/* In D3hot a kicked ring waits for D0 (power_state_change). */
		if (!r->kicked || t1->d3hot) {
			pthread_cond_wait(&r->kick, &t1->lock);
			continue;
		}
		base = r->desc_base;
		head = r->head;
		size = r->size;
		r->busy = true;
		r->cur_asid = T1_ASID_NONE;
		r->desc_seq++;
		r->busy_since = mono_ns(t1);
		pthread_mutex_unlock(&t1->lock);

		res = ring_exec(r, base, head, &s);

		pthread_mutex_lock(&t1->lock);
		now = mono_ns(t1);
		r->busy_ns += now - r->busy_since;
		r->busy = false;
		ring_retire(r, head, size, res, &s);
		ring_let_go(r);
	}
	pthread_mutex_unlock(&t1->lock);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Monitor thread: watchdog and telemetry
 */

static void watchdog(struct t1 *t1, uint64_t now)
{
	uint64_t limit = (uint64_t)t1->watchdog_ms * 1000000ull;

	if (!limit)
		return;
	for (unsigned int n = 0; n < t1->nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		/* An abandoned descriptor is on its way out already. */
		if (!r->busy || r->hung || t1_aborted(r) ||
		    now - r->busy_since < limit)
			continue;
		r->hung = true;
		atomic_store(&r->abort, true);
		ring_fail(r, TESSERA_ERR_WATCHDOG, r->idx);
	}
}

static void telemetry(struct t1 *t1, uint64_t now)
{
	uint64_t total = 0, dt = now - t1->last_tick;
	double util, a;

	for (unsigned int n = 0; n < t1->nrings; n++)
		total += ring_busy_ns(&t1->ring[n], now);
	if (!dt)
		return;
	util = (double)(total - t1->last_busy_total) / ((double)dt * t1->nrings);
	util = util < 0 ? 0 : util > 1 ? 1 : util;
	t1->last_busy_total = total;
	t1->last_tick = now;
	/* First-order lags: temperature tau 2 s, power tau 50 ms. */
	a = 1.0 - exp(-(double)dt / 2e9);
	t1->temp_mc += ((t1->d3hot ? TEMP_D3_MC : TEMP_IDLE_MC) +
			(TEMP_FULL_MC - TEMP_IDLE_MC) * util - t1->temp_mc) * a;
	a = 1.0 - exp(-(double)dt / 5e7);
	t1->power_mw += ((t1->d3hot ? POWER_D3_MW : POWER_IDLE_MW) +
			 (POWER_FULL_MW - POWER_IDLE_MW) * util - t1->power_mw) * a;
	if (t1->power_mw > POWER_CAP_MW)
		t1->power_mw = POWER_CAP_MW;
}

static void *monitor_thread(void *arg)
{
	struct t1 *t1 = arg;

	pthread_mutex_lock(&t1->lock);
	while (!t1->stop) {
		struct timespec ts;
		uint64_t now = mono_ns(t1);

		watchdog(t1, now);
		telemetry(t1, now);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += MON_TICK_NS;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&t1->mon_cond, &t1->lock, &ts);
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
	if (t1->d3hot) {
		/* Only configuration requests are answered in D3hot. */
		if (!write)
			memset(buf, 0xff, len);
		pthread_mutex_unlock(&t1->lock);
		return 0;
	}
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

int t1_bar2_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		   bool write)
{
	if (off >= t1->hbm_size || len > t1->hbm_size - off)
		return -EINVAL;
	if (write)
		memcpy(t1->hbm + off, buf, len);
	else
		memcpy(buf, t1->hbm + off, len);
	return 0;
}

/*
 * Function-level reset (t1->lock held): every engine abandons its
 * descriptor, then registers and config space return to their reset
 * values.  It always succeeds, even after an injected device reset
 * failure.
 */
static void function_reset(struct t1 *t1)
{
	t1->fi_dev_reset_fail = false;
	device_reset(t1);
	t1_cfg_init(&t1->cfg, t1->nrings + 1, t1->hbm_size);
	t1->d3hot = false;
	t1->function_resets++;
}

/*
 * D0 <-> D3hot (t1->lock held).  In D3hot the function answers only
 * configuration requests: BAR0 reads return all ones and writes are
 * dropped, engines fetch no descriptor (one already running finishes),
 * and no interrupt is sent (events stay latched in INT_STATUS and are
 * sent on the way back to D0 if unmasked).  Power falls to the standby
 * figure.  No_Soft_Reset: back in D0 every register is as it was.
 */
static void power_state_change(struct t1 *t1, bool d3hot)
{
	t1->d3hot = d3hot;
	if (d3hot)
		return;
	for (unsigned int n = 0; n < t1->nrings; n++)
		pthread_cond_signal(&t1->ring[n].kick);
	irq_unmasked(t1, ~t1->int_mask);
}

int t1_cfg_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		  bool write)
{
	if (!len || off >= T1_CFG_SIZE || len > T1_CFG_SIZE - off)
		return -EINVAL;

	pthread_mutex_lock(&t1->lock);
	if (write) {
		unsigned int old = t1_cfg_power_state(&t1->cfg), state;

		t1_cfg_write(&t1->cfg, off, buf, len);
		/* D1 and D2 are not supported: such a write changes nothing. */
		state = t1_cfg_power_state(&t1->cfg);
		if (state == 1 || state == 2) {
			t1_cfg_set_power_state(&t1->cfg, old);
			state = old;
		}
		if (state != old)
			power_state_change(t1, state == 3);
		/* Initiate FLR: done before the write completes. */
		if (t1_cfg_is_flr(off, buf, len))
			function_reset(t1);
	} else {
		t1_cfg_read(&t1->cfg, off, buf, len);
	}
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
	function_reset(t1);
	pthread_mutex_unlock(&t1->lock);
}

bool t1_in_d3hot(struct t1 *t1)
{
	bool d3hot;

	pthread_mutex_lock(&t1->lock);
	d3hot = t1->d3hot;
	pthread_mutex_unlock(&t1->lock);
	return d3hot;
}

unsigned int t1_function_resets(struct t1 *t1)
{
	unsigned int n;

	pthread_mutex_lock(&t1->lock);
	n = t1->function_resets;
	pthread_mutex_unlock(&t1->lock);
	return n;
}

unsigned int t1_msix_count(const struct t1 *t1)
{
	return t1->nrings + 1;
}

int t1_hbm_fd(const struct t1 *t1)
{
	return t1->hbm_fd;
}

void *t1_hbm(const struct t1 *t1)
{
	return t1->hbm;
}

uint64_t t1_hbm_size(const struct t1 *t1)
{
	return t1->hbm_size;
}

static void t1_stop_threads(struct t1 *t1, unsigned int nthreads,
			    bool monitor)
{
	pthread_mutex_lock(&t1->lock);
	t1->stop = true;
	for (unsigned int n = 0; n < t1->nrings; n++) {
		atomic_store(&t1->ring[n].abort, true);
		pthread_cond_signal(&t1->ring[n].kick);
	}
	pthread_cond_signal(&t1->mon_cond);
	pthread_mutex_unlock(&t1->lock);
	for (unsigned int n = 0; n < nthreads; n++)
		pthread_join(t1->ring[n].thread, NULL);
	if (monitor)
		pthread_join(t1->monitor, NULL);
}

static void t1_free(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++) {
		pthread_cond_destroy(&t1->ring[n].kick);
		free(t1->ring[n].cmdbuf);
	}
	if (t1->hbm)
		munmap(t1->hbm, t1->hbm_size);
	if (t1->hbm_fd >= 0)
		close(t1->hbm_fd);
	pthread_cond_destroy(&t1->mon_cond);
	pthread_mutex_destroy(&t1->lock);
	free(t1);
}

static int t1_start_threads(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++) {
		if (pthread_create(&t1->ring[n].thread, NULL, ring_thread,
				   &t1->ring[n])) {
			t1_stop_threads(t1, n, false);
			return -EAGAIN;
		}
	}
	if (pthread_create(&t1->monitor, NULL, monitor_thread, t1)) {
		t1_stop_threads(t1, t1->nrings, false);
		return -EAGAIN;
	}
	return 0;
}

static int hbm_create(struct t1 *t1)
{
	void *p;

	t1->hbm_fd = memfd_create("tessera-hbm", MFD_CLOEXEC);
	if (t1->hbm_fd < 0 || ftruncate(t1->hbm_fd, t1->hbm_size))
		return -ENOMEM;
	p = mmap(NULL, t1->hbm_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 t1->hbm_fd, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	t1->hbm = p;
	return 0;
}

struct t1 *t1_create(const struct t1_config *cfg,
		     const struct t1_host_ops *ops)
{
	unsigned int nrings = cfg->ncompute + cfg->ndma;
	struct t1 *t1;

	if (!nrings || nrings > T1_MAX_RINGS || cfg->ncompute > 255 ||
	    !is_pow2(cfg->hbm_size) || cfg->hbm_size < T1_MIN_HBM ||
	    cfg->hbm_size > T1_MAX_HBM)
		return NULL;
	t1 = calloc(1, sizeof(*t1));
	if (!t1)
		return NULL;
	t1->ops = *ops;
	t1->ncompute = cfg->ncompute;
	t1->ndma = cfg->ndma;
	t1->nrings = nrings;
	t1->serial = cfg->serial;
	t1->fault_injection = cfg->fault_injection;
	t1->hbm_size = cfg->hbm_size;
	t1->hbm_fd = -1;
	t1->temp_mc = TEMP_IDLE_MC;
	t1->power_mw = POWER_IDLE_MW;
	clock_gettime(CLOCK_MONOTONIC, &t1->ts_origin);
	pthread_mutex_init(&t1->lock, NULL);
	pthread_cond_init(&t1->mon_cond, NULL);
	atomic_init(&t1->tlb_epoch, 1);
	atomic_init(&t1->fi_ecc, false);
	for (unsigned int n = 0; n < nrings; n++) {
		struct t1_ring *r = &t1->ring[n];

		r->t1 = t1;
		r->idx = n;
		r->cls = n < cfg->ncompute ? TESSERA_ENGINE_CLASS_COMPUTE :
					     TESSERA_ENGINE_CLASS_DMA;
		pthread_cond_init(&r->kick, NULL);
		atomic_init(&r->abort, false);
		atomic_init(&r->fi_hang, false);
		atomic_init(&r->fi_fault, false);
		atomic_init(&r->fi_reset_fail, false);
		r->cmdbuf = malloc(TESSERA_DESC_CMD_SIZE_MAX);
		if (!r->cmdbuf) {
			t1->nrings = n + 1;
			t1_free(t1);
			return NULL;
		}
	}
	if (hbm_create(t1)) {
		t1_free(t1);
		return NULL;
	}
	regs_reset(t1);
	t1->last_tick = mono_ns(t1);
	t1_cfg_init(&t1->cfg, t1->nrings + 1, t1->hbm_size);
	if (t1_start_threads(t1)) {
		t1_free(t1);
		return NULL;
	}
	return t1;
}

void t1_destroy(struct t1 *t1)
{
	if (!t1)
		return;
	t1_stop_threads(t1, t1->nrings, true);
	t1_free(t1);
}
