/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the DKIM-Signature and key record parsers (RFC 6376 3.2,
 * 3.5, 3.6.1), the formatter's round trip, base64 with FWS and
 * dkim-quoted-printable, and allocation failures. Internal test
 * (dkim-int.h, mox__fail_at).
 */
#include "helpers.h"

#include "dkim-int.h"

static mox_dkim_signature *
sig_ok(const char *s)
{
	mox_dkim_signature *sig = NULL;
	const char *err = NULL;
	int rc = mox_dkim_signature_parse(&sig, U(s), strlen(s), &err);

	if (rc != MOX_OK)
		fail_msg("parse [%s]: %d %s", s, rc, err ? err : "");
	assert_null(err);
	return sig;
}

static void
sig_fail(const char *s, int want, const char *why)
{
	mox_dkim_signature *sig = (mox_dkim_signature *)1;
	const char *err = NULL;
	int rc = mox_dkim_signature_parse(&sig, U(s), strlen(s), &err);

	if (rc != want || (why != NULL && (err == NULL ||
	    strcmp(err, why) != 0)))
		fail_msg("parse [%s]: %d %s, want %d %s", s, rc,
		    err ? err : "-", want, why ? why : "-");
	assert_null(sig);
}

#define BASE "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; " \
	"bh=YWJj; b=ZGVm"

