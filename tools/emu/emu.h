/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The emulated card: a T1 device model served by a vfu context.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_EMU_H
#define TESSERA_EMU_H

#include <stdbool.h>

#include "t1.h"
#include "vfu.h"

struct emu {
	struct vfu_ctx *vfu;
	struct t1 *t1;
};

/* Create the device and the (not yet listening) server; 0 or -errno. */
int emu_init(struct emu *emu, const struct t1_config *cfg, bool verbose);
void emu_fini(struct emu *emu);

#endif /* TESSERA_EMU_H */
