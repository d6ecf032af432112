/* SPDX-License-Identifier: MIT */
/*
 * verify.c -- the verifier (RFC 6376 6), a sans-I/O state machine: the
 * caller feeds the message and answers key questions in any order; body
 * hashes are computed while the body streams in, once per distinct
 * (canonicalization, hash, length) of the signatures that still need
 * one.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dkim-int.h"

struct vsig {
	struct dkim_sig *sig;  /* NULL when it did not parse */
	size_t field;          /* index into fields, SIZE_MAX when unknown */
	size_t offset;
	int verdict;           /* MOX_DKIM_NONE while undecided */
	const char *reason;
	char reasonbuf[64];
	size_t q;              /* question, SIZE_MAX for none */
	size_t body;           /* body hash, SIZE_MAX for none */
};

struct vq {
	const char *name;
	bool asked;
	bool answered;
	int verdict;           /* set when the answer is unusable */
	const char *reason;
	char reasonbuf[96];
	bool authentic;
	struct dkim_keyrec *rec;
};

struct vbody {
	int canon;
	int hash;
	bool has_limit;
	uint64_t limit;
	size_t refs;           /* undecided signatures that use it */
	bool final;
	uint8_t digest[32];
	size_t dlen;
	uint64_t total;
	struct dkim_body b;
};

/* Counts DKIM-Signature fields by their line starts, for a header
 * section too large to keep. */
struct sigcount {
	int state;
	size_t pos;
	size_t count;
};

struct mox_dkim_verifier {
	mox_dkim_verify_options o;
	int64_t now;
	int err;               /* sticky: MOX_ENOMEM */
	mox__buf hdr;
	struct dkim_hdrend he;
	struct sigcount sc;
	size_t hdr_seen;
	bool hdr_done;
	bool overflow;
	bool finished;
	bool done;
	struct dkim_field *fields;
	size_t nfields;
	struct vsig *sigs;
	size_t nsigs;
	struct vq *qs;
	size_t nq;
	struct vbody **bodies;
	size_t nbodies;
	mox__arena arena;
};

enum { SC_NAME = 0, SC_WSP = 1, SC_REST = 2 };

static void
sigcount_scan(struct sigcount *c, const uint8_t *p, size_t len)
{
	static const char name[] = "dkim-signature";
	size_t i = 0;

	while (i < len) {
		uint8_t ch = p[i];

		switch (c->state) {
		case SC_NAME:
			if (c->pos < 14 && mox__lower(ch) == name[c->pos]) {
				if (++c->pos == 14)
					c->state = SC_WSP;
				i++;
				continue;
			}
			c->state = SC_REST;
			continue;
		case SC_WSP:
			if (ch == ' ' || ch == '\t') {
				i++;
				continue;
			}
			if (ch == ':')
				c->count++;
			c->state = SC_REST;
			continue;
		default: {
			const uint8_t *q = memchr(p + i, '\n', len - i);

			if (q == NULL)
				return;
			i = (size_t)(q - p) + 1;
			c->state = SC_NAME;
			c->pos = 0;
			break;
		}
		}
	}
}

int
mox_dkim_verifier_new(mox_dkim_verifier **out,
    const mox_dkim_verify_options *opts)
{
	mox_dkim_verify_options def = MOX_DKIM_VERIFY_OPTIONS_INIT;
	mox_dkim_verifier *v;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (opts != NULL && (opts->version == 0 ||
	    opts->version > MOX_DKIM_VERIFY_OPTIONS_VERSION))
		return MOX_EVERSION;
	if (opts != NULL && opts->max_clock_skew < 0)
		return MOX_EINVAL;
	v = mox__calloc(1, sizeof(*v));
	if (v == NULL)
		return MOX_ENOMEM;
	v->o = opts != NULL ? *opts : def;
	v->o.version = MOX_DKIM_VERIFY_OPTIONS_VERSION;
	if (v->o.max_signatures == 0)
		v->o.max_signatures = def.max_signatures;
	if (v->o.min_rsa_bits == 0)
		v->o.min_rsa_bits = def.min_rsa_bits;
	if (v->o.max_header_size == 0)
		v->o.max_header_size = def.max_header_size;
	v->now = v->o.now != 0 ? v->o.now : (int64_t)time(NULL);
	*out = v;
	return MOX_OK;
}

