/* SPDX-License-Identifier: MIT */
/*
 * eval.c -- check_host() (RFC 7208 4, 5, 6) as a resumable state machine,
 * and mox_spf_check(), the blocking loop over it. See <mox/spf.h>.
 *
 * The evaluation is iterative: include pushes a frame, redirect replaces
 * the record of the current frame, and a decided frame pops back into its
 * parent's include term (RFC 7208 5.2 table). Everything an evaluation
 * keeps (request copy, fetched records parsed once, MX and PTR names,
 * reasons) lives in one arena freed with it, so a step or an answer does
 * not touch the heap except to grow that arena.
 *
 * Answers are handled when they arrive (mox_spf_eval_answer copies what
 * it needs); mox_spf_eval_step() then runs the states until the next
 * question.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "spf-int.h"

/* States of the evaluation. */
enum {
	ST_START = 0,
	ST_FETCH,      /* ask for the TXT records of the current frame */
	ST_TERM,       /* evaluate the current term (see phases) */
	ST_PMACRO,     /* find the %{p} value, then go back to p_resume */
	ST_EXP,        /* expand exp= and ask for its TXT record */
	ST_EXP_TEXT,   /* expand the explanation text */
	ST_DONE
};

/* Phases of the current term. */
enum {
	PH_START = 0,  /* count it, match what needs no DNS */
	PH_TARGET,     /* expand the target name and ask */
	PH_MX_LOOP,    /* address of each MX name */
	PH_PTR_LOOP    /* validate the PTR names within the target */
};

/* What the outstanding question is for. */
enum {
	P_NONE = 0,
	P_RECORD,
	P_A,
	P_EXISTS,
	P_MX,
	P_MX_ADDR,
	P_PTR,
	P_PTR_ADDR,
	P_EXP
};

/* Classes of an outcome. */
enum {
	C_DATA = 0, /* records */
	C_VOID,     /* NXDOMAIN, or NOERROR without records */
	C_ERROR,    /* SERVFAIL, timeout, bogus, other rcodes, no answer */
	C_BADNAME   /* the resolver could not ask for the name */
};

enum { PTR_UNKNOWN = 0, PTR_OK, PTR_VOID, PTR_ERROR };
enum { PN_UNKNOWN = 0, PN_VALID, PN_INVALID, PN_ERROR };

/* Results of the internal steps. */
#define RUN_CONT 0
#define RUN_QUERY 1

struct spf_frame {
	struct spf_frame *parent;
	const struct mox_spf_record *rec; /* NULL until fetched */
	const char *domain;               /* <domain>, raw, arena */
	size_t dlen;
	size_t ti;                        /* current term */
	bool redirected;                  /* reached through redirect= */
};

struct ptr_name {
	const char *raw;
	size_t len;
	int status;
};

struct mox_spf_eval {
	mox__arena arena;

	/* The request. */
	int identity;
	mox_ip ip;
	struct spf_macro_ctx ctx;   /* s, l, o, h, r, ip, t; d and p vary */
	mox_spf_limits lim;
	bool want_exp;
	bool domain_ok;
	const char *domain;         /* normalized; "" when invalid */
	size_t domain_len;
	const char *raw_domain;     /* as given, for reasons */
	const char *checked;

	/* Where we are. */
	int state;
	int phase;
	int pending;
	int err;                    /* sticky MOX_ENOMEM */
	bool awaiting;
	struct spf_frame *frame;
	const struct spf_term *term;
	size_t tlen;
	const char **mx;            /* MX names of the current mx term */
	size_t *mxlen;
	size_t nmx, mxi;
	size_t ptri;
	bool ptr_counted;

	/* PTR names of the client, shared by ptr and %{p}. */
	int ptr_state;
	struct ptr_name *ptrs;
	size_t nptrs;
	size_t ptr_asking;
	const char *pdom;           /* the frame domain pval is for */
	const char *pval;
	size_t plen;
	int p_resume;

	/* The question (its name below). */
	uint16_t qtype;

	/* exp= text. */
	struct spf_macro expm;

	/* The outcome. */
	int verdict;
	const struct spf_term *mech;
	const char *mech_domain;
	const char *reason;
	const char *explanation;
	bool secure;
	unsigned int dns_terms, voids, queries;

	/* Buffers last: eval_init() clears only what comes before them. */
	char target[MOX_DOMAIN_MAX + 1];
	char qname[4 * MOX_DOMAIN_MAX + 8];
};

/* An evaluator with room for its arena's first chunk: a typical check
 * (a record or two of a few terms: 300 to 800 octets) allocates nothing
 * else; bigger ones continue in small heap chunks. */
#define EVAL_BUF 1024
struct eval_block {
	mox_spf_eval e;
	_Alignas(16) unsigned char buf[EVAL_BUF];
};

/* --- helpers --- */

static const char *
adup(mox_spf_eval *e, const char *s, size_t n)
{
	return mox__arena_strndup(&e->arena, s, n);
}

static int
classify(int result)
{
	switch (result) {
	case MOX_DNS_OK:
		return C_DATA;
	case MOX_DNS_NODATA:
	case MOX_DNS_NXDOMAIN:
		return C_VOID;
	default:
		return C_ERROR;
	}
}

static const char *
type_name(uint16_t t)
{
	const char *n = mox_dns_type_name(t);

	return n != NULL ? n : "?";
}

/* A reason string in the arena: printable ASCII only, bounded. */
static void
vset_reason(mox_spf_eval *e, const char *fmt, va_list ap) MOX__PRINTF(2, 0);

/* Append s (at most max octets of it) to buf[*len..cap-1), octets that
 * are not printable ASCII as '?'. */
