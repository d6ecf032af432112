/* SPDX-License-Identifier: MIT */
/*
 * msg_mime.c -- MIME header fields: Content-Type (RFC 2045 5.1),
 * Content-Disposition (RFC 2183) with RFC 2231 parameter value
 * continuations and extended values, Content-Transfer-Encoding (RFC 2045
 * 6.1).
 */
#include <string.h>

#include <mox/message.h>

#include "base.h"
#include "msg-int.h"

struct mparam {
	const char *name;
	const char *value;
};

struct mox_msg_ctype {
	mox__arena arena;
	const char *type;
	const char *subtype;
	struct mparam *params;
	size_t nparams;
};

/* A parameter as written, before RFC 2231 joining. */
struct rawp {
	const char *base;       /* lowercase name without '*' suffixes */
	int section;            /* -1 when the name has no section */
	bool ext;               /* RFC 2231 extended (trailing '*') */
	bool done;              /* used by the joining pass */
	const uint8_t *val;     /* unquoted value (arena) */
	size_t vallen;
};

struct mcur {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* RFC 2045 token character (tspecials and CTLs excluded). */
static bool
mtoken(int c)
{
	if (c <= 32 || c >= 127)
		return false;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* CFWS; an unterminated comment runs to the end. */
static void
mskip(struct mcur *c)
{
	while (c->pos < c->len) {
		uint8_t ch = c->p[c->pos];

		if (msg_isfws(ch)) {
			c->pos++;
		} else if (ch == '(') {
			size_t depth = 0;

			while (c->pos < c->len) {
				ch = c->p[c->pos++];
				if (ch == '\\') {
					if (c->pos < c->len)
						c->pos++;
				} else if (ch == '(') {
					depth++;
				} else if (ch == ')') {
					if (--depth == 0)
						break;
				}
			}
		} else {
			break;
		}
	}
}

static size_t
mtoken_len(const struct mcur *c)
{
	size_t j = c->pos;

	while (j < c->len && mtoken(c->p[j]))
		j++;
	return j - c->pos;
}

static char *
lower_dup(mox__arena *a, const uint8_t *p, size_t n)
{
	char *s = mox__arena_strndup(a, (const char *)p, n);
	size_t i;

	if (s != NULL) {
		for (i = 0; i < n; i++)
			s[i] = (char)mox__lower((unsigned char)s[i]);
	}
	return s;
}

/* Append p[0..n) to b with U+0000 replaced by U+FFFD (the rest is
 * already valid UTF-8). */
static void
add_nonul(mox__buf *b, const char *p, size_t n)
{
	size_t i, s = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\0') {
			mox__buf_add(b, p + s, i - s);
			mox__buf_adds(b, replacement);
			s = i + 1;
		}
	}
	mox__buf_add(b, p + s, n - s);
}

/* Sanitize as UTF-8, NUL included. */
static void
add_utf8(mox__buf *b, const uint8_t *p, size_t n)
{
	mox__buf t = MOX__BUF_INIT;

	msg_utf8_sanitize(&t, p, n);
	if (t.err != MOX_OK)
		b->err = t.err;
	else if (t.p != NULL)
		add_nonul(b, t.p, t.len);
	mox__buf_free(&t);
}

/*
 * Append octets p[0..n) in charset cs[0..cslen) as UTF-8, with the RFC 2047
 * decoder's charset handling. An unknown charset: the octets are taken as
 * UTF-8 (invalid octets become U+FFFD).
 */
static void
add_charset(mox__buf *b, const uint8_t *cs, size_t cslen, const uint8_t *p,
    size_t n)
{
	if (n == 0)
		return;
	if (!msg_charset_to_utf8(b, cs, cslen, p, n))
		add_utf8(b, p, n);
}

/* Percent-decode (RFC 2231 4) p[0..n) into o; a '%' without two hex
 * digits is kept. */
static void
pct_decode(mox__buf *o, const uint8_t *p, size_t n)
{
	size_t i;
	int h, l;

	for (i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n &&
		    (h = mox__hex_value(p[i + 1])) >= 0 &&
		    (l = mox__hex_value(p[i + 2])) >= 0) {
			mox__buf_addc(o, (char)(h << 4 | l));
			i += 2;
		} else {
			mox__buf_addc(o, (char)p[i]);
		}
	}
}

/* Split "charset'lang'rest": sets *cs, *cslen and advances *p, *n past
 * the second quote. Without two quotes, no charset. */
