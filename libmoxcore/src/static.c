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
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns-int.h"

#define STATIC_FILE_MAX (64u * 1024 * 1024)

/*
 * A record, decoded once when added: answers copy the decoded form and fix
 * up its pointers instead of decoding the rdata again for every question.
 */
struct srr {
	mox_dns_rr rr;     /* pointers into the table's arena; name NULL */
	size_t bytes;      /* octets an answer needs: rdata, text, target */
	size_t target_len; /* strlen(rr.target), 0 without one */
	bool authentic;
	bool cname_ok;     /* CNAME: the target can be an owner in answers */
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
	/* Records that negative answers look at: without SOA records and
	 * authentic records a negative answer is not authentic and has no
	 * TTL, and negative_info() has nothing to find. */
	size_t nsoa;
	size_t nauthentic;
	mox__arena arena; /* nodes and rdata */
	mox_resolver *r;
};

/* --- table --- */

/*
 * Hash of a lowercase wire name, eight octets at a time (names are
 * hashed on every question: a byte-wise hash costs a multiply per octet).
 */
static inline uint32_t
name_hash(const uint8_t *lw, size_t len)
{
	const uint64_t k = 0xff51afd7ed558ccdu; /* murmur3 fmix64 */
	uint64_t h = 0x9e3779b97f4a7c15u ^ len, v;
	size_t i;

	if (len >= 8) {
		const uint8_t *end = lw + len - 8;

		for (; lw < end; lw += 8) {
			memcpy(&v, lw, 8);
			h = (h ^ v) * k;
			h ^= h >> 32;
		}
		/* The last eight octets, overlapping the ones before. */
		memcpy(&v, end, 8);
	} else {
		v = 0;
		for (i = 0; i < len; i++)
			v |= (uint64_t)lw[i] << (8 * i);
	}
	h = (h ^ v) * k;
	h ^= h >> 29;
	return (uint32_t)h;
}

static void
name_lower(uint8_t *out, const uint8_t *w, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (uint8_t)mox__lower(w[i]);
}

/* Whether two wire names of len octets are equal (a hash match almost
 * always is one: compared eight octets at a time, without a call). */
static bool
wire_eq(const uint8_t *a, const uint8_t *b, size_t len)
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

/* The node of a lowercase wire name with hash h. */
static inline struct snode *
node_find_lh(const struct sres *s, const uint8_t *lw, size_t len, uint32_t h)
{
	struct snode *n;

	for (n = s->buckets[h & (s->nbuckets - 1)]; n != NULL; n = n->next) {
		if (n->hash == h && n->wlen == len &&
		    wire_eq(n->wire, lw, len))
			return n;
	}
	return NULL;
}

