/* SPDX-License-Identifier: MIT */
/*
 * rflags.c -- the resolver flags that mox subcommands share (-zone,
 * -server, -stub, -dnssec, ...), and the resolver they ask for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/dns.h>

#include "mox.h"

#define ROOT_KEY "/usr/share/dns/root.key"


const char rflags_help[] =
    "  -zone FILE            answer from zone text only (names it does\n"
    "                        not hold are NXDOMAIN)\n"
    "  -resolvconf FILE      forward to FILE's nameservers\n"
    "                        (default /etc/resolv.conf)\n"
    "  -server IP[@PORT]     forward to this server (repeatable)\n"
    "  -recurse              resolve from the root\n"
    "  -stub ZONE=IP@PORT    ask this server for ZONE (repeatable)\n"
    "  -trust-anchor FILE    DNSSEC trust anchors (DS/DNSKEY records)\n"
    "  -dnssec               use " ROOT_KEY " as trust anchor\n"
    "  -unbound-option 'NAME: VALUE'   libunbound option (repeatable)\n"
    "  -timeout MS           timeout of each DNS question (default 10000)\n";

void
rflags_init(struct rflags *rf)
{
	mox_unbound_options uo = MOX_UNBOUND_OPTIONS_INIT;

	memset(rf, 0, sizeof(*rf));
	rf->uo = uo;
}

/*
 * Take resolver flag argv[*i] (and its value). Returns 1 when it was one,
 * 0 when argv[*i] is not a resolver flag, -1 on a usage error (reported).
 */
int
rflags_take(struct rflags *rf, int argc, char **argv, int *i)
{
	const char *f = argv[*i];

	if (strcmp(f, "-recurse") == 0) {
		rf->uo.mode = MOX_UNBOUND_RECURSE;
		return 1;
	}
	if (strcmp(f, "-dnssec") == 0) {
		rf->tafile = ROOT_KEY;
		return 1;
	}
	if (strcmp(f, "-zone") != 0 && strcmp(f, "-resolvconf") != 0 &&
	    strcmp(f, "-server") != 0 && strcmp(f, "-stub") != 0 &&
	    strcmp(f, "-trust-anchor") != 0 &&
	    strcmp(f, "-unbound-option") != 0 && strcmp(f, "-timeout") != 0)
		return 0;
	if (*i + 1 >= argc) {
		mox_errorf("flag %s needs a value", f);
		return -1;
	}
	(*i)++;
	if (strcmp(f, "-zone") == 0) {
		rf->zone = argv[*i];
	} else if (strcmp(f, "-resolvconf") == 0) {
		rf->uo.mode = MOX_UNBOUND_RESOLVCONF;
		rf->uo.resolvconf = argv[*i];
	} else if (strcmp(f, "-server") == 0) {
		if (rf->nservers == RFLAGS_MAX_LIST) {
			mox_errorf("too many -server flags");
			return -1;
		}
		rf->uo.mode = MOX_UNBOUND_FORWARD;
		rf->servers[rf->nservers++] = argv[*i];
	} else if (strcmp(f, "-stub") == 0) {
		char *eq = strchr(argv[*i], '=');

		if (rf->nstubs == RFLAGS_MAX_LIST) {
			mox_errorf("too many -stub flags");
			return -1;
		}
		if (eq == NULL || eq == argv[*i] || eq[1] == '\0') {
			mox_errorf("-stub wants ZONE=IP@PORT, not \"%s\"",
			    argv[*i]);
			return -1;
		}
		*eq = '\0';
		rf->stubs[2 * rf->nstubs] = argv[*i];
		rf->stubs[2 * rf->nstubs + 1] = eq + 1;
		rf->nstubs++;
	} else if (strcmp(f, "-trust-anchor") == 0) {
		rf->tafile = argv[*i];
	} else if (strcmp(f, "-unbound-option") == 0) {
		if (rf->nuopts == RFLAGS_MAX_LIST) {
			mox_errorf("too many -unbound-option flags");
			return -1;
		}
		rf->uopts[rf->nuopts++] = argv[*i];
	} else {
		char *end;

		rf->timeout = strtoul(argv[*i], &end, 10);
		if (argv[*i][0] == '\0' || *end != '\0' || rf->timeout == 0 ||
		    rf->timeout > 600000) {
			mox_errorf("-timeout wants milliseconds (1-600000)");
			return -1;
		}
	}
	return 1;
}

/* The resolver the flags ask for; NULL after reporting why not. */
mox_resolver *
rflags_open(struct rflags *rf)
{
	mox_resolver *r = NULL;
	char err[512];
	int rc;

	if (rf->zone != NULL) {
		rc = mox_resolver_new_static(&r);
		if (rc == MOX_OK)
			rc = mox_resolver_static_load_file(r, rf->zone, NULL);
		if (rc != MOX_OK) {
			mox_errorf("zone %s: %s", rf->zone,
			    r != NULL && mox_resolver_errmsg(r)[0] != '\0' ?
				mox_resolver_errmsg(r) :
				mox_strerror(rc));
			mox_resolver_free(r);
			return NULL;
		}
	} else {
		rf->uo.forwarders = rf->servers;
		rf->uo.nforwarders = rf->nservers;
		rf->uo.stubs = rf->stubs;
		rf->uo.nstubs = rf->nstubs;
		rf->uo.trust_anchor_file = rf->tafile;
		rf->uo.unbound_options = rf->uopts;
		rf->uo.nunbound_options = rf->nuopts;
		err[0] = '\0';
		rc = mox_resolver_new_unbound_err(&r, &rf->uo, err, sizeof(err));
		if (rc != MOX_OK) {
			mox_errorf("resolver: %s",
			    err[0] != '\0' ? err : mox_strerror(rc));
			return NULL;
		}
	}
	if (rf->timeout > 0)
		mox_resolver_set_timeout(r, (unsigned int)rf->timeout);
	return r;
}
