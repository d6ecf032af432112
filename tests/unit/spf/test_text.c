/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the text of <mox/spf.h>: verdict names, the
 * Received-SPF field value (RFC 7208 9.1) and the Authentication-Results
 * resinfo (RFC 8601 2.7.2), with quoting, comment escaping, header
 * injection attempts and the snprintf contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <mox/spf.h>

static void
test_verdicts(void **state)
{
	static const char *const names[] = { "none", "neutral", "pass",
		"fail", "softfail", "temperror", "permerror" };
	int i;

	(void)state;
	for (i = 0; i < 7; i++) {
		assert_string_equal(mox_spf_verdict_name(i), names[i]);
		assert_int_equal(mox_spf_verdict_parse(names[i]), i);
	}
	assert_int_equal(MOX_SPF_PERMERROR, 6);
	assert_string_equal(mox_spf_verdict_name(-1), "unknown");
	assert_string_equal(mox_spf_verdict_name(7), "unknown");
	assert_int_equal(mox_spf_verdict_parse("PermError"), MOX_SPF_PERMERROR);
	assert_int_equal(mox_spf_verdict_parse("SOFTFAIL"), MOX_SPF_SOFTFAIL);
	assert_int_equal(mox_spf_verdict_parse("unknown"), MOX_ESYNTAX);
	assert_int_equal(mox_spf_verdict_parse("pass "), MOX_ESYNTAX);
	assert_int_equal(mox_spf_verdict_parse(""), MOX_ESYNTAX);
	assert_int_equal(mox_spf_verdict_parse(NULL), MOX_ESYNTAX);
}

static mox_spf_request
req_make(const char *ip, const char *sender, const char *helo)
{
	mox_spf_request q = MOX_SPF_REQUEST_INIT;

	assert_int_equal(mox_ip_parse(&q.ip, ip, strlen(ip)), MOX_OK);
	q.sender = sender;
	q.helo = helo;
	return q;
}

