/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the IMAP views of <mox/message.h>: BODYSTRUCTURE and
 * BODY (RFC 3501 7.4.2, RFC 9051 7.5.2), ENVELOPE, BODY[section] (RFC 3501
 * 6.4.5) and BINARY[section] (RFC 3516). Internal test (uses
 * mox__fail_at).
 */
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

#define U(s) ((const uint8_t *)(s))
#define EXT MOX_MSG_IMAP_EXTENDED
#define UTF8 MOX_MSG_IMAP_UTF8

static mox_msg_tree *
tree(const char *msg, size_t len)
{
	mox_msg_tree *t = NULL;

	assert_int_equal(mox_msg_tree_parse(&t, U(msg), len, NULL), MOX_OK);
	assert_non_null(t);
	return t;
}

#define TREE(m) tree((m), sizeof(m) - 1)

static void
bs_eq(const mox_msg_tree *t, const mox_msg_part *part, unsigned int flags,
    const char *want)
{
	char *s = NULL;
	size_t len = 0;
	int rc;

	rc = mox_msg_imap_bodystructure(&s, &len, t, part, flags);
	assert_int_equal(rc, MOX_OK);
	assert_non_null(s);
	if (strcmp(s, want) != 0)
		print_error("bodystructure\n got: %s\nwant: %s\n", s, want);
	assert_string_equal(s, want);
	assert_int_equal(len, strlen(want));
	mox_msg_free(s);
}

static void
env_eq(const mox_msg_tree *t, const mox_msg_part *part, unsigned int flags,
    const char *want)
{
	char *s = NULL;
	size_t len = 0;
	int rc;

	rc = mox_msg_imap_envelope(&s, &len, t, part, flags);
	assert_int_equal(rc, MOX_OK);
	assert_non_null(s);
	if (strcmp(s, want) != 0)
		print_error("envelope\n got: %s\nwant: %s\n", s, want);
	assert_string_equal(s, want);
	assert_int_equal(len, strlen(want));
	mox_msg_free(s);
}

/* Envelope of a message that has only the given header fields. */
static void
env1(const char *hdr, unsigned int flags, const char *want)
{
	char msg[4096];
	mox_msg_tree *t;
	int n;

	n = snprintf(msg, sizeof(msg), "%s\r\nbody\r\n", hdr);
	assert_true(n > 0 && (size_t)n < sizeof(msg));
	t = tree(msg, (size_t)n);
	env_eq(t, NULL, flags, want);
	mox_msg_tree_free(t);
}

static void
fetch_eq(const mox_msg_tree *t, const char *section, unsigned int flags,
    const char *want, size_t wantlen)
{
	mox_msg_imap_data d = MOX_MSG_IMAP_DATA_INIT;
	int rc;

	rc = mox_msg_imap_fetch(&d, t, section, strlen(section), flags);
	if (rc != MOX_OK)
		print_error("fetch [%s]: %d\n", section, rc);
	assert_int_equal(rc, MOX_OK);
	if (d.data.len != wantlen || memcmp(d.data.ptr, want, wantlen) != 0)
		print_error("fetch [%s]\n got: [%.*s]\nwant: [%.*s]\n",
		    section, (int)d.data.len, (const char *)d.data.ptr,
		    (int)wantlen, want);
	assert_int_equal(d.data.len, wantlen);
	assert_memory_equal(d.data.ptr, want, wantlen);
	mox_msg_imap_data_release(&d);
	assert_null(d.data.ptr);
	assert_null(d.owned_);
	assert_int_equal(d.version, MOX_MSG_IMAP_DATA_VERSION);
}

#define FETCH(t, sec, want) fetch_eq((t), (sec), 0, (want), sizeof(want) - 1)

static void
fetch_rc(const mox_msg_tree *t, const char *section, unsigned int flags,
    int want)
{
	mox_msg_imap_data d = MOX_MSG_IMAP_DATA_INIT;
	int rc;

	rc = mox_msg_imap_fetch(&d, t, section, strlen(section), flags);
	if (rc != want)
		print_error("fetch [%s]: %d, want %d\n", section, rc, want);
	assert_int_equal(rc, want);
	assert_null(d.data.ptr);
	assert_int_equal(d.data.len, 0);
	assert_null(d.owned_);
	mox_msg_imap_data_release(&d);
}

/* Whether a fetch result points into the message (no copy). */
static bool
fetch_is_slice(const mox_msg_tree *t, const char *section,
    unsigned int flags)
{
	mox_msg_imap_data d = MOX_MSG_IMAP_DATA_INIT;
	const uint8_t *msg;
	size_t len;
	bool in;

	assert_int_equal(mox_msg_imap_fetch(&d, t, section, strlen(section),
	    flags), MOX_OK);
	msg = mox_msg_tree_message(t, &len);
	in = d.data.ptr >= msg && d.data.ptr + d.data.len <= msg + len &&
	    d.owned_ == NULL;
	mox_msg_imap_data_release(&d);
	return in;
}

static size_t
count_lf(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* --- RFC 3501 7.4.2: the BODYSTRUCTURE example --- */

/* Built at run time: ISO C limits string literals to 4095 octets. */
#define L48 "The quick brown fox jumps over the lazy dog 0123\r\n"
#define L50 "The quick brown fox jumps over the lazy dog 012345\r\n"
#define B60 "Y29tcGlsZXIgZGlmZiBjb21waWxlciBkaWZmIGNvbXBpbGVyIGRpZmYgY29t\r\n"
#define B88 "Y29tcGlsZXIgZGlmZiBjb21waWxlciBkaWZmIGNvbXBpbGVyIGRpZmYgY29t" \
	"cGlsZXIgZGlmZiBjb21waWxlciBk\r\n"

struct rfc3501 {
	char msg[8192];
	char text[1200];   /* 22 lines of 48 octets, one of 50: 1152, 23 */
	char b64[4600];    /* 72 lines of 60 octets, one of 88: 4554, 73 */
	size_t len;
};

static void
add(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(buf), m = strlen(s);

	assert_true(n + m < cap);
	memcpy(buf + n, s, m + 1);
}

static void
rfc3501_build(struct rfc3501 *r)
{
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 22; i++)
		add(r->text, sizeof(r->text), L48);
	add(r->text, sizeof(r->text), L50);
	for (i = 0; i < 72; i++)
		add(r->b64, sizeof(r->b64), B60);
	add(r->b64, sizeof(r->b64), B88);
	add(r->msg, sizeof(r->msg),
	    "From: Terry Gray <gray@cac.washington.edu>\r\n"
	    "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: MULTIPART/MIXED; BOUNDARY=\"xyz\"\r\n"
	    "\r\n"
	    "--xyz\r\n"
	    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
	    "\r\n");
	add(r->msg, sizeof(r->msg), r->text);
	add(r->msg, sizeof(r->msg),
	    "\r\n--xyz\r\n"
	    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII; NAME=cc.diff\r\n"
	    "Content-ID: <960723163407.20117h@cac.washington.edu>\r\n"
	    "Content-Description: Compiler diff\r\n"
	    "Content-Transfer-Encoding: BASE64\r\n"
	    "\r\n");
	add(r->msg, sizeof(r->msg), r->b64);
	add(r->msg, sizeof(r->msg), "\r\n--xyz--\r\n");
	r->len = strlen(r->msg);
}

