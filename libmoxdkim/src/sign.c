/* SPDX-License-Identifier: MIT */
/*
 * sign.c -- the streaming signer (RFC 6376 5): the header section is
 * kept (bounded), the body is canonicalized and hashed as it comes, and
 * finish selects the header fields, writes the DKIM-Signature field and
 * signs it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mox/addr.h>

#include "dkim-int.h"

/* RFC 6376 5.4.1 recommends these; mox signs the same. */
static const char *const default_headers[] = {
	"From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID",
	"In-Reply-To", "References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "List-Id", "List-Unsubscribe",
	"List-Unsubscribe-Post"
};

/* Adding another of these breaks the signature (RFC 6376 8.15). */
static const char *const default_oversign[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc"
};

struct mox_dkim_signer {
	const mox_dkim_key *key;
	int alg;
	int hcanon;
	int bcanon;
	const char *domain;
	const char *selector;
	const char *identity;        /* i= as written (encoded), or NULL */
	const char *const *names;    /* header names to sign */
	size_t nnames;
	bool explicit_names;
	const char *const *over;
	size_t nover;
	bool has_t, has_x;
	int64_t t, x;
	bool body_length;
	mox__arena arena;

	mox__buf hdr;
	struct dkim_hdrend he;
	bool hdr_done;
	bool finished;
	int err;                     /* sticky feed error */
	bool bh_done;
	uint8_t bh[32];
	size_t bhlen;
	uint64_t body_total;
	struct dkim_body body;
};

static bool
valid_name(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 33 || (unsigned char)*s > 126 ||
		    *s == ':')
			return false;
	}
	return true;
}

static int
copy_names(mox__arena *a, const char *const *in, size_t n,
    const char ***out)
{
	const char **arr;
	size_t i;

	arr = mox__arena_alloc(a, (n > 0 ? n : 1) * sizeof(*arr));
	if (arr == NULL)
		return MOX_ENOMEM;
	for (i = 0; i < n; i++) {
		if (!valid_name(in[i]))
			return MOX_EINVAL;
		arr[i] = mox__arena_strndup(a, in[i], strlen(in[i]));
		if (arr[i] == NULL)
			return MOX_ENOMEM;
	}
	*out = arr;
	return MOX_OK;
}

static bool
within(const char *name, const char *dom)
{
	size_t nl = strlen(name), dl = strlen(dom);

	if (nl == dl)
		return strcmp(name, dom) == 0;
	return nl > dl && name[nl - dl - 1] == '.' &&
	    strcmp(name + nl - dl, dom) == 0;
}

