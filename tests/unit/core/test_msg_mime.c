/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the MIME header fields of <mox/message.h>: Content-Type
 * (RFC 2045 5.1), Content-Disposition, RFC 2231 parameters and
 * Content-Transfer-Encoding. Internal test (uses mox__fail_at).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <mox/message.h>

#include "base.h"

#define U(s) ((const uint8_t *)(s))

static mox_msg_ctype *
ct_ok(const char *s, unsigned int flags, const char *type,
    const char *subtype, size_t nparams)
{
	mox_msg_ctype *ct = NULL;
	int rc;

	rc = mox_msg_ctype_parse(&ct, U(s), strlen(s), flags);
	if (rc != MOX_OK)
		print_error("parse [%s]: %d\n", s, rc);
	assert_int_equal(rc, MOX_OK);
	assert_non_null(ct);
	assert_string_equal(mox_msg_ctype_type(ct), type);
	assert_string_equal(mox_msg_ctype_subtype(ct), subtype);
	if (mox_msg_ctype_param_count(ct) != nparams)
		print_error("parse [%s]: %zu params\n", s,
		    mox_msg_ctype_param_count(ct));
	assert_int_equal(mox_msg_ctype_param_count(ct), nparams);
	return ct;
}

static void
ct_fail(const char *s, unsigned int flags, int want)
{
	mox_msg_ctype *ct = (mox_msg_ctype *)1;
	int rc;

	rc = mox_msg_ctype_parse(&ct, U(s), strlen(s), flags);
	if (rc != want)
		print_error("parse [%s]: %d, want %d\n", s, rc, want);
	assert_int_equal(rc, want);
	assert_null(ct);
}

static void
param(const mox_msg_ctype *ct, size_t i, const char *name, const char *value)
{
	const char *n, *v;

	assert_int_equal(mox_msg_ctype_param(ct, i, &n, &v), MOX_OK);
	assert_string_equal(n, name);
	assert_string_equal(v, value);
	assert_string_equal(mox_msg_ctype_get(ct, name), value);
}

/* One parameter value, for short checks. */
static void
one(const char *s, const char *name, const char *value)
{
	mox_msg_ctype *ct;

	ct = ct_ok(s, 0, "a", "b", 1);
	param(ct, 0, name, value);
	mox_msg_ctype_free(ct);
}

static void
test_basic(void **state)
{
	mox_msg_ctype *ct;
	const char *n, *v;

	(void)state;
	ct = ct_ok("text/plain; charset=us-ascii (Plain text)", 0, "text",
	    "plain", 1);
	param(ct, 0, "charset", "us-ascii");
	assert_string_equal(mox_msg_ctype_get(ct, "CHARSET"), "us-ascii");
	assert_null(mox_msg_ctype_get(ct, "boundary"));
	assert_int_equal(mox_msg_ctype_param(ct, 1, &n, &v), MOX_ENOTFOUND);
	assert_null(n);
	assert_null(v);
	mox_msg_ctype_free(ct);

	/* RFC 2045 5.1: these are equivalent */
	ct = ct_ok("text/plain; charset=\"us-ascii\"", 0, "text", "plain",
	    1);
	param(ct, 0, "charset", "us-ascii");
	mox_msg_ctype_free(ct);

	ct = ct_ok(" (c) TEXT (x) / (y(nested)) HTML (z);CharSet=UTF-8", 0,
	    "text", "html", 1);
	param(ct, 0, "charset", "UTF-8");
	mox_msg_ctype_free(ct);

	ct = ct_ok("multipart/mixed;\r\n\tboundary=\"----=_Part_1\"", 0,
	    "multipart", "mixed", 1);
	param(ct, 0, "boundary", "----=_Part_1");
	mox_msg_ctype_free(ct);

	ct = ct_ok("image/png", 0, "image", "png", 0);
	assert_int_equal(mox_msg_ctype_param(ct, 0, NULL, NULL),
	    MOX_ENOTFOUND);
	mox_msg_ctype_free(ct);
	mox_msg_ctype_free(NULL);
	assert_string_equal(mox_msg_ctype_type(NULL), "");
	assert_int_equal(mox_msg_ctype_param_count(NULL), 0);
}

static void
test_quoted(void **state)
{
	(void)state;
	one("a/b; x=\"a \\\"b\\\" \\\\ c\"", "x", "a \"b\" \\ c");
	one("a/b; x=\"semi;colon (no comment)\"", "x",
	    "semi;colon (no comment)");
	one("a/b; x=\"fold\r\n ed\"", "x", "fold ed");
	one("a/b; x=\"\"", "x", "");
	/* lenient: unterminated quoted string runs to the end */
	one("a/b; x=\"open", "x", "open");
}

