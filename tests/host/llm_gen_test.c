// SPDX-License-Identifier: MIT
/*
 * accel-generate's host side (tools/llm/gen_opts.c, gen_prof.c): the
 * strict parsing of its options (junk, signs, blanks, ranges, overflow,
 * the option combinations it refuses) and the accounting of device time
 * by command class from a job's TIMESTAMPs.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <errno.h>
#include <stdint.h>

#include "gen_opts.h"
#include "gen_prof.h"
#include "tap.h"

static int parse(struct llm_gen_opts *o, char *err, int argc, const char *const *args)
{
	char *argv[32];

	for (int i = 0; i < argc; i++)
		argv[i] = (char *)args[i];
	argv[argc] = NULL;
	return llm_gen_parse_args(argc, argv, o, err);
}

#define PARSE(o, err, ...)                                                   \
	parse((o), (err), (int)ARRAY_SIZE(((const char *const[]){ __VA_ARGS__ })), \
	      (const char *const[]){ __VA_ARGS__ })

static void test_numbers(struct tap *t)
{
	static const char *const bad_u[] = {
		"", "x", "12x", "1 ", " 1", "-1", "+1", "1.5", "1e3", "0x10", "4294967296",
		"99999999999999999999999",
	};
	static const char *const bad_f[] = {
		"", "x", "0.5x", " 0.5", "nan", "inf", "-inf", "1e999", "-0.1", "0,5",
	};
	uint32_t u = 77;
	uint64_t v = 77;
	float f = 7;

	for (size_t i = 0; i < ARRAY_SIZE(bad_u); i++) {
		if (!CHECK(t, llm_parse_u32(bad_u[i], 0, UINT32_MAX, &u) == -EINVAL))
			printf("# accepted u32 \"%s\"\n", bad_u[i]);
	}
	CHECK_EQ(t, u, 77);
	CHECK(t, llm_parse_u64("18446744073709551616", 0, UINT64_MAX, &v) == -EINVAL);
	CHECK(t, !llm_parse_u64("18446744073709551615", 0, UINT64_MAX, &v) && v == UINT64_MAX);
	CHECK(t, !llm_parse_u32("4294967295", 0, UINT32_MAX, &u) && u == UINT32_MAX);
	CHECK(t, !llm_parse_u32("012", 0, 100, &u) && u == 12);	/* decimal, not octal */
	CHECK(t, llm_parse_u32("101", 0, 100, &u) == -EINVAL);
	CHECK(t, llm_parse_u32("4", 5, 100, &u) == -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_f); i++) {
		if (!CHECK(t, llm_parse_float(bad_f[i], 0, 1e6f, &f) == -EINVAL))
			printf("# accepted float \"%s\"\n", bad_f[i]);
	}
	CHECK(t, f == 7);
	CHECK(t, !llm_parse_float("0.75", 0, 1e6f, &f) && f == 0.75f);
	CHECK(t, !llm_parse_float("1e-3", 0, 1e6f, &f) && f == 1e-3f);
	CHECK(t, !llm_parse_float("0", 0, 1e6f, &f) && f == 0);
}

static void test_args(struct tap *t)
{
	struct llm_gen_opts o;
	char err[LLM_ERR_LEN];

	/* defaults: greedy, 200 tokens, timing on, no check */
	CHECK(t, !PARSE(&o, err, "g", "--model", "m.gguf"));
	CHECK(t, !strcmp(o.model, "m.gguf") && !*o.prompt && o.tokens == 200 &&
		 o.temperature == 0 && o.top_k == 40 && o.seed == 1 && !o.check && !o.card &&
		 o.timing && !o.help);
	CHECK(t, !PARSE(&o, err, "g", "--model", "m", "--prompt", "Hi", "--tokens", "16",
			"--temperature", "0.8", "--top-k", "5", "--seed", "123456789012",
			"--check", "8", "--card", "1", "--no-timing"));
	CHECK(t, !strcmp(o.prompt, "Hi") && o.tokens == 16 && o.temperature == 0.8f &&
		 o.top_k == 5 && o.seed == 123456789012ull && o.check == 8 && o.card == 1 &&
		 !o.timing);
	CHECK(t, !PARSE(&o, err, "g", "--help") && o.help);

	/* refused, with the option named */
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--tokens", "12x") == -EINVAL);
	CHECK(t, strstr(err, "--tokens") && strstr(err, "12x"));
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--temperature", "-1") == -EINVAL);
	CHECK(t, strstr(err, "--temperature"));
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--temperature", "nan") == -EINVAL);
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--top-k", "-3") == -EINVAL);
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--seed", "1.0") == -EINVAL);
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--card", "256") == -EINVAL);
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--check", "") == -EINVAL);
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--tokens") == -EINVAL);
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--bogus") == -EINVAL);
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "stray") == -EINVAL);
	CHECK(t, strstr(err, "stray"));
	CHECK(t, PARSE(&o, err, "g", "--tokens", "5") == -EINVAL);
	CHECK(t, strstr(err, "--model"));
	CHECK(t, PARSE(&o, err, "g", "--model", "m", "--tokens", "4", "--check", "5") == -EINVAL);
	CHECK(t, strstr(err, "--check"));
	CHECK(t, !PARSE(&o, err, "g", "--model", "m", "--tokens", "5", "--check", "5"));
	/* parsing twice starts afresh (getopt state reset) */
	CHECK(t, !PARSE(&o, err, "g", "--model", "m", "--tokens", "3") && o.tokens == 3);
}

