/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the MIME part tree of <mox/message.h> (RFC 2045, RFC
 * 2046): structure, offsets, sizes and line counts of parts, delimiter
 * rules, limits, header fields, save/load round trips and the messages in
 * tests/data/msg. Expected offsets are computed here from the message text
 * (strstr), never by the code under test. Internal test (uses
 * mox__fail_at).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mox/message.h>

#include "base.h"

#ifndef MSG_DATA_DIR
#define MSG_DATA_DIR "tests/data/msg"
#endif

#define U(s) ((const uint8_t *)(s))
#define NONE SIZE_MAX

static const char *data_dir = MSG_DATA_DIR;

/* Offset of the first needle in s (which must contain it). */
static size_t
off(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);

	if (p == NULL)
		fail_msg("no [%s] in message", needle);
	return (size_t)(p - s);
}

/* Offset just after the first needle. */
static size_t
after(const char *s, const char *needle)
{
	return off(s, needle) + strlen(needle);
}

/* Offset of the needle's n-th occurrence (1-based). */
static size_t
offn(const char *s, const char *needle, int n)
{
	const char *p = s - 1;

	while (n-- > 0) {
		p = strstr(p + 1, needle);
		if (p == NULL)
			fail_msg("no [%s] in message", needle);
	}
	return (size_t)(p - s);
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
ctype_eq(const mox_msg_ctype *a, const mox_msg_ctype *b)
{
	size_t i, n;

	if (a == NULL || b == NULL)
		return a == b;
	if (strcmp(mox_msg_ctype_type(a), mox_msg_ctype_type(b)) != 0 ||
	    strcmp(mox_msg_ctype_subtype(a), mox_msg_ctype_subtype(b)) != 0)
		return false;
	n = mox_msg_ctype_param_count(a);
	if (n != mox_msg_ctype_param_count(b))
		return false;
	for (i = 0; i < n; i++) {
		const char *an, *av, *bn, *bv;

		mox_msg_ctype_param(a, i, &an, &av);
		mox_msg_ctype_param(b, i, &bn, &bv);
		if (strcmp(an, bn) != 0 || strcmp(av, bv) != 0)
			return false;
	}
	return true;
}

/* Every field of every part is the same. */
static void
same_tree(const mox_msg_tree *a, const mox_msg_tree *b)
{
	size_t i, n = mox_msg_tree_count(a);

	assert_int_equal(mox_msg_tree_count(b), n);
	for (i = 0; i < n; i++) {
		const mox_msg_part *p = mox_msg_tree_part(a, i);
		const mox_msg_part *q = mox_msg_tree_part(b, i);

		assert_int_equal(p->index, q->index);
		assert_int_equal(p->parent, q->parent);
		assert_int_equal(p->first_child, q->first_child);
		assert_int_equal(p->next_sibling, q->next_sibling);
		assert_int_equal(p->nchildren, q->nchildren);
		assert_int_equal(p->depth, q->depth);
		assert_int_equal(p->kind, q->kind);
		assert_int_equal(p->flags, q->flags);
		assert_int_equal(p->header_offset, q->header_offset);
		assert_int_equal(p->body_offset, q->body_offset);
		assert_int_equal(p->end_offset, q->end_offset);
		assert_int_equal(p->body_size, q->body_size);
		assert_int_equal(p->body_lines, q->body_lines);
		assert_int_equal(p->header_eol, q->header_eol);
		assert_string_equal(p->type, q->type);
		assert_string_equal(p->subtype, q->subtype);
		assert_true(ctype_eq(p->ctype, q->ctype));
		assert_int_equal(p->cte, q->cte);
		assert_string_equal(p->cte_name, q->cte_name);
		assert_true(ctype_eq(p->disposition, q->disposition));
		assert_true(str_eq(p->content_id, q->content_id));
		assert_true(str_eq(p->description, q->description));
		assert_true(str_eq(p->md5, q->md5));
		assert_true(str_eq(p->language, q->language));
		assert_true(str_eq(p->location, q->location));
	}
}

/*
 * Structural invariants and, with bodies, line counts and body flags
 * recomputed the slow way (a loaded tree trusts the saved ones).
 */
static void
check_tree_how(const mox_msg_tree *t, bool bodies)
{
	const uint8_t *m;
	size_t len, n, i, j, *sub;

	m = mox_msg_tree_message(t, &len);
	n = mox_msg_tree_count(t);
	assert_true(n >= 1);
	assert_null(mox_msg_tree_part(t, n));
	/* sub[i]: the index after part i's subtree */
	sub = malloc(n * sizeof(*sub));
	assert_non_null(sub);
	for (i = n; i-- > 0;) {
		const mox_msg_part *p = mox_msg_tree_part(t, i);
		size_t c, last = NONE;

		for (c = p->first_child; c != NONE;
		    c = mox_msg_tree_part(t, c)->next_sibling) {
			assert_true(c > i && c < n);
			last = c;
		}
		sub[i] = last == NONE ? i + 1 : sub[last];
	}
	for (i = 0; i < n; i++) {
		const mox_msg_part *p = mox_msg_tree_part(t, i);
		size_t lines = 0, c, k, last = NONE, end = i + 1;
		unsigned int fl = 0;

		assert_int_equal(p->index, i);
		assert_true(p->header_offset <= p->body_offset);
		assert_true(p->body_offset <= p->end_offset);
		assert_true(p->end_offset <= len);
		assert_int_equal(p->body_size, p->end_offset - p->body_offset);
		assert_non_null(p->type);
		assert_non_null(p->subtype);
		assert_non_null(p->cte_name);
		if (i == 0) {
			assert_int_equal(p->parent, NONE);
			assert_int_equal(p->depth, 0);
			assert_int_equal(p->header_offset, 0);
			assert_int_equal(p->end_offset, len);
			assert_int_equal(p->next_sibling, NONE);
		} else {
			const mox_msg_part *pp;

			assert_true(p->parent < i);
			pp = mox_msg_tree_part(t, p->parent);
			assert_int_equal(p->depth, pp->depth + 1);
			assert_true(p->header_offset >= pp->body_offset);
			assert_true(p->end_offset <= pp->end_offset);
		}
		for (j = p->body_offset; bodies && j < p->end_offset; j++) {
			if (m[j] == '\n') {
				lines++;
				if (j == 0 || m[j - 1] != '\r')
					fl |= MOX_MSG_PART_BODY_BARE_LF;
			} else if (m[j] == 0) {
				fl |= MOX_MSG_PART_BODY_NUL;
			} else if (m[j] >= 0x80) {
				fl |= MOX_MSG_PART_BODY_8BIT;
			}
		}
		if (bodies) {
			assert_int_equal(p->body_lines, lines);
			assert_int_equal(p->flags & (MOX_MSG_PART_BODY_8BIT |
			    MOX_MSG_PART_BODY_NUL | MOX_MSG_PART_BODY_BARE_LF),
			    fl);
		} else {
			assert_true(p->body_lines <= p->body_size);
		}
		if (p->flags & MOX_MSG_PART_NO_BODY_SEP)
			assert_int_equal(p->body_size, 0);
		/* children: pre-order, in order, not overlapping */
		k = 0;
		for (c = p->first_child; c != NONE;
		    c = mox_msg_tree_part(t, c)->next_sibling) {
			const mox_msg_part *cp = mox_msg_tree_part(t, c);

			assert_non_null(cp);
			assert_int_equal(cp->parent, i);
			assert_ptr_equal(mox_msg_tree_child(t, p, k), cp);
			assert_int_equal(c, end);
			if (last != NONE)
				assert_true(cp->header_offset >=
				    mox_msg_tree_part(t, last)->end_offset);
			end = sub[c];
			last = c;
			k++;
		}
		assert_int_equal(k, p->nchildren);
		assert_null(mox_msg_tree_child(t, p, k));
		switch (p->kind) {
		case MOX_MSG_PART_LEAF:
			assert_int_equal(p->nchildren, 0);
			break;
		case MOX_MSG_PART_MESSAGE: {
			const mox_msg_part *cp = mox_msg_tree_child(t, p, 0);

			assert_int_equal(p->nchildren, 1);
			assert_int_equal(cp->header_offset, p->body_offset);
			assert_int_equal(cp->end_offset, p->end_offset);
			break;
		}
		case MOX_MSG_PART_MULTIPART:
			assert_int_equal(p->nchildren == 0,
			    (p->flags & MOX_MSG_PART_NO_PARTS) != 0);
			break;
		default:
			fail();
		}
		assert_true(sub[i] <= n);
	}
	free(sub);
}

static void
check_tree(const mox_msg_tree *t)
{
	check_tree_how(t, true);
}

/* Save, load, compare; also save again and compare the bytes. */
static void
round_trip(const mox_msg_tree *t, const mox_msg_tree_options *o)
{
	uint8_t *d = NULL, *d2 = NULL;
	size_t dl = 0, dl2 = 0, len;
	const uint8_t *m = mox_msg_tree_message(t, &len);
	mox_msg_tree *t2 = NULL;

	assert_int_equal(mox_msg_tree_save(&d, &dl, t), MOX_OK);
	assert_true(dl >= 7);
	assert_int_equal(d[0], 1);
	assert_int_equal(mox_msg_tree_load(&t2, m, len, d, dl, o), MOX_OK);
	same_tree(t, t2);
	assert_int_equal(mox_msg_tree_save(&d2, &dl2, t2), MOX_OK);
	assert_int_equal(dl, dl2);
	assert_memory_equal(d, d2, dl);
	mox_msg_tree_free(t2);
	mox_msg_free(d);
	mox_msg_free(d2);
}

static mox_msg_tree *
parse_opts(const char *s, size_t len, const mox_msg_tree_options *o)
{
	mox_msg_tree *t = NULL;

	assert_int_equal(mox_msg_tree_parse(&t, U(s), len, o), MOX_OK);
	assert_non_null(t);
	check_tree(t);
	round_trip(t, o);
	return t;
}

static mox_msg_tree *
parse(const char *s)
{
	return parse_opts(s, strlen(s), NULL);
}

static const mox_msg_part *
part(const mox_msg_tree *t, size_t i)
{
	const mox_msg_part *p = mox_msg_tree_part(t, i);

	assert_non_null(p);
	return p;
}

/* Type, kind, offsets, lines and flags of part i in one call. */
static void
expect(const mox_msg_tree *t, size_t i, const char *type, int kind,
    size_t h, size_t b, size_t e, size_t lines, unsigned int flags)
{
	const mox_msg_part *p = part(t, i);
	char buf[128];

	snprintf(buf, sizeof(buf), "%s/%s", p->type, p->subtype);
	if (strcmp(buf, type) != 0 || p->kind != kind ||
	    p->header_offset != h || p->body_offset != b ||
	    p->end_offset != e || p->body_lines != lines ||
	    p->flags != flags)
		print_error("part %zu: %s kind %d h %zu b %zu e %zu lines %zu "
		    "flags %#x; want %s %d %zu %zu %zu %zu %#x\n", i, buf,
		    p->kind, p->header_offset, p->body_offset, p->end_offset,
		    p->body_lines, p->flags, type, kind, h, b, e, lines, flags);
	assert_string_equal(buf, type);
	assert_int_equal(p->kind, kind);
	assert_int_equal(p->header_offset, h);
	assert_int_equal(p->body_offset, b);
	assert_int_equal(p->end_offset, e);
	assert_int_equal(p->body_size, e - b);
	assert_int_equal(p->body_lines, lines);
	assert_int_equal(p->flags, flags);
}

#define LEAF MOX_MSG_PART_LEAF
#define MULTI MOX_MSG_PART_MULTIPART
#define MSG MOX_MSG_PART_MESSAGE

/* --- tests --- */

static void
test_single(void **state)
{
	static const char m[] =
	    "From: John Doe <jdoe@machine.example>\r\n"
	    "To: Mary Smith <mary@example.net>\r\n"
	    "Subject: Saying Hello\r\n"
	    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
	    "Message-ID: <1234@local.machine.example>\r\n"
	    "\r\n"
	    "This is a message just to say hello.\r\n"
	    "So, \"Hello\".\r\n";
	mox_msg_tree *t;
	const mox_msg_part *p;
	size_t len;

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 1);
	expect(t, 0, "text/plain", LEAF, 0, after(m, "\r\n\r\n"),
	    sizeof(m) - 1, 2, 0);
	p = part(t, 0);
	assert_int_equal(p->body_size, 52);
	assert_int_equal(p->header_eol, MOX_MSG_EOL_CRLF);
	assert_null(p->ctype);
	assert_null(p->disposition);
	assert_int_equal(p->cte, MOX_MSG_CTE_7BIT);
	assert_string_equal(p->cte_name, "7bit");
	assert_null(p->content_id);
	assert_null(p->description);
	assert_null(p->md5);
	assert_null(p->language);
	assert_null(p->location);
	assert_int_equal(p->first_child, NONE);
	assert_int_equal(p->next_sibling, NONE);
	assert_ptr_equal(mox_msg_tree_message(t, &len), U(m));
	assert_int_equal(len, sizeof(m) - 1);
	assert_ptr_equal(mox_msg_tree_message(t, NULL), U(m));
	mox_msg_tree_free(t);
}

