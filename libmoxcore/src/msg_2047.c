/* SPDX-License-Identifier: MIT */
/*
 * msg_2047.c -- RFC 2047 encoded-words to UTF-8, tolerant of real mail,
 * with iconv(3) for charsets.
 */
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include <mox/message.h>

#include "base.h"
#include "msg-int.h"

#define CS_MAX 64

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the valid UTF-8 sequence at p (n > 0 octets left), 0 if
 * invalid (overlong, surrogate, > U+10FFFF, truncated). */
static size_t
utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0;
		if (c == 0xED && p[1] >= 0xA0)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
		    (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0;
		if (c == 0xF4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

void
msg_utf8_sanitize(mox__buf *b, const uint8_t *p, size_t len)
{
	size_t i = 0, run = 0, n;

	if (len == 0)
		return; /* p may be NULL */
	while (i < len) {
		if (p[i] < 0x80 && p[i] != 0) {
			i++;
			continue;
		}
		n = p[i] == 0 ? 0 : utf8_seq(p + i, len - i);
		if (n > 0) {
			i += n;
			continue;
		}
		mox__buf_add(b, p + run, i - run);
		mox__buf_add(b, replacement, 3);
		i++;
		run = i;
	}
	mox__buf_add(b, p + run, i - run);
}

/* --- charsets --- */

enum cs_kind {
	CS_UNKNOWN = 0,
	CS_UTF8,  /* UTF-8 and US-ASCII: validated, no iconv */
	CS_ICONV
};

struct conv {
	char name[CS_MAX + 1]; /* lowercase label as written */
	int kind;
	iconv_t cd;
};

struct alias {
	const char *label;
	const char *name; /* NULL: UTF-8 path */
};

/* Labels real mail uses that iconv does not know, or where a superset
 * decodes what MUAs actually send (as WHATWG encoding does). */
static const struct alias aliases[] = {
	{ "utf-8", NULL },
	{ "utf8", NULL },
	{ "us-ascii", NULL },
	{ "ascii", NULL },
	{ "us_ascii", NULL },
	{ "ansi_x3.4-1968", NULL },
	{ "latin1", "ISO-8859-1" },
	{ "latin-1", "ISO-8859-1" },
	{ "l1", "ISO-8859-1" },
	{ "iso8859-1", "ISO-8859-1" },
	{ "iso8859-15", "ISO-8859-15" },
	{ "latin9", "ISO-8859-15" },
	{ "latin2", "ISO-8859-2" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "ksc5601", "CP949" },
	{ "ksc_5601", "CP949" },
	{ "euc-kr", "CP949" },
	{ "gb2312", "GB18030" },
	{ "gb_2312-80", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "euc-cn", "GB18030" },
	{ "cp936", "GB18030" },
	{ "shift_jis", "CP932" },
	{ "shift-jis", "CP932" },
	{ "sjis", "CP932" },
	{ "x-sjis", "CP932" },
	{ "windows-31j", "CP932" },
	{ "iso-2022-jp", "ISO-2022-JP-2" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "macintosh", "MACINTOSH" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "cp-850", "CP850" },
	{ "x-unknown", "" },
	{ "unknown-8bit", "" },
};

/* Characters allowed in a charset label passed to iconv: no '/' or ','
 * (which would select iconv options such as //IGNORE). */
static bool
cs_label_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		int c = (unsigned char)*s;

		if (!(mox__isalpha(c) || mox__isdigit(c) || c == '-' ||
		    c == '_' || c == '.' || c == ':' || c == '+'))
			return false;
	}
	return true;
}

static void
conv_close(struct conv *cv)
{
	if (cv->kind == CS_ICONV)
		iconv_close(cv->cd);
	cv->kind = CS_UNKNOWN;
	cv->name[0] = '\0';
}

/* Make cv the converter for the label (already lowercase, without an RFC
 * 2231 language). Returns its kind. */
