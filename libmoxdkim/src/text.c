/* SPDX-License-Identifier: MIT */
/*
 * text.c -- verdict and algorithm names, and the dkim resinfo of an
 * Authentication-Results header field (RFC 8601 2.7.1, RFC 6008).
 */
#include <string.h>

#include "dkim-int.h"

static const char *const verdicts[] = {
	"none", "pass", "fail", "neutral", "policy", "temperror", "permerror"
};

static const char *const algorithms[] = {
	"unknown", "rsa-sha256", "ed25519-sha256", "rsa-sha1"
};

const char *
mox_dkim_verdict_name(int verdict)
{
	if (verdict < 0 ||
	    (size_t)verdict >= sizeof(verdicts) / sizeof(verdicts[0]))
		return "unknown";
	return verdicts[verdict];
}

const char *
mox_dkim_algorithm_name(int alg)
{
	if (alg < 0 ||
	    (size_t)alg >= sizeof(algorithms) / sizeof(algorithms[0]))
		return "unknown";
	return algorithms[alg];
}

/* RFC 2045 5.1 token octets. */
static bool
token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* A value (RFC 8601 2.2): a token as is, anything else quoted; control
 * characters become '?'. */
static void
add_value(mox__sbuf *sb, const char *s, size_t n)
{
	size_t i;
	bool token = n > 0;

	for (i = 0; i < n; i++) {
		if (!token_char((unsigned char)s[i]))
			token = false;
	}
	if (token) {
		mox__sbuf_add(sb, s, n);
		return;
	}
	mox__sbuf_addc(sb, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			mox__sbuf_addc(sb, '\\');
		mox__sbuf_addc(sb, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	mox__sbuf_addc(sb, '"');
}

/* A comment: parentheses kept when balanced, else escaped. */
static void
add_comment(mox__sbuf *sb, const char *s)
{
	int depth = 0;
	bool balanced = true;
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth < 0)
			balanced = false;
	}
	balanced = balanced && depth == 0;
	mox__sbuf_addc(sb, '(');
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\\' || ((c == '(' || c == ')') && !balanced))
			mox__sbuf_addc(sb, '\\');
		mox__sbuf_addc(sb, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	mox__sbuf_addc(sb, ')');
}

size_t
mox_dkim_authres(char *buf, size_t cap, const mox_dkim_result *res)
{
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, cap);
	if (res == NULL)
		return 0;
	mox__sbuf_adds(&sb, "dkim=");
	mox__sbuf_adds(&sb, mox_dkim_verdict_name(res->verdict));
	if (res->reason != NULL && res->verdict != MOX_DKIM_PASS) {
		mox__sbuf_addc(&sb, ' ');
		add_comment(&sb, res->reason);
	}
	if (res->domain != NULL && res->domain[0] != '\0') {
		mox__sbuf_adds(&sb, " header.d=");
		add_value(&sb, res->domain, strlen(res->domain));
		if (res->selector != NULL && res->selector[0] != '\0') {
			mox__sbuf_adds(&sb, " header.s=");
			add_value(&sb, res->selector, strlen(res->selector));
		}
		if (res->algorithm != NULL && res->algorithm[0] != '\0') {
			mox__sbuf_adds(&sb, " header.a=");
			add_value(&sb, res->algorithm, strlen(res->algorithm));
		}
		if (res->b != NULL && res->b[0] != '\0') {
			size_t n = strlen(res->b);

			/* RFC 6008 2: enough of b= to tell signatures
			 * apart; 8 characters as most do. */
			mox__sbuf_adds(&sb, " header.b=");
			add_value(&sb, res->b, n < 8 ? n : 8);
		}
	}
	return sb.len;
}
