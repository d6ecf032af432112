/* SPDX-License-Identifier: MIT */
/*
 * report_parse.c -- aggregate report XML (RFC 9990 appendix A, RFC 7489
 * appendix C) parsed with expat into mox_dmarc_report_meta and
 * mox_dmarc_report_row.
 *
 * One pass, no tree: a stack of element identifiers follows the document;
 * text is collected only for the leaf elements we know. Elements are
 * matched by local name in the namespace of <feedback>, so reports with a
 * default namespace, a prefix or none parse alike, and RFC 9990 extension
 * elements (which must be in another namespace) are skipped.
 *
 * Untrusted input (RFC 9990 security considerations, "XML bomb"): entity declarations stop
 * the parse at once, so no entity is ever expanded; expat's own
 * amplification limit is set as well. Depth, element count, record count,
 * text length and input size are bounded by the options. Every
 * allocation, expat's included, goes through mox__malloc.
 */
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report-int.h"

/* Namespace separator of expat names ("uri\1local"): not an XML
 * character, so it can never occur in a namespace URI. */
#define NS_SEP '\x01'

int
dmarc_report_errf(char *err, size_t errcap, int status, const char *fmt,
    ...)
{
	va_list ap;

	if (err != NULL && errcap > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errcap, fmt, ap);
		va_end(ap);
	}
	return status;
}

int
mox_dmarc_report_options_init(mox_dmarc_report_options *opts,
    unsigned int version)
{
	const mox_dmarc_report_options def = MOX_DMARC_REPORT_OPTIONS_INIT;

	if (opts == NULL)
		return MOX_EINVAL;
	if (version == 0 || version > MOX_DMARC_REPORT_OPTIONS_VERSION)
		return MOX_EVERSION;
	*opts = def;
	opts->version = version;
	return MOX_OK;
}

int
dmarc_report_opts(mox_dmarc_report_options *o,
    const mox_dmarc_report_options *in)
{
	const mox_dmarc_report_options def = MOX_DMARC_REPORT_OPTIONS_INIT;

	*o = def;
	if (in == NULL)
		return MOX_OK;
	if (in->version == 0 || in->version > MOX_DMARC_REPORT_OPTIONS_VERSION)
		return MOX_EVERSION;
	/* Version 1 has every field there is. */
	o->max_size = in->max_size;
	o->max_records = in->max_records;
	o->max_elements = in->max_elements;
	o->max_depth = in->max_depth;
	o->max_text = in->max_text;
	if (o->max_depth > DMARC_REPORT_DEPTH_CAP)
		o->max_depth = DMARC_REPORT_DEPTH_CAP;
	return MOX_OK;
}

/* --- element table --- */

enum el {
	EL_UNKNOWN = 0,
	EL_FEEDBACK,
	EL_VERSION,
	EL_METADATA,
	EL_ORG_NAME,
	EL_EMAIL,
	EL_EXTRA,
	EL_REPORT_ID,
	EL_DATE_RANGE,
	EL_BEGIN,
	EL_END,
	EL_ERROR,
	EL_GENERATOR,
	EL_POLICY,
	EL_DOMAIN,
	EL_DISCOVERY,
	EL_ADKIM,
	EL_ASPF,
	EL_P,
	EL_SP,
	EL_NP,
	EL_PCT,
	EL_FO,
	EL_TESTING,
	EL_PSD,
	EL_RECORD,
	EL_ROW,
	EL_SOURCE_IP,
	EL_COUNT,
	EL_EVALUATED,
	EL_DISPOSITION,
	EL_EVAL_DKIM,
	EL_EVAL_SPF,
	EL_REASON,
	EL_REASON_TYPE,
	EL_REASON_COMMENT,
	EL_IDENTIFIERS,
	EL_HEADER_FROM,
	EL_ENVELOPE_FROM,
	EL_ENVELOPE_TO,
	EL_AUTH,
	EL_DKIM,
	EL_DKIM_DOMAIN,
	EL_DKIM_SELECTOR,
	EL_DKIM_RESULT,
	EL_DKIM_HUMAN,
	EL_SPF,
	EL_SPF_DOMAIN,
	EL_SPF_SCOPE,
	EL_SPF_RESULT,
	EL_SPF_HUMAN,
	EL_NUM
};

/* Elements with child elements; every other known element is a leaf
 * whose text is collected. */
