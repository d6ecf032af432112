/* SPDX-License-Identifier: MIT */
/*
 * bench_spf.c -- evaluations per second of SPF check_host(): libmox-spf
 * (mox_spf_check over the in-memory resolver) and libspf2 (over its
 * SPF_dns_zone layer) on the same scenarios in one run; or, with
 * -nsd-port, libmox-spf through the libunbound backend against an
 * authoritative server with a warm cache.
 *
 * Usage:
 *   bench_spf [-seconds S] CASEDIR
 *   bench_spf -nsd-port PORT [-seconds S] [-queries FILE] CASEDIR
 * -v lists the queries whose mox result the suite does not accept.
 *
 * CASEDIR holds zones/<scenario>.zone and queries.txt as written by
 * tests/bench/spf_suite.py (the openspf RFC 7208 suite) or
 * tests/interop/spf/gen_cases.py. tests/bench/run-bench-spf.sh does the
 * conversion and, for -nsd, runs nsd.
 *
 * In-memory mode prints
 *   spf queries: N from M scenarios
 *   spf mox: X eval/s
 *   spf libspf2: Y eval/s
 *   spf ratio mox/libspf2: Z
 * and, when queries.txt has expected results (the suite), how many mox
 * results the suite accepts. Queries on which libspf2 crashes (it is run
 * once per query in a child process first) are left out of both
 * measurements. With -nsd-port it prints "spf nsd evals: N seconds: T".
 *
 * Build with -O2 and without sanitizers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <spf2/spf.h>

#include <mox/dns.h>
#include <mox/spf.h>

#include "spf2zone.h"

struct scen {
	char name[128];
	mox_resolver *r;            /* in-memory mode */
	SPF_dns_server_t *dns;      /* libspf2 zone layer */
	SPF_server_t *srv;
};

struct query {
	char id[128];
	size_t scen;     /* index in scens (which may move) */
	char ip[64];
	char sender[512];
	char helo[256];
	char expect[128]; /* "pass" or "fail|permerror", "" when unknown */
	mox_ip mip;
	bool skip;        /* libspf2 crashes on it */
};

static struct scen *scens;
static size_t nscens;
static struct query *queries;
static size_t nqueries;
static bool verbose;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_spf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
quiet(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	(void)msg;
}

static size_t
scen_get(const char *name)
{
	size_t i;

	for (i = 0; i < nscens; i++)
		if (strcmp(scens[i].name, name) == 0)
			return i;
	scens = realloc(scens, (nscens + 1) * sizeof(*scens));
	if (scens == NULL)
		die("out of memory");
	memset(&scens[nscens], 0, sizeof(*scens));
	snprintf(scens[nscens].name, sizeof(scens[nscens].name), "%s", name);
	return nscens++;
}

static void
copy_field(char *dst, size_t cap, const char *src, const char *what)
{
	if (strlen(src) >= cap)
		die("%s too long: %s", what, src);
	memcpy(dst, src, strlen(src) + 1);
}

static void
read_queries(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *fld[6] = { NULL }, *p = buf;
		size_t n = strlen(buf);
		struct query *q;
		int i;

		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n == 0 || buf[0] == '#')
			continue;
		for (i = 0; i < 6 && p != NULL; i++) {
			fld[i] = p;
			p = strchr(p, '\t');
			if (p != NULL)
				*p++ = '\0';
		}
		if (fld[4] == NULL)
			die("%s: bad line", path);
		queries = realloc(queries, (nqueries + 1) * sizeof(*queries));
		if (queries == NULL)
			die("out of memory");
		q = &queries[nqueries++];
		memset(q, 0, sizeof(*q));
		copy_field(q->id, sizeof(q->id), fld[0], "id");
		q->scen = scen_get(fld[1]);
		copy_field(q->ip, sizeof(q->ip), fld[2], "ip");
		copy_field(q->sender, sizeof(q->sender),
		    strcmp(fld[3], "<>") == 0 ? "" : fld[3], "sender");
		copy_field(q->helo, sizeof(q->helo), fld[4], "helo");
		if (fld[5] != NULL)
			copy_field(q->expect, sizeof(q->expect), fld[5], "result");
		if (mox_ip_parse(&q->mip, q->ip, strlen(q->ip)) != MOX_OK)
			die("query %s: bad ip %s", q->id, q->ip);
	}
	fclose(f);
}

/* --- one evaluation each --- */

