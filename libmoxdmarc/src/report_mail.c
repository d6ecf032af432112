/* SPDX-License-Identifier: MIT */
/*
 * report_mail.c -- the report email of RFC 9990 (report delivery by
 * email) and RFC 7489 7.2.1.1: the Subject "Report Domain: ... Submitter: ... Report-ID:
 * ...", the attachment filename "receiver!policy-domain!begin!end[!id]
 * .xml[.gz]", gzip compression (RFC 1952, media type application/gzip of
 * RFC 6713) or plain text/xml, and the MIME message around them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "report-int.h"

void *
dmarc_report_zalloc(void *opaque, unsigned int items, unsigned int size)
{
	(void)opaque;
	return mox__reallocarray(NULL, items, size);
}

void
dmarc_report_zfree(void *opaque, void *p)
{
	(void)opaque;
	mox__free(p);
}

bool
dmarc_report_is_domain(const char *s)
{
	size_t i, label = 0;

	if (s == NULL || s[0] == '\0' || strlen(s) > 253)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (mox__isalpha(c) || mox__isdigit(c) || c == '-' ||
		    c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

static bool
alnum(const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (!mox__isalpha((unsigned char)s[i]) &&
		    !mox__isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

size_t
mox_dmarc_report_filename(char *buf, size_t cap, const char *receiver,
    const char *policy_domain, int64_t begin, int64_t end,
    const char *unique_id, bool gzip)
{
	mox__sbuf sb;

	if (buf != NULL && cap > 0)
		buf[0] = '\0';
	if (!dmarc_report_is_domain(receiver) ||
	    !dmarc_report_is_domain(policy_domain) || begin < 0 || end < 0 ||
	    (unique_id != NULL && !alnum(unique_id)))
		return 0;
	mox__sbuf_init(&sb, buf, cap);
	mox__sbuf_addf(&sb, "%s!%s!%" PRId64 "!%" PRId64, receiver,
	    policy_domain, begin, end);
	if (unique_id != NULL)
		mox__sbuf_addf(&sb, "!%s", unique_id);
	mox__sbuf_adds(&sb, gzip ? ".xml.gz" : ".xml");
	return sb.len;
}

/* RFC 5322 3.2.3 atext. */
static bool
atext(int c)
{
	return mox__isalpha(c) || mox__isdigit(c) ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool
dot_atom(const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (run == 0)
				return false;
			run = 0;
		} else if (atext((unsigned char)s[i])) {
			run++;
		} else {
			return false;
		}
	}
	return run > 0;
}

/* ridfmt = dot-atom-text ["@" dot-atom-text] (RFC 9990, Report-ID); the
 * start and length of the id without brackets, or false. */
static bool
ridtxt(const char *id, size_t *start, size_t *n)
{
	size_t len = strlen(id);
	const char *at;

	*start = 0;
	if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
		*start = 1;
		len -= 2;
	}
	*n = len;
	id += *start;
	at = memchr(id, '@', len);
	if (at == NULL)
		return dot_atom(id, len);
	return dot_atom(id, (size_t)(at - id)) &&
	    dot_atom(at + 1, len - (size_t)(at - id) - 1);
}

/* The Subject value, with fold points as CRLF SP when fold is set. */
static size_t
subject(mox__sbuf *sb, const char *domain, const char *submitter,
    const char *report_id, bool fold)
{
	size_t start, n;

	mox__sbuf_addf(sb, "Report Domain: %s%sSubmitter: %s", domain,
	    fold ? "\r\n " : " ", submitter);
	if (report_id != NULL && ridtxt(report_id, &start, &n)) {
		mox__sbuf_addf(sb, "%sReport-ID: <%.*s>", fold ? "\r\n " : " ",
		    (int)n, report_id + start);
	}
	return sb->len;
}

size_t
mox_dmarc_report_subject(char *buf, size_t cap, const char *policy_domain,
    const char *submitter, const char *report_id)
{
	mox__sbuf sb;

	if (buf != NULL && cap > 0)
		buf[0] = '\0';
	if (!dmarc_report_is_domain(policy_domain) ||
	    !dmarc_report_is_domain(submitter))
		return 0;
	mox__sbuf_init(&sb, buf, cap);
	return subject(&sb, policy_domain, submitter, report_id, false);
}

