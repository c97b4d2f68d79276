// SPDX-License-Identifier: MIT
/*
 * GGUF v3 writer.  Metadata is serialised as it is added (so a value is
 * checked once, when it is set); tensor infos are kept and their data
 * referenced until the file is written: header, metadata, tensor infos,
 * zero padding to the alignment, then each tensor's data at an aligned
 * offset with zero padding between.
 *
 * Keys are checked against the spec's rule (dotted lower_snake_case
 * ASCII, at most 65535 bytes), tensor names for length (1..64 bytes).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gguf.h"

struct wtensor {
	char name[GGUF_MAX_NAME + 1];
	enum ggml_type type;
	uint32_t n_dims;
	uint64_t ne[GGUF_MAX_DIMS];
	uint64_t nbytes;
	uint64_t offset;
	const void *data;
};

struct gguf_writer {
	uint32_t alignment;
	/* serialised metadata pairs */
	uint8_t *meta;
	size_t meta_len, meta_cap;
	uint64_t n_kv;
	char **keys;
	size_t keys_cap;
	struct wtensor *tensors;
	uint64_t n_tensors;
	size_t tensors_cap;
	uint64_t data_len;	/* so far, with padding */
	int error;		/* first allocation failure, sticky */
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

static int put(struct gguf_writer *w, const void *p, size_t n)
{
	void *meta = w->meta;

	if (grow(&meta, &w->meta_cap, w->meta_len + n, 1))
		return -ENOMEM;
	w->meta = meta;
	memcpy(w->meta + w->meta_len, p, n);
	w->meta_len += n;
	return 0;
}

static int put_u32(struct gguf_writer *w, uint32_t v)
{
	return put(w, &v, 4);
}

static int put_u64(struct gguf_writer *w, uint64_t v)
{
	return put(w, &v, 8);
}

static int put_str(struct gguf_writer *w, const char *s, size_t len)
{
	int ret = put_u64(w, len);

	return ret ? ret : put(w, s, len);
}

/* Dotted lower_snake_case: segments of [a-z0-9_]+ separated by '.'. */
static bool key_ok(const char *key)
{
	size_t n = strlen(key), seg = 0;

	if (!n || n > GGUF_MAX_KEY)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];

		if (c == '.') {
			if (!seg)
				return false;
			seg = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
			seg++;
		} else {
			return false;
		}
	}
	return seg > 0;
}

/* Start a pair: check the key, remember it, write it and the type. */
static int begin_kv(struct gguf_writer *w, const char *key, enum gguf_type type)
{
	void *keys = w->keys;
	int ret;

	if (w->error)
		return w->error;
	if (!key_ok(key))
		return -EINVAL;
	for (uint64_t i = 0; i < w->n_kv; i++) {
		if (!strcmp(w->keys[i], key))
			return -EEXIST;
	}
	if (grow(&keys, &w->keys_cap, w->n_kv + 1, sizeof(char *)))
		return w->error = -ENOMEM;
	w->keys = keys;
	w->keys[w->n_kv] = strdup(key);
	if (!w->keys[w->n_kv])
		return w->error = -ENOMEM;
	w->n_kv++;
	ret = put_str(w, key, strlen(key));
	if (!ret)
		ret = put_u32(w, type);
	if (ret)
		w->error = ret;
	return ret;
}

static int end_kv(struct gguf_writer *w, int ret)
{
	if (ret)
		w->error = ret;
	return ret;
}

static int set_scalar(struct gguf_writer *w, const char *key, enum gguf_type type,
		      const void *v)
{
	int ret = begin_kv(w, key, type);

	return ret ? ret : end_kv(w, put(w, v, gguf_type_size(type)));
}

struct gguf_writer *gguf_writer_new(uint32_t alignment)
{
	struct gguf_writer *w;

	if (!alignment || alignment % 8) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->alignment = alignment;
	if (gguf_set_u32(w, "general.alignment", alignment)) {
		gguf_writer_free(w);
		errno = ENOMEM;
		return NULL;
	}
	return w;
}