void
mox_dkim_verifier_free(mox_dkim_verifier *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nsigs; i++)
		dkim_sig_free(v->sigs[i].sig);
	for (i = 0; i < v->nq; i++)
		dkim_keyrec_free(v->qs[i].rec);
	for (i = 0; i < v->nbodies; i++) {
		if (!v->bodies[i]->final)
			dkim_body_free(&v->bodies[i]->b);
		mox__free(v->bodies[i]);
	}
	mox__free(v->bodies);
	mox__free(v->qs);
	mox__free(v->sigs);
	mox__free(v->fields);
	mox__buf_free(&v->hdr);
	mox__arena_free(&v->arena);
	mox__free(v);
}

static void
decide(mox_dkim_verifier *v, struct vsig *s, int verdict, const char *reason)
{
	s->verdict = verdict;
	s->reason = reason;
	if (s->body != SIZE_MAX) {
		v->bodies[s->body]->refs--;
		s->body = SIZE_MAX;
	}
}

static size_t
find_question(mox_dkim_verifier *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nq; i++) {
		if (strcmp(v->qs[i].name, name) == 0)
			return i;
	}
	return SIZE_MAX;
}

static int
add_body(mox_dkim_verifier *v, const struct dkim_sig *sig, size_t *out)
{
	const mox_dkim_signature *p = &sig->pub;
	int hash = dkim_alg_hash(p->algorithm);
	struct vbody *b;
	size_t i;

	for (i = 0; i < v->nbodies; i++) {
		b = v->bodies[i];
		if (b->canon == p->body_canon && b->hash == hash &&
		    b->has_limit == p->has_length &&
		    (!b->has_limit || b->limit == p->length)) {
			b->refs++;
			*out = i;
			return MOX_OK;
		}
	}
	b = mox__malloc(sizeof(*b));
	if (b == NULL)
		return MOX_ENOMEM;
	memset(b, 0, offsetof(struct vbody, b));
	b->canon = p->body_canon;
	b->hash = hash;
	b->has_limit = p->has_length;
	b->limit = p->length;
	b->refs = 1;
	dkim_body_init(&b->b, b->canon, hash, b->has_limit, b->limit);
	v->bodies[v->nbodies] = b;
	*out = v->nbodies++;
	return MOX_OK;
}

/* The signature's checks that need neither key nor body. */
static int
prepare(mox_dkim_verifier *v, struct vsig *s)
{
	const mox_dkim_signature *p = &s->sig->pub;
	char name[MOX_DOMAIN_MAX * 2 + 16];
	size_t q;
	int n;

	if (p->algorithm == MOX_DKIM_ALG_UNKNOWN) {
		decide(v, s, MOX_DKIM_PERMERROR, "unknown algorithm");
		return MOX_OK;
	}
	if (p->algorithm == MOX_DKIM_RSA_SHA1 &&
	    !(v->o.flags & MOX_DKIM_VERIFY_ALLOW_SHA1)) {
		decide(v, s, MOX_DKIM_PERMERROR, "rsa-sha1 not allowed");
		return MOX_OK;
	}
	/* RFC 6376 6.1.1: an expired signature is PERMFAIL. */
	if (p->has_expiration && p->expiration < v->now &&
	    !(v->o.flags & MOX_DKIM_VERIFY_IGNORE_EXPIRY)) {
		decide(v, s, MOX_DKIM_PERMERROR, "signature expired");
		return MOX_OK;
	}
	if (p->has_timestamp && p->timestamp > v->now &&
	    p->timestamp - v->now > v->o.max_clock_skew) {
		decide(v, s, MOX_DKIM_PERMERROR, "signature in the future");
		return MOX_OK;
	}
	n = snprintf(name, sizeof(name), "%s._domainkey.%s", p->selector,
	    p->domain);
	if (n < 0 || (size_t)n > MOX_DOMAIN_MAX) {
		decide(v, s, MOX_DKIM_PERMERROR, "key record name too long");
		return MOX_OK;
	}
	q = find_question(v, name);
	if (q == SIZE_MAX) {
		struct vq *nq = &v->qs[v->nq];

		memset(nq, 0, sizeof(*nq));
		nq->name = mox__arena_strndup(&v->arena, name, (size_t)n);
		if (nq->name == NULL)
			return MOX_ENOMEM;
		q = v->nq++;
	}
	s->q = q;
	return add_body(v, s->sig, &s->body);
}

