/* SPDX-License-Identifier: MIT */
/*
 * dkimpy's test data (Debian's python3-dkim, read from the installed
 * package; skipped when it is not installed): the same messages, keys
 * and DNS records as dkimpy's test_dkim.py, test_dkim_ed25519.py and
 * test_dkim_rsavariants.py, with the verdicts those tests expect.
 * Internal test (dkim-int.h for base64).
 */
#include "helpers.h"

#include "dkim-int.h"

#ifndef DKIMPY_DATA_DIR
#define DKIMPY_DATA_DIR "/usr/lib/python3/dist-packages/dkim/tests/data"
#endif

/* The key test_dkim.py's dnsfunc gives for 20120113._domainkey.gmail.com
 * (a public DNS record, for test2.message). */
static const char gmail_key[] = "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMI"
    "IBCgKCAQEA1Kd87/UeJjenpabgbFwh+eBCsSTrqmwIYYvywlbhbqoo2DymndFkbjOVIPIl"
    "dNs/m40KF+yzMn1skyoxcTUGCQs8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3SD07y2+"
    "07wlNWwIt8svnxgdxGkVbbhzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx"
    "4xYSIc9oSwVmAl5OctMEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NO"
    "ZK9vlfuac0598HY+vtSBczUiKERHv1yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY"
    "/wIDAQAB";
/* dnsfunc6's defective key for test._domainkey.football.example.com. */
static const char broken_key[] = "k=rsa; p=MFwwDQYJKoZIhvNAQEBBQADSwAwSAJBA"
    "NmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4"
    "WrbVTK5Gg5tW220MCAwEAAQ==";
static const char brisbane_key[] = "v=DKIM1; k=ed25519; "
    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
static const char example_net_key[] = "v=DKIM1; k=ed25519; "
    "p=yi50DjK5O9pqbFpNHklsv9lqaS0ArSYu02qp1S0DW1Y=";

static uint8_t *
pydata(const char *name, size_t *len)
{
	char path[1024];
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/%s", DKIMPY_DATA_DIR, name);
	p = read_path(path, len);
	if (p == NULL)
		fail_msg("cannot read %s", path);
	return p;
}

/* A record's text without its final line end. */
static char *
pyrecord(const char *name)
{
	size_t len;
	char *p = (char *)pydata(name, &len);

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		p[--len] = 0;
	return p;
}

static void
zone_add(char *z, size_t cap, const char *name, const char *text)
{
	size_t n = strlen(z), i, len = strlen(text);

	n += (size_t)snprintf(z + n, cap - n, "%s 300 IN TXT (", name);
	for (i = 0; i < len; i += 200)
		n += (size_t)snprintf(z + n, cap - n, " \"%.200s\"", text + i);
	snprintf(z + n, cap - n, " )\n");
}

