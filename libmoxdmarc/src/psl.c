/* SPDX-License-Identifier: MIT */
/*
 * psl.c -- the Public Suffix List of RFC 7489 mode.
 *
 * RFC 7489 3.2: the Organizational Domain is the public suffix of the
 * domain (the longest matching rule, with wildcards and exceptions, the
 * implicit "*" rule for unknown TLDs) plus one label: libpsl's
 * registrable domain. A domain that is itself a public suffix has no
 * registrable domain; it is taken as its own Organizational Domain, as
 * OpenDMARC and mox do (RFC 7489 leaves the case open). The whole list
 * is used, ICANN and private sections alike (RFC 7489 does not separate
 * them; OpenDMARC reads the whole file too).
 *
 * libpsl loads and checks the list, and answers for names with an
 * A-label (a label starting "xn--": its IDN rules are held in UTF-8 with
 * their punycode forms) and for lists in its binary DAFSA form. Every
 * other name is answered from our own hash table of the list's ASCII
 * rules, read from the file the way libpsl reads it (psl_load_fp():
 * 255-octet fgets lines, the first token of a line, "//" comments, plain
 * TLD rules implied, "*" only as "*." and rules of 127 octets or more
 * dropped) and looked up by libpsl's rules (psl_registrable_domain():
 * from the left, the first suffix that is public; a suffix is public
 * when it is one label, when its own rule is not an exception, or when
 * its parent holds a wildcard). libpsl's lookups are a binary search of
 * the whole list with strcmp() for every suffix of the name, several
 * times per evaluation; a hash probe per suffix is an order of magnitude
 * cheaper. A name without an A-label can only match the list's ASCII
 * rules (the punycode form of a UTF-8 rule has one, the list's IDN rules
 * being U-labels), so the two paths answer the same.
 *
 * libpsl allocates with malloc(3): loading a list is outside the
 * allocation fault injection for its part. A loaded list is only read
 * afterwards; libpsl lookups are thread-safe and the table is immutable.
 */
#include <stdio.h>
#include <string.h>

#include <libpsl.h>

#include "dmarc-int.h"

#define DEBIAN_PSL "/usr/share/publicsuffix/public_suffix_list.dat"

/* libpsl's rule flags (psl.c _PSL_FLAG_*), as far as lookups use them. */
#define R_EXCEPTION 1u
#define R_WILDCARD 2u

/* libpsl ignores rules that do not fit its 128-octet label buffer. */
#define RULE_MAX 126

struct rule {
	uint64_t hash;
	uint32_t off;              /* into names */
	uint16_t len;
	uint8_t flags;
};

struct mox_dmarc_psl {
	psl_ctx_t *ctx;
	bool libpsl_only;          /* every lookup by libpsl: a DAFSA list,
	                            * or one the table reads otherwise
	                            * (table_agrees()) */
	unsigned int max_labels;   /* most labels of a rule */
	struct rule *rules;
	size_t nrules, caprules;
	uint32_t *slots;           /* rule index + 1; 0 empty */
	size_t mask;
	char *names;
	size_t nlen, ncap;
};

/*
 * Hash of a suffix, built label by label from the right: the hash of
 * "a.b.c" is step("a", hash("b.c")), so one pass over a name gives the
 * hash of each of its suffixes.
 */
static uint64_t
hash_label(uint64_t h, const char *s, size_t n)
{
	const uint64_t k = 0xff51afd7ed558ccdu;
	uint64_t v;
	size_t i;

	h ^= n;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&v, s, 8);
		h = (h ^ v) * k;
		h ^= h >> 32;
	}
	v = 0;
	for (i = 0; i < n; i++)
		v |= (uint64_t)(unsigned char)s[i] << (8 * i);
	h = (h ^ v) * k;
	h ^= h >> 29;
	return h;
}

#define HASH_SEED 0x9e3779b97f4a7c15u

/* Whether a label starting at s (n octets to the end) is an A-label. */
static bool
alabel(const char *s, size_t n)
{
	return n >= 4 && s[0] == 'x' && s[1] == 'n' && s[2] == '-' &&
	    s[3] == '-';
}

