/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for DMARC aggregate reports (<mox/dmarc.h>, RFC 9990 and RFC
 * 7489 appendix C): parsing reports in the shapes receivers send (files
 * in reports/: Google-like without namespace, Microsoft-like with
 * namespace declarations, Yahoo-like minimal, RFC 9990 with extensions),
 * malformed and hostile XML (billion laughs, deep nesting, limits),
 * generation checked with xmllint against the RFC schemas
 * (reports/dmarc-2.0.xsd, reports/rua-7489.xsd) and parsed back, report
 * emails (subject, filename, gzip, zip, bare XML) and allocation
 * failures. Internal test (uses mox__fail_at and report-int.h).
 *
 * The data directory is found next to this file (__FILE__), or given
 * with -DREPORT_DATA_DIR="...".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include <mox/dmarc.h>
#include <mox/message.h>

#include "report-int.h"

#define U(s) ((const uint8_t *)(s))

/* --- helpers --- */

static char data_dir[4096];

static const char *
dir(void)
{
	const char *slash;

	if (data_dir[0] != '\0')
		return data_dir;
#ifdef REPORT_DATA_DIR
	snprintf(data_dir, sizeof(data_dir), "%s", REPORT_DATA_DIR);
#else
	slash = strrchr(__FILE__, '/');
	if (slash == NULL)
		snprintf(data_dir, sizeof(data_dir), "reports");
	else
		snprintf(data_dir, sizeof(data_dir), "%.*s/reports",
		    (int)(slash - __FILE__), __FILE__);
#endif
	(void)slash;
	return data_dir;
}

static uint8_t *
load(const char *name, size_t *len)
{
	char path[4200];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir(), name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static mox_dmarc_report *
parse_ok_opts(const uint8_t *p, size_t len, const mox_dmarc_report_options *o)
{
	mox_dmarc_report *r = NULL;
	char err[256];
	int rc;

	rc = mox_dmarc_report_parse_opts(&r, p, len, o, err, sizeof(err));
	if (rc != MOX_OK)
		fail_msg("parse: %s: %s", mox_status_name(rc), err);
	assert_non_null(r);
	return r;
}

static mox_dmarc_report *
parse_ok(const uint8_t *p, size_t len)
{
	return parse_ok_opts(p, len, NULL);
}

static mox_dmarc_report *
parse_file(const char *name)
{
	size_t len;
	uint8_t *p = load(name, &len);
	mox_dmarc_report *r = parse_ok(p, len);

	free(p);
	return r;
}

/* A parse that fails with want and an error text containing each of
 * the given fragments (NULL-terminated list). */
static void
parse_err_opts(const char *doc, size_t len, const mox_dmarc_report_options *o,
    int want, ...)
{
	mox_dmarc_report *r = (mox_dmarc_report *)1;
	char err[256] = "unchanged";
	const char *frag;
	va_list ap;
	int rc;

	rc = mox_dmarc_report_parse_opts(&r, U(doc), len, o, err, sizeof(err));
	if (rc != want)
		fail_msg("parse: %s (%s), want %s", mox_status_name(rc), err,
		    mox_status_name(want));
	assert_null(r);
	va_start(ap, want);
	while ((frag = va_arg(ap, const char *)) != NULL) {
		if (strstr(err, frag) == NULL)
			fail_msg("error [%s] lacks [%s]", err, frag);
	}
	va_end(ap);
}

#define parse_err(doc, want, ...)                                            \
	parse_err_opts((doc), strlen(doc), NULL, (want), __VA_ARGS__, NULL)

static void
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		if (a != b)
			fail_msg("[%s] != [%s]", a ? a : "(null)",
			    b ? b : "(null)");
		return;
	}
	assert_string_equal(a, b);
}

static void
row_eq(const mox_dmarc_report_row *a, const mox_dmarc_report_row *b)
{
	size_t i;

	str_eq(a->source_ip, b->source_ip);
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->disposition, b->disposition);
	assert_int_equal(a->dkim, b->dkim);
	assert_int_equal(a->spf, b->spf);
	assert_int_equal(a->nreasons, b->nreasons);
	for (i = 0; i < a->nreasons; i++) {
		assert_int_equal(a->reasons[i].type, b->reasons[i].type);
		str_eq(a->reasons[i].comment, b->reasons[i].comment);
	}
	str_eq(a->header_from, b->header_from);
	str_eq(a->envelope_from, b->envelope_from);
	str_eq(a->envelope_to, b->envelope_to);
	assert_int_equal(a->ndkim, b->ndkim);
	for (i = 0; i < a->ndkim; i++) {
		str_eq(a->dkim_results[i].domain, b->dkim_results[i].domain);
		str_eq(a->dkim_results[i].selector,
		    b->dkim_results[i].selector);
		assert_int_equal(a->dkim_results[i].result,
		    b->dkim_results[i].result);
		str_eq(a->dkim_results[i].human_result,
		    b->dkim_results[i].human_result);
	}
	assert_int_equal(a->nspf, b->nspf);
	for (i = 0; i < a->nspf; i++) {
		str_eq(a->spf_results[i].domain, b->spf_results[i].domain);
		assert_int_equal(a->spf_results[i].scope,
		    b->spf_results[i].scope);
		assert_int_equal(a->spf_results[i].result,
		    b->spf_results[i].result);
		str_eq(a->spf_results[i].human_result,
		    b->spf_results[i].human_result);
	}
}

/* Validate a document with xmllint against a schema in reports/: the
 * exit status (0 valid), or -1 when xmllint is not installed. */
static int
xmllint_rc(const char *xml, size_t len, const char *xsd, bool quiet)
{
	char path[] = "/tmp/mox-dmarc-report-XXXXXX";
	char cmd[9000], errpath[64], line[512];
	FILE *f;
	int fd, rc;

	if (system("xmllint --version >/dev/null 2>&1") != 0) {
		print_message("xmllint not found: schema check skipped\n");
		return -1;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, xml, len), (ssize_t)len);
	close(fd);
	snprintf(errpath, sizeof(errpath), "%s.err", path);
	snprintf(cmd, sizeof(cmd),
	    "xmllint --noout --nonet --schema '%s/%s' '%s' 2>'%s'", dir(),
	    xsd, path, errpath);
	rc = system(cmd);
	if (rc != 0 && !quiet) {
		f = fopen(errpath, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			print_error("%s", line);
		if (f != NULL)
			fclose(f);
		print_error("document:\n%.*s\n", (int)len, xml);
	}
	unlink(path);
	unlink(errpath);
	return rc;
}

static void
xmllint(const char *xml, size_t len, const char *xsd)
{
	int rc = xmllint_rc(xml, len, xsd, false);

	assert_true(rc == 0 || rc == -1);
}

/* The schemas and the validation itself: the RFC 9990 sample is valid;
 * the receivers' RFC 7489 reports are not (no <version>, compressed
 * IPv6), which shows the check is real. */
static void
test_schemas(void **state)
{
	static const struct {
		const char *file, *xsd;
		bool valid;
	} cases[] = {
		{ "rfc9990.xml", "dmarc-2.0.xsd", true },
		{ "google.xml", "rua-7489.xsd", false },
		{ "microsoft.xml", "rua-7489.xsd", false },
		{ "yahoo.xml", "rua-7489.xsd", false },
		{ "google.xml", "dmarc-2.0.xsd", false },
	};
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *p = load(cases[i].file, &len);
		int rc = xmllint_rc((const char *)p, len, cases[i].xsd, true);

		if (rc != -1 && (rc == 0) != cases[i].valid)
			fail_msg("%s against %s: %d", cases[i].file,
			    cases[i].xsd, rc);
		free(p);
	}
}

/* --- parsing the receivers' shapes --- */