static void
test_rfc3501_example(void **state)
{
	static struct rfc3501 r;
	mox_msg_tree *t;

	(void)state;
	rfc3501_build(&r);
	assert_int_equal(strlen(r.text), 1152);
	assert_int_equal(count_lf(r.text), 23);
	assert_int_equal(strlen(r.b64), 4554);
	assert_int_equal(count_lf(r.b64), 73);
	t = tree(r.msg, r.len);
	/* RFC 3501 7.4.2, the example of BODYSTRUCTURE (BODY form) */
	bs_eq(t, NULL, 0,
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" "
	    "\"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" "
	    "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")");
	bs_eq(t, NULL, EXT,
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "1152 23 NIL NIL NIL NIL)(\"TEXT\" \"PLAIN\" (\"CHARSET\" "
	    "\"US-ASCII\" \"NAME\" \"cc.diff\") "
	    "\"<960723163407.20117h@cac.washington.edu>\" "
	    "\"Compiler diff\" \"BASE64\" 4554 73 NIL NIL NIL NIL) \"MIXED\" "
	    "(\"BOUNDARY\" \"xyz\") NIL NIL NIL)");
	env_eq(t, NULL, 0,
	    "(NIL \"IMAP4rev1 WG mtg summary and minutes\" "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "NIL NIL NIL NIL NIL)");
	fetch_eq(t, "1", 0, r.text, strlen(r.text));
	fetch_eq(t, "2", 0, r.b64, strlen(r.b64));
	FETCH(t, "2.MIME",
	    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII; NAME=cc.diff\r\n"
	    "Content-ID: <960723163407.20117h@cac.washington.edu>\r\n"
	    "Content-Description: Compiler diff\r\n"
	    "Content-Transfer-Encoding: BASE64\r\n"
	    "\r\n");
	mox_msg_tree_free(t);
}

/* The RFC 3501 6.4.5 example of part numbering, with small bodies. */
#define P3 \
	"Subject: part 3\r\n" \
	"Content-Type: multipart/mixed; boundary=inner3\r\n" \
	"\r\n" \
	"--inner3\r\n" \
	"\r\n" \
	"part 3.1\r\n" \
	"--inner3\r\n" \
	"Content-Type: application/octet-stream\r\n" \
	"\r\n" \
	"part 3.2\r\n" \
	"--inner3--"
#define P422 \
	"--alt\r\n" \
	"\r\n" \
	"part 4.2.2.1\r\n" \
	"--alt\r\n" \
	"Content-Type: text/richtext\r\n" \
	"\r\n" \
	"part 4.2.2.2\r\n" \
	"--alt--"
#define P42TEXT \
	"--inner42\r\n" \
	"\r\n" \
	"part 4.2.1\r\n" \
	"--inner42\r\n" \
	"Content-Type: multipart/alternative; boundary=alt\r\n" \
	"\r\n" \
	P422 "\r\n" \
	"--inner42--"
#define P42HDR \
	"Subject: part 4.2\r\n" \
	"Content-Type: multipart/mixed; boundary=inner42\r\n" \
	"\r\n"
#define P42 P42HDR P42TEXT
#define P4 \
	"--b4\r\n" \
	"Content-Type: image/gif\r\n" \
	"\r\n" \
	"GIF89a\r\n" \
	"--b4\r\n" \
	"Content-Type: message/rfc822\r\n" \
	"\r\n" \
	P42 "\r\n" \
	"--b4--"
#define NESTED_HDR \
	"From: Alice <alice@example.org>\r\n" \
	"To: Bob <bob@example.org>\r\n" \
	"Subject: RFC 3501 6.4.5\r\n" \
	"MIME-Version: 1.0\r\n" \
	"Content-Type: multipart/mixed; boundary=outer\r\n" \
	"\r\n"
#define NESTED_TEXT \
	"preamble\r\n" \
	"--outer\r\n" \
	"Content-Type: text/plain\r\n" \
	"\r\n" \
	"part 1\r\n" \
	"--outer\r\n" \
	"Content-Type: application/octet-stream\r\n" \
	"Content-Transfer-Encoding: base64\r\n" \
	"\r\n" \
	"cGFydCAy\r\n" \
	"--outer\r\n" \
	"Content-Type: message/rfc822\r\n" \
	"\r\n" \
	P3 "\r\n" \
	"--outer\r\n" \
	"Content-Type: multipart/mixed; boundary=b4\r\n" \
	"\r\n" \
	P4 "\r\n" \
	"--outer--\r\n"

static const char nested_msg[] = NESTED_HDR NESTED_TEXT;

