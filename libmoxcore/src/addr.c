/* SPDX-License-Identifier: MIT */
/*
 * addr.c -- domain names (IDNA2008 through libidn2), localparts, email
 * addresses and IP addresses. See <mox/addr.h> for the contract.
 *
 * Domains are handled one label at a time. Pure-ASCII labels are checked
 * here (LDH, optional underscore) without libidn2; only labels that start
 * with "xn--" or contain non-ASCII characters go through libidn2. Every
 * xn-- label, whether given or produced by the UTS#46 mapping, is decoded
 * and encoded back, and must give the same A-label, so that parsing the
 * U-label form again always gives the same A-label form.
 */
#include <string.h>

#include <idn2.h>

#include <mox/addr.h>

#include "base.h"

/* Flags for every libidn2 encoding call: UTS#46 non-transitional, NFC. */
#define IDN_FLAGS (IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT)

/* Longest non-ASCII input label handed to libidn2, in octets. UTS#46
 * mapping can shrink input (ignored code points), but a label whose input
 * is longer than this would not fit MOX_DOMAIN_UNICODE_SIZE anyway. */
#define IDN_INPUT_MAX (MOX_DOMAIN_UNICODE_SIZE - 1)

/* Longest IP address text: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255". */
#define IP_TEXT_MAX (MOX_IP_STRLEN - 1)

static const char hexdigits[] = "0123456789abcdef";

/* --- domains --- */

static int
idn2_status(int rc)
{
	switch (rc) {
	case IDN2_OK:
		return MOX_OK;
	case IDN2_MALLOC:
		return MOX_ENOMEM;
	case IDN2_ENCODING_ERROR:
		return MOX_EUTF8;
	case IDN2_TOO_BIG_LABEL:
	case IDN2_TOO_BIG_DOMAIN:
	case IDN2_PUNYCODE_BIG_OUTPUT:
		return MOX_ETOOLONG;
	case IDN2_HYPHEN_STARTEND:
		/* As for an ASCII label: LDH syntax. */
		return MOX_ESYNTAX;
	default:
		return MOX_EIDNA;
	}
}

/* Length of a label separator at s[i]: '.' or one of the dots that UTS#46
 * maps to '.' (U+3002, U+FF0E, U+FF61); 0 when there is none. */
static size_t
sep_len(const unsigned char *s, size_t i, size_t end)
{
	if (s[i] == '.')
		return 1;
	if (s[i] < 0x80 || end - i < 3)
		return 0;
	if (s[i] == 0xe3 && s[i + 1] == 0x80 && s[i + 2] == 0x82)
		return 3; /* U+3002 IDEOGRAPHIC FULL STOP */
	if (s[i] == 0xef && s[i + 1] == 0xbc && s[i + 2] == 0x8e)
		return 3; /* U+FF0E FULLWIDTH FULL STOP */
	if (s[i] == 0xef && s[i + 1] == 0xbd && s[i + 2] == 0xa1)
		return 3; /* U+FF61 HALFWIDTH IDEOGRAPHIC FULL STOP */
	return 0;
}

/* Length of a trailing separator of s[0..len), or 0. */
static size_t
trailing_sep_len(const unsigned char *s, size_t len)
{
	if (len >= 1 && s[len - 1] == '.')
		return 1;
	if (len >= 3 && sep_len(s, len - 3, len) == 3)
		return 3;
	return 0;
}

/* Output positions while a domain is built. */
struct dom_out {
	mox_domain *d;
	size_t apos; /* length of d->ascii so far */
	size_t upos; /* length of d->unicode so far */
};

static int
uni_add(struct dom_out *w, const char *p, size_t n)
{
	if (n >= sizeof(w->d->unicode) - w->upos)
		return MOX_ETOOLONG;
	memcpy(w->d->unicode + w->upos, p, n);
	w->upos += n;
	return MOX_OK;
}

/*
 * Check an xn-- label (lowercase, NUL-terminated, at most 63 octets):
 * decode it, encode the U-label back and require the same A-label. The
 * U-label is appended to the Unicode form.
 */
