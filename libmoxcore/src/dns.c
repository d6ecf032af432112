/* SPDX-License-Identifier: MIT */
/*
 * dns.c -- resolver core (question bookkeeping, delivery, timeouts), answers,
 * DNS wire format and names.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "dns-int.h"

/* --- names --- */

int
core_qname_check(char *out, size_t cap, const char *qname)
{
	size_t len, i, label = 0;

	if (qname == NULL)
		return MOX_EINVAL;
	len = strlen(qname);
	if (len == 0)
		return MOX_EEMPTY;
	if (len == 1 && qname[0] == '.') {
		if (cap < 1)
			return MOX_EBUFS;
		out[0] = '\0';
		return MOX_OK;
	}
	if (qname[len - 1] == '.')
		len--;
	if (len > MOX_DOMAIN_MAX)
		return MOX_ETOOLONG;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)qname[i];

		if (c == '.') {
			if (label == 0)
				return MOX_EEMPTY;
			label = 0;
			continue;
		}
		if (c < 0x20 || c >= 0x7f || c == '\\')
			return MOX_EINVAL;
		if (++label > MOX_LABEL_MAX)
			return MOX_ETOOLONG;
	}
	if (label == 0)
		return MOX_EEMPTY;
	if (cap < len + 1)
		return MOX_EBUFS;
	mox__memcpy(out, qname, len);
	out[len] = '\0';
	return MOX_OK;
}

int
core_name_to_wire(uint8_t out[CORE_NAME_WIRE_MAX], size_t *outlen,
    const char *s, size_t len, const uint8_t *origin, size_t originlen)
{
	size_t o = 0, i = 0, labstart;
	bool absolute = false;

	if (len == 1 && s[0] == '@') {
		if (origin == NULL || originlen == 0) {
			out[0] = 0;
			*outlen = 1;
			return MOX_OK;
		}
		memcpy(out, origin, originlen);
		*outlen = originlen;
		return MOX_OK;
	}
	if (len == 0)
		return MOX_EEMPTY;
	if (len == 1 && s[0] == '.') {
		out[0] = 0;
		*outlen = 1;
		return MOX_OK;
	}
	while (i < len) {
		labstart = o++;
		if (labstart >= CORE_NAME_WIRE_MAX - 1)
			return MOX_ETOOLONG;
		while (i < len && s[i] != '.') {
			unsigned int c = (unsigned char)s[i];

			if (c == '\\') {
				if (i + 1 >= len)
					return MOX_ESYNTAX;
				if (mox__isdigit(s[i + 1])) {
					if (i + 3 >= len + 0 ||
					    !mox__isdigit(s[i + 2]) ||
					    !mox__isdigit(s[i + 3]))
						return MOX_ESYNTAX;
					c = (unsigned int)(s[i + 1] - '0') * 100 +
					    (unsigned int)(s[i + 2] - '0') * 10 +
					    (unsigned int)(s[i + 3] - '0');
					if (c > 255)
						return MOX_ESYNTAX;
					i += 4;
				} else {
					c = (unsigned char)s[i + 1];
					i += 2;
				}
			} else {
				i++;
			}
			if (o - labstart - 1 >= MOX_LABEL_MAX)
				return MOX_ETOOLONG;
			if (o >= CORE_NAME_WIRE_MAX - 1)
				return MOX_ETOOLONG;
			out[o++] = (uint8_t)c;
		}
		if (o - labstart - 1 == 0)
			return MOX_EEMPTY;
		out[labstart] = (uint8_t)(o - labstart - 1);
		if (i < len) {
			/* at a dot */
			i++;
			if (i == len)
				absolute = true;
		}
	}
	if (!absolute && origin != NULL && originlen > 1) {
		if (o + originlen > CORE_NAME_WIRE_MAX)
			return MOX_ETOOLONG;
		memcpy(out + o, origin, originlen);
		o += originlen;
	} else {
		if (o + 1 > CORE_NAME_WIRE_MAX)
			return MOX_ETOOLONG;
		out[o++] = 0;
	}
	*outlen = o;
	return MOX_OK;
}

static void name_to_text(mox__sbuf *sb, const uint8_t *wire, size_t len,
    bool raw_space);

void
core_name_wire_to_text(mox__sbuf *sb, const uint8_t *wire, size_t len)
{
	name_to_text(sb, wire, len, false);
}

void
core_name_wire_to_qname(mox__sbuf *sb, const uint8_t *wire, size_t len)
{
	name_to_text(sb, wire, len, true);
}

static void
name_to_text(mox__sbuf *sb, const uint8_t *wire, size_t len, bool raw_space)
{
	size_t i = 0;
	bool first = true;

	while (i < len && wire[i] != 0) {
		size_t l = wire[i++];

		if (!first)
			mox__sbuf_addc(sb, '.');
		first = false;
		for (size_t k = 0; k < l && i < len; k++, i++) {
			unsigned char c = wire[i];

			if (c == ' ' && raw_space) {
				mox__sbuf_addc(sb, ' ');
			} else if (c <= 0x20 || c >= 0x7f) {
				mox__sbuf_addf(sb, "\\%03u", c);
			} else if (c == '.' || c == '\\' || c == '"' ||
			    c == ';' || c == '(' || c == ')' || c == '@' ||
			    c == '$') {
				mox__sbuf_addc(sb, '\\');
				mox__sbuf_addc(sb, (char)c);
			} else {
				mox__sbuf_addc(sb, (char)c);
			}
		}
	}
}

size_t
core_name_wire_len(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t l = p[i];

		if (l == 0)
			return i + 1 <= CORE_NAME_WIRE_MAX ? i + 1 : 0;
		if (l > MOX_LABEL_MAX)
			return 0;
		i += 1 + (size_t)l;
	}
	return 0;
}

