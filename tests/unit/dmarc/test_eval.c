/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for DMARC evaluation (<mox/dmarc.h>): the tree walk
 * examples of RFC 9989 Appendix B.4 and 4.10 (with the exact questions
 * asked), PSD records with psd=y, records at intermediate labels, psd=n,
 * the eight-query limit on long names, the alignment matrix (strict and
 * relaxed, SPF and DKIM, exact, subdomain, parent, sibling, unrelated) in
 * both modes, np= and the existence check, t=y, pct= sampling with a
 * fixed RNG, DNS failures, several records, unusable records, the From
 * field rules, RFC 7489 Public Suffix List cases (co.uk, wildcards and
 * exceptions, the private section, IDNs, a public suffix as From domain),
 * Authentication-Results text, report destination names, the cases where
 * RFC 9989 and RFC 7489 decide differently (each with its sections), API
 * misuse and allocation failures. DNS comes from the static resolver;
 * every evaluation runs through mox_dmarc_check() and through a manual
 * step/answer loop, and both must agree. Internal test (dmarc-int.h,
 * mox__fail_at).
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

#include "dmarc-int.h"

static mox_dmarc_psl *psl;

static mox_resolver *
zone_new(const char *text)
{
	mox_resolver *r = NULL;
	int rc;

	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	rc = mox_resolver_static_load(r, text, strlen(text), NULL);
	if (rc != MOX_OK)
		print_error("zone: %s\n", mox_resolver_errmsg(r));
	assert_int_equal(rc, MOX_OK);
	return r;
}

/* A test case's input. */
struct in {
	const char *from;          /* header value of From */
	const char *spf;           /* SPF pass domain, or NULL */
	const char *dkim[4];       /* DKIM pass domains */
	bool rfc7489;
	unsigned int (*rng)(void *);
};

static mox_dmarc_options
opts_of(const struct in *in)
{
	mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;

	if (in->rfc7489) {
		o.flags = MOX_DMARC_RFC7489;
		o.psl = psl;
	}
	o.random = in->rng;
	return o;
}

static size_t
make_msg(char *buf, size_t cap, const char *from)
{
	int n = snprintf(buf, cap, "Subject: test\r\nFrom: %s\r\n"
	    "To: x@example.net\r\n\r\nbody\r\n", from);

	assert_true(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

static size_t
make_dkim(const struct in *in, mox_dmarc_dkim *d)
{
	size_t n = 0;

	while (n < 4 && in->dkim[n] != NULL) {
		d[n].result = MOX_DMARC_DKIM_PASS;
		d[n].domain = in->dkim[n];
		d[n].selector = "sel";
		n++;
	}
	return n;
}

/* The step loop, answering as mox_dmarc_check() does; the questions are
 * logged as "NAME/TYPE ...". */
static int
steps(mox_resolver *r, const struct in *in, mox_dmarc_result *out,
    char *log, size_t cap)
{
	mox_dmarc_eval *e = NULL;
	mox_dmarc_question q;
	mox_dmarc_spf spf = { MOX_DMARC_SPF_PASS, in->spf, false };
	mox_dmarc_dkim dk[4];
	mox_dmarc_options o = opts_of(in);
	char msg[1024];
	size_t mlen = make_msg(msg, sizeof(msg), in->from), nd, used = 0;
	int rc;

	nd = make_dkim(in, dk);
	if (log != NULL && cap > 0)
		log[0] = '\0';
	rc = mox_dmarc_eval_new_msg(&e, (const uint8_t *)msg, mlen,
	    in->spf != NULL ? &spf : NULL, nd > 0 ? dk : NULL, nd, &o);
	if (rc != MOX_OK)
		return rc;
	while ((rc = mox_dmarc_eval_step(e, &q)) == MOX_DMARC_STEP_QUERY) {
		mox_dns_answer *a = NULL;

		if (log != NULL) {
			int n = snprintf(log + used, cap - used, "%s%s%s",
			    used > 0 ? " " : "", q.name,
			    q.type == MOX_DNS_TXT ? "" : "/A");

			assert_true(n > 0 && (size_t)n < cap - used);
			used += (size_t)n;
		}
		rc = mox_dns_lookup(r, q.name, q.type, &a);
		if (rc == MOX_OK) {
			rc = mox_dmarc_eval_answer(e, a);
			mox_dns_answer_free(a);
		} else if (rc != MOX_ENOMEM) {
			rc = dmarc__eval_answer_none(e, rc == MOX_EINVAL);
		}
		if (rc != MOX_OK)
			break;
	}
	if (rc == MOX_DMARC_STEP_DONE)
		rc = mox_dmarc_eval_result(e, out);
	mox_dmarc_eval_free(e);
	return rc;
}

static int
check(mox_resolver *r, const struct in *in, mox_dmarc_result *out)
{
	mox_dmarc_spf spf = { MOX_DMARC_SPF_PASS, in->spf, false };
	mox_dmarc_dkim dk[4];
	mox_dmarc_options o = opts_of(in);
	char msg[1024];
	size_t mlen = make_msg(msg, sizeof(msg), in->from), nd;

	nd = make_dkim(in, dk);
	return mox_dmarc_check(out, r, (const uint8_t *)msg, mlen,
	    in->spf != NULL ? &spf : NULL, nd > 0 ? dk : NULL, nd, &o);
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
same(const mox_dmarc_result *a, const mox_dmarc_result *b)
{
	assert_int_equal(a->verdict, b->verdict);
	assert_int_equal(a->policy, b->policy);
	assert_int_equal(a->policy_requested, b->policy_requested);
	assert_int_equal(a->testing, b->testing);
	assert_int_equal(a->sampled_out, b->sampled_out);
	assert_int_equal(a->reject, b->reject);
	str_same("from_domain", a->from_domain, b->from_domain);
	str_same("org_domain", a->org_domain, b->org_domain);
	str_same("record_domain", a->record_domain, b->record_domain);
	str_same("record", a->record, b->record);
	assert_int_equal(a->spf_aligned, b->spf_aligned);
	assert_int_equal(a->dkim_aligned, b->dkim_aligned);
	str_same("dkim_domain", a->dkim_domain, b->dkim_domain);
	str_same("dkim_selector", a->dkim_selector, b->dkim_selector);
	str_same("reason", a->reason, b->reason);
	assert_int_equal(a->authentic, b->authentic);
	assert_int_equal(a->queries, b->queries);
}

/* Both ways; the result in out (release it), the questions in log. */
static void
eval(mox_resolver *r, const struct in *in, mox_dmarc_result *out,
    char *log, size_t cap)
{
	mox_dmarc_result init = MOX_DMARC_RESULT_INIT;
	mox_dmarc_result b = MOX_DMARC_RESULT_INIT;

	*out = init;
	assert_int_equal(check(r, in, out), MOX_OK);
	assert_int_equal(steps(r, in, &b, log, cap), MOX_OK);
	same(out, &b);
	mox_dmarc_result_release(&b);
	assert_non_null(out->from_domain);
	if (out->verdict == MOX_DMARC_PASS)
		assert_null(out->reason);
	else
		assert_non_null(out->reason);
	if (out->verdict != MOX_DMARC_FAIL)
		assert_int_equal(out->policy, MOX_DMARC_P_NONE);
}

/* Evaluate and check verdict and policy; the result is released. */
static void
expect(mox_resolver *r, const struct in *in, int verdict, int policy)
{
	mox_dmarc_result res;
	char log[2048];

	eval(r, in, &res, log, sizeof(log));
	if (res.verdict != verdict || res.policy != policy)
		print_error("From %s spf %s dkim %s %s: got %s/%s want "
		    "%s/%s (%s) [%s]\n", in->from, in->spf ? in->spf : "-",
		    in->dkim[0] ? in->dkim[0] : "-",
		    in->rfc7489 ? "rfc7489" : "rfc9989",
		    mox_dmarc_verdict_name(res.verdict),
		    mox_dmarc_policy_name(res.policy),
		    mox_dmarc_verdict_name(verdict),
		    mox_dmarc_policy_name(policy),
		    res.reason ? res.reason : "", log);
	assert_int_equal(res.verdict, verdict);
	assert_int_equal(res.policy, policy);
	mox_dmarc_result_release(&res);
}

/* Evaluate and compare the questions asked. */
static void
expect_log(mox_resolver *r, const struct in *in, const char *want,
    mox_dmarc_result *out)
{
	char log[4096];

	eval(r, in, out, log, sizeof(log));
	if (strcmp(log, want) != 0)
		print_error("questions:\n got [%s]\nwant [%s]\n", log, want);
	assert_string_equal(log, want);
}

#define V_NONE MOX_DMARC_NONE
#define V_PASS MOX_DMARC_PASS
#define V_FAIL MOX_DMARC_FAIL
#define V_TEMP MOX_DMARC_TEMPERROR
#define V_PERM MOX_DMARC_PERMERROR
#define P_NONE MOX_DMARC_P_NONE
#define P_QUAR MOX_DMARC_P_QUARANTINE
#define P_REJ MOX_DMARC_P_REJECT

/* --- basics --- */

static void
test_basic(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.example.com. TXT \"v=DMARC1; p=reject; "
	    "rua=mailto:d@example.com\"\n"
	    "example.com. A 192.0.2.1\n");
	struct in in = { .from = "Jo <jo@example.com>" };
	mox_dmarc_result res;
	char buf[256];
	int m;

	(void)state;
	for (m = 0; m < 2; m++) {
		in.rfc7489 = m == 1;
		in.spf = NULL;
		in.dkim[0] = NULL;
		eval(r, &in, &res, NULL, 0);
		assert_int_equal(res.verdict, V_FAIL);
		assert_int_equal(res.policy, P_REJ);
		assert_int_equal(res.policy_requested, P_REJ);
		assert_true(res.reject);
		assert_false(res.testing);
		assert_string_equal(res.from_domain, "example.com");
		assert_string_equal(res.record_domain, "example.com");
		assert_string_equal(res.record,
		    "v=DMARC1; p=reject; rua=mailto:d@example.com");
		assert_string_equal(res.reason, "no aligned SPF or DKIM pass");
		assert_int_equal(res.queries, 1);
		assert_false(res.authentic);
		/* The record is at the From domain, no relaxed check:
		 * the organizational domain was not needed. */
		assert_null(res.org_domain);
		mox_dmarc_authres(buf, sizeof(buf), &res);
		assert_string_equal(buf, "dmarc=fail (p=reject dis=reject) "
		    "header.from=example.com policy.dmarc=reject");
		mox_dmarc_result_release(&res);

		in.spf = "example.com";
		eval(r, &in, &res, NULL, 0);
		assert_int_equal(res.verdict, V_PASS);
		assert_int_equal(res.policy, P_NONE);
		assert_int_equal(res.policy_requested, P_REJ);
		assert_true(res.spf_aligned);
		assert_false(res.dkim_aligned);
		assert_null(res.dkim_domain);
		assert_null(res.reason);
		mox_dmarc_authres(buf, sizeof(buf), &res);
		assert_string_equal(buf, "dmarc=pass (p=reject dis=none) "
		    "header.from=example.com policy.dmarc=none");
		mox_dmarc_result_release(&res);

		in.spf = NULL;
		in.dkim[0] = "EXAMPLE.COM.";
		eval(r, &in, &res, NULL, 0);
		assert_int_equal(res.verdict, V_PASS);
		assert_true(res.dkim_aligned);
		assert_string_equal(res.dkim_domain, "example.com");
		assert_string_equal(res.dkim_selector, "sel");
		mox_dmarc_result_release(&res);
	}
	/* No record. */
	in.from = "x@example.net";
	in.rfc7489 = false;
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.verdict, V_NONE);
	assert_null(res.record_domain);
	assert_null(res.record);
	assert_int_equal(res.policy_requested, MOX_DMARC_P_UNSET);
	assert_int_equal(res.queries, 2);   /* example.net, net */
	mox_dmarc_authres(buf, sizeof(buf), &res);
	assert_string_equal(buf, "dmarc=none (no DMARC record for "
	    "example.net in the tree walk) header.from=example.net");
	mox_dmarc_result_release(&res);
	mox_resolver_free(r);
}

/* SPF and DKIM results other than pass never align; failed DKIM
 * signatures with the right domain do not count either. */
static void
test_only_pass_counts(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.example.com. TXT \"v=DMARC1; p=quarantine\"\n");
	static const char msg[] = "From: a@example.com\r\n\r\n";
	static const int spfres[] = { MOX_DMARC_SPF_NONE,
		MOX_DMARC_SPF_NEUTRAL, MOX_DMARC_SPF_FAIL,
		MOX_DMARC_SPF_SOFTFAIL, MOX_DMARC_SPF_TEMPERROR,
		MOX_DMARC_SPF_PERMERROR };
	static const int dkimres[] = { MOX_DMARC_DKIM_NONE,
		MOX_DMARC_DKIM_FAIL, MOX_DMARC_DKIM_NEUTRAL,
		MOX_DMARC_DKIM_POLICY, MOX_DMARC_DKIM_TEMPERROR,
		MOX_DMARC_DKIM_PERMERROR };
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++) {
		mox_dmarc_spf spf = { spfres[i], "example.com", false };
		mox_dmarc_dkim dk[2] = {
			{ dkimres[i], "example.com", "s1" },
			{ MOX_DMARC_DKIM_PASS, "example.net", "s2" },
		};

		assert_int_equal(mox_dmarc_check(&res, r,
		    (const uint8_t *)msg, sizeof(msg) - 1, &spf, dk, 2, NULL),
		    MOX_OK);
		assert_int_equal(res.verdict, V_FAIL);
		assert_int_equal(res.policy, P_QUAR);
		mox_dmarc_result_release(&res);
	}
	/* The second of three signatures aligns: that one is reported. */
	{
		mox_dmarc_dkim dk[3] = {
			{ MOX_DMARC_DKIM_FAIL, "example.com", "s1" },
			{ MOX_DMARC_DKIM_PASS, "example.com", "s2" },
			{ MOX_DMARC_DKIM_PASS, "example.com", "s3" },
		};
		mox_dmarc_spf spf = { MOX_DMARC_SPF_PASS,
			"bounce@example.org", false };

		assert_int_equal(mox_dmarc_check(&res, r,
		    (const uint8_t *)msg, sizeof(msg) - 1, &spf, dk, 3, NULL),
		    MOX_OK);
		assert_int_equal(res.verdict, V_PASS);
		assert_false(res.spf_aligned);
		assert_string_equal(res.dkim_selector, "s2");
		mox_dmarc_result_release(&res);
		/* The HELO identity (null MAIL FROM, RFC 9989 3.2.4). */
		spf.domain = "example.com";
		spf.helo = true;
		assert_int_equal(mox_dmarc_check(&res, r,
		    (const uint8_t *)msg, sizeof(msg) - 1, &spf, NULL, 0,
		    NULL), MOX_OK);
		assert_int_equal(res.verdict, V_PASS);
		assert_true(res.spf_aligned);
		mox_dmarc_result_release(&res);
		/* A DKIM domain that is no domain. */
		dk[1].domain = "exa mple.com";
		dk[2].domain = NULL;
		assert_int_equal(mox_dmarc_check(&res, r,
		    (const uint8_t *)msg, sizeof(msg) - 1, NULL, dk, 3, NULL),
		    MOX_OK);
		assert_int_equal(res.verdict, V_FAIL);
		mox_dmarc_result_release(&res);
	}
	mox_resolver_free(r);
}

