/* SPDX-License-Identifier: MIT */
/*
 * record.c -- SPF records: parsing (RFC 7208 4.5, 4.6, 5, 6, 12) and
 * canonical formatting. See <mox/spf.h> for the contract.
 *
 * A record is copied once into an arena; the terms point into that copy,
 * whose separating spaces become NULs, so every term text and most
 * domain-specs are NUL-terminated in place. Domain-specs are compiled to
 * macro items here, so the evaluator never parses text again.
 */
#include <string.h>

#include "spf-int.h"

bool
spf__is_spf_record(const char *text, size_t len)
{
	/* RFC 7208 4.5: "v=spf1", then SP or the end. */
	if (len < 6 || !mox__memcaseeq(text, 6, "v=spf1"))
		return false;
	return len == 6 || text[6] == ' ';
}

/* Terms whose place the first pass over a record notes (more are found
 * again in the second). */
#define SPF_TERMS_LOCAL 32

/* --- CIDR lengths (RFC 7208 5.6, 12) --- */

/*
 * A cidr length in s[0..n) without its slash: "0" or a non-zero digit and
 * up to maxdig - 1 more digits. Returns the value, or -1 when the syntax
 * does not match.
 */
static int
cidr_value(const char *s, size_t n, size_t maxdig)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > maxdig || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!mox__isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * Split a dual-cidr-length ( [ "/" ip4 ] [ "//" ip6 ] ) off the end of
 * s[0..*n): *n becomes the length before it. A suffix that does not have
 * cidr syntax is left in place (it then fails as part of the domain-spec).
 * Returns MOX_OK or MOX_ESYNTAX (syntax matched, value out of range).
 */
static int
split_dual_cidr(const char *s, size_t *n, unsigned int *c4, unsigned int *c6,
    const char **err)
{
	size_t end = *n, d0;
	int v;

	d0 = end;
	while (d0 > 0 && mox__isdigit((unsigned char)s[d0 - 1]))
		d0--;
	if (d0 >= 2 && d0 < end && s[d0 - 1] == '/' && s[d0 - 2] == '/') {
		v = cidr_value(s + d0, end - d0, 3);
		if (v >= 0) {
			if (v > 128) {
				*err = "IPv6 CIDR length above 128";
				return MOX_ESYNTAX;
			}
			*c6 = (unsigned int)v;
			end = d0 - 2;
			d0 = end;
			while (d0 > 0 && mox__isdigit((unsigned char)s[d0 - 1]))
				d0--;
		}
	}
	if (d0 >= 1 && d0 < end && s[d0 - 1] == '/' &&
	    (d0 < 2 || s[d0 - 2] != '/')) {
		v = cidr_value(s + d0, end - d0, 2);
		if (v >= 0) {
			if (v > 32) {
				*err = "IPv4 CIDR length above 32";
				return MOX_ESYNTAX;
			}
			*c4 = (unsigned int)v;
			end = d0 - 1;
		}
	}
	*n = end;
	return MOX_OK;
}

/* --- terms --- */

struct mech_name {
	const char *name;
	int kind;
};

static const struct mech_name mechs[] = {
	{ "all", MOX_SPF_ALL },
	{ "include", MOX_SPF_INCLUDE },
	{ "a", MOX_SPF_A },
	{ "mx", MOX_SPF_MX },
	{ "ptr", MOX_SPF_PTR },
	{ "ip4", MOX_SPF_IP4 },
	{ "ip6", MOX_SPF_IP6 },
	{ "exists", MOX_SPF_EXISTS },
};

/* Whether s[0..n) equals the lowercase word w, ASCII case ignored. */
static bool
word_eq(const char *s, const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (mox__lower((unsigned char)s[i]) != w[i])
			return false;
	}
	return true;
}

/* The mechanism named s[0..n) (RFC 7208 4.6.1: case-insensitive). */
static int
mech_kind(const char *s, size_t n)
{
	switch (n) {
	case 1:
		return word_eq(s, "a", 1) ? MOX_SPF_A : 0;
	case 2:
		return word_eq(s, "mx", 2) ? MOX_SPF_MX : 0;
	case 3:
		if (word_eq(s, "all", 3))
			return MOX_SPF_ALL;
		if (word_eq(s, "ptr", 3))
			return MOX_SPF_PTR;
		if (word_eq(s, "ip4", 3))
			return MOX_SPF_IP4;
		return word_eq(s, "ip6", 3) ? MOX_SPF_IP6 : 0;
	case 6:
		return word_eq(s, "exists", 6) ? MOX_SPF_EXISTS : 0;
	case 7:
		return word_eq(s, "include", 7) ? MOX_SPF_INCLUDE : 0;
	default:
		return 0;
	}
}

