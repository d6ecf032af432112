/* SPDX-License-Identifier: MIT */
/*
 * spf_conformance.c -- runs an openspf test suite, converted by convert.py,
 * against libmoxspf. Every test runs twice: through a manual
 * mox_spf_eval_step()/mox_spf_eval_answer() loop and through
 * mox_spf_check(); both must give an allowed result (and the expected
 * explanation where the suite gives one) and agree with each other.
 *
 * Usage: spf-conformance [-v] [--changed FILE] [--bench N] SUITE.txt
 *
 * --changed FILE lists the tests of an older suite whose expectation RFC
 * 7208 changed, one per line:
 *   changed ID REASON            the RFC 7208 result is outside the
 *                                suite's expectation: the test must fail
 *                                it (counted as an expected difference)
 *   narrowed ID RESULT REASON    the suite allows several results and RFC
 *                                7208 allows only RESULT: the test must
 *                                pass and give exactly RESULT
 * Every test not listed must pass. Exit status 0 when all is as
 * expected.
 *
 * --bench N then runs every test N more times through mox_spf_check()
 * (straight on the static resolver where the scenario has no per-type
 * timeouts) and prints the evaluations per second.
 *
 * DNS: each scenario's zone goes into a static resolver, wrapped in a
 * custom resolver that makes the suite's per-type timeouts time out and
 * maps names with octets the static resolver cannot be asked for (see
 * convert.py). The step loop resolves the evaluator's \DDD escapes
 * itself; mox_spf_check() can only ask for names the resolver takes. A
 * test whose questions the resolver refuses (MOX_EINVAL from
 * mox_dns_lookup(), e.g. a name with a space where libmoxcore does not
 * take spaces) and whose two paths then differ is checked through the
 * step loop only, and listed.
 *
 * Explanations are compared ignoring ASCII case: the suite writes the
 * IPv6 nibbles of %{i} in the case the test's host was written in
 * ("E.B.A.B.E.F.A.C.ip6.arpa" for host CAFE:BABE::1), while RFC 7208 7.4
 * shows them in lowercase, which is what libmoxspf gives.
 */
#include <errno.h>
#include <stdbool.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/spf.h>

#define MAXRES 8

struct test {
	char *id;
	char *host;
	char *mailfrom;
	char *helo;
	char *results[MAXRES];
	int nres;
	int expmode; /* 0: not checked, 1: explanation, 2: none */
	char *explanation;
};

struct tmo {
	char *name;
	uint16_t type;
};

struct scenario {
	char *desc;
	char *zone;
	size_t zlen, zcap;
	struct tmo *tmos;
	size_t ntmos;
	struct test *tests;
	size_t ntests;
};

struct wrap {
	mox_resolver *inner;
	const struct scenario *s;
};

static int verbose;
static char **changed;
static size_t nchanged;
static bool *changed_seen;
static unsigned long npass, nfail, nexpected, nsteponly;
static unsigned long bench_n, bench_evals;
static double bench_secs;

