/* SPDX-License-Identifier: MIT */
/*
 * mox_driver.c -- libmox-dkim as a DKIM signer and verifier for the
 * interop test (run-interop.py), with the interface of opendkim_driver.c:
 *
 *   mox_driver features
 *   mox_driver sign [-time T] JOBS OUTDIR
 *   mox_driver verify [-now T] KEYS FILE...
 * and two more for key interop:
 *   mox_driver genkey rsa BITS | ed25519     PKCS#8 PEM on stdout
 *   mox_driver txt KEYFILE                   the TXT record value
 *
 * Every message is processed twice: with the one-call function
 * (mox_dkim_sign, mox_dkim_verify) and with the streaming API fed in
 * chunks of pseudo-random sizes (a fixed generator seeded from the
 * message length), questions answered as soon as the verifier asks them,
 * between chunks. When the two disagree the driver reports an error line,
 * so streaming bugs show up as differences too.
 *
 * Keys come from the KEYS file ("name TAB record"), added to an in-memory
 * resolver as TXT records split into character-strings of at most 255
 * octets (so a 4096-bit RSA record has several, as in DNS).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/dkim.h>
#include <mox/dns.h>

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
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

/* xorshift64*: chunk sizes, deterministic per message. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Chunk sizes: mostly small (to split CRLF pairs, header names and the
 * header/body boundary), sometimes large. */
static size_t
chunk_size(uint64_t *s)
{
	uint64_t r = next_rand(s);

	switch (r % 4) {
	case 0: return 1 + (size_t)(r >> 8) % 3;
	case 1: return 1 + (size_t)(r >> 8) % 17;
	case 2: return 1 + (size_t)(r >> 8) % 200;
	default: return 1 + (size_t)(r >> 8) % 9000;
	}
}

static bool
uses_bare_lf(const uint8_t *msg, size_t len)
{
	const uint8_t *nl = memchr(msg, '\n', len);

	return nl != NULL && (nl == msg || nl[-1] != '\r');
}

static int
canon_word(const char *s, size_t n)
{
	if (n == 6 && memcmp(s, "simple", 6) == 0)
		return MOX_DKIM_SIMPLE;
	if (n == 7 && memcmp(s, "relaxed", 7) == 0)
		return MOX_DKIM_RELAXED;
	return -1;
}

static int64_t fixed_time;