static struct snode *
node_find(const struct sres *s, const uint8_t *w, size_t len)
{
	uint8_t lw[CORE_NAME_WIRE_MAX];

	name_lower(lw, w, len);
	return node_find_lh(s, lw, len, name_hash(lw, len));
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

/*
 * Add one record, decoding its rdata (MOX_EINVAL when it does not
 * decode). Nodes of the ancestors are made first and the record's slot
 * reserved, so that a failed allocation leaves no ancestor marked without
 * its descendant.
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
	memset(rr, 0, sizeof(*rr));
	rr->rr.type = type;
	rr->rr.rclass = 1;
	rr->rr.ttl = ttl;
	rr->rr.rdlen = rdlen;
	rr->rr.rdata = mox__arena_memdup(&s->arena, rdata, rdlen);
	if (rr->rr.rdata == NULL)
		return MOX_ENOMEM;
	rc = core_rr_decode(&s->arena, &rr->rr);
	if (rc != MOX_OK)
		return rc;
	rr->authentic = authentic;
	if (authentic)
		s->nauthentic++;
	if (type == MOX_DNS_SOA)
		s->nsoa++;
	rr->target_len = rr->rr.target != NULL ? strlen(rr->rr.target) : 0;
	rr->bytes = rdlen + (rr->rr.text != NULL ? rr->rr.text_len + 1 : 0) +
	    (rr->rr.target != NULL ? rr->target_len + 1 : 0);
	if (type == MOX_DNS_CNAME) {
		char text[4 * CORE_NAME_WIRE_MAX + 1];

		rr->cname_ok = name_text(rdata, rdlen, text, sizeof(text));
	}
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
		if ((any_type || n->rrs[i].rr.type == type) &&
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
		if (n->rrs[i].rr.type == type)
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
	uint8_t lw[CORE_NAME_WIRE_MAX];
	size_t off;

	*secure = false;
	*have_ttl = false;
	name_lower(lw, w, wlen);
	for (off = 0; off < wlen; off += 1 + (size_t)lw[off]) {
		n = node_find_lh(s, lw + off, wlen - off,
		    name_hash(lw + off, wlen - off));
		soa = node_type(n, MOX_DNS_SOA);
		if (soa != NULL) {
			uint32_t min = mox__get32(soa->rr.rdata +
			    soa->rr.rdlen - 4);

			*secure = rrs_authentic(n, MOX_DNS_SOA, false);
			*have_ttl = true;
			*ttl = soa->rr.ttl < min ? soa->rr.ttl : min;
			return;
		}
		if (held == NULL && n != NULL && n->nrrs > 0)
			held = n;
		if (lw[off] == 0)
			break;
	}
	if (held != NULL)
		*secure = rrs_authentic(held, 0, true);
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

/*
 * Lowercase wire form of a name that passed core_qname_check() ("." for
 * the root, no escapes, no trailing dot); the name's length in *qlen.
 */
static bool
qname_wire(uint8_t w[CORE_NAME_WIRE_MAX], size_t *wlen, const char *q,
    size_t *qlen)
{
	size_t i, o = 1, lab = 0;

	if (q[0] == '.' && q[1] == '\0') {
		w[0] = 0;
		*wlen = 1;
		*qlen = 1;
		return true;
	}
	for (i = 0; q[i] != '\0'; i++) {
		unsigned char c = (unsigned char)q[i];

		if (o >= CORE_NAME_WIRE_MAX - 1)
			return false;
		if (c == '.') {
			w[lab] = (uint8_t)(o - lab - 1);
			lab = o++;
			continue;
		}
		w[o++] = (uint8_t)mox__lower(c);
	}
	w[lab] = (uint8_t)(o - lab - 1);
	w[o++] = 0;
	*wlen = o;
	*qlen = i;
	return true;
}

/* Octets of a qname: 0 refused (NUL, control, non-ASCII, backslash), 1
 * the dot, else the octet in lowercase (printable ASCII). */
static uint8_t qmap[256];
static pthread_once_t qmap_once = PTHREAD_ONCE_INIT;

static void
qmap_init(void)
{
	int c;

	for (c = 0x20; c < 0x7f; c++)
		qmap[c] = (uint8_t)mox__lower(c);
	qmap['.'] = 1;
	qmap['\\'] = 0;
}

/* Eight octets at a time (qname_parse()): the high bit of each octet of
 * the result is set where the octet of v is zero; exact, unlike the
 * borrowing form. */
static uint64_t
zero_octets(uint64_t v)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7fu;

	return ~(((v & low7) + low7) | v | low7);
}

/* The end of a label at wire offset lab whose last octet is at i - 1:
 * false when it is empty or longer than 63 octets. */
static bool
label_end(uint8_t *w, size_t *lab, size_t i)
{
	if (i == *lab || i - *lab > MOX_LABEL_MAX)
		return false;
	w[*lab] = (uint8_t)(i - *lab);
	*lab = i + 1;
	return true;
}

/*
 * core_qname_check() and qname_wire() in one pass over a name as the
 * caller of mox_dns_lookup() wrote it: false when core_qname_check() would
 * refuse it; else the lowercase wire form and the length of the name as
 * answers hold it (trailing dot dropped, 0 for the root).
 */
static bool
qname_parse(uint8_t w[CORE_NAME_WIRE_MAX], size_t *wlen, const char *q,
    size_t *qlen)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
	size_t i = 0, n, lab = 0;
	uint8_t m;

	if (q == NULL || q[0] == '\0')
		return false;
	if (q[0] == '.' && q[1] == '\0') {
		w[0] = 0;
		*wlen = 1;
		*qlen = 0;
		return true;
	}
	/* Without a trailing dot at most MOX_DOMAIN_MAX octets (a longer
	 * name has a 254th octet that is not the trailing dot: refused).
	 * Octet i of the name is octet i + 1 of the wire form; a dot's
	 * place gets the length of the label after it. */
	n = strlen(q);
	if (q[n - 1] == '.')
		n--;
	if (n > MOX_DOMAIN_MAX)
		return false;
	/* Eight octets at a time: refused octets (qmap 0: below 0x20, 0x7f
	 * and up, backslash) end the parse, uppercase letters are lowered,
	 * dots end labels. */
	for (; i + 8 <= n; i += 8) {
		uint64_t v, lo, dots;

		memcpy(&v, q + i, 8);
		if (((v & high) | zero_octets(v & (ones * 0xe0)) |
		    zero_octets(v ^ (ones * 0x7f)) |
		    zero_octets(v ^ (ones * '\\'))) != 0)
			return false;
		/* 'A' to 'Z': 0x41 <= c < 0x5b (c < 0x80 here, so adding
		 * carries into no other octet). */
		lo = (v + ones * (0x80 - 0x41)) &
		    ~(v + ones * (0x80 - 0x5b)) & high;
		v |= lo >> 2;
		memcpy(w + i + 1, &v, 8);
		dots = zero_octets(v ^ (ones * '.'));
		if (dots == 0)
			continue;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		do {
			size_t k = (size_t)__builtin_ctzll(dots) / 8;

			if (!label_end(w, &lab, i + k))
				return false;
			dots &= dots - 1;
		} while (dots != 0);
#else
		{
			size_t k;

			for (k = 0; k < 8; k++) {
				if (q[i + k] == '.' &&
				    !label_end(w, &lab, i + k))
					return false;
			}
		}
#endif
	}
	for (; i < n; i++) {
		m = qmap[(unsigned char)q[i]];
		w[i + 1] = m;
		if (m > 1)
			continue;
		if (m == 0 || !label_end(w, &lab, i))
			return false;
	}
	if (!label_end(w, &lab, n))
		return false;
	w[n + 1] = 0;
	*wlen = n + 2;
	*qlen = n;
	return true;
}