static void *
xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL) {
		perror("malloc");
		exit(2);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	char *d = xmalloc(strlen(s) + 1);

	memcpy(d, s, strlen(s) + 1);
	return d;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decoding of convert.py's values. */
static char *
pct_decode(const char *s)
{
	char *d = xmalloc(strlen(s) + 1), *o = d;

	while (*s != '\0') {
		if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return d;
}

/* The name as the zone holds it: raw octets the resolver cannot be asked
 * for, and '~', as "~xx" (convert.py name_map). */
static void
map_name(char *out, size_t cap, const char *raw, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 4 < cap; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '~')
			o += (size_t)snprintf(out + o, cap - o, "~%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* Resolve \DDD and \X of a question name into raw octets. */
static size_t
unescape(char *out, const char *s)
{
	size_t o = 0;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '9' && s[2] != '\0' &&
		    s[3] != '\0') {
			out[o++] = (char)((s[1] - '0') * 100 + (s[2] - '0') * 10 +
			    (s[3] - '0'));
			s += 4;
		} else if (s[0] == '\\' && s[1] != '\0') {
			out[o++] = s[1];
			s += 2;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
	return o;
}

/* One question against the scenario: timeouts, then the static zone. */
static int
wrap_lookup(struct wrap *w, const char *raw, size_t len, uint16_t type,
    mox_dns_answer **out)
{
	char mapped[1200];
	size_t i;

	map_name(mapped, sizeof(mapped), raw, len);
	if (len > 0 && mapped[strlen(mapped) - 1] == '.')
		mapped[strlen(mapped) - 1] = '\0';
	for (i = 0; i < w->s->ntmos; i++) {
		if (w->s->tmos[i].type == type &&
		    strcasecmp(w->s->tmos[i].name, mapped) == 0)
			return mox_dns_answer_new(out, mapped, type,
			    MOX_DNS_TIMEOUT, 2);
	}
	return mox_dns_lookup(w->inner, mapped, type, out);
}

static int
wrap_query(void *impl, mox_resolver *r, uint64_t qid, const char *qname,
    uint16_t qtype)
{
	mox_dns_answer *a = NULL;
	int rc = wrap_lookup(impl, qname, strlen(qname), qtype, &a);

	if (rc != MOX_OK)
		return rc;
	return mox_resolver_complete(r, qid, a);
}

static const mox_resolver_ops wrap_ops = {
	MOX_RESOLVER_OPS_VERSION, wrap_query, NULL, NULL, NULL, NULL
};

static bool
result_ok(const struct test *t, int verdict)
{
	int i;

	for (i = 0; i < t->nres; i++) {
		if (strcmp(t->results[i], mox_spf_verdict_name(verdict)) == 0)
			return true;
	}
	return false;
}

static bool
explanation_ok(const struct test *t, const char *exp)
{
	if (t->expmode == 1)
		return exp != NULL && strcasecmp(exp, t->explanation) == 0;
	if (t->expmode == 2)
		return exp == NULL;
	return true;
}

/* The step loop. *refused tells whether the resolver refused a question's
 * name as it is. */
static int
run_steps(struct wrap *w, const mox_spf_request *req, mox_spf_result *res,
    bool *refused)
{
	mox_spf_eval *e;
	mox_spf_question q;
	int rc;

	*refused = false;
	rc = mox_spf_eval_new(&e, req);
	if (rc != MOX_OK)
		return rc;
	while ((rc = mox_spf_eval_step(e, &q)) == MOX_SPF_STEP_QUERY) {
		char raw[1200];
		mox_dns_answer *a = NULL;
		size_t len;

		if (mox_dns_lookup(w->inner, q.name, q.type, &a) == MOX_EINVAL)
			*refused = true;
		mox_dns_answer_free(a);
		a = NULL;
		len = unescape(raw, q.name);
		rc = wrap_lookup(w, raw, len, q.type, &a);
		if (rc != MOX_OK) {
			fprintf(stderr, "lookup %s: %s\n", q.name,
			    mox_strerror(rc));
			break;
		}
		rc = mox_spf_eval_answer(e, a);
		mox_dns_answer_free(a);
		if (rc != MOX_OK)
			break;
	}
	if (rc == MOX_SPF_STEP_DONE)
		rc = mox_spf_eval_result(e, res);
	mox_spf_eval_free(e);
	return rc;
}

/* The entry of the changed file for a test: 'c' (changed) or 'n'
 * (narrowed, want set), or 0. */
static int
changed_kind(const char *id, char *want, size_t cap)
{
	size_t i;

	for (i = 0; i < nchanged; i++) {
		const char *l = changed[i];
		int kind = strncmp(l, "changed ", 8) == 0 ? 'c' :
		    strncmp(l, "narrowed ", 9) == 0 ? 'n' : 0;
		size_t n;

		if (kind == 0)
			continue;
		l += kind == 'c' ? 8 : 9;
		n = strcspn(l, " \t");
		if (strlen(id) != n || strncmp(l, id, n) != 0)
			continue;
		changed_seen[i] = true;
		if (kind == 'n') {
			l += n + strspn(l + n, " \t");
			n = strcspn(l, " \t");
			snprintf(want, cap, "%.*s", (int)n, l);
		}
		return kind;
	}
	return 0;
}

static void
show(const char *what, const struct test *t, const mox_spf_result *r)
{
	printf("%s %s: got %s", what, t->id, mox_spf_verdict_name(r->verdict));
	if (r->explanation != NULL)
		printf(" explanation \"%s\"", r->explanation);
	if (r->reason != NULL)
		printf(" (%s)", r->reason);
	printf("; want %s", t->results[0]);
	for (int i = 1; i < t->nres; i++)
		printf("|%s", t->results[i]);
	if (t->expmode == 1)
		printf(" explanation \"%s\"", t->explanation);
	else if (t->expmode == 2)
		printf(" and no explanation");
	printf("\n");
}

static void
run_test(struct wrap *w, mox_resolver *wr, const struct test *t)
{
	mox_spf_request req = MOX_SPF_REQUEST_INIT;
	mox_spf_result r1 = MOX_SPF_RESULT_INIT, r2 = MOX_SPF_RESULT_INIT;
	bool refused, ok1, ok2, same, check_skipped = false;
	char want[32] = "";
	int rc, kind;

	if (mox_ip_parse(&req.ip, t->host, strlen(t->host)) != MOX_OK) {
		printf("FAIL %s: bad host %s\n", t->id, t->host);
		nfail++;
		return;
	}
	req.sender = t->mailfrom;
	req.helo = t->helo;
	req.now = 1400000000;
	rc = run_steps(w, &req, &r1, &refused);
	if (rc != MOX_OK) {
		printf("FAIL %s: step loop: %s\n", t->id, mox_strerror(rc));
		nfail++;
		return;
	}
	rc = mox_spf_check(&r2, wr, &req);
	if (rc != MOX_OK) {
		printf("FAIL %s: mox_spf_check: %s\n", t->id, mox_strerror(rc));
		mox_spf_result_release(&r1);
		nfail++;
		return;
	}
	ok1 = result_ok(t, r1.verdict) && explanation_ok(t, r1.explanation);
	ok2 = result_ok(t, r2.verdict) && explanation_ok(t, r2.explanation);
	same = r1.verdict == r2.verdict &&
	    (r1.explanation == NULL) == (r2.explanation == NULL) &&
	    (r1.explanation == NULL ||
	    strcmp(r1.explanation, r2.explanation) == 0);
	if (refused && !same) {
		/* mox_spf_check() could not ask for a name. */
		check_skipped = true;
		ok2 = ok1;
		same = true;
	}
	kind = changed_kind(t->id, want, sizeof(want));
	if (kind == 'n' && ok1 && ok2 && same &&
	    strcmp(mox_spf_verdict_name(r1.verdict), want) != 0) {
		printf("FAIL (RFC 7208 allows only %s) ", want);
		show("", t, &r1);
		nfail++;
	} else if (kind == 'c') {
		if (ok1 || ok2) {
			show("UNEXPECTED-PASS (listed as changed)", t, &r1);
			nfail++;
		} else if (!same) {
			show("FAIL (paths differ)", t, &r1);
			show("     mox_spf_check", t, &r2);
			nfail++;
		} else {
			nexpected++;
			if (verbose)
				show("changed", t, &r1);
		}
	} else if (ok1 && ok2 && same) {
		npass++;
		if (check_skipped) {
			nsteponly++;
			printf("note %s: checked through the step loop only "
			    "(the resolver refuses a question name)\n",
			    t->id);
		}
		if (verbose)
			show("ok", t, &r1);
	} else {
		if (!ok1)
			show("FAIL (step loop)", t, &r1);
		if (!ok2)
			show("FAIL (mox_spf_check)", t, &r2);
		if (ok1 && ok2 && !same) {
			show("FAIL (paths differ)", t, &r1);
			show("     mox_spf_check", t, &r2);
		}
		nfail++;
	}
	mox_spf_result_release(&r1);
	mox_spf_result_release(&r2);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
bench(const struct scenario *s, mox_resolver *r)
{
	double t0 = now_s();
	unsigned long k;
	size_t i;

	for (i = 0; i < s->ntests; i++) {
		const struct test *t = &s->tests[i];
		mox_spf_request req = MOX_SPF_REQUEST_INIT;

		if (mox_ip_parse(&req.ip, t->host, strlen(t->host)) != MOX_OK)
			continue;
		req.sender = t->mailfrom;
		req.helo = t->helo;
		req.now = 1400000000;
		for (k = 0; k < bench_n; k++) {
			mox_spf_result res = MOX_SPF_RESULT_INIT;

			if (mox_spf_check(&res, r, &req) != MOX_OK)
				exit(2);
			mox_spf_result_release(&res);
			bench_evals++;
		}
	}
	bench_secs += now_s() - t0;
}

static void
run_scenario(struct scenario *s)
{
	mox_resolver *st = NULL, *wr = NULL;
	struct wrap w;
	size_t i;
	int rc;

	if (s->ntests == 0)
		return;
	if (mox_resolver_new_static(&st) != MOX_OK) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	rc = mox_resolver_static_load(st, s->zone != NULL ? s->zone : "",
	    s->zlen, NULL);
	if (rc != MOX_OK) {
		printf("FAIL scenario \"%s\": zone: %s\n", s->desc,
		    mox_resolver_errmsg(st));
		nfail += s->ntests;
		mox_resolver_free(st);
		return;
	}
	w.inner = st;
	w.s = s;
	if (mox_resolver_new_custom(&wr, &wrap_ops, &w) != MOX_OK) {
		fprintf(stderr, "custom resolver failed\n");
		exit(2);
	}
	if (verbose)
		printf("scenario: %s\n", s->desc);
	for (i = 0; i < s->ntests; i++)
		run_test(&w, wr, &s->tests[i]);
	if (bench_n > 0)
		bench(s, s->ntmos > 0 ? wr : st);
	mox_resolver_free(wr);
	mox_resolver_free(st);
}

static void
scenario_free(struct scenario *s)
{
	size_t i;

	for (i = 0; i < s->ntests; i++) {
		struct test *t = &s->tests[i];

		free(t->id);
		free(t->host);
		free(t->mailfrom);
		free(t->helo);
		free(t->explanation);
		for (int k = 0; k < t->nres; k++)
			free(t->results[k]);
	}
	for (i = 0; i < s->ntmos; i++)
		free(s->tmos[i].name);
	free(s->tests);
	free(s->tmos);
	free(s->zone);
	free(s->desc);
	memset(s, 0, sizeof(*s));
}

static void
zone_add(struct scenario *s, const char *line)
{
	size_t n = strlen(line);

	if (s->zlen + n + 2 > s->zcap) {
		s->zcap = (s->zlen + n + 2) * 2;
		s->zone = realloc(s->zone, s->zcap);
		if (s->zone == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(s->zone + s->zlen, line, n);
	s->zlen += n;
	s->zone[s->zlen++] = '\n';
	s->zone[s->zlen] = '\0';
}

static void
load_changed(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "changed ", 8) != 0 &&
		    strncmp(line, "narrowed ", 9) != 0) {
			fprintf(stderr, "%s: bad line \"%s\"\n", path, line);
			exit(2);
		}
		changed = realloc(changed, (nchanged + 1) * sizeof(*changed));
		if (changed == NULL)
			exit(2);
		changed[nchanged++] = xstrdup(line);
	}
	fclose(f);
	changed_seen = xmalloc(nchanged * sizeof(*changed_seen) + 1);
}

int
main(int argc, char **argv)
{
	struct scenario s;
	struct test *t = NULL;
	const char *path = NULL;
	char line[70000];
	FILE *f;
	size_t i;
	int k;

	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[k], "--changed") == 0 && k + 1 < argc)
			load_changed(argv[++k]);
		else if (strcmp(argv[k], "--bench") == 0 && k + 1 < argc)
			bench_n = strtoul(argv[++k], NULL, 10);
		else
			path = argv[k];
	}
	if (path == NULL) {
		fprintf(stderr, "usage: spf-conformance [-v] [--changed FILE] "
		    "[--bench N] SUITE.txt\n");
		return 2;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	memset(&s, 0, sizeof(s));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *arg;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		arg = strchr(line, ' ');
		if (arg != NULL)
			*arg++ = '\0';
		else
			arg = line + strlen(line);
		if (strcmp(line, "scenario") == 0) {
			run_scenario(&s);
			scenario_free(&s);
			s.desc = pct_decode(arg);
		} else if (strcmp(line, "zone") == 0) {
			zone_add(&s, arg);
		} else if (strcmp(line, "timeout") == 0) {
			char *sp = strchr(arg, ' ');

			if (sp == NULL)
				goto bad;
			*sp++ = '\0';
			s.tmos = realloc(s.tmos, (s.ntmos + 1) *
			    sizeof(*s.tmos));
			if (s.tmos == NULL)
				exit(2);
			s.tmos[s.ntmos].name = pct_decode(arg);
			if (mox_dns_type_parse(&s.tmos[s.ntmos].type, sp) !=
			    MOX_OK)
				goto bad;
			s.ntmos++;
		} else if (strcmp(line, "test") == 0) {
			s.tests = realloc(s.tests, (s.ntests + 1) *
			    sizeof(*s.tests));
			if (s.tests == NULL)
				exit(2);
			t = &s.tests[s.ntests++];
			memset(t, 0, sizeof(*t));
			t->id = pct_decode(arg);
			t->mailfrom = xstrdup("");
			t->helo = xstrdup("");
		} else if (t == NULL) {
			goto bad;
		} else if (strcmp(line, "host") == 0) {
			t->host = pct_decode(arg);
		} else if (strcmp(line, "mailfrom") == 0) {
			free(t->mailfrom);
			t->mailfrom = pct_decode(arg);
		} else if (strcmp(line, "helo") == 0) {
			free(t->helo);
			t->helo = pct_decode(arg);
		} else if (strcmp(line, "result") == 0) {
			char *tok = arg;

			while (*tok != '\0' && t->nres < MAXRES) {
				size_t n = strcspn(tok, " ");

				if (n > 0) {
					t->results[t->nres] = xmalloc(n + 1);
					memcpy(t->results[t->nres++], tok, n);
				}
				tok += n + (tok[n] == ' ');
			}
		} else if (strcmp(line, "explanation") == 0) {
			t->expmode = 1;
			t->explanation = pct_decode(arg);
		} else if (strcmp(line, "noexplanation") == 0) {
			t->expmode = 2;
		} else if (strcmp(line, "end") == 0) {
			if (t->host == NULL || t->nres == 0)
				goto bad;
			t = NULL;
		} else {
			goto bad;
		}
		continue;
bad:
		fprintf(stderr, "%s: bad line \"%s\"\n", path, line);
		return 2;
	}
	fclose(f);
	run_scenario(&s);
	scenario_free(&s);
	for (i = 0; i < nchanged; i++) {
		if (!changed_seen[i]) {
			printf("FAIL listed as changed but not in the suite: "
			    "%s\n", changed[i]);
			nfail++;
		}
		free(changed[i]);
	}
	free(changed);
	free(changed_seen);
	printf("%lu passed, %lu failed", npass, nfail);
	if (nexpected > 0)
		printf(", %lu expected differences (RFC 7208 changes)",
		    nexpected);
	if (nsteponly > 0)
		printf(", %lu checked through the step loop only", nsteponly);
	printf("\n");
	if (bench_n > 0 && bench_secs > 0)
		printf("bench: %lu evaluations in %.3f s: %.0f evaluations/s\n",
		    bench_evals, bench_secs, (double)bench_evals / bench_secs);
	return nfail == 0 ? 0 : 1;
}
