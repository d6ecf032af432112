/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of keys: generation, PEM in (PKCS#8 RSA and Ed25519, PKCS#1
 * RSA; refusing encrypted and other keys) and out (PKCS#8, byte for byte
 * what OpenSSL writes), the TXT record that publishes a key, and
 * allocation failures. Internal test (mox__fail_at).
 */
#include "helpers.h"

#include "dkim-int.h"

static char *
to_pem(const mox_dkim_key *k)
{
	char *pem = NULL;
	size_t len = 0;

	assert_int_equal(mox_dkim_key_to_pem(&pem, &len, k), MOX_OK);
	assert_int_equal(strlen(pem), len);
	return pem;
}

static char *
txt(const mox_dkim_key *k, bool split)
{
	char *t = NULL;
	size_t len = 0;

	assert_int_equal(mox_dkim_key_txt(&t, &len, k, split), MOX_OK);
	assert_int_equal(strlen(t), len);
	return t;
}

/* Sign and verify a message with a key through a zone made from its TXT
 * record (split into strings). */
static void
sign_verify(const mox_dkim_key *k)
{
	static const char msg[] = "From: a@example.com\r\n\r\nHello\r\n";
	mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;
	char zone[4096], *t = txt(k, true), *sig = NULL;
	mox_resolver *r;
	uint8_t *m;
	size_t len;

	snprintf(zone, sizeof(zone), "s._domainkey.example.com. IN TXT %s\n",
	    t);
	r = zone_resolver(zone);
	o.domain = "example.com";
	o.selector = "s";
	o.key = k;
	assert_int_equal(mox_dkim_sign(&sig, NULL, &o, U(msg), strlen(msg)),
	    MOX_OK);
	m = concat(sig, strlen(sig), U(msg), strlen(msg), &len);
	assert_int_equal(verify_one(r, NULL, m, len, NULL, 0), MOX_DKIM_PASS);
	free(m);
	mox_dkim_free(sig);
	mox_dkim_free(t);
	mox_resolver_free(r);
}

