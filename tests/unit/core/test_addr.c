/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for <mox/addr.h>: domains (IDNA2008), localparts, addresses
 * and IP addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <mox/addr.h>

/* Parse a NUL-terminated literal (the NUL is not passed). */
static int
dparse(mox_domain *d, const char *s, unsigned int flags)
{
	return mox_domain_parse(d, s, strlen(s), flags);
}

/* Parse s and expect the given A-label and U-label forms. */
static void
expect_domain(const char *s, unsigned int flags, const char *ascii,
    const char *unicode)
{
	mox_domain d;

	assert_int_equal(dparse(&d, s, flags), MOX_OK);
	assert_string_equal(d.ascii, ascii);
	assert_string_equal(d.unicode, unicode);
}

static void
expect_domain_err(const char *s, unsigned int flags, int status)
{
	mox_domain d;

	memset(&d, 'x', sizeof(d));
	assert_int_equal(dparse(&d, s, flags), status);
	/* Zeroed on error. */
	assert_int_equal(d.ascii[0], 0);
	assert_int_equal(d.unicode[0], 0);
	assert_int_equal(d.ascii[MOX_DOMAIN_MAX], 0);
}

/* A string of n copies of c, in a static buffer. */
static char *
rep(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* Append src to the NUL-terminated string in dst (size cap). */
static void
append(char *dst, size_t cap, const char *src)
{
	size_t d = strlen(dst), n = strlen(src);

	assert_true(d + n < cap);
	memcpy(dst + d, src, n + 1);
}

/* --- domains --- */

static void
domain_ascii_lowercase(void **state)
{
	mox_domain d;

	(void)state;
	expect_domain("ExAmple.COM", 0, "example.com", "example.com");
	assert_int_equal(dparse(&d, "Mail.Example.ORG", 0), MOX_OK);
	assert_false(mox_domain_is_idn(&d));
	expect_domain("a-b.c0.example", 0, "a-b.c0.example", "a-b.c0.example");
	expect_domain("localhost", 0, "localhost", "localhost");
	expect_domain("123.example", 0, "123.example", "123.example");
}

static void
domain_idn_from_unicode(void **state)
{
	mox_domain d;

	(void)state;
	expect_domain("münchen.de", 0, "xn--mnchen-3ya.de", "münchen.de");
	assert_int_equal(dparse(&d, "münchen.de", 0), MOX_OK);
	assert_true(mox_domain_is_idn(&d));
	expect_domain("παράδειγμα.δοκιμή", 0,
	    "xn--hxajbheg2az3al.xn--jxalpdlp", "παράδειγμα.δοκιμή");
	/* Mixed: ASCII labels are kept, lowercased. */
	expect_domain("Mail.München.DE", 0, "mail.xn--mnchen-3ya.de",
	    "mail.münchen.de");
}

static void
domain_idn_from_alabel(void **state)
{
	mox_domain d;

	(void)state;
	expect_domain("xn--mnchen-3ya.de", 0, "xn--mnchen-3ya.de",
	    "münchen.de");
	expect_domain("XN--MNCHEN-3YA.DE", 0, "xn--mnchen-3ya.de",
	    "münchen.de");
	expect_domain("xn--hxajbheg2az3al.xn--jxalpdlp", 0,
	    "xn--hxajbheg2az3al.xn--jxalpdlp", "παράδειγμα.δοκιμή");
	assert_int_equal(dparse(&d, "xn--mnchen-3ya.de", 0), MOX_OK);
	assert_true(mox_domain_is_idn(&d));
}

static void
domain_unicode_uppercase_maps(void **state)
{
	(void)state;
	expect_domain("MÜNCHEN.de", 0, "xn--mnchen-3ya.de", "münchen.de");
	expect_domain("MüNCHEN.DE", 0, "xn--mnchen-3ya.de", "münchen.de");
	/* Fullwidth letters map to ASCII: not an IDN afterwards. */
	expect_domain("\xef\xbc\xa1\xef\xbc\xa2.de", 0, "ab.de", "ab.de");
	/* NFC: u + combining diaeresis is ü. */
	expect_domain("mu\xcc\x88nchen.de", 0, "xn--mnchen-3ya.de",
	    "münchen.de");
}

static void
domain_nontransitional(void **state)
{
	(void)state;
	/* IDNA2008 / UTS#46 non-transitional keeps ß (transitional would
	 * give "fass.de"). */
	expect_domain("faß.de", 0, "xn--fa-hia.de", "faß.de");
	expect_domain("xn--fa-hia.de", 0, "xn--fa-hia.de", "faß.de");
}

static void
domain_unicode_dots(void **state)
{
	(void)state;
	expect_domain("münchen\xe3\x80\x82" "de", 0, "xn--mnchen-3ya.de",
	    "münchen.de");
	expect_domain("a\xef\xbc\x8e" "b\xef\xbd\xa1" "c", 0, "a.b.c",
	    "a.b.c");
	expect_domain("münchen.de\xe3\x80\x82",
	    MOX_DOMAIN_ALLOW_TRAILING_DOT, "xn--mnchen-3ya.de", "münchen.de");
	expect_domain_err("münchen.de\xe3\x80\x82", 0, MOX_EEMPTY);
	expect_domain_err("a\xe3\x80\x82\xe3\x80\x82" "b", 0, MOX_EEMPTY);
}

static void
domain_invalid_punycode(void **state)
{
	(void)state;
	expect_domain_err("xn--zz", 0, MOX_EIDNA);
	expect_domain_err("xn--a", 0, MOX_EIDNA);
	expect_domain_err("xn--zz.example.com", 0, MOX_EIDNA);
	expect_domain_err("mail.xn--a.example", 0, MOX_EIDNA);
	/* "abc" in Punycode; not LDH (trailing hyphen) anyway. */
	expect_domain_err("xn--abc-", 0, MOX_ESYNTAX);
	/* Decodes to "mu" U+0308 "nchen", not NFC. */
	expect_domain_err("xn--munchen-gie.de", 0, MOX_EIDNA);
	/* Decodes to "mÜnchen": encoding back gives xn--mnchen-3ya. */
	expect_domain_err("xn--mnchen-psa.de", 0, MOX_EIDNA);
	/* Decodes to "a" U+0080, a disallowed code point. */
	expect_domain_err("xn--a-ba.de", 0, MOX_EIDNA);
	/* xn-- labels next to a Unicode label are checked as well. */
	expect_domain_err("xn--zz.münchen.de", 0, MOX_EIDNA);
}

static void
domain_idna_rules(void **state)
{
	(void)state;
	/* U+2488 DIGIT ONE FULL STOP is disallowed. */
	expect_domain_err("a\xe2\x92\x88" "b.de", 0, MOX_EIDNA);
	/* Bidi rule: a digit before Hebrew. */
	expect_domain_err("1\xd7\x90.de", 0, MOX_EIDNA);
	/* CONTEXTJ: ZERO WIDTH JOINER after a letter. */
	expect_domain_err("\xc3\xbc\xe2\x80\x8d.de", 0, MOX_EIDNA);
	/* Hyphens 3 and 4 in a U-label. */
	expect_domain_err("\xc3\xbc" "b--c.de", 0, MOX_EIDNA);
}

static void
domain_label_too_long(void **state)
{
	char l[80], s[200];
	mox_domain d;

	(void)state;
	rep(l, 'a', 63);
	assert_true(snprintf(s, sizeof(s), "%s.com", l) > 0);
	assert_int_equal(dparse(&d, s, 0), MOX_OK);
	assert_int_equal(strlen(d.ascii), 67);
	rep(l, 'a', 64);
	assert_true(snprintf(s, sizeof(s), "%s.com", l) > 0);
	expect_domain_err(s, 0, MOX_ETOOLONG);
	assert_true(snprintf(s, sizeof(s), "com.%s", l) > 0);
	expect_domain_err(s, 0, MOX_ETOOLONG);
	/* A Unicode label whose A-label is too long. */
	s[0] = '\0';
	for (int i = 0; i < 70; i++)
		append(s, sizeof(s), "\xc3\xbc");
	expect_domain_err(s, 0, MOX_ETOOLONG);
}

static void
domain_name_too_long(void **state)
{
	char a[64], b[64], s[300];
	mox_domain d;

	(void)state;
	rep(a, 'a', 63);
	rep(b, 'b', 61);
	assert_int_equal(snprintf(s, sizeof(s), "%s.%s.%s.%s", a, a, a, b),
	    253);
	assert_int_equal(dparse(&d, s, 0), MOX_OK);
	assert_int_equal(strlen(d.ascii), 253);
	assert_string_equal(d.ascii, s);
	assert_string_equal(d.unicode, s);
	/* 253 plus trailing dot is fine with the flag. */
	s[253] = '.';
	s[254] = '\0';
	assert_int_equal(dparse(&d, s, MOX_DOMAIN_ALLOW_TRAILING_DOT),
	    MOX_OK);
	assert_int_equal(strlen(d.ascii), 253);
	rep(b, 'b', 62);
	assert_int_equal(snprintf(s, sizeof(s), "%s.%s.%s.%s", a, a, a, b),
	    254);
	expect_domain_err(s, 0, MOX_ETOOLONG);
	expect_domain_err(s, MOX_DOMAIN_ALLOW_TRAILING_DOT, MOX_ETOOLONG);
	/* Too long only in A-label form (63 + 3 + 63 + 63 + 63). */
	rep(b, 'b', 55);
	assert_true(snprintf(s, sizeof(s), "%s.%s.%s.%s\xc3\xbc", a, a, a,
	    b) > 0);
	expect_domain_err(s, 0, MOX_ETOOLONG);
}

static void
domain_nul(void **state)
{
	mox_domain d;

	(void)state;
	memset(&d, 'x', sizeof(d));
	assert_int_equal(mox_domain_parse(&d, "exa\0mple.com", 12, 0),
	    MOX_ENUL);
	assert_int_equal(d.ascii[0], 0);
	assert_int_equal(mox_domain_parse(&d, "example.com\0", 12, 0),
	    MOX_ENUL);
	assert_int_equal(mox_domain_parse(&d, "m\xc3\xbc\0nchen.de", 10, 0),
	    MOX_ENUL);
	/* The length is what counts, not a NUL: "example" only. */
	assert_int_equal(mox_domain_parse(&d, "example.com", 7, 0), MOX_OK);
	assert_string_equal(d.ascii, "example");
}

static void
domain_empty(void **state)
{
	mox_domain d;

	(void)state;
	expect_domain_err("", 0, MOX_EEMPTY);
	assert_int_equal(mox_domain_parse(&d, NULL, 0, 0), MOX_EEMPTY);
	assert_int_equal(mox_domain_parse(&d, NULL, 3, 0), MOX_EINVAL);
	assert_int_equal(mox_domain_parse(NULL, "a.b", 3, 0), MOX_EINVAL);
	expect_domain_err("a..b", 0, MOX_EEMPTY);
	expect_domain_err(".a", 0, MOX_EEMPTY);
	expect_domain_err(".", 0, MOX_EEMPTY);
	expect_domain_err(".", MOX_DOMAIN_ALLOW_TRAILING_DOT, MOX_EEMPTY);
	expect_domain_err("münchen..de", 0, MOX_EEMPTY);
	/* A label that maps to nothing (SOFT HYPHEN). */
	expect_domain_err("\xc2\xad.de", 0, MOX_EEMPTY);
}

static void
domain_hyphens(void **state)
{
	(void)state;
	expect_domain_err("-a.com", 0, MOX_ESYNTAX);
	expect_domain_err("a-.com", 0, MOX_ESYNTAX);
	expect_domain_err("a.-", 0, MOX_ESYNTAX);
	expect_domain_err("-münchen.de", 0, MOX_ESYNTAX);
	expect_domain_err("münchen-.de", 0, MOX_ESYNTAX);
	expect_domain("a-b.com", 0, "a-b.com", "a-b.com");
	/* Reserved LDH labels that are not xn-- exist in DNS: kept. */
	expect_domain("r3---sn-abc.googlevideo.com", 0,
	    "r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com");
	expect_domain("ab--cd.münchen.de", 0, "ab--cd.xn--mnchen-3ya.de",
	    "ab--cd.münchen.de");
}

static void
domain_bad_utf8(void **state)
{
	(void)state;
	expect_domain_err("\xff.com", 0, MOX_EUTF8);
	expect_domain_err("a\xc0\xaf.com", 0, MOX_EUTF8);
	expect_domain_err("m\xc3", 0, MOX_EUTF8);
	expect_domain_err("m\xc3.de", 0, MOX_EUTF8);
	expect_domain_err("\xe2\x82.de", 0, MOX_EUTF8);
	expect_domain_err("\xed\xa0\x80.de", 0, MOX_EUTF8); /* surrogate */
	expect_domain_err("\xf4\x90\x80\x80.de", 0, MOX_EUTF8); /* >10FFFF */
	expect_domain_err("\x80.de", 0, MOX_EUTF8);
}

static void
domain_trailing_dot(void **state)
{
	(void)state;
	expect_domain_err("example.com.", 0, MOX_EEMPTY);
	expect_domain("example.com.", MOX_DOMAIN_ALLOW_TRAILING_DOT,
	    "example.com", "example.com");
	expect_domain("example.com", MOX_DOMAIN_ALLOW_TRAILING_DOT,
	    "example.com", "example.com");
	/* Only one trailing dot is dropped. */
	expect_domain_err("example.com..", MOX_DOMAIN_ALLOW_TRAILING_DOT,
	    MOX_EEMPTY);
	expect_domain("münchen.de.", MOX_DOMAIN_ALLOW_TRAILING_DOT,
	    "xn--mnchen-3ya.de", "münchen.de");
	expect_domain_err("münchen.de.", 0, MOX_EEMPTY);
}

static void
domain_underscore(void **state)
{
	(void)state;
	expect_domain_err("_dmarc.example.com", 0, MOX_ESYNTAX);
	expect_domain("_dmarc.Example.com", MOX_DOMAIN_ALLOW_UNDERSCORE,
	    "_dmarc.example.com", "_dmarc.example.com");
	expect_domain("sel_1._domainkey.example.com",
	    MOX_DOMAIN_ALLOW_UNDERSCORE, "sel_1._domainkey.example.com",
	    "sel_1._domainkey.example.com");
	expect_domain_err("_ü.de", 0, MOX_ESYNTAX);
}

static void
domain_require_dot(void **state)
{
	(void)state;
	expect_domain_err("localhost", MOX_DOMAIN_REQUIRE_DOT, MOX_ESYNTAX);
	expect_domain_err("localhost.", MOX_DOMAIN_REQUIRE_DOT |
	    MOX_DOMAIN_ALLOW_TRAILING_DOT, MOX_ESYNTAX);
	expect_domain_err("münchen", MOX_DOMAIN_REQUIRE_DOT, MOX_ESYNTAX);
	expect_domain("a.b", MOX_DOMAIN_REQUIRE_DOT, "a.b", "a.b");
	expect_domain("localhost", 0, "localhost", "localhost");
}

static void
domain_ascii_only(void **state)
{
	(void)state;
	expect_domain_err("münchen.de", MOX_DOMAIN_ASCII_ONLY, MOX_ESYNTAX);
	expect_domain_err("xn--mnchen-3ya.de", MOX_DOMAIN_ASCII_ONLY,
	    MOX_ESYNTAX);
	expect_domain("Example.com", MOX_DOMAIN_ASCII_ONLY, "example.com",
	    "example.com");
}

static void
domain_bad_chars(void **state)
{
	(void)state;
	expect_domain_err("a b.com", 0, MOX_ESYNTAX);
	expect_domain_err("a!.com", 0, MOX_ESYNTAX);
	expect_domain_err("user@example.com", 0, MOX_ESYNTAX);
	expect_domain_err("[1.2.3.4]", 0, MOX_ESYNTAX);
	expect_domain_err("a\tb", 0, MOX_ESYNTAX);
	expect_domain_err("a ü.de", 0, MOX_EIDNA);
}

static void
domain_equal(void **state)
{
	mox_domain a, b, c;

	(void)state;
	assert_int_equal(dparse(&a, "MÜNCHEN.de", 0), MOX_OK);
	assert_int_equal(dparse(&b, "xn--mnchen-3ya.DE", 0), MOX_OK);
	assert_int_equal(dparse(&c, "muenchen.de", 0), MOX_OK);
	assert_true(mox_domain_equal(&a, &b));
	assert_false(mox_domain_equal(&a, &c));
	assert_false(mox_domain_equal(&a, NULL));
	assert_false(mox_domain_is_idn(&c));
	assert_false(mox_domain_is_idn(NULL));
}

/* --- localparts --- */

static void
expect_lp(const char *s, unsigned int flags, const char *want,
    size_t wantlen, unsigned int wantinfo)
{
	char out[MOX_LOCALPART_MAX + 1];
	size_t n = 999;
	unsigned int info = 999;

	assert_int_equal(mox_localpart_parse(out, sizeof(out), &n, &info, s,
	    strlen(s), flags), MOX_OK);
	assert_int_equal(n, wantlen);
	assert_memory_equal(out, want, wantlen);
	assert_int_equal(out[n], '\0');
	assert_int_equal(info, wantinfo);
}

static void
expect_lp_err(const char *s, size_t len, unsigned int flags, int status)
{
	char out[MOX_LOCALPART_MAX + 1];
	size_t n = 999;
	unsigned int info = 999;

	memset(out, 'x', sizeof(out));
	assert_int_equal(mox_localpart_parse(out, sizeof(out), &n, &info, s,
	    len, flags), status);
	assert_int_equal(out[0], '\0');
	assert_int_equal(n, 0);
	assert_int_equal(info, 0);
}

static void
localpart_dot_atom(void **state)
{
	(void)state;
	expect_lp("john.doe", 0, "john.doe", 8, 0);
	expect_lp("John.Doe", 0, "John.Doe", 8, 0); /* case kept */
	expect_lp("a+tag", 0, "a+tag", 5, 0);
	expect_lp("!#$%&'*+-/=?^_`{|}~", 0, "!#$%&'*+-/=?^_`{|}~", 19, 0);
	expect_lp("x", 0, "x", 1, 0);
}

static void
localpart_quoted(void **state)
{
	(void)state;
	expect_lp("\"john doe\"", 0, "john doe", 8, MOX_LOCALPART_QUOTED);
	/* Quoted but a dot-atom once unquoted: no quoting needed. */
	expect_lp("\"abc\"", 0, "abc", 3, 0);
	expect_lp("\"\"", 0, "", 0, MOX_LOCALPART_QUOTED);
	expect_lp("\"a@b\"", 0, "a@b", 3, MOX_LOCALPART_QUOTED);
	expect_lp("\".a\"", 0, ".a", 2, MOX_LOCALPART_QUOTED);
	expect_lp("\"a..b\"", 0, "a..b", 4, MOX_LOCALPART_QUOTED);
	expect_lp("\"(comment)\"", 0, "(comment)", 9, MOX_LOCALPART_QUOTED);
}

static void
localpart_quoted_pair(void **state)
{
	(void)state;
	expect_lp("\"a\\\"b\\\\c\"", 0, "a\"b\\c", 5, MOX_LOCALPART_QUOTED);
	expect_lp("\"\\a\\b\"", 0, "ab", 2, 0);
	expect_lp("\"\\ \"", 0, " ", 1, MOX_LOCALPART_QUOTED);
	/* quoted-pairSMTP is %d92 %d32-126 only. */
	expect_lp_err("\"a\\\tb\"", 6, 0, MOX_ESYNTAX);
	expect_lp_err("\"a\\\x01" "b\"", 6, 0, MOX_ESYNTAX);
	expect_lp_err("\"\\\xc3\xbc\"", 5, 0, MOX_ESYNTAX);
}

static void
localpart_utf8(void **state)
{
	(void)state;
	expect_lp("δοκιμή", 0, "δοκιμή", strlen("δοκιμή"),
	    MOX_LOCALPART_UTF8);
	expect_lp("\"δοκ ιμή\"", 0, "δοκ ιμή", strlen("δοκ ιμή"),
	    MOX_LOCALPART_UTF8 | MOX_LOCALPART_QUOTED);
	expect_lp_err("δοκιμή", strlen("δοκιμή"), MOX_ADDR_ASCII_LOCALPART,
	    MOX_ESYNTAX);
	expect_lp_err("a\xff", 2, 0, MOX_EUTF8);
	expect_lp_err("a\xc0\xaf", 3, 0, MOX_EUTF8);
	expect_lp_err("\"a\xce\"", 4, 0, MOX_EUTF8);
}

static void
localpart_bad_dots(void **state)
{
	(void)state;
	expect_lp_err(".a", 2, 0, MOX_ESYNTAX);
	expect_lp_err("a.", 2, 0, MOX_ESYNTAX);
	expect_lp_err("a..b", 4, 0, MOX_ESYNTAX);
	expect_lp_err(".", 1, 0, MOX_ESYNTAX);
}

static void
localpart_bad_syntax(void **state)
{
	(void)state;
	expect_lp_err("\"abc", 4, 0, MOX_ESYNTAX);
	expect_lp_err("\"", 1, 0, MOX_ESYNTAX);
	expect_lp_err("\"abc\\\"", 6, 0, MOX_ESYNTAX);
	expect_lp_err("\"a\"b", 4, 0, MOX_ESYNTAX);
	expect_lp_err("a\"b\"", 4, 0, MOX_ESYNTAX);
	expect_lp_err("a b", 3, 0, MOX_ESYNTAX);
	expect_lp_err("a,b", 3, 0, MOX_ESYNTAX);
	expect_lp_err("a(b)", 4, 0, MOX_ESYNTAX);
	expect_lp_err("a@b", 3, 0, MOX_ESYNTAX);
	expect_lp_err("\"a\tb\"", 5, 0, MOX_ESYNTAX);
	expect_lp_err("\"a\rb\"", 5, 0, MOX_ESYNTAX);
	expect_lp_err("", 0, 0, MOX_EEMPTY);
	expect_lp_err("a\0b", 3, 0, MOX_ENUL);
	expect_lp_err("\"a\0\"", 4, 0, MOX_ENUL);
}

static void
localpart_lengths(void **state)
{
	char s[300], out[MOX_LOCALPART_MAX + 1];
	size_t n;

	(void)state;
	rep(s, 'a', 64);
	assert_int_equal(mox_localpart_parse(out, sizeof(out), &n, NULL, s,
	    64, MOX_ADDR_STRICT), MOX_OK);
	assert_int_equal(n, 64);
	expect_lp_err(rep(s, 'a', 65), 65, MOX_ADDR_STRICT, MOX_ETOOLONG);
	assert_int_equal(mox_localpart_parse(out, sizeof(out), &n, NULL, s,
	    65, 0), MOX_OK);
	assert_int_equal(n, 65);
	rep(s, 'a', 255);
	assert_int_equal(mox_localpart_parse(out, sizeof(out), &n, NULL, s,
	    255, 0), MOX_OK);
	assert_int_equal(n, 255);
	assert_int_equal(out[255], '\0');
	expect_lp_err(rep(s, 'a', 256), 256, 0, MOX_ETOOLONG);
	/* The limit is on the unquoted form: 64 escaped chars are fine. */
	s[0] = '"';
	for (int i = 0; i < 64; i++) {
		s[1 + 2 * i] = '\\';
		s[2 + 2 * i] = '"';
	}
	s[129] = '"';
	assert_int_equal(mox_localpart_parse(out, sizeof(out), &n, NULL, s,
	    130, MOX_ADDR_STRICT), MOX_OK);
	assert_int_equal(n, 64);
	assert_int_equal(out[63], '"');
}

static void
localpart_small_buffer(void **state)
{
	char out[8];
	size_t n = 0;
	unsigned int info = 7;

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_int_equal(mox_localpart_parse(out, 4, &n, &info, "abcdef", 6,
	    0), MOX_EBUFS);
	assert_int_equal(out[0], '\0');
	assert_int_equal(n, 6); /* the length needed */
	assert_int_equal(info, 0);
	assert_int_equal(mox_localpart_parse(out, 6, &n, NULL, "abcdef", 6,
	    0), MOX_EBUFS);
	assert_int_equal(mox_localpart_parse(out, 7, &n, NULL, "abcdef", 6,
	    0), MOX_OK);
	assert_string_equal(out, "abcdef");
	assert_int_equal(mox_localpart_parse(out, 3, &n, NULL, "\"a b\"", 5,
	    0), MOX_EBUFS);
	assert_int_equal(out[0], '\0');
	assert_int_equal(mox_localpart_parse(out, 0, &n, NULL, "a", 1, 0),
	    MOX_EBUFS);
	assert_int_equal(mox_localpart_parse(NULL, 8, &n, NULL, "a", 1, 0),
	    MOX_EINVAL);
	assert_int_equal(mox_localpart_parse(out, 8, &n, NULL, NULL, 1, 0),
	    MOX_EINVAL);
	/* out_len and info may be NULL. */
	assert_int_equal(mox_localpart_parse(out, 8, NULL, NULL, "ab", 2, 0),
	    MOX_OK);
	assert_string_equal(out, "ab");
}

/* --- localpart formatting --- */

static void
expect_lp_format(const char *lp, size_t len, const char *want)
{
	char buf[600];
	size_t n;

	n = mox_localpart_format(buf, sizeof(buf), lp, len);
	assert_int_equal(n, strlen(want));
	assert_string_equal(buf, want);
}

static void
localpart_format(void **state)
{
	(void)state;
	expect_lp_format("john.doe", 8, "john.doe");
	expect_lp_format("john doe", 8, "\"john doe\"");
	expect_lp_format("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	expect_lp_format(".a", 2, "\".a\"");
	expect_lp_format("a.", 2, "\"a.\"");
	expect_lp_format("a..b", 4, "\"a..b\"");
	expect_lp_format("a@b", 3, "\"a@b\"");
	expect_lp_format("a,b", 3, "\"a,b\"");
	expect_lp_format("", 0, "\"\"");
	expect_lp_format("δοκιμή", strlen("δοκιμή"), "δοκιμή");
	/* The length counts, not a NUL. */
	expect_lp_format("abc", 2, "ab");
}

static void
localpart_format_roundtrip(void **state)
{
	static const char *const lps[] = {
		"john.doe", "john doe", "a\"b\\c", ".a", "a.", "a..b", "",
		"δοκ ιμή", "\\", "\"", "a@b.c", "!#$%&'*+-/=?^_`{|}~", " ",
	};
	char wire[600], out[MOX_LOCALPART_MAX + 1];
	size_t i, n, wn;
	unsigned int info;

	(void)state;
	for (i = 0; i < sizeof(lps) / sizeof(lps[0]); i++) {
		wn = mox_localpart_format(wire, sizeof(wire), lps[i],
		    strlen(lps[i]));
		assert_true(wn < sizeof(wire));
		assert_int_equal(mox_localpart_parse(out, sizeof(out), &n,
		    &info, wire, wn, 0), MOX_OK);
		assert_int_equal(n, strlen(lps[i]));
		assert_memory_equal(out, lps[i], n);
		/* QUOTED exactly when the wire form has quotes. */
		assert_int_equal((info & MOX_LOCALPART_QUOTED) != 0,
		    wire[0] == '"');
	}
}

static void
localpart_format_snprintf(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(mox_localpart_format(NULL, 0, "john doe", 8), 10);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mox_localpart_format(buf, 0, "john doe", 8), 10);
	assert_int_equal(buf[0], 'x'); /* cap 0: untouched */
	assert_int_equal(mox_localpart_format(buf, 1, "john doe", 8), 10);
	assert_string_equal(buf, "");
	assert_int_equal(mox_localpart_format(buf, 5, "john doe", 8), 10);
	assert_string_equal(buf, "\"joh");
	assert_int_equal(mox_localpart_format(buf, 4, "a\"b", 3), 6);
	assert_string_equal(buf, "\"a\\");
}

