/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the verifier: RFC 8463 appendix A, every verdict rule
 * against a static resolver zone, the sans-I/O flow (questions, answers
 * before and after the body, out of order, shared keys), streaming in
 * any chunks, bad input, limits and allocation failures. Internal test
 * (dkim-int.h, mox__fail_at).
 */
#include "helpers.h"

#include "dkim-int.h"

#define T0 1528637909

static const char base_msg[] =
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

struct fx {
	mox_dkim_key *ed, *rsa, *rsa512, *rsa2048;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->ed = load_key("rfc8463-ed25519.pem");
	f->rsa = load_key("rfc8463-rsa.pem");
	f->rsa512 = load_key("rsa512.pem");
	f->rsa2048 = load_key("rsa2048-pkcs8.pem");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	mox_dkim_key_free(f->ed);
	mox_dkim_key_free(f->rsa);
	mox_dkim_key_free(f->rsa512);
	mox_dkim_key_free(f->rsa2048);
	free(f);
	return 0;
}

/* The base64 public key of k (p= of its TXT record). */
static char *
pubkey(const mox_dkim_key *k)
{
	char *txt = NULL, *p, *res;

	assert_int_equal(mox_dkim_key_txt(&txt, NULL, k, false), MOX_OK);
	p = strstr(txt, "p=");
	assert_non_null(p);
	res = strdup(p + 2);
	mox_dkim_free(txt);
	return res;
}

/* Zone text for a TXT record of any length. */
static void
zone_txt(char *z, size_t cap, const char *name, const char *text)
{
	size_t n = strlen(z), i, len = strlen(text);

	n += (size_t)snprintf(z + n, cap - n, "%s 300 IN TXT (", name);
	for (i = 0; i < len; i += 200)
		n += (size_t)snprintf(z + n, cap - n, " \"%.200s\"", text + i);
	snprintf(z + n, cap - n, " )\n");
}

/* A resolver with sel._domainkey.example.com TXT "<prefix>p=<key>". */
static mox_resolver *
key_zone(const mox_dkim_key *k, const char *prefix)
{
	char z[8192] = "", rec[4096], *p = pubkey(k);
	mox_resolver *r;

	snprintf(rec, sizeof(rec), "%sp=%s", prefix, p);
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.", rec);
	free(p);
	r = zone_resolver(z);
	return r;
}

static mox_dkim_sign_options
sopts(const mox_dkim_key *k)
{
	mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;

	o.domain = "example.com";
	o.selector = "sel";
	o.key = k;
	o.timestamp = T0;
	return o;
}

/* sig + msg, signed with o. */
static uint8_t *
signed_msg(const mox_dkim_sign_options *o, const char *msg, size_t *len)
{
	char *sig = NULL;
	uint8_t *m;

	assert_int_equal(mox_dkim_sign(&sig, NULL, o, U(msg), strlen(msg)),
	    MOX_OK);
	m = concat(sig, strlen(sig), U(msg), strlen(msg), len);
	mox_dkim_free(sig);
	return m;
}

static mox_dkim_verify_options
vopts(void)
{
	mox_dkim_verify_options o = MOX_DKIM_VERIFY_OPTIONS_INIT;

	o.now = T0 + 60;
	return o;
}

/* Verdict and reason of the message signed with o, in zone r. */
static int
verdict(mox_resolver *r, const mox_dkim_verify_options *vo,
    const mox_dkim_sign_options *so, char *reason)
{
	size_t len;
	uint8_t *m = signed_msg(so, base_msg, &len);
	int v = verify_one(r, vo, m, len, reason, 128);

	free(m);
	return v;
}

#define EXPECT(r, vo, so, want, why)                                        \
	do {                                                                \
		char reason_[128];                                          \
		int v_ = verdict((r), (vo), (so), reason_);                 \
		if (v_ != (want) || strcmp(reason_, (why)) != 0)            \
			fail_msg("verdict %s (%s), want %s (%s)",           \
			    mox_dkim_verdict_name(v_), reason_,             \
			    mox_dkim_verdict_name(want), (why));            \
	} while (0)

