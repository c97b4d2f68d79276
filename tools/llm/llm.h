/* SPDX-License-Identifier: MIT */
/*
 * The llama-architecture decoder (Documentation/llm.rst): its
 * configuration, where each parameter tensor lives in one flat array,
 * and the CPU reference implementation (fp32 forward, backward, AdamW
 * and generation with a KV cache) that the card's training is checked
 * against.
 *
 * Conventions (the same as the card's device model and as GGUF):
 *  - Parameters are one flat array of floats; a matrix is row-major
 *    [rows][cols] = [out][in] (y = x W^T), its GGUF dims are
 *    ne = {cols, rows} (ggml lists the fastest-varying dimension first),
 *    so the bytes are the same in memory and in the file.
 *  - Activations are row-major [B*T][features]; row b*T + t is token t
 *    of sequence b.  Heads are contiguous column blocks of head_dim.
 *  - RoPE is llama.cpp's "normal" mode: within a head the pairs
 *    (2i, 2i+1) rotate by pos * theta^(-2i/head_dim).
 *  - Loss is the mean cross-entropy in nats over the targets >= 0.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_H
#define TESSERA_LLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LLM_MAX_LAYERS	64
#define LLM_ERR_LEN	256

/* Format a reason into @err (LLM_ERR_LEN bytes; may be NULL); returns @ret. */
int llm_seterr(char *err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct llm_config {
	uint32_t vocab;		/* 256: the byte tokenizer */
	uint32_t d_model;
	uint32_t n_layers;
	uint32_t n_heads;	/* head_dim = d_model / n_heads, even */
	uint32_t d_ff;		/* SwiGLU hidden size */
	uint32_t ctx;		/* context length (longest sequence) */
	float rope_theta;
	float norm_eps;		/* RMSNorm epsilon */
};

/* The plan's default for make train (issue 14): about 3.4 M parameters. */
extern const struct llm_config llm_config_default;

/* The tensors of one block, in file order. */
enum llm_layer_tensor {
	LLM_ATTN_NORM,
	LLM_WQ,
	LLM_WK,
	LLM_WV,
	LLM_WO,
	LLM_FFN_NORM,
	LLM_W_GATE,
	LLM_W_UP,
	LLM_W_DOWN,
	LLM_LAYER_TENSORS
};

/* Where every parameter lives (element offsets into the flat array). */
struct llm_model {
	struct llm_config cfg;
	uint32_t head_dim;
	size_t tok_embd;	/* [vocab][d_model] */
	size_t layer[LLM_MAX_LAYERS][LLM_LAYER_TENSORS];
	size_t out_norm;	/* [d_model] */
	size_t out;		/* [vocab][d_model], untied from tok_embd */
	size_t n_params;
	uint32_t n_tensors;	/* 3 + 9 * n_layers */
};

/* One parameter tensor: its GGUF name, shape and place. */
struct llm_tensor {
	char name[64];
	uint32_t rows;		/* 1 for a vector */
	uint32_t cols;
	uint32_t n_dims;	/* 1 (norm gains) or 2 */
	size_t offset;		/* elements into the flat array */
	size_t n;		/* rows * cols */
	bool decay;		/* AdamW weight decay applies (matrices) */
};

/* 0, or -EINVAL with the reason in @err (LLM_ERR_LEN, may be NULL). */
int llm_config_check(const struct llm_config *c, char *err);
int llm_model_init(struct llm_model *m, const struct llm_config *c, char *err);
/* Tensor @i (0 .. n_tensors-1) in file order: token_embd.weight, then
 * blk.N.{attn_norm,attn_q,attn_k,attn_v,attn_output,ffn_norm,ffn_gate,
 * ffn_up,ffn_down}.weight, then output_norm.weight, output.weight. */
void llm_tensor_info(const struct llm_model *m, uint32_t i, struct llm_tensor *t);
/* Matrices ~ N(0, 0.02) (attn_output and ffn_down / sqrt(2 n_layers)),
 * norm gains 1; deterministic in @seed. */
void llm_init_weights(const struct llm_model *m, uint64_t seed, float *w);
/* Forward FLOPs per token of a sequence of @T tokens (matmuls only,
 * 2 per multiply-add); training is about 3 times that. */
double llm_flops_per_token(const struct llm_model *m, uint32_t T);

/*
 * The activations one forward pass keeps for its backward pass, for a
 * batch of B sequences of T tokens, in fp32 or (for the gradient check)
 * fp64.
 */
struct llm_acts;

struct llm_acts *llm_acts_new(const struct llm_model *m, uint32_t B, uint32_t T, bool f64);
void llm_acts_free(struct llm_acts *a);
size_t llm_acts_bytes(const struct llm_acts *a);
/* The last forward's logits, [B*T][vocab] (fp32, or fp64 ones). */
const float *llm_acts_logits(const struct llm_acts *a);
const double *llm_acts_logits64(const struct llm_acts *a);

/*
 * Forward pass over @tokens ([B*T], each < vocab).  With @targets
 * ([B*T], < vocab, or -1 to skip a position) *@loss is the mean
 * cross-entropy in nats over the targets >= 0.  0 or -EINVAL (bad
 * token, target, or an acts of the other precision).
 */
int llm_ref_forward(const struct llm_model *m, const float *w, const int32_t *tokens,
		    const int32_t *targets, struct llm_acts *a, double *loss);
/*
 * Backward pass of the last forward through @a (same tokens, targets):
 * @grads += d loss / d w, for every parameter.  The caller zeroes
 * @grads (so micro-batches can accumulate).  0 or -EINVAL, -ENOMEM.
 */
int llm_ref_backward(const struct llm_model *m, const float *w, const int32_t *tokens,
		     const int32_t *targets, const struct llm_acts *a, float *grads);
/* The same in fp64 (the gradient check's oracle). */
int llm_ref64_forward(const struct llm_model *m, const double *w, const int32_t *tokens,
		      const int32_t *targets, struct llm_acts *a, double *loss);
int llm_ref64_backward(const struct llm_model *m, const double *w, const int32_t *tokens,
		       const int32_t *targets, const struct llm_acts *a, double *grads);

/*
 * AdamW with decoupled weight decay (the card's ADAMW command): for each
 * element, with g = grad * grad_scale and t = step (>= 1):
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + lr * wd * w
 * llm_ref_adamw() applies it to every tensor, wd only to matrices.
 */
struct llm_adamw {
	float lr;
	float beta1;
	float beta2;
	float eps;
	float weight_decay;
};

void llm_ref_adamw_tensor(size_t n, const struct llm_adamw *h, float wd, uint64_t step,
			  float grad_scale, float *w, const float *grad, float *mom, float *var);
void llm_ref_adamw(const struct llm_model *m, const struct llm_adamw *h, uint64_t step,
		   float grad_scale, float *w, const float *grad, float *mom, float *var);
/* The L2 norm of a gradient (for clipping: grad_scale = min(1, c/norm)). */
double llm_grad_norm(const struct llm_model *m, const float *grad);

/*
 * Generation: a KV cache of ctx positions per layer, one token at a time
 * (prefill is the same step over the prompt).  llm_ref_decode() runs
 * token @tok at position kv->pos, writes [vocab] logits and advances
 * pos; -ENOSPC when the cache is full, -EINVAL for a bad token.
 */
struct llm_kv {
	uint32_t pos;
	uint32_t ctx;
	float *k;	/* [n_layers][ctx][d_model], after RoPE */
	float *v;	/* [n_layers][ctx][d_model] */
	float *scratch;
};

int llm_kv_init(struct llm_kv *kv, const struct llm_model *m);
void llm_kv_free(struct llm_kv *kv);
int llm_ref_decode(const struct llm_model *m, const float *w, struct llm_kv *kv, int32_t tok,
		   float *logits);

/* Sampling: temperature 0 = greedy (lowest index on ties); else the
 * top_k highest logits (0 = all) at temperature, drawn with @rng. */
struct llm_rng;
int32_t llm_sample(const float *logits, uint32_t vocab, float temperature, uint32_t top_k,
		   struct llm_rng *rng);

#endif /* TESSERA_LLM_H */
