/* SPDX-License-Identifier: MIT */
/*
 * cmd_dns.c -- mox dns lookup: one question through the mox resolver, with
 * the in-memory backend (-zone FILE) or libunbound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/addr.h>
#include <mox/dns.h>

#include "mox.h"

#define MAX_LIST 16
#define ROOT_KEY "/usr/share/dns/root.key"

static void
lookup_usage(FILE *f)
{
	fputs("usage: mox dns lookup [-zone FILE] [resolver flags] <type> <name>\n"
	      "\n"
	      "Prints the question, result (ok, nodata, nxdomain, servfail,\n"
	      "timeout, bogus, error), rcode, whether the answer is DNSSEC\n"
	      "authentic, the CNAME chain, then the records in zone file form.\n"
	      "<name> may be UTF-8 (converted to A-labels); for PTR it may be an\n"
	      "IP address. Exit status 0 when an answer came (whatever it says),\n"
	      "1 when the resolver failed, 2 on a usage error.\n"
	      "\n"
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
	      "  -timeout MS           timeout of the question (default 10000)\n",
	    f);
}

static int
need_arg(int i, int argc, const char *flag)
{
	if (i + 1 >= argc) {
		mox_errorf("flag %s needs a value", flag);
		return -1;
	}
	return 0;
}

static void
print_answer(const mox_dns_answer *a)
{
	const char *tname = mox_dns_type_name(mox_dns_answer_qtype(a));
	const char *rcname = mox_dns_rcode_name(mox_dns_answer_rcode(a));
	size_t i, n;
	char line[70000];

	printf(";; question: %s.", mox_dns_answer_qname(a));
	if (tname != NULL)
		printf(" %s\n", tname);
	else
		printf(" TYPE%u\n", (unsigned int)mox_dns_answer_qtype(a));
	printf(";; result: %s\n", mox_dns_result_name(mox_dns_answer_result(a)));
	if (rcname != NULL)
		printf(";; rcode: %s\n", rcname);
	else
		printf(";; rcode: RCODE%d\n", mox_dns_answer_rcode(a));
	printf(";; authentic: %s\n", mox_dns_answer_secure(a) ? "yes" : "no");
	n = mox_dns_answer_cname_count(a);
	if (n > 0) {
		printf(";; cname: %s.", mox_dns_answer_qname(a));
		for (i = 0; i < n; i++)
			printf(" -> %s.", mox_dns_answer_cname(a, i));
		printf("\n");
	}
	if (mox_dns_answer_why_bogus(a) != NULL)
		printf(";; why-bogus: %s\n", mox_dns_answer_why_bogus(a));
	printf(";; ttl: %u\n", (unsigned int)mox_dns_answer_ttl(a));
	for (i = 0; i < mox_dns_answer_count(a); i++) {
		mox_dns_rr_format(line, sizeof(line), mox_dns_answer_rr(a, i));
		printf("%s\n", line);
	}
}

static int
dns_lookup(int argc, char **argv)
{
	const char *zone = NULL, *tafile = NULL;
	const char *servers[MAX_LIST], *stubs[2 * MAX_LIST], *uopts[MAX_LIST];
	size_t nservers = 0, nstubs = 0, nuopts = 0;
	mox_unbound_options uo = MOX_UNBOUND_OPTIONS_INIT;
	mox_resolver *r = NULL;
	mox_dns_answer *ans = NULL;
	unsigned long timeout = 0;
	const char *name, *tname;
	char qname[MOX_IP_REVERSE_STRLEN + MOX_DOMAIN_MAX];
	char err[512];
	uint16_t qtype;
	int i, rc, status = 1;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *f = argv[i];

		if (strcmp(f, "-help") == 0 || strcmp(f, "-h") == 0) {
			lookup_usage(stdout);
			return 0;
		} else if (strcmp(f, "-recurse") == 0) {
			uo.mode = MOX_UNBOUND_RECURSE;
			continue;
		} else if (strcmp(f, "-dnssec") == 0) {
			tafile = ROOT_KEY;
			continue;
		}
		if (need_arg(i, argc, f) != 0)
			return EXIT_USAGE;
		if (strcmp(f, "-zone") == 0) {
			zone = argv[++i];
		} else if (strcmp(f, "-resolvconf") == 0) {
			uo.mode = MOX_UNBOUND_RESOLVCONF;
			uo.resolvconf = argv[++i];
		} else if (strcmp(f, "-server") == 0) {
			if (nservers == MAX_LIST) {
				mox_errorf("too many -server flags");
				return EXIT_USAGE;
			}
			uo.mode = MOX_UNBOUND_FORWARD;
			servers[nservers++] = argv[++i];
		} else if (strcmp(f, "-stub") == 0) {
			char *eq;

			if (nstubs == MAX_LIST) {
				mox_errorf("too many -stub flags");
				return EXIT_USAGE;
			}
			eq = strchr(argv[i + 1], '=');
			if (eq == NULL || eq == argv[i + 1] || eq[1] == '\0') {
				mox_errorf("-stub wants ZONE=IP@PORT, not \"%s\"",
				    argv[i + 1]);
				return EXIT_USAGE;
			}
			*eq = '\0';
			stubs[2 * nstubs] = argv[++i];
			stubs[2 * nstubs + 1] = eq + 1;
			nstubs++;
		} else if (strcmp(f, "-trust-anchor") == 0) {
			tafile = argv[++i];
		} else if (strcmp(f, "-unbound-option") == 0) {
			if (nuopts == MAX_LIST) {
				mox_errorf("too many -unbound-option flags");
				return EXIT_USAGE;
			}
			uopts[nuopts++] = argv[++i];
		} else if (strcmp(f, "-timeout") == 0) {
			char *end;

			timeout = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || timeout == 0 || timeout > 600000) {
				mox_errorf("-timeout wants milliseconds (1-600000)");
				return EXIT_USAGE;
			}
		} else {
			mox_errorf("unknown flag %s", f);
			lookup_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - i != 2) {
		lookup_usage(stderr);
		return EXIT_USAGE;
	}
	tname = argv[i];
	name = argv[i + 1];
	if (mox_dns_type_parse(&qtype, tname) != MOX_OK) {
		mox_errorf("unknown record type \"%s\"", tname);
		return EXIT_USAGE;
	}

	/* The name: an IP for PTR, else a domain (UTF-8 allowed). */
	{
		mox_ip ip;
		mox_domain d;

		if (qtype == MOX_DNS_PTR &&
		    mox_ip_parse(&ip, name, strlen(name)) == MOX_OK) {
			mox_ip_reverse_name(qname, sizeof(qname), &ip);
		} else if (strcmp(name, ".") == 0) {
			snprintf(qname, sizeof(qname), ".");
		} else {
			rc = mox_domain_parse(&d, name, strlen(name),
			    MOX_DOMAIN_ALLOW_UNDERSCORE |
				MOX_DOMAIN_ALLOW_TRAILING_DOT);
			if (rc != MOX_OK) {
				mox_errorf("bad name \"%s\": %s", name,
				    mox_strerror(rc));
				return EXIT_USAGE;
			}
			snprintf(qname, sizeof(qname), "%s", d.ascii);
		}
	}

	if (zone != NULL) {
		rc = mox_resolver_new_static(&r);
		if (rc == MOX_OK)
			rc = mox_resolver_static_load_file(r, zone, NULL);
		if (rc != MOX_OK) {
			mox_errorf("zone %s: %s", zone,
			    r != NULL && mox_resolver_errmsg(r)[0] != '\0' ?
				mox_resolver_errmsg(r) :
				mox_strerror(rc));
			goto out;
		}
	} else {
		uo.forwarders = servers;
		uo.nforwarders = nservers;
		uo.stubs = stubs;
		uo.nstubs = nstubs;
		uo.trust_anchor_file = tafile;
		uo.unbound_options = uopts;
		uo.nunbound_options = nuopts;
		err[0] = '\0';
		rc = mox_resolver_new_unbound_err(&r, &uo, err, sizeof(err));
		if (rc != MOX_OK) {
			mox_errorf("resolver: %s",
			    err[0] != '\0' ? err : mox_strerror(rc));
			goto out;
		}
	}
	if (timeout > 0)
		mox_resolver_set_timeout(r, (unsigned int)timeout);

	rc = mox_dns_lookup(r, qname, qtype, &ans);
	if (rc != MOX_OK) {
		mox_errorf("lookup %s: %s", qname, mox_strerror(rc));
		goto out;
	}
	print_answer(ans);
	status = 0;
out:
	mox_dns_answer_free(ans);
	mox_resolver_free(r);
	return status;
}

int
cmd_dns(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "lookup") == 0)
		return dns_lookup(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "-help") == 0) {
		lookup_usage(stdout);
		return 0;
	}
	fputs("usage: mox dns lookup [-zone FILE] [resolver flags] <type> <name>\n",
	    stderr);
	return EXIT_USAGE;
}
