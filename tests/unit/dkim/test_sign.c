/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the signer: RFC 8463 appendix A reproduced byte for byte,
 * sign and verify round trips for both algorithms and all
 * canonicalizations over awkward bodies, header field selection and
 * oversigning, tags, folding, determinism, streaming in any chunks,
 * errors and allocation failures. Internal test (dkim-int.h,
 * mox__fail_at).
 */
#include <pthread.h>

#include "helpers.h"

#include "dkim-int.h"

#define RFC_T 1528637909

static const char rfc_msg[] =
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
	mox_dkim_key *ed;
	mox_dkim_key *rsa;
	mox_resolver *r;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->ed = load_key("rfc8463-ed25519.pem");
	f->rsa = load_key("rfc8463-rsa.pem");
	f->r = zone_file_resolver("rfc8463.zone");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	mox_dkim_key_free(f->ed);
	mox_dkim_key_free(f->rsa);
	mox_resolver_free(f->r);
	free(f);
	return 0;
}

static mox_dkim_sign_options
opts_for(const mox_dkim_key *k)
{
	mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;

	o.domain = "football.example.com";
	o.selector = k->type == MOX_DKIM_KEY_ED25519 ? "brisbane" : "test";
	o.key = k;
	o.timestamp = RFC_T;
	return o;
}

static char *
sign(const mox_dkim_sign_options *o, const char *msg, size_t len)
{
	char *out = NULL;
	size_t olen = 0;
	int rc = mox_dkim_sign(&out, &olen, o, U(msg), len);

	if (rc != MOX_OK)
		fail_msg("sign: %d", rc);
	assert_int_equal(strlen(out), olen);
	return out;
}

/* Verdict of sig + msg against the RFC 8463 zone. */
static int
check(struct fx *f, const char *sig, const char *msg, size_t len,
    unsigned int flags, char *reason)
{
	mox_dkim_verify_options vo = MOX_DKIM_VERIFY_OPTIONS_INIT;
	size_t mlen;
	uint8_t *m = concat(sig, strlen(sig), U(msg), len, &mlen);
	int v;

	vo.now = RFC_T + 10;
	vo.flags = flags;
	v = verify_one(f->r, &vo, m, mlen, reason, reason ? 128 : 0);
	free(m);
	return v;
}

/* The value of tag name in a generated field (unfolded, FWS removed). */
static char *
tag_value(const char *field, const char *name)
{
	mox_dkim_signature *s = NULL;
	const char *colon = strchr(field, ':');
	char *v = NULL;

	assert_non_null(colon);
	assert_int_equal(mox_dkim_signature_parse(&s, U(colon + 1),
	    strlen(colon + 1) - 2, NULL), MOX_OK);
	if (strcmp(name, "h") == 0) {
		size_t i, n = 0;

		v = calloc(1, 4096);
		for (i = 0; i < s->nheaders; i++)
			n += (size_t)snprintf(v + n, 4096 - n, "%s%s",
			    i ? ":" : "", s->headers[i]);
	} else if (strcmp(name, "i") == 0 && s->identity) {
		v = strdup(s->identity);
	}
	mox_dkim_signature_free(s);
	return v;
}

/* RFC 8463 appendix A: signing the example message with the published
 * tag values reproduces both b= values byte for byte (RSA PKCS#1 v1.5
 * and Ed25519 are deterministic). */