static bool
name_char(int c)
{
	/* RFC 7208 12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	return mox__isalpha(c) || mox__isdigit(c) || c == '-' || c == '_' ||
	    c == '.';
}

/* Compile the domain-spec s[0..n) of t; s must be NUL-terminated at n or
 * is copied. */
static int
term_spec(mox__arena *a, struct spf_term *t, char *s, size_t n, bool inplace,
    int mode, const char **err)
{
	size_t eo;
	int rc;

	if (!inplace) {
		s = mox__arena_strndup(a, s, n);
		if (s == NULL)
			return MOX_ENOMEM;
	}
	t->pub.domain_spec = s;
	rc = spf__macro_compile(a, &t->spec, s, n, mode, err, &eo);
	return rc;
}

static int
parse_ip(struct spf_term *t, const char *s, size_t n, int family,
    const char **err)
{
	size_t alen = 0;
	int v;

	while (alen < n && s[alen] != '/')
		alen++;
	if (mox_ip_parse(&t->pub.ip, s, alen) != MOX_OK ||
	    t->pub.ip.family != family) {
		*err = family == 4 ? "bad IPv4 network" : "bad IPv6 network";
		return MOX_ESYNTAX;
	}
	if (alen == n)
		return MOX_OK;
	v = cidr_value(s + alen + 1, n - alen - 1, family == 4 ? 2 : 3);
	if (v < 0 || v > (family == 4 ? 32 : 128)) {
		*err = "bad CIDR length";
		return MOX_ESYNTAX;
	}
	if (family == 4)
		t->pub.cidr4 = (unsigned int)v;
	else
		t->pub.cidr6 = (unsigned int)v;
	return MOX_OK;
}

static int
parse_mechanism(mox__arena *a, struct spf_term *t, char *s, size_t n,
    const char **err)
{
	size_t i = 0, j;
	int kind, rc;

	t->pub.qualifier = MOX_SPF_Q_PASS;
	if (n > 0 && (s[0] == '+' || s[0] == '-' || s[0] == '~' ||
	    s[0] == '?')) {
		t->pub.qualifier = s[0];
		t->pub.explicit_qualifier = true;
		i = 1;
	}
	for (j = i; j < n && (mox__isalpha((unsigned char)s[j]) ||
	    mox__isdigit((unsigned char)s[j])); j++)
		;
	kind = mech_kind(s + i, j - i);
	if (kind == 0) {
		*err = "unknown mechanism";
		return MOX_ESYNTAX;
	}
	t->pub.kind = kind;
	s += j;
	n -= j;
	switch (kind) {
	case MOX_SPF_ALL:
		if (n != 0) {
			*err = "\"all\" takes no argument";
			return MOX_ESYNTAX;
		}
		return MOX_OK;
	case MOX_SPF_INCLUDE:
	case MOX_SPF_EXISTS:
		if (n < 2 || s[0] != ':') {
			*err = "missing domain-spec";
			return MOX_ESYNTAX;
		}
		return term_spec(a, t, s + 1, n - 1, true, SPF_MACRO_DOMAIN,
		    err);
	case MOX_SPF_PTR:
		if (n == 0)
			return MOX_OK;
		if (n < 2 || s[0] != ':') {
			*err = n >= 1 && s[0] == ':' ? "missing domain-spec" :
			    "bad argument of \"ptr\"";
			return MOX_ESYNTAX;
		}
		return term_spec(a, t, s + 1, n - 1, true, SPF_MACRO_DOMAIN,
		    err);
	case MOX_SPF_A:
	case MOX_SPF_MX: {
		size_t m = n;

		if (n == 0)
			return MOX_OK;
		if (s[0] != ':' && s[0] != '/') {
			*err = "bad argument";
			return MOX_ESYNTAX;
		}
		rc = split_dual_cidr(s, &m, &t->pub.cidr4, &t->pub.cidr6, err);
		if (rc != MOX_OK)
			return rc;
		if (s[0] == '/') {
			if (m != 0) {
				*err = "bad CIDR length";
				return MOX_ESYNTAX;
			}
			return MOX_OK;
		}
		if (m < 2) {
			*err = "missing domain-spec";
			return MOX_ESYNTAX;
		}
		return term_spec(a, t, s + 1, m - 1, m == n, SPF_MACRO_DOMAIN,
		    err);
	}
	case MOX_SPF_IP4:
	case MOX_SPF_IP6:
		if (n < 2 || s[0] != ':') {
			*err = kind == MOX_SPF_IP4 ? "missing IPv4 network" :
			    "missing IPv6 network";
			return MOX_ESYNTAX;
		}
		return parse_ip(t, s + 1, n - 1, kind == MOX_SPF_IP4 ? 4 : 6,
		    err);
	default:
		break;
	}
	*err = "unknown mechanism";
	return MOX_ESYNTAX;
}

static int
parse_term(mox__arena *a, struct mox_spf_record *r, struct spf_term *t,
    char *s, size_t n, const char **err)
{
	size_t j;
	int rc;

	t->text = s;
	t->text_len = n;
	t->pub.cidr4 = 32;
	t->pub.cidr6 = 128;
	if (n == 0 || !mox__isalpha((unsigned char)s[0]))
		return parse_mechanism(a, t, s, n, err);
	for (j = 1; j < n && name_char((unsigned char)s[j]); j++)
		;
	if (j >= n || s[j] != '=')
		return parse_mechanism(a, t, s, n, err);

	/* RFC 7208 6: modifier = redirect / explanation / unknown-modifier;
	 * the known names are not "greedy" unknown modifiers. */
	if ((j == 8 && word_eq(s, "redirect", 8)) ||
	    (j == 3 && word_eq(s, "exp", 3))) {
		bool redirect = j == 8;

		if (redirect ? r->redirect != NULL : r->exp != NULL) {
			*err = redirect ? "redirect= appears twice" :
			    "exp= appears twice";
			return MOX_ESYNTAX;
		}
		t->pub.kind = redirect ? MOX_SPF_REDIRECT : MOX_SPF_EXP;
		if (redirect)
			r->redirect = t;
		else
			r->exp = t;
		if (j + 1 == n) {
			*err = "empty domain-spec";
			return MOX_ESYNTAX;
		}
		return term_spec(a, t, s + j + 1, n - j - 1, true,
		    SPF_MACRO_DOMAIN, err);
	}
	t->pub.kind = MOX_SPF_UNKNOWN_MODIFIER;
	t->pub.name = mox__arena_strndup(a, s, j);
	if (t->pub.name == NULL)
		return MOX_ENOMEM;
	rc = term_spec(a, t, s + j + 1, n - j - 1, true, SPF_MACRO_STRING,
	    err);
	return rc;
}

int
spf__record_parse(mox__arena *a, struct mox_spf_record **out,
    const uint8_t *p, size_t len, size_t *err_offset, const char **err)
{
	struct mox_spf_record *r;
	const char *e = NULL;
	char *text;
	size_t i, nterms = 0, ti = 0;
	size_t starts[SPF_TERMS_LOCAL], ends[SPF_TERMS_LOCAL];
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	if (len > SPF_RECORD_MAX)
		return MOX_ETOOLONG;
	if (!spf__is_spf_record((const char *)p, len))
		return MOX_ENOTFOUND;
	if (memchr(p, '\0', len) != NULL) {
		if (err_offset != NULL)
			*err_offset = (size_t)((const uint8_t *)memchr(p, '\0',
			    len) - p);
		if (err != NULL)
			*err = "NUL byte in record";
		return MOX_ENUL;
	}
	r = mox__arena_alloc(a, sizeof(*r));
	text = mox__arena_strndup(a, (const char *)p, len);
	if (r == NULL || text == NULL)
		return MOX_ENOMEM;
	/* RFC 7208 12: record = version terms *SP; terms = *( 1*SP ( directive
	 * / modifier ) ). Only SP separates: a tab or CR is part of a term
	 * and fails its syntax. Each term gets its NUL in place of the
	 * separator that follows it. The terms of a record of usual size are
	 * noted on the way, so the second pass does not scan again. */
	for (i = 6; i < len;) {
		const char *sp;
		size_t end;

		if (text[i] == ' ') {
			text[i++] = '\0';
			continue;
		}
		sp = memchr(text + i, ' ', len - i);
		end = sp != NULL ? (size_t)(sp - text) : len;
		if (nterms < SPF_TERMS_LOCAL) {
			starts[nterms] = i;
			ends[nterms] = end;
		}
		nterms++;
		if (sp != NULL)
			text[end] = '\0';
		i = end + 1;
	}
	memset(r, 0, sizeof(*r));
	if (nterms > 0) {
		r->terms = mox__arena_alloc(a, nterms * sizeof(*r->terms));
		if (r->terms == NULL)
			return MOX_ENOMEM;
		memset(r->terms, 0, nterms * sizeof(*r->terms));
	}
	for (i = 6, ti = 0; ti < nterms; ti++) {
		size_t start, end;

		if (ti < SPF_TERMS_LOCAL) {
			start = starts[ti];
			end = ends[ti];
		} else {
			while (text[i] == '\0')
				i++;
			start = i;
			end = start + strlen(text + start);
		}
		i = end;
		r->terms[ti].pub.offset = start;
		rc = parse_term(a, r, &r->terms[ti], text + start, end - start,
		    &e);
		if (rc != MOX_OK) {
			if (rc == MOX_ESYNTAX) {
				if (err_offset != NULL)
					*err_offset = start;
				if (err != NULL)
					*err = e;
			}
			return rc;
		}
	}
	r->nterms = ti;
	*out = r;
	return MOX_OK;
}

/* --- public --- */

int
mox_spf_record_parse(mox_spf_record **out, const uint8_t *p, size_t len,
    size_t *err_offset, const char **err)
{
	mox__arena a = MOX__ARENA_INIT;
	mox_spf_record *r;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	rc = spf__record_parse(&a, &r, p, len, err_offset, err);
	if (rc != MOX_OK) {
		mox__arena_free(&a);
		return rc;
	}
	r->arena = a;
	*out = r;
	return MOX_OK;
}

void
mox_spf_record_free(mox_spf_record *r)
{
	mox__arena a;

	if (r == NULL)
		return;
	a = r->arena;
	mox__arena_free(&a);
}

size_t
mox_spf_record_count(const mox_spf_record *r)
{
	return r == NULL ? 0 : r->nterms;
}

const mox_spf_term *
mox_spf_record_term(const mox_spf_record *r, size_t i)
{
	if (r == NULL || i >= r->nterms)
		return NULL;
	return &r->terms[i].pub;
}

static const char *
kind_name(int kind)
{
	size_t k;

	for (k = 0; k < sizeof(mechs) / sizeof(mechs[0]); k++) {
		if (mechs[k].kind == kind)
			return mechs[k].name;
	}
	return NULL;
}

static void
term_format(mox__sbuf *sb, const mox_spf_term *t)
{
	char ip[MOX_IP_STRLEN];
	const char *name;

	switch (t->kind) {
	case MOX_SPF_REDIRECT:
	case MOX_SPF_EXP:
		mox__sbuf_adds(sb, t->kind == MOX_SPF_REDIRECT ? "redirect=" :
		    "exp=");
		mox__sbuf_adds(sb, t->domain_spec != NULL ? t->domain_spec :
		    "");
		return;
	case MOX_SPF_UNKNOWN_MODIFIER:
		mox__sbuf_adds(sb, t->name != NULL ? t->name : "");
		mox__sbuf_addc(sb, '=');
		mox__sbuf_adds(sb, t->domain_spec != NULL ? t->domain_spec :
		    "");
		return;
	default:
		break;
	}
	name = kind_name(t->kind);
	if (name == NULL)
		return;
	if (t->explicit_qualifier && t->qualifier != 0)
		mox__sbuf_addc(sb, (char)t->qualifier);
	mox__sbuf_adds(sb, name);
	switch (t->kind) {
	case MOX_SPF_IP4:
	case MOX_SPF_IP6:
		mox_ip_format(ip, sizeof(ip), &t->ip);
		mox__sbuf_addc(sb, ':');
		mox__sbuf_adds(sb, ip);
		if (t->kind == MOX_SPF_IP4 && t->cidr4 != 32)
			mox__sbuf_addf(sb, "/%u", t->cidr4);
		if (t->kind == MOX_SPF_IP6 && t->cidr6 != 128)
			mox__sbuf_addf(sb, "/%u", t->cidr6);
		return;
	case MOX_SPF_A:
	case MOX_SPF_MX:
		if (t->domain_spec != NULL) {
			mox__sbuf_addc(sb, ':');
			mox__sbuf_adds(sb, t->domain_spec);
		}
		if (t->cidr4 != 32)
			mox__sbuf_addf(sb, "/%u", t->cidr4);
		if (t->cidr6 != 128)
			mox__sbuf_addf(sb, "//%u", t->cidr6);
		return;
	default:
		if (t->domain_spec != NULL) {
			mox__sbuf_addc(sb, ':');
			mox__sbuf_adds(sb, t->domain_spec);
		}
		return;
	}
}

size_t
mox_spf_term_format(char *buf, size_t cap, const mox_spf_term *t)
{
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, buf == NULL ? 0 : cap);
	if (t != NULL)
		term_format(&sb, t);
	return sb.len;
}

size_t
mox_spf_record_format(char *buf, size_t cap, const mox_spf_record *r)
{
	mox__sbuf sb;
	size_t i;

	mox__sbuf_init(&sb, buf, buf == NULL ? 0 : cap);
	if (r == NULL)
		return 0;
	mox__sbuf_adds(&sb, "v=spf1");
	for (i = 0; i < r->nterms; i++) {
		mox__sbuf_addc(&sb, ' ');
		term_format(&sb, &r->terms[i].pub);
	}
	return sb.len;
}
