/* SPDX-License-Identifier: MIT */
/**
 * mox/dkim.h -- DomainKeys Identified Mail (RFC 6376, RFC 8301, RFC 8463):
 * DKIM-Signature and key record parsing and formatting, signing and
 * verification with rsa-sha256, ed25519-sha256 (and rsa-sha1 for
 * verification when allowed), streaming and one-call forms, key
 * generation and PEM/TXT conversion, Authentication-Results text.
 *
 * Threads: a mox_dkim_signer or mox_dkim_verifier is used by one thread at
 * a time; different ones are independent. A mox_dkim_key, a parsed
 * mox_dkim_signature and a parsed mox_dkim_keyrec are immutable and may be
 * shared by any number of threads (a key may sign in many signers at
 * once). mox_dkim_verify() is thread-safe when its resolver is. There is
 * no global state; libsodium and mbedTLS are initialized inside (with
 * pthread_once where needed).
 *
 * Messages are (const uint8_t *, size_t), in chunks split anywhere. Line
 * ends may be CRLF or bare LF: bare LF is treated as CRLF, as the message
 * would be on the wire (RFC 5322 2.3; what OpenDKIM and dkimpy do for
 * local input).
 *
 * Verdicts are results: verification returns MOX_OK with per-signature
 * verdicts (fail, permerror, temperror ...). A negative status means the
 * call failed (bad arguments, out of memory, a call in the wrong state).
 */
#ifndef MOX_DKIM_H
#define MOX_DKIM_H

#include <mox/common.h>
#include <mox/dns.h>

MOX_BEGIN_DECLS

/* --- opaque types --- */

/** A private key for signing (RSA or Ed25519). Owned by the caller; free
 * with mox_dkim_key_free(). Immutable. */
typedef struct mox_dkim_key mox_dkim_key;

/** A streaming signer. Free with mox_dkim_signer_free(). */
typedef struct mox_dkim_signer mox_dkim_signer;

/** A streaming, resumable verifier. Free with mox_dkim_verifier_free(). */
typedef struct mox_dkim_verifier mox_dkim_verifier;

/* --- enums --- */

/** Signing algorithms (a= tag). */
typedef enum mox_dkim_algorithm {
	MOX_DKIM_ALG_UNKNOWN = 0,
	MOX_DKIM_RSA_SHA256 = 1,
	MOX_DKIM_ED25519_SHA256 = 2,
	/** Verification only, and only with MOX_DKIM_VERIFY_ALLOW_SHA1
	 * (RFC 8301 3.1); otherwise such a signature is permerror with
	 * reason "rsa-sha1 not allowed". */
	MOX_DKIM_RSA_SHA1 = 3
} mox_dkim_algorithm;

/** Key types (k= tag). */
typedef enum mox_dkim_key_type {
	MOX_DKIM_KEY_UNKNOWN = 0,
	MOX_DKIM_KEY_RSA = 1,
	MOX_DKIM_KEY_ED25519 = 2
} mox_dkim_key_type;

/** Canonicalization algorithms (c= tag). */
typedef enum mox_dkim_canon {
	MOX_DKIM_SIMPLE = 0,
	MOX_DKIM_RELAXED = 1
} mox_dkim_canon;

/** Per-signature verdicts, with RFC 8601 names (mox_dkim_verdict_name()). */
typedef enum mox_dkim_verdict {
	MOX_DKIM_NONE = 0,
	MOX_DKIM_PASS = 1,
	MOX_DKIM_FAIL = 2,
	MOX_DKIM_NEUTRAL = 3,
	MOX_DKIM_POLICY = 4,
	MOX_DKIM_TEMPERROR = 5,
	MOX_DKIM_PERMERROR = 6
} mox_dkim_verdict;

/** Flags of mox_dkim_keyrec (t= tag, RFC 6376 3.6.1). */
enum mox_dkim_keyrec_flags {
	/** t=y: the domain is testing DKIM. */
	MOX_DKIM_KEY_TESTING = 1u << 0,
	/** t=s: i= must be in exactly d= (no subdomain). */
	MOX_DKIM_KEY_STRICT = 1u << 1
};

