/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for <mox/message.h>: address lists (RFC 5322 3.4, 4.4,
 * appendix A) and msg-id lists. Internal test (uses mox__fail_at).
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

static mox_msg_addrlist *
parse_ok(const char *s, unsigned int flags, size_t count)
{
	mox_msg_addrlist *l = NULL;
	size_t off = 0;
	int rc;

	rc = mox_msg_addrlist_parse(&l, U(s), strlen(s), flags, &off);
	if (rc != MOX_OK)
		print_error("parse [%s]: %d at %zu\n", s, rc, off);
	assert_int_equal(rc, MOX_OK);
	assert_int_equal(off, SIZE_MAX);
	assert_non_null(l);
	if (mox_msg_addrlist_count(l) != count)
		print_error("parse [%s]: %zu entries\n", s,
		    mox_msg_addrlist_count(l));
	assert_int_equal(mox_msg_addrlist_count(l), count);
	return l;
}

static void
parse_err(const char *s, unsigned int flags, int want, size_t want_off)
{
	mox_msg_addrlist *l = (mox_msg_addrlist *)&l;
	size_t off = 0;

	assert_int_equal(mox_msg_addrlist_parse(&l, U(s), strlen(s), flags,
	    &off), want);
	assert_null(l);
	if (want_off != SIZE_MAX && off != want_off)
		print_error("[%s]: offset %zu, want %zu\n", s, off, want_off);
	if (want_off != SIZE_MAX)
		assert_int_equal(off, want_off);
}

/* Check entry i: display name, localpart, domain (as written). */
static const mox_msg_mailbox *
mb(const mox_msg_addrlist *l, size_t i, const char *name, const char *lp,
    const char *dom)
{
	const mox_msg_mailbox *m = mox_msg_addrlist_get(l, i);

	assert_non_null(m);
	assert_int_equal(m->kind, MOX_MSG_ADDR_MAILBOX);
	assert_string_equal(m->display_name, name);
	assert_int_equal(m->display_name_len, strlen(name));
	assert_string_equal(m->localpart, lp);
	assert_int_equal(m->localpart_len, strlen(lp));
	assert_string_equal(m->domain, dom);
	assert_int_equal(m->domain_len, strlen(dom));
	return m;
}

static void
a1_simple(void **state)
{
	mox_msg_addrlist *l;
	const mox_msg_mailbox *m;

	(void)state;
	/* A.1.1 */
	l = parse_ok(" John Doe <jdoe@machine.example>", 0, 1);
	m = mb(l, 0, "John Doe", "jdoe", "machine.example");
	assert_string_equal(m->domain_ascii, "machine.example");
	assert_string_equal(m->domain_unicode, "machine.example");
	assert_null(m->group);
	assert_int_equal(m->group_index, 0);
	assert_int_equal(m->offset, 1);
	assert_null(mox_msg_addrlist_get(l, 1));
	mox_msg_addrlist_free(l);

	/* A.1.2 */
	l = parse_ok("\"Joe Q. Public\" <john.q.public@example.com>", 0, 1);
	mb(l, 0, "Joe Q. Public", "john.q.public", "example.com");
	mox_msg_addrlist_free(l);
	l = parse_ok("Mary Smith <mary@x.test>, jdoe@example.org, "
		     "Who? <one@y.test>", 0, 3);
	mb(l, 0, "Mary Smith", "mary", "x.test");
	m = mb(l, 1, "", "jdoe", "example.org");
	assert_int_equal(m->offset, 26);
	mb(l, 2, "Who?", "one", "y.test");
	mox_msg_addrlist_free(l);
	l = parse_ok("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" "
		     "<sysservices@example.net>", 0, 2);
	mb(l, 0, "", "boss", "nil.test");
	mb(l, 1, "Giant; \"Big\" Box", "sysservices", "example.net");
	mox_msg_addrlist_free(l);
}

