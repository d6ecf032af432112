/* SPDX-License-Identifier: MIT */
/*
 * unbound.c -- the libunbound backend of mox_resolver.
 *
 * One ub_ctx per resolver, in threaded async mode (ub_ctx_async(ctx, 1)): a
 * libunbound worker thread resolves, answers come back through the pipe
 * whose read end is ub_fd(), and ub_process() runs our callback for each.
 *
 * Both ways of asking share that context:
 *  - mox_dns_query(): ub_be_query() submits with ub_resolve_async(); the
 *    callback turns the ub_result into an answer and hands it to
 *    mox_resolver_complete(), which is thread-safe. The core polls ub_fd()
 *    and calls ub_be_process() (ub_process()).
 *  - mox_dns_lookup(), from many threads at once: ub_lookup() submits the
 *    same way and waits on u->cv. One waiting thread at a time (u->polling)
 *    polls ub_fd() for at most POLL_SLICE_MS and calls ub_process(); that
 *    delivers whichever answers are there, its own, other lookups' (their
 *    callback marks the waiter done and broadcasts) and the asynchronous
 *    API's (mox_resolver_complete(), which wakes the core's fd). The poller
 *    broadcasts when it leaves, so another waiter takes over.
 *
 * Ticket lifetime. Each submitted question has a ticket, passed to
 * libunbound as the callback's data, so it must stay valid as long as
 * libunbound may call back with it. ub_cancel() tells us: UB_NOERROR means
 * the callback will never run for that query; an error (UB_NOID) means
 * another thread's ub_process() already took the query and the callback has
 * run or is about to. Under u->mu:
 *  - The callback first "claims" a ticket that is not canceled; a claimed
 *    ticket is never canceled (an asynchronous one leaves the qid map, and
 *    a lookup past its deadline waits the few microseconds until the
 *    answer is built).
 *  - Canceling marks the ticket canceled, then calls ub_cancel() without
 *    the lock. On UB_NOERROR the canceler frees the ticket; otherwise it
 *    frees it if the callback has already looked at it (cb_seen), else it
 *    leaves it to the callback (orphan).
 * Every ticket is on u->all until freed, so destroy frees what remains
 * after ub_ctx_delete() stopped the worker.
 *
 * Lock order: u->mu is never held while calling into libunbound or the
 * resolver core, and libunbound calls us without its locks held.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <unbound.h>

#include "dns-int.h"

#define POLL_SLICE_MS 50
#define QMAP_INIT 64
/* A name the finalize call removes from the local zones: none is there. */
#define FINALIZE_ZONE "mox-finalize.invalid."

enum ticket_kind {
	TICKET_ASYNC = 1, /* mox_dns_query(): delivered to the core */
	TICKET_LOOKUP = 2 /* mox_dns_lookup(): delivered to a waiter */
};

struct ub_impl;

struct ticket {
	struct ub_impl *u;
	struct ticket *prev; /* u->all */
	struct ticket *next;
	struct ticket *hnext; /* u->qmap chain, async tickets */
	int kind;
	mox_resolver *r; /* async */
	uint64_t qid;    /* async */
	int async_id;    /* from ub_resolve_async() */
	bool have_id;
	bool in_qmap;
	bool claimed;   /* the callback is delivering it */
	bool canceled;  /* a canceler owns it (with the rules above) */
	bool cb_seen;   /* the callback ran and saw it canceled */
	bool orphan;    /* the callback frees it */
	bool done;      /* lookup: ans/status are set */
	int status;     /* lookup: MOX_OK or MOX_ENOMEM */
	mox_dns_answer *ans;
	uint16_t qtype;
	char qname[MOX_DOMAIN_MAX + 2];
	/* qname for libunbound: a space (valid in a label) as \\032. */
	char ubname[4 * MOX_DOMAIN_MAX + 2];
};

struct ub_impl {
	struct ub_ctx *ctx;
	mox_resolver *r;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* CLOCK_MONOTONIC */
	struct ticket *all;
	struct ticket **qmap; /* qid -> async ticket */
	size_t qmap_size;     /* power of two */
	size_t qmap_count;
	bool polling;   /* a lookup thread is polling ub_fd() */
	int broken;     /* ub_process() failed (ub error), 0 if not */
	bool mu_ok;
	bool cv_ok;
};

/* --- tickets (u->mu held) --- */

static void
all_add(struct ub_impl *u, struct ticket *t)
{
	t->prev = NULL;
	t->next = u->all;
	if (u->all != NULL)
		u->all->prev = t;
	u->all = t;
}

static void
all_del(struct ub_impl *u, struct ticket *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		u->all = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
}

