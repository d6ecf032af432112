/* SPDX-License-Identifier: MIT */
/*
 * authres.c -- recognizing our own Authentication-Results fields among the
 * ones a message arrives with (RFC 8601 5: they are removed).
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "milter.h"

/* Skip CFWS (RFC 5322 3.2.2): whitespace, line ends, nested comments. */
static const char *
skip_cfws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		{
			int depth = 0;

			for (; *p != '\0'; p++) {
				if (*p == '\\' && p[1] != '\0') {
					p++;
				} else if (*p == '(') {
					depth++;
				} else if (*p == ')') {
					if (--depth == 0) {
						p++;
						break;
					}
				}
			}
		}
	}
}

/*
 * Whether an Authentication-Results value claims authserv-id id (RFC
 * 8601 2.2: [CFWS] authserv-id, a token or quoted-string), compared
 * ignoring ASCII case.
 */
bool
ar_is_ours(const char *v, const char *id)
{
	char got[256];
	size_t n = 0;
	const char *p = skip_cfws(v);

	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 >= sizeof(got))
				return false;
			got[n++] = *p;
		}
		if (*p != '"')
			return false;
	} else {
		for (; *p != '\0'; p++) {
			unsigned char c = (unsigned char)*p;

			if (c <= ' ' || c >= 0x7f ||
			    strchr("()<>@,;:\\\"/[]?=", c) != NULL)
				break;
			if (n + 1 >= sizeof(got))
				return false;
			got[n++] = *p;
		}
	}
	got[n] = '\0';
	return n > 0 && strcasecmp(got, id) == 0;
}