static int
alabel_check(struct dom_out *w, const char *alabel)
{
	char *u = NULL, *a = NULL;
	size_t ulen, i;
	bool nonascii = false;
	int rc;

	if (idn2_to_unicode_8z8z(alabel, &u, 0) != IDN2_OK || u == NULL) {
		rc = MOX_EIDNA;
		goto out;
	}
	ulen = strlen(u);
	for (i = 0; i < ulen; i++) {
		if ((unsigned char)u[i] >= 0x80)
			nonascii = true;
	}
	/* An A-label always encodes at least one non-ASCII code point. */
	if (!nonascii || !mox__utf8_valid((const uint8_t *)u, ulen)) {
		rc = MOX_EIDNA;
		goto out;
	}
	if (idn2_to_ascii_8z(u, &a, IDN_FLAGS) != IDN2_OK || a == NULL ||
	    strcmp(a, alabel) != 0) {
		rc = MOX_EIDNA;
		goto out;
	}
	rc = uni_add(w, u, ulen);
out:
	idn2_free(u);
	idn2_free(a);
	return rc;
}

/*
 * Check the ASCII label that was just written, lowercase, at
 * w->d->ascii[w->apos..+n), and append its Unicode form.
 */
static int
ascii_label(struct dom_out *w, size_t n, unsigned int flags)
{
	char *l = w->d->ascii + w->apos;
	char alabel[MOX_LABEL_MAX + 1];
	size_t i;
	int rc;

	if (n == 0)
		return MOX_EEMPTY;
	if (n > MOX_LABEL_MAX)
		return MOX_ETOOLONG;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if ((c >= 'a' && c <= 'z') || mox__isdigit(c) || c == '-')
			continue;
		if (c == '_' && (flags & MOX_DOMAIN_ALLOW_UNDERSCORE))
			continue;
		return MOX_ESYNTAX;
	}
	if (l[0] == '-' || l[n - 1] == '-')
		return MOX_ESYNTAX;
	if (n >= 4 && memcmp(l, "xn--", 4) == 0) {
		if (flags & MOX_DOMAIN_ASCII_ONLY)
			return MOX_ESYNTAX;
		memcpy(alabel, l, n);
		alabel[n] = '\0';
		rc = alabel_check(w, alabel);
	} else {
		rc = uni_add(w, l, n);
	}
	if (rc == MOX_OK)
		w->apos += n;
	return rc;
}

/* One label of the input, s[0..n), without separators. ascii: the whole
 * input is known to be ASCII. */
static int
domain_label(struct dom_out *w, const unsigned char *s, size_t n,
    bool ascii, unsigned int flags)
{
	char in[IDN_INPUT_MAX + 1];
	uint8_t *res = NULL;
	size_t i, rn;
	int rc;

	if (n == 0)
		return MOX_EEMPTY;
	for (i = 0; !ascii && i < n; i++) {
		if (s[i] >= 0x80)
			break;
	}
	if (ascii || i == n) {
		if (n > MOX_LABEL_MAX)
			return MOX_ETOOLONG;
		if (n > MOX_DOMAIN_MAX - w->apos)
			return MOX_ETOOLONG;
		for (i = 0; i < n; i++)
			w->d->ascii[w->apos + i] = (char)mox__lower(s[i]);
		return ascii_label(w, n, flags);
	}

	/* Non-ASCII: UTS#46 mapping and IDNA2008 checks by libidn2. */
	if (n > IDN_INPUT_MAX)
		return MOX_ETOOLONG;
	memcpy(in, s, n);
	in[n] = '\0';
	rc = idn2_lookup_u8((const uint8_t *)in, &res, IDN_FLAGS);
	if (rc != IDN2_OK) {
		idn2_free(res);
		return idn2_status(rc);
	}
	if (res == NULL)
		return MOX_EIDNA;
	rn = strlen((const char *)res);
	if (rn > MOX_LABEL_MAX || rn > MOX_DOMAIN_MAX - w->apos) {
		idn2_free(res);
		return MOX_ETOOLONG;
	}
	for (i = 0; i < rn; i++) {
		/* A character that maps to a dot would make two labels. */
		if (res[i] == '.') {
			idn2_free(res);
			return MOX_EIDNA;
		}
		w->d->ascii[w->apos + i] = (char)mox__lower(res[i]);
	}
	idn2_free(res);
	return ascii_label(w, rn, flags);
}