/* Label starts of s (at most max of them) and the hash of the suffix at
 * each; returns the count, 0 for more labels or, with *xn set, for an
 * A-label (xn may be NULL: not checked). */
static size_t
suffix_hashes(const char *s, size_t len, size_t *start, uint64_t *hash,
    size_t max, bool *xn)
{
	size_t n = 0, i, end = len, k;
	uint64_t h = HASH_SEED;

	start[n++] = 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (n == max)
				return 0;
			start[n++] = i + 1;
		}
	}
	if (xn != NULL) {
		for (k = 0; k < n; k++) {
			if (alabel(s + start[k], len - start[k])) {
				*xn = true;
				return 0;
			}
		}
	}
	for (k = n; k-- > 0;) {
		size_t b = start[k], e = k + 1 < n ? start[k + 1] - 1 : end;

		h = hash_label(h, s + b, e - b);
		hash[k] = h;
	}
	return n;
}

/* Whether two names of len octets are equal (after a hash match they
 * almost always are): eight octets at a time, without a call. */
static bool
name_eq(const char *a, const char *b, size_t len)
{
	uint64_t x, y;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	if (i < len && len >= 8) {
		memcpy(&x, a + len - 8, 8);
		memcpy(&y, b + len - 8, 8);
		return x == y;
	}
	for (; i < len; i++) {
		if (a[i] != b[i])
			return false;
	}
	return true;
}

static const struct rule *
rule_find(const mox_dmarc_psl *l, const char *s, size_t len, uint64_t h)
{
	size_t i = (size_t)h & l->mask;
	uint32_t x;

	while ((x = l->slots[i]) != 0) {
		const struct rule *r = &l->rules[x - 1];

		if (r->hash == h && r->len == len &&
		    name_eq(l->names + r->off, s, len))
			return r;
		i = (i + 1) & l->mask;
	}
	return NULL;
}

/* --- loading --- */

static bool table_agrees(const mox_dmarc_psl *l);

static int
rule_add(mox_dmarc_psl *l, const char *s, size_t len, unsigned int flags)
{
	size_t starts[RULE_MAX / 2 + 2];
	uint64_t hashes[RULE_MAX / 2 + 2];
	size_t nl;
	struct rule *r;

	nl = suffix_hashes(s, len, starts, hashes,
	    sizeof(starts) / sizeof(starts[0]), NULL);
	if (nl == 0)
		return MOX_OK;
	if (l->nrules == l->caprules) {
		size_t cap = l->caprules ? l->caprules * 2 : 8192;
		struct rule *nr = mox__reallocarray(l->rules, cap, sizeof(*nr));

		if (nr == NULL)
			return MOX_ENOMEM;
		l->rules = nr;
		l->caprules = cap;
	}
	if (l->nlen + len > l->ncap) {
		size_t cap = l->ncap ? l->ncap * 2 : 131072;
		char *nn;

		while (cap < l->nlen + len)
			cap *= 2;
		nn = mox__realloc(l->names, cap);
		if (nn == NULL)
			return MOX_ENOMEM;
		l->names = nn;
		l->ncap = cap;
	}
	r = &l->rules[l->nrules++];
	r->hash = hashes[0];
	r->off = (uint32_t)l->nlen;
	r->len = (uint16_t)len;
	r->flags = (uint8_t)flags;
	memcpy(l->names + l->nlen, s, len);
	l->nlen += len;
	if (nl > l->max_labels)
		l->max_labels = (unsigned int)nl;
	return MOX_OK;
}

/* The hash table over the rules; a rule given twice gets the flags of
 * both in its first entry, as libpsl merges them. */
static int
table_build(mox_dmarc_psl *l)
{
	size_t size = 16, i;

	while (size < l->nrules * 2)
		size *= 2;
	l->slots = mox__calloc(size, sizeof(*l->slots));
	if (l->slots == NULL)
		return MOX_ENOMEM;
	l->mask = size - 1;
	for (i = 0; i < l->nrules; i++) {
		struct rule *r = &l->rules[i];
		size_t k = (size_t)r->hash & l->mask;
		uint32_t x;

		while ((x = l->slots[k]) != 0) {
			struct rule *o = &l->rules[x - 1];

			if (o->hash == r->hash && o->len == r->len &&
			    memcmp(l->names + o->off, l->names + r->off,
			    r->len) == 0) {
				o->flags |= r->flags;
				break;
			}
			k = (k + 1) & l->mask;
		}
		if (x == 0)
			l->slots[k] = (uint32_t)(i + 1);
	}
	return MOX_OK;
}

