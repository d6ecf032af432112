/* SPDX-License-Identifier: MIT */
/*
 * failure.c -- DMARC failure reports (RFC 9991, updating RFC 6591): the
 * fo= decision, the report email in the Abuse Reporting Format (RFC 5965,
 * multipart/report of RFC 6522) with optional redaction of local-parts
 * (RFC 6590), and the parser of received reports over the MIME tree of
 * libmoxcore.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mox/dmarc.h>
#include <mox/message.h>

#include "base.h"

/* --- fo= --- */

bool
mox_dmarc_failure_wanted(const char *fo, bool spf_aligned_pass,
    bool dkim_aligned_pass, bool spf_fail_any, bool dkim_fail_any)
{
	const char *p = fo;
	bool any = false;

	if (p == NULL)
		p = "";
	for (;;) {
		const char *s, *e;

		while (*p == ' ' || *p == '\t')
			p++;
		s = p;
		while (*p != '\0' && *p != ':')
			p++;
		e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e - s == 1 && strchr("01dDsS", *s) != NULL) {
			any = true;
			switch (*s) {
			case '0':
				if (!spf_aligned_pass && !dkim_aligned_pass)
					return true;
				break;
			case '1':
				if (!spf_aligned_pass || !dkim_aligned_pass)
					return true;
				break;
			case 'd':
			case 'D':
				if (dkim_fail_any)
					return true;
				break;
			case 's':
			case 'S':
				if (spf_fail_any)
					return true;
				break;
			default:
				break;
			}
		}
		if (*p == '\0')
			break;
		p++;
	}
	/* No known option: the default fo=0. */
	if (!any)
		return !spf_aligned_pass && !dkim_aligned_pass;
	return false;
}

/* --- generating --- */

static bool
value_ok(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL && strlen(s) < 900;
}

static bool
opt_ok(const char *s)
{
	return s == NULL || value_ok(s);
}

static bool
fmt_date(char *buf, size_t cap, int64_t t)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || (int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    tm.tm_year + 1900 > 9999)
		return false;
	snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return true;
}

static uint64_t
fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool
atext(int c)
{
	return mox__isalpha(c) || mox__isdigit(c) ||
	    (c != '\0' && c < 0x80 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

typedef struct redactor {
	int mode;
	const char *key;
} redactor;

static void
redact_token(mox__buf *b, const redactor *r, const char *lp, size_t n)
{
	uint64_t h;
	const char *k = r->key != NULL ? r->key : "";

	if (r->mode == MOX_DMARC_REDACT_TOKEN) {
		mox__buf_adds(b, "redacted");
		return;
	}
	h = fnv(k, strlen(k), 0xcbf29ce484222325ULL);
	h = fnv("\0", 1, h);
	h = fnv(lp, n, h);
	mox__buf_addf(b, "%016" PRIx64, h);
}

/* Append p[0..n) with the local-part before every '@' replaced: a
 * quoted-string ending just before the '@', or a run of atext and '.'. */
static void
redact_add(mox__buf *b, const redactor *r, const char *p, size_t n)
{
	size_t i, done = 0;

	if (r->mode == MOX_DMARC_REDACT_NONE) {
		mox__buf_add(b, p, n);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t s;

		if (p[i] != '@' || i == done)
			continue;
		s = i;
		if (p[i - 1] == '"') {
			/* Back to the opening quote (not escaped). */
			size_t j = i - 1;

			while (j > done) {
				j--;
				if (p[j] == '"' &&
				    (j == done || p[j - 1] != '\\'))
					break;
			}
			if (p[j] != '"' || j == i - 1)
				continue;
			s = j;
		} else {
			while (s > done && (atext((unsigned char)p[s - 1]) ||
			    p[s - 1] == '.'))
				s--;
		}
		if (s == i)
			continue;
		mox__buf_add(b, p + done, s - done);
		redact_token(b, r, p + s, i - s);
		done = i;
	}
	mox__buf_add(b, p + done, n - done);
}

/* Append with every line end as CRLF (bare LF becomes CRLF). */
static void
add_crlf(mox__buf *b, const uint8_t *p, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (p[i] != '\n' || (i > 0 && p[i - 1] == '\r'))
			continue;
		mox__buf_add(b, p + start, i - start);
		mox__buf_adds(b, "\r\n");
		start = i + 1;
	}
	mox__buf_add(b, p + start, n - start);
}

static bool
address_field(const mox_msg_field *f)
{
	static const char *const names[] = {
		"From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Return-Path",
		"Delivered-To", "X-Original-To", "Received",
		"Disposition-Notification-To", "Original-Recipient"
	};
	size_t i;

	if (f->name.len > 7 && mox__memcaseeq(f->name.ptr, 7, "Resent-"))
		return true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (mox_msg_field_is(f, names[i]))
			return true;
	}
	return false;
}

