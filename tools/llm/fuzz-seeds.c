// SPDX-License-Identifier: MIT
/*
 * The GGUF fuzz target's seeds, made at build time (nothing binary in the
 * tree): a small checkpoint in fp32 and in bf16, and its optimizer sidecar.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdio.h>
#include <stdlib.h>

#include "llm_ckpt.h"

int main(int argc, char **argv)
{
	static const struct llm_config c = {
		.vocab = 256, .d_model = 8, .n_layers = 1, .n_heads = 2, .d_ff = 8, .ctx = 8,
		.rope_theta = 10000.0f, .norm_eps = 1e-5f,
	};
	const struct llm_adamw hp = { 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f };
	const struct llm_train_meta meta = { .step = 1, .tokens = 8, .batch = 1, .lr = 1e-3,
					     .val_loss = 5.0, .corpus = "seed" };
	struct llm_model m;
	char path[512];
	float *w;
	int ret;

	if (argc != 2 || llm_model_init(&m, &c, NULL))
		return 2;
	w = calloc(m.n_params, sizeof(float));
	if (!w)
		return 1;
	llm_init_weights(&m, 1, w);
	snprintf(path, sizeof(path), "%s/ckpt-f32", argv[1]);
	ret = llm_ckpt_save(path, &m, w, LLM_CKPT_F32, &meta, "seed");
	snprintf(path, sizeof(path), "%s/ckpt-bf16", argv[1]);
	ret = ret ? ret : llm_ckpt_save(path, &m, w, LLM_CKPT_BF16, NULL, NULL);
	snprintf(path, sizeof(path), "%s/optim", argv[1]);
	ret = ret ? ret : llm_optim_save(path, &m, &hp, 1, w, w);
	free(w);
	return ret ? 1 : 0;
}