int
dmarc_report_gzip(uint8_t **out, size_t *out_len, const uint8_t *p,
    size_t len)
{
	z_stream z;
	mox__buf b = MOX__BUF_INIT;
	size_t off = 0;
	int zr, rc = MOX_OK;

	*out = NULL;
	*out_len = 0;
	memset(&z, 0, sizeof(z));
	z.zalloc = dmarc_report_zalloc;
	z.zfree = dmarc_report_zfree;
	/* windowBits 15 + 16: a gzip wrapper with mtime 0 and no name. */
	zr = deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY);
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? MOX_ENOMEM : MOX_EINVAL;
	do {
		size_t in = len - off > (1u << 30) ? (1u << 30) : len - off;
		int flush = off + in == len ? Z_FINISH : Z_NO_FLUSH;

		z.next_in = (Bytef *)(uintptr_t)(p + off);
		z.avail_in = (uInt)in;
		do {
			if (mox__buf_grow(&b, 65536) != MOX_OK) {
				rc = MOX_ENOMEM;
				goto done;
			}
			z.next_out = (Bytef *)b.p + b.len;
			z.avail_out = (uInt)(b.cap - b.len - 1);
			zr = deflate(&z, flush);
			b.len = b.cap - 1 - z.avail_out;
			if (zr == Z_STREAM_ERROR || zr == Z_MEM_ERROR) {
				rc = MOX_ENOMEM;
				goto done;
			}
		} while (z.avail_out == 0 ||
		    (flush == Z_FINISH && zr != Z_STREAM_END));
		off += in;
	} while (off < len);
done:
	deflateEnd(&z);
	if (rc != MOX_OK) {
		mox__buf_free(&b);
		return rc;
	}
	*out = (uint8_t *)mox__buf_detach(&b, out_len);
	return *out != NULL ? MOX_OK : MOX_ENOMEM;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 in lines of 76 characters with CRLF (RFC 2045 6.8). */
static void
base64(mox__buf *b, const uint8_t *p, size_t n)
{
	size_t i, col = 0;
	char q[4];

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		mox__buf_add(b, q, 4);
		col += 4;
		if (col == 76 && i + 3 < n) {
			mox__buf_adds(b, "\r\n");
			col = 0;
		}
	}
	mox__buf_adds(b, "\r\n");
}

/* A header field value we write as given: no control characters (so no
 * CR or LF that would end the field), not empty. */
static bool
field_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static bool
msgid_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>')
			return false;
	}
	return true;
}

/* "Mon, 02 Jan 2006 15:04:05 +0000" (RFC 5322 3.3), and "2006-01-02
 * 15:04:05" for the text part; no locale. */
static bool
fmt_time(char *buf, size_t cap, int64_t t, bool rfc5322)
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

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		return false;
	if (rfc5322)
		snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	return true;
}

/* The text part with CRLF line ends; whether it can go as 7bit (ASCII,
 * lines of at most 998 octets). */
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

