/* SPDX-License-Identifier: MIT */
/*
 * fuzz_milter_authres.c -- mox-milter's test for "this incoming
 * Authentication-Results field claims our authserv-id" (authres.c), over
 * any bytes a sender puts in the field:
 *  - it must not read past the NUL, crash or hang;
 *  - it must agree with itself: the value behind extra CFWS (whitespace
 *    and a comment) gives the same answer, and the id the value starts
 *    with (when it is a plain token) is recognized in any letter case.
 * The input's first line is the value; the authserv-id asked about is
 * "mx.example.org".
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "milter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = " (a comment \\) (nested)) \t";
	char *v, *w, tok[256];
	size_t n = 0, i;
	bool ours;

	if (size > 1 << 16)
		return 0;
	v = malloc(size + 1);
	w = malloc(sizeof(pre) + size + 1);
	if (v == NULL || w == NULL)
		abort();
	memcpy(v, data, size);
	v[size] = '\0';

	ours = ar_is_ours(v, "mx.example.org");
	/* A comment added in front changes nothing, unless the value itself
	 * starts inside an unclosed comment's reach ("(" or ")" first),
	 * which the added comment would close differently. */
	if (v[0] != '(' && v[0] != ')' && v[0] != '\\') {
		memcpy(w, pre, sizeof(pre) - 1);
		memcpy(w + sizeof(pre) - 1, v, size + 1);
		if (ar_is_ours(w, "mx.example.org") != ours)
			abort();
	}
	/* The leading token, in other letter case, is recognized. */
	for (i = 0; v[i] != '\0' && n + 1 < sizeof(tok); i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= ' ' || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c))
			break;
		tok[n++] = (char)(isupper(c) ? tolower(c) : toupper(c));
	}
	tok[n] = '\0';
	if (n > 0 && n + 1 < sizeof(tok) && v[0] != ' ' &&
	    !ar_is_ours(v, tok))
		abort();
	free(v);
	free(w);
	return 0;
}
