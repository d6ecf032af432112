/* SPDX-License-Identifier: MIT */
/*
 * static.c -- the in-memory resolver backend: records added through the API
 * or loaded from zone text, answered from a hash table keyed by lowercase
 * wire name. Questions are answered at once; lookups only read the table,
 * so any number of threads may look up concurrently (adding must not run
 * at the same time, as dns.h says).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns-int.h"

#define STATIC_FILE_MAX (64u * 1024 * 1024)

struct srr {
	uint8_t *rdata; /* in the table's arena */
	uint32_t ttl;
	uint16_t rdlen;
	uint16_t type;
	bool authentic;
};

struct snode {
	struct snode *next; /* hash chain */
	uint32_t hash;
	int forced;     /* mox_dns_result, MOX_DNS_OK for none */
	bool has_desc;  /* an ancestor of a name with records */
	struct srr *rrs;
	size_t nrrs;
	size_t cap;
	size_t wlen;
	/* lowercase wire name (the key), then the name as first added */
	uint8_t wire[];
};

struct sres {
	struct snode **buckets;
	size_t nbuckets; /* power of two */
	size_t nnodes;
	mox__arena arena; /* nodes and rdata */
	mox_resolver *r;
};

/* --- table --- */

static uint32_t
name_hash(const uint8_t *lw, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= lw[i];
		h *= 16777619u;
	}
	return h;
}

static void
name_lower(uint8_t *out, const uint8_t *w, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)mox__lower(w[i]);
}

static struct snode *
node_find(const struct sres *s, const uint8_t *w, size_t len)
{
	uint8_t lw[CORE_NAME_WIRE_MAX];
	struct snode *n;
	uint32_t h;

	name_lower(lw, w, len);
	h = name_hash(lw, len);
	for (n = s->buckets[h & (s->nbuckets - 1)]; n != NULL; n = n->next) {
		if (n->hash == h && n->wlen == len &&
		    memcmp(n->wire, lw, len) == 0)
			return n;
	}
	return NULL;
}

/* Double the bucket array; failure is harmless (chains get longer). */
static void
table_grow(struct sres *s)
{
	struct snode **nb, *n, *next;
	size_t nn = s->nbuckets * 2, i;

	nb = mox__calloc(nn, sizeof(*nb));
	if (nb == NULL)
		return;
	for (i = 0; i < s->nbuckets; i++) {
		for (n = s->buckets[i]; n != NULL; n = next) {
			next = n->next;
			n->next = nb[n->hash & (nn - 1)];
			nb[n->hash & (nn - 1)] = n;
		}
	}
	mox__free(s->buckets);
	s->buckets = nb;
	s->nbuckets = nn;
}

static int
node_get(struct sres *s, const uint8_t *w, size_t len, struct snode **out)
{
	struct snode *n = node_find(s, w, len);
	size_t b;

	if (n != NULL) {
		*out = n;
		return MOX_OK;
	}
	if (s->nnodes >= s->nbuckets)
		table_grow(s);
	n = mox__arena_alloc(&s->arena, sizeof(*n) + 2 * len);
	if (n == NULL)
		return MOX_ENOMEM;
	memset(n, 0, sizeof(*n));
	n->wlen = len;
	name_lower(n->wire, w, len);
	memcpy(n->wire + len, w, len);
	n->hash = name_hash(n->wire, len);
	n->forced = MOX_DNS_OK;
	b = n->hash & (s->nbuckets - 1);
	n->next = s->buckets[b];
	s->buckets[b] = n;
	s->nnodes++;
	*out = n;
	return MOX_OK;
}

static bool
node_exists(const struct snode *n)
{
	return n != NULL && (n->nrrs > 0 || n->has_desc);
}

/* Offset of the parent of the name at w+off (off must not be the root). */
static size_t
parent_off(const uint8_t *w, size_t off)
{
	return off + 1 + w[off];
}

/*
 * Add one record (rdata already validated). Nodes of the ancestors are
 * made first and the record's slot reserved, so that a failed allocation
 * leaves no ancestor marked without its descendant.
 */
