/* SPDX-License-Identifier: MIT */
/*
 * opendmarc_driver.c -- libopendmarc side of the DMARC differential.
 *
 * Usage: opendmarc_driver CASES
 *
 * Every case's TXT records go into libopendmarc's fake DNS table
 * (opendmarc_dns_fake_record(): one answer per name, names looked up
 * without DNS), the Public Suffix List is Debian's
 * (/usr/share/publicsuffix/public_suffix_list.dat, read by
 * opendmarc_tld_read_file() through opendmarc_policy_library_init()),
 * and the calls are those of the opendmarc milter: From domain, DMARC
 * query, SPF (MAIL FROM origin) and DKIM results, policy to enforce.
 * Each case runs in a child process ("crash" when it dies). Output as
 * mox_driver: ID TAB VERDICT TAB POLICY TAB DETAIL, where a failed query
 * gives none (no record), temperror, or permerror (a record OpenDMARC
 * rejects) with its status text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <opendmarc/dmarc.h>

#include "cases.h"

#define PSL "/usr/share/publicsuffix/public_suffix_list.dat"

static int
spf_outcome(const char *s)
{
	if (strcmp(s, "pass") == 0)
		return DMARC_POLICY_SPF_OUTCOME_PASS;
	if (strcmp(s, "fail") == 0)
		return DMARC_POLICY_SPF_OUTCOME_FAIL;
	return DMARC_POLICY_SPF_OUTCOME_NONE;
}

static int
dkim_outcome(const char *s)
{
	if (strcmp(s, "pass") == 0)
		return DMARC_POLICY_DKIM_OUTCOME_PASS;
	if (strcmp(s, "fail") == 0)
		return DMARC_POLICY_DKIM_OUTCOME_FAIL;
	return DMARC_POLICY_DKIM_OUTCOME_NONE;
}

static void
run(struct dcase *c)
{
	DMARC_POLICY_T *p;
	int st, k;

	p = opendmarc_policy_connect_init((u_char *)"192.0.2.1", 0);
	if (p == NULL) {
		printf("%s\terror\tnone\tconnect_init\n", c->id);
		return;
	}
	st = opendmarc_policy_store_from_domain(p, (u_char *)c->from);
	if (st != DMARC_PARSE_OKAY) {
		printf("%s\tnone\tnone\tstore_from_domain: %s\n", c->id,
		    opendmarc_policy_status_to_str(st));
		goto out;
	}
	st = opendmarc_policy_query_dmarc(p, (u_char *)c->from);
	if (c->spf_res[0] != '\0')
		opendmarc_policy_store_spf(p, (u_char *)c->spf_dom,
		    spf_outcome(c->spf_res), DMARC_POLICY_SPF_ORIGIN_MAILFROM,
		    NULL);
	for (k = 0; k < c->ndkim; k++)
		opendmarc_policy_store_dkim(p, (u_char *)c->dkim_dom[k],
		    (u_char *)"sel", dkim_outcome(c->dkim_res[k]), NULL);
	switch (st) {
	case DMARC_PARSE_OKAY:
		break;
	case DMARC_DNS_ERROR_NO_RECORD:
	case DMARC_DNS_ERROR_NXDOMAIN:
		printf("%s\tnone\tnone\t%s\n", c->id,
		    opendmarc_policy_status_to_str(st));
		goto out;
	case DMARC_DNS_ERROR_TMPERR:
		printf("%s\ttemperror\tnone\t%s\n", c->id,
		    opendmarc_policy_status_to_str(st));
		goto out;
	default:
		printf("%s\tpermerror\tnone\t%s\n", c->id,
		    opendmarc_policy_status_to_str(st));
		goto out;
	}
	st = opendmarc_get_policy_to_enforce(p);
	switch (st) {
	case DMARC_POLICY_ABSENT:
		printf("%s\tnone\tnone\tpolicy absent\n", c->id);
		break;
	case DMARC_POLICY_PASS:
		printf("%s\tpass\tnone\t\n", c->id);
		break;
	case DMARC_POLICY_REJECT:
		printf("%s\tfail\treject\t\n", c->id);
		break;
	case DMARC_POLICY_QUARANTINE:
		printf("%s\tfail\tquarantine\t\n", c->id);
		break;
	case DMARC_POLICY_NONE:
		printf("%s\tfail\tnone\t\n", c->id);
		break;
	default:
		printf("%s\tnone\tnone\tget_policy_to_enforce: %s\n", c->id,
		    opendmarc_policy_status_to_str(st));
		break;
	}
out:
	opendmarc_policy_connect_shutdown(p);
}

int
main(int argc, char **argv)
{
	OPENDMARC_LIB_T lib;
	struct dcase *cs;
	int n, i, k;

	if (argc != 2) {
		fprintf(stderr, "usage: opendmarc_driver CASES\n");
		return 2;
	}
	n = cases_read(argv[1], &cs);
	memset(&lib, 0, sizeof(lib));
	lib.tld_type = OPENDMARC_TLD_TYPE_MOZILLA;
	snprintf((char *)lib.tld_source_file, sizeof(lib.tld_source_file),
	    "%s", PSL);
	if (opendmarc_policy_library_init(&lib) != DMARC_PARSE_OKAY) {
		fprintf(stderr, "opendmarc_policy_library_init failed\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < cs[i].ntxt; k++)
			opendmarc_dns_fake_record(cs[i].txt_name[k],
			    cs[i].txt[k]);
	}
	/* An entry no case asks for, so that the fake table is used even
	 * when no case has a record. */
	opendmarc_dns_fake_record("_dmarc.invalid", "v=DMARC1; p=none");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		int ws;

		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			run(&cs[i]);
			fflush(stdout);
			_exit(0);
		}
		if (waitpid(pid, &ws, 0) < 0 || !WIFEXITED(ws) ||
		    WEXITSTATUS(ws) != 0) {
			printf("%s\tcrash\tnone\t\n", cs[i].id);
			fflush(stdout);
		}
	}
	opendmarc_policy_library_shutdown(&lib);
	free(cs);
	return 0;
}
