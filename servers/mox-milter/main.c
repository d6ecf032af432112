/* SPDX-License-Identifier: MIT */
/*
 * main.c -- the mox-milter command line: subcommands (config describe,
 * dmarc-report, stats, version, help), -test-config, and the daemon:
 * flags over the config file, resolver, report store, counters, then
 * libmilter's loop until SIGTERM or SIGINT.
 *
 * Exit status: 0 done, 1 could not run (config, resolver, socket, store),
 * 2 usage error.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <mox/common.h>
#include <mox/dmarc.h>
#include <mox/dns.h>

#include "milter.h"

#include <libmilter/mfapi.h>

#define ROOT_KEY "/usr/share/dns/root.key"
/* Most values of one repeatable flag. */
#define MAX_LIST 64
/* How long to wait for connections in progress at shutdown. */
#define DRAIN_SECONDS 30

static void
usage(FILE *f)
{
	fputs("usage: mox-milter [-config FILE] [flags]   run the milter\n"
	      "       mox-milter -test-config [-config FILE] [flags]\n"
	      "       mox-milter config describe\n"
	      "       mox-milter dmarc-report [flags] -list|-print|-send\n"
	      "       mox-milter stats [-config FILE] [-file PATH]\n"
	      "           [-prometheus]\n"
	      "       mox-milter version | help\n"
	      "\n"
	      "A milter (Postfix, Sendmail) for SPF, DKIM signing and\n"
	      "verification, DMARC, and DMARC aggregate report data. Mail\n"
	      "from internal networks or authenticated clients is signed;\n"
	      "other mail is checked and gets Authentication-Results. The\n"
	      "config file is -config FILE, else " MILTER_CONFIG_DEFAULT "\n"
	      "when it exists. Each flag overrides its config key (list\n"
	      "flags replace the list, except -sign, which adds selectors).\n"
	      "Runs in the foreground; logs to stderr, or to syslog with\n"
	      "-syslog. SIGTERM or SIGINT stop it. Exit status: 0 done, 1\n"
	      "could not run, 2 usage error.\n"
	      "\n"
	      "  -config FILE            config file\n"
	      "  -test-config            check config and flags, then exit\n"
	      "  -listen SPEC            inet:PORT@ADDR, inet6:PORT@ADDR or\n"
	      "                          unix:PATH\n"
	      "  -authserv-id ID         authserv-id of the A-R field\n"
	      "  -hostname NAME          host name for Received-SPF\n"
	      "                          (default: the authserv-id)\n"
	      "  -zone FILE              DNS answers from zone text only, no\n"
	      "                          network (other names: NXDOMAIN)\n"
	      "  -dns-server IP[@PORT]   forward DNS questions here\n"
	      "                          (repeatable; default: resolv.conf)\n"
	      "  -resolvconf FILE        forward to the nameservers of FILE\n"
	      "  -recurse                resolve from the root servers\n"
	      "  -dns-stub ZONE=IP@PORT  ask this server for ZONE\n"
	      "                          (repeatable)\n"
	      "  -trust-anchor FILE      DNSSEC trust anchors (DS/DNSKEY)\n"
	      "  -dnssec                 trust anchor " ROOT_KEY "\n"
	      "  -unbound-option 'NAME: VALUE'\n"
	      "                          libunbound option (repeatable)\n"
	      "  -dns-timeout MS         timeout of one DNS question\n"
	      "  -internal CIDR|none     networks whose mail is outbound:\n"
	      "                          signed, not checked (repeatable;\n"
	      "                          default 127.0.0.0/8 and ::1)\n"
	      "  -sign DOMAIN:SELECTOR:KEYFILE\n"
	      "                          sign mail from DOMAIN with the PEM\n"
	      "                          key (repeatable)\n"
	      "  -sign-authenticated yes|no\n"
	      "                          sign mail of authenticated clients\n"
	      "  -dmarc-reject yes|no    reject mail when DMARC says reject\n"
	      "                          (no: quarantine it)\n"
	      "  -quarantine header|hold|none\n"
	      "                          what quarantine does\n"
	      "  -temperror accept|tempfail\n"
	      "                          what a DMARC temperror does\n"
	      "  -allow-ip CIDR          never reject or quarantine mail\n"
	      "                          from here (repeatable)\n"
	      "  -allow-domain DOMAIN    nor mail with SPF or DKIM pass for\n"
	      "                          DOMAIN (repeatable)\n"
	      "  -rfc7489                DMARC in RFC 7489 mode (Public\n"
	      "                          Suffix List, pct=)\n"
	      "  -psl FILE               Public Suffix List file\n"
	      "  -spf-helo yes|no        also check the HELO name with SPF\n"
	      "  -max-header-bytes N     larger header sections get 552\n"
	      "  -max-verify-bytes N     body octets hashed for DKIM (0: all)\n"
	      "  -milter-timeout S       close a connection whose MTA is silent\n"
	      "                          for S seconds (default 300)\n"
	      "  -report-store PATH      keep DMARC evaluations for reports\n"
	      "  -report-from ADDR       From address of the reports (needed\n"
	      "                          with -report-store)\n"
	      "  -report-org NAME        org_name of the reports\n"
	      "  -stats-file PATH        write the counters (Prometheus text)\n"
	      "  -stats-interval S       ... every S seconds\n"
	      "  -log-level LEVEL        error, warn, info, debug or trace\n"
	      "  -syslog                 log to syslog (facility mail)\n"
	      "  -foreground             run in the foreground (the default)\n",
	    f);
}

