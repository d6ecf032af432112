/* SPDX-License-Identifier: MIT */
/*
 * dns-lookup.c -- smallest complete use of libmox-core: answer a question
 * from zone text with the in-memory resolver, or from the system's
 * resolver with libunbound.
 *
 *   cc dns-lookup.c $(pkg-config --cflags --libs mox-core) -o dns-lookup
 *   ./dns-lookup -zone zone.txt TXT example.org
 *   ./dns-lookup MX example.org
 */
#include <stdio.h>
#include <string.h>

#include <mox/dns.h>

int
main(int argc, char **argv)
{
	mox_resolver *r = NULL;
	mox_dns_answer *a = NULL;
	const char *zone = NULL;
	uint16_t type;
	char line[4096];
	int rc;

	if (argc == 5 && strcmp(argv[1], "-zone") == 0) {
		zone = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3 || mox_dns_type_parse(&type, argv[1]) != MOX_OK) {
		fprintf(stderr, "usage: dns-lookup [-zone FILE] TYPE NAME\n");
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
		fprintf(stderr, "resolver: %s %s\n", mox_strerror(rc),
		    r != NULL ? mox_resolver_errmsg(r) : "");
		mox_resolver_free(r);
		return 1;
	}
	rc = mox_dns_lookup(r, argv[2], type, &a);
	if (rc != MOX_OK) {
		fprintf(stderr, "lookup: %s\n", mox_strerror(rc));
		mox_resolver_free(r);
		return 1;
	}
	printf("%s %s\n", mox_dns_result_name(mox_dns_answer_result(a)),
	    mox_dns_answer_secure(a) ? "authentic" : "unauthenticated");
	for (size_t i = 0; i < mox_dns_answer_count(a); i++) {
		mox_dns_rr_format(line, sizeof(line), mox_dns_answer_rr(a, i));
		printf("%s\n", line);
	}
	mox_dns_answer_free(a);
	mox_resolver_free(r);
	return 0;
}
