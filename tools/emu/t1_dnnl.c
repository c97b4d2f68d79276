// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * GEMM tiles on oneDNN matmul; SOFTMAX, LAYERNORM and ELEMENTWISE on
 * oneDNN's softmax, layer normalization, eltwise, binary and reorder
 * primitives.
 *
 * Each engine thread keeps its own small cache of matmul primitives, keyed
 * by everything that shapes one (types, sizes, transposes, leading
 * dimensions, alpha, beta, epilogue, thread count), its own stream and its
 * own scratchpad (user-managed, so no call allocates).  Memory objects are
 * cached with their primitive and only get new data handles per call.
 *
 * Threads: oneDNN (Debian's build) runs on OpenMP.  OpenMP's thread count
 * is per calling thread, so before each call an engine sets it to its
 * share of t1_mm_threads(): the total divided by the engines in matrix
 * work at that moment.  One busy engine gets every core, two share them,
 * and the host is never oversubscribed.  oneDNN's CPU matmul splits M and
 * N, not K, among threads, so results do not depend on the share (see
 * Documentation/hw/programming-guide.rst, "Numerics").
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dnnl.h>

#include "t1_dnnl.h"
#include "t1_math.h"
#include "accel/tessera_cmd.h"

/*
 * Primitives kept per engine thread: a training step cycles through a
 * dozen GEMM shapes and as many of the training commands' primitives;
 * making one costs far more than looking through the cache.
 */
#define MM_CACHE	48

enum { OP_MM, OP_SOFTMAX, OP_LN, OP_EW, OP_PRIM };

struct mm_key {
	uint32_t op;
	struct t1_mm mm;	/* OP_MM */
	struct t1_rw rw;	/* OP_SOFTMAX, OP_LN */
	struct t1_ew ew;	/* OP_EW */
	struct t1_prim pr;	/* OP_PRIM */
	unsigned int nthr;
};

struct mm_entry {
	struct mm_key key;
	bool used;
	bool exact_s32;		/* int32 sums reach C exactly (AMX) */
	uint64_t stamp;
	dnnl_primitive_t prim;
	dnnl_memory_t a, b, c, bias, scratch;
	dnnl_memory_t m[T1_PRIM_MEMS];	/* OP_PRIM */
	size_t scratch_size;
	dnnl_memory_desc_t wmd;	/* B's layout (packed_b: the library's) */
};

/* The reorder that packs B, kept for the next panel of the same shape. */
struct pack_key {
	uint32_t type, k, n, ldb;
	bool trans;
	unsigned int nthr;
};

struct mm_thread {
	dnnl_stream_t stream;
	struct mm_entry e[MM_CACHE];
	uint64_t clock;
	void *scratch;
	size_t scratch_cap;
	/* B packed by t1_mm_pack_b(), in layout pack_md when pack_valid */
	void *pack;
	size_t pack_cap;
	bool pack_valid;
	dnnl_memory_desc_t pack_md;
	struct pack_key rkey;
	dnnl_primitive_t reo;
	dnnl_memory_t reo_src, reo_dst;
};

static dnnl_engine_t engine;
static dnnl_status_t engine_status = dnnl_runtime_error;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static atomic_uint total_threads;
static atomic_int busy_engines;

static void entry_free(struct mm_entry *e)
{
	if (!e->used)
		return;
	dnnl_memory_destroy(e->a);
	dnnl_memory_destroy(e->b);
	dnnl_memory_destroy(e->c);
	dnnl_memory_destroy(e->bias);
	dnnl_memory_destroy(e->scratch);
	for (unsigned int i = 0; i < T1_PRIM_MEMS; i++)
		dnnl_memory_destroy(e->m[i]);
	dnnl_primitive_destroy(e->prim);
	memset(e, 0, sizeof(*e));
}

static void thread_free(void *p)
{
	struct mm_thread *t = p;

	for (unsigned int i = 0; i < MM_CACHE; i++)
		entry_free(&t->e[i]);
	dnnl_memory_destroy(t->reo_src);
	dnnl_memory_destroy(t->reo_dst);
	dnnl_primitive_destroy(t->reo);
	free(t->pack);
	if (t->stream)
		dnnl_stream_destroy(t->stream);
	free(t->scratch);
	free(t);
}

static void engine_init(void)
{
	if (pthread_key_create(&thread_key, thread_free))
		abort();
	engine_status = dnnl_engine_create(&engine, dnnl_cpu, 0);
}

void t1_mm_set_threads(unsigned int n)
{
	atomic_store(&total_threads, n);
}

unsigned int t1_mm_threads(void)
{
	unsigned int n = atomic_load(&total_threads);
	long np;

	if (n)
		return n;
	np = sysconf(_SC_NPROCESSORS_ONLN);
	return np > 0 ? (unsigned int)np : 1;
}

void t1_mm_busy(int delta)
{
	atomic_fetch_add(&busy_engines, delta);
}

unsigned int t1_mm_share(void)
{
	int busy = atomic_load(&busy_engines);
	unsigned int n = t1_mm_threads();

	if (busy > 1)
		n /= (unsigned int)busy;
	return n ? n : 1;
}

/*
 * libgomp's idle threads spin before they sleep (OMP_WAIT_POLICY unset:
 * GOMP_SPINCOUNT 300000 polls, a few ms, after every parallel region),
 * and each engine thread has its own team.  On a host whose cores are
 * also QEMU's (its vCPUs, its I/O thread), spinning workers take the
 * cores the other threads need: with QEMU busy on one of two cores, an
 * fp32 GEMM ran at 55 GFLOP/s spinning and 130 passive (issue 12).  So
 * the emulator runs with OMP_WAIT_POLICY=passive (Documentation/
 * emulator.rst, "Speed", gives the measurements).  libgomp reads the
 * variable in its constructor, before main(), and has no call to change
 * it later: hence the exec.
 */
void t1_mm_wait_policy(char **argv)
{
	if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT"))
		return;
	if (setenv("OMP_WAIT_POLICY", "passive", 1))
		return;
	execv("/proc/self/exe", argv);
	fprintf(stderr, "%s: cannot exec /proc/self/exe (%s): OpenMP threads "
		"keep spinning when idle\n", argv[0], strerror(errno));
}

/*
 * Calls this small run on the calling thread alone: a parallel region
 * costs more than it saves there (measured on a quiet host: a GEMM of
 * 8 x 128 x 128 took 2.4 us on one thread and 5.9 us on two, an
 * ELEMENTWISE of 1024 elements 0.5 us and 4.1 us, SOFTMAX of 8 x 128
 * 2.3 and 4.2 us; under QEMU, whose vCPUs want the same cores, waking
 * the second thread costs more), and the transformer demo's commands
 * are all this small.  Below about 2^22 multiply-accumulates a GEMM
 * takes some 30 us on one thread.
 */
#define SERIAL_MACS	(1ull << 22)
#define SERIAL_ELEMS	(1ull << 14)

/* Threads for a call of @work units (MACs, or elements), at most @serial one. */
static unsigned int threads_for(uint64_t work, uint64_t serial)
{
	return work < serial ? 1 : t1_mm_share();
}

static uint64_t mm_work(const struct t1_mm *p)
{
	return (uint64_t)p->m * p->n * p->k;
}

/*
 * Buffers the library's kernels read and write: page-aligned.  A packed
 * B from malloc (16-byte aligned) split the AMX kernels' tile loads
 * across cache lines: int8 1024^3 on one thread ran at 0.55x of oneDNN
 * direct with it, 1.05x with it aligned.
 */
static void *page_alloc(size_t size)
{
	return aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
}

static struct mm_thread *this_thread(void)
{
	struct mm_thread *t;

	pthread_once(&engine_once, engine_init);
	if (engine_status != dnnl_success)
		return NULL;
	t = pthread_getspecific(thread_key);
	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (dnnl_stream_create(&t->stream, engine, dnnl_stream_default_flags) ||
	    pthread_setspecific(thread_key, t)) {
		if (t->stream)
			dnnl_stream_destroy(t->stream);
		free(t);
		return NULL;
	}
	return t;
}

static dnnl_data_type_t dnnl_type(uint32_t t)
{
	switch (t) {
	case T1_MM_BF16:	return dnnl_bf16;
	case T1_MM_S8:		return dnnl_s8;
	case T1_MM_S32:		return dnnl_s32;
	case T1_MM_F16:		return dnnl_f16;
	default:		return dnnl_f32;
	}
}

/* A rows x cols row-major matrix with leading dimension @ld (or its transpose). */
static dnnl_status_t mat_md(dnnl_memory_desc_t *md, uint32_t rows,
			    uint32_t cols, uint32_t ld, bool trans,
			    dnnl_data_type_t dt)
{
	dnnl_dims_t dims = { rows, cols };
	dnnl_dims_t strides = { trans ? 1 : ld, trans ? ld : 1 };

	return dnnl_memory_desc_init_by_strides(md, 2, dims, dt, strides);
}

static dnnl_status_t make_attr(const struct t1_mm *p, dnnl_primitive_attr_t attr,
			       const dnnl_memory_desc_t *bias_md)
{
	dnnl_post_ops_t po = NULL;
	dnnl_status_t s;

	s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
	if (!s && p->alpha != 1.0f)
		s = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &p->alpha);
	if (s || (p->beta == 0.0f && !p->bias && p->act == TESSERA_ACT_NONE))
		return s;
	s = dnnl_post_ops_create(&po);
	if (s)
		return s;
	/* act(alpha * AB + beta * C + bias), in this order, in fp32. */
	if (p->beta != 0.0f)
		s = dnnl_post_ops_append_sum(po, p->beta);
	if (!s && p->bias)
		s = dnnl_post_ops_append_binary(po, dnnl_binary_add, bias_md);
	if (!s && p->act == TESSERA_ACT_RELU)
		s = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu,
						 0.0f, 0.0f);
	if (!s && p->act == TESSERA_ACT_GELU)
		s = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_gelu_erf,
						 0.0f, 0.0f);
	if (!s)
		s = dnnl_primitive_attr_set_post_ops(attr, po);
	dnnl_post_ops_destroy(po);
	return s;
}