/* --- addresses --- */

static int
aparse(mox_address *a, const char *s, unsigned int flags)
{
	return mox_address_parse(a, s, strlen(s), flags);
}

static void
expect_addr_err(const char *s, unsigned int flags, int status)
{
	mox_address a;

	memset(&a, 'x', sizeof(a));
	assert_int_equal(aparse(&a, s, flags), status);
	assert_int_equal(a.localpart[0], 0);
	assert_int_equal(a.localpart_len, 0);
	assert_int_equal(a.domain.ascii[0], 0);
}

static void
address_simple(void **state)
{
	mox_address a;
	char buf[128];

	(void)state;
	assert_int_equal(aparse(&a, "user@Example.COM", 0), MOX_OK);
	assert_string_equal(a.localpart, "user");
	assert_int_equal(a.localpart_len, 4);
	assert_string_equal(a.domain.ascii, "example.com");
	assert_false(mox_address_needs_smtputf8(&a));
	assert_int_equal(mox_address_format(buf, sizeof(buf), &a, false), 16);
	assert_string_equal(buf, "user@example.com");
	/* Localpart case is kept. */
	assert_int_equal(aparse(&a, "User.Name@example.com", 0), MOX_OK);
	assert_string_equal(a.localpart, "User.Name");
}

static void
address_quoted(void **state)
{
	mox_address a;
	char buf[128];

	(void)state;
	assert_int_equal(aparse(&a, "\"john doe\"@example.com", 0), MOX_OK);
	assert_string_equal(a.localpart, "john doe");
	assert_int_equal(a.localpart_len, 8);
	assert_int_equal(mox_address_format(buf, sizeof(buf), &a, false),
	    strlen("\"john doe\"@example.com"));
	assert_string_equal(buf, "\"john doe\"@example.com");
	/* '@' inside the quoted localpart. */
	assert_int_equal(aparse(&a, "\"a@b\"@example.com", 0), MOX_OK);
	assert_string_equal(a.localpart, "a@b");
	assert_int_equal(mox_address_format(buf, sizeof(buf), &a, false),
	    strlen("\"a@b\"@example.com"));
	assert_string_equal(buf, "\"a@b\"@example.com");
	/* Unneeded quotes are dropped when formatting. */
	assert_int_equal(aparse(&a, "\"abc\"@example.com", 0), MOX_OK);
	assert_int_equal(mox_address_format(buf, sizeof(buf), &a, false),
	    15);
	assert_string_equal(buf, "abc@example.com");
	/* Empty quoted localpart. */
	assert_int_equal(aparse(&a, "\"\"@example.com", 0), MOX_OK);
	assert_int_equal(a.localpart_len, 0);
	assert_int_equal(mox_address_format(buf, sizeof(buf), &a, false),
	    14);
	assert_string_equal(buf, "\"\"@example.com");
}

