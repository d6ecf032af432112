/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dmarc_report.c -- DMARC aggregate reports (RFC 9990, RFC 7489
 * appendix C):
 *  - the XML parser, with small limits so every input is bounded in time
 *    and memory (depth 16, 20000 elements, 4 KiB of text per element);
 *  - the round trip: a report that parses is written in both formats;
 *    when the writer accepts it, the output must parse again with the
 *    same records, counts and identifiers;
 *  - the unpackers on the same bytes: gunzip and unzip with a 1 MiB
 *    output limit, and the report email path (MIME tree, decoding,
 *    sniffing) through mox_dmarc_report_from_message().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const mox_dmarc_report_options limits = {
	MOX_DMARC_REPORT_OPTIONS_VERSION, (size_t)1 << 20, 2000, 20000, 16,
	4096
};

static bool
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
roundtrip(const mox_dmarc_report *r, int fmt)
{
	mox_dmarc_report_meta m = *mox_dmarc_report_view(r);
	const mox_dmarc_report_row **rows;
	mox_dmarc_report *r2 = NULL;
	size_t n = mox_dmarc_report_row_count(r), i, len;
	char *xml = NULL;
	int rc;

	rows = malloc((n + 1) * sizeof(*rows));
	if (rows == NULL)
		abort();
	for (i = 0; i < n; i++)
		rows[i] = mox_dmarc_report_get_row(r, i);
	m.format = fmt;
	rc = mox_dmarc_report_xml(&xml, &len, &m, rows, n);
	if (rc != MOX_OK) {
		/* Only values a document cannot carry are refused. */
		if (rc != MOX_EINVAL)
			abort();
		free(rows);
		return;
	}
	if (strlen(xml) != len)
		abort();
	/* The writer's output must be well within the parser's limits. */
	rc = mox_dmarc_report_parse(&r2, (const uint8_t *)xml, len, NULL, 0);
	if (rc != MOX_OK)
		abort();
	if (mox_dmarc_report_view(r2)->format != fmt ||
	    mox_dmarc_report_row_count(r2) != n ||
	    !same(mox_dmarc_report_view(r2)->report_id, m.report_id) ||
	    !same(mox_dmarc_report_view(r2)->org_name, m.org_name) ||
	    !same(mox_dmarc_report_view(r2)->domain, m.domain) ||
	    mox_dmarc_report_view(r2)->begin != m.begin ||
	    mox_dmarc_report_view(r2)->p != m.p)
		abort();
	for (i = 0; i < n; i++) {
		const mox_dmarc_report_row *a = rows[i];
		const mox_dmarc_report_row *b = mox_dmarc_report_get_row(r2, i);

		if (a->count != b->count || a->dkim != b->dkim ||
		    a->spf != b->spf || !same(a->header_from, b->header_from) ||
		    !same(a->envelope_to, b->envelope_to) ||
		    a->ndkim != b->ndkim || a->nreasons != b->nreasons)
			abort();
		if (fmt == MOX_DMARC_REPORT_RFC9990 &&
		    (a->disposition != b->disposition ||
			!same(a->envelope_from, b->envelope_from)))
			abort();
	}
	mox_dmarc_report_free(r2);
	mox_dmarc_report_data_free(xml);
	free(rows);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_dmarc_report *r = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	char err[256];
	int rc;

	rc = mox_dmarc_report_parse_opts(&r, data, size, &limits, err,
	    sizeof(err));
	if (rc == MOX_OK) {
		if (r == NULL || mox_dmarc_report_view(r)->org_name == NULL ||
		    mox_dmarc_report_view(r)->domain == NULL)
			abort();
		roundtrip(r, MOX_DMARC_REPORT_RFC9990);
		roundtrip(r, MOX_DMARC_REPORT_RFC7489);
		mox_dmarc_report_free(r);
	} else if (r != NULL || strlen(err) == 0) {
		abort();
	}

	if (dmarc_report_gunzip(&out, &out_len, data, size, 1 << 20, err,
		sizeof(err)) == MOX_OK) {
		if (out_len > 1 << 20)
			abort();
		mox__free(out);
	}
	if (dmarc_report_unzip(&out, &out_len, data, size, 1 << 20, err,
		sizeof(err)) == MOX_OK) {
		if (out_len > 1 << 20)
			abort();
		mox__free(out);
	}
	rc = mox_dmarc_report_from_message(&r, data, size, &limits, err,
	    sizeof(err));
	if (rc == MOX_OK)
		mox_dmarc_report_free(r);
	else if (r != NULL)
		abort();
	return 0;
}