static dnnl_status_t mm_make(struct mm_entry *e, const struct mm_key *key)
{
	const struct t1_mm *p = &key->mm;
	dnnl_memory_desc_t amd, bmd, cmd, biasmd;
	const dnnl_memory_desc_t *smd;
	dnnl_primitive_attr_t attr = NULL;
	dnnl_primitive_desc_t pd = NULL;
	dnnl_matmul_desc_t desc;
	dnnl_dims_t bias_dims = { 1, p->n }, bdims = { p->k, p->n };
	const char *impl = NULL;
	dnnl_status_t s;

	s = mat_md(&amd, p->m, p->k, p->lda, p->trans_a, dnnl_type(p->ab));
	if (!s && p->packed_b)
		s = dnnl_memory_desc_init_by_tag(&bmd, 2, bdims, dnnl_type(p->ab),
						 dnnl_format_tag_any);
	else if (!s)
		s = mat_md(&bmd, p->k, p->n, p->ldb, p->trans_b, dnnl_type(p->ab));
	if (!s)
		s = mat_md(&cmd, p->m, p->n, p->ldc, false, dnnl_type(p->c));
	if (!s)
		s = dnnl_memory_desc_init_by_tag(&biasmd, 2, bias_dims, dnnl_f32,
						 dnnl_ab);
	if (!s)
		s = dnnl_matmul_desc_init(&desc, &amd, &bmd, NULL, &cmd);
	if (!s)
		s = dnnl_primitive_attr_create(&attr);
	if (!s)
		s = make_attr(p, attr, &biasmd);
	if (!s)
		s = dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL);
	if (!s)
		s = dnnl_primitive_create(&e->prim, pd);
	if (!s) {
		smd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
		e->scratch_size = smd ? dnnl_memory_desc_get_size(smd) : 0;
		s = dnnl_memory_create(&e->scratch, smd ? smd : &cmd, engine,
				       DNNL_MEMORY_NONE);
	}
	if (!s) {
		e->wmd = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
		s = dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0,
					      &impl);
	}
	/* the AMX kernels ("brg:avx512_core_amx_int8") store int32 as is */
	if (!s)
		e->exact_s32 = p->c == T1_MM_S32 && strstr(impl, "_amx");
	if (!s)
		s = dnnl_memory_create(&e->a, &amd, engine, DNNL_MEMORY_NONE);
	if (!s)
		s = dnnl_memory_create(&e->b, &e->wmd, engine, DNNL_MEMORY_NONE);
	if (!s)
		s = dnnl_memory_create(&e->c, &cmd, engine, DNNL_MEMORY_NONE);
	if (!s)
		s = dnnl_memory_create(&e->bias, &biasmd, engine, DNNL_MEMORY_NONE);
	if (pd)
		dnnl_primitive_desc_destroy(pd);
	if (attr)
		dnnl_primitive_attr_destroy(attr);
	return s;
}