static void
address_utf8(void **state)
{
	static const char in[] = "δοκιμή@παράδειγμα.δοκιμή";
	mox_address a, b;
	char buf[256];
	size_t n;

	(void)state;
	assert_int_equal(aparse(&a, in, 0), MOX_OK);
	assert_string_equal(a.localpart, "δοκιμή");
	assert_string_equal(a.domain.ascii, "xn--hxajbheg2az3al.xn--jxalpdlp");
	assert_string_equal(a.domain.unicode, "παράδειγμα.δοκιμή");
	assert_true(mox_address_needs_smtputf8(&a));
	n = mox_address_format(buf, sizeof(buf), &a, true);
	assert_int_equal(n, strlen(in));
	assert_string_equal(buf, in);
	n = mox_address_format(buf, sizeof(buf), &a, false);
	assert_string_equal(buf, "δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp");
	assert_int_equal(n, strlen(buf));
	assert_int_equal(aparse(&b, buf, 0), MOX_OK);
	assert_string_equal(b.localpart, a.localpart);
	assert_true(mox_domain_equal(&a.domain, &b.domain));
	/* An IDN domain alone needs SMTPUTF8 in its Unicode form. */
	assert_int_equal(aparse(&a, "user@münchen.de", 0), MOX_OK);
	assert_true(mox_address_needs_smtputf8(&a));
	/* No SMTPUTF8 allowed. */
	expect_addr_err(in, MOX_ADDR_ASCII_LOCALPART, MOX_ESYNTAX);
	assert_int_equal(aparse(&a, "user@münchen.de",
	    MOX_ADDR_ASCII_LOCALPART), MOX_OK);
	expect_addr_err("user@münchen.de", MOX_DOMAIN_ASCII_ONLY,
	    MOX_ESYNTAX);
	assert_false(mox_address_needs_smtputf8(NULL));
}

