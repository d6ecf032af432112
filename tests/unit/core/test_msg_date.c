/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for <mox/message.h>: RFC 5322 3.3 dates with the obsolete
 * forms of 4.3 and the examples of appendix A.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <mox/message.h>

static void
expect(const char *s, int64_t unix_seconds, int zone, bool known,
    unsigned int flags)
{
	mox_msg_date d = MOX_MSG_DATE_INIT;
	int rc;

	rc = mox_msg_date_parse(&d, (const uint8_t *)s, strlen(s));
	if (rc != MOX_OK)
		print_error("[%s]: %d\n", s, rc);
	assert_int_equal(rc, MOX_OK);
	if (d.unix_seconds != unix_seconds)
		print_error("[%s]: %lld\n", s, (long long)d.unix_seconds);
	assert_true(d.unix_seconds == unix_seconds);
	assert_int_equal(d.zone_minutes, zone);
	assert_int_equal(d.zone_known, known);
	assert_int_equal(d.flags, flags);
	assert_int_equal(d.version, MOX_MSG_DATE_VERSION);
}

static void
expect_err(const char *s, int want)
{
	mox_msg_date d = MOX_MSG_DATE_INIT;

	assert_int_equal(mox_msg_date_parse(&d, (const uint8_t *)s,
	    strlen(s)), want);
}

static void
rfc5322_examples(void **state)
{
	(void)state;
	/* A.1.1 */
	expect("Fri, 21 Nov 1997 09:55:06 -0600", 880127706, -360, true, 0);
	/* A.3 */
	expect("Tue, 1 Jul 2003 10:52:37 +0200", 1057049557, 120, true, 0);
	/* A.5: folded, comment, no seconds */
	expect("Thu,\r\n      13\r\n        Feb\r\n          1969\r\n"
	       "      23:32\r\n               -0330 (Newfoundland Time)",
	    -27723480, -210, true, MOX_MSG_DATE_OBSOLETE);
	/* A.6.2: two-digit year, obsolete zone */
	expect("21 Nov 97 09:55:06 GMT", 880106106, 0, true,
	    MOX_MSG_DATE_OBSOLETE);
	/* A.6.3: comments and whitespace inside the time */
	expect("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", 880127706,
	    -360, true, 0);
}

static void
obsolete_forms(void **state)
{
	(void)state;
	expect("Mon, 1 Jan 01 00:00:00 EST", 978325200, -300, true,
	    MOX_MSG_DATE_OBSOLETE);
	expect("1 Jan 1999 00:00 PDT", 915174000, -420, true,
	    MOX_MSG_DATE_OBSOLETE);
	expect("1 jan 1999 00:00:00 edt", 915163200, -240, true,
	    MOX_MSG_DATE_OBSOLETE);
	expect("Thu, 1 Jan 1970 00:00:00 UT", 0, 0, true,
	    MOX_MSG_DATE_OBSOLETE);
	expect("Thu, 1 Jan 1970 00:00:00 CST", 21600, -360, true,
	    MOX_MSG_DATE_OBSOLETE);
	expect("Thu, 1 Jan 1970 00:00:00 MDT", 21600, -360, true,
	    MOX_MSG_DATE_OBSOLETE);
	/* Military letters and unknown names: -0000. */
	expect("Thu, 1 Jan 1970 00:00:00 A", 0, 0, false,
	    MOX_MSG_DATE_OBSOLETE);
	expect("Thu, 1 Jan 1970 00:00:00 z", 0, 0, false,
	    MOX_MSG_DATE_OBSOLETE);
	expect("Thu, 1 Jan 1970 00:00:00 CET", 0, 0, false,
	    MOX_MSG_DATE_OBSOLETE);
	expect("Thu, 1 Jan 1970 00:00:00 -0000", 0, 0, false, 0);
	expect("Thu, 1 Jan 1970 00:00:00 +0000", 0, 0, true, 0);
	expect("Thu, 1 Jan 1970 00:00:00", 0, 0, false,
	    MOX_MSG_DATE_OBSOLETE | MOX_MSG_DATE_NO_ZONE);
	/* Two-digit years: < 50 is 20xx; three digits: + 1900. */
	expect("1 Jan 49 00:00:00 +0000", 2493072000, 0, true,
	    MOX_MSG_DATE_OBSOLETE);
	expect("1 Jan 50 00:00:00 +0000", -631152000, 0, true,
	    MOX_MSG_DATE_OBSOLETE);
	expect("1 Jan 101 00:00:00 +0000", 978307200, 0, true,
	    MOX_MSG_DATE_OBSOLETE);
	/* Full day and month names, no comma, extra whitespace. */
	expect("  Monday 1 January 2001 00:00:00 +0000  ", 978307200, 0,
	    true, 0);
	expect("Thu , 01 Jan 1970 1:02:03 +0100", 3723 - 3600, 60, true, 0);
	expect("(c)Thu(c),(c)1(c)Jan(c)1970(c)00:00:00(c)+0000(c)", 0, 0,
	    true, 0);
	/* Leap second, leap day, early and late years. */
	expect("31 Dec 2016 23:59:60 +0000", 1483228800, 0, true, 0);
	expect("29 Feb 2000 12:00:00 +0000", 951825600, 0, true, 0);
	expect("1 Jan 1900 00:00:00 +0000", -2208988800, 0, true, 0);
	expect("31 Dec 9999 23:59:59 -9959", 253402300799 + 99 * 3600 +
	    59 * 60, -(99 * 60 + 59), true, 0);
	/* Wrong day-of-week: the date wins. */
	expect("Mon, 1 Jan 1970 00:00:00 +0000", 0, 0, true,
	    MOX_MSG_DATE_BAD_WEEKDAY);
}

