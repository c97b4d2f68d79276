// SPDX-License-Identifier: MIT
/*
 * The options the training tools share (train_opts.h).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "llm_data.h"
#include "train_opts.h"

void llm_train_opts_init(struct llm_train_opts *o)
{
	*o = (struct llm_train_opts){
		.cfg = llm_config_default, .corpus = LLM_FORTUNES_DIR, .batch = 16, .steps = 2000,
		.lr = 2e-3, .min_lr = -1, .warmup = 100,
		.hp = { 0, 0.9f, 0.95f, 1e-8f, 0.1f }, .clip = 1.0,
		.seed = 1, .eval_every = 100, .eval_windows = 128,
	};
}

static int bad(const char *prog, const char *name, const char *arg, const char *what)
{
	fprintf(stderr, "%s: --%s %s: not %s\n", prog, name, arg ? arg : "", what);
	return -EINVAL;
}

int llm_train_opt(struct llm_train_opts *o, int code, const char *arg, const char *prog)
{
	/* Model sizes: llm_model_init() checks how they fit together. */
	const uint32_t dim_max = 1u << 16;
	double x;
	int ret = 0;

	switch (code) {
	case LLM_OPT_CORPUS: o->corpus = arg; return 1;
	case LLM_OPT_OUT: o->out = arg; return 1;
	case LLM_OPT_CSV: o->csv = arg; return 1;
	case LLM_OPT_BF16: o->bf16 = true; return 1;
	case LLM_OPT_DM:
		ret = llm_parse_u32(arg, 1, dim_max, &o->cfg.d_model);
		return ret ? bad(prog, "d-model", arg, "a size from 1 to 65536") : 1;
	case LLM_OPT_LAYERS:
		ret = llm_parse_u32(arg, 1, 1024, &o->cfg.n_layers);
		return ret ? bad(prog, "layers", arg, "a count from 1 to 1024") : 1;
	case LLM_OPT_HEADS:
		ret = llm_parse_u32(arg, 1, 1024, &o->cfg.n_heads);
		return ret ? bad(prog, "heads", arg, "a count from 1 to 1024") : 1;
	case LLM_OPT_FFN:
		ret = llm_parse_u32(arg, 1, dim_max, &o->cfg.d_ff);
		return ret ? bad(prog, "ffn", arg, "a size from 1 to 65536") : 1;
	case LLM_OPT_CTX:
		ret = llm_parse_u32(arg, 2, dim_max, &o->cfg.ctx);
		return ret ? bad(prog, "ctx", arg, "a length from 2 to 65536") : 1;
	case LLM_OPT_BATCH:
		ret = llm_parse_u32(arg, 1, 1u << 16, &o->batch);
		return ret ? bad(prog, "batch", arg, "a count from 1 to 65536") : 1;
	case LLM_OPT_STEPS:
		ret = llm_parse_u64(arg, 1, UINT32_MAX, &o->steps);
		return ret ? bad(prog, "steps", arg, "a count from 1 to 2^32 - 1") : 1;
	case LLM_OPT_WARMUP:
		ret = llm_parse_u64(arg, 0, UINT32_MAX, &o->warmup);
		return ret ? bad(prog, "warmup", arg, "a step count") : 1;
	case LLM_OPT_SEED:
		ret = llm_parse_u64(arg, 0, UINT64_MAX, &o->seed);
		return ret ? bad(prog, "seed", arg, "a whole number") : 1;
	case LLM_OPT_EVERY:
		ret = llm_parse_u64(arg, 1, UINT32_MAX, &o->eval_every);
		return ret ? bad(prog, "eval-every", arg, "a step count from 1") : 1;
	case LLM_OPT_WINDOWS: {
		uint64_t n;

		ret = llm_parse_u64(arg, 0, UINT32_MAX, &n);
		o->eval_windows = n;
		return ret ? bad(prog, "eval-windows", arg, "a count") : 1;
	}
	case LLM_OPT_TIME:
		ret = llm_parse_double(arg, 0, 1e9, &o->time_limit);
		return ret ? bad(prog, "time", arg, "seconds from 0") : 1;
	case LLM_OPT_LR:
		ret = llm_parse_double(arg, 1e-12, 10, &o->lr);
		return ret || !(o->lr > 0) ? bad(prog, "lr", arg, "a rate in (0, 10]") : 1;
	case LLM_OPT_MINLR:
		ret = llm_parse_double(arg, 0, 10, &o->min_lr);
		return ret ? bad(prog, "min-lr", arg, "a rate in [0, 10]") : 1;
	case LLM_OPT_WD:
		ret = llm_parse_double(arg, 0, 1, &x);
		o->hp.weight_decay = (float)x;
		return ret ? bad(prog, "wd", arg, "a decay in [0, 1]") : 1;
	case LLM_OPT_BETA2:
		ret = llm_parse_double(arg, 0, 0.999999, &x);
		o->hp.beta2 = (float)x;
		return ret ? bad(prog, "beta2", arg, "a rate in [0, 1)") : 1;
	case LLM_OPT_CLIP:
		ret = llm_parse_double(arg, 0, 1e9, &o->clip);
		return ret ? bad(prog, "clip", arg, "a norm from 0 (0: none)") : 1;
	default:
		return 0;
	}
}

int llm_train_opts_finish(struct llm_train_opts *o, const char *prog)
{
	if (o->min_lr < 0)
		o->min_lr = o->lr / 10;
	if (o->min_lr > o->lr) {
		fprintf(stderr, "%s: --min-lr %g is above --lr %g\n", prog, o->min_lr, o->lr);
		return -EINVAL;
	}
	return 0;
}

void llm_train_usage(FILE *f)
{
	fprintf(f,
		"  --corpus DIR        fortunes directory (%s)\n"
		"  --d-model N --layers N --heads N --ffn N --ctx N   the model (256 4 4 688 128)\n"
		"  --batch N           sequences per step (16)\n"
		"  --steps N           steps; the schedule's length (2000)\n"
		"  --time SECONDS      stop early after this long (0: no limit)\n"
		"  --lr X --min-lr X --warmup N   peak rate, final rate, warmup steps\n"
		"                      (2e-3, lr/10, 100)\n"
		"  --wd X --beta2 X --clip X      AdamW decay, beta2, gradient clip (0.1 0.95 1)\n"
		"  --seed N            weights and batches (1)\n"
		"  --eval-every N --eval-windows N   validation (every 100 steps, 128 windows;\n"
		"                      the last one over the whole split)\n"
		"  --out FILE.gguf     the checkpoint, written at every validation\n"
		"                      (--bf16: bf16 matrices)\n"
		"  --csv FILE          the curve: step,tokens,seconds,lr,train_loss,val_loss\n",
		LLM_FORTUNES_DIR);
}

double llm_train_lr_at(const struct llm_train_opts *o, uint64_t step)
{
	if (step <= o->warmup)
		return o->lr * step / (o->warmup ? o->warmup : 1);
	double p = (double)(step - o->warmup) / (o->steps > o->warmup ? o->steps - o->warmup : 1);

	if (p > 1)
		p = 1;
	return o->min_lr + 0.5 * (o->lr - o->min_lr) * (1 + cos(M_PI * p));
}