static void
test_lenient(void **state)
{
	mox_msg_ctype *ct;

	(void)state;
	ct = ct_ok("text/plain charset = utf-8 format=flowed;;", 0, "text",
	    "plain", 2);
	param(ct, 0, "charset", "utf-8");
	param(ct, 1, "format", "flowed");
	mox_msg_ctype_free(ct);

	ct = ct_ok("application/octet-stream; name=a/b@c.d; junk; x=1;", 0,
	    "application", "octet-stream", 2);
	param(ct, 0, "name", "a/b@c.d");
	param(ct, 1, "x", "1");
	mox_msg_ctype_free(ct);

	/* duplicates: first wins, also across plain and RFC 2231 forms */
	ct = ct_ok("a/b; charset=one; CHARSET=two; f=\"x\"; f*=utf-8''y", 0,
	    "a", "b", 2);
	param(ct, 0, "charset", "one");
	param(ct, 1, "f", "x");
	mox_msg_ctype_free(ct);

	/* strict mode rejects what lenient accepts */
	ct_fail("text/plain charset=utf-8", MOX_MSG_CTYPE_STRICT,
	    MOX_ESYNTAX);
	ct_fail("text/plain; name=a/b", MOX_MSG_CTYPE_STRICT, MOX_ESYNTAX);
	ct_fail("text/plain; junk", MOX_MSG_CTYPE_STRICT, MOX_ESYNTAX);
	ct_fail("text/plain; x=\"open", MOX_MSG_CTYPE_STRICT, MOX_ESYNTAX);
	ct = ct_ok("text/plain; charset = \"utf-8\" (c); a=b;",
	    MOX_MSG_CTYPE_STRICT, "text", "plain", 2);
	mox_msg_ctype_free(ct);
}