static void
test_rfc8463_resign(void **state)
{
	struct fx *f = *state;
	static const char ed_tmpl[] =
	    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
	    " d=football.example.com; i=@football.example.com;\r\n"
	    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
	    " subject : date : message-id : from : subject : date;\r\n"
	    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
	    " b=";
	static const char ed_b[] =
	    "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus"
	    "Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";
	static const char rsa_tmpl[] =
	    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
	    " d=football.example.com; i=@football.example.com;\r\n"
	    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
	    " date : message-id : from : subject : date;\r\n"
	    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
	    " b=";
	static const char rsa_b[] =
	    "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3"
	    "DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz"
	    "dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=";
	const struct {
		const mox_dkim_key *k;
		const char *tmpl, *b;
	} c[] = { { f->ed, ed_tmpl, ed_b }, { f->rsa, rsa_tmpl, rsa_b } };
	char signed_msg[4096];
	size_t i, n;

	n = 0;
	for (i = 0; i < 2; i++) {
		mox_dkim_sign_options o = opts_for(c[i].k);
		mox_dkim_signer *s;
		char *out = NULL, bh[64];
		const uint8_t *h;
		size_t olen, hlen;

		assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_OK);
		assert_int_equal(mox_dkim_signer_feed(s, U(rfc_msg),
		    strlen(rfc_msg)), MOX_OK);
		assert_int_equal(dkim_signer_finish_template(s,
		    U(c[i].tmpl), strlen(c[i].tmpl), &out, &olen), MOX_OK);
		h = dkim_signer_body_hash(s, &hlen);
		assert_non_null(h);
		dkim_b64_encode(bh, h, hlen);
		assert_string_equal(bh,
		    "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
		assert_int_equal(olen, strlen(c[i].tmpl) + strlen(c[i].b) + 2);
		assert_memory_equal(out, c[i].tmpl, strlen(c[i].tmpl));
		assert_string_equal(out + strlen(c[i].tmpl) + strlen(c[i].b),
		    "\r\n");
		assert_memory_equal(out + strlen(c[i].tmpl), c[i].b,
		    strlen(c[i].b));
		memcpy(signed_msg + n, out, olen);
		n += olen;
		mox_dkim_free(out);
		mox_dkim_signer_free(s);
	}
	/* And what we made verifies. */
	{
		mox_dkim_verify_options vo = MOX_DKIM_VERIFY_OPTIONS_INIT;
		mox_dkim_result res[2];

		memcpy(signed_msg + n, rfc_msg, strlen(rfc_msg));
		n += strlen(rfc_msg);
		vo.now = RFC_T;
		assert_int_equal(verify_msg(f->r, &vo, U(signed_msg), n, res,
		    2), 2);
		assert_int_equal(res[0].verdict, MOX_DKIM_PASS);
		assert_int_equal(res[1].verdict, MOX_DKIM_PASS);
		release_all(res, 2);
	}
	/* A template whose b= is not last, or not empty, is refused. */
	{
		mox_dkim_sign_options o = opts_for(f->ed);
		mox_dkim_signer *s;
		char *out = NULL;
		static const char bad[] = "DKIM-Signature: v=1; "
		    "a=ed25519-sha256; d=football.example.com; s=brisbane; "
		    "h=from; b=; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";

		assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_OK);
		assert_int_equal(dkim_signer_finish_template(s, U(bad),
		    strlen(bad), &out, NULL), MOX_ESYNTAX);
		assert_null(out);
		mox_dkim_signer_free(s);
	}
}

/* Bodies that exercise the canonicalizations. */
static const char *const bodies[] = {
	"",
	"\r\n",
	"\r\n\r\n\r\n",
	"Hello\r\n",
	"Hello",
	"Hello\r\n\r\n\r\n\r\n",
	"  leading and   inner \t runs\t \r\n\ttab line \r\n \r\n",
	"trailing ws on last line   ",
	"bare\nLF\nlines\n\n\n",
	"mixed\r\nends\nand a bare\rCR\r\n",
	"8-bit: \xc3\xa9\xe2\x82\xac \xff\xfe\r\n",
	" \t \r\n \t \r\n",
	"CR at end\r",
	"--\r\n.\r\n..\r\nFrom x\r\n",
};

static void
test_roundtrip(void **state)
{
	struct fx *f = *state;
	const mox_dkim_key *keys[2] = { f->ed, f->rsa };
	char msg[8192], *longline;
	size_t ki, bi, hc, bc;

	longline = malloc(3000);
	memset(longline, 'x', 2999);
	for (size_t i = 100; i < 2999; i += 97)
		longline[i] = ' ';
	longline[2999] = 0;
	for (ki = 0; ki < 2; ki++) {
		for (bi = 0; bi <= sizeof(bodies) / sizeof(bodies[0]); bi++) {
			const char *body = bi < sizeof(bodies) /
			    sizeof(bodies[0]) ? bodies[bi] : longline;
			int n = snprintf(msg, sizeof(msg),
			    "From: a@football.example.com\r\n"
			    "Subject:  spaced \t subject  \r\n"
			    "To: b@example.org,\r\n\tc@example.org\r\n"
			    "\r\n%s", body);

			for (hc = 0; hc < 2; hc++) {
				for (bc = 0; bc < 2; bc++) {
					mox_dkim_sign_options o =
					    opts_for(keys[ki]);
					char *sig, reason[128];
					int v;

					o.header_canon = (int)hc;
					o.body_canon = (int)bc;
					sig = sign(&o, msg, (size_t)n);
					v = check(f, sig, msg, (size_t)n, 0,
					    reason);
					if (v != MOX_DKIM_PASS)
						fail_msg("key %zu body %zu "
						    "c=%zu/%zu: %s", ki, bi, hc,
						    bc, reason);
					/* Appending a visible line breaks
					 * it. */
					{
						char m2[8300];
						int n2 = snprintf(m2,
						    sizeof(m2), "%sX\r\n", msg);

						assert_int_equal(check(f, sig,
						    m2, (size_t)n2, 0, reason),
						    MOX_DKIM_FAIL);
						assert_string_equal(reason,
						    "body hash mismatch");
					}
					mox_dkim_free(sig);
				}
			}
		}
	}
	free(longline);
}

