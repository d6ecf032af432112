/* SPDX-License-Identifier: MIT */
/**
 * mox/spf.h -- Sender Policy Framework (RFC 7208): record parsing and
 * formatting, check_host() as a resumable (sans-I/O) evaluator and as a
 * blocking call over a mox_resolver, Received-SPF and Authentication-Results
 * text.
 *
 * Threads: a mox_spf_eval is used by one thread at a time; different
 * evaluators are independent. A parsed mox_spf_record is immutable and may
 * be read by any number of threads at once. mox_spf_check() is thread-safe
 * when its resolver is (the unbound and static backends are). There is no
 * global state.
 *
 * Input: records and names are (const uint8_t *, size_t) or NUL-terminated
 * strings the application supplies; a NUL inside a record is a syntax
 * error, never a silent truncation.
 *
 * Verdicts are results: mox_spf_check() returns MOX_OK with
 * verdict MOX_SPF_TEMPERROR when DNS fails, and MOX_OK with
 * MOX_SPF_PERMERROR for a broken record. A negative status means the call
 * itself failed (bad arguments, out of memory).
 */
#ifndef MOX_SPF_H
#define MOX_SPF_H

#include <mox/common.h>
#include <mox/addr.h>
#include <mox/dns.h>

MOX_BEGIN_DECLS

/* --- opaque types --- */

/** A parsed SPF record. Owned by the caller; free with
 * mox_spf_record_free(). Immutable. */
typedef struct mox_spf_record mox_spf_record;

/** A check_host() evaluation in progress. Owned by the caller; free with
 * mox_spf_eval_free(). */
typedef struct mox_spf_eval mox_spf_eval;

/* --- enums --- */

/** Results of check_host() (RFC 7208 2.6). The values are stable. */
typedef enum mox_spf_verdict {
	MOX_SPF_NONE = 0,
	MOX_SPF_NEUTRAL = 1,
	MOX_SPF_PASS = 2,
	MOX_SPF_FAIL = 3,
	MOX_SPF_SOFTFAIL = 4,
	MOX_SPF_TEMPERROR = 5,
	MOX_SPF_PERMERROR = 6
} mox_spf_verdict;

/** Which identity is checked (RFC 7208 2.3, 2.4). */
typedef enum mox_spf_identity {
	/** The MAIL FROM address; with an empty reverse-path,
	 * postmaster@<HELO name>. */
	MOX_SPF_MAILFROM = 0,
	/** The HELO/EHLO name, as postmaster@<HELO name>. */
	MOX_SPF_HELO = 1
} mox_spf_identity;

/** Qualifiers (RFC 7208 4.6.2). */
typedef enum mox_spf_qualifier {
	MOX_SPF_Q_PASS = '+',
	MOX_SPF_Q_FAIL = '-',
	MOX_SPF_Q_SOFTFAIL = '~',
	MOX_SPF_Q_NEUTRAL = '?'
} mox_spf_qualifier;

/** Kinds of terms (RFC 7208 5 and 6). */
typedef enum mox_spf_term_kind {
	MOX_SPF_ALL = 1,
	MOX_SPF_INCLUDE = 2,
	MOX_SPF_A = 3,
	MOX_SPF_MX = 4,
	MOX_SPF_PTR = 5,
	MOX_SPF_IP4 = 6,
	MOX_SPF_IP6 = 7,
	MOX_SPF_EXISTS = 8,
	/** Modifier redirect=domain-spec. */
	MOX_SPF_REDIRECT = 9,
	/** Modifier exp=domain-spec. */
	MOX_SPF_EXP = 10,
	/** Any other (unknown) modifier name=macro-string; ignored by
	 * evaluation (RFC 7208 6). */
	MOX_SPF_UNKNOWN_MODIFIER = 11
} mox_spf_term_kind;

/** What mox_spf_eval_step() wants next. */
typedef enum mox_spf_step {
	/** Evaluation finished: read the result with mox_spf_eval_result(). */
	MOX_SPF_STEP_DONE = 0,
	/** Resolve the question (mox_spf_question) and hand the answer to
	 * mox_spf_eval_answer(). */
	MOX_SPF_STEP_QUERY = 1
} mox_spf_step;