static int
setup(mox_dkim_signer *s, const mox_dkim_sign_options *o)
{
	mox_domain d;
	size_t i;
	int rc;

	if (o->domain == NULL || o->selector == NULL || o->key == NULL)
		return MOX_EINVAL;
	if (o->key->type != MOX_DKIM_KEY_RSA &&
	    o->key->type != MOX_DKIM_KEY_ED25519)
		return MOX_EINVAL;
	if ((o->header_canon != MOX_DKIM_SIMPLE &&
	    o->header_canon != MOX_DKIM_RELAXED) ||
	    (o->body_canon != MOX_DKIM_SIMPLE &&
	    o->body_canon != MOX_DKIM_RELAXED))
		return MOX_EINVAL;
	if (o->timestamp < -1 || o->expiration < 0)
		return MOX_EINVAL;
	s->key = o->key;
	s->alg = dkim_key_alg(o->key);
	s->hcanon = o->header_canon;
	s->bcanon = o->body_canon;

	if (mox_domain_parse(&d, o->domain, strlen(o->domain), 0) != MOX_OK)
		return MOX_EINVAL;
	s->domain = mox__arena_strndup(&s->arena, d.ascii, strlen(d.ascii));
	if (mox_domain_parse(&d, o->selector, strlen(o->selector),
	    MOX_DOMAIN_ALLOW_UNDERSCORE) != MOX_OK)
		return MOX_EINVAL;
	s->selector = mox__arena_strndup(&s->arena, d.ascii, strlen(d.ascii));
	if (s->domain == NULL || s->selector == NULL)
		return MOX_ENOMEM;

	if (o->identity != NULL) {
		const char *at = strrchr(o->identity, '@');
		mox__buf b = MOX__BUF_INIT;

		if (at == NULL || mox_domain_parse(&d, at + 1, strlen(at + 1),
		    0) != MOX_OK || !within(d.ascii, s->domain))
			return MOX_EINVAL;
		dkim_qp_encode(&b, (const uint8_t *)o->identity,
		    (size_t)(at - o->identity));
		mox__buf_addc(&b, '@');
		mox__buf_adds(&b, d.ascii);
		if (b.err != 0) {
			mox__buf_free(&b);
			return MOX_ENOMEM;
		}
		s->identity = mox__arena_strndup(&s->arena, b.p, b.len);
		mox__buf_free(&b);
		if (s->identity == NULL)
			return MOX_ENOMEM;
	}

	if (o->headers != NULL) {
		bool from = false;
		const char **names;

		if (o->nheaders == 0 || o->nheaders > DKIM_MAX_HNAMES)
			return MOX_EINVAL;
		rc = copy_names(&s->arena, o->headers, o->nheaders, &names);
		if (rc != MOX_OK)
			return rc;
		s->names = names;
		for (i = 0; i < o->nheaders; i++) {
			if (mox__strcasecmp(s->names[i], "From") == 0)
				from = true;
		}
		/* RFC 6376 5.4: From is always signed. */
		if (!from)
			return MOX_EINVAL;
		s->nnames = o->nheaders;
		s->explicit_names = true;
	} else {
		s->names = default_headers;
		s->nnames = sizeof(default_headers) / sizeof(default_headers[0]);
	}
	if (o->oversign != NULL) {
		const char **over;

		rc = copy_names(&s->arena, o->oversign, o->noversign, &over);
		if (rc != MOX_OK)
			return rc;
		s->over = over;
		s->nover = o->noversign;
	} else {
		s->over = default_oversign;
		s->nover = sizeof(default_oversign) /
		    sizeof(default_oversign[0]);
	}

	if (o->timestamp != -1) {
		s->has_t = true;
		s->t = o->timestamp != 0 ? o->timestamp : (int64_t)time(NULL);
	}
	if (o->expiration > 0) {
		int64_t base = s->has_t ? s->t : (int64_t)time(NULL);

		s->has_x = true;
		s->x = base + o->expiration;
	}
	s->body_length = o->body_length;
	return MOX_OK;
}

int
mox_dkim_signer_new(mox_dkim_signer **out, const mox_dkim_sign_options *opts)
{
	mox_dkim_signer *s;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (opts == NULL)
		return MOX_EINVAL;
	if (opts->version == 0 || opts->version > MOX_DKIM_SIGN_OPTIONS_VERSION)
		return MOX_EVERSION;
	s = mox__calloc(1, sizeof(*s));
	if (s == NULL)
		return MOX_ENOMEM;
	rc = setup(s, opts);
	if (rc != MOX_OK) {
		mox__arena_free(&s->arena);
		mox__free(s);
		return rc;
	}
	dkim_body_init(&s->body, s->bcanon, DKIM_SHA256, false, 0);
	*out = s;
	return MOX_OK;
}

void
mox_dkim_signer_free(mox_dkim_signer *s)
{
	if (s == NULL)
		return;
	if (!s->bh_done)
		dkim_body_free(&s->body);
	mox__buf_free(&s->hdr);
	mox__arena_free(&s->arena);
	mox__free(s);
}