static int
static_insert(struct sres *s, const uint8_t *w, size_t wlen, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen, bool authentic)
{
	struct snode *n, *a;
	struct srr *rr;
	size_t off;
	int rc;

	for (off = 0; w[off] != 0;) {
		off = parent_off(w, off);
		rc = node_get(s, w + off, wlen - off, &a);
		if (rc != MOX_OK)
			return rc;
	}
	rc = node_get(s, w, wlen, &n);
	if (rc != MOX_OK)
		return rc;
	if (n->nrrs == n->cap) {
		size_t ncap = n->cap ? n->cap * 2 : 2;
		struct srr *np = mox__reallocarray(n->rrs, ncap, sizeof(*np));

		if (np == NULL)
			return MOX_ENOMEM;
		n->rrs = np;
		n->cap = ncap;
	}
	rr = &n->rrs[n->nrrs];
	rr->rdata = mox__arena_memdup(&s->arena, rdata, rdlen);
	if (rr->rdata == NULL)
		return MOX_ENOMEM;
	rr->rdlen = (uint16_t)rdlen;
	rr->type = type;
	rr->ttl = ttl;
	rr->authentic = authentic;
	n->nrrs++;
	for (off = 0; w[off] != 0;) {
		off = parent_off(w, off);
		a = node_find(s, w + off, wlen - off);
		if (a == NULL || a->has_desc)
			break; /* its ancestors are marked already */
		a->has_desc = true;
	}
	return MOX_OK;
}

static int
static_force(struct sres *s, const uint8_t *w, size_t wlen, int result)
{
	struct snode *n;
	int rc;

	if (result == MOX_DNS_OK) {
		n = node_find(s, w, wlen);
		if (n != NULL)
			n->forced = MOX_DNS_OK;
		return MOX_OK;
	}
	rc = node_get(s, w, wlen, &n);
	if (rc != MOX_OK)
		return rc;
	n->forced = result;
	return MOX_OK;
}

static void
static_destroy(void *impl)
{
	struct sres *s = impl;
	struct snode *n;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nbuckets; i++) {
		for (n = s->buckets[i]; n != NULL; n = n->next)
			mox__free(n->rrs);
	}
	mox__free(s->buckets);
	mox__arena_free(&s->arena);
	mox__free(s);
}

/* --- answers --- */

static bool
rrs_authentic(const struct snode *n, uint16_t type, bool any_type)
{
	size_t i;

	for (i = 0; i < n->nrrs; i++) {
		if ((any_type || n->rrs[i].type == type) &&
		    !n->rrs[i].authentic)
			return false;
	}
	return true;
}

static const struct srr *
node_type(const struct snode *n, uint16_t type)
{
	size_t i;

	for (i = 0; n != NULL && i < n->nrrs; i++) {
		if (n->rrs[i].type == type)
			return &n->rrs[i];
	}
	return NULL;
}

/*
 * For a negative answer about the name w: the authentic bit and TTL from
 * the SOA of the closest enclosing zone held (RFC 2308 5: the smaller of
 * the SOA's TTL and its minimum), else the authentic bit of the closest
 * ancestor (or the name itself) holding records, else not authentic.
 */
static void
negative_info(const struct sres *s, const uint8_t *w, size_t wlen,
    bool *secure, bool *have_ttl, uint32_t *ttl)
{
	const struct snode *n, *held = NULL;
	const struct srr *soa;
	size_t off = 0;

	*secure = false;
	*have_ttl = false;
	for (;;) {
		n = node_find(s, w + off, wlen - off);
		soa = node_type(n, MOX_DNS_SOA);
		if (soa != NULL) {
			uint32_t min = mox__get32(soa->rdata + soa->rdlen - 4);

			*secure = rrs_authentic(n, MOX_DNS_SOA, false);
			*have_ttl = true;
			*ttl = soa->ttl < min ? soa->ttl : min;
			return;
		}
		if (held == NULL && n != NULL && n->nrrs > 0)
			held = n;
		if (w[off] == 0)
			break;
		off = parent_off(w, off);
	}
	if (held != NULL)
		*secure = rrs_authentic(held, 0, true);
}

/* Whether a wire name can be an owner in an answer: its presentation form
 * must pass core_qname_check() (no escapes). */