static void
test_nested_bodystructure(void **state)
{
	mox_msg_tree *t;
	char want[4096];
	const mox_msg_part *p = NULL;
	size_t i;

	(void)state;
	t = TREE(nested_msg);
	snprintf(want, sizeof(want),
	    "("
	    "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 6 0 NIL NIL NIL NIL)"
	    "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 8 "
	    "NIL NIL NIL NIL)"
	    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" %zu "
	    "(NIL \"part 3\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 8 0 NIL NIL NIL NIL)"
	    "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 8 "
	    "NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"inner3\") NIL NIL NIL)"
	    " %zu NIL NIL NIL NIL)"
	    "("
	    "(\"IMAGE\" \"GIF\" NIL NIL NIL \"7BIT\" 6 NIL NIL NIL NIL)"
	    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" %zu "
	    "(NIL \"part 4.2\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 0 NIL NIL NIL NIL)"
	    "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 0 NIL NIL NIL NIL)"
	    "(\"TEXT\" \"RICHTEXT\" NIL NIL NIL \"7BIT\" 12 0 NIL NIL NIL NIL)"
	    " \"ALTERNATIVE\" (\"BOUNDARY\" \"alt\") NIL NIL NIL)"
	    " \"MIXED\" (\"BOUNDARY\" \"inner42\") NIL NIL NIL)"
	    " %zu NIL NIL NIL NIL)"
	    " \"MIXED\" (\"BOUNDARY\" \"b4\") NIL NIL NIL)"
	    " \"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)",
	    sizeof(P3) - 1, count_lf(P3), sizeof(P42) - 1, count_lf(P42));
	bs_eq(t, NULL, EXT, want);

	snprintf(want, sizeof(want),
	    "("
	    "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 6 0)"
	    "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 8)"
	    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" %zu "
	    "(NIL \"part 3\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 8 0)"
	    "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 8) "
	    "\"MIXED\") %zu)"
	    "("
	    "(\"IMAGE\" \"GIF\" NIL NIL NIL \"7BIT\" 6)"
	    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" %zu "
	    "(NIL \"part 4.2\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 0)"
	    "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 0)"
	    "(\"TEXT\" \"RICHTEXT\" NIL NIL NIL \"7BIT\" 12 0)"
	    " \"ALTERNATIVE\") \"MIXED\") %zu) \"MIXED\") \"MIXED\")",
	    sizeof(P3) - 1, count_lf(P3), sizeof(P42) - 1, count_lf(P42));
	bs_eq(t, NULL, 0, want);

	/* the encapsulated message of 4.2 on its own */
	for (i = 0; i < mox_msg_tree_count(t); i++) {
		const char *bnd;

		p = mox_msg_tree_part(t, i);
		bnd = mox_msg_ctype_get(p->ctype, "boundary");
		if (p->parent != SIZE_MAX && bnd != NULL &&
		    strcmp(bnd, "inner42") == 0)
			break;
	}
	assert_true(i < mox_msg_tree_count(t));
	bs_eq(t, p, 0,
	    "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 0)"
	    "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 0)"
	    "(\"TEXT\" \"RICHTEXT\" NIL NIL NIL \"7BIT\" 12 0)"
	    " \"ALTERNATIVE\") \"MIXED\")");
	env_eq(t, p, 0, "(NIL \"part 4.2\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	/* not a message: the multipart/alternative inside it */
	{
		char *s = (char *)1;
		size_t len = 1;

		assert_int_equal(mox_msg_imap_bodystructure(&s, &len, t,
		    mox_msg_tree_child(t, p, 1), 0), MOX_EINVAL);
		assert_null(s);
		assert_int_equal(len, 0);
		s = (char *)1;
		assert_int_equal(mox_msg_imap_envelope(&s, NULL, t,
		    mox_msg_tree_child(t, p, 1), 0), MOX_EINVAL);
		assert_null(s);
		assert_int_equal(mox_msg_imap_envelope(NULL, NULL, t, NULL, 0),
		    MOX_EINVAL);
		assert_int_equal(mox_msg_imap_bodystructure(&s, NULL, NULL,
		    NULL, 0), MOX_EINVAL);
	}
	mox_msg_tree_free(t);
}

static void
test_nested_sections(void **state)
{
	mox_msg_tree *t;

	(void)state;
	t = TREE(nested_msg);
	FETCH(t, "", NESTED_HDR NESTED_TEXT);
	FETCH(t, "HEADER", NESTED_HDR);
	FETCH(t, "TEXT", NESTED_TEXT);
	FETCH(t, "1", "part 1");
	FETCH(t, "1.MIME", "Content-Type: text/plain\r\n\r\n");
	FETCH(t, "2", "cGFydCAy");
	FETCH(t, "3", P3);
	FETCH(t, "3.HEADER",
	    "Subject: part 3\r\n"
	    "Content-Type: multipart/mixed; boundary=inner3\r\n\r\n");
	FETCH(t, "3.TEXT",
	    "--inner3\r\n\r\npart 3.1\r\n--inner3\r\n"
	    "Content-Type: application/octet-stream\r\n\r\npart 3.2\r\n"
	    "--inner3--");
	FETCH(t, "3.MIME", "Content-Type: message/rfc822\r\n\r\n");
	FETCH(t, "3.1", "part 3.1");
	FETCH(t, "3.1.MIME", "\r\n");
	FETCH(t, "3.2", "part 3.2");
	FETCH(t, "4", P4);
	FETCH(t, "4.1", "GIF89a");
	FETCH(t, "4.1.MIME", "Content-Type: image/gif\r\n\r\n");
	FETCH(t, "4.2", P42);
	FETCH(t, "4.2.HEADER", P42HDR);
	FETCH(t, "4.2.TEXT", P42TEXT);
	FETCH(t, "4.2.HEADER.FIELDS (Subject)", "Subject: part 4.2\r\n\r\n");
	FETCH(t, "4.2.header.fields.not (Subject)",
	    "Content-Type: multipart/mixed; boundary=inner42\r\n\r\n");
	FETCH(t, "4.2.1", "part 4.2.1");
	FETCH(t, "4.2.2", P422);
	FETCH(t, "4.2.2.MIME",
	    "Content-Type: multipart/alternative; boundary=alt\r\n\r\n");
	FETCH(t, "4.2.2.1", "part 4.2.2.1");
	FETCH(t, "4.2.2.2", "part 4.2.2.2");
	FETCH(t, "4.2.2.2.MIME", "Content-Type: text/richtext\r\n\r\n");
	FETCH(t, "header.fields (to FROM)",
	    "From: Alice <alice@example.org>\r\n"
	    "To: Bob <bob@example.org>\r\n\r\n");
	fetch_eq(t, "2", MOX_MSG_IMAP_BINARY, "part 2", 6);
	fetch_eq(t, "4.2.2.1", MOX_MSG_IMAP_BINARY, "part 4.2.2.1", 12);
	assert_true(fetch_is_slice(t, "4.2.TEXT", 0));
	assert_true(fetch_is_slice(t, "", 0));
	assert_true(fetch_is_slice(t, "3.1.MIME", 0));
	assert_true(fetch_is_slice(t, "4.1", MOX_MSG_IMAP_BINARY));
	assert_false(fetch_is_slice(t, "2", MOX_MSG_IMAP_BINARY));
	assert_false(fetch_is_slice(t, "HEADER.FIELDS (From)", 0));

	/* parts that do not exist */
	fetch_rc(t, "5", 0, MOX_ENOTFOUND);
	fetch_rc(t, "1.1", 0, MOX_ENOTFOUND);
	fetch_rc(t, "2.1", 0, MOX_ENOTFOUND);
	fetch_rc(t, "3.3", 0, MOX_ENOTFOUND);
	fetch_rc(t, "3.1.1", 0, MOX_ENOTFOUND);
	fetch_rc(t, "4.3", 0, MOX_ENOTFOUND);
	fetch_rc(t, "4.2.3", 0, MOX_ENOTFOUND);
	fetch_rc(t, "4.2.2.3", 0, MOX_ENOTFOUND);
	fetch_rc(t, "4.2.2.1.1", 0, MOX_ENOTFOUND);
	fetch_rc(t, "5.MIME", 0, MOX_ENOTFOUND);
	fetch_rc(t, "99999999999999999999999999", 0, MOX_ENOTFOUND);
	fetch_rc(t, "5", MOX_MSG_IMAP_BINARY, MOX_ENOTFOUND);
	/* HEADER and TEXT only of message/rfc822 parts */
	fetch_rc(t, "1.HEADER", 0, MOX_ENOTFOUND);
	fetch_rc(t, "4.TEXT", 0, MOX_ENOTFOUND);
	fetch_rc(t, "4.1.HEADER.FIELDS (a)", 0, MOX_ENOTFOUND);
	fetch_rc(t, "4.2.2.HEADER", 0, MOX_ENOTFOUND);
	/* syntax goes first */
	fetch_rc(t, "5.HEADER.FIELDS ()", 0, MOX_ESYNTAX);
	mox_msg_tree_free(t);
}

static void
test_single_part(void **state)
{
	static const char msg[] =
	    "From: a@example.org\r\n"
	    "Subject: hi\r\n"
	    "\r\n"
	    "line 1\r\n"
	    "line 2\r\n";
	static const char lf[] =
	    "From: a@example.org\n"
	    "Subject: hi\n"
	    "\n"
	    "no final line end";
	mox_msg_tree *t, *t2;

	(void)state;
	t = TREE(msg);
	bs_eq(t, NULL, 0, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 16 2)");
	bs_eq(t, NULL, EXT,
	    "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 16 2 NIL NIL NIL NIL)");
	FETCH(t, "", msg);
	FETCH(t, "HEADER", "From: a@example.org\r\nSubject: hi\r\n\r\n");
	FETCH(t, "TEXT", "line 1\r\nline 2\r\n");
	/* RFC 3501 6.4.5: a non-multipart message has part 1, its body;
	 * its MIME header is the message header (as Dovecot) */
	FETCH(t, "1", "line 1\r\nline 2\r\n");
	FETCH(t, "1.MIME", "From: a@example.org\r\nSubject: hi\r\n\r\n");
	fetch_eq(t, "1", MOX_MSG_IMAP_BINARY, "line 1\r\nline 2\r\n", 16);
	fetch_eq(t, "", MOX_MSG_IMAP_BINARY, msg, sizeof(msg) - 1);
	fetch_rc(t, "2", 0, MOX_ENOTFOUND);
	fetch_rc(t, "1.1", 0, MOX_ENOTFOUND);
	fetch_rc(t, "1.HEADER", 0, MOX_ENOTFOUND);
	fetch_rc(t, "1.TEXT", 0, MOX_ENOTFOUND);
	mox_msg_tree_free(t);

	/* bare LF; the last line has no line end and is not counted */
	t = TREE(lf);
	bs_eq(t, NULL, 0, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 17 0)");
	FETCH(t, "HEADER", "From: a@example.org\nSubject: hi\n\n");
	FETCH(t, "HEADER.FIELDS (Subject)", "Subject: hi\n\n");
	FETCH(t, "HEADER.FIELDS (X)", "\n");
	FETCH(t, "TEXT", "no final line end");
	mox_msg_tree_free(t);

	/* only a header, no empty line: RFC 3501 6.4.5, "the blank line is
	 * included in all header fetches, except in the case of a message
	 * which has no body and no blank line" */
	t = TREE("Subject: x\r\n");
	FETCH(t, "HEADER", "Subject: x\r\n");
	FETCH(t, "TEXT", "");
	FETCH(t, "1", "");
	FETCH(t, "HEADER.FIELDS (Subject)", "Subject: x\r\n");
	FETCH(t, "HEADER.FIELDS (To)", "");
	bs_eq(t, NULL, 0, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)");
	env_eq(t, NULL, 0, "(NIL \"x\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	mox_msg_tree_free(t);

	/* a last field without line end gets one */
	t = TREE("Subject: x");
	FETCH(t, "HEADER.FIELDS (Subject)", "Subject: x\r\n");
	t2 = TREE("Subject: x\nTo: y");
	FETCH(t2, "HEADER.FIELDS.NOT (Subject)", "To: y\n");
	mox_msg_tree_free(t2);
	mox_msg_tree_free(t);

	/* empty message */
	t = tree("", 0);
	FETCH(t, "", "");
	FETCH(t, "HEADER", "");
	FETCH(t, "HEADER.FIELDS (Subject)", "");
	bs_eq(t, NULL, EXT,
	    "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0 NIL NIL NIL NIL)");
	env_eq(t, NULL, 0, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	mox_msg_tree_free(t);
}

static void
test_bodystructure_fields(void **state)
{
	static const char msg[] =
	    "Content-Type: multipart/related; boundary=\"b\"; "
	    "type=\"text/html\"\r\n"
	    "Content-Language: en-US\r\n"
	    "Content-Location: http://example.org/\r\n"
	    "Content-Disposition: inline\r\n"
	    "\r\n"
	    "--b\r\n"
	    "Content-Type: text/html; charset=\"utf-8\"; "
	    "title*=utf-8''%E2%82%AC%20x\r\n"
	    "Content-ID: <id@x>\r\n"
	    "Content-Description: say \"hi\" \\ bye\r\n"
	    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
	    "Content-Language: (comment) de ,\r\n en-GB,,fr-CA (x)\r\n"
	    "Content-Transfer-Encoding: Quoted-Printable\r\n"
	    "Content-Disposition: attachment; filename=\"a \\\"b\\\".html\";"
	    " size=3\r\n"
	    "\r\n"
	    "=41\r\n"
	    "--b\r\n"
	    "Content-Type: image/png; name=\"caf\xC3\xA9.png\"\r\n"
	    "Content-Transfer-Encoding: x-uuencode\r\n"
	    "Content-Location: caf\xC3\xA9\r\n"
	    "Content-Description: =?utf-8?q?caf=C3=A9?=\r\n"
	    "\r\n"
	    "begin\r\n"
	    "--b--\r\n";
	mox_msg_tree *t;

	(void)state;
	t = TREE(msg);
	bs_eq(t, NULL, EXT | UTF8,
	    "((\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\" \"TITLE\" "
	    "\"\xE2\x82\xAC x\") \"<id@x>\" \"say \\\"hi\\\" \\\\ bye\" "
	    "\"QUOTED-PRINTABLE\" 3 0 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" "
	    "(\"ATTACHMENT\" (\"FILENAME\" \"a \\\"b\\\".html\" "
	    "\"SIZE\" \"3\")) "
	    "(\"de\" \"en-GB\" \"fr-CA\") NIL)"
	    "(\"IMAGE\" \"PNG\" (\"NAME\" \"caf\xC3\xA9.png\") NIL "
	    "\"=?utf-8?q?caf=C3=A9?=\" \"X-UUENCODE\" 5 NIL NIL NIL "
	    "\"caf\xC3\xA9\") "
	    "\"RELATED\" (\"BOUNDARY\" \"b\" \"TYPE\" \"text/html\") "
	    "(\"INLINE\" NIL) \"en-US\" \"http://example.org/\")");
	/* IMAP4rev1: 8-bit strings are literals */
	bs_eq(t, NULL, EXT,
	    "((\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\" \"TITLE\" "
	    "{5}\r\n\xE2\x82\xAC x) \"<id@x>\" \"say \\\"hi\\\" \\\\ bye\" "
	    "\"QUOTED-PRINTABLE\" 3 0 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" "
	    "(\"ATTACHMENT\" (\"FILENAME\" \"a \\\"b\\\".html\" "
	    "\"SIZE\" \"3\")) "
	    "(\"de\" \"en-GB\" \"fr-CA\") NIL)"
	    "(\"IMAGE\" \"PNG\" (\"NAME\" {9}\r\ncaf\xC3\xA9.png) NIL "
	    "\"=?utf-8?q?caf=C3=A9?=\" \"X-UUENCODE\" 5 NIL NIL NIL "
	    "{5}\r\ncaf\xC3\xA9) "
	    "\"RELATED\" (\"BOUNDARY\" \"b\" \"TYPE\" \"text/html\") "
	    "(\"INLINE\" NIL) \"en-US\" \"http://example.org/\")");
	mox_msg_tree_free(t);
}

static void
test_message_parts(void **state)
{
	static const char msg[] =
	    "Content-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n"
	    "--b\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "U3ViamVjdDogeAoKYm9keQo=\r\n"
	    "--b\r\n"
	    "Content-Type: message/global\r\n"
	    "\r\n"
	    "Subject: caf\xC3\xA9\r\n"
	    "\r\n"
	    "body\r\n"
	    "--b--\r\n";
	mox_msg_tree *t;

	(void)state;
	t = TREE(msg);
	/* a message/rfc822 part that is not parsed as a message still has
	 * the envelope and body of body-type-msg; message/global is one
	 * only in RFC 9051 (UTF8) */
	bs_eq(t, NULL, UTF8,
	    "((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"BASE64\" 24 "
	    "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "0 0) 0)"
	    "(\"MESSAGE\" \"GLOBAL\" NIL NIL NIL \"7BIT\" 22 "
	    "(NIL \"caf\xC3\xA9\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 4 0) 2) \"MIXED\")");
	bs_eq(t, NULL, EXT,
	    "((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"BASE64\" 24 "
	    "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "0 0 NIL NIL NIL NIL) 0 NIL NIL NIL NIL)"
	    "(\"MESSAGE\" \"GLOBAL\" NIL NIL NIL \"7BIT\" 22 NIL NIL NIL NIL)"
	    " \"MIXED\" (\"BOUNDARY\" \"b\") NIL NIL NIL)");
	fetch_rc(t, "1.HEADER", 0, MOX_ENOTFOUND);
	fetch_rc(t, "1.1", 0, MOX_ENOTFOUND);
	fetch_eq(t, "1", MOX_MSG_IMAP_BINARY, "Subject: x\n\nbody\n", 17);
	FETCH(t, "2.HEADER", "Subject: caf\xC3\xA9\r\n\r\n");
	FETCH(t, "2.1", "body");
	mox_msg_tree_free(t);

	/* a message whose own type is message/rfc822 */
	t = TREE("Content-Type: message/rfc822\r\n\r\n"
	    "Subject: inner\r\n\r\ninner body\r\n");
	bs_eq(t, NULL, 0,
	    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 30 "
	    "(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 1) 3)");
	FETCH(t, "1", "Subject: inner\r\n\r\ninner body\r\n");
	FETCH(t, "1.HEADER", "Subject: inner\r\n\r\n");
	FETCH(t, "1.TEXT", "inner body\r\n");
	FETCH(t, "1.1", "inner body\r\n");
	FETCH(t, "1.1.MIME", "Subject: inner\r\n\r\n");
	fetch_rc(t, "1.2", 0, MOX_ENOTFOUND);
	mox_msg_tree_free(t);
}

