/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for DMARC record parsing and formatting (<mox/dmarc.h>,
 * RFC 9989 4.7, 4.8, 4.10.1; RFC 7489 6.3): the records of RFC 9989
 * Appendix B, what is and is not a DMARC record, the rules for missing
 * and invalid p/sp/np with and without rua, duplicate and unknown tags,
 * every tag's values and defaults, the RFC 7489 tags, report URIs with
 * the obsolete size suffix, the canonical text form and its round trip,
 * API misuse and allocation failures. Internal test (dmarc-int.h,
 * mox__fail_at).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc-int.h"

static mox_dmarc_record *
parse_ok(const char *s)
{
	mox_dmarc_record *r = NULL;
	const char *err = NULL;
	int rc = mox_dmarc_record_parse(&r, (const uint8_t *)s, strlen(s),
	    &err);

	if (rc != MOX_OK)
		print_error("parse [%s]: %d %s\n", s, rc, err ? err : "");
	assert_int_equal(rc, MOX_OK);
	assert_non_null(r);
	assert_null(err);
	return r;
}

static int
parse_rc(const char *s)
{
	mox_dmarc_record *r = NULL;
	const char *err = NULL;
	int rc = mox_dmarc_record_parse(&r, (const uint8_t *)s, strlen(s),
	    &err);

	if (rc == MOX_OK) {
		assert_non_null(r);
		mox_dmarc_record_free(r);
	} else {
		assert_null(r);
		assert_non_null(err);
	}
	return rc;
}

static char *
fmt(const mox_dmarc_record *r)
{
	size_t n = mox_dmarc_record_format(NULL, 0, r);
	char *b = malloc(n + 1);

	assert_non_null(b);
	assert_int_equal(mox_dmarc_record_format(b, n + 1, r), n);
	assert_int_equal(strlen(b), n);
	return b;
}