static void
a13_groups(void **state)
{
	mox_msg_addrlist *l;
	const mox_msg_mailbox *m;
	size_t i;

	(void)state;
	l = parse_ok("A Group:Ed Jones <c@a.test>,joe@where.test,John "
		     "<jdoe@one.test>;", 0, 3);
	mb(l, 0, "Ed Jones", "c", "a.test");
	mb(l, 1, "", "joe", "where.test");
	mb(l, 2, "John", "jdoe", "one.test");
	for (i = 0; i < 3; i++) {
		m = mox_msg_addrlist_get(l, i);
		assert_string_equal(m->group, "A Group");
		assert_int_equal(m->group_len, 7);
		assert_int_equal(m->group_index, 1);
	}
	mox_msg_addrlist_free(l);

	l = parse_ok("Undisclosed recipients:;", 0, 1);
	m = mox_msg_addrlist_get(l, 0);
	assert_int_equal(m->kind, MOX_MSG_ADDR_EMPTY_GROUP);
	assert_string_equal(m->group, "Undisclosed recipients");
	assert_int_equal(m->group_index, 1);
	assert_string_equal(m->localpart, "");
	assert_string_equal(m->domain, "");
	mox_msg_addrlist_free(l);

	/* Groups and mailboxes mixed; same-named groups told apart. */
	l = parse_ok("a@x.test, G: b@x.test;, G: c@x.test; , E:;, d@x.test",
	    0, 5);
	assert_null(mox_msg_addrlist_get(l, 0)->group);
	assert_int_equal(mox_msg_addrlist_get(l, 1)->group_index, 1);
	assert_int_equal(mox_msg_addrlist_get(l, 2)->group_index, 2);
	assert_string_equal(mox_msg_addrlist_get(l, 2)->group, "G");
	assert_int_equal(mox_msg_addrlist_get(l, 3)->kind,
	    MOX_MSG_ADDR_EMPTY_GROUP);
	assert_null(mox_msg_addrlist_get(l, 4)->group);
	mox_msg_addrlist_free(l);

	/* Groups do not nest. */
	parse_err("A: B: c@d.test;;", 0, MOX_ESYNTAX, SIZE_MAX);
	/* Unterminated group. */
	parse_err("A: c@d.test", 0, MOX_ESYNTAX, 11);
}

static void
a5_comments(void **state)
{
	mox_msg_addrlist *l;
	const mox_msg_mailbox *m;

	(void)state;
	l = parse_ok("Pete(A nice \\) chap) <pete(his account)@silly.test"
		     "(his host)>", 0, 1);
	mb(l, 0, "Pete", "pete", "silly.test");
	mox_msg_addrlist_free(l);

	l = parse_ok("A Group(Some people)\r\n     :Chris Jones "
		     "<c@(Chris's host.)public.example>,\r\n"
		     "         joe@example.org,\r\n"
		     "  John <jdoe@one.test> (my dear friend); (the end of the "
		     "group)", 0, 3);
	mb(l, 0, "Chris Jones", "c", "public.example");
	mb(l, 1, "", "joe", "example.org");
	m = mb(l, 2, "John", "jdoe", "one.test");
	assert_string_equal(m->group, "A Group");
	mox_msg_addrlist_free(l);

	l = parse_ok("(Empty list)(start)Hidden recips  :(nobody(that I "
		     "know))  ;", 0, 1);
	m = mox_msg_addrlist_get(l, 0);
	assert_int_equal(m->kind, MOX_MSG_ADDR_EMPTY_GROUP);
	assert_string_equal(m->group, "Hidden recips");
	mox_msg_addrlist_free(l);

	/* The comment after an addr-spec is the name. */
	l = parse_ok("alice@x.test (Alice \\(A\\) Smith), bob@x.test", 0, 2);
	mb(l, 0, "Alice (A) Smith", "alice", "x.test");
	mb(l, 1, "", "bob", "x.test");
	mox_msg_addrlist_free(l);
	l = parse_ok("a@x.test (=?utf-8?q?J=C3=B6rg?=)", 0, 1);
	mb(l, 0, "J\xc3\xb6rg", "a", "x.test");
	mox_msg_addrlist_free(l);
}