static void
test_empty_multipart(void **state)
{
	mox_msg_tree *t;

	(void)state;
	/* no delimiter line: no body parts */
	t = TREE("Content-Type: multipart/mixed; boundary=xx\r\n\r\n"
	    "only a preamble\r\n");
	bs_eq(t, NULL, 0,
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "0 0) \"MIXED\")");
	bs_eq(t, NULL, EXT,
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "0 0 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"xx\") "
	    "NIL NIL NIL)");
	fetch_rc(t, "1", 0, MOX_ENOTFOUND);
	fetch_rc(t, "1.MIME", 0, MOX_ENOTFOUND);
	FETCH(t, "TEXT", "only a preamble\r\n");
	mox_msg_tree_free(t);

	/* no boundary parameter */
	t = TREE("Content-Type: multipart/alternative\r\n\r\n--x\r\n\r\nhi\r\n"
	    "--x--\r\n");
	bs_eq(t, NULL, EXT,
	    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "0 0 NIL NIL NIL NIL) \"ALTERNATIVE\" NIL NIL NIL NIL)");
	fetch_rc(t, "1", 0, MOX_ENOTFOUND);
	mox_msg_tree_free(t);
}

static void
test_truncated(void **state)
{
	static const char msg[] =
	    "Content-Type: multipart/mixed; boundary=a\r\n\r\n"
	    "--a\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\n\r\nx\r\n--b--\r\n"
	    "--a\r\n"
	    "Content-Type: message/rfc822\r\n\r\n"
	    "Subject: s\r\n\r\ny\r\n"
	    "--a--\r\n";
	mox_msg_tree_options o = MOX_MSG_TREE_OPTIONS_INIT;
	mox_msg_tree *t = NULL;

	(void)state;
	o.max_depth = 1;
	assert_int_equal(mox_msg_tree_parse(&t, U(msg), sizeof(msg) - 1, &o),
	    MOX_OK);
	/* containers below the depth limit are leaves of their type, in
	 * valid syntax */
	bs_eq(t, NULL, 0,
	    "(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "0 0) \"MIXED\")"
	    "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 15 "
	    "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
	    "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
	    "0 0) 2) \"MIXED\")");
	FETCH(t, "1", "--b\r\n\r\nx\r\n--b--");
	fetch_rc(t, "1.1", 0, MOX_ENOTFOUND);
	fetch_rc(t, "2.HEADER", 0, MOX_ENOTFOUND);
	mox_msg_tree_free(t);
}

