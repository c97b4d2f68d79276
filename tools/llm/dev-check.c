// SPDX-License-Identifier: MIT
/*
 * dev-check: the card's llama model (dev_model.c) against the CPU
 * reference, run in the guest by tests/guest/llm-dev-test.sh.  A tiny
 * configuration: the forward loss and logits, every parameter's gradient
 * (relative L2 error per tensor <= 1e-3), one AdamW step against
 * llm_ref_adamw(), a step through the patched optimizer buffer against
 * one recorded afresh, a few steps making the loss fall, and a GGUF round
 * trip of the card's weights giving the same logits on the card and the
 * CPU; and with the backward's weight gradients on a second engine, the
 * same gradients and weights to the bit, with either engine held back.
 * KTAP-style "ok N ..." lines; exit 1 on any failure.
 *
 *   dev-check [CARD]
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev_model.h"
#include "llm_ckpt.h"

static int failed, n_test;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d llm-dev: ", ok ? "" : "not ", ++n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed += !ok;
}

static double rel_err(size_t n, const float *x, const float *ref)
{
	double num = 0, den = 0;

	for (size_t i = 0; i < n; i++) {
		num += ((double)x[i] - ref[i]) * ((double)x[i] - ref[i]);
		den += (double)ref[i] * ref[i];
	}
	return den > 0 ? sqrt(num / den) : sqrt(num);
}

#define DIE(what, ret)                                                          \
	do {                                                                    \
		fprintf(stderr, "dev-check: %s: %s\n", what, accel_strerror(ret)); \
		return 1;                                                       \
	} while (0)

/*
 * Engine overlap (dev_model.h): the gradients and a training step with
 * the weight gradients on a second engine are the same bits as on one,
 * also when either engine is held back for a while so that the other runs
 * as far ahead as the dependencies let it (a dependency missing between
 * them then reads or overwrites a buffer at the wrong time: other bits).
 * Before each backward another batch fills the buffers with other values
 * than the right ones.  Leaves the model at @w, the default overlap, and
 * the gradients of tokens/targets.  Returns 1 on a setup error.
 */
static int overlap_checks(struct llm_dev *d, const struct llm_model *m, const float *w,
			  const int32_t *tokens, const int32_t *targets, const float *g_ref,
			  const struct llm_adamw *h)
{
	static const struct {
		int mode;
		const char *name;
	} modes[] = {
		{ LLM_DEV_OVERLAP_ON, "on" },
		{ LLM_DEV_OVERLAP_ON | LLM_DEV_OVERLAP_HOLD_MAIN, "on, the dY engine held" },
		{ LLM_DEV_OVERLAP_ON | LLM_DEV_OVERLAP_HOLD_DW, "on, the dW engine held" },
	};
	const uint32_t N = 24;
	size_t bytes = m->n_params * 4;
	float *g_off = malloc(bytes), *g = malloc(bytes), *w_off = malloc(bytes);
	int32_t other[24], other_tgt[24];
	double loss_off, loss, worst = 0;
	int ret;

	if (!g_off || !g || !w_off)
		return 1;
	ret = llm_dev_set_overlap(d, LLM_DEV_OVERLAP_ON);
	if (ret == -EOPNOTSUPP) {
		printf("ok %d llm-dev: engine overlap # SKIP one compute engine\n", ++n_test);
		ret = 0;
		goto out;
	}
	for (uint32_t i = 0; i < N; i++)
		other[i] = (tokens[i] * 7 + 3) % 256;
	for (uint32_t i = 0; i < N; i++)
		other_tgt[i] = i == 9 ? -1 : other[(i + 1) % N];
	ret = llm_dev_set_overlap(d, LLM_DEV_OVERLAP_OFF);
	if (!ret)
		ret = llm_dev_forward_backward(d, other, other_tgt, NULL);
	if (!ret)
		ret = llm_dev_forward_backward(d, tokens, targets, &loss_off);
	if (!ret)
		ret = llm_dev_get_grads(d, g_off);
	for (uint32_t i = 0; i < m->n_tensors && !ret; i++) {
		struct llm_tensor t;
		double e;

		llm_tensor_info(m, i, &t);
		e = rel_err(t.n, g_off + t.offset, g_ref + t.offset);
		worst = e > worst ? e : worst;
	}
	check(!ret && worst <= 1e-3, "overlap off: gradients, worst relative error %.2e (%s)",
	      worst, accel_strerror(ret));
	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		ret = llm_dev_set_overlap(d, modes[k].mode);
		if (!ret)
			ret = llm_dev_forward_backward(d, other, other_tgt, NULL);
		if (!ret)
			ret = llm_dev_forward_backward(d, tokens, targets, &loss);
		if (!ret)
			ret = llm_dev_get_grads(d, g);
		check(!ret && loss == loss_off && !memcmp(g, g_off, bytes),
		      "overlap %s: loss and every gradient the same bits as without (%s)",
		      modes[k].name, accel_strerror(ret));
	}

	/* a training step: the optimizer waits for the dW engine */
	ret = llm_dev_set_overlap(d, LLM_DEV_OVERLAP_OFF);
	if (!ret)
		ret = llm_dev_set_params(d, w);
	if (!ret)
		ret = llm_dev_train_step(d, tokens, targets, h, 1, 1.0f, NULL, NULL);
	if (!ret)
		ret = llm_dev_get_params(d, w_off);
	check(!ret, "overlap off: a training step (%s)", accel_strerror(ret));
	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		ret = llm_dev_set_overlap(d, modes[k].mode);
		if (!ret)
			ret = llm_dev_set_params(d, w);
		if (!ret)
			ret = llm_dev_forward_backward(d, other, other_tgt, NULL);
		if (!ret)
			ret = llm_dev_train_step(d, tokens, targets, h, 1, 1.0f, NULL, NULL);
		if (!ret)
			ret = llm_dev_get_params(d, g);
		check(!ret && !memcmp(g, w_off, bytes),
		      "overlap %s: a training step gives the same weights (%s)", modes[k].name,
		      accel_strerror(ret));
	}
	ret = llm_dev_set_params(d, w);
	if (!ret)
		ret = llm_dev_set_overlap(d, LLM_DEV_OVERLAP_DEFAULT);
	if (!ret)
		ret = llm_dev_forward_backward(d, tokens, targets, NULL);