static void
test_rfc2231(void **state)
{
	mox_msg_ctype *ct;

	(void)state;
	/* RFC 2231 section 3 */
	ct = ct_ok("message/external-body; access-type=URL;\r\n"
	    "         URL*0=\"ftp://\";\r\n"
	    "         URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/"
	    "bulk-mailer.tar\"", 0, "message", "external-body", 2);
	param(ct, 0, "access-type", "URL");
	param(ct, 1, "url",
	    "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
	mox_msg_ctype_free(ct);

	/* RFC 2231 section 4 */
	ct = ct_ok("application/x-stuff;\r\n"
	    "    title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", 0,
	    "application", "x-stuff", 1);
	param(ct, 0, "title", "This is ***fun***");
	mox_msg_ctype_free(ct);

	/* RFC 2231 section 4.1 (as printed, without semicolons) */
	ct = ct_ok("application/x-stuff\r\n"
	    "    title*0*=us-ascii'en'This%20is%20even%20more%20\r\n"
	    "    title*1*=%2A%2A%2Afun%2A%2A%2A%20\r\n"
	    "    title*2=\"isn't it!\"", 0, "application", "x-stuff", 1);
	param(ct, 0, "title", "This is even more ***fun*** isn't it!");
	mox_msg_ctype_free(ct);

	/* and with them, in strict mode */
	ct = ct_ok("application/x-stuff;\r\n"
	    "    title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
	    "    title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
	    "    title*2=\"isn't it!\"", MOX_MSG_CTYPE_STRICT, "application",
	    "x-stuff", 1);
	param(ct, 0, "title", "This is even more ***fun*** isn't it!");
	mox_msg_ctype_free(ct);
}

static void
test_continuation_order(void **state)
{
	mox_msg_ctype *ct;

	(void)state;
	one("a/b; n*2=c; n*0=a; n*1=b", "n", "abc");
	one("a/b; n*10=k; n*9=j; n*0=a", "n", "ajk");
	/* gap: join what is present */
	one("a/b; n*0=a; n*2=c", "n", "ac");
	one("a/b; n*1=b; n*3=d", "n", "bd");
	/* duplicate section: first wins */
	one("a/b; n*0=a; n*0=x; n*1=b", "n", "ab");
	/* out-of-order extended sections keep section 0's charset */
	one("a/b; f*1*=%E9.txt; f*0*=iso-8859-1'fr'%E9t", "f",
	    "\xC3\xA9t\xC3\xA9.txt");
	/* not RFC 2231 names */
	ct = ct_ok("a/b; x*y=1; *=2; x*01a=3", 0, "a", "b", 3);
	param(ct, 0, "x*y", "1");
	param(ct, 1, "*", "2");
	param(ct, 2, "x*01a", "3");
	mox_msg_ctype_free(ct);
	one("a/b; n*999=z; n*0=a", "n", "az");
	ct_fail("a/b; n*1000=z", 0, MOX_ELIMIT);
	ct_fail("a/b; n*99999999999999999999999=z", 0, MOX_ELIMIT);
}

static void
test_extended(void **state)
{
	(void)state;
	one("a/b; filename*=iso-8859-1''%E9t%E9.txt", "filename",
	    "\xC3\xA9t\xC3\xA9.txt");
	one("a/b; filename*=ISO-8859-1'fr'%e9", "filename", "\xC3\xA9");
	one("a/b; filename*=latin1''%E9", "filename", "\xC3\xA9");
	one("a/b; filename*=UTF-8''%C3%A9t%C3%A9.txt", "filename",
	    "\xC3\xA9t\xC3\xA9.txt");
	one("a/b; filename*=\"UTF-8''%E2%82%AC 1\"", "filename",
	    "\xE2\x82\xAC 1");
	/* invalid UTF-8 in a UTF-8 value */
	one("a/b; f*=utf-8''%FFa", "f", "\xEF\xBF\xBD" "a");
	/* unknown charset: UTF-8 octets kept, others replaced */
	one("a/b; f*=x-unknown''%C3%A9", "f", "\xC3\xA9");
	one("a/b; f*=x-unknown''%E9", "f", "\xEF\xBF\xBD");
	one("a/b; f*=bad/charset''%C3%A9", "f", "\xC3\xA9");
	/* broken percent escapes are kept; no charset quotes */
	one("a/b; f*=utf-8''100%", "f", "100%");
	one("a/b; f*=%41%4g", "f", "A%4g");
	/* %00 never gives a NUL */
	one("a/b; f*=utf-8''a%00b", "f", "a\xEF\xBF\xBD" "b");
	one("a/b; f*=iso-8859-1''a%00b", "f", "a\xEF\xBF\xBD" "b");
	one("a/b; f*=''abc", "f", "abc");
}

static void
test_2047(void **state)
{
	mox_msg_ctype *ct;

	(void)state;
	ct = ct_ok("attachment; filename=\"=?UTF-8?B?w6l0w6kudHh0?=\"",
	    MOX_MSG_CTYPE_DISPOSITION, "attachment", "", 1);
	param(ct, 0, "filename", "\xC3\xA9t\xC3\xA9.txt");
	mox_msg_ctype_free(ct);
	one("a/b; name=\"=?iso-8859-1?Q?caf=E9?= =?iso-8859-1?Q?_x?=.pdf\"",
	    "name", "caf\xC3\xA9 x.pdf");
	/* raw 8-bit: UTF-8 kept, Latin-1 replaced */
	one("a/b; name=\"\xC3\xA9\"", "name", "\xC3\xA9");
	one("a/b; name=\"\xE9\"", "name", "\xEF\xBF\xBD");
	/* an RFC 2231 value is not RFC 2047 decoded */
	one("a/b; name*=utf-8''=?utf-8?Q?x?=", "name", "=?utf-8?Q?x?=");
}

static void
test_disposition(void **state)
{
	mox_msg_ctype *ct;

	(void)state;
	ct = ct_ok("Attachment; filename=genome.jpeg;\r\n"
	    "  modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"",
	    MOX_MSG_CTYPE_DISPOSITION, "attachment", "", 2);
	param(ct, 0, "filename", "genome.jpeg");
	param(ct, 1, "modification-date", "Wed, 12 Feb 1997 16:29:51 -0500");
	mox_msg_ctype_free(ct);
	ct = ct_ok("inline", MOX_MSG_CTYPE_DISPOSITION, "inline", "", 0);
	mox_msg_ctype_free(ct);
	ct_fail("", MOX_MSG_CTYPE_DISPOSITION, MOX_ESYNTAX);
	ct_fail("; filename=x", MOX_MSG_CTYPE_DISPOSITION, MOX_ESYNTAX);
}

static void
test_broken(void **state)
{
	mox_msg_ctype *ct = NULL;
	char big[16384];
	size_t i, n = 0;

	(void)state;
	ct_fail("", 0, MOX_ESYNTAX);
	ct_fail("   (comment only)", 0, MOX_ESYNTAX);
	ct_fail("text", 0, MOX_ESYNTAX);
	ct_fail("text/", 0, MOX_ESYNTAX);
	ct_fail("text/;charset=x", 0, MOX_ESYNTAX);
	ct_fail("/plain", 0, MOX_ESYNTAX);
	ct_fail("text plain", 0, MOX_ESYNTAX);
	ct_fail("\"text\"/plain", 0, MOX_ESYNTAX);
	ct_fail("t\xC3\xA9xt/plain", 0, MOX_ESYNTAX);
	ct_fail("text/plain junk after", MOX_MSG_CTYPE_STRICT, MOX_ESYNTAX);
	assert_int_equal(mox_msg_ctype_parse(&ct, U("text/pl\0ain"), 11, 0),
	    MOX_ENUL);
	assert_null(ct);
	assert_int_equal(mox_msg_ctype_parse(NULL, U("a/b"), 3, 0),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_ctype_parse(&ct, NULL, 3, 0), MOX_EINVAL);
	/* unterminated comment, stray specials */
	ct = ct_ok("text/plain (open; x=1", 0, "text", "plain", 0);
	mox_msg_ctype_free(ct);
	ct = ct_ok("text/plain; =x; \"q\"; @; a=1 (c", 0, "text", "plain",
	    1);
	param(ct, 0, "a", "1");
	mox_msg_ctype_free(ct);
	/* parameter limit */
	n = (size_t)snprintf(big, sizeof(big), "a/b");
	for (i = 0; i < MOX_MSG_CTYPE_MAX_PARAMS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, ";p%zu=1", i);
	ct = ct_ok(big, 0, "a", "b", MOX_MSG_CTYPE_MAX_PARAMS);
	mox_msg_ctype_free(ct);
	n += (size_t)snprintf(big + n, sizeof(big) - n, ";z=1");
	ct_fail(big, 0, MOX_ELIMIT);
}

static void
test_cte(void **state)
{
	(void)state;
#define CTE(s, v) assert_int_equal(mox_msg_cte_parse(U(s), strlen(s)), (v))
	CTE("", MOX_MSG_CTE_7BIT);
	CTE(" (nothing) ", MOX_MSG_CTE_7BIT);
	CTE("7bit", MOX_MSG_CTE_7BIT);
	CTE("8BIT", MOX_MSG_CTE_8BIT);
	CTE("Binary", MOX_MSG_CTE_BINARY);
	CTE(" Quoted-Printable\r\n", MOX_MSG_CTE_QUOTED_PRINTABLE);
	CTE("(c) base64 (the (usual) one)", MOX_MSG_CTE_BASE64);
	CTE("x-uuencode", MOX_MSG_CTE_OTHER);
	CTE("base64 junk", MOX_MSG_CTE_OTHER);
	CTE("base6", MOX_MSG_CTE_OTHER);
	CTE("\"base64\"", MOX_MSG_CTE_OTHER);
	CTE("base64;", MOX_MSG_CTE_OTHER);
#undef CTE
	assert_int_equal(mox_msg_cte_parse(NULL, 0), MOX_MSG_CTE_7BIT);
	assert_int_equal(mox_msg_cte_parse(NULL, 1), MOX_EINVAL);
}

static int
alloc_once(void)
{
	static const char in[] =
	    "Application/X-Stuff; charset=\"utf-8\";\r\n"
	    " title*1*=%2A%2A%2Afun%2A%2A%2A%20;"
	    " title*0*=us-ascii'en'This%20is%20even%20more%20;"
	    " title*2=\"isn't it!\"; f*=iso-8859-1''%E9;"
	    " name=\"=?UTF-8?B?w6l0w6kudHh0?=\"; u*=x-unknown''%E9";
	mox_msg_ctype *ct = NULL;
	int rc;

	rc = mox_msg_ctype_parse(&ct, U(in), sizeof(in) - 1, 0);
	if (rc != MOX_OK) {
		assert_null(ct);
		return rc;
	}
	assert_string_equal(mox_msg_ctype_type(ct), "application");
	assert_string_equal(mox_msg_ctype_subtype(ct), "x-stuff");
	assert_int_equal(mox_msg_ctype_param_count(ct), 5);
	param(ct, 0, "charset", "utf-8");
	param(ct, 1, "title", "This is even more ***fun*** isn't it!");
	param(ct, 2, "f", "\xC3\xA9");
	param(ct, 3, "name", "\xC3\xA9t\xC3\xA9.txt");
	param(ct, 4, "u", "\xEF\xBF\xBD");
	mox_msg_ctype_free(ct);
	return MOX_OK;
}

static void
test_alloc_fail(void **state)
{
	unsigned long n;
	int rc = MOX_ENOMEM;

	(void)state;
	for (n = 1; n < 100000; n++) {
		mox__fail_at = n;
		rc = alloc_once();
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
	}
	assert_int_equal(rc, MOX_OK);
	assert_true(n > 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_rfc2231),
		cmocka_unit_test(test_continuation_order),
		cmocka_unit_test(test_extended),
		cmocka_unit_test(test_2047),
		cmocka_unit_test(test_disposition),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_cte),
		cmocka_unit_test(test_alloc_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
