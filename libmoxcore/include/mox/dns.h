/* SPDX-License-Identifier: MIT */
/**
 * mox/dns.h -- the DNS resolver interface every mox library uses.
 *
 * A mox_resolver has one of three backends:
 *  - libunbound (mox_resolver_new_unbound): forwarders from resolv.conf or
 *    given explicitly, stub zones, or full recursion; DNSSEC validation with
 *    trust anchors; answers carry the "authentic" bit.
 *  - in memory (mox_resolver_new_static): records added through the API or
 *    from zone text (RFC 1035 master file syntax with directives for
 *    failures); names it does not hold are NXDOMAIN. Used by tests, by
 *    `-zone FILE` options and by localserve.
 *  - custom (mox_resolver_new_custom): a versioned vtable, so an embedding
 *    application brings its own resolver.
 *
 * Two ways to ask. mox_dns_lookup() blocks until the answer (or the
 * resolver's timeout). mox_dns_query() starts a question and returns at
 * once; its callback runs exactly once, never inside mox_dns_query(), but
 * from mox_resolver_process() (or with MOX_ECANCELED from mox_dns_cancel()
 * or mox_resolver_free()). Poll mox_resolver_fd() for reading, with at most
 * mox_resolver_timeout() milliseconds, then call mox_resolver_process().
 *
 * Answers keep apart: data (MOX_DNS_OK), NODATA, NXDOMAIN, SERVFAIL,
 * timeout, DNSSEC validation failure (bogus) and other error rcodes, because
 * SPF void lookups and DMARC's tree walk depend on the difference. An answer
 * holds only the records of the asked type at the end of the CNAME chain;
 * the chain itself is listed separately.
 *
 * Names: qnames are ASCII presentation form (A-labels; convert with
 * mox_domain_parse()), with or without trailing dot, at most 253 octets,
 * labels at most 63 octets, octets 0x20 to 0x7e (a space is a valid
 * octet in a DNS label, RFC 2181 11; SPF macros can produce one) except
 * backslash. Names in answers
 * are lowercase-preserving presentation form without trailing dot.
 *
 * Threads: mox_dns_lookup() may be called from any number of threads at
 * once on one resolver of the unbound or static backend (for a custom
 * backend only when its vtable has no state shared between queries; see
 * mox_resolver_ops). The asynchronous calls (mox_dns_query, mox_dns_cancel,
 * mox_resolver_process, mox_resolver_timeout) on one resolver are used by
 * one thread at a time. mox_resolver_complete() may be called from any
 * thread. The static backend's add/load calls must not run concurrently
 * with queries. A mox_dns_answer is immutable and may be read from any
 * thread. There is no global state and no global init.
 */
#ifndef MOX_DNS_H
#define MOX_DNS_H

#include <mox/common.h>
#include <mox/addr.h>

MOX_BEGIN_DECLS

/** An answer to one question; opaque, immutable once delivered. */
typedef struct mox_dns_answer mox_dns_answer;
/** A resolver handle; opaque. */
typedef struct mox_resolver mox_resolver;

/** Record types with decoded fields in mox_dns_rr (any other 16-bit type
 * number may be asked for and is given as raw rdata). */
enum mox_dns_type {
	MOX_DNS_A = 1,
	MOX_DNS_NS = 2,
	MOX_DNS_CNAME = 5,
	MOX_DNS_SOA = 6,
	MOX_DNS_PTR = 12,
	MOX_DNS_MX = 15,
	MOX_DNS_TXT = 16,
	MOX_DNS_AAAA = 28,
	MOX_DNS_SRV = 33,
	MOX_DNS_DS = 43,
	MOX_DNS_SSHFP = 44,
	MOX_DNS_RRSIG = 46,
	MOX_DNS_NSEC = 47,
	MOX_DNS_DNSKEY = 48,
	MOX_DNS_TLSA = 52,
	MOX_DNS_SPF = 99,
	MOX_DNS_CAA = 257
};