static void
fmt_str(char *buf, size_t cap, size_t *len, const char *s, size_t max)
{
	size_t room = cap - 1 - *len, n, k;
	char *d = buf + *len;

	n = strnlen(s, max < room ? max : room);
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		d[k] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	*len += n;
}

/*
 * vsnprintf(3) for the formats of the reasons: "%s", "%.Ns", "%u" and
 * "%zu" only. Reasons are made on every none, temperror and permerror
 * result; the stdio machinery would cost more than the rest of such an
 * evaluation. Output beyond cap - 1 octets is cut off. Arguments are
 * written printable ASCII only (the formats are); returns the length.
 */
static size_t
fmt_reason(char *buf, size_t cap, const char *fmt, va_list ap)
{
	size_t len = 0;

	while (*fmt != '\0' && len < cap - 1) {
		size_t max = (size_t)-1, n;
		const char *pct;
		char num[24];
		unsigned long long v;
		size_t k;

		if (*fmt != '%') {
			n = strcspn(fmt, "%");
			pct = fmt + n;
			if (n > cap - 1 - len)
				n = cap - 1 - len;
			memcpy(buf + len, fmt, n);
			len += n;
			fmt = pct;
			continue;
		}
		fmt++;
		if (fmt[0] == '.') {
			for (max = 0, fmt++; mox__isdigit((unsigned char)*fmt);
			    fmt++)
				max = max * 10 + (size_t)(*fmt - '0');
		}
		if (*fmt == 's') {
			const char *str = va_arg(ap, const char *);

			fmt_str(buf, cap, &len, str != NULL ? str : "(null)",
			    max);
			fmt++;
			continue;
		}
		if (*fmt == 'u') {
			v = va_arg(ap, unsigned int);
			fmt++;
		} else if (fmt[0] == 'z' && fmt[1] == 'u') {
			v = va_arg(ap, size_t);
			fmt += 2;
		} else {
			break; /* not used by the reasons */
		}
		k = sizeof(num);
		num[--k] = '\0';
		do {
			num[--k] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		fmt_str(buf, cap, &len, num + k, (size_t)-1);
	}
	buf[len] = '\0';
	return len;
}

static void
vset_reason(mox_spf_eval *e, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n = fmt_reason(buf, sizeof(buf), fmt, ap);

	e->reason = adup(e, buf, n);
	if (e->reason == NULL)
		e->err = MOX_ENOMEM;
}

static void
set_reason(mox_spf_eval *e, const char *fmt, ...) MOX__PRINTF(2, 3);

static void
set_reason(mox_spf_eval *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_reason(e, fmt, ap);
	va_end(ap);
}

/* End the evaluation with an error verdict. */
static int
abort_with(mox_spf_eval *e, int verdict, const char *fmt, ...)
    MOX__PRINTF(3, 4);

static int
abort_with(mox_spf_eval *e, int verdict, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_reason(e, fmt, ap);
	va_end(ap);
	e->verdict = verdict;
	e->mech = NULL;
	e->mech_domain = NULL;
	e->state = ST_DONE;
	return e->err != 0 ? e->err : RUN_CONT;
}

static int
ask(mox_spf_eval *e, uint16_t type, const char *raw, size_t len, int pending)
{
	spf__name_escape(e->qname, raw, len);
	e->qtype = type;
	e->pending = pending;
	e->queries++;
	return RUN_QUERY;
}

static uint16_t
addr_type(const mox_spf_eval *e)
{
	return e->ip.family == 6 ? MOX_DNS_AAAA : MOX_DNS_A;
}

static int
push_frame(mox_spf_eval *e, const char *domain, size_t len)
{
	struct spf_frame *f = mox__arena_alloc(&e->arena, sizeof(*f));

	if (f == NULL)
		return MOX_ENOMEM;
	memset(f, 0, sizeof(*f));
	f->domain = adup(e, domain, len);
	if (f->domain == NULL)
		return MOX_ENOMEM;
	f->dlen = len;
	f->parent = e->frame;
	e->frame = f;
	e->state = ST_FETCH;
	e->phase = PH_START;
	return RUN_CONT;
}

static int
next_term(mox_spf_eval *e)
{
	e->frame->ti++;
	e->phase = PH_START;
	e->state = ST_TERM;
	return RUN_CONT;
}

/* RFC 7208 4.6.4: more than lim.void_lookups void lookups is permerror. */
static bool
void_lookup(mox_spf_eval *e)
{
	if (++e->voids <= e->lim.void_lookups)
		return false;
	abort_with(e, MOX_SPF_PERMERROR, "more than %u void lookups",
	    e->lim.void_lookups);
	return true;
}

static int
qual_verdict(int q)
{
	switch (q) {
	case MOX_SPF_Q_FAIL:
		return MOX_SPF_FAIL;
	case MOX_SPF_Q_SOFTFAIL:
		return MOX_SPF_SOFTFAIL;
	case MOX_SPF_Q_NEUTRAL:
		return MOX_SPF_NEUTRAL;
	default:
		return MOX_SPF_PASS;
	}
}

/* The top frame's evaluation gave verdict v. */
static int
final(mox_spf_eval *e, int v)
{
	e->verdict = v;
	/* RFC 7208 6.2: the explanation of the record that gave fail (after
	 * redirects: the last record; never one of an include). */
	if (v == MOX_SPF_FAIL && e->want_exp && e->frame->rec != NULL &&
	    e->frame->rec->exp != NULL) {
		e->state = ST_EXP;
		return RUN_CONT;
	}
	e->state = ST_DONE;
	return RUN_CONT;
}

/* Term t of the current frame matched. */
static int
decided(mox_spf_eval *e, const struct spf_term *t)
{
	for (;;) {
		struct spf_frame *f = e->frame;
		int v = qual_verdict(t->pub.qualifier);

		e->mech = t;
		e->mech_domain = f->domain;
		if (f->parent == NULL)
			return final(e, v);
		/* RFC 7208 5.2: pass makes the include match; fail, softfail
		 * and neutral do not. */
		e->frame = f->parent;
		if (v != MOX_SPF_PASS)
			return next_term(e);
		t = &e->frame->rec->terms[e->frame->ti];
	}
}

/* Expand the domain-spec of t (or take the current domain) into
 * e->target. Returns RUN_CONT with *ok set, or RUN_CONT after switching
 * to ST_PMACRO (*ok false, *need_p true). */
static void
expand_target(mox_spf_eval *e, const struct spf_term *t, bool *ok,
    bool *need_p)
{
	struct spf_frame *f = e->frame;
	char buf[1024];
	struct spf_out o;
	int rc;

	*ok = false;
	*need_p = false;
	if (t->pub.domain_spec == NULL) {
		memcpy(e->target, f->domain, f->dlen + 1);
		e->tlen = f->dlen;
		*ok = true;
		return;
	}
	if (t->spec.has_p && e->pdom != f->domain) {
		*need_p = true;
		return;
	}
	memset(&o, 0, sizeof(o));
	o.p = buf;
	o.cap = sizeof(buf);
	o.window = true;
	e->ctx.d = f->domain;
	e->ctx.dlen = f->dlen;
	e->ctx.p = e->pdom == f->domain ? e->pval : NULL;
	e->ctx.plen = e->plen;
	rc = spf__macro_expand(&t->spec, &e->ctx, &o);
	if (rc != MOX_OK)
		return;
	*ok = spf__target_name(&o, e->lim.max_name, e->target, &e->tlen);
}

/* No mechanism matched: redirect, or the default (RFC 7208 4.7). */
static int
end_of_record(mox_spf_eval *e)
{
	struct spf_frame *f = e->frame;

	if (f->rec->redirect != NULL) {
		e->term = f->rec->redirect;
		if (++e->dns_terms > e->lim.dns_terms)
			return abort_with(e, MOX_SPF_PERMERROR,
			    "more than %u DNS-querying terms",
			    e->lim.dns_terms);
		e->phase = PH_TARGET;
		return RUN_CONT;
	}
	if (f->parent == NULL) {
		e->mech = NULL;
		e->mech_domain = NULL;
		return final(e, MOX_SPF_NEUTRAL);
	}
	e->frame = f->parent;
	return next_term(e);
}

static int
ask_ptr(mox_spf_eval *e)
{
	char rev[MOX_IP_REVERSE_STRLEN];
	size_t n = mox_ip_reverse_name(rev, sizeof(rev), &e->ip);

	return ask(e, MOX_DNS_PTR, rev, n, P_PTR);
}

static int
st_term(mox_spf_eval *e)
{
	struct spf_frame *f = e->frame;
	const struct spf_term *t;
	bool ok, need_p;
	size_t i;

	if (e->phase == PH_START) {
		if (f->ti >= f->rec->nterms)
			return end_of_record(e);
		t = e->term = &f->rec->terms[f->ti];
		switch (t->pub.kind) {
		case MOX_SPF_ALL:
			return decided(e, t);
		case MOX_SPF_IP4:
		case MOX_SPF_IP6:
			if (e->ip.family == t->pub.ip.family &&
			    mox_ip_in_prefix(&e->ip, &t->pub.ip,
			    t->pub.kind == MOX_SPF_IP4 ? t->pub.cidr4 :
			    t->pub.cidr6))
				return decided(e, t);
			return next_term(e);
		case MOX_SPF_INCLUDE:
		case MOX_SPF_A:
		case MOX_SPF_MX:
		case MOX_SPF_PTR:
		case MOX_SPF_EXISTS:
			/* RFC 7208 4.6.4: counted before the lookup. */
			if (++e->dns_terms > e->lim.dns_terms)
				return abort_with(e, MOX_SPF_PERMERROR,
				    "more than %u DNS-querying terms",
				    e->lim.dns_terms);
			e->phase = PH_TARGET;
			break;
		default:
			return next_term(e); /* modifiers */
		}
	}
	t = e->term;
	switch (e->phase) {
	case PH_TARGET:
		expand_target(e, t, &ok, &need_p);
		if (need_p) {
			e->p_resume = ST_TERM;
			e->state = ST_PMACRO;
			return RUN_CONT;
		}
		if (!ok) {
			/* RFC 7208 4.8 leaves an unusable target name
			 * undefined; like a name that does not exist, it does
			 * not match. include and redirect need a record:
			 * permerror (5.2, 6.1). */
			if (t->pub.kind == MOX_SPF_INCLUDE ||
			    t->pub.kind == MOX_SPF_REDIRECT)
				return abort_with(e, MOX_SPF_PERMERROR,
				    "%s: target is not a valid domain name "
				    "(in record of %s)", t->text, f->domain);
			return next_term(e);
		}
		switch (t->pub.kind) {
		case MOX_SPF_INCLUDE:
			return push_frame(e, e->target, e->tlen);
		case MOX_SPF_REDIRECT:
			/* RFC 7208 6.1: check_host() with the new domain,
			 * whose result is ours; exp= of this record no longer
			 * applies. */
			f->domain = adup(e, e->target, e->tlen);
			if (f->domain == NULL)
				return MOX_ENOMEM;
			f->dlen = e->tlen;
			f->rec = NULL;
			f->ti = 0;
			f->redirected = true;
			e->state = ST_FETCH;
			e->phase = PH_START;
			return RUN_CONT;
		case MOX_SPF_A:
			return ask(e, addr_type(e), e->target, e->tlen, P_A);
		case MOX_SPF_EXISTS:
			/* RFC 7208 5.7: A, even for an IPv6 client. */
			return ask(e, MOX_DNS_A, e->target, e->tlen, P_EXISTS);
		case MOX_SPF_MX:
			return ask(e, MOX_DNS_MX, e->target, e->tlen, P_MX);
		case MOX_SPF_PTR:
			e->phase = PH_PTR_LOOP;
			e->ptri = 0;
			e->ptr_counted = false;
			if (e->ptr_state == PTR_UNKNOWN)
				return ask_ptr(e);
			return RUN_CONT;
		default:
			return next_term(e);
		}
	case PH_MX_LOOP:
		if (e->mxi >= e->nmx)
			return next_term(e);
		return ask(e, addr_type(e), e->mx[e->mxi], e->mxlen[e->mxi],
		    P_MX_ADDR);
	case PH_PTR_LOOP:
		if (!e->ptr_counted) {
			e->ptr_counted = true;
			if (e->ptr_state == PTR_VOID && void_lookup(e))
				return RUN_CONT;
		}
		/* RFC 7208 5.5: a PTR lookup error: no match. */
		if (e->ptr_state != PTR_OK)
			return next_term(e);
		for (i = e->ptri; i < e->nptrs; i++) {
			struct ptr_name *pn = &e->ptrs[i];

			e->ptri = i;
			if (!spf__name_within(pn->raw, pn->len, e->target,
			    e->tlen))
				continue;
			if (pn->status == PN_VALID)
				return decided(e, t);
			if (pn->status == PN_UNKNOWN) {
				e->ptr_asking = i;
				return ask(e, addr_type(e), pn->raw, pn->len,
				    P_PTR_ADDR);
			}
			/* invalid, or a DNS error: skipped (5.5) */
		}
		return next_term(e);
	default:
		break;
	}
	return next_term(e);
}

/* RFC 7208 7.3 %{p}: a validated name of the client, preferring the
 * current domain, then its subdomains, then any; "unknown" when there is
 * none or a DNS error occurs. */
static int
st_pmacro(mox_spf_eval *e)
{
	struct spf_frame *f = e->frame;
	const char *val = "unknown";
	size_t vlen = 7, i;
	int pass;

	if (e->ptr_state == PTR_UNKNOWN)
		return ask_ptr(e);
	if (e->ptr_state != PTR_OK)
		goto done;
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < e->nptrs; i++) {
			struct ptr_name *pn = &e->ptrs[i];
			bool eq = pn->len == f->dlen &&
			    spf__name_within(pn->raw, pn->len, f->domain,
			    f->dlen);
			bool sub = !eq && spf__name_within(pn->raw, pn->len,
			    f->domain, f->dlen);

			if ((pass == 0 && !eq) || (pass == 1 && !sub) ||
			    (pass == 2 && (eq || sub)))
				continue;
			if (pn->status == PN_UNKNOWN) {
				e->ptr_asking = i;
				return ask(e, addr_type(e), pn->raw, pn->len,
				    P_PTR_ADDR);
			}
			if (pn->status == PN_ERROR)
				goto done;
			if (pn->status == PN_VALID) {
				val = pn->raw;
				vlen = pn->len;
				goto done;
			}
		}
	}