static void
test_rfc8463(void **state)
{
	static const char zone_secure[] = "$AUTHENTIC yes\n";
	mox_dkim_verify_options vo = vopts();
	mox_dkim_result res[2];
	mox_resolver *r;
	size_t len, zlen, mlen;
	uint8_t *m = read_data("rfc8463-signed.eml", &mlen);
	uint8_t *z = read_data("rfc8463.zone", &zlen);
	char ar[512], *zs;

	(void)state;
	r = zone_file_resolver("rfc8463.zone");
	assert_int_equal(verify_msg(r, &vo, m, mlen, res, 2), 2);
	assert_int_equal(res[0].verdict, MOX_DKIM_PASS);
	assert_int_equal(res[1].verdict, MOX_DKIM_PASS);
	assert_null(res[0].reason);
	assert_string_equal(res[0].domain, "football.example.com");
	assert_string_equal(res[0].selector, "brisbane");
	assert_string_equal(res[1].selector, "test");
	assert_string_equal(res[0].identity, "@football.example.com");
	assert_string_equal(res[0].algorithm, "ed25519-sha256");
	assert_string_equal(res[1].algorithm, "rsa-sha256");
	assert_string_equal(res[0].b, "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9Od"
	    "qQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
	assert_int_equal(res[0].offset, 0);
	assert_true(res[1].offset > 0);
	assert_false(res[0].authentic);
	assert_false(res[0].testing);
	assert_false(res[0].has_length);
	len = mox_dkim_authres(ar, sizeof(ar), &res[0]);
	assert_int_equal(len, strlen(ar));
	assert_int_equal(mox_dkim_authres(NULL, 0, &res[0]), len);
	assert_string_equal(ar, "dkim=pass header.d=football.example.com "
	    "header.s=brisbane header.a=ed25519-sha256 header.b=\"/gCrinpc\"");
	mox_dkim_authres(ar, sizeof(ar), &res[1]);
	assert_string_equal(ar, "dkim=pass header.d=football.example.com "
	    "header.s=test header.a=rsa-sha256 header.b=F45dVWDf");
	release_all(res, 2);
	mox_resolver_free(r);

	/* The same with DNSSEC-authentic answers. */
	zs = malloc(zlen + sizeof(zone_secure));
	memcpy(zs, zone_secure, sizeof(zone_secure) - 1);
	memcpy(zs + sizeof(zone_secure) - 1, z, zlen + 1);
	r = zone_resolver(zs);
	assert_int_equal(verify_msg(r, &vo, m, mlen, res, 2), 2);
	assert_true(res[0].authentic);
	assert_true(res[1].authentic);
	release_all(res, 2);
	mox_resolver_free(r);
	free(zs);
	free(z);
	free(m);
}

static void
test_key_rules(void **state)
{
	struct fx *f = *state;
	mox_dkim_verify_options vo = vopts();
	mox_dkim_sign_options so;
	mox_resolver *r;
	char z[4096];

	/* Passing baseline for each key. */
	so = sopts(f->ed);
	r = key_zone(f->ed, "v=DKIM1; k=ed25519; ");
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	mox_resolver_free(r);
	so = sopts(f->rsa2048);
	r = key_zone(f->rsa2048, "v=DKIM1; ");
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	mox_resolver_free(r);

	/* Revoked: empty p=. */
	so = sopts(f->rsa2048);
	z[0] = 0;
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.", "v=DKIM1; p=");
	r = zone_resolver(z);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "key revoked");
	mox_resolver_free(r);

	/* k= does not match a=. */
	r = key_zone(f->ed, "v=DKIM1; k=rsa; ");
	so = sopts(f->ed);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "key type mismatch");
	mox_resolver_free(r);
	r = key_zone(f->rsa2048, "k=ed25519; ");
	so = sopts(f->rsa2048);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "key type mismatch");
	mox_resolver_free(r);

	/* h= without sha256. */
	r = key_zone(f->rsa2048, "v=DKIM1; h=sha1:foo; ");
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR,
	    "hash algorithm not allowed by key");
	mox_resolver_free(r);
	r = key_zone(f->rsa2048, "v=DKIM1; h=foo : sha256; ");
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	mox_resolver_free(r);

	/* s= service types. */
	r = key_zone(f->rsa2048, "v=DKIM1; s=tlsrpt; ");
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "key not for email");
	mox_resolver_free(r);
	r = key_zone(f->rsa2048, "v=DKIM1; s=tlsrpt:email; ");
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	mox_resolver_free(r);
	r = key_zone(f->rsa2048, "v=DKIM1; s=*; ");
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	mox_resolver_free(r);

	/* t=s: i= must be exactly d=. */
	r = key_zone(f->rsa2048, "v=DKIM1; t=s; ");
	so.identity = "joe@sub.example.com";
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR,
	    "identity not in d= domain (t=s)");
	so.identity = "joe@example.com";
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	so.identity = NULL;
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	mox_resolver_free(r);

	/* t=y: testing. */
	{
		mox_dkim_result res[1];
		size_t len;
		uint8_t *m;

		r = key_zone(f->rsa2048, "v=DKIM1; t=y:s; ");
		m = signed_msg(&so, base_msg, &len);
		assert_int_equal(verify_msg(r, &vo, m, len, res, 1), 1);
		assert_int_equal(res[0].verdict, MOX_DKIM_PASS);
		assert_true(res[0].testing);
		release_all(res, 1);
		free(m);
		mox_resolver_free(r);
	}

	/* RSA key sizes (RFC 8301 3.2). */
	so = sopts(f->rsa512);
	r = key_zone(f->rsa512, "");
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "rsa key too small (512 bits)");
	vo.min_rsa_bits = 512;
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	mox_resolver_free(r);
	vo = vopts();
	vo.min_rsa_bits = 2048;
	so = sopts(f->rsa);
	r = key_zone(f->rsa, "v=DKIM1; ");
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR,
	    "rsa key too small (1024 bits)");
	vo = vopts();
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	mox_resolver_free(r);

	/* A key that does not parse, or an Ed25519 key of the wrong size. */
	z[0] = 0;
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.",
	    "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ==");
	r = zone_resolver(z);
	so = sopts(f->rsa2048);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "invalid public key");
	mox_resolver_free(r);
	z[0] = 0;
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.",
	    "v=DKIM1; k=ed25519; p=AAAA");
	r = zone_resolver(z);
	so = sopts(f->ed);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "invalid public key");
	mox_resolver_free(r);

	/* Another key than the one that signed. */
	r = key_zone(f->rsa, "");
	so = sopts(f->rsa2048);
	EXPECT(r, &vo, &so, MOX_DKIM_FAIL, "signature mismatch");
	mox_resolver_free(r);

	/* Key records that do not parse. */
	z[0] = 0;
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.",
	    "k=rsa; v=DKIM1; p=");
	r = zone_resolver(z);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR,
	    "invalid key record: v= tag not first");
	mox_resolver_free(r);
	z[0] = 0;
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.",
	    "v=DKIM1; k=dsa; p=AAAA");
	r = zone_resolver(z);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "unknown key type");
	mox_resolver_free(r);
	z[0] = 0;
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.", "v=spf1 -all");
	r = zone_resolver(z);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR,
	    "invalid key record: unsupported version in v= tag");
	mox_resolver_free(r);
	/* Two records. */
	z[0] = 0;
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.", "p=");
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.", "p=AAAA");
	r = zone_resolver(z);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "multiple key records");
	mox_resolver_free(r);
}