/** Outcome of a question. */
typedef enum mox_dns_result {
	MOX_DNS_OK = 0,       /**< NOERROR with at least one record */
	MOX_DNS_NODATA = 1,   /**< the name exists, no records of the type */
	MOX_DNS_NXDOMAIN = 2, /**< the name (or the end of its CNAME chain) does not exist */
	MOX_DNS_SERVFAIL = 3, /**< server failure, or a malformed response */
	MOX_DNS_TIMEOUT = 4,  /**< no answer within the resolver's timeout */
	MOX_DNS_BOGUS = 5,    /**< DNSSEC validation failed; no data is given */
	MOX_DNS_ERROR = 6     /**< another rcode (REFUSED, FORMERR, ...): see rcode */
} mox_dns_result;

/**
 * One resource record of an answer. Borrowed from its answer: valid as long
 * as the answer is. Fields that do not apply to the type are zero or NULL.
 * Decoded name fields are presentation form without trailing dot.
 */
typedef struct mox_dns_rr {
	const char *name;     /**< owner name */
	uint16_t type;        /**< record type */
	uint16_t rclass;      /**< class, 1 (IN) */
	uint32_t ttl;         /**< time to live in seconds */
	const uint8_t *rdata; /**< uncompressed wire-format rdata */
	size_t rdlen;         /**< length of rdata */
	mox_ip ip;            /**< A, AAAA */
	const char *target;   /**< CNAME, NS, PTR target; MX exchange; SRV target; SOA mname */
	uint16_t preference;  /**< MX preference; SRV priority */
	uint16_t weight;      /**< SRV */
	uint16_t port;        /**< SRV */
	/** TXT and SPF: the character-strings joined without separator, followed
	 * by a NUL that is not counted in text_len (the text itself may hold
	 * NUL bytes: use text_len). */
	const char *text;
	size_t text_len;
	const mox_slice *strings; /**< TXT and SPF: each character-string */
	size_t nstrings;
	uint8_t tlsa_usage;    /**< TLSA certificate usage */
	uint8_t tlsa_selector; /**< TLSA selector */
	uint8_t tlsa_mtype;    /**< TLSA matching type */
	const uint8_t *tlsa_data; /**< TLSA certificate association data */
	size_t tlsa_len;
} mox_dns_rr;

/** Callback of mox_dns_query().
 *
 * @param[in] arg     as given to mox_dns_query()
 * @param[in] status  MOX_OK when ans holds the answer (whatever its
 *                    mox_dns_result); MOX_ECANCELED after cancel or free;
 *                    MOX_ENOMEM or MOX_EDNS when no answer could be made
 * @param[in] ans     the answer when status is MOX_OK, else NULL; borrowed,
 *                    valid only during the call (keep nothing of it)
 */
typedef void (*mox_dns_cb)(void *arg, int status, const mox_dns_answer *ans);

/** Modes of the unbound backend. */
typedef enum mox_unbound_mode {
	/** Forward to the nameservers of a resolv.conf file. */
	MOX_UNBOUND_RESOLVCONF = 0,
	/** Forward to the addresses in mox_unbound_options.forwarders. */
	MOX_UNBOUND_FORWARD = 1,
	/** Full recursion from the root (built-in root hints). */
	MOX_UNBOUND_RECURSE = 2
} mox_unbound_mode;

/**
 * Options of the unbound backend. Initialize with MOX_UNBOUND_OPTIONS_INIT
 * or mox_unbound_options_init(); fields are only ever appended.
 * Strings are borrowed for the duration of mox_resolver_new_unbound() only.
 */
