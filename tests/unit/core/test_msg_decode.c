/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the body decoders of <mox/message.h>: base64 and
 * quoted-printable (RFC 2045 6.7, 6.8), streaming and one-call, and
 * mox_msg_part_decode(). Every decode is checked three ways: against a
 * naive reference decoder written from the documented rules, in one call,
 * and streamed in chunks split at every point (and every pair of points)
 * of small inputs, and at random points of large ones; every update() must
 * fit in in_len + MOX_MSG_DECODE_SLACK octets. Internal test (uses
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

enum {
	B64 = MOX_MSG_CTE_BASE64,
	QP = MOX_MSG_CTE_QUOTED_PRINTABLE,
	BAD_CHAR = MOX_MSG_DECODE_BAD_CHAR,
	BAD_PAD = MOX_MSG_DECODE_BAD_PADDING,
	BAD_ESC = MOX_MSG_DECODE_BAD_ESCAPE,
	LONG = MOX_MSG_DECODE_LONG_LINE
};

/* --- reference decoders: the documented rules, the naive way --- */

static bool
ref_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static size_t
ref_qp(uint8_t *out, unsigned int *err, const uint8_t *p, size_t len)
{
	size_t i = 0, o = 0;

	*err = 0;
	while (i < len) {
		size_t j = i, e, t, ce, k;
		bool lf, crlf = false, soft;

		while (j < len && p[j] != '\n')
			j++;
		lf = j < len;
		e = j;
		if (lf && e > i && p[e - 1] == '\r') {
			crlf = true;
			e--;
		}
		if (e - i > 76)
			*err |= LONG;
		t = e;
		while (t > i && ref_ws(p[t - 1]))
			t--;
		if (e - t > MOX_MSG_DECODE_SLACK - 2)
			t = e;  /* too long a run to hold back: kept */
		soft = t > i && p[t - 1] == '=';
		ce = soft ? t - 1 : t;
		for (k = i; k < ce;) {
			if (p[k] == '=' && k + 2 < ce &&
			    mox__hex_value(p[k + 1]) >= 0 &&
			    mox__hex_value(p[k + 2]) >= 0) {
				out[o++] = (uint8_t)(mox__hex_value(p[k + 1])
				    << 4 | mox__hex_value(p[k + 2]));
				k += 3;
			} else {
				if (p[k] == '=')
					*err |= BAD_ESC;
				out[o++] = p[k++];
			}
		}
		if (lf && !soft) {
			if (crlf)
				out[o++] = '\r';
			out[o++] = '\n';
		}
		i = lf ? j + 1 : len;
	}
	return o;
}

/* Characters are collected in a quantum; "=" ends the data. */
static size_t
ref_b64(uint8_t *out, unsigned int *err, const uint8_t *p, size_t len)
{
	size_t i, o = 0, n = 0;
	uint32_t bits = 0;
	bool done = false;

	*err = 0;
	for (i = 0; i < len && !done; i++) {
		int v = mox__b64_value(p[i]);

		if (v >= 0) {
			bits = bits << 6 | (uint32_t)v;
			if (++n == 4) {
				out[o++] = (uint8_t)(bits >> 16);
				out[o++] = (uint8_t)(bits >> 8);
				out[o++] = (uint8_t)bits;
				n = 0;
				bits = 0;
			}
		} else if (p[i] == '=') {
			done = true;
			if (n < 2)
				*err |= BAD_PAD;
		} else if (!mox__isspace(p[i])) {
			*err |= BAD_CHAR;
		}
	}
	for (; i < len; i++) {
		if (p[i] != '=' && !mox__isspace(p[i]))
			*err |= BAD_PAD;
	}
	if (n == 1 && !done)
		*err |= BAD_PAD;
	if (n == 2)
		out[o++] = (uint8_t)(bits >> 4);
	if (n == 3) {
		out[o++] = (uint8_t)(bits >> 10);
		out[o++] = (uint8_t)(bits >> 2);
	}
	return o;
}

static size_t
ref_decode(uint8_t *out, unsigned int *err, int cte, const uint8_t *p,
    size_t len)
{
	switch (cte) {
	case QP:
		return ref_qp(out, err, p, len);
	case B64:
		return ref_b64(out, err, p, len);
	default:
		*err = 0;
		if (len > 0)
			memcpy(out, p, len);
		return len;
	}
}

/* --- helpers --- */

struct res {
	uint8_t *p;
	size_t len;
	unsigned int err;
};

/* Stream p[0..len) through a decoder in chunks ending at cuts[] (sorted,
 * each <= len). Each update() gets a buffer of exactly its bound, on the
 * heap, so ASan catches a write beyond it. */
static void
stream(struct res *r, int cte, const uint8_t *p, size_t len,
    const size_t *cuts, size_t ncuts)
{
	mox_msg_decoder d;
	size_t start = 0, i, n;
	uint8_t *buf;

	r->p = malloc(len + MOX_MSG_DECODE_SLACK + 1);
	assert_non_null(r->p);
	r->len = 0;
	assert_int_equal(mox_msg_decoder_init(&d, cte), MOX_OK);
	for (i = 0; i <= ncuts; i++) {
		size_t stop = i < ncuts ? cuts[i] : len;
		size_t cl = stop - start;

		buf = malloc(cl + MOX_MSG_DECODE_SLACK);
		assert_non_null(buf);
		assert_int_equal(mox_msg_decoder_update(&d, buf, &n,
		    p + start, cl), MOX_OK);
		assert_true(n <= cl + MOX_MSG_DECODE_SLACK);
		memcpy(r->p + r->len, buf, n);
		r->len += n;
		free(buf);
		start = stop;
	}
	buf = malloc(MOX_MSG_DECODE_SLACK);
	assert_non_null(buf);
	assert_int_equal(mox_msg_decoder_final(&d, buf, &n), MOX_OK);
	assert_true(n <= MOX_MSG_DECODE_SLACK);
	memcpy(r->p + r->len, buf, n);
	r->len += n;
	free(buf);
	r->err = mox_msg_decoder_errors(&d);
}

static void
dump(const char *what, const uint8_t *p, size_t len)
{
	size_t i;

	print_error("%s (%zu): \"", what, len);
	for (i = 0; i < len && i < 400; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
			print_error("%c", p[i]);
		else
			print_error("\\x%02x", p[i]);
	}
	print_error("\"\n");
}

static void
same(const struct res *want, const struct res *got, const uint8_t *in,
    size_t len, const char *how)
{
	if (want->len != got->len || want->err != got->err ||
	    memcmp(want->p, got->p, want->len) != 0) {
		print_error("mismatch (%s)\n", how);
		dump("input", in, len);
		dump("want", want->p, want->len);
		dump("got", got->p, got->len);
		print_error("errors want %#x got %#x\n", want->err, got->err);
		fail();
	}
}

/* Decode one input every way and compare; returns the reference result
 * (caller frees p). */
enum { SPLIT_NONE, SPLIT_EVERY, SPLIT_PAIRS };

static struct res
check_all(int cte, const uint8_t *p, size_t len, int splits)
{
	struct res ref, one, st;
	size_t cuts[2], i, j;
	uint8_t *o = NULL;

	ref.p = malloc(len + 4);
	assert_non_null(ref.p);
	ref.len = ref_decode(ref.p, &ref.err, cte, p, len);

	assert_int_equal(mox_msg_decode(&o, &one.len, &one.err, cte, p, len),
	    MOX_OK);
	assert_non_null(o);
	assert_int_equal(o[one.len], '\0');
	one.p = o;
	same(&ref, &one, p, len, "one call");
	mox_msg_free(o);

	stream(&st, cte, p, len, NULL, 0);
	same(&ref, &st, p, len, "one chunk");
	free(st.p);
	for (i = 0; i <= len && splits != SPLIT_NONE; i++) {
		cuts[0] = i;
		stream(&st, cte, p, len, cuts, 1);
		same(&ref, &st, p, len, "one split");
		free(st.p);
		if (splits != SPLIT_PAIRS)
			continue;
		for (j = i; j <= len; j++) {
			cuts[1] = j;
			stream(&st, cte, p, len, cuts, 2);
			same(&ref, &st, p, len, "two splits");
			free(st.p);
		}
	}
	return ref;
}

/* An expected result, checked with check_all(). */
static void
expect_n(int cte, const char *in, size_t inlen, const char *want,
    size_t wantlen, unsigned int err)
{
	struct res r = check_all(cte, U(in), inlen, SPLIT_PAIRS);

	if (r.len != wantlen || memcmp(r.p, want, wantlen) != 0 ||
	    r.err != err) {
		dump("input", U(in), inlen);
		dump("want", U(want), wantlen);
		dump("got", r.p, r.len);
		print_error("errors want %#x got %#x\n", err, r.err);
		fail();
	}
	free(r.p);
}

static void
expect(int cte, const char *in, const char *want, unsigned int err)
{
	expect_n(cte, in, strlen(in), want, strlen(want), err);
}

/* --- tests --- */

static void
test_b64_rfc4648(void **state)
{
	(void)state;
	/* RFC 4648 10 */
	expect(B64, "", "", 0);
	expect(B64, "Zg==", "f", 0);
	expect(B64, "Zm8=", "fo", 0);
	expect(B64, "Zm9v", "foo", 0);
	expect(B64, "Zm9vYg==", "foob", 0);
	expect(B64, "Zm9vYmE=", "fooba", 0);
	expect(B64, "Zm9vYmFy", "foobar", 0);
	/* the whole alphabet, binary output */
	expect_n(B64, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUm"
	    "JygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJT"
	    "VFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+A"
	    "gYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6yt"
	    "rq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna"
	    "29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==", 344,
	    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e"
	    "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
	    "\x1e\x1f\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c"
	    "\x2d\x2e\x2f\x30\x31\x32\x33\x34\x35\x36\x37\x38\x39\x3a\x3b"
	    "\x3c\x3d\x3e\x3f\x40\x41\x42\x43\x44\x45\x46\x47\x48\x49\x4a"
	    "\x4b\x4c\x4d\x4e\x4f\x50\x51\x52\x53\x54\x55\x56\x57\x58\x59"
	    "\x5a\x5b\x5c\x5d\x5e\x5f\x60\x61\x62\x63\x64\x65\x66\x67\x68"
	    "\x69\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74\x75\x76\x77"
	    "\x78\x79\x7a\x7b\x7c\x7d\x7e\x7f\x80\x81\x82\x83\x84\x85\x86"
	    "\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95"
	    "\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4"
	    "\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3"
	    "\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1\xc2"
	    "\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1"
	    "\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0"
	    "\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef"
	    "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe"
	    "\xff", 256, 0);
}

static void
test_b64_lenient(void **state)
{
	(void)state;
	/* line ends and whitespace anywhere */
	expect(B64, "Zm9v\r\nYmFy\r\n", "foobar", 0);
	expect(B64, "Zm9v\nYmFy\n", "foobar", 0);
	expect(B64, " Z m\t9 v\r\n\r\nY m F y \f\v", "foobar", 0);
	expect(B64, "Zm\r\n9vYg\r\n==\r\n", "foob", 0);
	/* invalid octets skipped and flagged */
	expect(B64, "Zm9v*YmFy", "foobar", BAD_CHAR);
	expect_n(B64, "Z\x80m9v\x00YmFy", 10, "foobar", 6, BAD_CHAR);
	expect(B64, "-_Zm9v", "foo", BAD_CHAR);
	/* missing padding: full octets of the partial quantum, silently */
	expect(B64, "Zm9vYg", "foob", 0);
	expect(B64, "Zm9vYmE", "fooba", 0);
	expect(B64, "Zm9vYg=", "foob", 0);
	expect(B64, "Zm9vYg\r\n", "foob", 0);
	/* a lone final character */
	expect(B64, "Zm9vY", "foo", BAD_PAD);
	expect(B64, "Zm9vY\r\n", "foo", BAD_PAD);
	/* the first '=' ends the data */
	expect(B64, "Zg==Zm8=", "f", BAD_PAD);
	expect(B64, "Zg==\r\n\r\n", "f", 0);
	expect(B64, "Zg=====\r\n=", "f", 0);
	expect(B64, "Zm8=\r\n--boundary", "fo", BAD_PAD);
	expect(B64, "Zg==*", "f", BAD_PAD);
	/* misplaced '=' */
	expect(B64, "Zm9v=", "foo", BAD_PAD);
	expect(B64, "=Zm9v", "", BAD_PAD);
	expect(B64, "Zm9vY===", "foo", BAD_PAD);
	expect(B64, "Zm9vY=mFy", "foo", BAD_PAD);
	/* non-zero unused bits are ignored */
	expect(B64, "Zh==", "f", 0);
	expect(B64, "Zm9=", "fo", 0);
	/* only junk */
	expect(B64, "***", "", BAD_CHAR);
	expect(B64, "\r\n", "", 0);
}

static void
test_qp_rfc2045(void **state)
{
	(void)state;
	/* RFC 2045 6.7 rule 5 example */
	expect(QP, "Now's the time =\r\nfor all folk to come=\r\n to the aid "
	    "of their country.",
	    "Now's the time for all folk to come to the aid of their "
	    "country.", 0);
	/* rule 1 */
	expect(QP, "=3D=20=09=41=e9=E9=c3=A9", "= \tA\xe9\xe9\xc3\xa9", 0);
	/* rule 3: whitespace at line end removed; protected by =20 or "=" */
	expect(QP, "a b  \r\nc\t\nd", "a b\r\nc\nd", 0);
	expect(QP, "a=20\r\nb =\r\nc", "a \r\nb c", 0);
	/* rule 4: hard line breaks kept as written */
	expect(QP, "a\r\nb\nc\r\n", "a\r\nb\nc\r\n", 0);
	expect(QP, "\r\n\r\n\n\n", "\r\n\r\n\n\n", 0);
	/* rule 5: soft line breaks */
	expect(QP, "ab=\r\ncd=\nef", "abcdef", 0);
	expect(QP, "ab=  \t\r\ncd= \nef", "abcdef", 0);
	expect(QP, "ab=", "ab", 0);
	expect(QP, "ab= \t", "ab", 0);
	expect(QP, "=\r\n", "", 0);
	expect(QP, "=", "", 0);
}

static void
test_qp_lenient(void **state)
{
	(void)state;
	/* invalid escapes kept literally; decoding resumes after '=' */
	expect(QP, "a=b", "a=b", BAD_ESC);
	expect(QP, "=4G", "=4G", BAD_ESC);
	expect(QP, "=4=41", "=4A", BAD_ESC);
	expect(QP, "==41", "=A", BAD_ESC);
	expect(QP, "== \r\n", "=", BAD_ESC);
	expect(QP, "=G\r\n", "=G\r\n", BAD_ESC);
	expect(QP, "= x", "= x", BAD_ESC);
	expect(QP, "= =41", "= A", BAD_ESC);
	expect(QP, "=4\r\n", "=4\r\n", BAD_ESC);
	expect(QP, "=4 \r\n", "=4\r\n", BAD_ESC);
	expect(QP, "x=4", "x=4", BAD_ESC);
	expect(QP, "x=a", "x=a", BAD_ESC);
	expect(QP, "=\r", "=\r", BAD_ESC);
	expect(QP, "= \rx", "= \rx", BAD_ESC);
	expect(QP, "=\rx\r\n", "=\rx\r\n", BAD_ESC);
	/* a bare CR is an ordinary octet, before SP/HTAB and at the end too */
	expect(QP, "a \rb", "a \rb", 0);
	expect(QP, "a \r\r\n", "a \r\r\n", 0);
	expect(QP, "a \r", "a \r", 0);
	expect(QP, "a\r \r\n", "a\r\r\n", 0);
	/* whitespace at the very end dropped */
	expect(QP, "abc \t ", "abc", 0);
	expect(QP, "   ", "", 0);
	expect(QP, "a \t b", "a \t b", 0);
	/* other octets copied */
	expect_n(QP, "\x00\xff\x7f=00\r\n", 8, "\x00\xff\x7f\x00\r\n", 6, 0);
}

static void
test_qp_long(void **state)
{
	char in[400], want[400];

	(void)state;
	/* 76 octets is fine, 77 is long; the line end does not count */
	memset(in, 'a', 76);
	memcpy(in + 76, "\r\nb", 4);
	expect(QP, in, in, 0);
	memcpy(in + 76, "\nb", 3);
	expect(QP, in, in, 0);
	memcpy(in + 75, "=\r\nb", 5);
	memset(want, 'a', 75);
	memcpy(want + 75, "b", 2);
	expect(QP, in, want, 0);
	memset(in, 'a', 77);
	memcpy(in + 77, "\r\nb", 4);
	expect(QP, in, in, LONG);
	in[77] = '\0';
	expect(QP, in, in, LONG);
	/* the soft break "=" counts */
	memset(in, 'a', 76);
	memcpy(in + 76, "=\r\nb", 5);
	memset(want, 'a', 76);
	memcpy(want + 76, "b", 2);
	expect(QP, in, want, LONG);
	/* a bare CR counts */
	memset(in, 'a', 76);
	memcpy(in + 76, "\r\r\n", 4);
	expect(QP, in, in, LONG);
	/* trailing whitespace counts */
	memset(in, 'a', 70);
	memset(in + 70, ' ', 10);
	memcpy(in + 80, "\r\n", 3);
	memset(want, 'a', 70);
	memcpy(want + 70, "\r\n", 3);
	expect(QP, in, want, LONG);

	/* Whitespace runs: up to 78 octets held and dropped at line end,
	 * longer runs kept. */
	memset(in, ' ', 78);
	memcpy(in + 78, "\r\nx", 4);
	expect(QP, in, "\r\nx", LONG);
	memset(in, ' ', 79);
	memcpy(in + 79, "\r\nx", 4);
	expect(QP, in, in, LONG);
	in[79] = '\0';
	expect(QP, in, in, LONG);
	in[78] = '\0';
	expect(QP, in, "", LONG);
	/* ... after "=" too */
	in[0] = '=';
	memset(in + 1, '\t', 78);
	memcpy(in + 79, "\nx", 3);
	expect(QP, in, "x", LONG);
	memset(in + 1, '\t', 79);
	memcpy(in + 80, "\nx", 3);
	expect(QP, in, in, LONG | BAD_ESC);
	in[80] = '\r';
	memcpy(in + 81, "\nx", 3);
	expect(QP, in, in, LONG | BAD_ESC);
	/* the largest hold-back: "=", 78 SP/HTAB and a CR */
	memset(in + 1, ' ', 78);
	memcpy(in + 79, "\rx", 3);
	expect(QP, in, in, LONG | BAD_ESC);
	in[80] = '\0';
	expect(QP, in, in, LONG | BAD_ESC);
}

static void
test_copy(void **state)
{
	static const int ctes[] = { MOX_MSG_CTE_7BIT, MOX_MSG_CTE_8BIT,
		MOX_MSG_CTE_BINARY, MOX_MSG_CTE_OTHER };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ctes) / sizeof(ctes[0]); i++) {
		expect_n(ctes[i], "a=41 \r\n\x00\xff==", 11,
		    "a=41 \r\n\x00\xff==", 11, 0);
		expect(ctes[i], "", "", 0);
	}
}

