// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * T1 command processor: decodes and executes one command buffer in the
 * address space of its descriptor.  Runs on an engine thread with the DMA
 * space held; takes t1->lock only through t1_ring_fence().
 *
 * Every command is checked completely (length, flags, reserved fields,
 * sizes, alignment, address overflow) before it touches memory; a bad
 * one returns TESSERA_ERR_INVALID_CMD with the command's address as the
 * fault VA.  Translation faults come back from the MMU with their VA.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>

#include "t1_cmd.h"
#include "t1_math.h"

int t1_cmd_invalid(const struct cmd *c, const char *why)
{
	t1_guest_error(c->as->t1, "ring %u ASID %u: invalid %s command at "
		       "%#llx (header %#010x)%s%s", c->as->r->idx, c->as->asid,
		       t1_cmd_name(TESSERA_CMD_OPCODE(c->hdr)),
		       (unsigned long long)c->va, c->hdr, why ? ": " : "",
		       why ? why : "");
	c->as->fault->code = TESSERA_ERR_INVALID_CMD;
	c->as->fault->va = c->va;
	c->as->fault->access = TESSERA_ACCESS_FETCH;
	return TESSERA_ERR_INVALID_CMD;
}

/* [a, a + alen) and [b, b + blen) overlap (both non-empty). */
static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * One side of a copy: the host pointer and length of the translated run
 * that starts at @va. Each page is translated once, whatever the other
 * side's layout: re-translating the longer side every time the shorter one
 * crosses a page made a contiguous-to-scattered copy quadratic.
 */
struct copy_cursor {
	uint64_t va;
	uint8_t *p;
	uint64_t avail;
};

static bool cursor_fill(struct t1_as *as, struct copy_cursor *cur,
			uint64_t left, unsigned int acc)
{
	if (cur->avail)
		return true;
	cur->avail = left;
	cur->p = t1_xlate(as, cur->va, &cur->avail, acc);
	return cur->p;
}

static void cursor_advance(struct copy_cursor *cur, uint64_t n)
{
	cur->va += n;
	cur->p += n;
	cur->avail -= n;
}

static int cmd_copy(const struct cmd *c)
{
	uint64_t src = qw(c, 1), dst = qw(c, 3), size = dw(c, 5);
	struct copy_cursor s = { .va = src }, d = { .va = dst };
	struct t1_as *as = c->as;

	if (c->len != TESSERA_CMD_COPY_LEN || TESSERA_CMD_FLAGS(c->hdr) ||
	    src + size < src || dst + size < dst ||
	    (size && overlap(src, size, dst, size)))
		return invalid(c);
	while (size) {
		uint64_t n;

		if (!cursor_fill(as, &s, size, T1_ACC_R) ||
		    !cursor_fill(as, &d, size, T1_ACC_W))
			return as->fault->code;
		n = s.avail < d.avail ? s.avail : d.avail;
		if (n > T1_CHUNK_BYTES)
			n = T1_CHUNK_BYTES;
		/* Distinct VAs may alias: memmove keeps the host safe. */
		memmove(d.p, s.p, n);
		cursor_advance(&s, n);
		cursor_advance(&d, n);
		size -= n;
		if (aborted(c))
			return -ECANCELED;
	}
	return 0;
}

static int cmd_fill(const struct cmd *c)
{
	uint64_t dst = qw(c, 1), size = dw(c, 3);
	uint32_t pat = htole32(dw(c, 4));
	struct t1_as *as = c->as;

	if (c->len != TESSERA_CMD_FILL_LEN || TESSERA_CMD_FLAGS(c->hdr) ||
	    dst % 4 || size % 4 || dst + size < dst)
		return invalid(c);
	while (size) {
		uint64_t n = size < T1_CHUNK_BYTES ? size : T1_CHUNK_BYTES;
		uint8_t *d;

		if (aborted(c))
			return -ECANCELED;
		d = t1_xlate(as, dst, &n, T1_ACC_W);
		if (!d)
			return as->fault->code;
		/* Pages are 4 KiB, dst is 4-aligned: n is a multiple of 4. */
		if (!pat) {
			memset(d, 0, n);
		} else {
			for (uint64_t i = 0; i + 4 <= n; i += 4)
				memcpy(d + i, &pat, 4);
		}
		dst += n;
		size -= n;
	}
	return 0;
}