/* Softmax (src -> dst) or in-place layer normalization over rows. */
static dnnl_status_t rw_make(struct mm_entry *e, const struct mm_key *key)
{
	const struct t1_rw *p = &key->rw;
	dnnl_memory_desc_t smd, dmd, vmd;
	dnnl_dims_t vdims = { p->cols };
	const dnnl_memory_desc_t *scr;
	dnnl_primitive_attr_t attr = NULL;
	dnnl_primitive_desc_t pd = NULL;
	dnnl_layer_normalization_desc_t ld;
	dnnl_softmax_v2_desc_t sd;
	unsigned int flags = 0;
	dnnl_status_t s;

	s = mat_md(&smd, p->rows, p->cols, p->lds, false, dnnl_type(p->type));
	if (!s)
		s = mat_md(&dmd, p->rows, p->cols, p->ldd, false, dnnl_type(p->type));
	if (!s)
		s = dnnl_memory_desc_init_by_tag(&vmd, 1, vdims, dnnl_f32, dnnl_a);
	if (!s)
		s = dnnl_primitive_attr_create(&attr);
	if (!s)
		s = dnnl_primitive_attr_set_scratchpad_mode(attr,
							   dnnl_scratchpad_mode_user);
	if (!s && p->ln) {
		flags = (p->gamma ? dnnl_use_scale : 0) | (p->beta ? dnnl_use_shift : 0);
		s = dnnl_layer_normalization_forward_desc_init(
			&ld, dnnl_forward_inference, &dmd, NULL, p->eps, flags);
		if (!s)
			s = dnnl_primitive_desc_create(&pd, &ld, attr, engine, NULL);
	} else if (!s) {
		s = dnnl_softmax_v2_forward_desc_init(&sd, dnnl_forward_inference,
						      dnnl_softmax_accurate, &smd,
						      &dmd, 1);
		if (!s)
			s = dnnl_primitive_desc_create(&pd, &sd, attr, engine, NULL);
	}
	if (!s)
		s = dnnl_primitive_create(&e->prim, pd);
	if (!s) {
		scr = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
		e->scratch_size = scr ? dnnl_memory_desc_get_size(scr) : 0;
		s = dnnl_memory_create(&e->scratch, scr ? scr : &vmd, engine,
				       DNNL_MEMORY_NONE);
	}
	if (!s)
		s = dnnl_memory_create(&e->a, &smd, engine, DNNL_MEMORY_NONE);
	if (!s)
		s = dnnl_memory_create(&e->c, &dmd, engine, DNNL_MEMORY_NONE);
	if (!s)
		s = dnnl_memory_create(&e->b, &vmd, engine, DNNL_MEMORY_NONE);
	if (!s)
		s = dnnl_memory_create(&e->bias, &vmd, engine, DNNL_MEMORY_NONE);
	if (pd)
		dnnl_primitive_desc_destroy(pd);
	if (attr)
		dnnl_primitive_attr_destroy(attr);
	return s;
}

