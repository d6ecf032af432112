/* SPDX-License-Identifier: MIT */
/*
 * cmd_spf.c -- mox spf check|lookup|parse: SPF (RFC 7208) evaluation,
 * record lookup and record parsing, over the mox resolver (in-memory from
 * -zone FILE, or libunbound).
 *
 * Output contract (scripts parse it):
 *   check   first line: the result word alone (none, neutral, pass, fail,
 *           softfail, temperror, permerror); then "mechanism: ",
 *           "explanation: " and "reason: " lines where they apply; then
 *           "key: value" lines (domain, checked, mechanism-domain,
 *           authentic, dns-terms, void-lookups, queries, received-spf,
 *           authentication-results). Exit 0 whenever the evaluation
 *           completed, whatever the result; 1 when it could not run; 2 on
 *           a usage error.
 *   lookup  one line per SPF record of the domain (the TXT text, octets
 *           outside printable ASCII as \DDD), then ";; key: value" lines.
 *   parse   the canonical record, then one line per term.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mox/addr.h>
#include <mox/dns.h>
#include <mox/spf.h>

#include "mox.h"


/* --- output helpers --- */

/* Text as \DDD where it is not printable: control characters, DEL and
 * backslash always, octets above 0x7f unless utf8 (UTF-8 from the
 * library's results is printed as is; TXT data from DNS is not). */
static void
put_text(const char *p, size_t n, bool utf8)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f || c == '\\' || (c > 0x7f && !utf8))
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
	put_text(val, strlen(val), true);
	putchar('\n');
}

/* The domain of a name or address, for comparisons: after the last '@',
 * without a trailing dot. */
static void
domain_part(const char *s, const char **p, size_t *n)
{
	const char *at = strrchr(s, '@');

	*p = at != NULL ? at + 1 : s;
	*n = strlen(*p);
	if (*n > 0 && (*p)[*n - 1] == '.')
		(*n)--;
}

static bool
same_domain(const char *a, const char *b)
{
	const unsigned int fl = MOX_DOMAIN_ALLOW_UNDERSCORE |
	    MOX_DOMAIN_ALLOW_TRAILING_DOT;
	const char *pa, *pb;
	size_t na, nb;
	mox_domain da, db;

	domain_part(a, &pa, &na);
	domain_part(b, &pb, &nb);
	/* Compare A-labels where both are names (so that bücher.example and
	 * xn--bcher-kva.example are the same), else the text. */
	if (mox_domain_parse(&da, pa, na, fl) == MOX_OK &&
	    mox_domain_parse(&db, pb, nb, fl) == MOX_OK)
		return mox_domain_equal(&da, &db);
	return na == nb && strncasecmp(pa, pb, na) == 0;
}

/* --- check --- */

static void
check_usage(FILE *f)
{
	fputs("usage: mox spf check [-zone FILE] [resolver flags] [-sender ADDR]\n"
	      "           [-helo NAME] [-identity mailfrom|helo] [-receiver NAME]\n"
	      "           [-now SECONDS] [-no-explanation] <domain> <ip>\n"
	      "\n"
	      "Evaluates check_host() (RFC 7208) for a client at <ip> claiming\n"
	      "<domain>. Prints the result word alone on the first line (none,\n"
	      "neutral, pass, fail, softfail, temperror, permerror), then where\n"
	      "they apply \"mechanism: \" (the deciding term), \"explanation: \"\n"
	      "(the exp= text of a fail) and \"reason: \" (why none, temperror or\n"
	      "permerror) lines, then domain, checked identity, authentic, DNS\n"
	      "counts, received-spf and authentication-results lines. Exit status\n"
	      "0 when the evaluation completed (whatever the result), 1 when it\n"
	      "could not run, 2 on a usage error.\n"
	      "\n"
	      "  -sender ADDR          MAIL FROM address (default postmaster@<domain>);\n"
	      "                        its domain must be <domain>; \"<>\" or \"\" for\n"
	      "                        the null reverse-path (then the HELO name,\n"
	      "                        which must be <domain>, is checked)\n"
	      "  -helo NAME            HELO/EHLO name for %{h} (default <domain>)\n"
	      "  -identity mailfrom|helo   which identity to check (default\n"
	      "                        mailfrom); helo checks postmaster@<helo>\n"
	      "  -receiver NAME        receiving host for %{r} and received-spf\n"
	      "  -now SECONDS          time for %{t} (default: now)\n"
	      "  -no-explanation       do not look up the exp= explanation\n",
	    f);
	fputs(rflags_help, f);
}

