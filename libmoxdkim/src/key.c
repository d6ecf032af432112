/* SPDX-License-Identifier: MIT */
/*
 * key.c -- private keys (generation, PEM PKCS#8 / PKCS#1 in and PKCS#8
 * out, RFC 8410 for Ed25519), the TXT record that publishes a key, and
 * the signing and verification primitives: RSASSA-PKCS1-v1_5 (mbedTLS)
 * and Ed25519 over the SHA-256 digest of the header data (libsodium,
 * RFC 8463 3).
 */
#include <pthread.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <sodium.h>

#include "dkim-int.h"

/* --- libsodium --- */

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status = MOX_EIO;

static void
sodium_init_once(void)
{
	sodium_status = sodium_init() < 0 ? MOX_EIO : MOX_OK;
}

int
dkim_sodium_init(void)
{
	if (pthread_once(&sodium_once, sodium_init_once) != 0)
		return MOX_EIO;
	return sodium_status;
}

/* Randomness for RSA blinding: the operating system's, through
 * libsodium (thread-safe, no state of ours). */
static int
os_random(void *arg, unsigned char *out, size_t len)
{
	(void)arg;
	randombytes_buf(out, len);
	return 0;
}

static unsigned char *
unconst(const uint8_t *p)
{
	/* mbedTLS parsers take unsigned char ** but do not write. */
	return (unsigned char *)(uintptr_t)p;
}

/* --- RSA public keys --- */

