/* SPDX-License-Identifier: MIT */
/*
 * fuzz_spf_record.c -- SPF record text (RFC 7208 4.5, 12):
 *  - the round trip: a record that parses is formatted, the output must
 *    parse again and format to the same text, with the same terms;
 *  - the evaluator: the record is the <domain>'s TXT record of a
 *    check_host() whose other questions get answers made up from a hash
 *    of the name (addresses, MX and PTR names, the same record again,
 *    void answers, DNS errors), so include, redirect, exp, macros and
 *    limits all run. The evaluation must end within a bounded number of
 *    questions with a verdict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
format(const mox_spf_record *r, size_t *len)
{
	size_t n = mox_spf_record_format(NULL, 0, r);
	char *b = malloc(n + 1);

	if (b == NULL)
		abort();
	if (mox_spf_record_format(b, n + 1, r) != n || strlen(b) != n)
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

	for (i = 0; i < len; i += 255) {
		size_t n = len - i < 255 ? len - i : 255;

		out[o++] = (uint8_t)n;
		memcpy(out + o, p + i, n);
		o += n;
	}
	return o;
}

static int
make_answer(mox_dns_answer **out, const mox_spf_question *q,
    const uint8_t *rec, size_t reclen, uint8_t *buf)
{
	uint32_t h = hash(q->name) ^ q->type;
	int kind = (int)(h % 8), rc;
	static const uint8_t mx[] = { 0, 10, 2, 'm', 'x', 7, 'e', 'x', 'a',
		'm', 'p', 'l', 'e', 0 };
	static const uint8_t ptr[] = { 4, 'h', 'o', 's', 't', 7, 'e', 'x',
		'a', 'm', 'p', 'l', 'e', 0 };
	uint8_t a4[4] = { 192, 0, 2, (uint8_t)(h >> 8) };
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	size_t n;

	a6[15] = (uint8_t)(h >> 8);
	if (kind == 0)
		return mox_dns_answer_new(out, q->name, q->type,
		    MOX_DNS_NXDOMAIN, 3);
	if (kind == 1)
		return mox_dns_answer_new(out, q->name, q->type,
		    MOX_DNS_SERVFAIL, 2);
	if (kind == 2)
		return mox_dns_answer_new(out, q->name, q->type,
		    MOX_DNS_NODATA, 0);
	rc = mox_dns_answer_new(out, q->name, q->type, MOX_DNS_OK, 0);
	if (rc != MOX_OK)
		return rc;
	switch (q->type) {
	case MOX_DNS_TXT:
		if (kind == 3 && reclen > 0) {
			n = txt_rdata(buf, (const uint8_t *)"explained %{i}",
			    14);
			rc = mox_dns_answer_add(*out, q->name, q->type, 60, buf,
			    n);
			break;
		}
		n = txt_rdata(buf, rec, reclen);
		rc = reclen == 0 ? MOX_OK : mox_dns_answer_add(*out, q->name,
		    q->type, 60, buf, n);
		break;
	case MOX_DNS_A:
		rc = mox_dns_answer_add(*out, q->name, q->type, 60, a4, 4);
		break;
	case MOX_DNS_AAAA:
		rc = mox_dns_answer_add(*out, q->name, q->type, 60, a6, 16);
		break;
	case MOX_DNS_MX:
		rc = mox_dns_answer_add(*out, q->name, q->type, 60, mx,
		    sizeof(mx));
		break;
	case MOX_DNS_PTR:
		rc = mox_dns_answer_add(*out, q->name, q->type, 60, ptr,
		    sizeof(ptr));
		break;
	default:
		abort(); /* the evaluator asks nothing else */
	}
	if (rc != MOX_OK) {
		mox_dns_answer_free(*out);
		*out = NULL;
	}
	return rc;
}

static void
evaluate(const uint8_t *rec, size_t reclen, const char *ip)
{
	mox_spf_request req = MOX_SPF_REQUEST_INIT;
	mox_spf_result res = MOX_SPF_RESULT_INIT;
	mox_spf_question q;
	mox_spf_eval *e;
	uint8_t *buf;
	int rc, steps = 0;

	buf = malloc(reclen + reclen / 255 + 16);
	if (buf == NULL)
		abort();
	mox_ip_parse(&req.ip, ip, strlen(ip));
	req.sender = "first.last+tag@example.com";
	req.helo = "helo.example";
	req.receiver = "rcv.example";
	req.now = 1;
	if (mox_spf_eval_new(&e, &req) != MOX_OK)
		abort();
	while ((rc = mox_spf_eval_step(e, &q)) == MOX_SPF_STEP_QUERY) {
		mox_dns_answer *a = NULL;

		/* 10 terms, 10 MX or PTR names each, %{p}, exp: bounded. */
		if (++steps > 400)
			abort();
		rc = make_answer(&a, &q, rec, reclen, buf);
		if (rc == MOX_OK) {
			rc = mox_spf_eval_answer(e, a);
			mox_dns_answer_free(a);
		} else if (rc == MOX_EINVAL) {
			rc = spf__eval_answer_none(e, true);
		}
		if (rc != MOX_OK)
			abort();
	}
	if (rc != MOX_SPF_STEP_DONE || mox_spf_eval_result(e, &res) != MOX_OK)
		abort();
	if (res.verdict < MOX_SPF_NONE || res.verdict > MOX_SPF_PERMERROR)
		abort();
	if ((res.mechanism == NULL) != (res.mechanism_domain == NULL))
		abort();
	mox_spf_result_release(&res);
	mox_spf_eval_free(e);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_spf_record *r = NULL, *r2 = NULL;
	char *a, *b, tb[8192];
	size_t alen, blen, i;

	if (mox_spf_record_parse(&r, data, size, NULL, NULL) != MOX_OK)
		return 0;
	a = format(r, &alen);
	if (mox_spf_record_parse(&r2, (const uint8_t *)a, alen, NULL, NULL) !=
	    MOX_OK)
		abort();
	b = format(r2, &blen);
	if (alen != blen || strcmp(a, b) != 0)
		abort();
	if (mox_spf_record_count(r) != mox_spf_record_count(r2))
		abort();
	for (i = 0; i < mox_spf_record_count(r); i++) {
		const mox_spf_term *t = mox_spf_record_term(r, i);
		const mox_spf_term *t2 = mox_spf_record_term(r2, i);

		if (t->kind != t2->kind || t->qualifier != t2->qualifier ||
		    t->cidr4 != t2->cidr4 || t->cidr6 != t2->cidr6)
			abort();
		if (mox_spf_term_format(tb, sizeof(tb), t) >= sizeof(tb))
			continue;
		if (strstr(a, tb) == NULL)
			abort();
	}
	free(a);
	free(b);
	mox_spf_record_free(r);
	mox_spf_record_free(r2);
	if (size <= 4096) {
		evaluate(data, size, "192.0.2.1");
		evaluate(data, size, "2001:db8::1");
	}
	return 0;
}
