/* SPDX-License-Identifier: MIT */
/*
 * mox_driver.c -- libmox-dmarc side of the OpenDMARC differential.
 *
 * Usage: mox_driver [-rfc9989] CASES
 *
 * Evaluates every case of gen_cases.py with mox_dmarc_eval over an
 * in-memory resolver holding the case's TXT records, in RFC 7489 mode
 * with Debian's Public Suffix List (or RFC 9989 mode with -rfc9989), and
 * prints one line per case:
 *
 *   ID TAB VERDICT TAB POLICY TAB DETAIL
 *
 * POLICY is the policy the record asks for on fail (before pct sampling,
 * which OpenDMARC's library leaves to its caller), "none" otherwise.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/dmarc.h>

#include "cases.h"

static size_t
txt_rdata(uint8_t *out, const char *s)
{
	size_t len = strlen(s), o = 0, i;

	if (len == 0) {
		out[0] = 0;
		return 1;
	}
	for (i = 0; i < len; i += 255) {
		size_t n = len - i < 255 ? len - i : 255;

		out[o++] = (uint8_t)n;
		memcpy(out + o, s + i, n);
		o += n;
	}
	return o;
}

static int
result_of(const char *s, bool dkim)
{
	if (strcmp(s, "pass") == 0)
		return dkim ? MOX_DMARC_DKIM_PASS : MOX_DMARC_SPF_PASS;
	if (strcmp(s, "fail") == 0)
		return dkim ? MOX_DMARC_DKIM_FAIL : MOX_DMARC_SPF_FAIL;
	return dkim ? MOX_DMARC_DKIM_NONE : MOX_DMARC_SPF_NONE;
}

int
main(int argc, char **argv)
{
	bool rfc9989 = argc > 1 && strcmp(argv[1], "-rfc9989") == 0;
	mox_dmarc_psl *psl = NULL;
	struct dcase *cs;
	int n, i, k;

	if (argc != (rfc9989 ? 3 : 2)) {
		fprintf(stderr, "usage: mox_driver [-rfc9989] CASES\n");
		return 2;
	}
	n = cases_read(argv[argc - 1], &cs);
	if (mox_dmarc_psl_load(&psl, NULL) != MOX_OK) {
		fprintf(stderr, "cannot load the public suffix list\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		const struct dcase *c = &cs[i];
		mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;
		mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
		mox_dmarc_spf spf;
		mox_dmarc_dkim dk[CASE_MAX_DKIM];
		mox_resolver *r;
		char msg[600];
		uint8_t rd[1200];
		int rc;

		if (mox_resolver_new_static(&r) != MOX_OK)
			return 2;
		for (k = 0; k < c->ntxt; k++) {
			size_t len = txt_rdata(rd, c->txt[k]);

			if (mox_resolver_static_add(r, c->txt_name[k],
			    MOX_DNS_TXT, 300, rd, len, false) != MOX_OK) {
				fprintf(stderr, "%s: bad record\n", c->id);
				return 2;
			}
		}
		if (!rfc9989) {
			o.flags = MOX_DMARC_RFC7489;
			o.psl = psl;
		}
		spf.result = result_of(c->spf_res, false);
		spf.domain = c->spf_res[0] != '\0' ? c->spf_dom : NULL;
		spf.helo = false;
		for (k = 0; k < c->ndkim; k++) {
			dk[k].result = result_of(c->dkim_res[k], true);
			dk[k].domain = c->dkim_dom[k];
			dk[k].selector = "sel";
		}
		snprintf(msg, sizeof(msg), "From: u@%s\r\n\r\n", c->from);
		rc = mox_dmarc_check(&res, r, (const uint8_t *)msg,
		    strlen(msg), &spf, dk, (size_t)c->ndkim, &o);
		if (rc != MOX_OK) {
			printf("%s\terror\tnone\t%s\n", c->id, mox_strerror(rc));
		} else {
			printf("%s\t%s\t%s\t%s\n", c->id,
			    mox_dmarc_verdict_name(res.verdict),
			    mox_dmarc_policy_name(res.verdict ==
			    MOX_DMARC_FAIL ? res.policy_requested :
			    MOX_DMARC_P_NONE),
			    res.reason != NULL ? res.reason : "");
			mox_dmarc_result_release(&res);
		}
		mox_resolver_free(r);
	}
	mox_dmarc_psl_free(psl);
	free(cs);
	return 0;
}
