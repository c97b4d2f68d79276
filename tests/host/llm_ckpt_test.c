// SPDX-License-Identifier: MIT
/*
 * Checkpoints (tools/llm/ckpt.c, optim.c): the model as a llama GGUF
 * file and back with bit-identical logits (fp32; bf16 identical to the
 * rounded weights), the keys, tokenizer and tensor layout llama runtimes
 * read, the optimizer sidecar and a resume that continues bit for bit,
 * and bad checkpoints refused with a reason and no crash (ASan/UBSan):
 * wrong magic or version, truncation, wrong shapes, dtypes,
 * architectures, tokenizers, key types, sizes, duplicate, missing and
 * extra tensors, misaligned data, non-finite weights.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gguf.h"
#include "llm.h"
#include "llm_ckpt.h"
#include "llm_data.h"
#include "rng.h"
#include "tap.h"

static const struct llm_config small = {
	.vocab = 256, .d_model = 32, .n_layers = 2, .n_heads = 2, .d_ff = 48, .ctx = 16,
	.rope_theta = 10000.0f, .norm_eps = 1e-5f,
};

static char dir[] = "/tmp/llm-ckpt-XXXXXX";

static void rough_weights(const struct llm_model *m, uint64_t seed, float *w)
{
	struct llm_rng r;

	llm_rng_seed(&r, seed);
	for (uint32_t i = 0; i < m->n_tensors; i++) {
		struct llm_tensor t;

		llm_tensor_info(m, i, &t);
		for (size_t j = 0; j < t.n; j++)
			w[t.offset + j] = (float)((t.n_dims == 1 ? 1 : 0) + 0.3 * llm_rng_normal(&r));
	}
}

/* Logits of 16 fixed tokens into @out (vocab * 16 floats). */
static int logits_of(const struct llm_model *m, const float *w, float *out)
{
	struct llm_acts *a = llm_acts_new(m, 1, 16, false);
	int32_t tok[16];
	int ret;

	if (!a)
		return -ENOMEM;
	for (int i = 0; i < 16; i++)
		tok[i] = (i * 53 + 7) % 256;
	ret = llm_ref_forward(m, w, tok, NULL, a, NULL);
	if (!ret)
		memcpy(out, llm_acts_logits(a), 16 * m->cfg.vocab * sizeof(float));
	llm_acts_free(a);
	return ret;
}

static void path_of(char *p, size_t n, const char *name)
{
	snprintf(p, n, "%s/%s", dir, name);
}

static void test_roundtrip_f32(struct tap *t)
{
	const struct llm_train_meta meta = {
		.step = 1234, .tokens = 1234 * 2048, .seed = 77, .batch = 16, .lr = 1e-3,
		.val_loss = 1.875, .corpus = "fortunes",
	};
	char path[128], err[LLM_ERR_LEN];
	float *w, *l1, *l2;
	struct llm_model m;
	struct llm_ckpt ck;

	if (!CHECK(t, !llm_model_init(&m, &small, NULL)))
		return;
	w = malloc(m.n_params * sizeof(float));
	l1 = malloc(16 * 256 * sizeof(float));
	l2 = malloc(16 * 256 * sizeof(float));
	rough_weights(&m, 11, w);
	path_of(path, sizeof(path), "f32.gguf");
	CHECK(t, !llm_ckpt_save(path, &m, w, LLM_CKPT_F32, &meta, "test-f32"));
	if (!CHECK(t, !llm_ckpt_load(path, &ck, err))) {
		printf("# %s\n", err);
		goto out;
	}
	CHECK(t, !memcmp(&ck.m, &m, sizeof(m)));
	CHECK(t, !memcmp(ck.w, w, m.n_params * sizeof(float)));
	CHECK(t, !ck.bf16);
	CHECK(t, !strcmp(ck.name, "test-f32"));
	CHECK(t, ck.meta.step == 1234 && ck.meta.tokens == 1234 * 2048 && ck.meta.seed == 77 &&
	      ck.meta.batch == 16);
	CHECK(t, fabs(ck.meta.lr - 1e-3) < 1e-9 && ck.meta.val_loss == 1.875);
	CHECK(t, ck.meta.corpus && !strcmp(ck.meta.corpus, "fortunes"));
	CHECK(t, !logits_of(&m, w, l1) && !logits_of(&ck.m, ck.w, l2));
	CHECK(t, !memcmp(l1, l2, 16 * 256 * sizeof(float)));
	llm_ckpt_free(&ck);
out:
	free(w);
	free(l1);
	free(l2);
}