int
core_name_unpack(uint8_t out[CORE_NAME_WIRE_MAX], size_t *outlen,
    const uint8_t *msg, size_t msglen, size_t *off)
{
	size_t p = *off, o = 0, end = 0;
	int hops = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (p >= msglen)
			return MOX_ESYNTAX;
		l = msg[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= msglen)
				return MOX_ESYNTAX;
			if (!jumped)
				end = p + 2;
			jumped = true;
			if (++hops > 64)
				return MOX_ESYNTAX;
			p = ((size_t)(l & 0x3f) << 8) | msg[p + 1];
			continue;
		}
		if ((l & 0xc0) != 0)
			return MOX_ESYNTAX; /* extended label types */
		if (l == 0) {
			if (o + 1 > CORE_NAME_WIRE_MAX)
				return MOX_ESYNTAX;
			out[o++] = 0;
			if (!jumped)
				end = p + 1;
			break;
		}
		if (p + 1 + l > msglen || o + 1 + l + 1 > CORE_NAME_WIRE_MAX)
			return MOX_ESYNTAX;
		memcpy(out + o, msg + p, 1 + (size_t)l);
		o += 1 + (size_t)l;
		p += 1 + (size_t)l;
	}
	*outlen = o;
	*off = end;
	return MOX_OK;
}

static bool
wire_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		if (mox__lower(a[i]) != mox__lower(b[i]))
			return false;
	}
	return true;
}

/* Presentation text of a wire name, in the arena. */
static const char *
arena_name_text(mox__arena *a, const uint8_t *wire, size_t len)
{
	char tmp[4 * CORE_NAME_WIRE_MAX + 1];
	mox__sbuf sb;

	mox__sbuf_init(&sb, tmp, sizeof(tmp));
	core_name_wire_to_text(&sb, wire, len);
	if (sb.len >= sizeof(tmp))
		return NULL;
	return mox__arena_strndup(a, tmp, sb.len);
}

/* --- record decoding --- */

/* The name at rdata+off that must end exactly at rdlen when last. */
static int
decode_name(mox__arena *a, const mox_dns_rr *rr, size_t off, bool last,
    const char **out, size_t *used)
{
	size_t n;

	if (off >= rr->rdlen)
		return MOX_EINVAL;
	n = core_name_wire_len(rr->rdata + off, rr->rdlen - off);
	if (n == 0 || (last && off + n != rr->rdlen))
		return MOX_EINVAL;
	*out = arena_name_text(a, rr->rdata + off, n);
	if (*out == NULL)
		return MOX_ENOMEM;
	if (used != NULL)
		*used = n;
	return MOX_OK;
}

int
core_rr_decode(mox__arena *a, mox_dns_rr *rr)
{
	const uint8_t *d = rr->rdata;
	size_t n = rr->rdlen, used;
	int rc;

	switch (rr->type) {
	case MOX_DNS_A:
		if (n != 4)
			return MOX_EINVAL;
		rr->ip.family = 4;
		memcpy(rr->ip.addr, d, 4);
		return MOX_OK;
	case MOX_DNS_AAAA:
		if (n != 16)
			return MOX_EINVAL;
		rr->ip.family = 6;
		memcpy(rr->ip.addr, d, 16);
		return MOX_OK;
	case MOX_DNS_CNAME:
	case MOX_DNS_NS:
	case MOX_DNS_PTR:
		return decode_name(a, rr, 0, true, &rr->target, NULL);
	case MOX_DNS_MX:
		if (n < 3)
			return MOX_EINVAL;
		rr->preference = mox__get16(d);
		return decode_name(a, rr, 2, true, &rr->target, NULL);
	case MOX_DNS_SRV:
		if (n < 7)
			return MOX_EINVAL;
		rr->preference = mox__get16(d);
		rr->weight = mox__get16(d + 2);
		rr->port = mox__get16(d + 4);
		return decode_name(a, rr, 6, true, &rr->target, NULL);
	case MOX_DNS_SOA: {
		const char *rname;
		size_t used2;

		rc = decode_name(a, rr, 0, false, &rr->target, &used);
		if (rc != MOX_OK)
			return rc;
		rc = decode_name(a, rr, used, false, &rname, &used2);
		if (rc != MOX_OK)
			return rc;
		if (used + used2 + 20 != n)
			return MOX_EINVAL;
		return MOX_OK;
	}
	case MOX_DNS_TXT:
	case MOX_DNS_SPF: {
		size_t count = 0, total = 0, i = 0, k = 0;
		mox_slice *strs;
		char *text;

		if (n == 0)
			return MOX_EINVAL;
		while (i < n) {
			size_t l = d[i];

			if (i + 1 + l > n)
				return MOX_EINVAL;
			count++;
			total += l;
			i += 1 + l;
		}
		strs = mox__arena_alloc(a, count * sizeof(*strs));
		text = mox__arena_alloc(a, total + 1);
		if (strs == NULL || text == NULL)
			return MOX_ENOMEM;
		total = 0;
		for (i = 0; i < n; k++) {
			size_t l = d[i];

			strs[k].ptr = d + i + 1;
			strs[k].len = l;
			if (l > 0)
				memcpy(text + total, d + i + 1, l);
			total += l;
			i += 1 + l;
		}
		text[total] = '\0';
		rr->strings = strs;
		rr->nstrings = count;
		rr->text = text;
		rr->text_len = total;
		return MOX_OK;
	}
	case MOX_DNS_TLSA:
		if (n < 3)
			return MOX_EINVAL;
		rr->tlsa_usage = d[0];
		rr->tlsa_selector = d[1];
		rr->tlsa_mtype = d[2];
		rr->tlsa_data = d + 3;
		rr->tlsa_len = n - 3;
		return MOX_OK;
	default:
		return MOX_OK;
	}
}

/* --- answers --- */

