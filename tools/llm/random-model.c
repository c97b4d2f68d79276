// SPDX-License-Identifier: MIT
/*
 * random-model: write a small llama checkpoint with random weights, the
 * test model of accel-generate's guest check (no corpus, no training).
 * The weights are the training initialisation (llm_init_weights()) with
 * Wq and Wk scaled by 5, so attention scores are of order 1 and a wrong
 * position or cache row changes the result, and the output matrix by 10,
 * so logits are of order 1 and greedy picks are far from ties.
 *
 *   random-model [--d-model N --layers N --heads N --ffn N --ctx N
 *                 --seed S] OUT.gguf
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_opts.h"
#include "llm_ckpt.h"

static void scale(size_t off, size_t n, float s, float *w)
{
	for (size_t i = 0; i < n; i++)
		w[off + i] *= s;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "d-model", 1, 0, 'd' }, { "layers", 1, 0, 'l' }, { "heads", 1, 0, 'H' },
		{ "ffn", 1, 0, 'f' }, { "ctx", 1, 0, 'c' }, { "seed", 1, 0, 's' }, { 0 },
	};
	struct llm_config cfg = {
		.vocab = 256, .d_model = 64, .n_layers = 2, .n_heads = 4, .d_ff = 96,
		.ctx = 32, .rope_theta = 10000, .norm_eps = 1e-5f,
	};
	uint64_t seed = 7;
	char err[LLM_ERR_LEN];
	struct llm_model m;
	float *w;
	int c, bad = 0, ret;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': bad |= llm_parse_u32(optarg, 1, 65536, &cfg.d_model); break;
		case 'l': bad |= llm_parse_u32(optarg, 1, LLM_MAX_LAYERS, &cfg.n_layers); break;
		case 'H': bad |= llm_parse_u32(optarg, 1, 65536, &cfg.n_heads); break;
		case 'f': bad |= llm_parse_u32(optarg, 1, 65536, &cfg.d_ff); break;
		case 'c': bad |= llm_parse_u32(optarg, 1, 65536, &cfg.ctx); break;
		case 's': bad |= llm_parse_u64(optarg, 0, UINT64_MAX, &seed); break;
		default: bad = 1;
		}
	}
	if (bad || optind != argc - 1) {
		fprintf(stderr, "usage: random-model [--d-model N --layers N --heads N --ffn N "
			"--ctx N --seed S] OUT.gguf\n");
		return 2;
	}
	if (llm_model_init(&m, &cfg, err)) {
		fprintf(stderr, "random-model: %s\n", err);
		return 2;
	}
	w = malloc(m.n_params * sizeof(float));
	if (!w)
		return 1;
	llm_init_weights(&m, seed, w);
	for (uint32_t l = 0; l < cfg.n_layers; l++) {
		scale(m.layer[l][LLM_WQ], (size_t)cfg.d_model * cfg.d_model, 5, w);
		scale(m.layer[l][LLM_WK], (size_t)cfg.d_model * cfg.d_model, 5, w);
	}
	scale(m.out, (size_t)cfg.vocab * cfg.d_model, 10, w);
	ret = llm_ckpt_save(argv[optind], &m, w, LLM_CKPT_F32, NULL, "random-model");
	free(w);
	if (ret) {
		fprintf(stderr, "random-model: %s: %s\n", argv[optind], strerror(-ret));
		return 1;
	}
	return 0;
}