static void test_roundtrip_bf16(struct tap *t)
{
	char path[128], err[LLM_ERR_LEN];
	float *w, *r, *l1, *l2;
	struct llm_model m;
	struct llm_ckpt ck;
	struct stat st32, st16;
	unsigned int bad = 0;

	if (!CHECK(t, !llm_model_init(&m, &small, NULL)))
		return;
	w = malloc(m.n_params * sizeof(float));
	r = malloc(m.n_params * sizeof(float));
	l1 = malloc(16 * 256 * sizeof(float));
	l2 = malloc(16 * 256 * sizeof(float));
	rough_weights(&m, 12, w);
	/* the weights as bf16 would round them: matrices only */
	for (uint32_t i = 0; i < m.n_tensors; i++) {
		struct llm_tensor tt;

		llm_tensor_info(&m, i, &tt);
		for (size_t j = 0; j < tt.n; j++) {
			float x = w[tt.offset + j];

			r[tt.offset + j] = tt.n_dims == 2 ? llm_bf16_to_f32(llm_f32_to_bf16(x)) : x;
		}
	}
	path_of(path, sizeof(path), "bf16.gguf");
	CHECK(t, !llm_ckpt_save(path, &m, w, LLM_CKPT_BF16, NULL, NULL));
	if (!CHECK(t, !llm_ckpt_load(path, &ck, err))) {
		printf("# %s\n", err);
		goto out;
	}
	CHECK(t, ck.bf16);
	CHECK(t, !memcmp(ck.w, r, m.n_params * sizeof(float)));
	CHECK(t, memcmp(ck.w, w, m.n_params * sizeof(float)));	/* it did round */
	CHECK(t, !logits_of(&m, r, l1) && !logits_of(&ck.m, ck.w, l2));
	CHECK(t, !memcmp(l1, l2, 16 * 256 * sizeof(float)));
	llm_ckpt_free(&ck);
	stat(path, &st16);
	path_of(path, sizeof(path), "f32.gguf");
	stat(path, &st32);
	printf("# file sizes: fp32 %lld, bf16 %lld bytes\n", (long long)st32.st_size,
	       (long long)st16.st_size);
	CHECK(t, st16.st_size < st32.st_size * 6 / 10);
out:
	/* round to nearest even, and NaN stays NaN */
	bad += llm_f32_to_bf16(1.0f) != 0x3f80;
	bad += llm_f32_to_bf16(1.00390625f) != 0x3f80;	/* halfway: to even */
	bad += llm_f32_to_bf16(1.01171875f) != 0x3f82;	/* halfway: to even, up */
	bad += llm_f32_to_bf16(-2.0f) != 0xc000;
	bad += !isnan(llm_bf16_to_f32(llm_f32_to_bf16(NAN)));
	bad += llm_f32_to_bf16(INFINITY) != 0x7f80;
	CHECK_EQ(t, bad, 0);
	free(w);
	free(r);
	free(l1);
	free(l2);
}

/* What a llama runtime reads: the keys, their types, the tokenizer and
 * the tensors' ggml dims and row-major data. */