static int
domain_parse(mox_domain *out, const unsigned char *s, size_t len,
    unsigned int flags)
{
	struct dom_out w = { out, 0, 0 };
	size_t i, start, end, k, nlabels = 0;
	bool ascii = true;
	int rc;

	if (len == 0)
		return MOX_EEMPTY;
	for (i = 0; i < len; i++) {
		if (s[i] == 0)
			return MOX_ENUL;
		if (s[i] >= 0x80)
			ascii = false;
	}
	if (!ascii) {
		if (flags & MOX_DOMAIN_ASCII_ONLY)
			return MOX_ESYNTAX;
		if (!mox__utf8_valid(s, len))
			return MOX_EUTF8;
	}
	end = len;
	if (flags & MOX_DOMAIN_ALLOW_TRAILING_DOT)
		end -= trailing_sep_len(s, end);
	if (end == 0)
		return MOX_EEMPTY;
	if (ascii && end > MOX_DOMAIN_MAX)
		return MOX_ETOOLONG;

	start = 0;
	for (;;) {
		size_t p = start;

		k = 0;
		if (ascii) {
			const unsigned char *dot = memchr(s + start, '.',
			    end - start);

			if (dot != NULL) {
				p = (size_t)(dot - s);
				k = 1;
			} else {
				p = end;
			}
		} else {
			while (p < end && (k = sep_len(s, p, end)) == 0)
				p++;
		}
		if (p == start)
			return MOX_EEMPTY;
		if (nlabels > 0) {
			if (w.apos >= MOX_DOMAIN_MAX)
				return MOX_ETOOLONG;
			out->ascii[w.apos++] = '.';
			if ((rc = uni_add(&w, ".", 1)) != MOX_OK)
				return rc;
		}
		rc = domain_label(&w, s + start, p - start, ascii, flags);
		if (rc != MOX_OK)
			return rc;
		nlabels++;
		if (p == end)
			break;
		start = p + k;
	}
	if ((flags & MOX_DOMAIN_REQUIRE_DOT) && nlabels < 2)
		return MOX_ESYNTAX;
	out->ascii[w.apos] = '\0';
	out->unicode[w.upos] = '\0';
	return MOX_OK;
}

int
mox_domain_parse(mox_domain *out, const char *s, size_t len,
    unsigned int flags)
{
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	if (s == NULL && len > 0)
		rc = MOX_EINVAL;
	else
		rc = domain_parse(out, (const unsigned char *)s, len, flags);
	if (rc != MOX_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

bool
mox_domain_is_idn(const mox_domain *d)
{
	if (d == NULL)
		return false;
	return strcmp(d->ascii, d->unicode) != 0;
}

bool
mox_domain_equal(const mox_domain *a, const mox_domain *b)
{
	if (a == NULL || b == NULL)
		return false;
	return strcmp(a->ascii, b->ascii) == 0;
}

/* --- localparts --- */

/* atext of RFC 5322 (ASCII part). */
static bool
is_atext(unsigned char c)
{
	if (mox__isalpha(c) || mox__isdigit(c))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '/': case '=': case '?':
	case '^': case '_': case '`': case '{': case '|': case '}':
	case '~':
		return true;
	default:
		return false;
	}
}

/* qtextSMTP of RFC 5321 (ASCII part). */
static bool
is_qtext(unsigned char c)
{
	return c == 32 || c == 33 || (c >= 35 && c <= 91) ||
	    (c >= 93 && c <= 126);
}

/* Whether lp is a dot-atom (UTF-8 allowed in atext, RFC 6531). */
static bool
is_dot_atom(const unsigned char *lp, size_t len)
{
	bool dot = true; /* a dot is not allowed at the start */
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		if (lp[i] == '.') {
			if (dot)
				return false;
			dot = true;
		} else if (lp[i] >= 0x80 || is_atext(lp[i])) {
			dot = false;
		} else {
			return false;
		}
	}
	return !dot;
}