/* The original (or its header fields), redacted, CRLF line ends. */
static int
original(mox__buf *o, const mox_dmarc_failure_mail *m, const redactor *r)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	size_t off;
	int rc;

	rc = mox_msg_iter_init(&it, m->original, m->original_len, NULL);
	if (rc != MOX_OK)
		return rc;
	for (;;) {
		rc = mox_msg_iter_next(&it, &f);
		if (rc == MOX_ENOTFOUND)
			break;
		if (rc == MOX_ELIMIT)
			return rc;
		if (rc != MOX_OK && rc != MOX_ESYNTAX && rc != MOX_ENUL)
			return rc;
		if (rc != MOX_OK || address_field(&f)) {
			mox__buf t = MOX__BUF_INIT;

			redact_add(&t, r, (const char *)f.raw.ptr, f.raw.len);
			if (t.err != MOX_OK) {
				mox__buf_free(&t);
				return MOX_ENOMEM;
			}
			if (t.len > 0)
				add_crlf(o, (const uint8_t *)t.p, t.len);
			mox__buf_free(&t);
		} else {
			add_crlf(o, f.raw.ptr, f.raw.len);
		}
		/* A last field without line end. */
		if (f.raw.len == 0 || f.raw.ptr[f.raw.len - 1] != '\n')
			mox__buf_adds(o, "\r\n");
	}
	if (m->headers_only)
		return MOX_OK;
	off = mox_msg_iter_offset(&it);
	mox__buf_adds(o, "\r\n");
	if (off < m->original_len)
		add_crlf(o, m->original + off, m->original_len - off);
	return MOX_OK;
}

static bool
text_part(mox__buf *t, const char *s)
{
	size_t i, line = 0;
	bool ascii = true;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' || c == '\n') {
			if (c == '\r' && s[i + 1] == '\n')
				i++;
			mox__buf_adds(t, "\r\n");
			line = 0;
			continue;
		}
		if (c >= 0x80 || ++line > 998)
			ascii = false;
		mox__buf_addc(t, (char)c);
	}
	if (t->len < 2 || memcmp(t->p + t->len - 2, "\r\n", 2) != 0)
		mox__buf_adds(t, "\r\n");
	return ascii;
}

static void
base64(mox__buf *b, const uint8_t *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		mox__buf_add(b, q, 4);
		col += 4;
		if (col >= 76) {
			mox__buf_adds(b, "\r\n");
			col = 0;
		}
	}
	if (col > 0)
		mox__buf_adds(b, "\r\n");
}

static bool
contains(const char *h, size_t hn, const char *n)
{
	size_t nn = strlen(n), i;

	for (i = 0; i + nn <= hn; i++) {
		if (memcmp(h + i, n, nn) == 0)
			return true;
	}
	return false;
}

static void
field(mox__buf *b, const char *name, const char *v)
{
	if (v != NULL)
		mox__buf_addf(b, "%s: %s\r\n", name, v);
}

static void
addr_field(mox__buf *b, const redactor *r, const char *name, const char *v)
{
	if (v == NULL)
		return;
	mox__buf_addf(b, "%s: <", name);
	redact_add(b, r, v, strlen(v));
	mox__buf_adds(b, ">\r\n");
}