/* An Ed25519 key from a base64 seed, as dkimpy's .key files hold. */
static mox_dkim_key *
seed_key(const char *file)
{
	static const uint8_t prefix[] = { 0x30, 0x2e, 0x02, 0x01, 0x00, 0x30,
		0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
	mox__arena a = MOX__ARENA_INIT;
	uint8_t der[48], *seed;
	char pem[160], b64[80];
	size_t len, n;
	uint8_t *p = pydata(file, &len);
	mox_dkim_key *k = NULL;

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	assert_int_equal(dkim_b64_decode(&a, p, len, &seed, &n, NULL), MOX_OK);
	assert_int_equal(n, 32);
	memcpy(der, prefix, sizeof(prefix));
	memcpy(der + sizeof(prefix), seed, 32);
	dkim_b64_encode(b64, der, sizeof(der));
	snprintf(pem, sizeof(pem), "-----BEGIN PRIVATE KEY-----\n%s\n"
	    "-----END PRIVATE KEY-----\n", b64);
	assert_int_equal(mox_dkim_key_from_pem(&k, U(pem), strlen(pem)),
	    MOX_OK);
	mox__arena_free(&a);
	free(p);
	return k;
}

static mox_dkim_key *
pem_key(const char *file)
{
	size_t len;
	uint8_t *p = pydata(file, &len);
	mox_dkim_key *k = NULL;

	assert_int_equal(mox_dkim_key_from_pem(&k, p, len), MOX_OK);
	free(p);
	return k;
}

/* Verdicts of all signatures of msg. */
static size_t
verdicts(mox_resolver *r, unsigned int flags, const uint8_t *msg,
    size_t len, int *out, size_t max)
{
	mox_dkim_verify_options vo = MOX_DKIM_VERIFY_OPTIONS_INIT;
	mox_dkim_result res[8];
	size_t n, i;

	vo.flags = flags;
	/* dkimpy verifies with minkey=1024 by default, as we do. */
	n = verify_msg(r, &vo, msg, len, res, 8);
	for (i = 0; i < n && i < 8; i++) {
		if (i < max)
			out[i] = res[i].verdict;
	}
	release_all(res, n < 8 ? n : 8);
	return n;
}

static char *
sign_msg(const mox_dkim_key *k, const char *sel, const char *dom, int hc,
    int bc, bool length, const uint8_t *msg, size_t len)
{
	mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;
	char *sig = NULL;

	o.domain = dom;
	o.selector = sel;
	o.key = k;
	o.header_canon = hc;
	o.body_canon = bc;
	o.body_length = length;
	assert_int_equal(mox_dkim_sign(&sig, NULL, &o, msg, len), MOX_OK);
	return sig;
}

/* Sign msg and check the verdict of sig + msg, all four
 * canonicalizations. */
static void
sign_and_verify(mox_resolver *r, const mox_dkim_key *k, const char *sel,
    const char *dom, const char *file, int want)
{
	size_t len, mlen;
	uint8_t *msg = pydata(file, &len);
	int c;

	for (c = 0; c < 4; c++) {
		char *sig = sign_msg(k, sel, dom, c & 1, c >> 1, false, msg, len);
		uint8_t *m = concat(sig, strlen(sig), msg, len, &mlen);
		int v[2];

		assert_int_equal(verdicts(r, 0, m, mlen, v, 1), 1);
		if (v[0] != want)
			fail_msg("%s %s: %s", sel, file,
			    mox_dkim_verdict_name(v[0]));
		free(m);
		mox_dkim_free(sig);
	}
	free(msg);
}

static bool
have_dkimpy(void)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/test.message", DKIMPY_DATA_DIR);
	f = fopen(path, "rb");
	if (f == NULL)
		return false;
	fclose(f);
	return true;
}

#define NEED_DKIMPY()                                                       \
	do {                                                                \
		if (!have_dkimpy())                                         \
			skip();                                             \
	} while (0)

