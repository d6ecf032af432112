/* SPDX-License-Identifier: MIT */
/*
 * spf2zone.c -- zone text into libspf2's SPF_dns_zone layer; see
 * spf2zone.h.
 *
 * The zone layer of libspf2 knows no CNAMEs and no NODATA for names it
 * holds, and takes the first entry that matches a question. So the
 * answers are computed here: each name's CNAME chain is followed for each
 * type, names that exist (owners and their ancestors) get NO_DATA entries
 * for the types they lack, the forced outcomes come first, and a layer
 * below answers NXDOMAIN (of the asked type) for every other name.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include "spf2zone.h"

#define CNAME_MAX 8

enum { ZT_A, ZT_AAAA, ZT_MX, ZT_PTR, ZT_TXT, ZT_SPF, ZT_CNAME, NTYPES };
static const char *const tnames[NTYPES] = { "A", "AAAA", "MX", "PTR",
	"TXT", "SPF", "CNAME" };
static const ns_type ttypes[NTYPES] = { ns_t_a, ns_t_aaaa, ns_t_mx,
	ns_t_ptr, ns_t_txt, ns_t_spf, ns_t_cname };

struct rr {
	char *name; /* lowercase, no trailing dot */
	int type;
	char *data; /* as libspf2 wants it: "10 host" for MX */
};

struct spf2zone {
	struct rr *rrs;
	size_t nrrs, cap;
	char **names; /* every owner and its ancestors */
	size_t nnames, ncap;
	char **forced; /* "nxdomain"/"servfail"/"timeout" per forced_name */
	char **forced_name;
	size_t nforced, fcap;
};

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("spf2zone: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		die("out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		die("out of memory");
	return d;
}

/* A name of zone text (\DDD and \X escapes) into lowercase without the
 * trailing dot. */
static char *
zname(const char *s, size_t n)
{
	char *out = xrealloc(NULL, n + 1);
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && isdigit((unsigned char)s[i + 1]) &&
		    isdigit((unsigned char)s[i + 2]) &&
		    isdigit((unsigned char)s[i + 3])) {
			out[o++] = (char)((s[i + 1] - '0') * 100 +
			    (s[i + 2] - '0') * 10 + (s[i + 3] - '0'));
			i += 3;
		} else if (s[i] == '\\' && i + 1 < n) {
			out[o++] = s[++i];
		} else {
			out[o++] = (char)tolower((unsigned char)s[i]);
		}
	}
	if (o > 0 && out[o - 1] == '.')
		o--;
	out[o] = '\0';
	return out;
}

static void
add_name(struct spf2zone *z, const char *name)
{
	const char *p = name;

	for (;;) {
		size_t i;
		bool have = false;

		for (i = 0; i < z->nnames; i++) {
			if (strcmp(z->names[i], p) == 0) {
				have = true;
				break;
			}
		}
		if (!have) {
			if (z->nnames == z->ncap) {
				z->ncap = z->ncap * 2 + 16;
				z->names = xrealloc(z->names,
				    z->ncap * sizeof(*z->names));
			}
			z->names[z->nnames++] = xstrdup(p);
		}
		p = strchr(p, '.');
		if (p == NULL)
			break;
		p++;
	}
}

static void
add_rr(struct spf2zone *z, char *name, int type, char *data)
{
	if (z->nrrs == z->cap) {
		z->cap = z->cap * 2 + 16;
		z->rrs = xrealloc(z->rrs, z->cap * sizeof(*z->rrs));
	}
	z->rrs[z->nrrs].name = name;
	z->rrs[z->nrrs].type = type;
	z->rrs[z->nrrs].data = data;
	z->nrrs++;
	add_name(z, name);
}

/* TXT rdata: quoted strings, joined. */
static char *
txt_data(const char *s, const char *path, unsigned long line)
{
	size_t n = strlen(s), o = 0;
	char *out = xrealloc(NULL, n + 1);

	while (*s != '\0') {
		if (*s == ' ' || *s == '\t') {
			s++;
			continue;
		}
		if (*s != '"')
			die("%s:%lu: unquoted TXT data", path, line);
		s++;
		while (*s != '"') {
			if (*s == '\0')
				die("%s:%lu: unterminated string", path, line);
			if (*s == '\\' && isdigit((unsigned char)s[1])) {
				out[o++] = (char)((s[1] - '0') * 100 +
				    (s[2] - '0') * 10 + (s[3] - '0'));
				s += 4;
			} else if (*s == '\\') {
				out[o++] = s[1];
				s += 2;
			} else {
				out[o++] = *s++;
			}
		}
		s++;
	}
	out[o] = '\0';
	return out;
}

