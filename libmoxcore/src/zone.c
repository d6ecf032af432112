/* SPDX-License-Identifier: MIT */
/*
 * zone.c -- zone text parser: RFC 1035 section 5 master file syntax as nsd
 * reads it, RFC 3597 generic records, RFC 2308 $TTL, and the directives of
 * the static resolver ($NXDOMAIN, $SERVFAIL, $TIMEOUT, $AUTHENTIC).
 *
 * The lexer streams tokens straight out of the text (no copies, no
 * recursion); each record's rdata is built in one buffer of 65535 octets
 * allocated once per parse, so memory does not grow with the input.
 */
#include <stdio.h>
#include <string.h>

#include "dns-int.h"

#define ZONE_RDATA_MAX 65535
#define ZONE_DEFAULT_TTL 3600 /* as nsd, when neither $TTL nor a TTL */
#define ZONE_TOKSHOW 64       /* octets of a token quoted in a message */

struct ztok {
	const char *s; /* raw text: escapes not resolved, quotes removed */
	size_t n;
	bool quoted;
	unsigned long line;
};

struct zparse {
	const char *p;
	size_t len;
	size_t pos;
	unsigned long line;  /* line of the lexer */
	unsigned long eline; /* line where the current entry starts, 0 before */
	bool paren;
	bool eoe; /* the current entry has ended */
	bool have_peek;
	struct ztok peek;

	uint8_t origin[CORE_NAME_WIRE_MAX];
	size_t originlen;
	uint8_t owner[CORE_NAME_WIRE_MAX]; /* previous owner */
	size_t ownerlen;
	bool have_owner;
	bool have_default_ttl; /* $TTL seen */
	uint32_t default_ttl;
	bool have_prev_ttl;
	uint32_t prev_ttl;
	bool authentic;

	uint8_t *rd;
	size_t rdlen;

	const struct core_zone_sink *sink;
	char *err;
	size_t errcap;
};

/* --- messages --- */

/* The token as it appears in the text, bounded and printable. */
static const char *
tokshow(const struct ztok *t, char *buf, size_t cap)
{
	mox__sbuf sb;
	size_t i;

	mox__sbuf_init(&sb, buf, cap);
	for (i = 0; i < t->n && i < ZONE_TOKSHOW; i++) {
		unsigned char c = (unsigned char)t->s[i];

		if (c < 0x20 || c >= 0x7f)
			mox__sbuf_addf(&sb, "\\%03u", c);
		else
			mox__sbuf_addc(&sb, (char)c);
	}
	if (i < t->n)
		mox__sbuf_adds(&sb, "...");
	return buf;
}

static int zerr(struct zparse *z, const char *fmt, ...) MOX__PRINTF(2, 3);

