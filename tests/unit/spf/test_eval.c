/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for check_host() (<mox/spf.h>, RFC 7208 4 to 7): the
 * examples of RFC 7208 Appendix A, record selection, identities, every
 * mechanism and modifier, include and redirect, explanations, the limits
 * of 4.6.4, DNS errors, macro bombs, huge and non-ASCII input, the
 * authentic bit, API misuse and allocation failures. DNS comes from the
 * static resolver's zone text. Every evaluation runs twice, through
 * mox_spf_check() and through a manual step/answer loop, and both must
 * give the same result. Internal test (mox__fail_at, spf-int.h).
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

/* RFC 7208 Appendix A: the DNS of the extended examples. */
static const char appendix_a[] =
    "$ORIGIN example.com.\n"
    "@ 600 MX 10 mail-a\n"
    "@ 600 MX 20 mail-b\n"
    "@ A 192.0.2.10\n"
    "@ A 192.0.2.11\n"
    "amy A 192.0.2.65\n"
    "bob A 192.0.2.66\n"
    "mail-a A 192.0.2.129\n"
    "mail-b A 192.0.2.130\n"
    "www CNAME example.com.\n"
    "$ORIGIN example.org.\n"
    "@ 600 MX 10 mail-c\n"
    "mail-c A 192.0.2.140\n"
    "$ORIGIN 2.0.192.in-addr.arpa.\n"
    "10 PTR example.com.\n"
    "11 PTR example.com.\n"
    "65 PTR amy.example.com.\n"
    "66 PTR bob.example.com.\n"
    "129 PTR mail-a.example.com.\n"
    "130 PTR mail-b.example.com.\n"
    "140 PTR mail-c.example.org.\n"
    "$ORIGIN 0.0.10.in-addr.arpa.\n"
    "4 PTR bob.example.com.\n"
    "$ORIGIN .\n";

static mox_resolver *
zone_new(const char *a, const char *b)
{
	mox_resolver *r = NULL;
	char *text;
	size_t la = strlen(a), lb = b != NULL ? strlen(b) : 0;
	int rc;

	text = malloc(la + lb + 2);
	assert_non_null(text);
	memcpy(text, a, la);
	text[la] = '\n';
	if (lb > 0)
		memcpy(text + la + 1, b, lb);
	text[la + 1 + lb] = '\0';
	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	rc = mox_resolver_static_load(r, text, la + lb + 1, NULL);
	if (rc != MOX_OK)
		print_error("zone: %s\n", mox_resolver_errmsg(r));
	assert_int_equal(rc, MOX_OK);
	free(text);
	return r;
}

static mox_spf_request
req_make(const char *ip, const char *sender, const char *helo)
{
	mox_spf_request q = MOX_SPF_REQUEST_INIT;

	assert_int_equal(mox_ip_parse(&q.ip, ip, strlen(ip)), MOX_OK);
	q.sender = sender;
	q.helo = helo;
	q.now = 1400000000;
	return q;
}

/* The step loop, answering as mox_spf_check() does. */
static int
steps(mox_resolver *r, const mox_spf_request *req, mox_spf_result *out)
{
	mox_spf_eval *e = NULL;
	mox_spf_question q;
	int rc;

	rc = mox_spf_eval_new(&e, req);
	if (rc != MOX_OK)
		return rc;
	while ((rc = mox_spf_eval_step(e, &q)) == MOX_SPF_STEP_QUERY) {
		mox_dns_answer *a = NULL;

		rc = mox_dns_lookup(r, q.name, q.type, &a);
		if (rc == MOX_OK) {
			rc = mox_spf_eval_answer(e, a);
			mox_dns_answer_free(a);
		} else if (rc != MOX_ENOMEM) {
			rc = spf__eval_answer_none(e, rc == MOX_EINVAL);
		}
		if (rc != MOX_OK)
			break;
	}
	if (rc == MOX_SPF_STEP_DONE)
		rc = mox_spf_eval_result(e, out);
	mox_spf_eval_free(e);
	return rc;
}

static void
str_same(const char *what, const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0)) {
		print_error("%s differs: [%s] [%s]\n", what, a ? a : "(null)",
		    b ? b : "(null)");
		fail();
	}
}

static void
same(const mox_spf_result *a, const mox_spf_result *b)
{
	assert_int_equal(a->verdict, b->verdict);
	assert_int_equal(a->identity, b->identity);
	str_same("domain", a->domain, b->domain);
	str_same("checked", a->checked, b->checked);
	str_same("mechanism", a->mechanism, b->mechanism);
	str_same("mechanism_domain", a->mechanism_domain, b->mechanism_domain);
	str_same("explanation", a->explanation, b->explanation);
	str_same("reason", a->reason, b->reason);
	assert_int_equal(a->authentic, b->authentic);
	assert_int_equal(a->dns_terms, b->dns_terms);
	assert_int_equal(a->void_lookups, b->void_lookups);
	assert_int_equal(a->queries, b->queries);
}

/* Both ways; the result of mox_spf_check() in out (release it). */
static void
eval(mox_resolver *r, const mox_spf_request *req, mox_spf_result *out)
{
	mox_spf_result init = MOX_SPF_RESULT_INIT, b = MOX_SPF_RESULT_INIT;

	*out = init;
	assert_int_equal(mox_spf_check(out, r, req), MOX_OK);
	assert_int_equal(steps(r, req, &b), MOX_OK);
	same(out, &b);
	mox_spf_result_release(&b);
}

/* Verdict and deciding mechanism ("" for none) of one check. */
static void
expect_in(mox_resolver *r, const char *ip, const char *sender,
    const char *helo, int verdict, const char *mech)
{
	mox_spf_request q = req_make(ip, sender, helo);
	mox_spf_result res;

	eval(r, &q, &res);
	if (res.verdict != verdict || (mech != NULL && (mech[0] == '\0' ?
	    res.mechanism != NULL : res.mechanism == NULL ||
	    strcmp(res.mechanism, mech) != 0)))
		print_error("%s from %s: %s by %s (%s), want %s by %s\n",
		    sender, ip, mox_spf_verdict_name(res.verdict),
		    res.mechanism ? res.mechanism : "-",
		    res.reason ? res.reason : "",
		    mox_spf_verdict_name(verdict), mech ? mech : "?");
	assert_int_equal(res.verdict, verdict);
	if (mech != NULL && mech[0] == '\0')
		assert_null(res.mechanism);
	else if (mech != NULL)
		assert_string_equal(res.mechanism, mech);
	mox_spf_result_release(&res);
}

static void
expect(const char *zone, const char *ip, const char *sender, int verdict,
    const char *mech)
{
	mox_resolver *r = zone_new(appendix_a, zone);

	expect_in(r, ip, sender, "helo.example", verdict, mech);
	mox_resolver_free(r);
}

/* --- RFC 7208 Appendix A --- */

