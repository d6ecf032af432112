/* SPDX-License-Identifier: MIT */
/*
 * cmd_dmarc.c -- mox dmarc lookup|parsereportmsg|checkreportaddrs|verify:
 * DMARC (RFC 9989, RFC 7489 mode) policy discovery, aggregate report
 * parsing, external report destination checks and a whole SPF + DKIM +
 * DMARC verification of a message, over the mox resolver (in-memory from
 * -zone FILE, or libunbound).
 *
 * Output contract (scripts parse it):
 *   lookup  with a record: "record: <text>", "domain: <where found>",
 *           "org-domain: <organizational domain>" (when known), "policy: "
 *           (p, sp or np as it applies to the domain); without one the
 *           verdict word alone ("none", "temperror", "permerror"), a
 *           "reason: " line and the record lines where there is one.
 *           Then "authentic: yes|no" and "queries: N".
 *   parsereportmsg  the report as one JSON object whose keys are the XML
 *           element names: {"feedback":{"report_metadata":{...},
 *           "policy_published":{...},"record":[...]}}; absent elements are
 *           left out.
 *   checkreportaddrs  one line per rua= and ruf= URI: "<uri> ok" or
 *           "<uri> not-authorized"; "none" and a "reason: " line when the
 *           domain has no record.
 *   verify  the Authentication-Results field that would be added (folded
 *           with a tab), then one line "dmarc=<result> policy=<none|
 *           quarantine|reject> reject=<yes|no>".
 * Exit status 0 when the command ran (whatever the result), 1 when it could
 * not (resolver, unreadable input, a report that does not parse), 2 on a
 * usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <mox/addr.h>
#include <mox/dkim.h>
#include <mox/dmarc.h>
#include <mox/dns.h>
#include <mox/spf.h>

#include "mox.h"

/* --- helpers --- */

/* Text with control characters, DEL and backslash as \DDD. */
static void
put_text(const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\%03u", c);
		else
			putchar(c);
	}
}

static void
put_line(const char *key, const char *val)
{
	if (val == NULL)
		return;
	printf("%s: ", key);
	put_text(val);
	putchar('\n');
}

/* A -now value; 0 on success. */
static int
parse_now(const char *s, int64_t *out)
{
	char *end;
	long long t;

	errno = 0;
	t = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || t <= 0 || errno != 0)
		return -1;
	*out = t;
	return 0;
}

/* Whether <domain> operand is a domain name (reported when not). */
static bool
domain_ok(const char *s)
{
	mox_domain d;
	int rc;

	rc = mox_domain_parse(&d, s, strlen(s), MOX_DOMAIN_ALLOW_TRAILING_DOT);
	if (rc != MOX_OK || strchr(s, '@') != NULL) {
		mox_errorf("<domain> wants a domain name, not \"%s\"", s);
		return false;
	}
	return true;
}

/* The DMARC result for the From domain <domain> with no SPF or DKIM
 * results: policy discovery only. MOX_OK or an error (reported). */
static int
discover(mox_dmarc_result *res, mox_resolver *r, const char *domain,
    const mox_dmarc_options *opts)
{
	mox_domain d;
	char *hdr;
	size_t n;
	int rc;

	rc = mox_domain_parse(&d, domain, strlen(domain),
	    MOX_DOMAIN_ALLOW_TRAILING_DOT);
	if (rc != MOX_OK) {
		mox_errorf("bad domain \"%s\": %s", domain, mox_strerror(rc));
		return rc;
	}
	/* A header section with just a From field of that domain. */
	n = strlen(d.ascii) + 64;
	hdr = malloc(n);
	if (hdr == NULL) {
		mox_errorf("out of memory");
		return MOX_ENOMEM;
	}
	snprintf(hdr, n, "From: <postmaster@%s>\r\n\r\n", d.ascii);
	rc = mox_dmarc_check(res, r, (const uint8_t *)hdr, strlen(hdr), NULL,
	    NULL, 0, opts);
	free(hdr);
	if (rc != MOX_OK)
		mox_errorf("dmarc: %s", mox_strerror(rc));
	return rc;
}

/* Common flags of lookup and checkreportaddrs: resolver flags and
 * -rfc7489. Returns the index of the first operand, or -1 (usage, status
 * in *status). */
