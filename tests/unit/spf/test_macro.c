/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for SPF macro-strings (RFC 7208 7): every example of the
 * table in 7.4, transformers and delimiters, URL escaping, the letters
 * only allowed in explanations, syntax errors, the left truncation of
 * 7.3, bounded output for macro bombs, and the name helpers. Internal
 * test (spf-int.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spf-int.h"

/* RFC 7208 7.4: sender strong-bad@email.example.com, client 192.0.2.3 or
 * 2001:db8::cb01, validated name mx.example.org. */
static struct spf_macro_ctx
ctx74(bool ip6)
{
	struct spf_macro_ctx c;

	memset(&c, 0, sizeof(c));
	c.s = "strong-bad@email.example.com";
	c.slen = strlen(c.s);
	c.l = "strong-bad";
	c.llen = strlen(c.l);
	c.o = "email.example.com";
	c.olen = strlen(c.o);
	c.d = "email.example.com";
	c.dlen = strlen(c.d);
	c.h = "mx.example.org";
	c.hlen = strlen(c.h);
	c.p = "mx.example.org";
	c.plen = strlen(c.p);
	c.t = 1400000000;
	if (ip6)
		assert_int_equal(mox_ip_parse(&c.ip, "2001:db8::cb01", 14),
		    MOX_OK);
	else
		assert_int_equal(mox_ip_parse(&c.ip, "192.0.2.3", 9), MOX_OK);
	return c;
}

/* Compile and expand without a window; returns a static buffer. */
static const char *
expand(const char *spec, int mode, const struct spf_macro_ctx *c, int *rcp)
{
	static char out[8192];
	mox__arena a = MOX__ARENA_INIT;
	struct spf_macro m;
	struct spf_out o;
	const char *err = NULL;
	size_t off = 0;
	int rc;

	rc = spf__macro_compile(&a, &m, spec, strlen(spec), mode, &err, &off);
	if (rc == MOX_OK) {
		memset(&o, 0, sizeof(o));
		o.p = out;
		o.cap = sizeof(out) - 1;
		rc = spf__macro_expand(&m, c, &o);
		out[o.len] = '\0';
	}
	mox__arena_free(&a);
	*rcp = rc;
	return rc == MOX_OK ? out : NULL;
}

static void
ex(const char *spec, bool ip6, const char *want)
{
	struct spf_macro_ctx c = ctx74(ip6);
	const char *got;
	int rc;

	got = expand(spec, SPF_MACRO_EXPLAIN, &c, &rc);
	if (rc != MOX_OK || strcmp(got, want) != 0)
		print_error("%s: [%s] (%s), want [%s]\n", spec,
		    got != NULL ? got : "", mox_status_name(rc), want);
	assert_int_equal(rc, MOX_OK);
	assert_string_equal(got, want);
}

static void
bad(const char *spec, int mode, size_t want_off)
{
	mox__arena a = MOX__ARENA_INIT;
	struct spf_macro m;
	const char *err = NULL;
	size_t off = 9999;
	int rc;

	rc = spf__macro_compile(&a, &m, spec, strlen(spec), mode, &err, &off);
	if (rc != MOX_ESYNTAX || off != want_off)
		print_error("%s: %s at %zu, want syntax error at %zu\n", spec,
		    mox_status_name(rc), off, want_off);
	assert_int_equal(rc, MOX_ESYNTAX);
	assert_int_equal(off, want_off);
	assert_non_null(err);
	mox__arena_free(&a);
}

static void
good(const char *spec, int mode)
{
	mox__arena a = MOX__ARENA_INIT;
	struct spf_macro m;
	int rc;

	rc = spf__macro_compile(&a, &m, spec, strlen(spec), mode, NULL, NULL);
	if (rc != MOX_OK)
		print_error("%s: %s\n", spec, mox_status_name(rc));
	assert_int_equal(rc, MOX_OK);
	mox__arena_free(&a);
}

static void
test_rfc_table(void **state)
{
	(void)state;
	/* RFC 7208 7.4, first table */
	ex("%{s}", false, "strong-bad@email.example.com");
	ex("%{o}", false, "email.example.com");
	ex("%{d}", false, "email.example.com");
	ex("%{d4}", false, "email.example.com");
	ex("%{d3}", false, "email.example.com");
	ex("%{d2}", false, "example.com");
	ex("%{d1}", false, "com");
	ex("%{dr}", false, "com.example.email");
	ex("%{d2r}", false, "example.email");
	ex("%{l}", false, "strong-bad");
	ex("%{l-}", false, "strong.bad");
	ex("%{lr}", false, "strong-bad");
	ex("%{lr-}", false, "bad.strong");
	ex("%{l1r-}", false, "strong");
	/* second table */
	ex("%{ir}.%{v}._spf.%{d2}", false,
	    "3.2.0.192.in-addr._spf.example.com");
	ex("%{lr-}.lp._spf.%{d2}", false, "bad.strong.lp._spf.example.com");
	ex("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", false,
	    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	ex("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", false,
	    "3.2.0.192.in-addr.strong.lp._spf.example.com");
	ex("%{d2}.trusted-domains.example.net", false,
	    "example.com.trusted-domains.example.net");
	/* IPv6 */
	ex("%{ir}.%{v}._spf.%{d2}", true,
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
	    "ip6._spf.example.com");
}

static void
test_letters(void **state)
{
	struct spf_macro_ctx c = ctx74(false);
	const char *got;
	int rc;

	(void)state;
	ex("%{i}", false, "192.0.2.3");
	ex("%{i}", true,
	    "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
	ex("%{v}", false, "in-addr");
	ex("%{v}", true, "ip6");
	ex("%{h}", false, "mx.example.org");
	ex("%{p}", false, "mx.example.org");
	ex("%{c}", false, "192.0.2.3");
	ex("%{c}", true, "2001:db8::cb01");
	ex("%{C}", true, "2001%3Adb8%3A%3Acb01");
	ex("%{r}", false, "unknown");
	ex("%{t}", false, "1400000000");
	ex("%{t2}", false, "1400000000");
	c.r = "mx.receiver.example";
	c.rlen = strlen(c.r);
	got = expand("%{r}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "mx.receiver.example");
	/* %{p} unknown to the caller: it must be resolved first. */
	c.p = NULL;
	got = expand("x%{p}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_null(got);
	assert_int_equal(rc, MOX_ESTATE);
	/* empty values */
	c = ctx74(false);
	c.h = "";
	c.hlen = 0;
	got = expand("[%{h}][%{h2r}][%{H}]", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "[][][]");
}

static void
test_transform(void **state)
{
	struct spf_macro_ctx c = ctx74(false);
	const char *got;
	int rc;

	(void)state;
	/* More parts asked than exist: all (RFC 7208 7.3). */
	ex("%{d9}", false, "email.example.com");
	ex("%{d99999999999999999999r}", false, "com.example.email");
	/* Leading zeros are digits like any other. */
	ex("%{d02}", false, "example.com");
	/* Upper-case 'R' is the same transformer (ABNF is case-insensitive). */
	ex("%{d2R}", false, "example.email");
	/* Delimiters: every one, several at once, rejoined with '.'. */
	c.l = "a.b-c+d,e/f_g=h";
	c.llen = strlen(c.l);
	got = expand("%{l.-+,/_=}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "a.b.c.d.e.f.g.h");
	got = expand("%{l3r-+}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "d,e/f_g=h.c.a.b");
	got = expand("%{l2+}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "a.b-c.d,e/f_g=h");
	got = expand("%{l}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "a.b-c+d,e/f_g=h");
	/* RFC 7208 openspf cases: split on dash, several delimiters. */
	c.l = "philip-gladstone-test";
	c.llen = strlen(c.l);
	got = expand("%{l2r-}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "gladstone.philip");
	c.l = "foo-bar+zip+quux";
	c.llen = strlen(c.l);
	got = expand("%{l2r+-}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "bar.foo");
	/* Empty parts are parts. */
	c.l = "a..b";
	c.llen = 4;
	got = expand("%{lr}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "b..a");
	got = expand("%{l2}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, ".b");
	got = expand("%{l1r}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "a");
	/* A value without any delimiter. */
	c.l = "single";
	c.llen = 6;
	got = expand("%{l1r}|%{lr}|%{l5}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got, "single|single|single");
}

static void
test_escapes(void **state)
{
	struct spf_macro_ctx c = ctx74(false);
	const char *got;
	int rc;

	(void)state;
	/* RFC 7208 7.1: %% %_ %- */
	ex("macro%%percent%_%_space%-url-space.example.com", false,
	    "macro%percent  space%20url-space.example.com");
	/* RFC 7208 7.3: upper-case letters are URL-escaped, everything but
	 * RFC 3986 unreserved, with upper-case hex digits. */
	c.l = "~jack&jill=up-a_b3.c";
	c.llen = strlen(c.l);
	got = expand("http://example.com/why.html?l=%{L}", SPF_MACRO_EXPLAIN,
	    &c, &rc);
	assert_string_equal(got,
	    "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c");
	ex("%{S}", false, "strong-bad%40email.example.com");
	ex("%{D2R}", false, "example.email");
	c.h = "JUMPIN' JUPITER\xc3\xa9";
	c.hlen = strlen(c.h);
	got = expand("%{H}.%{h}", SPF_MACRO_EXPLAIN, &c, &rc);
	assert_string_equal(got,
	    "JUMPIN%27%20JUPITER%C3%A9.JUMPIN' JUPITER\xc3\xa9");
	/* Explanations keep spaces and dots (the trailing dot too). */
	ex("See http://%{d}/why.html?s=%{S}&i=%{I} .", false,
	    "See http://email.example.com/why.html?s=strong-bad%40email."
	    "example.com&i=192.0.2.3 .");
	ex("", false, "");
}

static void
test_syntax(void **state)
{
	(void)state;
	/* RFC 7208 7.1: a '%' not followed by '{', '%', '-' or '_'. */
	bad("%(ir).sbl.example.com", SPF_MACRO_DOMAIN, 0);
	bad("foo%.sbl.example.com", SPF_MACRO_DOMAIN, 3);
	bad("x.example%", SPF_MACRO_DOMAIN, 9);
	bad("%abc", SPF_MACRO_STRING, 0);
	bad("%{", SPF_MACRO_STRING, 0);
	bad("%{d", SPF_MACRO_STRING, 0);
	bad("%{d2", SPF_MACRO_STRING, 0);
	bad("%{d2rr}", SPF_MACRO_STRING, 0);
	bad("%{d2.r}", SPF_MACRO_STRING, 0);
	bad("%{d x}", SPF_MACRO_STRING, 0);
	bad("ab%{x}", SPF_MACRO_STRING, 4);
	bad("%{a}.example.com", SPF_MACRO_DOMAIN, 2);
	bad("%{d0}.example.com", SPF_MACRO_DOMAIN, 0);
	bad("%{d000}", SPF_MACRO_STRING, 0);
	/* c, r, t only in explanations; unknown modifiers take any letter */
	bad("%{c}.example.com", SPF_MACRO_DOMAIN, 2);
	bad("%{r}.example.com", SPF_MACRO_DOMAIN, 2);
	bad("%{T}.example.com", SPF_MACRO_DOMAIN, 2);
	good("%{c}%{r}%{t}", SPF_MACRO_STRING);
	good("%{c} %{r} %{t}", SPF_MACRO_EXPLAIN);
	/* Characters: visible ASCII; space only in explanations. */
	bad("a b.example.com", SPF_MACRO_DOMAIN, 1);
	bad("a b", SPF_MACRO_STRING, 1);
	good("a  b ", SPF_MACRO_EXPLAIN);
	bad("\xef\xbb\xbf" "Explanation", SPF_MACRO_EXPLAIN, 0);
	bad("tab\there", SPF_MACRO_EXPLAIN, 3);
	{
		mox__arena a = MOX__ARENA_INIT;
		struct spf_macro m;
		const char *err = NULL;
		size_t off = 0;

		assert_int_equal(spf__macro_compile(&a, &m, "ab\0c", 4,
		    SPF_MACRO_EXPLAIN, &err, &off), MOX_ESYNTAX);
		assert_int_equal(off, 2);
		assert_string_equal(err, "NUL byte");
		mox__arena_free(&a);
	}
}

static void
test_domain_end(void **state)
{
	(void)state;
	/* RFC 7208 7.1: domain-end = ( "." toplabel [ "." ] ) / macro-expand */
	good("example.com", SPF_MACRO_DOMAIN);
	good("example.com.", SPF_MACRO_DOMAIN);
	good(".com", SPF_MACRO_DOMAIN);
	good("%{d}", SPF_MACRO_DOMAIN);
	good("x.%{d}", SPF_MACRO_DOMAIN);
	good("x%%", SPF_MACRO_DOMAIN);
	good("x%-", SPF_MACRO_DOMAIN);
	good("x%_", SPF_MACRO_DOMAIN);
	good("foo.example.xn--zckzah", SPF_MACRO_DOMAIN);
	good("a.1-2", SPF_MACRO_DOMAIN);
	good("a.b2", SPF_MACRO_DOMAIN);
	good("foo:bar/baz.example.com", SPF_MACRO_DOMAIN);
	good("%{d}.d.spf.example.com.", SPF_MACRO_DOMAIN);
	bad("", SPF_MACRO_DOMAIN, 0);
	bad("museum", SPF_MACRO_DOMAIN, 0);
	bad("museum.", SPF_MACRO_DOMAIN, 0);
	bad("foo-bar", SPF_MACRO_DOMAIN, 0);
	bad("a.123", SPF_MACRO_DOMAIN, 2);
	bad("a.-com", SPF_MACRO_DOMAIN, 2);
	bad("a.com-", SPF_MACRO_DOMAIN, 2);
	bad("a.c_m", SPF_MACRO_DOMAIN, 2);
	bad("a.com..", SPF_MACRO_DOMAIN, 6);
	bad("%{d}com", SPF_MACRO_DOMAIN, 4);
	bad("x.%{d}.", SPF_MACRO_DOMAIN, 6);
	bad("example.com:8080", SPF_MACRO_DOMAIN, 8);
	/* Only the domain-spec mode checks the end. */
	good("museum", SPF_MACRO_STRING);
	good("", SPF_MACRO_STRING);
}

/* Expand in window mode and make a target name of it. */
static bool
target(const char *spec, const struct spf_macro_ctx *c, char *name,
    size_t *len)
{
	mox__arena a = MOX__ARENA_INIT;
	struct spf_macro m;
	struct spf_out o;
	char buf[1024];
	bool ok = false;

	assert_int_equal(spf__macro_compile(&a, &m, spec, strlen(spec),
	    SPF_MACRO_STRING, NULL, NULL), MOX_OK);
	memset(&o, 0, sizeof(o));
	o.p = buf;
	o.cap = sizeof(buf);
	o.window = true;
	if (spf__macro_expand(&m, c, &o) == MOX_OK)
		ok = spf__target_name(&o, 253, name, len);
	mox__arena_free(&a);
	return ok;
}

static void
test_truncation(void **state)
{
	struct spf_macro_ctx c = ctx74(false);
	char name[MOX_DOMAIN_MAX + 1], want[600];
	size_t len, w;
	int i;

	(void)state;
	assert_true(target("%{d}.", &c, name, &len));
	assert_string_equal(name, "email.example.com");
	assert_int_equal(len, 17);
	/* RFC 7208 7.3: labels removed from the left until <= 253. The
	 * openspf case: foobar. + 8 times somewhat.long.exp.example.com. */
	c.o = "somewhat.long.exp.example.com";
	c.olen = strlen(c.o);
	assert_true(target("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}."
	    "example.com", &c, name, &len));
	for (i = 0, w = 0; i < 8; i++)
		w += (size_t)snprintf(want + w, sizeof(want) - w, "%s.", c.o);
	snprintf(want + w, sizeof(want) - w, "example.com");
	assert_string_equal(name, want);
	assert_int_equal(len, 251);
	/* Exactly 253 stays; 254 loses a label. */
	c.o = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	c.olen = 62;
	assert_true(target("%{o}.%{o}.%{o}.%{o}.b", &c, name, &len));
	assert_int_equal(len, 253);
	assert_true(target("%{o}.%{o}.%{o}.%{o}.bc", &c, name, &len));
	assert_int_equal(len, 191);
	assert_int_equal(name[0], 'a');
	/* A huge expansion keeps its tail through the window. */
	c.s = want;
	c.slen = strlen(want);
	assert_true(target("%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}.x.example", &c,
	    name, &len));
	assert_true(len <= 253);
	assert_int_equal(strcmp(name + len - 10, ".x.example"), 0);
	/* Names DNS cannot hold: empty labels, labels over 63 octets, one
	 * label over 253 octets, nothing. */
	assert_false(target("a..b.example", &c, name, &len));
	assert_false(target(".example", &c, name, &len));
	assert_false(target("example..", &c, name, &len));
	assert_false(target(".", &c, name, &len));
	assert_false(target("", &c, name, &len));
	c.olen = 63;
	assert_false(target("%{o}b.example", &c, name, &len));
	assert_true(target("%{o}.example", &c, name, &len));
	c.l = want;
	memset(want, 'x', 300);
	want[300] = '\0';
	c.llen = 300;
	assert_false(target("%{l}", &c, name, &len));
}

static void
test_bomb(void **state)
{
	struct spf_macro_ctx c = ctx74(false);
	mox__arena a = MOX__ARENA_INIT;
	struct spf_macro m;
	struct spf_out o;
	char buf[1024], *spec, *big;
	size_t i;

	(void)state;
	/* A 4096-octet domain-spec of %{s} with a 64 KiB sender would produce
	 * 60 MiB: stopped at SPF_EXPAND_MAX. */
	spec = malloc(4097);
	big = malloc(65536);
	assert_non_null(spec);
	assert_non_null(big);
	for (i = 0; i + 4 <= 4096; i += 4)
		memcpy(spec + i, "%{s}", 4);
	spec[i] = '\0';
	memset(big, 'a', 65535);
	big[65535] = '\0';
	c.s = big;
	c.slen = 65535;
	assert_int_equal(spf__macro_compile(&a, &m, spec, strlen(spec),
	    SPF_MACRO_DOMAIN, NULL, NULL), MOX_OK);
	memset(&o, 0, sizeof(o));
	o.p = buf;
	o.cap = sizeof(buf);
	o.window = true;
	assert_int_equal(spf__macro_expand(&m, &c, &o), MOX_ETOOLONG);
	assert_true(o.total <= SPF_EXPAND_MAX);
	/* Without a window, output past cap is an error. */
	memset(&o, 0, sizeof(o));
	o.p = buf;
	o.cap = 100;
	c.s = "strong-bad@email.example.com";
	c.slen = strlen(c.s);
	assert_int_equal(spf__macro_expand(&m, &c, &o), MOX_ETOOLONG);
	assert_true(o.len <= 100);
	mox__arena_free(&a);
	free(spec);
	free(big);
}

static void
test_names(void **state)
{
	char out[4 * MOX_DOMAIN_MAX + 1], raw[MOX_DOMAIN_MAX + 1];
	size_t n;

	(void)state;
	n = spf__name_escape(out, "a b\\c\x7f\xc3\xa9.example", 16);
	assert_string_equal(out, "a b\\092c\\127\\195\\169.example");
	assert_int_equal(n, strlen(out));
	n = spf__name_escape(out, "plain.example", 13);
	assert_string_equal(out, "plain.example");
	n = spf__name_escape(out, "\x01\x1f\x20", 3);
	assert_string_equal(out, "\\001\\031 ");
	assert_int_equal(n, 9);

	assert_false(spf__name_unescape(raw, &n, "a\\.b.example"));
	assert_true(spf__name_unescape(raw, &n, "A\\032B.Example."));
	assert_string_equal(raw, "A B.Example");
	assert_int_equal(n, 11);
	assert_true(spf__name_unescape(raw, &n, "."));
	assert_int_equal(n, 0);
	assert_true(spf__name_unescape(raw, &n, ""));
	assert_int_equal(n, 0);
	assert_false(spf__name_unescape(raw, &n, "a..b"));
	assert_false(spf__name_unescape(raw, &n, "a\\25"));
	assert_false(spf__name_unescape(raw, &n, "a\\999"));
	assert_false(spf__name_unescape(raw, &n, "a\\"));

	assert_true(spf__name_within("mail.Example.COM", 16, "example.com",
	    11));
	assert_true(spf__name_within("example.com", 11, "EXAMPLE.com", 11));
	assert_false(spf__name_within("badexample.com", 14, "example.com",
	    11));
	assert_false(spf__name_within("com", 3, "example.com", 11));
	assert_false(spf__name_within("a\0b", 3, "a\0c", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_table),
		cmocka_unit_test(test_letters),
		cmocka_unit_test(test_transform),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_domain_end),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
