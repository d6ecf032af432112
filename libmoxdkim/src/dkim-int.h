/* SPDX-License-Identifier: MIT */
/*
 * dkim-int.h -- internals of libmoxdkim shared by taglist.c (tag=value
 * lists, base64, dkim-quoted-printable), sig.c (DKIM-Signature parser and
 * formatter), keyrec.c (key records), canon.c (hashes and
 * canonicalization), key.c (private keys, signing and verification
 * primitives), sign.c (the signer), verify.c (the verifier) and text.c
 * (names, Authentication-Results). Also used by the unit tests and the
 * fuzz targets, which link the internal archive.
 */
#ifndef MOX_DKIM_INT_H
#define MOX_DKIM_INT_H

#include <pthread.h>

#include <mox/dkim.h>
#include <mox/message.h>

#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "base.h"

/* Most tags in one tag-list (RFC 6376 3.2). Real signatures have about
 * 12; the bound keeps the duplicate check cheap. */
#define DKIM_MAX_TAGS 128
/* Most header field names in one h= tag. */
#define DKIM_MAX_HNAMES 1024
/* Largest header section the signer accepts (mox_dkim_signer_feed). */
#define DKIM_SIGNER_HEADER_MAX ((size_t)1 << 20)
/* Most header fields the signer and verifier look at. */
#define DKIM_MAX_FIELDS 10000
/* Longest line of a generated DKIM-Signature field, CRLF excluded. */
#define DKIM_FOLD_WIDTH 78

/* --- tag=value lists (RFC 6376 3.2) --- */

struct dkim_tag {
	const uint8_t *name;
	size_t nlen;
	/* The value without surrounding FWS. */
	const uint8_t *val;
	size_t vlen;
	/* The value with surrounding FWS: offsets from the start of the
	 * list, from just after '=' to just before ';' or the end. RFC 6376
	 * 3.7 removes exactly this for b=. */
	size_t raw_off;
	size_t raw_end;
};

/*
 * Split a tag-list. Empty tag-specs (";;", trailing ";") are skipped.
 * Bare LF counts as CRLF in FWS. Duplicate tag names are an error.
 * @return MOX_OK, MOX_ESYNTAX (with *err)
 */
int dkim_taglist_parse(const uint8_t *p, size_t len, struct dkim_tag *tags,
    size_t max, size_t *n, const char **err);

/* Whether a tag's name is the NUL-terminated s (case-sensitive, RFC 6376
 * 3.2). */
bool dkim_tag_is(const struct dkim_tag *t, const char *s);

/* FWS octets: SP, HTAB, CR, LF. */
static inline bool
dkim_is_fws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Decode base64 with FWS anywhere (RFC 6376 2.4, 3.5 b=). Padding must
 * be right; an empty value decodes to nothing. *out (and *text, the
 * value without FWS, NUL-terminated, when text is not NULL) are
 * allocated in a.
 * @return MOX_OK, MOX_ESYNTAX, MOX_ENOMEM
 */
int dkim_b64_decode(mox__arena *a, const uint8_t *p, size_t len,
    uint8_t **out, size_t *outlen, char **text);

/* Base64 of in (RFC 4648 with padding) into out, which needs
 * dkim_b64_len(len) + 1 octets; NUL-terminated. Returns the length. */
size_t dkim_b64_encode(char *out, const uint8_t *in, size_t len);

static inline size_t
dkim_b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/*
 * Decode dkim-quoted-printable (RFC 6376 2.11): =XX hex octets, FWS
 * ignored. The result is NUL-terminated in a; it may hold NUL octets
 * (*outlen says how many octets).
 * @return MOX_OK, MOX_ESYNTAX, MOX_ENOMEM
 */
int dkim_qp_decode(mox__arena *a, const uint8_t *p, size_t len, char **out,
    size_t *outlen);

/* Append the dkim-quoted-printable form of s to b. */
void dkim_qp_encode(mox__buf *b, const uint8_t *s, size_t len);

/* --- hashes --- */

enum dkim_hash_alg {
	DKIM_SHA256 = 0,
	DKIM_SHA1 = 1
};

#if defined(__x86_64__) && defined(__GNUC__)
#define DKIM_HAVE_SHA_NI 1
#else
#define DKIM_HAVE_SHA_NI 0
#endif

/* SHA-256 on the x86 SHA extensions (sha256.c). */
struct dkim_sha256_ni {
	uint32_t st[8];
	uint64_t total;
	size_t n;
	uint8_t buf[64];
};

/* Whether this CPU has the SHA extensions (checked once). */
bool dkim_sha256_ni_available(void);
void dkim_sha256_ni_init(struct dkim_sha256_ni *c);
void dkim_sha256_ni_update(struct dkim_sha256_ni *c, const uint8_t *p,
    size_t len);
