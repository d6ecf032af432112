/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for <mox/message.h>: header section scanning and iteration,
 * unfolding, RFC 2047 decoding. Internal test (uses mox__fail_at).
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
#define SL(s) U(s), (sizeof(s) - 1)

static bool
slice_eq(mox_slice s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

#define assert_slice(s, want) assert_true(slice_eq((s), (want)))

/* RFC 5322 A.1.1 */
static const char a11[] =
    "From: John Doe <jdoe@machine.example>\r\n"
    "To: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.machine.example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

/* RFC 5322 A.6.3, with its whitespace-only continuation line. */
static const char a63[] =
    "From  : John Doe <jdoe@machine(comment).  example>\r\n"
    "To    : Mary Smith\r\n"
    "  \r\n"
    "          <mary@example.net>\r\n"
    "Subject     : Saying Hello\r\n"
    "Date  : Fri, 21 Nov 1997 09(comment):   55  :  06 -0600\r\n"
    "Message-ID  : <1234   @   local(blah)  .machine .example>\r\n"
    "\r\n"
    "This is a message just to say hello.\r\n"
    "So, \"Hello\".\r\n";

static void
scan_a11(void **state)
{
	mox_msg_header h = MOX_MSG_HEADER_INIT;
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	const char *names[] = { "From", "To", "Subject", "Date",
		"Message-ID" };
	size_t i;

	(void)state;
	assert_int_equal(mox_msg_header_scan(&h, SL(a11), NULL), MOX_OK);
	assert_int_equal(h.nfields, 5);
	assert_int_equal(h.nmalformed, 0);
	assert_int_equal(h.nnul, 0);
	assert_true(h.has_separator);
	assert_int_equal(h.eol, MOX_MSG_EOL_CRLF);
	assert_int_equal(h.err_offset, SIZE_MAX);
	assert_memory_equal(a11 + h.body_offset, "This is", 7);
	assert_memory_equal(a11 + h.header_len, "\r\nThis", 6);
	assert_int_equal(h.body_offset, h.header_len + 2);

	assert_int_equal(mox_msg_iter_init(&it, SL(a11), NULL), MOX_OK);
	for (i = 0; i < 5; i++) {
		assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
		assert_slice(f.name, names[i]);
		assert_int_equal(f.flags, 0);
		assert_true(f.raw.ptr == U(a11) + f.offset);
		assert_int_equal(f.raw.ptr[f.raw.len - 1], '\n');
		assert_int_equal(f.raw.ptr[f.raw.len - 2], '\r');
	}
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ENOTFOUND);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ENOTFOUND);
	assert_int_equal(mox_msg_iter_offset(&it), h.body_offset);
	assert_int_equal(mox_msg_iter_eol(&it), MOX_MSG_EOL_CRLF);
}

static void
raw_value_slices(void **state)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;

	(void)state;
	assert_int_equal(mox_msg_iter_init(&it, SL(a11), NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.raw, "From: John Doe <jdoe@machine.example>\r\n");
	assert_slice(f.value, " John Doe <jdoe@machine.example>");
	assert_int_equal(f.offset, 0);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_int_equal(f.offset, 39);
}

static void
folding(void **state)
{
	static const char m[] = "Subject: This\r\n is a test\r\n\tfolded  \r\n"
				"X-A:\r\n"
				"X-B:v\r\n\r\nbody";
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	char buf[64];

	(void)state;
	assert_int_equal(mox_msg_iter_init(&it, SL(m), NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.name, "Subject");
	assert_slice(f.raw, "Subject: This\r\n is a test\r\n\tfolded  \r\n");
	assert_slice(f.value, " This\r\n is a test\r\n\tfolded  ");
	assert_int_equal(f.flags, MOX_MSG_FIELD_FOLDED);
	assert_int_equal(mox_msg_unfold(buf, sizeof(buf), f.value.ptr,
	    f.value.len), 21);
	assert_string_equal(buf, "This is a test\tfolded");
	/* snprintf contract */
	assert_int_equal(mox_msg_unfold(buf, 5, f.value.ptr, f.value.len),
	    21);
	assert_string_equal(buf, "This");
	assert_int_equal(mox_msg_unfold(NULL, 0, f.value.ptr, f.value.len),
	    21);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.name, "X-A");
	assert_int_equal(f.value.len, 0);
	assert_int_equal(mox_msg_unfold(buf, sizeof(buf), f.value.ptr,
	    f.value.len), 0);
	assert_string_equal(buf, "");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.value, "v");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ENOTFOUND);
	assert_int_equal(mox_msg_iter_offset(&it), sizeof(m) - 1 - 4);
}