static size_t
qmap_slot(const struct ub_impl *u, uint64_t qid)
{
	/* qids are sequential: the low bits spread well. */
	return (size_t)(qid & (uint64_t)(u->qmap_size - 1));
}

static void
qmap_grow(struct ub_impl *u)
{
	struct ticket **nm, *t, *next;
	size_t nsize = u->qmap_size * 2, i, old = u->qmap_size;

	if (nsize < u->qmap_size)
		return;
	nm = mox__calloc(nsize, sizeof(*nm));
	if (nm == NULL)
		return; /* longer chains, still correct */
	u->qmap_size = nsize;
	for (i = 0; i < old; i++) {
		for (t = u->qmap[i]; t != NULL; t = next) {
			size_t s = qmap_slot(u, t->qid);

			next = t->hnext;
			t->hnext = nm[s];
			nm[s] = t;
		}
	}
	mox__free(u->qmap);
	u->qmap = nm;
}

static void
qmap_add(struct ub_impl *u, struct ticket *t)
{
	size_t s;

	if (u->qmap_count >= u->qmap_size * 2)
		qmap_grow(u);
	s = qmap_slot(u, t->qid);
	t->hnext = u->qmap[s];
	u->qmap[s] = t;
	t->in_qmap = true;
	u->qmap_count++;
}

static struct ticket *
qmap_find(struct ub_impl *u, uint64_t qid)
{
	struct ticket *t;

	for (t = u->qmap[qmap_slot(u, qid)]; t != NULL; t = t->hnext) {
		if (t->qid == qid)
			return t;
	}
	return NULL;
}

static void
qmap_del(struct ub_impl *u, struct ticket *t)
{
	struct ticket **pp;

	if (!t->in_qmap)
		return;
	for (pp = &u->qmap[qmap_slot(u, t->qid)]; *pp != NULL;
	    pp = &(*pp)->hnext) {
		if (*pp == t) {
			*pp = t->hnext;
			t->hnext = NULL;
			t->in_qmap = false;
			u->qmap_count--;
			return;
		}
	}
}

static struct ticket *
ticket_new(struct ub_impl *u, int kind, const char *qname, uint16_t qtype)
{
	struct ticket *t;
	size_t len = strlen(qname);

	if (len >= sizeof(t->qname))
		return NULL;
	t = mox__calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->u = u;
	t->kind = kind;
	t->qtype = qtype;
	memcpy(t->qname, qname, len + 1);
	for (size_t i = 0, j = 0; i <= len; i++) {
		if (qname[i] == ' ') {
			memcpy(t->ubname + j, "\\032", 4);
			j += 4;
		} else {
			t->ubname[j++] = qname[i];
		}
	}
	return t;
}

static void
ticket_free(struct ticket *t)
{
	if (t == NULL)
		return;
	mox_dns_answer_free(t->ans);
	mox__free(t);
}

/*
 * Take back a ticket marked canceled (the caller set t->canceled under
 * u->mu and dropped the lock). See the lifetime rules at the top.
 */
static void
ticket_cancel(struct ub_impl *u, struct ticket *t)
{
	int rc = UB_NOID;

	if (t->have_id)
		rc = ub_cancel(u->ctx, t->async_id);
	pthread_mutex_lock(&u->mu);
	if (rc == UB_NOERROR || t->cb_seen) {
		all_del(u, t);
		pthread_mutex_unlock(&u->mu);
		ticket_free(t);
		return;
	}
	t->orphan = true;
	pthread_mutex_unlock(&u->mu);
}

/* --- answers --- */

static int
make_answer(mox_dns_answer **out, struct ub_impl *u, const char *qname,
    uint16_t qtype, int err, struct ub_result *res)
{
	const mox__logger *log = core_resolver_logger(u->r);
	int rc;

	*out = NULL;
	if (err != 0 || res == NULL) {
		MOX__LOG(log, MOX_LOG_WARN, "unbound: %s: %s", qname,
		    ub_strerror(err));
		return core_answer_forced(out, qname, qtype, MOX_DNS_SERVFAIL);
	}
	if (res->bogus) {
		const char *why = res->why_bogus != NULL ? res->why_bogus :
		    "DNSSEC validation failed";

		MOX__LOG(log, MOX_LOG_DEBUG, "unbound: %s: bogus: %s", qname,
		    why);
		rc = core_answer_forced(out, qname, qtype, MOX_DNS_BOGUS);
		if (rc == MOX_OK)
			rc = core_answer_set_why_bogus(*out, why);
		if (rc != MOX_OK) {
			mox_dns_answer_free(*out);
			*out = NULL;
		}
		return rc;
	}
	if (res->answer_packet != NULL && res->answer_len > 0) {
		rc = mox_dns_answer_from_wire(out, res->answer_packet,
		    (size_t)res->answer_len, res->secure != 0);
		if (rc == MOX_OK || rc == MOX_ENOMEM)
			return rc;
		MOX__LOG(log, MOX_LOG_WARN,
		    "unbound: %s: malformed answer packet (%s)", qname,
		    mox_strerror(rc));
	} else {
		MOX__LOG(log, MOX_LOG_DEBUG, "unbound: %s: no answer packet",
		    qname);
	}
	return core_answer_forced(out, qname, qtype, MOX_DNS_SERVFAIL);
}

