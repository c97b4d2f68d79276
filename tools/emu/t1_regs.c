// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 BAR0 registers and BAR2 device memory: decoding of every register
 * read and write (t1->lock held), and the region accesses the vfio-user
 * server forwards.  What a write sets in motion lives with its concern:
 * resets in t1_reset.c, fault injection in t1_fault.c, interrupts in
 * t1_irq.c.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>

#include "t1_priv.h"

static uint32_t ring_status(const struct t1_ring *r)
{
	uint32_t s = 0;

	if (t1_ring_idle(r))
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
		v = t1_ring_busy_ns(r, t1_mono_ns(r->t1)) * (T1_CLOCK_MHZ / 1000);
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
		       t1_asid_halted(r, r->halt_query);
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
	case TESSERA_REG_VERSION:	return TESSERA_HW_VERSION(1, 5);
	case TESSERA_REG_CAPS:
		return TESSERA_CAP_MMU | TESSERA_CAP_HBM | TESSERA_CAP_TELEMETRY2 |
		       TESSERA_CAP_MMU_EXEC | TESSERA_CAP_TRAIN |
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
		ts = t1_mono_ns(t1) - t1->ts_base;
		t1->ts_hi_latch = ts >> 32;
		return ts;
	case TESSERA_REG_TIMESTAMP_HI:	return t1->ts_hi_latch;
	case TESSERA_REG_WATCHDOG_MS:	return t1->watchdog_ms;
	case TESSERA_REG_TEMP_MC:	return (uint32_t)t1->temp_mc;
	case TESSERA_REG_POWER_MW:	return (uint32_t)t1->power_mw;
	case TESSERA_REG_CLOCK_MHZ:	return t1_clock_mhz(t1);
	case TESSERA_REG_TEMP_CRIT_MC:	return T1_TEMP_CRIT_MC;
	case TESSERA_REG_POWER_CAP_MW:	return T1_POWER_CAP_MW;
	case TESSERA_REG_TEMP_MAX_MC:	return T1_TEMP_MAX_MC;
	case TESSERA_REG_TEMP_EMERG_MC:	return T1_TEMP_EMERG_MC;
	case TESSERA_REG_POWER_AVG_MW:	return (uint32_t)t1->power_avg_mw;
	case TESSERA_REG_ENERGY_UJ_LO:
		t1->energy_hi_latch = (uint64_t)t1->energy_uj >> 32;
		return (uint32_t)(uint64_t)t1->energy_uj;
	case TESSERA_REG_ENERGY_UJ_HI:	return t1->energy_hi_latch;
	case TESSERA_REG_ECC_CORRECTED:	return t1->ecc_corrected;
	case TESSERA_REG_ECC_UNCORRECTED: return t1->ecc_uncorrected;
	case TESSERA_REG_ENGINE_RESETS:	return t1->engine_resets;
	case TESSERA_REG_MMU_CTX_BASE_LO: return t1->ctx_base;
	case TESSERA_REG_MMU_CTX_BASE_HI: return t1->ctx_base >> 32;
	case TESSERA_REG_MMU_CTX_COUNT:	return t1->ctx_count;
	case TESSERA_REG_MMU_TLB_INV_ASID: return t1->inv_asid;
	case TESSERA_REG_MMU_TLB_INV_STATUS:
		return tlb_inv_busy(t1) ? TESSERA_TLB_INV_BUSY : 0;
	case TESSERA_REG_FI_ARMED:	return t1_fi_armed(t1);
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

static bool ring_config_ok(const struct t1_ring *r)
{
	return !(r->desc_base & 0xfff) && t1_is_pow2(r->size) &&
	       r->size >= TESSERA_RING_SIZE_MIN &&
	       r->size <= TESSERA_RING_SIZE_MAX &&
	       r->head < r->size && r->tail < r->size;
}

/* A write the register ignores: a guest error, logged (rate-limited). */
static void bad_write(struct t1 *t1, uint32_t off, uint32_t val,
		      const char *why)
{
	char name[40];

	t1_guest_error(t1, "BAR0 write of %#x to %s (0x%04x): %s", val,
		       t1_reg_name(t1, off, name, sizeof(name)), off, why);
}

static void ring_bad_write(struct t1_ring *r, uint32_t reg, uint32_t val,
			   const char *why)
{
	bad_write(r->t1, TESSERA_RING_BASE(r->idx) + reg, val, why);
}

static void ring_write_ctrl(struct t1_ring *r, uint32_t val)
{
	if (val & TESSERA_RING_CTRL_RESET) {
		t1_ring_reset(r);
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
	if (!r->error && !ring_config_ok(r)) {
		t1_guest_error(r->t1, "ring %u: RING%u_CTRL enables a bad ring "
			       "(DESC_BASE %#llx SIZE %u HEAD %u TAIL %u)",
			       r->idx, r->idx, (unsigned long long)r->desc_base,
			       r->size, r->head, r->tail);
		t1_ring_fail(r, TESSERA_ERR_RING_CONFIG, r->desc_base);
	}
}

static void ring_write(struct t1_ring *r, uint32_t reg, uint32_t val)
{
	bool enabled = r->ctrl & TESSERA_RING_CTRL_ENABLE;

	switch (reg) {
	case TESSERA_RING_DESC_BASE_LO:
		if (!enabled)
			set_lo(&r->desc_base, val);
		else
			ring_bad_write(r, reg, val, "ring enabled");
		break;
	case TESSERA_RING_DESC_BASE_HI:
		if (!enabled)
			set_hi(&r->desc_base, val);
		else
			ring_bad_write(r, reg, val, "ring enabled");
		break;
	case TESSERA_RING_SIZE:
		if (!enabled)
			r->size = val;
		else
			ring_bad_write(r, reg, val, "ring enabled");
		break;
	case TESSERA_RING_TAIL:
		r->tail = val;
		if (enabled && !r->error && val >= r->size) {
			ring_bad_write(r, reg, val, "not below RING_SIZE");
			t1_ring_fail(r, TESSERA_ERR_RING_CONFIG, r->desc_base);
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
		ring_bad_write(r, reg, val, "read-only or undefined");
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
			t1_fi_write(t1, off, val);
		else
			bad_write(t1, off, val, "fault injection not enabled");
		return;
	}

	switch (off) {
	case TESSERA_REG_SCRATCH:
		t1->scratch = val;
		break;
	case TESSERA_REG_RESET:
		if (val == TESSERA_RESET_MAGIC)
			t1_device_reset(t1);
		else
			bad_write(t1, off, val, "not the reset magic");
		break;
	case TESSERA_REG_INT_STATUS:
		t1->int_status &= ~val;
		break;
	case TESSERA_REG_INT_MASK:
		old = t1->int_mask;
		t1->int_mask = val;
		t1_irq_unmasked(t1, old & ~val);
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
		else
			bad_write(t1, off, val, "not an invalidation kind");
		break;
	default:
		bad_write(t1, off, val, "read-only or undefined");
		break;
	}
}

int t1_bar0_access(struct t1 *t1, uint64_t off, void *buf, uint32_t len,
		   bool write)
{
	uint8_t *p = buf;

	if ((len != 4 && len != 8) || off % len || off >= TESSERA_BAR0_SIZE ||
	    len > TESSERA_BAR0_SIZE - off) {
		t1_guest_error(t1, "BAR0 %s of %u bytes at %#llx: not an aligned "
			       "4- or 8-byte access inside BAR0",
			       write ? "write" : "read", len,
			       (unsigned long long)off);
		return -EINVAL;
	}

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
