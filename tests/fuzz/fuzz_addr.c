/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for <mox/addr.h>. Every input goes to each parser. Where a
 * parse succeeds, the result is formatted and parsed again, and the round
 * trip must give the same value; IP parsing is also compared with
 * inet_pton(3). Any mismatch calls abort().
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/addr.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: check failed: %s\n",        \
			    __FILE__, __LINE__, #cond);                     \
			abort();                                            \
		}                                                           \
	} while (0)

/* Whether a fixed-size field holds a NUL-terminated string. */
#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static bool
has_nonascii(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] >= 0x80)
			return true;
	}
	return false;
}

/* The snprintf contract of a formatter, checked against its full output. */
static void
check_truncation(const char *full, size_t n, const char *part, size_t cap,
    size_t got)
{
	CHECK(got == n);
	if (cap == 0)
		return;
	CHECK(strlen(part) == (n < cap ? n : cap - 1));
	CHECK(memcmp(part, full, strlen(part)) == 0);
}

static void
check_domain_value(const mox_domain *d, unsigned int flags)
{
	size_t alen;

	CHECK(TERMINATED(d->ascii));
	CHECK(TERMINATED(d->unicode));
	alen = strlen(d->ascii);
	CHECK(alen > 0 && alen <= MOX_DOMAIN_MAX);
	for (size_t i = 0; i < alen; i++) {
		char c = d->ascii[i];

		CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' ||
		    (c == '_' && (flags & MOX_DOMAIN_ALLOW_UNDERSCORE)));
	}
	if (flags & MOX_DOMAIN_REQUIRE_DOT)
		CHECK(strchr(d->ascii, '.') != NULL);
	if (flags & MOX_DOMAIN_ASCII_ONLY)
		CHECK(!mox_domain_is_idn(d));
	CHECK(mox_domain_is_idn(d) == (strcmp(d->ascii, d->unicode) != 0));
	CHECK(mox_domain_equal(d, d));
}

static void
check_domain(const char *s, size_t len, unsigned int flags)
{
	mox_domain d, d2;
	int rc;

	rc = mox_domain_parse(&d, s, len, flags);
	if (rc != MOX_OK) {
		CHECK(rc < 0);
		CHECK(d.ascii[0] == '\0' && d.unicode[0] == '\0');
		return;
	}
	check_domain_value(&d, flags);

	/* The A-label form parses to the same domain. */
	rc = mox_domain_parse(&d2, d.ascii, strlen(d.ascii), flags);
	CHECK(rc == MOX_OK);
	CHECK(strcmp(d.ascii, d2.ascii) == 0);
	CHECK(strcmp(d.unicode, d2.unicode) == 0);

	/* So does the U-label form. */
	rc = mox_domain_parse(&d2, d.unicode, strlen(d.unicode), flags);
	CHECK(rc == MOX_OK);
	CHECK(strcmp(d.ascii, d2.ascii) == 0);
	CHECK(strcmp(d.unicode, d2.unicode) == 0);
	CHECK(mox_domain_equal(&d, &d2));
}

static void
check_localpart(const char *s, size_t len, unsigned int flags)
{
	char out[MOX_LOCALPART_MAX + 1], out2[MOX_LOCALPART_MAX + 1];
	char wire[2 * MOX_LOCALPART_MAX + 3], part[16];
	size_t n = 0, n2 = 0, wn, cap;
	unsigned int info = 0, info2 = 0;
	int rc;

	rc = mox_localpart_parse(out, sizeof(out), &n, &info, s, len, flags);
	if (rc != MOX_OK) {
		CHECK(rc < 0);
		CHECK(out[0] == '\0' && info == 0);
		return;
	}
	CHECK(n <= ((flags & MOX_ADDR_STRICT) ? 64 : MOX_LOCALPART_MAX));
	CHECK(out[n] == '\0');
	CHECK(((info & MOX_LOCALPART_UTF8) != 0) == has_nonascii(out, n));
	if (flags & MOX_ADDR_ASCII_LOCALPART)
		CHECK((info & MOX_LOCALPART_UTF8) == 0);

	wn = mox_localpart_format(wire, sizeof(wire), out, n);
	CHECK(wn < sizeof(wire));
	CHECK(((info & MOX_LOCALPART_QUOTED) != 0) == (wire[0] == '"'));
	rc = mox_localpart_parse(out2, sizeof(out2), &n2, &info2, wire, wn,
	    flags);
	CHECK(rc == MOX_OK);
	CHECK(n2 == n && memcmp(out, out2, n) == 0);
	CHECK(info2 == info);

	/* A buffer that is one too small. */
	rc = mox_localpart_parse(out2, n, &n2, NULL, s, len, flags);
	CHECK(rc == MOX_EBUFS);
	CHECK(n2 == n);

	cap = wn % sizeof(part);
	CHECK(mox_localpart_format(part, cap, out, n) == wn);
	check_truncation(wire, wn, part, cap, wn);
}