done:
	e->pval = val;
	e->plen = vlen;
	e->pdom = f->domain;
	e->state = e->p_resume;
	return RUN_CONT;
}

static int
st_exp(mox_spf_eval *e)
{
	bool ok, need_p;

	expand_target(e, e->frame->rec->exp, &ok, &need_p);
	if (need_p) {
		e->p_resume = ST_EXP;
		e->state = ST_PMACRO;
		return RUN_CONT;
	}
	if (!ok) {
		/* RFC 7208 6.2: proceed as if there was no exp=. */
		e->state = ST_DONE;
		return RUN_CONT;
	}
	return ask(e, MOX_DNS_TXT, e->target, e->tlen, P_EXP);
}

static int
st_exp_text(mox_spf_eval *e)
{
	struct spf_frame *f = e->frame;
	struct spf_out o;
	char buf[SPF_EXPLAIN_MAX];

	if (e->expm.has_p && e->pdom != f->domain) {
		e->p_resume = ST_EXP_TEXT;
		e->state = ST_PMACRO;
		return RUN_CONT;
	}
	e->state = ST_DONE;
	memset(&o, 0, sizeof(o));
	o.p = buf;
	o.cap = sizeof(buf);
	e->ctx.d = f->domain;
	e->ctx.dlen = f->dlen;
	e->ctx.p = e->pdom == f->domain ? e->pval : NULL;
	e->ctx.plen = e->plen;
	if (spf__macro_expand(&e->expm, &e->ctx, &o) != MOX_OK)
		return RUN_CONT;
	/* Expanded on the stack, kept at its size. */
	e->explanation = adup(e, buf, o.len);
	if (e->explanation == NULL)
		return MOX_ENOMEM;
	return RUN_CONT;
}