static void test_llama_layout(struct tap *t)
{
	static const char *const u32_keys[] = {
		"llama.context_length", "llama.embedding_length", "llama.block_count",
		"llama.feed_forward_length", "llama.attention.head_count",
		"llama.attention.head_count_kv", "llama.rope.dimension_count", "llama.vocab_size",
		"general.alignment", "general.file_type",
	};
	char path[128], err[GGUF_ERR_LEN];
	const struct gguf_kv *kv;
	const struct gguf_tensor *gt;
	struct gguf_file *f;
	struct gguf_str s;
	struct llm_model m;
	uint64_t u;
	double d;
	float *w;
	unsigned int bad = 0;

	if (!CHECK(t, !llm_model_init(&m, &small, NULL)))
		return;
	w = malloc(m.n_params * sizeof(float));
	rough_weights(&m, 13, w);
	path_of(path, sizeof(path), "layout.gguf");
	CHECK(t, !llm_ckpt_save(path, &m, w, LLM_CKPT_F32, NULL, "x"));
	if (!CHECK(t, !gguf_read_file(path, &f, err)))
		goto out;
	CHECK(t, !gguf_get_str(f, "general.architecture", &s, NULL) && gguf_str_eq(s, "llama"));
	for (size_t i = 0; i < ARRAY_SIZE(u32_keys); i++) {
		kv = gguf_find_kv(f, u32_keys[i]);
		if (!kv || kv->val.type != GGUF_TYPE_UINT32) {
			printf("# %s missing or not uint32\n", u32_keys[i]);
			bad++;
		}
	}
	CHECK_EQ(t, bad, 0);
	CHECK(t, !gguf_get_uint(f, "llama.embedding_length", &u, NULL) && u == 32);
	CHECK(t, !gguf_get_uint(f, "llama.rope.dimension_count", &u, NULL) && u == 16);
	CHECK(t, (kv = gguf_find_kv(f, "llama.rope.freq_base")) &&
	      kv->val.type == GGUF_TYPE_FLOAT32 && kv->val.f == 10000.0);
	CHECK(t, (kv = gguf_find_kv(f, "llama.attention.layer_norm_rms_epsilon")) &&
	      kv->val.type == GGUF_TYPE_FLOAT32 && kv->val.f == (double)1e-5f);
	CHECK(t, !gguf_get_str(f, "tokenizer.ggml.model", &s, NULL) && gguf_str_eq(s, "gpt2"));
	kv = gguf_find_kv(f, "tokenizer.ggml.tokens");
	CHECK(t, kv && kv->val.arr.type == GGUF_TYPE_STRING && kv->val.arr.n == 256);
	if (kv) {
		CHECK(t, gguf_str_eq(gguf_arr_str(&kv->val, ' '), "\xc4\xa0"));
		CHECK(t, gguf_str_eq(gguf_arr_str(&kv->val, 'x'), "x"));
	}
	kv = gguf_find_kv(f, "tokenizer.ggml.merges");
	CHECK(t, kv && kv->val.arr.type == GGUF_TYPE_STRING && kv->val.arr.n == 0);
	kv = gguf_find_kv(f, "tokenizer.ggml.token_type");
	CHECK(t, kv && kv->val.arr.type == GGUF_TYPE_INT32 && kv->val.arr.n == 256 &&
	      gguf_arr_i(&kv->val, 200) == 1);
	kv = gguf_find_kv(f, "tokenizer.ggml.scores");
	CHECK(t, kv && kv->val.arr.type == GGUF_TYPE_FLOAT32 && kv->val.arr.n == 256);
	CHECK(t, (kv = gguf_find_kv(f, "tokenizer.ggml.add_bos_token")) &&
	      kv->val.type == GGUF_TYPE_BOOL && kv->val.u == 0);
	CHECK(t, gguf_get_float(f, "tessera.train.val_loss", &d, NULL) == -ENOENT);
	CHECK_EQ(t, f->n_tensors, 3 + 9 * 2);
	CHECK(t, gguf_str_eq(f->tensors[0].name, "token_embd.weight"));
	CHECK(t, gguf_str_eq(f->tensors[f->n_tensors - 1].name, "output.weight"));
	/* ggml dims: ne[0] the row length (the layer's input size) */
	gt = gguf_find_tensor(f, "token_embd.weight");
	CHECK(t, gt && gt->n_dims == 2 && gt->ne[0] == 32 && gt->ne[1] == 256);
	gt = gguf_find_tensor(f, "blk.1.ffn_down.weight");
	CHECK(t, gt && gt->ne[0] == 48 && gt->ne[1] == 32);
	gt = gguf_find_tensor(f, "blk.0.attn_norm.weight");
	CHECK(t, gt && gt->n_dims == 1 && gt->ne[0] == 32 && gt->type == GGML_TYPE_F32);
	gt = gguf_find_tensor(f, "blk.1.ffn_gate.weight");
	if (CHECK(t, gt && gt->ne[0] == 32 && gt->ne[1] == 48)) {
		/* element (row r = output unit, column c = input) at r * ne[0] + c */
		const float *data = gt->data;
		size_t off = m.layer[1][LLM_W_GATE];

		CHECK(t, data[5 * 32 + 7] == w[off + 5 * 32 + 7]);
		CHECK(t, data[47 * 32 + 31] == w[off + 47 * 32 + 31]);
		CHECK_EQ(t, gt->offset % 32, 0);
	}
	gguf_close(f);
out:
	free(w);
}

/* One checkpoint's bytes in memory, to mutate. */
static int sample(uint8_t **buf, size_t *len)
{
	struct gguf_writer *gw;
	struct llm_model m;
	uint16_t *half;
	float *w;
	int ret;

	if (llm_model_init(&m, &small, NULL))
		return -EINVAL;
	w = malloc(m.n_params * sizeof(float));
	rough_weights(&m, 14, w);
	ret = llm_ckpt_writer(&m, w, LLM_CKPT_F32, NULL, "s", &gw, &half);
	if (!ret) {
		ret = gguf_writer_to_mem(gw, buf, len);
		gguf_writer_free(gw);
	}
	free(half);
	free(w);
	return ret;
}

