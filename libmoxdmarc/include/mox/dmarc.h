/* SPDX-License-Identifier: MIT */
/**
 * mox/dmarc.h -- DMARC: record parsing and formatting (RFC 9989, with the
 * RFC 7489 tags), policy discovery by the RFC 9989 DNS tree walk or, in
 * RFC 7489 mode, the Public Suffix List, as a resumable (sans-I/O)
 * evaluator and a blocking call over a mox_resolver; alignment and policy
 * evaluation from SPF and DKIM results given as plain structs;
 * Authentication-Results text; external report destination checks;
 * aggregate reports (RFC 9990 and RFC 7489 appendix C) and failure
 * reports (RFC 9991, ARF of RFC 5965) parsed and generated.
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
	/** Look up the records of the question's name and type (TXT for
	 * _dmarc names; A for the From domain when np= needs to know
	 * whether it exists) and give the answer to
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
	/** p=, sp=, np= as written; MOX_DMARC_P_UNSET when absent or
	 * invalid (an invalid one with a valid rua= makes the record act
	 * as p=none: see policy_effective and policy_fallback). */
	int p;
	int sp;
	int np;
	/** The domain policy that applies after RFC 9989's rules: p; none
	 * when p is absent (4.7); none when p, sp or np is invalid and
	 * rua= has a valid URI (4.10.1; without one the record is not
	 * usable: see mox_dmarc_record_parse()). RFC 7489 mode has its own
	 * rules (p required, np unknown) and applies them in the
	 * evaluator. */
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
	/** RFC 9989 4.10.1: an invalid p, sp or np with a valid rua=; the
	 * record acts as "p=none" (sp and np are not used). */
	bool policy_fallback;
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

/** A DNS question of the evaluator. Borrowed, valid until the next call
 * on the evaluator. */