static void
a6_obsolete(void **state)
{
	mox_msg_addrlist *l;

	(void)state;
	/* A.6.1 */
	l = parse_ok("Joe Q. Public <john.q.public@example.com>", 0, 1);
	mb(l, 0, "Joe Q. Public", "john.q.public", "example.com");
	mox_msg_addrlist_free(l);
	l = parse_ok("Mary Smith <@node.test:mary@example.net>, , jdoe@test  "
		     ". example", 0, 2);
	mb(l, 0, "Mary Smith", "mary", "example.net");
	mb(l, 1, "", "jdoe", "test.example");
	mox_msg_addrlist_free(l);
	/* A.6.3 */
	l = parse_ok(" John Doe <jdoe@machine(comment).  example>", 0, 1);
	mb(l, 0, "John Doe", "jdoe", "machine.example");
	mox_msg_addrlist_free(l);
	l = parse_ok(" Mary Smith\r\n  \r\n          <mary@example.net>", 0, 1);
	mb(l, 0, "Mary Smith", "mary", "example.net");
	mox_msg_addrlist_free(l);
	/* obs-route with several domains, obs-local-part. */
	l = parse_ok("<@a.test,@b.test , @c.test:u@h.test>, "
		     "john . q . \"public\" @ example.com", 0, 2);
	mb(l, 0, "", "u", "h.test");
	mb(l, 1, "", "john.q.public", "example.com");
	mox_msg_addrlist_free(l);
}

static void
quoting_and_literals(void **state)
{
	mox_msg_addrlist *l;
	const mox_msg_mailbox *m;

	(void)state;
	l = parse_ok("\"john doe\"@example.com, \"a\\\"b\"@x.test, "
		     "\"\"@x.test", 0, 3);
	mb(l, 0, "", "john doe", "example.com");
	mb(l, 1, "", "a\"b", "x.test");
	mb(l, 2, "", "", "x.test");
	mox_msg_addrlist_free(l);
	l = parse_ok("a@[1.2.3.4], b@[IPv6:: 1]", 0, 2);
	m = mb(l, 0, "", "a", "[1.2.3.4]");
	assert_null(m->domain_ascii);
	assert_null(m->domain_unicode);
	mb(l, 1, "", "b", "[IPv6::1]");
	mox_msg_addrlist_free(l);
	/* A folded quoted string. */
	l = parse_ok("\"Joe\r\n Smith\" <j@x.test>", 0, 1);
	mb(l, 0, "Joe Smith", "j", "x.test");
	mox_msg_addrlist_free(l);
	/* Invalid domain name: kept as written, no parsed forms. */
	l = parse_ok("a@-bad-.test", 0, 1);
	m = mb(l, 0, "", "a", "-bad-.test");
	assert_null(m->domain_ascii);
	mox_msg_addrlist_free(l);
	l = parse_ok("a@Example.COM", 0, 1);
	m = mb(l, 0, "", "a", "Example.COM");
	assert_string_equal(m->domain_ascii, "example.com");
	mox_msg_addrlist_free(l);
}