int
mox_dmarc_failure_message(char **out, size_t *out_len,
    const mox_dmarc_failure_mail *m)
{
	char date[64], arrival[64], boundary[64];
	mox__buf b = MOX__BUF_INIT, t = MOX__BUF_INIT, o = MOX__BUF_INIT;
	mox__buf rep = MOX__BUF_INIT;
	redactor r;
	bool seven = true, eight = false;
	uint64_t h;
	size_t i;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (m == NULL)
		return MOX_EINVAL;
	if (m->version == 0 || m->version > MOX_DMARC_FAILURE_MAIL_VERSION)
		return MOX_EVERSION;
	if (!value_ok(m->from) || !value_ok(m->to) ||
	    !value_ok(m->message_id) || m->message_id[0] == '\0' ||
	    strpbrk(m->message_id, "<> \t") != NULL ||
	    !value_ok(m->reported_domain) || m->reported_domain[0] == '\0' ||
	    !value_ok(m->authentication_results) || !opt_ok(m->subject) ||
	    !opt_ok(m->user_agent) || !opt_ok(m->source_ip) ||
	    !opt_ok(m->original_mail_from) || !opt_ok(m->original_rcpt_to) ||
	    !opt_ok(m->original_envelope_id) ||
	    !opt_ok(m->identity_alignment) || !opt_ok(m->delivery_result) ||
	    !opt_ok(m->dkim_domain) || !opt_ok(m->dkim_selector) ||
	    !opt_ok(m->dkim_identity) || !opt_ok(m->spf_dns) ||
	    m->original == NULL || m->original_len == 0 ||
	    !fmt_date(date, sizeof(date), m->date) ||
	    (m->arrival_date >= 0 &&
	    !fmt_date(arrival, sizeof(arrival), m->arrival_date)))
		return MOX_EINVAL;
	if (m->redact != MOX_DMARC_REDACT_NONE &&
	    m->redact != MOX_DMARC_REDACT_TOKEN &&
	    m->redact != MOX_DMARC_REDACT_HASH)
		return MOX_EINVAL;
	r.mode = m->redact;
	r.key = m->redact_key;

	/* The text part. */
	if (m->text == NULL) {
		mox__buf d = MOX__BUF_INIT;

		mox__buf_addf(&d, "This is a DMARC failure report (RFC 9991) "
		    "for a message from domain %s", m->reported_domain);
		if (m->source_ip != NULL)
			mox__buf_addf(&d, " received from %s", m->source_ip);
		mox__buf_addf(&d, ".\nThe %s is attached.\n", m->headers_only ?
		    "header section of the message" : "message");
		if (d.err == MOX_OK)
			seven = text_part(&t, d.p);
		else
			t.err = d.err;
		mox__buf_free(&d);
	} else {
		seven = text_part(&t, m->text);
	}

	/* The machine-readable part (RFC 5965 3.1, RFC 6591 3.1). */
	field(&rep, "Feedback-Type", "auth-failure");
	field(&rep, "User-Agent",
	    m->user_agent != NULL ? m->user_agent : "mox-dmarc/1");
	field(&rep, "Version", "1");
	field(&rep, "Auth-Failure", "dmarc");
	field(&rep, "Authentication-Results", m->authentication_results);
	field(&rep, "Original-Envelope-Id", m->original_envelope_id);
	if (m->original_mail_from != NULL)
		addr_field(&rep, &r, "Original-Mail-From",
		    m->original_mail_from);
	addr_field(&rep, &r, "Original-Rcpt-To", m->original_rcpt_to);
	if (m->arrival_date >= 0)
		field(&rep, "Arrival-Date", arrival);
	field(&rep, "Source-IP", m->source_ip);
	field(&rep, "Reported-Domain", m->reported_domain);
	field(&rep, "Identity-Alignment", m->identity_alignment);
	field(&rep, "Delivery-Result", m->delivery_result);
	field(&rep, "DKIM-Domain", m->dkim_domain);
	field(&rep, "DKIM-Selector", m->dkim_selector);
	field(&rep, "DKIM-Identity", m->dkim_identity);
	field(&rep, "SPF-DNS", m->spf_dns);

	rc = original(&o, m, &r);
	if (rc != MOX_OK)
		goto done;
	if (t.err != MOX_OK || rep.err != MOX_OK || o.err != MOX_OK) {
		rc = MOX_ENOMEM;
		goto done;
	}
	for (i = 0; i < o.len; i++) {
		if ((unsigned char)o.p[i] >= 0x80) {
			eight = true;
			break;
		}
	}

	h = fnv(o.p, o.len, 0xcbf29ce484222325ULL);
	for (;;) {
		snprintf(boundary, sizeof(boundary), "=_mox-dmarcf-%016" PRIx64,
		    h);
		if (!contains(o.p, o.len, boundary) &&
		    !contains(t.p, t.len, boundary))
			break;
		h = fnv("x", 1, h);
	}

	mox__buf_addf(&b, "From: %s\r\nTo: %s\r\n", m->from, m->to);
	if (m->subject != NULL)
		mox__buf_addf(&b, "Subject: %s\r\n", m->subject);
	else
		mox__buf_addf(&b, "Subject: DMARC failure report for %s\r\n",
		    m->reported_domain);
	mox__buf_addf(&b, "Date: %s\r\nMessage-ID: <%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; report-type=feedback-report;\r\n"
	    "\tboundary=\"%s\"\r\n\r\n"
	    "This is a DMARC failure report in MIME format.\r\n"
	    "\r\n--%s\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n", date, m->message_id,
	    boundary, boundary, seven ? "7bit" : "base64");
	if (seven)
		mox__buf_add(&b, t.p, t.len);
	else
		base64(&b, (const uint8_t *)t.p, t.len);
	mox__buf_addf(&b, "\r\n--%s\r\n"
	    "Content-Type: message/feedback-report\r\n\r\n", boundary);
	mox__buf_add(&b, rep.p, rep.len);
	mox__buf_addf(&b, "\r\n--%s\r\nContent-Type: %s\r\n", boundary,
	    m->headers_only ? "text/rfc822-headers" : "message/rfc822");
	if (eight)
		mox__buf_adds(&b, "Content-Transfer-Encoding: 8bit\r\n");
	mox__buf_adds(&b, "Content-Disposition: inline\r\n\r\n");
	mox__buf_add(&b, o.p, o.len);
	if (o.len < 2 || memcmp(o.p + o.len - 2, "\r\n", 2) != 0)
		mox__buf_adds(&b, "\r\n");
	/* The line end before the delimiter belongs to it (RFC 2046). */
	mox__buf_addf(&b, "\r\n--%s--\r\n", boundary);
	if (b.err != MOX_OK) {
		rc = MOX_ENOMEM;
		goto done;
	}
	*out = mox__buf_detach(&b, out_len);
	rc = *out != NULL ? MOX_OK : MOX_ENOMEM;
done:
	mox__buf_free(&b);
	mox__buf_free(&t);
	mox__buf_free(&o);
	mox__buf_free(&rep);
	return rc;
}