out:
	free(g_off);
	free(g);
	free(w_off);
	if (ret)
		fprintf(stderr, "dev-check: overlap: %s\n", accel_strerror(ret));
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct llm_config cfg = {
		.vocab = 256, .d_model = 32, .n_layers = 2, .n_heads = 2, .d_ff = 48,
		.ctx = 16, .rope_theta = 10000, .norm_eps = 1e-5f,
	};
	const uint32_t B = 2, T = 12, N = B * T;
	const struct llm_adamw h = {
		.lr = 3e-3f, .beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.1f,
	};
	struct accel_device *dev;
	struct llm_model m;
	struct llm_dev *d;
	struct llm_acts *acts;
	int32_t tokens[24], targets[24];
	char err[LLM_ERR_LEN], path[] = "/tmp/llm-dev-check-XXXXXX";
	double loss_ref, loss_dev, worst = 0;
	float *w, *g_ref, *g_dev, *logits, *mom, *var, *w2;
	int ret;

	ret = accel_device_open(argc > 1 ? (unsigned int)atoi(argv[1]) : 0, &dev);
	if (ret)
		DIE("open", ret);
	if (llm_model_init(&m, &cfg, err)) {
		fprintf(stderr, "dev-check: %s\n", err);
		return 1;
	}
	ret = llm_dev_new(dev, &m, B, T, &d);
	if (ret)
		DIE("llm_dev_new", ret);
	w = malloc(m.n_params * 4);
	w2 = malloc(m.n_params * 4);
	g_ref = calloc(m.n_params, 4);
	g_dev = malloc(m.n_params * 4);
	mom = calloc(m.n_params, 4);
	var = calloc(m.n_params, 4);
	logits = malloc((size_t)N * cfg.vocab * 4);
	acts = llm_acts_new(&m, B, T, false);
	if (!w || !w2 || !g_ref || !g_dev || !mom || !var || !logits || !acts)
		return 1;
	llm_init_weights(&m, 42, w);
	/* a batch of text, one target ignored */
	const char *text = "The quick brown fox jumps over the lazy dog, twice.";
	for (uint32_t i = 0; i < N; i++) {
		tokens[i] = (uint8_t)text[i];
		targets[i] = (uint8_t)text[i + 1];
	}
	targets[5] = -1;

	ret = llm_dev_set_params(d, w);
	if (ret)
		DIE("set_params", ret);
	llm_ref_forward(&m, w, tokens, targets, acts, &loss_ref);
	llm_ref_backward(&m, w, tokens, targets, acts, g_ref);

	ret = llm_dev_forward(d, tokens, targets, &loss_dev);
	check(!ret && fabs(loss_dev - loss_ref) <= 1e-4 * fabs(loss_ref),
	      "forward loss %.6f, CPU reference %.6f (%s)", loss_dev, loss_ref,
	      accel_strerror(ret));
	llm_dev_get_logits(d, logits);
	double e = rel_err((size_t)N * cfg.vocab, logits, llm_acts_logits(acts));
	check(e <= 1e-4, "forward logits, relative error %.2e", e);

	ret = llm_dev_forward_backward(d, tokens, targets, &loss_dev);
	check(!ret && fabs(loss_dev - loss_ref) <= 1e-4 * fabs(loss_ref),
	      "forward+backward loss %.6f (%s)", loss_dev, accel_strerror(ret));
	llm_dev_get_grads(d, g_dev);
	int grads_ok = 1;
	for (uint32_t i = 0; i < m.n_tensors; i++) {
		struct llm_tensor t;

		llm_tensor_info(&m, i, &t);
		e = rel_err(t.n, g_dev + t.offset, g_ref + t.offset);
		if (e > worst)
			worst = e;
		if (!(e <= 1e-3)) {
			grads_ok = 0;
			printf("# gradient of %s: relative error %.2e\n", t.name, e);
		}
	}
	check(grads_ok, "gradients of all %u tensors, worst relative error %.2e", m.n_tensors,
	      worst);
	if (overlap_checks(d, &m, w, tokens, targets, g_ref, &h))
		return 1;

	/* one AdamW step with clipping against the reference */
	double gnorm_ref = llm_grad_norm(&m, g_ref), gnorm_dev = 0;
	float max_norm = (float)(gnorm_ref / 2);
	ret = llm_dev_adamw(d, &h, 1, max_norm, &gnorm_dev);
	check(!ret && fabs(gnorm_dev - gnorm_ref) <= 1e-3 * gnorm_ref,
	      "gradient norm %.6f, CPU reference %.6f (%s)", gnorm_dev, gnorm_ref,
	      accel_strerror(ret));
	memcpy(w2, w, m.n_params * 4);
	llm_ref_adamw(&m, &h, 1, (float)fmin(1.0, max_norm / (gnorm_ref + 1e-6)), w2, g_ref, mom,
		      var);
	llm_dev_get_params(d, g_dev);
	/* compare the updates, not the weights */
	for (size_t i = 0; i < m.n_params; i++) {
		g_dev[i] -= w[i];
		w2[i] -= w[i];
	}
	e = rel_err(m.n_params, g_dev, w2);
	check(e <= 2e-3, "AdamW step (clipped, decay on matrices), update relative error %.2e",
	      e);

	/*
	 * The optimizer's buffer is recorded once and its ADAMWs' step and
	 * rate patched per step: a patched step 5 at rate 2e-3 against one
	 * recorded afresh for it (a new clip norm records afresh).
	 */
	struct llm_adamw h5 = h, h2 = h;
	h5.lr = 2e-3f;
	h2.lr = 5e-4f;
	ret = llm_dev_set_params(d, w);
	if (!ret)
		ret = llm_dev_train_step(d, tokens, targets, &h2, 2, 0.5f, NULL, NULL);
	if (!ret)
		ret = llm_dev_set_params(d, w);
	if (!ret)
		ret = llm_dev_train_step(d, tokens, targets, &h5, 5, 0.5f, NULL, NULL);
	if (!ret)
		ret = llm_dev_get_params(d, w2);
	if (!ret)
		ret = llm_dev_train_step(d, tokens, targets, &h5, 5, 0.25f, NULL, NULL);
	if (!ret)
		ret = llm_dev_set_params(d, w);
	if (!ret)
		ret = llm_dev_train_step(d, tokens, targets, &h5, 5, 0.5f, NULL, NULL);
	if (!ret)
		ret = llm_dev_get_params(d, g_dev);
	check(!ret && !memcmp(w2, g_dev, m.n_params * 4) && memcmp(w2, w, m.n_params * 4),
	      "a step through the patched optimizer buffer: the weights of one recorded for it "
	      "(%s)", accel_strerror(ret));
	llm_dev_set_params(d, w);

	/* training on the card makes the loss fall */
	double first = 0, last = 0;
	ret = 0;
	for (uint32_t s = 2; s <= 21 && !ret; s++) {
		double l;

		ret = llm_dev_train_step(d, tokens, targets, &h, s, 1.0f, &l, NULL);
		if (s == 2)
			first = l;
		last = l;
	}
	check(!ret && last < first * 0.8, "20 training steps: loss %.4f -> %.4f (%s)", first,
	      last, accel_strerror(ret));

	/* GGUF round trip of the card's weights */
	int fd = mkstemp(path);
	struct llm_ckpt ck = { 0 };
	llm_dev_get_params(d, w);
	close(fd);
	ret = llm_ckpt_save(path, &m, w, LLM_CKPT_F32, NULL, "dev-check");
	if (!ret)
		ret = llm_ckpt_load(path, &ck, err);
	unlink(path);
	check(!ret && ck.w && !memcmp(ck.w, w, m.n_params * 4),
	      "GGUF round trip of the card's weights is bit-exact (%d)", ret);
	if (!ret) {
		ret = llm_dev_set_params(d, ck.w);
		if (!ret)
			ret = llm_dev_forward(d, tokens, targets, &loss_dev);
		llm_ref_forward(&m, ck.w, tokens, targets, acts, &loss_ref);
		llm_dev_get_logits(d, logits);
		e = rel_err((size_t)N * cfg.vocab, logits, llm_acts_logits(acts));
		check(!ret && e <= 1e-4 && fabs(loss_dev - loss_ref) <= 1e-4 * loss_ref,
		      "loaded checkpoint: card and CPU logits, relative error %.2e, loss %.4f",
		      e, loss_dev);
		llm_ckpt_free(&ck);
	}

	/* a bad token is refused before anything runs */
	tokens[3] = 256;
	check(llm_dev_forward(d, tokens, NULL, NULL) == -EINVAL, "token 256 refused");

	llm_acts_free(acts);
	llm_dev_free(d);
	accel_device_close(dev);
	printf("# %d passed, %d failed\n", n_test - failed, failed);
	return failed;
}