static void
check_address_format(const mox_address *a, unsigned int flags, bool unicode)
{
	char buf[2 * MOX_LOCALPART_MAX + 3 + MOX_DOMAIN_UNICODE_SIZE];
	char part[24];
	mox_address b;
	size_t n, cap;
	int rc;

	n = mox_address_format(buf, sizeof(buf), a, unicode);
	CHECK(n < sizeof(buf));
	CHECK(strlen(buf) == n);
	rc = mox_address_parse(&b, buf, n, flags);
	CHECK(rc == MOX_OK);
	CHECK(b.localpart_len == a->localpart_len);
	CHECK(memcmp(b.localpart, a->localpart, a->localpart_len) == 0);
	CHECK(strcmp(b.domain.ascii, a->domain.ascii) == 0);
	CHECK(strcmp(b.domain.unicode, a->domain.unicode) == 0);
	CHECK(mox_address_needs_smtputf8(a) == mox_address_needs_smtputf8(&b));

	cap = n % sizeof(part);
	check_truncation(buf, n, part, cap,
	    mox_address_format(part, cap, a, unicode));
}

static void
check_address(const char *s, size_t len, unsigned int flags)
{
	mox_address a;
	int rc;

	rc = mox_address_parse(&a, s, len, flags);
	if (rc != MOX_OK) {
		CHECK(rc < 0);
		CHECK(a.localpart[0] == '\0' && a.localpart_len == 0 &&
		    a.domain.ascii[0] == '\0');
		return;
	}
	CHECK(a.localpart_len <= MOX_LOCALPART_MAX);
	CHECK(a.localpart[a.localpart_len] == '\0');
	check_domain_value(&a.domain, flags);
	CHECK(mox_address_needs_smtputf8(&a) ==
	    (has_nonascii(a.localpart, a.localpart_len) ||
	    mox_domain_is_idn(&a.domain)));
	check_address_format(&a, flags, false);
	check_address_format(&a, flags, true);
}

/* Compare with the C library's parser (glibc also rejects leading zeros
 * in IPv4 parts and zone indexes). */
static void
check_ip_pton(const char *s, size_t len, int rc, const mox_ip *ip)
{
	char z[64];
	uint8_t b[16];
	int af, prc;

	if (len >= sizeof(z) || memchr(s, '\0', len) != NULL || len == 0)
		return;
	memcpy(z, s, len);
	z[len] = '\0';
	af = memchr(s, ':', len) != NULL ? AF_INET6 : AF_INET;
	prc = inet_pton(af, z, b);
	if (len > MOX_IP_STRLEN - 1) {
		CHECK(rc == MOX_ETOOLONG);
		return;
	}
	CHECK((rc == MOX_OK) == (prc == 1));
	if (rc == MOX_OK)
		CHECK(memcmp(ip->addr, b, af == AF_INET ? 4 : 16) == 0);
}

