/* SPDX-License-Identifier: MIT */
/*
 * filter.c -- the libmilter callbacks of mox-milter.
 *
 * Inbound mail (from clients outside the internal networks, not
 * authenticated): SPF for MAIL FROM (and HELO), DKIM verification of every
 * signature with the body streamed through the verifier as it arrives,
 * DMARC (RFC 9989, or RFC 7489 with the PSL), one Authentication-Results
 * field (RFC 8601) plus Received-SPF (RFC 7208 9.1), and the policy:
 * reject, quarantine, tempfail. Authentication-Results fields that claim
 * our authserv-id are removed first (RFC 8601 5), and so is any copy of
 * our quarantine header.
 *
 * Outbound mail (internal networks, or {auth_authen} set): DKIM-signed
 * with every selector configured for the From domain (or its closest
 * configured parent), the body streamed through the signers.
 *
 * Memory per message is bounded: the header section is kept (at most
 * max_header_bytes; more is a 552 5.3.4), the body never is.
 *
 * Threads. libmilter serves each MTA connection in turn on its threads
 * (Debian's libmilter has the worker pool: the callbacks of one connection
 * run one at a time, not always on the same thread). The per-connection
 * state (struct conn, smfi_setpriv) is only touched from that
 * connection's callbacks. Shared by all connections, and never written
 * after filter_register():
 *  - the config and its signing keys: a mox_dkim_key is immutable and may
 *    sign in any number of signers at once (dkim.h);
 *  - the Public Suffix List: immutable once loaded (dmarc.h);
 *  - the resolver: only mox_dns_lookup() is called on it, which dns.h
 *    allows from any number of threads on one unbound or static resolver.
 *    mox_spf_check() and mox_dmarc_check() are loops over mox_dns_lookup()
 *    (libmoxspf/src/eval.c, libmoxdmarc/src/eval.c: neither uses
 *    mox_dns_query() or mox_resolver_process(), which would need the
 *    resolver to ourselves), so calling them from many threads is safe.
 *    DKIM keys are looked up here, with mox_dns_lookup(), for the
 *    streaming verifier (the blocking mox_dkim_verify() wants the whole
 *    message in memory);
 *  - the store: mstore_add() may be called from any thread (store.c);
 *  - the counters (atomics, stats.c) and the log (one write per line).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <mox/addr.h>
#include <mox/dkim.h>
#include <mox/dmarc.h>
#include <mox/dns.h>
#include <mox/message.h>
#include <mox/spf.h>

#include "milter.h"

#include <libmilter/mfapi.h>

/* Longest header line we write before folding (RFC 5322 2.1.1: 78). */
#define FOLD_AT 78

/* Shared, read-only after filter_register(). */
static const struct mconf *g_conf;
static mox_resolver *g_dns;
static const mox_dmarc_psl *g_psl;
static struct mstore *g_store;

static atomic_uint g_active;   /* connections with state */
static atomic_uint g_busy;     /* callbacks running now */
static atomic_uint_fast64_t g_next_cid;

enum action {
	ACT_ACCEPT,
	ACT_QUARANTINE,
	ACT_REJECT,
	ACT_TEMPFAIL
};

static const char *const action_names[] = { "accept", "quarantine",
	"reject", "tempfail" };

struct signer {
	mox_dkim_signer *s;
	const struct mconf_sign *cfg;
};

/* Per message: reset at MAIL FROM, abort and end of message. */
struct msg {
	char *mailfrom;          /* without <>; "" for the null path */
	char *rcpt_domain;       /* first recipient's domain, or NULL */
	char *auth;              /* {auth_authen}, or NULL */
	bool outbound;
	bool started;            /* MAIL FROM seen */

	/* The header section as DKIM and DMARC read it (CRLF line ends). */
	uint8_t *hdr;
	size_t hlen, hcap;
	bool too_large;
	size_t nar;              /* Authentication-Results fields seen */
	size_t *ar_del;          /* their indexes (1-based) that claim our
	                            authserv-id */
	size_t nar_del;
	size_t nquar;            /* quarantine header fields seen */
	char *from;              /* value of the first From field */
	size_t nfrom;

	mox_dkim_verifier *ver;
	bool ver_done;           /* every verdict known: no more body */
	uint64_t ver_fed;        /* body octets fed to the verifier */
	bool ver_cut;            /* max_verify_bytes reached */
	struct signer *sig;
	size_t nsig;

	mox_spf_request sreq;    /* MAIL FROM check */
	mox_spf_result sres;
	bool spf_done;
	mox_spf_request hreq;    /* HELO check */
	mox_spf_result hres;
	bool helo_done;

	uint64_t body_len;
	bool error;              /* internal error: tempfail at the end */
};

/* Per MTA connection. */
struct conn {
	char cid[20];
	char *client_name;       /* as the MTA gave it */
	bool have_ip;
	mox_ip ip;
	char ip_text[MOX_IP_STRLEN];
	bool internal;
	char *helo;
	/* Negotiated protocol options. */
	bool leadspc;            /* header values come and go with their
	                            leading space */
	bool nr_hdr;             /* no reply to header callbacks */
	bool skip;               /* SMFIS_SKIP allowed in the body callback */
	unsigned int nmsgs;
	struct msg m;
};

/* ------------------------------------------------------------ helpers */

static char *
xstrdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static bool
grow(uint8_t **buf, size_t *cap, size_t need)
{
	size_t n;
	uint8_t *p;

	if (need <= *cap)
		return true;
	n = *cap > 0 ? *cap : 1024;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (p == NULL)
		return false;
	*buf = p;
	*cap = n;
	return true;
}

/* Reply text for smfi_setreply(): printable ASCII only, no '%'. */
static void
clean_text(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '%')
			*s = '?';
}

static void
set_reply(SMFICTX *ctx, const char *rcode, const char *xcode,
    const char *text)
{
	char t[512], rc[4], xc[16];

	snprintf(t, sizeof(t), "%s", text);
	snprintf(rc, sizeof(rc), "%s", rcode);
	snprintf(xc, sizeof(xc), "%s", xcode);
	clean_text(t);
	if (smfi_setreply(ctx, rc, xc, t) != MI_SUCCESS)
		mlog(MLOG_WARN, "setting reply failed", "code", rcode,
		    (const char *)NULL);
}

/*
 * Fold a header value: a line break is put before a space where a line
 * would pass FOLD_AT columns (folding before existing whitespace keeps
 * the unfolded value the same, RFC 5322 2.2.3). Line breaks already in
 * the value (LF) restart the count. col is where the value starts on its
 * first line. Returns a new string, or NULL when out of memory.
 */
static char *
fold(const char *v, size_t col)
{
	size_t n = strlen(v), i, o = 0, linestart = 0;
	size_t lastsp = (size_t)-1;
	char *out = malloc(2 * n + 1);

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = v[i];

		if (c == '\n') {
			out[o++] = c;
			linestart = o;
			col = 0;
			lastsp = (size_t)-1;
			continue;
		}
		if ((c == ' ' || c == '\t') && o > linestart)
			lastsp = o;
		out[o++] = c;
		if (col + (o - linestart) > FOLD_AT && lastsp != (size_t)-1 &&
		    lastsp > linestart) {
			/* Break before the space at lastsp. */
			memmove(out + lastsp + 1, out + lastsp, o - lastsp);
			out[lastsp] = '\n';
			o++;
			linestart = lastsp + 1;
			col = 0;
			lastsp = (size_t)-1;
		}
	}
	out[o] = '\0';
	return out;
}