/* --- option structs and caller-provided structs --- */

/** Limits of RFC 7208 4.6.4 and of this implementation. A field that is
 * 0 takes its default (MOX_SPF_LIMITS_DEFAULT). */
typedef struct mox_spf_limits {
	/** Mechanisms and modifiers that query DNS (include, a, mx, ptr,
	 * exists, redirect). RFC: 10. */
	unsigned int dns_terms;
	/** Lookups returning NXDOMAIN or no records. RFC: 2. */
	unsigned int void_lookups;
	/** MX names looked up per mx mechanism. RFC: 10. */
	unsigned int mx_names;
	/** PTR names checked per ptr mechanism or %{p} macro. RFC: 10. */
	unsigned int ptr_names;
	/** Longest expanded domain name; longer names are truncated from the
	 * left as RFC 7208 7.3 says. 253 (larger values are taken as 253). */
	unsigned int max_name;
	/** Longest record text accepted (joined TXT strings). Default 4096
	 * (real records are below 512; longer ones are permerror). */
	unsigned int max_record;
} mox_spf_limits;

/**
 * An SPF check: who connected, who they claim to be. Initialize with
 * MOX_SPF_REQUEST_INIT, then set ip and the names. Strings are borrowed
 * for the duration of mox_spf_eval_new() (copied) or mox_spf_check().
 */
typedef struct mox_spf_request {
	unsigned int version;    /**< MOX_SPF_REQUEST_VERSION */
	/** mox_spf_identity: which identity to check. */
	int identity;
	/** The SMTP client's IP address (%{i}, %{c}, %{v}). IPv4-mapped IPv6
	 * is treated as IPv4. */
	mox_ip ip;
	/** The MAIL FROM address, "localpart@domain", UTF-8 allowed
	 * (SMTPUTF8); NULL or "" for the null reverse-path <>. Ignored for
	 * MOX_SPF_HELO. A sender without '@' is taken as a domain with
	 * localpart "postmaster" (RFC 7208 4.3). */
	const char *sender;
	/** The HELO/EHLO name (%{h}; the domain for MOX_SPF_HELO and for an
	 * empty sender). May be NULL when identity is MOX_SPF_MAILFROM and
	 * sender is set. */
	const char *helo;
	/** The receiving host's name for %{r} (exp= only); NULL: "unknown". */
	const char *receiver;
	/** Current time, seconds since the epoch, for %{t}; 0: time(NULL). */
	int64_t now;
	/** Limits; MOX_SPF_REQUEST_INIT sets the RFC values. */
	mox_spf_limits limits;
	/** Whether to expand the explanation (exp=) of a fail result. It
	 * costs one more DNS query; default true. */
	bool explanation;
} mox_spf_request;

#define MOX_SPF_REQUEST_VERSION 1
#define MOX_SPF_LIMITS_DEFAULT { 10, 2, 10, 10, 253, 4096 }
#define MOX_SPF_REQUEST_INIT                                                \
	{ MOX_SPF_REQUEST_VERSION, MOX_SPF_MAILFROM,                         \
	  { 0, { 0 } }, NULL, NULL, NULL, 0, MOX_SPF_LIMITS_DEFAULT, true }

/**
 * The result of an evaluation. Initialize with MOX_SPF_RESULT_INIT; the
 * strings are owned by the result: release them with
 * mox_spf_result_release(). Copying the struct does not copy them.
 */