/* RFC 2046 5.1.1: preamble, implicit typing, epilogue. */
static void
test_rfc2046(void **state)
{
	static const char m[] =
	    "From: Nathaniel Borenstein <nsb@bellcore.com>\r\n"
	    "To: Ned Freed <ned@innosoft.com>\r\n"
	    "Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)\r\n"
	    "Subject: Sample message\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-type: multipart/mixed; boundary=\"simple boundary\"\r\n"
	    "\r\n"
	    "This is the preamble.  It is to be ignored, though it\r\n"
	    "is a handy place for composition agents to include an\r\n"
	    "explanatory note to non-MIME conformant readers.\r\n"
	    "\r\n"
	    "--simple boundary\r\n"
	    "\r\n"
	    "This is implicitly typed plain US-ASCII text.\r\n"
	    "It does NOT end with a linebreak.\r\n"
	    "--simple boundary\r\n"
	    "Content-type: text/plain; charset=us-ascii\r\n"
	    "\r\n"
	    "This is explicitly typed plain US-ASCII text.\r\n"
	    "It DOES end with a linebreak.\r\n"
	    "\r\n"
	    "--simple boundary--\r\n"
	    "\r\n"
	    "This is the epilogue.  It is also to be ignored.\r\n";
	mox_msg_tree *t;
	const mox_msg_part *p;
	size_t h1 = after(m, "\r\n--simple boundary\r\n");
	size_t h2 = after(m, "linebreak.\r\n--simple boundary\r\n");

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 3);
	expect(t, 0, "multipart/mixed", MULTI, 0, after(m, "\r\n\r\n"),
	    sizeof(m) - 1, 17, 0);
	expect(t, 1, "text/plain", LEAF, h1, h1 + 2,
	    off(m, "\r\n--simple boundary\r\nContent-type"), 1, 0);
	expect(t, 2, "text/plain", LEAF, h2, after(m, "us-ascii\r\n\r\n"),
	    off(m, "\r\n--simple boundary--"), 2, 0);
	assert_int_equal(part(t, 1)->body_size, 80);
	assert_int_equal(part(t, 2)->body_size, 78);
	p = part(t, 0);
	assert_string_equal(mox_msg_ctype_get(p->ctype, "boundary"),
	    "simple boundary");
	assert_int_equal(p->first_child, 1);
	assert_int_equal(part(t, 1)->next_sibling, 2);
	assert_int_equal(part(t, 2)->next_sibling, NONE);
	assert_null(part(t, 1)->ctype);
	assert_string_equal(mox_msg_ctype_get(part(t, 2)->ctype, "charset"),
	    "us-ascii");
	assert_ptr_equal(mox_msg_tree_child(t, p, 1), part(t, 2));
	assert_null(mox_msg_tree_child(t, p, 2));
	mox_msg_tree_free(t);
}

/* Lines that are not delimiters, transport padding. */
static void
test_delimiters(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=\"bnd\"\r\n"
	    "\r\n"
	    "--bndX\r\n"
	    "--bnd \t \r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "--bndX is longer\r\n"
	    "--bnd-x\r\n"
	    "--bnd x\r\n"
	    " --bnd\r\n"
	    "---bnd\r\n"
	    "--BND\r\n"
	    "-- bnd\r\n"
	    "--bnd\r--\r\n"
	    "text --bnd\r\n"
	    "--bnd--x\r\n"
	    "--bnd\t\r\n"
	    "\r\n"
	    "second\r\n"
	    "--bnd-- \r\n"
	    "epilogue\r\n"
	    "--bnd\r\n";
	mox_msg_tree *t;
	size_t h1 = after(m, "--bnd \t \r\n"), h2 = after(m, "--bnd\t\r\n");

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 3);
	expect(t, 0, "multipart/mixed", MULTI, 0, after(m, "\r\n\r\n"),
	    sizeof(m) - 1, 20, 0);
	expect(t, 1, "text/plain", LEAF, h1, after(m, "printable\r\n\r\n"),
	    off(m, "\r\n--bnd\t\r\n"), 9, 0);
	assert_int_equal(part(t, 1)->cte, MOX_MSG_CTE_QUOTED_PRINTABLE);
	assert_string_equal(part(t, 1)->cte_name, "quoted-printable");
	expect(t, 2, "text/plain", LEAF, h2, h2 + 2, off(m, "\r\n--bnd-- "),
	    0, 0);
	mox_msg_tree_free(t);
}

