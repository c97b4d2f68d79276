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

#include <mpi.h>

#include "dev_model.h"
#include "dp.h"
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
	int overlap;	/* -1: the library's default, else LLM_DEV_OVERLAP_* */
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
		uint32_t k;
		double loss;
		int ret;

		k = llm_val_batch(c->val, c->val_len, T, B, done, n, tok, tgt);
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
		"  --overlap on|off    the backward's weight gradients on a second compute\n"
		"                      engine (%s where the card has one)\n"
		"  --dp-check          one data-parallel step against a 1-rank step (mpirun -np 2)\n",
		LLM_DEV_OVERLAP_DEFAULT & LLM_DEV_OVERLAP_ON ? "on" : "off");
}

static int parse(int argc, char **argv, struct opts *o)
{
	enum { O_LOG = LLM_OPT_TOOL, O_PNG, O_CARD, O_DPCHECK, O_OVERLAP };
	static const struct option lo[] = {
		LLM_TRAIN_LONG_OPTS,
		{ "log-every", 1, 0, O_LOG }, { "png", 1, 0, O_PNG }, { "card", 1, 0, O_CARD },
		{ "dp-check", 0, 0, O_DPCHECK }, { "overlap", 1, 0, O_OVERLAP },
		{ "help", 0, 0, 'h' }, { 0 },
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
		case O_OVERLAP:
			if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				fprintf(stderr, "accel-train: --overlap %s: not on or off\n", optarg);
				return -EINVAL;
			}
			o->overlap = strcmp(optarg, "on") ? LLM_DEV_OVERLAP_OFF : LLM_DEV_OVERLAP_ON;
			break;
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

/* Fail every rank: one that stops alone would leave the others in a collective. */
static int fail(const struct llm_dp *dp, int code)
{
	if (dp->mpi)
		MPI_Abort(MPI_COMM_WORLD, code);
	return code;
}

/*
 * One data-parallel step: this rank's forward and backward over its
 * slice, the gradients averaged over every rank's tokens, then AdamW on
 * the card.  *@loss: the mean over every rank's tokens.
 */
static int dp_step(struct llm_dev *d, const struct llm_dp *dp, const int32_t *tok,
		   const int32_t *tgt, size_t ntok, const struct llm_adamw *hp, uint32_t step,
		   float clip, float *g, size_t n, double *loss, double *norm)
{
	double valid = 0, l;
	int ret;

	for (size_t i = 0; i < ntok; i++)
		valid += tgt[i] >= 0;
	ret = llm_dev_forward_backward(d, tok, tgt, &l);
	if (!ret)
		ret = llm_dev_get_grads(d, g);
	if (!ret)
		ret = llm_dp_grad_mean(dp, g, n, valid);
	if (!ret)
		ret = llm_dev_set_grads(d, g);
	if (!ret)
		ret = llm_dev_adamw(d, hp, step, clip, norm);
	if (!ret)
		*loss = llm_dp_sum(dp, l * valid) / llm_dp_sum(dp, valid);
	return ret;
}

static double max_abs_diff(const float *a, const float *b, size_t n, double *max_b)
{
	double m = 0, mb = 0;

	for (size_t i = 0; i < n; i++) {
		double e = fabs((double)a[i] - b[i]);

		m = e > m ? e : m;
		mb = fabs(b[i]) > mb ? fabs(b[i]) : mb;
	}
	if (max_b)
		*max_b = mb;
	return m;
}

/*
 * --dp-check: one step with the global batch split over the ranks
 * against the same step on rank 0's card alone, from the same weights.
 * 0 if they agree within fp32 tolerance, 1 if not.
 */
static int dp_check(const struct opts *o, const struct llm_dp *dp, struct accel_device *dev,
		    const struct llm_model *m, const struct llm_corpus *c, struct llm_dev *d,
		    const float *w0, int32_t *tok, int32_t *tgt, float *g)
{
	uint32_t T = o->t.cfg.ctx, Bl = o->t.batch / dp->size;
	size_t n = m->n_params, slice = (size_t)Bl * T, far = 0;
	struct llm_adamw hp = o->t.hp;
	float *g_dp, *w_dp, *w_rank0, *w_ref;
	double loss_dp, loss_ref, norm, gmax, dg, dw, dr;
	struct llm_dev *one = NULL;
	struct llm_rng rng;
	int ret;

	g_dp = malloc(n * sizeof(float));
	w_dp = malloc(n * sizeof(float));
	w_rank0 = malloc(n * sizeof(float));
	w_ref = malloc(n * sizeof(float));
	if (!g_dp || !w_dp || !w_rank0 || !w_ref)
		return -ENOMEM;
	llm_rng_seed(&rng, o->t.seed ^ 0x5eed0fba7c4e5ull);
	llm_batch(c->train, c->train_len, o->t.batch, T, &rng, tok, tgt);
	hp.lr = (float)llm_train_lr_at(&o->t, 1);
	ret = dp_step(d, dp, tok + dp->rank * slice, tgt + dp->rank * slice, slice, &hp, 1,
		      (float)o->t.clip, g, n, &loss_dp, &norm);
	if (!ret)
		ret = llm_dev_get_params(d, w_dp);
	if (ret)
		return ret;
	memcpy(g_dp, g, n * sizeof(float));
	/* The ranks' weights: identical, as they ran the same step on the same gradient. */
	memcpy(w_rank0, w_dp, n * sizeof(float));
	ret = llm_dp_bcast_floats(dp, w_rank0, n);
	if (ret)
		return ret;
	dr = llm_dp_max(dp, max_abs_diff(w_dp, w_rank0, n, NULL));
	/* The same step on rank 0's card alone: the whole global batch. */
	if (!dp->rank) {
		llm_dev_free(d);
		ret = llm_dev_new(dev, m, o->t.batch, T, &one);
		if (!ret)
			ret = llm_dev_set_params(one, w0);
		if (!ret)
			ret = llm_dev_forward_backward(one, tok, tgt, &loss_ref);
		if (!ret)
			ret = llm_dev_get_grads(one, g);
		if (!ret)
			ret = llm_dev_adamw(one, &hp, 1, (float)o->t.clip, &norm);
		if (!ret)
			ret = llm_dev_get_params(one, w_ref);
		llm_dev_free(one);
	}
	llm_dp_barrier(dp);
	if (ret)
		return ret;
	if (dp->rank)
		goto out;
	dg = max_abs_diff(g_dp, g, n, &gmax);
	dw = max_abs_diff(w_dp, w_ref, n, NULL);
	for (size_t i = 0; i < n; i++)
		far += fabs((double)w_dp[i] - w_ref[i]) > 1e-3 * hp.lr;
	printf("accel-train: dp-check: %d ranks x %u sequences vs 1 x %u: loss %.6f vs %.6f, "
	       "max |grad diff| %.3g (%.3g of the largest); weights after a step of lr %.3g: "
	       "ranks differ by %.3g, from one card's by at most %.3g (%.3g lr), %zu of %zu by "
	       "over 1e-3 lr\n", dp->size, Bl, o->t.batch, loss_dp, loss_ref, dg,
	       gmax > 0 ? dg / gmax : 0, hp.lr, dr, dw, dw / hp.lr, far, n);
	/*
	 * fp32 sums of the same tokens in another order (the GEMMs' K runs
	 * over each rank's tokens, then the ranks are added): the loss to
	 * 1e-5 of itself, the gradient to 1e-4 of its largest element (the
	 * check that would catch a sum taken for a mean: Adam's step is the
	 * same for any scale of the gradient).  The ranks' weights are the
	 * same bits.  AdamW's first step is lr * g / (|g| + eps): a
	 * component whose gradient is near eps (1e-8) moves by a part of lr
	 * that the last bits of g decide, so one card's weights may differ
	 * by up to 2 lr there; such components are rare (at most 1e-3 of
	 * them over 1e-3 lr).
	 */
	ret = fabs(loss_dp - loss_ref) <= 1e-5 * fabs(loss_ref) && gmax > 0 && dg <= 1e-4 * gmax &&
	      dr == 0 && dw <= 2 * hp.lr && far <= n / 1000 ? 0 : 1;
	printf("accel-train: dp-check %s\n", ret ? "FAILED" : "passed");
out:
	free(g_dp);
	free(w_dp);
	free(w_rank0);
	free(w_ref);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = { .log_every = 10, .overlap = -1 };
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
	uint32_t T, Bl, card;
	struct llm_dp dp;
	float *g = NULL;
	bool lead;
	int ret;

	if (llm_dp_init(&argc, &argv, &dp)) {
		fprintf(stderr, "accel-train: MPI did not start\n");
		return 1;
	}
	lead = dp.rank == 0;
	llm_train_opts_init(&o.t);
	if (parse(argc, argv, &o))
		return fail(&dp, 2);
	if (o.t.batch % dp.size) {
		fprintf(stderr, "accel-train: --batch %u does not split over %d ranks\n", o.t.batch,
			dp.size);
		return fail(&dp, 2);
	}
	if (o.dp_check && dp.size < 2) {
		fprintf(stderr, "accel-train: --dp-check runs under mpirun -np 2 (or more)\n");
		return 2;
	}
	Bl = o.t.batch / dp.size;
	card = o.card + (uint32_t)dp.local_rank;
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
	ret = accel_device_open(card, &dev);
	/* the GEMM rate first, while the card's memory is free */
	if (!ret && !o.dp_check && gemm_rate(dev, Bl * T, o.t.cfg.d_ff, o.t.cfg.d_model, &gemm))
		gemm = 0;
	if (!ret)
		ret = llm_dev_new(dev, &m, Bl, T, &d);
	if (!ret && o.overlap >= 0)
		ret = llm_dev_set_overlap(d, o.overlap);
	if (ret) {
		fprintf(stderr, "accel-train: rank %d: card %u: %s\n", dp.rank, card,
			accel_strerror(ret));
		return fail(&dp, 1);
	}
	w = calloc(m.n_params, sizeof(float));
	tok = calloc((size_t)o.t.batch * T, sizeof(*tok));
	tgt = calloc((size_t)o.t.batch * T, sizeof(*tgt));
	if (dp.size > 1)
		g = calloc(m.n_params, sizeof(float));
	if (!w || !tok || !tgt || (dp.size > 1 && !g)) {
		fprintf(stderr, "accel-train: out of memory\n");
		return fail(&dp, 1);
	}
	if (!lead) {
		/* rank 0 alone writes the curve, the checkpoint and the plot */
		o.t.csv = NULL;
		o.t.out = NULL;
		o.png = NULL;
	}
	if (o.t.csv) {
		csv = fopen(o.t.csv, "w");
		if (!csv) {
			fprintf(stderr, "accel-train: %s: %s\n", o.t.csv, strerror(errno));
			return 1;
		}
		fprintf(csv, "step,tokens,seconds,lr,train_loss,val_loss\n");
	}
	if (lead) {
		printf("accel-train: card %u: d_model %u, %u layers, %u heads, ffn %u, ctx %u: %zu "
		       "parameters, activations in %s memory, engine overlap %s\n", card,
		       o.t.cfg.d_model, o.t.cfg.n_layers, o.t.cfg.n_heads, o.t.cfg.d_ff, T,
		       m.n_params, llm_dev_acts_on_card(d) ? "device" : "host",
		       llm_dev_overlap(d) & LLM_DEV_OVERLAP_ON ? "on" : "off");
		if (dp.size > 1)
			printf("accel-train: data parallel: %d ranks, one card each (cards %u..), "
			       "%u sequences per rank\n", dp.size, o.card, Bl);
		printf("accel-train: corpus %s: %zu train fortunes (%zu bytes), %zu validation "
		       "(%zu bytes)\n", o.t.corpus, corpus.n_train, corpus.train_len, corpus.n_val,
		       corpus.val_len);
		printf("accel-train: batch %u x %u, %llu steps, lr %g -> %g (warmup %llu), wd %g, "
		       "beta2 %g, clip %g, seed %llu\n", o.t.batch, T,
		       (unsigned long long)o.t.steps, o.t.lr, o.t.min_lr,
		       (unsigned long long)o.t.warmup, o.t.hp.weight_decay, o.t.hp.beta2, o.t.clip,
		       (unsigned long long)o.t.seed);
		fflush(stdout);
	}
	llm_init_weights(&m, o.t.seed, w);
	ret = llm_dev_set_params(d, w);
	if (ret) {
		fprintf(stderr, "accel-train: %s\n", accel_strerror(ret));
		return fail(&dp, 1);
	}
	if (o.dp_check) {
		ret = dp_check(&o, &dp, dev, &m, &corpus, d, w, tok, tgt, g);
		if (ret < 0)
			fprintf(stderr, "accel-train: rank %d: dp-check: %s\n", dp.rank,
				accel_strerror(ret));
		llm_dp_fini(&dp);
		return ret ? 1 : 0;
	}
	llm_rng_seed(&rng, o.t.seed ^ 0x5eed0fba7c4e5ull);
	t0 = now();
	for (step = 1; step <= o.t.steps; step++) {
		double loss, norm, t1 = now();

		/* every rank draws the global batch and takes its slice */
		llm_batch(corpus.train, corpus.train_len, o.t.batch, T, &rng, tok, tgt);
		o.t.hp.lr = (float)llm_train_lr_at(&o.t, step);
		if (dp.size > 1)
			ret = dp_step(d, &dp, tok + (size_t)dp.rank * Bl * T,
				      tgt + (size_t)dp.rank * Bl * T, (size_t)Bl * T, &o.t.hp,
				      (uint32_t)step, (float)o.t.clip, g, m.n_params, &loss, &norm);
		else
			ret = llm_dev_train_step(d, tok, tgt, &o.t.hp, (uint32_t)step,
						 (float)o.t.clip, &loss, &norm);
		if (ret) {
			fprintf(stderr, "accel-train: rank %d: step %llu: %s\n", dp.rank,
				(unsigned long long)step, accel_strerror(ret));
			return fail(&dp, 1);
		}
		t_train += now() - t1;
		trained_tokens += (uint64_t)o.t.batch * T;
		train_sum += loss;
		train_n++;

		bool last = step == o.t.steps || (o.t.time_limit > 0 && now() - t0 >= o.t.time_limit);

		/* rank 0's clock decides for every rank */
		last = llm_dp_bcast(&dp, last) != 0;
		if (lead && (step % o.log_every == 0 || step == 1 || last)) {
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

		/* on rank 0's card; the others wait for its result */
		if (lead)
			ret = validate(d, &corpus, T, Bl, last ? 0 : o.t.eval_windows, tok, tgt, &val);
		if (ret) {
			fprintf(stderr, "accel-train: validation: %s\n", accel_strerror(ret));
			return fail(&dp, 1);
		}
		val = llm_dp_bcast(&dp, val);
		if (lead)
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
			return fail(&dp, 1);
		if (last)
			break;
	}
	if (csv)
		fclose(csv);
	double tps = trained_tokens / t_train;
	double mflops = 3 * llm_flops_per_token(&m, T) * tps;

	llm_dp_fini(&dp);
	if (!lead)
		goto out;
	printf("accel-train: %llu tokens in %.1f s of training steps: %.0f tokens/s, %.2f GFLOP/s "
	       "of model FLOPs (3 x %.2f MFLOP/token)\n", (unsigned long long)trained_tokens,
	       t_train, tps, mflops / 1e9, llm_flops_per_token(&m, T) / 1e6);
	if (gemm > 0)
		printf("accel-train: card fp32 GEMM %ux%ux%u: %.2f GFLOP/s; training runs at %.0f%% "
		       "of it%s\n", Bl * T, o.t.cfg.d_ff, o.t.cfg.d_model, gemm,
		       100 * mflops / 1e9 / gemm / dp.size, dp.size > 1 ? " per card" : "");
	else
		printf("accel-train: the GEMM benchmark failed\n");
	if (o.t.out)
		printf("accel-train: checkpoint %s (val loss %.4f)\n", o.t.out, val);
	if (o.png) {
		ret = plot(o.t.csv, o.png);
		printf("accel-train: loss curve %s%s\n", o.png, ret ? " (gnuplot failed)" : "");
	}
out:
	llm_dev_free(d);
	accel_device_close(dev);
	llm_corpus_free(&corpus);
	free(w);
	free(tok);
	free(tgt);
	free(g);
	return 0;
}
