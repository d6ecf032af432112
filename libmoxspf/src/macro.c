/* SPDX-License-Identifier: MIT */
/*
 * macro.c -- SPF macro-strings (RFC 7208 7): compiling a macro-string into
 * items once (at record parse time), expanding it against the values of a
 * check, and turning an expansion into a target name (4.8, 7.3).
 *
 * Expansion never allocates: it writes into a caller buffer. For names it
 * keeps only a window of the last octets, since the left truncation of
 * RFC 7208 7.3 keeps at most the last 253; total output is bounded by
 * SPF_EXPAND_MAX, so a record full of %{s} costs bounded time.
 */
#include <stdio.h>
#include <string.h>

#include "spf-int.h"

static const char hexup[] = "0123456789ABCDEF";

/* Strings up to this long are scanned once, into a local array: a
 * string has at most one item per octet. */
#define SPF_SCAN_ITEMS 32

/* --- compiling --- */

/* Bit of a delimiter character, or 0 (RFC 7208 7.1 delimiter). */
static uint8_t
delim_bit(int c)
{
	switch (c) {
	case '.':
		return SPF_DELIM_DOT;
	case '-':
		return 0x02;
	case '+':
		return 0x04;
	case ',':
		return 0x08;
	case '/':
		return 0x10;
	case '_':
		return 0x20;
	case '=':
		return 0x40;
	default:
		return 0;
	}
}

static bool
is_delim(int c, uint8_t bits)
{
	return (delim_bit(c) & bits) != 0;
}

static bool
is_alnum(int c)
{
	return mox__isalpha(c) || mox__isdigit(c);
}

/* RFC 7208 7.1 toplabel: ( *alphanum ALPHA *alphanum ) /
 * ( 1*alphanum "-" *( alphanum / "-" ) alphanum ). */
static bool
toplabel_ok(const char *s, size_t n)
{
	bool alpha = false, hyphen = false;
	size_t i;

	if (n == 0 || !is_alnum((unsigned char)s[0]) ||
	    !is_alnum((unsigned char)s[n - 1]))
		return false;
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '-')
			hyphen = true;
		else if (mox__isalpha(c))
			alpha = true;
		else if (!mox__isdigit(c))
			return false;
	}
	return alpha || hyphen;
}

static bool
literal_ok(int c, int mode)
{
	if (c >= 0x21 && c <= 0x7e && c != '%')
		return true;
	return c == ' ' && mode == SPF_MACRO_EXPLAIN;
}

/*
 * One pass over a macro-string: count the items (items == NULL) or fill
 * them. Both passes see the same text, so the counts agree.
 */
