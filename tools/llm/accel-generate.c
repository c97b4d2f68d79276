// SPDX-License-Identifier: MIT
/*
 * accel-generate: load a GGUF checkpoint and generate text on the card
 * (dev_decode.c: KV cache in device memory, the prompt as one prefill
 * job, then one job per token), greedy or with temperature and top-k
 * (llm_sample(), the CPU tool's sampler).  Prints the text on stdout
 * (exactly as cpu-generate does, so the two can be compared), then on
 * stderr the prefill and decode tokens/s and the device time by command
 * class.  --check N runs the CPU reference (llm_ref_decode()) beside it
 * and compares the logits of the first N generated positions.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev_decode.h"
#include "gen_opts.h"
#include "llm_ckpt.h"
#include "rng.h"

void openblas_set_num_threads(int n);

/*
 * --check's tolerance on a position's logits: max |card - cpu| <=
 * CHECK_ABS + CHECK_REL * max |cpu|.  Every command is fp32 with one
 * rounding, and the programming guide bounds each one's difference from
 * a sequential fp32 computation by ordinary rounding: a GEMM's blocked
 * sums by about sqrt(K) ulps of the largest partial sum (K <= 688 here:
 * about 2e-6 relative), SOFTMAX, RMSNORM and ROPE by a few ulps plus
 * 1e-6 absolute.  Each layer feeds a few such errors into the next
 * through normalised activations, so they add up, not multiply: a few
 * 1e-6 per layer relative to the scale of the logits.  1e-4 relative is
 * that with a margin of an order of magnitude for deep or trained models,
 * and 1e-5 absolute covers logits near 0; a wrong position, mask, cache
 * row or weight moves the logits by percent, not by 1e-4.
 */
#define CHECK_ABS 1e-5
#define CHECK_REL 1e-4

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The context slides as cpu-generate's does: when it is full, the last
 * half of it (ending with @tok) is prefilled again from position 0. */
static int card_step(struct llm_dec *d, uint32_t ctx, const int32_t *hist, size_t n,
		     float *logits)
{
	if (llm_dec_pos(d) == ctx) {
		uint32_t keep = ctx / 2;

		llm_dec_reset(d);
		return llm_dec_run(d, hist + n - keep, keep, logits);
	}
	return llm_dec_run(d, hist + n - 1, 1, logits);
}

static int cpu_step(const struct llm_ckpt *ck, struct llm_kv *kv, const int32_t *hist, size_t n,
		    float *logits)
{
	int ret;

	if (kv->pos == kv->ctx) {
		uint32_t keep = kv->ctx / 2;

		kv->pos = 0;
		for (size_t i = n - keep; i < n - 1; i++) {
			ret = llm_ref_decode(&ck->m, ck->w, kv, hist[i], logits);
			if (ret)
				return ret;
		}
	}
	return llm_ref_decode(&ck->m, ck->w, kv, hist[n - 1], logits);
}

struct check {
	uint32_t done, bad;
	double worst_abs, worst_rel, worst_ratio;	/* ratio: error / tolerance */
	uint32_t worst_at;
};

/* One position: card logits @got against the CPU's @want. */
static void compare(struct check *c, uint32_t V, const float *got, const float *want,
		    int32_t picked, bool greedy)
{
	double err = 0, scale = 0, tol;
	uint32_t best = 0;

	for (uint32_t i = 0; i < V; i++) {
		double e = fabs((double)got[i] - want[i]);

		err = e > err || isnan(e) ? e : err;
		scale = fmax(scale, fabs(want[i]));
		best = want[i] > want[best] ? i : best;
	}
	tol = CHECK_ABS + CHECK_REL * scale;
	if (!(err <= tol)) {
		c->bad++;
		fprintf(stderr,
			"accel-generate: check: position %u: logits max abs error %.3g, rel %.3g "
			"(tolerance %.3g)\n", c->done, err, scale > 0 ? err / scale : err, tol);
	}
	/* greedy: the card's pick is the CPU's, unless the two are closer than
	 * the tolerance (a tie the rounding may break either way) */
	if (greedy && picked != (int32_t)best && want[best] - want[picked] > 2 * tol) {
		c->bad++;
		fprintf(stderr, "accel-generate: check: position %u: greedy token %d, CPU %u "
			"(logits %.6g vs %.6g)\n", c->done, picked, best, want[picked],
			want[best]);
	}
	if (err / tol > c->worst_ratio || !c->done) {
		c->worst_ratio = err / tol;
		c->worst_abs = err;
		c->worst_rel = scale > 0 ? err / scale : err;
		c->worst_at = c->done;
	}
	c->done++;
}

static void print_prof(const struct llm_prof *pre, const struct llm_prof *all)
{
	uint64_t tp = llm_prof_total(pre), ta = llm_prof_total(all);

	fprintf(stderr, "accel-generate: device time by command class (TIMESTAMPs):\n"
		"  %-16s %12s %12s %8s %9s\n", "class", "prompt ms", "decode ms", "decode",
		"cmds/step");
	for (unsigned int i = 0; i < LLM_CLS_COUNT; i++) {
		uint64_t dj = all->jobs - pre->jobs, dn = all->ns[i] - pre->ns[i];

		fprintf(stderr, "  %-16s %12.3f %12.3f %7.1f%% %9.1f\n", llm_cmd_class_name(i),
			pre->ns[i] * 1e-6, dn * 1e-6, ta > tp ? 100.0 * dn / (ta - tp) : 0.0,
			dj ? (double)(all->cmds[i] - pre->cmds[i]) / dj : 0.0);
	}
	fprintf(stderr, "  %-16s %12.3f %12.3f   (%llu prompt, %llu decode jobs)\n", "total",
		tp * 1e-6, (ta - tp) * 1e-6, (unsigned long long)pre->jobs,
		(unsigned long long)(all->jobs - pre->jobs));
}