static int
run(mox_spf_eval *e)
{
	switch (e->state) {
	case ST_START:
		if (!e->domain_ok) {
			/* RFC 7208 4.3: a malformed or single-label domain. */
			e->verdict = MOX_SPF_NONE;
			set_reason(e, "no valid domain in identity %.100s",
			    e->checked);
			e->state = ST_DONE;
			return e->err != 0 ? e->err : RUN_CONT;
		}
		return push_frame(e, e->domain, e->domain_len);
	case ST_FETCH:
		return ask(e, MOX_DNS_TXT, e->frame->domain, e->frame->dlen,
		    P_RECORD);
	case ST_TERM:
		return st_term(e);
	case ST_PMACRO:
		return st_pmacro(e);
	case ST_EXP:
		return st_exp(e);
	case ST_EXP_TEXT:
		return st_exp_text(e);
	default:
		return RUN_CONT;
	}
}

/* --- answers --- */

static int
on_record(mox_spf_eval *e, int cls, int result, const mox_dns_answer *ans)
{
	struct spf_frame *f = e->frame;
	struct mox_spf_record *rec;
	const mox_dns_rr *pick = NULL;
	const char *err = "";
	size_t i, n = 0, cnt, eoff = 0;
	int rc;

	if (cls == C_ERROR)
		return abort_with(e, MOX_SPF_TEMPERROR, "DNS %s for TXT %s",
		    mox_dns_result_name(result) != NULL ?
		    mox_dns_result_name(result) : "error", e->qname);
	cnt = cls == C_DATA ? mox_dns_answer_count(ans) : 0;
	for (i = 0; i < cnt; i++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, i);

		/* RFC 7208 4.5: records that begin with "v=spf1". */
		if (rr->type == MOX_DNS_TXT && rr->text != NULL &&
		    spf__is_spf_record(rr->text, rr->text_len)) {
			pick = rr;
			n++;
		}
	}
	if (n == 0) {
		if (f->parent == NULL && !f->redirected) {
			e->verdict = MOX_SPF_NONE;
			set_reason(e, cls == C_DATA || result == MOX_DNS_NODATA ?
			    "no SPF record at %s" : "%s does not exist",
			    f->domain);
			e->state = ST_DONE;
			return RUN_CONT;
		}
		if (cls != C_DATA)
			e->voids++;
		/* RFC 7208 5.2 (include of none) and 6.1 (redirect). */
		return abort_with(e, MOX_SPF_PERMERROR,
		    "%s: no SPF record at %s", e->term->text, f->domain);
	}
	if (n > 1)
		return abort_with(e, MOX_SPF_PERMERROR,
		    "multiple SPF records at %s", f->domain);
	if (pick->text_len > e->lim.max_record)
		return abort_with(e, MOX_SPF_PERMERROR,
		    "SPF record at %s longer than %u octets", f->domain,
		    e->lim.max_record);
	rc = spf__record_parse(&e->arena, &rec, (const uint8_t *)pick->text,
	    pick->text_len, &eoff, &err);
	if (rc == MOX_ENOMEM)
		return rc;
	if (rc != MOX_OK)
		return abort_with(e, MOX_SPF_PERMERROR,
		    "syntax error at offset %zu in record of %s: %s", eoff,
		    f->domain, rc == MOX_ESYNTAX || rc == MOX_ENUL ? err :
		    mox_strerror(rc));
	f->rec = rec;
	f->ti = 0;
	e->state = ST_TERM;
	e->phase = PH_START;
	return RUN_CONT;
}