static void
test_header_selection(void **state)
{
	struct fx *f = *state;
	static const char msg[] =
	    "Received: from a\r\n"
	    "From: a@football.example.com\r\n"
	    "To: x@example.org\r\n"
	    "Received: from b\r\n"
	    "To: y@example.org\r\n"
	    "Subject: s\r\n"
	    "X-Other: o\r\n"
	    "\r\n"
	    "body\r\n";
	mox_dkim_sign_options o = opts_for(f->ed);
	const char *hdrs[] = { "from", "Received", "X-Missing", "to" };
	const char *over[] = { "to" };
	char *sig, *h, reason[128];

	/* Default list: present names, each as often as present, plus one
	 * for oversigned ones. */
	sig = sign(&o, msg, strlen(msg));
	h = tag_value(sig, "h");
	assert_string_equal(h, "From:From:To:To:To:Subject:Subject");
	free(h);
	assert_int_equal(check(f, sig, msg, strlen(msg), 0, reason),
	    MOX_DKIM_PASS);
	/* Adding another oversigned field breaks it; another field of a
	 * name not signed does not. */
	{
		char m2[512];
		int n;

		n = snprintf(m2, sizeof(m2), "Subject: another\r\n%s", msg);
		assert_int_equal(check(f, sig, m2, (size_t)n, 0, reason),
		    MOX_DKIM_FAIL);
		assert_string_equal(reason, "signature mismatch");
		n = snprintf(m2, sizeof(m2), "X-New: n\r\nReceived: c\r\n%s",
		    msg);
		assert_int_equal(check(f, sig, m2, (size_t)n, 0, reason),
		    MOX_DKIM_PASS);
	}
	mox_dkim_free(sig);

	/* Explicit list: absent names listed once, oversign given. */
	o.headers = hdrs;
	o.nheaders = 4;
	o.oversign = over;
	o.noversign = 1;
	sig = sign(&o, msg, strlen(msg));
	h = tag_value(sig, "h");
	assert_string_equal(h, "from:Received:Received:X-Missing:to:to:to");
	free(h);
	assert_int_equal(check(f, sig, msg, strlen(msg), 0, reason),
	    MOX_DKIM_PASS);
	{
		/* The absent field was signed as absent. */
		char m2[512];
		int n = snprintf(m2, sizeof(m2), "X-Missing: now\r\n%s", msg);

		assert_int_equal(check(f, sig, m2, (size_t)n, 0, reason),
		    MOX_DKIM_FAIL);
	}
	mox_dkim_free(sig);

	/* No oversigning at all. */
	o.headers = NULL;
	o.nheaders = 0;
	o.oversign = over;
	o.noversign = 0;
	sig = sign(&o, msg, strlen(msg));
	h = tag_value(sig, "h");
	assert_string_equal(h, "From:To:To:Subject");
	free(h);
	mox_dkim_free(sig);
}