/** Flags of mox_dkim_verify_options. */
enum mox_dkim_verify_flags {
	/** Accept rsa-sha1 signatures (RFC 8301 says verifiers must not
	 * consider them valid; off by default). */
	MOX_DKIM_VERIFY_ALLOW_SHA1 = 1u << 0,
	/** Accept signatures with l= (body length). By default a signature
	 * with l= that verifies gets verdict policy, reason "l= not
	 * allowed", because content after the signed length is unsigned (as
	 * mox does). */
	MOX_DKIM_VERIFY_ALLOW_LENGTH = 1u << 1,
	/** Do not reject an expired signature (x= in the past). Without
	 * it such a signature is permerror "signature expired" (RFC 6376
	 * 6.1.1 PERMFAIL), as is one whose t= is further in the future
	 * than max_clock_skew ("signature in the future"). */
	MOX_DKIM_VERIFY_IGNORE_EXPIRY = 1u << 2
};

/** What mox_dkim_verifier_step() wants next. */
typedef enum mox_dkim_step {
	/** Every signature has its verdict: read them. This can come
	 * before mox_dkim_verifier_finish() when no signature needs the
	 * body any more (none at all, or all decided without it); feeding
	 * the rest is then allowed and does nothing. */
	MOX_DKIM_STEP_DONE = 0,
	/** Look up the TXT record of the question and give the answer with
	 * mox_dkim_verifier_answer(). Questions may be asked while the body
	 * is still being fed; answers may come in any order. */
	MOX_DKIM_STEP_QUERY = 1,
	/** Feed more of the message (or call mox_dkim_verifier_finish()
	 * when it has all been fed). */
	MOX_DKIM_STEP_NEED_DATA = 2,
	/** Every question was asked and is unanswered, and all data is in:
	 * answers are due. */
	MOX_DKIM_STEP_WAIT = 3
} mox_dkim_step;

/* --- option structs and caller-provided structs --- */

/**
 * A parsed DKIM-Signature (RFC 6376 3.5). Allocated by
 * mox_dkim_signature_parse(); free with mox_dkim_signature_free(). Every
 * string is NUL-terminated and lives as long as the struct. Fields may be
 * appended in later versions.
 */
typedef struct mox_dkim_signature {
	/** v=, always 1 after a successful parse. */
	int version;
	/** a=: mox_dkim_algorithm; algorithm_name as written, lowercase. */
	int algorithm;
	const char *algorithm_name;
	/** c=: header and body canonicalization (simple when absent). */
	int header_canon;
	int body_canon;
	/** d= and s=, lowercase A-labels as written (U-labels converted). */
	const char *domain;
	const char *selector;
	/** i= decoded (dkim-quoted-printable), or NULL when absent (the
	 * default is "@" domain). */
	const char *identity;
	/** h=: header field names as written, in order. */
	const char *const *headers;
	size_t nheaders;
	/** b= and bh= decoded. */
	const uint8_t *b;
	size_t b_len;
	const uint8_t *bh;
	size_t bh_len;
	/** b= as written with FWS removed (base64): for header.b in
	 * Authentication-Results. */
	const char *b_text;
	/** l=; has_length false when absent. */
	bool has_length;
	uint64_t length;
	/** t= and x=; has_* false when absent. */
	bool has_timestamp;
	int64_t timestamp;
	bool has_expiration;
	int64_t expiration;
	/** q= as written ("dns/txt"), NULL when absent. */
	const char *query_methods;
	/** z= decoded copied header fields, joined with '|', NULL when
	 * absent. */
	const char *copied_headers;
} mox_dkim_signature;

/**
 * A parsed key record (RFC 6376 3.6.1), from the TXT record at
 * "<selector>._domainkey.<domain>". Allocated by mox_dkim_keyrec_parse();
 * free with mox_dkim_keyrec_free(). Fields may be appended.
 */
