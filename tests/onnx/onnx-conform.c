// SPDX-License-Identifier: MIT
/*
 * onnx-conform: ONNX's own node tests (Debian's libonnx-testdata) on the
 * card, an oracle nobody here wrote.
 *
 * For every node test whose operator the card implements (Gemm, MatMul,
 * Softmax, LayerNormalization, Relu, Exp, Add, Mul, Cast, CastLike), the
 * model (model.onnx) and its input and expected output tensors
 * (test_data_set_N/{input,output}_I.pb) are read with protobuf-c, from C
 * that protoc-c generates at build time from ONNX's own onnx.proto; the
 * node runs through libaccel as the card's commands; every output is
 * compared at ONNX's default node-test tolerance (numpy's assert_allclose
 * with rtol 1e-3, atol 1e-7: |got - want| <= atol + rtol * |want|, NaN
 * equal to NaN).  Broadcast operands are laid out in full on the host
 * (no arithmetic); all arithmetic is the card's.
 *
 * What the card cannot express is skipped with the reason; operators the
 * card has nothing for are not listed.  Output: one KTAP line per case,
 * then "# card C: onnx conformance: ran R, passed P, failed F, skipped S".
 *
 *   onnx-conform [-c CARD] [-v] [DIR]
 *	DIR: ONNX's node test directory
 *	(default /usr/include/onnx/backend/test/data/node)
 *
 * Exit status: 0 when nothing failed, 1 on a failure, 2 on an error.
 */
#include <accel/accel.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onnx.pb-c.h"

#define DEFAULT_DIR	"/usr/include/onnx/backend/test/data/node"
#define RTOL		1e-3
#define ATOL		1e-7
#define MAX_IO		4
#define MAX_RANK	8
#define MAX_BOS		16
#define CMDBUF_BYTES	(64u << 10)
#define TIMEOUT_NS	(60ull * 1000000000ull)
#define EW_CHUNK	65536u	/* ELEMENTWISE count per command */

/* ONNX TensorProto.DataType values used here. */
enum {
	T_FLOAT = 1, T_UINT8 = 2, T_INT8 = 3, T_UINT16 = 4, T_INT32 = 6, T_INT64 = 7,
	T_STRING = 8, T_FLOAT16 = 10, T_DOUBLE = 11, T_BFLOAT16 = 16,
};

/* A tensor on the host, its values widened to fp32 (float types only). */
struct tensor {
	int type;
	int rank;
	int64_t dims[MAX_RANK];
	size_t count;
	float *f;		/* count values, or NULL (not a float type) */
	/* ONNX 1.12 stores BFLOAT16 test tensors as UINT16 bit patterns */
	bool bf16_bits;
};

struct card {
	struct accel_device *dev;
	struct accel_queue *queue;
	struct accel_cmdbuf *cb;
	struct accel_bo *bo[MAX_BOS];
	unsigned int nbo;
};

struct result {
	int passed;		/* 1 pass, 0 fail */
	char skip[160];		/* non-empty: skipped, why */
	char note[160];		/* failure detail */
	char partial[160];	/* non-empty: outputs 1.. not compared, why */
};

static bool verbose;

static void skip(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void skip(struct result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->skip, sizeof(r->skip), fmt, ap);
	va_end(ap);
}

static const char *type_name(int t)
{
	switch (t) {
	case T_FLOAT:		return "FLOAT";
	case T_UINT8:		return "UINT8";
	case T_INT8:		return "INT8";
	case T_INT32:		return "INT32";
	case T_INT64:		return "INT64";
	case T_STRING:		return "STRING";
	case T_FLOAT16:		return "FLOAT16";
	case T_DOUBLE:		return "DOUBLE";
	case T_BFLOAT16:	return "BFLOAT16";
	default:		return "another type";
	}
}

/* The card's type for an ONNX float type, or -1. */
static int card_type(int t)
{
	switch (t) {
	case T_FLOAT:		return ACCEL_DTYPE_FP32;
	case T_FLOAT16:		return ACCEL_DTYPE_FP16;
	case T_BFLOAT16:	return ACCEL_DTYPE_BF16;
	default:		return -1;
	}
}

static float f16_to_f32(uint16_t h)
{
	uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
	uint32_t u;
	float f;

	if (exp == 0x1f) {
		u = sign | 0x7f800000u | man << 13;
	} else if (exp == 0) {
		f = ldexpf((float)man, -24);
		return sign ? -f : f;
	} else {
		u = sign | (exp + 112) << 23 | man << 13;
	}
	memcpy(&f, &u, 4);
	return f;
}