int
dkim_rsa_public_parse(mbedtls_rsa_context *ctx, const uint8_t *der,
    size_t len)
{
	const unsigned char *end = der + len;
	unsigned char *p = unconst(der);
	mbedtls_pk_context pk;
	mbedtls_mpi n, e;
	size_t l;
	int rc;

	/* SubjectPublicKeyInfo (RFC 6376 3.6.1). */
	mbedtls_pk_init(&pk);
	if (mbedtls_pk_parse_subpubkey(&p, end, &pk) == 0) {
		rc = MOX_ESYNTAX;
		if (p == end && mbedtls_pk_get_type(&pk) == MBEDTLS_PK_RSA)
			rc = mbedtls_rsa_copy(ctx, mbedtls_pk_rsa(pk)) == 0 ?
			    MOX_OK : MOX_ENOMEM;
		mbedtls_pk_free(&pk);
		return rc;
	}
	mbedtls_pk_free(&pk);

	/* A bare RSAPublicKey (RFC 8017 A.1.1), as some publish. */
	p = unconst(der);
	if (mbedtls_asn1_get_tag(&p, end, &l,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
	    l != (size_t)(end - p))
		return MOX_ESYNTAX;
	mbedtls_mpi_init(&n);
	mbedtls_mpi_init(&e);
	rc = MOX_ESYNTAX;
	if (mbedtls_asn1_get_mpi(&p, end, &n) == 0 &&
	    mbedtls_asn1_get_mpi(&p, end, &e) == 0 && p == end &&
	    mbedtls_rsa_import(ctx, &n, NULL, NULL, NULL, &e) == 0 &&
	    mbedtls_rsa_complete(ctx) == 0 && mbedtls_rsa_check_pubkey(ctx) == 0)
		rc = MOX_OK;
	mbedtls_mpi_free(&n);
	mbedtls_mpi_free(&e);
	return rc;
}

/* --- signing and verification --- */

int
dkim_key_alg(const mox_dkim_key *k)
{
	return k->type == MOX_DKIM_KEY_ED25519 ? MOX_DKIM_ED25519_SHA256 :
	    MOX_DKIM_RSA_SHA256;
}

int
dkim_key_sign(const mox_dkim_key *k, const uint8_t *digest, size_t dlen,
    uint8_t *sig, size_t *siglen)
{
	mbedtls_rsa_context tmp, *ctx;
	mox_dkim_key *mk = (mox_dkim_key *)(uintptr_t)k;
	bool locked;
	int rc;

	if (k->type == MOX_DKIM_KEY_ED25519) {
		unsigned long long l = 0;

		if (dkim_sodium_init() != MOX_OK)
			return MOX_EIO;
		crypto_sign_detached(sig, &l, digest, dlen, k->ed_sk);
		*siglen = (size_t)l;
		return MOX_OK;
	}
	/* The key is shared between signers, maybe on several threads, and
	 * mbedTLS serializes private operations on one context. The first
	 * signer signs on the key's context (whose blinding values then
	 * need only an update, not a new inversion); one that finds it
	 * busy signs on a copy, in parallel. */
	locked = k->rsa_init && pthread_mutex_trylock(&mk->lock) == 0;
	if (locked) {
		ctx = &mk->rsa;
	} else {
		DKIM_RSA_INIT(&tmp);
		if (mbedtls_rsa_copy(&tmp, mbedtls_pk_rsa(k->pk)) != 0) {
			mbedtls_rsa_free(&tmp);
			return MOX_ENOMEM;
		}
		ctx = &tmp;
	}
	if (mbedtls_rsa_get_len(ctx) > DKIM_SIG_MAX) {
		rc = -1;
	} else {
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
		rc = mbedtls_rsa_pkcs1_sign(ctx, os_random, NULL,
		    dlen == 20 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256,
		    (unsigned int)dlen, digest, sig);
#else
		rc = mbedtls_rsa_pkcs1_sign(ctx, os_random, NULL,
		    MBEDTLS_RSA_PRIVATE,
		    dlen == 20 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256,
		    (unsigned int)dlen, digest, sig);
#endif
		*siglen = mbedtls_rsa_get_len(ctx);
	}
	if (locked)
		pthread_mutex_unlock(&mk->lock);
	else
		mbedtls_rsa_free(&tmp);
	if (rc == MBEDTLS_ERR_MPI_ALLOC_FAILED)
		return MOX_ENOMEM;
	return rc == 0 ? MOX_OK : MOX_EINVAL;
}

bool
dkim_keyrec_verify(struct dkim_keyrec *r, int alg, const uint8_t *digest,
    size_t dlen, const uint8_t *sig, size_t siglen)
{
	if (!r->key_ok)
		return false;
	if (alg == MOX_DKIM_ED25519_SHA256) {
		if (siglen != crypto_sign_BYTES ||
		    r->pub.pubkey_len != crypto_sign_PUBLICKEYBYTES ||
		    dkim_sodium_init() != MOX_OK)
			return false;
		return crypto_sign_verify_detached(sig, digest, dlen,
		    r->pub.pubkey) == 0;
	}
	/* mbedTLS reads as many octets of sig as the modulus has. */
	if (siglen != mbedtls_rsa_get_len(&r->rsa))
		return false;
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	return mbedtls_rsa_pkcs1_verify(&r->rsa,
	    dlen == 20 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256,
	    (unsigned int)dlen, digest, sig) == 0;
#else
	return mbedtls_rsa_pkcs1_verify(&r->rsa, NULL, NULL,
	    MBEDTLS_RSA_PUBLIC,
	    dlen == 20 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256,
	    (unsigned int)dlen, digest, sig) == 0;
#endif
}

/* --- keys --- */

static mox_dkim_key *
key_alloc(int type)
{
	mox_dkim_key *k = mox__calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->type = type;
	mbedtls_pk_init(&k->pk);
	if (type == MOX_DKIM_KEY_RSA) {
		if (pthread_mutex_init(&k->lock, NULL) != 0) {
			mox__free(k);
			return NULL;
		}
		k->lock_init = true;
	}
	return k;
}

/* The RSA context signers share (see struct mox_dkim_key). */
static int
rsa_ready(mox_dkim_key *k)
{
	DKIM_RSA_INIT(&k->rsa);
	k->rsa_init = true;
	if (mbedtls_rsa_copy(&k->rsa, mbedtls_pk_rsa(k->pk)) != 0)
		return MOX_ENOMEM;
	k->bits = (unsigned int)mbedtls_pk_get_bitlen(&k->pk);
	return MOX_OK;
}

void
mox_dkim_key_free(mox_dkim_key *k)
{
	if (k == NULL)
		return;
	mbedtls_pk_free(&k->pk);
	if (k->rsa_init)
		mbedtls_rsa_free(&k->rsa);
	if (k->lock_init)
		pthread_mutex_destroy(&k->lock);
	sodium_memzero(k->ed_sk, sizeof(k->ed_sk));
	mox__free(k);
}

int
mox_dkim_key_get_type(const mox_dkim_key *k)
{
	return k != NULL ? k->type : MOX_DKIM_KEY_UNKNOWN;
}

unsigned int
mox_dkim_key_bits(const mox_dkim_key *k)
{
	return k != NULL ? k->bits : 0;
}

void
mox_dkim_free(void *p)
{
	mox__free(p);
}

static int
ed25519_from_seed(mox_dkim_key **out, const uint8_t seed[32])
{
	mox_dkim_key *k;

	if (dkim_sodium_init() != MOX_OK)
		return MOX_EIO;
	k = key_alloc(MOX_DKIM_KEY_ED25519);
	if (k == NULL)
		return MOX_ENOMEM;
	crypto_sign_seed_keypair(k->ed_pk, k->ed_sk, seed);
	k->bits = 256;
	*out = k;
	return MOX_OK;
}

int
mox_dkim_key_generate(mox_dkim_key **out, int type, unsigned int bits)
{
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mox_dkim_key *k;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (type == MOX_DKIM_KEY_ED25519) {
		uint8_t seed[32];

		if (dkim_sodium_init() != MOX_OK)
			return MOX_EIO;
		randombytes_buf(seed, sizeof(seed));
		rc = ed25519_from_seed(out, seed);
		sodium_memzero(seed, sizeof(seed));
		return rc;
	}
	if (type != MOX_DKIM_KEY_RSA)
		return MOX_EINVAL;
	if (bits == 0)
		bits = 2048;
	if (bits < 1024 || bits > 4096 || bits % 8 != 0)
		return MOX_EINVAL;
	k = key_alloc(MOX_DKIM_KEY_RSA);
	if (k == NULL)
		return MOX_ENOMEM;
	if (mbedtls_pk_setup(&k->pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0) {
		mox_dkim_key_free(k);
		return MOX_ENOMEM;
	}
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent,
	    (const unsigned char *)"mox-dkim-keygen", 15);
	if (rc != 0) {
		rc = MOX_EIO;
	} else {
		rc = mbedtls_rsa_gen_key(mbedtls_pk_rsa(k->pk),
		    mbedtls_ctr_drbg_random, &drbg, bits, 65537);
		rc = rc == 0 ? MOX_OK : rc == MBEDTLS_ERR_MPI_ALLOC_FAILED ?
		    MOX_ENOMEM : MOX_EIO;
	}
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	if (rc == MOX_OK)
		rc = rsa_ready(k);
	if (rc != MOX_OK) {
		mox_dkim_key_free(k);
		return rc;
	}
	*out = k;
	return MOX_OK;
}

/* --- PEM --- */

/* RFC 8410: id-Ed25519 is 1.3.101.112. */
static const uint8_t oid_ed25519[] = { 0x2b, 0x65, 0x70 };
/* PKCS#8 PrivateKeyInfo of an Ed25519 seed: everything before it. */
static const uint8_t ed25519_pkcs8_prefix[] = {
	0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
	0x70, 0x04, 0x22, 0x04, 0x20
};

static int
rsa_from_der(mox_dkim_key **out, const uint8_t *der, size_t len)
{
	mox_dkim_key *k;
	int rc;

	k = key_alloc(MOX_DKIM_KEY_RSA);
	if (k == NULL)
		return MOX_ENOMEM;
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	rc = mbedtls_pk_parse_key(&k->pk, der, len, NULL, 0, os_random, NULL);
#else
	rc = mbedtls_pk_parse_key(&k->pk, der, len, NULL, 0);
#endif
	if (rc != 0) {
		mox_dkim_key_free(k);
		if (rc == MBEDTLS_ERR_PK_ALLOC_FAILED)
			return MOX_ENOMEM;
		if (rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED ||
		    rc == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG)
			return MOX_EUNSUPPORTED;
		return MOX_ESYNTAX;
	}
	if (mbedtls_pk_get_type(&k->pk) != MBEDTLS_PK_RSA) {
		mox_dkim_key_free(k);
		return MOX_EUNSUPPORTED;
	}
	k->bits = (unsigned int)mbedtls_pk_get_bitlen(&k->pk);
	if (k->bits < 512 || mbedtls_rsa_get_len(mbedtls_pk_rsa(k->pk)) >
	    DKIM_SIG_MAX) {
		mox_dkim_key_free(k);
		return MOX_EUNSUPPORTED;
	}
	if (rsa_ready(k) != MOX_OK) {
		mox_dkim_key_free(k);
		return MOX_ENOMEM;
	}
	*out = k;
	return MOX_OK;
}

/* A PKCS#8 PrivateKeyInfo (RFC 5958): RSA or Ed25519. */
static int
pkcs8_parse(mox_dkim_key **out, const uint8_t *der, size_t len)
{
	const unsigned char *end = der + len, *seqend;
	unsigned char *p = unconst(der);
	mbedtls_asn1_buf alg, params;
	size_t l;
	int version;

	if (mbedtls_asn1_get_tag(&p, end, &l,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
		return MOX_ESYNTAX;
	seqend = p + l;
	if (mbedtls_asn1_get_int(&p, seqend, &version) != 0 ||
	    (version != 0 && version != 1))
		return MOX_ESYNTAX;
	memset(&params, 0, sizeof(params));
	if (mbedtls_asn1_get_alg(&p, seqend, &alg, &params) != 0)
		return MOX_ESYNTAX;
	if (alg.len == sizeof(oid_ed25519) &&
	    memcmp(alg.p, oid_ed25519, sizeof(oid_ed25519)) == 0) {
		/* privateKey OCTET STRING { CurvePrivateKey OCTET STRING } */
		if (params.tag != 0 && params.tag != MBEDTLS_ASN1_NULL)
			return MOX_ESYNTAX;
		if (mbedtls_asn1_get_tag(&p, seqend, &l,
		    MBEDTLS_ASN1_OCTET_STRING) != 0 ||
		    mbedtls_asn1_get_tag(&p, p + l, &l,
		    MBEDTLS_ASN1_OCTET_STRING) != 0 || l != 32)
			return MOX_ESYNTAX;
		return ed25519_from_seed(out, p);
	}
	if (alg.len == MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS1_RSA) &&
	    memcmp(alg.p, MBEDTLS_OID_PKCS1_RSA, alg.len) == 0)
		return rsa_from_der(out, der, len);
	return MOX_EUNSUPPORTED;
}

static bool
starts(const uint8_t *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	return len >= n && memcmp(p, s, n) == 0;
}

static const uint8_t *
find(const uint8_t *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	while (len >= n) {
		const uint8_t *q = memchr(p, s[0], len - n + 1);

		if (q == NULL)
			return NULL;
		if (memcmp(q, s, n) == 0)
			return q;
		len -= (size_t)(q - p) + 1;
		p = q + 1;
	}
	return NULL;
}

int
mox_dkim_key_from_pem(mox_dkim_key **out, const uint8_t *pem, size_t len)
{
	const uint8_t *p = pem, *end;
	int rc = MOX_ESYNTAX;

	if (out == NULL || (pem == NULL && len > 0))
		return MOX_EINVAL;
	end = pem + len;
	*out = NULL;
	while (p < end) {
		const uint8_t *b, *lab, *labend, *body, *e;
		char endmark[128];
		mox__arena a = MOX__ARENA_INIT;
		uint8_t *der;
		size_t derlen, lablen;
		bool headers;
		int r;

		b = find(p, (size_t)(end - p), "-----BEGIN ");
		if (b == NULL)
			break;
		lab = b + 11;
		labend = find(lab, (size_t)(end - lab), "-----");
		if (labend == NULL || labend - lab > 64)
			break;
		lablen = (size_t)(labend - lab);
		body = labend + 5;
		snprintf(endmark, sizeof(endmark), "-----END %.*s-----",
		    (int)lablen, (const char *)lab);
		e = find(body, (size_t)(end - body), endmark);
		if (e == NULL)
			break;
		p = e + strlen(endmark);
		/* RFC 1421 headers (Proc-Type: 4,ENCRYPTED) mean an
		 * encrypted key. */
		headers = memchr(body, ':', (size_t)(e - body)) != NULL;
		if (lablen == 11 && starts(lab, lablen, "PRIVATE KEY")) {
			if (headers) {
				rc = MOX_EUNSUPPORTED;
				continue;
			}
		} else if (lablen == 15 && starts(lab, lablen,
		    "RSA PRIVATE KEY")) {
			if (headers) {
				rc = MOX_EUNSUPPORTED;
				continue;
			}
		} else {
			/* Other private keys (encrypted, EC, OpenSSH) we do
			 * not read; other blocks (certificates, public keys,
			 * parameters) we skip. */
			if (find(lab, lablen, "PRIVATE KEY") != NULL)
				rc = MOX_EUNSUPPORTED;
			continue;
		}
		r = dkim_b64_decode(&a, body, (size_t)(e - body), &der,
		    &derlen, NULL);
		if (r == MOX_OK) {
			if (lablen == 11)
				r = pkcs8_parse(out, der, derlen);
			else
				r = rsa_from_der(out, der, derlen);
			sodium_memzero(der, derlen);
		} else if (r != MOX_ENOMEM) {
			r = MOX_ESYNTAX;
		}
		mox__arena_free(&a);
		return r;
	}
	return rc;
}

/* DER length octets of n. */
static size_t
der_len(uint8_t *out, size_t n)
{
	if (n < 0x80) {
		out[0] = (uint8_t)n;
		return 1;
	}
	if (n < 0x100) {
		out[0] = 0x81;
		out[1] = (uint8_t)n;
		return 2;
	}
	out[0] = 0x82;
	out[1] = (uint8_t)(n >> 8);
	out[2] = (uint8_t)n;
	return 3;
}

static int
pem_encode(char **out, size_t *out_len, const uint8_t *der, size_t len)
{
	mox__buf b = MOX__BUF_INIT;
	char line[65];
	size_t i;

	mox__buf_adds(&b, "-----BEGIN PRIVATE KEY-----\n");
	for (i = 0; i < len; i += 48) {
		size_t n = len - i > 48 ? 48 : len - i;

		dkim_b64_encode(line, der + i, n);
		mox__buf_adds(&b, line);
		mox__buf_addc(&b, '\n');
		sodium_memzero(line, sizeof(line));
	}
	mox__buf_adds(&b, "-----END PRIVATE KEY-----\n");
	if (b.err != 0) {
		if (b.p != NULL)
			sodium_memzero(b.p, b.cap);
		mox__buf_free(&b);
		return MOX_ENOMEM;
	}
	*out = mox__buf_detach(&b, out_len);
	return MOX_OK;
}

int
mox_dkim_key_to_pem(char **out, size_t *out_len, const mox_dkim_key *k)
{
	size_t len = 0, cap, inner, o;
	uint8_t *buf, hdr[32];
	int n, rc;

	if (out == NULL || k == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (out_len == NULL)
		out_len = &len;
	if (k->type == MOX_DKIM_KEY_ED25519) {
		uint8_t der[sizeof(ed25519_pkcs8_prefix) + 32];

		memcpy(der, ed25519_pkcs8_prefix, sizeof(ed25519_pkcs8_prefix));
		crypto_sign_ed25519_sk_to_seed(der +
		    sizeof(ed25519_pkcs8_prefix), k->ed_sk);
		rc = pem_encode(out, out_len, der, sizeof(der));
		sodium_memzero(der, sizeof(der));
		return rc;
	}
	/* RSA: PKCS#1 RSAPrivateKey from mbedTLS, wrapped by hand in
	 * PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING }. */
	cap = 16384;
	buf = mox__malloc(cap);
	if (buf == NULL)
		return MOX_ENOMEM;
	n = mbedtls_pk_write_key_der((mbedtls_pk_context *)(uintptr_t)&k->pk,
	    buf + 64, cap - 64);
	if (n <= 0) {
		mox__free(buf);
		return n == MBEDTLS_ERR_MPI_ALLOC_FAILED ? MOX_ENOMEM :
		    MOX_EINVAL;
	}
	/* The DER is at the end of buf + 64 .. buf + cap. */
	{
		static const uint8_t algid[] = { 0x02, 0x01, 0x00, 0x30, 0x0d,
			0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
			0x01, 0x01, 0x05, 0x00 };
		uint8_t octlen[4], seqlen[4];
		size_t ol, sl, start = cap - (size_t)n;

		ol = der_len(octlen, (size_t)n);
		inner = sizeof(algid) + 1 + ol + (size_t)n;
		sl = der_len(seqlen, inner);
		o = 0;
		hdr[o++] = 0x30;
		memcpy(hdr + o, seqlen, sl);
		o += sl;
		memcpy(hdr + o, algid, sizeof(algid));
		o += sizeof(algid);
		hdr[o++] = 0x04;
		memcpy(hdr + o, octlen, ol);
		o += ol;
		memcpy(buf + start - o, hdr, o);
		rc = pem_encode(out, out_len, buf + start - o, o + (size_t)n);
	}
	sodium_memzero(buf, cap);
	mox__free(buf);
	return rc;
}

int
mox_dkim_key_txt(char **out, size_t *out_len, const mox_dkim_key *k,
    bool split)
{
	mox__buf t = MOX__BUF_INIT, q = MOX__BUF_INIT;
	uint8_t *der;
	const uint8_t *pub;
	size_t publen, len = 0, i;
	char *b64;
	int n;

	if (out == NULL || k == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (out_len == NULL)
		out_len = &len;
	der = mox__malloc(4096);
	if (der == NULL)
		return MOX_ENOMEM;
	if (k->type == MOX_DKIM_KEY_ED25519) {
		pub = k->ed_pk;
		publen = sizeof(k->ed_pk);
		mox__buf_adds(&t, "v=DKIM1; k=ed25519; p=");
	} else {
		n = mbedtls_pk_write_pubkey_der(
		    (mbedtls_pk_context *)(uintptr_t)&k->pk, der, 4096);
		if (n <= 0) {
			mox__free(der);
			return MOX_EINVAL;
		}
		pub = der + 4096 - n;
		publen = (size_t)n;
		mox__buf_adds(&t, "v=DKIM1; h=sha256; p=");
	}
	b64 = mox__malloc(dkim_b64_len(publen) + 1);
	if (b64 == NULL) {
		mox__free(der);
		mox__buf_free(&t);
		return MOX_ENOMEM;
	}
	dkim_b64_encode(b64, pub, publen);
	mox__buf_adds(&t, b64);
	mox__free(b64);
	mox__free(der);
	if (t.err != 0) {
		mox__buf_free(&t);
		return MOX_ENOMEM;
	}
	if (!split) {
		*out = mox__buf_detach(&t, out_len);
		return MOX_OK;
	}
	/* Zone-file character-strings of at most 255 octets (RFC 1035
	 * 3.3); the text has no '"' or '\\' to escape. */
	for (i = 0; i < t.len; i += 255) {
		size_t m = t.len - i > 255 ? 255 : t.len - i;

		if (i > 0)
			mox__buf_addc(&q, ' ');
		mox__buf_addc(&q, '"');
		mox__buf_add(&q, t.p + i, m);
		mox__buf_addc(&q, '"');
	}
	mox__buf_free(&t);
	if (q.err != 0) {
		mox__buf_free(&q);
		return MOX_ENOMEM;
	}
	*out = mox__buf_detach(&q, out_len);
	return MOX_OK;
}
