/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The command processor's decoding helpers, shared by the files that
 * execute commands (t1_cmd.c: the 1.0 set; t1_train.c: the 1.5 training
 * commands).  Engine thread only.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_T1_CMD_H
#define TESSERA_T1_CMD_H

#include "t1_priv.h"

/* One command being executed. */
struct cmd {
	struct t1_as *as;
	const uint8_t *p;	/* the command, header first */
	uint32_t hdr, len;
	uint64_t va;		/* its address, for syndromes */
};

static inline uint32_t dw(const struct cmd *c, unsigned int i)
{
	return get_le32(c->p + 4 * i);
}

static inline uint64_t qw(const struct cmd *c, unsigned int i)
{
	return dw(c, i) | (uint64_t)dw(c, i + 1) << 32;
}

static inline float fw(const struct cmd *c, unsigned int i)
{
	uint32_t u = dw(c, i);
	float f;

	memcpy(&f, &u, 4);
	return f;
}

/*
 * The command is invalid: a context error (TESSERA_ERR_INVALID_CMD at the
 * command's address) and a rate-limited guest-error line naming the
 * command and, if @why is not NULL, the reason.  Returns the error code.
 */
int t1_cmd_invalid(const struct cmd *c, const char *why);

static inline int invalid(const struct cmd *c)
{
	return t1_cmd_invalid(c, NULL);
}

static inline bool compute_engine(const struct cmd *c)
{
	return c->as->r->cls == TESSERA_ENGINE_CLASS_COMPUTE;
}

static inline bool aborted(const struct cmd *c)
{
	return t1_aborted(c->as->r);
}

/* Bytes spanned by a rows x cols matrix with leading dimension ld. */
static inline uint64_t span(uint32_t rows, uint32_t cols, uint32_t ld,
			    unsigned int es)
{
	return ((uint64_t)(rows - 1) * ld + cols) * es;
}

/* Check a matrix operand: dims, ld, alignment, size limit. */
static inline bool mat_ok(uint64_t va, uint32_t rows, uint32_t cols,
			  uint32_t ld, unsigned int es)
{
	return rows && cols && rows <= T1_MAX_DIM && cols <= T1_MAX_DIM &&
	       ld >= cols && es && !(va % es) &&
	       span(rows, cols, ld, es) <= T1_MAX_OPERAND &&
	       va + span(rows, cols, ld, es) > va;
}

/* Release @n operands (written back unless @ret); the first error wins. */
static inline int put_all(struct t1_as *as, struct t1_buf *b, unsigned int n,
			  int ret)
{
	for (unsigned int i = 0; i < n; i++) {
		int r = t1_buf_put(as, &b[i], !ret);

		if (r && !ret)
			ret = r;
	}
	return ret;
}

/* t1_train.c: the hardware 1.5 training commands. */
int t1_cmd_bgemm(const struct cmd *c);
int t1_cmd_softmax_causal(const struct cmd *c);
int t1_cmd_softmax_bwd(const struct cmd *c);
int t1_cmd_embedding(const struct cmd *c);
int t1_cmd_rmsnorm(const struct cmd *c);
int t1_cmd_rmsnorm_bwd(const struct cmd *c);
int t1_cmd_rope(const struct cmd *c);
int t1_cmd_cross_entropy(const struct cmd *c);
int t1_cmd_reduce(const struct cmd *c);
int t1_cmd_adamw(const struct cmd *c);
/* ELEMENTWISE in the long form, and the 1.5 ops in the short form. */
int t1_cmd_elementwise2(const struct cmd *c);

#endif /* TESSERA_T1_CMD_H */