static void
line_ends(void **state)
{
	mox_msg_header h = MOX_MSG_HEADER_INIT;
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	char buf[32];

	(void)state;
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\nB: 2\n x\n\nbody"),
	    NULL), MOX_OK);
	assert_int_equal(h.eol, MOX_MSG_EOL_LF);
	assert_int_equal(h.nfields, 2);
	assert_int_equal(h.header_len, 13);
	assert_int_equal(h.body_offset, 14);
	assert_true(h.has_separator);

	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\nB: 2\n\r\nbody"),
	    NULL), MOX_OK);
	assert_int_equal(h.eol, MOX_MSG_EOL_MIXED);
	assert_int_equal(h.header_len, 11);
	assert_int_equal(h.body_offset, 13);

	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\n\nbody"), NULL),
	    MOX_OK);
	assert_int_equal(h.eol, MOX_MSG_EOL_MIXED);
	assert_int_equal(h.body_offset, 7);

	/* A bare CR is an ordinary byte, not a line end. */
	assert_int_equal(mox_msg_iter_init(&it, SL("A: 1\r2\r\n\r\n"), NULL),
	    MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.value, " 1\r2");
	assert_int_equal(mox_msg_unfold(buf, sizeof(buf), f.value.ptr,
	    f.value.len), 3);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ENOTFOUND);

	/* Folded with bare LF. */
	assert_int_equal(mox_msg_iter_init(&it, SL("S: a\n b\n\n"), NULL),
	    MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.raw, "S: a\n b\n");
	mox_msg_unfold(buf, sizeof(buf), f.value.ptr, f.value.len);
	assert_string_equal(buf, "a b");
}

static void
empty_and_missing_separator(void **state)
{
	mox_msg_header h = MOX_MSG_HEADER_INIT;
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;

	(void)state;
	/* Empty header section. */
	assert_int_equal(mox_msg_header_scan(&h, SL("\r\nbody"), NULL),
	    MOX_OK);
	assert_int_equal(h.nfields, 0);
	assert_int_equal(h.header_len, 0);
	assert_int_equal(h.body_offset, 2);
	assert_true(h.has_separator);
	assert_int_equal(mox_msg_header_scan(&h, SL("\nbody"), NULL), MOX_OK);
	assert_int_equal(h.body_offset, 1);
	assert_int_equal(h.eol, MOX_MSG_EOL_LF);

	/* Empty input. */
	assert_int_equal(mox_msg_header_scan(&h, NULL, 0, NULL), MOX_OK);
	assert_int_equal(h.nfields, 0);
	assert_false(h.has_separator);
	assert_int_equal(h.body_offset, 0);
	assert_int_equal(h.eol, 0);

	/* No empty line: all header, last line without line end. */
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\nB: 2"), NULL),
	    MOX_OK);
	assert_int_equal(h.nfields, 2);
	assert_false(h.has_separator);
	assert_int_equal(h.header_len, 10);
	assert_int_equal(h.body_offset, 10);
	assert_int_equal(mox_msg_iter_init(&it, SL("A: 1\r\nB: 2"), NULL),
	    MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_int_equal(f.flags, MOX_MSG_FIELD_NO_EOL);
	assert_slice(f.raw, "B: 2");
	assert_slice(f.value, " 2");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ENOTFOUND);

	/* Ends right after a line end, no empty line. */
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\n"), NULL),
	    MOX_OK);
	assert_false(h.has_separator);
	assert_int_equal(h.body_offset, 6);
	/* A lone CR at the end is part of the last line. */
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\n\r"), NULL),
	    MOX_OK);
	assert_int_equal(h.nmalformed, 1);
}