static int
spf_check(int argc, char **argv)
{
	struct rflags rf;
	const char *sender = NULL, *helo = NULL, *receiver = NULL;
	const char *domain, *ipstr;
	mox_spf_request req = MOX_SPF_REQUEST_INIT;
	mox_spf_result res = MOX_SPF_RESULT_INIT;
	mox_resolver *r = NULL;
	char defsender[MOX_DOMAIN_UNICODE_SIZE + 16];
	char *buf = NULL;
	size_t need;
	bool null_sender = false, helo_identity = false;
	int i, rc, status = 1;

	rflags_init(&rf);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *f = argv[i];

		if (strcmp(f, "-help") == 0 || strcmp(f, "-h") == 0) {
			check_usage(stdout);
			return 0;
		}
		rc = rflags_take(&rf, argc, argv, &i);
		if (rc < 0)
			return EXIT_USAGE;
		if (rc > 0)
			continue;
		if (strcmp(f, "-no-explanation") == 0) {
			req.explanation = false;
			continue;
		}
		if (strcmp(f, "-sender") != 0 && strcmp(f, "-helo") != 0 &&
		    strcmp(f, "-receiver") != 0 && strcmp(f, "-now") != 0 &&
		    strcmp(f, "-identity") != 0) {
			mox_errorf("unknown flag %s", f);
			check_usage(stderr);
			return EXIT_USAGE;
		}
		if (i + 1 >= argc) {
			mox_errorf("flag %s needs a value", f);
			return EXIT_USAGE;
		}
		i++;
		if (strcmp(f, "-sender") == 0) {
			sender = argv[i];
			null_sender = sender[0] == '\0' ||
			    strcmp(sender, "<>") == 0;
		} else if (strcmp(f, "-helo") == 0) {
			helo = argv[i];
		} else if (strcmp(f, "-receiver") == 0) {
			receiver = argv[i];
		} else if (strcmp(f, "-identity") == 0) {
			if (strcmp(argv[i], "helo") == 0) {
				helo_identity = true;
			} else if (strcmp(argv[i], "mailfrom") == 0) {
				helo_identity = false;
			} else {
				mox_errorf("-identity wants mailfrom or helo, "
				    "not \"%s\"", argv[i]);
				return EXIT_USAGE;
			}
		} else {
			char *end;
			long long t = strtoll(argv[i], &end, 10);

			if (argv[i][0] == '\0' || *end != '\0' || t <= 0) {
				mox_errorf("-now wants seconds since the epoch");
				return EXIT_USAGE;
			}
			req.now = t;
		}
	}
	if (argc - i != 2) {
		check_usage(stderr);
		return EXIT_USAGE;
	}
	domain = argv[i];
	ipstr = argv[i + 1];
	if (domain[0] == '\0' || strchr(domain, '@') != NULL ||
	    strlen(domain) >= MOX_DOMAIN_UNICODE_SIZE) {
		mox_errorf("<domain> wants a domain name, not \"%s\" (use "
		    "-sender for an address)", domain);
		return EXIT_USAGE;
	}
	rc = mox_ip_parse(&req.ip, ipstr, strlen(ipstr));
	if (rc != MOX_OK) {
		mox_errorf("bad IP address \"%s\": %s", ipstr,
		    mox_strerror(rc));
		return EXIT_USAGE;
	}
	if (helo == NULL)
		helo = domain;
	if (helo_identity || null_sender) {
		/* The HELO name is what is checked. */
		if (!same_domain(helo, domain)) {
			mox_errorf("the HELO name \"%s\" is checked, but it is "
			    "not <domain> \"%s\"", helo, domain);
			return EXIT_USAGE;
		}
	} else if (sender != NULL) {
		if (!same_domain(sender, domain)) {
			mox_errorf("the domain of -sender \"%s\" is not "
			    "<domain> \"%s\"", sender, domain);
			return EXIT_USAGE;
		}
	} else {
		snprintf(defsender, sizeof(defsender), "postmaster@%s", domain);
		sender = defsender;
	}
	req.identity = helo_identity ? MOX_SPF_HELO : MOX_SPF_MAILFROM;
	req.sender = null_sender ? NULL : sender;
	req.helo = helo;
	req.receiver = receiver;

	r = rflags_open(&rf);
	if (r == NULL)
		goto out;
	rc = mox_spf_check(&res, r, &req);
	if (rc != MOX_OK) {
		mox_errorf("check: %s", mox_strerror(rc));
		goto out;
	}
	printf("%s\n", mox_spf_verdict_name(res.verdict));
	put_line("mechanism", res.mechanism);
	if (res.verdict == MOX_SPF_FAIL)
		put_line("explanation", res.explanation);
	put_line("reason", res.reason);
	put_line("domain", res.domain);
	put_line("checked", res.checked);
	if (res.mechanism != NULL)
		put_line("mechanism-domain", res.mechanism_domain);
	printf("authentic: %s\n", res.authentic ? "yes" : "no");
	printf("dns-terms: %u\n", res.dns_terms);
	printf("void-lookups: %u\n", res.void_lookups);
	printf("queries: %u\n", res.queries);
	need = mox_spf_received(NULL, 0, &res, &req, receiver);
	need = need > mox_spf_authres(NULL, 0, &res, &req) ? need :
	    mox_spf_authres(NULL, 0, &res, &req);
	buf = malloc(need + 1);
	if (buf == NULL) {
		mox_errorf("out of memory");
		goto out;
	}
	mox_spf_received(buf, need + 1, &res, &req, receiver);
	put_line("received-spf", buf);
	mox_spf_authres(buf, need + 1, &res, &req);
	put_line("authentication-results", buf);
	status = 0;