/* --- parsing --- */

struct mox_dmarc_failure {
	mox__arena arena;
	mox_dmarc_failure_info info;
};

static int
errf(char *err, size_t errcap, int status, const char *msg)
{
	if (err != NULL && errcap > 0)
		snprintf(err, errcap, "%s", msg);
	return status;
}

static bool
is_type(const mox_msg_part *p, const char *type, const char *sub)
{
	return strcmp(p->type, type) == 0 && strcmp(p->subtype, sub) == 0;
}

static char *
unfolded(mox__arena *a, const mox_msg_field *f)
{
	size_t n = mox_msg_unfold(NULL, 0, f->value.ptr, f->value.len);
	char *s = mox__arena_alloc(a, n + 1);

	if (s != NULL)
		mox_msg_unfold(s, n + 1, f->value.ptr, f->value.len);
	return s;
}

/* Parse the fields of the decoded report part. */
static int
parse_fields(mox_dmarc_failure *fr, const uint8_t *p, size_t n, char *err,
    size_t errcap)
{
	static const struct {
		const char *name;
		size_t off;
	} single[] = {
#define F(n, m) { n, offsetof(mox_dmarc_failure_info, m) }
		F("Feedback-Type", feedback_type),
		F("User-Agent", user_agent),
		F("Version", report_version),
		F("Auth-Failure", auth_failure),
		F("Reported-Domain", reported_domain),
		F("Source-IP", source_ip),
		F("Original-Mail-From", original_mail_from),
		F("Original-Envelope-Id", original_envelope_id),
		F("Arrival-Date", arrival_date),
		F("Identity-Alignment", identity_alignment),
		F("Delivery-Result", delivery_result),
		F("DKIM-Domain", dkim_domain),
		F("DKIM-Selector", dkim_selector),
		F("DKIM-Identity", dkim_identity),
		F("SPF-DNS", spf_dns),
#undef F
	};
	mox_dmarc_failure_info *in = &fr->info;
	const char **ar = NULL, **rt = NULL;
	size_t nar = 0, nrt = 0, i;
	int pass, rc;

	for (pass = 0; pass < 2; pass++) {
		mox_msg_iter it;
		mox_msg_field f = MOX_MSG_FIELD_INIT;

		if (pass == 1) {
			ar = mox__arena_alloc(&fr->arena,
			    (nar + 1) * sizeof(*ar));
			rt = mox__arena_alloc(&fr->arena,
			    (nrt + 1) * sizeof(*rt));
			if (ar == NULL || rt == NULL)
				return errf(err, errcap, MOX_ENOMEM,
				    "out of memory");
			nar = nrt = 0;
		}
		rc = mox_msg_iter_init(&it, p, n, NULL);
		if (rc != MOX_OK)
			return errf(err, errcap, rc, "bad report part");
		for (;;) {
			char *v;
			const char **slot = NULL;

			rc = mox_msg_iter_next(&it, &f);
			if (rc == MOX_ENOTFOUND)
				break;
			if (rc == MOX_ESYNTAX || rc == MOX_ENUL)
				return errf(err, errcap, MOX_ESYNTAX,
				    "malformed field in the report part");
			if (rc != MOX_OK)
				return errf(err, errcap, rc,
				    "cannot read the report part");
			if (mox_msg_field_is(&f, "Authentication-Results")) {
				if (pass == 0) {
					nar++;
					continue;
				}
				slot = &ar[nar++];
			} else if (mox_msg_field_is(&f, "Original-Rcpt-To")) {
				if (pass == 0) {
					nrt++;
					continue;
				}
				slot = &rt[nrt++];
			} else if (pass == 1) {
				for (i = 0; i < sizeof(single) /
				    sizeof(single[0]); i++) {
					if (mox_msg_field_is(&f,
					    single[i].name)) {
						slot = (const char **)(void *)
						    ((char *)in +
						    single[i].off);
						break;
					}
				}
				if (slot == NULL || *slot != NULL)
					continue;
			} else {
				continue;
			}
			v = unfolded(&fr->arena, &f);
			if (v == NULL)
				return errf(err, errcap, MOX_ENOMEM,
				    "out of memory");
			*slot = v;
		}
	}
	ar[nar] = NULL;
	rt[nrt] = NULL;
	in->authentication_results = ar;
	in->nauthentication_results = nar;
	in->original_rcpt_to = rt;
	in->noriginal_rcpt_to = nrt;
	if (in->feedback_type == NULL || in->feedback_type[0] == '\0')
		return errf(err, errcap, MOX_ESYNTAX,
		    "no Feedback-Type in the report part");
	return MOX_OK;
}

