// SPDX-License-Identifier: MIT
/*
 * Device time by command class (gen_prof.h).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <stddef.h>

#include "gen_prof.h"

static const char *const names[LLM_CLS_COUNT] = {
	[LLM_CLS_MATMUL] = "gemm",
	[LLM_CLS_ATTN_MATMUL] = "bgemm",
	[LLM_CLS_SOFTMAX] = "softmax",
	[LLM_CLS_NORM] = "rmsnorm",
	[LLM_CLS_ELEMENTWISE] = "elementwise",
	[LLM_CLS_OTHER] = "embedding/other",
};

const char *llm_cmd_class_name(unsigned int cls)
{
	return cls < LLM_CLS_COUNT ? names[cls] : NULL;
}

int llm_prof_add(struct llm_prof *p, const uint8_t *cls, const uint64_t *ts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (cls[i] >= LLM_CLS_COUNT || ts[i + 1] < ts[i])
			return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		p->ns[cls[i]] += ts[i + 1] - ts[i];
		p->cmds[cls[i]]++;
	}
	p->jobs++;
	return 0;
}

uint64_t llm_prof_total(const struct llm_prof *p)
{
	uint64_t t = 0;

	for (unsigned int i = 0; i < LLM_CLS_COUNT; i++)
		t += p->ns[i];
	return t;
}