/* Whether an address answer holds the client in prefix bits. */
static bool
addr_match(const mox_spf_eval *e, const mox_dns_answer *ans,
    unsigned int bits)
{
	size_t i, n = mox_dns_answer_count(ans);

	for (i = 0; i < n; i++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, i);

		if ((rr->type == MOX_DNS_A || rr->type == MOX_DNS_AAAA) &&
		    rr->ip.family == e->ip.family &&
		    mox_ip_in_prefix(&e->ip, &rr->ip, bits))
			return true;
	}
	return false;
}

static unsigned int
term_bits(const mox_spf_eval *e)
{
	return e->ip.family == 6 ? e->term->pub.cidr6 : e->term->pub.cidr4;
}

static int
dns_error(mox_spf_eval *e, int result)
{
	/* RFC 7208 5: a DNS error in a mechanism is temperror. */
	return abort_with(e, MOX_SPF_TEMPERROR, "DNS %s for %s %s",
	    mox_dns_result_name(result) != NULL ?
	    mox_dns_result_name(result) : "error", type_name(e->qtype),
	    e->qname);
}

static int
on_mx(mox_spf_eval *e, const mox_dns_answer *ans)
{
	size_t i, n = mox_dns_answer_count(ans), k = 0;

	/* RFC 7208 4.6.4: more than 10 MX records is permerror. */
	if (n > e->lim.mx_names)
		return abort_with(e, MOX_SPF_PERMERROR,
		    "more than %u MX records at %s", e->lim.mx_names,
		    e->qname);
	e->mx = mox__arena_alloc(&e->arena, (n + 1) * sizeof(*e->mx));
	e->mxlen = mox__arena_alloc(&e->arena, (n + 1) * sizeof(*e->mxlen));
	if (e->mx == NULL || e->mxlen == NULL)
		return MOX_ENOMEM;
	for (i = 0; i < n; i++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, i);
		char raw[MOX_DOMAIN_MAX + 1];
		size_t len;

		if (rr->type != MOX_DNS_MX || rr->target == NULL ||
		    !spf__name_unescape(raw, &len, rr->target) || len == 0)
			continue; /* null MX (RFC 7505) or unusable */
		e->mx[k] = adup(e, raw, len);
		if (e->mx[k] == NULL)
			return MOX_ENOMEM;
		e->mxlen[k++] = len;
	}
	e->nmx = k;
	e->mxi = 0;
	e->phase = PH_MX_LOOP;
	return RUN_CONT;
}

static int
on_ptr(mox_spf_eval *e, int cls, const mox_dns_answer *ans)
{
	size_t i, n, k = 0;

	if (cls == C_ERROR || cls == C_BADNAME) {
		e->ptr_state = PTR_ERROR;
		return RUN_CONT;
	}
	if (cls == C_VOID) {
		e->ptr_state = PTR_VOID;
		return RUN_CONT;
	}
	n = mox_dns_answer_count(ans);
	/* RFC 7208 4.6.4: only the first ptr_names are used. */
	if (n > e->lim.ptr_names)
		n = e->lim.ptr_names;
	e->ptrs = mox__arena_alloc(&e->arena, (n + 1) * sizeof(*e->ptrs));
	if (e->ptrs == NULL)
		return MOX_ENOMEM;
	for (i = 0; i < n; i++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, i);
		char raw[MOX_DOMAIN_MAX + 1];
		size_t len;

		if (rr->type != MOX_DNS_PTR || rr->target == NULL ||
		    !spf__name_unescape(raw, &len, rr->target) || len == 0)
			continue;
		e->ptrs[k].raw = adup(e, raw, len);
		if (e->ptrs[k].raw == NULL)
			return MOX_ENOMEM;
		e->ptrs[k].len = len;
		e->ptrs[k].status = PN_UNKNOWN;
		k++;
	}
	e->nptrs = k;
	e->ptr_state = PTR_OK;
	return RUN_CONT;
}