/* Eltwise, binary or reorder over one dense vector (TESSERA_EW_* op). */
static dnnl_status_t ew_make(struct mm_entry *e, const struct mm_key *key)
{
	const struct t1_ew *p = &key->ew;
	dnnl_memory_desc_t smd, dmd, bmd;
	dnnl_dims_t dims = { p->count }, one = { 1 };
	const dnnl_memory_desc_t *scr;
	dnnl_primitive_attr_t attr = NULL;
	dnnl_primitive_desc_t pd = NULL;
	dnnl_eltwise_desc_t ed;
	dnnl_binary_desc_t bd;
	dnnl_alg_kind_t alg = dnnl_alg_kind_undef;
	bool binary = false;
	dnnl_status_t s;

	switch (p->op) {
	case TESSERA_EW_ADD:	alg = dnnl_binary_add; binary = true; break;
	case TESSERA_EW_MUL:
	case TESSERA_EW_SCALE:	alg = dnnl_binary_mul; binary = true; break;
	case TESSERA_EW_RELU:	alg = dnnl_eltwise_relu; break;
	case TESSERA_EW_GELU:	alg = dnnl_eltwise_gelu_erf; break;
	case TESSERA_EW_EXP:	alg = dnnl_eltwise_exp; break;
	case TESSERA_EW_CAST:	break;
	default:		return dnnl_invalid_arguments;
	}
	s = dnnl_memory_desc_init_by_tag(&smd, 1, dims, dnnl_type(p->src), dnnl_a);
	if (!s)
		s = dnnl_memory_desc_init_by_tag(&dmd, 1, dims, dnnl_type(p->dst), dnnl_a);
	/* SCALE's scalar is a one-element fp32 B that oneDNN broadcasts. */
	if (!s)
		s = dnnl_memory_desc_init_by_tag(&bmd, 1,
						 p->op == TESSERA_EW_SCALE ? one : dims,
						 p->op == TESSERA_EW_SCALE ? dnnl_f32 :
						 dnnl_type(p->src), dnnl_a);
	if (!s)
		s = dnnl_primitive_attr_create(&attr);
	if (!s)
		s = dnnl_primitive_attr_set_scratchpad_mode(attr,
							   dnnl_scratchpad_mode_user);
	if (!s && p->op == TESSERA_EW_CAST) {
		s = dnnl_reorder_primitive_desc_create(&pd, &smd, engine, &dmd,
						       engine, attr);
	} else if (!s && binary) {
		s = dnnl_binary_desc_init(&bd, alg, &smd, &bmd, &dmd);
		if (!s)
			s = dnnl_primitive_desc_create(&pd, &bd, attr, engine, NULL);
	} else if (!s) {
		/* relu's alpha 0: max(x, 0), which maps NaN to 0 here */
		s = dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference,
						   alg, &smd, 0.0f, 0.0f);
		if (!s)
			s = dnnl_primitive_desc_create(&pd, &ed, attr, engine, NULL);
	}
	if (!s)
		s = dnnl_primitive_create(&e->prim, pd);
	if (!s) {
		scr = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
		e->scratch_size = scr ? dnnl_memory_desc_get_size(scr) : 0;
		s = dnnl_memory_create(&e->scratch, scr ? scr : &smd, engine,
				       DNNL_MEMORY_NONE);
	}
	if (!s)
		s = dnnl_memory_create(&e->a, &smd, engine, DNNL_MEMORY_NONE);
	if (!s)
		s = dnnl_memory_create(&e->c, &dmd, engine, DNNL_MEMORY_NONE);
	if (!s)
		s = dnnl_memory_create(&e->b, &bmd, engine, DNNL_MEMORY_NONE);
	if (pd)
		dnnl_primitive_desc_destroy(pd);
	if (attr)
		dnnl_primitive_attr_destroy(attr);
	return s;
}

static dnnl_status_t prim_md(dnnl_memory_desc_t *md, const struct t1_md *m)
{
	dnnl_dims_t dims, strides;

	for (unsigned int i = 0; i < m->ndims; i++) {
		dims[i] = m->dims[i];
		strides[i] = m->strides[i];
	}
	return dnnl_memory_desc_init_by_strides(md, (int)m->ndims, dims,
						dnnl_type(m->type), strides);
}

static dnnl_alg_kind_t elt_alg(uint32_t alg)
{
	switch (alg) {
	case T1_ELT_SWISH:	return dnnl_eltwise_swish;
	case T1_ELT_GELU_ERF:	return dnnl_eltwise_gelu_erf;
	case T1_ELT_LOGISTIC:	return dnnl_eltwise_logistic;
	default:		return dnnl_alg_kind_undef;
	}
}

/* The forward primitive descriptor a backward one is made after. */
static dnnl_status_t prim_hint(const struct t1_prim *p, const dnnl_memory_desc_t *md,
			       dnnl_primitive_desc_t *hint)
{
	dnnl_eltwise_desc_t ed;
	dnnl_softmax_v2_desc_t sd;
	dnnl_status_t s;

	if (p->kind == T1_PK_ELT_BWD) {
		s = dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_training,
						   elt_alg(p->alg), &md[0],
						   p->alpha, 0.0f);
		return s ? s : dnnl_primitive_desc_create(hint, &ed, NULL, engine, NULL);
	}
	/* softmax: the forward's dst is Y (md[0]); its src has Y's shape */
	s = dnnl_softmax_v2_forward_desc_init(&sd, dnnl_forward_training,
					      dnnl_softmax_accurate, &md[0], &md[0],
					      (int)p->md[0].ndims - 1);
	return s ? s : dnnl_primitive_desc_create(hint, &sd, NULL, engine, NULL);
}