static bool
psl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Read the rules of a text list as libpsl's psl_load_fp() does. */
static int
rules_read(mox_dmarc_psl *l, FILE *f)
{
	char buf[256], *line, *p;
	bool first = true;
	int rc;

	for (;;) {
		unsigned int flags = 0;
		size_t len, i;
		bool ascii = true;

		line = fgets(buf, first ? (int)sizeof(buf) - 1 :
		    (int)sizeof(buf), f);
		if (line == NULL)
			break;
		if (first && strlen(buf) == 16 &&
		    strncmp(buf, ".DAFSA@PSL_", 11) == 0) {
			l->libpsl_only = true;
			return MOX_OK;
		}
		first = false;
		while (psl_space(*line))
			line++;
		if (*line == '\0' || (line[0] == '/' && line[1] == '/'))
			continue;
		for (p = line; *line != '\0' && !psl_space(*line); line++)
			;
		*line = '\0';
		if (*p == '!') {
			p++;
			flags = R_EXCEPTION;
		} else if (*p == '*') {
			if (*++p != '.')
				continue;
			p++;
			flags = R_WILDCARD;
		} else if (strchr(p, '.') == NULL) {
			continue; /* the implicit "*" rule covers TLDs */
		}
		len = (size_t)(line - p);
		if (len > RULE_MAX)
			continue;
		for (i = 0; i < len; i++) {
			if ((unsigned char)p[i] >= 0x80)
				ascii = false;
		}
		/* A UTF-8 rule only matches names with A-labels, which
		 * libpsl answers. */
		if (!ascii)
			continue;
		rc = rule_add(l, p, len, flags);
		if (rc != MOX_OK)
			return rc;
	}
	return MOX_OK;
}

int
mox_dmarc_psl_load(mox_dmarc_psl **out, const char *path)
{
	mox_dmarc_psl *l;
	FILE *f;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (path == NULL)
		path = DEBIAN_PSL;
	f = fopen(path, "r");
	if (f == NULL)
		return MOX_EIO;
	l = mox__calloc(1, sizeof(*l));
	if (l == NULL) {
		fclose(f);
		return MOX_ENOMEM;
	}
	l->ctx = psl_load_fp(f);
	if (l->ctx == NULL) {
		/* Unreadable after all, empty, or no rule in it. */
		fclose(f);
		mox__free(l);
		return MOX_ESYNTAX;
	}
	rewind(f);
	rc = rules_read(l, f);
	if (rc == MOX_OK && ferror(f))
		rc = MOX_EIO;
	fclose(f);
	if (rc == MOX_OK && !l->libpsl_only)
		rc = table_build(l);
	if (rc != MOX_OK) {
		mox_dmarc_psl_free(l);
		return rc;
	}
	if (!l->libpsl_only && !table_agrees(l)) {
		/* Not read as libpsl read it (a rule given twice, which
		 * libpsl resolves by the order of its unsorted vector):
		 * libpsl answers everything. */
		l->libpsl_only = true;
	}
	*out = l;
	return MOX_OK;
}

void
mox_dmarc_psl_free(mox_dmarc_psl *psl)
{
	if (psl == NULL)
		return;
	psl_free(psl->ctx);
	mox__free(psl->rules);
	mox__free(psl->slots);
	mox__free(psl->names);
	mox__free(psl);
}

/* --- lookups --- */

/* Whether the suffix k of a name (labels start[k..n)) is public, as
 * libpsl's is_public_suffix(). */