/* --- alignment matrix (RFC 9989 3.2.10, 4.4, B.1; RFC 7489 3.1) --- */

static void
test_alignment_matrix(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n"
	    "_dmarc.example.org. TXT \"v=DMARC1; p=reject; aspf=s; "
	    "adkim=s\"\n");
	/* From domain, identifier, aligned relaxed, aligned strict. */
	static const struct {
		const char *from, *id;
		bool relaxed, strict;
	} cases[] = {
		{ "example", "example", true, true },             /* exact */
		{ "example", "mail.example", true, false },       /* sub */
		{ "a.b.example", "example", true, false },        /* parent */
		{ "a.example", "b.example", true, false },        /* sibling */
		{ "a.example", "c.b.example", true, false },
		{ "example", "notexample", false, false },
		{ "a.example", "a.example", true, true },
		{ "a.example", "A.EXAMPLE", true, true },
	};
	static const char *const tlds[] = { ".com", ".org" };
	size_t i, t, k;
	int m;

	(void)state;
	for (m = 0; m < 2; m++) {
		for (t = 0; t < 2; t++) {
			for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
				char from[128], id[128];
				bool want = t == 0 ? cases[i].relaxed :
				    cases[i].strict;

				snprintf(from, sizeof(from), "u@%s%s",
				    cases[i].from, tlds[t]);
				snprintf(id, sizeof(id), "%s%s", cases[i].id,
				    tlds[t]);
				for (k = 0; k < 2; k++) {
					struct in in = { .from = from,
						.rfc7489 = m == 1 };

					if (k == 0)
						in.spf = id;
					else
						in.dkim[0] = id;
					expect(r, &in, want ? V_PASS : V_FAIL,
					    want ? P_NONE : P_REJ);
				}
			}
		}
		/* Unrelated domains, in either position. */
		for (k = 0; k < 2; k++) {
			struct in in = { .from = "u@example.com",
				.rfc7489 = m == 1 };

			if (k == 0)
				in.spf = "example.net";
			else
				in.dkim[0] = "com";
			expect(r, &in, V_FAIL, P_REJ);
		}
	}
	mox_resolver_free(r);
}

/* --- RFC 9989 tree walk --- */

