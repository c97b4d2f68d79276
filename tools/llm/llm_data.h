/* SPDX-License-Identifier: MIT */
/*
 * The model's data: the byte tokenizer and the fortunes corpus with its
 * train/validation split and batch sampling (Documentation/llm.rst).
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_DATA_H
#define TESSERA_LLM_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

#define LLM_FORTUNES_DIR	"/usr/share/games/fortunes"
#define LLM_VAL_EVERY		20	/* every 20th fortune: 5% validation */

/*
 * The byte tokenizer: token i is byte i (vocab 256).  In GGUF it is a
 * "gpt2" byte-level BPE vocabulary with no merges: token i's string is
 * GPT-2's printable stand-in for byte i (bytes_to_unicode), UTF-8
 * encoded, which llama runtimes map back to the byte exactly.
 */
#define LLM_BYTE_VOCAB	256

/* Token @b's GGUF string into @out (up to 2 bytes plus a NUL); its length. */
size_t llm_byte_piece(uint8_t b, char out[4]);
void llm_tokenize(const uint8_t *text, size_t len, int32_t *tokens);

/*
 * The corpus: every regular file of @dir whose name does not end in .dat
 * or .u8 (the fortune(6) indexes and their UTF-8 links), in name order,
 * cut into fortunes at lines "%".  Fortune k (counted over all files)
 * goes to validation when k % val_every == val_every - 1, else to
 * training.  Each split is its fortunes' text, each followed by "%\n"
 * (the files' own separator, so the model learns where a fortune ends).
 */
struct llm_corpus {
	uint8_t *train;
	size_t train_len;
	uint8_t *val;
	size_t val_len;
	size_t n_files;
	size_t n_train;		/* fortunes */
	size_t n_val;
};

int llm_corpus_load(const char *dir, uint32_t val_every, struct llm_corpus *c, char *err);
void llm_corpus_free(struct llm_corpus *c);

/* B windows of T+1 bytes at offsets uniform in the text (len > T):
 * tokens [B*T] and targets [B*T] (the next byte). */
void llm_batch(const uint8_t *text, size_t len, uint32_t B, uint32_t T, struct llm_rng *rng,
	       int32_t *tokens, int32_t *targets);
/* Validation: the text as consecutive windows of T tokens, window i
 * being bytes [i*T, i*T + T] (targets shifted by one); how many. */
size_t llm_windows(size_t len, uint32_t T);
void llm_window(const uint8_t *text, size_t len, uint32_t T, size_t i, int32_t *tokens,
		int32_t *targets);
/*
 * A batch of B sequences of the @n evenly spaced windows (of llm_windows()
 * in all) that validation uses, from the @done-th on; the batch's unused
 * sequences repeat the first with every target -1 (no loss).  Returns the
 * windows it holds, at most B.
 */
uint32_t llm_val_batch(const uint8_t *text, size_t len, uint32_t T, uint32_t B, size_t done,
		       size_t n, int32_t *tokens, int32_t *targets);

#endif /* TESSERA_LLM_DATA_H */
