/* SPDX-License-Identifier: MIT */
/*
 * psl.c -- the Public Suffix List of RFC 7489 mode, through libpsl.
 *
 * RFC 7489 3.2: the Organizational Domain is the public suffix of the
 * domain (the longest matching rule, with wildcards and exceptions, the
 * implicit "*" rule for unknown TLDs) plus one label: libpsl's
 * registrable domain. A domain that is itself a public suffix has no
 * registrable domain; it is taken as its own Organizational Domain, as
 * OpenDMARC and mox do (RFC 7489 leaves the case open). The whole list
 * is used, ICANN and private sections alike (RFC 7489 does not separate
 * them; OpenDMARC reads the whole file too). libpsl holds UTF-8 rules
 * with their punycode forms, so A-label input works.
 *
 * libpsl allocates with malloc(3): loading a list is outside the
 * allocation fault injection. A loaded list is only read afterwards,
 * and libpsl lookups are thread-safe.
 */
#include <stdio.h>
#include <string.h>

#include <libpsl.h>

#include "dmarc-int.h"

#define DEBIAN_PSL "/usr/share/publicsuffix/public_suffix_list.dat"

struct mox_dmarc_psl {
	psl_ctx_t *ctx;
};

int
mox_dmarc_psl_load(mox_dmarc_psl **out, const char *path)
{
	mox_dmarc_psl *l;
	FILE *f;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (path == NULL)
		path = DEBIAN_PSL;
	f = fopen(path, "r");
	if (f == NULL)
		return MOX_EIO;
	fclose(f);
	l = mox__calloc(1, sizeof(*l));
	if (l == NULL)
		return MOX_ENOMEM;
	l->ctx = psl_load_file(path);
	if (l->ctx == NULL) {
		/* Unreadable after all, empty, or no rule in it. */
		mox__free(l);
		return MOX_ESYNTAX;
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
	mox__free(psl);
}

size_t
dmarc__psl_org(const mox_dmarc_psl *psl, const char *domain, char *out)
{
	const char *reg = psl_registrable_domain(psl->ctx, domain);
	size_t n;

	if (reg == NULL)
		reg = domain;
	n = strlen(reg);
	if (n > MOX_DOMAIN_MAX)
		n = MOX_DOMAIN_MAX;
	memcpy(out, reg, n);
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