static int
localpart_parse(char *out, size_t cap, size_t *nout, const unsigned char *s,
    size_t len, unsigned int flags)
{
	size_t i, n = 0, max;
	bool nonascii = false;

	if (len == 0)
		return MOX_EEMPTY;
	for (i = 0; i < len; i++) {
		if (s[i] == 0)
			return MOX_ENUL;
		if (s[i] >= 0x80)
			nonascii = true;
	}
	if (nonascii) {
		if (flags & MOX_ADDR_ASCII_LOCALPART)
			return MOX_ESYNTAX;
		if (!mox__utf8_valid(s, len))
			return MOX_EUTF8;
	}

	if (s[0] == '"') {
		bool closed = false;

		for (i = 1; i < len;) {
			unsigned char c = s[i];

			if (c == '"') {
				closed = true;
				i++;
				break;
			}
			if (c == '\\') {
				/* quoted-pairSMTP: %d92 %d32-126 */
				if (i + 1 >= len || s[i + 1] < 32 ||
				    s[i + 1] > 126)
					return MOX_ESYNTAX;
				c = s[i + 1];
				i += 2;
			} else if (c >= 0x80 || is_qtext(c)) {
				i++;
			} else {
				return MOX_ESYNTAX;
			}
			if (n + 1 < cap)
				out[n] = (char)c;
			n++;
		}
		if (!closed || i != len)
			return MOX_ESYNTAX;
	} else {
		if (!is_dot_atom(s, len))
			return MOX_ESYNTAX;
		n = len;
		if (n < cap)
			memcpy(out, s, n);
	}

	max = (flags & MOX_ADDR_STRICT) ? 64 : MOX_LOCALPART_MAX;
	if (n > max)
		return MOX_ETOOLONG;
	*nout = n;
	if (n >= cap)
		return MOX_EBUFS;
	out[n] = '\0';
	return MOX_OK;
}

int
mox_localpart_parse(char *out, size_t cap, size_t *out_len,
    unsigned int *info, const char *s, size_t len, unsigned int flags)
{
	size_t n = 0, i;
	unsigned int bits = 0;
	int rc;

	if (out_len != NULL)
		*out_len = 0;
	if (info != NULL)
		*info = 0;
	if (out == NULL || (s == NULL && len > 0))
		return MOX_EINVAL;
	if (cap > 0)
		out[0] = '\0';
	rc = localpart_parse(out, cap, &n, (const unsigned char *)s, len,
	    flags);
	if (rc == MOX_EBUFS && out_len != NULL)
		*out_len = n; /* the size needed, less the NUL */
	if (rc != MOX_OK) {
		if (cap > 0)
			out[0] = '\0';
		return rc;
	}
	if (!is_dot_atom((const unsigned char *)out, n))
		bits |= MOX_LOCALPART_QUOTED;
	for (i = 0; i < n; i++) {
		if ((unsigned char)out[i] >= 0x80) {
			bits |= MOX_LOCALPART_UTF8;
			break;
		}
	}
	if (out_len != NULL)
		*out_len = n;
	if (info != NULL)
		*info = bits;
	return MOX_OK;
}

static void
localpart_write(mox__sbuf *sb, const char *lp, size_t len)
{
	size_t i, run;

	if (lp != NULL && is_dot_atom((const unsigned char *)lp, len)) {
		mox__sbuf_add(sb, lp, len);
		return;
	}
	mox__sbuf_addc(sb, '"');
	for (i = 0; i < len; i += run) {
		if (lp[i] == '"' || lp[i] == '\\') {
			mox__sbuf_addc(sb, '\\');
			mox__sbuf_addc(sb, lp[i]);
			run = 1;
			continue;
		}
		for (run = 1; i + run < len && lp[i + run] != '"' &&
		    lp[i + run] != '\\'; run++)
			;
		mox__sbuf_add(sb, lp + i, run);
	}
	mox__sbuf_addc(sb, '"');
}

size_t
mox_localpart_format(char *buf, size_t cap, const char *lp, size_t len)
{
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, buf == NULL ? 0 : cap);
	if (lp == NULL)
		len = 0;
	localpart_write(&sb, lp, len);
	return sb.len;
}

/* --- addresses --- */

static int
address_parse(mox_address *out, const char *s, size_t len, unsigned int flags)
{
	size_t at, n;
	int rc;

	if (len == 0)
		return MOX_EEMPTY;
	if (memchr(s, '\0', len) != NULL)
		return MOX_ENUL;
	/* The last '@': a quoted localpart may contain '@', a domain not. */
	for (at = len; at > 0 && s[at - 1] != '@'; at--)
		;
	if (at == 0)
		return MOX_ESYNTAX;
	at--;
	rc = mox_localpart_parse(out->localpart, sizeof(out->localpart), &n,
	    NULL, s, at, flags);
	if (rc != MOX_OK)
		return rc;
	out->localpart_len = n;
	if (at + 1 < len && s[at + 1] == '[')
		return MOX_EUNSUPPORTED;
	return mox_domain_parse(&out->domain, s + at + 1, len - at - 1, flags);
}