static int
take_flags(int argc, char **argv, struct rflags *rf, bool *rfc7489,
    void (*usage)(FILE *), int *status)
{
	int i, rc;

	rflags_init(rf);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			*status = 0;
			return -1;
		}
		if (strcmp(argv[i], "-rfc7489") == 0) {
			*rfc7489 = true;
			continue;
		}
		rc = rflags_take(rf, argc, argv, &i);
		if (rc < 0) {
			*status = EXIT_USAGE;
			return -1;
		}
		if (rc == 0) {
			mox_errorf("unknown flag %s", argv[i]);
			usage(stderr);
			*status = EXIT_USAGE;
			return -1;
		}
	}
	return i;
}

/* Options for the mode; in RFC 7489 mode *psl is loaded. MOX_OK or an
 * error (reported). */
static int
mode_options(mox_dmarc_options *o, mox_dmarc_psl **psl, bool rfc7489)
{
	int rc;

	if (!rfc7489)
		return MOX_OK;
	rc = mox_dmarc_psl_load(psl, NULL);
	if (rc != MOX_OK) {
		mox_errorf("public suffix list: %s", mox_strerror(rc));
		return rc;
	}
	o->flags |= MOX_DMARC_RFC7489;
	o->psl = *psl;
	return MOX_OK;
}

/* --- lookup --- */

static void
lookup_usage(FILE *f)
{
	fputs("usage: mox dmarc lookup [-zone FILE] [resolver flags] [-rfc7489]\n"
	      "           <domain>\n"
	      "\n"
	      "Discovers the DMARC policy of mail whose From domain is <domain>\n"
	      "(RFC 9989 DNS tree walk; -rfc7489: _dmarc.<domain>, then the\n"
	      "organizational domain from the Public Suffix List). With a record\n"
	      "prints \"record: \" (its text), \"domain: \" (where it was found),\n"
	      "\"org-domain: \" (when it was determined) and \"policy: \" (p, sp or\n"
	      "np as it applies to <domain>); without one the word none alone\n"
	      "and a \"reason: \" line; for a DNS failure or an unusable record\n"
	      "the word temperror or permerror alone, a \"reason: \" line and the\n"
	      "record lines where there is a record. Then\n"
	      "\"authentic: \" and \"queries: \". Exit status 0 when the discovery\n"
	      "ran, 1 when it could not, 2 on a usage error.\n"
	      "\n"
	      "  -rfc7489              RFC 7489 discovery (Public Suffix List)\n",
	    f);
	fputs(rflags_help, f);
}

static int
dmarc_lookup(int argc, char **argv)
{
	struct rflags rf;
	mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	mox_dmarc_psl *psl = NULL;
	mox_resolver *r = NULL;
	bool rfc7489 = false;
	int i, status = 1;

	i = take_flags(argc, argv, &rf, &rfc7489, lookup_usage, &status);
	if (i < 0)
		return status;
	if (argc - i != 1) {
		lookup_usage(stderr);
		return EXIT_USAGE;
	}
	if (!domain_ok(argv[i]))
		return EXIT_USAGE;
	if (mode_options(&o, &psl, rfc7489) != MOX_OK)
		goto out;
	r = rflags_open(&rf);
	if (r == NULL)
		goto out;
	if (discover(&res, r, argv[i], &o) != MOX_OK)
		goto out;
	if (res.verdict == MOX_DMARC_PERMERROR ||
	    res.verdict == MOX_DMARC_TEMPERROR) {
		printf("%s\n", mox_dmarc_verdict_name(res.verdict));
		put_line("reason", res.reason);
		put_line("record", res.record);
		put_line("domain", res.record_domain);
		put_line("org-domain", res.org_domain);
	} else if (res.record != NULL) {
		put_line("record", res.record);
		put_line("domain", res.record_domain);
		put_line("org-domain", res.org_domain);
		if (res.policy_requested != MOX_DMARC_P_UNSET)
			put_line("policy",
			    mox_dmarc_policy_name(res.policy_requested));
	} else {
		printf("%s\n", mox_dmarc_verdict_name(res.verdict));
		put_line("reason", res.reason != NULL ? res.reason :
		    "no DMARC record");
		put_line("org-domain", res.org_domain);
	}
	printf("authentic: %s\n", res.authentic ? "yes" : "no");
	printf("queries: %u\n", res.queries);
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	mox_dmarc_result_release(&res);
	mox_resolver_free(r);
	mox_dmarc_psl_free(psl);
	return status;
}