int
mox_dmarc_report_message(char **out, size_t *out_len,
    const mox_dmarc_report_mail *mail, const mox_dmarc_report_meta *meta,
    const mox_dmarc_report_row *const *rows, size_t nrows)
{
	char *xml = NULL, fname[600], date[64], from_t[32], to_t[32];
	char subj[1200], boundary[64];
	const char *rid;
	uint8_t *att = NULL;
	size_t xml_len = 0, att_len = 0, n;
	mox__buf b = MOX__BUF_INIT, t = MOX__BUF_INIT;
	mox__sbuf sb;
	bool seven = true, fold;
	uint64_t h;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (mail == NULL || meta == NULL)
		return MOX_EINVAL;
	if (mail->version == 0 || mail->version > MOX_DMARC_REPORT_MAIL_VERSION)
		return MOX_EVERSION;
	if (!field_ok(mail->from) || !field_ok(mail->to) ||
	    !msgid_ok(mail->message_id) ||
	    !fmt_time(date, sizeof(date), mail->date, true) ||
	    meta->domain == NULL)
		return MOX_EINVAL;
	n = mox_dmarc_report_filename(fname, sizeof(fname), mail->submitter,
	    meta->domain, meta->begin, meta->end, mail->unique_id,
	    !mail->plain_xml);
	if (n == 0 || n >= sizeof(fname))
		return MOX_EINVAL;
	/* The Report-ID is optional in the Subject: a huge one is left out
	 * (the report carries it anyway). */
	rid = meta->report_id;
	mox__sbuf_init(&sb, subj, sizeof(subj));
	n = subject(&sb, meta->domain, mail->submitter, rid, false);
	if (n >= sizeof(subj) - 8) {
		rid = NULL;
		mox__sbuf_init(&sb, subj, sizeof(subj));
		n = subject(&sb, meta->domain, mail->submitter, rid, false);
	}
	fold = strlen("Subject: ") + n > 78;
	if (fold) {
		mox__sbuf_init(&sb, subj, sizeof(subj));
		subject(&sb, meta->domain, mail->submitter, rid, true);
	}

	rc = mox_dmarc_report_xml(&xml, &xml_len, meta, rows, nrows);
	if (rc != MOX_OK)
		return rc;
	if (!mail->plain_xml) {
		rc = dmarc_report_gzip(&att, &att_len, (const uint8_t *)xml,
		    xml_len);
		if (rc != MOX_OK)
			goto done;
	}

	/* The text part. */
	if (mail->text == NULL) {
		mox__buf d = MOX__BUF_INIT;

		if (!fmt_time(from_t, sizeof(from_t), meta->begin, false) ||
		    !fmt_time(to_t, sizeof(to_t), meta->end, false)) {
			rc = MOX_EINVAL;
			goto done;
		}
		mox__buf_addf(&d, "DMARC aggregate report (RFC %s)\n"
		    "Policy domain: %s\nSubmitter: %s\n"
		    "Reporting period: %s to %s UTC\n",
		    meta->format == MOX_DMARC_REPORT_RFC7489 ? "7489" : "9990",
		    meta->domain, mail->submitter, from_t, to_t);
		if (d.err == MOX_OK)
			seven = text_part(&t, d.p);
		else
			t.err = d.err;
		mox__buf_free(&d);
	} else if (mail->text[0] != '\0') {
		seven = text_part(&t, mail->text);
	}
	if (t.err != MOX_OK) {
		rc = MOX_ENOMEM;
		goto done;
	}

	/* A boundary that occurs in no part: base64 has no '-' or '_', the
	 * text part is checked. */
	h = fnv(xml, xml_len, 0xcbf29ce484222325ULL);
	do {
		snprintf(boundary, sizeof(boundary), "=_mox-dmarc-%016" PRIx64,
		    h);
		h = fnv("x", 1, h);
	} while (t.p != NULL && strstr(t.p, boundary) != NULL);

	mox__buf_addf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n"
	    "Date: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
	    "This is a DMARC aggregate report in MIME format.\r\n",
	    mail->from, mail->to, subj, date, mail->message_id, boundary);
	if (t.len > 0) {
		mox__buf_addf(&b, "\r\n--%s\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: %s\r\n\r\n", boundary,
		    seven ? "7bit" : "base64");
		if (seven)
			mox__buf_add(&b, t.p, t.len);
		else
			base64(&b, (const uint8_t *)t.p, t.len);
	}
	mox__buf_addf(&b, "\r\n--%s\r\n"
	    "Content-Type: %s; name=\"%s\"\r\n"
	    "Content-Disposition: attachment; filename=\"%s\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary,
	    mail->plain_xml ? "text/xml; charset=utf-8" : "application/gzip",
	    fname, fname);
	if (mail->plain_xml)
		base64(&b, (const uint8_t *)xml, xml_len);
	else
		base64(&b, att, att_len);
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
	mox__free(xml);
	mox__free(att);
	return rc;
}
