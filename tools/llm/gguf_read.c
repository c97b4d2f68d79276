// SPDX-License-Identifier: MIT
/*
 * GGUF v3 reader.  One pass over the bytes with a cursor that never reads
 * past the end: every count is checked against the bytes left before
 * anything is allocated for it (so a huge count costs nothing), every
 * length and size is computed without overflow, names and keys are
 * checked for uniqueness (sorted, so a file of a million keys is still
 * fast), tensor data must lie inside the data section, aligned, without
 * overlaps.  Errors: "offset N: what" in the caller's buffer.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gguf.h"

/* The smallest encodings: a KV (key of 1 byte, type, 1-byte value) and a
 * tensor info (name of 1 byte, n_dims, one dim, type, offset). */
#define MIN_KV_BYTES	(8 + 1 + 4 + 1)
#define MIN_TI_BYTES	(8 + 1 + 4 + 8 + 4 + 8)

struct cursor {
	const uint8_t *p;
	size_t len;
	size_t off;
	char *err;
};

static void seterr(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err, GGUF_ERR_LEN, fmt, ap);
	va_end(ap);
}

static int fail(struct cursor *c, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "offset N: message", N the cursor's position. */
static int fail(struct cursor *c, int e, const char *fmt, ...)
{
	char msg[GGUF_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	seterr(c->err, "offset %zu: %s", c->off, msg);
	return e;
}

static size_t left(const struct cursor *c)
{
	return c->len - c->off;
}

static int take(struct cursor *c, void *dst, size_t n, const char *what)
{
	if (n > left(c))
		return fail(c, -EINVAL, "file truncated in %s (%zu bytes needed, %zu left)",
			    what, n, left(c));
	memcpy(dst, c->p + c->off, n);
	c->off += n;
	return 0;
}

static int take_u32(struct cursor *c, uint32_t *v, const char *what)
{
	return take(c, v, sizeof(*v), what);
}

static int take_u64(struct cursor *c, uint64_t *v, const char *what)
{
	return take(c, v, sizeof(*v), what);
}

/* A length-prefixed string of at most @max bytes. */
static int take_str(struct cursor *c, struct gguf_str *s, uint64_t max, const char *what)
{
	uint64_t n = 0;
	int ret = take_u64(c, &n, what);

	if (ret)
		return ret;
	if (n > max) {
		c->off -= 8;
		return fail(c, -EINVAL, "%s is %llu bytes long (at most %llu allowed)", what,
			    (unsigned long long)n, (unsigned long long)max);
	}
	if (n > left(c)) {
		c->off -= 8;
		return fail(c, -EINVAL, "%s is %llu bytes long but only %zu bytes follow", what,
			    (unsigned long long)n, left(c) - 8);
	}
	s->s = (const char *)c->p + c->off;
	s->len = n;
	c->off += n;
	return 0;
}

static uint64_t load_u(const uint8_t *p, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);	/* little-endian host */
	return v;
}

static int64_t load_i(const uint8_t *p, size_t size)
{
	uint64_t u = load_u(p, size);
	int shift = 64 - 8 * (int)size;

	/* sign-extend from size bytes */
	return shift ? (int64_t)(u << shift) >> shift : (int64_t)u;
}

static double load_f(const uint8_t *p, size_t size)
{
	if (size == 4) {
		float f;

		memcpy(&f, p, 4);
		return f;
	}
	double d;

	memcpy(&d, p, 8);
	return d;
}

static bool is_unsigned(enum gguf_type t)
{
	return t == GGUF_TYPE_UINT8 || t == GGUF_TYPE_UINT16 || t == GGUF_TYPE_UINT32 ||
	       t == GGUF_TYPE_UINT64 || t == GGUF_TYPE_BOOL;
}

static bool is_float(enum gguf_type t)
{
	return t == GGUF_TYPE_FLOAT32 || t == GGUF_TYPE_FLOAT64;
}

/*
 * A value of type @type at the cursor.  @v may be NULL (nested arrays are
 * only validated, nothing is allocated for them).
 */
static int parse_value(struct cursor *c, uint32_t type, struct gguf_value *v, int depth)
{
	size_t size;
	int ret;

	if (type >= GGUF_TYPE_COUNT)
		return fail(c, -EINVAL, "invalid value type %u", type);
	if (v)
		v->type = type;
	size = gguf_type_size(type);
	if (size) {
		const uint8_t *p = c->p + c->off;

		if (size > left(c))
			return fail(c, -EINVAL, "file truncated in a %s value", gguf_type_name(type));
		if (type == GGUF_TYPE_BOOL && *p > 1)
			return fail(c, -EINVAL, "bool value %u is neither 0 nor 1", *p);
		c->off += size;
		if (!v)
			return 0;
		if (is_unsigned(type))
			v->u = load_u(p, size);
		else if (is_float(type))
			v->f = load_f(p, size);
		else
			v->i = load_i(p, size);
		return 0;
	}
	if (type == GGUF_TYPE_STRING) {
		struct gguf_str s;

		ret = take_str(c, &s, UINT64_MAX, "string value");
		if (!ret && v)
			v->str = s;
		return ret;
	}

	/* an array */
	uint32_t et = 0;
	uint64_t n = 0;

	if (depth >= GGUF_MAX_ARRAY_DEPTH)
		return fail(c, -EINVAL, "arrays nested deeper than %d", GGUF_MAX_ARRAY_DEPTH);
	ret = take_u32(c, &et, "array type");
	if (ret)
		return ret;
	if (et >= GGUF_TYPE_COUNT) {
		c->off -= 4;
		return fail(c, -EINVAL, "invalid array element type %u", et);
	}
	ret = take_u64(c, &n, "array length");
	if (ret)
		return ret;
	size = gguf_type_size(et);
	/* the smallest element: its fixed size, a string's or an array's header */
	size_t min = size ? size : et == GGUF_TYPE_STRING ? 8 : 12;

	if (n > left(c) / min) {
		c->off -= 8;
		return fail(c, -EINVAL, "array of %llu %s elements cannot fit in the %zu bytes left",
			    (unsigned long long)n, gguf_type_name(et), left(c) - 8);
	}
	if (v) {
		v->arr.type = et;
		v->arr.n = n;
		v->arr.data = c->p + c->off;
		v->arr.strs = NULL;
	}
	if (size) {
		if (et == GGUF_TYPE_BOOL) {
			for (uint64_t i = 0; i < n; i++) {
				if (c->p[c->off + i] > 1) {
					c->off += i;
					return fail(c, -EINVAL, "bool array element %llu is %u",
						    (unsigned long long)i, c->p[c->off]);
				}
			}
		}
		c->off += n * size;
		return 0;
	}
	if (et == GGUF_TYPE_STRING) {
		struct gguf_str *strs = NULL;

		if (v && n) {
			strs = calloc(n, sizeof(*strs));
			if (!strs)
				return fail(c, -ENOMEM, "no memory for %llu strings",
					    (unsigned long long)n);
			v->arr.strs = strs;
		}
		for (uint64_t i = 0; i < n; i++) {
			struct gguf_str s;

			ret = take_str(c, &s, UINT64_MAX, "array string");
			if (ret)
				return ret;
			if (strs)
				strs[i] = s;
		}
		return 0;
	}
	/* each element is an array value of its own: element type, count, elements */
	for (uint64_t i = 0; i < n; i++) {
		ret = parse_value(c, GGUF_TYPE_ARRAY, NULL, depth + 1);
		if (ret)
			return ret;
	}
	return 0;
}

static int cmp_str(const struct gguf_str *a, const struct gguf_str *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->s, b->s, n);

	if (r)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int cmp_kv(const void *a, const void *b)
{
	return cmp_str(&(*(const struct gguf_kv *const *)a)->key,
		       &(*(const struct gguf_kv *const *)b)->key);
}

static int cmp_tensor_name(const void *a, const void *b)
{
	return cmp_str(&(*(const struct gguf_tensor *const *)a)->name,
		       &(*(const struct gguf_tensor *const *)b)->name);
}

static int cmp_tensor_off(const void *a, const void *b)
{
	const struct gguf_tensor *x = *(const struct gguf_tensor *const *)a;
	const struct gguf_tensor *y = *(const struct gguf_tensor *const *)b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Keys are non-empty printable ASCII (the spec: ASCII, dotted lower_snake_case). */
static int check_key(const struct gguf_str *k)
{
	if (!k->len)
		return -EINVAL;
	for (uint64_t j = 0; j < k->len; j++) {
		unsigned char ch = k->s[j];

		if (ch < 0x21 || ch > 0x7e)
			return -EINVAL;
	}
	return 0;
}

static int parse_kvs(struct cursor *c, struct gguf_file *f)
{
	int ret;

	for (uint64_t i = 0; i < f->n_kv; i++) {
		struct gguf_kv *kv = &f->kv[i];
		uint32_t type = 0;

		size_t at = c->off;

		ret = take_str(c, &kv->key, GGUF_MAX_KEY, "metadata key");
		if (ret)
			return ret;
		if (check_key(&kv->key)) {
			c->off = at;
			return fail(c, -EINVAL, "metadata key %llu is empty or not printable ASCII",
				    (unsigned long long)i);
		}
		ret = take_u32(c, &type, "metadata value type");
		if (ret)
			return ret;
		if (type >= GGUF_TYPE_COUNT) {
			c->off -= 4;
			return fail(c, -EINVAL, "key %.*s: invalid value type %u",
				    (int)kv->key.len, kv->key.s, type);
		}
		ret = parse_value(c, type, &kv->val, 0);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Pointers to the @n records of @size bytes at @base, sorted by @cmp,
 * which orders them by the struct gguf_str at @name_off in each; NULL
 * without memory.  *@dup: a name two of them share, or NULL.
 */
static const void **sort_by_name(const void *base, uint64_t n, size_t size, size_t name_off,
				 int (*cmp)(const void *, const void *),
				 const struct gguf_str **dup)
{
	const void **idx = malloc(n * sizeof(*idx));

	*dup = NULL;
	if (!idx)
		return NULL;
	for (uint64_t i = 0; i < n; i++)
		idx[i] = (const char *)base + i * size;
	qsort(idx, n, sizeof(*idx), cmp);
	for (uint64_t i = 1; i < n && !*dup; i++) {
		const struct gguf_str *a = (const void *)((const char *)idx[i - 1] + name_off);
		const struct gguf_str *b = (const void *)((const char *)idx[i] + name_off);

		if (!cmp_str(a, b))
			*dup = b;
	}
	return idx;
}

static int check_unique_keys(struct cursor *c, struct gguf_file *f)
{
	const struct gguf_str *dup;
	const void **idx;

	if (f->n_kv < 2)
		return 0;
	idx = sort_by_name(f->kv, f->n_kv, sizeof(*f->kv), offsetof(struct gguf_kv, key), cmp_kv,
			   &dup);
	if (!idx)
		return fail(c, -ENOMEM, "no memory to check keys");
	free(idx);
	if (dup) {
		seterr(c->err, "duplicate metadata key %.*s", (int)dup->len, dup->s);
		return -EINVAL;
	}
	return 0;
}

static int parse_alignment(struct cursor *c, struct gguf_file *f)
{
	const struct gguf_kv *kv = gguf_find_kv(f, "general.alignment");

	f->alignment = GGUF_DEFAULT_ALIGNMENT;
	if (!kv)
		return 0;
	if (kv->val.type != GGUF_TYPE_UINT32) {
		seterr(c->err, "general.alignment is a %s (the spec says uint32)",
		       gguf_type_name(kv->val.type));
		return -EINVAL;
	}
	if (!kv->val.u || kv->val.u % 8) {
		seterr(c->err, "general.alignment %llu is not a positive multiple of 8",
		       (unsigned long long)kv->val.u);
		return -EINVAL;
	}
	f->alignment = kv->val.u;
	return 0;
}

static int parse_tensor_info(struct cursor *c, struct gguf_file *f, struct gguf_tensor *t,
			     uint64_t i)
{
	uint64_t nelem = 1;
	uint32_t type = 0;
	size_t tsize;
	int ret;

	ret = take_str(c, &t->name, GGUF_MAX_NAME, "tensor name");
	if (ret)
		return ret;
	if (!t->name.len || memchr(t->name.s, 0, t->name.len)) {
		c->off -= t->name.len + 8;
		return fail(c, -EINVAL, "tensor %llu: name is empty or has a NUL byte",
			    (unsigned long long)i);
	}
#define TNAME (int)t->name.len, t->name.s
	ret = take_u32(c, &t->n_dims, "tensor n_dims");
	if (ret)
		return ret;
	if (t->n_dims < 1 || t->n_dims > GGUF_MAX_DIMS) {
		c->off -= 4;
		return fail(c, -EINVAL, "tensor %.*s: %u dimensions (1 to %d allowed)", TNAME,
			    t->n_dims, GGUF_MAX_DIMS);
	}
	for (uint32_t d = 0; d < GGUF_MAX_DIMS; d++)
		t->ne[d] = 1;
	for (uint32_t d = 0; d < t->n_dims; d++) {
		ret = take_u64(c, &t->ne[d], "tensor dimension");
		if (ret)
			return ret;
		if (!t->ne[d] || t->ne[d] > INT64_MAX / nelem) {
			c->off -= 8;
			return fail(c, -EINVAL, "tensor %.*s: dimension %u is %llu (%s)", TNAME, d,
				    (unsigned long long)t->ne[d],
				    t->ne[d] ? "the element count overflows" : "zero");
		}
		nelem *= t->ne[d];
	}
	ret = take_u32(c, &type, "tensor type");
	if (ret)
		return ret;
	if (!ggml_type_name(type)) {
		c->off -= 4;
		return fail(c, -EINVAL, "tensor %.*s: invalid type %u", TNAME, type);
	}
	tsize = ggml_type_size(type);
	if (!tsize) {
		c->off -= 4;
		return fail(c, -ENOTSUP, "tensor %.*s: type %s is not supported", TNAME,
			    ggml_type_name(type));
	}
	t->type = type;
	if (nelem > UINT64_MAX / tsize) {
		c->off -= 4;
		return fail(c, -EINVAL, "tensor %.*s: size overflows", TNAME);
	}
	t->nbytes = nelem * tsize;
	ret = take_u64(c, &t->offset, "tensor offset");
	if (ret)
		return ret;
	if (t->offset % f->alignment) {
		c->off -= 8;
		return fail(c, -EINVAL, "tensor %.*s: offset %llu is not a multiple of the "
			    "alignment %u", TNAME, (unsigned long long)t->offset, f->alignment);
	}
#undef TNAME
	return 0;
}

static int place_tensors(struct cursor *c, struct gguf_file *f)
{
	uint64_t data_len = f->len - f->data_offset;
	const struct gguf_str *dup;
	const void **idx;
	int ret = 0;

	for (uint64_t i = 0; i < f->n_tensors; i++) {
		struct gguf_tensor *t = &f->tensors[i];

		if (t->offset > data_len || t->nbytes > data_len - t->offset) {
			seterr(c->err, "tensor %.*s: %llu bytes at data offset %llu are outside the "
			       "data section (%llu bytes at file offset %llu)", (int)t->name.len,
			       t->name.s, (unsigned long long)t->nbytes,
			       (unsigned long long)t->offset, (unsigned long long)data_len,
			       (unsigned long long)f->data_offset);
			return -EINVAL;
		}
		t->data = f->buf + f->data_offset + t->offset;
	}
	if (f->n_tensors < 2)
		return 0;
	idx = sort_by_name(f->tensors, f->n_tensors, sizeof(*f->tensors),
			   offsetof(struct gguf_tensor, name), cmp_tensor_name, &dup);
	if (!idx)
		return fail(c, -ENOMEM, "no memory to check tensors");
	if (dup) {
		seterr(c->err, "duplicate tensor name %.*s", (int)dup->len, dup->s);
		ret = -EINVAL;
		goto out;
	}
	qsort(idx, f->n_tensors, sizeof(*idx), cmp_tensor_off);
	for (uint64_t i = 1; i < f->n_tensors; i++) {
		const struct gguf_tensor *a = idx[i - 1], *b = idx[i];

		if (a->offset + a->nbytes > b->offset) {
			seterr(c->err, "tensors %.*s and %.*s overlap (data at %llu and %llu)",
			       (int)a->name.len, a->name.s, (int)b->name.len, b->name.s,
			       (unsigned long long)a->offset, (unsigned long long)b->offset);
			ret = -EINVAL;
			goto out;
		}
	}
out:
	free(idx);
	return ret;
}

static int parse_header(struct cursor *c, struct gguf_file *f, uint64_t *n_tensors)
{
	uint8_t magic[4];
	int ret;

	if (c->len < 4 || memcmp(c->p, GGUF_MAGIC, 4)) {
		if (c->len < 4)
			return fail(c, -EINVAL, "not a GGUF file (%zu bytes)", c->len);
		memcpy(magic, c->p, 4);
		return fail(c, -EINVAL, "not a GGUF file (magic %02x %02x %02x %02x, "
			    "expected \"GGUF\")", magic[0], magic[1], magic[2], magic[3]);
	}
	c->off = 4;
	ret = take_u32(c, &f->version, "header version");
	if (ret)
		return ret;
	if (f->version != GGUF_VERSION) {
		c->off -= 4;
		if (!(f->version & 0xffff) && (f->version >> 16))
			return fail(c, -ENOTSUP, "version field 0x%08x: a big-endian GGUF file "
				    "(only little-endian files are read)", f->version);
		return fail(c, f->version ? -ENOTSUP : -EINVAL,
			    "GGUF version %u (this reader reads version %d)", f->version,
			    GGUF_VERSION);
	}
	ret = take_u64(c, n_tensors, "header tensor count");
	if (ret)
		return ret;
	ret = take_u64(c, &f->n_kv, "header metadata count");
	if (ret)
		return ret;
	if (f->n_kv > left(c) / MIN_KV_BYTES) {
		c->off -= 8;
		return fail(c, -EINVAL, "%llu metadata pairs cannot fit in the %zu bytes left",
			    (unsigned long long)f->n_kv, left(c) - 8);
	}
	if (*n_tensors > left(c) / MIN_TI_BYTES) {
		c->off -= 16;
		return fail(c, -EINVAL, "%llu tensors cannot fit in the %zu bytes left",
			    (unsigned long long)*n_tensors, left(c) - 16);
	}
	return 0;
}

int gguf_parse(const void *buf, size_t len, struct gguf_file **out, char *err)
{
	struct cursor c = { .p = buf, .len = len, .err = err };
	struct gguf_file *f;
	uint64_t n_tensors = 0;
	int ret;

	*out = NULL;
	if (err)
		err[0] = 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return fail(&c, -ENOMEM, "no memory");
	f->buf = buf;
	f->len = len;
	ret = parse_header(&c, f, &n_tensors);
	if (ret)
		goto bad;
	if (f->n_kv) {
		f->kv = calloc(f->n_kv, sizeof(*f->kv));
		if (!f->kv) {
			ret = fail(&c, -ENOMEM, "no memory for %llu metadata pairs",
				   (unsigned long long)f->n_kv);
			goto bad;
		}
	}
	ret = parse_kvs(&c, f);
	if (ret)
		goto bad;
	ret = check_unique_keys(&c, f);
	if (!ret)
		ret = parse_alignment(&c, f);
	if (ret)
		goto bad;
	if (n_tensors > left(&c) / MIN_TI_BYTES) {
		ret = fail(&c, -EINVAL, "%llu tensors cannot fit in the %zu bytes left",
			   (unsigned long long)n_tensors, left(&c));
		goto bad;
	}
	if (n_tensors) {
		f->tensors = calloc(n_tensors, sizeof(*f->tensors));
		if (!f->tensors) {
			ret = fail(&c, -ENOMEM, "no memory for %llu tensors",
				   (unsigned long long)n_tensors);
			goto bad;
		}
	}
	f->n_tensors = n_tensors;
	for (uint64_t i = 0; i < n_tensors; i++) {
		ret = parse_tensor_info(&c, f, &f->tensors[i], i);
		if (ret)
			goto bad;
	}
	/* the data section starts at the next multiple of the alignment */
	uint64_t pad = (f->alignment - c.off % f->alignment) % f->alignment;

	f->data_offset = c.off + pad;
	if (f->data_offset > len) {
		if (n_tensors) {
			ret = fail(&c, -EINVAL, "file truncated before the data section "
				   "(which starts at %llu)", (unsigned long long)f->data_offset);
			goto bad;
		}
		f->data_offset = len;
	}
	ret = place_tensors(&c, f);
	if (ret)
		goto bad;
	*out = f;
	return 0;
bad:
	gguf_close(f);
	return ret;
}

int gguf_read_file(const char *path, struct gguf_file **out, char *err)
{
	char msg[GGUF_ERR_LEN];
	struct stat st;
	void *buf = NULL;
	size_t got = 0;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		seterr(err, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		seterr(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		seterr(err, "%s: not a regular file", path);
		goto out;
	}
	if (posix_memalign(&buf, 64, st.st_size ? (size_t)st.st_size : 1)) {
		ret = -ENOMEM;
		seterr(err, "%s: no memory for %lld bytes", path, (long long)st.st_size);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n ? -errno : -EIO;
			seterr(err, "%s: read: %s", path, n ? strerror(errno) : "file shrank");
			goto out;
		}
		got += n;
	}
	ret = gguf_parse(buf, got, out, msg);
	if (ret) {
		seterr(err, "%s: %s", path, msg);
		goto out;
	}
	(*out)->owned = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

void gguf_close(struct gguf_file *f)
{
	if (!f)
		return;
	for (uint64_t i = 0; f->kv && i < f->n_kv; i++) {
		if (f->kv[i].val.type == GGUF_TYPE_ARRAY)
			free(f->kv[i].val.arr.strs);
	}
	free(f->kv);
	free(f->tensors);
	free(f->owned);
	free(f);
}

bool gguf_str_eq(struct gguf_str a, const char *b)
{
	size_t n = strlen(b);

	return a.len == n && !memcmp(a.s, b, n);
}

const struct gguf_kv *gguf_find_kv(const struct gguf_file *f, const char *key)
{
	for (uint64_t i = 0; i < f->n_kv; i++) {
		if (gguf_str_eq(f->kv[i].key, key))
			return &f->kv[i];
	}
	return NULL;
}

const struct gguf_tensor *gguf_find_tensor(const struct gguf_file *f, const char *name)
{
	for (uint64_t i = 0; i < f->n_tensors; i++) {
		if (gguf_str_eq(f->tensors[i].name, name))
			return &f->tensors[i];
	}
	return NULL;
}

static const uint8_t *arr_elem(const struct gguf_value *v, uint64_t i, size_t *size)
{
	if (v->type != GGUF_TYPE_ARRAY || i >= v->arr.n)
		return NULL;
	*size = gguf_type_size(v->arr.type);
	return *size ? v->arr.data + i * *size : NULL;
}

uint64_t gguf_arr_u(const struct gguf_value *v, uint64_t i)
{
	size_t size;
	const uint8_t *p = arr_elem(v, i, &size);

	if (!p)
		return 0;
	if (is_float(v->arr.type)) {
		double d = load_f(p, size);

		/* saturate: a float outside the range has no integer value */
		if (!(d > 0))
			return 0;
		return d >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)d;
	}
	return is_unsigned(v->arr.type) ? load_u(p, size) : (uint64_t)load_i(p, size);
}

int64_t gguf_arr_i(const struct gguf_value *v, uint64_t i)
{
	size_t size;
	const uint8_t *p = arr_elem(v, i, &size);

	if (!p)
		return 0;
	if (is_float(v->arr.type)) {
		double d = load_f(p, size);

		if (d != d)
			return 0;
		if (d >= 9223372036854775808.0)
			return INT64_MAX;
		return d < -9223372036854775808.0 ? INT64_MIN : (int64_t)d;
	}
	return is_unsigned(v->arr.type) ? (int64_t)load_u(p, size) : load_i(p, size);
}

double gguf_arr_f(const struct gguf_value *v, uint64_t i)
{
	size_t size;
	const uint8_t *p = arr_elem(v, i, &size);

	if (!p)
		return 0;
	if (is_float(v->arr.type))
		return load_f(p, size);
	return is_unsigned(v->arr.type) ? (double)load_u(p, size) : (double)load_i(p, size);
}

struct gguf_str gguf_arr_str(const struct gguf_value *v, uint64_t i)
{
	struct gguf_str none = { "", 0 };

	if (v->type != GGUF_TYPE_ARRAY || v->arr.type != GGUF_TYPE_STRING || i >= v->arr.n ||
	    !v->arr.strs)
		return none;
	return v->arr.strs[i];
}

static int get_kv(const struct gguf_file *f, const char *key, const struct gguf_kv **kv)
{
	*kv = gguf_find_kv(f, key);
	return *kv ? 0 : -ENOENT;
}

int gguf_get_uint(const struct gguf_file *f, const char *key, uint64_t *v, char *err)
{
	const struct gguf_kv *kv;
	int ret = get_kv(f, key, &kv);

	if (ret)
		return ret;
	if (kv->val.type == GGUF_TYPE_BOOL || !gguf_type_size(kv->val.type) ||
	    is_float(kv->val.type) || (!is_unsigned(kv->val.type) && kv->val.i < 0)) {
		seterr(err, "%s is a %s, not a non-negative integer", key,
		       gguf_type_name(kv->val.type));
		return -EINVAL;
	}
	*v = kv->val.u;	/* i and u share storage; non-negative here */
	return 0;
}

int gguf_get_float(const struct gguf_file *f, const char *key, double *v, char *err)
{
	const struct gguf_kv *kv;
	int ret = get_kv(f, key, &kv);

	if (ret)
		return ret;
	if (!is_float(kv->val.type)) {
		seterr(err, "%s is a %s, not a float", key, gguf_type_name(kv->val.type));
		return -EINVAL;
	}
	*v = kv->val.f;
	return 0;
}

int gguf_get_str(const struct gguf_file *f, const char *key, struct gguf_str *v, char *err)
{
	const struct gguf_kv *kv;
	int ret = get_kv(f, key, &kv);

	if (ret)
		return ret;
	if (kv->val.type != GGUF_TYPE_STRING) {
		seterr(err, "%s is a %s, not a string", key, gguf_type_name(kv->val.type));
		return -EINVAL;
	}
	*v = kv->val.str;
	return 0;
}