static void
test_missing_close(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=xyz\r\n"
	    "\r\n"
	    "preamble\r\n"
	    "--xyz\r\n"
	    "\r\n"
	    "one\r\n"
	    "--xyz\r\n"
	    "\r\n"
	    "two, to the end";
	static const char none[] =
	    "Content-Type: multipart/mixed; boundary=xyz\r\n"
	    "\r\n"
	    "only a preamble\r\n"
	    "--xyzz\r\n";
	static const char close_only[] =
	    "Content-Type: multipart/mixed; boundary=xyz\r\n"
	    "\r\n"
	    "preamble\r\n"
	    "--xyz--\r\n"
	    "epilogue\r\n";
	mox_msg_tree *t;
	size_t h2 = offn(m, "--xyz\r\n", 2) + 7;

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 3);
	expect(t, 0, "multipart/mixed", MULTI, 0, after(m, "\r\n\r\n"),
	    sizeof(m) - 1, 6, MOX_MSG_PART_MISSING_CLOSE);
	expect(t, 2, "text/plain", LEAF, h2, h2 + 2, sizeof(m) - 1, 0, 0);
	mox_msg_tree_free(t);

	t = parse(none);
	assert_int_equal(mox_msg_tree_count(t), 1);
	expect(t, 0, "multipart/mixed", MULTI, 0, after(none, "\r\n\r\n"),
	    sizeof(none) - 1, 2, MOX_MSG_PART_NO_PARTS);
	mox_msg_tree_free(t);

	t = parse(close_only);
	assert_int_equal(mox_msg_tree_count(t), 1);
	expect(t, 0, "multipart/mixed", MULTI, 0,
	    after(close_only, "\r\n\r\n"), sizeof(close_only) - 1, 3,
	    MOX_MSG_PART_NO_PARTS);
	mox_msg_tree_free(t);
}

/* An enclosing multipart's delimiter ends an inner one. */
static void
test_nested_missing_close(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=outer\r\n"
	    "\r\n"
	    "--outer\r\n"
	    "Content-Type: multipart/alternative; boundary=inner\r\n"
	    "\r\n"
	    "--inner\r\n"
	    "\r\n"
	    "plain\r\n"
	    "--inner\r\n"
	    "Content-Type: text/html\r\n"
	    "\r\n"
	    "<p>html</p>\r\n"
	    "--outer\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "Content-Type: multipart/mixed; boundary=third\r\n"
	    "\r\n"
	    "--third\r\n"
	    "\r\n"
	    "deep\r\n"
	    "--outer--\r\n";
	mox_msg_tree *t;
	size_t inner_end = off(m, "\r\n--outer\r\nContent-Type: message");
	size_t h4 = after(m, "</p>\r\n--outer\r\n");
	size_t third_end = off(m, "\r\n--outer--");

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 7);
	expect(t, 1, "multipart/alternative", MULTI, after(m, "--outer\r\n"),
	    after(m, "inner\r\n\r\n"), inner_end, 6,
	    MOX_MSG_PART_MISSING_CLOSE);
	expect(t, 2, "text/plain", LEAF, after(m, "--inner\r\n"),
	    after(m, "--inner\r\n") + 2, off(m, "\r\n--inner\r\nContent"), 0,
	    0);
	expect(t, 3, "text/html", LEAF, after(m, "plain\r\n--inner\r\n"),
	    after(m, "html\r\n\r\n"), inner_end, 0, 0);
	expect(t, 4, "message/rfc822", MSG, h4, after(m, "rfc822\r\n\r\n"),
	    third_end, 4, 0);
	expect(t, 5, "multipart/mixed", MULTI, after(m, "rfc822\r\n\r\n"),
	    after(m, "third\r\n\r\n"), third_end, 2,
	    MOX_MSG_PART_MISSING_CLOSE);
	expect(t, 6, "text/plain", LEAF, after(m, "--third\r\n"),
	    after(m, "--third\r\n") + 2, third_end, 0, 0);
	mox_msg_tree_free(t);
}

/* Nested multiparts with the same boundary: the innermost wins. */
static void
test_same_boundary(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=same\r\n"
	    "\r\n"
	    "--same\r\n"
	    "Content-Type: multipart/mixed; boundary=same\r\n"
	    "\r\n"
	    "--same\r\n"
	    "\r\n"
	    "inner one\r\n"
	    "--same--\r\n"
	    "--same\r\n"
	    "\r\n"
	    "outer two\r\n"
	    "--same--\r\n";
	mox_msg_tree *t;
	size_t h3 = after(m, "--same--\r\n--same\r\n");

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 4);
	expect(t, 1, "multipart/mixed", MULTI, after(m, "--same\r\n"),
	    offn(m, "boundary=same\r\n\r\n", 2) + 17,
	    off(m, "\r\n--same\r\n\r\nouter"), 3, 0);
	expect(t, 2, "text/plain", LEAF, offn(m, "--same\r\n", 2) + 8,
	    offn(m, "--same\r\n", 2) + 10, off(m, "\r\n--same--"), 0, 0);
	expect(t, 3, "text/plain", LEAF, h3, h3 + 2,
	    offn(m, "\r\n--same--", 2), 0, 0);
	mox_msg_tree_free(t);
}

/* A delimiter line ends a header section; empty parts. */
static void
test_empty_parts(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=e\r\n"
	    "\r\n"
	    "--e\r\n"
	    "--e\r\n"
	    "Content-Type: text/html\r\n"
	    "--e\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "--e\r\n"
	    "\r\n"
	    "\r\n"
	    "--e--";
	mox_msg_tree *t;
	size_t d1 = offn(m, "--e\r\n", 1), d2 = offn(m, "--e\r\n", 2);
	size_t d3 = offn(m, "--e\r\n", 3), d4 = offn(m, "--e\r\n", 4);
	size_t d5 = off(m, "--e--");

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 5);
	assert_int_equal(d1 + 5, d2);
	expect(t, 1, "text/plain", LEAF, d2, d2, d2, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 1)->header_eol, 0);
	expect(t, 2, "text/html", LEAF, d2 + 5, d3 - 2, d3 - 2, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 2)->header_eol, 0);
	/* the empty line after the header is the line end of the delimiter
	 * that follows it: the header ends before it, no body */
	expect(t, 3, "text/plain", LEAF, d3 + 5, d4 - 2, d4 - 2, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 3)->header_eol, MOX_MSG_EOL_CRLF);
	expect(t, 4, "text/plain", LEAF, d4 + 5, d4 + 7, d4 + 7, 0, 0);
	assert_int_equal(d4 + 9, d5);
	mox_msg_tree_free(t);
}

/*
 * An empty line right after a part's header that is directly followed by
 * a delimiter line of an enclosing multipart is that delimiter's line end
 * (RFC 2046 5.1.1): the header section ends before it, the body is empty
 * and the part has MOX_MSG_PART_NO_BODY_SEP.
 */
