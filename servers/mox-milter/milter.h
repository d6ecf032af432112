/* SPDX-License-Identifier: MIT */
/*
 * milter.h -- what the files of mox-milter share.
 *
 *   main.c     command line: daemon flags, subcommands (config describe,
 *              -test-config, dmarc-report, stats)
 *   conf.c     the config file (sconf syntax, see ../common/sconf.h),
 *              defaults, describe
 *   filter.c   libmilter callbacks: inbound checks, outbound signing,
 *              policy
 *   store.c    DMARC evaluations in an LMDB file (crash-safe)
 *   report.c   `mox-milter dmarc-report`: aggregate reports from the store
 *   mlog.c     logfmt logging to stderr or syslog
 *   stats.c    result counters, Prometheus text file
 *   authres.c  our own Authentication-Results fields among incoming ones
 *   sockopt.c  TCP_NODELAY and TCP_QUICKACK on libmilter's connections
 */
#ifndef MOX_MILTER_H
#define MOX_MILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mox/dkim.h>
#include <mox/dmarc.h>
#include <mox/dns.h>
#include <mox/spf.h>

/* ---------------------------------------------------------------- config */

/* An IPv4 or IPv6 network; addr holds 4 or 16 octets. */
struct mnet {
	int family;              /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned int bits;
};

/* Parse "IP" or "IP/BITS". Returns 0, or -1 when it is not one. */
int mnet_parse(struct mnet *out, const char *s);
/* Does ip (4 or 16 octets, family) lie in n? An IPv4-mapped IPv6 address
 * is matched as IPv4. */
bool mnet_match(const struct mnet *n, int family, const uint8_t *ip);

/* One DKIM signing selector. */
struct mconf_sign {
	char *domain;            /* From domain, A-label, lowercase */
	char *selector;
	char *keyfile;           /* PEM: PKCS#8/PKCS#1 RSA or Ed25519 */
	mox_dkim_key *key;       /* loaded by conf.c; shared read-only by
	                            all threads */
	char **headers;          /* NULL: the library's default list */
	size_t nheaders;
	bool relaxed_body;       /* default true (relaxed/relaxed) */
	bool relaxed_header;     /* default true */
	unsigned int expire;     /* x= seconds after t=; 0 for none */
};

enum mconf_quarantine {
	MCONF_QUARANTINE_HEADER, /* add the quarantine header (default) */
	MCONF_QUARANTINE_HOLD,   /* smfi_quarantine(): MTA's hold queue */
	MCONF_QUARANTINE_NONE    /* only record it in Authentication-Results */
};

enum mconf_temperror {
	MCONF_TEMPERROR_ACCEPT,   /* accept (default) */
	MCONF_TEMPERROR_TEMPFAIL  /* 451 4.7.1 when DMARC is temperror */
};

/* Per From domain DMARC override. */
struct mconf_domain {
	char *domain;            /* A-label, lowercase */
	bool reject;             /* enforce p=reject for this domain */
};

struct mconf {
	char *listen;            /* "inet:PORT@ADDR", "inet6:PORT@ADDR",
	                            "unix:PATH" */
	char *authserv_id;       /* required */
	char *hostname;          /* for reports, Received-SPF; default
	                            authserv_id */

	/* DNS */
	char *zone_file;         /* set: in-memory resolver from this file */
	char **dns_servers;      /* forwarders "IP[@PORT]"; none: resolv.conf */
	size_t ndns_servers;
	char *resolvconf;        /* NULL: /etc/resolv.conf */
	char *trust_anchor;      /* DNSSEC trust anchor file, NULL for none */
	unsigned int dns_timeout_ms;   /* default 10000 */

	/* who is outbound */
	struct mnet *internal;   /* default 127.0.0.0/8 and ::1 */
	size_t ninternal;
	bool sign_authenticated; /* default true: {auth_authen} set => sign */

	/* outbound */
	struct mconf_sign *sign;
	size_t nsign;

	/* inbound */
	bool spf_helo;           /* also check the HELO identity (default true) */
	bool rfc7489;            /* DMARC in RFC 7489 mode (PSL) */
	char *psl_file;          /* NULL: Debian's publicsuffix list */
	bool dmarc_reject;       /* default true */
	struct mconf_domain *domains;   /* per From domain override */
	size_t ndomains;
	struct mnet *allow_ips;  /* senders never rejected or quarantined */
	size_t nallow_ips;
	char **allow_domains;    /* SPF- or DKIM-authenticated domains never
	                            rejected or quarantined */
	size_t nallow_domains;
	int quarantine;          /* enum mconf_quarantine */
	char *quarantine_header; /* default "X-Mox-Quarantine" */
	int temperror;           /* enum mconf_temperror */
	size_t max_header_bytes; /* default 1 MiB: more gives 552 5.3.4 */
	uint64_t max_verify_bytes;  /* body octets hashed for DKIM; the rest
	                            is not read (default 0 = no limit) */