static int load_mem(const uint8_t *buf, size_t len, char *err)
{
	char msg[GGUF_ERR_LEN];
	uint8_t *copy = malloc(len ? len : 1);
	struct gguf_file *f;
	struct llm_ckpt ck;
	int ret;

	memcpy(copy, buf, len);
	ret = gguf_parse(copy, len, &f, msg);
	if (ret) {
		snprintf(err, LLM_ERR_LEN, "%s", msg);
	} else {
		ret = llm_ckpt_from_gguf(f, &ck, err);
		if (!ret)
			llm_ckpt_free(&ck);
		gguf_close(f);
	}
	free(copy);
	return ret;
}

static void test_truncated(struct tap *t)
{
	char err[LLM_ERR_LEN], path[128];
	unsigned int bad = 0, tried = 0;
	struct gguf_file *f;
	struct llm_ckpt ck;
	uint8_t *buf;
	size_t len, data;
	FILE *fp;

	if (!CHECK(t, !sample(&buf, &len)))
		return;
	if (!CHECK(t, !gguf_parse(buf, len, &f, err)))
		goto out;
	data = f->data_offset;
	gguf_close(f);
	/* every prefix through the metadata, then every 61st byte */
	for (size_t n = 0; n < len; n += n < data + 64 ? 1 : 61) {
		err[0] = 0;
		int ret = load_mem(buf, n, err);

		tried++;
		if (ret != -EINVAL || !err[0]) {
			printf("# %zu bytes: %d %s\n", n, ret, err);
			bad++;
		}
	}
	printf("# %u truncations of a %zu-byte checkpoint refused (data at %zu)\n", tried, len,
	       data);
	CHECK_EQ(t, bad, 0);
	/* and through the file API, with the name in the message */
	path_of(path, sizeof(path), "cut.gguf");
	fp = fopen(path, "wb");
	if (CHECK(t, fp)) {
		fwrite(buf, 1, len - 1000, fp);
		fclose(fp);
		CHECK_EQ(t, llm_ckpt_load(path, &ck, err), -EINVAL);
		printf("# %s\n", err);
		CHECK(t, strstr(err, path) && strstr(err, "output.weight"));
	}
out:
	free(buf);
}

/*
 * A copy of a valid checkpoint with one edit, through the generic
 * writer: keys can be dropped or replaced, tensors renamed, retyped,
 * reshaped, added or dropped.
 */
struct edit {
	const char *drop_key;		/* or NULL */
	const char *set_key;		/* replaced (or added) with one of: */
	enum gguf_type set_type;
	uint64_t set_u;
	const char *set_s;
	double set_f;
	const char *tensor;		/* the tensor edited, or NULL */
	const char *rename;		/* a new name, "" to drop it */
	int retype;			/* a new ggml type, or -1 */
	int64_t ne[2];			/* a new shape, or 0 */
	uint32_t n_dims;		/* 0: keep */
	bool add_tensor;		/* one more tensor */
	bool nan;			/* a NaN in the tensor */
};

static int copy_value(struct gguf_writer *w, const char *key, const struct gguf_value *v)
{
	switch (v->type) {
	case GGUF_TYPE_UINT8: return gguf_set_u8(w, key, v->u);
	case GGUF_TYPE_INT8: return gguf_set_i8(w, key, v->i);
	case GGUF_TYPE_UINT16: return gguf_set_u16(w, key, v->u);
	case GGUF_TYPE_INT16: return gguf_set_i16(w, key, v->i);
	case GGUF_TYPE_UINT32: return gguf_set_u32(w, key, v->u);
	case GGUF_TYPE_INT32: return gguf_set_i32(w, key, v->i);
	case GGUF_TYPE_UINT64: return gguf_set_u64(w, key, v->u);
	case GGUF_TYPE_INT64: return gguf_set_i64(w, key, v->i);
	case GGUF_TYPE_FLOAT32: return gguf_set_f32(w, key, v->f);
	case GGUF_TYPE_FLOAT64: return gguf_set_f64(w, key, v->f);
	case GGUF_TYPE_BOOL: return gguf_set_bool(w, key, v->u);
	case GGUF_TYPE_STRING: return gguf_set_strn(w, key, v->str.s, v->str.len);
	case GGUF_TYPE_ARRAY:
		if (v->arr.type == GGUF_TYPE_STRING) {
			const char **s = calloc(v->arr.n + 1, sizeof(*s));
			size_t *l = calloc(v->arr.n + 1, sizeof(*l));
			int ret;

			for (uint64_t i = 0; i < v->arr.n; i++) {
				s[i] = v->arr.strs[i].s;
				l[i] = v->arr.strs[i].len;
			}
			ret = gguf_set_arr_str(w, key, s, l, v->arr.n);
			free(s);
			free(l);
			return ret;
		}
		return gguf_set_arr(w, key, v->arr.type, v->arr.data, v->arr.n);
	default:
		return -EINVAL;
	}
}