static float bf16_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static size_t type_size(int card_dt)
{
	return card_dt == ACCEL_DTYPE_FP32 ? 4 : 2;
}

/* Element @i of a card buffer of type @dt, as fp32. */
static float card_load(const void *p, int dt, size_t i)
{
	uint16_t h;
	float f;

	if (dt == ACCEL_DTYPE_FP32) {
		memcpy(&f, (const uint8_t *)p + 4 * i, 4);
		return f;
	}
	memcpy(&h, (const uint8_t *)p + 2 * i, 2);
	return dt == ACCEL_DTYPE_FP16 ? f16_to_f32(h) : bf16_to_f32(h);
}

/* Raw (little-endian) element @i of a tensor stored as @p, type @t. */
static float raw_value(const uint8_t *p, int t, size_t i)
{
	uint16_t h;
	double d;
	float f;

	switch (t) {
	case T_FLOAT:
		memcpy(&f, p + 4 * i, 4);
		return f;
	case T_DOUBLE:
		memcpy(&d, p + 8 * i, 8);
		return (float)d;
	case T_FLOAT16:
		memcpy(&h, p + 2 * i, 2);
		return f16_to_f32(h);
	default:
		memcpy(&h, p + 2 * i, 2);
		return bf16_to_f32(h);
	}
}