static void
test_no_body_before_delimiter(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=e\r\n"
	    "\r\n"
	    "--e\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "--e--\r\n";
	/* a part that is only an empty line; an empty line before a line
	 * that only looks like a delimiter ends the header as usual */
	static const char only[] =
	    "Content-Type: multipart/mixed; boundary=e\r\n"
	    "\r\n"
	    "--e\r\n"
	    "\r\n"
	    "--e\r\n"
	    "\r\n"
	    "--ex\r\n"
	    "--e--\r\n";
	static const char lf[] =
	    "Content-Type: multipart/mixed; boundary=e\n"
	    "\n"
	    "--e\n"
	    "Content-Type: text/plain\n"
	    "\n"
	    "--e\n"
	    "\n"
	    "--e--\n";
	/* a multipart: it has no body, so no delimiters of its own; the
	 * next part is the outer's */
	static const char nested[] =
	    "Content-Type: multipart/mixed; boundary=o\r\n"
	    "\r\n"
	    "--o\r\n"
	    "Content-Type: multipart/alternative; boundary=i\r\n"
	    "\r\n"
	    "--o\r\n"
	    "\r\n"
	    "x\r\n"
	    "--o--\r\n";
	/* except when the line is also the multipart's own first delimiter
	 * (it reuses the enclosing boundary): the empty line ends its
	 * header and the innermost multipart takes the delimiters */
	static const char same[] =
	    "Content-Type: multipart/mixed; boundary=o\r\n"
	    "\r\n"
	    "--o\r\n"
	    "Content-Type: multipart/alternative; boundary=o\r\n"
	    "\r\n"
	    "--o\r\n"
	    "\r\n"
	    "x\r\n"
	    "--o--\r\n";
	mox_msg_tree *t;
	size_t h, b;

	(void)state;
	/* the root's empty line is followed by its own delimiter (none of
	 * an enclosing multipart): the root header ends as usual */
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 2);
	expect(t, 0, "multipart/mixed", MULTI, 0, 45, sizeof(m) - 1, 4, 0);
	expect(t, 1, "text/plain", LEAF, 50, 76, 76, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(after(m, "--e\r\n"), 50);
	assert_int_equal(off(m, "\r\n--e--"), 76);
	assert_int_equal(part(t, 1)->header_eol, MOX_MSG_EOL_CRLF);
	mox_msg_tree_free(t);

	t = parse(only);
	assert_int_equal(mox_msg_tree_count(t), 3);
	expect(t, 0, "multipart/mixed", MULTI, 0, 45, sizeof(only) - 1, 6, 0);
	h = offn(only, "--e\r\n", 1) + 5;
	assert_int_equal(h, 50);
	expect(t, 1, "text/plain", LEAF, h, h, h, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 1)->header_eol, 0);
	h = offn(only, "--e\r\n", 2) + 5;
	assert_int_equal(h, 57);
	expect(t, 2, "text/plain", LEAF, h, h + 2, off(only, "\r\n--e--"), 0,
	    0);
	assert_int_equal(part(t, 2)->header_eol, MOX_MSG_EOL_CRLF);
	mox_msg_tree_free(t);

	t = parse(lf);
	assert_int_equal(mox_msg_tree_count(t), 3);
	expect(t, 0, "multipart/mixed", MULTI, 0, 43, sizeof(lf) - 1, 6,
	    MOX_MSG_PART_BODY_BARE_LF);
	h = after(lf, "--e\n");
	b = off(lf, "\n--e\n\n--e--");
	assert_int_equal(h, 47);
	assert_int_equal(b, 72);
	expect(t, 1, "text/plain", LEAF, h, b, b, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 1)->header_eol, MOX_MSG_EOL_LF);
	h = after(lf, "plain\n\n--e\n");
	assert_int_equal(h, 77);
	expect(t, 2, "text/plain", LEAF, h, h, h, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 2)->header_eol, 0);
	mox_msg_tree_free(t);

	t = parse(nested);
	assert_int_equal(mox_msg_tree_count(t), 3);
	expect(t, 0, "multipart/mixed", MULTI, 0, 45, sizeof(nested) - 1, 7,
	    0);
	assert_int_equal(part(t, 0)->nchildren, 2);
	b = off(nested, "\r\n--o\r\n\r\nx");
	expect(t, 1, "multipart/alternative", MULTI, 50, b, b, 0,
	    MOX_MSG_PART_NO_BODY_SEP | MOX_MSG_PART_NO_PARTS);
	assert_int_equal(part(t, 1)->header_eol, MOX_MSG_EOL_CRLF);
	h = after(nested, "alternative; boundary=i\r\n\r\n--o\r\n");
	expect(t, 2, "text/plain", LEAF, h, h + 2, off(nested, "\r\n--o--"),
	    0, 0);
	assert_int_equal(part(t, 2)->parent, 0);
	mox_msg_tree_free(t);

	/* the close-delimiter is the inner one's: the outer has none */
	t = parse(same);
	assert_int_equal(mox_msg_tree_count(t), 3);
	expect(t, 0, "multipart/mixed", MULTI, 0, 45, sizeof(same) - 1, 7,
	    MOX_MSG_PART_MISSING_CLOSE);
	b = after(same, "alternative; boundary=o\r\n\r\n");
	assert_int_equal(b, 101);
	expect(t, 1, "multipart/alternative", MULTI, 50, b, sizeof(same) - 1,
	    4, 0);
	h = b + 5;
	expect(t, 2, "text/plain", LEAF, h, h + 2, off(same, "\r\n--o--"), 0,
	    0);
	assert_int_equal(part(t, 2)->parent, 1);
	mox_msg_tree_free(t);

	/* ... unless that multipart is cut to a leaf by max_depth: then the
	 * line is only the outer delimiter, and the empty line its line end */
	{
		static const char deep[] =
		    "Content-Type: multipart/mixed; boundary=a\r\n"
		    "\r\n"
		    "--a\r\n"
		    "Content-Type: multipart/mixed; boundary=a\r\n"
		    "\r\n"
		    "--a\r\n"
		    "\r\n"
		    "x\r\n"
		    "--a--\r\n";
		mox_msg_tree_options o = MOX_MSG_TREE_OPTIONS_INIT;

		o.max_depth = 1;
		t = parse_opts(deep, sizeof(deep) - 1, &o);
		b = off(deep, "\r\n--a\r\n\r\nx");
		assert_int_equal(b, 93);
		expect(t, 1, "multipart/mixed", LEAF, 50, b, b, 0,
		    MOX_MSG_PART_TRUNCATED | MOX_MSG_PART_NO_BODY_SEP);
		mox_msg_tree_free(t);
	}
}

static void
test_no_body_sep(void **state)
{
	static const char m[] =
	    "From: a@example.org\r\nSubject: no empty line\r\n";
	static const char m2[] =
	    "Content-Type: multipart/mixed; boundary=h\r\n"
	    "Subject: no end of line";
	static const char m3[] =
	    "Content-Type: message/rfc822\r\n";
	mox_msg_tree *t;

	(void)state;
	t = parse(m);
	expect(t, 0, "text/plain", LEAF, 0, sizeof(m) - 1, sizeof(m) - 1, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 0)->header_eol, MOX_MSG_EOL_CRLF);
	mox_msg_tree_free(t);

	t = parse(m2);
	expect(t, 0, "multipart/mixed", MULTI, 0, sizeof(m2) - 1,
	    sizeof(m2) - 1, 0,
	    MOX_MSG_PART_NO_BODY_SEP | MOX_MSG_PART_NO_PARTS);
	mox_msg_tree_free(t);

	/* the encapsulated message is empty */
	t = parse(m3);
	assert_int_equal(mox_msg_tree_count(t), 2);
	expect(t, 0, "message/rfc822", MSG, 0, sizeof(m3) - 1,
	    sizeof(m3) - 1, 0, MOX_MSG_PART_NO_BODY_SEP);
	expect(t, 1, "text/plain", LEAF, sizeof(m3) - 1, sizeof(m3) - 1,
	    sizeof(m3) - 1, 0, MOX_MSG_PART_NO_BODY_SEP);
	mox_msg_tree_free(t);

	t = parse("");
	expect(t, 0, "text/plain", LEAF, 0, 0, 0, 0, MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 0)->header_eol, 0);
	mox_msg_tree_free(t);

	/* a NULL message of length 0 */
	assert_int_equal(mox_msg_tree_parse(&t, NULL, 0, NULL), MOX_OK);
	assert_int_equal(mox_msg_tree_count(t), 1);
	check_tree(t);
	round_trip(t, NULL);
	mox_msg_tree_free(t);

	t = parse("\r\n");
	expect(t, 0, "text/plain", LEAF, 0, 2, 2, 0, 0);
	mox_msg_tree_free(t);
	t = parse("\nbody");
	expect(t, 0, "text/plain", LEAF, 0, 1, 5, 0, 0);
	assert_int_equal(part(t, 0)->header_eol, MOX_MSG_EOL_LF);
	mox_msg_tree_free(t);
}

static void
test_line_ends(void **state)
{
	static const char lf[] =
	    "Content-Type: multipart/mixed; boundary=lf\n"
	    "\n"
	    "--lf\n"
	    "\n"
	    "line one\n"
	    "line two\n"
	    "\n"
	    "--lf\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "crlf\r\n"
	    "--lf--\n";
	/* A bare CR is an ordinary octet: no delimiter, no line end. */
	static const char cr[] =
	    "Content-Type: multipart/mixed; boundary=cr\r\n"
	    "\r\n"
	    "--cr\r\n"
	    "\r\n"
	    "a\r--cr\rb\r\n"
	    "--cr\r\r\n"
	    "c\r\n"
	    "--cr--\r\n";
	static const char cronly[] = "Subject: x\rFrom: y\r\rbody\r";
	mox_msg_tree *t;
	size_t h1 = after(lf, "--lf\n"), h2 = after(lf, "two\n\n--lf\n");

	(void)state;
	t = parse(lf);
	assert_int_equal(mox_msg_tree_count(t), 3);
	expect(t, 0, "multipart/mixed", MULTI, 0, 2 + off(lf, "\n\n"),
	    sizeof(lf) - 1, 10, MOX_MSG_PART_BODY_BARE_LF);
	assert_int_equal(part(t, 0)->header_eol, MOX_MSG_EOL_LF);
	expect(t, 1, "text/plain", LEAF, h1, h1 + 1, h2 - 6, 2,
	    MOX_MSG_PART_BODY_BARE_LF);
	expect(t, 2, "text/plain", LEAF, h2, after(lf, "plain\r\n\r\n"),
	    off(lf, "\r\n--lf--"), 0, 0);
	assert_int_equal(part(t, 2)->header_eol, MOX_MSG_EOL_CRLF);
	mox_msg_tree_free(t);

	t = parse(cr);
	assert_int_equal(mox_msg_tree_count(t), 2);
	expect(t, 1, "text/plain", LEAF, after(cr, "--cr\r\n"),
	    after(cr, "--cr\r\n") + 2, off(cr, "\r\n--cr--"), 2, 0);
	mox_msg_tree_free(t);

	t = parse(cronly);
	expect(t, 0, "text/plain", LEAF, 0, sizeof(cronly) - 1,
	    sizeof(cronly) - 1, 0, MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 0)->header_eol, 0);
	mox_msg_tree_free(t);

	/* mixed line ends in one header section */
	t = parse("A: b\r\nC: d\n\r\nbody");
	assert_int_equal(part(t, 0)->header_eol, MOX_MSG_EOL_MIXED);
	mox_msg_tree_free(t);
}

