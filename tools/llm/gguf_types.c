// SPDX-License-Identifier: MIT
/*
 * GGUF: the value types and tensor types, their sizes and names.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include "gguf.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the GGUF code reads and writes little-endian files on little-endian hosts only"
#endif

size_t gguf_type_size(enum gguf_type t)
{
	switch (t) {
	case GGUF_TYPE_UINT8:
	case GGUF_TYPE_INT8:
	case GGUF_TYPE_BOOL:
		return 1;
	case GGUF_TYPE_UINT16:
	case GGUF_TYPE_INT16:
		return 2;
	case GGUF_TYPE_UINT32:
	case GGUF_TYPE_INT32:
	case GGUF_TYPE_FLOAT32:
		return 4;
	case GGUF_TYPE_UINT64:
	case GGUF_TYPE_INT64:
	case GGUF_TYPE_FLOAT64:
		return 8;
	default:
		return 0;
	}
}

const char *gguf_type_name(enum gguf_type t)
{
	static const char *const names[GGUF_TYPE_COUNT] = {
		"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
		"bool", "string", "array", "uint64", "int64", "float64",
	};

	return (unsigned int)t < GGUF_TYPE_COUNT ? names[t] : "invalid";
}

size_t ggml_type_size(uint32_t t)
{
	switch (t) {
	case GGML_TYPE_F32:
	case GGML_TYPE_I32:
		return 4;
	case GGML_TYPE_F16:
	case GGML_TYPE_BF16:
	case GGML_TYPE_I16:
		return 2;
	case GGML_TYPE_I8:
		return 1;
	case GGML_TYPE_I64:
	case GGML_TYPE_F64:
		return 8;
	default:
		return 0;	/* block-quantized, removed or unknown */
	}
}

const char *ggml_type_name(uint32_t t)
{
	/* docs/gguf.md's enum ggml_type; NULL: removed from the format */
	static const char *const names[GGML_TYPE_COUNT] = {
		"F32", "F16", "Q4_0", "Q4_1", NULL, NULL, "Q5_0", "Q5_1", "Q8_0",
		"Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS",
		"IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
		"I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16", NULL, NULL, NULL,
		"TQ1_0", "TQ2_0", NULL, NULL, NULL, "MXFP4",
	};

	return t < GGML_TYPE_COUNT ? names[t] : NULL;
}
