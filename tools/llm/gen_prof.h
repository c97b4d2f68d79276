/* SPDX-License-Identifier: MIT */
/*
 * Device time by command class for accel-generate: the recorder puts a
 * TIMESTAMP before the first command of a job and after every command,
 * and notes each command's class; after the job, interval i (between
 * stamps i and i + 1) is command i's time.  TIMESTAMP writes the time once
 * every earlier command of the buffer has completed, so on one compute
 * engine the intervals tile the job.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_GEN_PROF_H
#define TESSERA_LLM_GEN_PROF_H

#include <stdint.h>

enum llm_cmd_class {
	LLM_CLS_MATMUL,		/* GEMM: the projections */
	LLM_CLS_ATTN_MATMUL,	/* BGEMM: attention's scores and weighted sum */
	LLM_CLS_SOFTMAX,	/* attention's causal SOFTMAX */
	LLM_CLS_NORM,		/* RMSNORM */
	LLM_CLS_ELEMENTWISE,	/* SwiGLU (ELEMENTWISE), ROPE */
	LLM_CLS_OTHER,		/* EMBEDDING, COPY */
	LLM_CLS_COUNT
};

struct llm_prof {
	uint64_t ns[LLM_CLS_COUNT];
	uint64_t cmds[LLM_CLS_COUNT];
	uint64_t jobs;
};

/* "gemm", "bgemm", "softmax", ...; NULL for a bad class. */
const char *llm_cmd_class_name(unsigned int cls);
/* Add one job's @n commands: classes cls[0..n-1], stamps ts[0..n].
 * 0, or -EINVAL (a bad class or a stamp earlier than the one before:
 * nothing is added). */
int llm_prof_add(struct llm_prof *p, const uint8_t *cls, const uint64_t *ts, uint32_t n);
uint64_t llm_prof_total(const struct llm_prof *p);

#endif /* TESSERA_LLM_GEN_PROF_H */