static void
ext_split(const uint8_t **p, size_t *n, const uint8_t **cs, size_t *cslen)
{
	const uint8_t *q1, *q2;

	*cs = NULL;
	*cslen = 0;
	if (*n == 0)
		return;
	q1 = memchr(*p, '\'', *n);
	if (q1 == NULL)
		return;
	q2 = memchr(q1 + 1, '\'', *n - (size_t)(q1 + 1 - *p));
	if (q2 == NULL)
		return;
	*cs = *p;
	*cslen = (size_t)(q1 - *p);
	*n -= (size_t)(q2 + 1 - *p);
	*p = q2 + 1;
}

/* Value of a plain (not RFC 2231) parameter. */
static void
plain_value(mox__buf *b, const uint8_t *p, size_t n)
{
	size_t i;
	mox__buf t = MOX__BUF_INIT;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] == '=' && p[i + 1] == '?')
			break;
	}
	if (i + 1 >= n) {
		add_utf8(b, p, n);
		return;
	}
	msg_2047_decode(&t, p, n);
	if (t.err != MOX_OK)
		b->err = t.err;
	else if (t.p != NULL)
		add_nonul(b, t.p, t.len);
	mox__buf_free(&t);
}

/* Parse the name token at c (already checked non-empty) into r. */
static int
name_parse(mox__arena *a, struct rawp *r, const uint8_t *p, size_t n)
{
	size_t star, j;
	int sec = 0;

	r->section = -1;
	r->ext = false;
	for (star = 0; star < n && p[star] != '*'; star++)
		;
	if (star == 0 || star == n) {
		r->base = lower_dup(a, p, n);
		return r->base == NULL ? MOX_ENOMEM : MOX_OK;
	}
	j = star + 1;
	if (j == n) {
		r->ext = true;
	} else if (mox__isdigit(p[j])) {
		while (j < n && mox__isdigit(p[j])) {
			if (sec > MOX_MSG_CTYPE_MAX_SECTION)
				return MOX_ELIMIT;
			sec = sec * 10 + (p[j] - '0');
			j++;
		}
		if (sec > MOX_MSG_CTYPE_MAX_SECTION)
			return MOX_ELIMIT;
		if (j + 1 == n && p[j] == '*') {
			r->ext = true;
			j++;
		}
		if (j == n)
			r->section = sec;
	}
	if (j != n) {
		/* Not RFC 2231 ("a*b"): the whole name is the name. */
		r->ext = false;
		r->section = -1;
		star = n;
	}
	r->base = lower_dup(a, p, star);
	return r->base == NULL ? MOX_ENOMEM : MOX_OK;
}

/* Read a parameter value at c into the arena: quoted string or lenient
 * unquoted run. */
static int
value_parse(mox__arena *a, struct mcur *c, bool strict, struct rawp *r)
{
	mox__buf v = MOX__BUF_INIT;
	size_t s = c->pos;

	if (c->pos < c->len && c->p[c->pos] == '"') {
		bool closed = false;

		c->pos++;
		while (c->pos < c->len) {
			uint8_t ch = c->p[c->pos++];

			if (ch == '"') {
				closed = true;
				break;
			}
			if (ch == '\\' && c->pos < c->len)
				ch = c->p[c->pos++];
			else if (ch == '\r' || ch == '\n')
				continue;
			mox__buf_addc(&v, (char)ch);
		}
		if (!closed && strict) {
			mox__buf_free(&v);
			return MOX_ESYNTAX;
		}
	} else if (strict) {
		size_t n = mtoken_len(c);

		if (n == 0)
			return MOX_ESYNTAX;
		mox__buf_add(&v, c->p + s, n);
		c->pos += n;
	} else {
		while (c->pos < c->len && !msg_isfws(c->p[c->pos]) &&
		    c->p[c->pos] != ';' && c->p[c->pos] != '"')
			c->pos++;
		mox__buf_add(&v, c->p + s, c->pos - s);
	}
	if (v.err != MOX_OK) {
		mox__buf_free(&v);
		return MOX_ENOMEM;
	}
	r->vallen = v.len;
	r->val = mox__arena_memdup(a, v.p != NULL ? v.p : "", v.len + 1);
	mox__buf_free(&v);
	return r->val == NULL ? MOX_ENOMEM : MOX_OK;
}

