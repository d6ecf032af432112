/* SPDX-License-Identifier: MIT */
/*
 * text.c -- verdict names, the Received-SPF header field value (RFC 7208
 * 9.1) and the SPF resinfo of Authentication-Results (RFC 8601 2.7.2).
 *
 * Everything that comes from the SMTP client (HELO name, MAIL FROM) is
 * written as a quoted-string or inside a comment with control characters
 * replaced, so a CR or LF in a HELO name cannot end the header field.
 */
#include <string.h>

#include "spf-int.h"

static const char *const verdicts[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror",
	"permerror"
};

const char *
mox_spf_verdict_name(int verdict)
{
	if (verdict < 0 ||
	    (size_t)verdict >= sizeof(verdicts) / sizeof(verdicts[0]))
		return "unknown";
	return verdicts[verdict];
}

int
mox_spf_verdict_parse(const char *name)
{
	size_t i;

	if (name == NULL)
		return MOX_ESYNTAX;
	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		if (mox__strcasecmp(name, verdicts[i]) == 0)
			return (int)i;
	}
	return MOX_ESYNTAX;
}

/* RFC 5322 3.2.3 atext. */
static bool
atext(int c)
{
	return mox__isalpha(c) || mox__isdigit(c) ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool
is_dot_atom(const char *s)
{
	size_t i, run = 0;

	for (i = 0; s[i] != '\0'; i++) {
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

/* Bytes of a value that may go in a header: control characters and DEL
 * become '?'; UTF-8 is kept (RFC 6532). */
static char
safe(unsigned char c)
{
	return c < 0x20 || c == 0x7f ? '?' : (char)c;
}

static void
add_quoted(mox__sbuf *sb, const char *s)
{
	mox__sbuf_addc(sb, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			mox__sbuf_addc(sb, '\\');
		mox__sbuf_addc(sb, safe((unsigned char)*s));
	}
	mox__sbuf_addc(sb, '"');
}

/* A value: dot-atom as is, else a quoted-string. */
static void
add_value(mox__sbuf *sb, const char *s)
{
	if (is_dot_atom(s))
		mox__sbuf_adds(sb, s);
	else
		add_quoted(sb, s);
}

/* Text inside a comment: parentheses and backslashes quoted. */
static void
add_ctext(mox__sbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '(' || *s == ')' || *s == '\\')
			mox__sbuf_addc(sb, '\\');
		mox__sbuf_addc(sb, safe((unsigned char)*s));
	}
}

/* The identity as checked, also for results without one. */
static const char *
checked_of(const mox_spf_result *res, const mox_spf_request *req,
    char *buf, size_t cap)
{
	mox__sbuf sb;

	if (res->checked != NULL)
		return res->checked;
	mox__sbuf_init(&sb, buf, cap);
	if (req->identity == MOX_SPF_MAILFROM && req->sender != NULL &&
	    req->sender[0] != '\0') {
		mox__sbuf_adds(&sb, req->sender);
	} else {
		mox__sbuf_adds(&sb, "postmaster@");
		mox__sbuf_adds(&sb, req->helo != NULL ? req->helo : "");
	}
	return buf;
}

size_t
mox_spf_received(char *buf, size_t cap, const mox_spf_result *res,
    const mox_spf_request *req, const char *receiver)
{
	char ip[MOX_IP_STRLEN], cb[600];
	const char *who;
	mox_ip unm;
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, buf == NULL ? 0 : cap);
	if (res == NULL || req == NULL)
		return 0;
	mox_ip_unmap(&unm, &req->ip);
	if (mox_ip_format(ip, sizeof(ip), &unm) == 0)
		ip[0] = '\0';
	who = checked_of(res, req, cb, sizeof(cb));

	mox__sbuf_adds(&sb, mox_spf_verdict_name(res->verdict));
	mox__sbuf_adds(&sb, " (");
	if (receiver != NULL) {
		add_ctext(&sb, receiver);
		mox__sbuf_adds(&sb, ": ");
	}
	switch (res->verdict) {
	case MOX_SPF_PASS:
		mox__sbuf_adds(&sb, "domain of ");
		add_ctext(&sb, who);
		mox__sbuf_adds(&sb, " designates ");
		mox__sbuf_adds(&sb, ip);
		mox__sbuf_adds(&sb, " as permitted sender");
		break;
	case MOX_SPF_FAIL:
	case MOX_SPF_SOFTFAIL:
		mox__sbuf_adds(&sb, res->verdict == MOX_SPF_SOFTFAIL ?
		    "domain of transitioning " : "domain of ");
		add_ctext(&sb, who);
		mox__sbuf_adds(&sb, " does not designate ");
		mox__sbuf_adds(&sb, ip);
		mox__sbuf_adds(&sb, " as permitted sender");
		break;
	case MOX_SPF_NEUTRAL:
		mox__sbuf_adds(&sb, ip);
		mox__sbuf_adds(&sb, " is neither permitted nor denied by "
		    "domain of ");
		add_ctext(&sb, who);
		break;
	case MOX_SPF_NONE:
		mox__sbuf_adds(&sb, "domain of ");
		add_ctext(&sb, who);
		mox__sbuf_adds(&sb, " does not designate permitted sender "
		    "hosts");
		break;
	case MOX_SPF_TEMPERROR:
		mox__sbuf_adds(&sb, "temporary error in processing the "
		    "domain of ");
		add_ctext(&sb, who);
		break;
	default:
		mox__sbuf_adds(&sb, "permanent error in processing the "
		    "domain of ");
		add_ctext(&sb, who);
		break;
	}
	mox__sbuf_adds(&sb, ")");

	if (receiver != NULL) {
		mox__sbuf_adds(&sb, " receiver=");
		add_value(&sb, receiver);
		mox__sbuf_addc(&sb, ';');
	}
	mox__sbuf_adds(&sb, " client-ip=");
	add_value(&sb, ip);
	mox__sbuf_adds(&sb, "; envelope-from=");
	add_value(&sb, req->identity == MOX_SPF_MAILFROM &&
	    req->sender != NULL ? req->sender : "");
	if (req->helo != NULL) {
		mox__sbuf_adds(&sb, "; helo=");
		add_value(&sb, req->helo);
	}
	mox__sbuf_adds(&sb, "; identity=");
	mox__sbuf_adds(&sb, req->identity == MOX_SPF_HELO ? "helo" :
	    "mailfrom");
	if (res->mechanism != NULL) {
		mox__sbuf_adds(&sb, "; mechanism=");
		add_value(&sb, res->mechanism);
	}
	if ((res->verdict == MOX_SPF_TEMPERROR ||
	    res->verdict == MOX_SPF_PERMERROR) && res->reason != NULL) {
		mox__sbuf_adds(&sb, "; problem=");
		add_value(&sb, res->reason);
	}
	return sb.len;
}