/* A T1_PK_* primitive and its memory objects. */
static dnnl_status_t prim_make(struct mm_entry *e, const struct mm_key *key)
{
	const struct t1_prim *p = &key->pr;
	dnnl_memory_desc_t md[T1_PRIM_MEMS];
	const dnnl_memory_desc_t *scr;
	dnnl_primitive_attr_t attr = NULL;
	dnnl_primitive_desc_t pd = NULL, hint = NULL;
	dnnl_post_ops_t po = NULL;
	unsigned int n = p->kind == T1_PK_MATMUL || p->kind == T1_PK_SOFTMAX_BWD ||
			 p->kind == T1_PK_ELT_BWD ? 3 : 2;
	int last = (int)p->md[0].ndims - 1;
	dnnl_status_t s = dnnl_success;
	union {
		dnnl_matmul_desc_t mm;
		dnnl_softmax_v2_desc_t sm;
		dnnl_eltwise_desc_t elt;
	} d;

	for (unsigned int i = 0; !s && i < n; i++)
		s = prim_md(&md[i], &p->md[i]);
	if (!s)
		s = dnnl_primitive_attr_create(&attr);
	if (!s)
		s = dnnl_primitive_attr_set_scratchpad_mode(attr,
							   dnnl_scratchpad_mode_user);
	switch (p->kind) {
	case T1_PK_MATMUL:
		if (!s && p->alpha != 1.0f)
			s = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &p->alpha);
		if (!s && p->beta != 0.0f) {
			s = dnnl_post_ops_create(&po);
			if (!s)
				s = dnnl_post_ops_append_sum(po, p->beta);
			if (!s)
				s = dnnl_primitive_attr_set_post_ops(attr, po);
		}
		if (!s)
			s = dnnl_matmul_desc_init(&d.mm, &md[0], &md[1], NULL, &md[2]);
		break;
	case T1_PK_SOFTMAX:
		if (!s)
			s = dnnl_softmax_v2_forward_desc_init(
				&d.sm, dnnl_forward_inference,
				p->alg ? dnnl_softmax_log : dnnl_softmax_accurate,
				&md[0], &md[1], last);
		break;
	case T1_PK_SOFTMAX_BWD:
		if (!s)
			s = dnnl_softmax_v2_backward_desc_init(&d.sm, dnnl_softmax_accurate,
							       &md[2], &md[1], &md[0],
							       last);
		break;
	case T1_PK_ELT_FWD:
		if (!s)
			s = dnnl_eltwise_forward_desc_init(&d.elt, dnnl_forward_inference,
							   elt_alg(p->alg), &md[0],
							   p->alpha, 0.0f);
		break;
	case T1_PK_ELT_BWD:
		if (!s)
			s = dnnl_eltwise_backward_desc_init(&d.elt, elt_alg(p->alg),
							    &md[2], &md[0], p->alpha,
							    0.0f);
		break;
	default:
		s = dnnl_invalid_arguments;
	}
	if (!s && (p->kind == T1_PK_SOFTMAX_BWD || p->kind == T1_PK_ELT_BWD))
		s = prim_hint(p, md, &hint);
	if (!s)
		s = dnnl_primitive_desc_create(&pd, &d, attr, engine, hint);
	if (!s)
		s = dnnl_primitive_create(&e->prim, pd);
	if (!s) {
		scr = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
		e->scratch_size = scr ? dnnl_memory_desc_get_size(scr) : 0;
		s = dnnl_memory_create(&e->scratch, scr ? scr : &md[0], engine,
				       DNNL_MEMORY_NONE);
	}
	for (unsigned int i = 0; !s && i < n; i++)
		s = dnnl_memory_create(&e->m[i], &md[i], engine, DNNL_MEMORY_NONE);
	if (pd)
		dnnl_primitive_desc_destroy(pd);
	if (hint)
		dnnl_primitive_desc_destroy(hint);
	if (po)
		dnnl_post_ops_destroy(po);
	if (attr)
		dnnl_primitive_attr_destroy(attr);
	return s;
}

static int entry_make(struct mm_entry *e, const struct mm_key *key)
{
	dnnl_status_t s;

	memset(e, 0, sizeof(*e));
	if (key->op == OP_MM)
		s = mm_make(e, key);
	else if (key->op == OP_PRIM)
		s = prim_make(e, key);
	else if (key->op == OP_EW)
		s = ew_make(e, key);
	else
		s = rw_make(e, key);
	e->used = true;
	e->key = *key;
	if (s) {
		/* entry_free() takes NULL handles: oneDNN ignores them. */
		entry_free(e);
		return s == dnnl_out_of_memory ? -ENOMEM : -EINVAL;
	}
	return 0;
}

/* The cached primitive for @key, made (evicting the oldest) if need be. */
static struct mm_entry *entry_get(struct mm_thread *t, const struct mm_key *key,
				  int *err)
{
	struct mm_entry *e, *old = &t->e[0];

	for (unsigned int i = 0; i < MM_CACHE; i++) {
		e = &t->e[i];
		if (e->used && !memcmp(&e->key, key, sizeof(*key))) {
			e->stamp = ++t->clock;
			return e;
		}
		if (!e->used || (old->used && e->stamp < old->stamp))
			old = e;
	}
	entry_free(old);
	*err = entry_make(old, key);
	if (*err)
		return NULL;
	old->stamp = ++t->clock;
	return old;
}

/*
 * Run the cached primitive for @key (made if need be) on these handles;
 * NULL handles are not passed.  @post_op_src1 is the argument index of
 * the binary post-op's second source, or 0.
 */
