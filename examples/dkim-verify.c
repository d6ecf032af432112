/* SPDX-License-Identifier: MIT */
/*
 * dkim-verify.c -- verify the DKIM signatures of a message with the
 * streaming verifier of libmox-dkim, looking up keys in DNS (or in zone
 * text with -zone FILE).
 *
 *   dkim-verify [-zone FILE] < message
 *
 * Prints one line per signature, "<verdict> <domain> <selector>
 * [(<reason>)]", then, indented, its Authentication-Results resinfo
 * ("dkim=pass header.d=..."); "none" for a message without signatures.
 *
 * Build: cc dkim-verify.c $(pkg-config --cflags --libs mox-dkim)
 */
#include <stdio.h>
#include <string.h>

#include <mox/dkim.h>
#include <mox/dns.h>

int
main(int argc, char **argv)
{
	mox_resolver *r = NULL;
	mox_dkim_verifier *v = NULL;
	mox_dkim_question q;
	unsigned char buf[4096];
	size_t n, i;
	int rc, step, status = 1;
	int eof = 0;

	if (argc == 3 && strcmp(argv[1], "-zone") == 0) {
		rc = mox_resolver_new_static(&r);
		if (rc == MOX_OK)
			rc = mox_resolver_static_load_file(r, argv[2], NULL);
	} else if (argc == 1) {
		/* The nameservers of /etc/resolv.conf. */
		rc = mox_resolver_new_unbound(&r, NULL);
	} else {
		fputs("usage: dkim-verify [-zone FILE] < message\n", stderr);
		return 2;
	}
	if (rc != MOX_OK) {
		fprintf(stderr, "dkim-verify: resolver: %s\n", mox_strerror(rc));
		goto out;
	}
	rc = mox_dkim_verifier_new(&v, NULL);
	if (rc != MOX_OK)
		goto fail;

	/* The verifier says what it needs: data, or a key record. Key
	 * questions come as soon as the header is read; the body is hashed
	 * as it streams in and never kept. */
	for (;;) {
		step = mox_dkim_verifier_step(v, &q);
		if (step < 0) {
			rc = step;
			goto fail;
		}
		if (step == MOX_DKIM_STEP_DONE)
			break;
		if (step == MOX_DKIM_STEP_QUERY) {
			mox_dns_answer *ans = NULL;

			/* A blocking lookup; an event loop would use
			 * mox_dns_query() and answer from its callback. A
			 * failed lookup is answered with NULL (temperror). */
			if (mox_dns_lookup(r, q.name, MOX_DNS_TXT, &ans) != MOX_OK)
				ans = NULL;
			rc = mox_dkim_verifier_answer(v, q.id, ans);
			mox_dns_answer_free(ans);
			if (rc != MOX_OK)
				goto fail;
			continue;
		}
		if (step == MOX_DKIM_STEP_NEED_DATA && !eof) {
			n = fread(buf, 1, sizeof(buf), stdin);
			if (n > 0) {
				rc = mox_dkim_verifier_feed(v, buf, n);
			} else {
				eof = 1;
				rc = mox_dkim_verifier_finish(v);
			}
			if (rc != MOX_OK)
				goto fail;
			continue;
		}
		/* MOX_DKIM_STEP_WAIT cannot happen: every question is
		 * answered before asking for the next step. */
		rc = MOX_ESTATE;
		goto fail;
	}

	n = mox_dkim_verifier_count(v);
	if (n == 0)
		printf("none\n");
	for (i = 0; i < n; i++) {
		mox_dkim_result res = MOX_DKIM_RESULT_INIT;
		char ar[1024];

		rc = mox_dkim_verifier_result(v, i, &res);
		if (rc != MOX_OK)
			goto fail;
		printf("%s %s %s", mox_dkim_verdict_name(res.verdict),
		    res.domain, res.selector);
		if (res.reason != NULL)
			printf(" (%s)", res.reason);
		printf("\n");
		mox_dkim_authres(ar, sizeof(ar), &res);
		printf("  %s\n", ar);
		mox_dkim_result_release(&res);
	}
	status = 0;
	goto out;
fail:
	fprintf(stderr, "dkim-verify: %s\n", mox_strerror(rc));
out:
	mox_dkim_verifier_free(v);
	mox_resolver_free(r);
	return status;
}