static void
test_google(void **state)
{
	mox_dmarc_report *r = parse_file("google.xml");
	const mox_dmarc_report_meta *m = mox_dmarc_report_view(r);
	const mox_dmarc_report_row *row;

	(void)state;
	assert_int_equal(m->format, MOX_DMARC_REPORT_RFC7489);
	assert_string_equal(m->xmlns, "");
	assert_null(m->report_version);
	assert_string_equal(m->org_name, "google.com");
	assert_string_equal(m->email, "noreply-dmarc-support@google.com");
	assert_string_equal(m->extra_contact_info,
	    "https://support.google.com/a/answer/2466580");
	assert_string_equal(m->report_id, "15079428613409375142");
	assert_int_equal(m->begin, 1700006400);
	assert_int_equal(m->end, 1700092799);
	assert_int_equal(m->nerrors, 0);
	assert_null(m->generator);
	assert_string_equal(m->domain, "example.com");
	assert_int_equal(m->adkim, MOX_DMARC_RELAXED);
	assert_int_equal(m->aspf, MOX_DMARC_RELAXED);
	assert_int_equal(m->p, MOX_DMARC_P_NONE);
	assert_int_equal(m->sp, MOX_DMARC_P_NONE);
	assert_int_equal(m->np, MOX_DMARC_P_NONE);
	assert_int_equal(m->pct, 100);
	assert_null(m->fo);
	assert_int_equal(m->testing, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(m->discovery_method, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(m->psd, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(mox_dmarc_report_row_count(r), 2);

	row = mox_dmarc_report_get_row(r, 0);
	assert_int_equal(row->version, MOX_DMARC_REPORT_ROW_VERSION);
	assert_string_equal(row->source_ip, "198.51.100.23");
	assert_int_equal(row->count, 12);
	assert_int_equal(row->disposition, MOX_DMARC_DISPOSITION_NONE);
	assert_int_equal(row->dkim, MOX_DMARC_PASS);
	assert_int_equal(row->spf, MOX_DMARC_PASS);
	assert_int_equal(row->nreasons, 0);
	assert_string_equal(row->header_from, "example.com");
	assert_null(row->envelope_from);
	assert_null(row->envelope_to);
	assert_int_equal(row->ndkim, 1);
	assert_string_equal(row->dkim_results[0].domain, "example.com");
	assert_string_equal(row->dkim_results[0].selector, "mail2023");
	assert_int_equal(row->dkim_results[0].result, MOX_DMARC_DKIM_PASS);
	assert_null(row->dkim_results[0].human_result);
	assert_int_equal(row->nspf, 1);
	assert_string_equal(row->spf_results[0].domain, "example.com");
	assert_int_equal(row->spf_results[0].scope, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(row->spf_results[0].result, MOX_DMARC_SPF_PASS);

	row = mox_dmarc_report_get_row(r, 1);
	assert_string_equal(row->source_ip, "2001:db8:4860::1a");
	assert_int_equal(row->dkim, MOX_DMARC_FAIL);
	assert_string_equal(row->header_from, "news.example.com");
	assert_int_equal(row->spf_results[0].result, MOX_DMARC_SPF_SOFTFAIL);
	assert_null(mox_dmarc_report_get_row(r, 2));
	mox_dmarc_report_free(r);
}

static void
test_microsoft(void **state)
{
	mox_dmarc_report *r = parse_file("microsoft.xml");
	const mox_dmarc_report_meta *m = mox_dmarc_report_view(r);
	const mox_dmarc_report_row *row;

	(void)state;
	assert_int_equal(m->format, MOX_DMARC_REPORT_RFC7489);
	assert_string_equal(m->report_version, "1.0");
	assert_string_equal(m->org_name, "Enterprise Outlook");
	assert_null(m->extra_contact_info);
	assert_int_equal(m->adkim, MOX_DMARC_STRICT);
	assert_int_equal(m->p, MOX_DMARC_P_QUARANTINE);
	assert_int_equal(m->sp, MOX_DMARC_P_REJECT);
	assert_int_equal(m->np, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(m->pct, 50);
	assert_string_equal(m->fo, "1");
	assert_int_equal(mox_dmarc_report_row_count(r), 2);

	row = mox_dmarc_report_get_row(r, 0);
	assert_string_equal(row->source_ip, "2001:db8:f400:7e1a::200");
	assert_int_equal(row->count, 3);
	assert_string_equal(row->envelope_to, "outlook.example");
	assert_string_equal(row->envelope_from, "bounces.example.com");
	assert_int_equal(row->ndkim, 2);
	assert_string_equal(row->dkim_results[1].domain, "esp.example.net");
	assert_int_equal(row->dkim_results[1].result, MOX_DMARC_DKIM_FAIL);
	assert_int_equal(row->spf_results[0].scope, MOX_DMARC_SPF_SCOPE_MFROM);

	row = mox_dmarc_report_get_row(r, 1);
	assert_int_equal(row->disposition, MOX_DMARC_DISPOSITION_QUARANTINE);
	assert_int_equal(row->nreasons, 2);
	assert_int_equal(row->reasons[0].type, MOX_DMARC_OVERRIDE_SAMPLED_OUT);
	assert_null(row->reasons[0].comment);
	assert_int_equal(row->reasons[1].type, MOX_DMARC_OVERRIDE_LOCAL_POLICY);
	assert_string_equal(row->reasons[1].comment,
	    "arrived through a forwarder we trust");
	/* A null reverse-path: present but empty. */
	assert_string_equal(row->envelope_from, "");
	assert_int_equal(row->ndkim, 0);
	assert_null(row->dkim_results);
	assert_int_equal(row->spf_results[0].scope, MOX_DMARC_SPF_SCOPE_HELO);
	mox_dmarc_report_free(r);
}

static void
test_yahoo(void **state)
{
	mox_dmarc_report *r = parse_file("yahoo.xml");
	const mox_dmarc_report_meta *m = mox_dmarc_report_view(r);
	const mox_dmarc_report_row *row;

	(void)state;
	assert_string_equal(m->org_name, "Yahoo");
	assert_int_equal(m->p, MOX_DMARC_P_REJECT);
	assert_int_equal(m->sp, MOX_DMARC_REPORT_ABSENT);
	assert_null(m->fo);
	row = mox_dmarc_report_get_row(r, 0);
	assert_int_equal(row->disposition, MOX_DMARC_DISPOSITION_REJECT);
	assert_int_equal(row->ndkim, 0);
	assert_int_equal(row->nspf, 1);
	assert_string_equal(row->spf_results[0].domain, "spoof.example");
	mox_dmarc_report_free(r);
}

static void
test_rfc9990(void **state)
{
	mox_dmarc_report *r = parse_file("rfc9990.xml");
	const mox_dmarc_report_meta *m = mox_dmarc_report_view(r);
	const mox_dmarc_report_row *row;

	(void)state;
	assert_int_equal(m->format, MOX_DMARC_REPORT_RFC9990);
	assert_string_equal(m->xmlns, "urn:ietf:params:xml:ns:dmarc-2.0");
	assert_string_equal(m->report_version, "1.0");
	assert_string_equal(m->extra_contact_info,
	    "https://receiver.example/dmarc");
	assert_int_equal(m->nerrors, 1);
	assert_string_equal(m->errors[0],
	    "multiple DMARC records at _dmarc.old.example.com");
	assert_string_equal(m->generator, "Example Reporter 2.1");
	assert_int_equal(m->discovery_method, MOX_DMARC_DISCOVERY_TREEWALK);
	assert_int_equal(m->p, MOX_DMARC_P_REJECT);
	assert_int_equal(m->sp, MOX_DMARC_P_QUARANTINE);
	assert_int_equal(m->np, MOX_DMARC_P_REJECT);
	assert_string_equal(m->fo, "1:d");
	assert_int_equal(m->adkim, MOX_DMARC_STRICT);
	assert_int_equal(m->testing, 1);
	assert_int_equal(m->pct, MOX_DMARC_REPORT_ABSENT);
	/* The extension records (ext:record) are not records. */
	assert_int_equal(mox_dmarc_report_row_count(r), 2);
	row = mox_dmarc_report_get_row(r, 0);
	assert_int_equal(row->disposition, MOX_DMARC_DISPOSITION_PASS);
	assert_string_equal(row->envelope_from, "");
	assert_string_equal(row->envelope_to, "receiver.example");
	assert_string_equal(row->spf_results[0].human_result, "no SPF record");
	row = mox_dmarc_report_get_row(r, 1);
	assert_int_equal(row->reasons[0].type,
	    MOX_DMARC_OVERRIDE_POLICY_TEST_MODE);
	assert_string_equal(row->reasons[0].comment, "t=y");
	assert_int_equal(row->dkim_results[0].result, MOX_DMARC_DKIM_PERMERROR);
	assert_string_equal(row->dkim_results[0].human_result, "key too short");
	assert_int_equal(row->spf_results[0].result, MOX_DMARC_REPORT_SPF_POLICY);
	mox_dmarc_report_free(r);
}

/* A prefix instead of a default namespace, other namespaces ignored,
 * whitespace trimmed, values in any case, aliases, invalid values. */
static void
test_forms(void **state)
{
	static const char doc[] =
	    "<?xml version='1.0'?>\n"
	    "<d:feedback xmlns:d='urn:ietf:params:xml:ns:dmarc-2.0' "
	    "xmlns:x='urn:x'>\n"
	    " <d:report_metadata><d:org_name>\n\t Org &amp; Co \r\n"
	    "</d:org_name><x:org_name>not me</x:org_name>"
	    "<d:report_id> <![CDATA[id<1>]]> </d:report_id>"
	    "<d:date_range><d:begin> 10 </d:begin><d:end>20</d:end>"
	    "</d:date_range><d:error>a</d:error><d:error>b</d:error>"
	    "<d:unknown><d:org_name>nested</d:org_name></d:unknown>"
	    "</d:report_metadata>\n"
	    " <d:policy_published><d:domain>Example.COM</d:domain>"
	    "<d:p>Quarantine</d:p><d:sp>bogus</d:sp><d:np></d:np>"
	    "<d:adkim>S</d:adkim><d:pct>101</d:pct><d:testing>N</d:testing>"
	    "<d:psd>u</d:psd><d:discovery_method>PSL</d:discovery_method>"
	    "</d:policy_published>\n"
	    " <d:record><d:row><d:source_ip>192.0.2.1</d:source_ip>"
	    "<d:count>18446744073709551615</d:count><d:policy_evaluated>"
	    "<d:disposition>REJECT</d:disposition><d:dkim>nope</d:dkim>"
	    "<d:reason><d:comment>no type</d:comment></d:reason>"
	    "</d:policy_evaluated></d:row>"
	    "<d:identifiers><d:header_from>a.example</d:header_from>"
	    "</d:identifiers><d:auth_results>"
	    "<d:spf><d:result>Unknown</d:result></d:spf>"
	    "<d:spf><d:result>ERROR</d:result><d:scope>x</d:scope></d:spf>"
	    "<d:dkim><d:result>pass</d:result></d:dkim>"
	    "</d:auth_results></d:record>\n"
	    "</d:feedback>";
	mox_dmarc_report *r = parse_ok(U(doc), strlen(doc));
	const mox_dmarc_report_meta *m = mox_dmarc_report_view(r);
	const mox_dmarc_report_row *row = mox_dmarc_report_get_row(r, 0);

	(void)state;
	assert_int_equal(m->format, MOX_DMARC_REPORT_RFC9990);
	assert_string_equal(m->org_name, "Org & Co");
	assert_string_equal(m->report_id, "id<1>");
	assert_int_equal(m->begin, 10);
	assert_int_equal(m->nerrors, 2);
	assert_string_equal(m->errors[1], "b");
	assert_null(m->email);
	assert_string_equal(m->domain, "Example.COM");
	assert_int_equal(m->p, MOX_DMARC_P_QUARANTINE);
	assert_int_equal(m->sp, MOX_DMARC_REPORT_INVALID);
	assert_int_equal(m->np, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(m->adkim, MOX_DMARC_STRICT);
	assert_int_equal(m->aspf, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(m->pct, MOX_DMARC_REPORT_INVALID);
	assert_int_equal(m->testing, 0);
	assert_int_equal(m->psd, MOX_DMARC_PSD_UNSET);
	assert_int_equal(m->discovery_method, MOX_DMARC_DISCOVERY_PSL);
	assert_int_equal(row->count, UINT64_MAX);
	assert_int_equal(row->disposition, MOX_DMARC_DISPOSITION_REJECT);
	assert_int_equal(row->dkim, MOX_DMARC_REPORT_INVALID);
	assert_int_equal(row->spf, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(row->nreasons, 1);
	assert_int_equal(row->reasons[0].type, MOX_DMARC_REPORT_ABSENT);
	assert_int_equal(row->nspf, 2);
	assert_string_equal(row->spf_results[0].domain, "");
	assert_int_equal(row->spf_results[0].result, MOX_DMARC_SPF_TEMPERROR);
	assert_int_equal(row->spf_results[1].result, MOX_DMARC_SPF_PERMERROR);
	assert_int_equal(row->spf_results[1].scope, MOX_DMARC_REPORT_INVALID);
	assert_string_equal(row->dkim_results[0].domain, "");
	assert_null(row->dkim_results[0].selector);
	mox_dmarc_report_free(r);
}

/* UTF-16 with a byte order mark, as expat reads it. */
static void
test_utf16(void **state)
{
	size_t len, i;
	uint8_t *p = load("yahoo.xml", &len), *q;
	mox_dmarc_report *r;
	const char *decl = "<?xml version=\"1.0\"?>";

	(void)state;
	/* Drop the declaration (it names no encoding) and widen. */
	assert_memory_equal(p, decl, strlen(decl));
	q = malloc(2 + 2 * len);
	assert_non_null(q);
	q[0] = 0xff;
	q[1] = 0xfe;
	for (i = strlen(decl); i < len; i++) {
		q[2 + 2 * (i - strlen(decl))] = p[i];
		q[3 + 2 * (i - strlen(decl))] = 0;
	}
	r = parse_ok(q, 2 + 2 * (len - strlen(decl)));
	assert_string_equal(mox_dmarc_report_view(r)->org_name, "Yahoo");
	mox_dmarc_report_free(r);
	free(p);
	free(q);
}

/* --- errors --- */

#define META                                                                 \
	"<report_metadata><org_name>o</org_name><report_id>i</report_id>"      \
	"<date_range><begin>1</begin><end>2</end></date_range>"                \
	"</report_metadata><policy_published><domain>d.example</domain>"       \
	"<p>none</p></policy_published>"

static void
test_errors(void **state)
{
	(void)state;
	parse_err("", MOX_ESYNTAX, "line 1, column 1", "no element found");
	parse_err("<feedback>\n<report_metadata>\n</feedback>", MOX_ESYNTAX,
	    "line 3, column 3", "mismatched tag");
	parse_err("<feedback>\n  <report_metadata><org_name>x</org", MOX_ESYNTAX,
	    "line 2", "unclosed token");
	parse_err("<feedback>" META "<record>", MOX_ESYNTAX, "line 1",
	    "no element found");
	parse_err("<html><body/></html>", MOX_ESYNTAX,
	    "line 1, column 1: the root element is <html>, not <feedback>",
	    "");
	parse_err("<feedback><policy_published><domain>d</domain>"
		  "</policy_published></feedback>",
	    MOX_ESYNTAX, "not a DMARC aggregate report: no <report_metadata>");
	parse_err("<feedback><report_metadata><report_id>i</report_id>"
		  "</report_metadata></feedback>",
	    MOX_ESYNTAX, "no <org_name>");
	parse_err("<feedback><report_metadata><org_name>o</org_name>"
		  "<report_id>i</report_id><date_range><begin>1</begin>"
		  "</date_range></report_metadata></feedback>",
	    MOX_ESYNTAX, "no <end> in date_range");
	parse_err("<feedback>" META "</feedback>" "<feedback/>", MOX_ESYNTAX,
	    "junk after document element");
	parse_err("<feedback><report_metadata><date_range>"
		  "<begin>-1</begin></date_range></report_metadata></feedback>",
	    MOX_ESYNTAX, "line 1, column", "<begin> is not a number");
	parse_err("<feedback>" META "<record><row><source_ip>192.0.2.1"
		  "</source_ip><count>1e3</count></row></record></feedback>",
	    MOX_ESYNTAX, "<count> is not a number");
	parse_err("<feedback>" META "<record><row><source_ip>192.0.2.1"
		  "</source_ip><count>18446744073709551616</count></row>"
		  "</record></feedback>",
	    MOX_ESYNTAX, "<count> is not a number");
	parse_err("<feedback>" META "<record><row><count>1</count></row>"
		  "<identifiers><header_from>h</header_from></identifiers>"
		  "</record></feedback>",
	    MOX_ESYNTAX, "record without <source_ip>");
	parse_err("<feedback>" META "<record><row><source_ip>1</source_ip>"
		  "<count>1</count></row></record></feedback>",
	    MOX_ESYNTAX, "record without <header_from>");
	parse_err("<feedback xmlns:a='x'><a:b/></feedback><!-- x",
	    MOX_ESYNTAX, "unclosed token");
	parse_err("<feedback><b:c/></feedback>", MOX_ESYNTAX,
	    "unbound prefix");
	parse_err("<?xml version='1.0' encoding='x-no-such'?><feedback/>",
	    MOX_EUNSUPPORTED, "unknown encoding");
	parse_err("<feedback>&undefined;</feedback>", MOX_ESYNTAX,
	    "undefined entity");
	/* A NUL byte. */
	parse_err_opts("<feedback>\0</feedback>", 22, NULL, MOX_ESYNTAX,
	    "line 1, column 11", NULL);
}

static void
test_bad_args(void **state)
{
	mox_dmarc_report *r = (mox_dmarc_report *)1;
	mox_dmarc_report_options o = MOX_DMARC_REPORT_OPTIONS_INIT;
	char err[64];

	(void)state;
	assert_int_equal(mox_dmarc_report_parse(NULL, U("x"), 1, NULL, 0),
	    MOX_EINVAL);
	assert_int_equal(mox_dmarc_report_parse(&r, NULL, 1, NULL, 0),
	    MOX_EINVAL);
	assert_null(r);
	o.version = 99;
	assert_int_equal(mox_dmarc_report_parse_opts(&r, U("x"), 1, &o, err,
			     sizeof(err)),
	    MOX_EVERSION);
	assert_int_equal(mox_dmarc_report_options_init(&o, 0), MOX_EVERSION);
	assert_int_equal(mox_dmarc_report_options_init(&o, 2), MOX_EVERSION);
	assert_int_equal(mox_dmarc_report_options_init(NULL, 1), MOX_EINVAL);
	assert_int_equal(mox_dmarc_report_options_init(&o, 1), MOX_OK);
	assert_int_equal(o.max_depth, 32);
	assert_int_equal(o.max_size, (size_t)64 << 20);
	mox_dmarc_report_free(NULL);
	assert_null(mox_dmarc_report_view(NULL));
	assert_int_equal(mox_dmarc_report_row_count(NULL), 0);
	assert_null(mox_dmarc_report_get_row(NULL, 0));
	mox_dmarc_report_data_free(NULL);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "Billion laughs" and friends fail at the first declaration, at once. */
static void
test_entities(void **state)
{
	static const char lol[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE feedback [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<feedback><report_metadata><org_name>&lol9;</org_name>"
	    "</report_metadata></feedback>\n";
	mox__buf b = MOX__BUF_INIT;
	double t0;
	int i;

	(void)state;
	t0 = now();
	parse_err(lol, MOX_EUNSUPPORTED,
	    "line 3, column 15: entity declarations are not allowed in "
	    "reports (entity lol)");
	assert_true(now() - t0 < 1.0);
	/* Parameter entities, external entities. */
	parse_err("<!DOCTYPE feedback [<!ENTITY % p SYSTEM "
		  "\"file:///etc/passwd\"> %p;]><feedback/>",
	    MOX_EUNSUPPORTED, "entity declarations are not allowed");
	parse_err("<!DOCTYPE feedback [<!ENTITY x SYSTEM "
		  "\"file:///etc/passwd\">]><feedback>&x;</feedback>",
	    MOX_EUNSUPPORTED, "entity declarations are not allowed");
	/* Quadratic blowup: one large entity used many times. */
	mox__buf_adds(&b, "<!DOCTYPE feedback [<!ENTITY a \"");
	for (i = 0; i < 50000; i++)
		mox__buf_addc(&b, 'a');
	mox__buf_adds(&b, "\">]><feedback><report_metadata><org_name>");
	for (i = 0; i < 50000; i++)
		mox__buf_adds(&b, "&a;");
	mox__buf_adds(&b, "</org_name></report_metadata></feedback>");
	assert_int_equal(b.err, 0);
	t0 = now();
	parse_err_opts(b.p, b.len, NULL, MOX_EUNSUPPORTED,
	    "entity declarations are not allowed", NULL);
	assert_true(now() - t0 < 1.0);
	mox__buf_free(&b);
	/* An external DTD is never fetched; its entities stay unknown. */
	{
		static const char ext[] =
		    "<!DOCTYPE feedback SYSTEM \"file:///etc/passwd\">"
		    "<feedback>" META "</feedback>";
		mox_dmarc_report *r = parse_ok(U(ext), strlen(ext));

		assert_string_equal(mox_dmarc_report_view(r)->org_name, "o");
		mox_dmarc_report_free(r);
	}
}

static void
test_limits(void **state)
{
	mox_dmarc_report_options o = MOX_DMARC_REPORT_OPTIONS_INIT;
	mox__buf b = MOX__BUF_INIT;
	size_t len;
	uint8_t *p = load("google.xml", &len);
	mox_dmarc_report *r;
	double t0;
	int i;

	(void)state;
	/* Depth: a million open tags stop at the limit. */
	for (i = 0; i < 1000000; i++)
		mox__buf_adds(&b, "<feedback>");
	assert_int_equal(b.err, 0);
	t0 = now();
	parse_err_opts(b.p, b.len, NULL, MOX_ELIMIT, "line 1, column 321",
	    "elements nested deeper than 32", NULL);
	assert_true(now() - t0 < 1.0);
	mox__buf_free(&b);

	o.max_records = 1;
	parse_err_opts((const char *)p, len, &o, MOX_ELIMIT,
	    "line 47, column 3: more than 1 records", NULL);
	o.max_records = 2;
	r = parse_ok_opts(p, len, &o);
	mox_dmarc_report_free(r);

	o = (mox_dmarc_report_options)MOX_DMARC_REPORT_OPTIONS_INIT;
	o.max_elements = 20;
	parse_err_opts((const char *)p, len, &o, MOX_ELIMIT,
	    "more than 20 elements", NULL);
	o = (mox_dmarc_report_options)MOX_DMARC_REPORT_OPTIONS_INIT;
	o.max_text = 30;
	parse_err_opts((const char *)p, len, &o, MOX_ELIMIT,
	    "line 5, column 12: text of an element longer than 30", NULL);
	o = (mox_dmarc_report_options)MOX_DMARC_REPORT_OPTIONS_INIT;
	o.max_size = len - 1;
	parse_err_opts((const char *)p, len, &o, MOX_ELIMIT,
	    "more than the limit", NULL);
	o.max_size = len;
	/* feedback, record, row, policy_evaluated, disposition. */
	o.max_depth = 5;
	r = parse_ok_opts(p, len, &o);
	mox_dmarc_report_free(r);
	o.max_depth = 4;
	parse_err_opts((const char *)p, len, &o, MOX_ELIMIT,
	    "line 27, column 9: elements nested deeper than 4", NULL);
	free(p);
}

/* --- generation --- */

static const mox_dmarc_report_dkim gen_dkim1[] = {
	{ "example.com", "sel1", MOX_DMARC_DKIM_PASS, NULL },
	{ "esp.example.net", "esp", MOX_DMARC_DKIM_FAIL, "body hash mismatch" },
};
static const mox_dmarc_report_spf gen_spf1[] = {
	{ "example.com", MOX_DMARC_SPF_SCOPE_MFROM, MOX_DMARC_SPF_PASS, NULL },
};
static const mox_dmarc_report_reason gen_reasons2[] = {
	{ MOX_DMARC_OVERRIDE_LOCAL_POLICY, "allow-listed" },
	{ MOX_DMARC_OVERRIDE_MAILING_LIST, NULL },
};
static const mox_dmarc_report_spf gen_spf2[] = {
	{ "mx.example.org", MOX_DMARC_SPF_SCOPE_HELO, MOX_DMARC_SPF_NEUTRAL,
	  NULL },
	{ "lists.example.org", MOX_DMARC_SPF_SCOPE_MFROM,
	  MOX_DMARC_SPF_SOFTFAIL, "~all" },
};
static const mox_dmarc_report_reason gen_reasons3[] = {
	{ MOX_DMARC_OVERRIDE_FORWARDED, NULL },
	{ MOX_DMARC_OVERRIDE_POLICY_TEST_MODE, "t=y" },
	{ MOX_DMARC_OVERRIDE_SAMPLED_OUT, "pct=50" },
};
static const mox_dmarc_report_dkim gen_dkim3[] = {
	{ "x.example", NULL, MOX_DMARC_DKIM_TEMPERROR,
	  "<&>\"' \xc3\xa9 bad\xff ctl\x01 cr\rx" },
};
static const mox_dmarc_report_spf gen_spf3[] = {
	{ "x.example", MOX_DMARC_REPORT_ABSENT, MOX_DMARC_REPORT_SPF_POLICY,
	  NULL },
};

static void
gen_rows(mox_dmarc_report_row rows[4])
{
	const mox_dmarc_report_row init = MOX_DMARC_REPORT_ROW_INIT;
	int i;

	for (i = 0; i < 4; i++)
		rows[i] = init;
	rows[0].source_ip = "192.0.2.1";
	rows[0].count = 10;
	rows[0].disposition = MOX_DMARC_DISPOSITION_NONE;
	rows[0].dkim = MOX_DMARC_PASS;
	rows[0].spf = MOX_DMARC_PASS;
	rows[0].header_from = "example.com";
	rows[0].envelope_from = "example.com";
	rows[0].dkim_results = gen_dkim1;
	rows[0].ndkim = 2;
	rows[0].spf_results = gen_spf1;
	rows[0].nspf = 1;

	rows[1].source_ip = "2001:DB8:0::1";
	rows[1].count = (uint64_t)1 << 40;
	rows[1].disposition = MOX_DMARC_DISPOSITION_QUARANTINE;
	rows[1].dkim = MOX_DMARC_FAIL;
	rows[1].spf = MOX_DMARC_FAIL;
	rows[1].reasons = gen_reasons2;
	rows[1].nreasons = 2;
	rows[1].header_from = "lists.example.com";
	rows[1].envelope_from = "";
	rows[1].envelope_to = "receiver.example";
	rows[1].spf_results = gen_spf2;
	rows[1].nspf = 2;

	rows[2].source_ip = "::ffff:198.51.100.7";
	rows[2].count = 0;
	rows[2].disposition = MOX_DMARC_DISPOSITION_PASS;
	rows[2].dkim = MOX_DMARC_PASS;
	rows[2].spf = MOX_DMARC_FAIL;
	rows[2].reasons = gen_reasons3;
	rows[2].nreasons = 3;
	rows[2].header_from = "x.example";
	rows[2].dkim_results = gen_dkim3;
	rows[2].ndkim = 1;
	rows[2].spf_results = gen_spf3;
	rows[2].nspf = 1;

	rows[3].source_ip = "203.0.113.5";
	rows[3].count = 1;
	rows[3].disposition = MOX_DMARC_DISPOSITION_REJECT;
	rows[3].dkim = MOX_DMARC_FAIL;
	rows[3].spf = MOX_DMARC_FAIL;
	rows[3].header_from = "example.com";
}

static const char *const gen_errors[] = { "first error", "second <error>" };

static void
gen_meta(mox_dmarc_report_meta *m, int format)
{
	const mox_dmarc_report_meta init = MOX_DMARC_REPORT_META_INIT;

	*m = init;
	m->format = format;
	m->org_name = "Receiver & Sons";
	m->email = "dmarc@receiver.example";
	m->extra_contact_info = "https://receiver.example/dmarc";
	m->report_id = "1700092800.example.com@receiver.example";
	m->begin = 1700006400;
	m->end = 1700092799;
	m->errors = gen_errors;
	m->nerrors = 2;
	m->generator = "mox test";
	m->domain = "example.com";
	m->discovery_method = MOX_DMARC_DISCOVERY_TREEWALK;
	m->p = MOX_DMARC_P_REJECT;
	m->np = MOX_DMARC_P_QUARANTINE;
	m->adkim = MOX_DMARC_STRICT;
	m->testing = 0;
}

/* What a row looks like after a trip through the format (the mappings
 * documented in dmarc.h), into storage owned by the caller. */
struct expect {
	mox_dmarc_report_row row;
	mox_dmarc_report_reason reasons[8];
	mox_dmarc_report_dkim dkim[8];
	mox_dmarc_report_spf spf[8];
	char ip[64];
};

static const char *
sanitized(const char *s)
{
	/* gen_dkim3's human_result after escaping and parsing back: the
	 * invalid octet and the control character are U+FFFD, the CR
	 * survives as a reference. */
	if (s != NULL && strncmp(s, "<&>", 3) == 0)
		return "<&>\"' \xc3\xa9 bad\xef\xbf\xbd ctl\xef\xbf\xbd cr\rx";
	return s;
}

static void
expect(struct expect *e, const mox_dmarc_report_row *in, int fmt)
{
	size_t i, n = 0;

	e->row = *in;
	if (strcmp(in->source_ip, "2001:DB8:0::1") == 0)
		snprintf(e->ip, sizeof(e->ip), "%s",
		    fmt == MOX_DMARC_REPORT_RFC9990 ? "2001:db8::1" :
						      "2001:db8:0:0:0:0:0:1");
	else if (strcmp(in->source_ip, "::ffff:198.51.100.7") == 0)
		snprintf(e->ip, sizeof(e->ip), "%s",
		    fmt == MOX_DMARC_REPORT_RFC9990 ? "::ffff:198.51.100.7" :
						      "0:0:0:0:0:ffff:c633:6407");
	else
		snprintf(e->ip, sizeof(e->ip), "%s", in->source_ip);
	e->row.source_ip = e->ip;
	if (fmt == MOX_DMARC_REPORT_RFC7489 &&
	    in->disposition == MOX_DMARC_DISPOSITION_PASS)
		e->row.disposition = MOX_DMARC_DISPOSITION_NONE;
	for (i = 0; i < in->nreasons; i++) {
		e->reasons[i] = in->reasons[i];
		if ((fmt == MOX_DMARC_REPORT_RFC9990 &&
			(in->reasons[i].type == MOX_DMARC_OVERRIDE_FORWARDED ||
			    in->reasons[i].type ==
				MOX_DMARC_OVERRIDE_SAMPLED_OUT)) ||
		    (fmt == MOX_DMARC_REPORT_RFC7489 &&
			in->reasons[i].type ==
			    MOX_DMARC_OVERRIDE_POLICY_TEST_MODE)) {
			static const char *const names[] = { "", "forwarded",
				"sampled_out", "", "", "", "",
				"policy_test_mode" };

			e->reasons[i].type = MOX_DMARC_OVERRIDE_OTHER;
			if (e->reasons[i].comment == NULL)
				e->reasons[i].comment =
				    names[in->reasons[i].type];
		}
	}
	e->row.reasons = in->nreasons > 0 ? e->reasons : NULL;
	if (fmt == MOX_DMARC_REPORT_RFC7489 && in->envelope_from == NULL)
		e->row.envelope_from = "";
	for (i = 0; i < in->ndkim; i++) {
		e->dkim[i] = in->dkim_results[i];
		e->dkim[i].human_result = sanitized(e->dkim[i].human_result);
		if (fmt == MOX_DMARC_REPORT_RFC9990 && e->dkim[i].selector == NULL)
			e->dkim[i].selector = "";
	}
	e->row.dkim_results = in->ndkim > 0 ? e->dkim : NULL;
	if (fmt == MOX_DMARC_REPORT_RFC9990) {
		for (i = 0; i < in->nspf; i++) {
			if (in->spf_results[i].scope != MOX_DMARC_SPF_SCOPE_HELO) {
				e->spf[n++] = in->spf_results[i];
				break;
			}
		}
	} else {
		for (i = 0; i < in->nspf; i++) {
			e->spf[n] = in->spf_results[i];
			e->spf[n].human_result = NULL;
			if (e->spf[n].scope == MOX_DMARC_REPORT_ABSENT)
				e->spf[n].scope = MOX_DMARC_SPF_SCOPE_MFROM;
			if (e->spf[n].result == MOX_DMARC_REPORT_SPF_POLICY)
				e->spf[n].result = MOX_DMARC_SPF_FAIL;
			n++;
		}
		if (n == 0) {
			e->spf[0].domain = in->envelope_from != NULL &&
				in->envelope_from[0] != '\0' ?
			    in->envelope_from : in->header_from;
			e->spf[0].scope = MOX_DMARC_SPF_SCOPE_MFROM;
			e->spf[0].result = MOX_DMARC_SPF_NONE;
			e->spf[0].human_result = NULL;
			n = 1;
		}
	}
	e->row.spf_results = n > 0 ? e->spf : NULL;
	e->row.nspf = n;
}

static void
gen_check(int fmt)
{
	mox_dmarc_report_meta m;
	mox_dmarc_report_row rows[4];
	const mox_dmarc_report_row *ptrs[4];
	const mox_dmarc_report_meta *pm;
	mox_dmarc_report *r;
	struct expect e;
	char *xml = NULL;
	size_t len = 0, i;

	gen_meta(&m, fmt);
	gen_rows(rows);
	for (i = 0; i < 4; i++)
		ptrs[i] = &rows[i];
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4), MOX_OK);
	assert_int_equal(strlen(xml), len);
	xmllint(xml, len, fmt == MOX_DMARC_REPORT_RFC9990 ? "dmarc-2.0.xsd" :
							    "rua-7489.xsd");

	r = parse_ok(U(xml), len);
	pm = mox_dmarc_report_view(r);
	assert_int_equal(pm->format, fmt);
	assert_string_equal(pm->report_version, "1.0");
	assert_string_equal(pm->org_name, m.org_name);
	assert_string_equal(pm->email, m.email);
	assert_string_equal(pm->extra_contact_info, m.extra_contact_info);
	assert_string_equal(pm->report_id, m.report_id);
	assert_int_equal(pm->begin, m.begin);
	assert_int_equal(pm->end, m.end);
	assert_string_equal(pm->domain, "example.com");
	assert_int_equal(pm->p, MOX_DMARC_P_REJECT);
	assert_int_equal(pm->adkim, MOX_DMARC_STRICT);
	assert_int_equal(pm->aspf, MOX_DMARC_REPORT_ABSENT);
	if (fmt == MOX_DMARC_REPORT_RFC9990) {
		assert_int_equal(pm->nerrors, 1);
		assert_string_equal(pm->errors[0],
		    "first error; second <error>");
		assert_string_equal(pm->generator, "mox test");
		assert_int_equal(pm->discovery_method,
		    MOX_DMARC_DISCOVERY_TREEWALK);
		assert_int_equal(pm->sp, MOX_DMARC_REPORT_ABSENT);
		assert_int_equal(pm->np, MOX_DMARC_P_QUARANTINE);
		assert_int_equal(pm->testing, 0);
		assert_int_equal(pm->pct, MOX_DMARC_REPORT_ABSENT);
		assert_null(pm->fo);
	} else {
		assert_int_equal(pm->nerrors, 2);
		assert_string_equal(pm->errors[1], "second <error>");
		assert_null(pm->generator);
		assert_int_equal(pm->discovery_method, MOX_DMARC_REPORT_ABSENT);
		assert_int_equal(pm->sp, MOX_DMARC_P_REJECT);
		assert_int_equal(pm->np, MOX_DMARC_REPORT_ABSENT);
		assert_int_equal(pm->testing, MOX_DMARC_REPORT_ABSENT);
		assert_int_equal(pm->pct, 100);
		assert_string_equal(pm->fo, "0");
	}
	assert_int_equal(mox_dmarc_report_row_count(r), 4);
	for (i = 0; i < 4; i++) {
		expect(&e, &rows[i], fmt);
		row_eq(mox_dmarc_report_get_row(r, i), &e.row);
	}
	mox_dmarc_report_free(r);
	mox_dmarc_report_data_free(xml);
}

static void
test_gen_9990(void **state)
{
	(void)state;
	gen_check(MOX_DMARC_REPORT_RFC9990);
}

static void
test_gen_7489(void **state)
{
	(void)state;
	gen_check(MOX_DMARC_REPORT_RFC7489);
}

/* Parsed reports written in both formats validate and keep their rows. */
static void
test_roundtrip(void **state)
{
	static const char *const files[] = {
		"google.xml", "microsoft.xml", "yahoo.xml", "rfc9990.xml"
	};
	size_t f, i, n;
	int fmt;

	(void)state;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		mox_dmarc_report *r = parse_file(files[f]);
		mox_dmarc_report_meta m = *mox_dmarc_report_view(r);
		const mox_dmarc_report_row *ptrs[8];

		n = mox_dmarc_report_row_count(r);
		assert_true(n <= 8);
		for (i = 0; i < n; i++)
			ptrs[i] = mox_dmarc_report_get_row(r, i);
		for (fmt = 0; fmt < 2; fmt++) {
			mox_dmarc_report *r2;
			char *xml;
			size_t len;
			struct expect e;

			m.format = fmt;
			assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m,
					     ptrs, n),
			    MOX_OK);
			xmllint(xml, len, fmt == MOX_DMARC_REPORT_RFC9990 ?
				"dmarc-2.0.xsd" :
				"rua-7489.xsd");
			r2 = parse_ok(U(xml), len);
			assert_int_equal(mox_dmarc_report_row_count(r2), n);
			for (i = 0; i < n; i++) {
				expect(&e, ptrs[i], fmt);
				/* IPv6 text is normalized by the writer. */
				e.row.source_ip =
				    mox_dmarc_report_get_row(r2, i)->source_ip;
				row_eq(mox_dmarc_report_get_row(r2, i), &e.row);
			}
			mox_dmarc_report_free(r2);
			mox_dmarc_report_data_free(xml);
		}
		mox_dmarc_report_free(r);
	}
}

static void
test_gen_errors(void **state)
{
	mox_dmarc_report_meta m;
	mox_dmarc_report_row rows[4], row;
	const mox_dmarc_report_row *ptrs[4];
	const mox_dmarc_report_row *one[1] = { &row };
	char *xml = (char *)1;
	size_t len = 7, i;

	(void)state;
	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);
	gen_rows(rows);
	for (i = 0; i < 4; i++)
		ptrs[i] = &rows[i];
	assert_int_equal(mox_dmarc_report_xml(NULL, NULL, &m, ptrs, 4),
	    MOX_EINVAL);
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 0),
	    MOX_EINVAL);
	assert_null(xml);
	assert_int_equal(len, 0);
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, NULL, ptrs, 4),
	    MOX_EINVAL);
	m.version = 2;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EVERSION);
	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);
	m.p = MOX_DMARC_REPORT_ABSENT;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EINVAL);
	m.p = MOX_DMARC_P_UNSET;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EINVAL);
	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);
	m.sp = MOX_DMARC_REPORT_INVALID;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EINVAL);
	gen_meta(&m, MOX_DMARC_REPORT_RFC7489);
	m.pct = 101;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EINVAL);
	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);
	m.end = m.begin - 1;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EINVAL);
	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);
	m.email = NULL;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EINVAL);
	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);
	m.format = 2;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EINVAL);
	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);

	row = rows[0];
	row.source_ip = "192.0.2.256";
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
	    MOX_EINVAL);
	row = rows[0];
	row.source_ip = NULL;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
	    MOX_EINVAL);
	row = rows[0];
	row.disposition = MOX_DMARC_REPORT_ABSENT;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
	    MOX_EINVAL);
	row = rows[0];
	row.dkim = MOX_DMARC_NONE;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
	    MOX_EINVAL);
	row = rows[0];
	row.header_from = NULL;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
	    MOX_EINVAL);
	row = rows[0];
	row.version = 0;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
	    MOX_EVERSION);
	row = rows[0];
	row.dkim_results = NULL;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
	    MOX_EINVAL);
	{
		mox_dmarc_report_dkim d = { "d.example", "s", 7, NULL };
		mox_dmarc_report_spf s = { NULL, 0, MOX_DMARC_SPF_PASS, NULL };
		mox_dmarc_report_reason rs = { 0, NULL };

		row = rows[0];
		row.dkim_results = &d;
		row.ndkim = 1;
		assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
		    MOX_EINVAL);
		row = rows[0];
		row.spf_results = &s;
		row.nspf = 1;
		assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
		    MOX_EINVAL);
		row = rows[0];
		row.reasons = &rs;
		row.nreasons = 1;
		assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, one, 1),
		    MOX_EINVAL);
	}
	ptrs[2] = NULL;
	assert_int_equal(mox_dmarc_report_xml(&xml, &len, &m, ptrs, 4),
	    MOX_EINVAL);
	assert_null(xml);
}