/* --- checkreportaddrs --- */

static void
checkaddrs_usage(FILE *f)
{
	fputs("usage: mox dmarc checkreportaddrs [-zone FILE] [resolver flags]\n"
	      "           [-rfc7489] <domain>\n"
	      "\n"
	      "Discovers the DMARC record for <domain> and prints one line per\n"
	      "rua= and ruf= URI: \"<uri> ok\" when reports may be sent there, or\n"
	      "\"<uri> not-authorized\". A destination outside the record's\n"
	      "(organizational) domain must publish a TXT record starting with\n"
	      "v=DMARC1 at <record-domain>._report._dmarc.<destination> (RFC\n"
	      "9990, RFC 7489 7.1); only mailto: URIs are usable. Without a\n"
	      "record prints none and a \"reason: \" line. Exit status 0 when\n"
	      "the checks ran, 1 when they could not, 2 on a usage error.\n"
	      "\n"
	      "  -rfc7489              RFC 7489 discovery (Public Suffix List)\n",
	    f);
	fputs(rflags_help, f);
}

/* Whether name is base or a subdomain of it (ASCII, no trailing dots). */
static bool
in_domain(const char *name, const char *base)
{
	size_t n = strlen(name), b = strlen(base);

	if (n == b)
		return strcasecmp(name, base) == 0;
	return n > b && name[n - b - 1] == '.' &&
	    strcasecmp(name + n - b, base) == 0;
}

/* Check one URI; prints its line. Returns MOX_OK or an error (reported). */
static int
check_uri(mox_resolver *r, const mox_dmarc_psl *psl, const char *uri,
    const char *recdomain, const char *base)
{
	char dest[512], name[1024], dorg[512];
	const char *at, *end;
	mox_dns_answer *ans = NULL;
	mox_domain d;
	size_t n;
	int rc, ok = 0;

	if (strncasecmp(uri, "mailto:", 7) != 0)
		goto print;
	at = strrchr(uri, '@');
	if (at == NULL)
		goto print;
	at++;
	end = strchr(at, '!');
	n = end != NULL ? (size_t)(end - at) : strlen(at);
	if (n == 0 || n >= sizeof(dest))
		goto print;
	memcpy(dest, at, n);
	dest[n] = '\0';
	if (mox_domain_parse(&d, dest, n, MOX_DOMAIN_ALLOW_TRAILING_DOT) !=
	    MOX_OK)
		goto print;
	snprintf(dest, sizeof(dest), "%s", d.ascii);
	n = strlen(dest);
	if (n > 0 && dest[n - 1] == '.')
		dest[n - 1] = '\0';
	/* Internal: the destination is in the policy's organizational domain
	 * (with the list: the two organizational domains are the same). */
	if (psl != NULL) {
		char rorg[512];

		mox_dmarc_psl_orgdomain(dorg, sizeof(dorg), psl, dest);
		mox_dmarc_psl_orgdomain(rorg, sizeof(rorg), psl, recdomain);
		if (strcasecmp(dorg, rorg) == 0) {
			ok = 1;
			goto print;
		}
	} else if (in_domain(dest, base) || in_domain(dest, recdomain)) {
		ok = 1;
		goto print;
	}
	if (mox_dmarc_report_auth_name(name, sizeof(name), recdomain, dest) >=
	    sizeof(name))
		goto print;
	rc = mox_dns_lookup(r, name, MOX_DNS_TXT, &ans);
	if (rc != MOX_OK && rc != MOX_EINVAL) {
		mox_errorf("lookup %s: %s", name, mox_strerror(rc));
		return rc;
	}
	if (ans != NULL)
		ok = mox_dmarc_report_auth_check(ans) == 1;
	mox_dns_answer_free(ans);
print:
	put_text(uri);
	printf(" %s\n", ok ? "ok" : "not-authorized");
	return MOX_OK;
}

