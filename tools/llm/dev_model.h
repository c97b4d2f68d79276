/* SPDX-License-Identifier: MIT */
/*
 * The llama model of llm.h on the card (libaccel 2.2, hardware 1.5
 * training commands): parameters, gradients, AdamW state and
 * activations in device memory; forward, backward and AdamW recorded
 * into command buffers.  The forward and the forward+backward buffers are
 * recorded once and resubmitted every step (only the token and target
 * buffers change), and so is the optimizer's buffer, whose ADAMWs get
 * each step's step and learning rate by accel_cmdbuf_patch_adamw().
 * With overlap (the default on cards with two compute engines or more) the backward's weight gradients run on compute
 * engine 1 beside the rest of the backward on engine 0, ordered by
 * SEMAPHORE commands.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_DEV_MODEL_H
#define TESSERA_LLM_DEV_MODEL_H

#include <stdint.h>

#include <accel/accel.h>

#include "llm.h"

struct llm_dev;

/* A model of @m's shape for batches of B sequences of T (<= ctx) tokens on
 * @dev (which must have ACCEL_CAP_TRAIN).  Parameters, gradients and
 * AdamW state start at 0.  0 or a negative errno. */
int llm_dev_new(struct accel_device *dev, const struct llm_model *m, uint32_t B, uint32_t T,
		struct llm_dev **out);
void llm_dev_free(struct llm_dev *d);
/* Where the activations live: 1 device memory, 0 host memory (when the
 * card's memory was too small for them). */
int llm_dev_acts_on_card(const struct llm_dev *d);

/* Copy parameters in (AdamW state reset to 0) and out; gradients and the
 * last forward's logits ([B*T][vocab]) out. */
int llm_dev_set_params(struct llm_dev *d, const float *w);
int llm_dev_get_params(struct llm_dev *d, float *w);
int llm_dev_get_grads(struct llm_dev *d, float *g);
int llm_dev_get_logits(struct llm_dev *d, float *logits);
/* Replace the gradients (data parallelism: the mean over every rank's). */
int llm_dev_set_grads(struct llm_dev *d, const float *g);

/* Forward over @tokens ([B*T]); with @targets (-1 skips) *@loss is the
 * mean cross-entropy.  0, -EINVAL (bad token) or the job's error. */
int llm_dev_forward(struct llm_dev *d, const int32_t *tokens, const int32_t *targets,
		    double *loss);
/* Forward and backward: gradients := d loss / d w (not accumulated). */
int llm_dev_forward_backward(struct llm_dev *d, const int32_t *tokens, const int32_t *targets,
			     double *loss);
/* One AdamW step (@step >= 1) over the gradients of the last backward,
 * weight decay on matrices only, clipped to @max_norm (0: no clipping);
 * *@grad_norm (may be NULL) gets the gradient's L2 norm. */
int llm_dev_adamw(struct llm_dev *d, const struct llm_adamw *h, uint32_t step, float max_norm,
		  double *grad_norm);
/* forward_backward then adamw, submitted together, one wait. */
int llm_dev_train_step(struct llm_dev *d, const int32_t *tokens, const int32_t *targets,
		       const struct llm_adamw *h, uint32_t step, float max_norm, double *loss,
		       double *grad_norm);

/*
 * Engine overlap of the backward pass (llm_dev_set_overlap()):
 * LLM_DEV_OVERLAP_ON puts the weight gradients (dW = dY^T X) on compute
 * engine 1, waiting by SEMAPHORE for each dY the rest of the backward
 * produces on engine 0; the optimizer waits for both.  The gradients are
 * the same bits as without.  For tests, one of the HOLD flags (with ON)
 * holds one engine back so that the other runs as far ahead as the
 * dependencies let it, and a missing dependency gives other bits:
 * HOLD_MAIN stops engine 0 at the start and after each group of dY it
 * publishes, until the host lets it go on 20 ms later; HOLD_DW makes
 * engine 1's job wait 20 ms for the host before it starts.
 */
#define LLM_DEV_OVERLAP_OFF		0
#define LLM_DEV_OVERLAP_ON		0x1
#define LLM_DEV_OVERLAP_HOLD_MAIN	0x2	/* hold engine 0 (the dY chain) */
#define LLM_DEV_OVERLAP_HOLD_DW		0x4	/* hold engine 1 (the dW GEMMs) */
/* What llm_dev_new() starts with on a card with two compute engines or more. */
#define LLM_DEV_OVERLAP_DEFAULT		LLM_DEV_OVERLAP_ON

/*
 * Record the backward for @overlap (LLM_DEV_OVERLAP_*).  0, -EINVAL (bad
 * flags, HOLD without ON, both HOLDs), -EOPNOTSUPP (ON on a card with one
 * compute engine), or an error of recording (after a wait for the last
 * step's jobs).
 */
int llm_dev_set_overlap(struct llm_dev *d, int overlap);
/* The LLM_DEV_OVERLAP_* flags in effect. */
int llm_dev_overlap(const struct llm_dev *d);

#endif /* TESSERA_LLM_DEV_MODEL_H */