/* Join and decode the group of raw parameters named like raw[first]. */
static int
join(mox__buf *b, struct rawp *raw, size_t nraw, size_t first)
{
	struct rawp *r0 = &raw[first];
	const uint8_t *p, *cs = NULL;
	size_t n, cslen = 0, i;
	mox__buf oct = MOX__BUF_INIT;
	int want;

	for (i = first; i < nraw; i++) {
		if (strcmp(raw[i].base, r0->base) == 0)
			raw[i].done = true;
	}
	if (r0->section < 0) {
		p = r0->val;
		n = r0->vallen;
		if (!r0->ext) {
			plain_value(b, p, n);
			return b->err;
		}
		ext_split(&p, &n, &cs, &cslen);
		pct_decode(&oct, p, n);
	} else {
		/* Sections in numeric order; for each number the first
		 * occurrence wins. */
		want = 0;
		while (want <= MOX_MSG_CTYPE_MAX_SECTION) {
			struct rawp *best = NULL;

			for (i = first; i < nraw; i++) {
				struct rawp *r = &raw[i];

				if (r->section < want ||
				    strcmp(r->base, r0->base) != 0)
					continue;
				if (best == NULL || r->section < best->section)
					best = r;
			}
			if (best == NULL)
				break;
			p = best->val;
			n = best->vallen;
			if (best->ext) {
				if (best->section == 0)
					ext_split(&p, &n, &cs, &cslen);
				pct_decode(&oct, p, n);
			} else {
				mox__buf_add(&oct, p, n);
			}
			want = best->section + 1;
		}
	}
	if (oct.err != MOX_OK) {
		mox__buf_free(&oct);
		return MOX_ENOMEM;
	}
	if (cs != NULL)
		add_charset(b, cs, cslen, (const uint8_t *)oct.p, oct.len);
	else
		add_utf8(b, (const uint8_t *)oct.p, oct.len);
	mox__buf_free(&oct);
	return b->err;
}