static void
encoded_and_utf8(void **state)
{
	mox_msg_addrlist *l;
	const mox_msg_mailbox *m;

	(void)state;
	/* RFC 2047 section 8 */
	l = parse_ok("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>, "
		     "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>, "
		     "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>, "
		     "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
		     "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)", 0, 4);
	mb(l, 0, "Keith Moore", "moore", "cs.utk.edu");
	mb(l, 1, "Keld J\xc3\xb8rn Simonsen", "keld", "dkuug.dk");
	mb(l, 2, "Andr\xc3\xa9 Pirard", "PIRARD", "vm1.ulg.ac.be");
	mb(l, 3, "Nathaniel Borenstein", "nsb", "thumper.bellcore.com");
	mox_msg_addrlist_free(l);
	/* Encoded-words inside quotes: decoded, as MUAs do. */
	l = parse_ok("\"=?utf-8?q?J=C3=B6rg?=\" <j@x.test>, "
		     "=?utf-8?q?Gr=C3=BCppe?=: a@x.test;", 0, 2);
	mb(l, 0, "J\xc3\xb6rg", "j", "x.test");
	m = mb(l, 1, "", "a", "x.test");
	assert_string_equal(m->group, "Gr\xc3\xbcppe");
	mox_msg_addrlist_free(l);
	l = parse_ok("=?utf-8?q?J=C3=B6rg?= <j@x.test>", MOX_MSG_ADDR_NO_2047,
	    1);
	mb(l, 0, "=?utf-8?q?J=C3=B6rg?=", "j", "x.test");
	mox_msg_addrlist_free(l);
	/* RFC 6532 */
	l = parse_ok("J\xc3\xb6rg <j\xc3\xb6rg@b\xc3\xbc" "cher.example>", 0,
	    1);
	m = mb(l, 0, "J\xc3\xb6rg", "j\xc3\xb6rg",
	    "b\xc3\xbc" "cher.example");
	assert_string_equal(m->domain_ascii, "xn--bcher-kva.example");
	assert_string_equal(m->domain_unicode, "b\xc3\xbc" "cher.example");
	mox_msg_addrlist_free(l);
	/* Invalid UTF-8 in a name becomes U+FFFD. */
	l = parse_ok("J\xf6rg <j@x.test>", 0, 1);
	mb(l, 0, "J\xef\xbf\xbdrg", "j", "x.test");
	mox_msg_addrlist_free(l);
}

