// SPDX-License-Identifier: MIT
/*
 * GGUF v3 reader and writer (tools/llm/gguf*.c): every value type round
 * trips, the layout is the spec's (checked byte by byte on a small file),
 * and malformed files are refused with a negative errno and a message,
 * never a crash (run under ASan and UBSan): wrong magic or version,
 * truncation at every offset, huge counts, lengths and dimensions,
 * misaligned or overlapping tensors, duplicate keys and names, invalid
 * types, and every byte of a valid file overwritten.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "gguf.h"
#include "tap.h"

static const float t0_data[6] = { 1, 2, 3, 4, 5, 6 };
static const uint16_t t1_data[5] = { 0x3f80, 0x4000, 0x4040, 0x4080, 0xbf80 };

/* A file with one value of every type and two tensors. */
static struct gguf_writer *sample_writer(void)
{
	static const int32_t i32s[3] = { -1, 0, 7 };
	static const uint8_t bools[4] = { 1, 0, 0, 1 };
	static const double f64s[2] = { 0.5, -1e300 };
	const char *strs[3] = { "a", "", "\xc4\x80 bytes" };
	uint64_t ne0[2] = { 3, 2 }, ne1[1] = { 5 };
	struct gguf_writer *w = gguf_writer_new(32);
	int ret = 0;

	if (!w)
		return NULL;
	ret |= gguf_set_u8(w, "t.u8", 200);
	ret |= gguf_set_i8(w, "t.i8", -100);
	ret |= gguf_set_u16(w, "t.u16", 60000);
	ret |= gguf_set_i16(w, "t.i16", -30000);
	ret |= gguf_set_u32(w, "t.u32", 4000000000u);
	ret |= gguf_set_i32(w, "t.i32", -2000000000);
	ret |= gguf_set_u64(w, "t.u64", UINT64_MAX - 1);
	ret |= gguf_set_i64(w, "t.i64", INT64_MIN + 1);
	ret |= gguf_set_f32(w, "t.f32", 1.5f);
	ret |= gguf_set_f64(w, "t.f64", -2.25);
	ret |= gguf_set_bool(w, "t.bool", true);
	ret |= gguf_set_str(w, "t.str", "hello");
	ret |= gguf_set_strn(w, "t.str_nul", "a\0b", 3);
	ret |= gguf_set_arr(w, "t.arr_i32", GGUF_TYPE_INT32, i32s, 3);
	ret |= gguf_set_arr(w, "t.arr_bool", GGUF_TYPE_BOOL, bools, 4);
	ret |= gguf_set_arr(w, "t.arr_f64", GGUF_TYPE_FLOAT64, f64s, 2);
	ret |= gguf_set_arr(w, "t.arr_empty", GGUF_TYPE_UINT8, NULL, 0);
	ret |= gguf_set_arr_str(w, "t.arr_str", strs, NULL, 3);
	ret |= gguf_add_tensor(w, "t0", GGML_TYPE_F32, 2, ne0, t0_data);
	ret |= gguf_add_tensor(w, "t1.weight", GGML_TYPE_BF16, 1, ne1, t1_data);
	if (ret) {
		gguf_writer_free(w);
		return NULL;
	}
	return w;
}

static int sample(uint8_t **buf, size_t *len)
{
	struct gguf_writer *w = sample_writer();
	int ret;

	if (!w)
		return -ENOMEM;
	ret = gguf_writer_to_mem(w, buf, len);
	gguf_writer_free(w);
	return ret;
}

/* Parse a copy of exactly @len bytes (so ASan sees any overread). */
static int parse_copy(const uint8_t *buf, size_t len, char *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct gguf_file *f;
	int ret;

	memcpy(copy, buf, len);
	ret = gguf_parse(copy, len, &f, err);
	gguf_close(f);
	free(copy);
	return ret;
}