static const char *
spf_name(int v)
{
	return mox_spf_verdict_name(v);
}

static void
count_spf(int v)
{
	static const int map[] = { MSTAT_SPF_NONE, MSTAT_SPF_NEUTRAL,
		MSTAT_SPF_PASS, MSTAT_SPF_FAIL, MSTAT_SPF_SOFTFAIL,
		MSTAT_SPF_TEMPERROR, MSTAT_SPF_PERMERROR };

	if (v >= 0 && v < (int)(sizeof(map) / sizeof(*map)))
		mstat_inc(map[v]);
}

static void
count_dkim(int v)
{
	static const int map[] = { MSTAT_DKIM_NONE, MSTAT_DKIM_PASS,
		MSTAT_DKIM_FAIL, MSTAT_DKIM_NEUTRAL, MSTAT_DKIM_POLICY,
		MSTAT_DKIM_TEMPERROR, MSTAT_DKIM_PERMERROR };

	if (v >= 0 && v < (int)(sizeof(map) / sizeof(*map)))
		mstat_inc(map[v]);
}

static void
count_dmarc(int v)
{
	static const int map[] = { MSTAT_DMARC_NONE, MSTAT_DMARC_PASS,
		MSTAT_DMARC_FAIL, MSTAT_DMARC_TEMPERROR,
		MSTAT_DMARC_PERMERROR };

	if (v >= 0 && v < (int)(sizeof(map) / sizeof(*map)))
		mstat_inc(map[v]);
}

/* ----------------------------------------------------- per-connection */

static void
msg_reset(struct msg *m)
{
	size_t i;

	free(m->mailfrom);
	free(m->rcpt_domain);
	free(m->auth);
	free(m->hdr);
	free(m->ar_del);
	free(m->from);
	mox_dkim_verifier_free(m->ver);
	for (i = 0; i < m->nsig; i++)
		mox_dkim_signer_free(m->sig[i].s);
	free(m->sig);
	mox_spf_result_release(&m->sres);
	mox_spf_result_release(&m->hres);
	memset(m, 0, sizeof(*m));
	m->sres.version = MOX_SPF_RESULT_VERSION;
	m->hres.version = MOX_SPF_RESULT_VERSION;
}

static struct conn *
conn_get(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	uint64_t id;

	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	msg_reset(&c->m);
	id = atomic_fetch_add(&g_next_cid, 1);
	snprintf(c->cid, sizeof(c->cid), "%llx", (unsigned long long)id);
	if (smfi_setpriv(ctx, c) != MI_SUCCESS) {
		free(c);
		return NULL;
	}
	atomic_fetch_add(&g_active, 1);
	return c;
}

static void
conn_free(SMFICTX *ctx, struct conn *c)
{
	msg_reset(&c->m);
	free(c->client_name);
	free(c->helo);
	free(c);
	smfi_setpriv(ctx, NULL);
	atomic_fetch_sub(&g_active, 1);
}

/* Queue id for logs: the "i" macro, when the MTA sends it. */
static const char *
qid(SMFICTX *ctx)
{
	const char *i = smfi_getsymval(ctx, "i");

	return i != NULL && i[0] != '\0' ? i : NULL;
}

/* Internal error (out of memory...) during a message: tempfail it. */
static void
msg_error(struct conn *c, const char *what, int rc)
{
	mlog(MLOG_ERROR, what, "cid", c->cid, "err", mox_strerror(rc),
	    (const char *)NULL);
	mstat_inc(MSTAT_ERRORS);
	c->m.error = true;
}

static sfsistat
tempfail_error(SMFICTX *ctx, struct conn *c)
{
	(void)c;
	set_reply(ctx, "451", "4.3.0", "Internal error in the mail filter, "
	    "try again later");
	mstat_inc(MSTAT_TEMPFAILED);
	return SMFIS_TEMPFAIL;
}

/* ---------------------------------------------------------------- DKIM */

/* Drive the verifier: answer its questions until it wants data or is
 * done. Returns MOX_OK or an error. */
static int
verify_drive(struct msg *m)
{
	for (;;) {
		mox_dkim_question q;
		mox_dns_answer *ans = NULL;
		int st, rc;

		st = mox_dkim_verifier_step(m->ver, &q);
		if (st < 0)
			return st;
		switch (st) {
		case MOX_DKIM_STEP_DONE:
			m->ver_done = true;
			return MOX_OK;
		case MOX_DKIM_STEP_NEED_DATA:
			return MOX_OK;
		case MOX_DKIM_STEP_QUERY:
			rc = mox_dns_lookup(g_dns, q.name, MOX_DNS_TXT, &ans);
			if (rc == MOX_ENOMEM)
				return rc;
			/* Another failure: no answer, a temperror (as
			 * mox_dkim_verify() does). */
			rc = mox_dkim_verifier_answer(m->ver, q.id,
			    rc == MOX_OK ? ans : NULL);
			mox_dns_answer_free(ans);
			if (rc != MOX_OK)
				return rc;
			break;
		default:
			/* WAIT: every question is answered at once here, so
			 * this cannot happen. */
			return MOX_ESTATE;
		}
	}
}

/* The closest domain at or above from that has selectors; NULL if none. */
static const char *
sign_domain(const char *from)
{
	const struct mconf *cf = g_conf;
	const char *d = from;
	size_t i;

	while (d != NULL && *d != '\0') {
		for (i = 0; i < cf->nsign; i++)
			if (strcasecmp(cf->sign[i].domain, d) == 0)
				return cf->sign[i].domain;
		d = strchr(d, '.');
		if (d != NULL)
			d++;
	}
	return NULL;
}

/* The From domain for signing (A-labels), from the first mailbox of the
 * single From field; false when there is none. */
static bool
from_domain(const struct msg *m, char *out, size_t cap)
{
	mox_msg_addrlist *l = NULL;
	const mox_msg_mailbox *mb;
	bool ok = false;
	size_t i;

	if (m->nfrom != 1 || m->from == NULL)
		return false;
	if (mox_msg_addrlist_parse(&l, (const uint8_t *)m->from,
	    strlen(m->from), MOX_MSG_ADDR_LENIENT, NULL) != MOX_OK)
		return false;
	for (i = 0; i < mox_msg_addrlist_count(l); i++) {
		mb = mox_msg_addrlist_get(l, i);
		if (mb->kind == MOX_MSG_ADDR_MAILBOX &&
		    mb->domain_ascii != NULL && mb->domain_ascii[0] != '\0') {
			snprintf(out, cap, "%s", mb->domain_ascii);
			ok = true;
			break;
		}
	}
	mox_msg_addrlist_free(l);
	return ok;
}

/* Start the signers for the message; returns how many (0: nothing to do),
 * or -1 on an error. */