/* Flags that override the config. */
struct flags {
	const char *config;
	bool test_config;
	const char *listen, *authserv_id, *hostname, *zone, *resolvconf;
	const char *trust_anchor, *psl_file, *report_store, *stats_file;
	const char *report_from, *report_org;
	const char *log_level;
	const char *internal[MAX_LIST], *sign[MAX_LIST], *servers[MAX_LIST];
	const char *allow_ips[MAX_LIST], *allow_domains[MAX_LIST];
	const char *uopts[MAX_LIST], *stubs[2 * MAX_LIST];
	size_t ninternal, nsign, nservers, nallow_ips, nallow_domains;
	size_t nuopts, nstubs;
	bool internal_none;
	bool recurse;
	int dmarc_reject, sign_authenticated, spf_helo, rfc7489, syslog;
	int quarantine, temperror;
	long long dns_timeout, stats_interval, max_header_bytes;
	long long milter_timeout;
	long long max_verify_bytes;
};

static int
yesno(const char *flag, const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		return 0;
	fprintf(stderr, "mox-milter: %s wants yes or no, not \"%s\"\n", flag,
	    v);
	return -1;
}

static long long
number(const char *flag, const char *v, long long min, long long max)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (v[0] == '\0' || *end != '\0' || errno != 0 || n < min || n > max) {
		fprintf(stderr, "mox-milter: %s wants a number from %lld to "
		    "%lld, not \"%s\"\n", flag, min, max, v);
		return -1;
	}
	return n;
}

static bool
add(const char **list, size_t *n, const char *flag, const char *v)
{
	if (*n == MAX_LIST) {
		fprintf(stderr, "mox-milter: too many %s flags\n", flag);
		return false;
	}
	list[(*n)++] = v;
	return true;
}

/* Parse the daemon's flags. Returns 0, or MILTER_EXIT_USAGE (reported),
 * or -1 when help was printed. */