void gguf_writer_free(struct gguf_writer *w)
{
	if (!w)
		return;
	for (uint64_t i = 0; i < w->n_kv; i++)
		free(w->keys[i]);
	free(w->keys);
	free(w->meta);
	free(w->tensors);
	free(w);
}

/* One setter per scalar type, all through set_scalar(). */
#define GGUF_SETTER(name, ctype, gtype)                                 \
	int gguf_set_##name(struct gguf_writer *w, const char *key, ctype v) \
	{                                                                   \
		return set_scalar(w, key, gtype, &v);                       \
	}

GGUF_SETTER(u8, uint8_t, GGUF_TYPE_UINT8)
GGUF_SETTER(i8, int8_t, GGUF_TYPE_INT8)
GGUF_SETTER(u16, uint16_t, GGUF_TYPE_UINT16)
GGUF_SETTER(i16, int16_t, GGUF_TYPE_INT16)
GGUF_SETTER(u32, uint32_t, GGUF_TYPE_UINT32)
GGUF_SETTER(i32, int32_t, GGUF_TYPE_INT32)
GGUF_SETTER(u64, uint64_t, GGUF_TYPE_UINT64)
GGUF_SETTER(i64, int64_t, GGUF_TYPE_INT64)
GGUF_SETTER(f32, float, GGUF_TYPE_FLOAT32)
GGUF_SETTER(f64, double, GGUF_TYPE_FLOAT64)

int gguf_set_bool(struct gguf_writer *w, const char *key, bool v)
{
	uint8_t b = v;

	return set_scalar(w, key, GGUF_TYPE_BOOL, &b);
}

int gguf_set_strn(struct gguf_writer *w, const char *key, const char *v, size_t len)
{
	int ret = begin_kv(w, key, GGUF_TYPE_STRING);

	return ret ? ret : end_kv(w, put_str(w, v, len));
}

int gguf_set_str(struct gguf_writer *w, const char *key, const char *v)
{
	return gguf_set_strn(w, key, v, strlen(v));
}

/* An array's key, then its element type and count; end_kv() ends it. */
static int begin_arr(struct gguf_writer *w, const char *key, enum gguf_type type, uint64_t n)
{
	int ret = begin_kv(w, key, GGUF_TYPE_ARRAY);

	if (!ret)
		ret = put_u32(w, type);
	if (!ret)
		ret = put_u64(w, n);
	return ret;
}

int gguf_set_arr(struct gguf_writer *w, const char *key, enum gguf_type type,
		 const void *data, uint64_t n)
{
	size_t size = (unsigned int)type < GGUF_TYPE_COUNT ? gguf_type_size(type) : 0;
	int ret;

	if (!size || n > SIZE_MAX / size)
		return -EINVAL;
	if (type == GGUF_TYPE_BOOL) {
		for (uint64_t i = 0; i < n; i++) {
			if (((const uint8_t *)data)[i] > 1)
				return -EINVAL;
		}
	}
	ret = begin_arr(w, key, type, n);
	if (!ret && n)
		ret = put(w, data, n * size);
	return end_kv(w, ret);
}

int gguf_set_arr_str(struct gguf_writer *w, const char *key, const char *const *strs,
		     const size_t *lens, uint64_t n)
{
	int ret = begin_arr(w, key, GGUF_TYPE_STRING, n);

	for (uint64_t i = 0; !ret && i < n; i++)
		ret = put_str(w, strs[i], lens ? lens[i] : strlen(strs[i]));
	return end_kv(w, ret);
}

