/* SPDX-License-Identifier: MIT */
/*
 * sig.c -- the DKIM-Signature header field (RFC 6376 3.5): parser and
 * formatter.
 */
#include <string.h>

#include <mox/addr.h>

#include "dkim-int.h"

#define TAG_V (1u << 0)
#define TAG_A (1u << 1)
#define TAG_B (1u << 2)
#define TAG_BH (1u << 3)
#define TAG_D (1u << 4)
#define TAG_H (1u << 5)
#define TAG_S (1u << 6)
#define TAG_REQUIRED (TAG_V | TAG_A | TAG_B | TAG_BH | TAG_D | TAG_H | TAG_S)

static const struct {
	const char *name;
	int alg;
} algs[] = {
	{ "rsa-sha256", MOX_DKIM_RSA_SHA256 },
	{ "ed25519-sha256", MOX_DKIM_ED25519_SHA256 },
	{ "rsa-sha1", MOX_DKIM_RSA_SHA1 },
};

/* ftext of RFC 5322 3.6.8: printable US-ASCII except colon. */
static bool
ftext(int c)
{
	return c >= 33 && c <= 126 && c != ':';
}

static bool
digits(const struct dkim_tag *t, size_t maxdigits, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (t->vlen == 0 || t->vlen > maxdigits)
		return false;
	for (i = 0; i < t->vlen; i++) {
		unsigned int d;

		if (!mox__isdigit(t->val[i]))
			return false;
		d = (unsigned int)(t->val[i] - '0');
		/* l= may have 76 digits: saturate. */
		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + d;
	}
	*out = v;
	return true;
}

static int
parse_canon(const struct dkim_tag *t, int *hc, int *bc)
{
	const uint8_t *p = t->val, *slash;
	size_t n = t->vlen, hn;

	slash = memchr(p, '/', n);
	hn = slash != NULL ? (size_t)(slash - p) : n;
	if (mox__memcaseeq(p, hn, "simple"))
		*hc = MOX_DKIM_SIMPLE;
	else if (mox__memcaseeq(p, hn, "relaxed"))
		*hc = MOX_DKIM_RELAXED;
	else
		return MOX_ESYNTAX;
	*bc = MOX_DKIM_SIMPLE;
	if (slash == NULL)
		return MOX_OK;
	p = slash + 1;
	n -= hn + 1;
	if (mox__memcaseeq(p, n, "simple"))
		*bc = MOX_DKIM_SIMPLE;
	else if (mox__memcaseeq(p, n, "relaxed"))
		*bc = MOX_DKIM_RELAXED;
	else
		return MOX_ESYNTAX;
	return MOX_OK;
}

/* Split a colon-separated list with FWS around the items. */
static int
split_list(mox__arena *a, const uint8_t *p, size_t n, size_t max,
    const char ***out, size_t *cnt)
{
	size_t i, k = 1, start, idx = 0;
	const char **arr;

	for (i = 0; i < n; i++) {
		if (p[i] == ':')
			k++;
	}
	if (k > max)
		return MOX_ELIMIT;
	arr = mox__arena_alloc(a, k * sizeof(*arr));
	if (arr == NULL)
		return MOX_ENOMEM;
	start = 0;
	for (i = 0; i <= n; i++) {
		size_t s, e;

		if (i < n && p[i] != ':')
			continue;
		s = start;
		e = i;
		while (s < e && dkim_is_fws(p[s]))
			s++;
		while (e > s && dkim_is_fws(p[e - 1]))
			e--;
		arr[idx] = mox__arena_strndup(a, (const char *)p + s, e - s);
		if (arr[idx] == NULL)
			return MOX_ENOMEM;
		idx++;
		start = i + 1;
	}
	*out = arr;
	*cnt = k;
	return MOX_OK;
}

static int
parse_domain(mox__arena *a, const uint8_t *p, size_t n, unsigned int flags,
    const char **out)
{
	mox_domain d;

	if (mox_domain_parse(&d, (const char *)p, n, flags) != MOX_OK)
		return MOX_ESYNTAX;
	*out = mox__arena_strndup(a, d.ascii, strlen(d.ascii));
	return *out == NULL ? MOX_ENOMEM : MOX_OK;
}

/* Whether name is dom or a subdomain of it (both lowercase A-labels). */
static bool
within(const char *name, const char *dom)
{
	size_t nl = strlen(name), dl = strlen(dom);

	if (nl == dl)
		return strcmp(name, dom) == 0;
	return nl > dl && name[nl - dl - 1] == '.' &&
	    strcmp(name + nl - dl, dom) == 0;
}

