// SPDX-License-Identifier: MIT
/*
 * The byte tokenizer.  Bytes are tokens; for GGUF's "gpt2" vocabulary
 * each byte gets GPT-2's printable stand-in: the bytes '!'..'~',
 * 0xa1..0xac and 0xae..0xff stand for themselves (as code points), the
 * other 68 (controls, space, DEL, 0x80..0xa0, 0xad) for U+0100 onwards
 * in byte order.
 *
 * Copyright (C) 2026 The Tessera authors
 */
#include <stdbool.h>

#include "llm_data.h"

static bool stands_for_itself(uint8_t b)
{
	return (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
}

size_t llm_byte_piece(uint8_t b, char out[4])
{
	unsigned int cp = b;

	if (!stands_for_itself(b)) {
		cp = 256;
		for (unsigned int x = 0; x < b; x++)
			cp += !stands_for_itself(x);
	}
	if (cp < 0x80) {
		out[0] = (char)cp;
		out[1] = 0;
		return 1;
	}
	/* two-byte UTF-8: every code point here is below U+0800 */
	out[0] = (char)(0xc0 | cp >> 6);
	out[1] = (char)(0x80 | (cp & 0x3f));
	out[2] = 0;
	return 2;
}

void llm_tokenize(const uint8_t *text, size_t len, int32_t *tokens)
{
	for (size_t i = 0; i < len; i++)
		tokens[i] = text[i];
}