static void
invalid(void **state)
{
	mox_msg_date d = MOX_MSG_DATE_INIT;

	(void)state;
	expect_err("", MOX_ESYNTAX);
	expect_err("garbage", MOX_ESYNTAX);
	expect_err("Xyz, 1 Jan 2001 00:00:00 +0000", MOX_ESYNTAX);
	expect_err("1 Foo 2001 00:00:00 +0000", MOX_ESYNTAX);
	expect_err("1 Jan 2001", MOX_ESYNTAX);
	expect_err("1 Jan 2001 00", MOX_ESYNTAX);
	expect_err("1 Jan 2001 00:0 +0000", MOX_ESYNTAX);
	expect_err("1 Jan 2001 00:00:0 +0000", MOX_ESYNTAX);
	expect_err("1 Jan 2001 00:00:00 +000", MOX_ESYNTAX);
	expect_err("1 Jan 2001 00:00:00 +00000", MOX_ESYNTAX);
	expect_err("1 Jan 2001 00:00:00 +0000 x", MOX_ESYNTAX);
	expect_err("1 Jan 2001 00:00:00 Europe", MOX_ESYNTAX);
	expect_err("1 Jan 2001 00:00:00 #", MOX_ESYNTAX);
	expect_err("123 Jan 2001 00:00:00 +0000", MOX_ESYNTAX);
	expect_err("1 Jan 20011 00:00:00 +0000", MOX_ESYNTAX);
	expect_err("1 Jan 1 00:00:00 +0000", MOX_ESYNTAX);
	expect_err("1 Jan 2001 000:00:00 +0000", MOX_ESYNTAX);
	expect_err("32 Jan 2001 00:00:00 +0000", MOX_ERANGE);
	expect_err("0 Jan 2001 00:00:00 +0000", MOX_ERANGE);
	expect_err("29 Feb 2001 00:00:00 +0000", MOX_ERANGE);
	expect_err("29 Feb 1900 00:00:00 +0000", MOX_ERANGE);
	expect_err("31 Apr 2001 00:00:00 +0000", MOX_ERANGE);
	expect_err("1 Jan 2001 24:00:00 +0000", MOX_ERANGE);
	expect_err("1 Jan 2001 00:60:00 +0000", MOX_ERANGE);
	expect_err("1 Jan 2001 00:00:61 +0000", MOX_ERANGE);
	expect_err("1 Jan 2001 00:00:00 +0060", MOX_ERANGE);
	assert_int_equal(mox_msg_date_parse(&d, (const uint8_t *)"1 Jan 2001 "
	    "00:00:00 +0000\0", 26), MOX_ESYNTAX);
	assert_int_equal(mox_msg_date_parse(NULL, (const uint8_t *)"x", 1),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_date_parse(&d, NULL, 1), MOX_EINVAL);
	d.version = 0;
	assert_int_equal(mox_msg_date_parse(&d, (const uint8_t *)"x", 1),
	    MOX_EVERSION);
	d.version = 99;
	assert_int_equal(mox_msg_date_parse(&d, (const uint8_t *)"x", 1),
	    MOX_EVERSION);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc5322_examples),
		cmocka_unit_test(obsolete_forms),
		cmocka_unit_test(invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