/* --- email --- */

static void
test_filename_subject(void **state)
{
	char buf[300];

	(void)state;
	assert_int_equal(mox_dmarc_report_filename(buf, sizeof(buf),
			     "mail.receiver.example", "example.com", 1013662812,
			     1013749130, NULL, true),
	    strlen("mail.receiver.example!example.com!1013662812!1013749130"
		   ".xml.gz"));
	assert_string_equal(buf,
	    "mail.receiver.example!example.com!1013662812!1013749130.xml.gz");
	mox_dmarc_report_filename(buf, sizeof(buf), "r.example", "d.example",
	    0, 86399, "A1b2", false);
	assert_string_equal(buf, "r.example!d.example!0!86399!A1b2.xml");
	/* Truncation follows snprintf. */
	assert_int_equal(mox_dmarc_report_filename(buf, 5, "r.example",
			     "d.example", 1, 2, NULL, false),
	    strlen("r.example!d.example!1!2.xml"));
	assert_string_equal(buf, "r.ex");
	assert_int_equal(mox_dmarc_report_filename(NULL, 0, "r.example",
			     "d.example", 1, 2, NULL, false),
	    strlen("r.example!d.example!1!2.xml"));
	assert_int_equal(mox_dmarc_report_filename(buf, sizeof(buf), "r!x",
			     "d.example", 1, 2, NULL, false),
	    0);
	assert_string_equal(buf, "");
	assert_int_equal(mox_dmarc_report_filename(buf, sizeof(buf), "r.example",
			     "d..example", 1, 2, NULL, false),
	    0);
	assert_int_equal(mox_dmarc_report_filename(buf, sizeof(buf), "r.example",
			     "d.example", 1, 2, "a-b", false),
	    0);
	assert_int_equal(mox_dmarc_report_filename(buf, sizeof(buf), "r.example",
			     "d.example", -1, 2, NULL, false),
	    0);

	mox_dmarc_report_subject(buf, sizeof(buf), "example.com",
	    "mail.receiver.example", "<sample-ridtxt@example.com>");
	assert_string_equal(buf,
	    "Report Domain: example.com Submitter: mail.receiver.example "
	    "Report-ID: <sample-ridtxt@example.com>");
	mox_dmarc_report_subject(buf, sizeof(buf), "example.com", "r.example",
	    "1721054318-example.com@example.org");
	assert_string_equal(buf, "Report Domain: example.com Submitter: "
				 "r.example Report-ID: "
				 "<1721054318-example.com@example.org>");
	/* Not a ridtxt: left out. */
	mox_dmarc_report_subject(buf, sizeof(buf), "example.com", "r.example",
	    "has space");
	assert_string_equal(buf,
	    "Report Domain: example.com Submitter: r.example");
	mox_dmarc_report_subject(buf, sizeof(buf), "example.com", "r.example",
	    NULL);
	assert_string_equal(buf,
	    "Report Domain: example.com Submitter: r.example");
	assert_int_equal(mox_dmarc_report_subject(buf, sizeof(buf),
			     "example.com\r\nBcc: x", "r.example", NULL),
	    0);
}

