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
#include "train_opts.h"

void openblas_set_num_threads(int n);

struct opts {
	struct llm_train_opts t;
	int threads;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
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
		uint32_t k;
		double loss;

		k = llm_val_batch(c->val, c->val_len, T, B, done, n, tok, tgt);
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
		.step = step, .tokens = step * o->t.batch * o->t.cfg.ctx, .seed = o->t.seed,
		.batch = o->t.batch, .lr = o->t.lr, .val_loss = val, .corpus = "fortunes",
	};
	int ret = llm_ckpt_save(o->t.out, m, w, o->t.bf16 ? LLM_CKPT_BF16 : LLM_CKPT_F32, &meta,
				"tessera-fortunes");

	if (ret)
		fprintf(stderr, "cpu-train: %s: %s\n", o->t.out, strerror(-ret));
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: cpu-train [options]\n");
	llm_train_usage(f);
	fprintf(f, "  --threads N         BLAS threads (1: faster than 2 on a busy 2-core host)\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
	enum { O_THREADS = LLM_OPT_TOOL };
	static const struct option lo[] = {
		LLM_TRAIN_LONG_OPTS,
		{ "threads", 1, 0, O_THREADS }, { "help", 0, 0, 'h' }, { 0 },
	};
	uint32_t threads;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		ret = llm_train_opt(&o->t, c, optarg, "cpu-train");
		if (ret < 0)
			return ret;
		if (ret)
			continue;
		switch (c) {
		case O_THREADS:
			if (llm_parse_u32(optarg, 1, 256, &threads)) {
				fprintf(stderr, "cpu-train: --threads %s: not a count from 1 to 256\n",
					optarg);
				return -EINVAL;
			}
			o->threads = (int)threads;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return -EINVAL;
	}
	return llm_train_opts_finish(&o->t, "cpu-train");
}

int main(int argc, char **argv)
{
	struct opts o = { .threads = 1 };
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

	llm_train_opts_init(&o.t);
	if (parse(argc, argv, &o))
		return 2;
	openblas_set_num_threads(o.threads);
	if (llm_model_init(&m, &o.t.cfg, err)) {
		fprintf(stderr, "cpu-train: %s\n", err);
		return 2;
	}
	T = o.t.cfg.ctx;
	ret = llm_corpus_load(o.t.corpus, LLM_VAL_EVERY, &corpus, err);
	if (ret) {
		fprintf(stderr, "cpu-train: %s\n", err);
		return 1;
	}
	w = calloc(m.n_params, sizeof(float));
	g = calloc(m.n_params, sizeof(float));
	mo = calloc(m.n_params, sizeof(float));
	va = calloc(m.n_params, sizeof(float));
	tok = calloc((size_t)o.t.batch * T, sizeof(*tok));
	tgt = calloc((size_t)o.t.batch * T, sizeof(*tgt));
	a = llm_acts_new(&m, o.t.batch, T, false);
	if (!w || !g || !mo || !va || !tok || !tgt || !a) {
		fprintf(stderr, "cpu-train: out of memory\n");
		return 1;
	}
	if (o.t.csv) {
		csv = fopen(o.t.csv, "w");
		if (!csv) {
			fprintf(stderr, "cpu-train: %s: %s\n", o.t.csv, strerror(errno));
			return 1;
		}
		fprintf(csv, "step,tokens,seconds,lr,train_loss,val_loss\n");
	}
	printf("cpu-train: d_model %u, %u layers, %u heads, ffn %u, ctx %u: %zu parameters, "
	       "%.1f MFLOP/token forward\n", o.t.cfg.d_model, o.t.cfg.n_layers, o.t.cfg.n_heads,
	       o.t.cfg.d_ff, T, m.n_params, llm_flops_per_token(&m, T) / 1e6);
	printf("cpu-train: corpus %s: %zu files, %zu train fortunes (%zu bytes), %zu validation "
	       "(%zu bytes)\n", o.t.corpus, corpus.n_files, corpus.n_train, corpus.train_len,
	       corpus.n_val, corpus.val_len);
	printf("cpu-train: batch %u x %u, %llu steps, lr %g -> %g (warmup %llu), wd %g, "
	       "beta2 %g, clip %g, seed %llu\n", o.t.batch, T, (unsigned long long)o.t.steps, o.t.lr,
	       o.t.min_lr, (unsigned long long)o.t.warmup, o.t.hp.weight_decay, o.t.hp.beta2, o.t.clip,
	       (unsigned long long)o.t.seed);
	fflush(stdout);
	llm_init_weights(&m, o.t.seed, w);
	llm_rng_seed(&rng, o.t.seed ^ 0x5eed0fba7c4e5ull);
	t0 = now();
	for (step = 1; step <= o.t.steps; step++) {
		double loss, norm, lr = llm_train_lr_at(&o.t, step);
		float scale;

		llm_batch(corpus.train, corpus.train_len, o.t.batch, T, &rng, tok, tgt);
		llm_ref_forward(&m, w, tok, tgt, a, &loss);
		memset(g, 0, m.n_params * sizeof(float));
		llm_ref_backward(&m, w, tok, tgt, a, g);
		norm = llm_grad_norm(&m, g);
		scale = o.t.clip > 0 && norm > o.t.clip ? (float)(o.t.clip / norm) : 1.0f;
		o.t.hp.lr = (float)lr;
		llm_ref_adamw(&m, &o.t.hp, step, scale, w, g, mo, va);
		train_sum += loss;
		train_n++;

		bool last = step == o.t.steps || (o.t.time_limit > 0 && now() - t0 >= o.t.time_limit);

		if (step % o.t.eval_every && !last)
			continue;
		double el = now() - t0;
		uint64_t tokens = step * o.t.batch * T;

		val = validate(&m, w, &corpus, last ? 0 : o.t.eval_windows, a, tok, tgt, o.t.batch);
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
		if (o.t.out && save(&o, &m, w, step, val))
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
