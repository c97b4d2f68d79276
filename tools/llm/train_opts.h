/* SPDX-License-Identifier: MIT */
/*
 * The options cpu-train and accel-train share: the model's shape, the
 * corpus, the batch and schedule, AdamW, validation and checkpoints, and
 * the learning-rate schedule they define.  Numbers are parsed strictly:
 * the whole argument must be a number in range, else the option is
 * refused with a message.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_TRAIN_OPTS_H
#define TESSERA_LLM_TRAIN_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "llm.h"

struct llm_train_opts {
	struct llm_config cfg;
	const char *corpus;
	uint32_t batch;
	uint64_t steps;
	double time_limit;	/* seconds; 0: none */
	double lr, min_lr;	/* min_lr < 0: lr / 10 */
	uint64_t warmup;
	struct llm_adamw hp;
	double clip;
	uint64_t seed;
	uint64_t eval_every;
	size_t eval_windows;
	const char *out, *csv;
	bool bf16;
};

/* getopt_long codes of the shared options (a tool's own start at LLM_OPT_TOOL). */
enum {
	LLM_OPT_CORPUS = 0x100, LLM_OPT_DM, LLM_OPT_LAYERS, LLM_OPT_HEADS, LLM_OPT_FFN,
	LLM_OPT_CTX, LLM_OPT_BATCH, LLM_OPT_STEPS, LLM_OPT_TIME, LLM_OPT_LR, LLM_OPT_MINLR,
	LLM_OPT_WARMUP, LLM_OPT_WD, LLM_OPT_BETA2, LLM_OPT_CLIP, LLM_OPT_SEED, LLM_OPT_EVERY,
	LLM_OPT_WINDOWS, LLM_OPT_OUT, LLM_OPT_CSV, LLM_OPT_BF16,
	LLM_OPT_TOOL = 0x200,
};

/* The shared entries of a getopt_long table; a tool lists its own after them. */
#define LLM_TRAIN_LONG_OPTS                                                                  \
	{ "corpus", 1, 0, LLM_OPT_CORPUS }, { "d-model", 1, 0, LLM_OPT_DM },                 \
	{ "layers", 1, 0, LLM_OPT_LAYERS }, { "heads", 1, 0, LLM_OPT_HEADS },                \
	{ "ffn", 1, 0, LLM_OPT_FFN }, { "ctx", 1, 0, LLM_OPT_CTX },                          \
	{ "batch", 1, 0, LLM_OPT_BATCH }, { "steps", 1, 0, LLM_OPT_STEPS },                  \
	{ "time", 1, 0, LLM_OPT_TIME }, { "lr", 1, 0, LLM_OPT_LR },                          \
	{ "min-lr", 1, 0, LLM_OPT_MINLR }, { "warmup", 1, 0, LLM_OPT_WARMUP },               \
	{ "wd", 1, 0, LLM_OPT_WD }, { "beta2", 1, 0, LLM_OPT_BETA2 },                        \
	{ "clip", 1, 0, LLM_OPT_CLIP }, { "seed", 1, 0, LLM_OPT_SEED },                      \
	{ "eval-every", 1, 0, LLM_OPT_EVERY }, { "eval-windows", 1, 0, LLM_OPT_WINDOWS },    \
	{ "out", 1, 0, LLM_OPT_OUT }, { "csv", 1, 0, LLM_OPT_CSV },                          \
	{ "bf16", 0, 0, LLM_OPT_BF16 }

/* The defaults both tools start from (the make train schedule's model). */
void llm_train_opts_init(struct llm_train_opts *o);
/*
 * Apply shared option @code with argument @arg (NULL for flags).
 * Return: 1 if applied, 0 if @code is not a shared option, -EINVAL (a
 * message on stderr naming @prog) if @arg is not a valid value.
 */
int llm_train_opt(struct llm_train_opts *o, int code, const char *arg, const char *prog);
/* After parsing: the checks both tools make, min_lr's default.  0 or -EINVAL. */
int llm_train_opts_finish(struct llm_train_opts *o, const char *prog);
/* The shared options' lines of a usage message. */
void llm_train_usage(FILE *f);

/* Linear warmup to lr, then a cosine to min_lr at the last step. */
double llm_train_lr_at(const struct llm_train_opts *o, uint64_t step);

#endif /* TESSERA_LLM_TRAIN_OPTS_H */