/* Header field value of a message (unfolded), or NULL. */
static char *
header(const char *msg, const char *name)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	char *v;
	size_t n;

	assert_int_equal(mox_msg_iter_init(&it, U(msg), strlen(msg), NULL),
	    MOX_OK);
	if (mox_msg_iter_find(&it, name, &f) != MOX_OK)
		return NULL;
	n = mox_msg_unfold(NULL, 0, f.value.ptr, f.value.len);
	v = malloc(n + 1);
	assert_non_null(v);
	mox_msg_unfold(v, n + 1, f.value.ptr, f.value.len);
	return v;
}

static void
message_check(bool plain, int fmt, const char *text)
{
	mox_dmarc_report_mail mail = MOX_DMARC_REPORT_MAIL_INIT;
	mox_dmarc_report_meta m;
	mox_dmarc_report_row rows[4];
	const mox_dmarc_report_row *ptrs[4];
	mox_dmarc_report *r;
	mox_msg_tree *t;
	const mox_msg_part *att = NULL;
	char *msg = NULL, *v, err[256];
	size_t len, i;
	struct expect e;
	int rc;

	gen_meta(&m, fmt);
	gen_rows(rows);
	for (i = 0; i < 4; i++)
		ptrs[i] = &rows[i];
	mail.from = "DMARC Reporter <dmarc@receiver.example>";
	mail.to = "dmarc-reports@example.com";
	mail.message_id = "1700092800.example.com@receiver.example";
	mail.date = 1700092805;
	mail.submitter = "receiver.example";
	mail.unique_id = "r1";
	mail.text = text;
	mail.plain_xml = plain;
	rc = mox_dmarc_report_message(&msg, &len, &mail, &m, ptrs, 4);
	assert_int_equal(rc, MOX_OK);
	assert_int_equal(strlen(msg), len);

	v = header(msg, "Subject");
	assert_string_equal(v, "Report Domain: example.com Submitter: "
			       "receiver.example Report-ID: "
			       "<1700092800.example.com@receiver.example>");
	free(v);
	/* Folded: no line over 78 octets in the header. */
	assert_non_null(strstr(msg, "Subject: Report Domain: example.com\r\n"
				    " Submitter: receiver.example\r\n"
				    " Report-ID: <"));
	v = header(msg, "Date");
	assert_string_equal(v, "Thu, 16 Nov 2023 00:00:05 +0000");
	free(v);
	v = header(msg, "Message-ID");
	assert_string_equal(v, "<1700092800.example.com@receiver.example>");
	free(v);
	v = header(msg, "From");
	assert_string_equal(v, mail.from);
	free(v);
	for (i = 0; i + 1 < len; i++) {
		if (msg[i + 1] == '\n')
			assert_int_equal(msg[i], '\r');
	}

	assert_int_equal(mox_msg_tree_parse(&t, U(msg), len, NULL), MOX_OK);
	for (i = 0; i < mox_msg_tree_count(t); i++) {
		const mox_msg_part *p = mox_msg_tree_part(t, i);

		if (p->disposition != NULL)
			att = p;
	}
	assert_non_null(att);
	if (plain) {
		assert_string_equal(att->type, "text");
		assert_string_equal(att->subtype, "xml");
		assert_string_equal(mox_msg_ctype_get(att->disposition,
					"filename"),
		    "receiver.example!example.com!1700006400!1700092799!r1.xml");
	} else {
		uint8_t *gz, *x;
		size_t gzlen, xlen;

		assert_string_equal(att->type, "application");
		assert_string_equal(att->subtype, "gzip");
		assert_string_equal(mox_msg_ctype_get(att->disposition,
					"filename"),
		    "receiver.example!example.com!1700006400!1700092799!r1"
		    ".xml.gz");
		assert_int_equal(mox_msg_part_decode(&gz, &gzlen, NULL, t, att),
		    MOX_OK);
		assert_int_equal(gz[0], 0x1f);
		assert_int_equal(gz[1], 0x8b);
		assert_int_equal(dmarc_report_gunzip(&x, &xlen, gz, gzlen,
				     1 << 20, NULL, 0),
		    MOX_OK);
		assert_memory_equal(x, "<?xml", 5);
		mox__free(x);
		mox_msg_free(gz);
	}
	if (text != NULL && text[0] == '\0')
		assert_int_equal(mox_msg_tree_count(t), 2);
	else
		assert_int_equal(mox_msg_tree_count(t), 3);
	mox_msg_tree_free(t);

	rc = mox_dmarc_report_from_message(&r, U(msg), len, NULL, err,
	    sizeof(err));
	if (rc != MOX_OK)
		fail_msg("from_message: %s", err);
	assert_int_equal(mox_dmarc_report_view(r)->format, fmt);
	assert_int_equal(mox_dmarc_report_row_count(r), 4);
	for (i = 0; i < 4; i++) {
		expect(&e, &rows[i], fmt);
		row_eq(mox_dmarc_report_get_row(r, i), &e.row);
	}
	mox_dmarc_report_free(r);
	mox_dmarc_report_data_free(msg);
}