static void
test_generate(void **state)
{
	mox_dkim_key *k = (mox_dkim_key *)1, *k2;
	char *pem, *pem2, *t, *p;

	(void)state;
	assert_int_equal(mox_dkim_key_generate(&k, MOX_DKIM_KEY_ED25519, 0),
	    MOX_OK);
	assert_int_equal(mox_dkim_key_get_type(k), MOX_DKIM_KEY_ED25519);
	assert_int_equal(mox_dkim_key_bits(k), 256);
	pem = to_pem(k);
	assert_true(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
	assert_int_equal(mox_dkim_key_from_pem(&k2, U(pem), strlen(pem)),
	    MOX_OK);
	pem2 = to_pem(k2);
	assert_string_equal(pem, pem2);
	t = txt(k, false);
	assert_true(strncmp(t, "v=DKIM1; k=ed25519; p=", 22) == 0);
	assert_int_equal(strlen(t), 22 + 44);
	sign_verify(k);
	sign_verify(k2);
	mox_dkim_free(t);
	mox_dkim_free(pem);
	mox_dkim_free(pem2);
	mox_dkim_key_free(k2);
	mox_dkim_key_free(k);

	assert_int_equal(mox_dkim_key_generate(&k, MOX_DKIM_KEY_RSA, 1024),
	    MOX_OK);
	assert_int_equal(mox_dkim_key_get_type(k), MOX_DKIM_KEY_RSA);
	assert_int_equal(mox_dkim_key_bits(k), 1024);
	pem = to_pem(k);
	assert_int_equal(mox_dkim_key_from_pem(&k2, U(pem), strlen(pem)),
	    MOX_OK);
	pem2 = to_pem(k2);
	assert_string_equal(pem, pem2);
	sign_verify(k2);
	mox_dkim_free(pem);
	mox_dkim_free(pem2);
	mox_dkim_key_free(k2);
	mox_dkim_key_free(k);

	assert_int_equal(mox_dkim_key_generate(&k, MOX_DKIM_KEY_RSA, 0),
	    MOX_OK);
	assert_int_equal(mox_dkim_key_bits(k), 2048);
	/* A 2048-bit record needs two character-strings. */
	t = txt(k, true);
	assert_int_equal(t[0], '"');
	p = strstr(t, "\" \"");
	assert_non_null(p);
	assert_int_equal(p - t - 1, 255);
	assert_null(strstr(p + 1, "\" \""));
	assert_true(strncmp(t, "\"v=DKIM1; h=sha256; p=MIIBIjANBgkqhkiG9w0BAQ"
	    "EFAAOCAQ8AMIIBCgKCAQEA", 64) == 0);
	sign_verify(k);
	mox_dkim_free(t);
	mox_dkim_key_free(k);

	assert_int_equal(mox_dkim_key_generate(&k, MOX_DKIM_KEY_RSA, 512),
	    MOX_EINVAL);
	assert_null(k);
	assert_int_equal(mox_dkim_key_generate(&k, MOX_DKIM_KEY_RSA, 2049),
	    MOX_EINVAL);
	assert_int_equal(mox_dkim_key_generate(&k, MOX_DKIM_KEY_RSA, 4104),
	    MOX_EINVAL);
	assert_int_equal(mox_dkim_key_generate(&k, 7, 0), MOX_EINVAL);
	assert_int_equal(mox_dkim_key_generate(NULL, MOX_DKIM_KEY_ED25519, 0),
	    MOX_EINVAL);
	mox_dkim_key_free(NULL);
	assert_int_equal(mox_dkim_key_get_type(NULL), MOX_DKIM_KEY_UNKNOWN);
	assert_int_equal(mox_dkim_key_bits(NULL), 0);
}

/* Our PKCS#8 output is what OpenSSL writes for the same key. */
static void
test_pem_identical(void **state)
{
	static const char *const files[] = { "rsa2048-pkcs8.pem",
		"rfc8463-ed25519.pem" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		size_t len;
		uint8_t *want = read_data(files[i], &len);
		mox_dkim_key *k = load_key(files[i]);
		char *pem = to_pem(k);

		assert_string_equal(pem, (char *)want);
		mox_dkim_free(pem);
		mox_dkim_key_free(k);
		free(want);
	}
}

static void
test_txt(void **state)
{
	mox_dkim_key *k;
	char *t;

	(void)state;
	/* RFC 8463 A.2. */
	k = load_key("rfc8463-ed25519.pem");
	t = txt(k, false);
	assert_string_equal(t,
	    "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
	mox_dkim_free(t);
	t = txt(k, true);
	assert_string_equal(t, "\"v=DKIM1; k=ed25519; "
	    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"");
	mox_dkim_free(t);
	mox_dkim_key_free(k);

	k = load_key("rfc8463-rsa.pem");
	assert_int_equal(mox_dkim_key_bits(k), 1024);
	t = txt(k, false);
	assert_string_equal(t, "v=DKIM1; h=sha256; p=MIGfMA0GCSqGSIb3DQEBAQUAA4"
	    "GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J"
	    "16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM"
	    "3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
	mox_dkim_free(t);
	mox_dkim_key_free(k);

	/* As OpenSSL writes the public key. */
	k = load_key("rsa512.pem");
	assert_int_equal(mox_dkim_key_bits(k), 512);
	t = txt(k, false);
	assert_string_equal(t, "v=DKIM1; h=sha256; p=MFwwDQYJKoZIhvcNAQEBBQADS"
	    "wAwSAJBALu6/Y/jZm00jtGIi87C2yAt2ladofuYh+fpVmMZ57Pa/Hvggj+Lh5pNNj"
	    "ed2rRqRz+tiyUVy86R7bj0njSp6okCAwEAAQ==");
	mox_dkim_free(t);
	mox_dkim_key_free(k);
	assert_int_equal(mox_dkim_key_txt(&t, NULL, NULL, false), MOX_EINVAL);
	assert_int_equal(mox_dkim_key_to_pem(&t, NULL, NULL), MOX_EINVAL);
}

static int
pem_rc(const char *text)
{
	mox_dkim_key *k = (mox_dkim_key *)1;
	int rc = mox_dkim_key_from_pem(&k, U(text), strlen(text));

	if (rc == MOX_OK)
		mox_dkim_key_free(k);
	else
		assert_null(k);
	return rc;
}

static int
pem_file_rc(const char *name)
{
	size_t len;
	uint8_t *p = read_data(name, &len);
	int rc = pem_rc((const char *)p);

	free(p);
	return rc;
}

static void
test_pem_in(void **state)
{
	size_t len;
	uint8_t *p;
	char *buf;

	(void)state;
	assert_int_equal(pem_file_rc("rfc8463-rsa.pem"), MOX_OK);
	assert_int_equal(pem_file_rc("rsa2048-pkcs8.pem"), MOX_OK);
	assert_int_equal(pem_file_rc("rfc8463-ed25519.pem"), MOX_OK);
	assert_int_equal(pem_file_rc("rsa512.pem"), MOX_OK);
	/* Keys we do not read. */
	assert_int_equal(pem_file_rc("ec.pem"), MOX_EUNSUPPORTED);
	assert_int_equal(pem_file_rc("ed448.pem"), MOX_EUNSUPPORTED);
	assert_int_equal(pem_file_rc("rsa512-encrypted.pem"),
	    MOX_EUNSUPPORTED);
	assert_int_equal(pem_file_rc("rsa512-proctype.pem"), MOX_EUNSUPPORTED);

	/* Text around the block, CRLF lines, another block first. */
	p = read_data("rsa2048-pkcs8.pem", &len);
	buf = malloc(len * 2 + 512);
	{
		size_t i, o = 0;

		o += (size_t)snprintf(buf, len * 2 + 512, "comment\r\n-----BEGIN PUBLIC KEY-----"
		    "\r\nAAAA\r\n-----END PUBLIC KEY-----\r\n");
		for (i = 0; i < len; i++) {
			if (p[i] == '\n')
				buf[o++] = '\r';
			buf[o++] = (char)p[i];
		}
		buf[o] = 0;
	}
	assert_int_equal(pem_rc(buf), MOX_OK);
	/* Truncated. */
	buf[strlen(buf) / 2] = 0;
	assert_int_equal(pem_rc(buf), MOX_ESYNTAX);
	free(buf);
	/* Corrupted base64 and DER. */
	buf = strdup((char *)p);
	buf[100] = '*';
	assert_int_equal(pem_rc(buf), MOX_ESYNTAX);
	free(buf);
	buf = strdup((char *)p);
	memcpy(buf + 28, "MIIE", 4);
	buf[40] = buf[40] == 'A' ? 'B' : 'A';
	assert_int_equal(pem_rc(buf), MOX_ESYNTAX);
	free(buf);
	free(p);

	assert_int_equal(pem_rc(""), MOX_ESYNTAX);
	assert_int_equal(pem_rc("not a key"), MOX_ESYNTAX);
	assert_int_equal(pem_rc("-----BEGIN PRIVATE KEY-----\nAAAA\n"), 
	    MOX_ESYNTAX);
	assert_int_equal(pem_rc("-----BEGIN PRIVATE KEY-----\n"
	    "-----END PRIVATE KEY-----\n"), MOX_ESYNTAX);
	assert_int_equal(pem_rc("-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n"), MOX_ESYNTAX);
	assert_int_equal(pem_rc("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"
	    "-----END OPENSSH PRIVATE KEY-----\n"), MOX_EUNSUPPORTED);
	/* An Ed25519 PKCS#8 with a seed of the wrong size. */
	assert_int_equal(pem_rc("-----BEGIN PRIVATE KEY-----\n"
	    "MC0CAQAwBQYDK2VwBCEEH9ZYbQ2e/MKzkYVjTjgYXq8G3bL3kZQxb6FP8hPx7nQ=\n"
	    "-----END PRIVATE KEY-----\n"), MOX_ESYNTAX);
	assert_int_equal(mox_dkim_key_from_pem(NULL, U("x"), 1), MOX_EINVAL);
	{
		mox_dkim_key *k;

		assert_int_equal(mox_dkim_key_from_pem(&k, NULL, 1),
		    MOX_EINVAL);
	}
}

static void
test_alloc_failures(void **state)
{
	static const char *const files[] = { "rfc8463-rsa.pem",
		"rsa2048-pkcs8.pem", "rfc8463-ed25519.pem" };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		size_t len;
		uint8_t *p = read_data(files[i], &len);
		unsigned long n;
		int rc = MOX_ENOMEM;

		for (n = 1; n < 200; n++) {
			mox_dkim_key *k = NULL;
			char *pem = NULL, *t = NULL;

			mox__fail_at = n;
			rc = mox_dkim_key_from_pem(&k, p, len);
			if (rc == MOX_OK)
				rc = mox_dkim_key_to_pem(&pem, NULL, k);
			if (rc == MOX_OK)
				rc = mox_dkim_key_txt(&t, NULL, k, true);
			mox__fail_at = 0;
			mox_dkim_free(pem);
			mox_dkim_free(t);
			mox_dkim_key_free(k);
			if (rc == MOX_OK)
				break;
			assert_int_equal(rc, MOX_ENOMEM);
		}
		assert_int_equal(rc, MOX_OK);
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_pem_identical),
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_pem_in),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
