// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: a GGUF file as a checkpoint (tools/llm/gguf_read.c,
 * ckpt.c).  Any input is parsed, every metadata value and tensor read
 * through the accessors, and a parsed file loaded as a llama checkpoint:
 * no crash, no leak, no read outside the input (ASan/UBSan).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gguf.h"
#include "llm_ckpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LLM_ERR_LEN > GGUF_ERR_LEN ? LLM_ERR_LEN : GGUF_ERR_LEN];
	uint8_t *copy = malloc(size ? size : 1);
	volatile uint64_t sink = 0;
	struct gguf_file *f;
	struct llm_ckpt ck;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!gguf_parse(copy, size, &f, err)) {
		for (uint64_t i = 0; i < f->n_kv; i++) {
			const struct gguf_value *v = &f->kv[i].val;

			if (v->type != GGUF_TYPE_ARRAY)
				continue;
			for (uint64_t j = 0; j < v->arr.n && j < 64; j++)
				sink += gguf_arr_u(v, j) + (uint64_t)gguf_arr_i(v, j) +
					gguf_arr_str(v, j).len + (gguf_arr_f(v, j) > 0);
		}
		for (uint64_t i = 0; i < f->n_tensors; i++)
			sink += ((const uint8_t *)f->tensors[i].data)[f->tensors[i].nbytes - 1];
		if (!llm_ckpt_from_gguf(f, &ck, err))
			llm_ckpt_free(&ck);
		gguf_close(f);
	}
	free(copy);
	(void)sink;
	return 0;
}