/* B.4.1, B.4.2 and B.4.3 with the questions asked. */
static void
test_rfc9989_b4(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n"
	    "_dmarc.signing.example.com. TXT \"v=DMARC1; p=none\"\n"
	    "_dmarc.bank.example. TXT \"v=DMARC1; p=reject; psd=y\"\n"
	    "_dmarc.giant.bank.example. TXT \"v=DMARC1; p=quarantine\"\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@example.com", .spf = "example.com",
		.dkim = { "signing.example.com" } };

	(void)state;
	/* B.4.1: SPF aligns exactly; DKIM through both walks. */
	expect_log(r, &in, "_dmarc.example.com _dmarc.com "
	    "_dmarc.signing.example.com", &res);
	assert_int_equal(res.verdict, V_PASS);
	assert_true(res.spf_aligned);
	assert_true(res.dkim_aligned);
	assert_string_equal(res.org_domain, "example.com");
	assert_string_equal(res.record_domain, "example.com");
	mox_dmarc_result_release(&res);

	/* B.4.2: the deep walk skips to seven labels. */
	in.from = "a@a.b.c.d.e.f.g.h.i.j.k.example.com";
	expect_log(r, &in, "_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com "
	    "_dmarc.g.h.i.j.k.example.com _dmarc.h.i.j.k.example.com "
	    "_dmarc.i.j.k.example.com _dmarc.j.k.example.com "
	    "_dmarc.k.example.com _dmarc.example.com _dmarc.com "
	    "_dmarc.signing.example.com", &res);
	assert_int_equal(res.verdict, V_PASS);
	assert_true(res.spf_aligned);
	assert_true(res.dkim_aligned);
	assert_string_equal(res.org_domain, "example.com");
	assert_string_equal(res.record_domain, "example.com");
	mox_dmarc_result_release(&res);
	/* Failing, the policy domain's sp (absent: p) applies. */
	in.spf = NULL;
	in.dkim[0] = NULL;
	expect(r, &in, V_FAIL, P_REJ);

	/* B.4.3: the PSD record with psd=y. */
	in.from = "a@giant.bank.example";
	in.spf = "mail.giant.bank.example";
	in.dkim[0] = "mail.mega.bank.example";
	expect_log(r, &in, "_dmarc.giant.bank.example _dmarc.bank.example "
	    "_dmarc.mail.giant.bank.example", &res);
	assert_int_equal(res.verdict, V_PASS);
	assert_true(res.spf_aligned);
	assert_false(res.dkim_aligned);
	assert_string_equal(res.org_domain, "giant.bank.example");
	assert_string_equal(res.record_domain, "giant.bank.example");
	mox_dmarc_result_release(&res);
	in.spf = NULL;
	expect(r, &in, V_FAIL, P_QUAR);
	/* mega.bank.example has no record: the PSD's applies to it. */
	in.from = "a@mail.mega.bank.example";
	in.dkim[0] = "mega.bank.example";
	expect_log(r, &in, "_dmarc.mail.mega.bank.example "
	    "_dmarc.mega.bank.example _dmarc.bank.example", &res);
	assert_int_equal(res.verdict, V_PASS);
	assert_string_equal(res.org_domain, "mega.bank.example");
	assert_string_equal(res.record_domain, "bank.example");
	mox_dmarc_result_release(&res);
	in.dkim[0] = NULL;
	expect(r, &in, V_FAIL, P_REJ);
	mox_resolver_free(r);
}

/* RFC 9989 4.10.2's examples: records at intermediate labels. */
static void
test_intermediate(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.mail.example.com. TXT \"v=DMARC1; p=quarantine\"\n"
	    "_dmarc.example.com. TXT \"v=DMARC1; p=reject; sp=none\"\n"
	    "_dmarc.mail.example.net. TXT \"v=DMARC1; p=quarantine; "
	    "sp=reject; psd=n\"\n"
	    "_dmarc.example.net. TXT \"v=DMARC1; p=none\"\n"
	    "_dmarc.org. TXT \"v=DMARC1; p=reject; sp=quarantine; psd=y\"\n"
	    "_dmarc.mail.example.org. TXT \"v=DMARC1; p=none\"\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@a.mail.example.com" };

	(void)state;
	/* The Organizational Domain is the name with the fewest labels
	 * that has a record: example.com, whose sp applies. */
	expect_log(r, &in, "_dmarc.a.mail.example.com "
	    "_dmarc.mail.example.com _dmarc.example.com _dmarc.com", &res);
	assert_int_equal(res.verdict, V_FAIL);
	assert_int_equal(res.policy, P_NONE);
	assert_string_equal(res.org_domain, "example.com");
	assert_string_equal(res.record_domain, "example.com");
	mox_dmarc_result_release(&res);
	/* The intermediate record applies to its own domain. */
	in.from = "a@mail.example.com";
	expect(r, &in, V_FAIL, P_QUAR);
	/* psd=n ends the walk: mail.example.net is its own
	 * Organizational Domain; its sp applies. */
	in.from = "a@a.mail.example.net";
	expect_log(r, &in, "_dmarc.a.mail.example.net "
	    "_dmarc.mail.example.net", &res);
	assert_int_equal(res.verdict, V_FAIL);
	assert_int_equal(res.policy, P_REJ);
	assert_string_equal(res.org_domain, "mail.example.net");
	mox_dmarc_result_release(&res);
	/* and so relaxed alignment with the parent fails. */
	in.dkim[0] = "example.net";
	expect(r, &in, V_FAIL, P_REJ);
	in.dkim[0] = "b.mail.example.net";
	expect(r, &in, V_PASS, P_NONE);
	/* A PSD record (psd=y) above: the Organizational Domain is the name
	 * one label below it; it has a record, so that is the policy. */
	in.dkim[0] = NULL;
	in.from = "a@x.mail.example.org";
	expect_log(r, &in, "_dmarc.x.mail.example.org "
	    "_dmarc.mail.example.org _dmarc.example.org _dmarc.org", &res);
	assert_string_equal(res.org_domain, "example.org");
	assert_string_equal(res.record_domain, "org");
	assert_int_equal(res.policy, P_QUAR);
	mox_dmarc_result_release(&res);
	/* ... so mail.example.org and example.org align relaxed. */
	in.dkim[0] = "example.org";
	expect(r, &in, V_PASS, P_NONE);
	mox_resolver_free(r);
}

/* The eight-query limit (RFC 9989 4.10, 5.1.8). */
static void
test_walk_limit(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.b.c.d.e.f.g.example.com. TXT \"v=DMARC1; p=reject; "
	    "psd=n\"\n"
	    "_dmarc.example.com. TXT \"v=DMARC1; p=quarantine\"\n");
	mox_dmarc_result res;
	struct in in;

	(void)state;
	/* 5.1.8's example: the psd=n record is never found. */
	memset(&in, 0, sizeof(in));
	in.from = "a@mail.a.b.c.d.e.f.g.example.com";
	expect_log(r, &in, "_dmarc.mail.a.b.c.d.e.f.g.example.com "
	    "_dmarc.c.d.e.f.g.example.com _dmarc.d.e.f.g.example.com "
	    "_dmarc.e.f.g.example.com _dmarc.f.g.example.com "
	    "_dmarc.g.example.com _dmarc.example.com _dmarc.com", &res);
	assert_string_equal(res.record_domain, "example.com");
	assert_int_equal(res.queries, 8);
	mox_dmarc_result_release(&res);
	/* Eight labels: one dropped; nine: two; the record at eight
	 * labels applies to its own domain. */
	in.from = "a@x.c.d.e.f.g.example.com";
	expect_log(r, &in, "_dmarc.x.c.d.e.f.g.example.com "
	    "_dmarc.c.d.e.f.g.example.com _dmarc.d.e.f.g.example.com "
	    "_dmarc.e.f.g.example.com _dmarc.f.g.example.com "
	    "_dmarc.g.example.com _dmarc.example.com _dmarc.com", &res);
	mox_dmarc_result_release(&res);
	in.from = "a@y.x.c.d.e.f.g.example.com";
	expect_log(r, &in, "_dmarc.y.x.c.d.e.f.g.example.com "
	    "_dmarc.c.d.e.f.g.example.com _dmarc.d.e.f.g.example.com "
	    "_dmarc.e.f.g.example.com _dmarc.f.g.example.com "
	    "_dmarc.g.example.com _dmarc.example.com _dmarc.com", &res);
	mox_dmarc_result_release(&res);
	in.from = "a@b.c.d.e.f.g.example.com";
	expect_log(r, &in, "_dmarc.b.c.d.e.f.g.example.com", &res);
	assert_string_equal(res.record_domain, "b.c.d.e.f.g.example.com");
	assert_int_equal(res.policy, P_REJ);
	mox_dmarc_result_release(&res);
	/* Seven labels, one label. */
	in.from = "a@c.d.e.f.g.example.com";
	expect_log(r, &in, "_dmarc.c.d.e.f.g.example.com "
	    "_dmarc.d.e.f.g.example.com _dmarc.e.f.g.example.com "
	    "_dmarc.f.g.example.com _dmarc.g.example.com _dmarc.example.com "
	    "_dmarc.com", &res);
	mox_dmarc_result_release(&res);
	in.from = "a@localhost";
	expect_log(r, &in, "_dmarc.localhost", &res);
	assert_int_equal(res.verdict, V_NONE);
	mox_dmarc_result_release(&res);
	/* A 253-octet From domain: _dmarc.<it> cannot be asked (too long);
	 * the walk goes on with its parent. */
	{
		char dom[300], from[320], want[600];
		size_t i;

		memset(dom, 0, sizeof(dom));
		for (i = 0; i < 4; i++)
			memset(dom + i * 62, 'a' + (int)i, 61), dom[i * 62 + 61] =
			    '.';
		memcpy(dom + 248, "x.com", 5);
		assert_int_equal(strlen(dom), 253);
		snprintf(from, sizeof(from), "u@%s", dom);
		in.from = from;
		snprintf(want, sizeof(want), "_dmarc.%s _dmarc.%s _dmarc.%s "
		    "_dmarc.x.com _dmarc.com", dom + 62, dom + 124, dom + 186);
		expect_log(r, &in, want, &res);
		assert_int_equal(res.verdict, V_NONE);
		mox_dmarc_result_release(&res);
	}
	mox_resolver_free(r);
}