/* Read a TensorProto file into @t; 0, or -errno (-ENOTSUP: type). */
static int tensor_load(const char *path, struct tensor *t)
{
	Onnx__TensorProto *tp;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");
	int ret = 0;

	memset(t, 0, sizeof(*t));
	if (!f)
		return -errno;
	for (;;) {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? 2 * cap : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	tp = onnx__tensor_proto__unpack(NULL, len, buf);
	free(buf);
	if (!tp)
		return -EBADMSG;
	t->type = tp->data_type;
	if (t->type == T_UINT16 && tp->has_raw_data) {
		t->type = T_BFLOAT16;
		t->bf16_bits = true;
	}
	t->rank = (int)tp->n_dims;
	t->count = 1;
	if (t->rank > MAX_RANK) {
		ret = -ENOTSUP;
		goto out;
	}
	for (int i = 0; i < t->rank; i++) {
		t->dims[i] = tp->dims[i];
		t->count *= (size_t)tp->dims[i];
	}
	if (t->type != T_FLOAT && t->type != T_FLOAT16 && t->type != T_BFLOAT16 &&
	    t->type != T_DOUBLE)
		goto out;	/* shape only */
	t->f = calloc(t->count ? t->count : 1, sizeof(float));
	if (!t->f) {
		ret = -ENOMEM;
		goto out;
	}
	if (tp->has_raw_data) {
		size_t es = t->type == T_FLOAT ? 4 : t->type == T_DOUBLE ? 8 : 2;

		if (tp->raw_data.len != t->count * es) {
			ret = -EBADMSG;
			goto out;
		}
		for (size_t i = 0; i < t->count; i++)
			t->f[i] = raw_value(tp->raw_data.data, t->type, i);
	} else if (t->type == T_FLOAT && tp->n_float_data == t->count) {
		memcpy(t->f, tp->float_data, t->count * 4);
	} else if (t->type == T_DOUBLE && tp->n_double_data == t->count) {
		for (size_t i = 0; i < t->count; i++)
			t->f[i] = (float)tp->double_data[i];
	} else if ((t->type == T_FLOAT16 || t->type == T_BFLOAT16) &&
		   tp->n_int32_data == t->count) {
		for (size_t i = 0; i < t->count; i++)
			t->f[i] = t->type == T_FLOAT16 ?
				  f16_to_f32((uint16_t)tp->int32_data[i]) :
				  bf16_to_f32((uint16_t)tp->int32_data[i]);
	} else {
		ret = -EBADMSG;
	}
out:
	onnx__tensor_proto__free_unpacked(tp, NULL);
	if (ret) {
		free(t->f);
		t->f = NULL;
	}
	return ret;
}

static void tensor_free(struct tensor *t)
{
	free(t->f);
	t->f = NULL;
}

/* ----------------------------------------------------------------- card */

static void card_free_bos(struct card *c)
{
	while (c->nbo)
		accel_bo_free(c->bo[--c->nbo]);
}

/* A mapped device buffer of @bytes: *cpu and *va. */
static int card_alloc(struct card *c, size_t bytes, void **cpu, uint64_t *va)
{
	struct accel_bo *bo;
	int ret;

	if (c->nbo == MAX_BOS)
		return -ENOMEM;
	ret = accel_bo_alloc(c->dev, bytes ? bytes : 4, &bo);
	if (ret)
		return ret;
	c->bo[c->nbo++] = bo;
	ret = accel_bo_map(bo, cpu);
	*va = accel_bo_va(bo);
	return ret;
}

static int card_run(struct card *c)
{
	struct accel_fence *done;
	struct accel_sync sig;
	int ret = accel_fence_create(c->dev, &done);

	if (ret)
		return ret;
	sig = (struct accel_sync){ .fence = done };
	ret = accel_queue_submit(c->queue, c->cb, NULL, 0, &sig, 1, NULL, 0);
	if (!ret)
		ret = accel_fence_wait(done, TIMEOUT_NS);
	accel_fence_destroy(done);
	return ret;
}

/* A float tensor on the card as type @dt (converted by the card). */
static int card_put(struct card *c, const struct tensor *t, int dt, uint64_t *va,
		    void **cpu)
{
	uint64_t fva;
	float *f;
	int ret;

	ret = card_alloc(c, t->count * 4, (void **)&f, &fva);
	if (ret)
		return ret;
	memcpy(f, t->f, t->count * 4);
	if (dt == ACCEL_DTYPE_FP32) {
		*va = fva;
		if (cpu)
			*cpu = f;
		return 0;
	}
	/* an fp32 copy, cast on the card (exact for values of the type) */
	ret = card_alloc(c, t->count * 2, cpu ? cpu : (void **)&f, va);
	for (size_t i = 0; !ret && i < t->count; i += EW_CHUNK) {
		struct accel_elementwise e = {
			.size = sizeof(e), .op = ACCEL_EW_CAST, .src_dtype = ACCEL_DTYPE_FP32,
			.dst_dtype = (uint32_t)dt,
			.count = (uint32_t)(t->count - i < EW_CHUNK ? t->count - i : EW_CHUNK),
			.a = fva + 4 * i, .d = *va + 2 * i,
		};

		ret = accel_cmdbuf_elementwise(c->cb, &e);
	}
	return ret;
}

/* ------------------------------------------------------------- compare */

static bool compare(const float *got, int got_dt, const struct tensor *want,
		    struct result *r)
{
	double worst = 0;
	size_t bad = 0, at = 0;

	for (size_t i = 0; i < want->count; i++) {
		double g = card_load(got, got_dt, i), w = want->f[i], e;

		if (isnan(g) && isnan(w))
			continue;
		if (g == w)	/* infinities */
			continue;
		e = fabs(g - w);
		if (!(e <= ATOL + RTOL * fabs(w))) {
			if (!bad || e > worst) {
				worst = e;
				at = i;
			}
			bad++;
		}
	}
	if (bad)
		snprintf(r->note, sizeof(r->note),
			 "%zu of %zu elements off, worst [%zu] %g vs %g", bad,
			 want->count, at, (double)card_load(got, got_dt, at),
			 (double)want->f[at]);
	return !bad;
}

/* ------------------------------------------------------------ the ops */

struct node_case {
	const Onnx__NodeProto *node;
	int opset;
	struct tensor in[MAX_IO], out[MAX_IO];
	int nin, nout;
};

static const Onnx__AttributeProto *attr(const struct node_case *nc, const char *name)
{
	for (size_t i = 0; i < nc->node->n_attribute; i++)
		if (!strcmp(nc->node->attribute[i]->name, name))
			return nc->node->attribute[i];
	return NULL;
}

static int64_t attr_i(const struct node_case *nc, const char *name, int64_t def)
{
	const Onnx__AttributeProto *a = attr(nc, name);

	return a && a->has_i ? a->i : def;
}

static float attr_f(const struct node_case *nc, const char *name, float def)
{
	const Onnx__AttributeProto *a = attr(nc, name);

	return a && a->has_f ? a->f : def;
}

static bool all_float(const struct node_case *nc, struct result *r)
{
	for (int i = 0; i < nc->nin; i++)
		if (nc->in[i].type != T_FLOAT) {
			skip(r, "input %d is %s: the card's %s here takes FLOAT", i,
			     type_name(nc->in[i].type), nc->node->op_type);
			return false;
		}
	for (int i = 0; i < nc->nout; i++)
		if (nc->out[i].type != T_FLOAT) {
			skip(r, "output %d is %s", i, type_name(nc->out[i].type));
			return false;
		}
	return true;
}

static bool dims_fit(const struct tensor *t, struct result *r)
{
	for (int i = 0; i < t->rank; i++)
		if (t->dims[i] < 1 || t->dims[i] > ACCEL_MAX_DIM) {
			skip(r, "dimension %lld: the card takes 1..%u",
			     (long long)t->dims[i], ACCEL_MAX_DIM);
			return false;
		}
	return true;
}

/*
 * @src laid out in full as @shape (numpy broadcasting, right-aligned):
 * a copy, no arithmetic.  NULL if @src does not broadcast to @shape.
 */
static float *broadcast(const struct tensor *src, const int64_t *shape, int rank,
			size_t count)
{
	int64_t sd[MAX_RANK];
	float *out;

	if (src->rank > rank)
		return NULL;
	for (int i = 0; i < rank; i++) {
		int j = i - (rank - src->rank);

		sd[i] = j < 0 ? 1 : src->dims[j];
		if (sd[i] != 1 && sd[i] != shape[i])
			return NULL;
	}
	out = malloc(count * 4 + 4);
	if (!out)
		return NULL;
	for (size_t e = 0; e < count; e++) {
		size_t rem = e, si = 0, stride = 1;

		for (int i = rank - 1; i >= 0; i--) {
			size_t idx = rem % (size_t)shape[i];

			rem /= (size_t)shape[i];
			if (sd[i] != 1)
				si += idx * stride;
			stride *= (size_t)sd[i];
		}
		out[e] = src->f[si];
	}
	return out;
}

/* ELEMENTWISE @op over @count fp32 values at @a (@b) into @d. */
static int ew_cmds(struct card *c, uint32_t op, size_t count, uint64_t a, uint64_t b,
		   uint64_t d)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < count; i += EW_CHUNK) {
		struct accel_elementwise e = {
			.size = sizeof(e), .op = op, .src_dtype = ACCEL_DTYPE_FP32,
			.dst_dtype = ACCEL_DTYPE_FP32,
			.count = (uint32_t)(count - i < EW_CHUNK ? count - i : EW_CHUNK),
			.a = a + 4 * i, .b = b ? b + 4 * i : 0, .d = d + 4 * i,
		};

		ret = accel_cmdbuf_elementwise(c->cb, &e);
	}
	return ret;
}