int main(int argc, char **argv)
{
	struct llm_gen_opts o;
	char err[LLM_ERR_LEN];
	struct llm_ckpt ck;
	struct accel_device *dev;
	struct llm_dec *d;
	struct llm_kv kv = { 0 };
	struct llm_rng rng;
	struct check chk = { 0 };
	struct llm_prof pre = { 0 };
	const char *prompt;
	float *logits, *ref = NULL;
	int32_t *hist, tok;
	size_t plen, n = 0;
	uint32_t ctx, first;
	double t0, t1, t2;
	int ret;

	if (llm_gen_parse_args(argc, argv, &o, err)) {
		fprintf(stderr, "accel-generate: %s\n%s", err, llm_gen_usage);
		return 2;
	}
	if (o.help) {
		fputs(llm_gen_usage, stdout);
		return 0;
	}
	openblas_set_num_threads(1);
	if (llm_ckpt_load(o.model, &ck, err)) {
		fprintf(stderr, "accel-generate: %s\n", err);
		return 1;
	}
	ctx = ck.m.cfg.ctx;
	ret = accel_device_open(o.card, &dev);
	if (ret) {
		fprintf(stderr, "accel-generate: card %u: %s\n", o.card, accel_strerror(ret));
		return 1;
	}
	ret = llm_dec_new(dev, &ck.m, ck.w, o.timing, &d);
	if (ret) {
		fprintf(stderr, "accel-generate: the model on card %u: %s\n", o.card,
			accel_strerror(ret));
		return 1;
	}
	/* no prompt: start after a fortune's end, as the training text does */
	prompt = *o.prompt ? o.prompt : "%\n";
	plen = strlen(prompt);
	logits = malloc(ck.m.cfg.vocab * sizeof(float));
	ref = malloc(ck.m.cfg.vocab * sizeof(float));
	hist = malloc((plen + o.tokens + 1) * sizeof(*hist));
	if (!logits || !ref || !hist || (o.check && llm_kv_init(&kv, &ck.m))) {
		fprintf(stderr, "accel-generate: out of memory\n");
		return 1;
	}
	llm_rng_seed(&rng, o.seed);

	/* the prompt: as much as fits in one prefill job, the rest stepwise */
	t0 = now();
	first = plen < ctx ? (uint32_t)plen : ctx;
	for (size_t i = 0; i < plen; i++)
		hist[i] = (unsigned char)prompt[i];
	ret = llm_dec_run(d, hist, first, logits);
	for (n = first; !ret && n < plen;)
		ret = card_step(d, ctx, hist, ++n, logits);
	if (ret)
		goto fail;
	t1 = now();
	if (o.check)
		for (size_t i = 1; !ret && i <= plen; i++)
			ret = cpu_step(&ck, &kv, hist, i, ref);
	if (ret)
		goto fail;
	pre = *llm_dec_prof(d);

	fputs(*o.prompt ? prompt : "", stdout);
	t2 = now();
	for (uint32_t i = 0; i < o.tokens; i++) {
		tok = llm_sample(logits, ck.m.cfg.vocab, o.temperature, o.top_k, &rng);
		if (i < o.check)
			compare(&chk, ck.m.cfg.vocab, logits, ref, tok, !(o.temperature > 0));
		putchar(tok);
		hist[n++] = tok;
		if (i + 1 == o.tokens)
			break;
		ret = card_step(d, ctx, hist, n, logits);
		if (!ret && i + 1 < o.check)
			ret = cpu_step(&ck, &kv, hist, n, ref);
		if (ret)
			goto fail;
	}
	putchar('\n');
	fflush(stdout);
	double t3 = now();

	fprintf(stderr, "accel-generate: %s: %u layers, d_model %u, ctx %u; card %u\n", o.model,
		ck.m.cfg.n_layers, ck.m.cfg.d_model, ctx, o.card);
	fprintf(stderr, "accel-generate: prefill %zu tokens: %.0f tokens/s (%.2f ms)\n", plen,
		plen / (t1 - t0), (t1 - t0) * 1e3);
	if (o.tokens > 1)
		fprintf(stderr,
			"accel-generate: decode %u tokens: %.1f tokens/s (%.2f ms/token; %u step "
			"buffers recorded, %u commands, %zu bytes each)\n", o.tokens - 1,
			(o.tokens - 1) / (t3 - t2), (t3 - t2) * 1e3 / (o.tokens - 1),
			llm_dec_recorded(d), llm_dec_step_cmds(d), llm_dec_step_bytes(d));
	if (o.timing)
		print_prof(&pre, llm_dec_prof(d));
	if (o.check) {
		fprintf(stderr,
			"accel-generate: check: %u positions against the CPU reference: %s; worst "
			"at position %u: max abs error %.3g, max rel error %.3g (%.2g of the "
			"tolerance %g + %g * max|logit|)\n", chk.done, chk.bad ? "FAILED" : "ok",
			chk.worst_at, chk.worst_abs, chk.worst_rel, chk.worst_ratio, CHECK_ABS,
			CHECK_REL);
		llm_kv_free(&kv);
	}
	llm_dec_free(d);
	accel_device_close(dev);
	llm_ckpt_free(&ck);
	free(logits);
	free(ref);
	free(hist);
	return chk.bad ? 1 : 0;
fail:
	fflush(stdout);
	fprintf(stderr, "\naccel-generate: %s\n", accel_strerror(ret));
	return 1;
}