static bool
is_public(const mox_dmarc_psl *l, const char *d, size_t len,
    const size_t *start, const uint64_t *hash, size_t n, size_t k)
{
	const struct rule *r;

	if (n - k == 1)
		return true;      /* a TLD: the implicit "*" rule */
	if (n - k > l->max_labels + 1)
		return false;     /* longer than any rule and its wildcard */
	r = rule_find(l, d + start[k], len - start[k], hash[k]);
	if (r != NULL)
		return (r->flags & R_EXCEPTION) == 0;
	r = rule_find(l, d + start[k + 1], len - start[k + 1], hash[k + 1]);
	return r != NULL && (r->flags & R_WILDCARD) != 0;
}

/*
 * Whether the table decides as libpsl does: a suffix is public by its own
 * rule or by its parent's wildcard, so comparing, for every rule's name N,
 * whether N and a name one label below it are public covers every
 * decision the table makes (other names find no rule on either side).
 * Left out: names with an A-label (libpsl answers those) and names with
 * an empty label (no suffix of a domain name is one).
 */
static bool
table_agrees(const mox_dmarc_psl *l)
{
	static const char probe[] = "mox-psl-probe.";
	size_t start[MOX_DOMAIN_MAX / 2 + 2];
	uint64_t hash[MOX_DOMAIN_MAX / 2 + 2];
	char name[sizeof(probe) + RULE_MAX + 1];
	size_t i, k, n;

	for (i = 0; i < l->nrules; i++) {
		const struct rule *r = &l->rules[i];
		bool xn = false;

		if (r->len == 0 || l->names[r->off] == '.' ||
		    l->names[r->off + r->len - 1] == '.' ||
		    memmem(l->names + r->off, r->len, "..", 2) != NULL)
			continue;
		memcpy(name, probe, sizeof(probe) - 1);
		memcpy(name + sizeof(probe) - 1, l->names + r->off, r->len);
		name[sizeof(probe) - 1 + r->len] = '\0';
		for (k = 0; k < 2; k++) {
			/* N, then "mox-psl-probe." N. */
			size_t skip = k == 0 ? sizeof(probe) - 1 : 0;
			const char *d = name + skip;
			size_t len = sizeof(probe) - 1 + r->len - skip;

			n = suffix_hashes(d, len, start, hash,
			    sizeof(start) / sizeof(start[0]), &xn);
			if (xn)
				break;
			if (n == 0 || is_public(l, d, len, start, hash, n, 0) !=
			    (psl_is_public_suffix(l->ctx, d) != 0))
				return false;
		}
	}
	return true;
}

size_t
dmarc__psl_org_off(const mox_dmarc_psl *psl, const char *domain, size_t len)
{
	size_t start[MOX_DOMAIN_MAX / 2 + 2];
	uint64_t hash[MOX_DOMAIN_MAX / 2 + 2];
	size_t n, k, reg = 0;
	const char *r;
	bool xn = false;

	if (!psl->libpsl_only) {
		n = suffix_hashes(domain, len, start, hash,
		    sizeof(start) / sizeof(start[0]), &xn);
		if (n > 0) {
			/* psl_registrable_domain(): the label before the first
			 * public suffix from the left; none when the name is
			 * one. */
			for (k = 0; k < n; k++) {
				if (is_public(psl, domain, len, start, hash, n,
				    k))
					break;
				reg = start[k];
			}
			return reg;
		}
	}
	r = psl_registrable_domain(psl->ctx, domain);
	return r != NULL ? (size_t)(r - domain) : 0;
}

size_t
dmarc__psl_org(const mox_dmarc_psl *psl, const char *domain, char *out)
{
	size_t len = strlen(domain), off, n;

	off = dmarc__psl_org_off(psl, domain, len);
	n = len - off;
	if (n > MOX_DOMAIN_MAX)
		n = MOX_DOMAIN_MAX;
	memcpy(out, domain + off, n);
	out[n] = '\0';
	return n;
}

size_t
mox_dmarc_psl_orgdomain(char *buf, size_t cap, const mox_dmarc_psl *psl,
    const char *domain)
{
	char norm[MOX_DOMAIN_MAX + 1], org[MOX_DOMAIN_MAX + 1];
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, cap);
	if (psl == NULL || domain == NULL ||
	    !dmarc__domain_norm(domain, strlen(domain), norm))
		return 0;
	dmarc__psl_org(psl, norm, org);
	mox__sbuf_adds(&sb, org);
	return sb.len;
}
