/* SPDX-License-Identifier: MIT */
/*
 * opendkim_driver.c -- libopendkim (OpenDKIM 2.11) as a DKIM signer and
 * verifier for the interop test (run-interop.py). Same interface as
 * mox_driver.c:
 *
 *   opendkim_driver features
 *       prints "ed25519 yes|no" (DKIM_FEATURE_ED25519)
 *   opendkim_driver sign [-time T] JOBS OUTDIR
 *       JOBS: lines "id TAB infile TAB keyfile TAB alg TAB domain TAB
 *       selector TAB hcanon/bcanon TAB headers" (headers: colon list, or
 *       "-" for the signer's default). Writes OUTDIR/id.eml: the
 *       DKIM-Signature field (folded with the message's line end: CRLF,
 *       or LF when the message's first line ends in a bare LF) followed
 *       by the input unchanged. Prints "id TAB ok" or "id TAB error TAB
 *       why" per job.
 *   opendkim_driver verify [-now T] KEYS FILE...
 *       KEYS: lines "selector._domainkey.domain TAB record". Prints per
 *       signature "id TAB n TAB result TAB d TAB s TAB reason" (id: file
 *       name without directory and .eml; n: 0-based in header order;
 *       result: pass fail neutral policy temperror permerror), or
 *       "id TAB - TAB none" when there is none, or "id TAB - TAB error
 *       TAB why".
 *
 * Keys are looked up with the DKIM_QUERY_FILE method (DKIM_OPTS_QUERYINFO
 * names the KEYS file, whose separator OpenDKIM takes as any whitespace).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			char *nb;

			cap = cap * 2 + 65536;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Split line at tabs into at most max fields. */
static size_t
split_tabs(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		fields[n++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static int
canon_parse(const char *s)
{
	if (strcmp(s, "simple") == 0)
		return DKIM_CANON_SIMPLE;
	if (strcmp(s, "relaxed") == 0)
		return DKIM_CANON_RELAXED;
	return -2;
}

/* Whether the message's first line ends in a bare LF. */
static bool
uses_bare_lf(const char *msg, size_t len)
{
	const char *nl = memchr(msg, '\n', len);

	return nl != NULL && (nl == msg || nl[-1] != '\r');
}

static const char *
basename_id(const char *path, char *buf, size_t cap)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b != NULL ? b + 1 : path;
	n = strlen(b);
	if (n > 4 && strcmp(b + n - 4, ".eml") == 0)
		n -= 4;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, b, n);
	buf[n] = '\0';
	return buf;
}