/* psd=y at the start of a walk (RFC 9989 4.10.2 rule 2 excludes it):
 * the domain is its own Organizational Domain. */
static void
test_psd_at_start(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.bank.example. TXT \"v=DMARC1; p=reject; psd=y\"\n"
	    "bank.example. A 192.0.2.1\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@bank.example",
		.dkim = { "x.bank.example" } };

	(void)state;
	expect_log(r, &in, "_dmarc.bank.example _dmarc.x.bank.example",
	    &res);
	/* org(bank.example) = bank.example; org(x.bank.example) =
	 * x.bank.example (one below the psd=y record): not aligned. */
	assert_int_equal(res.verdict, V_FAIL);
	assert_int_equal(res.policy, P_REJ);
	assert_string_equal(res.org_domain, "bank.example");
	mox_dmarc_result_release(&res);
	mox_resolver_free(r);
}

/* --- np= (RFC 9989 4.7, 4.10.1, 3.2.13, A.4) --- */

static void
test_np(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.example.com. TXT \"v=DMARC1; p=none; sp=quarantine; "
	    "np=reject\"\n"
	    "host.example.com. A 192.0.2.1\n"
	    "mx.example.com. MX 10 host.example.com.\n"
	    "alias.example.com. CNAME gone.example.com.\n"
	    "_dmarc.ent.example.com. TXT \"not dmarc\"\n"
	    "$SERVFAIL broken.example.com\n"
	    "$TIMEOUT slow.example.com\n"
	    "_dmarc.example.net. TXT \"v=DMARC1; p=reject; np=reject\"\n"
	    "_dmarc.example.org. TXT \"v=DMARC1; p=none; np=reject\"\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@nx.example.com" };

	(void)state;
	expect_log(r, &in, "_dmarc.nx.example.com _dmarc.example.com "
	    "_dmarc.com nx.example.com/A", &res);
	assert_int_equal(res.policy, P_REJ);
	assert_int_equal(res.policy_requested, P_REJ);
	mox_dmarc_result_release(&res);
	/* Exists with an A record, with only an MX (NODATA for A), as a
	 * CNAME to a name that does not exist, as the parent of a
	 * _dmarc name (no A question needed). */
	in.from = "a@host.example.com";
	expect(r, &in, V_FAIL, P_QUAR);
	in.from = "a@mx.example.com";
	expect(r, &in, V_FAIL, P_QUAR);
	in.from = "a@alias.example.com";
	expect(r, &in, V_FAIL, P_QUAR);
	in.from = "a@ent.example.com";
	expect_log(r, &in, "_dmarc.ent.example.com _dmarc.example.com "
	    "_dmarc.com", &res);
	assert_int_equal(res.policy, P_QUAR);
	mox_dmarc_result_release(&res);
	/* A DNS error for the existence question: temperror. */
	in.from = "a@broken.example.com";
	expect(r, &in, V_TEMP, P_NONE);
	/* ... but _dmarc.slow.example.com times out first. */
	in.from = "a@slow.example.com";
	expect(r, &in, V_TEMP, P_NONE);
	/* np equal to the policy that would apply: no question. */
	in.from = "a@nx.example.net";
	expect_log(r, &in, "_dmarc.nx.example.net _dmarc.example.net "
	    "_dmarc.net", &res);
	assert_int_equal(res.policy, P_REJ);
	mox_dmarc_result_release(&res);
	/* np applies to subdomains only: not to the domain itself. */
	in.from = "a@example.org";
	expect(r, &in, V_FAIL, P_NONE);
	in.from = "a@nx.example.org";
	expect(r, &in, V_FAIL, P_REJ);
	/* A pass asks nothing about existence. */
	in.from = "a@nx.example.com";
	in.spf = "example.com";
	expect_log(r, &in, "_dmarc.nx.example.com _dmarc.example.com "
	    "_dmarc.com", &res);
	assert_int_equal(res.verdict, V_PASS);
	assert_int_equal(res.policy_requested, P_QUAR);
	mox_dmarc_result_release(&res);
	/* RFC 7489 mode does not know np. */
	in.spf = NULL;
	in.rfc7489 = true;
	expect(r, &in, V_FAIL, P_QUAR);
	mox_resolver_free(r);
}

/* --- t=y (RFC 9989 4.7) and pct= (RFC 7489 6.6.4) --- */

static unsigned int rng_value, rng_calls;

static unsigned int
fixed_rng(void *arg)
{
	(void)arg;
	rng_calls++;
	return rng_value;
}

static void
test_testing_and_pct(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.reject.example. TXT \"v=DMARC1; p=reject; t=y\"\n"
	    "_dmarc.quar.example. TXT \"v=DMARC1; p=quarantine; t=y\"\n"
	    "_dmarc.none.example. TXT \"v=DMARC1; p=none; t=y\"\n"
	    "_dmarc.sub.example. TXT \"v=DMARC1; p=none; sp=reject; t=y\"\n"
	    "_dmarc.pct50.example. TXT \"v=DMARC1; p=reject; pct=50\"\n"
	    "_dmarc.pct0.example. TXT \"v=DMARC1; p=quarantine; pct=0\"\n"
	    "_dmarc.pct100.example. TXT \"v=DMARC1; p=reject; pct=100\"\n"
	    "x.sub.example. A 192.0.2.1\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@reject.example" };
	char buf[256];

	(void)state;
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.verdict, V_FAIL);
	assert_int_equal(res.policy, P_QUAR);
	assert_int_equal(res.policy_requested, P_REJ);
	assert_true(res.testing);
	assert_false(res.reject);
	mox_dmarc_authres(buf, sizeof(buf), &res);
	assert_string_equal(buf, "dmarc=fail (p=reject dis=quarantine) "
	    "header.from=reject.example policy.dmarc=quarantine");
	mox_dmarc_result_release(&res);
	in.from = "a@quar.example";
	expect(r, &in, V_FAIL, P_NONE);
	in.from = "a@none.example";
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.policy, P_NONE);
	assert_false(res.testing);      /* nothing was lowered */
	mox_dmarc_result_release(&res);
	in.from = "a@x.sub.example";
	expect(r, &in, V_FAIL, P_QUAR);
	in.spf = "reject.example";
	in.from = "a@reject.example";
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.verdict, V_PASS);
	assert_false(res.testing);
	mox_dmarc_result_release(&res);
	/* RFC 7489 mode does not know t. */
	in.spf = NULL;
	in.rfc7489 = true;
	expect(r, &in, V_FAIL, P_REJ);

	/* pct with the fixed RNG: applied when the number is below pct,
	 * else the next lower policy. */
	in.rng = fixed_rng;
	in.from = "a@pct50.example";
	rng_value = 49;
	rng_calls = 0;
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.policy, P_REJ);
	assert_false(res.sampled_out);
	assert_int_equal(rng_calls, 2);     /* check() and steps() */
	mox_dmarc_result_release(&res);
	rng_value = 50;
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.policy, P_QUAR);
	assert_int_equal(res.policy_requested, P_REJ);
	assert_true(res.sampled_out);
	mox_dmarc_result_release(&res);
	rng_value = 99 + 100;           /* taken modulo 100 */
	expect(r, &in, V_FAIL, P_QUAR);
	rng_calls = 0;
	in.from = "a@pct0.example";
	expect(r, &in, V_FAIL, P_NONE);
	in.from = "a@pct100.example";
	expect(r, &in, V_FAIL, P_REJ);
	assert_int_equal(rng_calls, 0);
	/* A pass does not sample. */
	in.from = "a@pct50.example";
	in.spf = "pct50.example";
	expect(r, &in, V_PASS, P_NONE);
	assert_int_equal(rng_calls, 0);
	/* The internal RNG: over many evaluations, both outcomes. */
	{
		int applied = 0, i;

		in.spf = NULL;
		in.rng = NULL;
		for (i = 0; i < 200; i++) {
			mox_dmarc_result init = MOX_DMARC_RESULT_INIT;

			res = init;
			assert_int_equal(check(r, &in, &res), MOX_OK);
			applied += res.policy == P_REJ;
			mox_dmarc_result_release(&res);
		}
		assert_true(applied > 40 && applied < 160);
	}
	/* RFC 9989 mode ignores pct. */
	in.rfc7489 = false;
	in.from = "a@pct0.example";
	expect(r, &in, V_FAIL, P_QUAR);
	mox_resolver_free(r);
}