typedef struct mox_dmarc_question {
	const char *name;
	/** MOX_DNS_TXT, or MOX_DNS_A for the existence check of the From
	 * domain (RFC 9989 np=: NXDOMAIN means it does not exist). */
	uint16_t type;
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
	 * one level (reject to quarantine, quarantine to none) by t=y
	 * (RFC 9989) or when pct sampling leaves the message out
	 * (RFC 7489). */
	int policy;
	/** The policy the record asks for before test mode or sampling:
	 * for fail p, sp or np; for pass p or sp (np is not looked at);
	 * MOX_DMARC_P_UNSET for the other verdicts. */
	int policy_requested;
	/** Whether t=y (or pct) lowered the policy. */
	bool testing;
	bool sampled_out;
	/** Whether the policy is to reject (policy == reject). */
	bool reject;
	/** The From domain (lowercase A-labels); "" when there was none. */
	const char *from_domain;
	/** The From domain's organizational domain (RFC 7489 mode from the
	 * Public Suffix List, RFC 9989 mode from the tree walk); NULL when
	 * it was not needed (a record at the From domain and no relaxed
	 * alignment check of another domain) or a DNS error stopped it. */
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
	/** For none/temperror/permerror and for fail: why, in words; NULL
	 * for pass. */
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
 *                  or, better, use mox_dmarc_eval_new_msg(); exactly
 *                  one domain is required (RFC 9989 5.3.1: addresses
 *                  may be several, all with that domain), else the
 *                  verdict is permerror (several domains, a value that
 *                  does not parse, an invalid domain) or none (no
 *                  address). IDNs are converted to A-labels.
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
 * header section: more than one From field is permerror (RFC 5322 3.6,
 * RFC 9989 4.4), none is verdict none.
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
 * The answer to the last question (of the question's type); NULL when
 * the lookup failed without one (temperror). Borrowed for the call.
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
 * up records with r. A name the resolver refuses (MOX_EINVAL) counts as
 * holding no record; other lookup failures are temperror.
 *
 * @return as mox_dmarc_eval_new_msg() and mox_dmarc_eval_result()
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
 * 9989 9.1: policy.dmarc is the policy after sp/np, t=y and pct):
 * "dmarc=fail (p=reject dis=quarantine) header.from=example.com
 * policy.dmarc=quarantine"; for none, temperror and permerror the reason
 * as a comment and no policy. snprintf contract.
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

/* --- aggregate reports --- */

/*
 * Aggregate reports: RFC 9990 (namespace urn:ietf:params:xml:ns:dmarc-2.0)
 * and the RFC 7489 appendix C format that most receivers still send. A
 * parsed report (mox_dmarc_report) is read through plain structs that are
 * also what the generators take: mox_dmarc_report_meta (report_metadata
 * and policy_published) and one mox_dmarc_report_row per <record>, which
 * point to arrays of mox_dmarc_report_reason, mox_dmarc_report_dkim and
 * mox_dmarc_report_spf.
 *
 * Enumerated fields hold a value of the enum named at the field, or
 * MOX_DMARC_REPORT_ABSENT (element missing or empty) or
 * MOX_DMARC_REPORT_INVALID (a value neither schema lists). Values are
 * matched ignoring ASCII case; the SPF results "unknown" and "error" of
 * older reporters mean temperror and permerror.
 *
 * Parsing is bounded: input size, element nesting, element and record
 * counts and text length have limits (mox_dmarc_report_options), entity
 * declarations are refused (no entity expansion: "billion laughs" fails
 * at the declaration), and decompression of gzip and zip attachments stops
 * at the size limit. Element names are matched by local name in the
 * namespace of <feedback> (any namespace, or none); elements in other
 * namespaces (RFC 9990 extensions) and unknown elements are skipped with
 * their content; text is trimmed of XML whitespace.
 *
 * Threads: parsing and generating functions are reentrant; a parsed
 * report is immutable and may be read by any number of threads.
 */

/** Enumerated report field: the element is missing or empty. */
#define MOX_DMARC_REPORT_ABSENT (-1)
/** Enumerated report field: a value the schemas do not list. */
#define MOX_DMARC_REPORT_INVALID (-2)
/** SPF result "policy" (RFC 8601 2.7.2; listed by RFC 9990 only), next to
 * the mox_dmarc_spf_result values in report SPF results. RFC 7489 output
 * writes it as "fail" (local policy found the client unacceptable). */
#define MOX_DMARC_REPORT_SPF_POLICY 7

/** Report schema: of a parsed document, or of the one to generate. */
typedef enum mox_dmarc_report_format {
	/** RFC 9990: <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">. */
	MOX_DMARC_REPORT_RFC9990 = 0,
	/** RFC 7489 appendix C; parsed: any other namespace, or none. */
	MOX_DMARC_REPORT_RFC7489 = 1
} mox_dmarc_report_format;

/** <disposition> of policy_evaluated (1 to 3 equal mox_dmarc_policy). */
typedef enum mox_dmarc_disposition {
	MOX_DMARC_DISPOSITION_NONE = 1,
	MOX_DMARC_DISPOSITION_QUARANTINE = 2,
	MOX_DMARC_DISPOSITION_REJECT = 3,
	/** RFC 9990: DMARC passed under an enforcing policy. Written as
	 * "none" in the RFC 7489 format, which lacks it. */
	MOX_DMARC_DISPOSITION_PASS = 4
} mox_dmarc_disposition;

/** Policy override reason <type>. A type the output format lacks is
 * written as "other", with the type's name as comment when there is no
 * comment. */
typedef enum mox_dmarc_override {
	MOX_DMARC_OVERRIDE_FORWARDED = 1,         /**< RFC 7489 only */
	MOX_DMARC_OVERRIDE_SAMPLED_OUT = 2,       /**< RFC 7489 only */
	MOX_DMARC_OVERRIDE_TRUSTED_FORWARDER = 3,
	MOX_DMARC_OVERRIDE_MAILING_LIST = 4,
	MOX_DMARC_OVERRIDE_LOCAL_POLICY = 5,
	MOX_DMARC_OVERRIDE_OTHER = 6,
	MOX_DMARC_OVERRIDE_POLICY_TEST_MODE = 7   /**< RFC 9990 only */
} mox_dmarc_override;

/** <discovery_method> of policy_published (RFC 9990). */
typedef enum mox_dmarc_discovery {
	MOX_DMARC_DISCOVERY_PSL = 1,      /**< "psl": RFC 7489 */
	MOX_DMARC_DISCOVERY_TREEWALK = 2  /**< "treewalk": RFC 9989 */
} mox_dmarc_discovery;

/** <scope> of an SPF result. */
typedef enum mox_dmarc_spf_scope {
	MOX_DMARC_SPF_SCOPE_MFROM = 1,
	/** RFC 7489 only; omitted in RFC 9990 output. */
	MOX_DMARC_SPF_SCOPE_HELO = 2
} mox_dmarc_spf_scope;

/**
 * Limits of parsing and unpacking. Initialize with
 * MOX_DMARC_REPORT_OPTIONS_INIT or mox_dmarc_report_options_init().
 */
typedef struct mox_dmarc_report_options {
	unsigned int version;      /**< MOX_DMARC_REPORT_OPTIONS_VERSION */
	/** Largest XML document in octets, after decompression. Default
	 * 64 MiB. */
	size_t max_size;
	/** Most <record> elements. Default 1000000. */
	size_t max_records;
	/** Most elements in the document, unknown ones included. Default
	 * 32000000 (about 30 per record). */
	size_t max_elements;
	/** Deepest element nesting; <feedback> is 1. Default 32. */
	unsigned int max_depth;
	/** Longest text of one element, before trimming. Default 64 KiB. */
	size_t max_text;
} mox_dmarc_report_options;

#define MOX_DMARC_REPORT_OPTIONS_VERSION 1
#define MOX_DMARC_REPORT_OPTIONS_INIT                                       \
	{ MOX_DMARC_REPORT_OPTIONS_VERSION, (size_t)64 << 20, 1000000,        \
	  32000000, 32, (size_t)64 << 10 }

/**
 * One policy override <reason>. The layout of this struct never changes
 * (arrays of it are passed in both directions).
 */
typedef struct mox_dmarc_report_reason {
	/** mox_dmarc_override */
	int type;
	/** <comment>, NULL when absent. */
	const char *comment;
} mox_dmarc_report_reason;

/**
 * One DKIM result of <auth_results>. The layout never changes.
 */
typedef struct mox_dmarc_report_dkim {
	/** d= of the signature (parsed: "" when absent). */
	const char *domain;
	/** s= of the signature; NULL when absent (written as an empty
	 * <selector> in RFC 9990 output, where it is required). */
	const char *selector;
	/** mox_dmarc_dkim_result */
	int result;
	/** <human_result>, NULL when absent. */
	const char *human_result;
} mox_dmarc_report_dkim;

/**
 * One SPF result of <auth_results>. The layout never changes.
 */
typedef struct mox_dmarc_report_spf {
	/** The domain checked (parsed: "" when absent). */
	const char *domain;
	/** mox_dmarc_spf_scope */
	int scope;
	/** mox_dmarc_spf_result or MOX_DMARC_REPORT_SPF_POLICY */
	int result;
	/** <human_result> (RFC 9990), NULL when absent. */
	const char *human_result;
} mox_dmarc_report_spf;

/**
 * report_metadata and policy_published of a report. A parsed report's is
 * owned by the report (mox_dmarc_report_view()); for the generators the
 * caller fills one (MOX_DMARC_REPORT_META_INIT) and keeps ownership. In
 * a parsed report, optional strings that are absent are NULL; required
 * ones (org_name, report_id, domain) are never NULL.
 */
typedef struct mox_dmarc_report_meta {
	unsigned int version;      /**< MOX_DMARC_REPORT_META_VERSION */
	/** mox_dmarc_report_format: what was parsed (by namespace), or what
	 * to write. */
	int format;
	/** Parsed: namespace URI of <feedback>, "" when none. Generators:
	 * ignored (the format decides). */
	const char *xmlns;
	/** Parsed: <version> as written, NULL when absent. Generators:
	 * ignored ("1.0" is written). */
	const char *report_version;
	/* report_metadata */
	const char *org_name;
	const char *email;
	const char *extra_contact_info;
	const char *report_id;
	/** date_range, seconds since the epoch. */
	int64_t begin;
	int64_t end;
	/** <error> texts. RFC 9990 output allows one: several are joined
	 * with "; ". */
	const char *const *errors;
	size_t nerrors;
	/** <generator> (RFC 9990; not written in RFC 7489 output). */
	const char *generator;
	/* policy_published */
	/** The policy domain. */
	const char *domain;
	/** mox_dmarc_discovery (RFC 9990). */
	int discovery_method;
	/** mox_dmarc_policy, never MOX_DMARC_P_UNSET (ABSENT instead). p
	 * is required in output; RFC 7489 output writes an absent sp as p. */
	int p;
	int sp;
	/** np (RFC 9990; not written in RFC 7489 output). */
	int np;
	/** mox_dmarc_align */
	int adkim;
	int aspf;
	/** t=: 1 for "y", 0 for "n" (RFC 9990). */
	int testing;
	/** pct= (RFC 7489), 0 to 100; RFC 7489 output writes 100 when
	 * absent. */
	int pct;
	/** psd=: mox_dmarc_psd. In neither schema: parsed when a reporter
	 * sends it ("y", "n", "u"), never written. */
	int psd;
	/** fo=; RFC 7489 output writes "0" when NULL. */
	const char *fo;
} mox_dmarc_report_meta;

#define MOX_DMARC_REPORT_META_VERSION 1
#define MOX_DMARC_REPORT_META_INIT                                          \
	{ MOX_DMARC_REPORT_META_VERSION, MOX_DMARC_REPORT_RFC9990, NULL,       \
	  NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, 0, NULL, NULL,             \
	  MOX_DMARC_REPORT_ABSENT, MOX_DMARC_REPORT_ABSENT,                    \
	  MOX_DMARC_REPORT_ABSENT, MOX_DMARC_REPORT_ABSENT,                    \
	  MOX_DMARC_REPORT_ABSENT, MOX_DMARC_REPORT_ABSENT,                    \
	  MOX_DMARC_REPORT_ABSENT, MOX_DMARC_REPORT_ABSENT,                    \
	  MOX_DMARC_REPORT_ABSENT, NULL }

/**
 * One <record>: row, identifiers and auth_results. A parsed report's rows
 * are owned by the report (mox_dmarc_report_get_row()); for the
 * generators the caller fills them (MOX_DMARC_REPORT_ROW_INIT).
 */
typedef struct mox_dmarc_report_row {
	unsigned int version;      /**< MOX_DMARC_REPORT_ROW_VERSION */
	/** The connecting IP address as written (parsed), or any form
	 * inet_pton(3) reads (generators: written as RFC 5952 text, or
	 * without "::" in RFC 7489 output, whose schema requires it). */
	const char *source_ip;
	/** Messages in this row. */
	uint64_t count;
	/* policy_evaluated */
	/** mox_dmarc_disposition */
	int disposition;
	/** DMARC-aligned results: mox_dmarc_verdict, PASS or FAIL. */
	int dkim;
	int spf;
	const mox_dmarc_report_reason *reasons;
	size_t nreasons;
	/* identifiers */
	/** The RFC5322.From domain (never NULL when parsed). */
	const char *header_from;
	/** RFC5321.MailFrom domain: NULL when absent, "" for a null
	 * reverse-path (RFC 7489 output, which requires the element,
	 * writes "" for NULL). */
	const char *envelope_from;
	/** RFC5321.RcptTo domain, NULL when absent. */
	const char *envelope_to;
	/* auth_results */
	const mox_dmarc_report_dkim *dkim_results;
	size_t ndkim;
	/** RFC 9990 output writes one (the first mfrom one); RFC 7489
	 * output writes all, or a "none" result for envelope_from when
	 * there is none (its schema requires one). */
	const mox_dmarc_report_spf *spf_results;
	size_t nspf;
} mox_dmarc_report_row;

#define MOX_DMARC_REPORT_ROW_VERSION 1
#define MOX_DMARC_REPORT_ROW_INIT                                           \
	{ MOX_DMARC_REPORT_ROW_VERSION, NULL, 0, MOX_DMARC_REPORT_ABSENT,      \
	  MOX_DMARC_REPORT_ABSENT, MOX_DMARC_REPORT_ABSENT, NULL, 0, NULL,     \
	  NULL, NULL, NULL, 0, NULL, 0 }

/**
 * What mox_dmarc_report_message() needs beyond the report. Initialize with
 * MOX_DMARC_REPORT_MAIL_INIT. Strings are borrowed for the call and must
 * not contain CR, LF or NUL.
 */
typedef struct mox_dmarc_report_mail {
	unsigned int version;      /**< MOX_DMARC_REPORT_MAIL_VERSION */
	/** From and To field values as written, such as
	 * "DMARC reports <dmarc@mail.example>". Required. */
	const char *from;
	const char *to;
	/** Message-ID without angle brackets. Required. RFC 9990 suggests
	 * reusing the Report-ID in it. */
	const char *message_id;
	/** Date field, seconds since the epoch (written in UTC). */
	int64_t date;
	/** Domain of the Mail Receiver making the report: the Subject's
	 * "Submitter:" and the filename's receiver. Required. */
	const char *submitter;
	/** Filename unique-id, 1*(ALPHA / DIGIT); NULL for none. */
	const char *unique_id;
	/** Human-readable text/plain part (UTF-8); NULL for a short default,
	 * "" for none. */
	const char *text;
	/** Attach the XML uncompressed as text/xml ("xml" filename)
	 * instead of application/gzip ("xml.gz"). */
	bool plain_xml;
} mox_dmarc_report_mail;

#define MOX_DMARC_REPORT_MAIL_VERSION 1
#define MOX_DMARC_REPORT_MAIL_INIT                                          \
	{ MOX_DMARC_REPORT_MAIL_VERSION, NULL, NULL, NULL, 0, NULL, NULL,      \
	  NULL, false }

/**
 * Fill options with the defaults for the given version.
 *
 * @return MOX_OK, MOX_EINVAL (NULL), MOX_EVERSION (0 or too new)
 * Threads: any.
 */
MOX_API int mox_dmarc_report_options_init(mox_dmarc_report_options *opts,
    unsigned int version);

/**
 * Parse an aggregate report XML document (either format) with the default
 * limits. Same as mox_dmarc_report_parse_opts() with NULL options.
 * Threads: reentrant.
 */
MOX_API int mox_dmarc_report_parse(mox_dmarc_report **out,
    const uint8_t *xml, size_t len, char *err, size_t errcap);

/**
 * Parse an aggregate report XML document (either format).
 *
 * Required: root <feedback>, report_metadata with org_name, report_id and
 * date_range (begin, end), policy_published with domain, and in each
 * record source_ip, count and header_from; everything else may be absent.
 * Values of enumerated fields that are not in the schemas are not errors
 * (MOX_DMARC_REPORT_INVALID); integers that do not parse are.
 *
 * @param[out] out     the report on MOX_OK (free with
 *                     mox_dmarc_report_free()), else NULL
 * @param[in]  xml, len  the document; borrowed for the call
 * @param[in]  opts    limits, NULL for defaults
 * @param[out] err     on failure, a NUL-terminated description with the
 *                     line and column ("line 3, column 7: mismatched
 *                     tag"), snprintf-truncated to errcap; may be NULL
 * @return MOX_OK; MOX_ESYNTAX (malformed XML, not a report, missing
 *         required element, bad integer); MOX_EUNSUPPORTED (an entity
 *         declaration, or an encoding expat does not know); MOX_ELIMIT (a
 *         limit of opts); MOX_EINVAL; MOX_EVERSION; MOX_ENOMEM
 * Threads: reentrant.
 */
MOX_API int mox_dmarc_report_parse_opts(mox_dmarc_report **out,
    const uint8_t *xml, size_t len, const mox_dmarc_report_options *opts,
    char *err, size_t errcap);

/**
 * Find the aggregate report in a report email and parse it. The MIME tree
 * (mox_msg_tree_parse()) is searched in order for a part whose media type
 * is application/gzip, application/zip, text/xml or application/xml (and
 * their x- and octet-stream variants with a .gz, .zip or .xml filename),
 * or the message itself when it is such a part. The decoded body is
 * recognized by content: gzip (several members allowed), zip (stored or
 * deflate; the first entry whose name ends in .xml, else the first
 * entry; CRC checked) or bare XML. Decompression stops at opts->max_size.
 * When several parts qualify, the first that parses wins; if none does,
 * the error of the first is returned.
 *
 * @param[in] msg, len  the message; borrowed for the call
 * @return as mox_dmarc_report_parse_opts(), and MOX_ENOTFOUND (no report
 *         part), MOX_ESYNTAX (corrupt gzip or zip), MOX_EUNSUPPORTED
 *         (zip64, encrypted, or another compression method)
 * Threads: reentrant.
 */
MOX_API int mox_dmarc_report_from_message(mox_dmarc_report **out,
    const uint8_t *msg, size_t len, const mox_dmarc_report_options *opts,
    char *err, size_t errcap);

/** Free a report; NULL does nothing. Threads: not while others read it. */
MOX_API void mox_dmarc_report_free(mox_dmarc_report *r);

/**
 * report_metadata and policy_published of a parsed report.
 *
 * @return borrowed, valid until mox_dmarc_report_free(); NULL for NULL
 * Threads: any number of readers.
 */
MOX_API const mox_dmarc_report_meta *mox_dmarc_report_view(
    const mox_dmarc_report *r);

/** Number of records (0 for NULL). Threads: any number of readers. */
MOX_API size_t mox_dmarc_report_row_count(const mox_dmarc_report *r);

/**
 * Record i, in document order.
 *
 * @return borrowed, valid until mox_dmarc_report_free(); NULL when i is
 *         out of range
 * Threads: any number of readers.
 */
MOX_API const mox_dmarc_report_row *mox_dmarc_report_get_row(
    const mox_dmarc_report *r, size_t i);

/**
 * Write a report as an XML document: RFC 9990 (default namespace
 * urn:ietf:params:xml:ns:dmarc-2.0) or, with meta->format
 * MOX_DMARC_REPORT_RFC7489, the RFC 7489 format without namespace, as
 * receivers send it. The output validates against the schema of the
 * chosen RFC (for RFC 7489 with the corrections noted in
 * tests/unit/dmarc/reports/rua-7489.xsd). Values a format cannot express
 * are mapped: see the fields. Text is escaped; invalid UTF-8 and control
 * characters become U+FFFD.
 *
 * @param[out] out      newly allocated NUL-terminated UTF-8 document;
 *                      free with mox_dmarc_report_data_free(); NULL on
 *                      error
 * @param[out] out_len  its length (may be NULL)
 * @param[in]  meta     metadata and published policy (org_name, email,
 *                      report_id, domain and p are required); borrowed
 * @param[in]  rows, nrows  the records (source_ip, header_from,
 *                      disposition, dkim, spf required); borrowed; each
 *                      row is read by its own version
 * @return MOX_OK, MOX_EINVAL (missing required value, invalid enum value,
 *         invalid IP address, end before begin), MOX_EVERSION, MOX_ENOMEM
 * Threads: reentrant.
 */
MOX_API int mox_dmarc_report_xml(char **out, size_t *out_len,
    const mox_dmarc_report_meta *meta,
    const mox_dmarc_report_row *const *rows, size_t nrows);

/**
 * The attachment filename of a report (RFC 9990, RFC 7489 7.2.1.1):
 * "receiver!policy-domain!begin!end[!unique-id].xml[.gz]".
 * snprintf contract.
 *
 * @param[in] unique_id  1*(ALPHA / DIGIT) or NULL
 * @return the length needed; 0 when a name is not a domain (letters,
 *         digits, '-', '_', '.') or unique_id is not alphanumeric
 * Threads: reentrant.
 */
MOX_API size_t mox_dmarc_report_filename(char *buf, size_t cap,
    const char *receiver, const char *policy_domain, int64_t begin,
    int64_t end, const char *unique_id, bool gzip);

/**
 * The Subject of a report email (RFC 9990, RFC 7489 7.2.1.1), unfolded:
 * "Report Domain: <policy-domain> Submitter: <submitter> Report-ID:
 * <report_id>". The Report-ID part is left out when report_id is not
 * dot-atom-text ["@" dot-atom-text] (with or without angle brackets).
 * snprintf contract.
 *
 * @return the length needed; 0 when a domain is not a domain name
 * Threads: reentrant.
 */
MOX_API size_t mox_dmarc_report_subject(char *buf, size_t cap,
    const char *policy_domain, const char *submitter,
    const char *report_id);

/**
 * A complete report email (RFC 5322 with MIME, CRLF line ends):
 * From, To, Date, Subject (folded), Message-ID, MIME-Version and a
 * multipart/mixed body with the text part and the report as a base64
 * attachment: the gzip-compressed XML (application/gzip, "*.xml.gz") or
 * with mail->plain_xml the XML (text/xml, "*.xml"). Ready for DKIM
 * signing and submission; RFC 9990 requires such mail to pass DMARC.
 *
 * @param[out] out      newly allocated NUL-terminated message; free with
 *                      mox_dmarc_report_data_free()
 * @param[out] out_len  its length (may be NULL)
 * @param[in]  mail     headers and options; borrowed
 * @param[in]  meta, rows, nrows  as mox_dmarc_report_xml()
 * @return MOX_OK, MOX_EINVAL (also CR/LF in a header value, a bad
 *         submitter or unique_id), MOX_EVERSION, MOX_ENOMEM
 * Threads: reentrant.
 */
MOX_API int mox_dmarc_report_message(char **out, size_t *out_len,
    const mox_dmarc_report_mail *mail, const mox_dmarc_report_meta *meta,
    const mox_dmarc_report_row *const *rows, size_t nrows);

/** Free memory returned by mox_dmarc_report_xml(),
 * mox_dmarc_report_message() and mox_dmarc_failure_message(); NULL does
 * nothing. Threads: any. */
MOX_API void mox_dmarc_report_data_free(void *p);

/* --- failure reports --- */

/*
 * Failure reports (RFC 9991, updating RFC 6591): one report per message
 * that failed, in the Abuse Reporting Format of RFC 5965 with
 * Feedback-Type auth-failure and Auth-Failure dmarc, optionally redacted
 * as RFC 6590 describes.
 */

/**
 * Whether a failure report is requested by the fo= tag of the policy
 * record (RFC 9991, RFC 7489 6.3), a colon-separated list of:
 * "0" (the default, also for NULL or ""): all mechanisms failed to give
 * an aligned pass; "1": any mechanism failed to give an aligned pass;
 * "d": a DKIM signature failed to verify, aligned or not; "s": SPF
 * failed, aligned or not. Unknown options and whitespace around options
 * are ignored. The caller still checks that the record has ruf= and
 * applies its own rate limits.
 *
 * @param[in] fo                 the fo= value as written, or NULL
 * @param[in] spf_aligned_pass   SPF passed with an aligned identifier
 * @param[in] dkim_aligned_pass  a DKIM signature with an aligned domain
 *                               verified
 * @param[in] spf_fail_any       SPF evaluated to fail (any domain)
 * @param[in] dkim_fail_any      a DKIM signature failed to verify (any
 *                               domain)
 * Threads: reentrant.
 */
MOX_API bool mox_dmarc_failure_wanted(const char *fo, bool spf_aligned_pass,
    bool dkim_aligned_pass, bool spf_fail_any, bool dkim_fail_any);

/** How mox_dmarc_failure_message() redacts (RFC 6590) the local-parts of
 * addresses in the reported message's address header fields (From,
 * Sender, Reply-To, To, Cc, Bcc, Return-Path, Delivered-To,
 * X-Original-To, Received, Resent-*) and in Original-Mail-From and
 * Original-Rcpt-To. The body of the original, when included, is not
 * redacted: use headers_only for privacy. */
typedef enum mox_dmarc_redact {
	MOX_DMARC_REDACT_NONE = 0,
	/** Every local-part becomes "redacted". */
	MOX_DMARC_REDACT_TOKEN = 1,
	/** Every local-part becomes 16 hex digits of a 64-bit FNV-1a hash
	 * over redact_key and the local-part: equal local-parts give equal
	 * tokens, so the report recipient can correlate, but this is not a
	 * cryptographic hash (a short local-part can be guessed by trying
	 * candidates when the key is known or empty). */
	MOX_DMARC_REDACT_HASH = 2
} mox_dmarc_redact;

/**
 * What mox_dmarc_failure_message() writes. Initialize with
 * MOX_DMARC_FAILURE_MAIL_INIT. Strings are borrowed for the call, must be
 * NUL-terminated, must not contain CR or LF and are written unfolded (a
 * value making a line longer than 998 octets is MOX_EINVAL).
 */
typedef struct mox_dmarc_failure_mail {
	unsigned int version;      /**< MOX_DMARC_FAILURE_MAIL_VERSION */
	/** From and To field values as written. Required. */
	const char *from;
	const char *to;
	/** Message-ID without angle brackets. Required. */
	const char *message_id;
	/** Date field, seconds since the epoch (written in UTC). */
	int64_t date;
	/** Subject; NULL for "DMARC failure report for <reported_domain>". */
	const char *subject;
	/** Human-readable first part (UTF-8); NULL for a short default. */
	const char *text;
	/** User-Agent of the report; NULL for "mox-dmarc/1". */
	const char *user_agent;
	/** Reported-Domain: the RFC5322.From domain. Required. */
	const char *reported_domain;
	/** Authentication-Results field value (RFC 8601), such as
	 * "mx.example; dmarc=fail header.from=example.com". Required. */
	const char *authentication_results;
	/** Source-IP; NULL to leave out. */
	const char *source_ip;
	/** Original-Mail-From as the address (without angle brackets), ""
	 * for the null reverse-path ("<>"); NULL to leave out. */
	const char *original_mail_from;
	/** Original-Rcpt-To, address without angle brackets; NULL to leave
	 * out. */
	const char *original_rcpt_to;
	/** Original-Envelope-Id (RFC 3461 ENVID); NULL to leave out. */
	const char *original_envelope_id;
	/** Arrival-Date, seconds since the epoch; negative to leave out. */
	int64_t arrival_date;
	/** Identity-Alignment (RFC 9991): "none", "dkim", "spf" or
	 * "dkim, spf"; NULL to leave out. */
	const char *identity_alignment;
	/** Delivery-Result (RFC 6591): "delivered", "spam", "policy",
	 * "reject" or "other"; NULL to leave out. */
	const char *delivery_result;
	/** DKIM-Domain, DKIM-Selector, DKIM-Identity of a failed signature
	 * (RFC 6591); NULL to leave out. */
	const char *dkim_domain;
	const char *dkim_selector;
	const char *dkim_identity;
	/** SPF-DNS (RFC 6591), such as "txt : example.com : v=spf1 -all";
	 * NULL to leave out. */
	const char *spf_dns;
	/** The reported message as received. Required (len > 0). */
	const uint8_t *original;
	size_t original_len;
	/** Include only the header section, as text/rfc822-headers, instead
	 * of the whole message as message/rfc822. */
	bool headers_only;
	/** mox_dmarc_redact */
	int redact;
	/** Key mixed into MOX_DMARC_REDACT_HASH; NULL for none. */
	const char *redact_key;
} mox_dmarc_failure_mail;

#define MOX_DMARC_FAILURE_MAIL_VERSION 1
#define MOX_DMARC_FAILURE_MAIL_INIT                                         \
	{ MOX_DMARC_FAILURE_MAIL_VERSION, NULL, NULL, NULL, 0, NULL, NULL,     \
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, -1, NULL, NULL, NULL,      \
	  NULL, NULL, NULL, NULL, 0, false, MOX_DMARC_REDACT_NONE, NULL }

/**
 * A complete failure report email (RFC 5322 with MIME, CRLF line ends):
 * From, To, Date, Subject, Message-ID, MIME-Version and a
 * multipart/report; report-type=feedback-report body (RFC 6522) with
 * three parts: the text, the message/feedback-report part (Feedback-Type:
 * auth-failure, User-Agent, Version: 1, Auth-Failure: dmarc,
 * Authentication-Results, then the optional fields in the order of the
 * struct) and the original as message/rfc822 (Content-Transfer-Encoding
 * 8bit when it has 8-bit octets) or its header section as
 * text/rfc822-headers. Line ends of the original become CRLF.
 *
 * @param[out] out      newly allocated NUL-terminated message; free with
 *                      mox_dmarc_report_data_free(); NULL on error
 * @param[out] out_len  its length (may be NULL)
 * @param[in]  mail     fields, options and the original; borrowed
 * @return MOX_OK, MOX_EINVAL (missing required value, CR/LF in a value,
 *         a bad redact value, a too long line), MOX_ELIMIT (the
 *         original's header section exceeds the default limits of
 *         mox_msg_options), MOX_EVERSION, MOX_ENOMEM
 * Threads: reentrant.
 */
MOX_API int mox_dmarc_failure_message(char **out, size_t *out_len,
    const mox_dmarc_failure_mail *mail);

/** A parsed failure report. Free with mox_dmarc_failure_free(). */
typedef struct mox_dmarc_failure mox_dmarc_failure;

/**
 * The fields of a parsed failure report. Strings are unfolded values
 * (NUL-terminated; NULL when the field is absent; for a repeated
 * single-occurrence field the first wins), owned by the report. Fields
 * may be appended in later versions.
 */
typedef struct mox_dmarc_failure_info {
	unsigned int version;      /**< MOX_DMARC_FAILURE_INFO_VERSION */
	const char *feedback_type;       /**< always set */
	const char *user_agent;
	const char *report_version;      /**< Version */
	const char *auth_failure;
	const char *reported_domain;     /**< first Reported-Domain */
	const char *source_ip;
	const char *original_mail_from;
	const char *original_envelope_id;
	const char *arrival_date;        /**< as written */
	const char *identity_alignment;
	const char *delivery_result;
	const char *dkim_domain;
	const char *dkim_selector;
	const char *dkim_identity;
	const char *spf_dns;
	/** Every Authentication-Results and Original-Rcpt-To field. */
	const char *const *authentication_results;
	size_t nauthentication_results;
	const char *const *original_rcpt_to;
	size_t noriginal_rcpt_to;
	/** The header section of the included original (message/rfc822,
	 * message/global or text/rfc822-headers, decoded), a copy owned by
	 * the report; { NULL, 0 } when the report has none. */
	mox_slice original_headers;
	/** The original was included as text/rfc822-headers. */
	bool headers_only;
} mox_dmarc_failure_info;

#define MOX_DMARC_FAILURE_INFO_VERSION 1

/**
 * Find the first message/feedback-report part of a message (in a
 * multipart/report or anywhere in the MIME tree, or the message itself)
 * and parse its fields (RFC 5965 3.1). Any Feedback-Type is accepted
 * (check feedback_type and auth_failure). The original is the part
 * after the report part in the same multipart.
 *
 * @param[out] out     the report on MOX_OK (free with
 *                     mox_dmarc_failure_free()), else NULL
 * @param[in]  msg, len  the message; borrowed for the call
 * @param[out] err     on failure a NUL-terminated description,
 *                     snprintf-truncated to errcap; may be NULL
 * @return MOX_OK; MOX_ENOTFOUND (no message/feedback-report part);
 *         MOX_ESYNTAX (a malformed field line, no Feedback-Type, a NUL);
 *         MOX_ELIMIT (tree or header limits); MOX_EUNSUPPORTED (unknown
 *         Content-Transfer-Encoding of the report part); MOX_EINVAL;
 *         MOX_ENOMEM
 * Threads: reentrant.
 */
MOX_API int mox_dmarc_failure_parse(mox_dmarc_failure **out,
    const uint8_t *msg, size_t len, char *err, size_t errcap);

/** The fields; borrowed, valid until mox_dmarc_failure_free(); NULL for
 * NULL. Threads: any number of readers. */
MOX_API const mox_dmarc_failure_info *mox_dmarc_failure_view(
    const mox_dmarc_failure *f);

/** Free a parsed failure report; NULL does nothing. Threads: not while
 * others read it. */
MOX_API void mox_dmarc_failure_free(mox_dmarc_failure *f);

MOX_END_DECLS

#endif