static int
dmarc_checkaddrs(int argc, char **argv)
{
	struct rflags rf;
	mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	mox_dmarc_psl *psl = NULL;
	mox_dmarc_record *rec = NULL;
	const mox_dmarc_record_info *ri;
	mox_resolver *r = NULL;
	const char *base, *msg = NULL;
	bool rfc7489 = false;
	size_t k;
	int i, rc, status = 1;

	i = take_flags(argc, argv, &rf, &rfc7489, checkaddrs_usage, &status);
	if (i < 0)
		return status;
	if (argc - i != 1) {
		checkaddrs_usage(stderr);
		return EXIT_USAGE;
	}
	if (!domain_ok(argv[i]))
		return EXIT_USAGE;
	if (mode_options(&o, &psl, rfc7489) != MOX_OK)
		goto out;
	r = rflags_open(&rf);
	if (r == NULL)
		goto out;
	if (discover(&res, r, argv[i], &o) != MOX_OK)
		goto out;
	if (res.record == NULL || res.record_domain == NULL) {
		printf("%s\n", mox_dmarc_verdict_name(res.verdict));
		put_line("reason", res.reason != NULL ? res.reason :
		    "no DMARC record");
		status = 0;
		goto out;
	}
	rc = mox_dmarc_record_parse(&rec, (const uint8_t *)res.record,
	    strlen(res.record), &msg);
	if (rc != MOX_OK) {
		printf("permerror\n");
		put_line("reason", msg != NULL ? msg : mox_strerror(rc));
		status = 0;
		goto out;
	}
	ri = mox_dmarc_record_view(rec);
	base = res.org_domain != NULL ? res.org_domain : res.record_domain;
	for (k = 0; k < ri->nrua; k++)
		if (check_uri(r, psl, ri->rua[k], res.record_domain, base) !=
		    MOX_OK)
			goto out;
	for (k = 0; k < ri->nruf; k++)
		if (check_uri(r, psl, ri->ruf[k], res.record_domain, base) !=
		    MOX_OK)
			goto out;
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	mox_dmarc_record_free(rec);
	mox_dmarc_result_release(&res);
	mox_resolver_free(r);
	mox_dmarc_psl_free(psl);
	return status;
}

/* --- parsereportmsg --- */

static void
parsereport_usage(FILE *f)
{
	fputs("usage: mox dmarc parsereportmsg < email\n"
	      "\n"
	      "Finds the aggregate report in a DMARC report email (gzip, zip or\n"
	      "XML attachment, or the body) and prints it as one JSON object\n"
	      "whose keys are the XML element names:\n"
	      "{\"feedback\":{\"report_metadata\":{...},\"policy_published\":{...},\n"
	      "\"record\":[{\"row\":{...},\"identifiers\":{...},\"auth_results\":\n"
	      "{\"dkim\":[...],\"spf\":[...]}}]}}. Absent elements are left out;\n"
	      "begin, end, count and pct are numbers. Exit status 0 on success,\n"
	      "1 when no report is found or it does not parse, 2 on a usage\n"
	      "error.\n",
	    f);
}

/* JSON output with comma handling: one flag per nesting level. */
struct json {
	bool need_comma[16];
	int depth;
};

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
json_sep(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		putchar(',');
	j->need_comma[j->depth] = true;
	if (key != NULL) {
		json_str(key);
		putchar(':');
	}
}

static void
json_open(struct json *j, const char *key, char c)
{
	json_sep(j, key);
	putchar(c);
	j->depth++;
	j->need_comma[j->depth] = false;
}

static void
json_close(struct json *j, char c)
{
	j->depth--;
	putchar(c);
}

static void
json_kv(struct json *j, const char *key, const char *val)
{
	if (val == NULL)
		return;
	json_sep(j, key);
	json_str(val);
}

static void
json_kn(struct json *j, const char *key, int64_t v)
{
	json_sep(j, key);
	printf("%" PRId64, v);
}

/* Name of an enumerated value from table t (index = value), or NULL for
 * ABSENT; "invalid" for INVALID or out of range. */
static const char *
enum_name(const char *const *t, size_t n, int v)
{
	if (v == MOX_DMARC_REPORT_ABSENT)
		return NULL;
	if (v < 0 || (size_t)v >= n || t[v] == NULL)
		return "invalid";
	return t[v];
}

