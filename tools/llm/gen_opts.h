/* SPDX-License-Identifier: MIT */
/*
 * accel-generate's command line (Documentation/llm.rst, "Generation on
 * the card"), parsed strictly: a number is the whole argument, in range,
 * or the command line is refused with a message saying which option and
 * why.  Kept apart from the tool so the host tests run it without a card.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_GEN_OPTS_H
#define TESSERA_LLM_GEN_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

#include "llm.h"

struct llm_gen_opts {
	const char *model;	/* --model FILE (required) */
	const char *prompt;	/* --prompt TEXT ("") */
	uint32_t tokens;	/* --tokens N: bytes to generate (200) */
	float temperature;	/* --temperature T: 0 greedy (default) */
	uint32_t top_k;		/* --top-k K (40; 0: all) */
	uint64_t seed;		/* --seed S (1) */
	uint32_t check;		/* --check N: compare N positions with the CPU (0) */
	uint32_t card;		/* --card N (0) */
	bool timing;		/* device time by command class (on; --no-timing) */
	bool help;		/* --help */
};

/* Whole-string numbers (unsigned ones: decimal digits only): 0 or
 * -EINVAL (empty, junk after the number, a sign or blank on an unsigned,
 * out of [min, max] or of the type, not finite). */

/* 0 (see o->help), or -EINVAL with the reason in @err (LLM_ERR_LEN).
 * Uses getopt_long: resets optind. */
int llm_gen_parse_args(int argc, char **argv, struct llm_gen_opts *o, char *err);
extern const char llm_gen_usage[];

#endif /* TESSERA_LLM_GEN_OPTS_H */