static int
sign_one(DKIM_LIB *lib, char **f, const char *outdir, char *why, size_t cap)
{
	size_t mlen = 0, klen = 0, i;
	char *msg = NULL, *key = NULL, *slash, path[4096];
	const char *hdrs[64];
	char *hcopy = NULL;
	int hc, bc, alg;
	DKIM_STAT st;
	DKIM *d = NULL;
	u_char *sig = NULL;
	size_t siglen = 0;
	FILE *out = NULL;
	int rc = -1;

	msg = read_file(f[1], &mlen);
	key = read_file(f[2], &klen);
	if (msg == NULL || key == NULL) {
		snprintf(why, cap, "cannot read %s", msg == NULL ? f[1] : f[2]);
		goto out;
	}
	if (strcmp(f[3], "rsa-sha256") == 0)
		alg = DKIM_SIGN_RSASHA256;
	else if (strcmp(f[3], "ed25519-sha256") == 0)
		alg = DKIM_SIGN_ED25519SHA256;
	else {
		snprintf(why, cap, "unknown algorithm %s", f[3]);
		goto out;
	}
	slash = strchr(f[6], '/');
	if (slash == NULL) {
		snprintf(why, cap, "bad canonicalization %s", f[6]);
		goto out;
	}
	*slash = '\0';
	hc = canon_parse(f[6]);
	bc = canon_parse(slash + 1);
	if (hc < 0 || bc < 0) {
		snprintf(why, cap, "bad canonicalization");
		goto out;
	}
	d = dkim_sign(lib, (const u_char *)f[0], NULL, (dkim_sigkey_t)key,
	    (const u_char *)f[5], (const u_char *)f[4], hc, bc, alg, -1, &st);
	if (d == NULL) {
		snprintf(why, cap, "dkim_sign: %s", dkim_getresultstr(st));
		goto out;
	}
	/*
	 * OpenDKIM 2.11 bug: with simple header canonicalization its
	 * ed25519-sha256 signatures verify nowhere (not with OpenDKIM
	 * itself, not with dkimpy). The field it hashed (b= empty) is folded
	 * differently from the one dkim_getsighdr_d() returns (b= filled), so
	 * the whitespace before b= differs, which simple canonicalization
	 * keeps. Unfolded (margin 0) the two agree; see README.md.
	 */
	if (alg == DKIM_SIGN_ED25519SHA256 && hc == DKIM_CANON_SIMPLE &&
	    getenv("OPENDKIM_KEEP_FOLDING") == NULL)
		dkim_set_margin(d, 0);
	if (strcmp(f[7], "-") != 0) {
		char *p;

		hcopy = strdup(f[7]);
		if (hcopy == NULL)
			goto out;
		i = 0;
		for (p = hcopy; i < 63;) {
			hdrs[i++] = p;
			p = strchr(p, ':');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		hdrs[i] = NULL;
		st = dkim_signhdrs(d, hdrs);
		if (st != DKIM_STAT_OK) {
			snprintf(why, cap, "dkim_signhdrs: %s",
			    dkim_getresultstr(st));
			goto out;
		}
	}
	st = dkim_chunk(d, (u_char *)msg, mlen);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(d, NULL);
	if (st != DKIM_STAT_OK) {
		const char *e = dkim_geterror(d);

		snprintf(why, cap, "signing: %s: %s", dkim_getresultstr(st),
		    e != NULL ? e : "");
		goto out;
	}
	st = dkim_getsighdr_d(d, strlen("DKIM-Signature: "), &sig, &siglen);
	if (st != DKIM_STAT_OK) {
		snprintf(why, cap, "dkim_getsighdr_d: %s",
		    dkim_getresultstr(st));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s.eml", outdir, f[0]);
	out = fopen(path, "wb");
	if (out == NULL) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* The library folds with bare LF (as a milter inserts fields); write
	 * the line end the message uses. */
	{
		const char *eol = uses_bare_lf(msg, mlen) ? "\n" : "\r\n";

		fputs("DKIM-Signature: ", out);
		for (i = 0; i < siglen; i++) {
			if (sig[i] == '\r')
				continue;
			if (sig[i] == '\n')
				fputs(eol, out);
			else
				fputc(sig[i], out);
		}
		fputs(eol, out);
	}
	fwrite(msg, 1, mlen, out);
	if (fclose(out) != 0) {
		out = NULL;
		snprintf(why, cap, "%s: write error", path);
		goto out;
	}
	out = NULL;
	rc = 0;
out:
	if (out != NULL)
		fclose(out);
	if (d != NULL)
		dkim_free(d);
	free(hcopy);
	free(msg);
	free(key);
	return rc;
}

static const char *
classify(DKIM_SIGINFO *s, const char **reason)
{
	unsigned int fl = dkim_sig_getflags(s);
	int bh = dkim_sig_getbh(s);
	int err = dkim_sig_geterror(s);

	*reason = dkim_sig_geterrorstr(err);
	if (*reason == NULL)
		*reason = "";
	if ((fl & DKIM_SIGFLAG_PASSED) != 0 && bh == DKIM_SIGBH_MATCH) {
		*reason = "";
		return "pass";
	}
	if (bh == DKIM_SIGBH_MISMATCH && err == DKIM_SIGERROR_OK) {
		*reason = "body hash mismatch";
		return "fail";
	}
	switch (err) {
	case DKIM_SIGERROR_BADSIG:
		return "fail";
	case DKIM_SIGERROR_OK:
		/* Processed, no error, did not pass: the signature did not
		 * verify. */
		if ((fl & DKIM_SIGFLAG_PROCESSED) != 0) {
			*reason = "signature did not verify";
			return "fail";
		}
		*reason = "not processed";
		return "neutral";
	case DKIM_SIGERROR_KEYFAIL:
		return "temperror";
	default:
		return "permerror";
	}
}

static void
verify_one(DKIM_LIB *lib, const char *path)
{
	char id[512], *msg;
	size_t mlen = 0;
	DKIM_STAT st;
	DKIM *d;
	DKIM_SIGINFO **sigs = NULL;
	int nsigs = 0, i;

	basename_id(path, id, sizeof(id));
	msg = read_file(path, &mlen);
	if (msg == NULL) {
		printf("%s\t-\terror\tcannot read %s\n", id, path);
		return;
	}
	d = dkim_verify(lib, (const u_char *)id, NULL, &st);
	if (d == NULL) {
		printf("%s\t-\terror\tdkim_verify: %s\n", id,
		    dkim_getresultstr(st));
		free(msg);
		return;
	}
	st = dkim_chunk(d, (u_char *)msg, mlen);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (st == DKIM_STAT_NOSIG) {
		printf("%s\t-\tnone\n", id);
		goto out;
	}
	if (st == DKIM_STAT_OK || st == DKIM_STAT_BADSIG ||
	    st == DKIM_STAT_NOKEY || st == DKIM_STAT_CANTVRFY ||
	    st == DKIM_STAT_SYNTAX || st == DKIM_STAT_REVOKED ||
	    st == DKIM_STAT_KEYFAIL)
		st = dkim_eom(d, NULL);
	if (st == DKIM_STAT_NOSIG) {
		printf("%s\t-\tnone\n", id);
		goto out;
	}
	if (dkim_getsiglist(d, &sigs, &nsigs) != DKIM_STAT_OK || nsigs == 0) {
		const char *e = dkim_geterror(d);

		printf("%s\t-\terror\t%s: %s\n", id, dkim_getresultstr(st),
		    e != NULL ? e : "");
		goto out;
	}
	for (i = 0; i < nsigs; i++) {
		const char *reason, *res = classify(sigs[i], &reason);
		const u_char *dom = dkim_sig_getdomain(sigs[i]);
		const u_char *sel = dkim_sig_getselector(sigs[i]);

		printf("%s\t%d\t%s\t%s\t%s\t%s\n", id, i, res,
		    dom != NULL ? (const char *)dom : "",
		    sel != NULL ? (const char *)sel : "", reason);
	}
out:
	dkim_free(d);
	free(msg);
}

static void
usage(void)
{
	fputs("usage: opendkim_driver features\n"
	      "       opendkim_driver sign [-time T] JOBS OUTDIR\n"
	      "       opendkim_driver verify [-now T] KEYS FILE...\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	DKIM_LIB *lib;
	uint64_t fixed = 0;
	int i = 2;

	if (argc < 2)
		usage();
	lib = dkim_init(NULL, NULL);
	if (lib == NULL) {
		fputs("opendkim_driver: dkim_init failed\n", stderr);
		return 1;
	}
	if (strcmp(argv[1], "features") == 0) {
		printf("ed25519 %s\n",
		    dkim_libfeature(lib, DKIM_FEATURE_ED25519) ? "yes" : "no");
		printf("version %08x\n", (unsigned int)dkim_libversion());
		dkim_close(lib);
		return 0;
	}
	if (argc > 3 && (strcmp(argv[2], "-time") == 0 ||
	    strcmp(argv[2], "-now") == 0)) {
		fixed = strtoull(argv[3], NULL, 10);
		i = 4;
	}
	if (fixed != 0)
		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &fixed,
		    sizeof(fixed));
	/* Local files may have bare LF line ends: read them as CRLF, as
	 * opendkim(8) does for its test modes. */
	{
		unsigned int fl = DKIM_LIBFLAGS_FIXCRLF;

		if (getenv("OPENDKIM_NOFIXCRLF") != NULL)
			fl = 0;
		dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &fl,
		    sizeof(fl));
	}
	if (strcmp(argv[1], "sign") == 0) {
		FILE *jobs;
		char line[65536];

		if (argc - i != 2)
			usage();
		jobs = fopen(argv[i], "r");
		if (jobs == NULL) {
			perror(argv[i]);
			return 1;
		}
		while (fgets(line, sizeof(line), jobs) != NULL) {
			char *f[8], why[8192];
			size_t n;

			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] == '\0' || line[0] == '#')
				continue;
			n = split_tabs(line, f, 8);
			if (n != 8) {
				printf("%s\terror\tbad job line\n", f[0]);
				continue;
			}
			why[0] = '\0';
			if (sign_one(lib, f, argv[i + 1], why, sizeof(why)) == 0)
				printf("%s\tok\n", f[0]);
			else
				printf("%s\terror\t%s\n", f[0], why);
			fflush(stdout);
		}
		fclose(jobs);
	} else if (strcmp(argv[1], "verify") == 0) {
		dkim_query_t q = DKIM_QUERY_FILE;

		if (argc - i < 2)
			usage();
		if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &q,
		    sizeof(q)) != DKIM_STAT_OK ||
		    dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO,
		    argv[i], strlen(argv[i])) != DKIM_STAT_OK) {
			fputs("opendkim_driver: cannot set the key file\n",
			    stderr);
			return 1;
		}
		for (i++; i < argc; i++) {
			verify_one(lib, argv[i]);
			fflush(stdout);
		}
	} else {
		usage();
	}
	dkim_close(lib);
	return 0;
}