static void test_roundtrip(struct tap *t)
{
	char err[GGUF_ERR_LEN];
	struct gguf_file *f;
	const struct gguf_kv *kv;
	const struct gguf_tensor *t0, *t1;
	struct gguf_str s;
	uint8_t *buf;
	size_t len;
	uint64_t u;
	double d;

	if (!CHECK(t, !sample(&buf, &len)))
		return;
	if (!CHECK(t, !gguf_parse(buf, len, &f, err))) {
		printf("# %s\n", err);
		free(buf);
		return;
	}
	CHECK_EQ(t, f->version, 3);
	CHECK_EQ(t, f->alignment, 32);
	CHECK_EQ(t, f->n_kv, 19);	/* general.alignment first */
	CHECK(t, gguf_str_eq(f->kv[0].key, "general.alignment"));
	CHECK(t, !gguf_get_uint(f, "t.u8", &u, err) && u == 200);
	CHECK(t, (kv = gguf_find_kv(f, "t.i8")) && kv->val.type == GGUF_TYPE_INT8 &&
	      kv->val.i == -100);
	CHECK(t, !gguf_get_uint(f, "t.u16", &u, err) && u == 60000);
	CHECK(t, (kv = gguf_find_kv(f, "t.i16")) && kv->val.i == -30000);
	CHECK(t, !gguf_get_uint(f, "t.u32", &u, err) && u == 4000000000u);
	CHECK(t, (kv = gguf_find_kv(f, "t.i32")) && kv->val.i == -2000000000);
	CHECK(t, !gguf_get_uint(f, "t.u64", &u, err) && u == UINT64_MAX - 1);
	CHECK(t, (kv = gguf_find_kv(f, "t.i64")) && kv->val.i == INT64_MIN + 1);
	CHECK(t, !gguf_get_float(f, "t.f32", &d, err) && d == 1.5);
	CHECK(t, !gguf_get_float(f, "t.f64", &d, err) && d == -2.25);
	CHECK(t, (kv = gguf_find_kv(f, "t.bool")) && kv->val.type == GGUF_TYPE_BOOL &&
	      kv->val.u == 1);
	CHECK(t, !gguf_get_str(f, "t.str", &s, err) && gguf_str_eq(s, "hello"));
	CHECK(t, !gguf_get_str(f, "t.str_nul", &s, err) && s.len == 3 && !memcmp(s.s, "a\0b", 3));
	CHECK(t, (kv = gguf_find_kv(f, "t.arr_i32")) && kv->val.arr.type == GGUF_TYPE_INT32 &&
	      kv->val.arr.n == 3 && gguf_arr_i(&kv->val, 0) == -1 &&
	      gguf_arr_i(&kv->val, 2) == 7 && gguf_arr_i(&kv->val, 3) == 0);
	CHECK(t, (kv = gguf_find_kv(f, "t.arr_bool")) && kv->val.arr.n == 4 &&
	      gguf_arr_u(&kv->val, 0) == 1 && gguf_arr_u(&kv->val, 1) == 0);
	CHECK(t, (kv = gguf_find_kv(f, "t.arr_f64")) && gguf_arr_f(&kv->val, 1) == -1e300);
	/* floats read as integers saturate (no undefined conversion) */
	CHECK(t, kv && gguf_arr_u(&kv->val, 1) == 0 && gguf_arr_i(&kv->val, 1) == INT64_MIN);
	CHECK(t, kv && gguf_arr_u(&kv->val, 0) == 0 && gguf_arr_i(&kv->val, 0) == 0);
	CHECK(t, (kv = gguf_find_kv(f, "t.arr_empty")) && kv->val.arr.n == 0);
	CHECK(t, (kv = gguf_find_kv(f, "t.arr_str")) && kv->val.arr.n == 3 &&
	      gguf_str_eq(gguf_arr_str(&kv->val, 0), "a") &&
	      gguf_arr_str(&kv->val, 1).len == 0 &&
	      gguf_str_eq(gguf_arr_str(&kv->val, 2), "\xc4\x80 bytes"));
	/* wrong types are refused by the typed getters */
	CHECK_EQ(t, gguf_get_uint(f, "t.i8", &u, err), -EINVAL);
	CHECK_EQ(t, gguf_get_str(f, "t.u8", &s, err), -EINVAL);
	CHECK_EQ(t, gguf_get_float(f, "t.nothing", &d, err), -ENOENT);
	CHECK_EQ(t, f->n_tensors, 2);
	t0 = gguf_find_tensor(f, "t0");
	t1 = gguf_find_tensor(f, "t1.weight");
	if (CHECK(t, t0 && t1)) {
		CHECK(t, t0->n_dims == 2 && t0->ne[0] == 3 && t0->ne[1] == 2 && t0->ne[2] == 1);
		CHECK(t, t0->type == GGML_TYPE_F32 && t0->nbytes == 24 && t0->offset == 0);
		CHECK(t, !memcmp(t0->data, t0_data, 24));
		CHECK(t, t1->type == GGML_TYPE_BF16 && t1->nbytes == 10 && t1->offset == 32);
		CHECK(t, !memcmp(t1->data, t1_data, 10));
		CHECK_EQ(t, f->data_offset % 32, 0);
		CHECK_EQ(t, (const uint8_t *)t0->data - buf, f->data_offset);
	}
	/* the file ends with the last tensor padded to the alignment */
	CHECK_EQ(t, len, f->data_offset + 64);
	gguf_close(f);
	free(buf);
}