/* A new answer for a name that passed core_qname_check() already. */
int
core_answer_new_checked(mox_dns_answer **out, const char *name,
    uint16_t qtype, int result, int rcode)
{
	mox_dns_answer *a;

	*out = NULL;
	if (result < MOX_DNS_OK || result > MOX_DNS_ERROR)
		return MOX_EINVAL;
	if (strcmp(name, ".") == 0)
		name = ""; /* answers hold the root as "" */
	a = mox__calloc(1, sizeof(*a));
	if (a == NULL)
		return MOX_ENOMEM;
	a->qname = mox__arena_strndup(&a->arena, name, strlen(name));
	if (a->qname == NULL) {
		mox_dns_answer_free(a);
		return MOX_ENOMEM;
	}
	a->canonname = a->qname;
	a->qtype = qtype;
	a->result = result;
	a->rcode = rcode;
	*out = a;
	return MOX_OK;
}

static int
answer_alloc(mox_dns_answer **out, const char *qname, uint16_t qtype,
    int result, int rcode)
{
	char name[MOX_DOMAIN_MAX + 1];
	int rc;

	*out = NULL;
	rc = core_qname_check(name, sizeof(name), qname);
	if (rc != MOX_OK)
		return rc == MOX_ENOMEM ? rc : MOX_EINVAL;
	return core_answer_new_checked(out, name, qtype, result, rcode);
}

int
mox_dns_answer_new(mox_dns_answer **out, const char *qname, uint16_t qtype,
    int result, int rcode)
{
	if (out == NULL)
		return MOX_EINVAL;
	return answer_alloc(out, qname, qtype, result, rcode);
}

static int
forced_rcode(int result)
{
	switch (result) {
	case MOX_DNS_NXDOMAIN:
		return 3;
	case MOX_DNS_SERVFAIL:
	case MOX_DNS_TIMEOUT:
	case MOX_DNS_BOGUS:
		return 2;
	case MOX_DNS_ERROR:
		return 5;
	default:
		return 0;
	}
}

int
core_answer_forced(mox_dns_answer **out, const char *qname, uint16_t qtype,
    int result)
{
	return answer_alloc(out, qname, qtype, result, forced_rcode(result));
}

void
core_answer_finish(mox_dns_answer *a)
{
	if (a->result == MOX_DNS_OK && a->nrrs == 0)
		a->result = MOX_DNS_NODATA;
}

int
core_answer_set_why_bogus(mox_dns_answer *a, const char *why)
{
	if (why == NULL) {
		a->why_bogus = NULL;
		return MOX_OK;
	}
	a->why_bogus = mox__arena_strndup(&a->arena, why, strlen(why));
	return a->why_bogus == NULL ? MOX_ENOMEM : MOX_OK;
}

static void
answer_note_ttl(mox_dns_answer *a, uint32_t ttl)
{
	if (!a->have_ttl || ttl < a->ttl)
		a->ttl = ttl;
	a->have_ttl = true;
}

/* Append a record; owner text and rdata are copied. Checks the chain. */
/* Whether two presentation-form names are the same name, escapes
 * resolved ("a\\032b" is "a b"), ignoring ASCII case. */
static bool
same_name(const char *x, const char *y)
{
	uint8_t wx[CORE_NAME_WIRE_MAX], wy[CORE_NAME_WIRE_MAX];
	size_t lx, ly;

	if (core_name_to_wire(wx, &lx, x, strlen(x), NULL, 0) != MOX_OK ||
	    core_name_to_wire(wy, &ly, y, strlen(y), NULL, 0) != MOX_OK ||
	    lx != ly)
		return false;
	for (size_t i = 0; i < lx; i++) {
		if (mox__lower(wx[i]) != mox__lower(wy[i]))
			return false;
	}
	return true;
}

static int
answer_add(mox_dns_answer *a, const char *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen)
{
	mox_dns_rr rr;
	int rc;

	if (rdlen > 0xffff || (rdlen > 0 && rdata == NULL))
		return MOX_EINVAL;
	if (mox__strcasecmp(owner, a->canonname) != 0 &&
	    !same_name(owner, a->canonname))
		return MOX_EINVAL;
	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	rr.rclass = 1;
	rr.ttl = ttl;
	rr.rdlen = rdlen;
	rr.rdata = mox__arena_memdup(&a->arena, rdata, rdlen);
	/* The owner is the current canonical name (checked above), which
	 * the arena holds already. */
	rr.name = a->canonname;
	if (rr.rdata == NULL || rr.name == NULL)
		return MOX_ENOMEM;
	rc = core_rr_decode(&a->arena, &rr);
	if (rc != MOX_OK)
		return rc;

	if (type == MOX_DNS_CNAME && a->qtype != MOX_DNS_CNAME) {
		if (a->nrrs > 0)
			return MOX_EINVAL;
		if (a->ncnames >= CORE_CNAME_MAX)
			return MOX_ELIMIT;
		if (a->ncnames == a->cnames_cap) {
			size_t ncap = a->cnames_cap ? a->cnames_cap * 2 : 4;
			const char **np = mox__arena_alloc(&a->arena,
			    ncap * sizeof(*np));

			if (np == NULL)
				return MOX_ENOMEM;
			if (a->ncnames > 0)
				memcpy(np, a->cnames,
				    a->ncnames * sizeof(*np));
			a->cnames = np;
			a->cnames_cap = ncap;
		}
		a->cnames[a->ncnames++] = rr.target;
		a->canonname = rr.target;
		answer_note_ttl(a, ttl);
		return MOX_OK;
	}
	if (type != a->qtype)
		return MOX_EINVAL;
	if (a->nrrs == a->rrs_cap || a->rrs_inline) {
		size_t ncap = a->rrs_cap ? a->rrs_cap * 2 : 4;
		mox_dns_rr *np = mox__reallocarray(
		    a->rrs_inline ? NULL : a->rrs, ncap, sizeof(*np));

		if (np == NULL)
			return MOX_ENOMEM;
		if (a->rrs_inline && a->nrrs > 0)
			memcpy(np, a->rrs, a->nrrs * sizeof(*np));
		a->rrs = np;
		a->rrs_cap = ncap;
		a->rrs_inline = false;
	}
	a->rrs[a->nrrs++] = rr;
	answer_note_ttl(a, ttl);
	return MOX_OK;
}

