// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 interrupts and errors: INT_STATUS/INT_MASK and the MSI-X vectors
 * they send, the global error latch (ERR_*), a ring stopping with an
 * error, and context errors (the ring's syndrome latch and halted
 * contexts).  Every function here runs with t1->lock held.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "t1_priv.h"

void t1_raise_irq(struct t1 *t1, uint32_t bit, unsigned int vector)
{
	t1->int_status |= bit;
	if (!(t1->int_mask & bit) && !t1->d3hot)
		t1->ops.irq(t1->ops.opaque, vector);
}

/* Send the vector of every pending source that has just been unmasked. */
void t1_irq_unmasked(struct t1 *t1, uint32_t unmasked)
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
	t1_raise_irq(t1, TESSERA_INT_ERROR, TESSERA_MSIX_ERR_VECTOR(t1->nrings));
}

/* Stop ring @r with error @code. */
void t1_ring_fail(struct t1_ring *r, uint32_t code, uint64_t addr)
{
	r->error = true;
	r->fresh = false;
	error_event(r, code, addr);
}

/* A context error on @r: latch the syndrome, halt the context. */
void t1_context_fault(struct t1_ring *r, uint32_t asid, uint64_t tag,
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
	/* An invalid command has said what it was (t1_cmd.c). */
	if (f->code != TESSERA_ERR_INVALID_CMD)
		t1_guest_error(r->t1, "ring %u ASID %u: %s at %#llx (%s)",
			       r->idx, asid, t1_err_name(f->code),
			       (unsigned long long)f->va,
			       f->access == TESSERA_ACCESS_WRITE ? "write" :
			       f->access == TESSERA_ACCESS_FETCH ? "fetch" :
			       "read");
	r->halted[asid / 64] |= 1ull << (asid % 64);
	error_event(r, f->code, f->va);
}
