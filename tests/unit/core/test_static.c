/* SPDX-License-Identifier: MIT */
/*
 * test_static.c -- the in-memory resolver backend: answers (data, NODATA,
 * NXDOMAIN, empty non-terminals, forced outcomes, CNAME chains, the
 * authentic bit, TTLs), the synchronous and asynchronous paths, threads,
 * loading from text and files, the format/parse round trip through the
 * resolver, and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include "dns-int.h"

static const char zone_text[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@ 7200 SOA ns1 hostmaster 1 2 3 4 300\n"
    "@ NS ns1\n"
    "ns1 A 192.0.2.1\n"
    "www 600 A 192.0.2.10\n"
    "    600 A 192.0.2.11\n"
    "    60 AAAA 2001:db8::10\n"
    "alias 120 CNAME www\n"
    "alias2 CNAME alias\n"
    "ext CNAME www.other.org.\n"
    "dangling CNAME nowhere\n"
    "loop1 CNAME loop2\n"
    "loop2 CNAME loop1\n"
    "self CNAME self\n"
    "a.b.c.deep TXT \"deep\"\n"
    "toerr CNAME err\n"
    "tonx CNAME forcednx\n"
    "Mixed.Case TXT \"case\"\n"
    "$NXDOMAIN forcednx\n"
    "$SERVFAIL err\n"
    "$TIMEOUT slow\n"
    "$ORIGIN secure.example.\n"
    "$AUTHENTIC yes\n"
    "@ 100 SOA ns host 1 2 3 4 900\n"
    "a A 10.0.0.1\n"
    "alias CNAME a\n"
    "insecure-alias CNAME ins\n"
    "mix A 10.0.0.2\n"
    "$AUTHENTIC no\n"
    "ins A 10.0.0.3\n"
    "mix A 10.0.0.4\n"
    "tosecure CNAME a\n"
    "sub.ins TXT \"x\"\n"
    "$ORIGIN nosoa.example.\n"
    "$AUTHENTIC yes\n"
    "held TXT \"y\"\n";

static mox_resolver *
load(const char *text)
{
	mox_resolver *r;
	int rc;

	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	rc = mox_resolver_static_load(r, text, strlen(text), NULL);
	if (rc != MOX_OK)
		fail_msg("load: %d %s", rc, mox_resolver_errmsg(r));
	return r;
}

static int
setup(void **state)
{
	*state = load(zone_text);
	return 0;
}

static int
teardown(void **state)
{
	mox_resolver_free(*state);
	return 0;
}

static mox_dns_answer *
ask(mox_resolver *r, const char *name, uint16_t type)
{
	mox_dns_answer *a = NULL;
	int rc = mox_dns_lookup(r, name, type, &a);

	if (rc != MOX_OK)
		fail_msg("lookup %s/%u: %d", name, type, rc);
	assert_non_null(a);
	return a;
}

/* Lookup and check the result; returns the answer for more checks. */
static mox_dns_answer *
expect(mox_resolver *r, const char *name, uint16_t type, int result,
    size_t count)
{
	mox_dns_answer *a = ask(r, name, type);

	if (mox_dns_answer_result(a) != result ||
	    mox_dns_answer_count(a) != count)
		fail_msg("%s/%u: result %s count %zu, want %s count %zu", name,
		    type, mox_dns_result_name(mox_dns_answer_result(a)),
		    mox_dns_answer_count(a), mox_dns_result_name(result),
		    count);
	return a;
}

static void
check(mox_resolver *r, const char *name, uint16_t type, int result,
    size_t count)
{
	mox_dns_answer_free(expect(r, name, type, result, count));
}

/* --- answers --- */

static void
data_answers(void **state)
{
	mox_resolver *r = *state;
	mox_dns_answer *a;
	const mox_dns_rr *rr;

	a = expect(r, "www.example.com", MOX_DNS_A, MOX_DNS_OK, 2);
	assert_int_equal(mox_dns_answer_rcode(a), 0);
	assert_string_equal(mox_dns_answer_qname(a), "www.example.com");
	assert_string_equal(mox_dns_answer_canonname(a), "www.example.com");
	assert_int_equal(mox_dns_answer_cname_count(a), 0);
	assert_int_equal(mox_dns_answer_ttl(a), 600);
	assert_false(mox_dns_answer_secure(a));
	rr = mox_dns_answer_rr(a, 0);
	assert_string_equal(rr->name, "www.example.com");
	assert_int_equal(rr->type, MOX_DNS_A);
	assert_int_equal(rr->ttl, 600);
	assert_int_equal(rr->ip.family, 4);
	assert_memory_equal(rr->ip.addr, "\xc0\x00\x02\x0a", 4);
	assert_memory_equal(mox_dns_answer_rr(a, 1)->ip.addr,
	    "\xc0\x00\x02\x0b", 4);
	mox_dns_answer_free(a);

	a = expect(r, "www.example.com.", MOX_DNS_AAAA, MOX_DNS_OK, 1);
	assert_int_equal(mox_dns_answer_ttl(a), 60);
	assert_string_equal(mox_dns_answer_qname(a), "www.example.com");
	mox_dns_answer_free(a);

	a = expect(r, "example.com", MOX_DNS_NS, MOX_DNS_OK, 1);
	assert_string_equal(mox_dns_answer_rr(a, 0)->target,
	    "ns1.example.com");
	mox_dns_answer_free(a);

	a = expect(r, "a.b.c.deep.example.com", MOX_DNS_TXT, MOX_DNS_OK, 1);
	assert_string_equal(mox_dns_answer_rr(a, 0)->text, "deep");
	mox_dns_answer_free(a);
}

