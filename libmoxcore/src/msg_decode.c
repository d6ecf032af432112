/* SPDX-License-Identifier: MIT */
/*
 * msg_decode.c -- Content-Transfer-Encoding decoders (RFC 2045 6.7
 * quoted-printable, 6.8 base64), streaming with a bounded hold-back, and
 * the one-call forms.
 *
 * Every decoder is a byte-at-a-time state machine (the slow path, used
 * across chunk boundaries) plus a fast path that works on whole quanta or
 * whole lines inside one chunk and is taken only when the state machine
 * holds nothing. The fast paths compute exactly what the state machine
 * would, so the output never depends on how the input is split into
 * chunks; the unit tests check every split of small inputs.
 *
 * base64, as lenient as real mail needs (GMime and Dovecot also skip
 * what is not in the alphabet):
 *  - SP, HTAB, CR, LF, FF and VT are skipped silently; other octets
 *    outside the alphabet are skipped with MOX_MSG_DECODE_BAD_CHAR.
 *  - The first '=' ends the data, as in Dovecot (base64_decode() returns
 *    "end of base64 data") and GMime 3. With 2 or 3 characters of a
 *    quantum before it, their full octets are written (one '=' where
 *    "==" is due is accepted). With 0 or 1 character before it the '='
 *    is misplaced: MOX_MSG_DECODE_BAD_PADDING, and a lone character is
 *    dropped. Everything after the end is ignored (concatenated
 *    encodings, list footers appended to a base64 body); anything there
 *    other than '=' and whitespace sets MOX_MSG_DECODE_BAD_PADDING.
 *  - A final quantum of 2 or 3 characters without padding writes its
 *    full octets silently (GMime drops them); a single final character
 *    is dropped with MOX_MSG_DECODE_BAD_PADDING.
 *
 * quoted-printable (RFC 2045 6.7):
 *  - "=XX" with hex digits of either case is one octet.
 *  - "=" followed by optional SP/HTAB and a line end (CRLF or LF) is a
 *    soft line break and disappears; so does "=" with optional SP/HTAB at
 *    the very end of the input (the last line of a part body, whose
 *    line end belongs to the next boundary).
 *  - Any other "=" is kept literally (MOX_MSG_DECODE_BAD_ESCAPE) and
 *    decoding resumes with the octet after it, so "=4=41" gives "=4A".
 *  - SP/HTAB at the end of a line (before CRLF, LF or the end of input)
 *    are removed (rule 3). Because they must be held until the line end
 *    is seen, the hold-back is bounded: a run of more than
 *    QP_MAX_HELD_WS (78) octets is kept in full, wherever the chunks
 *    split. Such a line is too long for quoted-printable anyway.
 *  - Hard line breaks are written as they are (CRLF or LF). A CR that is
 *    not followed by LF is an ordinary octet, even at the end of input.
 *  - MOX_MSG_DECODE_LONG_LINE: an encoded line of more than 76 octets,
 *    line end excluded (a soft-break "=" counts).
 *  - Other octets (8-bit, NUL, controls) are copied as they are.
 *
 * Bound: the state machine holds back at most "=", 78 SP/HTAB and a CR
 * (80 octets, MOX_MSG_DECODE_SLACK), each input octet yields at most one
 * output octet, so update() writes at most in_len + 80 octets and
 * final() at most 80.
 */
#include <string.h>

#include <mox/message.h>

#include "base.h"

#define DECODER_VERSION 1u
/* Longest run of held-back SP/HTAB; the bound above needs "=" and CR. */
#define QP_MAX_HELD_WS (MOX_MSG_DECODE_SLACK - 2)
/* RFC 2045 6.7 rule 5. */
#define QP_MAX_LINE 76

/* state_ bits shared by all encodings. */
#define ST_FINISHED 0x100u

/* base64 state_: characters in the current quantum, end seen. */
#define B64_NMASK 0x3u
#define B64_DONE 0x4u