/* Callback of ub_resolve_async(), from ub_process() in any thread. */
static void
ub_callback(void *mydata, int err, struct ub_result *res)
{
	struct ticket *t = mydata;
	struct ub_impl *u = t->u;
	mox_dns_answer *ans;
	int rc;

	pthread_mutex_lock(&u->mu);
	if (t->canceled) {
		if (t->orphan) {
			all_del(u, t);
			pthread_mutex_unlock(&u->mu);
			ticket_free(t);
		} else {
			t->cb_seen = true;
			pthread_mutex_unlock(&u->mu);
		}
		ub_resolve_free(res);
		return;
	}
	t->claimed = true;
	qmap_del(u, t);
	pthread_mutex_unlock(&u->mu);

	/* Claimed: nobody else touches t until we hand it back. */
	rc = make_answer(&ans, u, t->qname, t->qtype, err, res);
	ub_resolve_free(res);

	pthread_mutex_lock(&u->mu);
	if (t->kind == TICKET_LOOKUP) {
		t->ans = ans;
		t->status = rc;
		t->done = true;
		pthread_cond_broadcast(&u->cv);
		pthread_mutex_unlock(&u->mu);
		return;
	}
	all_del(u, t);
	pthread_mutex_unlock(&u->mu);
	/* NULL (no memory) is delivered as SERVFAIL by the core. */
	(void)mox_resolver_complete(t->r, t->qid, ans);
	ticket_free(t);
}

/* --- backend --- */

static int
ub_status(int ub)
{
	switch (ub) {
	case UB_NOERROR:
		return MOX_OK;
	case UB_NOMEM:
		return MOX_ENOMEM;
	case UB_SYNTAX:
		return MOX_EINVAL;
	case UB_READFILE:
		return MOX_EIO;
	default:
		return MOX_EDNS;
	}
}

static int
ub_be_query(void *impl, mox_resolver *r, uint64_t qid, const char *qname,
    uint16_t qtype)
{
	struct ub_impl *u = impl;
	struct ticket *t, *still;
	int rc, id = 0;

	t = ticket_new(u, TICKET_ASYNC, qname, qtype);
	if (t == NULL)
		return MOX_ENOMEM;
	t->r = r;
	t->qid = qid;
	pthread_mutex_lock(&u->mu);
	all_add(u, t);
	qmap_add(u, t);
	pthread_mutex_unlock(&u->mu);

	rc = ub_resolve_async(u->ctx, t->ubname, qtype, 1, t, ub_callback,
	    &id);
	if (rc != UB_NOERROR) {
		pthread_mutex_lock(&u->mu);
		qmap_del(u, t);
		all_del(u, t);
		pthread_mutex_unlock(&u->mu);
		ticket_free(t);
		MOX__LOG(core_resolver_logger(r), MOX_LOG_WARN,
		    "unbound: %s: cannot start query: %s", qname,
		    ub_strerror(rc));
		return rc == UB_NOMEM ? MOX_ENOMEM : MOX_EDNS;
	}
	/* Another thread's ub_process() may already have delivered and
	 * freed t: reach it through the map only. */
	pthread_mutex_lock(&u->mu);
	still = qmap_find(u, qid);
	if (still != NULL) {
		still->async_id = id;
		still->have_id = true;
	}
	pthread_mutex_unlock(&u->mu);
	return MOX_OK;
}

static void
ub_be_cancel(void *impl, uint64_t qid)
{
	struct ub_impl *u = impl;
	struct ticket *t;

	pthread_mutex_lock(&u->mu);
	t = qmap_find(u, qid);
	if (t == NULL || t->claimed) {
		/* Already being delivered; the core drops the answer. */
		pthread_mutex_unlock(&u->mu);
		return;
	}
	qmap_del(u, t);
	t->canceled = true;
	pthread_mutex_unlock(&u->mu);
	ticket_cancel(u, t);
}

static int
ub_be_fd(void *impl)
{
	struct ub_impl *u = impl;
	int fd = ub_fd(u->ctx);

	return fd >= 0 ? fd : MOX_EDNS;
}