int
mox_address_parse(mox_address *out, const char *s, size_t len,
    unsigned int flags)
{
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	if (s == NULL && len > 0)
		rc = MOX_EINVAL;
	else
		rc = address_parse(out, s, len, flags);
	if (rc != MOX_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

bool
mox_address_needs_smtputf8(const mox_address *a)
{
	size_t i, n;

	if (a == NULL)
		return false;
	n = a->localpart_len < sizeof(a->localpart) ? a->localpart_len :
	    sizeof(a->localpart);
	for (i = 0; i < n; i++) {
		if ((unsigned char)a->localpart[i] >= 0x80)
			return true;
	}
	return mox_domain_is_idn(&a->domain);
}

/* Append a NUL-terminated string of a fixed-size field. */
static void
add_bounded(mox__sbuf *sb, const char *p, size_t size)
{
	const char *nul = memchr(p, '\0', size);

	mox__sbuf_add(sb, p, nul != NULL ? (size_t)(nul - p) : size);
}

size_t
mox_address_format(char *buf, size_t cap, const mox_address *a,
    bool unicode)
{
	mox__sbuf sb;
	size_t n;

	mox__sbuf_init(&sb, buf, buf == NULL ? 0 : cap);
	if (a == NULL)
		return 0;
	n = a->localpart_len < sizeof(a->localpart) ? a->localpart_len :
	    sizeof(a->localpart);
	localpart_write(&sb, a->localpart, n);
	mox__sbuf_addc(&sb, '@');
	if (unicode)
		add_bounded(&sb, a->domain.unicode, sizeof(a->domain.unicode));
	else
		add_bounded(&sb, a->domain.ascii, sizeof(a->domain.ascii));
	return sb.len;
}

/* --- IP addresses --- */

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strict dotted quad: four parts of 1-3 digits, no leading zeros, <= 255. */
static int
ip4_parse(uint8_t out[4], const char *s, size_t len)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		unsigned int v = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return MOX_ESYNTAX;
			start = ++i;
		}
		while (i < len && mox__isdigit((unsigned char)s[i]) &&
		    i - start < 3) {
			v = v * 10 + (unsigned int)(s[i] - '0');
			i++;
		}
		if (i == start || v > 255)
			return MOX_ESYNTAX;
		if (s[start] == '0' && i - start > 1)
			return MOX_ESYNTAX;
		out[part] = (uint8_t)v;
	}
	return i == len ? MOX_OK : MOX_ESYNTAX;
}

/* RFC 4291 section 2.2 text forms, without zone index. */
static int
ip6_parse(uint8_t out[16], const char *s, size_t len)
{
	uint8_t b[16];
	size_t i = 0, n = 0, gap = SIZE_MAX;

	memset(b, 0, sizeof(b));
	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len >= 1 && s[0] == ':') {
		return MOX_ESYNTAX;
	}
	while (i < len) {
		size_t start = i;
		unsigned int v = 0;
		int h;

		if (n == 16)
			return MOX_ESYNTAX;
		while (i < len && i - start < 4 &&
		    (h = hexval((unsigned char)s[i])) >= 0) {
			v = v << 4 | (unsigned int)h;
			i++;
		}
		if (i < len && s[i] == '.') {
			/* Embedded IPv4 in the last 32 bits. */
			if (n > 12 || ip4_parse(b + n, s + start,
			    len - start) != MOX_OK)
				return MOX_ESYNTAX;
			n += 4;
			break;
		}
		if (i == start)
			return MOX_ESYNTAX;
		b[n++] = (uint8_t)(v >> 8);
		b[n++] = (uint8_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return MOX_ESYNTAX; /* 5 hex digits, '%' zone, ... */
		i++;
		if (i < len && s[i] == ':') {
			if (gap != SIZE_MAX)
				return MOX_ESYNTAX;
			gap = n;
			i++;
		} else if (i == len) {
			return MOX_ESYNTAX; /* a single trailing ':' */
		}
	}
	if (gap != SIZE_MAX) {
		/* "::" stands for one or more zero groups. */
		if (n == 16)
			return MOX_ESYNTAX;
		memmove(b + 16 - (n - gap), b + gap, n - gap);
		memset(b + gap, 0, 16 - n);
	} else if (n != 16) {
		return MOX_ESYNTAX;
	}
	memcpy(out, b, 16);
	return MOX_OK;
}