static int set_edit(struct gguf_writer *w, const struct edit *e)
{
	switch (e->set_type) {
	case GGUF_TYPE_UINT32: return gguf_set_u32(w, e->set_key, e->set_u);
	case GGUF_TYPE_UINT64: return gguf_set_u64(w, e->set_key, e->set_u);
	case GGUF_TYPE_INT32: return gguf_set_i32(w, e->set_key, (int32_t)e->set_u);
	case GGUF_TYPE_FLOAT32: return gguf_set_f32(w, e->set_key, e->set_f);
	case GGUF_TYPE_STRING: return gguf_set_str(w, e->set_key, e->set_s);
	default: return -EINVAL;
	}
}

static int edited(const struct edit *e, uint8_t **out, size_t *out_len)
{
	static uint8_t zeros[1 << 20];
	char err[GGUF_ERR_LEN];
	struct gguf_writer *w;
	struct gguf_file *f;
	uint8_t *buf;
	float *nanbuf = NULL;
	size_t len;
	int ret;

	ret = sample(&buf, &len);
	if (ret)
		return ret;
	ret = gguf_parse(buf, len, &f, err);
	if (ret) {
		free(buf);
		return ret;
	}
	w = gguf_writer_new(32);
	for (uint64_t i = 0; !ret && i < f->n_kv; i++) {
		const struct gguf_kv *kv = &f->kv[i];
		char key[128];

		snprintf(key, sizeof(key), "%.*s", (int)kv->key.len, kv->key.s);
		if (!strcmp(key, "general.alignment"))
			continue;
		if (e->drop_key && !strcmp(key, e->drop_key))
			continue;
		if (e->set_key && !strcmp(key, e->set_key))
			continue;
		ret = copy_value(w, key, &kv->val);
	}
	if (!ret && e->set_key)
		ret = set_edit(w, e);
	for (uint64_t i = 0; !ret && i < f->n_tensors; i++) {
		const struct gguf_tensor *gt = &f->tensors[i];
		char name[80];
		uint64_t ne[4];
		uint32_t n_dims = gt->n_dims, type = gt->type;
		const void *data = gt->data;

		snprintf(name, sizeof(name), "%.*s", (int)gt->name.len, gt->name.s);
		memcpy(ne, gt->ne, sizeof(ne));
		if (e->tensor && !strcmp(name, e->tensor)) {
			if (e->rename && !e->rename[0])
				continue;
			if (e->rename)
				snprintf(name, sizeof(name), "%s", e->rename);
			if (e->retype >= 0)
				type = e->retype;
			if (e->n_dims)
				n_dims = e->n_dims;
			if (e->ne[0]) {
				ne[0] = e->ne[0];
				ne[1] = e->ne[1];
			}
			data = zeros;
			if (e->nan) {
				nanbuf = malloc(gt->nbytes);
				memcpy(nanbuf, gt->data, gt->nbytes);
				nanbuf[3] = NAN;
				data = nanbuf;
			}
		}
		ret = gguf_add_tensor(w, name, type, n_dims, ne, data);
	}
	if (!ret && e->add_tensor)
		ret = gguf_add_tensor(w, "extra.weight", GGML_TYPE_F32, 1, (uint64_t[]){ 4 }, zeros);
	if (!ret)
		ret = gguf_writer_to_mem(w, out, out_len);
	gguf_writer_free(w);
	gguf_close(f);
	free(nanbuf);
	free(buf);
	return ret;
}

struct bad_case {
	const char *what;
	struct edit e;
	int want;
	const char *word;
};