static int run_key(struct mm_key *key, const void *a, const void *b, void *c,
		   const void *bias, int bias_arg, int b_arg, unsigned int nthr)
{
	struct mm_thread *t = this_thread();
	struct mm_entry *e;
	dnnl_exec_arg_t args[5];
	int n = 0, err = 0;
	dnnl_status_t s;

	if (!t)
		return -ENOMEM;
	key->nthr = nthr;
	omp_set_num_threads((int)key->nthr);
	e = entry_get(t, key, &err);
	if (!e)
		return err;
	if (key->op == OP_MM && key->mm.packed_b) {
		if (!t->pack_valid || !dnnl_memory_desc_equal(&e->wmd, &t->pack_md))
			return -EAGAIN;
		b = t->pack;
	}
	if (e->scratch_size > t->scratch_cap) {
		void *buf = page_alloc(e->scratch_size);

		if (!buf)
			return -ENOMEM;
		free(t->scratch);
		t->scratch = buf;
		t->scratch_cap = e->scratch_size;
	}
	s = dnnl_memory_set_data_handle(e->a, (void *)a);
	if (!s)
		s = dnnl_memory_set_data_handle(e->c, c);
	if (!s && b)
		s = dnnl_memory_set_data_handle(e->b, (void *)b);
	if (!s && bias)
		s = dnnl_memory_set_data_handle(e->bias, (void *)bias);
	if (!s && e->scratch_size)
		s = dnnl_memory_set_data_handle(e->scratch, t->scratch);
	if (s)
		return -EINVAL;
	args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SRC, e->a };
	args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_DST, e->c };
	if (b)
		args[n++] = (dnnl_exec_arg_t){ b_arg, e->b };
	if (bias)
		args[n++] = (dnnl_exec_arg_t){ bias_arg, e->bias };
	if (e->scratch_size)
		args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SCRATCHPAD, e->scratch };
	s = dnnl_primitive_execute(e->prim, t->stream, n, args);
	if (!s)
		s = dnnl_stream_wait(t->stream);
	return s ? -EINVAL : 0;
}

int t1_mm_run(const struct t1_mm *p, const void *a, const void *b, void *c,
	      const float *bias)
{
	struct mm_key key;

	memset(&key, 0, sizeof(key));	/* padding too: the key is memcmp'd */
	key.op = OP_MM;
	key.mm.ab = p->ab;
	key.mm.c = p->c;
	key.mm.act = p->act;
	key.mm.trans_a = p->trans_a;
	/* packed: B's layout is the library's, whatever it was packed from */
	key.mm.trans_b = p->packed_b ? false : p->trans_b;
	key.mm.packed_b = p->packed_b;
	key.mm.bias = p->bias;
	key.mm.m = p->m;
	key.mm.n = p->n;
	key.mm.k = p->k;
	key.mm.lda = p->lda;
	key.mm.ldb = p->packed_b ? 0 : p->ldb;
	key.mm.ldc = p->ldc;
	key.mm.alpha = p->alpha;
	key.mm.beta = p->beta;
	/* the bias is post-op 1 after a sum, else post-op 0 */
	return run_key(&key, a, b, c, p->bias ? bias : NULL,
		       DNNL_ARG_ATTR_MULTIPLE_POST_OP(p->beta != 0.0f ? 1 : 0) |
		       DNNL_ARG_SRC_1, DNNL_ARG_WEIGHTS,
		       threads_for(mm_work(p), SERIAL_MACS));
}

/* The cached entry (primitive) of the GEMM tile @p, made if need be. */
static struct mm_entry *mm_entry_of(struct mm_thread *t, const struct t1_mm *p,
				    int *err)
{
	struct mm_key key;

	memset(&key, 0, sizeof(key));
	key.op = OP_MM;
	key.mm.ab = p->ab;
	key.mm.c = p->c;
	key.mm.act = p->act;
	key.mm.trans_a = p->trans_a;
	key.mm.trans_b = p->packed_b ? false : p->trans_b;
	key.mm.packed_b = p->packed_b;
	key.mm.bias = p->bias;
	key.mm.m = p->m;
	key.mm.n = p->n;
	key.mm.k = p->k;
	key.mm.lda = p->lda;
	key.mm.ldb = p->packed_b ? 0 : p->ldb;
	key.mm.ldc = p->ldc;
	key.mm.alpha = p->alpha;
	key.mm.beta = p->beta;
	key.nthr = threads_for(mm_work(p), SERIAL_MACS);
	omp_set_num_threads((int)key.nthr);
	return entry_get(t, &key, err);
}
/* Room for @size bytes of packed weights (at most @cap) in @t->pack. */
static int pack_reserve(struct mm_thread *t, size_t size, size_t cap)
{
	void *buf;

	if (size > cap)
		return -E2BIG;
	if (size <= t->pack_cap)
		return 0;
	buf = page_alloc(size);
	if (!buf)
		return -ENOMEM;
	free(t->pack);
	t->pack = buf;
	t->pack_cap = size;
	return 0;
}


int t1_mm_sgemm(bool trans_a, bool trans_b, uint32_t m, uint32_t n, uint32_t k, float alpha,
		const float *a, uint32_t lda, const float *b, uint32_t ldb, float beta, float *c,
		uint32_t ldc)
{
	omp_set_num_threads(1);
	return dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b,
			  ldb, beta, c, ldc) == dnnl_success ? 0 : -EINVAL;
}

/*
 * dnnl_sgemm generates its kernels on first use: the first call of each
 * family took 1.3-22 ms on the development host (8 x 128 x 128 NN
 * 21 ms, 8 x 8 x 32 NT 1.3 ms), once per process, against 2-6 us after.
 * A card does not compile anything at its first command, so the compute
 * engines have these generated before they take one (t1_ring_thread()):
 * every transpose pair and beta 0 and 1 at the shapes that pick each
 * kernel family, 25 ms once per process, on zeroed operands.
 */
