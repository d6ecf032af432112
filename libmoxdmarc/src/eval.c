/* SPDX-License-Identifier: MIT */
/*
 * eval.c -- DMARC evaluation of one message as a resumable state machine
 * (policy discovery, Identifier Alignment, the policy to apply) and
 * mox_dmarc_check(), the blocking loop over it. See <mox/dmarc.h>.
 *
 * RFC 9989 mode:
 *  - policy discovery (4.10.1): _dmarc.<Author Domain>; without a record
 *    there, the DNS Tree Walk (4.10) from the Author Domain gives its
 *    Organizational Domain (4.10.2 selection rules) and, when that has no
 *    record, the Public Suffix Domain's psd=y record;
 *  - relaxed alignment (4.10.2): an identifier aligns when it equals the
 *    Author Domain, or when tree walks from both give the same
 *    Organizational Domain. A walk for an identifier is only made when
 *    the Author Domain's Organizational Domain is an ancestor (or self)
 *    of the identifier, since otherwise they cannot be equal;
 *  - the policy (4.10.1): p for the Author Domain's own record; for a
 *    record of its Organizational Domain or PSD sp, or np when the Author
 *    Domain does not exist (3.2.13, A.4: an NXDOMAIN answer); t=y lowers
 *    the policy one level (4.7).
 * RFC 7489 mode: _dmarc.<From domain>, then _dmarc.<Organizational
 * Domain> from the Public Suffix List (6.6.3); several records end the
 * discovery (6.6.3 step 5); alignment compares the list's Organizational
 * Domains (3.1); sp for subdomains; pct sampling (6.6.4).
 *
 * Every _dmarc answer is kept in a per-evaluation cache, so walks from
 * several identifiers ask each name once. Names, the reason and a few
 * DKIM inputs live in the evaluator, the rest (parsed records) in one
 * arena freed with it; mox_dmarc_check() keeps its evaluator on the stack,
 * so an evaluation allocates the arena's first chunk (when a record is
 * parsed), each DNS answer and the result's strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include <mox/message.h>

#include "dmarc-int.h"

enum { ST_START = 0, ST_POLICY, ST_ALIGN, ST_EXIST, ST_DONE };

/* Kinds of a cache entry: the outcome of _dmarc.<name>. */
enum { E_PENDING = 0, E_NONE, E_RECORD, E_MULTI, E_ERROR };

/* What the outstanding question is for. */
enum { P_NONE = 0, P_TXT, P_EXIST };

/* The From domain. */
enum { FROM_OK = 0, FROM_NONE, FROM_PERM };

#define RUN_CONT 0
#define RUN_QUERY 1
#define NO_OFF ((size_t)-1)
#define NO_ENTRY ((size_t)-1)

struct entry {
	const char *name;          /* the domain, without _dmarc. */
	size_t len;
	int kind;
	bool answered;             /* a DNS answer was given (NXDOMAIN or
	                            * not) */
	bool nxdomain;
	int result;                /* mox_dns_result of the answer */
	struct mox_dmarc_record *rec; /* E_RECORD */
};

/* A DNS Tree Walk (RFC 9989 4.10) from start; offsets into start. */
struct walk {
	const char *start;
	size_t slen;
	size_t off[DMARC_WALK_MAX];
	unsigned int n, i;
	bool started, done, error;
	size_t shortest;           /* shortest name with a record so far */
	size_t psd;                /* the psd=y record that ended it */
	size_t org;                /* the Organizational Domain */
};

struct dkim_in {
	int result;
	const char *domain;        /* normalized; NULL when invalid or not
	                            * pass (not looked at then) */
	size_t domain_len;
	const char *selector;
};

struct mox_dmarc_eval {
	mox__arena arena;
	bool rfc7489;
	const mox_dmarc_psl *psl;
	unsigned int (*random)(void *arg);
	void *random_arg;
	uint64_t rng;

	/* The message. */
	int from_status;
	const char *from_reason;
	size_t from_len;
	bool spf_pass;
	size_t spf_len;
	struct dkim_in *dkim;
	size_t ndkim;

	/* Where we are. */
	int state;
	int err;                   /* sticky MOX_ENOMEM */
	bool awaiting;
	int pending;
	size_t pending_entry;
	uint16_t qtype;
	struct entry *cache;       /* cache0, or allocated when it grows */
	size_t ncache, capcache;
	bool org_f_known;
	size_t org_len;            /* strlen(org_f) once known */
	size_t align_i;            /* 0: SPF, 1..ndkim: DKIM signatures */
	int align_sub;
	bool align_error, align_limited;
	int exists;                /* -1 unknown, 0, 1 */

	/* Discovery. */
	size_t policy_entry;
	struct dmarc_policy pol;

	/* The outcome. */
	int verdict;
	int policy, policy_requested;
	bool testing, sampled_out;
	bool spf_aligned, dkim_aligned;
	size_t dkim_idx;
	const char *reason;
	bool secure;
	unsigned int queries;

	/* Not zeroed (eval_init()); each is written before it is read
	 * (walk_init() sets every field of a walk but wf.started, which
	 * eval_init() clears). */
	struct walk wf;            /* from the From domain */
	struct walk wd;            /* from the identifier being aligned */
	/* The reason when formatted (set_reason()); set_reason_cat()
	 * writes its parts here when they fit (they do for names). */
	char reason_buf[MOX_DOMAIN_MAX * 2 + 64];
	/* The DKIM inputs when few and short: no allocation. */
	struct dkim_in dkim0[4];
	char dpool[4 * 64];
	char from[MOX_DOMAIN_MAX + 1];
	char spf_dom[MOX_DOMAIN_MAX + 1];
	char org_f[MOX_DOMAIN_MAX + 1];
	char qname[MOX_DOMAIN_MAX + 8];
	struct entry cache0[12];
};

/* --- helpers --- */

static void
set_reason(mox_dmarc_eval *e, const char *fmt, ...) MOX__PRINTF(2, 3);

static void
set_reason(mox_dmarc_eval *e, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (i = 0; buf[i] != '\0'; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c >= 0x7f)
			buf[i] = '?';
	}
	memcpy(e->reason_buf, buf, i + 1);
	e->reason = e->reason_buf;
}

/* A reason of up to four parts (NULL ends it early); the parts are
 * names the evaluator checked, so they need no escaping. */
static void
set_reason_cat(mox_dmarc_eval *e, const char *a, const char *b,
    const char *c, const char *d)
{
	const char *parts[4] = { a, b, c, d };
	size_t len[4], total = 0, i;
	char *r;

	for (i = 0; i < 4 && parts[i] != NULL; i++)
		total += len[i] = strlen(parts[i]);
	r = total < sizeof(e->reason_buf) ? e->reason_buf :
	    mox__arena_alloc(&e->arena, total + 1);
	if (r == NULL) {
		e->err = MOX_ENOMEM;
		return;
	}
	e->reason = r;
	for (i = 0; i < 4 && parts[i] != NULL; i++) {
		memcpy(r, parts[i], len[i]);
		r += len[i];
	}
	*r = '\0';
}