void dkim_sha256_ni_final(struct dkim_sha256_ni *c, uint8_t out[32]);

struct dkim_hash {
	int alg;
	bool ni;       /* SHA-256 through dkim_sha256_ni */
	union {
		mbedtls_sha256_context s256;
		mbedtls_sha1_context s1;
		struct dkim_sha256_ni ni;
	} u;
};

void dkim_hash_init(struct dkim_hash *h, int alg);
void dkim_hash_update(struct dkim_hash *h, const void *p, size_t n);
/* Finish into out (32 octets for SHA-256, 20 for SHA-1); returns the
 * length. The context is freed. */
size_t dkim_hash_final(struct dkim_hash *h, uint8_t *out);
void dkim_hash_free(struct dkim_hash *h);

/* The hash of an algorithm (mox_dkim_algorithm). */
static inline int
dkim_alg_hash(int alg)
{
	return alg == MOX_DKIM_RSA_SHA1 ? DKIM_SHA1 : DKIM_SHA256;
}

/* The key type of an algorithm. */
static inline int
dkim_alg_key(int alg)
{
	return alg == MOX_DKIM_ED25519_SHA256 ? MOX_DKIM_KEY_ED25519 :
	    alg == MOX_DKIM_ALG_UNKNOWN ? MOX_DKIM_KEY_UNKNOWN :
	    MOX_DKIM_KEY_RSA;
}

/* --- canonicalization (RFC 6376 3.4) --- */

/* Output of canonicalization: buffered into a hash, and copied into
 * capture when it is set (tests). */
struct dkim_sink {
	struct dkim_hash *h;
	mox__buf *capture;
	size_t n;
	uint8_t buf[1024];
};

void dkim_sink_init(struct dkim_sink *s, struct dkim_hash *h,
    mox__buf *capture);
void dkim_sink_put(struct dkim_sink *s, const void *p, size_t n);
void dkim_sink_flush(struct dkim_sink *s);

/*
 * One header field, canonicalized (RFC 6376 3.4.1, 3.4.2). raw is the
 * field from its name on; its name is raw[0, namelen) and its value
 * raw[valoff, valend) (after the colon, up to the final line end). The
 * octets raw[skip_off, skip_end) of the value are left out (the b= value
 * of a DKIM-Signature, RFC 6376 3.7); skip_off == skip_end for none.
 * With crlf a CRLF ends the output. Bare LF is written as CRLF.
 */
void dkim_canon_header(struct dkim_sink *s, int canon, const uint8_t *raw,
    size_t namelen, size_t valoff, size_t valend, size_t skip_off,
    size_t skip_end, bool crlf);

/*
 * Streaming body canonicalizer and hasher (RFC 6376 3.4.3, 3.4.4, 3.5
 * l=). Holds back only counts: pending empty lines, pending whitespace, a
 * CR at the end of a chunk.
 */
struct dkim_body {
	int canon;
	bool has_limit;
	uint64_t limit;
	/* Octets of canonical body so far (all of it, l= or not). */
	uint64_t total;
	/* Octets hashed (at most limit). */
	uint64_t hashed;
	/* Empty lines held back: dropped at the end of the body. */
	uint64_t pending_crlf;
	bool ws;       /* relaxed: whitespace held back in this line */
	bool content;  /* the current line has output */
	bool cr;       /* the last octet fed was CR */
	struct dkim_hash hash;
	mox__buf *capture;
	size_t n;
	uint8_t buf[8192];
};

void dkim_body_init(struct dkim_body *b, int canon, int hash,
    bool has_limit, uint64_t limit);
void dkim_body_update(struct dkim_body *b, const uint8_t *p, size_t len);
/* Finish: the hash into out (returns its length); *total is the length
 * of the whole canonical body. */
size_t dkim_body_final(struct dkim_body *b, uint8_t *out, uint64_t *total);
void dkim_body_free(struct dkim_body *b);

/* --- header sections --- */

/* Finds the end of a header section fed in chunks: the empty line. */
struct dkim_hdrend {
	int state;
};

/* Octets of p that belong to the header section (the empty line
 * included); *done once it ended. */
size_t dkim_hdrend_scan(struct dkim_hdrend *h, const uint8_t *p, size_t len,
    bool *done);

/* A header field of a buffered header section (offsets into it). */
struct dkim_field {
	size_t off;      /* start of the field (its name) */
	size_t len;      /* raw length with final line end */
	size_t namelen;
	size_t valoff;   /* value, from off */
	size_t valend;
};

/*
 * Index the fields of a header section. Malformed lines are skipped;
 * fields with NUL octets are kept.
 * @return MOX_OK, MOX_ENOMEM, MOX_ELIMIT (more than DKIM_MAX_FIELDS
 *         fields, or the section over max octets)
 */
