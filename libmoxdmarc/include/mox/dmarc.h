/* SPDX-License-Identifier: MIT */
/**
 * mox/dmarc.h -- DMARC: record parsing and formatting (RFC 9989, with the
 * RFC 7489 tags), policy discovery by the RFC 9989 DNS tree walk or, in
 * RFC 7489 mode, the Public Suffix List, as a resumable (sans-I/O)
 * evaluator and a blocking call over a mox_resolver; alignment and policy
 * evaluation from SPF and DKIM results given as plain structs;
 * Authentication-Results text; external report destination checks;
 * aggregate reports (RFC 9990 and RFC 7489 appendix C) parsed and
 * generated.
 *
 * Threads: a mox_dmarc_eval is used by one thread at a time; different
 * ones are independent. A parsed mox_dmarc_record or mox_dmarc_report is
 * immutable and may be read by any number of threads. A mox_dmarc_psl is
 * immutable once loaded and may be shared by any number of evaluators.
 * mox_dmarc_check() is thread-safe when its resolver is. There is no global
 * state.
 *
 * Verdicts are results: evaluation returns MOX_OK with verdict temperror
 * when DNS fails, permerror for a broken record. A negative status means
 * the call failed (bad arguments, out of memory, wrong state).
 */
#ifndef MOX_DMARC_H
#define MOX_DMARC_H

#include <mox/common.h>
#include <mox/dns.h>

MOX_BEGIN_DECLS

/* --- opaque types --- */

/** A parsed DMARC record. Free with mox_dmarc_record_free(). */
typedef struct mox_dmarc_record mox_dmarc_record;

/** A policy discovery and evaluation in progress. Free with
 * mox_dmarc_eval_free(). */
typedef struct mox_dmarc_eval mox_dmarc_eval;

/** A Public Suffix List (RFC 7489 mode). Free with mox_dmarc_psl_free(). */
typedef struct mox_dmarc_psl mox_dmarc_psl;

/** A parsed aggregate report. Free with mox_dmarc_report_free(). */
typedef struct mox_dmarc_report mox_dmarc_report;

/* --- enums --- */

/** DMARC results (RFC 9989; RFC 8601 names via mox_dmarc_verdict_name()). */
typedef enum mox_dmarc_verdict {
	MOX_DMARC_NONE = 0,
	MOX_DMARC_PASS = 1,
	MOX_DMARC_FAIL = 2,
	MOX_DMARC_TEMPERROR = 3,
	MOX_DMARC_PERMERROR = 4
} mox_dmarc_verdict;

/** Policies (p=, sp=, np=). */
typedef enum mox_dmarc_policy {
	MOX_DMARC_P_UNSET = 0, /**< tag absent */
	MOX_DMARC_P_NONE = 1,
	MOX_DMARC_P_QUARANTINE = 2,
	MOX_DMARC_P_REJECT = 3
} mox_dmarc_policy;

/** psd= (RFC 9989). */
typedef enum mox_dmarc_psd {
	MOX_DMARC_PSD_UNSET = 0, /**< psd=u or absent */
	MOX_DMARC_PSD_Y = 1,
	MOX_DMARC_PSD_N = 2
} mox_dmarc_psd;

/** Alignment modes (adkim=, aspf=). */
typedef enum mox_dmarc_align {
	MOX_DMARC_RELAXED = 0,
	MOX_DMARC_STRICT = 1
} mox_dmarc_align;

/** Flags of mox_dmarc_options. */
enum mox_dmarc_flags {
	/** RFC 7489 mode: _dmarc.<From domain>, then _dmarc.<organizational
	 * domain> from the Public Suffix List; pct, rf, ri honoured; psd and
	 * np ignored. */
	MOX_DMARC_RFC7489 = 1u << 0
};

/** What mox_dmarc_eval_step() wants next. */
typedef enum mox_dmarc_step {
	MOX_DMARC_STEP_DONE = 0,
	/** Look up the TXT records of the question and give the answer to
	 * mox_dmarc_eval_answer(). */
	MOX_DMARC_STEP_QUERY = 1
} mox_dmarc_step;

