/* SPDX-License-Identifier: MIT */
/*
 * report.c -- `mox-milter dmarc-report`: DMARC aggregate reports (RFC 9990,
 * or RFC 7489 appendix C in rfc7489 mode) from the evaluation store.
 *
 * One scan of the store gathers, per policy domain and reporting period,
 * the evaluations grouped into report rows (equal source IP, disposition,
 * results and identifiers make one row with a count), the newest DMARC
 * record text, and the refs of every evaluation read. Then per domain:
 * the rua= mailto destinations of the newest record, each checked
 * (RFC 9990 / RFC 7489 7.1: a destination outside the policy domain's
 * organizational domain must publish
 * <policy-domain>._report._dmarc.<destination-domain>), one email per
 * period (split every Reports.MaxRows rows), printed or piped to sendmail;
 * with -send the evaluations read are deleted in one transaction once every
 * email of the domain was accepted by sendmail. Evaluations added during
 * the run are not among the refs, so they are never deleted unreported.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mox/addr.h>
#include <mox/dmarc.h>
#include <mox/dns.h>

#include "milter.h"

#define EXIT_USAGE 2
/* Destinations of one domain that are used. */
#define MAX_DESTS 16

static const char usage[] =
    "usage: mox-milter dmarc-report [flags] -list | -print | -send\n"
    "  -config FILE       config file (Reports, DNS, Hostname, DMARC.Mode)\n"
    "  -store PATH        evaluation store (default: Reports.Store)\n"
    "  -now TIME          report evaluations up to TIME: seconds since the\n"
    "                     epoch or YYYY-MM-DDTHH:MM:SSZ (default: now)\n"
    "  -interval SECONDS  reporting periods of this length, aligned to the\n"
    "                     epoch (86400: UTC days); only periods that ended\n"
    "                     by -now are reported. Default 0: one period per\n"
    "                     domain, from its oldest evaluation to -now\n"
    "  -zone FILE         DNS answers for destination checks from this zone\n"
    "                     file (default: the config's DNS settings)\n"
    "  -from ADDR         report sender (default: Reports.From)\n"
    "  -org NAME          org_name (default: Reports.OrgName, Hostname)\n"
    "  -hostname NAME     reporting host (default: Hostname)\n"
    "  -sendmail PATH     (default: Reports.Sendmail)\n"
    "  -list              print every stored evaluation, one logfmt line\n"
    "  -print             print each report email after a line\n"
    "                     \"==> to=ADDR[,ADDR...] domain=DOMAIN rows=N\"\n"
    "  -send              send each report with \"sendmail -i -f FROM --\n"
    "                     ADDR...\", then delete what was reported\n";

/* ------------------------------------------------------------ helpers */

static void
warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("dmarc-report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static char *
xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL) {
		warnx("out of memory");
		exit(1);
	}
	return d;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL) {
		warnx("out of memory");
		exit(1);
	}
	return p;
}

static void *
xrealloc(void *p, size_t n, size_t size)
{
	void *np;

	if (size != 0 && n > SIZE_MAX / size) {
		warnx("out of memory");
		exit(1);
	}
	np = realloc(p, n * size == 0 ? 1 : n * size);
	if (np == NULL) {
		warnx("out of memory");
		exit(1);
	}
	return np;
}

static void
fmt_time(char *buf, size_t cap, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, cap, "%" PRId64, t);
}

