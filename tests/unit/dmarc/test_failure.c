/* SPDX-License-Identifier: MIT */
/*
 * test_failure.c -- DMARC failure reports (RFC 9991, ARF of RFC 5965,
 * redaction of RFC 6590): the fo= decision, generating the report email
 * and parsing it back, header-only and redacted reports, a hand-written
 * ARF sample, malformed input, and allocation failures. Internal test
 * (uses mox__fail_at).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mox/dmarc.h>
#include <mox/message.h>

#include "base.h"

static const char orig[] =
    "Received: from mail.example.net by mx.example.org; "
    "Tue, 1 Jul 2025 10:00:00 +0000\r\n"
    "From: \"Alice\" <alice.smith@example.com>\r\n"
    "To: bob@example.org, \"odd name\"@example.org\r\n"
    "Subject: hello\r\n"
    "Message-ID: <abc.123@example.com>\r\n"
    "\r\n"
    "Body line one\n"
    "secret body text\r\n";

static mox_dmarc_failure_mail
base_mail(void)
{
	mox_dmarc_failure_mail m = MOX_DMARC_FAILURE_MAIL_INIT;

	m.from = "DMARC <dmarc-noreply@mx.example.org>";
	m.to = "ruf@example.com";
	m.message_id = "fr-1@mx.example.org";
	m.date = 1751364000;
	m.reported_domain = "example.com";
	m.authentication_results =
	    "mx.example.org; dmarc=fail (p=reject) header.from=example.com";
	m.source_ip = "192.0.2.7";
	m.original_mail_from = "bounce@example.net";
	m.original_rcpt_to = "bob@example.org";
	m.original_envelope_id = "env-1";
	m.arrival_date = 1751364000;
	m.identity_alignment = "none";
	m.delivery_result = "reject";
	m.original = (const uint8_t *)orig;
	m.original_len = sizeof(orig) - 1;
	return m;
}

static void
gen(const mox_dmarc_failure_mail *m, char **out, size_t *len)
{
	int rc = mox_dmarc_failure_message(out, len, m);

	assert_int_equal(rc, MOX_OK);
	assert_non_null(*out);
	assert_int_equal(strlen(*out), *len);
}

static mox_dmarc_failure *
parse(const char *msg, size_t len)
{
	mox_dmarc_failure *f = NULL;
	char err[128];
	int rc = mox_dmarc_failure_parse(&f, (const uint8_t *)msg, len, err,
	    sizeof(err));

	if (rc != MOX_OK)
		fail_msg("parse: %s: %s", mox_status_name(rc), err);
	return f;
}

static bool
has(mox_slice s, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= s.len; i++) {
		if (memcmp(s.ptr + i, needle, n) == 0)
			return true;
	}
	return false;
}

static void
test_fo(void **state)
{
	/* spf_aligned, dkim_aligned, spf_fail, dkim_fail */
	(void)state;
	assert_true(mox_dmarc_failure_wanted(NULL, false, false, true, true));
	assert_true(mox_dmarc_failure_wanted("", false, false, false, false));
	assert_true(mox_dmarc_failure_wanted("0", false, false, false, false));
	assert_false(mox_dmarc_failure_wanted("0", true, false, false, true));
	assert_false(mox_dmarc_failure_wanted("0", false, true, true, false));
	assert_false(mox_dmarc_failure_wanted(NULL, true, true, false, false));
	assert_true(mox_dmarc_failure_wanted("1", true, false, false, false));
	assert_true(mox_dmarc_failure_wanted("1", false, true, false, false));
	assert_false(mox_dmarc_failure_wanted("1", true, true, true, true));
	assert_true(mox_dmarc_failure_wanted("d", true, true, false, true));
	assert_false(mox_dmarc_failure_wanted("d", false, false, true, false));
	assert_true(mox_dmarc_failure_wanted("s", true, true, true, false));
	assert_false(mox_dmarc_failure_wanted("s", false, false, false, true));
	assert_true(mox_dmarc_failure_wanted("d:s", true, true, true, false));
	assert_true(mox_dmarc_failure_wanted(" d : s ", true, true, false,
	    true));
	assert_false(mox_dmarc_failure_wanted("d:s", false, false, false,
	    false));
	assert_true(mox_dmarc_failure_wanted("0:d", false, false, false,
	    false));
	/* Unknown options only: the default fo=0. */
	assert_true(mox_dmarc_failure_wanted("x:yy", false, false, false,
	    false));
	assert_false(mox_dmarc_failure_wanted("x", true, false, false,
	    false));
	/* A known option with unknown ones: only the known count. */
	assert_false(mox_dmarc_failure_wanted("x:s", false, false, false,
	    false));
	assert_false(mox_dmarc_failure_wanted("d:x", false, false, false,
	    false));
	assert_false(mox_dmarc_failure_wanted("s:dd", false, false, false,
	    false));
}