/* Messages signed by others. */
static void
test_verify_published(void **state)
{
	char z[8192] = "", *rec;
	mox_resolver *r;
	size_t len;
	uint8_t *m;
	int v[4];

	(void)state;
	NEED_DKIMPY();
	rec = pyrecord("test.txt");
	zone_add(z, sizeof(z), "test._domainkey.football.example.com.", rec);
	free(rec);
	zone_add(z, sizeof(z), "brisbane._domainkey.football.example.com.",
	    brisbane_key);
	zone_add(z, sizeof(z), "20120113._domainkey.gmail.com.", gmail_key);
	rec = pyrecord("eximtest.dns");
	zone_add(z, sizeof(z), "sed._domainkey.test.ex.", rec);
	free(rec);
	rec = pyrecord("test.txt");
	zone_add(z, sizeof(z), "test._domainkey.legitimate.com.", rec);
	free(rec);
	r = zone_resolver(z);

	/* test_rfc8032_previous_verifies, test_double_previous_verifies:
	 * ed25519-sha256 and rsa-sha256, simple/simple, LF line ends. */
	m = pydata("rfc6376.signed.msg", &len);
	assert_int_equal(verdicts(r, 0, m, len, v, 4), 2);
	assert_int_equal(v[0], MOX_DKIM_PASS);
	assert_int_equal(v[1], MOX_DKIM_PASS);
	free(m);
	/* test_degenerate_folding: gmail, relaxed/relaxed. */
	m = pydata("test2.message", &len);
	assert_int_equal(verdicts(r, 0, m, len, v, 4), 1);
	assert_int_equal(v[0], MOX_DKIM_PASS);
	free(m);
	/* test_verify_third_party: Exim's ed25519-sha256, CRLF. */
	m = pydata("ed25519test2.msg", &len);
	assert_int_equal(verdicts(r, 0, m, len, v, 4), 1);
	assert_int_equal(v[0], MOX_DKIM_PASS);
	free(m);
	/* test_invalid_domain_verify: d=legitimate.com(.attacker.com. */
	m = pydata("test.message.baddomain", &len);
	assert_int_equal(verdicts(r, 0, m, len, v, 4), 1);
	assert_int_equal(v[0], MOX_DKIM_PERMERROR);
	free(m);
	/* test_verifies_nosig, test_non_utf8: no signature at all. */
	m = pydata("test.message", &len);
	assert_int_equal(verdicts(r, 0, m, len, v, 4), 0);
	free(m);
	m = pydata("rfc6376.w1258.msg", &len);
	assert_int_equal(verdicts(r, 0, m, len, v, 4), 0);
	free(m);
	/* message.mbox: kitterman.com's key is not in the zone. */
	m = pydata("message.mbox", &len);
	assert_int_equal(verdicts(r, 0, m, len, v, 4), 1);
	assert_int_equal(v[0], MOX_DKIM_PERMERROR);
	free(m);
	mox_resolver_free(r);

	/* test_catch_bad_key: dnsfunc6's defective key. */
	z[0] = 0;
	zone_add(z, sizeof(z), "test._domainkey.football.example.com.",
	    broken_key);
	r = zone_resolver(z);
	m = pydata("rfc6376.signed.rsa.msg", &len);
	assert_int_equal(verdicts(r, 0, m, len, v, 4), 1);
	assert_int_equal(v[0], MOX_DKIM_PERMERROR);
	free(m);
	mox_resolver_free(r);
}

/* test_verifies, test_implicit_k, test_bad_version, test_unknown_k and
 * the RSA key variants: dkimpy's private keys, our signer. */
static void
test_sign_rsa_keys(void **state)
{
	static const struct {
		const char *key, *record;
		int want;
	} cases[] = {
		{ "test.private", "test.txt", MOX_DKIM_PASS },
		{ "test.private", "test2.txt", MOX_DKIM_PASS },
		{ "test2.private", "test.txt", MOX_DKIM_PASS },
		{ "test.private", "badversion.txt", MOX_DKIM_PERMERROR },
		{ "test.private", "badk.txt", MOX_DKIM_PERMERROR },
		{ "test.private", "test_tlsrpt.txt", MOX_DKIM_PERMERROR },
		/* A key whose DER is cut short (not used by dkimpy's
		 * tests). */
		{ "test.private", "test_bad.txt", MOX_DKIM_PERMERROR },
		{ "1024_testkey.key", "1024_testkey_wo_markers.pub.txt",
		  MOX_DKIM_PASS },
		{ "1024_testkey.key", "1024_testkey_wo_markers.pub.rsa.txt",
		  MOX_DKIM_PASS },
		{ "2048_testkey.key", "2048_testkey_wo_markers.pub.txt",
		  MOX_DKIM_PASS },
		{ "2048_testkey.key", "2048_testkey_wo_markers.pub.rsa.txt",
		  MOX_DKIM_PASS },
		{ "2048_testkey_PKCS8.key", "2048_testkey_PKCS8.key.pub.txt",
		  MOX_DKIM_PASS },
	};
	size_t i;

	(void)state;
	NEED_DKIMPY();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char z[4096] = "", *rec = pyrecord(cases[i].record);
		mox_dkim_key *k = pem_key(cases[i].key);
		mox_resolver *r;

		zone_add(z, sizeof(z), "test._domainkey.example.com.", rec);
		r = zone_resolver(z);
		sign_and_verify(r, k, "test", "example.com", "test.message",
		    cases[i].want);
		mox_resolver_free(r);
		mox_dkim_key_free(k);
		free(rec);
	}
}