static int run_unary(struct card *c, struct node_case *nc, uint32_t op, struct result *r)
{
	uint64_t a, d;
	float *out;
	int ret;

	if (nc->nin != 1 || nc->nout != 1 || !all_float(nc, r))
		return 0;
	ret = card_put(c, &nc->in[0], ACCEL_DTYPE_FP32, &a, NULL);
	if (!ret)
		ret = card_alloc(c, nc->out[0].count * 4, (void **)&out, &d);
	if (!ret)
		ret = ew_cmds(c, op, nc->in[0].count, a, 0, d);
	if (!ret)
		ret = card_run(c);
	if (!ret)
		r->passed = compare(out, ACCEL_DTYPE_FP32, &nc->out[0], r);
	return ret;
}

static int run_binary(struct card *c, struct node_case *nc, uint32_t op, struct result *r)
{
	const struct tensor *o;
	float *x = NULL, *y = NULL, *px, *py, *out;
	uint64_t a, b, d;
	int ret;

	if (nc->nin != 2 || nc->nout != 1 || !all_float(nc, r))
		return 0;
	o = &nc->out[0];
	x = broadcast(&nc->in[0], o->dims, o->rank, o->count);
	y = broadcast(&nc->in[1], o->dims, o->rank, o->count);
	if (!x || !y) {
		skip(r, "inputs do not broadcast to the output's shape");
		ret = 0;
		goto out;
	}
	ret = card_alloc(c, o->count * 4, (void **)&px, &a);
	if (!ret)
		ret = card_alloc(c, o->count * 4, (void **)&py, &b);
	if (!ret)
		ret = card_alloc(c, o->count * 4, (void **)&out, &d);
	if (ret)
		goto out;
	memcpy(px, x, o->count * 4);
	memcpy(py, y, o->count * 4);
	ret = ew_cmds(c, op, o->count, a, b, d);
	if (!ret)
		ret = card_run(c);
	if (!ret)
		r->passed = compare(out, ACCEL_DTYPE_FP32, o, r);
out:
	free(x);
	free(y);
	return ret;
}