/* Parse, format, compare with want, and check the round trip. */
static void
canon(const char *in, const char *want)
{
	mox_dmarc_record *r = parse_ok(in), *r2;
	char *a = fmt(r), *b;

	if (strcmp(a, want) != 0)
		print_error("format [%s]:\n got [%s]\nwant [%s]\n", in, a,
		    want);
	assert_string_equal(a, want);
	r2 = parse_ok(a);
	b = fmt(r2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	mox_dmarc_record_free(r);
	mox_dmarc_record_free(r2);
}

/* RFC 9989 Appendix B.2: the Domain Owner examples. */
static void
test_rfc9989_examples(void **state)
{
	mox_dmarc_record *r;
	const mox_dmarc_record_info *in;

	(void)state;
	/* B.2.1 (the zone file's two strings joined). */
	r = parse_ok("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->p, MOX_DMARC_P_NONE);
	assert_int_equal(in->policy_effective, MOX_DMARC_P_NONE);
	assert_int_equal(in->sp, MOX_DMARC_P_UNSET);
	assert_int_equal(in->np, MOX_DMARC_P_UNSET);
	assert_int_equal(in->psd, MOX_DMARC_PSD_UNSET);
	assert_false(in->testing);
	assert_int_equal(in->adkim, MOX_DMARC_RELAXED);
	assert_int_equal(in->aspf, MOX_DMARC_RELAXED);
	assert_string_equal(in->fo, "0");
	assert_int_equal(in->nrua, 1);
	assert_string_equal(in->rua[0], "mailto:dmarc-feedback@example.com");
	assert_int_equal(in->nruf, 0);
	assert_int_equal(in->pct, 100);
	assert_false(in->has_pct);
	assert_string_equal(in->rf, "afrf");
	assert_int_equal(in->ri, 86400);
	assert_false(in->has_ri);
	assert_false(in->policy_fallback);
	mox_dmarc_record_free(r);

	/* B.2.2 */
	r = parse_ok("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
	    "ruf=mailto:auth-reports@example.com");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->nruf, 1);
	assert_string_equal(in->ruf[0], "mailto:auth-reports@example.com");
	mox_dmarc_record_free(r);

	/* B.2.3, and the report consumer's authorizing record. */
	r = parse_ok("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
	    "ruf=mailto:auth-reports@thirdparty.example.net");
	mox_dmarc_record_free(r);
	r = parse_ok("v=DMARC1;");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->p, MOX_DMARC_P_UNSET);
	assert_int_equal(in->policy_effective, MOX_DMARC_P_NONE);
	mox_dmarc_record_free(r);

	/* B.2.4 */
	r = parse_ok("v=DMARC1; "
	    "rua=mailto:aggregate-reports@thirdparty.example.net; "
	    "ruf=mailto:failure-reports@thirdparty.example.net");
	mox_dmarc_record_free(r);

	/* B.2.5: subdomain, testing, two aggregate URIs. */
	r = parse_ok("v=DMARC1; p=quarantine; "
	    "rua=mailto:dmarc-feedback@example.com,"
	    "mailto:tld-test@thirdparty.example.net; t=y");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->p, MOX_DMARC_P_QUARANTINE);
	assert_true(in->testing);
	assert_int_equal(in->nrua, 2);
	assert_string_equal(in->rua[1],
	    "mailto:tld-test@thirdparty.example.net");
	mox_dmarc_record_free(r);
	r = parse_ok("v=DMARC1; p=reject; "
	    "rua=mailto:dmarc-feedback@example.com,"
	    "mailto:tld-test@thirdparty.example.net");
	assert_int_equal(mox_dmarc_record_view(r)->p, MOX_DMARC_P_REJECT);
	mox_dmarc_record_free(r);

	/* B.3.1 */
	r = parse_ok("v=DMARC1; p=reject; aspf=r;\n"
	    " rua=mailto:dmarc-feedback@example.com");
	/* The line break makes "\n rua=..." a part whose name is not
	 * 1*ALPHA after the WSP trim: ignored. */
	mox_dmarc_record_free(r);
	r = parse_ok("v=DMARC1; p=reject; aspf=r; "
	    "rua=mailto:dmarc-feedback@example.com");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->aspf, MOX_DMARC_RELAXED);
	assert_int_equal(in->nrua, 1);
	mox_dmarc_record_free(r);

	/* A PSD record (5.2). */
	r = parse_ok("v=DMARC1; p=reject; psd=y; np=reject");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->psd, MOX_DMARC_PSD_Y);
	assert_int_equal(in->np, MOX_DMARC_P_REJECT);
	mox_dmarc_record_free(r);
}

static void
test_not_a_record(void **state)
{
	static const char *const no[] = {
		"", "v", "v=", "v=DMARC", "v=DMARC2; p=none",
		"v=dmarc1; p=none",          /* the value is case-sensitive */
		" v=DMARC1; p=none",         /* v must be first */
		"p=none; v=DMARC1",
		"v=DMARC1x; p=none",
		"v=DMARC1 p=none",           /* no separator */
		"v=DMARC1,p=none",
		"x=DMARC1; p=none",
		"v=spf1 -all",
		"vv=DMARC1",
		"\xef\xbb\xbfv=DMARC1; p=none",
	};
	static const char *const yes[] = {
		"v=DMARC1", "v=DMARC1;", "V=DMARC1; p=none",
		"v = DMARC1 ; p = reject", "v\t=\tDMARC1\t;p=none",
		"v=DMARC1 ", "v=DMARC1;;;",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (parse_rc(no[i]) != MOX_ENOTFOUND)
			print_error("[%s] is a record?\n", no[i]);
		assert_int_equal(parse_rc(no[i]), MOX_ENOTFOUND);
		assert_false(dmarc__is_record((const uint8_t *)no[i],
		    strlen(no[i])));
	}
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (parse_rc(yes[i]) != MOX_OK)
			print_error("[%s] is no record?\n", yes[i]);
		assert_int_equal(parse_rc(yes[i]), MOX_OK);
		assert_true(dmarc__is_record((const uint8_t *)yes[i],
		    strlen(yes[i])));
	}
	/* A NUL byte inside: the v tag is fine, the rest is a value with a
	 * control character (invalid p) and no rua: not usable. */
	{
		static const uint8_t nul[] = "v=DMARC1; p=re\0ject";
		mox_dmarc_record *r = NULL;

		assert_int_equal(mox_dmarc_record_parse(&r, nul,
		    sizeof(nul) - 1, NULL), MOX_ESYNTAX);
		assert_null(r);
	}
}