int gguf_add_tensor(struct gguf_writer *w, const char *name, enum ggml_type type,
		    uint32_t n_dims, const uint64_t *ne, const void *data)
{
	size_t len = strlen(name), tsize = ggml_type_size(type);
	uint64_t nelem = 1;
	struct wtensor *t;
	void *tensors = w->tensors;

	if (w->error)
		return w->error;
	if (!len || len > GGUF_MAX_NAME || !tsize || n_dims < 1 || n_dims > GGUF_MAX_DIMS)
		return -EINVAL;
	for (uint32_t d = 0; d < n_dims; d++) {
		if (!ne[d] || ne[d] > INT64_MAX / nelem)
			return -EINVAL;
		nelem *= ne[d];
	}
	if (nelem > (UINT64_MAX - w->alignment) / tsize)
		return -EINVAL;
	for (uint64_t i = 0; i < w->n_tensors; i++) {
		if (!strcmp(w->tensors[i].name, name))
			return -EEXIST;
	}
	if (grow(&tensors, &w->tensors_cap, w->n_tensors + 1, sizeof(*t)))
		return w->error = -ENOMEM;
	w->tensors = tensors;
	t = &w->tensors[w->n_tensors++];
	memset(t, 0, sizeof(*t));
	memcpy(t->name, name, len);
	t->type = type;
	t->n_dims = n_dims;
	for (uint32_t d = 0; d < GGUF_MAX_DIMS; d++)
		t->ne[d] = d < n_dims ? ne[d] : 1;
	t->nbytes = nelem * tsize;
	t->offset = w->data_len;
	t->data = data;
	w->data_len += t->nbytes + (w->alignment - t->nbytes % w->alignment) % w->alignment;
	return 0;
}

/* Output to a FILE or to a growing buffer. */
struct sink {
	FILE *f;
	uint8_t *buf;
	size_t len, cap;
	uint64_t pos;
	int error;
};

static void emit(struct sink *s, const void *p, size_t n)
{
	if (s->error || !n)
		return;
	s->pos += n;
	if (s->f) {
		if (fwrite(p, 1, n, s->f) != n)
			s->error = -EIO;
		return;
	}
	void *buf = s->buf;

	if (grow(&buf, &s->cap, s->len + n, 1)) {
		s->error = -ENOMEM;
		return;
	}
	s->buf = buf;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void emit_pad(struct sink *s, uint32_t alignment)
{
	static const uint8_t zero[64];
	uint64_t pad = (alignment - s->pos % alignment) % alignment;

	while (pad) {
		size_t n = pad < sizeof(zero) ? pad : sizeof(zero);

		emit(s, zero, n);
		pad -= n;
	}
}

static int emit_file(struct gguf_writer *w, struct sink *s)
{
	uint32_t version = GGUF_VERSION;

	if (w->error)
		return w->error;
	emit(s, GGUF_MAGIC, 4);
	emit(s, &version, 4);
	emit(s, &w->n_tensors, 8);
	emit(s, &w->n_kv, 8);
	emit(s, w->meta, w->meta_len);
	for (uint64_t i = 0; i < w->n_tensors; i++) {
		const struct wtensor *t = &w->tensors[i];
		uint64_t len = strlen(t->name);
		uint32_t type = t->type;

		emit(s, &len, 8);
		emit(s, t->name, len);
		emit(s, &t->n_dims, 4);
		emit(s, t->ne, 8 * t->n_dims);
		emit(s, &type, 4);
		emit(s, &t->offset, 8);
	}
	emit_pad(s, w->alignment);
	for (uint64_t i = 0; i < w->n_tensors; i++) {
		emit(s, w->tensors[i].data, w->tensors[i].nbytes);
		emit_pad(s, w->alignment);
	}
	return s->error;
}

int gguf_writer_to_mem(struct gguf_writer *w, uint8_t **buf, size_t *len)
{
	struct sink s = { 0 };
	int ret = emit_file(w, &s);

	if (ret) {
		free(s.buf);
		return ret;
	}
	*buf = s.buf;
	*len = s.len;
	return 0;
}

int gguf_writer_save(struct gguf_writer *w, const char *path)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 8);
	struct sink s = { 0 };
	int fd, ret;

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".XXXXXX", 8);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	/* mkstemp() made it 0600; a checkpoint is as readable as any file */
	if (fchmod(fd, 0644)) {
		ret = -errno;
		close(fd);
		goto out;
	}
	s.f = fdopen(fd, "wb");
	if (!s.f) {
		ret = -errno;
		close(fd);
		goto out;
	}
	ret = emit_file(w, &s);
	if (fflush(s.f) && !ret)
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (fclose(s.f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
out:
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}