static void
strict_errors(void **state)
{
	mox_msg_addrlist *l = NULL;

	(void)state;
	l = parse_ok("", 0, 0);
	mox_msg_addrlist_free(l);
	l = parse_ok(" , ,(c) ", 0, 0);
	mox_msg_addrlist_free(l);
	parse_err("John Doe", 0, MOX_ESYNTAX, 8);
	parse_err("a@", 0, MOX_ESYNTAX, 2);
	parse_err("a@b.test,x@", 0, MOX_ESYNTAX, 11);
	parse_err("<a@b.test", 0, MOX_ESYNTAX, 9);
	parse_err("<>", 0, MOX_ESYNTAX, 1);
	parse_err("a@b.test c@d.test", 0, MOX_ESYNTAX, 9);
	parse_err("\"unterminated <a@b.test>", 0, MOX_ESYNTAX, 0);
	parse_err("(unterminated a@b.test", 0, MOX_ESYNTAX, 0);
	parse_err("a@b.test (x", 0, MOX_ESYNTAX, 9);
	parse_err("John Doe john@x.test", 0, MOX_ESYNTAX, SIZE_MAX);
	parse_err("a..b@x.test", 0, MOX_ESYNTAX, SIZE_MAX);
	parse_err("a@x..test", 0, MOX_ESYNTAX, SIZE_MAX);
	parse_err("a@x.test.", 0, MOX_ESYNTAX, SIZE_MAX);
	parse_err("a@[1.2.3.4", 0, MOX_ESYNTAX, SIZE_MAX);
	parse_err(">", 0, MOX_ESYNTAX, 0);
	parse_err("a@b.test;", 0, MOX_ESYNTAX, 8);
	parse_err("G:;x", 0, MOX_ESYNTAX, 3);
	assert_int_equal(mox_msg_addrlist_parse(&l, U("a\0@b"), 4, 0, NULL),
	    MOX_ENUL);
	assert_int_equal(mox_msg_addrlist_parse(&l, NULL, 1, 0, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_addrlist_parse(NULL, U("a"), 1, 0, NULL),
	    MOX_EINVAL);
	mox_msg_addrlist_free(NULL);
	assert_int_equal(mox_msg_addrlist_count(NULL), 0);
	assert_null(mox_msg_addrlist_get(NULL, 0));
}

static void
lenient(void **state)
{
	mox_msg_addrlist *l;
	const mox_msg_mailbox *m;
	const unsigned int L = MOX_MSG_ADDR_LENIENT;

	(void)state;
	l = parse_ok("John Doe, a@b.test, <broken, c@d.test, x@", L, 2);
	mb(l, 0, "", "a", "b.test");
	mb(l, 1, "", "c", "d.test");
	assert_int_equal(mox_msg_addrlist_skipped(l), 3);
	mox_msg_addrlist_free(l);
	/* Missing angle brackets. */
	l = parse_ok("John Doe john@example.com", L, 1);
	mb(l, 0, "John Doe", "john", "example.com");
	mox_msg_addrlist_free(l);
	/* Unquoted specials in the name. */
	l = parse_ok("user@host.test <user@host.test>, Doe, John <j@x.test>, "
		     "\"a\" b@c <d@e.test>", L, 3);
	mb(l, 0, "user@host.test", "user", "host.test");
	mb(l, 1, "John", "j", "x.test");
	mb(l, 2, "a b@c", "d", "e.test");
	mox_msg_addrlist_free(l);
	/* Unterminated group, quoted string, comment, angle. */
	l = parse_ok("G: a@b.test", L, 1);
	m = mb(l, 0, "", "a", "b.test");
	assert_string_equal(m->group, "G");
	mox_msg_addrlist_free(l);
	l = parse_ok("Undisclosed-recipients:", L, 1);
	assert_int_equal(mox_msg_addrlist_get(l, 0)->kind,
	    MOX_MSG_ADDR_EMPTY_GROUP);
	mox_msg_addrlist_free(l);
	l = parse_ok("a@b.test (unterminated", L, 1);
	mb(l, 0, "unterminated", "a", "b.test");
	mox_msg_addrlist_free(l);
	l = parse_ok("\"Joe <j@x.test>", L, 0);
	mox_msg_addrlist_free(l);
	l = parse_ok("Joe <j@x.test", L, 1);
	mb(l, 0, "Joe", "j", "x.test");
	mox_msg_addrlist_free(l);
	/* Dots that strict mode refuses (seen in real Japanese mail). */
	l = parse_ok("a..b.@x.test, c@x.test.", L, 2);
	mb(l, 0, "", "a..b.", "x.test");
	mb(l, 1, "", "c", "x.test.");
	assert_string_equal(mox_msg_addrlist_get(l, 1)->domain_ascii,
	    "x.test");
	mox_msg_addrlist_free(l);
	/* Bad entries inside a group. */
	l = parse_ok("G: bad, a@b.test, worse; c@d.test", L, 2);
	assert_string_equal(mox_msg_addrlist_get(l, 0)->group, "G");
	assert_null(mox_msg_addrlist_get(l, 1)->group);
	mox_msg_addrlist_free(l);
}

static int
addr_once(void)
{
	static const char in[] =
	    "=?utf-8?q?J=C3=B6rg?= <j@b\xc3\xbc" "cher.example>, G: a@x.test, "
	    "\"q\" <b@y.test>;, E:;, c@z.test (Name), d@[1.2.3.4], "
	    "e@f.test, g@h.test, i@j.test";
	mox_msg_addrlist *l = NULL;
	int rc;

	rc = mox_msg_addrlist_parse(&l, U(in), sizeof(in) - 1,
	    MOX_MSG_ADDR_LENIENT, NULL);
	if (rc == MOX_OK) {
		assert_int_equal(mox_msg_addrlist_count(l), 9);
		assert_string_equal(mox_msg_addrlist_get(l, 0)->display_name,
		    "J\xc3\xb6rg");
		assert_string_equal(mox_msg_addrlist_get(l, 4)->display_name,
		    "Name");
	} else {
		assert_null(l);
	}
	mox_msg_addrlist_free(l);
	return rc;
}

static void
addr_nomem(void **state)
{
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1;; n++) {
		mox__fail_at = n;
		rc = addr_once();
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
	}
	assert_true(n > 5);
}

