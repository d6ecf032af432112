/* SPDX-License-Identifier: MIT */
/*
 * dmarc-evaluate.c -- smallest complete use of libmox-dmarc: evaluate DMARC
 * (RFC 9989) for a message file's From domain against SPF and DKIM results
 * the caller already has, with the system's resolver through libunbound,
 * or from zone text with the in-memory resolver.
 *
 *   cc dmarc-evaluate.c $(pkg-config --cflags --libs mox-dmarc) \
 *       -o dmarc-evaluate
 *   ./dmarc-evaluate msg.eml spf=pass:example.org dkim=pass:example.org:sel
 *   ./dmarc-evaluate -zone zone.txt msg.eml spf=fail:bounce.example.net
 *
 * Results are given as spf=RESULT:DOMAIN (at most one; RESULT one of none
 * neutral pass fail softfail temperror permerror, DOMAIN the MAIL FROM
 * domain SPF checked, or spf=RESULT:DOMAIN:helo for the HELO identity) and
 * dkim=RESULT:DOMAIN[:SELECTOR] (one per signature; RESULT one of none
 * pass fail neutral policy temperror permerror). Prints the verdict, the
 * policy to apply and the Authentication-Results resinfo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/dmarc.h>
#include <mox/dns.h>

#define MAX_DKIM 16

static const char *const spf_words[] = { "none", "neutral", "pass", "fail",
	"softfail", "temperror", "permerror" };
static const char *const dkim_words[] = { "none", "pass", "fail", "neutral",
	"policy", "temperror", "permerror" };

/* The index of word in words (the enum value), -1 when absent. */
static int
word(const char *const *words, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(words[i], w) == 0)
			return (int)i;
	return -1;
}

/* Split "RESULT:DOMAIN[:EXTRA]" in place. */
static int
split(char *s, char **result, char **domain, char **extra)
{
	*result = s;
	*domain = strchr(s, ':');
	if (*domain == NULL)
		return -1;
	*(*domain)++ = '\0';
	*extra = strchr(*domain, ':');
	if (*extra != NULL)
		*(*extra)++ = '\0';
	return **domain != '\0' ? 0 : -1;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	mox_dmarc_spf spf = { MOX_DMARC_SPF_NONE, NULL, false };
	mox_dmarc_dkim dkim[MAX_DKIM];
	mox_dmarc_result res = MOX_DMARC_RESULT_INIT;
	mox_resolver *r = NULL;
	const char *zone = NULL;
	char *msg, authres[1024];
	size_t ndkim = 0, len = 0;
	int i, rc;

	if (argc >= 3 && strcmp(argv[1], "-zone") == 0) {
		zone = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: dmarc-evaluate [-zone FILE] MESSAGE "
		    "[spf=RESULT:DOMAIN[:helo]] [dkim=RESULT:DOMAIN[:SELECTOR]]...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		char *res_word, *domain, *extra;
		int v;

		if (strncmp(argv[i], "spf=", 4) == 0 &&
		    split(argv[i] + 4, &res_word, &domain, &extra) == 0 &&
		    (v = word(spf_words, 7, res_word)) >= 0) {
			spf.result = v;
			spf.domain = domain;
			spf.helo = extra != NULL && strcmp(extra, "helo") == 0;
		} else if (strncmp(argv[i], "dkim=", 5) == 0 &&
		    ndkim < MAX_DKIM &&
		    split(argv[i] + 5, &res_word, &domain, &extra) == 0 &&
		    (v = word(dkim_words, 7, res_word)) >= 0) {
			dkim[ndkim].result = v;
			dkim[ndkim].domain = domain;
			dkim[ndkim].selector = extra;
			ndkim++;
		} else {
			fprintf(stderr, "dmarc-evaluate: bad result \"%s\"\n",
			    argv[i]);
			return 2;
		}
	}
	msg = read_file(argv[1], &len);
	if (msg == NULL) {
		perror(argv[1]);
		return 1;
	}

	if (zone != NULL) {
		rc = mox_resolver_new_static(&r);
		if (rc == MOX_OK)
			rc = mox_resolver_static_load_file(r, zone, NULL);
	} else {
		rc = mox_resolver_new_unbound(&r, NULL);
	}
	if (rc != MOX_OK) {
		fprintf(stderr, "dmarc-evaluate: resolver: %s %s\n",
		    mox_strerror(rc), r != NULL ? mox_resolver_errmsg(r) : "");
		mox_resolver_free(r);
		free(msg);
		return 1;
	}

	/* Policy discovery and evaluation; a verdict (temperror and
	 * permerror included) comes with MOX_OK. Only the header section of
	 * the message is read. */
	rc = mox_dmarc_check(&res, r, (const uint8_t *)msg, len,
	    spf.domain != NULL ? &spf : NULL, dkim, ndkim, NULL);
	free(msg);
	if (rc != MOX_OK) {
		fprintf(stderr, "dmarc-evaluate: %s\n", mox_strerror(rc));
		mox_resolver_free(r);
		return 1;
	}
	printf("%s\n", mox_dmarc_verdict_name(res.verdict));
	printf("policy: %s%s\n", mox_dmarc_policy_name(res.policy),
	    res.testing ? " (test mode)" : "");
	if (res.record != NULL)
		printf("record: %s (at %s)\n", res.record, res.record_domain);
	if (res.reason != NULL)
		printf("reason: %s\n", res.reason);
	mox_dmarc_authres(authres, sizeof(authres), &res);
	printf("authentication-results: %s\n", authres);
	mox_dmarc_result_release(&res);
	mox_resolver_free(r);
	return 0;
}