static void
check_ip_value(const mox_ip *ip)
{
	char buf[MOX_IP_STRLEN], rev[MOX_IP_REVERSE_STRLEN], part[12];
	mox_ip ip2, m, u;
	size_t n, cap;
	unsigned int maxbits = ip->family == 4 ? 32 : 128;

	CHECK(ip->family == 4 || ip->family == 6);
	if (ip->family == 4) {
		for (int i = 4; i < 16; i++)
			CHECK(ip->addr[i] == 0);
	}
	CHECK(mox_ip_equal(ip, ip));

	n = mox_ip_format(buf, sizeof(buf), ip);
	CHECK(n > 0 && n < MOX_IP_STRLEN);
	CHECK(mox_ip_parse(&ip2, buf, n) == MOX_OK);
	CHECK(mox_ip_equal(ip, &ip2));
	CHECK(memcmp(ip, &ip2, sizeof(ip2)) == 0);
	for (size_t i = 0; i < n; i++)
		CHECK(!(buf[i] >= 'A' && buf[i] <= 'Z'));
	cap = n % sizeof(part);
	check_truncation(buf, n, part, cap, mox_ip_format(part, cap, ip));

	n = mox_ip_reverse_name(rev, sizeof(rev), ip);
	CHECK(n < MOX_IP_REVERSE_STRLEN);
	CHECK(ip->family == 4 ? n >= 20 : n == 72);
	CHECK(strlen(rev) == n);

	for (unsigned int bits = 0; bits <= maxbits; bits += 7) {
		CHECK(mox_ip_mask(&m, ip, bits) == MOX_OK);
		CHECK(mox_ip_in_prefix(ip, &m, bits));
		CHECK(mox_ip_in_prefix(&m, ip, bits));
	}
	CHECK(mox_ip_mask(&m, ip, maxbits + 1) == MOX_ERANGE);
	CHECK(mox_ip_mask(&m, ip, maxbits) == MOX_OK);
	CHECK(mox_ip_equal(&m, ip));

	mox_ip_unmap(&u, ip);
	if (u.family != ip->family) {
		CHECK(ip->family == 6 && u.family == 4);
		CHECK(memcmp(u.addr, ip->addr + 12, 4) == 0);
		n = mox_ip_format(buf, sizeof(buf), ip);
		CHECK(n > 7 && memcmp(buf, "::ffff:", 7) == 0);
		CHECK(mox_ip_parse(&ip2, buf + 7, n - 7) == MOX_OK);
		CHECK(mox_ip_equal(&u, &ip2));
	} else {
		CHECK(mox_ip_equal(&u, ip));
	}
}

static void
check_ip(const char *s, size_t len)
{
	mox_ip ip;
	int rc;

	rc = mox_ip_parse(&ip, s, len);
	check_ip_pton(s, len, rc, &ip);
	if (rc != MOX_OK) {
		CHECK(rc < 0);
		CHECK(ip.family == 0);
		return;
	}
	check_ip_value(&ip);
}

static void
check_cidr(const char *s, size_t len)
{
	char buf[MOX_IP_STRLEN + 8];
	mox_ip ip, ip2, m;
	unsigned int bits = 0, bits2 = 0;
	size_t n;
	int rc;

	rc = mox_cidr_parse(&ip, &bits, s, len);
	if (rc != MOX_OK) {
		CHECK(rc < 0);
		CHECK(ip.family == 0 && bits == 0);
		return;
	}
	CHECK(bits <= (ip.family == 4 ? 32u : 128u));
	check_ip_value(&ip);
	CHECK(mox_ip_mask(&m, &ip, bits) == MOX_OK);
	CHECK(mox_ip_equal(&m, &ip));

	n = mox_ip_format(buf, sizeof(buf), &ip);
	CHECK(n < MOX_IP_STRLEN);
	rc = snprintf(buf + n, sizeof(buf) - n, "/%u", bits);
	CHECK(rc > 0 && (size_t)rc < sizeof(buf) - n);
	n += (size_t)rc;
	CHECK(mox_cidr_parse(&ip2, &bits2, buf, n) == MOX_OK);
	CHECK(bits2 == bits);
	CHECK(mox_ip_equal(&ip, &ip2));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int domain_flags[] = {
		0,
		MOX_DOMAIN_ALLOW_UNDERSCORE | MOX_DOMAIN_ALLOW_TRAILING_DOT,
		MOX_DOMAIN_REQUIRE_DOT,
		MOX_DOMAIN_ASCII_ONLY | MOX_DOMAIN_ALLOW_UNDERSCORE,
	};
	static const unsigned int lp_flags[] = {
		0, MOX_ADDR_STRICT, MOX_ADDR_ASCII_LOCALPART,
	};
	static const unsigned int addr_flags[] = {
		0,
		MOX_ADDR_STRICT | MOX_DOMAIN_ALLOW_UNDERSCORE |
		    MOX_DOMAIN_ALLOW_TRAILING_DOT,
		MOX_ADDR_ASCII_LOCALPART | MOX_DOMAIN_ASCII_ONLY |
		    MOX_DOMAIN_REQUIRE_DOT,
	};
	const char *s = (const char *)data;
	size_t i;

	/* Longer inputs find nothing new and slow the fuzzer down. */
	if (size > 4096)
		return 0;
	for (i = 0; i < sizeof(domain_flags) / sizeof(domain_flags[0]); i++)
		check_domain(s, size, domain_flags[i]);
	for (i = 0; i < sizeof(lp_flags) / sizeof(lp_flags[0]); i++)
		check_localpart(s, size, lp_flags[i]);
	for (i = 0; i < sizeof(addr_flags) / sizeof(addr_flags[0]); i++)
		check_address(s, size, addr_flags[i]);
	check_ip(s, size);
	check_cidr(s, size);
	return 0;
}