static void
test_message(void **state)
{
	(void)state;
	message_check(false, MOX_DMARC_REPORT_RFC9990, NULL);
	message_check(true, MOX_DMARC_REPORT_RFC9990, "");
	message_check(false, MOX_DMARC_REPORT_RFC7489,
	    "R\xc3\xa9sum\xc3\xa9 line\nsecond line\r\nthird\rfourth");
	message_check(true, MOX_DMARC_REPORT_RFC7489, "ascii text\n");
}

static void
test_message_errors(void **state)
{
	mox_dmarc_report_mail mail = MOX_DMARC_REPORT_MAIL_INIT;
	mox_dmarc_report_meta m;
	mox_dmarc_report_row rows[4];
	const mox_dmarc_report_row *ptrs[4];
	char *msg = NULL;
	size_t len, i;

	(void)state;
	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);
	gen_rows(rows);
	for (i = 0; i < 4; i++)
		ptrs[i] = &rows[i];
	mail.from = "a@b.example";
	mail.to = "c@d.example";
	mail.message_id = "x@y";
	mail.submitter = "r.example";
	assert_int_equal(mox_dmarc_report_message(&msg, &len, &mail, &m, ptrs,
			     4),
	    MOX_OK);
	mox_dmarc_report_data_free(msg);
	mail.to = "c@d.example\r\nBcc: e@f.example";
	assert_int_equal(mox_dmarc_report_message(&msg, &len, &mail, &m, ptrs,
			     4),
	    MOX_EINVAL);
	assert_null(msg);
	mail.to = "c@d.example";
	mail.message_id = "<x@y>";
	assert_int_equal(mox_dmarc_report_message(&msg, &len, &mail, &m, ptrs,
			     4),
	    MOX_EINVAL);
	mail.message_id = "x@y";
	mail.submitter = "bad submitter";
	assert_int_equal(mox_dmarc_report_message(&msg, &len, &mail, &m, ptrs,
			     4),
	    MOX_EINVAL);
	mail.submitter = "r.example";
	mail.unique_id = "x_y";
	assert_int_equal(mox_dmarc_report_message(&msg, &len, &mail, &m, ptrs,
			     4),
	    MOX_EINVAL);
	mail.unique_id = NULL;
	mail.version = 9;
	assert_int_equal(mox_dmarc_report_message(&msg, &len, &mail, &m, ptrs,
			     4),
	    MOX_EVERSION);
	mail.version = MOX_DMARC_REPORT_MAIL_VERSION;
	m.p = MOX_DMARC_REPORT_ABSENT;
	assert_int_equal(mox_dmarc_report_message(&msg, &len, &mail, &m, ptrs,
			     4),
	    MOX_EINVAL);
	assert_null(msg);
}