static void
test_dns_rules(void **state)
{
	struct fx *f = *state;
	mox_dkim_verify_options vo = vopts();
	mox_dkim_sign_options so = sopts(f->ed);
	mox_resolver *r;

	r = zone_resolver("other.example.com. 300 IN TXT \"x\"\n");
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "no key record");
	mox_resolver_free(r);
	r = zone_resolver("sel._domainkey.example.com. 300 IN A 192.0.2.1\n");
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "no key record");
	mox_resolver_free(r);
	r = zone_resolver("$SERVFAIL sel._domainkey.example.com.\n");
	EXPECT(r, &vo, &so, MOX_DKIM_TEMPERROR, "key lookup failed");
	mox_resolver_free(r);
	r = zone_resolver("$TIMEOUT sel._domainkey.example.com.\n");
	EXPECT(r, &vo, &so, MOX_DKIM_TEMPERROR, "key lookup timed out");
	mox_resolver_free(r);
	r = zone_resolver("");
	assert_int_equal(mox_resolver_static_set_result(r,
	    "sel._domainkey.example.com", MOX_DNS_BOGUS), MOX_OK);
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "key record dnssec bogus");
	assert_int_equal(mox_resolver_static_set_result(r,
	    "sel._domainkey.example.com", MOX_DNS_ERROR), MOX_OK);
	EXPECT(r, &vo, &so, MOX_DKIM_TEMPERROR, "key lookup failed");
	mox_resolver_free(r);
}

static void
test_signature_rules(void **state)
{
	struct fx *f = *state;
	mox_dkim_verify_options vo = vopts();
	mox_dkim_sign_options so = sopts(f->ed);
	mox_resolver *r = key_zone(f->ed, "k=ed25519; ");

	/* x= in the past: expired (RFC 6376 6.1.1). */
	so.expiration = 30;
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "signature expired");
	vo.flags = MOX_DKIM_VERIFY_IGNORE_EXPIRY;
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	vo = vopts();
	so.expiration = 60; /* x == now: not yet expired */
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	so.expiration = 0;

	/* t= in the future beyond the skew. */
	so.timestamp = T0 + 60 + 301;
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "signature in the future");
	so.timestamp = T0 + 60 + 300;
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	vo.max_clock_skew = 0;
	so.timestamp = T0 + 61;
	EXPECT(r, &vo, &so, MOX_DKIM_PERMERROR, "signature in the future");
	vo = vopts();
	so.timestamp = -1;
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	so = sopts(f->ed);

	/* l=: policy unless allowed. */
	so.body_length = true;
	EXPECT(r, &vo, &so, MOX_DKIM_POLICY, "l= not allowed");
	vo.flags = MOX_DKIM_VERIFY_ALLOW_LENGTH;
	EXPECT(r, &vo, &so, MOX_DKIM_PASS, "");
	{
		/* Content after l= is not signed. */
		mox_dkim_result res[1];
		char msg[1024];
		size_t len;
		uint8_t *m;
		char *sig = NULL;

		assert_int_equal(mox_dkim_sign(&sig, NULL, &so, U(base_msg),
		    strlen(base_msg)), MOX_OK);
		len = (size_t)snprintf(msg, sizeof(msg), "%s%sP.S. unsigned\r\n",
		    sig, base_msg);
		assert_int_equal(verify_msg(r, &vo, U(msg), len, res, 1), 1);
		assert_int_equal(res[0].verdict, MOX_DKIM_PASS);
		assert_true(res[0].has_length);
		release_all(res, 1);
		/* A body shorter than l=. */
		len = (size_t)snprintf(msg, sizeof(msg), "%s%.*s", sig,
		    (int)(strlen(base_msg) - 8), base_msg);
		assert_int_equal(verify_msg(r, &vo, U(msg), len, res, 1), 1);
		assert_int_equal(res[0].verdict, MOX_DKIM_PERMERROR);
		assert_string_equal(res[0].reason, "l= beyond end of body");
		release_all(res, 1);
		mox_dkim_free(sig);
		(void)m;
	}
	mox_resolver_free(r);
}

