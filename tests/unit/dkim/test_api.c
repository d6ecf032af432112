/* SPDX-License-Identifier: MIT */
/*
 * Tests of libmox-dkim through its public API only, linked against the
 * shared library: names, Authentication-Results text, a sign and verify
 * round trip with generated keys through the resolver, results.
 */
#include "helpers.h"

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(mox_dkim_verdict_name(MOX_DKIM_NONE), "none");
	assert_string_equal(mox_dkim_verdict_name(MOX_DKIM_PASS), "pass");
	assert_string_equal(mox_dkim_verdict_name(MOX_DKIM_FAIL), "fail");
	assert_string_equal(mox_dkim_verdict_name(MOX_DKIM_NEUTRAL), "neutral");
	assert_string_equal(mox_dkim_verdict_name(MOX_DKIM_POLICY), "policy");
	assert_string_equal(mox_dkim_verdict_name(MOX_DKIM_TEMPERROR),
	    "temperror");
	assert_string_equal(mox_dkim_verdict_name(MOX_DKIM_PERMERROR),
	    "permerror");
	assert_string_equal(mox_dkim_verdict_name(7), "unknown");
	assert_string_equal(mox_dkim_verdict_name(-1), "unknown");
	assert_string_equal(mox_dkim_algorithm_name(MOX_DKIM_RSA_SHA256),
	    "rsa-sha256");
	assert_string_equal(mox_dkim_algorithm_name(MOX_DKIM_ED25519_SHA256),
	    "ed25519-sha256");
	assert_string_equal(mox_dkim_algorithm_name(MOX_DKIM_RSA_SHA1),
	    "rsa-sha1");
	assert_string_equal(mox_dkim_algorithm_name(MOX_DKIM_ALG_UNKNOWN),
	    "unknown");
	assert_string_equal(mox_dkim_algorithm_name(42), "unknown");
}

static void
test_authres(void **state)
{
	mox_dkim_result r = MOX_DKIM_RESULT_INIT;
	char buf[256], small[10];
	size_t n;

	(void)state;
	r.verdict = MOX_DKIM_FAIL;
	r.domain = "example.com";
	r.selector = "sel";
	r.algorithm = "rsa-sha256";
	r.b = "abc+def/ghi";
	r.reason = "body hash mismatch";
	n = mox_dkim_authres(buf, sizeof(buf), &r);
	assert_string_equal(buf, "dkim=fail (body hash mismatch) "
	    "header.d=example.com header.s=sel header.a=rsa-sha256 "
	    "header.b=\"abc+def/\"");
	assert_int_equal(n, strlen(buf));
	assert_int_equal(mox_dkim_authres(small, sizeof(small), &r), n);
	assert_string_equal(small, "dkim=fail");
	r.verdict = MOX_DKIM_PERMERROR;
	r.reason = "rsa key too small (512 bits)";
	r.b = "AbCdEfGhIj";
	mox_dkim_authres(buf, sizeof(buf), &r);
	assert_string_equal(buf, "dkim=permerror (rsa key too small (512 "
	    "bits)) header.d=example.com header.s=sel header.a=rsa-sha256 "
	    "header.b=AbCdEfGh");
	/* Nothing known but the verdict. */
	r.domain = "";
	r.reason = "malformed signature: tag without '='";
	mox_dkim_authres(buf, sizeof(buf), &r);
	assert_string_equal(buf,
	    "dkim=permerror (malformed signature: tag without '=')");
	r.reason = "odd ) reason \\";
	mox_dkim_authres(buf, sizeof(buf), &r);
	assert_string_equal(buf, "dkim=permerror (odd \\) reason \\\\)");
	/* A pass gives no comment. */
	r.verdict = MOX_DKIM_PASS;
	r.reason = NULL;
	r.domain = "example.com";
	r.selector = "";
	r.algorithm = "a\"b";
	r.b = "";
	mox_dkim_authres(buf, sizeof(buf), &r);
	assert_string_equal(buf, "dkim=pass header.d=example.com "
	    "header.a=\"a\\\"b\"");
	assert_int_equal(mox_dkim_authres(buf, sizeof(buf), NULL), 0);
}

static void
test_roundtrip(void **state)
{
	static const char msg[] = "From: Ann <ann@example.com>\r\n"
	    "Subject: round trip\r\n\r\nHello,\r\n\r\n  world.\r\n\r\n\r\n";
	int types[2] = { MOX_DKIM_KEY_ED25519, MOX_DKIM_KEY_RSA };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;
		mox_dkim_key *k = NULL;
		char zone[2048], *txt = NULL, *sig = NULL, ar[512];
		mox_resolver *r;
		mox_dkim_result *res = NULL;
		size_t n = 0, len;
		uint8_t *m;

		assert_int_equal(mox_dkim_key_generate(&k, types[i], 1024),
		    MOX_OK);
		assert_int_equal(mox_dkim_key_txt(&txt, NULL, k, true), MOX_OK);
		snprintf(zone, sizeof(zone), "$AUTHENTIC yes\n"
		    "2024._domainkey.example.com. 60 IN TXT %s\n", txt);
		mox_dkim_free(txt);
		r = zone_resolver(zone);
		o.domain = "example.com";
		o.selector = "2024";
		o.key = k;
		o.identity = "ann@example.com";
		assert_int_equal(mox_dkim_sign(&sig, &len, &o, U(msg),
		    strlen(msg)), MOX_OK);
		assert_int_equal(strlen(sig), len);
		m = concat(sig, len, U(msg), strlen(msg), &len);
		assert_int_equal(mox_dkim_verify(&res, &n, r, NULL, m, len),
		    MOX_OK);
		assert_int_equal(n, 1);
		assert_int_equal(res[0].verdict, MOX_DKIM_PASS);
		assert_true(res[0].authentic);
		assert_string_equal(res[0].identity, "ann@example.com");
		assert_string_equal(res[0].selector, "2024");
		mox_dkim_authres(ar, sizeof(ar), &res[0]);
		assert_true(strncmp(ar, "dkim=pass header.d=example.com "
		    "header.s=2024 header.a=", 52) == 0);
		mox_dkim_result_release(&res[0]);
		assert_null(res[0].domain);
		assert_int_equal(res[0].version, MOX_DKIM_RESULT_VERSION);
		mox_dkim_result_release(&res[0]);
		mox_dkim_free(res);
		free(m);
		mox_dkim_free(sig);
		mox_dkim_key_free(k);
		mox_resolver_free(r);
	}
	mox_dkim_free(NULL);
	mox_dkim_result_release(NULL);
}

static void
test_unsigned(void **state)
{
	mox_resolver *r = zone_resolver("");
	mox_dkim_result *res = (mox_dkim_result *)1;
	size_t n = 9;

	(void)state;
	assert_int_equal(mox_dkim_verify(&res, &n, r, NULL,
	    U("From: a@b\r\n\r\nx\r\n"), 16), MOX_OK);
	assert_null(res);
	assert_int_equal(n, 0);
	mox_resolver_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_authres),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_unsigned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