static int
on_exp(mox_spf_eval *e, int cls, const mox_dns_answer *ans)
{
	const mox_dns_rr *rr;
	const char *text;
	int rc;

	e->state = ST_DONE;
	/* RFC 7208 6.2: exactly one TXT record, else no explanation. */
	if (cls != C_DATA || mox_dns_answer_count(ans) != 1)
		return RUN_CONT;
	rr = mox_dns_answer_rr(ans, 0);
	if (rr->type != MOX_DNS_TXT || rr->text == NULL ||
	    rr->text_len > SPF_EXPLAIN_MAX)
		return RUN_CONT;
	text = adup(e, rr->text, rr->text_len);
	if (text == NULL)
		return MOX_ENOMEM;
	rc = spf__macro_compile(&e->arena, &e->expm, text, rr->text_len,
	    SPF_MACRO_EXPLAIN, NULL, NULL);
	if (rc == MOX_ENOMEM)
		return rc;
	if (rc == MOX_OK)
		e->state = ST_EXP_TEXT;
	return RUN_CONT;
}

static int
handle(mox_spf_eval *e, int cls, int result, const mox_dns_answer *ans)
{
	struct ptr_name *pn;

	switch (e->pending) {
	case P_RECORD:
		/* RFC 7208 4.3: a malformed domain given to check_host()
		 * is "none"; as the target of include or redirect it makes
		 * the record unusable (5.2, 6.1). */
		if (cls == C_BADNAME && e->term == NULL)
			return abort_with(e, MOX_SPF_NONE,
			    "domain is not a valid domain name");
		if (cls == C_BADNAME)
			return abort_with(e, MOX_SPF_PERMERROR,
			    "%s: target is not a valid domain name",
			    e->term->text);
		return on_record(e, cls, result, ans);
	case P_A:
	case P_EXISTS:
		if (cls == C_ERROR)
			return dns_error(e, result);
		if (cls == C_VOID && void_lookup(e))
			return RUN_CONT;
		if (cls == C_DATA && (e->pending == P_EXISTS ||
		    addr_match(e, ans, term_bits(e))))
			return decided(e, e->term);
		return next_term(e);
	case P_MX:
		if (cls == C_ERROR)
			return dns_error(e, result);
		if (cls == C_VOID && void_lookup(e))
			return RUN_CONT;
		if (cls != C_DATA)
			return next_term(e);
		return on_mx(e, ans);
	case P_MX_ADDR:
		if (cls == C_ERROR)
			return dns_error(e, result);
		if (cls == C_DATA && addr_match(e, ans, term_bits(e)))
			return decided(e, e->term);
		e->mxi++;
		return RUN_CONT;
	case P_PTR:
		return on_ptr(e, cls, ans);
	case P_PTR_ADDR:
		pn = &e->ptrs[e->ptr_asking];
		if (cls == C_ERROR)
			pn->status = PN_ERROR;
		else if (cls == C_DATA && addr_match(e, ans,
		    e->ip.family == 6 ? 128 : 32))
			pn->status = PN_VALID;
		else
			pn->status = PN_INVALID;
		return RUN_CONT;
	case P_EXP:
		return on_exp(e, cls, ans);
	default:
		return MOX_ESTATE;
	}
}

/* --- identity (RFC 7208 4.3) --- */

static bool
numeric_label(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!mox__isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/*
 * Check and normalize the <domain> of the identity: labels of 1 to 63
 * octets, at most 253 octets, at least two labels, not ending in an
 * all-numeric label (an IP address is no domain), LDH and underscore
 * only; non-ASCII names go through IDNA to their A-labels.
 */
static bool
domain_check(mox_spf_eval *e, const char *s, size_t n)
{
	char buf[MOX_DOMAIN_MAX + 1];
	size_t i, label = 0, labels = 0;
	bool idn = false, digits = true;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return false;
	/* One pass over plain ASCII names: check and lowercase. */
	for (i = 0; i < n && i < MOX_DOMAIN_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || label > MOX_LABEL_MAX)
				return false;
			labels++;
			label = 0;
			digits = true;
		} else if (mox__isalpha(c) || c == '-' || c == '_') {
			label++;
			digits = false;
		} else if (mox__isdigit(c)) {
			label++;
		} else if (c >= 0x80) {
			break;
		} else {
			return false;
		}
		buf[i] = (char)mox__lower(c);
		if (label == 4 && buf[i] == '-' && buf[i - 1] == '-' &&
		    buf[i - 2] == 'n' && buf[i - 3] == 'x')
			idn = true;
	}
	if (i == n && !idn) {
		if (label == 0 || label > MOX_LABEL_MAX || labels == 0 ||
		    digits)
			return false;
		e->domain = adup(e, buf, n);
		e->domain_len = n;
		return true;
	}
	if (n > MOX_DOMAIN_UNICODE_SIZE)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80 && c != '.' && c != '-' && c != '_' &&
		    !mox__isalpha(c) && !mox__isdigit(c))
			return false;
	}
	{
		mox_domain d;
		const char *dot;

		if (mox_domain_parse(&d, s, n, MOX_DOMAIN_ALLOW_UNDERSCORE |
		    MOX_DOMAIN_REQUIRE_DOT) != MOX_OK)
			return false;
		dot = strrchr(d.ascii, '.');
		if (dot == NULL || numeric_label(dot + 1, strlen(dot + 1)))
			return false;
		e->domain_len = strlen(d.ascii);
		e->domain = adup(e, d.ascii, e->domain_len);
		return true;
	}
}