static void
negative_answers(void **state)
{
	mox_resolver *r = *state;
	mox_dns_answer *a;

	/* NODATA: the name exists, not the type. TTL: RFC 2308, the smaller
	 * of the SOA's TTL (7200) and minimum (300). */
	a = expect(r, "www.example.com", MOX_DNS_MX, MOX_DNS_NODATA, 0);
	assert_int_equal(mox_dns_answer_rcode(a), 0);
	assert_int_equal(mox_dns_answer_ttl(a), 300);
	mox_dns_answer_free(a);

	a = expect(r, "nope.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_int_equal(mox_dns_answer_rcode(a), 3);
	assert_int_equal(mox_dns_answer_ttl(a), 300);
	mox_dns_answer_free(a);
	check(r, "x.www.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);

	/* Empty non-terminals are NODATA, up to the root. */
	check(r, "b.c.deep.example.com", MOX_DNS_TXT, MOX_DNS_NODATA, 0);
	check(r, "c.deep.example.com", MOX_DNS_A, MOX_DNS_NODATA, 0);
	check(r, "deep.example.com", MOX_DNS_A, MOX_DNS_NODATA, 0);
	check(r, "com", MOX_DNS_A, MOX_DNS_NODATA, 0);
	check(r, ".", MOX_DNS_NS, MOX_DNS_NODATA, 0);
	check(r, "x.b.c.deep.example.com", MOX_DNS_TXT, MOX_DNS_NXDOMAIN, 0);
	check(r, "org", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);

	/* Outside any zone with an SOA: no negative TTL. */
	a = expect(r, "nothing.test", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_int_equal(mox_dns_answer_ttl(a), 0);
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
}

static void
case_insensitive(void **state)
{
	mox_resolver *r = *state;
	mox_dns_answer *a;

	check(r, "WWW.EXAMPLE.COM", MOX_DNS_A, MOX_DNS_OK, 2);
	check(r, "wWw.ExAmPlE.cOm.", MOX_DNS_A, MOX_DNS_OK, 2);
	a = expect(r, "mixed.case.example.com", MOX_DNS_TXT, MOX_DNS_OK, 1);
	/* Names in answers: the owner as asked. */
	assert_string_equal(mox_dns_answer_rr(a, 0)->name,
	    "mixed.case.example.com");
	mox_dns_answer_free(a);
	check(r, "MIXED.case.EXAMPLE.com", MOX_DNS_TXT, MOX_DNS_OK, 1);
	check(r, "CASE.example.com", MOX_DNS_TXT, MOX_DNS_NODATA, 0);
	check(r, "FORCEDNX.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
}

static void
forced_results(void **state)
{
	mox_resolver *r = *state;
	mox_dns_answer *a;

	a = expect(r, "forcednx.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_int_equal(mox_dns_answer_rcode(a), 3);
	mox_dns_answer_free(a);
	a = expect(r, "err.example.com", MOX_DNS_TXT, MOX_DNS_SERVFAIL, 0);
	assert_int_equal(mox_dns_answer_rcode(a), 2);
	mox_dns_answer_free(a);
	a = expect(r, "slow.example.com", MOX_DNS_MX, MOX_DNS_TIMEOUT, 0);
	assert_int_equal(mox_dns_answer_rcode(a), 2);
	mox_dns_answer_free(a);

	/* Forced names are not ancestors: their parents stay as they were. */
	check(r, "x.err.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);

	/* The API: every result, and removal. */
	assert_int_equal(mox_resolver_static_set_result(r, "www.example.com",
	    MOX_DNS_BOGUS), MOX_OK);
	a = expect(r, "www.example.com", MOX_DNS_A, MOX_DNS_BOGUS, 0);
	assert_non_null(mox_dns_answer_why_bogus(a));
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	assert_int_equal(mox_resolver_static_set_result(r, "www.example.com.",
	    MOX_DNS_ERROR), MOX_OK);
	a = expect(r, "www.example.com", MOX_DNS_A, MOX_DNS_ERROR, 0);
	assert_int_equal(mox_dns_answer_rcode(a), 5);
	mox_dns_answer_free(a);
	assert_int_equal(mox_resolver_static_set_result(r, "WWW.example.com",
	    MOX_DNS_OK), MOX_OK);
	check(r, "www.example.com", MOX_DNS_A, MOX_DNS_OK, 2);
	assert_int_equal(mox_resolver_static_set_result(r, "new.example.com",
	    MOX_DNS_SERVFAIL), MOX_OK);
	check(r, "new.example.com", MOX_DNS_A, MOX_DNS_SERVFAIL, 0);
	assert_int_equal(mox_resolver_static_set_result(r, "new.example.com",
	    MOX_DNS_OK), MOX_OK);
	check(r, "new.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	/* Removing from a name never forced does nothing. */
	assert_int_equal(mox_resolver_static_set_result(r, "never.test",
	    MOX_DNS_OK), MOX_OK);

	assert_int_equal(mox_resolver_static_set_result(r, "x.test",
	    MOX_DNS_NODATA), MOX_EINVAL);
	assert_non_null(strstr(mox_resolver_errmsg(r), "can not be forced"));
	assert_int_equal(mox_resolver_static_set_result(r, "x.test", 99),
	    MOX_EINVAL);
	assert_int_equal(mox_resolver_static_set_result(r, "a..b",
	    MOX_DNS_NXDOMAIN), MOX_EINVAL);
	assert_string_equal(mox_resolver_errmsg(r), "bad name \"a..b\"");
	assert_int_equal(mox_resolver_static_set_result(r, NULL,
	    MOX_DNS_NXDOMAIN), MOX_EINVAL);
	assert_int_equal(mox_resolver_static_set_result(NULL, "x",
	    MOX_DNS_NXDOMAIN), MOX_EINVAL);
}

static void
cname_chains(void **state)
{
	mox_resolver *r = *state;
	mox_dns_answer *a;

	a = expect(r, "alias2.example.com", MOX_DNS_A, MOX_DNS_OK, 2);
	assert_int_equal(mox_dns_answer_cname_count(a), 2);
	assert_string_equal(mox_dns_answer_cname(a, 0), "alias.example.com");
	assert_string_equal(mox_dns_answer_cname(a, 1), "www.example.com");
	assert_null(mox_dns_answer_cname(a, 2));
	assert_string_equal(mox_dns_answer_canonname(a), "www.example.com");
	assert_string_equal(mox_dns_answer_rr(a, 0)->name, "www.example.com");
	/* The smallest TTL of the chain (120) and the data (600). */
	assert_int_equal(mox_dns_answer_ttl(a), 120);
	mox_dns_answer_free(a);

	/* Asking for the CNAME itself does not follow it. */
	a = expect(r, "alias2.example.com", MOX_DNS_CNAME, MOX_DNS_OK, 1);
	assert_int_equal(mox_dns_answer_cname_count(a), 0);
	assert_string_equal(mox_dns_answer_rr(a, 0)->target,
	    "alias.example.com");
	mox_dns_answer_free(a);

	/* Into NODATA and NXDOMAIN: the chain is kept. */
	a = expect(r, "alias.example.com", MOX_DNS_MX, MOX_DNS_NODATA, 0);
	assert_int_equal(mox_dns_answer_cname_count(a), 1);
	assert_string_equal(mox_dns_answer_canonname(a), "www.example.com");
	assert_int_equal(mox_dns_answer_ttl(a), 120);
	mox_dns_answer_free(a);
	a = expect(r, "dangling.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_int_equal(mox_dns_answer_cname_count(a), 1);
	assert_string_equal(mox_dns_answer_canonname(a),
	    "nowhere.example.com");
	assert_int_equal(mox_dns_answer_rcode(a), 3);
	assert_int_equal(mox_dns_answer_ttl(a), 300);
	mox_dns_answer_free(a);
	a = expect(r, "ext.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_string_equal(mox_dns_answer_canonname(a), "www.other.org");
	mox_dns_answer_free(a);

	/* Loops. */
	check(r, "loop1.example.com", MOX_DNS_A, MOX_DNS_SERVFAIL, 0);
	check(r, "self.example.com", MOX_DNS_TXT, MOX_DNS_SERVFAIL, 0);
	check(r, "self.example.com", MOX_DNS_CNAME, MOX_DNS_OK, 1);

	/* A forced outcome along the chain applies. */
	a = expect(r, "toerr.example.com", MOX_DNS_A, MOX_DNS_SERVFAIL, 0);
	mox_dns_answer_free(a);
	a = expect(r, "tonx.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_int_equal(mox_dns_answer_cname_count(a), 1);
	assert_string_equal(mox_dns_answer_canonname(a),
	    "forcednx.example.com");
	mox_dns_answer_free(a);
}

static void
cname_chain_length(void **state)
{
	char text[4096];
	size_t o = 0;
	mox_resolver *r;
	mox_dns_answer *a;

	(void)state;
	/* c0 -> c1 -> ... -> c17, A at c17. */
	o += (size_t)snprintf(text + o, sizeof(text) - o, "$ORIGIN x.\n");
	for (int i = 0; i < 17; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "c%d CNAME c%d\n", i, i + 1);
	o += (size_t)snprintf(text + o, sizeof(text) - o, "c17 A 1.2.3.4\n");
	r = load(text);
	/* 16 CNAMEs (CORE_CNAME_MAX) are followed... */
	a = expect(r, "c1.x", MOX_DNS_A, MOX_DNS_OK, 1);
	assert_int_equal(mox_dns_answer_cname_count(a), CORE_CNAME_MAX);
	assert_string_equal(mox_dns_answer_canonname(a), "c17.x");
	mox_dns_answer_free(a);
	/* ...17 are too many. */
	check(r, "c0.x", MOX_DNS_A, MOX_DNS_SERVFAIL, 0);
	mox_resolver_free(r);
}

static void
cname_to_unaskable_name(void **state)
{
	mox_resolver *r;

	(void)state;
	/* A target that can not be a question name (it needs escapes) ends
	 * as SERVFAIL: answers can not name it. */
	r = load("a.x. CNAME b\\(c.x.\nb\\(c.x. A 1.2.3.4\n"
	         "r.x. CNAME .\n. A 1.2.3.4\n");
	check(r, "a.x", MOX_DNS_A, MOX_DNS_SERVFAIL, 0);
	check(r, "a.x", MOX_DNS_CNAME, MOX_DNS_OK, 1);
	/* The root is fine, as a target and as a question. */
	check(r, "r.x", MOX_DNS_A, MOX_DNS_OK, 1);
	check(r, ".", MOX_DNS_A, MOX_DNS_OK, 1);
	mox_resolver_free(r);
}

static void
authentic_bit(void **state)
{
	mox_resolver *r = *state;
	mox_dns_answer *a;

	a = expect(r, "a.secure.example", MOX_DNS_A, MOX_DNS_OK, 1);
	assert_true(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	a = expect(r, "alias.secure.example", MOX_DNS_A, MOX_DNS_OK, 1);
	assert_true(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	/* An insecure CNAME, insecure data, mixed data. */
	a = expect(r, "tosecure.secure.example", MOX_DNS_A, MOX_DNS_OK, 1);
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	a = expect(r, "insecure-alias.secure.example", MOX_DNS_A, MOX_DNS_OK,
	    1);
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	a = expect(r, "mix.secure.example", MOX_DNS_A, MOX_DNS_OK, 2);
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	/* Denials: the SOA of the zone (authentic) decides, whatever the
	 * name's own records; TTL min(100, 900). */
	a = expect(r, "none.secure.example", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_true(mox_dns_answer_secure(a));
	assert_int_equal(mox_dns_answer_ttl(a), 100);
	mox_dns_answer_free(a);
	a = expect(r, "ins.secure.example", MOX_DNS_MX, MOX_DNS_NODATA, 0);
	assert_true(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	a = expect(r, "x.sub.ins.secure.example", MOX_DNS_MX,
	    MOX_DNS_NXDOMAIN, 0);
	assert_true(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	/* A secure CNAME into a secure denial is secure, an insecure one
	 * is not. */
	a = expect(r, "alias.secure.example", MOX_DNS_MX, MOX_DNS_NODATA, 0);
	assert_true(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	a = expect(r, "tosecure.secure.example", MOX_DNS_MX, MOX_DNS_NODATA,
	    0);
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	/* The example.com SOA is not authentic. */
	a = expect(r, "nope.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	/* No SOA: the closest ancestor holding records. */
	a = expect(r, "held.nosoa.example", MOX_DNS_A, MOX_DNS_NODATA, 0);
	assert_true(mox_dns_answer_secure(a));
	assert_int_equal(mox_dns_answer_ttl(a), 0);
	mox_dns_answer_free(a);
	a = expect(r, "x.held.nosoa.example", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_true(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	a = expect(r, "other.nosoa.example", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
}

/* --- the API --- */

static void
add_api(void **state)
{
	mox_resolver *r;
	mox_dns_answer *a;

	(void)state;
	assert_int_equal(mox_resolver_new_static(NULL), MOX_EINVAL);
	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	assert_string_equal(mox_resolver_errmsg(r), "");
	check(r, "x.test", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_int_equal(mox_resolver_static_add(r, "X.Test.", MOX_DNS_A, 5,
	    (const uint8_t *)"\x01\x02\x03\x04", 4, true), MOX_OK);
	assert_int_equal(mox_resolver_static_add(r, "x.test", MOX_DNS_TXT, 9,
	    (const uint8_t *)"\x02hi", 3, false), MOX_OK);
	assert_int_equal(mox_resolver_static_add(r, "x.test", 4242, 9,
	    NULL, 0, false), MOX_OK);
	a = expect(r, "x.test", MOX_DNS_A, MOX_DNS_OK, 1);
	assert_true(mox_dns_answer_secure(a));
	assert_int_equal(mox_dns_answer_ttl(a), 5);
	mox_dns_answer_free(a);
	a = expect(r, "x.test", 4242, MOX_DNS_OK, 1);
	assert_int_equal(mox_dns_answer_rr(a, 0)->rdlen, 0);
	mox_dns_answer_free(a);
	check(r, "x.test", MOX_DNS_TXT, MOX_DNS_OK, 1);
	check(r, "test", MOX_DNS_TXT, MOX_DNS_NODATA, 0);

	/* Errors, with messages. */
	assert_int_equal(mox_resolver_static_add(r, "x.test", MOX_DNS_A, 5,
	    (const uint8_t *)"\x01\x02\x03", 3, false), MOX_EINVAL);
	assert_string_equal(mox_resolver_errmsg(r),
	    "rdata does not decode as type 1");
	assert_int_equal(mox_resolver_static_add(r, "a..b", MOX_DNS_A, 5,
	    (const uint8_t *)"\x01\x02\x03\x04", 4, false), MOX_EINVAL);
	assert_string_equal(mox_resolver_errmsg(r), "bad owner name \"a..b\"");
	assert_int_equal(mox_resolver_static_add(r, "x.test", 255, 5,
	    (const uint8_t *)"\x01\x02\x03\x04", 4, false), MOX_EINVAL);
	assert_int_equal(mox_resolver_static_add(r, "x.test", 0, 5,
	    NULL, 0, false), MOX_EINVAL);
	assert_int_equal(mox_resolver_static_add(r, "x.test", 41, 5,
	    NULL, 0, false), MOX_EINVAL);
	assert_int_equal(mox_resolver_static_add(r, "x.test", MOX_DNS_A, 5,
	    NULL, 4, false), MOX_EINVAL);
	assert_int_equal(mox_resolver_static_add(r, NULL, MOX_DNS_A, 5,
	    NULL, 0, false), MOX_EINVAL);
	assert_int_equal(mox_resolver_static_add(r, "x.test", 999, 5,
	    (const uint8_t *)"", 65536, false), MOX_EINVAL);
	assert_int_equal(mox_resolver_static_add(NULL, "x.test", MOX_DNS_A, 5,
	    (const uint8_t *)"\x01\x02\x03\x04", 4, false), MOX_EINVAL);
	/* The message is cleared by the next call. */
	assert_int_equal(mox_resolver_static_add(r, "y.test", MOX_DNS_A, 5,
	    (const uint8_t *)"\x01\x02\x03\x04", 4, false), MOX_OK);
	assert_string_equal(mox_resolver_errmsg(r), "");
	mox_resolver_free(r);
}

static int
dummy_query(void *impl, mox_resolver *r, uint64_t qid, const char *qname,
    uint16_t qtype)
{
	(void)impl, (void)r, (void)qid, (void)qname, (void)qtype;
	return MOX_OK;
}

static void
not_static(void **state)
{
	mox_resolver_ops ops = { MOX_RESOLVER_OPS_VERSION, dummy_query, NULL,
		NULL, NULL, NULL };
	mox_resolver *r;

	(void)state;
	assert_int_equal(mox_resolver_new_custom(&r, &ops, NULL), MOX_OK);
	assert_int_equal(mox_resolver_static_add(r, "x.test", MOX_DNS_A, 5,
	    (const uint8_t *)"\x01\x02\x03\x04", 4, false), MOX_EINVAL);
	assert_int_equal(mox_resolver_static_load(r, "", 0, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_resolver_static_load_file(r, "/dev/null", NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_resolver_static_set_result(r, "x",
	    MOX_DNS_NXDOMAIN), MOX_EINVAL);
	mox_resolver_free(r);
	assert_int_equal(mox_resolver_static_load(NULL, "", 0, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_resolver_static_load_file(NULL, "x", NULL),
	    MOX_EINVAL);
}

static void
load_errors(void **state)
{
	mox_resolver *r;
	mox_dns_answer *a;

	(void)state;
	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	assert_int_equal(mox_resolver_static_load(r,
	    "a.x. A 1.2.3.4\nb.x. A 1.2.3\nc.x. A 1.2.3.5\n", 43, NULL),
	    MOX_ESYNTAX);
	assert_string_equal(mox_resolver_errmsg(r),
	    "line 2: bad IPv4 address \"1.2.3\"");
	/* Earlier records stay. */
	check(r, "a.x", MOX_DNS_A, MOX_DNS_OK, 1);
	check(r, "c.x", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	assert_int_equal(mox_resolver_static_load(r, "x A 1.2.3.4", 11,
	    "a..b"), MOX_EINVAL);
	assert_string_equal(mox_resolver_errmsg(r),
	    "bad origin \"a..b\": empty label");
	assert_int_equal(mox_resolver_static_load(r, NULL, 1, NULL),
	    MOX_EINVAL);
	/* Success clears the message; the origin argument applies. */
	assert_int_equal(mox_resolver_static_load(r, "www A 1.2.3.4", 13,
	    "example.net"), MOX_OK);
	assert_string_equal(mox_resolver_errmsg(r), "");
	a = expect(r, "www.example.net", MOX_DNS_A, MOX_DNS_OK, 1);
	mox_dns_answer_free(a);
	/* Records of several loads add up. */
	assert_int_equal(mox_resolver_static_load(r, "www.example.net. A "
	    "5.6.7.8", 26, NULL), MOX_OK);
	check(r, "www.example.net", MOX_DNS_A, MOX_DNS_OK, 2);
	mox_resolver_free(r);
}

static void
load_file(void **state)
{
	char path[] = "/tmp/mox-test-zone-XXXXXX";
	const char *text = "$ORIGIN example.\nwww A 1.2.3.4\n";
	mox_resolver *r;
	int fd;

	(void)state;
	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	assert_int_equal(mox_resolver_static_load_file(r,
	    "/nonexistent/zone.txt", NULL), MOX_EIO);
	assert_string_equal(mox_resolver_errmsg(r),
	    "/nonexistent/zone.txt: No such file or directory");
	assert_int_equal(mox_resolver_static_load_file(r, "/", NULL),
	    MOX_EIO);
	assert_string_equal(mox_resolver_errmsg(r), "/: Is a directory");
	assert_int_equal(mox_resolver_static_load_file(r, NULL, NULL),
	    MOX_EINVAL);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(mox_resolver_static_load_file(r, path, NULL), MOX_OK);
	check(r, "www.example", MOX_DNS_A, MOX_DNS_OK, 1);
	/* Parse errors name the file and the line. */
	assert_int_equal(write(fd, "bad A x\n", 8), 8);
	assert_int_equal(mox_resolver_static_load_file(r, path, "o."),
	    MOX_ESYNTAX);
	{
		char want[128];

		snprintf(want, sizeof(want), "%s: line 3: bad IPv4 address "
		    "\"x\"", path);
		assert_string_equal(mox_resolver_errmsg(r), want);
	}
	/* Over 64 MiB: refused without reading. */
	assert_int_equal(ftruncate(fd, 64 * 1024 * 1024 + 1), 0);
	assert_int_equal(mox_resolver_static_load_file(r, path, NULL),
	    MOX_ELIMIT);
	assert_non_null(strstr(mox_resolver_errmsg(r), "larger than 64 MiB"));
	close(fd);
	unlink(path);
	/* Empty file. */
	assert_int_equal(mox_resolver_static_load_file(r, "/dev/null", NULL),
	    MOX_OK);
	mox_resolver_free(r);
}

/* --- asynchronous questions --- */

struct cbrec {
	int calls;
	int status;
	int result;
	size_t count;
	bool in_query;
};

static struct cbrec *current_query;

static void
cb(void *arg, int status, const mox_dns_answer *ans)
{
	struct cbrec *c = arg;

	c->calls++;
	c->status = status;
	c->in_query = current_query == c;
	if (ans != NULL) {
		c->result = mox_dns_answer_result(ans);
		c->count = mox_dns_answer_count(ans);
	} else {
		c->result = -1;
	}
}

static int
query(mox_resolver *r, const char *name, uint16_t type, struct cbrec *c,
    uint64_t *qid)
{
	int rc;

	current_query = c;
	rc = mox_dns_query(r, name, type, cb, c, qid);
	current_query = NULL;
	return rc;
}

static void
async_answers(void **state)
{
	mox_resolver *r = *state;
	struct cbrec c[5];
	uint64_t qid[5];

	memset(c, 0, sizeof(c));
	assert_int_equal(query(r, "www.example.com", MOX_DNS_A, &c[0],
	    &qid[0]), MOX_OK);
	assert_int_equal(query(r, "nope.example.com", MOX_DNS_A, &c[1],
	    &qid[1]), MOX_OK);
	assert_int_equal(query(r, "slow.example.com", MOX_DNS_A, &c[2],
	    &qid[2]), MOX_OK);
	assert_int_equal(query(r, "www.example.com", MOX_DNS_MX, &c[3], NULL),
	    MOX_OK);
	assert_int_equal(query(r, "alias2.example.com", MOX_DNS_A, &c[4],
	    &qid[4]), MOX_OK);
	/* Nothing runs inside the query call. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(c[i].calls, 0);
	assert_int_equal(mox_resolver_pending(r), 5);
	assert_int_equal(mox_resolver_timeout(r), 0);
	assert_true(mox_resolver_fd(r) >= 0);

	assert_int_equal(mox_resolver_process(r), 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(c[i].calls, 1);
		assert_int_equal(c[i].status, MOX_OK);
		assert_false(c[i].in_query);
	}
	assert_int_equal(c[0].result, MOX_DNS_OK);
	assert_int_equal(c[0].count, 2);
	assert_int_equal(c[1].result, MOX_DNS_NXDOMAIN);
	/* A forced timeout is delivered at once. */
	assert_int_equal(c[2].result, MOX_DNS_TIMEOUT);
	assert_int_equal(c[3].result, MOX_DNS_NODATA);
	assert_int_equal(c[4].result, MOX_DNS_OK);
	assert_int_equal(mox_resolver_pending(r), 0);
	assert_int_equal(mox_resolver_timeout(r), -1);
	/* Exactly once. */
	assert_int_equal(mox_resolver_process(r), 0);
	assert_int_equal(mox_dns_cancel(r, qid[0]), MOX_ENOTFOUND);
	for (int i = 0; i < 5; i++)
		assert_int_equal(c[i].calls, 1);

	/* Errors: the callback never runs. */
	memset(c, 0, sizeof(c));
	assert_int_equal(query(r, "a..b", MOX_DNS_A, &c[0], NULL), MOX_EINVAL);
	assert_int_equal(query(r, "a\tb", MOX_DNS_A, &c[0], NULL), MOX_EINVAL);
	assert_int_equal(mox_resolver_process(r), 0);
	assert_int_equal(c[0].calls, 0);
}

static void
async_cancel_and_free(void **state)
{
	mox_resolver *r = load(zone_text);
	struct cbrec c[3];
	uint64_t qid[3];

	(void)state;
	memset(c, 0, sizeof(c));
	for (int i = 0; i < 3; i++)
		assert_int_equal(query(r, "www.example.com", MOX_DNS_A, &c[i],
		    &qid[i]), MOX_OK);
	assert_int_equal(mox_dns_cancel(r, qid[1]), MOX_OK);
	assert_int_equal(c[1].calls, 1);
	assert_int_equal(c[1].status, MOX_ECANCELED);
	assert_int_equal(c[1].result, -1);
	assert_int_equal(mox_dns_cancel(r, qid[1]), MOX_ENOTFOUND);
	assert_int_equal(mox_resolver_pending(r), 2);
	/* Free with questions pending: each gets MOX_ECANCELED, once. */
	mox_resolver_free(r);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(c[i].calls, 1);
		assert_int_equal(c[i].status, MOX_ECANCELED);
	}
}

static void
async_wait(void **state)
{
	mox_resolver *r = *state;
	struct cbrec c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(query(r, "ns1.example.com", MOX_DNS_A, &c, NULL),
	    MOX_OK);
	assert_int_equal(mox_resolver_wait(r, 1000), 1);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.result, MOX_DNS_OK);
	assert_int_equal(mox_resolver_wait(r, 0), 0);
}

/* --- threads --- */

struct tharg {
	mox_resolver *r;
	int errors;
};

static void *
lookup_thread(void *p)
{
	struct tharg *t = p;
	static const struct {
		const char *name;
		uint16_t type;
		int result;
		size_t count;
	} qs[] = {
		{ "www.example.com", MOX_DNS_A, MOX_DNS_OK, 2 },
		{ "alias2.example.com", MOX_DNS_A, MOX_DNS_OK, 2 },
		{ "nope.example.com", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0 },
		{ "deep.example.com", MOX_DNS_A, MOX_DNS_NODATA, 0 },
		{ "loop1.example.com", MOX_DNS_A, MOX_DNS_SERVFAIL, 0 },
		{ "slow.example.com", MOX_DNS_A, MOX_DNS_TIMEOUT, 0 },
		{ "a.secure.example", MOX_DNS_A, MOX_DNS_OK, 1 },
	};

	for (int i = 0; i < 5000; i++) {
		size_t k = (size_t)i % (sizeof(qs) / sizeof(*qs));
		mox_dns_answer *a = NULL;

		if (mox_dns_lookup(t->r, qs[k].name, qs[k].type, &a) !=
		    MOX_OK || mox_dns_answer_result(a) != qs[k].result ||
		    mox_dns_answer_count(a) != qs[k].count)
			t->errors++;
		mox_dns_answer_free(a);
	}
	return NULL;
}

static void
concurrent_lookups(void **state)
{
	pthread_t th[4];
	struct tharg args[4];

	for (int i = 0; i < 4; i++) {
		args[i].r = *state;
		args[i].errors = 0;
		assert_int_equal(pthread_create(&th[i], NULL, lookup_thread,
		    &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].errors, 0);
	}
}

/* --- round trip: load, look up, format, load again --- */

static void
format_round_trip(void **state)
{
	static const char *const zone =
	    "$ORIGIN rt.example.\n"
	    "a 1 A 192.0.2.1\n"
	    "aaaa 2 AAAA 2001:db8::1\n"
	    "ns 3 NS ns\\.1.x.\n"
	    "cname 4 CNAME target.x.\n"
	    "ptr 5 PTR \\@.x.\n"
	    "mx 6 MX 10 .\n"
	    "txt 7 TXT \"a \\\"b\\\" \\\\ \\000\\255\" \"\" c\n"
	    "spf 8 SPF \"v=spf1 -all\"\n"
	    "srv 9 SRV 1 2 3 t.x.\n"
	    "tlsa 10 TLSA 3 1 1 ( 00 11 22 )\n"
	    "soa 11 SOA ns host 1 2h 3 4 5\n"
	    "caa 12 CAA 128 issue \"x;y\"\n"
	    "ds 13 DS 1 8 2 ABCDEF\n"
	    "sshfp 14 SSHFP 1 2 0A\n"
	    "dnskey 15 DNSKEY 257 3 13 aGVsbG8=\n"
	    "other 16 TYPE4321 \\# 2 0102\n"
	    "nsec 17 NSEC \\# 1 00\n"
	    "empty 18 TYPE999 \\# 0\n";
	static const uint16_t types[] = { MOX_DNS_A, MOX_DNS_AAAA, MOX_DNS_NS,
		MOX_DNS_CNAME, MOX_DNS_PTR, MOX_DNS_MX, MOX_DNS_TXT,
		MOX_DNS_SPF, MOX_DNS_SRV, MOX_DNS_TLSA, MOX_DNS_SOA, MOX_DNS_CAA, MOX_DNS_DS,
		MOX_DNS_SSHFP, MOX_DNS_DNSKEY, 4321, MOX_DNS_NSEC, 999 };
	static const char *const names[] = { "a", "aaaa", "ns", "cname",
		"ptr", "mx", "txt", "spf", "srv", "tlsa", "soa", "caa", "ds",
		"sshfp", "dnskey", "other", "nsec", "empty" };
	mox_resolver *r1 = load(zone), *r2;
	char line[1024], name[64];

	(void)state;
	assert_int_equal(mox_resolver_new_static(&r2), MOX_OK);
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
		mox_dns_answer *a, *b;
		const mox_dns_rr *x, *y;
		size_t n;

		snprintf(name, sizeof(name), "%s.rt.example", names[i]);
		a = expect(r1, name, types[i], MOX_DNS_OK, 1);
		x = mox_dns_answer_rr(a, 0);
		n = mox_dns_rr_format(line, sizeof(line), x);
		assert_true(n < sizeof(line));
		if (mox_resolver_static_load(r2, line, n, NULL) != MOX_OK)
			fail_msg("%s: %s", line, mox_resolver_errmsg(r2));
		b = expect(r2, name, types[i], MOX_DNS_OK, 1);
		y = mox_dns_answer_rr(b, 0);
		assert_int_equal(y->ttl, i + 1);
		assert_int_equal(y->rdlen, x->rdlen);
		assert_memory_equal(y->rdata, x->rdata, x->rdlen);
		/* The rdata alone is the same text. */
		{
			char r1t[512], r2t[512];

			mox_dns_rdata_format(r1t, sizeof(r1t), x);
			mox_dns_rdata_format(r2t, sizeof(r2t), y);
			assert_string_equal(r1t, r2t);
			assert_non_null(strstr(line, r1t));
		}
		mox_dns_answer_free(a);
		mox_dns_answer_free(b);
	}
	mox_resolver_free(r1);
	mox_resolver_free(r2);
}

/* --- allocation failures --- */

static void
alloc_failures_load(void **state)
{
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1;; n++) {
		mox_resolver *r = NULL;

		mox__fail_at = n;
		rc = mox_resolver_new_static(&r);
		if (rc == MOX_OK)
			rc = mox_resolver_static_load(r, zone_text,
			    strlen(zone_text), NULL);
		mox__fail_at = 0;
		if (rc == MOX_OK) {
			/* Everything is there. */
			check(r, "alias2.example.com", MOX_DNS_A, MOX_DNS_OK,
			    2);
			check(r, "deep.example.com", MOX_DNS_A,
			    MOX_DNS_NODATA, 0);
			mox_resolver_free(r);
			break;
		}
		assert_int_equal(rc, MOX_ENOMEM);
		if (r != NULL) {
			/* What was loaded answers consistently. */
			mox_dns_answer *a = NULL;

			assert_int_equal(mox_dns_lookup(r, "www.example.com",
			    MOX_DNS_A, &a), MOX_OK);
			mox_dns_answer_free(a);
		}
		mox_resolver_free(r);
	}
	assert_true(n > 10);
}

static void
alloc_failures_lookup(void **state)
{
	static const struct {
		const char *name;
		uint16_t type;
	} qs[] = {
		{ "alias2.example.com", MOX_DNS_A },
		{ "www.example.com", MOX_DNS_AAAA },
		{ "nope.example.com", MOX_DNS_A },
		{ "slow.example.com", MOX_DNS_A },
		{ "loop1.example.com", MOX_DNS_A },
		{ "example.com", MOX_DNS_SOA },
	};
	mox_resolver *r = *state;

	for (size_t i = 0; i < sizeof(qs) / sizeof(*qs); i++) {
		unsigned long n;
		int rc;

		for (n = 1;; n++) {
			mox_dns_answer *a = NULL;

			mox__fail_at = n;
			rc = mox_dns_lookup(r, qs[i].name, qs[i].type, &a);
			mox__fail_at = 0;
			if (rc == MOX_OK) {
				assert_non_null(a);
				mox_dns_answer_free(a);
				break;
			}
			assert_int_equal(rc, MOX_ENOMEM);
			assert_null(a);
		}
		/* And the asynchronous path. */
		for (n = 1;; n++) {
			struct cbrec c;

			memset(&c, 0, sizeof(c));
			mox__fail_at = n;
			rc = query(r, qs[i].name, qs[i].type, &c, NULL);
			mox__fail_at = 0;
			if (rc == MOX_OK) {
				assert_int_equal(mox_resolver_process(r), 1);
				assert_int_equal(c.calls, 1);
				assert_int_equal(c.status, MOX_OK);
				break;
			}
			assert_int_equal(rc, MOX_ENOMEM);
			assert_int_equal(mox_resolver_process(r), 0);
			assert_int_equal(c.calls, 0);
		}
	}
}

static void
alloc_failures_add(void **state)
{
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1;; n++) {
		mox_resolver *r = NULL;
		int addrc;

		assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
		mox__fail_at = n;
		rc = addrc = mox_resolver_static_add(r, "a.b.c.test",
		    MOX_DNS_TXT, 5, (const uint8_t *)"\x01x", 2, false);
		if (rc == MOX_OK)
			rc = mox_resolver_static_set_result(r, "z.test",
			    MOX_DNS_SERVFAIL);
		mox__fail_at = 0;
		if (rc == MOX_OK) {
			check(r, "a.b.c.test", MOX_DNS_TXT, MOX_DNS_OK, 1);
			check(r, "b.c.test", MOX_DNS_TXT, MOX_DNS_NODATA, 0);
			check(r, "z.test", MOX_DNS_TXT, MOX_DNS_SERVFAIL, 0);
			mox_resolver_free(r);
			break;
		}
		assert_int_equal(rc, MOX_ENOMEM);
		assert_string_equal(mox_resolver_errmsg(r), "out of memory");
		/* No ancestor marked without its record. */
		if (addrc != MOX_OK)
			check(r, "b.c.test", MOX_DNS_TXT, MOX_DNS_NXDOMAIN, 0);
		check(r, "z.test", MOX_DNS_TXT, MOX_DNS_NXDOMAIN, 0);
		mox_resolver_free(r);
	}
}

/* Many names: the table grows. */
static void
many_names(void **state)
{
	mox_resolver *r;
	char name[64];
	uint8_t ip[4] = { 10, 0, 0, 0 };

	(void)state;
	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "h%d.d%d.test", i, i % 100);
		ip[2] = (uint8_t)(i >> 8);
		ip[3] = (uint8_t)i;
		assert_int_equal(mox_resolver_static_add(r, name, MOX_DNS_A,
		    60, ip, 4, false), MOX_OK);
	}
	for (int i = 0; i < 20000; i += 7) {
		mox_dns_answer *a;

		snprintf(name, sizeof(name), "H%d.D%d.TEST", i, i % 100);
		a = expect(r, name, MOX_DNS_A, MOX_DNS_OK, 1);
		assert_int_equal(mox_dns_answer_rr(a, 0)->ip.addr[3],
		    (uint8_t)i);
		mox_dns_answer_free(a);
	}
	check(r, "d5.test", MOX_DNS_A, MOX_DNS_NODATA, 0);
	check(r, "d100.test", MOX_DNS_A, MOX_DNS_NXDOMAIN, 0);
	mox_resolver_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(data_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(negative_answers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(case_insensitive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(forced_results, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(cname_chains, setup, teardown),
		cmocka_unit_test(cname_chain_length),
		cmocka_unit_test(cname_to_unaskable_name),
		cmocka_unit_test_setup_teardown(authentic_bit, setup,
		    teardown),
		cmocka_unit_test(add_api),
		cmocka_unit_test(not_static),
		cmocka_unit_test(load_errors),
		cmocka_unit_test(load_file),
		cmocka_unit_test_setup_teardown(async_answers, setup,
		    teardown),
		cmocka_unit_test(async_cancel_and_free),
		cmocka_unit_test_setup_teardown(async_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_lookups, setup,
		    teardown),
		cmocka_unit_test(format_round_trip),
		cmocka_unit_test(alloc_failures_load),
		cmocka_unit_test_setup_teardown(alloc_failures_lookup, setup,
		    teardown),
		cmocka_unit_test(alloc_failures_add),
		cmocka_unit_test(many_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
