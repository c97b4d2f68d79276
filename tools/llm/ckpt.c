// SPDX-License-Identifier: MIT
/*
 * The model checkpoint (llm_ckpt.h): our model as a llama GGUF file, and
 * back, checking that a file is exactly a model this code runs.
 *
 * Key types follow what llama runtimes read (llama.cpp checks them):
 * the sizes are uint32, freq_base and the epsilon float32.  The reader
 * accepts any unsigned integer type for sizes (the spec's advice).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm_ckpt.h"
#include "llm_data.h"

#define FTYPE_ALL_F32		0
#define FTYPE_MOSTLY_BF16	32	/* llama.cpp's LLAMA_FTYPE_MOSTLY_BF16 */
#define TOKEN_TYPE_NORMAL	1

static int add_tokenizer(struct gguf_writer *w, uint32_t vocab)
{
	char pieces[LLM_BYTE_VOCAB][4];
	const char *strs[LLM_BYTE_VOCAB];
	int32_t types[LLM_BYTE_VOCAB];
	float scores[LLM_BYTE_VOCAB];
	int ret;

	if (vocab != LLM_BYTE_VOCAB)
		return -EINVAL;
	for (uint32_t i = 0; i < vocab; i++) {
		llm_byte_piece(i, pieces[i]);
		strs[i] = pieces[i];
		types[i] = TOKEN_TYPE_NORMAL;
		scores[i] = 0;
	}
	ret = gguf_set_str(w, "tokenizer.ggml.model", "gpt2");
	if (!ret)
		ret = gguf_set_str(w, "tokenizer.ggml.pre", "default");
	if (!ret)
		ret = gguf_set_arr_str(w, "tokenizer.ggml.tokens", strs, NULL, vocab);
	if (!ret)
		ret = gguf_set_arr(w, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, types, vocab);
	if (!ret)
		ret = gguf_set_arr(w, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, scores, vocab);
	if (!ret)
		ret = gguf_set_arr_str(w, "tokenizer.ggml.merges", NULL, NULL, 0);
	/* no special tokens: byte 0 (never in the text) stands in for them,
	 * and nothing is added around a prompt */
	if (!ret)
		ret = gguf_set_u32(w, "tokenizer.ggml.bos_token_id", 0);
	if (!ret)
		ret = gguf_set_u32(w, "tokenizer.ggml.eos_token_id", 0);
	if (!ret)
		ret = gguf_set_bool(w, "tokenizer.ggml.add_bos_token", false);
	if (!ret)
		ret = gguf_set_bool(w, "tokenizer.ggml.add_eos_token", false);
	return ret;
}

int llm_ckpt_writer(const struct llm_model *m, const float *w, enum llm_ckpt_dtype dt,
		    const struct llm_train_meta *meta, const char *name,
		    struct gguf_writer **out, uint16_t **bf16)
{
	const struct llm_config *c = &m->cfg;
	struct gguf_writer *gw = gguf_writer_new(GGUF_DEFAULT_ALIGNMENT);
	uint16_t *half = NULL;
	int ret = 0;