/* Every string up to a length over a small alphabet, every single split
 * (pairs for the shortest). */
static void
exhaustive(int cte, const char *alpha, size_t maxlen)
{
	size_t na = strlen(alpha), len, k;
	uint8_t in[16];
	size_t idx[16];

	for (len = 0; len <= maxlen; len++) {
		memset(idx, 0, sizeof(idx));
		for (;;) {
			struct res r;

			for (k = 0; k < len; k++)
				in[k] = (uint8_t)alpha[idx[k]];
			r = check_all(cte, in, len,
			    len <= 4 ? SPLIT_PAIRS : SPLIT_EVERY);
			free(r.p);
			for (k = 0; k < len; k++) {
				if (++idx[k] < na)
					break;
				idx[k] = 0;
			}
			if (k == len)
				break;
		}
	}
}

static void
test_exhaustive_qp(void **state)
{
	(void)state;
	exhaustive(QP, "= \t\r\nA4f", 5);
}

static void
test_exhaustive_b64(void **state)
{
	(void)state;
	exhaustive(B64, "QUJ=\n*/", 6);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t
rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1du) >> 32);
}

static void
random_chunks(int cte, const char *alpha, size_t maxlen, int rounds)
{
	size_t na = strlen(alpha);
	uint8_t *in = malloc(maxlen);
	int round;

	assert_non_null(in);
	for (round = 0; round < rounds; round++) {
		size_t len = rnd() % maxlen, i, ncuts = 0, cuts[64];
		struct res ref, st;

		for (i = 0; i < len; i++) {
			uint32_t r = rnd() % 100;

			/* long runs of whitespace now and then */
			if (r < 2 && i + 100 < len) {
				size_t run = 70 + rnd() % 20;

				memset(in + i, (r & 1) ? ' ' : '\t', run);
				i += run - 1;
				continue;
			}
			in[i] = (uint8_t)alpha[rnd() % na];
		}
		ref = check_all(cte, in, len, SPLIT_EVERY);
		for (i = 0; i < 20; i++) {
			size_t j;

			ncuts = rnd() % 64;
			for (j = 0; j < ncuts; j++)
				cuts[j] = len == 0 ? 0 : rnd() % (len + 1);
			/* sort */
			for (j = 1; j < ncuts; j++) {
				size_t v = cuts[j], k = j;

				while (k > 0 && cuts[k - 1] > v) {
					cuts[k] = cuts[k - 1];
					k--;
				}
				cuts[k] = v;
			}
			stream(&st, cte, in, len, cuts, ncuts);
			same(&ref, &st, in, len, "random splits");
			free(st.p);
		}
		free(ref.p);
	}
	free(in);
}