static int run_cast(struct card *c, struct node_case *nc, struct result *r)
{
	const struct tensor *in = &nc->in[0], *o = &nc->out[0];
	int sdt = card_type(in->type), ddt = card_type(o->type);
	uint64_t a, d;
	void *out;
	int ret;

	if (in->type == T_FLOAT && o->bf16_bits) {
		skip(r, "the expected BFLOAT16 values are truncated (ONNX 1.12's test "
		     "data); the card's CAST rounds to nearest even");
		return 0;
	}
	if (nc->nout != 1 || sdt < 0 || ddt < 0) {
		skip(r, "%s to %s: the card's types are FP32, FP16, BF16, INT8, INT32",
		     type_name(in->type), type_name(o->type));
		return 0;
	}
	ret = card_put(c, in, sdt, &a, NULL);
	if (!ret)
		ret = card_alloc(c, o->count * type_size(ddt), &out, &d);
	for (size_t i = 0; !ret && i < in->count; i += EW_CHUNK) {
		struct accel_elementwise e = {
			.size = sizeof(e), .op = ACCEL_EW_CAST, .src_dtype = (uint32_t)sdt,
			.dst_dtype = (uint32_t)ddt,
			.count = (uint32_t)(in->count - i < EW_CHUNK ? in->count - i : EW_CHUNK),
			.a = a + type_size(sdt) * i, .d = d + type_size(ddt) * i,
		};

		ret = accel_cmdbuf_elementwise(c->cb, &e);
	}
	if (!ret)
		ret = card_run(c);
	if (!ret)
		r->passed = compare(out, ddt, o, r);
	return ret;
}

static int run_gemm(struct card *c, struct node_case *nc, bool matmul, struct result *r)
{
	const struct tensor *A = &nc->in[0], *B = &nc->in[1], *o = &nc->out[0];
	bool ta = !matmul && attr_i(nc, "transA", 0), tb = !matmul && attr_i(nc, "transB", 0);
	float alpha = matmul ? 1.0f : attr_f(nc, "alpha", 1.0f);
	float beta = matmul ? 0.0f : attr_f(nc, "beta", 1.0f);
	int64_t m, n, k, batch = 1;
	uint64_t a, b, d;
	float *out;
	int ret;

	if (nc->nout != 1 || nc->nin < 2 || !all_float(nc, r) || !dims_fit(A, r) ||
	    !dims_fit(B, r))
		return 0;
	if (A->rank < 2 || B->rank < 2 || (!matmul && (A->rank != 2 || B->rank != 2))) {
		skip(r, "operands of rank %d and %d: the card's GEMM is 2-D", A->rank,
		     B->rank);
		return 0;
	}
	if (matmul) {
		if (A->rank != B->rank ||
		    memcmp(A->dims, B->dims, sizeof(int64_t) * (A->rank - 2))) {
			skip(r, "broadcast batch dimensions");
			return 0;
		}
		for (int i = 0; i < A->rank - 2; i++)
			batch *= A->dims[i];
	}
	m = ta ? A->dims[A->rank - 1] : A->dims[A->rank - 2];
	k = ta ? A->dims[A->rank - 2] : A->dims[A->rank - 1];
	n = tb ? B->dims[B->rank - 2] : B->dims[B->rank - 1];
	ret = card_put(c, A, ACCEL_DTYPE_FP32, &a, NULL);
	if (!ret)
		ret = card_put(c, B, ACCEL_DTYPE_FP32, &b, NULL);
	if (!ret)
		ret = card_alloc(c, o->count * 4, (void **)&out, &d);
	if (ret)
		return ret;
	if (!matmul && nc->nin > 2 && nc->in[2].count) {
		/* C, laid out in full in the output: the card's beta * C */
		float *cfull = broadcast(&nc->in[2], o->dims, o->rank, o->count);

		if (!cfull) {
			skip(r, "C does not broadcast to M x N");
			return 0;
		}
		memcpy(out, cfull, o->count * 4);
		free(cfull);
	} else {
		beta = 0.0f;
	}
	for (int64_t i = 0; !ret && i < batch; i++) {
		struct accel_gemm g = {
			.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .activation = ACCEL_ACT_NONE,
			.flags = (ta ? ACCEL_GEMM_TRANS_A : 0) | (tb ? ACCEL_GEMM_TRANS_B : 0),
			.m = (uint32_t)m, .n = (uint32_t)n, .k = (uint32_t)k,
			.a = a + 4 * (uint64_t)(i * m * k), .lda = (uint32_t)(ta ? m : k),
			.b = b + 4 * (uint64_t)(i * k * n), .ldb = (uint32_t)(tb ? k : n),
			.c = d + 4 * (uint64_t)(i * m * n), .ldc = (uint32_t)n,
			.alpha = alpha, .beta = beta,
		};

		ret = accel_cmdbuf_gemm(c->cb, &g);
	}
	if (!ret)
		ret = card_run(c);
	if (!ret)
		r->passed = compare(out, ACCEL_DTYPE_FP32, o, r);
	return ret;
}