static int cmd_timestamp(const struct cmd *c)
{
	uint64_t addr = qw(c, 2), ts;

	if (c->len != TESSERA_CMD_TIMESTAMP_LEN ||
	    TESSERA_CMD_FLAGS(c->hdr) || dw(c, 1) || addr % 8)
		return invalid(c);
	ts = htole64(t1_now_ns(c->as->t1));
	return t1_as_write(c->as, addr, &ts, sizeof(ts));
}

/* A SIGNAL or ADD happened: wake the engines asleep in a WAIT. */
static void sem_kick(struct t1 *t1)
{
	if (!atomic_load(&t1->sem_waiters))
		return;
	pthread_mutex_lock(&t1->sem_lock);
	t1->sem_seq++;
	pthread_cond_broadcast(&t1->sem_cond);
	pthread_mutex_unlock(&t1->sem_lock);
}

/*
 * Sleep until an engine's SIGNAL or ADD after @seq, or @us microseconds
 * (a write by the CPU or a peer, or an abort, is seen at the timeout).
 */
static void sem_sleep(struct t1 *t1, uint64_t seq, unsigned int us)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)us * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&t1->sem_lock);
	if (t1->sem_seq == seq)
		pthread_cond_timedwait(&t1->sem_cond, &t1->sem_lock, &ts);
	pthread_mutex_unlock(&t1->sem_lock);
}

static uint64_t sem_seq(struct t1 *t1)
{
	uint64_t seq;

	pthread_mutex_lock(&t1->sem_lock);
	seq = t1->sem_seq;
	pthread_mutex_unlock(&t1->sem_lock);
	return seq;
}

/*
 * WAIT polls: a few times at once (yielding), then asleep between polls,
 * woken by another engine's SIGNAL/ADD at once and otherwise after 20 us,
 * doubling to 1 ms (a wait for the CPU's write, or the watchdog).  The
 * poll every 20 us it replaced kept a host core a third busy for as long
 * as an engine waited, on a host whose cores the other engines need.
 */
#define SEM_SPINS	16
#define SEM_SLEEP_US	20u
#define SEM_SLEEP_MAX_US 1000u

static int cmd_semaphore(const struct cmd *c)
{
	uint32_t op = TESSERA_CMD_FLAGS(c->hdr), value = dw(c, 3);
	uint64_t addr = qw(c, 1);
	struct t1_as *as = c->as;
	struct t1 *t1 = as->t1;
	unsigned int spins = 0, us = SEM_SLEEP_US;
	bool waiting = false;
	uint64_t seq = 0;
	int ret;

	if (c->len != TESSERA_CMD_SEM_LEN || op > TESSERA_SEM_ADD ||
	    dw(c, 4) || addr % 4)
		return invalid(c);
	for (;;) {
		uint64_t n = 4;
		uint32_t *p = (uint32_t *)t1_xlate(as, addr, &n,
			op == TESSERA_SEM_WAIT ? T1_ACC_R : T1_ACC_R | T1_ACC_W);

		if (!p) {
			ret = as->fault->code;
			break;
		}
		switch (op) {
		case TESSERA_SEM_SIGNAL:
			/* seq_cst: ordered before sem_kick()'s look at the waiters */
			__atomic_store_n(p, htole32(value), __ATOMIC_SEQ_CST);
			sem_kick(t1);
			return 0;
		case TESSERA_SEM_ADD:
			/* Little-endian host: the add is on the LE value. */
			__atomic_fetch_add(p, value, __ATOMIC_SEQ_CST);
			sem_kick(t1);
			return 0;
		default:
			if ((int32_t)(le32toh(__atomic_load_n(p, __ATOMIC_ACQUIRE)) -
				      value) >= 0) {
				ret = 0;
				goto out;
			}
		}
		if (aborted(c)) {
			ret = -ECANCELED;
			break;
		}
		if (++spins < SEM_SPINS) {
			sched_yield();
			continue;
		}
		/*
		 * Asleep: counted as a waiter from before the poll that found
		 * the value short, so that a SIGNAL after that poll kicks.
		 */
		if (!waiting) {
			atomic_fetch_add(&t1->sem_waiters, 1);
			waiting = true;
			seq = sem_seq(t1);
			continue;	/* poll once more, now counted */
		}
		/*
		 * Wait without holding the DMA space, so that the client's
		 * DMA_UNMAP (and engines behind it) can make progress; the
		 * address is translated again after the wait.
		 */
		t1->ops.dma_release(t1->ops.opaque);
		sem_sleep(t1, seq, us);
		t1->ops.dma_hold(t1->ops.opaque);
		seq = sem_seq(t1);
		us = us * 2 > SEM_SLEEP_MAX_US ? SEM_SLEEP_MAX_US : us * 2;
	}
out:
	if (waiting)
		atomic_fetch_sub(&t1->sem_waiters, 1);
	return ret;
}

