/* SPDX-License-Identifier: MIT */
/*
 * GGUF v3: a reader that validates everything and a writer
 * (Documentation/llm.rst; the format is ggml's docs/gguf.md).
 *
 * The reader takes a whole file (or a buffer) and checks every count,
 * length, type, dimension, offset and name against the spec and the
 * file's length before anything is used; a bad file is refused with a
 * negative errno and a one-line message saying what and where (a byte
 * offset), never a crash.  After gguf_parse() succeeds every accessor
 * below is bounds-safe.
 *
 * Little-endian files only (a byte-swapped version field is reported as
 * a big-endian file, -ENOTSUP).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_GGUF_H
#define TESSERA_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GGUF_MAGIC		"GGUF"
#define GGUF_VERSION		3
#define GGUF_DEFAULT_ALIGNMENT	32
#define GGUF_MAX_DIMS		4
#define GGUF_MAX_NAME		64	/* tensor names, bytes */
#define GGUF_MAX_KEY		65535	/* metadata keys, bytes */
#define GGUF_MAX_ARRAY_DEPTH	4	/* arrays of arrays of ... */
#define GGUF_ERR_LEN		256

/* Metadata value types (gguf_metadata_value_type). */
enum gguf_type {
	GGUF_TYPE_UINT8 = 0,
	GGUF_TYPE_INT8 = 1,
	GGUF_TYPE_UINT16 = 2,
	GGUF_TYPE_INT16 = 3,
	GGUF_TYPE_UINT32 = 4,
	GGUF_TYPE_INT32 = 5,
	GGUF_TYPE_FLOAT32 = 6,
	GGUF_TYPE_BOOL = 7,
	GGUF_TYPE_STRING = 8,
	GGUF_TYPE_ARRAY = 9,
	GGUF_TYPE_UINT64 = 10,
	GGUF_TYPE_INT64 = 11,
	GGUF_TYPE_FLOAT64 = 12,
	GGUF_TYPE_COUNT
};

/* Tensor element types (ggml_type): the ones this code can size. */
enum ggml_type {
	GGML_TYPE_F32 = 0,
	GGML_TYPE_F16 = 1,
	GGML_TYPE_I8 = 24,
	GGML_TYPE_I16 = 25,
	GGML_TYPE_I32 = 26,
	GGML_TYPE_I64 = 27,
	GGML_TYPE_F64 = 28,
	GGML_TYPE_BF16 = 30,
	GGML_TYPE_COUNT = 40
};

/* A string inside a parsed file: not NUL-terminated. */
struct gguf_str {
	const char *s;
	uint64_t len;
};

/*
 * One metadata value.  Scalars are widened into u/i/f; a string points
 * into the file; an array gives its element type, count and the first
 * element's bytes in the file (fixed-size elements are contiguous
 * little-endian values; string elements are reached with
 * gguf_arr_str(), which uses an index built and checked at parse time).
 */
struct gguf_value {
	enum gguf_type type;
	union {
		uint64_t u;		/* UINT8..UINT64, BOOL */
		int64_t i;		/* INT8..INT64 */
		double f;		/* FLOAT32, FLOAT64 */
		struct gguf_str str;	/* STRING */
		struct {
			enum gguf_type type;
			uint64_t n;
			const uint8_t *data;
			struct gguf_str *strs;	/* STRING elements, n of them */
		} arr;
	};
};

struct gguf_kv {
	struct gguf_str key;
	struct gguf_value val;
};

struct gguf_tensor {
	struct gguf_str name;
	uint32_t n_dims;
	/* ne[0] is the fastest-varying dimension (ggml order), unused = 1. */
	uint64_t ne[GGUF_MAX_DIMS];
	enum ggml_type type;
	uint64_t offset;	/* relative to the data section */
	uint64_t nbytes;
	const void *data;	/* in the file's buffer */
};

struct gguf_file {
	uint32_t version;
	uint32_t alignment;
	uint64_t n_kv;
	struct gguf_kv *kv;
	uint64_t n_tensors;
	struct gguf_tensor *tensors;
	uint64_t data_offset;	/* of the data section in the file */
	/* the file's bytes (owned when read from a path) */
	const uint8_t *buf;
	size_t len;
	void *owned;
};

/*
 * Parse @len bytes at @buf (which must stay valid while *@out is used).
 * 0 and a file to gguf_close(), or a negative errno and a message in
 * @err (GGUF_ERR_LEN bytes; may be NULL): -EINVAL for a malformed file,
 * -ENOTSUP for a well-formed one this code cannot use (other versions,
 * big-endian, tensor types it cannot size), -ENOMEM.
 */