/* rows x cols of the card's row-wise commands for a reduction from @axis on. */
static bool rows_cols(const struct tensor *x, int64_t axis, uint32_t *rows,
		      uint32_t *cols, struct result *r)
{
	uint64_t nr = 1, nc = 1;

	if (axis < 0)
		axis += x->rank;
	if (axis < 0 || axis >= x->rank) {
		skip(r, "axis out of range");
		return false;
	}
	for (int i = 0; i < x->rank; i++)
		*(i < axis ? &nr : &nc) *= (uint64_t)x->dims[i];
	if (nr > ACCEL_MAX_DIM || nc > ACCEL_MAX_DIM) {
		skip(r, "%llu x %llu: the card takes at most %u", (unsigned long long)nr,
		     (unsigned long long)nc, ACCEL_MAX_DIM);
		return false;
	}
	*rows = (uint32_t)nr;
	*cols = (uint32_t)nc;
	return true;
}

static int run_softmax(struct card *c, struct node_case *nc, struct result *r)
{
	const struct tensor *x = &nc->in[0];
	int64_t axis = attr_i(nc, "axis", nc->opset >= 13 ? -1 : 1);
	struct accel_rowwise rw = { .size = sizeof(rw), .dtype = ACCEL_DTYPE_FP32 };
	uint64_t a = 0, d = 0;
	float *out;
	int ret;

	if (nc->nin != 1 || nc->nout != 1 || !all_float(nc, r))
		return 0;
	if (axis < 0)
		axis += x->rank;
	/* opset 13: over one axis; before: over the flattened axes from it */
	if (nc->opset >= 13 && axis != x->rank - 1) {
		skip(r, "softmax over axis %lld of %d: the card's SOFTMAX is over the last",
		     (long long)axis, x->rank);
		return 0;
	}
	if (!rows_cols(x, axis, &rw.rows, &rw.cols, r))
		return 0;
	ret = card_put(c, x, ACCEL_DTYPE_FP32, &a, NULL);
	if (!ret)
		ret = card_alloc(c, x->count * 4, (void **)&out, &d);
	rw.src = a;
	rw.dst = d;
	rw.src_ld = rw.dst_ld = rw.cols;
	if (!ret)
		ret = accel_cmdbuf_softmax(c->cb, &rw);
	if (!ret)
		ret = card_run(c);
	if (!ret)
		r->passed = compare(out, ACCEL_DTYPE_FP32, &nc->out[0], r);
	return ret;
}

static int run_layernorm(struct card *c, struct node_case *nc, struct result *r)
{
	const struct tensor *x = &nc->in[0];
	int64_t axis = attr_i(nc, "axis", -1);
	struct accel_rowwise rw = {
		.size = sizeof(rw), .dtype = ACCEL_DTYPE_FP32, .epsilon = attr_f(nc, "epsilon", 1e-5f),
	};
	uint64_t a = 0, d = 0, g = 0, bb = 0;
	float *out;
	int ret;

	if (nc->nin < 2 || !all_float(nc, r))
		return 0;
	/* Y is compared; the optional Mean and InvStdDev get a SKIP line */
	if (nc->nout > 1)
		snprintf(r->partial, sizeof(r->partial),
			 "outputs Mean, InvStdDev: the card's LAYERNORM gives Y only");
	if (!rows_cols(x, axis, &rw.rows, &rw.cols, r))
		return 0;
	if (nc->in[1].count != rw.cols || (nc->nin > 2 && nc->in[2].count != rw.cols)) {
		skip(r, "Scale or B broadcast over the normalized axes");
		return 0;
	}
	ret = card_put(c, x, ACCEL_DTYPE_FP32, &a, NULL);
	if (!ret)
		ret = card_put(c, &nc->in[1], ACCEL_DTYPE_FP32, &g, NULL);
	if (!ret && nc->nin > 2)
		ret = card_put(c, &nc->in[2], ACCEL_DTYPE_FP32, &bb, NULL);
	if (!ret)
		ret = card_alloc(c, x->count * 4, (void **)&out, &d);
	rw.src = a;
	rw.dst = d;
	rw.src_ld = rw.dst_ld = rw.cols;
	rw.flags = ACCEL_LN_GAMMA | (bb ? ACCEL_LN_BETA : 0);
	rw.gamma = g;
	rw.beta = bb;
	if (!ret)
		ret = accel_cmdbuf_layernorm(c->cb, &rw);
	if (!ret)
		ret = card_run(c);
	if (!ret)
		r->passed = compare(out, ACCEL_DTYPE_FP32, &nc->out[0], r);
	return ret;
}

