// SPDX-License-Identifier: MIT
/*
 * accel-train: train the llama model on the card (dev_model.c) on the
 * fortunes corpus: a progress line (step, loss, tokens/s, ETA), periodic
 * validation on the held-out split, a GGUF checkpoint at every
 * validation, the loss curve as CSV and (gnuplot) PNG, and at the end the
 * training throughput in model FLOPs/s beside the card's fp32 GEMM rate
 * at the model's FFN shape, measured in the same run.
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
#include <unistd.h>

#include "dev_model.h"
#include "llm_ckpt.h"
#include "llm_data.h"
#include "rng.h"
#include "train_opts.h"

struct opts {
	struct llm_train_opts t;
	uint32_t card;
	uint64_t log_every;
	const char *png;
	bool dp_check;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Mean loss over @n evenly spaced validation windows (0: all), on the card. */
static int validate(struct llm_dev *d, const struct llm_corpus *c, uint32_t T, uint32_t B,
		    size_t n, int32_t *tok, int32_t *tgt, double *out)
{
	size_t total = llm_windows(c->val_len, T), done = 0;
	double sum = 0;

	if (!n || n > total)
		n = total;
	while (done < n) {
		uint32_t k = 0;
		double loss;
		int ret;

		for (; k < B && done + k < n; k++)
			llm_window(c->val, c->val_len, T, (done + k) * total / n, tok + k * T,
				   tgt + k * T);
		for (uint32_t j = k; j < B; j++) {	/* a short last batch */
			memcpy(tok + j * T, tok, T * sizeof(*tok));
			for (uint32_t t = 0; t < T; t++)
				tgt[j * T + t] = -1;
		}
		ret = llm_dev_forward(d, tok, tgt, &loss);
		if (ret)
			return ret;
		sum += loss * k;
		done += k;
	}
	*out = sum / n;
	return 0;
}

/*
 * The card's fp32 GEMM rate at the model's FFN shape ([B*T][D] x
 * [F][D]^T), as accel-bench measures it: @reps GEMMs in one command
 * buffer, one warm-up submission, then the best of three timed ones.
 */
static int gemm_rate(struct accel_device *dev, uint32_t M, uint32_t N, uint32_t K,
		     double *gflops)
{
	struct accel_bo *a = NULL, *b = NULL, *c = NULL;
	struct accel_cmdbuf *cb = NULL;
	struct accel_fence *f = NULL;
	const int reps = 8;
	double best = 1e30;
	int ret;

	ret = accel_bo_alloc_flags(dev, (uint64_t)M * K * 4, ACCEL_BO_DEVICE_MEM, &a);
	if (!ret)
		ret = accel_bo_alloc_flags(dev, (uint64_t)N * K * 4, ACCEL_BO_DEVICE_MEM, &b);
	if (!ret)
		ret = accel_bo_alloc_flags(dev, (uint64_t)M * N * 4, ACCEL_BO_DEVICE_MEM, &c);
	if (!ret)
		ret = accel_cmdbuf_create(dev, 4096, &cb);
	if (!ret)
		ret = accel_fence_create(dev, &f);
	for (int i = 0; i < reps && !ret; i++) {
		struct accel_gemm g = {
			.size = sizeof(g), .dtype = ACCEL_DTYPE_FP32, .flags = ACCEL_GEMM_TRANS_B,
			.m = M, .n = N, .k = K, .a = accel_bo_va(a), .b = accel_bo_va(b),
			.c = accel_bo_va(c), .lda = K, .ldb = K, .ldc = N, .alpha = 1,
		};
		ret = accel_cmdbuf_gemm(cb, &g);
	}
	for (int i = 0; i < 4 && !ret; i++) {
		struct accel_submit_args s = { .size = sizeof(s), .engine = 0, .signal = f };
		double t0 = now();

		ret = accel_submit(cb, &s, NULL);
		if (!ret)
			ret = accel_fence_wait(f, ACCEL_TIMEOUT_INFINITE);
		if (i && now() - t0 < best)
			best = now() - t0;
	}
	if (!ret)
		*gflops = 2.0 * M * N * K * reps / best / 1e9;
	if (cb)
		accel_cmdbuf_wait_idle(cb, ACCEL_TIMEOUT_INFINITE);
	accel_fence_destroy(f);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(a);
	accel_bo_free(b);
	accel_bo_free(c);
	return ret;
}

