// SPDX-License-Identifier: MIT
/*
 * cpu-generate: load a GGUF checkpoint and generate text with the CPU
 * reference model (KV cache; greedy, or temperature and top-k with a
 * seed).  The same model the card's accel-generate is checked against.
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

#include "cli.h"
#include "llm.h"
#include "llm_ckpt.h"
#include "rng.h"

void openblas_set_num_threads(int n);

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cpu-generate [options] CHECKPOINT.gguf\n"
		"  --prompt TEXT       the text to continue (\"\")\n"
		"  --tokens N          bytes to generate (200)\n"
		"  --temperature X     0: greedy (0.8)\n"
		"  --top-k N           sample among the N most likely (40; 0: all)\n"
		"  --seed N            the sampler's seed (1)\n"
		"  --top N             print the N most likely next bytes after the prompt\n"
		"  --stats             prefill and decode bytes/s on stderr\n");
}

/* The prompt's position and the cache: slide by re-prefilling the last
 * half of the context when it is full. */
static int step(const struct llm_model *m, const float *w, struct llm_kv *kv, int32_t *hist,
		size_t *n, int32_t tok, float *logits)
{
	int ret;

	hist[(*n)++] = tok;
	if (kv->pos == kv->ctx) {
		uint32_t keep = kv->ctx / 2;

		kv->pos = 0;
		for (size_t i = *n - keep; i < *n - 1; i++) {
			ret = llm_ref_decode(m, w, kv, hist[i], logits);
			if (ret)
				return ret;
		}
	}
	return llm_ref_decode(m, w, kv, tok, logits);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "prompt", 1, 0, 'p' }, { "tokens", 1, 0, 'n' }, { "temperature", 1, 0, 't' },
		{ "top-k", 1, 0, 'k' }, { "seed", 1, 0, 's' }, { "top", 1, 0, 'T' },
		{ "stats", 0, 0, 'S' }, { "help", 0, 0, 'h' }, { 0 },
	};
	const char *prompt = "";
	long ntok = 200, top = 0;
	double temp = 0.8;
	unsigned long top_k = 40;
	unsigned long long seed = 1;
	bool stats = false;
	char err[LLM_ERR_LEN];
	struct llm_ckpt ck;
	struct llm_kv kv;
	struct llm_rng rng;
	float *logits;
	int32_t *hist, tok;
	size_t n = 0, plen;
	double t0, t1;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		uint64_t v;
		bool bad = false;

		switch (c) {
		case 'p': prompt = optarg; break;
		case 'n':
			bad = llm_parse_u64(optarg, 0, 1u << 24, &v);
			ntok = (long)v;
			break;
		case 't': bad = llm_parse_double(optarg, 0, 1e6, &temp); break;
		case 'k':
			bad = llm_parse_u64(optarg, 0, UINT32_MAX, &v);
			top_k = (unsigned long)v;
			break;
		case 's':
			bad = llm_parse_u64(optarg, 0, UINT64_MAX, &v);
			seed = v;
			break;
		case 'T':
			bad = llm_parse_u64(optarg, 0, 1u << 16, &v);
			top = (long)v;
			break;
		case 'S': stats = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (bad) {
			fprintf(stderr, "cpu-generate: %s: not a valid value\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	openblas_set_num_threads(1);
	ret = llm_ckpt_load(argv[optind], &ck, err);
	if (ret) {
		fprintf(stderr, "cpu-generate: %s\n", err);
		return 1;
	}
	plen = strlen(prompt);
	logits = malloc(ck.m.cfg.vocab * sizeof(float));
	hist = malloc((plen + ntok + 1) * sizeof(*hist));
	if (!logits || !hist || llm_kv_init(&kv, &ck.m)) {
		fprintf(stderr, "cpu-generate: out of memory\n");
		return 1;
	}
	llm_rng_seed(&rng, seed);
	/* no prompt: start after a fortune's end, as the training text does */
	if (!plen)
		prompt = "%\n";
	plen = strlen(prompt);
	t0 = now();
	for (size_t i = 0; i < plen; i++) {
		ret = step(&ck.m, ck.w, &kv, hist, &n, (unsigned char)prompt[i], logits);
		if (ret)
			goto fail;
	}
	t1 = now();
	if (top > 0) {
		double mx = -INFINITY, sum = 0;
		bool *used = calloc(ck.m.cfg.vocab, sizeof(bool));

		for (uint32_t j = 0; j < ck.m.cfg.vocab; j++)
			mx = fmax(mx, logits[j]);
		for (uint32_t j = 0; j < ck.m.cfg.vocab; j++)
			sum += exp(logits[j] - mx);
		for (long r = 0; used && r < top && r < (long)ck.m.cfg.vocab; r++) {
			uint32_t best = 0;

			while (used[best])
				best++;
			for (uint32_t j = 0; j < ck.m.cfg.vocab; j++)
				best = !used[j] && logits[j] > logits[best] ? j : best;
			used[best] = true;
			printf("next %3u %-4s p %.6f\n", best,
			       best >= 0x21 && best < 0x7f ? (char[2]){ (char)best, 0 } : "",
			       exp(logits[best] - mx) / sum);
		}
		free(used);
	}
	fputs(strcmp(prompt, "%\n") ? prompt : "", stdout);
	for (long i = 0; i < ntok; i++) {
		tok = llm_sample(logits, ck.m.cfg.vocab, (float)temp, top_k, &rng);
		putchar(tok);
		if (i + 1 < ntok) {
			ret = step(&ck.m, ck.w, &kv, hist, &n, tok, logits);
			if (ret)
				goto fail;
		}
	}
	putchar('\n');
	if (stats)
		fprintf(stderr, "cpu-generate: prefill %zu bytes %.0f/s, decode %ld bytes %.0f/s\n",
			plen, plen / (t1 - t0), ntok, ntok > 1 ? (ntok - 1) / (now() - t1) : 0.0);
	llm_kv_free(&kv);
	llm_ckpt_free(&ck);
	free(logits);
	free(hist);
	return 0;
fail:
	fprintf(stderr, "cpu-generate: %s\n", strerror(-ret));
	return 1;
}
