/* SPDX-License-Identifier: MIT */
/*
 * Tests of `mox-milter dmarc-report` (servers/mox-milter/report.c) over a
 * store filled here: -list lines, -print emails parsed back with
 * mox_dmarc_report_from_message() (rows grouped with counts, policy
 * published, date range, destinations), external destinations verified
 * through a zone file (authorized, not authorized, DNS failure keeps the
 * evaluations), domains without rua, -send through a fake sendmail (its
 * arguments and input; evaluations deleted only after success, kept when
 * it fails), -interval periods and MaxRows splitting. mlog() is a stub.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "milter.h"

void
mlog(int level, const char *msg, ...)
{
	(void)level;
	(void)msg;
}

bool
mlog_enabled(int level)
{
	(void)level;
	return false;
}

/* 2026-01-01T00:00:00Z */
#define NOW 1767225600

struct fx {
	char dir[64];
	char conf[128];
	char store[128];
	char sent[128];
	char *out, *err;
	size_t outlen;
};

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static void
rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) != 0)
			rm_tree(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

static const char zone[] =
    "$ORIGIN .\n"
    "$TTL 300\n"
    "example.org._report._dmarc.thirdparty.example. TXT \"v=DMARC1\"\n"
    "$SERVFAIL tempfail.example._report._dmarc.dnsfail.example\n";

/* Records of the policy domains. */
#define REC_ORG "v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=50; " \
		"rua=mailto:dmarc@example.org,mailto:reports@thirdparty.example"
#define REC_NET "v=DMARC1; p=quarantine; rua=mailto:x@unauth.example"
#define REC_NORUA "v=DMARC1; p=none"
#define REC_TEMP "v=DMARC1; p=none; rua=mailto:r@dnsfail.example"
#define REC_SUB "v=DMARC1; p=none; rua=mailto:dmarc@example.com!1k"

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[256], text[2048];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mreport-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->conf, sizeof(f->conf), "%s/mox-milter.conf", f->dir);
	snprintf(f->store, sizeof(f->store), "%s/dmarc.lmdb", f->dir);
	snprintf(f->sent, sizeof(f->sent), "%s/sent", f->dir);
	mkdir(f->sent, 0700);
	snprintf(path, sizeof(path), "%s/zone.txt", f->dir);
	write_file(path, zone, 0644);
	/* Saves its arguments and input; exits with $FAKE_SENDMAIL_EXIT. */
	snprintf(path, sizeof(path), "%s/sendmail.sh", f->dir);
	snprintf(text, sizeof(text),
	    "#!/bin/sh\n"
	    "n=$(mktemp %s/XXXXXX)\n"
	    "echo \"$@\" >\"$n.args\"\n"
	    "cat >\"$n.msg\"\n"
	    "rm -f \"$n\"\n"
	    "exit ${FAKE_SENDMAIL_EXIT:-0}\n",
	    f->sent);
	write_file(path, text, 0755);
	snprintf(text, sizeof(text),
	    "AuthservID: mx.receiver.example\n"
	    "DNS:\n"
	    "\tZoneFile: zone.txt\n"
	    "Reports:\n"
	    "\tStore: dmarc.lmdb\n"
	    "\tOrgName: Receiver Org\n"
	    "\tFrom: dmarc-reports@receiver.example\n"
	    "\tSendmail: %s/sendmail.sh\n",
	    f->dir);
	write_file(f->conf, text, 0644);
	unsetenv("FAKE_SENDMAIL_EXIT");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rm_tree(f->dir);
	free(f->out);
	free(f->err);
	free(f);
	return 0;
}

