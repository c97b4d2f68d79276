/* SPDX-License-Identifier: MIT */
/*
 * Checkpoints: the model as a GGUF v3 file in the llama architecture,
 * loadable by llama runtimes (Documentation/llm.rst), and the AdamW
 * state in a sidecar GGUF file beside it.
 *
 * The model file holds the spec's llama keys, the byte tokenizer as a
 * "gpt2" vocabulary without merges, training metadata under "tessera.",
 * and the tensors with their standard names, fp32 or (matrices only)
 * bf16.  Optimizer state is not in it because llama runtimes refuse a
 * model file with tensors they do not know.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_CKPT_H
#define TESSERA_LLM_CKPT_H

#include "gguf.h"
#include "llm.h"

enum llm_ckpt_dtype {
	LLM_CKPT_F32,
	LLM_CKPT_BF16,	/* matrices bf16 (round to nearest even), norm gains fp32 */
};

/* Where training stood (tessera.train.* keys); all optional on load. */
struct llm_train_meta {
	uint64_t step;
	uint64_t tokens;
	uint64_t seed;
	uint32_t batch;
	double lr;
	double val_loss;	/* nats per byte, NAN if unknown */
	const char *corpus;
};

/* The checkpoint's metadata and tensors in a writer (data referenced:
 * @w, and the bf16 copy kept in *@bf16 for the caller to free). */
int llm_ckpt_writer(const struct llm_model *m, const float *w, enum llm_ckpt_dtype dt,
		    const struct llm_train_meta *meta, const char *name,
		    struct gguf_writer **out, uint16_t **bf16);
int llm_ckpt_save(const char *path, const struct llm_model *m, const float *w,
		  enum llm_ckpt_dtype dt, const struct llm_train_meta *meta, const char *name);

struct llm_ckpt {
	struct llm_model m;
	float *w;			/* m.n_params, fp32 */
	struct llm_train_meta meta;
	char name[128];
	char corpus[64];
	bool bf16;			/* some tensor was stored as bf16 */
};

/* A parsed GGUF file as a checkpoint: 0, or a negative errno with the
 * reason in @err: -ENOTSUP (well-formed, but not this model: another
 * architecture or tokenizer, grouped-query attention, partial RoPE,
 * RoPE scaling, quantized tensors), -EINVAL (missing or mistyped keys,
 * sizes out of range, missing, extra or misshapen tensors, non-finite
 * values), -ENOMEM. */
int llm_ckpt_from_gguf(const struct gguf_file *f, struct llm_ckpt *ck, char *err);
int llm_ckpt_load(const char *path, struct llm_ckpt *ck, char *err);
void llm_ckpt_free(struct llm_ckpt *ck);

/* The optimizer sidecar: AdamW moments per tensor (adam_m.NAME,
 * adam_v.NAME, fp32) and the step.  Load checks it fits @m. */
int llm_optim_save(const char *path, const struct llm_model *m, const struct llm_adamw *h,
		   uint64_t step, const float *mom, const float *var);
int llm_optim_load(const char *path, const struct llm_model *m, uint64_t *step, float *mom,
		   float *var, char *err);

/* bf16 <-> fp32 (round to nearest even; NaN stays NaN). */
static inline uint16_t llm_f32_to_bf16(float f)
{
	union { float f; uint32_t u; } x = { f };

	if ((x.u & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((x.u >> 16) | 0x40);
	return (uint16_t)((x.u + 0x7fff + ((x.u >> 16) & 1)) >> 16);
}

static inline float llm_bf16_to_f32(uint16_t h)
{
	union { uint32_t u; float f; } x = { (uint32_t)h << 16 };

	return x.f;
}

#endif /* TESSERA_LLM_CKPT_H */
