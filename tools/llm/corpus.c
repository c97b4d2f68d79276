// SPDX-License-Identifier: MIT
/*
 * The fortunes corpus (llm_data.h): loading, the deterministic split by
 * fortune, batches and validation windows.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "llm.h"
#include "llm_data.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int append(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		void *q;

		while (cap < b->len + n)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			return -ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file's fortunes into train or val; *k counts fortunes. */
static int split_file(const uint8_t *p, size_t len, uint32_t every, size_t *k,
		      struct buf *train, struct buf *val, struct llm_corpus *c)
{
	size_t start = 0, i = 0;

	while (i <= len) {
		size_t eol = i;

		while (eol < len && p[eol] != '\n')
			eol++;
		bool sep = eol - i == 1 && p[i] == '%';

		if (sep || eol >= len) {
			/* the fortune is [start, i), or [start, len) at the end */
			size_t end = sep ? i : len;

			if (end > start) {
				bool v = *k % every == every - 1;
				struct buf *b = v ? val : train;

				if (append(b, p + start, end - start) ||
				    (p[end - 1] != '\n' && append(b, "\n", 1)) ||
				    append(b, "%\n", 2))
					return -ENOMEM;
				if (v)
					c->n_val++;
				else
					c->n_train++;
				(*k)++;
			}
			start = eol + 1;
		}
		i = eol + 1;
	}
	return 0;
}

static int read_all(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	uint8_t chunk[65536];
	size_t n;
	int ret = 0;

	if (!f)
		return -errno;
	b->len = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		ret = append(b, chunk, n);
		if (ret)
			break;
	}
	if (!ret && ferror(f))
		ret = -EIO;
	fclose(f);
	return ret;
}

int llm_corpus_load(const char *dir, uint32_t val_every, struct llm_corpus *c, char *err)
{
	struct buf train = { 0 }, val = { 0 }, file = { 0 };
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, k = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	if (val_every < 2)
		return llm_seterr(err, -EINVAL, "val_every %u: at least 2", val_every);
	d = opendir(dir);
	if (!d)
		return llm_seterr(err, -errno, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' || ends_with(de->d_name, ".dat") ||
		    ends_with(de->d_name, ".u8"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			char **q = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));

			if (!q) {
				ret = -ENOMEM;
				break;
			}
			names = q;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!ret)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; !ret && i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ret = read_all(path, &file);
		if (ret) {
			llm_seterr(err, ret, "%s: %s", path, strerror(-ret));
			break;
		}
		ret = split_file(file.p, file.len, val_every, &k, &train, &val, c);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(file.p);
	c->n_files = n;
	if (!ret && (!c->n_val || train.len < 2 || val.len < 2))
		ret = llm_seterr(err, -ENOENT, "%s: no fortunes to split (%zu files, %zu fortunes)",
			     dir, n, k);
	else if (ret == -ENOMEM)
		llm_seterr(err, ret, "no memory for the corpus");
	if (ret) {
		free(train.p);
		free(val.p);
		memset(c, 0, sizeof(*c));
		return ret;
	}
	c->train = train.p;
	c->train_len = train.len;
	c->val = val.p;
	c->val_len = val.len;
	return 0;
}

void llm_corpus_free(struct llm_corpus *c)
{
	free(c->train);
	free(c->val);
	memset(c, 0, sizeof(*c));
}

void llm_batch(const uint8_t *text, size_t len, uint32_t B, uint32_t T, struct llm_rng *rng,
	       int32_t *tokens, int32_t *targets)
{
	for (uint32_t b = 0; b < B; b++) {
		size_t off = llm_rng_below(rng, len - T);

		for (uint32_t t = 0; t < T; t++) {
			tokens[(size_t)b * T + t] = text[off + t];
			targets[(size_t)b * T + t] = text[off + t + 1];
		}
	}
}

size_t llm_windows(size_t len, uint32_t T)
{
	return len > 1 ? (len - 1) / T : 0;
}

uint32_t llm_val_batch(const uint8_t *text, size_t len, uint32_t T, uint32_t B, size_t done,
		       size_t n, int32_t *tokens, int32_t *targets)
{
	size_t total = llm_windows(len, T);
	uint32_t k = 0;

	for (; k < B && done + k < n; k++)
		llm_window(text, len, T, (done + k) * total / n, tokens + (size_t)k * T,
			   targets + (size_t)k * T);
	for (uint32_t j = k; j < B; j++) {
		memcpy(tokens + (size_t)j * T, tokens, T * sizeof(*tokens));
		for (uint32_t t = 0; t < T; t++)
			targets[(size_t)j * T + t] = -1;
	}
	return k;
}

void llm_window(const uint8_t *text, size_t len, uint32_t T, size_t i, int32_t *tokens,
		int32_t *targets)
{
	(void)len;
	for (uint32_t t = 0; t < T; t++) {
		tokens[t] = text[i * T + t];
		targets[t] = text[i * T + t + 1];
	}
}