/* RFC 9989 4.7 (p absent means p=none) and 4.10.1 (invalid p/sp/np). */
static void
test_policy_rules(void **state)
{
	mox_dmarc_record *r;
	const mox_dmarc_record_info *in;
	struct dmarc_policy pol;
	mox__arena a = MOX__ARENA_INIT;
	struct mox_dmarc_record *ir;

	(void)state;
	/* p absent, no rua: RFC 9989 p=none; RFC 7489 not usable. */
	r = parse_ok("v=DMARC1; sp=reject");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->p, MOX_DMARC_P_UNSET);
	assert_int_equal(in->policy_effective, MOX_DMARC_P_NONE);
	assert_int_equal(in->sp, MOX_DMARC_P_REJECT);
	assert_false(in->policy_fallback);
	dmarc__record_policy(r, true, &pol);
	assert_false(pol.usable);
	dmarc__record_policy(r, false, &pol);
	assert_true(pol.usable);
	assert_int_equal(pol.p, MOX_DMARC_P_NONE);
	assert_int_equal(pol.sp, MOX_DMARC_P_REJECT);
	mox_dmarc_record_free(r);

	/* p absent with rua: both none (RFC 7489 6.6.3 step 6). */
	r = parse_ok("v=DMARC1; rua=mailto:a@example.com");
	dmarc__record_policy(r, true, &pol);
	assert_true(pol.usable);
	assert_true(pol.fallback);
	assert_int_equal(pol.p, MOX_DMARC_P_NONE);
	mox_dmarc_record_free(r);

	/* Invalid p without a valid rua: not usable in either mode. */
	assert_int_equal(parse_rc("v=DMARC1; p=bogus"), MOX_ESYNTAX);
	assert_int_equal(parse_rc("v=DMARC1; p="), MOX_ESYNTAX);
	assert_int_equal(parse_rc("v=DMARC1; p=rej"), MOX_ESYNTAX);
	assert_int_equal(parse_rc("v=DMARC1; p=bogus; rua=bogus"),
	    MOX_ESYNTAX);
	assert_int_equal(parse_rc("v=DMARC1; p=bogus; rua=mailto:"),
	    MOX_ESYNTAX);
	assert_int_equal(parse_rc("v=DMARC1; p=reject; sp=bogus"),
	    MOX_ESYNTAX);
	assert_int_equal(parse_rc("v=DMARC1; p=reject; np=bogus"),
	    MOX_ESYNTAX);

	/* Invalid p with a valid rua: p=none, sp and np not used. */
	r = parse_ok("v=DMARC1; p=bogus; sp=reject; np=reject; "
	    "rua=bad uri,mailto:a@example.com");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->p, MOX_DMARC_P_UNSET);
	assert_int_equal(in->sp, MOX_DMARC_P_REJECT);
	assert_int_equal(in->policy_effective, MOX_DMARC_P_NONE);
	assert_true(in->policy_fallback);
	assert_int_equal(in->nrua, 1);
	dmarc__record_policy(r, false, &pol);
	assert_int_equal(pol.sp, MOX_DMARC_P_UNSET);
	assert_int_equal(pol.np, MOX_DMARC_P_UNSET);
	mox_dmarc_record_free(r);
	canon("v=DMARC1; p=bogus; sp=reject; rua=mailto:a@example.com",
	    "v=DMARC1; p=none; rua=mailto:a@example.com");

	/* An invalid np: RFC 9989 falls back (or is unusable without rua);
	 * RFC 7489 does not know np. */
	assert_int_equal(dmarc__record_parse(&a, &ir,
	    (const uint8_t *)"v=DMARC1; p=reject; np=x", 24), MOX_OK);
	dmarc__record_policy(ir, false, &pol);
	assert_false(pol.usable);
	dmarc__record_policy(ir, true, &pol);
	assert_true(pol.usable);
	assert_int_equal(pol.p, MOX_DMARC_P_REJECT);
	assert_int_equal(pol.np, MOX_DMARC_P_UNSET);
	r = parse_ok("v=DMARC1; p=reject; np=x; rua=mailto:r@example.com");
	assert_int_equal(mox_dmarc_record_view(r)->policy_effective,
	    MOX_DMARC_P_NONE);
	mox_dmarc_record_free(r);

	/* Values are case-insensitive (ABNF strings). */
	r = parse_ok("v=DMARC1; P=REJECT; SP=Quarantine; NP=None; ADKIM=S; "
	    "ASPF=s; T=Y; PSD=N");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->p, MOX_DMARC_P_REJECT);
	assert_int_equal(in->sp, MOX_DMARC_P_QUARANTINE);
	assert_int_equal(in->np, MOX_DMARC_P_NONE);
	assert_int_equal(in->adkim, MOX_DMARC_STRICT);
	assert_int_equal(in->aspf, MOX_DMARC_STRICT);
	assert_true(in->testing);
	assert_int_equal(in->psd, MOX_DMARC_PSD_N);
	mox_dmarc_record_free(r);
	mox__arena_free(&a);
}