typedef struct mox_dkim_keyrec {
	/** k=: mox_dkim_key_type (rsa when absent). */
	int key_type;
	/** h=: hash algorithms allowed, bits (1 << MOX_DKIM_RSA_SHA256 ...):
	 * sha256 enables rsa-sha256 and ed25519-sha256, sha1 enables
	 * rsa-sha1; all when absent. */
	unsigned int hashes;
	/** s=: whether service "email" (or "*") is allowed; true when
	 * absent. */
	bool email_service;
	/** mox_dkim_keyrec_flags (t=). */
	unsigned int flags;
	/** p= decoded: for RSA a DER SubjectPublicKeyInfo (or a bare PKCS#1
	 * RSAPublicKey, which some publish), for Ed25519 the 32-octet key.
	 * Empty (revoked) when p= is empty. */
	const uint8_t *pubkey;
	size_t pubkey_len;
	bool revoked;
	/** RSA modulus size in bits (0 for Ed25519 or when unparsable). */
	unsigned int rsa_bits;
	/** n= notes, NULL when absent. */
	const char *notes;
} mox_dkim_keyrec;

/** Signing options. Initialize with MOX_DKIM_SIGN_OPTIONS_INIT. Strings
 * and the key are borrowed for the duration of mox_dkim_signer_new() or
 * mox_dkim_sign() only (copied, the key referenced until free). */
typedef struct mox_dkim_sign_options {
	unsigned int version;      /**< MOX_DKIM_SIGN_OPTIONS_VERSION */
	/** d= and s=; may be UTF-8 (converted to A-labels). Required. */
	const char *domain;
	const char *selector;
	/** i=, or NULL to leave it out. Must be in domain or a subdomain. */
	const char *identity;
	/** The key; its type decides a= (rsa-sha256 or ed25519-sha256). The
	 * signer keeps a reference: the key must outlive the signer. */
	const mox_dkim_key *key;
	/** c= (relaxed/relaxed by default, as mox signs). */
	int header_canon;
	int body_canon;
	/** Header field names to sign (h=), or NULL for the default list:
	 * From, To, Cc, Reply-To, Subject, Date, Message-ID, In-Reply-To,
	 * References, MIME-Version, Content-Type, Content-Transfer-Encoding,
	 * List-Id, List-Unsubscribe, List-Unsubscribe-Post. Each name is
	 * signed as often as it occurs in the message; names of the default
	 * list that do not occur are left out, names of a given list that
	 * do not occur are signed once (as absent). A given list must
	 * include From. h= lists the names in this order, a name's
	 * repetitions together. */
	const char *const *headers;
	size_t nheaders;
	/** Oversign: list each of these names once more than it occurs
	 * (when it is signed at all), so that adding another such field
	 * breaks the signature (RFC 6376 8.15). NULL for the default list:
	 * From, Reply-To, Subject, Date, To, Cc. A non-NULL pointer with
	 * noversign 0 oversigns nothing. */
	const char *const *oversign;
	size_t noversign;
	/** t=: signing time, seconds since the epoch; 0 for time(NULL); -1
	 * to leave t= out. */
	int64_t timestamp;
	/** x=: seconds after t= when the signature expires; 0 for none. */
	int64_t expiration;
	/** Add l= with the body length (not recommended). */
	bool body_length;
} mox_dkim_sign_options;

#define MOX_DKIM_SIGN_OPTIONS_VERSION 1
#define MOX_DKIM_SIGN_OPTIONS_INIT                                          \
	{ MOX_DKIM_SIGN_OPTIONS_VERSION, NULL, NULL, NULL, NULL,             \
	  MOX_DKIM_RELAXED, MOX_DKIM_RELAXED, NULL, 0, NULL, 0, 0, 0, false }

/** Verification options. Initialize with MOX_DKIM_VERIFY_OPTIONS_INIT. */
typedef struct mox_dkim_verify_options {
	unsigned int version;      /**< MOX_DKIM_VERIFY_OPTIONS_VERSION */
	/** mox_dkim_verify_flags */
	unsigned int flags;
	/** The clock for t= and x=: seconds since the epoch; 0 for
	 * time(NULL). */
	int64_t now;
	/** Allowed clock skew for t= in the future, seconds. Default 300. */
	int64_t max_clock_skew;
	/** Most signatures verified; later ones get permerror "too many
	 * signatures". Default 10 (also when 0). */
	unsigned int max_signatures;
	/** Smallest RSA key accepted, bits (RFC 8301: 1024). Default 1024
	 * (also when 0). */
	unsigned int min_rsa_bits;
	/** Largest header section accepted in octets; beyond it every
	 * signature is permerror "header section too large" (the
	 * signatures are counted, not parsed). Default 1 MiB (also when
	 * 0). */
	size_t max_header_size;
} mox_dkim_verify_options;

