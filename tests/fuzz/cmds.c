// SPDX-License-Identifier: GPL-2.0-only
/*
 * tessera-fuzz: random but plausible command streams.
 *
 * Most commands are valid by Documentation/hw/programming-guide.rst
 * (lengths, flags, reserved fields, alignment, ranges inside the file's
 * own buffers, compute commands only on compute engines), so that jobs
 * run and reach the engines' deep paths.  A hostile stream also carries a
 * bad command somewhere (a FENCE, which only the kernel may use; unknown
 * opcodes; wrong lengths; non-zero flags or reserved fields; misaligned,
 * wrapping, unmapped, foreign or non-canonical addresses; bad GEMM
 * shapes), after which the job must fail and only its context be marked.
 *
 * The valid commands are encoded by libaccel's encoders, so that libaccel
 * and the fuzzer cannot drift apart on an encoding; a command the fuzzer
 * means to be valid that libaccel refuses is a bug in one of them, and
 * stops the fuzzer.  The bad commands are its own.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <accel/accel.h>
#include <accel/tessera_cmd.h>

#include "fuzz.h"

static void note(struct stream *s, const char *what)
{
	size_t len = strlen(s->summary);

	if (len + strlen(what) + 2 < sizeof(s->summary))
		snprintf(s->summary + len, sizeof(s->summary) - len, "%s%s", len ? " " : "",
			 what);
}

static bool room(const struct stream *s, uint32_t n)
{
	return s->ndw + n <= s->max;
}

static void put(struct stream *s, const uint32_t *dw, uint32_t n)
{
	memcpy(s->dw + s->ndw, dw, n * sizeof(uint32_t));
	s->ndw += n;
}

/*
 * Take in what a libaccel encoder wrote at the end of @s: @n dwords, or a
 * negative errno.  False if there was no room; any other refusal is a bug
 * (the fuzzer meant the command to be valid) and ends the fuzzer.
 */
static bool put_enc(struct stream *s, int n, const char *what)
{
	if (n == -ENOSPC)
		return false;
	if (n <= 0) {
		fprintf(stderr, "tessera-fuzz: libaccel refuses a valid %s: %d\n",
			what ? what : "command", n);
		abort();
	}
	s->ndw += (uint32_t)n;
	if (what)
		note(s, what);
	return true;
}

/* Where an encoder writes the next command, and how much room it has. */
#define ENC_AT(s) ((s)->dw + (s)->ndw), ((s)->max - (s)->ndw)

static void lohi(uint32_t *dw, uint64_t v)
{
	dw[0] = (uint32_t)v;
	dw[1] = (uint32_t)(v >> 32);
}

/*
 * An address for @bytes bytes aligned to @align inside a random operand
 * large enough and bound for the access (READ to read, READ | WRITE to
 * write); false if there is none.  Marks the operand written.
 */
static bool place(struct rng *r, struct stream *s, uint64_t bytes, unsigned int align,
		  bool write, uint64_t *va, int *which)
{
	int fit[MAX_OPERANDS], n = 0, o;
	uint64_t slots;

	for (o = 0; o < s->nops; o++)
		/* a write needs READ too: GEMM's beta, SEM-ADD and in-place ops read it */
		if (s->ops[o].size >= bytes + align && s->ops[o].r && (!write || s->ops[o].w))
			fit[n++] = o;
	if (!n)
		return false;
	o = fit[below(r, n)];
	slots = (s->ops[o].size - bytes) / align;
	*va = s->ops[o].va + below(r, slots + 1) * align;
	/* the operand's VA itself is page aligned, so *va is aligned */
	if (write)
		s->ops[o].written = true;
	s->ops[o].used = true;
	if (which)
		*which = o;
	return true;
}

/* A size in [lo, hi], mostly small. */
static uint64_t small(struct rng *r, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	if (chance(r, 70))
		return range(r, lo, lo + (hi - lo) / 16);
	return range(r, lo, hi);
}

/* ------------------------------------------------------------------ */
/* Valid commands */

static bool emit_nop(struct rng *r, struct stream *s)
{
	uint32_t dw[8], len = range(r, 1, 8);

	dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, len);
	for (uint32_t i = 1; i < len; i++)
		dw[i] = (uint32_t)rnd(r);
	put(s, dw, len);
	note(s, "NOP");
	return true;
}