static int
scan(const char *s, size_t len, int mode, struct spf_item *items,
    size_t *count, const char **err, size_t *erroff)
{
	size_t i = 0, n = 0;

	while (i < len) {
		int c = (unsigned char)s[i];
		struct spf_item it;

		memset(&it, 0, sizeof(it));
		if (c != '%') {
			size_t start = i;

			while (i < len && literal_ok((unsigned char)s[i], mode))
				i++;
			if (i == start) {
				*err = c == '\0' ? "NUL byte" :
				    "character not allowed in a macro-string";
				*erroff = i;
				return MOX_ESYNTAX;
			}
			it.kind = SPF_ITEM_LIT;
			it.lit = s + start;
			it.len = (uint32_t)(i - start);
		} else if (i + 1 < len && (s[i + 1] == '%' || s[i + 1] == '_' ||
		    s[i + 1] == '-')) {
			/* RFC 7208 7.1: %% %_ %- */
			it.kind = SPF_ITEM_ESC;
			it.lit = s[i + 1] == '%' ? "%" :
			    s[i + 1] == '_' ? " " : "%20";
			it.len = (uint32_t)strlen(it.lit);
			i += 2;
		} else if (i + 1 < len && s[i + 1] == '{') {
			size_t start = i;
			int letter;
			uint64_t digits = 0;
			bool have_digits = false;

			i += 2;
			if (i >= len) {
				*err = "unterminated macro";
				*erroff = start;
				return MOX_ESYNTAX;
			}
			letter = (unsigned char)s[i];
			if (strchr("slodipvhcrt", mox__lower(letter)) == NULL ||
			    letter == 0) {
				*err = "unknown macro letter";
				*erroff = i;
				return MOX_ESYNTAX;
			}
			if (mode == SPF_MACRO_DOMAIN &&
			    strchr("crt", mox__lower(letter)) != NULL) {
				*err = "macro letters c, r and t are only "
				    "allowed in explanations";
				*erroff = i;
				return MOX_ESYNTAX;
			}
			it.kind = SPF_ITEM_MACRO;
			it.letter = (char)mox__lower(letter);
			it.upper = letter >= 'A' && letter <= 'Z';
			i++;
			while (i < len && mox__isdigit((unsigned char)s[i])) {
				have_digits = true;
				if (digits < 1000000)
					digits = digits * 10 +
					    (uint64_t)(s[i] - '0');
				i++;
			}
			if (have_digits && digits == 0) {
				/* RFC 7208 7.3: the value MUST be nonzero. */
				*err = "macro digit transformer is zero";
				*erroff = start;
				return MOX_ESYNTAX;
			}
			it.digits = (uint32_t)(digits > 1000000 ? 1000000 :
			    digits);
			if (i < len && mox__lower((unsigned char)s[i]) == 'r') {
				it.reverse = true;
				i++;
			}
			while (i < len && delim_bit((unsigned char)s[i]) != 0) {
				it.delims |= delim_bit((unsigned char)s[i]);
				i++;
			}
			if (i >= len || s[i] != '}') {
				*err = "bad macro (expected transformers, "
				    "delimiters or '}')";
				*erroff = start;
				return MOX_ESYNTAX;
			}
			i++;
			it.transform = have_digits || it.reverse ||
			    it.delims != 0;
			if (it.delims == 0)
				it.delims = SPF_DELIM_DOT;
		} else {
			/* RFC 7208 7.1: a '%' not followed by '{', '%', '-'
			 * or '_' is a syntax error. */
			*err = "'%' not followed by '{', '%', '-' or '_'";
			*erroff = i;
			return MOX_ESYNTAX;
		}
		if (items != NULL)
			items[n] = it;
		n++;
	}
	*count = n;
	return MOX_OK;
}

int
spf__macro_compile(mox__arena *a, struct spf_macro *m, const char *s,
    size_t len, int mode, const char **err, size_t *erroff)
{
	const char *e = NULL;
	size_t off = 0, n = 0, i;
	int rc;

	memset(m, 0, sizeof(*m));
	/* Most strings have a few items: one pass into a local array, a
	 * second pass only for long ones. */
	if (len <= SPF_SCAN_ITEMS) {
		struct spf_item local[SPF_SCAN_ITEMS];

		rc = scan(s, len, mode, local, &n, &e, &off);
		if (rc == MOX_OK && n > 0) {
			m->items = mox__arena_memdup(a, local,
			    n * sizeof(*m->items));
			if (m->items == NULL)
				return MOX_ENOMEM;
		}
	} else {
		rc = scan(s, len, mode, NULL, &n, &e, &off);
		if (rc == MOX_OK) {
			m->items = mox__arena_alloc(a, n * sizeof(*m->items));
			if (m->items == NULL)
				return MOX_ENOMEM;
			scan(s, len, mode, m->items, &n, &e, &off);
		}
	}
	if (rc == MOX_OK && mode == SPF_MACRO_DOMAIN && n == 0) {
		e = "empty domain-spec";
		rc = MOX_ESYNTAX;
	}
	if (rc != MOX_OK) {
		memset(m, 0, sizeof(*m));
		if (err != NULL)
			*err = e;
		if (erroff != NULL)
			*erroff = off;
		return rc;
	}
	m->n = n;
	m->literal = true;
	for (i = 0; i < n; i++) {
		if (m->items[i].kind == SPF_ITEM_MACRO) {
			m->literal = false;
			if (m->items[i].letter == 'p')
				m->has_p = true;
		}
	}
	if (mode == SPF_MACRO_DOMAIN && m->items[n - 1].kind == SPF_ITEM_LIT) {
		/* RFC 7208 7.1: domain-end = ( "." toplabel [ "." ] ) /
		 * macro-expand; the dot belongs to the last literal run. */
		const struct spf_item *it = &m->items[n - 1];
		size_t tl = it->len, dot;

		if (tl > 0 && it->lit[tl - 1] == '.')
			tl--;
		for (dot = tl; dot > 0 && it->lit[dot - 1] != '.'; dot--)
			;
		if (dot == 0 || !toplabel_ok(it->lit + dot, tl - dot)) {
			if (err != NULL)
				*err = "domain-spec must end in a top-level "
				    "label or a macro";
			if (erroff != NULL)
				*erroff = (size_t)(it->lit - s) + dot;
			memset(m, 0, sizeof(*m));
			return MOX_ESYNTAX;
		}
	}
	return MOX_OK;
}