#define MOX_DKIM_VERIFY_OPTIONS_VERSION 1
#define MOX_DKIM_VERIFY_OPTIONS_INIT                                        \
	{ MOX_DKIM_VERIFY_OPTIONS_VERSION, 0, 0, 300, 10, 1024,              \
	  (size_t)1 << 20 }

/**
 * The verdict for one signature. Initialize with MOX_DKIM_RESULT_INIT;
 * strings are owned by the result (mox_dkim_result_release()).
 */
typedef struct mox_dkim_result {
	unsigned int version;      /**< MOX_DKIM_RESULT_VERSION */
	/** mox_dkim_verdict */
	int verdict;
	/** d=, s=, the identity (i= or "@" d=), a= as written; "" when the
	 * signature did not parse far enough. */
	const char *domain;
	const char *selector;
	const char *identity;
	const char *algorithm;
	/** b= in base64 without FWS, for header.b (RFC 6008); "" when
	 * unknown. */
	const char *b;
	/** Why, for every verdict but pass: "body hash mismatch",
	 * "signature mismatch", "no key record", "key revoked",
	 * "rsa key too small (512 bits)", "signature expired", ... NULL
	 * for pass. */
	const char *reason;
	/** Whether the key record's DNS answer was DNSSEC authentic. */
	bool authentic;
	/** The key record had t=y. */
	bool testing;
	/** The signature has l=. */
	bool has_length;
	/** Offset of the DKIM-Signature field in the message. */
	size_t offset;
	void *owned_;
} mox_dkim_result;

#define MOX_DKIM_RESULT_VERSION 1
#define MOX_DKIM_RESULT_INIT                                                \
	{ MOX_DKIM_RESULT_VERSION, 0, NULL, NULL, NULL, NULL, NULL, NULL,    \
	  false, false, false, 0, NULL }

/** A key record the verifier needs. Borrowed from the verifier, valid
 * until its next call. */
typedef struct mox_dkim_question {
	/** "<selector>._domainkey.<domain>", ASCII. Look up its TXT. */
	const char *name;
	/** Index of the question, for mox_dkim_verifier_answer(). */
	size_t id;
} mox_dkim_question;

/* --- keys --- */

/**
 * Generate a private key.
 *
 * @param[out] out   the key
 * @param[in]  type  MOX_DKIM_KEY_RSA or MOX_DKIM_KEY_ED25519
 * @param[in]  bits  RSA: 1024 to 4096, multiple of 8 (0: 2048); ignored
 *                   for Ed25519
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM, MOX_EIO (no randomness)
 */
MOX_API int mox_dkim_key_generate(mox_dkim_key **out, int type,
    unsigned int bits);

/**
 * Read a private key from PEM: PKCS#8 "PRIVATE KEY" (RSA or Ed25519,
 * RFC 8410) or PKCS#1 "RSA PRIVATE KEY".
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ESYNTAX (not a key we read),
 *         MOX_EUNSUPPORTED (another key type, encrypted keys), MOX_ENOMEM
 */
MOX_API int mox_dkim_key_from_pem(mox_dkim_key **out, const uint8_t *pem,
    size_t len);

/**
 * Write a private key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
 *
 * @param[out] out  newly allocated NUL-terminated text; free with
 *                  mox_dkim_free()
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_dkim_key_to_pem(char **out, size_t *out_len,
    const mox_dkim_key *k);

/**
 * The DNS TXT record value that publishes the key's public part:
 * "v=DKIM1; k=ed25519; p=..." (k= left out for RSA; h=sha256 for RSA).
 * With split, the value is given as zone-file character-strings of at
 * most 255 octets each, quoted and separated by spaces.
 *
 * @param[out] out  newly allocated text; free with mox_dkim_free()
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_dkim_key_txt(char **out, size_t *out_len,
    const mox_dkim_key *k, bool split);

/** mox_dkim_key_type of a key. */
MOX_API int mox_dkim_key_get_type(const mox_dkim_key *k);

/** RSA modulus size in bits; 256 for Ed25519. */
MOX_API unsigned int mox_dkim_key_bits(const mox_dkim_key *k);

