// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 fault injection: the debug registers FI_* (only with
 * t1_config.fault_injection), which arm a hang, an MMU fault, an ECC
 * error or a failing reset.  The MMU (t1_mmu.c) consumes the armed
 * faults and ECC errors, the engines the hangs, the resets the reset
 * failures.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <time.h>

#include "t1_priv.h"

uint32_t t1_fi_armed(struct t1 *t1)
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

void t1_fi_write(struct t1 *t1, uint32_t off, uint32_t val)
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

/* Hang (fault injection): spin until reset, watchdog or shutdown. */
void t1_fi_hang(struct t1_ring *r)
{
	while (!atomic_load(&r->abort))
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
}