static int
ip_parse(mox_ip *out, const char *s, size_t len)
{
	int rc;

	if (len == 0)
		return MOX_EEMPTY;
	if (memchr(s, '\0', len) != NULL)
		return MOX_ENUL;
	if (len > IP_TEXT_MAX)
		return MOX_ETOOLONG;
	if (memchr(s, ':', len) != NULL) {
		rc = ip6_parse(out->addr, s, len);
		out->family = 6;
	} else {
		rc = ip4_parse(out->addr, s, len);
		out->family = 4;
	}
	return rc;
}

int
mox_ip_parse(mox_ip *out, const char *s, size_t len)
{
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	memset(out, 0, sizeof(*out));
	if (s == NULL && len > 0)
		return MOX_EINVAL;
	rc = ip_parse(out, s, len);
	if (rc != MOX_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

static unsigned int
ip_bits(const mox_ip *ip)
{
	return ip->family == 4 ? 32 : 128;
}

/* Zero everything after the first bits bits (bits within range). */
static void
ip_mask_bytes(uint8_t *a, unsigned int bits, unsigned int total)
{
	unsigned int i;

	for (i = bits / 8; i < total / 8; i++) {
		if (i == bits / 8 && bits % 8 != 0)
			a[i] &= (uint8_t)(0xffu << (8 - bits % 8));
		else
			a[i] = 0;
	}
}

int
mox_cidr_parse(mox_ip *out, unsigned int *bits, const char *s, size_t len)
{
	const char *slash;
	unsigned int v = 0;
	size_t i, n;
	int rc;

	if (bits != NULL)
		*bits = 0;
	if (out == NULL)
		return MOX_EINVAL;
	memset(out, 0, sizeof(*out));
	if (s == NULL && len > 0)
		return MOX_EINVAL;
	if (len == 0)
		return MOX_EEMPTY;
	if (memchr(s, '\0', len) != NULL)
		return MOX_ENUL;
	slash = memchr(s, '/', len);
	n = slash != NULL ? (size_t)(slash - s) : len;
	if ((rc = ip_parse(out, s, n)) != MOX_OK)
		goto fail;
	if (slash == NULL) {
		v = ip_bits(out);
	} else {
		n++;
		if (n == len || (s[n] == '0' && len - n > 1)) {
			rc = MOX_ESYNTAX;
			goto fail;
		}
		for (i = n; i < len; i++) {
			if (!mox__isdigit((unsigned char)s[i])) {
				rc = MOX_ESYNTAX;
				goto fail;
			}
			if (v <= 1000)
				v = v * 10 + (unsigned int)(s[i] - '0');
		}
		if (v > ip_bits(out)) {
			rc = MOX_ERANGE;
			goto fail;
		}
	}
	ip_mask_bytes(out->addr, v, ip_bits(out));
	if (bits != NULL)
		*bits = v;
	return MOX_OK;
fail:
	memset(out, 0, sizeof(*out));
	return rc;
}

/* Append decimal (< 1000). */
static void
add_dec(mox__sbuf *sb, unsigned int v)
{
	char t[3];
	size_t n = 0;

	if (v >= 100)
		t[n++] = (char)('0' + v / 100);
	if (v >= 10)
		t[n++] = (char)('0' + v / 10 % 10);
	t[n++] = (char)('0' + v % 10);
	mox__sbuf_add(sb, t, n);
}

/* Append lowercase hex without leading zeros (a 16-bit group). */
static void
add_hex16(mox__sbuf *sb, unsigned int v)
{
	char t[4];
	size_t n = 0;
	int shift;

	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned int d = (v >> shift) & 0xf;

		if (n == 0 && d == 0 && shift > 0)
			continue;
		t[n++] = hexdigits[d];
	}
	mox__sbuf_add(sb, t, n);
}

static void
add_ip4(mox__sbuf *sb, const uint8_t *a)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			mox__sbuf_addc(sb, '.');
		add_dec(sb, a[i]);
	}
}

