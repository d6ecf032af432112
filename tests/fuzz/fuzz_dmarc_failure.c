/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dmarc_failure.c -- DMARC failure reports (RFC 9991, ARF of
 * RFC 5965):
 *  - the parser (MIME tree, message/feedback-report fields, the original's
 *    header section) on the input; every field it returns is read;
 *  - the generator with the input as the reported message, whole and
 *    header-only, redacted: the output must parse back as an auth-failure
 *    report of the given domain;
 *  - the fo= decision with the input as the fo= value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mox/dmarc.h>

#include "base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
touch(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

static void
check(const mox_dmarc_failure *f)
{
	const mox_dmarc_failure_info *in = mox_dmarc_failure_view(f);
	size_t i, n = 0;

	if (in == NULL || in->feedback_type == NULL)
		abort();
	n += touch(in->user_agent) + touch(in->report_version) +
	    touch(in->auth_failure) + touch(in->reported_domain) +
	    touch(in->source_ip) + touch(in->original_mail_from) +
	    touch(in->original_envelope_id) + touch(in->arrival_date) +
	    touch(in->identity_alignment) + touch(in->delivery_result) +
	    touch(in->dkim_domain) + touch(in->dkim_selector) +
	    touch(in->dkim_identity) + touch(in->spf_dns);
	for (i = 0; i < in->nauthentication_results; i++)
		n += touch(in->authentication_results[i]);
	if (in->authentication_results[i] != NULL)
		abort();
	for (i = 0; i < in->noriginal_rcpt_to; i++)
		n += touch(in->original_rcpt_to[i]);
	if (in->original_rcpt_to[i] != NULL)
		abort();
	for (i = 0; i < in->original_headers.len; i++)
		n += in->original_headers.ptr[i];
	(void)n;
}

static void
generate(const uint8_t *data, size_t size, bool headers_only)
{
	mox_dmarc_failure_mail m = MOX_DMARC_FAILURE_MAIL_INIT;
	mox_dmarc_failure *f = NULL;
	const mox_dmarc_failure_info *in;
	char *out = NULL;
	size_t len = 0;
	int rc;

	m.from = "dmarc@mx.example.org";
	m.to = "ruf@example.com";
	m.message_id = "fuzz@mx.example.org";
	m.date = 1751364000;
	m.reported_domain = "example.com";
	m.authentication_results = "mx.example.org; dmarc=fail";
	m.original_mail_from = "a@example.net";
	m.original = data;
	m.original_len = size;
	m.headers_only = headers_only;
	m.redact = headers_only ? MOX_DMARC_REDACT_HASH :
	    MOX_DMARC_REDACT_TOKEN;
	rc = mox_dmarc_failure_message(&out, &len, &m);
	if (rc != MOX_OK) {
		if (out != NULL || (rc != MOX_EINVAL && rc != MOX_ELIMIT &&
		    rc != MOX_ENOMEM))
			abort();
		return;
	}
	rc = mox_dmarc_failure_parse(&f, (const uint8_t *)out, len, NULL, 0);
	if (rc != MOX_OK)
		abort();
	in = mox_dmarc_failure_view(f);
	if (strcmp(in->feedback_type, "auth-failure") != 0 ||
	    in->reported_domain == NULL ||
	    strcmp(in->reported_domain, "example.com") != 0 ||
	    in->auth_failure == NULL ||
	    strcmp(in->auth_failure, "dmarc") != 0 ||
	    in->headers_only != headers_only)
		abort();
	check(f);
	mox_dmarc_failure_free(f);
	mox_dmarc_report_data_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_dmarc_failure *f = NULL;
	char err[128];
	char *fo;

	if (size > (1u << 20))
		return 0;
	if (mox_dmarc_failure_parse(&f, data, size, err, sizeof(err)) ==
	    MOX_OK)
		check(f);
	else if (f != NULL)
		abort();
	mox_dmarc_failure_free(f);

	generate(data, size, false);
	generate(data, size, true);

	fo = mox__strndup((const char *)data, size < 64 ? size : 64);
	if (fo != NULL) {
		(void)mox_dmarc_failure_wanted(fo, false, true, true, false);
		(void)mox_dmarc_failure_wanted(fo, true, false, false, true);
		mox__free(fo);
	}
	return 0;
}