	/* DMARC aggregate reporting */
	char *report_store;      /* LMDB directory or file; NULL: none */
	char *report_org;        /* org_name; default hostname */
	char *report_from;       /* From: address of reports */
	char *report_sendmail;   /* default "/usr/sbin/sendmail" */
	unsigned int report_max_rows;  /* records per report, default 10000 */

	/* logging and counters */
	int log_level;           /* enum mlog_level */
	bool syslog;
	char *stats_file;        /* Prometheus text file; NULL: none */
	unsigned int stats_interval;   /* seconds, default 10 */

	/* libmilter's I/O timeout: a peer silent this long loses its
	 * connection (and thread). Seconds, default 300. */
	unsigned int milter_timeout;
};

/* Defaults for everything. Returns NULL when out of memory. */
struct mconf *mconf_new(void);

/*
 * Read a config file into c (which holds defaults or earlier values).
 * Keys, sections and errors: see mconf_describe(). Signing keys are loaded.
 * Returns 0, or -1 with a message naming the file, line and key in err.
 */
int mconf_load(struct mconf *c, const char *path, char *err, size_t errcap);

/* The same for config text in memory (len octets, no NUL needed); name
 * is used in error messages, relative paths are taken from the current
 * directory. */
int mconf_load_text(struct mconf *c, const char *name, const char *text,
    size_t len, char *err, size_t errcap);

/* "-sign DOMAIN:SELECTOR:KEYFILE": add a selector and load its key.
 * Returns 0, or -1 with a message in err. */
int mconf_add_sign(struct mconf *c, const char *spec, char *err,
    size_t errcap);

/* Check what is required and consistent (authserv-id set, listen syntax,
 * report settings complete when a store is set...). Returns 0 or -1. */
int mconf_check(const struct mconf *c, char *err, size_t errcap);

void mconf_free(struct mconf *c);

/* Print an annotated example config (every key, with its default). */
void mconf_describe(FILE *f);

/*
 * Notes on the calls above (conf.c):
 * - mconf_load() replaces a list given in the file (InternalNetworks,
 *   DKIM.Sign...), so call mconf_add_sign() after it. Relative file names
 *   in the file are taken from the file's directory. When Hostname is not
 *   set and AuthservID is a domain name, it sets hostname from it.
 * - A private key file readable or writable by others is logged as a
 *   warning (mlog), not refused.
 */

/* Hostname, else authserv_id (either may be NULL before mconf_check()). */
const char *mconf_hostname(const struct mconf *c);

/*
 * The resolver the DNS settings ask for: an in-memory one with the records
 * of zone_file, else libunbound forwarding to dns_servers or to the
 * nameservers of resolvconf, with trust_anchor and dns_timeout_ms. extra
 * (may be NULL) adds what only flags give: MOX_UNBOUND_RECURSE as mode,
 * stubs and unbound options (borrowed for the call).
 * Returns 0 with *out set (mox_resolver_free()), or -1 with a message.
 */
int mconf_resolver(const struct mconf *c, const mox_unbound_options *extra,
    mox_resolver **out, char *err, size_t errcap);

/* --------------------------------------------------------------- authres */

/* Whether an Authentication-Results field value (NUL-terminated, as
 * libmilter gives it) claims authserv-id id (RFC 8601 2.2: [CFWS]
 * authserv-id, a token or a quoted-string), ignoring ASCII case. Reads
 * only up to the NUL; any bytes are safe. (authres.c) */
bool ar_is_ours(const char *v, const char *id);

/* ----------------------------------------------------------------- store */

/*
 * The DMARC evaluation store: an LMDB environment. mstore_add() returns
 * only after the evaluation is committed to disk (fsync); concurrent adds
 * from several threads are committed together (group commit). Safe to use
 * from any number of threads; one mstore per process.
 */
struct mstore;

/* One DMARC evaluation: what an aggregate report row needs. Strings are
 * borrowed for the call of mstore_add(). */
struct mstore_dkim {
	const char *domain;
	const char *selector;
	int result;              /* mox_dmarc_verdict-compatible DKIM result
	                            for the report: MOX_DMARC_REPORT_* dkim
	                            result value */
};