_Static_assert(TESSERA_HW_CMD_NOP1 ==
	       TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, 1),
	       "the kernel's NOP is the encoding's");

static int cmd_fence(const struct cmd *c)
{
	if (c->len != TESSERA_CMD_FENCE_LEN ||
	    (TESSERA_CMD_FLAGS(c->hdr) & ~TESSERA_CMD_FENCE_IRQ) || dw(c, 1))
		return invalid(c);
	/* The fence address belongs to the kernel: context 0 only. */
	if (c->as->asid)
		return invalid(c);
	return t1_ring_fence(c->as->r, qw(c, 2),
			     TESSERA_CMD_FLAGS(c->hdr) & TESSERA_CMD_FENCE_IRQ,
			     c->as->fault);
}

static int cmd_gemm(const struct cmd *c)
{
	uint32_t flags = TESSERA_CMD_FLAGS(c->hdr);
	struct t1_gemm g = {
		.dtype = dw(c, 1) & 0xff, .act = (dw(c, 1) >> 8) & 0xff,
		.trans_a = flags & TESSERA_GEMM_TRANS_A,
		.trans_b = flags & TESSERA_GEMM_TRANS_B,
		.bias = flags & TESSERA_GEMM_BIAS,
		.m = dw(c, 2), .n = dw(c, 3), .k = dw(c, 4),
		.lda = dw(c, 7), .ldb = dw(c, 10), .ldc = dw(c, 13),
		.alpha = fw(c, 14), .beta = fw(c, 15),
	};
	uint64_t a = qw(c, 5), b = qw(c, 8), cc = qw(c, 11), bias = qw(c, 16);
	unsigned int es, ces;
	int ret;

	es = t1_dtype_size(g.dtype);
	ces = g.dtype == TESSERA_DTYPE_INT8 ? 4 : es;
	if (c->len != TESSERA_CMD_GEMM_LEN || !compute_engine(c) ||
	    (flags & ~(TESSERA_GEMM_TRANS_A | TESSERA_GEMM_TRANS_B |
		       TESSERA_GEMM_BIAS)) ||
	    (dw(c, 1) >> 16) || g.dtype == TESSERA_DTYPE_INT32 || !es ||
	    g.act > TESSERA_ACT_GELU ||
	    !mat_ok(a, g.trans_a ? g.k : g.m, g.trans_a ? g.m : g.k, g.lda, es) ||
	    !mat_ok(b, g.trans_b ? g.n : g.k, g.trans_b ? g.k : g.n, g.ldb, es) ||
	    !mat_ok(cc, g.m, g.n, g.ldc, ces) ||
	    (g.bias ? !mat_ok(bias, 1, g.n, g.n, ces) : bias != 0) ||
	    !isfinite(g.alpha) || !isfinite(g.beta))
		return invalid(c);
	if (g.dtype == TESSERA_DTYPE_INT8 &&
	    (g.alpha != 1.0f || (g.beta != 0.0f && g.beta != 1.0f) ||
	     g.act == TESSERA_ACT_GELU))
		return invalid(c);

	ret = t1_gemm_cmd(c->as, &g, a, b, cc, g.bias ? bias : 0);
	return ret == -ENOMEM || ret == -EINVAL ? invalid(c) : ret;
}