out:
	free(buf);
	mox_spf_result_release(&res);
	mox_resolver_free(r);
	return status;
}

/* --- lookup --- */

static void
lookup_usage(FILE *f)
{
	fputs("usage: mox spf lookup [-zone FILE] [resolver flags] <domain>\n"
	      "\n"
	      "Looks up the TXT records of <domain> and prints each SPF record\n"
	      "(\"v=spf1\" ...) on its own line, as the joined TXT strings\n"
	      "(octets outside printable ASCII and backslash as \\DDD), then\n"
	      "\";; key: value\" lines: the name, the DNS result (ok, nodata,\n"
	      "nxdomain, servfail, timeout, bogus, error), whether it was DNSSEC\n"
	      "authentic, the number of SPF records (RFC 7208 4.5: 0 gives none,\n"
	      "more than 1 permerror), and for each record that does not parse,\n"
	      "\";; syntax: record N: offset O: message\". Exit status 0 when an\n"
	      "answer came (whatever it says), 1 when the resolver failed, 2 on\n"
	      "a usage error.\n"
	      "\n",
	    f);
	fputs(rflags_help, f);
}

static int
spf_lookup(int argc, char **argv)
{
	struct rflags rf;
	mox_resolver *r = NULL;
	mox_dns_answer *ans = NULL;
	mox_domain d;
	size_t k, nspf = 0;
	int i, rc, status = 1;

	rflags_init(&rf);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-help") == 0 || strcmp(argv[i], "-h") == 0) {
			lookup_usage(stdout);
			return 0;
		}
		rc = rflags_take(&rf, argc, argv, &i);
		if (rc < 0)
			return EXIT_USAGE;
		if (rc == 0) {
			mox_errorf("unknown flag %s", argv[i]);
			lookup_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - i != 1) {
		lookup_usage(stderr);
		return EXIT_USAGE;
	}
	rc = mox_domain_parse(&d, argv[i], strlen(argv[i]),
	    MOX_DOMAIN_ALLOW_UNDERSCORE | MOX_DOMAIN_ALLOW_TRAILING_DOT);
	if (rc != MOX_OK) {
		mox_errorf("bad name \"%s\": %s", argv[i], mox_strerror(rc));
		return EXIT_USAGE;
	}
	r = rflags_open(&rf);
	if (r == NULL)
		goto out;
	rc = mox_dns_lookup(r, d.ascii, MOX_DNS_TXT, &ans);
	if (rc != MOX_OK) {
		mox_errorf("lookup %s: %s", d.ascii, mox_strerror(rc));
		goto out;
	}
	/* The records first, then the facts about them. */
	for (k = 0; k < mox_dns_answer_count(ans); k++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, k);
		mox_spf_record *rec = NULL;

		rc = mox_spf_record_parse(&rec, (const uint8_t *)rr->text,
		    rr->text_len, NULL, NULL);
		mox_spf_record_free(rec);
		if (rc == MOX_ENOTFOUND)
			continue;
		put_text(rr->text, rr->text_len, false);
		putchar('\n');
		nspf++;
	}
	printf(";; domain: %s.\n", d.ascii);
	printf(";; result: %s\n", mox_dns_result_name(mox_dns_answer_result(ans)));
	printf(";; authentic: %s\n", mox_dns_answer_secure(ans) ? "yes" : "no");
	printf(";; spf-records: %zu\n", nspf);
	nspf = 0;
	for (k = 0; k < mox_dns_answer_count(ans); k++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, k);
		mox_spf_record *rec = NULL;
		const char *msg = NULL;
		size_t off = 0;

		rc = mox_spf_record_parse(&rec, (const uint8_t *)rr->text,
		    rr->text_len, &off, &msg);
		mox_spf_record_free(rec);
		if (rc == MOX_ENOTFOUND)
			continue;
		nspf++;
		if (rc != MOX_OK)
			printf(";; syntax: record %zu: offset %zu: %s\n", nspf,
			    off, msg != NULL ? msg : mox_strerror(rc));
	}
	status = 0;