	*out = NULL;
	*bf16 = NULL;
	if (!gw)
		return -ENOMEM;
	if (dt == LLM_CKPT_BF16) {
		half = calloc(m->n_params, sizeof(*half));
		if (!half) {
			ret = -ENOMEM;
			goto fail;
		}
	}
#define TRY(x) do { ret = (x); if (ret) goto fail; } while (0)
	TRY(gguf_set_str(gw, "general.architecture", "llama"));
	TRY(gguf_set_str(gw, "general.name", name ? name : "tessera"));
	TRY(gguf_set_str(gw, "general.description",
			 "A byte-level llama model trained on the Tessera T1 (or its CPU reference)"));
	TRY(gguf_set_u32(gw, "general.file_type", half ? FTYPE_MOSTLY_BF16 : FTYPE_ALL_F32));
	TRY(gguf_set_u32(gw, "llama.context_length", c->ctx));
	TRY(gguf_set_u32(gw, "llama.embedding_length", c->d_model));
	TRY(gguf_set_u32(gw, "llama.block_count", c->n_layers));
	TRY(gguf_set_u32(gw, "llama.feed_forward_length", c->d_ff));
	TRY(gguf_set_u32(gw, "llama.attention.head_count", c->n_heads));
	TRY(gguf_set_u32(gw, "llama.attention.head_count_kv", c->n_heads));
	TRY(gguf_set_f32(gw, "llama.attention.layer_norm_rms_epsilon", c->norm_eps));
	TRY(gguf_set_u32(gw, "llama.rope.dimension_count", m->head_dim));
	TRY(gguf_set_f32(gw, "llama.rope.freq_base", c->rope_theta));
	TRY(gguf_set_u32(gw, "llama.vocab_size", c->vocab));
	TRY(add_tokenizer(gw, c->vocab));
	if (meta) {
		TRY(gguf_set_u64(gw, "tessera.train.step", meta->step));
		TRY(gguf_set_u64(gw, "tessera.train.tokens", meta->tokens));
		TRY(gguf_set_u64(gw, "tessera.train.seed", meta->seed));
		TRY(gguf_set_u32(gw, "tessera.train.batch_size", meta->batch));
		TRY(gguf_set_f32(gw, "tessera.train.learning_rate", (float)meta->lr));
		if (isfinite(meta->val_loss))
			TRY(gguf_set_f32(gw, "tessera.train.val_loss", (float)meta->val_loss));
		if (meta->corpus)
			TRY(gguf_set_str(gw, "tessera.train.corpus", meta->corpus));
		TRY(gguf_set_str(gw, "tessera.train.optimizer", "adamw"));
	}
	for (uint32_t i = 0; i < m->n_tensors; i++) {
		struct llm_tensor t;
		uint64_t ne[2];
		const void *data;
		enum ggml_type type = GGML_TYPE_F32;

		llm_tensor_info(m, i, &t);
		/* ggml order: the row (fastest-varying) dimension first */
		ne[0] = t.cols;
		ne[1] = t.rows;
		data = w + t.offset;
		if (half && t.n_dims == 2) {
			for (size_t j = 0; j < t.n; j++)
				half[t.offset + j] = llm_f32_to_bf16(w[t.offset + j]);
			data = half + t.offset;
			type = GGML_TYPE_BF16;
		}
		TRY(gguf_add_tensor(gw, t.name, type, t.n_dims, ne, data));
	}
#undef TRY
	*out = gw;
	*bf16 = half;
	return 0;
fail:
	gguf_writer_free(gw);
	free(half);
	return ret;
}

int llm_ckpt_save(const char *path, const struct llm_model *m, const float *w,
		  enum llm_ckpt_dtype dt, const struct llm_train_meta *meta, const char *name)
{
	struct gguf_writer *gw;
	uint16_t *half;
	int ret = llm_ckpt_writer(m, w, dt, meta, name, &gw, &half);

	if (ret)
		return ret;
	ret = gguf_writer_save(gw, path);
	gguf_writer_free(gw);
	free(half);
	return ret;
}

/* A required (or, with @def, optional) size key, at most @max. */
static int get_size(const struct gguf_file *f, const char *key, uint64_t max, const uint64_t *def,
		    uint32_t *v, char *err)
{
	uint64_t u;
	int ret = gguf_get_uint(f, key, &u, err);

	if (ret == -ENOENT && def) {
		*v = *def;
		return 0;
	}
	if (ret == -ENOENT)
		return llm_seterr(err, -EINVAL, "missing key %s", key);
	if (ret)
		return ret;
	if (u > max)
		return llm_seterr(err, -EINVAL, "%s = %llu is out of range (at most %llu)", key,
			      (unsigned long long)u, (unsigned long long)max);
	*v = (uint32_t)u;
	return 0;
}