/* --- DNS errors (RFC 9989 5.3.6) --- */

static void
test_temperror(void **state)
{
	mox_resolver *r = zone_new(
	    "$SERVFAIL _dmarc.fail.example\n"
	    "$TIMEOUT _dmarc.timeout.example\n"
	    "$SERVFAIL _dmarc.example\n"
	    "_dmarc.a.example. TXT \"v=DMARC1; p=reject\"\n"
	    "_dmarc.sub.walk.test. TXT \"v=DMARC1; p=reject\"\n"
	    "$SERVFAIL _dmarc.walk.test\n"
	    "_dmarc.good.com. TXT \"v=DMARC1; p=reject\"\n"
	    "$SERVFAIL _dmarc.bad.good.com\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@fail.example" };
	char buf[256];
	int m;

	(void)state;
	for (m = 0; m < 2; m++) {
		in.rfc7489 = m == 1;
		in.from = "a@fail.example";
		eval(r, &in, &res, NULL, 0);
		assert_int_equal(res.verdict, V_TEMP);
		assert_string_equal(res.reason,
		    "DNS servfail for _dmarc.fail.example");
		mox_dmarc_authres(buf, sizeof(buf), &res);
		assert_string_equal(buf, "dmarc=temperror (DNS servfail for "
		    "_dmarc.fail.example) header.from=fail.example");
		mox_dmarc_result_release(&res);
		in.from = "a@timeout.example";
		expect(r, &in, V_TEMP, P_NONE);
		/* The From domain has a record; the relaxed alignment
		 * walk for the organizational domain fails. */
		in.from = "a@a.example";
		in.spf = "b.a.example";
		expect(r, &in, in.rfc7489 ? V_PASS : V_TEMP, P_NONE);
		/* ... unless another identifier aligns. */
		in.dkim[0] = "a.example";
		expect(r, &in, V_PASS, P_NONE);
		in.spf = NULL;
		in.dkim[0] = NULL;
	}
	/* A failure in the middle of the walk. */
	in.rfc7489 = false;
	in.from = "a@x.sub.walk.test";
	expect(r, &in, V_TEMP, P_NONE);
	/* A failing identifier walk, and nothing else aligned. */
	in.from = "a@good.com";
	in.dkim[0] = "x.bad.good.com";
	expect(r, &in, V_TEMP, P_NONE);
	in.spf = "good.com";
	expect(r, &in, V_PASS, P_NONE);
	mox_resolver_free(r);
}

/* Several records, records that are not usable, other TXT records. */
static void
test_records_found(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.two.example.com. TXT \"v=DMARC1; p=none\"\n"
	    "_dmarc.two.example.com. TXT \"v=DMARC1; p=reject\"\n"
	    "_dmarc.example.com. TXT \"v=DMARC1; p=quarantine\"\n"
	    "_dmarc.other.example.com. TXT \"v=spf1 -all\"\n"
	    "_dmarc.other.example.com. TXT \"v=DMARC1; \" \"p=reject\"\n"
	    "_dmarc.bad.example.com. TXT \"v=DMARC1; p=bogus\"\n"
	    "_dmarc.badrua.example.com. TXT \"v=DMARC1; p=bogus; "
	    "rua=mailto:r@example.com\"\n"
	    "_dmarc.nop.example.com. TXT \"v=DMARC1; sp=reject\"\n"
	    "_dmarc.dup.example.com. TXT \"v=DMARC1; p=none; p=none\"\n"
	    "_dmarc.lower.example.com. TXT \"v=dmarc1; p=reject\"\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@two.example.com" };

	(void)state;
	/* RFC 9989 4.10: several records are discarded, the walk goes on. */
	expect(r, &in, V_FAIL, P_QUAR);
	/* RFC 7489 6.6.3 step 5: discovery ends. */
	in.rfc7489 = true;
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.verdict, V_NONE);
	assert_string_equal(res.reason,
	    "several DMARC records at _dmarc.two.example.com");
	mox_dmarc_result_release(&res);
	/* Strings joined; non-DMARC TXT ignored. */
	in.from = "a@other.example.com";
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.policy, P_REJ);
	assert_string_equal(res.record, "v=DMARC1; p=reject");
	mox_dmarc_result_release(&res);
	/* Not usable: permerror; with a valid rua: p=none. */
	for (int m = 0; m < 2; m++) {
		in.rfc7489 = m == 1;
		in.from = "a@bad.example.com";
		eval(r, &in, &res, NULL, 0);
		assert_int_equal(res.verdict, V_PERM);
		assert_string_equal(res.record_domain, "bad.example.com");
		assert_string_equal(res.reason, "unusable DMARC record at "
		    "_dmarc.bad.example.com: invalid p= and no valid rua=");
		mox_dmarc_result_release(&res);
		in.from = "a@badrua.example.com";
		expect(r, &in, V_FAIL, P_NONE);
		in.from = "a@dup.example.com";
		expect(r, &in, V_PERM, P_NONE);
		/* A lowercase version is no record. */
		in.from = "a@lower.example.com";
		eval(r, &in, &res, NULL, 0);
		assert_string_equal(res.record_domain, "example.com");
		mox_dmarc_result_release(&res);
	}
	mox_resolver_free(r);
}

/* --- the From field (RFC 9989 5.3.1, 4.4, 11.5) --- */