/* --- expanding --- */

static int
out_raw(struct spf_out *o, const char *p, size_t n)
{
	if (n > SPF_EXPAND_MAX - o->total)
		return MOX_ETOOLONG;
	o->total += n;
	if (!o->window) {
		if (n > o->cap - o->len)
			return MOX_ETOOLONG;
		memcpy(o->p + o->len, p, n);
		o->len += n;
		return MOX_OK;
	}
	if (n >= o->cap / 2) {
		/* Keep the last half buffer of this piece alone. */
		size_t keep = o->cap / 2;

		memcpy(o->p, p + n - keep, keep);
		o->dropped = o->dropped || o->len > 0 || n > keep;
		o->len = keep;
		return MOX_OK;
	}
	if (n > o->cap - o->len) {
		/* Slide: keep the last half, so sliding is amortized. */
		size_t keep = o->cap / 2 - n;

		memmove(o->p, o->p + o->len - keep, keep);
		o->len = keep;
		o->dropped = true;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
	return MOX_OK;
}

static bool
unreserved(int c)
{
	/* RFC 3986 2.3 */
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Append n octets, URL-escaped when esc is set (RFC 7208 7.3). */
static int
out_val(struct spf_out *o, const char *p, size_t n, bool esc)
{
	size_t i = 0;
	int rc;

	if (!esc)
		return out_raw(o, p, n);
	while (i < n) {
		size_t start = i;

		while (i < n && unreserved((unsigned char)p[i]))
			i++;
		if (i > start && (rc = out_raw(o, p + start, i - start)) !=
		    MOX_OK)
			return rc;
		if (i < n) {
			unsigned char c = (unsigned char)p[i];
			char e[3] = { '%', hexup[c >> 4], hexup[c & 15] };

			if ((rc = out_raw(o, e, 3)) != MOX_OK)
				return rc;
			i++;
		}
	}
	return MOX_OK;
}

/* The value of a macro letter; scratch must hold 80 octets. */
static int
letter_value(const struct spf_macro_ctx *c, char letter, char *scratch,
    const char **v, size_t *vlen)
{
	switch (letter) {
	case 's':
		*v = c->s;
		*vlen = c->slen;
		break;
	case 'l':
		*v = c->l;
		*vlen = c->llen;
		break;
	case 'o':
		*v = c->o;
		*vlen = c->olen;
		break;
	case 'd':
		*v = c->d;
		*vlen = c->dlen;
		break;
	case 'h':
		*v = c->h;
		*vlen = c->hlen;
		break;
	case 'p':
		if (c->p == NULL)
			return MOX_ESTATE;
		*v = c->p;
		*vlen = c->plen;
		break;
	case 'r':
		*v = c->r != NULL ? c->r : "unknown";
		*vlen = c->r != NULL ? c->rlen : 7;
		break;
	case 'v':
		*v = c->ip.family == 6 ? "ip6" : "in-addr";
		*vlen = strlen(*v);
		break;
	case 't':
		*vlen = (size_t)snprintf(scratch, 80, "%lld", (long long)c->t);
		*v = scratch;
		break;
	case 'c':
		*vlen = mox_ip_format(scratch, 80, &c->ip);
		*v = scratch;
		break;
	case 'i':
		if (c->ip.family == 6) {
			/* RFC 7208 7.3: dot-format, 32 nibbles. */
			static const char hexlow[] = "0123456789abcdef";
			size_t k, o = 0;

			for (k = 0; k < 16; k++) {
				scratch[o++] = hexlow[c->ip.addr[k] >> 4];
				scratch[o++] = '.';
				scratch[o++] = hexlow[c->ip.addr[k] & 15];
				scratch[o++] = '.';
			}
			*vlen = o - 1;
		} else {
			*vlen = mox_ip_format(scratch, 80, &c->ip);
		}
		*v = scratch;
		break;
	default:
		return MOX_EINVAL;
	}
	if (*v == NULL) {
		*v = "";
		*vlen = 0;
	}
	return MOX_OK;
}

/*
 * RFC 7208 7.3: split on the delimiters, reverse when asked, keep the
 * right-hand 'digits' parts, join with '.'. Done without storing the
 * parts: for the reversed case the kept parts are the first ones,
 * emitted from the last to the first.
 */
static int
transform(struct spf_out *o, const struct spf_item *it, const char *v,
    size_t n)
{
	size_t k = 1, keep, i, skip;
	int rc;

	for (i = 0; i < n; i++) {
		if (is_delim((unsigned char)v[i], it->delims))
			k++;
	}
	keep = it->digits == 0 || it->digits > k ? k : it->digits;
	if (!it->reverse) {
		/* The last 'keep' parts: skip the first k - keep. */
		skip = k - keep;
		for (i = 0; skip > 0; i++) {
			if (is_delim((unsigned char)v[i], it->delims))
				skip--;
		}
		while (i <= n) {
			size_t start = i;

			while (i < n && !is_delim((unsigned char)v[i],
			    it->delims))
				i++;
			if ((rc = out_val(o, v + start, i - start,
			    it->upper)) != MOX_OK)
				return rc;
			if (i == n)
				break;
			if ((rc = out_raw(o, ".", 1)) != MOX_OK)
				return rc;
			i++;
		}
		return MOX_OK;
	}
	/* Reversed: parts keep-1 .. 0. Find the end of part keep-1. */
	{
		size_t end = 0, seen = 0;

		while (end < n) {
			if (is_delim((unsigned char)v[end], it->delims) &&
			    ++seen == keep)
				break;
			end++;
		}
		for (;;) {
			size_t start = end;

			while (start > 0 && !is_delim((unsigned char)v[start -
			    1], it->delims))
				start--;
			if ((rc = out_val(o, v + start, end - start,
			    it->upper)) != MOX_OK)
				return rc;
			if (start == 0)
				break;
			if ((rc = out_raw(o, ".", 1)) != MOX_OK)
				return rc;
			end = start - 1;
		}
	}
	return MOX_OK;
}

int
spf__macro_expand(const struct spf_macro *m, const struct spf_macro_ctx *ctx,
    struct spf_out *out)
{
	char scratch[80];
	size_t i;
	int rc;

	for (i = 0; i < m->n; i++) {
		const struct spf_item *it = &m->items[i];
		const char *v;
		size_t vlen;

		if (it->kind != SPF_ITEM_MACRO) {
			rc = out_raw(out, it->lit, it->len);
		} else {
			rc = letter_value(ctx, it->letter, scratch, &v, &vlen);
			if (rc != MOX_OK)
				return rc;
			if (it->transform)
				rc = transform(out, it, v, vlen);
			else
				rc = out_val(out, v, vlen, it->upper);
		}
		if (rc != MOX_OK)
			return rc;
	}
	return MOX_OK;
}

/* --- names --- */

bool
spf__target_name(const struct spf_out *exp, unsigned int max, char *name,
    size_t *len)
{
	const char *p = exp->p;
	size_t n = exp->len, i, label = 0;

	if (max > MOX_DOMAIN_MAX)
		max = MOX_DOMAIN_MAX;
	if (max == 0)
		max = MOX_DOMAIN_MAX;
	if (n > 0 && p[n - 1] == '.')
		n--;
	if (exp->dropped || n > max) {
		/* RFC 7208 7.3: remove labels from the left until at most
		 * max octets remain. */
		if (n < (size_t)max + 1)
			return false;
		for (i = n - max - 1; i < n && p[i] != '.'; i++)
			;
		if (i >= n)
			return false;
		p += i + 1;
		n -= i + 1;
	}
	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > MOX_LABEL_MAX) {
			return false;
		}
	}
	if (label == 0)
		return false;
	memcpy(name, p, n);
	name[n] = '\0';
	*len = n;
	return true;
}

