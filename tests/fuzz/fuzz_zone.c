/* SPDX-License-Identifier: MIT */
/*
 * fuzz_zone.c -- zone text into a static resolver, and the round trip:
 * every record that loads is looked up, formatted, and loaded again into a
 * second resolver; the formatted line must parse back to the same owner,
 * type, TTL and rdata.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHECKED 64 /* records looked up per input */

struct seen {
	uint8_t owner[CORE_NAME_WIRE_MAX];
	size_t ownerlen;
	uint16_t type;
	uint32_t ttl;
	uint8_t rdata[65535];
	size_t rdlen;
};

struct coll {
	struct seen *recs;
	size_t n;
	size_t max;
};

static int
coll_rr(void *arg, const uint8_t *owner, size_t ownerlen, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen, bool authentic)
{
	struct coll *c = arg;
	struct seen *s;

	(void)authentic;
	if (c->n >= c->max)
		return MOX_OK;
	s = &c->recs[c->n++];
	memcpy(s->owner, owner, ownerlen);
	s->ownerlen = ownerlen;
	s->type = type;
	s->ttl = ttl;
	memcpy(s->rdata, rdata, rdlen);
	s->rdlen = rdlen;
	return MOX_OK;
}

static int
coll_force(void *arg, const uint8_t *name, size_t namelen, int result)
{
	(void)arg, (void)name, (void)namelen, (void)result;
	return MOX_OK;
}

static bool
wire_eq_nocase(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		if (mox__lower(a[i]) != mox__lower(b[i]))
			return false;
	}
	return true;
}

/* Format rr, parse the line back, compare; load it into r2. */
static void
round_trip(const mox_dns_rr *rr, mox_resolver *r2, struct seen *tmp)
{
	static char line[300000];
	struct core_zone_sink sink;
	struct coll back = { tmp, 0, 1 };
	uint8_t ow[CORE_NAME_WIRE_MAX];
	char small[32];
	size_t n, owl;

	n = mox_dns_rr_format(line, sizeof(line), rr);
	if (n >= sizeof(line))
		abort();
	/* snprintf contract on a short buffer. */
	if (mox_dns_rr_format(small, sizeof(small), rr) != n ||
	    strncmp(small, line, sizeof(small) - 1) != 0)
		abort();

	sink.rr = coll_rr;
	sink.force = coll_force;
	sink.arg = &back;
	if (core_zone_parse(line, n, "fuzz.origin.", &sink, NULL, 0) !=
	    MOX_OK || back.n != 1)
		abort();
	if (rr->name[0] == '\0') {
		ow[0] = 0;
		owl = 1;
	} else if (core_name_to_wire(ow, &owl, rr->name, strlen(rr->name),
	    NULL, 0) != MOX_OK) {
		abort();
	}
	if (tmp->type != rr->type || tmp->ttl != rr->ttl ||
	    tmp->rdlen != rr->rdlen ||
	    (rr->rdlen > 0 && memcmp(tmp->rdata, rr->rdata, rr->rdlen) != 0) ||
	    !wire_eq_nocase(tmp->owner, tmp->ownerlen, ow, owl))
		abort();

	if (mox_resolver_static_load(r2, line, n, NULL) != MOX_OK)
		abort();
}

/* The loaded record must be in r2's answer, unless a CNAME (loaded from
 * another record) is followed there. */
static void
check_second(mox_resolver *r2, const mox_dns_rr *rr)
{
	mox_dns_answer *a = NULL;
	bool found = false;

	if (mox_dns_lookup(r2, rr->name[0] ? rr->name : ".", rr->type, &a) !=
	    MOX_OK)
		abort();
	if (mox_dns_answer_cname_count(a) == 0) {
		for (size_t i = 0; i < mox_dns_answer_count(a); i++) {
			const mox_dns_rr *x = mox_dns_answer_rr(a, i);

			if (x->rdlen == rr->rdlen && (rr->rdlen == 0 ||
			    memcmp(x->rdata, rr->rdata, rr->rdlen) == 0))
				found = true;
		}
		if (!found)
			abort();
	}
	mox_dns_answer_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seen recs[MAX_CHECKED], tmp;
	struct core_zone_sink sink;
	struct coll c = { recs, 0, MAX_CHECKED };
	mox_resolver *r1 = NULL, *r2 = NULL;
	const char *text = (const char *)data;
	char err[256];

	if (mox_resolver_new_static(&r1) != MOX_OK ||
	    mox_resolver_new_static(&r2) != MOX_OK)
		abort();
	(void)mox_resolver_static_load(r1, text, size, NULL);
	/* The same records, as the parser gives them. */
	sink.rr = coll_rr;
	sink.force = coll_force;
	sink.arg = &c;
	(void)core_zone_parse(text, size, NULL, &sink, err, sizeof(err));

	for (size_t i = 0; i < c.n; i++) {
		char name[4 * CORE_NAME_WIRE_MAX + 2], q[MOX_DOMAIN_MAX + 1];
		mox_dns_answer *a = NULL;
		mox__sbuf sb;

		mox__sbuf_init(&sb, name, sizeof(name));
		core_name_wire_to_text(&sb, recs[i].owner, recs[i].ownerlen);
		if (sb.len == 0)
			mox__sbuf_addc(&sb, '.');
		if (sb.len >= sizeof(name) ||
		    core_qname_check(q, sizeof(q), name) != MOX_OK)
			continue; /* not a name one can ask for */
		if (mox_dns_lookup(r1, name, recs[i].type, &a) != MOX_OK)
			abort();
		for (size_t k = 0; k < mox_dns_answer_count(a); k++)
			round_trip(mox_dns_answer_rr(a, k), r2, &tmp);
		for (size_t k = 0; k < mox_dns_answer_count(a); k++)
			check_second(r2, mox_dns_answer_rr(a, k));
		mox_dns_answer_free(a);
	}
	mox_resolver_free(r1);
	mox_resolver_free(r2);
	return 0;
}