static void
test_from(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n"
	    "_dmarc.xn--bcher-kva.example. TXT \"v=DMARC1; p=reject\"\n");
	static const struct {
		const char *msg;
		int verdict;
		const char *reason;
		const char *from;
	} cases[] = {
		{ "From: a@example.com, b@EXAMPLE.com\r\n\r\n", V_FAIL, NULL,
		  "example.com" },
		{ "From: a@example.com, b@example.net\r\n\r\n", V_PERM,
		  "several From domains", "" },
		{ "From: a@example.com\r\nFrom: a@example.com\r\n\r\n", V_PERM,
		  "several From fields", "" },
		{ "Subject: x\r\n\r\n", V_NONE, "no From field", "" },
		{ "From: undisclosed:;\r\n\r\n", V_NONE, "no From address",
		  "" },
		{ "From:   \r\n\r\n", V_NONE, "no From address", "" },
		{ "From: a@[192.0.2.1]\r\n\r\n", V_PERM, "invalid From domain",
		  "" },
		{ "From: a@-bad-.example\r\n\r\n", V_PERM,
		  "invalid From domain", "" },
		{ "From: <<<\r\n\r\n", V_PERM, "From field does not parse",
		  "" },
		{ "From: Jo <a@b\xc3\xbc" "cher.example>\r\n\r\n", V_FAIL, NULL,
		  "xn--bcher-kva.example" },
		{ "From: a@xn--bcher-kva.example\r\n\r\n", V_FAIL, NULL,
		  "xn--bcher-kva.example" },
		{ "From: (c) a@example.com (c)\r\n\r\n", V_FAIL, NULL,
		  "example.com" },
		{ "From: g: a@example.com, b@example.com;\r\n\r\n", V_FAIL,
		  NULL, "example.com" },
	};
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *m = cases[i].msg;

		assert_int_equal(mox_dmarc_check(&res, r, (const uint8_t *)m,
		    strlen(m), NULL, NULL, 0, NULL), MOX_OK);
		if (res.verdict != cases[i].verdict)
			print_error("%s: %s (%s)\n", m,
			    mox_dmarc_verdict_name(res.verdict), res.reason);
		assert_int_equal(res.verdict, cases[i].verdict);
		if (cases[i].reason != NULL)
			assert_string_equal(res.reason, cases[i].reason);
		assert_string_equal(res.from_domain, cases[i].from);
		if (res.verdict != V_FAIL)
			assert_int_equal(res.queries, 0);
		mox_dmarc_result_release(&res);
	}
	/* The fast path for common forms agrees with the full parser: a
	 * leading comment sends the same value through the latter. */
	{
		static const char *const vals[] = {
			"a@example.com", "A@EXAMPLE.COM", " a@example.com ",
			"<a@example.com>", "Jo Doe <a@example.com>",
			"=?utf-8?q?J=C3=B6?= <a@example.com>",
			"a.b.c+tag@mail.example.com", "a@x_y.example.com",
			"a@-x.example.com", "a@x-.example.com", "a@x..com",
			".a@example.com", "a.@example.com", "a..b@example.com",
			"a@xn--bcher-kva.example", "a@XN--BCHER-KVA.example",
			"a@b@example.com", "a@", "@example.com", "<>",
			"Jo <a@example.com", "Jo a@example.com>",
			"a@example.com.", "a@1.2.3.4", "J.o <a@example.com>",
			("a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaaaa.com"),
		};
		mox_dmarc_eval *e1, *e2;
		mox_dmarc_result r1 = MOX_DMARC_RESULT_INIT;
		mox_dmarc_result r2 = MOX_DMARC_RESULT_INIT;
		mox_dmarc_question q;
		char slow[256];

		for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			snprintf(slow, sizeof(slow), "(c) %s", vals[i]);
			assert_int_equal(mox_dmarc_eval_new(&e1,
			    (const uint8_t *)vals[i], strlen(vals[i]), NULL,
			    NULL, 0, NULL), MOX_OK);
			assert_int_equal(mox_dmarc_eval_new(&e2,
			    (const uint8_t *)slow, strlen(slow), NULL, NULL, 0,
			    NULL), MOX_OK);
			if (mox_dmarc_eval_step(e1, &q) == MOX_DMARC_STEP_DONE) {
				assert_int_equal(mox_dmarc_eval_step(e2, &q),
				    MOX_DMARC_STEP_DONE);
				assert_int_equal(mox_dmarc_eval_result(e1, &r1),
				    MOX_OK);
				assert_int_equal(mox_dmarc_eval_result(e2, &r2),
				    MOX_OK);
				assert_int_equal(r1.verdict, r2.verdict);
				assert_string_equal(r1.reason, r2.reason);
				mox_dmarc_result_release(&r1);
				mox_dmarc_result_release(&r2);
			} else {
				char n1[300];

				snprintf(n1, sizeof(n1), "%s", q.name);
				if (mox_dmarc_eval_step(e2, &q) !=
				    MOX_DMARC_STEP_QUERY)
					print_error("%s\n", vals[i]);
				assert_string_equal(q.name, n1);
			}
			mox_dmarc_eval_free(e1);
			mox_dmarc_eval_free(e2);
		}
	}
	/* mox_dmarc_eval_new() with a raw value. */
	{
		mox_dmarc_eval *e;
		mox_dmarc_question q;
		static const char v[] = "=?utf-8?q?J=C3=B6?= <j@example.com>";

		assert_int_equal(mox_dmarc_eval_new(&e, (const uint8_t *)v,
		    sizeof(v) - 1, NULL, NULL, 0, NULL), MOX_OK);
		assert_int_equal(mox_dmarc_eval_step(e, &q),
		    MOX_DMARC_STEP_QUERY);
		assert_string_equal(q.name, "_dmarc.example.com");
		assert_int_equal(q.type, MOX_DNS_TXT);
		mox_dmarc_eval_free(e);
		assert_int_equal(mox_dmarc_eval_new(&e, NULL, 0, NULL, NULL, 0,
		    NULL), MOX_OK);
		assert_int_equal(mox_dmarc_eval_step(e, &q),
		    MOX_DMARC_STEP_DONE);
		assert_int_equal(mox_dmarc_eval_result(e, &res), MOX_OK);
		assert_int_equal(res.verdict, V_NONE);
		assert_string_equal(res.from_domain, "");
		assert_null(res.org_domain);
		mox_dmarc_result_release(&res);
		mox_dmarc_eval_free(e);
	}
	mox_resolver_free(r);
}

/* --- RFC 7489 mode: the Public Suffix List (3.2) --- */

static void
test_psl(void **state)
{
	static const struct {
		const char *in, *org;
	} cases[] = {
		{ "example.com", "example.com" },
		{ "a.b.example.com", "example.com" },
		{ "A.B.Example.COM.", "example.com" },
		{ "x.example.co.uk", "example.co.uk" },
		{ "example.co.uk", "example.co.uk" },
		{ "co.uk", "co.uk" },                   /* a public suffix */
		{ "uk", "uk" },
		{ "com", "com" },
		{ "a.foo.github.io", "foo.github.io" }, /* private section */
		{ "github.io", "github.io" },
		{ "a.b.c.kawasaki.jp", "b.c.kawasaki.jp" }, /* *.kawasaki.jp */
		{ "a.city.kawasaki.jp", "city.kawasaki.jp" }, /* !city */
		{ "a.foo.xn--55qx5d.cn", "foo.xn--55qx5d.cn" }, /* IDN suffix */
		{ "a.foo.\xe5\x85\xac\xe5\x8f\xb8.cn", "foo.xn--55qx5d.cn" },
		{ "a.b\xc3\xbc" "cher.de", "xn--bcher-kva.de" },
		{ "a.b.unknowntld", "b.unknowntld" },   /* the "*" rule */
		{ "localhost", "localhost" },
	};
	char buf[MOX_DOMAIN_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = mox_dmarc_psl_orgdomain(buf, sizeof(buf), psl,
		    cases[i].in);

		if (strcmp(buf, cases[i].org) != 0)
			print_error("%s: %s\n", cases[i].in, buf);
		assert_string_equal(buf, cases[i].org);
		assert_int_equal(n, strlen(cases[i].org));
	}
	assert_int_equal(mox_dmarc_psl_orgdomain(buf, sizeof(buf), psl,
	    "bad domain"), 0);
	assert_string_equal(buf, "");
	assert_int_equal(mox_dmarc_psl_orgdomain(buf, 4, psl,
	    "a.example.com"), 11);
	assert_string_equal(buf, "exa");
	assert_int_equal(mox_dmarc_psl_orgdomain(buf, sizeof(buf), NULL,
	    "example.com"), 0);

	/* Loading. */
	{
		mox_dmarc_psl *l = NULL;
		FILE *f;
		char path[] = "/tmp/mox-test-psl-XXXXXX";
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		f = fdopen(fd, "w");
		assert_non_null(f);
		fputs("// test list\ncom\n*.test\n!x.test\n", f);
		fclose(f);
		assert_int_equal(mox_dmarc_psl_load(&l, path), MOX_OK);
		mox_dmarc_psl_orgdomain(buf, sizeof(buf), l, "a.b.c.test");
		assert_string_equal(buf, "b.c.test");
		mox_dmarc_psl_orgdomain(buf, sizeof(buf), l, "a.x.test");
		assert_string_equal(buf, "x.test");
		mox_dmarc_psl_free(l);
		f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
		assert_int_equal(mox_dmarc_psl_load(&l, path), MOX_ESYNTAX);
		assert_null(l);
		unlink(path);
		assert_int_equal(mox_dmarc_psl_load(&l, path), MOX_EIO);
		assert_int_equal(mox_dmarc_psl_load(NULL, NULL), MOX_EINVAL);
		mox_dmarc_psl_free(NULL);
	}
}

/* Policy discovery through the list. */
static void
test_rfc7489_discovery(void **state)
{
	mox_resolver *r = zone_new(
	    "_dmarc.example.co.uk. TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
	    "_dmarc.co.uk. TXT \"v=DMARC1; p=none\"\n"
	    "_dmarc.foo.github.io. TXT \"v=DMARC1; p=reject\"\n"
	    "_dmarc.github.io. TXT \"v=DMARC1; p=quarantine\"\n"
	    "_dmarc.xn--bcher-kva.de. TXT \"v=DMARC1; p=reject\"\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@x.y.example.co.uk", .rfc7489 = true };

	(void)state;
	expect_log(r, &in, "_dmarc.x.y.example.co.uk _dmarc.example.co.uk",
	    &res);
	assert_int_equal(res.policy, P_QUAR);
	assert_string_equal(res.org_domain, "example.co.uk");
	mox_dmarc_result_release(&res);
	/* Relaxed alignment across co.uk registrations does not hold. */
	in.spf = "other.co.uk";
	expect(r, &in, V_FAIL, P_QUAR);
	in.spf = "mail.example.co.uk";
	expect(r, &in, V_PASS, P_NONE);
	/* The From domain is a public suffix: its own org domain, one
	 * question. */
	in.spf = NULL;
	in.from = "a@co.uk";
	expect_log(r, &in, "_dmarc.co.uk", &res);
	assert_int_equal(res.verdict, V_FAIL);
	assert_int_equal(res.policy, P_NONE);
	assert_null(res.org_domain);
	mox_dmarc_result_release(&res);
	in.spf = "x.co.uk";
	eval(r, &in, &res, NULL, 0);
	assert_int_equal(res.verdict, V_FAIL);
	assert_string_equal(res.org_domain, "co.uk");
	mox_dmarc_result_release(&res);
	in.spf = NULL;
	in.from = "a@nx.co.uk";
	expect_log(r, &in, "_dmarc.nx.co.uk", &res);
	assert_int_equal(res.verdict, V_NONE);
	mox_dmarc_result_release(&res);
	/* The private section: foo.github.io is a registration. */
	in.from = "a@a.foo.github.io";
	expect_log(r, &in, "_dmarc.a.foo.github.io _dmarc.foo.github.io",
	    &res);
	assert_int_equal(res.policy, P_REJ);
	mox_dmarc_result_release(&res);
	in.spf = "bar.github.io";
	expect(r, &in, V_FAIL, P_REJ);
	/* IDN From domain. */
	in.spf = NULL;
	in.from = "a@mail.b\xc3\xbc" "cher.de";
	expect_log(r, &in, "_dmarc.mail.xn--bcher-kva.de "
	    "_dmarc.xn--bcher-kva.de", &res);
	assert_int_equal(res.policy, P_REJ);
	mox_dmarc_result_release(&res);
	in.dkim[0] = "b\xc3\xbc" "cher.de";
	expect(r, &in, V_PASS, P_NONE);
	mox_resolver_free(r);
}

