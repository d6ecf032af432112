/* SPDX-License-Identifier: MIT */
/*
 * test_api.c -- libmox-core through its shared library and public headers
 * only, as an outside program uses it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mox/addr.h>
#include <mox/common.h>
#include <mox/dns.h>

static void
status_strings(void **state)
{
	(void)state;
#define X(name, num, msg)                                         \
	assert_string_equal(mox_strerror(num), msg);              \
	assert_string_equal(mox_status_name(num), #name);         \
	assert_int_equal(name, num);
	MOX_STATUS_MAP(X)
#undef X
	assert_string_equal(mox_strerror(-9999), "unknown status");
	assert_string_equal(mox_strerror(1), "unknown status");
	assert_null(mox_status_name(-9999));
	/* numbers are part of the ABI: spot-check that none moved */
	assert_int_equal(MOX_ENOMEM, -1);
	assert_int_equal(MOX_EBUFS, -6);
	assert_int_equal(MOX_ERANGE, -20);
}

static void
version(void **state)
{
	(void)state;
	assert_string_equal(mox_version(), "0.1.0");
	assert_int_equal(mox_version_number(), MOX_VERSION_NUMBER);
}

static void
log_levels(void **state)
{
	int l = -1;

	(void)state;
	assert_string_equal(mox_log_level_name(MOX_LOG_ERROR), "error");
	assert_string_equal(mox_log_level_name(MOX_LOG_TRACEDATA), "tracedata");
	assert_null(mox_log_level_name(7));
	assert_null(mox_log_level_name(-1));
	assert_int_equal(mox_log_level_parse(&l, "TraceAuth"), MOX_OK);
	assert_int_equal(l, MOX_LOG_TRACEAUTH);
	assert_int_equal(mox_log_level_parse(&l, "verbose"), MOX_ESYNTAX);
	assert_int_equal(mox_log_level_parse(NULL, "info"), MOX_EINVAL);
	assert_int_equal(mox_log_level_parse(&l, NULL), MOX_EINVAL);
}

/* A custom backend written against the public header only. */
static int
q_answer(void *impl, mox_resolver *r, uint64_t qid, const char *qname,
    uint16_t qtype)
{
	mox_dns_answer *a;
	static const uint8_t txt[] = "\x05hello\x05world";
	int rc;

	(*(int *)impl)++;
	if (strcmp(qname, "missing.example") == 0) {
		rc = mox_dns_answer_new(&a, qname, qtype, MOX_DNS_NXDOMAIN, 3);
	} else {
		rc = mox_dns_answer_new(&a, qname, qtype, MOX_DNS_OK, 0);
		if (rc == MOX_OK)
			rc = mox_dns_answer_add(a, qname, MOX_DNS_TXT, 120, txt,
			    sizeof(txt) - 1);
		mox_dns_answer_set_secure(a, true);
	}
	if (rc != MOX_OK)
		return rc;
	return mox_resolver_complete(r, qid, a);
}

static const mox_resolver_ops ops = {
	MOX_RESOLVER_OPS_VERSION, q_answer, NULL, NULL, NULL, NULL,
};

static void
custom_resolver(void **state)
{
	mox_resolver *r;
	mox_dns_answer *a;
	const mox_dns_rr *rr;
	char line[256];
	int calls = 0;
	size_t n;

	(void)state;
	assert_int_equal(mox_resolver_new_custom(&r, &ops, &calls), MOX_OK);
	assert_int_equal(mox_dns_lookup(r, "example.org.", MOX_DNS_TXT, &a),
	    MOX_OK);
	assert_int_equal(calls, 1);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_OK);
	assert_true(mox_dns_answer_secure(a));
	rr = mox_dns_answer_rr(a, 0);
	assert_int_equal(rr->nstrings, 2);
	assert_string_equal(rr->text, "helloworld");
	n = mox_dns_rr_format(line, sizeof(line), rr);
	assert_string_equal(line, "example.org.\t120\tIN\tTXT\t\"hello\" \"world\"");
	assert_int_equal(n, strlen(line));
	/* snprintf contract: truncated, NUL-terminated, full length returned */
	assert_int_equal(mox_dns_rr_format(line, 8, rr), n);
	assert_string_equal(line, "example");
	mox_dns_answer_free(a);

	assert_int_equal(mox_dns_lookup(r, "missing.example", MOX_DNS_TXT, &a),
	    MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_NXDOMAIN);
	assert_int_equal(mox_dns_answer_rcode(a), 3);
	mox_dns_answer_free(a);
	mox_resolver_free(r);
}

static void
static_from_public_api(void **state)
{
	mox_resolver *r;
	mox_dns_answer *a;
	static const char zone[] =
	    "$ORIGIN example.net.\n"
	    "$TTL 600\n"
	    "@ IN MX 10 mail\n"
	    "mail IN A 198.51.100.7\n";

	(void)state;
	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	assert_int_equal(mox_resolver_static_load(r, zone, sizeof(zone) - 1,
	    NULL), MOX_OK);
	assert_int_equal(mox_dns_lookup(r, "example.net", MOX_DNS_MX, &a),
	    MOX_OK);
	assert_int_equal(mox_dns_answer_count(a), 1);
	assert_string_equal(mox_dns_answer_rr(a, 0)->target, "mail.example.net");
	assert_int_equal(mox_dns_answer_rr(a, 0)->preference, 10);
	assert_int_equal(mox_dns_answer_ttl(a), 600);
	mox_dns_answer_free(a);
	assert_int_equal(mox_dns_lookup(r, "mail.example.net", MOX_DNS_A, &a),
	    MOX_OK);
	assert_int_equal(mox_dns_answer_rr(a, 0)->ip.family, 4);
	mox_dns_answer_free(a);
	assert_int_equal(mox_resolver_static_load(r, "x IN A 1.2.3\n", 13,
	    "example.net"), MOX_ESYNTAX);
	assert_non_null(strstr(mox_resolver_errmsg(r), "line 1"));
	mox_resolver_free(r);
}

static void
unbound_options(void **state)
{
	mox_unbound_options o;
	mox_resolver *r = (mox_resolver *)1;
	char err[256];

	(void)state;
	assert_int_equal(mox_unbound_options_init(&o, 1), MOX_OK);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.mode, MOX_UNBOUND_RESOLVCONF);
	assert_int_equal(mox_unbound_options_init(&o, 2), MOX_EVERSION);
	assert_int_equal(mox_unbound_options_init(NULL, 1), MOX_EINVAL);
	o.version = 9;
	assert_int_equal(mox_resolver_new_unbound(&r, &o), MOX_EVERSION);
	assert_null(r);
	mox_unbound_options_init(&o, 1);
	o.trust_anchor_file = "/nonexistent/root.key";
	err[0] = '\0';
	assert_true(mox_resolver_new_unbound_err(&r, &o, err, sizeof(err)) < 0);
	assert_null(r);
	assert_non_null(strstr(err, "/nonexistent/root.key"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_strings),
		cmocka_unit_test(version),
		cmocka_unit_test(log_levels),
		cmocka_unit_test(custom_resolver),
		cmocka_unit_test(static_from_public_api),
		cmocka_unit_test(unbound_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