/* The header section is complete: find and parse the signatures. */
static int
on_header(mox_dkim_verifier *v)
{
	size_t i, nsig = 0, k;
	int rc = MOX_OK;

	v->hdr_done = true;
	if (!v->overflow) {
		if (v->hdr.p == NULL && mox__buf_add(&v->hdr, "", 0) != MOX_OK)
			return MOX_ENOMEM;
		rc = dkim_fields_index((const uint8_t *)v->hdr.p, v->hdr.len, 0,
		    &v->fields, &v->nfields);
		if (rc == MOX_ENOMEM)
			return rc;
		if (rc != MOX_OK)
			v->overflow = true;
	}
	if (v->overflow) {
		/* Every signature is permerror; we only count them. */
		mox__free(v->fields);
		v->fields = NULL;
		v->nfields = 0;
		nsig = v->sc.count;
		if (nsig == 0)
			return MOX_OK;
		v->sigs = mox__calloc(nsig, sizeof(*v->sigs));
		if (v->sigs == NULL)
			return MOX_ENOMEM;
		v->nsigs = nsig;
		for (i = 0; i < nsig; i++) {
			v->sigs[i].field = SIZE_MAX;
			v->sigs[i].q = SIZE_MAX;
			v->sigs[i].body = SIZE_MAX;
			v->sigs[i].verdict = MOX_DKIM_PERMERROR;
			v->sigs[i].reason = "header section too large";
		}
		return MOX_OK;
	}
	for (i = 0; i < v->nfields; i++) {
		if (v->fields[i].namelen == 14 &&
		    mox__memcaseeq(v->hdr.p + v->fields[i].off, 14,
		    "DKIM-Signature"))
			nsig++;
	}
	if (nsig == 0)
		return MOX_OK;
	k = nsig < v->o.max_signatures ? nsig : v->o.max_signatures;
	v->sigs = mox__calloc(nsig, sizeof(*v->sigs));
	v->qs = mox__calloc(k, sizeof(*v->qs));
	v->bodies = mox__calloc(k, sizeof(*v->bodies));
	if (v->sigs == NULL || v->qs == NULL || v->bodies == NULL)
		return MOX_ENOMEM;
	for (i = 0; i < v->nfields && v->nsigs < nsig; i++) {
		const struct dkim_field *f = &v->fields[i];
		struct vsig *s;
		const char *err = NULL;

		if (f->namelen != 14 || !mox__memcaseeq(v->hdr.p + f->off, 14,
		    "DKIM-Signature"))
			continue;
		s = &v->sigs[v->nsigs++];
		s->field = i;
		s->offset = f->off;
		s->q = SIZE_MAX;
		s->body = SIZE_MAX;
		if (v->nsigs > v->o.max_signatures) {
			decide(v, s, MOX_DKIM_PERMERROR, "too many signatures");
			continue;
		}
		rc = dkim_sig_parse((const uint8_t *)v->hdr.p + f->off +
		    f->valoff, f->valend - f->valoff, 0, &s->sig, &err);
		if (rc == MOX_ENOMEM)
			return rc;
		if (rc != MOX_OK) {
			snprintf(s->reasonbuf, sizeof(s->reasonbuf),
			    "malformed signature: %s",
			    err != NULL ? err : "syntax error");
			decide(v, s, MOX_DKIM_PERMERROR, s->reasonbuf);
			continue;
		}
		rc = prepare(v, s);
		if (rc != MOX_OK)
			return rc;
	}
	return MOX_OK;
}