static void
test_tags_and_folding(void **state)
{
	struct fx *f = *state;
	mox_dkim_sign_options o = opts_for(f->rsa);
	mox_dkim_signature *s = NULL;
	char *sig, *p, *line, reason[128];
	size_t n = 0;

	o.identity = "joe;x y@sub.football.example.com";
	o.expiration = 3600;
	o.body_length = true;
	o.header_canon = MOX_DKIM_SIMPLE;
	sig = sign(&o, rfc_msg, strlen(rfc_msg));
	/* Folded at 78 columns, continuation lines start with a tab,
	 * CRLF only, ends in CRLF. */
	assert_true(strncmp(sig, "DKIM-Signature: v=1; a=rsa-sha256; "
	    "c=simple/relaxed; d=football.example.com;", 75) == 0);
	assert_string_equal(sig + strlen(sig) - 2, "\r\n");
	for (line = sig; *line != '\0'; line = p + 2) {
		p = strstr(line, "\r\n");
		assert_non_null(p);
		assert_true(p - line <= 78);
		assert_null(memchr(line, '\n', (size_t)(p - line)));
		if (line != sig)
			assert_int_equal(line[0], '\t');
		n++;
	}
	assert_true(n >= 4);
	p = strchr(sig, ':');
	assert_int_equal(mox_dkim_signature_parse(&s, U(p + 1),
	    strlen(p + 1) - 2, NULL), MOX_OK);
	assert_string_equal(s->identity, "joe;x y@sub.football.example.com");
	assert_true(s->has_timestamp);
	assert_int_equal(s->timestamp, RFC_T);
	assert_true(s->has_expiration);
	assert_int_equal(s->expiration, RFC_T + 3600);
	assert_true(s->has_length);
	assert_int_equal(s->length, 54); /* the relaxed body */
	assert_int_equal(s->header_canon, MOX_DKIM_SIMPLE);
	assert_int_equal(s->body_canon, MOX_DKIM_RELAXED);
	assert_int_equal(s->b_len, 128);
	assert_non_null(strstr(sig, "i=joe=3Bx=20y@sub.football.example.com"));
	mox_dkim_signature_free(s);
	/* l= signatures verify only when allowed. */
	assert_int_equal(check(f, sig, rfc_msg, strlen(rfc_msg),
	    MOX_DKIM_VERIFY_ALLOW_LENGTH, reason), MOX_DKIM_PASS);
	assert_int_equal(check(f, sig, rfc_msg, strlen(rfc_msg), 0, reason),
	    MOX_DKIM_POLICY);
	assert_string_equal(reason, "l= not allowed");
	mox_dkim_free(sig);

	/* No t=: timestamp -1. */
	o = opts_for(f->ed);
	o.timestamp = -1;
	sig = sign(&o, rfc_msg, strlen(rfc_msg));
	assert_null(strstr(sig, " t="));
	assert_null(strstr(sig, " x="));
	assert_null(strstr(sig, " i="));
	mox_dkim_free(sig);

	/* A UTF-8 domain becomes A-labels. */
	o = opts_for(f->ed);
	o.domain = "b\xc3\xbc" "cher.example";
	o.identity = "@b\xc3\xbc" "cher.example";
	sig = sign(&o, rfc_msg, strlen(rfc_msg));
	assert_non_null(strstr(sig, "d=xn--bcher-kva.example;"));
	assert_non_null(strstr(sig, "i=@xn--bcher-kva.example;"));
	mox_dkim_free(sig);
}

static void
test_deterministic(void **state)
{
	struct fx *f = *state;
	const mox_dkim_key *keys[2] = { f->ed, f->rsa };
	size_t i;

	for (i = 0; i < 2; i++) {
		mox_dkim_sign_options o = opts_for(keys[i]);
		char *a = sign(&o, rfc_msg, strlen(rfc_msg));
		char *b = sign(&o, rfc_msg, strlen(rfc_msg));

		assert_string_equal(a, b);
		mox_dkim_free(a);
		mox_dkim_free(b);
	}
}

/* A message with bare LF signs like the same one with CRLF. */
static void
test_bare_lf(void **state)
{
	struct fx *f = *state;
	mox_dkim_sign_options o = opts_for(f->ed);
	char lf[1024], *a, *b, reason[128];
	size_t i, n = 0;

	for (i = 0; rfc_msg[i] != '\0'; i++) {
		if (rfc_msg[i] != '\r')
			lf[n++] = rfc_msg[i];
	}
	lf[n] = 0;
	for (int c = 0; c < 4; c++) {
		o.header_canon = c & 1;
		o.body_canon = c >> 1;
		a = sign(&o, rfc_msg, strlen(rfc_msg));
		b = sign(&o, lf, n);
		assert_string_equal(a, b);
		assert_int_equal(check(f, b, lf, n, 0, reason), MOX_DKIM_PASS);
		mox_dkim_free(a);
		mox_dkim_free(b);
	}
}