static int
sign_start(struct conn *c)
{
	struct msg *m = &c->m;
	const struct mconf *cf = g_conf;
	char dom[MOX_DOMAIN_MAX + 1];
	const char *sd;
	size_t i, n = 0;
	int rc;

	if (!from_domain(m, dom, sizeof(dom))) {
		mlog(MLOG_INFO, "not signing: no single From address with a "
		    "domain", "cid", c->cid, "nfrom", m->nfrom > 1 ? "many" :
		    m->nfrom == 1 ? "1" : "0", (const char *)NULL);
		return 0;
	}
	sd = sign_domain(dom);
	if (sd == NULL) {
		mlog(MLOG_INFO, "not signing: no selector for the From domain",
		    "cid", c->cid, "domain", dom, (const char *)NULL);
		return 0;
	}
	m->sig = calloc(cf->nsign, sizeof(*m->sig));
	if (m->sig == NULL)
		return -1;
	for (i = 0; i < cf->nsign; i++) {
		const struct mconf_sign *s = &cf->sign[i];
		mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;

		if (strcasecmp(s->domain, sd) != 0 || s->key == NULL)
			continue;
		o.domain = s->domain;
		o.selector = s->selector;
		o.key = s->key;
		o.header_canon = s->relaxed_header ? MOX_DKIM_RELAXED :
		    MOX_DKIM_SIMPLE;
		o.body_canon = s->relaxed_body ? MOX_DKIM_RELAXED :
		    MOX_DKIM_SIMPLE;
		o.headers = (const char *const *)s->headers;
		o.nheaders = s->nheaders;
		o.expiration = s->expire;
		rc = mox_dkim_signer_new(&m->sig[n].s, &o);
		if (rc == MOX_OK)
			rc = mox_dkim_signer_feed(m->sig[n].s, m->hdr, m->hlen);
		if (rc == MOX_OK)
			rc = mox_dkim_signer_feed(m->sig[n].s,
			    (const uint8_t *)"\r\n", 2);
		if (rc != MOX_OK) {
			mox_dkim_signer_free(m->sig[n].s);
			m->sig[n].s = NULL;
			mlog(MLOG_ERROR, "starting DKIM signer", "cid", c->cid,
			    "domain", s->domain, "selector", s->selector, "err",
			    mox_strerror(rc), (const char *)NULL);
			mstat_inc(MSTAT_ERRORS);
			if (rc == MOX_ENOMEM)
				return -1;
			continue;
		}
		m->sig[n++].cfg = s;
	}
	m->nsig = n;
	return (int)n;
}

/* ----------------------------------------------------------- callbacks */

static sfsistat
fi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	const unsigned long actions = SMFIF_ADDHDRS | SMFIF_CHGHDRS |
	    SMFIF_QUARANTINE;
	struct conn *c = conn_get(ctx);

	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_REJECT;
	if ((f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS)) !=
	    (SMFIF_ADDHDRS | SMFIF_CHGHDRS))
		mlog(MLOG_WARN, "MTA does not let the filter add and change "
		    "header fields", "cid", c->cid, (const char *)NULL);
	*pf0 = f0 & (actions | SMFIF_SETSYMLIST);
	*pf1 = f1 & (SMFIP_NOUNKNOWN | SMFIP_NODATA);
	/* The exact header bytes (for DKIM simple canonicalization). */
	if ((f1 & SMFIP_HDR_LEADSPC) != 0) {
		*pf1 |= SMFIP_HDR_LEADSPC;
		c->leadspc = true;
	}
	/* One round trip less per header field. */
	if ((f1 & SMFIP_NR_HDR) != 0) {
		*pf1 |= SMFIP_NR_HDR;
		c->nr_hdr = true;
	}
	if ((f1 & SMFIP_SKIP) != 0) {
		*pf1 |= SMFIP_SKIP;
		c->skip = true;
	}
	*pf2 = 0;
	*pf3 = 0;
	/* Postfix sends {auth_authen} with MAIL FROM by default; ask for it
	 * anyway, and the queue id for logs. */
	if ((f0 & SMFIF_SETSYMLIST) != 0) {
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
		    "{auth_authen} {auth_type} i");
		smfi_setsymlist(ctx, SMFIM_EOH, "i");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	mlog(MLOG_TRACE, "negotiated", "cid", c->cid, "leadspc",
	    c->leadspc ? "yes" : "no", "nr_hdr", c->nr_hdr ? "yes" : "no",
	    "skip", c->skip ? "yes" : "no", (const char *)NULL);
	return SMFIS_CONTINUE;
}

static sfsistat
fi_connect(SMFICTX *ctx, char *hostname, struct sockaddr *sa)
{
	struct conn *c = conn_get(ctx);
	const struct mconf *cf = g_conf;
	size_t i;

	if (c == NULL) {
		mlog(MLOG_ERROR, "out of memory", (const char *)NULL);
		return SMFIS_TEMPFAIL;
	}
	mstat_inc(MSTAT_CONNECTIONS);
	free(c->client_name);
	c->client_name = xstrdup(hostname);
	c->have_ip = false;
	c->internal = false;
	c->ip_text[0] = '\0';
	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		c->ip.family = 4;
		memset(c->ip.addr, 0, sizeof(c->ip.addr));
		memcpy(c->ip.addr, &s4->sin_addr, 4);
		c->have_ip = true;
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		c->ip.family = 6;
		memcpy(c->ip.addr, &s6->sin6_addr, 16);
		mox_ip_unmap(&c->ip, &c->ip);
		c->have_ip = true;
	} else if (sa != NULL && sa->sa_family == AF_UNIX) {
		/* A local client (the MTA's own submission). */
		c->internal = true;
	}
	if (c->have_ip) {
		mox_ip_format(c->ip_text, sizeof(c->ip_text), &c->ip);
		for (i = 0; i < cf->ninternal && !c->internal; i++)
			c->internal = mnet_match(&cf->internal[i],
			    c->ip.family == 4 ? AF_INET : AF_INET6, c->ip.addr);
	}
	mlog(MLOG_DEBUG, "connect", "cid", c->cid, "client", hostname,
	    "ip", c->have_ip ? c->ip_text : "unknown", "internal",
	    c->internal ? "yes" : "no", (const char *)NULL);
	return SMFIS_CONTINUE;
}

static sfsistat
fi_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	free(c->helo);
	c->helo = helo != NULL && helo[0] != '\0' ? strdup(helo) : NULL;
	return SMFIS_CONTINUE;
}

/* "<addr>" as addr, without the brackets. */
static char *
unbracket(const char *a)
{
	size_t n;
	char *s;

	if (a == NULL)
		return strdup("");
	while (*a == ' ')
		a++;
	n = strlen(a);
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
		a++;
		n -= 2;
	}
	s = malloc(n + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, a, n);
	s[n] = '\0';
	return s;
}