static bool
name_text(const uint8_t *w, size_t wlen, char *buf, size_t cap)
{
	char tmp[MOX_DOMAIN_MAX + 1];
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, cap);
	core_name_wire_to_text(&sb, w, wlen);
	if (sb.len == 0)
		mox__sbuf_addc(&sb, '.');
	if (sb.len >= cap)
		return false;
	return core_qname_check(tmp, sizeof(tmp), buf) == MOX_OK;
}

static int
forced_answer(const char *qname, uint16_t qtype, int result,
    mox_dns_answer **out)
{
	int rc = core_answer_forced(out, qname, qtype, result);

	if (rc == MOX_OK && result == MOX_DNS_BOGUS) {
		rc = core_answer_set_why_bogus(*out,
		    "forced by the static resolver");
		if (rc != MOX_OK) {
			mox_dns_answer_free(*out);
			*out = NULL;
		}
	}
	return rc;
}

/* The current canonical name of an answer being built, as an owner for
 * mox_dns_answer_add(): the answer keeps the root as "", which
 * core_qname_check() refuses, so it is given as ".". */
static const char *
owner_of(const mox_dns_answer *a)
{
	return a->canonname[0] != '\0' ? a->canonname : ".";
}

/* Answer one question from the table; read-only. */
static int
static_answer(const struct sres *s, const char *qname, uint16_t qtype,
    mox_dns_answer **out)
{
	const struct srr *chain[CORE_CNAME_MAX];
	const struct snode *visited[CORE_CNAME_MAX + 1];
	char text[4 * CORE_NAME_WIRE_MAX + 1];
	uint8_t qw[CORE_NAME_WIRE_MAX];
	const uint8_t *cur;
	const struct snode *n;
	mox_dns_answer *a = NULL;
	size_t qwlen, curlen, nchain = 0, nvisited = 0, i;
	int result = MOX_DNS_OK, rc;
	bool secure = true, neg_secure, have_negttl;
	uint32_t negttl = 0;

	*out = NULL;
	rc = core_name_to_wire(qw, &qwlen, qname, strlen(qname), NULL, 0);
	if (rc != MOX_OK)
		return MOX_EINVAL;
	cur = qw;
	curlen = qwlen;
	for (;;) {
		const struct srr *c;

		n = node_find(s, cur, curlen);
		if (n != NULL && n->forced != MOX_DNS_OK) {
			result = n->forced;
			if (result != MOX_DNS_NXDOMAIN)
				return forced_answer(qname, qtype, result, out);
			break;
		}
		if (!node_exists(n)) {
			result = MOX_DNS_NXDOMAIN;
			break;
		}
		c = qtype != MOX_DNS_CNAME ? node_type(n, MOX_DNS_CNAME) :
		    NULL;
		if (c == NULL)
			break;
		/* RFC 1034 3.6.2: follow, within our data. */
		for (i = 0; i < nvisited; i++) {
			if (visited[i] == n)
				return forced_answer(qname, qtype,
				    MOX_DNS_SERVFAIL, out);
		}
		if (nchain == CORE_CNAME_MAX ||
		    !name_text(c->rdata, c->rdlen, text, sizeof(text)))
			return forced_answer(qname, qtype, MOX_DNS_SERVFAIL,
			    out);
		visited[nvisited++] = n;
		chain[nchain++] = c;
		cur = c->rdata;
		curlen = c->rdlen;
	}

	/* qname passed core_qname_check() in mox_dns_lookup() or
	 * mox_dns_query(). */
	rc = core_answer_new_checked(&a, qname, qtype, result,
	    result == MOX_DNS_NXDOMAIN ? 3 : 0);
	if (rc != MOX_OK)
		return rc;
	for (i = 0; i < nchain; i++) {
		/* The owner is the current canonical name (the previous
		 * target, as the answer itself tracks it). */
		rc = mox_dns_answer_add(a, owner_of(a), MOX_DNS_CNAME,
		    chain[i]->ttl, chain[i]->rdata, chain[i]->rdlen);
		if (rc != MOX_OK)
			goto fail;
		if (!chain[i]->authentic)
			secure = false;
	}
	if (result == MOX_DNS_OK) {
		for (i = 0; i < n->nrrs; i++) {
			const struct srr *rr = &n->rrs[i];

			if (rr->type != qtype)
				continue;
			rc = mox_dns_answer_add(a, owner_of(a), qtype, rr->ttl,
			    rr->rdata, rr->rdlen);
			if (rc != MOX_OK)
				goto fail;
			if (!rr->authentic)
				secure = false;
		}
	}
	if (a->nrrs == 0) {
		negative_info(s, cur, curlen, &neg_secure, &have_negttl,
		    &negttl);
		if (!neg_secure)
			secure = false;
		if (have_negttl && (!a->have_ttl || negttl < a->ttl)) {
			a->ttl = negttl;
			a->have_ttl = true;
		}
	}
	mox_dns_answer_set_secure(a, secure);
	core_answer_finish(a);
	*out = a;
	return MOX_OK;

fail:
	mox_dns_answer_free(a);
	return rc == MOX_ENOMEM ? rc : MOX_EDNS;
}