/* The header section of the original that follows the report part. */
static int
parse_original(mox_dmarc_failure *fr, const mox_msg_tree *t,
    const mox_msg_part *rp, char *err, size_t errcap)
{
	const uint8_t *msg = mox_msg_tree_message(t, NULL);
	const mox_msg_part *p;
	uint8_t *body = NULL;
	size_t blen = 0;
	int rc;

	if (rp->next_sibling == SIZE_MAX)
		return MOX_OK;
	p = mox_msg_tree_part(t, rp->next_sibling);
	if (p == NULL)
		return MOX_OK;
	if (p->kind == MOX_MSG_PART_MESSAGE && p->nchildren == 1) {
		const mox_msg_part *c = mox_msg_tree_child(t, p, 0);
		size_t hn = c->body_offset - c->header_offset;
		char *cp = mox__arena_alloc(&fr->arena, hn + 1);

		if (cp == NULL)
			return errf(err, errcap, MOX_ENOMEM, "out of memory");
		if (hn > 0)
			memcpy(cp, msg + c->header_offset, hn);
		cp[hn] = '\0';
		fr->info.original_headers.ptr = (const uint8_t *)cp;
		fr->info.original_headers.len = hn;
		return MOX_OK;
	}
	if (!is_type(p, "text", "rfc822-headers") &&
	    !is_type(p, "message", "rfc822") &&
	    !is_type(p, "message", "global") &&
	    !is_type(p, "message", "global-headers"))
		return MOX_OK;
	rc = mox_msg_part_decode(&body, &blen, NULL, t, p);
	if (rc == MOX_EUNSUPPORTED)
		return MOX_OK;
	if (rc != MOX_OK)
		return errf(err, errcap, rc, "cannot decode the original");
	{
		mox_msg_header h = MOX_MSG_HEADER_INIT;
		void *cp;

		rc = mox_msg_header_scan(&h, body, blen, NULL);
		if (rc != MOX_OK) {
			mox_msg_free(body);
			return errf(err, errcap, rc,
			    "cannot read the original's header");
		}
		cp = mox__arena_alloc(&fr->arena, h.body_offset + 1);
		if (cp == NULL) {
			mox_msg_free(body);
			return errf(err, errcap, MOX_ENOMEM, "out of memory");
		}
		if (h.body_offset > 0)
			memcpy(cp, body, h.body_offset);
		((char *)cp)[h.body_offset] = '\0';
		fr->info.original_headers.ptr = cp;
		fr->info.original_headers.len = h.body_offset;
		fr->info.headers_only = is_type(p, "text", "rfc822-headers") ||
		    is_type(p, "message", "global-headers");
	}
	mox_msg_free(body);
	return MOX_OK;
}

