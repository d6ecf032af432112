/* SPDX-License-Identifier: MIT */
/*
 * text.c -- verdict and policy names, the dmarc resinfo of
 * Authentication-Results (RFC 8601 2.7.1; policy.dmarc from RFC 9989
 * 9.1), and the check of external report destinations (RFC 9990 3,
 * RFC 7489 7.1).
 */
#include <string.h>

#include "dmarc-int.h"

static const char *const verdicts[] = {
	"none", "pass", "fail", "temperror", "permerror"
};

static const char *const policies[] = {
	"", "none", "quarantine", "reject"
};

const char *
mox_dmarc_verdict_name(int verdict)
{
	if (verdict < 0 ||
	    (size_t)verdict >= sizeof(verdicts) / sizeof(verdicts[0]))
		return "unknown";
	return verdicts[verdict];
}

const char *
mox_dmarc_policy_name(int policy)
{
	if (policy < 0 ||
	    (size_t)policy >= sizeof(policies) / sizeof(policies[0]))
		return "";
	return policies[policy];
}

/* Text inside a comment: no parentheses, backslash or control
 * characters (RFC 5322 ctext). */
static void
add_ctext(mox__sbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '(' || c == ')' ||
		    c == '\\')
			c = '?';
		mox__sbuf_addc(sb, (char)c);
	}
}

/* A domain as a resinfo value: only characters of a dot-atom, so that
 * nothing from the message can end the field. */
static void
add_domain(mox__sbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (!mox__isalpha(c) && !mox__isdigit(c) && c != '.' &&
		    c != '-' && c != '_')
			c = '?';
		mox__sbuf_addc(sb, (char)c);
	}
}

size_t
mox_dmarc_authres(char *buf, size_t cap, const mox_dmarc_result *res)
{
	mox__sbuf sb;
	bool decided;

	mox__sbuf_init(&sb, buf, cap);
	if (res == NULL)
		return 0;
	decided = res->verdict == MOX_DMARC_PASS ||
	    res->verdict == MOX_DMARC_FAIL;
	mox__sbuf_adds(&sb, "dmarc=");
	mox__sbuf_adds(&sb, mox_dmarc_verdict_name(res->verdict));
	if (decided) {
		mox__sbuf_adds(&sb, " (");
		if (res->policy_requested > MOX_DMARC_P_UNSET &&
		    res->policy_requested <= MOX_DMARC_P_REJECT)
			mox__sbuf_addf(&sb, "p=%s ",
			    mox_dmarc_policy_name(res->policy_requested));
		mox__sbuf_addf(&sb, "dis=%s)",
		    mox_dmarc_policy_name(res->policy));
	} else if (res->reason != NULL && res->reason[0] != '\0') {
		mox__sbuf_adds(&sb, " (");
		add_ctext(&sb, res->reason);
		mox__sbuf_addc(&sb, ')');
	}
	if (res->from_domain != NULL && res->from_domain[0] != '\0') {
		mox__sbuf_adds(&sb, " header.from=");
		add_domain(&sb, res->from_domain);
	}
	if (decided && res->policy > MOX_DMARC_P_UNSET &&
	    res->policy <= MOX_DMARC_P_REJECT)
		mox__sbuf_addf(&sb, " policy.dmarc=%s",
		    mox_dmarc_policy_name(res->policy));
	return sb.len;
}

static size_t
name_len(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '.')
		n--;
	return n;
}

size_t
mox_dmarc_report_auth_name(char *buf, size_t cap, const char *domain,
    const char *dest)
{
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, cap);
	if (domain == NULL || dest == NULL)
		return 0;
	mox__sbuf_add(&sb, domain, name_len(domain));
	mox__sbuf_adds(&sb, "._report._dmarc.");
	mox__sbuf_add(&sb, dest, name_len(dest));
	return sb.len;
}

int
mox_dmarc_report_auth_check(const mox_dns_answer *ans)
{
	size_t i, n;

	if (ans == NULL)
		return MOX_EINVAL;
	if (mox_dns_answer_result(ans) != MOX_DNS_OK)
		return 0;
	n = mox_dns_answer_count(ans);
	for (i = 0; i < n; i++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, i);

		if (rr != NULL && rr->type == MOX_DNS_TXT &&
		    dmarc__is_record((const uint8_t *)rr->text,
		    rr->text_len))
			return 1;
	}
	return 0;
}