static int
parse_flags(struct flags *fl, int argc, char **argv)
{
	int i;

	memset(fl, 0, sizeof(*fl));
	fl->dmarc_reject = fl->sign_authenticated = fl->spf_helo = -1;
	fl->rfc7489 = fl->syslog = fl->quarantine = fl->temperror = -1;
	fl->dns_timeout = fl->stats_interval = fl->max_header_bytes = -1;
	fl->milter_timeout = -1;
	fl->max_verify_bytes = -1;
	for (i = 1; i < argc; i++) {
		const char *f = argv[i];
		char *v;

		/* Accept --flag as -flag. */
		if (f[0] == '-' && f[1] == '-' && f[2] != '\0')
			f++;
		if (strcmp(f, "-help") == 0 || strcmp(f, "-h") == 0) {
			usage(stdout);
			return -1;
		}
		if (strcmp(f, "-test-config") == 0) {
			fl->test_config = true;
			continue;
		}
		if (strcmp(f, "-foreground") == 0)
			continue;
		if (strcmp(f, "-rfc7489") == 0) {
			fl->rfc7489 = 1;
			continue;
		}
		if (strcmp(f, "-syslog") == 0) {
			fl->syslog = 1;
			continue;
		}
		if (strcmp(f, "-recurse") == 0) {
			fl->recurse = true;
			continue;
		}
		if (strcmp(f, "-dnssec") == 0) {
			fl->trust_anchor = ROOT_KEY;
			continue;
		}
		if (f[0] != '-') {
			fprintf(stderr, "mox-milter: unexpected argument "
			    "\"%s\" (mox-milter -help lists the flags)\n", f);
			return MILTER_EXIT_USAGE;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "mox-milter: unknown flag %s, or it "
			    "needs a value (mox-milter -help lists the "
			    "flags)\n", f);
			return MILTER_EXIT_USAGE;
		}
		v = argv[++i];
		if (strcmp(f, "-config") == 0) {
			fl->config = v;
		} else if (strcmp(f, "-listen") == 0) {
			fl->listen = v;
		} else if (strcmp(f, "-authserv-id") == 0) {
			fl->authserv_id = v;
		} else if (strcmp(f, "-hostname") == 0) {
			fl->hostname = v;
		} else if (strcmp(f, "-zone") == 0) {
			fl->zone = v;
		} else if (strcmp(f, "-resolvconf") == 0) {
			fl->resolvconf = v;
		} else if (strcmp(f, "-trust-anchor") == 0) {
			fl->trust_anchor = v;
		} else if (strcmp(f, "-psl") == 0) {
			fl->psl_file = v;
		} else if (strcmp(f, "-report-store") == 0) {
			fl->report_store = v;
		} else if (strcmp(f, "-report-from") == 0) {
			fl->report_from = v;
		} else if (strcmp(f, "-report-org") == 0) {
			fl->report_org = v;
		} else if (strcmp(f, "-stats-file") == 0) {
			fl->stats_file = v;
		} else if (strcmp(f, "-log-level") == 0) {
			if (mlog_level_parse(v) < 0) {
				fprintf(stderr, "mox-milter: -log-level wants "
				    "error, warn, info, debug or trace\n");
				return MILTER_EXIT_USAGE;
			}
			fl->log_level = v;
		} else if (strcmp(f, "-internal") == 0) {
			if (strcmp(v, "none") == 0)
				fl->internal_none = true;
			else if (!add(fl->internal, &fl->ninternal, f, v))
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-sign") == 0) {
			if (!add(fl->sign, &fl->nsign, f, v))
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-dns-server") == 0) {
			if (!add(fl->servers, &fl->nservers, f, v))
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-allow-ip") == 0) {
			if (!add(fl->allow_ips, &fl->nallow_ips, f, v))
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-allow-domain") == 0) {
			if (!add(fl->allow_domains, &fl->nallow_domains, f, v))
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-unbound-option") == 0) {
			if (!add(fl->uopts, &fl->nuopts, f, v))
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-dns-stub") == 0) {
			char *eq = strchr(v, '=');

			if (eq == NULL || eq == v || eq[1] == '\0' ||
			    fl->nstubs == MAX_LIST) {
				fprintf(stderr, "mox-milter: -dns-stub wants "
				    "ZONE=IP@PORT\n");
				return MILTER_EXIT_USAGE;
			}
			*eq = '\0';
			fl->stubs[2 * fl->nstubs] = v;
			fl->stubs[2 * fl->nstubs + 1] = eq + 1;
			fl->nstubs++;
		} else if (strcmp(f, "-dmarc-reject") == 0) {
			if ((fl->dmarc_reject = yesno(f, v)) < 0)
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-sign-authenticated") == 0) {
			if ((fl->sign_authenticated = yesno(f, v)) < 0)
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-spf-helo") == 0) {
			if ((fl->spf_helo = yesno(f, v)) < 0)
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-quarantine") == 0) {
			if (strcmp(v, "header") == 0)
				fl->quarantine = MCONF_QUARANTINE_HEADER;
			else if (strcmp(v, "hold") == 0)
				fl->quarantine = MCONF_QUARANTINE_HOLD;
			else if (strcmp(v, "none") == 0)
				fl->quarantine = MCONF_QUARANTINE_NONE;
			else {
				fprintf(stderr, "mox-milter: -quarantine wants "
				    "header, hold or none\n");
				return MILTER_EXIT_USAGE;
			}
		} else if (strcmp(f, "-temperror") == 0) {
			if (strcmp(v, "accept") == 0)
				fl->temperror = MCONF_TEMPERROR_ACCEPT;
			else if (strcmp(v, "tempfail") == 0)
				fl->temperror = MCONF_TEMPERROR_TEMPFAIL;
			else {
				fprintf(stderr, "mox-milter: -temperror wants "
				    "accept or tempfail\n");
				return MILTER_EXIT_USAGE;
			}
		} else if (strcmp(f, "-dns-timeout") == 0) {
			if ((fl->dns_timeout = number(f, v, 1, 600000)) < 0)
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-milter-timeout") == 0) {
			if ((fl->milter_timeout = number(f, v, 1, 86400)) < 0)
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-stats-interval") == 0) {
			if ((fl->stats_interval = number(f, v, 1, 86400)) < 0)
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-max-header-bytes") == 0) {
			if ((fl->max_header_bytes = number(f, v, 1024,
			    (long long)1 << 30)) < 0)
				return MILTER_EXIT_USAGE;
		} else if (strcmp(f, "-max-verify-bytes") == 0) {
			if ((fl->max_verify_bytes = number(f, v, 0,
			    LLONG_MAX)) < 0)
				return MILTER_EXIT_USAGE;
		} else {
			fprintf(stderr, "mox-milter: unknown flag %s "
			    "(mox-milter -help lists the flags)\n", f);
			return MILTER_EXIT_USAGE;
		}
	}
	return 0;
}