static int get_real(const struct gguf_file *f, const char *key, const double *def, float *v,
		    char *err)
{
	double d;
	int ret = gguf_get_float(f, key, &d, err);

	if (ret == -ENOENT && def) {
		*v = (float)*def;
		return 0;
	}
	if (ret == -ENOENT)
		return llm_seterr(err, -EINVAL, "missing key %s", key);
	if (ret)
		return ret;
	*v = (float)d;
	return 0;
}

/* The byte tokenizer and nothing else. */
static int check_tokenizer(const struct gguf_file *f, uint32_t *vocab, char *err)
{
	const struct gguf_kv *tokens, *kv;
	struct gguf_str model;
	int ret = gguf_get_str(f, "tokenizer.ggml.model", &model, err);

	if (ret == -ENOENT)
		return llm_seterr(err, -EINVAL, "missing key tokenizer.ggml.model");
	if (ret)
		return ret;
	if (!gguf_str_eq(model, "gpt2"))
		return llm_seterr(err, -ENOTSUP, "tokenizer.ggml.model is \"%.*s\", not the byte "
			      "tokenizer (\"gpt2\" with 256 byte tokens)",
			      (int)(model.len > 32 ? 32 : model.len), model.s);
	tokens = gguf_find_kv(f, "tokenizer.ggml.tokens");
	if (!tokens || tokens->val.type != GGUF_TYPE_ARRAY ||
	    tokens->val.arr.type != GGUF_TYPE_STRING)
		return llm_seterr(err, -EINVAL, "tokenizer.ggml.tokens is missing or not an array of "
			      "strings");
	if (tokens->val.arr.n != LLM_BYTE_VOCAB)
		return llm_seterr(err, -ENOTSUP, "tokenizer.ggml.tokens has %llu tokens, not the 256 "
			      "of the byte tokenizer", (unsigned long long)tokens->val.arr.n);
	for (uint32_t i = 0; i < LLM_BYTE_VOCAB; i++) {
		char piece[4];
		size_t n = llm_byte_piece(i, piece);
		struct gguf_str s = gguf_arr_str(&tokens->val, i);

		if (s.len != n || memcmp(s.s, piece, n))
			return llm_seterr(err, -ENOTSUP, "tokenizer.ggml.tokens[%u] is not byte %u's "
				      "token", i, i);
	}
	kv = gguf_find_kv(f, "tokenizer.ggml.merges");
	if (kv && (kv->val.type != GGUF_TYPE_ARRAY || kv->val.arr.n))
		return llm_seterr(err, -ENOTSUP, "tokenizer.ggml.merges is not empty (a BPE this "
			      "code does not run)");
	kv = gguf_find_kv(f, "tokenizer.ggml.token_type");
	if (kv && (kv->val.type != GGUF_TYPE_ARRAY || kv->val.arr.type != GGUF_TYPE_INT32 ||
		   kv->val.arr.n != LLM_BYTE_VOCAB))
		return llm_seterr(err, -EINVAL, "tokenizer.ggml.token_type is not 256 int32");
	kv = gguf_find_kv(f, "tokenizer.ggml.scores");
	if (kv && (kv->val.type != GGUF_TYPE_ARRAY || kv->val.arr.type != GGUF_TYPE_FLOAT32 ||
		   kv->val.arr.n != LLM_BYTE_VOCAB))
		return llm_seterr(err, -EINVAL, "tokenizer.ggml.scores is not 256 float32");
	*vocab = LLM_BYTE_VOCAB;
	return 0;
}