static void test_bad_checkpoints(struct tap *t)
{
	static const struct bad_case cases[] = {
		{ "the unedited copy loads", { .retype = -1 }, 0, "" },
		{ "architecture gpt2", { .set_key = "general.architecture",
		  .set_type = GGUF_TYPE_STRING, .set_s = "gpt2", .retype = -1 }, -ENOTSUP, "llama" },
		{ "no architecture", { .drop_key = "general.architecture", .retype = -1 },
		  -EINVAL, "general.architecture" },
		{ "no block_count", { .drop_key = "llama.block_count", .retype = -1 },
		  -EINVAL, "missing key llama.block_count" },
		{ "block_count a string", { .set_key = "llama.block_count",
		  .set_type = GGUF_TYPE_STRING, .set_s = "2", .retype = -1 }, -EINVAL, "string" },
		{ "block_count 1000", { .set_key = "llama.block_count",
		  .set_type = GGUF_TYPE_UINT32, .set_u = 1000, .retype = -1 }, -EINVAL, "range" },
		{ "block_count 3 (tensors of 2)", { .set_key = "llama.block_count",
		  .set_type = GGUF_TYPE_UINT32, .set_u = 3, .retype = -1 }, -EINVAL, "tensors" },
		{ "embedding_length 2^40 (uint64)", { .set_key = "llama.embedding_length",
		  .set_type = GGUF_TYPE_UINT64, .set_u = 1ull << 40, .retype = -1 }, -EINVAL,
		  "range" },
		{ "feed_forward_length 64 (uint64)", { .set_key = "llama.feed_forward_length",
		  .set_type = GGUF_TYPE_UINT64, .set_u = 64, .retype = -1 }, -EINVAL, "shape" },
		{ "context_length negative int32", { .set_key = "llama.context_length",
		  .set_type = GGUF_TYPE_INT32, .set_u = (uint64_t)-5, .retype = -1 }, -EINVAL,
		  "int32" },
		{ "epsilon a uint32", { .set_key = "llama.attention.layer_norm_rms_epsilon",
		  .set_type = GGUF_TYPE_UINT32, .set_u = 1, .retype = -1 }, -EINVAL, "float" },
		{ "epsilon 0", { .set_key = "llama.attention.layer_norm_rms_epsilon",
		  .set_type = GGUF_TYPE_FLOAT32, .set_f = 0, .retype = -1 }, -EINVAL, "norm_eps" },
		{ "3 heads", { .set_key = "llama.attention.head_count",
		  .set_type = GGUF_TYPE_UINT32, .set_u = 3, .retype = -1 }, -EINVAL, "n_heads" },
		{ "grouped-query attention", { .set_key = "llama.attention.head_count_kv",
		  .set_type = GGUF_TYPE_UINT32, .set_u = 1, .retype = -1 }, -ENOTSUP,
		  "grouped-query" },
		{ "partial RoPE", { .set_key = "llama.rope.dimension_count",
		  .set_type = GGUF_TYPE_UINT32, .set_u = 8, .retype = -1 }, -ENOTSUP, "RoPE" },
		{ "RoPE scaling", { .set_key = "llama.rope.scaling.type",
		  .set_type = GGUF_TYPE_STRING, .set_s = "yarn", .retype = -1 }, -ENOTSUP,
		  "scaling" },
		{ "experts", { .set_key = "llama.expert_count", .set_type = GGUF_TYPE_UINT32,
		  .set_u = 8, .retype = -1 }, -ENOTSUP, "experts" },
		{ "vocab_size 300", { .set_key = "llama.vocab_size", .set_type = GGUF_TYPE_UINT32,
		  .set_u = 300, .retype = -1 }, -EINVAL, "vocab_size" },
		{ "tokenizer llama", { .set_key = "tokenizer.ggml.model",
		  .set_type = GGUF_TYPE_STRING, .set_s = "llama", .retype = -1 }, -ENOTSUP,
		  "byte tokenizer" },
		{ "no tokenizer", { .drop_key = "tokenizer.ggml.model", .retype = -1 }, -EINVAL,
		  "tokenizer.ggml.model" },
		{ "no tokens", { .drop_key = "tokenizer.ggml.tokens", .retype = -1 }, -EINVAL,
		  "tokens" },
		{ "tokens a string", { .set_key = "tokenizer.ggml.tokens",
		  .set_type = GGUF_TYPE_STRING, .set_s = "abc", .retype = -1 }, -EINVAL,
		  "tokens" },
		{ "step a string", { .set_key = "tessera.train.step",
		  .set_type = GGUF_TYPE_STRING, .set_s = "5", .retype = -1 }, -EINVAL, "step" },
		{ "a tensor swapped [in, out]", { .tensor = "blk.0.ffn_gate.weight",
		  .ne = { 48, 32 }, .retype = -1 }, -EINVAL, "shape" },
		{ "a norm as a matrix", { .tensor = "blk.1.ffn_norm.weight", .n_dims = 2,
		  .ne = { 32, 1 }, .retype = -1 }, -EINVAL, "shape" },
		{ "a matrix one row short", { .tensor = "output.weight", .ne = { 32, 255 },
		  .retype = -1 }, -EINVAL, "shape" },
		{ "an F16 tensor", { .tensor = "blk.0.attn_q.weight", .retype = GGML_TYPE_F16 },
		  -ENOTSUP, "F16" },
		{ "an I32 tensor", { .tensor = "blk.0.attn_k.weight", .retype = GGML_TYPE_I32 },
		  -ENOTSUP, "I32" },
		{ "a missing tensor", { .tensor = "blk.1.attn_v.weight", .rename = "",
		  .retype = -1 }, -EINVAL, "tensors" },
		{ "a renamed tensor", { .tensor = "blk.1.attn_v.weight", .rename = "blk.1.attn_x.weight",
		  .retype = -1 }, -EINVAL, "missing tensor blk.1.attn_v.weight" },
		{ "an extra tensor", { .add_tensor = true, .retype = -1 }, -EINVAL, "tensors" },
		{ "a NaN weight", { .tensor = "blk.0.attn_output.weight", .nan = true,
		  .retype = -1 }, -EINVAL, "not finite" },
	};
	unsigned int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bad_case *c = &cases[i];
		char err[LLM_ERR_LEN] = "";
		uint8_t *buf;
		size_t len;
		int ret = edited(&c->e, &buf, &len);

		if (ret) {
			printf("# %s: could not build it (%d)\n", c->what, ret);
			bad++;
			continue;
		}
		ret = load_mem(buf, len, err);
		printf("# %s: %d %s\n", c->what, ret, err);
		if (ret != c->want || (c->want && !strstr(err, c->word))) {
			printf("#   expected %d and \"%s\"\n", c->want, c->word);
			bad++;
		}
		free(buf);
	}
	CHECK_EQ(t, bad, 0);
}