out:
	mox_dns_answer_free(ans);
	mox_resolver_free(r);
	return status;
}

/* --- parse --- */

static void
parse_usage(FILE *f)
{
	fputs("usage: mox spf parse <record>\n"
	      "\n"
	      "Parses an SPF record (RFC 7208 4.5, 12) and prints it in canonical\n"
	      "form, then one line per term: the kind (all include a mx ptr ip4\n"
	      "ip6 exists redirect exp modifier) followed by key=value pairs:\n"
	      "qualifier (mechanisms), domain-spec, network (ip4, ip6), cidr4\n"
	      "and cidr6 (where the kind has them), name and value (unknown\n"
	      "modifiers), offset in the record. Exit status 0 when it parses,\n"
	      "1 on a syntax error (offset and message on standard error) or\n"
	      "when the text is not an SPF record, 2 on a usage error.\n",
	    f);
}

static const char *
kind_name(int kind)
{
	switch (kind) {
	case MOX_SPF_ALL: return "all";
	case MOX_SPF_INCLUDE: return "include";
	case MOX_SPF_A: return "a";
	case MOX_SPF_MX: return "mx";
	case MOX_SPF_PTR: return "ptr";
	case MOX_SPF_IP4: return "ip4";
	case MOX_SPF_IP6: return "ip6";
	case MOX_SPF_EXISTS: return "exists";
	case MOX_SPF_REDIRECT: return "redirect";
	case MOX_SPF_EXP: return "exp";
	case MOX_SPF_UNKNOWN_MODIFIER: return "modifier";
	default: return "unknown";
	}
}