/* A record of an answer: the decoded record with its pointers moved into
 * the answer's block (slices and octets carved from *sl and *b). */
static void
copy_rr(mox_dns_rr *d, const struct srr *sr, const char *owner,
    mox_slice **sl, char **b)
{
	const mox_dns_rr *o = &sr->rr;
	uint8_t *rd = (uint8_t *)*b;
	size_t i;

	*d = *o;
	d->name = owner;
	if (o->rdlen > 0)
		mox__memcpy(rd, o->rdata, o->rdlen);
	d->rdata = rd;
	*b += o->rdlen;
	if (o->strings != NULL) {
		for (i = 0; i < o->nstrings; i++) {
			(*sl)[i].ptr = rd + (o->strings[i].ptr - o->rdata);
			(*sl)[i].len = o->strings[i].len;
		}
		d->strings = *sl;
		*sl += o->nstrings;
	}
	if (o->text != NULL) {
		mox__memcpy(*b, o->text, o->text_len + 1);
		d->text = *b;
		*b += o->text_len + 1;
	}
	if (o->target != NULL) {
		mox__memcpy(*b, o->target, sr->target_len + 1);
		d->target = *b;
		*b += sr->target_len + 1;
	}
	if (o->tlsa_data != NULL)
		d->tlsa_data = rd + (o->tlsa_data - o->rdata);
}

static void
note_ttl(mox_dns_answer *a, uint32_t ttl)
{
	if (!a->have_ttl || ttl < a->ttl)
		a->ttl = ttl;
	a->have_ttl = true;
}

/*
 * The answer for qname (qlen octets, "." for the root): the CNAME chain,
 * then the records of qtype at n when result is MOX_DNS_OK. One
 * allocation holds the answer, its records and everything they point to,
 * copied from the table: an answer shares nothing with the resolver, so
 * it stays valid when records are added or the resolver is freed.
 */
static int
build_answer(const char *qname, size_t qlen, uint16_t qtype, int result,
    const struct srr *const *chain, size_t nchain, const struct snode *n,
    mox_dns_answer **out)
{
	size_t nrrs = 0, nsl = 0, bytes, i, k = 0;
	const char **cn;
	mox_dns_answer *a;
	mox_slice *sl;
	char *b;
	bool secure = true;

	bytes = qlen + 1;
	for (i = 0; i < nchain; i++)
		bytes += chain[i]->target_len + 1;
	if (result == MOX_DNS_OK) {
		for (i = 0; i < n->nrrs; i++) {
			if (n->rrs[i].rr.type != qtype)
				continue;
			nrrs++;
			nsl += n->rrs[i].rr.nstrings;
			bytes += n->rrs[i].bytes;
		}
	}
	a = mox__malloc(sizeof(*a) + nrrs * sizeof(*a->rrs) +
	    nchain * sizeof(*cn) + nsl * sizeof(*sl) + bytes);
	if (a == NULL)
		return MOX_ENOMEM;
	/* Every field set one by one: a memset of the struct becomes "rep
	 * stos", slow for its size. */
	a->arena.head = NULL;
	a->arena.used = a->arena.cap = 0;
	a->rrs = (mox_dns_rr *)(a + 1);
	cn = (const char **)(a->rrs + nrrs);
	sl = (mox_slice *)(cn + nchain);
	b = (char *)(sl + nsl);
	mox__memcpy(b, qname, qlen);
	b[qlen] = '\0';
	a->qname = b;
	a->canonname = b;
	b += qlen + 1;
	a->qtype = qtype;
	a->result = result;
	a->rcode = result == MOX_DNS_NXDOMAIN ? 3 : 0;
	a->secure = false;
	a->have_ttl = false;
	a->ttl = 0;
	a->why_bogus = NULL;
	a->rrs_inline = true;
	for (i = 0; i < nchain; i++) {
		mox__memcpy(b, chain[i]->rr.target, chain[i]->target_len + 1);
		cn[i] = a->canonname = b;
		b += chain[i]->target_len + 1;
		note_ttl(a, chain[i]->rr.ttl);
		if (!chain[i]->authentic)
			secure = false;
	}
	a->cnames = cn;
	a->ncnames = a->cnames_cap = nchain;
	for (i = 0; k < nrrs; i++) {
		const struct srr *sr = &n->rrs[i];

		if (sr->rr.type != qtype)
			continue;
		copy_rr(&a->rrs[k++], sr, a->canonname, &sl, &b);
		note_ttl(a, sr->rr.ttl);
		if (!sr->authentic)
			secure = false;
	}
	a->nrrs = a->rrs_cap = nrrs;
	a->secure = secure;
	*out = a;
	return MOX_OK;
}