/* Replace a config string. false when out of memory. */
static bool
set_str(char **dst, const char *v)
{
	char *s;

	if (v == NULL)
		return true;
	s = strdup(v);
	if (s == NULL)
		return false;
	free(*dst);
	*dst = s;
	return true;
}

/* Replace a config list of strings. */
static bool
set_strs(char ***dst, size_t *n, const char *const *v, size_t nv)
{
	char **l;
	size_t i;

	if (nv == 0)
		return true;
	l = calloc(nv, sizeof(*l));
	if (l == NULL)
		return false;
	for (i = 0; i < nv; i++) {
		l[i] = strdup(v[i]);
		if (l[i] == NULL) {
			while (i-- > 0)
				free(l[i]);
			free(l);
			return false;
		}
	}
	for (i = 0; i < *n; i++)
		free((*dst)[i]);
	free(*dst);
	*dst = l;
	*n = nv;
	return true;
}

/* Replace a config list of networks; -1 out of memory, -2 syntax (err). */
static int
set_nets(struct mnet **dst, size_t *n, const char *const *v, size_t nv,
    bool none, const char *flag, char *err, size_t errcap)
{
	struct mnet *l;
	size_t i;

	if (nv == 0 && !none)
		return 0;
	l = calloc(nv > 0 ? nv : 1, sizeof(*l));
	if (l == NULL)
		return -1;
	for (i = 0; i < nv; i++)
		if (mnet_parse(&l[i], v[i]) != 0) {
			snprintf(err, errcap, "%s: bad network \"%s\"", flag,
			    v[i]);
			free(l);
			return -2;
		}
	free(*dst);
	*dst = l;
	*n = nv;
	return 0;
}