static bool ew_types_ok(uint32_t op, uint32_t s, uint32_t d)
{
	bool sf = s <= TESSERA_DTYPE_BF16, df = d <= TESSERA_DTYPE_BF16;

	if (op == TESSERA_EW_CAST)
		return t1_dtype_size(s) && t1_dtype_size(d);
	return s == d && sf && df;
}

static int cmd_elementwise(const struct cmd *c)
{
	uint32_t op = TESSERA_CMD_FLAGS(c->hdr);
	uint32_t sdt = dw(c, 1) & 0xff, ddt = (dw(c, 1) >> 8) & 0xff;
	uint32_t count = dw(c, 2);
	uint64_t a = qw(c, 3), b = qw(c, 5), d = qw(c, 7);
	bool binary = op == TESSERA_EW_ADD || op == TESSERA_EW_MUL;
	unsigned int ses = t1_dtype_size(sdt), des = t1_dtype_size(ddt);
	struct t1_buf buf[3];
	int ret;

	/* 1.5: the long form, and the training ops in either form */
	if (c->len == TESSERA_CMD_EW2_LEN || op >= TESSERA_EW_SILU)
		return t1_cmd_elementwise2(c);
	if (c->len != TESSERA_CMD_EW_LEN || !compute_engine(c) ||
	    op > TESSERA_EW_CAST || (dw(c, 1) >> 16) ||
	    !ew_types_ok(op, sdt, ddt) || !count ||
	    !mat_ok(a, 1, count, count, ses) ||
	    !mat_ok(d, 1, count, count, des) ||
	    (binary ? !mat_ok(b, 1, count, count, ses) : b != 0) ||
	    (op != TESSERA_EW_SCALE && dw(c, 9)))
		return invalid(c);

	memset(buf, 0, sizeof(buf));
	ret = t1_buf_get(c->as, &buf[0], a, (uint64_t)count * ses, T1_ACC_R);
	if (!ret && binary)
		ret = t1_buf_get(c->as, &buf[1], b, (uint64_t)count * ses,
				 T1_ACC_R);
	if (!ret)
		ret = t1_buf_get(c->as, &buf[2], d, (uint64_t)count * des,
				 T1_ACC_W);
	/* At most 65536 elements (T1_MAX_DIM): one chunk of work. */
	if (!ret && t1_elementwise(op, sdt, ddt, count, buf[0].p, buf[1].p,
				   buf[2].p, fw(c, 9)))
		ret = invalid(c);
	return put_all(c->as, buf, 3, ret);
}