int
mox_dns_answer_add(mox_dns_answer *a, const char *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	char name[4 * CORE_NAME_WIRE_MAX + 1];
	size_t len;

	if (a == NULL || owner == NULL)
		return MOX_EINVAL;
	/* Presentation form as answers hold it (escapes allowed); one
	 * trailing dot is dropped, "." is the root. */
	len = strlen(owner);
	if (len > 0 && owner[len - 1] == '.' &&
	    (len < 2 || owner[len - 2] != '\\'))
		len--;
	if (len >= sizeof(name))
		return MOX_EINVAL;
	memcpy(name, owner, len);
	name[len] = '\0';
	return answer_add(a, name, type, ttl, rdata, rdlen);
}

void
mox_dns_answer_set_secure(mox_dns_answer *a, bool secure)
{
	if (a != NULL)
		a->secure = secure;
}

void
mox_dns_answer_free(mox_dns_answer *a)
{
	if (a == NULL)
		return;
	if (!a->rrs_inline)
		mox__free(a->rrs);
	mox__arena_free(&a->arena);
	mox__free(a);
}

int
mox_dns_answer_result(const mox_dns_answer *a)
{
	if (a->result == MOX_DNS_OK && a->nrrs == 0)
		return MOX_DNS_NODATA;
	return a->result;
}

int
mox_dns_answer_rcode(const mox_dns_answer *a)
{
	return a->rcode;
}

bool
mox_dns_answer_secure(const mox_dns_answer *a)
{
	return a->secure;
}

const char *
mox_dns_answer_why_bogus(const mox_dns_answer *a)
{
	return a->result == MOX_DNS_BOGUS ? a->why_bogus : NULL;
}

const char *
mox_dns_answer_qname(const mox_dns_answer *a)
{
	return a->qname;
}

uint16_t
mox_dns_answer_qtype(const mox_dns_answer *a)
{
	return a->qtype;
}

const char *
mox_dns_answer_canonname(const mox_dns_answer *a)
{
	return a->canonname;
}

size_t
mox_dns_answer_cname_count(const mox_dns_answer *a)
{
	return a->ncnames;
}

const char *
mox_dns_answer_cname(const mox_dns_answer *a, size_t i)
{
	return i < a->ncnames ? a->cnames[i] : NULL;
}

size_t
mox_dns_answer_count(const mox_dns_answer *a)
{
	return a->nrrs;
}

const mox_dns_rr *
mox_dns_answer_rr(const mox_dns_answer *a, size_t i)
{
	return i < a->nrrs ? &a->rrs[i] : NULL;
}

uint32_t
mox_dns_answer_ttl(const mox_dns_answer *a)
{
	return a->have_ttl ? a->ttl : 0;
}

/* --- wire format --- */

struct wire_rr {
	uint8_t owner[CORE_NAME_WIRE_MAX];
	size_t ownerlen;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	const uint8_t *rdata; /* uncompressed, in the answer's arena */
	size_t rdlen;
};

/* Types whose rdata holds names that may be compressed (RFC 3597 4). */
static int
rdata_uncompress(mox__arena *ar, const uint8_t *msg, size_t msglen,
    size_t off, size_t rdlen, uint16_t type, const uint8_t **out,
    size_t *outlen)
{
	uint8_t buf[2 * CORE_NAME_WIRE_MAX + 32];
	size_t end = off + rdlen, o = 0, p = off, nl;
	int names, fixed_before, fixed_after;
	uint8_t name[CORE_NAME_WIRE_MAX];

	/* Names in rdata are read with the rdata's end as the message's end:
	 * compression pointers may point back anywhere, but a name never runs
	 * past its rdata. */
	(void)msglen;
	switch (type) {
	case MOX_DNS_CNAME:
	case MOX_DNS_NS:
	case MOX_DNS_PTR:
		fixed_before = 0, names = 1, fixed_after = 0;
		break;
	case MOX_DNS_MX:
		fixed_before = 2, names = 1, fixed_after = 0;
		break;
	case MOX_DNS_SRV:
		fixed_before = 6, names = 1, fixed_after = 0;
		break;
	case MOX_DNS_SOA:
		fixed_before = 0, names = 2, fixed_after = 20;
		break;
	default:
		*out = mox__arena_memdup(ar, msg + off, rdlen);
		*outlen = rdlen;
		return *out == NULL ? MOX_ENOMEM : MOX_OK;
	}
	if ((size_t)fixed_before > rdlen)
		return MOX_ESYNTAX;
	memcpy(buf, msg + p, (size_t)fixed_before);
	o += (size_t)fixed_before;
	p += (size_t)fixed_before;
	for (int i = 0; i < names; i++) {
		if (p >= end)
			return MOX_ESYNTAX;
		if (core_name_unpack(name, &nl, msg, end, &p) != MOX_OK)
			return MOX_ESYNTAX;
		memcpy(buf + o, name, nl);
		o += nl;
	}
	if (end - p != (size_t)fixed_after)
		return MOX_ESYNTAX;
	memcpy(buf + o, msg + p, (size_t)fixed_after);
	o += (size_t)fixed_after;
	*out = mox__arena_memdup(ar, buf, o);
	*outlen = o;
	return *out == NULL ? MOX_ENOMEM : MOX_OK;
}

static int
parse_rr(mox__arena *ar, const uint8_t *msg, size_t len, size_t *off,
    struct wire_rr *rr)
{
	size_t rdlen;
	int rc;

	if (core_name_unpack(rr->owner, &rr->ownerlen, msg, len, off) !=
	    MOX_OK)
		return MOX_ESYNTAX;
	if (len - *off < 10)
		return MOX_ESYNTAX;
	rr->type = mox__get16(msg + *off);
	rr->rclass = mox__get16(msg + *off + 2);
	rr->ttl = mox__get32(msg + *off + 4);
	if (rr->ttl > 0x7fffffff) /* RFC 2181 8 */
		rr->ttl = 0;
	rdlen = mox__get16(msg + *off + 8);
	*off += 10;
	if (len - *off < rdlen)
		return MOX_ESYNTAX;
	rc = rdata_uncompress(ar, msg, len, *off, rdlen, rr->type,
	    &rr->rdata, &rr->rdlen);
	if (rc != MOX_OK)
		return rc;
	*off += rdlen;
	return MOX_OK;
}