static void
test_body_flags(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=f\r\n"
	    "\r\n"
	    "--f\r\n"
	    "\r\n"
	    "caf\xc3\xa9\r\n"
	    "--f\r\n"
	    "\r\n"
	    "nul \0 here\r\n"
	    "--f\r\n"
	    "\r\n"
	    "bare\nlf\r\n"
	    "--f\r\n"
	    "\r\n"
	    "clean\r\n"
	    "--f--\r\n";
	mox_msg_tree *t;

	(void)state;
	t = parse_opts(m, sizeof(m) - 1, NULL);
	assert_int_equal(mox_msg_tree_count(t), 5);
	assert_int_equal(part(t, 0)->flags, MOX_MSG_PART_BODY_8BIT |
	    MOX_MSG_PART_BODY_NUL | MOX_MSG_PART_BODY_BARE_LF);
	assert_int_equal(part(t, 1)->flags, MOX_MSG_PART_BODY_8BIT);
	assert_int_equal(part(t, 2)->flags, MOX_MSG_PART_BODY_NUL);
	assert_int_equal(part(t, 3)->flags, MOX_MSG_PART_BODY_BARE_LF);
	assert_int_equal(part(t, 3)->body_lines, 1);
	assert_int_equal(part(t, 4)->flags, 0);
	mox_msg_tree_free(t);
}

/* Line counts and body flags over many lengths and alignments: the
 * vectorized counting must agree with check_tree()'s byte loop. */
static void
test_counting(void **state)
{
	static const uint8_t alpha[] = { 'a', '\r', '\n', 0, 0x80, 'b',
		'-', ' ', 0xff, '\n', 'c', 'd', 'e', '\r', 'f', 'g' };
	/* header sections of 1, 2 and 5 octets shift the alignment */
	static const char *const hdr[] = { "\n", "\r\n", "A:b\n\n" };
	uint8_t *buf;
	uint32_t x = 12345;
	size_t n, i, j, hlen;
	mox_msg_tree *t;

	(void)state;
	buf = malloc(9000);
	assert_non_null(buf);
	for (n = 0; n < 8990; n += (n < 600 ? 1 : 397)) {
		for (j = 0; j < 3; j++) {
			hlen = strlen(hdr[j]);
			memcpy(buf, hdr[j], hlen);
			for (i = hlen; i < hlen + n; i++) {
				x = x * 1103515245u + 12345u;
				/* for some n only letters */
				if (n % 7 == 3)
					buf[i] = (uint8_t)('a' +
					    (x >> 16) % 26);
				else
					buf[i] = alpha[(x >> 16) % 16];
			}
			assert_int_equal(mox_msg_tree_parse(&t, buf, hlen + n,
			    NULL), MOX_OK);
			check_tree(t);
			mox_msg_tree_free(t);
		}
	}
	free(buf);
}

static void
test_message_rfc822(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=q\r\n"
	    "\r\n"
	    "--q\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "Subject: inner\r\n"
	    "\r\n"
	    "inner body\r\n"
	    "--q\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "U3ViamVjdDogeA0KDQp5DQo=\r\n"
	    "--q\r\n"
	    "Content-Type: message/global\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "\r\n"
	    "Subject: \xe2\x82\xac\r\n"
	    "\r\n"
	    "--q\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "--q\r\n"
	    "Content-Type: message/partial; id=x\r\n"
	    "\r\n"
	    "Subject: partial\r\n"
	    "--q--\r\n";
	mox_msg_tree *t;
	size_t h1 = after(m, "--q\r\n"), b1 = after(m, "rfc822\r\n\r\n");
	size_t e1 = off(m, "\r\n--q\r\nContent-Type: message/rfc822\r\n"
	    "Content-Transfer");
	size_t b5 = after(m, "8bit\r\n\r\n");
	size_t q6 = off(m, "--q\r\nContent-Type: message/rfc822\r\n\r\n--q");
	size_t e4 = off(m, "\r\n--q\r\nContent-Type: message/rfc822\r\n\r\n"
	    "--q");
	size_t d7 = off(m, "--q\r\nContent-Type: message/partial");
	size_t e6 = off(m, "\r\n--q\r\nContent-Type: message/partial");

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 9);
	expect(t, 1, "message/rfc822", MSG, h1, b1, e1, 2, 0);
	expect(t, 2, "text/plain", LEAF, b1, after(m, "inner\r\n\r\n"), e1, 0,
	    0);
	expect(t, 3, "message/rfc822", LEAF, after(m, "body\r\n--q\r\n"),
	    after(m, "base64\r\n\r\n"), off(m, "\r\n--q\r\nContent-Type: "
	    "message/global"), 0, 0);
	assert_int_equal(part(t, 3)->cte, MOX_MSG_CTE_BASE64);
	/* the empty line after the inner header is right before a
	 * delimiter: it is the delimiter's line end (RFC 2046 5.1.1), so the
	 * inner header has no empty line and no body, and the outer body is
	 * the inner header */
	expect(t, 4, "message/global", MSG, off(m, "Content-Type: message/g"),
	    b5, e4, 1, MOX_MSG_PART_BODY_8BIT);
	expect(t, 5, "text/plain", LEAF, b5, e4, e4, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 5)->header_eol, MOX_MSG_EOL_CRLF);
	/* the same for the header of a message/rfc822 part: no body, and
	 * the encapsulated message is empty too */
	expect(t, 6, "message/rfc822", MSG, q6 + 5, e6, e6, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	assert_int_equal(part(t, 6)->header_eol, MOX_MSG_EOL_CRLF);
	expect(t, 7, "text/plain", LEAF, e6, e6, e6, 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	expect(t, 8, "message/partial", LEAF, d7 + 5,
	    after(m, "id=x\r\n\r\n"), off(m, "\r\n--q--"), 0, 0);
	mox_msg_tree_free(t);
}

static void
test_digest(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/digest; boundary=next\r\n"
	    "\r\n"
	    "--next\r\n"
	    "\r\n"
	    "Subject: first\r\n"
	    "\r\n"
	    "first body\r\n"
	    "--next\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "plain\r\n"
	    "--next\r\n"
	    "Content-Type: bogus\r\n"
	    "\r\n"
	    "Subject: third\r\n"
	    "--next--\r\n";
	mox_msg_tree *t;

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_count(t), 6);
	expect(t, 1, "message/rfc822", MSG, after(m, "--next\r\n"),
	    after(m, "--next\r\n") + 2, off(m, "\r\n--next\r\nContent"), 2, 0);
	assert_null(part(t, 1)->ctype);
	expect(t, 2, "text/plain", LEAF, after(m, "--next\r\n") + 2,
	    after(m, "first\r\n\r\n"), off(m, "\r\n--next\r\nContent"), 0, 0);
	assert_string_equal(part(t, 3)->type, "text");
	/* a bad Content-Type in a digest gives the digest default */
	expect(t, 4, "message/rfc822", MSG, after(m, "plain\r\n--next\r\n"),
	    after(m, "bogus\r\n\r\n"), off(m, "\r\n--next--"), 0,
	    MOX_MSG_PART_BAD_CTYPE);
	expect(t, 5, "text/plain", LEAF, after(m, "bogus\r\n\r\n"),
	    off(m, "\r\n--next--"), off(m, "\r\n--next--"), 0,
	    MOX_MSG_PART_NO_BODY_SEP);
	mox_msg_tree_free(t);
}

static void
test_boundary_param(void **state)
{
	static const char nob[] =
	    "Content-Type: multipart/mixed\r\n"
	    "\r\n"
	    "--foo\r\n"
	    "\r\n"
	    "x\r\n"
	    "--foo--\r\n";
	static const char empty[] =
	    "Content-Type: multipart/mixed; boundary=\"  \"\r\n"
	    "\r\n"
	    "--\r\n";
	/* trailing space in the parameter is not part of the boundary;
	 * RFC 2231 and quoting work as everywhere */
	static const char sp[] =
	    "Content-Type: multipart/mixed; boundary=\"a b \"\r\n"
	    "\r\n"
	    "--a b\r\n"
	    "\r\n"
	    "x\r\n"
	    "--a b--\r\n";
	static const char prefix[] =
	    "Content-Type: multipart/mixed; boundary=abc\r\n"
	    "\r\n"
	    "--abc\r\n"
	    "Content-Type: multipart/related; boundary*=''abcdef\r\n"
	    "\r\n"
	    "--abcdef\r\n"
	    "\r\n"
	    "x\r\n"
	    "--abc\r\n"
	    "\r\n"
	    "y\r\n"
	    "--abcdef--\r\n"
	    "--abc--\r\n";
	mox_msg_tree *t;

	(void)state;
	t = parse(nob);
	expect(t, 0, "multipart/mixed", LEAF, 0, after(nob, "\r\n\r\n"),
	    sizeof(nob) - 1, 4, MOX_MSG_PART_NO_BOUNDARY);
	mox_msg_tree_free(t);
	t = parse(empty);
	expect(t, 0, "multipart/mixed", LEAF, 0, after(empty, "\r\n\r\n"),
	    sizeof(empty) - 1, 1, MOX_MSG_PART_NO_BOUNDARY);
	mox_msg_tree_free(t);
	t = parse(sp);
	assert_int_equal(mox_msg_tree_count(t), 2);
	expect(t, 1, "text/plain", LEAF, after(sp, "--a b\r\n"),
	    after(sp, "--a b\r\n") + 2, off(sp, "\r\n--a b--"), 0, 0);
	mox_msg_tree_free(t);
	/* "--abc" ends the inner multipart; "--abcdef--" is then only
	 * text of the outer part */
	t = parse(prefix);
	assert_int_equal(mox_msg_tree_count(t), 4);
	expect(t, 1, "multipart/related", MULTI, after(prefix, "--abc\r\n"),
	    after(prefix, "abcdef\r\n\r\n"),
	    off(prefix, "\r\n--abc\r\n\r\ny"), 2, MOX_MSG_PART_MISSING_CLOSE);
	expect(t, 3, "text/plain", LEAF, after(prefix, "x\r\n--abc\r\n"),
	    after(prefix, "x\r\n--abc\r\n") + 2, off(prefix, "\r\n--abc--"),
	    1, 0);
	mox_msg_tree_free(t);
}

