/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The emulated card: a T1 device model served by a vfu context.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_EMU_H
#define TESSERA_EMU_H

#include <stdatomic.h>
#include <stdbool.h>

#include "t1.h"
#include "vfu.h"

struct emu {
	struct vfu_ctx *vfu;
	struct t1 *t1;
	/*
	 * Set once by emu_vanish(), never cleared: the card has fallen off
	 * the bus.  Register and config reads return all ones, writes are
	 * dropped, DMA faults and no interrupt is sent.  Lock-free, so a
	 * signal handler may set it.
	 */
	atomic_bool gone;
};

/* Create the device and the (not yet listening) server; 0 or -errno. */
int emu_init(struct emu *emu, const struct t1_config *cfg, bool verbose);
void emu_fini(struct emu *emu);
/* Surprise removal, as seen from the host; async-signal-safe. */
void emu_vanish(struct emu *emu);

#endif /* TESSERA_EMU_H */