static int
skip_rr(const uint8_t *msg, size_t len, size_t *off)
{
	uint8_t name[CORE_NAME_WIRE_MAX];
	size_t nl, rdlen;

	if (core_name_unpack(name, &nl, msg, len, off) != MOX_OK)
		return MOX_ESYNTAX;
	if (len - *off < 10)
		return MOX_ESYNTAX;
	rdlen = mox__get16(msg + *off + 8);
	*off += 10;
	if (len - *off < rdlen)
		return MOX_ESYNTAX;
	*off += rdlen;
	return MOX_OK;
}

int
mox_dns_answer_from_wire(mox_dns_answer **out, const uint8_t *msg,
    size_t len, bool secure)
{
	uint8_t qname[CORE_NAME_WIRE_MAX], cur[CORE_NAME_WIRE_MAX];
	size_t qnamelen, curlen, off = 12, ancount, nscount, i;
	struct wire_rr *rrs = NULL;
	mox_dns_answer *a = NULL;
	char qtext[4 * CORE_NAME_WIRE_MAX + 1];
	mox__sbuf sb;
	uint16_t qtype, flags;
	int rc, rcode, result, steps;
	bool *used = NULL;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (msg == NULL || len < 12)
		return MOX_ESYNTAX;
	flags = mox__get16(msg + 2);
	if ((flags & 0x8000) == 0 || mox__get16(msg + 4) != 1)
		return MOX_ESYNTAX; /* not a response with one question */
	rcode = flags & 0xf;
	ancount = mox__get16(msg + 6);
	nscount = mox__get16(msg + 8);
	if (core_name_unpack(qname, &qnamelen, msg, len, &off) != MOX_OK)
		return MOX_ESYNTAX;
	if (len - off < 4)
		return MOX_ESYNTAX;
	qtype = mox__get16(msg + off);
	off += 4;

	mox__sbuf_init(&sb, qtext, sizeof(qtext));
	core_name_wire_to_qname(&sb, qname, qnamelen);
	if (sb.len == 0)
		mox__sbuf_addc(&sb, '.');
	if (sb.len >= sizeof(qtext))
		return MOX_ESYNTAX;
	switch (rcode) {
	case 0:
		result = MOX_DNS_OK;
		break;
	case 2:
		result = MOX_DNS_SERVFAIL;
		break;
	case 3:
		result = MOX_DNS_NXDOMAIN;
		break;
	default:
		result = MOX_DNS_ERROR;
		break;
	}
	rc = answer_alloc(&a, qtext, qtype, result, rcode);
	if (rc != MOX_OK) {
		/* A name we cannot represent as a qname (escapes). */
		return rc == MOX_ENOMEM ? rc : MOX_ESYNTAX;
	}
	a->secure = secure;

	if (ancount > 0) {
		rrs = mox__calloc(ancount, sizeof(*rrs));
		used = mox__calloc(ancount, sizeof(*used));
		if (rrs == NULL || used == NULL) {
			rc = MOX_ENOMEM;
			goto fail;
		}
	}
	for (i = 0; i < ancount; i++) {
		rc = parse_rr(&a->arena, msg, len, &off, &rrs[i]);
		if (rc != MOX_OK)
			goto fail;
	}

	/* Follow the CNAME chain from the question's name. */
	memcpy(cur, qname, qnamelen);
	curlen = qnamelen;
	for (steps = 0; qtype != MOX_DNS_CNAME; steps++) {
		bool found = false;

		for (i = 0; i < ancount; i++) {
			if (!used[i] && rrs[i].type == MOX_DNS_CNAME &&
			    rrs[i].rclass == 1 &&
			    wire_name_eq(rrs[i].owner, rrs[i].ownerlen, cur,
			    curlen)) {
				found = true;
				break;
			}
		}
		if (!found)
			break;
		if (steps >= CORE_CNAME_MAX) {
			rc = MOX_ESYNTAX;
			goto fail;
		}
		used[i] = true;
		rc = answer_add(a, a->canonname, MOX_DNS_CNAME, rrs[i].ttl,
		    rrs[i].rdata, rrs[i].rdlen);
		if (rc != MOX_OK)
			goto fail_syntax;
		curlen = rrs[i].rdlen;
		memcpy(cur, rrs[i].rdata, curlen);
	}
	for (i = 0; i < ancount; i++) {
		if (rrs[i].type != qtype || rrs[i].rclass != 1 || used[i] ||
		    !wire_name_eq(rrs[i].owner, rrs[i].ownerlen, cur, curlen))
			continue;
		rc = answer_add(a, a->canonname, qtype, rrs[i].ttl,
		    rrs[i].rdata, rrs[i].rdlen);
		if (rc != MOX_OK)
			goto fail_syntax;
	}

	/* Negative caching TTL from the authority section's SOA (RFC 2308). */
	if (a->nrrs == 0) {
		for (i = 0; i < nscount; i++) {
			struct wire_rr ns;
			size_t save = off;

			if (parse_rr(&a->arena, msg, len, &off, &ns) != MOX_OK) {
				off = save;
				if (skip_rr(msg, len, &off) != MOX_OK)
					break;
				continue;
			}
			if (ns.type == MOX_DNS_SOA && ns.rdlen >= 22) {
				uint32_t min = mox__get32(ns.rdata + ns.rdlen - 4);

				answer_note_ttl(a, ns.ttl < min ? ns.ttl : min);
				break;
			}
		}
	}
	mox__free(rrs);
	mox__free(used);
	core_answer_finish(a);
	*out = a;
	return MOX_OK;

fail_syntax:
	if (rc != MOX_ENOMEM)
		rc = MOX_ESYNTAX;
fail:
	mox__free(rrs);
	mox__free(used);
	mox_dns_answer_free(a);
	return rc;
}