static void
test_appendix_a1(void **state)
{
	static const char *const rec[] = {
		"example.com. TXT \"v=spf1 +all\"",
		"example.com. TXT \"v=spf1 a -all\"",
		"example.com. TXT \"v=spf1 a:example.org -all\"",
		"example.com. TXT \"v=spf1 mx -all\"",
		"example.com. TXT \"v=spf1 mx:example.org -all\"",
		"example.com. TXT \"v=spf1 mx mx:example.org -all\"",
		"example.com. TXT \"v=spf1 mx/30 mx:example.org/30 -all\"",
		"example.com. TXT \"v=spf1 ptr -all\"",
		"example.com. TXT \"v=spf1 ip4:192.0.2.128/28 -all\"",
	};
	const char *s = "user@example.com";

	(void)state;
	/* any <ip> passes */
	expect(rec[0], "192.0.2.200", s, MOX_SPF_PASS, "+all");
	expect(rec[0], "2001:db8::1", s, MOX_SPF_PASS, "+all");
	/* hosts 192.0.2.10 and 192.0.2.11 pass */
	expect(rec[1], "192.0.2.10", s, MOX_SPF_PASS, "a");
	expect(rec[1], "192.0.2.11", s, MOX_SPF_PASS, "a");
	expect(rec[1], "192.0.2.65", s, MOX_SPF_FAIL, "-all");
	/* example.org has no A records */
	expect(rec[2], "192.0.2.140", s, MOX_SPF_FAIL, "-all");
	/* 192.0.2.129 and 192.0.2.130 */
	expect(rec[3], "192.0.2.129", s, MOX_SPF_PASS, "mx");
	expect(rec[3], "192.0.2.130", s, MOX_SPF_PASS, "mx");
	expect(rec[3], "192.0.2.140", s, MOX_SPF_FAIL, "-all");
	/* 192.0.2.140 */
	expect(rec[4], "192.0.2.140", s, MOX_SPF_PASS, "mx:example.org");
	expect(rec[4], "192.0.2.129", s, MOX_SPF_FAIL, "-all");
	/* all three */
	expect(rec[5], "192.0.2.129", s, MOX_SPF_PASS, "mx");
	expect(rec[5], "192.0.2.130", s, MOX_SPF_PASS, "mx");
	expect(rec[5], "192.0.2.140", s, MOX_SPF_PASS, "mx:example.org");
	expect(rec[5], "192.0.2.10", s, MOX_SPF_FAIL, "-all");
	/* 192.0.2.128/30 and 192.0.2.140/30 */
	expect(rec[6], "192.0.2.128", s, MOX_SPF_PASS, "mx/30");
	expect(rec[6], "192.0.2.131", s, MOX_SPF_PASS, "mx/30");
	expect(rec[6], "192.0.2.132", s, MOX_SPF_FAIL, "-all");
	expect(rec[6], "192.0.2.143", s, MOX_SPF_PASS, "mx:example.org/30");
	expect(rec[6], "192.0.2.139", s, MOX_SPF_FAIL, "-all");
	/* ptr: 192.0.2.65 passes (valid, in example.com); 192.0.2.140
	 * fails (valid, not in example.com); 10.0.0.4 fails (the reverse
	 * name does not validate) */
	expect(rec[7], "192.0.2.65", s, MOX_SPF_PASS, "ptr");
	expect(rec[7], "192.0.2.140", s, MOX_SPF_FAIL, "-all");
	expect(rec[7], "10.0.0.4", s, MOX_SPF_FAIL, "-all");
	/* ip4 */
	expect(rec[8], "192.0.2.65", s, MOX_SPF_FAIL, "-all");
	expect(rec[8], "192.0.2.129", s, MOX_SPF_PASS, "ip4:192.0.2.128/28");
	/* www is a CNAME of example.com: its TXT record is example.com's */
	expect(rec[1], "192.0.2.10", "x@www.example.com", MOX_SPF_PASS, "a");
}

static void
test_appendix_a2_a3_a4(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	/* A.2: several domains, include and redirect. */
	r = zone_new(appendix_a,
	    "example.com. TXT \"v=spf1 mx -all\"\n"
	    "example.net. TXT \"v=spf1 redirect=example.org\"\n"
	    "example.org. TXT \"v=spf1 mx -all\"\n"
	    "la.example.com. TXT \"v=spf1 include:example.com "
	    "include:example.net -all\"\n");
	q = req_make("192.0.2.140", "user@la.example.com", "h.example");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_string_equal(res.mechanism, "include:example.net");
	assert_string_equal(res.mechanism_domain, "la.example.com");
	assert_string_equal(res.domain, "la.example.com");
	assert_string_equal(res.checked, "user@la.example.com");
	assert_int_equal(res.dns_terms, 5); /* 2 includes, mx, redirect, mx */
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.129", "user@la.example.com", "h",
	    MOX_SPF_PASS, "include:example.com");
	expect_in(r, "192.0.2.65", "user@la.example.com", "h", MOX_SPF_FAIL,
	    "-all");
	/* Through the redirect alone, the mechanism is example.org's. */
	q = req_make("192.0.2.140", "user@example.net", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_string_equal(res.mechanism, "mx");
	assert_string_equal(res.mechanism_domain, "example.org");
	assert_string_equal(res.domain, "example.net");
	mox_spf_result_release(&res);
	mox_resolver_free(r);

	/* A.3: DNSBL style, with %{l1r+} and %{ir}. */
	r = zone_new(appendix_a,
	    "$ORIGIN _spf.example.com.\n"
	    "mary.mobile-users A 127.0.0.2\n"
	    "fred.mobile-users A 127.0.0.2\n"
	    "15.15.168.192.joel.remote-users A 127.0.0.2\n"
	    "16.15.168.192.joel.remote-users A 127.0.0.2\n"
	    "$ORIGIN .\n"
	    "example.com. TXT \"v=spf1 mx include:mobile-users._spf.%{d} "
	    "include:remote-users._spf.%{d} -all\"\n"
	    "mobile-users._spf.example.com. TXT \"v=spf1 "
	    "exists:%{l1r+}.%{d}\"\n"
	    "remote-users._spf.example.com. TXT \"v=spf1 "
	    "exists:%{ir}.%{l1r+}.%{d}\"\n");
	expect_in(r, "203.0.113.9", "mary@example.com", "h", MOX_SPF_PASS,
	    "include:mobile-users._spf.%{d}");
	expect_in(r, "203.0.113.9", "mary+list@example.com", "h",
	    MOX_SPF_PASS, "include:mobile-users._spf.%{d}");
	expect_in(r, "192.168.15.15", "joel@example.com", "h", MOX_SPF_PASS,
	    "include:remote-users._spf.%{d}");
	expect_in(r, "192.168.15.17", "joel@example.com", "h", MOX_SPF_FAIL,
	    "-all");
	expect_in(r, "192.0.2.129", "anyone@example.com", "h", MOX_SPF_PASS,
	    "mx");
	mox_resolver_free(r);

	/* A.4: -include and +all (De Morgan). */
	r = zone_new(appendix_a,
	    "example.com. TXT \"v=spf1 -include:ip4._spf.%{d} "
	    "-include:ptr._spf.%{d} +all\"\n"
	    "ip4._spf.example.com. TXT \"v=spf1 -ip4:192.0.2.0/24 +all\"\n"
	    "ptr._spf.example.com. TXT \"v=spf1 -ptr +all\"\n");
	expect_in(r, "10.0.0.4", "a@example.com", "h", MOX_SPF_FAIL,
	    "-include:ip4._spf.%{d}");
	expect_in(r, "192.0.2.65", "a@example.com", "h", MOX_SPF_FAIL,
	    "-include:ptr._spf.%{d}");
	mox_resolver_free(r);
}

/* --- record selection (RFC 7208 4.4, 4.5) --- */