int
mox_dmarc_failure_parse(mox_dmarc_failure **out, const uint8_t *msg,
    size_t len, char *err, size_t errcap)
{
	mox_dmarc_failure *fr = NULL;
	mox_msg_tree *t = NULL;
	const mox_msg_part *rp = NULL;
	uint8_t *body = NULL;
	size_t blen = 0, i, n;
	int rc;

	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (msg == NULL && len > 0)
		return MOX_EINVAL;
	rc = mox_msg_tree_parse(&t, msg, len, NULL);
	if (rc != MOX_OK)
		return errf(err, errcap, rc, "cannot parse the message");
	n = mox_msg_tree_count(t);
	for (i = 0; i < n; i++) {
		const mox_msg_part *p = mox_msg_tree_part(t, i);

		if (p->kind == MOX_MSG_PART_LEAF &&
		    is_type(p, "message", "feedback-report")) {
			rp = p;
			break;
		}
	}
	if (rp == NULL) {
		rc = errf(err, errcap, MOX_ENOTFOUND,
		    "no message/feedback-report part");
		goto done;
	}
	rc = mox_msg_part_decode(&body, &blen, NULL, t, rp);
	if (rc != MOX_OK) {
		rc = errf(err, errcap, rc, "cannot decode the report part");
		goto done;
	}
	fr = mox__calloc(1, sizeof(*fr));
	if (fr == NULL) {
		rc = errf(err, errcap, MOX_ENOMEM, "out of memory");
		goto done;
	}
	fr->info.version = MOX_DMARC_FAILURE_INFO_VERSION;
	rc = parse_fields(fr, body, blen, err, errcap);
	if (rc == MOX_OK)
		rc = parse_original(fr, t, rp, err, errcap);
	if (rc == MOX_OK) {
		*out = fr;
		fr = NULL;
	}
done:
	mox_dmarc_failure_free(fr);
	mox_msg_free(body);
	mox_msg_tree_free(t);
	return rc;
}

const mox_dmarc_failure_info *
mox_dmarc_failure_view(const mox_dmarc_failure *f)
{
	return f != NULL ? &f->info : NULL;
}

void
mox_dmarc_failure_free(mox_dmarc_failure *f)
{
	if (f == NULL)
		return;
	mox__arena_free(&f->arena);
	mox__free(f);
}
