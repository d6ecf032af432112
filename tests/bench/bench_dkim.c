/* SPDX-License-Identifier: MIT */
/*
 * bench_dkim.c -- DKIM signing and verification throughput, one thread:
 * libmox-dkim next to libopendkim on the same messages and keys in the
 * same run, with the cost of the crypto primitives as the limit, and the
 * primitives of mbedTLS/libsodium (what libmox-dkim uses) next to those
 * of OpenSSL's libcrypto (what libopendkim uses), so that a gap can be
 * attributed.
 *
 * Usage: bench_dkim [-seconds S] [-sizes 2,20,1024]
 *
 * For rsa-2048 and ed25519 and for messages of 2 KB, 20 KB and 1 MB
 * (relaxed/relaxed, the same seven header fields signed by both) it prints
 *   dkim verify ed25519 2KB: mox N msg/s, opendkim N msg/s, ratio R, crypto limit N msg/s
 *   dkim sign rsa2048 1MB: mox N msg/s, opendkim N msg/s, ratio R, crypto limit N msg/s
 * ratio is mox/opendkim; the crypto limit is 1 / (time of SHA-256 over the
 * message's octets with mbedTLS + one signature operation: RSA with
 * mbedTLS, Ed25519 with libsodium), the rate no implementation using those
 * primitives can beat. Then the primitives themselves:
 *   crypto sha256 1MB: mbedtls N MB/s, openssl N MB/s, ratio R
 *   crypto rsa2048 sign: mbedtls N ops/s, openssl N ops/s, ratio R
 *   crypto rsa2048 verify: ...    crypto ed25519 sign|verify: libsodium ...
 *
 * Verification: the messages are signed once by mox; mox looks the key up
 * in its in-memory resolver, OpenDKIM through a dkim_set_key_lookup()
 * callback serving the same record from memory (no file or network I/O in
 * either). Every run checks that each verification passes. Signing: mox
 * reuses a parsed key (its API), OpenDKIM parses the PEM key text on each
 * dkim_sign() (its API takes key text), and both produce the header field
 * text. Each measurement runs S seconds (default 1) in three rounds and
 * reports the best round.
 *
 * Build with -O2 and without sanitizers; link -lopendkim -lcrypto
 * -lmbedcrypto -lsodium.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <opendkim/dkim.h>
#include <sodium.h>

#include <mox/dkim.h>
#include <mox/dns.h>

#define DOMAIN "example.org"

static const char *const sign_headers[] = { "From", "To", "Subject", "Date",
	"Message-ID", "MIME-Version", "Content-Type" };
#define NSIGN_HEADERS (sizeof(sign_headers) / sizeof(sign_headers[0]))
/* The same list for OpenDKIM, which wants it NULL-terminated. */
static const char *od_headers[] = { "From", "To", "Subject", "Date",
	"Message-ID", "MIME-Version", "Content-Type", NULL };

static double seconds = 1;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_dkim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Operations per second of fn: the best of three rounds of a third of
 * `seconds` each (other load on the machine only ever slows a round). */
static double
rate(void (*fn)(void *), void *arg)
{
	double start, el, best = 0, round = seconds / 3;
	unsigned long n, batch, i;
	int r;

	fn(arg); /* warm up */
	for (r = 0; r < 3; r++) {
		n = 0;
		batch = 1;
		start = now();
		for (;;) {
			for (i = 0; i < batch; i++)
				fn(arg);
			n += batch;
			el = now() - start;
			if (el >= round)
				break;
			if (el < round / 8)
				batch *= 2;
		}
		if ((double)n / el > best)
			best = (double)n / el;
	}
	return best;
}

/* --- test material --- */

struct key {
	const char *name;       /* "rsa2048", "ed25519" */
	const char *selector;
	mox_dkim_key *mox;
	char *pem;              /* PKCS#8 */
	char *txt;              /* the record */
	int opendkim_alg;
	/* Primitives. */
	mbedtls_pk_context pk;  /* RSA */
	EVP_PKEY *ossl;
	unsigned char ed_pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char ed_sk[crypto_sign_SECRETKEYBYTES];
};