static int
sign_one(char **f, const char *outdir, char *why, size_t cap)
{
	mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;
	mox_dkim_key *key = NULL;
	mox_dkim_signer *s = NULL;
	uint8_t *msg = NULL, *pem = NULL;
	char *sig = NULL, *sig2 = NULL, *slash, *hcopy = NULL;
	const char *hdrs[64];
	size_t mlen = 0, klen = 0, slen = 0, slen2 = 0, off, i;
	uint64_t seed;
	char path[4096];
	FILE *out = NULL;
	int rc, ret = -1;

	msg = read_file(f[1], &mlen);
	pem = read_file(f[2], &klen);
	if (msg == NULL || pem == NULL) {
		snprintf(why, cap, "cannot read %s", msg == NULL ? f[1] : f[2]);
		goto out;
	}
	rc = mox_dkim_key_from_pem(&key, pem, klen);
	if (rc != MOX_OK) {
		snprintf(why, cap, "key %s: %s", f[2], mox_strerror(rc));
		goto out;
	}
	if ((strcmp(f[3], "rsa-sha256") == 0) !=
	    (mox_dkim_key_get_type(key) == MOX_DKIM_KEY_RSA)) {
		snprintf(why, cap, "key %s is not for %s", f[2], f[3]);
		goto out;
	}
	slash = strchr(f[6], '/');
	if (slash == NULL ||
	    (o.header_canon = canon_word(f[6], (size_t)(slash - f[6]))) < 0 ||
	    (o.body_canon = canon_word(slash + 1, strlen(slash + 1))) < 0) {
		snprintf(why, cap, "bad canonicalization %s", f[6]);
		goto out;
	}
	o.domain = f[4];
	o.selector = f[5];
	o.key = key;
	o.timestamp = fixed_time;
	if (strcmp(f[7], "-") != 0) {
		char *p;

		hcopy = strdup(f[7]);
		if (hcopy == NULL)
			goto out;
		i = 0;
		for (p = hcopy; i < 64;) {
			hdrs[i++] = p;
			p = strchr(p, ':');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		o.headers = hdrs;
		o.nheaders = i;
	}
	rc = mox_dkim_sign(&sig, &slen, &o, msg, mlen);
	if (rc != MOX_OK) {
		snprintf(why, cap, "mox_dkim_sign: %s", mox_strerror(rc));
		goto out;
	}
	/* The same through the streaming signer, in chunks. */
	rc = mox_dkim_signer_new(&s, &o);
	seed = 0x9e3779b97f4a7c15ULL ^ mlen;
	for (off = 0; rc == MOX_OK && off < mlen;) {
		size_t n = chunk_size(&seed);

		if (n > mlen - off)
			n = mlen - off;
		rc = mox_dkim_signer_feed(s, msg + off, n);
		off += n;
	}
	if (rc == MOX_OK)
		rc = mox_dkim_signer_finish(s, &sig2, &slen2);
	if (rc != MOX_OK) {
		snprintf(why, cap, "streaming signer: %s", mox_strerror(rc));
		goto out;
	}
	/* t= is the same (fixed, or both made within the same second most
	 * of the time); compare only when a time was given. */
	if (fixed_time != 0 &&
	    (slen != slen2 || memcmp(sig, sig2, slen) != 0)) {
		snprintf(why, cap, "streaming signer differs from "
		    "mox_dkim_sign");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s.eml", outdir, f[0]);
	out = fopen(path, "wb");
	if (out == NULL) {
		snprintf(why, cap, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (uses_bare_lf(msg, mlen)) {
		for (i = 0; i < slen; i++)
			if (!(sig[i] == '\r' && i + 1 < slen &&
			    sig[i + 1] == '\n'))
				fputc(sig[i], out);
	} else {
		fwrite(sig, 1, slen, out);
	}
	fwrite(msg, 1, mlen, out);
	rc = fclose(out);
	out = NULL;
	if (rc != 0) {
		snprintf(why, cap, "%s: write error", path);
		goto out;
	}
	ret = 0;
out:
	if (out != NULL)
		fclose(out);
	mox_dkim_signer_free(s);
	mox_dkim_free(sig);
	mox_dkim_free(sig2);
	mox_dkim_key_free(key);
	free(hcopy);
	free(msg);
	free(pem);
	return ret;
}

/* The KEYS file as an in-memory resolver. */
static mox_resolver *
load_keys(const char *path)
{
	mox_resolver *r = NULL;
	FILE *f = fopen(path, "r");
	char line[16384];

	if (f == NULL) {
		perror(path);
		return NULL;
	}
	if (mox_resolver_new_static(&r) != MOX_OK) {
		fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t');
		uint8_t rdata[16384];
		size_t rl = 0, n, off;

		line[strcspn(line, "\r\n")] = '\0';
		if (tab == NULL)
			continue;
		*tab++ = '\0';
		n = strlen(tab);
		for (off = 0; off < n || off == 0;) {
			size_t c = n - off > 255 ? 255 : n - off;

			rdata[rl++] = (uint8_t)c;
			memcpy(rdata + rl, tab + off, c);
			rl += c;
			off += c;
			if (c == 0)
				break;
		}
		if (mox_resolver_static_add(r, line, MOX_DNS_TXT, 300, rdata,
		    rl, false) != MOX_OK) {
			fprintf(stderr, "mox_driver: cannot add %s: %s\n", line,
			    mox_resolver_errmsg(r));
			mox_resolver_free(r);
			fclose(f);
			return NULL;
		}
	}
	fclose(f);
	return r;
}

static void
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
}

/* Streaming verification; fills res[0..*n) (each initialized here). */
static int
verify_stream(mox_resolver *r, const mox_dkim_verify_options *o,
    const uint8_t *msg, size_t mlen, mox_dkim_result **out, size_t *nout)
{
	mox_dkim_verifier *v = NULL;
	mox_dkim_result *res = NULL;
	mox_dkim_question q;
	uint64_t seed = 0x2545f4914f6cdd1dULL ^ mlen;
	size_t off = 0, i, n;
	bool finished = false;
	int rc, step;

	*out = NULL;
	*nout = 0;
	rc = mox_dkim_verifier_new(&v, o);
	if (rc != MOX_OK)
		return rc;
	for (;;) {
		step = mox_dkim_verifier_step(v, &q);
		if (step < 0) {
			rc = step;
			goto out;
		}
		if (step == MOX_DKIM_STEP_DONE)
			break;
		if (step == MOX_DKIM_STEP_QUERY) {
			mox_dns_answer *ans = NULL;

			rc = mox_dns_lookup(r, q.name, MOX_DNS_TXT, &ans);
			if (rc == MOX_OK)
				rc = mox_dkim_verifier_answer(v, q.id, ans);
			mox_dns_answer_free(ans);
			if (rc != MOX_OK)
				goto out;
			continue;
		}
		if (step == MOX_DKIM_STEP_WAIT) {
			/* Every question is answered at once here. */
			rc = MOX_ESTATE;
			goto out;
		}
		/* NEED_DATA */
		if (off < mlen) {
			size_t c = chunk_size(&seed);

			if (c > mlen - off)
				c = mlen - off;
			rc = mox_dkim_verifier_feed(v, msg + off, c);
			off += c;
		} else if (!finished) {
			rc = mox_dkim_verifier_finish(v);
			finished = true;
		} else {
			rc = MOX_ESTATE;
		}
		if (rc != MOX_OK)
			goto out;
	}
	n = mox_dkim_verifier_count(v);
	if (n > 0) {
		res = calloc(n, sizeof(*res));
		if (res == NULL) {
			rc = MOX_ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		mox_dkim_result init = MOX_DKIM_RESULT_INIT;

		res[i] = init;
		rc = mox_dkim_verifier_result(v, i, &res[i]);
		if (rc != MOX_OK) {
			while (i-- > 0)
				mox_dkim_result_release(&res[i]);
			free(res);
			goto out;
		}
	}
	*out = res;
	*nout = n;
	rc = MOX_OK;
out:
	mox_dkim_verifier_free(v);
	return rc;
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static void
verify_one(mox_resolver *r, const mox_dkim_verify_options *o,
    const char *path)
{
	mox_dkim_result *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, mlen = 0, i;
	uint8_t *msg;
	char id[512];
	int rc;

	basename_id(path, id, sizeof(id));
	msg = read_file(path, &mlen);
	if (msg == NULL) {
		printf("%s\t-\terror\tcannot read %s\n", id, path);
		return;
	}
	rc = mox_dkim_verify(&a, &na, r, o, msg, mlen);
	if (rc != MOX_OK) {
		printf("%s\t-\terror\tmox_dkim_verify: %s\n", id,
		    mox_strerror(rc));
		goto out;
	}
	rc = verify_stream(r, o, msg, mlen, &b, &nb);
	if (rc != MOX_OK) {
		printf("%s\t-\terror\tstreaming verifier: %s\n", id,
		    mox_strerror(rc));
		goto out;
	}
	if (na != nb) {
		printf("%s\t-\terror\tstreaming verifier found %zu "
		    "signatures, mox_dkim_verify %zu\n", id, nb, na);
		goto out;
	}
	if (na == 0) {
		printf("%s\t-\tnone\n", id);
		goto out;
	}
	for (i = 0; i < na; i++) {
		if (a[i].verdict != b[i].verdict ||
		    strcmp(nz(a[i].reason), nz(b[i].reason)) != 0) {
			printf("%s\t%zu\terror\t%s\t%s\tstreaming verifier "
			    "says %s (%s), mox_dkim_verify %s (%s)\n", id, i,
			    nz(a[i].domain), nz(a[i].selector),
			    mox_dkim_verdict_name(b[i].verdict),
			    nz(b[i].reason),
			    mox_dkim_verdict_name(a[i].verdict),
			    nz(a[i].reason));
			continue;
		}
		printf("%s\t%zu\t%s\t%s\t%s\t%s\n", id, i,
		    mox_dkim_verdict_name(a[i].verdict), nz(a[i].domain),
		    nz(a[i].selector),
		    a[i].verdict == MOX_DKIM_PASS ? "" : nz(a[i].reason));
	}
out:
	for (i = 0; i < na; i++)
		mox_dkim_result_release(&a[i]);
	for (i = 0; i < nb; i++)
		mox_dkim_result_release(&b[i]);
	mox_dkim_free(a);
	free(b);
	free(msg);
}

static void
usage(void)
{
	fputs("usage: mox_driver features\n"
	      "       mox_driver sign [-time T] JOBS OUTDIR\n"
	      "       mox_driver verify [-now T] KEYS FILE...\n"
	      "       mox_driver genkey rsa BITS | ed25519\n"
	      "       mox_driver txt KEYFILE\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	int i = 2;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "features") == 0) {
		printf("ed25519 yes\n");
		return 0;
	}
	if (strcmp(argv[1], "genkey") == 0) {
		mox_dkim_key *k = NULL;
		char *pem = NULL;
		size_t len = 0;
		int type = MOX_DKIM_KEY_ED25519, rc;

		if (argc == 4 && strcmp(argv[2], "rsa") == 0)
			type = MOX_DKIM_KEY_RSA;
		else if (argc == 3 && strcmp(argv[2], "ed25519") == 0)
			type = MOX_DKIM_KEY_ED25519;
		else
			usage();
		rc = mox_dkim_key_generate(&k, type, type == MOX_DKIM_KEY_RSA ?
		    (unsigned int)strtoul(argv[3], NULL, 10) : 0);
		if (rc == MOX_OK)
			rc = mox_dkim_key_to_pem(&pem, &len, k);
		if (rc != MOX_OK) {
			fprintf(stderr, "mox_driver: genkey: %s\n",
			    mox_strerror(rc));
			return 1;
		}
		fwrite(pem, 1, len, stdout);
		mox_dkim_free(pem);
		mox_dkim_key_free(k);
		return 0;
	}
	if (strcmp(argv[1], "txt") == 0) {
		mox_dkim_key *k = NULL;
		uint8_t *pem;
		char *txt = NULL;
		size_t len = 0;
		int rc;

		if (argc != 3)
			usage();
		pem = read_file(argv[2], &len);
		if (pem == NULL) {
			perror(argv[2]);
			return 1;
		}
		rc = mox_dkim_key_from_pem(&k, pem, len);
		free(pem);
		if (rc == MOX_OK)
			rc = mox_dkim_key_txt(&txt, &len, k, false);
		if (rc != MOX_OK) {
			fprintf(stderr, "mox_driver: txt: %s\n",
			    mox_strerror(rc));
			mox_dkim_key_free(k);
			return 1;
		}
		printf("%s\n", txt);
		mox_dkim_free(txt);
		mox_dkim_key_free(k);
		return 0;
	}
	if (argc > 3 && (strcmp(argv[2], "-time") == 0 ||
	    strcmp(argv[2], "-now") == 0)) {
		fixed_time = strtoll(argv[3], NULL, 10);
		i = 4;
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

			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] == '\0' || line[0] == '#')
				continue;
			if (split_tabs(line, f, 8) != 8) {
				printf("%s\terror\tbad job line\n", f[0]);
				continue;
			}
			why[0] = '\0';
			if (sign_one(f, argv[i + 1], why, sizeof(why)) == 0)
				printf("%s\tok\n", f[0]);
			else
				printf("%s\terror\t%s\n", f[0], why);
			fflush(stdout);
		}
		fclose(jobs);
		return 0;
	}
	if (strcmp(argv[1], "verify") == 0) {
		mox_dkim_verify_options o = MOX_DKIM_VERIFY_OPTIONS_INIT;
		mox_resolver *r;

		if (argc - i < 2)
			usage();
		o.now = fixed_time;
		r = load_keys(argv[i]);
		if (r == NULL)
			return 1;
		for (i++; i < argc; i++) {
			verify_one(r, &o, argv[i]);
			fflush(stdout);
		}
		mox_resolver_free(r);
		return 0;
	}
	usage();
	return 2;
}
