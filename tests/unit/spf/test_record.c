/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for SPF record parsing and formatting (<mox/spf.h>, RFC 7208
 * 4.5, 4.6, 5, 6, 12): the example records the RFC prints, syntax errors
 * with their offsets, term fields, canonical formatting and its round
 * trip, and allocation failures. Internal test (uses mox__fail_at).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mox/spf.h>

#include "base.h"

#define U(s) ((const uint8_t *)(s))

static mox_spf_record *
parse_ok(const char *s)
{
	mox_spf_record *r = NULL;
	const char *err = NULL;
	size_t off = 0;
	int rc;

	rc = mox_spf_record_parse(&r, U(s), strlen(s), &off, &err);
	if (rc != MOX_OK)
		print_error("parse [%s]: %s at %zu (%s)\n", s,
		    mox_status_name(rc), off, err != NULL ? err : "");
	assert_int_equal(rc, MOX_OK);
	assert_non_null(r);
	return r;
}

/* A syntax error in the term starting at offset want_off. */
static void
parse_err(const char *s, int want, size_t want_off)
{
	mox_spf_record *r = (mox_spf_record *)1;
	const char *err = NULL;
	size_t off = 9999;
	int rc;

	rc = mox_spf_record_parse(&r, U(s), strlen(s), &off, &err);
	if (rc != want || (want == MOX_ESYNTAX && off != want_off))
		print_error("parse [%s]: %s at %zu (%s), want %s at %zu\n", s,
		    mox_status_name(rc), off, err != NULL ? err : "",
		    mox_status_name(want), want_off);
	assert_int_equal(rc, want);
	assert_null(r);
	if (want == MOX_ESYNTAX) {
		assert_int_equal(off, want_off);
		assert_non_null(err);
		assert_true(strlen(err) > 0);
	}
}

static char *
fmt(const mox_spf_record *r)
{
	size_t n = mox_spf_record_format(NULL, 0, r);
	char *b = malloc(n + 1);

	assert_non_null(b);
	assert_int_equal(mox_spf_record_format(b, n + 1, r), n);
	assert_int_equal(strlen(b), n);
	return b;
}

/* Parse, format, compare, parse the output, format again: same. */
static void
canon(const char *in, const char *want)
{
	mox_spf_record *r = parse_ok(in), *r2;
	char *a, *b;

	a = fmt(r);
	if (strcmp(a, want) != 0)
		print_error("format [%s]: [%s], want [%s]\n", in, a, want);
	assert_string_equal(a, want);
	r2 = parse_ok(a);
	b = fmt(r2);
	assert_string_equal(a, b);
	assert_int_equal(mox_spf_record_count(r), mox_spf_record_count(r2));
	free(a);
	free(b);
	mox_spf_record_free(r);
	mox_spf_record_free(r2);
}

/* The example records RFC 7208 prints (sections 3 to 10 and Appendix A),
 * each split at spaces: every term must come back with its offset. */
static void
test_rfc_examples(void **state)
{
	static const char *const ex[] = {
		"v=spf1 +mx a:colo.example.com/28 -all",
		"v=spf1 a:A.EXAMPLE.COM -all",
		"v=spf1 +mx -all",
		"v=spf1 +mx redirect=_spf.example.com",
		"v=spf1 a mx -all",
		"v=spf1 include:example.com include:example.org -all",
		"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
		"v=spf1 redirect=_spf.example.com",
		"v=spf1 mx:example.com -all",
		"v=spf1 mx -all exp=explain._spf.%{d}",
		"v=spf1 ip4:192.0.2.1 ip4:192.0.2.129 -all",
		"v=spf1 a:authorized-spf.example.com -all",
		"v=spf1 ip4:192.0.2.0/24 mx -all",
		"v=spf1 -all",
		"v=spf1 +all",
		"v=spf1 a -all",
		"v=spf1 a:example.org -all",
		"v=spf1 mx -all",
		"v=spf1 mx:example.org -all",
		"v=spf1 mx mx:example.org -all",
		"v=spf1 mx/30 mx:example.org/30 -all",
		"v=spf1 ptr -all",
		"v=spf1 ip4:192.0.2.128/28 -all",
		"v=spf1 include:example.com include:example.net -all",
		"v=spf1 redirect=example.org",
		("v=spf1 mx include:mobile-users._spf.%{d} "
		    "include:remote-users._spf.%{d} -all"),
		"v=spf1 exists:%{l1r+}.%{d}",
		"v=spf1 exists:%{ir}.%{l1r+}.%{d}",
		"v=spf1 -ip4:192.0.2.0/24 +all",
		"v=spf1 -ptr +all",
		"v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all",
		"v=spf1 exists:_h.%{h}._l.%{l}._o.%{o}._i.%{i}._spf.%{d} ?all",
		"v=spf1 mx ?exists:%{ir}.whitelist.example.org -all",
		"v=spf1 mx exists:%{l}._spf_verify.%{d} -all",
		"v=spf1 mx exists:%{ir}._spf_rate.%{d} -all",
		"v=spf1 mx redirect=%{l1r+}._at_.%{o}._spf.%{d}",
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		mox_spf_record *r = parse_ok(ex[i]);
		const char *p = ex[i] + 7;
		char buf[256];

		for (k = 0; k < mox_spf_record_count(r); k++) {
			const mox_spf_term *t = mox_spf_record_term(r, k);
			size_t n = strcspn(p, " ");

			assert_non_null(t);
			assert_int_equal(t->offset, (size_t)(p - ex[i]));
			/* Each example is in canonical form already. */
			mox_spf_term_format(buf, sizeof(buf), t);
			if (strncmp(buf, p, n) != 0 || buf[n] != '\0')
				print_error("%s: term %zu formats as [%s]\n",
				    ex[i], k, buf);
			assert_true(strncmp(buf, p, n) == 0 && buf[n] == '\0');
			p += n + (p[n] == ' ');
		}
		assert_int_equal(*p, '\0');
		assert_null(mox_spf_record_term(r, k));
		mox_spf_record_free(r);
		canon(ex[i], ex[i]);
	}
}