typedef struct mox_unbound_options {
	unsigned int version;     /**< MOX_UNBOUND_OPTIONS_VERSION */
	int mode;                 /**< mox_unbound_mode */
	const char *resolvconf;   /**< RESOLVCONF mode: file, NULL = /etc/resolv.conf */
	/** FORWARD mode: "IP" or "IP@PORT" strings. */
	const char *const *forwarders;
	size_t nforwarders;
	/** Stub zones, any mode: pairs {zone, "IP@PORT"}, 2*nstubs strings.
	 * Questions in the zone go to that server directly. */
	const char *const *stubs;
	size_t nstubs;
	/** Trust anchor file (DS or DNSKEY records in zone format), NULL for
	 * none. Without any trust anchor no answer is ever authentic. */
	const char *trust_anchor_file;
	/** Trust anchors as DS/DNSKEY record text, each one record. */
	const char *const *trust_anchors;
	size_t ntrust_anchors;
	/** Timeout of one question in milliseconds; 0 = 10000. */
	unsigned int timeout_ms;
	/** Extra libunbound options as "name: value" strings (see
	 * unbound.conf(5)). libunbound (unlike the unbound server) queries
	 * 127.0.0.1 by default; "do-not-query-localhost: yes" stops that.
	 * libunbound answers RFC 6761 names such as "test." itself;
	 * "local-zone: test. nodefault" lifts that (handled by this backend,
	 * since libunbound ignores that form when set as an option). */
	const char *const *unbound_options;
	size_t nunbound_options;
} mox_unbound_options;

#define MOX_UNBOUND_OPTIONS_VERSION 1
#define MOX_UNBOUND_OPTIONS_INIT \
	{ MOX_UNBOUND_OPTIONS_VERSION, MOX_UNBOUND_RESOLVCONF, NULL, NULL, 0, \
	  NULL, 0, NULL, NULL, 0, 0, NULL, 0 }

/**
 * Vtable of a custom backend. The library calls these from the thread that
 * calls the mox_dns_* / mox_resolver_* function; it never calls two of them
 * at once for one resolver except that query and lookup may run
 * concurrently when mox_dns_lookup() is used from several threads.
 */
typedef struct mox_resolver_ops {
	unsigned int version; /**< MOX_RESOLVER_OPS_VERSION */
	/** Start a question. Deliver its answer later (or now, from inside this
	 * call) with mox_resolver_complete(r, qid, ...), exactly once unless
	 * cancel is called for it. Return MOX_OK, or an error: then nothing is
	 * delivered for qid. Required. */
	int (*query)(void *impl, mox_resolver *r, uint64_t qid,
	    const char *qname, uint16_t qtype);
	/** Forget a question; its answer, if completed later, is dropped.
	 * Optional. */
	void (*cancel)(void *impl, uint64_t qid);
	/** A file descriptor to poll for reading, or -1. Optional. */
	int (*fd)(void *impl);
	/** Do pending work (read sockets, call mox_resolver_complete()).
	 * Return MOX_OK or an error. Optional. */
	int (*process)(void *impl);
	/** Release impl; called once from mox_resolver_free(). Optional. */
	void (*destroy)(void *impl);
} mox_resolver_ops;

#define MOX_RESOLVER_OPS_VERSION 1

/* --- lifecycle --- */

/**
 * Initialize options to the defaults of the given version.
 *
 * @return MOX_OK, MOX_EINVAL, MOX_EVERSION if version is newer than this
 *         library knows
 */
MOX_API int mox_unbound_options_init(mox_unbound_options *opts,
    unsigned int version);

/**
 * New resolver over libunbound.
 *
 * @param[out] out   the resolver, NULL on error
 * @param[in]  opts  options, NULL for defaults (resolv.conf, no DNSSEC
 *                   trust anchor, 10 s timeout)
 * @return MOX_OK, MOX_ENOMEM, MOX_EVERSION, MOX_EINVAL (bad option
 *         value), MOX_EIO (file not readable), MOX_EDNS (libunbound refused
 *         the configuration). Use mox_resolver_new_unbound_err() for a
 *         message naming the problem.
 */
MOX_API int mox_resolver_new_unbound(mox_resolver **out,
    const mox_unbound_options *opts);

/**
 * Same as mox_resolver_new_unbound(), and on failure writes a message naming
 * the problem into errbuf (snprintf contract; errbuf may be NULL).
 */
MOX_API int mox_resolver_new_unbound_err(mox_resolver **out,
    const mox_unbound_options *opts, char *errbuf, size_t errcap);