/* Nesting deeper than max_depth, and max_parts. */
static void
test_limits(void **state)
{
	static const char deep[] =
	    "Content-Type: multipart/mixed; boundary=a\r\n"
	    "\r\n"
	    "--a\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n"
	    "--b\r\n"
	    "\r\n"
	    "x\r\n"
	    "--b--\r\n"
	    "--a--\r\n";
	static const char many[] =
	    "Content-Type: multipart/mixed; boundary=a\r\n"
	    "\r\n"
	    "--a\r\n"
	    "\r\n"
	    "1\r\n"
	    "--a\r\n"
	    "Content-Type: multipart/alternative; boundary=b\r\n"
	    "\r\n"
	    "--b\r\n\r\nb1\r\n--b\r\n\r\nb2\r\n--b\r\n\r\nb3\r\n"
	    "--b\r\n\r\nb4\r\n--b--\r\n"
	    "--a\r\n"
	    "\r\n"
	    "3\r\n"
	    "--a--\r\n";
	mox_msg_tree_options o = MOX_MSG_TREE_OPTIONS_INIT;
	mox_msg_tree *t;
	size_t i;

	(void)state;
	o.max_depth = 2;
	t = parse_opts(deep, sizeof(deep) - 1, &o);
	assert_int_equal(mox_msg_tree_count(t), 3);
	assert_int_equal(part(t, 1)->kind, MSG);
	assert_int_equal(part(t, 2)->kind, LEAF);
	assert_int_equal(part(t, 2)->depth, 2);
	assert_int_equal(part(t, 2)->flags, MOX_MSG_PART_TRUNCATED);
	assert_string_equal(part(t, 2)->subtype, "mixed");
	mox_msg_tree_free(t);

	o.max_depth = 0;
	t = parse_opts(deep, sizeof(deep) - 1, &o);
	expect(t, 0, "multipart/mixed", LEAF, 0, after(deep, "\r\n\r\n"),
	    sizeof(deep) - 1, 10, MOX_MSG_PART_TRUNCATED);
	mox_msg_tree_free(t);

	/* a huge max_depth: nesting is bounded by the message */
	o.max_depth = ~0u;
	t = parse_opts(deep, sizeof(deep) - 1, &o);
	assert_int_equal(mox_msg_tree_count(t), 4);
	mox_msg_tree_free(t);

	o.max_depth = 64;
	for (i = 0; i < 12; i++) {
		o.max_parts = i;
		t = parse_opts(many, sizeof(many) - 1, &o);
		if (i == 0 || i >= 8) {
			assert_int_equal(mox_msg_tree_count(t), 8);
		} else if (i < 4 || i == 7) {
			/* no room for a third child of the root */
			assert_int_equal(mox_msg_tree_count(t), 1);
			assert_int_equal(part(t, 0)->flags,
			    MOX_MSG_PART_TRUNCATED);
		} else {
			/* the alternative is a leaf, the root keeps its
			 * three parts */
			assert_int_equal(mox_msg_tree_count(t), 4);
			expect(t, 2, "multipart/alternative", LEAF,
			    after(many, "1\r\n--a\r\n"),
			    after(many, "b\r\n\r\n"),
			    off(many, "\r\n--a\r\n\r\n3"), 12,
			    MOX_MSG_PART_TRUNCATED);
			assert_int_equal(part(t, 3)->header_offset,
			    after(many, "--b--\r\n--a\r\n"));
		}
		mox_msg_tree_free(t);
	}
	/* a message/rfc822 needs room for its child when it is found */
	o.max_parts = 1;
	t = parse_opts("Content-Type: message/rfc822\r\n\r\nSubject: x\r\n",
	    44, &o);
	assert_int_equal(mox_msg_tree_count(t), 1);
	assert_int_equal(part(t, 0)->flags, MOX_MSG_PART_TRUNCATED);
	mox_msg_tree_free(t);
}

static void
test_header_fields(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=\"==cf==\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "--==cf==\r\n"
	    "content-type: Text/Plain; Charset=\"ISO-8859-1\"\r\n"
	    "CONTENT-TRANSFER-ENCODING: Quoted-Printable\r\n"
	    "Content-ID:\r\n"
	    "  <part1.0815@example.org>  \r\n"
	    "Content-Description: the first\r\n"
	    " part, folded\r\n"
	    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
	    "Content-Language: en-US, de\r\n"
	    "Content-Location: http://example.org/p1\r\n"
	    "Content-Disposition: inline; filename=\"a b.txt\"\r\n"
	    "Content-Description: ignored, the first one wins\r\n"
	    "Content-Disposition: attachment\r\n"
	    "Content-Foo: bar\r\n"
	    "\r\n"
	    "body\r\n"
	    "--==cf==\r\n"
	    "Content-Type: image/\r\n"
	    "Content-Transfer-Encoding: (old) X-UUEncode (really)\r\n"
	    "Content-Disposition: ;\r\n"
	    "not a field\r\n"
	    "Content-ID: <a\0b>\r\n"
	    "Content-ID: <second>\r\n"
	    "\r\n"
	    "begin 644 x\r\n"
	    "--==cf==\r\n"
	    "Content-Transfer-Encoding: \"quoted\" junk\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "--==cf==--\r\n";
	mox_msg_tree *t;
	const mox_msg_part *p;

	(void)state;
	t = parse_opts(m, sizeof(m) - 1, NULL);
	assert_int_equal(mox_msg_tree_count(t), 4);
	p = part(t, 0);
	assert_string_equal(p->type, "multipart");
	p = part(t, 1);
	assert_string_equal(p->type, "text");
	assert_string_equal(p->subtype, "plain");
	assert_string_equal(mox_msg_ctype_get(p->ctype, "charset"),
	    "ISO-8859-1");
	assert_int_equal(p->cte, MOX_MSG_CTE_QUOTED_PRINTABLE);
	assert_string_equal(p->cte_name, "quoted-printable");
	assert_string_equal(p->content_id, "<part1.0815@example.org>");
	assert_string_equal(p->description, "the first part, folded");
	assert_string_equal(p->md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
	assert_string_equal(p->language, "en-US, de");
	assert_string_equal(p->location, "http://example.org/p1");
	assert_non_null(p->disposition);
	assert_string_equal(mox_msg_ctype_type(p->disposition), "inline");
	assert_string_equal(mox_msg_ctype_get(p->disposition, "filename"),
	    "a b.txt");
	assert_int_equal(p->flags, 0);

	p = part(t, 2);
	assert_int_equal(p->flags,
	    MOX_MSG_PART_BAD_CTYPE | MOX_MSG_PART_BAD_HEADER);
	assert_string_equal(p->type, "text");
	assert_string_equal(p->subtype, "plain");
	assert_null(p->ctype);
	assert_int_equal(p->cte, MOX_MSG_CTE_OTHER);
	assert_string_equal(p->cte_name, "x-uuencode");
	assert_null(p->disposition);
	/* a field with NUL is skipped */
	assert_string_equal(p->content_id, "<second>");

	p = part(t, 3);
	assert_int_equal(p->cte, MOX_MSG_CTE_OTHER);
	assert_string_equal(p->cte_name, "\"quoted\" junk");
	assert_int_equal(p->body_size, 0);
	mox_msg_tree_free(t);
}

/* Header limits cut the fields, not the structure. */
static void
test_header_limits(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=l\r\n"
	    "X-Filler: 0123456789012345678901234567890123456789\r\n"
	    "\r\n"
	    "--l\r\n"
	    "X-A: 1\r\nX-B: 2\r\nX-C: 3\r\n"
	    "Content-Type: text/html\r\n"
	    "\r\n"
	    "html\r\n"
	    "--l--\r\n";
	mox_msg_tree_options o;
	mox_msg_tree *t, *t2;
	uint8_t *d;
	size_t dl;

	(void)state;
	assert_int_equal(mox_msg_tree_options_init(&o,
	    MOX_MSG_TREE_OPTIONS_VERSION), MOX_OK);
	o.header.max_fields = 3;
	t = parse_opts(m, sizeof(m) - 1, &o);
	assert_int_equal(mox_msg_tree_count(t), 2);
	expect(t, 1, "text/plain", LEAF, after(m, "--l\r\n"),
	    after(m, "html\r\n\r\n"), off(m, "\r\n--l--"), 0,
	    MOX_MSG_PART_BAD_HEADER);
	/* loading with other limits gives other flags: refused */
	assert_int_equal(mox_msg_tree_save(&d, &dl, t), MOX_OK);
	assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1, d, dl,
	    NULL), MOX_ESYNTAX);
	assert_null(t2);
	mox_msg_free(d);
	mox_msg_tree_free(t);

	o.header.max_fields = 0;
	o.header.max_header_size = 50;
	t = parse_opts(m, sizeof(m) - 1, &o);
	/* the root's Content-Type is within the limit */
	assert_int_equal(part(t, 0)->kind, MULTI);
	assert_int_equal(part(t, 0)->flags, MOX_MSG_PART_BAD_HEADER);
	assert_int_equal(part(t, 0)->body_offset, after(m, "789\r\n\r\n"));
	mox_msg_tree_free(t);
}