/* The exact bytes of a tiny file, as the spec lays them out. */
static void test_layout(struct tap *t)
{
	static const float one = 1.0f;
	uint64_t ne[1] = { 1 };
	struct gguf_writer *w = gguf_writer_new(16);
	uint8_t *buf = NULL;
	size_t len = 0;
	uint8_t want[] = {
		'G', 'G', 'U', 'F', 3, 0, 0, 0,
		1, 0, 0, 0, 0, 0, 0, 0,			/* tensor_count */
		2, 0, 0, 0, 0, 0, 0, 0,			/* metadata_kv_count */
		17, 0, 0, 0, 0, 0, 0, 0, 'g', 'e', 'n', 'e', 'r', 'a', 'l', '.',
		'a', 'l', 'i', 'g', 'n', 'm', 'e', 'n', 't',
		4, 0, 0, 0, 16, 0, 0, 0,		/* uint32 16 */
		1, 0, 0, 0, 0, 0, 0, 0, 'k',
		8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 'h', 'i',	/* string "hi" */
		1, 0, 0, 0, 0, 0, 0, 0, 'x',		/* tensor name */
		1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,	/* n_dims 1, ne[0] 1 */
		0, 0, 0, 0,				/* F32 */
		0, 0, 0, 0, 0, 0, 0, 0,			/* offset 0 */
	};

	if (!CHECK(t, w))
		return;
	CHECK(t, !gguf_set_str(w, "k", "hi"));
	CHECK(t, !gguf_add_tensor(w, "x", GGML_TYPE_F32, 1, ne, &one));
	CHECK(t, !gguf_writer_to_mem(w, &buf, &len));
	gguf_writer_free(w);
	size_t data = (sizeof(want) + 15) / 16 * 16;

	CHECK_EQ(t, len, data + 16);
	if (len == data + 16) {
		CHECK(t, !memcmp(buf, want, sizeof(want)));
		for (size_t i = sizeof(want); i < data; i++)
			CHECK_EQ(t, buf[i], 0);
		CHECK(t, !memcmp(buf + data, &one, 4));
	}
	free(buf);
}