static void
test_sign_ed25519_keys(void **state)
{
	char z[4096] = "";
	mox_resolver *r;
	mox_dkim_key *k;
	char *t = NULL;

	(void)state;
	NEED_DKIMPY();
	zone_add(z, sizeof(z), "test._domainkey.example.net.", example_net_key);
	zone_add(z, sizeof(z), "brisbane._domainkey.football.example.com.",
	    brisbane_key);
	r = zone_resolver(z);
	/* test_verifies (ed25519). */
	k = seed_key("ed25519test.key");
	assert_int_equal(mox_dkim_key_txt(&t, NULL, k, false), MOX_OK);
	assert_string_equal(t, example_net_key);
	mox_dkim_free(t);
	sign_and_verify(r, k, "test", "example.net", "ed25519test.msg",
	    MOX_DKIM_PASS);
	mox_dkim_key_free(k);
	/* test_rfc8032_verifies: RFC 8032 7.1's key. */
	k = seed_key("rfc8032_7_1.key");
	sign_and_verify(r, k, "brisbane", "football.example.com",
	    "rfc6376.msg", MOX_DKIM_PASS);
	mox_dkim_key_free(k);
	mox_resolver_free(r);
}

/* test_multiple_from_fails, test_altered_body_fails, test_l_verify,
 * test_add_body_length, test_no_from_fails, test_extra_headers,
 * test_dkim_signature_canonicalization, test_verifies_lflinesep. */