static bool
is_container(int id)
{
	switch (id) {
	case EL_UNKNOWN:
	case EL_FEEDBACK:
	case EL_METADATA:
	case EL_DATE_RANGE:
	case EL_POLICY:
	case EL_RECORD:
	case EL_ROW:
	case EL_EVALUATED:
	case EL_REASON:
	case EL_IDENTIFIERS:
	case EL_AUTH:
	case EL_DKIM:
	case EL_SPF:
		return true;
	default:
		return false;
	}
}

/* Known children of each container, by local name. */
struct child {
	const char *name;
	unsigned char id;
};

static const struct child c_feedback[] = {
	{ "record", EL_RECORD },
	{ "version", EL_VERSION },
	{ "report_metadata", EL_METADATA },
	{ "policy_published", EL_POLICY },
};
static const struct child c_metadata[] = {
	{ "org_name", EL_ORG_NAME },
	{ "email", EL_EMAIL },
	{ "extra_contact_info", EL_EXTRA },
	{ "report_id", EL_REPORT_ID },
	{ "date_range", EL_DATE_RANGE },
	{ "error", EL_ERROR },
	{ "generator", EL_GENERATOR },
};
static const struct child c_date_range[] = {
	{ "begin", EL_BEGIN },
	{ "end", EL_END },
};
static const struct child c_policy[] = {
	{ "domain", EL_DOMAIN },
	{ "discovery_method", EL_DISCOVERY },
	{ "adkim", EL_ADKIM },
	{ "aspf", EL_ASPF },
	{ "p", EL_P },
	{ "sp", EL_SP },
	{ "np", EL_NP },
	{ "pct", EL_PCT },
	{ "fo", EL_FO },
	{ "testing", EL_TESTING },
	{ "psd", EL_PSD },
};
static const struct child c_record[] = {
	{ "row", EL_ROW },
	{ "identifiers", EL_IDENTIFIERS },
	{ "auth_results", EL_AUTH },
};
static const struct child c_row[] = {
	{ "source_ip", EL_SOURCE_IP },
	{ "count", EL_COUNT },
	{ "policy_evaluated", EL_EVALUATED },
};
static const struct child c_evaluated[] = {
	{ "disposition", EL_DISPOSITION },
	{ "dkim", EL_EVAL_DKIM },
	{ "spf", EL_EVAL_SPF },
	{ "reason", EL_REASON },
};
static const struct child c_reason[] = {
	{ "type", EL_REASON_TYPE },
	{ "comment", EL_REASON_COMMENT },
};
static const struct child c_identifiers[] = {
	{ "header_from", EL_HEADER_FROM },
	{ "envelope_from", EL_ENVELOPE_FROM },
	{ "envelope_to", EL_ENVELOPE_TO },
};
static const struct child c_auth[] = {
	{ "dkim", EL_DKIM },
	{ "spf", EL_SPF },
};
static const struct child c_dkim[] = {
	{ "domain", EL_DKIM_DOMAIN },
	{ "selector", EL_DKIM_SELECTOR },
	{ "result", EL_DKIM_RESULT },
	{ "human_result", EL_DKIM_HUMAN },
};
static const struct child c_spf[] = {
	{ "domain", EL_SPF_DOMAIN },
	{ "scope", EL_SPF_SCOPE },
	{ "result", EL_SPF_RESULT },
	{ "human_result", EL_SPF_HUMAN },
};

#define KIDS(a) { (a), sizeof(a) / sizeof((a)[0]) }
static const struct {
	const struct child *c;
	size_t n;
} kids[EL_NUM] = {
	[EL_FEEDBACK] = KIDS(c_feedback),
	[EL_METADATA] = KIDS(c_metadata),
	[EL_DATE_RANGE] = KIDS(c_date_range),
	[EL_POLICY] = KIDS(c_policy),
	[EL_RECORD] = KIDS(c_record),
	[EL_ROW] = KIDS(c_row),
	[EL_EVALUATED] = KIDS(c_evaluated),
	[EL_REASON] = KIDS(c_reason),
	[EL_IDENTIFIERS] = KIDS(c_identifiers),
	[EL_AUTH] = KIDS(c_auth),
	[EL_DKIM] = KIDS(c_dkim),
	[EL_SPF] = KIDS(c_spf),
};

static int
lookup(int parent, const char *local)
{
	const struct child *c = kids[parent].c;
	size_t i;

	for (i = 0; i < kids[parent].n; i++) {
		if (c[i].name[0] == local[0] && strcmp(c[i].name, local) == 0)
			return c[i].id;
	}
	return EL_UNKNOWN;
}

/* --- enumerations --- */