static int
parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	char *e;
	long long v;
	int n;

	if (*s >= '0' && *s <= '9' && strspn(s, "0123456789") == strlen(s)) {
		errno = 0;
		v = strtoll(s, &e, 10);
		if (errno != 0 || *e != '\0')
			return -1;
		*out = v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
		&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 20 || s[n] != '\0' || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* logfmt value: bare when it has no blank, quote, '=' or control
 * character, else quoted with \" \\ \n escapes; "" for empty or NULL. */
static void
put_value(FILE *f, const char *v)
{
	const unsigned char *c;
	bool quote = v == NULL || *v == '\0';

	for (c = (const unsigned char *)v; !quote && *c != '\0'; c++)
		if (*c <= ' ' || *c == '"' || *c == '=' || *c == '\\' ||
		    *c == 0x7f)
			quote = true;
	if (!quote) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (c = (const unsigned char *)(v != NULL ? v : ""); *c != '\0';
	     c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", f);
		else if (*c < ' ' || *c == 0x7f)
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

static void
put_kv(FILE *f, const char *k, const char *v)
{
	fprintf(f, " %s=", k);
	put_value(f, v);
}

static const char *
name_of(const char *const *names, size_t n, int v)
{
	if (v < 0 || (size_t)v >= n || names[v] == NULL)
		return v == MOX_DMARC_REPORT_ABSENT ? "" : "invalid";
	return names[v];
}

#define NAME(tab, v) name_of(tab, sizeof(tab) / sizeof(tab[0]), v)

static const char *const disposition_names[] = { NULL, "none", "quarantine",
	"reject", "pass" };
static const char *const verdict_names[] = { "none", "pass", "fail",
	"temperror", "permerror" };
static const char *const dkim_names[] = { "none", "pass", "fail", "neutral",
	"policy", "temperror", "permerror" };
static const char *const spf_names[] = { "none", "neutral", "pass", "fail",
	"softfail", "temperror", "permerror", "policy" };
static const char *const scope_names[] = { NULL, "mfrom", "helo" };
static const char *const reason_names[] = { NULL, "forwarded", "sampled_out",
	"trusted_forwarder", "mailing_list", "local_policy", "other",
	"policy_test_mode" };
static const char *const discovery_names[] = { NULL, "psl", "treewalk" };

/* ------------------------------------------------------------ -list */

struct list_ctx {
	FILE *out;
	uint64_t rows, bad;
};

static int
list_one(void *arg, const char *domain, const struct mstore_ref *ref,
    const struct mstore_eval *e)
{
	struct list_ctx *x = arg;
	char tb[64], nb[32], buf[1024];
	size_t i, n;

	fmt_time(tb, sizeof(tb), ref->time);
	if (e == NULL) {
		x->bad++;
		warnx("undecodable evaluation: time=%s policy_domain=%s "
		      "seq=%" PRIu64, tb, domain, ref->seq);
		return 0;
	}
	x->rows++;
	fprintf(x->out, "time=%s", tb);
	put_kv(x->out, "policy_domain", domain);
	put_kv(x->out, "header_from", e->header_from);
	put_kv(x->out, "source_ip", e->source_ip);
	put_kv(x->out, "disposition", NAME(disposition_names, e->disposition));
	put_kv(x->out, "dkim", NAME(verdict_names, e->dkim_aligned));
	put_kv(x->out, "spf", NAME(verdict_names, e->spf_aligned));
	snprintf(nb, sizeof(nb), "%" PRIu64, ref->seq);
	put_kv(x->out, "seq", nb);
	put_kv(x->out, "envelope_from", e->envelope_from);
	if (e->envelope_to != NULL)
		put_kv(x->out, "envelope_to", e->envelope_to);
	if (e->reason != MOX_DMARC_REPORT_ABSENT)
		put_kv(x->out, "reason", NAME(reason_names, e->reason));
	n = 0;
	buf[0] = '\0';
	for (i = 0; i < e->ndkim && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s/%s:%s",
		    i > 0 ? "," : "",
		    e->dkim[i].domain != NULL ? e->dkim[i].domain : "",
		    e->dkim[i].selector != NULL ? e->dkim[i].selector : "",
		    NAME(dkim_names, e->dkim[i].result));
	if (e->ndkim > 0)
		put_kv(x->out, "dkim_results", buf);
	if (e->spf_domain != NULL) {
		snprintf(buf, sizeof(buf), "%s:%s:%s",
		    NAME(scope_names, e->spf_scope), e->spf_domain,
		    NAME(spf_names, e->spf_result));
		put_kv(x->out, "spf_result", buf);
	}
	put_kv(x->out, "discovery", NAME(discovery_names, e->discovery_method));
	put_kv(x->out, "record", e->record);
	fputc('\n', x->out);
	return 0;
}

/* ------------------------------------------------------------ gathering */

struct group {
	struct group *next;     /* hash chain */
	uint64_t hash;
	char *id;               /* identity, for equality */
	size_t idlen;
	uint64_t count;
	char *source_ip, *header_from, *envelope_from, *envelope_to;
	char *spf_domain;
	int disposition, dkim, spf, reason, spf_scope, spf_result;
	mox_dmarc_report_dkim *dkim_results;
	size_t ndkim;
};

struct period {
	int64_t begin, end;     /* date_range, inclusive */
	int64_t first;          /* oldest evaluation */
	struct group **groups;  /* in order of first appearance */
	size_t ngroups, gcap;
	struct group **buckets;
	size_t nbuckets;
	char *record;           /* newest record text */
	int discovery;
	uint64_t nevals;
};

struct dbatch {
	char *domain;
	struct period *periods;
	size_t nperiods;
	struct mstore_ref *refs;  /* every evaluation read */
	size_t nrefs, refcap;
	char *record;             /* newest record of any period */
	int64_t record_time;
	uint64_t nevals, invalid;
};

struct gather {
	int64_t now, interval, limit;
	struct dbatch *batches;
	size_t nbatches, cap;
};

/* Identity of a row: every field that must be equal, strings marked for
 * NULL. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->cap - b->len < n + 1) {
		while (b->cap - b->len < n + 1)
			b->cap = b->cap == 0 ? 256 : b->cap * 2;
		b->p = xrealloc(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	if (s == NULL) {
		sb_add(b, "0\x1f", 2);
		return;
	}
	sb_add(b, "1", 1);
	sb_add(b, s, strlen(s));
	sb_add(b, "\x1f", 1);
}

static void
sb_int(struct sbuf *b, int v)
{
	char n[24];

	snprintf(n, sizeof(n), "%d\x1f", v);
	sb_add(b, n, strlen(n));
}

static uint64_t
fnv1a(const char *p, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (uint8_t)p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* Whether the report generator takes this evaluation. */
static bool
eval_valid(const struct mstore_eval *e)
{
	mox_ip ip;
	size_t i;

	if (e->source_ip == NULL ||
	    mox_ip_parse(&ip, e->source_ip, strlen(e->source_ip)) != MOX_OK)
		return false;
	if (e->header_from == NULL || e->header_from[0] == '\0')
		return false;
	if (e->disposition < MOX_DMARC_DISPOSITION_NONE ||
	    e->disposition > MOX_DMARC_DISPOSITION_PASS)
		return false;
	if ((e->dkim_aligned != MOX_DMARC_PASS &&
		e->dkim_aligned != MOX_DMARC_FAIL) ||
	    (e->spf_aligned != MOX_DMARC_PASS &&
		e->spf_aligned != MOX_DMARC_FAIL))
		return false;
	if (e->reason != MOX_DMARC_REPORT_ABSENT &&
	    (e->reason < MOX_DMARC_OVERRIDE_FORWARDED ||
		e->reason > MOX_DMARC_OVERRIDE_POLICY_TEST_MODE))
		return false;
	for (i = 0; i < e->ndkim; i++)
		if (e->dkim[i].result < MOX_DMARC_DKIM_NONE ||
		    e->dkim[i].result > MOX_DMARC_DKIM_PERMERROR)
			return false;
	if (e->spf_domain != NULL &&
	    (e->spf_scope < MOX_DMARC_SPF_SCOPE_MFROM ||
		e->spf_scope > MOX_DMARC_SPF_SCOPE_HELO ||
		e->spf_result < MOX_DMARC_SPF_NONE ||
		e->spf_result > MOX_DMARC_REPORT_SPF_POLICY))
		return false;
	return true;
}

static struct dbatch *
batch_for(struct gather *g, const char *domain)
{
	struct dbatch *d;

	/* The scan is in domain order: only the last can match. */
	if (g->nbatches > 0 &&
	    strcmp(g->batches[g->nbatches - 1].domain, domain) == 0)
		return &g->batches[g->nbatches - 1];
	if (g->nbatches == g->cap) {
		g->cap = g->cap == 0 ? 16 : g->cap * 2;
		g->batches = xrealloc(g->batches, g->cap, sizeof(*d));
	}
	d = &g->batches[g->nbatches++];
	memset(d, 0, sizeof(*d));
	d->domain = xstrdup(domain);
	d->record_time = INT64_MIN;
	return d;
}

static struct period *
period_for(struct gather *g, struct dbatch *d, int64_t t)
{
	int64_t begin, end;
	struct period *p;
	size_t i;

	if (g->interval > 0) {
		begin = t / g->interval * g->interval;
		if (t < 0 && t % g->interval != 0)
			begin -= g->interval;
		end = begin + g->interval - 1;
	} else {
		begin = INT64_MIN;
		end = g->now;
	}
	for (i = d->nperiods; i > 0; i--)
		if (d->periods[i - 1].begin == begin)
			return &d->periods[i - 1];
	d->periods = xrealloc(d->periods, d->nperiods + 1, sizeof(*p));
	p = &d->periods[d->nperiods++];
	memset(p, 0, sizeof(*p));
	p->begin = begin;
	p->end = end;
	p->first = t;
	p->nbuckets = 64;
	p->buckets = xcalloc(p->nbuckets, sizeof(*p->buckets));
	return p;
}

static void
rehash(struct period *p)
{
	size_t nb = p->nbuckets * 4, i;
	struct group **b = xcalloc(nb, sizeof(*b));

	for (i = 0; i < p->ngroups; i++) {
		struct group *gr = p->groups[i];

		gr->next = b[gr->hash % nb];
		b[gr->hash % nb] = gr;
	}
	free(p->buckets);
	p->buckets = b;
	p->nbuckets = nb;
}

static int
gather_one(void *arg, const char *domain, const struct mstore_ref *ref,
    const struct mstore_eval *e)
{
	struct gather *g = arg;
	struct dbatch *d = batch_for(g, domain);
	struct period *p;
	struct group *gr;
	struct sbuf id = { NULL, 0, 0 };
	uint64_t h;
	size_t i;

	if (d->nrefs == d->refcap) {
		d->refcap = d->refcap == 0 ? 64 : d->refcap * 2;
		d->refs = xrealloc(d->refs, d->refcap, sizeof(*d->refs));
	}
	d->refs[d->nrefs++] = *ref;
	if (e == NULL || !eval_valid(e)) {
		d->invalid++;
		return 0;
	}
	d->nevals++;
	p = period_for(g, d, ref->time);
	p->nevals++;
	if (ref->time < p->first)
		p->first = ref->time;
	if (e->record != NULL) {
		/* The scan is in time order: the last is the newest. */
		free(p->record);
		p->record = xstrdup(e->record);
		p->discovery = e->discovery_method;
		if (ref->time >= d->record_time) {
			free(d->record);
			d->record = xstrdup(e->record);
			d->record_time = ref->time;
		}
	}
	sb_str(&id, e->source_ip);
	sb_int(&id, e->disposition);
	sb_int(&id, e->dkim_aligned);
	sb_int(&id, e->spf_aligned);
	sb_int(&id, e->reason);
	sb_str(&id, e->header_from);
	sb_str(&id, e->envelope_from);
	sb_str(&id, e->envelope_to);
	sb_str(&id, e->spf_domain);
	sb_int(&id, e->spf_scope);
	sb_int(&id, e->spf_result);
	sb_int(&id, (int)e->ndkim);
	for (i = 0; i < e->ndkim; i++) {
		sb_str(&id, e->dkim[i].domain);
		sb_str(&id, e->dkim[i].selector);
		sb_int(&id, e->dkim[i].result);
	}
	h = fnv1a(id.p, id.len);
	for (gr = p->buckets[h % p->nbuckets]; gr != NULL; gr = gr->next) {
		if (gr->hash == h && gr->idlen == id.len &&
		    memcmp(gr->id, id.p, id.len) == 0) {
			gr->count++;
			free(id.p);
			return 0;
		}
	}
	gr = xcalloc(1, sizeof(*gr));
	gr->hash = h;
	gr->id = id.p;
	gr->idlen = id.len;
	gr->count = 1;
	gr->source_ip = xstrdup(e->source_ip);
	gr->header_from = xstrdup(e->header_from);
	gr->envelope_from = xstrdup(e->envelope_from);
	gr->envelope_to = xstrdup(e->envelope_to);
	gr->spf_domain = xstrdup(e->spf_domain);
	gr->disposition = e->disposition;
	gr->dkim = e->dkim_aligned;
	gr->spf = e->spf_aligned;
	gr->reason = e->reason;
	gr->spf_scope = e->spf_scope;
	gr->spf_result = e->spf_result;
	gr->ndkim = e->ndkim;
	gr->dkim_results = xcalloc(e->ndkim, sizeof(*gr->dkim_results));
	for (i = 0; i < e->ndkim; i++) {
		gr->dkim_results[i].domain = xstrdup(
		    e->dkim[i].domain != NULL ? e->dkim[i].domain : "");
		gr->dkim_results[i].selector = xstrdup(e->dkim[i].selector);
		gr->dkim_results[i].result = e->dkim[i].result;
	}
	gr->next = p->buckets[h % p->nbuckets];
	p->buckets[h % p->nbuckets] = gr;
	if (p->ngroups == p->gcap) {
		p->gcap = p->gcap == 0 ? 16 : p->gcap * 2;
		p->groups = xrealloc(p->groups, p->gcap, sizeof(*p->groups));
	}
	p->groups[p->ngroups++] = gr;
	if (p->ngroups > p->nbuckets)
		rehash(p);
	return 0;
}

static void
group_free(struct group *gr)
{
	size_t i;

	free(gr->id);
	free(gr->source_ip);
	free(gr->header_from);
	free(gr->envelope_from);
	free(gr->envelope_to);
	free(gr->spf_domain);
	for (i = 0; i < gr->ndkim; i++) {
		free((char *)(uintptr_t)gr->dkim_results[i].domain);
		free((char *)(uintptr_t)gr->dkim_results[i].selector);
	}
	free(gr->dkim_results);
	free(gr);
}

static void
gather_free(struct gather *g)
{
	size_t i, j, k;

	for (i = 0; i < g->nbatches; i++) {
		struct dbatch *d = &g->batches[i];

		for (j = 0; j < d->nperiods; j++) {
			struct period *p = &d->periods[j];

			for (k = 0; k < p->ngroups; k++)
				group_free(p->groups[k]);
			free(p->groups);
			free(p->buckets);
			free(p->record);
		}
		free(d->periods);
		free(d->refs);
		free(d->record);
		free(d->domain);
	}
	free(g->batches);
}

/* ------------------------------------------------------------ destinations */

struct dest {
	char addr[MOX_LOCALPART_MAX * 3 + MOX_DOMAIN_MAX + 8];
	char domain[MOX_DOMAIN_MAX + 1];
	uint64_t maxsize;      /* 0: no limit */
};

struct ctx {
	struct mconf *c;
	const char *zone;
	const char *hostname;
	const char *org;
	bool send;
	int64_t now;
	mox_resolver *dns;
	bool dns_failed;
	mox_dmarc_psl *psl;
	bool psl_tried;
	struct mstore *store;
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "!10m": RFC 7489 6.2 size limit, units of 1024. 0 when malformed. */
static uint64_t
parse_size(const char *s)
{
	uint64_t v = 0;
	unsigned int shift = 0;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > UINT64_MAX / 10 - 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	switch (*s) {
	case '\0':
		return v;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		return 0;
	}
	if (s[1] != '\0' || v > (UINT64_MAX >> shift))
		return 0;
	return v << shift;
}

/*
 * Add the addresses of one rua URI ("mailto:a@b[,c@d][?...][!size]",
 * RFC 6068 percent-encoding) to dests. Returns how many were added, -1
 * for a URI that is not a usable mailto.
 */
static int
add_mailto(const char *uri, struct dest *dests, size_t *ndests)
{
	char buf[1024], *bang, *q, *a, *next;
	uint64_t maxsize = 0;
	size_t i, n = 0;
	int added = 0;

	if (strncasecmp(uri, "mailto:", 7) != 0)
		return -1;
	uri += 7;
	/* Percent-decode into buf. */
	for (i = 0; uri[i] != '\0'; i++) {
		if (n + 1 >= sizeof(buf))
			return -1;
		if (uri[i] == '%' && hexval(uri[i + 1]) >= 0 &&
		    hexval(uri[i + 2]) >= 0) {
			buf[n++] = (char)(hexval(uri[i + 1]) * 16 +
			    hexval(uri[i + 2]));
			i += 2;
		} else {
			buf[n++] = uri[i];
		}
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL)
		return -1;
	bang = strrchr(buf, '!');
	if (bang != NULL) {
		*bang = '\0';
		maxsize = parse_size(bang + 1);
	}
	q = strchr(buf, '?');
	if (q != NULL)
		*q = '\0';
	for (a = buf; a != NULL && *a != '\0'; a = next) {
		mox_address ad;

		next = strchr(a, ',');
		if (next != NULL)
			*next++ = '\0';
		if (mox_address_parse(&ad, a, strlen(a), 0) != MOX_OK)
			return -1;
		if (*ndests >= MAX_DESTS)
			break;
		for (i = 0; i < *ndests; i++)
			if (strcmp(dests[i].addr, a) == 0)
				break;
		if (i < *ndests)
			continue;
		mox_address_format(dests[*ndests].addr,
		    sizeof(dests[*ndests].addr), &ad, false);
		snprintf(dests[*ndests].domain, sizeof(dests[*ndests].domain),
		    "%s", ad.domain.ascii);
		dests[*ndests].maxsize = maxsize;
		(*ndests)++;
		added++;
	}
	return added;
}

static bool
is_sub(const char *d, const char *parent)
{
	size_t dl = strlen(d), pl = strlen(parent);

	return dl > pl && d[dl - pl - 1] == '.' &&
	    strcasecmp(d + dl - pl, parent) == 0;
}

/* Whether dest is within the organizational domain of policy (RFC 9990
 * 3: no verification needed). With the Public Suffix List: equal
 * organizational domains. Without: equal, or one below the other. */
static bool
same_org(struct ctx *x, const char *policy, const char *dest)
{
	char a[MOX_DOMAIN_MAX + 1], b[MOX_DOMAIN_MAX + 1];

	if (strcasecmp(policy, dest) == 0)
		return true;
	if (!x->psl_tried) {
		x->psl_tried = true;
		if (mox_dmarc_psl_load(&x->psl, x->c->psl_file) != MOX_OK) {
			warnx("no public suffix list (%s): only subdomains "
			      "count as the same organization",
			    x->c->psl_file != NULL ? x->c->psl_file :
						     "default");
			x->psl = NULL;
		}
	}
	if (x->psl != NULL) {
		mox_dmarc_psl_orgdomain(a, sizeof(a), x->psl, policy);
		mox_dmarc_psl_orgdomain(b, sizeof(b), x->psl, dest);
		return a[0] != '\0' && strcasecmp(a, b) == 0;
	}
	return is_sub(dest, policy) || is_sub(policy, dest);
}

/* 1: reports about policy may go to dest; 0: not; -1: DNS failed (try
 * later). */
static int
dest_allowed(struct ctx *x, const char *policy, const char *dest)
{
	char name[2 * MOX_DOMAIN_MAX + 32], err[512];
	mox_dns_answer *ans = NULL;
	int rc, res;

	if (same_org(x, policy, dest))
		return 1;
	if (x->dns == NULL && !x->dns_failed) {
		struct mconf zc;

		if (x->zone != NULL) {
			zc = *x->c;
			zc.zone_file = (char *)(uintptr_t)x->zone;
			rc = mconf_resolver(&zc, NULL, &x->dns, err, sizeof(err));
		} else {
			rc = mconf_resolver(x->c, NULL, &x->dns, err, sizeof(err));
		}
		if (rc != 0) {
			warnx("%s", err);
			x->dns_failed = true;
		}
	}
	if (x->dns == NULL)
		return -1;
	if (mox_dmarc_report_auth_name(name, sizeof(name), policy, dest) >=
	    sizeof(name))
		return 0;
	rc = mox_dns_lookup(x->dns, name, MOX_DNS_TXT, &ans);
	if (rc != MOX_OK) {
		warnx("looking up %s: %s", name, mox_strerror(rc));
		return rc == MOX_EINVAL ? 0 : -1;
	}
	res = mox_dns_answer_result(ans);
	if (res == MOX_DNS_OK)
		rc = mox_dmarc_report_auth_check(ans) == 1 ? 1 : 0;
	else if (res == MOX_DNS_NXDOMAIN || res == MOX_DNS_NODATA)
		rc = 0;
	else
		rc = -1;
	if (rc == -1)
		warnx("looking up %s: %s", name, mox_dns_result_name(res));
	mox_dns_answer_free(ans);
	return rc;
}

/* ------------------------------------------------------------ reports */

static void
random_hex(char *out, size_t nbytes)
{
	uint8_t b[32];
	size_t i;

	if (nbytes > sizeof(b))
		nbytes = sizeof(b);
	if (getrandom(b, nbytes, 0) != (ssize_t)nbytes) {
		/* No entropy: time and pid still differ between runs. */
		uint64_t v = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

		for (i = 0; i < nbytes; i++)
			b[i] = (uint8_t)(v >> (8 * (i % 8))) ^ (uint8_t)i;
	}
	for (i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* CRLF to LF, the local line end sendmail and stdout want. */
static size_t
to_lf(char *m, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (m[i] == '\r' && i + 1 < len && m[i + 1] == '\n')
			continue;
		m[o++] = m[i];
	}
	m[o] = '\0';
	return o;
}

static int
run_sendmail(struct ctx *x, const char *msg, size_t len,
    const struct dest *dests, const bool *use, size_t ndests)
{
	const char **argv;
	size_t i, n = 0, off = 0;
	int fds[2], status;
	pid_t pid;
	ssize_t w;

	argv = xcalloc(ndests + 6, sizeof(*argv));
	argv[n++] = x->c->report_sendmail;
	argv[n++] = "-i";
	argv[n++] = "-f";
	argv[n++] = x->c->report_from;
	argv[n++] = "--";
	for (i = 0; i < ndests; i++)
		if (use[i])
			argv[n++] = dests[i].addr;
	argv[n] = NULL;
	if (pipe(fds) != 0) {
		warnx("pipe: %s", strerror(errno));
		free(argv);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		warnx("fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		free(argv);
		return -1;
	}
	if (pid == 0) {
		close(fds[1]);
		if (dup2(fds[0], 0) < 0)
			_exit(127);
		close(fds[0]);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		fprintf(stderr, "dmarc-report: %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	free(argv);
	while (off < len) {
		w = write(fds[1], msg + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			warnx("waitpid: %s", strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			warnx("%s exited with status %d", x->c->report_sendmail,
			    WEXITSTATUS(status));
		else
			warnx("%s killed by signal %d", x->c->report_sendmail,
			    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return -1;
	}
	if (off < len) {
		warnx("%s did not read the whole message",
		    x->c->report_sendmail);
		return -1;
	}
	return 0;
}

static void
fill_meta(struct ctx *x, mox_dmarc_report_meta *m,
    const mox_dmarc_record_info *info)
{
	m->format = x->c->rfc7489 ? MOX_DMARC_REPORT_RFC7489 :
				    MOX_DMARC_REPORT_RFC9990;
	m->org_name = x->org;
	m->email = x->c->report_from;
	m->generator = "mox-milter";
	m->p = info->p != MOX_DMARC_P_UNSET ? info->p : info->policy_effective;
	if (m->p == MOX_DMARC_P_UNSET)
		m->p = MOX_DMARC_P_NONE;
	m->sp = info->sp != MOX_DMARC_P_UNSET ? info->sp :
						MOX_DMARC_REPORT_ABSENT;
	m->np = info->np != MOX_DMARC_P_UNSET ? info->np :
						MOX_DMARC_REPORT_ABSENT;
	m->adkim = info->adkim;
	m->aspf = info->aspf;
	m->testing = info->testing ? 1 : 0;
	m->pct = info->has_pct ? (int)info->pct : MOX_DMARC_REPORT_ABSENT;
	m->fo = info->fo;
}

/*
 * Make, print or send the reports of one period: one message per
 * MaxRows rows. Returns 0, or -1 when one could not be made or sent.
 */
static int
report_period(struct ctx *x, struct dbatch *d, struct period *p,
    const struct dest *dests, size_t ndests)
{
	const mox_dmarc_record_info *info;
	mox_dmarc_record *rec = NULL;
	mox_dmarc_report_row *rows = NULL;
	const mox_dmarc_report_row **rowp = NULL;
	mox_dmarc_report_reason *reasons = NULL;
	mox_dmarc_report_spf *spfs = NULL;
	const char *perr = NULL;
	size_t maxrows = x->c->report_max_rows > 0 ? x->c->report_max_rows :
						      10000;
	size_t off, i, n;
	int ret = 0, rc;

	rc = mox_dmarc_record_parse(&rec, (const uint8_t *)p->record,
	    strlen(p->record), &perr);
	if (rc != MOX_OK) {
		/* An older record of the period that no longer parses:
		 * report with the newest one. */
		rc = mox_dmarc_record_parse(&rec, (const uint8_t *)d->record,
		    strlen(d->record), &perr);
		if (rc != MOX_OK) {
			warnx("%s: bad DMARC record: %s", d->domain,
			    perr != NULL ? perr : mox_strerror(rc));
			return -1;
		}
	}
	info = mox_dmarc_record_view(rec);
	rows = xcalloc(p->ngroups, sizeof(*rows));
	rowp = xcalloc(p->ngroups, sizeof(*rowp));
	reasons = xcalloc(p->ngroups, sizeof(*reasons));
	spfs = xcalloc(p->ngroups, sizeof(*spfs));
	for (i = 0; i < p->ngroups; i++) {
		const struct group *gr = p->groups[i];
		mox_dmarc_report_row r = MOX_DMARC_REPORT_ROW_INIT;

		r.source_ip = gr->source_ip;
		r.count = gr->count;
		r.disposition = gr->disposition;
		r.dkim = gr->dkim;
		r.spf = gr->spf;
		if (gr->reason != MOX_DMARC_REPORT_ABSENT) {
			reasons[i].type = gr->reason;
			r.reasons = &reasons[i];
			r.nreasons = 1;
		}
		r.header_from = gr->header_from;
		r.envelope_from = gr->envelope_from;
		r.envelope_to = gr->envelope_to;
		r.dkim_results = gr->dkim_results;
		r.ndkim = gr->ndkim;
		if (gr->spf_domain != NULL) {
			spfs[i].domain = gr->spf_domain;
			spfs[i].scope = gr->spf_scope;
			spfs[i].result = gr->spf_result;
			r.spf_results = &spfs[i];
			r.nspf = 1;
		}
		rows[i] = r;
		rowp[i] = &rows[i];
	}
	for (off = 0; off < p->ngroups && ret == 0; off += n) {
		mox_dmarc_report_meta m = MOX_DMARC_REPORT_META_INIT;
		mox_dmarc_report_mail mail = MOX_DMARC_REPORT_MAIL_INIT;
		char hex[33], rid[64], msgid[64 + MOX_DOMAIN_MAX + 2];
		char to[MAX_DESTS * 300];
		bool use[MAX_DESTS];
		char *msg = NULL;
		size_t len = 0, tl = 0, nuse = 0;

		n = p->ngroups - off < maxrows ? p->ngroups - off : maxrows;
		random_hex(hex, 8);
		snprintf(rid, sizeof(rid), "%" PRId64 ".%s", x->now, hex);
		snprintf(msgid, sizeof(msgid), "%s@%s", rid, x->hostname);
		fill_meta(x, &m, info);
		m.report_id = rid;
		m.begin = p->begin != INT64_MIN ? p->begin :
								  p->first;
		m.end = p->end;
		m.domain = d->domain;
		m.discovery_method = p->discovery ==
			    MOX_DMARC_DISCOVERY_PSL ||
			p->discovery == MOX_DMARC_DISCOVERY_TREEWALK ?
		    p->discovery :
		    MOX_DMARC_REPORT_ABSENT;
		to[0] = '\0';
		for (i = 0; i < ndests; i++) {
			use[i] = true;
			tl += (size_t)snprintf(to + tl, sizeof(to) - tl, "%s%s",
			    tl > 0 ? ", " : "", dests[i].addr);
		}
		mail.from = x->c->report_from;
		mail.to = to;
		mail.message_id = msgid;
		mail.date = x->now;
		mail.submitter = x->hostname;
		mail.unique_id = hex;
		rc = mox_dmarc_report_message(&msg, &len, &mail, &m,
		    rowp + off, n);
		if (rc != MOX_OK) {
			warnx("%s: making report: %s", d->domain,
			    mox_strerror(rc));
			ret = -1;
			break;
		}
		len = to_lf(msg, len);
		/* RFC 7489 6.2 "!size": leave out who wants smaller mail. */
		tl = 0;
		to[0] = '\0';
		for (i = 0; i < ndests; i++) {
			if (dests[i].maxsize != 0 && len > dests[i].maxsize) {
				warnx("%s: report of %zu octets larger than the "
				      "%" PRIu64 " %s accepts, not sent there",
				    d->domain, len, dests[i].maxsize,
				    dests[i].addr);
				use[i] = false;
				continue;
			}
			nuse++;
			tl += (size_t)snprintf(to + tl, sizeof(to) - tl, "%s%s",
			    tl > 0 ? "," : "", dests[i].addr);
		}
		if (nuse == 0) {
			mox_dmarc_report_data_free(msg);
			continue;
		}
		if (!x->send) {
			printf("==> to=%s domain=%s rows=%zu\n", to, d->domain,
			    n);
			fwrite(msg, 1, len, stdout);
			if (len > 0 && msg[len - 1] != '\n')
				fputc('\n', stdout);
		} else if (run_sendmail(x, msg, len, dests, use, ndests) != 0) {
			warnx("%s: sending the report to %s failed; its "
			      "evaluations are kept",
			    d->domain, to);
			ret = -1;
		} else {
			fprintf(stderr,
			    "dmarc-report: %s: sent report %s (%zu rows) to "
			    "%s\n",
			    d->domain, rid, n, to);
		}
		mox_dmarc_report_data_free(msg);
	}
	free(rows);
	free(rowp);
	free(reasons);
	free(spfs);
	mox_dmarc_record_free(rec);
	return ret;
}

/* Delete every evaluation of d that was read (with -send). */
static int
drop(struct ctx *x, struct dbatch *d)
{
	char err[512];

	if (!x->send)
		return 0;
	if (mstore_delete(x->store, d->domain, d->refs, d->nrefs, err,
		sizeof(err)) != 0) {
		warnx("%s: %s", d->domain, err);
		return -1;
	}
	return 0;
}

static int
report_domain(struct ctx *x, struct dbatch *d)
{
	const mox_dmarc_record_info *info;
	mox_dmarc_record *rec = NULL;
	struct dest dests[MAX_DESTS], ok[MAX_DESTS];
	const char *perr = NULL;
	size_t ndests = 0, nok = 0, i;
	bool later = false;
	int rc, ret = 0;

	if (d->invalid > 0)
		warnx("%s: %" PRIu64 " evaluations that cannot be reported "
		      "(undecodable or invalid)%s",
		    d->domain, d->invalid, x->send ? ", deleted" : "");
	if (d->nevals == 0)
		return drop(x, d);
	if (d->record == NULL ||
	    mox_dmarc_record_parse(&rec, (const uint8_t *)d->record,
		strlen(d->record), &perr) != MOX_OK) {
		warnx("%s: no usable DMARC record stored (%s), %" PRIu64
		      " evaluations not reported",
		    d->domain, perr != NULL ? perr : "none", d->nevals);
		return drop(x, d);
	}
	info = mox_dmarc_record_view(rec);
	for (i = 0; i < info->nrua; i++) {
		if (add_mailto(info->rua[i], dests, &ndests) < 0)
			warnx("%s: rua %s: not a mailto URI with valid "
			      "addresses, skipped",
			    d->domain, info->rua[i]);
	}
	mox_dmarc_record_free(rec);
	info = NULL;
	if (ndests == 0) {
		warnx("%s: no rua= destination, %" PRIu64 " evaluations not "
		      "reported%s",
		    d->domain, d->nevals, x->send ? " (deleted)" : "");
		return drop(x, d);
	}
	for (i = 0; i < ndests; i++) {
		rc = dest_allowed(x, d->domain, dests[i].domain);
		if (rc == 1) {
			ok[nok++] = dests[i];
		} else if (rc == 0) {
			warnx("%s: destination %s is external and not "
			      "authorized (no DMARC1 record at "
			      "%s._report._dmarc.%s), skipped",
			    d->domain, dests[i].addr, d->domain,
			    dests[i].domain);
		} else {
			later = true;
		}
	}
	if (later) {
		warnx("%s: destination check failed temporarily; "
		      "evaluations kept for a later run",
		    d->domain);
		return -1;
	}
	if (nok == 0) {
		warnx("%s: no authorized rua= destination, %" PRIu64
		      " evaluations not reported%s",
		    d->domain, d->nevals, x->send ? " (deleted)" : "");
		return drop(x, d);
	}
	for (i = 0; i < d->nperiods && ret == 0; i++) {
		if (d->periods[i].ngroups == 0)
			continue;
		if (d->periods[i].record == NULL)
			d->periods[i].record = xstrdup(d->record);
		ret = report_period(x, d, &d->periods[i], ok, nok);
	}
	if (ret != 0)
		return -1;
	return drop(x, d);
}

/* ------------------------------------------------------------ main */

int
report_main(int argc, char **argv)
{
	const char *config = NULL, *store = NULL, *nowarg = NULL;
	const char *from = NULL, *org = NULL, *hostname = NULL;
	const char *sendmail = NULL, *zone = NULL;
	int64_t interval = 0;
	int mode = 0, i, ret = 0;
	struct mconf *c = NULL;
	struct mstore *s = NULL;
	struct ctx x;
	struct gather g;
	struct stat st;
	char err[1024];
	size_t j;

	for (i = 1; i < argc; i++) {
		const char *f = argv[i];

		if (strcmp(f, "-list") == 0 || strcmp(f, "-print") == 0 ||
		    strcmp(f, "-send") == 0) {
			int m = f[1] == 'l' ? 1 : f[1] == 'p' ? 2 : 3;

			if (mode != 0 && mode != m) {
				warnx("-list, -print and -send exclude each "
				      "other");
				return EXIT_USAGE;
			}
			mode = m;
			continue;
		}
		if (strcmp(f, "-help") == 0 || strcmp(f, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (i + 1 >= argc || f[0] != '-') {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		if (strcmp(f, "-config") == 0) {
			config = argv[++i];
		} else if (strcmp(f, "-store") == 0) {
			store = argv[++i];
		} else if (strcmp(f, "-now") == 0) {
			nowarg = argv[++i];
		} else if (strcmp(f, "-interval") == 0) {
			char *e;

			errno = 0;
			interval = strtoll(argv[++i], &e, 10);
			if (errno != 0 || *e != '\0' || argv[i][0] == '\0' ||
			    interval < 0 || interval > 366 * 86400) {
				warnx("-interval wants seconds");
				return EXIT_USAGE;
			}
		} else if (strcmp(f, "-zone") == 0) {
			zone = argv[++i];
		} else if (strcmp(f, "-from") == 0) {
			from = argv[++i];
		} else if (strcmp(f, "-org") == 0) {
			org = argv[++i];
		} else if (strcmp(f, "-hostname") == 0) {
			hostname = argv[++i];
		} else if (strcmp(f, "-sendmail") == 0) {
			sendmail = argv[++i];
		} else {
			warnx("unknown flag %s", f);
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (mode == 0) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	memset(&x, 0, sizeof(x));
	memset(&g, 0, sizeof(g));
	x.now = (int64_t)time(NULL);
	if (nowarg != NULL && parse_time(nowarg, &x.now) != 0) {
		warnx("-now wants seconds since the epoch or "
		      "YYYY-MM-DDTHH:MM:SSZ, not \"%s\"", nowarg);
		return EXIT_USAGE;
	}
	c = mconf_new();
	if (c == NULL) {
		warnx("out of memory");
		return 1;
	}
	if (config != NULL && mconf_load(c, config, err, sizeof(err)) != 0) {
		warnx("%s", err);
		mconf_free(c);
		return 1;
	}
	if (store != NULL) {
		free(c->report_store);
		c->report_store = xstrdup(store);
	}
	if (from != NULL) {
		free(c->report_from);
		c->report_from = xstrdup(from);
	}
	if (sendmail != NULL) {
		free(c->report_sendmail);
		c->report_sendmail = xstrdup(sendmail);
	}
	x.c = c;
	x.zone = zone;
	x.send = mode == 3;
	x.hostname = hostname != NULL ? hostname : mconf_hostname(c);
	x.org = org != NULL ? org :
		c->report_org != NULL ? c->report_org : x.hostname;
	if (c->report_store == NULL) {
		warnx("no store: set Reports.Store in the config or give "
		      "-store");
		ret = 1;
		goto out;
	}
	/* Do not create a store just to find it empty. */
	if (stat(c->report_store, &st) != 0) {
		warnx("store %s: %s", c->report_store, strerror(errno));
		ret = 1;
		goto out;
	}
	if (mode != 1) {
		mox_address a;
		mox_domain hd;

		if (c->report_from == NULL ||
		    mox_address_parse(&a, c->report_from,
			strlen(c->report_from), 0) != MOX_OK) {
			warnx("need a valid report sender address: "
			      "Reports.From or -from");
			ret = 1;
			goto out;
		}
		if (x.hostname == NULL ||
		    mox_domain_parse(&hd, x.hostname, strlen(x.hostname), 0) !=
			MOX_OK) {
			warnx("need the host name (a domain): Hostname or "
			      "-hostname");
			ret = 1;
			goto out;
		}
	}
	if (mstore_open(&s, c->report_store, err, sizeof(err)) != 0) {
		warnx("%s", err);
		ret = 1;
		goto out;
	}
	x.store = s;
	if (mode == 1) {
		struct list_ctx lx = { stdout, 0, 0 };

		if (mstore_scan(s, NULL, INT64_MIN, INT64_MAX, list_one, &lx,
			err, sizeof(err)) < 0) {
			warnx("%s", err);
			ret = 1;
		}
		if (lx.bad > 0)
			ret = 1;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	g.now = x.now;
	g.interval = interval;
	if (interval > 0) {
		g.limit = x.now / interval * interval;
		if (x.now < 0 && x.now % interval != 0)
			g.limit -= interval;
	} else {
		g.limit = x.now == INT64_MAX ? INT64_MAX : x.now + 1;
	}
	if (mstore_scan(s, NULL, INT64_MIN, g.limit, gather_one, &g, err,
		sizeof(err)) < 0) {
		warnx("%s", err);
		ret = 1;
		goto out;
	}
	for (j = 0; j < g.nbatches; j++)
		if (report_domain(&x, &g.batches[j]) != 0)
			ret = 1;
	fflush(stdout);
	if (ferror(stdout)) {
		warnx("writing output failed");
		ret = 1;
	}
out:
	gather_free(&g);
	mstore_close(s);
	mox_resolver_free(x.dns);
	mox_dmarc_psl_free(x.psl);
	mconf_free(c);
	return ret;
}