/* rsa-sha1, made through the template entry point. */
static void
test_rsa_sha1(void **state)
{
	struct fx *f = *state;
	mox_dkim_verify_options vo = vopts();
	mox_dkim_sign_options so = sopts(f->rsa2048);
	mox_resolver *r = key_zone(f->rsa2048, "");
	mox_dkim_signer *s;
	struct dkim_body b;
	mox_dkim_result res[1];
	uint8_t bh[32];
	char tmpl[512], bh64[64], *out = NULL;
	const char *body = strstr(base_msg, "\r\n\r\n") + 4;
	size_t len;
	uint8_t *m;

	dkim_body_init(&b, MOX_DKIM_RELAXED, DKIM_SHA1, false, 0);
	dkim_body_update(&b, U(body), strlen(body));
	dkim_b64_encode(bh64, bh, dkim_body_final(&b, bh, NULL));
	snprintf(tmpl, sizeof(tmpl), "DKIM-Signature: v=1; a=rsa-sha1; "
	    "c=relaxed/relaxed; d=example.com; s=sel; h=from:to:subject;\r\n"
	    "\tbh=%s; b=", bh64);
	assert_int_equal(mox_dkim_signer_new(&s, &so), MOX_OK);
	assert_int_equal(mox_dkim_signer_feed(s, U(base_msg),
	    strlen(base_msg)), MOX_OK);
	assert_int_equal(dkim_signer_finish_template(s, U(tmpl), strlen(tmpl),
	    &out, NULL), MOX_OK);
	mox_dkim_signer_free(s);
	m = concat(out, strlen(out), U(base_msg), strlen(base_msg), &len);
	assert_int_equal(verify_msg(r, &vo, m, len, res, 1), 1);
	assert_int_equal(res[0].verdict, MOX_DKIM_PERMERROR);
	assert_string_equal(res[0].reason, "rsa-sha1 not allowed");
	assert_string_equal(res[0].algorithm, "rsa-sha1");
	release_all(res, 1);
	vo.flags = MOX_DKIM_VERIFY_ALLOW_SHA1;
	assert_int_equal(verify_msg(r, &vo, m, len, res, 1), 1);
	assert_int_equal(res[0].verdict, MOX_DKIM_PASS);
	release_all(res, 1);
	mox_resolver_free(r);
	/* h=sha256 in the key forbids it. */
	r = key_zone(f->rsa2048, "h=sha256; ");
	assert_int_equal(verify_msg(r, &vo, m, len, res, 1), 1);
	assert_int_equal(res[0].verdict, MOX_DKIM_PERMERROR);
	assert_string_equal(res[0].reason, "hash algorithm not allowed by key");
	release_all(res, 1);
	mox_resolver_free(r);
	free(m);
	mox_dkim_free(out);
}

static void
test_tampering(void **state)
{
	struct fx *f = *state;
	mox_dkim_verify_options vo = vopts();
	mox_dkim_sign_options so = sopts(f->rsa2048);
	mox_resolver *r = key_zone(f->rsa2048, "");
	char reason[128];
	size_t len, i;
	uint8_t *m = signed_msg(&so, base_msg, &len);
	uint8_t *c = malloc(len + 64);
	char *p;

	/* Body changed. */
	memcpy(c, m, len);
	p = strstr((char *)c, "hungry");
	p[0] = 'H';
	assert_int_equal(verify_one(r, &vo, c, len, reason, 128),
	    MOX_DKIM_FAIL);
	assert_string_equal(reason, "body hash mismatch");
	/* Signed header changed. */
	memcpy(c, m, len);
	p = strstr((char *)c, "dinner");
	p[0] = 'D';
	assert_int_equal(verify_one(r, &vo, c, len, reason, 128),
	    MOX_DKIM_FAIL);
	assert_string_equal(reason, "signature mismatch");
	/* A bit of b= flipped. */
	memcpy(c, m, len);
	p = strstr((char *)c, " b=") + 10;
	*p = *p == 'A' ? 'B' : 'A';
	assert_int_equal(verify_one(r, &vo, c, len, reason, 128),
	    MOX_DKIM_FAIL);
	assert_string_equal(reason, "signature mismatch");
	/* Relaxed canonicalization tolerates whitespace and case changes
	 * in header fields, and refolding of the signature. */
	memcpy(c, m, len);
	p = strstr((char *)c, "Subject: Is");
	memcpy(p, "SUBJECT:Is", 10);
	p[10] = ' ';
	for (i = 0; i + 3 < len; i++) {
		if (memcmp(c + i, "\r\n\t", 3) == 0)
			c[i + 2] = ' ';
	}
	assert_int_equal(verify_one(r, &vo, c, len, reason, 128),
	    MOX_DKIM_PASS);
	/* Truncated b=: does not decode, or is too short. */
	{
		char *sig = NULL, *b;
		uint8_t *t;
		size_t tl;

		assert_int_equal(mox_dkim_sign(&sig, NULL, &so, U(base_msg),
		    strlen(base_msg)), MOX_OK);
		b = strstr(sig, " b=");
		memcpy(b + 20, "\r\n", 3);
		t = concat(sig, strlen(sig), U(base_msg), strlen(base_msg), &tl);
		assert_int_equal(verify_one(r, &vo, t, tl, reason, 128),
		    MOX_DKIM_PERMERROR);
		assert_string_equal(reason,
		    "malformed signature: invalid base64 in b= tag");
		free(t);
		memcpy(b + 19, "\r\n", 3);
		t = concat(sig, strlen(sig), U(base_msg), strlen(base_msg), &tl);
		assert_int_equal(verify_one(r, &vo, t, tl, reason, 128),
		    MOX_DKIM_FAIL);
		assert_string_equal(reason, "signature mismatch");
		free(t);
		mox_dkim_free(sig);
	}
	free(c);
	free(m);
	mox_resolver_free(r);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *sig;
		const char *reason;
	} cases[] = {
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA",
		  "malformed signature: missing b= tag" },
		{ "v=2; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; "
		  "b=AAAA", "malformed signature: unsupported version" },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=to; bh=AAAA; "
		  "b=AAAA", "malformed signature: From not signed (h= tag)" },
		{ "v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; "
		  "b=AAAA; i=x@example.org",
		  "malformed signature: i= domain not within d= domain" },
		{ "v=1; a=rsa-sha256; v=1; d=example.com; s=sel; h=from; "
		  "bh=AAAA; b=AAAA", "malformed signature: duplicate tag" },
		{ "v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=sel; "
		  "h=from; bh=AAAA; b=AAAA",
		  "malformed signature: invalid domain in d= tag" },
		{ "v=1; a=foo-sha512; d=example.com; s=sel; h=from; bh=AAAA; "
		  "b=AAAA", "unknown algorithm" },
		{ "garbage", "malformed signature: tag without '='" },
		{ "", "malformed signature: missing v= tag" },
	};
	mox_resolver *r = zone_resolver("");
	mox_dkim_verify_options vo = vopts();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msg[1024], reason[128];
		int n = snprintf(msg, sizeof(msg), "DKIM-Signature: %s\r\n%s",
		    cases[i].sig, base_msg);

		assert_int_equal(verify_one(r, &vo, U(msg), (size_t)n, reason,
		    sizeof(reason)), MOX_DKIM_PERMERROR);
		if (strcmp(reason, cases[i].reason) != 0)
			fail_msg("case %zu: %s", i, reason);
	}
	mox_resolver_free(r);
}