/* ------------------------------------------------------------ a case */

static const char *const ops[] = {
	"Gemm", "MatMul", "MatMulInteger", "Softmax", "LayerNormalization", "Relu",
	"Exp", "Add", "Mul", "Cast", "CastLike",
};

static bool op_known(const char *op)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(op, ops[i]))
			return true;
	return false;
}

static Onnx__ModelProto *model_load(const char *path)
{
	Onnx__ModelProto *m = NULL;
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc(len ? len : 1);
	if (buf && fread(buf, 1, len, f) == (size_t)len)
		m = onnx__model_proto__unpack(NULL, len, buf);
	free(buf);
	fclose(f);
	return m;
}

static int opset_of(const Onnx__ModelProto *m)
{
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const char *d = m->opset_import[i]->domain;

		if (!d || !*d || !strcmp(d, "ai.onnx"))
			return (int)m->opset_import[i]->version;
	}
	return 0;
}

/*
 * One test data set of a single-node model: load, run, compare.  Returns
 * -errno on an error of the card or the files (the case then fails).
 */
static int run_set(struct card *c, struct node_case *nc, const char *dir, struct result *r)
{
	const char *op = nc->node->op_type;
	char path[1200];
	int ret = 0;

	for (nc->nin = 0; nc->nin < MAX_IO; nc->nin++) {
		snprintf(path, sizeof(path), "%s/input_%d.pb", dir, nc->nin);
		if (access(path, R_OK))
			break;
		ret = tensor_load(path, &nc->in[nc->nin]);
		if (ret)
			return ret;
	}
	for (nc->nout = 0; nc->nout < MAX_IO; nc->nout++) {
		snprintf(path, sizeof(path), "%s/output_%d.pb", dir, nc->nout);
		if (access(path, R_OK))
			break;
		ret = tensor_load(path, &nc->out[nc->nout]);
		if (ret)
			return ret;
	}
	if (!nc->nin || !nc->nout)
		return -ENOENT;
	/* ONNX's optional inputs may be named "" and have no file */
	if (!strcmp(op, "Gemm") || !strcmp(op, "MatMul"))
		ret = run_gemm(c, nc, !strcmp(op, "MatMul"), r);
	else if (!strcmp(op, "MatMulInteger"))
		skip(r, "uint8 operands with zero points: the card's INT8 is signed, no zero points");
	else if (!strcmp(op, "Softmax"))
		ret = run_softmax(c, nc, r);
	else if (!strcmp(op, "LayerNormalization"))
		ret = run_layernorm(c, nc, r);
	else if (!strcmp(op, "Relu"))
		ret = run_unary(c, nc, ACCEL_EW_RELU, r);
	else if (!strcmp(op, "Exp"))
		ret = run_unary(c, nc, ACCEL_EW_EXP, r);
	else if (!strcmp(op, "Add"))
		ret = run_binary(c, nc, ACCEL_EW_ADD, r);
	else if (!strcmp(op, "Mul"))
		ret = run_binary(c, nc, ACCEL_EW_MUL, r);
	else	/* Cast, CastLike */
		ret = run_cast(c, nc, r);
	return ret;
}

struct counts {
	int n, ran, passed, failed, skipped;
};

static void report(struct counts *k, const char *name, const struct result *r, int err)
{
	k->n++;
	if (err) {
		k->ran++;
		k->failed++;
		printf("not ok %d onnx %s # error: %s\n", k->n, name, accel_strerror(err));
	} else if (r->skip[0]) {
		k->skipped++;
		printf("ok %d onnx %s # SKIP %s\n", k->n, name, r->skip);
	} else if (r->passed) {
		k->ran++;
		k->passed++;
		printf("ok %d onnx %s\n", k->n, name);
	} else {
		k->ran++;
		k->failed++;
		printf("not ok %d onnx %s # %s\n", k->n, name, r->note);
	}
	if (!err && !r->skip[0] && r->partial[0]) {
		k->n++;
		k->skipped++;
		printf("ok %d onnx %s (other outputs) # SKIP %s\n", k->n, name,
		       r->partial);
	}
	fflush(stdout);
}