/* --- type, result and rcode names --- */

static const struct {
	uint16_t type;
	const char *name;
} type_names[] = {
	{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
	{ 13, "HINFO" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" },
	{ 33, "SRV" }, { 35, "NAPTR" }, { 39, "DNAME" }, { 43, "DS" },
	{ 44, "SSHFP" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" },
	{ 50, "NSEC3" }, { 51, "NSEC3PARAM" }, { 52, "TLSA" }, { 59, "CDS" },
	{ 60, "CDNSKEY" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" },
	{ 255, "ANY" }, { 257, "CAA" },
};

const char *
mox_dns_type_name(uint16_t type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(*type_names); i++) {
		if (type_names[i].type == type)
			return type_names[i].name;
	}
	return NULL;
}

int
mox_dns_type_parse(uint16_t *out, const char *s)
{
	unsigned long v = 0;
	size_t i;

	if (out == NULL || s == NULL)
		return MOX_EINVAL;
	for (i = 0; i < sizeof(type_names) / sizeof(*type_names); i++) {
		if (mox__strcasecmp(s, type_names[i].name) == 0) {
			*out = type_names[i].type;
			return MOX_OK;
		}
	}
	if (mox__strncasecmp(s, "TYPE", 4) != 0 || s[4] == '\0')
		return MOX_ESYNTAX;
	for (i = 4; s[i] != '\0'; i++) {
		if (!mox__isdigit(s[i]) || i > 9)
			return MOX_ESYNTAX;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535 || (s[4] == '0'))
		return MOX_ESYNTAX;
	*out = (uint16_t)v;
	return MOX_OK;
}

const char *
mox_dns_result_name(int result)
{
	static const char *const names[] = {
		"ok", "nodata", "nxdomain", "servfail", "timeout", "bogus",
		"error",
	};

	if (result < 0 || (size_t)result >= sizeof(names) / sizeof(*names))
		return NULL;
	return names[result];
}

const char *
mox_dns_rcode_name(int rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE",
	};

	if (rcode < 0 || (size_t)rcode >= sizeof(names) / sizeof(*names))
		return NULL;
	return names[rcode];
}

/* --- resolver core --- */

struct pending {
	struct pending *next;
	uint64_t qid;
	mox_dns_cb cb;
	void *arg;
	int64_t deadline; /* monotonic ms */
	mox_dns_answer *ans;
	bool done;
	bool sync; /* owned by a mox_dns_lookup() loop, not delivered */
	uint16_t qtype;
	char qname[MOX_DOMAIN_MAX + 1];
};

struct mox_resolver {
	struct core_backend be;
	core_lookup_raw_fn lookup_raw;
	void *impl;
	int kind;
	mox__logger log;
	unsigned int timeout_ms;
	pthread_mutex_t mu; /* pending list, qids, eventfd */
	struct pending *head;
	struct pending *tail;
	size_t npending;
	uint64_t next_qid;
	int efd;
	int epfd;
	int befd;
	char errmsg[512];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
core_resolver_new(mox_resolver **out, const struct core_backend *be,
    void *impl, int kind)
{
	struct epoll_event ev;
	mox_resolver *r;

	*out = NULL;
	r = mox__calloc(1, sizeof(*r));
	if (r == NULL)
		return MOX_ENOMEM;
	r->be = *be;
	r->impl = impl;
	r->kind = kind;
	r->next_qid = 1;
	r->efd = r->epfd = -1;
	if (pthread_mutex_init(&r->mu, NULL) != 0) {
		mox__free(r);
		return MOX_ENOMEM;
	}
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->efd < 0 || r->epfd < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->efd, &ev) != 0)
		goto fail;
	r->befd = be->fd != NULL ? be->fd(impl) : -1;
	if (r->befd >= 0 &&
	    epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->befd, &ev) != 0)
		goto fail;
	*out = r;
	return MOX_OK;

fail:
	if (r->efd >= 0)
		close(r->efd);
	if (r->epfd >= 0)
		close(r->epfd);
	pthread_mutex_destroy(&r->mu);
	mox__free(r);
	return MOX_EIO;
}

void *
core_resolver_impl(const mox_resolver *r, int kind)
{
	if (r == NULL || r->kind != kind)
		return NULL;
	return r->impl;
}

void
core_resolver_seterr(mox_resolver *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
}

const mox__logger *
core_resolver_logger(const mox_resolver *r)
{
	return &r->log;
}

unsigned int
core_resolver_timeout_ms(const mox_resolver *r)
{
	return r->timeout_ms ? r->timeout_ms : CORE_DEFAULT_TIMEOUT_MS;
}

int
mox_resolver_new_custom(mox_resolver **out, const mox_resolver_ops *ops,
    void *impl)
{
	struct core_backend be;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (ops == NULL || ops->query == NULL)
		return MOX_EINVAL;
	if (ops->version < 1 || ops->version > MOX_RESOLVER_OPS_VERSION)
		return MOX_EVERSION;
	memset(&be, 0, sizeof(be));
	be.query = ops->query;
	be.cancel = ops->cancel;
	be.fd = ops->fd;
	be.process = ops->process;
	be.destroy = ops->destroy;
	return core_resolver_new(out, &be, impl, CORE_KIND_CUSTOM);
}

void
core_resolver_set_lookup_raw(mox_resolver *r, core_lookup_raw_fn fn)
{
	r->lookup_raw = fn;
}

const char *
mox_resolver_errmsg(const mox_resolver *r)
{
	return r != NULL ? r->errmsg : "";
}

void
mox_resolver_set_log(mox_resolver *r, mox_log_fn fn, void *arg,
    int max_level)
{
	if (r == NULL)
		return;
	r->log.fn = fn;
	r->log.arg = arg;
	r->log.max_level = max_level;
}

void
mox_resolver_set_timeout(mox_resolver *r, unsigned int ms)
{
	if (r != NULL)
		r->timeout_ms = ms;
}