static void
test_selection(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	r = zone_new(
	    "none.example. TXT \"google-site-verification=x\"\n"
	    "none.example. A 192.0.2.1\n"
	    "empty.example. A 192.0.2.1\n"
	    "two.example. TXT \"v=spf1 -all\"\n"
	    "two.example. TXT \"V=SPF1 +all\"\n"
	    "ten.example. TXT \"v=spf10 +all\"\n"
	    "ten.example. TXT \"v=spf1 -all\"\n"
	    "rr99.example. SPF \"v=spf1 +all\"\n"
	    "rr99.example. TXT \"v=spf1 -all\"\n"
	    "only99.example. SPF \"v=spf1 +all\"\n"
	    "split.example. TXT \"v=spf1 ip4:\" \"192.0.2.5 -all\"\n"
	    "nosp.example. TXT \"v=spf1\" \"-all\"\n"
	    "case.example. TXT \"v=SpF1 ~all\"\n"
	    "$TIMEOUT timeout.example.\n"
	    "$SERVFAIL servfail.example.\n"
	    "bad.example. TXT \"v=spf1 a:foo-bar -all\"\n"
	    "nul.example. TXT \"v=spf1 a:foo.example\\000\"\n",
	    NULL);
	expect_in(r, "192.0.2.5", "a@none.example", "h", MOX_SPF_NONE, "");
	q = req_make("192.0.2.5", "a@none.example", "h");
	eval(r, &q, &res);
	assert_string_equal(res.reason, "no SPF record at none.example");
	assert_int_equal(res.queries, 1);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.5", "a@nxdomain.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_NONE);
	assert_string_equal(res.reason, "nxdomain.example does not exist");
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.5", "a@empty.example", "h", MOX_SPF_NONE, "");
	q = req_make("192.0.2.5", "a@two.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason, "multiple SPF records at two.example");
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.5", "a@ten.example", "h", MOX_SPF_FAIL, "-all");
	/* RFC 7208 3.1, 4.4: type SPF (99) is never used. */
	expect_in(r, "192.0.2.5", "a@rr99.example", "h", MOX_SPF_FAIL,
	    "-all");
	expect_in(r, "192.0.2.5", "a@only99.example", "h", MOX_SPF_NONE, "");
	/* RFC 7208 3.3: strings joined without spaces. */
	expect_in(r, "192.0.2.5", "a@split.example", "h", MOX_SPF_PASS,
	    "ip4:192.0.2.5");
	expect_in(r, "192.0.2.5", "a@nosp.example", "h", MOX_SPF_NONE, "");
	expect_in(r, "192.0.2.5", "a@case.example", "h", MOX_SPF_SOFTFAIL,
	    "~all");
	/* RFC 7208 4.4: DNS errors are temperror. */
	q = req_make("192.0.2.5", "a@timeout.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_TEMPERROR);
	assert_string_equal(res.reason, "DNS timeout for TXT timeout.example");
	assert_null(res.mechanism);
	assert_null(res.mechanism_domain);
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.5", "a@servfail.example", "h",
	    MOX_SPF_TEMPERROR, "");
	/* A broken record is permerror, with where and why. */
	q = req_make("192.0.2.5", "a@bad.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason, "syntax error at offset 7 in record "
	    "of bad.example: domain-spec must end in a top-level label or a "
	    "macro");
	mox_spf_result_release(&res);
	q = req_make("192.0.2.5", "a@nul.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_non_null(strstr(res.reason, "NUL"));
	mox_spf_result_release(&res);
	mox_resolver_free(r);
}

/* --- identities (RFC 7208 2.3, 2.4, 4.3) --- */

static void
test_identity(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;
	static const char *const invalid[] = {
		"foo@[1.2.3.5]", "x@a..b.example", "x@single", "x@", "x@.",
		"x@1.2.3.4", "x@a b.example", "x@-\x01.example",
		("x@a123456789012345678901234567890123456789012345678901234567"
		    "890123.example"),
		"x@\xff\xfe.example",
	};
	size_t i;

	(void)state;
	r = zone_new(
	    "example.net. TXT \"v=spf1 -all exp=exp.example.net\"\n"
	    "exp.example.net. TXT \"%{l}|%{s}|%{o}|%{d}|%{h}\"\n"
	    "helo.example.net. TXT \"v=spf1 a -all\"\n"
	    "helo.example.net. A 192.0.2.7\n"
	    "xn--bcher-kva.example. TXT \"v=spf1 ip4:192.0.2.8 -all\"\n"
	    "a_b.example. TXT \"v=spf1 ip4:192.0.2.9 -all\"\n",
	    NULL);
	/* RFC 7208 4.3: malformed or single-label: none, no query. */
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		q = req_make("192.0.2.1", invalid[i], "h.example");
		eval(r, &q, &res);
		if (res.verdict != MOX_SPF_NONE)
			print_error("%s: %s\n", invalid[i],
			    mox_spf_verdict_name(res.verdict));
		assert_int_equal(res.verdict, MOX_SPF_NONE);
		assert_int_equal(res.queries, 0);
		assert_string_equal(res.domain, "");
		assert_non_null(res.reason);
		assert_false(res.authentic);
		mox_spf_result_release(&res);
	}
	/* Empty MAIL FROM: postmaster@<HELO>; invalid HELO names: none. */
	q = req_make("192.0.2.1", "", "A2345678");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_NONE);
	assert_string_equal(res.checked, "postmaster@A2345678");
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.1", NULL, "[1.2.3.5]", MOX_SPF_NONE, "");
	q = req_make("192.0.2.7", NULL, "Helo.Example.NET.");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_int_equal(res.identity, MOX_SPF_MAILFROM);
	assert_string_equal(res.domain, "helo.example.net");
	assert_string_equal(res.checked, "postmaster@helo.example.net");
	mox_spf_result_release(&res);
	/* HELO identity (RFC 7208 2.3). */
	q = req_make("192.0.2.7", "someone@example.net", "helo.example.net");
	q.identity = MOX_SPF_HELO;
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_int_equal(res.identity, MOX_SPF_HELO);
	assert_string_equal(res.checked, "postmaster@helo.example.net");
	mox_spf_result_release(&res);
	/* RFC 7208 4.3: no local-part: postmaster; the macros. */
	q = req_make("192.0.2.1", "@Example.NET", "h.example");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_string_equal(res.explanation, "postmaster|postmaster@example.net"
	    "|example.net|example.net|h.example");
	mox_spf_result_release(&res);
	/* A sender without '@' is a domain. */
	q = req_make("192.0.2.1", "example.net", "h.example");
	eval(r, &q, &res);
	assert_string_equal(res.checked, "postmaster@example.net");
	assert_string_equal(res.explanation, "postmaster|postmaster@example.net"
	    "|example.net|example.net|h.example");
	mox_spf_result_release(&res);
	/* The last '@' separates; the local-part is kept as given. */
	q = req_make("192.0.2.1", "\"a@b\" c@example.net", "h.example");
	eval(r, &q, &res);
	assert_string_equal(res.explanation, "\"a@b\" c|\"a@b\" c@example.net|"
	    "example.net|example.net|h.example");
	mox_spf_result_release(&res);
	/* IDN: the A-label form is looked up. */
	q = req_make("192.0.2.8", "j\xc3\xbcrgen@B\xc3\xbc" "cher.example",
	    "h.example");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_string_equal(res.domain, "xn--bcher-kva.example");
	assert_string_equal(res.checked,
	    "j\xc3\xbcrgen@xn--bcher-kva.example");
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.8", "x@xn--bcher-kva.example", "h",
	    MOX_SPF_PASS, NULL);
	expect_in(r, "192.0.2.8", "x@xn--bcher-xxx.example", "h",
	    MOX_SPF_NONE, "");
	/* Underscores are allowed in the name (real HELO names have them). */
	expect_in(r, "192.0.2.9", "x@A_B.example", "h", MOX_SPF_PASS,
	    "ip4:192.0.2.9");
	/* IPv4-mapped IPv6 clients are IPv4 (RFC 7208 5). */
	expect_in(r, "::ffff:192.0.2.9", "x@a_b.example", "h", MOX_SPF_PASS,
	    "ip4:192.0.2.9");
	mox_resolver_free(r);
}

/* --- mechanisms (RFC 7208 5) --- */