/*
 * Answer one question from the table; read-only. qw/qwlen is the name in
 * lowercase wire form, qname[0..qlen) as the answer holds it; forced
 * answers are made from qname itself (NUL-terminated, checked again).
 */
static int
static_answer(const struct sres *s, const uint8_t *qw, size_t qwlen,
    const char *qname, size_t qlen, uint16_t qtype, mox_dns_answer **out)
{
	const struct srr *chain[CORE_CNAME_MAX];
	const struct snode *visited[CORE_CNAME_MAX + 1];
	const uint8_t *cur;
	const struct snode *n;
	mox_dns_answer *a = NULL;
	size_t curlen, nchain = 0, nvisited = 0, i;
	int result = MOX_DNS_OK, rc;
	bool neg_secure = false, have_negttl = false;
	uint32_t negttl = 0;

	*out = NULL;
	cur = qw;
	curlen = qwlen;
	n = node_find_lh(s, qw, qwlen, name_hash(qw, qwlen));
	for (;;) {
		const struct srr *c;

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
		if (nchain == CORE_CNAME_MAX || !c->cname_ok)
			return forced_answer(qname, qtype, MOX_DNS_SERVFAIL,
			    out);
		visited[nvisited++] = n;
		chain[nchain++] = c;
		cur = c->rr.rdata;
		curlen = c->rr.rdlen;
		n = node_find(s, cur, curlen);
	}

	rc = build_answer(qname, qlen, qtype, result, chain, nchain, n, &a);
	if (rc != MOX_OK)
		return rc;
	if (a->nrrs == 0) {
		if (s->nsoa > 0 || s->nauthentic > 0)
			negative_info(s, cur, curlen, &neg_secure,
			    &have_negttl, &negttl);
		if (!neg_secure)
			a->secure = false;
		if (have_negttl && (!a->have_ttl || negttl < a->ttl)) {
			a->ttl = negttl;
			a->have_ttl = true;
		}
	}
	core_answer_finish(a);
	*out = a;
	return MOX_OK;
}

/* A question for a name that passed core_qname_check() ("." for the
 * root). */
static int
static_checked(const struct sres *s, const char *qname, uint16_t qtype,
    mox_dns_answer **out)
{
	uint8_t qw[CORE_NAME_WIRE_MAX];
	size_t qwlen, qlen;

	*out = NULL;
	if (!qname_wire(qw, &qwlen, qname, &qlen))
		return MOX_EINVAL;
	if (qwlen == 1)
		qlen = 0; /* answers hold the root as "" */
	return static_answer(s, qw, qwlen, qname, qlen, qtype, out);
}

static int
static_lookup(void *impl, const char *qname, uint16_t qtype,
    unsigned int timeout_ms, mox_dns_answer **out)
{
	(void)timeout_ms;
	return static_checked(impl, qname, qtype, out);
}

static int
static_lookup_raw(void *impl, const char *qname, uint16_t qtype,
    unsigned int timeout_ms, mox_dns_answer **out)
{
	uint8_t qw[CORE_NAME_WIRE_MAX];
	size_t qwlen, qlen;

	(void)timeout_ms;
	*out = NULL;
	if (!qname_parse(qw, &qwlen, qname, &qlen))
		return MOX_EINVAL;
	return static_answer(impl, qw, qwlen, qname, qlen, qtype, out);
}

static int
static_query(void *impl, mox_resolver *r, uint64_t qid, const char *qname,
    uint16_t qtype)
{
	mox_dns_answer *a;
	int rc;

	rc = static_checked(impl, qname, qtype, &a);
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
	pthread_once(&qmap_once, qmap_init);
	core_resolver_set_lookup_raw(*out, static_lookup_raw);
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
	rc = static_insert(s, w, wlen, type, ttl, rdata, rdlen, authentic);
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