static sfsistat
fi_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	const char *auth;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	msg_reset(&c->m);
	c->m.started = true;
	c->nmsgs++;
	c->m.mailfrom = unbracket(argv != NULL ? argv[0] : NULL);
	if (c->m.mailfrom == NULL) {
		msg_error(c, "out of memory", MOX_ENOMEM);
		return SMFIS_CONTINUE;
	}
	auth = smfi_getsymval(ctx, "{auth_authen}");
	if (auth != NULL && auth[0] != '\0')
		c->m.auth = strdup(auth);
	c->m.outbound = c->internal ||
	    (c->m.auth != NULL && g_conf->sign_authenticated);
	if (c->m.outbound && g_conf->nsign == 0) {
		/* Nothing to sign, nothing to check. */
		mstat_inc(MSTAT_OUTBOUND);
		mlog(MLOG_DEBUG, "outbound, no signing configured", "cid",
		    c->cid, (const char *)NULL);
		msg_reset(&c->m);
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
fi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	char *r, *at;
	size_t i;

	if (c == NULL || c->m.rcpt_domain != NULL || argv == NULL ||
	    argv[0] == NULL)
		return SMFIS_CONTINUE;
	r = unbracket(argv[0]);
	if (r == NULL)
		return SMFIS_CONTINUE;
	at = strrchr(r, '@');
	if (at != NULL && at[1] != '\0') {
		for (i = 1; at[i] != '\0'; i++)
			if (at[i] >= 'A' && at[i] <= 'Z')
				at[i] = (char)(at[i] - 'A' + 'a');
		c->m.rcpt_domain = strdup(at + 1);
	}
	free(r);
	return SMFIS_CONTINUE;
}

static sfsistat
fi_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = smfi_getpriv(ctx);
	const sfsistat ok = c != NULL && c->nr_hdr ? SMFIS_NOREPLY :
	    SMFIS_CONTINUE;
	struct msg *m;
	size_t nl, vl, need, i;

	if (c == NULL || name == NULL || value == NULL)
		return ok;
	m = &c->m;
	if (m->error || m->too_large)
		return ok;

	if (!m->outbound && strcasecmp(name, "Authentication-Results") == 0) {
		m->nar++;
		if (ar_is_ours(value, g_conf->authserv_id)) {
			size_t *p = realloc(m->ar_del,
			    (m->nar_del + 1) * sizeof(*p));

			if (p == NULL) {
				msg_error(c, "out of memory", MOX_ENOMEM);
				return ok;
			}
			m->ar_del = p;
			m->ar_del[m->nar_del++] = m->nar;
		}
	} else if (!m->outbound && g_conf->quarantine_header != NULL &&
	    strcasecmp(name, g_conf->quarantine_header) == 0) {
		m->nquar++;
	} else if (strcasecmp(name, "From") == 0) {
		if (m->nfrom++ == 0) {
			m->from = strdup(value);
			if (m->from == NULL) {
				msg_error(c, "out of memory", MOX_ENOMEM);
				return ok;
			}
		}
	}

	/* name ":" [" "] value CRLF, with lone LF made CRLF. */
	nl = strlen(name);
	vl = strlen(value);
	need = nl + 1 + (c->leadspc ? 0 : 1) + vl + 2;
	for (i = 0; i < vl; i++)
		if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
			need++;
	if (g_conf->max_header_bytes > 0 &&
	    need > g_conf->max_header_bytes - m->hlen) {
		m->too_large = true;
		return ok;
	}
	if (!grow(&m->hdr, &m->hcap, m->hlen + need)) {
		msg_error(c, "out of memory", MOX_ENOMEM);
		return ok;
	}
	memcpy(m->hdr + m->hlen, name, nl);
	m->hlen += nl;
	m->hdr[m->hlen++] = ':';
	if (!c->leadspc)
		m->hdr[m->hlen++] = ' ';
	for (i = 0; i < vl; i++) {
		if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
			m->hdr[m->hlen++] = '\r';
		m->hdr[m->hlen++] = (uint8_t)value[i];
	}
	m->hdr[m->hlen++] = '\r';
	m->hdr[m->hlen++] = '\n';
	return ok;
}

static void
spf_run(struct conn *c)
{
	struct msg *m = &c->m;
	const struct mconf *cf = g_conf;
	bool null_sender = m->mailfrom[0] == '\0';
	int rc;

	if (!c->have_ip || (null_sender && c->helo == NULL))
		return;
	{
		mox_spf_request init = MOX_SPF_REQUEST_INIT;

		m->sreq = init;
		m->hreq = init;
	}
	m->sreq.identity = MOX_SPF_MAILFROM;
	m->sreq.ip = c->ip;
	m->sreq.sender = null_sender ? NULL : m->mailfrom;
	m->sreq.helo = c->helo;
	m->sreq.receiver = cf->hostname != NULL ? cf->hostname :
	    cf->authserv_id;
	rc = mox_spf_check(&m->sres, g_dns, &m->sreq);
	if (rc != MOX_OK) {
		msg_error(c, "spf check", rc);
		return;
	}
	m->spf_done = true;
	if (cf->spf_helo && !null_sender && c->helo != NULL) {
		m->hreq = m->sreq;
		m->hreq.identity = MOX_SPF_HELO;
		m->hreq.sender = NULL;
		rc = mox_spf_check(&m->hres, g_dns, &m->hreq);
		if (rc != MOX_OK) {
			msg_error(c, "spf helo check", rc);
			return;
		}
		m->helo_done = true;
	}
}

static sfsistat
fi_eoh(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct msg *m;
	int rc;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	m = &c->m;
	if (m->error)
		return SMFIS_CONTINUE;
	if (!m->started) {
		/* Header before MAIL FROM: a broken peer. */
		mlog(MLOG_WARN, "end of header without MAIL FROM", "cid",
		    c->cid, (const char *)NULL);
		return SMFIS_TEMPFAIL;
	}
	if (m->too_large) {
		mlog(MLOG_INFO, "header section too large", "cid", c->cid,
		    "qid", qid(ctx), "ip", c->ip_text, (const char *)NULL);
		set_reply(ctx, "552", "5.3.4", "Message header section too "
		    "large");
		mstat_inc(MSTAT_MESSAGES);
		mstat_inc(MSTAT_REJECTED);
		msg_reset(m);
		return SMFIS_REJECT;
	}
	if (m->outbound) {
		rc = sign_start(c);
		if (rc < 0) {
			msg_error(c, "starting signers", MOX_ENOMEM);
			return SMFIS_CONTINUE;
		}
		if (rc == 0) {
			mstat_inc(MSTAT_MESSAGES);
			mstat_inc(MSTAT_OUTBOUND);
			msg_reset(m);
			return SMFIS_ACCEPT;
		}
		return SMFIS_CONTINUE;
	}

	spf_run(c);
	if (m->error)
		return SMFIS_CONTINUE;
	{
		mox_dkim_verify_options vo = MOX_DKIM_VERIFY_OPTIONS_INIT;

		if (g_conf->max_header_bytes > 0)
			vo.max_header_size = g_conf->max_header_bytes;
		rc = mox_dkim_verifier_new(&m->ver, &vo);
	}
	if (rc == MOX_OK)
		rc = mox_dkim_verifier_feed(m->ver, m->hdr, m->hlen);
	if (rc == MOX_OK)
		rc = mox_dkim_verifier_feed(m->ver, (const uint8_t *)"\r\n", 2);
	if (rc == MOX_OK)
		rc = verify_drive(m);
	if (rc != MOX_OK)
		msg_error(c, "dkim verifier", rc);
	return SMFIS_CONTINUE;
}