static void
malformed(void **state)
{
	static const char m[] = "From sender Mon Jan  1 00:00:00 2001\n"
				"No colon here\r\n"
				": empty name\r\n"
				"Sub\x80ject: x\r\n"
				"A: 1\r\n\r\n";
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	mox_msg_header h = MOX_MSG_HEADER_INIT;

	(void)state;
	assert_int_equal(mox_msg_iter_init(&it, SL(m), NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ESYNTAX);
	assert_int_equal(f.name.len, 0);
	assert_slice(f.value, "From sender Mon Jan  1 00:00:00 2001");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ESYNTAX);
	assert_slice(f.raw, "No colon here\r\n");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ESYNTAX);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ESYNTAX);
	assert_true(f.flags & MOX_MSG_FIELD_8BIT);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.name, "A");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ENOTFOUND);

	assert_int_equal(mox_msg_header_scan(&h, SL(m), NULL), MOX_OK);
	assert_int_equal(h.nfields, 5);
	assert_int_equal(h.nmalformed, 4);
	assert_int_equal(h.err_offset, 0);

	/* A continuation line with no field before it. */
	assert_int_equal(mox_msg_iter_init(&it, SL(" x\r\n y\r\nA: 1\r\n"),
	    NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ESYNTAX);
	assert_slice(f.raw, " x\r\n y\r\n");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	/* Colon missing after obsolete WSP. */
	assert_int_equal(mox_msg_iter_init(&it, SL("A B: 1\r\n"), NULL),
	    MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ESYNTAX);
}