/* A reason that needs no formatting: a static string. */
static void
set_reason_static(mox_dmarc_eval *e, const char *text)
{
	e->reason = text;
}

static void
finish(mox_dmarc_eval *e, int verdict)
{
	e->verdict = verdict;
	e->state = ST_DONE;
}

/* Octets of an ASCII name: those of LDH labels (and '_') in lowercase,
 * the dot, 0 for the others. */
static const uint8_t ldh_tab[256] = {
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
	['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
	['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
	['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
	['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
	['Z'] = 'z',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
	['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
	['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
	['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
	['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
	['z'] = 'z',
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['-'] = '-', ['_'] = '_', ['.'] = '.',
};

/*
 * An ASCII domain name of LDH labels (and '_'; no label starting or
 * ending with '-', 1 to 63 octets each; n > 0) in lowercase into out.
 * Returns false for anything else, non-ASCII included; out is then
 * garbage. Only dots, hyphens and bad octets take the branch.
 */
static bool
ldh_lower(const uint8_t *p, size_t n, char *out)
{
	size_t i, ls = 0;      /* start of the current label */

	for (i = 0; i < n; i++) {
		uint8_t m = ldh_tab[p[i]];

		out[i] = (char)m;
		if (m > '.')
			continue;
		if (m == '.') {
			if (i == ls || out[i - 1] == '-' ||
			    i - ls > MOX_LABEL_MAX)
				return false;
			ls = i + 1;
		} else if (m == 0 || i == ls) {
			return false;   /* not LDH, or a leading '-' */
		}
	}
	return n > ls && out[n - 1] != '-' && n - ls <= MOX_LABEL_MAX;
}

/* Free what an evaluator holds, not the evaluator. */
static void
eval_fini(mox_dmarc_eval *e)
{
	if (e->cache != e->cache0)
		mox__free(e->cache);
	mox__arena_free(&e->arena);
}

bool
dmarc__domain_norm(const char *s, size_t n, char *out)
{
	return dmarc__domain_norm_len(s, n, out) != 0;
}

size_t
dmarc__domain_norm_len(const char *s, size_t n, char *out)
{
	mox_domain d;
	size_t i, label = 0;
	bool ascii = true;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > MOX_DOMAIN_UNICODE_SIZE)
		return 0;
	if (n <= MOX_DOMAIN_MAX && ldh_lower((const uint8_t *)s, n, out)) {
		out[n] = '\0';
		return n;
	}
	/* Not that form (a bad octet or label, non-ASCII, too long). ASCII
	 * names: LDH labels (and '_'), checked and lowercased in one pass.
	 * A-labels are taken as they are (DMARC compares and looks up
	 * names; whether they decode does not matter to it). */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || label > MOX_LABEL_MAX ||
			    s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (mox__isalpha(c) || mox__isdigit(c) || c == '_' ||
		    (c == '-' && label > 0)) {
			label++;
		} else if (c >= 0x80) {
			ascii = false;
			break;
		} else {
			return 0;
		}
		if (i < MOX_DOMAIN_MAX)
			out[i] = (char)mox__lower(c);
	}
	if (ascii) {
		if (n > MOX_DOMAIN_MAX || label == 0 || label > MOX_LABEL_MAX ||
		    s[n - 1] == '-')
			return 0;
		out[n] = '\0';
		return n;
	}
	if (mox_domain_parse(&d, s, n, MOX_DOMAIN_ALLOW_UNDERSCORE) !=
	    MOX_OK)
		return 0;
	n = strlen(d.ascii);
	memcpy(out, d.ascii, n + 1);
	return n;
}

/* Whether anc equals dom or is an ancestor of it. */
static bool
within(const char *dom, size_t dlen, const char *anc, size_t alen)
{
	if (alen > dlen || memcmp(dom + dlen - alen, anc, alen) != 0)
		return false;
	return alen == dlen || dom[dlen - alen - 1] == '.';
}

/* Whether two names of len octets are the same: often the same pointer
 * (walks from the same domain); else different ones mostly differ in
 * their first octets. */
static bool
name_eq(const char *a, const char *b, size_t len)
{
	uint64_t x, y;
	size_t i;

	if (a == b)
		return true;
	if (len < 8) {
		for (i = 0; i < len; i++) {
			if (a[i] != b[i])
				return false;
		}
		return true;
	}
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	if (x != y)
		return false;
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, b + len - 8, 8);
	if (x != y)
		return false;
	return len <= 16 || memcmp(a + 8, b + 8, len - 16) == 0;
}

static inline struct entry *
cache_find(mox_dmarc_eval *e, const char *name, size_t len, size_t *idx)
{
	size_t i;

	/* From the newest: mostly the name just answered. */
	for (i = e->ncache; i-- > 0;) {
		if (e->cache[i].len == len &&
		    name_eq(e->cache[i].name, name, len)) {
			if (idx != NULL)
				*idx = i;
			return &e->cache[i];
		}
	}
	return NULL;
}

static inline struct entry *
cache_add(mox_dmarc_eval *e, const char *name, size_t len, size_t *idx)
{
	struct entry *en;

	if (e->ncache == e->capcache) {
		size_t cap = e->capcache * 2;
		struct entry *c = mox__reallocarray(
		    e->cache == e->cache0 ? NULL : e->cache, cap, sizeof(*c));

		if (c == NULL) {
			e->err = MOX_ENOMEM;
			return NULL;
		}
		if (e->cache == e->cache0)
			memcpy(c, e->cache0, sizeof(e->cache0));
		e->cache = c;
		e->capcache = cap;
	}
	en = &e->cache[e->ncache];
	memset(en, 0, sizeof(*en));
	en->name = name;
	en->len = len;
	*idx = e->ncache++;
	return en;
}

/* memcpy() for names and the strings of a result: eight octets at a time
 * without a call (the last eight overlapping). */
static void
copy_short(char *d, const char *s, size_t n)
{
	uint64_t v;
	size_t i;

	if (n < 8) {
		for (i = 0; i < n; i++)
			d[i] = s[i];
		return;
	}
	for (i = 0; i + 8 < n; i += 8) {
		memcpy(&v, s + i, 8);
		memcpy(d + i, &v, 8);
	}
	memcpy(&v, s + n - 8, 8);
	memcpy(d + n - 8, &v, 8);
}

/*
 * The entry of _dmarc.<name>, or a question for it: returns RUN_CONT with
 * *out set, RUN_QUERY, or an error.
 */
static inline int
lookup(mox_dmarc_eval *e, const char *name, size_t len, struct entry **out,
    size_t *idxp)
{
	struct entry *en;
	size_t idx = 0;

	*out = cache_find(e, name, len, &idx);
	if (idxp != NULL)
		*idxp = idx;
	if (*out != NULL)
		return RUN_CONT;
	en = cache_add(e, name, len, &idx);
	if (en == NULL)
		return MOX_ENOMEM;
	if (idxp != NULL)
		*idxp = idx;
	if (len + 7 > MOX_DOMAIN_MAX) {
		/* _dmarc.<name> is too long to exist. */
		en->kind = E_NONE;
		*out = en;
		return RUN_CONT;
	}
	memcpy(e->qname, "_dmarc.", 7);
	copy_short(e->qname + 7, name, len);
	e->qname[7 + len] = '\0';
	e->qtype = MOX_DNS_TXT;
	e->pending = P_TXT;
	e->pending_entry = idx;
	e->queries++;
	return RUN_QUERY;
}

/* --- the tree walk (RFC 9989 4.10) --- */

static void
walk_init(struct walk *w, const char *d, size_t len)
{
	size_t starts[DMARC_WALK_MAX - 1], x = 0, i, k;

	/* Every field set (off[] up to n): no memset of the struct. */
	w->start = d;
	w->slen = len;
	w->n = 0;
	w->i = 0;
	w->started = true;
	w->done = false;
	w->error = false;
	w->shortest = NO_OFF;
	w->psd = NO_OFF;
	w->org = 0;
	/* The starts of the last DMARC_WALK_MAX - 1 labels, from the
	 * right (starts[0] the last label's), and the label count x. */
	for (i = len; i-- > 0;) {
		if (d[i] == '.') {
			if (x < DMARC_WALK_MAX - 1)
				starts[x] = i + 1;
			x++;
		}
	}
	x++;
	/* Step 4: x < 8: drop the left-most label; x >= 8: keep 7. Then
	 * one label fewer each time, down to one label. */
	w->off[w->n++] = 0;
	k = x - 1 < DMARC_WALK_MAX - 1 ? x - 1 : DMARC_WALK_MAX - 1;
	for (; k >= 1; k--)
		w->off[w->n++] = starts[k - 1];
}

/* Offset of the name one label longer than the one at off. */
static size_t
label_below(const struct walk *w, size_t off)
{
	size_t i = off - 1;

	while (i > 0 && w->start[i - 1] != '.')
		i--;
	return i;
}

static int
walk_run(mox_dmarc_eval *e, struct walk *w)
{
	while (!w->done) {
		size_t off = w->off[w->i];
		struct entry *en;
		int rc = lookup(e, w->start + off, w->slen - off, &en, NULL);

		if (rc != RUN_CONT)
			return rc;
		switch (en->kind) {
		case E_ERROR:
			w->error = true;
			w->done = true;
			break;
		case E_RECORD:
			/* Steps 2 and 6: psd=n or psd=y ends the walk. The
			 * selection (4.10.2): psd=n is the Organizational
			 * Domain; psd=y, except at the start, makes the name
			 * one label below it one; else the record with the
			 * fewest labels. */
			if (en->rec->info.psd == MOX_DMARC_PSD_N) {
				w->org = off;
				w->done = true;
			} else if (en->rec->info.psd == MOX_DMARC_PSD_Y) {
				w->psd = off;
				w->org = w->i == 0 ? 0 : label_below(w, off);
				w->done = true;
			} else {
				w->shortest = off;
			}
			break;
		default:
			break;
		}
		if (!w->done && ++w->i == w->n) {
			w->done = true;
			w->org = w->shortest != NO_OFF ? w->shortest : 0;
		}
	}
	return RUN_CONT;
}

/* --- policy discovery --- */

static const char *
result_name(const struct entry *en)
{
	const char *n = mox_dns_result_name(en->result);

	return n != NULL ? n : "error";
}

static int
found_policy(mox_dmarc_eval *e, size_t idx)
{
	const struct entry *en = &e->cache[idx];

	e->policy_entry = idx;
	dmarc__record_policy(en->rec, e->rfc7489, &e->pol);
	if (!e->pol.usable) {
		set_reason(e, "unusable DMARC record at _dmarc.%.*s: %s",
		    (int)en->len, en->name, en->rec->err != NULL ?
		    en->rec->err : "no p= and no valid rua=");
		finish(e, MOX_DMARC_PERMERROR);
		return RUN_CONT;
	}
	e->state = ST_ALIGN;
	return RUN_CONT;
}

/* The From domain's organizational domain by the list, once. */
static void
org_7489(mox_dmarc_eval *e)
{
	if (!e->org_f_known) {
		size_t off = dmarc__psl_org_off(e->psl, e->from, e->from_len);

		e->org_len = e->from_len - off;
		memcpy(e->org_f, e->from + off, e->org_len + 1);
		e->org_f_known = true;
	}
}

static int
policy_7489(mox_dmarc_eval *e)
{
	struct entry *en;
	size_t idx = 0, olen;
	int rc;

	rc = lookup(e, e->from, e->from_len, &en, &idx);
	if (rc != RUN_CONT)
		return rc;
	if (en->kind == E_NONE) {
		org_7489(e);
		olen = e->org_len;
		if (olen == e->from_len) {
			set_reason_cat(e, "no DMARC record for ", e->from, NULL,
			    NULL);
			finish(e, MOX_DMARC_NONE);
			return RUN_CONT;
		}
		rc = lookup(e, e->org_f, olen, &en, &idx);
		if (rc != RUN_CONT)
			return rc;
		if (en->kind == E_NONE) {
			set_reason_cat(e, "no DMARC record for ", e->from,
			    " or ", e->org_f);
			finish(e, MOX_DMARC_NONE);
			return RUN_CONT;
		}
	}
	switch (en->kind) {
	case E_ERROR:
		set_reason(e, "DNS %s for _dmarc.%.*s", result_name(en),
		    (int)en->len, en->name);
		finish(e, MOX_DMARC_TEMPERROR);
		return RUN_CONT;
	case E_MULTI:
		/* RFC 7489 6.6.3 step 5. */
		set_reason(e, "several DMARC records at _dmarc.%.*s",
		    (int)en->len, en->name);
		finish(e, MOX_DMARC_NONE);
		return RUN_CONT;
	default:
		break;
	}
	return found_policy(e, idx);
}

static int
policy_9989(mox_dmarc_eval *e)
{
	struct entry *en;
	size_t idx = 0;
	int rc;

	/* A walk that has started means no record for the Author Domain:
	 * back here after each of its answers. */
	if (!e->wf.started) {
		rc = lookup(e, e->from, e->from_len, &en, &idx);
		if (rc != RUN_CONT)
			return rc;
		if (en->kind == E_ERROR) {
			set_reason(e, "DNS %s for _dmarc.%s", result_name(en),
			    e->from);
			finish(e, MOX_DMARC_TEMPERROR);
			return RUN_CONT;
		}
		if (en->kind == E_RECORD)
			return found_policy(e, idx);
		/* No record for the Author Domain: the tree walk. */
		walk_init(&e->wf, e->from, e->from_len);
	}
	rc = walk_run(e, &e->wf);
	if (rc != RUN_CONT)
		return rc;
	if (e->wf.error) {
		/* The failed entry is the one the walk stopped at. */
		en = cache_find(e, e->from + e->wf.off[e->wf.i],
		    e->from_len - e->wf.off[e->wf.i], NULL);
		set_reason(e, "DNS %s for _dmarc.%s in the tree walk",
		    result_name(en), e->from + e->wf.off[e->wf.i]);
		finish(e, MOX_DMARC_TEMPERROR);
		return RUN_CONT;
	}
	e->org_len = e->from_len - e->wf.org;
	memcpy(e->org_f, e->from + e->wf.org, e->org_len + 1);
	e->org_f_known = true;
	en = cache_find(e, e->org_f, e->org_len, &idx);
	if (en != NULL && en->kind == E_RECORD)
		return found_policy(e, idx);
	if (e->wf.psd != NO_OFF &&
	    cache_find(e, e->from + e->wf.psd, e->from_len - e->wf.psd,
	    &idx) != NULL)
		return found_policy(e, idx);
	set_reason_cat(e, "no DMARC record for ", e->from, " in the tree walk",
	    NULL);
	finish(e, MOX_DMARC_NONE);
	return RUN_CONT;
}

/* --- alignment --- */

/*
 * Relaxed alignment of domain d: RUN_CONT with *aligned set (and
 * e->align_error on DNS errors), RUN_QUERY, or an error.
 */
static int
relaxed(mox_dmarc_eval *e, const char *d, size_t dlen, bool *aligned)
{
	int rc;

	*aligned = false;
	if (e->rfc7489) {
		/* org(d) is d or an ancestor of it: it can only equal
		 * org(From) when that is one, and then it does when it is
		 * as long. */
		org_7489(e);
		if (!within(d, dlen, e->org_f, e->org_len))
			return RUN_CONT;
		*aligned = dlen - dmarc__psl_org_off(e->psl, d, dlen) ==
		    e->org_len;
		return RUN_CONT;
	}
	if (e->align_sub == 0) {
		/* The Author Domain's Organizational Domain. */
		if (!e->org_f_known) {
			if (!e->wf.started)
				walk_init(&e->wf, e->from, e->from_len);
			rc = walk_run(e, &e->wf);
			if (rc != RUN_CONT)
				return rc;
			if (e->wf.error) {
				e->align_error = true;
				return RUN_CONT;
			}
			e->org_len = e->from_len - e->wf.org;
			memcpy(e->org_f, e->from + e->wf.org,
			    e->org_len + 1);
			e->org_f_known = true;
		}
		if (!within(d, dlen, e->org_f, e->org_len))
			return RUN_CONT;
		if (e->queries + DMARC_WALK_MAX > DMARC_MAX_QUERIES) {
			e->align_limited = true;
			return RUN_CONT;
		}
		walk_init(&e->wd, d, dlen);
		e->align_sub = 1;
	}
	rc = walk_run(e, &e->wd);
	if (rc != RUN_CONT)
		return rc;
	if (e->wd.error) {
		e->align_error = true;
		return RUN_CONT;
	}
	/* d is within org(From): the same when as long. */
	*aligned = dlen - e->wd.org == e->org_len;
	return RUN_CONT;
}

static int
run_align(mox_dmarc_eval *e)
{
	const mox_dmarc_record_info *in =
	    &e->cache[e->policy_entry].rec->info;
	int rc;

	while (e->align_i <= e->ndkim) {
		const char *d = NULL;
		size_t dlen = 0;
		int mode;
		bool ok = false;

		if (e->align_i == 0) {
			if (e->spf_pass) {
				d = e->spf_dom;
				dlen = e->spf_len;
			}
			mode = in->aspf;
		} else {
			const struct dkim_in *k = &e->dkim[e->align_i - 1];

			if (e->dkim_aligned)
				break;
			if (k->result == MOX_DMARC_DKIM_PASS) {
				d = k->domain;
				dlen = k->domain_len;
			}
			mode = in->adkim;
		}
		if (d != NULL) {
			if (dlen == e->from_len &&
			    memcmp(d, e->from, dlen) == 0)
				ok = true;
			else if (mode == MOX_DMARC_RELAXED) {
				rc = relaxed(e, d, dlen, &ok);
				if (rc != RUN_CONT)
					return rc;
			}
		}
		if (ok && e->align_i == 0) {
			e->spf_aligned = true;
		} else if (ok) {
			e->dkim_aligned = true;
			e->dkim_idx = e->align_i - 1;
		}
		e->align_i++;
		e->align_sub = 0;
	}
	if (e->spf_aligned || e->dkim_aligned) {
		finish(e, MOX_DMARC_PASS);
		return RUN_CONT;
	}
	if (e->align_error) {
		set_reason_static(e, "DNS error in a tree walk for relaxed "
		    "alignment");
		finish(e, MOX_DMARC_TEMPERROR);
		return RUN_CONT;
	}
	set_reason_static(e, e->align_limited ?
	    "no aligned SPF or DKIM pass (some relaxed alignment checks "
	    "skipped: query limit)" : "no aligned SPF or DKIM pass");
	e->verdict = MOX_DMARC_FAIL;
	e->state = ST_EXIST;
	return RUN_CONT;
}

/* --- the policy to apply --- */

/* The policy for the From domain; needs e->exists when np matters. */
static int
requested(const mox_dmarc_eval *e, bool *need_exists)
{
	const struct entry *pe = &e->cache[e->policy_entry];
	int base;

	*need_exists = false;
	if (pe->len == e->from_len && memcmp(pe->name, e->from,
	    e->from_len) == 0)
		return e->pol.p;
	base = e->pol.sp != MOX_DMARC_P_UNSET ? e->pol.sp : e->pol.p;
	if (e->pol.np == MOX_DMARC_P_UNSET || e->pol.np == base)
		return base;
	if (e->exists < 0) {
		*need_exists = true;
		return base;
	}
	return e->exists ? base : e->pol.np;
}

static unsigned int
rng_next(mox_dmarc_eval *e)
{
	uint64_t x;

	if (e->random != NULL)
		return e->random(e->random_arg) % 100;
	if (e->rng == 0) {
		if (getrandom(&e->rng, sizeof(e->rng), GRND_NONBLOCK) !=
		    (ssize_t)sizeof(e->rng) || e->rng == 0)
			e->rng = (uint64_t)time(NULL) ^
			    (uint64_t)(uintptr_t)e ^ 0x9e3779b97f4a7c15ULL;
	}
	/* xorshift64* */
	x = e->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	e->rng = x;
	return (unsigned int)((x * 0x2545f4914f6cdd1dULL) >> 33) % 100;
}

static int
lower(int p)
{
	return p == MOX_DMARC_P_REJECT ? MOX_DMARC_P_QUARANTINE :
	    MOX_DMARC_P_NONE;
}

static int
run_exist(mox_dmarc_eval *e)
{
	const mox_dmarc_record_info *in =
	    &e->cache[e->policy_entry].rec->info;
	bool need;
	int req;

	req = requested(e, &need);
	if (need) {
		const struct entry *fe = cache_find(e, e->from, e->from_len,
		    NULL);

		/* An answer for _dmarc.<From domain> other than NXDOMAIN
		 * proves that the From domain exists (RFC 8020). */
		if (fe != NULL && fe->answered && !fe->nxdomain &&
		    fe->kind != E_ERROR) {
			e->exists = 1;
		} else {
			memcpy(e->qname, e->from, e->from_len + 1);
			e->qtype = MOX_DNS_A;
			e->pending = P_EXIST;
			e->queries++;
			return RUN_QUERY;
		}
		req = requested(e, &need);
	}
	e->policy_requested = req;
	e->policy = req;
	if (!e->rfc7489) {
		if (in->testing && req != MOX_DMARC_P_NONE) {
			e->testing = true;
			e->policy = lower(req);
		}
	} else if (in->has_pct && in->pct < 100 &&
	    req != MOX_DMARC_P_NONE) {
		if (in->pct == 0 || rng_next(e) >= in->pct) {
			e->sampled_out = true;
			e->policy = lower(req);
		}
	}
	e->state = ST_DONE;
	return RUN_CONT;
}

static int
run(mox_dmarc_eval *e)
{
	switch (e->state) {
	case ST_START:
		if (e->from_status != FROM_OK) {
			set_reason_static(e, e->from_reason);
			finish(e, e->from_status == FROM_NONE ?
			    MOX_DMARC_NONE : MOX_DMARC_PERMERROR);
			return RUN_CONT;
		}
		e->state = ST_POLICY;
		return RUN_CONT;
	case ST_POLICY:
		return e->rfc7489 ? policy_7489(e) : policy_9989(e);
	case ST_ALIGN:
		return run_align(e);
	case ST_EXIST:
		return run_exist(e);
	default:
		return MOX_ESTATE;
	}
}

/* --- answers --- */

static int
on_txt(mox_dmarc_eval *e, int result, const mox_dns_answer *ans)
{
	struct entry *en = &e->cache[e->pending_entry];
	const mox_dns_rr *one = NULL;
	size_t i, n, count = 0;
	int rc;

	en->result = result;
	en->answered = ans != NULL;
	switch (result) {
	case MOX_DNS_OK:
		break;
	case MOX_DNS_NXDOMAIN:
		en->nxdomain = true;
		/* FALLTHROUGH */
	case MOX_DNS_NODATA:
		en->kind = E_NONE;
		return MOX_OK;
	default:
		en->kind = E_ERROR;
		return MOX_OK;
	}
	n = mox_dns_answer_count(ans);
	for (i = 0; i < n; i++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, i);

		if (rr == NULL || rr->type != MOX_DNS_TXT)
			continue;
		/* RFC 9989 4.10 steps 2 and 6, RFC 7489 6.6.3 step 2. */
		if (dmarc__is_record((const uint8_t *)rr->text,
		    rr->text_len)) {
			one = rr;
			count++;
		}
	}
	if (count == 0) {
		en->kind = E_NONE;
		return MOX_OK;
	}
	if (count > 1) {
		en->kind = E_MULTI;
		return MOX_OK;
	}
	rc = dmarc__record_parse_eval(&e->arena, &en->rec,
	    (const uint8_t *)one->text, one->text_len);
	if (rc == MOX_ENOMEM)
		return rc;
	en->kind = rc == MOX_OK ? E_RECORD : E_NONE;
	return MOX_OK;
}

static int
answer(mox_dmarc_eval *e, int result, const mox_dns_answer *ans,
    bool invalid_name)
{
	int rc = MOX_OK;

	e->awaiting = false;
	if (e->pending == P_TXT) {
		if (invalid_name) {
			/* A name the resolver cannot ask cannot hold a
			 * record. */
			e->cache[e->pending_entry].kind = E_NONE;
		} else {
			rc = on_txt(e, result, ans);
		}
	} else if (e->pending == P_EXIST) {
		if (invalid_name || result == MOX_DNS_OK ||
		    result == MOX_DNS_NODATA ||
		    (result == MOX_DNS_NXDOMAIN && ans != NULL &&
		    mox_dns_answer_cname_count(ans) > 0)) {
			e->exists = 1;
		} else if (result == MOX_DNS_NXDOMAIN) {
			e->exists = 0;
		} else {
			const char *rn = mox_dns_result_name(result);

			set_reason(e, "DNS %s for %s (does the From domain "
			    "exist?)", rn != NULL ? rn : "error", e->from);
			e->policy_requested = MOX_DMARC_P_UNSET;
			finish(e, MOX_DMARC_TEMPERROR);
		}
	} else {
		rc = MOX_ESTATE;
	}
	e->pending = P_NONE;
	if (rc < 0) {
		e->err = rc;
		return rc;
	}
	return e->err != 0 ? e->err : MOX_OK;
}

/* --- the From domain --- */

/* RFC 5322 3.2.3 atext, by octet. */
static const uint8_t atext_tab[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['/'] = 1, ['='] = 1, ['?'] = 1,
	['^'] = 1, ['_'] = 1, ['`'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1,
	['~'] = 1,
};

static bool
atext(int c)
{
	return atext_tab[(uint8_t)c] != 0;
}

/*
 * The common forms of a From value without the full address list parser
 * (which also maps every domain through IDNA): "local@domain" or
 * "Display Name <local@domain>" with a dot-atom local-part, a phrase of
 * atext words, and an ASCII LDH domain (as dmarc__domain_norm() takes
 * it). Returns false for anything else (comments, quotes, groups, several
 * addresses, folding, 8-bit, odd domains); the full parser decides
 * those.
 */
static bool
from_fast(mox_dmarc_eval *e, const uint8_t *p, size_t len)
{
	size_t i = 0, end = len, lp, de, dlen;
	char *d = e->from;

	while (i < end && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (end > i && (p[end - 1] == ' ' || p[end - 1] == '\t'))
		end--;
	if (i < end && p[end - 1] == '>') {
		/* phrase "<" addr-spec ">" */
		end--;
		while (i < end && p[i] != '<') {
			if (!atext(p[i]) && p[i] != ' ' && p[i] != '\t')
				return false;
			i++;
		}
		if (i == end)
			return false;
		i++;
	}
	lp = i;
	while (i < end && p[i] != '@') {
		if (p[i] == '.') {
			if (i == lp || p[i - 1] == '.')
				return false;
		} else if (!atext(p[i])) {
			return false;
		}
		i++;
	}
	if (i == lp || i == end || p[i - 1] == '.')
		return false;
	i++;
	de = end;
	dlen = de - i;
	if (dlen == 0 || dlen > MOX_DOMAIN_MAX)
		return false;
	/* Written straight into e->from; from_extract() overwrites it when
	 * this fails. */
	if (!ldh_lower(p + i, dlen, d)) {
		d[0] = '\0';
		return false;
	}
	d[dlen] = '\0';
	e->from_len = dlen;
	return true;
}

static int
from_extract(mox_dmarc_eval *e, const uint8_t *p, size_t len)
{
	mox_msg_addrlist *l = NULL;
	size_t i, n, boxes = 0;
	int rc;

	if (from_fast(e, p, len))
		return MOX_OK;

	for (i = 0; i < len && mox__isspace(p[i]); i++)
		;
	if (i == len) {
		e->from_status = FROM_NONE;
		e->from_reason = "no From address";
		return MOX_OK;
	}
	rc = mox_msg_addrlist_parse(&l, p, len, MOX_MSG_ADDR_NO_2047, NULL);
	if (rc == MOX_ENOMEM)
		return rc;
	if (rc != MOX_OK) {
		e->from_status = FROM_PERM;
		e->from_reason = "From field does not parse";
		return MOX_OK;
	}
	n = mox_msg_addrlist_count(l);
	for (i = 0; i < n; i++) {
		const mox_msg_mailbox *mb = mox_msg_addrlist_get(l, i);
		char d[MOX_DOMAIN_MAX + 1];

		if (mb->kind != MOX_MSG_ADDR_MAILBOX)
			continue;
		/* The domain as written (ASCII: no IDNA needed), or its
		 * A-labels. */
		if (!dmarc__domain_norm(mb->domain, mb->domain_len, d) &&
		    (mb->domain_ascii == NULL ||
		    !dmarc__domain_norm(mb->domain_ascii,
		    strlen(mb->domain_ascii), d))) {
			e->from_status = FROM_PERM;
			e->from_reason = "invalid From domain";
			break;
		}
		if (boxes++ == 0) {
			e->from_len = strlen(d);
			memcpy(e->from, d, e->from_len + 1);
		} else if (strcmp(d, e->from) != 0) {
			/* RFC 9989 5.3.1: more than one domain. */
			e->from_status = FROM_PERM;
			e->from_reason = "several From domains";
			break;
		}
	}
	if (e->from_status == FROM_OK && boxes == 0) {
		e->from_status = FROM_NONE;
		e->from_reason = "no From address";
	}
	if (e->from_status != FROM_OK) {
		e->from[0] = '\0';
		e->from_len = 0;
	}
	mox_msg_addrlist_free(l);
	return MOX_OK;
}

/* --- public --- */

/*
 * Set up an evaluator in e (not zeroed). borrow: the dkim selectors are
 * used in place (mox_dmarc_check(), whose caller's inputs outlive the
 * evaluator) instead of copied. On failure the evaluator is cleaned up
 * (eval_fini()).
 */
static int
eval_init(mox_dmarc_eval *e, const mox_dmarc_spf *spf,
    const mox_dmarc_dkim *dkim, size_t ndkim, const mox_dmarc_options *opts,
    bool borrow)
{
	size_t i;

	mox__memzero(e, offsetof(struct mox_dmarc_eval, wf));
	e->wf.started = false;
	e->from[0] = '\0';
	e->rfc7489 = opts != NULL && (opts->flags & MOX_DMARC_RFC7489) != 0;
	if (opts != NULL) {
		e->psl = opts->psl;
		e->random = opts->random;
		e->random_arg = opts->random_arg;
	}
	e->secure = true;
	e->exists = -1;
	e->cache = e->cache0;
	e->capcache = sizeof(e->cache0) / sizeof(e->cache0[0]);
	e->policy_entry = NO_ENTRY;
	if (spf != NULL && spf->result == MOX_DMARC_SPF_PASS &&
	    spf->domain != NULL) {
		const char *d = strrchr(spf->domain, '@');

		d = d != NULL ? d + 1 : spf->domain;
		e->spf_len = dmarc__domain_norm_len(d, strlen(d), e->spf_dom);
		e->spf_pass = e->spf_len > 0;
	}
	if (ndkim > 0) {
		size_t pool = 0;

		e->dkim = ndkim <= sizeof(e->dkim0) / sizeof(e->dkim0[0]) ?
		    e->dkim0 : mox__arena_alloc(&e->arena,
		    ndkim * sizeof(*e->dkim));
		if (e->dkim == NULL)
			goto nomem;
		e->ndkim = ndkim;
		for (i = 0; i < ndkim; i++) {
			struct dkim_in *k = &e->dkim[i];
			const char *sel = dkim[i].selector;
			char d[MOX_DOMAIN_MAX + 1];
			size_t dlen;

			k->result = dkim[i].result;
			k->domain = NULL;
			k->domain_len = 0;
			k->selector = NULL;
			/* Only a pass is looked at (alignment, and the
			 * aligned signature of the result). */
			if (k->result != MOX_DMARC_DKIM_PASS)
				continue;
			dlen = dkim[i].domain != NULL ?
			    dmarc__domain_norm_len(dkim[i].domain,
			    strlen(dkim[i].domain), d) : 0;
			if (dlen == 0) {
				k->result = MOX_DMARC_DKIM_PERMERROR;
				continue;
			}
			if (dlen < sizeof(e->dpool) - pool) {
				memcpy(e->dpool + pool, d, dlen + 1);
				k->domain = e->dpool + pool;
				pool += dlen + 1;
			} else {
				k->domain = mox__arena_strndup(&e->arena, d,
				    dlen);
				if (k->domain == NULL)
					goto nomem;
			}
			k->domain_len = dlen;
			if (sel != NULL && !borrow) {
				sel = mox__arena_strndup(&e->arena, sel,
				    strlen(sel));
				if (sel == NULL)
					goto nomem;
			}
			k->selector = sel;
		}
	}
	return MOX_OK;
nomem:
	eval_fini(e);
	return MOX_ENOMEM;
}

static int
eval_create(mox_dmarc_eval **out, const mox_dmarc_spf *spf,
    const mox_dmarc_dkim *dkim, size_t ndkim, const mox_dmarc_options *opts)
{
	mox_dmarc_eval *e;
	int rc;

	e = mox__malloc(sizeof(*e));
	if (e == NULL)
		return MOX_ENOMEM;
	rc = eval_init(e, spf, dkim, ndkim, opts, false);
	if (rc != MOX_OK) {
		mox__free(e);
		return rc;
	}
	*out = e;
	return MOX_OK;
}

static int
check_args(mox_dmarc_eval **out, const mox_dmarc_dkim *dkim, size_t ndkim,
    const mox_dmarc_options *opts)
{
	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (dkim == NULL && ndkim > 0)
		return MOX_EINVAL;
	if (opts != NULL) {
		if (opts->version == 0 ||
		    opts->version > MOX_DMARC_OPTIONS_VERSION)
			return MOX_EVERSION;
		if ((opts->flags & MOX_DMARC_RFC7489) != 0 &&
		    opts->psl == NULL)
			return MOX_EINVAL;
		if ((opts->flags & ~(unsigned int)MOX_DMARC_RFC7489) != 0)
			return MOX_EINVAL;
	}
	return MOX_OK;
}

int
mox_dmarc_eval_new(mox_dmarc_eval **out, const uint8_t *from,
    size_t from_len, const mox_dmarc_spf *spf, const mox_dmarc_dkim *dkim,
    size_t ndkim, const mox_dmarc_options *opts)
{
	mox_dmarc_eval *e;
	int rc;

	rc = check_args(out, dkim, ndkim, opts);
	if (rc != MOX_OK)
		return rc;
	if (from == NULL && from_len > 0)
		return MOX_EINVAL;
	rc = eval_create(&e, spf, dkim, ndkim, opts);
	if (rc != MOX_OK)
		return rc;
	rc = from_extract(e, from, from_len);
	if (rc != MOX_OK) {
		mox_dmarc_eval_free(e);
		return rc;
	}
	*out = e;
	return MOX_OK;
}

/* The default limits of mox_msg_options (MOX_MSG_OPTIONS_INIT). */
#define HDR_MAX_SIZE ((size_t)1 << 20)
#define HDR_MAX_FIELDS 10000

/* RFC 5322 3.6.8 ftext. */
static bool
ftext(int c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/*
 * The From fields of a header section of at most HDR_MAX_SIZE octets, as
 * mox_msg_iter_find(it, "From") with the default options finds them:
 * fields end at a line end not followed by WSP, the section at an empty
 * line or the end; a field is a From field when its name (ftext up to
 * optional WSP and ':') is "From" in any case; fields with a NUL are
 * skipped (MOX_ENUL); more than HDR_MAX_FIELDS fields is MOX_ELIMIT
 * (within HDR_MAX_SIZE no other limit applies). Without the iterator's
 * bookkeeping for the fields that do not matter here. Returns MOX_OK or
 * MOX_ELIMIT, the count in *nfrom and the first one's value.
 */
static int
from_fields(const uint8_t *m, size_t len, size_t *nfrom, mox_slice *first)
{
	size_t pos = 0, nfields = 0;

	*nfrom = 0;
	while (pos < len) {
		size_t start = pos, lstart = pos, lend, next, i;

		if (m[pos] == '\n' || (m[pos] == '\r' && pos + 1 < len &&
		    m[pos + 1] == '\n'))
			break;
		if (nfields >= HDR_MAX_FIELDS)
			return MOX_ELIMIT;
		for (;;) {
			const uint8_t *q = memchr(m + lstart, '\n',
			    len - lstart);

			if (q == NULL) {
				lend = next = len;
			} else {
				size_t nl = (size_t)(q - m);

				lend = nl > lstart && m[nl - 1] == '\r' ?
				    nl - 1 : nl;
				next = nl + 1;
			}
			if (next < len && (m[next] == ' ' || m[next] == '\t')) {
				lstart = next;
				continue;
			}
			break;
		}
		nfields++;
		pos = next;
		if (lend - start < 5 || (m[start] | 0x20) != 'f' ||
		    (m[start + 1] | 0x20) != 'r' ||
		    (m[start + 2] | 0x20) != 'o' ||
		    (m[start + 3] | 0x20) != 'm' || ftext(m[start + 4]))
			continue;
		for (i = start + 4; i < lend && (m[i] == ' ' || m[i] == '\t');
		    i++)
			;
		if (i >= lend || m[i] != ':')
			continue;       /* malformed (MOX_ESYNTAX) */
		if (memchr(m + start, '\0', next - start) != NULL)
			continue;       /* MOX_ENUL */
		if ((*nfrom)++ == 0) {
			first->ptr = m + i + 1;
			first->len = lend - (i + 1);
		}
	}
	return MOX_OK;
}

/* The From domain of a message's header section. */
static int
from_msg(mox_dmarc_eval *e, const uint8_t *msg, size_t len)
{
	mox_slice first = { NULL, 0 };
	size_t nfrom = 0;
	int rc;

	if (len <= HDR_MAX_SIZE) {
		rc = from_fields(msg, len, &nfrom, &first);
	} else {
		mox_msg_field f = MOX_MSG_FIELD_INIT;
		mox_msg_iter it;

		rc = mox_msg_iter_init(&it, msg, len, NULL);
		while (rc == MOX_OK) {
			rc = mox_msg_iter_find(&it, "From", &f);
			if (rc == MOX_OK && nfrom++ == 0)
				first = f.value;
		}
	}
	if (rc == MOX_ELIMIT) {
		e->from_status = FROM_PERM;
		e->from_reason = "header section over the limits";
	} else if (nfrom == 0) {
		e->from_status = FROM_NONE;
		e->from_reason = "no From field";
	} else if (nfrom > 1) {
		/* RFC 5322 3.6, RFC 9989 4.4: a repeated From field. */
		e->from_status = FROM_PERM;
		e->from_reason = "several From fields";
	} else {
		return from_extract(e, first.ptr, first.len);
	}
	return MOX_OK;
}

int
mox_dmarc_eval_new_msg(mox_dmarc_eval **out, const uint8_t *msg, size_t len,
    const mox_dmarc_spf *spf, const mox_dmarc_dkim *dkim, size_t ndkim,
    const mox_dmarc_options *opts)
{
	mox_dmarc_eval *e;
	int rc;

	rc = check_args(out, dkim, ndkim, opts);
	if (rc != MOX_OK)
		return rc;
	if (msg == NULL && len > 0)
		return MOX_EINVAL;
	rc = eval_create(&e, spf, dkim, ndkim, opts);
	if (rc != MOX_OK)
		return rc;
	rc = from_msg(e, msg, len);
	if (rc != MOX_OK) {
		mox_dmarc_eval_free(e);
		return rc;
	}
	*out = e;
	return MOX_OK;
}

void
mox_dmarc_eval_free(mox_dmarc_eval *e)
{
	if (e == NULL)
		return;
	eval_fini(e);
	mox__free(e);
}

/* mox_dmarc_eval_step() after its argument checks. */
static int
eval_step(mox_dmarc_eval *e, mox_dmarc_question *q)
{
	int rc;

	if (e->err != 0)
		return e->err;
	if (e->awaiting)
		return MOX_ESTATE;
	while (e->state != ST_DONE) {
		rc = run(e);
		if (rc < 0) {
			e->err = rc;
			return rc;
		}
		if (e->err != 0)
			return e->err;
		if (rc == RUN_QUERY) {
			e->awaiting = true;
			q->name = e->qname;
			q->type = e->qtype;
			return MOX_DMARC_STEP_QUERY;
		}
	}
	return MOX_DMARC_STEP_DONE;
}

int
mox_dmarc_eval_step(mox_dmarc_eval *e, mox_dmarc_question *q)
{
	if (e == NULL || q == NULL)
		return MOX_EINVAL;
	return eval_step(e, q);
}

/* mox_dmarc_eval_answer() for an evaluator that is not NULL. */
static int
eval_answer(mox_dmarc_eval *e, const mox_dns_answer *ans)
{
	if (e->err != 0)
		return e->err;
	if (!e->awaiting)
		return MOX_ESTATE;
	if (ans != NULL && mox_dns_answer_qtype(ans) != e->qtype)
		return MOX_EINVAL;
	if (ans == NULL || !mox_dns_answer_secure(ans))
		e->secure = false;
	return answer(e, ans != NULL ? mox_dns_answer_result(ans) :
	    MOX_DNS_SERVFAIL, ans, false);
}

int
mox_dmarc_eval_answer(mox_dmarc_eval *e, const mox_dns_answer *ans)
{
	if (e == NULL)
		return MOX_EINVAL;
	return eval_answer(e, ans);
}

int
dmarc__eval_answer_none(mox_dmarc_eval *e, bool invalid_name)
{
	if (e == NULL)
		return MOX_EINVAL;
	if (e->err != 0)
		return e->err;
	if (!e->awaiting)
		return MOX_ESTATE;
	e->secure = false;
	return answer(e, MOX_DNS_SERVFAIL, NULL, invalid_name);
}

/* The policy the record asks for when the verdict is not fail (np is not
 * looked at: existence is only checked for a fail). */
static int
requested_any(const mox_dmarc_eval *e)
{
	bool need;

	if (e->policy_entry == NO_ENTRY || !e->pol.usable)
		return MOX_DMARC_P_UNSET;
	return requested(e, &need);
}

int
mox_dmarc_eval_result(const mox_dmarc_eval *e, mox_dmarc_result *out)
{
	const struct entry *pe = NULL;
	const char *strs[7];
	size_t lens[7], total = 0, i;
	char *block, *p;

	if (e == NULL || out == NULL)
		return MOX_EINVAL;
	if (out->version == 0 || out->version > MOX_DMARC_RESULT_VERSION)
		return MOX_EVERSION;
	if (e->err != 0)
		return e->err;
	if (e->state != ST_DONE)
		return MOX_ESTATE;
	if (e->policy_entry != NO_ENTRY)
		pe = &e->cache[e->policy_entry];
	strs[0] = e->from;
	lens[0] = e->from_len;
	strs[1] = e->org_f_known ? e->org_f : NULL;
	lens[1] = e->org_len;
	strs[2] = pe != NULL ? pe->name : NULL;
	lens[2] = pe != NULL ? pe->len : 0;
	strs[3] = pe != NULL ? pe->rec->text : NULL;
	lens[3] = pe != NULL ? pe->rec->text_len : 0;
	strs[4] = e->dkim_aligned ? e->dkim[e->dkim_idx].domain : NULL;
	lens[4] = e->dkim_aligned ? e->dkim[e->dkim_idx].domain_len : 0;
	strs[5] = e->dkim_aligned ? e->dkim[e->dkim_idx].selector : NULL;
	lens[5] = strs[5] != NULL ? strlen(strs[5]) : 0;
	strs[6] = e->verdict != MOX_DMARC_PASS ? e->reason : NULL;
	lens[6] = strs[6] != NULL ? strlen(strs[6]) : 0;
	for (i = 0; i < 7; i++)
		total += strs[i] != NULL ? lens[i] + 1 : 0;
	block = mox__malloc(total > 0 ? total : 1);
	if (block == NULL)
		return MOX_ENOMEM;
	p = block;
	for (i = 0; i < 7; i++) {
		if (strs[i] == NULL)
			continue;
		copy_short(p, strs[i], lens[i]);
		p[lens[i]] = '\0';
		strs[i] = p;
		p += lens[i] + 1;
	}
	out->verdict = e->verdict;
	if (e->verdict == MOX_DMARC_FAIL) {
		out->policy = e->policy;
		out->policy_requested = e->policy_requested;
	} else {
		out->policy = MOX_DMARC_P_NONE;
		out->policy_requested = e->verdict == MOX_DMARC_PASS ?
		    requested_any(e) : MOX_DMARC_P_UNSET;
	}
	out->testing = e->testing;
	out->sampled_out = e->sampled_out;
	out->reject = out->policy == MOX_DMARC_P_REJECT;
	out->from_domain = strs[0];
	out->org_domain = strs[1];
	out->record_domain = strs[2];
	out->record = strs[3];
	out->spf_aligned = e->spf_aligned;
	out->dkim_aligned = e->dkim_aligned;
	out->dkim_domain = strs[4];
	out->dkim_selector = strs[5];
	out->reason = strs[6];
	out->authentic = e->secure && e->queries > 0;
	out->queries = e->queries;
	out->owned_ = block;
	return MOX_OK;
}

void
mox_dmarc_result_release(mox_dmarc_result *res)
{
	unsigned int version;

	if (res == NULL)
		return;
	version = res->version;
	mox__free(res->owned_);
	mox__memzero(res, sizeof(*res));
	res->version = version;
}

int
mox_dmarc_check(mox_dmarc_result *out, mox_resolver *r, const uint8_t *msg,
    size_t len, const mox_dmarc_spf *spf, const mox_dmarc_dkim *dkim,
    size_t ndkim, const mox_dmarc_options *opts)
{
	/* The evaluator lives on the stack: nothing of it outlives the
	 * call, and the inputs outlive it. */
	mox_dmarc_eval ev, *e = &ev, *chk;
	mox_dmarc_question q;
	int rc;

	if (out == NULL || r == NULL)
		return MOX_EINVAL;
	if (out->version == 0 || out->version > MOX_DMARC_RESULT_VERSION)
		return MOX_EVERSION;
	rc = check_args(&chk, dkim, ndkim, opts);
	if (rc != MOX_OK)
		return rc;
	if (msg == NULL && len > 0)
		return MOX_EINVAL;
	rc = eval_init(e, spf, dkim, ndkim, opts, true);
	if (rc != MOX_OK)
		return rc;
	rc = from_msg(e, msg, len);
	if (rc != MOX_OK)
		goto out;
	for (;;) {
		mox_dns_answer *ans = NULL;

		rc = eval_step(e, &q);
		if (rc < 0)
			goto out;
		if (rc == MOX_DMARC_STEP_DONE)
			break;
		rc = mox_dns_lookup(r, q.name, q.type, &ans);
		if (rc == MOX_OK) {
			rc = eval_answer(e, ans);
			mox_dns_answer_free(ans);
		} else if (rc == MOX_ENOMEM) {
			goto out;
		} else {
			/* MOX_EINVAL: the resolver cannot ask for this name;
			 * anything else: a lookup failure. */
			rc = dmarc__eval_answer_none(e, rc == MOX_EINVAL);
		}
		if (rc < 0)
			goto out;
	}
	rc = mox_dmarc_eval_result(e, out);
out:
	eval_fini(e);
	return rc;
}
