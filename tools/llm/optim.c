// SPDX-License-Identifier: MIT
/*
 * The optimizer sidecar (llm_ckpt.h): AdamW's first and second moments
 * of every parameter tensor and the step, as GGUF tensors adam_m.NAME
 * and adam_v.NAME (fp32), with keys under "tessera.optim.".  A separate
 * file, so the model file stays one that llama runtimes load.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "llm_ckpt.h"

int llm_optim_save(const char *path, const struct llm_model *m, const struct llm_adamw *h,
		   uint64_t step, const float *mom, const float *var)
{
	struct gguf_writer *w = gguf_writer_new(GGUF_DEFAULT_ALIGNMENT);
	int ret;

	if (!w)
		return -ENOMEM;
#define TRY(x) do { ret = (x); if (ret) goto out; } while (0)
	TRY(gguf_set_str(w, "general.type", "optimizer"));
	TRY(gguf_set_str(w, "tessera.optim.type", "adamw"));
	TRY(gguf_set_u64(w, "tessera.optim.step", step));
	TRY(gguf_set_u64(w, "tessera.optim.parameters", m->n_params));
	TRY(gguf_set_f32(w, "tessera.optim.beta1", h->beta1));
	TRY(gguf_set_f32(w, "tessera.optim.beta2", h->beta2));
	TRY(gguf_set_f32(w, "tessera.optim.eps", h->eps));
	TRY(gguf_set_f32(w, "tessera.optim.weight_decay", h->weight_decay));
	for (int which = 0; which < 2; which++) {
		for (uint32_t i = 0; i < m->n_tensors; i++) {
			struct llm_tensor t;
			char name[GGUF_MAX_NAME + 8];
			uint64_t ne[2];

			llm_tensor_info(m, i, &t);
			snprintf(name, sizeof(name), "adam_%c.%s", which ? 'v' : 'm', t.name);
			ne[0] = t.cols;
			ne[1] = t.rows;
			TRY(gguf_add_tensor(w, name, GGML_TYPE_F32, t.n_dims, ne,
					    (which ? var : mom) + t.offset));
		}
	}
#undef TRY
	ret = gguf_writer_save(w, path);
out:
	gguf_writer_free(w);
	return ret;
}

int llm_optim_load(const char *path, const struct llm_model *m, uint64_t *step, float *mom,
		   float *var, char *err)
{
	char msg[GGUF_ERR_LEN];
	struct gguf_file *f;
	struct gguf_str s;
	uint64_t u;
	int ret;

	ret = gguf_read_file(path, &f, msg);
	if (ret)
		return llm_seterr(err, ret, "%s", msg);
	if (gguf_get_str(f, "tessera.optim.type", &s, NULL) || !gguf_str_eq(s, "adamw")) {
		ret = llm_seterr(err, -EINVAL, "%s: not an AdamW state file", path);
		goto out;
	}
	if (gguf_get_uint(f, "tessera.optim.step", step, NULL) ||
	    gguf_get_uint(f, "tessera.optim.parameters", &u, NULL) || u != m->n_params) {
		ret = llm_seterr(err, -EINVAL, "%s: no step, or not the model's %zu parameters", path,
			     m->n_params);
		goto out;
	}
	if (f->n_tensors != 2ull * m->n_tensors) {
		ret = llm_seterr(err, -EINVAL, "%s: %llu tensors, expected %u", path,
			     (unsigned long long)f->n_tensors, 2 * m->n_tensors);
		goto out;
	}
	for (int which = 0; which < 2; which++) {
		for (uint32_t i = 0; i < m->n_tensors; i++) {
			const struct gguf_tensor *gt;
			struct llm_tensor t;
			char name[GGUF_MAX_NAME + 8];
			float *dst = (which ? var : mom);

			llm_tensor_info(m, i, &t);
			snprintf(name, sizeof(name), "adam_%c.%s", which ? 'v' : 'm', t.name);
			gt = gguf_find_tensor(f, name);
			if (!gt || gt->type != GGML_TYPE_F32 || gt->n_dims != t.n_dims ||
			    gt->ne[0] != t.cols || (t.n_dims == 2 && gt->ne[1] != t.rows)) {
				ret = llm_seterr(err, -EINVAL, "%s: tensor %s is missing or not F32 "
					     "[%u, %u]", path, name, t.cols, t.rows);
				goto out;
			}
			memcpy(dst + t.offset, gt->data, t.n * sizeof(float));
			for (size_t j = 0; j < t.n; j++) {
				if (!isfinite(dst[t.offset + j]) || (which && dst[t.offset + j] < 0)) {
					ret = llm_seterr(err, -EINVAL, "%s: tensor %s: element %zu is "
						     "not a valid moment", path, name, j);
					goto out;
				}
			}
		}
	}
out:
	gguf_close(f);
	return ret;
}
