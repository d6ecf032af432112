/* SPDX-License-Identifier: MIT */
/*
 * rrfmt.c -- records in presentation (master file) form. Everything written
 * here reads back through zone.c to the same rdata: rdata that does not
 * decode for its type, and types without a presentation form of ours, are
 * written in the RFC 3597 generic form "\# length hex".
 */
#include <stdio.h>
#include <string.h>

#include "dns-int.h"

/* Length of the name at d that ends exactly at n, else 0. */
static size_t
name_exact(const uint8_t *d, size_t n)
{
	size_t l = core_name_wire_len(d, n);

	return l == n ? l : 0;
}

static bool
caa_tag_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!mox__isalpha(s[i]) && !mox__isdigit(s[i]))
			return false;
	}
	return true;
}

/* Whether rdata has the shape our presentation form of type needs. */
static bool
decodes(uint16_t type, const uint8_t *d, size_t n)
{
	size_t l1, l2, i;

	switch (type) {
	case MOX_DNS_A:
		return n == 4;
	case MOX_DNS_AAAA:
		return n == 16;
	case MOX_DNS_NS:
	case MOX_DNS_CNAME:
	case MOX_DNS_PTR:
		return n > 0 && name_exact(d, n) != 0;
	case MOX_DNS_MX:
		return n > 2 && name_exact(d + 2, n - 2) != 0;
	case MOX_DNS_SRV:
		return n > 6 && name_exact(d + 6, n - 6) != 0;
	case MOX_DNS_SOA:
		l1 = core_name_wire_len(d, n);
		if (l1 == 0)
			return false;
		l2 = core_name_wire_len(d + l1, n - l1);
		return l2 != 0 && l1 + l2 + 20 == n;
	case MOX_DNS_TXT:
	case MOX_DNS_SPF:
		if (n == 0)
			return false;
		for (i = 0; i < n; i += 1 + (size_t)d[i]) {
			if ((size_t)d[i] > n - i - 1)
				return false;
		}
		return true;
	case MOX_DNS_TLSA:
		return n > 3;
	case MOX_DNS_SSHFP:
		return n > 2;
	case MOX_DNS_DS:
	case MOX_DNS_DNSKEY:
		return n > 4;
	case MOX_DNS_CAA:
		return n >= 2 && d[1] > 0 && (size_t)d[1] <= n - 2 &&
		    caa_tag_ok(d + 2, d[1]);
	default:
		return false;
	}
}

static void
put_name(mox__sbuf *sb, const uint8_t *d, size_t n)
{
	core_name_wire_to_text(sb, d, n);
	mox__sbuf_addc(sb, '.');
}

static void
put_hex(mox__sbuf *sb, const uint8_t *d, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char tmp[128];
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		tmp[o++] = hex[d[i] >> 4];
		tmp[o++] = hex[d[i] & 15];
		if (o == sizeof(tmp)) {
			mox__sbuf_add(sb, tmp, o);
			o = 0;
		}
	}
	mox__sbuf_add(sb, tmp, o);
}

static void
put_base64(mox__sbuf *sb, const uint8_t *d, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		char q[4] = { b64[d[i] >> 2],
			b64[(d[i] & 3) << 4 | d[i + 1] >> 4],
			b64[(d[i + 1] & 15) << 2 | d[i + 2] >> 6],
			b64[d[i + 2] & 63] };

		mox__sbuf_add(sb, q, 4);
	}
	if (n - i == 1) {
		char q[4] = { b64[d[i] >> 2], b64[(d[i] & 3) << 4], '=', '=' };

		mox__sbuf_add(sb, q, 4);
	} else if (n - i == 2) {
		char q[4] = { b64[d[i] >> 2],
			b64[(d[i] & 3) << 4 | d[i + 1] >> 4],
			b64[(d[i + 1] & 15) << 2], '=' };

		mox__sbuf_add(sb, q, 4);
	}
}

/* A quoted string: \" and \\ escaped, other non-printables as \DDD. */
static void
put_quoted(mox__sbuf *sb, const uint8_t *d, size_t n)
{
	size_t i;

	mox__sbuf_addc(sb, '"');
	for (i = 0; i < n; i++) {
		uint8_t c = d[i];

		if (c < 0x20 || c >= 0x7f) {
			mox__sbuf_addf(sb, "\\%03u", (unsigned int)c);
		} else if (c == '"' || c == '\\') {
			mox__sbuf_addc(sb, '\\');
			mox__sbuf_addc(sb, (char)c);
		} else {
			mox__sbuf_addc(sb, (char)c);
		}
	}
	mox__sbuf_addc(sb, '"');
}

static void
put_ip(mox__sbuf *sb, const uint8_t *d, int family)
{
	char tmp[MOX_IP_STRLEN];
	mox_ip ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = (uint8_t)family;
	memcpy(ip.addr, d, family == 4 ? 4 : 16);
	mox_ip_format(tmp, sizeof(tmp), &ip);
	mox__sbuf_adds(sb, tmp);
}