static void test_writer_refuses(struct tap *t)
{
	struct gguf_writer *w = gguf_writer_new(32);
	uint64_t ne[2] = { 2, 0 };
	char longname[70];
	float x[4] = { 0 };
	uint8_t bad_bool = 2;

	CHECK(t, !gguf_writer_new(0) && !gguf_writer_new(12));
	if (!CHECK(t, w))
		return;
	CHECK_EQ(t, gguf_set_u32(w, "general.alignment", 64), -EEXIST);
	CHECK_EQ(t, gguf_set_u32(w, "Upper.case", 1), -EINVAL);
	CHECK_EQ(t, gguf_set_u32(w, "a..b", 1), -EINVAL);
	CHECK_EQ(t, gguf_set_u32(w, "", 1), -EINVAL);
	CHECK_EQ(t, gguf_set_u32(w, "trailing.", 1), -EINVAL);
	CHECK_EQ(t, gguf_set_arr(w, "a.b", GGUF_TYPE_STRING, x, 1), -EINVAL);
	CHECK_EQ(t, gguf_set_arr(w, "a.b", GGUF_TYPE_BOOL, &bad_bool, 1), -EINVAL);
	CHECK(t, !gguf_set_u32(w, "a.b", 1));
	CHECK_EQ(t, gguf_set_f32(w, "a.b", 1), -EEXIST);
	CHECK_EQ(t, gguf_add_tensor(w, "z", GGML_TYPE_F32, 2, ne, x), -EINVAL);
	ne[1] = 2;
	CHECK_EQ(t, gguf_add_tensor(w, "z", GGML_TYPE_F32, 0, ne, x), -EINVAL);
	CHECK_EQ(t, gguf_add_tensor(w, "z", GGML_TYPE_F32, 5, ne, x), -EINVAL);
	CHECK_EQ(t, gguf_add_tensor(w, "z", 2 /* Q4_0 */, 2, ne, x), -EINVAL);
	CHECK_EQ(t, gguf_add_tensor(w, "", GGML_TYPE_F32, 2, ne, x), -EINVAL);
	memset(longname, 'n', 65);
	longname[65] = 0;
	CHECK_EQ(t, gguf_add_tensor(w, longname, GGML_TYPE_F32, 2, ne, x), -EINVAL);
	longname[64] = 0;
	CHECK(t, !gguf_add_tensor(w, longname, GGML_TYPE_F32, 2, ne, x));
	CHECK_EQ(t, gguf_add_tensor(w, longname, GGML_TYPE_F32, 2, ne, x), -EEXIST);
	gguf_writer_free(w);
}

static void test_file_io(struct tap *t)
{
	char dir[] = "/tmp/llm-gguf-XXXXXX", path[64], err[GGUF_ERR_LEN];
	struct gguf_writer *w = sample_writer();
	struct gguf_file *f = NULL;
	uint8_t *buf;
	size_t len;
	FILE *fp;

	if (!CHECK(t, w && mkdtemp(dir)))
		return;
	snprintf(path, sizeof(path), "%s/x.gguf", dir);
	CHECK(t, !gguf_writer_save(w, path));
	CHECK(t, !gguf_writer_to_mem(w, &buf, &len));
	gguf_writer_free(w);
	CHECK(t, !gguf_read_file(path, &f, err));
	if (f) {
		CHECK_EQ(t, f->len, len);
		CHECK(t, !memcmp(f->buf, buf, len));
		gguf_close(f);
	}
	/* a truncated file on disk: refused, the message names the file */
	fp = fopen(path, "wb");
	if (CHECK(t, fp)) {
		fwrite(buf, 1, len / 2, fp);
		fclose(fp);
	}
	CHECK_EQ(t, gguf_read_file(path, &f, err), -EINVAL);
	CHECK(t, !strncmp(err, path, strlen(path)));
	printf("# truncated file: %s\n", err);
	unlink(path);
	CHECK_EQ(t, gguf_read_file(path, &f, err), -ENOENT);
	CHECK_EQ(t, gguf_read_file(dir, &f, err), -EINVAL);
	rmdir(dir);
	free(buf);
}