static void
address_errors(void **state)
{
	mox_address a;
	char s[128];

	(void)state;
	expect_addr_err("no-at-sign", 0, MOX_ESYNTAX);
	expect_addr_err("@example.com", 0, MOX_EEMPTY);
	expect_addr_err("a@", 0, MOX_EEMPTY);
	expect_addr_err("", 0, MOX_EEMPTY);
	expect_addr_err("a@[1.2.3.4]", 0, MOX_EUNSUPPORTED);
	expect_addr_err("a@[IPv6:::1]", 0, MOX_EUNSUPPORTED);
	expect_addr_err("a@b@example.com", 0, MOX_ESYNTAX);
	expect_addr_err("a b@example.com", 0, MOX_ESYNTAX);
	expect_addr_err("a@exa mple.com", 0, MOX_ESYNTAX);
	expect_addr_err("a..b@example.com", 0, MOX_ESYNTAX);
	expect_addr_err("\"a@example.com", 0, MOX_ESYNTAX);
	expect_addr_err("a@localhost", MOX_DOMAIN_REQUIRE_DOT, MOX_ESYNTAX);
	expect_addr_err("a@example.com.", 0, MOX_EEMPTY);
	expect_addr_err("a@xn--zz.com", 0, MOX_EIDNA);
	memset(&a, 'x', sizeof(a));
	assert_int_equal(mox_address_parse(&a, "a\0b@example.com", 15, 0),
	    MOX_ENUL);
	assert_int_equal(a.localpart[0], 0);
	assert_int_equal(mox_address_parse(&a, "a@example.com\0", 14, 0),
	    MOX_ENUL);
	assert_int_equal(mox_address_parse(NULL, "a@b", 3, 0), MOX_EINVAL);
	assert_int_equal(mox_address_parse(&a, NULL, 3, 0), MOX_EINVAL);
	/* Flags: trailing dot, strict localpart length. */
	assert_int_equal(aparse(&a, "a@example.com.",
	    MOX_DOMAIN_ALLOW_TRAILING_DOT), MOX_OK);
	assert_string_equal(a.domain.ascii, "example.com");
	rep(s, 'a', 65);
	append(s, sizeof(s), "@example.com");
	assert_int_equal(aparse(&a, s, 0), MOX_OK);
	assert_int_equal(a.localpart_len, 65);
	expect_addr_err(s, MOX_ADDR_STRICT, MOX_ETOOLONG);
}