/**
 * New empty in-memory resolver. Every name is NXDOMAIN until records are
 * added.
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_resolver_new_static(mox_resolver **out);

/**
 * New resolver over an application's vtable.
 *
 * @param[in] ops   borrowed; must outlive the resolver
 * @param[in] impl  passed to every op; owned by the caller (ops->destroy is
 *                  called with it from mox_resolver_free())
 * @return MOX_OK, MOX_EINVAL (missing query op), MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_resolver_new_custom(mox_resolver **out,
    const mox_resolver_ops *ops, void *impl);

/**
 * Free a resolver. Callbacks of questions still pending run with
 * MOX_ECANCELED before it returns. NULL does nothing.
 */
MOX_API void mox_resolver_free(mox_resolver *r);

/**
 * Detail of the last error of an add/load call on this resolver.
 *
 * @return borrowed NUL-terminated string, "" when there is none; valid until
 *         the next call on r
 */
MOX_API const char *mox_resolver_errmsg(const mox_resolver *r);

/**
 * Set the log callback: fn receives messages whose level is at most
 * max_level. NULL fn turns logging off (the default). Not while questions
 * are being asked on other threads: set it up before.
 */
MOX_API void mox_resolver_set_log(mox_resolver *r, mox_log_fn fn, void *arg,
    int max_level);

/**
 * Set the timeout of one question, in milliseconds (0 for the backend's
 * default). Applies to questions started afterwards. Not while questions
 * are being asked on other threads: set it up before.
 */
MOX_API void mox_resolver_set_timeout(mox_resolver *r, unsigned int ms);

/* --- static backend --- */

/**
 * Add one record with wire-format rdata.
 *
 * @param[in] owner  presentation form, trailing dot optional
 * @return MOX_OK, MOX_EINVAL (not a static resolver, bad name, rdata that
 *         does not decode for its type), MOX_ENOMEM
 */
MOX_API int mox_resolver_static_add(mox_resolver *r, const char *owner,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen,
    bool authentic);

/**
 * Load zone text: RFC 1035 master file syntax as nsd reads it ($ORIGIN,
 * $TTL, relative and absolute owners, '@', optional TTL and class, owner
 * carried over from the previous line, parentheses, ';' comments, quoted
 * strings with \DDD and \X escapes, the RFC 3597 "TYPEnn \# len hex" form
 * for any type) plus directives of ours: "$NXDOMAIN name", "$SERVFAIL name",
 * "$TIMEOUT name" force that outcome for every type of the name, and
 * "$AUTHENTIC yes|no" sets the authentic bit of the records that follow
 * (default no). Names are relative to $ORIGIN (default: the root; origin
 * argument overrides).
 *
 * Types understood in presentation form: A, AAAA, NS, CNAME, PTR, MX, TXT,
 * SPF, SRV, TLSA, SOA, CAA, DS, SSHFP, DNSKEY. Others need the \# form.
 *
 * @param[in] text, len  the zone text
 * @param[in] origin     initial $ORIGIN, or NULL for the root
 * @return MOX_OK; MOX_ESYNTAX with mox_resolver_errmsg() naming the line and
 *         the problem ("line 3: bad IPv4 address \"1.2.3\""); MOX_ENOMEM.
 *         On error records of earlier lines stay added.
 */
MOX_API int mox_resolver_static_load(mox_resolver *r, const char *text,
    size_t len, const char *origin);

/**
 * Load zone text from a file, as mox_resolver_static_load().
 *
 * @return as mox_resolver_static_load(), MOX_EIO when the file cannot be
 *         read (errmsg names the file and errno text)
 */
MOX_API int mox_resolver_static_load_file(mox_resolver *r, const char *path,
    const char *origin);

/**
 * Force the outcome of every question for a name (all types): one of
 * MOX_DNS_NXDOMAIN, MOX_DNS_SERVFAIL, MOX_DNS_TIMEOUT, MOX_DNS_BOGUS,
 * MOX_DNS_ERROR (rcode REFUSED), or MOX_DNS_OK to remove a forced outcome.
 * A forced timeout is delivered at once; it does not wait.
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_resolver_static_set_result(mox_resolver *r, const char *name,
    int result);

/* --- questions --- */