static void sgemm_warm(void)
{
	static const uint32_t shapes[][3] = { { 16, 16, 16 }, { 8, 8, 8 }, { 4, 4, 4 },
					      { 1, 16, 16 } };
	static float a[256], b[256], c[256];

	for (unsigned int s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
		for (unsigned int t = 0; t < 8; t++)
			t1_mm_sgemm(t & 1, t & 2, shapes[s][0], shapes[s][1], shapes[s][2], 1.0f,
				    a, 16, b, 16, (t & 4) ? 1.0f : 0.0f, c, 16);
}

void t1_mm_warm(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, sgemm_warm);
}

int t1_mm_pack_b(const struct t1_mm *p, const void *b, size_t cap)
{
	struct mm_thread *t = this_thread();
	struct pack_key rk;
	struct mm_entry *e;
	dnnl_primitive_desc_t pd = NULL;
	dnnl_memory_desc_t smd;
	dnnl_exec_arg_t args[2];
	dnnl_status_t s;
	size_t size;
	int err = 0;

	if (!t)
		return -ENOMEM;
	t->pack_valid = false;
	e = mm_entry_of(t, p, &err);
	if (!e)
		return err;
	size = dnnl_memory_desc_get_size(&e->wmd);
	err = pack_reserve(t, size, cap);
	if (err)
		return err;
	memset(&rk, 0, sizeof(rk));
	rk.type = p->ab;
	rk.k = p->k;
	rk.n = p->n;
	rk.ldb = p->ldb;
	rk.trans = p->trans_b;
	rk.nthr = t1_mm_share();
	if (!t->reo || memcmp(&rk, &t->rkey, sizeof(rk)) ||
	    !dnnl_memory_desc_equal(&e->wmd, &t->pack_md)) {
		dnnl_memory_destroy(t->reo_src);
		dnnl_memory_destroy(t->reo_dst);
		dnnl_primitive_destroy(t->reo);
		t->reo = NULL;
		t->reo_src = t->reo_dst = NULL;
		s = mat_md(&smd, p->k, p->n, p->ldb, p->trans_b, dnnl_type(p->ab));
		if (!s)
			s = dnnl_reorder_primitive_desc_create(&pd, &smd, engine,
							       &e->wmd, engine, NULL);
		if (!s)
			s = dnnl_primitive_create(&t->reo, pd);
		if (!s)
			s = dnnl_memory_create(&t->reo_src, &smd, engine,
					       DNNL_MEMORY_NONE);
		if (!s)
			s = dnnl_memory_create(&t->reo_dst, &e->wmd, engine,
					       DNNL_MEMORY_NONE);
		if (pd)
			dnnl_primitive_desc_destroy(pd);
		if (s) {
			dnnl_memory_destroy(t->reo_src);
			dnnl_memory_destroy(t->reo_dst);
			dnnl_primitive_destroy(t->reo);
			t->reo = NULL;
			t->reo_src = t->reo_dst = NULL;
			return s == dnnl_out_of_memory ? -ENOMEM : -EINVAL;
		}
		t->rkey = rk;
		t->pack_md = e->wmd;
	}
	s = dnnl_memory_set_data_handle(t->reo_src, (void *)b);
	if (!s)
		s = dnnl_memory_set_data_handle(t->reo_dst, t->pack);
	args[0] = (dnnl_exec_arg_t){ DNNL_ARG_FROM, t->reo_src };
	args[1] = (dnnl_exec_arg_t){ DNNL_ARG_TO, t->reo_dst };
	if (!s)
		s = dnnl_primitive_execute(t->reo, t->stream, 2, args);
	if (!s)
		s = dnnl_stream_wait(t->stream);
	if (s)
		return -EINVAL;
	t->pack_valid = true;
	return 0;
}

/* The host's ISA, as limited by ONEDNN_MAX_CPU_ISA, includes @isa. */
static bool isa_has(dnnl_cpu_isa_t isa)
{
	return (dnnl_get_effective_cpu_isa() & isa) == isa;
}

int t1_mm_pack_b16(const struct t1_mm *p, const void *b, uint32_t dt,
		   size_t cap)
{
	struct mm_thread *t = this_thread();
	const dnnl_blocking_desc_t *bl;
	struct mm_entry *e;
	size_t size, ldb = p->ldb, kb, nb, ks, ns;
	int err = 0, nthr;

	if (!t)
		return -ENOMEM;
	t->pack_valid = false;
	if (p->trans_b || p->ab != T1_MM_F32)
		return -ENOTSUP;
	e = mm_entry_of(t, p, &err);
	if (!e)
		return err;
	bl = &e->wmd.format_desc.blocking;
	/* (k, n) at k / kb * ks + n / nb * ns + k % kb * nb + n % nb */
	if (e->wmd.format_kind != dnnl_blocked || e->wmd.ndims != 2 ||
	    e->wmd.offset0 || bl->inner_nblks != 2 || bl->inner_idxs[0] != 0 ||
	    bl->inner_idxs[1] != 1)
		return -ENOTSUP;
	kb = (size_t)bl->inner_blks[0];
	nb = (size_t)bl->inner_blks[1];
	ks = (size_t)bl->strides[0];
	ns = (size_t)bl->strides[1];
	size = dnnl_memory_desc_get_size(&e->wmd);
	err = pack_reserve(t, size, cap);
	if (err)
		return err;
	/* the kernels read the padding (to blocks of kb x nb): zeros */
	if (e->wmd.padded_dims[0] != p->k || e->wmd.padded_dims[1] != p->n)
		memset(t->pack, 0, size);
	nthr = (int)t1_mm_share();
	(void)nthr;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nthr) schedule(static) if (nthr > 1)