static void
test_tags(void **state)
{
	mox_dmarc_record *r;
	const mox_dmarc_record_info *in;

	(void)state;
	/* Unknown tags and malformed parts are ignored (RFC 9989 4.7, 4.8). */
	r = parse_ok("v=DMARC1; foo=bar; p=reject; garbage; =x; 9=1; "
	    "x-y=1; bar=\x80; ; ;");
	assert_int_equal(mox_dmarc_record_view(r)->p, MOX_DMARC_P_REJECT);
	mox_dmarc_record_free(r);
	/* A duplicate known tag: the tag-list is invalid (RFC 6376 3.2). */
	assert_int_equal(parse_rc("v=DMARC1; p=none; p=reject"),
	    MOX_ESYNTAX);
	assert_int_equal(parse_rc("v=DMARC1; p=none; v=DMARC1"),
	    MOX_ESYNTAX);
	assert_int_equal(parse_rc("v=DMARC1; p=none; rua=mailto:a@b.c; "
	    "RUA=mailto:a@b.c"), MOX_ESYNTAX);
	/* Duplicate unknown tags are ignored with them. */
	assert_int_equal(parse_rc("v=DMARC1; p=none; x=1; x=2"), MOX_OK);

	/* Invalid values of other tags: defaults. */
	r = parse_ok("v=DMARC1; p=none; adkim=x; aspf=; t=maybe; psd=q; "
	    "fo=0:1; pct=101; rf=; ri=-1");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->adkim, MOX_DMARC_RELAXED);
	assert_int_equal(in->aspf, MOX_DMARC_RELAXED);
	assert_false(in->testing);
	assert_int_equal(in->psd, MOX_DMARC_PSD_UNSET);
	assert_string_equal(in->fo, "0");
	assert_int_equal(in->pct, 100);
	assert_false(in->has_pct);
	assert_string_equal(in->rf, "afrf");
	assert_int_equal(in->ri, 86400);
	assert_false(in->has_ri);
	mox_dmarc_record_free(r);

	/* fo (RFC 9989 4.8 dmarc-fo). */
	{
		static const char *const good[] = { "0", "1", "d", "s", "0:d",
			"1:d:s", "d:s", "s:d:1", "D:S" };
		static const char *const bad[] = { "0:1", "2", "d:d", "0:",
			":0", "0 : d", "ds", "" };
		char buf[128];
		size_t i;

		for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
			snprintf(buf, sizeof(buf), "v=DMARC1; p=none; fo=%s",
			    good[i]);
			r = parse_ok(buf);
			assert_string_equal(mox_dmarc_record_view(r)->fo,
			    good[i]);
			mox_dmarc_record_free(r);
		}
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(buf, sizeof(buf), "v=DMARC1; p=none; fo=%s",
			    bad[i]);
			r = parse_ok(buf);
			assert_string_equal(mox_dmarc_record_view(r)->fo, "0");
			mox_dmarc_record_free(r);
		}
	}

	/* RFC 7489 pct, rf, ri. */
	r = parse_ok("v=DMARC1; p=quarantine; pct=0; rf=afrf:iodef; "
	    "ri=3600");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->pct, 0);
	assert_true(in->has_pct);
	assert_string_equal(in->rf, "afrf:iodef");
	assert_int_equal(in->ri, 3600);
	assert_true(in->has_ri);
	mox_dmarc_record_free(r);
	r = parse_ok("v=DMARC1; p=none; pct=050; ri=4294967295");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->pct, 50);
	assert_int_equal(in->ri, 4294967295u);
	mox_dmarc_record_free(r);
	r = parse_ok("v=DMARC1; p=none; pct=1000; ri=4294967296");
	in = mox_dmarc_record_view(r);
	assert_false(in->has_pct);
	assert_false(in->has_ri);
	mox_dmarc_record_free(r);
	r = parse_ok("v=DMARC1; p=none; pct=abc; ri=1h");
	in = mox_dmarc_record_view(r);
	assert_false(in->has_pct);
	assert_false(in->has_ri);
	mox_dmarc_record_free(r);
	/* psd=u is the default. */
	r = parse_ok("v=DMARC1; p=none; psd=u");
	assert_int_equal(mox_dmarc_record_view(r)->psd, MOX_DMARC_PSD_UNSET);
	mox_dmarc_record_free(r);
	/* t=n */
	r = parse_ok("v=DMARC1; p=reject; t=n");
	assert_false(mox_dmarc_record_view(r)->testing);
	mox_dmarc_record_free(r);
}