static uint64_t max_op(const struct stream *s)
{
	uint64_t m = 0;

	for (int o = 0; o < s->nops; o++)
		if (s->ops[o].size > m)
			m = s->ops[o].size;
	return m;
}

static bool emit_fill(struct rng *r, struct stream *s)
{
	uint64_t maxb = max_op(s), bytes, va;

	if (maxb < 8)
		return false;
	bytes = 4 * small(r, 1, (maxb - 4) / 4 < 65536 ? (maxb - 4) / 4 : 65536);
	if (!place(r, s, bytes, 4, true, &va, NULL))
		return false;
	return put_enc(s, accel_encode_fill(ENC_AT(s), va, (uint32_t)bytes, (uint32_t)rnd(r)),
		       "FILL");
}

static bool emit_copy(struct rng *r, struct stream *s)
{
	uint64_t maxb = max_op(s), bytes, src, dst;
	int tries;

	if (maxb < 4)
		return false;
	for (tries = 0; tries < 8; tries++) {
		bytes = small(r, 1, maxb / 2 < 262144 ? maxb / 2 : 262144);
		if (!place(r, s, bytes, 1, false, &src, NULL) ||
		    !place(r, s, bytes, 1, true, &dst, NULL))
			continue;
		if (src < dst + bytes && dst < src + bytes)
			continue;	/* overlapping ranges are invalid */
		return put_enc(s, accel_encode_copy(ENC_AT(s), src, dst, (uint32_t)bytes), "COPY");
	}
	return false;
}

static bool emit_timestamp(struct rng *r, struct stream *s)
{
	uint64_t va;

	if (!place(r, s, 8, 8, true, &va, NULL))
		return false;
	return put_enc(s, accel_encode_timestamp(ENC_AT(s), va), "TIMESTAMP");
}

/* A SEMAPHORE as the fuzzer means it, valid or not (bad op or address). */
static void raw_sem(struct stream *s, uint32_t op, uint64_t va, uint32_t value)
{
	uint32_t dw[TESSERA_CMD_SEM_LEN] = {
		TESSERA_CMD_HEADER(TESSERA_CMD_OP_SEMAPHORE, op, TESSERA_CMD_SEM_LEN),
		(uint32_t)va, (uint32_t)(va >> 32), value, 0,
	};

	put(s, dw, TESSERA_CMD_SEM_LEN);
}

/* A valid SEMAPHORE, through libaccel. */
static bool sem(struct stream *s, enum accel_sem_op op, uint64_t va, uint32_t value,
		const char *what)
{
	return put_enc(s, accel_encode_semaphore(ENC_AT(s), op, va, value), what);
}

/*
 * Semaphores live in slots only this thread's jobs use, with values that
 * only grow, so a wait right after the signal always holds, even with
 * this thread's other jobs running on other engines.
 */
static bool emit_semaphore(struct rng *r, struct stream *s)
{
	uint64_t va;
	uint32_t v;

	switch (below(r, 3)) {
	case 0:
		if (!room(s, 2 * TESSERA_CMD_SEM_LEN))
			return false;
		v = ++*s->sem_seq;
		va = s->sem_va + 4 * (v % SEM_SLOTS);
		/* room for both was checked */
		return sem(s, ACCEL_SEM_SIGNAL, va, v, "SEM-SIGNAL-WAIT") &&
		       sem(s, ACCEL_SEM_WAIT, va, v, NULL);
	case 1:
		v = ++*s->sem_seq;
		return sem(s, ACCEL_SEM_SIGNAL, s->sem_va + 4 * (v % SEM_SLOTS), v, "SEM-SIGNAL");
	default:
		if (!place(r, s, 4, 4, true, &va, NULL))
			return false;
		return sem(s, ACCEL_SEM_ADD, va, (uint32_t)rnd(r), "SEM-ADD");
	}
}

static uint64_t span(uint32_t rows, uint32_t cols, uint32_t ld, unsigned int es)
{
	return ((uint64_t)(rows - 1) * ld + cols) * es;
}

static float finite_scalar(struct rng *r)
{
	static const float v[] = { 0.0f, 1.0f, 0.5f, -1.0f, 2.0f, -0.25f, 1e-3f, 3.0f };

	return v[below(r, sizeof(v) / sizeof(v[0]))];
}