static int
ub_be_process(void *impl)
{
	struct ub_impl *u = impl;
	int rc;

	rc = ub_process(u->ctx);
	if (rc != UB_NOERROR) {
		if (u->r != NULL)
			MOX__LOG(core_resolver_logger(u->r), MOX_LOG_ERROR,
			    "unbound: ub_process: %s", ub_strerror(rc));
		return MOX_EDNS;
	}
	return MOX_OK;
}

static void
impl_free(struct ub_impl *u)
{
	struct ticket *t;

	if (u == NULL)
		return;
	/* Stops the worker thread: no callback runs after this. */
	if (u->ctx != NULL)
		ub_ctx_delete(u->ctx);
	while ((t = u->all) != NULL) {
		all_del(u, t);
		ticket_free(t);
	}
	mox__free(u->qmap);
	if (u->cv_ok)
		pthread_cond_destroy(&u->cv);
	if (u->mu_ok)
		pthread_mutex_destroy(&u->mu);
	mox__free(u);
}

static void
ub_be_destroy(void *impl)
{
	impl_free(impl);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
cv_wait_until(struct ub_impl *u, int64_t until_ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(until_ms / 1000);
	ts.tv_nsec = (long)(until_ms % 1000) * 1000000L;
	(void)pthread_cond_timedwait(&u->cv, &u->mu, &ts);
}

/*
 * Synchronous question, safe from many threads at once: see the top of the
 * file.
 */
static int
ub_lookup(void *impl, const char *qname, uint16_t qtype,
    unsigned int timeout_ms, mox_dns_answer **out)
{
	struct ub_impl *u = impl;
	struct ticket *t;
	int64_t deadline;
	int rc, id = 0, broken;

	*out = NULL;
	t = ticket_new(u, TICKET_LOOKUP, qname, qtype);
	if (t == NULL)
		return MOX_ENOMEM;
	pthread_mutex_lock(&u->mu);
	all_add(u, t);
	pthread_mutex_unlock(&u->mu);

	deadline = mono_ms() + (int64_t)timeout_ms;
	rc = ub_resolve_async(u->ctx, t->ubname, qtype, 1, t, ub_callback,
	    &id);
	if (rc != UB_NOERROR) {
		pthread_mutex_lock(&u->mu);
		all_del(u, t);
		pthread_mutex_unlock(&u->mu);
		ticket_free(t);
		MOX__LOG(core_resolver_logger(u->r), MOX_LOG_WARN,
		    "unbound: %s: cannot start query: %s", qname,
		    ub_strerror(rc));
		return rc == UB_NOMEM ? MOX_ENOMEM : MOX_EDNS;
	}

	pthread_mutex_lock(&u->mu);
	t->async_id = id;
	t->have_id = true;
	while (!t->done) {
		int64_t now = mono_ms(), left = deadline - now;

		if ((left <= 0 || u->broken != 0) && !t->claimed)
			break;
		if (left <= 0)
			left = POLL_SLICE_MS; /* claimed: done in a moment */
		if (!u->polling) {
			struct pollfd pfd;
			int prc = UB_NOERROR;

			u->polling = true;
			pthread_mutex_unlock(&u->mu);
			pfd.fd = ub_fd(u->ctx);
			pfd.events = POLLIN;
			pfd.revents = 0;
			if (poll(&pfd, 1, left < POLL_SLICE_MS ? (int)left :
			    POLL_SLICE_MS) > 0)
				prc = ub_process(u->ctx);
			pthread_mutex_lock(&u->mu);
			u->polling = false;
			if (prc != UB_NOERROR && u->broken == 0)
				u->broken = prc;
			/* Let another waiter take over polling. */
			pthread_cond_broadcast(&u->cv);
		} else {
			cv_wait_until(u, now + (left < POLL_SLICE_MS ? left :
			    POLL_SLICE_MS));
		}
	}
	if (t->done) {
		*out = t->ans;
		t->ans = NULL;
		rc = t->status;
		all_del(u, t);
		pthread_mutex_unlock(&u->mu);
		ticket_free(t);
		return rc;
	}
	broken = u->broken;
	t->canceled = true;
	pthread_mutex_unlock(&u->mu);
	ticket_cancel(u, t);
	if (broken != 0) {
		MOX__LOG(core_resolver_logger(u->r), MOX_LOG_ERROR,
		    "unbound: %s: ub_process: %s", qname, ub_strerror(broken));
		return MOX_EDNS;
	}
	MOX__LOG(core_resolver_logger(u->r), MOX_LOG_DEBUG,
	    "unbound: %s: timeout after %u ms", qname, timeout_ms);
	return core_answer_forced(out, qname, qtype, MOX_DNS_TIMEOUT);
}

static const struct core_backend ub_backend = {
	ub_be_query,
	ub_be_cancel,
	ub_be_fd,
	ub_be_process,
	ub_be_destroy,
	ub_lookup,
};

/* --- creation --- */

static void
seterr(char *errbuf, size_t errcap, const char *fmt, ...) MOX__PRINTF(3, 4);

static void
seterr(char *errbuf, size_t errcap, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errcap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errcap, fmt, ap);
	va_end(ap);
}