static void
obsolete_and_a63(void **state)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	mox_msg_header h = MOX_MSG_HEADER_INIT;
	char buf[128];

	(void)state;
	assert_int_equal(mox_msg_iter_init(&it, SL("Subject \t: hi\r\n"),
	    NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.name, "Subject");
	assert_slice(f.value, " hi");
	assert_int_equal(f.flags, MOX_MSG_FIELD_OBS_WSP);

	assert_int_equal(mox_msg_header_scan(&h, SL(a63), NULL), MOX_OK);
	assert_int_equal(h.nfields, 5);
	assert_int_equal(h.nmalformed, 0);
	assert_memory_equal(a63 + h.body_offset, "This is", 7);
	assert_int_equal(mox_msg_iter_init(&it, SL(a63), NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_find(&it, "to", &f), MOX_OK);
	assert_slice(f.name, "To");
	assert_true(f.flags & MOX_MSG_FIELD_OBS_WSP);
	assert_true(f.flags & MOX_MSG_FIELD_FOLDED);
	mox_msg_unfold(buf, sizeof(buf), f.value.ptr, f.value.len);
	assert_string_equal(buf, "Mary Smith            <mary@example.net>");
	assert_int_equal(mox_msg_iter_find(&it, "message-id", &f), MOX_OK);
	assert_slice(f.name, "Message-ID");
}

static void
nul_bytes(void **state)
{
	static const char m[] = "A: x\0y\r\nB\0: z\r\nC: 1\r\n\r\n";
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	mox_msg_header h = MOX_MSG_HEADER_INIT;
	char buf[16];

	(void)state;
	assert_int_equal(mox_msg_iter_init(&it, SL(m), NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ENUL);
	assert_slice(f.name, "A");
	assert_int_equal(f.value.len, 4);
	assert_true(f.flags & MOX_MSG_FIELD_NUL);
	/* Unfold copies the NUL; the length tells. */
	assert_int_equal(mox_msg_unfold(buf, sizeof(buf), f.value.ptr,
	    f.value.len), 3);
	assert_memory_equal(buf, "x\0y", 4);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ESYNTAX);
	assert_true(f.flags & MOX_MSG_FIELD_NUL);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_slice(f.name, "C");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ENOTFOUND);

	assert_int_equal(mox_msg_header_scan(&h, SL(m), NULL), MOX_OK);
	assert_int_equal(h.nnul, 2);
	assert_int_equal(h.nmalformed, 1);
	assert_int_equal(h.err_offset, 0);

	/* find() skips NUL fields. */
	assert_int_equal(mox_msg_iter_init(&it, SL(m), NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_find(&it, "a", &f), MOX_ENOTFOUND);
}

static void
eightbit(void **state)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;

	(void)state;
	assert_int_equal(mox_msg_iter_init(&it,
	    SL("Subject: Gr\xc3\xbc\xc3\x9f" "e\r\nX: \xff\r\n\r\n"), NULL),
	    MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_int_equal(f.flags, MOX_MSG_FIELD_8BIT);
	assert_slice(f.value, " Gr\xc3\xbc\xc3\x9f" "e");
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_int_equal(f.flags, MOX_MSG_FIELD_8BIT);
}

static void
long_lines(void **state)
{
	size_t n = 5000, i;
	char *m = malloc(n + 32);
	mox_msg_options o;
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	mox_msg_header h = MOX_MSG_HEADER_INIT;

	(void)state;
	assert_non_null(m);
	memcpy(m, "X-Long: ", 8);
	for (i = 8; i < n; i++)
		m[i] = (char)('a' + i % 26);
	memcpy(m + n, "\r\nA: 1\r\n\r\n", 10);
	/* Default: no line length limit. */
	assert_int_equal(mox_msg_iter_init(&it, U(m), n + 10, NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_int_equal(f.value.len, n - 7);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);

	assert_int_equal(mox_msg_options_init(&o, MOX_MSG_OPTIONS_VERSION),
	    MOX_OK);
	assert_int_equal(o.max_header_size, 1u << 20);
	assert_int_equal(o.max_fields, 10000);
	assert_int_equal(o.max_line_length, 0);
	o.max_line_length = 998;
	assert_int_equal(mox_msg_iter_init(&it, U(m), n + 10, &o), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ELIMIT);
	assert_int_equal(mox_msg_iter_offset(&it), 0);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ELIMIT);
	/* Exactly 998 octets is fine. */
	memcpy(m + 998, "\r\n", 2);
	assert_int_equal(mox_msg_iter_init(&it, U(m), n + 10, &o), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_OK);
	assert_int_equal(f.raw.len, 1000);
	/* Next line is the rest: starts with a letter, no colon. */
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ELIMIT);
	assert_int_equal(mox_msg_iter_offset(&it), 1000);
	assert_int_equal(mox_msg_header_scan(&h, U(m), n + 10, &o),
	    MOX_ELIMIT);
	assert_int_equal(h.err_offset, 1000);
	assert_int_equal(h.nfields, 1);
	free(m);
}

static void
limits(void **state)
{
	mox_msg_options o = MOX_MSG_OPTIONS_INIT;
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	mox_msg_header h = MOX_MSG_HEADER_INIT;
	size_t big = 3u << 20, i;
	char *m;

	(void)state;
	o.max_fields = 2;
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\nB: 2\r\n\r\n"),
	    &o), MOX_OK);
	assert_int_equal(mox_msg_header_scan(&h,
	    SL("A: 1\r\nB: 2\r\nC: 3\r\n\r\n"), &o), MOX_ELIMIT);
	assert_int_equal(h.err_offset, 12);
	assert_int_equal(h.nfields, 2);

	o = (mox_msg_options)MOX_MSG_OPTIONS_INIT;
	o.max_header_size = 12;
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\nB: 2\r\n"), &o),
	    MOX_OK);
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\nB: 2\r\n\r\n"),
	    &o), MOX_ELIMIT);
	assert_int_equal(h.err_offset, 12);
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\nB: 23\r\n"), &o),
	    MOX_ELIMIT);
	assert_int_equal(h.err_offset, 6);
	o.max_header_size = 14;
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\r\nB: 2\r\n\r\nbody"),
	    &o), MOX_OK);

	/* 3 MiB without a line end: default 1 MiB limit. */
	m = malloc(big);
	assert_non_null(m);
	memcpy(m, "X: ", 3);
	for (i = 3; i < big; i++)
		m[i] = 'x';
	assert_int_equal(mox_msg_iter_init(&it, U(m), big, NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_ELIMIT);
	assert_int_equal(mox_msg_iter_offset(&it), 0);
	/* 20000 short fields: default field limit. */
	for (i = 0; i + 4 <= big; i += 4)
		memcpy(m + i, "a:\r\n", 4);
	assert_int_equal(mox_msg_header_scan(&h, U(m), 40000 * 4, NULL),
	    MOX_ELIMIT);
	assert_int_equal(h.nfields, 10000);
	assert_int_equal(h.err_offset, 40000);
	free(m);
}