#endif
	for (size_t k = 0; k < p->k; k++) {
		const uint8_t *row = (const uint8_t *)b + k * ldb * 2;
		float *dst = (float *)t->pack + k / kb * ks + k % kb * nb;

		for (size_t n0 = 0; n0 < p->n; n0 += nb)
			t1_row_to_f32(dst + n0 / nb * ns, row + n0 * 2, dt,
				      p->n - n0 < nb ? p->n - n0 : nb);
	}
	t->pack_md = e->wmd;
	t->pack_valid = true;
	return 0;
}

bool t1_mm_amx(void)
{
	return isa_has(dnnl_cpu_isa_avx512_core_amx);
}

bool t1_mm_bf16(void)
{
	return isa_has(dnnl_cpu_isa_avx512_core);
}

bool t1_mm_s8(void)
{
	return isa_has(dnnl_cpu_isa_avx512_core_vnni) ||
	       isa_has(dnnl_cpu_isa_avx2_vnni);
}

bool t1_mm_exact_s32(const struct t1_mm *p)
{
	struct mm_thread *t = this_thread();
	struct mm_entry *e;
	int err = 0;

	/* no AMX on the host: no primitive made only to be asked */
	if (!t || !t1_mm_amx())
		return false;
	e = mm_entry_of(t, p, &err);
	return e && e->exact_s32;
}

int t1_rw_run(const struct t1_rw *p, const void *src, void *dst,
	      const float *gamma, const float *beta)
{
	struct mm_key key;

	memset(&key, 0, sizeof(key));
	key.op = p->ln ? OP_LN : OP_SOFTMAX;
	key.rw.type = p->type;
	key.rw.ln = p->ln;
	key.rw.gamma = p->gamma;
	key.rw.beta = p->beta;
	key.rw.rows = p->rows;
	key.rw.cols = p->cols;
	key.rw.lds = p->ln ? p->ldd : p->lds;
	key.rw.ldd = p->ldd;
	key.rw.eps = p->ln ? p->eps : 0.0f;
	return run_key(&key, p->ln ? dst : src, p->gamma ? gamma : NULL, dst,
		       p->beta ? beta : NULL, DNNL_ARG_SHIFT, DNNL_ARG_SCALE,
		       threads_for((uint64_t)p->rows * p->cols, SERIAL_ELEMS));
}

int t1_ew_run(const struct t1_ew *p, const void *a, const void *b, void *d)
{
	struct mm_key key;

	memset(&key, 0, sizeof(key));
	key.op = OP_EW;
	key.ew.op = p->op;
	key.ew.src = p->src;
	key.ew.dst = p->dst;
	key.ew.count = p->count;
	return run_key(&key, a, p->op <= TESSERA_EW_SCALE ? b : NULL, d, NULL,
		       0, DNNL_ARG_SRC_1, threads_for(p->count, SERIAL_ELEMS));
}

/* The arguments of each T1_PK_* memory, in t1_prim.md order. */
static const int prim_args[][T1_PRIM_MEMS] = {
	[T1_PK_MATMUL] = { DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST },
	[T1_PK_SOFTMAX] = { DNNL_ARG_SRC, DNNL_ARG_DST },
	[T1_PK_SOFTMAX_BWD] = { DNNL_ARG_DST, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC },
	[T1_PK_ELT_FWD] = { DNNL_ARG_SRC, DNNL_ARG_DST },
	[T1_PK_ELT_BWD] = { DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC },
};

int t1_prim_run(const struct t1_prim *p, void *const *mem)
{
	struct mm_thread *t = this_thread();
	dnnl_exec_arg_t args[T1_PRIM_MEMS + 1];
	struct mm_entry *e;
	struct mm_key key;
	dnnl_status_t s = dnnl_success;
	int n = 0, err = 0;

	if (!t)
		return -ENOMEM;
	if (p->kind < T1_PK_MATMUL || p->kind > T1_PK_ELT_BWD)
		return -EINVAL;
	memset(&key, 0, sizeof(key));
	key.op = OP_PRIM;
	key.pr = *p;
	/*
	 * The non-matmul primitives get units of at most 65536 elements
	 * (tens of us of work): they run on one thread.  A parallel region
	 * costs more than it saves at that size, and far more on a loaded
	 * host: oneDNN's logistic over 65536 fp32 took 29 us on one thread
	 * and 1 ms on two while other processes shared the two cores.
	 */
	key.nthr = p->kind == T1_PK_MATMUL ? t1_mm_share() : 1;
	omp_set_num_threads((int)key.nthr);
	e = entry_get(t, &key, &err);
	if (!e)
		return err;
	if (e->scratch_size > t->scratch_cap) {
		void *buf = page_alloc(e->scratch_size);

		if (!buf)
			return -ENOMEM;
		free(t->scratch);
		t->scratch = buf;
		t->scratch_cap = e->scratch_size;
	}
	for (unsigned int i = 0; i < T1_PRIM_MEMS && e->m[i]; i++) {
		s = dnnl_memory_set_data_handle(e->m[i], mem[i]);
		if (s)
			return -EINVAL;
		args[n++] = (dnnl_exec_arg_t){ prim_args[p->kind][i], e->m[i] };
	}
	if (e->scratch_size) {
		if (dnnl_memory_set_data_handle(e->scratch, t->scratch))
			return -EINVAL;
		args[n++] = (dnnl_exec_arg_t){ DNNL_ARG_SCRATCHPAD, e->scratch };
	}
	s = dnnl_primitive_execute(e->prim, t->stream, n, args);
	if (!s)
		s = dnnl_stream_wait(t->stream);
	return s ? -EINVAL : 0;
}