struct msg {
	size_t kb;
	uint8_t *data;          /* unsigned */
	size_t len;
	uint8_t *signed_[2];    /* per key: signature + message */
	size_t signed_len[2];
};

static struct key keys[2];
static mox_resolver *resolver;
static DKIM_LIB *odlib;
static int drbg; /* unused argument of drbg_random() */

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* A plain text message of about kb KiB: headers and lines of words. */
static void
make_msg(struct msg *m, size_t kb)
{
	static const char *const words[] = { "the", "quick", "brown", "fox",
		"jumps", "over", "a", "lazy", "dog", "message", "signature",
		"domain", "selector", "keys", "header", "body", "canonical",
		"relaxed", "simple", "mail" };
	size_t want = kb * 1024, cap = want + 1024, n = 0, col = 0;
	char *p = malloc(cap);

	if (p == NULL)
		die("out of memory");
	n += (size_t)snprintf(p, cap,
	    "From: Alice Example <alice@example.org>\r\n"
	    "To: Bob Example <bob@example.net>\r\n"
	    "Subject: benchmark message of %zu KB\r\n"
	    "Date: Tue, 25 Nov 2025 12:00:00 +0000\r\n"
	    "Message-ID: <bench-%zu@example.org>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=us-ascii\r\n"
	    "\r\n", kb, kb);
	while (n < want - 2) {
		const char *w = words[rnd() % 20];
		size_t wl = strlen(w);

		if (col + wl + 1 > 72 || n + wl + 3 > want) {
			p[n++] = '\r';
			p[n++] = '\n';
			col = 0;
			if (n + 3 > want)
				break;
			continue;
		}
		if (col > 0) {
			p[n++] = ' ';
			col++;
		}
		memcpy(p + n, w, wl);
		n += wl;
		col += wl;
	}
	if (col > 0) {
		p[n++] = '\r';
		p[n++] = '\n';
	}
	m->kb = kb;
	m->data = (uint8_t *)p;
	m->len = n;
}

static void
make_key(struct key *k, int type, const char *name, const char *sel)
{
	size_t len;
	int rc;
	BIO *bio;

	k->name = name;
	k->selector = sel;
	rc = mox_dkim_key_generate(&k->mox, type, 2048);
	if (rc == MOX_OK)
		rc = mox_dkim_key_to_pem(&k->pem, &len, k->mox);
	if (rc == MOX_OK)
		rc = mox_dkim_key_txt(&k->txt, &len, k->mox, false);
	if (rc != MOX_OK)
		die("key %s: %s", name, mox_strerror(rc));
	k->opendkim_alg = type == MOX_DKIM_KEY_RSA ? DKIM_SIGN_RSASHA256 :
	    DKIM_SIGN_ED25519SHA256;
	/* The same private key for mbedTLS and OpenSSL (RSA); Ed25519
	 * primitives get their own keys. */
	mbedtls_pk_init(&k->pk);
	if (type == MOX_DKIM_KEY_RSA &&
	    mbedtls_pk_parse_key(&k->pk, (const unsigned char *)k->pem,
	    strlen(k->pem) + 1, NULL, 0) != 0)
		die("mbedtls cannot read the %s key", name);
	bio = BIO_new_mem_buf(k->pem, -1);
	k->ossl = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL,
	    NULL) : NULL;
	BIO_free(bio);
	if (k->ossl == NULL)
		die("openssl cannot read the %s key", name);
	crypto_sign_keypair(k->ed_pk, k->ed_sk);
}