/* Put the flags over the config. Returns 0, or 1 with err set. */
static int
apply_flags(struct mconf *c, const struct flags *fl, char *err,
    size_t errcap)
{
	size_t i;
	int rc;

	if (!set_str(&c->listen, fl->listen) ||
	    !set_str(&c->authserv_id, fl->authserv_id) ||
	    !set_str(&c->hostname, fl->hostname) ||
	    !set_str(&c->zone_file, fl->zone) ||
	    !set_str(&c->resolvconf, fl->resolvconf) ||
	    !set_str(&c->trust_anchor, fl->trust_anchor) ||
	    !set_str(&c->psl_file, fl->psl_file) ||
	    !set_str(&c->report_store, fl->report_store) ||
	    !set_str(&c->report_from, fl->report_from) ||
	    !set_str(&c->report_org, fl->report_org) ||
	    !set_str(&c->stats_file, fl->stats_file) ||
	    !set_strs(&c->dns_servers, &c->ndns_servers, fl->servers,
	    fl->nservers) ||
	    !set_strs(&c->allow_domains, &c->nallow_domains,
	    fl->allow_domains, fl->nallow_domains))
		goto oom;
	rc = set_nets(&c->internal, &c->ninternal, fl->internal,
	    fl->ninternal, fl->internal_none, "-internal", err, errcap);
	if (rc == -1)
		goto oom;
	if (rc < 0)
		return 1;
	rc = set_nets(&c->allow_ips, &c->nallow_ips, fl->allow_ips,
	    fl->nallow_ips, false, "-allow-ip", err, errcap);
	if (rc == -1)
		goto oom;
	if (rc < 0)
		return 1;
	if (fl->dmarc_reject >= 0)
		c->dmarc_reject = fl->dmarc_reject;
	if (fl->sign_authenticated >= 0)
		c->sign_authenticated = fl->sign_authenticated;
	if (fl->spf_helo >= 0)
		c->spf_helo = fl->spf_helo;
	if (fl->rfc7489 >= 0)
		c->rfc7489 = fl->rfc7489;
	if (fl->syslog >= 0)
		c->syslog = fl->syslog;
	if (fl->quarantine >= 0)
		c->quarantine = fl->quarantine;
	if (fl->temperror >= 0)
		c->temperror = fl->temperror;
	if (fl->log_level != NULL)
		c->log_level = mlog_level_parse(fl->log_level);
	if (fl->dns_timeout > 0)
		c->dns_timeout_ms = (unsigned int)fl->dns_timeout;
	if (fl->stats_interval > 0)
		c->stats_interval = (unsigned int)fl->stats_interval;
	if (fl->milter_timeout > 0)
		c->milter_timeout = (unsigned int)fl->milter_timeout;
	if (fl->max_header_bytes > 0)
		c->max_header_bytes = (size_t)fl->max_header_bytes;
	if (fl->max_verify_bytes >= 0)
		c->max_verify_bytes = (uint64_t)fl->max_verify_bytes;
	for (i = 0; i < fl->nsign; i++)
		if (mconf_add_sign(c, fl->sign[i], err, errcap) != 0)
			return 1;
	return 0;
oom:
	snprintf(err, errcap, "out of memory");
	return 1;
}

/* Config file (if any) and flags into a checked config; NULL after
 * reporting why not. */