static bool emit_gemm(struct rng *r, struct stream *s)
{
	static const uint32_t dts[] = { TESSERA_DTYPE_FP32, TESSERA_DTYPE_FP16,
					TESSERA_DTYPE_BF16, TESSERA_DTYPE_INT8 };
	uint32_t dt = dts[below(r, 4)], flags = below(r, 8), act;
	uint32_t m = range(r, 1, chance(r, 90) ? 8 : 48);
	uint32_t n = range(r, 1, chance(r, 90) ? 8 : 48);
	uint32_t k = range(r, 1, chance(r, 90) ? 8 : 48);
	unsigned int es = tessera_dtype_size(dt), ces = dt == TESSERA_DTYPE_INT8 ? 4 : es;
	uint32_t arows = flags & TESSERA_GEMM_TRANS_A ? k : m;
	uint32_t acols = flags & TESSERA_GEMM_TRANS_A ? m : k;
	uint32_t brows = flags & TESSERA_GEMM_TRANS_B ? n : k;
	uint32_t bcols = flags & TESSERA_GEMM_TRANS_B ? k : n;
	uint32_t lda = acols + (chance(r, 30) ? below(r, 4) : 0);
	uint32_t ldb = bcols + (chance(r, 30) ? below(r, 4) : 0);
	uint32_t ldc = n + (chance(r, 30) ? below(r, 4) : 0);
	uint64_t a, b, c, bias = 0;
	float alpha, beta;

	if (!s->compute)
		return false;
	if (dt == TESSERA_DTYPE_INT8) {
		act = chance(r, 50) ? TESSERA_ACT_RELU : TESSERA_ACT_NONE;
		alpha = 1.0f;
		beta = chance(r, 50) ? 1.0f : 0.0f;
	} else {
		act = below(r, 3);
		alpha = finite_scalar(r);
		beta = finite_scalar(r);
	}
	if (!place(r, s, span(arows, acols, lda, es), es, false, &a, NULL) ||
	    !place(r, s, span(brows, bcols, ldb, es), es, false, &b, NULL) ||
	    !place(r, s, span(m, n, ldc, ces), ces, true, &c, NULL) ||
	    ((flags & TESSERA_GEMM_BIAS) && !place(r, s, (uint64_t)n * ces, ces, false, &bias, NULL)))
		return false;
	return put_enc(s, accel_encode_gemm(ENC_AT(s), &(struct accel_gemm){
			       .size = sizeof(struct accel_gemm), .dtype = dt, .activation = act,
			       .flags = flags, .m = m, .n = n, .k = k, .a = a, .b = b, .c = c,
			       .bias = bias, .lda = lda, .ldb = ldb, .ldc = ldc, .alpha = alpha,
			       .beta = beta }), "GEMM");
}

static bool emit_elementwise(struct rng *r, struct stream *s)
{
	uint32_t op = below(r, 7), sdt, ddt, count = small(r, 1, 1024);
	bool binary = op == TESSERA_EW_ADD || op == TESSERA_EW_MUL;
	uint64_t a, b = 0, d;
	int ao;

	if (!s->compute)
		return false;
	if (op == TESSERA_EW_CAST) {
		sdt = below(r, 5);
		ddt = below(r, 5);
	} else {
		sdt = ddt = below(r, 3);
	}
	if (!place(r, s, (uint64_t)count * tessera_dtype_size(sdt), tessera_dtype_size(sdt), false, &a, &ao) ||
	    (binary && !place(r, s, (uint64_t)count * tessera_dtype_size(sdt), tessera_dtype_size(sdt), false,
			      &b, NULL)))
		return false;
	if (chance(r, 20) && sdt == ddt && s->ops[ao].w) {
		d = a;	/* in place */
		s->ops[ao].written = true;
	} else if (!place(r, s, (uint64_t)count * tessera_dtype_size(ddt), tessera_dtype_size(ddt), true, &d,
			  NULL)) {
		return false;
	}
	return put_enc(s, accel_encode_elementwise(ENC_AT(s), &(struct accel_elementwise){
			       .size = sizeof(struct accel_elementwise), .op = op, .src_dtype = sdt,
			       .dst_dtype = ddt, .count = count, .a = a, .b = b, .d = d,
			       .scalar = op == TESSERA_EW_SCALE ? finite_scalar(r) : 0.0f }),
		       "ELEMENTWISE");
}