/* The record as TXT rdata (character-strings of <= 255 octets). */
static void
publish(const struct key *k)
{
	uint8_t rdata[4096];
	size_t n = strlen(k->txt), off = 0, rl = 0;
	char owner[256];

	while (off < n) {
		size_t c = n - off > 255 ? 255 : n - off;

		rdata[rl++] = (uint8_t)c;
		memcpy(rdata + rl, k->txt + off, c);
		rl += c;
		off += c;
	}
	snprintf(owner, sizeof(owner), "%s._domainkey." DOMAIN, k->selector);
	if (mox_resolver_static_add(resolver, owner, MOX_DNS_TXT, 300, rdata,
	    rl, false) != MOX_OK)
		die("static resolver: %s", mox_resolver_errmsg(resolver));
}

static DKIM_CBSTAT
od_key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	const char *sel = (const char *)dkim_sig_getselector(sig);
	size_t i;

	(void)dkim;
	for (i = 0; i < 2; i++) {
		if (sel != NULL && strcmp(sel, keys[i].selector) == 0 &&
		    strlen(keys[i].txt) < buflen) {
			memcpy(buf, keys[i].txt, strlen(keys[i].txt) + 1);
			return DKIM_CBSTAT_CONTINUE;
		}
	}
	return DKIM_CBSTAT_NOTFOUND;
}

/* --- the operations --- */

struct job {
	struct key *k;
	struct msg *m;
	int ki;
	unsigned long bad;
};

static void
mox_sign_once(struct job *j, char **out, size_t *outlen)
{
	mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;
	static const char *const none[1] = { NULL };

	o.domain = DOMAIN;
	o.selector = j->k->selector;
	o.key = j->k->mox;
	o.headers = sign_headers;
	o.nheaders = NSIGN_HEADERS;
	o.oversign = none;       /* non-NULL, 0: oversign nothing */
	o.noversign = 0;
	o.timestamp = 1764072000;
	if (mox_dkim_sign(out, outlen, &o, j->m->data, j->m->len) != MOX_OK)
		die("mox_dkim_sign failed");
}

static void
op_mox_sign(void *arg)
{
	char *sig = NULL;
	size_t len;

	mox_sign_once(arg, &sig, &len);
	mox_dkim_free(sig);
}

static void
op_opendkim_sign(void *arg)
{
	struct job *j = arg;
	DKIM_STAT st;
	DKIM *d;
	u_char *hdr = NULL;
	size_t hlen = 0;

	d = dkim_sign(odlib, (const u_char *)"bench", NULL,
	    (dkim_sigkey_t)j->k->pem, (const u_char *)j->k->selector,
	    (const u_char *)DOMAIN, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
	    j->k->opendkim_alg, -1, &st);
	if (d == NULL)
		die("dkim_sign: %s", dkim_getresultstr(st));
	st = dkim_signhdrs(d, od_headers);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, j->m->data, j->m->len);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(d, NULL);
	if (st == DKIM_STAT_OK)
		st = dkim_getsighdr_d(d, strlen("DKIM-Signature: "), &hdr,
		    &hlen);
	if (st != DKIM_STAT_OK)
		die("opendkim signing: %s", dkim_getresultstr(st));
	dkim_free(d);
}

static void
op_mox_verify(void *arg)
{
	struct job *j = arg;
	mox_dkim_result *res = NULL;
	size_t n = 0, i;

	if (mox_dkim_verify(&res, &n, resolver, NULL, j->m->signed_[j->ki],
	    j->m->signed_len[j->ki]) != MOX_OK)
		die("mox_dkim_verify failed");
	if (n != 1 || res[0].verdict != MOX_DKIM_PASS)
		j->bad++;
	for (i = 0; i < n; i++)
		mox_dkim_result_release(&res[i]);
	mox_dkim_free(res);
}