/* --- where RFC 9989 and RFC 7489 decide differently --- */

/*
 * Each case runs in both modes; the RFC 9989 outcome and the RFC 7489
 * outcome differ, for the reason and sections given.
 */
static void
test_rfc9989_vs_rfc7489(void **state)
{
	mox_resolver *r = zone_new(
	    /* 1 */ "_dmarc.nop.example. TXT \"v=DMARC1; sp=reject\"\n"
	    /* 2 */ "_dmarc.two.example.com. TXT \"v=DMARC1; p=none\"\n"
	    "_dmarc.two.example.com. TXT \"v=DMARC1; p=none\"\n"
	    "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n"
	    /* 3 */ "_dmarc.mail.example.net. TXT \"v=DMARC1; p=reject\"\n"
	    /* 4 */ "_dmarc.dept.example.org. TXT \"v=DMARC1; p=reject; "
	    "psd=n\"\n"
	    "_dmarc.example.org. TXT \"v=DMARC1; p=reject\"\n"
	    /* 5 */ "_dmarc.net. TXT \"v=DMARC1; p=reject; psd=y\"\n"
	    /* 6 */ "_dmarc.np.example. TXT \"v=DMARC1; p=none; np=reject\"\n"
	    /* 7 */ "_dmarc.t.example. TXT \"v=DMARC1; p=reject; t=y\"\n"
	    /* 8 */ "_dmarc.pct.example. TXT \"v=DMARC1; p=reject; pct=0\"\n"
	    /* 9 */ "_dmarc.badnp.example. TXT \"v=DMARC1; p=reject; "
	    "np=bogus\"\n");
	static const struct {
		const char *what, *from, *dkim;
		int v9989, p9989, v7489, p7489;
	} cases[] = {
		{ "p= absent: p=none (RFC 9989 4.7) / p required, no DMARC "
		  "processing (RFC 7489 6.3, 6.6.3 step 6)",
		  "a@nop.example", NULL, V_FAIL, P_NONE, V_PERM, P_NONE },
		{ "several records at the From domain: discarded, walk on "
		  "(RFC 9989 4.10 step 2) / discovery ends (RFC 7489 6.6.3 "
		  "step 5)", "a@two.example.com", NULL, V_FAIL, P_REJ, V_NONE,
		  P_NONE },
		{ "record at an intermediate label: found by the tree walk "
		  "(RFC 9989 4.10.1) / only From and PSL org domain are asked "
		  "(RFC 7489 6.6.3)", "a@x.mail.example.net", NULL, V_FAIL,
		  P_REJ, V_NONE, P_NONE },
		{ "psd=n makes a subdomain its own Organizational Domain "
		  "(RFC 9989 4.10.2 rule 1) / the PSL's registrable domain "
		  "(RFC 7489 3.2)", "a@x.dept.example.org", "example.org",
		  V_FAIL, P_REJ, V_PASS, P_NONE },
		{ "a PSD's psd=y record applies to its registrations without "
		  "one (RFC 9989 4.10.1) / no PSD policy (RFC 7489)",
		  "a@nothing.net", NULL, V_FAIL, P_REJ, V_NONE, P_NONE },
		{ "np= for a non-existent subdomain (RFC 9989 4.7, 3.2.13) / "
		  "unknown tag, sp or p applies (RFC 7489 6.3)",
		  "a@nx.np.example", NULL, V_FAIL, P_REJ, V_FAIL, P_NONE },
		{ "t=y lowers reject to quarantine (RFC 9989 4.7) / unknown "
		  "tag (RFC 7489)", "a@t.example", NULL, V_FAIL, P_QUAR,
		  V_FAIL, P_REJ },
		{ "pct=0: removed tag, ignored (RFC 9989 A.6, C.5.2) / "
		  "sampling lowers reject to quarantine (RFC 7489 6.6.4)",
		  "a@pct.example", NULL, V_FAIL, P_REJ, V_FAIL, P_QUAR },
		{ "an invalid np= without rua: no DMARC processing (RFC 9989 "
		  "4.10.1) / unknown tag (RFC 7489)", "a@badnp.example", NULL,
		  V_PERM, P_NONE, V_FAIL, P_REJ },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in in = { .from = cases[i].from };

		in.dkim[0] = cases[i].dkim;
		print_message("# %s\n", cases[i].what);
		expect(r, &in, cases[i].v9989, cases[i].p9989);
		in.rfc7489 = true;
		expect(r, &in, cases[i].v7489, cases[i].p7489);
		assert_true(cases[i].v9989 != cases[i].v7489 ||
		    cases[i].p9989 != cases[i].p7489);
	}
	mox_resolver_free(r);
}

/* --- authentic, text --- */

static void
test_authentic(void **state)
{
	mox_resolver *r = zone_new(
	    "$AUTHENTIC yes\n"
	    "_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n"
	    "_dmarc.com. TXT \"v=DMARC1; p=reject; psd=y\"\n"
	    "$AUTHENTIC no\n"
	    "_dmarc.example.net. TXT \"v=DMARC1; p=reject\"\n");
	mox_dmarc_result res;
	struct in in = { .from = "a@example.com" };

	(void)state;
	eval(r, &in, &res, NULL, 0);
	assert_true(res.authentic);
	mox_dmarc_result_release(&res);
	/* The NXDOMAIN of _dmarc.nx.example.com is not authentic. */
	in.from = "a@nx.example.com";
	eval(r, &in, &res, NULL, 0);
	assert_false(res.authentic);
	mox_dmarc_result_release(&res);
	in.from = "a@example.net";
	eval(r, &in, &res, NULL, 0);
	assert_false(res.authentic);
	mox_dmarc_result_release(&res);
	mox_resolver_free(r);
}

static void
test_text(void **state)
{
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	char buf[256], small[10];
	mox_dns_answer *a;
	size_t n;
	static const uint8_t ok[] = "\x09v=DMARC1;";
	static const uint8_t no[] = "\x06v=spf1";

	(void)state;
	assert_string_equal(mox_dmarc_verdict_name(V_PERM), "permerror");
	assert_string_equal(mox_dmarc_verdict_name(5), "unknown");
	assert_string_equal(mox_dmarc_verdict_name(-1), "unknown");
	assert_string_equal(mox_dmarc_policy_name(P_QUAR), "quarantine");
	assert_string_equal(mox_dmarc_policy_name(0), "");
	assert_string_equal(mox_dmarc_policy_name(9), "");

	res.verdict = V_PERM;
	res.from_domain = "ex(am)ple.com";
	res.reason = "bad (record)\r\n\\";
	n = mox_dmarc_authres(buf, sizeof(buf), &res);
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "dmarc=permerror (bad ?record?" "?" "?" "?) "
	    "header.from=ex?am?ple.com");
	res.verdict = V_NONE;
	res.from_domain = "";
	res.reason = NULL;
	mox_dmarc_authres(buf, sizeof(buf), &res);
	assert_string_equal(buf, "dmarc=none");
	assert_int_equal(mox_dmarc_authres(small, sizeof(small), &res), 10);
	assert_string_equal(small, "dmarc=non");
	assert_int_equal(mox_dmarc_authres(buf, sizeof(buf), NULL), 0);

	assert_int_equal(mox_dmarc_report_auth_name(buf, sizeof(buf),
	    "example.com", "thirdparty.example.net."), 49);
	assert_string_equal(buf,
	    "example.com._report._dmarc.thirdparty.example.net");
	assert_int_equal(mox_dmarc_report_auth_name(small, sizeof(small),
	    "example.com", "x"), 28);
	assert_int_equal(mox_dmarc_report_auth_name(buf, sizeof(buf), NULL,
	    "x"), 0);

	assert_int_equal(mox_dmarc_report_auth_check(NULL), MOX_EINVAL);
	assert_int_equal(mox_dns_answer_new(&a, "x", MOX_DNS_TXT, MOX_DNS_OK,
	    0), MOX_OK);
	assert_int_equal(mox_dns_answer_add(a, "x", MOX_DNS_TXT, 60, no,
	    sizeof(no) - 1), MOX_OK);
	assert_int_equal(mox_dmarc_report_auth_check(a), 0);
	assert_int_equal(mox_dns_answer_add(a, "x", MOX_DNS_TXT, 60, ok,
	    sizeof(ok) - 1), MOX_OK);
	assert_int_equal(mox_dmarc_report_auth_check(a), 1);
	mox_dns_answer_free(a);
	assert_int_equal(mox_dns_answer_new(&a, "x", MOX_DNS_TXT,
	    MOX_DNS_NXDOMAIN, 3), MOX_OK);
	assert_int_equal(mox_dmarc_report_auth_check(a), 0);
	mox_dns_answer_free(a);
}