static bool emit_rowwise(struct rng *r, struct stream *s, bool ln)
{
	uint32_t dt = below(r, 3), rows = range(r, 1, 8), cols = small(r, 1, 256);
	uint32_t lds = cols + (chance(r, 30) ? below(r, 8) : 0);
	uint32_t ldd = cols + (chance(r, 30) ? below(r, 8) : 0);
	uint32_t flags = ln ? below(r, 4) : 0;
	unsigned int es = tessera_dtype_size(dt);
	uint64_t src, dst, gamma = 0, beta = 0;
	struct accel_rowwise rw;

	if (!s->compute)
		return false;
	if (!place(r, s, span(rows, cols, lds, es), es, false, &src, NULL) ||
	    !place(r, s, span(rows, cols, ldd, es), es, true, &dst, NULL) ||
	    ((flags & TESSERA_LN_GAMMA) && !place(r, s, (uint64_t)cols * es, es, false, &gamma, NULL)) ||
	    ((flags & TESSERA_LN_BETA) && !place(r, s, (uint64_t)cols * es, es, false, &beta, NULL)))
		return false;
	rw = (struct accel_rowwise){
		.size = sizeof(rw), .dtype = dt, .rows = rows, .cols = cols, .src = src,
		.dst = dst, .src_ld = lds, .dst_ld = ldd, .flags = flags, .gamma = gamma,
		.beta = beta,
	};
	if (!ln)
		return put_enc(s, accel_encode_softmax(ENC_AT(s), &rw), "SOFTMAX");
	/* eps >= 0 */
	rw.epsilon = fabsf(chance(r, 50) ? 1e-5f : finite_scalar(r) * finite_scalar(r));
	return put_enc(s, accel_encode_layernorm(ENC_AT(s), &rw), "LAYERNORM");
}

static bool emit_valid(struct rng *r, struct stream *s)
{
	unsigned int w = below(r, s->compute ? 100 : 75);

	if (!room(s, 2 * TESSERA_CMD_GEMM_LEN))
		return false;
	if (w < 12)
		return emit_nop(r, s);
	if (w < 30)
		return emit_fill(r, s) || emit_nop(r, s);
	if (w < 48)
		return emit_copy(r, s) || emit_nop(r, s);
	if (w < 56)
		return emit_timestamp(r, s) || emit_nop(r, s);
	if (w < 75)
		return emit_semaphore(r, s) || emit_nop(r, s);
	if (w < 87)
		return emit_gemm(r, s) || emit_nop(r, s);
	if (w < 93)
		return emit_elementwise(r, s) || emit_nop(r, s);
	if (w < 97)
		return emit_rowwise(r, s, false) || emit_nop(r, s);
	return emit_rowwise(r, s, true) || emit_nop(r, s);
}

/* ------------------------------------------------------------------ */
/* Bad commands */

/* An address the file's context probably does not map as asked. */
static uint64_t bad_va(struct rng *r, const struct stream *s)
{
	const struct operand *o = &s->ops[below(r, s->nops)];

	switch (below(r, 8)) {
	case 7:
		if (s->hole_va)
			return s->hole_va;			/* nothing bound here */
		/* fall through */
	case 0:
		return below(r, 1ull << 48) & ~3ull;		/* anywhere */
	case 1:
		return (1ull << 48) + (below(r, 1 << 20) << 2);	/* non-canonical */
	case 2:
		if (s->nforeign)
			return s->foreign_va[below(r, s->nforeign)];	/* another VM's */
		return 0;
	case 3:
		return o->va + ((o->size + 4095) & ~4095ull);	/* past the end */
	case 4:
		return ~0ull - 3 - (below(r, 64) << 2);		/* wraps */
	case 5:
		return 0;					/* NULL */
	default:
		return o->va - 4096;				/* just below */
	}
}