static int
eval_mox(mox_resolver *r, const struct query *q)
{
	mox_spf_request req = MOX_SPF_REQUEST_INIT;
	mox_spf_result res = MOX_SPF_RESULT_INIT;
	int v;

	req.ip = q->mip;
	req.sender = q->sender[0] != '\0' ? q->sender : NULL;
	req.helo = q->helo;
	req.now = 1700000000;
	if (mox_spf_check(&res, r, &req) != MOX_OK)
		die("mox_spf_check failed for %s", q->id);
	v = res.verdict;
	mox_spf_result_release(&res);
	return v;
}

static int
eval_libspf2(const struct query *q)
{
	SPF_request_t *req = SPF_request_new(scens[q->scen].srv);
	SPF_response_t *resp = NULL;
	int v;

	if (req == NULL)
		die("SPF_request_new failed");
	if (strchr(q->ip, ':') != NULL)
		SPF_request_set_ipv6_str(req, q->ip);
	else
		SPF_request_set_ipv4_str(req, q->ip);
	SPF_request_set_helo_dom(req, q->helo);
	SPF_request_set_env_from(req, q->sender);
	SPF_request_query_mailfrom(req, &resp);
	v = (int)SPF_response_result(resp);
	SPF_response_free(resp);
	SPF_request_free(req);
	return v;
}

/* Whether the suite's expectation ("a|b") holds the verdict. */
static bool
expected(const char *expect, int verdict)
{
	const char *name = mox_spf_verdict_name(verdict);
	const char *p = expect;
	size_t n = strlen(name);

	while (*p != '\0') {
		size_t k = strcspn(p, "|");

		if (k == n && strncmp(p, name, n) == 0)
			return true;
		p += k;
		if (*p == '|')
			p++;
	}
	return false;
}

/* --- timing loops: whole rounds over every query, until the time is up --- */

static void
run_mox(double seconds, bool unbound, mox_resolver *ur, unsigned long *evals,
    double *elapsed)
{
	double t0 = now_s(), t;
	unsigned long n = 0;
	size_t i;

	do {
		for (i = 0; i < nqueries; i++) {
			if (queries[i].skip)
				continue;
			eval_mox(unbound ? ur : scens[queries[i].scen].r, &queries[i]);
			n++;
		}
		t = now_s() - t0;
	} while (t < seconds);
	*evals = n;
	*elapsed = t;
}

static void
run_libspf2(double seconds, unsigned long *evals, double *elapsed)
{
	double t0 = now_s(), t;
	unsigned long n = 0;
	size_t i;

	do {
		for (i = 0; i < nqueries; i++) {
			if (queries[i].skip)
				continue;
			eval_libspf2(&queries[i]);
			n++;
		}
		t = now_s() - t0;
	} while (t < seconds);
	*evals = n;
	*elapsed = t;
}