static int read_config(const struct gguf_file *f, struct llm_model *m, char *err)
{
	static const uint64_t big = 1u << 20;
	static const double theta = 10000.0;
	struct llm_config c = { 0 };
	struct gguf_str s;
	uint32_t kv_heads, rope_dims, vocab_key, experts;
	uint64_t none = 0;
	int ret;

	ret = gguf_get_str(f, "general.architecture", &s, err);
	if (ret == -ENOENT)
		return llm_seterr(err, -EINVAL, "missing key general.architecture");
	if (ret)
		return ret;
	if (!gguf_str_eq(s, "llama"))
		return llm_seterr(err, -ENOTSUP, "architecture \"%.*s\" is not llama",
			      (int)(s.len > 32 ? 32 : s.len), s.s);
#define TRY(x) do { ret = (x); if (ret) return ret; } while (0)
	TRY(get_size(f, "llama.context_length", big, NULL, &c.ctx, err));
	TRY(get_size(f, "llama.embedding_length", 65536, NULL, &c.d_model, err));
	TRY(get_size(f, "llama.block_count", LLM_MAX_LAYERS, NULL, &c.n_layers, err));
	TRY(get_size(f, "llama.feed_forward_length", big, NULL, &c.d_ff, err));
	TRY(get_size(f, "llama.attention.head_count", 65536, NULL, &c.n_heads, err));
	TRY(get_real(f, "llama.attention.layer_norm_rms_epsilon", NULL, &c.norm_eps, err));
	TRY(get_size(f, "llama.rope.dimension_count", 65536, NULL, &rope_dims, err));
	TRY(get_real(f, "llama.rope.freq_base", &theta, &c.rope_theta, err));
	TRY(get_size(f, "llama.attention.head_count_kv", 65536, &(uint64_t){ c.n_heads },
		     &kv_heads, err));
	TRY(get_size(f, "llama.expert_count", 65536, &none, &experts, err));
	TRY(check_tokenizer(f, &c.vocab, err));
	TRY(get_size(f, "llama.vocab_size", big, &(uint64_t){ c.vocab }, &vocab_key, err));
#undef TRY
	ret = llm_config_check(&c, err);
	if (ret)
		return ret;
	if (gguf_get_str(f, "llama.rope.scaling.type", &s, NULL) == 0 && !gguf_str_eq(s, "none"))
		return llm_seterr(err, -ENOTSUP, "RoPE scaling \"%.*s\" is not supported",
			      (int)(s.len > 32 ? 32 : s.len), s.s);
	if (experts)
		return llm_seterr(err, -ENOTSUP, "a mixture of %u experts is not supported", experts);
	if (kv_heads != c.n_heads)
		return llm_seterr(err, -ENOTSUP, "grouped-query attention (%u KV heads for %u) is not "
			      "supported", kv_heads, c.n_heads);
	if (vocab_key != c.vocab)
		return llm_seterr(err, -EINVAL, "llama.vocab_size %u but %u tokens", vocab_key,
			      c.vocab);
	ret = llm_model_init(m, &c, err);
	if (ret)
		return ret;
	if (rope_dims != m->head_dim)
		return llm_seterr(err, -ENOTSUP, "llama.rope.dimension_count %u: RoPE on part of a "
			      "head (of %u) is not supported", rope_dims, m->head_dim);
	return 0;
}

static int read_tensors(const struct gguf_file *f, struct llm_ckpt *ck, char *err)
{
	const struct llm_model *m = &ck->m;

	if (f->n_tensors != m->n_tensors)
		return llm_seterr(err, -EINVAL, "%llu tensors, the model has %u",
			      (unsigned long long)f->n_tensors, m->n_tensors);
	for (uint32_t i = 0; i < m->n_tensors; i++) {
		const struct gguf_tensor *gt;
		struct llm_tensor t;
		float *dst;

		llm_tensor_info(m, i, &t);
		gt = gguf_find_tensor(f, t.name);
		if (!gt)
			return llm_seterr(err, -EINVAL, "missing tensor %s", t.name);
		if (gt->n_dims != t.n_dims || gt->ne[0] != t.cols ||
		    (t.n_dims == 2 && gt->ne[1] != t.rows))
			return llm_seterr(err, -EINVAL, "tensor %s: shape [%llu, %llu, %llu, %llu] "
				      "(ggml order, %u dims), expected [%u, %u]", t.name,
				      (unsigned long long)gt->ne[0], (unsigned long long)gt->ne[1],
				      (unsigned long long)gt->ne[2], (unsigned long long)gt->ne[3],
				      gt->n_dims, t.cols, t.rows);
		dst = ck->w + t.offset;
		if (gt->type == GGML_TYPE_F32) {
			memcpy(dst, gt->data, t.n * sizeof(float));
		} else if (gt->type == GGML_TYPE_BF16) {
			const uint8_t *p = gt->data;

			for (size_t j = 0; j < t.n; j++) {
				uint16_t h;

				memcpy(&h, p + 2 * j, 2);
				dst[j] = llm_bf16_to_f32(h);
			}
			ck->bf16 = true;
		} else {
			return llm_seterr(err, -ENOTSUP, "tensor %s: type %s (F32 or BF16 supported)",
				      t.name, ggml_type_name(gt->type));
		}
		for (size_t j = 0; j < t.n; j++) {
			if (!isfinite(dst[j]))
				return llm_seterr(err, -EINVAL, "tensor %s: element %zu is not finite",
					      t.name, j);
		}
	}
	return 0;
}