static void
test_random(void **state)
{
	(void)state;
	random_chunks(QP, "aaaaaaaabcdef   \t=====0123456789ABCDEFabcdefG"
	    "\r\n\n", 600, 150);
	random_chunks(QP, "abcdefgh=\n", 300, 150);
	random_chunks(B64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789+/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789+/\r\n", 600, 150);
	random_chunks(B64, "ABCD\r\n =*", 300, 150);
}

/* Large clean inputs: the fast paths, against the reference. */
static void
test_large(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789+/";
	size_t n = 300000, i, o = 0, col = 0;
	uint8_t *raw = malloc(n), *enc = malloc(n * 4);
	size_t cuts[3] = { 1, 77777, 77778 };
	struct res ref, st;

	(void)state;
	assert_non_null(raw);
	assert_non_null(enc);
	for (i = 0; i < n; i++)
		raw[i] = (uint8_t)rnd();
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | raw[i + 1] << 8 |
		    raw[i + 2];

		enc[o++] = (uint8_t)alpha[v >> 18];
		enc[o++] = (uint8_t)alpha[(v >> 12) & 63];
		enc[o++] = (uint8_t)alpha[(v >> 6) & 63];
		enc[o++] = (uint8_t)alpha[v & 63];
		if ((col += 4) == 76) {
			enc[o++] = '\r';
			enc[o++] = '\n';
			col = 0;
		}
	}
	ref = check_all(B64, enc, o, SPLIT_NONE);
	assert_int_equal(ref.len, n);
	assert_memory_equal(ref.p, raw, n);
	assert_int_equal(ref.err, 0);
	stream(&st, B64, enc, o, cuts, 3);
	same(&ref, &st, enc, o, "large");
	free(st.p);
	free(ref.p);

	/* quoted-printable of the same octets */
	o = 0;
	col = 0;
	for (i = 0; i < n; i++) {
		uint8_t c = raw[i];

		if (col >= 73) {
			memcpy(enc + o, "=\r\n", 3);
			o += 3;
			col = 0;
		}
		if ((c >= 33 && c <= 126 && c != '=') || c == ' ') {
			enc[o++] = c;
			col++;
		} else {
			enc[o++] = '=';
			enc[o++] = "0123456789ABCDEF"[c >> 4];
			enc[o++] = "0123456789abcdef"[c & 15];
			col += 3;
		}
	}
	ref = check_all(QP, enc, o, SPLIT_NONE);
	/* A space that ends up last before a soft break is not removed
	 * ("a =" CRLF); one just before "=" is kept too. */
	assert_int_equal(ref.len, n);
	assert_memory_equal(ref.p, raw, n);
	assert_int_equal(ref.err, 0);
	free(ref.p);
	free(raw);
	free(enc);
}

