/* SPDX-License-Identifier: MIT */
/*
 * bench_dmarc.c -- DMARC evaluations per second: libmox-dmarc (policy
 * discovery through the in-memory resolver, alignment, the policy to
 * apply; RFC 7489 mode with the Public Suffix List, and RFC 9989 mode
 * with its tree walk) next to libopendmarc (its fake DNS table, its
 * list) on the same cases.
 *
 * Usage: bench_dmarc CASES [-seconds S] [-cases N] [-only mox|opendmarc]
 *
 * CASES is a file from tests/interop/dmarc/gen_cases.py; the first N
 * cases (default 40) are used, round robin, for S seconds (default 2)
 * per implementation. Both sides get the From domain, SPF and DKIM
 * results and the records of the same cases; mox parses the From field
 * of a small header section (mox_dmarc_check()), OpenDMARC is given the
 * domain. OpenDMARC's fake DNS table is a list searched linearly, so N is
 * kept small (with 40 cases it holds about 50 names) to keep that cost
 * out of its numbers. Rates are per second of the thread's CPU time.
 * Build with -O2 and no sanitizers.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mox/dmarc.h>
#include <opendmarc/dmarc.h>

#include "../interop/dmarc/cases.h"

#define PSL "/usr/share/publicsuffix/public_suffix_list.dat"

static double
now(void)
{
	struct timespec ts;

	/* CPU time of this thread: other work on the machine does not
	 * count against either side. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
txt_rdata(uint8_t *out, const char *s)
{
	size_t len = strlen(s), o = 0, i;

	for (i = 0; i < len; i += 255) {
		size_t n = len - i < 255 ? len - i : 255;

		out[o++] = (uint8_t)n;
		memcpy(out + o, s + i, n);
		o += n;
	}
	return o;
}

struct mcase {
	char msg[400];
	size_t mlen;
	mox_dmarc_spf spf;
	mox_dmarc_dkim dkim[CASE_MAX_DKIM];
	size_t ndkim;
};

static int
mres(const char *s, bool dkim)
{
	if (strcmp(s, "pass") == 0)
		return dkim ? MOX_DMARC_DKIM_PASS : MOX_DMARC_SPF_PASS;
	if (strcmp(s, "fail") == 0)
		return dkim ? MOX_DMARC_DKIM_FAIL : MOX_DMARC_SPF_FAIL;
	return dkim ? MOX_DMARC_DKIM_NONE : MOX_DMARC_SPF_NONE;
}

static double
bench_mox(const struct dcase *cs, int n, double secs, bool rfc7489,
    unsigned long *verdicts)
{
	mox_dmarc_psl *psl = NULL;
	mox_resolver *r = NULL;
	struct mcase *mc = calloc((size_t)n, sizeof(*mc));
	mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;
	unsigned long count = 0;
	double t0, t;
	int i, k;

	if (mc == NULL || mox_dmarc_psl_load(&psl, PSL) != MOX_OK ||
	    mox_resolver_new_static(&r) != MOX_OK)
		exit(2);
	for (i = 0; i < n; i++) {
		for (k = 0; k < cs[i].ntxt; k++) {
			uint8_t rd[1200];
			size_t len = txt_rdata(rd, cs[i].txt[k]);

			if (mox_resolver_static_add(r, cs[i].txt_name[k],
			    MOX_DNS_TXT, 300, rd, len, false) != MOX_OK)
				exit(2);
		}
		mc[i].mlen = (size_t)snprintf(mc[i].msg, sizeof(mc[i].msg),
		    "From: Someone <u@%s>\r\nSubject: x\r\n\r\n", cs[i].from);
		mc[i].spf.result = mres(cs[i].spf_res, false);
		mc[i].spf.domain = cs[i].spf_res[0] ? cs[i].spf_dom : NULL;
		for (k = 0; k < cs[i].ndkim; k++) {
			mc[i].dkim[k].result = mres(cs[i].dkim_res[k], true);
			mc[i].dkim[k].domain = cs[i].dkim_dom[k];
			mc[i].dkim[k].selector = "sel";
		}
		mc[i].ndkim = (size_t)cs[i].ndkim;
	}
	if (rfc7489) {
		o.flags = MOX_DMARC_RFC7489;
		o.psl = psl;
	}
	t0 = now();
	do {
		for (i = 0; i < n; i++) {
			mox_dmarc_result res = MOX_DMARC_RESULT_INIT;

			if (mox_dmarc_check(&res, r,
			    (const uint8_t *)mc[i].msg, mc[i].mlen, &mc[i].spf,
			    mc[i].dkim, mc[i].ndkim, &o) != MOX_OK)
				exit(3);
			verdicts[res.verdict]++;
			mox_dmarc_result_release(&res);
		}
		count += (unsigned long)n;
		t = now() - t0;
	} while (t < secs);
	mox_resolver_free(r);
	mox_dmarc_psl_free(psl);
	free(mc);
	return (double)count / t;
}

static int
ospf(const char *s)
{
	if (strcmp(s, "pass") == 0)
		return DMARC_POLICY_SPF_OUTCOME_PASS;
	if (strcmp(s, "fail") == 0)
		return DMARC_POLICY_SPF_OUTCOME_FAIL;
	return DMARC_POLICY_SPF_OUTCOME_NONE;
}

static int
odkim(const char *s)
{
	if (strcmp(s, "pass") == 0)
		return DMARC_POLICY_DKIM_OUTCOME_PASS;
	if (strcmp(s, "fail") == 0)
		return DMARC_POLICY_DKIM_OUTCOME_FAIL;
	return DMARC_POLICY_DKIM_OUTCOME_NONE;
}

static double
bench_opendmarc(struct dcase *cs, int n, double secs,
    unsigned long *outcomes)
{
	OPENDMARC_LIB_T lib;
	unsigned long count = 0;
	double t0, t;
	int i, k;

	memset(&lib, 0, sizeof(lib));
	lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
	snprintf((char *)lib.tld_source_file, sizeof(lib.tld_source_file),
	    "%s", PSL);
	if (opendmarc_policy_library_init(&lib) != DMARC_PARSE_OKAY)
		exit(2);
	for (i = 0; i < n; i++) {
		for (k = 0; k < cs[i].ntxt; k++)
			opendmarc_dns_fake_record(cs[i].txt_name[k],
			    cs[i].txt[k]);
	}
	opendmarc_dns_fake_record("_dmarc.invalid", "v=DMARC1; p=none");
	t0 = now();
	do {
		for (i = 0; i < n; i++) {
			struct dcase *c = &cs[i];
			DMARC_POLICY_T *p;
			int st;

			p = opendmarc_policy_connect_init(
			    (u_char *)"192.0.2.1", 0);
			if (p == NULL)
				exit(3);
			opendmarc_policy_store_from_domain(p,
			    (u_char *)c->from);
			st = opendmarc_policy_query_dmarc(p,
			    (u_char *)c->from);
			if (c->spf_res[0] != '\0')
				opendmarc_policy_store_spf(p,
				    (u_char *)c->spf_dom, ospf(c->spf_res),
				    DMARC_POLICY_SPF_ORIGIN_MAILFROM, NULL);
			for (k = 0; k < c->ndkim; k++)
				opendmarc_policy_store_dkim(p,
				    (u_char *)c->dkim_dom[k],
				    (u_char *)"sel", odkim(c->dkim_res[k]),
				    NULL);
			if (st == DMARC_PARSE_OKAY)
				st = opendmarc_get_policy_to_enforce(p);
			outcomes[st == DMARC_POLICY_PASS ? 1 :
			    st == DMARC_POLICY_REJECT ||
			    st == DMARC_POLICY_QUARANTINE ||
			    st == DMARC_POLICY_NONE ? 2 : 0]++;
			opendmarc_policy_connect_shutdown(p);
		}
		count += (unsigned long)n;
		t = now() - t0;
	} while (t < secs);
	opendmarc_policy_library_shutdown(&lib);
	return (double)count / t;
}

int
main(int argc, char **argv)
{
	struct dcase *cs;
	double secs = 2, m7489, m9989, od;
	unsigned long v1[5] = { 0 }, v2[5] = { 0 }, v3[3] = { 0 };
	int n, use = 40, i;
	const char *only = "";

	if (argc < 2) {
		fprintf(stderr, "usage: bench_dmarc CASES [-seconds S] "
		    "[-cases N]\n");
		return 2;
	}
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-seconds") == 0)
			secs = atof(argv[i + 1]);
		else if (strcmp(argv[i], "-cases") == 0)
			use = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-only") == 0)
			only = argv[i + 1];
	}
	n = cases_read(argv[1], &cs);
	if (use > n)
		use = n;
	if (use <= 0)
		return 2;
	m7489 = m9989 = od = 1;
	if (strcmp(only, "opendmarc") != 0) {
		m7489 = bench_mox(cs, use, secs, true, v1);
		m9989 = bench_mox(cs, use, secs, false, v2);
	}
	if (strcmp(only, "mox") != 0)
		od = bench_opendmarc(cs, use, secs, v3);
	printf("dmarc cases: %d\n", use);
	printf("dmarc mox rfc7489: %.0f eval/s (pass %lu fail %lu none %lu)\n",
	    m7489, v1[MOX_DMARC_PASS], v1[MOX_DMARC_FAIL], v1[MOX_DMARC_NONE]);
	printf("dmarc mox rfc9989: %.0f eval/s (pass %lu fail %lu none %lu)\n",
	    m9989, v2[MOX_DMARC_PASS], v2[MOX_DMARC_FAIL], v2[MOX_DMARC_NONE]);
	printf("dmarc opendmarc: %.0f eval/s (pass %lu fail %lu none %lu)\n",
	    od, v3[1], v3[2], v3[0]);
	printf("dmarc mox rfc7489 / opendmarc: %.2fx\n", m7489 / od);
	printf("dmarc mox rfc9989 / opendmarc: %.2fx\n", m9989 / od);
	free(cs);
	return 0;
}