/* rua/ruf: RFC 3986 URIs, commas between, the obsolete !size. */
static void
test_uris(void **state)
{
	mox_dmarc_record *r;
	const mox_dmarc_record_info *in;

	(void)state;
	r = parse_ok("v=DMARC1; p=none; rua=mailto:a@example.com!10m , "
	    "mailto:b@example.com!500,https://example.com/r?x=1&y=%2C,"
	    "mailto:c@example.com!k,bad uri,:x,1x:y,mailto:,"
	    "mailto:d@example.com!10x,mailto:e@example.com!,"
	    "mailto:f@ex%zzample.com,mailto:g@example.com!10G");
	in = mox_dmarc_record_view(r);
	assert_int_equal(in->nrua, 4);
	assert_string_equal(in->rua[0], "mailto:a@example.com!10m");
	assert_string_equal(in->rua[1], "mailto:b@example.com!500");
	assert_string_equal(in->rua[2], "https://example.com/r?x=1&y=%2C");
	assert_string_equal(in->rua[3], "mailto:g@example.com!10G");
	mox_dmarc_record_free(r);
	/* Only invalid URIs: no rua (and no fallback for a bad p). */
	r = parse_ok("v=DMARC1; p=none; rua=x, y");
	assert_int_equal(mox_dmarc_record_view(r)->nrua, 0);
	mox_dmarc_record_free(r);
	r = parse_ok("v=DMARC1; p=none; ruf=mailto:x@example.com%21");
	assert_int_equal(mox_dmarc_record_view(r)->nruf, 1);
	mox_dmarc_record_free(r);
}

