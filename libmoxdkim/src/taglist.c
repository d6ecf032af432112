/* SPDX-License-Identifier: MIT */
/*
 * taglist.c -- tag=value lists (RFC 6376 3.2), base64 with FWS (RFC 6376
 * 2.4) and dkim-quoted-printable (RFC 6376 2.11).
 */
#include <string.h>

#include "dkim-int.h"

static bool
alnumpunc(int c)
{
	return mox__isalpha(c) || mox__isdigit(c) || c == '_';
}

/* Check the octets of a tag-list: no NUL or other control characters, CR
 * only before LF, a line end only before WSP (FWS, RFC 5322 3.2.2) or at
 * the very end. */
static const char *
check_octets(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		if (c == '\t')
			continue;
		if (c == '\r') {
			if (i + 1 == len || p[i + 1] != '\n')
				return "bare CR in tag list";
			continue;
		}
		if (c == '\n') {
			if (i + 1 < len && p[i + 1] != ' ' && p[i + 1] != '\t')
				return "line end not followed by whitespace";
			continue;
		}
		if (c == 0)
			return "NUL in tag list";
		return "control character in tag list";
	}
	return NULL;
}

int
dkim_taglist_parse(const uint8_t *p, size_t len, struct dkim_tag *tags,
    size_t max, size_t *n, const char **err)
{
	size_t pos = 0, cnt = 0, i;
	const char *e;

	*n = 0;
	if ((e = check_octets(p, len)) != NULL) {
		*err = e;
		return MOX_ESYNTAX;
	}
	while (pos < len) {
		struct dkim_tag *t;
		size_t start, vend, a, b;
		const uint8_t *semi;

		while (pos < len && dkim_is_fws(p[pos]))
			pos++;
		if (pos == len)
			break;
		if (p[pos] == ';') {
			/* An empty tag-spec: not in the grammar, but
			 * harmless and published in key records. */
			pos++;
			continue;
		}
		if (!mox__isalpha(p[pos])) {
			*err = "invalid tag name";
			return MOX_ESYNTAX;
		}
		start = pos;
		while (pos < len && alnumpunc(p[pos]))
			pos++;
		if (cnt == max) {
			*err = "too many tags";
			return MOX_ESYNTAX;
		}
		t = &tags[cnt];
		t->name = p + start;
		t->nlen = pos - start;
		while (pos < len && dkim_is_fws(p[pos]))
			pos++;
		if (pos == len || p[pos] != '=') {
			*err = "tag without '='";
			return MOX_ESYNTAX;
		}
		pos++;
		semi = memchr(p + pos, ';', len - pos);
		vend = semi != NULL ? (size_t)(semi - p) : len;
		t->raw_off = pos;
		t->raw_end = vend;
		a = pos;
		b = vend;
		while (a < b && dkim_is_fws(p[a]))
			a++;
		while (b > a && dkim_is_fws(p[b - 1]))
			b--;
		t->val = p + a;
		t->vlen = b - a;
		for (i = 0; i < cnt; i++) {
			if (tags[i].nlen == t->nlen &&
			    memcmp(tags[i].name, t->name, t->nlen) == 0) {
				*err = "duplicate tag";
				return MOX_ESYNTAX;
			}
		}
		cnt++;
		pos = semi != NULL ? vend + 1 : len;
	}
	*n = cnt;
	return MOX_OK;
}

bool
dkim_tag_is(const struct dkim_tag *t, const char *s)
{
	size_t n = strlen(s);

	return t->nlen == n && memcmp(t->name, s, n) == 0;
}

/* Base64 digit values; 64 FWS, 65 '=', 255 anything else. */
static const uint8_t b64val[256] = {
	255, 255, 255, 255, 255, 255, 255, 255, 255, 64, 64, 255, 255, 64, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	64, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 62, 255, 255, 255, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 255, 255, 255, 65, 255, 255,
	255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 255, 255, 255, 255, 255,
	255, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

int
dkim_b64_decode(mox__arena *a, const uint8_t *p, size_t len, uint8_t **out,
    size_t *outlen, char **text)
{
	size_t i, nd = 0, npad = 0, o = 0, t = 0;
	uint32_t acc = 0;
	uint8_t *buf;
	char *txt = NULL;

	for (i = 0; i < len; i++) {
		if (b64val[p[i]] != 64)
			nd++;
	}
	buf = mox__arena_alloc(a, nd / 4 * 3 + 3);
	if (buf == NULL)
		return MOX_ENOMEM;
	if (text != NULL && (txt = mox__arena_alloc(a, nd + 1)) == NULL)
		return MOX_ENOMEM;
	nd = 0;
	for (i = 0; i < len; i++) {
		int c = p[i];
		unsigned int v = b64val[c];

		if (v == 64)
			continue;
		if (txt != NULL)
			txt[t++] = (char)c;
		if (v == 65) {
			npad++;
			continue;
		}
		if (npad > 0 || v > 63)
			return MOX_ESYNTAX;
		acc = (acc << 6) | v;
		if (++nd % 4 == 0) {
			buf[o++] = (uint8_t)(acc >> 16);
			buf[o++] = (uint8_t)(acc >> 8);
			buf[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	if ((nd + npad) % 4 != 0 || npad > 2 ||
	    (npad > 0 && nd % 4 != 4 - npad) || nd % 4 == 1)
		return MOX_ESYNTAX;
	if (nd % 4 == 2) {
		buf[o++] = (uint8_t)(acc >> 4);
	} else if (nd % 4 == 3) {
		buf[o++] = (uint8_t)(acc >> 10);
		buf[o++] = (uint8_t)(acc >> 2);
	}
	if (txt != NULL) {
		txt[t] = '\0';
		*text = txt;
	}
	*out = buf;
	*outlen = o;
	return MOX_OK;
}

size_t
dkim_b64_encode(char *out, const uint8_t *in, size_t len)
{
	static const char d[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) |
		    in[i + 2];

		out[o++] = d[v >> 18];
		out[o++] = d[(v >> 12) & 63];
		out[o++] = d[(v >> 6) & 63];
		out[o++] = d[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = d[v >> 18];
		out[o++] = d[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);

		out[o++] = d[v >> 18];
		out[o++] = d[(v >> 12) & 63];
		out[o++] = d[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

int
dkim_qp_decode(mox__arena *a, const uint8_t *p, size_t len, char **out,
    size_t *outlen)
{
	size_t i, o = 0;
	char *buf;

	buf = mox__arena_alloc(a, len + 1);
	if (buf == NULL)
		return MOX_ENOMEM;
	for (i = 0; i < len; i++) {
		int hi, lo;

		if (dkim_is_fws(p[i]))
			continue;
		if (p[i] != '=') {
			buf[o++] = (char)p[i];
			continue;
		}
		if (len - i < 3 || (hi = mox__hex_value(p[i + 1])) < 0 ||
		    (lo = mox__hex_value(p[i + 2])) < 0)
			return MOX_ESYNTAX;
		buf[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return MOX_OK;
}

void
dkim_qp_encode(mox__buf *b, const uint8_t *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = s[i];

		/* dkim-safe-char: %x21-3A / %x3C / %x3E-7E */
		if ((c >= 0x21 && c <= 0x3a) || c == 0x3c ||
		    (c >= 0x3e && c <= 0x7e)) {
			mox__buf_addc(b, (char)c);
		} else {
			mox__buf_addc(b, '=');
			mox__buf_addc(b, hex[c >> 4]);
			mox__buf_addc(b, hex[c & 15]);
		}
	}
}