static struct mconf *
load_config(const struct flags *fl, const char **used)
{
	struct mconf *c;
	const char *path = fl->config;
	char err[1024];

	*used = NULL;
	if (path == NULL && access(MILTER_CONFIG_DEFAULT, F_OK) == 0)
		path = MILTER_CONFIG_DEFAULT;
	c = mconf_new();
	if (c == NULL) {
		fprintf(stderr, "mox-milter: out of memory\n");
		return NULL;
	}
	err[0] = '\0';
	if (path != NULL && mconf_load(c, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "mox-milter: %s\n", err);
		goto fail;
	}
	err[0] = '\0';
	if (apply_flags(c, fl, err, sizeof(err)) != 0) {
		fprintf(stderr, "mox-milter: %s\n", err);
		goto fail;
	}
	err[0] = '\0';
	if (mconf_check(c, err, sizeof(err)) != 0) {
		fprintf(stderr, "mox-milter: %s%s%s\n",
		    path != NULL ? path : "", path != NULL ? ": " : "", err);
		goto fail;
	}
	*used = path;
	return c;
fail:
	mconf_free(c);
	return NULL;
}

/* The resolver the config and flags ask for; NULL after logging why not. */
static mox_resolver *
open_resolver(const struct mconf *c, const struct flags *fl)
{
	mox_unbound_options extra = MOX_UNBOUND_OPTIONS_INIT;
	mox_resolver *r = NULL;
	char err[512];

	if (fl->recurse)
		extra.mode = MOX_UNBOUND_RECURSE;
	extra.stubs = fl->stubs;
	extra.nstubs = fl->nstubs;
	extra.unbound_options = fl->uopts;
	extra.nunbound_options = fl->nuopts;
	if (mconf_resolver(c, &extra, &r, err, sizeof(err)) != 0) {
		mlog(MLOG_ERROR, "starting resolver", "err", err,
		    (const char *)NULL);
		return NULL;
	}
	mox_resolver_set_log(r, mlog_lib, (void *)"dns", c->log_level);
	return r;
}