/* MOX_OK when path can be opened for reading; else MOX_EIO with errbuf
 * naming what and path. */
static int
check_readable(const char *what, const char *path, char *errbuf,
    size_t errcap)
{
	char ebuf[128];
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		int e = errno;

		seterr(errbuf, errcap, "%s \"%s\": %s", what, path,
		    mox__errno_text(e, ebuf, sizeof(ebuf)));
		return MOX_EIO;
	}
	fclose(f);
	return MOX_OK;
}

/* Whether s is "IP" or "IP@PORT" with PORT 1-65535. */
static bool
addr_ok(const char *s)
{
	char ip[64];
	unsigned char bin[16];
	const char *at = strrchr(s, '@');
	size_t iplen = at != NULL ? (size_t)(at - s) : strlen(s);

	if (iplen == 0 || iplen >= sizeof(ip))
		return false;
	memcpy(ip, s, iplen);
	ip[iplen] = '\0';
	if (inet_pton(AF_INET, ip, bin) != 1 &&
	    inet_pton(AF_INET6, ip, bin) != 1)
		return false;
	if (at != NULL) {
		unsigned long port = 0;
		const char *p = at + 1;

		if (*p == '\0')
			return false;
		for (; *p != '\0'; p++) {
			if (!mox__isdigit((unsigned char)*p))
				return false;
			port = port * 10 + (unsigned long)(*p - '0');
			if (port > 65535)
				return false;
		}
		if (port == 0)
			return false;
	}
	return true;
}

/* Check a list argument: n > 0 needs a non-NULL array of non-NULL
 * strings. */
static bool
list_ok(const char *const *list, size_t n)
{
	size_t i;

	if (n == 0)
		return true;
	if (list == NULL)
		return false;
	for (i = 0; i < n; i++) {
		if (list[i] == NULL)
			return false;
	}
	return true;
}

/*
 * Make libunbound read its configuration now (trust anchors, local zones),
 * so errors show at creation rather than at the first question. The
 * public calls that finalize a context are ub_ctx_zone_add/remove and
 * ub_ctx_print_local_zones; removing a zone that does not exist changes
 * nothing.
 */
static int
ub_finalize(struct ub_ctx *ctx)
{
	return ub_ctx_zone_remove(ctx, FINALIZE_ZONE);
}

/* Whether a scratch context accepts this one trust anchor (file or
 * text); used to name the culprit after the real context refused. */
static int
ta_try(const char *file, const char *text)
{
	struct ub_ctx *c;
	int rc;

	c = ub_ctx_create();
	if (c == NULL)
		return UB_NOMEM;
	if (file != NULL)
		rc = ub_ctx_add_ta_file(c, file);
	else
		rc = ub_ctx_add_ta(c, text);
	if (rc == UB_NOERROR)
		rc = ub_finalize(c);
	ub_ctx_delete(c);
	return rc;
}

/* Split "name: value" into "name:" (as ub_ctx_set_option() wants it) and
 * the value without surrounding white space. */
static int
split_option(const char *opt, char *name, size_t namecap, char *value,
    size_t valuecap)
{
	const char *colon, *v, *end;
	size_t nlen, vlen;

	colon = strchr(opt, ':');
	if (colon == NULL)
		return MOX_EINVAL;
	nlen = (size_t)(colon - opt) + 1;
	if (nlen < 2 || memchr(opt, ' ', nlen) != NULL ||
	    memchr(opt, '\t', nlen) != NULL)
		return MOX_EINVAL;
	if (nlen >= namecap)
		return MOX_ETOOLONG;
	memcpy(name, opt, nlen);
	name[nlen] = '\0';
	for (v = colon + 1; mox__isspace((unsigned char)*v); v++)
		;
	end = v + strlen(v);
	while (end > v && mox__isspace((unsigned char)end[-1]))
		end--;
	vlen = (size_t)(end - v);
	if (vlen >= valuecap)
		return MOX_ETOOLONG;
	memcpy(value, v, vlen);
	value[vlen] = '\0';
	return MOX_OK;
}

/*
 * Parse the value of a local-zone option, "ZONE TYPE" (as unbound: the
 * first word is the zone, the last the type): the zone without trailing dot
 * into zone, and whether the type is nodefault.
 */
