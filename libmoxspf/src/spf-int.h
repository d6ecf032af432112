/* SPDX-License-Identifier: MIT */
/*
 * spf-int.h -- internals of libmoxspf shared by record.c (record parser
 * and formatter), macro.c (macro-string compiler and expander, RFC 7208
 * 7), eval.c (check_host() state machine) and text.c (Received-SPF,
 * Authentication-Results). Also used by the unit tests and fuzz targets,
 * which link the internal archive.
 */
#ifndef MOX_SPF_INT_H
#define MOX_SPF_INT_H

#include <mox/spf.h>

#include "base.h"

/* Longest record text mox_spf_record_parse() accepts (a TXT RR's rdata
 * cannot hold more). */
#define SPF_RECORD_MAX 65535

/* Longest expansion of a macro-string, before the truncation of RFC 7208
 * 7.3. Output beyond it makes the name invalid (or drops an explanation):
 * with records of at most 4096 octets and real identities this is never
 * reached, and it bounds a macro bomb's cost. */
#define SPF_EXPAND_MAX (256u * 1024)
/* Longest explanation kept (RFC 7208 6.2); longer ones are dropped. */
#define SPF_EXPLAIN_MAX 4096

/* --- macro-strings (RFC 7208 7.1) --- */

/* What a macro-string is compiled as. */
enum spf_macro_mode {
	/* domain-spec: macro-string domain-end; letters slodipvh */
	SPF_MACRO_DOMAIN = 0,
	/* macro-string of an unknown modifier: any macro-letter (the value is
	 * never expanded), no space */
	SPF_MACRO_STRING = 1,
	/* explain-string of an exp= TXT record: spaces and every letter */
	SPF_MACRO_EXPLAIN = 2
};

enum spf_item_kind {
	SPF_ITEM_LIT = 0,   /* literal text from the source */
	SPF_ITEM_ESC = 1,   /* %% %_ %- (literal, but a macro-expand) */
	SPF_ITEM_MACRO = 2  /* %{...} */
};

/* Delimiter bits of a macro (RFC 7208 7.1: . - + , / _ =). */
#define SPF_DELIM_DOT 0x01u

struct spf_item {
	const char *lit;      /* LIT, ESC: the text */
	uint32_t len;         /* LIT, ESC: its length */
	uint32_t digits;      /* MACRO: right-hand parts kept, 0 for all */
	uint8_t kind;         /* spf_item_kind */
	char letter;          /* MACRO: lowercase macro-letter */
	bool upper;           /* MACRO: URL-escape the value */
	bool reverse;         /* MACRO: 'r' transformer */
	bool transform;       /* MACRO: digits, 'r' or delimiters given */
	uint8_t delims;       /* MACRO: delimiter bits, SPF_DELIM_DOT if none */
};

struct spf_macro {
	struct spf_item *items;
	size_t n;
	bool has_p;   /* uses %{p}: needs PTR lookups first */
	bool literal; /* no %{...}: expands to the same text every time */
};

/*
 * Compile a macro-string (RFC 7208 7.1). Items point into s, which must
 * outlive m. On MOX_ESYNTAX, *err is a static description and *erroff the
 * offset in s where the problem is.
 */
int spf__macro_compile(mox__arena *a, struct spf_macro *m, const char *s,
    size_t len, int mode, const char **err, size_t *erroff);

/* The values macros expand to (RFC 7208 7.2). Strings need not be
 * NUL-terminated. */
struct spf_macro_ctx {
	const char *s;   /* <sender>: local-part "@" domain */
	size_t slen;
	const char *l;   /* local-part of <sender> */
	size_t llen;
	const char *o;   /* domain of <sender> */
	size_t olen;
	const char *d;   /* <domain> */
	size_t dlen;
	const char *h;   /* HELO/EHLO domain as given */
	size_t hlen;
	const char *p;   /* validated name, or "unknown"; NULL: not known */
	size_t plen;
	const char *r;   /* receiving host; NULL: "unknown" */
	size_t rlen;
	mox_ip ip;       /* client address, IPv4-mapped unmapped */
	int64_t t;       /* %{t} */
};

/* Output of an expansion. With window set only the last 'cap' octets are
 * kept (enough for the left truncation of RFC 7208 7.3) and dropped tells
 * whether any were dropped; without it, output beyond cap is an error. */
struct spf_out {
	char *p;
	size_t cap;
	size_t len;      /* octets held in p */
	size_t total;    /* octets produced */
	bool window;
	bool dropped;
};

/*
 * Expand a compiled macro-string into out.
 * @return MOX_OK; MOX_ETOOLONG (more than SPF_EXPAND_MAX octets, or more
 *         than cap without window); MOX_ESTATE when the string uses %{p}
 *         and ctx->p is NULL
 */
int spf__macro_expand(const struct spf_macro *m,
    const struct spf_macro_ctx *ctx, struct spf_out *out);

/*
 * Turn an expanded domain-spec into a target name (RFC 7208 4.8, 7.3):
 * drop one trailing dot, truncate from the left label by label to max
 * octets, and check that it is a name DNS can hold (no empty label, labels
 * of at most 63 octets). The name is written raw (not escaped) to
 * name[0..*len), NUL-terminated; name must have room for max + 1.
 * @return true when the name is usable
 */
bool spf__target_name(const struct spf_out *exp, unsigned int max,
    char *name, size_t *len);

/*
 * Presentation form of a raw name for a question (RFC 1035 5.1): control
 * characters, octets above 0x7e and backslash as \DDD; a space stays a
 * space (the resolvers take it as is). Needs at most 4 * len + 1 octets.
 * Returns the length written (NUL-terminated).
 */
size_t spf__name_escape(char *out, const char *raw, size_t len);

/*
 * Raw form of a presentation name from an answer (\X and \DDD resolved,
 * trailing dot dropped). out needs MOX_DOMAIN_MAX + 1 octets.
 * @return false when it is no valid name of at most 253 octets
 */
bool spf__name_unescape(char *out, size_t *outlen, const char *text);

/* Whether name equals dom or is a subdomain of it (ASCII case ignored). */
bool spf__name_within(const char *name, size_t nlen, const char *dom,
    size_t dlen);

/* --- records --- */

struct spf_term {
	mox_spf_term pub;     /* first: mox_spf_record_term() returns it */
	const char *text;     /* the term as written, NUL-terminated */
	size_t text_len;
	struct spf_macro spec; /* compiled domain_spec (DNS terms, redirect,
	                        * exp) */
};

struct mox_spf_record {
	mox__arena arena;     /* public records only: holds everything */
	struct spf_term *terms;
	size_t nterms;
	const struct spf_term *redirect; /* NULL when absent */
	const struct spf_term *exp;      /* NULL when absent */
};

/*
 * Parse a record into an arena (the evaluator's). Returns as
 * mox_spf_record_parse(); *out lives in a.
 */
int spf__record_parse(mox__arena *a, struct mox_spf_record **out,
    const uint8_t *p, size_t len, size_t *err_offset, const char **err);

/* Whether text starts with the version section "v=spf1" (RFC 7208 4.5:
 * ASCII case ignored, then a space or the end). */
bool spf__is_spf_record(const char *text, size_t len);

/* --- evaluator --- */

/*
 * Hand the evaluator an outcome without an answer: a name the resolver
 * could not ask (MOX_EINVAL from it: the name is treated as malformed,
 * no match) when invalid_name is set, else a lookup failure (DNS error).
 * Used by mox_spf_check(); returns as mox_spf_eval_answer().
 */
int spf__eval_answer_none(mox_spf_eval *e, bool invalid_name);

#endif