static void
test_unpack_files(void **state)
{
	static const struct {
		const char *eml, *xml;
	} cases[] = {
		{ "google.eml", "google.xml" },
		{ "microsoft.eml", "microsoft.xml" },
		{ "yahoo.eml", "yahoo.xml" },
	};
	size_t c, i, len, xlen;
	char err[256];

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t *eml = load(cases[c].eml, &len);
		uint8_t *xml = load(cases[c].xml, &xlen);
		mox_dmarc_report *r = NULL, *want = parse_ok(xml, xlen);
		int rc;

		rc = mox_dmarc_report_from_message(&r, eml, len, NULL, err,
		    sizeof(err));
		if (rc != MOX_OK)
			fail_msg("%s: %s", cases[c].eml, err);
		assert_string_equal(mox_dmarc_report_view(r)->report_id,
		    mox_dmarc_report_view(want)->report_id);
		assert_int_equal(mox_dmarc_report_row_count(r),
		    mox_dmarc_report_row_count(want));
		for (i = 0; i < mox_dmarc_report_row_count(r); i++)
			row_eq(mox_dmarc_report_get_row(r, i),
			    mox_dmarc_report_get_row(want, i));
		mox_dmarc_report_free(r);
		mox_dmarc_report_free(want);
		free(eml);
		free(xml);
	}
}