static void
test_roundtrip(void **state)
{
	mox_dmarc_failure_mail m = base_mail();
	const mox_dmarc_failure_info *in;
	mox_dmarc_failure *f;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	m.dkim_domain = "example.com";
	m.dkim_selector = "sel";
	m.spf_dns = "txt : example.net : v=spf1 -all";
	gen(&m, &out, &len);
	assert_non_null(strstr(out, "Content-Type: multipart/report; "
	    "report-type=feedback-report;"));
	assert_non_null(strstr(out, "\r\nContent-Type: message/rfc822\r\n"));
	assert_non_null(strstr(out, "Arrival-Date: Tue, 01 Jul 2025 "
	    "10:00:00 +0000\r\n"));
	assert_non_null(strstr(out, "Subject: DMARC failure report for "
	    "example.com\r\n"));
	assert_non_null(strstr(out, "Body line one\r\nsecret body text"));
	assert_null(strstr(out, "redacted"));
	f = parse(out, len);
	in = mox_dmarc_failure_view(f);
	assert_int_equal(in->version, MOX_DMARC_FAILURE_INFO_VERSION);
	assert_string_equal(in->feedback_type, "auth-failure");
	assert_string_equal(in->user_agent, "mox-dmarc/1");
	assert_string_equal(in->report_version, "1");
	assert_string_equal(in->auth_failure, "dmarc");
	assert_string_equal(in->reported_domain, "example.com");
	assert_string_equal(in->source_ip, "192.0.2.7");
	assert_string_equal(in->original_mail_from, "<bounce@example.net>");
	assert_string_equal(in->original_envelope_id, "env-1");
	assert_string_equal(in->arrival_date,
	    "Tue, 01 Jul 2025 10:00:00 +0000");
	assert_string_equal(in->identity_alignment, "none");
	assert_string_equal(in->delivery_result, "reject");
	assert_string_equal(in->dkim_domain, "example.com");
	assert_string_equal(in->dkim_selector, "sel");
	assert_null(in->dkim_identity);
	assert_string_equal(in->spf_dns, "txt : example.net : v=spf1 -all");
	assert_int_equal(in->nauthentication_results, 1);
	assert_string_equal(in->authentication_results[0],
	    m.authentication_results);
	assert_int_equal(in->noriginal_rcpt_to, 1);
	assert_string_equal(in->original_rcpt_to[0], "<bob@example.org>");
	assert_false(in->headers_only);
	assert_true(has(in->original_headers, "Subject: hello\r\n"));
	assert_true(has(in->original_headers, "alice.smith@example.com"));
	assert_false(has(in->original_headers, "secret body"));
	mox_dmarc_failure_free(f);
	mox_dmarc_report_data_free(out);

	/* Null reverse-path, no optional fields, own text and subject. */
	m = base_mail();
	m.original_mail_from = "";
	m.original_rcpt_to = NULL;
	m.source_ip = NULL;
	m.arrival_date = -1;
	m.text = "Grüße\n";
	m.subject = "FW: hello";
	gen(&m, &out, &len);
	assert_non_null(strstr(out, "Content-Transfer-Encoding: base64"));
	assert_non_null(strstr(out, "Subject: FW: hello\r\n"));
	f = parse(out, len);
	in = mox_dmarc_failure_view(f);
	assert_string_equal(in->original_mail_from, "<>");
	assert_null(in->source_ip);
	assert_null(in->arrival_date);
	assert_int_equal(in->noriginal_rcpt_to, 0);
	assert_null(in->original_rcpt_to[0]);
	mox_dmarc_failure_free(f);
	mox_dmarc_report_data_free(out);
}