static void
address_format_snprintf(void **state)
{
	mox_address a;
	char buf[16];

	(void)state;
	assert_int_equal(aparse(&a, "\"john doe\"@münchen.de", 0), MOX_OK);
	assert_int_equal(mox_address_format(NULL, 0, &a, false),
	    strlen("\"john doe\"@xn--mnchen-3ya.de"));
	assert_int_equal(mox_address_format(NULL, 0, &a, true),
	    strlen("\"john doe\"@münchen.de"));
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mox_address_format(buf, sizeof(buf), &a, false),
	    strlen("\"john doe\"@xn--mnchen-3ya.de"));
	assert_string_equal(buf, "\"john doe\"@xn--");
	assert_int_equal(mox_address_format(buf, 1, &a, false), 28);
	assert_string_equal(buf, "");
	assert_int_equal(mox_address_format(buf, sizeof(buf), NULL, false),
	    0);
	assert_string_equal(buf, "");
}

/* --- IP addresses --- */

static int
iparse(mox_ip *ip, const char *s)
{
	return mox_ip_parse(ip, s, strlen(s));
}

static void
expect_ip(const char *s, const char *formatted)
{
	char buf[MOX_IP_STRLEN];
	mox_ip ip, ip2;
	size_t n;

	assert_int_equal(iparse(&ip, s), MOX_OK);
	n = mox_ip_format(buf, sizeof(buf), &ip);
	assert_int_equal(n, strlen(formatted));
	assert_string_equal(buf, formatted);
	assert_int_equal(iparse(&ip2, buf), MOX_OK);
	assert_true(mox_ip_equal(&ip, &ip2));
}

static void
expect_ip_err(const char *s, int status)
{
	mox_ip ip;

	memset(&ip, 0xaa, sizeof(ip));
	assert_int_equal(iparse(&ip, s), status);
	assert_int_equal(ip.family, 0);
	assert_int_equal(ip.addr[0], 0);
	assert_int_equal(ip.addr[15], 0);
}