static void
test_terms(void **state)
{
	mox_spf_record *r;
	const mox_spf_term *t;
	char buf[64];

	(void)state;
	r = parse_ok("v=spf1 +mx a:colo.example.com/28 -all");
	assert_int_equal(mox_spf_record_count(r), 3);
	t = mox_spf_record_term(r, 0);
	assert_int_equal(t->kind, MOX_SPF_MX);
	assert_int_equal(t->qualifier, MOX_SPF_Q_PASS);
	assert_true(t->explicit_qualifier);
	assert_null(t->domain_spec);
	assert_int_equal(t->cidr4, 32);
	assert_int_equal(t->cidr6, 128);
	assert_int_equal(t->offset, 7);
	t = mox_spf_record_term(r, 1);
	assert_int_equal(t->kind, MOX_SPF_A);
	assert_int_equal(t->qualifier, MOX_SPF_Q_PASS);
	assert_false(t->explicit_qualifier);
	assert_string_equal(t->domain_spec, "colo.example.com");
	assert_int_equal(t->cidr4, 28);
	assert_int_equal(t->cidr6, 128);
	assert_null(t->name);
	t = mox_spf_record_term(r, 2);
	assert_int_equal(t->kind, MOX_SPF_ALL);
	assert_int_equal(t->qualifier, MOX_SPF_Q_FAIL);
	mox_spf_record_free(r);

	/* Dual CIDR (RFC 7208 5.3, 5.4) */
	r = parse_ok("v=spf1 mx:example.org/30//64 a//0 A/0");
	t = mox_spf_record_term(r, 0);
	assert_string_equal(t->domain_spec, "example.org");
	assert_int_equal(t->cidr4, 30);
	assert_int_equal(t->cidr6, 64);
	t = mox_spf_record_term(r, 1);
	assert_null(t->domain_spec);
	assert_int_equal(t->cidr4, 32);
	assert_int_equal(t->cidr6, 0);
	t = mox_spf_record_term(r, 2);
	assert_int_equal(t->kind, MOX_SPF_A);
	assert_int_equal(t->cidr4, 0);
	mox_spf_record_free(r);

	/* ip4, ip6 */
	r = parse_ok("v=spf1 ip4:192.0.2.1/24 ip6:2001:DB8::1 ?ip6:::ffff:1.2.3.4/"
	    "100 ~ip4:10.0.0.0/8");
	t = mox_spf_record_term(r, 0);
	assert_int_equal(t->kind, MOX_SPF_IP4);
	assert_int_equal(t->ip.family, 4);
	assert_int_equal(t->cidr4, 24);
	mox_ip_format(buf, sizeof(buf), &t->ip);
	assert_string_equal(buf, "192.0.2.1"); /* as written */
	t = mox_spf_record_term(r, 1);
	assert_int_equal(t->kind, MOX_SPF_IP6);
	assert_int_equal(t->ip.family, 6);
	assert_int_equal(t->cidr6, 128);
	t = mox_spf_record_term(r, 2);
	assert_int_equal(t->qualifier, MOX_SPF_Q_NEUTRAL);
	assert_int_equal(t->ip.family, 6);
	assert_int_equal(t->cidr6, 100);
	t = mox_spf_record_term(r, 3);
	assert_int_equal(t->qualifier, MOX_SPF_Q_SOFTFAIL);
	mox_spf_record_free(r);

	/* Modifiers (RFC 7208 6): redirect, exp, unknown ones kept. */
	r = parse_ok("v=spf1 foo=bar a bar.baz_1-x=%{d}.y Exp=e.example "
	    "REDIRECT=r.example empty= ");
	assert_int_equal(mox_spf_record_count(r), 6);
	t = mox_spf_record_term(r, 0);
	assert_int_equal(t->kind, MOX_SPF_UNKNOWN_MODIFIER);
	assert_int_equal(t->qualifier, 0);
	assert_string_equal(t->name, "foo");
	assert_string_equal(t->domain_spec, "bar");
	t = mox_spf_record_term(r, 2);
	assert_string_equal(t->name, "bar.baz_1-x");
	assert_string_equal(t->domain_spec, "%{d}.y");
	t = mox_spf_record_term(r, 3);
	assert_int_equal(t->kind, MOX_SPF_EXP);
	assert_string_equal(t->domain_spec, "e.example");
	t = mox_spf_record_term(r, 4);
	assert_int_equal(t->kind, MOX_SPF_REDIRECT);
	assert_string_equal(t->domain_spec, "r.example");
	t = mox_spf_record_term(r, 5);
	assert_string_equal(t->name, "empty");
	assert_string_equal(t->domain_spec, "");
	mox_spf_record_free(r);

	/* Mechanism names are case-insensitive (RFC 7208 4.6.1). */
	r = parse_ok("V=SPF1 Include:Example.COM A:a.example MX +PTR ~ALL "
	    "EXISTS:%{D}.x.example");
	assert_int_equal(mox_spf_record_term(r, 0)->kind, MOX_SPF_INCLUDE);
	assert_int_equal(mox_spf_record_term(r, 1)->kind, MOX_SPF_A);
	assert_int_equal(mox_spf_record_term(r, 2)->kind, MOX_SPF_MX);
	assert_int_equal(mox_spf_record_term(r, 3)->kind, MOX_SPF_PTR);
	assert_int_equal(mox_spf_record_term(r, 4)->kind, MOX_SPF_ALL);
	assert_int_equal(mox_spf_record_term(r, 5)->kind, MOX_SPF_EXISTS);
	mox_spf_record_free(r);

	/* Spaces: several between terms, trailing ones (RFC 7208 12). */
	r = parse_ok("v=spf1   a    -all  ");
	assert_int_equal(mox_spf_record_count(r), 2);
	assert_int_equal(mox_spf_record_term(r, 1)->offset, 14);
	mox_spf_record_free(r);
	r = parse_ok("v=spf1");
	assert_int_equal(mox_spf_record_count(r), 0);
	mox_spf_record_free(r);
	r = parse_ok("v=spf1 ");
	assert_int_equal(mox_spf_record_count(r), 0);
	mox_spf_record_free(r);

	/* Domain-specs with any visible character (RFC 7208 7.1). */
	r = parse_ok("v=spf1 a:foo:bar/baz.example.com mx:%%%_%-.x.example "
	    "a:x.%{d}.example. ptr:example.com. a:foo.example.xn--zckzah "
	    "a:123-456.example.1-a");
	assert_string_equal(mox_spf_record_term(r, 0)->domain_spec,
	    "foo:bar/baz.example.com");
	assert_string_equal(mox_spf_record_term(r, 1)->domain_spec,
	    "%%%_%-.x.example");
	mox_spf_record_free(r);

	assert_int_equal(mox_spf_record_count(NULL), 0);
	assert_null(mox_spf_record_term(NULL, 0));
	mox_spf_record_free(NULL);
}