static void
signal_efd(mox_resolver *r)
{
	uint64_t one = 1;

	if (write(r->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, which is all we
		 * need. */
	}
}

static void
drain_efd(mox_resolver *r)
{
	uint64_t v;

	if (read(r->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing signaled. */
	}
}

/* Unlink p from the list; mu held. */
static void
unlink_pending(mox_resolver *r, struct pending *p)
{
	struct pending **pp, *prev = NULL;

	for (pp = &r->head; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			if (r->tail == p)
				r->tail = prev;
			r->npending--;
			return;
		}
	}
}

static struct pending *
find_pending(mox_resolver *r, uint64_t qid)
{
	struct pending *p;

	for (p = r->head; p != NULL; p = p->next) {
		if (p->qid == qid)
			return p;
	}
	return NULL;
}

static int
start_query(mox_resolver *r, const char *qname, uint16_t qtype,
    mox_dns_cb cb, void *arg, bool sync, struct pending **pout)
{
	struct pending *p;
	int rc;

	p = mox__calloc(1, sizeof(*p));
	if (p == NULL)
		return MOX_ENOMEM;
	rc = core_qname_check(p->qname, sizeof(p->qname), qname);
	if (rc != MOX_OK) {
		mox__free(p);
		return rc == MOX_ENOMEM ? rc : MOX_EINVAL;
	}
	if (p->qname[0] == '\0') {
		p->qname[0] = '.';
		p->qname[1] = '\0';
	}
	p->qtype = qtype;
	p->cb = cb;
	p->arg = arg;
	p->sync = sync;
	p->deadline = now_ms() + (int64_t)core_resolver_timeout_ms(r);

	pthread_mutex_lock(&r->mu);
	p->qid = r->next_qid++;
	if (r->tail != NULL)
		r->tail->next = p;
	else
		r->head = p;
	r->tail = p;
	r->npending++;
	pthread_mutex_unlock(&r->mu);

	MOX__LOG(&r->log, MOX_LOG_TRACE, "dns query id=%llu %s %s",
	    (unsigned long long)p->qid, p->qname,
	    mox_dns_type_name(qtype) ? mox_dns_type_name(qtype) : "?");
	rc = r->be.query(r->impl, r, p->qid, p->qname, qtype);
	if (rc != MOX_OK) {
		pthread_mutex_lock(&r->mu);
		unlink_pending(r, p);
		pthread_mutex_unlock(&r->mu);
		mox_dns_answer_free(p->ans);
		mox__free(p);
		return rc < 0 ? rc : MOX_EDNS;
	}
	*pout = p;
	return MOX_OK;
}

int
mox_dns_query(mox_resolver *r, const char *qname, uint16_t qtype,
    mox_dns_cb cb, void *arg, uint64_t *qid_out)
{
	struct pending *p;
	uint64_t qid;
	int rc;

	if (r == NULL || cb == NULL)
		return MOX_EINVAL;
	rc = start_query(r, qname, qtype, cb, arg, false, &p);
	if (rc != MOX_OK)
		return rc;
	/* p stays pending until process() or cancel(), which the one-thread
	 * rule keeps off other threads while we are here. */
	qid = p->qid;
	if (qid_out != NULL)
		*qid_out = qid;
	return MOX_OK;
}

int
mox_resolver_complete(mox_resolver *r, uint64_t qid, mox_dns_answer *ans)
{
	struct pending *p;

	if (r == NULL) {
		mox_dns_answer_free(ans);
		return MOX_EINVAL;
	}
	pthread_mutex_lock(&r->mu);
	p = find_pending(r, qid);
	if (p == NULL || p->done) {
		pthread_mutex_unlock(&r->mu);
		mox_dns_answer_free(ans);
		return MOX_ENOTFOUND;
	}
	if (ans == NULL &&
	    core_answer_forced(&ans, p->qname, p->qtype, MOX_DNS_SERVFAIL) !=
	    MOX_OK)
		ans = NULL; /* delivered as MOX_ENOMEM */
	if (ans != NULL)
		core_answer_finish(ans);
	p->ans = ans;
	p->done = true;
	signal_efd(r);
	pthread_mutex_unlock(&r->mu);
	return MOX_OK;
}

int
mox_dns_cancel(mox_resolver *r, uint64_t qid)
{
	struct pending *p;

	if (r == NULL)
		return MOX_EINVAL;
	pthread_mutex_lock(&r->mu);
	p = find_pending(r, qid);
	if (p == NULL || p->sync) {
		pthread_mutex_unlock(&r->mu);
		return MOX_ENOTFOUND;
	}
	unlink_pending(r, p);
	pthread_mutex_unlock(&r->mu);
	if (!p->done && r->be.cancel != NULL)
		r->be.cancel(r->impl, qid);
	mox_dns_answer_free(p->ans);
	p->cb(p->arg, MOX_ECANCELED, NULL);
	mox__free(p);
	return MOX_OK;
}

int
mox_resolver_fd(const mox_resolver *r)
{
	if (r == NULL)
		return MOX_EINVAL;
	return r->epfd;
}

int
mox_resolver_timeout(const mox_resolver *r)
{
	mox_resolver *mr = (mox_resolver *)(uintptr_t)r;
	struct pending *p;
	int64_t next = -1, now;

	if (r == NULL)
		return -1;
	now = now_ms();
	pthread_mutex_lock(&mr->mu);
	for (p = mr->head; p != NULL; p = p->next) {
		if (p->sync)
			continue;
		if (p->done) {
			next = 0;
			break;
		}
		if (next < 0 || p->deadline - now < next)
			next = p->deadline - now < 0 ? 0 : p->deadline - now;
	}
	pthread_mutex_unlock(&mr->mu);
	if (next > 0x7fffffff)
		next = 0x7fffffff;
	return (int)next;
}

size_t
mox_resolver_pending(const mox_resolver *r)
{
	mox_resolver *mr = (mox_resolver *)(uintptr_t)r;
	size_t n = 0;

	if (r == NULL)
		return 0;
	pthread_mutex_lock(&mr->mu);
	for (struct pending *p = mr->head; p != NULL; p = p->next) {
		if (!p->sync)
			n++;
	}
	pthread_mutex_unlock(&mr->mu);
	return n;
}

int
mox_resolver_process(mox_resolver *r)
{
	uint64_t maxqid;
	int ran = 0, rc;

	if (r == NULL)
		return MOX_EINVAL;
	if (r->be.process != NULL) {
		rc = r->be.process(r->impl);
		if (rc < 0)
			return rc;
	}
	drain_efd(r);
	pthread_mutex_lock(&r->mu);
	maxqid = r->next_qid - 1;
	pthread_mutex_unlock(&r->mu);

	for (;;) {
		struct pending *p, *found = NULL;
		int64_t now = now_ms();
		mox_dns_answer *ans;
		int status = MOX_OK;

		pthread_mutex_lock(&r->mu);
		for (p = r->head; p != NULL; p = p->next) {
			if (p->sync || p->qid > maxqid)
				continue;
			if (p->done || p->deadline <= now) {
				found = p;
				break;
			}
		}
		if (found == NULL) {
			/* Keep the fd readable for answers we left for the next
			 * call. */
			for (p = r->head; p != NULL; p = p->next) {
				if (!p->sync && p->done) {
					signal_efd(r);
					break;
				}
			}
			pthread_mutex_unlock(&r->mu);
			break;
		}
		unlink_pending(r, found);
		pthread_mutex_unlock(&r->mu);

		if (!found->done) {
			if (r->be.cancel != NULL)
				r->be.cancel(r->impl, found->qid);
			MOX__LOG(&r->log, MOX_LOG_DEBUG,
			    "dns timeout id=%llu %s",
			    (unsigned long long)found->qid, found->qname);
			if (core_answer_forced(&found->ans, found->qname,
			    found->qtype, MOX_DNS_TIMEOUT) != MOX_OK)
				found->ans = NULL;
		}
		ans = found->ans;
		if (ans == NULL)
			status = MOX_ENOMEM;
		found->cb(found->arg, status, ans);
		mox_dns_answer_free(ans);
		mox__free(found);
		ran++;
	}
	return ran;
}

int
mox_resolver_wait(mox_resolver *r, int timeout_ms)
{
	struct pollfd pfd;
	int t;

	if (r == NULL)
		return MOX_EINVAL;
	t = mox_resolver_timeout(r);
	if (timeout_ms >= 0 && (t < 0 || timeout_ms < t))
		t = timeout_ms;
	if (t < 0)
		return 0; /* nothing pending */
	pfd.fd = r->epfd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (t > 0 && poll(&pfd, 1, t) < 0 && errno != EINTR)
		return MOX_EIO;
	return mox_resolver_process(r);
}

int
mox_dns_lookup(mox_resolver *r, const char *qname, uint16_t qtype,
    mox_dns_answer **out)
{
	struct pending *p;
	char name[MOX_DOMAIN_MAX + 1];
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (r == NULL)
		return MOX_EINVAL;
	if (r->lookup_raw != NULL) {
		rc = r->lookup_raw(r->impl, qname, qtype,
		    core_resolver_timeout_ms(r), out);
		if (rc == MOX_OK && *out != NULL)
			core_answer_finish(*out);
		return rc;
	}
	if (r->be.lookup != NULL) {
		rc = core_qname_check(name, sizeof(name), qname);
		if (rc != MOX_OK)
			return rc == MOX_ENOMEM ? rc : MOX_EINVAL;
		if (name[0] == '\0') {
			name[0] = '.';
			name[1] = '\0';
		}
		rc = r->be.lookup(r->impl, name, qtype,
		    core_resolver_timeout_ms(r), out);
		if (rc == MOX_OK && *out != NULL)
			core_answer_finish(*out);
		return rc;
	}

	/* Generic loop over the backend's asynchronous interface. */
	rc = start_query(r, qname, qtype, NULL, NULL, true, &p);
	if (rc != MOX_OK)
		return rc;
	for (;;) {
		bool done;
		int64_t left;

		pthread_mutex_lock(&r->mu);
		done = p->done;
		pthread_mutex_unlock(&r->mu);
		if (done)
			break;
		left = p->deadline - now_ms();
		if (left <= 0)
			break;
		if (r->befd >= 0) {
			struct pollfd pfd = { r->befd, POLLIN, 0 };

			if (poll(&pfd, 1, left < 50 ? (int)left : 50) < 0 &&
			    errno != EINTR)
				break;
		} else {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
		if (r->be.process != NULL && r->be.process(r->impl) < 0)
			break;
	}
	pthread_mutex_lock(&r->mu);
	unlink_pending(r, p);
	pthread_mutex_unlock(&r->mu);
	if (!p->done) {
		if (r->be.cancel != NULL)
			r->be.cancel(r->impl, p->qid);
		rc = core_answer_forced(&p->ans, p->qname, p->qtype,
		    MOX_DNS_TIMEOUT);
	} else if (p->ans == NULL) {
		rc = MOX_ENOMEM;
	}
	*out = p->ans;
	mox__free(p);
	return rc;
}

void
mox_resolver_free(mox_resolver *r)
{
	struct pending *p;

	if (r == NULL)
		return;
	for (;;) {
		pthread_mutex_lock(&r->mu);
		p = r->head;
		if (p != NULL)
			unlink_pending(r, p);
		pthread_mutex_unlock(&r->mu);
		if (p == NULL)
			break;
		if (!p->done && r->be.cancel != NULL)
			r->be.cancel(r->impl, p->qid);
		mox_dns_answer_free(p->ans);
		if (p->cb != NULL)
			p->cb(p->arg, MOX_ECANCELED, NULL);
		mox__free(p);
	}
	if (r->be.destroy != NULL)
		r->be.destroy(r->impl);
	close(r->efd);
	close(r->epfd);
	pthread_mutex_destroy(&r->mu);
	mox__free(r);
}
