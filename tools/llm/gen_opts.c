// SPDX-License-Identifier: MIT
/*
 * accel-generate's options (gen_opts.h): strtoul/strtoull/strtof with end
 * and range checks, never atoi.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_opts.h"

const char llm_gen_usage[] =
	"usage: accel-generate --model FILE.gguf [options]\n"
	"  --prompt TEXT       the text to continue (\"\": after a fortune's end)\n"
	"  --tokens N          bytes to generate (200)\n"
	"  --temperature T     0: greedy (0)\n"
	"  --top-k K           sample among the K most likely (40; 0: all)\n"
	"  --seed S            the sampler's seed (1)\n"
	"  --check N           compare the logits of the first N generated positions\n"
	"                      with the CPU reference; exit 1 beyond the tolerance\n"
	"  --card N            the card (0)\n"
	"  --no-timing         no TIMESTAMP commands (no device time by class)\n";


int llm_gen_parse_args(int argc, char **argv, struct llm_gen_opts *o, char *err)
{
	static const struct option lo[] = {
		{ "model", 1, 0, 'm' }, { "prompt", 1, 0, 'p' }, { "tokens", 1, 0, 'n' },
		{ "temperature", 1, 0, 't' }, { "top-k", 1, 0, 'k' }, { "seed", 1, 0, 's' },
		{ "check", 1, 0, 'c' }, { "card", 1, 0, 'C' }, { "no-timing", 0, 0, 'T' },
		{ "help", 0, 0, 'h' }, { 0 },
	};
	int c, bad;

	*o = (struct llm_gen_opts){
		.prompt = "", .tokens = 200, .top_k = 40, .seed = 1, .timing = true,
	};
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		const char *what = NULL;

		switch (c) {
		case 'm': o->model = optarg; continue;
		case 'p': o->prompt = optarg; continue;
		case 'n':
			bad = llm_parse_u32(optarg, 0, 1u << 24, &o->tokens);
			what = "--tokens: a number of bytes, 0 .. 16777216";
			break;
		case 't':
			bad = llm_parse_float(optarg, 0, 1e6f, &o->temperature);
			what = "--temperature: a finite number >= 0";
			break;
		case 'k':
			bad = llm_parse_u32(optarg, 0, UINT32_MAX, &o->top_k);
			what = "--top-k: a count >= 0";
			break;
		case 's':
			bad = llm_parse_u64(optarg, 0, UINT64_MAX, &o->seed);
			what = "--seed: an unsigned 64-bit number";
			break;
		case 'c':
			bad = llm_parse_u32(optarg, 0, 1u << 24, &o->check);
			what = "--check: a number of positions";
			break;
		case 'C':
			bad = llm_parse_u32(optarg, 0, 255, &o->card);
			what = "--card: a card index, 0 .. 255";
			break;
		case 'T': o->timing = false; continue;
		case 'h': o->help = true; return 0;
		default:
			snprintf(err, LLM_ERR_LEN, "unknown option or missing argument: %s",
				 argv[optind - 1 > 0 ? optind - 1 : 0]);
			return -EINVAL;
		}
		if (bad) {
			snprintf(err, LLM_ERR_LEN, "%s, not \"%s\"", what, optarg);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		snprintf(err, LLM_ERR_LEN, "unexpected argument \"%s\"", argv[optind]);
		return -EINVAL;
	}
	if (!o->model) {
		snprintf(err, LLM_ERR_LEN, "--model FILE is required");
		return -EINVAL;
	}
	if (o->check > o->tokens) {
		snprintf(err, LLM_ERR_LEN, "--check %u needs --tokens >= %u", o->check, o->check);
		return -EINVAL;
	}
	return 0;
}