/**
 * Ask a question and block for the answer.
 *
 * @param[out] out    the answer, owned by the caller (mox_dns_answer_free());
 *                    NULL on error. Timeout, NXDOMAIN etc. are answers.
 * @param[in]  qname  ASCII name
 * @param[in]  qtype  record type
 * @return MOX_OK; MOX_EINVAL (bad qname); MOX_ENOMEM; MOX_EDNS (resolver
 *         failure that is not a DNS outcome)
 */
MOX_API int mox_dns_lookup(mox_resolver *r, const char *qname,
    uint16_t qtype, mox_dns_answer **out);

/**
 * Start a question; cb runs later from mox_resolver_process().
 *
 * @param[out] qid_out  id for mox_dns_cancel() (may be NULL)
 * @return MOX_OK; on error (MOX_EINVAL, MOX_ENOMEM, MOX_EDNS) cb never runs
 */
MOX_API int mox_dns_query(mox_resolver *r, const char *qname, uint16_t qtype,
    mox_dns_cb cb, void *arg, uint64_t *qid_out);

/**
 * Cancel a pending question: its callback runs now with MOX_ECANCELED.
 *
 * @return MOX_OK, MOX_ENOTFOUND if qid is not pending (already delivered)
 */
MOX_API int mox_dns_cancel(mox_resolver *r, uint64_t qid);

/**
 * File descriptor to poll for reading before mox_resolver_process().
 * Stays the same for the resolver's life.
 *
 * @return fd, or a negative status
 */
MOX_API int mox_resolver_fd(const mox_resolver *r);

/**
 * Milliseconds until the next pending question times out, 0 when one is
 * due, -1 when nothing is pending. Use as the poll timeout.
 */
MOX_API int mox_resolver_timeout(const mox_resolver *r);

/**
 * Deliver every answer that is ready, and time out questions past their
 * deadline. Callbacks run from inside this call.
 *
 * @return number of callbacks run (>= 0), or a negative status
 */
MOX_API int mox_resolver_process(mox_resolver *r);

/**
 * Number of questions started and not yet delivered.
 */
MOX_API size_t mox_resolver_pending(const mox_resolver *r);

/**
 * Poll the resolver's fd for at most timeout_ms (-1: until the next
 * deadline) and process. A convenience loop body for simple callers.
 *
 * @return as mox_resolver_process()
 */
MOX_API int mox_resolver_wait(mox_resolver *r, int timeout_ms);

/**
 * Deliver an answer for a question of a custom backend. Callable from any
 * thread, also from inside ops->query. Takes ownership of ans in every
 * case (also on error). An answer for a qid that is not pending (canceled)
 * is freed and ignored.
 *
 * @param[in] ans  the answer, or NULL for a SERVFAIL answer
 * @return MOX_OK, MOX_ENOTFOUND (qid not pending), MOX_EINVAL
 */
MOX_API int mox_resolver_complete(mox_resolver *r, uint64_t qid,
    mox_dns_answer *ans);

/* --- answers --- */

/** Free an answer. NULL does nothing. */
MOX_API void mox_dns_answer_free(mox_dns_answer *a);

/** The mox_dns_result of an answer. */
MOX_API int mox_dns_answer_result(const mox_dns_answer *a);

/** The DNS rcode (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...); 2 for a
 * timeout or bogus answer. */
MOX_API int mox_dns_answer_rcode(const mox_dns_answer *a);

/** Whether the answer was DNSSEC-validated (the AD bit of a validating
 * resolver): every record and CNAME of it, or the denial of existence. */
MOX_API bool mox_dns_answer_secure(const mox_dns_answer *a);

/** Why validation failed, for a MOX_DNS_BOGUS answer; borrowed, NULL
 * otherwise. */
MOX_API const char *mox_dns_answer_why_bogus(const mox_dns_answer *a);

/** The question's name as asked (trailing dot removed); borrowed. */
MOX_API const char *mox_dns_answer_qname(const mox_dns_answer *a);

/** The question's type. */
MOX_API uint16_t mox_dns_answer_qtype(const mox_dns_answer *a);