/* Set the message "line N: ..." and return MOX_ESYNTAX. */
static int
zerr(struct zparse *z, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (z->err == NULL || z->errcap == 0)
		return MOX_ESYNTAX;
	n = snprintf(z->err, z->errcap, "line %lu: ",
	    z->eline != 0 ? z->eline : z->line);
	if (n >= 0 && (size_t)n < z->errcap) {
		va_start(ap, fmt);
		vsnprintf(z->err + n, z->errcap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MOX_ESYNTAX;
}

/* Message naming a token: "<what> \"<token>\"<rest>". */
static int
zerr_tok(struct zparse *z, const char *what, const struct ztok *t,
    const char *rest)
{
	char tb[4 * ZONE_TOKSHOW + 8];

	return zerr(z, "%s \"%s\"%s", what, tokshow(t, tb, sizeof(tb)), rest);
}

static const char *
type_text(uint16_t type, char *buf, size_t cap)
{
	const char *name = mox_dns_type_name(type);

	if (name != NULL)
		return name;
	snprintf(buf, cap, "TYPE%u", (unsigned int)type);
	return buf;
}

/* --- lexer --- */

static int
lex_quoted(struct zparse *z, struct ztok *t)
{
	size_t start = ++z->pos;

	while (z->pos < z->len) {
		char c = z->p[z->pos];

		if (c == '"') {
			t->s = z->p + start;
			t->n = z->pos - start;
			t->quoted = true;
			t->line = z->line;
			z->pos++;
			return 1;
		}
		if (c == '\n')
			return zerr(z, "unterminated quoted string "
			    "(end of line inside quotes)");
		if (c == '\0')
			return zerr(z, "NUL byte in zone text");
		if (c == '\\') {
			if (z->pos + 1 < z->len && z->p[z->pos + 1] == '\0')
				return zerr(z, "NUL byte in zone text");
			if (z->pos + 1 < z->len && z->p[z->pos + 1] == '\n')
				return zerr(z, "unterminated quoted string "
				    "(end of line inside quotes)");
			z->pos++;
		}
		z->pos++;
	}
	return zerr(z, "unterminated quoted string");
}

static int
lex_word(struct zparse *z, struct ztok *t)
{
	size_t start = z->pos;

	while (z->pos < z->len) {
		char c = z->p[z->pos];

		if (mox__isspace((unsigned char)c) || c == '(' || c == ')' ||
		    c == ';' || c == '"')
			break;
		if (c == '\0')
			return zerr(z, "NUL byte in zone text");
		if (c == '\\') {
			if (z->pos + 1 >= z->len)
				return zerr(z, "backslash at end of input");
			if (z->p[z->pos + 1] == '\n')
				return zerr(z, "backslash at end of line");
			if (z->p[z->pos + 1] == '\0')
				return zerr(z, "NUL byte in zone text");
			z->pos++;
		}
		z->pos++;
	}
	t->s = z->p + start;
	t->n = z->pos - start;
	t->quoted = false;
	t->line = z->line;
	return 1;
}

/*
 * Next token of the current entry: 1 with *t set, 0 at the end of the entry
 * (a newline outside parentheses, or the end of the text), MOX_ESYNTAX.
 */
static int
lex(struct zparse *z, struct ztok *t)
{
	int rc;

	if (z->have_peek) {
		z->have_peek = false;
		*t = z->peek;
		return 1;
	}
	if (z->eoe)
		return 0;
	while (z->pos < z->len) {
		char c = z->p[z->pos];

		switch (c) {
		case '\n':
			z->line++;
			z->pos++;
			if (!z->paren) {
				z->eoe = true;
				return 0;
			}
			continue;
		case ';':
			while (z->pos < z->len && z->p[z->pos] != '\n')
				z->pos++;
			continue;
		case '(':
			if (z->paren)
				return zerr(z, "nested '('");
			z->paren = true;
			z->pos++;
			continue;
		case ')':
			if (!z->paren)
				return zerr(z, "')' without '('");
			z->paren = false;
			z->pos++;
			continue;
		case '\0':
			return zerr(z, "NUL byte in zone text");
		case '"':
			rc = lex_quoted(z, t);
			break;
		default:
			if (mox__isspace((unsigned char)c)) {
				z->pos++;
				continue;
			}
			rc = lex_word(z, t);
			break;
		}
		if (rc == 1 && z->eline == 0)
			z->eline = t->line;
		return rc;
	}
	if (z->paren)
		return zerr(z, "missing ')'");
	z->eoe = true;
	return 0;
}

static void
unlex(struct zparse *z, const struct ztok *t)
{
	z->peek = *t;
	z->have_peek = true;
}

/* The next token, which must exist. */
static int
need(struct zparse *z, struct ztok *t, const char *what)
{
	int rc = lex(z, t);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return zerr(z, "missing %s", what);
	return MOX_OK;
}

/* The next token, which must exist and not be quoted. */
static int
need_word(struct zparse *z, struct ztok *t, const char *what)
{
	int rc = need(z, t, what);

	if (rc != MOX_OK)
		return rc;
	if (t->quoted)
		return zerr_tok(z, "quoted string", t,
		    " where a value without quotes is expected");
	return MOX_OK;
}

static int
expect_end(struct zparse *z)
{
	struct ztok t;
	int rc = lex(z, &t);

	if (rc < 0)
		return rc;
	if (rc > 0)
		return zerr_tok(z, "trailing garbage", &t, "");
	return MOX_OK;
}

/* --- values --- */

static bool
tok_is(const struct ztok *t, const char *s)
{
	return !t->quoted && mox__memcaseeq(t->s, t->n, s);
}

/* Decimal number up to max. */
static bool
parse_num(const struct ztok *t, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (t->quoted || t->n == 0)
		return false;
	for (i = 0; i < t->n; i++) {
		if (!mox__isdigit((unsigned char)t->s[i]))
			return false;
		v = v * 10 + (uint64_t)(t->s[i] - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* TTL or SOA time: seconds, or with units as nsd and BIND accept them
 * ("1h30m", "2w", "1d12h"; a last group without unit is seconds). */
static bool
parse_ttl(const struct ztok *t, uint32_t *out)
{
	uint64_t total = 0;
	size_t i = 0;

	if (t->quoted || t->n == 0)
		return false;
	while (i < t->n) {
		uint64_t v = 0, mult;
		size_t start = i;

		while (i < t->n && mox__isdigit((unsigned char)t->s[i])) {
			v = v * 10 + (uint64_t)(t->s[i] - '0');
			if (v > UINT32_MAX)
				return false;
			i++;
		}
		if (i == start)
			return false;
		mult = 1;
		if (i < t->n) {
			switch (mox__lower((unsigned char)t->s[i])) {
			case 's':
				mult = 1;
				break;
			case 'm':
				mult = 60;
				break;
			case 'h':
				mult = 3600;
				break;
			case 'd':
				mult = 86400;
				break;
			case 'w':
				mult = 604800;
				break;
			default:
				return false;
			}
			i++;
		}
		total += v * mult;
		if (total > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)total;
	return true;
}

/* 1: IN; -1: another class; 0: not a class. */
static int
class_of(const struct ztok *t)
{
	static const char *const others[] = { "CH", "CHAOS", "HS", "HESIOD",
		"CS", "NONE", "ANY" };
	uint32_t v;
	size_t i;

	if (t->quoted)
		return 0;
	if (mox__memcaseeq(t->s, t->n, "IN"))
		return 1;
	for (i = 0; i < sizeof(others) / sizeof(*others); i++) {
		if (mox__memcaseeq(t->s, t->n, others[i]))
			return -1;
	}
	if (t->n > 5 && mox__strncasecmp(t->s, "CLASS", 5) == 0) {
		struct ztok num = *t;

		num.s += 5;
		num.n -= 5;
		if (parse_num(&num, 65535, &v))
			return v == 1 ? 1 : -1;
	}
	return 0;
}

static const char *
name_error(int rc)
{
	switch (rc) {
	case MOX_ETOOLONG:
		return "name or label too long";
	case MOX_EEMPTY:
		return "empty label";
	default:
		return "bad escape";
	}
}

/* A domain name token, relative to $ORIGIN. */
static int
get_name(struct zparse *z, const struct ztok *t, const char *what,
    uint8_t out[CORE_NAME_WIRE_MAX], size_t *outlen)
{
	char msg[96];
	int rc;

	if (t->quoted) {
		snprintf(msg, sizeof(msg), "bad %s", what);
		return zerr_tok(z, msg, t, ": quoted");
	}
	rc = core_name_to_wire(out, outlen, t->s, t->n, z->origin,
	    z->originlen);
	if (rc != MOX_OK) {
		char rest[64];

		snprintf(msg, sizeof(msg), "bad %s", what);
		snprintf(rest, sizeof(rest), ": %s", name_error(rc));
		return zerr_tok(z, msg, t, rest);
	}
	return MOX_OK;
}

/* --- rdata --- */

static int
rd_put(struct zparse *z, const void *p, size_t n)
{
	if (n > ZONE_RDATA_MAX - z->rdlen)
		return zerr(z, "rdata longer than 65535 octets");
	if (n > 0)
		memcpy(z->rd + z->rdlen, p, n);
	z->rdlen += n;
	return MOX_OK;
}

static int
rd_u8(struct zparse *z, uint32_t v)
{
	uint8_t b = (uint8_t)v;

	return rd_put(z, &b, 1);
}

static int
rd_u16(struct zparse *z, uint32_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return rd_put(z, b, 2);
}

static int
rd_u32(struct zparse *z, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		(uint8_t)(v >> 8), (uint8_t)v };

	return rd_put(z, b, 4);
}

static int
rd_num(struct zparse *z, uint32_t max, const char *what)
{
	struct ztok t;
	char msg[96];
	uint32_t v;
	int rc;

	rc = need(z, &t, what);
	if (rc != MOX_OK)
		return rc;
	if (!parse_num(&t, max, &v)) {
		snprintf(msg, sizeof(msg), "bad %s", what);
		return zerr_tok(z, msg, &t, "");
	}
	if (max == 255)
		return rd_u8(z, v);
	if (max == 65535)
		return rd_u16(z, v);
	return rd_u32(z, v);
}

static int
rd_time(struct zparse *z, const char *what)
{
	struct ztok t;
	char msg[96];
	uint32_t v;
	int rc;

	rc = need(z, &t, what);
	if (rc != MOX_OK)
		return rc;
	if (!parse_ttl(&t, &v)) {
		snprintf(msg, sizeof(msg), "bad %s", what);
		return zerr_tok(z, msg, &t, "");
	}
	return rd_u32(z, v);
}

static int
rd_name(struct zparse *z, const char *what)
{
	uint8_t w[CORE_NAME_WIRE_MAX];
	struct ztok t;
	size_t wl;
	int rc;

	rc = need(z, &t, what);
	if (rc == MOX_OK)
		rc = get_name(z, &t, what, w, &wl);
	if (rc == MOX_OK)
		rc = rd_put(z, w, wl);
	return rc;
}

/* DNSSEC algorithm: number or mnemonic (RFC 4034 appendix A.1, 8624). */
static int
rd_alg(struct zparse *z)
{
	static const struct {
		const char *name;
		uint8_t num;
	} algs[] = {
		{ "RSAMD5", 1 }, { "DH", 2 }, { "DSA", 3 }, { "RSASHA1", 5 },
		{ "DSA-NSEC3-SHA1", 6 }, { "RSASHA1-NSEC3-SHA1", 7 },
		{ "RSASHA256", 8 }, { "RSASHA512", 10 }, { "ECC-GOST", 12 },
		{ "ECDSAP256SHA256", 13 }, { "ECDSAP384SHA384", 14 },
		{ "ED25519", 15 }, { "ED448", 16 }, { "INDIRECT", 252 },
		{ "PRIVATEDNS", 253 }, { "PRIVATEOID", 254 },
	};
	struct ztok t;
	uint32_t v;
	size_t i;
	int rc;

	rc = need_word(z, &t, "algorithm");
	if (rc != MOX_OK)
		return rc;
	if (parse_num(&t, 255, &v))
		return rd_u8(z, v);
	for (i = 0; i < sizeof(algs) / sizeof(*algs); i++) {
		if (mox__memcaseeq(t.s, t.n, algs[i].name))
			return rd_u8(z, algs[i].num);
	}
	return zerr_tok(z, "bad algorithm", &t, "");
}

/*
 * Hex digits in the remaining tokens of the entry (white space allowed
 * anywhere between digits). With limit set, more than limit octets is an
 * error. *count gets the number of octets.
 */
static int
rd_hex_rest(struct zparse *z, const char *what, bool limited, size_t limit,
    size_t *count)
{
	struct ztok t;
	size_t n = 0, i;
	int rc, hi = -1;
	char msg[96];

	while ((rc = lex(z, &t)) == 1) {
		if (t.quoted)
			return zerr_tok(z, "quoted string", &t,
			    " where hex is expected");
		for (i = 0; i < t.n; i++) {
			int v = mox__hex_value((unsigned char)t.s[i]);

			if (v < 0) {
				snprintf(msg, sizeof(msg), "bad hex in %s",
				    what);
				return zerr_tok(z, msg, &t, "");
			}
			if (hi < 0) {
				hi = v;
				continue;
			}
			if (limited && n >= limit)
				return zerr(z, "\\# data longer than the "
				    "given length %zu", limit);
			rc = rd_u8(z, (uint32_t)(hi << 4 | v));
			if (rc != MOX_OK)
				return rc;
			n++;
			hi = -1;
		}
	}
	if (rc < 0)
		return rc;
	if (hi >= 0)
		return zerr(z, "odd number of hex digits in %s", what);
	*count = n;
	return MOX_OK;
}

static int
rd_hex_nonempty(struct zparse *z, const char *what)
{
	size_t n;
	int rc = rd_hex_rest(z, what, false, 0, &n);

	if (rc == MOX_OK && n == 0)
		return zerr(z, "missing %s", what);
	return rc;
}

static int
b64_emit(struct zparse *z, const int q[4], int ndata)
{
	uint8_t b[3];

	b[0] = (uint8_t)(q[0] << 2 | q[1] >> 4);
	b[1] = (uint8_t)((q[1] & 15) << 4 | q[2] >> 2);
	b[2] = (uint8_t)((q[2] & 3) << 6 | q[3]);
	return rd_put(z, b, (size_t)(ndata - 1));
}

/* Base64 (RFC 4648) in the remaining tokens, white space allowed. */
static int
rd_base64_rest(struct zparse *z, const char *what)
{
	struct ztok t;
	int q[4] = { 0, 0, 0, 0 }, nq = 0, npad = 0, rc;
	bool done = false, any = false;
	char msg[96];
	size_t i;

	snprintf(msg, sizeof(msg), "bad base64 in %s", what);
	while ((rc = lex(z, &t)) == 1) {
		if (t.quoted)
			return zerr_tok(z, "quoted string", &t,
			    " where base64 is expected");
		for (i = 0; i < t.n; i++) {
			int c = (unsigned char)t.s[i], v;

			any = true;
			if (done)
				return zerr_tok(z, msg, &t,
				    ": data after padding");
			if (c == '=') {
				if (nq < 2)
					return zerr_tok(z, msg, &t, "");
				npad++;
				q[nq++] = 0;
			} else {
				v = mox__b64_value(c);
				if (v < 0 || npad > 0)
					return zerr_tok(z, msg, &t, "");
				q[nq++] = v;
			}
			if (nq == 4) {
				rc = b64_emit(z, q, 4 - npad);
				if (rc != MOX_OK)
					return rc;
				done = npad > 0;
				nq = 0;
			}
		}
	}
	if (rc < 0)
		return rc;
	if (!any)
		return zerr(z, "missing %s", what);
	if (nq > 0) {
		/* Missing padding: accepted, as most decoders do. */
		if (nq - npad < 2)
			return zerr(z, "truncated base64 in %s", what);
		for (i = (size_t)nq; i < 4; i++)
			q[i] = 0;
		return b64_emit(z, q, nq - npad);
	}
	return MOX_OK;
}

/*
 * Resolve the \X and \DDD escapes of a token into out, at most max octets.
 * Returns MOX_OK, MOX_ESYNTAX (message set), MOX_ETOOLONG (no message).
 */
static int
unescape(struct zparse *z, const struct ztok *t, uint8_t *out, size_t max,
    size_t *outlen)
{
	size_t i = 0, o = 0;

	while (i < t->n) {
		unsigned int c = (unsigned char)t->s[i];

		if (c == '\\') {
			if (i + 1 >= t->n)
				return zerr_tok(z, "bad escape in", t, "");
			if (mox__isdigit((unsigned char)t->s[i + 1])) {
				if (i + 3 >= t->n ||
				    !mox__isdigit((unsigned char)t->s[i + 2]) ||
				    !mox__isdigit((unsigned char)t->s[i + 3]))
					return zerr_tok(z, "bad escape in", t,
					    ": \\DDD needs three digits");
				c = (unsigned int)(t->s[i + 1] - '0') * 100 +
				    (unsigned int)(t->s[i + 2] - '0') * 10 +
				    (unsigned int)(t->s[i + 3] - '0');
				if (c > 255)
					return zerr_tok(z, "bad escape in", t,
					    ": \\DDD above 255");
				i += 4;
			} else {
				c = (unsigned char)t->s[i + 1];
				i += 2;
			}
		} else {
			i++;
		}
		if (o >= max)
			return MOX_ETOOLONG;
		out[o++] = (uint8_t)c;
	}
	*outlen = o;
	return MOX_OK;
}

/* One <character-string> (RFC 1035 3.3): length octet and up to 255. */
static int
rd_charstr(struct zparse *z, const struct ztok *t, const char *tname)
{
	size_t lenpos, room, max, n;
	int rc;

	lenpos = z->rdlen;
	rc = rd_u8(z, 0);
	if (rc != MOX_OK)
		return rc;
	room = ZONE_RDATA_MAX - z->rdlen;
	max = room < 255 ? room : 255;
	rc = unescape(z, t, z->rd + z->rdlen, max, &n);
	if (rc == MOX_ETOOLONG) {
		if (max == 255)
			return zerr(z, "%s string longer than 255 octets",
			    tname);
		return zerr(z, "rdata longer than 65535 octets");
	}
	if (rc != MOX_OK)
		return rc;
	z->rd[lenpos] = (uint8_t)n;
	z->rdlen += n;
	return MOX_OK;
}

static int
rd_txt(struct zparse *z, const char *tname)
{
	struct ztok t;
	char what[32];
	int rc;

	snprintf(what, sizeof(what), "%s string", tname);
	rc = need(z, &t, what);
	while (rc == MOX_OK) {
		rc = rd_charstr(z, &t, tname);
		if (rc != MOX_OK)
			return rc;
		rc = lex(z, &t);
		if (rc == 0)
			return MOX_OK;
		if (rc == 1)
			rc = MOX_OK;
	}
	return rc;
}

static int
rd_ip(struct zparse *z, int family)
{
	const char *what = family == 4 ? "IPv4 address" : "IPv6 address";
	struct ztok t;
	char msg[32];
	mox_ip ip;
	int rc;

	rc = need(z, &t, what);
	if (rc != MOX_OK)
		return rc;
	snprintf(msg, sizeof(msg), "bad %s", what);
	if (t.quoted)
		return zerr_tok(z, msg, &t, "");
	memset(&ip, 0, sizeof(ip));
	if (mox_ip_parse(&ip, t.s, t.n) != MOX_OK || ip.family != family)
		return zerr_tok(z, msg, &t, "");
	return rd_put(z, ip.addr, family == 4 ? 4 : 16);
}

static bool
caa_tag_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 255)
		return false;
	for (i = 0; i < n; i++) {
		if (!mox__isalpha((unsigned char)s[i]) &&
		    !mox__isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* RFC 8659 4.1.1: flags tag value. */
static int
rd_caa(struct zparse *z)
{
	struct ztok t;
	size_t n;
	int rc;

	rc = rd_num(z, 255, "CAA flags");
	if (rc == MOX_OK)
		rc = need(z, &t, "CAA tag");
	if (rc != MOX_OK)
		return rc;
	if (t.quoted || !caa_tag_ok(t.s, t.n))
		return zerr_tok(z, "bad CAA tag", &t,
		    ": letters and digits expected");
	rc = rd_u8(z, (uint32_t)t.n);
	if (rc == MOX_OK)
		rc = rd_put(z, t.s, t.n);
	if (rc == MOX_OK)
		rc = need(z, &t, "CAA value");
	if (rc != MOX_OK)
		return rc;
	rc = unescape(z, &t, z->rd + z->rdlen, ZONE_RDATA_MAX - z->rdlen, &n);
	if (rc == MOX_ETOOLONG)
		return zerr(z, "rdata longer than 65535 octets");
	if (rc != MOX_OK)
		return rc;
	z->rdlen += n;
	return MOX_OK;
}

/* Presentation form of the types we know. Reads to the end of the entry. */
static int
rd_typed(struct zparse *z, uint16_t type)
{
	char tb[16];
	int rc;

	switch (type) {
	case MOX_DNS_A:
		rc = rd_ip(z, 4);
		break;
	case MOX_DNS_AAAA:
		rc = rd_ip(z, 6);
		break;
	case MOX_DNS_NS:
	case MOX_DNS_CNAME:
	case MOX_DNS_PTR:
		rc = rd_name(z, "target name");
		break;
	case MOX_DNS_MX:
		rc = rd_num(z, 65535, "MX preference");
		if (rc == MOX_OK)
			rc = rd_name(z, "MX exchange");
		break;
	case MOX_DNS_TXT:
	case MOX_DNS_SPF:
		return rd_txt(z, type == MOX_DNS_TXT ? "TXT" : "SPF");
	case MOX_DNS_SRV:
		rc = rd_num(z, 65535, "SRV priority");
		if (rc == MOX_OK)
			rc = rd_num(z, 65535, "SRV weight");
		if (rc == MOX_OK)
			rc = rd_num(z, 65535, "SRV port");
		if (rc == MOX_OK)
			rc = rd_name(z, "SRV target");
		break;
	case MOX_DNS_SOA:
		rc = rd_name(z, "SOA mname");
		if (rc == MOX_OK)
			rc = rd_name(z, "SOA rname");
		if (rc == MOX_OK)
			rc = rd_num(z, UINT32_MAX, "SOA serial");
		if (rc == MOX_OK)
			rc = rd_time(z, "SOA refresh");
		if (rc == MOX_OK)
			rc = rd_time(z, "SOA retry");
		if (rc == MOX_OK)
			rc = rd_time(z, "SOA expire");
		if (rc == MOX_OK)
			rc = rd_time(z, "SOA minimum");
		break;
	case MOX_DNS_TLSA:
		rc = rd_num(z, 255, "TLSA usage");
		if (rc == MOX_OK)
			rc = rd_num(z, 255, "TLSA selector");
		if (rc == MOX_OK)
			rc = rd_num(z, 255, "TLSA matching type");
		if (rc == MOX_OK)
			rc = rd_hex_nonempty(z, "TLSA data");
		return rc;
	case MOX_DNS_CAA:
		rc = rd_caa(z);
		break;
	case MOX_DNS_DS:
		rc = rd_num(z, 65535, "DS key tag");
		if (rc == MOX_OK)
			rc = rd_alg(z);
		if (rc == MOX_OK)
			rc = rd_num(z, 255, "DS digest type");
		if (rc == MOX_OK)
			rc = rd_hex_nonempty(z, "DS digest");
		return rc;
	case MOX_DNS_SSHFP:
		rc = rd_num(z, 255, "SSHFP algorithm");
		if (rc == MOX_OK)
			rc = rd_num(z, 255, "SSHFP fingerprint type");
		if (rc == MOX_OK)
			rc = rd_hex_nonempty(z, "SSHFP fingerprint");
		return rc;
	case MOX_DNS_DNSKEY:
		rc = rd_num(z, 65535, "DNSKEY flags");
		if (rc == MOX_OK)
			rc = rd_num(z, 255, "DNSKEY protocol");
		if (rc == MOX_OK)
			rc = rd_alg(z);
		if (rc == MOX_OK)
			rc = rd_base64_rest(z, "DNSKEY public key");
		return rc;
	default:
		return zerr(z, "type %s needs the RFC 3597 form "
		    "\"\\# length hex\"", type_text(type, tb, sizeof(tb)));
	}
	if (rc != MOX_OK)
		return rc;
	return expect_end(z);
}

/* RFC 3597 5: \# length hex. */
static int
rd_generic(struct zparse *z, uint16_t type)
{
	mox__arena ar = MOX__ARENA_INIT;
	struct ztok t;
	mox_dns_rr rr;
	uint32_t len;
	size_t n;
	char tb[16];
	int rc;

	rc = need(z, &t, "\\# length");
	if (rc != MOX_OK)
		return rc;
	if (!parse_num(&t, ZONE_RDATA_MAX, &len))
		return zerr_tok(z, "bad \\# length", &t, "");
	rc = rd_hex_rest(z, "\\# data", true, len, &n);
	if (rc != MOX_OK)
		return rc;
	if (n != len)
		return zerr(z, "\\# length %lu but %zu octets of data",
		    (unsigned long)len, n);
	/* Known types must decode as they do in answers. */
	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	rr.rclass = 1;
	rr.rdata = z->rd;
	rr.rdlen = z->rdlen;
	rc = core_rr_decode(&ar, &rr);
	mox__arena_free(&ar);
	if (rc == MOX_ENOMEM)
		return rc;
	if (rc != MOX_OK)
		return zerr(z, "rdata does not decode as %s",
		    type_text(type, tb, sizeof(tb)));
	return MOX_OK;
}

/* --- entries --- */

static int
record(struct zparse *z, bool ws, struct ztok *t)
{
	uint8_t owner[CORE_NAME_WIRE_MAX];
	bool have_ttl = false, have_class = false;
	char tb[ZONE_TOKSHOW], tn[16];
	size_t ownerlen;
	uint32_t ttl = 0;
	uint16_t type;
	int rc;

	if (!ws) {
		rc = get_name(z, t, "owner name", owner, &ownerlen);
		if (rc != MOX_OK)
			return rc;
		rc = need(z, t, "type");
		if (rc != MOX_OK)
			return rc;
	} else {
		if (!z->have_owner)
			return zerr(z, "no owner name (the line starts with "
			    "white space and no record came before)");
		memcpy(owner, z->owner, z->ownerlen);
		ownerlen = z->ownerlen;
	}

	/* [TTL] [class] type, TTL and class in either order (RFC 1035 5.1) */
	for (;;) {
		if (t->quoted)
			return zerr_tok(z, "quoted string", t,
			    " where a type is expected");
		if (t->n > 0 && mox__isdigit((unsigned char)t->s[0])) {
			if (have_ttl)
				return zerr_tok(z, "second TTL", t, "");
			if (!parse_ttl(t, &ttl))
				return zerr_tok(z, "bad TTL", t, "");
			have_ttl = true;
		} else if ((rc = class_of(t)) != 0) {
			if (rc < 0)
				return zerr_tok(z, "class", t,
				    " not supported (only IN)");
			if (have_class)
				return zerr_tok(z, "second class", t, "");
			have_class = true;
		} else {
			break;
		}
		rc = need(z, t, "type");
		if (rc != MOX_OK)
			return rc;
	}
	if (t->n >= sizeof(tb) || memchr(t->s, '\0', t->n) != NULL)
		return zerr_tok(z, "unknown type", t, "");
	memcpy(tb, t->s, t->n);
	tb[t->n] = '\0';
	if (mox_dns_type_parse(&type, tb) != MOX_OK)
		return zerr_tok(z, "unknown type", t, "");
	/* RFC 6895 3.1: meta and question types do not go in zones. */
	if (type == 0 || type == 41 || (type >= 128 && type <= 255))
		return zerr(z, "type %s not allowed in a zone",
		    type_text(type, tn, sizeof(tn)));

	if (!have_ttl) {
		if (z->have_default_ttl)
			ttl = z->default_ttl;
		else if (z->have_prev_ttl)
			ttl = z->prev_ttl;
		else
			ttl = ZONE_DEFAULT_TTL;
	}

	z->rdlen = 0;
	rc = lex(z, t);
	if (rc < 0)
		return rc;
	if (rc == 1 && !t->quoted && t->n == 2 && t->s[0] == '\\' &&
	    t->s[1] == '#') {
		rc = rd_generic(z, type);
	} else {
		if (rc == 1)
			unlex(z, t);
		rc = rd_typed(z, type);
	}
	if (rc != MOX_OK)
		return rc;

	memcpy(z->owner, owner, ownerlen);
	z->ownerlen = ownerlen;
	z->have_owner = true;
	z->prev_ttl = ttl;
	z->have_prev_ttl = true;
	if (z->sink->rr != NULL) {
		rc = z->sink->rr(z->sink->arg, owner, ownerlen, type, ttl,
		    z->rd, z->rdlen, z->authentic);
		if (rc != MOX_OK) {
			if (rc != MOX_ENOMEM)
				zerr(z, "%s record not added: %s",
				    type_text(type, tn, sizeof(tn)),
				    mox_strerror(rc));
			return rc;
		}
	}
	return MOX_OK;
}

static int
directive(struct zparse *z, const struct ztok *d)
{
	uint8_t w[CORE_NAME_WIRE_MAX];
	struct ztok t;
	size_t wl;
	int rc, result;

	if (mox__memcaseeq(d->s, d->n, "$ORIGIN")) {
		rc = need(z, &t, "name after $ORIGIN");
		if (rc == MOX_OK)
			rc = get_name(z, &t, "$ORIGIN name", w, &wl);
		if (rc != MOX_OK)
			return rc;
		memcpy(z->origin, w, wl);
		z->originlen = wl;
	} else if (mox__memcaseeq(d->s, d->n, "$TTL")) {
		rc = need(z, &t, "TTL after $TTL");
		if (rc != MOX_OK)
			return rc;
		if (!parse_ttl(&t, &z->default_ttl))
			return zerr_tok(z, "bad TTL", &t, "");
		z->have_default_ttl = true;
	} else if (mox__memcaseeq(d->s, d->n, "$INCLUDE")) {
		return zerr(z, "$INCLUDE not supported");
	} else if (mox__memcaseeq(d->s, d->n, "$AUTHENTIC")) {
		rc = need(z, &t, "yes or no after $AUTHENTIC");
		if (rc != MOX_OK)
			return rc;
		if (tok_is(&t, "yes"))
			z->authentic = true;
		else if (tok_is(&t, "no"))
			z->authentic = false;
		else
			return zerr_tok(z, "$AUTHENTIC needs yes or no, not",
			    &t, "");
	} else {
		if (mox__memcaseeq(d->s, d->n, "$NXDOMAIN"))
			result = MOX_DNS_NXDOMAIN;
		else if (mox__memcaseeq(d->s, d->n, "$SERVFAIL"))
			result = MOX_DNS_SERVFAIL;
		else if (mox__memcaseeq(d->s, d->n, "$TIMEOUT"))
			result = MOX_DNS_TIMEOUT;
		else
			return zerr_tok(z, "unknown directive", d, "");
		rc = need(z, &t, "name after the directive");
		if (rc == MOX_OK)
			rc = get_name(z, &t, "name", w, &wl);
		if (rc == MOX_OK)
			rc = expect_end(z);
		if (rc != MOX_OK)
			return rc;
		if (z->sink->force != NULL) {
			rc = z->sink->force(z->sink->arg, w, wl, result);
			if (rc != MOX_OK && rc != MOX_ENOMEM)
				zerr(z, "directive failed: %s",
				    mox_strerror(rc));
			return rc;
		}
		return MOX_OK;
	}
	return expect_end(z);
}

/* One entry: a record, a directive, or a blank or comment line. */
static int
entry(struct zparse *z)
{
	struct ztok t;
	bool ws;
	int rc;

	z->eline = 0;
	z->eoe = false;
	z->have_peek = false;
	ws = z->pos < z->len && z->p[z->pos] != '\n' &&
	    mox__isspace((unsigned char)z->p[z->pos]);
	rc = lex(z, &t);
	if (rc <= 0)
		return rc;
	if (!ws && !t.quoted && t.n > 0 && t.s[0] == '$')
		return directive(z, &t);
	return record(z, ws, &t);
}

int
core_zone_parse(const char *text, size_t len, const char *origin,
    const struct core_zone_sink *sink, char *err, size_t errcap)
{
	struct zparse *z;
	int rc = MOX_OK;

	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if ((text == NULL && len > 0) || sink == NULL)
		return MOX_EINVAL;
	z = mox__calloc(1, sizeof(*z));
	if (z != NULL)
		z->rd = mox__malloc(ZONE_RDATA_MAX);
	if (z == NULL || z->rd == NULL) {
		mox__free(z);
		if (err != NULL && errcap > 0)
			snprintf(err, errcap, "out of memory");
		return MOX_ENOMEM;
	}
	z->p = text;
	z->len = len;
	z->line = 1;
	z->sink = sink;
	z->err = err;
	z->errcap = errcap;
	z->origin[0] = 0;
	z->originlen = 1;
	if (origin != NULL && origin[0] != '\0') {
		rc = core_name_to_wire(z->origin, &z->originlen, origin,
		    strlen(origin), NULL, 0);
		if (rc != MOX_OK) {
			if (err != NULL && errcap > 0)
				snprintf(err, errcap, "bad origin \"%.64s\": "
				    "%s", origin, name_error(rc));
			rc = MOX_EINVAL;
		}
	}
	while (rc == MOX_OK && z->pos < z->len)
		rc = entry(z);
	if (rc == MOX_ENOMEM && err != NULL && errcap > 0)
		snprintf(err, errcap, "line %lu: out of memory",
		    z->eline != 0 ? z->eline : z->line);
	mox__free(z->rd);
	mox__free(z);
	return rc;
}