static bool
local_zone_parse(const char *value, char *zone, size_t cap, bool *nodefault)
{
	const char *sp = value, *type;
	size_t len;

	while (*sp != '\0' && !mox__isspace((unsigned char)*sp))
		sp++;
	len = (size_t)(sp - value);
	if (*sp == '\0' || len == 0 || len >= cap)
		return false;
	memcpy(zone, value, len);
	zone[len] = '\0';
	if (len > 1 && zone[len - 1] == '.')
		zone[len - 1] = '\0';
	type = value + strlen(value);
	while (type > sp && !mox__isspace((unsigned char)type[-1]))
		type--;
	*nodefault = strcmp(type, "nodefault") == 0;
	return true;
}

/*
 * "local-zone: ZONE nodefault" does not work through ub_ctx_set_option()
 * in libunbound (1.17 and later): cfg_parse_local_zone() stores the whole
 * value, "ZONE nodefault", as the zone name, which never matches, so the
 * default zone (test., invalid., onion., ...) stays. Do what it means
 * instead: once the context is finalized, remove the default zone, unless
 * another local-zone option configures that zone.
 */
static int
apply_nodefault(struct ub_ctx *ctx, const mox_unbound_options *o,
    char *errbuf, size_t errcap)
{
	size_t i, j;
	int rc;

	for (i = 0; i < o->nunbound_options; i++) {
		char name[128], value[1024], zone[MOX_DOMAIN_MAX + 2];
		char fq[MOX_DOMAIN_MAX + 3];
		bool nodefault, configured = false;

		if (split_option(o->unbound_options[i], name, sizeof(name),
		    value, sizeof(value)) != MOX_OK ||
		    strcmp(name, "local-zone:") != 0 ||
		    !local_zone_parse(value, zone, sizeof(zone), &nodefault) ||
		    !nodefault)
			continue;
		for (j = 0; j < o->nunbound_options; j++) {
			char n2[128], v2[1024], z2[MOX_DOMAIN_MAX + 2];
			bool nd2;

			if (split_option(o->unbound_options[j], n2, sizeof(n2),
			    v2, sizeof(v2)) == MOX_OK &&
			    strcmp(n2, "local-zone:") == 0 &&
			    local_zone_parse(v2, z2, sizeof(z2), &nd2) &&
			    !nd2 && mox__strcasecmp(z2, zone) == 0)
				configured = true;
		}
		if (configured)
			continue;
		snprintf(fq, sizeof(fq), "%s%s", zone,
		    strcmp(zone, ".") == 0 ? "" : ".");
		rc = ub_ctx_zone_remove(ctx, fq);
		if (rc != UB_NOERROR) {
			seterr(errbuf, errcap, "unbound option \"%s\": %s",
			    o->unbound_options[i], ub_strerror(rc));
			return ub_status(rc);
		}
	}
	return MOX_OK;
}