/** The name at the end of the CNAME chain (the qname when there is no
 * chain); borrowed. */
MOX_API const char *mox_dns_answer_canonname(const mox_dns_answer *a);

/** Number of CNAME records followed. */
MOX_API size_t mox_dns_answer_cname_count(const mox_dns_answer *a);

/** Target of the i-th CNAME followed, in order from the qname; borrowed,
 * NULL when i is out of range. */
MOX_API const char *mox_dns_answer_cname(const mox_dns_answer *a, size_t i);

/** Number of records (of the asked type, at the canonical name). */
MOX_API size_t mox_dns_answer_count(const mox_dns_answer *a);

/** The i-th record; borrowed, NULL when out of range. */
MOX_API const mox_dns_rr *mox_dns_answer_rr(const mox_dns_answer *a,
    size_t i);

/** Smallest TTL of the records and CNAMEs, or the negative-caching TTL of a
 * NODATA/NXDOMAIN answer (0 when unknown). */
MOX_API uint32_t mox_dns_answer_ttl(const mox_dns_answer *a);

/**
 * Build an answer, for custom backends and tests. Add records with
 * mox_dns_answer_add(), then deliver it with mox_resolver_complete().
 *
 * @param[in] result  a mox_dns_result; MOX_DNS_OK is turned into NODATA when
 *                    no record is added
 * @param[in] rcode   the DNS rcode
 * @return MOX_OK, MOX_EINVAL (bad name), MOX_ENOMEM
 */
MOX_API int mox_dns_answer_new(mox_dns_answer **out, const char *qname,
    uint16_t qtype, int result, int rcode);

/**
 * Add a record to an answer being built. A CNAME record whose type differs
 * from the question's is taken as a step of the CNAME chain (its owner must
 * be the current canonical name); other records must have the question's
 * type.
 *
 * @return MOX_OK, MOX_EINVAL (name, type or rdata that does not decode),
 *         MOX_ENOMEM
 */
MOX_API int mox_dns_answer_add(mox_dns_answer *a, const char *owner,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen);

/** Set the authentic bit of an answer being built. */
MOX_API void mox_dns_answer_set_secure(mox_dns_answer *a, bool secure);

/**
 * Make an answer from a DNS response message in wire format (RFC 1035
 * section 4), following its CNAME chain from the question's name.
 *
 * @param[in] secure  the authentic bit to record (from the resolver)
 * @return MOX_OK, MOX_ESYNTAX (malformed message), MOX_ENOMEM
 */
MOX_API int mox_dns_answer_from_wire(mox_dns_answer **out,
    const uint8_t *msg, size_t len, bool secure);

/* --- names and formatting --- */

/** Name of a type ("TXT"), or NULL for a type without a mnemonic. */
MOX_API const char *mox_dns_type_name(uint16_t type);

/**
 * Parse a type mnemonic or "TYPEnn" (case ignored).
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ESYNTAX
 */
MOX_API int mox_dns_type_parse(uint16_t *out, const char *s);

/** Name of a mox_dns_result: "ok", "nodata", "nxdomain", "servfail",
 * "timeout", "bogus", "error"; NULL for others. */
MOX_API const char *mox_dns_result_name(int result);

/** Name of an rcode ("NOERROR", "SERVFAIL", "NXDOMAIN", "REFUSED", ...),
 * or NULL. */
MOX_API const char *mox_dns_rcode_name(int rcode);

/**
 * Format a record as a master file line: "name. TTL IN TYPE rdata", with
 * the rdata in presentation form (RFC 3597 "\# len hex" for types without
 * one). snprintf contract.
 *
 * @return the length the full output needs (excluding NUL)
 */
MOX_API size_t mox_dns_rr_format(char *buf, size_t cap, const mox_dns_rr *rr);

/**
 * Format only the rdata of a record in presentation form. snprintf
 * contract.
 */
MOX_API size_t mox_dns_rdata_format(char *buf, size_t cap,
    const mox_dns_rr *rr);

MOX_END_DECLS

#endif
