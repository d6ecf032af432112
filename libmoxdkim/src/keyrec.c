/* SPDX-License-Identifier: MIT */
/*
 * keyrec.c -- DKIM key records (RFC 6376 3.6.1, RFC 8463 4.2): the TXT
 * record at <selector>._domainkey.<domain>.
 */
#include <string.h>

#include "dkim-int.h"

#define HASH_SHA256 ((1u << MOX_DKIM_RSA_SHA256) | \
	(1u << MOX_DKIM_ED25519_SHA256))
#define HASH_SHA1 (1u << MOX_DKIM_RSA_SHA1)

/* Call fn for each item of a colon-separated list, FWS trimmed. */
static void
each_item(const uint8_t *p, size_t n,
    void (*fn)(void *arg, const uint8_t *item, size_t len), void *arg)
{
	size_t i, start = 0;

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
		fn(arg, p + s, e - s);
		start = i + 1;
	}
}

static void
hash_item(void *arg, const uint8_t *item, size_t len)
{
	unsigned int *h = arg;

	/* RFC 6376 3.6.1: unrecognized algorithms are ignored. */
	if (mox__memcaseeq(item, len, "sha256"))
		*h |= HASH_SHA256;
	else if (mox__memcaseeq(item, len, "sha1"))
		*h |= HASH_SHA1;
}

static void
service_item(void *arg, const uint8_t *item, size_t len)
{
	bool *email = arg;

	if (mox__memcaseeq(item, len, "email") || (len == 1 && item[0] == '*'))
		*email = true;
}

static void
flag_item(void *arg, const uint8_t *item, size_t len)
{
	unsigned int *f = arg;

	if (mox__memcaseeq(item, len, "y"))
		*f |= MOX_DKIM_KEY_TESTING;
	else if (mox__memcaseeq(item, len, "s"))
		*f |= MOX_DKIM_KEY_STRICT;
}


/*
 * n= is a qp-section (RFC 6376 3.6.1, RFC 2045 6.7): unlike the
 * dkim-quoted-printable of i= and z=, its spaces are text and stay.
 * Line ends (folding) are dropped.
 */
static int
notes_decode(mox__arena *a, const uint8_t *p, size_t len, char **out,
    size_t *outlen)
{
	size_t i, o = 0;
	char *buf;

	buf = mox__arena_alloc(a, len + 1);
	if (buf == NULL)
		return MOX_ENOMEM;
	for (i = 0; i < len; i++) {
		int hi, lo;

		if (p[i] == '\r' || p[i] == '\n')
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

#define FAIL(msg)                                                           \
	do {                                                                \
		*err = (msg);                                               \
		rc = MOX_ESYNTAX;                                           \
		goto fail;                                                  \
	} while (0)

int
dkim_keyrec_parse(const uint8_t *p, size_t len, struct dkim_keyrec **out,
    const char **err)
{
	struct dkim_tag tags[DKIM_MAX_TAGS];
	struct dkim_keyrec *r;
	mox_dkim_keyrec *pub;
	size_t ntags, i;
	bool have_p = false;
	const char *dummy;
	int rc;

	*out = NULL;
	if (err == NULL)
		err = &dummy;
	*err = NULL;
	rc = dkim_taglist_parse(p, len, tags, DKIM_MAX_TAGS, &ntags, err);
	if (rc != MOX_OK)
		return rc;
	r = mox__calloc(1, sizeof(*r));
	if (r == NULL)
		return MOX_ENOMEM;
	pub = &r->pub;
	pub->key_type = MOX_DKIM_KEY_RSA;
	pub->hashes = HASH_SHA256 | HASH_SHA1;
	pub->email_service = true;

	for (i = 0; i < ntags; i++) {
		const struct dkim_tag *t = &tags[i];

		if (dkim_tag_is(t, "v")) {
			if (i != 0)
				FAIL("v= tag not first");
			if (t->vlen != 5 || memcmp(t->val, "DKIM1", 5) != 0)
				FAIL("unsupported version in v= tag");
		} else if (dkim_tag_is(t, "k")) {
			if (mox__memcaseeq(t->val, t->vlen, "rsa")) {
				pub->key_type = MOX_DKIM_KEY_RSA;
			} else if (mox__memcaseeq(t->val, t->vlen, "ed25519")) {
				pub->key_type = MOX_DKIM_KEY_ED25519;
			} else {
				*err = "unknown key type in k= tag";
				rc = MOX_EUNSUPPORTED;
				goto fail;
			}
		} else if (dkim_tag_is(t, "h")) {
			pub->hashes = 0;
			each_item(t->val, t->vlen, hash_item, &pub->hashes);
		} else if (dkim_tag_is(t, "p")) {
			uint8_t *k;

			have_p = true;
			rc = dkim_b64_decode(&r->arena, t->val, t->vlen, &k,
			    &pub->pubkey_len, NULL);
			if (rc == MOX_ENOMEM)
				goto fail;
			if (rc != MOX_OK)
				FAIL("invalid base64 in p= tag");
			pub->pubkey = k;
		} else if (dkim_tag_is(t, "s")) {
			pub->email_service = false;
			each_item(t->val, t->vlen, service_item,
			    &pub->email_service);
		} else if (dkim_tag_is(t, "t")) {
			each_item(t->val, t->vlen, flag_item, &pub->flags);
		} else if (dkim_tag_is(t, "n")) {
			char *notes;
			size_t nlen;

			rc = notes_decode(&r->arena, t->val, t->vlen, &notes,
			    &nlen);
			if (rc == MOX_ENOMEM)
				goto fail;
			if (rc != MOX_OK)
				FAIL("invalid n= tag");
			pub->notes = notes;
		}
	}
	if (!have_p)
		FAIL("missing p= tag");
	pub->revoked = pub->pubkey_len == 0;
	if (pub->revoked) {
		/* Nothing to check. */
	} else if (pub->key_type == MOX_DKIM_KEY_ED25519) {
		r->key_ok = pub->pubkey_len == 32;
	} else {
		DKIM_RSA_INIT(&r->rsa);
		r->rsa_init = true;
		rc = dkim_rsa_public_parse(&r->rsa, pub->pubkey,
		    pub->pubkey_len);
		if (rc == MOX_ENOMEM)
			goto fail;
		if (rc == MOX_OK) {
			r->key_ok = true;
			pub->rsa_bits = (unsigned int)mbedtls_rsa_get_len(
			    &r->rsa) * 8;
		}
	}
	*out = r;
	return MOX_OK;

fail:
	if (rc == MOX_ENOMEM)
		*err = "out of memory";
	dkim_keyrec_free(r);
	return rc;
}

void
dkim_keyrec_free(struct dkim_keyrec *r)
{
	if (r == NULL)
		return;
	if (r->rsa_init)
		mbedtls_rsa_free(&r->rsa);
	mox__arena_free(&r->arena);
	mox__free(r);
}

int
mox_dkim_keyrec_parse(mox_dkim_keyrec **out, const uint8_t *p, size_t len,
    const char **err)
{
	struct dkim_keyrec *r;
	int rc;

	if (err != NULL)
		*err = NULL;
	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (p == NULL && len > 0)
		return MOX_EINVAL;
	rc = dkim_keyrec_parse(p != NULL ? p : (const uint8_t *)"", len, &r,
	    err);
	if (rc != MOX_OK)
		return rc;
	*out = &r->pub;
	return MOX_OK;
}

void
mox_dkim_keyrec_free(mox_dkim_keyrec *r)
{
	dkim_keyrec_free((struct dkim_keyrec *)(void *)r);
}