static int
configure(struct ub_ctx *ctx, const mox_unbound_options *o, char *errbuf,
    size_t errcap)
{
	size_t i;
	int rc;

	rc = ub_ctx_async(ctx, 1);
	if (rc != UB_NOERROR) {
		seterr(errbuf, errcap, "libunbound: threads: %s",
		    ub_strerror(rc));
		return MOX_EDNS;
	}

	switch (o->mode) {
	case MOX_UNBOUND_RESOLVCONF: {
		const char *file = o->resolvconf != NULL ? o->resolvconf :
		    "/etc/resolv.conf";

		rc = check_readable("resolv.conf", file, errbuf, errcap);
		if (rc != MOX_OK)
			return rc;
		rc = ub_ctx_resolvconf(ctx, file);
		if (rc != UB_NOERROR) {
			seterr(errbuf, errcap, "resolv.conf \"%s\": %s", file,
			    ub_strerror(rc));
			return ub_status(rc);
		}
		break;
	}
	case MOX_UNBOUND_FORWARD:
		for (i = 0; i < o->nforwarders; i++) {
			const char *f = o->forwarders[i];

			if (!addr_ok(f)) {
				seterr(errbuf, errcap, "forwarder \"%s\": not "
				    "an IP address or IP@PORT", f);
				return MOX_EINVAL;
			}
			rc = ub_ctx_set_fwd(ctx, f);
			if (rc != UB_NOERROR) {
				seterr(errbuf, errcap, "forwarder \"%s\": %s",
				    f, ub_strerror(rc));
				return ub_status(rc);
			}
		}
		break;
	default:
		break; /* recursion from the built-in root hints */
	}

	for (i = 0; i < o->nstubs; i++) {
		const char *zone = o->stubs[2 * i], *addr = o->stubs[2 * i + 1];
		char norm[MOX_DOMAIN_MAX + 1];

		/* Not even a space: the name goes into unbound's config
		 * text. */
		if (core_qname_check(norm, sizeof(norm), zone) != MOX_OK ||
		    strchr(zone, ' ') != NULL) {
			seterr(errbuf, errcap, "stub zone \"%s\": not a "
			    "domain name", zone);
			return MOX_EINVAL;
		}
		if (!addr_ok(addr)) {
			seterr(errbuf, errcap, "stub zone \"%s\": address "
			    "\"%s\": not an IP address or IP@PORT", zone, addr);
			return MOX_EINVAL;
		}
		rc = ub_ctx_set_stub(ctx, zone, addr, 0);
		if (rc != UB_NOERROR) {
			seterr(errbuf, errcap, "stub zone \"%s\" at \"%s\": %s",
			    zone, addr, ub_strerror(rc));
			return ub_status(rc);
		}
	}

	if (o->trust_anchor_file != NULL) {
		rc = check_readable("trust anchor file", o->trust_anchor_file,
		    errbuf, errcap);
		if (rc != MOX_OK)
			return rc;
		rc = ub_ctx_add_ta_file(ctx, o->trust_anchor_file);
		if (rc != UB_NOERROR) {
			seterr(errbuf, errcap, "trust anchor file \"%s\": %s",
			    o->trust_anchor_file, ub_strerror(rc));
			return ub_status(rc);
		}
	}
	for (i = 0; i < o->ntrust_anchors; i++) {
		rc = ub_ctx_add_ta(ctx, o->trust_anchors[i]);
		if (rc != UB_NOERROR) {
			seterr(errbuf, errcap, "trust anchor \"%s\": %s",
			    o->trust_anchors[i], ub_strerror(rc));
			return ub_status(rc);
		}
	}

	for (i = 0; i < o->nunbound_options; i++) {
		const char *opt = o->unbound_options[i];
		char name[128], value[1024], zone[MOX_DOMAIN_MAX + 2];
		bool nodefault;

		rc = split_option(opt, name, sizeof(name), value,
		    sizeof(value));
		if (rc != MOX_OK) {
			seterr(errbuf, errcap, "unbound option \"%s\": %s", opt,
			    rc == MOX_ETOOLONG ? "too long" :
			    "expected \"name: value\"");
			return MOX_EINVAL;
		}
		if (strcmp(name, "local-zone:") == 0) {
			if (!local_zone_parse(value, zone, sizeof(zone),
			    &nodefault)) {
				seterr(errbuf, errcap, "unbound option \"%s\": "
				    "expected \"local-zone: ZONE TYPE\"", opt);
				return MOX_EINVAL;
			}
			if (nodefault)
				continue; /* after finalizing, see below */
		}
		rc = ub_ctx_set_option(ctx, name, value);
		if (rc != UB_NOERROR) {
			seterr(errbuf, errcap, "unbound option \"%s\": %s", opt,
			    ub_strerror(rc));
			return ub_status(rc);
		}
	}

	rc = ub_finalize(ctx);
	if (rc != UB_NOERROR) {
		int trc;

		if (o->trust_anchor_file != NULL) {
			trc = ta_try(o->trust_anchor_file, NULL);
			if (trc != UB_NOERROR && trc != UB_NOMEM) {
				seterr(errbuf, errcap, "trust anchor file "
				    "\"%s\": not accepted by libunbound: %s",
				    o->trust_anchor_file, ub_strerror(trc));
				return MOX_EINVAL;
			}
		}
		for (i = 0; i < o->ntrust_anchors; i++) {
			trc = ta_try(NULL, o->trust_anchors[i]);
			if (trc != UB_NOERROR && trc != UB_NOMEM) {
				seterr(errbuf, errcap, "trust anchor \"%s\": "
				    "not accepted by libunbound: %s",
				    o->trust_anchors[i], ub_strerror(trc));
				return MOX_EINVAL;
			}
		}
		seterr(errbuf, errcap, "libunbound refused the configuration: "
		    "%s", ub_strerror(rc));
		return rc == UB_NOMEM ? MOX_ENOMEM : MOX_EDNS;
	}
	return apply_nodefault(ctx, o, errbuf, errcap);
}