int gguf_parse(const void *buf, size_t len, struct gguf_file **out, char *err);
/* The same for a whole file read into memory (-errno of open/read too). */
int gguf_read_file(const char *path, struct gguf_file **out, char *err);
void gguf_close(struct gguf_file *f);

const struct gguf_kv *gguf_find_kv(const struct gguf_file *f, const char *key);
const struct gguf_tensor *gguf_find_tensor(const struct gguf_file *f, const char *name);
/* Element @i of an array of a fixed-size type, widened like a scalar
 * (a float saturates to the integer range, NaN is 0; out of range: 0). */
uint64_t gguf_arr_u(const struct gguf_value *v, uint64_t i);
int64_t gguf_arr_i(const struct gguf_value *v, uint64_t i);
double gguf_arr_f(const struct gguf_value *v, uint64_t i);
struct gguf_str gguf_arr_str(const struct gguf_value *v, uint64_t i);

/* Typed look-ups: 0, -ENOENT (absent) or -EINVAL (wrong type, message). */
int gguf_get_uint(const struct gguf_file *f, const char *key, uint64_t *v, char *err);
int gguf_get_float(const struct gguf_file *f, const char *key, double *v, char *err);
int gguf_get_str(const struct gguf_file *f, const char *key, struct gguf_str *v, char *err);
bool gguf_str_eq(struct gguf_str a, const char *b);

/* Size in bytes of one element of a value type (0 for STRING/ARRAY). */
size_t gguf_type_size(enum gguf_type t);
const char *gguf_type_name(enum gguf_type t);
/* Bytes per element of a tensor type this code can size, else 0. */
size_t ggml_type_size(uint32_t t);
const char *ggml_type_name(uint32_t t);

/*
 * The writer.  Values and tensor infos are kept in memory in the order
 * they were added; tensor data is referenced, not copied, so it must
 * stay valid until gguf_writer_save().  general.alignment is always
 * written first (the spec marks it required).  Keys and tensor names
 * are checked (-EINVAL) and must be unique (-EEXIST).
 */
struct gguf_writer;

struct gguf_writer *gguf_writer_new(uint32_t alignment);
void gguf_writer_free(struct gguf_writer *w);
int gguf_set_u8(struct gguf_writer *w, const char *key, uint8_t v);
int gguf_set_i8(struct gguf_writer *w, const char *key, int8_t v);
int gguf_set_u16(struct gguf_writer *w, const char *key, uint16_t v);
int gguf_set_i16(struct gguf_writer *w, const char *key, int16_t v);
int gguf_set_u32(struct gguf_writer *w, const char *key, uint32_t v);
int gguf_set_i32(struct gguf_writer *w, const char *key, int32_t v);
int gguf_set_u64(struct gguf_writer *w, const char *key, uint64_t v);
int gguf_set_i64(struct gguf_writer *w, const char *key, int64_t v);
int gguf_set_f32(struct gguf_writer *w, const char *key, float v);
int gguf_set_f64(struct gguf_writer *w, const char *key, double v);
int gguf_set_bool(struct gguf_writer *w, const char *key, bool v);
int gguf_set_str(struct gguf_writer *w, const char *key, const char *v);
int gguf_set_strn(struct gguf_writer *w, const char *key, const char *v, size_t len);
/* @n elements of fixed-size type @type, native little-endian, copied. */
int gguf_set_arr(struct gguf_writer *w, const char *key, enum gguf_type type,
		 const void *data, uint64_t n);
/* @n strings; @lens may be NULL for NUL-terminated ones.  Copied. */
int gguf_set_arr_str(struct gguf_writer *w, const char *key, const char *const *strs,
		     const size_t *lens, uint64_t n);
/* @ne in ggml order (ne[0] fastest), @n_dims 1..4. */
int gguf_add_tensor(struct gguf_writer *w, const char *name, enum ggml_type type,
		    uint32_t n_dims, const uint64_t *ne, const void *data);
/* The whole file into @path, through a temporary file and rename(). */
int gguf_writer_save(struct gguf_writer *w, const char *path);
/* The whole file into a malloc()ed buffer (tests and fuzz seeds). */
int gguf_writer_to_mem(struct gguf_writer *w, uint8_t **buf, size_t *len);

#endif /* TESSERA_GGUF_H */