static sfsistat
fi_body(SMFICTX *ctx, unsigned char *p, size_t len)
{
	struct conn *c = smfi_getpriv(ctx);
	struct msg *m;
	size_t i;
	int rc;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	m = &c->m;
	m->body_len += len;
	if (m->error)
		return c->skip ? SMFIS_SKIP : SMFIS_CONTINUE;
	if (m->outbound) {
		for (i = 0; i < m->nsig; i++) {
			rc = mox_dkim_signer_feed(m->sig[i].s, p, len);
			if (rc != MOX_OK) {
				msg_error(c, "dkim signer", rc);
				break;
			}
		}
		return SMFIS_CONTINUE;
	}
	if (m->ver != NULL && !m->ver_done && !m->ver_cut) {
		size_t n = len;
		uint64_t max = g_conf->max_verify_bytes;

		if (max > 0 && m->ver_fed + n > max) {
			n = (size_t)(max - m->ver_fed);
			m->ver_cut = true;
		}
		rc = mox_dkim_verifier_feed(m->ver, p, n);
		m->ver_fed += n;
		if (rc == MOX_OK)
			rc = verify_drive(m);
		if (rc != MOX_OK)
			msg_error(c, "dkim verifier", rc);
	}
	/* Nothing needs the rest of the body: ask the MTA not to send it. */
	if (c->skip && (m->ver == NULL || m->ver_done || m->ver_cut ||
	    m->error))
		return SMFIS_SKIP;
	return SMFIS_CONTINUE;
}

/* Outbound end of message: the signatures, inserted at the top. */
static sfsistat
eom_sign(SMFICTX *ctx, struct conn *c)
{
	struct msg *m = &c->m;
	char **hv;
	size_t i, k, nok = 0;
	int rc;

	hv = calloc(m->nsig, sizeof(*hv));
	if (hv == NULL)
		return tempfail_error(ctx, c);
	for (i = 0; i < m->nsig; i++) {
		char *out = NULL, *v;
		size_t len = 0, o = 0, skip = strlen("DKIM-Signature:");

		rc = mox_dkim_signer_finish(m->sig[i].s, &out, &len);
		if (rc != MOX_OK) {
			mlog(MLOG_ERROR, "dkim signing failed", "cid", c->cid,
			    "domain", m->sig[i].cfg->domain, "selector",
			    m->sig[i].cfg->selector, "err", mox_strerror(rc),
			    (const char *)NULL);
			mstat_inc(MSTAT_ERRORS);
			continue;
		}
		if (len < skip ||
		    strncasecmp(out, "DKIM-Signature:", skip) != 0) {
			mox_dkim_free(out);
			continue;
		}
		/* The value, folds as LF (what the MTA expects), no final line
		 * end, and its leading space only if negotiated. */
		v = malloc(len + 1);
		if (v == NULL) {
			mox_dkim_free(out);
			break;
		}
		k = skip;
		if (!c->leadspc)
			while (k < len && (out[k] == ' ' || out[k] == '\t'))
				k++;
		for (; k < len; k++)
			if (out[k] != '\r')
				v[o++] = out[k];
		while (o > 0 && v[o - 1] == '\n')
			o--;
		v[o] = '\0';
		hv[i] = v;
		mox_dkim_free(out);
	}
	/* Insert in reverse so the first configured selector ends on top. */
	for (i = m->nsig; i-- > 0;) {
		if (hv[i] == NULL)
			continue;
		if (smfi_insheader(ctx, 0, "DKIM-Signature",
		    hv[i]) != MI_SUCCESS) {
			mlog(MLOG_ERROR, "adding DKIM-Signature failed", "cid",
			    c->cid, (const char *)NULL);
			mstat_inc(MSTAT_ERRORS);
		} else {
			nok++;
		}
	}
	for (i = 0; i < m->nsig; i++)
		free(hv[i]);
	free(hv);
	mstat_inc(MSTAT_OUTBOUND);
	if (nok > 0)
		mstat_inc(MSTAT_SIGNED);
	if (mlog_enabled(MLOG_INFO)) {
		char sels[512], n[16];
		size_t o = 0;

		sels[0] = '\0';
		for (i = 0; i < m->nsig && o < sizeof(sels); i++)
			o += (size_t)snprintf(sels + o, sizeof(sels) - o,
			    "%s%s", i > 0 ? "," : "", m->sig[i].cfg->selector);
		snprintf(n, sizeof(n), "%zu", nok);
		mlog(MLOG_INFO, "message signed", "cid", c->cid, "qid",
		    qid(ctx), "dir", "out", "ip", c->have_ip ? c->ip_text :
		    NULL, "auth", m->auth, "domain", m->sig[0].cfg->domain,
		    "selectors", sels, "signatures", n, (const char *)NULL);
	}
	return SMFIS_CONTINUE;
}

/* Whether local policy exempts the message from reject and quarantine:
 * the client's address is in allow_ips, or SPF or a DKIM signature
 * passed for a domain in allow_domains. */
static bool
allowed(const struct conn *c, const mox_dkim_result *dr, size_t ndr,
    const char **why)
{
	const struct mconf *cf = g_conf;
	const struct msg *m = &c->m;
	size_t i, k;

	if (c->have_ip)
		for (i = 0; i < cf->nallow_ips; i++)
			if (mnet_match(&cf->allow_ips[i], c->ip.family == 4 ?
			    AF_INET : AF_INET6, c->ip.addr)) {
				*why = "allow_ips";
				return true;
			}
	for (k = 0; k < cf->nallow_domains; k++) {
		const char *d = cf->allow_domains[k];

		if (m->spf_done && m->sres.verdict == MOX_SPF_PASS &&
		    m->sres.domain != NULL &&
		    strcasecmp(m->sres.domain, d) == 0) {
			*why = "allow_domains spf";
			return true;
		}
		for (i = 0; i < ndr; i++)
			if (dr[i].verdict == MOX_DKIM_PASS &&
			    dr[i].domain != NULL &&
			    strcasecmp(dr[i].domain, d) == 0) {
				*why = "allow_domains dkim";
				return true;
			}
	}
	return false;
}

/* Whether a DMARC reject for this From domain is enforced. */
static bool
reject_enforced(const char *from_domain)
{
	const struct mconf *cf = g_conf;
	size_t i;

	for (i = 0; from_domain != NULL && i < cf->ndomains; i++)
		if (strcasecmp(cf->domains[i].domain, from_domain) == 0)
			return cf->domains[i].reject;
	return cf->dmarc_reject;
}

/* Append "; resinfo" on its own folded line. */
static bool
ar_add(char **ar, size_t *len, size_t *cap, const char *resinfo)
{
	char *f = fold(resinfo, 8);
	size_t n;

	if (f == NULL)
		return false;
	n = strlen(f);
	if (*len + n + 4 > *cap) {
		size_t nc = (*len + n + 4) * 2;
		char *p = realloc(*ar, nc);

		if (p == NULL) {
			free(f);
			return false;
		}
		*ar = p;
		*cap = nc;
	}
	memcpy(*ar + *len, ";\n\t", 3);
	*len += 3;
	memcpy(*ar + *len, f, n + 1);
	*len += n;
	free(f);
	return true;
}

/* The libraries' snprintf-style formatters into new strings (NULL when
 * out of memory). */
static char *
spf_authres(const mox_spf_result *r, const mox_spf_request *q)
{
	size_t n = mox_spf_authres(NULL, 0, r, q);
	char *s = malloc(n + 1);

	if (s != NULL)
		mox_spf_authres(s, n + 1, r, q);
	return s;
}