struct mstore_eval {
	int64_t time;            /* seconds since the epoch */
	const char *policy_domain;  /* where the record was found (the
	                            report's policy_published domain) */
	const char *record;      /* the DMARC record text (rua, p, sp...) */
	int discovery_method;    /* mox_dmarc_discovery */
	const char *source_ip;   /* text */
	int disposition;         /* mox_dmarc_disposition */
	int dkim_aligned;        /* MOX_DMARC_PASS or MOX_DMARC_FAIL */
	int spf_aligned;
	int reason;              /* mox_dmarc_report reason type, or
	                            MOX_DMARC_REPORT_ABSENT */
	const char *header_from;
	const char *envelope_from;  /* "" for null reverse path */
	const char *envelope_to;    /* NULL when unknown */
	const struct mstore_dkim *dkim;
	size_t ndkim;
	const char *spf_domain;
	int spf_scope;           /* mox_dmarc_report spf scope */
	int spf_result;          /* mox_dmarc_report spf result */
};

int mstore_open(struct mstore **out, const char *path, char *err,
    size_t errcap);
void mstore_close(struct mstore *s);
/* Returns 0 when committed, -1 with a message in err. */
int mstore_add(struct mstore *s, const struct mstore_eval *e, char *err,
    size_t errcap);

/*
 * More of the store (store.c):
 *
 * path: an existing directory holds data.mdb and lock.mdb; anything else
 * is the data file itself, with PATH-lock next to it (created 0600).
 * Several processes may open the same store (the milter adds, `mox-milter
 * dmarc-report` reads and deletes). Open it after fork(), never before.
 * Stale reader slots of killed processes are cleared at open. The map
 * grows by doubling when full.
 *
 * Limits of mstore_add(): strings of at most 4096 octets (record 8192),
 * at most 64 DKIM results, policy_domain 1 to 253 octets; -1 otherwise.
 * policy_domain is stored in lowercase.
 */

/* Initial map size of mstore_open(); the map grows when full. */
#define MSTORE_MAP_DEFAULT ((size_t)64 << 20)

/* mstore_open() with another initial map size (tests). An existing store
 * keeps its larger size. */
int mstore_open_size(struct mstore **out, const char *path, size_t mapsize,
    char *err, size_t errcap);

/* Where an evaluation is, for mstore_delete(): its time and the store's
 * sequence number (unique, increasing in commit order). */
struct mstore_ref {
	int64_t time;
	uint64_t seq;
};

/*
 * Called by mstore_scan() for each evaluation, in (policy domain, time,
 * seq) order. e and its strings are valid only during the call; e is NULL
 * for a record this version cannot decode (newer version, corrupt), with
 * policy_domain and ref still given. Return 0 to go on; anything else
 * stops the scan and is returned by it. fn must not call mstore_add() or
 * mstore_delete() (a map resize waits for the scan: deadlock); collect,
 * then write after mstore_scan() returns.
 */
typedef int (*mstore_scan_fn)(void *arg, const char *policy_domain,
    const struct mstore_ref *ref, const struct mstore_eval *e);

/*
 * Call fn for every evaluation of policy_domain (NULL: of every domain)
 * with begin <= time < end, from one consistent snapshot. The store is
 * not locked against adds meanwhile (LMDB readers never block writers).
 * Returns 0, fn's nonzero value, or -1 with a message in err.
 */
int mstore_scan(struct mstore *s, const char *policy_domain, int64_t begin,
    int64_t end, mstore_scan_fn fn, void *arg, char *err, size_t errcap);

/*
 * Delete evaluations of policy_domain by ref, all in one transaction;
 * returns after the commit (0), or -1 with a message (nothing deleted).
 * Refs that are not (or no longer) present are ignored.
 */
int mstore_delete(struct mstore *s, const char *policy_domain,
    const struct mstore_ref *refs, size_t nrefs, char *err, size_t errcap);

/* Commits made and evaluations added through this handle (group commit
 * shows as adds > commits). For tests and stats. */
void mstore_counts(struct mstore *s, uint64_t *commits, uint64_t *adds);

/* ----------------------------------------------------------------- report */

/* `mox-milter dmarc-report [-config F] [-store PATH] -send|-print|-list
 * [-now T] [-interval SECONDS] [-zone FILE]`: argv[0] is "dmarc-report".
 * Returns the exit code (0 done, 1 failure, 2 usage). See report.c's usage
 * text for all flags. */
int report_main(int argc, char **argv);

/* ------------------------------------------------------------------- log */

enum mlog_level {
	MLOG_ERROR, MLOG_WARN, MLOG_INFO, MLOG_DEBUG, MLOG_TRACE
};