struct spf2zone *
spf2zone_load(const char *path)
{
	struct spf2zone *z = calloc(1, sizeof(*z));
	FILE *f = fopen(path, "r");
	char buf[70000];
	unsigned long line = 0;

	if (z == NULL)
		die("out of memory");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *owner, *ttl, *cls, *type, *rdata, *save;
		size_t n = strlen(buf);
		int t;

		line++;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n == 0 || buf[0] == ';')
			continue;
		if (buf[0] == '$') {
			char *d = strtok_r(buf, " \t", &save);
			char *name = strtok_r(NULL, " \t", &save);

			if (name == NULL)
				die("%s:%lu: directive without name", path, line);
			if (z->nforced == z->fcap) {
				z->fcap = z->fcap * 2 + 8;
				z->forced = xrealloc(z->forced,
				    z->fcap * sizeof(*z->forced));
				z->forced_name = xrealloc(z->forced_name,
				    z->fcap * sizeof(*z->forced_name));
			}
			z->forced[z->nforced] = xstrdup(d + 1);
			z->forced_name[z->nforced] = zname(name, strlen(name));
			z->nforced++;
			continue;
		}
		owner = strtok_r(buf, " \t", &save);
		ttl = strtok_r(NULL, " \t", &save);
		cls = strtok_r(NULL, " \t", &save);
		type = strtok_r(NULL, " \t", &save);
		rdata = strtok_r(NULL, "", &save);
		if (owner == NULL || ttl == NULL || cls == NULL || type == NULL ||
		    rdata == NULL)
			die("%s:%lu: not a record line", path, line);
		for (t = 0; t < NTYPES; t++)
			if (strcasecmp(type, tnames[t]) == 0)
				break;
		if (t == NTYPES)
			die("%s:%lu: type %s not in the subset", path, line, type);
		if (t == ZT_TXT || t == ZT_SPF) {
			add_rr(z, zname(owner, strlen(owner)), t,
			    txt_data(rdata, path, line));
		} else if (t == ZT_MX) {
			char *pref = strtok_r(rdata, " \t", &save);
			char *host = strtok_r(NULL, " \t", &save);
			char *h, *d;

			if (pref == NULL || host == NULL)
				die("%s:%lu: bad MX", path, line);
			h = zname(host, strlen(host));
			d = xrealloc(NULL, strlen(pref) + strlen(h) + 2);
			snprintf(d, strlen(pref) + strlen(h) + 2, "%s %s",
			    pref, h);
			free(h);
			add_rr(z, zname(owner, strlen(owner)), t, d);
		} else if (t == ZT_PTR || t == ZT_CNAME) {
			add_rr(z, zname(owner, strlen(owner)), t,
			    zname(rdata, strlen(rdata)));
		} else {
			add_rr(z, zname(owner, strlen(owner)), t,
			    xstrdup(rdata));
		}
	}
	fclose(f);
	return z;
}

void
spf2zone_free(struct spf2zone *z)
{
	if (z == NULL)
		return;
	size_t i;

	for (i = 0; i < z->nrrs; i++) {
		free(z->rrs[i].name);
		free(z->rrs[i].data);
	}
	for (i = 0; i < z->nnames; i++)
		free(z->names[i]);
	for (i = 0; i < z->nforced; i++) {
		free(z->forced[i]);
		free(z->forced_name[i]);
	}
	free(z->rrs);
	free(z->names);
	free(z->forced);
	free(z->forced_name);
	free(z);
}

static const char *
forced_of(const struct spf2zone *z, const char *name)
{
	size_t i;

	for (i = 0; i < z->nforced; i++)
		if (strcmp(z->forced_name[i], name) == 0)
			return z->forced[i];
	return NULL;
}

static bool
has_name(const struct spf2zone *z, const char *name)
{
	size_t i;

	for (i = 0; i < z->nnames; i++)
		if (strcmp(z->names[i], name) == 0)
			return true;
	return false;
}

