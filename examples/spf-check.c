/* SPDX-License-Identifier: MIT */
/*
 * spf-check.c -- smallest complete use of libmox-spf: evaluate SPF
 * (RFC 7208 check_host()) for a client IP and MAIL FROM address, with the
 * system's resolver through libunbound, or from zone text with the
 * in-memory resolver.
 *
 *   cc spf-check.c $(pkg-config --cflags --libs mox-spf) -o spf-check
 *   ./spf-check 192.0.2.10 user@example.org mail.example.org
 *   ./spf-check -zone zone.txt 192.0.2.10 user@example.org
 *
 * Prints the verdict (none, neutral, pass, fail, softfail, temperror,
 * permerror), then the deciding mechanism, the explanation or the reason
 * where there is one. An empty sender ("") checks the HELO name.
 */
#include <stdio.h>
#include <string.h>

#include <mox/dns.h>
#include <mox/spf.h>

int
main(int argc, char **argv)
{
	mox_spf_request req = MOX_SPF_REQUEST_INIT;
	mox_spf_result res = MOX_SPF_RESULT_INIT;
	mox_resolver *r = NULL;
	const char *zone = NULL;
	int rc;

	if (argc >= 3 && strcmp(argv[1], "-zone") == 0) {
		zone = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: spf-check [-zone FILE] IP SENDER [HELO]\n");
		return 2;
	}
	if (mox_ip_parse(&req.ip, argv[1], strlen(argv[1])) != MOX_OK) {
		fprintf(stderr, "spf-check: bad IP address %s\n", argv[1]);
		return 2;
	}
	req.sender = argv[2][0] != '\0' ? argv[2] : NULL;
	req.helo = argc == 4 ? argv[3] : NULL;
	if (req.sender == NULL && req.helo == NULL) {
		fprintf(stderr, "spf-check: an empty sender needs a HELO name\n");
		return 2;
	}

	if (zone != NULL) {
		rc = mox_resolver_new_static(&r);
		if (rc == MOX_OK)
			rc = mox_resolver_static_load_file(r, zone, NULL);
	} else {
		rc = mox_resolver_new_unbound(&r, NULL);
	}
	if (rc != MOX_OK) {
		fprintf(stderr, "spf-check: resolver: %s %s\n", mox_strerror(rc),
		    r != NULL ? mox_resolver_errmsg(r) : "");
		mox_resolver_free(r);
		return 1;
	}

	/* A verdict, temperror and permerror included, comes with MOX_OK. */
	rc = mox_spf_check(&res, r, &req);
	if (rc != MOX_OK) {
		fprintf(stderr, "spf-check: %s\n", mox_strerror(rc));
		mox_resolver_free(r);
		return 1;
	}
	printf("%s\n", mox_spf_verdict_name(res.verdict));
	if (res.mechanism != NULL)
		printf("mechanism: %s (in %s)\n", res.mechanism,
		    res.mechanism_domain);
	if (res.explanation != NULL)
		printf("explanation: %s\n", res.explanation);
	if (res.reason != NULL)
		printf("reason: %s\n", res.reason);
	mox_spf_result_release(&res);
	mox_resolver_free(r);
	return 0;
}
