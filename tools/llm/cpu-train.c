// SPDX-License-Identifier: MIT
/*
 * cpu-train: train the llama model on the fortunes corpus with the CPU
 * reference implementation (no card): the experiment that tells which
 * configuration and learning-rate schedule reach a validation loss in
 * nats per byte, and after how many tokens.  Prints the validation
 * curve; optionally writes it as CSV and the model as a GGUF checkpoint.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "llm.h"
#include "llm_ckpt.h"
#include "llm_data.h"
#include "rng.h"

void openblas_set_num_threads(int n);

struct opts {
	struct llm_config cfg;
	const char *corpus;
	uint32_t batch;
	uint64_t steps;
	double time_limit;
	double lr, min_lr;
	uint64_t warmup;
	struct llm_adamw hp;
	double clip;
	uint64_t seed;
	uint64_t eval_every;
	size_t eval_windows;
	const char *out, *csv;
	bool bf16;
	int threads;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Linear warmup to lr, then a cosine to min_lr at the last step. */
static double lr_at(const struct opts *o, uint64_t step)
{
	if (step <= o->warmup)
		return o->lr * step / (o->warmup ? o->warmup : 1);
	double p = (double)(step - o->warmup) / (o->steps > o->warmup ? o->steps - o->warmup : 1);

	if (p > 1)
		p = 1;
	return o->min_lr + 0.5 * (o->lr - o->min_lr) * (1 + cos(M_PI * p));
}

/* Mean loss over @n evenly spaced validation windows (0: all of them). */
static double validate(const struct llm_model *m, const float *w, const struct llm_corpus *c,
		       size_t n, struct llm_acts *a, int32_t *tok, int32_t *tgt, uint32_t B)
{
	uint32_t T = m->cfg.ctx;
	size_t total = llm_windows(c->val_len, T), done = 0;
	double sum = 0;

	if (!n || n > total)
		n = total;
	while (done < n) {
		uint32_t k = 0;
		double loss;

		for (; k < B && done + k < n; k++)
			llm_window(c->val, c->val_len, T, (done + k) * total / n, tok + k * T,
				   tgt + k * T);
		for (uint32_t j = k; j < B; j++) {	/* a short last batch */
			memcpy(tok + j * T, tok, T * sizeof(*tok));
			for (uint32_t t = 0; t < T; t++)
				tgt[j * T + t] = -1;
		}
		llm_ref_forward(m, w, tok, tgt, a, &loss);
		sum += loss * k;
		done += k;
	}
	return sum / n;
}

/* The checkpoint, at every validation (replaced atomically). */
static int save(const struct opts *o, const struct llm_model *m, const float *w, uint64_t step,
		double val)
{
	const struct llm_train_meta meta = {
		.step = step, .tokens = step * o->batch * o->cfg.ctx, .seed = o->seed,
		.batch = o->batch, .lr = o->lr, .val_loss = val, .corpus = "fortunes",
	};
	int ret = llm_ckpt_save(o->out, m, w, o->bf16 ? LLM_CKPT_BF16 : LLM_CKPT_F32, &meta,
				"tessera-fortunes");

	if (ret)
		fprintf(stderr, "cpu-train: %s: %s\n", o->out, strerror(-ret));
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cpu-train [options]\n"
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
		"  --csv FILE          the curve: step,tokens,seconds,lr,train,val\n"
		"  --threads N         BLAS threads (1: faster than 2 on a busy 2-core host)\n", LLM_FORTUNES_DIR);
}