size_t
spf__name_escape(char *out, const char *raw, size_t len)
{
	size_t i, o;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			break;
	}
	memcpy(out, raw, i);
	for (o = i; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c < 0x20 || c >= 0x7f || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)('0' + c / 100);
			out[o++] = (char)('0' + c / 10 % 10);
			out[o++] = (char)('0' + c % 10);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

bool
spf__name_unescape(char *out, size_t *outlen, const char *text)
{
	size_t i = 0, o = 0, label = 0;

	if (text[0] == '.' && text[1] == '\0')
		i = 1; /* the root */
	while (text[i] != '\0') {
		unsigned int c = (unsigned char)text[i];

		if (c == '.') {
			if (text[i + 1] == '\0' && o > 0)
				break; /* trailing dot */
			if (label == 0)
				return false;
			label = 0;
			if (o >= MOX_DOMAIN_MAX)
				return false;
			out[o++] = '.';
			i++;
			continue;
		}
		if (c == '\\') {
			if (mox__isdigit((unsigned char)text[i + 1])) {
				if (!mox__isdigit((unsigned char)text[i + 2]) ||
				    !mox__isdigit((unsigned char)text[i + 3]))
					return false;
				c = (unsigned int)(text[i + 1] - '0') * 100 +
				    (unsigned int)(text[i + 2] - '0') * 10 +
				    (unsigned int)(text[i + 3] - '0');
				if (c > 255)
					return false;
				i += 4;
			} else if (text[i + 1] != '\0') {
				c = (unsigned char)text[i + 1];
				i += 2;
			} else {
				return false;
			}
			/* A dot inside a label has no raw form here. */
			if (c == '.')
				return false;
		} else {
			i++;
		}
		if (++label > MOX_LABEL_MAX || o >= MOX_DOMAIN_MAX)
			return false;
		out[o++] = (char)c;
	}
	if (o > 0 && label == 0)
		return false;
	out[o] = '\0';
	*outlen = o;
	return true;
}

bool
spf__name_within(const char *name, size_t nlen, const char *dom,
    size_t dlen)
{
	size_t i;

	if (dlen == 0 || nlen < dlen)
		return false;
	if (nlen > dlen && name[nlen - dlen - 1] != '.')
		return false;
	name += nlen - dlen;
	for (i = 0; i < dlen; i++) {
		if (mox__lower((unsigned char)name[i]) !=
		    mox__lower((unsigned char)dom[i]))
			return false;
	}
	return true;
}