static int
conv_open(struct conv *cv, const char *label)
{
	const char *name = label;
	size_t i;

	if (cv->name[0] != '\0' && strcmp(cv->name, label) == 0)
		return cv->kind;
	conv_close(cv);
	memcpy(cv->name, label, strlen(label) + 1);
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(aliases[i].label, label) == 0) {
			name = aliases[i].name;
			break;
		}
	}
	if (name == NULL) {
		cv->kind = CS_UTF8;
		return cv->kind;
	}
	if (name[0] == '\0' || !cs_label_ok(name)) {
		cv->kind = CS_UNKNOWN;
		return cv->kind;
	}
	cv->cd = iconv_open("UTF-8", name);
	cv->kind = cv->cd == (iconv_t)-1 ? CS_UNKNOWN : CS_ICONV;
	return cv->kind;
}

/* Whether p[0..n) is valid UTF-8 without U+0000. */
static bool
utf8_clean(const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (p[i] == 0)
			return false;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* Sanitize what iconv wrote to b from offset start: U+0000 (which would
 * truncate the result for C callers) and anything that is not valid UTF-8
 * (iconv modules are not all strict) become U+FFFD. */
static void
fix_output(mox__buf *b, size_t start)
{
	mox__buf tmp = MOX__BUF_INIT;

	if (b->err != MOX_OK || b->len <= start ||
	    utf8_clean((const uint8_t *)b->p + start, b->len - start))
		return;
	mox__buf_add(&tmp, b->p + start, b->len - start);
	if (tmp.err != MOX_OK) {
		b->err = tmp.err;
		return;
	}
	b->len = start;
	b->p[start] = '\0';
	msg_utf8_sanitize(b, (const uint8_t *)tmp.p, tmp.len);
	mox__buf_free(&tmp);
}

static void conv_iconv(struct conv *cv, mox__buf *b, const uint8_t *p,
    size_t len);

/* Convert octets p[0..len) in cv's charset to UTF-8 into b. */
static void
conv_run(struct conv *cv, mox__buf *b, const uint8_t *p, size_t len)
{
	size_t start = b->len;

	if (cv->kind == CS_UTF8) {
		msg_utf8_sanitize(b, p, len);
		return;
	}
	conv_iconv(cv, b, p, len);
	fix_output(b, start);
}

static void
conv_iconv(struct conv *cv, mox__buf *b, const uint8_t *p, size_t len)
{
	char *in, *outp;
	size_t inleft, outleft, r, room;

	/* Reset the shift state: each run starts in the initial state. */
	iconv(cv->cd, NULL, NULL, NULL, NULL);
	memcpy(&in, &p, sizeof(in)); /* iconv(3) takes char ** */
	inleft = len;
	for (;;) {
		room = inleft * 4 + 16;
		if (mox__buf_grow(b, room) != MOX_OK)
			return;
		outp = b->p + b->len;
		outleft = b->cap - b->len - 1;
		if (inleft > 0)
			r = iconv(cv->cd, &in, &inleft, &outp, &outleft);
		else
			r = iconv(cv->cd, NULL, NULL, &outp, &outleft);
		b->len = (size_t)(outp - b->p);
		b->p[b->len] = '\0';
		if (r != (size_t)-1) {
			if (inleft == 0) {
				/* Flush a stateful encoding's final state. */
				if (mox__buf_grow(b, 16) != MOX_OK)
					return;
				outp = b->p + b->len;
				outleft = b->cap - b->len - 1;
				iconv(cv->cd, NULL, NULL, &outp, &outleft);
				b->len = (size_t)(outp - b->p);
				b->p[b->len] = '\0';
				return;
			}
			continue;
		}
		if (errno == E2BIG)
			continue;
		/* EILSEQ or EINVAL (truncated): one replacement char, skip
		 * an octet, go on. */
		mox__buf_add(b, replacement, 3);
		if (inleft == 0)
			return;
		in++;
		inleft--;
		if (inleft == 0)
			return;
	}
}

/* --- encoded-words --- */

struct eword {
	size_t end;             /* offset just past "?=" */
	char cs[CS_MAX + 1];    /* lowercase charset label */
	int enc;                /* 'q' or 'b' */
	const uint8_t *text;
	size_t textlen;
};

static int
istoken(int c)
{
	/* RFC 2047 token, widened: real labels have '.' (ansi_x3.4-1968);
	 * cs_label_ok() screens what reaches iconv. */
	return c > 32 && c < 127 && c != '?' && c != '=';
}

/* Parse "=?charset?enc?text?=" at p[i] (p[i] == '=', p[i+1] == '?'). */
static bool
eword_parse(struct eword *w, const uint8_t *p, size_t len, size_t i)
{
	size_t j = i + 2, cs0 = j, cslen, k, n;

	while (j < len && p[j] != '?' && istoken(p[j]))
		j++;
	if (j >= len || p[j] != '?' || j == cs0)
		return false;
	cslen = j - cs0;
	/* RFC 2231 5: charset*language */
	for (k = 0; k < cslen; k++) {
		if (p[cs0 + k] == '*')
			break;
	}
	if (k == 0 || k > CS_MAX)
		return false;
	for (n = 0; n < k; n++)
		w->cs[n] = (char)mox__lower(p[cs0 + n]);
	w->cs[k] = '\0';
	j++;
	if (j + 2 > len || p[j + 1] != '?')
		return false;
	w->enc = mox__lower(p[j]);
	if (w->enc != 'q' && w->enc != 'b')
		return false;
	j += 2;
	w->text = p + j;
	for (; j < len; j++) {
		if (p[j] == '?')
			break;
		if (p[j] == ' ' || p[j] == '\t' || p[j] == '\r' ||
		    p[j] == '\n')
			return false;
	}
	if (j + 1 >= len || p[j + 1] != '=')
		return false;
	w->textlen = (size_t)(p + j - w->text);
	w->end = j + 2;
	return true;
}

/* Append the octets encoded in w to b. */
static void
eword_octets(mox__buf *b, const struct eword *w)
{
	const uint8_t *t = w->text;
	size_t n = w->textlen, i;
	uint8_t tmp[96];
	size_t tn = 0;

	if (w->enc == 'q') {
		/* RFC 2047 4.2 */
		for (i = 0; i < n; i++) {
			uint8_t c = t[i];
			int h, l;

			if (c == '_') {
				c = ' ';
			} else if (c == '=' && i + 2 < n &&
			    (h = mox__hex_value(t[i + 1])) >= 0 &&
			    (l = mox__hex_value(t[i + 2])) >= 0) {
				c = (uint8_t)(h << 4 | l);
				i += 2;
			}
			tmp[tn++] = c;
			if (tn == sizeof(tmp)) {
				mox__buf_add(b, tmp, tn);
				tn = 0;
			}
		}
	} else {
		/* RFC 2047 4.1 (RFC 4648 base64); invalid characters are
		 * skipped, decoding stops at '=', a partial group gives what
		 * its bits hold. */
		uint32_t acc = 0;
		int bits = 0;

		for (i = 0; i < n; i++) {
			int v;

			if (t[i] == '=')
				break;
			v = mox__b64_value(t[i]);
			if (v < 0)
				continue;
			acc = (acc << 6) | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				tmp[tn++] = (uint8_t)(acc >> bits);
				acc &= (1u << bits) - 1;
				if (tn == sizeof(tmp)) {
					mox__buf_add(b, tmp, tn);
					tn = 0;
				}
			}
		}
	}
	mox__buf_add(b, tmp, tn);
}