/** SPF results as DMARC sees them (same values as mox_spf_verdict). */
typedef enum mox_dmarc_spf_result {
	MOX_DMARC_SPF_NONE = 0,
	MOX_DMARC_SPF_NEUTRAL = 1,
	MOX_DMARC_SPF_PASS = 2,
	MOX_DMARC_SPF_FAIL = 3,
	MOX_DMARC_SPF_SOFTFAIL = 4,
	MOX_DMARC_SPF_TEMPERROR = 5,
	MOX_DMARC_SPF_PERMERROR = 6
} mox_dmarc_spf_result;

/** DKIM results as DMARC sees them (same values as mox_dkim_verdict). */
typedef enum mox_dmarc_dkim_result {
	MOX_DMARC_DKIM_NONE = 0,
	MOX_DMARC_DKIM_PASS = 1,
	MOX_DMARC_DKIM_FAIL = 2,
	MOX_DMARC_DKIM_NEUTRAL = 3,
	MOX_DMARC_DKIM_POLICY = 4,
	MOX_DMARC_DKIM_TEMPERROR = 5,
	MOX_DMARC_DKIM_PERMERROR = 6
} mox_dmarc_dkim_result;

/* --- option structs and caller-provided structs --- */

/**
 * A parsed record, read-only view (mox_dmarc_record_view()). Strings are
 * owned by the record. Fields may be appended in later versions.
 */
typedef struct mox_dmarc_record_info {
	/** p=, sp=, np= (MOX_DMARC_P_UNSET when absent). p is
	 * MOX_DMARC_P_UNSET also when invalid and rua= is present: RFC 9989
	 * then treats the record as p=none (see policy_effective). */
	int p;
	int sp;
	int np;
	/** The domain policy that applies after RFC 9989's rules for a
	 * missing or invalid p (none when there is a valid rua=, else the
	 * record is not usable: see mox_dmarc_record_parse()). */
	int policy_effective;
	/** psd= */
	int psd;
	/** t=y (test mode) */
	bool testing;
	/** adkim=, aspf= */
	int adkim;
	int aspf;
	/** fo= as written ("0" when absent). */
	const char *fo;
	/** rua= and ruf= URIs in order, with any "!size" suffix kept. */
	const char *const *rua;
	size_t nrua;
	const char *const *ruf;
	size_t nruf;
	/** RFC 7489 tags: pct (100 when absent), rf ("afrf"), ri (86400). */
	unsigned int pct;
	bool has_pct;
	const char *rf;
	unsigned int ri;
	bool has_ri;
} mox_dmarc_record_info;

/** SPF input of an evaluation. */
typedef struct mox_dmarc_spf {
	/** mox_dmarc_spf_result */
	int result;
	/** The domain SPF checked: the MAIL FROM domain, or the HELO name
	 * when MAIL FROM was null (RFC 9989). NULL when SPF did not run. */
	const char *domain;
	/** Whether domain is the HELO identity (reports say "helo"). */
	bool helo;
} mox_dmarc_spf;

/** One DKIM signature's result. */
typedef struct mox_dmarc_dkim {
	/** mox_dmarc_dkim_result */
	int result;
	/** d= of the signature. */
	const char *domain;
	/** s= (for reports; may be NULL). */
	const char *selector;
} mox_dmarc_dkim;

/** Options of an evaluation. Initialize with MOX_DMARC_OPTIONS_INIT. */
typedef struct mox_dmarc_options {
	unsigned int version;      /**< MOX_DMARC_OPTIONS_VERSION */
	/** mox_dmarc_flags */
	unsigned int flags;
	/** RFC 7489 mode: the Public Suffix List, required there (load it
	 * once with mox_dmarc_psl_load() and share it); borrowed, must
	 * outlive the evaluator. Ignored in RFC 9989 mode. */
	const mox_dmarc_psl *psl;
	/** RFC 7489 pct= sampling: returns a number in [0, 100); NULL uses
	 * an internal RNG. */
	unsigned int (*random)(void *arg);
	void *random_arg;
} mox_dmarc_options;

#define MOX_DMARC_OPTIONS_VERSION 1
#define MOX_DMARC_OPTIONS_INIT                                              \
	{ MOX_DMARC_OPTIONS_VERSION, 0, NULL, NULL, NULL }

/** A DNS question of the evaluator (TXT). Borrowed, valid until the next
 * call on the evaluator. */