static size_t find(const uint8_t *buf, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= len; i++) {
		if (!memcmp(buf + i, what, n))
			return i;
	}
	return 0;
}

/* Byte-level damage: the header, counts, lengths, offsets, names. */
static void test_damaged_bytes(struct tap *t)
{
	char err[LLM_ERR_LEN];
	uint8_t *buf, *m;
	size_t len, at;
	unsigned int bad = 0;
	uint64_t v;

	if (!CHECK(t, !sample(&buf, &len)))
		return;
	m = malloc(len);
#define TRY(what, want, word) do { \
		err[0] = 0; \
		int r = load_mem(m, len, err); \
		printf("# %s: %d %s\n", what, r, err); \
		if (r != (want) || !strstr(err, word)) \
			bad++; \
		memcpy(m, buf, len); \
	} while (0)
	memcpy(m, buf, len);
	memcpy(m, "GGML", 4);
	TRY("wrong magic", -EINVAL, "magic");
	m[4] = 2;
	TRY("version 2", -ENOTSUP, "version 2");
	m[4] = 0;
	m[7] = 3;
	TRY("big-endian version", -ENOTSUP, "big-endian");
	v = 1ull << 62;
	memcpy(m + 8, &v, 8);
	TRY("huge tensor count", -EINVAL, "tensors cannot fit");
	memcpy(m + 16, &v, 8);
	TRY("huge metadata count", -EINVAL, "metadata pairs");
	/* the tokens array's count */
	at = find(buf, len, "tokenizer.ggml.tokens") + 21 + 4 + 4;
	memcpy(m + at, &v, 8);
	TRY("huge token array", -EINVAL, "array of");
	/* a token string's length: the first token, byte 0 */
	memcpy(m + at + 8, &v, 8);
	TRY("huge token string", -EINVAL, "bytes follow");
	/* the first tensor's offset, misaligned, then past the end */
	at = find(buf, len, "token_embd.weight") + 17 + 4 + 16 + 4;
	v = 4;
	memcpy(m + at, &v, 8);
	TRY("misaligned tensor", -EINVAL, "alignment");
	v = 1ull << 40;
	memcpy(m + at, &v, 8);
	TRY("tensor past the end", -EINVAL, "outside the data section");
	/* a tensor renamed to another's name (same length) */
	at = find(buf, len, "blk.1.attn_k.weight");
	memcpy(m + at, "blk.1.attn_q", 12);
	TRY("duplicate tensor name", -EINVAL, "duplicate tensor name blk.1.attn_q.weight");
	/* its type byte: Q4_0 */
	at += 19 + 4 + 16;
	m[at] = 2;
	TRY("a Q4_0 tensor", -ENOTSUP, "Q4_0");
	m[at] = 99;
	TRY("an invalid tensor type", -EINVAL, "invalid type 99");
	/* a tensor's dim */
	v = 0;
	memcpy(m + at - 8, &v, 8);
	TRY("a zero dimension", -EINVAL, "zero");
	/* a bool that is not 0 or 1 */
	at = find(buf, len, "tokenizer.ggml.add_bos_token") + 28 + 4;
	m[at] = 7;
	TRY("a bool of 7", -EINVAL, "bool");
#undef TRY
	CHECK_EQ(t, bad, 0);
	free(m);
	free(buf);
}