/* Three signatures, two sharing a key; answered in any order, before or
 * after the body. */
static void
test_flow(void **state)
{
	struct fx *f = *state;
	mox_dkim_sign_options so = sopts(f->ed);
	char *s1 = NULL, *s2 = NULL, *s3 = NULL, z[4096] = "", rec[256];
	char *pk = pubkey(f->ed);
	mox_resolver *r;
	size_t len, mlen;
	uint8_t *m;

	snprintf(rec, sizeof(rec), "k=ed25519; p=%s", pk);
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.", rec);
	zone_txt(z, sizeof(z), "other._domainkey.example.com.", rec);
	free(pk);
	r = zone_resolver(z);
	assert_int_equal(mox_dkim_sign(&s1, NULL, &so, U(base_msg),
	    strlen(base_msg)), MOX_OK);
	so.body_canon = MOX_DKIM_SIMPLE;
	assert_int_equal(mox_dkim_sign(&s2, NULL, &so, U(base_msg),
	    strlen(base_msg)), MOX_OK);
	so.selector = "other";
	assert_int_equal(mox_dkim_sign(&s3, NULL, &so, U(base_msg),
	    strlen(base_msg)), MOX_OK);
	mlen = strlen(s1) + strlen(s2) + strlen(s3) + strlen(base_msg);
	m = malloc(mlen + 1);
	snprintf((char *)m, mlen + 1, "%s%s%s%s", s1, s2, s3, base_msg);
	len = strlen((char *)m);

	for (int order = 0; order < 4; order++) {
		mox_dkim_verify_options vo = vopts();
		mox_dkim_verifier *v;
		mox_dkim_question q[3];
		mox_dns_answer *a[3];
		size_t nq = 0, body = (size_t)(strstr((char *)m, "\r\n\r\n") -
		    (char *)m) + 4, i;
		int st;

		assert_int_equal(mox_dkim_verifier_new(&v, &vo), MOX_OK);
		assert_int_equal(mox_dkim_verifier_count(v), 0);
		assert_int_equal(mox_dkim_verifier_step(v, &q[0]),
		    MOX_DKIM_STEP_NEED_DATA);
		/* Header and a bit of body. */
		assert_int_equal(mox_dkim_verifier_feed(v, m, body + 3),
		    MOX_OK);
		assert_int_equal(mox_dkim_verifier_count(v), 3);
		while ((st = mox_dkim_verifier_step(v, &q[nq])) ==
		    MOX_DKIM_STEP_QUERY) {
			assert_int_equal(q[nq].id, nq);
			assert_int_equal(mox_dns_lookup(r, q[nq].name,
			    MOX_DNS_TXT, &a[nq]), MOX_OK);
			nq++;
		}
		/* Two keys for three signatures. */
		assert_int_equal(nq, 2);
		assert_string_equal(q[0].name, "sel._domainkey.example.com");
		assert_string_equal(q[1].name, "other._domainkey.example.com");
		assert_int_equal(st, MOX_DKIM_STEP_NEED_DATA);
		{
			mox_dkim_result res = MOX_DKIM_RESULT_INIT;

			assert_int_equal(mox_dkim_verifier_result(v, 0, &res),
			    MOX_ESTATE);
		}
		if (order == 0) {
			/* Answers before the rest of the body. */
			assert_int_equal(mox_dkim_verifier_answer(v, 1, a[1]),
			    MOX_OK);
			assert_int_equal(mox_dkim_verifier_answer(v, 0, a[0]),
			    MOX_OK);
			assert_int_equal(mox_dkim_verifier_step(v, NULL),
			    MOX_DKIM_STEP_NEED_DATA);
		} else if (order == 1) {
			assert_int_equal(mox_dkim_verifier_answer(v, 0, a[0]),
			    MOX_OK);
		}
		assert_int_equal(mox_dkim_verifier_feed(v, m + body + 3,
		    len - body - 3), MOX_OK);
		assert_int_equal(mox_dkim_verifier_step(v, NULL),
		    order == 0 ? MOX_DKIM_STEP_NEED_DATA :
		    MOX_DKIM_STEP_NEED_DATA);
		assert_int_equal(mox_dkim_verifier_finish(v), MOX_OK);
		assert_int_equal(mox_dkim_verifier_finish(v), MOX_ESTATE);
		assert_int_equal(mox_dkim_verifier_feed(v, U("x"), 1),
		    MOX_ESTATE);
		if (order >= 1) {
			assert_int_equal(mox_dkim_verifier_step(v, NULL),
			    MOX_DKIM_STEP_WAIT);
			if (order == 2) {
				assert_int_equal(mox_dkim_verifier_answer(v, 1,
				    a[1]), MOX_OK);
				assert_int_equal(mox_dkim_verifier_step(v,
				    NULL), MOX_DKIM_STEP_WAIT);
				assert_int_equal(mox_dkim_verifier_answer(v, 0,
				    a[0]), MOX_OK);
			} else if (order == 1) {
				assert_int_equal(mox_dkim_verifier_answer(v, 1,
				    a[1]), MOX_OK);
			} else {
				/* A failed lookup for one. */
				assert_int_equal(mox_dkim_verifier_answer(v, 1,
				    NULL), MOX_OK);
				assert_int_equal(mox_dkim_verifier_answer(v, 0,
				    a[0]), MOX_OK);
			}
		}
		assert_int_equal(mox_dkim_verifier_answer(v, 0, a[0]),
		    MOX_ESTATE);
		assert_int_equal(mox_dkim_verifier_answer(v, 2, a[0]),
		    MOX_EINVAL);
		assert_int_equal(mox_dkim_verifier_step(v, NULL),
		    MOX_DKIM_STEP_DONE);
		assert_int_equal(mox_dkim_verifier_step(v, NULL),
		    MOX_DKIM_STEP_DONE);
		for (i = 0; i < 3; i++) {
			mox_dkim_result res = MOX_DKIM_RESULT_INIT;

			assert_int_equal(mox_dkim_verifier_result(v, i, &res),
			    MOX_OK);
			if (order == 3 && i == 2) {
				assert_int_equal(res.verdict,
				    MOX_DKIM_TEMPERROR);
				assert_string_equal(res.reason,
				    "key lookup failed");
			} else {
				assert_int_equal(res.verdict, MOX_DKIM_PASS);
			}
			mox_dkim_result_release(&res);
			assert_int_equal(res.version, MOX_DKIM_RESULT_VERSION);
			assert_null(res.owned_);
		}
		{
			mox_dkim_result res = MOX_DKIM_RESULT_INIT;

			assert_int_equal(mox_dkim_verifier_result(v, 3, &res),
			    MOX_ENOTFOUND);
			res.version = 99;
			assert_int_equal(mox_dkim_verifier_result(v, 0, &res),
			    MOX_EVERSION);
		}
		mox_dkim_verifier_free(v);
		mox_dns_answer_free(a[0]);
		mox_dns_answer_free(a[1]);
	}
	free(m);
	mox_dkim_free(s1);
	mox_dkim_free(s2);
	mox_dkim_free(s3);
	mox_resolver_free(r);
}