static void
test_args(void **state)
{
	mox_msg_tree_options o;
	mox_msg_tree *t = (mox_msg_tree *)1, *t2;
	uint8_t *d = (uint8_t *)1;
	size_t dl = 1;

	(void)state;
	assert_int_equal(mox_msg_tree_options_init(NULL, 1), MOX_EINVAL);
	assert_int_equal(mox_msg_tree_options_init(&o, 0), MOX_EVERSION);
	assert_int_equal(mox_msg_tree_options_init(&o,
	    MOX_MSG_TREE_OPTIONS_VERSION + 1), MOX_EVERSION);
	assert_int_equal(mox_msg_tree_options_init(&o, 1), MOX_OK);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.max_depth, 64);
	assert_int_equal(o.max_parts, 10000);
	assert_int_equal(o.header.version, MOX_MSG_OPTIONS_VERSION);
	assert_int_equal(o.header.max_header_size, 1 << 20);

	assert_int_equal(mox_msg_tree_parse(NULL, U("x"), 1, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_tree_parse(&t, NULL, 1, NULL), MOX_EINVAL);
	assert_null(t);
	o.version = 0;
	assert_int_equal(mox_msg_tree_parse(&t, U("x"), 1, &o), MOX_EVERSION);
	o.version = 2;
	assert_int_equal(mox_msg_tree_parse(&t, U("x"), 1, &o), MOX_EVERSION);
	o.version = 1;
	o.header.version = 0;
	assert_int_equal(mox_msg_tree_parse(&t, U("x"), 1, &o), MOX_EVERSION);
	o.header.version = 1;

	assert_int_equal(mox_msg_tree_count(NULL), 0);
	assert_null(mox_msg_tree_part(NULL, 0));
	assert_null(mox_msg_tree_child(NULL, NULL, 0));
	assert_null(mox_msg_tree_message(NULL, &dl));
	assert_int_equal(dl, 0);
	mox_msg_tree_free(NULL);

	assert_int_equal(mox_msg_tree_parse(&t, U("\r\nx"), 3, &o), MOX_OK);
	assert_int_equal(mox_msg_tree_parse(&t2, U("\r\ny"), 3, &o), MOX_OK);
	assert_null(mox_msg_tree_child(t, NULL, 0));
	/* a part of another tree */
	assert_null(mox_msg_tree_child(t, mox_msg_tree_part(t2, 0), 0));
	mox_msg_tree_free(t2);

	assert_int_equal(mox_msg_tree_save(NULL, &dl, t), MOX_EINVAL);
	assert_int_equal(mox_msg_tree_save(&d, NULL, t), MOX_EINVAL);
	assert_null(d);
	assert_int_equal(mox_msg_tree_save(&d, &dl, NULL), MOX_EINVAL);
	assert_int_equal(mox_msg_tree_save(&d, &dl, t), MOX_OK);
	assert_int_equal(mox_msg_tree_load(NULL, U("\r\nx"), 3, d, dl, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_tree_load(&t2, NULL, 3, d, dl, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_tree_load(&t2, U("\r\nx"), 3, NULL, 1, NULL),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_tree_load(&t2, U("\r\nx"), 3, d, dl, &o),
	    MOX_OK);
	mox_msg_tree_free(t2);
	o.version = 0;
	assert_int_equal(mox_msg_tree_load(&t2, U("\r\nx"), 3, d, dl, &o),
	    MOX_EVERSION);
	assert_null(t2);
	mox_msg_free(d);
	mox_msg_tree_free(t);
}

/* Corrupt, truncated and foreign save data is refused. */
static void
test_load_checks(void **state)
{
	static const char m[] =
	    "Content-Type: multipart/mixed; boundary=x\r\n"
	    "\r\n"
	    "--x\r\n"
	    "\r\n"
	    "one\r\n"
	    "--x\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "\r\n"
	    "Subject: two\r\n"
	    "\r\n"
	    "body\r\n"
	    "--x--\r\n";
	char other[sizeof(m)];
	mox_msg_tree *t, *t2;
	uint8_t *d, *c;
	size_t dl, i, bit;
	mox_msg_tree_options o = MOX_MSG_TREE_OPTIONS_INIT;

	(void)state;
	t = parse(m);
	assert_int_equal(mox_msg_tree_save(&d, &dl, t), MOX_OK);
	c = malloc(dl + 1);
	assert_non_null(c);

	/* every truncation fails */
	for (i = 0; i < dl; i++) {
		t2 = (mox_msg_tree *)1;
		assert_int_not_equal(mox_msg_tree_load(&t2, U(m),
		    sizeof(m) - 1, d, i, NULL), MOX_OK);
		assert_null(t2);
	}
	/* trailing data */
	memcpy(c, d, dl);
	c[dl] = 0;
	assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1, c,
	    dl + 1, NULL), MOX_ESYNTAX);
	/* unknown format */
	c[0] = 2;
	assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1, c, dl,
	    NULL), MOX_EVERSION);
	/* every single-bit flip fails cleanly or gives a valid tree */
	for (i = 1; i < dl; i++) {
		for (bit = 0; bit < 8; bit++) {
			int rc;

			memcpy(c, d, dl);
			c[i] ^= (uint8_t)(1u << bit);
			rc = mox_msg_tree_load(&t2, U(m), sizeof(m) - 1, c,
			    dl, NULL);
			if (rc == MOX_OK) {
				check_tree_how(t2, false);
				mox_msg_tree_free(t2);
			} else {
				assert_int_equal(rc, MOX_ESYNTAX);
			}
		}
	}
	/* another message */
	assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 2, d, dl,
	    NULL), MOX_ESYNTAX);
	memcpy(other, m, sizeof(m));
	memcpy(other + off(m, "message/rfc822"), "message/rfc821", 14);
	assert_int_equal(mox_msg_tree_load(&t2, U(other), sizeof(m) - 1, d,
	    dl, NULL), MOX_ESYNTAX);
	memcpy(other, m, sizeof(m));
	other[off(m, "--x\r\nContent") + 2] = 'y';
	assert_int_equal(mox_msg_tree_load(&t2, U(other), sizeof(m) - 1, d,
	    dl, NULL), MOX_ESYNTAX);
	memcpy(other, m, sizeof(m));
	other[off(m, "Subject: two\r\n\r\n") + 14] = 'X';
	assert_int_equal(mox_msg_tree_load(&t2, U(other), sizeof(m) - 1, d,
	    dl, NULL), MOX_ESYNTAX);
	/* other limits */
	o.max_depth = 1;
	assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1, d, dl,
	    &o), MOX_ESYNTAX);
	o.max_depth = 64;
	o.max_parts = 3;
	assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1, d, dl,
	    &o), MOX_ESYNTAX);
	/* hand-made data: a part count that cannot fit */
	{
		static const uint8_t big[] = { 1, 0xff, 0xff, 0x03, 0, 0, 0,
			0, 0, 0 };
		static const uint8_t overlong[] = { 1, 0x81, 0x00, 0, 0, 0,
			0, 0, 0 };
		static const uint8_t huge[] = { 1, 1, 0, 0, 0, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0 };

		assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1,
		    big, sizeof(big), NULL), MOX_ESYNTAX);
		assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1,
		    overlong, sizeof(overlong), NULL), MOX_ESYNTAX);
		assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1,
		    huge, sizeof(huge), NULL), MOX_ESYNTAX);
		assert_int_equal(mox_msg_tree_load(&t2, U(m), sizeof(m) - 1,
		    big, 0, NULL), MOX_ESYNTAX);
	}
	free(c);
	mox_msg_free(d);
	mox_msg_tree_free(t);
}