static void
test_args(void **state)
{
	mox_msg_decoder d;
	uint8_t buf[MOX_MSG_DECODE_SLACK + 8], *o = (uint8_t *)1;
	size_t n = 99;
	unsigned int err = 99;

	(void)state;
	assert_int_equal(mox_msg_decoder_init(NULL, QP), MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_init(&d, -1), MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_init(&d, MOX_MSG_CTE_OTHER + 1),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_init(&d, B64), MOX_OK);
	assert_int_equal(mox_msg_decoder_update(NULL, buf, &n, U("a"), 1),
	    MOX_EINVAL);
	assert_int_equal(n, 0);
	assert_int_equal(mox_msg_decoder_update(&d, NULL, &n, U("a"), 1),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_update(&d, buf, NULL, U("a"), 1),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_update(&d, buf, &n, NULL, 1),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_update(&d, buf, &n, NULL, 0), MOX_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mox_msg_decoder_update(&d, buf, &n, U("Zm9*"), 4),
	    MOX_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mox_msg_decoder_errors(&d), BAD_CHAR);
	assert_int_equal(mox_msg_decoder_final(NULL, buf, &n), MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_final(&d, NULL, &n), MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_final(&d, buf, NULL), MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_final(&d, buf, &n), MOX_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(buf, "fo", 2);
	/* finished: errors stay readable, more input is refused until the
	 * decoder is initialized again */
	assert_int_equal(mox_msg_decoder_errors(&d), BAD_CHAR);
	assert_int_equal(mox_msg_decoder_update(&d, buf, &n, U("a"), 1),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_final(&d, buf, &n), MOX_EINVAL);
	assert_int_equal(mox_msg_decoder_init(&d, B64), MOX_OK);
	assert_int_equal(mox_msg_decoder_errors(&d), 0);
	assert_int_equal(mox_msg_decoder_update(&d, buf, &n, U("Zm9v"), 4),
	    MOX_OK);
	assert_int_equal(n, 3);
	assert_int_equal(mox_msg_decoder_errors(NULL), 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(mox_msg_decoder_update(&d, buf, &n, U("a"), 1),
	    MOX_EINVAL);

	assert_int_equal(mox_msg_decode(NULL, &n, &err, QP, U("a"), 1),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_decode(&o, NULL, &err, QP, U("a"), 1),
	    MOX_EINVAL);
	assert_null(o);
	o = (uint8_t *)1;
	assert_int_equal(mox_msg_decode(&o, &n, &err, QP, NULL, 1),
	    MOX_EINVAL);
	assert_null(o);
	assert_int_equal(n, 0);
	assert_int_equal(err, 0);
	assert_int_equal(mox_msg_decode(&o, &n, &err, 17, U("a"), 1),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_decode(&o, &n, NULL, QP, NULL, 0), MOX_OK);
	assert_non_null(o);
	assert_int_equal(n, 0);
	assert_int_equal(o[0], '\0');
	mox_msg_free(o);
	assert_int_equal(mox_msg_decode(&o, &n, NULL, B64, U(""), 0), MOX_OK);
	assert_int_equal(n, 0);
	mox_msg_free(o);

	assert_int_equal(mox_msg_part_decode(&o, &n, &err, NULL, NULL),
	    MOX_EINVAL);
	assert_null(o);
}

static void
test_alloc_fail(void **state)
{
	unsigned long k;
	uint8_t *o = NULL;
	size_t n;
	int rc = MOX_ENOMEM;

	(void)state;
	for (k = 1; k < 100; k++) {
		mox__fail_at = k;
		rc = mox_msg_decode(&o, &n, NULL, B64, U("Zm9v"), 4);
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(o);
	}
	assert_int_equal(rc, MOX_OK);
	assert_int_equal(n, 3);
	mox_msg_free(o);
}

static const char mp_msg[] =
    "From: a@example.org\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=C3=A9 =\r\n"
    "au lait  \r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Transfer-Encoding: BASE64\r\n"
    "\r\n"
    "Zm9v\r\n"
    "YmFy\r\n"
    "--b1\r\n"
    "Content-Transfer-Encoding: x-uuencode\r\n"
    "\r\n"
    "begin 644 x\r\n"
    "--b1\r\n"
    "\r\n"
    "plain=41\r\n"
    "--b1--\r\n";

static int
part_decode_once(void)
{
	mox_msg_tree *t = NULL;
	const mox_msg_part *p;
	uint8_t *o = NULL;
	size_t n;
	unsigned int err;
	int rc;

	rc = mox_msg_tree_parse(&t, U(mp_msg), sizeof(mp_msg) - 1, NULL);
	if (rc != MOX_OK)
		return rc;
	assert_int_equal(mox_msg_tree_count(t), 5);

	p = mox_msg_tree_part(t, 1);
	assert_int_equal(p->cte, QP);
	rc = mox_msg_part_decode(&o, &n, &err, t, p);
	if (rc != MOX_OK)
		goto out;
	assert_int_equal(n, strlen("caf\xc3\xa9 au lait"));
	assert_memory_equal(o, "caf\xc3\xa9 au lait", n);
	assert_int_equal(err, 0);
	mox_msg_free(o);

	p = mox_msg_tree_part(t, 2);
	rc = mox_msg_part_decode(&o, &n, NULL, t, p);
	if (rc != MOX_OK)
		goto out;
	assert_int_equal(n, 6);
	assert_memory_equal(o, "foobar", 6);
	mox_msg_free(o);

	p = mox_msg_tree_part(t, 3);
	assert_int_equal(p->cte, MOX_MSG_CTE_OTHER);
	assert_int_equal(mox_msg_part_decode(&o, &n, &err, t, p),
	    MOX_EUNSUPPORTED);
	assert_null(o);

	/* 7bit: copied, escapes untouched */
	p = mox_msg_tree_part(t, 4);
	rc = mox_msg_part_decode(&o, &n, &err, t, p);
	if (rc != MOX_OK)
		goto out;
	assert_int_equal(n, 8);
	assert_memory_equal(o, "plain=41", 8);
	mox_msg_free(o);

	/* the multipart itself: its body, copied */
	p = mox_msg_tree_part(t, 0);
	rc = mox_msg_part_decode(&o, &n, &err, t, p);
	if (rc != MOX_OK)
		goto out;
	assert_int_equal(n, p->end_offset - p->body_offset);
	mox_msg_free(o);
	o = NULL;
out:
	mox_msg_tree_free(t);
	return rc;
}

static void
test_part_decode(void **state)
{
	mox_msg_tree *t = NULL, *t2 = NULL;
	mox_msg_part copy;
	uint8_t *o = (uint8_t *)1;
	size_t n;
	unsigned long k;
	int rc = MOX_ENOMEM;

	(void)state;
	assert_int_equal(part_decode_once(), MOX_OK);

	/* a part of another tree, or a copy, is refused */
	assert_int_equal(mox_msg_tree_parse(&t, U(mp_msg), sizeof(mp_msg) - 1,
	    NULL), MOX_OK);
	assert_int_equal(mox_msg_tree_parse(&t2, U(mp_msg),
	    sizeof(mp_msg) - 1, NULL), MOX_OK);
	assert_int_equal(mox_msg_part_decode(&o, &n, NULL, t,
	    mox_msg_tree_part(t2, 1)), MOX_EINVAL);
	assert_null(o);
	copy = *mox_msg_tree_part(t, 1);
	assert_int_equal(mox_msg_part_decode(&o, &n, NULL, t, &copy),
	    MOX_EINVAL);
	assert_int_equal(mox_msg_part_decode(NULL, &n, NULL, t,
	    mox_msg_tree_part(t, 1)), MOX_EINVAL);
	mox_msg_tree_free(t);
	mox_msg_tree_free(t2);

	for (k = 1; k < 10000; k++) {
		mox__fail_at = k;
		rc = part_decode_once();
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
	}
	assert_int_equal(rc, MOX_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_rfc4648),
		cmocka_unit_test(test_b64_lenient),
		cmocka_unit_test(test_qp_rfc2045),
		cmocka_unit_test(test_qp_lenient),
		cmocka_unit_test(test_qp_long),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_exhaustive_qp),
		cmocka_unit_test(test_exhaustive_b64),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_alloc_fail),
		cmocka_unit_test(test_part_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