static int read_meta(const struct gguf_file *f, struct llm_ckpt *ck, char *err)
{
	struct llm_train_meta *mt = &ck->meta;
	struct gguf_str s;
	uint64_t u;
	double d;
	int ret;

	mt->val_loss = NAN;
	mt->lr = NAN;
	ck->name[0] = 0;
	if (!gguf_get_str(f, "general.name", &s, NULL))
		snprintf(ck->name, sizeof(ck->name), "%.*s", (int)(s.len > 127 ? 127 : s.len),
			 s.s);
#define OPT(call, then) do { ret = (call); if (!ret) { then; } else if (ret != -ENOENT) return ret; } while (0)
	OPT(gguf_get_uint(f, "tessera.train.step", &u, err), mt->step = u);
	OPT(gguf_get_uint(f, "tessera.train.tokens", &u, err), mt->tokens = u);
	OPT(gguf_get_uint(f, "tessera.train.seed", &u, err), mt->seed = u);
	OPT(gguf_get_uint(f, "tessera.train.batch_size", &u, err), mt->batch = (uint32_t)u);
	OPT(gguf_get_float(f, "tessera.train.learning_rate", &d, err), mt->lr = d);
	OPT(gguf_get_float(f, "tessera.train.val_loss", &d, err), mt->val_loss = d);
	OPT(gguf_get_str(f, "tessera.train.corpus", &s, err),
	    snprintf(ck->corpus, sizeof(ck->corpus), "%.*s", (int)(s.len > 63 ? 63 : s.len), s.s);
	    mt->corpus = ck->corpus);
#undef OPT
	return 0;
}

int llm_ckpt_from_gguf(const struct gguf_file *f, struct llm_ckpt *ck, char *err)
{
	int ret;

	memset(ck, 0, sizeof(*ck));
	ret = read_config(f, &ck->m, err);
	if (ret)
		return ret;
	ck->w = malloc(ck->m.n_params * sizeof(float));
	if (!ck->w)
		return llm_seterr(err, -ENOMEM, "no memory for %zu parameters", ck->m.n_params);
	ret = read_tensors(f, ck, err);
	if (!ret)
		ret = read_meta(f, ck, err);
	if (ret)
		llm_ckpt_free(ck);
	return ret;
}

int llm_ckpt_load(const char *path, struct llm_ckpt *ck, char *err)
{
	char msg[LLM_ERR_LEN > GGUF_ERR_LEN ? LLM_ERR_LEN : GGUF_ERR_LEN];
	struct gguf_file *f;
	int ret;

	memset(ck, 0, sizeof(*ck));
	ret = gguf_read_file(path, &f, msg);
	if (ret)
		return llm_seterr(err, ret, "%s", msg);
	ret = llm_ckpt_from_gguf(f, ck, msg);
	if (ret)
		llm_seterr(err, ret, "%s: %s", path, msg);
	gguf_close(f);
	return ret;
}

void llm_ckpt_free(struct llm_ckpt *ck)
{
	free(ck->w);
	memset(ck, 0, sizeof(*ck));
}