static void
test_headers_only(void **state)
{
	mox_dmarc_failure_mail m = base_mail();
	const mox_dmarc_failure_info *in;
	mox_dmarc_failure *f;
	char *out = NULL;
	size_t len = 0;

	(void)state;
	m.headers_only = true;
	gen(&m, &out, &len);
	assert_non_null(strstr(out, "Content-Type: text/rfc822-headers\r\n"));
	assert_null(strstr(out, "secret body"));
	assert_null(strstr(out, "message/rfc822"));
	f = parse(out, len);
	in = mox_dmarc_failure_view(f);
	assert_true(in->headers_only);
	assert_true(has(in->original_headers, "Message-ID: "
	    "<abc.123@example.com>\r\n"));
	assert_true(has(in->original_headers, "Subject: hello"));
	mox_dmarc_failure_free(f);
	mox_dmarc_report_data_free(out);
}

static void
test_redact(void **state)
{
	mox_dmarc_failure_mail m = base_mail();
	const mox_dmarc_failure_info *in;
	mox_dmarc_failure *f;
	char *out = NULL, *out2 = NULL, *tok;
	size_t len = 0, len2 = 0;

	(void)state;
	m.redact = MOX_DMARC_REDACT_TOKEN;
	m.headers_only = true;
	gen(&m, &out, &len);
	assert_null(strstr(out, "alice.smith"));
	assert_null(strstr(out, "bob@"));
	assert_null(strstr(out, "odd name"));
	assert_null(strstr(out, "bounce@"));
	assert_non_null(strstr(out, "\"Alice\" <redacted@example.com>"));
	assert_non_null(strstr(out, "To: redacted@example.org, "
	    "redacted@example.org\r\n"));
	/* Message-ID is not an address field. */
	assert_non_null(strstr(out, "<abc.123@example.com>"));
	f = parse(out, len);
	in = mox_dmarc_failure_view(f);
	assert_string_equal(in->original_mail_from, "<redacted@example.net>");
	assert_string_equal(in->original_rcpt_to[0], "<redacted@example.org>");
	assert_true(has(in->original_headers, "redacted@example.com"));
	mox_dmarc_failure_free(f);
	mox_dmarc_report_data_free(out);

	/* Hash: deterministic, key-dependent, equal local-parts equal. */
	m.redact = MOX_DMARC_REDACT_HASH;
	m.redact_key = "k1";
	gen(&m, &out, &len);
	gen(&m, &out2, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(out, out2, len);
	mox_dmarc_report_data_free(out2);
	assert_null(strstr(out, "alice.smith"));
	assert_null(strstr(out, "redacted"));
	/* bob in To: and in Original-Rcpt-To: give the same token. */
	tok = strstr(out, "Original-Rcpt-To: <");
	assert_non_null(tok);
	{
		char t[17];

		memcpy(t, tok + strlen("Original-Rcpt-To: <"), 16);
		t[16] = '\0';
		assert_int_equal(strspn(t, "0123456789abcdef"), 16);
		assert_non_null(strstr(out, "To: "));
		assert_true(strstr(strstr(out, "text/rfc822-headers"), t) !=
		    NULL);
		m.redact_key = "k2";
		gen(&m, &out2, &len2);
		assert_null(strstr(out2, t));
		mox_dmarc_report_data_free(out2);
	}
	mox_dmarc_report_data_free(out);

	/* Full message: the body is not redacted (documented). */
	m.headers_only = false;
	m.redact = MOX_DMARC_REDACT_TOKEN;
	gen(&m, &out, &len);
	assert_non_null(strstr(out, "secret body text"));
	assert_null(strstr(out, "alice.smith"));
	mox_dmarc_report_data_free(out);
}

/* In the style of RFC 6591 appendix B / RFC 9991, bare LF line ends,
 * quoted-printable report part, a folded Authentication-Results. */
static const char sample[] =
    "From: dmarc-reporter@mail.example.net\n"
    "To: ruf@example.com\n"
    "Subject: FW: Earn money\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=feedback-report;\n"
    "    boundary=\"part1_13d.2e68ed54_boundary\"\n"
    "\n"
    "--part1_13d.2e68ed54_boundary\n"
    "Content-Type: text/plain; charset=\"US-ASCII\"\n"
    "\n"
    "This is an authentication failure report for an email message\n"
    "received from IP 192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.\n"
    "\n"
    "--part1_13d.2e68ed54_boundary\n"
    "Content-Type: message/feedback-report\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Feedback-Type: auth-failure\n"
    "User-Agent: SomeGenerator/1.0\n"
    "Version: 1\n"
    "Original-Mail-From: <somespammer@example.net>\n"
    "Original-Rcpt-To: <user@example.com>\n"
    "Original-Rcpt-To: <other@example.com>\n"
    "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n"
    "Source-IP: 192.0.2.1\n"
    "Reported-Domain: example.net\n"
    "Authentication-Results: mail.example.com;\n"
    "  dmarc=3Dfail header.from=3Dexample.net\n"
    "Authentication-Results: other.example.com; spf=3Dfail\n"
    "Auth-Failure: dmarc\n"
    "Identity-Alignment: dkim, spf\n"
    "Delivery-Result: sp=\n"
    "am\n"
    "\n"
    "--part1_13d.2e68ed54_boundary\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Received: from smtp-out.example.net by mail.example.com\n"
    "From: <somespammer@example.net>\n"
    "Subject: Earn money\n"
    "\n"
    "--part1_13d.2e68ed54_boundary--\n";

static void
test_sample(void **state)
{
	const mox_dmarc_failure_info *in;
	mox_dmarc_failure *f;

	(void)state;
	f = parse(sample, sizeof(sample) - 1);
	in = mox_dmarc_failure_view(f);
	assert_string_equal(in->feedback_type, "auth-failure");
	assert_string_equal(in->user_agent, "SomeGenerator/1.0");
	assert_string_equal(in->auth_failure, "dmarc");
	assert_string_equal(in->reported_domain, "example.net");
	assert_string_equal(in->source_ip, "192.0.2.1");
	assert_string_equal(in->original_mail_from,
	    "<somespammer@example.net>");
	assert_string_equal(in->arrival_date, "Thu, 8 Mar 2005 14:00:00 EDT");
	assert_string_equal(in->identity_alignment, "dkim, spf");
	/* quoted-printable soft line break, then the folded value. */
	assert_string_equal(in->delivery_result, "spam");
	assert_int_equal(in->nauthentication_results, 2);
	assert_string_equal(in->authentication_results[0],
	    "mail.example.com;  dmarc=fail header.from=example.net");
	assert_string_equal(in->authentication_results[1],
	    "other.example.com; spf=fail");
	assert_int_equal(in->noriginal_rcpt_to, 2);
	assert_string_equal(in->original_rcpt_to[1], "<other@example.com>");
	assert_true(in->headers_only);
	assert_true(has(in->original_headers, "Subject: Earn money\n"));
	mox_dmarc_failure_free(f);
}

static int
parse_rc(const char *s)
{
	mox_dmarc_failure *f = NULL;
	char err[128];
	int rc = mox_dmarc_failure_parse(&f, (const uint8_t *)s, strlen(s),
	    err, sizeof(err));

	if (rc == MOX_OK)
		mox_dmarc_failure_free(f);
	else {
		assert_null(f);
		assert_true(err[0] != '\0');
	}
	return rc;
}

static void
test_malformed(void **state)
{
	mox_dmarc_failure_mail m;
	mox_dmarc_failure *f = (mox_dmarc_failure *)1;
	char *out = (char *)1;
	size_t len = 5;

	(void)state;
	assert_int_equal(parse_rc(""), MOX_ENOTFOUND);
	assert_int_equal(parse_rc("Subject: x\r\n\r\nhello\r\n"),
	    MOX_ENOTFOUND);
	/* The message itself as the report part. */
	assert_int_equal(parse_rc("Content-Type: message/feedback-report\r\n"
	    "\r\nFeedback-Type: abuse\r\nVersion: 1\r\n"), MOX_OK);
	assert_int_equal(parse_rc("Content-Type: message/feedback-report\r\n"
	    "\r\nVersion: 1\r\n"), MOX_ESYNTAX);
	assert_int_equal(parse_rc("Content-Type: message/feedback-report\r\n"
	    "\r\nFeedback-Type: auth-failure\r\nthis is no field\r\n"),
	    MOX_ESYNTAX);
	assert_int_equal(parse_rc("Content-Type: message/feedback-report\r\n"
	    "\r\nFeedback-Type:\r\n"), MOX_ESYNTAX);
	assert_int_equal(mox_dmarc_failure_parse(&f, NULL, 3, NULL, 0),
	    MOX_EINVAL);
	assert_null(f);
	assert_int_equal(mox_dmarc_failure_parse(NULL, (const uint8_t *)"x",
	    1, NULL, 0), MOX_EINVAL);
	assert_null(mox_dmarc_failure_view(NULL));
	mox_dmarc_failure_free(NULL);

	assert_int_equal(mox_dmarc_failure_message(&out, &len, NULL),
	    MOX_EINVAL);
	assert_null(out);
	assert_int_equal(len, 0);
	m = base_mail();
	m.version = 2;
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EVERSION);
	m = base_mail();
	m.from = "a\r\nBcc: x@example.org";
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EINVAL);
	m = base_mail();
	m.source_ip = "1.2.3.4\n";
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EINVAL);
	m = base_mail();
	m.original_len = 0;
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EINVAL);
	m = base_mail();
	m.reported_domain = NULL;
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EINVAL);
	m = base_mail();
	m.authentication_results = NULL;
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EINVAL);
	m = base_mail();
	m.message_id = "<x@y>";
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EINVAL);
	m = base_mail();
	m.redact = 7;
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EINVAL);
	m = base_mail();
	m.date = -5;
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m),
	    MOX_EINVAL);
	assert_null(out);
	assert_int_equal(mox_dmarc_failure_message(NULL, &len, &m),
	    MOX_EINVAL);

	/* An original without header/body separator or final line end. */
	m = base_mail();
	m.original = (const uint8_t *)"Subject: x";
	m.original_len = 10;
	assert_int_equal(mox_dmarc_failure_message(&out, &len, &m), MOX_OK);
	f = parse(out, len);
	assert_true(has(mox_dmarc_failure_view(f)->original_headers,
	    "Subject: x"));
	mox_dmarc_failure_free(f);
	mox_dmarc_report_data_free(out);
}