static void
feed_bodies(mox_dkim_verifier *v, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < v->nbodies; i++) {
		if (v->bodies[i]->refs > 0)
			dkim_body_update(&v->bodies[i]->b, p, len);
	}
}

int
mox_dkim_verifier_feed(mox_dkim_verifier *v, const uint8_t *p, size_t len)
{
	int rc;

	if (v == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	if (v->finished)
		return MOX_ESTATE;
	if (v->err != 0)
		return v->err;
	if (!v->hdr_done) {
		bool done;
		size_t n = dkim_hdrend_scan(&v->he, p, len, &done);

		sigcount_scan(&v->sc, p, n);
		if (!v->overflow && n > v->o.max_header_size - v->hdr.len) {
			v->overflow = true;
			mox__buf_free(&v->hdr);
		}
		if (!v->overflow && mox__buf_add(&v->hdr, p, n) != MOX_OK) {
			v->err = MOX_ENOMEM;
			return v->err;
		}
		p += n;
		len -= n;
		if (done) {
			rc = on_header(v);
			if (rc != MOX_OK) {
				v->err = rc;
				return rc;
			}
		}
	}
	if (len > 0 && v->hdr_done)
		feed_bodies(v, p, len);
	return MOX_OK;
}

int
mox_dkim_verifier_finish(mox_dkim_verifier *v)
{
	size_t i;
	int rc;

	if (v == NULL)
		return MOX_EINVAL;
	if (v->finished)
		return MOX_ESTATE;
	if (v->err != 0)
		return v->err;
	v->finished = true;
	if (!v->hdr_done) {
		/* No empty line: the whole message is header. */
		rc = on_header(v);
		if (rc != MOX_OK) {
			v->err = rc;
			return rc;
		}
	}
	for (i = 0; i < v->nbodies; i++) {
		struct vbody *b = v->bodies[i];

		b->dlen = dkim_body_final(&b->b, b->digest, &b->total);
		b->final = true;
	}
	return MOX_OK;
}

/* Checks of a signature against its key record (RFC 6376 6.1.2,
 * RFC 8301, RFC 8463). */
static void
check_key(mox_dkim_verifier *v, struct vsig *s, const struct vq *q)
{
	const mox_dkim_signature *p = &s->sig->pub;
	const struct dkim_keyrec *r = q->rec;

	if (r->pub.revoked) {
		decide(v, s, MOX_DKIM_PERMERROR, "key revoked");
	} else if (r->pub.key_type != dkim_alg_key(p->algorithm)) {
		decide(v, s, MOX_DKIM_PERMERROR, "key type mismatch");
	} else if (!(r->pub.hashes & (1u << p->algorithm))) {
		decide(v, s, MOX_DKIM_PERMERROR, "hash algorithm not allowed "
		    "by key");
	} else if (!r->pub.email_service) {
		decide(v, s, MOX_DKIM_PERMERROR, "key not for email");
	} else if ((r->pub.flags & MOX_DKIM_KEY_STRICT) &&
	    strcmp(s->sig->idomain, p->domain) != 0) {
		decide(v, s, MOX_DKIM_PERMERROR, "identity not in d= domain "
		    "(t=s)");
	} else if (!r->key_ok) {
		decide(v, s, MOX_DKIM_PERMERROR, "invalid public key");
	} else if (r->pub.key_type == MOX_DKIM_KEY_RSA &&
	    r->pub.rsa_bits < v->o.min_rsa_bits) {
		snprintf(s->reasonbuf, sizeof(s->reasonbuf),
		    "rsa key too small (%u bits)", r->pub.rsa_bits);
		decide(v, s, MOX_DKIM_PERMERROR, s->reasonbuf);
	}
}

int
mox_dkim_verifier_answer(mox_dkim_verifier *v, size_t id,
    const mox_dns_answer *ans)
{
	struct vq *q;
	size_t i;

	if (v == NULL || id >= v->nq)
		return MOX_EINVAL;
	if (v->err != 0)
		return v->err;
	q = &v->qs[id];
	if (q->answered)
		return MOX_ESTATE;
	if (ans == NULL) {
		q->verdict = MOX_DKIM_TEMPERROR;
		q->reason = "key lookup failed";
	} else {
		int res = mox_dns_answer_result(ans);

		q->authentic = mox_dns_answer_secure(ans);
		switch (res) {
		case MOX_DNS_OK: {
			const mox_dns_rr *rr;
			const char *err = NULL;
			int rc;

			if (mox_dns_answer_count(ans) != 1) {
				q->verdict = MOX_DKIM_PERMERROR;
				q->reason = "multiple key records";
				break;
			}
			rr = mox_dns_answer_rr(ans, 0);
			rc = dkim_keyrec_parse(rr->text != NULL ?
			    (const uint8_t *)rr->text : (const uint8_t *)"",
			    rr->text_len, &q->rec, &err);
			if (rc == MOX_ENOMEM)
				return rc;
			if (rc == MOX_EUNSUPPORTED) {
				q->verdict = MOX_DKIM_PERMERROR;
				q->reason = "unknown key type";
			} else if (rc != MOX_OK) {
				snprintf(q->reasonbuf, sizeof(q->reasonbuf),
				    "invalid key record: %s",
				    err != NULL ? err : "syntax error");
				q->verdict = MOX_DKIM_PERMERROR;
				q->reason = q->reasonbuf;
			}
			break;
		}
		case MOX_DNS_NODATA:
		case MOX_DNS_NXDOMAIN:
			/* RFC 6376 6.1.2: no key is PERMFAIL. */
			q->verdict = MOX_DKIM_PERMERROR;
			q->reason = "no key record";
			break;
		case MOX_DNS_BOGUS:
			q->verdict = MOX_DKIM_PERMERROR;
			q->reason = "key record dnssec bogus";
			break;
		default:
			q->verdict = MOX_DKIM_TEMPERROR;
			q->reason = res == MOX_DNS_TIMEOUT ?
			    "key lookup timed out" : "key lookup failed";
			break;
		}
	}
	q->asked = true;
	q->answered = true;
	for (i = 0; i < v->nsigs; i++) {
		struct vsig *s = &v->sigs[i];

		if (s->q != id || s->verdict != MOX_DKIM_NONE)
			continue;
		if (q->rec == NULL)
			decide(v, s, q->verdict, q->reason);
		else
			check_key(v, s, q);
	}
	return MOX_OK;
}

/* Body hash, then the header hash and the signature (RFC 6376 6.1.3). */
static void
verify_sig(mox_dkim_verifier *v, struct vsig *s)
{
	const mox_dkim_signature *p = &s->sig->pub;
	const struct vbody *b = v->bodies[s->body];
	const struct dkim_field *own = &v->fields[s->field];
	const uint8_t *hdr = (const uint8_t *)v->hdr.p;
	struct dkim_sink sink;
	struct dkim_hash h;
	uint8_t digest[32];
	size_t sel[64], *selp = sel, i, dlen;
	bool ok;

	if (p->has_length && p->length > b->total) {
		decide(v, s, MOX_DKIM_PERMERROR, "l= beyond end of body");
		return;
	}
	if (p->bh_len != b->dlen || memcmp(p->bh, b->digest, b->dlen) != 0) {
		decide(v, s, MOX_DKIM_FAIL, "body hash mismatch");
		return;
	}
	if (p->nheaders > sizeof(sel) / sizeof(sel[0])) {
		selp = mox__reallocarray(NULL, p->nheaders, sizeof(*selp));
		if (selp == NULL) {
			v->err = MOX_ENOMEM;
			return;
		}
	}
	dkim_fields_select(hdr, v->fields, v->nfields, p->headers, p->nheaders,
	    selp);
	dkim_hash_init(&h, dkim_alg_hash(p->algorithm));
	dkim_sink_init(&sink, &h, NULL);
	for (i = 0; i < p->nheaders; i++) {
		const struct dkim_field *f;

		if (selp[i] == SIZE_MAX)
			continue;
		f = &v->fields[selp[i]];
		dkim_canon_header(&sink, p->header_canon, hdr + f->off,
		    f->namelen, f->valoff, f->valend, 0, 0, true);
	}
	dkim_canon_header(&sink, p->header_canon, hdr + own->off, own->namelen,
	    own->valoff, own->valend, own->valoff + s->sig->b_off,
	    own->valoff + s->sig->b_end, false);
	dkim_sink_flush(&sink);
	dlen = dkim_hash_final(&h, digest);
	if (selp != sel)
		mox__free(selp);
	ok = dkim_keyrec_verify(v->qs[s->q].rec, p->algorithm, digest, dlen,
	    p->b, p->b_len);
	if (!ok)
		decide(v, s, MOX_DKIM_FAIL, "signature mismatch");
	else if (p->has_length && !(v->o.flags & MOX_DKIM_VERIFY_ALLOW_LENGTH))
		decide(v, s, MOX_DKIM_POLICY, "l= not allowed");
	else
		decide(v, s, MOX_DKIM_PASS, NULL);
}

int
mox_dkim_verifier_step(mox_dkim_verifier *v, mox_dkim_question *q)
{
	size_t i;
	bool pending = false;

	if (v == NULL)
		return MOX_EINVAL;
	if (v->err != 0)
		return v->err;
	if (v->done)
		return MOX_DKIM_STEP_DONE;
	if (!v->hdr_done)
		return MOX_DKIM_STEP_NEED_DATA;
	for (i = 0; i < v->nq; i++) {
		if (!v->qs[i].asked) {
			v->qs[i].asked = true;
			if (q != NULL) {
				q->name = v->qs[i].name;
				q->id = i;
			}
			return MOX_DKIM_STEP_QUERY;
		}
	}
	for (i = 0; i < v->nsigs; i++) {
		if (v->sigs[i].verdict == MOX_DKIM_NONE)
			pending = true;
	}
	if (!pending) {
		v->done = true;
		return MOX_DKIM_STEP_DONE;
	}
	if (!v->finished)
		return MOX_DKIM_STEP_NEED_DATA;
	for (i = 0; i < v->nq; i++) {
		if (!v->qs[i].answered)
			return MOX_DKIM_STEP_WAIT;
	}
	for (i = 0; i < v->nsigs; i++) {
		if (v->sigs[i].verdict == MOX_DKIM_NONE)
			verify_sig(v, &v->sigs[i]);
		if (v->err != 0)
			return v->err;
	}
	v->done = true;
	return MOX_DKIM_STEP_DONE;
}

size_t
mox_dkim_verifier_count(const mox_dkim_verifier *v)
{
	return v != NULL ? v->nsigs : 0;
}

void
mox_dkim_result_release(mox_dkim_result *res)
{
	unsigned int version;

	if (res == NULL)
		return;
	version = res->version;
	mox__free(res->owned_);
	memset(res, 0, sizeof(*res));
	res->version = version;
}

int
mox_dkim_verifier_result(const mox_dkim_verifier *v, size_t i,
    mox_dkim_result *out)
{
	const struct vsig *s;
	const mox_dkim_signature *p;
	const char *dom = "", *sel = "", *alg = "", *b = "", *ident = "";
	const struct vq *q = NULL;
	mox__buf buf = MOX__BUF_INIT;
	size_t o_dom, o_sel, o_id, o_alg, o_b, o_reason = 0;
	unsigned int version;

	if (v == NULL || out == NULL)
		return MOX_EINVAL;
	if (out->version == 0 || out->version > MOX_DKIM_RESULT_VERSION)
		return MOX_EVERSION;
	if (!v->done)
		return MOX_ESTATE;
	if (i >= v->nsigs)
		return MOX_ENOTFOUND;
	s = &v->sigs[i];
	p = s->sig != NULL ? &s->sig->pub : NULL;
	if (p != NULL) {
		dom = p->domain;
		sel = p->selector;
		alg = p->algorithm_name;
		b = p->b_text;
	}
	if (s->q != SIZE_MAX)
		q = &v->qs[s->q];
	/* One block for every string. */
	o_dom = 0;
	mox__buf_add(&buf, dom, strlen(dom) + 1);
	o_sel = buf.len;
	mox__buf_add(&buf, sel, strlen(sel) + 1);
	o_id = buf.len;
	if (p != NULL && p->identity != NULL) {
		mox__buf_add(&buf, p->identity, strlen(p->identity) + 1);
	} else if (p != NULL) {
		mox__buf_addc(&buf, '@');
		mox__buf_add(&buf, dom, strlen(dom) + 1);
	} else {
		mox__buf_add(&buf, ident, 1);
	}
	o_alg = buf.len;
	mox__buf_add(&buf, alg, strlen(alg) + 1);
	o_b = buf.len;
	mox__buf_add(&buf, b, strlen(b) + 1);
	if (s->reason != NULL) {
		o_reason = buf.len;
		mox__buf_add(&buf, s->reason, strlen(s->reason) + 1);
	}
	if (buf.err != 0) {
		mox__buf_free(&buf);
		return MOX_ENOMEM;
	}
	version = out->version;
	memset(out, 0, sizeof(*out));
	out->version = version;
	out->verdict = s->verdict;
	out->domain = buf.p + o_dom;
	out->selector = buf.p + o_sel;
	out->identity = buf.p + o_id;
	out->algorithm = buf.p + o_alg;
	out->b = buf.p + o_b;
	out->reason = s->reason != NULL ? buf.p + o_reason : NULL;
	out->authentic = q != NULL && q->answered && q->authentic;
	out->testing = q != NULL && q->rec != NULL &&
	    (q->rec->pub.flags & MOX_DKIM_KEY_TESTING) != 0;
	out->has_length = p != NULL && p->has_length;
	out->offset = s->offset;
	out->owned_ = buf.p;
	return MOX_OK;
}

int
mox_dkim_verify(mox_dkim_result **out, size_t *nout, mox_resolver *r,
    const mox_dkim_verify_options *opts, const uint8_t *msg, size_t len)
{
	mox_dkim_verifier *v;
	mox_dkim_result *res = NULL;
	size_t i, n;
	int rc, st;

	if (out != NULL)
		*out = NULL;
	if (nout != NULL)
		*nout = 0;
	if (out == NULL || nout == NULL || r == NULL ||
	    (msg == NULL && len > 0))
		return MOX_EINVAL;
	rc = mox_dkim_verifier_new(&v, opts);
	if (rc != MOX_OK)
		return rc;
	rc = mox_dkim_verifier_feed(v, msg, len);
	if (rc == MOX_OK)
		rc = mox_dkim_verifier_finish(v);
	while (rc == MOX_OK) {
		mox_dkim_question q;
		mox_dns_answer *ans = NULL;

		st = mox_dkim_verifier_step(v, &q);
		if (st < 0) {
			rc = st;
			break;
		}
		if (st == MOX_DKIM_STEP_DONE)
			break;
		if (st != MOX_DKIM_STEP_QUERY) {
			rc = MOX_ESTATE; /* cannot happen: all data is in */
			break;
		}
		rc = mox_dns_lookup(r, q.name, MOX_DNS_TXT, &ans);
		if (rc == MOX_ENOMEM)
			break;
		rc = mox_dkim_verifier_answer(v, q.id, rc == MOX_OK ? ans : NULL);
		mox_dns_answer_free(ans);
	}
	n = rc == MOX_OK ? mox_dkim_verifier_count(v) : 0;
	if (rc == MOX_OK && n > 0) {
		res = mox__calloc(n, sizeof(*res));
		if (res == NULL)
			rc = MOX_ENOMEM;
		for (i = 0; rc == MOX_OK && i < n; i++) {
			res[i].version = MOX_DKIM_RESULT_VERSION;
			rc = mox_dkim_verifier_result(v, i, &res[i]);
		}
		if (rc != MOX_OK && res != NULL) {
			for (i = 0; i < n; i++)
				mox_dkim_result_release(&res[i]);
			mox__free(res);
			res = NULL;
		}
	}
	mox_dkim_verifier_free(v);
	if (rc != MOX_OK)
		return rc;
	*out = res;
	*nout = n;
	return MOX_OK;
}