static void
usage(void)
{
	fputs("usage: bench_spf [-v] [-seconds S] CASEDIR\n"
	      "       bench_spf [-v] -nsd-port PORT [-seconds S] [-queries FILE] CASEDIR\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *casedir, *qfile = NULL;
	double seconds = 2.0, tm, tl;
	unsigned long em, el, port = 0;
	char path[4096];
	size_t i, skipped = 0, agree = 0, withexp = 0;
	int a;

	for (a = 1; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "-v") == 0) {
			verbose = true;
			continue;
		}
		if (a + 1 >= argc)
			usage();
		if (strcmp(argv[a], "-seconds") == 0)
			seconds = atof(argv[++a]);
		else if (strcmp(argv[a], "-nsd-port") == 0)
			port = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-queries") == 0)
			qfile = argv[++a];
		else
			usage();
	}
	if (argc - a != 1 || seconds <= 0 || port > 65535)
		usage();
	casedir = argv[a];
	if (qfile == NULL) {
		snprintf(path, sizeof(path), "%s/queries.txt", casedir);
		qfile = path;
	}
	read_queries(qfile);
	if (nqueries == 0)
		die("no queries in %s", qfile);

	if (port != 0) {
		/* libunbound forwarding to the authoritative server; a first
		 * round fills the cache. libunbound answers the reverse zones of
		 * private and documentation addresses itself (RFC 6303), which
		 * the suite uses: those defaults are lifted. */
		static const char *const nodefault[] = {
			"local-zone: 10.in-addr.arpa. nodefault",
			"local-zone: 168.192.in-addr.arpa. nodefault",
			"local-zone: 2.0.192.in-addr.arpa. nodefault",
			"local-zone: 100.51.198.in-addr.arpa. nodefault",
			"local-zone: 113.0.203.in-addr.arpa. nodefault",
			"local-zone: 127.in-addr.arpa. nodefault",
			"local-zone: 8.b.d.0.1.0.0.2.ip6.arpa. nodefault",
			"local-zone: test. nodefault",
			"local-zone: invalid. nodefault",
		};
		mox_unbound_options uo = MOX_UNBOUND_OPTIONS_INIT;
		char fwd[64];
		const char *fwds[1] = { fwd };
		mox_resolver *ur = NULL;
		char err[512] = "";

		snprintf(fwd, sizeof(fwd), "127.0.0.1@%lu", port);
		uo.mode = MOX_UNBOUND_FORWARD;
		uo.forwarders = fwds;
		uo.nforwarders = 1;
		uo.timeout_ms = 3000;
		uo.unbound_options = nodefault;
		uo.nunbound_options = sizeof(nodefault) / sizeof(*nodefault);
		if (mox_resolver_new_unbound_err(&ur, &uo, err, sizeof(err)) !=
		    MOX_OK)
			die("unbound resolver: %s", err);
		for (i = 0; i < nqueries; i++) {
			int v = eval_mox(ur, &queries[i]);

			if (queries[i].expect[0] != '\0') {
				withexp++;
				agree += expected(queries[i].expect, v);
				if (verbose && !expected(queries[i].expect, v))
					fprintf(stderr, "suite: %s: mox %s, want %s\n",
					    queries[i].id, mox_spf_verdict_name(v),
					    queries[i].expect);
			}
		}
		run_mox(seconds, true, ur, &em, &tm);
		printf("spf nsd evals: %lu seconds: %.3f queries: %zu "
		       "suite-agree: %zu/%zu\n", em, tm, nqueries, agree,
		    withexp);
		mox_resolver_free(ur);
		return 0;
	}

	SPF_warning_handler = quiet;
	SPF_info_handler = quiet;
	SPF_debug_handler = quiet;
	for (i = 0; i < nscens; i++) {
		struct scen *s = &scens[i];
		struct spf2zone *z;
		SPF_response_t *r2 = NULL;

		snprintf(path, sizeof(path), "%s/zones/%s.zone", casedir, s->name);
		if (mox_resolver_new_static(&s->r) != MOX_OK ||
		    mox_resolver_static_load_file(s->r, path, NULL) != MOX_OK)
			die("%s: %s", path, mox_resolver_errmsg(s->r));
		z = spf2zone_load(path);
		s->dns = spf2zone_dns(z, false);
		spf2zone_free(z);
		s->srv = SPF_server_new_dns(s->dns, 0);
		if (s->srv == NULL)
			die("SPF_server_new_dns failed");
		/* No default explanation: mox makes none either. */
		SPF_server_set_explanation(s->srv, "", &r2);
		SPF_response_free(r2);
	}
	/* libspf2 may abort or crash on odd records: try each query once in
	 * a child, and leave out the ones it does not survive. */
	for (i = 0; i < nqueries; i++) {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			alarm(10);
			eval_libspf2(&queries[i]);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid: %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			queries[i].skip = true;
			skipped++;
		}
	}
	for (i = 0; i < nqueries; i++) {
		int v = eval_mox(scens[queries[i].scen].r, &queries[i]);

		if (queries[i].expect[0] != '\0') {
			withexp++;
			agree += expected(queries[i].expect, v);
			if (verbose && !expected(queries[i].expect, v))
				fprintf(stderr, "suite: %s: mox %s, want %s\n",
				    queries[i].id, mox_spf_verdict_name(v),
				    queries[i].expect);
		}
	}
	run_mox(seconds, false, NULL, &em, &tm);
	run_libspf2(seconds, &el, &tl);
	printf("spf queries: %zu from %zu scenarios (%zu left out: libspf2 "
	       "crashes)\n", nqueries - skipped, nscens, skipped);
	if (withexp > 0)
		printf("spf mox results the suite accepts: %zu/%zu\n", agree,
		    withexp);
	printf("spf mox: %.0f eval/s\n", (double)em / tm);
	printf("spf libspf2: %.0f eval/s\n", (double)el / tl);
	printf("spf ratio mox/libspf2: %.2f\n",
	    ((double)em / tm) / ((double)el / tl));
	for (i = 0; i < nscens; i++) {
		SPF_server_free(scens[i].srv);
		SPF_dns_free(scens[i].dns);
		mox_resolver_free(scens[i].r);
	}
	free(scens);
	free(queries);
	return 0;
}