/** Free a key; NULL does nothing. */
MOX_API void mox_dkim_key_free(mox_dkim_key *k);

/** Free memory the library returned as char * or uint8_t *. */
MOX_API void mox_dkim_free(void *p);

/* --- signature and key record text --- */

/**
 * Parse the value of a DKIM-Signature field (after "DKIM-Signature:"),
 * folded or not (RFC 6376 3.5, 3.2 tag=value lists: FWS around tags and
 * inside base64, duplicate tags are errors, unknown tags ignored).
 * Required tags: v a b bh d h s; i must be in d or a subdomain; h must
 * include From.
 *
 * @param[out] out  the signature on MOX_OK, else NULL
 * @param[out] err  on MOX_ESYNTAX, a static description (may be NULL)
 * @return MOX_OK, MOX_EINVAL, MOX_ESYNTAX, MOX_EUNSUPPORTED (v= other
 *         than 1), MOX_ENOMEM
 */
MOX_API int mox_dkim_signature_parse(mox_dkim_signature **out,
    const uint8_t *p, size_t len, const char **err);

/** Free a parsed signature; NULL does nothing. */
MOX_API void mox_dkim_signature_free(mox_dkim_signature *s);

/**
 * Format a signature as the value of a DKIM-Signature field, unfolded,
 * tags in a fixed order (v a c d s i q t x l h z bh b; i= and z=
 * dkim-quoted-printable encoded). What mox_dkim_signature_parse() reads
 * back to the same signature. snprintf contract.
 *
 * @return the length the whole text needs (excluding NUL); 0 for NULL
 */
MOX_API size_t mox_dkim_signature_format(char *buf, size_t cap,
    const mox_dkim_signature *s);

/**
 * Parse a key record (RFC 6376 3.6.1; the TXT strings joined). v=, when
 * present, must be first and "DKIM1". Unknown tags ignored.
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ESYNTAX (with *err), MOX_EUNSUPPORTED
 *         (unknown k=), MOX_ENOMEM
 */
MOX_API int mox_dkim_keyrec_parse(mox_dkim_keyrec **out, const uint8_t *p,
    size_t len, const char **err);

/** Free a parsed key record; NULL does nothing. */
MOX_API void mox_dkim_keyrec_free(mox_dkim_keyrec *r);

/* --- signing --- */

/**
 * Start signing a message.
 *
 * @return MOX_OK, MOX_EINVAL (missing domain, selector or key; bad
 *         identity), MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_dkim_signer_new(mox_dkim_signer **out,
    const mox_dkim_sign_options *opts);

/** Free a signer; NULL does nothing. */
MOX_API void mox_dkim_signer_free(mox_dkim_signer *s);

/**
 * Feed the next chunk of the message (header and body).
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ESTATE (after finish), MOX_ENOMEM,
 *         MOX_ELIMIT (header section over 1 MiB)
 */
MOX_API int mox_dkim_signer_feed(mox_dkim_signer *s, const uint8_t *p,
    size_t len);

/**
 * Finish: the complete "DKIM-Signature: ..." header field, folded at 78
 * columns with CRLF, ending in CRLF, to prepend to the message.
 *
 * @param[out] out  newly allocated NUL-terminated text; free with
 *                  mox_dkim_free()
 * @return MOX_OK, MOX_EINVAL, MOX_ESTATE (called twice), MOX_ENOMEM,
 *         MOX_ESYNTAX (no From field: RFC 6376 5.4), MOX_ELIMIT (the
 *         header section was over 1 MiB, or h= would list more than 1024
 *         names), MOX_EIO (no randomness for RSA blinding)
 */
MOX_API int mox_dkim_signer_finish(mox_dkim_signer *s, char **out,
    size_t *out_len);

/** One call: mox_dkim_signer_new(), one feed, finish. */
MOX_API int mox_dkim_sign(char **out, size_t *out_len,
    const mox_dkim_sign_options *opts, const uint8_t *msg, size_t len);

/* --- verification --- */

