#!/bin/bash
# SPDX-License-Identifier: MIT
#
# How much of a text is English words: reads text on stdin, splits it into
# words (letters and apostrophes, case folded, punctuation stripped) and
# prints "words N in-dict M percent P" against /usr/share/dict/words
# (Debian's wamerican), or DICT.  Exits 1 below MIN percent (default 0).
#   words-in-dict.sh [MIN [DICT]] < text
set -eu
min=${1:-0}
dict=${2:-/usr/share/dict/words}
[ -r "$dict" ] || { echo "words-in-dict: no $dict (apt install wamerican)" >&2; exit 2; }
tr -cs "A-Za-z'" '\n' | tr 'A-Z' 'a-z' | sed "s/^'*//; s/'*\$//" | grep . |
	awk -v min="$min" '
		FNR == NR { d[tolower($0)] = 1; next }
		{ n++; if ($0 in d) m++ }
		END {
			p = n ? 100 * m / n : 0
			printf "words %d in-dict %d percent %.1f\n", n, m, p
			exit (p < min)
		}' "$dict" -