/* No signatures, or none that needs the body: done early. */
static void
test_done_early(void **state)
{
	mox_dkim_verifier *v;
	mox_dkim_question q;
	static const char bad[] = "DKIM-Signature: v=1; a=rsa-sha256\r\n"
	    "From: x\r\n\r\nbody";

	(void)state;
	assert_int_equal(mox_dkim_verifier_new(&v, NULL), MOX_OK);
	assert_int_equal(mox_dkim_verifier_feed(v, U(base_msg), 60), MOX_OK);
	assert_int_equal(mox_dkim_verifier_step(v, &q),
	    MOX_DKIM_STEP_NEED_DATA);
	assert_int_equal(mox_dkim_verifier_feed(v, U(base_msg) + 60,
	    strlen(base_msg) - 60), MOX_OK);
	assert_int_equal(mox_dkim_verifier_count(v), 0);
	assert_int_equal(mox_dkim_verifier_step(v, &q), MOX_DKIM_STEP_DONE);
	assert_int_equal(mox_dkim_verifier_feed(v, U("more"), 4), MOX_OK);
	assert_int_equal(mox_dkim_verifier_finish(v), MOX_OK);
	mox_dkim_verifier_free(v);

	assert_int_equal(mox_dkim_verifier_new(&v, NULL), MOX_OK);
	assert_int_equal(mox_dkim_verifier_feed(v, U(bad), strlen(bad) - 4),
	    MOX_OK);
	assert_int_equal(mox_dkim_verifier_count(v), 1);
	assert_int_equal(mox_dkim_verifier_step(v, &q), MOX_DKIM_STEP_DONE);
	mox_dkim_verifier_free(v);

	/* Only a header, no line end at all. */
	assert_int_equal(mox_dkim_verifier_new(&v, NULL), MOX_OK);
	assert_int_equal(mox_dkim_verifier_feed(v, U("DKIM-Signature: x"),
	    17), MOX_OK);
	assert_int_equal(mox_dkim_verifier_step(v, &q),
	    MOX_DKIM_STEP_NEED_DATA);
	assert_int_equal(mox_dkim_verifier_finish(v), MOX_OK);
	assert_int_equal(mox_dkim_verifier_count(v), 1);
	assert_int_equal(mox_dkim_verifier_step(v, &q), MOX_DKIM_STEP_DONE);
	mox_dkim_verifier_free(v);
	mox_dkim_verifier_free(NULL);

	assert_int_equal(mox_dkim_verifier_new(NULL, NULL), MOX_EINVAL);
	{
		mox_dkim_verify_options vo = MOX_DKIM_VERIFY_OPTIONS_INIT;

		vo.version = 5;
		assert_int_equal(mox_dkim_verifier_new(&v, &vo), MOX_EVERSION);
		assert_null(v);
	}
	assert_int_equal(mox_dkim_verifier_step(NULL, &q), MOX_EINVAL);
	assert_int_equal(mox_dkim_verifier_feed(NULL, U("x"), 1), MOX_EINVAL);
	assert_int_equal(mox_dkim_verifier_finish(NULL), MOX_EINVAL);
	assert_int_equal(mox_dkim_verifier_answer(NULL, 0, NULL), MOX_EINVAL);
	assert_int_equal(mox_dkim_verifier_count(NULL), 0);
}