static const char *
cname_of(const struct spf2zone *z, const char *name)
{
	size_t i;

	for (i = 0; i < z->nrrs; i++)
		if (z->rrs[i].type == ZT_CNAME && strcmp(z->rrs[i].name, name) == 0)
			return z->rrs[i].data;
	return NULL;
}

static bool
has_type(const struct spf2zone *z, const char *name, int t)
{
	size_t i;

	for (i = 0; i < z->nrrs; i++)
		if (z->rrs[i].type == t && strcmp(z->rrs[i].name, name) == 0)
			return true;
	return false;
}

static int
herrno_of(const char *forced)
{
	return strcasecmp(forced, "NXDOMAIN") == 0 ? HOST_NOT_FOUND : TRY_AGAIN;
}

static void
zadd(SPF_dns_server_t *dns, const char *name, ns_type t, int herrno,
    const char *data)
{
	SPF_errcode_t e = SPF_dns_zone_add_str(dns, name, t, herrno, data);

	if (e != SPF_E_SUCCESS)
		die("SPF_dns_zone_add_str %s: %s", name, SPF_strerror(e));
}

/* The layer below the zone: every name it is asked for does not exist.
 * The zone layer's own answer for names it does not hold has type ANY,
 * which libspf2's evaluator takes for a DNS failure in some places (the
 * address lookups of mx); a resolver's NXDOMAIN has the asked type. */
static SPF_dns_rr_t *
nx_lookup(SPF_dns_server_t *s, const char *domain, ns_type t, int cache)
{
	(void)cache;
	return SPF_dns_rr_new_init(s, domain, t, 3600, HOST_NOT_FOUND);
}

static void
nx_destroy(SPF_dns_server_t *s)
{
	free(s);
}

/* The zone layer for a scenario: each name's answer for each type as a
 * resolver would give it after following CNAMEs. */
SPF_dns_server_t *
spf2zone_dns(const struct spf2zone *z, bool full)
{
	SPF_dns_server_t *nx = calloc(1, sizeof(*nx)), *dns;
	size_t i, k;
	int t;

	if (nx == NULL)
		die("out of memory");
	nx->destroy = nx_destroy;
	nx->lookup = nx_lookup;
	nx->name = "nxdomain";
	dns = SPF_dns_zone_new(nx, "zone", 0);
	if (dns == NULL)
		die("SPF_dns_zone_new failed");
	/* forced outcomes first (the zone layer takes the first match), for
	 * each type, so that the answers have the asked type */
	for (i = 0; i < z->nforced; i++)
		for (t = 0; t < NTYPES; t++)
			if (t != ZT_CNAME)
				zadd(dns, z->forced_name[i], ttypes[t],
				    herrno_of(z->forced[i]), NULL);
	for (i = 0; i < z->nnames; i++) {
		const char *name = z->names[i];

		if (forced_of(z, name) != NULL)
			continue;
		for (t = 0; t < NTYPES; t++) {
			const char *end = name, *f = NULL;
			int depth = 0;

			if (t == ZT_CNAME)
				continue;
			/* follow the chain */
			while (!has_type(z, end, t) && cname_of(z, end) != NULL &&
			    depth <= CNAME_MAX) {
				end = cname_of(z, end);
				depth++;
				if ((f = forced_of(z, end)) != NULL)
					break;
			}
			if (f != NULL) {
				zadd(dns, name, ttypes[t], herrno_of(f), NULL);
			} else if (depth > CNAME_MAX) {
				zadd(dns, name, ttypes[t], TRY_AGAIN, NULL);
			} else if (has_type(z, end, t)) {
				for (k = 0; k < z->nrrs; k++)
					if (z->rrs[k].type == t &&
					    strcmp(z->rrs[k].name, end) == 0)
						zadd(dns, name, ttypes[t],
						    NETDB_SUCCESS,
						    z->rrs[k].data);
			} else if (!full) {
				/* the layer below answers NXDOMAIN */
			} else if (has_name(z, end)) {
				zadd(dns, name, ttypes[t], NO_DATA, NULL);
			} else {
				zadd(dns, name, ttypes[t], HOST_NOT_FOUND,
				    NULL);
			}
		}
	}
	return dns;
}