static void
test_not_spf(void **state)
{
	(void)state;
	/* RFC 7208 4.5: "v=spf1" then SP or the end. */
	parse_err("", MOX_ENOTFOUND, 0);
	parse_err("v=spf", MOX_ENOTFOUND, 0);
	parse_err("v=spf10", MOX_ENOTFOUND, 0);
	parse_err("v=spf10 -all", MOX_ENOTFOUND, 0);
	parse_err("v=spf1-all", MOX_ENOTFOUND, 0);
	parse_err("v=spf1\t-all", MOX_ENOTFOUND, 0);
	parse_err(" v=spf1 -all", MOX_ENOTFOUND, 0);
	parse_err("spf2.0/pra -all", MOX_ENOTFOUND, 0);
	parse_err("v=spf3 -all", MOX_ENOTFOUND, 0);
}

static void
test_errors(void **state)
{
	mox_spf_record *r = NULL;
	const char *e = NULL;
	size_t off = 0;
	char big[70000];

	(void)state;
	/* Unknown mechanisms and modifier syntax (RFC 7208 4.6.1, 12). */
	parse_err("v=spf1 ip4:1.2.3.4 -all moo", MOX_ESYNTAX, 24);
	parse_err("v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4", MOX_ESYNTAX,
	    7);
	parse_err("v=spf1 moo.cow:far_out=man:dog/cat", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:1.2.3.4 redirect:t2.example.com", MOX_ESYNTAX,
	    19);
	parse_err("v=spf1 1up=foo", MOX_ESYNTAX, 7);
	parse_err("v=spf1 =all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 -foo=bar", MOX_ESYNTAX, 7);
	parse_err("v=spf1 +redirect=a.example", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a\tmx -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:ctrl.example.com\rptr -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:192.0.2.5\n include:x.example ~all",
	    MOX_ESYNTAX, 7);
	parse_err("v=spf1 \x80" "a:example.net -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:\xef\xbb\xbfgarbage.example.net -all",
	    MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:example.net \x96" "all", MOX_ESYNTAX, 21);
	/* all */
	parse_err("v=spf1 -all.", MOX_ESYNTAX, 7);
	parse_err("v=spf1 -all:foobar", MOX_ESYNTAX, 7);
	parse_err("v=spf1 -all/8", MOX_ESYNTAX, 7);
	/* ptr, include, exists */
	parse_err("v=spf1 ptr/0 -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ptr:", MOX_ESYNTAX, 7);
	parse_err("v=spf1 include -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 include: -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 include:ip5.example.com/24", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:mail.example.com/24", MOX_ESYNTAX, 7);
	/* a, mx: domain-end (RFC 7208 7.1) and CIDR lengths */
	parse_err("v=spf1 a:", MOX_ESYNTAX, 7);
	parse_err("v=spf1 mx: -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:foo-bar -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:museum", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:museum.", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:111.222.33.44", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:abc.123", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:example.-com", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:example.com-", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:example.com:8080", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:%{d}com", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:x.%{d}.", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a/33 -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a//129 -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 mx//129 -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a/24/64 -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:foo.example.com/24/64", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:foo.example.com/032", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a/", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:x.example//24//64", MOX_ESYNTAX, 7);
	parse_err("v=spf1 mx:example.org/32//129", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a.", MOX_ESYNTAX, 7);
	/* ip4, ip6 (RFC 7208 5.6) */
	parse_err("v=spf1 ip4", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:1.2.3.4/33", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:1.2.3.4/032", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:1.2.3.4/", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:1.2.3.4//32", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:1.2.3.4:8080", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:1.2.3", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:01.2.3.4", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:1.2.3.256", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip4:2001:db8::1", MOX_ESYNTAX, 7);
	parse_err("v=spf1 -all ip6", MOX_ESYNTAX, 12);
	parse_err("v=spf1 ip6:::1.1.1.1/129", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip6:::1.1.1.1//33", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip6::CAFE::BABE", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip6:1.2.3.4", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip6:::1%eth0", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ip6:2001:db8::1::2", MOX_ESYNTAX, 7);
	/* Macros (RFC 7208 7.1) */
	parse_err("v=spf1 -exists:%(ir).sbl.example.com ?all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:foo%(ir).sbl.example.com", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:foo%.sbl.example.com", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:%{a}.example.com", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:%{d0}.example.org", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:%{d00r}.example.org", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:%{d2", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:%{d2x}.example.org", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:%{", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exists:x.example%", MOX_ESYNTAX, 7);
	parse_err("v=spf1 -all foo=%abc", MOX_ESYNTAX, 12);
	/* c, r and t only in explanations (RFC 7208 7.2) */
	parse_err("v=spf1 -all exp=%{r}.example.com", MOX_ESYNTAX, 12);
	parse_err("v=spf1 a:%{c}.example.com", MOX_ESYNTAX, 7);
	parse_err("v=spf1 a:%{T}.example.com", MOX_ESYNTAX, 7);
	/* redirect, exp: once each, with a domain-spec (RFC 7208 6) */
	parse_err("v=spf1 exp= -all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 exp=-all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 redirect=-all ?all", MOX_ESYNTAX, 7);
	parse_err("v=spf1 ?all redirect=", MOX_ESYNTAX, 12);
	parse_err("v=spf1 exp=a.example -all exp=b.example", MOX_ESYNTAX, 26);
	parse_err("v=spf1 redirect=a.example redirect=b.example", MOX_ESYNTAX,
	    26);

	/* NUL, length, arguments */
	assert_int_equal(mox_spf_record_parse(&r, U("v=spf1 a:foo.example.com\0"),
	    25, &off, &e), MOX_ENUL);
	assert_null(r);
	assert_int_equal(off, 24);
	memset(big, 'a', sizeof(big));
	memcpy(big, "v=spf1 ", 7);
	assert_int_equal(mox_spf_record_parse(&r, U(big), sizeof(big), NULL,
	    NULL), MOX_ETOOLONG);
	assert_int_equal(mox_spf_record_parse(NULL, U("v=spf1"), 6, NULL, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_spf_record_parse(&r, NULL, 6, NULL, NULL),
	    MOX_EINVAL);
	/* Without err_offset and err. */
	assert_int_equal(mox_spf_record_parse(&r, U("v=spf1 moo"), 10, NULL,
	    NULL), MOX_ESYNTAX);
}

static void
test_format(void **state)
{
	mox_spf_record *r;
	char buf[8];
	size_t n;

	(void)state;
	canon("V=SPF1   +A:Example.COM/32//128 MX/24 ?PTR Ip4:192.0.2.0/32 "
	    "IP6:2001:0DB8:0:0::1/128 ip6:::FFFF:1.2.3.4/96 -ALL  ",
	    "v=spf1 +a:Example.COM mx/24 ?ptr ip4:192.0.2.0 ip6:2001:db8::1 "
	    "ip6:::ffff:1.2.3.4/96 -all");
	canon("v=spf1 ip4:1.2.3.4/0 a//64 mx:x.example/0//0 Foo.Bar=%{d}.x "
	    "exp=%{d2}.e.example REDIRECT=x.example",
	    "v=spf1 ip4:1.2.3.4/0 a//64 mx:x.example/0//0 Foo.Bar=%{d}.x "
	    "exp=%{d2}.e.example redirect=x.example");
	canon("v=spf1 ip6:::1.1.1.1/0 a:%{d}/24", "v=spf1 ip6:::101:101/0 "
	    "a:%{d}/24");
	canon("v=spf1", "v=spf1");

	/* snprintf contract */
	r = parse_ok("v=spf1 -all");
	n = mox_spf_record_format(buf, sizeof(buf), r);
	assert_int_equal(n, 11);
	assert_string_equal(buf, "v=spf1 ");
	assert_int_equal(mox_spf_record_format(NULL, 0, r), 11);
	assert_int_equal(mox_spf_term_format(buf, sizeof(buf),
	    mox_spf_record_term(r, 0)), 4);
	assert_string_equal(buf, "-all");
	assert_int_equal(mox_spf_term_format(buf, 2,
	    mox_spf_record_term(r, 0)), 4);
	assert_string_equal(buf, "-");
	assert_int_equal(mox_spf_term_format(buf, sizeof(buf), NULL), 0);
	assert_int_equal(mox_spf_record_format(buf, sizeof(buf), NULL), 0);
	mox_spf_record_free(r);
}

static int
parse_once(void)
{
	mox_spf_record *r = NULL;
	const char *s = "v=spf1 a:%{d}.x.example/24 mx ip6:2001:db8::/32 "
	    "include:_spf.example.com foo=bar exp=%{l}.e.example -all";
	int rc = mox_spf_record_parse(&r, U(s), strlen(s), NULL, NULL);

	if (rc == MOX_OK) {
		assert_int_equal(mox_spf_record_count(r), 7);
		mox_spf_record_free(r);
	}
	return rc;
}

static void
test_alloc_fail(void **state)
{
	unsigned long n;
	int rc = MOX_ENOMEM;

	(void)state;
	for (n = 1; n < 1000; n++) {
		mox__fail_at = n;
		rc = parse_once();
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
	}
	assert_int_equal(rc, MOX_OK);
	assert_true(n > 1);
}

/* A long record of many terms parses in one arena and formats back. */
static void
test_long_record(void **state)
{
	mox__buf b = MOX__BUF_INIT;
	mox_spf_record *r;
	char *out;
	int i;

	(void)state;
	mox__buf_adds(&b, "v=spf1");
	for (i = 0; i < 2000; i++)
		mox__buf_addf(&b, " ip4:10.%d.%d.0/24", i / 256, i % 256);
	assert_int_equal(b.err, 0);
	r = parse_ok(b.p);
	assert_int_equal(mox_spf_record_count(r), 2000);
	out = fmt(r);
	assert_string_equal(out, b.p);
	free(out);
	mox_spf_record_free(r);
	mox__buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_terms),
		cmocka_unit_test(test_not_spf),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_long_record),
		cmocka_unit_test(test_alloc_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
