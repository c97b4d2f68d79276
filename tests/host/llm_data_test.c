// SPDX-License-Identifier: MIT
/*
 * The model's data (tools/llm/tokenizer.c, corpus.c): the byte
 * tokenizer's GGUF strings (GPT-2's byte stand-ins), the corpus loader's
 * choice of files, its cut into fortunes and deterministic split, the
 * real fortunes corpus, batches and validation windows; the training
 * tools' shared options and their strict number parsing.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "llm.h"
#include "llm_data.h"
#include "tap.h"
#include "train_opts.h"

/* One UTF-8 code point of at most two bytes, or -1. */
static int decode_utf8(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 1 && u[0] < 0x80)
		return u[0];
	if (n == 2 && (u[0] & 0xe0) == 0xc0 && (u[1] & 0xc0) == 0x80 && u[0] >= 0xc2)
		return (u[0] & 0x1f) << 6 | (u[1] & 0x3f);
	return -1;
}

static void test_byte_pieces(struct tap *t)
{
	static const struct { uint8_t b; const char *s; } known[] = {
		{ 'A', "A" }, { '!', "!" }, { '~', "~" },
		{ ' ', "\xc4\xa0" },	/* U+0120, GPT-2's space */
		{ '\n', "\xc4\x8a" },	/* U+010A */
		{ 0x00, "\xc4\x80" },	/* U+0100 */
		{ 0x7f, "\xc4\xa1" },	/* U+0121 */
		{ 0xa0, "\xc5\x82" },	/* U+0142 */
		{ 0xad, "\xc5\x83" },	/* U+0143, the last one moved */
		{ 0xa1, "\xc2\xa1" }, { 0xff, "\xc3\xbf" },
	};
	bool seen[324] = { false };
	unsigned int bad = 0;
	int32_t tok[3];

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		char p[4];
		size_t n = llm_byte_piece(known[i].b, p);

		if (n != strlen(known[i].s) || memcmp(p, known[i].s, n)) {
			printf("# byte 0x%02x: got %zu bytes %02x %02x\n", known[i].b, n,
			       (unsigned char)p[0], (unsigned char)p[1]);
			bad++;
		}
	}
	CHECK_EQ(t, bad, 0);
	/* a bijection onto U+0021..U+0143 minus nothing: 256 distinct code points */
	for (int b = 0; b < 256; b++) {
		char p[4];
		size_t n = llm_byte_piece(b, p);
		int cp = decode_utf8(p, n);

		if (cp < 0 || cp >= 324 || seen[cp] || p[n] != 0) {
			bad++;
			continue;
		}
		seen[cp] = true;
		/* printable bytes stand for themselves, the rest are moved */
		bool self = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;

		bad += self != (cp == b);
		bad += !self && cp < 256;
	}
	CHECK_EQ(t, bad, 0);
	llm_tokenize((const uint8_t *)"\x00\xff" "a", 3, tok);
	CHECK(t, tok[0] == 0 && tok[1] == 255 && tok[2] == 'a');
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	fclose(f);
	return 0;
}

