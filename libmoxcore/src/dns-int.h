/* SPDX-License-Identifier: MIT */
/*
 * dns-int.h -- internals of the resolver shared by dns.c (core, answers,
 * wire format), static.c (in-memory backend), zone.c (zone text parser),
 * rrfmt.c (presentation format) and unbound.c (libunbound backend).
 */
#ifndef MOX_DNS_INT_H
#define MOX_DNS_INT_H

#include <mox/dns.h>

#include "base.h"

#define CORE_NAME_WIRE_MAX 255 /* RFC 1035 3.1 */
#define CORE_CNAME_MAX 16      /* longest CNAME chain we follow */
#define CORE_DEFAULT_TIMEOUT_MS 10000

struct mox_dns_answer {
	mox__arena arena;
	char *qname;
	uint16_t qtype;
	int result;
	int rcode;
	bool secure;
	bool have_ttl;
	uint32_t ttl;
	char *why_bogus;
	const char *canonname;
	const char **cnames;
	size_t ncnames;
	size_t cnames_cap;
	mox_dns_rr *rrs;
	size_t nrrs;
	size_t rrs_cap;
	bool rrs_inline; /* rrs is part of the answer's allocation */
};

/* Kinds of resolver, for the backend-specific public calls. */
enum core_kind {
	CORE_KIND_STATIC = 1,
	CORE_KIND_UNBOUND = 2,
	CORE_KIND_CUSTOM = 3
};

/*
 * A backend. query/cancel/fd/process/destroy as mox_resolver_ops. lookup,
 * when set, answers one question synchronously and is safe to call from
 * many threads at once; mox_dns_lookup() uses it instead of a
 * query+process loop. timeout_ms is the resolver's timeout.
 */
struct core_backend {
	int (*query)(void *impl, mox_resolver *r, uint64_t qid,
	    const char *qname, uint16_t qtype);
	void (*cancel)(void *impl, uint64_t qid);
	int (*fd)(void *impl);
	int (*process)(void *impl);
	void (*destroy)(void *impl);
	int (*lookup)(void *impl, const char *qname, uint16_t qtype,
	    unsigned int timeout_ms, mox_dns_answer **out);
};

/*
 * A backend's lookup for a qname as the caller of mox_dns_lookup() wrote
 * it (maybe NULL), not yet checked: it refuses with MOX_EINVAL what
 * core_qname_check() refuses. Set with core_resolver_set_lookup_raw();
 * mox_dns_lookup() then prefers it to core_backend.lookup.
 */
typedef int (*core_lookup_raw_fn)(void *impl, const char *qname,
    uint16_t qtype, unsigned int timeout_ms, mox_dns_answer **out);

/* Make a resolver over a backend; on failure be->destroy(impl) is NOT
 * called: the caller still owns impl. */
int core_resolver_new(mox_resolver **out, const struct core_backend *be,
    void *impl, int kind);
/* The backend impl if r is of that kind, else NULL. */
void *core_resolver_impl(const mox_resolver *r, int kind);
void core_resolver_seterr(mox_resolver *r, const char *fmt, ...)
    MOX__PRINTF(2, 3);
const mox__logger *core_resolver_logger(const mox_resolver *r);
unsigned int core_resolver_timeout_ms(const mox_resolver *r);
void core_resolver_set_lookup_raw(mox_resolver *r, core_lookup_raw_fn fn);

/*
 * Validate a qname and normalize it: trailing dot removed. The root is "".
 * Accepts printable ASCII except white space and backslash.
 * Returns MOX_OK, MOX_EINVAL, MOX_ETOOLONG, MOX_EEMPTY (empty label).
 */
int core_qname_check(char *out, size_t cap, const char *qname);

/*
 * Presentation name (with \X and \DDD escapes) to uncompressed wire form.
 * s/len is relative unless it ends in an unescaped dot; a relative name
 * gets origin (a wire name, may be NULL for the root) appended. "@" alone is
 * the origin. Returns MOX_OK, MOX_ESYNTAX, MOX_ETOOLONG, MOX_EEMPTY.
 */
int core_name_to_wire(uint8_t out[CORE_NAME_WIRE_MAX], size_t *outlen,
    const char *s, size_t len, const uint8_t *origin, size_t originlen);

/* Wire name to presentation form without trailing dot ("" for the root),
 * escaping '.', '\\', '"', ';', '(', ')', '@', '$', space as \X and
 * non-printables as \DDD. wire must be a valid uncompressed name. */
void core_name_wire_to_text(mox__sbuf *sb, const uint8_t *wire, size_t len);
/* The same, as a qname for mox_dns_lookup(): a space stays a space. */
void core_name_wire_to_qname(mox__sbuf *sb, const uint8_t *wire, size_t len);

/* Length of a valid uncompressed wire name at p (at most len bytes), or 0
 * when it is not one. */
size_t core_name_wire_len(const uint8_t *p, size_t len);

/*
 * Read a possibly compressed name at msg[*off] (RFC 1035 4.1.4) into out
 * as an uncompressed wire name; advance *off past it in the message.
 * Returns MOX_OK or MOX_ESYNTAX (bad pointer, loop, too long, truncated).
 */
int core_name_unpack(uint8_t out[CORE_NAME_WIRE_MAX], size_t *outlen,
    const uint8_t *msg, size_t msglen, size_t *off);

/* Decode rdata of rr->type into rr's decoded fields, allocating in a.
 * rr->rdata/rdlen must already be set (uncompressed). Returns MOX_OK or
 * MOX_EINVAL for rdata that does not decode; MOX_ENOMEM. Unknown types
 * decode to nothing and succeed. */
int core_rr_decode(mox__arena *a, mox_dns_rr *rr);

/* Fill a forced answer (timeout, servfail, ...) for a question. */
/* mox_dns_answer_new() for a name that passed core_qname_check(). */
int core_answer_new_checked(mox_dns_answer **out, const char *name,
    uint16_t qtype, int result, int rcode);
int core_answer_forced(mox_dns_answer **out, const char *qname,
    uint16_t qtype, int result);

/* Finish an answer under construction: result OK without records becomes
 * NODATA. */
void core_answer_finish(mox_dns_answer *a);

/* Set why_bogus on an answer. Returns MOX_OK or MOX_ENOMEM. */
int core_answer_set_why_bogus(mox_dns_answer *a, const char *why);

/*
 * Zone text parser (zone.c). Calls sink->rr for each record and
 * sink->force for each $NXDOMAIN/$SERVFAIL/$TIMEOUT directive. Returns
 * MOX_OK, the error a sink callback returned, MOX_ESYNTAX with err naming
 * the line, or MOX_ENOMEM.
 */
struct core_zone_sink {
	int (*rr)(void *arg, const uint8_t *owner, size_t ownerlen,
	    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen,
	    bool authentic);
	int (*force)(void *arg, const uint8_t *name, size_t namelen,
	    int result);
	void *arg;
};

int core_zone_parse(const char *text, size_t len, const char *origin,
    const struct core_zone_sink *sink, char *err, size_t errcap);

#endif