#define FAIL(msg)                                                           \
	do {                                                                \
		*err = (msg);                                               \
		rc = MOX_ESYNTAX;                                           \
		goto fail;                                                  \
	} while (0)

#define CHECK(expr)                                                         \
	do {                                                                \
		rc = (expr);                                                \
		if (rc == MOX_ENOMEM)                                       \
			goto fail;                                          \
	} while (0)

int
dkim_sig_parse(const uint8_t *p, size_t len, unsigned int flags,
    struct dkim_sig **out, const char **err)
{
	struct dkim_tag tags[DKIM_MAX_TAGS];
	struct dkim_sig *s;
	mox_dkim_signature *pub;
	const struct dkim_tag *ti = NULL;
	unsigned int seen = 0;
	size_t ntags, i;
	const char *dummy;
	int rc;

	*out = NULL;
	if (err == NULL)
		err = &dummy;
	*err = NULL;
	rc = dkim_taglist_parse(p, len, tags, DKIM_MAX_TAGS, &ntags, err);
	if (rc != MOX_OK)
		return rc;
	s = mox__calloc(1, sizeof(*s));
	if (s == NULL)
		return MOX_ENOMEM;
	pub = &s->pub;
	pub->header_canon = MOX_DKIM_SIMPLE;
	pub->body_canon = MOX_DKIM_SIMPLE;

	/* v= first: another version means other rules for everything. */
	for (i = 0; i < ntags; i++) {
		if (dkim_tag_is(&tags[i], "v")) {
			seen |= TAG_V;
			if (tags[i].vlen != 1 || tags[i].val[0] != '1') {
				*err = "unsupported version";
				rc = MOX_EUNSUPPORTED;
				goto fail;
			}
			pub->version = 1;
		}
	}
	if (!(seen & TAG_V))
		FAIL("missing v= tag");