typedef struct mox_spf_result {
	unsigned int version;    /**< MOX_SPF_RESULT_VERSION */
	/** mox_spf_verdict */
	int verdict;
	/** mox_spf_identity that was checked. */
	int identity;
	/** The domain check_host() started at (lowercase A-labels), "" when
	 * there was none (no usable identity: verdict none). */
	const char *domain;
	/** The identity as checked: "user@example.com" (the domain in the
	 * form of domain when there is one, else as given), or
	 * "postmaster@helo.example" (RFC 7208 2.4, 4.3). */
	const char *checked;
	/** The term that decided, as written in its record ("ip4:192.0.2.0/24",
	 * "-all", "include:_spf.example.com"), with the domain of the record
	 * it was in: see mechanism_domain. NULL when none decided (none,
	 * the default neutral, errors). */
	const char *mechanism;
	/** Domain of the record holding mechanism (differs from domain inside
	 * include or redirect). NULL when mechanism is NULL. */
	const char *mechanism_domain;
	/** For fail: the explanation (exp= expanded, RFC 7208 6.2), or NULL
	 * when there is none or it failed. */
	const char *explanation;
	/** For temperror and permerror, and for none: why, in words ("no SPF
	 * record", "more than 10 DNS-querying terms", "syntax error at
	 * offset 12 in record of example.com: ...", "DNS timeout for TXT
	 * example.com"). NULL otherwise. */
	const char *reason;
	/** True when every DNS answer the evaluation got was DNSSEC
	 * authentic; false when no question was asked. */
	bool authentic;
	/** DNS-querying terms and void lookups counted (RFC 7208 4.6.4). */
	unsigned int dns_terms;
	unsigned int void_lookups;
	/** DNS queries made in total. */
	unsigned int queries;
	void *owned_;
} mox_spf_result;

#define MOX_SPF_RESULT_VERSION 1
#define MOX_SPF_RESULT_INIT                                                 \
	{ MOX_SPF_RESULT_VERSION, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL,  \
	  false, 0, 0, 0, NULL }

/** A DNS question of the evaluator. Borrowed from the evaluator; valid
 * until the next call on it. */
typedef struct mox_spf_question {
	/** Name to look up, ASCII (A-labels), no trailing dot, at most 253
	 * octets and labels of at most 63 octets before escaping. Names made
	 * by macro expansion can hold any octet (a local-part with a space
	 * or UTF-8): control characters, octets above 0x7e and backslash are
	 * written as RFC 1035 5.1 \DDD escapes ("j\195\188rgen.x.example"),
	 * a space as a space. A resolver that cannot ask for such a name may
	 * answer it as a lookup failure; mox_spf_check() takes a MOX_EINVAL
	 * from mox_dns_lookup() as a name that cannot exist (the mechanism
	 * does not match, include and redirect give permerror). */
	const char *name;
	/** MOX_DNS_TXT, MOX_DNS_A, MOX_DNS_AAAA, MOX_DNS_MX or MOX_DNS_PTR
	 * (numeric RR types). */
	uint16_t type;
} mox_spf_question;

/**
 * One term of a parsed record. Borrowed from the record; valid until
 * mox_spf_record_free(). Fields may be appended in later versions.
 */
typedef struct mox_spf_term {
	/** mox_spf_term_kind */
	int kind;
	/** mox_spf_qualifier for mechanisms ('+' when written without); 0
	 * for modifiers. */
	int qualifier;
	/** Whether the qualifier was written explicitly. */
	bool explicit_qualifier;
	/** domain-spec of include, a, mx, ptr, exists, redirect, exp; the
	 * macro-string of an unknown modifier. NULL when absent (a, mx, ptr
	 * without ":"). */
	const char *domain_spec;
	/** Name of an unknown modifier, as written. NULL for other terms. */
	const char *name;
	/** ip4/ip6: the address as written (not masked to the CIDR
	 * length; matching masks). */
	mox_ip ip;
	/** CIDR lengths: ip4 and a/mx ip4-cidr-length (32 when absent),
	 * ip6 and a/mx ip6-cidr-length (128 when absent). */
	unsigned int cidr4;
	unsigned int cidr6;
	/** Offset of the term in the record text. */
	size_t offset;
} mox_spf_term;

/* --- records --- */