static void
op_opendkim_verify(void *arg)
{
	struct job *j = arg;
	DKIM_STAT st;
	DKIM *d;

	d = dkim_verify(odlib, (const u_char *)"bench", NULL, &st);
	if (d == NULL)
		die("dkim_verify: %s", dkim_getresultstr(st));
	st = dkim_chunk(d, j->m->signed_[j->ki], j->m->signed_len[j->ki]);
	if (st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (st == DKIM_STAT_OK)
		st = dkim_eom(d, NULL);
	if (st != DKIM_STAT_OK)
		j->bad++;
	dkim_free(d);
}

/* Crypto limit of one message: SHA-256 over its octets plus one
 * signature operation. */
struct climit {
	struct key *k;
	const uint8_t *data;
	size_t len;
	bool sign;
	unsigned char sig[512];
	size_t siglen;
	unsigned char hash[32];
};

/* Randomness for RSA blinding from libsodium, as libmox-dkim does. */
static int
drbg_random(void *p, unsigned char *out, size_t len)
{
	(void)p;
	randombytes_buf(out, len);
	return 0;
}

static void
op_crypto_limit(void *arg)
{
	struct climit *c = arg;
	unsigned char h[32];

	mbedtls_sha256_ret(c->data, c->len, h, 0);
	if (c->k->opendkim_alg == DKIM_SIGN_RSASHA256) {
		size_t sl;

		if (c->sign) {
			if (mbedtls_pk_sign(&c->k->pk, MBEDTLS_MD_SHA256, h, 32,
			    c->sig, &sl, drbg_random, &drbg) != 0)
				die("mbedtls_pk_sign");
		} else if (mbedtls_pk_verify(&c->k->pk, MBEDTLS_MD_SHA256,
		    c->hash, 32, c->sig, c->siglen) != 0) {
			die("mbedtls_pk_verify");
		}
	} else if (c->sign) {
		crypto_sign_detached(c->sig, NULL, h, 32, c->k->ed_sk);
	} else if (crypto_sign_verify_detached(c->sig, c->hash, 32,
	    c->k->ed_pk) != 0) {
		die("crypto_sign_verify_detached");
	}
}

/* Prepare a signature over c->hash for the verify limit. */
static void
climit_init(struct climit *c, struct key *k, const uint8_t *data, size_t len,
    bool sign)
{
	memset(c, 0, sizeof(*c));
	c->k = k;
	c->data = data;
	c->len = len;
	c->sign = sign;
	mbedtls_sha256_ret(data, len, c->hash, 0);
	if (k->opendkim_alg == DKIM_SIGN_RSASHA256) {
		if (mbedtls_pk_sign(&k->pk, MBEDTLS_MD_SHA256, c->hash, 32,
		    c->sig, &c->siglen, drbg_random, &drbg) != 0)
			die("mbedtls_pk_sign");
	} else {
		crypto_sign_detached(c->sig, NULL, c->hash, 32, k->ed_sk);
		c->siglen = crypto_sign_BYTES;
	}
}

/* --- primitives: mbedTLS/libsodium against OpenSSL --- */

struct prim {
	struct key *k;
	const uint8_t *data;
	size_t len;
	unsigned char hash[32];
	unsigned char sig[512];
	size_t siglen;
	mbedtls_pk_context pristine;   /* the RSA key, never used to sign */
	EVP_PKEY_CTX *sctx, *vctx;
	EVP_PKEY *ed;
	EVP_MD_CTX *mdctx;
};

static void
op_sha_mbedtls(void *arg)
{
	struct prim *p = arg;
	unsigned char h[32];

	mbedtls_sha256_ret(p->data, p->len, h, 0);
}

static void
op_sha_openssl(void *arg)
{
	struct prim *p = arg;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hl;

	EVP_Digest(p->data, p->len, h, &hl, EVP_sha256(), NULL);
}

static void
op_rsa_sign_mbedtls(void *arg)
{
	struct prim *p = arg;
	size_t sl;

	if (mbedtls_pk_sign(&p->k->pk, MBEDTLS_MD_SHA256, p->hash, 32, p->sig,
	    &sl, drbg_random, &drbg) != 0)
		die("mbedtls_pk_sign");
}

/* As libmox-dkim signs: on a copy of the key's context, made per
 * signature from a context never used itself, so that each signature sets
 * up fresh blinding values (the copy of a used context would inherit its
 * blinding values). */
static void
op_rsa_sign_mbedtls_copy(void *arg)
{
	struct prim *p = arg;
	mbedtls_rsa_context tmp;

	mbedtls_rsa_init(&tmp, MBEDTLS_RSA_PKCS_V15, 0);
	if (mbedtls_rsa_copy(&tmp, mbedtls_pk_rsa(p->pristine)) != 0 ||
	    mbedtls_rsa_pkcs1_sign(&tmp, drbg_random, &drbg,
	    MBEDTLS_RSA_PRIVATE, MBEDTLS_MD_SHA256, 32, p->hash, p->sig) != 0)
		die("mbedtls_rsa_pkcs1_sign");
	mbedtls_rsa_free(&tmp);
}

static void
op_rsa_verify_mbedtls(void *arg)
{
	struct prim *p = arg;

	if (mbedtls_pk_verify(&p->k->pk, MBEDTLS_MD_SHA256, p->hash, 32, p->sig,
	    p->siglen) != 0)
		die("mbedtls_pk_verify");
}

static void
op_rsa_sign_openssl(void *arg)
{
	struct prim *p = arg;
	unsigned char sig[512];
	size_t sl = sizeof(sig);

	if (EVP_PKEY_sign(p->sctx, sig, &sl, p->hash, 32) != 1)
		die("EVP_PKEY_sign");
}

static void
op_rsa_verify_openssl(void *arg)
{
	struct prim *p = arg;

	if (EVP_PKEY_verify(p->vctx, p->sig, p->siglen, p->hash, 32) != 1)
		die("EVP_PKEY_verify");
}

static void
op_ed_sign_sodium(void *arg)
{
	struct prim *p = arg;
	unsigned char sig[64];

	crypto_sign_detached(sig, NULL, p->hash, 32, p->k->ed_sk);
}

static void
op_ed_verify_sodium(void *arg)
{
	struct prim *p = arg;

	if (crypto_sign_verify_detached(p->sig, p->hash, 32, p->k->ed_pk) != 0)
		die("crypto_sign_verify_detached");
}

static void
op_ed_sign_openssl(void *arg)
{
	struct prim *p = arg;
	unsigned char sig[64];
	size_t sl = sizeof(sig);

	if (EVP_DigestSignInit(p->mdctx, NULL, NULL, NULL, p->ed) != 1 ||
	    EVP_DigestSign(p->mdctx, sig, &sl, p->hash, 32) != 1)
		die("EVP_DigestSign");
}

static void
op_ed_verify_openssl(void *arg)
{
	struct prim *p = arg;

	if (EVP_DigestVerifyInit(p->mdctx, NULL, NULL, NULL, p->ed) != 1 ||
	    EVP_DigestVerify(p->mdctx, p->sig, 64, p->hash, 32) != 1)
		die("EVP_DigestVerify");
}

static void
primitives(struct msg *big)
{
	struct prim p;
	double a, b;

	memset(&p, 0, sizeof(p));
	p.data = big->data;
	p.len = big->len;
	a = rate(op_sha_mbedtls, &p) * (double)p.len / 1e6;
	b = rate(op_sha_openssl, &p) * (double)p.len / 1e6;
	printf("crypto sha256 %zuKB: mbedtls %.1f MB/s, openssl %.1f MB/s, "
	    "ratio %.2f\n", big->kb, a, b, a / b);

	p.k = &keys[0];
	mbedtls_sha256_ret(p.data, 64, p.hash, 0);
	if (mbedtls_pk_sign(&p.k->pk, MBEDTLS_MD_SHA256, p.hash, 32, p.sig,
	    &p.siglen, drbg_random, &drbg) != 0)
		die("mbedtls_pk_sign");
	p.sctx = EVP_PKEY_CTX_new(p.k->ossl, NULL);
	p.vctx = EVP_PKEY_CTX_new(p.k->ossl, NULL);
	if (p.sctx == NULL || p.vctx == NULL ||
	    EVP_PKEY_sign_init(p.sctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(p.sctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(p.sctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_verify_init(p.vctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(p.vctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(p.vctx, EVP_sha256()) != 1)
		die("openssl RSA setup");
	/* The two libraries make the same PKCS#1 v1.5 signature. */
	{
		unsigned char sig[512];
		size_t sl = sizeof(sig);

		if (EVP_PKEY_sign(p.sctx, sig, &sl, p.hash, 32) != 1 ||
		    sl != p.siglen || memcmp(sig, p.sig, sl) != 0)
			die("mbedtls and openssl RSA signatures differ");
	}
	a = rate(op_rsa_sign_mbedtls, &p);
	b = rate(op_rsa_sign_openssl, &p);
	printf("crypto rsa2048 sign: mbedtls %.0f ops/s, openssl %.0f ops/s, "
	    "ratio %.2f\n", a, b, a / b);
	mbedtls_pk_init(&p.pristine);
	if (mbedtls_pk_parse_key(&p.pristine, (const unsigned char *)p.k->pem,
	    strlen(p.k->pem) + 1, NULL, 0) != 0)
		die("mbedtls cannot read the RSA key");
	a = rate(op_rsa_sign_mbedtls_copy, &p);
	mbedtls_pk_free(&p.pristine);
	printf("crypto rsa2048 sign on a fresh context copy (as libmox-dkim): "
	    "mbedtls %.0f ops/s, ratio to openssl %.2f\n", a, a / b);
	a = rate(op_rsa_verify_mbedtls, &p);
	b = rate(op_rsa_verify_openssl, &p);
	printf("crypto rsa2048 verify: mbedtls %.0f ops/s, openssl %.0f ops/s, "
	    "ratio %.2f\n", a, b, a / b);
	EVP_PKEY_CTX_free(p.sctx);
	EVP_PKEY_CTX_free(p.vctx);

	p.k = &keys[1];
	p.ed = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, p.k->ed_sk,
	    32);
	p.mdctx = EVP_MD_CTX_new();
	if (p.ed == NULL || p.mdctx == NULL)
		die("openssl Ed25519 setup");
	crypto_sign_detached(p.sig, NULL, p.hash, 32, p.k->ed_sk);
	a = rate(op_ed_sign_sodium, &p);
	b = rate(op_ed_sign_openssl, &p);
	printf("crypto ed25519 sign: libsodium %.0f ops/s, openssl %.0f ops/s, "
	    "ratio %.2f\n", a, b, a / b);
	a = rate(op_ed_verify_sodium, &p);
	b = rate(op_ed_verify_openssl, &p);
	printf("crypto ed25519 verify: libsodium %.0f ops/s, openssl %.0f "
	    "ops/s, ratio %.2f\n", a, b, a / b);
	EVP_MD_CTX_free(p.mdctx);
	EVP_PKEY_free(p.ed);
}

int
main(int argc, char **argv)
{
	size_t sizes[8] = { 2, 20, 1024 }, nsizes = 3, si, ki;
	struct msg msgs[8];
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-seconds") == 0 && i + 1 < argc) {
			seconds = atof(argv[++i]);
			if (seconds <= 0)
				die("-seconds wants a positive number");
		} else if (strcmp(argv[i], "-sizes") == 0 && i + 1 < argc) {
			char *p = argv[++i], *end;

			for (nsizes = 0; nsizes < 8 && *p != '\0';) {
				sizes[nsizes] = strtoul(p, &end, 10);
				if (end == p || sizes[nsizes] == 0)
					die("-sizes wants KB numbers: 2,20,1024");
				nsizes++;
				p = *end == ',' ? end + 1 : end;
			}
		} else {
			fputs("usage: bench_dkim [-seconds S] [-sizes 2,20,1024]\n",
			    stderr);
			return 2;
		}
	}
	if (sodium_init() < 0)
		die("sodium_init");
	if (mox_resolver_new_static(&resolver) != MOX_OK)
		die("static resolver");
	odlib = dkim_init(NULL, NULL);
	if (odlib == NULL)
		die("dkim_init");
	dkim_set_key_lookup(odlib, od_key_lookup);
	if (!dkim_libfeature(odlib, DKIM_FEATURE_ED25519))
		die("this libopendkim has no ed25519-sha256");
	make_key(&keys[0], MOX_DKIM_KEY_RSA, "rsa2048", "rsa");
	make_key(&keys[1], MOX_DKIM_KEY_ED25519, "ed25519", "ed");
	publish(&keys[0]);
	publish(&keys[1]);

	for (si = 0; si < nsizes; si++) {
		make_msg(&msgs[si], sizes[si]);
		for (ki = 0; ki < 2; ki++) {
			struct job j = { &keys[ki], &msgs[si], (int)ki, 0 };
			char *sig = NULL;
			size_t sl = 0;
			uint8_t *s;

			mox_sign_once(&j, &sig, &sl);
			s = malloc(sl + msgs[si].len);
			if (s == NULL)
				die("out of memory");
			memcpy(s, sig, sl);
			memcpy(s + sl, msgs[si].data, msgs[si].len);
			msgs[si].signed_[ki] = s;
			msgs[si].signed_len[ki] = sl + msgs[si].len;
			mox_dkim_free(sig);
			/* Both verifiers must pass the message. */
			op_mox_verify(&j);
			op_opendkim_verify(&j);
			if (j.bad != 0)
				die("%s %zuKB: the signed message does not "
				    "verify with both", keys[ki].name,
				    sizes[si]);
		}
	}

	for (i = 0; i < 2; i++) {
		bool sign = i == 1;

		for (ki = 0; ki < 2; ki++) {
			for (si = 0; si < nsizes; si++) {
				struct job j = { &keys[ki], &msgs[si], (int)ki,
					0 };
				struct climit c;
				double m, o, l;
				char label[32];

				climit_init(&c, &keys[ki], msgs[si].data,
				    msgs[si].len, sign);
				if (sign) {
					m = rate(op_mox_sign, &j);
					o = rate(op_opendkim_sign, &j);
				} else {
					m = rate(op_mox_verify, &j);
					o = rate(op_opendkim_verify, &j);
				}
				l = rate(op_crypto_limit, &c);
				if (j.bad != 0)
					die("%lu verifications did not pass",
					    j.bad);
				if (sizes[si] % 1024 == 0)
					snprintf(label, sizeof(label), "%zuMB",
					    sizes[si] / 1024);
				else
					snprintf(label, sizeof(label), "%zuKB",
					    sizes[si]);
				printf("dkim %s %s %s: mox %.0f msg/s, opendkim "
				    "%.0f msg/s, ratio %.2f, crypto limit %.0f "
				    "msg/s\n", sign ? "sign" : "verify",
				    keys[ki].name, label, m, o, m / o, l);
				fflush(stdout);
			}
		}
	}
	{
		size_t big = 0;

		for (si = 1; si < nsizes; si++)
			if (sizes[si] > sizes[big])
				big = si;
		primitives(&msgs[big]);
	}

	for (si = 0; si < nsizes; si++) {
		free(msgs[si].data);
		free(msgs[si].signed_[0]);
		free(msgs[si].signed_[1]);
	}
	for (ki = 0; ki < 2; ki++) {
		mox_dkim_key_free(keys[ki].mox);
		mox_dkim_free(keys[ki].pem);
		mox_dkim_free(keys[ki].txt);
		mbedtls_pk_free(&keys[ki].pk);
		EVP_PKEY_free(keys[ki].ossl);
	}
	mox_resolver_free(resolver);
	dkim_close(odlib);
	return 0;
}