/* --- ENVELOPE --- */

static void
test_envelope_basic(void **state)
{
	(void)state;
	env1("Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
	    "From: Terry Gray <gray@cac.washington.edu>\r\n"
	    "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
	    "To: imap@cac.washington.edu\r\n"
	    "cc: minutes@CNRI.Reston.VA.US,\r\n"
	    " John Klensin <KLENSIN@MIT.EDU>\r\n"
	    "Message-Id: <B27397-0100000@cac.washington.edu>\r\n",
	    0,
	    /* RFC 3501 7.4.2, the example of ENVELOPE */
	    "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
	    "\"IMAP4rev1 WG mtg summary and minutes\" "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
	    "((NIL NIL \"imap\" \"cac.washington.edu\")) "
	    "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
	    "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
	    "\"<B27397-0100000@cac.washington.edu>\")");

	/* all of them; folded values unfolded; encoded-words as written */
	env1("Subject: =?utf-8?q?caf=C3=A9?=\r\n  folded\r\n"
	    "From: \"Doe, John\" <john@example.org>\r\n"
	    "Sender: sec@example.org (The Secretary)\r\n"
	    "Reply-To: =?utf-8?q?J=C3=B6rg?= <j@example.org>\r\n"
	    "To: a@example.org, b@[192.0.2.1]\r\n"
	    "Bcc: <@route.example:c@example.org>\r\n"
	    "In-Reply-To: <x@y>\r\n"
	    "Message-ID:  <id@example.org>  \r\n",
	    0,
	    "(NIL \"=?utf-8?q?caf=C3=A9?=  folded\" "
	    "((\"Doe, John\" NIL \"john\" \"example.org\")) "
	    "((\"The Secretary\" NIL \"sec\" \"example.org\")) "
	    "((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"j\" \"example.org\")) "
	    "((NIL NIL \"a\" \"example.org\")(NIL NIL \"b\" \"[192.0.2.1]\")) "
	    "NIL ((NIL NIL \"c\" \"example.org\")) \"<x@y>\" "
	    "\"<id@example.org>\")");
}