static void
test_signature(void **state)
{
	mox_dkim_signature *s;

	(void)state;
	s = sig_ok(" v=1; a=RSA-SHA256; c=Relaxed/Simple;\r\n"
	    "\td=Example.COM; s=Sel_1; t=1528637909; x=1528637999;\r\n"
	    "  h=From : To:\r\n subject ; l=123; q=dns/txt;\r\n"
	    " i=jo=40e=20x@sub.example.com; z=From:a=20b|To:c=7Cd;\r\n"
	    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
	    " b=dzdVy OfAK\r\n\tCdLXw==; foo=bar baz;");
	assert_int_equal(s->version, 1);
	assert_int_equal(s->algorithm, MOX_DKIM_RSA_SHA256);
	assert_string_equal(s->algorithm_name, "rsa-sha256");
	assert_int_equal(s->header_canon, MOX_DKIM_RELAXED);
	assert_int_equal(s->body_canon, MOX_DKIM_SIMPLE);
	assert_string_equal(s->domain, "example.com");
	assert_string_equal(s->selector, "sel_1");
	assert_string_equal(s->identity, "jo@e x@sub.example.com");
	assert_int_equal(s->nheaders, 3);
	assert_string_equal(s->headers[0], "From");
	assert_string_equal(s->headers[1], "To");
	assert_string_equal(s->headers[2], "subject");
	assert_int_equal(s->bh_len, 32);
	assert_int_equal(s->b_len, 10);
	assert_memory_equal(s->b, "w7U\xc8\xe7\xc0('K_", 10);
	assert_string_equal(s->b_text, "dzdVyOfAKCdLXw==");
	assert_true(s->has_length);
	assert_int_equal(s->length, 123);
	assert_true(s->has_timestamp);
	assert_int_equal(s->timestamp, 1528637909);
	assert_true(s->has_expiration);
	assert_int_equal(s->expiration, 1528637999);
	assert_string_equal(s->query_methods, "dns/txt");
	assert_string_equal(s->copied_headers, "From:a b|To:c|d");
	mox_dkim_signature_free(s);
	mox_dkim_signature_free(NULL);

	/* Defaults. */
	s = sig_ok(BASE);
	assert_int_equal(s->header_canon, MOX_DKIM_SIMPLE);
	assert_int_equal(s->body_canon, MOX_DKIM_SIMPLE);
	assert_null(s->identity);
	assert_false(s->has_length);
	assert_false(s->has_timestamp);
	assert_false(s->has_expiration);
	assert_null(s->query_methods);
	assert_null(s->copied_headers);
	mox_dkim_signature_free(s);

	/* c= with one part: body simple. U-labels become A-labels. */
	s = sig_ok(BASE "; c=relaxed; d2=x");
	assert_int_equal(s->header_canon, MOX_DKIM_RELAXED);
	assert_int_equal(s->body_canon, MOX_DKIM_SIMPLE);
	mox_dkim_signature_free(s);
	s = sig_ok("v=1; a=ed25519-sha256; d=b\xc3\xbc" "cher.example; "
	    "s=sel; h=from; bh=YWJj; b=ZGVm; i=@B\xc3\x9c" "CHER.example");
	assert_string_equal(s->domain, "xn--bcher-kva.example");
	assert_int_equal(s->algorithm, MOX_DKIM_ED25519_SHA256);
	mox_dkim_signature_free(s);
	/* An unknown algorithm parses (the verifier says permerror). */
	s = sig_ok("v=1; a=dsa-sha512; d=example.com; s=sel; h=from; "
	    "bh=YWJj; b=ZGVm");
	assert_int_equal(s->algorithm, MOX_DKIM_ALG_UNKNOWN);
	assert_string_equal(s->algorithm_name, "dsa-sha512");
	mox_dkim_signature_free(s);
	/* i= at exactly d=, with an empty local part; l= with 76 digits
	 * saturates. */
	s = sig_ok(BASE "; i=@example.com; l=999999999999999999999999999999"
	    "9999999999999999999999999999999999999999999999");
	assert_string_equal(s->identity, "@example.com");
	assert_int_equal(s->length, UINT64_MAX);
	mox_dkim_signature_free(s);
	/* Empty tag-specs and a trailing ';' are tolerated. */
	s = sig_ok(";" BASE ";;  ;");
	mox_dkim_signature_free(s);
	/* Bare LF folding. */
	s = sig_ok("v=1; a=rsa-sha256;\n d=example.com; s=sel; h=from;\n\t"
	    "bh=YWJj; b=ZGVm");
	mox_dkim_signature_free(s);

	/* Errors. */
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=YWJj",
	    MOX_ESYNTAX, "missing b= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; b=YWJj",
	    MOX_ESYNTAX, "missing bh= tag");
	sig_fail("v=1; a=rsa-sha256; s=sel; h=from; bh=YWJj; b=YWJj",
	    MOX_ESYNTAX, "missing d= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; h=from; bh=YWJj; b=YWJj",
	    MOX_ESYNTAX, "missing s= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; bh=YWJj; b=YWJj",
	    MOX_ESYNTAX, "missing h= tag");
	sig_fail("v=1; d=example.com; s=sel; h=from; bh=YWJj; b=YWJj",
	    MOX_ESYNTAX, "missing a= tag");
	sig_fail("a=rsa-sha256; d=example.com; s=sel; h=from; bh=YWJj; "
	    "b=YWJj", MOX_ESYNTAX, "missing v= tag");
	sig_fail("v=2; a=rsa-sha256", MOX_EUNSUPPORTED, "unsupported version");
	sig_fail("v=1.0; a=rsa-sha256; d=example.com; s=sel; h=from; "
	    "bh=YWJj; b=ZGVm", MOX_EUNSUPPORTED, "unsupported version");
	sig_fail(BASE "; a=x", MOX_ESYNTAX, "duplicate tag");
	sig_fail(BASE "; B=x; b=y", MOX_ESYNTAX, "duplicate tag");
	sig_fail(BASE "; 1x=y", MOX_ESYNTAX, "invalid tag name");
	sig_fail(BASE "; novalue", MOX_ESYNTAX, "tag without '='");
	sig_fail(BASE "; c=relaxed/fancy", MOX_ESYNTAX,
	    "unknown canonicalization in c= tag");
	sig_fail(BASE "; c=nowsp", MOX_ESYNTAX,
	    "unknown canonicalization in c= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=to:subject; "
	    "bh=YWJj; b=ZGVm", MOX_ESYNTAX, "From not signed (h= tag)");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from::to; "
	    "bh=YWJj; b=ZGVm", MOX_ESYNTAX, "empty header name in h= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from:t o; "
	    "bh=YWJj; b=ZGVm", MOX_ESYNTAX, "invalid header name in h= tag");
	sig_fail(BASE "; i=joe@example.org", MOX_ESYNTAX,
	    "i= domain not within d= domain");
	sig_fail(BASE "; i=joe@notexample.com", MOX_ESYNTAX,
	    "i= domain not within d= domain");
	sig_fail(BASE "; i=joe", MOX_ESYNTAX, "i= tag without @");
	sig_fail(BASE "; i=joe=4@example.com", MOX_ESYNTAX, "invalid i= tag");
	sig_fail(BASE "; i=jo=00e@example.com", MOX_ESYNTAX, "invalid i= tag");
	sig_fail(BASE "; l=12a", MOX_ESYNTAX, "invalid l= tag");
	sig_fail(BASE "; l=", MOX_ESYNTAX, "invalid l= tag");
	sig_fail(BASE "; t=1234567890123", MOX_ESYNTAX, "invalid t= tag");
	sig_fail(BASE "; x=-1", MOX_ESYNTAX, "invalid x= tag");
	sig_fail(BASE "; t=100; x=100", MOX_ESYNTAX, "x= not after t=");
	sig_fail(BASE "; q=dns", MOX_ESYNTAX,
	    "no supported query method in q= tag");
	sig_fail(BASE "; z=a=zz", MOX_ESYNTAX, "invalid z= tag");
	sig_fail("v=1; a=rsa-sha256; d=exa_mple.com; s=sel; h=from; "
	    "bh=YWJj; b=ZGVm", MOX_ESYNTAX, "invalid domain in d= tag");
	sig_fail("v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=sel; "
	    "h=from; bh=YWJj; b=ZGVm", MOX_ESYNTAX, "invalid domain in d= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=se..l; h=from; "
	    "bh=YWJj; b=ZGVm", MOX_ESYNTAX, "invalid selector in s= tag");
	sig_fail("v=1; a=; d=example.com; s=sel; h=from; bh=YWJj; b=ZGVm",
	    MOX_ESYNTAX, "empty a= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=; "
	    "b=ZGVm", MOX_ESYNTAX, "empty bh= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=YWJj; "
	    "b=", MOX_ESYNTAX, "empty b= tag");
	/* Truncated and otherwise bad base64. */
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=YWJj; "
	    "b=ZGV", MOX_ESYNTAX, "invalid base64 in b= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=YWJj; "
	    "b=ZG==ZGVm", MOX_ESYNTAX, "invalid base64 in b= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=YWJj; "
	    "b=ZGV*", MOX_ESYNTAX, "invalid base64 in b= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=YW=j; "
	    "b=ZGVm", MOX_ESYNTAX, "invalid base64 in bh= tag");
	sig_fail("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=Y===; "
	    "b=ZGVm", MOX_ESYNTAX, "invalid base64 in bh= tag");
	/* Octets that cannot be in a header field. */
	sig_fail("v=1;\r a=rsa-sha256", MOX_ESYNTAX, "bare CR in tag list");
	sig_fail("v=1;\r\na=rsa-sha256", MOX_ESYNTAX,
	    "line end not followed by whitespace");
	sig_fail("v=1; a=rsa\x01-sha256", MOX_ESYNTAX,
	    "control character in tag list");
	{
		static const char nul[] = "v=1; a=rsa\0-sha256";

		assert_int_equal(mox_dkim_signature_parse(&s, U(nul),
		    sizeof(nul) - 1, NULL), MOX_ESYNTAX);
	}
	/* Arguments. */
	assert_int_equal(mox_dkim_signature_parse(NULL, U("x"), 1, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_dkim_signature_parse(&s, NULL, 1, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_dkim_signature_parse(&s, NULL, 0, NULL),
	    MOX_ESYNTAX);
}

static void
test_limits(void **state)
{
	char *big = malloc(20000);
	size_t n, i;

	(void)state;
	/* 1024 names in h= is the most. */
	n = (size_t)snprintf(big, 20000, "v=1; a=rsa-sha256; d=example.com; "
	    "s=sel; bh=YWJj; b=ZGVm; h=from");
	for (i = 1; i < DKIM_MAX_HNAMES; i++)
		n += (size_t)snprintf(big + n, 20000 - n, ":x");
	mox_dkim_signature_free(sig_ok(big));
	snprintf(big + n, 20000 - n, ":x");
	sig_fail(big, MOX_ESYNTAX, "too many header names in h= tag");
	/* 128 tags is the most. */
	n = (size_t)snprintf(big, 20000, "v=1; a=rsa-sha256; d=example.com; "
	    "s=sel; bh=YWJj; b=ZGVm; h=from");
	for (i = 7; i < DKIM_MAX_TAGS; i++)
		n += (size_t)snprintf(big + n, 20000 - n, "; x%zu=1", i);
	mox_dkim_signature_free(sig_ok(big));
	snprintf(big + n, 20000 - n, "; y=1");
	sig_fail(big, MOX_ESYNTAX, "too many tags");
	free(big);
}

static void
test_format_roundtrip(void **state)
{
	static const char *const in[] = {
		BASE,
		(" v=1; a=RSA-SHA256; c=Relaxed/Simple; d=Example.COM; s=Sel_1;"
		 " t=1; x=2; h=From : To: subject ; l=0; q=dns/txt:foo;"
		 " i=jo=40e=20x=7C=3B@sub.example.com; z=From:a=20b|To:c=7Cd;"
		 " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=dzdV"),
		("v=1; a=ed25519-sha256; d=example.com; s=s; h=from; bh=YQ==; "
		 "b=YWI=; z="),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		mox_dkim_signature *a = sig_ok(in[i]), *b;
		char buf[2048], buf2[2048], small[8];
		size_t n = mox_dkim_signature_format(buf, sizeof(buf), a);

		assert_int_equal(n, strlen(buf));
		assert_int_equal(mox_dkim_signature_format(small, sizeof(small),
		    a), n);
		assert_int_equal(strlen(small), 7);
		b = sig_ok(buf);
		assert_int_equal(mox_dkim_signature_format(buf2, sizeof(buf2),
		    b), n);
		assert_string_equal(buf, buf2);
		assert_string_equal(a->domain, b->domain);
		if (a->identity)
			assert_string_equal(a->identity, b->identity);
		if (a->copied_headers)
			assert_string_equal(a->copied_headers,
			    b->copied_headers);
		assert_int_equal(a->b_len, b->b_len);
		assert_memory_equal(a->b, b->b, a->b_len);
		mox_dkim_signature_free(a);
		mox_dkim_signature_free(b);
	}
	assert_int_equal(mox_dkim_signature_format(NULL, 0, NULL), 0);
}

static mox_dkim_keyrec *
rec_ok(const char *s)
{
	mox_dkim_keyrec *r = NULL;
	const char *err = NULL;
	int rc = mox_dkim_keyrec_parse(&r, U(s), strlen(s), &err);

	if (rc != MOX_OK)
		fail_msg("keyrec [%s]: %d %s", s, rc, err ? err : "");
	return r;
}

static void
rec_fail(const char *s, int want, const char *why)
{
	mox_dkim_keyrec *r = (mox_dkim_keyrec *)1;
	const char *err = NULL;
	int rc = mox_dkim_keyrec_parse(&r, U(s), strlen(s), &err);

	if (rc != want || (why != NULL && (err == NULL ||
	    strcmp(err, why) != 0)))
		fail_msg("keyrec [%s]: %d %s, want %d %s", s, rc,
		    err ? err : "-", want, why ? why : "-");
	assert_null(r);
}

#define RSA1024 "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3" \
	"idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/" \
	"BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3I" \
	"p3G+2kryOTIKT+l/K4w3QIDAQAB"
/* The same key as a bare RSAPublicKey. */
#define RSA1024_PKCS1 "MIGJAoGBAORuU5CgFPNZGIazlXo2k/eJ1jpaTTxrmqF1HrDJlt04pvaM" \
	"tCJj8nXoliLRC/H9vJjMI1vdb3XLcW60AIN/PBD8EL97/y4GwJH7LPUvGP48vqUe+o" \
	"wqszesbiGy1PlCO8c70/OjFnJVgvMF87YR4Lcindb7aSvI5MgpP6X8rjDdAgMBAAE="

static void
test_keyrec(void **state)
{
	mox_dkim_keyrec *r;
	struct dkim_keyrec *ir;

	(void)state;
	r = rec_ok("v=DKIM1; k=rsa; p=" RSA1024);
	assert_int_equal(r->key_type, MOX_DKIM_KEY_RSA);
	assert_int_equal(r->rsa_bits, 1024);
	assert_false(r->revoked);
	assert_true(r->email_service);
	assert_int_equal(r->flags, 0);
	assert_int_equal(r->hashes, (1u << MOX_DKIM_RSA_SHA256) |
	    (1u << MOX_DKIM_ED25519_SHA256) | (1u << MOX_DKIM_RSA_SHA1));
	assert_int_equal(r->pubkey_len, 162);
	assert_null(r->notes);
	ir = (struct dkim_keyrec *)(void *)r;
	assert_true(ir->key_ok);
	mox_dkim_keyrec_free(r);
	mox_dkim_keyrec_free(NULL);

	/* A bare RSAPublicKey, as dkimpy's test data has. */
	r = rec_ok("p=" RSA1024_PKCS1);
	assert_int_equal(r->rsa_bits, 1024);
	assert_true(((struct dkim_keyrec *)(void *)r)->key_ok);
	mox_dkim_keyrec_free(r);

	r = rec_ok(" v = DKIM1 ;\r\n\th=sha1 : SHA256:md5; k=ED25519; "
	    "n=a=20note; s=email:tlsrpt; t=y:s:x; g=*;\r\n p=11qYAYKxCrfVS/7"
	    "TyWQHOg7hcvPapiMlrwIaaPcHURo= ;");
	assert_int_equal(r->key_type, MOX_DKIM_KEY_ED25519);
	assert_int_equal(r->pubkey_len, 32);
	assert_int_equal(r->rsa_bits, 0);
	assert_int_equal(r->hashes, (1u << MOX_DKIM_RSA_SHA256) |
	    (1u << MOX_DKIM_ED25519_SHA256) | (1u << MOX_DKIM_RSA_SHA1));
	assert_string_equal(r->notes, "a note");
	assert_int_equal(r->flags, MOX_DKIM_KEY_TESTING | MOX_DKIM_KEY_STRICT);
	assert_true(r->email_service);
	mox_dkim_keyrec_free(r);

	r = rec_ok("p=; h=foo; s=tlsrpt");
	assert_true(r->revoked);
	assert_int_equal(r->pubkey_len, 0);
	assert_int_equal(r->hashes, 0);
	assert_false(r->email_service);
	mox_dkim_keyrec_free(r);

	/* An RSA key that does not parse: the record does. */
	r = rec_ok("p=AAAA");
	assert_int_equal(r->rsa_bits, 0);
	assert_false(((struct dkim_keyrec *)(void *)r)->key_ok);
	mox_dkim_keyrec_free(r);
	r = rec_ok("k=ed25519; p=AAAA");
	assert_false(((struct dkim_keyrec *)(void *)r)->key_ok);
	mox_dkim_keyrec_free(r);

	rec_fail("v=DKIM1; k=rsa", MOX_ESYNTAX, "missing p= tag");
	rec_fail("", MOX_ESYNTAX, "missing p= tag");
	rec_fail("k=rsa; v=DKIM1; p=", MOX_ESYNTAX, "v= tag not first");
	rec_fail("v=DKIM2; p=", MOX_ESYNTAX, "unsupported version in v= tag");
	rec_fail("v=dkim1; p=", MOX_ESYNTAX, "unsupported version in v= tag");
	/* dkimpy's badversion.txt and badk.txt. */
	rec_fail("v=DKIM1: g=*; k=rsa; p=" RSA1024, MOX_ESYNTAX,
	    "unsupported version in v= tag");
	rec_fail("v=DKIM1; g=*; k=ed25519-sha256; p=" RSA1024,
	    MOX_EUNSUPPORTED, "unknown key type in k= tag");
	rec_fail("p=AB*C", MOX_ESYNTAX, "invalid base64 in p= tag");
	rec_fail("p=AAAA; p=", MOX_ESYNTAX, "duplicate tag");
	rec_fail("p=; n=a=z", MOX_ESYNTAX, "invalid n= tag");
	assert_int_equal(mox_dkim_keyrec_parse(NULL, U("p="), 2, NULL),
	    MOX_EINVAL);
}

static void
test_codecs(void **state)
{
	mox__arena a = MOX__ARENA_INIT;
	uint8_t *out;
	char *text, *qp, enc[64];
	size_t n;
	mox__buf b = MOX__BUF_INIT;

	(void)state;
	assert_int_equal(dkim_b64_decode(&a, U(" Q Q\r\n\t= = "), 11, &out, &n,
	    &text), MOX_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 'A');
	assert_string_equal(text, "QQ==");
	assert_int_equal(dkim_b64_decode(&a, U(""), 0, &out, &n, NULL), MOX_OK);
	assert_int_equal(n, 0);
	assert_int_equal(dkim_b64_decode(&a, U("QQ"), 2, &out, &n, NULL),
	    MOX_ESYNTAX);
	assert_int_equal(dkim_b64_decode(&a, U("Q==="), 4, &out, &n, NULL),
	    MOX_ESYNTAX);
	assert_int_equal(dkim_b64_decode(&a, U("QUJD="), 5, &out, &n, NULL),
	    MOX_ESYNTAX);
	assert_int_equal(dkim_b64_encode(enc, U("ABCD"), 4), 8);
	assert_string_equal(enc, "QUJDRA==");
	assert_int_equal(dkim_b64_encode(enc, U(""), 0), 0);

	assert_int_equal(dkim_qp_decode(&a, U("a=3Db \r\n =41"), 12, &qp, &n),
	    MOX_OK);
	assert_string_equal(qp, "a=bA");
	assert_int_equal(dkim_qp_decode(&a, U("=3d"), 3, &qp, &n), MOX_OK);
	assert_string_equal(qp, "=");
	assert_int_equal(dkim_qp_decode(&a, U("=3"), 2, &qp, &n), MOX_ESYNTAX);
	assert_int_equal(dkim_qp_decode(&a, U("=G0"), 3, &qp, &n),
	    MOX_ESYNTAX);
	dkim_qp_encode(&b, U("a b;c=d\xff|"), 9);
	assert_string_equal(b.p, "a=20b=3Bc=3Dd=FF|");
	mox__buf_free(&b);
	mox__arena_free(&a);
}

static void
test_alloc_failures(void **state)
{
	static const char sig[] = "v=1; a=rsa-sha256; c=relaxed/relaxed; "
	    "d=example.com; s=sel; h=from:to:subject:date; i=a=20b@example.com;"
	    " z=a:b|c:d; q=dns/txt; bh=YWJj; b=ZGVm";
	static const char rec[] = "v=DKIM1; n=note; p=" RSA1024;
	unsigned long n;
	int rc = MOX_ENOMEM;

	(void)state;
	for (n = 1; n < 500; n++) {
		mox_dkim_signature *s = NULL;

		mox__fail_at = n;
		rc = mox_dkim_signature_parse(&s, U(sig), strlen(sig), NULL);
		mox__fail_at = 0;
		if (rc == MOX_OK) {
			mox_dkim_signature_free(s);
			break;
		}
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(s);
	}
	assert_int_equal(rc, MOX_OK);
	assert_true(n > 3);
	for (n = 1; n < 500; n++) {
		mox_dkim_keyrec *r = NULL;

		mox__fail_at = n;
		rc = mox_dkim_keyrec_parse(&r, U(rec), strlen(rec), NULL);
		mox__fail_at = 0;
		if (rc == MOX_OK) {
			mox_dkim_keyrec_free(r);
			break;
		}
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(r);
	}
	assert_int_equal(rc, MOX_OK);
	assert_true(n > 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_keyrec),
		cmocka_unit_test(test_codecs),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