/* Verdicts of a message fed in chunks of size chunk (0: random). */
static void
verdicts_chunked(mox_resolver *r, const uint8_t *m, size_t len,
    size_t chunk, unsigned int seed, int *out, size_t max)
{
	mox_dkim_verify_options vo = vopts();
	mox_dkim_verifier *v;
	mox_dkim_question q;
	size_t pos = 0, i;
	int st;

	vo.flags = MOX_DKIM_VERIFY_ALLOW_LENGTH;
	assert_int_equal(mox_dkim_verifier_new(&v, &vo), MOX_OK);
	while (pos < len) {
		size_t n = chunk;

		if (chunk == 0) {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 8) % 1000;
		}
		if (n > len - pos)
			n = len - pos;
		assert_int_equal(mox_dkim_verifier_feed(v, m + pos, n), MOX_OK);
		pos += n;
		/* Answer questions as soon as they come. */
		while ((st = mox_dkim_verifier_step(v, &q)) ==
		    MOX_DKIM_STEP_QUERY) {
			mox_dns_answer *a = NULL;

			assert_int_equal(mox_dns_lookup(r, q.name, MOX_DNS_TXT,
			    &a), MOX_OK);
			assert_int_equal(mox_dkim_verifier_answer(v, q.id, a),
			    MOX_OK);
			mox_dns_answer_free(a);
		}
	}
	assert_int_equal(mox_dkim_verifier_finish(v), MOX_OK);
	assert_int_equal(mox_dkim_verifier_step(v, &q), MOX_DKIM_STEP_DONE);
	assert_int_equal(mox_dkim_verifier_count(v), max);
	for (i = 0; i < max; i++) {
		mox_dkim_result res = MOX_DKIM_RESULT_INIT;

		assert_int_equal(mox_dkim_verifier_result(v, i, &res), MOX_OK);
		out[i] = res.verdict;
		mox_dkim_result_release(&res);
	}
	mox_dkim_verifier_free(v);
}

static void
test_streaming(void **state)
{
	struct fx *f = *state;
	static const char body_msg[] =
	    "From: a@example.com\r\nSubject: s\r\n\r\n"
	    " x  y \r\n\r\nz\r\r\n\n\r\n\r\n";
	char *sigs[4], z[4096] = "", rec[256], *pk = pubkey(f->ed);
	int want[5], got[5];
	mox_resolver *r;
	size_t len, i, c;
	uint8_t *m;
	char *buf;

	snprintf(rec, sizeof(rec), "k=ed25519; p=%s", pk);
	zone_txt(z, sizeof(z), "sel._domainkey.example.com.", rec);
	free(pk);
	r = zone_resolver(z);
	for (i = 0; i < 4; i++) {
		mox_dkim_sign_options so = sopts(f->ed);

		so.header_canon = (int)(i & 1);
		so.body_canon = (int)(i >> 1);
		so.body_length = i == 3;
		assert_int_equal(mox_dkim_sign(&sigs[i], NULL, &so,
		    U(body_msg), strlen(body_msg)), MOX_OK);
	}
	buf = malloc(8192);
	len = (size_t)snprintf(buf, 8192, "%s%s%s%s"
	    "DKIM-Signature: v=1; a=ed25519-sha256; d=example.com; s=sel; "
	    "h=from; bh=AAAA; b=AAAA\r\n%s", sigs[0], sigs[1], sigs[2],
	    sigs[3], body_msg);
	m = (uint8_t *)buf;
	verdicts_chunked(r, m, len, len, 0, want, 5);
	for (i = 0; i < 4; i++)
		assert_int_equal(want[i], MOX_DKIM_PASS);
	assert_int_equal(want[4], MOX_DKIM_FAIL);
	for (c = 1; c <= len; c++) {
		verdicts_chunked(r, m, len, c, 0, got, 5);
		assert_memory_equal(got, want, sizeof(want));
	}
	for (i = 0; i < 4; i++)
		mox_dkim_free(sigs[i]);
	free(buf);

	/* A large message in random splits. */
	{
		mox_dkim_sign_options so = sopts(f->ed);
		size_t blen = 300000, k;
		char *big = malloc(blen + 1), *sig = NULL;
		uint8_t *bm;
		unsigned int seed = 3;

		k = (size_t)snprintf(big, blen, "From: a@example.com\r\n\r\n");
		for (; k < blen; k++) {
			seed = seed * 1103515245u + 12345u;
			big[k] = " \t\r\nxy\n."[(seed >> 16) % 8];
		}
		big[blen] = 0;
		for (i = 0; i < 2; i++) {
			so.body_canon = (int)i;
			assert_int_equal(mox_dkim_sign(&sig, NULL, &so, U(big),
			    blen), MOX_OK);
			bm = concat(sig, strlen(sig), U(big), blen, &len);
			for (seed = 1; seed < 10; seed++) {
				verdicts_chunked(r, bm, len, 0, seed, got, 1);
				assert_int_equal(got[0], MOX_DKIM_PASS);
			}
			free(bm);
			mox_dkim_free(sig);
		}
		free(big);
	}
	mox_resolver_free(r);
}