static void test_prof(struct tap *t)
{
	const uint8_t cls[] = { LLM_CLS_OTHER, LLM_CLS_NORM, LLM_CLS_MATMUL, LLM_CLS_SOFTMAX,
				LLM_CLS_MATMUL, LLM_CLS_ELEMENTWISE, LLM_CLS_ATTN_MATMUL };
	const uint64_t ts[] = { 1000, 1010, 1030, 1130, 1135, 1335, 1336, 1400 };
	const uint64_t back[] = { 1000, 1010, 1005, 1130, 1135, 1335, 1336, 1400 };
	const uint8_t badcls[] = { LLM_CLS_OTHER, LLM_CLS_COUNT };
	struct llm_prof p = { 0 };

	CHECK(t, !llm_prof_add(&p, cls, ts, 7));
	CHECK_EQ(t, p.ns[LLM_CLS_OTHER], 10);
	CHECK_EQ(t, p.ns[LLM_CLS_NORM], 20);
	CHECK_EQ(t, p.ns[LLM_CLS_MATMUL], 100 + 200);
	CHECK_EQ(t, p.ns[LLM_CLS_SOFTMAX], 5);
	CHECK_EQ(t, p.ns[LLM_CLS_ELEMENTWISE], 1);
	CHECK_EQ(t, p.ns[LLM_CLS_ATTN_MATMUL], 64);
	CHECK_EQ(t, p.cmds[LLM_CLS_MATMUL], 2);
	CHECK_EQ(t, p.jobs, 1);
	CHECK_EQ(t, llm_prof_total(&p), 400);
	/* a second job adds */
	CHECK(t, !llm_prof_add(&p, cls, ts, 7));
	CHECK_EQ(t, llm_prof_total(&p), 800);
	CHECK_EQ(t, p.jobs, 2);
	/* a stamp going back or a bad class adds nothing */
	CHECK(t, llm_prof_add(&p, cls, back, 7) == -EINVAL);
	CHECK(t, llm_prof_add(&p, badcls, ts, 2) == -EINVAL);
	CHECK_EQ(t, llm_prof_total(&p), 800);
	CHECK_EQ(t, p.jobs, 2);
	CHECK_EQ(t, p.cmds[LLM_CLS_OTHER], 2);
	for (unsigned int i = 0; i < LLM_CLS_COUNT; i++)
		CHECK(t, llm_cmd_class_name(i) != NULL);
	CHECK(t, llm_cmd_class_name(LLM_CLS_COUNT) == NULL);
	CHECK(t, !strcmp(llm_cmd_class_name(LLM_CLS_MATMUL), "gemm") &&
		 !strcmp(llm_cmd_class_name(LLM_CLS_ATTN_MATMUL), "bgemm"));
}

int main(void)
{
	static const struct tap_test tests[] = {
		{ "llm gen: numbers are whole, in range, no junk", test_numbers },
		{ "llm gen: accel-generate's options and what it refuses", test_args },
		{ "llm gen: device time by command class from TIMESTAMPs", test_prof },
	};

	return tap_run(tests, ARRAY_SIZE(tests));
}