static void test_corpus_split(struct tap *t)
{
	char dir[] = "/tmp/llm-corpus-XXXXXX", path[256], err[LLM_ERR_LEN];
	struct llm_corpus c;
	int ret = 0;

	if (!CHECK(t, mkdtemp(dir)))
		return;
	/* b before a on disk; a has 4 fortunes (one without a final
	 * newline, an empty one between), b 3; the rest is not read */
	ret |= write_file(dir, "b", "b1\n%\nb2 two\nlines\n%\nb3\n");
	ret |= write_file(dir, "a", "a1\n%\na2\n%\n%\na3\n%\na4 no newline");
	ret |= write_file(dir, "a.dat", "DAT\n%\nDAT\n");
	ret |= write_file(dir, ".hidden", "HIDDEN\n");
	snprintf(path, sizeof(path), "%s/a.u8", dir);
	ret |= symlink("a", path);
	snprintf(path, sizeof(path), "%s/link", dir);
	ret |= symlink("b", path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	ret |= mkdir(path, 0755);
	if (!CHECK(t, !ret))
		goto out;
	ret = llm_corpus_load(dir, 3, &c, err);
	if (!CHECK(t, !ret)) {
		printf("# %s\n", err);
		goto out;
	}
	/* fortunes in order a1 a2 a3 a4 b1 b2 b3: every third to validation */
	const char *train = "a1\n%\na2\n%\na4 no newline\n%\nb1\n%\nb3\n%\n";
	const char *val = "a3\n%\nb2 two\nlines\n%\n";

	CHECK_EQ(t, c.n_files, 2);
	CHECK_EQ(t, c.n_train, 5);
	CHECK_EQ(t, c.n_val, 2);
	CHECK(t, c.train_len == strlen(train) && !memcmp(c.train, train, c.train_len));
	CHECK(t, c.val_len == strlen(val) && !memcmp(c.val, val, c.val_len));
	llm_corpus_free(&c);
	CHECK_EQ(t, llm_corpus_load(dir, 1, &c, err), -EINVAL);
	CHECK_EQ(t, llm_corpus_load("/nonexistent/fortunes", 20, &c, err), -ENOENT);
	printf("# %s\n", err);
	/* too few fortunes for a validation split */
	CHECK_EQ(t, llm_corpus_load(dir, 20, &c, err), -ENOENT);
	printf("# %s\n", err);
out:
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(t, !system(path));
}

/* The real corpus (the Debian package fortunes, installed by setup). */
static void test_fortunes(struct tap *t)
{
	char err[LLM_ERR_LEN];
	struct llm_corpus c, again;
	size_t nul = 0, pct;

	if (!CHECK(t, !llm_corpus_load(LLM_FORTUNES_DIR, LLM_VAL_EVERY, &c, err))) {
		printf("# %s (make setup installs the package fortunes)\n", err);
		return;
	}
	pct = 1000 * c.val_len / (c.val_len + c.train_len);
	printf("# %zu files, %zu + %zu fortunes, %zu + %zu bytes (%zu.%zu%% validation)\n",
	       c.n_files, c.n_train, c.n_val, c.train_len, c.val_len, pct / 10, pct % 10);
	CHECK(t, c.n_files >= 40);
	CHECK(t, c.train_len + c.val_len > 2000000);
	CHECK(t, pct >= 40 && pct <= 60);
	CHECK_EQ(t, c.n_val, (c.n_train + c.n_val) / LLM_VAL_EVERY);
	/* text only: the .dat indexes have NUL bytes, the text has none */
	for (size_t i = 0; i < c.train_len; i++)
		nul += !c.train[i];
	CHECK_EQ(t, nul, 0);
	/* the same split every time */
	if (CHECK(t, !llm_corpus_load(LLM_FORTUNES_DIR, LLM_VAL_EVERY, &again, err))) {
		CHECK(t, again.val_len == c.val_len && !memcmp(again.val, c.val, c.val_len));
		CHECK(t, again.train_len == c.train_len);
		llm_corpus_free(&again);
	}
	llm_corpus_free(&c);
}

static void test_batches(struct tap *t)
{
	static const uint8_t text[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	size_t len = sizeof(text) - 1;
	int32_t tok[4 * 8], tgt[4 * 8], tok2[4 * 8], tgt2[4 * 8];
	struct llm_rng r1, r2;
	unsigned int bad = 0, same = 0;

	llm_rng_seed(&r1, 9);
	llm_rng_seed(&r2, 9);
	for (int round = 0; round < 50; round++) {
		llm_batch(text, len, 4, 8, &r1, tok, tgt);
		llm_batch(text, len, 4, 8, &r2, tok2, tgt2);
		bad += memcmp(tok, tok2, sizeof(tok)) || memcmp(tgt, tgt2, sizeof(tgt));
		for (int b = 0; b < 4; b++) {
			const uint8_t *at = memchr(text, tok[b * 8], len);

			/* a window of the text, targets one ahead */
			bad += !at || at + 9 > text + len;
			for (int i = 0; at && i < 8 && at + 9 <= text + len; i++)
				bad += tok[b * 8 + i] != at[i] || tgt[b * 8 + i] != at[i + 1];
		}
	}
	CHECK_EQ(t, bad, 0);
	llm_rng_seed(&r2, 10);
	llm_batch(text, len, 4, 8, &r2, tok2, tgt2);
	llm_batch(text, len, 4, 8, &r1, tok, tgt);
	same = !memcmp(tok, tok2, sizeof(tok));
	CHECK(t, !same);
	/* windows: consecutive, T tokens, one-ahead targets */
	CHECK_EQ(t, llm_windows(len, 8), 4);	/* 35 targets */
	CHECK_EQ(t, llm_windows(33, 8), 4);
	CHECK_EQ(t, llm_windows(32, 8), 3);
	CHECK_EQ(t, llm_windows(1, 8), 0);
	llm_window(text, len, 8, 3, tok, tgt);
	CHECK(t, tok[0] == 'o' && tok[7] == 'v' && tgt[7] == 'w');
	/* a validation batch: 3 of 4 windows from the 2nd on, then one pad */
	CHECK_EQ(t, llm_val_batch(text, len, 8, 4, 1, 4, tok, tgt), 3);
	CHECK(t, tok[0] == '8' && tok[8] == 'g' && tok[16] == 'o');
	CHECK(t, !memcmp(tok + 24, tok, 8 * sizeof(*tok)));
	bad = 0;
	for (int i = 24; i < 32; i++)
		bad += tgt[i] != -1;
	CHECK_EQ(t, bad, 0);
	CHECK_EQ(t, llm_val_batch(text, len, 8, 4, 3, 4, tok, tgt), 1);
}

static void test_train_opts(struct tap *t)
{
	struct llm_train_opts o;
	uint64_t u;
	uint32_t v;
	double d;

	/* whole arguments only, in range */
	CHECK_EQ(t, llm_parse_u64("600", 1, 1000, &u), 0);
	CHECK_EQ(t, u, 600);
	CHECK_EQ(t, llm_parse_u64("0x10", 0, 100, &u), -EINVAL);
	CHECK_EQ(t, llm_parse_u64("010", 0, 100, &u), 0);
	CHECK_EQ(t, u, 10);
	CHECK_EQ(t, llm_parse_u64("12x", 0, 100, &u), -EINVAL);
	CHECK_EQ(t, llm_parse_u64("", 0, 100, &u), -EINVAL);
	CHECK_EQ(t, llm_parse_u64("-1", 0, UINT64_MAX, &u), -EINVAL);
	CHECK_EQ(t, llm_parse_u64(" 5", 0, 100, &u), -EINVAL);
	CHECK_EQ(t, llm_parse_u64("99999999999999999999", 0, UINT64_MAX, &u), -EINVAL);
	CHECK_EQ(t, llm_parse_u32("4294967296", 0, UINT32_MAX, &v), -EINVAL);
	CHECK_EQ(t, llm_parse_u32("0", 1, 10, &v), -EINVAL);
	CHECK_EQ(t, llm_parse_double("2e-3", 0, 1, &d), 0);
	CHECK(t, d == 2e-3);
	CHECK_EQ(t, llm_parse_double("nan", 0, 1, &d), -EINVAL);
	CHECK_EQ(t, llm_parse_double("inf", 0, 1e300, &d), -EINVAL);
	CHECK_EQ(t, llm_parse_double("0.5q", 0, 1, &d), -EINVAL);
	CHECK_EQ(t, llm_parse_double("2", 0, 1, &d), -EINVAL);

	/* shared options: applied, refused, or not theirs */
	llm_train_opts_init(&o);
	CHECK_EQ(t, o.batch, 16);
	CHECK_EQ(t, llm_train_opt(&o, LLM_OPT_BATCH, "8", "test"), 1);
	CHECK_EQ(t, o.batch, 8);
	CHECK_EQ(t, llm_train_opt(&o, LLM_OPT_BATCH, "8.5", "test"), -EINVAL);
	CHECK_EQ(t, llm_train_opt(&o, LLM_OPT_LR, "0", "test"), -EINVAL);
	CHECK_EQ(t, llm_train_opt(&o, LLM_OPT_BETA2, "1", "test"), -EINVAL);
	CHECK_EQ(t, llm_train_opt(&o, LLM_OPT_TOOL, "1", "test"), 0);
	CHECK_EQ(t, llm_train_opt(&o, LLM_OPT_LR, "1e-3", "test"), 1);
	CHECK_EQ(t, llm_train_opts_finish(&o, "test"), 0);
	CHECK(t, o.min_lr == 1e-4);
	CHECK_EQ(t, llm_train_opt(&o, LLM_OPT_MINLR, "0.5", "test"), 1);
	CHECK_EQ(t, llm_train_opts_finish(&o, "test"), -EINVAL);

	/* the schedule: warmup, cosine, floor */
	llm_train_opts_init(&o);
	o.steps = 200;
	o.warmup = 100;
	o.min_lr = 2e-4;
	CHECK(t, fabs(llm_train_lr_at(&o, 50) - 1e-3) < 1e-12);
	CHECK(t, fabs(llm_train_lr_at(&o, 100) - 2e-3) < 1e-12);
	CHECK(t, fabs(llm_train_lr_at(&o, 150) - 1.1e-3) < 1e-12);
	CHECK(t, fabs(llm_train_lr_at(&o, 200) - 2e-4) < 1e-12);
	CHECK(t, fabs(llm_train_lr_at(&o, 300) - 2e-4) < 1e-12);
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ "llm data: byte tokens are GPT-2's byte stand-ins, a bijection", test_byte_pieces },
		{ "llm data: corpus files, fortunes and the split by fortune", test_corpus_split },
		{ "llm data: the fortunes corpus: 5% validation, text only, stable", test_fortunes },
		{ "llm data: seeded batches and validation windows", test_batches },
		{ "llm data: the training tools' shared options, parsed strictly", test_train_opts },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