static void
test_limits(void **state)
{
	struct fx *f = *state;
	mox_dkim_sign_options so = sopts(f->ed);
	mox_resolver *r = key_zone(f->ed, "k=ed25519; ");
	mox_dkim_verify_options vo = vopts();
	mox_dkim_result res[8];
	char *sig = NULL, *msg;
	size_t len, i, n;

	assert_int_equal(mox_dkim_sign(&sig, NULL, &so, U(base_msg),
	    strlen(base_msg)), MOX_OK);
	msg = malloc(8192);
	len = (size_t)snprintf(msg, 8192, "%s%s%s%s", sig, sig, sig, base_msg);
	vo.max_signatures = 2;
	n = verify_msg(r, &vo, U(msg), len, res, 8);
	assert_int_equal(n, 3);
	assert_int_equal(res[0].verdict, MOX_DKIM_PASS);
	assert_int_equal(res[1].verdict, MOX_DKIM_PASS);
	assert_int_equal(res[2].verdict, MOX_DKIM_PERMERROR);
	assert_string_equal(res[2].reason, "too many signatures");
	release_all(res, n);

	/* A header section over the limit: every signature permerror. */
	vo = vopts();
	vo.max_header_size = 200;
	n = verify_msg(r, &vo, U(msg), len, res, 8);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_int_equal(res[i].verdict, MOX_DKIM_PERMERROR);
		assert_string_equal(res[i].reason, "header section too large");
		assert_string_equal(res[i].domain, "");
	}
	release_all(res, n);
	/* In many small chunks too. */
	{
		mox_dkim_verifier *v;
		mox_dkim_question q;

		assert_int_equal(mox_dkim_verifier_new(&v, &vo), MOX_OK);
		for (i = 0; i < len; i++)
			assert_int_equal(mox_dkim_verifier_feed(v,
			    U(msg) + i, 1), MOX_OK);
		assert_int_equal(mox_dkim_verifier_count(v), 3);
		assert_int_equal(mox_dkim_verifier_step(v, &q),
		    MOX_DKIM_STEP_DONE);
		mox_dkim_verifier_free(v);
	}
	mox_dkim_free(sig);
	free(msg);

	/* More than 10000 fields. */
	{
		size_t big = 200000, k = 0;
		char *h = malloc(big + 1);

		while (k + 8 < big)
			k += (size_t)snprintf(h + k, big - k, "X: %s\r\n",
			    k == 0 ? "DKIM-Signature: x" : "");
		vo = vopts();
		memcpy(h, "DKIM-Signature: x\r\n", 19);
		n = verify_msg(r, &vo, U(h), k, res, 8);
		assert_int_equal(n, 1);
		assert_int_equal(res[0].verdict, MOX_DKIM_PERMERROR);
		assert_string_equal(res[0].reason, "header section too large");
		release_all(res, n);
		free(h);
	}
	mox_resolver_free(r);
}

/* Bytes that are not mail: verdicts or nothing, never a crash. */
static void
test_garbage(void **state)
{
	struct fx *f = *state;
	mox_resolver *r = key_zone(f->ed, "k=ed25519; ");
	mox_dkim_verify_options vo = vopts();
	mox_dkim_result *out;
	unsigned int seed = 42;
	uint8_t buf[600];
	size_t n, i, k;
	static const char *const pieces[] = {
		"DKIM-Signature:", " v=1;", " a=ed25519-sha256;", " d=example.com;",
		" s=sel;", " h=from:to;", " bh=AAAA;", " b=AAAA", "\r\n", "\n",
		"\r", " ", "\t", "From: x\r\n", ";", "=", "l=5;", "z=a|b;",
		"\x00", "\xff", "c=relaxed/simple;", "i=@example.com;",
	};

	for (i = 0; i < 3000; i++) {
		size_t len = 0;

		while (len < sizeof(buf) - 40) {
			seed = seed * 1103515245u + 12345u;
			k = (seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]));
			if (k == 18) {
				buf[len++] = 0;
				continue;
			}
			memcpy(buf + len, pieces[k], strlen(pieces[k]));
			len += strlen(pieces[k]);
			if ((seed >> 8) % 50 == 0)
				break;
		}
		assert_int_equal(mox_dkim_verify(&out, &n, r, &vo, buf, len),
		    MOX_OK);
		for (k = 0; k < n; k++) {
			assert_true(out[k].verdict >= MOX_DKIM_PASS &&
			    out[k].verdict <= MOX_DKIM_PERMERROR);
			mox_dkim_result_release(&out[k]);
		}
		mox_dkim_free(out);
	}
	assert_int_equal(mox_dkim_verify(&out, &n, NULL, &vo, buf, 1),
	    MOX_EINVAL);
	assert_int_equal(mox_dkim_verify(&out, &n, r, &vo, NULL, 1),
	    MOX_EINVAL);
	mox_resolver_free(r);
}

static void
test_alloc_failures(void **state)
{
	size_t len;
	uint8_t *m = read_data("rfc8463-signed.eml", &len);
	mox_resolver *r = zone_file_resolver("rfc8463.zone");
	mox_dkim_verify_options vo = vopts();
	unsigned long n;
	int rc = MOX_ENOMEM;

	(void)state;
	for (n = 1; n < 2000; n++) {
		mox_dkim_result *out = NULL;
		size_t cnt = 99, i;

		mox__fail_at = n;
		rc = mox_dkim_verify(&out, &cnt, r, &vo, m, len);
		mox__fail_at = 0;
		if (rc == MOX_OK) {
			assert_int_equal(cnt, 2);
			for (i = 0; i < cnt; i++) {
				assert_int_equal(out[i].verdict, MOX_DKIM_PASS);
				mox_dkim_result_release(&out[i]);
			}
			mox_dkim_free(out);
			break;
		}
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(out);
		assert_int_equal(cnt, 0);
	}
	assert_int_equal(rc, MOX_OK);
	assert_true(n > 10);
	mox_resolver_free(r);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8463),
		cmocka_unit_test(test_key_rules),
		cmocka_unit_test(test_dns_rules),
		cmocka_unit_test(test_signature_rules),
		cmocka_unit_test(test_rsa_sha1),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_flow),
		cmocka_unit_test(test_done_early),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