	for (i = 0; i < ntags; i++) {
		const struct dkim_tag *t = &tags[i];
		uint64_t u;

		if (dkim_tag_is(t, "a")) {
			char *name;
			size_t k;

			seen |= TAG_A;
			if (t->vlen == 0)
				FAIL("empty a= tag");
			name = mox__arena_strndup(&s->arena,
			    (const char *)t->val, t->vlen);
			if (name == NULL)
				goto nomem;
			for (k = 0; name[k] != '\0'; k++)
				name[k] = (char)mox__lower((unsigned char)name[k]);
			pub->algorithm_name = name;
			pub->algorithm = MOX_DKIM_ALG_UNKNOWN;
			for (k = 0; k < sizeof(algs) / sizeof(algs[0]); k++) {
				if (strcmp(name, algs[k].name) == 0)
					pub->algorithm = algs[k].alg;
			}
		} else if (dkim_tag_is(t, "b")) {
			uint8_t *b;
			char *text;

			seen |= TAG_B;
			CHECK(dkim_b64_decode(&s->arena, t->val, t->vlen, &b,
			    &pub->b_len, &text));
			if (rc != MOX_OK)
				FAIL("invalid base64 in b= tag");
			if (pub->b_len == 0 && !(flags & DKIM_SIG_EMPTY_B))
				FAIL("empty b= tag");
			pub->b = b;
			pub->b_text = text;
			s->b_off = t->raw_off;
			s->b_end = t->raw_end;
		} else if (dkim_tag_is(t, "bh")) {
			uint8_t *bh;

			seen |= TAG_BH;
			CHECK(dkim_b64_decode(&s->arena, t->val, t->vlen, &bh,
			    &pub->bh_len, NULL));
			if (rc != MOX_OK)
				FAIL("invalid base64 in bh= tag");
			if (pub->bh_len == 0)
				FAIL("empty bh= tag");
			pub->bh = bh;
		} else if (dkim_tag_is(t, "c")) {
			if (parse_canon(t, &pub->header_canon,
			    &pub->body_canon) != MOX_OK)
				FAIL("unknown canonicalization in c= tag");
		} else if (dkim_tag_is(t, "d")) {
			seen |= TAG_D;
			CHECK(parse_domain(&s->arena, t->val, t->vlen, 0,
			    &pub->domain));
			if (rc != MOX_OK)
				FAIL("invalid domain in d= tag");
		} else if (dkim_tag_is(t, "h")) {
			const char **names;
			size_t k, j;

			seen |= TAG_H;
			CHECK(split_list(&s->arena, t->val, t->vlen,
			    DKIM_MAX_HNAMES, &names, &pub->nheaders));
			if (rc == MOX_ELIMIT)
				FAIL("too many header names in h= tag");
			for (k = 0; k < pub->nheaders; k++) {
				if (names[k][0] == '\0')
					FAIL("empty header name in h= tag");
				for (j = 0; names[k][j] != '\0'; j++) {
					if (!ftext((unsigned char)names[k][j]))
						FAIL("invalid header name in "
						     "h= tag");
				}
			}
			pub->headers = names;
		} else if (dkim_tag_is(t, "i")) {
			ti = t;
		} else if (dkim_tag_is(t, "l")) {
			if (!digits(t, 76, &u))
				FAIL("invalid l= tag");
			pub->has_length = true;
			pub->length = u;
		} else if (dkim_tag_is(t, "q")) {
			const char **m;
			size_t nm, k;
			bool ok = false;

			CHECK(split_list(&s->arena, t->val, t->vlen, 64, &m,
			    &nm));
			if (rc != MOX_OK)
				FAIL("invalid q= tag");
			for (k = 0; k < nm; k++) {
				if (mox__strcasecmp(m[k], "dns/txt") == 0)
					ok = true;
			}
			if (!ok)
				FAIL("no supported query method in q= tag");
			pub->query_methods = mox__arena_strndup(&s->arena,
			    (const char *)t->val, t->vlen);
			if (pub->query_methods == NULL)
				goto nomem;
		} else if (dkim_tag_is(t, "s")) {
			seen |= TAG_S;
			CHECK(parse_domain(&s->arena, t->val, t->vlen,
			    MOX_DOMAIN_ALLOW_UNDERSCORE, &pub->selector));
			if (rc != MOX_OK)
				FAIL("invalid selector in s= tag");
		} else if (dkim_tag_is(t, "t")) {
			if (!digits(t, 12, &u))
				FAIL("invalid t= tag");
			pub->has_timestamp = true;
			pub->timestamp = (int64_t)u;
		} else if (dkim_tag_is(t, "x")) {
			if (!digits(t, 12, &u))
				FAIL("invalid x= tag");
			pub->has_expiration = true;
			pub->expiration = (int64_t)u;
		} else if (dkim_tag_is(t, "z")) {
			mox__buf zb = MOX__BUF_INIT;
			const uint8_t *zp = t->val, *bar;
			size_t zn = t->vlen;

			for (;;) {
				char *dec;
				size_t dn;

				bar = memchr(zp, '|', zn);
				rc = dkim_qp_decode(&s->arena, zp,
				    bar != NULL ? (size_t)(bar - zp) : zn, &dec,
				    &dn);
				if (rc != MOX_OK)
					break;
				mox__buf_add(&zb, dec, dn);
				if (bar == NULL)
					break;
				mox__buf_addc(&zb, '|');
				zn -= (size_t)(bar - zp) + 1;
				zp = bar + 1;
			}
			if (rc == MOX_OK && zb.err != 0)
				rc = MOX_ENOMEM;
			if (rc == MOX_OK) {
				pub->copied_headers = mox__arena_strndup(
				    &s->arena, zb.p != NULL ? zb.p : "", zb.len);
				if (pub->copied_headers == NULL)
					rc = MOX_ENOMEM;
			}
			mox__buf_free(&zb);
			if (rc == MOX_ENOMEM)
				goto fail;
			if (rc != MOX_OK)
				FAIL("invalid z= tag");
		}
	}
	if ((seen & TAG_REQUIRED) != TAG_REQUIRED) {
		if (!(seen & TAG_A))
			FAIL("missing a= tag");
		if (!(seen & TAG_B))
			FAIL("missing b= tag");
		if (!(seen & TAG_BH))
			FAIL("missing bh= tag");
		if (!(seen & TAG_D))
			FAIL("missing d= tag");
		if (!(seen & TAG_H))
			FAIL("missing h= tag");
		FAIL("missing s= tag");
	}
	for (i = 0; i < pub->nheaders; i++) {
		if (mox__strcasecmp(pub->headers[i], "from") == 0)
			break;
	}
	if (i == pub->nheaders)
		FAIL("From not signed (h= tag)");
	s->idomain = pub->domain;
	if (ti != NULL) {
		char *id;
		const char *at, *idom;
		size_t idlen;

		CHECK(dkim_qp_decode(&s->arena, ti->val, ti->vlen, &id,
		    &idlen));
		if (rc != MOX_OK || memchr(id, '\0', idlen) != NULL)
			FAIL("invalid i= tag");
		at = strrchr(id, '@');
		if (at == NULL)
			FAIL("i= tag without @");
		CHECK(parse_domain(&s->arena, (const uint8_t *)at + 1,
		    strlen(at + 1), 0, &idom));
		if (rc != MOX_OK)
			FAIL("invalid domain in i= tag");
		if (!within(idom, pub->domain))
			FAIL("i= domain not within d= domain");
		pub->identity = id;
		s->idomain = idom;
	}
	if (pub->has_timestamp && pub->has_expiration &&
	    pub->expiration <= pub->timestamp)
		FAIL("x= not after t=");
	*out = s;
	return MOX_OK;

nomem:
	rc = MOX_ENOMEM;
fail:
	if (rc == MOX_ENOMEM)
		*err = "out of memory";
	dkim_sig_free(s);
	return rc;
}