#if defined(__GNUC__)
#define MLOG_SENTINEL __attribute__((sentinel))
#else
#define MLOG_SENTINEL
#endif

/* Set the level filter and the destination: syslog (facility mail, ident
 * as the tag) or stderr. Call before threads start; again to change. */
void mlog_init(int level, bool syslog, const char *ident);
/* Log one line: "level=info pkg=milter msg=\"...\" key=value ...".
 * After msg comes a NULL-terminated list of key, value string pairs (a
 * NULL value leaves the pair out); values are quoted when needed (space,
 * '=', '"', control characters, empty), control characters escaped, so
 * one call is one line whatever the input. Thread-safe: each line is
 * written with one write(2) (stderr) or syslog(3) call. */
void mlog(int level, const char *msg, ...) MLOG_SENTINEL;
bool mlog_enabled(int level);
/* "error", "warn", "info", "debug", "trace"; NULL for others. */
const char *mlog_level_name(int level);
/* Level for a name (ASCII case ignored), or -1. */
int mlog_level_parse(const char *name);
/* A mox_log_fn for the libraries' log setters: arg is a static string
 * naming the library ("dns"), logged as lib=...; levels map 1:1 (mox's
 * traceauth and tracedata are trace). */
void mlog_lib(void *arg, int level, const char *msg);

/* ----------------------------------------------------------------- stats */

enum mstat {
	MSTAT_MESSAGES, MSTAT_SIGNED, MSTAT_REJECTED, MSTAT_QUARANTINED,
	MSTAT_TEMPFAILED,
	MSTAT_SPF_PASS, MSTAT_SPF_FAIL, MSTAT_SPF_SOFTFAIL, MSTAT_SPF_NEUTRAL,
	MSTAT_SPF_NONE, MSTAT_SPF_TEMPERROR, MSTAT_SPF_PERMERROR,
	MSTAT_DKIM_PASS, MSTAT_DKIM_FAIL, MSTAT_DKIM_NONE, MSTAT_DKIM_POLICY,
	MSTAT_DKIM_NEUTRAL, MSTAT_DKIM_TEMPERROR, MSTAT_DKIM_PERMERROR,
	MSTAT_DMARC_PASS, MSTAT_DMARC_FAIL, MSTAT_DMARC_NONE,
	MSTAT_DMARC_TEMPERROR, MSTAT_DMARC_PERMERROR,
	MSTAT_CONNECTIONS,       /* milter connections from the MTA */
	MSTAT_INBOUND,           /* messages checked */
	MSTAT_OUTBOUND,          /* messages from internal/authenticated
	                            clients */
	MSTAT_ERRORS,            /* internal errors (out of memory, store
	                            failures, signing errors) */
	MSTAT__COUNT
};

/* Add one to a counter (relaxed atomic; any thread). */
void mstat_inc(int which);
/* Current value of a counter. */
uint64_t mstat_get(int which);
/* Write all counters as Prometheus text (atomic rename) to path.
 * Returns 0 or -1 with errno set. */
int mstat_write(const char *path);
/* Start a thread writing path every interval seconds (0: 10). path NULL
 * starts nothing. Returns 0 or -1 (logged). */
int mstat_start(const char *path, unsigned int interval);
/* Stop that thread and write the file a last time. Safe without start. */
void mstat_stop(void);
/* `mox-milter stats [-config F] [-file PATH] [-prometheus]`. */
int stats_main(int argc, char **argv);

/* ----------------------------------------------------------------- main */

/* Config file read when -config is not given (when it exists). */
#define MILTER_CONFIG_DEFAULT "/etc/mox-milter.conf"
/* Exit code of a usage error (bad flag or argument). */
#define MILTER_EXIT_USAGE 2

/* ---------------------------------------------------------------- filter */

/*
 * filter.c: the libmilter callbacks. filter_register() keeps the
 * pointers (all must outlive smfi_main(); c, dns, psl and store are only
 * read, or used through their thread-safe calls, from then on) and calls
 * smfi_register(). psl may be NULL unless c->rfc7489; store may be NULL.
 * Returns 0, or -1 (logged).
 */
int filter_register(const struct mconf *c, mox_resolver *dns,
    const mox_dmarc_psl *psl, struct mstore *store);
/* Connections open now (their state not yet released by the close
 * callback; libmilter does not call it for connections still open when
 * smfi_main() returns). */
unsigned int filter_active(void);
/* Callbacks running now: work in progress to wait for at shutdown. */
unsigned int filter_busy(void);

#endif