static int case_run(struct card *c, const char *root, const char *name, struct counts *k)
{
	char path[1024];
	Onnx__ModelProto *m;
	struct node_case nc;
	struct result r;
	int err = 0, sets = 0;

	snprintf(path, sizeof(path), "%s/%s/model.onnx", root, name);
	m = model_load(path);
	if (!m || !m->graph)
		goto out;
	if (m->graph->n_node < 1 || !op_known(m->graph->node[0]->op_type))
		goto out;	/* not an operator of the card's: not listed */
	memset(&r, 0, sizeof(r));
	if (m->graph->n_node != 1) {
		skip(&r, "%zu nodes (an expanded function), not one operator",
		     m->graph->n_node);
		report(k, name, &r, 0);
		goto out;
	}
	/* every data set must pass */
	r.passed = 1;
	for (;; sets++) {
		struct result one;

		snprintf(path, sizeof(path), "%s/%s/test_data_set_%d", root, name, sets);
		if (access(path, R_OK))
			break;
		memset(&nc, 0, sizeof(nc));
		memset(&one, 0, sizeof(one));
		nc.node = m->graph->node[0];
		nc.opset = opset_of(m);
		err = accel_cmdbuf_reset(c->cb);
		if (!err)
			err = run_set(c, &nc, path, &one);
		card_free_bos(c);
		for (int i = 0; i < MAX_IO; i++) {
			tensor_free(&nc.in[i]);
			tensor_free(&nc.out[i]);
		}
		if (verbose)
			printf("# %s set %d: %s %s%s\n", name, sets, nc.node->op_type,
			       one.skip[0] ? "skip: " : one.passed ? "pass" : "fail ",
			       one.skip[0] ? one.skip : one.note);
		if (err || one.skip[0] || !one.passed) {
			r = one;
			sets++;		/* this one counts */
			break;
		}
		memcpy(r.partial, one.partial, sizeof(r.partial));
	}
	if (!err && !sets)
		err = -ENOENT;
	report(k, name, &r, err);
out:
	if (m)
		onnx__model_proto__free_unpacked(m, NULL);
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *root = DEFAULT_DIR;
	unsigned int card = 0;
	struct counts k = { 0 };
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	struct dirent *de;
	struct card c = { 0 };
	DIR *dir;
	int opt, ret;

	while ((opt = getopt(argc, argv, "c:v")) != -1) {
		if (opt == 'c') {
			card = (unsigned int)atoi(optarg);
		} else if (opt == 'v') {
			verbose = true;
		} else {
			fprintf(stderr, "usage: %s [-c CARD] [-v] [DIR]\n", argv[0]);
			return 2;
		}
	}
	if (optind < argc)
		root = argv[optind];
	dir = opendir(root);
	if (!dir) {
		fprintf(stderr, "onnx-conform: %s: %s (install libonnx-testdata)\n", root,
			strerror(errno));
		return 2;
	}
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "test_", 5))
			continue;
		if (nnames == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 1024) * sizeof(*nn));

			if (!nn)
				return 2;
			names = nn;
		}
		names[nnames++] = strdup(de->d_name);
	}
	closedir(dir);
	qsort(names, nnames, sizeof(*names), cmp_names);

	ret = accel_device_open(card, &c.dev);
	if (!ret)
		ret = accel_queue_create(c.dev, ACCEL_ENGINE_COMPUTE, ACCEL_PRIORITY_NORMAL,
					 &c.queue);
	if (!ret)
		ret = accel_cmdbuf_create(c.dev, CMDBUF_BYTES, &c.cb);
	if (ret) {
		fprintf(stderr, "onnx-conform: card %u: %s\n", card, accel_strerror(ret));
		return 2;
	}
	printf("TAP version 13\n");
	printf("# onnx conformance: %zu node tests in %s, card %u\n", nnames, root, card);
	for (size_t i = 0; i < nnames; i++) {
		case_run(&c, root, names[i], &k);
		free(names[i]);
	}
	free(names);
	printf("1..%d\n", k.n);
	printf("# card %u: onnx conformance: ran %d, passed %d, failed %d, skipped %d\n",
	       card, k.ran, k.passed, k.failed, k.skipped);
	accel_cmdbuf_destroy(c.cb);
	accel_queue_destroy(c.queue);
	accel_device_close(c.dev);
	return k.failed ? 1 : 0;
}