void
dkim_sig_free(struct dkim_sig *s)
{
	if (s == NULL)
		return;
	mox__arena_free(&s->arena);
	mox__free(s);
}

int
mox_dkim_signature_parse(mox_dkim_signature **out, const uint8_t *p,
    size_t len, const char **err)
{
	struct dkim_sig *s;
	int rc;

	if (err != NULL)
		*err = NULL;
	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (p == NULL && len > 0)
		return MOX_EINVAL;
	rc = dkim_sig_parse(p != NULL ? p : (const uint8_t *)"", len, 0, &s,
	    err);
	if (rc != MOX_OK)
		return rc;
	*out = &s->pub;
	return MOX_OK;
}

void
mox_dkim_signature_free(mox_dkim_signature *s)
{
	/* pub is the first member of struct dkim_sig. */
	dkim_sig_free((struct dkim_sig *)(void *)s);
}

/* --- formatting --- */

static void
add_b64(mox__sbuf *sb, const uint8_t *p, size_t n)
{
	char tmp[4 * 64 + 1];

	while (n > 0) {
		size_t k = n > 3 * 64 ? 3 * 64 : n;

		dkim_b64_encode(tmp, p, k);
		mox__sbuf_adds(sb, tmp);
		p += k;
		n -= k;
	}
}

static void
add_qp(mox__sbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if ((c >= 0x21 && c <= 0x3a) || c == 0x3c ||
		    (c >= 0x3e && c <= 0x7e && c != '|')) {
			mox__sbuf_addc(sb, (char)c);
		} else {
			mox__sbuf_addc(sb, '=');
			mox__sbuf_addc(sb, hex[c >> 4]);
			mox__sbuf_addc(sb, hex[c & 15]);
		}
	}
}

size_t
mox_dkim_signature_format(char *buf, size_t cap, const mox_dkim_signature *s)
{
	mox__sbuf sb;
	size_t i;

	mox__sbuf_init(&sb, buf, cap);
	if (s == NULL)
		return 0;
	mox__sbuf_adds(&sb, "v=1; a=");
	mox__sbuf_adds(&sb, s->algorithm_name != NULL ? s->algorithm_name :
	    mox_dkim_algorithm_name(s->algorithm));
	mox__sbuf_addf(&sb, "; c=%s/%s; d=%s; s=%s",
	    s->header_canon == MOX_DKIM_RELAXED ? "relaxed" : "simple",
	    s->body_canon == MOX_DKIM_RELAXED ? "relaxed" : "simple",
	    s->domain != NULL ? s->domain : "",
	    s->selector != NULL ? s->selector : "");
	if (s->identity != NULL) {
		mox__sbuf_adds(&sb, "; i=");
		add_qp(&sb, s->identity, strlen(s->identity));
	}
	if (s->query_methods != NULL)
		mox__sbuf_addf(&sb, "; q=%s", s->query_methods);
	if (s->has_timestamp)
		mox__sbuf_addf(&sb, "; t=%lld", (long long)s->timestamp);
	if (s->has_expiration)
		mox__sbuf_addf(&sb, "; x=%lld", (long long)s->expiration);
	if (s->has_length)
		mox__sbuf_addf(&sb, "; l=%llu", (unsigned long long)s->length);
	mox__sbuf_adds(&sb, "; h=");
	for (i = 0; i < s->nheaders; i++) {
		if (i > 0)
			mox__sbuf_addc(&sb, ':');
		mox__sbuf_adds(&sb, s->headers[i]);
	}
	if (s->copied_headers != NULL) {
		const char *z = s->copied_headers, *bar;

		mox__sbuf_adds(&sb, "; z=");
		for (;;) {
			bar = strchr(z, '|');
			add_qp(&sb, z, bar != NULL ? (size_t)(bar - z) :
			    strlen(z));
			if (bar == NULL)
				break;
			mox__sbuf_addc(&sb, '|');
			z = bar + 1;
		}
	}
	mox__sbuf_adds(&sb, "; bh=");
	add_b64(&sb, s->bh, s->bh_len);
	mox__sbuf_adds(&sb, "; b=");
	add_b64(&sb, s->b, s->b_len);
	return sb.len;
}