static char *
sign_chunked(const mox_dkim_sign_options *o, const char *msg, size_t len,
    size_t chunk, unsigned int seed)
{
	mox_dkim_signer *s;
	char *out = NULL;
	size_t pos = 0;

	assert_int_equal(mox_dkim_signer_new(&s, o), MOX_OK);
	while (pos < len) {
		size_t n = chunk;

		if (chunk == 0) {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 8) % 700;
		}
		if (n > len - pos)
			n = len - pos;
		assert_int_equal(mox_dkim_signer_feed(s, U(msg + pos), n),
		    MOX_OK);
		pos += n;
	}
	assert_int_equal(mox_dkim_signer_feed(s, NULL, 0), MOX_OK);
	assert_int_equal(mox_dkim_signer_finish(s, &out, NULL), MOX_OK);
	mox_dkim_signer_free(s);
	return out;
}

static void
test_streaming(void **state)
{
	struct fx *f = *state;
	static const char msg[] =
	    "From: a@football.example.com\r\nSubject: x\r\n"
	    "To: y\n\t z\r\n\r\n  a  b \r\n\r\n\rc\r\n\r\n\r\n";
	mox_dkim_sign_options o = opts_for(f->ed);
	char *whole, *big;
	size_t c, i, blen;

	for (int canon = 0; canon < 4; canon++) {
		o.header_canon = canon & 1;
		o.body_canon = canon >> 1;
		o.body_length = canon == 3;
		whole = sign(&o, msg, strlen(msg));
		for (c = 1; c <= strlen(msg); c++) {
			char *part = sign_chunked(&o, msg, strlen(msg), c, 0);

			if (strcmp(part, whole) != 0)
				fail_msg("canon %d chunk %zu differs", canon,
				    c);
			mox_dkim_free(part);
		}
		mox_dkim_free(whole);
	}
	/* A larger message in random splits. */
	blen = 200000;
	big = malloc(blen + 1);
	i = (size_t)snprintf(big, blen, "From: a@football.example.com\r\n"
	    "Subject: big\r\n\r\n");
	for (unsigned int seed = 7; i < blen; i++) {
		seed = seed * 1103515245u + 12345u;
		big[i] = " \t\r\nab\r\n"[(seed >> 16) % 8];
	}
	big[blen] = 0;
	o = opts_for(f->rsa);
	whole = sign(&o, big, blen);
	for (unsigned int seed = 1; seed < 20; seed++) {
		char *part = sign_chunked(&o, big, blen, 0, seed);

		assert_string_equal(part, whole);
		mox_dkim_free(part);
	}
	{
		char reason[128];

		assert_int_equal(check(f, whole, big, blen, 0, reason),
		    MOX_DKIM_PASS);
	}
	mox_dkim_free(whole);
	free(big);
}

static void
test_errors(void **state)
{
	struct fx *f = *state;
	mox_dkim_sign_options o = opts_for(f->ed);
	mox_dkim_signer *s = (mox_dkim_signer *)1;
	const char *nofrom[] = { "To", "Subject" };
	const char *badname[] = { "From", "Bad Name" };
	char *out = (char *)1;
	uint8_t *big;

	assert_int_equal(mox_dkim_signer_new(NULL, &o), MOX_EINVAL);
	assert_int_equal(mox_dkim_signer_new(&s, NULL), MOX_EINVAL);
	assert_null(s);
	o.version = 0;
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EVERSION);
	o.version = 2;
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EVERSION);
	o = opts_for(f->ed);
	o.domain = NULL;
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o = opts_for(f->ed);
	o.key = NULL;
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o = opts_for(f->ed);
	o.domain = "bad..domain";
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o = opts_for(f->ed);
	o.identity = "joe@example.org";
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o.identity = "no-at-sign";
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o.identity = "joe@xfootball.example.com";
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o = opts_for(f->ed);
	o.headers = nofrom;
	o.nheaders = 2;
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o.headers = badname;
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o = opts_for(f->ed);
	o.header_canon = 7;
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);
	o = opts_for(f->ed);
	o.expiration = -5;
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_EINVAL);

	/* No From field in the message (RFC 6376 5.4). */
	o = opts_for(f->ed);
	assert_int_equal(mox_dkim_sign(&out, NULL, &o,
	    U("To: x\r\n\r\nbody\r\n"), 16), MOX_ESYNTAX);
	assert_null(out);
	/* Only a header, no body, no final line end. */
	out = sign(&o, "From: a@b.example", 17);
	mox_dkim_free(out);

	/* States. */
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_OK);
	assert_int_equal(mox_dkim_signer_feed(s, NULL, 1), MOX_EINVAL);
	assert_int_equal(mox_dkim_signer_feed(NULL, U("x"), 1), MOX_EINVAL);
	assert_int_equal(mox_dkim_signer_feed(s, U(rfc_msg), strlen(rfc_msg)),
	    MOX_OK);
	assert_int_equal(mox_dkim_signer_finish(s, NULL, NULL), MOX_EINVAL);
	assert_int_equal(mox_dkim_signer_finish(s, &out, NULL), MOX_OK);
	mox_dkim_free(out);
	assert_int_equal(mox_dkim_signer_finish(s, &out, NULL), MOX_ESTATE);
	assert_null(out);
	assert_int_equal(mox_dkim_signer_feed(s, U("x"), 1), MOX_ESTATE);
	mox_dkim_signer_free(s);
	mox_dkim_signer_free(NULL);

	/* A header section over 1 MiB. */
	big = malloc(DKIM_SIGNER_HEADER_MAX + 100);
	memset(big, 'a', DKIM_SIGNER_HEADER_MAX + 100);
	memcpy(big, "From: ", 6);
	assert_int_equal(mox_dkim_signer_new(&s, &o), MOX_OK);
	assert_int_equal(mox_dkim_signer_feed(s, big, 1000), MOX_OK);
	assert_int_equal(mox_dkim_signer_feed(s, big + 1000,
	    DKIM_SIGNER_HEADER_MAX - 900), MOX_ELIMIT);
	assert_int_equal(mox_dkim_signer_feed(s, U("x"), 1), MOX_ELIMIT);
	assert_int_equal(mox_dkim_signer_finish(s, &out, NULL), MOX_ELIMIT);
	mox_dkim_signer_free(s);
	free(big);
}