static int
check_options(const mox_unbound_options *o, char *errbuf, size_t errcap)
{
	if (o->version < 1 || o->version > MOX_UNBOUND_OPTIONS_VERSION) {
		seterr(errbuf, errcap, "options version %u not supported "
		    "(1 to %d)", o->version, MOX_UNBOUND_OPTIONS_VERSION);
		return MOX_EVERSION;
	}
	if (o->mode != MOX_UNBOUND_RESOLVCONF &&
	    o->mode != MOX_UNBOUND_FORWARD && o->mode != MOX_UNBOUND_RECURSE) {
		seterr(errbuf, errcap, "unknown mode %d", o->mode);
		return MOX_EINVAL;
	}
	if (o->mode == MOX_UNBOUND_FORWARD && o->nforwarders == 0) {
		seterr(errbuf, errcap, "forward mode needs at least one "
		    "forwarder");
		return MOX_EINVAL;
	}
	if (o->mode != MOX_UNBOUND_FORWARD && o->nforwarders != 0) {
		seterr(errbuf, errcap, "forwarders are only used in forward "
		    "mode");
		return MOX_EINVAL;
	}
	if (o->mode != MOX_UNBOUND_RESOLVCONF && o->resolvconf != NULL) {
		seterr(errbuf, errcap, "a resolv.conf file is only used in "
		    "resolvconf mode");
		return MOX_EINVAL;
	}
	if (!list_ok(o->forwarders, o->nforwarders)) {
		seterr(errbuf, errcap, "forwarders: NULL array or entry");
		return MOX_EINVAL;
	}
	if (o->nstubs > SIZE_MAX / 2 || !list_ok(o->stubs, 2 * o->nstubs)) {
		seterr(errbuf, errcap, "stubs: NULL array or entry");
		return MOX_EINVAL;
	}
	if (!list_ok(o->trust_anchors, o->ntrust_anchors)) {
		seterr(errbuf, errcap, "trust anchors: NULL array or entry");
		return MOX_EINVAL;
	}
	if (!list_ok(o->unbound_options, o->nunbound_options)) {
		seterr(errbuf, errcap, "unbound options: NULL array or entry");
		return MOX_EINVAL;
	}
	return MOX_OK;
}

int
mox_unbound_options_init(mox_unbound_options *opts, unsigned int version)
{
	static const mox_unbound_options defaults = MOX_UNBOUND_OPTIONS_INIT;

	if (opts == NULL)
		return MOX_EINVAL;
	if (version < 1 || version > MOX_UNBOUND_OPTIONS_VERSION)
		return MOX_EVERSION;
	/* Version 1 is the whole current struct; a later version must copy
	 * only the fields the caller's version has. */
	*opts = defaults;
	opts->version = version;
	return MOX_OK;
}

int
mox_resolver_new_unbound_err(mox_resolver **out,
    const mox_unbound_options *opts, char *errbuf, size_t errcap)
{
	static const mox_unbound_options defaults = MOX_UNBOUND_OPTIONS_INIT;
	pthread_condattr_t ca;
	struct ub_impl *u;
	mox_resolver *r;
	int rc;

	if (errbuf != NULL && errcap > 0)
		errbuf[0] = '\0';
	if (out == NULL) {
		seterr(errbuf, errcap, "out is NULL");
		return MOX_EINVAL;
	}
	*out = NULL;
	if (opts == NULL)
		opts = &defaults;
	rc = check_options(opts, errbuf, errcap);
	if (rc != MOX_OK)
		return rc;

	u = mox__calloc(1, sizeof(*u));
	if (u == NULL)
		goto nomem;
	u->qmap_size = QMAP_INIT;
	u->qmap = mox__calloc(u->qmap_size, sizeof(*u->qmap));
	if (u->qmap == NULL)
		goto nomem;
	if (pthread_mutex_init(&u->mu, NULL) != 0)
		goto nomem;
	u->mu_ok = true;
	if (pthread_condattr_init(&ca) != 0)
		goto nomem;
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&u->cv, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		goto nomem;
	}
	pthread_condattr_destroy(&ca);
	u->cv_ok = true;
	u->ctx = ub_ctx_create();
	if (u->ctx == NULL) {
		seterr(errbuf, errcap, "libunbound: cannot create a context");
		impl_free(u);
		return MOX_ENOMEM;
	}

	rc = configure(u->ctx, opts, errbuf, errcap);
	if (rc != MOX_OK) {
		impl_free(u);
		return rc;
	}

	rc = core_resolver_new(&r, &ub_backend, u, CORE_KIND_UNBOUND);
	if (rc != MOX_OK) {
		seterr(errbuf, errcap, "cannot create the resolver: %s",
		    mox_strerror(rc));
		impl_free(u);
		return rc;
	}
	u->r = r;
	mox_resolver_set_timeout(r, opts->timeout_ms);
	*out = r;
	return MOX_OK;

nomem:
	seterr(errbuf, errcap, "%s", mox_strerror(MOX_ENOMEM));
	impl_free(u);
	return MOX_ENOMEM;
}

int
mox_resolver_new_unbound(mox_resolver **out, const mox_unbound_options *opts)
{
	return mox_resolver_new_unbound_err(out, opts, NULL, 0);
}