static void
test_modifications(void **state)
{
	char z[4096] = "", *rec, *sig, buf[8192];
	mox_dkim_key *k;
	mox_resolver *r;
	size_t len, n;
	uint8_t *msg, *sep;
	int v[4], c;

	(void)state;
	NEED_DKIMPY();
	rec = pyrecord("test.txt");
	zone_add(z, sizeof(z), "test._domainkey.example.com.", rec);
	free(rec);
	r = zone_resolver(z);
	k = pem_key("test.private");
	msg = pydata("test.message", &len);
	sep = (uint8_t *)strstr((char *)msg, "\n\n");
	assert_non_null(sep);

	for (c = 0; c < 4; c++) {
		size_t hl = (size_t)(sep - msg);

		sig = sign_msg(k, "test", "example.com", c & 1, c >> 1, false,
		    msg, len);
		/* An unknown field added: still verifies. */
		n = (size_t)snprintf(buf, sizeof(buf), "%s%.*s\r\nX-Foo: bar%s",
		    sig, (int)hl, (char *)msg, (char *)sep);
		assert_int_equal(verdicts(r, 0, U(buf), n, v, 1), 1);
		assert_int_equal(v[0], MOX_DKIM_PASS);
		/* Another From at the end, or at the front: fails. */
		n = (size_t)snprintf(buf, sizeof(buf), "%s%.*s\r\nFrom: \"Resi"
		    "dent Evil\" <sales@spammer.com>%s", sig, (int)hl,
		    (char *)msg, (char *)sep);
		assert_int_equal(verdicts(r, 0, U(buf), n, v, 1), 1);
		assert_int_equal(v[0], MOX_DKIM_FAIL);
		n = (size_t)snprintf(buf, sizeof(buf), "%sFrom: \"Resident Evil"
		    "\" <sales@spammer.com>\r\n%s", sig, (char *)msg);
		assert_int_equal(verdicts(r, 0, U(buf), n, v, 1), 1);
		assert_int_equal(v[0], MOX_DKIM_FAIL);
		/* Body altered: fails. */
		n = (size_t)snprintf(buf, sizeof(buf), "%s%sfoo", sig,
		    (char *)msg);
		assert_int_equal(verdicts(r, 0, U(buf), n, v, 1), 1);
		assert_int_equal(v[0], MOX_DKIM_FAIL);
		/* The signature with LF line ends, as dkimpy's linesep. */
		{
			size_t i, o = 0;

			for (i = 0; sig[i] != '\0'; i++) {
				if (sig[i] != '\r')
					buf[o++] = sig[i];
			}
			memcpy(buf + o, msg, len);
			assert_int_equal(verdicts(r, 0, U(buf), o + len, v, 1),
			    1);
			assert_int_equal(v[0], MOX_DKIM_PASS);
		}
		/* Folding b= again changes nothing, also with simple
		 * header canonicalization. */
		{
			char *b = strstr(sig, " b=") + 3;
			size_t pre = (size_t)(b - sig) + 10;

			n = (size_t)snprintf(buf, sizeof(buf), "%.*s\r\n\t %s%s",
			    (int)pre, sig, sig + pre, (char *)msg);
			assert_int_equal(verdicts(r, 0, U(buf), n, v, 1), 1);
			assert_int_equal(v[0], MOX_DKIM_PASS);
		}
		mox_dkim_free(sig);

		/* l=: content added afterwards verifies when l= is
		 * accepted. */
		sig = sign_msg(k, "test", "example.com", c & 1, c >> 1, true,
		    msg, len);
		/* dkimpy's test_add_body_length: the canonical body. */
		assert_non_null(strstr(sig, " l=25;"));
		n = (size_t)snprintf(buf, sizeof(buf), "%s%sadded more text\n",
		    sig, (char *)msg);
		assert_int_equal(verdicts(r, MOX_DKIM_VERIFY_ALLOW_LENGTH,
		    U(buf), n, v, 1), 1);
		assert_int_equal(v[0], MOX_DKIM_PASS);
		assert_int_equal(verdicts(r, 0, U(buf), n, v, 1), 1);
		assert_int_equal(v[0], MOX_DKIM_POLICY);
		mox_dkim_free(sig);
	}
	free(msg);

	/* No From: no signature. */
	{
		mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;

		msg = pydata("test_nofrom.message", &len);
		o.domain = "example.com";
		o.selector = "test";
		o.key = k;
		sig = NULL;
		assert_int_equal(mox_dkim_sign(&sig, NULL, &o, msg, len),
		    MOX_ESYNTAX);
		assert_null(sig);
		free(msg);
	}

	/* All header fields signed, Received repeated (message.mbox). */
	{
		static const char *const names[] = { "Return-Path",
			"Delivered-To", "X-Envelope-To", "Received",
			"X-Virus-Check-By", "X-Spam-Status", "DKIM-Signature",
			"From", "To", "Subject", "Date", "Message-Id",
			"MIME-Version", "Content-Type" };
		mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;
		size_t mlen;
		uint8_t *m;

		msg = pydata("message.mbox", &len);
		o.domain = "example.com";
		o.selector = "test";
		o.key = k;
		o.headers = names;
		o.nheaders = sizeof(names) / sizeof(names[0]);
		for (c = 0; c < 4; c++) {
			o.header_canon = c & 1;
			o.body_canon = c >> 1;
			sig = NULL;
			assert_int_equal(mox_dkim_sign(&sig, NULL, &o, msg, len),
			    MOX_OK);
			assert_non_null(strstr(sig, "Received:Received:"));
			m = concat(sig, strlen(sig), msg, len, &mlen);
			assert_int_equal(verdicts(r, 0, m, mlen, v, 4), 2);
			assert_int_equal(v[0], MOX_DKIM_PASS);
			assert_int_equal(v[1], MOX_DKIM_PERMERROR);
			free(m);
			mox_dkim_free(sig);
		}
		free(msg);
	}
	mox_dkim_key_free(k);
	mox_resolver_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_published),
		cmocka_unit_test(test_sign_rsa_keys),
		cmocka_unit_test(test_sign_ed25519_keys),
		cmocka_unit_test(test_modifications),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
