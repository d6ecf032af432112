/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dmarc_record.c -- DMARC record text (RFC 9989 4.7, 4.8):
 *  - the round trip: a record that parses is formatted; the output must
 *    parse again and format to the same text, with the same values;
 *  - the evaluator: the input is the TXT answer of every _dmarc question
 *    of an evaluation whose other answers are made up from a hash of the
 *    name (NXDOMAIN, NODATA, SERVFAIL, the record twice), in RFC 9989
 *    and RFC 7489 mode, with relaxed alignment walks for SPF and DKIM
 *    domains. The evaluation must end within the query limit with a
 *    verdict and a policy that agree;
 *  - the From field: the input as a From value must give the same first
 *    question (or verdict) as the same value behind a comment, which
 *    sends it through the full address list parser instead of the
 *    evaluator's fast path for simple forms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
format(const mox_dmarc_record *r, size_t *len)
{
	size_t n = mox_dmarc_record_format(NULL, 0, r);
	char *b = malloc(n + 1);

	if (b == NULL)
		abort();
	if (mox_dmarc_record_format(b, n + 1, r) != n || strlen(b) != n)
		abort();
	*len = n;
	return b;
}

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h;
}

/* TXT rdata of text: character-strings of at most 255 octets. */
static size_t
txt_rdata(uint8_t *out, const uint8_t *p, size_t len)
{
	size_t o = 0, i;

	if (len == 0) {
		out[0] = 0;      /* one empty character-string */
		return 1;
	}
	for (i = 0; i < len; i += 255) {
		size_t n = len - i < 255 ? len - i : 255;

		out[o++] = (uint8_t)n;
		memcpy(out + o, p + i, n);
		o += n;
	}
	return o;
}

static int
make_answer(mox_dns_answer **out, const mox_dmarc_question *q,
    const uint8_t *rec, size_t reclen, uint8_t *buf)
{
	uint32_t h = hash(q->name);
	int kind = (int)(h % 8), rc;
	static const uint8_t a4[4] = { 192, 0, 2, 1 };
	size_t n;

	if (kind == 0)
		return mox_dns_answer_new(out, q->name, q->type,
		    MOX_DNS_NXDOMAIN, 3);
	if (kind == 1 && (h & 0x100) != 0)
		return mox_dns_answer_new(out, q->name, q->type,
		    MOX_DNS_SERVFAIL, 2);
	if (kind == 2)
		return mox_dns_answer_new(out, q->name, q->type,
		    MOX_DNS_NODATA, 0);
	rc = mox_dns_answer_new(out, q->name, q->type, MOX_DNS_OK, 0);
	if (rc != MOX_OK)
		return rc;
	if (q->type == MOX_DNS_A) {
		rc = mox_dns_answer_add(*out, q->name, q->type, 60, a4, 4);
	} else if (q->type == MOX_DNS_TXT) {
		n = txt_rdata(buf, rec, reclen);
		rc = mox_dns_answer_add(*out, q->name, q->type, 60, buf, n);
		if (rc == MOX_OK && kind == 3)
			rc = mox_dns_answer_add(*out, q->name, q->type, 60,
			    buf, n);
	} else {
		abort(); /* the evaluator asks nothing else */
	}
	if (rc != MOX_OK) {
		mox_dns_answer_free(*out);
		*out = NULL;
	}
	return rc;
}

static mox_dmarc_psl *psl;