/* --- public --- */

/* The checks of mox_spf_eval_new() that come before any allocation. */
static int
req_check(const mox_spf_request *req)
{
	if (req->version == 0 || req->version > MOX_SPF_REQUEST_VERSION)
		return MOX_EVERSION;
	if ((req->identity != MOX_SPF_MAILFROM &&
	    req->identity != MOX_SPF_HELO) ||
	    (req->ip.family != 4 && req->ip.family != 6))
		return MOX_EINVAL;
	/* The domain comes from the sender or the HELO name. */
	if ((req->identity != MOX_SPF_MAILFROM || req->sender == NULL ||
	    req->sender[0] == '\0') && req->helo == NULL)
		return MOX_EINVAL;
	return MOX_OK;
}

/*
 * Set up the evaluator in b for a request that passed req_check(): b->e
 * is cleared and its arena starts in b->buf. With borrow set the strings
 * of req are used in place (mox_spf_check(): they outlive the
 * evaluator), else copied. On error the arena may hold chunks: free it.
 */
static int
eval_init(struct eval_block *b, const mox_spf_request *req, bool borrow)
{
	mox_spf_eval *e = &b->e;
	const char *lp = "postmaster", *dom, *at = NULL;
	size_t lplen = 10, domlen;
	mox_spf_limits def = MOX_SPF_LIMITS_DEFAULT;
	char *s;

	mox__memzero(e, offsetof(mox_spf_eval, target));
	e->target[0] = '\0';
	e->qname[0] = '\0';
	mox__arena_init_buf(&e->arena, b->buf, sizeof(b->buf));
	/* RFC 7208 2.3, 2.4: HELO, or MAIL FROM with the null path, is
	 * checked as postmaster@<HELO name>. */
	if (req->identity == MOX_SPF_MAILFROM && req->sender != NULL &&
	    req->sender[0] != '\0') {
		at = strrchr(req->sender, '@');
		if (at != NULL) {
			dom = at + 1;
			if (at > req->sender) {
				lp = req->sender;
				lplen = (size_t)(at - req->sender);
			}
		} else {
			dom = req->sender;
		}
	} else {
		dom = req->helo;
	}
	domlen = strlen(dom);

	e->identity = req->identity;
	mox_ip_unmap(&e->ip, &req->ip);
	e->secure = true;
	e->lim = req->limits;
	if (e->lim.dns_terms == 0)
		e->lim.dns_terms = def.dns_terms;
	if (e->lim.void_lookups == 0)
		e->lim.void_lookups = def.void_lookups;
	if (e->lim.mx_names == 0)
		e->lim.mx_names = def.mx_names;
	if (e->lim.ptr_names == 0)
		e->lim.ptr_names = def.ptr_names;
	if (e->lim.max_name == 0 || e->lim.max_name > MOX_DOMAIN_MAX)
		e->lim.max_name = MOX_DOMAIN_MAX;
	if (e->lim.max_record == 0)
		e->lim.max_record = def.max_record;
	e->want_exp = req->explanation;

	e->domain_ok = domain_check(e, dom, domlen);
	if (!e->domain_ok) {
		e->domain = "";
		e->domain_len = 0;
	}
	e->raw_domain = borrow ? dom : adup(e, dom, domlen);
	e->ctx.l = borrow ? lp : adup(e, lp, lplen);
	e->ctx.llen = lplen;
	e->ctx.o = e->domain_ok ? e->domain : e->raw_domain;
	e->ctx.olen = e->domain_ok ? e->domain_len : domlen;
	s = mox__arena_alloc(&e->arena, lplen + 1 + e->ctx.olen + 1);
	if (s != NULL && e->ctx.o != NULL) {
		memcpy(s, lp, lplen);
		s[lplen] = '@';
		memcpy(s + lplen + 1, e->ctx.o, e->ctx.olen);
		s[lplen + 1 + e->ctx.olen] = '\0';
	}
	e->ctx.s = e->checked = s;
	e->ctx.slen = lplen + 1 + e->ctx.olen;
	e->ctx.hlen = req->helo != NULL ? strlen(req->helo) : 0;
	e->ctx.h = req->helo == NULL ? "" : borrow ? req->helo :
	    adup(e, req->helo, e->ctx.hlen);
	if (req->receiver != NULL) {
		e->ctx.rlen = strlen(req->receiver);
		e->ctx.r = borrow ? req->receiver :
		    adup(e, req->receiver, e->ctx.rlen);
		if (e->ctx.r == NULL)
			return MOX_ENOMEM;
	}
	e->ctx.ip = e->ip;
	e->ctx.t = req->now != 0 ? req->now : (int64_t)time(NULL);
	if (e->raw_domain == NULL || e->ctx.l == NULL || s == NULL ||
	    e->ctx.h == NULL || (e->domain_ok && e->domain == NULL))
		return MOX_ENOMEM;
	e->state = ST_START;
	return MOX_OK;
}

int
mox_spf_eval_new(mox_spf_eval **out, const mox_spf_request *req)
{
	struct eval_block *b;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || req == NULL)
		return MOX_EINVAL;
	rc = req_check(req);
	if (rc != MOX_OK)
		return rc;
	/* The evaluator is the first member of its block. */
	b = mox__malloc(sizeof(*b));
	if (b == NULL)
		return MOX_ENOMEM;
	rc = eval_init(b, req, false);
	if (rc != MOX_OK) {
		mox__arena_free(&b->e.arena);
		mox__free(b);
		return rc;
	}
	*out = &b->e;
	return MOX_OK;
}