/* --- msg-ids --- */

static mox_msg_idlist *
ids_ok(const char *s, size_t count)
{
	mox_msg_idlist *l = NULL;

	assert_int_equal(mox_msg_idlist_parse(&l, U(s), strlen(s)), MOX_OK);
	assert_non_null(l);
	assert_int_equal(mox_msg_idlist_count(l), count);
	return l;
}

static void
id(const mox_msg_idlist *l, size_t i, const char *want)
{
	size_t n = 0;
	const char *s = mox_msg_idlist_get(l, i, &n);

	assert_non_null(s);
	assert_string_equal(s, want);
	assert_int_equal(n, strlen(want));
}

static void
msgids(void **state)
{
	mox_msg_idlist *l = NULL;

	(void)state;
	l = ids_ok(" <1234@local.machine.example>\r\n", 1);
	id(l, 0, "1234@local.machine.example");
	assert_null(mox_msg_idlist_get(l, 1, NULL));
	mox_msg_idlist_free(l);
	/* A.6.3 */
	l = ids_ok("<1234   @   local(blah)  .machine .example>", 1);
	id(l, 0, "1234@local.machine.example");
	mox_msg_idlist_free(l);
	/* References */
	l = ids_ok("<a@b> <c@d>\r\n <e@[1.2.3.4]>(x)<\"q r\"@s>", 4);
	id(l, 0, "a@b");
	id(l, 1, "c@d");
	id(l, 2, "e@[1.2.3.4]");
	id(l, 3, "\"q r\"@s");
	mox_msg_idlist_free(l);
	/* Obsolete In-Reply-To with phrases, bare ids, empty ids. */
	l = ids_ok("Your message of \"Mon, 1 Jan\" <a@b>, x@y <> ", 2);
	id(l, 0, "a@b");
	id(l, 1, "x@y");
	mox_msg_idlist_free(l);
	l = ids_ok("", 0);
	mox_msg_idlist_free(l);
	l = ids_ok("no ids here", 0);
	mox_msg_idlist_free(l);

	assert_int_equal(mox_msg_idlist_parse(&l, U("<a@b"), 4), MOX_ESYNTAX);
	assert_null(l);
	assert_int_equal(mox_msg_idlist_parse(&l, U("<a<b>"), 5), MOX_ESYNTAX);
	assert_int_equal(mox_msg_idlist_parse(&l, U("(x <a@b>"), 8),
	    MOX_ESYNTAX);
	assert_int_equal(mox_msg_idlist_parse(&l, U("\"x <a@b>"), 8),
	    MOX_ESYNTAX);
	assert_int_equal(mox_msg_idlist_parse(&l, U("<a\0@b>"), 6), MOX_ENUL);
	assert_int_equal(mox_msg_idlist_parse(NULL, U("x"), 1), MOX_EINVAL);
	mox_msg_idlist_free(NULL);
	assert_int_equal(mox_msg_idlist_count(NULL), 0);
}

static void
msgids_nomem(void **state)
{
	static const char in[] = "<a@b> <c@d> <e@f> <g@h> <i@j> k@l";
	mox_msg_idlist *l;
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1;; n++) {
		mox__fail_at = n;
		rc = mox_msg_idlist_parse(&l, U(in), sizeof(in) - 1);
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(l);
	}
	assert_int_equal(mox_msg_idlist_count(l), 6);
	id(l, 5, "k@l");
	mox_msg_idlist_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a1_simple),
		cmocka_unit_test(a13_groups),
		cmocka_unit_test(a5_comments),
		cmocka_unit_test(a6_obsolete),
		cmocka_unit_test(quoting_and_literals),
		cmocka_unit_test(encoded_and_utf8),
		cmocka_unit_test(strict_errors),
		cmocka_unit_test(lenient),
		cmocka_unit_test(addr_nomem),
		cmocka_unit_test(msgids),
		cmocka_unit_test(msgids_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