/**
 * Parse an SPF record ("v=spf1 ..."; RFC 7208 4.5, 4.6, 12). The version
 * tag is matched case-insensitively and must be followed by a space or
 * the end. Whitespace between terms is one or more spaces (tabs are not
 * allowed by the ABNF and are a syntax error). Macros in domain-specs are
 * checked (RFC 7208 7.1: unknown letters, bad transformers are errors);
 * a domain-spec must end in a toplabel or a macro-expand. redirect and
 * exp may each appear once.
 *
 * @param[out] out         the record on MOX_OK, else NULL
 * @param[in]  p, len      record text (joined TXT strings)
 * @param[out] err_offset  on MOX_ESYNTAX, offset of the bad term (may be
 *                         NULL)
 * @param[out] err         on MOX_ESYNTAX, a static description such as
 *                         "unknown mechanism" (may be NULL)
 * @return MOX_OK; MOX_ENOTFOUND when the text is not an SPF record (no
 *         "v=spf1" tag: RFC 7208 4.5 ignores it); MOX_ESYNTAX;
 *         MOX_ENUL (err_offset is the NUL's offset); MOX_ETOOLONG (more
 *         than 65535 octets, more than a TXT record holds); MOX_EINVAL;
 *         MOX_ENOMEM
 */
MOX_API int mox_spf_record_parse(mox_spf_record **out, const uint8_t *p,
    size_t len, size_t *err_offset, const char **err);

/** Free a record; NULL does nothing. */
MOX_API void mox_spf_record_free(mox_spf_record *r);

/** Number of terms (mechanisms and modifiers, in record order). */
MOX_API size_t mox_spf_record_count(const mox_spf_record *r);

/** Term i, or NULL when out of range. */
MOX_API const mox_spf_term *mox_spf_record_term(const mox_spf_record *r,
    size_t i);

/**
 * Format a record in canonical form: "v=spf1", then each term separated
 * by one space, qualifiers written only where given (and '+' omitted
 * when implicit), CIDR lengths only where not the default, IPv6 in RFC
 * 5952 form. Parsing the output gives the same record. snprintf contract.
 *
 * @return the length the whole text needs, without the NUL
 */
MOX_API size_t mox_spf_record_format(char *buf, size_t cap,
    const mox_spf_record *r);

/**
 * Format one term as it appears in a record ("-ip4:192.0.2.0/24").
 * snprintf contract.
 */
MOX_API size_t mox_spf_term_format(char *buf, size_t cap,
    const mox_spf_term *t);

/* --- evaluation --- */

/**
 * Start a check_host() evaluation (RFC 7208 4) for a request. Nothing is
 * looked up yet. The domain comes from the sender (the part after the
 * last '@'), or the HELO name; a domain that is not a valid name (RFC 7208
 * 4.3), such as an IP literal or an empty label, gives verdict none
 * without any query.
 *
 * @param[out] out  the evaluator
 * @param[in]  req  the request (copied)
 * @return MOX_OK, MOX_EINVAL (NULL args, no ip, neither sender nor
 *         helo), MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_spf_eval_new(mox_spf_eval **out, const mox_spf_request *req);

/** Free an evaluator; NULL does nothing. */
MOX_API void mox_spf_eval_free(mox_spf_eval *e);

/**
 * Advance the evaluation until it needs DNS or is done.
 *
 * @param[in,out] e  evaluator
 * @param[out]    q  on MOX_SPF_STEP_QUERY, the question; its strings are
 *                   valid until the next call on e
 * @return MOX_SPF_STEP_QUERY or MOX_SPF_STEP_DONE (>= 0); MOX_ESTATE when
 *         called again while an answer is due; MOX_EINVAL; MOX_ENOMEM
 */
MOX_API int mox_spf_eval_step(mox_spf_eval *e, mox_spf_question *q);