static void
put_generic(mox__sbuf *sb, const uint8_t *d, size_t n)
{
	mox__sbuf_addf(sb, "\\# %zu", n);
	if (n > 0) {
		mox__sbuf_addc(sb, ' ');
		put_hex(sb, d, n);
	}
}

static void
put_rdata(mox__sbuf *sb, uint16_t type, const uint8_t *d, size_t n)
{
	size_t i, l1;

	if (d == NULL && n > 0) {
		put_generic(sb, (const uint8_t *)"", 0);
		return;
	}
	if (!decodes(type, d, n)) {
		put_generic(sb, d, n);
		return;
	}
	switch (type) {
	case MOX_DNS_A:
		put_ip(sb, d, 4);
		break;
	case MOX_DNS_AAAA:
		put_ip(sb, d, 6);
		break;
	case MOX_DNS_NS:
	case MOX_DNS_CNAME:
	case MOX_DNS_PTR:
		put_name(sb, d, n);
		break;
	case MOX_DNS_MX:
		mox__sbuf_addf(sb, "%u ", (unsigned int)mox__get16(d));
		put_name(sb, d + 2, n - 2);
		break;
	case MOX_DNS_SRV:
		mox__sbuf_addf(sb, "%u %u %u ", (unsigned int)mox__get16(d),
		    (unsigned int)mox__get16(d + 2), (unsigned int)mox__get16(d + 4));
		put_name(sb, d + 6, n - 6);
		break;
	case MOX_DNS_SOA:
		l1 = core_name_wire_len(d, n);
		put_name(sb, d, l1);
		mox__sbuf_addc(sb, ' ');
		put_name(sb, d + l1, n - l1 - 20);
		d += n - 20;
		mox__sbuf_addf(sb, " %lu %lu %lu %lu %lu",
		    (unsigned long)mox__get32(d), (unsigned long)mox__get32(d + 4),
		    (unsigned long)mox__get32(d + 8), (unsigned long)mox__get32(d + 12),
		    (unsigned long)mox__get32(d + 16));
		break;
	case MOX_DNS_TXT:
	case MOX_DNS_SPF:
		for (i = 0; i < n; i += 1 + (size_t)d[i]) {
			if (i > 0)
				mox__sbuf_addc(sb, ' ');
			put_quoted(sb, d + i + 1, d[i]);
		}
		break;
	case MOX_DNS_TLSA:
		mox__sbuf_addf(sb, "%u %u %u ", (unsigned int)d[0],
		    (unsigned int)d[1], (unsigned int)d[2]);
		put_hex(sb, d + 3, n - 3);
		break;
	case MOX_DNS_SSHFP:
		mox__sbuf_addf(sb, "%u %u ", (unsigned int)d[0],
		    (unsigned int)d[1]);
		put_hex(sb, d + 2, n - 2);
		break;
	case MOX_DNS_DS:
		mox__sbuf_addf(sb, "%u %u %u ", (unsigned int)mox__get16(d),
		    (unsigned int)d[2], (unsigned int)d[3]);
		put_hex(sb, d + 4, n - 4);
		break;
	case MOX_DNS_DNSKEY:
		mox__sbuf_addf(sb, "%u %u %u ", (unsigned int)mox__get16(d),
		    (unsigned int)d[2], (unsigned int)d[3]);
		put_base64(sb, d + 4, n - 4);
		break;
	case MOX_DNS_CAA:
		mox__sbuf_addf(sb, "%u ", (unsigned int)d[0]);
		mox__sbuf_add(sb, d + 2, d[1]);
		mox__sbuf_addc(sb, ' ');
		put_quoted(sb, d + 2 + d[1], n - 2 - d[1]);
		break;
	default:
		put_generic(sb, d, n);
		break;
	}
}

size_t
mox_dns_rdata_format(char *buf, size_t cap, const mox_dns_rr *rr)
{
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, cap);
	if (rr != NULL)
		put_rdata(&sb, rr->type, rr->rdata, rr->rdlen);
	return sb.len;
}

size_t
mox_dns_rr_format(char *buf, size_t cap, const mox_dns_rr *rr)
{
	const char *name, *tname;
	mox__sbuf sb;
	size_t nl;

	mox__sbuf_init(&sb, buf, cap);
	if (rr == NULL)
		return 0;
	name = rr->name != NULL ? rr->name : "";
	nl = strlen(name);
	mox__sbuf_add(&sb, name, nl);
	/* Names in answers have no trailing dot; the root is "" (or "."). */
	if (nl != 1 || name[0] != '.')
		mox__sbuf_addc(&sb, '.');
	mox__sbuf_addf(&sb, "\t%lu\t", (unsigned long)rr->ttl);
	if (rr->rclass == 1 || rr->rclass == 0)
		mox__sbuf_adds(&sb, "IN");
	else
		mox__sbuf_addf(&sb, "CLASS%u", (unsigned int)rr->rclass);
	tname = mox_dns_type_name(rr->type);
	if (tname != NULL)
		mox__sbuf_addf(&sb, "\t%s\t", tname);
	else
		mox__sbuf_addf(&sb, "\tTYPE%u\t", (unsigned int)rr->type);
	put_rdata(&sb, rr->type, rr->rdata, rr->rdlen);
	return sb.len;
}