/* A one-entry zip archive; method 0 or 8, flags and CRC as asked. */
static size_t
make_zip(uint8_t *out, size_t cap, const char *name, const uint8_t *data,
    size_t len, int method, unsigned flags, int crc_delta)
{
	uint8_t *comp = malloc(len + 1024);
	size_t clen, nlen = strlen(name), o = 0, cd, cdlen;
	uint32_t crc = (uint32_t)crc32(0, data, (uInt)len) + (uint32_t)crc_delta;

	assert_non_null(comp);
	if (method == 8) {
		z_stream z;

		memset(&z, 0, sizeof(z));
		assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 8,
				     Z_DEFAULT_STRATEGY),
		    Z_OK);
		z.next_in = (Bytef *)(uintptr_t)data;
		z.avail_in = (uInt)len;
		z.next_out = comp;
		z.avail_out = (uInt)(len + 1024);
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		clen = z.total_out;
		deflateEnd(&z);
	} else {
		memcpy(comp, data, len);
		clen = len;
	}
	assert_true(clen + 2 * nlen + 200 < cap);
#define P16(v) (out[o++] = (uint8_t)(v), out[o++] = (uint8_t)((v) >> 8))
#define P32(v) (P16((v) & 0xffff), P16(((uint32_t)(v)) >> 16))
	P32(0x04034b50u);
	P16(20);
	P16(flags);
	P16(method);
	P16(0);
	P16(0);
	P32(crc);
	P32(clen);
	P32(len);
	P16(nlen);
	P16(0);
	memcpy(out + o, name, nlen);
	o += nlen;
	memcpy(out + o, comp, clen);
	o += clen;
	cd = o;
	P32(0x02014b50u);
	P16(20);
	P16(20);
	P16(flags);
	P16(method);
	P16(0);
	P16(0);
	P32(crc);
	P32(clen);
	P32(len);
	P16(nlen);
	P16(0);
	P16(0);
	P16(0);
	P16(0);
	P32(0);
	P32(0);
	memcpy(out + o, name, nlen);
	o += nlen;
	cdlen = o - cd;
	P32(0x06054b50u);
	P16(0);
	P16(0);
	P16(1);
	P16(1);
	P32(cdlen);
	P32(cd);
	P16(0);
#undef P16
#undef P32
	free(comp);
	return o;
}

/* A message with one attachment of the given type and body. */
static char *
mail_with(const char *ctype, const char *fname, const uint8_t *body,
    size_t len)
{
	mox__buf b = MOX__BUF_INIT;
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789+/";
	size_t i;

	mox__buf_addf(&b, "From: a@b.example\r\nSubject: report\r\n"
			  "MIME-Version: 1.0\r\n"
			  "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
			  "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
			  "--b\r\nContent-Type: %s\r\n", ctype);
	if (fname != NULL)
		mox__buf_addf(&b, "Content-Disposition: attachment; "
				  "filename=\"%s\"\r\n", fname);
	mox__buf_adds(&b, "Content-Transfer-Encoding: base64\r\n\r\n");
	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)body[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)body[i + 1] << 8;
		if (i + 2 < len)
			v |= body[i + 2];
		mox__buf_addc(&b, b64[(v >> 18) & 63]);
		mox__buf_addc(&b, b64[(v >> 12) & 63]);
		mox__buf_addc(&b, i + 1 < len ? b64[(v >> 6) & 63] : '=');
		mox__buf_addc(&b, i + 2 < len ? b64[v & 63] : '=');
		if ((i / 3) % 19 == 18)
			mox__buf_adds(&b, "\r\n");
	}
	mox__buf_adds(&b, "\r\n--b--\r\n");
	assert_int_equal(b.err, 0);
	return mox__buf_detach(&b, NULL);
}

static int
unpack(const char *msg, const mox_dmarc_report_options *o, char *err,
    size_t errcap)
{
	mox_dmarc_report *r = (mox_dmarc_report *)1;
	int rc = mox_dmarc_report_from_message(&r, U(msg), strlen(msg), o, err,
	    errcap);

	if (rc == MOX_OK) {
		assert_non_null(r);
		assert_string_equal(mox_dmarc_report_view(r)->org_name, "Yahoo");
		mox_dmarc_report_free(r);
	} else {
		assert_null(r);
	}
	return rc;
}