static char *
spf_received(const mox_spf_result *r, const mox_spf_request *q,
    const char *receiver)
{
	size_t n = mox_spf_received(NULL, 0, r, q, receiver);
	char *s = malloc(n + 1);

	if (s != NULL)
		mox_spf_received(s, n + 1, r, q, receiver);
	return s;
}

static char *
dkim_authres(const mox_dkim_result *r)
{
	size_t n = mox_dkim_authres(NULL, 0, r);
	char *s = malloc(n + 1);

	if (s != NULL)
		mox_dkim_authres(s, n + 1, r);
	return s;
}

static char *
dmarc_authres(const mox_dmarc_result *r)
{
	size_t n = mox_dmarc_authres(NULL, 0, r);
	char *s = malloc(n + 1);

	if (s != NULL)
		mox_dmarc_authres(s, n + 1, r);
	return s;
}

static int
record_eval(struct conn *c, const mox_dmarc_result *dres,
    const mox_dkim_result *dr, size_t ndr, int disposition, int reason)
{
	const struct msg *m = &c->m;
	struct mstore_dkim *sd = NULL;
	struct mstore_eval e;
	const char *at;
	char err[512];
	size_t i;
	int rc;

	if (ndr > 0) {
		sd = calloc(ndr, sizeof(*sd));
		if (sd == NULL)
			return -1;
	}
	for (i = 0; i < ndr; i++) {
		sd[i].domain = dr[i].domain != NULL ? dr[i].domain : "";
		sd[i].selector = dr[i].selector;
		sd[i].result = dr[i].verdict;
	}
	memset(&e, 0, sizeof(e));
	e.time = (int64_t)time(NULL);
	e.policy_domain = dres->record_domain;
	e.record = dres->record;
	e.discovery_method = g_conf->rfc7489 ? MOX_DMARC_DISCOVERY_PSL :
	    MOX_DMARC_DISCOVERY_TREEWALK;
	e.source_ip = c->ip_text;
	e.disposition = disposition;
	e.dkim_aligned = dres->dkim_aligned ? MOX_DMARC_PASS : MOX_DMARC_FAIL;
	e.spf_aligned = dres->spf_aligned ? MOX_DMARC_PASS : MOX_DMARC_FAIL;
	e.reason = reason;
	e.header_from = dres->from_domain != NULL ? dres->from_domain : "";
	at = strrchr(m->mailfrom, '@');
	e.envelope_from = at != NULL ? at + 1 : m->mailfrom[0] == '\0' ? "" :
	    m->mailfrom;
	e.envelope_to = m->rcpt_domain;
	e.dkim = sd;
	e.ndkim = ndr;
	if (m->spf_done) {
		e.spf_domain = m->sres.domain;
		e.spf_scope = m->mailfrom[0] == '\0' ?
		    MOX_DMARC_SPF_SCOPE_HELO : MOX_DMARC_SPF_SCOPE_MFROM;
		e.spf_result = m->sres.verdict;
	} else {
		e.spf_domain = at != NULL ? at + 1 : c->helo;
		e.spf_scope = MOX_DMARC_SPF_SCOPE_MFROM;
		e.spf_result = MOX_DMARC_SPF_NONE;
	}
	err[0] = '\0';
	rc = mstore_add(g_store, &e, err, sizeof(err));
	if (rc != 0) {
		mlog(MLOG_ERROR, "storing DMARC evaluation failed", "cid",
		    c->cid, "err", err, (const char *)NULL);
		mstat_inc(MSTAT_ERRORS);
	}
	free(sd);
	return rc;
}