static void emit_invalid(struct rng *r, struct stream *s)
{
	uint32_t dw[TESSERA_CMD_GEMM_LEN + 8];
	uint32_t n = s->ndw;
	uint64_t va;

	s->bad = true;
	memset(dw, 0, sizeof(dw));
	switch (below(r, 18)) {
	case 16:	/* a write through a binding without WRITE */
	case 17: {	/* a read through one without READ */
		bool wr = below(r, 18) < 9;

		for (int o = 0; o < s->nops; o++)
			if (wr ? !s->ops[o].w : !s->ops[o].r) {
				uint64_t va = s->ops[o].va + 4 * below(r, s->ops[o].size / 4);

				if (wr) {
					dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
					lohi(&dw[1], va);
					dw[3] = 4;
					dw[4] = 0xbadbad;
					put(s, dw, TESSERA_CMD_FILL_LEN);
					note(s, "WRITE-RO!");
				} else {
					dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN);
					lohi(&dw[1], va);
					lohi(&dw[3], s->ops[0].va);
					dw[5] = 4;
					put(s, dw, TESSERA_CMD_COPY_LEN);
					note(s, "READ-WO!");
				}
				return;
			}
		s->bad = false;
		emit_invalid(r, s);
		return;
	}
	case 0:	/* FENCE: the kernel's */
		dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, below(r, 2), TESSERA_CMD_FENCE_LEN);
		lohi(&dw[2], rnd(r));
		put(s, dw, TESSERA_CMD_FENCE_LEN);
		note(s, "FENCE!");
		return;
	case 1: {	/* unknown opcode */
		static const uint8_t ops[] = { 0x06, 0x07, 0x0f, 0x1d, 0x20, 0x7f, 0x80, 0xff };
		uint32_t len = range(r, 1, 8);

		dw[0] = TESSERA_CMD_HEADER(ops[below(r, sizeof(ops))], 0, len);
		put(s, dw, len);
		note(s, "OPCODE!");
		return;
	}
	case 2:	/* length 0 */
		dw[0] = TESSERA_CMD_HEADER(below(r, 6), 0, 0);
		put(s, dw, 1);
		note(s, "LEN0!");
		return;
	case 3:	/* flags on a NOP */
		dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, range(r, 1, 255), 1);
		put(s, dw, 1);
		note(s, "NOPFLAGS!");
		return;
	case 4:	/* a valid command with a wrong length */
		if (!emit_fill(r, s) && !emit_timestamp(r, s))
			emit_nop(r, s);
		if (s->ndw > n && TESSERA_CMD_OPCODE(s->dw[n]) != TESSERA_CMD_OP_NOP) {
			uint32_t len = TESSERA_CMD_LEN(s->dw[n]);

			s->dw[n] = (s->dw[n] & 0xffff) | (len + (chance(r, 50) ? 1 : -1)) << 16;
			if (chance(r, 50) && room(s, 1))
				s->dw[s->ndw++] = 0;
		}
		note(s, "LEN!");
		return;
	case 5:	/* undefined flags or reserved fields */
		if (emit_fill(r, s) || emit_timestamp(r, s)) {
			if (TESSERA_CMD_OPCODE(s->dw[n]) == TESSERA_CMD_OP_TIMESTAMP && chance(r, 50))
				s->dw[n + 1] = range(r, 1, 0xffffffff);
			else
				s->dw[n] |= range(r, 1, 255) << 8;
		} else {
			dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 1, 1);
			put(s, dw, 1);
		}
		note(s, "FLAGS!");
		return;
	case 6:	/* FILL misaligned */
		if (!place(r, s, 64, 4, true, &va, NULL))
			va = bad_va(r, s);
		dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
		lohi(&dw[1], va + (chance(r, 50) ? range(r, 1, 3) : 0));
		dw[3] = chance(r, 50) ? range(r, 1, 3) + 4 : 0x7ffffffd;
		dw[4] = 0xdeadbeef;
		put(s, dw, TESSERA_CMD_FILL_LEN);
		note(s, "FILLALIGN!");
		return;
	case 7:	/* COPY overlapping */
		if (!place(r, s, 256, 1, true, &va, NULL))
			va = bad_va(r, s);
		dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN);
		lohi(&dw[1], va);
		lohi(&dw[3], va + below(r, 128));
		dw[5] = 128;
		put(s, dw, TESSERA_CMD_COPY_LEN);
		note(s, "OVERLAP!");
		return;
	case 8:	/* FILL/COPY/TIMESTAMP/SEMAPHORE at a bad address */
	case 9:
		va = bad_va(r, s);
		switch (below(r, 4)) {
		case 0:
			dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FILL, 0, TESSERA_CMD_FILL_LEN);
			lohi(&dw[1], va & ~3ull);
			dw[3] = 4 * range(r, 1, 4096);
			put(s, dw, TESSERA_CMD_FILL_LEN);
			break;
		case 1:
			dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_COPY, 0, TESSERA_CMD_COPY_LEN);
			if (chance(r, 50)) {
				lohi(&dw[1], va);
				lohi(&dw[3], s->ops[0].va);
			} else {
				lohi(&dw[1], s->ops[0].va);
				lohi(&dw[3], va);
			}
			dw[5] = range(r, 1, 8192);
			put(s, dw, TESSERA_CMD_COPY_LEN);
			break;
		case 2:
			dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_TIMESTAMP, 0, TESSERA_CMD_TIMESTAMP_LEN);
			lohi(&dw[2], va & ~7ull);
			put(s, dw, TESSERA_CMD_TIMESTAMP_LEN);
			break;
		default:
			raw_sem(s, below(r, 3), va & ~3ull, (uint32_t)rnd(r));
			break;
		}
		note(s, "BADVA!");
		return;
	case 10: {	/* GEMM with a bad shape */
		uint32_t *g;

		if (!s->compute || !emit_gemm(r, s)) {
			s->bad = false;
			emit_invalid(r, s);
			return;
		}
		g = s->dw + n;
		switch (below(r, 7)) {
		case 0: g[2] = 0; break;				/* M = 0 */
		case 1: g[4] = 65537 + below(r, 1000); break;		/* K too big */
		case 2: g[7] = 0; break;				/* lda < cols */
		case 3: g[1] = TESSERA_DTYPE_INT32; break;		/* no int32 GEMM */
		case 4: g[14] = 0x7fc00000; break;			/* alpha NaN */
		case 5: g[1] |= 7 << 8; break;				/* bad activation */
		default: g[1] = TESSERA_DTYPE_INT8 | TESSERA_ACT_GELU << 8; break;
		}
		note(s, "!");
		return;
	}
	case 11:	/* a compute command on a DMA engine, or random dwords */
		if (!s->compute) {
			s->compute = true;
			if (emit_gemm(r, s) || emit_elementwise(r, s)) {
				s->compute = false;
				note(s, "ONDMA!");
				return;
			}
			s->compute = false;
		}
		/* fall through */
	case 12: {
		uint32_t len = range(r, 1, 12);

		for (uint32_t i = 0; i < len; i++)
			dw[i] = (uint32_t)rnd(r);
		if (TESSERA_CMD_LEN(dw[0]) > len || chance(r, 50))
			dw[0] = (dw[0] & 0xffff) | len << 16;
		put(s, dw, len);
		note(s, "RANDOM!");
		return;
	}
	case 13:	/* semaphore with an undefined operation */
		raw_sem(s, range(r, 3, 255), s->sem_va, 0);
		note(s, "SEMOP!");
		return;
	case 14:	/* a header running past the end: only as the last command */
		dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_NOP, 0, range(r, 2, 0xffff));
		put(s, dw, 1);
		s->max = s->ndw;	/* nothing may follow */
		note(s, "OVERRUN!");
		return;
	default: {	/* ELEMENTWISE/SOFTMAX/LAYERNORM with a bad type or count */
		uint32_t *e;

		if (!s->compute || !(chance(r, 50) ? emit_elementwise(r, s) : emit_rowwise(r, s, chance(r, 50)))) {
			dw[0] = TESSERA_CMD_HEADER(TESSERA_CMD_OP_FENCE, 0, TESSERA_CMD_FENCE_LEN);
			put(s, dw, TESSERA_CMD_FENCE_LEN);
			note(s, "FENCE!");
			return;
		}
		e = s->dw + n;
		switch (below(r, 3)) {
		case 0: e[1] = 9; break;		/* no such type */
		case 1: e[2] = 0; break;		/* count/rows 0 */
		default: e[0] |= 0x80 << 8; break;	/* undefined flag */
		}
		note(s, "!");
		return;
	}
	}
}

/* ------------------------------------------------------------------ */

void gen_stream(struct rng *r, struct stream *s)
{
	uint32_t n = chance(r, 60) ? range(r, 1, 4) : range(r, 1, 24);
	uint32_t bad_at = s->hostile ? below(r, n) : ~0u;

	s->summary[0] = '\0';
	for (uint32_t i = 0; i < n && s->ndw < s->max; i++) {
		if (i == bad_at) {
			emit_invalid(r, s);
			if (chance(r, 20))
				bad_at = i + 1 + below(r, 4);
		} else if (!emit_valid(r, s)) {
			break;
		}
	}
	if (s->hang && room(s, TESSERA_CMD_SEM_LEN)) {
		/* The slot stays 0: this waits until the watchdog fires. */
		sem(s, ACCEL_SEM_WAIT, s->sem_va + 4 * SEM_HANG_SLOT, 0x40000000u,
		    "SEM-WAIT-FOREVER");	/* room was checked */
	}
	if (!s->ndw)
		emit_nop(r, s);
}