static bool
ip_is_mapped(const mox_ip *ip)
{
	static const uint8_t prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	return ip->family == 6 && memcmp(ip->addr, prefix, 12) == 0;
}

size_t
mox_ip_format(char *buf, size_t cap, const mox_ip *ip)
{
	unsigned int g[8];
	int i, best = -1, bestlen = 0;
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, buf == NULL ? 0 : cap);
	if (ip == NULL)
		return 0;
	if (ip->family == 4) {
		add_ip4(&sb, ip->addr);
		return sb.len;
	}
	if (ip->family != 6)
		return 0;
	if (ip_is_mapped(ip)) {
		mox__sbuf_add(&sb, "::ffff:", 7);
		add_ip4(&sb, ip->addr + 12);
		return sb.len;
	}
	/* RFC 5952 section 4.2: the longest run of two or more zero groups,
	 * the first one on a tie. */
	for (i = 0; i < 8; i++) {
		const uint8_t *p = ip->addr + 2 * (size_t)i;

		g[i] = (unsigned int)p[0] << 8 | p[1];
	}
	for (i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i >= 2 && j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			mox__sbuf_add(&sb, "::", 2);
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			mox__sbuf_addc(&sb, ':');
		add_hex16(&sb, g[i]);
	}
	return sb.len;
}

size_t
mox_ip_reverse_name(char *buf, size_t cap, const mox_ip *ip)
{
	mox__sbuf sb;
	char t[4];
	int i;

	mox__sbuf_init(&sb, buf, buf == NULL ? 0 : cap);
	if (ip == NULL)
		return 0;
	if (ip->family == 4) {
		for (i = 3; i >= 0; i--) {
			add_dec(&sb, ip->addr[i]);
			mox__sbuf_addc(&sb, '.');
		}
		mox__sbuf_add(&sb, "in-addr.arpa", 12);
	} else if (ip->family == 6) {
		for (i = 15; i >= 0; i--) {
			t[0] = hexdigits[ip->addr[i] & 0xf];
			t[1] = '.';
			t[2] = hexdigits[ip->addr[i] >> 4];
			t[3] = '.';
			mox__sbuf_add(&sb, t, 4);
		}
		mox__sbuf_add(&sb, "ip6.arpa", 8);
	}
	return sb.len;
}

int
mox_ip_mask(mox_ip *out, const mox_ip *in, unsigned int bits)
{
	mox_ip t;

	if (out == NULL || in == NULL ||
	    (in->family != 4 && in->family != 6))
		return MOX_EINVAL;
	if (bits > ip_bits(in))
		return MOX_ERANGE;
	memset(&t, 0, sizeof(t));
	t.family = in->family;
	memcpy(t.addr, in->addr, in->family == 4 ? 4 : 16);
	ip_mask_bytes(t.addr, bits, ip_bits(&t));
	*out = t;
	return MOX_OK;
}

bool
mox_ip_in_prefix(const mox_ip *ip, const mox_ip *net, unsigned int bits)
{
	unsigned int full, rest;
	uint8_t m;

	if (ip == NULL || net == NULL || ip->family != net->family ||
	    (ip->family != 4 && ip->family != 6) || bits > ip_bits(ip))
		return false;
	full = bits / 8;
	rest = bits % 8;
	if (memcmp(ip->addr, net->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	m = (uint8_t)(0xffu << (8 - rest));
	return (ip->addr[full] & m) == (net->addr[full] & m);
}

bool
mox_ip_equal(const mox_ip *a, const mox_ip *b)
{
	if (a == NULL || b == NULL || a->family != b->family)
		return false;
	if (a->family == 4)
		return memcmp(a->addr, b->addr, 4) == 0;
	return memcmp(a->addr, b->addr, 16) == 0;
}

void
mox_ip_unmap(mox_ip *out, const mox_ip *in)
{
	mox_ip t;

	if (out == NULL || in == NULL)
		return;
	if (!ip_is_mapped(in)) {
		*out = *in;
		return;
	}
	memset(&t, 0, sizeof(t));
	t.family = 4;
	memcpy(t.addr, in->addr + 12, 4);
	*out = t;
}
