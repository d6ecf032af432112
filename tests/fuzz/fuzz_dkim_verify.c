/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dkim_verify.c -- whole-message verification: the input is a
 * message, verified against a static resolver holding the RFC 8463 keys
 * (and records that are revoked, broken, doubled or fail to resolve).
 * It is verified in one call and again through the sans-I/O interface
 * fed in chunks split where the input says, answering each question as
 * soon as it comes; both must give the same verdicts and reasons. Any
 * mismatch calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                    \
			abort();                                             \
		}                                                            \
	} while (0)

static const char zone[] =
    "$ORIGIN _domainkey.football.example.com.\n"
    "brisbane 300 IN TXT \"v=DKIM1; k=ed25519; "
    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n"
    "test 300 IN TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ"
    "KBgQDkHlOQoBTzWR\" \"iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Q"
    "vx/byYzCNb3W91y3FutAC\" \"DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hst"
    "T5QjvHO9PzoxZyVYLzBfO2EeC3\" \"Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n"
    "strict 300 IN TXT \"v=DKIM1; k=ed25519; t=s:y; h=sha256; s=email; "
    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n"
    "revoked 300 IN TXT \"v=DKIM1; p=\"\n"
    "broken 300 IN TXT \"v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ==\"\n"
    "two 300 IN TXT \"p=\"\n"
    "two 300 IN TXT \"p=\"\n"
    "$SERVFAIL servfail\n"
    "$TIMEOUT timeout\n";

static mox_resolver *res;

static mox_resolver *
resolver(void)
{
	if (res == NULL) {
		CHECK(mox_resolver_new_static(&res) == MOX_OK);
		CHECK(mox_resolver_static_load(res, zone, strlen(zone), NULL) ==
		    MOX_OK);
	}
	return res;
}

struct verdict {
	int verdict;
	char reason[80];
};

/* Answer every question the verifier has now. */
static int
answer_all(mox_dkim_verifier *v)
{
	mox_dkim_question q;
	int st;

	while ((st = mox_dkim_verifier_step(v, &q)) == MOX_DKIM_STEP_QUERY) {
		mox_dns_answer *a = NULL;

		CHECK(strlen(q.name) <= MOX_DOMAIN_MAX);
		if (mox_dns_lookup(resolver(), q.name, MOX_DNS_TXT, &a) !=
		    MOX_OK)
			a = NULL;
		CHECK(mox_dkim_verifier_answer(v, q.id, a) == MOX_OK);
		mox_dns_answer_free(a);
	}
	return st;
}

static size_t
chunked(const uint8_t *data, size_t size, const mox_dkim_verify_options *o,
    struct verdict *out, size_t max)
{
	mox_dkim_verifier *v;
	size_t pos = 0, n, i;
	uint32_t h = 2166136261u;
	int st;

	for (i = 0; i < size && i < 64; i++)
		h = (h ^ data[i]) * 16777619u;
	CHECK(mox_dkim_verifier_new(&v, o) == MOX_OK);
	while (pos < size) {
		size_t c = 1 + h % 97;

		h = h * 1103515245u + 12345u;
		if (c > size - pos)
			c = size - pos;
		CHECK(mox_dkim_verifier_feed(v, data + pos, c) == MOX_OK);
		pos += c;
		st = answer_all(v);
		CHECK(st == MOX_DKIM_STEP_NEED_DATA ||
		    st == MOX_DKIM_STEP_DONE);
	}
	CHECK(mox_dkim_verifier_finish(v) == MOX_OK);
	CHECK(answer_all(v) == MOX_DKIM_STEP_DONE);
	n = mox_dkim_verifier_count(v);
	for (i = 0; i < n && i < max; i++) {
		mox_dkim_result r = MOX_DKIM_RESULT_INIT;

		CHECK(mox_dkim_verifier_result(v, i, &r) == MOX_OK);
		out[i].verdict = r.verdict;
		snprintf(out[i].reason, sizeof(out[i].reason), "%s",
		    r.reason ? r.reason : "");
		mox_dkim_result_release(&r);
	}
	mox_dkim_verifier_free(v);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_dkim_verify_options o = MOX_DKIM_VERIFY_OPTIONS_INIT;
	struct verdict want[16], got[16];
	mox_dkim_result *out = NULL;
	size_t n = 0, n2, i;

	o.now = 1528637909 + 100;
	o.flags = MOX_DKIM_VERIFY_ALLOW_LENGTH | MOX_DKIM_VERIFY_ALLOW_SHA1;
	o.max_header_size = 64 * 1024;
	CHECK(mox_dkim_verify(&out, &n, resolver(), &o, data, size) == MOX_OK);
	for (i = 0; i < n; i++) {
		char ar[512];

		CHECK(out[i].verdict >= MOX_DKIM_PASS &&
		    out[i].verdict <= MOX_DKIM_PERMERROR);
		CHECK((out[i].reason == NULL) ==
		    (out[i].verdict == MOX_DKIM_PASS));
		CHECK(out[i].domain != NULL && out[i].b != NULL);
		if (out[i].verdict == MOX_DKIM_PASS)
			CHECK(out[i].domain[0] != '\0');
		CHECK(out[i].offset < size);
		CHECK(mox_dkim_authres(ar, sizeof(ar), &out[i]) > 0);
		if (i < 16) {
			want[i].verdict = out[i].verdict;
			snprintf(want[i].reason, sizeof(want[i].reason), "%s",
			    out[i].reason ? out[i].reason : "");
		}
		mox_dkim_result_release(&out[i]);
	}
	mox_dkim_free(out);
	n2 = chunked(data, size, &o, got, 16);
	CHECK(n == n2);
	for (i = 0; i < n && i < 16; i++) {
		if (want[i].verdict != got[i].verdict ||
		    strcmp(want[i].reason, got[i].reason) != 0) {
			fprintf(stderr, "signature %zu: %d (%s) vs %d (%s)\n",
			    i, want[i].verdict, want[i].reason, got[i].verdict,
			    got[i].reason);
			abort();
		}
	}
	return 0;
}