/* --- misuse --- */

static void
test_misuse(void **state)
{
	mox_resolver *r = zone_new("_dmarc.example.com. TXT \"v=DMARC1\"\n");
	mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	mox_dmarc_eval *e = NULL;
	mox_dmarc_question q;
	mox_dns_answer *a;
	static const uint8_t msg[] = "From: a@example.com\r\n\r\n";
	mox_dmarc_dkim dk = { MOX_DMARC_DKIM_PASS, "example.com", NULL };

	(void)state;
	assert_int_equal(mox_dmarc_eval_new(NULL, msg, 1, NULL, NULL, 0,
	    NULL), MOX_EINVAL);
	assert_int_equal(mox_dmarc_eval_new(&e, NULL, 1, NULL, NULL, 0,
	    NULL), MOX_EINVAL);
	assert_int_equal(mox_dmarc_eval_new(&e, msg, 1, NULL, NULL, 1,
	    NULL), MOX_EINVAL);
	assert_int_equal(mox_dmarc_eval_new_msg(&e, NULL, 1, NULL, NULL, 0,
	    NULL), MOX_EINVAL);
	o.flags = MOX_DMARC_RFC7489;
	assert_int_equal(mox_dmarc_eval_new_msg(&e, msg, 1, NULL, NULL, 0,
	    &o), MOX_EINVAL);
	o.flags = 1u << 5;
	assert_int_equal(mox_dmarc_eval_new_msg(&e, msg, 1, NULL, NULL, 0,
	    &o), MOX_EINVAL);
	o.flags = 0;
	o.version = 2;
	assert_int_equal(mox_dmarc_eval_new_msg(&e, msg, 1, NULL, NULL, 0,
	    &o), MOX_EVERSION);
	o.version = 0;
	assert_int_equal(mox_dmarc_eval_new_msg(&e, msg, 1, NULL, NULL, 0,
	    &o), MOX_EVERSION);
	assert_null(e);
	res.version = 0;
	assert_int_equal(mox_dmarc_check(&res, r, msg, sizeof(msg) - 1, NULL,
	    NULL, 0, NULL), MOX_EVERSION);
	res.version = MOX_DMARC_RESULT_VERSION;
	assert_int_equal(mox_dmarc_check(&res, NULL, msg, sizeof(msg) - 1,
	    NULL, NULL, 0, NULL), MOX_EINVAL);
	assert_int_equal(mox_dmarc_check(NULL, r, msg, sizeof(msg) - 1,
	    NULL, NULL, 0, NULL), MOX_EINVAL);

	assert_int_equal(mox_dmarc_eval_new_msg(&e, msg, sizeof(msg) - 1,
	    NULL, &dk, 1, NULL), MOX_OK);
	assert_int_equal(mox_dmarc_eval_step(NULL, &q), MOX_EINVAL);
	assert_int_equal(mox_dmarc_eval_step(e, NULL), MOX_EINVAL);
	assert_int_equal(mox_dmarc_eval_answer(e, NULL), MOX_ESTATE);
	assert_int_equal(mox_dmarc_eval_result(e, &res), MOX_ESTATE);
	assert_int_equal(mox_dmarc_eval_step(e, &q), MOX_DMARC_STEP_QUERY);
	assert_int_equal(mox_dmarc_eval_step(e, &q), MOX_ESTATE);
	/* An answer of another type. */
	assert_int_equal(mox_dns_answer_new(&a, q.name, MOX_DNS_A,
	    MOX_DNS_NXDOMAIN, 3), MOX_OK);
	assert_int_equal(mox_dmarc_eval_answer(e, a), MOX_EINVAL);
	mox_dns_answer_free(a);
	assert_int_equal(mox_dns_lookup(r, q.name, q.type, &a), MOX_OK);
	assert_int_equal(mox_dmarc_eval_answer(NULL, a), MOX_EINVAL);
	assert_int_equal(mox_dmarc_eval_answer(e, a), MOX_OK);
	mox_dns_answer_free(a);
	assert_int_equal(mox_dmarc_eval_step(e, &q), MOX_DMARC_STEP_DONE);
	assert_int_equal(mox_dmarc_eval_step(e, &q), MOX_DMARC_STEP_DONE);
	assert_int_equal(mox_dmarc_eval_result(NULL, &res), MOX_EINVAL);
	assert_int_equal(mox_dmarc_eval_result(e, NULL), MOX_EINVAL);
	res.version = 7;
	assert_int_equal(mox_dmarc_eval_result(e, &res), MOX_EVERSION);
	res.version = MOX_DMARC_RESULT_VERSION;
	assert_int_equal(mox_dmarc_eval_result(e, &res), MOX_OK);
	assert_int_equal(res.verdict, V_PASS);
	assert_int_equal(mox_dmarc_eval_answer(e, NULL), MOX_ESTATE);
	mox_dmarc_result_release(&res);
	assert_int_equal(res.version, MOX_DMARC_RESULT_VERSION);
	mox_dmarc_result_release(NULL);
	mox_dmarc_eval_free(e);
	mox_dmarc_eval_free(NULL);
	/* A failed lookup without an answer: temperror. */
	assert_int_equal(mox_dmarc_eval_new_msg(&e, msg, sizeof(msg) - 1,
	    NULL, NULL, 0, NULL), MOX_OK);
	assert_int_equal(mox_dmarc_eval_step(e, &q), MOX_DMARC_STEP_QUERY);
	assert_int_equal(mox_dmarc_eval_answer(e, NULL), MOX_OK);
	assert_int_equal(mox_dmarc_eval_step(e, &q), MOX_DMARC_STEP_DONE);
	assert_int_equal(mox_dmarc_eval_result(e, &res), MOX_OK);
	assert_int_equal(res.verdict, V_TEMP);
	mox_dmarc_result_release(&res);
	mox_dmarc_eval_free(e);
	mox_resolver_free(r);
}

/* --- allocation failures --- */

static const char alloc_zone[] =
    "_dmarc.example.com. TXT \"v=DMARC1; p=reject; np=quarantine; "
    "rua=mailto:r@example.com\"\n"
    "_dmarc.x.example.com. TXT \"v=DMARC1; p=none\"\n";

static int
alloc_run(mox_resolver *r, bool use_steps, mox_dmarc_result *out)
{
	struct in in = { .from = "a@b.c.nx.example.com",
		.spf = "x.example.com", .dkim = { "y.x.example.com",
		"example.com" } };
	mox_dmarc_result init = MOX_DMARC_RESULT_INIT;

	*out = init;
	in.dkim[1] = NULL;
	return use_steps ? steps(r, &in, out, NULL, 0) : check(r, &in, out);
}

static void
alloc_loop(bool use_steps)
{
	mox_resolver *r = zone_new(alloc_zone);
	mox_dmarc_result ref, res;
	unsigned long n;
	int rc = MOX_ENOMEM;

	assert_int_equal(alloc_run(r, use_steps, &ref), MOX_OK);
	assert_int_equal(ref.verdict, V_PASS);
	for (n = 1; n < 5000; n++) {
		mox__fail_at = n;
		rc = alloc_run(r, use_steps, &res);
		mox__fail_at = 0;
		if (rc == MOX_OK) {
			same(&ref, &res);
			mox_dmarc_result_release(&res);
			break;
		}
		assert_int_equal(rc, MOX_ENOMEM);
	}
	assert_int_equal(rc, MOX_OK);
	/* Only libmoxdmarc's own allocations count when libmox-core is a
	 * separate shared library (the meson build), all when linked whole. */
	assert_true(n > 2);
	mox_dmarc_result_release(&ref);
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

static int
setup(void **state)
{
	(void)state;
	return mox_dmarc_psl_load(&psl, NULL) == MOX_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	mox_dmarc_psl_free(psl);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_only_pass_counts),
		cmocka_unit_test(test_alignment_matrix),
		cmocka_unit_test(test_rfc9989_b4),
		cmocka_unit_test(test_intermediate),
		cmocka_unit_test(test_walk_limit),
		cmocka_unit_test(test_psd_at_start),
		cmocka_unit_test(test_np),
		cmocka_unit_test(test_testing_and_pct),
		cmocka_unit_test(test_temperror),
		cmocka_unit_test(test_records_found),
		cmocka_unit_test(test_from),
		cmocka_unit_test(test_psl),
		cmocka_unit_test(test_rfc7489_discovery),
		cmocka_unit_test(test_rfc9989_vs_rfc7489),
		cmocka_unit_test(test_authentic),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_alloc_fail_check),
		cmocka_unit_test(test_alloc_fail_steps),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
