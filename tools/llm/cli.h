/* SPDX-License-Identifier: MIT */
/*
 * Strict number parsing for the tools' command lines: the whole argument
 * must be the number, in range.  strtoul/atof alone take "12x" as 12,
 * "-1" as a huge count, blanks, and a leading 0 as octal.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_CLI_H
#define TESSERA_LLM_CLI_H

#include <stdint.h>

/* Decimal digits only, within [@min, @max].  0 or -EINVAL. */
int llm_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v);
int llm_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);
/* A finite number (strtod's syntax, no leading blank) within [@min, @max]. */
int llm_parse_double(const char *s, double min, double max, double *v);
int llm_parse_float(const char *s, float min, float max, float *v);

#endif /* TESSERA_LLM_CLI_H */