/* Inbound end of message. */
static sfsistat
eom_check(SMFICTX *ctx, struct conn *c)
{
	const struct mconf *cf = g_conf;
	struct msg *m = &c->m;
	mox_dkim_result *dr = NULL;
	size_t ndr = 0, i;
	mox_dmarc_options o = MOX_DMARC_OPTIONS_INIT;
	mox_dmarc_result dres = MOX_DMARC_RESULT_INIT;
	mox_dmarc_spf ds;
	mox_dmarc_dkim *dd = NULL;
	enum action act = ACT_ACCEPT;
	int reason = MOX_DMARC_REPORT_ABSENT, disposition;
	const char *why = NULL, *allow_why = NULL;
	char *ar = NULL, *s, *rspf = NULL, *qhdr = NULL;
	size_t arlen = 0, arcap = 0;
	sfsistat ret = SMFIS_CONTINUE;
	char dkimlog[512];
	int rc;

	/* DKIM verdicts. */
	if (m->ver != NULL) {
		rc = mox_dkim_verifier_finish(m->ver);
		if (rc == MOX_OK)
			rc = verify_drive(m);
		if (rc == MOX_OK && !m->ver_done)
			rc = MOX_ESTATE;
		if (rc != MOX_OK) {
			msg_error(c, "dkim verifier", rc);
			return tempfail_error(ctx, c);
		}
		ndr = mox_dkim_verifier_count(m->ver);
	}
	if (ndr > 0) {
		dr = calloc(ndr, sizeof(*dr));
		dd = calloc(ndr, sizeof(*dd));
		if (dr == NULL || dd == NULL) {
			free(dr);
			free(dd);
			msg_error(c, "out of memory", MOX_ENOMEM);
			return tempfail_error(ctx, c);
		}
	}
	for (i = 0; i < ndr; i++) {
		dr[i].version = MOX_DKIM_RESULT_VERSION;
		rc = mox_dkim_verifier_result(m->ver, i, &dr[i]);
		if (rc != MOX_OK) {
			msg_error(c, "dkim result", rc);
			ret = tempfail_error(ctx, c);
			goto out;
		}
		/* Body beyond max_verify_bytes was not hashed: a mismatch
		 * says nothing about the signature. RFC 8601 2.7.1 policy:
		 * not acceptable to the verifier. */
		if (m->ver_cut && dr[i].verdict == MOX_DKIM_FAIL &&
		    dr[i].reason != NULL &&
		    strcmp(dr[i].reason, "body hash mismatch") == 0) {
			dr[i].verdict = MOX_DKIM_POLICY;
			dr[i].reason =
			    "body over max_verify_bytes not verified";
		}
		dd[i].result = dr[i].verdict;
		dd[i].domain = dr[i].domain;
		dd[i].selector = dr[i].selector;
		count_dkim(dr[i].verdict);
	}
	if (ndr == 0)
		count_dkim(MOX_DKIM_NONE);

	/* DMARC, from the SPF and DKIM results. */
	memset(&ds, 0, sizeof(ds));
	ds.result = m->spf_done ? m->sres.verdict : MOX_DMARC_SPF_NONE;
	ds.domain = m->spf_done && m->sres.domain != NULL &&
	    m->sres.domain[0] != '\0' ? m->sres.domain : NULL;
	ds.helo = m->mailfrom[0] == '\0';
	if (cf->rfc7489) {
		o.flags |= MOX_DMARC_RFC7489;
		o.psl = g_psl;
	}
	rc = mox_dmarc_check(&dres, g_dns, m->hdr, m->hlen, &ds, dd, ndr, &o);
	if (rc != MOX_OK) {
		msg_error(c, "dmarc check", rc);
		ret = tempfail_error(ctx, c);
		goto out;
	}
	count_spf(m->spf_done ? m->sres.verdict : MOX_SPF_NONE);
	count_dmarc(dres.verdict);

	/* Policy. */
	if (dres.verdict == MOX_DMARC_TEMPERROR &&
	    cf->temperror == MCONF_TEMPERROR_TEMPFAIL) {
		act = ACT_TEMPFAIL;
	} else if (dres.verdict == MOX_DMARC_FAIL &&
	    (dres.policy == MOX_DMARC_P_REJECT ||
	    dres.policy == MOX_DMARC_P_QUARANTINE)) {
		if (allowed(c, dr, ndr, &allow_why)) {
			act = ACT_ACCEPT;
			reason = strcmp(allow_why, "allow_ips") == 0 ?
			    MOX_DMARC_OVERRIDE_TRUSTED_FORWARDER :
			    MOX_DMARC_OVERRIDE_LOCAL_POLICY;
			why = allow_why;
		} else if (dres.policy == MOX_DMARC_P_REJECT &&
		    reject_enforced(dres.from_domain)) {
			act = ACT_REJECT;
		} else {
			/* Quarantine, or a reject we do not enforce: treated
			 * as quarantine. */
			act = ACT_QUARANTINE;
			if (dres.policy == MOX_DMARC_P_REJECT) {
				reason = MOX_DMARC_OVERRIDE_LOCAL_POLICY;
				why = "reject not enforced";
			}
		}
	}
	if (reason == MOX_DMARC_REPORT_ABSENT && dres.testing)
		reason = MOX_DMARC_OVERRIDE_POLICY_TEST_MODE;
	if (reason == MOX_DMARC_REPORT_ABSENT && dres.sampled_out)
		reason = MOX_DMARC_OVERRIDE_SAMPLED_OUT;
	if (act == ACT_QUARANTINE && cf->quarantine == MCONF_QUARANTINE_NONE) {
		/* Recorded in Authentication-Results only. */
		act = ACT_ACCEPT;
		if (reason == MOX_DMARC_REPORT_ABSENT)
			reason = MOX_DMARC_OVERRIDE_LOCAL_POLICY;
		why = why != NULL ? why : "quarantine none";
	}
	switch (act) {
	case ACT_REJECT:
		disposition = MOX_DMARC_DISPOSITION_REJECT;
		break;
	case ACT_QUARANTINE:
		disposition = MOX_DMARC_DISPOSITION_QUARANTINE;
		break;
	default:
		disposition = dres.verdict == MOX_DMARC_PASS &&
		    (dres.policy_requested == MOX_DMARC_P_REJECT ||
		    dres.policy_requested == MOX_DMARC_P_QUARANTINE) ?
		    MOX_DMARC_DISPOSITION_PASS : MOX_DMARC_DISPOSITION_NONE;
	}

	/* Report data: committed before the reply goes out. A temporary
	 * failure is not recorded: the message comes again. Nor is a
	 * message without a client address: a report row needs one. */
	if (g_store != NULL && dres.record != NULL &&
	    dres.record_domain != NULL && act != ACT_TEMPFAIL && c->have_ip)
		record_eval(c, &dres, dr, ndr, disposition, reason);

	/* Log. */
	{
		size_t lo = 0;

		dkimlog[0] = '\0';
		for (i = 0; i < ndr && lo < sizeof(dkimlog); i++)
			lo += (size_t)snprintf(dkimlog + lo,
			    sizeof(dkimlog) - lo, "%s%s:%s", i > 0 ? "," : "",
			    mox_dkim_verdict_name(dr[i].verdict),
			    dr[i].domain != NULL && dr[i].domain[0] != '\0' ?
			    dr[i].domain : "-");
		if (ndr == 0)
			snprintf(dkimlog, sizeof(dkimlog), "none");
	}
	mlog(MLOG_INFO, "message checked",
	    "cid", c->cid, "qid", qid(ctx), "dir", "in", "ip",
	    c->have_ip ? c->ip_text : "unknown", "helo", c->helo,
	    "mailfrom", m->mailfrom, "spf", m->spf_done ?
	    spf_name(m->sres.verdict) : "none", "dkim", dkimlog,
	    "dmarc", mox_dmarc_verdict_name(dres.verdict),
	    "fromdomain", dres.from_domain, "policy",
	    mox_dmarc_policy_name(dres.policy), "action", action_names[act],
	    "why", why, (const char *)NULL);

	if (act == ACT_TEMPFAIL) {
		char t[400];

		snprintf(t, sizeof(t), "DMARC policy of %s could not be "
		    "evaluated (temporary DNS error), try again later",
		    dres.from_domain != NULL ? dres.from_domain : "");
		set_reply(ctx, "451", "4.7.1", t);
		mstat_inc(MSTAT_TEMPFAILED);
		ret = SMFIS_TEMPFAIL;
		goto out;
	}
	if (act == ACT_REJECT) {
		char t[400];

		snprintf(t, sizeof(t), "DMARC policy of %s rejects this "
		    "message: From domain not authenticated by aligned SPF or "
		    "DKIM", dres.from_domain != NULL ? dres.from_domain : "");
		set_reply(ctx, "550", "5.7.1", t);
		mstat_inc(MSTAT_REJECTED);
		ret = SMFIS_REJECT;
		goto out;
	}

	/* Authentication-Results. */
	arcap = 256;
	ar = malloc(arcap);
	if (ar == NULL)
		goto oom;
	arlen = (size_t)snprintf(ar, arcap, "%s%s", c->leadspc ? " " : "",
	    cf->authserv_id);
	if (arlen >= arcap)
		goto oom;
	if (m->spf_done) {
		s = spf_authres(&m->sres, &m->sreq);
		if (s == NULL || !ar_add(&ar, &arlen, &arcap, s)) {
			free(s);
			goto oom;
		}
		free(s);
	} else if (!ar_add(&ar, &arlen, &arcap, c->have_ip ?
	    "spf=none (no sender identity)" : "spf=none (client IP unknown)")) {
		goto oom;
	}
	if (m->helo_done) {
		s = spf_authres(&m->hres, &m->hreq);
		if (s == NULL || !ar_add(&ar, &arlen, &arcap, s)) {
			free(s);
			goto oom;
		}
		free(s);
	}
	if (ndr == 0 && !ar_add(&ar, &arlen, &arcap, "dkim=none"))
		goto oom;
	for (i = 0; i < ndr; i++) {
		s = dkim_authres(&dr[i]);
		if (s == NULL || !ar_add(&ar, &arlen, &arcap, s)) {
			free(s);
			goto oom;
		}
		free(s);
	}
	s = dmarc_authres(&dres);
	if (s == NULL || !ar_add(&ar, &arlen, &arcap, s)) {
		free(s);
		goto oom;
	}
	free(s);

	if (m->spf_done) {
		char *raw = spf_received(&m->sres, &m->sreq,
		    cf->hostname != NULL ? cf->hostname : cf->authserv_id);

		if (raw == NULL)
			goto oom;
		rspf = fold(raw, strlen("Received-SPF: "));
		free(raw);
		if (rspf == NULL)
			goto oom;
	}
	if (act == ACT_QUARANTINE &&
	    cf->quarantine == MCONF_QUARANTINE_HEADER) {
		size_t n = 64 + (dres.from_domain != NULL ?
		    strlen(dres.from_domain) : 0);

		qhdr = malloc(n);
		if (qhdr == NULL)
			goto oom;
		snprintf(qhdr, n, "%sdmarc policy=%s header.from=%s",
		    c->leadspc ? " " : "",
		    mox_dmarc_policy_name(dres.policy),
		    dres.from_domain != NULL ? dres.from_domain : "");
	}

	/* Remove what claims to be ours, highest index first so the lower
	 * indexes stay valid whatever the MTA does with deleted fields. */
	for (i = m->nar_del; i-- > 0;)
		if (smfi_chgheader(ctx,
		    "Authentication-Results",
		    (int)m->ar_del[i], NULL) != MI_SUCCESS)
			mlog(MLOG_WARN,
			    "removing Authentication-Results failed", "cid",
			    c->cid, (const char *)NULL);
	for (i = m->nquar; i > 0; i--)
		if (smfi_chgheader(ctx, cf->quarantine_header, (int)i, NULL) !=
		    MI_SUCCESS)
			mlog(MLOG_WARN, "removing quarantine header failed",
			    "cid", c->cid, (const char *)NULL);
	if (m->nar_del > 0)
		mlog(MLOG_DEBUG, "removed Authentication-Results with our "
		    "authserv-id", "cid", c->cid, (const char *)NULL);

	if (rspf != NULL) {
		char *v = rspf;

		if (c->leadspc) {
			v = malloc(strlen(rspf) + 2);
			if (v == NULL)
				goto oom;
			v[0] = ' ';
			memcpy(v + 1, rspf, strlen(rspf) + 1);
		}
		if (smfi_insheader(ctx, 0, "Received-SPF",
		    v) != MI_SUCCESS)
			mlog(MLOG_WARN, "adding Received-SPF failed", "cid",
			    c->cid, (const char *)NULL);
		if (v != rspf)
			free(v);
	}
	if (smfi_insheader(ctx, 0,
	    "Authentication-Results", ar) != MI_SUCCESS)
		mlog(MLOG_WARN, "adding Authentication-Results failed", "cid",
		    c->cid, (const char *)NULL);
	if (act == ACT_QUARANTINE) {
		mstat_inc(MSTAT_QUARANTINED);
		if (qhdr != NULL && smfi_insheader(ctx, 0,
		    cf->quarantine_header, qhdr) != MI_SUCCESS)
			mlog(MLOG_WARN, "adding quarantine header failed",
			    "cid", c->cid, (const char *)NULL);
		if (cf->quarantine == MCONF_QUARANTINE_HOLD) {
			char why_text[300];

			snprintf(why_text, sizeof(why_text),
			    "DMARC policy %s of %s",
			    mox_dmarc_policy_name(dres.policy),
			    dres.from_domain != NULL ? dres.from_domain : "");
			clean_text(why_text);
			if (smfi_quarantine(ctx, why_text) != MI_SUCCESS)
				mlog(MLOG_WARN, "quarantine failed", "cid",
				    c->cid, (const char *)NULL);
		}
	}
	ret = SMFIS_CONTINUE;
	goto out;

oom:
	msg_error(c, "out of memory", MOX_ENOMEM);
	ret = tempfail_error(ctx, c);
out:
	free(ar);
	free(rspf);
	free(qhdr);
	mox_dmarc_result_release(&dres);
	/* Releasing frees what the result owns; a reason we replaced with
	 * a literal is not part of that. */
	for (i = 0; i < ndr; i++)
		mox_dkim_result_release(&dr[i]);
	free(dr);
	free(dd);
	return ret;
}