/* SOFTMAX and LAYERNORM share their operand layout. */
static int cmd_rowwise(const struct cmd *c, bool ln)
{
	uint32_t flags = TESSERA_CMD_FLAGS(c->hdr), dt = dw(c, 1);
	uint32_t rows = dw(c, 2), cols = dw(c, 3), lds = dw(c, 6);
	uint32_t ldd = dw(c, 9);
	uint64_t src = qw(c, 4), dst = qw(c, 7), gamma = 0, beta = 0;
	unsigned int es = t1_dtype_size(dt);
	float eps = 0.0f;
	int ret;

	if (ln) {
		gamma = qw(c, 10);
		beta = qw(c, 12);
		eps = fw(c, 14);
	}
	if (c->len != (ln ? TESSERA_CMD_LN_LEN : TESSERA_CMD_SOFTMAX_LEN) ||
	    !compute_engine(c) ||
	    (flags & ~(ln ? TESSERA_LN_GAMMA | TESSERA_LN_BETA : 0)) ||
	    dt > TESSERA_DTYPE_BF16 ||
	    !mat_ok(src, rows, cols, lds, es) ||
	    !mat_ok(dst, rows, cols, ldd, es) ||
	    ((flags & TESSERA_LN_GAMMA) ? !mat_ok(gamma, 1, cols, cols, es) :
					 gamma != 0) ||
	    ((flags & TESSERA_LN_BETA) ? !mat_ok(beta, 1, cols, cols, es) :
					beta != 0) ||
	    (ln && !(eps >= 0.0f && isfinite(eps))))
		return invalid(c);

	{
		struct t1_rows p = {
			.ln = ln, .dt = dt, .rows = rows, .cols = cols,
			.lds = lds, .ldd = ldd, .eps = eps,
		};

		ret = t1_rows_cmd(c->as, &p, src, dst, gamma, beta);
	}
	return ret == -ENOMEM || ret == -EINVAL ? invalid(c) : ret;
}

static int exec_one(const struct cmd *c)
{
	switch (TESSERA_CMD_OPCODE(c->hdr)) {
	case TESSERA_CMD_OP_NOP:
		return TESSERA_CMD_FLAGS(c->hdr) ? invalid(c) : 0;
	case TESSERA_CMD_OP_FENCE:	return cmd_fence(c);
	case TESSERA_CMD_OP_COPY:	return cmd_copy(c);
	case TESSERA_CMD_OP_FILL:	return cmd_fill(c);
	case TESSERA_CMD_OP_TIMESTAMP:	return cmd_timestamp(c);
	case TESSERA_CMD_OP_SEMAPHORE:	return cmd_semaphore(c);
	case TESSERA_CMD_OP_GEMM:	return cmd_gemm(c);
	case TESSERA_CMD_OP_ELEMENTWISE: return cmd_elementwise(c);
	case TESSERA_CMD_OP_SOFTMAX:
		if (TESSERA_CMD_FLAGS(c->hdr) & TESSERA_SOFTMAX_CAUSAL)
			return t1_cmd_softmax_causal(c);
		return cmd_rowwise(c, false);
	case TESSERA_CMD_OP_LAYERNORM:	return cmd_rowwise(c, true);
	case TESSERA_CMD_OP_BGEMM:	return t1_cmd_bgemm(c);
	case TESSERA_CMD_OP_SOFTMAX_BWD: return t1_cmd_softmax_bwd(c);
	case TESSERA_CMD_OP_EMBEDDING:	return t1_cmd_embedding(c);
	case TESSERA_CMD_OP_RMSNORM:	return t1_cmd_rmsnorm(c);
	case TESSERA_CMD_OP_RMSNORM_BWD: return t1_cmd_rmsnorm_bwd(c);
	case TESSERA_CMD_OP_ROPE:	return t1_cmd_rope(c);
	case TESSERA_CMD_OP_CROSS_ENTROPY: return t1_cmd_cross_entropy(c);
	case TESSERA_CMD_OP_REDUCE:	return t1_cmd_reduce(c);
	case TESSERA_CMD_OP_ADAMW:	return t1_cmd_adamw(c);
	default:			return invalid(c);
	}
}

int t1_exec_cmds(struct t1_as *as, const uint32_t *buf, uint32_t ndw,
		 uint64_t cmd_va)
{
	const uint8_t *p = (const uint8_t *)buf;
	uint32_t len;

	for (uint32_t i = 0; i < ndw; i += len) {
		struct cmd c = {
			.as = as,
			.p = p + 4ull * i,
			.hdr = get_le32(p + 4ull * i),
			.va = cmd_va + 4ull * i,
		};
		int ret;

		if (atomic_load(&as->r->abort))
			return -ECANCELED;
		len = c.len = TESSERA_CMD_LEN(c.hdr);
		if (!len || len > ndw - i)
			return invalid(&c);
		ret = exec_one(&c);
		if (ret)
			return ret;
	}
	return 0;
}