static void
test_alloc_failures(void **state)
{
	struct fx *f = *state;
	const mox_dkim_key *keys[2] = { f->ed, f->rsa };
	unsigned long n;
	size_t k;

	for (k = 0; k < 2; k++) {
		mox_dkim_sign_options o = opts_for(keys[k]);
		char *ref = sign(&o, rfc_msg, strlen(rfc_msg));
		int rc = MOX_ENOMEM;

		o.identity = "a b@football.example.com";
		o.body_length = true;
		mox_dkim_free(ref);
		ref = sign(&o, rfc_msg, strlen(rfc_msg));
		for (n = 1; n < 1000; n++) {
			char *out = NULL;

			mox__fail_at = n;
			rc = mox_dkim_sign(&out, NULL, &o, U(rfc_msg),
			    strlen(rfc_msg));
			mox__fail_at = 0;
			if (rc == MOX_OK) {
				assert_string_equal(out, ref);
				mox_dkim_free(out);
				break;
			}
			assert_int_equal(rc, MOX_ENOMEM);
			assert_null(out);
		}
		assert_int_equal(rc, MOX_OK);
		assert_true(n > 5);
		mox_dkim_free(ref);
	}
}

struct thread_arg {
	const mox_dkim_key *k;
	const char *want;
	int bad;
};

static void *
sign_thread(void *p)
{
	struct thread_arg *a = p;
	int i;

	for (i = 0; i < 25; i++) {
		mox_dkim_sign_options o = opts_for(a->k);
		char *out = NULL;

		if (mox_dkim_sign(&out, NULL, &o, U(rfc_msg), strlen(rfc_msg)) !=
		    MOX_OK || strcmp(out, a->want) != 0)
			a->bad++;
		mox_dkim_free(out);
	}
	return NULL;
}

/* One key, many signers on several threads at once: the key's context or
 * a copy of it, the same signatures. */
static void
test_threads(void **state)
{
	struct fx *f = *state;
	const mox_dkim_key *keys[2] = { f->ed, f->rsa };
	size_t k, i;

	for (k = 0; k < 2; k++) {
		mox_dkim_sign_options o = opts_for(keys[k]);
		struct thread_arg a[4];
		pthread_t t[4];
		char *want = sign(&o, rfc_msg, strlen(rfc_msg));

		for (i = 0; i < 4; i++) {
			a[i].k = keys[k];
			a[i].want = want;
			a[i].bad = 0;
			assert_int_equal(pthread_create(&t[i], NULL, sign_thread,
			    &a[i]), 0);
		}
		for (i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			assert_int_equal(a[i].bad, 0);
		}
		mox_dkim_free(want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8463_resign),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_header_selection),
		cmocka_unit_test(test_tags_and_folding),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