bool
msg_charset_to_utf8(mox__buf *b, const uint8_t *cs, size_t cslen,
    const uint8_t *p, size_t len)
{
	struct conv cv;
	char label[CS_MAX + 1];
	size_t i;

	if (cslen == 0 || cslen > CS_MAX)
		return false;
	for (i = 0; i < cslen; i++)
		label[i] = (char)mox__lower(cs[i]);
	label[cslen] = '\0';
	memset(&cv, 0, sizeof(cv));
	if (conv_open(&cv, label) == CS_UNKNOWN) {
		conv_close(&cv);
		return false;
	}
	conv_run(&cv, b, p, len);
	conv_close(&cv);
	return true;
}

void
msg_2047_decode(mox__buf *b, const uint8_t *p, size_t len)
{
	struct conv cv;
	struct eword w;
	mox__buf run = MOX__BUF_INIT; /* octets of adjacent words */
	char runcs[CS_MAX + 1] = "";
	bool inrun = false;
	size_t i = 0, wsp0 = 0, wsp1 = 0, j;

	memset(&cv, 0, sizeof(cv));
#define FLUSH()                                                             \
	do {                                                                 \
		if (inrun) {                                                 \
			conv_open(&cv, runcs);                               \
			conv_run(&cv, b, (const uint8_t *)run.p, run.len);   \
			run.len = 0;                                         \
			inrun = false;                                       \
		}                                                            \
	} while (0)

	while (i < len && b->err == MOX_OK) {
		uint8_t c = p[i];

		if (msg_isfws(c)) {
			/* Hold whitespace after an encoded-word: dropped if
			 * another encoded-word follows (RFC 2047 6.2). */
			j = i;
			while (j < len && msg_isfws(p[j]))
				j++;
			if (inrun) {
				wsp0 = i;
				wsp1 = j;
			} else {
				for (; i < j; i++) {
					if (p[i] != '\r' && p[i] != '\n')
						mox__buf_addc(b, (char)p[i]);
				}
			}
			i = j;
			continue;
		}
		if (c == '=' && i + 1 < len && p[i + 1] == '?' &&
		    eword_parse(&w, p, len, i) &&
		    conv_open(&cv, w.cs) != CS_UNKNOWN) {
			if (inrun && strcmp(runcs, w.cs) != 0)
				FLUSH();
			if (!inrun) {
				memcpy(runcs, w.cs, sizeof(runcs));
				inrun = true;
			}
			wsp0 = wsp1 = 0;
			eword_octets(&run, &w);
			if (run.err != MOX_OK) {
				b->err = run.err;
				break;
			}
			i = w.end;
			continue;
		}
		/* Plain text: flush, emit held whitespace, copy the run up
		 * to the next whitespace or '='. */
		FLUSH();
		for (j = wsp0; j < wsp1; j++) {
			if (p[j] != '\r' && p[j] != '\n')
				mox__buf_addc(b, (char)p[j]);
		}
		wsp0 = wsp1 = 0;
		j = i + 1;
		while (j < len && !msg_isfws(p[j]) && p[j] != '=')
			j++;
		msg_utf8_sanitize(b, p + i, j - i);
		i = j;
	}
	if (b->err == MOX_OK) {
		FLUSH();
		/* Whitespace after the last encoded-word is kept. */
		for (j = wsp0; j < wsp1; j++) {
			if (p[j] != '\r' && p[j] != '\n')
				mox__buf_addc(b, (char)p[j]);
		}
	}
#undef FLUSH
	if (run.err != MOX_OK && b->err == MOX_OK)
		b->err = run.err;
	mox__buf_free(&run);
	conv_close(&cv);
}

int
mox_msg_decode_2047(char **out, size_t *out_len, const uint8_t *p,
    size_t len)
{
	mox__buf b = MOX__BUF_INIT;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (out == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	if (mox__buf_grow(&b, len) != MOX_OK)
		return MOX_ENOMEM;
	b.p[0] = '\0';
	msg_2047_decode(&b, p, len);
	if (b.err != MOX_OK) {
		mox__buf_free(&b);
		return MOX_ENOMEM;
	}
	*out = mox__buf_detach(&b, out_len);
	if (*out == NULL)
		return MOX_ENOMEM;
	return MOX_OK;
}