void
mox_spf_eval_free(mox_spf_eval *e)
{
	if (e == NULL)
		return;
	mox__arena_free(&e->arena);
	mox__free(e);
}

int
mox_spf_eval_step(mox_spf_eval *e, mox_spf_question *q)
{
	int rc;

	if (e == NULL || q == NULL)
		return MOX_EINVAL;
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
			return MOX_SPF_STEP_QUERY;
		}
	}
	return MOX_SPF_STEP_DONE;
}

static int
answer(mox_spf_eval *e, int cls, int result, const mox_dns_answer *ans)
{
	int rc;

	e->awaiting = false;
	rc = handle(e, cls, result, ans);
	e->pending = P_NONE;
	if (rc < 0) {
		e->err = rc;
		return rc;
	}
	return e->err != 0 ? e->err : MOX_OK;
}

int
mox_spf_eval_answer(mox_spf_eval *e, const mox_dns_answer *ans)
{
	int result;

	if (e == NULL)
		return MOX_EINVAL;
	if (e->err != 0)
		return e->err;
	if (!e->awaiting)
		return MOX_ESTATE;
	if (ans != NULL && mox_dns_answer_qtype(ans) != e->qtype)
		return MOX_EINVAL;
	if (ans == NULL || !mox_dns_answer_secure(ans))
		e->secure = false;
	result = ans != NULL ? mox_dns_answer_result(ans) : MOX_DNS_SERVFAIL;
	return answer(e, ans != NULL ? classify(result) : C_ERROR, result, ans);
}

int
spf__eval_answer_none(mox_spf_eval *e, bool invalid_name)
{
	if (e == NULL)
		return MOX_EINVAL;
	if (e->err != 0)
		return e->err;
	if (!e->awaiting)
		return MOX_ESTATE;
	e->secure = false;
	return answer(e, invalid_name ? C_BADNAME : C_ERROR,
	    MOX_DNS_SERVFAIL, NULL);
}

int
mox_spf_eval_result(const mox_spf_eval *e, mox_spf_result *out)
{
	const char *strs[6];
	size_t lens[6], total = 0, i;
	char *block, *p;

	if (e == NULL || out == NULL)
		return MOX_EINVAL;
	if (out->version == 0 || out->version > MOX_SPF_RESULT_VERSION)
		return MOX_EVERSION;
	if (e->err != 0)
		return e->err;
	if (e->state != ST_DONE)
		return MOX_ESTATE;
	strs[0] = e->domain;
	strs[1] = e->checked;
	strs[2] = e->mech != NULL ? e->mech->text : NULL;
	strs[3] = e->mech != NULL ? e->mech_domain : NULL;
	strs[4] = e->verdict == MOX_SPF_FAIL ? e->explanation : NULL;
	strs[5] = e->verdict == MOX_SPF_NONE ||
	    e->verdict == MOX_SPF_TEMPERROR ||
	    e->verdict == MOX_SPF_PERMERROR ? e->reason : NULL;
	for (i = 0; i < 6; i++) {
		lens[i] = strs[i] != NULL ? strlen(strs[i]) : 0;
		total += strs[i] != NULL ? lens[i] + 1 : 0;
	}
	block = mox__malloc(total);
	if (block == NULL)
		return MOX_ENOMEM;
	p = block;
	for (i = 0; i < 6; i++) {
		if (strs[i] == NULL)
			continue;
		memcpy(p, strs[i], lens[i] + 1);
		strs[i] = p;
		p += lens[i] + 1;
	}
	out->verdict = e->verdict;
	out->identity = e->identity;
	out->domain = strs[0];
	out->checked = strs[1];
	out->mechanism = strs[2];
	out->mechanism_domain = strs[3];
	out->explanation = strs[4];
	out->reason = strs[5];
	out->authentic = e->secure && e->queries > 0;
	out->dns_terms = e->dns_terms;
	out->void_lookups = e->voids;
	out->queries = e->queries;
	out->owned_ = block;
	return MOX_OK;
}

void
mox_spf_result_release(mox_spf_result *res)
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
mox_spf_check(mox_spf_result *out, mox_resolver *r,
    const mox_spf_request *req)
{
	struct eval_block b; /* on the stack: no allocation per check */
	mox_spf_eval *e = &b.e;
	mox_spf_question q;
	int rc;

	if (out == NULL || r == NULL || req == NULL)
		return MOX_EINVAL;
	if (out->version == 0 || out->version > MOX_SPF_RESULT_VERSION)
		return MOX_EVERSION;
	rc = req_check(req);
	if (rc != MOX_OK)
		return rc;
	rc = eval_init(&b, req, true);
	if (rc != MOX_OK)
		goto out;
	for (;;) {
		mox_dns_answer *ans = NULL;

		rc = mox_spf_eval_step(e, &q);
		if (rc < 0)
			goto out;
		if (rc == MOX_SPF_STEP_DONE)
			break;
		rc = mox_dns_lookup(r, q.name, q.type, &ans);
		if (rc == MOX_OK) {
			rc = mox_spf_eval_answer(e, ans);
			mox_dns_answer_free(ans);
		} else if (rc == MOX_ENOMEM) {
			goto out;
		} else {
			/* MOX_EINVAL: the resolver cannot ask for this name;
			 * anything else: a lookup failure. */
			rc = spf__eval_answer_none(e, rc == MOX_EINVAL);
		}
		if (rc < 0)
			goto out;
	}
	rc = mox_spf_eval_result(e, out);
out:
	mox__arena_free(&e->arena);
	return rc;
}