static int parse(int argc, char **argv, struct opts *o)
{
	enum { O_DM = 256, O_LAYERS, O_HEADS, O_FFN, O_CTX, O_MINLR, O_WARMUP, O_WD, O_BETA2,
	       O_CLIP, O_EVERY, O_WINDOWS, O_BF16, O_THREADS };
	static const struct option lo[] = {
		{ "corpus", 1, 0, 'c' }, { "d-model", 1, 0, O_DM }, { "layers", 1, 0, O_LAYERS },
		{ "heads", 1, 0, O_HEADS }, { "ffn", 1, 0, O_FFN }, { "ctx", 1, 0, O_CTX },
		{ "batch", 1, 0, 'b' }, { "steps", 1, 0, 's' }, { "time", 1, 0, 't' },
		{ "lr", 1, 0, 'l' }, { "min-lr", 1, 0, O_MINLR }, { "warmup", 1, 0, O_WARMUP },
		{ "wd", 1, 0, O_WD }, { "beta2", 1, 0, O_BETA2 }, { "clip", 1, 0, O_CLIP },
		{ "seed", 1, 0, 'S' }, { "eval-every", 1, 0, O_EVERY },
		{ "eval-windows", 1, 0, O_WINDOWS }, { "out", 1, 0, 'o' }, { "csv", 1, 0, 'C' },
		{ "bf16", 0, 0, O_BF16 }, { "threads", 1, 0, O_THREADS }, { "help", 0, 0, 'h' },
		{ 0 },
	};
	int c;

	o->min_lr = -1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->corpus = optarg; break;
		case O_DM: o->cfg.d_model = strtoul(optarg, NULL, 0); break;
		case O_LAYERS: o->cfg.n_layers = strtoul(optarg, NULL, 0); break;
		case O_HEADS: o->cfg.n_heads = strtoul(optarg, NULL, 0); break;
		case O_FFN: o->cfg.d_ff = strtoul(optarg, NULL, 0); break;
		case O_CTX: o->cfg.ctx = strtoul(optarg, NULL, 0); break;
		case 'b': o->batch = strtoul(optarg, NULL, 0); break;
		case 's': o->steps = strtoull(optarg, NULL, 0); break;
		case 't': o->time_limit = atof(optarg); break;
		case 'l': o->lr = atof(optarg); break;
		case O_MINLR: o->min_lr = atof(optarg); break;
		case O_WARMUP: o->warmup = strtoull(optarg, NULL, 0); break;
		case O_WD: o->hp.weight_decay = atof(optarg); break;
		case O_BETA2: o->hp.beta2 = atof(optarg); break;
		case O_CLIP: o->clip = atof(optarg); break;
		case 'S': o->seed = strtoull(optarg, NULL, 0); break;
		case O_EVERY: o->eval_every = strtoull(optarg, NULL, 0); break;
		case O_WINDOWS: o->eval_windows = strtoull(optarg, NULL, 0); break;
		case 'o': o->out = optarg; break;
		case 'C': o->csv = optarg; break;
		case O_BF16: o->bf16 = true; break;
		case O_THREADS: o->threads = atoi(optarg); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc || !o->batch || !o->steps || !(o->lr > 0)) {
		usage(stderr);
		return -EINVAL;
	}
	if (o->min_lr < 0)
		o->min_lr = o->lr / 10;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.cfg = llm_config_default, .corpus = LLM_FORTUNES_DIR, .batch = 16, .steps = 2000,
		.lr = 2e-3, .warmup = 100, .hp = { 0, 0.9f, 0.95f, 1e-8f, 0.1f }, .clip = 1.0,
		.seed = 1, .eval_every = 100, .eval_windows = 128, .threads = 1,
	};
	char err[LLM_ERR_LEN];
	struct llm_corpus corpus;
	struct llm_model m;
	struct llm_acts *a;
	struct llm_rng rng;
	float *w, *g, *mo, *va;
	int32_t *tok, *tgt;
	FILE *csv = NULL;
	double t0, train_sum = 0, val = NAN;
	uint64_t step, train_n = 0;
	uint32_t T;
	int ret;

	if (parse(argc, argv, &o))
		return 2;
	openblas_set_num_threads(o.threads);
	if (llm_model_init(&m, &o.cfg, err)) {
		fprintf(stderr, "cpu-train: %s\n", err);
		return 2;
	}
	T = o.cfg.ctx;
	ret = llm_corpus_load(o.corpus, LLM_VAL_EVERY, &corpus, err);
	if (ret) {
		fprintf(stderr, "cpu-train: %s\n", err);
		return 1;
	}
	w = calloc(m.n_params, sizeof(float));
	g = calloc(m.n_params, sizeof(float));
	mo = calloc(m.n_params, sizeof(float));
	va = calloc(m.n_params, sizeof(float));
	tok = calloc((size_t)o.batch * T, sizeof(*tok));
	tgt = calloc((size_t)o.batch * T, sizeof(*tgt));
	a = llm_acts_new(&m, o.batch, T, false);
	if (!w || !g || !mo || !va || !tok || !tgt || !a) {
		fprintf(stderr, "cpu-train: out of memory\n");
		return 1;
	}
	if (o.csv) {
		csv = fopen(o.csv, "w");
		if (!csv) {
			fprintf(stderr, "cpu-train: %s: %s\n", o.csv, strerror(errno));
			return 1;
		}
		fprintf(csv, "step,tokens,seconds,lr,train_loss,val_loss\n");
	}
	printf("cpu-train: d_model %u, %u layers, %u heads, ffn %u, ctx %u: %zu parameters, "
	       "%.1f MFLOP/token forward\n", o.cfg.d_model, o.cfg.n_layers, o.cfg.n_heads,
	       o.cfg.d_ff, T, m.n_params, llm_flops_per_token(&m, T) / 1e6);
	printf("cpu-train: corpus %s: %zu files, %zu train fortunes (%zu bytes), %zu validation "
	       "(%zu bytes)\n", o.corpus, corpus.n_files, corpus.n_train, corpus.train_len,
	       corpus.n_val, corpus.val_len);
	printf("cpu-train: batch %u x %u, %llu steps, lr %g -> %g (warmup %llu), wd %g, "
	       "beta2 %g, clip %g, seed %llu\n", o.batch, T, (unsigned long long)o.steps, o.lr,
	       o.min_lr, (unsigned long long)o.warmup, o.hp.weight_decay, o.hp.beta2, o.clip,
	       (unsigned long long)o.seed);
	fflush(stdout);
	llm_init_weights(&m, o.seed, w);
	llm_rng_seed(&rng, o.seed ^ 0x5eed0fba7c4e5ull);
	t0 = now();
	for (step = 1; step <= o.steps; step++) {
		double loss, norm, lr = lr_at(&o, step);
		float scale;

		llm_batch(corpus.train, corpus.train_len, o.batch, T, &rng, tok, tgt);
		llm_ref_forward(&m, w, tok, tgt, a, &loss);
		memset(g, 0, m.n_params * sizeof(float));
		llm_ref_backward(&m, w, tok, tgt, a, g);
		norm = llm_grad_norm(&m, g);
		scale = o.clip > 0 && norm > o.clip ? (float)(o.clip / norm) : 1.0f;
		o.hp.lr = (float)lr;
		llm_ref_adamw(&m, &o.hp, step, scale, w, g, mo, va);
		train_sum += loss;
		train_n++;

		bool last = step == o.steps || (o.time_limit > 0 && now() - t0 >= o.time_limit);

		if (step % o.eval_every && !last)
			continue;
		double el = now() - t0;
		uint64_t tokens = step * o.batch * T;

		val = validate(&m, w, &corpus, last ? 0 : o.eval_windows, a, tok, tgt, o.batch);
		printf("step %6llu  tokens %9llu  %7.1f s  %6.0f tok/s  lr %.2e  train %.4f  "
		       "val %.4f%s\n", (unsigned long long)step, (unsigned long long)tokens, el,
		       tokens / el, lr, train_sum / train_n, val, last ? " (whole split)" : "");
		fflush(stdout);
		if (csv) {
			fprintf(csv, "%llu,%llu,%.1f,%.4g,%.4f,%.4f\n", (unsigned long long)step,
				(unsigned long long)tokens, el, lr, train_sum / train_n, val);
			fflush(csv);
		}
		train_sum = 0;
		train_n = 0;
		if (o.out && save(&o, &m, w, step, val))
			return 1;
		if (last)
			break;
	}
	if (csv)
		fclose(csv);
	llm_acts_free(a);
	llm_corpus_free(&corpus);
	free(w);
	free(g);
	free(mo);
	free(va);
	free(tok);
	free(tgt);
	return 0;
}