static void
ip4_valid(void **state)
{
	static const uint8_t want[4] = { 192, 0, 2, 1 };
	mox_ip ip;

	(void)state;
	assert_int_equal(iparse(&ip, "192.0.2.1"), MOX_OK);
	assert_int_equal(ip.family, 4);
	assert_memory_equal(ip.addr, want, 4);
	for (int i = 4; i < 16; i++)
		assert_int_equal(ip.addr[i], 0);
	expect_ip("1.2.3.4", "1.2.3.4");
	expect_ip("0.0.0.0", "0.0.0.0");
	expect_ip("255.255.255.255", "255.255.255.255");
	expect_ip("10.0.100.9", "10.0.100.9");
}

static void
ip4_invalid(void **state)
{
	mox_ip ip;

	(void)state;
	expect_ip_err("1.2.3", MOX_ESYNTAX);
	expect_ip_err("1.2.3.4.5", MOX_ESYNTAX);
	expect_ip_err("256.1.1.1", MOX_ESYNTAX);
	expect_ip_err("1.2.3.256", MOX_ESYNTAX);
	expect_ip_err("01.2.3.4", MOX_ESYNTAX);
	expect_ip_err("1.2.3.00", MOX_ESYNTAX);
	expect_ip_err(" 1.2.3.4", MOX_ESYNTAX);
	expect_ip_err("1.2.3.4 ", MOX_ESYNTAX);
	expect_ip_err("1.2.3.", MOX_ESYNTAX);
	expect_ip_err("1..3.4", MOX_ESYNTAX);
	expect_ip_err("1.2.3.4444", MOX_ESYNTAX);
	expect_ip_err("1.2.3.-4", MOX_ESYNTAX);
	expect_ip_err("0x1.2.3.4", MOX_ESYNTAX);
	expect_ip_err("16909060", MOX_ESYNTAX);
	expect_ip_err("1.2.3.4/8", MOX_ESYNTAX);
	expect_ip_err("", MOX_EEMPTY);
	assert_int_equal(mox_ip_parse(&ip, "1.2.3.4\0", 8), MOX_ENUL);
	assert_int_equal(mox_ip_parse(&ip, "1.2\0.3.4", 8), MOX_ENUL);
	assert_int_equal(mox_ip_parse(&ip, "1.2.3.4", 5), MOX_ESYNTAX);
	assert_int_equal(mox_ip_parse(NULL, "1.2.3.4", 7), MOX_EINVAL);
	assert_int_equal(mox_ip_parse(&ip, NULL, 7), MOX_EINVAL);
	expect_ip_err("1111111111111111111111111111111111111111111111.1",
	    MOX_ETOOLONG);
}