/**
 * Hand the evaluator the answer to its last question. The answer is
 * borrowed for the call only (what is needed is copied). Any mox_dns
 * result is accepted: NXDOMAIN and NODATA are void lookups, SERVFAIL,
 * TIMEOUT, BOGUS and ERROR are DNS errors (temperror where the RFC says
 * so, ignored where it says so: a PTR lookup of the ptr mechanism, the
 * address lookup of one PTR name, the exp= TXT lookup; %{p} becomes
 * "unknown"). The answer's name is not compared with the question's (a
 * resolver may have normalized it); its type must be the question's.
 * The DNSSEC bit of every answer is ANDed into the result's authentic.
 *
 * @param[in]  ans  the answer; NULL means the lookup failed without one
 *                  (treated as a DNS error)
 * @return MOX_OK, MOX_ESTATE (no question outstanding), MOX_EINVAL (NULL
 *         e, or an answer of another type: the question stays
 *         outstanding), MOX_ENOMEM (the evaluator is then unusable: every
 *         later call returns MOX_ENOMEM)
 */
MOX_API int mox_spf_eval_answer(mox_spf_eval *e, const mox_dns_answer *ans);

/**
 * The result, once mox_spf_eval_step() returned MOX_SPF_STEP_DONE. May be
 * called more than once. Strings are copied into out, which must hold
 * none (MOX_SPF_RESULT_INIT, or released) and must be released.
 *
 * @param[out] out  result; version must be set (MOX_SPF_RESULT_INIT)
 * @return MOX_OK, MOX_ESTATE (not done), MOX_EINVAL, MOX_EVERSION,
 *         MOX_ENOMEM
 */
MOX_API int mox_spf_eval_result(const mox_spf_eval *e, mox_spf_result *out);

/**
 * check_host() in one blocking call: mox_spf_eval_step() in a loop, each
 * question answered with mox_dns_lookup() on r.
 *
 * @param[out] out  result; version must be set; release with
 *                  mox_spf_result_release()
 * @param[in]  r    resolver (borrowed for the call)
 * @param[in]  req  request
 * @return MOX_OK (whatever the verdict), MOX_EINVAL, MOX_EVERSION,
 *         MOX_ENOMEM
 */
MOX_API int mox_spf_check(mox_spf_result *out, mox_resolver *r,
    const mox_spf_request *req);

/** Free the strings of a result and reset it (the version stays). */
MOX_API void mox_spf_result_release(mox_spf_result *res);

/* --- text --- */

/** Lowercase name of a verdict ("pass"); "unknown" when out of range. */
MOX_API const char *mox_spf_verdict_name(int verdict);

/**
 * Parse a verdict name, ignoring case.
 *
 * @return a mox_spf_verdict (>= 0), or MOX_ESYNTAX
 */
MOX_API int mox_spf_verdict_parse(const char *name);

/**
 * The value of a Received-SPF header field (RFC 7208 9.1) without the
 * field name and without a line end: the result word, a comment, and the
 * key-value pairs client-ip, envelope-from, helo, receiver, identity,
 * mechanism (where one decided) and problem (for errors). Values are
 * quoted where they are not dot-atoms; envelope-from is "" for the null
 * reverse-path and for HELO checks. Control characters in client-given
 * text (HELO, MAIL FROM) are replaced by '?', so the value cannot end the
 * header field. snprintf contract.
 *
 * @param[in] res       result
 * @param[in] req       the request it came from
 * @param[in] receiver  the receiving host's name for receiver= and the
 *                      comment (NULL: omitted)
 * @return the length the whole text needs, without the NUL
 */
MOX_API size_t mox_spf_received(char *buf, size_t cap,
    const mox_spf_result *res, const mox_spf_request *req,
    const char *receiver);

/**
 * The SPF resinfo of an Authentication-Results field (RFC 8601 2.7.2):
 * "spf=pass smtp.mailfrom=user@example.com" or "spf=none
 * smtp.helo=mail.example.com", with the reason as a comment for
 * temperror and permerror ("spf=permerror (more than 10 DNS-querying
 * terms) smtp.mailfrom=..."). smtp.mailfrom is the checked identity
 * (postmaster@<HELO> for the null reverse-path), quoted when its
 * local-part is not a dot-atom. Control characters are replaced by '?'.
 * snprintf contract.
 */
MOX_API size_t mox_spf_authres(char *buf, size_t cap,
    const mox_spf_result *res, const mox_spf_request *req);

MOX_END_DECLS

#endif