struct word {
	const char *name;
	int value;
};

static const struct word w_policy[] = {
	{ "none", MOX_DMARC_P_NONE },
	{ "quarantine", MOX_DMARC_P_QUARANTINE },
	{ "reject", MOX_DMARC_P_REJECT },
	{ NULL, 0 }
};
static const struct word w_disposition[] = {
	{ "none", MOX_DMARC_DISPOSITION_NONE },
	{ "quarantine", MOX_DMARC_DISPOSITION_QUARANTINE },
	{ "reject", MOX_DMARC_DISPOSITION_REJECT },
	{ "pass", MOX_DMARC_DISPOSITION_PASS },
	{ NULL, 0 }
};
static const struct word w_align[] = {
	{ "r", MOX_DMARC_RELAXED },
	{ "s", MOX_DMARC_STRICT },
	{ NULL, 0 }
};
static const struct word w_yn[] = {
	{ "y", 1 },
	{ "n", 0 },
	{ NULL, 0 }
};
static const struct word w_psd[] = {
	{ "y", MOX_DMARC_PSD_Y },
	{ "n", MOX_DMARC_PSD_N },
	{ "u", MOX_DMARC_PSD_UNSET },
	{ NULL, 0 }
};
static const struct word w_discovery[] = {
	{ "psl", MOX_DMARC_DISCOVERY_PSL },
	{ "treewalk", MOX_DMARC_DISCOVERY_TREEWALK },
	{ NULL, 0 }
};
static const struct word w_verdict[] = {
	{ "pass", MOX_DMARC_PASS },
	{ "fail", MOX_DMARC_FAIL },
	{ NULL, 0 }
};
static const struct word w_override[] = {
	{ "forwarded", MOX_DMARC_OVERRIDE_FORWARDED },
	{ "sampled_out", MOX_DMARC_OVERRIDE_SAMPLED_OUT },
	{ "trusted_forwarder", MOX_DMARC_OVERRIDE_TRUSTED_FORWARDER },
	{ "mailing_list", MOX_DMARC_OVERRIDE_MAILING_LIST },
	{ "local_policy", MOX_DMARC_OVERRIDE_LOCAL_POLICY },
	{ "other", MOX_DMARC_OVERRIDE_OTHER },
	{ "policy_test_mode", MOX_DMARC_OVERRIDE_POLICY_TEST_MODE },
	{ NULL, 0 }
};
static const struct word w_dkim[] = {
	{ "none", MOX_DMARC_DKIM_NONE },
	{ "pass", MOX_DMARC_DKIM_PASS },
	{ "fail", MOX_DMARC_DKIM_FAIL },
	{ "neutral", MOX_DMARC_DKIM_NEUTRAL },
	{ "policy", MOX_DMARC_DKIM_POLICY },
	{ "temperror", MOX_DMARC_DKIM_TEMPERROR },
	{ "permerror", MOX_DMARC_DKIM_PERMERROR },
	{ NULL, 0 }
};
static const struct word w_spf[] = {
	{ "none", MOX_DMARC_SPF_NONE },
	{ "neutral", MOX_DMARC_SPF_NEUTRAL },
	{ "pass", MOX_DMARC_SPF_PASS },
	{ "fail", MOX_DMARC_SPF_FAIL },
	{ "softfail", MOX_DMARC_SPF_SOFTFAIL },
	{ "temperror", MOX_DMARC_SPF_TEMPERROR },
	{ "permerror", MOX_DMARC_SPF_PERMERROR },
	{ "policy", MOX_DMARC_REPORT_SPF_POLICY },
	/* RFC 7489 appendix C: "TempError commonly implemented as
	 * unknown", "PermError commonly implemented as error". */
	{ "unknown", MOX_DMARC_SPF_TEMPERROR },
	{ "error", MOX_DMARC_SPF_PERMERROR },
	{ NULL, 0 }
};
static const struct word w_scope[] = {
	{ "mfrom", MOX_DMARC_SPF_SCOPE_MFROM },
	{ "helo", MOX_DMARC_SPF_SCOPE_HELO },
	{ NULL, 0 }
};

static int
word(const struct word *w, const char *p, size_t n)
{
	if (n == 0)
		return MOX_DMARC_REPORT_ABSENT;
	for (; w->name != NULL; w++) {
		if (mox__memcaseeq(p, n, w->name))
			return w->value;
	}
	return MOX_DMARC_REPORT_INVALID;
}

/* --- parser state --- */