static void
find_fields(void **state)
{
	static const char m[] = "Received: a\r\nSubject: s\r\nRECEIVED: b\r\n"
				"received :c\r\n\r\nReceived: body\r\n";
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;

	(void)state;
	assert_int_equal(mox_msg_iter_init(&it, SL(m), NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_find(&it, "received", &f), MOX_OK);
	assert_slice(f.value, " a");
	assert_true(mox_msg_field_is(&f, "RECEIVED"));
	assert_false(mox_msg_field_is(&f, "Receive"));
	assert_int_equal(mox_msg_iter_find(&it, "received", &f), MOX_OK);
	assert_slice(f.value, " b");
	assert_int_equal(mox_msg_iter_find(&it, "received", &f), MOX_OK);
	assert_slice(f.value, "c");
	assert_int_equal(mox_msg_iter_find(&it, "received", &f),
	    MOX_ENOTFOUND);
	assert_int_equal(mox_msg_iter_init(&it, SL(m), NULL), MOX_OK);
	assert_int_equal(mox_msg_iter_find(&it, "subject", &f), MOX_OK);
	assert_int_equal(mox_msg_iter_find(&it, "x-none", &f), MOX_ENOTFOUND);
}

static void
bad_args(void **state)
{
	mox_msg_options o;
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	mox_msg_header h = MOX_MSG_HEADER_INIT;

	(void)state;
	assert_int_equal(mox_msg_options_init(NULL, 1), MOX_EINVAL);
	assert_int_equal(mox_msg_options_init(&o, 0), MOX_EVERSION);
	assert_int_equal(mox_msg_options_init(&o, 2), MOX_EVERSION);
	o.version = 7;
	assert_int_equal(mox_msg_iter_init(&it, SL("A: 1\n"), &o),
	    MOX_EVERSION);
	assert_int_equal(mox_msg_iter_init(&it, NULL, 1, NULL), MOX_EINVAL);
	assert_int_equal(mox_msg_iter_init(NULL, SL("x"), NULL), MOX_EINVAL);
	assert_int_equal(mox_msg_iter_init(&it, SL("A: 1\n"), NULL), MOX_OK);
	f.version = 0;
	assert_int_equal(mox_msg_iter_next(&it, &f), MOX_EVERSION);
	f.version = MOX_MSG_FIELD_VERSION;
	assert_int_equal(mox_msg_iter_next(&it, NULL), MOX_EINVAL);
	assert_int_equal(mox_msg_iter_find(&it, NULL, &f), MOX_EINVAL);
	h.version = 0;
	assert_int_equal(mox_msg_header_scan(&h, SL("A: 1\n"), NULL),
	    MOX_EVERSION);
	assert_int_equal(mox_msg_header_scan(NULL, SL("A: 1\n"), NULL),
	    MOX_EINVAL);
	assert_false(mox_msg_field_is(NULL, "a"));
	mox_msg_free(NULL);
}

/* --- RFC 2047 --- */

static void
expect_2047(const char *in, const char *want)
{
	char *s = NULL;
	size_t n = 99;

	assert_int_equal(mox_msg_decode_2047(&s, &n, U(in), strlen(in)),
	    MOX_OK);
	assert_non_null(s);
	if (strcmp(s, want) != 0)
		print_error("input %s\n got  [%s]\n want [%s]\n", in, s, want);
	assert_string_equal(s, want);
	assert_int_equal(n, strlen(want));
	mox_msg_free(s);
}

static void
rfc2047_section8(void **state)
{
	(void)state;
	expect_2047("=?US-ASCII?Q?Keith_Moore?=", "Keith Moore");
	expect_2047("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=",
	    "Keld J\xc3\xb8rn Simonsen");
	expect_2047("=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xc3\xa9 Pirard");
	expect_2047("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
		    "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	    "If you can read this you understand the example.");
	expect_2047("=?ISO-8859-1?Q?Olle_J=E4rnefors?=",
	    "Olle J\xc3\xa4rnefors");
	expect_2047("=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=",
	    "Patrik F\xc3\xa4ltstr\xc3\xb6m");
	expect_2047("(=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
	    "(\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9 \xd7\x9f\xd7\x91 \xd7\x99"
	    "\xd7\x9c\xd7\x98\xd7\xa4\xd7\xa0)");
	/* The table of section 8. */
	expect_2047("(=?ISO-8859-1?Q?a?=)", "(a)");
	expect_2047("(=?ISO-8859-1?Q?a?= b)", "(a b)");
	expect_2047("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)");
	expect_2047("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)");
	expect_2047("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)");
	expect_2047("(=?ISO-8859-1?Q?a_b?=)", "(a b)");
	expect_2047("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)");
}

static void
rfc2047_charsets(void **state)
{
	(void)state;
	expect_2047("=?iso-8859-1?q?Gr=FC=DFe?=", "Gr\xc3\xbc\xc3\x9f" "e");
	expect_2047("=?latin1?q?=E9?=", "\xc3\xa9");
	expect_2047("=?ISO-8859-2?Q?=A3=F3d=BC?=", "\xc5\x81\xc3\xb3" "d\xc5\xba");
	expect_2047("=?iso-8859-15?q?=A4?=", "\xe2\x82\xac");
	expect_2047("=?windows-1252?q?=93hi=94_=80?=",
	    "\xe2\x80\x9chi\xe2\x80\x9d \xe2\x82\xac");
	expect_2047("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	expect_2047("=?gb2312?B?xOO6ww==?=", "\xe4\xbd\xa0\xe5\xa5\xbd");
	expect_2047("=?GB18030?Q?=A2=E3?=", "\xe2\x82\xac");
	expect_2047("=?koi8-r?Q?=F0=D2=C9=D7=C5=D4?=",
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
	expect_2047("=?ks_c_5601-1987?B?vsiz5w==?=",
	    "\xec\x95\x88\xeb\x85\x95");
	expect_2047("=?utf-8?b?w6k=?=", "\xc3\xa9");
	expect_2047("=?UTF8?Q?=C3=A9?=", "\xc3\xa9");
	/* A character split between two adjacent words survives. */
	expect_2047("=?utf-8?q?=C3?= =?utf-8?q?=A9?=", "\xc3\xa9");
	expect_2047("=?utf-8?b?5pel?= =?utf-8?b?5pys?=",
	    "\xe6\x97\xa5\xe6\x9c\xac");
	/* RFC 2231 language suffix. */
	expect_2047("=?utf-8*en?q?hi?=", "hi");
	/* Raw UTF-8 outside encoded-words (RFC 6532) is kept. */
	expect_2047("caf\xc3\xa9 =?utf-8?q?ok?=", "caf\xc3\xa9 ok");
}

static void
rfc2047_broken(void **state)
{
	(void)state;
	expect_2047("", "");
	expect_2047("plain text", "plain text");
	expect_2047("a\r\n b", "a b");
	/* Lowercase q and b, encoded-words inside words. */
	expect_2047("foo=?utf-8?q?bar?=baz", "foobarbaz");
	expect_2047("=?utf-8?q?a?=b", "ab");
	/* Whitespace after the last word, and before plain text, kept. */
	expect_2047("=?utf-8?q?a?= ", "a ");
	expect_2047("=?utf-8?q?a?= x =?utf-8?q?b?=", "a x b");
	/* Unknown charset, bad syntax: left as written. */
	expect_2047("=?x-nonsense?q?abc?=", "=?x-nonsense?q?abc?=");
	expect_2047("=?utf-8//IGNORE?q?x?=", "=?utf-8//IGNORE?q?x?=");
	expect_2047("=?utf-8?x?abc?=", "=?utf-8?x?abc?=");
	expect_2047("=?utf-8?q?abc", "=?utf-8?q?abc");
	expect_2047("=?utf-8?q?a b?=", "=?utf-8?q?a b?=");
	expect_2047("=??q?a?=", "=??q?a?=");
	expect_2047("=?", "=?");
	expect_2047("a=b=?c", "a=b=?c");
	expect_2047("=?unknown-8bit?q?a?=", "=?unknown-8bit?q?a?=");
	/* Unknown charset word between known ones. */
	expect_2047("=?utf-8?q?a?= =?x-bad?q?b?= =?utf-8?q?c?=",
	    "a =?x-bad?q?b?= c");
	/* Invalid base64: bad characters skipped, missing padding. */
	expect_2047("=?utf-8?b?aGVsbG8*?=", "hello");
	expect_2047("=?utf-8?b?aGVsbG8?=", "hello");
	expect_2047("=?utf-8?b?aGVs=bG8?=", "hel");
	expect_2047("=?utf-8?B?\?=", "");
	/* Invalid Q escapes stay literal. */
	expect_2047("=?utf-8?q?a=zz=?=", "a=zz=");
	/* Invalid octets become U+FFFD. */
	expect_2047("=?utf-8?q?a=FFb?=", "a\xef\xbf\xbd" "b");
	expect_2047("=?us-ascii?q?=E9?=", "\xef\xbf\xbd");
	expect_2047("raw \xe9t\xe9", "raw \xef\xbf\xbdt\xef\xbf\xbd");
	expect_2047("=?utf-8?q?=C3?=", "\xef\xbf\xbd");
	expect_2047("=?utf-8?q?=ED=A0=80?=",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_2047("=?iso-2022-jp?b?GyRCRnw?=", "\xe6\x97\xa5");
	/* U+0000 never reaches the output. */
	expect_2047("=?utf-8?q?a=00b?=", "a\xef\xbf\xbd" "b");
	expect_2047("=?utf-16be?b?AAAAYQ==?=", "\xef\xbf\xbd" "a");
	expect_2047("=?iso-8859-1?q?=00?=", "\xef\xbf\xbd");
	/* Labels iconv normalizes to UTF-8: output still checked. */
	expect_2047("=?utf.8?q?=FF?=", "=?utf.8?q?=FF?=");
	expect_2047("=?utf(8?q?a?=", "=?utf(8?q?a?=");
	expect_2047("=?shift_jis?q?=82?=", "\xef\xbf\xbd");
}

static void
rfc2047_nomem(void **state)
{
	static const char in[] = "=?utf-8?q?a?= =?iso-8859-1?q?=E9?= x "
				 "=?gb2312?B?xOO6ww==?= \xff tail";
	unsigned long n;
	char *s;
	size_t len;
	int rc;

	(void)state;
	for (n = 1;; n++) {
		mox__fail_at = n;
		rc = mox_msg_decode_2047(&s, &len, SL(in));
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(s);
	}
	assert_true(n > 1);
	assert_string_equal(s, "a\xc3\xa9 x \xe4\xbd\xa0\xe5\xa5\xbd "
			       "\xef\xbf\xbd tail");
	mox_msg_free(s);
	assert_int_equal(mox_msg_decode_2047(NULL, NULL, SL("x")),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_decode_2047(&s, NULL, NULL, 1), MOX_EINVAL);
}

static void
listid_ok(const char *in, const char *id, const char *phrase)
{
	mox_slice i, ph;
	int rc;

	rc = mox_msg_listid_parse(&i, &ph, (const uint8_t *)in, strlen(in));
	if (rc != MOX_OK)
		print_error("List-Id [%s]: %d\n", in, rc);
	assert_int_equal(rc, MOX_OK);
	assert_int_equal(i.len, strlen(id));
	assert_memory_equal(i.ptr, id, i.len);
	assert_int_equal(ph.len, strlen(phrase));
	if (ph.len > 0)
		assert_memory_equal(ph.ptr, phrase, ph.len);
}

static void
listid(void **state)
{
	mox_slice i;

	(void)state;
	/* RFC 2919 section 3 examples */
	listid_ok("List Header Mailing List <list-header.nisto.com>",
	    "list-header.nisto.com", "List Header Mailing List");
	listid_ok("<commonspace-users.list-id.within.com>",
	    "commonspace-users.list-id.within.com", "");
	listid_ok("\"Lena's Personal <Joke> List\"\r\n"
		  " <lenas-jokes.da39efc25c530ad145d41b86f7420c3b.021999.localhost>",
	    "lenas-jokes.da39efc25c530ad145d41b86f7420c3b.021999.localhost",
	    "\"Lena's Personal <Joke> List\"");
	listid_ok("(comment <not.this>) Name <a.b>", "a.b",
	    "(comment <not.this>) Name");
	listid_ok("< a.example.org >", "a.example.org", "");
	listid_ok("  list.example.org  (old style)", "list.example.org", "");
	listid_ok("list.example.org", "list.example.org", "");
	assert_int_equal(mox_msg_listid_parse(&i, NULL, SL("Name <nodot>")),
	    MOX_ESYNTAX);
	assert_int_equal(mox_msg_listid_parse(&i, NULL, SL("Name <a.b")),
	    MOX_ESYNTAX);
	assert_int_equal(mox_msg_listid_parse(&i, NULL, SL("two words.x")),
	    MOX_ESYNTAX);
	assert_int_equal(mox_msg_listid_parse(&i, NULL, SL("<a..b>")),
	    MOX_ESYNTAX);
	assert_int_equal(mox_msg_listid_parse(&i, NULL, SL("")), MOX_ESYNTAX);
	assert_int_equal(mox_msg_listid_parse(&i, NULL, SL("<a.b\0>")),
	    MOX_ENUL);
	assert_int_equal(mox_msg_listid_parse(NULL, NULL, SL("<a.b>")),
	    MOX_EINVAL);
}

static void
received_count(void **state)
{
	static const char msg[] =
	    "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
	    "X-Received: not counted\r\n"
	    "received: from c\r\n by d; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
	    "Subject: x\r\n"
	    "RECEIVED : obsolete form\r\n"
	    "\r\n"
	    "Received: in the body, not counted\r\n";
	mox_msg_options o = MOX_MSG_OPTIONS_INIT;

	(void)state;
	assert_int_equal(mox_msg_received_count(SL(msg), NULL), 3);
	assert_int_equal(mox_msg_received_count(SL("Subject: x\r\n\r\n"),
	    NULL), 0);
	o.max_fields = 2;
	assert_int_equal(mox_msg_received_count(SL(msg), &o), MOX_ELIMIT);
	assert_int_equal(mox_msg_received_count(NULL, 1, NULL), MOX_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_a11),
		cmocka_unit_test(raw_value_slices),
		cmocka_unit_test(folding),
		cmocka_unit_test(line_ends),
		cmocka_unit_test(empty_and_missing_separator),
		cmocka_unit_test(malformed),
		cmocka_unit_test(obsolete_and_a63),
		cmocka_unit_test(nul_bytes),
		cmocka_unit_test(eightbit),
		cmocka_unit_test(long_lines),
		cmocka_unit_test(limits),
		cmocka_unit_test(find_fields),
		cmocka_unit_test(bad_args),
		cmocka_unit_test(rfc2047_section8),
		cmocka_unit_test(rfc2047_charsets),
		cmocka_unit_test(rfc2047_broken),
		cmocka_unit_test(rfc2047_nomem),
		cmocka_unit_test(listid),
		cmocka_unit_test(received_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