/* Every prefix shorter than the tensor data's end is refused. */
static void test_truncated(struct tap *t)
{
	char err[GGUF_ERR_LEN];
	unsigned int bad = 0, noerr = 0;
	uint8_t *buf;
	size_t len, need;

	if (!CHECK(t, !sample(&buf, &len)))
		return;
	need = len - 32 + 10;	/* t1's 10 bytes end the data, then padding */
	for (size_t n = 0; n <= len; n++) {
		int ret;

		err[0] = 0;
		ret = parse_copy(buf, n, err);
		if (n < need && ret != -EINVAL)
			bad++;
		if (n < need && !err[0])
			noerr++;
		if (n >= need && ret)
			bad++;
		if (n == 0 || n == 23 || n == 200 || n == need - 1)
			printf("# %zu bytes: %s\n", n, err);
	}
	CHECK_EQ(t, bad, 0);
	CHECK_EQ(t, noerr, 0);
	free(buf);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Offset of the first byte of @what in the sample (a unique string). */
static size_t find(const uint8_t *buf, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= len; i++) {
		if (!memcmp(buf + i, what, n))
			return i;
	}
	return SIZE_MAX;
}

struct mutation {
	const char *what;
	int want;
	const char *msg;	/* a word the message must contain */
};

static void check_refused(struct tap *t, const uint8_t *buf, size_t len, int want,
			  const char *what, const char *word)
{
	char err[GGUF_ERR_LEN] = "";
	int ret = parse_copy(buf, len, err);

	printf("# %s: %d %s\n", what, ret, err);
	if (!tap_check(t, ret == want, __FILE__, __LINE__, what))
		return;
	tap_check(t, strstr(err, word) != NULL, __FILE__, __LINE__, word);
}