static int plot(const char *csv, const char *png)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "gnuplot -e \"set terminal png size 800,500 noenhanced; set output '%s'; "
		 "set datafile separator ','; set key autotitle columnhead; "
		 "set xlabel 'tokens'; set ylabel 'loss (nats/byte)'; set grid; "
		 "plot '%s' using 2:5 with lines lw 2, '' using 2:6 with linespoints lw 2\"",
		 png, csv);
	return system(cmd) ? -EIO : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: accel-train [options]\n"
		"  --card N            the card (0; under mpirun, each rank its node-local\n"
		"                      rank's card from N on)\n");
	llm_train_usage(f);
	fprintf(f,
		"  --log-every N       a progress line every N steps (10)\n"
		"  --png FILE          the curve plotted by gnuplot (needs --csv)\n"
		"  --dp-check          one data-parallel step against a 1-rank step (mpirun -np 2)\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
	enum { O_LOG = LLM_OPT_TOOL, O_PNG, O_CARD, O_DPCHECK };
	static const struct option lo[] = {
		LLM_TRAIN_LONG_OPTS,
		{ "log-every", 1, 0, O_LOG }, { "png", 1, 0, O_PNG }, { "card", 1, 0, O_CARD },
		{ "dp-check", 0, 0, O_DPCHECK }, { "help", 0, 0, 'h' }, { 0 },
	};
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		ret = llm_train_opt(&o->t, c, optarg, "accel-train");
		if (ret < 0)
			return ret;
		if (ret)
			continue;
		switch (c) {
		case O_LOG:
			if (llm_parse_u64(optarg, 1, UINT32_MAX, &o->log_every)) {
				fprintf(stderr, "accel-train: --log-every %s: not a step count\n",
					optarg);
				return -EINVAL;
			}
			break;
		case O_PNG: o->png = optarg; break;
		case O_CARD:
			if (llm_parse_u32(optarg, 0, 255, &o->card)) {
				fprintf(stderr, "accel-train: --card %s: not a card number\n", optarg);
				return -EINVAL;
			}
			break;
		case O_DPCHECK: o->dp_check = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc || (o->png && !o->t.csv)) {
		usage(stderr);
		return -EINVAL;
	}
	return llm_train_opts_finish(&o->t, "accel-train");
}