static void
add(struct mstore *s, const char *domain, const char *record, int64_t t,
    const char *ip, const char *header_from, const char *envelope_to)
{
	static const struct mstore_dkim dk[] = {
		{ "example.org", "sel1", MOX_DMARC_DKIM_PASS },
		{ "mailer.example", NULL, MOX_DMARC_DKIM_FAIL },
	};
	struct mstore_eval e;
	char err[512];

	memset(&e, 0, sizeof(e));
	e.time = t;
	e.policy_domain = domain;
	e.record = record;
	e.discovery_method = MOX_DMARC_DISCOVERY_TREEWALK;
	e.source_ip = ip;
	e.disposition = MOX_DMARC_DISPOSITION_PASS;
	e.dkim_aligned = MOX_DMARC_PASS;
	e.spf_aligned = MOX_DMARC_FAIL;
	e.reason = MOX_DMARC_REPORT_ABSENT;
	e.header_from = header_from;
	e.envelope_from = "bounces.mailer.example";
	e.envelope_to = envelope_to;
	e.dkim = dk;
	e.ndkim = 2;
	e.spf_domain = "bounces.mailer.example";
	e.spf_scope = MOX_DMARC_SPF_SCOPE_MFROM;
	e.spf_result = MOX_DMARC_SPF_PASS;
	if (mstore_add(s, &e, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
fill(struct fx *f)
{
	struct mstore *s = NULL;
	char err[512];

	if (mstore_open(&s, f->store, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	/* example.org: 3 equal, 1 other IP, 1 other envelope_to; 1 later
	 * than -now. */
	add(s, "example.org", REC_ORG, NOW - 3600, "192.0.2.1", "example.org",
	    NULL);
	add(s, "example.org", REC_ORG, NOW - 1800, "192.0.2.1", "example.org",
	    NULL);
	add(s, "example.org", REC_ORG, NOW - 60, "192.0.2.1", "example.org",
	    NULL);
	add(s, "example.org", REC_ORG, NOW - 50, "2001:db8::1",
	    "sub.example.org", NULL);
	add(s, "example.org", REC_ORG, NOW - 40, "192.0.2.1", "example.org",
	    "receiver.example");
	add(s, "example.org", REC_ORG, NOW + 10, "192.0.2.1", "example.org",
	    NULL);
	add(s, "example.net", REC_NET, NOW - 100, "192.0.2.2", "example.net",
	    NULL);
	add(s, "norua.example", REC_NORUA, NOW - 100, "192.0.2.3",
	    "norua.example", NULL);
	add(s, "tempfail.example", REC_TEMP, NOW - 100, "192.0.2.4",
	    "tempfail.example", NULL);
	mstore_close(s);
}

/* Run report_main with stdout and stderr in files (f->out, f->err). */
static int
run(struct fx *f, ...)
{
	char *argv[32], op[160], ep[160];
	int argc = 0, so, se, fd, rc;
	va_list ap;

	argv[argc++] = (char *)(uintptr_t)"dmarc-report";
	va_start(ap, f);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	snprintf(op, sizeof(op), "%s/stdout", f->dir);
	snprintf(ep, sizeof(ep), "%s/stderr", f->dir);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	fd = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	fd = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	rc = report_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	free(f->out);
	free(f->err);
	f->out = read_file(op, &f->outlen);
	f->err = read_file(ep, NULL);
	return rc;
}

static size_t
count_lines(const char *s, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);

	while (*s != '\0') {
		if (strncmp(s, prefix, pl) == 0)
			n++;
		s = strchr(s, '\n');
		if (s == NULL)
			break;
		s++;
	}
	return n;
}

static void
test_list(void **state)
{
	struct fx *f = *state;
	const char *line;

	fill(f);
	assert_int_equal(run(f, "-config", f->conf, "-list", NULL), 0);
	assert_int_equal(count_lines(f->out, "time="), 9);
	line = strstr(f->out, "time=2025-12-31T23:00:00Z policy_domain="
			      "example.org header_from=example.org "
			      "source_ip=192.0.2.1 disposition=pass dkim=pass "
			      "spf=fail seq=");
	assert_non_null(line);
	assert_non_null(strstr(line, " envelope_from=bounces.mailer.example "
				     "dkim_results=example.org/sel1:pass,"
				     "mailer.example/:fail spf_result="
				     "mfrom:bounces.mailer.example:pass "
				     "discovery=treewalk record=\"v=DMARC1; "
				     "p=reject;"));
	assert_non_null(strstr(f->out, "envelope_to=receiver.example"));
	/* -store overrides; a store that does not exist is an error. */
	assert_int_equal(run(f, "-store", f->store, "-list", NULL), 0);
	assert_int_equal(count_lines(f->out, "time="), 9);
	assert_int_equal(run(f, "-store", "/nonexistent.lmdb", "-list", NULL),
	    1);
	assert_non_null(strstr(f->err, "/nonexistent.lmdb"));
}

static void
test_usage(void **state)
{
	struct fx *f = *state;

	assert_int_equal(run(f, NULL), 2);
	assert_int_equal(run(f, "-list", "-print", NULL), 2);
	assert_int_equal(run(f, "-bogus", "x", "-list", NULL), 2);
	assert_int_equal(run(f, "-now", "yesterday", "-list", NULL), 2);
	assert_int_equal(run(f, "-interval", "-5", "-list", NULL), 2);
	assert_int_equal(run(f, "-config", f->conf, NULL), 2);
	assert_int_equal(run(f, "-help", NULL), 0);
	assert_non_null(strstr(f->out, "usage: mox-milter dmarc-report"));
	/* No store configured. */
	assert_int_equal(run(f, "-list", NULL), 1);
	assert_non_null(strstr(f->err, "no store"));
}

/* The messages of -print: separator line and message, each. */
struct printed {
	char to[256], domain[256];
	size_t rows;
	mox_dmarc_report *r;
	char *msg;
};

static size_t
parse_print(const char *out, struct printed *p, size_t max)
{
	const char *s = out, *next;
	size_t n = 0;

	while ((s = strstr(s, "==> ")) != NULL && n < max) {
		const char *nl = strchr(s, '\n');
		char err[256];
		int rc;

		assert_non_null(nl);
		assert_int_equal(sscanf(s, "==> to=%255s domain=%255s rows=%zu",
				     p[n].to, p[n].domain, &p[n].rows),
		    3);
		next = strstr(nl, "\n==> ");
		p[n].msg = strndup(nl + 1, next != NULL ? (size_t)(next - nl) :
							  strlen(nl + 1));
		rc = mox_dmarc_report_from_message(&p[n].r,
		    (const uint8_t *)p[n].msg, strlen(p[n].msg), NULL, err,
		    sizeof(err));
		if (rc != MOX_OK)
			fail_msg("report %zu: %s: %s\n%s", n, mox_strerror(rc),
			    err, p[n].msg);
		n++;
		s = nl;
	}
	return n;
}

static void
free_printed(struct printed *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		mox_dmarc_report_free(p[i].r);
		free(p[i].msg);
	}
}

static const mox_dmarc_report_row *
find_row(const mox_dmarc_report *r, const char *ip, const char *env_to)
{
	size_t i;

	for (i = 0; i < mox_dmarc_report_row_count(r); i++) {
		const mox_dmarc_report_row *row = mox_dmarc_report_get_row(r, i);

		if (strcmp(row->source_ip, ip) == 0 &&
		    ((env_to == NULL && row->envelope_to == NULL) ||
			(env_to != NULL && row->envelope_to != NULL &&
			    strcmp(env_to, row->envelope_to) == 0)))
			return row;
	}
	return NULL;
}

static void
test_print(void **state)
{
	struct fx *f = *state;
	struct printed p[8];
	const mox_dmarc_report_meta *m;
	const mox_dmarc_report_row *row;
	size_t n;
	int rc;

	fill(f);
	rc = run(f, "-config", f->conf, "-now", "2026-01-01T00:00:00Z",
	    "-print", NULL);
	/* tempfail.example's destination check failed: exit 1. */
	assert_int_equal(rc, 1);
	n = parse_print(f->out, p, 8);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].to,
	    "dmarc@example.org,reports@thirdparty.example");
	assert_string_equal(p[0].domain, "example.org");
	assert_int_equal(p[0].rows, 3);
	m = mox_dmarc_report_view(p[0].r);
	assert_int_equal(m->format, MOX_DMARC_REPORT_RFC9990);
	assert_string_equal(m->org_name, "Receiver Org");
	assert_string_equal(m->email, "dmarc-reports@receiver.example");
	assert_string_equal(m->domain, "example.org");
	assert_int_equal(m->p, MOX_DMARC_P_REJECT);
	assert_int_equal(m->sp, MOX_DMARC_P_QUARANTINE);
	assert_int_equal(m->adkim, MOX_DMARC_STRICT);
	assert_int_equal(m->discovery_method, MOX_DMARC_DISCOVERY_TREEWALK);
	assert_true(m->begin == NOW - 3600);
	assert_true(m->end == NOW);
	assert_int_equal(mox_dmarc_report_row_count(p[0].r), 3);
	row = find_row(p[0].r, "192.0.2.1", NULL);
	assert_non_null(row);
	assert_true(row->count == 3);
	assert_int_equal(row->disposition, MOX_DMARC_DISPOSITION_PASS);
	assert_int_equal(row->dkim, MOX_DMARC_PASS);
	assert_int_equal(row->spf, MOX_DMARC_FAIL);
	assert_string_equal(row->header_from, "example.org");
	assert_string_equal(row->envelope_from, "bounces.mailer.example");
	assert_int_equal(row->ndkim, 2);
	assert_string_equal(row->dkim_results[0].selector, "sel1");
	assert_int_equal(row->dkim_results[1].result, MOX_DMARC_DKIM_FAIL);
	assert_int_equal(row->nspf, 1);
	assert_int_equal(row->spf_results[0].result, MOX_DMARC_SPF_PASS);
	row = find_row(p[0].r, "2001:db8::1", NULL);
	assert_non_null(row);
	assert_true(row->count == 1);
	assert_string_equal(row->header_from, "sub.example.org");
	row = find_row(p[0].r, "192.0.2.1", "receiver.example");
	assert_non_null(row);
	assert_true(row->count == 1);
	/* The email's headers. */
	assert_non_null(strstr(p[0].msg, "From: dmarc-reports@receiver.example\n"));
	assert_non_null(strstr(p[0].msg, "To: dmarc@example.org, "
					 "reports@thirdparty.example\n"));
	assert_non_null(strstr(p[0].msg, "Report Domain: example.org"));
	assert_non_null(strstr(p[0].msg, "Submitter: mx.receiver.example"));
	assert_non_null(strstr(p[0].msg, "@mx.receiver.example>"));
	assert_null(strstr(p[0].msg, "\r\n"));
	/* What was skipped, and why. */
	assert_non_null(strstr(f->err, "example.net: destination "
				       "x@unauth.example is external and not "
				       "authorized"));
	assert_non_null(strstr(f->err, "example.net: no authorized rua= "
				       "destination, 1 evaluations not "
				       "reported"));
	assert_non_null(strstr(f->err, "norua.example: no rua= destination, "
				       "1 evaluations not reported"));
	assert_non_null(strstr(f->err, "tempfail.example: destination check "
				       "failed temporarily"));
	free_printed(p, n);
	/* -print deletes nothing. */
	assert_int_equal(run(f, "-config", f->conf, "-list", NULL), 0);
	assert_int_equal(count_lines(f->out, "time="), 9);
}

static size_t
count_sent(struct fx *f, const char *suffix)
{
	DIR *d = opendir(f->sent);
	struct dirent *de;
	size_t n = 0, sl = strlen(suffix);

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > sl && strcmp(de->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static char *
first_sent(struct fx *f, const char *suffix)
{
	DIR *d = opendir(f->sent);
	struct dirent *de;
	size_t sl = strlen(suffix);
	char path[512];
	char *text = NULL;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > sl && strcmp(de->d_name + l - sl, suffix) == 0) {
			snprintf(path, sizeof(path), "%s/%s", f->sent,
			    de->d_name);
			text = read_file(path, NULL);
			break;
		}
	}
	closedir(d);
	assert_non_null(text);
	return text;
}

static void
test_send(void **state)
{
	struct fx *f = *state;
	mox_dmarc_report *r = NULL;
	char *args, *msg, err[256];

	fill(f);
	/* sendmail fails: nothing of example.org is deleted. */
	setenv("FAKE_SENDMAIL_EXIT", "75", 1);
	assert_int_equal(run(f, "-config", f->conf, "-now", "1767225600",
			     "-send", NULL),
	    1);
	assert_non_null(strstr(f->err, "exited with status 75"));
	assert_non_null(strstr(f->err, "example.org: sending the report to "));
	assert_int_equal(count_sent(f, ".msg"), 1);
	assert_int_equal(run(f, "-config", f->conf, "-list", NULL), 0);
	/* example.net and norua.example were dropped (no destination);
	 * example.org (6) and tempfail.example (1) are kept. */
	assert_int_equal(count_lines(f->out, "time="), 7);
	assert_int_equal(count_lines(f->out, "time=2025-12-31T23:58:20Z "
					     "policy_domain=tempfail.example"),
	    1);

	unsetenv("FAKE_SENDMAIL_EXIT");
	assert_int_equal(run(f, "-config", f->conf, "-now", "1767225600",
			     "-send", NULL),
	    1);
	assert_int_equal(count_sent(f, ".msg"), 2);
	assert_non_null(strstr(f->err, "example.org: sent report "));
	args = first_sent(f, ".args");
	assert_string_equal(args, "-i -f dmarc-reports@receiver.example -- "
				  "dmarc@example.org "
				  "reports@thirdparty.example\n");
	free(args);
	msg = first_sent(f, ".msg");
	if (mox_dmarc_report_from_message(&r, (const uint8_t *)msg,
		strlen(msg), NULL, err, sizeof(err)) != MOX_OK)
		fail_msg("%s", err);
	assert_int_equal(mox_dmarc_report_row_count(r), 3);
	mox_dmarc_report_free(r);
	free(msg);
	/* Left: the evaluation after -now, and tempfail.example's. */
	assert_int_equal(run(f, "-config", f->conf, "-list", NULL), 0);
	assert_int_equal(count_lines(f->out, "time="), 2);
	assert_non_null(strstr(f->out, "time=2026-01-01T00:00:10Z "
				       "policy_domain=example.org"));
	assert_non_null(strstr(f->out, "policy_domain=tempfail.example"));
}

static void
test_interval_and_maxrows(void **state)
{
	struct fx *f = *state;
	struct mstore *s = NULL;
	struct printed p[16];
	char err[512], text[1024], path[160];
	size_t n, i, rows = 0;

	if (mstore_open(&s, f->store, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	/* Three days; the last one is not over at -now. */
	add(s, "example.org", REC_ORG, NOW - 2 * 86400 + 5, "192.0.2.1",
	    "example.org", NULL);
	add(s, "example.org", REC_ORG, NOW - 2 * 86400 + 6, "192.0.2.2",
	    "example.org", NULL);
	add(s, "example.org", REC_ORG, NOW - 86400 + 7, "192.0.2.3",
	    "example.org", NULL);
	add(s, "example.org", REC_ORG, NOW + 100, "192.0.2.4", "example.org",
	    NULL);
	/* An external destination under the same organizational domain as
	 * the policy domain needs no authorization; "!1k" is too small for
	 * the report, so it is not sent there. */
	add(s, "sub.example.com", REC_SUB, NOW - 86400 + 8, "192.0.2.5",
	    "sub.example.com", NULL);
	mstore_close(s);

	assert_int_equal(run(f, "-config", f->conf, "-now", "1767229200",
			     "-interval", "86400", "-print", NULL),
	    0);
	n = parse_print(f->out, p, 16);
	assert_int_equal(n, 2);
	assert_true(mox_dmarc_report_view(p[0].r)->begin == NOW - 2 * 86400);
	assert_true(mox_dmarc_report_view(p[0].r)->end == NOW - 86400 - 1);
	assert_int_equal(p[0].rows, 2);
	assert_true(mox_dmarc_report_view(p[1].r)->begin == NOW - 86400);
	assert_true(mox_dmarc_report_view(p[1].r)->end == NOW - 1);
	assert_int_equal(p[1].rows, 1);
	free_printed(p, n);
	assert_non_null(strstr(f->err, "sub.example.com: report of "));
	assert_non_null(strstr(f->err, "larger than the 1024 "
				       "dmarc@example.com accepts"));

	/* MaxRows 1: one email per row. */
	snprintf(path, sizeof(path), "%s/small.conf", f->dir);
	snprintf(text, sizeof(text),
	    "AuthservID: mx.receiver.example\nDNS:\n\tZoneFile: zone.txt\n"
	    "Reports:\n\tStore: dmarc.lmdb\n\tFrom: r@receiver.example\n"
	    "\tMaxRows: 1\n");
	write_file(path, text, 0644);
	assert_int_equal(run(f, "-config", path, "-now", "1767229200",
			     "-print", NULL),
	    0);
	n = parse_print(f->out, p, 16);
	/* example.org: 4 rows up to -now, one per email. */
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_int_equal(p[i].rows, 1);
		rows += mox_dmarc_report_row_count(p[i].r);
		/* Org name defaults to the host name; unique report ids. */
		assert_string_equal(mox_dmarc_report_view(p[i].r)->org_name,
		    "mx.receiver.example");
		if (i > 0)
			assert_string_not_equal(
			    mox_dmarc_report_view(p[i].r)->report_id,
			    mox_dmarc_report_view(p[i - 1].r)->report_id);
	}
	assert_int_equal(rows, 4);
	free_printed(p, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interval_and_maxrows,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