static void
test_envelope_missing(void **state)
{
	(void)state;
	env1("X-Other: 1\r\n", 0,
	    "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	/* present but empty: empty strings; empty address lists are NIL,
	 * and an empty Sender or Reply-To is the From */
	env1("Subject:\r\nDate: \r\nFrom: a@b.example\r\nSender:\r\n"
	    "Reply-To: ,\r\nTo:\r\nMessage-ID:\r\n", 0,
	    "(\"\" \"\" ((NIL NIL \"a\" \"b.example\")) "
	    "((NIL NIL \"a\" \"b.example\")) ((NIL NIL \"a\" \"b.example\")) "
	    "NIL NIL NIL NIL \"\")");
	/* no From: Sender and Reply-To stay NIL */
	env1("To: x@y.example\r\n", 0,
	    "(NIL NIL NIL NIL NIL ((NIL NIL \"x\" \"y.example\")) NIL NIL NIL "
	    "NIL)");
	/* entries that do not parse are left out */
	env1("From: foo, <>, a@, \"Bar\" <bar@x.example>\r\n", 0,
	    "(NIL NIL ((\"Bar\" NIL \"bar\" \"x.example\")) "
	    "((\"Bar\" NIL \"bar\" \"x.example\")) "
	    "((\"Bar\" NIL \"bar\" \"x.example\")) NIL NIL NIL NIL NIL)");
	/* the first of repeated fields wins */
	env1("Subject: one\r\nSubject: two\r\nFrom: a@x\r\nFrom: b@x\r\n", 0,
	    "(NIL \"one\" ((NIL NIL \"a\" \"x\")) ((NIL NIL \"a\" \"x\")) "
	    "((NIL NIL \"a\" \"x\")) NIL NIL NIL NIL NIL)");
}

static void
test_envelope_groups(void **state)
{
	(void)state;
	env1("To: undisclosed-recipients:;\r\n", 0,
	    "(NIL NIL NIL NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)"
	    "(NIL NIL NIL NIL)) NIL NIL NIL NIL)");
	env1("Cc: a@x, Friends: b@x, \"C D\" <c@x>;, e@x, G:;, G: h@x;\r\n",
	    0,
	    "(NIL NIL NIL NIL NIL NIL ((NIL NIL \"a\" \"x\")"
	    "(NIL NIL \"Friends\" NIL)(NIL NIL \"b\" \"x\")"
	    "(\"C D\" NIL \"c\" \"x\")(NIL NIL NIL NIL)"
	    "(NIL NIL \"e\" \"x\")"
	    "(NIL NIL \"G\" NIL)(NIL NIL NIL NIL)"
	    "(NIL NIL \"G\" NIL)(NIL NIL \"h\" \"x\")(NIL NIL NIL NIL)) "
	    "NIL NIL NIL)");
	/* unterminated group at the end */
	env1("Bcc: list: a@x\r\n", 0,
	    "(NIL NIL NIL NIL NIL NIL NIL ((NIL NIL \"list\" NIL)"
	    "(NIL NIL \"a\" \"x\")(NIL NIL NIL NIL)) NIL NIL)");
}

static void
test_envelope_strings(void **state)
{
	(void)state;
	/* quotes and backslashes are escaped */
	env1("Subject: a \"quoted\" \\ word\r\n"
	    "From: \"x \\\"y\\\" \\\\ z\" <q@x>\r\n", 0,
	    "(NIL \"a \\\"quoted\\\" \\\\ word\" "
	    "((\"x \\\"y\\\" \\\\ z\" NIL \"q\" \"x\")) "
	    "((\"x \\\"y\\\" \\\\ z\" NIL \"q\" \"x\")) "
	    "((\"x \\\"y\\\" \\\\ z\" NIL \"q\" \"x\")) NIL NIL NIL NIL NIL)");
	/* 8-bit: literals in IMAP4rev1, quoted UTF-8 with UTF8 */
	env1("Subject: caf\xC3\xA9\r\nTo: J\xC3\xB6rg <j\xC3\xB6@x>\r\n", 0,
	    "(NIL {5}\r\ncaf\xC3\xA9 NIL NIL NIL "
	    "(({5}\r\nJ\xC3\xB6rg NIL {3}\r\nj\xC3\xB6 \"x\")) "
	    "NIL NIL NIL NIL)");
	env1("Subject: caf\xC3\xA9\r\nTo: J\xC3\xB6rg <j\xC3\xB6@x>\r\n", UTF8,
	    "(NIL \"caf\xC3\xA9\" NIL NIL NIL "
	    "((\"J\xC3\xB6rg\" NIL \"j\xC3\xB6\" \"x\")) NIL NIL NIL NIL)");
	/* invalid UTF-8 becomes U+FFFD with UTF8, stays as is without */
	env1("Subject: caf\xE9\r\n", UTF8,
	    "(NIL \"caf\xEF\xBF\xBD\" NIL NIL NIL NIL NIL NIL NIL NIL)");
	env1("Subject: caf\xE9\r\n", 0,
	    "(NIL {4}\r\ncaf\xE9 NIL NIL NIL NIL NIL NIL NIL NIL)");
	/* a bare CR must be sent as a literal */
	env1("Subject: a\rb\r\n", UTF8,
	    "(NIL {3}\r\na\rb NIL NIL NIL NIL NIL NIL NIL NIL)");
}

/* --- sections --- */

static void
test_header_fields(void **state)
{
	static const char msg[] =
	    "Received: from a\r\n"
	    "Subject: folded\r\n"
	    " subject\r\n"
	    "From: a@x\r\n"
	    "X-Dup: 1\r\n"
	    "x-dup: 2\r\n"
	    "malformed line\r\n"
	    "Received: from b\r\n"
	    "\r\n"
	    "body\r\n";
	mox_msg_tree *t;

	(void)state;
	t = TREE(msg);
	FETCH(t, "HEADER.FIELDS (Subject)",
	    "Subject: folded\r\n subject\r\n\r\n");
	FETCH(t, "HEADER.FIELDS (x-DUP)", "X-Dup: 1\r\nx-dup: 2\r\n\r\n");
	FETCH(t, "HEADER.FIELDS (\"from\" Subject)",
	    "Subject: folded\r\n subject\r\nFrom: a@x\r\n\r\n");
	FETCH(t, "HEADER.FIELDS (\"Fr\\\\om\" \"Fro\\\"m\")", "\r\n");
	FETCH(t, "HEADER.FIELDS ({4}\r\nFROM)", "From: a@x\r\n\r\n");
	FETCH(t, "HEADER.FIELDS ({4+}\r\nFROM received)",
	    "Received: from a\r\nFrom: a@x\r\nReceived: from b\r\n\r\n");
	FETCH(t, "HEADER.FIELDS (nothing)", "\r\n");
	FETCH(t, "HEADER.FIELDS (Subjec Subjectt Subject:)", "\r\n");
	FETCH(t, "Header.Fields.Not (received X-DUP subject)",
	    "From: a@x\r\n\r\n");
	FETCH(t, "HEADER.FIELDS.NOT (x)",
	    "Received: from a\r\nSubject: folded\r\n subject\r\n"
	    "From: a@x\r\nX-Dup: 1\r\nx-dup: 2\r\nReceived: from b\r\n\r\n");
	mox_msg_tree_free(t);
}

static void
test_section_syntax(void **state)
{
	static const char *const bad[] = {
		"0", "01", "1.0", "1.", ".1", "1..2", "1.x", "1 ", " 1",
		"HEADER ", "header.", "TEXT.1", "MIME", "1.MIMEX", "1.MIME ",
		"HEADERS", "HEADER.FIELDS", "HEADER.FIELDS ",
		"HEADER.FIELDS ()",
		"HEADER.FIELDS (a  b)", "HEADER.FIELDS(a)",
		"HEADER.FIELDS (a )", "HEADER.FIELDS ( a)",
		"HEADER.FIELDS (a) ", "HEADER.FIELDS (a", "HEADER.FIELDS a",
		"HEADER.FIELDS.NOT", "HEADER.FIELDS.NOT()",
		"HEADER.FIELDS (a%)", "HEADER.FIELDS (a*)",
		"HEADER.FIELDS (a{)",
		"HEADER.FIELDS (\"a)", "HEADER.FIELDS (\"a\\b\")",
		"HEADER.FIELDS ({5}\r\nabc)", "HEADER.FIELDS ({}\r\n)",
		"HEADER.FIELDS ({1}\nA)", "HEADER.FIELDS ((a))", "1.2.TEXT.",
		"BODY", "x",
	};
	mox_msg_tree *t;
	mox_msg_imap_data d = MOX_MSG_IMAP_DATA_INIT;
	size_t i;

	(void)state;
	t = TREE(nested_msg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		fetch_rc(t, bad[i], 0, MOX_ESYNTAX);
	/* a NUL in the section */
	assert_int_equal(mox_msg_imap_fetch(&d, t, "1\0", 2, 0), MOX_ESYNTAX);
	/* BINARY takes only part numbers */
	fetch_rc(t, "HEADER", MOX_MSG_IMAP_BINARY, MOX_ESYNTAX);
	fetch_rc(t, "TEXT", MOX_MSG_IMAP_BINARY, MOX_ESYNTAX);
	fetch_rc(t, "1.MIME", MOX_MSG_IMAP_BINARY, MOX_ESYNTAX);
	fetch_rc(t, "3.HEADER", MOX_MSG_IMAP_BINARY, MOX_ESYNTAX);
	fetch_rc(t, "HEADER.FIELDS (a)", MOX_MSG_IMAP_BINARY, MOX_ESYNTAX);
	/* arguments */
	assert_int_equal(mox_msg_imap_fetch(NULL, t, "", 0, 0), MOX_EINVAL);
	assert_int_equal(mox_msg_imap_fetch(&d, NULL, "", 0, 0), MOX_EINVAL);
	assert_int_equal(mox_msg_imap_fetch(&d, t, NULL, 1, 0), MOX_EINVAL);
	assert_int_equal(mox_msg_imap_fetch(&d, t, NULL, 0, 0), MOX_OK);
	assert_int_equal(d.data.len, sizeof(nested_msg) - 1);
	mox_msg_imap_data_release(&d);
	d.version = 0;
	assert_int_equal(mox_msg_imap_fetch(&d, t, "", 0, 0), MOX_EVERSION);
	d.version = MOX_MSG_IMAP_DATA_VERSION + 1;
	assert_int_equal(mox_msg_imap_fetch(&d, t, "", 0, 0), MOX_EVERSION);
	mox_msg_imap_data_release(NULL);
	/* the section need not be NUL-terminated */
	d.version = MOX_MSG_IMAP_DATA_VERSION;
	assert_int_equal(mox_msg_imap_fetch(&d, t, "1.MIMEX", 6, 0), MOX_OK);
	assert_int_equal(d.data.len,
	    strlen("Content-Type: text/plain\r\n\r\n"));
	mox_msg_imap_data_release(&d);
	mox_msg_tree_free(t);
}

static void
test_binary(void **state)
{
	static const char msg[] =
	    "Content-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n"
	    "--b\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "AAECA2hp\r\nAA==\r\n"
	    "--b\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "\r\n"
	    "a=3Db =\r\n"
	    "soft   \r\n"
	    "x=ZZ\r\n"
	    "--b\r\n"
	    "Content-Transfer-Encoding: x-uuencode\r\n"
	    "\r\n"
	    "begin 644 x\r\n"
	    "--b\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "\r\n"
	    "caf\xC3\xA9\r\n"
	    "--b\r\n"
	    "Content-Transfer-Encoding: binary\r\n"
	    "\r\n"
	    "a\0b\r\n"
	    "--b--\r\n";
	mox_msg_tree *t;
	mox_msg_imap_data d = MOX_MSG_IMAP_DATA_INIT;

	(void)state;
	t = TREE(msg);
	assert_int_equal(mox_msg_imap_fetch(&d, t, "1", 1,
	    MOX_MSG_IMAP_BINARY), MOX_OK);
	assert_int_equal(d.data.len, 7);
	assert_memory_equal(d.data.ptr, "\0\1\2\3hi\0", 7);
	assert_true(d.has_nul);
	assert_non_null(d.owned_);
	mox_msg_imap_data_release(&d);
	assert_false(d.has_nul);
	FETCH(t, "1", "AAECA2hp\r\nAA==");

	fetch_eq(t, "2", MOX_MSG_IMAP_BINARY, "a=b soft\r\nx=ZZ", 14);
	assert_int_equal(mox_msg_imap_fetch(&d, t, "2", 1,
	    MOX_MSG_IMAP_BINARY), MOX_OK);
	assert_false(d.has_nul);
	mox_msg_imap_data_release(&d);

	fetch_rc(t, "3", MOX_MSG_IMAP_BINARY, MOX_EUNSUPPORTED);
	FETCH(t, "3", "begin 644 x");
	fetch_eq(t, "4", MOX_MSG_IMAP_BINARY, "caf\xC3\xA9", 5);
	assert_true(fetch_is_slice(t, "4", MOX_MSG_IMAP_BINARY));
	assert_int_equal(mox_msg_imap_fetch(&d, t, "5", 1,
	    MOX_MSG_IMAP_BINARY), MOX_OK);
	assert_int_equal(d.data.len, 3);
	assert_memory_equal(d.data.ptr, "a\0b", 3);
	assert_true(d.has_nul);
	assert_null(d.owned_);
	mox_msg_imap_data_release(&d);
	/* BINARY[] is the message as it is */
	fetch_eq(t, "", MOX_MSG_IMAP_BINARY, msg, sizeof(msg) - 1);
	assert_int_equal(mox_msg_imap_fetch(&d, t, "", 0,
	    MOX_MSG_IMAP_BINARY), MOX_OK);
	assert_true(d.has_nul);
	mox_msg_imap_data_release(&d);
	fetch_rc(t, "6", MOX_MSG_IMAP_BINARY, MOX_ENOTFOUND);
	mox_msg_tree_free(t);
}

/* --- allocation failures --- */

static int
alloc_once(const mox_msg_tree *t, int what)
{
	mox_msg_imap_data d = MOX_MSG_IMAP_DATA_INIT;
	char *s = NULL;
	size_t len;
	int rc;

	switch (what) {
	case 0:
		rc = mox_msg_imap_bodystructure(&s, &len, t, NULL, EXT | UTF8);
		break;
	case 1:
		rc = mox_msg_imap_bodystructure(&s, &len, t, NULL, 0);
		break;
	case 2:
		rc = mox_msg_imap_envelope(&s, &len, t, NULL, 0);
		break;
	case 3:
		rc = mox_msg_imap_fetch(&d, t, "HEADER.FIELDS (From To)", 23,
		    0);
		break;
	default:
		rc = mox_msg_imap_fetch(&d, t, "2", 1, MOX_MSG_IMAP_BINARY);
		break;
	}
	if (rc != MOX_OK) {
		assert_null(s);
		assert_null(d.data.ptr);
		assert_null(d.owned_);
	}
	mox_msg_free(s);
	mox_msg_imap_data_release(&d);
	return rc;
}

static void
test_alloc_fail(void **state)
{
	static const char msg[] =
	    "From: \"A B\" <a@x.example>, Group: c@x, d@x;\r\n"
	    "To: caf\xC3\xA9 <e@x>\r\n"
	    "Subject: s\xE9\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n"
	    "--b\r\n"
	    "Content-Type: message/rfc822\r\n"
	    "Content-Language: en, de\r\n"
	    "Content-Disposition: attachment; filename=\"x\"\r\n"
	    "\r\n"
	    "From: i@x\r\nSubject: inner\r\n\r\nbody\r\n"
	    "--b\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "aGVsbG8=\r\n"
	    "--b--\r\n";
	mox_msg_tree *t;
	unsigned long n;
	int rc = MOX_ENOMEM, what;

	(void)state;
	t = TREE(msg);
	for (what = 0; what < 5; what++) {
		for (n = 1; n < 100000; n++) {
			mox__fail_at = n;
			rc = alloc_once(t, what);
			mox__fail_at = 0;
			if (rc == MOX_OK)
				break;
			assert_int_equal(rc, MOX_ENOMEM);
		}
		assert_int_equal(rc, MOX_OK);
		assert_true(n > 1);
	}
	mox_msg_tree_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3501_example),
		cmocka_unit_test(test_nested_bodystructure),
		cmocka_unit_test(test_nested_sections),
		cmocka_unit_test(test_single_part),
		cmocka_unit_test(test_bodystructure_fields),
		cmocka_unit_test(test_message_parts),
		cmocka_unit_test(test_empty_multipart),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_envelope_basic),
		cmocka_unit_test(test_envelope_missing),
		cmocka_unit_test(test_envelope_groups),
		cmocka_unit_test(test_envelope_strings),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_section_syntax),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_alloc_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