/* "local@domain" with a dot-atom local-part as is, else quoted. */
static void
add_pvalue(mox__sbuf *sb, const char *s)
{
	const char *at = strrchr(s, '@');
	bool plain;

	if (at != NULL) {
		char lp[256];
		size_t n = (size_t)(at - s);

		plain = n < sizeof(lp) && is_dot_atom(at + 1);
		if (plain && n > 0) {
			memcpy(lp, s, n);
			lp[n] = '\0';
			plain = is_dot_atom(lp);
		}
	} else {
		plain = is_dot_atom(s);
	}
	if (plain)
		mox__sbuf_adds(sb, s);
	else
		add_quoted(sb, s);
}

size_t
mox_spf_authres(char *buf, size_t cap, const mox_spf_result *res,
    const mox_spf_request *req)
{
	char cb[600];
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, buf == NULL ? 0 : cap);
	if (res == NULL || req == NULL)
		return 0;
	mox__sbuf_adds(&sb, "spf=");
	mox__sbuf_adds(&sb, mox_spf_verdict_name(res->verdict));
	if (res->reason != NULL && (res->verdict == MOX_SPF_TEMPERROR ||
	    res->verdict == MOX_SPF_PERMERROR)) {
		mox__sbuf_adds(&sb, " (");
		add_ctext(&sb, res->reason);
		mox__sbuf_addc(&sb, ')');
	}
	if (req->identity == MOX_SPF_HELO) {
		mox__sbuf_adds(&sb, " smtp.helo=");
		add_pvalue(&sb, req->helo != NULL ? req->helo : "");
	} else {
		mox__sbuf_adds(&sb, " smtp.mailfrom=");
		add_pvalue(&sb, checked_of(res, req, cb, sizeof(cb)));
	}
	return sb.len;
}