static sfsistat
fi_eom(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	sfsistat r;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (!c->m.started) {
		mlog(MLOG_WARN, "end of message without MAIL FROM", "cid",
		    c->cid, (const char *)NULL);
		return SMFIS_TEMPFAIL;
	}
	mstat_inc(MSTAT_MESSAGES);
	if (c->m.error) {
		r = tempfail_error(ctx, c);
	} else if (c->m.outbound) {
		r = eom_sign(ctx, c);
	} else {
		mstat_inc(MSTAT_INBOUND);
		r = eom_check(ctx, c);
	}
	msg_reset(&c->m);
	return r;
}

static sfsistat
fi_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		msg_reset(&c->m);
	return SMFIS_CONTINUE;
}

static sfsistat
fi_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		mlog(MLOG_TRACE, "close", "cid", c->cid, (const char *)NULL);
		conn_free(ctx, c);
	}
	return SMFIS_CONTINUE;
}

/*
 * What libmilter calls: the callbacks above, counted while they run, so
 * that shutdown can wait for work in progress (filter_busy()).
 */
#define WRAP(name, params, args)                                          \
	static sfsistat cb_##name params                                   \
	{                                                                  \
		sfsistat r_;                                               \
                                                                           \
		atomic_fetch_add(&g_busy, 1);                              \
		r_ = fi_##name args;                                       \
		atomic_fetch_sub(&g_busy, 1);                              \
		return r_;                                                 \
	}

WRAP(negotiate, (SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3),
    (ctx, f0, f1, f2, f3, pf0, pf1, pf2, pf3))
WRAP(connect, (SMFICTX *ctx, char *hostname, struct sockaddr *sa),
    (ctx, hostname, sa))
WRAP(helo, (SMFICTX *ctx, char *helo), (ctx, helo))
WRAP(envfrom, (SMFICTX *ctx, char **argv), (ctx, argv))
WRAP(envrcpt, (SMFICTX *ctx, char **argv), (ctx, argv))
WRAP(header, (SMFICTX *ctx, char *name, char *value), (ctx, name, value))
WRAP(eoh, (SMFICTX *ctx), (ctx))
WRAP(body, (SMFICTX *ctx, unsigned char *p, size_t len), (ctx, p, len))
WRAP(eom, (SMFICTX *ctx), (ctx))
WRAP(abort, (SMFICTX *ctx), (ctx))
WRAP(close, (SMFICTX *ctx), (ctx))

int
filter_register(const struct mconf *c, mox_resolver *dns,
    const mox_dmarc_psl *psl, struct mstore *store)
{
	struct smfiDesc d;

	g_conf = c;
	g_dns = dns;
	g_psl = psl;
	g_store = store;
	/* Connection ids: unique within the process, and unlikely to repeat
	 * across restarts. */
	atomic_store(&g_next_cid, ((uint64_t)time(NULL) & 0xffffffu) << 16);

	memset(&d, 0, sizeof(d));
	d.xxfi_name = "mox-milter";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
	d.xxfi_connect = cb_connect;
	d.xxfi_helo = cb_helo;
	d.xxfi_envfrom = cb_envfrom;
	d.xxfi_envrcpt = cb_envrcpt;
	d.xxfi_header = cb_header;
	d.xxfi_eoh = cb_eoh;
	d.xxfi_body = cb_body;
	d.xxfi_eom = cb_eom;
	d.xxfi_abort = cb_abort;
	d.xxfi_close = cb_close;
	d.xxfi_negotiate = cb_negotiate;
	if (smfi_register(d) != MI_SUCCESS) {
		mlog(MLOG_ERROR, "smfi_register failed", (const char *)NULL);
		return -1;
	}
	return 0;
}

unsigned int
filter_active(void)
{
	return atomic_load(&g_active);
}

unsigned int
filter_busy(void)
{
	return atomic_load(&g_busy);
}
