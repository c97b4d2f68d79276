/* SPDX-License-Identifier: MIT */
/*
 * The reference model's element type.  Its files (ref_*.c) are compiled
 * twice: as they are (real = float, functions llm_ref_*) and with
 * -DLLM_REF_F64 (real = double, functions llm_ref64_*), the oracle of
 * the gradient check.  One source, so what is checked in fp64 is the
 * code that runs in fp32.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#ifndef TESSERA_LLM_REF_REAL_H
#define TESSERA_LLM_REF_REAL_H

#include <cblas.h>
#include <math.h>

#ifdef LLM_REF_F64
typedef double real;
#define REF(name)	llm_ref64_##name
#define GEMM		cblas_dgemm
#define REAL_F64	1
#define EXP		exp
#define SQRT		sqrt
#else
typedef float real;
#define REF(name)	llm_ref_##name
#define GEMM		cblas_sgemm
#define REAL_F64	0
#define EXP		expf
#define SQRT		sqrtf
#endif

#endif /* TESSERA_LLM_REF_REAL_H */