/* Hostile shapes finish quickly (the test would time out otherwise). */
static void
test_hostile(void **state)
{
	mox__buf b = MOX__BUF_INIT;
	mox_msg_tree_options o = MOX_MSG_TREE_OPTIONS_INIT;
	mox_msg_tree *t;
	size_t i;

	(void)state;
	/* 5000 nested multiparts with one boundary (each header's empty
	 * line is followed by the part's own first delimiter line, see
	 * test_no_body_before_delimiter), then 200000 lines that are each
	 * a delimiter */
	for (i = 0; i < 5000; i++)
		mox__buf_adds(&b, "Content-Type: multipart/mixed; boundary=a"
		    "\r\n\r\n--a\r\n");
	for (i = 0; i < 200000; i++)
		mox__buf_adds(&b, "--a\r\n");
	assert_int_equal(b.err, MOX_OK);
	assert_int_equal(mox_msg_tree_parse(&t, (uint8_t *)b.p, b.len, NULL),
	    MOX_OK);
	assert_true(mox_msg_tree_count(t) <= 10000);
	check_tree_how(t, false);
	round_trip(t, NULL);
	mox_msg_tree_free(t);
	o.max_depth = ~0u;
	o.max_parts = 0;
	assert_int_equal(mox_msg_tree_parse(&t, (uint8_t *)b.p, b.len, &o),
	    MOX_OK);
	/* 5000 multiparts; the innermost has a part after each of the
	 * 200001 delimiter lines it sees */
	assert_int_equal(mox_msg_tree_count(t), 5000 + 200001);
	assert_int_equal(mox_msg_tree_part(t, 4999)->nchildren, 200001);
	check_tree_how(t, false);
	round_trip(t, &o);
	mox_msg_tree_free(t);
	mox__buf_free(&b);

	/* 60 distinct nested boundaries and a million "--" lines that
	 * match none */
	for (i = 0; i < 60; i++)
		mox__buf_addf(&b, "Content-Type: multipart/mixed; "
		    "boundary=b%zu\r\n\r\n--b%zu\r\n", i, i);
	mox__buf_adds(&b, "\r\n");
	for (i = 0; i < 1000000; i++)
		mox__buf_adds(&b, "--b\r\n");
	assert_int_equal(b.err, MOX_OK);
	assert_int_equal(mox_msg_tree_parse(&t, (uint8_t *)b.p, b.len, NULL),
	    MOX_OK);
	assert_int_equal(mox_msg_tree_count(t), 61);
	assert_int_equal(mox_msg_tree_part(t, 60)->body_lines, 1000000);
	assert_int_equal(mox_msg_tree_part(t, 59)->flags,
	    MOX_MSG_PART_MISSING_CLOSE);
	mox_msg_tree_free(t);
	mox__buf_free(&b);
}

/* Every message of tests/data/msg parses, is consistent and round-trips;
 * some have known shapes. */
static void
test_data_files(void **state)
{
	DIR *dir;
	struct dirent *de;
	int nfiles = 0;

	(void)state;
	dir = opendir(data_dir);
	if (dir == NULL)
		fail_msg("cannot open %s", data_dir);
	while ((de = readdir(dir)) != NULL) {
		char path[4096];
		FILE *f;
		long n;
		uint8_t *buf;
		mox_msg_tree *t;
		size_t len;
		const char *name = de->d_name;

		len = strlen(name);
		if (len < 4 || strcmp(name + len - 4, ".eml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", data_dir, name);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		n = ftell(f);
		assert_true(n >= 0);
		rewind(f);
		buf = malloc((size_t)n + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		assert_int_equal(mox_msg_tree_parse(&t, buf, (size_t)n, NULL),
		    MOX_OK);
		check_tree(t);
		round_trip(t, NULL);
		if (strcmp(name, "rfc3501-fetch-multipart.eml") == 0) {
			/* RFC 3501 7.4.2 */
			assert_int_equal(mox_msg_tree_count(t), 3);
			assert_int_equal(part(t, 1)->body_size, 1152);
			assert_int_equal(part(t, 1)->body_lines, 23);
			assert_int_equal(part(t, 2)->body_size, 4554);
			assert_int_equal(part(t, 2)->body_lines, 73);
			assert_string_equal(part(t, 2)->content_id,
			    "<960723163407.20117h@cac.washington.edu>");
			assert_string_equal(part(t, 2)->description,
			    "Compiler diff");
			assert_string_equal(part(t, 2)->cte_name, "base64");
		} else if (strcmp(name, "rfc3501-fetch-text.eml") == 0) {
			assert_int_equal(part(t, 0)->body_size, 3028);
			assert_int_equal(part(t, 0)->body_lines, 92);
		} else if (strcmp(name, "rfc2049-appendix-a.eml") == 0) {
			assert_int_equal(mox_msg_tree_count(t), 9);
			assert_int_equal(part(t, 0)->nchildren, 5);
			assert_string_equal(part(t, 3)->subtype, "parallel");
			assert_int_equal(part(t, 3)->nchildren, 2);
			assert_int_equal(part(t, 7)->kind, MSG);
			assert_string_equal(part(t, 8)->cte_name,
			    "quoted-printable");
		} else if (strcmp(name, "rfc2046-5.1.5-digest.eml") == 0) {
			assert_int_equal(mox_msg_tree_count(t), 7);
			assert_int_equal(part(t, 3)->kind, MSG);
			assert_int_equal(part(t, 5)->kind, MSG);
			assert_int_equal(part(t, 0)->flags, 0);
			assert_int_equal(part(t, 2)->flags, 0);
		} else if (strcmp(name, "deep-multipart.eml") == 0 ||
		    strcmp(name, "deep-rfc822.eml") == 0) {
			assert_int_equal(mox_msg_tree_count(t), 65);
			assert_int_equal(part(t, 64)->depth, 64);
			assert_int_equal(part(t, 64)->flags,
			    MOX_MSG_PART_TRUNCATED);
		} else if (strcmp(name, "nested-forward.eml") == 0) {
			assert_int_equal(mox_msg_tree_count(t), 7);
			assert_int_equal(part(t, 2)->kind, MSG);
			assert_int_equal(part(t, 3)->kind, MULTI);
			assert_int_equal(part(t, 5)->kind, MSG);
			assert_int_equal(part(t, 6)->depth, 4);
		} else if (strcmp(name, "qp-boundary-lookalike.eml") == 0) {
			assert_int_equal(mox_msg_tree_count(t), 3);
		} else if (strcmp(name, "rfc5322-a6.3-obs-wsp.eml") == 0) {
			assert_int_equal(part(t, 0)->body_lines, 2);
		}
		mox_msg_tree_free(t);
		free(buf);
		nfiles++;
	}
	closedir(dir);
	assert_true(nfiles >= 25);
}

static int
alloc_once(const char *m, size_t len)
{
	mox_msg_tree *t = NULL, *t2 = NULL;
	uint8_t *d = NULL;
	size_t dl;
	int rc;

	rc = mox_msg_tree_parse(&t, U(m), len, NULL);
	if (rc != MOX_OK) {
		assert_null(t);
		return rc;
	}
	rc = mox_msg_tree_save(&d, &dl, t);
	if (rc != MOX_OK) {
		assert_null(d);
		mox_msg_tree_free(t);
		return rc;
	}
	rc = mox_msg_tree_load(&t2, U(m), len, d, dl, NULL);
	if (rc == MOX_OK) {
		same_tree(t, t2);
		mox_msg_tree_free(t2);
	} else {
		assert_null(t2);
	}
	mox_msg_free(d);
	mox_msg_tree_free(t);
	return rc;
}

static void
test_alloc_fail(void **state)
{
	mox__buf b = MOX__BUF_INIT;
	unsigned long n;
	size_t i;
	int rc = MOX_ENOMEM;

	(void)state;
	/* enough parts and depth to grow the part array and the stacks */
	mox__buf_adds(&b, "Content-Type: multipart/mixed; boundary=r\r\n\r\n");
	for (i = 0; i < 20; i++)
		mox__buf_addf(&b, "--r\r\nContent-Type: text/plain; "
		    "charset=utf-8\r\nContent-ID: <%zu>\r\n"
		    "Content-Transfer-Encoding: x-foo\r\n"
		    "Content-Disposition: inline\r\n\r\nx\r\n", i);
	mox__buf_adds(&b, "--r\r\n");
	for (i = 0; i < 20; i++)
		mox__buf_addf(&b, "Content-Type: message/rfc822\r\n\r\n");
	mox__buf_adds(&b, "\r\n--r--\r\n");
	assert_int_equal(b.err, MOX_OK);
	for (n = 1; n < 100000; n++) {
		mox__fail_at = n;
		rc = alloc_once(b.p, b.len);
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
	}
	assert_int_equal(rc, MOX_OK);
	assert_true(n > 20);
	mox__buf_free(&b);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_rfc2046),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_missing_close),
		cmocka_unit_test(test_nested_missing_close),
		cmocka_unit_test(test_same_boundary),
		cmocka_unit_test(test_empty_parts),
		cmocka_unit_test(test_no_body_before_delimiter),
		cmocka_unit_test(test_no_body_sep),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_body_flags),
		cmocka_unit_test(test_counting),
		cmocka_unit_test(test_message_rfc822),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_boundary_param),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_header_limits),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_load_checks),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_data_files),
		cmocka_unit_test(test_alloc_fail),
	};

	if (argc > 1)
		data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