typedef struct mox_dmarc_question {
	const char *name;
} mox_dmarc_question;

/**
 * The result of an evaluation. Initialize with MOX_DMARC_RESULT_INIT;
 * strings are owned by it (mox_dmarc_result_release()).
 */
typedef struct mox_dmarc_result {
	unsigned int version;      /**< MOX_DMARC_RESULT_VERSION */
	/** mox_dmarc_verdict */
	int verdict;
	/** The policy to apply (mox_dmarc_policy, never UNSET): none when
	 * the verdict is not fail; for fail the record's p/sp/np, lowered
	 * to none by t=y (RFC 9989) or by pct sampling (RFC 7489). */
	int policy;
	/** The policy the record asks for before test mode or sampling. */
	int policy_requested;
	/** Whether t=y (or pct) lowered the policy. */
	bool testing;
	bool sampled_out;
	/** Whether the policy is to reject (policy == reject). */
	bool reject;
	/** The From domain (lowercase A-labels); "" when there was none. */
	const char *from_domain;
	/** The organizational domain used for relaxed alignment. */
	const char *org_domain;
	/** Where the record was found (the domain before _dmarc), NULL when
	 * no record. */
	const char *record_domain;
	/** The record text used, NULL when none. */
	const char *record;
	/** Which identifiers aligned and passed. */
	bool spf_aligned;
	bool dkim_aligned;
	/** The aligned DKIM domain and selector, NULL when none. */
	const char *dkim_domain;
	const char *dkim_selector;
	/** For none/temperror/permerror and for fail: why, in words. */
	const char *reason;
	/** Every DNS answer used was DNSSEC-authentic. */
	bool authentic;
	/** DNS queries made. */
	unsigned int queries;
	void *owned_;
} mox_dmarc_result;

#define MOX_DMARC_RESULT_VERSION 1
#define MOX_DMARC_RESULT_INIT                                               \
	{ MOX_DMARC_RESULT_VERSION, 0, 0, 0, false, false, false, NULL,      \
	  NULL, NULL, NULL, false, false, NULL, NULL, NULL, false, 0, NULL }

/* --- records --- */

/**
 * Parse a DMARC record (RFC 9989 tag-value list; v=DMARC1 first). Unknown
 * tags are ignored; invalid values of known tags are ignored as the RFC
 * says (a missing or invalid p= with a valid rua= means p=none).
 *
 * @param[out] err  on error a static description (may be NULL)
 * @return MOX_OK; MOX_ENOTFOUND when the text is not a DMARC record (no
 *         v=DMARC1 first: such TXT records are ignored); MOX_ESYNTAX for
 *         a DMARC record that is not usable; MOX_EINVAL; MOX_ENOMEM
 */
MOX_API int mox_dmarc_record_parse(mox_dmarc_record **out,
    const uint8_t *p, size_t len, const char **err);

/** Free a record; NULL does nothing. */
MOX_API void mox_dmarc_record_free(mox_dmarc_record *r);

/** The parsed values; borrowed, valid until mox_dmarc_record_free(). */
MOX_API const mox_dmarc_record_info *mox_dmarc_record_view(
    const mox_dmarc_record *r);

/** The record in canonical text form ("v=DMARC1; p=reject; ...").
 * snprintf contract; returns the length needed. */
MOX_API size_t mox_dmarc_record_format(char *buf, size_t cap,
    const mox_dmarc_record *r);

/* --- Public Suffix List (RFC 7489 mode) --- */

/**
 * Load a Public Suffix List in the publicsuffix.org text format (through
 * libpsl). path NULL loads the list Debian's publicsuffix package
 * installs (/usr/share/publicsuffix/public_suffix_list.dat).
 *
 * @return MOX_OK, MOX_EIO (unreadable), MOX_ESYNTAX, MOX_ENOMEM
 */
MOX_API int mox_dmarc_psl_load(mox_dmarc_psl **out, const char *path);

/** Free a list; NULL does nothing. */
MOX_API void mox_dmarc_psl_free(mox_dmarc_psl *psl);

/**
 * The organizational domain of a domain by the list (RFC 7489 3.2):
 * lowercase A-labels. snprintf contract.
 */
MOX_API size_t mox_dmarc_psl_orgdomain(char *buf, size_t cap,
    const mox_dmarc_psl *psl, const char *domain);