/* quoted-printable state_. */
#define QP_MODE 0x3u
#define QP_NORMAL 0x0u
#define QP_EQ 0x1u      /* after "=", with held SP/HTAB */
#define QP_EQ_HEX 0x2u  /* after "=" and one hex digit (in bits_) */
#define QP_CR 0x4u      /* a CR is held back (after the held SP/HTAB) */
#define QP_PASS 0x8u    /* in a SP/HTAB run too long to hold: copy it */

/* b64_tab values other than digits (0..63). */
#define B64_WS 0x40      /* SP, HTAB, CR, LF, FF, VT */
#define B64_PAD 0x41     /* '=' */
#define B64_INVALID 0x80 /* anything else */

#define X B64_INVALID
#define W B64_WS
#define P B64_PAD
/* base64 digit values; W whitespace, P '=', X anything else. */
static const uint8_t b64_tab[256] = {
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  W,  W,  W,  W,  W,  X,  X, /* 00 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 10 */
	 W,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, 62,  X,  X,  X, 63, /* 20 */
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61,  X,  X,  X,  P,  X,  X, /* 30 */
	 X,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, /* 40 */
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,  X,  X,  X,  X,  X, /* 50 */
	 X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 60 */
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,  X,  X,  X,  X,  X, /* 70 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 80 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 90 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* a0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* b0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* c0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* d0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* e0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* f0 */
};
#undef X
#undef W
#undef P

/*
 * The same per position in a quantum, shifted into place, so that four
 * lookups ORed give the 24 bits; B64_BAD is set for any octet outside the
 * alphabet.
 */