static void
test_include(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	r = zone_new(
	    "pass.example. TXT \"v=spf1 +all\"\n"
	    "fail.example. TXT \"v=spf1 -all\"\n"
	    "soft.example. TXT \"v=spf1 ~all\"\n"
	    "neutral.example. TXT \"v=spf1 ?all\"\n"
	    "default.example. TXT \"v=spf1 ip4:10.0.0.0/8\"\n"
	    "perm.example. TXT \"v=spf1 include\"\n"
	    "$TIMEOUT temp.example.\n"
	    "nospf.example. TXT \"not spf\"\n"
	    "i1.example. TXT \"v=spf1 include:pass.example -all\"\n"
	    "i2.example. TXT \"v=spf1 include:fail.example ?all\"\n"
	    "i3.example. TXT \"v=spf1 include:soft.example ?all\"\n"
	    "i4.example. TXT \"v=spf1 include:neutral.example ?all\"\n"
	    "i5.example. TXT \"v=spf1 include:default.example ?all\"\n"
	    "i6.example. TXT \"v=spf1 include:temp.example +all\"\n"
	    "i7.example. TXT \"v=spf1 include:perm.example +all\"\n"
	    "i8.example. TXT \"v=spf1 include:nospf.example +all\"\n"
	    "i9.example. TXT \"v=spf1 include:nx.example +all\"\n"
	    "i10.example. TXT \"v=spf1 -include:pass.example +all\"\n"
	    "i11.example. TXT \"v=spf1 include:%{l}.x.example +all\"\n"
	    "self.example. TXT \"v=spf1 include:self.example -all\"\n"
	    "ping.example. TXT \"v=spf1 include:pong.example\"\n"
	    "pong.example. TXT \"v=spf1 include:ping.example\"\n",
	    NULL);
	/* RFC 7208 5.2 table */
	expect_in(r, "192.0.2.1", "a@i1.example", "h", MOX_SPF_PASS,
	    "include:pass.example");
	expect_in(r, "192.0.2.1", "a@i2.example", "h", MOX_SPF_NEUTRAL,
	    "?all");
	expect_in(r, "192.0.2.1", "a@i3.example", "h", MOX_SPF_NEUTRAL,
	    "?all");
	expect_in(r, "192.0.2.1", "a@i4.example", "h", MOX_SPF_NEUTRAL,
	    "?all");
	expect_in(r, "192.0.2.1", "a@i5.example", "h", MOX_SPF_NEUTRAL,
	    "?all");
	expect_in(r, "192.0.2.1", "a@i6.example", "h", MOX_SPF_TEMPERROR, "");
	expect_in(r, "192.0.2.1", "a@i7.example", "h", MOX_SPF_PERMERROR, "");
	q = req_make("192.0.2.1", "a@i8.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason,
	    "include:nospf.example: no SPF record at nospf.example");
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.1", "a@i9.example", "h", MOX_SPF_PERMERROR, "");
	expect_in(r, "192.0.2.1", "a@i10.example", "h", MOX_SPF_FAIL,
	    "-include:pass.example");
	/* An include target that is no valid name: permerror. */
	q = req_make("192.0.2.1", "a..b@i11.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_non_null(strstr(res.reason, "not a valid domain name"));
	mox_spf_result_release(&res);
	/* Loops end at the 10-term limit (RFC 7208 4.6.4). */
	q = req_make("192.0.2.1", "a@self.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason, "more than 10 DNS-querying terms");
	assert_int_equal(res.dns_terms, 11);
	assert_int_equal(res.queries, 11);
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.1", "a@ping.example", "h", MOX_SPF_PERMERROR,
	    "");
	mox_resolver_free(r);
}

static void
test_redirect(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	r = zone_new(
	    "r1.example. TXT \"v=spf1 ip4:192.0.2.1 redirect=t.example\"\n"
	    "t.example. TXT \"v=spf1 a -all\"\n"
	    "t.example. A 192.0.2.2\n"
	    "r1.example. A 192.0.2.3\n"
	    "r2.example. TXT \"v=spf1 redirect=nospf.example\"\n"
	    "r3.example. TXT \"v=spf1 redirect=r3.example\"\n"
	    "r4.example. TXT \"v=spf1 redirect=x.example -all\"\n"
	    "r5.example. TXT \"v=spf1 exp=e.example redirect=t.example\"\n"
	    "r6.example. TXT \"v=spf1 redirect=%{d}.sub.example\"\n"
	    "r6.example.sub.example. TXT \"v=spf1 ip4:192.0.2.6 -all\"\n"
	    "r7.example. TXT \"v=spf1 redirect=%{l}.x.example\"\n"
	    "e.example. TXT \"do not show\"\n",
	    NULL);
	/* A mechanism that matches wins over redirect (RFC 7208 6.1). */
	expect_in(r, "192.0.2.1", "a@r1.example", "h", MOX_SPF_PASS,
	    "ip4:192.0.2.1");
	/* redirect: <domain> becomes the target ("a" is t.example's). */
	q = req_make("192.0.2.2", "a@r1.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_string_equal(res.mechanism, "a");
	assert_string_equal(res.mechanism_domain, "t.example");
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.3", "a@r1.example", "h", MOX_SPF_FAIL, "-all");
	/* No record at the target: permerror. */
	q = req_make("192.0.2.3", "a@r2.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason,
	    "redirect=nospf.example: no SPF record at nospf.example");
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.3", "a@r3.example", "h", MOX_SPF_PERMERROR, "");
	/* all matches before any redirect is looked at. */
	q = req_make("192.0.2.3", "a@r4.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.queries, 1);
	assert_int_equal(res.dns_terms, 0);
	mox_spf_result_release(&res);
	/* The exp= of the redirecting record does not apply (6.2). */
	q = req_make("192.0.2.3", "a@r5.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_null(res.explanation);
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.6", "a@r6.example", "h", MOX_SPF_PASS,
	    "ip4:192.0.2.6");
	expect_in(r, "192.0.2.6", "a..b@r7.example", "h", MOX_SPF_PERMERROR,
	    "");
	mox_resolver_free(r);
}

static void
test_a_mx(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	r = zone_new(
	    "d.example. A 192.0.2.5\n"
	    "d.example. AAAA 2001:db8:1234::dead:beef\n"
	    "d.example. TXT \"v=spf1 a/24//64 -all\"\n"
	    "d2.example. TXT \"v=spf1 a:d.example -all\"\n"
	    "m.example. TXT \"v=spf1 mx -all\"\n"
	    "m.example. MX 0 mx1.m.example.\n"
	    "m.example. MX 5 mx2.m.example.\n"
	    "mx1.m.example. A 198.51.100.1\n"
	    "mx2.m.example. AAAA 2001:db8:ffff::1\n"
	    "m2.example. TXT \"v=spf1 mx:m.example//48 -all\"\n"
	    "d4.example. TXT \"v=spf1 mx -all\"\n"
	    "d4.example. A 192.0.2.44\n"
	    "d5.example. TXT \"v=spf1 mx -all\"\n"
	    "d5.example. MX 0 .\n"
	    "d6.example. TXT \"v=spf1 mx -all\"\n"
	    "d6.example. MX 0 broken.example.\n"
	    "$SERVFAIL broken.example.\n"
	    "d7.example. TXT \"v=spf1 a:broken.example -all\"\n"
	    "d8.example. TXT \"v=spf1 exists:d.example -all\"\n"
	    "d9.example. TXT \"v=spf1 exists:broken.example -all\"\n"
	    "d10.example. TXT \"v=spf1 a:nx.example a/0//0 -all\"\n"
	    "d10.example. AAAA 2001:db8::1\n"
	    "d11.example. TXT \"v=spf1 exists:d4.example -all\"\n",
	    NULL);
	/* a with dual CIDR (RFC 7208 5.3); the client's family picks A or
	 * AAAA and the CIDR length. */
	expect_in(r, "192.0.2.200", "x@d.example", "h", MOX_SPF_PASS,
	    "a/24//64");
	expect_in(r, "192.0.3.5", "x@d.example", "h", MOX_SPF_FAIL, "-all");
	expect_in(r, "2001:db8:1234::1", "x@d.example", "h", MOX_SPF_PASS,
	    "a/24//64");
	expect_in(r, "2001:db8:1235::dead:beef", "x@d.example", "h",
	    MOX_SPF_FAIL, "-all");
	expect_in(r, "192.0.2.5", "x@d2.example", "h", MOX_SPF_PASS,
	    "a:d.example");
	expect_in(r, "192.0.2.6", "x@d2.example", "h", MOX_SPF_FAIL, "-all");
	expect_in(r, "2001:db8:1234::dead:beef", "x@d2.example", "h",
	    MOX_SPF_PASS, "a:d.example");
	/* mx (RFC 7208 5.4): the address records of every MX name. */
	expect_in(r, "198.51.100.1", "x@m.example", "h", MOX_SPF_PASS, "mx");
	expect_in(r, "2001:db8:ffff::1", "x@m.example", "h", MOX_SPF_PASS,
	    "mx");
	expect_in(r, "198.51.100.2", "x@m.example", "h", MOX_SPF_FAIL, "-all");
	expect_in(r, "2001:db8:ffff:1::9", "x@m2.example", "h", MOX_SPF_PASS,
	    "mx:m.example//48");
	expect_in(r, "198.51.100.1", "x@m2.example", "h", MOX_SPF_PASS,
	    "mx:m.example//48");
	/* No MX: no implicit MX, no match; a void lookup. */
	q = req_make("192.0.2.44", "x@d4.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.void_lookups, 1);
	assert_int_equal(res.queries, 2);
	mox_spf_result_release(&res);
	/* Null MX (RFC 7505): nothing to look up. */
	q = req_make("192.0.2.44", "x@d5.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.queries, 2);
	assert_int_equal(res.void_lookups, 0);
	mox_spf_result_release(&res);
	/* DNS errors in a, mx and exists are temperror (RFC 7208 5). */
	q = req_make("192.0.2.44", "x@d6.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_TEMPERROR);
	assert_string_equal(res.reason, "DNS servfail for A broken.example");
	mox_spf_result_release(&res);
	q = req_make("2001:db8::44", "x@d7.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_TEMPERROR);
	assert_string_equal(res.reason,
	    "DNS servfail for AAAA broken.example");
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.44", "x@d9.example", "h", MOX_SPF_TEMPERROR, "");
	/* exists looks up A, also for an IPv6 client (RFC 7208 5.7). */
	expect_in(r, "2001:db8::99", "x@d8.example", "h", MOX_SPF_PASS,
	    "exists:d.example");
	expect_in(r, "192.0.2.1", "x@d11.example", "h", MOX_SPF_PASS,
	    "exists:d4.example");
	/* /0 matches any address of the family when there is a record. */
	expect_in(r, "2001:db8:9::99", "x@d10.example", "h", MOX_SPF_PASS,
	    "a/0//0");
	q = req_make("192.0.2.99", "x@d10.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.void_lookups, 2);
	mox_spf_result_release(&res);
	mox_resolver_free(r);
}

static void
test_ptr(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	r = zone_new(
	    "p.example. TXT \"v=spf1 ptr -all\"\n"
	    "p2.example. TXT \"v=spf1 ptr:Example.ORG -all\"\n"
	    "p3.example. TXT \"v=spf1 ptr:example.org ptr:example.org "
	    "ptr:other.example -all\"\n"
	    "1.2.0.192.in-addr.arpa. PTR host.p.example.\n"
	    "host.p.example. A 192.0.2.1\n"
	    "2.2.0.192.in-addr.arpa. PTR liar.p.example.\n"
	    "liar.p.example. A 192.0.2.99\n"
	    "3.2.0.192.in-addr.arpa. PTR err.p.example.\n"
	    "3.2.0.192.in-addr.arpa. PTR good.p.example.\n"
	    "$SERVFAIL err.p.example.\n"
	    "good.p.example. A 192.0.2.3\n"
	    "$TIMEOUT 4.2.0.192.in-addr.arpa.\n"
	    "5.2.0.192.in-addr.arpa. PTR MAIL.Example.Org.\n"
	    "mail.example.org. A 192.0.2.5\n"
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
	    "ip6.arpa. PTR v6.p.example.\n"
	    "v6.p.example. AAAA 2001:db8::1\n",
	    NULL);
	/* RFC 7208 5.5: a validated name within the target. */
	expect_in(r, "192.0.2.1", "x@p.example", "h", MOX_SPF_PASS, "ptr");
	expect_in(r, "2001:db8::1", "x@p.example", "h", MOX_SPF_PASS, "ptr");
	/* A name that does not validate does not match. */
	expect_in(r, "192.0.2.2", "x@p.example", "h", MOX_SPF_FAIL, "-all");
	/* A DNS error on one name's addresses skips that name. */
	expect_in(r, "192.0.2.3", "x@p.example", "h", MOX_SPF_PASS, "ptr");
	/* A DNS error on the PTR lookup: no match (not temperror). */
	expect_in(r, "192.0.2.4", "x@p.example", "h", MOX_SPF_FAIL, "-all");
	/* No PTR: no match, one void lookup. */
	q = req_make("192.0.2.9", "x@p.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.void_lookups, 1);
	mox_spf_result_release(&res);
	/* Names compare without regard to case. */
	expect_in(r, "192.0.2.5", "x@p2.example", "h", MOX_SPF_PASS,
	    "ptr:Example.ORG");
	/* The PTR names are fetched and validated once per evaluation; each
	 * ptr term still counts its void lookup. */
	q = req_make("192.0.2.5", "x@p3.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_string_equal(res.mechanism, "ptr:example.org");
	assert_int_equal(res.queries, 3);
	assert_int_equal(res.dns_terms, 1);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@p3.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.queries, 2);
	assert_int_equal(res.dns_terms, 3);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.9", "x@p3.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason, "more than 2 void lookups");
	assert_int_equal(res.queries, 2);
	assert_int_equal(res.void_lookups, 3);
	mox_spf_result_release(&res);
	mox_resolver_free(r);
}

static void
test_exp(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	r = zone_new(
	    "e1.example. TXT \"v=spf1 -all exp=x1.%{d}\"\n"
	    "x1.e1.example. TXT \"%{i} is not one of %{d}'s designated mail "
	    "servers.\"\n"
	    "e2.example. TXT \"v=spf1 ~all exp=x1.e1.example\"\n"
	    "e3.example. TXT \"v=spf1 -all exp=two.example\"\n"
	    "two.example. TXT \"one\"\n"
	    "two.example. TXT \"two\"\n"
	    "e4.example. TXT \"v=spf1 -all exp=bad.example\"\n"
	    "bad.example. TXT \"\\239\\187\\191Explanation\"\n"
	    "e5.example. TXT \"v=spf1 -all exp=timeout.example\"\n"
	    "$TIMEOUT timeout.example.\n"
	    "e6.example. TXT \"v=spf1 -all exp=ctr.example\"\n"
	    "ctr.example. TXT \"c=%{c} r=%{r} t=%{t} p=%{p} \" \"S=%{S} "
	    "v=%{v} %% %_ %-\"\n"
	    "7.2.0.192.in-addr.arpa. PTR Host.E6.Example.\n"
	    "host.e6.example. A 192.0.2.7\n"
	    "e7.example. TXT \"v=spf1 include:e1.example -all "
	    "exp=own.example\"\n"
	    "own.example. TXT \"own\"\n"
	    "e8.example. TXT \"v=spf1 -all exp=%{p}.pe.example\"\n"
	    "host.e6.example.pe.example. TXT \"via %{p}\"\n"
	    "e9.example. TXT \"v=spf1 -all exp=syntax.example\"\n"
	    "syntax.example. TXT \"The %{x}-files.\"\n"
	    "e10.example. TXT \"v=spf1 -all exp=nx.example\"\n",
	    NULL);
	q = req_make("192.0.2.1", "x@e1.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_string_equal(res.explanation, "192.0.2.1 is not one of "
	    "e1.example's designated mail servers.");
	assert_null(res.reason);
	assert_int_equal(res.queries, 2);
	mox_spf_result_release(&res);
	/* No exp query without a fail, or when not wanted. */
	q = req_make("192.0.2.1", "x@e2.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_SOFTFAIL);
	assert_null(res.explanation);
	assert_int_equal(res.queries, 1);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@e1.example", "h");
	q.explanation = false;
	eval(r, &q, &res);
	assert_null(res.explanation);
	assert_int_equal(res.queries, 1);
	mox_spf_result_release(&res);
	/* RFC 7208 6.2: several records, bad text, DNS error, no record:
	 * proceed as if there was no exp=. */
	q = req_make("192.0.2.1", "x@e3.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_null(res.explanation);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@e4.example", "h");
	eval(r, &q, &res);
	assert_null(res.explanation);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@e5.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_null(res.explanation);
	assert_null(res.reason);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@e9.example", "h");
	eval(r, &q, &res);
	assert_null(res.explanation);
	mox_spf_result_release(&res);
	/* The exp lookup is no void lookup (RFC 7208 4.6.4). */
	q = req_make("192.0.2.1", "x@e10.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.void_lookups, 0);
	mox_spf_result_release(&res);
	/* The letters of explanations; strings joined; %{p} validated. */
	q = req_make("192.0.2.7", "a.b@e6.example", "h");
	q.receiver = "mx.receiver.example";
	eval(r, &q, &res);
	assert_string_equal(res.explanation, "c=192.0.2.7 "
	    "r=mx.receiver.example t=1400000000 p=Host.E6.Example S=a.b%40"
	    "e6.example v=in-addr %   %20");
	assert_int_equal(res.queries, 4);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.8", "a.b@e6.example", "h");
	eval(r, &q, &res);
	assert_string_equal(res.explanation, "c=192.0.2.8 r=unknown "
	    "t=1400000000 p=unknown S=a.b%40e6.example v=in-addr %   %20");
	mox_spf_result_release(&res);
	/* An include's exp= is not used; the including record's is. */
	q = req_make("192.0.2.1", "x@e7.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_string_equal(res.explanation, "own");
	mox_spf_result_release(&res);
	/* %{p} in the exp= domain-spec itself. */
	q = req_make("192.0.2.7", "x@e8.example", "h");
	eval(r, &q, &res);
	assert_string_equal(res.explanation, "via Host.E6.Example");
	mox_spf_result_release(&res);
	mox_resolver_free(r);
}

static void
test_pmacro(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	/* RFC 7208 7.3: prefer <domain>, then a subdomain, then any. */
	r = zone_new(
	    "42.2.0.192.in-addr.arpa. PTR other.example.\n"
	    "42.2.0.192.in-addr.arpa. PTR mx.e7.example.\n"
	    "42.2.0.192.in-addr.arpa. PTR e7.example.\n"
	    "other.example. A 192.0.2.42\n"
	    "mx.e7.example. A 192.0.2.42\n"
	    "e7.example. A 192.0.2.42\n"
	    "e7.example. TXT \"v=spf1 exists:%{p}.ok.example -all\"\n"
	    "e7.example.ok.example. A 127.0.0.2\n"
	    "sub.example. TXT \"v=spf1 exists:%{p}.ok.example -all\"\n"
	    "43.2.0.192.in-addr.arpa. PTR other.example.\n"
	    "43.2.0.192.in-addr.arpa. PTR mx.sub.example.\n"
	    "mx.sub.example. A 192.0.2.43\n"
	    "other.example. A 192.0.2.43\n"
	    "mx.sub.example.ok.example. A 127.0.0.2\n"
	    "any.example. TXT \"v=spf1 exists:%{p}.ok.example -all\"\n"
	    "other.example.ok.example. A 127.0.0.2\n"
	    "unknown.ok.example. A 127.0.0.3\n"
	    "$SERVFAIL 44.2.0.192.in-addr.arpa.\n",
	    NULL);
	q = req_make("192.0.2.42", "x@e7.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	/* PTR, the exact name's A, the exists A, and the TXT. */
	assert_int_equal(res.queries, 4);
	mox_spf_result_release(&res);
	expect_in(r, "192.0.2.43", "x@sub.example", "h", MOX_SPF_PASS, NULL);
	expect_in(r, "192.0.2.43", "x@any.example", "h", MOX_SPF_PASS, NULL);
	/* No PTR, or a DNS error: "unknown". */
	expect_in(r, "192.0.2.45", "x@any.example", "h", MOX_SPF_PASS, NULL);
	expect_in(r, "192.0.2.44", "x@any.example", "h", MOX_SPF_PASS, NULL);
	mox_resolver_free(r);
}

/* A TXT record line of any length, in strings of at most 250 octets. */
static void
add_txt(mox__buf *z, const char *owner, const char *text, size_t len)
{
	size_t i;

	mox__buf_addf(z, "%s TXT", owner);
	for (i = 0; i < len; i += 250)
		mox__buf_addf(z, " \"%.*s\"", (int)(len - i < 250 ? len - i :
		    250), text + i);
	mox__buf_adds(z, "\n");
}

/* --- limits (RFC 7208 4.6.4) --- */

static void
test_limits(void **state)
{
	mox__buf z = MOX__BUF_INIT;
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;
	int i;

	(void)state;
	mox__buf_adds(&z,
	    "l10.example. TXT \"v=spf1 a mx a mx a mx a mx a ptr ip4:1.2.3.4 "
	    "-all\"\n"
	    "l11.example. TXT \"v=spf1 a a a a a a a a a a a:x.example "
	    "ip4:1.2.3.4 -all\"\n"
	    "l10.example. A 1.2.3.8\n"
	    "l10.example. MX 10 l10.example.\n"
	    "l11.example. A 1.2.3.8\n"
	    "x.example. A 1.2.3.4\n"
	    "v2.example. TXT \"v=spf1 a:nx1.example a:nx2.example ?all\"\n"
	    "v3.example. TXT \"v=spf1 a:nx1.example a:nx2.example "
	    "exists:nx3.example ip4:1.2.3.4\"\n"
	    "mx10.example. TXT \"v=spf1 mx -all\"\n"
	    "mx11.example. TXT \"v=spf1 mx -all\"\n"
	    "ptr11.example. TXT \"v=spf1 ptr -all\"\n"
	    "mx11.example. A 1.2.3.5\n");
	for (i = 0; i < 10; i++) {
		mox__buf_addf(&z, "mx10.example. MX %d mx%d.example.\n", i, i);
		mox__buf_addf(&z, "mx11.example. MX %d mx%d.example.\n", i, i);
		mox__buf_addf(&z, "mx%d.example. A 10.0.0.%d\n", i, i);
		mox__buf_addf(&z, "5.3.2.1.in-addr.arpa. PTR p%d.ptr11.example.\n",
		    i);
		mox__buf_addf(&z, "p%d.ptr11.example. A 10.0.0.%d\n", i, i);
	}
	mox__buf_adds(&z, "mx11.example. MX 10 mx11.example.\n"
	    "5.3.2.1.in-addr.arpa. PTR last.ptr11.example.\n"
	    "last.ptr11.example. A 1.2.3.5\n");
	assert_int_equal(z.err, 0);
	r = zone_new(z.p, NULL);
	mox__buf_free(&z);

	/* Ten DNS-querying terms are allowed, counted before the lookup. */
	q = req_make("1.2.3.4", "x@l10.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_int_equal(res.dns_terms, 10);
	mox_spf_result_release(&res);
	q = req_make("1.2.3.4", "x@l11.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason, "more than 10 DNS-querying terms");
	assert_int_equal(res.dns_terms, 11);
	assert_int_equal(res.queries, 11); /* the 11th was not asked */
	mox_spf_result_release(&res);
	/* Two void lookups are allowed, the third is permerror. */
	q = req_make("1.2.3.4", "x@v2.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_NEUTRAL);
	assert_int_equal(res.void_lookups, 2);
	mox_spf_result_release(&res);
	q = req_make("1.2.3.4", "x@v3.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason, "more than 2 void lookups");
	mox_spf_result_release(&res);
	/* Ten MX names are looked up; eleven are permerror. */
	expect_in(r, "10.0.0.9", "x@mx10.example", "h", MOX_SPF_PASS, "mx");
	q = req_make("1.2.3.5", "x@mx11.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason,
	    "more than 10 MX records at mx11.example");
	assert_int_equal(res.queries, 2);
	mox_spf_result_release(&res);
	/* Only the first ten PTR names are checked. */
	expect_in(r, "1.2.3.5", "x@ptr11.example", "h", MOX_SPF_FAIL, "-all");

	/* The limits are the request's: 0 means the default. */
	q = req_make("1.2.3.4", "x@l10.example", "h");
	q.limits.dns_terms = 3;
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason, "more than 3 DNS-querying terms");
	mox_spf_result_release(&res);
	q = req_make("1.2.3.4", "x@v3.example", "h");
	q.limits.void_lookups = 3;
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	mox_spf_result_release(&res);
	q = req_make("10.0.0.1", "x@mx10.example", "h");
	q.limits.mx_names = 9;
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	mox_spf_result_release(&res);
	q = req_make("1.2.3.5", "x@ptr11.example", "h");
	q.limits.ptr_names = 20;
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	mox_spf_result_release(&res);
	q = req_make("1.2.3.4", "x@v3.example", "h");
	memset(&q.limits, 0, sizeof(q.limits));
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	mox_spf_result_release(&res);
	mox_resolver_free(r);
}

static void
test_big_records(void **state)
{
	mox__buf z = MOX__BUF_INIT, rec = MOX__BUF_INIT;
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;
	size_t i;

	(void)state;
	/* A 4000-octet record in 16 strings: joined, parsed, matched. */
	mox__buf_adds(&rec, "v=spf1");
	for (i = 0; rec.len < 3980; i++)
		mox__buf_addf(&rec, " ip4:10.%zu.%zu.0/24", i / 250, i % 250);
	mox__buf_adds(&rec, " ip4:192.0.2.1");
	add_txt(&z, "big.example.", rec.p, rec.len);
	/* 4097 octets: over the limit. */
	mox__buf_free(&rec);
	mox__buf_adds(&rec, "v=spf1 ");
	while (rec.len < 4097)
		mox__buf_addc(&rec, 'a');
	add_txt(&z, "huge.example.", rec.p, rec.len);
	assert_int_equal(z.err, 0);
	r = zone_new(z.p, NULL);
	q = req_make("192.0.2.1", "x@big.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_string_equal(res.mechanism, "ip4:192.0.2.1");
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@huge.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_string_equal(res.reason,
	    "SPF record at huge.example longer than 4096 octets");
	mox_spf_result_release(&res);
	/* A larger limit accepts it (and the record is then broken). */
	q.limits.max_record = 8192;
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	assert_non_null(strstr(res.reason, "syntax error"));
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@big.example", "h");
	q.limits.max_record = 100;
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PERMERROR);
	mox_spf_result_release(&res);
	mox_resolver_free(r);
	mox__buf_free(&z);
	mox__buf_free(&rec);
}

static void
test_macro_targets(void **state)
{
	mox__buf z = MOX__BUF_INIT;
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;
	char sender[400];
	int i;

	(void)state;
	/* A macro bomb: ~1000 %{s} in one domain-spec. */
	{
		mox__buf b = MOX__BUF_INIT;

		mox__buf_adds(&b, "v=spf1 exists:");
		for (i = 0; i < 1000; i++)
			mox__buf_adds(&b, "%{s}");
		mox__buf_adds(&b, " -all");
		assert_int_equal(b.err, 0);
		add_txt(&z, "bomb.example.", b.p, b.len);
		mox__buf_free(&b);
	}
	mox__buf_adds(&z, "long.example. TXT \"v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.x."
	    "example ?all\"\n"
	    "bad.example. TXT \"v=spf1 a:%{l}.x.example ?all\"\n"
	    "helo.example. TXT \"v=spf1 a:%{H}.x.example a:%{h}.y.example "
	    "?all\"\n"
	    "JUMPIN%27%20JUPITER.x.example. A 192.0.2.1\n"
	    "utf.example. TXT \"v=spf1 exists:%{l}.x.example -all\"\n");
	assert_int_equal(z.err, 0);
	r = zone_new(z.p, NULL);
	mox__buf_free(&z);
	memset(sender, 'a', 300);
	memcpy(sender + 300, "@bomb.example", 14);
	q = req_make("192.0.2.1", sender, "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.queries, 1); /* the name was unusable */
	mox_spf_result_release(&res);
	/* Expansions longer than 253 are truncated from the left (7.3). */
	memset(sender, 'b', 60);
	memcpy(sender + 60, "@long.example", 14);
	q = req_make("192.0.2.1", sender, "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_NEUTRAL);
	assert_int_equal(res.void_lookups, 1);
	assert_int_equal(res.queries, 2);
	mox_spf_result_release(&res);
	/* An expansion with an empty label: no match, nothing asked. */
	q = req_make("192.0.2.1", "a..b@bad.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_NEUTRAL);
	assert_int_equal(res.queries, 1);
	assert_int_equal(res.void_lookups, 0);
	assert_int_equal(res.dns_terms, 1);
	mox_spf_result_release(&res);
	/* A HELO that is no name: URL-escaped, or escaped in the question. */
	q = req_make("192.0.2.1", "x@helo.example", "JUMPIN' JUPITER");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_string_equal(res.mechanism, "a:%{H}.x.example");
	mox_spf_result_release(&res);
	q = req_make("192.0.2.2", "x@helo.example", "JUMPIN' JUPITER");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_NEUTRAL);
	mox_spf_result_release(&res);
	mox_resolver_free(r);
}

/* A non-ASCII local-part reaches DNS as \DDD escapes (RFC 1035 5.1). */
static void
test_escaped_question(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res = MOX_SPF_RESULT_INIT;
	mox_spf_eval *e;
	mox_spf_question qu;
	mox_dns_answer *a;
	static const uint8_t addr[4] = { 127, 0, 0, 2 };

	(void)state;
	r = zone_new("utf.example. TXT \"v=spf1 exists:%{l}.x.example -all\"\n"
	    "sp.example. TXT \"v=spf1 exists:%{h}.x.example -all\"\n", NULL);
	q = req_make("192.0.2.1", "j\xc3\xbcrgen@utf.example", "h");
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_OK);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_QUERY);
	assert_string_equal(qu.name, "utf.example");
	assert_int_equal(qu.type, MOX_DNS_TXT);
	assert_int_equal(mox_dns_lookup(r, qu.name, qu.type, &a), MOX_OK);
	assert_int_equal(mox_spf_eval_answer(e, a), MOX_OK);
	mox_dns_answer_free(a);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_QUERY);
	assert_string_equal(qu.name, "j\\195\\188rgen.x.example");
	assert_int_equal(qu.type, MOX_DNS_A);
	/* A resolver that takes the name answers; here one built by hand. */
	assert_int_equal(mox_dns_answer_new(&a, "escaped.example", MOX_DNS_A,
	    MOX_DNS_OK, 0), MOX_OK);
	assert_int_equal(mox_dns_answer_add(a, "escaped.example", MOX_DNS_A,
	    60, addr, 4), MOX_OK);
	assert_int_equal(mox_spf_eval_answer(e, a), MOX_OK);
	mox_dns_answer_free(a);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_DONE);
	assert_int_equal(mox_spf_eval_result(e, &res), MOX_OK);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	mox_spf_result_release(&res);
	mox_spf_eval_free(e);
	/* mox_spf_check() with a resolver that refuses the name: the name
	 * is unusable, no match. */
	q = req_make("192.0.2.1", "j\xc3\xbcrgen@utf.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_FAIL);
	assert_int_equal(res.void_lookups, 0);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@sp.example", "a b\\c");
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_OK);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_QUERY);
	assert_int_equal(mox_dns_lookup(r, qu.name, qu.type, &a), MOX_OK);
	assert_int_equal(mox_spf_eval_answer(e, a), MOX_OK);
	mox_dns_answer_free(a);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_QUERY);
	assert_string_equal(qu.name, "a b\\092c.x.example");
	mox_spf_eval_free(e);
	mox_resolver_free(r);
}

static void
test_authentic(void **state)
{
	mox_resolver *r;
	mox_spf_request q;
	mox_spf_result res;

	(void)state;
	r = zone_new("$AUTHENTIC yes\n"
	    "s.example. TXT \"v=spf1 a:h.s.example -all\"\n"
	    "h.s.example. A 192.0.2.1\n"
	    "m.example. TXT \"v=spf1 a:h.i.example -all\"\n"
	    "$AUTHENTIC no\n"
	    "h.i.example. A 192.0.2.1\n", NULL);
	q = req_make("192.0.2.1", "x@s.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_true(res.authentic);
	mox_spf_result_release(&res);
	q = req_make("192.0.2.1", "x@m.example", "h");
	eval(r, &q, &res);
	assert_int_equal(res.verdict, MOX_SPF_PASS);
	assert_false(res.authentic);
	mox_spf_result_release(&res);
	mox_resolver_free(r);
}

static void
test_api(void **state)
{
	mox_spf_request q = req_make("192.0.2.1", "x@a.example", "h");
	mox_spf_result res = MOX_SPF_RESULT_INIT;
	mox_spf_eval *e = NULL;
	mox_spf_question qu;
	mox_dns_answer *a;
	mox_resolver *r;

	(void)state;
	assert_int_equal(mox_spf_eval_new(NULL, &q), MOX_EINVAL);
	assert_int_equal(mox_spf_eval_new(&e, NULL), MOX_EINVAL);
	q.version = 0;
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_EVERSION);
	q.version = MOX_SPF_REQUEST_VERSION + 1;
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_EVERSION);
	assert_null(e);
	q = req_make("192.0.2.1", "x@a.example", "h");
	q.identity = 7;
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_EINVAL);
	q = req_make("192.0.2.1", NULL, NULL);
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_EINVAL);
	q = req_make("192.0.2.1", "x@a.example", NULL);
	q.identity = MOX_SPF_HELO;
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_EINVAL);
	q = req_make("192.0.2.1", "x@a.example", "h");
	q.ip.family = 0;
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_EINVAL);

	r = zone_new("a.example. TXT \"v=spf1 a -all\"\n", NULL);
	q = req_make("192.0.2.1", "x@a.example", NULL);
	assert_int_equal(mox_spf_eval_new(&e, &q), MOX_OK);
	assert_int_equal(mox_spf_eval_result(e, &res), MOX_ESTATE);
	assert_int_equal(mox_spf_eval_answer(e, NULL), MOX_ESTATE);
	assert_int_equal(mox_spf_eval_step(NULL, &qu), MOX_EINVAL);
	assert_int_equal(mox_spf_eval_step(e, NULL), MOX_EINVAL);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_QUERY);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_ESTATE);
	/* An answer to another type is refused; the right one is taken. */
	assert_int_equal(mox_dns_lookup(r, "a.example", MOX_DNS_A, &a),
	    MOX_OK);
	assert_int_equal(mox_spf_eval_answer(e, a), MOX_EINVAL);
	mox_dns_answer_free(a);
	assert_int_equal(mox_dns_lookup(r, qu.name, qu.type, &a), MOX_OK);
	assert_int_equal(mox_spf_eval_answer(NULL, a), MOX_EINVAL);
	assert_int_equal(mox_spf_eval_answer(e, a), MOX_OK);
	assert_int_equal(mox_spf_eval_answer(e, a), MOX_ESTATE);
	mox_dns_answer_free(a);
	/* No answer at all: a DNS error. */
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_QUERY);
	assert_string_equal(qu.name, "a.example");
	assert_int_equal(qu.type, MOX_DNS_A);
	assert_int_equal(mox_spf_eval_answer(e, NULL), MOX_OK);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_DONE);
	assert_int_equal(mox_spf_eval_step(e, &qu), MOX_SPF_STEP_DONE);
	res.version = 0;
	assert_int_equal(mox_spf_eval_result(e, &res), MOX_EVERSION);
	res.version = MOX_SPF_RESULT_VERSION;
	assert_int_equal(mox_spf_eval_result(NULL, &res), MOX_EINVAL);
	assert_int_equal(mox_spf_eval_result(e, NULL), MOX_EINVAL);
	assert_int_equal(mox_spf_eval_result(e, &res), MOX_OK);
	assert_int_equal(res.verdict, MOX_SPF_TEMPERROR);
	assert_string_equal(res.reason, "DNS servfail for A a.example");
	assert_false(res.authentic);
	mox_spf_result_release(&res);
	assert_int_equal(res.version, MOX_SPF_RESULT_VERSION);
	assert_null(res.reason);
	assert_null(res.owned_);
	mox_spf_result_release(&res);
	mox_spf_result_release(NULL);
	/* The result can be taken again. */
	assert_int_equal(mox_spf_eval_result(e, &res), MOX_OK);
	assert_int_equal(res.verdict, MOX_SPF_TEMPERROR);
	mox_spf_result_release(&res);
	mox_spf_eval_free(e);
	mox_spf_eval_free(NULL);

	assert_int_equal(mox_spf_check(NULL, r, &q), MOX_EINVAL);
	assert_int_equal(mox_spf_check(&res, NULL, &q), MOX_EINVAL);
	assert_int_equal(mox_spf_check(&res, r, NULL), MOX_EINVAL);
	res.version = 0;
	assert_int_equal(mox_spf_check(&res, r, &q), MOX_EVERSION);
	res.version = MOX_SPF_RESULT_VERSION;
	q.version = 9;
	assert_int_equal(mox_spf_check(&res, r, &q), MOX_EVERSION);
	mox_resolver_free(r);
}

/* --- allocation failures --- */

static const char alloc_zone[] =
    "a.example. TXT \"v=spf1 mx include:b.example ptr:x.example "
    "redirect=c.example\"\n"
    "a.example. MX 10 mx.a.example.\n"
    "mx.a.example. A 192.0.2.50\n"
    "b.example. TXT \"v=spf1 exists:%{ir}.%{l1r+}.b.example ~all\"\n"
    "c.example. TXT \"v=spf1 -all exp=e.%{d}\"\n"
    "e.c.example. TXT \"%{i} is not allowed for %{s}; \" \"see %{p} %{r}\"\n"
    "9.2.0.192.in-addr.arpa. PTR host.c.example.\n"
    "9.2.0.192.in-addr.arpa. PTR host.x.example.\n"
    "host.c.example. A 192.0.2.9\n"
    "host.x.example. A 192.0.2.8\n";

static int
alloc_check(mox_resolver *r, bool use_steps, mox_spf_result *res)
{
	mox_spf_request q = req_make("192.0.2.9", "user+tag@a.example",
	    "h.example");
	mox_spf_result init = MOX_SPF_RESULT_INIT;

	q.receiver = "rcv.example";
	*res = init;
	return use_steps ? steps(r, &q, res) : mox_spf_check(res, r, &q);
}

static void
alloc_loop(bool use_steps)
{
	mox_spf_result ref, res;
	mox_resolver *r = zone_new(alloc_zone, NULL);
	unsigned long n;
	int rc = MOX_ENOMEM;

	assert_int_equal(alloc_check(r, use_steps, &ref), MOX_OK);
	assert_int_equal(ref.verdict, MOX_SPF_FAIL);
	assert_string_equal(ref.explanation, "192.0.2.9 is not allowed for "
	    "user+tag@a.example; see host.c.example rcv.example");
	for (n = 1; n < 100000; n++) {
		mox__fail_at = n;
		rc = alloc_check(r, use_steps, &res);
		mox__fail_at = 0;
		if (rc == MOX_OK) {
			same(&ref, &res);
			mox_spf_result_release(&res);
			break;
		}
		assert_int_equal(rc, MOX_ENOMEM);
	}
	assert_int_equal(rc, MOX_OK);
	/* Linked against the shared libmox-core, only libmoxspf's own
	 * allocations fail; linked statically, the resolver's too. */
	assert_true(n > 3);
	mox_spf_result_release(&ref);
	mox_resolver_free(r);
}

static void
test_alloc_fail_check(void **state)
{
	(void)state;
	alloc_loop(false);
}

static void
test_alloc_fail_steps(void **state)
{
	(void)state;
	alloc_loop(true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appendix_a1),
		cmocka_unit_test(test_appendix_a2_a3_a4),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_a_mx),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_exp),
		cmocka_unit_test(test_pmacro),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_big_records),
		cmocka_unit_test(test_macro_targets),
		cmocka_unit_test(test_escaped_question),
		cmocka_unit_test(test_authentic),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_alloc_fail_check),
		cmocka_unit_test(test_alloc_fail_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