static void test_optimizer_resume(struct tap *t)
{
	const struct llm_adamw hp = { 3e-3f, 0.9f, 0.95f, 1e-8f, 0.1f };
	char ck_path[128], op_path[128], err[LLM_ERR_LEN];
	struct llm_model m, other;
	struct llm_config oc = small;
	struct llm_ckpt ck;
	struct llm_acts *a;
	float *w, *g, *mo, *va, *mo2, *va2, *wa;
	int32_t tok[2 * 16], tgt[2 * 16];
	uint64_t step = 0;
	double loss;

	if (!CHECK(t, !llm_model_init(&m, &small, NULL)))
		return;
	w = calloc(m.n_params, sizeof(float));
	g = calloc(m.n_params, sizeof(float));
	mo = calloc(m.n_params, sizeof(float));
	va = calloc(m.n_params, sizeof(float));
	mo2 = calloc(m.n_params, sizeof(float));
	va2 = calloc(m.n_params, sizeof(float));
	wa = calloc(m.n_params, sizeof(float));
	a = llm_acts_new(&m, 2, 16, false);
	llm_init_weights(&m, 3, w);
#define STEP(weights, s, mm, vv) do { \
		struct llm_rng r; \
		llm_rng_seed(&r, s); \
		for (int i = 0; i < 32; i++) { \
			tok[i] = llm_rng_below(&r, 256); \
			tgt[i] = llm_rng_below(&r, 256); \
		} \
		llm_ref_forward(&m, weights, tok, tgt, a, &loss); \
		memset(g, 0, m.n_params * sizeof(float)); \
		llm_ref_backward(&m, weights, tok, tgt, a, g); \
		llm_ref_adamw(&m, &hp, s, 1.0f, weights, g, mm, vv); \
	} while (0)
	for (uint64_t s = 1; s <= 3; s++)
		STEP(w, s, mo, va);
	path_of(ck_path, sizeof(ck_path), "resume.gguf");
	path_of(op_path, sizeof(op_path), "resume.optim.gguf");
	CHECK(t, !llm_ckpt_save(ck_path, &m, w, LLM_CKPT_F32, NULL, NULL));
	CHECK(t, !llm_optim_save(op_path, &m, &hp, 3, mo, va));
	/* the uninterrupted run */
	for (uint64_t s = 4; s <= 5; s++)
		STEP(w, s, mo, va);
	/* the resumed one */
	if (!CHECK(t, !llm_ckpt_load(ck_path, &ck, err)))
		goto out;
	CHECK(t, !llm_optim_load(op_path, &m, &step, mo2, va2, err));
	CHECK_EQ(t, step, 3);
	memcpy(wa, ck.w, m.n_params * sizeof(float));
	for (uint64_t s = step + 1; s <= 5; s++)
		STEP(wa, s, mo2, va2);
	CHECK(t, !memcmp(wa, w, m.n_params * sizeof(float)));
	CHECK(t, !memcmp(mo2, mo, m.n_params * sizeof(float)));
	llm_ckpt_free(&ck);
	/* the sidecar of another model, and the sidecar as a model */
	oc.d_ff = 64;
	CHECK(t, !llm_model_init(&other, &oc, NULL));
	CHECK_EQ(t, llm_optim_load(op_path, &other, &step, mo2, va2, err), -EINVAL);
	printf("# %s\n", err);
	CHECK_EQ(t, llm_ckpt_load(op_path, &ck, err), -EINVAL);
	printf("# %s\n", err);
	CHECK_EQ(t, llm_optim_load(ck_path, &m, &step, mo2, va2, err), -EINVAL);
#undef STEP
out:
	llm_acts_free(a);
	free(w);
	free(g);
	free(mo);
	free(va);
	free(mo2);
	free(va2);
	free(wa);
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ "llm ckpt: fp32 round trip, identical weights and logits", test_roundtrip_f32 },
		{ "llm ckpt: bf16 round trip, logits of the rounded weights", test_roundtrip_bf16 },
		{ "llm ckpt: llama keys and types, byte tokenizer, ggml dims", test_llama_layout },
		{ "llm ckpt: truncation at many offsets refused", test_truncated },
		{ "llm ckpt: wrong shapes, dtypes, keys, tokenizers refused", test_bad_checkpoints },
		{ "llm ckpt: damaged bytes refused with a reason", test_damaged_bytes },
		{ "llm ckpt: optimizer sidecar; a resume continues bit for bit", test_optimizer_resume },
	};
	char cmd[64];
	int ret;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	ret = tap_run(tests, ARRAY_SIZE(tests));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		ret = 1;
	return ret;
}