#define B64_BAD 0x80000000u
#define B64_V(c)                                                            \
	((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' :                             \
	 (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 :                        \
	 (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 :                        \
	 (c) == '+' ? 62 : (c) == '/' ? 63 : -1)
#define B64_S(c, sh) (B64_V(c) < 0 ? B64_BAD : (uint32_t)B64_V(c) << (sh))
#define B64_D0(c) B64_S(c, 18)
#define B64_D1(c) B64_S(c, 12)
#define B64_D2(c) B64_S(c, 6)
#define B64_D3(c) B64_S(c, 0)
#define R4(f, n) f(n), f((n) + 1), f((n) + 2), f((n) + 3)
#define R16(f, n) R4(f, n), R4(f, (n) + 4), R4(f, (n) + 8), R4(f, (n) + 12)
#define R64(f, n)                                                           \
	R16(f, n), R16(f, (n) + 16), R16(f, (n) + 32), R16(f, (n) + 48)
#define R256(f) R64(f, 0), R64(f, 64), R64(f, 128), R64(f, 192)
static const uint32_t b64_d0[256] = { R256(B64_D0) };
static const uint32_t b64_d1[256] = { R256(B64_D1) };
static const uint32_t b64_d2[256] = { R256(B64_D2) };
static const uint32_t b64_d3[256] = { R256(B64_D3) };
#undef R256
#undef R64
#undef R16
#undef R4

#define X 0xff
/* Hex digit values, either case; X otherwise. */
static const uint8_t hex_tab[256] = {
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 00 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 10 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 20 */
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  X,  X,  X,  X,  X,  X, /* 30 */
	 X, 10, 11, 12, 13, 14, 15,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 40 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 50 */
	 X, 10, 11, 12, 13, 14, 15,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 60 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 70 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 80 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 90 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* a0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* b0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* c0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* d0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* e0 */
	 X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* f0 */
};
#undef X

static inline bool
qp_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* --- base64 --- */

/* After the end of the data: only '=' and whitespace are expected. */
static void
b64_after_end(mox_msg_decoder *d, const uint8_t *p, const uint8_t *end)
{
	for (; p < end; p++) {
		if (b64_tab[*p] != B64_WS && b64_tab[*p] != B64_PAD) {
			d->errors_ |= MOX_MSG_DECODE_BAD_PADDING;
			return;
		}
	}
}

static size_t
b64_update(mox_msg_decoder *d, uint8_t *out, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint8_t *o = out;
	unsigned int n = d->state_ & B64_NMASK;
	uint32_t bits = d->bits_;

	if (d->state_ & B64_DONE) {
		b64_after_end(d, p, end);
		return 0;
	}
	while (p < end) {
		unsigned int v;

		if (n == 0) {
			/* Fast path: whole quanta of four alphabet octets. */
			while (end - p >= 8) {
				uint32_t q = b64_d0[p[0]] | b64_d1[p[1]] |
				    b64_d2[p[2]] | b64_d3[p[3]];
				uint32_t r = b64_d0[p[4]] | b64_d1[p[5]] |
				    b64_d2[p[6]] | b64_d3[p[7]];

				if ((q | r) & B64_BAD)
					break;
				o[0] = (uint8_t)(q >> 16);
				o[1] = (uint8_t)(q >> 8);
				o[2] = (uint8_t)q;
				o[3] = (uint8_t)(r >> 16);
				o[4] = (uint8_t)(r >> 8);
				o[5] = (uint8_t)r;
				o += 6;
				p += 8;
			}
			while (end - p >= 4) {
				uint32_t q = b64_d0[p[0]] | b64_d1[p[1]] |
				    b64_d2[p[2]] | b64_d3[p[3]];

				if (q & B64_BAD)
					break;
				o[0] = (uint8_t)(q >> 16);
				o[1] = (uint8_t)(q >> 8);
				o[2] = (uint8_t)q;
				o += 3;
				p += 4;
			}
			if (p == end)
				break;
		}
		v = b64_tab[*p++];
		if (v < B64_WS) {
			bits = bits << 6 | v;
			if (++n == 4) {
				o[0] = (uint8_t)(bits >> 16);
				o[1] = (uint8_t)(bits >> 8);
				o[2] = (uint8_t)bits;
				o += 3;
				n = 0;
				bits = 0;
			}
		} else if (v == B64_WS) {
			continue;
		} else if (v == B64_PAD) {
			/* '=': the end of the data. */
			if (n == 2) {
				*o++ = (uint8_t)(bits >> 4);
			} else if (n == 3) {
				*o++ = (uint8_t)(bits >> 10);
				*o++ = (uint8_t)(bits >> 2);
			} else {
				d->errors_ |= MOX_MSG_DECODE_BAD_PADDING;
			}
			n = 0;
			bits = 0;
			d->state_ |= B64_DONE;
			b64_after_end(d, p, end);
			break;
		} else {
			d->errors_ |= MOX_MSG_DECODE_BAD_CHAR;
		}
	}
	d->state_ = (d->state_ & ~B64_NMASK) | n;
	d->bits_ = bits;
	return (size_t)(o - out);
}

static size_t
b64_final(mox_msg_decoder *d, uint8_t *out)
{
	unsigned int n = d->state_ & B64_NMASK;
	uint32_t bits = d->bits_;

	if (n == 1)
		d->errors_ |= MOX_MSG_DECODE_BAD_PADDING;
	if (n == 2) {
		out[0] = (uint8_t)(bits >> 4);
		return 1;
	}
	if (n == 3) {
		out[0] = (uint8_t)(bits >> 10);
		out[1] = (uint8_t)(bits >> 2);
		return 2;
	}
	return 0;
}

/* --- quoted-printable --- */

/*
 * Decode p[0..e) that lies inside a line, with nothing held: escapes are
 * decoded, everything else copied. An escape must lie wholly before e
 * (callers make sure that an "=" near e is truly incomplete).
 */
static uint8_t *
qp_mid(mox_msg_decoder *d, uint8_t *o, const uint8_t *p, const uint8_t *e)
{
	while (p < e) {
		const uint8_t *q = memchr(p, '=', (size_t)(e - p));
		unsigned int hi, lo;

		if (q == NULL) {
			memcpy(o, p, (size_t)(e - p));
			return o + (e - p);
		}
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		if (e - q >= 3 && (hi = hex_tab[q[1]]) != 0xff &&
		    (lo = hex_tab[q[2]]) != 0xff) {
			*o++ = (uint8_t)(hi << 4 | lo);
			p = q + 3;
		} else {
			*o++ = '=';
			d->errors_ |= MOX_MSG_DECODE_BAD_ESCAPE;
			p = q + 1;
		}
	}
	return o;
}

/*
 * A whole line p[0..lf) followed by LF at lf, with nothing held (the
 * octet before p, if any, is neither SP/HTAB nor part of an escape).
 */
static uint8_t *
qp_line(mox_msg_decoder *d, uint8_t *o, const uint8_t *p, const uint8_t *lf)
{
	const uint8_t *e = lf, *t;
	bool crlf = false;

	if (e > p && e[-1] == '\r') {
		crlf = true;
		e--;
	}
	if (d->line_len_ + (size_t)(e - p) > QP_MAX_LINE)
		d->errors_ |= MOX_MSG_DECODE_LONG_LINE;
	d->line_len_ = 0;
	t = e;
	while (t > p && qp_ws(t[-1]))
		t--;
	if (e - t > QP_MAX_HELD_WS)
		t = e;
	if (t > p && t[-1] == '=')
		return qp_mid(d, o, p, t - 1);  /* soft line break */
	o = qp_mid(d, o, p, t);
	if (crlf)
		*o++ = '\r';
	*o++ = '\n';
	return o;
}

static uint8_t *
qp_flush_ws(mox_msg_decoder *d, uint8_t *o)
{
	memcpy(o, d->pending_, d->pending_len_);
	o += d->pending_len_;
	d->pending_len_ = 0;
	return o;
}

/* The state machine: one octet (line length counted by the caller). */
static uint8_t *
qp_octet(mox_msg_decoder *d, uint8_t *o, uint8_t c)
{
	for (;;) {
		unsigned int st = d->state_;

		switch (st & QP_MODE) {
		case QP_EQ_HEX:
			if (hex_tab[c] != 0xff) {
				*o++ = (uint8_t)(hex_tab[d->bits_ & 0xff] << 4 |
				    hex_tab[c]);
				d->state_ = st & ~QP_MODE;
				return o;
			}
			/* "=" literal, then the digit as an ordinary octet,
			 * then c again. */
			*o++ = '=';
			*o++ = (uint8_t)d->bits_;
			d->errors_ |= MOX_MSG_DECODE_BAD_ESCAPE;
			d->state_ = st & ~QP_MODE;
			continue;
		case QP_EQ:
			if (c == '\n') {
				/* soft line break */
				d->pending_len_ = 0;
				d->state_ = st & ~(QP_MODE | QP_CR);
				return o;
			}
			if (!(st & QP_CR)) {
				if (c == '\r') {
					d->state_ = st | QP_CR;
					return o;
				}
				if (qp_ws(c) &&
				    d->pending_len_ < QP_MAX_HELD_WS) {
					d->pending_[d->pending_len_++] = c;
					return o;
				}
				if (d->pending_len_ == 0 &&
				    hex_tab[c] != 0xff) {
					d->bits_ = c;
					d->state_ = (st & ~QP_MODE) | QP_EQ_HEX;
					return o;
				}
			}
			/* Not an escape: "=" literal; the held SP/HTAB and CR
			 * stay held as after an ordinary octet. */
			*o++ = '=';
			d->errors_ |= MOX_MSG_DECODE_BAD_ESCAPE;
			d->state_ = st & ~QP_MODE;
			continue;
		default:
			break;
		}
		if (st & QP_CR) {
			if (c == '\n') {
				d->pending_len_ = 0;
				d->state_ = QP_NORMAL;
				*o++ = '\r';
				*o++ = '\n';
				return o;
			}
			/* A bare CR is an ordinary octet. */
			o = qp_flush_ws(d, o);
			*o++ = '\r';
			st &= ~(QP_CR | QP_PASS);
			d->state_ = st;
		}
		if (c == '\n') {
			d->pending_len_ = 0;
			d->state_ = QP_NORMAL;
			*o++ = '\n';
		} else if (c == '\r') {
			d->state_ = st | QP_CR;
		} else if (qp_ws(c)) {
			if (st & QP_PASS) {
				*o++ = c;
			} else if (d->pending_len_ < QP_MAX_HELD_WS) {
				d->pending_[d->pending_len_++] = c;
			} else {
				o = qp_flush_ws(d, o);
				*o++ = c;
				d->state_ = st | QP_PASS;
			}
		} else {
			o = qp_flush_ws(d, o);
			if (c == '=') {
				d->state_ = QP_EQ;
			} else {
				*o++ = c;
				d->state_ = QP_NORMAL;
			}
		}
		return o;
	}
}

static uint8_t *
qp_slow(mox_msg_decoder *d, uint8_t *o, uint8_t c)
{
	if (c == '\n') {
		size_t n = d->line_len_;

		if (d->state_ & QP_CR)
			n--;
		if (n > QP_MAX_LINE)
			d->errors_ |= MOX_MSG_DECODE_LONG_LINE;
		d->line_len_ = 0;
	} else {
		d->line_len_++;
	}
	return qp_octet(d, o, c);
}

static size_t
qp_update(mox_msg_decoder *d, uint8_t *out, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint8_t *o = out;

	while (p < end) {
		const uint8_t *lf, *s;

		if (d->state_ != QP_NORMAL || d->pending_len_ != 0) {
			o = qp_slow(d, o, *p++);
			continue;
		}
		lf = memchr(p, '\n', (size_t)(end - p));
		if (lf != NULL) {
			o = qp_line(d, o, p, lf);
			p = lf + 1;
			continue;
		}
		/*
		 * The rest of the chunk is inside one line. Decode directly
		 * up to where the state machine could start holding back
		 * (SP/HTAB, CR, an "=" without two octets after it), and
		 * feed the rest to it.
		 */
		s = end;
		for (;;) {
			if (s > p && (qp_ws(s[-1]) || s[-1] == '\r' ||
			    s[-1] == '='))
				s--;
			else if (s - p >= 2 && s[-2] == '=')
				s -= 2;
			else
				break;
		}
		o = qp_mid(d, o, p, s);
		d->line_len_ += (size_t)(s - p);
		for (p = s; p < end; p++)
			o = qp_slow(d, o, *p);
	}
	return (size_t)(o - out);
}

static size_t
qp_final(mox_msg_decoder *d, uint8_t *out)
{
	unsigned int st = d->state_;
	uint8_t *o = out;

	if (d->line_len_ > QP_MAX_LINE)
		d->errors_ |= MOX_MSG_DECODE_LONG_LINE;
	switch (st & QP_MODE) {
	case QP_EQ_HEX:
		/* incomplete "=X" */
		*o++ = '=';
		*o++ = (uint8_t)d->bits_;
		d->errors_ |= MOX_MSG_DECODE_BAD_ESCAPE;
		break;
	case QP_EQ:
		if (!(st & QP_CR))
			break;  /* "=" at the end: a soft line break */
		*o++ = '=';
		d->errors_ |= MOX_MSG_DECODE_BAD_ESCAPE;
		/* FALLTHROUGH */
	default:
		if (st & QP_CR) {
			o = qp_flush_ws(d, o);
			*o++ = '\r';
		}
		break;
	}
	/* Otherwise held SP/HTAB are at the end of the last line: dropped. */
	d->pending_len_ = 0;
	return (size_t)(o - out);
}

/* --- API --- */

int
mox_msg_decoder_init(mox_msg_decoder *d, int cte)
{
	if (d == NULL || cte < MOX_MSG_CTE_7BIT || cte > MOX_MSG_CTE_OTHER)
		return MOX_EINVAL;
	memset(d, 0, sizeof(*d));
	d->version = DECODER_VERSION;
	d->cte_ = cte;
	return MOX_OK;
}

static bool
decoder_ok(const mox_msg_decoder *d)
{
	return d != NULL && d->version == DECODER_VERSION &&
	    d->cte_ >= MOX_MSG_CTE_7BIT && d->cte_ <= MOX_MSG_CTE_OTHER &&
	    !(d->state_ & ST_FINISHED) &&
	    d->pending_len_ <= QP_MAX_HELD_WS;
}

/* update() for a valid decoder and arguments. */
static size_t
decoder_run(mox_msg_decoder *d, uint8_t *out, const uint8_t *in,
    size_t in_len)
{
	if (in_len == 0)
		return 0;
	switch (d->cte_) {
	case MOX_MSG_CTE_BASE64:
		return b64_update(d, out, in, in_len);
	case MOX_MSG_CTE_QUOTED_PRINTABLE:
		return qp_update(d, out, in, in_len);
	default:
		memcpy(out, in, in_len);
		return in_len;
	}
}

static size_t
decoder_end(mox_msg_decoder *d, uint8_t *out)
{
	size_t n = 0;

	switch (d->cte_) {
	case MOX_MSG_CTE_BASE64:
		n = b64_final(d, out);
		break;
	case MOX_MSG_CTE_QUOTED_PRINTABLE:
		n = qp_final(d, out);
		break;
	default:
		break;
	}
	d->state_ = ST_FINISHED;
	d->bits_ = 0;
	return n;
}

int
mox_msg_decoder_update(mox_msg_decoder *d, uint8_t *out, size_t *out_len,
    const uint8_t *in, size_t in_len)
{
	if (out_len != NULL)
		*out_len = 0;
	if (!decoder_ok(d) || out == NULL || out_len == NULL ||
	    (in == NULL && in_len > 0))
		return MOX_EINVAL;
	*out_len = decoder_run(d, out, in, in_len);
	return MOX_OK;
}

int
mox_msg_decoder_final(mox_msg_decoder *d, uint8_t *out, size_t *out_len)
{
	if (out_len != NULL)
		*out_len = 0;
	if (!decoder_ok(d) || out == NULL || out_len == NULL)
		return MOX_EINVAL;
	*out_len = decoder_end(d, out);
	return MOX_OK;
}

unsigned int
mox_msg_decoder_errors(const mox_msg_decoder *d)
{
	if (d == NULL || d->version != DECODER_VERSION)
		return 0;
	return d->errors_;
}

int
mox_msg_decode(uint8_t **out, size_t *out_len, unsigned int *errors,
    int cte, const uint8_t *p, size_t len)
{
	mox_msg_decoder d;
	uint8_t *buf;
	size_t cap, n;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (errors != NULL)
		*errors = 0;
	if (out == NULL || out_len == NULL || (p == NULL && len > 0) ||
	    mox_msg_decoder_init(&d, cte) != MOX_OK)
		return MOX_EINVAL;
	/*
	 * In one pass nothing is held before the input, so the output is at
	 * most len octets (quoted-printable, copy) or 3 per 4 input octets
	 * plus 2 for a final partial quantum (base64); plus the NUL.
	 */
	if (cte == MOX_MSG_CTE_BASE64) {
		cap = len / 4 * 3 + 3;
	} else {
		if (len == SIZE_MAX)
			return MOX_ENOMEM;
		cap = len + 1;
	}
	buf = mox__malloc(cap);
	if (buf == NULL)
		return MOX_ENOMEM;
	n = decoder_run(&d, buf, p, len);
	n += decoder_end(&d, buf + n);
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	if (errors != NULL)
		*errors = d.errors_;
	return MOX_OK;
}

int
mox_msg_part_decode(uint8_t **out, size_t *out_len, unsigned int *errors,
    const mox_msg_tree *t, const mox_msg_part *p)
{
	const uint8_t *msg;
	size_t len;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (errors != NULL)
		*errors = 0;
	if (out == NULL || out_len == NULL || t == NULL || p == NULL ||
	    mox_msg_tree_part(t, p->index) != p)
		return MOX_EINVAL;
	msg = mox_msg_tree_message(t, &len);
	if (p->body_offset > p->end_offset || p->end_offset > len)
		return MOX_EINVAL;
	if (p->cte < MOX_MSG_CTE_7BIT || p->cte >= MOX_MSG_CTE_OTHER)
		return MOX_EUNSUPPORTED;
	return mox_msg_decode(out, out_len, errors, p->cte,
	    msg + p->body_offset, p->end_offset - p->body_offset);
}