static int
static_lookup(void *impl, const char *qname, uint16_t qtype,
    unsigned int timeout_ms, mox_dns_answer **out)
{
	(void)timeout_ms;
	return static_answer(impl, qname, qtype, out);
}

static int
static_query(void *impl, mox_resolver *r, uint64_t qid, const char *qname,
    uint16_t qtype)
{
	mox_dns_answer *a;
	int rc;

	rc = static_answer(impl, qname, qtype, &a);
	if (rc != MOX_OK)
		return rc;
	/* Queued by the core, delivered from mox_resolver_process(). */
	rc = mox_resolver_complete(r, qid, a);
	return rc == MOX_ENOTFOUND ? MOX_EDNS : rc;
}

static const struct core_backend static_backend = {
	.query = static_query,
	.destroy = static_destroy,
	.lookup = static_lookup,
};

/* --- public --- */

int
mox_resolver_new_static(mox_resolver **out)
{
	struct sres *s;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	s = mox__calloc(1, sizeof(*s));
	if (s == NULL)
		return MOX_ENOMEM;
	s->nbuckets = 64;
	s->buckets = mox__calloc(s->nbuckets, sizeof(*s->buckets));
	if (s->buckets == NULL) {
		mox__free(s);
		return MOX_ENOMEM;
	}
	rc = core_resolver_new(out, &static_backend, s, CORE_KIND_STATIC);
	if (rc != MOX_OK) {
		static_destroy(s);
		return rc;
	}
	s->r = *out;
	return MOX_OK;
}

/* RFC 6895 3.1: meta and question types are not data. */
static bool
type_is_data(uint16_t type)
{
	return type != 0 && type != 41 && (type < 128 || type > 255);
}

int
mox_resolver_static_add(mox_resolver *r, const char *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen, bool authentic)
{
	struct sres *s = core_resolver_impl(r, CORE_KIND_STATIC);
	uint8_t w[CORE_NAME_WIRE_MAX];
	mox__arena ar = MOX__ARENA_INIT;
	mox_dns_rr rr;
	size_t wlen;
	int rc;

	if (s == NULL)
		return MOX_EINVAL;
	core_resolver_seterr(r, "%s", "");
	if (owner == NULL || (rdata == NULL && rdlen > 0)) {
		core_resolver_seterr(r, "missing owner or rdata");
		return MOX_EINVAL;
	}
	rc = core_name_to_wire(w, &wlen, owner, strlen(owner), NULL, 0);
	if (rc != MOX_OK) {
		core_resolver_seterr(r, "bad owner name \"%.300s\"", owner);
		return MOX_EINVAL;
	}
	if (!type_is_data(type)) {
		core_resolver_seterr(r, "type %u can not be added",
		    (unsigned int)type);
		return MOX_EINVAL;
	}
	if (rdlen > 65535) {
		core_resolver_seterr(r, "rdata longer than 65535 octets");
		return MOX_EINVAL;
	}
	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	rr.rclass = 1;
	rr.rdata = rdata;
	rr.rdlen = rdlen;
	rc = core_rr_decode(&ar, &rr);
	mox__arena_free(&ar);
	if (rc == MOX_OK)
		rc = static_insert(s, w, wlen, type, ttl, rdata, rdlen,
		    authentic);
	if (rc == MOX_ENOMEM)
		core_resolver_seterr(r, "out of memory");
	else if (rc != MOX_OK) {
		core_resolver_seterr(r, "rdata does not decode as type %u",
		    (unsigned int)type);
		rc = MOX_EINVAL;
	}
	return rc;
}