int
mox_dkim_signer_feed(mox_dkim_signer *s, const uint8_t *p, size_t len)
{
	if (s == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	if (s->finished)
		return MOX_ESTATE;
	if (s->err != 0)
		return s->err;
	if (!s->hdr_done) {
		bool done;
		size_t n = dkim_hdrend_scan(&s->he, p, len, &done);

		if (n > DKIM_SIGNER_HEADER_MAX - s->hdr.len) {
			s->err = MOX_ELIMIT;
			return s->err;
		}
		if (mox__buf_add(&s->hdr, p, n) != MOX_OK) {
			s->err = MOX_ENOMEM;
			return s->err;
		}
		s->hdr_done = done;
		p += n;
		len -= n;
	}
	if (len > 0)
		dkim_body_update(&s->body, p, len);
	return MOX_OK;
}

/* --- the DKIM-Signature field --- */

struct fold {
	mox__buf *b;
	size_t col;
	bool first;
};

static void
fold_break(struct fold *f)
{
	mox__buf_adds(f->b, "\r\n\t");
	f->col = 1;
}

/* Start a tag: "; " or a fold before it. need is what should fit on
 * the line. */
static void
fold_tag(struct fold *f, size_t need)
{
	if (!f->first) {
		mox__buf_addc(f->b, ';');
		f->col++;
	}
	f->first = false;
	if (f->col + 1 + need > DKIM_FOLD_WIDTH) {
		fold_break(f);
	} else {
		mox__buf_addc(f->b, ' ');
		f->col++;
	}
}

static void
fold_text(struct fold *f, const char *s)
{
	size_t n = strlen(s);

	mox__buf_add(f->b, s, n);
	f->col += n;
}

static void
fold_simple(struct fold *f, const char *name, const char *value)
{
	fold_tag(f, strlen(name) + 2 + strlen(value));
	fold_text(f, name);
	fold_text(f, "=");
	fold_text(f, value);
}

/* Base64 text broken at the fold width; FWS in it is ignored (RFC 6376
 * 3.5 b=). */
static void
fold_b64(struct fold *f, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		size_t room, k;

		if (f->col >= DKIM_FOLD_WIDTH)
			fold_break(f);
		room = DKIM_FOLD_WIDTH - f->col;
		k = n < room ? n : room;
		mox__buf_add(f->b, s, k);
		f->col += k;
		s += k;
		n -= k;
	}
}

/* The h= list: each name as often as it is in the message (the default
 * list leaves out names it lacks), once more when oversigned. */
static int
build_names(const mox_dkim_signer *s, const uint8_t *hdr,
    const struct dkim_field *f, size_t nf, const char ***out, size_t *nout)
{
	const char **res = NULL;
	size_t cnt = 0, cap = 0, i, j, k;

	for (i = 0; i < s->nnames; i++) {
		const char *name = s->names[i];
		size_t occ = 0, nl = strlen(name), want;
		bool over = false;

		for (j = 0; j < i; j++) {
			if (mox__strcasecmp(s->names[j], name) == 0)
				break;
		}
		if (j < i)
			continue; /* listed twice: once is enough */
		for (j = 0; j < nf; j++) {
			if (f[j].namelen == nl &&
			    mox__memcaseeq(hdr + f[j].off, nl, name))
				occ++;
		}
		for (j = 0; j < s->nover; j++) {
			if (mox__strcasecmp(s->over[j], name) == 0)
				over = true;
		}
		if (occ == 0 && !s->explicit_names)
			continue;
		want = occ + (over ? 1 : 0);
		if (want == 0)
			want = 1;
		if (want > DKIM_MAX_HNAMES - cnt) {
			mox__free(res);
			return MOX_ELIMIT;
		}
		if (cnt + want > cap) {
			const char **nr;
			size_t ncap = cap * 2 > cnt + want ? cap * 2 :
			    cnt + want + 16;

			nr = mox__reallocarray(res, ncap, sizeof(*res));
			if (nr == NULL) {
				mox__free(res);
				return MOX_ENOMEM;
			}
			res = nr;
			cap = ncap;
		}
		for (k = 0; k < want; k++)
			res[cnt++] = name;
	}
	*out = res;
	*nout = cnt;
	return MOX_OK;
}

/* Hash the selected header fields and the DKIM-Signature field itself
 * (without its b= value and trailing CRLF, RFC 6376 3.7), and sign. */
static int
sign_fields(mox_dkim_signer *s, int alg, const struct dkim_field *f,
    size_t nf, const char *const *names, size_t nnames, int hcanon,
    const uint8_t *field, size_t flen, size_t namelen, size_t valoff,
    size_t skip_off, size_t skip_end, uint8_t *sig, size_t *siglen)
{
	struct dkim_hash h;
	struct dkim_sink *sink;
	uint8_t digest[32];
	size_t *sel, i, dlen;
	const uint8_t *hdr = (const uint8_t *)s->hdr.p;
	int rc;

	sel = mox__reallocarray(NULL, nnames > 0 ? nnames : 1, sizeof(*sel));
	sink = mox__malloc(sizeof(*sink));
	if (sel == NULL || sink == NULL) {
		mox__free(sel);
		mox__free(sink);
		return MOX_ENOMEM;
	}
	dkim_fields_select(hdr, f, nf, names, nnames, sel);
	dkim_hash_init(&h, dkim_alg_hash(alg));
	dkim_sink_init(sink, &h, NULL);
	for (i = 0; i < nnames; i++) {
		const struct dkim_field *x;

		if (sel[i] == SIZE_MAX)
			continue;
		x = &f[sel[i]];
		dkim_canon_header(sink, hcanon, hdr + x->off, x->namelen,
		    x->valoff, x->valend, 0, 0, true);
	}
	dkim_canon_header(sink, hcanon, field, namelen, valoff, flen,
	    skip_off, skip_end, false);
	dkim_sink_flush(sink);
	dlen = dkim_hash_final(&h, digest);
	mox__free(sink);
	mox__free(sel);
	rc = dkim_key_sign(s->key, digest, dlen, sig, siglen);
	return rc;
}

