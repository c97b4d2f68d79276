/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Minimal TAP/KTAP output for the host tests.
 *
 * A test is a function taking a struct tap; CHECK()s record failures with
 * a diagnostic line, and tap_run() prints one "ok"/"not ok" per test and
 * returns the process exit status.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_TAP_H
#define TESSERA_TAP_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct tap {
	unsigned int failed;	/* checks failed in the current test */
	const char *skip;	/* reason, if the test skipped itself */
};

struct tap_test {
	const char *name;
	void (*fn)(struct tap *t);
};

#define CHECK(t, cond) \
	tap_check((t), (cond), __FILE__, __LINE__, #cond)

#define CHECK_EQ(t, a, b) \
	tap_check_eq((t), (unsigned long long)(a), (unsigned long long)(b), \
		     __FILE__, __LINE__, #a " == " #b)

static inline bool tap_check(struct tap *t, bool ok, const char *file,
			     int line, const char *what)
{
	if (!ok) {
		t->failed++;
		printf("# %s:%d: check failed: %s\n", file, line, what);
	}
	return ok;
}

static inline bool tap_check_eq(struct tap *t, unsigned long long a,
				unsigned long long b, const char *file,
				int line, const char *what)
{
	if (a != b) {
		t->failed++;
		printf("# %s:%d: check failed: %s (0x%llx != 0x%llx)\n",
		       file, line, what, a, b);
	}
	return a == b;
}

static inline int tap_run(const struct tap_test *tests, size_t n)
{
	unsigned int bad = 0;

	printf("TAP version 13\n1..%zu\n", n);
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		struct tap t = { 0 };

		tests[i].fn(&t);
		if (t.failed)
			bad++;
		printf("%sok %zu - %s%s%s\n", t.failed ? "not " : "", i + 1,
		       tests[i].name, t.skip ? " # SKIP " : "",
		       t.skip ? t.skip : "");
		fflush(stdout);
	}
	printf("# %zu tests, %u failed\n", n, bad);
	return bad ? 1 : 0;
}

/*
 * The other style, for a suite that is a list of assertions rather than
 * of tests: every TAP_OK() is its own numbered "ok"/"not ok" line, and
 * tap_lines_end() prints the plan after them and returns the exit status.
 * One program, one suite; the counters are atomic, so checks may run on
 * several threads.
 */
static _Atomic int tap_lines_num, tap_lines_failed;

#define TAP_OK(cond, name) \
	tap_line(!!(cond), (name), __FILE__, __LINE__, #cond)

static inline bool tap_line(bool ok, const char *name, const char *file, int line,
			    const char *what)
{
	int n = ++tap_lines_num;

	if (ok) {
		printf("ok %d - %s\n", n, name);
	} else {
		tap_lines_failed++;
		printf("not ok %d - %s (%s:%d: %s)\n", n, name, file, line, what);
	}
	return ok;
}

static inline int tap_lines_end(const char *suite)
{
	int n = tap_lines_num, bad = tap_lines_failed;

	printf("1..%d\n# %s: %d tests, %d failed\n", n, suite, n, bad);
	return bad ? 1 : 0;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* TESSERA_TAP_H */
