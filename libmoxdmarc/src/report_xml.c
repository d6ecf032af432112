/* SPDX-License-Identifier: MIT */
/*
 * report_xml.c -- aggregate report documents from mox_dmarc_report_meta
 * and rows: RFC 9990 appendix A (default namespace
 * urn:ietf:params:xml:ns:dmarc-2.0), or the RFC 7489 appendix C format
 * without namespace, as Google, Yahoo and most receivers send it.
 *
 * Each format gets exactly what its schema allows, in its order: RFC 7489
 * requires version, sp, pct, fo, envelope_from and at least one SPF
 * result with a scope, and knows no "pass" disposition, np, testing,
 * generator or human_result for SPF; RFC 9990 allows one error element
 * and one SPF result, requires the DKIM selector and allows only the
 * "mfrom" scope. The RFC 7489 schema's IPv6 pattern accepts only the
 * full eight-group form, so addresses are written that way there.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report-int.h"

struct w {
	mox__buf b;
	int fmt;
	int rc;            /* MOX_EINVAL once a value is refused */
};

static void
indent(struct w *w, int level)
{
	static const char sp[] = "          ";

	mox__buf_add(&w->b, sp, (size_t)level * 2 < sizeof(sp) - 1 ?
	    (size_t)level * 2 : sizeof(sp) - 1);
}

/* Length of the UTF-8 sequence at p (1 to 4) and its code point, or 0
 * when it is not valid UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated). */
static size_t
utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

/* Character data: markup escaped; CR kept as a reference (a parser would
 * turn a raw one into LF); what XML 1.0 cannot hold becomes U+FFFD. */
