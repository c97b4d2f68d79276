// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 resets and power: ring reset (RING_CTRL.RESET), device reset
 * (RESET), function-level reset (FLR and vfio-user DEVICE_RESET) and the
 * PCI power states D0 and D3hot, as config space requests them.
 *
 * No reset waits for an engine.  It sets the register state at once and
 * asks each busy engine to abandon its descriptor (abort); the engine
 * notices within a tile of work (t1_cmd.c, t1_math.c) and completes the
 * reset itself when it lets go (t1_ring_let_go()).  Until then
 * RING_STATUS.RESETTING is set, and for a device reset STATUS.READY is
 * clear.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>

#include "t1_priv.h"

/*
 * Stop ring @r and make its engine abandon the descriptor it is running,
 * if any, without waiting: the engine lets go at its next check of abort
 * (t1_ring_let_go()).  A descriptor abandoned this way retires nothing,
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
void t1_ring_let_go(struct t1_ring *r)
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
void t1_ring_reset(struct t1_ring *r)
{
	struct t1 *t1 = r->t1;

	ring_abandon(r);
	t1->engine_resets++;
	if (atomic_exchange(&r->fi_reset_fail, false)) {
		r->reset_failed = true;
		t1_ring_fail(r, TESSERA_ERR_RESET_FAILED, r->idx);
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
void t1_regs_reset(struct t1 *t1)
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
	t1->ts_base = t1_mono_ns(t1);
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
 * let go of the descriptor it was running (t1_ring_let_go()).
 */
void t1_device_reset(struct t1 *t1)
{
	for (unsigned int n = 0; n < t1->nrings; n++)
		ring_abandon(&t1->ring[n]);
	t1->dev_resetting = any_ring_resetting(t1);
	if (t1->fi_dev_reset_fail) {
		t1->fi_dev_reset_fail = false;
		t1->reset_failed = true;
		for (unsigned int n = 0; n < t1->nrings; n++)
			t1_ring_fail(&t1->ring[n], TESSERA_ERR_RESET_FAILED,
				  TESSERA_FI_DEVICE);
		return;
	}
	t1_regs_reset(t1);
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
	t1_device_reset(t1);
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
	t1_irq_unmasked(t1, ~t1->int_mask);
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