static void
received(const mox_spf_result *res, const mox_spf_request *q,
    const char *receiver, const char *want)
{
	char buf[1024];
	size_t n;

	n = mox_spf_received(buf, sizeof(buf), res, q, receiver);
	if (strcmp(buf, want) != 0)
		print_error("got  [%s]\nwant [%s]\n", buf, want);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void
authres(const mox_spf_result *res, const mox_spf_request *q,
    const char *want)
{
	char buf[512];
	size_t n;

	n = mox_spf_authres(buf, sizeof(buf), res, q);
	if (strcmp(buf, want) != 0)
		print_error("got  [%s]\nwant [%s]\n", buf, want);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void
test_received(void **state)
{
	mox_spf_request q = req_make("192.0.2.1", "myname@example.com",
	    "foo.example.com");
	mox_spf_result r = MOX_SPF_RESULT_INIT;

	(void)state;
	r.verdict = MOX_SPF_PASS;
	r.checked = "myname@example.com";
	r.domain = "example.com";
	r.mechanism = "ip4:192.0.2.0/24";
	r.mechanism_domain = "example.com";
	received(&r, &q, "mybox.example.org",
	    "pass (mybox.example.org: domain of myname@example.com designates "
	    "192.0.2.1 as permitted sender) receiver=mybox.example.org; "
	    "client-ip=192.0.2.1; envelope-from=\"myname@example.com\"; "
	    "helo=foo.example.com; identity=mailfrom; "
	    "mechanism=\"ip4:192.0.2.0/24\"");
	r.verdict = MOX_SPF_FAIL;
	r.mechanism = "-all";
	received(&r, &q, NULL,
	    "fail (domain of myname@example.com does not designate 192.0.2.1 "
	    "as permitted sender) client-ip=192.0.2.1; "
	    "envelope-from=\"myname@example.com\"; helo=foo.example.com; "
	    "identity=mailfrom; mechanism=-all");
	r.verdict = MOX_SPF_SOFTFAIL;
	r.mechanism = "~all";
	received(&r, &q, "mybox.example.com",
	    "softfail (mybox.example.com: domain of transitioning "
	    "myname@example.com does not designate 192.0.2.1 as permitted "
	    "sender) receiver=mybox.example.com; client-ip=192.0.2.1; "
	    "envelope-from=\"myname@example.com\"; helo=foo.example.com; "
	    "identity=mailfrom; mechanism=~all");
	r.verdict = MOX_SPF_NEUTRAL;
	r.mechanism = NULL;
	received(&r, &q, NULL,
	    "neutral (192.0.2.1 is neither permitted nor denied by domain of "
	    "myname@example.com) client-ip=192.0.2.1; "
	    "envelope-from=\"myname@example.com\"; helo=foo.example.com; "
	    "identity=mailfrom");
	r.verdict = MOX_SPF_NONE;
	r.reason = "no SPF record at example.com";
	received(&r, &q, NULL,
	    "none (domain of myname@example.com does not designate permitted "
	    "sender hosts) client-ip=192.0.2.1; "
	    "envelope-from=\"myname@example.com\"; helo=foo.example.com; "
	    "identity=mailfrom");
	r.verdict = MOX_SPF_PERMERROR;
	r.reason = "more than 10 DNS-querying terms";
	received(&r, &q, NULL,
	    "permerror (permanent error in processing the domain of "
	    "myname@example.com) client-ip=192.0.2.1; "
	    "envelope-from=\"myname@example.com\"; helo=foo.example.com; "
	    "identity=mailfrom; problem=\"more than 10 DNS-querying terms\"");
	r.verdict = MOX_SPF_TEMPERROR;
	r.reason = "DNS timeout for TXT example.com";
	received(&r, &q, NULL,
	    "temperror (temporary error in processing the domain of "
	    "myname@example.com) client-ip=192.0.2.1; "
	    "envelope-from=\"myname@example.com\"; helo=foo.example.com; "
	    "identity=mailfrom; problem=\"DNS timeout for TXT example.com\"");

	/* HELO identity, IPv6 and IPv4-mapped clients. */
	q = req_make("2001:db8::1", NULL, "mail.example.com");
	q.identity = MOX_SPF_HELO;
	r = (mox_spf_result)MOX_SPF_RESULT_INIT;
	r.verdict = MOX_SPF_PASS;
	r.identity = MOX_SPF_HELO;
	r.checked = "postmaster@mail.example.com";
	r.mechanism = "a";
	received(&r, &q, NULL,
	    "pass (domain of postmaster@mail.example.com designates "
	    "2001:db8::1 as permitted sender) client-ip=\"2001:db8::1\"; "
	    "envelope-from=\"\"; helo=mail.example.com; identity=helo; "
	    "mechanism=a");
	q = req_make("::ffff:192.0.2.9", "", "mail.example.com");
	r.identity = MOX_SPF_MAILFROM;
	received(&r, &q, NULL,
	    "pass (domain of postmaster@mail.example.com designates "
	    "192.0.2.9 as permitted sender) client-ip=192.0.2.9; "
	    "envelope-from=\"\"; helo=mail.example.com; identity=mailfrom; "
	    "mechanism=a");
}

static void
test_hostile(void **state)
{
	mox_spf_request q = req_make("192.0.2.1", "a\"b\\c@example.com",
	    "evil\r\nX-Injected: 1");
	mox_spf_result r = MOX_SPF_RESULT_INIT;
	char buf[512];

	(void)state;
	r.verdict = MOX_SPF_FAIL;
	received(&r, &q, "rcv(x)\\y",
	    "fail (rcv\\(x\\)\\\\y: domain of a\"b\\\\c@example.com does not "
	    "designate 192.0.2.1 as permitted sender) "
	    "receiver=\"rcv(x)\\\\y\"; client-ip=192.0.2.1; "
	    "envelope-from=\"a\\\"b\\\\c@example.com\"; "
	    "helo=\"evil??X-Injected: 1\"; identity=mailfrom");
	mox_spf_received(buf, sizeof(buf), &r, &q, "r\nx");
	assert_null(strchr(buf, '\n'));
	assert_null(strchr(buf, '\r'));
	authres(&r, &q, "spf=fail smtp.mailfrom=\"a\\\"b\\\\c@example.com\"");
	/* A reason with parentheses in a comment. */
	r.verdict = MOX_SPF_PERMERROR;
	r.reason = "bad (really)";
	r.checked = "x@example.com";
	authres(&r, &q, "spf=permerror (bad \\(really\\)) "
	    "smtp.mailfrom=x@example.com");
}

static void
test_authres(void **state)
{
	mox_spf_request q = req_make("192.0.2.1", "user@example.com",
	    "mail.example.com");
	mox_spf_result r = MOX_SPF_RESULT_INIT;
	char buf[16];

	(void)state;
	r.verdict = MOX_SPF_PASS;
	r.checked = "user@example.com";
	authres(&r, &q, "spf=pass smtp.mailfrom=user@example.com");
	r.checked = "first.last+tag@example.com";
	authres(&r, &q, "spf=pass smtp.mailfrom=first.last+tag@example.com");
	r.checked = "a b@example.com";
	authres(&r, &q, "spf=pass smtp.mailfrom=\"a b@example.com\"");
	r.checked = "j\xc3\xbcrgen@example.com";
	authres(&r, &q, "spf=pass smtp.mailfrom=\"j\xc3\xbcrgen@example.com\"");
	r.verdict = MOX_SPF_TEMPERROR;
	r.checked = "user@example.com";
	r.reason = "DNS timeout for TXT example.com";
	authres(&r, &q, "spf=temperror (DNS timeout for TXT example.com) "
	    "smtp.mailfrom=user@example.com");
	/* No checked identity in the result: from the request. */
	r = (mox_spf_result)MOX_SPF_RESULT_INIT;
	r.verdict = MOX_SPF_NONE;
	authres(&r, &q, "spf=none smtp.mailfrom=user@example.com");
	q.sender = NULL;
	authres(&r, &q, "spf=none smtp.mailfrom=postmaster@mail.example.com");
	q.identity = MOX_SPF_HELO;
	authres(&r, &q, "spf=none smtp.helo=mail.example.com");
	/* snprintf contract */
	assert_int_equal(mox_spf_authres(buf, sizeof(buf), &r, &q), 35);
	assert_string_equal(buf, "spf=none smtp.h");
	assert_int_equal(mox_spf_authres(NULL, 0, &r, &q), 35);
	assert_int_equal(mox_spf_received(NULL, 0, &r, &q, NULL),
	    strlen("none (domain of postmaster@mail.example.com does not "
	    "designate permitted sender hosts) client-ip=192.0.2.1; "
	    "envelope-from=\"\"; helo=mail.example.com; identity=helo"));
	assert_int_equal(mox_spf_received(buf, sizeof(buf), NULL, &q, NULL),
	    0);
	assert_int_equal(mox_spf_authres(buf, sizeof(buf), &r, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_received),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_authres),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