/* --- allocation failures --- */

typedef int (*alloc_fn)(void);

static void
alloc_loop(alloc_fn fn)
{
	unsigned long n;
	int rc = MOX_ENOMEM;

	for (n = 1; n < 100000; n++) {
		mox__fail_at = n;
		rc = fn();
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		if (rc != MOX_ENOMEM)
			fail_msg("allocation %lu: %s", n, mox_status_name(rc));
	}
	assert_int_equal(rc, MOX_OK);
	assert_true(n > 1);
}

static int
alloc_gen(void)
{
	mox_dmarc_failure_mail m = base_mail();
	char *out = NULL;
	size_t len;
	int rc;

	m.redact = MOX_DMARC_REDACT_HASH;
	rc = mox_dmarc_failure_message(&out, &len, &m);
	if (rc != MOX_OK)
		assert_null(out);
	mox_dmarc_report_data_free(out);
	return rc;
}

static int
alloc_parse(void)
{
	mox_dmarc_failure *f = NULL;
	int rc = mox_dmarc_failure_parse(&f, (const uint8_t *)sample,
	    sizeof(sample) - 1, NULL, 0);

	if (rc != MOX_OK)
		assert_null(f);
	mox_dmarc_failure_free(f);
	return rc;
}

static char *alloc_msg;
static size_t alloc_len;

static int
alloc_parse_full(void)
{
	mox_dmarc_failure *f = NULL;
	int rc = mox_dmarc_failure_parse(&f, (const uint8_t *)alloc_msg,
	    alloc_len, NULL, 0);

	mox_dmarc_failure_free(f);
	return rc;
}

static void
test_alloc(void **state)
{
	mox_dmarc_failure_mail m = base_mail();

	(void)state;
	alloc_loop(alloc_gen);
	alloc_loop(alloc_parse);
	gen(&m, &alloc_msg, &alloc_len);
	alloc_loop(alloc_parse_full);
	mox_dmarc_report_data_free(alloc_msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fo),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_headers_only),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_alloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