static void test_bad_files(struct tap *t)
{
	uint8_t *buf, *m;
	size_t len, at;

	if (!CHECK(t, !sample(&buf, &len)))
		return;
	m = malloc(len + 64);
#define FRESH() memcpy(m, buf, len)
	FRESH();
	m[0] = 'X';
	check_refused(t, m, len, -EINVAL, "wrong magic", "magic");
	FRESH();
	put32(m + 4, 2);
	check_refused(t, m, len, -ENOTSUP, "version 2", "version 2");
	FRESH();
	put32(m + 4, 4);
	check_refused(t, m, len, -ENOTSUP, "version 4", "version 4");
	FRESH();
	put32(m + 4, 0x03000000);
	check_refused(t, m, len, -ENOTSUP, "big-endian", "big-endian");
	FRESH();
	put64(m + 8, UINT64_MAX);
	check_refused(t, m, len, -EINVAL, "huge tensor count", "tensors cannot fit");
	FRESH();
	put64(m + 16, 1ull << 60);
	check_refused(t, m, len, -EINVAL, "huge metadata count", "metadata pairs");
	FRESH();
	put64(m + 8, 3);	/* one tensor info more than there is */
	check_refused(t, m, len, -EINVAL, "tensor count + 1", "tensor");
	/* a key's length */
	at = find(buf, len, "t.u8") - 8;
	FRESH();
	put64(m + at, UINT64_MAX);
	check_refused(t, m, len, -EINVAL, "huge key length", "metadata key");
	FRESH();
	put64(m + at, 65536);
	check_refused(t, m, len, -EINVAL, "key over 65535 bytes", "at most 65535");
	FRESH();
	m[at + 8] = 0x80;
	check_refused(t, m, len, -EINVAL, "non-ASCII key", "ASCII");
	FRESH();
	put64(m + at, 0);
	check_refused(t, m, len, -EINVAL, "empty key", "key");
	/* a value's type */
	FRESH();
	put32(m + at + 8 + 4, 13);
	check_refused(t, m, len, -EINVAL, "invalid value type", "invalid value type 13");
	/* a string value's length */
	at = find(buf, len, "hello") - 8;
	FRESH();
	put64(m + at, 1ull << 62);
	check_refused(t, m, len, -EINVAL, "huge string", "bytes follow");
	/* a bool that is 2 */
	at = find(buf, len, "t.bool") + 6 + 4;
	FRESH();
	m[at] = 2;
	check_refused(t, m, len, -EINVAL, "bool 2", "bool");
	/* an array's count and element type */
	at = find(buf, len, "t.arr_i32") + 9 + 4;
	FRESH();
	put64(m + at + 4, UINT64_MAX / 2);
	check_refused(t, m, len, -EINVAL, "huge array", "array of");
	FRESH();
	put32(m + at, 99);
	check_refused(t, m, len, -EINVAL, "invalid array type", "array element type");
	at = find(buf, len, "t.arr_str") + 9 + 4;
	FRESH();
	put64(m + at + 4, 1ull << 61);
	check_refused(t, m, len, -EINVAL, "huge string array", "array of");
	/* duplicate key: rename t.u16 to t.i16 */
	at = find(buf, len, "t.u16");
	FRESH();
	m[at + 2] = 'i';
	check_refused(t, m, len, -EINVAL, "duplicate key", "duplicate metadata key t.i16");
	/* general.alignment: wrong type, not a multiple of 8 */
	at = find(buf, len, "general.alignment") + 17;
	FRESH();
	put32(m + at, GGUF_TYPE_INT32);
	check_refused(t, m, len, -EINVAL, "alignment int32", "general.alignment");
	FRESH();
	put32(m + at + 4, 12);
	check_refused(t, m, len, -EINVAL, "alignment 12", "multiple of 8");
	FRESH();
	put32(m + at + 4, 64);	/* t1's offset 32 is then misaligned */
	check_refused(t, m, len, -EINVAL, "alignment 64", "not a multiple of the alignment");
	/* tensor infos: t0 at "t0", then n_dims, ne[0], ne[1], type, offset */
	at = find(buf, len, "t0\x02") + 2;
	FRESH();
	put32(m + at, 0);
	check_refused(t, m, len, -EINVAL, "0 dims", "dimensions");
	FRESH();
	put32(m + at, 5);
	check_refused(t, m, len, -EINVAL, "5 dims", "dimensions");
	FRESH();
	put64(m + at + 4, 0);
	check_refused(t, m, len, -EINVAL, "zero dim", "zero");
	FRESH();
	put64(m + at + 4, 1ull << 40);
	put64(m + at + 12, 1ull << 40);
	check_refused(t, m, len, -EINVAL, "dims overflow", "overflow");
	FRESH();
	put64(m + at + 4, 1ull << 40);
	check_refused(t, m, len, -EINVAL, "huge tensor", "outside the data section");
	FRESH();
	put64(m + at + 4, 5);	/* 5x2 floats: runs into t1 at 32 */
	check_refused(t, m, len, -EINVAL, "overlap", "overlap");
	FRESH();
	put32(m + at + 20, 2);
	check_refused(t, m, len, -ENOTSUP, "Q4_0 tensor", "Q4_0");
	FRESH();
	put32(m + at + 20, 4);
	check_refused(t, m, len, -EINVAL, "removed type 4", "invalid type 4");
	FRESH();
	put32(m + at + 20, 1000);
	check_refused(t, m, len, -EINVAL, "type 1000", "invalid type 1000");
	FRESH();
	put64(m + at + 24, 8);
	check_refused(t, m, len, -EINVAL, "misaligned offset", "not a multiple of the alignment");
	FRESH();
	put64(m + at + 24, UINT64_MAX - 31);
	check_refused(t, m, len, -EINVAL, "offset past the end", "outside the data section");
	/* tensor names: duplicate, too long, empty */
	at = find(buf, len, "t1.weight");
	FRESH();
	memcpy(m + at, "t0", 2);
	put64(m + at - 8, 2);
	memmove(m + at + 2, buf + at + 9, len - at - 9);	/* shorter name */
	check_refused(t, m, len - 7, -EINVAL, "duplicate tensor", "duplicate tensor name t0");
	FRESH();
	put64(m + at - 8, 65);
	check_refused(t, m, len, -EINVAL, "name of 65 bytes", "tensor name");
	FRESH();
	put64(m + at - 8, 0);
	check_refused(t, m, len, -EINVAL, "empty tensor name", "name");
#undef FRESH
	free(m);
	free(buf);
}

