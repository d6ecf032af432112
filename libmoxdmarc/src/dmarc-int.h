/* SPDX-License-Identifier: MIT */
/*
 * dmarc-int.h -- internals of libmoxdmarc shared by record.c (record
 * parser and formatter), psl.c (Public Suffix List through libpsl),
 * eval.c (policy discovery and alignment as a resumable evaluator) and
 * text.c (names, Authentication-Results, report destinations). Also used
 * by the unit tests and fuzz targets, which link the internal archive.
 */
#ifndef MOX_DMARC_INT_H
#define MOX_DMARC_INT_H

#include <mox/dmarc.h>

#include "base.h"

/* Longest record text accepted (what one TXT RR's rdata can hold). */
#define DMARC_RECORD_MAX 65535

/* RFC 9989 4.10: at most eight queries per tree walk. */
#define DMARC_WALK_MAX 8

/*
 * Most DNS questions one evaluation asks: the From domain's walk (8), the
 * existence check (1), and the walks of the authenticated identifiers
 * that can share the From domain's Organizational Domain (each at most 8,
 * most answers shared through the evaluation's cache). Relaxed alignment
 * checks that would need more are skipped (not aligned).
 */
#define DMARC_MAX_QUERIES 40

struct mox_dmarc_record {
	mox__arena arena;          /* records from mox_dmarc_record_parse()
	                            * only: holds everything below */
	mox_dmarc_record_info info;
	const char *text;          /* the record as given, control characters
	                            * and NUL replaced by '?' */
	size_t text_len;
	bool p_absent;             /* no p= tag */
	bool p_invalid;            /* p= with a value that is not a policy */
	bool sp_invalid;
	bool np_invalid;
	bool duplicate;            /* a known tag occurs twice (RFC 6376 3.2) */
	bool rua_valid;            /* rua= has at least one valid URI */
	const char *err;           /* why it is not usable (static) */
};

/* The policy tags that apply under one set of rules. */
struct dmarc_policy {
	bool usable;               /* false: no DMARC processing (permerror) */
	bool fallback;             /* acting as p=none (invalid p/sp/np,
	                            * valid rua) */
	int p, sp, np;             /* mox_dmarc_policy; p never UNSET when
	                            * usable */
};

/*
 * Parse a record into the arena a. Unlike mox_dmarc_record_parse() a
 * record that is not usable is returned too (its flags say why).
 * @return MOX_OK; MOX_ENOTFOUND (not v=DMARC1 first); MOX_ETOOLONG;
 *         MOX_ENOMEM
 */
int dmarc__record_parse(mox__arena *a, struct mox_dmarc_record **out,
    const uint8_t *p, size_t len);

/* dmarc__record_parse() for an evaluation, of text dmarc__is_record()
 * accepted (not checked again): the rua and ruf lists are left
 * empty (rua_valid is set only when p, sp or np is invalid or p is
 * missing: dmarc__record_policy() reads it only then), fo, rf and ri at
 * their defaults. */
int dmarc__record_parse_eval(mox__arena *a, struct mox_dmarc_record **out,
    const uint8_t *p, size_t len);

/* The policy of a parsed record by RFC 9989 (4.7, 4.10.1) or RFC 7489
 * (6.3, 6.6.3 step 6) rules. */
void dmarc__record_policy(const struct mox_dmarc_record *r, bool rfc7489,
    struct dmarc_policy *out);

/* Whether text starts a DMARC record: "v" *WSP "=" *WSP "DMARC1" then the
 * end, or *WSP ";" (RFC 9989 4.7, 4.8). */
bool dmarc__is_record(const uint8_t *p, size_t len);

/*
 * The organizational domain of a lowercase A-label domain by the list
 * (RFC 7489 3.2): the registrable domain, or the domain itself when it
 * is a public suffix. out needs MOX_DOMAIN_MAX + 1 octets. Returns its
 * length.
 */
size_t dmarc__psl_org(const mox_dmarc_psl *psl, const char *domain,
    char *out);

/* The same as the offset of the organizational domain in domain (len
 * octets, NUL-terminated). */
size_t dmarc__psl_org_off(const mox_dmarc_psl *psl, const char *domain,
    size_t len);

/*
 * Normalize a domain given by the application (From, SPF, DKIM domains):
 * lowercase A-labels without trailing dot; non-ASCII names through IDNA.
 * out needs MOX_DOMAIN_MAX + 1 octets.
 * @return false when it is not a valid domain name
 */
bool dmarc__domain_norm(const char *s, size_t len, char *out);
/* The same returning the length of out, 0 when not a valid name. */
size_t dmarc__domain_norm_len(const char *s, size_t len, char *out);

/*
 * Hand the evaluator an outcome without an answer: a name the resolver
 * refused (MOX_EINVAL from it: the name cannot exist) when invalid_name is
 * set, else a lookup failure. Used by mox_dmarc_check(); returns as
 * mox_dmarc_eval_answer().
 */
int dmarc__eval_answer_none(mox_dmarc_eval *e, bool invalid_name);

#endif