static int
sink_rr(void *arg, const uint8_t *owner, size_t ownerlen, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen, bool authentic)
{
	return static_insert(arg, owner, ownerlen, type, ttl, rdata, rdlen,
	    authentic);
}

static int
sink_force(void *arg, const uint8_t *name, size_t namelen, int result)
{
	return static_force(arg, name, namelen, result);
}

int
mox_resolver_static_load(mox_resolver *r, const char *text, size_t len,
    const char *origin)
{
	struct sres *s = core_resolver_impl(r, CORE_KIND_STATIC);
	struct core_zone_sink sink;
	char err[512];
	int rc;

	if (s == NULL)
		return MOX_EINVAL;
	core_resolver_seterr(r, "%s", "");
	if (text == NULL && len > 0)
		return MOX_EINVAL;
	sink.rr = sink_rr;
	sink.force = sink_force;
	sink.arg = s;
	rc = core_zone_parse(text, len, origin, &sink, err, sizeof(err));
	if (rc != MOX_OK)
		core_resolver_seterr(r, "%s", err);
	return rc;
}

int
mox_resolver_static_load_file(mox_resolver *r, const char *path,
    const char *origin)
{
	struct sres *s = core_resolver_impl(r, CORE_KIND_STATIC);
	char eb[128];
	struct stat st;
	mox__buf b = MOX__BUF_INIT;
	int fd, rc, e;

	if (s == NULL)
		return MOX_EINVAL;
	core_resolver_seterr(r, "%s", "");
	if (path == NULL)
		return MOX_EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		core_resolver_seterr(r, "%s: %s", path,
		    mox__errno_text(e, eb, sizeof(eb)));
		return MOX_EIO;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > STATIC_FILE_MAX) {
		close(fd);
		core_resolver_seterr(r, "%s: larger than 64 MiB", path);
		return MOX_ELIMIT;
	}
	for (;;) {
		ssize_t n;

		if (mox__buf_grow(&b, 65536) != MOX_OK) {
			close(fd);
			mox__buf_free(&b);
			core_resolver_seterr(r, "%s: out of memory", path);
			return MOX_ENOMEM;
		}
		n = read(fd, b.p + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			mox__buf_free(&b);
			core_resolver_seterr(r, "%s: %s", path,
			    mox__errno_text(e, eb, sizeof(eb)));
			return MOX_EIO;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > STATIC_FILE_MAX) {
			close(fd);
			mox__buf_free(&b);
			core_resolver_seterr(r, "%s: larger than 64 MiB",
			    path);
			return MOX_ELIMIT;
		}
	}
	close(fd);
	rc = mox_resolver_static_load(r, b.p != NULL ? b.p : "", b.len,
	    origin);
	if (rc != MOX_OK) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", mox_resolver_errmsg(r));
		core_resolver_seterr(r, "%s: %s", path, msg);
	}
	mox__buf_free(&b);
	return rc;
}

int
mox_resolver_static_set_result(mox_resolver *r, const char *name,
    int result)
{
	struct sres *s = core_resolver_impl(r, CORE_KIND_STATIC);
	uint8_t w[CORE_NAME_WIRE_MAX];
	size_t wlen;
	int rc;

	if (s == NULL)
		return MOX_EINVAL;
	core_resolver_seterr(r, "%s", "");
	if (name == NULL)
		return MOX_EINVAL;
	switch (result) {
	case MOX_DNS_OK:
	case MOX_DNS_NXDOMAIN:
	case MOX_DNS_SERVFAIL:
	case MOX_DNS_TIMEOUT:
	case MOX_DNS_BOGUS:
	case MOX_DNS_ERROR:
		break;
	default:
		core_resolver_seterr(r, "result %d can not be forced", result);
		return MOX_EINVAL;
	}
	rc = core_name_to_wire(w, &wlen, name, strlen(name), NULL, 0);
	if (rc != MOX_OK) {
		core_resolver_seterr(r, "bad name \"%.300s\"", name);
		return MOX_EINVAL;
	}
	rc = static_force(s, w, wlen, result);
	if (rc != MOX_OK)
		core_resolver_seterr(r, "out of memory");
	return rc;
}