/**
 * Start verifying a message. Feed it with mox_dkim_verifier_feed(); once
 * the header section is complete the verifier knows its signatures and
 * the key records it needs (mox_dkim_verifier_step()).
 *
 * @param[in] opts  NULL for defaults (copied)
 * @return MOX_OK, MOX_EINVAL, MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_dkim_verifier_new(mox_dkim_verifier **out,
    const mox_dkim_verify_options *opts);

/** Free a verifier; NULL does nothing. */
MOX_API void mox_dkim_verifier_free(mox_dkim_verifier *v);

/**
 * Feed the next chunk of the message. Bodies are hashed as they come
 * (only what the signatures need, once per distinct canonicalization and
 * length); nothing of the body is kept.
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ESTATE (after finish), MOX_ENOMEM
 */
MOX_API int mox_dkim_verifier_feed(mox_dkim_verifier *v, const uint8_t *p,
    size_t len);

/** The whole message has been fed. @return MOX_OK, MOX_ESTATE (twice) */
MOX_API int mox_dkim_verifier_finish(mox_dkim_verifier *v);

/**
 * What the verifier needs next (see mox_dkim_step). Each question is
 * returned once; signatures with the same selector and domain share one.
 *
 * @param[out] q  on MOX_DKIM_STEP_QUERY, the question
 * @return a mox_dkim_step (>= 0), MOX_EINVAL
 */
MOX_API int mox_dkim_verifier_step(mox_dkim_verifier *v,
    mox_dkim_question *q);

/**
 * The DNS answer (TXT) for question id. NXDOMAIN and NODATA mean no key
 * (permerror, RFC 6376 6.1.2), SERVFAIL/TIMEOUT temperror, BOGUS
 * permerror (DNSSEC said the data is forged); several TXT records or one
 * that does not parse is permerror. NULL means the lookup failed
 * (temperror). The answer is borrowed for the call.
 *
 * @return MOX_OK, MOX_EINVAL (unknown id), MOX_ESTATE (answered
 *         already), MOX_ENOMEM
 */
MOX_API int mox_dkim_verifier_answer(mox_dkim_verifier *v, size_t id,
    const mox_dns_answer *ans);

/** Number of DKIM-Signature fields in the message, each with a result
 * (those beyond max_signatures get permerror). Known once the header
 * section is complete; 0 before. */
MOX_API size_t mox_dkim_verifier_count(const mox_dkim_verifier *v);

/**
 * The verdict of signature i (header order), once step returned
 * MOX_DKIM_STEP_DONE.
 *
 * @param[out] out  result; version must be set; release with
 *                  mox_dkim_result_release()
 * @return MOX_OK, MOX_ENOTFOUND (i out of range), MOX_ESTATE (not done),
 *         MOX_EINVAL, MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_dkim_verifier_result(const mox_dkim_verifier *v, size_t i,
    mox_dkim_result *out);

/**
 * One call: verify a whole message, looking up keys with r.
 *
 * @param[out] out    newly allocated array of *nout results (header
 *                    order); release each, then free the array with
 *                    mox_dkim_free(); NULL and 0 when the message has no
 *                    DKIM-Signature
 * @return MOX_OK, MOX_EINVAL, MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_dkim_verify(mox_dkim_result **out, size_t *nout,
    mox_resolver *r, const mox_dkim_verify_options *opts,
    const uint8_t *msg, size_t len);

/** Free the strings of a result and reset it (the version stays). */
MOX_API void mox_dkim_result_release(mox_dkim_result *res);

/* --- text --- */

/** RFC 8601 name of a verdict ("pass"); "unknown" when out of range. */
MOX_API const char *mox_dkim_verdict_name(int verdict);

/** Name of an algorithm ("rsa-sha256"); "unknown" when out of range. */
MOX_API const char *mox_dkim_algorithm_name(int alg);

/**
 * The dkim resinfo of an Authentication-Results field (RFC 8601 2.7.1,
 * RFC 6008): "dkim=pass header.d=example.com header.s=sel
 * header.a=ed25519-sha256 header.b=AbCdEfGh", with the reason as a
 * comment for other verdicts. header.b is the first 8 characters of b=
 * (more when needed to tell signatures of the message apart is the
 * caller's choice: see b). snprintf contract.
 */
MOX_API size_t mox_dkim_authres(char *buf, size_t cap,
    const mox_dkim_result *res);

MOX_END_DECLS

#endif