static int
run(int argc, char **argv)
{
	struct flags fl;
	struct mconf *c;
	const char *path;
	mox_resolver *dns = NULL;
	mox_dmarc_psl *psl = NULL;
	struct mstore *store = NULL;
	sigset_t set;
	char err[1024], n1[24], n2[24];
	int rc, status = 1;
	time_t until;

	rc = parse_flags(&fl, argc, argv);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	c = load_config(&fl, &path);
	if (c == NULL)
		return 1;
	if (fl.test_config) {
		printf("config OK%s%s\n", path != NULL ? ": " : "",
		    path != NULL ? path : "");
		mconf_free(c);
		return 0;
	}
	mlog_init(c->log_level, c->syslog, "mox-milter");

	/* smfi_main() starts a thread that takes SIGTERM, SIGINT and SIGHUP
	 * with sigwait() and stops the listener as smfi_stop() does, after
	 * which smfi_main() returns. For that every thread must have them
	 * blocked: block them before any thread (resolver, stats) starts.
	 * A write to a closed MTA socket must not kill the process. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	dns = open_resolver(c, &fl);
	if (dns == NULL)
		goto out;
	if (c->rfc7489) {
		rc = mox_dmarc_psl_load(&psl, c->psl_file);
		if (rc != MOX_OK) {
			mlog(MLOG_ERROR, "loading public suffix list", "path",
			    c->psl_file != NULL ? c->psl_file : "(default)",
			    "err", mox_strerror(rc), (const char *)NULL);
			goto out;
		}
	}
	if (c->report_store != NULL) {
		err[0] = '\0';
		if (mstore_open(&store, c->report_store, err, sizeof(err)) !=
		    0) {
			mlog(MLOG_ERROR, "opening report store", "path",
			    c->report_store, "err", err, (const char *)NULL);
			goto out;
		}
	}
	if (filter_register(c, dns, psl, store) != 0)
		goto out;
	if (smfi_setconn(c->listen) != MI_SUCCESS) {
		mlog(MLOG_ERROR, "bad listen address", "listen", c->listen,
		    (const char *)NULL);
		goto out;
	}
	/* Open the socket now (removing a stale unix socket), so a failure
	 * is reported as such and not from inside smfi_main(). */
	(void)smfi_settimeout((int)c->milter_timeout);
	if (smfi_opensocket(true) != MI_SUCCESS) {
		mlog(MLOG_ERROR, "cannot listen", "listen", c->listen,
		    (const char *)NULL);
		goto out;
	}
	if (mstat_start(c->stats_file, c->stats_interval) != 0)
		goto out;
	snprintf(n1, sizeof(n1), "%zu", c->nsign);
	snprintf(n2, sizeof(n2), "%zu", c->ninternal);
	mlog(MLOG_INFO, "mox-milter starting", "listen", c->listen,
	    "authserv_id", c->authserv_id, "config", path, "dns",
	    c->zone_file != NULL ? "zone" : "unbound", "zone", c->zone_file,
	    "selectors", n1, "internal_networks", n2, "dmarc_mode",
	    c->rfc7489 ? "rfc7489" : "rfc9989", "report_store",
	    c->report_store, "version", mox_version(), (const char *)NULL);

	rc = smfi_main();

	/* smfi_main() returns once the listener stopped; callbacks may still
	 * be running on other threads and use the resolver and the store.
	 * Wait for them (bounded). libmilter does not call the close
	 * callback of connections still open now, so when some are, shared
	 * state is left alone: exit without freeing it (the store's commits
	 * are durable; nothing is lost). */
	until = time(NULL) + DRAIN_SECONDS;
	while (filter_busy() > 0 && time(NULL) < until) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	mstat_stop();
	if (filter_busy() > 0 || filter_active() > 0) {
		snprintf(n1, sizeof(n1), "%u", filter_active());
		snprintf(n2, sizeof(n2), "%u", filter_busy());
		mlog(MLOG_INFO, "mox-milter stopped", "status",
		    rc == MI_SUCCESS ? "ok" : "error", "open_connections", n1,
		    "busy", n2, (const char *)NULL);
		_exit(rc == MI_SUCCESS ? 0 : 1);
	}
	mlog(MLOG_INFO, "mox-milter stopped", "status",
	    rc == MI_SUCCESS ? "ok" : "error", (const char *)NULL);
	status = rc == MI_SUCCESS ? 0 : 1;
out:
	mstore_close(store);
	mox_dmarc_psl_free(psl);
	mox_resolver_free(dns);
	mconf_free(c);
	return status;
}

static int
version(void)
{
	unsigned int ma = 0, mi = 0, pl = 0;

	smfi_version(&ma, &mi, &pl);
	printf("mox-milter %d.%d.%d (libmox-core %s, libmilter %u.%u.%u)\n",
	    MOX_VERSION_MAJOR, MOX_VERSION_MINOR, MOX_VERSION_PATCH,
	    mox_version(), ma, mi, pl);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2) {
		const char *cmd = argv[1];

		if (strcmp(cmd, "config") == 0) {
			if (argc == 3 && strcmp(argv[2], "describe") == 0) {
				mconf_describe(stdout);
				return fflush(stdout) == 0 ? 0 : 1;
			}
			fprintf(stderr, "usage: mox-milter config describe\n");
			return MILTER_EXIT_USAGE;
		}
		if (strcmp(cmd, "dmarc-report") == 0)
			return report_main(argc - 1, argv + 1);
		if (strcmp(cmd, "stats") == 0)
			return stats_main(argc - 1, argv + 1);
		if (strcmp(cmd, "version") == 0 || strcmp(cmd, "-version") == 0)
			return version();
		if (strcmp(cmd, "help") == 0) {
			usage(stdout);
			return 0;
		}
	}
	return run(argc, argv);
}