static void
evaluate(const uint8_t *rec, size_t reclen, bool rfc7489, const char *from)
{
	mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	mox_dmarc_spf spf = { MOX_DMARC_SPF_PASS, "b.mail.example.com",
		false };
	mox_dmarc_dkim dk[2] = {
		{ MOX_DMARC_DKIM_PASS, "x.y.z.a.example.com", "s" },
		{ MOX_DMARC_DKIM_PASS, "example.com.evil", "s" },
	};
	mox_dmarc_question q;
	mox_dmarc_eval *e;
	uint8_t *buf;
	int rc, steps = 0;
	char authres[1024];

	if (rfc7489) {
		if (psl == NULL && mox_dmarc_psl_load(&psl, NULL) != MOX_OK)
			return;
		o.flags = MOX_DMARC_RFC7489;
		o.psl = psl;
	}
	buf = malloc(reclen + reclen / 255 + 16);
	if (buf == NULL)
		abort();
	if (mox_dmarc_eval_new(&e, (const uint8_t *)from, strlen(from), &spf,
	    dk, 2, &o) != MOX_OK)
		abort();
	while ((rc = mox_dmarc_eval_step(e, &q)) == MOX_DMARC_STEP_QUERY) {
		mox_dns_answer *a = NULL;

		if (++steps > DMARC_MAX_QUERIES)
			abort();
		rc = make_answer(&a, &q, rec, reclen, buf);
		if (rc != MOX_OK)
			abort();
		rc = mox_dmarc_eval_answer(e, a);
		mox_dns_answer_free(a);
		if (rc != MOX_OK)
			abort();
	}
	if (rc != MOX_DMARC_STEP_DONE || mox_dmarc_eval_result(e, &res) !=
	    MOX_OK)
		abort();
	if (res.verdict < MOX_DMARC_NONE ||
	    res.verdict > MOX_DMARC_PERMERROR)
		abort();
	if (res.policy < MOX_DMARC_P_NONE || res.policy > MOX_DMARC_P_REJECT)
		abort();
	if (res.verdict != MOX_DMARC_FAIL && res.policy != MOX_DMARC_P_NONE)
		abort();
	if (res.verdict == MOX_DMARC_FAIL &&
	    (res.policy > res.policy_requested || res.record == NULL))
		abort();
	if (res.verdict == MOX_DMARC_PASS &&
	    !res.spf_aligned && !res.dkim_aligned)
		abort();
	if (res.queries > DMARC_MAX_QUERIES)
		abort();
	if (mox_dmarc_authres(authres, sizeof(authres), &res) >=
	    sizeof(authres))
		abort();
	mox_dmarc_result_release(&res);
	mox_dmarc_eval_free(e);
	free(buf);
}

/* The first question's name, or the verdict and reason. */
static void
first_step(const uint8_t *v, size_t len, char *out, size_t cap)
{
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	mox_dmarc_question q;
	mox_dmarc_eval *e;

	if (mox_dmarc_eval_new(&e, v, len, NULL, NULL, 0, NULL) != MOX_OK)
		abort();
	if (mox_dmarc_eval_step(e, &q) == MOX_DMARC_STEP_QUERY) {
		snprintf(out, cap, "q %s", q.name);
	} else {
		if (mox_dmarc_eval_result(e, &res) != MOX_OK)
			abort();
		snprintf(out, cap, "v %d %s", res.verdict,
		    res.reason != NULL ? res.reason : "");
		mox_dmarc_result_release(&res);
	}
	mox_dmarc_eval_free(e);
}

static void
from_compare(const uint8_t *data, size_t size)
{
	char a[400], b[400];
	uint8_t *slow;
	size_t i;

	if (size > 300)
		return;
	for (i = 0; i < size; i++) {
		if (data[i] < 0x20 || data[i] >= 0x7f ||
		    strchr("()\",;:\\", data[i]) != NULL)
			return;
	}
	slow = malloc(size + 4);
	if (slow == NULL)
		abort();
	memcpy(slow, "(c) ", 4);
	memcpy(slow + 4, data, size);
	first_step(data, size, a, sizeof(a));
	first_step(slow, size + 4, b, sizeof(b));
	if (strcmp(a, b) != 0)
		abort();
	free(slow);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_dmarc_record *r = NULL, *r2 = NULL;
	const mox_dmarc_record_info *a, *b;
	char *t1, *t2;
	size_t l1, l2, i;

	if (mox_dmarc_record_parse(&r, data, size, NULL) == MOX_OK) {
		t1 = format(r, &l1);
		if (mox_dmarc_record_parse(&r2, (const uint8_t *)t1, l1,
		    NULL) != MOX_OK)
			abort();
		t2 = format(r2, &l2);
		if (l1 != l2 || strcmp(t1, t2) != 0)
			abort();
		a = mox_dmarc_record_view(r);
		b = mox_dmarc_record_view(r2);
		if (a->policy_effective != b->policy_effective ||
		    a->testing != b->testing || a->psd != b->psd ||
		    a->adkim != b->adkim || a->aspf != b->aspf ||
		    a->nrua != b->nrua || a->nruf != b->nruf ||
		    a->pct != b->pct || a->ri != b->ri ||
		    strcmp(a->fo, b->fo) != 0 || strcmp(a->rf, b->rf) != 0)
			abort();
		if (!a->policy_fallback && (a->sp != b->sp || a->np != b->np))
			abort();
		for (i = 0; i < a->nrua; i++) {
			if (strcmp(a->rua[i], b->rua[i]) != 0)
				abort();
		}
		free(t1);
		free(t2);
		mox_dmarc_record_free(r);
		mox_dmarc_record_free(r2);
	}
	from_compare(data, size);
	if (size <= 4096) {
		evaluate(data, size, false, "a@b.mail.example.com");
		evaluate(data, size, false,
		    "a@a.b.c.d.e.f.g.h.i.j.k.example.com");
		evaluate(data, size, true, "a@b.mail.example.co.uk");
	}
	return 0;
}