static void
ip6_valid(void **state)
{
	static const uint8_t loop[16] = { [15] = 1 };
	mox_ip ip;

	(void)state;
	assert_int_equal(iparse(&ip, "::1"), MOX_OK);
	assert_int_equal(ip.family, 6);
	assert_memory_equal(ip.addr, loop, 16);
	expect_ip("::", "::");
	expect_ip("::1", "::1");
	expect_ip("1::", "1::");
	expect_ip("2001:db8::1", "2001:db8::1");
	expect_ip("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	expect_ip("2001:db8:0:0:0:0:2:1", "2001:db8::2:1");
	expect_ip("2001:db8::0:1", "2001:db8::1");
	expect_ip("2001:0db8:0000:0000:0000:ff00:0042:8329",
	    "2001:db8::ff00:42:8329");
	/* One zero group is not compressed (RFC 5952 4.2.2). */
	expect_ip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	/* Longest run wins; on a tie the first. */
	expect_ip("1:0:0:2:0:0:0:3", "1:0:0:2::3");
	expect_ip("1:0:0:2:0:0:3:4", "1::2:0:0:3:4");
	expect_ip("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
	expect_ip("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
	expect_ip("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
	expect_ip("FE80::ABCD:EF01", "fe80::abcd:ef01");
	expect_ip("0:0:0:0:0:0:0:0", "::");
	expect_ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void
ip6_embedded_v4(void **state)
{
	static const uint8_t mapped[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4
	};
	mox_ip ip;

	(void)state;
	assert_int_equal(iparse(&ip, "::ffff:1.2.3.4"), MOX_OK);
	assert_int_equal(ip.family, 6);
	assert_memory_equal(ip.addr, mapped, 16);
	expect_ip("::ffff:1.2.3.4", "::ffff:1.2.3.4");
	expect_ip("::FFFF:102:304", "::ffff:1.2.3.4");
	expect_ip("0:0:0:0:0:ffff:1.2.3.4", "::ffff:1.2.3.4");
	expect_ip("64:ff9b::1.2.3.4", "64:ff9b::102:304");
	expect_ip("::1.2.3.4", "::102:304");
	expect_ip("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304");
	expect_ip("1::6:255.255.255.255", "1::6:ffff:ffff");
	expect_ip_err("::ffff:1.2.3", MOX_ESYNTAX);
	expect_ip_err("::ffff:1.2.3.04", MOX_ESYNTAX);
	expect_ip_err("::ffff:1.2.3.256", MOX_ESYNTAX);
	expect_ip_err("1:2:3:4:5:6:7:1.2.3.4", MOX_ESYNTAX);
	expect_ip_err("1:2:3:4:5:6::1.2.3.4", MOX_ESYNTAX);
	expect_ip_err("::1.2.3.4:1", MOX_ESYNTAX);
	expect_ip_err("1.2.3.4::", MOX_ESYNTAX);
	expect_ip_err("::ffff:a.2.3.4", MOX_ESYNTAX);
}

static void
ip6_invalid(void **state)
{
	(void)state;
	expect_ip_err(":::", MOX_ESYNTAX);
	expect_ip_err("1::2::3", MOX_ESYNTAX);
	expect_ip_err("::1::", MOX_ESYNTAX);
	expect_ip_err("1:2:3:4:5:6:7:8:9", MOX_ESYNTAX);
	expect_ip_err("1:2:3:4:5:6:7:8::", MOX_ESYNTAX);
	expect_ip_err("::1:2:3:4:5:6:7:8", MOX_ESYNTAX);
	expect_ip_err("1:2:3:4:5:6:7", MOX_ESYNTAX);
	expect_ip_err("12345::", MOX_ESYNTAX);
	expect_ip_err("::12345", MOX_ESYNTAX);
	expect_ip_err("fe80::1%eth0", MOX_ESYNTAX);
	expect_ip_err("fe80::1%", MOX_ESYNTAX);
	expect_ip_err(":1::", MOX_ESYNTAX);
	expect_ip_err("1:", MOX_ESYNTAX);
	expect_ip_err("1::2:", MOX_ESYNTAX);
	expect_ip_err(":", MOX_ESYNTAX);
	expect_ip_err("::g", MOX_ESYNTAX);
	expect_ip_err("[::1]", MOX_ESYNTAX);
	expect_ip_err(" ::1", MOX_ESYNTAX);
	expect_ip_err("::1/128", MOX_ESYNTAX);
	expect_ip_err("0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0",
	    MOX_ETOOLONG);
}

static void
cidr_parse(void **state)
{
	char buf[MOX_IP_STRLEN];
	unsigned int bits = 99;
	mox_ip ip, want;

	(void)state;
	assert_int_equal(mox_cidr_parse(&ip, &bits, "10.1.2.3/8", 10),
	    MOX_OK);
	assert_int_equal(bits, 8);
	assert_int_equal(iparse(&want, "10.0.0.0"), MOX_OK);
	assert_true(mox_ip_equal(&ip, &want));
	assert_int_equal(mox_cidr_parse(&ip, &bits, "1.2.3.4", 7), MOX_OK);
	assert_int_equal(bits, 32);
	assert_int_equal(mox_cidr_parse(&ip, &bits, "1.2.3.4/0", 9), MOX_OK);
	assert_int_equal(bits, 0);
	mox_ip_format(buf, sizeof(buf), &ip);
	assert_string_equal(buf, "0.0.0.0");
	assert_int_equal(mox_cidr_parse(&ip, &bits, "2001:db8:1:2::1/32",
	    18), MOX_OK);
	assert_int_equal(bits, 32);
	mox_ip_format(buf, sizeof(buf), &ip);
	assert_string_equal(buf, "2001:db8::");
	assert_int_equal(mox_cidr_parse(&ip, &bits, "::1", 3), MOX_OK);
	assert_int_equal(bits, 128);
	assert_int_equal(mox_cidr_parse(&ip, &bits, "192.0.2.255/26", 14),
	    MOX_OK);
	mox_ip_format(buf, sizeof(buf), &ip);
	assert_string_equal(buf, "192.0.2.192");
	assert_int_equal(mox_cidr_parse(&ip, NULL, "192.0.2.1/24", 12),
	    MOX_OK);
}

static void
cidr_errors(void **state)
{
	static const struct {
		const char *s;
		int status;
	} cases[] = {
		{ "1.2.3.4/33", MOX_ERANGE },
		{ "::/129", MOX_ERANGE },
		{ "1.2.3.4/99999999999999999999", MOX_ERANGE },
		{ "1.2.3.4/", MOX_ESYNTAX },
		{ "1.2.3.4/a", MOX_ESYNTAX },
		{ "1.2.3.4/08", MOX_ESYNTAX },
		{ "1.2.3.4/-1", MOX_ESYNTAX },
		{ "1.2.3.4/+8", MOX_ESYNTAX },
		{ "1.2.3.4/8/8", MOX_ESYNTAX },
		{ "1.2.3.4 /8", MOX_ESYNTAX },
		{ "1.2.3/8", MOX_ESYNTAX },
		{ "/8", MOX_EEMPTY },
		{ "", MOX_EEMPTY },
		{ "fe80::1%eth0/64", MOX_ESYNTAX },
	};
	unsigned int bits;
	mox_ip ip;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bits = 99;
		memset(&ip, 0xaa, sizeof(ip));
		assert_int_equal(mox_cidr_parse(&ip, &bits, cases[i].s,
		    strlen(cases[i].s)), cases[i].status);
		assert_int_equal(bits, 0);
		assert_int_equal(ip.family, 0);
	}
	assert_int_equal(mox_cidr_parse(&ip, &bits, "1.2.3.4/8\0", 10),
	    MOX_ENUL);
	assert_int_equal(mox_cidr_parse(NULL, &bits, "1.2.3.4", 7),
	    MOX_EINVAL);
}

static void
ip_reverse(void **state)
{
	char buf[MOX_IP_REVERSE_STRLEN];
	mox_ip ip;
	size_t n;
	static const char v6[] =
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6.arpa";
	static const char v6max[] =
	    "f.e.d.c.b.a.9.8.7.6.5.4.3.2.1.0.f.e.d.c.b.a.9.8.7.6.5.4.3.2.1.0"
	    ".ip6.arpa";

	(void)state;
	assert_int_equal(iparse(&ip, "1.2.3.4"), MOX_OK);
	n = mox_ip_reverse_name(buf, sizeof(buf), &ip);
	assert_int_equal(n, strlen("4.3.2.1.in-addr.arpa"));
	assert_string_equal(buf, "4.3.2.1.in-addr.arpa");
	assert_int_equal(iparse(&ip, "255.255.255.255"), MOX_OK);
	n = mox_ip_reverse_name(buf, sizeof(buf), &ip);
	assert_int_equal(n, 28);
	assert_string_equal(buf, "255.255.255.255.in-addr.arpa");
	assert_int_equal(iparse(&ip, "2001:db8::1"), MOX_OK);
	n = mox_ip_reverse_name(buf, sizeof(buf), &ip);
	assert_int_equal(n, strlen(v6));
	assert_string_equal(buf, v6);
	assert_int_equal(iparse(&ip,
	    "0123:4567:89ab:cdef:0123:4567:89ab:cdef"), MOX_OK);
	n = mox_ip_reverse_name(buf, sizeof(buf), &ip);
	assert_int_equal(n, 72);
	assert_true(n < MOX_IP_REVERSE_STRLEN);
	assert_string_equal(buf, v6max);
	/* snprintf contract. */
	assert_int_equal(mox_ip_reverse_name(NULL, 0, &ip), 72);
	assert_int_equal(mox_ip_reverse_name(buf, 4, &ip), 72);
	assert_string_equal(buf, "f.e");
	assert_int_equal(mox_ip_reverse_name(buf, sizeof(buf), NULL), 0);
	assert_string_equal(buf, "");
}

static void
ip_mask(void **state)
{
	static const struct {
		const char *in;
		unsigned int bits;
		const char *want;
	} cases[] = {
		{ "192.0.2.200", 26, "192.0.2.192" },
		{ "192.0.2.200", 32, "192.0.2.200" },
		{ "10.1.15.255", 21, "10.1.8.0" },
		{ "10.1.15.255", 0, "0.0.0.0" },
		{ "10.1.15.255", 1, "0.0.0.0" },
		{ "255.1.15.255", 1, "128.0.0.0" },
		{ "2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::" },
		{ "2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::" },
		{ "2001:db8:1:2:3:4:5:6", 32, "2001:db8::" },
		{ "2001:db8:1:2:3:4:5:6", 128, "2001:db8:1:2:3:4:5:6" },
		{ "2001:db8:ffff::", 36, "2001:db8:f000::" },
	};
	char buf[MOX_IP_STRLEN];
	mox_ip ip, out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(iparse(&ip, cases[i].in), MOX_OK);
		assert_int_equal(mox_ip_mask(&out, &ip, cases[i].bits),
		    MOX_OK);
		mox_ip_format(buf, sizeof(buf), &out);
		assert_string_equal(buf, cases[i].want);
		/* In place. */
		assert_int_equal(mox_ip_mask(&ip, &ip, cases[i].bits),
		    MOX_OK);
		assert_true(mox_ip_equal(&ip, &out));
	}
	assert_int_equal(iparse(&ip, "1.2.3.4"), MOX_OK);
	assert_int_equal(mox_ip_mask(&out, &ip, 33), MOX_ERANGE);
	assert_int_equal(iparse(&ip, "::1"), MOX_OK);
	assert_int_equal(mox_ip_mask(&out, &ip, 129), MOX_ERANGE);
	assert_int_equal(mox_ip_mask(&out, &ip, 128), MOX_OK);
	assert_int_equal(mox_ip_mask(NULL, &ip, 8), MOX_EINVAL);
	assert_int_equal(mox_ip_mask(&out, NULL, 8), MOX_EINVAL);
	memset(&ip, 0, sizeof(ip));
	assert_int_equal(mox_ip_mask(&out, &ip, 8), MOX_EINVAL);
}

static void
ip_in_prefix(void **state)
{
	mox_ip ip, net, v6, mapped, v4;

	(void)state;
	assert_int_equal(iparse(&ip, "10.1.2.3"), MOX_OK);
	assert_int_equal(iparse(&net, "10.0.0.0"), MOX_OK);
	assert_true(mox_ip_in_prefix(&ip, &net, 8));
	assert_false(mox_ip_in_prefix(&ip, &net, 16));
	assert_true(mox_ip_in_prefix(&ip, &net, 0));
	assert_true(mox_ip_in_prefix(&ip, &ip, 32));
	assert_false(mox_ip_in_prefix(&ip, &net, 33));
	assert_int_equal(iparse(&net, "10.1.0.0"), MOX_OK);
	assert_true(mox_ip_in_prefix(&ip, &net, 21));
	assert_int_equal(iparse(&ip, "10.1.8.1"), MOX_OK);
	assert_false(mox_ip_in_prefix(&ip, &net, 21));
	assert_true(mox_ip_in_prefix(&ip, &net, 20));
	assert_int_equal(iparse(&v6, "2001:db8:1:2::5"), MOX_OK);
	assert_int_equal(iparse(&net, "2001:db8:1::"), MOX_OK);
	assert_true(mox_ip_in_prefix(&v6, &net, 48));
	assert_false(mox_ip_in_prefix(&v6, &net, 64));
	assert_false(mox_ip_in_prefix(&v6, &net, 129));
	/* Families never match, not even IPv4-mapped. */
	assert_int_equal(iparse(&mapped, "::ffff:10.1.2.3"), MOX_OK);
	assert_int_equal(iparse(&net, "10.0.0.0"), MOX_OK);
	assert_false(mox_ip_in_prefix(&mapped, &net, 8));
	assert_false(mox_ip_in_prefix(&net, &mapped, 0));
	mox_ip_unmap(&v4, &mapped);
	assert_true(mox_ip_in_prefix(&v4, &net, 8));
	assert_false(mox_ip_in_prefix(NULL, &net, 8));
	assert_false(mox_ip_in_prefix(&v4, NULL, 8));
}

static void
ip_unmap_equal(void **state)
{
	char buf[MOX_IP_STRLEN];
	mox_ip ip, out, v4, v6;

	(void)state;
	assert_int_equal(iparse(&ip, "::ffff:1.2.3.4"), MOX_OK);
	assert_int_equal(iparse(&v4, "1.2.3.4"), MOX_OK);
	assert_false(mox_ip_equal(&ip, &v4));
	mox_ip_unmap(&out, &ip);
	assert_int_equal(out.family, 4);
	assert_true(mox_ip_equal(&out, &v4));
	assert_memory_equal(&out, &v4, sizeof(out));
	mox_ip_format(buf, sizeof(buf), &out);
	assert_string_equal(buf, "1.2.3.4");
	/* In place. */
	mox_ip_unmap(&ip, &ip);
	assert_true(mox_ip_equal(&ip, &v4));
	/* Others unchanged. */
	assert_int_equal(iparse(&v6, "64:ff9b::1.2.3.4"), MOX_OK);
	mox_ip_unmap(&out, &v6);
	assert_true(mox_ip_equal(&out, &v6));
	mox_ip_unmap(&out, &v4);
	assert_true(mox_ip_equal(&out, &v4));
	assert_int_equal(iparse(&v6, "::1.2.3.4"), MOX_OK);
	mox_ip_unmap(&out, &v6);
	assert_int_equal(out.family, 6);
	assert_false(mox_ip_equal(&v4, NULL));
	assert_int_equal(iparse(&v6, "::1"), MOX_OK);
	assert_int_equal(iparse(&ip, "::2"), MOX_OK);
	assert_false(mox_ip_equal(&v6, &ip));
}

static void
ip_format_snprintf(void **state)
{
	char buf[MOX_IP_STRLEN];
	mox_ip ip;

	(void)state;
	assert_int_equal(iparse(&ip, "2001:db8::1"), MOX_OK);
	assert_int_equal(mox_ip_format(NULL, 0, &ip), 11);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(mox_ip_format(buf, 0, &ip), 11);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(mox_ip_format(buf, 5, &ip), 11);
	assert_string_equal(buf, "2001");
	assert_int_equal(mox_ip_format(buf, 11, &ip), 11);
	assert_string_equal(buf, "2001:db8::");
	assert_int_equal(mox_ip_format(buf, 12, &ip), 11);
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(iparse(&ip,
	    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), MOX_OK);
	assert_int_equal(mox_ip_format(buf, sizeof(buf), &ip), 39);
	assert_int_equal(iparse(&ip, "::ffff:255.255.255.255"), MOX_OK);
	assert_int_equal(mox_ip_format(buf, sizeof(buf), &ip), 22);
	assert_string_equal(buf, "::ffff:255.255.255.255");
	assert_int_equal(mox_ip_format(buf, sizeof(buf), NULL), 0);
	assert_string_equal(buf, "");
	memset(&ip, 0, sizeof(ip));
	ip.family = 5;
	assert_int_equal(mox_ip_format(buf, sizeof(buf), &ip), 0);
	assert_string_equal(buf, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(domain_ascii_lowercase),
		cmocka_unit_test(domain_idn_from_unicode),
		cmocka_unit_test(domain_idn_from_alabel),
		cmocka_unit_test(domain_unicode_uppercase_maps),
		cmocka_unit_test(domain_nontransitional),
		cmocka_unit_test(domain_unicode_dots),
		cmocka_unit_test(domain_invalid_punycode),
		cmocka_unit_test(domain_idna_rules),
		cmocka_unit_test(domain_label_too_long),
		cmocka_unit_test(domain_name_too_long),
		cmocka_unit_test(domain_nul),
		cmocka_unit_test(domain_empty),
		cmocka_unit_test(domain_hyphens),
		cmocka_unit_test(domain_bad_utf8),
		cmocka_unit_test(domain_trailing_dot),
		cmocka_unit_test(domain_underscore),
		cmocka_unit_test(domain_require_dot),
		cmocka_unit_test(domain_ascii_only),
		cmocka_unit_test(domain_bad_chars),
		cmocka_unit_test(domain_equal),
		cmocka_unit_test(localpart_dot_atom),
		cmocka_unit_test(localpart_quoted),
		cmocka_unit_test(localpart_quoted_pair),
		cmocka_unit_test(localpart_utf8),
		cmocka_unit_test(localpart_bad_dots),
		cmocka_unit_test(localpart_bad_syntax),
		cmocka_unit_test(localpart_lengths),
		cmocka_unit_test(localpart_small_buffer),
		cmocka_unit_test(localpart_format),
		cmocka_unit_test(localpart_format_roundtrip),
		cmocka_unit_test(localpart_format_snprintf),
		cmocka_unit_test(address_simple),
		cmocka_unit_test(address_quoted),
		cmocka_unit_test(address_utf8),
		cmocka_unit_test(address_errors),
		cmocka_unit_test(address_format_snprintf),
		cmocka_unit_test(ip4_valid),
		cmocka_unit_test(ip4_invalid),
		cmocka_unit_test(ip6_valid),
		cmocka_unit_test(ip6_embedded_v4),
		cmocka_unit_test(ip6_invalid),
		cmocka_unit_test(cidr_parse),
		cmocka_unit_test(cidr_errors),
		cmocka_unit_test(ip_reverse),
		cmocka_unit_test(ip_mask),
		cmocka_unit_test(ip_in_prefix),
		cmocka_unit_test(ip_unmap_equal),
		cmocka_unit_test(ip_format_snprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