/* Finish the body and index the header section. */
static int
finish_common(mox_dkim_signer *s, struct dkim_field **f, size_t *nf)
{
	int rc;

	if (s->finished)
		return MOX_ESTATE;
	if (s->err != 0)
		return s->err;
	s->finished = true;
	s->bhlen = dkim_body_final(&s->body, s->bh, &s->body_total);
	s->bh_done = true;
	if (s->hdr.p == NULL && mox__buf_add(&s->hdr, "", 0) != MOX_OK)
		return MOX_ENOMEM;
	rc = dkim_fields_index((const uint8_t *)s->hdr.p, s->hdr.len, 0, f,
	    nf);
	if (rc != MOX_OK)
		return rc;
	for (size_t i = 0; i < *nf; i++) {
		if ((*f)[i].namelen == 4 &&
		    mox__memcaseeq(s->hdr.p + (*f)[i].off, 4, "From"))
			return MOX_OK;
	}
	mox__free(*f);
	*f = NULL;
	return MOX_ESYNTAX;
}

int
mox_dkim_signer_finish(mox_dkim_signer *s, char **out, size_t *out_len)
{
	mox__buf b = MOX__BUF_INIT;
	struct fold fo;
	struct dkim_field *f = NULL;
	const char **names = NULL;
	size_t nf = 0, nnames = 0, i, siglen = 0, len = 0, skip;
	char num[32], bh64[64], *sig64 = NULL;
	uint8_t *sig = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (s == NULL || out == NULL)
		return MOX_EINVAL;
	if (out_len == NULL)
		out_len = &len;
	rc = finish_common(s, &f, &nf);
	if (rc != MOX_OK)
		return rc;
	rc = build_names(s, (const uint8_t *)s->hdr.p, f, nf, &names,
	    &nnames);
	if (rc != MOX_OK)
		goto done;

	/* RFC 6376 3.5 tags, in a fixed order. */
	fo.b = &b;
	fo.col = 15;
	fo.first = true;
	mox__buf_adds(&b, "DKIM-Signature:");
	fold_simple(&fo, "v", "1");
	fold_simple(&fo, "a", mox_dkim_algorithm_name(s->alg));
	snprintf(num, sizeof(num), "%s/%s",
	    s->hcanon == MOX_DKIM_RELAXED ? "relaxed" : "simple",
	    s->bcanon == MOX_DKIM_RELAXED ? "relaxed" : "simple");
	fold_simple(&fo, "c", num);
	fold_simple(&fo, "d", s->domain);
	fold_simple(&fo, "s", s->selector);
	if (s->identity != NULL)
		fold_simple(&fo, "i", s->identity);
	if (s->has_t) {
		snprintf(num, sizeof(num), "%lld", (long long)s->t);
		fold_simple(&fo, "t", num);
	}
	if (s->has_x) {
		snprintf(num, sizeof(num), "%lld", (long long)s->x);
		fold_simple(&fo, "x", num);
	}
	if (s->body_length) {
		snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)s->body_total);
		fold_simple(&fo, "l", num);
	}
	fold_tag(&fo, 2 + (nnames > 0 ? strlen(names[0]) + 1 : 0));
	fold_text(&fo, "h=");
	for (i = 0; i < nnames; i++) {
		size_t n = strlen(names[i]);

		if (i > 0) {
			mox__buf_addc(&b, ':');
			fo.col++;
			if (fo.col + n + 1 > DKIM_FOLD_WIDTH)
				fold_break(&fo);
		}
		fold_text(&fo, names[i]);
	}
	dkim_b64_encode(bh64, s->bh, s->bhlen);
	fold_simple(&fo, "bh", bh64);
	fold_tag(&fo, 2 + 8);
	fold_text(&fo, "b=");
	if (b.err != 0) {
		rc = MOX_ENOMEM;
		goto done;
	}
	skip = b.len;
	sig = mox__malloc(DKIM_SIG_MAX);
	if (sig == NULL) {
		rc = MOX_ENOMEM;
		goto done;
	}
	rc = sign_fields(s, s->alg, f, nf, names, nnames, s->hcanon,
	    (const uint8_t *)b.p, b.len, 14, 15, skip, skip, sig, &siglen);
	if (rc != MOX_OK)
		goto done;
	sig64 = mox__malloc(dkim_b64_len(siglen) + 1);
	if (sig64 == NULL) {
		rc = MOX_ENOMEM;
		goto done;
	}
	dkim_b64_encode(sig64, sig, siglen);
	fold_b64(&fo, sig64);
	mox__buf_adds(&b, "\r\n");
	if (b.err != 0) {
		rc = MOX_ENOMEM;
		goto done;
	}
	*out = mox__buf_detach(&b, out_len);