static void
esc(struct w *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	uint32_t c;

	while (i < n) {
		k = utf8_seq(p + i, n - i, &c);
		if (k == 0) {
			mox__buf_adds(&w->b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (c == '&')
			mox__buf_adds(&w->b, "&amp;");
		else if (c == '<')
			mox__buf_adds(&w->b, "&lt;");
		else if (c == '>')
			mox__buf_adds(&w->b, "&gt;");
		else if (c == '\r')
			mox__buf_adds(&w->b, "&#13;");
		else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0xfffe ||
		    c == 0xffff)
			mox__buf_adds(&w->b, "\xef\xbf\xbd");
		else
			mox__buf_add(&w->b, p + i, k);
		i += k;
	}
}

static void
open_tag(struct w *w, int level, const char *tag)
{
	indent(w, level);
	mox__buf_addf(&w->b, "<%s>\n", tag);
}

static void
close_tag(struct w *w, int level, const char *tag)
{
	indent(w, level);
	mox__buf_addf(&w->b, "</%s>\n", tag);
}

static void
leaf(struct w *w, int level, const char *tag, const char *text)
{
	indent(w, level);
	mox__buf_addf(&w->b, "<%s>", tag);
	esc(w, text);
	mox__buf_addf(&w->b, "</%s>\n", tag);
}

static void
leaf_u(struct w *w, int level, const char *tag, uint64_t v)
{
	indent(w, level);
	mox__buf_addf(&w->b, "<%s>%" PRIu64 "</%s>\n", tag, v, tag);
}

/* Name of an enumerated value, or NULL (and the call fails) when it is
 * out of range; ABSENT gives NULL without failing. */
static const char *
name(struct w *w, int v, const char *const *names, int lo, int hi)
{
	if (v == MOX_DMARC_REPORT_ABSENT)
		return NULL;
	if (v < lo || v > hi) {
		w->rc = MOX_EINVAL;
		return NULL;
	}
	return names[v - lo];
}

static const char *const policies[] = { "none", "quarantine", "reject" };
static const char *const dispositions[] = {
	"none", "quarantine", "reject", "pass"
};
static const char *const aligns[] = { "r", "s" };
static const char *const yn[] = { "n", "y" };
static const char *const discoveries[] = { "psl", "treewalk" };
static const char *const verdicts[] = { "pass", "fail" };
static const char *const overrides[] = {
	"forwarded", "sampled_out", "trusted_forwarder", "mailing_list",
	"local_policy", "other", "policy_test_mode"
};
static const char *const dkim_results[] = {
	"none", "pass", "fail", "neutral", "policy", "temperror", "permerror"
};
static const char *const spf_results[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror",
	"permerror", "policy"
};

/* A required enumerated value. */
static const char *
need(struct w *w, int v, const char *const *names, int lo, int hi)
{
	const char *s = name(w, v, names, lo, hi);

	if (s == NULL)
		w->rc = MOX_EINVAL;
	return s;
}

static void
metadata(struct w *w, const mox_dmarc_report_meta *m)
{
	size_t i;

	open_tag(w, 1, "report_metadata");
	leaf(w, 2, "org_name", m->org_name);
	leaf(w, 2, "email", m->email);
	if (m->extra_contact_info != NULL)
		leaf(w, 2, "extra_contact_info", m->extra_contact_info);
	leaf(w, 2, "report_id", m->report_id);
	open_tag(w, 2, "date_range");
	leaf_u(w, 3, "begin", (uint64_t)m->begin);
	leaf_u(w, 3, "end", (uint64_t)m->end);
	close_tag(w, 2, "date_range");
	if (m->nerrors > 0 && w->fmt == MOX_DMARC_REPORT_RFC7489) {
		for (i = 0; i < m->nerrors; i++) {
			if (m->errors[i] != NULL)
				leaf(w, 2, "error", m->errors[i]);
		}
	} else if (m->nerrors > 0) {
		/* RFC 9990's ReportMetadataType is an xs:all: one error. */
		bool first = true;

		for (i = 0; i < m->nerrors; i++) {
			if (m->errors[i] == NULL)
				continue;
			if (first) {
				indent(w, 2);
				mox__buf_adds(&w->b, "<error>");
			} else {
				mox__buf_adds(&w->b, "; ");
			}
			esc(w, m->errors[i]);
			first = false;
		}
		if (!first)
			mox__buf_adds(&w->b, "</error>\n");
	}
	if (m->generator != NULL && w->fmt == MOX_DMARC_REPORT_RFC9990)
		leaf(w, 2, "generator", m->generator);
	close_tag(w, 1, "report_metadata");
}

static void
policy(struct w *w, const mox_dmarc_report_meta *m)
{
	const char *p = need(w, m->p, policies, 1, 3);
	const char *sp = name(w, m->sp, policies, 1, 3);
	const char *np = name(w, m->np, policies, 1, 3);
	const char *adkim = name(w, m->adkim, aligns, 0, 1);
	const char *aspf = name(w, m->aspf, aligns, 0, 1);
	const char *testing = name(w, m->testing, yn, 0, 1);
	const char *disc = name(w, m->discovery_method, discoveries, 1, 2);

	if (m->pct != MOX_DMARC_REPORT_ABSENT && (m->pct < 0 || m->pct > 100))
		w->rc = MOX_EINVAL;
	if (w->rc != MOX_OK)
		return;
	open_tag(w, 1, "policy_published");
	leaf(w, 2, "domain", m->domain);
	if (w->fmt == MOX_DMARC_REPORT_RFC7489) {
		if (adkim != NULL)
			leaf(w, 2, "adkim", adkim);
		if (aspf != NULL)
			leaf(w, 2, "aspf", aspf);
		leaf(w, 2, "p", p);
		leaf(w, 2, "sp", sp != NULL ? sp : p);
		leaf_u(w, 2, "pct", m->pct == MOX_DMARC_REPORT_ABSENT ? 100 :
		    (uint64_t)m->pct);
		leaf(w, 2, "fo", m->fo != NULL ? m->fo : "0");
	} else {
		if (disc != NULL)
			leaf(w, 2, "discovery_method", disc);
		leaf(w, 2, "p", p);
		if (sp != NULL)
			leaf(w, 2, "sp", sp);
		if (np != NULL)
			leaf(w, 2, "np", np);
		if (m->fo != NULL)
			leaf(w, 2, "fo", m->fo);
		if (adkim != NULL)
			leaf(w, 2, "adkim", adkim);
		if (aspf != NULL)
			leaf(w, 2, "aspf", aspf);
		if (testing != NULL)
			leaf(w, 2, "testing", testing);
	}
	close_tag(w, 1, "policy_published");
}

static void
source_ip(struct w *w, const char *ip)
{
	unsigned char a[16];
	char txt[INET6_ADDRSTRLEN];
	int i;

	if (ip == NULL) {
		w->rc = MOX_EINVAL;
		return;
	}
	if (inet_pton(AF_INET, ip, a) == 1) {
		inet_ntop(AF_INET, a, txt, sizeof(txt));
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		if (w->fmt == MOX_DMARC_REPORT_RFC9990) {
			inet_ntop(AF_INET6, a, txt, sizeof(txt));
		} else {
			txt[0] = '\0';
			for (i = 0; i < 8; i++) {
				snprintf(txt + strlen(txt),
				    sizeof(txt) - strlen(txt), "%s%x",
				    i > 0 ? ":" : "",
				    (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
			}
		}
	} else {
		w->rc = MOX_EINVAL;
		return;
	}
	leaf(w, 3, "source_ip", txt);
}

static void
reason(struct w *w, const mox_dmarc_report_reason *r)
{
	const char *type = need(w, r->type, overrides, 1, 7);
	const char *comment = r->comment;

	if (type == NULL)
		return;
	if ((w->fmt == MOX_DMARC_REPORT_RFC9990 &&
		(r->type == MOX_DMARC_OVERRIDE_FORWARDED ||
		    r->type == MOX_DMARC_OVERRIDE_SAMPLED_OUT)) ||
	    (w->fmt == MOX_DMARC_REPORT_RFC7489 &&
		r->type == MOX_DMARC_OVERRIDE_POLICY_TEST_MODE)) {
		/* Not in this format's list: "other", named in the comment. */
		if (comment == NULL)
			comment = type;
		type = "other";
	}
	open_tag(w, 4, "reason");
	leaf(w, 5, "type", type);
	if (comment != NULL)
		leaf(w, 5, "comment", comment);
	close_tag(w, 4, "reason");
}

static void
dkim(struct w *w, const mox_dmarc_report_dkim *d)
{
	const char *result = need(w, d->result, dkim_results, 0, 6);

	if (d->domain == NULL)
		w->rc = MOX_EINVAL;
	if (w->rc != MOX_OK)
		return;
	open_tag(w, 3, "dkim");
	leaf(w, 4, "domain", d->domain);
	if (d->selector != NULL || w->fmt == MOX_DMARC_REPORT_RFC9990)
		leaf(w, 4, "selector", d->selector != NULL ? d->selector : "");
	leaf(w, 4, "result", result);
	if (d->human_result != NULL)
		leaf(w, 4, "human_result", d->human_result);
	close_tag(w, 3, "dkim");
}

static void
spf(struct w *w, const mox_dmarc_report_spf *s)
{
	const char *result = need(w, s->result, spf_results, 0, 7);
	const char *scope = name(w, s->scope, (const char *const[]){
	    "mfrom", "helo" }, 1, 2);

	if (s->domain == NULL)
		w->rc = MOX_EINVAL;
	if (w->rc != MOX_OK)
		return;
	open_tag(w, 3, "spf");
	leaf(w, 4, "domain", s->domain);
	if (w->fmt == MOX_DMARC_REPORT_RFC7489) {
		leaf(w, 4, "scope", scope != NULL ? scope : "mfrom");
		/* RFC 7489 has no "policy" result: local policy found the
		 * authorized client unacceptable, closest to fail. */
		leaf(w, 4, "result", s->result == MOX_DMARC_REPORT_SPF_POLICY ?
		    "fail" : result);
	} else {
		if (s->scope == MOX_DMARC_SPF_SCOPE_MFROM)
			leaf(w, 4, "scope", "mfrom");
		leaf(w, 4, "result", result);
		if (s->human_result != NULL)
			leaf(w, 4, "human_result", s->human_result);
	}
	close_tag(w, 3, "spf");
}

static void
row(struct w *w, const mox_dmarc_report_row *r)
{
	const char *disp, *dk, *sp;
	size_t i;

	if (r == NULL || r->version == 0 ||
	    r->version > MOX_DMARC_REPORT_ROW_VERSION) {
		w->rc = r == NULL ? MOX_EINVAL : MOX_EVERSION;
		return;
	}
	disp = need(w, r->disposition, dispositions, 1, 4);
	dk = need(w, r->dkim, verdicts, 1, 2);
	sp = need(w, r->spf, verdicts, 1, 2);
	if (r->header_from == NULL || (r->nreasons > 0 && r->reasons == NULL) ||
	    (r->ndkim > 0 && r->dkim_results == NULL) ||
	    (r->nspf > 0 && r->spf_results == NULL))
		w->rc = MOX_EINVAL;
	if (w->rc != MOX_OK)
		return;
	if (w->fmt == MOX_DMARC_REPORT_RFC7489 &&
	    r->disposition == MOX_DMARC_DISPOSITION_PASS)
		disp = "none";
	open_tag(w, 1, "record");
	open_tag(w, 2, "row");
	source_ip(w, r->source_ip);
	leaf_u(w, 3, "count", r->count);
	open_tag(w, 3, "policy_evaluated");
	leaf(w, 4, "disposition", disp);
	leaf(w, 4, "dkim", dk);
	leaf(w, 4, "spf", sp);
	for (i = 0; i < r->nreasons; i++)
		reason(w, &r->reasons[i]);
	close_tag(w, 3, "policy_evaluated");
	close_tag(w, 2, "row");

	open_tag(w, 2, "identifiers");
	if (w->fmt == MOX_DMARC_REPORT_RFC7489) {
		if (r->envelope_to != NULL)
			leaf(w, 3, "envelope_to", r->envelope_to);
		leaf(w, 3, "envelope_from",
		    r->envelope_from != NULL ? r->envelope_from : "");
		leaf(w, 3, "header_from", r->header_from);
	} else {
		leaf(w, 3, "header_from", r->header_from);
		if (r->envelope_from != NULL)
			leaf(w, 3, "envelope_from", r->envelope_from);
		if (r->envelope_to != NULL)
			leaf(w, 3, "envelope_to", r->envelope_to);
	}
	close_tag(w, 2, "identifiers");

	open_tag(w, 2, "auth_results");
	for (i = 0; i < r->ndkim; i++)
		dkim(w, &r->dkim_results[i]);
	if (w->fmt == MOX_DMARC_REPORT_RFC7489) {
		for (i = 0; i < r->nspf; i++)
			spf(w, &r->spf_results[i]);
		if (r->nspf == 0) {
			/* The schema requires an SPF result. */
			mox_dmarc_report_spf none = {
				r->envelope_from != NULL &&
				    r->envelope_from[0] != '\0' ?
				    r->envelope_from : r->header_from,
				MOX_DMARC_SPF_SCOPE_MFROM, MOX_DMARC_SPF_NONE,
				NULL
			};
			spf(w, &none);
		}
	} else {
		for (i = 0; i < r->nspf; i++) {
			if (r->spf_results[i].scope != MOX_DMARC_SPF_SCOPE_HELO) {
				spf(w, &r->spf_results[i]);
				break;
			}
		}
	}
	close_tag(w, 2, "auth_results");
	close_tag(w, 1, "record");
}

int
mox_dmarc_report_xml(char **out, size_t *out_len,
    const mox_dmarc_report_meta *m, const mox_dmarc_report_row *const *rows,
    size_t nrows)
{
	struct w w;
	size_t i;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (m == NULL || (rows == NULL && nrows > 0))
		return MOX_EINVAL;
	if (m->version == 0 || m->version > MOX_DMARC_REPORT_META_VERSION)
		return MOX_EVERSION;
	/* RFC 9990 and RFC 7489: at least one record. */
	if (nrows == 0 || m->org_name == NULL || m->email == NULL ||
	    m->report_id == NULL || m->domain == NULL || m->begin < 0 ||
	    m->end < m->begin || (m->nerrors > 0 && m->errors == NULL) ||
	    (m->format != MOX_DMARC_REPORT_RFC9990 &&
		m->format != MOX_DMARC_REPORT_RFC7489))
		return MOX_EINVAL;
	memset(&w, 0, sizeof(w));
	w.fmt = m->format;
	mox__buf_adds(&w.b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (w.fmt == MOX_DMARC_REPORT_RFC9990)
		mox__buf_adds(&w.b, "<feedback xmlns=\"" DMARC_REPORT_NS "\">\n");
	else
		mox__buf_adds(&w.b, "<feedback>\n");
	leaf(&w, 1, "version", "1.0");
	metadata(&w, m);
	policy(&w, m);
	for (i = 0; i < nrows && w.rc == MOX_OK; i++)
		row(&w, rows[i]);
	mox__buf_adds(&w.b, "</feedback>\n");
	if (w.rc != MOX_OK || w.b.err != MOX_OK) {
		int rc = w.rc != MOX_OK ? w.rc : MOX_ENOMEM;

		mox__buf_free(&w.b);
		return rc;
	}
	*out = mox__buf_detach(&w.b, out_len);
	return MOX_OK;
}