/* A growable array of struct elements. */
struct vec {
	void *p;
	size_t n, cap;
};

struct ps {
	XML_Parser xp;
	mox_dmarc_report *r;
	mox_dmarc_report_options o;
	int status;                /* first error, MOX_OK until then */
	char *err;
	size_t errcap;
	unsigned char *stack;      /* element ids, [0] unused */
	unsigned int depth;
	size_t nelements;
	const char *ns;            /* namespace of <feedback>, "" for none */
	size_t nslen;
	mox__buf text;
	bool collecting;
	/* report_metadata and policy_published */
	bool have_metadata, have_policy, have_begin, have_end;
	struct vec errors;         /* const char * */
	/* the record being read */
	mox_dmarc_report_row row;
	bool have_count;
	struct vec reasons, dkim, spf;
	size_t caprows;
};

static void
fail(struct ps *ps, int status, const char *fmt, ...) MOX__PRINTF(3, 4);

/* Record the first error, with the position of the current event, and
 * stop expat. */
static void
fail(struct ps *ps, int status, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ps->status != MOX_OK)
		return;
	ps->status = status;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dmarc_report_errf(ps->err, ps->errcap, status,
	    "line %lu, column %lu: %s",
	    (unsigned long)XML_GetCurrentLineNumber(ps->xp),
	    (unsigned long)XML_GetCurrentColumnNumber(ps->xp) + 1, msg);
	XML_StopParser(ps->xp, XML_FALSE);
}

static void *
vec_push(struct ps *ps, struct vec *v, size_t size)
{
	void *np;
	char *e;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;

		np = mox__reallocarray(v->p, cap, size);
		if (np == NULL) {
			fail(ps, MOX_ENOMEM, "out of memory");
			return NULL;
		}
		v->p = np;
		v->cap = cap;
	}
	e = (char *)v->p + v->n * size;
	v->n++;
	memset(e, 0, size);
	return e;
}

static const void *
vec_copy(struct ps *ps, const struct vec *v, size_t size)
{
	void *p;

	if (v->n == 0)
		return NULL;
	p = mox__arena_memdup(&ps->r->arena, v->p, v->n * size);
	if (p == NULL)
		fail(ps, MOX_ENOMEM, "out of memory");
	return p;
}

static const char *
str(struct ps *ps, const char *p, size_t n)
{
	char *s = mox__arena_strndup(&ps->r->arena, p, n);

	if (s == NULL)
		fail(ps, MOX_ENOMEM, "out of memory");
	return s;
}

static bool
xml_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Digits only, no sign (the schemas' counts and timestamps are never
 * negative); false on overflow of max. */