static void
test_format(void **state)
{
	(void)state;
	canon("v=DMARC1", "v=DMARC1; p=none");
	canon("v=DMARC1; p=reject", "v=DMARC1; p=reject");
	canon("V = DMARC1 ; P = Reject ; SP = none ; NP = quarantine",
	    "v=DMARC1; p=reject; sp=none; np=quarantine");
	canon("v=DMARC1; aspf=s; adkim=s; p=quarantine; t=y; psd=y; "
	    "fo=1:d; rua=mailto:a@example.com, mailto:b@example.com!1m; "
	    "ruf=mailto:c@example.com; pct=20; rf=iodef; ri=3600; x=y",
	    "v=DMARC1; p=quarantine; psd=y; t=y; adkim=s; aspf=s; fo=1:d; "
	    "rua=mailto:a@example.com,mailto:b@example.com!1m; "
	    "ruf=mailto:c@example.com; pct=20; rf=iodef; ri=3600");
	canon("v=DMARC1; p=none; adkim=r; aspf=r; t=n; psd=u; fo=0; "
	    "rf=afrf", "v=DMARC1; p=none");
	canon("v=DMARC1; p=none; psd=n", "v=DMARC1; p=none; psd=n");
	canon("v=DMARC1; p=none; pct=100; ri=86400",
	    "v=DMARC1; p=none; pct=100; ri=86400");
	canon("v=DMARC1; p=reject; np=bogus; rua=mailto:x@example.com",
	    "v=DMARC1; p=none; rua=mailto:x@example.com");

	/* snprintf contract. */
	{
		mox_dmarc_record *r = parse_ok("v=DMARC1; p=reject");
		char small[8];

		assert_int_equal(mox_dmarc_record_format(small, sizeof(small),
		    r), 18);
		assert_string_equal(small, "v=DMARC");
		assert_int_equal(mox_dmarc_record_format(NULL, 0, r), 18);
		assert_int_equal(mox_dmarc_record_format(small, 0, NULL), 0);
		mox_dmarc_record_free(r);
	}
}

static void
test_limits_and_misuse(void **state)
{
	mox_dmarc_record *r = (mox_dmarc_record *)1;
	const char *err = "x";
	size_t n = DMARC_RECORD_MAX + 1, i;
	char *big;

	(void)state;
	assert_int_equal(mox_dmarc_record_parse(NULL, (const uint8_t *)"v",
	    1, &err), MOX_EINVAL);
	assert_non_null(err);
	assert_int_equal(mox_dmarc_record_parse(&r, NULL, 1, NULL),
	    MOX_EINVAL);
	assert_null(r);
	assert_int_equal(mox_dmarc_record_parse(&r, NULL, 0, NULL),
	    MOX_ENOTFOUND);
	mox_dmarc_record_free(NULL);
	assert_null(mox_dmarc_record_view(NULL));

	/* A long record: fine up to 65535 octets, then too long. */
	big = malloc(n + 1);
	assert_non_null(big);
	memcpy(big, "v=DMARC1; p=none; rua=mailto:a@example.com", 42);
	for (i = 42; i < n; i++)
		big[i] = i % 50 == 0 ? ';' : 'x';
	assert_int_equal(mox_dmarc_record_parse(&r, (const uint8_t *)big,
	    n - 1, NULL), MOX_OK);
	mox_dmarc_record_free(r);
	assert_int_equal(mox_dmarc_record_parse(&r, (const uint8_t *)big, n,
	    &err), MOX_ESYNTAX);
	assert_string_equal(err, "record too long");
	/* Many URIs. */
	memcpy(big, "v=DMARC1; p=none; rua=", 22);
	for (i = 22; i + 12 < n; i += 12)
		memcpy(big + i, "mailto:a@b,", 11), big[i + 11] = ' ';
	assert_int_equal(mox_dmarc_record_parse(&r, (const uint8_t *)big, i,
	    NULL), MOX_OK);
	assert_true(mox_dmarc_record_view(r)->nrua > 5000);
	mox_dmarc_record_free(r);
	free(big);
}

static void
test_alloc_fail(void **state)
{
	static const char rec[] = "v=DMARC1; p=reject; sp=none; fo=1:d; "
	    "rua=mailto:a@example.com,mailto:b@example.com; "
	    "ruf=mailto:c@example.com; rf=afrf; pct=5";
	unsigned long n;
	mox_dmarc_record *r = NULL;
	int rc = MOX_ENOMEM;

	(void)state;
	for (n = 1; n < 1000; n++) {
		mox__fail_at = n;
		rc = mox_dmarc_record_parse(&r, (const uint8_t *)rec,
		    sizeof(rec) - 1, NULL);
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(r);
	}
	assert_int_equal(rc, MOX_OK);
	assert_true(n > 1);
	assert_int_equal(mox_dmarc_record_view(r)->nrua, 2);
	mox_dmarc_record_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9989_examples),
		cmocka_unit_test(test_not_a_record),
		cmocka_unit_test(test_policy_rules),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_uris),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_limits_and_misuse),
		cmocka_unit_test(test_alloc_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