static void
test_unpack(void **state)
{
	size_t len, glen, zlen, i;
	uint8_t *xml = load("yahoo.xml", &len), *gz, *big;
	uint8_t *zip = malloc(1 << 21);
	mox_dmarc_report_options o = MOX_DMARC_REPORT_OPTIONS_INIT;
	char err[256], *msg;

	(void)state;
	assert_non_null(zip);
	assert_int_equal(dmarc_report_gzip(&gz, &glen, xml, len), MOX_OK);

	/* Bare XML, gzip, zip stored and deflated, by content whatever the
	 * type says. */
	msg = mail_with("text/xml", NULL, xml, len);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_OK);
	free(msg);
	msg = mail_with("application/octet-stream", "r.xml.gz", gz, glen);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_OK);
	free(msg);
	zlen = make_zip(zip, 1 << 21, "report.xml", xml, len, 0, 0, 0);
	msg = mail_with("application/zip", NULL, zip, zlen);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_OK);
	free(msg);
	zlen = make_zip(zip, 1 << 21, "report.xml", xml, len, 8, 0, 0);
	msg = mail_with("application/x-zip-compressed", NULL, zip, zlen);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_OK);
	free(msg);
	/* Two gzip members make one document. */
	{
		uint8_t *a, *b2, *both;
		size_t alen, blen, half = len / 2;

		assert_int_equal(dmarc_report_gzip(&a, &alen, xml, half), MOX_OK);
		assert_int_equal(dmarc_report_gzip(&b2, &blen, xml + half,
				     len - half),
		    MOX_OK);
		both = malloc(alen + blen);
		assert_non_null(both);
		memcpy(both, a, alen);
		memcpy(both + alen, b2, blen);
		msg = mail_with("application/gzip", NULL, both, alen + blen);
		assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_OK);
		free(msg);
		free(both);
		mox__free(a);
		mox__free(b2);
	}

	/* No report. */
	msg = mail_with("image/png", "x.png", xml, len);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_ENOTFOUND);
	assert_string_equal(err, "no DMARC report attachment in the message");
	free(msg);
	/* Corrupt, truncated. */
	gz[glen / 2] ^= 0x55;
	msg = mail_with("application/gzip", NULL, gz, glen);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_ESYNTAX);
	assert_non_null(strstr(err, "corrupt compressed data"));
	free(msg);
	gz[glen / 2] ^= 0x55;
	msg = mail_with("application/gzip", NULL, gz, glen / 2);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_ESYNTAX);
	assert_string_equal(err, "truncated compressed data");
	free(msg);
	zlen = make_zip(zip, 1 << 21, "report.xml", xml, len, 8, 0, 1);
	msg = mail_with("application/zip", NULL, zip, zlen);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_ESYNTAX);
	assert_string_equal(err, "zip entry CRC mismatch");
	free(msg);
	zlen = make_zip(zip, 1 << 21, "report.xml", xml, len, 8, 1, 0);
	msg = mail_with("application/zip", NULL, zip, zlen);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_EUNSUPPORTED);
	assert_string_equal(err, "encrypted zip entry");
	free(msg);
	zlen = make_zip(zip, 1 << 21, "report.xml", xml, len, 12, 0, 0);
	msg = mail_with("application/zip", NULL, zip, zlen);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_EUNSUPPORTED);
	assert_string_equal(err, "zip compression method 12");
	free(msg);
	zlen = make_zip(zip, 1 << 21, "report.xml", xml, len, 0, 0, 0);
	msg = mail_with("application/zip", NULL, zip, zlen - 3);
	assert_int_equal(unpack(msg, NULL, err, sizeof(err)), MOX_ESYNTAX);
	assert_string_equal(err, "no zip end of central directory");
	free(msg);

	/* Bombs: 64 MiB of zeros compress to about 64 KiB; the limit stops
	 * the output whatever the archive says. */
	big = calloc(1, (size_t)64 << 20);
	assert_non_null(big);
	mox__free(gz);
	assert_int_equal(dmarc_report_gzip(&gz, &glen, big, (size_t)64 << 20),
	    MOX_OK);
	assert_true(glen < 200000);
	o.max_size = 1 << 20;
	msg = mail_with("application/gzip", NULL, gz, glen);
	assert_int_equal(unpack(msg, &o, err, sizeof(err)), MOX_ELIMIT);
	assert_string_equal(err,
	    "decompressed report larger than 1048576 octets");
	free(msg);
	zlen = make_zip(zip, 1 << 21, "bomb.xml", big, (size_t)64 << 20, 8, 0,
	    0);
	msg = mail_with("application/zip", NULL, zip, zlen);
	assert_int_equal(unpack(msg, &o, err, sizeof(err)), MOX_ELIMIT);
	free(msg);
	/* A zip that lies about its size is still stopped. */
	for (i = 0; i + 4 <= zlen; i++) {
		if (zip[i] == 0x50 && zip[i + 1] == 0x4b &&
		    (zip[i + 2] == 1 || zip[i + 2] == 3)) {
			size_t at = i + (zip[i + 2] == 1 ? 24 : 22);

			zip[at] = 0x10;
			zip[at + 1] = zip[at + 2] = zip[at + 3] = 0;
		}
	}
	msg = mail_with("application/zip", NULL, zip, zlen);
	assert_int_equal(unpack(msg, &o, err, sizeof(err)), MOX_ELIMIT);
	free(msg);
	free(big);

	/* The first part that parses wins; otherwise the first error. */
	{
		mox__buf b = MOX__BUF_INIT;
		char *one = mail_with("text/xml", NULL, U("<feedback/>"), 11);
		char *cut;

		cut = strstr(one, "\r\n--b--");
		assert_non_null(cut);
		mox__buf_add(&b, one, (size_t)(cut - one));
		mox__buf_adds(&b, "\r\n--b\r\nContent-Type: text/xml\r\n\r\n");
		mox__buf_add(&b, xml, len);
		mox__buf_adds(&b, "\r\n--b--\r\n");
		assert_int_equal(b.err, 0);
		assert_int_equal(unpack(b.p, NULL, err, sizeof(err)), MOX_OK);
		assert_string_equal(err, "");
		free(one);
		mox__buf_free(&b);
		msg = mail_with("text/xml", NULL, U("<feedback/>"), 11);
		assert_int_equal(unpack(msg, NULL, err, sizeof(err)),
		    MOX_ESYNTAX);
		assert_string_equal(err, "not a DMARC aggregate report: no "
					 "<report_metadata>");
		free(msg);
	}
	mox__free(gz);
	free(zip);
	free(xml);
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

static uint8_t *alloc_doc;
static size_t alloc_len;

static int
alloc_parse(void)
{
	mox_dmarc_report *r = NULL;
	char err[128];
	int rc = mox_dmarc_report_parse(&r, alloc_doc, alloc_len, err,
	    sizeof(err));

	if (rc == MOX_OK) {
		assert_int_equal(mox_dmarc_report_row_count(r), 2);
		mox_dmarc_report_free(r);
	} else {
		assert_null(r);
		if (rc == MOX_ENOMEM)
			assert_non_null(strstr(err, "out of memory"));
	}
	return rc;
}

static int
alloc_xml(void)
{
	mox_dmarc_report_meta m;
	mox_dmarc_report_row rows[4];
	const mox_dmarc_report_row *ptrs[4];
	char *xml = NULL;
	size_t i;
	int rc;

	gen_meta(&m, MOX_DMARC_REPORT_RFC9990);
	gen_rows(rows);
	for (i = 0; i < 4; i++)
		ptrs[i] = &rows[i];
	rc = mox_dmarc_report_xml(&xml, NULL, &m, ptrs, 4);
	if (rc != MOX_OK)
		assert_null(xml);
	mox_dmarc_report_data_free(xml);
	return rc;
}

static int
alloc_message(void)
{
	mox_dmarc_report_mail mail = MOX_DMARC_REPORT_MAIL_INIT;
	mox_dmarc_report_meta m;
	mox_dmarc_report_row rows[4];
	const mox_dmarc_report_row *ptrs[4];
	char *msg = NULL;
	size_t i;
	int rc;

	gen_meta(&m, MOX_DMARC_REPORT_RFC7489);
	gen_rows(rows);
	for (i = 0; i < 4; i++)
		ptrs[i] = &rows[i];
	mail.from = "a@b.example";
	mail.to = "c@d.example";
	mail.message_id = "x@y";
	mail.submitter = "r.example";
	mail.text = "R\xc3\xa9sum\xc3\xa9";
	rc = mox_dmarc_report_message(&msg, NULL, &mail, &m, ptrs, 4);
	if (rc != MOX_OK)
		assert_null(msg);
	mox_dmarc_report_data_free(msg);
	return rc;
}

static int
alloc_unpack(void)
{
	mox_dmarc_report *r = NULL;
	char err[128];
	int rc = mox_dmarc_report_from_message(&r, alloc_doc, alloc_len, NULL,
	    err, sizeof(err));

	if (rc == MOX_OK)
		mox_dmarc_report_free(r);
	else
		assert_null(r);
	return rc;
}

static void
test_alloc_fail(void **state)
{
	size_t len;
	uint8_t *p;

	(void)state;
	p = load("rfc9990.xml", &len);
	alloc_doc = p;
	alloc_len = len;
	alloc_loop(alloc_parse);
	free(p);
	alloc_loop(alloc_xml);
	alloc_loop(alloc_message);
	/* Not microsoft.eml: libmoxcore's parameter parser leaks a value
	 * of more than 63 octets (its long filename) when an allocation
	 * fails (msg_mime.c value_parse, reported). */
	p = load("yahoo.eml", &len);
	alloc_doc = p;
	alloc_len = len;
	alloc_loop(alloc_unpack);
	free(p);
	p = load("google.eml", &len);
	alloc_doc = p;
	alloc_len = len;
	alloc_loop(alloc_unpack);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_google),
		cmocka_unit_test(test_microsoft),
		cmocka_unit_test(test_yahoo),
		cmocka_unit_test(test_rfc9990),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_schemas),
		cmocka_unit_test(test_gen_9990),
		cmocka_unit_test(test_gen_7489),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_gen_errors),
		cmocka_unit_test(test_filename_subject),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_message_errors),
		cmocka_unit_test(test_unpack_files),
		cmocka_unit_test(test_unpack),
		cmocka_unit_test(test_alloc_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