done:
	mox__free(sig64);
	mox__free(sig);
	mox__free(names);
	mox__free(f);
	mox__buf_free(&b);
	return rc;
}

int
dkim_signer_finish_template(mox_dkim_signer *s, const uint8_t *field,
    size_t len, char **out, size_t *out_len)
{
	struct dkim_sig *sig = NULL;
	struct dkim_field *f = NULL;
	mox__buf b = MOX__BUF_INIT;
	size_t nf = 0, siglen = 0, dummy;
	uint8_t *sigbuf = NULL;
	char *sig64 = NULL;
	int rc;

	*out = NULL;
	if (out_len == NULL)
		out_len = &dummy;
	while (len > 0 && (field[len - 1] == '\n' || field[len - 1] == '\r'))
		len--;
	if (len < 15 || !mox__memcaseeq(field, 15, "DKIM-Signature:"))
		return MOX_ESYNTAX;
	rc = dkim_sig_parse(field + 15, len - 15, DKIM_SIG_EMPTY_B, &sig, NULL);
	if (rc != MOX_OK)
		return rc == MOX_ENOMEM ? rc : MOX_ESYNTAX;
	/* rsa-sha1 too, for tests of verifiers. */
	if (sig->pub.b_len != 0 || sig->b_end != len - 15 ||
	    dkim_alg_key(sig->pub.algorithm) != s->key->type) {
		dkim_sig_free(sig);
		return MOX_ESYNTAX;
	}
	rc = finish_common(s, &f, &nf);
	if (rc != MOX_OK)
		goto done;
	sigbuf = mox__malloc(DKIM_SIG_MAX);
	if (sigbuf == NULL) {
		rc = MOX_ENOMEM;
		goto done;
	}
	rc = sign_fields(s, sig->pub.algorithm, f, nf, sig->pub.headers,
	    sig->pub.nheaders,
	    sig->pub.header_canon, field, len, 14, 15, 15 + sig->b_off,
	    15 + sig->b_end, sigbuf, &siglen);
	if (rc != MOX_OK)
		goto done;
	sig64 = mox__malloc(dkim_b64_len(siglen) + 1);
	if (sig64 == NULL) {
		rc = MOX_ENOMEM;
		goto done;
	}
	dkim_b64_encode(sig64, sigbuf, siglen);
	mox__buf_add(&b, field, len);
	mox__buf_adds(&b, sig64);
	mox__buf_adds(&b, "\r\n");
	if (b.err != 0) {
		rc = MOX_ENOMEM;
		goto done;
	}
	*out = mox__buf_detach(&b, out_len);
done:
	mox__buf_free(&b);
	mox__free(sig64);
	mox__free(sigbuf);
	mox__free(f);
	dkim_sig_free(sig);
	return rc;
}

const uint8_t *
dkim_signer_body_hash(const mox_dkim_signer *s, size_t *len)
{
	if (s == NULL || !s->bh_done)
		return NULL;
	*len = s->bhlen;
	return s->bh;
}

int
mox_dkim_sign(char **out, size_t *out_len, const mox_dkim_sign_options *opts,
    const uint8_t *msg, size_t len)
{
	mox_dkim_signer *s;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (msg == NULL && len > 0))
		return MOX_EINVAL;
	rc = mox_dkim_signer_new(&s, opts);
	if (rc != MOX_OK)
		return rc;
	rc = mox_dkim_signer_feed(s, msg, len);
	if (rc == MOX_OK)
		rc = mox_dkim_signer_finish(s, out, out_len);
	mox_dkim_signer_free(s);
	return rc;
}