int dkim_fields_index(const uint8_t *hdr, size_t len, size_t max,
    struct dkim_field **out, size_t *n);

/*
 * Select the fields that h= names sign (RFC 6376 5.4.2): for repeated
 * names from the bottom up. sel[i] is the field index for names[i], or
 * SIZE_MAX when there is none left (a null string).
 */
void dkim_fields_select(const uint8_t *hdr, const struct dkim_field *f,
    size_t nf, const char *const *names, size_t nnames, size_t *sel);

/* --- signatures --- */

enum dkim_sig_flags {
	/* Accept an empty b= (signing from a template). */
	DKIM_SIG_EMPTY_B = 1u << 0
};

struct dkim_sig {
	mox_dkim_signature pub;     /* first: the public view */
	/* The b= value with surrounding FWS, offsets in the parsed text. */
	size_t b_off;
	size_t b_end;
	/* Domain of the identity (i= or d=), A-label. */
	const char *idomain;
	mox__arena arena;
};

int dkim_sig_parse(const uint8_t *p, size_t len, unsigned int flags,
    struct dkim_sig **out, const char **err);
void dkim_sig_free(struct dkim_sig *s);

/* --- key records --- */

struct dkim_keyrec {
	mox_dkim_keyrec pub;        /* first: the public view */
	/* The public key is usable: an RSA key mbedTLS parsed, or 32
	 * octets of Ed25519. */
	bool key_ok;
	bool rsa_init;
	mbedtls_rsa_context rsa;
	mox__arena arena;
};

int dkim_keyrec_parse(const uint8_t *p, size_t len, struct dkim_keyrec **out,
    const char **err);
void dkim_keyrec_free(struct dkim_keyrec *r);

/* --- keys and primitives --- */

struct mox_dkim_key {
	int type;
	unsigned int bits;
	/* RSA: pk is never written after it is made; signers copy it. The
	 * first signer takes lock (trylock) and signs on rsa, a copy that
	 * keeps its blinding values from one signature to the next; a
	 * signer that finds it taken signs on a fresh copy of pk. */
	mbedtls_pk_context pk;
	pthread_mutex_t lock;
	bool lock_init;
	bool rsa_init;
	mbedtls_rsa_context rsa;
	uint8_t ed_sk[64];          /* Ed25519: libsodium's secret key */
	uint8_t ed_pk[32];
};

/* libsodium's initialization, once per process. @return MOX_OK, MOX_EIO */
int dkim_sodium_init(void);

/* Parse an RSA public key: SubjectPublicKeyInfo or PKCS#1 RSAPublicKey
 * DER. ctx must be initialized. @return MOX_OK, MOX_ESYNTAX */
int dkim_rsa_public_parse(mbedtls_rsa_context *ctx, const uint8_t *der,
    size_t len);

/* Sign a digest (of dkim_alg_hash(alg)) into sig, which needs
 * DKIM_SIG_MAX octets (RSA keys up to 8192 bits are read).
 * @return MOX_OK, MOX_ENOMEM, MOX_EINVAL, MOX_EIO */
#define DKIM_SIG_MAX 1024
int dkim_key_sign(const mox_dkim_key *k, const uint8_t *digest,
    size_t dlen, uint8_t *sig, size_t *siglen);

/* Verify b= over a digest with a key record's key. */
bool dkim_keyrec_verify(struct dkim_keyrec *r, int alg,
    const uint8_t *digest, size_t dlen, const uint8_t *sig, size_t siglen);

/* The algorithm a key signs with. */
int dkim_key_alg(const mox_dkim_key *k);

/* --- signer internals --- */

/*
 * Finish a signer with a given DKIM-Signature field instead of the one
 * the options make: field is the complete field ("DKIM-Signature: ...",
 * folded as wanted) whose b= is last and empty. Its h= and c= choose the
 * header fields and header canonicalization; its bh= is used as written.
 * Output: field, the base64 of the signature, CRLF. For reproducing
 * published examples (RFC 8463 appendix A).
 * @return as mox_dkim_signer_finish(), MOX_ESYNTAX (bad template)
 */
int dkim_signer_finish_template(mox_dkim_signer *s, const uint8_t *field,
    size_t len, char **out, size_t *out_len);

/* The body hash a signer computed, once finished (or NULL). */
const uint8_t *dkim_signer_body_hash(const mox_dkim_signer *s, size_t *len);

/* mbedTLS 2.28 and 3.x differ here. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define DKIM_RSA_INIT(ctx) mbedtls_rsa_init(ctx)
#else
#define DKIM_RSA_INIT(ctx) mbedtls_rsa_init((ctx), MBEDTLS_RSA_PKCS_V15, 0)
#endif

#endif