#define ENUM(t, v) enum_name((t), sizeof(t) / sizeof(*(t)), (v))

static const char *const policy_names[] = { NULL, "none", "quarantine",
	"reject" };
static const char *const disposition_names[] = { NULL, "none",
	"quarantine", "reject", "pass" };
static const char *const verdict_names[] = { "none", "pass", "fail",
	"temperror", "permerror" };
static const char *const dkim_names[] = { "none", "pass", "fail",
	"neutral", "policy", "temperror", "permerror" };
static const char *const spf_names[] = { "none", "neutral", "pass", "fail",
	"softfail", "temperror", "permerror", "policy" };
static const char *const align_names[] = { "r", "s" };
static const char *const testing_names[] = { "n", "y" };
static const char *const psd_names[] = { "u", "y", "n" };
static const char *const discovery_names[] = { NULL, "psl", "treewalk" };
static const char *const scope_names[] = { NULL, "mfrom", "helo" };
static const char *const override_names[] = { NULL, "forwarded",
	"sampled_out", "trusted_forwarder", "mailing_list", "local_policy",
	"other", "policy_test_mode" };

static void
json_row(struct json *j, const mox_dmarc_report_row *row)
{
	size_t k;

	json_open(j, NULL, '{');
	json_open(j, "row", '{');
	json_kv(j, "source_ip", row->source_ip);
	json_kn(j, "count", (int64_t)row->count);
	json_open(j, "policy_evaluated", '{');
	json_kv(j, "disposition", ENUM(disposition_names, row->disposition));
	json_kv(j, "dkim", ENUM(verdict_names, row->dkim));
	json_kv(j, "spf", ENUM(verdict_names, row->spf));
	json_open(j, "reason", '[');
	for (k = 0; k < row->nreasons; k++) {
		json_open(j, NULL, '{');
		json_kv(j, "type", ENUM(override_names, row->reasons[k].type));
		json_kv(j, "comment", row->reasons[k].comment);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
	json_close(j, '}');
	json_open(j, "identifiers", '{');
	json_kv(j, "header_from", row->header_from);
	json_kv(j, "envelope_from", row->envelope_from);
	json_kv(j, "envelope_to", row->envelope_to);
	json_close(j, '}');
	json_open(j, "auth_results", '{');
	json_open(j, "dkim", '[');
	for (k = 0; k < row->ndkim; k++) {
		const mox_dmarc_report_dkim *d = &row->dkim_results[k];

		json_open(j, NULL, '{');
		json_kv(j, "domain", d->domain);
		json_kv(j, "selector", d->selector);
		json_kv(j, "result", ENUM(dkim_names, d->result));
		json_kv(j, "human_result", d->human_result);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_open(j, "spf", '[');
	for (k = 0; k < row->nspf; k++) {
		const mox_dmarc_report_spf *s = &row->spf_results[k];

		json_open(j, NULL, '{');
		json_kv(j, "domain", s->domain);
		json_kv(j, "scope", ENUM(scope_names, s->scope));
		json_kv(j, "result", ENUM(spf_names, s->result));
		json_kv(j, "human_result", s->human_result);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
	json_close(j, '}');
}

static int
dmarc_parsereport(int argc, char **argv)
{
	mox_dmarc_report *rep = NULL;
	const mox_dmarc_report_meta *m;
	struct json j;
	uint8_t *msg;
	size_t len, k;
	char err[512];
	int rc, status = 1;

	if (argc == 2 && is_help(argv[1])) {
		parsereport_usage(stdout);
		return 0;
	}
	if (argc != 1) {
		parsereport_usage(stderr);
		return EXIT_USAGE;
	}
	msg = read_all(stdin, &len);
	if (msg == NULL) {
		mox_errorf("reading the message: %s", strerror(errno));
		return 1;
	}
	err[0] = '\0';
	rc = mox_dmarc_report_from_message(&rep, msg, len, NULL, err,
	    sizeof(err));
	free(msg);
	if (rc != MOX_OK) {
		if (rc == MOX_ENOTFOUND)
			mox_errorf("no report found in the message");
		else
			mox_errorf("parsing the report: %s",
			    err[0] != '\0' ? err : mox_strerror(rc));
		return 1;
	}
	m = mox_dmarc_report_view(rep);
	memset(&j, 0, sizeof(j));
	json_open(&j, NULL, '{');
	json_open(&j, "feedback", '{');
	json_kv(&j, "version", m->report_version);
	json_open(&j, "report_metadata", '{');
	json_kv(&j, "org_name", m->org_name);
	json_kv(&j, "email", m->email);
	json_kv(&j, "extra_contact_info", m->extra_contact_info);
	json_kv(&j, "report_id", m->report_id);
	json_open(&j, "date_range", '{');
	json_kn(&j, "begin", m->begin);
	json_kn(&j, "end", m->end);
	json_close(&j, '}');
	if (m->nerrors > 0) {
		json_open(&j, "error", '[');
		for (k = 0; k < m->nerrors; k++)
			json_kv(&j, NULL, m->errors[k]);
		json_close(&j, ']');
	}
	json_kv(&j, "generator", m->generator);
	json_close(&j, '}');
	json_open(&j, "policy_published", '{');
	json_kv(&j, "domain", m->domain);
	json_kv(&j, "discovery_method",
	    ENUM(discovery_names, m->discovery_method));
	json_kv(&j, "adkim", ENUM(align_names, m->adkim));
	json_kv(&j, "aspf", ENUM(align_names, m->aspf));
	json_kv(&j, "p", ENUM(policy_names, m->p));
	json_kv(&j, "sp", ENUM(policy_names, m->sp));
	json_kv(&j, "np", ENUM(policy_names, m->np));
	json_kv(&j, "testing", ENUM(testing_names, m->testing));
	if (m->pct >= 0)
		json_kn(&j, "pct", m->pct);
	json_kv(&j, "fo", m->fo);
	json_kv(&j, "psd", ENUM(psd_names, m->psd));
	json_close(&j, '}');
	json_open(&j, "record", '[');
	for (k = 0; k < mox_dmarc_report_row_count(rep); k++)
		json_row(&j, mox_dmarc_report_get_row(rep, k));
	json_close(&j, ']');
	json_close(&j, '}');
	json_close(&j, '}');
	putchar('\n');
	status = fflush(stdout) == 0 ? 0 : 1;
	mox_dmarc_report_free(rep);
	return status;
}

/* --- verify --- */

static void
verify_usage(FILE *f)
{
	fputs("usage: mox dmarc verify [-zone FILE] [resolver flags] [-now T]\n"
	      "           [-rfc7489] [-hostname NAME] -remoteip IP -mailfrom ADDR\n"
	      "           -ehlo NAME < message\n"
	      "\n"
	      "Verifies the message on standard input as a receiver would: SPF\n"
	      "(RFC 7208) for the MAIL FROM address, or for the EHLO name when\n"
	      "MAIL FROM is null (\"<>\" or \"\"), DKIM (RFC 6376) for every\n"
	      "signature, and DMARC (RFC 9989, or RFC 7489 with -rfc7489) from\n"
	      "those results. Prints the Authentication-Results field it would\n"
	      "add (spf=, one dkim= per signature, dmarc=; folded), then one\n"
	      "line \"dmarc=<result> policy=<none|quarantine|reject>\n"
	      "reject=<yes|no>\" (policy after t=y and pct). Exit status 0 when\n"
	      "the verification ran (whatever the result), 1 when it could not,\n"
	      "2 on a usage error.\n"
	      "\n"
	      "  -remoteip IP          the SMTP client's address\n"
	      "  -mailfrom ADDR        MAIL FROM address; \"<>\" or \"\" for null\n"
	      "  -ehlo NAME            the EHLO/HELO name\n"
	      "  -now T                the clock for DKIM t= and x= and SPF %{t},\n"
	      "                        seconds since the epoch (default now)\n"
	      "  -rfc7489              RFC 7489 DMARC (Public Suffix List, pct=)\n"
	      "  -hostname NAME        authserv-id of the field (default the\n"
	      "                        host name)\n",
	    f);
	fputs(rflags_help, f);
}

/* Append a resinfo to the field: "; " and a folded line. */
static void
authres_add(const char *resinfo)
{
	printf(";\n\t");
	put_text(resinfo);
}

static int
dmarc_verify(int argc, char **argv)
{
	struct rflags rf;
	const char *remoteip = NULL, *mailfrom = NULL, *ehlo = NULL;
	const char *hostname = NULL;
	char hostbuf[256];
	mox_spf_request sreq = MOX_SPF_REQUEST_INIT;
	mox_spf_result sres = MOX_SPF_RESULT_INIT;
	mox_dkim_verify_options vo = MOX_DKIM_VERIFY_OPTIONS_INIT;
	mox_dkim_result *dres = NULL;
	size_t ndres = 0, k, need;
	mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	mox_dmarc_spf ds;
	mox_dmarc_dkim *dd = NULL;
	mox_dmarc_psl *psl = NULL;
	mox_resolver *r = NULL;
	uint8_t *msg = NULL;
	size_t mlen = 0;
	char *buf = NULL;
	bool rfc7489 = false, null_sender;
	int64_t now = 0;
	int i, rc, status = 1;

	rflags_init(&rf);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *f = argv[i];

		if (is_help(f)) {
			verify_usage(stdout);
			return 0;
		}
		rc = rflags_take(&rf, argc, argv, &i);
		if (rc < 0)
			return EXIT_USAGE;
		if (rc > 0)
			continue;
		if (strcmp(f, "-rfc7489") == 0) {
			rfc7489 = true;
			continue;
		}
		if (strcmp(f, "-remoteip") != 0 && strcmp(f, "-mailfrom") != 0 &&
		    strcmp(f, "-ehlo") != 0 && strcmp(f, "-now") != 0 &&
		    strcmp(f, "-hostname") != 0) {
			mox_errorf("unknown flag %s", f);
			verify_usage(stderr);
			return EXIT_USAGE;
		}
		if (i + 1 >= argc) {
			mox_errorf("flag %s needs a value", f);
			return EXIT_USAGE;
		}
		i++;
		if (strcmp(f, "-remoteip") == 0) {
			remoteip = argv[i];
		} else if (strcmp(f, "-mailfrom") == 0) {
			mailfrom = argv[i];
		} else if (strcmp(f, "-ehlo") == 0) {
			ehlo = argv[i];
		} else if (strcmp(f, "-hostname") == 0) {
			hostname = argv[i];
		} else if (parse_now(argv[i], &now) != 0) {
			mox_errorf("-now wants seconds since the epoch");
			return EXIT_USAGE;
		}
	}
	if (i != argc || remoteip == NULL || mailfrom == NULL || ehlo == NULL) {
		if (i == argc)
			mox_errorf("-remoteip, -mailfrom and -ehlo are required");
		verify_usage(stderr);
		return EXIT_USAGE;
	}
	rc = mox_ip_parse(&sreq.ip, remoteip, strlen(remoteip));
	if (rc != MOX_OK) {
		mox_errorf("bad IP address \"%s\": %s", remoteip,
		    mox_strerror(rc));
		return EXIT_USAGE;
	}
	if (ehlo[0] == '\0') {
		mox_errorf("-ehlo wants a name");
		return EXIT_USAGE;
	}
	null_sender = mailfrom[0] == '\0' || strcmp(mailfrom, "<>") == 0;
	if (hostname == NULL) {
		if (gethostname(hostbuf, sizeof(hostbuf)) == 0 &&
		    hostbuf[0] != '\0') {
			hostbuf[sizeof(hostbuf) - 1] = '\0';
			hostname = hostbuf;
		} else {
			hostname = "localhost";
		}
	}
	if (mode_options(&o, &psl, rfc7489) != MOX_OK)
		goto out;
	r = rflags_open(&rf);
	if (r == NULL)
		goto out;
	msg = read_all(stdin, &mlen);
	if (msg == NULL) {
		mox_errorf("reading the message: %s", strerror(errno));
		goto out;
	}

	/* SPF: MAIL FROM, or the EHLO name for the null reverse-path. */
	sreq.identity = MOX_SPF_MAILFROM;
	sreq.sender = null_sender ? NULL : mailfrom;
	sreq.helo = ehlo;
	sreq.receiver = hostname;
	sreq.now = now;
	rc = mox_spf_check(&sres, r, &sreq);
	if (rc != MOX_OK) {
		mox_errorf("spf: %s", mox_strerror(rc));
		goto out;
	}

	/* DKIM. */
	vo.now = now;
	rc = mox_dkim_verify(&dres, &ndres, r, &vo, msg, mlen);
	if (rc != MOX_OK) {
		mox_errorf("dkim: %s", mox_strerror(rc));
		goto out;
	}

	/* DMARC. */
	ds.result = sres.verdict;
	ds.domain = sres.domain != NULL && sres.domain[0] != '\0' ?
	    sres.domain : NULL;
	ds.helo = null_sender;
	if (ndres > 0) {
		dd = calloc(ndres, sizeof(*dd));
		if (dd == NULL) {
			mox_errorf("out of memory");
			goto out;
		}
	}
	for (k = 0; k < ndres; k++) {
		dd[k].result = dres[k].verdict;
		dd[k].domain = dres[k].domain;
		dd[k].selector = dres[k].selector;
	}
	rc = mox_dmarc_check(&res, r, msg, mlen, &ds, dd, ndres, &o);
	if (rc != MOX_OK) {
		mox_errorf("dmarc: %s", mox_strerror(rc));
		goto out;
	}

	/* The field. */
	need = mox_spf_authres(NULL, 0, &sres, &sreq);
	for (k = 0; k < ndres; k++) {
		size_t n = mox_dkim_authres(NULL, 0, &dres[k]);

		if (n > need)
			need = n;
	}
	if (mox_dmarc_authres(NULL, 0, &res) > need)
		need = mox_dmarc_authres(NULL, 0, &res);
	buf = malloc(need + 1);
	if (buf == NULL) {
		mox_errorf("out of memory");
		goto out;
	}
	printf("Authentication-Results: ");
	put_text(hostname);
	mox_spf_authres(buf, need + 1, &sres, &sreq);
	authres_add(buf);
	if (ndres == 0)
		authres_add("dkim=none");
	for (k = 0; k < ndres; k++) {
		mox_dkim_authres(buf, need + 1, &dres[k]);
		authres_add(buf);
	}
	mox_dmarc_authres(buf, need + 1, &res);
	authres_add(buf);
	putchar('\n');
	printf("dmarc=%s policy=%s reject=%s\n",
	    mox_dmarc_verdict_name(res.verdict),
	    mox_dmarc_policy_name(res.policy),
	    res.reject ? "yes" : "no");
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	free(buf);
	free(dd);
	mox_dmarc_result_release(&res);
	for (k = 0; k < ndres; k++)
		mox_dkim_result_release(&dres[k]);
	mox_dkim_free(dres);
	mox_spf_result_release(&sres);
	free(msg);
	mox_resolver_free(r);
	mox_dmarc_psl_free(psl);
	return status;
}

/* --- dispatch --- */

static void
dmarc_usage(FILE *f)
{
	fputs("usage: mox dmarc lookup [-zone FILE] [resolver flags] <domain>\n"
	      "       mox dmarc parsereportmsg < email\n"
	      "       mox dmarc checkreportaddrs [-zone FILE] [resolver flags] "
	      "<domain>\n"
	      "       mox dmarc verify [-zone FILE] [-now T] [-rfc7489] "
	      "-remoteip IP\n"
	      "           -mailfrom ADDR -ehlo NAME < message\n"
	      "\n"
	      "DMARC (RFC 9989, RFC 7489): discover a domain's policy, parse an\n"
	      "aggregate report email, check a record's report addresses, verify\n"
	      "a message with SPF, DKIM and DMARC. \"mox dmarc <subcommand>\n"
	      "-help\" for details.\n",
	    f);
}

int
cmd_dmarc(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "lookup") == 0)
		return dmarc_lookup(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "parsereportmsg") == 0)
		return dmarc_parsereport(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "checkreportaddrs") == 0)
		return dmarc_checkaddrs(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return dmarc_verify(argc - 1, argv + 1);
	if (argc == 2 && is_help(argv[1])) {
		dmarc_usage(stdout);
		return 0;
	}
	dmarc_usage(stderr);
	return EXIT_USAGE;
}