static int save(const struct opts *o, struct llm_dev *d, const struct llm_model *m, float *w,
		uint64_t step, double val)
{
	const struct llm_train_meta meta = {
		.step = step, .tokens = step * o->t.batch * o->t.cfg.ctx, .seed = o->t.seed,
		.batch = o->t.batch, .lr = o->t.lr, .val_loss = val, .corpus = "fortunes",
	};
	int ret = llm_dev_get_params(d, w);

	if (!ret)
		ret = llm_ckpt_save(o->t.out, m, w, o->t.bf16 ? LLM_CKPT_BF16 : LLM_CKPT_F32, &meta,
				    "tessera-fortunes");
	if (ret)
		fprintf(stderr, "accel-train: %s: %s\n", o->t.out, strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = { .log_every = 10 };
	char err[LLM_ERR_LEN];
	struct accel_device *dev;
	struct llm_corpus corpus;
	struct llm_model m;
	struct llm_dev *d;
	struct llm_rng rng;
	float *w;
	int32_t *tok, *tgt;
	FILE *csv = NULL;
	double t0, train_sum = 0, val = NAN, t_train = 0, gemm = 0;
	uint64_t step, train_n = 0, trained_tokens = 0;
	uint32_t T;
	int ret;

	llm_train_opts_init(&o.t);
	if (parse(argc, argv, &o))
		return 2;
	if (llm_model_init(&m, &o.t.cfg, err)) {
		fprintf(stderr, "accel-train: %s\n", err);
		return 2;
	}
	T = o.t.cfg.ctx;
	ret = llm_corpus_load(o.t.corpus, LLM_VAL_EVERY, &corpus, err);
	if (ret) {
		fprintf(stderr, "accel-train: %s\n", err);
		return 1;
	}
	ret = accel_device_open(o.card, &dev);
	/* the GEMM rate first, while the card's memory is free */
	if (!ret && gemm_rate(dev, o.t.batch * T, o.t.cfg.d_ff, o.t.cfg.d_model, &gemm))
		gemm = 0;
	if (!ret)
		ret = llm_dev_new(dev, &m, o.t.batch, T, &d);
	if (ret) {
		fprintf(stderr, "accel-train: card %u: %s\n", o.card, accel_strerror(ret));
		return 1;
	}
	w = calloc(m.n_params, sizeof(float));
	tok = calloc((size_t)o.t.batch * T, sizeof(*tok));
	tgt = calloc((size_t)o.t.batch * T, sizeof(*tgt));
	if (!w || !tok || !tgt) {
		fprintf(stderr, "accel-train: out of memory\n");
		return 1;
	}
	if (o.t.csv) {
		csv = fopen(o.t.csv, "w");
		if (!csv) {
			fprintf(stderr, "accel-train: %s: %s\n", o.t.csv, strerror(errno));
			return 1;
		}
		fprintf(csv, "step,tokens,seconds,lr,train_loss,val_loss\n");
	}
	printf("accel-train: card %u: d_model %u, %u layers, %u heads, ffn %u, ctx %u: %zu "
	       "parameters, activations in %s memory\n", o.card, o.t.cfg.d_model, o.t.cfg.n_layers,
	       o.t.cfg.n_heads, o.t.cfg.d_ff, T, m.n_params,
	       llm_dev_acts_on_card(d) ? "device" : "host");
	printf("accel-train: corpus %s: %zu train fortunes (%zu bytes), %zu validation (%zu "
	       "bytes)\n", o.t.corpus, corpus.n_train, corpus.train_len, corpus.n_val,
	       corpus.val_len);
	printf("accel-train: batch %u x %u, %llu steps, lr %g -> %g (warmup %llu), wd %g, "
	       "beta2 %g, clip %g, seed %llu\n", o.t.batch, T, (unsigned long long)o.t.steps, o.t.lr,
	       o.t.min_lr, (unsigned long long)o.t.warmup, o.t.hp.weight_decay, o.t.hp.beta2, o.t.clip,
	       (unsigned long long)o.t.seed);
	fflush(stdout);
	llm_init_weights(&m, o.t.seed, w);
	ret = llm_dev_set_params(d, w);
	if (ret) {
		fprintf(stderr, "accel-train: %s\n", accel_strerror(ret));
		return 1;
	}
	llm_rng_seed(&rng, o.t.seed ^ 0x5eed0fba7c4e5ull);
	t0 = now();
	for (step = 1; step <= o.t.steps; step++) {
		double loss, norm, t1 = now();

		llm_batch(corpus.train, corpus.train_len, o.t.batch, T, &rng, tok, tgt);
		o.t.hp.lr = (float)llm_train_lr_at(&o.t, step);
		ret = llm_dev_train_step(d, tok, tgt, &o.t.hp, (uint32_t)step, (float)o.t.clip, &loss,
					 &norm);
		if (ret) {
			fprintf(stderr, "accel-train: step %llu: %s\n", (unsigned long long)step,
				accel_strerror(ret));
			return 1;
		}
		t_train += now() - t1;
		trained_tokens += (uint64_t)o.t.batch * T;
		train_sum += loss;
		train_n++;

		bool last = step == o.t.steps || (o.t.time_limit > 0 && now() - t0 >= o.t.time_limit);

		if (step % o.log_every == 0 || step == 1 || last) {
			double tps = trained_tokens / t_train, el = now() - t0;
			double eta = el / step * (o.t.steps - step);
			int fill = (int)(30 * step / o.t.steps);

			printf("[%.*s%*s] step %llu/%llu  loss %.4f  |g| %.3f  %.0f tok/s  ETA %.0f s\n",
			       fill, "##############################", 30 - fill, "",
			       (unsigned long long)step, (unsigned long long)o.t.steps, loss, norm, tps,
			       eta);
			fflush(stdout);
		}
		if (step % o.t.eval_every && !last)
			continue;
		double el = now() - t0;
		uint64_t tokens = step * o.t.batch * T;

		ret = validate(d, &corpus, T, o.t.batch, last ? 0 : o.t.eval_windows, tok, tgt, &val);
		if (ret) {
			fprintf(stderr, "accel-train: validation: %s\n", accel_strerror(ret));
			return 1;
		}
		printf("step %6llu  tokens %9llu  %7.1f s  lr %.2e  train %.4f  val %.4f%s\n",
		       (unsigned long long)step, (unsigned long long)tokens, el, o.t.hp.lr,
		       train_sum / train_n, val, last ? " (whole split)" : "");
		fflush(stdout);
		if (csv) {
			fprintf(csv, "%llu,%llu,%.1f,%.4g,%.4f,%.4f\n", (unsigned long long)step,
				(unsigned long long)tokens, el, o.t.hp.lr, train_sum / train_n, val);
			fflush(csv);
		}
		train_sum = 0;
		train_n = 0;
		if (o.t.out && save(&o, d, &m, w, step, val))
			return 1;
		if (last)
			break;
	}
	if (csv)
		fclose(csv);
	double tps = trained_tokens / t_train;
	double mflops = 3 * llm_flops_per_token(&m, T) * tps;

	printf("accel-train: %llu tokens in %.1f s of training steps: %.0f tokens/s, %.2f GFLOP/s "
	       "of model FLOPs (3 x %.2f MFLOP/token)\n", (unsigned long long)trained_tokens,
	       t_train, tps, mflops / 1e9, llm_flops_per_token(&m, T) / 1e6);
	if (gemm > 0)
		printf("accel-train: card fp32 GEMM %ux%ux%u: %.2f GFLOP/s; training runs at %.0f%% "
		       "of it\n", o.t.batch * T, o.t.cfg.d_ff, o.t.cfg.d_model, gemm,
		       100 * mflops / 1e9 / gemm);
	else
		printf("accel-train: the GEMM benchmark failed\n");
	if (o.t.out)
		printf("accel-train: checkpoint %s (val loss %.4f)\n", o.t.out, val);
	if (o.png) {
		ret = plot(o.t.csv, o.png);
		printf("accel-train: loss curve %s%s\n", o.png, ret ? " (gnuplot failed)" : "");
	}
	llm_dev_free(d);
	accel_device_close(dev);
	llm_corpus_free(&corpus);
	free(w);
	free(tok);
	free(tgt);
	return 0;
}