static int
spf_parse(int argc, char **argv)
{
	mox_spf_record *rec = NULL;
	const char *text, *msg = NULL;
	size_t off = 0, need, k;
	char *buf;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "-help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		parse_usage(stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--") == 0) {
		argv++;
		argc--;
	}
	if (argc != 2) {
		parse_usage(stderr);
		return EXIT_USAGE;
	}
	text = argv[1];
	rc = mox_spf_record_parse(&rec, (const uint8_t *)text, strlen(text),
	    &off, &msg);
	if (rc == MOX_ENOTFOUND) {
		mox_errorf("not an SPF record (no \"v=spf1\" version tag)");
		return 1;
	}
	if (rc == MOX_ESYNTAX) {
		mox_errorf("syntax error at offset %zu: %s", off,
		    msg != NULL ? msg : "syntax error");
		return 1;
	}
	if (rc != MOX_OK) {
		mox_errorf("parse: %s", mox_strerror(rc));
		return 1;
	}
	need = mox_spf_record_format(NULL, 0, rec);
	buf = malloc(need + 1);
	if (buf == NULL) {
		mox_errorf("out of memory");
		mox_spf_record_free(rec);
		return 1;
	}
	mox_spf_record_format(buf, need + 1, rec);
	printf("%s\n", buf);
	free(buf);
	for (k = 0; k < mox_spf_record_count(rec); k++) {
		const mox_spf_term *t = mox_spf_record_term(rec, k);
		char ip[MOX_IP_STRLEN];

		printf("%s", kind_name(t->kind));
		if (t->kind != MOX_SPF_REDIRECT && t->kind != MOX_SPF_EXP &&
		    t->kind != MOX_SPF_UNKNOWN_MODIFIER)
			printf(" qualifier=%c", (char)t->qualifier);
		if (t->kind == MOX_SPF_UNKNOWN_MODIFIER) {
			printf(" name=%s value=%s", t->name != NULL ? t->name : "",
			    t->domain_spec != NULL ? t->domain_spec : "");
		} else if (t->domain_spec != NULL) {
			printf(" domain-spec=%s", t->domain_spec);
		}
		if (t->kind == MOX_SPF_IP4 || t->kind == MOX_SPF_IP6) {
			mox_ip_format(ip, sizeof(ip), &t->ip);
			printf(" network=%s", ip);
		}
		if (t->kind == MOX_SPF_IP4 || t->kind == MOX_SPF_A ||
		    t->kind == MOX_SPF_MX)
			printf(" cidr4=%u", t->cidr4);
		if (t->kind == MOX_SPF_IP6 || t->kind == MOX_SPF_A ||
		    t->kind == MOX_SPF_MX)
			printf(" cidr6=%u", t->cidr6);
		printf(" offset=%zu\n", t->offset);
	}
	mox_spf_record_free(rec);
	return 0;
}

static void
spf_usage(FILE *f)
{
	fputs("usage: mox spf check [-zone FILE] [flags] <domain> <ip>\n"
	      "       mox spf lookup [-zone FILE] [resolver flags] <domain>\n"
	      "       mox spf parse <record>\n"
	      "\n"
	      "SPF (RFC 7208): evaluate a check, look up a domain's records,\n"
	      "parse a record. \"mox spf <subcommand> -help\" for details.\n",
	    f);
}

int
cmd_spf(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return spf_check(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "lookup") == 0)
		return spf_lookup(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "parse") == 0)
		return spf_parse(argc - 1, argv + 1);
	if (argc == 2 && (strcmp(argv[1], "-help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		spf_usage(stdout);
		return 0;
	}
	spf_usage(stderr);
	return EXIT_USAGE;
}