static int
ctype_params(mox_msg_ctype *ct, struct mcur *c, bool strict)
{
	mox__arena tmp = MOX__ARENA_INIT;
	struct rawp *raw = NULL;
	size_t nraw = 0, rawcap = 0, i;
	bool sep = true;
	int rc = MOX_OK;
	for (;;) {
		size_t n;
		struct rawp r;

		mskip(c);
		if (c->pos >= c->len)
			break;
		if (c->p[c->pos] == ';') {
			c->pos++;
			sep = true;
			continue;
		}
		if (!sep && strict) {
			rc = MOX_ESYNTAX;
			goto out;
		}
		sep = false;
		n = mtoken_len(c);
		if (n > 0) {
			const uint8_t *name = c->p + c->pos;

			c->pos += n;
			mskip(c);
			if (c->pos < c->len && c->p[c->pos] == '=') {
				c->pos++;
				mskip(c);
				memset(&r, 0, sizeof(r));
				rc = value_parse(&tmp, c, strict, &r);
				if (rc != MOX_OK)
					goto out;
				if (nraw == MOX_MSG_CTYPE_MAX_PARAMS) {
					rc = MOX_ELIMIT;
					goto out;
				}
				if (nraw == rawcap) {
					/* Most values have a few parameters:
					 * grow from 4, not the limit. */
					size_t ncap = rawcap == 0 ? 4 :
					    rawcap * 2;
					struct rawp *nr;

					if (ncap > MOX_MSG_CTYPE_MAX_PARAMS)
						ncap = MOX_MSG_CTYPE_MAX_PARAMS;
					nr = mox__reallocarray(raw, ncap,
					    sizeof(*raw));
					if (nr == NULL) {
						rc = MOX_ENOMEM;
						goto out;
					}
					raw = nr;
					rawcap = ncap;
				}
				rc = name_parse(&tmp, &r, name, n);
				if (rc != MOX_OK)
					goto out;
				raw[nraw++] = r;
				continue;
			}
		}
		/* Junk: a parameter without '=', or a stray special. */
		if (strict) {
			rc = MOX_ESYNTAX;
			goto out;
		}
		while (c->pos < c->len && c->p[c->pos] != ';') {
			if (c->p[c->pos] == '"') {
				struct rawp dummy;

				rc = value_parse(&tmp, c, false, &dummy);
				if (rc != MOX_OK)
					goto out;
			} else if (c->p[c->pos] == '(') {
				mskip(c);
			} else {
				c->pos++;
			}
		}
	}
	if (nraw > 0) {
		ct->params = mox__arena_alloc(&ct->arena,
		    nraw * sizeof(*ct->params));
		if (ct->params == NULL) {
			rc = MOX_ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < nraw; i++) {
		mox__buf b = MOX__BUF_INIT;
		struct mparam *mp;

		if (raw[i].done)
			continue;
		rc = join(&b, raw, nraw, i);
		mp = &ct->params[ct->nparams];
		if (rc == MOX_OK) {
			mp->name = mox__arena_strndup(&ct->arena, raw[i].base,
			    strlen(raw[i].base));
			mp->value = mox__arena_strndup(&ct->arena,
			    b.p != NULL ? b.p : "", b.len);
			if (mp->name == NULL || mp->value == NULL)
				rc = MOX_ENOMEM;
		}
		mox__buf_free(&b);
		if (rc != MOX_OK)
			goto out;
		ct->nparams++;
	}
out:
	mox__free(raw);
	mox__arena_free(&tmp);
	return rc;
}

int
mox_msg_ctype_parse(mox_msg_ctype **out, const uint8_t *p, size_t len,
    unsigned int flags)
{
	mox_msg_ctype *ct;
	struct mcur c;
	size_t n;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	if (len > 0 && memchr(p, '\0', len) != NULL)
		return MOX_ENUL;
	c.p = p;
	c.len = len;
	c.pos = 0;
	ct = mox__calloc(1, sizeof(*ct));
	if (ct == NULL)
		return MOX_ENOMEM;
	rc = MOX_ESYNTAX;
	mskip(&c);
	n = mtoken_len(&c);
	if (n == 0)
		goto fail;
	rc = MOX_ENOMEM;
	if ((ct->type = lower_dup(&ct->arena, p + c.pos, n)) == NULL)
		goto fail;
	c.pos += n;
	if (flags & MOX_MSG_CTYPE_DISPOSITION) {
		ct->subtype = "";
	} else {
		rc = MOX_ESYNTAX;
		mskip(&c);
		if (c.pos >= c.len || p[c.pos] != '/')
			goto fail;
		c.pos++;
		mskip(&c);
		n = mtoken_len(&c);
		if (n == 0)
			goto fail;
		rc = MOX_ENOMEM;
		ct->subtype = lower_dup(&ct->arena, p + c.pos, n);
		if (ct->subtype == NULL)
			goto fail;
		c.pos += n;
	}
	mskip(&c);
	if ((flags & MOX_MSG_CTYPE_STRICT) && c.pos < c.len &&
	    p[c.pos] != ';') {
		rc = MOX_ESYNTAX;
		goto fail;
	}
	rc = ctype_params(ct, &c, (flags & MOX_MSG_CTYPE_STRICT) != 0);
	if (rc != MOX_OK)
		goto fail;
	*out = ct;
	return MOX_OK;
fail:
	mox_msg_ctype_free(ct);
	return rc;
}

void
mox_msg_ctype_free(mox_msg_ctype *ct)
{
	if (ct == NULL)
		return;
	mox__arena_free(&ct->arena);
	mox__free(ct);
}

const char *
mox_msg_ctype_type(const mox_msg_ctype *ct)
{
	return ct != NULL ? ct->type : "";
}

const char *
mox_msg_ctype_subtype(const mox_msg_ctype *ct)
{
	return ct != NULL ? ct->subtype : "";
}

size_t
mox_msg_ctype_param_count(const mox_msg_ctype *ct)
{
	return ct != NULL ? ct->nparams : 0;
}

int
mox_msg_ctype_param(const mox_msg_ctype *ct, size_t i, const char **name,
    const char **value)
{
	if (name != NULL)
		*name = NULL;
	if (value != NULL)
		*value = NULL;
	if (ct == NULL)
		return MOX_EINVAL;
	if (i >= ct->nparams)
		return MOX_ENOTFOUND;
	if (name != NULL)
		*name = ct->params[i].name;
	if (value != NULL)
		*value = ct->params[i].value;
	return MOX_OK;
}

const char *
mox_msg_ctype_get(const mox_msg_ctype *ct, const char *name)
{
	size_t i;

	if (ct == NULL || name == NULL)
		return NULL;
	for (i = 0; i < ct->nparams; i++) {
		if (mox__strcasecmp(ct->params[i].name, name) == 0)
			return ct->params[i].value;
	}
	return NULL;
}

int
mox_msg_cte_parse(const uint8_t *p, size_t len)
{
	static const struct {
		const char *name;
		int cte;
	} tab[] = {
		{ "7bit", MOX_MSG_CTE_7BIT },
		{ "8bit", MOX_MSG_CTE_8BIT },
		{ "binary", MOX_MSG_CTE_BINARY },
		{ "quoted-printable", MOX_MSG_CTE_QUOTED_PRINTABLE },
		{ "base64", MOX_MSG_CTE_BASE64 },
	};
	struct mcur c;
	size_t n, i, s;

	if (p == NULL && len > 0)
		return MOX_EINVAL;
	c.p = p;
	c.len = len;
	c.pos = 0;
	mskip(&c);
	if (c.pos >= c.len)
		return MOX_MSG_CTE_7BIT;
	s = c.pos;
	n = mtoken_len(&c);
	c.pos += n;
	mskip(&c);
	if (n == 0 || c.pos < c.len)
		return MOX_MSG_CTE_OTHER;
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (mox__memcaseeq(p + s, n, tab[i].name))
			return tab[i].cte;
	}
	return MOX_MSG_CTE_OTHER;
}