/* --- evaluation --- */

/**
 * Start a DMARC evaluation of one message.
 *
 * @param[in] from, from_len  the raw value of the message's From field(s):
 *                  give the values of every From field joined with ","
 *                  or, better, use mox_dmarc_eval_new_msg(); exactly one
 *                  address is required (RFC 9989), else the verdict is
 *                  permerror (several) or none (no domain)
 * @param[in] spf   SPF result (may be NULL: none)
 * @param[in] dkim  DKIM results, one per signature (may be NULL with 0)
 * @param[in] opts  NULL for defaults (copied)
 * @return MOX_OK, MOX_EINVAL (also RFC 7489 mode without psl),
 *         MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_dmarc_eval_new(mox_dmarc_eval **out, const uint8_t *from,
    size_t from_len, const mox_dmarc_spf *spf, const mox_dmarc_dkim *dkim,
    size_t ndkim, const mox_dmarc_options *opts);

/**
 * As mox_dmarc_eval_new() with the From domain taken from a message's
 * header section (every From field).
 */
MOX_API int mox_dmarc_eval_new_msg(mox_dmarc_eval **out,
    const uint8_t *msg, size_t len, const mox_dmarc_spf *spf,
    const mox_dmarc_dkim *dkim, size_t ndkim, const mox_dmarc_options *opts);

/** Free an evaluator; NULL does nothing. */
MOX_API void mox_dmarc_eval_free(mox_dmarc_eval *e);

/**
 * Advance until a DNS question is needed or the evaluation is done.
 *
 * @return MOX_DMARC_STEP_QUERY (q filled) or MOX_DMARC_STEP_DONE;
 *         MOX_ESTATE (an answer is due), MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_dmarc_eval_step(mox_dmarc_eval *e, mox_dmarc_question *q);

/**
 * The answer (TXT) to the last question; NULL when the lookup failed
 * without one (temperror). Borrowed for the call.
 *
 * @return MOX_OK, MOX_ESTATE, MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_dmarc_eval_answer(mox_dmarc_eval *e,
    const mox_dns_answer *ans);

/**
 * The result once done; strings copied into out (release it).
 *
 * @return MOX_OK, MOX_ESTATE, MOX_EINVAL, MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_dmarc_eval_result(const mox_dmarc_eval *e,
    mox_dmarc_result *out);

/**
 * One blocking call: evaluate with the message's header section, looking
 * up records with r.
 */
MOX_API int mox_dmarc_check(mox_dmarc_result *out, mox_resolver *r,
    const uint8_t *msg, size_t len, const mox_dmarc_spf *spf,
    const mox_dmarc_dkim *dkim, size_t ndkim, const mox_dmarc_options *opts);

/** Free the strings of a result and reset it (the version stays). */
MOX_API void mox_dmarc_result_release(mox_dmarc_result *res);

/* --- text --- */

/** RFC 8601 name of a verdict ("pass"); "unknown" when out of range. */
MOX_API const char *mox_dmarc_verdict_name(int verdict);

/** Name of a policy ("none", "quarantine", "reject"; "" for unset). */
MOX_API const char *mox_dmarc_policy_name(int policy);

/**
 * The dmarc resinfo of an Authentication-Results field (RFC 8601, RFC
 * 9989): "dmarc=fail (p=reject dis=quarantine) header.from=example.com
 * policy.dmarc=reject". snprintf contract.
 */
MOX_API size_t mox_dmarc_authres(char *buf, size_t cap,
    const mox_dmarc_result *res);

/* --- external report destinations --- */

/**
 * The name whose TXT record authorizes reports about domain to be sent to
 * an address at dest (RFC 9990 / RFC 7489 7.1):
 * "<domain>._report._dmarc.<dest>". snprintf contract.
 */
MOX_API size_t mox_dmarc_report_auth_name(char *buf, size_t cap,
    const char *domain, const char *dest);

/**
 * Whether a TXT answer for mox_dmarc_report_auth_name() authorizes the
 * destination (a record starting with v=DMARC1).
 *
 * @return 1 authorized, 0 not, MOX_EINVAL
 */
MOX_API int mox_dmarc_report_auth_check(const mox_dns_answer *ans);

MOX_END_DECLS

#endif
