/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dkim_sig.c -- the DKIM-Signature parser (RFC 6376 3.5) and its
 * formatter: a signature that parses is formatted, the text must parse
 * again to the same signature and format to the same text. The input is
 * also parsed as the value of a header field and canonicalized both ways
 * with its b= value left out, and its tag list split on its own. Any
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

static char *
format(const mox_dkim_signature *s, size_t *len)
{
	size_t n = mox_dkim_signature_format(NULL, 0, s);
	char *b = malloc(n + 1);

	CHECK(b != NULL);
	CHECK(mox_dkim_signature_format(b, n + 1, s) == n);
	CHECK(strlen(b) == n);
	*len = n;
	return b;
}

static bool
same(const mox_dkim_signature *a, const mox_dkim_signature *b)
{
	size_t i;

	if (a->algorithm != b->algorithm || a->header_canon != b->header_canon ||
	    a->body_canon != b->body_canon || strcmp(a->domain, b->domain) ||
	    strcmp(a->selector, b->selector) || a->nheaders != b->nheaders ||
	    a->b_len != b->b_len || a->bh_len != b->bh_len ||
	    memcmp(a->b, b->b, a->b_len) || memcmp(a->bh, b->bh, a->bh_len) ||
	    a->has_length != b->has_length || a->length != b->length ||
	    a->has_timestamp != b->has_timestamp ||
	    a->timestamp != b->timestamp ||
	    a->has_expiration != b->has_expiration ||
	    a->expiration != b->expiration ||
	    (a->identity == NULL) != (b->identity == NULL) ||
	    (a->identity && strcmp(a->identity, b->identity)))
		return false;
	for (i = 0; i < a->nheaders; i++) {
		if (strcmp(a->headers[i], b->headers[i]) != 0)
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_dkim_signature *s = NULL, *s2 = NULL;
	struct dkim_tag tags[DKIM_MAX_TAGS];
	struct dkim_sig *is = NULL;
	const char *err = NULL;
	char *a, *b;
	size_t alen, blen, n, i;
	int rc;

	if (dkim_taglist_parse(data, size, tags, DKIM_MAX_TAGS, &n, &err) ==
	    MOX_OK) {
		for (i = 0; i < n; i++) {
			CHECK(tags[i].raw_off <= tags[i].raw_end);
			CHECK(tags[i].raw_end <= size);
			CHECK(tags[i].val >= data + tags[i].raw_off);
			CHECK(tags[i].val + tags[i].vlen <=
			    data + tags[i].raw_end);
		}
	}
	rc = mox_dkim_signature_parse(&s, data, size, &err);
	if (rc != MOX_OK) {
		CHECK(s == NULL);
		CHECK(rc == MOX_ENOMEM || err != NULL);
	} else {
		CHECK(s->version == 1);
		CHECK(s->domain != NULL && s->selector != NULL);
		CHECK(s->nheaders > 0 && s->b_len > 0 && s->bh_len > 0);
		a = format(s, &alen);
		if (mox_dkim_signature_parse(&s2, (const uint8_t *)a, alen,
		    &err) != MOX_OK) {
			fprintf(stderr, "reparse [%s]: %s\n", a, err);
			abort();
		}
		CHECK(same(s, s2));
		b = format(s2, &blen);
		CHECK(alen == blen && strcmp(a, b) == 0);
		free(a);
		free(b);
		mox_dkim_signature_free(s2);
		mox_dkim_signature_free(s);
	}
	/* As a field value: b= left out of the canonical forms. */
	if (dkim_sig_parse(data, size, DKIM_SIG_EMPTY_B, &is, &err) == MOX_OK) {
		uint8_t *field = malloc(size + 15);
		mox__buf cap = MOX__BUF_INIT;
		struct dkim_sink sink;
		int c;

		CHECK(field != NULL);
		memcpy(field, "DKIM-Signature:", 15);
		memcpy(field + 15, data, size);
		CHECK(is->b_off <= is->b_end && is->b_end <= size);
		for (c = 0; c < 2; c++) {
			dkim_sink_init(&sink, NULL, &cap);
			dkim_canon_header(&sink, c, field, 14, 15, size + 15,
			    15 + is->b_off, 15 + is->b_end, false);
			dkim_sink_flush(&sink);
			CHECK(cap.err != 0 || cap.len <= 2 * (size + 15));
			cap.len = 0;
		}
		mox__buf_free(&cap);
		free(field);
		dkim_sig_free(is);
	}
	return 0;
}