static bool
parse_uint(uint64_t *out, const char *p, size_t n, uint64_t max)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!mox__isdigit((unsigned char)p[i]))
			return false;
		if (v > (max - (uint64_t)(p[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return true;
}

/* --- leaf values --- */

static void
leaf(struct ps *ps, int id, const char *p, size_t n)
{
	mox_dmarc_report_meta *m = &ps->r->meta;
	mox_dmarc_report_row *row = &ps->row;
	uint64_t u;
	const char **sp;

	switch (id) {
	case EL_VERSION:
		m->report_version = str(ps, p, n);
		break;
	case EL_ORG_NAME:
		m->org_name = str(ps, p, n);
		break;
	case EL_EMAIL:
		m->email = str(ps, p, n);
		break;
	case EL_EXTRA:
		m->extra_contact_info = str(ps, p, n);
		break;
	case EL_REPORT_ID:
		m->report_id = str(ps, p, n);
		break;
	case EL_GENERATOR:
		m->generator = str(ps, p, n);
		break;
	case EL_ERROR:
		if ((sp = vec_push(ps, &ps->errors, sizeof(*sp))) != NULL)
			*sp = str(ps, p, n);
		break;
	case EL_BEGIN:
	case EL_END:
		if (!parse_uint(&u, p, n, INT64_MAX)) {
			fail(ps, MOX_ESYNTAX, "<%s> is not a number of seconds",
			    id == EL_BEGIN ? "begin" : "end");
			return;
		}
		if (id == EL_BEGIN) {
			m->begin = (int64_t)u;
			ps->have_begin = true;
		} else {
			m->end = (int64_t)u;
			ps->have_end = true;
		}
		break;
	case EL_DOMAIN:
		m->domain = str(ps, p, n);
		break;
	case EL_DISCOVERY:
		m->discovery_method = word(w_discovery, p, n);
		break;
	case EL_ADKIM:
		m->adkim = word(w_align, p, n);
		break;
	case EL_ASPF:
		m->aspf = word(w_align, p, n);
		break;
	case EL_P:
		m->p = word(w_policy, p, n);
		break;
	case EL_SP:
		m->sp = word(w_policy, p, n);
		break;
	case EL_NP:
		m->np = word(w_policy, p, n);
		break;
	case EL_PCT:
		if (n == 0)
			m->pct = MOX_DMARC_REPORT_ABSENT;
		else if (parse_uint(&u, p, n, 100))
			m->pct = (int)u;
		else
			m->pct = MOX_DMARC_REPORT_INVALID;
		break;
	case EL_FO:
		m->fo = str(ps, p, n);
		break;
	case EL_TESTING:
		m->testing = word(w_yn, p, n);
		break;
	case EL_PSD:
		m->psd = word(w_psd, p, n);
		break;
	case EL_SOURCE_IP:
		row->source_ip = str(ps, p, n);
		break;
	case EL_COUNT:
		if (!parse_uint(&row->count, p, n, UINT64_MAX)) {
			fail(ps, MOX_ESYNTAX, "<count> is not a number");
			return;
		}
		ps->have_count = true;
		break;
	case EL_DISPOSITION:
		row->disposition = word(w_disposition, p, n);
		break;
	case EL_EVAL_DKIM:
		row->dkim = word(w_verdict, p, n);
		break;
	case EL_EVAL_SPF:
		row->spf = word(w_verdict, p, n);
		break;
	case EL_REASON_TYPE:
		((mox_dmarc_report_reason *)ps->reasons.p)[ps->reasons.n - 1]
		    .type = word(w_override, p, n);
		break;
	case EL_REASON_COMMENT:
		((mox_dmarc_report_reason *)ps->reasons.p)[ps->reasons.n - 1]
		    .comment = str(ps, p, n);
		break;
	case EL_HEADER_FROM:
		row->header_from = str(ps, p, n);
		break;
	case EL_ENVELOPE_FROM:
		row->envelope_from = str(ps, p, n);
		break;
	case EL_ENVELOPE_TO:
		row->envelope_to = str(ps, p, n);
		break;
	case EL_DKIM_DOMAIN:
		((mox_dmarc_report_dkim *)ps->dkim.p)[ps->dkim.n - 1].domain =
		    str(ps, p, n);
		break;
	case EL_DKIM_SELECTOR:
		((mox_dmarc_report_dkim *)ps->dkim.p)[ps->dkim.n - 1]
		    .selector = str(ps, p, n);
		break;
	case EL_DKIM_RESULT:
		((mox_dmarc_report_dkim *)ps->dkim.p)[ps->dkim.n - 1].result =
		    word(w_dkim, p, n);
		break;
	case EL_DKIM_HUMAN:
		((mox_dmarc_report_dkim *)ps->dkim.p)[ps->dkim.n - 1]
		    .human_result = str(ps, p, n);
		break;
	case EL_SPF_DOMAIN:
		((mox_dmarc_report_spf *)ps->spf.p)[ps->spf.n - 1].domain =
		    str(ps, p, n);
		break;
	case EL_SPF_SCOPE:
		((mox_dmarc_report_spf *)ps->spf.p)[ps->spf.n - 1].scope =
		    word(w_scope, p, n);
		break;
	case EL_SPF_RESULT:
		((mox_dmarc_report_spf *)ps->spf.p)[ps->spf.n - 1].result =
		    word(w_spf, p, n);
		break;
	case EL_SPF_HUMAN:
		((mox_dmarc_report_spf *)ps->spf.p)[ps->spf.n - 1]
		    .human_result = str(ps, p, n);
		break;
	default:
		break;
	}
}

/* --- containers --- */

static void
start_container(struct ps *ps, int id)
{
	const mox_dmarc_report_row row0 = MOX_DMARC_REPORT_ROW_INIT;
	mox_dmarc_report_reason *rs;
	mox_dmarc_report_dkim *d;
	mox_dmarc_report_spf *s;

	switch (id) {
	case EL_METADATA:
		ps->have_metadata = true;
		break;
	case EL_POLICY:
		ps->have_policy = true;
		break;
	case EL_RECORD:
		if (ps->r->nrows >= ps->o.max_records) {
			fail(ps, MOX_ELIMIT, "more than %zu records",
			    ps->o.max_records);
			return;
		}
		ps->row = row0;
		ps->have_count = false;
		ps->reasons.n = ps->dkim.n = ps->spf.n = 0;
		break;
	case EL_REASON:
		if ((rs = vec_push(ps, &ps->reasons, sizeof(*rs))) != NULL)
			rs->type = MOX_DMARC_REPORT_ABSENT;
		break;
	case EL_DKIM:
		if ((d = vec_push(ps, &ps->dkim, sizeof(*d))) != NULL)
			d->result = MOX_DMARC_REPORT_ABSENT;
		break;
	case EL_SPF:
		if ((s = vec_push(ps, &ps->spf, sizeof(*s))) != NULL) {
			s->scope = MOX_DMARC_REPORT_ABSENT;
			s->result = MOX_DMARC_REPORT_ABSENT;
		}
		break;
	default:
		break;
	}
}

static void
end_record(struct ps *ps)
{
	mox_dmarc_report *r = ps->r;
	mox_dmarc_report_row *row = &ps->row;
	mox_dmarc_report_dkim *d;
	mox_dmarc_report_spf *s;
	size_t i;

	if (row->source_ip == NULL) {
		fail(ps, MOX_ESYNTAX, "record without <source_ip>");
		return;
	}
	if (!ps->have_count) {
		fail(ps, MOX_ESYNTAX, "record without <count>");
		return;
	}
	if (row->header_from == NULL) {
		fail(ps, MOX_ESYNTAX, "record without <header_from>");
		return;
	}
	d = ps->dkim.p;
	for (i = 0; i < ps->dkim.n; i++) {
		if (d[i].domain == NULL)
			d[i].domain = "";
	}
	s = ps->spf.p;
	for (i = 0; i < ps->spf.n; i++) {
		if (s[i].domain == NULL)
			s[i].domain = "";
	}
	row->reasons = vec_copy(ps, &ps->reasons, sizeof(*row->reasons));
	row->nreasons = ps->reasons.n;
	row->dkim_results = vec_copy(ps, &ps->dkim, sizeof(*d));
	row->ndkim = ps->dkim.n;
	row->spf_results = vec_copy(ps, &ps->spf, sizeof(*s));
	row->nspf = ps->spf.n;
	if (ps->status != MOX_OK)
		return;
	if (r->nrows == ps->caprows) {
		size_t cap = ps->caprows ? ps->caprows * 2 : 16;
		mox_dmarc_report_row *np;

		np = mox__reallocarray(r->rows, cap, sizeof(*np));
		if (np == NULL) {
			fail(ps, MOX_ENOMEM, "out of memory");
			return;
		}
		r->rows = np;
		ps->caprows = cap;
	}
	r->rows[r->nrows++] = *row;
}

/* --- expat callbacks --- */

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
	struct ps *ps = arg;
	const char *local;
	size_t nslen;
	int parent, id;

	(void)atts;
	if (ps->status != MOX_OK)
		return;
	/* Most names are in the root's namespace: check that first. */
	if (ps->nslen > 0 && strncmp(name, ps->ns, ps->nslen) == 0 &&
	    name[ps->nslen] == NS_SEP) {
		nslen = ps->nslen;
		local = name + nslen + 1;
	} else {
		local = strchr(name, NS_SEP);
		nslen = local != NULL ? (size_t)(local - name) : 0;
		local = local != NULL ? local + 1 : name;
	}
	if (++ps->nelements > ps->o.max_elements) {
		fail(ps, MOX_ELIMIT, "more than %zu elements",
		    ps->o.max_elements);
		return;
	}
	if (ps->depth >= ps->o.max_depth) {
		fail(ps, MOX_ELIMIT, "elements nested deeper than %u",
		    ps->o.max_depth);
		return;
	}
	if (ps->depth == 0) {
		if (strcmp(local, "feedback") != 0) {
			fail(ps, MOX_ESYNTAX,
			    "the root element is <%.64s>, not <feedback>",
			    local);
			return;
		}
		ps->ns = str(ps, name, nslen);
		ps->nslen = nslen;
		ps->r->meta.xmlns = ps->ns;
		ps->r->meta.format = nslen == strlen(DMARC_REPORT_NS) &&
			memcmp(name, DMARC_REPORT_NS, nslen) == 0 ?
		    MOX_DMARC_REPORT_RFC9990 : MOX_DMARC_REPORT_RFC7489;
		id = EL_FEEDBACK;
	} else {
		parent = ps->stack[ps->depth];
		if (parent == EL_UNKNOWN || nslen != ps->nslen ||
		    memcmp(name, ps->ns, nslen) != 0)
			id = EL_UNKNOWN;
		else
			id = lookup(parent, local);
	}
	ps->stack[++ps->depth] = (unsigned char)id;
	if (is_container(id)) {
		ps->collecting = false;
		start_container(ps, id);
	} else {
		ps->collecting = true;
		ps->text.len = 0;
	}
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct ps *ps = arg;
	int id;
	const char *p;
	size_t n;

	(void)name;
	if (ps->status != MOX_OK || ps->depth == 0)
		return;
	id = ps->stack[ps->depth--];
	if (!is_container(id)) {
		p = ps->text.p != NULL ? ps->text.p : "";
		n = ps->text.len;
		while (n > 0 && xml_space((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n > 0 && xml_space((unsigned char)p[n - 1]))
			n--;
		leaf(ps, id, p, n);
		ps->text.len = 0;
	} else if (id == EL_RECORD) {
		end_record(ps);
	}
	/* Text after a child element belongs to no leaf we read. */
	ps->collecting = false;
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct ps *ps = arg;

	if (!ps->collecting || ps->status != MOX_OK)
		return;
	if (ps->text.len + (size_t)len > ps->o.max_text) {
		fail(ps, MOX_ELIMIT, "text of an element longer than %zu",
		    ps->o.max_text);
		return;
	}
	if (mox__buf_add(&ps->text, s, (size_t)len) != MOX_OK)
		fail(ps, MOX_ENOMEM, "out of memory");
}

static void XMLCALL
on_entity_decl(void *arg, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *system_id, const XML_Char *public_id,
    const XML_Char *notation)
{
	struct ps *ps = arg;

	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)system_id;
	(void)public_id;
	(void)notation;
	fail(ps, MOX_EUNSUPPORTED,
	    "entity declarations are not allowed in reports (entity %.64s)",
	    name);
}

/* --- driver --- */

/*
 * Expat's allocations. Expat reports some allocation failures as other
 * errors (a failed prefix lookup is "unbound prefix"), so failures are
 * also noted here and win over the error expat gives. The flag is per
 * thread and reset by each parse, which does not nest.
 */
static _Thread_local bool expat_nomem;

static void *
xmalloc(size_t n)
{
	void *p = mox__malloc(n);

	if (p == NULL)
		expat_nomem = true;
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	void *q = mox__realloc(p, n);

	if (q == NULL && n > 0)
		expat_nomem = true;
	return q;
}

static const XML_Memory_Handling_Suite mem = {
	xmalloc, xrealloc, mox__free
};
static const XML_Char nssep[] = { NS_SEP, '\0' };

/* Largest piece given to XML_Parse() at once (its length is an int). */
#define FEED_MAX ((size_t)1 << 30)

static int
run(struct ps *ps, const uint8_t *xml, size_t len)
{
	size_t off = 0;
	enum XML_Status st = XML_STATUS_OK;
	enum XML_Error e;

	do {
		size_t n = len - off > FEED_MAX ? FEED_MAX : len - off;

		st = XML_Parse(ps->xp, (const char *)xml + off, (int)n,
		    off + n == len);
		off += n;
	} while (st == XML_STATUS_OK && off < len);
	if (ps->status != MOX_OK)
		return ps->status;
	if (st == XML_STATUS_OK)
		return MOX_OK;
	e = XML_GetErrorCode(ps->xp);
	if (expat_nomem)
		e = XML_ERROR_NO_MEMORY;
	ps->status = e == XML_ERROR_NO_MEMORY ? MOX_ENOMEM :
	    e == XML_ERROR_UNKNOWN_ENCODING ||
		e == XML_ERROR_INCORRECT_ENCODING ? MOX_EUNSUPPORTED :
	    MOX_ESYNTAX;
	return dmarc_report_errf(ps->err, ps->errcap, ps->status,
	    "line %lu, column %lu: %s",
	    (unsigned long)XML_GetCurrentLineNumber(ps->xp),
	    (unsigned long)XML_GetCurrentColumnNumber(ps->xp) + 1,
	    XML_ErrorString(e));
}

/* After the document: what must be there. */
static int
check(struct ps *ps)
{
	mox_dmarc_report_meta *m = &ps->r->meta;
	static const char *const what[] = {
		"no <report_metadata>", "no <org_name> in report_metadata",
		"no <report_id> in report_metadata",
		"no <begin> in date_range", "no <end> in date_range",
		"no <policy_published>", "no <domain> in policy_published"
	};
	bool ok[7];
	size_t i;

	ok[0] = ps->have_metadata;
	ok[1] = m->org_name != NULL;
	ok[2] = m->report_id != NULL;
	ok[3] = ps->have_begin;
	ok[4] = ps->have_end;
	ok[5] = ps->have_policy;
	ok[6] = m->domain != NULL;
	for (i = 0; i < 7; i++) {
		if (!ok[i])
			return dmarc_report_errf(ps->err, ps->errcap,
			    MOX_ESYNTAX, "not a DMARC aggregate report: %s",
			    what[i]);
	}
	if (ps->errors.n > 0) {
		m->errors = vec_copy(ps, &ps->errors, sizeof(const char *));
		m->nerrors = ps->errors.n;
		if (ps->status != MOX_OK)
			return dmarc_report_errf(ps->err, ps->errcap,
			    MOX_ENOMEM, "out of memory");
	}
	return MOX_OK;
}

int
mox_dmarc_report_parse_opts(mox_dmarc_report **out, const uint8_t *xml,
    size_t len, const mox_dmarc_report_options *opts, char *err,
    size_t errcap)
{
	const mox_dmarc_report_meta meta0 = MOX_DMARC_REPORT_META_INIT;
	struct ps ps;
	int rc;

	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (xml == NULL && len > 0)
		return MOX_EINVAL;
	memset(&ps, 0, sizeof(ps));
	ps.err = err;
	ps.errcap = errcap;
	if ((rc = dmarc_report_opts(&ps.o, opts)) != MOX_OK)
		return dmarc_report_errf(err, errcap, rc,
		    "unsupported options version");
	if (len > ps.o.max_size)
		return dmarc_report_errf(err, errcap, MOX_ELIMIT,
		    "report of %zu octets, more than the limit of %zu", len,
		    ps.o.max_size);
	expat_nomem = false;
	ps.r = mox__calloc(1, sizeof(*ps.r));
	ps.stack = mox__calloc((size_t)ps.o.max_depth + 2, 1);
	ps.xp = ps.r != NULL && ps.stack != NULL ?
	    XML_ParserCreate_MM(NULL, &mem, nssep) : NULL;
	if (ps.xp == NULL) {
		rc = dmarc_report_errf(err, errcap, MOX_ENOMEM,
		    "out of memory");
		goto done;
	}
	ps.r->meta = meta0;
	XML_SetUserData(ps.xp, &ps);
	XML_SetElementHandler(ps.xp, on_start, on_end);
	XML_SetCharacterDataHandler(ps.xp, on_text);
	XML_SetEntityDeclHandler(ps.xp, on_entity_decl);
#ifdef XML_DTD
	/* Defence in depth where the declaration is visible (expat.h shows
	 * it only to builds that define XML_DTD): entity declarations
	 * already stop the parse, so nothing is ever expanded. */
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(ps.xp,
	    10.0f);
#endif
	rc = run(&ps, xml, len);
	if (rc == MOX_OK)
		rc = check(&ps);
done:
	if (ps.xp != NULL)
		XML_ParserFree(ps.xp);
	mox__free(ps.stack);
	mox__buf_free(&ps.text);
	mox__free(ps.errors.p);
	mox__free(ps.reasons.p);
	mox__free(ps.dkim.p);
	mox__free(ps.spf.p);
	if (rc != MOX_OK) {
		mox_dmarc_report_free(ps.r);
		return rc;
	}
	*out = ps.r;
	return MOX_OK;
}

int
mox_dmarc_report_parse(mox_dmarc_report **out, const uint8_t *xml,
    size_t len, char *err, size_t errcap)
{
	return mox_dmarc_report_parse_opts(out, xml, len, NULL, err, errcap);
}

void
mox_dmarc_report_free(mox_dmarc_report *r)
{
	if (r == NULL)
		return;
	mox__arena_free(&r->arena);
	mox__free(r->rows);
	mox__free(r);
}

const mox_dmarc_report_meta *
mox_dmarc_report_view(const mox_dmarc_report *r)
{
	return r != NULL ? &r->meta : NULL;
}

size_t
mox_dmarc_report_row_count(const mox_dmarc_report *r)
{
	return r != NULL ? r->nrows : 0;
}

const mox_dmarc_report_row *
mox_dmarc_report_get_row(const mox_dmarc_report *r, size_t i)
{
	if (r == NULL || i >= r->nrows)
		return NULL;
	return &r->rows[i];
}

void
mox_dmarc_report_data_free(void *p)
{
	mox__free(p);
}