/* Nested arrays are valid GGUF: read and skipped; too deep is refused. */
static void test_nested_arrays(struct tap *t)
{
	uint8_t b[256];
	size_t n = 0;
	char err[GGUF_ERR_LEN];
	struct gguf_file *f;

#define P32(v) do { put32(b + n, v); n += 4; } while (0)
#define P64(v) do { put64(b + n, v); n += 8; } while (0)
	memcpy(b, "GGUF", 4);
	n = 4;
	P32(3);
	P64(0);
	P64(1);
	P64(1);
	b[n++] = 'a';
	P32(GGUF_TYPE_ARRAY);
	P32(GGUF_TYPE_ARRAY);	/* array of 2 arrays */
	P64(2);
	P32(GGUF_TYPE_UINT16);
	P64(1);
	b[n++] = 1;
	b[n++] = 0;
	P32(GGUF_TYPE_STRING);
	P64(1);
	P64(1);
	b[n++] = 'x';
	if (CHECK(t, !gguf_parse(b, n, &f, err))) {
		const struct gguf_kv *kv = gguf_find_kv(f, "a");

		CHECK(t, kv && kv->val.arr.type == GGUF_TYPE_ARRAY && kv->val.arr.n == 2);
		gguf_close(f);
	}
	CHECK_EQ(t, gguf_parse(b, n - 1, &f, err), -EINVAL);
	/* five levels deep */
	n = 24 + 8 + 1 + 4;
	for (int i = 0; i < 5; i++) {
		P32(GGUF_TYPE_ARRAY);
		P64(1);
	}
	P32(GGUF_TYPE_UINT8);
	P64(0);
	CHECK_EQ(t, gguf_parse(b, n, &f, err), -EINVAL);
	CHECK(t, strstr(err, "nested") != NULL);
#undef P32
#undef P64
}

/* Every byte of the sample overwritten with a few values: no crash, and
 * either a clean refusal with a message or a file that parses. */
static void test_overwrite_every_byte(struct tap *t)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x07, 0x20, 0x7f, 0x80, 0xff };
	unsigned int refused = 0, parsed = 0, nomsg = 0, odd = 0;
	uint8_t *buf, *m;
	size_t len;

	if (!CHECK(t, !sample(&buf, &len)))
		return;
	m = malloc(len);
	for (size_t i = 0; i < len; i++) {
		for (size_t v = 0; v < sizeof(vals); v++) {
			char err[GGUF_ERR_LEN] = "";
			int ret;

			memcpy(m, buf, len);
			m[i] = vals[v];
			ret = parse_copy(m, len, err);
			if (!ret) {
				parsed++;
			} else {
				refused++;
				nomsg += !err[0];
				odd += ret != -EINVAL && ret != -ENOTSUP;
			}
		}
	}
	printf("# %u refused, %u parsed\n", refused, parsed);
	CHECK(t, refused > 0 && parsed > 0);
	CHECK_EQ(t, nomsg, 0);
	CHECK_EQ(t, odd, 0);
	free(m);
	free(buf);
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ "gguf: every value type and two tensors round trip", test_roundtrip },
		{ "gguf: the bytes of a small file are the spec's layout", test_layout },
		{ "gguf: the writer refuses bad keys, names, shapes, duplicates", test_writer_refuses },
		{ "gguf: save to a file and read it back; bad paths", test_file_io },
		{ "gguf: every truncation is refused with a message", test_truncated },
		{ "gguf: malformed files refused with -EINVAL/-ENOTSUP and a reason", test_bad_files },
		{ "gguf: nested arrays read; nesting past the limit refused", test_nested_arrays },
		{ "gguf: every byte overwritten: refused cleanly or parsed", test_overwrite_every_byte },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
